/*
 * memory.c — one place for the memory policy: the limit, what a plan holds,
 * what a factorization needs, and the sizes of the extensible structures.
 *
 * Two predictions, one limit.  The limit (zstr_options.memory_limit, default
 * 80 % of the physical memory) bounds the plan plus every factorization that
 * runs on it at the same time.
 *
 * 1. From the grid alone, before anything large is allocated
 *    (zs_mem_grid_bound).  It is a LOWER bound, so a refusal on it is never
 *    wrong:
 *    - assembly: the arrays assemble.c holds at once (zs_internal.h has the
 *      compact storage) for the branches that exist in every model of this
 *      grid (three face-neighbour branches per interior voxel pair and one CE
 *      branch per bottom voxel; internal nodes and WE branches only add to
 *      it): the upper triangle (4-byte row, 8-byte G and C values per entry:
 *      the diagonal and one entry per branch), the column starts and the
 *      column counter of the fill pass (8 + 8 bytes per node), and the CE
 *      branches' element records (32 bytes each);
 *    - the factor: nested dissection (METIS, the default ordering) eliminates a
 *      separator that splits the grid a × b × c (a >= b >= c) in two last, and
 *      its vertices form a dense triangle of L (every pair of them is joined
 *      through a half eliminated before them).  The smallest balanced
 *      separator of such a grid is about one cross-section, b·c vertices; we
 *      take half of it, s = b·c/2, as a margin for orderings that cut
 *      differently.  The bound is that triangle at 8 bytes per entry, the
 *      value of the real Cholesky factor a reduced-order sweep needs (the
 *      complex LU of a direct sweep takes at least 4 times that: twice the
 *      entries, 16 bytes each), so a grid is refused only when neither method
 *      can fit.  The true factor is 21–48
 *      times this bound on cubes of 8³–48³ with METIS and 22–79 times with
 *      AMD, 60–110 times on flat and long grids (measured with CHOLMOD's
 *      count, 2026-12-01), so the bound only refuses what cannot fit;
 *      tests/test_memory.c checks it against CHOLMOD's exact count on several
 *      shapes and both orderings.  The pencil the plan keeps is 1.09 and 1.24
 *      times the assembly bound on the paper model at 128³ and 64³ (its GB
 *      chains' internal nodes; bench/RESULTS.md, "Compact assembly").
 * 2. After the symbolic analysis, from the exact nnz(L) (zs_mem_factor_*): the
 *    final factor at 17 bytes per LU entry and the process peak while factoring
 *    at 36 bytes per entry, both measured (bench/RESULTS.md).
 */
#include "zs_internal.h"

#include <math.h>
#include <stddef.h>
#include <unistd.h>

/* measured bytes per nnz(L+U) (bench/RESULTS.md): the final factor, and the
 * process peak while factoring */
#define ZS_BYTES_PER_LU_ENTRY 17.0
#define ZS_PEAK_BYTES_PER_LU_ENTRY 36.0
/* the least any factor entry can take: the value of a real Cholesky entry,
 * the cheaper of the two methods' factors (a complex LU entry takes 16) */
#define ZS_MIN_BYTES_PER_CHOL_ENTRY 8.0

double zs_mem_physical(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || size <= 0)
        return 4.0 * 1024 * 1024 * 1024; /* unknown: assume a small machine */
    return (double)pages * (double)size;
}

double zs_mem_limit(double requested)
{
    return requested > 0.0 ? requested : 0.8 * zs_mem_physical();
}

void zs_mem_grid_bound(const int64_t n[3], double *assembly, double *factor)
{
    double nx = (double)n[0], ny = (double)n[1], nz = (double)n[2];
    double nvox = nx * ny * nz;
    double branches = (nx - 1.0) * ny * nz + nx * (ny - 1.0) * nz + nx * ny * (nz - 1.0);
    double electrode = nx * ny; /* CE branches */
    double a = (nvox + branches) * 20.0 /* Ai (int32), Gx, Cx of the upper triangle */
               + nvox * 16.0               /* Ap, and the fill pass's column counter */
               + electrode * 32.0;         /* the CE elements: node, pixel, g, c */
    /* the two smallest dimensions give the smallest cross-section */
    double lo = fmin(nx, fmin(ny, nz)), hi = fmax(nx, fmax(ny, nz));
    double mid = nx + ny + nz - lo - hi;
    double s = floor(lo * mid / 2.0);
    double lnz = s * (s + 1.0) / 2.0;
    if (assembly != NULL)
        *assembly = a;
    if (factor != NULL)
        *factor = ZS_MIN_BYTES_PER_CHOL_ENTRY * lnz;
}

double zs_mem_factor_bytes(double lu_nnz) { return ZS_BYTES_PER_LU_ENTRY * lu_nnz; }

double zs_mem_factor_peak_bytes(double lu_nnz) { return ZS_PEAK_BYTES_PER_LU_ENTRY * lu_nnz; }

/* A reduced-order sweep: one real Cholesky factor (8 bytes per entry of L
 * plus supernodal indices: 12), the basis V (kmax vectors), the port form's
 * values and pattern, and eight work vectors.  n and nnz are
 * the port form's (the pencil's plus the WE node). */
