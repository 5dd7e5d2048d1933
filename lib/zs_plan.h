/*
 * zs_plan.h — the plan and workspace objects (library-internal; includes
 * SuiteSparse headers, which the public header never does).
 *
 * A plan owns the pencil (pattern, G, C, element→slot map, port), one
 * UMFPACK symbolic analysis of the pattern and one CHOLMOD symbolic analysis
 * of the port form's pattern, both made without values so they hold for every
 * frequency, every shift and every re-stamp (zstr_plan_restamp replaces the
 * pencil by one of the same pattern).  UMFPACK documents that
 * umfpack_*_numeric does not modify the Symbolic object, and CHOLMOD's shifts
 * copy theirs, so threads share both; each workspace owns its values, Numeric
 * object and solve buffers.  The one mutable part is the DC cache, under its
 * own lock.
 */
#ifndef ZS_PLAN_H
#define ZS_PLAN_H

#include "zs_internal.h"

#include <pthread.h>
#include <umfpack.h>

_Static_assert(sizeof(SuiteSparse_long) == sizeof(int64_t),
               "libzstr needs SuiteSparse_long to be 64 bits");

#define ZS_MAX_SOLVER_STATS 8

struct zstr_plan {
    zs_pencil p;
    void *symbolic;
    double control[UMFPACK_CONTROL];
    zstr_plan_info info;
    double unit_bytes;   /* sizeof(Unit) in UMFPACK's memory accounting */
    double memory_limit; /* bytes all concurrent factorizations may use */
    int64_t n[3];        /* grid, for fields */
    double h[3];
    double ws_bytes;     /* predicted peak bytes of one execute (workspace + factor) */
    /* the backend's own figures, by name (zstr_plan_solver_stat) */
    int nstats;
    const char *stat_name[ZS_MAX_SOLVER_STATS];
    double stat_value[ZS_MAX_SOLVER_STATS];
    /* The reduced-order sweeps' real backend and its one symbolic analysis of
     * the port form's pattern (ordering and supernodes, no values), made at plan
     * creation and shared read-only by every zstr_rom_create on the plan: the
     * shifts copy it (backend_cholmod.c), so METIS runs once per plan.  NULL
     * when the WE has no branch (no port form; zstr_rom_create refuses). */
    const struct zs_backend *mor_backend;
    void *mor_symbolic;
    /* DC: solved at the first zstr_dc_resistance and kept, so a run that asks
     * for R_DC several times (the sweep's f = 0, the file header) analyses and
     * factors the DC network once.  The plan is otherwise read-only, so the
     * cache has its own lock; zstr_plan_restamp clears it. */
    pthread_mutex_t dc_lock;
    int dc_state; /* 0: not solved yet; 1: dc_rc, dc and dc_err hold the answer */
    int dc_rc;
    zstr_dc_result dc;
    zstr_error dc_err;
};

struct zstr_workspace {
    const zstr_plan *plan;
    double *Yx;    /* 2·nnz interleaved complex values of Y(jω) */
    double *x, *b; /* 2·n each: the solution, the right-hand side or residual */
    double *d;     /* 2·n: a refinement correction */
    SuiteSparse_long *Wi;
    double *W;
    void *numeric;
    int have_solution;
    double omega; /* ω of the last solve */
    zstr_factor_info last;
};

/* CHOLMOD analysis of the plan's pattern: predicted nnz(L) of the real
 * Cholesky factor for the given ordering (solver_cholmod.c). */
int zs_cholmod_predict_lnz(const zs_pencil *p, int ordering, double *lnz, zstr_error *err);

#endif
