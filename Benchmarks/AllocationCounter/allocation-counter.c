/*
 * A counting allocator for `dtlsh bench --allocations`: preloaded into the
 * server under test (LD_PRELOAD), it counts every heap allocation and free
 * in a small file the bench maps too, so the bench reads the counts of any
 * server -- dtlsh serve or the C reference -- before and after a scenario,
 * without the server's cooperation.
 *
 *   LD_PRELOAD=liballocation-counter.so DTLSH_ALLOCATION_COUNTER=/tmp/file server ...
 *
 * The file holds four little-endian uint64: a magic number, allocations,
 * frees, and the bytes live on the heap now (malloc_usable_size of every
 * block allocated and not yet freed). Every call is forwarded to glibc's own
 * allocator (__libc_malloc and friends); counting costs a few relaxed atomics.
 * Allocations made before the constructor ran (by the dynamic loader) are
 * not counted: they happen before any server code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

#define COUNTER_MAGIC 0x64746c7368616c63ULL /* "dtlshalc" */

struct counters {
    uint64_t magic;
    uint64_t allocations;
    uint64_t frees;
    uint64_t live_bytes;
};

static struct counters *counters;

__attribute__((constructor)) static void counter_open(void) {
    const char *path = getenv("DTLSH_ALLOCATION_COUNTER");
    if (path == NULL || *path == '\0')
        return;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return;
    if (ftruncate(fd, sizeof(struct counters)) == 0) {
        void *m = mmap(NULL, sizeof(struct counters), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m != MAP_FAILED) {
            struct counters *c = m;
            c->magic = COUNTER_MAGIC;
            counters = c;
        }
    }
    close(fd);
}

static inline void *counted(void *p) {
    struct counters *c = counters;
    if (c != NULL && p != NULL) {
        __atomic_fetch_add(&c->allocations, 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&c->live_bytes, malloc_usable_size(p), __ATOMIC_RELAXED);
    }
    return p;
}

static inline void count_free(void *p) {
    struct counters *c = counters;
    if (c != NULL && p != NULL) {
        __atomic_fetch_add(&c->frees, 1, __ATOMIC_RELAXED);
        __atomic_fetch_sub(&c->live_bytes, malloc_usable_size(p), __ATOMIC_RELAXED);
    }
}

void *malloc(size_t size) {
    return counted(__libc_malloc(size));
}

void *calloc(size_t n, size_t size) {
    return counted(__libc_calloc(n, size));
}

void *realloc(void *p, size_t size) {
    /* A realloc is a free and a new allocation as far as counting goes. */
    count_free(p);
    void *q = __libc_realloc(p, size);
    if (q == NULL && p != NULL && size != 0) {
        /* Failed: the old block is still there; count it back. */
        counted(p);
        return NULL;
    }
    return counted(q);
}

void free(void *p) {
    count_free(p);
    __libc_free(p);
}

void *memalign(size_t alignment, size_t size) {
    return counted(__libc_memalign(alignment, size));
}

void *aligned_alloc(size_t alignment, size_t size) {
    return counted(__libc_memalign(alignment, size));
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
        return EINVAL;
    void *p = counted(__libc_memalign(alignment, size));
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t size) {
    return counted(__libc_memalign((size_t)sysconf(_SC_PAGESIZE), size));
}
