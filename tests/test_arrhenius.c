/*
 * test_arrhenius.c — activation energies.
 *
 * Truth: the engine's own temperature law.  A one-phase cell's DC resistance
 * at several temperatures (zstr_dc_resistance; σ(T) per physics.md with the
 * 1/T prefactor) must give back the phase's E_a in the σT form exactly (to
 * rounding), and the ln(1/R) form must differ by the prefactor's k_B·T̄
 * (R ∝ T·exp(E_a/k_B T): d(−ln T)/d(1/T) = T, so the slope is T̄ − E_a/k_B).  Synthetic noisy
 * data recover E_a within three reported standard errors.
 */
#include "zs_test.h"

#include <string.h>

#include "zstr_analysis.h"

START_TEST(test_engine_activation_energy)
{
    zstr_error e;
    zstr_model *m = NULL;
    ZS_CK_OK(zstr_model_create(3, 3, 3, 1e-5, 1e-5, 1e-5, &m, &e), &e);
    zstr_phase_params p = {"llzo", 0.046, 150, 0.34, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &p, NULL, &e), &e);
    double T[7], R[7];
    for (int i = 0; i < 7; i++) {
        T[i] = 233.15 + 13.333 * i; /* −40 °C .. 40 °C */
        ZS_CK_OK(zstr_model_set_temperature(m, T[i], &e), &e);
        zstr_plan *plan = NULL;
        ZS_CK_OK(zstr_plan_create(m, NULL, &plan, &e), &e);
        zstr_dc_result dc;
        zstr_dc_result_init(&dc);
        ZS_CK_OK(zstr_dc_resistance(plan, &dc, &e), &e);
        R[i] = dc.resistance;
        zstr_plan_free(plan);
    }
    zstr_arrhenius_result r;
    zstr_arrhenius_result_init(&r);
    ZS_CK_OK(zstr_arrhenius_fit(7, T, R, 9e-10, ZSTR_ARRHENIUS_SIGMA_T, &r, &e), &e);
    /* exact line: rounding only */
    ck_assert_msg(fabs(r.ea - 0.34) < 1e-9, "E_a %.12g", r.ea);
    ck_assert_double_lt(r.ea_std_err, 1e-7);
    ck_assert_double_gt(r.r_squared, 1.0 - 1e-12);
    ZS_CK_OK(zstr_arrhenius_fit(7, T, R, 0.0, ZSTR_ARRHENIUS_INVERSE_R, &r, &e), &e);
    /* ln(1/R) = const − ln T − E_a/k_B T: the −ln T term lowers the apparent
     * E_a by about k_B·T̄ (T̄ = 273 K: 0.0235 eV); 2 meV covers its curvature */
    ck_assert_msg(fabs(r.ea - (0.34 - ZSTR_KBOLTZ_EV * 273.15)) < 2e-3, "E_a %g", r.ea);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_noisy_and_refusals)
{
    /* R = R0·T·exp(Ea/kT)·(1 + 2 % noise), fixed pseudo-random sequence */
    double T[12], R[12];
    uint64_t x = 12345;
    for (int i = 0; i < 12; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = ((double)(x >> 11) * 0x1.0p-53 - 0.5) * 2.0 * 0.02 * sqrt(3.0);
        T[i] = 250.0 + 10.0 * i;
        R[i] = 1e-3 * T[i] * exp(0.5 / (ZSTR_KBOLTZ_EV * T[i])) * (1.0 + u);
    }
    zstr_arrhenius_result r;
    zstr_arrhenius_result_init(&r);
    zstr_error e;
    ZS_CK_OK(zstr_arrhenius_fit(12, T, R, 0.0, ZSTR_ARRHENIUS_SIGMA_T, &r, &e), &e);
    ck_assert_msg(fabs(r.ea - 0.5) < 3.0 * r.ea_std_err && r.ea_std_err < 0.01,
                  "E_a %g ± %g", r.ea, r.ea_std_err);
    R[3] = -1.0;
    ck_assert_int_eq(zstr_arrhenius_fit(12, T, R, 0.0, 0, &r, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "pair 4"));
    double Tc[2] = {300, 300}, Rc[2] = {1, 2};
    ck_assert_int_eq(zstr_arrhenius_fit(2, Tc, Rc, 0.0, 0, &r, &e), ZSTR_EINVAL);
    Tc[1] = 310;
    ZS_CK_OK(zstr_arrhenius_fit(2, Tc, Rc, 0.0, 0, &r, &e), &e);
    ck_assert(isnan(r.ea_std_err));
    r.size = 3;
    ck_assert_int_eq(zstr_arrhenius_fit(2, Tc, Rc, 0.0, 0, &r, &e), ZSTR_EINVAL);
}
END_TEST

Suite *suite_arrhenius(void)
{
    Suite *s = suite_create("arrhenius");
    TCase *tc = tcase_create("arrhenius");
    tcase_add_test(tc, test_engine_activation_energy);
    tcase_add_test(tc, test_noisy_and_refusals);
    suite_add_tcase(s, tc);
    return s;
}
