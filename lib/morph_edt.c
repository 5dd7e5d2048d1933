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
 * (+inf: none), queries at j·h for j < nq; out[j] = min_i f[i] + (q_j − p_i)². */
static void fh_line(const double *f, int64_t ns, double off, double h, double *out, int64_t nq,
                    int64_t *v, double *z)
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
        out[j] = f[v[e]] + (q - pv) * (q - pv);
    }
}

/* One pass along axis d: in has dims a, out has dims a with a[d] -> nq. */
static void fh_pass(const double *in, const int64_t a[3], int d, double off, double h,
                    int64_t nq, double *out, double *lin, double *lout, int64_t *v, double *z)
{
    int64_t b[3] = {a[0], a[1], a[2]};
    b[d] = nq;
    const int64_t sa[3] = {1, a[0], a[0] * a[1]}, sb[3] = {1, b[0], b[0] * b[1]};
    int u = (d + 1) % 3, w = (d + 2) % 3;
    for (int64_t j = 0; j < a[w]; j++)
        for (int64_t i = 0; i < a[u]; i++) {
            const double *src = in + i * sa[u] + j * sa[w];
            double *dst = out + i * sb[u] + j * sb[w];
            for (int64_t k = 0; k < a[d]; k++)
                lin[k] = src[k * sa[d]];
            fh_line(lin, a[d], off, h, lout, nq, v, z);
            for (int64_t k = 0; k < nq; k++)
                dst[k * sb[d]] = lout[k];
        }
}

int zs_edt_sq(const int64_t sn[3], const double off[3], const int64_t dn[3], const double h[3],
              double *f, double *out)
{
    int64_t big = 1, line = 1;
    int64_t a[3] = {sn[0], sn[1], sn[2]};
    for (int d = 0; d < 3; d++) {
        a[d] = dn[d];
        int64_t size = a[0] * a[1] * a[2];
        big = size > big ? size : big;
        line = sn[d] + 1 > line ? sn[d] + 1 : line;
        line = dn[d] + 1 > line ? dn[d] + 1 : line;
    }
    double *t1 = zs_malloc_array((size_t)big, sizeof *t1);
    double *t2 = zs_malloc_array((size_t)big, sizeof *t2);
    double *lin = zs_malloc_array((size_t)line, sizeof *lin);
    double *lout = zs_malloc_array((size_t)line, sizeof *lout);
    double *z = zs_malloc_array((size_t)line + 1, sizeof *z);
    int64_t *v = zs_malloc_array((size_t)line, sizeof *v);
    int rc = ZSTR_OK;
    if (t1 == NULL || t2 == NULL || lin == NULL || lout == NULL || z == NULL || v == NULL)
        rc = ZSTR_ENOMEM;
    else {
        int64_t s[3] = {sn[0], sn[1], sn[2]};
        fh_pass(f, s, 0, off[0], h[0], dn[0], t1, lin, lout, v, z);
        s[0] = dn[0];
        fh_pass(t1, s, 1, off[1], h[1], dn[1], t2, lin, lout, v, z);
        s[1] = dn[1];
        fh_pass(t2, s, 2, off[2], h[2], dn[2], out, lin, lout, v, z);
    }
    free(t1);
    free(t2);
    free(lin);
    free(lout);
    free(z);
    free(v);
    return rc;
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
    rc = zs_edt_sq(v->n, off, v->n, v->h, f, distance);
    for (int64_t i = 0; rc == ZSTR_OK && i < v->nvox; i++)
        distance[i] = m[i] ? sqrt(distance[i]) : 0.0;
    free(f);
    free(m);
    return rc == ZSTR_OK ? ZSTR_OK : zs_error(err, rc, "zstr_morph_edt: out of memory");
}

/* ------------------------------------------------------------------------- */
/* Local thickness                                                           */
/* ------------------------------------------------------------------------- */

#define ZS_THICKNESS_FIRST ZS_SIZE_UPTO(zstr_thickness_result, levels)

/* Squared distance from every voxel centre to the nearest corner of an outside
 * voxel, measured on the corner lattice ((n+1)³ points at half-voxel offsets). */
static int corner_radii(const zstr_volume *v, const uint8_t *m, double **rq, int64_t cn[3])
{
    for (int d = 0; d < 3; d++)
        cn[d] = v->n[d] + 1;
    int64_t nc = cn[0] * cn[1] * cn[2];
    double *f = zs_malloc_array((size_t)nc, sizeof *f);
    double *r = zs_malloc_array((size_t)nc, sizeof *r);
    if (f == NULL || r == NULL) {
        free(f);
        free(r);
        return ZSTR_ENOMEM;
    }
    for (int64_t i = 0; i < nc; i++)
        f[i] = INFINITY;
    /* every corner of an outside voxel is a boundary corner */
    for (int64_t z = 0; z < v->n[2]; z++)
        for (int64_t y = 0; y < v->n[1]; y++)
            for (int64_t x = 0; x < v->n[0]; x++) {
                if (m[x + v->n[0] * (y + v->n[1] * z)])
                    continue;
                for (int c = 0; c < 8; c++)
                    f[(x + (c & 1)) + cn[0] * ((y + ((c >> 1) & 1)) + cn[1] * (z + (c >> 2)))] =
                        0.0;
            }
    const double off[3] = {0.0, 0.0, 0.0};
    int rc = zs_edt_sq(cn, off, cn, v->h, f, r);
    free(f);
    if (rc != ZSTR_OK) {
        free(r);
        return rc;
    }
    for (int64_t i = 0; i < nc; i++)
        r[i] = sqrt(r[i]);
    *rq = r;
    return ZSTR_OK;
}

