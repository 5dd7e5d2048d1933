/*
 * vol_core.c — the labelled volume: creation, views, the read options and the
 * dispatch to the three readers.
 *
 * Data structure.  One uint16 label per voxel in zstr.h's index order
 * (x fastest), whatever the file held; the type remembers whether the file
 * was 8- or 16-bit, so that a uint8 volume never carries a label above 255.
 * Memory is checked before the labels are allocated, against the same limit
 * the plan uses (memory.c): a 1000³ FIB-SEM volume needs 2 GB, which a
 * reader must refuse up front rather than fail half-way.
 */
#include "zs_volume.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZS_READ_OPTIONS_FIRST ZS_SIZE_UPTO(zstr_volume_read_options, memory_limit)

int zs_file_error(zstr_error *err, int code, const char *path, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    zs_error(err, code, "%s: %s", path, what);
    snprintf(err->file, sizeof err->file, "%s", path);
    return code;
}

int zs_volume_alloc(const int64_t n[3], const double h[3], int type, double memory_limit,
                    const char *what, zstr_volume **out, zstr_error *err)
{
    if (out != NULL)
        *out = NULL;
    for (int d = 0; d < 3; d++) {
        if (n[d] < 1)
            return zs_error(err, ZSTR_EINVAL, "%s: dimension %c is %lld, must be >= 1", what,
                            "xyz"[d], (long long)n[d]);
        if (!isfinite(h[d]) || h[d] <= 0.0)
            return zs_error(err, ZSTR_EINVAL, "%s: voxel edge %c is %g m, must be > 0", what,
                            "xyz"[d], h[d]);
    }
    if (type != ZSTR_VOXEL_U8 && type != ZSTR_VOXEL_U16)
        return zs_error(err, ZSTR_EINVAL, "%s: unknown voxel type %d", what, type);
    if (!isfinite(memory_limit) || memory_limit < 0.0)
        return zs_error(err, ZSTR_EINVAL, "%s: memory_limit %g must be finite and >= 0", what,
                        memory_limit);
    double nvox = (double)n[0] * (double)n[1] * (double)n[2];
    double need = 2.0 * nvox, limit = zs_mem_limit(memory_limit);
    if (nvox > 1099511627776.0 || need > limit)
        return zs_error(err, ZSTR_EMEMLIMIT,
                        "%s: a %lld x %lld x %lld volume needs %.3g GB for its labels, more "
                        "than the %.3g GB allowed",
                        what, (long long)n[0], (long long)n[1], (long long)n[2], need / 1e9,
                        limit / 1e9);
    if (out == NULL)
        return ZSTR_OK; /* a probe: the checks only */
    zstr_volume *v = calloc(1, sizeof *v);
    if (v == NULL)
        return zs_error(err, ZSTR_ENOMEM, "%s: out of memory", what);
    memcpy(v->n, n, sizeof v->n);
    memcpy(v->h, h, sizeof v->h);
    v->nvox = n[0] * n[1] * n[2];
    v->type = type;
    v->labels = zs_calloc_array((size_t)v->nvox, sizeof *v->labels);
    if (v->labels == NULL) {
        free(v);
        return zs_error(err, ZSTR_ENOMEM, "%s: out of memory for %.3g GB of labels", what,
                        need / 1e9);
    }
    *out = v;
    return ZSTR_OK;
}

