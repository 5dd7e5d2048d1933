/* zs_volfiles.h — volume file writers for the tests (zs_volfiles.c). */
#ifndef ZS_VOLFILES_H
#define ZS_VOLFILES_H
#include <stdint.h>

/* Raw: bytes 1 or 2, axes fastest-first ("xyz", "zyx", ...), header bytes 'H'. */
int zs_write_raw(const char *path, const int64_t n[3], const uint16_t *labels, int bytes,
                 const char *axes, int big_endian, long header);
/* TIFF: bits 8, 16 or 32 (32 = float samples), tile 0 = strips of 2 rows,
 * compression a libtiff code (1 none, 5 LZW, 8 deflate), samples per pixel,
 * sample format (1 uint, 3 float). */
int zs_write_tiff(const char *path, const int64_t n[3], const uint16_t *labels, int bits,
                  int tile, int compression, int samples, int sample_format);
/* HDF5: dataset of rank 3 {nz, ny, nx} (rank 2: {nz·ny, nx}) in the given
 * HDF5 file type (an hid_t, e.g. H5T_STD_U8LE); negative_first writes -1 first. */
int zs_write_hdf5(const char *path, const char *dataset, int rank, const int64_t n[3],
                  const uint16_t *labels, int64_t hid_file_type, int negative_first);
#endif
