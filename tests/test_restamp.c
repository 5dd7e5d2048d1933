/*
 * test_restamp.c — zstr_plan_restamp (new values on a plan's pattern) and the
 * per-frequency outputs of zstr_sweep (estimates, recomputed flags, the
 * reduced model, MOR progress).
 *
 * The truth for a re-stamped plan is a fresh plan of the same model: the
 * pattern and the symbolic analyses are the same, so every value must be the
 * same bit for bit, by both methods and at DC.  A model whose network has
 * another pattern must be refused with the plan left as it was.
 */
#include "zs_test.h"

#include <stdint.h>
#include <string.h>

/* The paper's model on n³ (Voronoi + GB + square spot, `rest` around it) at
 * temperature t, with R_pol scaled by rpol_scale. */
static zstr_model *model_seeded(int64_t n, double t, int rest, double fraction,
                                double rpol_scale, uint64_t seed)
{
    const double h = 100e-6 / (double)n;
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(n, n, n, h, h, h, &m, &e), &e);
    zstr_phase_params bulk = {"bulk", 0.046, 150.0, 0.34, 298.15};
    zstr_phase_params gb = {"gb", 5.97e-4, 150.0, 0.43, 298.15};
    int ib = -1, ig = -1;
    ZS_CK_OK(zstr_model_add_phase(m, &bulk, &ib, &e), &e);
    ZS_CK_OK(zstr_model_add_phase(m, &gb, &ig, &e), &e);
    zstr_voronoi_params vp = {25e-6, seed, ib, ig, 10e-9};
    ZS_CK_OK(zstr_model_voronoi(m, &vp, NULL, &e), &e);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4 * rpol_scale;
    ip.contact_capacitance = 1.77e4;
    ip.contact_activation_energy = 0.43;
    ip.pore_capacitance = 8.85;
    uint8_t *px = malloc((size_t)(n * n));
    ck_assert_ptr_nonnull(px);
    ZS_CK_OK(zstr_map_square(n, n, h, h, fraction, rest, px, NULL, &e), &e);
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, px, &e), &e);
    free(px);
    ZS_CK_OK(zstr_model_set_temperature(m, t, &e), &e);
    return m;
}

static zstr_model *model(int64_t n, double t, int rest, double fraction, double rpol_scale)
{
    return model_seeded(n, t, rest, fraction, rpol_scale, 3);
}

static const double freqs[] = {0.0, 1e-3, 0.1, 10.0, 1e3, 1e5, 1e7};
#define NF ((int64_t)(sizeof freqs / sizeof freqs[0]))

/* Spectrum of a plan by one method (and R_DC). */
static void spectrum(const zstr_plan *p, int method, double *z, double *rdc)
{
    zstr_sweep_options so;
    zstr_sweep_options_default(&so);
    so.method = method;
    zstr_error e;
    ZS_CK_OK(zstr_sweep(p, NF, freqs, z, &so, &e), &e);
    zstr_dc_result dc;
    zstr_dc_result_init(&dc);
    ZS_CK_OK(zstr_dc_resistance(p, &dc, &e), &e);
    *rdc = dc.resistance;
}

/* Re-stamped and fresh plans of `next` agree bit for bit. */
static void same_as_fresh(zstr_plan *p, const zstr_model *next, const char *what)
{
    zstr_error e;
    ZS_CK_OK(zstr_plan_restamp(p, next, &e), &e);
    zstr_plan *fresh = NULL;
    ZS_CK_OK(zstr_plan_create(next, NULL, &fresh, &e), &e);
    for (int method = ZSTR_METHOD_DIRECT; method <= ZSTR_METHOD_MOR; method++) {
        double za[2 * NF], zb[2 * NF], ra, rb;
        spectrum(p, method, za, &ra);
        spectrum(fresh, method, zb, &rb);
        ck_assert_msg(ra == rb, "%s: R_DC %.17g re-stamped, %.17g fresh", what, ra, rb);
        for (int64_t k = 0; k < 2 * NF; k++)
            ck_assert_msg(za[k] == zb[k], "%s, method %d: value %lld: %.17g vs %.17g", what,
                          method, (long long)k, za[k], zb[k]);
    }
    zstr_plan_info a, b;
    zstr_plan_info_init(&a);
    zstr_plan_info_init(&b);
    ZS_CK_OK(zstr_plan_get_info(p, &a), NULL);
    ZS_CK_OK(zstr_plan_get_info(fresh, &b), NULL);
    ck_assert(a.temperature == b.temperature && a.nnz == b.nnz &&
              a.n_unknowns == b.n_unknowns && a.predicted_bytes == b.predicted_bytes);
    zstr_plan_free(fresh);
}

