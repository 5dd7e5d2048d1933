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

int zs_cholmod_predict_lnz(const zs_pencil *p, int ordering, double *lnz, zstr_error *err)
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
    cholmod_sparse *a = NULL;
    cholmod_dense *bw = NULL, *x = NULL, *dx = NULL;
    cholmod_factor *l = NULL;
    double *r = NULL;
    if (dc_net_build(p, &d) != ZSTR_OK || (a = dc_matrix(p, &d, &c)) == NULL ||
        (bw = cholmod_l_zeros((size_t)d.nk, 1, CHOLMOD_REAL, &c)) == NULL ||
        (r = zs_malloc_array((size_t)d.nk + 1, sizeof *r)) == NULL) {
        rc = zs_error(err, ZSTR_ENOMEM, "zstr_dc_resistance: out of memory for %lld unknowns",
                      (long long)d.nk);
        goto done;
    }
    l = cholmod_l_analyze(a, &c);
    if (l == NULL || !cholmod_l_factorize(a, l, &c) || c.status != CHOLMOD_OK) {
        if (c.status == CHOLMOD_OUT_OF_MEMORY)
            rc = zs_error(err, ZSTR_ENOMEM, "DC: out of memory for the Cholesky factor of "
                                            "%lld unknowns",
                          (long long)d.nk);
        else
            rc = zs_error(err, ZSTR_ESOLVER,
                          "DC: the Cholesky factorization of G broke down (CHOLMOD status %d: "
                          "a pivot lost every digit); %s, beyond what double precision "
                          "resolves",
                          c.status, why);
        goto done;
    }
    /* b: the WE branches at 1 V */
    memset(r, 0, (size_t)d.nk * sizeof *r);
    for (int64_t k = 0; k < d.nb; k++) {
        if (d.b[k] == ZS_NODE_WE)
            r[d.keep[d.a[k]]] += d.g[k];
    }
    x = dc_factor_solve(&d, l, r, bw, &c);
    double power = 0.0, eta = INFINITY, eta0 = INFINITY;
    int steps = 0;
    while (x != NULL && steps < ZS_REFINE_MAX) {
        double *xv = x->x;
        dc_residual(&d, xv, r);
        dx = dc_factor_solve(&d, l, r, bw, &c);
        if (dx == NULL)
            break;
        double *dv = dx->x;
        power = dc_power(&d, xv, 1.0);
        double e = dc_power(&d, dv, 0.0) / power;
        steps++;
        if (!(e < 0.25 * eta) && steps > 1) {
            cholmod_l_free_dense(&dx, &c);
            break; /* no longer contracting: x is as good as this factor makes it */
        }
        if (steps == 1)
            eta0 = e;
        eta = e;
        for (int64_t i = 0; i < d.nk; i++)
            xv[i] += dv[i];
        cholmod_l_free_dense(&dx, &c);
        if (eta <= ZS_Z_RELTOL * 1e-6)
            break;
    }
    if (x == NULL) {
        rc = zs_error(err, c.status == CHOLMOD_OUT_OF_MEMORY ? ZSTR_ENOMEM : ZSTR_ESOLVER,
                      "DC: CHOLMOD solve failed (status %d)", c.status);
        goto done;
    }
    power = dc_power(&d, x->x, 1.0);
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
    res->factor_nnz = c.lnz;
done:
    cholmod_l_free_dense(&x, &c);
    cholmod_l_free_dense(&dx, &c);
    cholmod_l_free_factor(&l, &c);
    cholmod_l_free_dense(&bw, &c);
    cholmod_l_free_sparse(&a, &c);
    cholmod_l_finish(&c);
    dc_net_free(&d);
    free(r);
    res->seconds = zs_wall_seconds() - t0;
    return rc;
}
