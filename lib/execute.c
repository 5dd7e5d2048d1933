/*
 * execute.c — per-frequency execution on a plan, and whole sweeps.
 *
 * A workspace holds everything one frequency needs: Y's complex values on the
 * plan's pattern, the right-hand side, the solution, UMFPACK's solve work arrays
 * and the Numeric object, so no allocation happens inside a sweep except the
 * Numeric object UMFPACK itself builds.  With V_WE = 1 and V_CE = 0 eliminated,
 *     Y(jω) v = b,   b_a = y_e for every element e from node a to the WE,
 *     I = Σ_e y_e (1 − v_a),   Z = 1 / I.
 *
 * Sweeps run frequencies on T worker threads, each with its own workspace, all
 * sharing the plan (its Symbolic object is read-only).  Thread k takes the
 * frequencies k, k + T, ...; progress and the first error go through one mutex.
 */
#include "zs_plan.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void zstr_workspace_free(zstr_workspace *ws)
{
    if (ws == NULL)
        return;
    if (ws->numeric != NULL)
        umfpack_zl_free_numeric(&ws->numeric);
    free(ws->Yx);
    free(ws->x);
    free(ws->b);
    free(ws->Wi);
    free(ws->W);
    free(ws);
}

int zstr_workspace_create(const zstr_plan *plan, zstr_workspace **out, zstr_error *err)
{
    zs_error_clear(err);
    if (out == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_workspace_create: out is NULL");
    *out = NULL;
    if (plan == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_workspace_create: plan is NULL");
    zstr_workspace *ws = calloc(1, sizeof *ws);
    if (ws == NULL)
        return zs_error(err, ZSTR_ENOMEM, "zstr_workspace_create: out of memory");
    size_t n = (size_t)plan->p.n, nnz = (size_t)plan->p.nnz;
    ws->plan = plan;
    ws->Yx = zs_malloc_array(2 * nnz, sizeof *ws->Yx);
    ws->x = zs_calloc_array(2 * n, sizeof *ws->x);
    ws->b = zs_malloc_array(2 * n, sizeof *ws->b);
    ws->Wi = zs_malloc_array(n, sizeof *ws->Wi);
    ws->W = zs_malloc_array(10 * n, sizeof *ws->W); /* complex with refinement: 10n */
    if (ws->Yx == NULL || ws->x == NULL || ws->b == NULL || ws->Wi == NULL || ws->W == NULL) {
        zstr_workspace_free(ws);
        return zs_error(err, ZSTR_ENOMEM, "zstr_workspace_create: out of memory for %zu "
                                          "unknowns",
                        n);
    }
    *out = ws;
    return ZSTR_OK;
}

static int umf_status(int st)
{
    switch (st) {
    case UMFPACK_ERROR_out_of_memory:
        return ZSTR_ENOMEM;
    case UMFPACK_WARNING_singular_matrix:
        return ZSTR_ESINGULAR;
    default:
        return ZSTR_ESOLVER;
    }
}

int zstr_execute(const zstr_plan *plan, zstr_workspace *ws, double f, double z[2],
                 zstr_error *err)
{
    zs_error_clear(err);
    if (plan == NULL || ws == NULL || z == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_execute: NULL argument");
    if (ws->plan != plan)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_execute: the workspace was created for another plan");
    if (!isfinite(f) || f < 0.0)
        return zs_error(err, ZSTR_EINVAL, "zstr_execute: frequency %g Hz must be finite and >= 0",
                        f);
    if (f == 0.0) {
        zstr_dc_result dc;
        zstr_dc_result_init(&dc);
        int rc = zstr_dc_resistance(plan, &dc, err);
        z[0] = dc.resistance;
        z[1] = 0.0;
        return rc;
    }
    const zs_pencil *p = &plan->p;
    const double w = 2.0 * ZS_PI * f;
    for (int64_t k = 0; k < p->nnz; k++) {
        ws->Yx[2 * k] = p->Gx[k];
        ws->Yx[2 * k + 1] = w * p->Cx[k];
    }
    memset(ws->b, 0, (size_t)(2 * p->n) * sizeof *ws->b);
    for (int64_t k = 0; k < p->nwe; k++) {
        const zs_elem *el = &p->elem[p->we_elem[k]];
        ws->b[2 * el->a] += el->g;
        ws->b[2 * el->a + 1] += w * el->c;
    }
    if (ws->numeric != NULL)
        umfpack_zl_free_numeric(&ws->numeric);
    double info[UMFPACK_INFO];
    double t0 = zs_wall_seconds();
    int st = umfpack_zl_numeric((const SuiteSparse_long *)p->Ap, (const SuiteSparse_long *)p->Ai,
                                ws->Yx, NULL, plan->symbolic, &ws->numeric, plan->control, info);
    double t1 = zs_wall_seconds();
    if (st != UMFPACK_OK) {
        ws->have_solution = 0;
        return zs_error(err, umf_status(st),
                        "UMFPACK factorization at %g Hz failed (status %d)", f, st);
    }
    ws->last.lu_nnz = info[UMFPACK_LNZ] + info[UMFPACK_UNZ] - (double)p->n;
    ws->last.bytes = info[UMFPACK_NUMERIC_SIZE] * plan->unit_bytes;
    ws->last.peak_bytes = info[UMFPACK_PEAK_MEMORY] * plan->unit_bytes;
    ws->last.numeric_seconds = t1 - t0;
    st = umfpack_zl_wsolve(UMFPACK_A, (const SuiteSparse_long *)p->Ap,
                           (const SuiteSparse_long *)p->Ai, ws->Yx, NULL, ws->x, NULL, ws->b,
                           NULL, ws->numeric, plan->control, info, ws->Wi, ws->W);
    ws->last.solve_seconds = zs_wall_seconds() - t1;
    if (st != UMFPACK_OK) {
        ws->have_solution = 0;
        return zs_error(err, umf_status(st), "UMFPACK solve at %g Hz failed (status %d)", f, st);
    }
    ws->have_solution = 1;
    ws->omega = w;
    /* I from the CE side, Σ y_e v_a: a sum of small accurate terms.  The WE side,
     * Σ y_e (1 − v_a), cancels when the WE-side drop is small against 1 V. */
    double ir = 0.0, ii = 0.0;
    for (int64_t k = 0; k < p->nce; k++) {
        const zs_elem *el = &p->elem[p->ce_elem[k]];
        double dr = ws->x[2 * el->a], di = ws->x[2 * el->a + 1];
        double yr = el->g, yi = w * el->c;
        ir += yr * dr - yi * di;
        ii += yr * di + yi * dr;
    }
    double den = ir * ir + ii * ii;
    if (!(den > 0.0) || !isfinite(den))
        return zs_error(err, ZSTR_ESOLVER, "zero or non-finite port current at %g Hz", f);
    /* Z = 1 / I, scaled to avoid overflow of the squared modulus */
    double s = fmax(fabs(ir), fabs(ii));
    double r = ir / s, i = ii / s;
    double d = r * r + i * i;
    z[0] = r / (d * s);
    z[1] = -i / (d * s);
    return ZSTR_OK;
}

void zstr_factor_info_init(zstr_factor_info *info)
{
    if (info == NULL)
        return;
    memset(info, 0, sizeof *info);
    info->size = sizeof *info;
}

int zstr_workspace_factor_info(const zstr_workspace *ws, zstr_factor_info *info)
{
    if (ws == NULL || info == NULL)
        return ZSTR_EINVAL;
    int rc = zs_check_size(info->size, ZS_SIZE_UPTO(zstr_factor_info, peak_bytes), sizeof *info,
                           "zstr_factor_info", NULL);
    if (rc != ZSTR_OK)
        return rc;
    size_t size = info->size;
    memcpy(info, &ws->last, size);
    info->size = size;
    return ZSTR_OK;
}

const double *zstr_workspace_potentials(const zstr_workspace *ws)
{
    return ws != NULL && ws->have_solution ? ws->x : NULL;
}

/* ---- sweeps --------------------------------------------------------------- */

typedef struct sweep {
    const zstr_plan *plan;
    int64_t n;
    const double *f;
    double *z;
    zstr_sweep_options opt;
    int nthreads;
    pthread_mutex_t lock;
    int64_t done;
    int status; /* first error, or cancellation */
    zstr_error err;
} sweep;

typedef struct worker {
    sweep *s;
    int index;
} worker;

static void record(sweep *s, int rc, const zstr_error *e)
{
    if (s->status == ZSTR_OK || (s->status > 0 && rc < 0)) {
        s->status = rc;
        if (e != NULL)
            s->err = *e;
    }
}

static void *sweep_worker(void *arg)
{
    worker *wk = arg;
    sweep *s = wk->s;
    zstr_workspace *ws = NULL;
    zstr_error e;
    int rc = zstr_workspace_create(s->plan, &ws, &e);
    if (rc != ZSTR_OK) {
        pthread_mutex_lock(&s->lock);
        record(s, rc, &e);
        pthread_mutex_unlock(&s->lock);
        return NULL;
    }
    for (int64_t k = wk->index; k < s->n; k += s->nthreads) {
        pthread_mutex_lock(&s->lock);
        int stop = s->status < 0;
        pthread_mutex_unlock(&s->lock);
        if (stop)
            break;
        rc = zstr_execute(s->plan, ws, s->f[k], &s->z[2 * k], &e);
        pthread_mutex_lock(&s->lock);
        if (rc != ZSTR_OK) {
            record(s, rc, &e);
        }
        if (rc >= 0) {
            s->done++;
            if (s->opt.progress != NULL && s->status >= 0 &&
                s->opt.progress(s->opt.context, s->done, s->n) != 0)
                record(s, zs_error(&e, ZSTR_ECANCELLED, "sweep cancelled by the caller after "
                                                        "%lld of %lld frequencies",
                                   (long long)s->done, (long long)s->n),
                       &e);
        }
        pthread_mutex_unlock(&s->lock);
    }
    zstr_workspace_free(ws);
    return NULL;
}

void zstr_sweep_options_default(zstr_sweep_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->threads = 1;
    o->method = ZSTR_METHOD_AUTO;
    o->tolerance = 1e-6;
}

/* One complex LU per frequency on T threads. */
static int direct_sweep(const zstr_plan *plan, int64_t n, const double *f, double *z,
                        const zstr_sweep_options *o, zstr_error *err)
{
    sweep s;
    memset(&s, 0, sizeof s);
    s.opt = *o;
    s.plan = plan;
    s.n = n;
    s.f = f;
    s.z = z;
    int t = s.opt.threads > 1 ? s.opt.threads : 1;
    if (t > n)
        t = (int)n;
    /* every thread holds one factorization: no more threads than fit the limit
     * together with the plan (the plan guarantees that one fits) */
    if (t > plan->info.max_threads)
        t = plan->info.max_threads >= 1 ? plan->info.max_threads : 1;
    s.nthreads = t;
    if (pthread_mutex_init(&s.lock, NULL) != 0)
        return zs_error(err, ZSTR_ETHREAD, "zstr_sweep: could not create a mutex");
    worker *wk = calloc((size_t)t, sizeof *wk);
    pthread_t *th = calloc((size_t)t, sizeof *th);
    if (wk == NULL || th == NULL) {
        free(wk);
        free(th);
        pthread_mutex_destroy(&s.lock);
        return zs_error(err, ZSTR_ENOMEM, "zstr_sweep: out of memory");
    }
    int started = 0;
    for (int k = 0; k < t; k++) {
        wk[k] = (worker){&s, k};
    }
    if (t == 1) {
        sweep_worker(&wk[0]);
    } else {
        for (; started < t; started++) {
            if (pthread_create(&th[started], NULL, sweep_worker, &wk[started]) != 0)
                break;
        }
        if (started < t) {
            /* tell the running workers to stop, then report */
            pthread_mutex_lock(&s.lock);
            zstr_error e;
            record(&s, zs_error(&e, ZSTR_ETHREAD, "zstr_sweep: could not start thread %d of %d",
                                started + 1, t),
                   &e);
            pthread_mutex_unlock(&s.lock);
        }
        for (int k = 0; k < started; k++)
            pthread_join(th[k], NULL);
    }
    free(wk);
    free(th);
    pthread_mutex_destroy(&s.lock);
    if (s.status != ZSTR_OK && err != NULL)
        *err = s.err;
    return s.status;
}


void zstr_sweep_report_init(zstr_sweep_report *r)
{
    if (r == NULL)
        return;
    memset(r, 0, sizeof *r);
    r->size = sizeof *r;
}

/* auto: a reduced model costs a handful of real factorizations, each several
 * times cheaper than one complex LU (bench/RESULTS.md), so it wins from about a
 * dozen frequencies; below a few thousand unknowns a direct sweep takes well
 * under a second and is exact. */
#define ZS_AUTO_MIN_FREQUENCIES 12
#define ZS_AUTO_MIN_UNKNOWNS 5000

typedef struct rom_progress {
    const zstr_sweep_options *o;
} rom_progress;

static int rom_progress_cb(void *ctx, int factorizations, double estimate)
{
    (void)estimate;
    const rom_progress *p = ctx;
    return p->o->progress(p->o->context, factorizations, 0);
}

/* The reduced model for the positive frequencies, DC by CHOLMOD, and a direct
 * solve wherever the estimate misses the tolerance. */
static int mor_sweep(const zstr_plan *plan, int64_t n, const double *f, double *z,
                     const zstr_sweep_options *o, zstr_sweep_report *rep, zstr_error *err)
{
    zstr_rom_options ro;
    zstr_rom_options_default(&ro);
    ro.tolerance = o->tolerance;
    rom_progress pc = {o};
    if (o->progress != NULL) {
        ro.progress = rom_progress_cb;
        ro.context = &pc;
    }
    int rc = ZSTR_OK, dcrc = ZSTR_OK;
    zstr_rom *rom = NULL;
    double *est = zs_malloc_array((size_t)n, sizeof *est);
    double *fx = zs_malloc_array((size_t)n, sizeof *fx);
    int64_t *ix = zs_malloc_array((size_t)n, sizeof *ix);
    double *zx = zs_malloc_array(2 * (size_t)n, sizeof *zx);
    if (est == NULL || fx == NULL || ix == NULL || zx == NULL) {
        rc = zs_error(err, ZSTR_ENOMEM, "zstr_sweep: out of memory");
        goto done;
    }
    rc = zstr_rom_create(plan, n, f, &ro, &rom, err);
    if (rc != ZSTR_OK)
        goto done;
    rc = zstr_rom_evaluate(rom, n, f, z, est, err);
    if (rc != ZSTR_OK)
        goto done;
    zstr_rom_info ri;
    zstr_rom_info_init(&ri);
    zstr_rom_get_info(rom, &ri);
    rep->factorizations = ri.factorizations;
    rep->solves = ri.solves;
    int64_t nx = 0;
    double worst = 0.0;
    for (int64_t k = 0; k < n; k++) {
        if (f[k] == 0.0) {
            zstr_dc_result dc;
            zstr_dc_result_init(&dc);
            dcrc = zstr_dc_resistance(plan, &dc, err);
            if (dcrc < 0) {
                rc = dcrc;
                goto done;
            }
            z[2 * k] = dc.resistance;
            z[2 * k + 1] = 0.0;
        } else if (!(est[k] <= o->tolerance)) {
            fx[nx] = f[k];
            ix[nx++] = k;
        } else {
            worst = fmax(worst, est[k]);
        }
    }
    rep->max_estimate = worst;
    rep->direct = nx;
    if (nx > 0) {
        zstr_sweep_options d = *o;
        d.progress = NULL;
        rc = direct_sweep(plan, nx, fx, zx, &d, err);
        if (rc < 0)
            goto done;
        for (int64_t k = 0; k < nx; k++) {
            z[2 * ix[k]] = zx[2 * k];
            z[2 * ix[k] + 1] = zx[2 * k + 1];
        }
        rep->factorizations += nx;
    }
    if (rc == ZSTR_OK && dcrc != ZSTR_OK)
        rc = dcrc; /* the open-circuit warning of f = 0 */
done:
    zstr_rom_free(rom);
    free(est);
    free(fx);
    free(ix);
    free(zx);
    return rc;
}

int zstr_sweep(const zstr_plan *plan, int64_t n, const double *f, double *z,
               const zstr_sweep_options *opt, zstr_error *err)
{
    zs_error_clear(err);
    if (plan == NULL || (n > 0 && (f == NULL || z == NULL)) || n < 0)
        return zs_error(err, ZSTR_EINVAL, "zstr_sweep: NULL argument or negative count");
    for (int64_t k = 0; k < n; k++) {
        if (!isfinite(f[k]) || f[k] < 0.0)
            return zs_error(err, ZSTR_EINVAL,
                            "zstr_sweep: frequency %lld is %g Hz; must be finite and >= 0",
                            (long long)k, f[k]);
    }
    zstr_sweep_options o;
    zstr_sweep_options_default(&o);
    if (opt != NULL) {
        int rc = zs_check_size(opt->size, ZS_SIZE_UPTO(zstr_sweep_options, context), sizeof o,
                               "zstr_sweep_options", err);
        if (rc != ZSTR_OK)
            return rc;
        memcpy(&o, opt, opt->size);
    }
    if (o.method < ZSTR_METHOD_AUTO || o.method > ZSTR_METHOD_MOR)
        return zs_error(err, ZSTR_EINVAL, "zstr_sweep: unknown method %d", o.method);
    if (!(o.tolerance > 0.0 && o.tolerance < 1.0))
        return zs_error(err, ZSTR_EINVAL, "zstr_sweep: tolerance %g must be in (0, 1)",
                        o.tolerance);
    zstr_sweep_report rep;
    zstr_sweep_report_init(&rep);
    if (o.report != NULL) {
        int rc = zs_check_size(o.report->size, ZS_SIZE_UPTO(zstr_sweep_report, seconds),
                               sizeof rep, "zstr_sweep_report", err);
        if (rc != ZSTR_OK)
            return rc;
    }
    double t0 = zs_wall_seconds();
    int64_t npos = 0;
    for (int64_t k = 0; k < n; k++)
        npos += f[k] > 0.0;
    int method = o.method;
    if (method == ZSTR_METHOD_AUTO)
        method = npos >= ZS_AUTO_MIN_FREQUENCIES && plan->p.n >= ZS_AUTO_MIN_UNKNOWNS
                     ? ZSTR_METHOD_MOR
                     : ZSTR_METHOD_DIRECT;
    if (npos == 0)
        method = ZSTR_METHOD_DIRECT; /* DC only: nothing to reduce */
    rep.method = method;
    int rc;
    if (method == ZSTR_METHOD_MOR) {
        rc = mor_sweep(plan, n, f, z, &o, &rep, err);
    } else {
        rc = n > 0 ? direct_sweep(plan, n, f, z, &o, err) : ZSTR_OK;
        rep.factorizations = npos;
        rep.direct = npos;
    }
    rep.seconds = zs_wall_seconds() - t0;
    if (o.report != NULL) {
        size_t size = o.report->size;
        memcpy(o.report, &rep, size);
        o.report->size = size;
    }
    return rc;
}

int zstr_frequencies_log(double lo, double hi, double per_decade, double **out, int64_t *n,
                         zstr_error *err)
{
    zs_error_clear(err);
    if (out == NULL || n == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_frequencies_log: NULL argument");
    *out = NULL;
    *n = 0;
    if (!isfinite(lo) || !isfinite(hi) || lo <= 0.0 || hi < lo)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_frequencies_log: range %g .. %g Hz must satisfy 0 < from <= to",
                        lo, hi);
    if (!isfinite(per_decade) || per_decade <= 0.0)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_frequencies_log: per_decade %g must be finite and > 0",
                        per_decade);
    double decades = log10(hi / lo);
    double cnt = round(per_decade * decades) + 1.0;
    if (cnt > 1e7)
        return zs_error(err, ZSTR_ERANGE,
                        "zstr_frequencies_log: %.0f frequencies is more than 10^7", cnt);
    int64_t m = (int64_t)cnt;
    double *f = zs_malloc_array((size_t)m, sizeof *f);
    if (f == NULL)
        return zs_error(err, ZSTR_ENOMEM, "zstr_frequencies_log: out of memory");
    for (int64_t k = 0; k < m; k++)
        f[k] = m == 1 ? lo : lo * pow(10.0, decades * (double)k / (double)(m - 1));
    f[0] = lo;
    f[m - 1] = hi;
    *out = f;
    *n = m;
    return ZSTR_OK;
}
