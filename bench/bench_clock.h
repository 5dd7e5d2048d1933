/*
 * bench_clock.h — the benchmarks' wall clock and peak resident set, in one
 * place (header-only: each bench is one translation unit).
 */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <stdio.h>
#include <time.h>

/* Seconds from a monotonic clock. */
static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The process's peak resident set so far (VmHWM, Linux) in MiB; -1 if unknown. */
static inline double bench_vm_hwm_mib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1.0;
    char line[256];
    double kib = -1.0;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %lf kB", &kib) == 1)
            break;
    fclose(f);
    return kib < 0.0 ? -1.0 : kib / 1024.0;
}

#endif
