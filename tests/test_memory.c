/*
 * test_memory.c — the memory policy (lib/memory.c) and the extensible option
 * and result structures.
 *
 * The grid bound must stay below the truth: it is checked against CHOLMOD's
 * exact nnz(L) for both orderings on cubes and flat, long and odd shapes.  The
 * limit must mean one thing: the plan plus every factorization running at
 * once.  The size field must protect both directions of version skew.
 */
#include "zs_internal.h"
#include "zs_plan.h"
#include "zs_test.h"

#include <string.h>

static double stat_of(const zstr_plan *p, const char *want)
{
    double value = 0.0;
    ck_assert_msg(zstr_plan_solver_stat_named(p, want, &value) == ZSTR_OK, "no %s", want);
    return value;
}

START_TEST(test_grid_bound_below_exact_fill)
{
    /* zs_mem_grid_bound's factor bound against CHOLMOD's count of the same
     * grid: it must never exceed it (a refusal on it would be wrong) */
    static const int64_t shapes[][3] = {{8, 8, 8},  {12, 8, 6}, {20, 20, 2}, {16, 4, 4},
                                        {3, 30, 5}, {1, 1, 40}, {24, 24, 24}, {30, 30, 1}};
    const int nshape = zs_test_quick() ? 5 : (int)(sizeof shapes / sizeof shapes[0]);
    for (int k = 0; k < nshape; k++) {
        for (int ord = ZSTR_ORDERING_AMD; ord <= ZSTR_ORDERING_METIS; ord++) {
            zstr_model *m = zs_test_block(shapes[k][0], shapes[k][1], shapes[k][2]);
            zstr_options o;
            zstr_options_default(&o);
            o.ordering = ord;
            zstr_plan *p = NULL;
            zstr_error e;
            ZS_CK_OK(zstr_plan_create(m, &o, &p, &e), &e);
            double lnz = stat_of(p, "cholmod.predicted_l_nnz");
            double assembly = 0.0, factor = 0.0;
            zs_mem_grid_bound(shapes[k], &assembly, &factor);
            zstr_plan_info in;
            zstr_plan_info_init(&in);
            ZS_CK_OK(zstr_plan_get_info(p, &in), NULL);
            ck_assert_msg(factor <= 8.0 * lnz, "%lldx%lldx%lld ord %d: bound %g > 8 B x %g",
                          (long long)shapes[k][0], (long long)shapes[k][1],
                          (long long)shapes[k][2], ord, factor, lnz);
            /* the assembly bound counts the arrays of the pencil the plan
             * keeps, so it is below what the plan holds */
            ck_assert_msg(assembly <= in.plan_bytes, "assembly bound %g > plan %g", assembly,
                          in.plan_bytes);
            zstr_plan_free(p);
            zstr_model_free(m);
        }
    }
}
END_TEST

