/*
 * execute.c — per-frequency execution on a plan, and whole sweeps.
 *
 * A workspace holds what one frequency needs beyond the plan: the direct
 * backend's factorization of Y(jω) (zs_backend.h: UMFPACK's complex LU from the
 * plan's symbolic analysis; the backend copies the values and keeps its solve
 * work arrays beside the factor), the right-hand side, the solution and a
 * correction.  With V_WE = 1 and V_CE = 0 eliminated,
 *     Y(jω) v = b,   b_a = y_e for every element e from node a to the WE.
 *
 * Accuracy.  An element with a tiny admittance in series with a large one (bulk
 * 1e-15 S/m against a GB, or a metallic phase against an electrolyte) loses
 * digits when its node's row is assembled and factored: the refined-less solve
 * gave negative Z' at 1 Hz on the 10³ Voronoi model.  So:
 *  - the residual r = b − Y v is computed from the element currents
 *    y_e (v_a − v_b) (no large terms cancel) and the solve refined with the same
 *    factor (a refinement against the assembled Y would converge to the rounded
 *    matrix's answer, so the backend does none);
 *  - I comes from the form I(v) = Σ_e y_e (Δ_e v)² over every element with the
 *    electrodes at 1 V and 0 V.  By Tellegen's theorem it is the port current at
 *    the exact v*, and since Y is complex symmetric it is stationary there:
 *    I(v) − I(v*) = Σ_e y_e (Δ_e (v − v*))², second order in the error, and
 *    bounded by Σ_e |y_e| |Δ_e (v − v*)|².  Neither electrode's current sum is
 *    used (the WE side cancels near 1 V, the CE side loses digits near 0 V).
 *  - Refusal: that bound, evaluated with the last correction d ≈ v* − v, over
 *    |I|, doubled, plus the rounding bound 4ε Σ|y||Δv|²/|I| of the compensated
 *    sum, must be below ZS_Z_RELTOL, and the refinement must contract; else
 *    ZSTR_ESOLVER names the frequency, the estimate and the two materials of
 *    largest conductance contrast.  The measured limits are in the header near
 *    zstr_plan_create and in solver_cholmod.c.
 *
 * Why the electrodes stay eliminated (not the port form; measured 2026-12-06).
 * The port form keeps the WE as node w fed by 1 A: K x = e_w, K = G + jωC,
 * Z = x_w.  Its diagonal K_ww = Σ y_e over every WE element is one rounded
 * double sum, off by a relative ρ ≈ 1e-14 (measured, ~10³ terms on 32³), and
 * that error is a shunt δ = ρ K_ww from the WE node to ground, which moves Z by
 * −x_w² δ to first order:  |ΔZ| / |Z| = ρ |K_ww| |Z|.  On the paper's model the
 * WE holds the double-layer and pore capacitance, ≈ 3.9e-5 F at every grid, so
 * at 10 MHz |K_ww| ≈ 2.4e3 S while |Z| ≈ 1.05e5 Ω: 1e-14 · 2.4e3 · 1.05e5 =
 * 2.6e-6, growing ∝ f up to the band's top and flat above it (at 10 MHz:
 * 2.6e-6 on 32³, 8e-7 on 16³, and the 1.4e-5 between the reduced model and
 * this solve on 64³; 5e-8 at 100 kHz on 32³).  No
 * refinement against the assembled K removes it: the error is in the matrix.
 * A port-form LU refined against K therefore agrees with the reduced-order
 * model (which projects the same assembled pencil) and not with this file, and
 * that comparison is what once made this solve look wrong by 2.6e-6 at 10 MHz
 * on 32³ (and "limited to 2e-7 at 1 GHz on 10³": the same effect).  Two
 * references that never form such a sum — the port form and this eliminated
 * form, each with long-double unknowns refined against residuals summed in long
 * double element by element — agree with each other to 1e-17, and with
 * zstr_execute to 2e-16, at every decade from 1 mHz to 1 GHz on 16³ and 32³
 * and up to 10 GHz on 10³ (bench/RESULTS.md, "Direct solve accuracy";
 * tests/test_direct.c).  Here the assembled values (rounded sums too) only
 * shape the factor, which the element-wise residual corrects, and Z comes from
 * the stationary form, not from a node's row.
 *
 * Sweeps run frequencies on T worker threads, each with its own workspace, all
 * sharing the plan (its symbolic object is read-only).  Thread k takes the
 * frequencies k, k + T, ...; progress and the first error go through one mutex.
 */
