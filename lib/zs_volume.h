/*
 * zs_volume.h — the volume's layout and helpers shared by lib/vol_*.c and
 * lib/morph_*.c (never installed).
 */
#ifndef ZS_VOLUME_H
#define ZS_VOLUME_H

#include "zs_internal.h"
#include "zstr_volume.h"

struct zstr_volume {
    int64_t n[3];
    double h[3];
    int64_t nvox;
    int type;          /* zstr_voxel_type */
    uint16_t *labels;  /* nvox labels */
};

/* Allocate a volume (labels zeroed) after checking its labels' bytes against
 * the limit; what names the caller for messages.  out == NULL checks only
 * (zstr_volume_probe). */
int zs_volume_alloc(const int64_t n[3], const double h[3], int type, double memory_limit,
                    const char *what, zstr_volume **out, zstr_error *err);

/* What a read would make (zstr_volume_probe): the grid after the crop and
 * the label type. */
typedef struct zs_probe {
    int64_t n[3];
    int type;
} zs_probe;

/* The three readers (vol_raw.c, vol_tiff.c, vol_hdf5.c); o is complete.
 * With probe != NULL a reader checks everything up to the labels (header,
 * sizes, crop, memory), fills *probe and reads no voxel (out is not used). */
int zs_volume_read_raw(const char *path, const zstr_volume_read_options *o, zs_probe *probe,
                       zstr_volume **out, zstr_error *err);
int zs_volume_read_tiff(const char *path, const zstr_volume_read_options *o, zs_probe *probe,
                        zstr_volume **out, zstr_error *err);
int zs_volume_read_hdf5(const char *path, const zstr_volume_read_options *o, zs_probe *probe,
                        zstr_volume **out, zstr_error *err);

/* The volume a file of grid `file_n` gives under the options' crop: its origin
 * c0 and size n (checked); fills err with the file name on failure. */
int zs_volume_crop(const char *path, const int64_t file_n[3], const zstr_volume_read_options *o,
                   int64_t c0[3], int64_t n[3], zstr_error *err);
/* The voxel edges the options ask for (0 -> 1 m). */
void zs_volume_edges(const zstr_volume_read_options *o, double h[3]);
/* Permutation of the axes string: perm[k] = the axis (0 x, 1 y, 2 z) that runs
 * k-th fastest.  Returns ZSTR_EINVAL for a string that is no permutation. */
int zs_volume_axes(const char *axes, int perm[3], zstr_error *err);
/* Error helper for readers: message prefixed by the file, err->file set. */
int zs_file_error(zstr_error *err, int code, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 4, 5)))
#endif
    ;

/* ---- metrics (morph_*.c) ---- */
/* A mask of the voxels whose label is in labels[0..nlabels): nvox bytes, 1
 * inside (free() it); fn names the caller. */
int zs_morph_mask(const zstr_volume *v, int nlabels, const int *labels, const char *fn,
                  uint8_t **mask, zstr_error *err);

/* zstr_volume_to_model for a volume that starts zoff voxels along the
 * transport axis into the volume a message should count from (a distributed
 * process's part): messages name voxels with that offset added. */
int zs_volume_to_model_at(const zstr_volume *v, const zstr_volume_model_params *params,
                          int64_t zoff, zstr_model **out, zstr_error *err);

#endif /* ZS_VOLUME_H */
