/*
 * morph_edt.c — exact Euclidean distance transforms and local thickness.
 *
 * Distance transform (Felzenszwalb & Huttenlocher 2012).  The squared
 * distance from a query point q to the nearest of a set of sample points on a
 * lattice, D(q) = min_p f(p) + |q − p|² with f = 0 on the set and +inf
 * elsewhere, separates over the axes, because |q − p|² is a sum of one term
 * per axis: minimising along x for every line, then the result along y, then
 * along z gives the exact 3D minimum.  Along one line the minimum of the
 * parabolas f(p_i) + (q − p_i)² is their lower envelope; with samples in
 * increasing order each new parabola removes those it lies under from the
 * envelope's end (two parabolas of equal opening cross once), so a line of n
 * samples costs O(n) and a transform O(N) — exact, no propagation error.
 * Samples and queries may sit on lattices offset by half a voxel (voxel
 * corners against voxel centres), which local thickness needs.
 *
 * Local thickness (Hildebrand & Rüegsegger 1997): the diameter of the largest
 * ball inside the set that contains the voxel.  Every ball centre c has a
 * radius R(c) (convention in zstr_volume.h: voxel centres with d − h/2, voxel
 * corners with the distance to the nearest corner of an outside voxel).  With
 * the radii rounded down to levels r_1 < ... < r_K, a voxel's thickness is
 * 2·r_k for the largest k such that its centre is within r_k of a ball centre
 * with R ≥ r_k: if c covers p with R(c) = r_k then p is within r_k of c; and if
 * p is within r_k of some c with R(c) ≥ r_k, the ball of c covers p and is at
 * least that large.  Each level is one distance transform of the centres with
 * R ≥ r_k (a dilation), so the cost is O(K·N) with no search over balls.
 */
#include "zs_volume.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Lower envelope along one line: samples at (i + off)·h with values f[i]
 * (+inf: none), queries at j·h for j < nq; out[j] = min_i f[i] + (q_j − p_i)²,
 * or +inf where that exceeds cap (a dilation by a radius needs no larger
 * value: later passes only add to it, and +inf samples cost nothing). */
static void fh_line(const double *f, int64_t ns, double off, double h, double *out, int64_t nq,
                    double cap, int64_t *v, double *z)
{
    int64_t k = -1;
    for (int64_t i = 0; i < ns; i++) {
        if (!isfinite(f[i]))
            continue;
        double pi = ((double)i + off) * h;
        double s = -INFINITY;
        while (k >= 0) {
            double pv = ((double)v[k] + off) * h;
            s = ((f[i] + pi * pi) - (f[v[k]] + pv * pv)) / (2.0 * (pi - pv));
            if (s > z[k])
                break;
            k--;
        }
        k++;
        v[k] = i;
        z[k] = k == 0 ? -INFINITY : s;
        z[k + 1] = INFINITY;
    }
    if (k < 0) {
        for (int64_t j = 0; j < nq; j++)
            out[j] = INFINITY;
        return;
    }
    int64_t e = 0;
    for (int64_t j = 0; j < nq; j++) {
        double q = (double)j * h;
        while (z[e + 1] < q)
            e++;
        double pv = ((double)v[e] + off) * h;
        double d = f[v[e]] + (q - pv) * (q - pv);
        out[j] = d <= cap ? d : INFINITY;
    }
}

/* Lines handled together by a pass along y or z: their values sit side by
 * side in memory (consecutive x), so gathering BLOCK of them reads whole cache
 * lines instead of one value per line (the passes along y and z otherwise
 * dominate the cost with a cache miss per value). */
#define BLOCK 32

/* Scratch of one transform, reused by every transform of one call (local
 * thickness runs two per radius level): big = the largest array of a pass,
 * line = the longest line. */
typedef struct edt_work {
    double *t1, *t2;
    double *lin, *lout, *z;
    int64_t *v;
    int64_t line;
} edt_work;

