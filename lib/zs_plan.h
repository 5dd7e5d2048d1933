/*
 * zs_plan.h — the plan and workspace objects (library-internal; no solver
 * header: the solvers are behind the backend table).
 *
 * A plan owns the pencil (pattern, G, C, element→slot map, port) and the
 * direct solver: a complex backend of the table (zs_backend.h, UMFPACK) with
 * its symbolic analysis of the pattern, made without values so it holds for
 * every frequency.  A backend's factor leaves the symbolic object untouched, so
 * threads share it; each workspace owns its numeric object and solve buffers.
 */
#ifndef ZS_PLAN_H
#define ZS_PLAN_H

#include "zs_backend.h"
#include "zs_internal.h"

#define ZS_MAX_SOLVER_STATS 8

struct zstr_plan {
    zs_pencil p;
    /* the direct (per-frequency) solver: a complex backend, its symbolic
     * analysis, and the eliminated pencil as the system it factors (the
     * arrays are p's, borrowed; no port node: port = −1) */
    const zs_backend *direct_ops;
    void *direct_sym;
    zs_system direct_sys;
    zstr_plan_info info;
    double memory_limit; /* bytes all concurrent factorizations may use */
    int64_t n[3];        /* grid, for fields */
    double h[3];
    double ws_bytes;     /* predicted peak bytes of one execute (workspace + factor) */
    /* the backend's own figures, by name (zstr_plan_solver_stat) */
    int nstats;
    const char *stat_name[ZS_MAX_SOLVER_STATS];
    double stat_value[ZS_MAX_SOLVER_STATS];
};

struct zstr_workspace {
    const zstr_plan *plan;
    void *num;     /* the direct backend's factorization at the last frequency */
    double *x, *b; /* 2·n each: the solution, the right-hand side or residual */
    double *d;     /* 2·n: a refinement correction */
    int have_solution;
    double omega;    /* ω of the last solve */
    double z[2];     /* Z of the last solve (what zstr_execute returned) */
    double estimate; /* its estimated relative error (execute.c's refine) */
    zstr_factor_info last;
};

/* CHOLMOD analysis of the plan's pattern: predicted nnz(L) of the real
 * Cholesky factor for the given ordering (solver_cholmod.c). */
int zs_cholmod_predict_lnz(const zs_pencil *p, int ordering, double *lnz, zstr_error *err);

#endif
