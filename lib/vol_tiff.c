/*
 * vol_tiff.c — multi-page TIFF stacks through libtiff.
 *
 * Page k of the file is slice z = k; its columns are x and its rows y (row 0
 * is y = 0).  Every page must be the same: width, height, 8 or 16 bits of
 * unsigned grey, one sample per pixel.  Pages may be stored in strips or in
 * tiles and compressed in any way libtiff decodes; libtiff gives 16-bit
 * samples in host byte order.
 *
 * Bounds.  Our buffers are sized from the page's own tags as we checked them
 * (rows per strip × width × bytes, or tile width × tile height × bytes), never
 * from a size the file states elsewhere, and libtiff is told that size, so no
 * decode writes past it; a strip or tile that decodes to fewer bytes than its
 * rows need is a truncated file.  libtiff's messages go to a handler bound to
 * this one file (TIFFOpenExt, libtiff >= 4.5), which keeps the first error
 * for our message: nothing is printed and no process-wide handler changes.
 */
#include "zs_volume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

/* libtiff's messages for one file: the first error is kept. */
typedef struct tiff_log {
    char first[256];
} tiff_log;

static int on_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    tiff_log *log = user;
    if (log->first[0] == '\0') {
        char text[200];
        vsnprintf(text, sizeof text, fmt, ap);
        snprintf(log->first, sizeof log->first, "%s%s%s", module ? module : "",
                 module ? ": " : "", text);
    }
    return 1; /* handled: libtiff prints nothing */
}

static int on_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif, (void)user, (void)module, (void)fmt, (void)ap;
    return 1; /* unknown tags and the like are no reason to refuse a stack */
}

/* The layout of one page. */
typedef struct page {
    uint32_t width, height;
    uint16_t bits;
    int tiled;
    uint32_t tw, th, rps; /* tile size, or rows per strip */
} page;

static int read_page_tags(TIFF *tif, const char *path, tdir_t k, page *pg, zstr_error *err)
{
    uint16_t spp = 1, fmt = SAMPLEFORMAT_UINT, photo = PHOTOMETRIC_MINISBLACK;
    memset(pg, 0, sizeof *pg);
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &pg->width) ||
        !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &pg->height) || pg->width == 0 ||
        pg->height == 0)
        return zs_file_error(err, ZSTR_EINVAL, path, "page %u has no image size", (unsigned)k);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &pg->bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &fmt);
    TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo);
    if (spp != 1)
        return zs_file_error(err, ZSTR_EINVAL, path,
                             "page %u has %u samples per pixel, expected 1 (grey labels)",
                             (unsigned)k, (unsigned)spp);
    if (pg->bits != 8 && pg->bits != 16)
        return zs_file_error(err, ZSTR_EINVAL, path,
                             "page %u has %u bits per sample, expected 8 or 16", (unsigned)k,
                             (unsigned)pg->bits);
    if (fmt != SAMPLEFORMAT_UINT)
        return zs_file_error(err, ZSTR_EINVAL, path,
                             "page %u has sample format %u, expected unsigned integers (1)",
                             (unsigned)k, (unsigned)fmt);
    if (photo != PHOTOMETRIC_MINISBLACK && photo != PHOTOMETRIC_MINISWHITE)
        return zs_file_error(err, ZSTR_EINVAL, path,
                             "page %u has photometric interpretation %u, expected grey (0 or 1)",
                             (unsigned)k, (unsigned)photo);
    pg->tiled = TIFFIsTiled(tif);
    if (pg->tiled) {
        if (!TIFFGetField(tif, TIFFTAG_TILEWIDTH, &pg->tw) ||
            !TIFFGetField(tif, TIFFTAG_TILELENGTH, &pg->th) || pg->tw == 0 || pg->th == 0 ||
            (double)pg->tw * pg->th > 268435456.0)
            return zs_file_error(err, ZSTR_EINVAL, path, "page %u has a bad tile size",
                                 (unsigned)k);
    } else {
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &pg->rps);
        if (pg->rps == 0 || pg->rps > pg->height)
            pg->rps = pg->height;
    }
    return ZSTR_OK;
}

