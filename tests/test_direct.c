/*
 * test_direct.c — the direct solve (zstr_execute) against an independent
 * reference on the paper's kind of model: Voronoi grains with 10 nm grain
 * boundaries and a 22 % square contact spot with pores elsewhere, at every
 * decade from 1 mHz to 1 GHz.
 *
 * The reference is a different method, computed here:
 *   - the port form (the WE kept as an unknown node fed by 1 A, CE grounded,
 *     Z = x_WE) instead of zstr_execute's eliminated form (V_WE = 1 fixed,
 *     Z = 1/I from the stationary power form);
 *   - unknowns in long double, refined with a residual summed in long double
 *     element by element, e_WE − Σ_e y_e (x_a − x_b) over the branches of the
 *     network, until the correction of x_WE is below 1e-17 relative.  UMFPACK's
 *     LU of the assembled port form serves only as the preconditioner of that
 *     refinement, so its rounding cannot reach the answer.
 * It must NOT take its residual from the assembled port-form matrix: that
 * matrix's WE diagonal is a double sum of every WE element's admittance
 * (≈ 2.4e3 S at 10 MHz here) and its rounding, a shunt from the WE node to the
 * CE, moves Z by 1e-14·|K_WE,WE|·|Z| ≈ 1e-6 relative at 10 MHz on 16³ (see
 * execute.c's banner; a reference of that kind is what once made this solve
 * look wrong).  This reference and one from the eliminated form in long double
 * agree to 1e-17 (bench/RESULTS.md, 2026-12-06).
 *
 * Checked: |Z − Z_ref| <= 1e-9 |Z_ref| at every frequency (measured: below
 * 3e-16); the error estimate of zstr_execute is not 10× below the true error;
 * the potentials for V_WE = 1 V equal x / x_WE and zstr_fields' potentials for
 * 1 A equal x, to 1e-9 of the largest.
 */
#include "zs_plan.h"
#include "zs_test.h"

#include "../bench/paper_model.h"
#include "../bench/port_reference.h"

#include <string.h>


/* The paper's model on n³ voxels: the benchmarks' one definition
 * (bench/paper_model.h: Voronoi 10 µm, 10 nm GBs, a 22 % contact spot with
 * pores around it). */
static zstr_model *paper_model(int64_t n)
{
    zstr_model *m = NULL;
    int64_t ngrains = 0;
    zstr_error e;
    ZS_CK_OK(bench_paper_model(n, 1, 0, &m, &ngrains, &e), &e);
    return m;
}

/* The reference port-form solution x (n + 1 long-double potentials for 1 A)
 * at angular frequency w; returns x_WE = Z. */
static lcomplex reference(const zs_pencil *p, const zs_system *s, void *sym, double w,
                          lcomplex *x)
{
    const zs_backend *be = &zs_backend_umfpack;
    const int64_t m = s->n;
    lcomplex *r = malloc(sizeof *r * (size_t)m);
    double *b = malloc(sizeof *b * 2 * (size_t)m), *d = malloc(sizeof *d * 2 * (size_t)m);
    ck_assert(r != NULL && b != NULL && d != NULL);
    void *num = NULL;
    zstr_error e;
    ZS_CK_OK(be->factor(s, sym, 0.0, w, &num, &e), &e);
    for (int64_t k = 0; k < m; k++)
        x[k] = 0.0L;
    /* the long double actually in use: valgrind runs x87 long double as
     * double, where the refinement stops near 1e-16 instead */
    volatile long double tiny = 1e-18L, one = 1.0L;
    const long double goal = one + tiny > one ? 1e-17L : 1e-15L;
    long double change = 1.0L;
    for (int step = 0; step < 20 && change > goal; step++) {
        port_residual(p, w, x, r);
        for (int64_t k = 0; k < m; k++) {
            b[2 * k] = (double)creall(r[k]);
            b[2 * k + 1] = (double)cimagl(r[k]);
        }
        ZS_CK_OK(be->solve(s, sym, num, 1, b, d, &e), &e);
        for (int64_t k = 0; k < m; k++)
            x[k] += d[2 * k] + I * (long double)d[2 * k + 1];
        change = hypotl(d[2 * (m - 1)], d[2 * (m - 1) + 1]) / cabsl(x[m - 1]);
    }
    ck_assert_msg(change <= goal, "reference refinement did not converge (%Lg)", change);
    be->free_numeric(num);
    free(r);
    free(b);
    free(d);
    return x[m - 1];
}

/* potentials of zstr_execute (V_WE = 1) and of zstr_fields (1 A, voxels) against
 * the reference's x, to 1e-9 of the largest potential */
