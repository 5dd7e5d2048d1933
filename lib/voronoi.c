/*
 * voronoi.c — Voronoi polycrystals on the voxel grid (zstr_model_voronoi).
 *
 * Concept
 * -------
 * N = max(1, round(V / d³)) seeds are dropped uniformly in the box (a Poisson
 * process conditioned on N points) and every voxel joins the seed nearest to its
 * centre.  The raw cells are convex, but their voxelisations need not be
 * 6-connected (a thin wedge can leave a voxel touching its cell only along an
 * edge), and the network model needs connected grains, so a post-process hands
 * every stray fragment to the neighbour grain it shares most faces with.  The
 * grains are then renumbered densely and installed as zstr_model_set_grains()
 * would install them.
 *
 * Determinism
 * -----------
 * A seed must give the same grains on every machine, so nothing that decides a
 * label calls libm or depends on the search structure:
 *   - lengths are measured in units of the largest voxel edge hmax (so squares
 *     can neither overflow nor underflow for any grid the model accepts);
 *   - seed i takes three consecutive draws of zs_rng_uniform(), u_x, u_y, u_z,
 *     and sits at (u_x·Lx, u_y·Ly, u_z·Lz), L = n·h/hmax;
 *   - voxel (x, y, z) has its centre at ((x+0.5)·hx, (y+0.5)·hy, (z+0.5)·hz),
 *     h = edge/hmax;
 *   - N comes from V/d³ in the same units, rounded half up by a cast;
 *   - the squared distance is (dx·dx + dy·dy) + dz·dz, evaluated with + and ×
 *     only (the Makefile passes -ffp-contract=off, so no fused multiply-add);
 *   - the winner is the least (squared distance, seed index) pair, exactly as a
 *     brute-force scan over all seeds would find it.
 * This holds wherever double arithmetic is IEEE binary64 without excess
 * precision (FLT_EVAL_METHOD == 0: x86-64, AArch64, ...); an x87 build may
 * differ on near-ties through double rounding.
 *
 * Data structures
 * ---------------
 * Nearest-seed search.  The seeds are counting-sorted into a uniform grid of
 * gx × gy × gz bins of edge about d/2 (VOR_BIN_EDGE).  Within a bin they keep
 * increasing seed order, and their coordinates are copied in bin order (sx,
 * sy, sz, sid) so a bin is one contiguous run; bin b holds entries
 * bin_start[b] .. bin_start[b+1].  Voxels are processed bin by bin (the bin of
 * a voxel is the bin of its centre).  For each bin, one search through
 * Chebyshev shells of bins builds a candidate list: every seed whose gap to the
 * box spanned by the bin's voxel centres is at most R, where R is the least
 * farthest-corner distance of any seed seen (so every centre has a seed within
 * R).  A whole shell, or a bin, is skipped once its gap exceeds R; these gaps
 * are shrunk by a tolerance far above the rounding error of s / bw, so the bin
 * layout never loses a seed.  The list, sorted by gap, is then scanned for each
 * voxel of the bin and the scan stops at the first gap above the best distance
 * found.  The gap and R tests need no tolerance: rounding is monotone, so the
 * rounded gap and farthest-corner distances bound the rounded distances of
 * every centre exactly (see collect_candidates()).  The result therefore equals
 * the brute force, ties included, and a voxel costs about ten distances.
 *
 * Connectivity.  One pass labels the 6-connected components of equal grain id
 * by breadth-first search: the queue *is* the output, so component c occupies
 * order[cstart[c] .. cstart[c+1]).  For each grain the largest component (the
 * first one found on ties) stays; every other one is a fragment and is
 * recoloured as a whole to the neighbouring grain it shares most faces with
 * (ties: lower seed index).  A fragment touching a voxel already recoloured in
 * the same pass is left for the next pass.  Termination: a fragment F of grain
 * A recoloured to B, none of whose neighbours changed in this pass, is still a
 * maximal component of A; recolouring it removes one component of A and fuses
 * F with the m >= 1 components of B it touches, so the total number of
 * components falls by m >= 1.  Every pass recolours at least its first
 * fragment, so at most (number of components) passes run; the loop ends with a
 * pass that finds no fragment, i.e. every grain is one 6-connected component.
 * Largest components are never recoloured, so no grain that owned a voxel
 * disappears; grains that never owned one (a seed whose cell holds no voxel
 * centre) are dropped by the renumbering to 0..K−1 in order of first
 * appearance in voxel index order.
 *
 * Memory: 4 (grain ids) + 8 (component order) + 1 (flags) bytes per voxel,
 * at most about 250 bytes per seed (bins included) and 8 bytes per component;
 * all freed on return.
 */
