/*
 * solver_cholmod.c — the real symmetric side: DC resistance from G with
 * CHOLMOD, and CHOLMOD's analysis of the pattern to predict the size of the
 * complex LU before it is made.
 *
 * DC.  At s = 0 only conductive elements count.  Nodes that no conductive path
 * joins to an electrode (classified during assembly) make G singular, so they are
 * dropped: the reduced G over the remaining nodes is symmetric positive definite
 * (each of its components touches a Dirichlet electrode).  V_WE = 1 gives the
 * right-hand side.
 *
 * Accuracy at high contrast (issue 6, item 3).  Three causes were measured:
 *  1. The internal nodes of a branch (half voxel | GB | half voxel with
 *     different τ) join a tiny and a large conductance in series; eliminating
 *     such a node subtracts numbers of the large size to leave one of the tiny
 *     size, so with bulk 1e-15 S/m against a GB of 5.97e-4 S/m R_DC was 40 %
 *     low and at 1e-18 a pivot went negative (CHOLMOD status 1).  At DC an
 *     internal node carries no capacitive current, so it is eliminated exactly
 *     by summing the chain in series, 1/Σ(1/g_k), a sum of positive terms:
 *     the DC network here lives on the voxel nodes only.
 *  2. The current summed on the WE side, Σ g (1 − v), cancels when a
 *     conductive layer lifts the top voxels to 1 V (8e-4 error at 1e14).
 *     Neither side is used: I is the dissipated power at 1 V,
 *     P(v) = Σ_b g_b (Δ_b v)², a sum of positive terms.  P is minimal at the
 *     exact v* (Dirichlet's principle) and P(v) − P(v*) = ‖v − v*‖²_G, so its
 *     error is second order in the potentials' error.
 *  3. The factor itself: G is scaled symmetrically, S G S with S = diag(G)^(-1/2)
 *     (exact, unit diagonal, scale-free pivots), and the solve is refined with a
 *     residual computed from the branch currents g (v_a − v_b), which holds no
 *     large cancelling terms; each step costs one solve with the same factor.
 * Refusal.  A small residual does not make R_DC right when the factor is poor,
 * so the estimate is the energy of the last correction d = F⁻¹r relative to
 * P: for a factor F = G + E with ‖G^(-1/2) E G^(-1/2)‖ = θ < 1 it is within a
 * factor 1 ± θ of ‖v − v*‖²_G / P, the relative error of P.  R_DC is returned
 * when 2·(that) + rounding is below ZS_Z_RELTOL, the refinement contracted (each
 * step shrinks the estimate at least 4-fold, so θ < 1/2), and refused otherwise
 * with ZSTR_ESOLVER naming the two materials of largest conductance contrast.
 * Measured (tests/test_contrast.c): layered and parallel stacks exact to 4e-15
 * up to contrast 1e16, except a conductive layer floating between resistive
 * ones, refused at 1e16; Voronoi grains: resistive bulk answered down to
 * 1e-21 S/m (contrast 6e17 to the GB), conductive bulk answered to 1e14 S/m and
 * refused at 1e30.
 *
 * Iterative.  A plan for the iterative backend (zstr_options.backend, or auto
 * where CHOLMOD's factor would not fit) makes no Cholesky factor here either:
 * the same scaled S G S goes to that backend (CG + AMG, a backward error of
 * 1e-12 per solve), and the same refinement and estimate decide, so R_DC is
 * held to the same ZS_Z_RELTOL (tests/test_mor.c compares it with CHOLMOD's).
 *
 * Prediction.  Y(jω) has the symmetric pattern of G + C, and UMFPACK's
 * symmetric strategy pivots on the diagonal with an AMD/METIS ordering of that
 * pattern, so nnz(L+U) of the complex LU ≈ 2·nnz(L) − n of the real Cholesky
 * factor that CHOLMOD's symbolic analysis counts without any numerical work.
 */
#include "zs_backend.h"
#include "zs_plan.h"

#include <cholmod.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void zs_cholmod_start(cholmod_common *c, int ordering)
{
    cholmod_l_start(c);
    c->print = 0;
    c->error_handler = NULL;
    c->nmethods = 1;
    c->method[0].ordering = ordering == ZSTR_ORDERING_AMD ? CHOLMOD_AMD : CHOLMOD_METIS;
    c->postorder = 1;
}

