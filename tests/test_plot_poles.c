/*
 * test_plot_poles.c — the Nyquist + exact relaxation-time figure
 * (zp_plot_poles): one stem per pole at the right place, the area scaling,
 * the files it writes and the inputs it refuses.
 *
 * Truths: a stem's top must sit at (log10 τ_k, R_k) of the panel's own axes
 * (from the reported ranges and box), so its position is computed here from
 * the geometry independently of the drawing code.
 */
#include "zs_test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plot.h"

static char top_dir[64];

static void setup(void)
{
    snprintf(top_dir, sizeof top_dir, "/tmp/zstr_test_poles_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top_dir));
}

static void teardown(void) { zs_scratch_remove(top_dir); }
static void caches_teardown(void) { zp_cleanup(); }

/* Z of Σ R_k/(1 + jωτ_k) at n log-spaced frequencies. */
static void spectrum(int np, const double *tau, const double *r, int n, double *f, double *z)
{
    for (int i = 0; i < n; i++) {
        f[i] = pow(10.0, -2.0 + 9.0 * i / (n - 1));
        double complex s = 0.0;
        for (int k = 0; k < np; k++)
            s += r[k] / (1.0 + I * 2.0 * M_PI * f[i] * tau[k]);
        z[2 * i] = creal(s), z[2 * i + 1] = cimag(s);
    }
}

START_TEST(test_stems_where_the_poles_are)
{
    /* two spectra of three poles each */
    double tau[2][3] = {{3e-8, 2e-6, 0.9}, {3e-8, 1e-2, 0.9}};
    double r[2][3] = {{2e5, 1e4, 2e4}, {2e5, 9e4, 2.5e4}};
    double f[2][60], z[2][120];
    zp_series s[2];
    zp_poles_series p[2];
    for (int j = 0; j < 2; j++) {
        spectrum(3, tau[j], r[j], 60, f[j], z[j]);
        s[j] = (zp_series){j ? "22 %" : "100 %", 60, f[j], z[j]};
        p[j] = (zp_poles_series){NULL, 3, tau[j], r[j]};
    }
    zp_options o;
    zp_options_default(&o);
    zp_geometry g;
    char msg[256];
    ck_assert_msg(zp_plot_poles_geometry(s, p, 2, &o, &g, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_int_eq(g.npanels, 2);
    ck_assert(!g.log[0][0] && !g.log[0][1]); /* Nyquist: linear */
    ck_assert(g.log[1][0] && !g.log[1][1]);  /* log τ, linear R */
    ck_assert(g.range[1][0] <= log10(3e-8) && g.range[1][1] >= log10(0.9));
    ck_assert(g.range[1][2] == 0.0 && g.range[1][3] >= 2e5);
    ck_assert_int_eq(g.nmarks, 6);
    /* the second series is drawn first (the first on top): marks 0-2 belong
     * to series 1, 3-5 to series 0 */
    for (int m = 0; m < 6; m++) {
        int j = m < 3 ? 1 : 0, k = m % 3;
        const double *b = g.box[1], *rg = g.range[1];
        double X = b[0] + (log10(tau[j][k]) - rg[0]) / (rg[1] - rg[0]) * b[2];
        double Y = b[1] + b[3] - (r[j][k] - rg[2]) / (rg[3] - rg[2]) * b[3];
        ck_assert_msg(fabs(g.mark[m][0] - X) < 1e-6 && fabs(g.mark[m][1] - Y) < 1e-6,
                      "stem %d at (%g, %g), pole at (%g, %g)", m, g.mark[m][0], g.mark[m][1], X,
                      Y);
    }
    /* area-specific: R in Ω·cm², the axis scales with it */
    o.area_specific = 1;
    o.area_cm2 = 1e-4;
    zp_geometry ga;
    ck_assert_msg(zp_plot_poles_geometry(s, p, 2, &o, &ga, msg, sizeof msg) == 0, "%s", msg);
    ck_assert(ga.range[1][3] >= 20.0 && ga.range[1][3] < 40.0);
}
END_TEST

START_TEST(test_files_and_refusals)
{
    double tau[2] = {1e-3, 1e-1}, r[2] = {100.0, 50.0}, f[30], z[60];
    spectrum(2, tau, r, 30, f, z);
    zp_series s = {"two RC", 30, f, z};
    zp_poles_series p = {NULL, 2, tau, r};
    char path[160], msg[256];
    const char *ext[3] = {"svg", "png", "pdf"};
    const char *magic[3] = {"<?xml", "\x89PNG", "%PDF"};
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/poles.%s", top_dir, ext[k]);
        ck_assert_msg(zp_plot_poles(path, &s, &p, 1, NULL, msg, sizeof msg) == 0, "%s", msg);
        char *doc = zs_read_file(path);
        ck_assert_ptr_nonnull(doc);
        ck_assert_msg(strncmp(doc, magic[k], strlen(magic[k])) == 0, "%s", path);
        free(doc);
    }
    /* no poles at all: the Nyquist panel and an empty stem panel */
    zp_poles_series none = {NULL, 0, NULL, NULL};
    snprintf(path, sizeof path, "%s/none.svg", top_dir);
    ck_assert_msg(zp_plot_poles(path, &s, &none, 1, NULL, msg, sizeof msg) == 0, "%s", msg);
    /* refused: poles without arrays, a NULL poles list, a bad count */
    zp_poles_series bad = {NULL, 2, NULL, r};
    snprintf(path, sizeof path, "%s/bad.svg", top_dir);
    ck_assert_int_eq(zp_plot_poles(path, &s, &bad, 1, NULL, msg, sizeof msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "bad.svg"));
    ck_assert_int_eq(zp_plot_poles(path, &s, NULL, 1, NULL, msg, sizeof msg), -1);
    ck_assert_int_eq(zp_plot_poles(path, &s, &p, -1, NULL, msg, sizeof msg), -1);
    ck_assert(access(path, F_OK) != 0); /* nothing written */
}
END_TEST

START_TEST(test_drt_over_poles)
{
    /* a DRT with two peaks above the three exact poles: one τ axis for both
     * panels, covering both; a mark per DRT peak and a stem per pole */
    double tau[81], gam[81], pk[2] = {1e-6, 1e-2};
    for (int i = 0; i < 81; i++) {
        tau[i] = pow(10.0, -8.0 + 0.1 * i);
        double u1 = (log10(tau[i]) + 6.0) / 0.2, u2 = (log10(tau[i]) + 2.0) / 0.2;
        gam[i] = 50.0 * exp(-u1 * u1) + 20.0 * exp(-u2 * u2);
    }
    double ptau[3] = {1e-9, 1.1e-6, 0.9e-2}, pr[3] = {5.0, 40.0, 15.0};
    zp_drt_series d = {"spectrum", 81, tau, gam, 2, pk};
    zp_poles_series p = {NULL, 3, ptau, pr};
    zp_geometry g;
    char msg[256];
    ck_assert_msg(zp_plot_drt_poles_geometry(&d, &p, 1, NULL, &g, msg, sizeof msg) == 0, "%s",
                  msg);
    ck_assert_int_eq(g.npanels, 2);
    ck_assert(g.log[0][0] && g.log[1][0]);
    ck_assert(g.range[0][0] == g.range[1][0] && g.range[0][1] == g.range[1][1]);
    ck_assert(g.range[0][0] <= -9.0 && g.range[0][1] >= 0.0); /* the pole at 1 ns too */
    ck_assert(g.box[1][1] > g.box[0][1] + g.box[0][3]);       /* stems below the DRT */
    ck_assert_int_eq(g.nmarks, 5);
    /* the stem of the 1.1 µs pole under the DRT's 1 µs peak: within 0.05 decade */
    double dec = g.box[0][2] / (g.range[0][1] - g.range[0][0]);
    ck_assert(fabs(g.mark[0][0] - g.mark[3][0]) < 0.05 * dec ||
              fabs(g.mark[0][0] - g.mark[4][0]) < 0.05 * dec);
    char path[160];
    snprintf(path, sizeof path, "%s/drt_poles.svg", top_dir);
    ck_assert_msg(zp_plot_drt_poles(path, &d, &p, 1, NULL, msg, sizeof msg) == 0, "%s", msg);
    ck_assert(access(path, F_OK) == 0);
    ck_assert_int_eq(zp_plot_drt_poles(path, &d, NULL, 1, NULL, msg, sizeof msg), -1);
}
END_TEST

Suite *suite_plot_poles(void)
{
    Suite *s = suite_create("plot_poles");
    TCase *tc = tcase_create("plot_poles");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_checked_fixture(tc, NULL, caches_teardown);
    tcase_add_test(tc, test_stems_where_the_poles_are);
    tcase_add_test(tc, test_files_and_refusals);
    tcase_add_test(tc, test_drt_over_poles);
    suite_add_tcase(s, tc);
    return s;
}
