/*
 * make-bad-volumes.c — writes the files of this catalogue (provenance; not
 * built by make).  From the repository root:
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -Itests \
 *      $(pkg-config --cflags libtiff-4 hdf5) tests/data/bad_volumes/make-bad-volumes.c \
 *      $(pkg-config --libs libtiff-4 hdf5) -o /tmp/mkbad && (cd tests/data/bad_volumes && /tmp/mkbad)
 * The base volume is 6 x 5 x 4 voxels, label (x + 2y + 3z) mod 4.
 */
#include "../../zs_volfiles.c"

#include <sys/stat.h>
#include <unistd.h>

static void cut(const char *from, const char *to, double keep)
{
    struct stat st;
    stat(from, &st);
    long n = (long)(keep * (double)st.st_size);
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    for (long k = 0; k < n; k++)
        fputc(fgetc(in), out);
    fclose(in);
    fclose(out);
}

/* a stack whose last page is narrower */
static void mixed(const char *path, const uint16_t *l)
{
    const int64_t n[3] = {6, 5, 3};
    zs_write_tiff(path, n, l, 8, 0, 1, 1, 1);
    TIFF *t = TIFFOpen(path, "a");
    unsigned char row[5] = {1, 2, 3, 0, 1};
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 5u);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, 5u);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 5u);
    for (uint32_t y = 0; y < 5; y++)
        TIFFWriteScanline(t, row, y, 0);
    TIFFWriteDirectory(t);
    TIFFClose(t);
}

int main(void)
{
    const int64_t n[3] = {6, 5, 4}, big[3] = {64, 64, 32};
    uint16_t l[120], lb[64 * 64 * 32];
    for (int z = 0; z < 4; z++)
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 6; x++)
                l[x + 6 * (y + 5 * z)] = (uint16_t)((x + 2 * y + 3 * z) % 4);
    for (int i = 0; i < 64 * 64 * 32; i++)
        lb[i] = (uint16_t)(i % 3);
    zs_write_raw("good.raw", n, l, 1, "xyz", 0, 0);
    cut("good.raw", "truncated.raw", 100.0 / 120.0);
    FILE *g = fopen("garbage.bin", "wb");
    for (int i = 0; i < 300; i++)
        fputc((73 * i + 41) % 256, g);
    fclose(g);
    zs_write_tiff("stack.tif", n, l, 8, 0, 1, 1, 1);
    zs_write_tiff("big-stack.tif", big, lb, 8, 0, 1, 1, 1);
    cut("big-stack.tif", "stack-truncated.tif", 0.5);
    remove("big-stack.tif");
    zs_write_tiff("stack-float.tif", n, l, 32, 0, 1, 1, 3);
    zs_write_tiff("stack-rgb.tif", n, l, 8, 0, 1, 3, 1);
    zs_write_tiff("stack-int16.tif", n, l, 16, 0, 1, 1, 2);
    mixed("stack-mixed.tif", l);
    zs_write_hdf5("vol.h5", "/labels", 3, n, l, H5T_STD_U8LE, 0);
    zs_write_hdf5("vol-float.h5", "/labels", 3, n, l, H5T_IEEE_F32LE, 0);
    zs_write_hdf5("vol-2d.h5", "/labels", 2, n, l, H5T_STD_U8LE, 0);
    zs_write_hdf5("vol-negative.h5", "/labels", 3, n, l, H5T_STD_I16LE, 1);
    for (int i = 0; i < 120; i++)
        l[i] = (uint16_t)(l[i] * 20000);
    zs_write_hdf5("vol-uint16.h5", "/labels", 3, n, l, H5T_STD_U16LE, 0);
    zs_write_hdf5("big.h5", "/labels", 3, big, lb, H5T_STD_U8LE, 0);
    cut("big.h5", "vol-truncated.h5", 0.5);
    remove("big.h5");
    return 0;
}
