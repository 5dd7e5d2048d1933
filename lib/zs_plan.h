/*
 * zs_plan.h — the plan and workspace objects (library-internal; no solver
 * header: the solvers are behind the backend table).
 *
 * A plan owns the pencil (one triangle of G and C and the electrode elements,
 * zs_internal.h), the direct solver — a complex backend of the table
 * (zs_backend.h, UMFPACK) with its symbolic analysis of the pattern, made at
 * the first workspace when a complex LU fits — and one real backend's analysis
 * of the port form's pattern for the reduced-order sweeps (CHOLMOD's, or the
 * iterative backend's AMG-ready pattern: zstr_options.backend), all made without values so
 * they hold for every frequency, every shift and every re-stamp
 * (zstr_plan_restamp replaces the pencil by one of the same pattern).  A
 * backend's factor leaves the symbolic object untouched (CHOLMOD's shifts copy
 * theirs), so threads share them; each workspace owns its numeric object and
 * solve buffers.  The mutable parts are the DC cache and the direct solver's
 * part, made on first use, each under its own lock.
 */
#ifndef ZS_PLAN_H
#define ZS_PLAN_H

#include "zs_backend.h"
#include "zs_internal.h"

#include <pthread.h>

#define ZS_MAX_SOLVER_STATS 12

struct zstr_plan {
    zs_pencil p;
    /* the direct (per-frequency) solver: a complex backend, its symbolic
     * analysis, and the eliminated pencil with both triangles as the system
     * it factors (its own copy: the pencil keeps one triangle; no port node:
     * port = −1).  Made at the first workspace, and only when a complex LU
     * fits the memory limit (info.direct_fits); until then direct_sym is NULL
     * and direct_sys empty. */
    const zs_backend *direct_ops;
    void *direct_sym;
    zs_system direct_sys;
    /* The direct part is made at the first workspace (zs_plan_direct_ready)
     * under this lock, so a plan used for reduced-order sweeps alone never
     * holds it; get_info and solver_stat read under it too. */
    pthread_mutex_t direct_lock;
    int direct_made;
    zstr_plan_info info;
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
    int backend_requested; /* zstr_options.backend (zstr_sweep refuses a direct
                              sweep on a plan that asked for ITERATIVE) */
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
    void *num;     /* the direct backend's factorization at the last frequency */
    double *x, *b; /* 2·n each: the solution, the right-hand side or residual */
    double *d;     /* 2·n: a refinement correction */
    int have_solution;
    double omega;    /* ω of the last solve */
    double z[2];     /* Z of the last solve (what zstr_execute returned) */
    double estimate; /* its estimated relative error (execute.c's refine) */
    zstr_factor_info last;
};

/* Make the direct solver's system and symbolic analysis if they are not yet
 * made (thread-safe; a no-op when no complex LU fits: executes refuse then). */
int zs_plan_direct_ready(const zstr_plan *plan, zstr_error *err);

/* Under auto: whether the iterative backend is taken for speed, given the
 * predicted seconds of one shift by each backend (memory.c): when CHOLMOD's
 * is more than margin times the iterative one, both finite (plan.c). */
int zs_auto_prefers_iterative(double direct_seconds, double iterative_seconds, double margin);

/* CHOLMOD analysis of the plan's pattern: predicted nnz(L) of the real
 * Cholesky factor for the given ordering and the flops of its numeric
 * factorization (solver_cholmod.c). */
int zs_cholmod_predict_lnz(const zs_pencil *p, int ordering, double *lnz, double *flops,
                           zstr_error *err);

#endif
