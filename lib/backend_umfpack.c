/*
 * backend_umfpack.c — the complex backend: UMFPACK's LU of G + sC for any
 * complex shift s, with the symmetric strategy (diagonal pivoting preferred,
 * AMD or METIS on the pattern of G + C).
 *
 * The symbolic analysis is made from the pattern alone (UMFPACK accepts NULL
 * values), so it holds for every shift; UMFPACK documents that
 * umfpack_zl_numeric leaves the Symbolic object untouched, so numeric objects
 * of one symbolic may be made from different threads.  A numeric object keeps
 * its own copy of the complex values, which UMFPACK's solve reads again for
 * iterative refinement.
 *
 * No refinement inside UMFPACK (IRSTEP = 0): its residual would use the
 * assembled values, whose entries are rounded sums of element admittances, so
 * it can only make the solve agree with that rounded matrix.  A caller that
 * needs more than one solve's accuracy refines with a residual of its own
 * (execute.c computes it element by element; see its banner for why the
 * assembled matrix is not good enough at the top of the band).
 *
 * Figures (stat): the analysis's estimate of the factor and its own size, and
 * of the last factorization nnz(L+U), the factor's size and UMFPACK's peak.
 */
#include "zs_backend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <umfpack.h>

/* The pencil's int64_t index arrays go to SuiteSparse as SuiteSparse_long (here
 * and in solver_cholmod.c): one check for the whole library. */
_Static_assert(sizeof(SuiteSparse_long) == sizeof(int64_t),
               "libzstr needs SuiteSparse_long to be 64 bits");

typedef struct umf_symbolic {
    void *symbolic;
    double control[UMFPACK_CONTROL];
    double unit_bytes, estimate_bytes, symbolic_bytes;
} umf_symbolic;

typedef struct umf_numeric {
    void *numeric;
    double *Yx; /* interleaved complex values of G + sC */
    double *W;
    SuiteSparse_long *Wi;
    double lu_nnz, bytes, peak_bytes;
} umf_numeric;

static int umf_error(int st, const char *what, zstr_error *err)
{
    if (st == UMFPACK_ERROR_out_of_memory)
        return zs_error(err, ZSTR_ENOMEM, "out of memory in UMFPACK's %s", what);
    if (st == UMFPACK_WARNING_singular_matrix)
        return zs_error(err, ZSTR_ESINGULAR, "UMFPACK's %s: the matrix is singular", what);
    return zs_error(err, ZSTR_ESOLVER, "UMFPACK's %s failed (UMFPACK status %d)", what, st);
}

static void umf_free_symbolic(void *sym)
{
    umf_symbolic *y = sym;
    if (y == NULL)
        return;
    if (y->symbolic != NULL)
        umfpack_zl_free_symbolic(&y->symbolic);
    free(y);
}

static int umf_analyse(const zs_system *s, int ordering, void **out, zstr_error *err)
{
    *out = NULL;
    umf_symbolic *y = calloc(1, sizeof *y);
    if (y == NULL)
        return zs_error(err, ZSTR_ENOMEM, "out of memory for UMFPACK's analysis");
    umfpack_zl_defaults(y->control);
    y->control[UMFPACK_PRL] = 0;
    y->control[UMFPACK_IRSTEP] = 0; /* callers refine with their own residual */
    y->control[UMFPACK_STRATEGY] = UMFPACK_STRATEGY_SYMMETRIC;
    y->control[UMFPACK_ORDERING] =
        ordering == ZSTR_ORDERING_AMD ? UMFPACK_ORDERING_AMD : UMFPACK_ORDERING_METIS;
    double info[UMFPACK_INFO];
    int st = umfpack_zl_symbolic((SuiteSparse_long)s->n, (SuiteSparse_long)s->n,
                                 (const SuiteSparse_long *)s->Ap,
                                 (const SuiteSparse_long *)s->Ai, NULL, NULL, &y->symbolic,
                                 y->control, info);
    if (st != UMFPACK_OK) {
        umf_free_symbolic(y);
        return umf_error(st, "symbolic analysis", err);
    }
    y->unit_bytes = info[UMFPACK_SIZE_OF_UNIT];
    y->estimate_bytes = info[UMFPACK_NUMERIC_SIZE_ESTIMATE] * y->unit_bytes;
    y->symbolic_bytes = info[UMFPACK_SYMBOLIC_SIZE] * y->unit_bytes;
    *out = y;
    return ZSTR_OK;
}