double zs_mem_mor_bytes(double lnz, double n, double nnz, double kmax)
{
    return 12.0 * lnz + 8.0 * kmax * n + 24.0 * nnz + 64.0 * n;
}

double zs_mem_pencil_bytes(const zs_pencil *p)
{
    double n = (double)p->n, nnz = (double)p->nnz;
    return (n + 1.0) * 8.0                                                      /* Ap */
           + nnz * (double)(sizeof(int32_t) + 2 * sizeof(double))             /* Ai, Gx, Cx */
           + (double)(p->elec[0].n + p->elec[1].n) * 32.0                     /* electrodes */
           + n;                                                               /* DC classes */
}

int zs_check_size(size_t given, size_t first, size_t current, const char *what,
                  zstr_error *err)
{
    if (given < first || given > current)
        return zs_error(err, ZSTR_EINVAL,
                        "%s: size is %zu; set it to sizeof(%s) = %zu (with %s_default() or "
                        "_init()): a size below %zu is an uninitialised structure, above %zu "
                        "one from a newer libzstr header",
                        what, given, what, current, what, first, current);
    return ZSTR_OK;
}

/* The iterative backend's part of a reduced-order sweep instead of the
 * Cholesky factor (petsc/backend_petsc.c): one operator on the plan's
 * pattern (its 32-bit column indices and values, 12 bytes per entry; the
 * port form itself is read from the pencil, zs_system_build_compact), the
 * multigrid hierarchy (coarse operators, prolongators, smoother data: taken
 * as three operators, ZS_ITERATIVE_HIERARCHY), the scaling and CG's vectors.
 * n and nnz are the port form's.  Measured in bench/RESULTS.md. */
#define ZS_ITERATIVE_HIERARCHY 3.0
double zs_mem_iterative_bytes(double n, double nnz)
{
    return (1.0 + ZS_ITERATIVE_HIERARCHY) * 12.0 * nnz + 96.0 * n;
}

/* ---- time: which reduced-order backend is faster ---------------------------
 *
 * Under auto, plan.c also picks the iterative backend when it is predicted
 * faster.  One shift of a reduced-order sweep is one factorization (CHOLMOD)
 * or one multigrid set-up (CG + AMG) and two solves, and both backends take
 * the same shifts (bench/RESULTS.md).  Measured on the paper model, one
 * process, one BLAS thread, both backends one after the other in one quiet
 * run (bench/RESULTS.md, "auto by speed"): a CHOLMOD shift runs its
 * analysis's flop count at 13, 18, 23 and 25 Gflop/s at 40³, 48³, 56³ and
 * 64³ (the supernodes grow with the grid), an iterative shift takes 1.7–2.2e-5
 * s per unknown (112–125 CG iterations per solve; 2.1e-5 at 100³).  Taken:
 * 25 Gflop/s, the large grids' rate, which counts small grids as faster by
 * CHOLMOD than they are (they stay direct), and 2.2e-5 s per unknown; with
 * them the predicted ratio of the two shifts is 1.60 at 64³ where 1.60 was
 * measured, 0.99 at 56³ (1.13).  Only the ratio decides: on a loaded machine
 * both rates fell (16 Gflop/s, 3.8e-5 s per unknown at 64³) and the ratio
 * moved by 12 %.  On another machine CHOLMOD gains more with BLAS threads
 * (the rule does not count them: ask for a backend to override it). */
#define ZS_DIRECT_FLOPS_PER_SECOND 25e9
#define ZS_ITERATIVE_SECONDS_PER_UNKNOWN 2.2e-5

double zs_time_direct_shift(double flops) { return flops / ZS_DIRECT_FLOPS_PER_SECOND; }

double zs_time_iterative_shift(double n) { return ZS_ITERATIVE_SECONDS_PER_UNKNOWN * n; }

/* CHOLMOD's factor of a grid's port form, estimated before any analysis.
 * Nested dissection's work and fill are dominated by its largest separators,
 * about one cross-section: with b·c the smallest cross-section (as in
 * zs_mem_grid_bound), nnz(L) ≈ 7.5 (b·c)² and the flops ≈ 5.5 (b·c)³, fitted
 * to CHOLMOD's counts with METIS on the paper model's cubes of 32³–64³ (6.7–
 * 7.8 and 4.7–5.4).  An estimate, not a bound: against CHOLMOD's count it is
 * 1.05–1.41 times on the paper model's cubes of 16³–40³, 1.2–2.9 times on
 * homogeneous cubes of 48³–16³, 0.5–0.8 on flat grids and 0.2–0.3 on a long
 * one (20 × 20 × 80, whose many equal separators it counts once)
 * (tests/test_memory.c).  plan.c uses it only to skip an analysis whose
 * outcome it already knows by a margin (10) above that over-estimate. */
void zs_grid_factor_estimate(const int64_t n[3], double *lnz, double *flops)
{
    double nx = (double)n[0], ny = (double)n[1], nz = (double)n[2];
    double lo = fmin(nx, fmin(ny, nz)), hi = fmax(nx, fmax(ny, nz));
    double s = lo * (nx + ny + nz - lo - hi);
    *lnz = 7.5 * s * s;
    *flops = 5.5 * s * s * s;
}