int zstr_volume_create(const int64_t n[3], const double h[3], int type, double memory_limit,
                       zstr_volume **out, zstr_error *err)
{
    if (out == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_create: out is NULL");
    *out = NULL;
    if (n == NULL || h == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_create: n or h is NULL");
    return zs_volume_alloc(n, h, type, memory_limit, "zstr_volume_create", out, err);
}

void zstr_volume_free(zstr_volume *v)
{
    if (v == NULL)
        return;
    free(v->labels);
    free(v);
}

void zstr_volume_get_grid(const zstr_volume *v, int64_t n[3], double h[3])
{
    for (int d = 0; d < 3; d++) {
        if (n != NULL)
            n[d] = v ? v->n[d] : 0;
        if (h != NULL)
            h[d] = v ? v->h[d] : 0.0;
    }
}

int zstr_volume_type(const zstr_volume *v) { return v ? v->type : 0; }
const uint16_t *zstr_volume_labels(const zstr_volume *v) { return v ? v->labels : NULL; }
uint16_t *zstr_volume_labels_mut(zstr_volume *v) { return v ? v->labels : NULL; }

int zstr_volume_max_label(const zstr_volume *v)
{
    int mx = 0;
    if (v == NULL)
        return 0;
    for (int64_t i = 0; i < v->nvox; i++)
        if (v->labels[i] > mx)
            mx = v->labels[i];
    return mx;
}

int zstr_volume_check_labels(const zstr_volume *v, zstr_error *err)
{
    if (v == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_check_labels: volume is NULL");
    if (v->type == ZSTR_VOXEL_U16)
        return ZSTR_OK;
    for (int64_t i = 0; i < v->nvox; i++)
        if (v->labels[i] > 255) {
            int64_t x = i % v->n[0], y = (i / v->n[0]) % v->n[1], z = i / (v->n[0] * v->n[1]);
            return zs_error(err, ZSTR_ERANGE,
                            "label %u at voxel (%lld, %lld, %lld) does not fit a uint8 volume",
                            (unsigned)v->labels[i], (long long)x, (long long)y, (long long)z);
        }
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* Read options                                                              */
/* ------------------------------------------------------------------------- */

void zstr_volume_read_options_default(zstr_volume_read_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->format = ZSTR_VOLUME_RAW;
    memcpy(o->axes, "xyz", 4);
}

int zs_volume_axes(const char *axes, int perm[3], zstr_error *err)
{
    int seen[3] = {0, 0, 0};
    size_t len = strnlen(axes, 4);
    for (int k = 0; k < 3 && len == 3; k++) {
        const char *p = strchr("xyz", axes[k]);
        if (axes[k] == '\0' || p == NULL || seen[p - "xyz"])
            break;
        perm[k] = (int)(p - "xyz");
        seen[perm[k]] = 1;
    }
    if (len != 3 || !seen[0] || !seen[1] || !seen[2])
        return zs_error(err, ZSTR_EINVAL,
                        "axis order '%.3s' is not a permutation of x, y and z (such as \"xyz\" "
                        "or \"zyx\")",
                        axes);
    return ZSTR_OK;
}

void zs_volume_edges(const zstr_volume_read_options *o, double h[3])
{
    for (int d = 0; d < 3; d++)
        h[d] = o->voxel_size[d] > 0.0 ? o->voxel_size[d] : 1.0;
}

int zs_volume_crop(const char *path, const int64_t fn[3], const zstr_volume_read_options *o,
                   int64_t c0[3], int64_t n[3], zstr_error *err)
{
    int none = 1;
    for (int k = 0; k < 6; k++)
        none = none && o->crop[k] == 0;
    for (int d = 0; d < 3; d++) {
        c0[d] = none ? 0 : o->crop[d];
        int64_t c1 = none ? fn[d] : o->crop[3 + d];
        if (c0[d] < 0 || c1 > fn[d] || c1 <= c0[d])
            return zs_file_error(err, ZSTR_EINVAL, path,
                                 "crop %c from %lld to %lld is outside the file's 0..%lld "
                                 "(or empty)",
                                 "xyz"[d], (long long)c0[d], (long long)c1, (long long)fn[d]);
        n[d] = c1 - c0[d];
    }
    return ZSTR_OK;
}

static int check_options(const zstr_volume_read_options *o, zstr_error *err)
{
    int perm[3];
    if (o->format < ZSTR_VOLUME_RAW || o->format > ZSTR_VOLUME_HDF5)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_read: unknown format %d", o->format);
    if (o->type < ZSTR_VOXEL_DEFAULT || o->type > ZSTR_VOXEL_U16)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_read: unknown voxel type %d", o->type);
    for (int d = 0; d < 3; d++) {
        if (o->dims[d] < 0)
            return zs_error(err, ZSTR_EINVAL, "zstr_volume_read: dims[%d] = %lld is negative",
                            d, (long long)o->dims[d]);
        if (!isfinite(o->voxel_size[d]) || o->voxel_size[d] < 0.0)
            return zs_error(err, ZSTR_EINVAL,
                            "zstr_volume_read: voxel size %c = %g m must be finite and >= 0",
                            "xyz"[d], o->voxel_size[d]);
    }
    if (o->header_bytes < 0)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_read: header_bytes %lld is negative",
                        (long long)o->header_bytes);
    return zs_volume_axes(o->axes, perm, err);
}

/* Read (probe == NULL) or probe a volume file: the options' checks, then the
 * format's reader. */
static int read_or_probe(const char *path, const zstr_volume_read_options *options,
                         zs_probe *probe, zstr_volume **out, zstr_error *err)
{
    if (path == NULL || options == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_read: path or options is NULL");
    zstr_volume_read_options o;
    zstr_volume_read_options_default(&o);
    int rc = zs_check_size(options->size, ZS_READ_OPTIONS_FIRST, sizeof o,
                           "zstr_volume_read_options", err);
    if (rc != ZSTR_OK)
        return rc;
    memcpy(&o, options, options->size);
    o.axes[3] = '\0';
    if (err != NULL)
        err->file[0] = '\0';
    rc = check_options(&o, err);
    if (rc == ZSTR_OK && o.format == ZSTR_VOLUME_RAW)
        rc = zs_volume_read_raw(path, &o, probe, out, err);
    else if (rc == ZSTR_OK && o.format == ZSTR_VOLUME_TIFF)
        rc = zs_volume_read_tiff(path, &o, probe, out, err);
    else if (rc == ZSTR_OK)
        rc = zs_volume_read_hdf5(path, &o, probe, out, err);
    /* every refusal names the file, the option errors too */
    if (rc != ZSTR_OK && err != NULL && err->file[0] == '\0')
        snprintf(err->file, sizeof err->file, "%s", path);
    return rc;
}

int zstr_volume_read(const char *path, const zstr_volume_read_options *options,
                     zstr_volume **out, zstr_error *err)
{
    if (out == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_read: out is NULL");
    *out = NULL;
    return read_or_probe(path, options, NULL, out, err);
}

int zstr_volume_probe(const char *path, const zstr_volume_read_options *options, int64_t n[3],
                      int *type, zstr_error *err)
{
    if (n == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_probe: n is NULL");
    zs_probe p;
    memset(&p, 0, sizeof p);
    int rc = read_or_probe(path, options, &p, NULL, err);
    for (int d = 0; d < 3; d++)
        n[d] = rc == ZSTR_OK ? p.n[d] : 0;
    if (type != NULL)
        *type = rc == ZSTR_OK ? p.type : 0;
    return rc;
}
