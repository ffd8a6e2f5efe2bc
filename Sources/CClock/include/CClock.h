/*
 * The clock OpenSSL's DTLS retransmission timers read. OpenSSL 3.0 has no
 * clock hook: dtls1_start_timer, dtls1_get_timeout and
 * dtls1_is_timer_expired (ssl/d1_lib.c) all call gettimeofday. clock.c
 * defines gettimeofday in this process, so libssl's calls land there: it is
 * the wall clock, minus a lag the calling thread sets around one SSL call.
 * A peer in manual mode keeps its own lag, so that its clock stands still
 * while the user thinks (docs/time-in-manual-mode.md).
 */
#ifndef DTLSH_CCLOCK_H
#define DTLSH_CCLOCK_H

#include <stdint.h>

/* Microseconds the calling thread's gettimeofday runs behind the wall clock
   until set back to 0. */
void CClock_setLag(int64_t microseconds);

/* The wall clock in microseconds, whatever the lag. */
int64_t CClock_wallMicroseconds(void);

/* The wall clock as gettimeofday reports it to this thread now. */
int64_t CClock_seenMicroseconds(void);

#endif
