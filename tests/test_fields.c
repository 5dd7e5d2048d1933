/*
 * test_fields.c — potentials and current densities against exact answers:
 * the homogeneous block (linear potential, uniform current), and current
 * conservation through every plane of a constricted, grained cell (the face
 * currents of any z-plane carry exactly the 1 A the fields are normalised to).
 */
#include "zs_test.h"

#include <string.h>

START_TEST(test_block_fields)
{
    /* 1 A through a slab of admittivity σ + jωε0ε_r: V(z) = z/(A(σ + jωε0ε_r)),
     * J = (0, 0, −1/A), every WE pixel takes 1/A.  Exact up to LU rounding. */
    const int64_t nx = 3, ny = 4, nz = 5;
    const double hx = 1e-6, hy = 2e-6, hz = 1.5e-6, sig = 0.02, er = 80.0, f = 2e5;
    zstr_model *m = NULL;
    zstr_plan *p = NULL;
    zstr_workspace *ws = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(nx, ny, nz, hx, hy, hz, &m, &e), &e);
    zstr_phase_params ph = {"b", sig, er, 0, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &ph, NULL, &e), &e);
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    ZS_CK_OK(zstr_workspace_create(p, &ws, &e), &e);
    double pot[2 * 60], cd[6 * 60], wec[2 * 12], zz[2];
    ck_assert_int_eq(zstr_fields(p, ws, pot, cd, wec, &e), ZSTR_ESTATE);
    ZS_CK_OK(zstr_execute(p, ws, f, zz, &e), &e);
    ZS_CK_OK(zstr_fields(p, ws, pot, cd, wec, &e), &e);
    const double a = nx * hx * ny * hy;
    const double complex y = sig + I * 2 * M_PI * f * ZSTR_EPSILON0 * er;
    for (int64_t i = 0; i < nx * ny * nz; i++) {
        int64_t z = i / (nx * ny);
        double complex v = (z + 0.5) * hz / (a * y);
        ck_assert_msg(zs_test_crel(&pot[2 * i], v) < 1e-10, "potential of voxel %lld", (long long)i);
        ck_assert(fabs(cd[6 * i]) + fabs(cd[6 * i + 1]) + fabs(cd[6 * i + 2]) + fabs(cd[6 * i + 3]) <
                  1e-10 / a);
        ck_assert_msg(zs_test_crel(&cd[6 * i + 4], -1.0 / a) < 1e-10, "J_z of voxel %lld",
                      (long long)i);
    }
    for (int k = 0; k < nx * ny; k++)
        ck_assert(zs_test_crel(&wec[2 * k], 1.0 / a) < 1e-10);
    /* outputs are optional */
    ZS_CK_OK(zstr_fields(p, ws, NULL, NULL, NULL, &e), &e);
    zstr_workspace_free(ws);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_current_conservation)
{
    /* Voronoi grains, a 30 % spot with free surface around it: the WE pixels
     * carry 1 A in total and none outside the spot; every z-plane's J_z·A sums
     * to −1 A (each J_z is the mean of two face currents, and every layer of
     * faces carries the whole current); relative 1e-9 of the 1 A total. */
    const int64_t n = 10;
    const double h = 10e-6;
    zstr_model *m = NULL;
    zstr_plan *p = NULL;
    zstr_workspace *ws = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(n, n, n, h, h, h, &m, &e), &e);
    zstr_phase_params b = {"bulk", 0.046, 150, 0.34, 298.15}, g = {"gb", 5.97e-4, 150, 0.43, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &b, NULL, &e), &e);
    ZS_CK_OK(zstr_model_add_phase(m, &g, NULL, &e), &e);
    zstr_voronoi_params vp = {30e-6, 3, 0, 1, 10e-9};
    ZS_CK_OK(zstr_model_voronoi(m, &vp, NULL, &e), &e);
    uint8_t px[100];
    ZS_CK_OK(zstr_map_square(n, n, h, h, 0.3, ZSTR_PIXEL_NONE, px, NULL, &e), &e);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4;
    ip.contact_capacitance = 1.77e4;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, px, &e), &e);
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    ZS_CK_OK(zstr_workspace_create(p, &ws, &e), &e);
    double *cd = malloc(sizeof(double) * 6 * 1000), wec[200], zz[2];
    ck_assert_ptr_nonnull(cd);
    const double freqs[3] = {0.1, 1e3, 1e6};
    for (int k = 0; k < 3; k++) {
        ZS_CK_OK(zstr_execute(p, ws, freqs[k], zz, &e), &e);
        ZS_CK_OK(zstr_fields(p, ws, NULL, cd, wec, &e), &e);
        double s[2] = {0, 0};
        for (int q = 0; q < 100; q++) {
            s[0] += wec[2 * q] * h * h;
            s[1] += wec[2 * q + 1] * h * h;
            if (px[q] == ZSTR_PIXEL_NONE)
                ck_assert(wec[2 * q] == 0.0 && wec[2 * q + 1] == 0.0);
        }
        ck_assert_msg(fabs(s[0] - 1.0) < 1e-9 && fabs(s[1]) < 1e-9, "WE total %g%+gj", s[0], s[1]);
        for (int64_t z = 0; z < n; z++) {
            double t[2] = {0, 0};
            for (int64_t q = 0; q < n * n; q++) {
                t[0] += cd[6 * (z * n * n + q) + 4] * h * h;
                t[1] += cd[6 * (z * n * n + q) + 5] * h * h;
            }
            ck_assert_msg(fabs(t[0] + 1.0) < 1e-9 && fabs(t[1]) < 1e-9,
                          "plane %lld at %g Hz carries %g%+gj A", (long long)z, freqs[k], t[0], t[1]);
        }
    }
    free(cd);
    zstr_plan *q = NULL;
    ZS_CK_OK(zstr_plan_create(m, NULL, &q, &e), &e);
    ck_assert_int_eq(zstr_fields(q, ws, NULL, NULL, NULL, &e), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_fields(NULL, ws, NULL, NULL, NULL, &e), ZSTR_EINVAL);
    zstr_plan_free(q);
    zstr_workspace_free(ws);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

Suite *suite_fields(void)
{
    Suite *s = suite_create("fields");
    TCase *tc = tcase_create("fields");
    tcase_add_test(tc, test_block_fields);
    tcase_add_test(tc, test_current_conservation);
    suite_add_tcase(s, tc);
    return s;
}
