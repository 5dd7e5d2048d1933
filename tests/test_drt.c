/*
 * test_drt.c — distribution of relaxation times.
 *
 * Truths: an RC element R/(1 + jωτ) is a delta at τ with area R; two RC
 * elements four decades apart are two separate deltas; a ZARC
 * R/(1 + (jωτ0)^α) has the analytic DRT
 *   γ(u) = (R/2π)·sin(βπ)/(cosh(αu) − cos(βπ)),  u = ln(τ/τ0), β = 1 − α
 * (α → 1 makes it the delta of an RC: the denominator vanishes at u = 0),
 * whose full width at half maximum is 2·acosh(2 − cos βπ)/α.  Spectra are
 * closed forms written here, 10 points per decade, 1 mHz .. 1 MHz.
 */
#include "zs_test.h"

#include <string.h>

#include "zstr_analysis.h"

static zstr_spectrum *spectrum_of(double complex (*z)(double w, const double *p),
                                  const double *p)
{
    enum { N = 91 };
    double f[N], v[2 * N];
    for (int k = 0; k < N; k++) {
        f[k] = pow(10.0, 6.0 - 9.0 * k / (N - 1));
        double complex zk = z(2 * M_PI * f[k], p);
        v[2 * k] = creal(zk);
        v[2 * k + 1] = cimag(zk);
    }
    zstr_spectrum *s = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_spectrum_create(N, f, v, &s, &e), &e);
    return s;
}

static double complex rc1(double w, const double *p)
{
    return p[0] + p[1] / (1.0 + I * w * p[2]);
}

static double complex rc2(double w, const double *p)
{
    return p[0] + p[1] / (1.0 + I * w * p[2]) + p[3] / (1.0 + I * w * p[4]);
}

static double complex zarc(double w, const double *p)
{
    return p[0] + p[1] / (1.0 + cpow(I * w * p[2], p[3]));
}

static zstr_drt *drt_ok(const zstr_spectrum *s, const zstr_drt_options *o)
{
    zstr_drt *d = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_drt_compute(s, o, &d, &e), &e);
    ck_assert_ptr_nonnull(d);
    return d;
}

START_TEST(test_one_rc)
{
    const double p[] = {10.0, 100.0, 1e-3};
    zstr_spectrum *s = spectrum_of(rc1, p);
    zstr_drt *d = drt_ok(s, NULL);
    ck_assert_int_eq(zstr_drt_peak_count(d), 1);
    double tau, r;
    ck_assert_int_eq(zstr_drt_peak(d, 0, &tau, &r), ZSTR_OK);
    /* τ: the peak sits on the fine grid (Δ = 0.1/4 decade = 6 %); the
     * regularisation may shift it by a fraction of that: 10 %.  Area: the
     * smoothing spreads the delta but keeps its area; the tails below the
     * neighbouring minima and R∞'s share leave a few %: 3 %. */
    ck_assert_msg(zs_test_rel(tau, 1e-3) < 0.10, "tau %g", tau);
    ck_assert_msg(zs_test_rel(r, 100.0) < 0.03, "R %g", r);
    ck_assert_msg(zs_test_rel(zstr_drt_r_inf(d), 10.0) < 0.03, "R_inf %g", zstr_drt_r_inf(d));
    ck_assert_double_gt(zstr_drt_lambda(d), 0.0);
    /* the model reproduces the data: the delta is smoothed to the width of a
     * basis function, which costs about 1 % at the corner frequency: 2 % */
    double f = 1.0 / (2 * M_PI * 1e-3), z[2];
    ZS_CK_OK(zstr_drt_eval(d, 1, &f, z, NULL), NULL);
    ck_assert_double_lt(zs_test_crel(z, rc1(2 * M_PI * f, p)), 0.02);
    zstr_drt_free(d);
    /* the same with the real or the imaginary part alone, first derivative */
    static const int parts[] = {ZSTR_DRT_REAL, ZSTR_DRT_IMAG};
    for (int i = 0; i < 2; i++) {
        zstr_drt_options o;
        zstr_drt_options_default(&o);
        o.part = parts[i];
        o.derivative = 1;
        d = drt_ok(s, &o);
        ck_assert_int_ge(zstr_drt_peak_count(d), 1);
        /* the biggest peak */
        double tb = 0, rb = 0;
        for (int k = 0; k < zstr_drt_peak_count(d); k++) {
            zstr_drt_peak(d, k, &tau, &r);
            if (r > rb)
                rb = r, tb = tau;
        }
        ck_assert_msg(zs_test_rel(tb, 1e-3) < 0.15, "part %d: tau %g", parts[i], tb);
        ck_assert_msg(zs_test_rel(rb, 100.0) < 0.05, "part %d: R %g", parts[i], rb);
        ck_assert_msg(zs_test_rel(zstr_drt_r_inf(d), 10.0) < 0.05, "part %d: R_inf %g",
                      parts[i], zstr_drt_r_inf(d));
        zstr_drt_free(d);
    }
    zstr_spectrum_free(s);
}
END_TEST

START_TEST(test_two_rc)
{
    const double p[] = {5.0, 100.0, 1e-5, 300.0, 1e-1};
    zstr_spectrum *s = spectrum_of(rc2, p);
    zstr_drt *d = drt_ok(s, NULL);
    ck_assert_int_eq(zstr_drt_peak_count(d), 2);
    double tau, r;
    zstr_drt_peak(d, 0, &tau, &r); /* increasing τ */
    ck_assert_msg(zs_test_rel(tau, 1e-5) < 0.10 && zs_test_rel(r, 100.0) < 0.03,
                  "peak 1: %g s %g Ohm", tau, r);
    zstr_drt_peak(d, 1, &tau, &r);
    ck_assert_msg(zs_test_rel(tau, 1e-1) < 0.10 && zs_test_rel(r, 300.0) < 0.03,
                  "peak 2: %g s %g Ohm", tau, r);
    ck_assert_int_eq(zstr_drt_peak(d, 2, &tau, &r), ZSTR_ERANGE);
    zstr_drt_free(d);
    zstr_spectrum_free(s);
}
END_TEST