static void umf_free_numeric(void *num)
{
    umf_numeric *x = num;
    if (x == NULL)
        return;
    if (x->numeric != NULL)
        umfpack_zl_free_numeric(&x->numeric);
    free(x->Yx);
    free(x->W);
    free(x->Wi);
    free(x);
}

static int umf_factor(const zs_system *s, void *sym, double sr, double si, void **out,
                      zstr_error *err)
{
    *out = NULL;
    umf_symbolic *y = sym;
    if (!isfinite(sr) || !isfinite(si))
        return zs_error(err, ZSTR_EINVAL, "shift %g%+gj is not finite", sr, si);
    umf_numeric *x = calloc(1, sizeof *x);
    if (x == NULL)
        return zs_error(err, ZSTR_ENOMEM, "out of memory for a UMFPACK factorization");
    x->Yx = zs_malloc_array(2 * (size_t)s->nnz, sizeof *x->Yx);
    x->W = zs_malloc_array(10 * (size_t)s->n, sizeof *x->W);
    x->Wi = zs_malloc_array((size_t)s->n, sizeof *x->Wi);
    if (x->Yx == NULL || x->W == NULL || x->Wi == NULL) {
        umf_free_numeric(x);
        return zs_error(err, ZSTR_ENOMEM, "out of memory for a UMFPACK factorization");
    }
    for (int64_t k = 0; k < s->nnz; k++) {
        x->Yx[2 * k] = s->Gx[k] + sr * s->Cx[k];
        x->Yx[2 * k + 1] = si * s->Cx[k];
    }
    double info[UMFPACK_INFO];
    int st = umfpack_zl_numeric((const SuiteSparse_long *)s->Ap, (const SuiteSparse_long *)s->Ai,
                                x->Yx, NULL, y->symbolic, &x->numeric, y->control, info);
    if (st != UMFPACK_OK) {
        umf_free_numeric(x);
        return umf_error(st, "factorization", err);
    }
    x->lu_nnz = info[UMFPACK_LNZ] + info[UMFPACK_UNZ] - (double)s->n;
    x->bytes = info[UMFPACK_NUMERIC_SIZE] * y->unit_bytes;
    x->peak_bytes = info[UMFPACK_PEAK_MEMORY] * y->unit_bytes;
    *out = x;
    return ZSTR_OK;
}

static int umf_solve(const zs_system *s, void *sym, void *num, int64_t nrhs, const double *b,
                     double *xout, zstr_error *err)
{
    umf_symbolic *y = sym;
    umf_numeric *x = num;
    double info[UMFPACK_INFO];
    for (int64_t r = 0; r < nrhs; r++) {
        int st = umfpack_zl_wsolve(UMFPACK_A, (const SuiteSparse_long *)s->Ap,
                                   (const SuiteSparse_long *)s->Ai, x->Yx, NULL,
                                   xout + 2 * r * s->n, NULL, b + 2 * r * s->n, NULL, x->numeric,
                                   y->control, info, x->Wi, x->W);
        if (st != UMFPACK_OK)
            return umf_error(st, "solve", err);
    }
    return ZSTR_OK;
}

static int umf_stat(const void *sym, const void *num, int k, const char **name, double *value)
{
    const umf_symbolic *y = sym;
    const umf_numeric *x = num;
    switch (k) {
    case 0:
        *name = "umfpack.estimate_bytes";
        *value = y != NULL ? y->estimate_bytes : 0.0;
        return ZSTR_OK;
    case 1:
        *name = "umfpack.lu_nnz";
        *value = x != NULL ? x->lu_nnz : 0.0;
        return ZSTR_OK;
    case 2:
        *name = "umfpack.numeric_bytes";
        *value = x != NULL ? x->bytes : 0.0;
        return ZSTR_OK;
    case 3:
        *name = "umfpack.peak_bytes";
        *value = x != NULL ? x->peak_bytes : 0.0;
        return ZSTR_OK;
    case 4:
        *name = "umfpack.symbolic_bytes";
        *value = y != NULL ? y->symbolic_bytes : 0.0;
        return ZSTR_OK;
    default:
        return ZSTR_ERANGE;
    }
}

const zs_backend zs_backend_umfpack = {"umfpack",        1,          umf_analyse,
                                       umf_factor,       umf_solve,  umf_stat,
                                       umf_free_numeric, umf_free_symbolic};