#include "zs_plan.h"

#include <complex.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void zstr_workspace_free(zstr_workspace *ws)
{
    if (ws == NULL)
        return;
    ws->plan->direct_ops->free_numeric(ws->num);
    free(ws->x);
    free(ws->b);
    free(ws->d);
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
    /* the direct solver's system and analysis, made for the plan's first
     * workspace (none when no complex LU fits: executes refuse then) */
    int rc = zs_plan_direct_ready(plan, err);
    if (rc != ZSTR_OK)
        return rc;
    zstr_workspace *ws = calloc(1, sizeof *ws);
    if (ws == NULL)
        return zs_error(err, ZSTR_ENOMEM, "zstr_workspace_create: out of memory");
    size_t n = (size_t)plan->p.n;
    ws->plan = plan;
    ws->x = zs_calloc_array(2 * n, sizeof *ws->x);
    ws->b = zs_malloc_array(2 * n, sizeof *ws->b);
    ws->d = zs_malloc_array(2 * n, sizeof *ws->d);
    if (ws->x == NULL || ws->b == NULL || ws->d == NULL) {
        zstr_workspace_free(ws);
        return zs_error(err, ZSTR_ENOMEM, "zstr_workspace_create: out of memory for %zu "
                                          "unknowns",
                        n);
    }
    *out = ws;
    return ZSTR_OK;
}

/* ---- accuracy: element-wise residual, refinement, stationary current -------- */

/* Potential of node a. */
static double complex node_v(const double *v, int64_t a)
{
    return v[2 * a] + I * v[2 * a + 1];
}

/* r = b − Y v from the element currents y (v_a − v_b): large admittances meet
 * only small potential differences, so no large terms cancel.  The elements
 * are the off-diagonal entries of the upper triangle (y = −Y_ab) and the
 * electrode lists (the WE at 1 V, the CE at 0 V). */
static void ac_residual(const zs_pencil *p, double w, const double *v, double *r)
{
    memset(r, 0, (size_t)(2 * p->n) * sizeof *r);
    for (int64_t j = 0; j < p->n; j++) {
        for (int64_t q = p->Ap[j]; q < p->Ap[j + 1] - 1; q++) {
            int64_t a = p->Ai[q];
            double complex y = -p->Gx[q] - I * (w * p->Cx[q]);
            double complex i = y * (node_v(v, a) - node_v(v, j));
            r[2 * a] -= creal(i);
            r[2 * a + 1] -= cimag(i);
            r[2 * j] += creal(i);
            r[2 * j + 1] += cimag(i);
        }
    }
    for (int e = 0; e < 2; e++) {
        const zs_elec *el = &p->elec[e];
        const double ve = e == ZSTR_WE ? 1.0 : 0.0;
        for (int64_t m = 0; m < el->n; m++) {
            int64_t a = el->node[m];
            double complex y = el->g[m] + I * (w * el->c[m]);
            double complex i = y * (node_v(v, a) - ve);
            r[2 * a] -= creal(i);
            r[2 * a + 1] -= cimag(i);
        }
    }
}

/* Neumaier's compensated sum of the complex terms of ac_form. */
typedef struct csum {
    double sr, si, cr, ci, mag;
} csum;

