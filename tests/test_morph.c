/*
 * test_morph.c — microstructure metrics (lib/morph_*.c) on volumes with known
 * answers: a straight cylindrical channel (percolates, length = height,
 * tortuosity 1), a staircase channel (its 6-neighbour length counted by
 * hand), slabs and a ball of known local thickness, a checkerboard and
 * separated cubes of known component counts under 6- and 26-connectivity, a
 * gradient volume of known slice fractions, and the distance transform
 * against a brute-force minimum over every outside voxel.
 */
#include "zs_test.h"
#include "zstr_volume.h"

#include <string.h>

static zstr_volume *box(int64_t nx, int64_t ny, int64_t nz, double hx, double hy, double hz)
{
    const int64_t n[3] = {nx, ny, nz};
    const double h[3] = {hx, hy, hz};
    zstr_volume *v = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_volume_create(n, h, ZSTR_VOXEL_U8, 0.0, &v, &e), &e);
    return v;
}

#define AT(v, x, y, z) (zstr_volume_labels_mut(v)[(x) + nx * ((y) + ny * (z))])

static const int PORE[1] = {1};

START_TEST(test_cylinder_channel)
{
    const int64_t nx = 20, ny = 20, nz = 30;
    const double h = 20e-9;
    zstr_volume *v = box(nx, ny, nz, h, h, h);
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++)
                if ((x - 9.5) * (x - 9.5) + (y - 9.5) * (y - 9.5) <= 16.0)
                    AT(v, x, y, z) = 1;
    zstr_error e;
    int perc[3];
    ZS_CK_OK(zstr_morph_percolation(v, 1, PORE, perc, &e), &e);
    ck_assert_int_eq(perc[0], 0);
    ck_assert_int_eq(perc[1], 0);
    ck_assert_int_eq(perc[2], 1);
    for (int metric = ZSTR_METRIC_6; metric <= ZSTR_METRIC_CHAMFER; metric++)
        for (int from_end = 0; from_end <= 1; from_end++) {
            zstr_geodesic_result r;
            r.size = sizeof r;
            ZS_CK_OK(zstr_morph_geodesic(v, 1, PORE, 2, from_end, metric, NULL, &r, &e), &e);
            /* every far-face voxel is reached straight: n·h, tortuosity 1
             * (sums of equal doubles: exact to a few ulps) */
            ck_assert_int_eq(r.n_reached, r.n_start);
            ck_assert_double_eq_tol(r.min_length, nz * h, 1e-12 * nz * h);
            ck_assert_double_eq_tol(r.mean, 1.0, 1e-12);
            ck_assert_double_eq_tol(r.min, 1.0, 1e-12);
            ck_assert_double_eq_tol(r.max, 1.0, 1e-12);
        }
    /* the solid around it does percolate in every direction */
    const int solid[1] = {0};
    ZS_CK_OK(zstr_morph_percolation(v, 1, solid, perc, &e), &e);
    ck_assert(perc[0] && perc[1] && perc[2]);
    zstr_volume_free(v);
}
END_TEST