START_TEST(test_temperature_series)
{
    /* −40 °C … 40 °C on one plan: each member equals its fresh plan, and R_DC
     * follows the temperature (the DC result is not kept across re-stamps) */
    const int64_t n = 8;
    zstr_model *m0 = model(n, 298.15, ZSTR_PIXEL_PORE, 0.25, 1.0);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m0, NULL, &p, &e), &e);
    double z[2 * NF], r0, prev = 0.0;
    spectrum(p, ZSTR_METHOD_DIRECT, z, &r0);
    const double temps[] = {233.15, 253.15, 273.15, 293.15, 313.15};
    for (int k = 0; k < 5; k++) {
        zstr_model *mk = model(n, temps[k], ZSTR_PIXEL_PORE, 0.25, 1.0);
        char what[64];
        snprintf(what, sizeof what, "T = %.2f K", temps[k]);
        same_as_fresh(p, mk, what);
        double rk;
        spectrum(p, ZSTR_METHOD_DIRECT, z, &rk);
        if (k > 0)
            ck_assert_msg(rk < prev, "R_DC must fall as T rises: %g then %g", prev, rk);
        prev = rk;
        zstr_model_free(mk);
    }
    zstr_plan_free(p);
    zstr_model_free(m0);
}
END_TEST

START_TEST(test_parameter_change)
{
    /* another R_pol and another bulk conductivity keep the pattern */
    const int64_t n = 7;
    zstr_model *m0 = model(n, 298.15, ZSTR_PIXEL_PORE, 0.3, 1.0);
    zstr_model *m1 = model(n, 298.15, ZSTR_PIXEL_PORE, 0.3, 40.0);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m0, NULL, &p, &e), &e);
    same_as_fresh(p, m1, "R_pol x 40");
    zstr_phase_params bulk;
    ZS_CK_OK(zstr_model_get_phase(m1, 0, &bulk, &e), &e);
    bulk.conductivity *= 0.01;
    ZS_CK_OK(zstr_model_set_phase(m1, 0, &bulk, &e), &e);
    same_as_fresh(p, m1, "bulk sigma / 100");
    /* contact and pore pixels both chain an interface element behind the top
     * half voxel: another contact fraction of the same map kind keeps the
     * pattern (only the values of those elements change) */
    zstr_model *m2 = model(n, 298.15, ZSTR_PIXEL_PORE, 0.7, 1.0);
    same_as_fresh(p, m2, "contact fraction 0.7");
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    ZS_CK_OK(zstr_plan_get_info(p, &in), NULL);
    ck_assert(in.contact_fraction[ZSTR_WE] == zstr_model_contact_fraction(m2, ZSTR_WE));
    zstr_model_free(m2);
    zstr_plan_free(p);
    zstr_model_free(m0);
    zstr_model_free(m1);
}
END_TEST

START_TEST(test_other_pattern_refused)
{
    /* another grid, other grains, and pores turned into free surface (the
     * eliminated pattern is the same there, the WE's row is not) are refused,
     * and the plan still computes what it did */
    const int64_t n = 6;
    zstr_model *m0 = model(n, 298.15, ZSTR_PIXEL_PORE, 0.25, 1.0);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m0, NULL, &p, &e), &e);
    double before[2 * NF], after[2 * NF], r0, r1;
    spectrum(p, ZSTR_METHOD_DIRECT, before, &r0);
    zstr_model *others[3] = {model(n + 1, 298.15, ZSTR_PIXEL_PORE, 0.25, 1.0),
                             model_seeded(n, 298.15, ZSTR_PIXEL_PORE, 0.25, 1.0, 11),
                             model(n, 250.0, ZSTR_PIXEL_NONE, 0.25, 1.0)};
    for (int k = 0; k < 3; k++) {
        int rc = zstr_plan_restamp(p, others[k], &e);
        ck_assert_msg(rc == ZSTR_EPATTERN, "case %d: %d (%s)", k, rc, e.message);
        ck_assert(strstr(e.message, "plan") != NULL);
        zstr_model_free(others[k]);
    }
    spectrum(p, ZSTR_METHOD_DIRECT, after, &r1);
    ck_assert(r0 == r1);
    for (int64_t k = 0; k < 2 * NF; k++)
        ck_assert(before[k] == after[k]);
    ck_assert_int_eq(zstr_plan_restamp(NULL, m0, &e), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_plan_restamp(p, NULL, &e), ZSTR_EINVAL);
    ck_assert_str_eq(zstr_strerror(ZSTR_EPATTERN), "the network's pattern differs from the "
                                                   "plan's");
    zstr_plan_free(p);
    zstr_model_free(m0);
}
END_TEST

