/*
 * backend_cholmod.c — the real symmetric positive-definite backend: CHOLMOD's
 * supernodal Cholesky of G + σC for real shifts σ >= 0.
 *
 * One symbolic analysis (METIS or AMD ordering, supernodal structure) is made
 * from the pattern and kept; every shift copies that symbolic factor and
 * factors the new values into it, so the ordering runs once per system
 * whatever the number of shifts.  Each numeric object owns its own
 * cholmod_common, so numeric objects of one symbolic may be used from
 * different threads.  A matrix that is not positive definite at the shift
 * (σ = 0 with a floating region, or values that are not finite) is reported as
 * ZSTR_ESINGULAR with the column CHOLMOD stopped at.
 */
#include "zs_backend.h"

#include <cholmod.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct chol_symbolic {
    cholmod_common c;
    cholmod_factor *L; /* symbolic only */
    int64_t nnz_upper;
} chol_symbolic;

typedef struct chol_numeric {
    cholmod_common c;
    cholmod_factor *L;
    cholmod_sparse *A; /* upper triangle with the shifted values */
    double shift;
} chol_numeric;

/* Upper triangle of the system's pattern, values G + σC when xtype is REAL. */
static cholmod_sparse *upper(const zs_system *s, int64_t nnz_upper, int xtype, double sigma,
                             cholmod_common *c)
{
    cholmod_sparse *a =
        cholmod_l_allocate_sparse((size_t)s->n, (size_t)s->n, (size_t)nnz_upper, 1, 1, 1, xtype, c);
    if (a == NULL)
        return NULL;
    SuiteSparse_long *ap = a->p, *ai = a->i;
    double *ax = a->x;
    int64_t q = 0;
    for (int64_t j = 0; j < s->n; j++) {
        ap[j] = q;
        for (int64_t k = s->Ap[j]; k < s->Ap[j + 1] && s->Ai[k] <= j; k++) {
            ai[q] = s->Ai[k];
            if (ax != NULL)
                ax[q] = s->Gx[k] + sigma * s->Cx[k];
            q++;
        }
    }
    ap[s->n] = q;
    return a;
}

static int chol_error(cholmod_common *c, const char *what, zstr_error *err)
{
    if (c->status == CHOLMOD_OUT_OF_MEMORY)
        return zs_error(err, ZSTR_ENOMEM, "out of memory in CHOLMOD's %s", what);
    return zs_error(err, ZSTR_ESOLVER, "CHOLMOD's %s failed (CHOLMOD status %d)", what,
                    c->status);
}

static void chol_free_symbolic(void *sym)
{
    chol_symbolic *y = sym;
    if (y == NULL)
        return;
    cholmod_l_free_factor(&y->L, &y->c);
    cholmod_l_finish(&y->c);
    free(y);
}

static int chol_analyse(const zs_system *s, int ordering, void **out, zstr_error *err)
{
    *out = NULL;
    chol_symbolic *y = calloc(1, sizeof *y);
    if (y == NULL)
        return zs_error(err, ZSTR_ENOMEM, "out of memory for CHOLMOD's analysis");
    zs_cholmod_start(&y->c, ordering);
    for (int64_t j = 0; j < s->n; j++)
        for (int64_t k = s->Ap[j]; k < s->Ap[j + 1] && s->Ai[k] <= j; k++)
            y->nnz_upper++;
    cholmod_sparse *a = upper(s, y->nnz_upper, CHOLMOD_PATTERN, 0.0, &y->c);
    y->L = a != NULL ? cholmod_l_analyze(a, &y->c) : NULL;
    cholmod_l_free_sparse(&a, &y->c);
    /* the common's workspace (several n-vectors) is not needed to keep the
     * symbolic factor: each shift's numeric object has its own common */
    cholmod_l_free_work(&y->c);
    if (y->L == NULL) {
        int rc = chol_error(&y->c, "analysis of the pattern", err);
        chol_free_symbolic(y);
        return rc;
    }
    *out = y;
    return ZSTR_OK;
}

static void chol_free_numeric(void *num)
{
    chol_numeric *x = num;
    if (x == NULL)
        return;
    cholmod_l_free_factor(&x->L, &x->c);
    cholmod_l_free_sparse(&x->A, &x->c);
    cholmod_l_finish(&x->c);
    free(x);
}