static void csum_add(csum *s, double complex y, double complex dv)
{
    double complex t = y * dv * dv;
    s->mag += cabs(y) * (creal(dv) * creal(dv) + cimag(dv) * cimag(dv));
    double tr = creal(t), ti = cimag(t), u = s->sr + tr, q = s->si + ti;
    s->cr += fabs(s->sr) >= fabs(tr) ? (s->sr - u) + tr : (tr - u) + s->sr;
    s->ci += fabs(s->si) >= fabs(ti) ? (s->si - q) + ti : (ti - q) + s->si;
    s->sr = u;
    s->si = q;
}

/* I(v) = Σ_e y_e (Δ_e v)² (Tellegen: the port current for the exact v, and
 * stationary there), compensated; *mag = Σ_e |y_e| |Δ_e v|², which bounds both
 * the rounding of the sum and, for a correction, its effect on I.  The WE is
 * at `we` (0 for a correction), the CE at 0. */
static double complex ac_form(const zs_pencil *p, double w, const double *v, double we,
                              double *mag)
{
    csum s = {0.0, 0.0, 0.0, 0.0, 0.0};
    for (int64_t j = 0; j < p->n; j++) {
        for (int64_t q = p->Ap[j]; q < p->Ap[j + 1] - 1; q++) {
            double complex y = -p->Gx[q] - I * (w * p->Cx[q]);
            csum_add(&s, y, node_v(v, p->Ai[q]) - node_v(v, j));
        }
    }
    for (int e = 0; e < 2; e++) {
        const zs_elec *el = &p->elec[e];
        const double ve = e == ZSTR_WE ? we : 0.0;
        for (int64_t m = 0; m < el->n; m++)
            csum_add(&s, el->g[m] + I * (w * el->c[m]), node_v(v, el->node[m]) - ve);
    }
    *mag = s.mag;
    return (s.sr + s.cr) + I * (s.si + s.ci);
}

/* Say at which frequency a backend call failed (its message names the call). */
static int at_frequency(zstr_error *err, int rc, double f)
{
    if (err == NULL)
        return rc;
    char msg[sizeof err->message];
    memcpy(msg, err->message, sizeof msg);
    msg[sizeof msg - 1] = '\0';
    return zs_error(err, rc, "at %g Hz: %.460s", f, msg);
}

/* Refine ws->x (the solve of Y x = b) until the correction's effect on I is
 * below rounding or stops contracting, then Z = 1 / I(x) if its estimated error
 * is below ZS_Z_RELTOL.  See the banner for why this estimate is honest. */
static int refine(const zstr_plan *plan, zstr_workspace *ws, double w, double z[2], double f,
                  zstr_error *err)
{
    const zs_pencil *p = &plan->p;
    double eta = INFINITY, eta0 = INFINITY, mag = 0.0;
    double complex cur = 0.0;
    int steps = 0;
    while (steps < ZS_REFINE_MAX) {
        ac_residual(p, w, ws->x, ws->b);
        int rc = plan->direct_ops->solve(&plan->direct_sys, plan->direct_sym, ws->num, 1, ws->b,
                                         ws->d, err);
        if (rc != ZSTR_OK)
            return at_frequency(err, rc, f);
        cur = ac_form(p, w, ws->x, 1.0, &mag);
        double dmag;
        (void)ac_form(p, w, ws->d, 0.0, &dmag);
        double e = dmag / cabs(cur);
        steps++;
        if (steps > 1 && !(e < 0.25 * eta))
            break; /* no longer contracting: x is as good as this factor makes it */
        if (steps == 1)
            eta0 = e;
        eta = e;
        for (int64_t k = 0; k < 2 * p->n; k++)
            ws->x[k] += ws->d[k];
        if (eta <= ZS_Z_RELTOL * 1e-6)
            break;
    }
    cur = ac_form(p, w, ws->x, 1.0, &mag);
    double est = 2.0 * eta + 4.0 * DBL_EPSILON * mag / cabs(cur);
    ws->estimate = est;
    if (!(cabs(cur) > 0.0) || !isfinite(cabs(cur)) || !(est <= ZS_Z_RELTOL) ||
        (eta0 > 0.25 && steps < 2)) {
        char why[400];
        zs_contrast_text(p, why, sizeof why);
        return zs_error(err, ZSTR_ESOLVER,
                        "solution not accurate at %g Hz: estimated relative error of Z %.2g "
                        "after %d refinement steps (first %.2g); %s",
                        f, est, steps, eta0, why);
    }
    double complex zz = 1.0 / cur;
    z[0] = creal(zz);
    z[1] = cimag(zz);
    return ZSTR_OK;
}

