/*
 * vol_hdf5.c — 3D integer datasets of HDF5 files through libhdf5.
 *
 * HDF5 describes its data exactly (rank, extent, type), so the reader checks
 * the description and lets libhdf5 do the reading: a rank other than 3 or a
 * class other than integer is refused by name; the dataset is read one plane
 * of its slowest dimension at a time through a hyperslab of the cropped
 * extent, converted by libhdf5 to int64 (exact for every integer type but
 * uint64 above 2^63, which libhdf5 clips and we then refuse as out of range),
 * and every value must fit the volume's type.  libhdf5 never reads past the
 * dataspace it declared, and a truncated file fails inside H5Dread, which we
 * report.
 *
 * libhdf5 prints its error stack by default through a process-wide setting;
 * the reader turns it off for the call and restores whatever was there, so
 * the library prints nothing (the thread rule this implies is in
 * zstr_volume.h).
 */
#include "zs_volume.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct h5_handles {
    hid_t file, dset, space, type, mem;
} h5_handles;

static void close_all(h5_handles *h)
{
    if (h->mem >= 0)
        H5Sclose(h->mem);
    if (h->type >= 0)
        H5Tclose(h->type);
    if (h->space >= 0)
        H5Sclose(h->space);
    if (h->dset >= 0)
        H5Dclose(h->dset);
    if (h->file >= 0)
        H5Fclose(h->file);
}

static const char *class_name(H5T_class_t c)
{
    switch (c) {
    case H5T_FLOAT:
        return "floating-point numbers";
    case H5T_STRING:
        return "strings";
    case H5T_COMPOUND:
        return "compound records";
    case H5T_ENUM:
        return "enumerations";
    case H5T_ARRAY:
        return "arrays";
    default:
        return "non-integer values";
    }
}

/* Open the dataset and check its rank and class; fills fn (xyz) and the file
 * type's size in bytes. */
static int open_dataset(const char *path, const zstr_volume_read_options *o, const int perm[3],
                        h5_handles *h, int64_t fn[3], size_t *tsize, zstr_error *err)
{
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0)
        return zs_file_error(err, ZSTR_EINVAL, path, "not an HDF5 file (no HDF5 signature)");
    h->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (h->file < 0)
        return zs_file_error(err, ZSTR_EINVAL, path, "libhdf5 cannot open the file (corrupt?)");
    if (o->dataset == NULL || o->dataset[0] == '\0')
        return zs_file_error(err, ZSTR_EINVAL, path, "an HDF5 volume needs a dataset name");
    h->dset = H5Dopen2(h->file, o->dataset, H5P_DEFAULT);
    if (h->dset < 0)
        return zs_file_error(err, ZSTR_EINVAL, path, "no dataset '%s' in the file", o->dataset);
    h->space = H5Dget_space(h->dset);
    h->type = H5Dget_type(h->dset);
    if (h->space < 0 || h->type < 0)
        return zs_file_error(err, ZSTR_EINVAL, path, "dataset '%s' has no readable description",
                             o->dataset);
    int rank = H5Sget_simple_extent_ndims(h->space);
    if (rank != 3)
        return zs_file_error(err, ZSTR_EINVAL, path, "dataset '%s' has rank %d, expected 3",
                             o->dataset, rank);
    H5T_class_t cls = H5Tget_class(h->type);
    if (cls != H5T_INTEGER)
        return zs_file_error(err, ZSTR_EINVAL, path,
                             "dataset '%s' holds %s, expected integer labels", o->dataset,
                             class_name(cls));
    *tsize = H5Tget_size(h->type);
    hsize_t d[3];
    H5Sget_simple_extent_dims(h->space, d, NULL);
    for (int k = 0; k < 3; k++)
        fn[perm[k]] = (int64_t)d[2 - k];
    for (int k = 0; k < 3; k++)
        if (o->dims[k] != 0 && o->dims[k] != fn[k])
            return zs_file_error(err, ZSTR_EINVAL, path,
                                 "dataset '%s' is %lld x %lld x %lld (x, y, z for axes \"%s\"), "
                                 "expected %lld x %lld x %lld",
                                 o->dataset, (long long)fn[0], (long long)fn[1],
                                 (long long)fn[2], o->axes, (long long)o->dims[0],
                                 (long long)o->dims[1], (long long)o->dims[2]);
    return ZSTR_OK;
}