static void edt_work_free(edt_work *w)
{
    free(w->t1);
    free(w->t2);
    free(w->lin);
    free(w->lout);
    free(w->z);
    free(w->v);
    memset(w, 0, sizeof *w);
}

static int edt_work_alloc(edt_work *w, int64_t big, int64_t line)
{
    memset(w, 0, sizeof *w);
    w->line = line;
    w->t1 = zs_malloc_array((size_t)big, sizeof *w->t1);
    w->t2 = zs_malloc_array((size_t)big, sizeof *w->t2);
    w->lin = zs_malloc_array((size_t)(BLOCK * line), sizeof *w->lin);
    w->lout = zs_malloc_array((size_t)(BLOCK * line), sizeof *w->lout);
    w->z = zs_malloc_array((size_t)line + 1, sizeof *w->z);
    w->v = zs_malloc_array((size_t)line, sizeof *w->v);
    if (w->t1 == NULL || w->t2 == NULL || w->lin == NULL || w->lout == NULL || w->z == NULL ||
        w->v == NULL) {
        edt_work_free(w);
        return ZSTR_ENOMEM;
    }
    return ZSTR_OK;
}

/* One pass along axis d: in has dims a, out has dims a with a[d] -> nq.  Every
 * line is read whole before its results are written, one line (x) or one
 * block of lines (y, z) at a time; the values are those of fh_line, so the
 * order of the lines changes nothing. */
static void fh_pass(const double *in, const int64_t a[3], int d, double off, double h,
                    int64_t nq, double cap, double *out, edt_work *w)
{
    int64_t b[3] = {a[0], a[1], a[2]};
    b[d] = nq;
    const int64_t sa[3] = {1, a[0], a[0] * a[1]}, sb[3] = {1, b[0], b[0] * b[1]};
    if (d == 0) {
        for (int64_t j = 0; j < a[1] * a[2]; j++)
            fh_line(in + j * a[0], a[0], off, h, out + j * nq, nq, cap, w->v, w->z);
        return;
    }
    const int o = 3 - d; /* the axis that is neither x nor d */
    const int64_t la = a[d];
    for (int64_t j = 0; j < a[o]; j++)
        for (int64_t x0 = 0; x0 < a[0]; x0 += BLOCK) {
            const int64_t nb = a[0] - x0 < BLOCK ? a[0] - x0 : BLOCK;
            const double *src = in + x0 + j * sa[o];
            double *dst = out + x0 + j * sb[o];
            for (int64_t k = 0; k < la; k++)
                for (int64_t t = 0; t < nb; t++)
                    w->lin[t * la + k] = src[k * sa[d] + t];
            for (int64_t t = 0; t < nb; t++)
                fh_line(w->lin + t * la, la, off, h, w->lout + t * nq, nq, cap, w->v, w->z);
            for (int64_t k = 0; k < nq; k++)
                for (int64_t t = 0; t < nb; t++)
                    dst[k * sb[d] + t] = w->lout[t * nq + k];
        }
}

/* Sizes of the scratch for transforms from a lattice of sn points to one of dn. */
static void edt_sizes(const int64_t sn[3], const int64_t dn[3], int64_t *big, int64_t *line)
{
    int64_t a[3] = {sn[0], sn[1], sn[2]};
    *big = a[0] * a[1] * a[2];
    *line = 1;
    for (int d = 0; d < 3; d++) {
        a[d] = dn[d];
        int64_t size = a[0] * a[1] * a[2];
        *big = size > *big ? size : *big;
        *line = sn[d] + 1 > *line ? sn[d] + 1 : *line;
        *line = dn[d] + 1 > *line ? dn[d] + 1 : *line;
    }
}

/* Squared distance transform: samples f on the lattice sn (offset off, in
 * voxels), queries on the lattice dn; the result is w->t1 (valid until the
 * next transform with w), +inf where it exceeds cap.  Pass 1 f -> t1, pass 2
 * t1 -> t2, pass 3 t2 -> t1. */
