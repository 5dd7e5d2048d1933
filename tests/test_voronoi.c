/*
 * test_voronoi.c — Check suite for zstr_model_voronoi (lib/voronoi.c).
 *
 * What is tested, and against what:
 *   - reproducibility: a seed gives bit-identical grains, another seed differs;
 *   - the seed count N = max(1, round(V / d³)) and the grain count K <= N;
 *   - stereology: the mean linear intercept of the grains against the
 *     Poisson–Voronoi value 2 / S_V, S_V = 2.9104·λ^(1/3) (Meijering 1953);
 *   - every grain is one 6-connected component and the ids are 0..K−1 in order
 *     of first appearance (checked by an independent BFS);
 *   - nearest-seed assignment, against a brute force over the seeds, which the
 *     test regenerates from the documented PRNG and draw order;
 *   - geometry: one seed gives one grain; two seeds give two convex cells;
 *   - grain_phase / boundary fields / optional n_grains;
 *   - every invalid argument: its status, a message naming it, and a model left
 *     unchanged.
 */
#include "zs_test.h"

#include "zs_internal.h"
#include "zs_voronoi.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------- */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------- */

static zstr_model *make_model(int64_t nx, int64_t ny, int64_t nz, double hx, double hy,
                              double hz)
{
    zstr_model *m = NULL;
    zstr_error err;
    ZS_CK_OK(zstr_model_create(nx, ny, nz, hx, hy, hz, &m, &err), &err);
    return m;
}

static int64_t run_voronoi(zstr_model *m, double d, uint64_t seed)
{
    zstr_voronoi_params p = {d, seed, -1, 0, 0.0};
    zstr_error err;
    int64_t k = -1;
    ZS_CK_OK(zstr_model_voronoi(m, &p, &k, &err), &err);
    return k;
}

/* 6-connected components of equal id, by BFS.  comps[id] receives the number
 * of components of id (ids must lie in 0..nids−1; returns 0 if one does not). */
static int count_components(const int32_t *g, const int64_t n[3], int64_t nids,
                            int64_t *comps)
{
    int64_t nvox = n[0] * n[1] * n[2];
    unsigned char *seen = calloc((size_t)nvox, 1);
    int64_t *queue = malloc((size_t)nvox * sizeof *queue);
    ck_assert(seen != NULL && queue != NULL);
    for (int64_t i = 0; i < nids; i++)
        comps[i] = 0;
    int ok = 1;
    for (int64_t v = 0; v < nvox && ok; v++) {
        if (seen[v])
            continue;
        if (g[v] < 0 || g[v] >= nids) {
            ok = 0;
            break;
        }
        comps[g[v]]++;
        int64_t head = 0, tail = 0;
        queue[tail++] = v;
        seen[v] = 1;
        while (head < tail) {
            int64_t u = queue[head++];
            int64_t c[3] = {u % n[0], (u / n[0]) % n[1], u / (n[0] * n[1])};
            int64_t stride[3] = {1, n[0], n[0] * n[1]};
            for (int a = 0; a < 3; a++) {
                for (int s = -1; s <= 1; s += 2) {
                    if (c[a] + s < 0 || c[a] + s >= n[a])
                        continue;
                    int64_t w = u + s * stride[a];
                    if (!seen[w] && g[w] == g[v]) {
                        seen[w] = 1;
                        queue[tail++] = w;
                    }
                }
            }
        }
    }
    free(seen);
    free(queue);
    return ok;
}

/* Ids dense 0..K−1, numbered in order of first appearance, each one component. */
static void check_connected_dense(const zstr_model *m, int64_t k)
{
    int64_t n[3];
    zstr_model_get_grid(m, n, NULL);
    const int32_t *g = zstr_model_grain_ids(m);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_ge(k, 1);
    int32_t next = 0;
    for (int64_t v = 0; v < n[0] * n[1] * n[2]; v++) {
        /* One ck_assert per failure only: Check records every passing one. */
        if (g[v] < 0 || g[v] > next)
            ck_abort_msg("voxel %lld has id %d, next new id %d", (long long)v, (int)g[v],
                         (int)next);
        if (g[v] == next)
            next++;
    }
    ck_assert_int_eq(next, k);
    int64_t *comps = malloc((size_t)k * sizeof *comps);
    ck_assert_ptr_nonnull(comps);
    ck_assert(count_components(g, n, k, comps));
    for (int64_t i = 0; i < k; i++) {
        if (comps[i] != 1)
            ck_abort_msg("grain %lld has %lld 6-connected components", (long long)i,
                         (long long)comps[i]);
    }
    free(comps);
}

/* Grain boundaries crossed per unit length along x, y and z grid lines, counted
 * between neighbouring voxel centres that both lie in the window
 * [margin, n − margin)³ (cubic grid of n³ voxels of edge h). */
static double boundaries_per_length(const int32_t *g, int64_t n, double h, int64_t margin)
{
    int64_t stride[3] = {1, n, n * n};
    int64_t changes = 0, pairs = 0;
    for (int a = 0; a < 3; a++) {
        for (int64_t z = margin; z < n - margin; z++) {
            for (int64_t y = margin; y < n - margin; y++) {
                for (int64_t x = margin; x < n - margin; x++) {
                    int64_t c[3] = {x, y, z};
                    if (c[a] + 1 >= n - margin)
                        continue;
                    int64_t v = x + n * (y + n * z);
                    pairs++;
                    changes += g[v] != g[v + stride[a]];
                }
            }
        }
    }
    return (double)changes / ((double)pairs * h);
}

/* ------------------------------------------------------------------------- */
/* Reproducibility                                                           */
/* ------------------------------------------------------------------------- */