START_TEST(test_staircase_channel)
{
    /* Level z = k holds x = k and x = k + 1.  From the start voxel (1, 0, 0)
     * (length h) the path climbs and steps right alternately: (k, 0, k) is
     * reached at 2k·h and (k + 1, 0, k) at (2k + 1)·h for k >= 1, so the top
     * level k = nz − 1 is reached at 2(nz − 1)·h and (2nz − 1)·h. */
    const int64_t nx = 12, ny = 1, nz = 10;
    const double h = 1.0;
    zstr_volume *v = box(nx, ny, nz, h, h, h);
    for (int64_t k = 0; k < nz; k++)
        AT(v, k, 0, k) = 1, AT(v, k + 1, 0, k) = 1;
    zstr_geodesic_result r;
    r.size = sizeof r;
    zstr_error e;
    double *d = malloc((size_t)(nx * ny * nz) * sizeof *d);
    ZS_CK_OK(zstr_morph_geodesic(v, 1, PORE, 2, 0, ZSTR_METRIC_6, d, &r, &e), &e);
    ck_assert_int_eq(r.n_start, 2);
    ck_assert_int_eq(r.n_reached, 2);
    ck_assert_double_eq(r.min_length, 2.0 * (nz - 1));
    ck_assert_double_eq(r.min, 2.0 * (nz - 1) / nz);
    ck_assert_double_eq(r.max, (2.0 * nz - 1) / nz);
    ck_assert_double_eq(r.mean, (4.0 * nz - 3) / (2.0 * nz));
    ck_assert_double_eq(d[5 + nx * 5], 10.0);
    ck_assert(isinf(d[0 + nx * 5]));
    /* the chamfer metric may cut corners: never longer, here shorter */
    zstr_geodesic_result c;
    c.size = sizeof c;
    ZS_CK_OK(zstr_morph_geodesic(v, 1, PORE, 2, 0, ZSTR_METRIC_CHAMFER, NULL, &c, &e), &e);
    /* every level must be climbed; a diagonal climbs one and shifts x by one,
     * x stays within {k, k + 1}: start at (1, 0, 0), one face step up to
     * (1, 0, 1), then nz − 2 diagonals to (nz − 1, 0, nz − 1):
     * h + h + (nz − 2)·sqrt(2)·h (shorter than h + (nz − 1)·sqrt(2)·h) */
    ck_assert_double_eq_tol(c.min_length, 2.0 + (nz - 2) * sqrt(2.0), 1e-12);
    /* the top is not reachable from the far side of a wall */
    AT(v, 5, 0, 5) = 0, AT(v, 6, 0, 5) = 0;
    ZS_CK_OK(zstr_morph_geodesic(v, 1, PORE, 2, 0, ZSTR_METRIC_6, NULL, &r, &e), &e);
    ck_assert_int_eq(r.n_reached, 0);
    ck_assert(isinf(r.min_length) && isnan(r.mean));
    free(d);
    zstr_volume_free(v);
}
END_TEST

START_TEST(test_slab_thickness)
{
    /* a slab of t voxels across the whole cross-section: t·h everywhere */
    const int64_t nx = 6, ny = 5, nz = 20;
    const double h = 20e-9;
    for (int64_t t = 1; t <= 9; t++) {
        zstr_volume *v = box(nx, ny, nz, h, h, h);
        for (int64_t z = 4; z < 4 + t; z++)
            for (int64_t y = 0; y < ny; y++)
                for (int64_t x = 0; x < nx; x++)
                    AT(v, x, y, z) = 1;
        zstr_thickness_result r;
        r.size = sizeof r;
        zstr_error e;
        double *lt = malloc((size_t)(nx * ny * nz) * sizeof *lt);
        ZS_CK_OK(zstr_morph_local_thickness(v, 1, PORE, 0, lt, &r, &e), &e);
        /* radii are multiples of h/2, levels of h/2: exact up to rounding */
        for (int64_t i = 0; i < nx * ny * nz; i++) {
            int64_t z = i / (nx * ny);
            double want = z >= 4 && z < 4 + t ? (double)t * h : 0.0;
            ck_assert_msg(fabs(lt[i] - want) < 1e-9 * h, "t = %lld, z = %lld: %g, want %g",
                          (long long)t, (long long)z, lt[i], want);
        }
        ck_assert_double_eq_tol(r.mean, (double)t * h, 1e-9 * h);
        ck_assert_double_eq_tol(r.std, 0.0, 1e-6 * h);
        free(lt);
        zstr_volume_free(v);
    }
}
END_TEST

