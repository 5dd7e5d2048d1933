/*
 * test_synth.c — synthetic volumes (lib/vol_synth.c).
 *
 * Truths: the blob porosity and the minority count are exact by construction
 * (round(f·N) voxels); a thresholded Gaussian field at its median has, for two
 * points whose field correlation is ρ, the probability arccos(ρ)/π of lying
 * on different sides (the orthant probability of a bivariate normal — an
 * independent formula, not the code's rule); overlapping Poisson spheres have
 * the expected porosity 1 − exp(−n·v/V); a seed fixes the volume.
 */
#include "zs_test.h"
#include "zstr_volume.h"

#include <string.h>

static zstr_volume *cube(int64_t n, double h)
{
    const int64_t dims[3] = {n, n, n};
    const double edges[3] = {h, h, h};
    zstr_volume *v = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_volume_create(dims, edges, ZSTR_VOXEL_U8, 0.0, &v, &e), &e);
    return v;
}

static int64_t count_label(const zstr_volume *v, int label)
{
    int64_t n[3], c = 0;
    zstr_volume_get_grid(v, n, NULL);
    const uint16_t *l = zstr_volume_labels(v);
    for (int64_t i = 0; i < n[0] * n[1] * n[2]; i++)
        c += l[i] == label;
    return c;
}

START_TEST(test_seed_reproducible)
{
    zstr_synth_params p;
    zstr_synth_params_default(&p);
    p.minority_fraction = 0.01;
    zstr_volume *a = cube(24, 1e-6), *b = cube(24, 1e-6), *c = cube(24, 1e-6);
    zstr_error e;
    for (int kind = ZSTR_SYNTH_BLOBS; kind <= ZSTR_SYNTH_SPHERES; kind++) {
        p.kind = kind;
        p.seed = 7;
        ZS_CK_OK(zstr_volume_synthesize(a, &p, NULL, &e), &e);
        ZS_CK_OK(zstr_volume_synthesize(b, &p, NULL, &e), &e);
        p.seed = 8;
        ZS_CK_OK(zstr_volume_synthesize(c, &p, NULL, &e), &e);
        size_t bytes = 24 * 24 * 24 * sizeof(uint16_t);
        ck_assert_int_eq(memcmp(zstr_volume_labels(a), zstr_volume_labels(b), bytes), 0);
        ck_assert_int_ne(memcmp(zstr_volume_labels(a), zstr_volume_labels(c), bytes), 0);
    }
    zstr_volume_free(a);
    zstr_volume_free(b);
    zstr_volume_free(c);
}
END_TEST

START_TEST(test_blobs_exact_fractions)
{
    static const double porosity[] = {0.105, 0.035, 0.024, 0.5};
    zstr_volume *v = cube(32, 20e-9);
    for (int k = 0; k < 4; k++) {
        zstr_synth_params p;
        zstr_synth_params_default(&p);
        p.porosity = porosity[k];
        p.correlation_length = 60e-9;
        p.minority_fraction = 0.003;
        double got[2];
        zstr_error e;
        ZS_CK_OK(zstr_volume_synthesize(v, &p, got, &e), &e);
        int64_t n = 32 * 32 * 32;
        ck_assert_int_eq(count_label(v, 1), llround(porosity[k] * (double)n));
        ck_assert_int_eq(count_label(v, 2), llround(0.003 * (double)n));
        ck_assert_int_eq(count_label(v, 0) + count_label(v, 1) + count_label(v, 2), n);
        ck_assert_double_eq(got[0], (double)llround(porosity[k] * (double)n) / (double)n);
    }
    zstr_volume_free(v);
}
END_TEST

/* Fraction of +x, +y, +z neighbour pairs (periodic) with different labels. */
static double differing_pairs(const zstr_volume *v)
{
    int64_t n[3];
    zstr_volume_get_grid(v, n, NULL);
    const uint16_t *l = zstr_volume_labels(v);
    int64_t diff = 0, all = 0;
    for (int64_t z = 0; z < n[2]; z++)
        for (int64_t y = 0; y < n[1]; y++)
            for (int64_t x = 0; x < n[0]; x++) {
                int64_t i = x + n[0] * (y + n[1] * z);
                int64_t j[3] = {(x + 1) % n[0] + n[0] * (y + n[1] * z),
                                x + n[0] * ((y + 1) % n[1] + n[1] * z),
                                x + n[0] * (y + n[1] * ((z + 1) % n[2]))};
                for (int d = 0; d < 3; d++)
                    diff += l[i] != l[j[d]], all++;
            }
    return (double)diff / (double)all;
}