START_TEST(test_refused_before_assembly)
{
    /* 40³ with a limit just below the grid's lower bound (which the test
     * above shows to be below the truth): refused, naming the grid, before
     * assembly */
    zstr_model *m = zs_test_block(40, 40, 40);
    const int64_t n[3] = {40, 40, 40};
    double assembly = 0.0, factor = 0.0;
    zs_mem_grid_bound(n, &assembly, &factor);
    zstr_options o;
    zstr_options_default(&o);
    o.memory_limit = 0.99 * (assembly + factor);
    zstr_plan *p = NULL;
    zstr_error e;
    ck_assert_int_eq(zstr_plan_create(m, &o, &p, &e), ZSTR_EMEMLIMIT);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(e.message, "before assembly") != NULL, "%s", e.message);
    ck_assert_msg(strstr(e.message, "40 x 40 x 40") != NULL, "%s", e.message);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_check_grid)
{
    /* the check before any model exists: 1000³ on this machine's default
     * limit is refused with the figures (the cross-section bound alone is
     * 8 B · (10⁶/2)²/2 = 1 TB of real Cholesky values); a 4³ grid passes; bad
     * grids are refused */
    const int64_t big[3] = {1000, 1000, 1000}, small[3] = {4, 4, 4}, bad[3] = {4, 0, 4};
    double bytes = 0.0;
    zstr_error e;
    ck_assert_int_eq(zstr_plan_check_grid(big, NULL, &bytes, &e), ZSTR_EMEMLIMIT);
    ck_assert(bytes > 1e12);
    ck_assert_msg(strstr(e.message, "1000 x 1000 x 1000") != NULL, "%s", e.message);
    ZS_CK_OK(zstr_plan_check_grid(small, NULL, &bytes, &e), &e);
    ck_assert(bytes > 64 * 4.0); /* at least the labels */
    ck_assert_int_eq(zstr_plan_check_grid(bad, NULL, NULL, &e), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_plan_check_grid(NULL, NULL, NULL, &e), ZSTR_EINVAL);
    zstr_options o;
    memset(&o, 0, sizeof o);
    ck_assert_int_eq(zstr_plan_check_grid(small, &o, NULL, &e), ZSTR_EINVAL);
    zstr_options_default(&o);
    o.memory_limit = 100.0;
    ck_assert_int_eq(zstr_plan_check_grid(small, &o, NULL, &e), ZSTR_EMEMLIMIT);
}
END_TEST

