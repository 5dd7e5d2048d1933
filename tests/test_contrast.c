/*
 * test_contrast.c — phases whose conductivities differ by many orders of
 * magnitude: every result is either right or refused, never a wrong number.
 *
 * Truths, all independent of the solver:
 *   - layered stacks along z (two or three layers, each its own phase): with
 *     no lateral current every column is one series chain, so
 *         Z(ω) = Σ_i L_i / ((σ_i + jωε0ε_i) A),   R_DC = Σ_i L_i / (σ_i A);
 *   - columns side by side (two phases in parallel): both columns carry the
 *     same linear potential profile, the lateral branches carry no current, so
 *         Y(ω) = Σ_i (σ_i + jωε0ε_i) A_i / L;
 *   - a Voronoi model with resistive grains: when σ_bulk falls by 10³ far below
 *     the GB phase and the contact, R_DC rises by 10³ (the GB and contact
 *     shares fall below 1e-12), and Re Z at a frequency far below every
 *     relaxation (ωτ_max < 1e-9) equals R_DC;
 *   - a σ that underflows at the model temperature is refused at plan creation
 *     naming the phase and the temperature.
 * Contrasts are tested at 1e0, 1e4, 1e8, 1e12 and 1e16 in both directions.
 */
#include "zs_test.h"

#include <stdio.h>
#include <string.h>

#define H 1e-5 /* voxel edge [m] */

static const double contrasts[] = {1e0, 1e4, 1e8, 1e12, 1e16};
#define NCONTRAST ((int)(sizeof contrasts / sizeof contrasts[0]))
/* Tolerance per contrast for the layered and column models.  The measured
 * errors are below 4e-15 at every contrast (the element-wise refinement and the
 * stationary current are exact to rounding on these chains); the tolerance
 * leaves three orders of margin, still ten orders below what the original
 * WE-side DC sum gave at 1e12 (5e-4). */
static const double tolerances[] = {1e-12, 1e-12, 1e-12, 1e-12, 1e-12};

/* permittivities differ so the parts of a branch are never one class */
static const double eps_r[3] = {10.0, 50.0, 20.0};

static zstr_model *stack(int64_t nx, int64_t ny, int64_t nz, const double *sigma, int nphase,
                         const int32_t *labels)
{
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(nx, ny, nz, H, H, H, &m, &e), &e);
    for (int k = 0; k < nphase; k++) {
        char name[32];
        snprintf(name, sizeof name, "layer%d", k);
        zstr_phase_params ph = {name, sigma[k], eps_r[k], 0.0, 298.15};
        ZS_CK_OK(zstr_model_add_phase(m, &ph, NULL, &e), &e);
    }
    ZS_CK_OK(zstr_model_set_labels(m, labels, &e), &e);
    return m;
}

/* Z of m at f (0 = DC) through zstr_execute; returns its status. */
static int impedance(const zstr_model *m, double f, double complex *z, zstr_error *e)
{
    zstr_plan *p = NULL;
    zstr_workspace *ws = NULL;
    int rc = zstr_plan_create(m, NULL, &p, e);
    if (rc == ZSTR_OK)
        rc = zstr_workspace_create(p, &ws, e);
    double zz[2] = {0.0, 0.0};
    if (rc == ZSTR_OK)
        rc = zstr_execute(p, ws, f, zz, e);
    *z = zz[0] + I * zz[1];
    zstr_workspace_free(ws);
    zstr_plan_free(p);
    return rc;
}

static const double freqs[] = {0.0, 1e-3, 1e3, 1e7};
#define NFREQ ((int)(sizeof freqs / sizeof freqs[0]))

/* Up to a contrast of 1e12 every stack is answered; at 1e16 a conductive layer
 * floating between resistive ones is beyond what double precision resolves at
 * DC (its nodes' potentials differ by 1e-16 of their value) and may be refused,
 * naming the two phases, but never answered wrongly. */
static void check_exact(const zstr_model *m, double f, double complex ref, double contrast,
                        double tol, const char *what)
{
    zstr_error e;
    double complex z;
    int rc = impedance(m, f, &z, &e);
    if (rc != ZSTR_OK && contrast > 1e12) {
        ck_assert_msg(rc == ZSTR_ESOLVER && strstr(e.message, "'layer0'") != NULL &&
                          strstr(e.message, "'layer1'") != NULL,
                      "%s at %g Hz: status %d, refusal names not both phases: %s", what, f, rc,
                      e.message);
        return;
    }
    ck_assert_msg(rc == ZSTR_OK, "%s at %g Hz: status %d: %s", what, f, rc, e.message);
    double err = cabs(z - ref) / cabs(ref);
    ck_assert_msg(err <= tol, "%s at %g Hz: Z = %.17g%+.17gj, exact %.17g%+.17gj, rel. error %.3g",
                  what, f, creal(z), cimag(z), creal(ref), cimag(ref), err);
}