/* The direct backend's figure called name for the workspace's factorization. */
static double numeric_stat(const zstr_plan *plan, const zstr_workspace *ws, const char *name)
{
    const char *nm;
    double v;
    for (int k = 0; plan->direct_ops->stat(plan->direct_sym, ws->num, k, &nm, &v) == ZSTR_OK;
         k++)
        if (strcmp(nm, name) == 0)
            return v;
    return 0.0;
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
    if (f > 0.0 && !plan->info.direct_fits)
        return zs_error(err, ZSTR_EMEMLIMIT,
                        "a complex LU of %lld unknowns needs about %.3g GB at its peak, more than "
                        "the memory limit leaves; use the reduced-order method (zstr_sweep with "
                        "ZSTR_METHOD_MOR or auto)",
                        (long long)plan->p.n, plan->ws_bytes / 1e9);
    if (f == 0.0) {
        zstr_dc_result dc;
        zstr_dc_result_init(&dc);
        int rc = zstr_dc_resistance(plan, &dc, err);
        z[0] = dc.resistance;
        z[1] = 0.0;
        return rc;
    }
    const zs_pencil *p = &plan->p;
    const zs_backend *ops = plan->direct_ops;
    const double w = 2.0 * ZS_PI * f;
    memset(ws->b, 0, (size_t)(2 * p->n) * sizeof *ws->b);
    const zs_elec *we = &p->elec[ZSTR_WE];
    for (int64_t k = 0; k < we->n; k++) {
        ws->b[2 * we->node[k]] += we->g[k];
        ws->b[2 * we->node[k] + 1] += w * we->c[k];
    }
    ws->have_solution = 0;
    ops->free_numeric(ws->num);
    ws->num = NULL;
    double t0 = zs_wall_seconds();
    int rc = ops->factor(&plan->direct_sys, plan->direct_sym, 0.0, w, &ws->num, err);
    double t1 = zs_wall_seconds();
    if (rc != ZSTR_OK)
        return at_frequency(err, rc, f);
    ws->last.lu_nnz = numeric_stat(plan, ws, "umfpack.lu_nnz");
    ws->last.bytes = numeric_stat(plan, ws, "umfpack.numeric_bytes");
    ws->last.peak_bytes = numeric_stat(plan, ws, "umfpack.peak_bytes");
    ws->last.numeric_seconds = t1 - t0;
    rc = ops->solve(&plan->direct_sys, plan->direct_sym, ws->num, 1, ws->b, ws->x, err);
    if (rc == ZSTR_OK)
        rc = refine(plan, ws, w, z, f, err);
    else
        rc = at_frequency(err, rc, f);
    ws->last.solve_seconds = zs_wall_seconds() - t1;
    ws->have_solution = rc == ZSTR_OK;
    ws->omega = w;
    if (rc == ZSTR_OK) {
        ws->z[0] = z[0];
        ws->z[1] = z[1];
    }
    return rc;
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
    const rom_progress *p = ctx;
    if (p->o->mor_progress != NULL &&
        p->o->mor_progress(p->o->context, factorizations, estimate) != 0)
        return 1;
    return p->o->progress != NULL ? p->o->progress(p->o->context, factorizations, 0) : 0;
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
    if (o->progress != NULL || o->mor_progress != NULL) {
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
    rep->backend = ri.backend;
    rep->iterations = ri.iterations;
    int64_t nx = 0;
    double worst = 0.0;
    for (int64_t k = 0; k < n; k++) {
        if (o->estimate != NULL)
            o->estimate[k] = f[k] == 0.0 ? 0.0 : est[k];
        if (o->recomputed != NULL)
            o->recomputed[k] = 0;
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
        } else if (!(est[k] <= o->tolerance) && plan->info.direct_fits) {
            fx[nx] = f[k];
            ix[nx++] = k;
        } else {
            worst = fmax(worst, est[k]); /* within tolerance, or no LU fits */
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
            if (o->estimate != NULL)
                o->estimate[ix[k]] = 0.0;
            if (o->recomputed != NULL)
                o->recomputed[ix[k]] = 1;
        }
        rep->factorizations += nx;
    }
    if (rc == ZSTR_OK && dcrc != ZSTR_OK)
        rc = dcrc; /* the open-circuit warning of f = 0 */
    if (rc >= 0 && o->rom != NULL) {
        *o->rom = rom; /* the caller's now */
        rom = NULL;
    }
done:
    zstr_rom_free(rom);
    free(est);
    free(fx);
    free(ix);
    free(zx);
    return rc;
}

