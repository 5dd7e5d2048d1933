/*
 * test_volmodel.c — volumes as models (lib/vol_model.c) and the DC
 * tortuosity factor.
 *
 * Truths: with ideal electrodes a layered medium is the series of its
 * layers, R = Σ t_i/(σ_i·A) (physics.md: each voxel column is a chain of
 * half-voxel conductances), so σ_eff = L/(R·A) and τ = ε·σ/σ_eff have closed
 * forms; turning the transport axis must not change them; the WE map has one
 * pore pixel per pore voxel of the top layer, counted in the volume directly.
 */
#include "zs_test.h"
#include "zstr_volume.h"

#include <string.h>

static const zstr_phase_params PH[3] = {{"lps", 0.046, 30.0, 0.0, 298.15},
                                        {"li2s", 1e-3, 10.0, 0.0, 298.15},
                                        {"pore", 0.0, 1.0, 0.0, 298.15}};
static const int TABLE[3] = {0, 1, 2};

START_TEST(test_layered_series)
{
    /* layers along the transport axis: t voxels of lps, then li2s, repeated:
     * thicknesses 3, 2, 4, 1 (sum 10), h = 1 µm, 5 × 4 cross-section */
    static const int t[4] = {3, 2, 4, 1};
    const double h = 1e-6;
    for (int axis = 0; axis < 3; axis++) {
        int64_t n[3] = {5, 4, 6};
        n[axis] = 10;
        const double edges[3] = {h, h, h};
        zstr_volume *v = NULL;
        zstr_error e;
        ZS_CK_OK(zstr_volume_create(n, edges, ZSTR_VOXEL_U8, 0.0, &v, &e), &e);
        uint16_t *l = zstr_volume_labels_mut(v);
        for (int64_t z = 0; z < n[2]; z++)
            for (int64_t y = 0; y < n[1]; y++)
                for (int64_t x = 0; x < n[0]; x++) {
                    const int64_t c[3] = {x, y, z};
                    int64_t k = c[axis], layer = 0, acc = t[0];
                    while (k >= acc)
                        acc += t[++layer];
                    l[x + n[0] * (y + n[1] * z)] = (uint16_t)(layer % 2);
                }
        zstr_volume_model_params p;
        zstr_volume_model_params_default(&p);
        p.axis = axis;
        p.phases = PH;
        p.nphases = 3;
        p.label_phase = TABLE;
        p.nlabels = 3;
        zstr_model *m = NULL;
        ZS_CK_OK(zstr_volume_to_model(v, &p, &m, &e), &e);
        int64_t mn[3];
        double mh[3];
        zstr_model_get_grid(m, mn, mh);
        ck_assert_int_eq(mn[2], 10);
        double area = (double)(mn[0] * mn[1]) * h * h;
        double R = (3.0 + 4.0) * h / (PH[0].conductivity * area) +
                   (2.0 + 1.0) * h / (PH[1].conductivity * area);
        double seff = 10.0 * h / (R * area);
        zstr_tortuosity_result r;
        r.size = sizeof r;
        ZS_CK_OK(zstr_model_tortuosity_factor(m, 0, NULL, &r, &e), &e);
        /* a direct sparse Cholesky solve: round-off only */
        ck_assert_msg(zs_test_rel(r.resistance, R) < 1e-10, "axis %d: R %g, want %g", axis,
                      r.resistance, R);
        ck_assert(zs_test_rel(r.sigma_eff, seff) < 1e-10);
        ck_assert_double_eq_tol(r.volume_fraction, 0.7, 1e-15);
        ck_assert(zs_test_rel(r.tortuosity_factor, 0.7 * PH[0].conductivity / seff) < 1e-10);
        zstr_model_free(m);
        zstr_volume_free(v);
    }
}
END_TEST

