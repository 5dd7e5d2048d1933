/*
 * test_volume.c — labelled volumes and their readers (lib/vol_*.c).
 *
 * Truths: the labels a test writes itself with tests/zs_volfiles.c (written
 * with libtiff's and libhdf5's writers and plain stdio, not with the readers'
 * code) must come back voxel for voxel from every format, layout, byte order,
 * storage (strips, tiles, compression) and crop.  Broken files come from the
 * catalogue tests/data/bad_volumes/, driven by its README table.
 */
#include "zs_test.h"
#include "zs_volfiles.h"
#include "zstr_volume.h"

#include <dirent.h>
#include <hdf5.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top_dir[64];

static void vol_setup(void)
{
    snprintf(top_dir, sizeof top_dir, "/tmp/zstr_test_vol_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top_dir));
}

static void vol_teardown(void) { zs_scratch_remove(top_dir); }

/* A label pattern that tells every axis apart (no symmetry, non-cubic grid). */
static uint16_t *pattern(const int64_t n[3], unsigned modulus)
{
    uint16_t *l = malloc((size_t)(n[0] * n[1] * n[2]) * sizeof *l);
    ck_assert_ptr_nonnull(l);
    for (int64_t z = 0; z < n[2]; z++)
        for (int64_t y = 0; y < n[1]; y++)
            for (int64_t x = 0; x < n[0]; x++)
                l[x + n[0] * (y + n[1] * z)] =
                    (uint16_t)((7 * x + 13 * y + 29 * z + x * y * z * 31) % modulus);
    return l;
}

/* The volume's labels equal the block of `want` (grid n) starting at c0. */
static void expect_block(const zstr_volume *v, const uint16_t *want, const int64_t n[3],
                         const int64_t c0[3], const int64_t vn[3], const char *what)
{
    int64_t got[3];
    double h[3];
    zstr_volume_get_grid(v, got, h);
    for (int d = 0; d < 3; d++)
        ck_assert_msg(got[d] == vn[d], "%s: dim %d is %lld, want %lld", what, d,
                      (long long)got[d], (long long)vn[d]);
    const uint16_t *l = zstr_volume_labels(v);
    for (int64_t z = 0; z < vn[2]; z++)
        for (int64_t y = 0; y < vn[1]; y++)
            for (int64_t x = 0; x < vn[0]; x++) {
                uint16_t w = want[(x + c0[0]) + n[0] * ((y + c0[1]) + n[1] * (z + c0[2]))];
                uint16_t g = l[x + vn[0] * (y + vn[1] * z)];
                ck_assert_msg(g == w, "%s: voxel (%lld,%lld,%lld) is %u, want %u", what,
                              (long long)x, (long long)y, (long long)z, g, w);
            }
}

/* Read a volume; its probe must announce the same grid and type first. */
static zstr_volume *read_ok(const char *path, const zstr_volume_read_options *o)
{
    zstr_volume *v = NULL;
    zstr_error e;
    int64_t pn[3];
    int ptype = -1;
    ZS_CK_OK(zstr_volume_probe(path, o, pn, &ptype, &e), &e);
    ZS_CK_OK(zstr_volume_read(path, o, &v, &e), &e);
    int64_t n[3];
    zstr_volume_get_grid(v, n, NULL);
    for (int d = 0; d < 3; d++)
        ck_assert_int_eq(pn[d], n[d]);
    ck_assert_int_eq(ptype, zstr_volume_type(v));
    return v;
}

START_TEST(test_raw_layouts)
{
    const int64_t n[3] = {7, 5, 3}, c0[3] = {0, 0, 0};
    static const char *axes[] = {"xyz", "zyx", "yzx"};
    for (int bytes = 1; bytes <= 2; bytes++)
        for (int a = 0; a < 3; a++)
            for (int big = 0; big <= 1; big++) {
                uint16_t *l = pattern(n, bytes == 1 ? 251 : 65521);
                char path[128];
                snprintf(path, sizeof path, "%s/v.raw", top_dir);
                long header = 17 * a;
                ck_assert_int_eq(zs_write_raw(path, n, l, bytes, axes[a], big, header), 0);
                zstr_volume_read_options o;
                zstr_volume_read_options_default(&o);
                memcpy(o.dims, n, sizeof o.dims);
                o.type = bytes == 1 ? ZSTR_VOXEL_U8 : ZSTR_VOXEL_U16;
                memcpy(o.axes, axes[a], 4);
                o.big_endian = big;
                o.header_bytes = header;
                zstr_volume *v = read_ok(path, &o);
                ck_assert_int_eq(zstr_volume_type(v), o.type);
                expect_block(v, l, n, c0, n, axes[a]);
                zstr_volume_free(v);
                free(l);
            }
}
END_TEST

/* The same labels in raw, TIFF (strips, tiles, compressed, 16-bit) and HDF5
 * (uint8, uint16, int32) read back identically, whole and cropped. */
START_TEST(test_formats_agree)
{
    const int64_t n[3] = {37, 21, 4};
    const int64_t crop[6] = {3, 17, 1, 35, 21, 3};
    const int64_t whole0[3] = {0, 0, 0}, cut0[3] = {3, 17, 1}, cutn[3] = {32, 4, 2};
    for (int bits = 8; bits <= 16; bits += 8) {
        uint16_t *l = pattern(n, bits == 8 ? 200 : 60000);
        char raw[128], tif[3][128], h5[128];
        snprintf(raw, sizeof raw, "%s/v.raw", top_dir);
        ck_assert_int_eq(zs_write_raw(raw, n, l, bits / 8, "xyz", 0, 0), 0);
        const int tiles[3] = {0, 16, 32}, comp[3] = {1, 5, 8};
        for (int k = 0; k < 3; k++) {
            snprintf(tif[k], sizeof tif[k], "%s/v%d.tif", top_dir, k);
            ck_assert_int_eq(zs_write_tiff(tif[k], n, l, bits, tiles[k], comp[k], 1, 1), 0);
        }
        snprintf(h5, sizeof h5, "%s/v.h5", top_dir);
        hid_t ft = bits == 8 ? H5T_STD_U8LE : H5T_STD_I32BE;
        ck_assert_int_eq(zs_write_hdf5(h5, "/exported_data", 3, n, l, ft, 0), 0);
        for (int cut = 0; cut <= 1; cut++) {
            zstr_volume_read_options o;
            zstr_volume_read_options_default(&o);
            if (cut)
                memcpy(o.crop, crop, sizeof o.crop);
            const int64_t *c0 = cut ? cut0 : whole0, *vn = cut ? cutn : n;
            o.format = ZSTR_VOLUME_RAW;
            memcpy(o.dims, n, sizeof o.dims);
            o.type = bits == 8 ? ZSTR_VOXEL_U8 : ZSTR_VOXEL_U16;
            zstr_volume *v = read_ok(raw, &o);
            expect_block(v, l, n, c0, vn, "raw");
            zstr_volume_free(v);
            o.format = ZSTR_VOLUME_TIFF;
            memset(o.dims, 0, sizeof o.dims);
            o.type = ZSTR_VOXEL_DEFAULT;
            for (int k = 0; k < 3; k++) {
                v = read_ok(tif[k], &o);
                ck_assert_int_eq(zstr_volume_type(v), bits == 8 ? ZSTR_VOXEL_U8 : ZSTR_VOXEL_U16);
                expect_block(v, l, n, c0, vn, tif[k]);
                zstr_volume_free(v);
            }
            o.format = ZSTR_VOLUME_HDF5;
            o.dataset = "/exported_data";
            v = read_ok(h5, &o);
            expect_block(v, l, n, c0, vn, "hdf5");
            zstr_volume_free(v);
        }
        free(l);
    }
}
END_TEST

/* HDF5 in the "zyx" reading: the dataset's fastest dimension is z. */
START_TEST(test_hdf5_axes)
{
    const int64_t n[3] = {4, 5, 6}, c0[3] = {0, 0, 0};
    uint16_t *l = pattern(n, 250);
    char h5[128], raw[128];
    snprintf(h5, sizeof h5, "%s/a.h5", top_dir);
    snprintf(raw, sizeof raw, "%s/a.raw", top_dir);
    /* written as {nz, ny, nx} of the grid {6, 5, 4} = a zyx reading of n */
    const int64_t m[3] = {6, 5, 4};
    uint16_t *t = malloc(120 * sizeof *t);
    for (int64_t z = 0; z < 6; z++)
        for (int64_t y = 0; y < 5; y++)
            for (int64_t x = 0; x < 4; x++)
                t[z + 6 * (y + 5 * x)] = l[x + 4 * (y + 5 * z)];
    ck_assert_int_eq(zs_write_hdf5(h5, "labels", 3, m, t, H5T_STD_U16LE, 0), 0);
    zstr_volume_read_options o;
    zstr_volume_read_options_default(&o);
    o.format = ZSTR_VOLUME_HDF5;
    o.dataset = "labels";
    memcpy(o.axes, "zyx", 4);
    zstr_volume *v = read_ok(h5, &o);
    expect_block(v, l, n, c0, n, "hdf5 zyx");
    zstr_volume_free(v);
    free(t);
    free(l);
}
END_TEST

/* Memory is checked before the labels are allocated. */
START_TEST(test_memory_refused_first)
{
    const int64_t n[3] = {100, 100, 100};
    const double h[3] = {1e-8, 1e-8, 2e-8};
    zstr_volume *v = (zstr_volume *)&v;
    zstr_error e;
    ck_assert_int_eq(zstr_volume_create(n, h, ZSTR_VOXEL_U8, 1e6, &v, &e), ZSTR_EMEMLIMIT);
    ck_assert_ptr_null(v);
    ck_assert_ptr_nonnull(strstr(e.message, "needs 0.002 GB"));
    /* a raw file that declares a huge grid is refused from its size first,
     * and the limit is checked before anything is read */
    char raw[128];
    snprintf(raw, sizeof raw, "%s/big.raw", top_dir);
    uint16_t *l = pattern(n, 200);
    ck_assert_int_eq(zs_write_raw(raw, n, l, 1, "xyz", 0, 0), 0);
    free(l);
    zstr_volume_read_options o;
    zstr_volume_read_options_default(&o);
    memcpy(o.dims, n, sizeof o.dims);
    o.type = ZSTR_VOXEL_U8;
    o.memory_limit = 1e6;
    ck_assert_int_eq(zstr_volume_read(raw, &o, &v, &e), ZSTR_EMEMLIMIT);
    ck_assert_ptr_null(v);
    int64_t pn[3] = {1, 1, 1};
    ck_assert_int_eq(zstr_volume_probe(raw, &o, pn, NULL, &e), ZSTR_EMEMLIMIT);
    ck_assert_int_eq(pn[0], 0);
    ZS_CK_OK(zstr_volume_create(n, h, ZSTR_VOXEL_U8, 0.0, &v, &e), &e);
    zstr_volume_labels_mut(v)[12345] = 256;
    ck_assert_int_eq(zstr_volume_check_labels(v, &e), ZSTR_ERANGE);
    ck_assert_int_eq(zstr_volume_max_label(v), 256);
    zstr_volume_free(v);
    zstr_volume_free(NULL);
}
END_TEST

START_TEST(test_bad_options)
{
    zstr_volume_read_options o;
    zstr_volume_read_options_default(&o);
    zstr_volume *v = NULL;
    zstr_error e;
    o.size = 0;
    ck_assert_int_eq(zstr_volume_read("x", &o, &v, &e), ZSTR_EINVAL);
    zstr_volume_read_options_default(&o);
    memcpy(o.axes, "xxz", 4);
    ck_assert_int_eq(zstr_volume_read("x", &o, &v, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "not a permutation"));
    zstr_volume_read_options_default(&o);
    o.format = 7;
    ck_assert_int_eq(zstr_volume_read("x", &o, &v, &e), ZSTR_EINVAL);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* The broken-input catalogue, driven by data/bad_volumes/README.md          */
/* ------------------------------------------------------------------------- */

#define MAX_BAD 64

typedef struct bad_vol {
    char file[96], options[256], frag[256];
    int format, code;
} bad_vol;

static int status_code(const char *s)
{
    static const struct {
        const char *name;
        int code;
    } t[] = {{"EINVAL", ZSTR_EINVAL}, {"EIO", ZSTR_EIO}, {"ERANGE", ZSTR_ERANGE},
             {"EMEMLIMIT", ZSTR_EMEMLIMIT}};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (strcmp(s, t[k].name) == 0)
            return t[k].code;
    ck_abort_msg("bad_volumes/README.md: unknown status %s", s);
    return 0;
}

/* Options as "key=value" words: dims=AxBxC type=uint8|uint16 axes=... header=N
 * big=1 dataset=NAME crop=a,b,c,d,e,f; "-" for none. */
static void parse_options(const char *text, zstr_volume_read_options *o, char *dataset,
                          size_t dsize)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w != NULL;
         w = strtok_r(NULL, " ", &save)) {
        long long a, b, c, d4, e5, f6;
        char s[128];
        if (strcmp(w, "-") == 0)
            continue;
        else if (sscanf(w, "dims=%lldx%lldx%lld", &a, &b, &c) == 3)
            o->dims[0] = a, o->dims[1] = b, o->dims[2] = c;
        else if (strcmp(w, "type=uint8") == 0)
            o->type = ZSTR_VOXEL_U8;
        else if (strcmp(w, "type=uint16") == 0)
            o->type = ZSTR_VOXEL_U16;
        else if (sscanf(w, "axes=%3s", s) == 1)
            memcpy(o->axes, s, 4);
        else if (sscanf(w, "header=%lld", &a) == 1)
            o->header_bytes = a;
        else if (sscanf(w, "big=%lld", &a) == 1)
            o->big_endian = (int)a;
        else if (sscanf(w, "dataset=%127s", s) == 1) {
            snprintf(dataset, dsize, "%s", s);
            o->dataset = dataset;
        } else if (sscanf(w, "crop=%lld,%lld,%lld,%lld,%lld,%lld", &a, &b, &c, &d4, &e5, &f6) ==
                   6) {
            const long long v[6] = {a, b, c, d4, e5, f6};
            for (int k = 0; k < 6; k++)
                o->crop[k] = v[k];
        } else
            ck_abort_msg("bad_volumes/README.md: unknown option %s", w);
    }
}