/* The pencil's pattern as CHOLMOD's upper triangle (stype 1), 64-bit rows. */
static cholmod_sparse *upper_pattern(const zs_pencil *p, cholmod_common *c)
{
    cholmod_sparse *a = cholmod_l_allocate_sparse((size_t)p->n, (size_t)p->n, (size_t)p->nnz, 1,
                                                  1, 1, CHOLMOD_PATTERN, c);
    if (a == NULL)
        return NULL;
    SuiteSparse_long *ap = a->p, *ai = a->i;
    for (int64_t j = 0; j <= p->n; j++)
        ap[j] = p->Ap[j];
    for (int64_t q = 0; q < p->nnz; q++)
        ai[q] = p->Ai[q];
    return a;
}

int zs_cholmod_predict_lnz(const zs_pencil *p, int ordering, double *lnz, double *flops,
                           zstr_error *err)
{
    cholmod_common c;
    zs_cholmod_start(&c, ordering);
    cholmod_sparse *a = upper_pattern(p, &c);
    cholmod_factor *l = a ? cholmod_l_analyze(a, &c) : NULL;
    int rc = ZSTR_OK;
    if (l == NULL) {
        if (c.status == CHOLMOD_OUT_OF_MEMORY)
            rc = zs_error(err, ZSTR_ENOMEM,
                          "out of memory in CHOLMOD's analysis of %lld unknowns (%lld entries)",
                          (long long)p->n, (long long)p->nnz);
        else
            rc = zs_error(err, ZSTR_ESOLVER,
                          "CHOLMOD's analysis of the pattern failed (CHOLMOD status %d)",
                          c.status);
    } else {
        *lnz = c.lnz;
        *flops = c.fl;
    }
    cholmod_l_free_factor(&l, &c);
    cholmod_l_free_sparse(&a, &c);
    cholmod_l_finish(&c);
    return rc;
}

void zstr_dc_result_init(zstr_dc_result *result)
{
    if (result == NULL)
        return;
    memset(result, 0, sizeof *result);
    result->size = sizeof *result;
}

static int dc_solve(const zstr_plan *plan, zstr_dc_result *res, zstr_error *err);

/* The caller's record may be older (smaller) than ours: solve into a full one
 * and copy the part its size covers. */