int zstr_sweep_method(const zstr_plan *plan, int64_t n, const double *f, int method)
{
    if (plan == NULL || n < 0 || (n > 0 && f == NULL) || method < ZSTR_METHOD_AUTO ||
        method > ZSTR_METHOD_MOR)
        return ZSTR_EINVAL;
    int64_t npos = 0;
    for (int64_t k = 0; k < n; k++)
        npos += f[k] > 0.0;
    if (npos == 0)
        return ZSTR_METHOD_DIRECT; /* DC only: nothing to reduce */
    if (method == ZSTR_METHOD_DIRECT && plan->backend_requested == ZSTR_BACKEND_ITERATIVE)
        return ZSTR_EINVAL; /* complex LU at every frequency: not what was asked */
    if (method != ZSTR_METHOD_AUTO)
        return method;
    return !plan->info.direct_fits || plan->info.backend == ZSTR_BACKEND_ITERATIVE ||
                   (npos >= ZS_AUTO_MIN_FREQUENCIES && plan->p.n >= ZS_AUTO_MIN_UNKNOWNS)
               ? ZSTR_METHOD_MOR
               : ZSTR_METHOD_DIRECT;
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
    int method = zstr_sweep_method(plan, n, f, o.method);
    if (method < 0)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_sweep: the direct method factors Y(jw) by complex LU at every "
                        "frequency, and this plan was made for the iterative backend: use "
                        "ZSTR_METHOD_MOR or ZSTR_METHOD_AUTO");
    rep.method = method;
    if (o.rom != NULL)
        *o.rom = NULL;
    int rc;
    if (method == ZSTR_METHOD_MOR) {
        rc = mor_sweep(plan, n, f, z, &o, &rep, err);
    } else {
        for (int64_t k = 0; k < n; k++) {
            if (o.estimate != NULL)
                o.estimate[k] = 0.0;
            if (o.recomputed != NULL)
                o.recomputed[k] = 0;
        }
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
    /* In log space: hi / lo overflows for a range such as 1e-300 .. 1e300 Hz,
     * and lo · 10^(...) would overflow at the interior points' exponents too. */
    double llo = log10(lo), decades = log10(hi) - llo;
    double cnt = round(per_decade * decades) + 1.0;
    if (!(cnt <= 1e7))
        return zs_error(err, ZSTR_ERANGE,
                        "zstr_frequencies_log: %.0f frequencies is more than 10^7", cnt);
    int64_t m = (int64_t)cnt;
    double *f = zs_malloc_array((size_t)m, sizeof *f);
    if (f == NULL)
        return zs_error(err, ZSTR_ENOMEM, "zstr_frequencies_log: out of memory");
    for (int64_t k = 1; k + 1 < m; k++)
        f[k] = pow(10.0, llo + decades * (double)k / (double)(m - 1));
    /* the ends exactly as given; one point (the count rounds to 1) is f_lo */
    f[0] = lo;
    if (m > 1)
        f[m - 1] = hi;
    *out = f;
    *n = m;
    return ZSTR_OK;
}