START_TEST(test_limit_is_plan_plus_factorizations)
{
    /* the limit covers the plan and the factorizations together: below plan
     * + a reduced-order sweep is refused (after the analysis, with the plan
     * named); between that and plan + one complex LU only MOR runs; just
     * above plan + one LU peak direct runs with one thread */
    zstr_model *m = zs_test_block(10, 10, 10);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    /* the direct part is made with the first workspace, not before */
    ZS_CK_OK(zstr_plan_get_info(p, &in), NULL);
    ck_assert(in.direct_bytes == 0.0 && in.direct_fits);
    const double plan_alone = in.plan_bytes;
    zstr_workspace *ws0 = NULL;
    ZS_CK_OK(zstr_workspace_create(p, &ws0, &e), &e);
    ZS_CK_OK(zstr_plan_get_info(p, &in), NULL);
    /* the two parts were added one after the other: equal up to rounding */
    ck_assert(in.direct_bytes > 0.0 &&
              zs_test_rel(in.plan_bytes, plan_alone + in.direct_bytes) < 1e-15);
    zstr_workspace_free(ws0);
    zstr_plan_free(p);
    ck_assert(in.plan_bytes > 0 && in.predicted_peak_bytes > in.predicted_bytes);
    ck_assert(in.max_threads >= 1);
    /* max_threads is the largest count that fits */
    ck_assert(in.plan_bytes + in.max_threads * in.predicted_peak_bytes <= in.memory_limit);
    ck_assert(in.plan_bytes + (in.max_threads + 1.0) * in.predicted_peak_bytes >
              in.memory_limit);
    ck_assert(in.direct_fits);
    /* a reduced-order sweep needs less than a complex LU here */
    ck_assert(in.predicted_mor_bytes > 0 && in.predicted_mor_bytes < in.predicted_peak_bytes);
    zstr_options o;
    zstr_options_default(&o);
    /* the direct solver's part of the plan is made only when a complex LU
     * fits: a plan for reduced-order sweeps alone holds the rest */
    ck_assert(in.direct_bytes > 0 && in.pencil_bytes > 0 && in.mor_bytes > 0);
    ck_assert(zs_test_rel(in.plan_bytes, in.pencil_bytes + in.direct_bytes + in.mor_bytes) <
              1e-15);
    const double base = in.plan_bytes - in.direct_bytes;
    /* below both: refused after the analysis, naming the plan and both methods
     * (under auto, also below the iterative backend's sweep where it is built:
     * auto turns to it when CHOLMOD's does not fit) */
    o.memory_limit = base + 0.999 * in.predicted_mor_bytes;
    {
        zstr_options oi;
        zstr_options_default(&oi);
        oi.backend = ZSTR_BACKEND_ITERATIVE;
        zstr_plan *pi = NULL;
        if (zstr_plan_create(m, &oi, &pi, &e) == ZSTR_OK) {
            zstr_plan_info ii;
            zstr_plan_info_init(&ii);
            ZS_CK_OK(zstr_plan_get_info(pi, &ii), NULL);
            ck_assert(ii.predicted_mor_bytes > 0.0);
            o.memory_limit = fmin(o.memory_limit, ii.plan_bytes + 0.999 * ii.predicted_mor_bytes);
            zstr_plan_free(pi);
        }
    }
    ck_assert_int_eq(zstr_plan_create(m, &o, &p, &e), ZSTR_EMEMLIMIT);
    ck_assert_msg(strstr(e.message, "the plan") != NULL, "%s", e.message);
    ck_assert_msg(strstr(e.message, "reduced-order") != NULL, "%s", e.message);
    /* between: accepted for MOR only; a direct execute is refused, auto and
     * MOR sweeps run and agree with the exact R/(1 + jωτ) of the block */
    o.memory_limit = base + 0.5 * (in.predicted_mor_bytes + in.predicted_peak_bytes);
    ZS_CK_OK(zstr_plan_create(m, &o, &p, &e), &e);
    {
        zstr_plan_info i3;
        zstr_plan_info_init(&i3);
        ZS_CK_OK(zstr_plan_get_info(p, &i3), NULL);
        ck_assert(!i3.direct_fits && i3.direct_bytes == 0.0);
        ck_assert(zs_test_rel(i3.plan_bytes, base) < 1e-15);
        zstr_workspace *ws = NULL;
        ZS_CK_OK(zstr_workspace_create(p, &ws, &e), &e);
        double z[2], f[3] = {1e3, 1e6, 1e9}, zz[6];
        ck_assert_int_eq(zstr_execute(p, ws, 1e3, z, &e), ZSTR_EMEMLIMIT);
        ck_assert_msg(strstr(e.message, "reduced-order") != NULL, "%s", e.message);
        zstr_workspace_free(ws);
        zstr_sweep_report rep;
        zstr_sweep_report_init(&rep);
        zstr_sweep_options so;
        zstr_sweep_options_default(&so);
        so.report = &rep;
        ZS_CK_OK(zstr_sweep(p, 3, f, zz, &so, &e), &e);
        ck_assert_int_eq(rep.method, ZSTR_METHOD_MOR);
        const double R = 10e-6 / (0.046 * 100e-12), tau = ZSTR_EPSILON0 * 150.0 / 0.046;
        for (int k = 0; k < 3; k++)
            ck_assert(zs_test_crel(zz + 2 * k, R / (1.0 + I * 2.0 * M_PI * f[k] * tau)) < 1e-9);
        so.method = ZSTR_METHOD_DIRECT;
        ck_assert_int_eq(zstr_sweep(p, 3, f, zz, &so, &e), ZSTR_EMEMLIMIT);
        zstr_plan_free(p);
    }
    o.memory_limit = in.plan_bytes + 1.001 * in.predicted_peak_bytes;
    ZS_CK_OK(zstr_plan_create(m, &o, &p, &e), &e);
    zstr_plan_info in2;
    zstr_plan_info_init(&in2);
    ZS_CK_OK(zstr_plan_get_info(p, &in2), NULL);
    ck_assert_int_eq(in2.max_threads, 1);
    ck_assert(in2.memory_limit == o.memory_limit);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_size_field_input)
{
    zstr_model *m = zs_test_block(3, 3, 3);
    zstr_plan *p = NULL;
    zstr_error e;
    zstr_options o;
    zstr_options_default(&o);
    ck_assert_uint_eq(o.size, sizeof o);
    /* forgotten initialisation */
    memset(&o, 0, sizeof o);
    ck_assert_int_eq(zstr_plan_create(m, &o, &p, &e), ZSTR_EINVAL);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(e.message, "sizeof(zstr_options)") != NULL, "%s", e.message);
    /* a newer header's larger struct is refused, not half read */
    zstr_options_default(&o);
    o.size = sizeof o + 8;
    ck_assert_int_eq(zstr_plan_create(m, &o, &p, &e), ZSTR_EINVAL);
    zstr_options_default(&o);
    ZS_CK_OK(zstr_plan_create(m, &o, &p, &e), &e);
    /* sweep options the same way */
    double f = 1e3, z[2];
    zstr_sweep_options so;
    memset(&so, 0, sizeof so);
    ck_assert_int_eq(zstr_sweep(p, 1, &f, z, &so, &e), ZSTR_EINVAL);
    ck_assert_msg(strstr(e.message, "zstr_sweep_options") != NULL, "%s", e.message);
    zstr_sweep_options_default(&so);
    ck_assert_uint_eq(so.size, sizeof so);
    ck_assert_int_eq(so.threads, 1);
    ck_assert(so.progress == NULL);
    ZS_CK_OK(zstr_sweep(p, 1, &f, z, &so, &e), &e);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_size_field_output)
{
    /* the library writes no byte past the caller's size, and refuses sizes it
     * cannot honour */
    zstr_model *m = zs_test_block(3, 3, 3);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    unsigned char buf[sizeof(zstr_plan_info) + 64];
    memset(buf, 0xab, sizeof buf);
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    memcpy(buf, &in, sizeof in);
    ZS_CK_OK(zstr_plan_get_info(p, (zstr_plan_info *)(void *)buf), NULL);
    for (size_t k = sizeof in; k < sizeof buf; k++)
        ck_assert_uint_eq(buf[k], 0xab);
    memcpy(&in, buf, sizeof in);
    ck_assert_int_eq(in.n_voxels, 27);
    ck_assert_uint_eq(in.size, sizeof in);
    in.size = 0;
    ck_assert_int_eq(zstr_plan_get_info(p, &in), ZSTR_EINVAL);
    in.size = sizeof in + 1;
    ck_assert_int_eq(zstr_plan_get_info(p, &in), ZSTR_EINVAL);

    zstr_dc_result dc;
    memset(&dc, 0, sizeof dc);
    ck_assert_int_eq(zstr_dc_resistance(p, &dc, &e), ZSTR_EINVAL);
    ck_assert_msg(strstr(e.message, "zstr_dc_result") != NULL, "%s", e.message);
    zstr_dc_result_init(&dc);
    ZS_CK_OK(zstr_dc_resistance(p, &dc, &e), &e);
    ck_assert_uint_eq(dc.size, sizeof dc);
    /* 3 µm of 0.046 S/m over 9 µm²: L/(σA) */
    ck_assert(zs_test_rel(dc.resistance, 3e-6 / (0.046 * 9e-12)) < 1e-12);

    zstr_workspace *ws = NULL;
    ZS_CK_OK(zstr_workspace_create(p, &ws, &e), &e);
    zstr_factor_info fi;
    memset(&fi, 0, sizeof fi);
    ck_assert_int_eq(zstr_workspace_factor_info(ws, &fi), ZSTR_EINVAL);
    zstr_factor_info_init(&fi);
    ZS_CK_OK(zstr_workspace_factor_info(ws, &fi), NULL);
    ck_assert(fi.lu_nnz == 0.0); /* nothing factored yet */
    zstr_workspace_free(ws);

    /* a spectrum writer given an uninitialised DC record refuses it */
    double f = 1.0, z[2] = {1.0, -1.0};
    memset(&dc, 0, sizeof dc);
    ck_assert_int_eq(zstr_spectrum_write_csv("/nonexistent/x.csv", m, 1, &f, z, &dc, NULL, &e),
                     ZSTR_EINVAL);
    ck_assert_msg(strstr(e.message, "zstr_dc_result") != NULL, "%s", e.message);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_solver_stats)
{
    /* backend figures are listed by name until ZSTR_ERANGE */
    zstr_model *m = zs_test_block(4, 4, 4);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    const char *name = NULL;
    double value = 0.0;
    int k = 0;
    while (zstr_plan_solver_stat(p, k, &name, &value) == ZSTR_OK) {
        ck_assert_ptr_nonnull(name);
        ck_assert(isfinite(value) && value >= 0.0);
        k++;
    }
    ck_assert_int_ge(k, 3);
    ck_assert_int_eq(zstr_plan_solver_stat(p, k, &name, &value), ZSTR_ERANGE);
    ck_assert_int_eq(zstr_plan_solver_stat(p, -1, &name, &value), ZSTR_ERANGE);
    ck_assert_int_eq(zstr_plan_solver_stat(NULL, 0, &name, &value), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_plan_solver_stat(p, 0, NULL, &value), ZSTR_EINVAL);
    /* by name: every listed figure gives its listed value; a name not
     * listed gives ZSTR_ERANGE and leaves the value alone */
    for (int j = 0; j < k; j++) {
        double byname = -1.0;
        ZS_CK_OK(zstr_plan_solver_stat(p, j, &name, &value), NULL);
        ZS_CK_OK(zstr_plan_solver_stat_named(p, name, &byname), NULL);
        ck_assert(byname == value);
    }
    double untouched = -7.0;
    ck_assert_int_eq(zstr_plan_solver_stat_named(p, "no.such.figure", &untouched), ZSTR_ERANGE);
    ck_assert(untouched == -7.0);
    ck_assert_int_eq(zstr_plan_solver_stat_named(p, "auto", &untouched), ZSTR_ERANGE);
    ck_assert_int_eq(zstr_plan_solver_stat_named(NULL, "x", &value), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_plan_solver_stat_named(p, NULL, &value), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_plan_solver_stat_named(p, "x", NULL), ZSTR_EINVAL);
    /* the LU count of 4³ is at least the diagonal and is what CHOLMOD's count
     * of nnz(L) implies */
    double lnz = stat_of(p, "cholmod.predicted_l_nnz");
    ck_assert(stat_of(p, "umfpack.predicted_lu_nnz") == 2.0 * lnz - 64.0);
    ck_assert(lnz >= 64.0);
    /* the complex LU's analysis comes with the first workspace, and its three
     * figures with it */
    zstr_workspace *ws = NULL;
    ZS_CK_OK(zstr_workspace_create(p, &ws, &e), &e);
    int k2 = 0;
    while (zstr_plan_solver_stat(p, k2, &name, &value) == ZSTR_OK)
        k2++;
    ck_assert_int_eq(k2, k + 3);
    ck_assert(stat_of(p, "umfpack.symbolic_bytes") > 0.0);
    zstr_workspace_free(ws);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_factor_estimate_and_time_model)
{
    /* zs_grid_factor_estimate against CHOLMOD's own count (nnz(L) and the
     * flops of a factorization, METIS): plan.c skips the analysis only when
     * the estimate puts CHOLMOD 10 times behind, so it must not over-state the
     * count by more than the margin leaves (measured at most 2.9 times, 16³);
     * long grids are under-stated (then the analysis is made, never skipped
     * wrongly) */
    static const int64_t shapes[][3] = {{16, 16, 16}, {24, 24, 24}, {40, 40, 10},
                                        {60, 60, 6},  {20, 20, 80}, {32, 32, 32}};
    const int nshape = zs_test_quick() ? 3 : (int)(sizeof shapes / sizeof shapes[0]);
    for (int k = 0; k < nshape; k++) {
        zstr_model *m = zs_test_block(shapes[k][0], shapes[k][1], shapes[k][2]);
        zstr_options o;
        zstr_options_default(&o);
        o.backend = ZSTR_BACKEND_DIRECT;
        zstr_plan *p = NULL;
        zstr_error e;
        ZS_CK_OK(zstr_plan_create(m, &o, &p, &e), &e);
        double lnz = stat_of(p, "cholmod.predicted_l_nnz");
        double flops = stat_of(p, "cholmod.predicted_flops");
        /* a factorization touches every entry of L at least once */
        ck_assert_msg(flops >= lnz, "flops %g < nnz(L) %g", flops, lnz);
        double elnz = 0.0, eflops = 0.0;
        zs_grid_factor_estimate(shapes[k], &elnz, &eflops);
        ck_assert_msg(elnz <= 4.0 * lnz && elnz >= 0.1 * lnz, "%lld: nnz(L) %g, estimate %g",
                      (long long)k, lnz, elnz);
        ck_assert_msg(eflops <= 4.0 * flops && eflops >= 0.1 * flops, "%lld: flops %g, estimate %g",
                      (long long)k, flops, eflops);
        zstr_plan_free(p);
        zstr_model_free(m);
    }
    /* properties: the estimate depends on the smallest cross-section only
     * (40³ and 160 × 160 × 10 both have 1600 voxels in theirs), not on the
     * axes' order, and doubling that section gives 4 times the entries and 8
     * times the flops (nested dissection's last, dense separator) */
    int64_t cube[3] = {40, 40, 40}, flat[3] = {160, 160, 10}, turned[3] = {10, 160, 160},
            wider[3] = {320, 320, 10};
    double lc, fc, lf, ff, lt, ft, lw, fw;
    zs_grid_factor_estimate(cube, &lc, &fc);
    zs_grid_factor_estimate(flat, &lf, &ff);
    zs_grid_factor_estimate(turned, &lt, &ft);
    zs_grid_factor_estimate(wider, &lw, &fw);
    ck_assert(lf == lc && ff == fc && lt == lf && ft == ff);
    ck_assert(zs_test_rel(lw, 4.0 * lf) < 1e-15 && zs_test_rel(fw, 8.0 * ff) < 1e-15);
    /* the time model: linear in its argument, zero at zero */
    ck_assert(zs_time_direct_shift(0.0) == 0.0 && zs_time_iterative_shift(0.0) == 0.0);
    ck_assert(zs_time_direct_shift(2e12) == 2.0 * zs_time_direct_shift(1e12));
    ck_assert(zs_time_iterative_shift(2e6) == 2.0 * zs_time_iterative_shift(1e6));
    ck_assert(zs_time_direct_shift(1e12) > 0.0 && zs_time_iterative_shift(1e6) > 0.0);
    /* the choice: strictly more than margin times slower, finite figures */
    ck_assert_int_eq(zs_auto_prefers_iterative(3.1, 2.0, 1.5), 1);
    ck_assert_int_eq(zs_auto_prefers_iterative(3.0, 2.0, 1.5), 0);
    ck_assert_int_eq(zs_auto_prefers_iterative(1.0, 2.0, 1.0), 0);
    ck_assert_int_eq(zs_auto_prefers_iterative(2.0, 2.0, 1.0), 0);
    ck_assert_int_eq(zs_auto_prefers_iterative(INFINITY, 2.0, 1.0), 0);
    ck_assert_int_eq(zs_auto_prefers_iterative(NAN, 2.0, 1.0), 0);
    ck_assert_int_eq(zs_auto_prefers_iterative(5.0, NAN, 1.0), 0);
    ck_assert_int_eq(zs_auto_prefers_iterative(5.0, -1.0, 1.0), 0);
}
END_TEST

Suite *suite_memory(void)
{
    Suite *s = suite_create("memory");
    TCase *t = tcase_create("memory");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_grid_bound_below_exact_fill);
    tcase_add_test(t, test_refused_before_assembly);
    tcase_add_test(t, test_check_grid);
    tcase_add_test(t, test_limit_is_plan_plus_factorizations);
    tcase_add_test(t, test_size_field_input);
    tcase_add_test(t, test_size_field_output);
    tcase_add_test(t, test_solver_stats);
    tcase_add_test(t, test_factor_estimate_and_time_model);
    suite_add_tcase(s, t);
    return s;
}
