/*
 * clock — time readings every layer uses: monotonic microseconds for
 * latencies, wall-clock for timestamps. Any thread.
 */
#ifndef CRUDD_CLOCK_H
#define CRUDD_CLOCK_H

#include <stdint.h>

/* Microseconds on CLOCK_MONOTONIC (for durations; not a date). */
uint64_t clock_now_us(void);

/* Seconds since the Unix epoch on CLOCK_REALTIME, with a fraction. */
double clock_epoch_seconds(void);

#endif