START_TEST(test_ball_thickness)
{
    /* A digital ball (voxel centres within r = 6 of its centre c, a voxel
     * corner).  The largest ball inside the union of its voxel cubes around c
     * reaches the nearest outside cube: ρ = min over outside voxels of the
     * distance from c to the cube (brute force).  The thickness at c is 2ρ
     * rounded down to the radius levels (h/2 apart): within (2ρ − h, 2ρ].
     * The ball has no larger inscribed ball anywhere else. */
    const int64_t nx = 20, ny = 20, nz = 20;
    const double r = 6.0, c = 9.5;
    zstr_volume *v = box(nx, ny, nz, 1.0, 1.0, 1.0);
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++)
                if ((x - c) * (x - c) + (y - c) * (y - c) + (z - c) * (z - c) <= r * r)
                    AT(v, x, y, z) = 1;
    double rho = INFINITY;
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                if (AT(v, x, y, z))
                    continue;
                const double p[3] = {(double)x, (double)y, (double)z};
                double s2 = 0.0;
                for (int d = 0; d < 3; d++) {
                    double g = fmax(0.0, fabs(p[d] - c) - 0.5);
                    s2 += g * g;
                }
                rho = fmin(rho, sqrt(s2));
            }
    zstr_thickness_result t;
    t.size = sizeof t;
    zstr_error e;
    double *lt = malloc((size_t)(nx * ny * nz) * sizeof *lt);
    ZS_CK_OK(zstr_morph_local_thickness(v, 1, PORE, 0, lt, &t, &e), &e);
    double centre = lt[9 + nx * (9 + ny * 9)];
    ck_assert_msg(centre > 2 * rho - 1 && centre <= 2 * rho, "centre %g, 2 rho %g", centre,
                  2 * rho);
    ck_assert_double_eq(t.max, centre);
    ck_assert_msg(t.mean >= t.max - 2.0 && t.min >= 1.0, "mean %g min %g", t.mean, t.min);
    free(lt);
    zstr_volume_free(v);
}
END_TEST

/* Local thickness against painting by brute force.  The convention of
 * zstr_volume.h, written out directly: ball centres at voxel centres (radius
 * d - h/2, d the distance to the nearest outside centre) and at voxel corners
 * (radius: the distance to the nearest corner of an outside voxel), radii
 * rounded down to levels of step = max(h/2, r_max / levels); every voxel
 * takes the largest level whose ball covers its centre, at least one voxel
 * edge.  Distances by brute force over every point, balls painted one by one,
 * so neither the distance transforms nor the level-by-level dilations (with
 * their skipped levels and capped passes) are used.  Anisotropic voxels and
 * a coarse level count make the rounding matter. */
static void brute_thickness(const zstr_volume *v, const int *in, int levels, double *lt)
{
    int64_t n[3];
    double h[3];
    zstr_volume_get_grid(v, n, h);
    const int64_t nv = n[0] * n[1] * n[2], c1[3] = {n[0] + 1, n[1] + 1, n[2] + 1};
    const int64_t nc = c1[0] * c1[1] * c1[2];
    double hmin = fmin(h[0], fmin(h[1], h[2]));
    double *rad = malloc((size_t)(nv + nc) * sizeof *rad); /* centres, then corners */
    double rmax = 0.0;
    for (int64_t p = 0; p < nv + nc; p++) {
        int corner = p >= nv;
        int64_t q = corner ? p - nv : p, *dim = corner ? (int64_t *)c1 : n;
        double at[3] = {(double)(q % dim[0]), (double)(q / dim[0] % dim[1]),
                        (double)(q / (dim[0] * dim[1]))};
        double best = INFINITY;
        for (int64_t o = 0; o < nv; o++) {
            if (in[o])
                continue;
            const double oc[3] = {(double)(o % n[0]), (double)(o / n[0] % n[1]),
                                  (double)(o / (n[0] * n[1]))};
            for (int k = 0; k < (corner ? 8 : 1); k++) { /* the outside voxel's corners */
                double s2 = 0.0;
                for (int d = 0; d < 3; d++) {
                    double g = (corner ? at[d] - (oc[d] + ((k >> d) & 1)) : at[d] - oc[d]) * h[d];
                    s2 += g * g;
                }
                best = fmin(best, s2);
            }
        }
        rad[p] = corner ? sqrt(best) : (in[q] ? sqrt(best) - 0.5 * hmin : 0.0);
        if (isfinite(rad[p]))
            rmax = fmax(rmax, rad[p]);
    }
    double step = fmax(0.5 * hmin, rmax / levels);
    for (int64_t i = 0; i < nv; i++)
        lt[i] = 0.0;
    for (int64_t p = 0; p < nv + nc; p++) {
        int corner = p >= nv;
        int64_t q = corner ? p - nv : p, *dim = corner ? (int64_t *)c1 : n;
        int k = (int)floor(rad[p] / step * (1.0 + 1e-12));
        if (k < 1)
            continue;
        double r = k * step, off = corner ? -0.5 : 0.0;
        double at[3] = {(double)(q % dim[0]) + off, (double)(q / dim[0] % dim[1]) + off,
                        (double)(q / (dim[0] * dim[1])) + off};
        for (int64_t i = 0; i < nv; i++) {
            double s2 = 0.0;
            s2 += ((double)(i % n[0]) - at[0]) * h[0] * ((double)(i % n[0]) - at[0]) * h[0];
            s2 += ((double)(i / n[0] % n[1]) - at[1]) * h[1] *
                  ((double)(i / n[0] % n[1]) - at[1]) * h[1];
            s2 += ((double)(i / (n[0] * n[1])) - at[2]) * h[2] *
                  ((double)(i / (n[0] * n[1])) - at[2]) * h[2];
            if (in[i] && s2 <= r * r * (1.0 + 1e-9))
                lt[i] = fmax(lt[i], 2.0 * r);
        }
    }
    for (int64_t i = 0; i < nv; i++)
        if (in[i] && lt[i] < hmin)
            lt[i] = hmin;
    free(rad);
}