/* Copy rows [y0, y0 + rows) × columns [x0, x0 + cols) of a decoded block
 * (pitch pixels per row) into slice z of v, clipped to the crop. */
static void copy_block(zstr_volume *v, const unsigned char *buf, int bytes, uint32_t pitch,
                       int64_t x0, int64_t y0, int64_t cols, int64_t rows, const int64_t c0[3],
                       int64_t z)
{
    for (int64_t r = 0; r < rows; r++) {
        int64_t y = y0 + r - c0[1];
        if (y < 0 || y >= v->n[1])
            continue;
        for (int64_t c = 0; c < cols; c++) {
            int64_t x = x0 + c - c0[0];
            if (x < 0 || x >= v->n[0])
                continue;
            size_t at = (size_t)(r * pitch + c);
            uint16_t value;
            if (bytes == 1)
                value = buf[at];
            else
                memcpy(&value, buf + 2 * at, 2);
            v->labels[x + v->n[0] * (y + v->n[1] * (z - c0[2]))] = value;
        }
    }
}

static int read_page_data(TIFF *tif, const char *path, tdir_t k, const page *pg,
                          zstr_volume *v, const int64_t c0[3], const tiff_log *log,
                          zstr_error *err)
{
    int bytes = pg->bits / 8;
    uint32_t bw = pg->tiled ? pg->tw : pg->width, bh = pg->tiled ? pg->th : pg->rps;
    tmsize_t size = (tmsize_t)bw * bh * bytes;
    unsigned char *buf = malloc((size_t)size);
    if (buf == NULL)
        return zs_file_error(err, ZSTR_ENOMEM, path, "out of memory for a block of %lld bytes",
                             (long long)size);
    int rc = ZSTR_OK;
    for (uint32_t y = 0; rc == ZSTR_OK && y < pg->height; y += bh) {
        uint32_t rows = pg->height - y < bh ? pg->height - y : bh;
        if (y + rows <= c0[1] || y >= c0[1] + v->n[1])
            continue;
        for (uint32_t x = 0; rc == ZSTR_OK && x < pg->width; x += bw) {
            uint32_t cols = pg->width - x < bw ? pg->width - x : bw;
            tmsize_t got, want;
            if (pg->tiled) {
                want = size; /* a tile always decodes whole, padding included */
                got = TIFFReadEncodedTile(tif, TIFFComputeTile(tif, x, y, 0, 0), buf, size);
            } else {
                want = (tmsize_t)rows * pg->width * bytes;
                got = TIFFReadEncodedStrip(tif, TIFFComputeStrip(tif, y, 0), buf, want);
            }
            if (got < want)
                rc = zs_file_error(err, ZSTR_EINVAL, path,
                                   "page %u: the %s at row %u decodes to %lld bytes, expected "
                                   "%lld (truncated or corrupt%s%s)",
                                   (unsigned)k, pg->tiled ? "tile" : "strip", (unsigned)y,
                                   (long long)(got < 0 ? 0 : got), (long long)want,
                                   log->first[0] ? ": " : "", log->first);
            else
                copy_block(v, buf, bytes, bw, x, y, cols, rows, c0, k);
        }
    }
    free(buf);
    return rc;
}