static int chol_factor(const zs_system *s, void *sym, double sr, double si, void **out,
                       zstr_error *err)
{
    *out = NULL;
    chol_symbolic *y = sym;
    if (si != 0.0 || !(sr >= 0.0) || !isfinite(sr))
        return zs_error(err, ZSTR_EINVAL,
                        "the CHOLMOD backend factors real shifts >= 0 only (asked %g%+gj)", sr,
                        si);
    chol_numeric *x = calloc(1, sizeof *x);
    if (x == NULL)
        return zs_error(err, ZSTR_ENOMEM, "out of memory for a CHOLMOD factorization");
    zs_cholmod_start(&x->c, ZSTR_ORDERING_METIS);
    x->shift = sr;
    x->A = upper(s, y->nnz_upper, CHOLMOD_REAL, sr, &x->c);
    x->L = x->A != NULL ? cholmod_l_copy_factor(y->L, &x->c) : NULL;
    int rc = ZSTR_OK;
    if (x->L == NULL) {
        rc = chol_error(&x->c, "factorization", err);
    } else if (!cholmod_l_factorize(x->A, x->L, &x->c) || x->c.status != CHOLMOD_OK) {
        if (x->c.status == CHOLMOD_NOT_POSDEF)
            rc = zs_error(err, ZSTR_ESINGULAR,
                          "G + %g C is not positive definite (CHOLMOD stopped at column %lld "
                          "of %lld)%s",
                          sr, (long long)x->L->minor, (long long)s->n,
                          sr == 0.0 ? ": a region does not conduct to the counter electrode"
                                    : "");
        else
            rc = chol_error(&x->c, "factorization", err);
    }
    if (rc != ZSTR_OK) {
        chol_free_numeric(x);
        return rc;
    }
    *out = x;
    return ZSTR_OK;
}

static int chol_solve(const zs_system *s, void *sym, void *num, int64_t nrhs, const double *b,
                      double *xout, zstr_error *err)
{
    (void)sym;
    chol_numeric *x = num;
    cholmod_dense *B = cholmod_l_allocate_dense((size_t)s->n, (size_t)nrhs, (size_t)s->n,
                                                CHOLMOD_REAL, &x->c);
    if (B == NULL)
        return chol_error(&x->c, "solve", err);
    memcpy(B->x, b, (size_t)(s->n * nrhs) * sizeof *b);
    cholmod_dense *X = cholmod_l_solve(CHOLMOD_A, x->L, B, &x->c);
    cholmod_l_free_dense(&B, &x->c);
    if (X == NULL)
        return chol_error(&x->c, "solve", err);
    memcpy(xout, X->x, (size_t)(s->n * nrhs) * sizeof *xout);
    cholmod_l_free_dense(&X, &x->c);
    return ZSTR_OK;
}

static int chol_stat(const void *sym, const void *num, int k, const char **name, double *value)
{
    const chol_symbolic *y = sym;
    (void)num; /* every figure is the analysis's */
    switch (k) {
    case 0:
        *name = "cholmod.l_nnz";
        *value = y != NULL ? y->c.lnz : 0.0;
        return ZSTR_OK;
    case 1:
        /* one numeric factorization's flops, counted by the analysis */
        *name = "cholmod.factor_flops";
        *value = y != NULL ? y->c.fl : 0.0;
        return ZSTR_OK;
    case 2:
        /* what the symbolic factor holds: the permutation and column counts
         * (and the inverse permutation when made), and for a supernodal one
         * the supernode arrays and their row indices */
        *name = "cholmod.symbolic_bytes";
        *value = 0.0;
        if (y != NULL && y->L != NULL) {
            const cholmod_factor *L = y->L;
            double words = 2.0 * (double)L->n + (L->IPerm != NULL ? (double)L->n : 0.0);
            if (L->is_super)
                words += 3.0 * ((double)L->nsuper + 1.0) + (double)L->ssize;
            *value = words * (double)sizeof(SuiteSparse_long) + (double)sizeof *y;
        }
        return ZSTR_OK;
    default:
        return ZSTR_ERANGE;
    }
}

const zs_backend zs_backend_cholmod = {"cholmod",         0,           chol_analyse,
                                       chol_factor,       chol_solve,  chol_stat,
                                       chol_free_numeric, chol_free_symbolic};