/* Dilate: squared distance from every voxel centre to the nearest centre
 * (lattice 0) or corner (lattice 1) whose level is >= k. */
static int dilate(const zstr_volume *v, const int16_t *lev, const int64_t sn[3], int corner,
                  int k, double *f, double *out)
{
    int64_t ns = sn[0] * sn[1] * sn[2];
    for (int64_t i = 0; i < ns; i++)
        f[i] = lev[i] >= k ? 0.0 : INFINITY;
    const double o = corner ? -0.5 : 0.0;
    const double off[3] = {o, o, o};
    return zs_edt_sq(sn, off, v->n, v->h, f, out);
}

static int thickness_levels(const zstr_volume *v, const uint8_t *m, int levels, double *lt,
                            double *hmin_out, int *used)
{
    double hmin = fmin(v->h[0], fmin(v->h[1], v->h[2]));
    *hmin_out = hmin;
    int64_t cn[3];
    double *rq = NULL, *dc = zs_malloc_array((size_t)v->nvox, sizeof *dc);
    if (dc == NULL)
        return ZSTR_ENOMEM;
    for (int64_t i = 0; i < v->nvox; i++)
        dc[i] = m[i] ? INFINITY : 0.0;
    const double zero[3] = {0.0, 0.0, 0.0};
    int rc = zs_edt_sq(v->n, zero, v->n, v->h, dc, lt); /* lt: scratch for d² */
    if (rc == ZSTR_OK)
        rc = corner_radii(v, m, &rq, cn);
    if (rc != ZSTR_OK) {
        free(dc);
        return rc;
    }
    int64_t nc = cn[0] * cn[1] * cn[2];
    double rmax = 0.0;
    for (int64_t i = 0; i < v->nvox; i++) {
        dc[i] = m[i] ? sqrt(lt[i]) - 0.5 * hmin : 0.0;
        if (isfinite(dc[i]))
            rmax = fmax(rmax, dc[i]);
    }
    for (int64_t i = 0; i < nc; i++)
        if (isfinite(rq[i]))
            rmax = fmax(rmax, rq[i]);
    double step = fmax(0.5 * hmin, rmax / levels);
    int top = (int)floor(rmax / step * (1.0 + 1e-12));
    *used = top;
    int16_t *lc = zs_malloc_array((size_t)v->nvox, sizeof *lc);
    int16_t *lq = zs_malloc_array((size_t)nc, sizeof *lq);
    double *f = zs_malloc_array((size_t)nc, sizeof *f);
    double *d2 = zs_malloc_array((size_t)v->nvox, sizeof *d2);
    if (lc == NULL || lq == NULL || f == NULL || d2 == NULL)
        rc = ZSTR_ENOMEM;
    for (int64_t i = 0; rc == ZSTR_OK && i < v->nvox; i++) {
        lc[i] = (int16_t)(isfinite(dc[i]) ? floor(dc[i] / step * (1.0 + 1e-12)) : top);
        lt[i] = 0.0;
    }
    for (int64_t i = 0; rc == ZSTR_OK && i < nc; i++)
        lq[i] = (int16_t)(isfinite(rq[i]) ? floor(rq[i] / step * (1.0 + 1e-12)) : top);
    int64_t left = 0;
    for (int64_t i = 0; i < v->nvox; i++)
        left += m[i];
    for (int k = top; rc == ZSTR_OK && k >= 1 && left > 0; k--) {
        double r = k * step, r2 = r * r * (1.0 + 1e-9);
        for (int lattice = 0; rc == ZSTR_OK && lattice < 2; lattice++) {
            rc = dilate(v, lattice ? lq : lc, lattice ? cn : v->n, lattice, k, f, d2);
            for (int64_t i = 0; rc == ZSTR_OK && i < v->nvox; i++)
                if (m[i] && lt[i] == 0.0 && d2[i] <= r2) {
                    lt[i] = 2.0 * r;
                    left--;
                }
        }
    }
    /* a voxel is at least its own thickness */
    for (int64_t i = 0; rc == ZSTR_OK && i < v->nvox; i++)
        if (m[i] && lt[i] < hmin)
            lt[i] = hmin;
    free(lc);
    free(lq);
    free(f);
    free(d2);
    free(dc);
    free(rq);
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
