/*
 * bench_clock.h — the benchmarks' wall clock, peak resident set and malloc
 * setting, in one place (header-only: each bench is one translation unit).
 */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <stdio.h>
#include <time.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* A fixed mmap threshold of 1 MiB, as the zstr program sets (cli/zstr.c):
 * freed large arrays leave the resident set at once, so the peak RSS is the
 * live data's and not glibc's growing dynamic threshold's heap. */
static inline void bench_fix_mmap_threshold(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

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