/* two layers: the top ktop of nz voxel layers are phase 1 (σ1), the rest phase 0;
 * three layers: a middle third of phase 1 between two of phase 0 */
START_TEST(test_layered_stacks)
{
    const int64_t n = 3, nz = 6;
    const double area = (double)(n * n) * H * H, s0 = 1e-2;
    int32_t *lab = malloc((size_t)(n * n * nz) * sizeof *lab);
    ck_assert_ptr_nonnull(lab);
    for (int layout = 0; layout < 3; layout++) {
        /* layout 0: top 1 layer; 1: top 5 layers; 2: layers 2..3 of 0..5 */
        int64_t lo = layout == 0 ? nz - 1 : layout == 1 ? 1 : 2;
        int64_t hi = layout == 2 ? 4 : nz;
        for (int64_t z = 0; z < nz; z++)
            for (int64_t i = 0; i < n * n; i++)
                lab[i + n * n * z] = (z >= lo && z < hi) ? 1 : 0;
        double l1 = (double)(hi - lo) * H, l0 = (double)nz * H - l1;
        for (int c = 0; c < NCONTRAST; c++) {
            for (int dir = 0; dir < 2; dir++) {
                /* dir 0: phase 1 conductive; dir 1: phase 1 resistive */
                double s1 = dir == 0 ? s0 * contrasts[c] : s0 / contrasts[c];
                double sig[2] = {s0, s1};
                zstr_model *m = stack(n, n, nz, sig, 2, lab);
                for (int k = 0; k < NFREQ; k++) {
                    double w = 2.0 * M_PI * freqs[k];
                    double complex y0 = (s0 + I * w * ZSTR_EPSILON0 * eps_r[0]) * area / l0;
                    double complex y1 = (s1 + I * w * ZSTR_EPSILON0 * eps_r[1]) * area / l1;
                    char what[96];
                    snprintf(what, sizeof what, "layout %d, layer 1 %s by %g", layout,
                             dir == 0 ? "more conductive" : "more resistive", contrasts[c]);
                    check_exact(m, freqs[k], 1.0 / y0 + 1.0 / y1, contrasts[c], tolerances[c],
                                what);
                }
                zstr_model_free(m);
            }
        }
    }
    free(lab);
}
END_TEST

START_TEST(test_parallel_columns)
{
    const int64_t nx = 2, ny = 1, nz = 4;
    const double acol = H * H, len = (double)nz * H, s0 = 1e-2;
    int32_t lab[8];
    for (int64_t z = 0; z < nz; z++) {
        lab[0 + nx * z] = 0;
        lab[1 + nx * z] = 1;
    }
    for (int c = 0; c < NCONTRAST; c++) {
        for (int dir = 0; dir < 2; dir++) {
            double s1 = dir == 0 ? s0 * contrasts[c] : s0 / contrasts[c];
            double sig[2] = {s0, s1};
            zstr_model *m = stack(nx, ny, nz, sig, 2, lab);
            for (int k = 0; k < NFREQ; k++) {
                double w = 2.0 * M_PI * freqs[k];
                double complex y = (s0 + I * w * ZSTR_EPSILON0 * eps_r[0]) * acol / len +
                                   (s1 + I * w * ZSTR_EPSILON0 * eps_r[1]) * acol / len;
                char what[96];
                snprintf(what, sizeof what, "columns, one %s by %g",
                         dir == 0 ? "more conductive" : "more resistive", contrasts[c]);
                check_exact(m, freqs[k], 1.0 / y, contrasts[c], tolerances[c], what);
            }
            zstr_model_free(m);
        }
    }
}
END_TEST

/* The models: n³ voxels of a 100 µm cube, Voronoi grains of 10 µm
 * (seed 1) with a 10 nm GB layer of 5.97e-4 S/m, a 22 % square contact spot
 * (R_pol 0.5 Ω·cm², C_DL 1.77 F/cm²) with pores elsewhere. */
