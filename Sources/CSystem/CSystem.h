/*
 * Linux interfaces Swift's Glibc module leaves out: signalfd (so signals
 * arrive as a readable descriptor in the one poll loop), the batched
 * datagram calls recvmmsg/sendmmsg, which glibc declares only under
 * _GNU_SOURCE, malloc_trim (freed memory back to the system), and the
 * calling thread's kernel id (gettid, whose glibc wrapper needs _GNU_SOURCE
 * too), which names its /proc/self/task entry.
 */
#ifndef DTLSH_CSYSTEM_H
#define DTLSH_CSYSTEM_H

#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <malloc.h>
#include <sys/syscall.h>
#include <unistd.h>

struct CSystem_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

int recvmmsg(int fd, struct CSystem_mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout);
int sendmmsg(int fd, struct CSystem_mmsghdr *vec, unsigned int vlen, int flags);

static inline int CSystem_gettid(void) {
    return (int)syscall(SYS_gettid);
}

#endif