START_TEST(test_thickness_brute_force)
{
    const int64_t n[3] = {13, 11, 9};
    const double h[3] = {1.0, 1.0, 1.5};
    zstr_volume *v = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_volume_create(n, h, ZSTR_VOXEL_U8, 0.0, &v, &e), &e);
    zstr_synth_params p;
    zstr_synth_params_default(&p);
    p.porosity = 0.35;
    p.correlation_length = 1.5;
    p.seed = 11;
    ZS_CK_OK(zstr_volume_synthesize(v, &p, NULL, &e), &e);
    const int64_t nv = n[0] * n[1] * n[2];
    const uint16_t *l = zstr_volume_labels(v);
    int *in = malloc((size_t)nv * sizeof *in);
    double *got = malloc((size_t)nv * sizeof *got), *want = malloc((size_t)nv * sizeof *want);
    for (int label = 0; label <= 1; label++)
        for (int levels = 3; levels <= 24; levels += 21) {
            for (int64_t i = 0; i < nv; i++)
                in[i] = l[i] == label;
            zstr_thickness_result r;
            r.size = sizeof r;
            ZS_CK_OK(zstr_morph_local_thickness(v, 1, &label, levels, got, &r, &e), &e);
            brute_thickness(v, in, levels, want);
            /* the same radii and levels: equal up to the rounding of the
             * squared distances, far below a level's step */
            for (int64_t i = 0; i < nv; i++)
                ck_assert_msg(fabs(got[i] - want[i]) <= 1e-12, "label %d levels %d voxel %lld: "
                              "%.17g, brute force %.17g", label, levels, (long long)i, got[i],
                              want[i]);
        }
    free(in);
    free(got);
    free(want);
    zstr_volume_free(v);
}
END_TEST