static int read_bad_table(bad_vol *cases, int max)
{
    FILE *fp = fopen("data/bad_volumes/README.md", "r");
    ck_assert_msg(fp != NULL, "data/bad_volumes/README.md is missing");
    char buf[1024];
    int n = 0;
    while (fgets(buf, sizeof buf, fp) != NULL) {
        if (strncmp(buf, "| `", 3) != 0)
            continue;
        ck_assert_int_lt(n, max);
        bad_vol *c = &cases[n];
        char fmt[16], status[16];
        int k = sscanf(buf, "| `%95[^`]` | %15s | `%255[^`]` | %15s | `%255[^`]` |", c->file,
                       fmt, c->options, status, c->frag);
        ck_assert_msg(k == 5, "bad_volumes/README.md: cannot read the row: %s", buf);
        c->format = strcmp(fmt, "raw") == 0    ? ZSTR_VOLUME_RAW
                    : strcmp(fmt, "tiff") == 0 ? ZSTR_VOLUME_TIFF
                    : strcmp(fmt, "hdf5") == 0 ? ZSTR_VOLUME_HDF5
                                               : -1;
        ck_assert_msg(c->format >= 0, "bad_volumes/README.md: unknown format %s", fmt);
        c->code = status_code(status);
        n++;
    }
    fclose(fp);
    return n;
}