int zstr_dc_resistance(const zstr_plan *plan, zstr_dc_result *result, zstr_error *err)
{
    zs_error_clear(err);
    if (plan == NULL || result == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_dc_resistance: NULL argument");
    int rc = zs_check_size(result->size, ZS_SIZE_UPTO(zstr_dc_result, seconds),
                           sizeof *result, "zstr_dc_result", err);
    if (rc != ZSTR_OK)
        return rc;
    /* solved once per plan (zs_plan.h): the lock is the plan's only mutable
     * part, which is why the const is cast away here and nowhere else */
    zstr_plan *mp = (zstr_plan *)plan;
    zstr_dc_result full;
    pthread_mutex_lock(&mp->dc_lock);
    if (mp->dc_state == 0) {
        zs_error_clear(&mp->dc_err);
        mp->dc_rc = dc_solve(plan, &mp->dc, &mp->dc_err);
        mp->dc_state = mp->dc_rc != ZSTR_ENOMEM; /* memory may be found later */
    }
    full = mp->dc;
    rc = mp->dc_rc;
    if (err != NULL)
        *err = mp->dc_err;
    pthread_mutex_unlock(&mp->dc_lock);
    size_t size = result->size;
    memcpy(result, &full, size);
    result->size = size;
    return rc;
}

/* ---- the DC network on the voxel nodes ------------------------------------ */

/* One DC branch: conductance g between voxel a and voxel b (or an electrode). */
typedef struct dc_net {
    int64_t nb;       /* branches with g > 0 */
    int64_t *a, *b;   /* b: voxel, ZS_NODE_WE or ZS_NODE_CE */
    double *g;
    int64_t nk;       /* unknowns: the voxels that conduct to an electrode */
    int64_t *keep;    /* voxel -> unknown, or -1 */
    double *s;        /* nk Jacobi scale factors 1/sqrt(G_ii) */
} dc_net;

static void dc_net_free(dc_net *d)
{
    free(d->a);
    free(d->b);
    free(d->g);
    free(d->keep);
    free(d->s);
}

/* Collects the conducting branches of kept voxels (zs_pencil_branches). */
static int dc_take(void *ctx, const zs_branch *br)
{
    dc_net *d = ctx;
    if (d->keep[br->a] < 0 || !(br->g_series > 0.0))
        return 0;
    d->a[d->nb] = br->a;
    d->b[d->nb] = br->b;
    d->g[d->nb++] = br->g_series;
    return 0;
}

static int dc_net_build(const zs_pencil *p, dc_net *d)
{
    memset(d, 0, sizeof *d);
    int64_t cap = 3 * p->nvox + p->elec[ZSTR_WE].n + p->elec[ZSTR_CE].n;
    d->a = zs_malloc_array((size_t)cap, sizeof *d->a);
    d->b = zs_malloc_array((size_t)cap, sizeof *d->b);
    d->g = zs_malloc_array((size_t)cap, sizeof *d->g);
    d->keep = zs_malloc_array((size_t)p->nvox, sizeof *d->keep);
    if (d->a == NULL || d->b == NULL || d->g == NULL || d->keep == NULL)
        return ZSTR_ENOMEM;
    for (int64_t i = 0; i < p->nvox; i++)
        d->keep[i] = p->dc_class[i] != 0 ? d->nk++ : -1;
    d->s = zs_calloc_array((size_t)d->nk + 1, sizeof *d->s);
    if (d->s == NULL)
        return ZSTR_ENOMEM;
    /* each branch's chain summed in series: 1/Σ(1/g_k), positive terms only */
    zs_pencil_branches(p, dc_take, d);
    /* Jacobi scale: s_i = 1/sqrt(G_ii) */
    for (int64_t k = 0; k < d->nb; k++) {
        d->s[d->keep[d->a[k]]] += d->g[k];
        if (d->b[k] >= 0)
            d->s[d->keep[d->b[k]]] += d->g[k];
    }
    for (int64_t i = 0; i < d->nk; i++)
        d->s[i] = 1.0 / sqrt(d->s[i]);
    return ZSTR_OK;
}

/* Upper triangle of S G S (S = diag(s)) over the kept voxels.  Column j holds
 * its -z, -y, -x neighbours (lower voxel indices, so rows come sorted) and the
 * diagonal, which is exactly 1. */
static cholmod_sparse *dc_matrix(const zs_pencil *p, const dc_net *d, cholmod_common *c)
{
    /* neighbour lists from the branch list: branches with both ends voxels */
    int64_t *cnt = zs_calloc_array((size_t)d->nk + 1, sizeof *cnt);
    if (cnt == NULL)
        return NULL;
    int64_t nz = d->nk;
    for (int64_t k = 0; k < d->nb; k++) {
        if (d->b[k] >= 0) {
            cnt[d->keep[d->b[k]] + 1]++; /* a < b: the entry sits in column b */
            nz++;
        }
    }
    cholmod_sparse *A = cholmod_l_allocate_sparse((size_t)d->nk, (size_t)d->nk, (size_t)nz, 1,
                                                  1, 1, CHOLMOD_REAL, c);
    if (A == NULL) {
        free(cnt);
        return NULL;
    }
    SuiteSparse_long *Ap = A->p, *Ai = A->i;
    double *Ax = A->x;
    Ap[0] = 0;
    for (int64_t j = 0; j < d->nk; j++)
        Ap[j + 1] = Ap[j] + cnt[j + 1] + 1;
    for (int64_t j = 0; j < d->nk; j++)
        cnt[j] = Ap[j];
    /* branches are listed by voxel a ascending within each direction pass, so
     * fill per column then sort the few rows of each column */
    for (int64_t k = 0; k < d->nb; k++) {
        if (d->b[k] < 0)
            continue;
        int64_t i = d->keep[d->a[k]], j = d->keep[d->b[k]];
        Ai[cnt[j]] = i;
        Ax[cnt[j]++] = -d->g[k] * d->s[i] * d->s[j];
    }
    for (int64_t j = 0; j < d->nk; j++) {
        Ai[cnt[j]] = j;
        Ax[cnt[j]] = 1.0;
        for (int64_t q = Ap[j] + 1; q < Ap[j + 1]; q++) { /* insertion sort, <= 4 rows */
            SuiteSparse_long ti = Ai[q];
            double tx = Ax[q];
            int64_t r = q - 1;
            while (r >= Ap[j] && Ai[r] > ti) {
                Ai[r + 1] = Ai[r];
                Ax[r + 1] = Ax[r];
                r--;
            }
            Ai[r + 1] = ti;
            Ax[r + 1] = tx;
        }
    }
    free(cnt);
    (void)p;
    return A;
}

/* Both triangles of S G S over the kept voxels as a system for the iterative
 * backend (C = 0, no port; rows sorted, unit diagonal). */
static int dc_system(const dc_net *d, zs_system *s)
{
    memset(s, 0, sizeof *s);
    const int64_t n = d->nk;
    int64_t *pos = zs_calloc_array((size_t)n + 1, sizeof *pos);
    if (pos == NULL)
        return ZSTR_ENOMEM;
    int64_t nnz = n;
    for (int64_t k = 0; k < d->nb; k++) {
        if (d->b[k] >= 0) {
            pos[d->keep[d->a[k]]]++;
            pos[d->keep[d->b[k]]]++;
            nnz += 2;
        }
    }
    s->n = n;
    s->nnz = nnz;
    s->port = -1;
    s->port_electrode = ZSTR_WE;
    s->g_definite = 1; /* floating voxels are not in it */
    s->Ap = zs_malloc_array((size_t)n + 1, sizeof *s->Ap);
    s->Ai = zs_malloc_array((size_t)(nnz > 0 ? nnz : 1), sizeof *s->Ai);
    s->Gx = zs_malloc_array((size_t)(nnz > 0 ? nnz : 1), sizeof *s->Gx);
    s->Cx = zs_calloc_array((size_t)(nnz > 0 ? nnz : 1), sizeof *s->Cx);
    if (s->Ap == NULL || s->Ai == NULL || s->Gx == NULL || s->Cx == NULL) {
        free(pos);
        zs_system_free(s);
        return ZSTR_ENOMEM;
    }
    s->Ap[0] = 0;
    for (int64_t j = 0; j < n; j++) {
        s->Ap[j + 1] = s->Ap[j] + pos[j] + 1;
        pos[j] = s->Ap[j];
        s->Ai[pos[j]] = j; /* the diagonal, sorted into place below */
        s->Gx[pos[j]++] = 1.0;
    }
    for (int64_t k = 0; k < d->nb; k++) {
        if (d->b[k] < 0)
            continue;
        int64_t i = d->keep[d->a[k]], j = d->keep[d->b[k]];
        double v = -d->g[k] * d->s[i] * d->s[j];
        s->Ai[pos[j]] = i;
        s->Gx[pos[j]++] = v;
        s->Ai[pos[i]] = j;
        s->Gx[pos[i]++] = v;
    }
    for (int64_t j = 0; j < n; j++) {
        for (int64_t q = s->Ap[j] + 1; q < s->Ap[j + 1]; q++) { /* <= 7 rows */
            int64_t ti = s->Ai[q];
            double tx = s->Gx[q];
            int64_t r = q - 1;
            while (r >= s->Ap[j] && s->Ai[r] > ti) {
                s->Ai[r + 1] = s->Ai[r];
                s->Gx[r + 1] = s->Gx[r];
                r--;
            }
            s->Ai[r + 1] = ti;
            s->Gx[r + 1] = tx;
        }
    }
    free(pos);
    return ZSTR_OK;
}

/* The DC solves: x = S K⁻¹ S rhs with K = S G S, by CHOLMOD's factor or (a
 * plan for the iterative backend, which makes no Cholesky factor) by CG + AMG
 * stopping at a backward error of 1e-12, refined below like the factor. */
typedef struct dc_op {
    cholmod_factor *l; /* direct */
    cholmod_common *c;
    cholmod_dense *work;
    const zs_backend *be; /* iterative */
    zs_system sys;
    void *sym, *num;
    double *w;
} dc_op;

/* Potential of a branch end: the unknown, or the electrode's fixed value. */
static double dc_end(const dc_net *d, const double *v, int64_t b)
{
    return b >= 0 ? v[d->keep[b]] : (b == ZS_NODE_WE ? 1.0 : 0.0);
}

/* r = b - G v element by element: the current each node loses, summed from the
 * branch currents g (v_a - v_b), which carry no cancellation of large terms. */
static void dc_residual(const dc_net *d, const double *v, double *r)
{
    memset(r, 0, (size_t)d->nk * sizeof *r);
    for (int64_t k = 0; k < d->nb; k++) {
        double i = d->g[k] * (v[d->keep[d->a[k]]] - dc_end(d, v, d->b[k]));
        r[d->keep[d->a[k]]] -= i;
        if (d->b[k] >= 0)
            r[d->keep[d->b[k]]] += i;
    }
}

/* Σ g (Δv)² with the electrodes at `we` and 0 V, compensated (Neumaier) sum. */
static double dc_power(const dc_net *d, const double *v, double we)
{
    double sum = 0.0, comp = 0.0;
    for (int64_t k = 0; k < d->nb; k++) {
        double vb = d->b[k] >= 0 ? v[d->keep[d->b[k]]] : (d->b[k] == ZS_NODE_WE ? we : 0.0);
        double dv = v[d->keep[d->a[k]]] - vb;
        double t = d->g[k] * dv * dv, u = sum + t;
        comp += fabs(sum) >= fabs(t) ? (sum - u) + t : (t - u) + sum;
        sum = u;
    }
    return sum + comp;
}

/* x = S F^{-1} S rhs; NULL on failure. */
static cholmod_dense *dc_factor_solve(const dc_net *d, cholmod_factor *l, const double *rhs,
                               cholmod_dense *work, cholmod_common *c)
{
    double *w = work->x;
    for (int64_t i = 0; i < d->nk; i++)
        w[i] = d->s[i] * rhs[i];
    cholmod_dense *x = cholmod_l_solve(CHOLMOD_A, l, work, c);
    if (x == NULL)
        return NULL;
    double *xv = x->x;
    for (int64_t i = 0; i < d->nk; i++)
        xv[i] *= d->s[i];
    return x;
}

/* x = S K⁻¹ S rhs by either solver (x has nk entries). */
static int dc_apply(const dc_net *d, dc_op *o, const double *rhs, double *x, zstr_error *err)
{
    if (o->be != NULL) {
        for (int64_t i = 0; i < d->nk; i++)
            o->w[i] = d->s[i] * rhs[i];
        int rc = o->be->solve(&o->sys, o->sym, o->num, 1, o->w, x, err);
        for (int64_t i = 0; i < d->nk && rc == ZSTR_OK; i++)
            x[i] *= d->s[i];
        return rc;
    }
    cholmod_dense *xx = dc_factor_solve(d, o->l, rhs, o->work, o->c);
    if (xx == NULL)
        return zs_error(err, o->c->status == CHOLMOD_OUT_OF_MEMORY ? ZSTR_ENOMEM : ZSTR_ESOLVER,
                        "DC: CHOLMOD solve failed (status %d)", o->c->status);
    memcpy(x, xx->x, (size_t)d->nk * sizeof *x);
    cholmod_l_free_dense(&xx, o->c);
    return ZSTR_OK;
}

static int dc_solve(const zstr_plan *plan, zstr_dc_result *res, zstr_error *err)
{
    const zs_pencil *p = &plan->p;
    double t0 = zs_wall_seconds();
    zstr_dc_result_init(res);
    res->n_floating = p->n_floating;
    if (p->open_circuit) {
        res->resistance = INFINITY;
        res->open_circuit = 1;
        res->seconds = zs_wall_seconds() - t0;
        return zs_error(err, ZSTR_WOPEN_CIRCUIT,
                        "no conductive path joins the working and counter electrodes: "
                        "R_DC is infinite");
    }
    char why[400];
    zs_contrast_text(p, why, sizeof why);
    dc_net d;
    cholmod_common c;
    zs_cholmod_start(&c, plan->info.ordering);
    int rc = ZSTR_OK;
    const int iterative = plan->info.backend == ZSTR_BACKEND_ITERATIVE;
    dc_op op;
    memset(&op, 0, sizeof op);
    op.c = &c;
    cholmod_sparse *a = NULL;
    double *r = NULL, *x = NULL, *dx = NULL;
    int built = dc_net_build(p, &d) == ZSTR_OK;
    size_t nk1 = (size_t)d.nk + 1;
    if (built) {
        r = zs_malloc_array(nk1, sizeof *r);
        x = zs_calloc_array(nk1, sizeof *x);
        dx = zs_calloc_array(nk1, sizeof *dx);
        if (iterative) {
            op.w = zs_malloc_array(nk1, sizeof *op.w);
            built = op.w != NULL && dc_system(&d, &op.sys) == ZSTR_OK;
        } else {
            built = (a = dc_matrix(p, &d, &c)) != NULL &&
                    (op.work = cholmod_l_zeros((size_t)d.nk, 1, CHOLMOD_REAL, &c)) != NULL;
        }
    }
    if (!built || r == NULL || x == NULL || dx == NULL) {
        rc = zs_error(err, ZSTR_ENOMEM, "zstr_dc_resistance: out of memory for %lld unknowns",
                      (long long)d.nk);
        goto done;
    }
    if (iterative) {
        op.be = zs_backend_iterative();
        op.sys.solve_tol = 1e-12;
        if (op.be == NULL) {
            rc = zs_error(err, ZSTR_EUNSUPPORTED, "DC: this libzstr has no iterative backend");
            goto done;
        }
        rc = op.be->analyse(&op.sys, plan->info.ordering, &op.sym, err);
        if (rc == ZSTR_OK)
            rc = op.be->factor(&op.sys, op.sym, 0.0, 0.0, &op.num, err);
        if (rc != ZSTR_OK)
            goto done;
    } else {
        op.l = cholmod_l_analyze(a, &c);
        if (op.l == NULL || !cholmod_l_factorize(a, op.l, &c) || c.status != CHOLMOD_OK) {
            if (c.status == CHOLMOD_OUT_OF_MEMORY)
                rc = zs_error(err, ZSTR_ENOMEM, "DC: out of memory for the Cholesky factor of "
                                                "%lld unknowns",
                              (long long)d.nk);
            else
                rc = zs_error(err, ZSTR_ESOLVER,
                              "DC: the Cholesky factorization of G broke down (CHOLMOD status "
                              "%d: a pivot lost every digit); %s, beyond what double precision "
                              "resolves",
                              c.status, why);
            goto done;
        }
    }
    /* b: the WE branches at 1 V */
    memset(r, 0, (size_t)d.nk * sizeof *r);
    for (int64_t k = 0; k < d.nb; k++) {
        if (d.b[k] == ZS_NODE_WE)
            r[d.keep[d.a[k]]] += d.g[k];
    }
    rc = dc_apply(&d, &op, r, x, err);
    double power = 0.0, eta = INFINITY, eta0 = INFINITY;
    int steps = 0;
    while (rc == ZSTR_OK && steps < ZS_REFINE_MAX) {
        dc_residual(&d, x, r);
        rc = dc_apply(&d, &op, r, dx, err);
        if (rc != ZSTR_OK)
            break;
        power = dc_power(&d, x, 1.0);
        double e = dc_power(&d, dx, 0.0) / power;
        steps++;
        if (!(e < 0.25 * eta) && steps > 1)
            break; /* no longer contracting: x is as good as this factor makes it */
        if (steps == 1)
            eta0 = e;
        eta = e;
        for (int64_t i = 0; i < d.nk; i++)
            x[i] += dx[i];
        if (eta <= ZS_Z_RELTOL * 1e-6)
            break;
    }
    if (rc != ZSTR_OK)
        goto done;
    power = dc_power(&d, x, 1.0);
    /* the estimate: the energy of the last correction relative to the power
     * (second order), with a factor 2 for a factor accurate only to θ < 1/2, plus
     * the rounding of the compensated sum */
    double est = 2.0 * eta + 4.0 * DBL_EPSILON;
    if (!(power > 0.0) || !isfinite(power) || !(est <= ZS_Z_RELTOL) ||
        (eta0 > 0.25 && steps < 2)) {
        rc = zs_error(err, ZSTR_ESOLVER,
                      "DC: solution not accurate: estimated relative error of R_DC %.2g after "
                      "%d refinement steps (first %.2g); %s",
                      est, steps, eta0, why);
        goto done;
    }
    res->resistance = 1.0 / power;
    /* the nodes whose potential the solve determines: the kept voxels, and the
     * internal nodes of their chains, eliminated exactly by the series sums */
    for (int64_t i = 0; i < p->n; i++)
        res->n_solved += p->dc_class[i] != 0;
    res->factor_nnz = iterative ? 0.0 : c.lnz;
done:
    if (op.be != NULL) {
        op.be->free_numeric(op.num);
        op.be->free_symbolic(op.sym);
    }
    zs_system_free(&op.sys);
    free(op.w);
    cholmod_l_free_factor(&op.l, &c);
    cholmod_l_free_dense(&op.work, &c);
    cholmod_l_free_sparse(&a, &c);
    cholmod_l_finish(&c);
    dc_net_free(&d);
    free(r);
    free(x);
    free(dx);
    res->seconds = zs_wall_seconds() - t0;
    return rc;
}