static void check_potentials(const zstr_plan *plan, const zstr_workspace *ws, const lcomplex *x,
                             lcomplex zref, double *pot, double f)
{
    const zs_pencil *p = &plan->p;
    const double *v = zstr_workspace_potentials(ws);
    ck_assert_ptr_nonnull(v);
    zstr_error e;
    ZS_CK_OK(zstr_fields(plan, ws, pot, NULL, NULL, &e), &e);
    double worst_v = 0.0, worst_f = 0.0, xmax = 0.0;
    for (int64_t i = 0; i < p->nvox; i++)
        xmax = fmax(xmax, (double)cabsl(x[i]));
    for (int64_t i = 0; i < p->n; i++) {
        lcomplex want = x[i] / zref; /* V_WE = 1 V */
        worst_v = fmax(worst_v, (double)cabsl(v[2 * i] + I * (long double)v[2 * i + 1] - want));
    }
    for (int64_t i = 0; i < p->nvox; i++)
        worst_f = fmax(worst_f,
                       (double)cabsl(pot[2 * i] + I * (long double)pot[2 * i + 1] - x[i]) / xmax);
    ck_assert_msg(worst_v <= 1e-9, "%g Hz: potentials (V_WE = 1 V) off by %g V", f, worst_v);
    ck_assert_msg(worst_f <= 1e-9, "%g Hz: zstr_fields potentials off by %g of the largest", f,
                  worst_f);
}

START_TEST(test_direct_against_port_reference)
{
    const int64_t n = zs_test_quick() ? 10 : 16;
    zstr_model *m = paper_model(n);
    zstr_plan *plan = NULL;
    zstr_workspace *ws = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &plan, &e), &e);
    ZS_CK_OK(zstr_workspace_create(plan, &ws, &e), &e);
    const zs_pencil *p = &plan->p;
    zs_system s;
    ZS_CK_OK(zs_system_build(p, ZSTR_WE, &s, &e), &e);
    void *sym = NULL;
    ZS_CK_OK(zs_backend_umfpack.analyse(&s, ZSTR_ORDERING_METIS, &sym, &e), &e);
    lcomplex *x = malloc(sizeof *x * (size_t)s.n);
    double *pot = malloc(sizeof *pot * 2 * (size_t)p->nvox);
    ck_assert(x != NULL && pot != NULL);
    for (int k = -3; k <= 9; k++) {
        const double f = pow(10.0, k);
        double z[2];
        ZS_CK_OK(zstr_execute(plan, ws, f, z, &e), &e);
        lcomplex zref = reference(p, &s, sym, 2.0 * M_PI * f, x);
        double err = (double)(cabsl(z[0] + I * (long double)z[1] - zref) / cabsl(zref));
        ck_assert_msg(err <= 1e-9, "%g Hz: Z = %.17g%+.17gj, reference %.17Lg%+.17Lgj, rel. %.3g",
                      f, z[0], z[1], creall(zref), cimagl(zref), err);
        /* honest: the estimate may exceed the error, never fall 10× below it */
        ck_assert_msg(ws->estimate >= 0.1 * err, "%g Hz: estimate %.3g, true error %.3g", f,
                      ws->estimate, err);
        check_potentials(plan, ws, x, zref, pot, f);
    }
    free(x);
    free(pot);
    zs_backend_umfpack.free_symbolic(sym);
    zs_system_free(&s);
    zstr_workspace_free(ws);
    zstr_plan_free(plan);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_direct_backend_figures)
{
    /* the plan's backend figures and the workspace's factor info come from the
     * backend table; before any AC solve the factor info is zero */
    zstr_model *m = paper_model(10);
    zstr_plan *plan = NULL;
    zstr_workspace *ws = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &plan, &e), &e);
    ZS_CK_OK(zstr_workspace_create(plan, &ws, &e), &e);
    zstr_factor_info fi;
    zstr_factor_info_init(&fi);
    ZS_CK_OK(zstr_workspace_factor_info(ws, &fi), NULL);
    ck_assert(fi.lu_nnz == 0.0 && fi.bytes == 0.0 && fi.peak_bytes == 0.0);
    double z[2];
    ZS_CK_OK(zstr_execute(plan, ws, 1e3, z, &e), &e);
    ZS_CK_OK(zstr_workspace_factor_info(ws, &fi), NULL);
    ck_assert(fi.lu_nnz >= (double)plan->info.n_unknowns && fi.bytes > 0.0 &&
              fi.peak_bytes >= fi.bytes && fi.numeric_seconds >= 0.0 &&
              fi.solve_seconds >= 0.0);
    const char *want[] = {"umfpack.estimate_bytes", "umfpack.symbolic_bytes",
                          "umfpack.symbolic_seconds", "umfpack.predicted_lu_nnz"};
    for (int w = 0; w < 4; w++) {
        int found = 0;
        const char *name;
        double value;
        for (int k = 0; zstr_plan_solver_stat(plan, k, &name, &value) == ZSTR_OK; k++)
            found += strcmp(name, want[w]) == 0 && value >= 0.0 && isfinite(value);
        ck_assert_msg(found == 1, "plan figure %s: found %d times", want[w], found);
    }
    zstr_workspace_free(ws);
    zstr_plan_free(plan);
    zstr_model_free(m);
}
END_TEST

Suite *suite_direct(void)
{
    Suite *s = suite_create("direct");
    TCase *tc = tcase_create("direct");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_direct_against_port_reference);
    tcase_add_test(tc, test_direct_backend_figures);
    suite_add_tcase(s, tc);
    return s;
}
