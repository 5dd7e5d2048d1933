/*
 * vol_synth.c — synthetic microstructures: thresholded correlated random
 * fields ("blobs") and overlapping spheres, with an optional minority phase.
 *
 * Blobs.  White noise, uniform in [−½, ½) from the library's PRNG in voxel
 * order, is smoothed along x, then y, then z by three passes of a periodic
 * box filter of odd width w each; three passes of width w have the variance
 * of a Gaussian of σ² = (w² − 1)/4 voxels² (each pass adds (w² − 1)/12), so
 * w = the odd integer nearest sqrt(4σ² + 1) with σ = correlation_length / h
 * along that axis.  The field is periodic (the box is a unit cell of an
 * infinite statistically homogeneous medium: no face is special), and the
 * porosity is exact: the round(p·N) lowest values are pore, ties by voxel
 * index, found by selection (expected O(N)), not by sorting.
 *
 * Reproducibility.  Sums are single precision in a fixed order with the
 * running-sum recurrence restarted from an exact sum for every line, and the
 * library is built without FMA contraction: one seed gives the same volume on
 * every machine.
 *
 * Spheres.  Centres uniform in the box, periodic images painted, so the
 * expected porosity of n spheres of volume v in a box of volume V is
 * 1 − (1 − v/V)^n ≈ 1 − exp(−n v / V); n is chosen from the target.
 *
 * Minority phase.  A second field (its own PRNG stream, seed + 1, its own
 * length) over the solid voxels only; exactly round(f·N) of its lowest become
 * the minority label, so it sits inside the solid as Li2S does in the paper.
 */
#include "zs_volume.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ZS_SYNTH_FIRST ZS_SIZE_UPTO(zstr_synth_params, minority_label)

void zstr_synth_params_default(zstr_synth_params *p)
{
    if (p == NULL)
        return;
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->kind = ZSTR_SYNTH_BLOBS;
    p->porosity = 0.105;
    p->seed = 1;
    p->solid_label = 0;
    p->pore_label = 1;
    p->minority_label = 2;
}

/* One periodic box filter of odd width w over a line of n values (stride s). */
static void box_line(float *f, int64_t n, int64_t s, int w, float *tmp)
{
    int r = w / 2;
    for (int64_t i = 0; i < n; i++)
        tmp[i] = f[i * s];
    for (int64_t i = 0; i < n; i++) {
        /* exact sum for each voxel: w terms, no running recurrence, so the
         * result does not depend on the line's history */
        float sum = 0.0f;
        for (int k = -r; k <= r; k++) {
            int64_t j = ((i + k) % n + n) % n;
            sum += tmp[j];
        }
        f[i * s] = sum / (float)w;
    }
}

static int box_width(double sigma_vox)
{
    int w = (int)lround(sqrt(4.0 * sigma_vox * sigma_vox + 1.0));
    if (w % 2 == 0)
        w += 1;
    return w < 1 ? 1 : w;
}

/* Smooth f (nvox) along each axis with three box passes. */
static int smooth(float *f, const int64_t n[3], const double h[3], double length)
{
    int64_t longest = n[0] > n[1] ? (n[0] > n[2] ? n[0] : n[2]) : (n[1] > n[2] ? n[1] : n[2]);
    float *tmp = zs_malloc_array((size_t)longest, sizeof *tmp);
    if (tmp == NULL)
        return ZSTR_ENOMEM;
    const int64_t stride[3] = {1, n[0], n[0] * n[1]};
    for (int d = 0; d < 3; d++) {
        int w = box_width(length / h[d]);
        if (w > 2 * n[d] + 1)
            w = (int)(2 * (n[d] / 2) + 1); /* the filter cannot exceed the period */
        if (w <= 1)
            continue;
        int a = (d + 1) % 3, b = (d + 2) % 3;
        for (int pass = 0; pass < 3; pass++)
            for (int64_t j = 0; j < n[b]; j++)
                for (int64_t i = 0; i < n[a]; i++)
                    box_line(f + i * stride[a] + j * stride[b], n[d], stride[d], w, tmp);
    }
    free(tmp);
    return ZSTR_OK;
}

static int make_field(float *f, const int64_t n[3], const double h[3], double length,
                      uint64_t seed)
{
    zs_rng rng;
    zs_rng_seed(&rng, seed);
    int64_t nvox = n[0] * n[1] * n[2];
    for (int64_t i = 0; i < nvox; i++)
        f[i] = (float)(zs_rng_uniform(&rng) - 0.5);
    return smooth(f, n, h, length);
}

