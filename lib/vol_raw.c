/*
 * vol_raw.c — headerless binary volumes.
 *
 * A raw file is header_bytes of anything, then nx·ny·nz labels of one or two
 * bytes in the axis order the caller states.  Nothing in the file says what
 * it holds, so the size is the only check there is and it is strict: the file
 * must be exactly header + voxels long.  A shorter file is truncated; a longer
 * one was written with other dims or another type (a uint16 volume read as
 * uint8 is twice as long), and reading the front of it would give a volume
 * that looks plausible and is wrong.
 *
 * The file is read one plane of its two fastest axes at a time, only the
 * planes the crop keeps, so memory is the volume plus one plane, and no read
 * reaches past the size checked up front.
 */
#include "zs_volume.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Copy the cropped part of one file plane (slowest-axis coordinate s) into v. */
static void copy_plane(zstr_volume *v, const unsigned char *buf, int bytes, int big,
                       const int perm[3], const int64_t fn[3], const int64_t c0[3], int64_t s)
{
    int64_t c[3];
    c[perm[2]] = s;
    for (int64_t b = c0[perm[1]]; b < c0[perm[1]] + v->n[perm[1]]; b++) {
        c[perm[1]] = b;
        for (int64_t a = c0[perm[0]]; a < c0[perm[0]] + v->n[perm[0]]; a++) {
            c[perm[0]] = a;
            const unsigned char *p = buf + (size_t)bytes * (size_t)(a + fn[perm[0]] * b);
            unsigned value = bytes == 1 ? p[0] : big ? (p[0] << 8u) | p[1] : p[0] | (p[1] << 8u);
            int64_t i = (c[0] - c0[0]) + v->n[0] * ((c[1] - c0[1]) + v->n[1] * (c[2] - c0[2]));
            v->labels[i] = (uint16_t)value;
        }
    }
}

int zs_volume_read_raw(const char *path, const zstr_volume_read_options *o, zs_probe *probe,
                       zstr_volume **out, zstr_error *err)
{
    int perm[3];
    zs_volume_axes(o->axes, perm, NULL);
    if (o->dims[0] < 1 || o->dims[1] < 1 || o->dims[2] < 1)
        return zs_file_error(err, ZSTR_EINVAL, path,
                             "a raw volume needs its dims (nx, ny, nz), given %lld x %lld x %lld",
                             (long long)o->dims[0], (long long)o->dims[1],
                             (long long)o->dims[2]);
    if (o->type != ZSTR_VOXEL_U8 && o->type != ZSTR_VOXEL_U16)
        return zs_file_error(err, ZSTR_EINVAL, path, "a raw volume needs its type (uint8 or "
                                                     "uint16)");
    int bytes = o->type == ZSTR_VOXEL_U8 ? 1 : 2;
    const int64_t *fn = o->dims;
    double want = (double)o->header_bytes + (double)bytes * (double)fn[0] * (double)fn[1] *
                                                (double)fn[2];
    int64_t c0[3], n[3];
    int rc = zs_volume_crop(path, fn, o, c0, n, err);
    if (rc != ZSTR_OK)
        return rc;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return zs_file_error(err, ZSTR_EIO, path, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return zs_file_error(err, ZSTR_EIO, path, "not a regular file");
    }
    if ((double)st.st_size != want) {
        fclose(fp);
        return zs_file_error(
            err, ZSTR_EINVAL, path,
            "%s: the file has %lld bytes, expected %.0f (%lld header + %lld x %lld x %lld x %d "
            "bytes)",
            (double)st.st_size < want ? "truncated" : "size does not match the dims and type",
            (long long)st.st_size, want, (long long)o->header_bytes, (long long)fn[0],
            (long long)fn[1], (long long)fn[2], bytes);
    }
    double h[3];
    zs_volume_edges(o, h);
    zstr_volume *v = NULL;
    if (probe != NULL) {
        fclose(fp);
        memcpy(probe->n, n, sizeof probe->n);
        probe->type = o->type;
        return zs_volume_alloc(n, h, o->type, o->memory_limit, path, NULL, err);
    }
    rc = zs_volume_alloc(n, h, o->type, o->memory_limit, path, &v, err);
    size_t plane = (size_t)bytes * (size_t)fn[perm[0]] * (size_t)fn[perm[1]];
    unsigned char *buf = rc == ZSTR_OK ? malloc(plane) : NULL;
    if (rc == ZSTR_OK && buf == NULL)
        rc = zs_file_error(err, ZSTR_ENOMEM, path, "out of memory for a plane of %zu bytes",
                           plane);
    for (int64_t s = c0[perm[2]]; rc == ZSTR_OK && s < c0[perm[2]] + n[perm[2]]; s++) {
        off_t at = (off_t)o->header_bytes + (off_t)plane * (off_t)s;
        if (fseeko(fp, at, SEEK_SET) != 0 || fread(buf, 1, plane, fp) != plane)
            rc = zs_file_error(err, ZSTR_EIO, path, "cannot read %zu bytes at offset %lld: %s",
                               plane, (long long)at, ferror(fp) ? strerror(errno) : "end of file");
        else
            copy_plane(v, buf, bytes, o->big_endian, perm, fn, c0, s);
    }
    free(buf);
    fclose(fp);
    if (rc != ZSTR_OK) {
        zstr_volume_free(v);
        return rc;
    }
    *out = v;
    return ZSTR_OK;
}