static zstr_model *voronoi_model(int64_t n, double sigma_bulk, double temperature)
{
    const double h = 100e-6 / (double)n;
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(n, n, n, h, h, h, &m, &e), &e);
    zstr_phase_params bulk = {"bulk", sigma_bulk, 150.0, 0.34, 298.15};
    zstr_phase_params gb = {"gb", 5.97e-4, 150.0, 0.43, 298.15};
    int ib = 0, ig = 0;
    ZS_CK_OK(zstr_model_add_phase(m, &bulk, &ib, &e), &e);
    ZS_CK_OK(zstr_model_add_phase(m, &gb, &ig, &e), &e);
    /* 10 µm grains, or two voxels where the grid is coarser */
    zstr_voronoi_params vp = {n >= 10 ? 10e-6 : 2.0 * h, 1, ib, ig, 10e-9};
    ZS_CK_OK(zstr_model_voronoi(m, &vp, NULL, &e), &e);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4;
    ip.contact_capacitance = 1.77e4;
    ip.contact_activation_energy = 0.43;
    ip.pore_capacitance = 8.85;
    uint8_t *px = malloc((size_t)(n * n));
    ck_assert_ptr_nonnull(px);
    ZS_CK_OK(zstr_map_square(n, n, h, h, 0.22, ZSTR_PIXEL_PORE, px, NULL, &e), &e);
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, px, &e), &e);
    free(px);
    ZS_CK_OK(zstr_model_set_temperature(m, temperature, &e), &e);
    return m;
}

/* A refusal must be ZSTR_ESOLVER and name the phase that causes it. */
static void check_refusal(int rc, const zstr_error *e, const char *what)
{
    ck_assert_msg(rc == ZSTR_ESOLVER, "%s: status %d, expected a refusal: %s", what, rc,
                  e->message);
    ck_assert_msg(strstr(e->message, "'bulk'") != NULL && strstr(e->message, "contrast") != NULL,
                  "%s: the refusal names neither phase nor contrast: %s", what, e->message);
}

/* R_DC, and Re Z(f_low) at a frequency far below every relaxation, agree, or
 * the one not answered is refused.  τ_max <= R_DC · C_bound with C_bound the
 * sum of every capacitance a branch of the network can hold (interface and
 * voxel and GB layers), so ωτ < 1e-9 and Re Z − R_DC ~ (ωτ)² R_DC < 1e-18 R_DC.
 * Returns 1 when R_DC was answered (into *rdc). */
static int dc_vs_low_frequency(const zstr_model *m, double *rdc, const char *what)
{
    zstr_error e;
    double complex zdc, zlow;
    int rc = impedance(m, 0.0, &zdc, &e);
    if (rc != ZSTR_OK) {
        check_refusal(rc, &e, what);
        return 0;
    }
    ck_assert_msg(creal(zdc) > 0.0 && cimag(zdc) == 0.0, "%s: R_DC = %g", what, creal(zdc));
    *rdc = creal(zdc);
    int64_t n[3];
    double h[3];
    zstr_model_get_grid(m, n, h);
    double area = (double)n[0] * h[0] * (double)n[1] * h[1];
    double cbound = (1.77e4 + 8.85) * area +
                    3.0 * (double)(n[0] * n[1] * n[2]) * ZSTR_EPSILON0 * 150.0 * h[0] * h[0] / 10e-9;
    double flow = 1e-9 / (2.0 * M_PI * creal(zdc) * cbound);
    rc = impedance(m, flow, &zlow, &e);
    if (rc != ZSTR_OK) {
        check_refusal(rc, &e, what);
        return 1;
    }
    /* the tolerance 1e-9 is what the refusal threshold (1e-10 on each) allows
     * with margin */
    ck_assert_msg(fabs(creal(zlow) - creal(zdc)) <= 1e-9 * creal(zdc),
                  "%s: R_DC = %.17g but Re Z(%g Hz) = %.17g", what, creal(zdc), flow,
                  creal(zlow));
    return 1;
}