START_TEST(test_pore_column_open_and_straight)
{
    /* a straight prism of lps in pore: τ = 1 exactly (ε σ / σ_eff with
     * σ_eff = ε σ); all pore: open circuit, τ = inf */
    const int64_t n[3] = {6, 6, 8};
    const double edges[3] = {1e-6, 1e-6, 1e-6};
    zstr_volume *v = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_volume_create(n, edges, ZSTR_VOXEL_U8, 0.0, &v, &e), &e);
    uint16_t *l = zstr_volume_labels_mut(v);
    for (int64_t i = 0; i < 6 * 6 * 8; i++)
        l[i] = (i % 6 < 2 && (i / 6) % 6 < 3) ? 0 : 2;
    zstr_volume_model_params p;
    zstr_volume_model_params_default(&p);
    p.phases = PH;
    p.nphases = 3;
    p.label_phase = TABLE;
    p.nlabels = 3;
    p.we_pore_phase = 2;
    p.we.pore_capacitance = 1e-3;
    zstr_model *m = NULL;
    ZS_CK_OK(zstr_volume_to_model(v, &p, &m, &e), &e);
    const uint8_t *px = zstr_model_interface_pixels(m, ZSTR_WE);
    ck_assert_ptr_nonnull(px);
    int pores = 0;
    for (int i = 0; i < 36; i++)
        pores += px[i] == ZSTR_PIXEL_PORE;
    ck_assert_int_eq(pores, 36 - 6); /* 2 × 3 lps voxels touch the WE */
    zstr_tortuosity_result r;
    r.size = sizeof r;
    ZS_CK_OK(zstr_model_tortuosity_factor(m, 0, NULL, &r, &e), &e);
    ck_assert_msg(fabs(r.tortuosity_factor - 1.0) < 1e-10, "tau %g", r.tortuosity_factor);
    zstr_model_free(m);
    for (int64_t i = 0; i < 6 * 6 * 8; i++)
        l[i] = 2;
    p.we_pore_phase = -1;
    ZS_CK_OK(zstr_volume_to_model(v, &p, &m, &e), &e);
    ck_assert_int_eq(zstr_model_tortuosity_factor(m, 0, NULL, &r, &e), ZSTR_WOPEN_CIRCUIT);
    ck_assert(r.open_circuit && isinf(r.tortuosity_factor));
    zstr_model_free(m);
    /* a label without a phase is refused, naming the voxel */
    l[7] = 9;
    ck_assert_int_eq(zstr_volume_to_model(v, &p, &m, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "label 9 at volume voxel (1, 1, 0)"));
    zstr_volume_free(v);
}
END_TEST

START_TEST(test_grain_volume)
{
    /* two grains (labels 3 and 4) meeting on the plane z = 4: the GB layer of
     * thickness δ replaces δ of the bulk in every column: R = (L − δ)/(σ A) +
     * δ/(σ_gb A) */
    const int64_t n[3] = {3, 3, 8};
    const double h = 1e-6, delta = 0.1e-6;
    const double edges[3] = {h, h, h};
    zstr_volume *v = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_volume_create(n, edges, ZSTR_VOXEL_U8, 0.0, &v, &e), &e);
    uint16_t *l = zstr_volume_labels_mut(v);
    for (int64_t i = 0; i < 72; i++)
        l[i] = i / 9 < 4 ? 3 : 4;
    zstr_volume_model_params p;
    zstr_volume_model_params_default(&p);
    p.phases = PH;
    p.nphases = 2;
    p.grains = 1;
    p.grain_phase = 0;
    p.boundary_phase = 1;
    p.boundary_thickness = delta;
    zstr_model *m = NULL;
    ZS_CK_OK(zstr_volume_to_model(v, &p, &m, &e), &e);
    ck_assert_ptr_nonnull(zstr_model_grain_ids(m));
    zstr_tortuosity_result r;
    r.size = sizeof r;
    ZS_CK_OK(zstr_model_tortuosity_factor(m, 0, NULL, &r, &e), &e);
    double A = 9 * h * h;
    double R = (8 * h - delta) / (PH[0].conductivity * A) + delta / (PH[1].conductivity * A);
    ck_assert_msg(zs_test_rel(r.resistance, R) < 1e-10, "R %g want %g", r.resistance, R);
    zstr_model_free(m);
    zstr_volume_free(v);
}
END_TEST

Suite *suite_volmodel(void)
{
    Suite *s = suite_create("volmodel");
    TCase *tc = tcase_create("volmodel");
    tcase_add_test(tc, test_layered_series);
    tcase_add_test(tc, test_pore_column_open_and_straight);
    tcase_add_test(tc, test_grain_volume);
    suite_add_tcase(s, tc);
    return s;
}
