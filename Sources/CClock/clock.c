#include "CClock.h"
#include <sys/time.h>
#include <time.h>

/* Thread-local: each engine runs on one thread, and a lag set for one
   peer's SSL call must never reach another thread's. */
static _Thread_local int64_t lag;

void CClock_setLag(int64_t microseconds) { lag = microseconds; }

int64_t CClock_wallMicroseconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t CClock_seenMicroseconds(void) { return CClock_wallMicroseconds() - lag; }

/* Interposes libc's: an executable's definition comes first in the dynamic
   linker's search, for libssl's calls as for ours. Without a lag it is
   libc's answer (clock_gettime is what glibc's gettimeofday reads). */
int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
    (void)tz;
    int64_t us = CClock_seenMicroseconds();
    tv->tv_sec = (time_t)(us / 1000000);
    tv->tv_usec = (suseconds_t)(us % 1000000);
    return 0;
}
