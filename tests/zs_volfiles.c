/*
 * zs_volfiles.c — writers of the volume files the tests read back: raw in any
 * axis order and byte order, TIFF stacks in strips or tiles, HDF5 datasets of
 * any integer or float type.  Written independently of lib/vol_*.c (they
 * write; the library reads), so a read that equals the labels written checks
 * the reader against the formats, not against itself.
 *
 * Also used by tests/data/bad_volumes/make-bad-volumes.c, which made the
 * broken-input catalogue.
 */
#include "zs_volfiles.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

int zs_write_raw(const char *path, const int64_t n[3], const uint16_t *labels, int bytes,
                 const char *axes, int big_endian, long header)
{
    FILE *fp = fopen(path, "wb");
    if (fp == NULL)
        return -1;
    for (long k = 0; k < header; k++)
        fputc('H', fp);
    int p[3];
    for (int k = 0; k < 3; k++)
        p[k] = axes[k] - 'x';
    int64_t c[3];
    for (c[p[2]] = 0; c[p[2]] < n[p[2]]; c[p[2]]++)
        for (c[p[1]] = 0; c[p[1]] < n[p[1]]; c[p[1]]++)
            for (c[p[0]] = 0; c[p[0]] < n[p[0]]; c[p[0]]++) {
                unsigned v = labels[c[0] + n[0] * (c[1] + n[1] * c[2])];
                if (bytes == 1)
                    fputc((int)(v & 0xffu), fp);
                else if (big_endian) {
                    fputc((int)(v >> 8), fp);
                    fputc((int)(v & 0xffu), fp);
                } else {
                    fputc((int)(v & 0xffu), fp);
                    fputc((int)(v >> 8), fp);
                }
            }
    return fclose(fp) == 0 ? 0 : -1;
}

static int quiet(TIFF *t, void *u, const char *m, const char *f, va_list ap)
{
    (void)t, (void)u, (void)m, (void)f, (void)ap;
    return 1;
}

int zs_write_tiff(const char *path, const int64_t n[3], const uint16_t *labels, int bits,
                  int tile, int compression, int samples, int sample_format)
{
    TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
    TIFFOpenOptionsSetErrorHandlerExtR(o, quiet, NULL);
    TIFFOpenOptionsSetWarningHandlerExtR(o, quiet, NULL);
    TIFF *t = TIFFOpenExt(path, "w", o);
    TIFFOpenOptionsFree(o);
    if (t == NULL)
        return -1;
    int bytes = bits / 8, rc = 0;
    for (int64_t z = 0; z < n[2] && rc == 0; z++) {
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)n[0]);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)n[1]);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, (uint16_t)bits);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)samples);
        TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, (uint16_t)sample_format);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC,
                     samples == 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
        TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_COMPRESSION, (uint16_t)compression);
        TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
        TIFFSetField(t, TIFFTAG_PAGENUMBER, (uint16_t)z, (uint16_t)n[2]);
        size_t px = (size_t)samples * (size_t)bytes;
        if (tile > 0) {
            TIFFSetField(t, TIFFTAG_TILEWIDTH, (uint32_t)tile);
            TIFFSetField(t, TIFFTAG_TILELENGTH, (uint32_t)tile);
            unsigned char *buf = calloc((size_t)tile * tile, px);
            for (int64_t ty = 0; ty < n[1] && rc == 0; ty += tile)
                for (int64_t tx = 0; tx < n[0] && rc == 0; tx += tile) {
                    memset(buf, 0, (size_t)tile * tile * px);
                    for (int64_t y = ty; y < ty + tile && y < n[1]; y++)
                        for (int64_t x = tx; x < tx + tile && x < n[0]; x++) {
                            uint16_t v = labels[x + n[0] * (y + n[1] * z)];
                            for (int s = 0; s < samples; s++) {
                                unsigned char *q =
                                    buf + ((size_t)((y - ty) * tile + (x - tx)) * samples + s) * bytes;
                                if (bytes == 1)
                                    q[0] = (unsigned char)v;
                                else if (bytes == 2)
                                    memcpy(q, &v, 2);
                                else {
                                    float f = (float)v;
                                    memcpy(q, &f, 4);
                                }
                            }
                        }
                    if (TIFFWriteTile(t, buf, (uint32_t)tx, (uint32_t)ty, 0, 0) < 0)
                        rc = -1;
                }
            free(buf);
        } else {
            TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, (uint32_t)2);
            unsigned char *row = calloc((size_t)n[0], px);
            for (int64_t y = 0; y < n[1] && rc == 0; y++) {
                for (int64_t x = 0; x < n[0]; x++) {
                    uint16_t v = labels[x + n[0] * (y + n[1] * z)];
                    for (int s = 0; s < samples; s++) {
                        unsigned char *q = row + ((size_t)x * samples + s) * bytes;
                        if (bytes == 1)
                            q[0] = (unsigned char)v;
                        else if (bytes == 2)
                            memcpy(q, &v, 2);
                        else {
                            float f = (float)v;
                            memcpy(q, &f, 4);
                        }
                    }
                }
                if (TIFFWriteScanline(t, row, (uint32_t)y, 0) < 0)
                    rc = -1;
            }
            free(row);
        }
        if (rc == 0 && !TIFFWriteDirectory(t))
            rc = -1;
    }
    TIFFClose(t);
    return rc;
}

int zs_write_hdf5(const char *path, const char *dataset, int rank, const int64_t n[3],
                  const uint16_t *labels, int64_t hid_file_type, int negative_first)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0)
        return -1;
    /* row-major {nz, ny, nx}: x fastest, as Ilastik exports */
    hsize_t d[3] = {(hsize_t)n[2], (hsize_t)n[1], (hsize_t)n[0]};
    hsize_t flat[2] = {(hsize_t)(n[2] * n[1]), (hsize_t)n[0]};
    hsize_t *dims = rank == 2 ? flat : d;
    int64_t nvox = n[0] * n[1] * n[2];
    int32_t *buf = malloc((size_t)nvox * sizeof *buf);
    for (int64_t i = 0; i < nvox; i++)
        buf[i] = labels[i];
    if (negative_first)
        buf[0] = -1;
    hid_t s = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(f, dataset, (hid_t)hid_file_type, s, H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT);
    int rc = ds < 0 || H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0
                 ? -1
                 : 0;
    free(buf);
    if (ds >= 0)
        H5Dclose(ds);
    H5Sclose(s);
    H5Fclose(f);
    return rc;
}