/* Check the first page against the options, count the pages, make the volume. */
static int open_stack(TIFF *tif, const char *path, const zstr_volume_read_options *o,
                      const tiff_log *log, page *first, int64_t c0[3], zs_probe *probe,
                      zstr_volume **v, zstr_error *err)
{
    int rc = read_page_tags(tif, path, 0, first, err);
    if (rc != ZSTR_OK)
        return rc;
    /* a page chain that breaks off (a truncated file) stops the count with an
     * error: refuse it rather than read a shorter stack */
    tdir_t pages = TIFFNumberOfDirectories(tif);
    if (log->first[0] != '\0')
        return zs_file_error(err, ZSTR_EINVAL, path,
                             "the chain of pages is broken after page %u (truncated?): %s",
                             (unsigned)pages, log->first);
    int64_t fn[3] = {first->width, first->height, pages}, n[3];
    int type = first->bits == 8 ? ZSTR_VOXEL_U8 : ZSTR_VOXEL_U16;
    if (o->type != ZSTR_VOXEL_DEFAULT && o->type != type)
        return zs_file_error(err, ZSTR_EINVAL, path, "the stack is %s, expected %s",
                             type == ZSTR_VOXEL_U8 ? "uint8" : "uint16",
                             o->type == ZSTR_VOXEL_U8 ? "uint8" : "uint16");
    for (int d = 0; d < 3; d++)
        if (o->dims[d] != 0 && o->dims[d] != fn[d])
            return zs_file_error(err, ZSTR_EINVAL, path,
                                 "the stack is %lld x %lld x %lld (width x height x pages), "
                                 "expected %lld x %lld x %lld",
                                 (long long)fn[0], (long long)fn[1], (long long)fn[2],
                                 (long long)o->dims[0], (long long)o->dims[1],
                                 (long long)o->dims[2]);
    rc = zs_volume_crop(path, fn, o, c0, n, err);
    if (rc != ZSTR_OK)
        return rc;
    double h[3];
    zs_volume_edges(o, h);
    if (probe != NULL) {
        memcpy(probe->n, n, sizeof probe->n);
        probe->type = type;
    }
    return zs_volume_alloc(n, h, type, o->memory_limit, path, probe != NULL ? NULL : v, err);
}

int zs_volume_read_tiff(const char *path, const zstr_volume_read_options *o, zs_probe *probe,
                        zstr_volume **out, zstr_error *err)
{
    tiff_log log = {{0}};
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (opts == NULL)
        return zs_file_error(err, ZSTR_ENOMEM, path, "out of memory");
    TIFFOpenOptionsSetErrorHandlerExtR(opts, on_error, &log);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, on_warning, &log);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        TIFFOpenOptionsFree(opts);
        return zs_file_error(err, ZSTR_EIO, path, "cannot open");
    }
    fclose(fp);
    TIFF *tif = TIFFOpenExt(path, "r", opts);
    TIFFOpenOptionsFree(opts);
    if (tif == NULL)
        return zs_file_error(err, ZSTR_EINVAL, path, "not a readable TIFF file%s%s",
                             log.first[0] ? ": " : "", log.first);
    page first;
    int64_t c0[3];
    zstr_volume *v = NULL;
    int rc = open_stack(tif, path, o, &log, &first, c0, probe, &v, err);
    /* a probe checks every page's directory too, without decoding a strip */
    int64_t zend = rc != ZSTR_OK ? 0 : c0[2] + (probe != NULL ? probe->n[2] : v->n[2]);
    for (int64_t z = c0[2]; rc == ZSTR_OK && z < zend; z++) {
        page pg;
        if (!TIFFSetDirectory(tif, (tdir_t)z)) {
            rc = zs_file_error(err, ZSTR_EINVAL, path, "cannot read page %lld%s%s",
                               (long long)z, log.first[0] ? ": " : "", log.first);
            break;
        }
        rc = read_page_tags(tif, path, (tdir_t)z, &pg, err);
        if (rc == ZSTR_OK && (pg.width != first.width || pg.height != first.height ||
                              pg.bits != first.bits))
            rc = zs_file_error(err, ZSTR_EINVAL, path,
                               "page %lld is %u x %u at %u bits, expected %u x %u at %u bits "
                               "as page 0",
                               (long long)z, (unsigned)pg.width, (unsigned)pg.height,
                               (unsigned)pg.bits, (unsigned)first.width,
                               (unsigned)first.height, (unsigned)first.bits);
        if (rc == ZSTR_OK && probe == NULL)
            rc = read_page_data(tif, path, (tdir_t)z, &pg, v, c0, &log, err);
    }
    TIFFClose(tif);
    if (rc != ZSTR_OK || probe != NULL) {
        zstr_volume_free(v);
        return rc;
    }
    *out = v;
    return ZSTR_OK;
}
