/*
 * test_circuit.c — circuit strings, evaluation and fitting.
 *
 * Truths: closed forms written here (R/(1 + jωRC) and friends), limits of the
 * distributed elements, identities between different elements (K = p(R,C) with
 * τ = RC; CPE with α = 1 is a capacitor), the peak of −Z'' of a ZARC at
 * ω = 1/τ, and synthetic spectra with known parameters and fixed-seed noise,
 * which the fit must recover within its own reported uncertainties.
 */
#include "zs_test.h"

#include <string.h>

#include "zstr_analysis.h"

static zstr_circuit *parse_ok(const char *s)
{
    zstr_error e;
    zstr_circuit *c = NULL;
    ZS_CK_OK(zstr_circuit_parse(s, &c, &e), &e);
    ck_assert_ptr_nonnull(c);
    return c;
}

static void z_at(const zstr_circuit *c, const double *p, double f, double complex *z)
{
    double v[2];
    zstr_error e;
    ZS_CK_OK(zstr_circuit_eval(c, p, 1, &f, v, &e), &e);
    *z = v[0] + I * v[1];
}

/* ------------------------------------------------------------------------- */

START_TEST(test_parse_errors)
{
    static const struct {
        const char *text;
        long column;
        const char *fragment;
    } bad[] = {
        {"R0-p(R1,C1", 11, "p( is not closed"},
        {"R0-X1", 4, "found 'X'"},
        {"R0-p(R1)", 4, "at least two branches"},
        {"R0-R", 5, "needs an identifier"},
        {"R0-Rx", 5, "needs an identifier"},
        {"R0-R0", 4, "used twice"},
        {"R0)", 3, "')' without a matching"},
        {"R0--R1", 4, "found '-'"},
        {"", 1, "found the end"},
        {"R0-", 4, "found the end"},
        {" R0 - Q1", 7, "found 'Q'"},
        {"p(R1,C1)R2", 9, "unexpected text"},
        {"p(R1;C1)", 5, "expected ',' or ')'"},
        {"P(R1,C1)", 1, "found 'P'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zstr_error e;
        memset(&e, 0, sizeof e);
        zstr_circuit *c = (zstr_circuit *)&e;
        ck_assert_int_eq(zstr_circuit_parse(bad[i].text, &c, &e), ZSTR_EINVAL);
        ck_assert_ptr_null(c);
        ck_assert_msg(e.column == bad[i].column, "'%s': column %ld, expected %ld (%s)",
                      bad[i].text, e.column, bad[i].column, e.message);
        ck_assert_msg(strstr(e.message, bad[i].fragment) != NULL, "'%s': '%s' lacks '%s'",
                      bad[i].text, e.message, bad[i].fragment);
        ck_assert_msg(strstr(e.message, "position") != NULL, "%s", e.message);
    }
    /* nesting is bounded: no stack exhaustion on a hostile string */
    char deep[600] = "";
    for (int k = 0; k < 100; k++)
        strcat(deep, "p(");
    zstr_error e;
    zstr_circuit *c = NULL;
    ck_assert_int_eq(zstr_circuit_parse(deep, &c, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "nested too deeply"));
    ck_assert_int_eq(zstr_circuit_parse(NULL, &c, &e), ZSTR_EINVAL);
}
END_TEST

START_TEST(test_names_and_units)
{
    zstr_circuit *c = parse_ok("R0 - p(R1, CPE1) - Wo2 - p(C3, L3_a, K4)");
    static const char *const names[] = {"R0",    "R1",    "CPE1_0", "CPE1_1", "Wo2_0",
                                        "Wo2_1", "C3",    "L3_a",   "K4_0",   "K4_1"};
    static const char *const units[] = {"Ohm", "Ohm", "F s^(a-1)", "", "Ohm",
                                        "s",   "F",   "H",         "Ohm", "s"};
    ck_assert_int_eq(zstr_circuit_param_count(c), 10);
    for (int k = 0; k < 10; k++) {
        ck_assert_str_eq(zstr_circuit_param_name(c, k), names[k]);
        ck_assert_str_eq(zstr_circuit_param_unit(c, k), units[k]);
        ck_assert_int_eq(zstr_circuit_param_index(c, names[k]), k);
    }
    ck_assert_ptr_null(zstr_circuit_param_name(c, 10));
    ck_assert_int_eq(zstr_circuit_param_index(c, "R9"), -1);
    ck_assert_str_eq(zstr_circuit_string(c), "R0-p(R1,CPE1)-Wo2-p(C3,L3_a,K4)");
    /* relaxations: p(R1,CPE1) and K4 (p(C3,L3_a,K4) has three branches) */
    ck_assert_int_eq(zstr_circuit_relaxation_count(c), 2);
    zstr_circuit_free(c);
    zstr_circuit_free(NULL);
}
END_TEST

START_TEST(test_eval_closed_forms)
{
    const double R = 50.0, C = 2e-6, L = 3e-7, Q = 1e-5, A = 7.0, T = 0.01;
    const double f[] = {1e-3, 0.37, 10.0, 1234.5, 1e6};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        double w = 2 * M_PI * f[i];
        double complex z;
        /* R0-p(R1,C1)-L2: R + R/(1+jωRC) + jωL */
        zstr_circuit *c = parse_ok("R0-p(R1,C1)-L2");
        double p1[] = {R, R, C, L};
        z_at(c, p1, f[i], &z);
        double complex want = R + R / (1.0 + I * w * R * C) + I * w * L;
        ck_assert_double_le(cabs(z - want) / cabs(want), 1e-13);
        zstr_circuit_free(c);
        /* K with τ = RC is p(R,C) */
        c = parse_ok("K1");
        double p2[] = {R, R * C};
        double complex zk;
        z_at(c, p2, f[i], &zk);
        ck_assert_double_le(cabs(zk - R / (1.0 + I * w * R * C)) / R, 1e-13);
        zstr_circuit_free(c);
        /* CPE with α = 1 is a capacitor Q; W is A(1 − j)/√ω */
        c = parse_ok("CPE1-W2");
        double p3[] = {Q, 1.0, A};
        z_at(c, p3, f[i], &z);
        want = 1.0 / (I * w * Q) + A * (1.0 - I) / sqrt(w);
        ck_assert_double_le(cabs(z - want) / cabs(want), 1e-12);
        zstr_circuit_free(c);
        /* C in series with R in parallel with C: 1/(1/R + jωC) + 1/(jωC) */
        c = parse_ok("C1-p(R2,C3)");
        double p4[] = {C, R, C};
        z_at(c, p4, f[i], &z);
        want = 1.0 / (I * w * C) + 1.0 / (1.0 / R + I * w * C);
        ck_assert_double_le(cabs(z - want) / cabs(want), 1e-13);
        zstr_circuit_free(c);
    }
    /* limits of the distributed elements (ω τ ≪ 1 and ≫ 1) */
    zstr_circuit *c = parse_ok("Ws1");
    double p[] = {A, T}, lo = 1e-6 / (2 * M_PI * T), hi = 1e6 / (2 * M_PI * T);
    double complex z;
    z_at(c, p, lo, &z); /* tanh(x)/x → 1 */
    ck_assert_double_le(cabs(z - A) / A, 1e-6);
    z_at(c, p, hi, &z); /* → Z0/√(jωτ) */
    ck_assert_double_le(cabs(z - A / csqrt(I * 2 * M_PI * hi * T)) / cabs(z), 1e-12);
    zstr_circuit_free(c);
    c = parse_ok("Wo1");
    z_at(c, p, lo, &z); /* coth(x)/x → 1/(jωτ) + 1/3 */
    double complex want = A * (1.0 / (I * 2 * M_PI * lo * T) + 1.0 / 3.0);
    ck_assert_double_le(cabs(z - want) / cabs(want), 1e-9);
    z_at(c, p, hi, &z);
    ck_assert_double_le(cabs(z - A / csqrt(I * 2 * M_PI * hi * T)) / cabs(z), 1e-12);
    zstr_circuit_free(c);
    c = parse_ok("G1");
    z_at(c, p, lo, &z); /* R/√(1 + jωt) → R */
    ck_assert_double_le(cabs(z - A) / A, 1e-6);
    zstr_circuit_free(c);
}
END_TEST