START_TEST(test_voronoi_resistive_grains)
{
    const int64_t n = zs_test_quick() ? 6 : 10;
    const double sig[] = {1e-12, 1e-15, 1e-18, 1e-21};
    double r[4] = {0, 0, 0, 0};
    int ok[4];
    for (int k = 0; k < 4; k++) {
        zstr_model *m = voronoi_model(n, sig[k], 298.15);
        char what[64];
        snprintf(what, sizeof what, "%lld^3 Voronoi, bulk %g S/m", (long long)n, sig[k]);
        ok[k] = dc_vs_low_frequency(m, &r[k], what);
        zstr_model_free(m);
    }
    /* below 1e-12 S/m the bulk carries the whole resistance: R·σ is constant to
     * the GB and contact shares, < 1e-12 relative at 1e-15 and below */
    for (int k = 1; k + 1 < 4; k++) {
        if (ok[k] && ok[k + 1]) {
            double a = r[k] * sig[k], b = r[k + 1] * sig[k + 1];
            ck_assert_msg(fabs(a - b) <= 1e-9 * b,
                          "R_DC·σ_bulk: %.17g at %g S/m, %.17g at %g S/m", a, sig[k], b,
                          sig[k + 1]);
        }
    }
    /* the DC cases 1e-15 and 1e-18 are well within reach (the DC network
     * on the voxels has no bulk/GB chain left): they must be answered */
    ck_assert_msg(ok[1] && ok[2], "R_DC with bulk 1e-15 or 1e-18 S/m was refused");
}
END_TEST

START_TEST(test_voronoi_conductive_grains)
{
    const int64_t sizes[] = {4, 10};
    const double sig[] = {1e6, 1e10, 1e14, 1e30};
    for (int s = 0; s < 2; s++) {
        if (zs_test_quick() && sizes[s] > 4)
            continue;
        for (int k = 0; k < 4; k++) {
            zstr_model *m = voronoi_model(sizes[s], sig[k], 298.15);
            char what[64];
            snprintf(what, sizeof what, "%lld^3 Voronoi, bulk %g S/m", (long long)sizes[s],
                     sig[k]);
            double rdc;
            (void)dc_vs_low_frequency(m, &rdc, what);
            /* an RC network is passive and capacitive: Re Z >= 0, Im Z <= 0 at
             * every frequency (the original code gave Z'' > 0 at 1 mHz and Z' < 0
             * at 1e30 S/m); a refusal names the phases */
            const double fs[] = {1e-3, 1.0, 1e3, 1e6};
            for (int q = 0; q < 4; q++) {
                zstr_error e;
                double complex z;
                int rc = impedance(m, fs[q], &z, &e);
                if (rc != ZSTR_OK) {
                    check_refusal(rc, &e, what);
                    continue;
                }
                ck_assert_msg(creal(z) >= 0.0 && cimag(z) <= 0.0, "%s: Z(%g Hz) = %g%+gj", what,
                              fs[q], creal(z), cimag(z));
            }
            zstr_model_free(m);
        }
    }
}
END_TEST

START_TEST(test_temperature_underflow)
{
    /* 5 K: exp(−0.34 eV / k_B · (1/5 − 1/298.15)) underflows to 0 */
    zstr_model *m = voronoi_model(4, 0.046, 5.0);
    zstr_plan *p = NULL;
    zstr_error e;
    int rc = zstr_plan_create(m, NULL, &p, &e);
    ck_assert_msg(rc == ZSTR_ERANGE, "status %d: %s", rc, e.message);
    ck_assert_ptr_null(p);
    ck_assert_msg(strstr(e.message, "'bulk'") != NULL && strstr(e.message, "5 K") != NULL,
                  "message names neither phase nor temperature: %s", e.message);
    zstr_model_free(m);

    /* a phase with no activation energy keeps its σ; an interface resistance
     * with one overflows instead: R_pol·exp(+0.43 eV / k_B / 2 K) */
    double sig[1] = {1e-2};
    int32_t lab[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    m = stack(2, 2, 2, sig, 1, lab);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4;
    ip.contact_activation_energy = 0.43;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, NULL, &e), &e);
    ZS_CK_OK(zstr_model_set_temperature(m, 2.0, &e), &e);
    rc = zstr_plan_create(m, NULL, &p, &e);
    ck_assert_msg(rc == ZSTR_ERANGE, "status %d: %s", rc, e.message);
    ck_assert_msg(strstr(e.message, "contact") != NULL && strstr(e.message, "2 K") != NULL,
                  "message names neither the contact nor the temperature: %s", e.message);
    zstr_model_free(m);

    /* 298.15 K with the same model plans fine */
    m = voronoi_model(4, 0.046, 298.15);
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

Suite *suite_contrast(void)
{
    Suite *s = suite_create("contrast");
    TCase *tc = tcase_create("contrast");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_layered_stacks);
    tcase_add_test(tc, test_parallel_columns);
    tcase_add_test(tc, test_voronoi_resistive_grains);
    tcase_add_test(tc, test_voronoi_conductive_grains);
    tcase_add_test(tc, test_temperature_underflow);
    suite_add_tcase(s, tc);
    return s;
}