static double *edt_sq(const int64_t sn[3], const double off[3], const int64_t dn[3],
                      const double h[3], const double *f, double cap, edt_work *w)
{
    int64_t s[3] = {sn[0], sn[1], sn[2]};
    fh_pass(f, s, 0, off[0], h[0], dn[0], cap, w->t1, w);
    s[0] = dn[0];
    fh_pass(w->t1, s, 1, off[1], h[1], dn[1], cap, w->t2, w);
    s[1] = dn[1];
    fh_pass(w->t2, s, 2, off[2], h[2], dn[2], cap, w->t1, w);
    return w->t1;
}

int zstr_morph_edt(const zstr_volume *v, int nlabels, const int *labels, double *distance,
                   zstr_error *err)
{
    if (distance == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_morph_edt: distance is NULL");
    uint8_t *m = NULL;
    int rc = zs_morph_mask(v, nlabels, labels, "zstr_morph_edt", &m, err);
    if (rc != ZSTR_OK)
        return rc;
    double *f = zs_malloc_array((size_t)v->nvox, sizeof *f);
    if (f == NULL) {
        free(m);
        return zs_error(err, ZSTR_ENOMEM, "zstr_morph_edt: out of memory");
    }
    for (int64_t i = 0; i < v->nvox; i++)
        f[i] = m[i] ? INFINITY : 0.0;
    const double off[3] = {0.0, 0.0, 0.0};
    edt_work w;
    int64_t big, line;
    edt_sizes(v->n, v->n, &big, &line);
    rc = edt_work_alloc(&w, big, line);
    const double *d2 = rc == ZSTR_OK ? edt_sq(v->n, off, v->n, v->h, f, INFINITY, &w) : NULL;
    for (int64_t i = 0; rc == ZSTR_OK && i < v->nvox; i++)
        distance[i] = m[i] ? sqrt(d2[i]) : 0.0;
    edt_work_free(&w);
    free(f);
    free(m);
    return rc == ZSTR_OK ? ZSTR_OK : zs_error(err, rc, "zstr_morph_edt: out of memory");
}

/* ------------------------------------------------------------------------- */
/* Local thickness                                                           */
/* ------------------------------------------------------------------------- */

#define ZS_THICKNESS_FIRST ZS_SIZE_UPTO(zstr_thickness_result, levels)

/* Radii of the ball centres (zstr_volume.h's convention), into rc (voxel
 * centres, nvox values: d − h/2, +inf when no voxel is outside) and rq
 * (voxel corners, nc values: the distance to the nearest corner of an
 * outside voxel); w is the scratch of every transform. */
static void ball_radii(const zstr_volume *v, const uint8_t *m, const int64_t cn[3], double hmin,
                       double *rc, double *rq, edt_work *w)
{
    const int64_t nc = cn[0] * cn[1] * cn[2];
    for (int64_t i = 0; i < nc; i++)
        rq[i] = INFINITY;
    /* every corner of an outside voxel is a boundary corner */
    for (int64_t z = 0; z < v->n[2]; z++)
        for (int64_t y = 0; y < v->n[1]; y++)
            for (int64_t x = 0; x < v->n[0]; x++) {
                if (m[x + v->n[0] * (y + v->n[1] * z)])
                    continue;
                for (int c = 0; c < 8; c++)
                    rq[(x + (c & 1)) + cn[0] * ((y + ((c >> 1) & 1)) + cn[1] * (z + (c >> 2)))] =
                        0.0;
            }
    const double zero[3] = {0.0, 0.0, 0.0};
    const double *d2 = edt_sq(cn, zero, cn, v->h, rq, INFINITY, w);
    for (int64_t i = 0; i < nc; i++)
        rq[i] = sqrt(d2[i]);
    for (int64_t i = 0; i < v->nvox; i++)
        rc[i] = m[i] ? INFINITY : 0.0;
    d2 = edt_sq(v->n, zero, v->n, v->h, rc, INFINITY, w);
    for (int64_t i = 0; i < v->nvox; i++)
        rc[i] = m[i] ? sqrt(d2[i]) - 0.5 * hmin : 0.0;
}

/* Radius levels: lev[i] = floor(r[i] / step) (+inf: top); present[k] = 1
 * when some point has level exactly k. */
static void radius_levels(const double *r, int64_t n, double step, int top, int16_t *lev,
                          uint8_t *present)
{
    for (int64_t i = 0; i < n; i++) {
        lev[i] = (int16_t)(isfinite(r[i]) ? floor(r[i] / step * (1.0 + 1e-12)) : top);
        present[lev[i]] = 1;
    }
}

/* Dilate: squared distance from every voxel centre to the nearest centre
 * (lattice 0) or corner (lattice 1) whose level is >= k, +inf beyond cap;
 * f is scratch for the samples. */
static const double *dilate(const zstr_volume *v, const int16_t *lev, const int64_t sn[3],
                            int corner, int k, double cap, double *f, edt_work *w)
{
    int64_t ns = sn[0] * sn[1] * sn[2];
    for (int64_t i = 0; i < ns; i++)
        f[i] = lev[i] >= k ? 0.0 : INFINITY;
    const double o = corner ? -0.5 : 0.0;
    const double off[3] = {o, o, o};
    return edt_sq(sn, off, v->n, v->h, f, cap, w);
}

/* The levels from the top down: a voxel takes the first level whose balls
 * cover it.  A level at which no centre of a lattice has exactly that level
 * adds nothing from that lattice (its centres of level >= k are those of
 * level >= k + 1, whose larger balls were painted already), so its
 * transform is skipped: the result is the same, and most of the cost of
 * a volume whose radii cluster is saved. */
static int paint_levels(const zstr_volume *v, const uint8_t *m, const int16_t *lev[2],
                        const int64_t sn[2][3], const uint8_t *present[2], int top,
                        double step, double *f, edt_work *w, double *lt)
{
    /* the voxels still without a level, in index order (compacted as they
     * get one, so each level compares only those) */
    int64_t left = 0;
    for (int64_t i = 0; i < v->nvox; i++)
        left += m[i];
    int64_t *unlevelled = zs_malloc_array((size_t)(left > 0 ? left : 1), sizeof *unlevelled);
    if (unlevelled == NULL)
        return ZSTR_ENOMEM;
    for (int64_t i = 0, j = 0; i < v->nvox; i++)
        if (m[i])
            unlevelled[j++] = i;
    for (int k = top; k >= 1 && left > 0; k--) {
        double r = k * step, r2 = r * r * (1.0 + 1e-9);
        for (int lattice = 0; lattice < 2; lattice++) {
            if (!present[lattice][k])
                continue;
            const double *d2 = dilate(v, lev[lattice], sn[lattice], lattice, k, r2, f, w);
            int64_t kept = 0;
            for (int64_t j = 0; j < left; j++) {
                int64_t i = unlevelled[j];
                if (d2[i] <= r2)
                    lt[i] = 2.0 * r;
                else
                    unlevelled[kept++] = i;
            }
            left = kept;
        }
    }
    free(unlevelled);
    return ZSTR_OK;
}

/* Memory: the caller's lt and mask, f and the two transform arrays on the
 * corner lattice (8 bytes each), the levels (2 bytes each) and the list of
 * voxels without a level (8 bytes per voxel of the set): at most about 43
 * bytes per voxel. */
static int thickness_levels(const zstr_volume *v, const uint8_t *m, int levels, double *lt,
                            double *hmin_out, int *used)
{
    double hmin = fmin(v->h[0], fmin(v->h[1], v->h[2]));
    *hmin_out = hmin;
    const int64_t cn[3] = {v->n[0] + 1, v->n[1] + 1, v->n[2] + 1};
    const int64_t nc = cn[0] * cn[1] * cn[2];
    int64_t big, line;
    edt_sizes(cn, cn, &big, &line);
    edt_work w;
    if (edt_work_alloc(&w, big, line) != ZSTR_OK)
        return ZSTR_ENOMEM;
    double *f = zs_malloc_array((size_t)nc, sizeof *f);
    int16_t *lc = zs_malloc_array((size_t)v->nvox, sizeof *lc);
    int16_t *lq = zs_malloc_array((size_t)nc, sizeof *lq);
    uint8_t *pc = zs_calloc_array(32768, 1), *pq = zs_calloc_array(32768, 1);
    int rc = f == NULL || lc == NULL || lq == NULL || pc == NULL || pq == NULL ? ZSTR_ENOMEM
                                                                               : ZSTR_OK;
    if (rc == ZSTR_OK) {
        ball_radii(v, m, cn, hmin, lt, f, &w); /* centres into lt, corners into f */
        double rmax = 0.0;
        for (int64_t i = 0; i < v->nvox; i++)
            if (isfinite(lt[i]))
                rmax = fmax(rmax, lt[i]);
        for (int64_t i = 0; i < nc; i++)
            if (isfinite(f[i]))
                rmax = fmax(rmax, f[i]);
        double step = fmax(0.5 * hmin, rmax / levels);
        int top = (int)floor(rmax / step * (1.0 + 1e-12));
        *used = top;
        radius_levels(lt, v->nvox, step, top, lc, pc);
        radius_levels(f, nc, step, top, lq, pq);
        for (int64_t i = 0; i < v->nvox; i++)
            lt[i] = 0.0;
        const int16_t *lev[2] = {lc, lq};
        const int64_t sn[2][3] = {{v->n[0], v->n[1], v->n[2]}, {cn[0], cn[1], cn[2]}};
        const uint8_t *present[2] = {pc, pq};
        rc = paint_levels(v, m, lev, sn, present, top, step, f, &w, lt);
        /* a voxel is at least its own thickness */
        for (int64_t i = 0; rc == ZSTR_OK && i < v->nvox; i++)
            if (m[i] && lt[i] < hmin)
                lt[i] = hmin;
    }
    free(lc);
    free(lq);
    free(pc);
    free(pq);
    free(f);
    edt_work_free(&w);
    return rc;
}

int zstr_morph_local_thickness(const zstr_volume *v, int nlabels, const int *labels, int levels,
                               double *thickness, zstr_thickness_result *res, zstr_error *err)
{
    if (res == NULL || levels < 0 || levels > 10000)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_morph_local_thickness: result is NULL or levels %d not in 0..10000",
                        levels);
    int rc = zs_check_size(res->size, ZS_THICKNESS_FIRST, sizeof *res, "zstr_thickness_result",
                           err);
    if (rc != ZSTR_OK)
        return rc;
    uint8_t *m = NULL;
    rc = zs_morph_mask(v, nlabels, labels, "zstr_morph_local_thickness", &m, err);
    if (rc != ZSTR_OK)
        return rc;
    double *lt = thickness != NULL ? thickness : zs_malloc_array((size_t)v->nvox, sizeof *lt);
    double hmin = 0.0;
    int used = 0;
    rc = lt == NULL ? ZSTR_ENOMEM : thickness_levels(v, m, levels ? levels : 24, lt, &hmin, &used);
    if (rc == ZSTR_OK) {
        double s1 = 0.0, s2 = 0.0, lo = INFINITY, hi = 0.0;
        int64_t c = 0;
        for (int64_t i = 0; i < v->nvox; i++)
            if (m[i]) {
                s1 += lt[i];
                s2 += lt[i] * lt[i];
                lo = fmin(lo, lt[i]);
                hi = fmax(hi, lt[i]);
                c++;
            }
        size_t size = res->size;
        memset(res, 0, size);
        res->size = size;
        res->mean = c ? s1 / (double)c : NAN;
        res->std = c ? sqrt(fmax(0.0, s2 / (double)c - res->mean * res->mean)) : NAN;
        res->min = c ? lo : NAN;
        res->max = c ? hi : NAN;
        res->levels = used;
    }
    if (lt != thickness)
        free(lt);
    free(m);
    return rc == ZSTR_OK ? ZSTR_OK
                         : zs_error(err, rc, "zstr_morph_local_thickness: out of memory");
}
