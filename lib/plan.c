/*
 * plan.c — zstr_plan: assemble the pencil, analyse its pattern once, predict
 * the factor memory and refuse what would not fit.
 *
 * Memory (memory.c has the policy and its evidence).  Before assembly the grid
 * alone gives a lower bound of assembly plus one factor; a model that cannot
 * fit is refused before anything large is allocated.  After assembly,
 * CHOLMOD's symbolic analysis counts nnz(L) of the real Cholesky factor of the
 * same pattern with the same ordering; the complex LU of UMFPACK's symmetric
 * strategy has nnz(L+U) = 2·nnz(L) − n (measured exact from 16³ to 80³, both
 * orderings), so the peak of one factorization is known before it is made, and
 * the plan plus one factorization must fit the limit.  UMFPACK's own estimate
 * is 20–37 times the real factor on these grids; it is reported among the
 * backend's figures (zstr_plan_solver_stat) but not used to refuse.
 */
#include "zs_backend.h"
#include "zs_plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the default ordering, chosen by benchmark (bench/RESULTS.md) */
#define ZS_DEFAULT_ORDERING ZSTR_ORDERING_METIS
#define ZS_OPTIONS_FIRST ZS_SIZE_UPTO(zstr_options, memory_limit)
#define ZS_PLAN_INFO_FIRST ZS_SIZE_UPTO(zstr_plan_info, max_threads)

void zstr_options_default(zstr_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->ordering = ZSTR_ORDERING_DEFAULT;
    o->memory_limit = 0.0;
    o->backend = ZSTR_BACKEND_AUTO;
    o->backend_options = NULL;
}

int zstr_backend_available(int backend)
{
    return backend == ZSTR_BACKEND_AUTO || backend == ZSTR_BACKEND_DIRECT ||
           (backend == ZSTR_BACKEND_ITERATIVE && zs_backend_iterative() != NULL);
}

void zstr_plan_info_init(zstr_plan_info *info)
{
    if (info == NULL)
        return;
    memset(info, 0, sizeof *info);
    info->size = sizeof *info;
}

/* Read the caller's options: the fields its size covers, defaults beyond. */
static int read_options(const zstr_options *opt, zstr_options *o, zstr_error *err)
{
    zstr_options_default(o);
    if (opt == NULL)
        return ZSTR_OK;
    int rc = zs_check_size(opt->size, ZS_OPTIONS_FIRST, sizeof *o, "zstr_options", err);
    if (rc != ZSTR_OK)
        return rc;
    memcpy(o, opt, opt->size);
    if (o->ordering < ZSTR_ORDERING_DEFAULT || o->ordering > ZSTR_ORDERING_METIS)
        return zs_error(err, ZSTR_EINVAL, "zstr_plan_create: unknown ordering %d", o->ordering);
    if (!isfinite(o->memory_limit) || o->memory_limit < 0.0)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_plan_create: memory_limit %g bytes must be finite and >= 0",
                        o->memory_limit);
    if (o->backend < ZSTR_BACKEND_AUTO || o->backend > ZSTR_BACKEND_ITERATIVE)
        return zs_error(err, ZSTR_EINVAL, "zstr_plan_create: unknown backend %d", o->backend);
    if (!zstr_backend_available(o->backend))
        return zs_error(err, ZSTR_EUNSUPPORTED,
                        "zstr_plan_create: this libzstr has no iterative backend; link "
                        "libzstr-mpi (pkg-config libzstr-mpi), which has PETSc's");
    return ZSTR_OK;
}