START_TEST(test_bad_volume_catalogue)
{
    static bad_vol cases[MAX_BAD];
    int n = read_bad_table(cases, MAX_BAD);
    ck_assert_int_ge(n, 20);
    /* everything with stderr captured: the library must print nothing
     * (libtiff and libhdf5 both print by default) */
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    static int rc[MAX_BAD], null_out[MAX_BAD], prc[MAX_BAD];
    static zstr_error errs[MAX_BAD], perrs[MAX_BAD];
    for (int i = 0; i < n; i++) {
        char path[160], dataset[128] = "";
        snprintf(path, sizeof path, "data/bad_volumes/%.95s", cases[i].file);
        zstr_volume_read_options o;
        zstr_volume_read_options_default(&o);
        o.format = cases[i].format;
        parse_options(cases[i].options, &o, dataset, sizeof dataset);
        zstr_volume *v = (zstr_volume *)&o;
        rc[i] = zstr_volume_read(path, &o, &v, &errs[i]);
        null_out[i] = v == NULL;
        int64_t pn[3];
        prc[i] = zstr_volume_probe(path, &o, pn, NULL, &perrs[i]);
        if (v != NULL && v != (zstr_volume *)&o)
            zstr_volume_free(v);
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fseek(tmp, 0, SEEK_END);
    long written = ftell(tmp);
    fclose(tmp);
    ck_assert_msg(written == 0, "%ld bytes reached stderr while reading bad volumes", written);
    for (int i = 0; i < n; i++) {
        const bad_vol *c = &cases[i];
        char path[160];
        snprintf(path, sizeof path, "data/bad_volumes/%.95s", c->file);
        ck_assert_msg(rc[i] == c->code, "%s (%s): status %d, want %d: %s", c->file, c->options,
                      rc[i], c->code, errs[i].message);
        ck_assert_msg(null_out[i], "%s: *out not NULL on failure", c->file);
        ck_assert_msg(strstr(errs[i].message, c->frag) != NULL,
                      "%s (%s): message \"%s\" lacks \"%s\"", c->file, c->options,
                      errs[i].message, c->frag);
        ck_assert_msg(strcmp(errs[i].file, path) == 0, "%s: error file '%s'", c->file,
                      errs[i].file);
        /* the probe refuses the same way, unless only the voxels show the
         * problem (a value out of range, a strip or plane that cannot be read) */
        int data_only = c->code == ZSTR_ERANGE || strstr(errs[i].message, "decodes to") != NULL ||
                        strstr(errs[i].message, "cannot read plane") != NULL;
        if (prc[i] == ZSTR_OK)
            ck_assert_msg(data_only, "%s (%s): the probe passes, the read says %s", c->file,
                          c->options, errs[i].message);
        else
            ck_assert_msg(prc[i] == rc[i] && strcmp(perrs[i].message, errs[i].message) == 0,
                          "%s (%s): probe %d \"%s\", read %d \"%s\"", c->file, c->options,
                          prc[i], perrs[i].message, rc[i], errs[i].message);
    }
    /* every file in the folder is in the table (a file may have several rows) */
    DIR *d = opendir("data/bad_volumes");
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0 ||
            strcmp(de->d_name, "make-bad-volumes.c") == 0)
            continue;
        int listed = 0;
        for (int i = 0; i < n; i++)
            listed |= strcmp(cases[i].file, de->d_name) == 0;
        ck_assert_msg(listed, "data/bad_volumes/%s is not listed in README.md", de->d_name);
    }
    closedir(d);
    for (int i = 0; i < n; i++) {
        char path[160];
        struct stat st;
        snprintf(path, sizeof path, "data/bad_volumes/%.95s", cases[i].file);
        ck_assert_msg(stat(path, &st) == 0 || strstr(cases[i].frag, "cannot open") != NULL,
                      "%s is listed but missing", path);
    }
}
END_TEST

Suite *suite_volume(void)
{
    Suite *s = suite_create("volume");
    TCase *tc = tcase_create("readers");
    tcase_add_checked_fixture(tc, vol_setup, vol_teardown);
    tcase_add_test(tc, test_raw_layouts);
    tcase_add_test(tc, test_formats_agree);
    tcase_add_test(tc, test_hdf5_axes);
    tcase_add_test(tc, test_memory_refused_first);
    tcase_add_test(tc, test_bad_options);
    tcase_add_test(tc, test_bad_volume_catalogue);
    suite_add_tcase(s, tc);
    return s;
}