/* Read the cropped planes into v, checking every value against the type. */
static int read_planes(const char *path, const zstr_volume_read_options *o, const int perm[3],
                       h5_handles *h, const int64_t c0[3], zstr_volume *v, zstr_error *err)
{
    hsize_t count[3] = {1, (hsize_t)v->n[perm[1]], (hsize_t)v->n[perm[0]]};
    size_t plane = (size_t)count[1] * (size_t)count[2];
    int64_t *buf = zs_malloc_array(plane, sizeof *buf);
    if (buf == NULL)
        return zs_file_error(err, ZSTR_ENOMEM, path, "out of memory for one plane");
    h->mem = H5Screate_simple(3, count, NULL);
    int64_t top = v->type == ZSTR_VOXEL_U8 ? 255 : 65535;
    int rc = h->mem < 0 ? zs_file_error(err, ZSTR_ENOMEM, path, "libhdf5: no dataspace") : 0;
    for (int64_t s = 0; rc == ZSTR_OK && s < v->n[perm[2]]; s++) {
        hsize_t start[3] = {(hsize_t)(c0[perm[2]] + s), (hsize_t)c0[perm[1]],
                            (hsize_t)c0[perm[0]]};
        if (H5Sselect_hyperslab(h->space, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
            H5Dread(h->dset, H5T_NATIVE_INT64, h->mem, h->space, H5P_DEFAULT, buf) < 0) {
            rc = zs_file_error(err, ZSTR_EINVAL, path,
                               "dataset '%s': cannot read plane %lld (truncated or corrupt "
                               "file)",
                               o->dataset, (long long)start[0]);
            break;
        }
        int64_t c[3];
        c[perm[2]] = s;
        for (size_t k = 0; rc == ZSTR_OK && k < plane; k++) {
            c[perm[0]] = (int64_t)(k % count[2]);
            c[perm[1]] = (int64_t)(k / count[2]);
            if (buf[k] < 0 || buf[k] > top)
                rc = zs_file_error(err, ZSTR_ERANGE, path,
                                   "dataset '%s': label %lld at (%lld, %lld, %lld) is outside "
                                   "0..%lld",
                                   o->dataset, (long long)buf[k], (long long)(c[0] + c0[0]),
                                   (long long)(c[1] + c0[1]), (long long)(c[2] + c0[2]),
                                   (long long)top);
            else
                v->labels[c[0] + v->n[0] * (c[1] + v->n[1] * c[2])] = (uint16_t)buf[k];
        }
    }
    free(buf);
    return rc;
}

int zs_volume_read_hdf5(const char *path, const zstr_volume_read_options *o, zs_probe *probe,
                        zstr_volume **out, zstr_error *err)
{
    int perm[3];
    zs_volume_axes(o->axes, perm, NULL);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return zs_file_error(err, ZSTR_EIO, path, "cannot open");
    fclose(fp);
    H5E_auto2_t saved_fn = NULL;
    void *saved_data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &saved_fn, &saved_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    h5_handles h = {-1, -1, -1, -1, -1};
    int64_t fn[3], c0[3], n[3];
    size_t tsize = 0;
    zstr_volume *v = NULL;
    int rc = open_dataset(path, o, perm, &h, fn, &tsize, err);
    if (rc == ZSTR_OK)
        rc = zs_volume_crop(path, fn, o, c0, n, err);
    if (rc == ZSTR_OK) {
        double edge[3];
        zs_volume_edges(o, edge);
        int type = o->type != ZSTR_VOXEL_DEFAULT ? o->type
                   : tsize == 1                   ? ZSTR_VOXEL_U8
                                                  : ZSTR_VOXEL_U16;
        if (probe != NULL) {
            memcpy(probe->n, n, sizeof probe->n);
            probe->type = type;
        }
        rc = zs_volume_alloc(n, edge, type, o->memory_limit, path, probe != NULL ? NULL : &v,
                             err);
    }
    if (rc == ZSTR_OK && probe == NULL)
        rc = read_planes(path, o, perm, &h, c0, v, err);
    close_all(&h);
    H5Eset_auto2(H5E_DEFAULT, saved_fn, saved_data);
    if (rc != ZSTR_OK || probe != NULL) {
        zstr_volume_free(v);
        return rc;
    }
    *out = v;
    return ZSTR_OK;
}