/* ---- zstr_sweep's per-frequency outputs ----------------------------------- */

typedef struct calls {
    int n, last_factorizations, cancel_at;
    double last_estimate;
} calls;

static int on_mor(void *ctx, int factorizations, double estimate)
{
    calls *c = ctx;
    c->n++;
    ck_assert_int_gt(factorizations, c->last_factorizations);
    c->last_factorizations = factorizations;
    c->last_estimate = estimate;
    return c->cancel_at > 0 && factorizations >= c->cancel_at;
}

START_TEST(test_sweep_outputs)
{
    const int64_t n = 8;
    zstr_model *m = model(n, 298.15, ZSTR_PIXEL_PORE, 0.25, 1.0);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    double z[2 * NF], zd[2 * NF], est[NF];
    unsigned char again[NF];
    zstr_rom *rom = (zstr_rom *)&e;
    calls c = {0, 0, 0, 0.0};
    zstr_sweep_report rep;
    zstr_sweep_report_init(&rep);
    zstr_sweep_options so;
    zstr_sweep_options_default(&so);
    ck_assert(so.mor_progress == NULL && so.estimate == NULL && so.rom == NULL);
    so.method = ZSTR_METHOD_MOR;
    so.mor_progress = on_mor;
    so.context = &c;
    so.estimate = est;
    so.recomputed = again;
    so.rom = &rom;
    so.report = &rep;
    ZS_CK_OK(zstr_sweep(p, NF, freqs, z, &so, &e), &e);
    /* one call per factorization, the last estimate the one reported */
    ck_assert_int_eq(c.n, rep.factorizations);
    ck_assert_int_eq(c.last_factorizations, rep.factorizations);
    ck_assert(c.last_estimate <= 1e-6);
    ck_assert(est[0] == 0.0 && again[0] == 0); /* DC: solved directly */
    double worst = 0.0;
    for (int64_t k = 1; k < NF; k++) {
        ck_assert(again[k] == 0 && est[k] >= 0.0 && est[k] <= 1e-6);
        worst = fmax(worst, est[k]);
    }
    ck_assert(worst <= rep.max_estimate);
    /* the reduced model handed over gives the same values */
    ck_assert_ptr_nonnull(rom);
    double zr[2 * NF];
    ZS_CK_OK(zstr_rom_evaluate(rom, NF - 1, freqs + 1, zr, NULL, &e), &e);
    for (int64_t k = 2; k < 2 * NF; k++)
        ck_assert(zr[k - 2] == z[k]);
    zstr_rom_free(rom);
    /* against direct: within the tolerance */
    so.method = ZSTR_METHOD_DIRECT;
    so.rom = &rom;
    ZS_CK_OK(zstr_sweep(p, NF, freqs, zd, &so, &e), &e);
    ck_assert_ptr_null(rom);
    for (int64_t k = 0; k < NF; k++) {
        ck_assert(est[k] == 0.0 && again[k] == 0);
        ck_assert(hypot(z[2 * k] - zd[2 * k], z[2 * k + 1] - zd[2 * k + 1]) <=
                  1e-6 * hypot(zd[2 * k], zd[2 * k + 1]));
    }
    /* an unreachable tolerance: every positive frequency flagged and direct */
    so.method = ZSTR_METHOD_MOR;
    so.tolerance = 1e-300;
    so.rom = NULL;
    c = (calls){0, 0, 0, 0.0};
    ZS_CK_OK(zstr_sweep(p, NF, freqs, z, &so, &e), &e);
    for (int64_t k = 1; k < NF; k++) {
        ck_assert(again[k] == 1 && est[k] == 0.0);
        ck_assert(z[2 * k] == zd[2 * k] && z[2 * k + 1] == zd[2 * k + 1]);
    }
    /* cancelled from the MOR callback: no model is handed over */
    so.tolerance = 1e-6;
    so.rom = &rom;
    c = (calls){0, 0, 2, 0.0};
    ck_assert_int_eq(zstr_sweep(p, NF, freqs, z, &so, &e), ZSTR_ECANCELLED);
    ck_assert_ptr_null(rom);
    ck_assert_int_eq(c.n, 2);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_sweep_method)
{
    /* what zstr_sweep will run, and that it then runs it */
    zstr_model *m = model(6, 298.15, ZSTR_PIXEL_PORE, 0.25, 1.0);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    double f[40], z[80];
    for (int k = 0; k < 40; k++)
        f[k] = pow(10.0, -2.0 + 0.25 * k);
    /* a few hundred unknowns: auto is direct however many frequencies */
    ck_assert_int_eq(zstr_sweep_method(p, 40, f, ZSTR_METHOD_AUTO), ZSTR_METHOD_DIRECT);
    ck_assert_int_eq(zstr_sweep_method(p, 40, f, ZSTR_METHOD_MOR), ZSTR_METHOD_MOR);
    ck_assert_int_eq(zstr_sweep_method(p, 40, f, ZSTR_METHOD_DIRECT), ZSTR_METHOD_DIRECT);
    double dc = 0.0;
    ck_assert_int_eq(zstr_sweep_method(p, 1, &dc, ZSTR_METHOD_MOR), ZSTR_METHOD_DIRECT);
    ck_assert_int_eq(zstr_sweep_method(p, 0, NULL, ZSTR_METHOD_AUTO), ZSTR_METHOD_DIRECT);
    ck_assert_int_eq(zstr_sweep_method(NULL, 40, f, ZSTR_METHOD_AUTO), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_sweep_method(p, 40, NULL, ZSTR_METHOD_AUTO), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_sweep_method(p, 40, f, 9), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_sweep_method(p, -1, f, ZSTR_METHOD_AUTO), ZSTR_EINVAL);
    zstr_sweep_report rep;
    zstr_sweep_report_init(&rep);
    zstr_sweep_options so;
    zstr_sweep_options_default(&so);
    so.report = &rep;
    for (int method = ZSTR_METHOD_AUTO; method <= ZSTR_METHOD_MOR; method++) {
        so.method = method;
        ZS_CK_OK(zstr_sweep(p, 40, f, z, &so, &e), &e);
        ck_assert_int_eq(rep.method, zstr_sweep_method(p, 40, f, method));
    }
    zstr_plan_free(p);
    zstr_model_free(m);
    /* 14³ Voronoi (> 5000 unknowns): auto is mor from 12 frequencies */
    m = model(14, 298.15, ZSTR_PIXEL_PORE, 0.25, 1.0);
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    ck_assert_int_eq(zstr_sweep_method(p, 40, f, ZSTR_METHOD_AUTO), ZSTR_METHOD_MOR);
    ck_assert_int_eq(zstr_sweep_method(p, 11, f, ZSTR_METHOD_AUTO), ZSTR_METHOD_DIRECT);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_dc_kept)
{
    /* the DC record is solved once: later calls return it unchanged */
    zstr_model *m = model(6, 298.15, ZSTR_PIXEL_PORE, 0.25, 1.0);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    zstr_dc_result a, b;
    zstr_dc_result_init(&a);
    zstr_dc_result_init(&b);
    ZS_CK_OK(zstr_dc_resistance(p, &a, &e), &e);
    ZS_CK_OK(zstr_dc_resistance(p, &b, &e), &e);
    ck_assert(memcmp(&a, &b, sizeof a) == 0);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

Suite *suite_restamp(void)
{
    Suite *s = suite_create("restamp");
    TCase *t = tcase_create("restamp");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, test_temperature_series);
    tcase_add_test(t, test_parameter_change);
    tcase_add_test(t, test_other_pattern_refused);
    tcase_add_test(t, test_sweep_outputs);
    tcase_add_test(t, test_sweep_method);
    tcase_add_test(t, test_dc_kept);
    suite_add_tcase(s, t);
    return s;
}