static void swap_f(float *a, float *b)
{
    float t = *a;
    *a = *b;
    *b = t;
}

/* The k-th smallest (0-based) of a[0..n) by quickselect (a is permuted). */
static float select_kth(float *a, int64_t n, int64_t k)
{
    int64_t lo = 0, hi = n - 1;
    while (hi > lo) {
        int64_t mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo])
            swap_f(&a[mid], &a[lo]);
        if (a[hi] < a[lo])
            swap_f(&a[hi], &a[lo]);
        if (a[hi] < a[mid])
            swap_f(&a[hi], &a[mid]);
        float pivot = a[mid];
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                swap_f(&a[i], &a[j]);
                i++;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return a[k];
    }
    return a[k];
}

/* Give `label` to exactly `count` of the voxels with mask[i] (mask NULL: all),
 * the ones of lowest f, ties by index. */
static int threshold(uint16_t *labels, const float *f, const uint16_t *mask_label, int mask,
                     int64_t nvox, int64_t count, int label)
{
    if (count <= 0)
        return ZSTR_OK;
    int64_t m = 0;
    for (int64_t i = 0; i < nvox; i++)
        m += mask_label == NULL || mask_label[i] == mask;
    float *copy = zs_malloc_array((size_t)m, sizeof *copy);
    if (copy == NULL)
        return ZSTR_ENOMEM;
    int64_t j = 0;
    for (int64_t i = 0; i < nvox; i++)
        if (mask_label == NULL || mask_label[i] == mask)
            copy[j++] = f[i];
    float t = select_kth(copy, m, count - 1);
    free(copy);
    int64_t below = 0;
    for (int64_t i = 0; i < nvox; i++)
        below += (mask_label == NULL || mask_label[i] == mask) && f[i] < t;
    int64_t ties = count - below;
    for (int64_t i = 0; i < nvox; i++) {
        if (mask_label != NULL && mask_label[i] != mask)
            continue;
        if (f[i] < t)
            labels[i] = (uint16_t)label;
        else if (f[i] == t && ties > 0) {
            labels[i] = (uint16_t)label;
            ties--;
        }
    }
    return ZSTR_OK;
}

static void paint_spheres(zstr_volume *v, double radius, int64_t count, uint64_t seed, int label)
{
    zs_rng rng;
    zs_rng_seed(&rng, seed);
    const double L[3] = {v->n[0] * v->h[0], v->n[1] * v->h[1], v->n[2] * v->h[2]};
    for (int64_t s = 0; s < count; s++) {
        double c[3];
        int64_t lo[3], hi[3];
        for (int d = 0; d < 3; d++) {
            c[d] = zs_rng_uniform(&rng) * L[d];
            lo[d] = (int64_t)floor((c[d] - radius) / v->h[d] - 0.5);
            hi[d] = (int64_t)ceil((c[d] + radius) / v->h[d] - 0.5);
        }
        for (int64_t z = lo[2]; z <= hi[2]; z++)
            for (int64_t y = lo[1]; y <= hi[1]; y++)
                for (int64_t x = lo[0]; x <= hi[0]; x++) {
                    double dx = ((double)x + 0.5) * v->h[0] - c[0];
                    double dy = ((double)y + 0.5) * v->h[1] - c[1];
                    double dz = ((double)z + 0.5) * v->h[2] - c[2];
                    if (dx * dx + dy * dy + dz * dz > radius * radius)
                        continue;
                    int64_t wx = ((x % v->n[0]) + v->n[0]) % v->n[0];
                    int64_t wy = ((y % v->n[1]) + v->n[1]) % v->n[1];
                    int64_t wz = ((z % v->n[2]) + v->n[2]) % v->n[2];
                    v->labels[wx + v->n[0] * (wy + v->n[1] * wz)] = (uint16_t)label;
                }
    }
}

