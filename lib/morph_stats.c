/*
 * morph_stats.c — counting metrics: the set mask, volume fractions, fractions
 * per slice, the representative elementary volume.
 *
 * A "set" is a list of labels (a phase, or phases taken together as the
 * paper takes LPS + Li2S); every metric first turns it into a byte mask, one
 * byte per voxel, so the label list is looked up once per voxel, not once per
 * visit.
 */
#include "zs_volume.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int zs_morph_mask(const zstr_volume *v, int nlabels, const int *labels, const char *fn,
                  uint8_t **mask, zstr_error *err)
{
    *mask = NULL;
    if (v == NULL || (nlabels > 0 && labels == NULL) || nlabels < 1)
        return zs_error(err, ZSTR_EINVAL, "%s: NULL volume or an empty label set", fn);
    uint8_t in[65536];
    memset(in, 0, sizeof in);
    for (int k = 0; k < nlabels; k++) {
        if (labels[k] < 0 || labels[k] > 65535)
            return zs_error(err, ZSTR_EINVAL, "%s: label %d is outside 0..65535", fn,
                            labels[k]);
        in[labels[k]] = 1;
    }
    uint8_t *m = malloc((size_t)v->nvox);
    if (m == NULL)
        return zs_error(err, ZSTR_ENOMEM, "%s: out of memory for the mask", fn);
    for (int64_t i = 0; i < v->nvox; i++)
        m[i] = in[v->labels[i]];
    *mask = m;
    return ZSTR_OK;
}

int zstr_morph_fractions(const zstr_volume *v, int count, double *fractions, zstr_error *err)
{
    if (v == NULL || fractions == NULL || count < 1)
        return zs_error(err, ZSTR_EINVAL, "zstr_morph_fractions: NULL argument or count < 1");
    int64_t *c = zs_calloc_array((size_t)count, sizeof *c);
    if (c == NULL)
        return zs_error(err, ZSTR_ENOMEM, "zstr_morph_fractions: out of memory");
    for (int64_t i = 0; i < v->nvox; i++)
        if (v->labels[i] < count)
            c[v->labels[i]]++;
    for (int k = 0; k < count; k++)
        fractions[k] = (double)c[k] / (double)v->nvox;
    free(c);
    return ZSTR_OK;
}

int zstr_morph_slice_fraction(const zstr_volume *v, int nlabels, const int *labels, int axis,
                              double *per_slice, double *mean, double *std, zstr_error *err)
{
    if (axis < 0 || axis > 2)
        return zs_error(err, ZSTR_EINVAL, "zstr_morph_slice_fraction: axis %d", axis);
    uint8_t *m = NULL;
    int rc = zs_morph_mask(v, nlabels, labels, "zstr_morph_slice_fraction", &m, err);
    if (rc != ZSTR_OK)
        return rc;
    int64_t ns = v->n[axis];
    int64_t *c = zs_calloc_array((size_t)ns, sizeof *c);
    if (c == NULL) {
        free(m);
        return zs_error(err, ZSTR_ENOMEM, "zstr_morph_slice_fraction: out of memory");
    }
    for (int64_t z = 0, i = 0; z < v->n[2]; z++)
        for (int64_t y = 0; y < v->n[1]; y++)
            for (int64_t x = 0; x < v->n[0]; x++, i++) {
                const int64_t at[3] = {x, y, z};
                c[at[axis]] += m[i];
            }
    double per = (double)(v->nvox / ns), s1 = 0.0, s2 = 0.0;
    for (int64_t k = 0; k < ns; k++) {
        double f = (double)c[k] / per;
        if (per_slice != NULL)
            per_slice[k] = f;
        s1 += f;
    }
    s1 /= (double)ns;
    for (int64_t k = 0; k < ns; k++) {
        double d = (double)c[k] / per - s1;
        s2 += d * d;
    }
    if (mean != NULL)
        *mean = s1;
    if (std != NULL)
        *std = sqrt(s2 / (double)ns);
    free(c);
    free(m);
    return ZSTR_OK;
}

/* Voxels of the mask in the cube [o, o + s)³. */
static int64_t count_box(const zstr_volume *v, const uint8_t *m, const int64_t o[3], int64_t s)
{
    int64_t c = 0;
    for (int64_t z = o[2]; z < o[2] + s; z++)
        for (int64_t y = o[1]; y < o[1] + s; y++) {
            const uint8_t *row = m + v->n[0] * (y + v->n[1] * z);
            for (int64_t x = o[0]; x < o[0] + s; x++)
                c += row[x];
        }
    return c;
}

int zstr_morph_rev(const zstr_volume *v, int nlabels, const int *labels, int count,
                   double tolerance, double *dev, double *rev, zstr_error *err)
{
    if (count < 1 || rev == NULL || !(tolerance > 0.0))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_morph_rev: count %d must be >= 1, tolerance %g > 0, rev given",
                        count, tolerance);
    uint8_t *m = NULL;
    int rc = zs_morph_mask(v, nlabels, labels, "zstr_morph_rev", &m, err);
    if (rc != ZSTR_OK)
        return rc;
    int64_t whole = 0;
    for (int64_t i = 0; i < v->nvox; i++)
        whole += m[i];
    double f = (double)whole / (double)v->nvox;
    int64_t small = v->n[0] < v->n[1] ? v->n[0] : v->n[1];
    small = small < v->n[2] ? small : v->n[2];
    *rev = INFINITY;
    int ok = 1; /* every size from k up is within the tolerance */
    for (int k = count; k >= 1; k--) {
        int64_t s = (int64_t)k * small / count;
        double worst = 0.0;
        if (s >= 1)
            for (int b = 0; b < 9; b++) {
                int64_t o[3];
                for (int d = 0; d < 3; d++)
                    o[d] = b == 8 ? (v->n[d] - s) / 2 : ((b >> d) & 1) ? v->n[d] - s : 0;
                double fb = (double)count_box(v, m, o, s) / ((double)s * s * s);
                double e = f > 0.0 ? fabs(fb - f) / f : fabs(fb - f);
                worst = e > worst ? e : worst;
            }
        else
            worst = INFINITY;
        if (dev != NULL)
            dev[k - 1] = worst;
        ok = ok && worst <= tolerance;
        if (ok)
            *rev = (double)s * v->h[0];
    }
    free(m);
    return ZSTR_OK;
}