START_TEST(test_edt_brute_force)
{
    const int64_t nx = 9, ny = 7, nz = 6;
    const double hx = 1.0, hy = 1.5, hz = 2.5;
    zstr_volume *v = box(nx, ny, nz, hx, hy, hz);
    uint32_t s = 12345;
    for (int64_t i = 0; i < nx * ny * nz; i++) {
        s = s * 1103515245u + 12345u;
        zstr_volume_labels_mut(v)[i] = ((s >> 16) % 100) < 85; /* 85 % in the set */
    }
    double *d = malloc((size_t)(nx * ny * nz) * sizeof *d);
    zstr_error e;
    ZS_CK_OK(zstr_morph_edt(v, 1, PORE, d, &e), &e);
    const uint16_t *l = zstr_volume_labels(v);
    for (int64_t i = 0; i < nx * ny * nz; i++) {
        double best = l[i] ? INFINITY : 0.0;
        for (int64_t j = 0; l[i] && j < nx * ny * nz; j++) {
            if (l[j])
                continue;
            double dx = (double)(i % nx - j % nx) * hx;
            double dy = (double)((i / nx) % ny - (j / nx) % ny) * hy;
            double dz = (double)(i / (nx * ny) - j / (nx * ny)) * hz;
            best = fmin(best, sqrt(dx * dx + dy * dy + dz * dz));
        }
        ck_assert_msg(fabs(d[i] - best) < 1e-12, "voxel %lld: %g, brute force %g",
                      (long long)i, d[i], best);
    }
    free(d);
    zstr_volume_free(v);
}
END_TEST

START_TEST(test_checkerboard_components)
{
    const int64_t nx = 6, ny = 6, nz = 6;
    zstr_volume *v = box(nx, ny, nz, 1.0, 1.0, 1.0);
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++)
                AT(v, x, y, z) = (uint16_t)((x + y + z) % 2);
    zstr_component *c = NULL;
    int64_t n = 0;
    zstr_error e;
    /* faces never join two voxels of one colour; edges always do */
    ZS_CK_OK(zstr_morph_components(v, 1, PORE, 6, &c, &n, NULL, &e), &e);
    ck_assert_int_eq(n, 108);
    ck_assert_int_eq(c[0].voxels, 1);
    ck_assert_double_eq_tol(c[107].cumulative_fraction, 1.0, 1e-15);
    free(c);
    ZS_CK_OK(zstr_morph_components(v, 1, PORE, 26, &c, &n, NULL, &e), &e);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(c[0].voxels, 108);
    free(c);
    zstr_volume_free(v);
}
END_TEST

START_TEST(test_separated_cubes)
{
    /* cubes A = [0,2)³ and B = [2,4)³ touch at one corner; C = [6,9)³ is
     * apart: 3 components with faces, 2 with corners */
    const int64_t nx = 10, ny = 10, nz = 10;
    const double h = 1e-6;
    zstr_volume *v = box(nx, ny, nz, h, h, h);
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                int a = x < 2 && y < 2 && z < 2;
                int b = x >= 2 && x < 4 && y >= 2 && y < 4 && z >= 2 && z < 4;
                int c3 = x >= 6 && x < 9 && y >= 6 && y < 9 && z >= 6 && z < 9;
                AT(v, x, y, z) = (uint16_t)(a || b || c3);
            }
    zstr_component *c = NULL;
    int64_t n = 0;
    zstr_error e;
    int32_t *map = malloc(1000 * sizeof *map);
    ZS_CK_OK(zstr_morph_components(v, 1, PORE, 6, &c, &n, map, &e), &e);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(c[0].voxels, 27); /* largest first */
    ck_assert_int_eq(c[1].voxels, 8);
    ck_assert_int_eq(map[0], 1);        /* A met before B: rank 1 */
    ck_assert_int_eq(map[2 + 10 * (2 + 10 * 2)], 2);
    ck_assert_int_eq(map[5], -1);
    /* a 3-voxel cube: equivalent diameter of 27 h³; Feret = its diagonal */
    ck_assert_double_eq_tol(c[0].equivalent_diameter, cbrt(6.0 * 27.0 / M_PI) * h, 1e-15);
    ck_assert_double_eq_tol(c[0].feret_diameter, 3.0 * sqrt(3.0) * h, 1e-15);
    ck_assert_double_eq_tol(c[0].cumulative_fraction, 27.0 / 43.0, 1e-15);
    ck_assert_int_eq(c[1].touches[0], 1); /* A touches x = 0 */
    free(c);
    ZS_CK_OK(zstr_morph_components(v, 1, PORE, 26, &c, &n, NULL, &e), &e);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(c[0].voxels, 27);
    ck_assert_int_eq(c[1].voxels, 16);
    ck_assert_double_eq_tol(c[1].feret_diameter, 4.0 * sqrt(3.0) * h, 1e-15);
    free(c);
    free(map);
    zstr_volume_free(v);
}
END_TEST