START_TEST(test_reproducible)
{
    int64_t n = zs_test_quick() ? 20 : 32;
    double h = 1e-6, d = 4e-6;
    zstr_model *a = make_model(n, n, n, h, h, h);
    zstr_model *b = make_model(n, n, n, h, h, h);
    int64_t ka = run_voronoi(a, d, 12345);
    int64_t kb = run_voronoi(b, d, 12345);
    size_t bytes = (size_t)(n * n * n) * sizeof(int32_t);
    ck_assert_int_eq(ka, kb);
    ck_assert(memcmp(zstr_model_grain_ids(a), zstr_model_grain_ids(b), bytes) == 0);

    /* Running again on a model that already has grains replaces them. */
    ck_assert_int_eq(run_voronoi(a, d, 12345), ka);
    ck_assert(memcmp(zstr_model_grain_ids(a), zstr_model_grain_ids(b), bytes) == 0);

    /* Another seed moves the seeds, so the partition differs. */
    run_voronoi(b, d, 12346);
    ck_assert(memcmp(zstr_model_grain_ids(a), zstr_model_grain_ids(b), bytes) != 0);
    zstr_model_free(a);
    zstr_model_free(b);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Seed count and grain count                                                */
/* ------------------------------------------------------------------------- */

START_TEST(test_seed_count)
{
    /* N = max(1, round(V / d³)), halves rounded up.  Exact halves: voxels of
     * 1 µm and d = 4 µm make V/d³ = voxels/64 exactly (4e-6 is exactly 4 times
     * 1e-6 in binary), so 96, 160 and 224 voxels give 1.5, 2.5 and 3.5 seeds,
     * i.e. 2, 3 and 4.  With at least 40 voxels per seed no cell misses every
     * voxel centre for these seeds, so K == N.  Then V/d³ of 0.01, 1.4, 2.4 and
     * 2.6 on 16³ voxels (1, 1, 2, 3 seeds), and d = 1e300 m, whose cube
     * overflows: still one seed, one grain holding every voxel. */
    const struct {
        int64_t n[3];
        int64_t seeds;
    } halves[] = {{{4, 6, 4}, 2}, {{4, 5, 8}, 3}, {{4, 7, 8}, 4}};
    for (size_t i = 0; i < sizeof halves / sizeof halves[0]; i++) {
        zstr_model *m = make_model(halves[i].n[0], halves[i].n[1], halves[i].n[2], 1e-6, 1e-6,
                                   1e-6);
        ck_assert_int_eq(run_voronoi(m, 4e-6, 3), halves[i].seeds);
        zstr_model_free(m);
    }
    zstr_model *m = make_model(16, 16, 16, 1e-6, 1e-6, 1e-6);
    const struct {
        double q;
        int64_t seeds;
    } cases[] = {{0.01, 1}, {1.4, 1}, {2.4, 2}, {2.6, 3}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double d = 1e-6 * cbrt(4096.0 / cases[i].q);
        ck_assert_msg(run_voronoi(m, d, 7) == cases[i].seeds, "V/d^3 = %g", cases[i].q);
    }
    ck_assert_int_eq(run_voronoi(m, 1e300, 7), 1);
    const int32_t *g = zstr_model_grain_ids(m);
    for (int64_t v = 0; v < 4096; v++) {
        if (g[v] != 0)
            ck_abort_msg("voxel %lld in grain %d", (long long)v, (int)g[v]);
    }
    zstr_model_free(m);
}
END_TEST

START_TEST(test_grain_count)
{
    /* 64³ voxels, d = 8 voxels: N = V/d³ = 512 seeds exactly.  K can never
     * exceed N (one grain per seed, the connectivity pass never creates one).
     * A grain is lost only when no voxel centre is nearer to its seed than to
     * any other: its cell would have to be about one voxel, 1/512 of the mean
     * cell volume, and Poisson–Voronoi cell volumes (close to a gamma law of
     * shape ~5.6) put a negligible probability there.  Each pair of close seeds
     * still splits a full-size region, so it does not count.  Hence K within
     * 1 % below N; a systematic loss (an empty cell per voxel-sized cell, or
     * the post-process dropping grains) would show up well beyond that. */
    int64_t n = zs_test_quick() ? 32 : 64;
    double h = 1e-6, d = 8e-6;
    double nexp = (double)(n * n * n) / 512.0;
    zstr_model *m = make_model(n, n, n, h, h, h);
    int nseeds = zs_test_quick() ? 1 : 3;
    for (int s = 0; s < nseeds; s++) {
        int64_t k = run_voronoi(m, d, 1000 + (uint64_t)s);
        ck_assert_msg(k <= (int64_t)nexp, "K = %lld > N = %g", (long long)k, nexp);
        ck_assert_msg(k >= 0.99 * nexp, "K = %lld < 0.99 N, N = %g", (long long)k, nexp);
    }
    zstr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Stereology: mean linear intercept                                         */
/* ------------------------------------------------------------------------- */

START_TEST(test_mean_intercept)
{
    /* The Poisson–Voronoi tessellation of intensity λ has surface density
     * S_V = 2.9104·λ^(1/3) (Meijering 1953); a test line crosses P_L = S_V/2
     * boundaries per unit length, so the mean linear intercept is
     * L = 1/P_L = 2/S_V = 0.6872·d with λ = 1/d³.
     *
     * Two effects separate the measured value from it, and both are handled
     * rather than absorbed in the tolerance:
     *  - walls: with no seeds outside the box, cells at the walls are larger
     *    (L is ~14 % high over the whole box).  Lines are therefore sampled
     *    only inside a window one grain size away from every wall, where the
     *    residual effect measured below 0.5 % (margins of 1 d and 2 d agree).
     *  - voxelisation: a change is counted between neighbouring voxel
     *    centres, so two crossings within one step count as none; the bias is
     *    first order in h/d (+6 % at d = 6 h, +3 % at d = 12 h).  The same
     *    seeds (same box, same d, same seed) are voxelised at h and h/2 and the
     *    estimate is extrapolated to h → 0 (Richardson): L0 = 2·L(h/2) − L(h).
     * What is left is sampling noise: the box holds 8³ grains, the window 6³.
     * Over 10 seeds the extrapolated ratio L0 / 0.6872 d had a standard
     * deviation of 1.3 % per realisation (mean 1.005), so the mean of 3 (2 in
     * quick mode) has about 0.8 % (0.9 %).  Tolerance 3.5 %: 4 standard
     * deviations plus the wall and second-order residuals.  The refined grid
     * must also be closer to the continuum than the coarse one. */
    int quick = zs_test_quick();
    int64_t n0 = quick ? 32 : 48; /* coarse grid: d = n0/8 voxels */
    int nseeds = quick ? 2 : 3;
    double box = 1e-4, d = box / 8.0, lpv = 0.6872 * d;
    double sum = 0.0;
    for (int s = 0; s < nseeds; s++) {
        double ratio[2];
        for (int r = 0; r < 2; r++) {
            int64_t n = n0 << r;
            double h = box / (double)n;
            zstr_model *m = make_model(n, n, n, h, h, h);
            int64_t k = run_voronoi(m, d, 77 + (uint64_t)s);
            ck_assert_int_le(k, 512);
            double pl = boundaries_per_length(zstr_model_grain_ids(m), n, h, n / 8);
            ratio[r] = 1.0 / pl / lpv;
            zstr_model_free(m);
        }
        ck_assert_msg(ratio[1] < ratio[0], "seed %d: L/L_PV %.4f at h, %.4f at h/2", s,
                      ratio[0], ratio[1]);
        sum += 2.0 * ratio[1] - ratio[0];
    }
    double mean = sum / nseeds;
    ck_assert_msg(fabs(mean - 1.0) < 0.035,
                  "extrapolated mean intercept / (0.6872 d) = %.4f, expected 1 +- 0.035", mean);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Connectivity and dense numbering                                          */
/* ------------------------------------------------------------------------- */

START_TEST(test_connected_dense)
{
    /* Shapes that stress different parts: a cube, anisotropic voxels on a
     * non-cubic grid, a one-voxel-thick slab, and grains of ~1.3 voxels, where
     * most cells are fragmented on the grid and the post-process works hard. */
    const struct {
        int64_t n[3];
        double h[3];
        double d;
    } cases[] = {
        {{40, 40, 40}, {1e-6, 1e-6, 1e-6}, 5e-6},
        {{40, 24, 16}, {1e-6, 0.5e-6, 2e-6}, 4e-6},
        {{64, 64, 1}, {1e-6, 1e-6, 1e-6}, 2e-6},
        {{24, 20, 18}, {1e-6, 1e-6, 1e-6}, 1.3e-6},
        {{1, 1, 1}, {1e-6, 1e-6, 1e-6}, 1e-6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zstr_model *m = make_model(cases[i].n[0], cases[i].n[1], cases[i].n[2], cases[i].h[0],
                                   cases[i].h[1], cases[i].h[2]);
        for (uint64_t s = 1; s <= 3; s++) {
            int64_t k = run_voronoi(m, cases[i].d, s);
            check_connected_dense(m, k);
        }
        zstr_model_free(m);
    }
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Nearest-seed assignment against a brute force                             */
/* ------------------------------------------------------------------------- */

START_TEST(test_nearest_seed)
{
    /* The header fixes the PRNG (xoshiro256** seeded by splitmix64(seed)) and
     * voronoi.c the draw order (u_x, u_y, u_z per seed, position u·L), so the
     * test regenerates the seeds and finds every voxel's nearest seed by brute
     * force.  The voxel edges are powers of two times small integers, so the
     * library's scaling by the largest edge is exact and its rounded distances
     * are exactly 2^-40 times ours: the two must agree bit for bit, ties
     * included (ties: lower seed index, as documented).
     *
     * The library then moves fragments: pieces of a cell that are not
     * 6-connected to the cell's largest piece.  The brute-force labels give
     * those pieces too, so: every voxel outside them must carry the grain of
     * its nearest seed (the grain <-> seed map is one-to-one there), K must
     * equal the number of seeds whose cell holds a voxel centre, and a
     * fragment surrounded by voxels that stay must join the neighbour it
     * shares most faces with. */
    const int64_t n[3] = {24, 20, 16};
    const double h[3] = {0x1p-20, 0.75 * 0x1p-20, 0.5 * 0x1p-20};
    const double d = 3.0 * 0x1p-20;
    const int64_t nvox = n[0] * n[1] * n[2];
    /* V/d³ = (24·15·8)/27 = 106.67 in units of 2^-60 m³. */
    const int64_t nseeds = 107;
    double L[3];
    for (int a = 0; a < 3; a++)
        L[a] = (double)n[a] * h[a];

    double *seed_xyz = malloc((size_t)nseeds * 3 * sizeof *seed_xyz);
    int32_t *bf = malloc((size_t)nvox * sizeof *bf);
    int32_t *lib_to_seed = malloc((size_t)nseeds * sizeof *lib_to_seed);
    int32_t *seed_to_lib = malloc((size_t)nseeds * sizeof *seed_to_lib);
    int64_t *size = malloc((size_t)nvox * sizeof *size);
    int64_t *best = malloc((size_t)nseeds * sizeof *best);
    int64_t *compof = malloc((size_t)nvox * sizeof *compof);
    int64_t *queue = malloc((size_t)nvox * sizeof *queue);
    ck_assert(seed_xyz && bf && lib_to_seed && seed_to_lib && size && best &&
              compof && queue);

    zstr_model *m = make_model(n[0], n[1], n[2], h[0], h[1], h[2]);
    int64_t isolated_fragment_voxels = 0;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        int64_t k = run_voronoi(m, d, seed);
        const int32_t *g = zstr_model_grain_ids(m);

        zs_rng rng;
        zs_rng_seed(&rng, seed);
        for (int64_t i = 0; i < nseeds; i++) {
            for (int a = 0; a < 3; a++)
                seed_xyz[3 * i + a] = zs_rng_uniform(&rng) * L[a];
        }
        for (int64_t v = 0; v < nvox; v++) {
            int64_t x = v % n[0], y = (v / n[0]) % n[1], z = v / (n[0] * n[1]);
            double p[3] = {((double)x + 0.5) * h[0], ((double)y + 0.5) * h[1],
                           ((double)z + 0.5) * h[2]};
            double bd = INFINITY;
            int32_t who = -1;
            for (int64_t i = 0; i < nseeds; i++) {
                double dx = p[0] - seed_xyz[3 * i];
                double dy = p[1] - seed_xyz[3 * i + 1];
                double dz = p[2] - seed_xyz[3 * i + 2];
                double s2 = dx * dx + dy * dy;
                s2 = s2 + dz * dz;
                if (s2 < bd) {
                    bd = s2;
                    who = (int32_t)i;
                }
            }
            bf[v] = who;
        }

        /* Brute-force components: compof[v], their sizes, each seed's largest
         * (the first found on ties, as in the library: it does not matter
         * unless two pieces of a cell have the same size). */
        int64_t ncomp = 0;
        for (int64_t v = 0; v < nvox; v++)
            compof[v] = -1;
        for (int64_t i = 0; i < nseeds; i++)
            best[i] = -1;
        for (int64_t v = 0; v < nvox; v++) {
            if (compof[v] >= 0)
                continue;
            int64_t head = 0, tail = 0;
            queue[tail++] = v;
            compof[v] = ncomp;
            while (head < tail) {
                int64_t u = queue[head++];
                int64_t c[3] = {u % n[0], (u / n[0]) % n[1], u / (n[0] * n[1])};
                int64_t stride[3] = {1, n[0], n[0] * n[1]};
                for (int a = 0; a < 3; a++) {
                    for (int s = -1; s <= 1; s += 2) {
                        if (c[a] + s < 0 || c[a] + s >= n[a])
                            continue;
                        int64_t w = u + s * stride[a];
                        if (compof[w] < 0 && bf[w] == bf[v]) {
                            compof[w] = ncomp;
                            queue[tail++] = w;
                        }
                    }
                }
            }
            size[ncomp] = tail;
            if (best[bf[v]] < 0 || tail > size[best[bf[v]]])
                best[bf[v]] = ncomp;
            ncomp++;
        }

        int64_t nonempty = 0, fragment_voxels = 0, mismatches = 0;
        for (int64_t i = 0; i < nseeds; i++) {
            nonempty += best[i] >= 0;
            lib_to_seed[i] = -1;
            seed_to_lib[i] = -1;
        }
        for (int64_t v = 0; v < nvox; v++) {
            if (compof[v] != best[bf[v]]) {
                fragment_voxels++;
                continue;
            }
            int32_t gl = g[v], sd = bf[v];
            if (lib_to_seed[gl] < 0)
                lib_to_seed[gl] = sd;
            if (seed_to_lib[sd] < 0)
                seed_to_lib[sd] = gl;
            mismatches += lib_to_seed[gl] != sd || seed_to_lib[sd] != gl;
        }
        ck_assert_msg(mismatches == 0, "seed %llu: %lld voxels off their nearest seed",
                      (unsigned long long)seed, (long long)mismatches);

        /* Where a fragment touches only voxels that stay (no other fragment),
         * its fate is fixed by the raw labels: all of it joins the seed it
         * shares most faces with, ties to the lower seed index. */
        int64_t *faces = calloc((size_t)ncomp * (size_t)nseeds, sizeof *faces);
        unsigned char *mixed = calloc((size_t)ncomp, 1);
        ck_assert(faces != NULL && mixed != NULL);
        for (int64_t v = 0; v < nvox; v++) {
            int64_t c = compof[v];
            if (c == best[bf[v]])
                continue;
            int64_t xyz[3] = {v % n[0], (v / n[0]) % n[1], v / (n[0] * n[1])};
            int64_t stride[3] = {1, n[0], n[0] * n[1]};
            for (int a = 0; a < 3; a++) {
                for (int s = -1; s <= 1; s += 2) {
                    if (xyz[a] + s < 0 || xyz[a] + s >= n[a])
                        continue;
                    int64_t w = v + s * stride[a];
                    if (compof[w] == c)
                        continue;
                    if (compof[w] != best[bf[w]])
                        mixed[c] = 1;
                    else
                        faces[c * nseeds + bf[w]]++;
                }
            }
        }
        for (int64_t v = 0; v < nvox; v++) {
            int64_t c = compof[v];
            if (c == best[bf[v]] || mixed[c])
                continue;
            int64_t to = 0;
            for (int64_t i = 1; i < nseeds; i++) {
                if (faces[c * nseeds + i] > faces[c * nseeds + to])
                    to = i;
            }
            if (faces[c * nseeds + to] == 0 || g[v] != seed_to_lib[to])
                ck_abort_msg("seed %llu: fragment voxel %lld went to grain %d, expected %d",
                             (unsigned long long)seed, (long long)v, (int)g[v],
                             (int)seed_to_lib[to]);
            isolated_fragment_voxels++;
        }
        free(faces);
        free(mixed);
        ck_assert_int_eq(k, nonempty);
        /* Fragments are slivers along cell edges: a few per cent of the voxels
         * at most at ~27 voxels per grain (bound, not an expected value). */
        ck_assert_msg(fragment_voxels < nvox / 20, "%lld fragment voxels",
                      (long long)fragment_voxels);
        check_connected_dense(m, k);
    }
    /* The fragment rule was exercised (the seeds above do have fragments). */
    ck_assert_int_gt(isolated_fragment_voxels, 0);
    zstr_model_free(m);
    free(seed_xyz);
    free(bf);
    free(lib_to_seed);
    free(seed_to_lib);
    free(size);
    free(best);
    free(compof);
    free(queue);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Geometry with one and two seeds                                           */
/* ------------------------------------------------------------------------- */

START_TEST(test_two_seeds_convex)
{
    /* 16×8×8 voxels and d = 8 voxels: V/d³ = 2 seeds.  The two cells are the
     * half-spaces of the bisecting plane cut by the box, so every straight
     * lattice line (13 directions: axes, face and body diagonals) crosses the
     * interface at most once, and both cells are 6-connected (a digitised
     * half-space in a box is: from any point, step along the axes that lower
     * the plane's coordinate until the far corner).  K is 2 unless one cell
     * holds no voxel centre; the centre nearest a seed is within √3/2 voxel of
     * it, so that needs the seeds within √3 voxels of each other, a chance of
     * at most 4π√3³/3 / 1024 = 2 % per seed: at most 2 of the 20 may have K = 1
     * (3 or more would point to a bug, and happen by chance < 1 % of the
     * time). */
    const int64_t n[3] = {16, 8, 8};
    const int dirs[13][3] = {{1, 0, 0},  {0, 1, 0},  {0, 0, 1},  {1, 1, 0},  {1, -1, 0},
                             {1, 0, 1},  {1, 0, -1}, {0, 1, 1},  {0, 1, -1}, {1, 1, 1},
                             {1, 1, -1}, {1, -1, 1}, {1, -1, -1}};
    zstr_model *m = make_model(n[0], n[1], n[2], 1e-6, 1e-6, 1e-6);
    int single = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        int64_t k = run_voronoi(m, 8e-6, seed);
        ck_assert(k == 1 || k == 2);
        single += k == 1;
        check_connected_dense(m, k);
        const int32_t *g = zstr_model_grain_ids(m);
        for (int dI = 0; dI < 13; dI++) {
            const int *e = dirs[dI];
            for (int64_t v = 0; v < n[0] * n[1] * n[2]; v++) {
                int64_t c[3] = {v % n[0], (v / n[0]) % n[1], v / (n[0] * n[1])};
                /* Start only where the line enters the box. */
                int64_t pc[3] = {c[0] - e[0], c[1] - e[1], c[2] - e[2]};
                if (pc[0] >= 0 && pc[0] < n[0] && pc[1] >= 0 && pc[1] < n[1] && pc[2] >= 0 &&
                    pc[2] < n[2])
                    continue;
                int changes = 0;
                int32_t prev = g[v];
                for (;;) {
                    for (int a = 0; a < 3; a++)
                        c[a] += e[a];
                    if (c[0] < 0 || c[0] >= n[0] || c[1] < 0 || c[1] >= n[1] || c[2] < 0 ||
                        c[2] >= n[2])
                        break;
                    int32_t cur = g[c[0] + n[0] * (c[1] + n[1] * c[2])];
                    changes += cur != prev;
                    prev = cur;
                }
                if (changes > 1)
                    ck_abort_msg("seed %llu: line from voxel %lld along (%d,%d,%d) crosses %d "
                                 "interfaces",
                                 (unsigned long long)seed, (long long)v, e[0], e[1], e[2],
                                 changes);
            }
        }
    }
    ck_assert_int_le(single, 2);
    zstr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Labels, boundary fields, optional output                                  */
/* ------------------------------------------------------------------------- */

START_TEST(test_phases_and_fields)
{
    const int64_t n = 12, nvox = n * n * n;
    zstr_model *m = make_model(n, n, n, 1e-6, 1e-6, 2e-6);
    zstr_error err;
    int32_t *labels = malloc((size_t)nvox * sizeof *labels);
    ck_assert_ptr_nonnull(labels);
    for (int64_t v = 0; v < nvox; v++)
        labels[v] = (int32_t)(v % 7);
    ZS_CK_OK(zstr_model_set_labels(m, labels, &err), &err);
    ck_assert_ptr_null(zstr_model_grain_ids(m));

    /* grain_phase < 0 keeps the labels (-1 and any other negative value). */
    zstr_voronoi_params p = {3e-6, 5, -1, 4, 0.25e-6};
    int64_t k = -1;
    ZS_CK_OK(zstr_model_voronoi(m, &p, &k, &err), &err);
    ck_assert_int_eq(err.code, ZSTR_OK);
    ck_assert(memcmp(zstr_model_labels(m), labels, (size_t)nvox * sizeof *labels) == 0);
    ck_assert_int_eq(m->gb_phase, 4);
    ck_assert(m->gb_thickness == 0.25e-6);
    check_connected_dense(m, k);
    p.grain_phase = -7;
    ZS_CK_OK(zstr_model_voronoi(m, &p, NULL, &err), &err);
    ck_assert(memcmp(zstr_model_labels(m), labels, (size_t)nvox * sizeof *labels) == 0);

    /* n_grains == NULL and err == NULL are fine and change nothing else. */
    int32_t *with_k = malloc((size_t)nvox * sizeof *with_k);
    ck_assert_ptr_nonnull(with_k);
    memcpy(with_k, zstr_model_grain_ids(m), (size_t)nvox * sizeof *with_k);
    ck_assert_int_eq(zstr_model_voronoi(m, &p, NULL, NULL), ZSTR_OK);
    ck_assert(memcmp(zstr_model_grain_ids(m), with_k, (size_t)nvox * sizeof *with_k) == 0);

    /* grain_phase >= 0 sets every label; thickness 0 is allowed. */
    p.grain_phase = 3;
    p.boundary_phase = 255;
    p.boundary_thickness = 0.0;
    ZS_CK_OK(zstr_model_voronoi(m, &p, &k, &err), &err);
    const int32_t *lab = zstr_model_labels(m);
    for (int64_t v = 0; v < nvox; v++) {
        if (lab[v] != 3)
            ck_abort_msg("voxel %lld has label %d", (long long)v, (int)lab[v]);
    }
    ck_assert_int_eq(m->gb_phase, 255);
    ck_assert(m->gb_thickness == 0.0);
    ck_assert(memcmp(zstr_model_grain_ids(m), with_k, (size_t)nvox * sizeof *with_k) == 0);

    /* The installed grains pass the plan-time consistency check. */
    zstr_phase_params ph = {NULL, 1.0, 10.0, 0.0, 298.15};
    for (int i = 0; i < 256; i++)
        ZS_CK_OK(zstr_model_add_phase(m, &ph, NULL, &err), &err);
    ZS_CK_OK(zs_model_validate(m, &err), &err);

    free(with_k);
    free(labels);
    zstr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Invalid arguments                                                         */
/* ------------------------------------------------------------------------- */

START_TEST(test_bad_input)
{
    /* Voxels 2 x 2 x 1 µm: the smallest edge is hz = 1 µm. */
    const int64_t n = 10, nvox = n * n * n;
    zstr_model *m = make_model(n, n, n, 2e-6, 2e-6, 1e-6);
    zstr_error err;
    zstr_voronoi_params good = {5e-6, 9, -1, 1, 0.1e-6};
    int64_t k0 = -1;
    ZS_CK_OK(zstr_model_voronoi(m, &good, &k0, &err), &err);
    /* Mark the labels so a stray grain_phase fill would show. */
    int32_t *labels = malloc((size_t)nvox * sizeof *labels);
    int32_t *grains = malloc((size_t)nvox * sizeof *grains);
    ck_assert(labels != NULL && grains != NULL);
    for (int64_t v = 0; v < nvox; v++)
        labels[v] = (int32_t)(v % 3);
    ZS_CK_OK(zstr_model_set_labels(m, labels, &err), &err);
    memcpy(grains, zstr_model_grain_ids(m), (size_t)nvox * sizeof *grains);
    const int32_t *grains_ptr = zstr_model_grain_ids(m);

    struct bad {
        const char *what;  /* argument the message must name */
        const char *value; /* value the message must show, or NULL */
        double d;
        int grain_phase, boundary_phase;
        double thickness;
    };
    const struct bad cases[] = {
        {"mean_grain_size", "0", 0.0, 2, 1, 0.1e-6},
        {"mean_grain_size", "-1e-06", -1e-6, 2, 1, 0.1e-6},
        {"mean_grain_size", "nan", NAN, 2, 1, 0.1e-6},
        {"mean_grain_size", "inf", INFINITY, 2, 1, 0.1e-6},
        /* d = 1 µm < a voxel (4 µm³): 4000 seeds for 1000 voxels. */
        {"mean_grain_size", "1e-06", 1e-6, 2, 1, 0.1e-6},
        {"grain_phase", "256", 5e-6, 256, 1, 0.1e-6},
        {"grain_phase", NULL, 5e-6, INT_MAX, 1, 0.1e-6},
        {"boundary_phase", "-1", 5e-6, 2, -1, 0.1e-6},
        {"boundary_phase", "256", 5e-6, 2, 256, 0.1e-6},
        {"boundary_thickness", "-1e-09", 5e-6, 2, 1, -1e-9},
        {"boundary_thickness", "nan", 5e-6, 2, 1, NAN},
        {"boundary_thickness", "inf", 5e-6, 2, 1, INFINITY},
        /* Equal to, then above, the smallest edge (hz), below hx and hy. */
        {"boundary_thickness", "1e-06", 5e-6, 2, 1, 1e-6},
        {"boundary_thickness", "1.5e-06", 5e-6, 2, 1, 1.5e-6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zstr_voronoi_params p = {cases[i].d, 9, cases[i].grain_phase, cases[i].boundary_phase,
                                 cases[i].thickness};
        int64_t k = -42;
        memset(&err, 0, sizeof err);
        int rc = zstr_model_voronoi(m, &p, &k, &err);
        ck_assert_msg(rc == ZSTR_EINVAL, "case %zu (%s): rc %d", i, cases[i].what, rc);
        ck_assert_int_eq(err.code, ZSTR_EINVAL);
        ck_assert_msg(strstr(err.message, "zstr_model_voronoi") != NULL, "%s", err.message);
        ck_assert_msg(strstr(err.message, cases[i].what) != NULL, "case %zu: %s", i,
                      err.message);
        if (cases[i].value != NULL)
            ck_assert_msg(strstr(err.message, cases[i].value) != NULL, "case %zu: %s", i,
                          err.message);
        ck_assert_int_eq(k, -42);
        ck_assert_int_eq(zstr_model_voronoi(m, &p, NULL, NULL), ZSTR_EINVAL);
        /* Model unchanged: same grain buffer and ids, labels, GB fields. */
        ck_assert_ptr_eq(zstr_model_grain_ids(m), grains_ptr);
        ck_assert(memcmp(zstr_model_grain_ids(m), grains, (size_t)nvox * sizeof *grains) == 0);
        ck_assert(memcmp(zstr_model_labels(m), labels, (size_t)nvox * sizeof *labels) == 0);
        ck_assert_int_eq(m->gb_phase, 1);
        ck_assert(m->gb_thickness == 0.1e-6);
    }

    /* NULL model, NULL params. */
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(zstr_model_voronoi(NULL, &good, NULL, &err), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "model"));
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(zstr_model_voronoi(m, NULL, NULL, &err), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "params"));
    ck_assert(memcmp(zstr_model_grain_ids(m), grains, (size_t)nvox * sizeof *grains) == 0);

    /* A model without grains stays without grains. */
    zstr_model *fresh = make_model(4, 4, 4, 1e-6, 1e-6, 1e-6);
    zstr_voronoi_params p = good;
    p.boundary_thickness = 2e-6;
    ck_assert_int_eq(zstr_model_voronoi(fresh, &p, NULL, NULL), ZSTR_EINVAL);
    ck_assert_ptr_null(zstr_model_grain_ids(fresh));
    ck_assert_int_eq(fresh->gb_phase, -1);
    zstr_model_free(fresh);

    free(labels);
    free(grains);
    zstr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Slab by slab (zs_voronoi.h): the distributed model's grains                */
/* ------------------------------------------------------------------------- */

/* Append n values of src to *dst (length *len). */
static void append64(int64_t **dst, int64_t len, const int64_t *src, int64_t n, int64_t add)
{
    int64_t *t = realloc(*dst, (size_t)(len + n + 1) * sizeof *t);
    ck_assert(t != NULL);
    for (int64_t i = 0; i < n; i++)
        t[len + i] = src[i] + add;
    *dst = t;
}

/* The grains of model m made by nslab slabs cut at cut[0] = 0 < ... <
 * cut[nslab] = nz, as the processes of zstr_mpi_model_voronoi make them but
 * with the messages passed in memory: raw labels and pieces per slab, the
 * contacts across each face, one graph, zs_vor_resolve, and each slab's voxels
 * relabelled.  out: nvox grain ids; returns the grain count.  *split counts
 * the raw grains whose pieces end in more than one grain (fragments moved). */
static int64_t slab_grains(const zstr_model *m, const zstr_voronoi_params *p, int nslab,
                           const int64_t *cut, int32_t *out, int64_t *split)
{
    zstr_error err;
    zs_vor *v = NULL;
    ZS_CK_OK(zs_vor_create(m, p, "test", &v, &err), &err);
    const int64_t L = m->n[0] * m->n[1];
    zs_vor_part *pt = calloc((size_t)nslab, sizeof *pt);
    int32_t **raw = calloc((size_t)nslab, sizeof *raw);
    int64_t *off = calloc((size_t)nslab + 1, sizeof *off);
    ck_assert(pt != NULL && raw != NULL && off != NULL);
    for (int r = 0; r < nslab; r++) {
        raw[r] = malloc((size_t)(L * (cut[r + 1] - cut[r])) * sizeof *raw[r]);
        ck_assert(raw[r] != NULL);
        zs_vor_raw(v, cut[r], cut[r + 1], raw[r]);
        ZS_CK_OK(zs_vor_part_build(raw[r], m->n, cut[r], cut[r + 1], &pt[r], &err), &err);
        off[r + 1] = off[r] + pt[r].g.np;
    }
    /* the graph, as process 0 gathers it */
    zs_vor_graph g;
    memset(&g, 0, sizeof g);
    g.np = off[nslab];
    g.grain = malloc((size_t)g.np * sizeof *g.grain);
    ck_assert(g.grain != NULL);
    for (int r = 0; r < nslab; r++) {
        memcpy(g.grain + off[r], pt[r].g.grain, (size_t)pt[r].g.np * sizeof *g.grain);
        append64(&g.size, off[r], pt[r].g.size, pt[r].g.np, 0);
        append64(&g.minidx, off[r], pt[r].g.minidx, pt[r].g.np, 0);
        append64(&g.ea, g.ne, pt[r].g.ea, pt[r].g.ne, off[r]);
        append64(&g.eb, g.ne, pt[r].g.eb, pt[r].g.ne, off[r]);
        append64(&g.ef, g.ne, pt[r].g.ef, pt[r].g.ne, 0);
        g.ne += pt[r].g.ne;
        if (r + 1 < nslab) {
            /* what process r + 1 sends down: its first layer's pieces and grains */
            int32_t *np_ = malloc((size_t)L * sizeof *np_), *ng = malloc((size_t)L * sizeof *ng);
            ck_assert(np_ != NULL && ng != NULL);
            for (int64_t k = 0; k < L; k++) {
                np_[k] = pt[r + 1].piece[k];
                ng[k] = raw[r + 1][k];
            }
            zs_vor_graph c;
            ZS_CK_OK(zs_vor_part_cross(&pt[r], np_, ng, off[r], off[r + 1], &c, &err), &err);
            append64(&g.ea, g.ne, c.ea, c.ne, 0);
            append64(&g.eb, g.ne, c.eb, c.ne, 0);
            append64(&g.ef, g.ne, c.ef, c.ne, 0);
            g.ne += c.ne;
            append64(&g.ua, g.nu, c.ua, c.nu, 0);
            append64(&g.ub, g.nu, c.ub, c.nu, 0);
            g.nu += c.nu;
            zs_vor_graph_free(&c);
            free(np_);
            free(ng);
        }
    }
    int32_t *final = malloc((size_t)(g.np + 1) * sizeof *final);
    ck_assert(final != NULL);
    int64_t k = -1;
    ZS_CK_OK(zs_vor_resolve(&g, zs_vor_seeds(v), final, &k, &err), &err);
    /* a raw grain split among final grains: some fragment moved */
    int64_t ns = zs_vor_seeds(v);
    int32_t *first = malloc((size_t)ns * sizeof *first);
    ck_assert(first != NULL);
    for (int64_t s = 0; s < ns; s++)
        first[s] = -1;
    *split = 0;
    for (int64_t q = 0; q < g.np; q++) {
        int32_t gr = g.grain[q];
        if (first[gr] == -1)
            first[gr] = final[q];
        else if (first[gr] >= 0 && first[gr] != final[q]) {
            first[gr] = -2;
            (*split)++;
        }
    }
    for (int r = 0; r < nslab; r++) {
        int64_t nv = L * (cut[r + 1] - cut[r]);
        for (int64_t i = 0; i < nv; i++)
            out[cut[r] * L + i] = final[off[r] + pt[r].piece[i]];
        zs_vor_part_free(&pt[r]);
        free(raw[r]);
    }
    free(first);
    free(final);
    zs_vor_graph_free(&g);
    free(pt);
    free(raw);
    free(off);
    zs_vor_free(v);
    return k;
}

/* Slab by slab gives zstr_model_voronoi's grains voxel for voxel, on grids
 * with grains from one voxel (many fragments, several passes) to larger than
 * the box, anisotropic voxels, and partitions from one slab to one layer per
 * slab, even and uneven. */
START_TEST(test_slabs_equal_whole)
{
    static const struct {
        int64_t n[3];
        double h[3], d;
    } cases[] = {
        {{12, 10, 9}, {1e-6, 1e-6, 1e-6}, 1.0e-6}, /* one voxel per grain */
        {{12, 10, 9}, {1e-6, 1e-6, 1e-6}, 1.6e-6},
        {{16, 16, 16}, {1e-6, 1e-6, 1e-6}, 3e-6},
        {{9, 13, 11}, {1e-6, 0.5e-6, 2e-6}, 1.3e-6}, /* anisotropic */
        {{20, 7, 6}, {1e-6, 1e-6, 1e-6}, 1.2e-6},
        {{6, 6, 14}, {1e-6, 1e-6, 1e-6}, 40e-6}, /* one seed */
        {{1, 1, 7}, {1e-6, 1e-6, 1e-6}, 1e-6},   /* a column */
    };
    int64_t moved = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const int64_t *n = cases[c].n;
        const int64_t nvox = n[0] * n[1] * n[2];
        for (uint64_t seed = 1; seed <= 6; seed++) {
            zstr_model *m =
                make_model(n[0], n[1], n[2], cases[c].h[0], cases[c].h[1], cases[c].h[2]);
            zstr_voronoi_params p = {cases[c].d, seed, -1, 0, 0.0};
            zstr_error err;
            int64_t kw = -1;
            ZS_CK_OK(zstr_model_voronoi(m, &p, &kw, &err), &err);
            const int32_t *whole = zstr_model_grain_ids(m);
            int32_t *slab = malloc((size_t)nvox * sizeof *slab);
            ck_assert(slab != NULL);
            /* partitions: 1 slab, 2, 3 (uneven), one layer each, a thin first */
            int64_t cuts[5][32];
            int ncut[5] = {1, 2, 3, (int)n[2], 2};
            for (int q = 0; q < 4; q++) {
                for (int r = 0; r <= ncut[q]; r++)
                    cuts[q][r] = (int64_t)r * n[2] / ncut[q];
            }
            cuts[4][0] = 0;
            cuts[4][1] = 1;
            cuts[4][2] = n[2];
            for (int q = 0; q < 5; q++) {
                if (ncut[q] > n[2])
                    continue;
                int64_t split = 0;
                int64_t ks = slab_grains(m, &p, ncut[q], cuts[q], slab, &split);
                ck_assert_msg(ks == kw, "case %zu seed %llu, %d slabs: %lld grains, whole %lld", c,
                              (unsigned long long)seed, ncut[q], (long long)ks, (long long)kw);
                for (int64_t i = 0; i < nvox; i++) {
                    ck_assert_msg(slab[i] == whole[i],
                                  "case %zu seed %llu, %d slabs: voxel %lld grain %d, whole %d", c,
                                  (unsigned long long)seed, ncut[q], (long long)i, (int)slab[i],
                                  (int)whole[i]);
                }
                moved += split;
            }
            free(slab);
            zstr_model_free(m);
        }
    }
    /* the small grains moved fragments, so the passes were exercised */
    ck_assert_int_gt(moved, 0);
}
END_TEST

/* An inconsistent graph is refused, not followed. */
START_TEST(test_resolve_refuses)
{
    int32_t grain[2] = {0, 0};
    int64_t size[2] = {1, 1}, minidx[2] = {0, 1};
    int64_t a[1] = {0}, b[1] = {1}, f[1] = {1};
    zs_vor_graph g = {2, grain, size, minidx, 1, a, b, f, 0, NULL, NULL};
    int32_t final[2];
    int64_t k;
    zstr_error err;
    /* a face between two pieces of one grain */
    ck_assert_int_eq(zs_vor_resolve(&g, 2, final, &k, &err), ZSTR_EINVAL);
    ck_assert(strstr(err.message, "contact 0") != NULL);
    /* a grain beyond the seeds */
    grain[1] = 5;
    g.ne = 0;
    ck_assert_int_eq(zs_vor_resolve(&g, 2, final, &k, &err), ZSTR_EINVAL);
    ck_assert(strstr(err.message, "piece 1") != NULL);
    /* a whole-grid call on a model that holds some layers */
    zstr_model *m = NULL;
    ZS_CK_OK(zs_model_create_layers(4, 4, 8, 1e-6, 1e-6, 1e-6, 2, 5, "test", &m, &err), &err);
    zstr_voronoi_params p = {2e-6, 1, -1, 0, 0.0};
    ck_assert_int_eq(zstr_model_voronoi(m, &p, NULL, &err), ZSTR_EINVAL);
    ck_assert(strstr(err.message, "layers 2..4 of 8") != NULL);
    zstr_model_free(m);
}
END_TEST

Suite *suite_voronoi(void)
{
    Suite *s = suite_create("voronoi");
    TCase *tc = tcase_create("core");
    /* Generous for valgrind; natively the whole suite takes about a second. */
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_reproducible);
    tcase_add_test(tc, test_seed_count);
    tcase_add_test(tc, test_grain_count);
    tcase_add_test(tc, test_mean_intercept);
    tcase_add_test(tc, test_connected_dense);
    tcase_add_test(tc, test_nearest_seed);
    tcase_add_test(tc, test_two_seeds_convex);
    tcase_add_test(tc, test_phases_and_fields);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_slabs_equal_whole);
    tcase_add_test(tc, test_resolve_refuses);
    suite_add_tcase(s, tc);
    return s;
}