START_TEST(test_zarc_width)
{
    const double alpha = 0.7, p[] = {2.0, 50.0, 1e-2, alpha};
    zstr_spectrum *s = spectrum_of(zarc, p);
    zstr_drt *d = drt_ok(s, NULL);
    ck_assert_int_eq(zstr_drt_peak_count(d), 1);
    double tau, r;
    zstr_drt_peak(d, 0, &tau, &r);
    /* FWHM of γ in ln τ against the analytic 2·acosh(2 − cos βπ)/α */
    double beta = 1.0 - alpha, want = 2.0 * acosh(2.0 - cos(beta * M_PI)) / alpha;
    const double *t = zstr_drt_tau(d), *g = zstr_drt_gamma(d);
    int64_t n = zstr_drt_count(d), imax = 0;
    for (int64_t i = 0; i < n; i++)
        imax = g[i] > g[imax] ? i : imax;
    int64_t lo = imax, hi = imax;
    while (lo > 0 && g[lo] > 0.5 * g[imax])
        lo--;
    while (hi + 1 < n && g[hi] > 0.5 * g[imax])
        hi++;
    double width = log(t[hi] / t[lo]);
    /* the regularisation smooths (widens) a little and the half-maximum
     * points are found to one fine step (0.058 in ln τ): 10 % */
    ck_assert_msg(zs_test_rel(width, want) < 0.10, "FWHM %g, analytic %g", width, want);
    ck_assert_msg(zs_test_rel(tau, 1e-2) < 0.10, "tau %g", tau);
    /* the ZARC's whole resistance is under its one peak */
    ck_assert_msg(zs_test_rel(r, 50.0) < 0.03, "R %g", r);
    /* and the peak height matches the analytic maximum (R/2π)·sin βπ/(1 − cos βπ) */
    double gmax = 50.0 / (2 * M_PI) * sin(beta * M_PI) / (1.0 - cos(beta * M_PI));
    ck_assert_msg(zs_test_rel(g[imax], gmax) < 0.10, "gamma_max %g, analytic %g", g[imax],
                  gmax);
    zstr_drt_free(d);
    zstr_spectrum_free(s);
}
END_TEST

/* λ is dimensionless (the penalty acts on γ/max|Z|): the same shape at 1 Ω
 * and at 1 MΩ gets the same λ by GCV, the same peaks and γ scaled by 1e6
 * (up to rounding in the least-squares solves: 1e-6). */
START_TEST(test_scale_invariance)
{
    const double p[] = {1.0, 10.0, 1e-3, 5.0, 1e-1};
    const double q[] = {1e6, 1e7, 1e-3, 5e6, 1e-1};
    zstr_spectrum *s = spectrum_of(rc2, p), *big = spectrum_of(rc2, q);
    zstr_drt *d = drt_ok(s, NULL), *db = drt_ok(big, NULL);
    ck_assert(zs_test_rel(zstr_drt_lambda(db), zstr_drt_lambda(d)) < 1e-6);
    ck_assert_int_eq(zstr_drt_peak_count(db), zstr_drt_peak_count(d));
    ck_assert_int_eq(zstr_drt_peak_count(d), 2);
    for (int k = 0; k < zstr_drt_peak_count(d); k++) {
        double t1, r1, t2, r2;
        zstr_drt_peak(d, k, &t1, &r1);
        zstr_drt_peak(db, k, &t2, &r2);
        ck_assert(t1 == t2);
        ck_assert(zs_test_rel(r2, 1e6 * r1) < 1e-6);
    }
    zstr_drt_free(d);
    zstr_drt_free(db);
    zstr_spectrum_free(s);
    zstr_spectrum_free(big);
}
END_TEST

START_TEST(test_drt_refusals)
{
    const double p[] = {10.0, 100.0, 1e-3};
    zstr_spectrum *s = spectrum_of(rc1, p);
    zstr_drt_options o;
    zstr_drt_options_default(&o);
    o.derivative = 3;
    zstr_drt *d = (zstr_drt *)&o;
    zstr_error e;
    ck_assert_int_eq(zstr_drt_compute(s, &o, &d, &e), ZSTR_EINVAL);
    ck_assert_ptr_null(d);
    o.derivative = 2;
    o.size = 1;
    ck_assert_int_eq(zstr_drt_compute(s, &o, &d, &e), ZSTR_EINVAL);
    /* a given λ is used as is */
    zstr_drt_options_default(&o);
    o.lambda = 1e-3;
    d = drt_ok(s, &o);
    ck_assert_double_eq(zstr_drt_lambda(d), 1e-3);
    zstr_drt_free(d);
    zstr_drt_free(NULL);
    zstr_spectrum_free(s);
}
END_TEST

Suite *suite_drt(void)
{
    Suite *s = suite_create("drt");
    TCase *tc = tcase_create("drt");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_one_rc);
    tcase_add_test(tc, test_two_rc);
    tcase_add_test(tc, test_zarc_width);
    tcase_add_test(tc, test_scale_invariance);
    tcase_add_test(tc, test_drt_refusals);
    suite_add_tcase(s, tc);
    return s;
}