START_TEST(test_zarc_relaxation)
{
    /* p(R,CPE): −Z'' peaks at ω = 1/τ with τ = (RQ)^(1/α); α = 1 gives C = Q */
    zstr_circuit *c = parse_ok("p(R1,CPE1)");
    double p[] = {100.0, 2e-5, 0.75};
    zstr_relaxation r = {.size = sizeof r};
    zstr_error e;
    ZS_CK_OK(zstr_circuit_relaxation(c, 0, p, &r, &e), &e);
    ck_assert_str_eq(r.element, "p(R1,CPE1)");
    double best = 0, fbest = 0;
    for (int k = 0; k <= 40000; k++) { /* 8 decades, 5000 per decade */
        double f = pow(10.0, -2.0 + k / 5000.0);
        double complex z;
        z_at(c, p, f, &z);
        if (-cimag(z) > best) {
            best = -cimag(z);
            fbest = f;
        }
    }
    /* grid step 10^(1/5000): 5e-4 relative */
    ck_assert_double_le(zs_test_rel(1.0 / (2 * M_PI * fbest), r.tau), 1e-3);
    ck_assert_double_le(zs_test_rel(r.capacitance, r.tau / 100.0), 1e-14);
    p[2] = 1.0;
    ZS_CK_OK(zstr_circuit_relaxation(c, 0, p, &r, &e), &e);
    ck_assert_double_le(zs_test_rel(r.capacitance, 2e-5), 1e-14);
    ck_assert_int_eq(zstr_circuit_relaxation(c, 1, p, &r, &e), ZSTR_ERANGE);
    r.size = 0;
    ck_assert_int_eq(zstr_circuit_relaxation(c, 0, p, &r, &e), ZSTR_EINVAL);
    zstr_circuit_free(c);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Fitting                                                                   */
/* ------------------------------------------------------------------------- */

/* Standard normal deviates: splitmix64 + Box–Muller (fixed seed). */
static uint64_t rng_state;
static double uniform(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return ((double)((z ^ (z >> 31)) >> 11) + 0.5) * 0x1.0p-53;
}
static double normal(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* A spectrum of c at p, n points from 1 MHz down to 1 mHz, with complex
 * noise of relative standard deviation sigma per part. */
static zstr_spectrum *synth(const zstr_circuit *c, const double *p, int n, double sigma,
                            uint64_t seed)
{
    double *f = calloc((size_t)n, sizeof *f), *z = calloc((size_t)n * 2, sizeof *z);
    ck_assert(f != NULL && z != NULL);
    zstr_error e;
    rng_state = seed;
    for (int k = 0; k < n; k++)
        f[k] = n > 1 ? pow(10.0, 6.0 - 9.0 * k / (n - 1)) : 1e3;
    ZS_CK_OK(zstr_circuit_eval(c, p, n, f, z, &e), &e);
    for (int k = 0; k < n; k++) {
        double m = hypot(z[2 * k], z[2 * k + 1]);
        z[2 * k] += sigma * m * normal();
        z[2 * k + 1] += sigma * m * normal();
    }
    zstr_spectrum *s = NULL;
    ZS_CK_OK(zstr_spectrum_create(n, f, z, &s, &e), &e);
    free(f);
    free(z);
    return s;
}

static void fit_recovers(const char *text, const double *truth, double sigma, uint64_t seed)
{
    zstr_circuit *c = parse_ok(text);
    int np = zstr_circuit_param_count(c);
    zstr_spectrum *s = synth(c, truth, 61, sigma, seed);
    double v[16], se[16];
    zstr_fit_info info;
    zstr_fit_info_init(&info);
    zstr_error e;
    ZS_CK_OK(zstr_circuit_fit(c, s, NULL, v, se, &info, &e), &e);
    ck_assert_int_eq(info.dof, 2 * 61 - np);
    /* modulus weighting matches this noise: chi2/dof estimates sigma².  With
     * ~115 degrees of freedom its relative spread is ~13 %: allow 0.6..1.5 */
    ck_assert_msg(info.chi2_reduced > 0.6 * sigma * sigma &&
                      info.chi2_reduced < 1.5 * sigma * sigma,
                  "%s: chi2/dof = %g, sigma^2 = %g", text, info.chi2_reduced, sigma * sigma);
    for (int k = 0; k < np; k++) {
        /* within 3 reported standard errors (the seed is fixed, so this is a
         * deterministic check that the errors are of the right size) */
        ck_assert_msg(isfinite(se[k]) && se[k] > 0, "%s: std_err[%d] = %g", text, k, se[k]);
        ck_assert_msg(fabs(v[k] - truth[k]) < 3.0 * se[k], "%s: %s = %g ± %g, truth %g", text,
                      zstr_circuit_param_name(c, k), v[k], se[k], truth[k]);
        /* and the errors are small: the data determine every parameter */
        ck_assert_msg(se[k] < 0.1 * truth[k], "%s: %s std_err %g", text,
                      zstr_circuit_param_name(c, k), se[k]);
    }
    zstr_spectrum_free(s);
    zstr_circuit_free(c);
}

START_TEST(test_fit_two_rc)
{
    const double t[] = {10.0, 100.0, 1e-6, 200.0, 1e-3};
    fit_recovers("R0-p(R1,C1)-p(R2,C2)", t, 0.005, 42);
}
END_TEST

START_TEST(test_fit_errors_match_scatter)
{
    /* The reported standard errors against the scatter of the estimates over
     * 40 noise realisations (Monte Carlo, an independent measure of the
     * uncertainty).  The sample standard deviation of 40 draws has a
     * relative spread of ~11 %: allow a factor 0.65 .. 1.5. */
    zstr_circuit *c = parse_ok("R0-p(R1,C1)-p(R2,C2)");
    const double t[] = {10.0, 100.0, 1e-6, 200.0, 1e-3};
    enum { RUNS = 40, NP = 5 };
    double sum[NP] = {0}, sum2[NP] = {0}, se_mean[NP] = {0};
    for (int r = 0; r < RUNS; r++) {
        zstr_spectrum *s = synth(c, t, 61, 0.005, 1000 + (uint64_t)r);
        double v[NP], se[NP];
        zstr_error e;
        ZS_CK_OK(zstr_circuit_fit(c, s, NULL, v, se, NULL, &e), &e);
        for (int k = 0; k < NP; k++) {
            sum[k] += v[k];
            sum2[k] += v[k] * v[k];
            se_mean[k] += se[k] / RUNS;
        }
        zstr_spectrum_free(s);
    }
    for (int k = 0; k < NP; k++) {
        double mean = sum[k] / RUNS;
        double sd = sqrt(fmax(sum2[k] / RUNS - mean * mean, 0.0) * RUNS / (RUNS - 1));
        ck_assert_msg(sd > 0.65 * se_mean[k] && sd < 1.5 * se_mean[k],
                      "%s: scatter %g, reported %g", zstr_circuit_param_name(c, k), sd,
                      se_mean[k]);
    }
    zstr_circuit_free(c);
}
END_TEST

START_TEST(test_fit_cpe_and_warburg)
{
    const double t[] = {5.0, 300.0, 4e-6, 0.8, 20.0};
    fit_recovers("R0-p(R1,CPE1)-W2", t, 0.005, 7);
    const double t2[] = {1e-6, 2.0, 50.0, 1e-3, 80.0, 0.5};
    fit_recovers("L0-R1-K2-Wo3", t2, 0.003, 11);
}
END_TEST

START_TEST(test_fit_weightings_exact)
{
    /* noise-free data: every weighting finds the parameters to 1e-6 */
    zstr_circuit *c = parse_ok("R0-p(R1,C1)");
    const double t[] = {20.0, 1000.0, 5e-7};
    zstr_spectrum *s = synth(c, t, 31, 0.0, 1);
    for (int wgt = ZSTR_WEIGHT_MODULUS; wgt <= ZSTR_WEIGHT_UNIT; wgt++) {
        zstr_fit_options o;
        zstr_fit_options_default(&o);
        o.weighting = wgt;
        double v[3];
        zstr_error e;
        ZS_CK_OK(zstr_circuit_fit(c, s, &o, v, NULL, NULL, &e), &e);
        for (int k = 0; k < 3; k++)
            ck_assert_msg(zs_test_rel(v[k], t[k]) < 1e-6, "weighting %d: p%d = %.10g vs %g",
                          wgt, k, v[k], t[k]);
    }
    /* given initial values (one left to the estimate with NaN) */
    zstr_fit_options o;
    zstr_fit_options_default(&o);
    double init[3] = {15.0, NAN, 1e-6};
    o.initial = init;
    double v[3];
    zstr_error e;
    ZS_CK_OK(zstr_circuit_fit(c, s, &o, v, NULL, NULL, &e), &e);
    ck_assert_double_le(zs_test_rel(v[1], t[1]), 1e-6);
    /* refusals */
    init[0] = -1.0;
    ck_assert_int_eq(zstr_circuit_fit(c, s, &o, v, NULL, NULL, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "initial R0"));
    o.size = 0;
    ck_assert_int_eq(zstr_circuit_fit(c, s, &o, v, NULL, NULL, &e), ZSTR_EINVAL);
    zstr_fit_info info = {0};
    ck_assert_int_eq(zstr_circuit_fit(c, s, NULL, v, NULL, &info, &e), ZSTR_EINVAL);
    zstr_spectrum_free(s);
    s = synth(c, t, 1, 0.0, 1); /* 2 values, 3 parameters */
    ck_assert_int_eq(zstr_circuit_fit(c, s, NULL, v, NULL, NULL, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "more values than parameters"));
    zstr_spectrum_free(s);
    zstr_circuit_free(c);
}
END_TEST

Suite *suite_circuit(void)
{
    Suite *s = suite_create("circuit");
    TCase *tc = tcase_create("circuit");
    tcase_add_test(tc, test_parse_errors);
    tcase_add_test(tc, test_names_and_units);
    tcase_add_test(tc, test_eval_closed_forms);
    tcase_add_test(tc, test_zarc_relaxation);
    tcase_add_test(tc, test_fit_two_rc);
    tcase_add_test(tc, test_fit_errors_match_scatter);
    tcase_add_test(tc, test_fit_cpe_and_warburg);
    tcase_add_test(tc, test_fit_weightings_exact);
    suite_add_tcase(s, tc);
    return s;
}