START_TEST(test_blobs_correlation_length)
{
    /* Smoothing white noise with a Gaussian of σ gives the field correlation
     * ρ(r) = exp(−r²/(4σ²)); at the median threshold two points at lag r
     * differ with probability arccos(ρ)/π.  Three box filters approximate
     * the Gaussian (same variance) and 64³ voxels hold a few hundred
     * correlation volumes, so the measured fraction is compared within 15 %
     * (observed well inside that for these seeds).  σ² = 6 and 20 voxels²
     * are lengths the odd box widths 5 and 9 realise exactly. */
    const double sigma[] = {sqrt(6.0), sqrt(20.0)};
    zstr_volume *v = cube(64, 1.0);
    double last = 1.0;
    for (int k = 0; k < 2; k++) {
        zstr_synth_params p;
        zstr_synth_params_default(&p);
        p.porosity = 0.5;
        p.correlation_length = sigma[k];
        p.seed = 3;
        zstr_error e;
        ZS_CK_OK(zstr_volume_synthesize(v, &p, NULL, &e), &e);
        double got = differing_pairs(v);
        double want = acos(exp(-1.0 / (4.0 * sigma[k] * sigma[k]))) / M_PI;
        ck_assert_msg(zs_test_rel(got, want) < 0.15, "sigma %g: %g differing pairs, want %g",
                      sigma[k], got, want);
        ck_assert(got < last);
        last = got;
    }
    zstr_volume_free(v);
}
END_TEST

START_TEST(test_spheres_expected_porosity)
{
    /* n spheres of radius r = 4 voxels in 64³: the porosity's spread over
     * seeds is about sqrt(n)·v·(1 − p)/V ≈ 0.013, and a digital sphere's
     * volume differs from 4πr³/3 by a few %: 0.04 is three spreads. */
    zstr_volume *v = cube(64, 1e-6);
    zstr_synth_params p;
    zstr_synth_params_default(&p);
    p.kind = ZSTR_SYNTH_SPHERES;
    p.porosity = 0.3;
    p.correlation_length = 4e-6;
    double got[2];
    zstr_error e;
    ZS_CK_OK(zstr_volume_synthesize(v, &p, got, &e), &e);
    ck_assert_msg(fabs(got[0] - 0.3) < 0.04, "porosity %g", got[0]);
    ck_assert_double_eq(got[0], (double)count_label(v, 1) / (64.0 * 64 * 64));
    zstr_volume_free(v);
}
END_TEST

START_TEST(test_synth_bad_params)
{
    zstr_volume *v = cube(8, 1e-6);
    zstr_synth_params p;
    zstr_error e;
    zstr_synth_params_default(&p);
    p.porosity = 1.0;
    ck_assert_int_eq(zstr_volume_synthesize(v, &p, NULL, &e), ZSTR_EINVAL);
    zstr_synth_params_default(&p);
    p.minority_fraction = 0.95;
    ck_assert_int_eq(zstr_volume_synthesize(v, &p, NULL, &e), ZSTR_EINVAL);
    zstr_synth_params_default(&p);
    p.pore_label = 300; /* a uint8 volume */
    ck_assert_int_eq(zstr_volume_synthesize(v, &p, NULL, &e), ZSTR_EINVAL);
    zstr_synth_params_default(&p);
    p.size = 8;
    ck_assert_int_eq(zstr_volume_synthesize(v, &p, NULL, &e), ZSTR_EINVAL);
    zstr_volume_free(v);
}
END_TEST

Suite *suite_synth(void)
{
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("synth");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_seed_reproducible);
    tcase_add_test(tc, test_blobs_exact_fractions);
    tcase_add_test(tc, test_blobs_correlation_length);
    tcase_add_test(tc, test_spheres_expected_porosity);
    tcase_add_test(tc, test_synth_bad_params);
    suite_add_tcase(s, tc);
    return s;
}