#include "zs_voronoi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The labels depend on unfused a·a + b·b: the Makefile passes -ffp-contract=off
 * (GCC's default in ISO C mode anyway); clang also honours the standard pragma,
 * which GCC would warn about. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Bin edge in grain sizes.  Half a grain (~1/8 seed per bin) keeps the
 * candidate lists short (~10 seeds) while a bin still holds many voxels; 0.35
 * to 1.0 measured within 20 % of each other on 100³ voxels, 1000 grains. */
#define VOR_BIN_EDGE 0.5

/* ------------------------------------------------------------------------- */
/* Seeds and the bin grid                                                    */
/* ------------------------------------------------------------------------- */

typedef struct vor_grid {
    int64_t g[3];         /* bins per axis */
    double bw[3];         /* bin edge per axis (units of hmax) */
    double tol;           /* shrink of bin gaps: >> rounding error of s / bw */
    int64_t *bin_start;   /* g[0]·g[1]·g[2] + 1 offsets into the arrays below */
    double *sx, *sy, *sz; /* seed coordinates in bin order */
    int32_t *sid;         /* seed index in bin order (increasing within a bin) */
} vor_grid;

/* A candidate seed of one bin: its squared gap to the bin's voxel centres. */
typedef struct vor_cand {
    double g2;
    double x, y, z;
    int32_t id;
} vor_cand;

/* Free the arrays and reset G, so a second call is harmless. */
static void vor_grid_free(vor_grid *G)
{
    free(G->bin_start);
    free(G->sx);
    free(G->sy);
    free(G->sz);
    free(G->sid);
    memset(G, 0, sizeof *G);
}

/* Bin of coordinate s on axis a, clamped so that rounding at the far wall stays
 * inside the grid. */
static int64_t bin_of(const vor_grid *G, int a, double s)
{
    int64_t i = (int64_t)(s / G->bw[a]);
    if (i < 0)
        i = 0;
    if (i > G->g[a] - 1)
        i = G->g[a] - 1;
    return i;
}

/* Draw nseeds seeds in a box of edges L (units of hmax) and sort them into bins
 * of edge about w.  Returns ZSTR_OK or ZSTR_ENOMEM (G is then freed). */
static int vor_grid_build(vor_grid *G, const int64_t n[3], const double L[3], double w,
                          int64_t nseeds, uint64_t seed)
{
    memset(G, 0, sizeof *G);
    /* Never finer than a voxel, and at most ~16 bins per seed (a thin slab
     * would otherwise ask for many empty bins): coarsen until the count fits.
     * The bin layout only affects speed, never the labels. */
    double limit = 16.0 * (double)nseeds + 64.0;
    for (;;) {
        for (int a = 0; a < 3; a++) {
            double q = L[a] / w;
            G->g[a] = q < 1.0 ? 1 : q > (double)n[a] ? n[a] : (int64_t)q;
        }
        if ((double)G->g[0] * (double)G->g[1] * (double)G->g[2] <= limit)
            break;
        w *= 1.25;
    }
    for (int a = 0; a < 3; a++)
        G->bw[a] = L[a] / (double)G->g[a];
    G->tol = 1e-10 * (L[0] + L[1] + L[2]);

    int64_t nb = G->g[0] * G->g[1] * G->g[2];
    size_t ns = (size_t)nseeds;
    double *raw = zs_malloc_array(ns, 3 * sizeof *raw);
    int64_t *bin = zs_malloc_array(ns, sizeof *bin);
    G->bin_start = zs_calloc_array((size_t)nb + 1, sizeof *G->bin_start);
    G->sx = zs_malloc_array(ns, sizeof *G->sx);
    G->sy = zs_malloc_array(ns, sizeof *G->sy);
    G->sz = zs_malloc_array(ns, sizeof *G->sz);
    G->sid = zs_malloc_array(ns, sizeof *G->sid);
    if (raw == NULL || bin == NULL || G->bin_start == NULL || G->sx == NULL ||
        G->sy == NULL || G->sz == NULL || G->sid == NULL) {
        free(raw);
        free(bin);
        vor_grid_free(G);
        return ZSTR_ENOMEM;
    }

    zs_rng rng;
    zs_rng_seed(&rng, seed);
    for (int64_t i = 0; i < nseeds; i++) {
        double *s = &raw[3 * i];
        for (int a = 0; a < 3; a++)
            s[a] = zs_rng_uniform(&rng) * L[a];
        bin[i] = bin_of(G, 0, s[0]) +
                 G->g[0] * (bin_of(G, 1, s[1]) + G->g[1] * bin_of(G, 2, s[2]));
        G->bin_start[bin[i] + 1]++;
    }
    for (int64_t b = 0; b < nb; b++)
        G->bin_start[b + 1] += G->bin_start[b];
    /* Stable counting sort: bin_start[b] serves as the fill cursor of bin b and
     * ends at the start of bin b+1, so shift it back afterwards. */
    for (int64_t i = 0; i < nseeds; i++) {
        int64_t j = G->bin_start[bin[i]]++;
        G->sx[j] = raw[3 * i];
        G->sy[j] = raw[3 * i + 1];
        G->sz[j] = raw[3 * i + 2];
        G->sid[j] = (int32_t)i;
    }
    for (int64_t b = nb; b > 0; b--)
        G->bin_start[b] = G->bin_start[b - 1];
    G->bin_start[0] = 0;
    free(raw);
    free(bin);
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* Nearest seed                                                              */
/* ------------------------------------------------------------------------- */

/* The three sums below use the same order, so that term-wise <= carries over
 * to the rounded sums (rounding is monotone). */
static double sum3(double a, double b, double c)
{
    double s = a * a + b * b;
    return s + c * c;
}

/* Magnitude of a rounded difference: |fl(a − b)| = fl(|a − b|). */
static double absdiff(double a, double b) { return a > b ? a - b : b - a; }

/* Conservative squared gap on one axis from [lo, hi] to the bin slab i. */
static double bin_gap2(const vor_grid *G, int a, int64_t i, double lo, double hi)
{
    double blo = (double)i * G->bw[a], bhi = (double)(i + 1) * G->bw[a];
    double gp = blo > hi ? blo - hi : bhi < lo ? lo - bhi : 0.0;
    gp -= G->tol;
    return gp > 0.0 ? gp * gp : 0.0;
}

/* Conservative squared gap from [lo, hi] (in bin c) to the bins outside the
 * Chebyshev shell k−1 on axis a; sets *any when such bins exist. */
static double outside_gap2(const vor_grid *G, int a, double lo, double hi, int64_t c,
                           int64_t k, int *any)
{
    double best = HUGE_VAL;
    if (c - k >= 0) {
        *any = 1;
        double gp = lo - (double)(c - k + 1) * G->bw[a] - G->tol;
        double v = gp > 0.0 ? gp * gp : 0.0;
        best = v < best ? v : best;
    }
    if (c + k <= G->g[a] - 1) {
        *any = 1;
        double gp = (double)(c + k) * G->bw[a] - hi - G->tol;
        double v = gp > 0.0 ? gp * gp : 0.0;
        best = v < best ? v : best;
    }
    return best;
}

static int cand_cmp(const void *pa, const void *pb)
{
    const vor_cand *a = pa, *b = pb;
    if (a->g2 != b->g2)
        return a->g2 < b->g2 ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Every seed that can be nearest to a voxel centre in the box [lo, hi] (the
 * centres of the voxels of bin c), sorted by squared gap; returns the count.
 *
 * R2 is the least, over the seeds seen, of the squared distance to the farthest
 * corner of the box, so every centre has a seed within R2 and its nearest seed
 * has a gap <= R2.  Both bounds hold for the *rounded* distances of
 * nearest_in(): |fl(p − s)| is monotone in p, so on each axis it lies between
 * the rounded gap and the rounded distance to the farther face, and sum3()
 * keeps the order.  Only the search for the seeds' bins needs a tolerance. */
static int64_t collect_candidates(const vor_grid *G, const int64_t c[3], const double lo[3],
                                  const double hi[3], vor_cand *cand)
{
    double R2 = HUGE_VAL;
    int64_t nc = 0;
    for (int64_t k = 0;; k++) {
        if (k > 0) {
            int any = 0;
            double lb = HUGE_VAL;
            for (int a = 0; a < 3; a++) {
                double v = outside_gap2(G, a, lo[a], hi[a], c[a], k, &any);
                lb = v < lb ? v : lb;
            }
            if (!any || lb > R2)
                break;
        }
        int64_t blo[3], bhi[3];
        for (int a = 0; a < 3; a++) {
            blo[a] = c[a] - k < 0 ? 0 : c[a] - k;
            bhi[a] = c[a] + k > G->g[a] - 1 ? G->g[a] - 1 : c[a] + k;
        }
        for (int64_t iz = blo[2]; iz <= bhi[2]; iz++) {
            double gz = bin_gap2(G, 2, iz, lo[2], hi[2]);
            if (gz > R2)
                continue;
            int zshell = iz == c[2] - k || iz == c[2] + k;
            for (int64_t iy = blo[1]; iy <= bhi[1]; iy++) {
                double gy = bin_gap2(G, 1, iy, lo[1], hi[1]);
                if (gz + gy > R2)
                    continue;
                /* Off the shell's y/z faces only its two x ends belong to it. */
                int face = zshell || iy == c[1] - k || iy == c[1] + k;
                int64_t step = face ? 1 : 2 * k;
                for (int64_t ix = face ? blo[0] : c[0] - k; ix <= bhi[0]; ix += step) {
                    if (ix < 0)
                        continue;
                    if (gz + gy + bin_gap2(G, 0, ix, lo[0], hi[0]) > R2)
                        continue;
                    int64_t b = ix + G->g[0] * (iy + G->g[1] * iz);
                    for (int64_t j = G->bin_start[b]; j < G->bin_start[b + 1]; j++) {
                        double s[3] = {G->sx[j], G->sy[j], G->sz[j]};
                        double far[3], gap[3];
                        for (int a = 0; a < 3; a++) {
                            double dl = absdiff(lo[a], s[a]), dh = absdiff(hi[a], s[a]);
                            far[a] = dl > dh ? dl : dh;
                            gap[a] = s[a] < lo[a] ? dl : s[a] > hi[a] ? dh : 0.0;
                        }
                        double f2 = sum3(far[0], far[1], far[2]);
                        R2 = f2 < R2 ? f2 : R2;
                        double g2 = sum3(gap[0], gap[1], gap[2]);
                        /* g2 <= f2 always holds with IEEE rounding; should a
                         * build fuse the sums anyway, this keeps the seed that
                         * set R2, so the list can never end up empty. */
                        g2 = g2 < f2 ? g2 : f2;
                        if (g2 <= R2) {
                            cand[nc].g2 = g2;
                            cand[nc].x = s[0];
                            cand[nc].y = s[1];
                            cand[nc].z = s[2];
                            cand[nc].id = G->sid[j];
                            nc++;
                        }
                    }
                }
            }
        }
    }
    /* Drop the seeds admitted before R2 reached its final value. */
    int64_t kept = 0;
    for (int64_t i = 0; i < nc; i++) {
        if (cand[i].g2 <= R2)
            cand[kept++] = cand[i];
    }
    qsort(cand, (size_t)kept, sizeof *cand, cand_cmp);
    return kept;
}

/* Least (squared distance, seed index) over the candidates.  They are sorted by
 * gap, and a seed's distance is never below its gap, so the scan stops at the
 * first gap above the best distance (equal gaps may still tie, so they stay). */
static int32_t nearest_in(const vor_cand *cand, int64_t nc, const double p[3])
{
    double best = HUGE_VAL;
    int32_t who = INT32_MAX;
    for (int64_t i = 0; i < nc && cand[i].g2 <= best; i++) {
        double d = sum3(absdiff(p[0], cand[i].x), absdiff(p[1], cand[i].y),
                        absdiff(p[2], cand[i].z));
        if (d < best || (d == best && cand[i].id < who)) {
            best = d;
            who = cand[i].id;
        }
    }
    return who;
}

/* Raw Voronoi labels of layers [zlo, zhi), grain[v − zlo·nx·ny] = nearest seed
 * of voxel v, bin by bin: first the candidate list of a bin (from all of the
 * bin's voxels, so a slab gets the labels of the whole grid), then its voxels.
 * cand has room for every seed.  first[a][i] is the first voxel along axis a
 * whose centre lies in bin i. */
static void assign_nearest(const vor_grid *G, const int64_t n[3], const double h[3],
                           int64_t *const first[3], vor_cand *cand, int64_t zlo, int64_t zhi,
                           int32_t *grain)
{
    for (int a = 0; a < 3; a++) {
        int64_t i = 0;
        for (int64_t x = 0; x < n[a]; x++) {
            int64_t b = bin_of(G, a, ((double)x + 0.5) * h[a]);
            while (i <= b)
                first[a][i++] = x;
        }
        while (i <= G->g[a])
            first[a][i++] = n[a];
    }
    int64_t c[3];
    for (c[2] = 0; c[2] < G->g[2]; c[2]++) {
        for (c[1] = 0; c[1] < G->g[1]; c[1]++) {
            for (c[0] = 0; c[0] < G->g[0]; c[0]++) {
                int64_t v0[3], v1[3];
                double lo[3], hi[3];
                int empty = 0;
                for (int a = 0; a < 3; a++) {
                    v0[a] = first[a][c[a]];
                    v1[a] = first[a][c[a] + 1];
                    empty |= v0[a] >= v1[a];
                    /* Exactly the voxel-centre expressions used below. */
                    lo[a] = ((double)v0[a] + 0.5) * h[a];
                    hi[a] = ((double)(v1[a] - 1) + 0.5) * h[a];
                }
                int64_t za = v0[2] > zlo ? v0[2] : zlo, zb = v1[2] < zhi ? v1[2] : zhi;
                if (empty || za >= zb)
                    continue;
                int64_t nc = collect_candidates(G, c, lo, hi, cand);
                double p[3];
                for (int64_t z = za; z < zb; z++) {
                    p[2] = ((double)z + 0.5) * h[2];
                    for (int64_t y = v0[1]; y < v1[1]; y++) {
                        p[1] = ((double)y + 0.5) * h[1];
                        int64_t v = n[0] * (y + n[1] * (z - zlo));
                        for (int64_t x = v0[0]; x < v1[0]; x++) {
                            p[0] = ((double)x + 0.5) * h[0];
                            grain[v + x] = nearest_in(cand, nc, p);
                        }
                    }
                }
            }
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Connectivity post-process                                                 */
/* ------------------------------------------------------------------------- */

/* flag[v]: two state bits, and one bit per face neighbour that exists (so the
 * neighbour walk needs no division). */
enum {
    VISITED = 1,
    RECOLOURED = 2,
    HAS_XM = 4,
    HAS_XP = 8,
    HAS_YM = 16,
    HAS_YP = 32,
    HAS_ZM = 64,
    HAS_ZP = 128
};

typedef struct vor_cc {
    int64_t n[3];
    int64_t nvox;
    int64_t nseeds;
    int32_t *grain;     /* nvox grain ids, modified in place */
    uint8_t *flag;      /* nvox: state and neighbour bits (enum above) */
    int64_t *order;     /* nvox voxel indices, component by component */
    int64_t *cstart;    /* ncomp + 1 offsets into order */
    int64_t ncomp, cap; /* components found, capacity of cstart */
    int64_t *largest;   /* per grain: its largest component, -1 if none */
    int64_t *faces;     /* per grain: faces shared with the current fragment */
    int32_t *touched;   /* grains with faces[] != 0 */
} vor_cc;

/* Set the neighbour bits of every voxel and clear the state bits. */
static void init_flags(vor_cc *cc)
{
    int64_t v = 0;
    for (int64_t z = 0; z < cc->n[2]; z++) {
        for (int64_t y = 0; y < cc->n[1]; y++) {
            for (int64_t x = 0; x < cc->n[0]; x++, v++) {
                unsigned f = 0;
                f |= x > 0 ? HAS_XM : 0;
                f |= x < cc->n[0] - 1 ? HAS_XP : 0;
                f |= y > 0 ? HAS_YM : 0;
                f |= y < cc->n[1] - 1 ? HAS_YP : 0;
                f |= z > 0 ? HAS_ZM : 0;
                f |= z < cc->n[2] - 1 ? HAS_ZP : 0;
                cc->flag[v] = (uint8_t)f;
            }
        }
    }
}

/* The up to six face neighbours of voxel v; returns their count. */
static int neighbours(const vor_cc *cc, int64_t v, int64_t out[6])
{
    int64_t nx = cc->n[0], nxy = cc->n[0] * cc->n[1];
    unsigned f = cc->flag[v];
    int k = 0;
    if (f & HAS_XM)
        out[k++] = v - 1;
    if (f & HAS_XP)
        out[k++] = v + 1;
    if (f & HAS_YM)
        out[k++] = v - nx;
    if (f & HAS_YP)
        out[k++] = v + nx;
    if (f & HAS_ZM)
        out[k++] = v - nxy;
    if (f & HAS_ZP)
        out[k++] = v + nxy;
    return k;
}

/* Label the 6-connected components of equal grain id.  ZSTR_ENOMEM possible. */
static int label_components(vor_cc *cc)
{
    for (int64_t v = 0; v < cc->nvox; v++)
        cc->flag[v] &= (uint8_t)~VISITED;
    cc->ncomp = 0;
    int64_t pos = 0;
    for (int64_t v = 0; v < cc->nvox; v++) {
        if (cc->flag[v] & VISITED)
            continue;
        if (cc->ncomp + 1 >= cc->cap) {
            int64_t cap = 2 * cc->cap;
            int64_t *t = zs_malloc_array((size_t)cap, sizeof *t);
            if (t == NULL)
                return ZSTR_ENOMEM;
            memcpy(t, cc->cstart, (size_t)cc->ncomp * sizeof *t);
            free(cc->cstart);
            cc->cstart = t;
            cc->cap = cap;
        }
        cc->cstart[cc->ncomp++] = pos;
        int32_t g = cc->grain[v];
        cc->flag[v] |= VISITED;
        cc->order[pos++] = v;
        for (int64_t head = pos - 1; head < pos; head++) {
            int64_t nb[6];
            int k = neighbours(cc, cc->order[head], nb);
            for (int i = 0; i < k; i++) {
                if (cc->grain[nb[i]] == g && !(cc->flag[nb[i]] & VISITED)) {
                    cc->flag[nb[i]] |= VISITED;
                    cc->order[pos++] = nb[i];
                }
            }
        }
    }
    cc->cstart[cc->ncomp] = pos;
    return ZSTR_OK;
}

/* Recolour fragment c (of grain g) to its best neighbour grain, unless a
 * neighbour was recoloured in this pass.  Returns 1 when recoloured. */
static int absorb_fragment(vor_cc *cc, int64_t c, int32_t g)
{
    int64_t b = cc->cstart[c], e = cc->cstart[c + 1];
    for (int64_t j = b; j < e; j++) {
        int64_t nb[6];
        int k = neighbours(cc, cc->order[j], nb);
        for (int i = 0; i < k; i++) {
            if (cc->flag[nb[i]] & RECOLOURED)
                return 0;
        }
    }
    int64_t ntouched = 0;
    for (int64_t j = b; j < e; j++) {
        int64_t nb[6];
        int k = neighbours(cc, cc->order[j], nb);
        for (int i = 0; i < k; i++) {
            int32_t o = cc->grain[nb[i]];
            if (o == g)
                continue; /* cannot happen: c is a maximal component */
            if (cc->faces[o]++ == 0)
                cc->touched[ntouched++] = o;
        }
    }
    int32_t to = g;
    int64_t most = 0;
    for (int64_t t = 0; t < ntouched; t++) {
        int32_t o = cc->touched[t];
        int64_t f = cc->faces[o];
        cc->faces[o] = 0;
        if (f > most || (f == most && o < to)) {
            most = f;
            to = o;
        }
    }
    if (to == g)
        return 0; /* no other grain touches it: it is the whole box */
    for (int64_t j = b; j < e; j++) {
        cc->grain[cc->order[j]] = to;
        cc->flag[cc->order[j]] |= RECOLOURED;
    }
    return 1;
}

/* Make every grain one 6-connected component (see the banner for why this
 * terminates).  ZSTR_ENOMEM possible. */
static int connect_grains(vor_cc *cc)
{
    for (;;) {
        int rc = label_components(cc);
        if (rc != ZSTR_OK)
            return rc;
        for (int64_t g = 0; g < cc->nseeds; g++)
            cc->largest[g] = -1;
        for (int64_t c = 0; c < cc->ncomp; c++) {
            int32_t g = cc->grain[cc->order[cc->cstart[c]]];
            int64_t l = cc->largest[g];
            if (l < 0 ||
                cc->cstart[c + 1] - cc->cstart[c] > cc->cstart[l + 1] - cc->cstart[l])
                cc->largest[g] = c;
        }
        int64_t fragments = 0;
        for (int64_t v = 0; v < cc->nvox; v++)
            cc->flag[v] &= (uint8_t)~RECOLOURED;
        for (int64_t c = 0; c < cc->ncomp; c++) {
            int32_t g = cc->grain[cc->order[cc->cstart[c]]];
            if (cc->largest[g] == c)
                continue;
            fragments++;
            absorb_fragment(cc, c, g);
        }
        if (fragments == 0)
            return ZSTR_OK;
    }
}

/* Renumber grains 0..K−1 in order of first appearance; returns K. */
static int64_t renumber(int32_t *grain, int64_t nvox, int32_t *map, int64_t nseeds)
{
    for (int64_t g = 0; g < nseeds; g++)
        map[g] = -1;
    int32_t k = 0;
    for (int64_t v = 0; v < nvox; v++) {
        int32_t g = grain[v];
        if (map[g] < 0)
            map[g] = k++;
        grain[v] = map[g];
    }
    return k;
}

/* ------------------------------------------------------------------------- */
/* Parameters, and the seeds shared by the slabs                             */
/* ------------------------------------------------------------------------- */

/* Check p against m's grid; the geometry in units of hmax, the seed count.
 * Only the grid is read, so a model holding some layers is checked alike. */
static int vor_check(const zstr_model *m, const zstr_voronoi_params *p, const char *fn, double h[3],
                     double L[3], double *ds, int64_t *nseeds, zstr_error *err)
{
    double d = p->mean_grain_size;
    if (!isfinite(d) || d <= 0.0)
        return zs_error(err, ZSTR_EINVAL, "%s: mean_grain_size = %g m must be finite and > 0",
                        fn, d);
    if (p->grain_phase >= ZS_MAX_PHASES)
        return zs_error(err, ZSTR_EINVAL,
                        "%s: grain_phase = %d out of range: a phase 0..%d, or < 0 to keep the "
                        "labels",
                        fn, p->grain_phase, ZS_MAX_PHASES - 1);
    if (p->boundary_phase < 0 || p->boundary_phase >= ZS_MAX_PHASES)
        return zs_error(err, ZSTR_EINVAL, "%s: boundary_phase = %d out of range 0..%d", fn,
                        p->boundary_phase, ZS_MAX_PHASES - 1);
    double hmin = m->h[0], hmax = m->h[0];
    for (int a = 1; a < 3; a++) {
        hmin = m->h[a] < hmin ? m->h[a] : hmin;
        hmax = m->h[a] > hmax ? m->h[a] : hmax;
    }
    double t = p->boundary_thickness;
    if (!isfinite(t) || t < 0.0 || t >= hmin)
        return zs_error(err, ZSTR_EINVAL,
                        "%s: boundary_thickness = %g m must be >= 0 and smaller than the "
                        "smallest voxel edge %g m",
                        fn, t, hmin);

    /* Geometry in units of hmax; N = max(1, round(V / d³)) without libm. */
    for (int a = 0; a < 3; a++) {
        h[a] = m->h[a] / hmax;
        L[a] = (double)m->n[a] * h[a];
    }
    *ds = d / hmax;
    double q = L[0] * L[1] * L[2] / (*ds * *ds * *ds);
    if (!(q <= (double)m->nvox + 0.5))
        return zs_error(err, ZSTR_EINVAL,
                        "%s: mean_grain_size = %g m gives %.3g seeds for %lld voxels: grains "
                        "must be at least one voxel on average",
                        fn, d, q, (long long)m->nvox);
    int64_t ns = (int64_t)q;
    if (q - (double)ns >= 0.5)
        ns++;
    if (ns < 1)
        ns = 1;
    if (ns > INT32_MAX || ns > m->nvox)
        return zs_error(err, ZSTR_EINVAL,
                        "%s: mean_grain_size = %g m gives %lld seeds for %lld voxels: at most "
                        "min(voxels, %ld) are allowed",
                        fn, d, (long long)ns, (long long)m->nvox, (long)INT32_MAX);
    *nseeds = ns;
    return ZSTR_OK;
}

struct zs_vor {
    int64_t n[3];
    double h[3];
    int64_t nseeds;
    vor_grid G;
    vor_cand *cand;
    int64_t *first[3];
};

void zs_vor_free(zs_vor *v)
{
    if (v == NULL)
        return;
    vor_grid_free(&v->G);
    free(v->cand);
    for (int a = 0; a < 3; a++)
        free(v->first[a]);
    free(v);
}

int zs_vor_create(const zstr_model *m, const zstr_voronoi_params *p, const char *fn, zs_vor **out,
                  zstr_error *err)
{
    *out = NULL;
    double L[3] = {0.0, 0.0, 0.0}, ds = 0.0;
    zs_vor *v = calloc(1, sizeof *v);
    if (v == NULL)
        return zs_error(err, ZSTR_ENOMEM, "%s: out of memory", fn);
    int rc = vor_check(m, p, fn, v->h, L, &ds, &v->nseeds, err);
    if (rc != ZSTR_OK) {
        free(v);
        return rc;
    }
    memcpy(v->n, m->n, sizeof v->n);
    v->cand = zs_malloc_array((size_t)v->nseeds, sizeof *v->cand);
    rc = v->cand != NULL ? vor_grid_build(&v->G, m->n, L, VOR_BIN_EDGE * ds, v->nseeds, p->seed)
                         : ZSTR_ENOMEM;
    for (int a = 0; a < 3 && rc == ZSTR_OK; a++) {
        v->first[a] = zs_malloc_array((size_t)v->G.g[a] + 1, sizeof *v->first[a]);
        if (v->first[a] == NULL)
            rc = ZSTR_ENOMEM;
    }
    if (rc != ZSTR_OK) {
        long long ns = (long long)v->nseeds;
        zs_vor_free(v);
        return zs_error(err, ZSTR_ENOMEM, "%s: out of memory for %lld seeds", fn, ns);
    }
    *out = v;
    return ZSTR_OK;
}

int64_t zs_vor_seeds(const zs_vor *v) { return v->nseeds; }

void zs_vor_raw(zs_vor *v, int64_t zlo, int64_t zhi, int32_t *grain)
{
    assign_nearest(&v->G, v->n, v->h, v->first, v->cand, zlo, zhi, grain);
}

/* ------------------------------------------------------------------------- */
/* Public entry                                                              */
/* ------------------------------------------------------------------------- */

int zstr_model_voronoi(zstr_model *m, const zstr_voronoi_params *p, int64_t *n_grains,
                       zstr_error *err)
{
    static const char fn[] = "zstr_model_voronoi";
    zs_error_clear(err);
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: model is NULL", fn);
    if (p == NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: params is NULL", fn);
    if (zs_model_whole(m, fn, err) != ZSTR_OK)
        return ZSTR_EINVAL;
    zs_vor *v = NULL;
    int rc = zs_vor_create(m, p, fn, &v, err);
    if (rc != ZSTR_OK)
        return rc;
    int64_t nseeds = v->nseeds;

    /* Everything allocated up front; the model is touched only at the end. */
    rc = ZSTR_ENOMEM;
    vor_cc cc;
    memset(&cc, 0, sizeof cc);
    int64_t k = 0;
    size_t nvox = (size_t)m->nvox, ns = (size_t)nseeds;
    cc.grain = zs_malloc_array(nvox, sizeof *cc.grain);
    cc.flag = zs_malloc_array(nvox, sizeof *cc.flag);
    cc.order = zs_malloc_array(nvox, sizeof *cc.order);
    cc.cap = nseeds + 64;
    cc.cstart = zs_malloc_array((size_t)cc.cap, sizeof *cc.cstart);
    cc.largest = zs_malloc_array(ns, sizeof *cc.largest);
    cc.faces = zs_calloc_array(ns, sizeof *cc.faces);
    cc.touched = zs_malloc_array(ns, sizeof *cc.touched);
    if (cc.grain == NULL || cc.flag == NULL || cc.order == NULL || cc.cstart == NULL ||
        cc.largest == NULL || cc.faces == NULL || cc.touched == NULL)
        goto done;

    zs_vor_raw(v, 0, m->n[2], cc.grain);
    memcpy(cc.n, m->n, sizeof cc.n);
    cc.nvox = m->nvox;
    cc.nseeds = nseeds;
    init_flags(&cc);
    if (connect_grains(&cc) != ZSTR_OK)
        goto done;
    k = renumber(cc.grain, cc.nvox, cc.touched, nseeds);

    /* Install: same effect as zstr_model_set_grains(), without a second copy. */
    free(m->grains);
    m->grains = cc.grain;
    zs_model_touch(m);
    cc.grain = NULL;
    m->gb_phase = p->boundary_phase;
    m->gb_thickness = p->boundary_thickness;
    if (p->grain_phase >= 0) {
        for (int64_t i = 0; i < m->nvox; i++)
            m->labels[i] = p->grain_phase;
    }
    if (n_grains != NULL)
        *n_grains = k;
    rc = ZSTR_OK;

done:
    zs_vor_free(v);
    free(cc.grain);
    free(cc.flag);
    free(cc.order);
    free(cc.cstart);
    free(cc.largest);
    free(cc.faces);
    free(cc.touched);
    if (rc == ZSTR_ENOMEM)
        return zs_error(err, ZSTR_ENOMEM, "%s: out of memory for %lld voxels and %lld seeds",
                        fn, (long long)m->nvox, (long long)nseeds);
    return rc;
}