static int check_params(const zstr_volume *v, const zstr_synth_params *p, zstr_error *err)
{
    int top = v->type == ZSTR_VOXEL_U8 ? 255 : 65535;
    if (p->kind != ZSTR_SYNTH_BLOBS && p->kind != ZSTR_SYNTH_SPHERES)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_synthesize: unknown kind %d", p->kind);
    if (!(p->porosity > 0.0 && p->porosity < 1.0))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_volume_synthesize: porosity %g must be in (0, 1)", p->porosity);
    if (!(p->minority_fraction >= 0.0 && p->minority_fraction < 1.0 - p->porosity))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_volume_synthesize: minority fraction %g must be in [0, 1 - "
                        "porosity = %g)",
                        p->minority_fraction, 1.0 - p->porosity);
    if (!isfinite(p->correlation_length) || p->correlation_length < 0.0 ||
        !isfinite(p->minority_length) || p->minority_length < 0.0)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_volume_synthesize: lengths must be finite and >= 0 (%g, %g)",
                        p->correlation_length, p->minority_length);
    const int lab[3] = {p->solid_label, p->pore_label, p->minority_label};
    for (int k = 0; k < 3; k++)
        if (lab[k] < 0 || lab[k] > top)
            return zs_error(err, ZSTR_EINVAL,
                            "zstr_volume_synthesize: label %d is outside 0..%d of the volume",
                            lab[k], top);
    if (lab[0] == lab[1] || (p->minority_fraction > 0.0 && (lab[2] == lab[0] || lab[2] == lab[1])))
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_synthesize: the labels must differ");
    return ZSTR_OK;
}

int zstr_volume_synthesize(zstr_volume *v, const zstr_synth_params *params, double realised[2],
                           zstr_error *err)
{
    if (v == NULL || params == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_synthesize: volume or params is NULL");
    zstr_synth_params p;
    zstr_synth_params_default(&p);
    int rc = zs_check_size(params->size, ZS_SYNTH_FIRST, sizeof p, "zstr_synth_params", err);
    if (rc != ZSTR_OK)
        return rc;
    memcpy(&p, params, params->size);
    rc = check_params(v, &p, err);
    if (rc != ZSTR_OK)
        return rc;
    double length = p.correlation_length > 0.0 ? p.correlation_length : 2.0 * v->h[0];
    double mlength = p.minority_length > 0.0 ? p.minority_length : length / 2.0;
    float *f = NULL;
    if (p.kind == ZSTR_SYNTH_BLOBS || p.minority_fraction > 0.0) {
        f = zs_malloc_array((size_t)v->nvox, sizeof *f);
        if (f == NULL)
            return zs_error(err, ZSTR_ENOMEM, "zstr_volume_synthesize: out of memory");
    }
    for (int64_t i = 0; i < v->nvox; i++)
        v->labels[i] = (uint16_t)p.solid_label;
    int64_t want = (int64_t)llround(p.porosity * (double)v->nvox);
    if (p.kind == ZSTR_SYNTH_BLOBS) {
        rc = make_field(f, v->n, v->h, length, p.seed);
        if (rc == ZSTR_OK)
            rc = threshold(v->labels, f, NULL, 0, v->nvox, want, p.pore_label);
    } else {
        double ball = 4.0 / 3.0 * ZS_PI * length * length * length;
        double box = (double)v->nvox * v->h[0] * v->h[1] * v->h[2];
        int64_t count = (int64_t)llround(-log(1.0 - p.porosity) * box / ball);
        paint_spheres(v, length, count, p.seed, p.pore_label);
    }
    int64_t minority = (int64_t)llround(p.minority_fraction * (double)v->nvox);
    if (rc == ZSTR_OK && minority > 0) {
        rc = make_field(f, v->n, v->h, mlength, p.seed + 1);
        int64_t solid = 0;
        for (int64_t i = 0; i < v->nvox; i++)
            solid += v->labels[i] == p.solid_label;
        if (rc == ZSTR_OK && minority > solid)
            minority = solid; /* spheres may leave less solid than asked for */
        if (rc == ZSTR_OK)
            rc = threshold(v->labels, f, v->labels, p.solid_label, v->nvox, minority,
                           p.minority_label);
    }
    free(f);
    if (rc != ZSTR_OK)
        return zs_error(err, rc, "zstr_volume_synthesize: out of memory");
    if (realised != NULL) {
        int64_t np = 0, nm = 0;
        for (int64_t i = 0; i < v->nvox; i++) {
            np += v->labels[i] == p.pore_label;
            nm += p.minority_fraction > 0.0 && v->labels[i] == p.minority_label;
        }
        realised[0] = (double)np / (double)v->nvox;
        realised[1] = (double)nm / (double)v->nvox;
    }
    return ZSTR_OK;
}
