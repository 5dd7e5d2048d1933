/*
 * plan.c — zstr_plan: assemble the pencil, analyse its pattern once, predict
 * the factor memory and refuse what would not fit.
 *
 * Memory prediction.  CHOLMOD's symbolic analysis counts nnz(L) of the real
 * Cholesky factor of the same pattern with the same ordering; the complex LU of
 * UMFPACK's symmetric strategy has nnz(L+U) = 2·nnz(L) − n (measured exact from
 * 16³ to 80³, both orderings).  The final factor takes 16.1–16.7 bytes per entry
 * (complex value plus indices); while factoring, the frontal matrices and the
 * growing factor push the process peak to 31.5–35.4 bytes per entry
 * (bench/RESULTS.md).  The limit is checked against the peak.  UMFPACK's own
 * estimate from the symbolic analysis is 20–37 times the real factor on these
 * grids, so it is reported but not used to refuse.
 */
#include "zs_plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* measured bytes per nnz(L+U) (bench/RESULTS.md): the final factor, and the
 * process peak while factoring */
#define ZS_BYTES_PER_LU_ENTRY 17.0
#define ZS_PEAK_BYTES_PER_LU_ENTRY 36.0
/* the default ordering, chosen by benchmark (bench/RESULTS.md) */
#define ZS_DEFAULT_ORDERING ZSTR_ORDERING_METIS

void zstr_options_default(zstr_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->ordering = ZSTR_ORDERING_DEFAULT;
    o->memory_limit = 0.0;
}

static double physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || size <= 0)
        return 4.0 * 1024 * 1024 * 1024; /* unknown: assume a small machine */
    return (double)pages * (double)size;
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
    zstr_options_default(&o);
    if (opt != NULL)
        o = *opt;
    if (o.ordering < ZSTR_ORDERING_DEFAULT || o.ordering > ZSTR_ORDERING_METIS)
        return zs_error(err, ZSTR_EINVAL, "zstr_plan_create: unknown ordering %d", o.ordering);
    if (!isfinite(o.memory_limit) || o.memory_limit < 0.0)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_plan_create: memory_limit %g bytes must be finite and >= 0",
                        o.memory_limit);
    int ordering = o.ordering == ZSTR_ORDERING_DEFAULT ? ZS_DEFAULT_ORDERING : o.ordering;
    double limit = o.memory_limit > 0.0 ? o.memory_limit : 0.8 * physical_memory();

    int rc = zs_model_validate(m, err);
    if (rc != ZSTR_OK)
        return rc;
    zstr_plan *plan = calloc(1, sizeof *plan);
    if (plan == NULL)
        return zs_error(err, ZSTR_ENOMEM, "zstr_plan_create: out of memory");
    rc = zs_pencil_build(m, &plan->p, err);
    if (rc != ZSTR_OK) {
        free(plan);
        return rc;
    }
    zs_pencil *p = &plan->p;
    zstr_plan_info *in = &plan->info;
    for (int d = 0; d < 3; d++) {
        plan->n[d] = m->n[d];
        plan->h[d] = m->h[d];
    }
    in->n_voxels = p->nvox;
    in->n_internal = p->ninternal;
    in->n_unknowns = p->n;
    in->nnz = p->nnz;
    in->n_branches = p->nelem;
    in->n_floating = p->n_floating;
    in->n_isolated_dc = p->n_isolated_dc;
    in->open_circuit = p->open_circuit;
    in->ordering = ordering;
    in->area = (double)m->n[0] * m->h[0] * (double)m->n[1] * m->h[1];
    in->thickness = (double)m->n[2] * m->h[2];
    in->temperature = m->temperature;
    in->contact_fraction[ZSTR_WE] = zstr_model_contact_fraction(m, ZSTR_WE);
    in->contact_fraction[ZSTR_CE] = zstr_model_contact_fraction(m, ZSTR_CE);

    double lnz = 0.0;
    rc = zs_cholmod_predict_lnz(p, ordering, &lnz, err);
    if (rc != ZSTR_OK)
        goto fail;
    in->predicted_lu_nnz = 2.0 * lnz - (double)p->n;
    in->predicted_bytes = ZS_BYTES_PER_LU_ENTRY * in->predicted_lu_nnz;
    in->predicted_peak_bytes = ZS_PEAK_BYTES_PER_LU_ENTRY * in->predicted_lu_nnz;
    /* a workspace adds Y's values and solve buffers: 16·nnz + 16·14·n bytes */
    double ws_bytes = 16.0 * (double)p->nnz + 16.0 * 14.0 * (double)p->n;
    plan->memory_limit = limit;
    plan->ws_bytes = in->predicted_peak_bytes + ws_bytes;
    if (plan->ws_bytes > limit) {
        rc = zs_error(err, ZSTR_EMEMLIMIT,
                      "one factorization of %lld unknowns needs about %.3g GB at its peak "
                      "(predicted nnz(L+U) = %.3g), more than the %.3g GB allowed",
                      (long long)p->n, plan->ws_bytes / 1e9, in->predicted_lu_nnz,
                      limit / 1e9);
        goto fail;
    }

    umfpack_zl_defaults(plan->control);
    plan->control[UMFPACK_PRL] = 0;
    plan->control[UMFPACK_STRATEGY] = UMFPACK_STRATEGY_SYMMETRIC;
    plan->control[UMFPACK_ORDERING] =
        ordering == ZSTR_ORDERING_AMD ? UMFPACK_ORDERING_AMD : UMFPACK_ORDERING_METIS;
    double info[UMFPACK_INFO];
    double t0 = zs_wall_seconds();
    int st = umfpack_zl_symbolic((SuiteSparse_long)p->n, (SuiteSparse_long)p->n,
                                 (const SuiteSparse_long *)p->Ap,
                                 (const SuiteSparse_long *)p->Ai, NULL, NULL, &plan->symbolic,
                                 plan->control, info);
    in->symbolic_seconds = zs_wall_seconds() - t0;
    if (st != UMFPACK_OK) {
        rc = zs_error(err, st == UMFPACK_ERROR_out_of_memory ? ZSTR_ENOMEM : ZSTR_ESOLVER,
                      "UMFPACK symbolic analysis failed (status %d)", st);
        goto fail;
    }
    plan->unit_bytes = info[UMFPACK_SIZE_OF_UNIT];
    in->umfpack_estimate_bytes = info[UMFPACK_NUMERIC_SIZE_ESTIMATE] * plan->unit_bytes;
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
    if (plan->symbolic != NULL)
        umfpack_zl_free_symbolic(&plan->symbolic);
    zs_pencil_free(&plan->p);
    free(plan);
}

int zstr_plan_get_info(const zstr_plan *plan, zstr_plan_info *info)
{
    if (plan == NULL || info == NULL)
        return ZSTR_EINVAL;
    *info = plan->info;
    return ZSTR_OK;
}
