/*
 * series.h — series of runs for the zstr program: how --set lists make
 * members (paired or a grid), the summary table (stdout and CSV), the check
 * of a map's realised contact fraction and the predicted time of a sweep
 * (the program's own module; not part of the library's API).
 *
 * Pairing.  Lists of equal length N make N members, the k-th value of every
 * list going to member k; a single value applies to every member.
 * Grid (--grid).  Every combination: members = product of the list lengths,
 * the first list varying slowest (nested loops in the order given), so
 * member k takes value (k / stride_i) mod n_i of list i with stride_i the
 * product of the lengths of the later lists.  Pairing is the same formula
 * with every stride 1 and n_i ∈ {1, N}.
 */
#ifndef ZSTR_CLI_SERIES_H
#define ZSTR_CLI_SERIES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Members of a series of ns lists of lengths n[i] >= 1, paired (grid == 0)
 * or every combination (grid != 0), at most max_members.  Fills stride[i].
 * Returns 0 with *members set, or -1 with a one-line usage reason in why
 * (lists of different lengths when paired; too many members). */
int zr_layout(int ns, const int *n, int grid, int max_members, int *members, int *stride,
              char *why, size_t nwhy);

/* Index into list i (length n, stride from zr_layout) of member k. */
int zr_index(int n, int stride, int k);

/* The realised contact fraction of a map may differ from the request by
 * whole pixels (a square's side, a frame's width).  It differs "too much"
 * when |realised − requested| > ZR_CONTACT_RTOL · requested: 5 % of the
 * request, the size of the effects the paper reads off (slopes of log R vs
 * log A).  A request of 0 must be met exactly. */
#define ZR_CONTACT_RTOL 0.05
int zr_contact_differs(double requested, double realised);

/* Predicted wall time of a sweep of nf frequencies on `threads` threads when
 * one frequency takes per_frequency seconds: the busiest thread computes
 * ceil(nf / threads) of them (the sweep hands out frequencies one by one). */
double zr_sweep_seconds(double per_frequency, int64_t nf, int threads);

/* zstr info's estimate of a whole sweep: the time (zr_sweep_seconds) and the
 * peak memory, peak_bytes per thread (zstr_plan_info.predicted_peak_bytes)
 * times threads plus plan_bytes held once.  Printed as two indented lines. */
void zr_print_estimate(FILE *to, double per_frequency, int64_t nf, int threads, double peak_bytes,
                       double plan_bytes);

/* One member's line of the summary table. */
typedef struct zr_row {
    int open;                  /* open circuit: R_DC infinite */
    double rdc;                /* R_DC [Ω] */
    double area_cm2;           /* electrode area [cm²] */
    double fraction;           /* realised WE contact fraction */
    const char *label;         /* "path=value, ..." for stdout */
    const char *const *values; /* one value per --set path, for the CSV */
    const char *method;        /* the method that ran ("direct", "mor"), or NULL */
    long long factorizations;  /* complex LUs or real Choleskys */
    double estimate;           /* MOR: max estimated relative error (0: direct) */
    long long recomputed;      /* MOR: frequencies recomputed by complex LU */
    int restamped;             /* the member reused the previous member's plan */
    const char *backend;       /* MOR's real solver: "direct" (CHOLMOD), "iterative"
                                  (PETSc), or "-" for the direct method */
    long long iterations;      /* the iterative backend's Krylov iterations (else 0) */
} zr_row;

/* The table as text (member, R_DC_Ohm, R_DC_Ohm_cm2, contact, method and its
 * figures, parameters). */
void zr_summary_print(FILE *to, const zr_row *rows, int n);

/* The table as CSV, one column per --set path after member, R_DC_Ohm,
 * R_DC_Ohm_cm2, contact_fraction, method, factorizations, max_estimate,
 * recomputed, backend and iterations; open circuits as inf; numbers as
 * %.17g under the C locale; a value holding '"' or ',' is quoted.  Written
 * atomically (outfile.c).  Returns 0, or -1 with a message naming the path. */
int zr_summary_write_csv(const char *path, int npaths, const char *const *paths,
                         const zr_row *rows, int n, char *msg, size_t msgsize);

/* 0 when path can be written (its folder exists and is writable, path is
 * not a folder), else -1 with a message naming it; nothing is left behind. */
int zr_check_writable(const char *path, char *msg, size_t msgsize);

#endif
