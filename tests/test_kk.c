/*
 * test_kk.c — Lin-KK.
 *
 * Truths: spectra of the engine's exact RC networks (a Voronoi polycrystal
 * with a partly contacted WE, so bulk, GB and interface arcs) are causal,
 * linear and stable, hence Kramers-Kronig consistent; a closed-form ZARC too.
 * A drift (the real part growing with measurement time, low frequencies last)
 * breaks consistency and must be flagged.
 */
#include "zs_test.h"

#include <string.h>

#include "zstr_analysis.h"

static zstr_spectrum *engine_spectrum(void)
{
    zstr_error e;
    zstr_model *m = NULL;
    ZS_CK_OK(zstr_model_create(6, 6, 6, 2e-6, 2e-6, 2e-6, &m, &e), &e);
    zstr_phase_params bulk = {"bulk", 0.046, 150, 0.34, 298.15};
    zstr_phase_params gb = {"gb", 5.97e-4, 150, 0.43, 298.15};
    int ib, ig;
    ZS_CK_OK(zstr_model_add_phase(m, &bulk, &ib, &e), &e);
    ZS_CK_OK(zstr_model_add_phase(m, &gb, &ig, &e), &e);
    zstr_voronoi_params v = {4e-6, 3, ib, ig, 1e-8};
    ZS_CK_OK(zstr_model_voronoi(m, &v, NULL, &e), &e);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4; /* 0.5 Ohm cm^2 */
    ip.contact_capacitance = 1.77e-2;
    ip.pore_capacitance = 8.85e-3;
    /* (interface time constants ~1 µs: every process of this 12 µm cell
     * lies inside 10 mHz .. 1 GHz, |Z| spans five decades) */
    uint8_t px[36];
    ZS_CK_OK(zstr_map_square(6, 6, 2e-6, 2e-6, 0.25, ZSTR_PIXEL_PORE, px, NULL, &e), &e);
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, px, &e), &e);
    zstr_plan *plan = NULL;
    ZS_CK_OK(zstr_plan_create(m, NULL, &plan, &e), &e);
    double *f = NULL;
    int64_t n = 0;
    ZS_CK_OK(zstr_frequencies_log(1e-2, 1e9, 8, &f, &n, &e), &e);
    double *z = malloc((size_t)n * 2 * sizeof *z);
    ZS_CK_OK(zstr_sweep(plan, n, f, z, NULL, &e), &e);
    zstr_spectrum *s = NULL;
    ZS_CK_OK(zstr_spectrum_create(n, f, z, &s, &e), &e);
    free(f);
    free(z);
    zstr_plan_free(plan);
    zstr_model_free(m);
    return s;
}

START_TEST(test_engine_spectrum_passes)
{
    zstr_spectrum *s = engine_spectrum();
    zstr_kk_result r;
    zstr_kk_result_init(&r);
    int64_t n = zstr_spectrum_count(s);
    double *res = malloc((size_t)n * 2 * sizeof *res);
    zstr_error e;
    /* noise-free: no μ criterion, M = number of points (see an_kk.c) */
    zstr_kk_options o;
    zstr_kk_options_default(&o);
    o.mu_criterion = 0.0;
    ZS_CK_OK(zstr_kk_test(s, &o, &r, res, &e), &e);
    /* exact network spectra: the residual is the Lin-KK basis's own
     * approximation error (measured 2e-6 %), far below any measurement
     * noise: 1e-4 % */
    ck_assert_msg(r.consistent, "M %d mu %g re %g %%, im %g %%", r.m, r.mu, r.max_residual_re_pct,
                  r.max_residual_im_pct);
    ck_assert_double_lt(r.max_residual_re_pct, 1e-4);
    ck_assert_double_lt(r.max_residual_im_pct, 1e-4);
    ck_assert_int_eq(r.m, n);
    for (int64_t i = 0; i < 2 * n; i++)
        ck_assert_double_le(fabs(res[i]), 1e-4);
    /* a drift: Z' grows by 0.5 % of |Z| per point in time order (the sweep
     * runs from high to low frequency), as a cell that changes while it is
     * measured; Lin-KK must flag it at 1 % */
    const double *f = zstr_spectrum_frequencies(s), *z = zstr_spectrum_impedance(s);
    double *zd = malloc((size_t)n * 2 * sizeof *zd);
    double zmax = 0;
    for (int64_t i = 0; i < n; i++)
        zmax = fmax(zmax, hypot(z[2 * i], z[2 * i + 1]));
    for (int64_t i = 0; i < n; i++) {
        int64_t t = n - 1 - i; /* f ascending: the last point was measured first */
        zd[2 * i] = z[2 * i] + 0.005 * zmax * (double)t * (double)t / (double)n;
        zd[2 * i + 1] = z[2 * i + 1];
    }
    zstr_spectrum *sd = NULL;
    ZS_CK_OK(zstr_spectrum_create(n, f, zd, &sd, &e), &e);
    zstr_kk_result rd;
    zstr_kk_result_init(&rd);
    ZS_CK_OK(zstr_kk_test(sd, &o, &rd, NULL, &e), &e);
    ck_assert_msg(!rd.consistent, "drift passed: re %g %%, im %g %%", rd.max_residual_re_pct,
                  rd.max_residual_im_pct);
    free(zd);
    free(res);
    zstr_spectrum_free(sd);
    zstr_spectrum_free(s);
}
END_TEST

START_TEST(test_zarc_passes_and_refusals)
{
    enum { N = 71 };
    double f[N], z[2 * N];
    for (int k = 0; k < N; k++) {
        f[k] = pow(10.0, -2.0 + 8.0 * k / (N - 1));
        double complex zk = 5.0 + 100.0 / (1.0 + cpow(I * 2 * M_PI * f[k] * 1e-3, 0.8));
        z[2 * k] = creal(zk);
        z[2 * k + 1] = cimag(zk);
    }
    zstr_spectrum *s = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_spectrum_create(N, f, z, &s, &e), &e);
    zstr_kk_result r;
    zstr_kk_result_init(&r);
    ZS_CK_OK(zstr_kk_test(s, NULL, &r, NULL, &e), &e);
    /* a ZARC is a continuous distribution: a few RCs approximate it to 0.1 % */
    ck_assert_msg(r.consistent && r.max_residual_re_pct < 0.1 && r.max_residual_im_pct < 0.1,
                  "M %d re %g im %g", r.m, r.max_residual_re_pct, r.max_residual_im_pct);
    ck_assert_double_lt(r.mu, 0.85 + 1e-12);
    r.size = 0;
    ck_assert_int_eq(zstr_kk_test(s, NULL, &r, NULL, &e), ZSTR_EINVAL);
    zstr_kk_options o;
    zstr_kk_options_default(&o);
    o.mu_criterion = -0.5;
    zstr_kk_result_init(&r);
    ck_assert_int_eq(zstr_kk_test(s, &o, &r, NULL, &e), ZSTR_EINVAL);
    zstr_spectrum_free(s);
}
END_TEST

Suite *suite_kk(void)
{
    Suite *s = suite_create("kk");
    TCase *tc = tcase_create("kk");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_engine_spectrum_passes);
    tcase_add_test(tc, test_zarc_passes_and_refusals);
    suite_add_tcase(s, tc);
    return s;
}