/* Refuse from the grid alone, before assembly allocates anything large. */
static int check_grid_memory(const int64_t n[3], double limit, int with_model, double *bytes,
                             zstr_error *err)
{
    double assembly = 0.0, factor = 0.0;
    zs_mem_grid_bound(n, &assembly, &factor);
    /* the model's labels, when the model does not exist yet */
    double model = with_model ? 4.0 * (double)n[0] * (double)n[1] * (double)n[2] : 0.0;
    double need = model + assembly + factor;
    if (bytes != NULL)
        *bytes = need;
    if (need <= limit)
        return ZSTR_OK;
    return zs_error(err, ZSTR_EMEMLIMIT,
                    "a %lld x %lld x %lld grid needs at least %.3g GB (model %.3g GB, assembly "
                    "%.3g GB, one factorization %.3g GB), more than the %.3g GB allowed; "
                    "refused before assembly",
                    (long long)n[0], (long long)n[1], (long long)n[2], need / 1e9, model / 1e9,
                    assembly / 1e9, factor / 1e9, limit / 1e9);
}

int zstr_plan_check_grid(const int64_t n[3], const zstr_options *opt, double *bytes,
                         zstr_error *err)
{
    zs_error_clear(err);
    if (n == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_plan_check_grid: n is NULL");
    for (int d = 0; d < 3; d++)
        if (n[d] < 1)
            return zs_error(err, ZSTR_EINVAL, "zstr_plan_check_grid: n[%d] = %lld must be >= 1",
                            d, (long long)n[d]);
    zstr_options o;
    int rc = read_options(opt, &o, err);
    if (rc != ZSTR_OK)
        return rc;
    return check_grid_memory(n, zs_mem_limit(o.memory_limit), 1, bytes, err);
}

/* The plan and one factorization at its peak must fit the limit together:
 * the complex LU of a direct sweep, or else a reduced-order sweep's real
 * Cholesky and basis (then direct executes are refused, MOR still runs). */
static int check_fit(zstr_plan *plan, double lu_nnz, double direct_extra, double limit,
                     zstr_error *err)
{
    zstr_plan_info *in = &plan->info;
    /* direct_extra: what the direct solver adds to the plan before it is made */
    in->direct_fits = in->plan_bytes + direct_extra + plan->ws_bytes <= limit;
    if (in->direct_fits || in->plan_bytes + in->predicted_mor_bytes <= limit)
        return ZSTR_OK;
    return zs_error(err, ZSTR_EMEMLIMIT,
                    "the plan (%.3g GB) and one factorization of %lld unknowns need %.3g GB by "
                    "complex LU (%.3g GB at its peak, predicted nnz(L+U) = %.3g) and %.3g GB by "
                    "the reduced-order method, more than the %.3g GB allowed",
                    in->plan_bytes / 1e9, (long long)in->n_unknowns,
                    (in->plan_bytes + plan->ws_bytes) / 1e9, plan->ws_bytes / 1e9, lu_nnz,
                    (in->plan_bytes + in->predicted_mor_bytes) / 1e9, limit / 1e9);
}

static void add_stat(zstr_plan *plan, const char *name, double value)
{
    if (plan->nstats < ZS_MAX_SOLVER_STATS) {
        plan->stat_name[plan->nstats] = name;
        plan->stat_value[plan->nstats] = value;
        plan->nstats++;
    }
}

/* What the plan's info says of the model and its network (not of the solvers):
 * set at creation and again by zstr_plan_restamp. */
static void describe_model(zstr_plan *plan, const zstr_model *m)
{
    const zs_pencil *p = &plan->p;
    zstr_plan_info *in = &plan->info;
    for (int d = 0; d < 3; d++) {
        plan->n[d] = m->n[d];
        plan->h[d] = m->h[d];
    }
    in->n_voxels = p->nvox;
    in->n_internal = p->ninternal;
    in->n_unknowns = p->n;
    in->nnz = 2 * p->nnz - p->n; /* both triangles, as the header says */
    in->n_branches = p->nelem;
    in->n_floating = p->n_floating;
    in->n_isolated_dc = p->n_isolated_dc;
    in->open_circuit = p->open_circuit;
    in->area = (double)m->n[0] * m->h[0] * (double)m->n[1] * m->h[1];
    in->thickness = (double)m->n[2] * m->h[2];
    in->temperature = m->temperature;
    in->contact_fraction[ZSTR_WE] = zstr_model_contact_fraction(m, ZSTR_WE);
    in->contact_fraction[ZSTR_CE] = zstr_model_contact_fraction(m, ZSTR_CE);
}

/* Whether the plan's port form exists (both electrodes have elements): the
 * reduced-order sweeps need it. */
static int has_port(const zstr_plan *plan)
{
    return plan->p.elec[ZSTR_WE].n > 0 && plan->p.elec[ZSTR_CE].n > 0;
}

/* The real Cholesky side of the plan: CHOLMOD's analysis of the port form's
 * pattern, kept for every reduced-order sweep, and its nnz(L), from which the
 * memory of both methods is predicted.  The port form is the eliminated
 * pattern plus the WE node, so its nnz(L) bounds the eliminated form's from
 * above (by the WE's row).  Without a WE branch there is no port form: the
 * eliminated pattern is counted instead and no symbolic object is kept.  The
 * port form's electrode (port.c) follows from the values, so a re-stamp keeps
 * the analysis only when both electrodes touch the same nodes. */
static int analyse_real(zstr_plan *plan, int ordering, double *lnz, double *flops, zstr_error *err)
{
    if (!has_port(plan))
        return zs_cholmod_predict_lnz(&plan->p, ordering, lnz, flops, err);
    /* the pattern's upper triangle is all CHOLMOD's analysis reads */
    zs_system sys;
    int rc = zs_system_build_pattern(&plan->p, ZS_PORT_AUTO, &sys, err);
    if (rc == ZSTR_OK)
        rc = zs_backend_cholmod.analyse(&sys, ordering, &plan->mor_symbolic, err);
    if (rc == ZSTR_OK) {
        const char *name;
        plan->mor_backend = &zs_backend_cholmod;
        zs_backend_cholmod.stat(plan->mor_symbolic, NULL, 0, &name, lnz);
        zs_backend_cholmod.stat(plan->mor_symbolic, NULL, 1, &name, flops);
    }
    zs_system_free(&sys);
    return rc;
}

/* Under auto, the iterative backend is taken for speed when its shift is
 * predicted at least this many times faster than CHOLMOD's (memory.c has the
 * rates): near the crossing, where the two are within the rates' scatter,
 * CHOLMOD's exact factor stays. */
#define ZS_AUTO_SPEED_MARGIN 1.5
/* ... and CHOLMOD's analysis is not even made when the grid's estimate says
 * the iterative shift is this many times faster and a complex LU would not fit
 * (what the analysis would tell is then known: memory.c's estimate
 * over-states CHOLMOD's count by at most 3 times on the grids measured). */
#define ZS_AUTO_SKIP_MARGIN 10.0

int zs_auto_prefers_iterative(double direct_seconds, double iterative_seconds, double margin)
{
    return isfinite(direct_seconds) && isfinite(iterative_seconds) && iterative_seconds >= 0.0 &&
           direct_seconds > margin * iterative_seconds;
}

/* Under auto, with an iterative backend built and a port form: whether the
 * grid alone settles the choice for the iterative backend, so that CHOLMOD's
 * analysis (minutes and GBs at 200³) is skipped.  Both must hold: the
 * estimated CHOLMOD shift is ZS_AUTO_SKIP_MARGIN times the iterative one, and
 * the estimated complex LU does not fit beside the pencil (so no direct
 * execute is lost that the analysis would have allowed).  *lu_nnz receives
 * the estimated nnz(L+U), which then stands for the analysis's count. */
static int auto_skips_analysis(const zstr_plan *plan, const zstr_options *o, double limit,
                               double *lu_nnz)
{
    *lu_nnz = 0.0;
    if (o->backend != ZSTR_BACKEND_AUTO || zs_backend_iterative() == NULL || !has_port(plan))
        return 0;
    double lnz, flops;
    zs_grid_factor_estimate(plan->n, &lnz, &flops);
    double n = (double)plan->p.n;
    double lu = 2.0 * lnz - n > n ? 2.0 * lnz - n : n;
    int skip = zs_auto_prefers_iterative(zs_time_direct_shift(flops),
                                         zs_time_iterative_shift(n + 1.0), ZS_AUTO_SKIP_MARGIN) &&
               zs_mem_pencil_bytes(&plan->p) + zs_mem_factor_peak_bytes(lu) > limit;
    if (skip)
        *lu_nnz = lu;
    return skip;
}

/* The reduced-order sweeps' backend.  Under auto, CHOLMOD's analysis is made
 * first (analyse_real: its nnz(L) predicts the memory of both methods, its
 * flops the time) and the iterative backend replaces it, when this build has
 * one, if CHOLMOD's factor and the basis would not fit the limit beside the
 * plan or if the iterative shift is predicted ZS_AUTO_SPEED_MARGIN times
 * faster; without the analysis (auto_skips_analysis) the iterative backend is
 * taken.  Asked for by the options, the iterative backend is the only
 * analysis made (zstr_plan_create).  Its prediction then replaces CHOLMOD's.
 * Under auto both predicted shift times are the plan's figures. */
static int choose_mor_backend(zstr_plan *plan, const zstr_options *o, int ordering, double limit,
                              int analysed, double flops, zstr_error *err)
{
    zstr_plan_info *in = &plan->info;
    const zs_backend *iter = zs_backend_iterative();
    plan->backend_requested = o->backend;
    in->backend = ZSTR_BACKEND_DIRECT;
    const double n_port = (double)plan->p.n + 1.0;
    int faster = 0;
    if (o->backend == ZSTR_BACKEND_AUTO && iter != NULL && has_port(plan) && analysed) {
        double td = zs_time_direct_shift(flops), ti = zs_time_iterative_shift(n_port);
        faster = zs_auto_prefers_iterative(td, ti, ZS_AUTO_SPEED_MARGIN);
        add_stat(plan, "auto.direct_shift_seconds", td);
        add_stat(plan, "auto.iterative_shift_seconds", ti);
    }
    int want = o->backend == ZSTR_BACKEND_ITERATIVE ||
               (o->backend == ZSTR_BACKEND_AUTO && iter != NULL &&
                (!analysed || faster || in->plan_bytes + in->predicted_mor_bytes > limit));
    if (!has_port(plan) || !want || iter == NULL)
        return ZSTR_OK; /* no port form (no reduced-order sweep), or CHOLMOD */
    zs_system sys;
    void *sym = NULL;
    int rc = zs_system_build_compact(&plan->p, ZS_PORT_AUTO, &sys, err);
    if (rc == ZSTR_OK) {
        sys.backend_options = o->backend_options;
        rc = iter->analyse(&sys, ordering, &sym, err);
    }
    if (rc == ZSTR_OK) {
        if (plan->mor_backend != NULL)
            plan->mor_backend->free_symbolic(plan->mor_symbolic);
        plan->mor_backend = iter;
        plan->mor_symbolic = sym;
        in->backend = ZSTR_BACKEND_ITERATIVE;
        in->predicted_mor_bytes = zs_mem_mor_bytes(0.0, (double)sys.n, 0.0, 60.0) +
                                  zs_mem_iterative_bytes((double)sys.n, (double)sys.nnz);
    }
    zs_system_free(&sys);
    return rc;
}

/* Value of the backend figure called name for the symbolic object alone (0
 * when the backend has none of that name). */
static double backend_stat(const zs_backend *ops, const void *sym, const char *name)
{
    const char *nm;
    double v;
    for (int k = 0; ops->stat(sym, NULL, k, &nm, &v) == ZSTR_OK; k++)
        if (strcmp(nm, name) == 0)
            return v;
    return 0.0;
}

/* The direct solver: both triangles of the pencil (the complex backend takes
 * no single triangle) and the backend's symbolic analysis of that pattern (no
 * values: it holds for every frequency), their size added to the plan.  Made
 * only when a direct solve fits the memory limit: otherwise executes are
 * refused and the reduced-order sweep needs neither. */
static int analyse_direct(zstr_plan *plan, int ordering, zstr_error *err)
{
    const zs_pencil *p = &plan->p;
    zstr_plan_info *in = &plan->info;
    plan->direct_ops = &zs_backend_umfpack;
    int rc0 = zs_system_build(p, ZS_PORT_NONE, &plan->direct_sys, err);
    if (rc0 != ZSTR_OK)
        return rc0;
    in->direct_bytes = 8.0 * (double)(plan->direct_sys.n + 1) + 24.0 * (double)plan->direct_sys.nnz;
    in->plan_bytes += in->direct_bytes;
    double t0 = zs_wall_seconds();
    int rc = plan->direct_ops->analyse(&plan->direct_sys, ordering, &plan->direct_sym, err);
    double seconds = zs_wall_seconds() - t0;
    if (rc != ZSTR_OK) {
        if (rc == ZSTR_ENOMEM)
            return zs_error(err, rc, "out of memory in the symbolic analysis of %lld unknowns",
                            (long long)p->n);
        return rc;
    }
    double sym_bytes = backend_stat(plan->direct_ops, plan->direct_sym, "umfpack.symbolic_bytes");
    in->direct_bytes += sym_bytes;
    in->plan_bytes += sym_bytes;
    add_stat(plan, "umfpack.estimate_bytes",
             backend_stat(plan->direct_ops, plan->direct_sym, "umfpack.estimate_bytes"));
    add_stat(plan, "umfpack.symbolic_bytes", sym_bytes);
    add_stat(plan, "umfpack.symbolic_seconds", seconds);
    return ZSTR_OK;
}

int zs_plan_direct_ready(const zstr_plan *plan, zstr_error *err)
{
    zstr_plan *mp = (zstr_plan *)plan; /* the lazily made part: see zs_plan.h */
    int rc = ZSTR_OK;
    pthread_mutex_lock(&mp->direct_lock);
    if (!mp->direct_made && mp->info.direct_fits) {
        double before = mp->info.plan_bytes;
        rc = analyse_direct(mp, mp->info.ordering, err);
        if (rc == ZSTR_OK) {
            mp->direct_made = 1;
        } else {
            mp->direct_ops->free_symbolic(mp->direct_sym);
            mp->direct_sym = NULL;
            zs_system_free(&mp->direct_sys);
            mp->info.plan_bytes = before;
            mp->info.direct_bytes = 0.0;
        }
    }
    pthread_mutex_unlock(&mp->direct_lock);
    return rc;
}

int zstr_plan_create(const zstr_model *m, const zstr_options *opt, zstr_plan **out,
                     zstr_error *err)
{
    zs_error_clear(err);
    if (out == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_plan_create: out is NULL");
    *out = NULL;
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_plan_create: model is NULL");
    zstr_options o;
    int rc = read_options(opt, &o, err);
    if (rc != ZSTR_OK)
        return rc;
    int ordering = o.ordering == ZSTR_ORDERING_DEFAULT ? ZS_DEFAULT_ORDERING : o.ordering;
    double limit = zs_mem_limit(o.memory_limit);

    rc = zs_model_whole(m, "zstr_plan_create", err);
    if (rc == ZSTR_OK)
        rc = zs_model_validate(m, err);
    if (rc != ZSTR_OK)
        return rc;
    rc = check_grid_memory(m->n, limit, 0, NULL, err);
    if (rc != ZSTR_OK)
        return rc;
    zstr_plan *plan = calloc(1, sizeof *plan);
    if (plan == NULL)
        return zs_error(err, ZSTR_ENOMEM, "zstr_plan_create: out of memory");
    if (pthread_mutex_init(&plan->dc_lock, NULL) != 0) {
        free(plan);
        return zs_error(err, ZSTR_ETHREAD, "zstr_plan_create: could not create a mutex");
    }
    if (pthread_mutex_init(&plan->direct_lock, NULL) != 0) {
        pthread_mutex_destroy(&plan->dc_lock);
        free(plan);
        return zs_error(err, ZSTR_ETHREAD, "zstr_plan_create: could not create a mutex");
    }
    rc = zs_pencil_build(m, &plan->p, err);
    if (rc != ZSTR_OK) {
        pthread_mutex_destroy(&plan->direct_lock);
        pthread_mutex_destroy(&plan->dc_lock);
        free(plan);
        if (rc == ZSTR_ENOMEM && err != NULL) {
            double assembly = 0.0;
            zs_mem_grid_bound(m->n, &assembly, NULL);
            zs_error(err, rc, "out of memory while assembling the network: at least %.3g GB "
                              "needed", assembly / 1e9);
        }
        return rc;
    }
    zs_pencil *p = &plan->p;
    zstr_plan_info *in = &plan->info;
    describe_model(plan, m);
    in->ordering = ordering;

    /* Asked for the iterative backend, the plan makes no Cholesky analysis at
     * all (at 200³ METIS and CHOLMOD's analysis alone take minutes and GBs):
     * nothing predicts a factor then, so direct solves are refused on it
     * (make another plan for them) and only reduced-order sweeps run.  Under
     * auto the analysis is skipped too when the grid settles the choice
     * (auto_skips_analysis); direct executes are refused then with the
     * estimated LU, which does not fit. */
    double lu_estimate;
    const int skipped = auto_skips_analysis(plan, &o, limit, &lu_estimate);
    if (skipped)
        add_stat(plan, "auto.estimated_lu_nnz", lu_estimate);
    const int factors = o.backend != ZSTR_BACKEND_ITERATIVE && !skipped;
    double lnz = 0.0, flops = 0.0;
    double t0 = zs_wall_seconds();
    rc = factors ? analyse_real(plan, ordering, &lnz, &flops, err) : ZSTR_OK;
    in->analysis_seconds = zs_wall_seconds() - t0;
    if (rc != ZSTR_OK)
        goto fail;
    double lu_nnz = factors ? 2.0 * lnz - (double)p->n : lu_estimate;
    /* a workspace adds Y's values and solve buffers: 16·nnz + 16·14·n bytes
     * (nnz of both triangles, as the direct solver stores them) */
    const double nnz_full = 2.0 * (double)p->nnz - (double)p->n;
    double ws_bytes = 16.0 * nnz_full + 16.0 * 14.0 * (double)p->n;
    int64_t nel = p->elec[0].n > p->elec[1].n ? p->elec[0].n : p->elec[1].n;
    double port_nnz = nnz_full + 2.0 * (double)nel + 1.0;
    in->predicted_bytes = zs_mem_factor_bytes(lu_nnz);
    in->predicted_peak_bytes = zs_mem_factor_peak_bytes(lu_nnz) + ws_bytes;
    in->pencil_bytes = zs_mem_pencil_bytes(p);
    in->mor_bytes = plan->mor_backend != NULL
                        ? backend_stat(plan->mor_backend, plan->mor_symbolic,
                                       "cholmod.symbolic_bytes")
                        : 0.0;
    in->plan_bytes = in->pencil_bytes + in->mor_bytes;
    /* the default reduced model: 30 shifts of 2 moments (zstr_rom_options) */
    in->predicted_mor_bytes = zs_mem_mor_bytes(lnz, (double)p->n + 1.0,
                                               port_nnz,
                                               60.0);
    in->memory_limit = limit;
    if (factors) {
        add_stat(plan, "cholmod.predicted_l_nnz", lnz);
        add_stat(plan, "cholmod.predicted_flops", flops);
        add_stat(plan, "cholmod.symbolic_bytes", in->mor_bytes);
        add_stat(plan, "umfpack.predicted_lu_nnz", lu_nnz);
    }
    plan->memory_limit = limit;
    plan->ws_bytes = in->predicted_peak_bytes;
    if (!factors && !skipped) {
        in->predicted_bytes = in->predicted_peak_bytes = 0.0;
        plan->ws_bytes = INFINITY; /* no complex LU: direct_fits stays 0 */
    }
    rc = choose_mor_backend(plan, &o, ordering, limit, factors, flops, err);
    if (rc != ZSTR_OK)
        goto fail;
    if (in->backend == ZSTR_BACKEND_ITERATIVE) {
        /* the iterative backend's symbolic object: the port form's pattern
         * as PETSc's 32-bit row starts and columns (no values) */
        in->mor_bytes = backend_stat(plan->mor_backend, plan->mor_symbolic,
                                     "petsc.pattern_bytes");
        in->plan_bytes = in->pencil_bytes + in->mor_bytes;
    }
    /* the direct solver's part is counted before it is made (direct_extra) */
    rc = check_fit(plan, lu_nnz, 8.0 * ((double)p->n + 1.0) + 24.0 * nnz_full, limit, err);
    if (rc != ZSTR_OK)
        goto fail;

    /* the direct solver's part is made at the first workspace (zs_plan_direct_ready) */
    plan->direct_ops = &zs_backend_umfpack;
    double fit = floor((limit - in->plan_bytes) / plan->ws_bytes);
    in->max_threads = fit >= 1e6 ? 1000000 : fit >= 1.0 ? (int)fit : 1;
    *out = plan;
    return ZSTR_OK;
fail:
    zstr_plan_free(plan);
    return rc;
}

void zstr_plan_free(zstr_plan *plan)
{
    if (plan == NULL)
        return;
    if (plan->direct_ops != NULL)
        plan->direct_ops->free_symbolic(plan->direct_sym);
    zs_system_free(&plan->direct_sys);
    if (plan->mor_backend != NULL)
        plan->mor_backend->free_symbolic(plan->mor_symbolic);
    pthread_mutex_destroy(&plan->direct_lock);
    pthread_mutex_destroy(&plan->dc_lock);
    zs_pencil_free(&plan->p);
    free(plan);
}

int zstr_plan_get_info(const zstr_plan *plan, zstr_plan_info *info)
{
    if (plan == NULL || info == NULL)
        return ZSTR_EINVAL;
    int rc = zs_check_size(info->size, ZS_PLAN_INFO_FIRST, sizeof *info, "zstr_plan_info", NULL);
    if (rc != ZSTR_OK)
        return rc;
    size_t size = info->size;
    zstr_plan *mp = (zstr_plan *)plan; /* the lock only: see zs_plan.h */
    pthread_mutex_lock(&mp->direct_lock);
    memcpy(info, &plan->info, size);
    pthread_mutex_unlock(&mp->direct_lock);
    info->size = size;
    return ZSTR_OK;
}

int zstr_plan_solver_stat(const zstr_plan *plan, int k, const char **name, double *value)
{
    if (plan == NULL || name == NULL || value == NULL)
        return ZSTR_EINVAL;
    zstr_plan *mp = (zstr_plan *)plan; /* the lock only: see zs_plan.h */
    pthread_mutex_lock(&mp->direct_lock);
    int rc = ZSTR_ERANGE;
    if (k >= 0 && k < plan->nstats) {
        *name = plan->stat_name[k];
        *value = plan->stat_value[k];
        rc = ZSTR_OK;
    }
    pthread_mutex_unlock(&mp->direct_lock);
    return rc;
}

int zstr_plan_solver_stat_named(const zstr_plan *plan, const char *name, double *value)
{
    if (plan == NULL || name == NULL || value == NULL)
        return ZSTR_EINVAL;
    zstr_plan *mp = (zstr_plan *)plan; /* the lock only: see zs_plan.h */
    pthread_mutex_lock(&mp->direct_lock);
    int rc = ZSTR_ERANGE;
    for (int k = 0; k < plan->nstats && rc != ZSTR_OK; k++)
        if (strcmp(plan->stat_name[k], name) == 0) {
            *value = plan->stat_value[k];
            rc = ZSTR_OK;
        }
    pthread_mutex_unlock(&mp->direct_lock);
    return rc;
}

/* ---- re-stamping: new values on the same pattern -------------------------- */

/* The port form's pattern is the eliminated pattern plus the kept electrode's
 * row, whose entries are the nodes with an element to that electrode: the
 * same eliminated pattern and the same such nodes on both electrodes (either
 * may be kept) give the same port pattern. */
static int same_nodes(const zs_elec *ea, const zs_elec *eb, int64_t n, uint8_t *mark)
{
    memset(mark, 0, (size_t)n);
    for (int64_t k = 0; k < ea->n; k++)
        mark[ea->node[k]] |= 1;
    for (int64_t k = 0; k < eb->n; k++)
        mark[eb->node[k]] |= 2;
    for (int64_t i = 0; i < n; i++)
        if (mark[i] == 1 || mark[i] == 2)
            return 0;
    return 1;
}

static int same_we_nodes(const zs_pencil *a, const zs_pencil *b, uint8_t *mark)
{
    return same_nodes(&a->elec[ZSTR_WE], &b->elec[ZSTR_WE], a->n, mark) &&
           same_nodes(&a->elec[ZSTR_CE], &b->elec[ZSTR_CE], a->n, mark);
}

static int same_pattern(const zs_pencil *a, const zs_pencil *b, int *same, zstr_error *err)
{
    *same = a->n == b->n && a->nvox == b->nvox && a->nnz == b->nnz &&
            (a->elec[0].n > 0) == (b->elec[0].n > 0) &&
            (a->elec[1].n > 0) == (b->elec[1].n > 0) &&
            memcmp(a->Ap, b->Ap, (size_t)(a->n + 1) * sizeof *a->Ap) == 0 &&
            memcmp(a->Ai, b->Ai, (size_t)a->nnz * sizeof *a->Ai) == 0;
    if (!*same)
        return ZSTR_OK;
    uint8_t *mark = malloc((size_t)a->n);
    if (mark == NULL)
        return zs_error(err, ZSTR_ENOMEM, "zstr_plan_restamp: out of memory");
    *same = same_we_nodes(a, b, mark);
    free(mark);
    return ZSTR_OK;
}

int zstr_plan_restamp(zstr_plan *plan, const zstr_model *m, zstr_error *err)
{
    zs_error_clear(err);
    if (plan == NULL || m == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_plan_restamp: NULL argument");
    int rc = zs_model_whole(m, "zstr_plan_restamp", err);
    if (rc == ZSTR_OK)
        rc = zs_model_validate(m, err);
    if (rc != ZSTR_OK)
        return rc;
    if (m->n[0] != plan->n[0] || m->n[1] != plan->n[1] || m->n[2] != plan->n[2])
        return zs_error(err, ZSTR_EPATTERN,
                        "zstr_plan_restamp: the model's grid %lldx%lldx%lld is not the plan's "
                        "%lldx%lldx%lld",
                        (long long)m->n[0], (long long)m->n[1], (long long)m->n[2],
                        (long long)plan->n[0], (long long)plan->n[1], (long long)plan->n[2]);
    zs_pencil np;
    rc = zs_pencil_build(m, &np, err);
    if (rc != ZSTR_OK)
        return rc;
    int same = 0;
    rc = same_pattern(&plan->p, &np, &same, err);
    if (rc == ZSTR_OK && !same)
        rc = zs_error(err, ZSTR_EPATTERN,
                      "zstr_plan_restamp: the model's network has another pattern than the "
                      "plan's (other grains, interface pixels or series classes): make a new "
                      "plan");
    if (rc != ZSTR_OK) {
        zs_pencil_free(&np);
        return rc;
    }
    /* the plan's symbolic objects hold only the pattern: they stay; the
     * direct solver's system takes the new values on the same pattern */
    if (plan->direct_sym != NULL) {
        zs_system ds;
        rc = zs_system_build(&np, ZS_PORT_NONE, &ds, err);
        if (rc != ZSTR_OK) {
            zs_pencil_free(&np);
            return rc;
        }
        zs_system_free(&plan->direct_sys);
        plan->direct_sys = ds;
    }
    zs_pencil_free(&plan->p);
    plan->p = np;
    describe_model(plan, m);
    pthread_mutex_lock(&plan->dc_lock);
    plan->dc_state = 0;
    pthread_mutex_unlock(&plan->dc_lock);
    return ZSTR_OK;
}
