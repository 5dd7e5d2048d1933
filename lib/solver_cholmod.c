/*
 * solver_cholmod.c — the real symmetric side: DC resistance from G with
 * CHOLMOD, and CHOLMOD's analysis of the pattern to predict the size of the
 * complex LU before it is made.
 *
 * DC.  At s = 0 only conductive elements count.  Nodes that no conductive path
 * joins to an electrode (classified during assembly) make G singular, so they are
 * dropped: the reduced G over the remaining nodes is symmetric positive definite
 * (each of its components touches a Dirichlet electrode).  V_WE = 1 gives the
 * right-hand side; R_DC = 1 / I with I the current out of the WE.
 *
 * Prediction.  Y(jω) has the symmetric pattern of G + C, and UMFPACK's
 * symmetric strategy pivots on the diagonal with an AMD/METIS ordering of that
 * pattern, so nnz(L+U) of the complex LU ≈ 2·nnz(L) − n of the real Cholesky
 * factor that CHOLMOD's symbolic analysis counts without any numerical work.
 */
#include "zs_plan.h"

#include <cholmod.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void chol_start(cholmod_common *c, int ordering)
{
    cholmod_l_start(c);
    c->print = 0;
    c->error_handler = NULL;
    c->nmethods = 1;
    c->method[0].ordering = ordering == ZSTR_ORDERING_AMD ? CHOLMOD_AMD : CHOLMOD_METIS;
    c->postorder = 1;
}

/* Upper triangle of the pattern restricted to nodes with keep[i] >= 0
 * (keep[i] = new index), values from Gx when vals != NULL. */
static cholmod_sparse *upper_submatrix(const zs_pencil *p, const int64_t *keep, int64_t nk,
                                       const double *vals, cholmod_common *c)
{
    int64_t nz = 0;
    for (int64_t j = 0; j < p->n; j++) {
        if (keep != NULL && keep[j] < 0)
            continue;
        int64_t jn = keep ? keep[j] : j;
        for (int64_t k = p->Ap[j]; k < p->Ap[j + 1]; k++) {
            int64_t i = p->Ai[k];
            if (keep != NULL && keep[i] < 0)
                continue;
            if ((keep ? keep[i] : i) <= jn)
                nz++;
        }
    }
    cholmod_sparse *a = cholmod_l_allocate_sparse((size_t)nk, (size_t)nk, (size_t)nz, 1, 1, 1,
                                                  vals ? CHOLMOD_REAL : CHOLMOD_PATTERN, c);
    if (a == NULL)
        return NULL;
    SuiteSparse_long *ap = a->p, *ai = a->i;
    double *ax = a->x;
    int64_t w = 0;
    ap[0] = 0;
    /* new indices preserve the old order, so rows stay sorted */
    for (int64_t j = 0; j < p->n; j++) {
        if (keep != NULL && keep[j] < 0)
            continue;
        int64_t jn = keep ? keep[j] : j;
        for (int64_t k = p->Ap[j]; k < p->Ap[j + 1]; k++) {
            int64_t i = p->Ai[k];
            if (keep != NULL && keep[i] < 0)
                continue;
            int64_t in = keep ? keep[i] : i;
            if (in <= jn) {
                ai[w] = in;
                if (ax != NULL)
                    ax[w] = vals[k];
                w++;
            }
        }
        ap[jn + 1] = w;
    }
    return a;
}

int zs_cholmod_predict_lnz(const zs_pencil *p, int ordering, double *lnz, zstr_error *err)
{
    cholmod_common c;
    chol_start(&c, ordering);
    cholmod_sparse *a = upper_submatrix(p, NULL, p->n, NULL, &c);
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
    zstr_dc_result full;
    rc = dc_solve(plan, &full, err);
    size_t size = result->size;
    memcpy(result, &full, size);
    result->size = size;
    return rc;
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
    int64_t *keep = zs_malloc_array((size_t)p->n, sizeof *keep);
    if (keep == NULL)
        return zs_error(err, ZSTR_ENOMEM, "zstr_dc_resistance: out of memory");
    int64_t nk = 0;
    for (int64_t i = 0; i < p->n; i++)
        keep[i] = p->dc_class[i] != 0 ? nk++ : -1;

    cholmod_common c;
    chol_start(&c, plan->info.ordering);
    int rc = ZSTR_OK;
    cholmod_sparse *a = upper_submatrix(p, keep, nk, p->Gx, &c);
    cholmod_dense *b = a ? cholmod_l_zeros((size_t)nk, 1, CHOLMOD_REAL, &c) : NULL;
    cholmod_factor *l = NULL;
    cholmod_dense *x = NULL;
    if (b == NULL) {
        rc = zs_error(err, ZSTR_ENOMEM, "zstr_dc_resistance: out of memory");
        goto done;
    }
    double *bx = b->x;
    for (int64_t k = 0; k < p->nwe; k++) {
        const zs_elem *el = &p->elem[p->we_elem[k]];
        if (keep[el->a] >= 0)
            bx[keep[el->a]] += el->g;
    }
    l = cholmod_l_analyze(a, &c);
    if (l == NULL || !cholmod_l_factorize(a, l, &c) || c.status != CHOLMOD_OK) {
        rc = zs_error(err, c.status == CHOLMOD_NOT_POSDEF ? ZSTR_ESINGULAR : ZSTR_ESOLVER,
                      "CHOLMOD factorization of G failed (status %d)", c.status);
        goto done;
    }
    x = cholmod_l_solve(CHOLMOD_A, l, b, &c);
    if (x == NULL) {
        rc = zs_error(err, ZSTR_ESOLVER, "CHOLMOD solve failed (status %d)", c.status);
        goto done;
    }
    const double *v = x->x;
    double cur = 0.0;
    for (int64_t k = 0; k < p->nwe; k++) {
        const zs_elem *el = &p->elem[p->we_elem[k]];
        double va = keep[el->a] >= 0 ? v[keep[el->a]] : 0.0;
        cur += el->g * (1.0 - va);
    }
    if (!(cur > 0.0) || !isfinite(cur)) {
        rc = zs_error(err, ZSTR_ESOLVER, "DC solve gave a non-positive current %g A", cur);
        goto done;
    }
    res->resistance = 1.0 / cur;
    res->n_solved = nk;
    res->factor_nnz = c.lnz;
done:
    cholmod_l_free_dense(&x, &c);
    cholmod_l_free_factor(&l, &c);
    cholmod_l_free_dense(&b, &c);
    cholmod_l_free_sparse(&a, &c);
    cholmod_l_finish(&c);
    free(keep);
    res->seconds = zs_wall_seconds() - t0;
    return rc;
}