START_TEST(test_gradient_slices)
{
    /* slice z = k holds k pore voxels (the first k in x-y order) of A = 64:
     * fractions k/A, mean (nz−1)/(2A), std sqrt((nz²−1)/12)/A */
    const int64_t nx = 8, ny = 8, nz = 40;
    const double A = (double)(nx * ny);
    zstr_volume *v = box(nx, ny, nz, 1.0, 1.0, 1.0);
    for (int64_t z = 0; z < nz; z++)
        for (int64_t k = 0; k < z && k < nx * ny; k++)
            AT(v, k % nx, k / nx, z) = 1;
    double per[40], mean, std;
    zstr_error e;
    ZS_CK_OK(zstr_morph_slice_fraction(v, 1, PORE, 2, per, &mean, &std, &e), &e);
    for (int64_t z = 0; z < nz; z++)
        ck_assert_double_eq_tol(per[z], (double)z / A, 1e-15);
    ck_assert_double_eq_tol(mean, (nz - 1) / (2.0 * A), 1e-14);
    ck_assert_double_eq_tol(std, sqrt((nz * nz - 1) / 12.0) / A, 1e-14);
    double f[2];
    ZS_CK_OK(zstr_morph_fractions(v, 2, f, &e), &e);
    ck_assert_double_eq_tol(f[1], (nz * (nz - 1) / 2.0) / (A * nz), 1e-15);
    ck_assert_double_eq_tol(f[0] + f[1], 1.0, 1e-15);
    for (int axis = 0; axis < 2; axis++) {
        ZS_CK_OK(zstr_morph_slice_fraction(v, 1, PORE, axis, NULL, &mean, NULL, &e), &e);
        ck_assert_double_eq_tol(mean, f[1], 1e-14); /* equal slices: mean = whole */
    }
    zstr_volume_free(v);
}
END_TEST

START_TEST(test_rev)
{
    const int64_t nx = 16, ny = 16, nz = 16;
    zstr_volume *v = box(nx, ny, nz, 2.0, 2.0, 2.0);
    double dev[4], rev;
    zstr_error e;
    /* uniform: every size is representative, the smallest is 4 voxels */
    const int solid[1] = {0};
    ZS_CK_OK(zstr_morph_rev(v, 1, solid, 4, 0.05, dev, &rev, &e), &e);
    ck_assert_double_eq(rev, 8.0);
    /* split in halves along x: only the whole box has the whole's fraction */
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx / 2; x++)
                AT(v, x, y, z) = 1;
    ZS_CK_OK(zstr_morph_rev(v, 1, PORE, 4, 0.05, dev, &rev, &e), &e);
    ck_assert_double_eq(rev, 32.0);
    ck_assert_double_eq_tol(dev[3], 0.0, 1e-15);
    ck_assert_double_eq_tol(dev[2], 1.0 / 3.0, 1e-12); /* 12³ at x = 0: 8/12 against 1/2 */
    zstr_volume_free(v);
}
END_TEST

Suite *suite_morph(void)
{
    Suite *s = suite_create("morph");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, test_cylinder_channel);
    tcase_add_test(tc, test_staircase_channel);
    tcase_add_test(tc, test_slab_thickness);
    tcase_add_test(tc, test_ball_thickness);
    tcase_add_test(tc, test_thickness_brute_force);
    tcase_add_test(tc, test_edt_brute_force);
    tcase_add_test(tc, test_checkerboard_components);
    tcase_add_test(tc, test_separated_cubes);
    tcase_add_test(tc, test_gradient_slices);
    tcase_add_test(tc, test_rev);
    suite_add_tcase(s, tc);
    return s;
}
