/*
 * test_modelfile.c — XML model files (cli/modelfile.c).
 *
 * Good models (tests/data/models/) must load and build into exactly the model
 * they describe: grid, phases in SI (0.46 mS/cm = 0.046 S/m), temperature,
 * grains, interface maps (realised contact fraction by the generators' rounding
 * rules, image pixels by the documented orientation), frequency count.
 * Broken models (tests/data/bad/) are driven by the table in
 * tests/data/bad/README.md: status, line and a message fragment per file, and
 * the folder and the table must list the same files.  zm_set() is checked for
 * success, created attributes, ambiguity, no match, bad values (the document
 * must be unchanged afterwards) and bad paths.  Nothing may reach stderr:
 * fd 2 is redirected to a temporary file while files are loaded.
 * Tests run with cwd = tests/, so data paths are data/...
 */
#include "zs_test.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modelfile.h"

#include <png.h>

/* ------------------------------------------------------------------------- */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------- */

/* Load and build; the caller frees model and freqs. */
static zm_file *load_ok(const char *path)
{
    zstr_error e;
    memset(&e, 0, sizeof e);
    zm_file *f = NULL;
    ZS_CK_OK(zm_load(path, &f, &e), &e);
    ck_assert_ptr_nonnull(f);
    return f;
}

static zstr_model *build_ok(const zm_file *f, double **freqs, int64_t *nf)
{
    zstr_error e;
    memset(&e, 0, sizeof e);
    zstr_model *m = NULL;
    ZS_CK_OK(zm_build(f, &m, freqs, nf, &e), &e);
    ck_assert_ptr_nonnull(m);
    return m;
}

static void check_grid(const zstr_model *m, int64_t nx, int64_t ny, int64_t nz, double hx,
                       double hy, double hz)
{
    int64_t n[3];
    double h[3];
    zstr_model_get_grid(m, n, h);
    ck_assert_int_eq(n[0], nx);
    ck_assert_int_eq(n[1], ny);
    ck_assert_int_eq(n[2], nz);
    /* size / voxels in double: a few ulps from the decimal value */
    ck_assert_double_le(zs_test_rel(h[0], hx), 1e-14);
    ck_assert_double_le(zs_test_rel(h[1], hy), 1e-14);
    ck_assert_double_le(zs_test_rel(h[2], hz), 1e-14);
}

static void check_phase(const zstr_model *m, int id, const char *name, double sigma, double eps,
                        double ea, double tref)
{
    zstr_phase_params p;
    zstr_error e;
    ZS_CK_OK(zstr_model_get_phase(m, id, &p, &e), &e);
    ck_assert_str_eq(p.name, name);
    /* unit conversions are one multiplication: 1e-14 relative */
    ck_assert_double_le(zs_test_rel(p.conductivity, sigma), 1e-14);
    ck_assert_double_le(zs_test_rel(p.permittivity, eps), 1e-14);
    ck_assert_double_le(zs_test_rel(p.activation_energy, ea), 1e-4);
    ck_assert_double_le(zs_test_rel(p.reference_temperature, tref), 1e-14);
}

static int64_t count_pixels(const uint8_t *px, int64_t n, int type)
{
    int64_t c = 0;
    for (int64_t i = 0; i < n; i++)
        c += px[i] == type;
    return c;
}

/* Side of the square spot of imap.c's rule for a square map: round(sqrt(a·n²)). */
static double square_fraction(int64_t n, double a)
{
    double s = round(sqrt(a * (double)n * (double)n));
    return s * s / ((double)n * (double)n);
}

/* ------------------------------------------------------------------------- */
/* Good models                                                               */
/* ------------------------------------------------------------------------- */

START_TEST(test_example)
{
    zm_file *f = load_ok("data/models/example.xml");
    ck_assert_str_eq(zm_name(f), "data/models/example.xml");
    double *fr = NULL;
    int64_t nf = 0;
    zstr_model *m = build_ok(f, &fr, &nf);
    check_grid(m, 40, 40, 40, 2.5e-6, 2.5e-6, 2.5e-6);
    ck_assert_int_eq(zstr_model_phase_count(m), 2);
    check_phase(m, 0, "bulk", 0.046, 150.0, 0.34, 298.15);
    check_phase(m, 1, "gb", 5.97e-4, 150.0, 0.43, 298.15);
    ck_assert_double_eq(zstr_model_get_temperature(m), 298.15);
    ck_assert_ptr_nonnull(zstr_model_grain_ids(m));
    int gbp = -1;
    double gbt = 0.0;
    ZS_CK_OK(zstr_model_get_grain_boundary(m, &gbp, &gbt), (zstr_error *)NULL);
    ck_assert_int_eq(gbp, 1);
    ck_assert_double_le(zs_test_rel(gbt, 10e-9), 1e-14);
    /* 22 % square on 40 × 40: 19 × 19 pixels */
    ck_assert_double_eq(zstr_model_contact_fraction(m, ZSTR_WE), square_fraction(40, 0.22));
    ck_assert_double_eq(zstr_model_contact_fraction(m, ZSTR_WE), 361.0 / 1600.0);
    const uint8_t *px = zstr_model_interface_pixels(m, ZSTR_WE);
    ck_assert_ptr_nonnull(px);
    ck_assert_int_eq(count_pixels(px, 1600, ZSTR_PIXEL_PORE), 1600 - 361);
    ck_assert_ptr_null(zstr_model_interface_pixels(m, ZSTR_CE));
    /* 1 mHz .. 10 MHz, 10 per decade */
    ck_assert_int_eq(nf, 101);
    ck_assert_double_le(zs_test_rel(fr[0], 1e-3), 1e-12);
    ck_assert_double_le(zs_test_rel(fr[100], 1e7), 1e-12);
    free(fr);
    zstr_model_free(m);
    zm_free(f);
}
END_TEST

START_TEST(test_ce_interface)
{
    zm_file *f = load_ok("data/models/ce-interface.xml");
    double *fr = NULL;
    int64_t nf = 0;
    zstr_model *m = build_ok(f, &fr, &nf);
    check_grid(m, 12, 12, 12, 5e-6, 5e-6, 5e-6);
    ck_assert_double_le(zs_test_rel(zstr_model_get_temperature(m), 253.15), 1e-14);
    ck_assert_int_eq(zstr_model_phase_count(m), 1);
    ck_assert_ptr_null(zstr_model_grain_ids(m));
    /* WE: frame with SEI inside; CE: full contact with finite R_pol */
    const uint8_t *we = zstr_model_interface_pixels(m, ZSTR_WE);
    ck_assert_ptr_nonnull(we);
    int64_t contact = count_pixels(we, 144, ZSTR_PIXEL_CONTACT);
    ck_assert_int_eq(contact + count_pixels(we, 144, ZSTR_PIXEL_SEI), 144);
    ck_assert_int_eq(we[0], ZSTR_PIXEL_CONTACT);      /* corner: frame */
    ck_assert_int_eq(we[6 + 12 * 6], ZSTR_PIXEL_SEI); /* centre: hole */
    ck_assert_double_le(fabs(zstr_model_contact_fraction(m, ZSTR_WE) - 0.5), 12.0 / 144.0);
    ck_assert_double_eq(zstr_model_contact_fraction(m, ZSTR_CE), 1.0);
    /* explicit list, DC first */
    ck_assert_int_eq(nf, 8);
    ck_assert_double_eq(fr[0], 0.0);
    ck_assert_double_eq(fr[1], 1.0);
    ck_assert_double_eq(fr[7], 1e6);
    free(fr);
    zstr_model_free(m);
    zm_free(f);
}
END_TEST

START_TEST(test_random_map)
{
    zm_file *f = load_ok("data/models/random-map.xml");
    double *fr = NULL;
    int64_t nf = 0;
    zstr_model *m = build_ok(f, &fr, &nf);
    check_grid(m, 32, 32, 8, 2.5e-6, 2.5e-6, 10e-6);
    check_phase(m, 0, "llzo", 0.046, 150.0, 0.0, 298.15);
    const uint8_t *px = zstr_model_interface_pixels(m, ZSTR_WE);
    ck_assert_ptr_nonnull(px);
    /* round(0.3 · 1024) = 307 contact pixels, every other one a free surface */
    ck_assert_int_eq(count_pixels(px, 1024, ZSTR_PIXEL_CONTACT), 307);
    ck_assert_int_eq(count_pixels(px, 1024, ZSTR_PIXEL_NONE), 1024 - 307);
    /* same seed, same map: the file is reproducible */
    uint8_t ref[1024];
    double realised = 0.0;
    ZS_CK_OK(zstr_map_random(32, 32, 2.5e-6, 2.5e-6, 0.3, 5e-6, 42, ZSTR_PIXEL_NONE, ref, &realised,
                             NULL),
             (zstr_error *)NULL);
    ck_assert_int_eq(memcmp(ref, px, sizeof ref), 0);
    ck_assert_int_eq(nf, 31); /* 1 Hz .. 1 MHz, 5 per decade */
    free(fr);
    zstr_model_free(m);
    zm_free(f);
}
END_TEST

START_TEST(test_three_value_cell)
{
    zm_file *f = load_ok("data/models/three-value-cell.xml");
    double *fr = NULL;
    int64_t nf = 0;
    zstr_model *m = build_ok(f, &fr, &nf);
    check_grid(m, 8, 4, 5, 5e-6, 5e-6, 2e-6);
    ck_assert_double_le(zs_test_rel(zstr_model_get_temperature(m), 298.15), 1e-14);
    ck_assert_int_eq(zstr_model_phase_count(m), 3);
    check_phase(m, 0, "matrix", 0.1, 100.0, 0.0, 298.15);
    /* 32.8 kJ/mol = 0.33995 eV (F = 96.485 kJ/(mol·eV)); 1e-4 covers the constant */
    check_phase(m, 1, "grain", 0.046, 150.0, 32.8 / 96.485332, 300.0);
    check_phase(m, 2, "gb", 5.97e-4, 150.0, 0.43, 298.15);
    /* grain interiors are phase "grain": every label is 1 */
    const int32_t *lab = zstr_model_labels(m);
    for (int i = 0; i < 8 * 4 * 5; i++)
        ck_assert_int_eq(lab[i], 1);
    int gbp = -1;
    ZS_CK_OK(zstr_model_get_grain_boundary(m, &gbp, NULL), (zstr_error *)NULL);
    ck_assert_int_eq(gbp, 2);
    /* pores by default; the map generator decides the spot */
    uint8_t ref[32];
    ZS_CK_OK(zstr_map_square(8, 4, 5e-6, 5e-6, 0.25, ZSTR_PIXEL_PORE, ref, NULL, NULL),
             (zstr_error *)NULL);
    ck_assert_int_eq(memcmp(ref, zstr_model_interface_pixels(m, ZSTR_WE), sizeof ref), 0);
    ck_assert_int_eq(nf, 10);
    free(fr);
    zstr_model_free(m);
    zm_free(f);
}
END_TEST

/* The three image files hold the same map: rows 0-1 (top), columns 0-3 contact,
 * the bottom row free surface, the rest pores.  Top row = y 5. */
START_TEST(test_image_maps)
{
    static const char *const files[] = {"data/models/image-pgm.xml", "data/models/image-p5.xml",
                                        "data/models/image-png.xml"};
    const char *path = files[_i];
    zm_file *f = load_ok(path);
    double *fr = NULL;
    int64_t nf = 0;
    zstr_model *m = build_ok(f, &fr, &nf);
    check_grid(m, 8, 6, 4, 10e-6, 10e-6, 10e-6);
    const uint8_t *px = zstr_model_interface_pixels(m, ZSTR_WE);
    ck_assert_ptr_nonnull(px);
    for (int y = 0; y < 6; y++) {
        for (int x = 0; x < 8; x++) {
            int want = y == 0              ? ZSTR_PIXEL_NONE
                       : (y >= 4 && x < 4) ? ZSTR_PIXEL_CONTACT
                                           : ZSTR_PIXEL_PORE;
            ck_assert_msg(px[x + 8 * y] == want, "%s: pixel (%d, %d) is %d, want %d", path, x, y,
                          px[x + 8 * y], want);
        }
    }
    ck_assert_double_eq(zstr_model_contact_fraction(m, ZSTR_WE), 8.0 / 48.0);
    ck_assert_int_eq(nf, 13);
    free(fr);
    zstr_model_free(m);
    zm_free(f);
}
END_TEST

/* PNG maps are read as their stored samples: write the map of test_image_maps
 * (0 = none, 128 = pore, 255 = contact) in layouts libpng's simplified API
 * would have converted — a gAMA of 1.0 (128 became 186), grey + alpha, 16-bit
 * grey and a palette indexed 0/128/255 — and check the pixels. */
static void write_png(const char *path, int variant)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    ck_assert(png != NULL && info != NULL);
    int type = variant == 1 ? PNG_COLOR_TYPE_GRAY_ALPHA
                            : variant == 3 ? PNG_COLOR_TYPE_PALETTE : PNG_COLOR_TYPE_GRAY;
    int depth = variant == 2 ? 16 : 8;
    png_init_io(png, fp);
    png_set_IHDR(png, info, 8, 6, depth, type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (variant == 0)
        png_set_gAMA(png, info, 1.0);
    png_color pal[256];
    for (int k = 0; k < 256; k++)
        pal[k] = (png_color){(png_byte)(255 - k), (png_byte)k, 7}; /* not grey: index counts */
    if (variant == 3)
        png_set_PLTE(png, info, pal, 256);
    png_write_info(png, info);
    unsigned char row[8 * 4];
    for (int r = 0; r < 6; r++) {
        int y = 5 - r;
        for (int x = 0; x < 8; x++) {
            unsigned v = y == 0 ? 0 : (y >= 4 && x < 4) ? 255 : 128;
            if (variant == 1) {
                row[2 * x] = (unsigned char)v;
                row[2 * x + 1] = (unsigned char)(x * 30); /* alpha varies */
            } else if (variant == 2) {
                row[2 * x] = (unsigned char)(v >> 8);
                row[2 * x + 1] = (unsigned char)(v & 0xff);
            } else {
                row[x] = (unsigned char)v;
            }
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(fp);
}

START_TEST(test_png_stored_samples)
{
    char dir[512], png_path[600], xml[600];
    zs_scratch_new("/tmp", dir, sizeof dir);
    snprintf(png_path, sizeof png_path, "%s/contact.png", dir);
    snprintf(xml, sizeof xml, "%s/map.xml", dir);
    write_png(png_path, _i);
    char *doc = zs_read_file("data/models/image-png.xml");
    ck_assert_ptr_nonnull(doc);
    FILE *fp = fopen(xml, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(doc, fp);
    fclose(fp);
    free(doc);
    zm_file *f = load_ok(xml);
    zstr_model *m = build_ok(f, NULL, NULL);
    const uint8_t *px = zstr_model_interface_pixels(m, ZSTR_WE);
    for (int y = 0; y < 6; y++)
        for (int x = 0; x < 8; x++) {
            int want = y == 0 ? ZSTR_PIXEL_NONE
                              : (y >= 4 && x < 4) ? ZSTR_PIXEL_CONTACT : ZSTR_PIXEL_PORE;
            ck_assert_msg(px[x + 8 * y] == want, "variant %d: pixel (%d, %d) is %d, want %d", _i,
                          x, y, px[x + 8 * y], want);
        }
    zstr_model_free(m);
    zm_free(f);
    zs_scratch_remove(dir);
}
END_TEST

START_TEST(test_default_model)
{
    ck_assert_ptr_nonnull(strstr(zm_default_xml(), "<zstr version=\"1\">"));
    zm_file *f = load_ok(NULL);
    ck_assert_str_eq(zm_name(f), "<default>");
    double *fr = NULL;
    int64_t nf = 0;
    zstr_model *m = build_ok(f, &fr, &nf);
    check_grid(m, 24, 24, 24, 100e-6 / 24, 100e-6 / 24, 100e-6 / 24);
    check_phase(m, 0, "bulk", 0.046, 150.0, 0.34, 298.15);
    check_phase(m, 1, "gb", 5.97e-4, 150.0, 0.43, 298.15);
    ck_assert_ptr_nonnull(zstr_model_grain_ids(m));
    ck_assert_double_eq(zstr_model_contact_fraction(m, ZSTR_WE), square_fraction(24, 0.22));
    ck_assert_int_eq(nf, 81); /* 1 mHz .. 10 MHz, 8 per decade */
    /* the τ_Cstr < τ_CT case: C_DL = 1.77 F/cm², C_pore = 885 µF/cm², R_pol = 0.5 Ω·cm² */
    zstr_plan *plan = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &plan, &e), &e);
    zstr_plan_info info;
    zstr_plan_info_init(&info);
    ZS_CK_OK(zstr_plan_get_info(plan, &info), (zstr_error *)NULL);
    ck_assert_int_eq(info.n_voxels, 24 * 24 * 24);
    ck_assert_int_eq(info.open_circuit, 0);
    zstr_plan_free(plan);
    free(fr);
    zstr_model_free(m);
    zm_free(f);
}
END_TEST

START_TEST(test_load_memory_and_args)
{
    zstr_error e;
    memset(&e, 0, sizeof e);
    /* A memory document named after a file finds its images next to that name. */
    FILE *fp = fopen("data/models/image-pgm.xml", "rb");
    ck_assert_ptr_nonnull(fp);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    zm_file *f = NULL;
    ZS_CK_OK(zm_load_memory(buf, n, "data/models/copy.xml", &f, &e), &e);
    ck_assert_str_eq(zm_name(f), "data/models/copy.xml");
    zm_free(f);
    /* ...and without a folder, against the cwd (tests/), where it is missing. */
    ck_assert_int_eq(zm_load_memory(buf, n, NULL, &f, &e), ZSTR_EIO);
    ck_assert_ptr_null(f);
    ck_assert_ptr_nonnull(strstr(e.message, "<memory>:"));
    /* Files that cannot be read. */
    ck_assert_int_eq(zm_load("data/models/no-such-model.xml", &f, &e), ZSTR_EIO);
    ck_assert_int_eq(e.code, ZSTR_EIO);
    ck_assert_int_eq(e.line, 0);
    ck_assert_str_eq(e.file, "data/models/no-such-model.xml");
    ck_assert_ptr_nonnull(strstr(e.message, "cannot open"));
    ck_assert_int_eq(zm_load("data/models", &f, &e), ZSTR_EIO);
    ck_assert_ptr_null(f);
    /* Arguments, NULL error records, NULL outputs. */
    ck_assert_int_eq(zm_load(NULL, NULL, &e), ZSTR_EINVAL);
    ck_assert_int_eq(zm_load("data/bad/empty.xml", &f, NULL), ZSTR_EINVAL);
    ck_assert_int_eq(zm_build(NULL, NULL, NULL, NULL, NULL), ZSTR_EINVAL);
    zm_free(NULL);
    f = load_ok("data/models/example.xml");
    double *fr = NULL;
    int64_t nf = 0;
    ZS_CK_OK(zm_build(f, NULL, &fr, &nf, &e), &e);
    ck_assert_int_eq(nf, 101);
    free(fr);
    zstr_model *m = NULL;
    ZS_CK_OK(zm_build(f, &m, NULL, NULL, NULL), (zstr_error *)NULL);
    zstr_model_free(m);
    zm_free(f);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* The broken-input catalogue, driven by data/bad/README.md                   */
/* ------------------------------------------------------------------------- */

#define MAX_CASES 200

typedef struct bad_case {
    char file[96];
    int code;
    long line;
    char frag[256];
} bad_case;

static int read_cases(bad_case *cases, int max)
{
    FILE *fp = fopen("data/bad/README.md", "r");
    ck_assert_msg(fp != NULL, "data/bad/README.md is missing");
    char buf[1024];
    int n = 0;
    while (fgets(buf, sizeof buf, fp) != NULL) {
        if (strncmp(buf, "| `", 3) != 0)
            continue;
        ck_assert_int_lt(n, max);
        bad_case *c = &cases[n];
        char status[16];
        int k = sscanf(buf, "| `%95[^`]` | %15s | %ld | `%255[^`]` |", c->file, status, &c->line,
                       c->frag);
        ck_assert_msg(k == 4, "README.md: cannot read the row: %s", buf);
        if (strcmp(status, "EINVAL") == 0)
            c->code = ZSTR_EINVAL;
        else if (strcmp(status, "EIO") == 0)
            c->code = ZSTR_EIO;
        else
            ck_abort_msg("README.md: unknown status %s", status);
        n++;
    }
    fclose(fp);
    return n;
}

typedef struct bad_result {
    int rc, null_out;
    zstr_error e;
} bad_result;

/* fd 2 to a temporary file; returns the saved descriptor. */
static int stderr_capture(FILE **tmp)
{
    fflush(stderr);
    *tmp = tmpfile();
    ck_assert_ptr_nonnull(*tmp);
    int saved = dup(2);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fileno(*tmp), 2), 0);
    return saved;
}

/* Restore fd 2; returns the number of bytes written meanwhile. */
static long stderr_restore(FILE *tmp, int saved)
{
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fseek(tmp, 0, SEEK_END);
    long n = ftell(tmp);
    fclose(tmp);
    return n;
}

START_TEST(test_bad_catalogue)
{
    static bad_case cases[MAX_CASES];
    static bad_result res[MAX_CASES];
    int n = read_cases(cases, MAX_CASES);
    ck_assert_int_ge(n, 35);

    /* Load everything with stderr captured, then check (so a failing check
     * cannot leave fd 2 redirected). */
    FILE *tmp = NULL;
    int saved = stderr_capture(&tmp);
    for (int i = 0; i < n; i++) {
        char path[160];
        snprintf(path, sizeof path, "data/bad/%.95s", cases[i].file);
        zm_file *sentinel = (zm_file *)&res[i]; /* any non-NULL value: must be reset */
        zm_file *f = sentinel;
        memset(&res[i].e, 0, sizeof res[i].e);
        res[i].rc = zm_load(path, &f, &res[i].e);
        res[i].null_out = f == NULL;
        if (f != sentinel)
            zm_free(f);
    }
    long written = stderr_restore(tmp, saved);
    ck_assert_msg(written == 0, "%ld bytes reached stderr while loading bad files", written);

    for (int i = 0; i < n; i++) {
        const bad_case *c = &cases[i];
        const zstr_error *e = &res[i].e;
        char path[160];
        snprintf(path, sizeof path, "data/bad/%.95s", c->file);
        ck_assert_msg(res[i].rc == c->code && e->code == c->code,
                      "%s: status %d (record %d), want %d: %s", c->file, res[i].rc, e->code,
                      c->code, e->message);
        ck_assert_msg(res[i].null_out, "%s: *out not NULL on failure", c->file);
        ck_assert_msg(e->line == c->line, "%s: line %ld, want %ld: %s", c->file, e->line, c->line,
                      e->message);
        ck_assert_msg(strstr(e->message, c->frag) != NULL, "%s: message \"%s\" lacks \"%s\"",
                      c->file, e->message, c->frag);
        ck_assert_msg(strcmp(e->file, path) == 0, "%s: error file '%s'", c->file, e->file);
        /* one line, starting with FILE:LINE: (or FILE: without a line) */
        ck_assert_msg(strchr(e->message, '\n') == NULL, "%s: multi-line message", c->file);
        char head[200];
        if (c->line > 0)
            snprintf(head, sizeof head, "%.160s:%ld: ", path, c->line);
        else
            snprintf(head, sizeof head, "%.160s: ", path);
        ck_assert_msg(strncmp(e->message, head, strlen(head)) == 0, "%s: message \"%s\"", c->file,
                      e->message);
    }

    /* Every file in the folder is in the table, and every row has a file. */
    DIR *d = opendir("data/bad");
    ck_assert_ptr_nonnull(d);
    int files = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char path[300];
        struct stat st;
        snprintf(path, sizeof path, "data/bad/%s", de->d_name);
        if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0 || stat(path, &st) != 0 ||
            S_ISDIR(st.st_mode))
            continue;
        int listed = 0;
        for (int i = 0; i < n; i++)
            listed |= strcmp(cases[i].file, de->d_name) == 0;
        ck_assert_msg(listed, "data/bad/%s is not listed in README.md", de->d_name);
        files++;
    }
    closedir(d);
    ck_assert_int_eq(files, n);
}
END_TEST

/* The same documents from memory: no file, same messages, no stderr. */
START_TEST(test_bad_memory)
{
    static const char *const docs[] = {
        "<!DOCTYPE zstr [<!ENTITY a \"x\">]><zstr version=\"1\"/>",
        "<zstr version=\"1\"><cell size=\"1 mm\" voxels=\"4\"/></zstr>",
        "<?xml version=\"1.0\"?><zstr version=\"1\"",
        "\xef\xbb\xbf<!-- c --><!DOCTYPE zstr SYSTEM \"/etc/passwd\"><zstr version=\"1\"/>",
    };
    static const char *const frags[] = {"DOCTYPE", "Missing child", "not well-formed", "DOCTYPE"};
    zstr_error e[4];
    int rc[4];
    FILE *tmp = NULL;
    int saved = stderr_capture(&tmp);
    for (int i = 0; i < 4; i++) {
        zm_file *f = NULL;
        memset(&e[i], 0, sizeof e[i]);
        rc[i] = zm_load_memory(docs[i], strlen(docs[i]), "mem.xml", &f, &e[i]);
        zm_free(f);
    }
    long written = stderr_restore(tmp, saved);
    ck_assert_int_eq(written, 0);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(rc[i], ZSTR_EINVAL);
        ck_assert_msg(strstr(e[i].message, frags[i]) != NULL, "%d: %s", i, e[i].message);
        ck_assert_int_eq(e[i].line, 1);
    }
}
END_TEST

/* ------------------------------------------------------------------------- */
/* zm_set                                                                    */
/* ------------------------------------------------------------------------- */

/* zm_set that must fail with EINVAL and a message containing all fragments. */
static void set_fails(zm_file *f, const char *path, const char *value, const char *frag1,
                      const char *frag2)
{
    zstr_error e;
    memset(&e, 0, sizeof e);
    FILE *tmp = NULL;
    int saved = stderr_capture(&tmp);
    int rc = zm_set(f, path, value, &e);
    long written = stderr_restore(tmp, saved);
    ck_assert_int_eq(written, 0);
    ck_assert_msg(rc == ZSTR_EINVAL && e.code == ZSTR_EINVAL, "set %s=%s: rc %d", path, value, rc);
    ck_assert_msg(strstr(e.message, path) != NULL, "message does not name the path: %s", e.message);
    ck_assert_msg(frag1 == NULL || strstr(e.message, frag1) != NULL, "\"%s\" lacks \"%s\"",
                  e.message, frag1);
    ck_assert_msg(frag2 == NULL || strstr(e.message, frag2) != NULL, "\"%s\" lacks \"%s\"",
                  e.message, frag2);
}

static double contact_fraction_of(const zm_file *f)
{
    zstr_model *m = build_ok(f, NULL, NULL);
    double a = zstr_model_contact_fraction(m, ZSTR_WE);
    zstr_model_free(m);
    return a;
}

START_TEST(test_set_success)
{
    zm_file *f = load_ok("data/models/example.xml");
    zstr_error e;
    memset(&e, 0, sizeof e);
    ZS_CK_OK(zm_set(f, "map.contact-fraction", "0.5", &e), &e);
    ck_assert_double_eq(contact_fraction_of(f), square_fraction(40, 0.5));
    ZS_CK_OK(zm_set(f, "cell.temperature", "-40C", &e), &e);
    ZS_CK_OK(zm_set(f, "phase.gb.conductivity", "1 mS/cm", &e), &e);
    ZS_CK_OK(zm_set(f, "gb.permittivity", "10", &e), &e);
    /* absent attribute: created */
    ZS_CK_OK(zm_set(f, "phase.bulk.reference-temperature", "300 K", &e), &e);
    ZS_CK_OK(zm_set(f, "interface.we.map.rest", "sei", &e), &e);
    ZS_CK_OK(zm_set(f, "voxels", "20", &e), &e);
    ZS_CK_OK(zm_set(f, "grains.seed", "2", &e), &e);
    ZS_CK_OK(zm_set(f, "per-decade", "2", &e), &e);
    double *fr = NULL;
    int64_t nf = 0;
    zstr_model *m = build_ok(f, &fr, &nf);
    check_grid(m, 20, 20, 20, 5e-6, 5e-6, 5e-6);
    ck_assert_double_le(zs_test_rel(zstr_model_get_temperature(m), 233.15), 1e-14);
    check_phase(m, 0, "bulk", 0.046, 150.0, 0.34, 300.0);
    check_phase(m, 1, "gb", 0.1, 10.0, 0.43, 298.15);
    const uint8_t *px = zstr_model_interface_pixels(m, ZSTR_WE);
    ck_assert_double_eq(zstr_model_contact_fraction(m, ZSTR_WE), square_fraction(20, 0.5));
    ck_assert_int_eq(count_pixels(px, 400, ZSTR_PIXEL_SEI), 400 - 14 * 14);
    ck_assert_int_eq(nf, 21);
    free(fr);
    zstr_model_free(m);
    zm_free(f);

    /* image levels are addressed by their value */
    f = load_ok("data/models/image-pgm.xml");
    ZS_CK_OK(zm_set(f, "level.128.type", "contact", &e), &e);
    ck_assert_double_eq(contact_fraction_of(f), 40.0 / 48.0);
    zm_free(f);
}
END_TEST

START_TEST(test_set_errors)
{
    zm_file *f = load_ok("data/models/example.xml");
    const double a0 = 361.0 / 1600.0;
    /* ambiguous */
    set_fails(f, "conductivity", "1", "ambiguous",
              "phase.bulk.conductivity, phase.gb.conductivity");
    set_fails(f, "phase.activation-energy", "1", "ambiguous", "phase.gb.activation-energy");
    set_fails(f, "interface.capacitance", "1 F/m2", "interface.we.contact.capacitance",
              "interface.we.sei.capacitance");
    /* no match: the candidates with that attribute name */
    set_fails(f, "interface.ce.map.kind", "full", "no attribute", "interface.we.map.kind");
    set_fails(f, "phase.glass.conductivity", "1", "no attribute", "phase.gb.conductivity");
    set_fails(f, "cell.colour", "red", "no element here takes an attribute 'colour'", NULL);
    /* not a path */
    set_fails(f, "", "1", "not a path", NULL);
    set_fails(f, "map..kind", "1", "not a path", NULL);
    set_fails(f, ".kind", "1", "not a path", NULL);
    /* bad values: the error names the path, value and file line; nothing changes */
    set_fails(f, "map.contact-fraction", "1.5", "set map.contact-fraction=1.5: ",
              "data/models/example.xml:11: <interface electrode=\"we\"> <map> attribute "
              "contact-fraction: '1.5' must be in [0, 1]");
    set_fails(f, "map.contact-fraction", "0.3 um", "attribute contact-fraction:", NULL);
    set_fails(f, "map.kind", "circle", "'circle'", NULL);
    set_fails(f, "map.kind", "full", "not used by kind 'full'", NULL);
    set_fails(f, "cell.temperature", "-300 C", "attribute temperature: '-300 C'", NULL);
    set_fails(f, "phase.gb.name", "bulk", "duplicate phase name 'bulk'", NULL);
    set_fails(f, "zstr.version", "2", "format version '2'", NULL);
    set_fails(f, "phase.bulk.reference-temperature", "abc", "reference-temperature", NULL);
    set_fails(f, "cell.voxels", "100000", "huge voxel count", NULL);
    set_fails(f, "map.rest", "none\xff", "UTF-8", NULL);
    ck_assert_double_eq(contact_fraction_of(f), a0);
    /* the failed creation above left no attribute behind: the file is as loaded */
    zstr_model *m = build_ok(f, NULL, NULL);
    check_phase(m, 0, "bulk", 0.046, 150.0, 0.34, 298.15);
    zstr_model_free(m);
    /* the error record of a bad value carries the element's line */
    zstr_error e;
    memset(&e, 0, sizeof e);
    ck_assert_int_eq(zm_set(f, "frequencies.from", "1 GHz", &e), ZSTR_EINVAL);
    ck_assert_int_eq(e.line, 13);
    ck_assert_str_eq(e.file, "data/models/example.xml");
    ck_assert_int_eq(zm_set(NULL, "a.b", "1", &e), ZSTR_EINVAL);
    ck_assert_int_eq(zm_set(f, NULL, "1", NULL), ZSTR_EINVAL);
    zm_free(f);

    /* image: pore pixels need a <pore>; the level table decides */
    f = load_ok("data/models/image-pgm.xml");
    set_fails(f, "level.128.type", "sei", "need a <sei> element", NULL);
    set_fails(f, "level.0.value", "7", "grey level 0", "has no <level>");
    ck_assert_double_eq(contact_fraction_of(f), 8.0 / 48.0);
    zm_free(f);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Contracts between the file, the program and the library (issue 6 item 4)  */
/* ------------------------------------------------------------------------- */

/* A model document with the given <frequencies> attributes. */
static int load_freqs(const char *attrs, zm_file **f, zstr_error *e)
{
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<zstr version=\"1\"><cell size=\"10 um\" voxels=\"2\"/>"
             "<phase name=\"a\" conductivity=\"1 S/m\" permittivity=\"1\"/>"
             "<frequencies %s/></zstr>",
             attrs);
    return zm_load_memory(xml, strlen(xml), "freq.xml", f, e);
}

START_TEST(test_frequencies_log_range)
{
    double *f = NULL;
    int64_t n = 0;
    zstr_error e;
    /* 600 decades at 1e-3 per decade: round(0.6) + 1 = 2 points, the ends
     * exactly (f_hi / f_lo overflows a double) */
    ZS_CK_OK(zstr_frequencies_log(1e-300, 1e300, 1e-3, &f, &n, &e), &e);
    ck_assert_int_eq(n, 2);
    ck_assert(f[0] == 1e-300 && f[1] == 1e300);
    free(f);
    /* 0.01 per decade: 7 points 1e-300, 1e-200, ..., 1e300; pow(10, x) for
     * |x| <= 300 is within a few ulps of x's rounding: 1e-12 relative */
    ZS_CK_OK(zstr_frequencies_log(1e-300, 1e300, 1e-2, &f, &n, &e), &e);
    ck_assert_int_eq(n, 7);
    static const double want[7] = {1e-300, 1e-200, 1e-100, 1, 1e100, 1e200, 1e300};
    for (int k = 0; k < 7; k++)
        ck_assert_double_le(zs_test_rel(f[k], want[k]), 1e-12);
    free(f);
    /* log10(2) = 0.30 decades at 1 per decade: the count rounds to 1, and
     * that one frequency is f_lo */
    ZS_CK_OK(zstr_frequencies_log(1, 2, 1, &f, &n, &e), &e);
    ck_assert(n == 1 && f[0] == 1);
    free(f);
    /* the model file's check takes the same range */
    zm_file *mf = NULL;
    ZS_CK_OK(load_freqs("from=\"1e-300 Hz\" to=\"1e300 Hz\" per-decade=\"0.001\"", &mf, &e),
             &e);
    ZS_CK_OK(zm_build(mf, NULL, &f, &n, &e), &e);
    ck_assert(n == 2 && f[0] == 1e-300 && f[1] == 1e300);
    free(f);
    zm_free(mf);
    /* and still refuses what is too many */
    ck_assert_int_eq(load_freqs("from=\"1e-300 Hz\" to=\"1e300 Hz\" per-decade=\"1e4\"", &mf,
                                &e),
                     ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "frequencies (at most"));
}
END_TEST

/* --set switches <frequencies> between its two forms (values, or from / to /
 * per-decade); one batch with both forms is refused. */
START_TEST(test_set_frequency_forms)
{
    zstr_error e;
    zm_file *f = load_ok("data/models/example.xml");
    double *fr = NULL;
    int64_t n = 0;
    ZS_CK_OK(zm_set(f, "frequencies.values", "0 1 1000", &e), &e);
    ZS_CK_OK(zm_build(f, NULL, &fr, &n, &e), &e);
    ck_assert(n == 3 && fr[0] == 0 && fr[1] == 1 && fr[2] == 1000);
    free(fr);
    /* per-decade alone removes values, but from and to are gone: refused,
     * and the document keeps its values */
    ck_assert_int_eq(zm_set(f, "frequencies.per-decade", "2", &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "needs from, to and per-decade"));
    ZS_CK_OK(zm_build(f, NULL, &fr, &n, &e), &e);
    ck_assert_int_eq(n, 3);
    free(fr);
    /* all three: log-spaced again, 1 Hz .. 1 kHz at 2 per decade = 7 */
    const char *paths[3] = {"frequencies.from", "frequencies.to", "frequencies.per-decade"};
    const char *vals[3] = {"1 Hz", "1 kHz", "2"};
    ZS_CK_OK(zm_set_many(f, 3, paths, vals, &e), &e);
    ZS_CK_OK(zm_build(f, NULL, &fr, &n, &e), &e);
    ck_assert(n == 7 && fr[0] == 1 && fr[6] == 1000);
    free(fr);
    /* both forms at once */
    const char *p2[2] = {"frequencies.values", "frequencies.from"};
    const char *v2[2] = {"1 2", "1 Hz"};
    ck_assert_int_eq(zm_set_many(f, 2, p2, v2, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "together"));
    ZS_CK_OK(zm_build(f, NULL, &fr, &n, &e), &e);
    ck_assert_int_eq(n, 7);
    free(fr);
    zm_free(f);
}
END_TEST

Suite *suite_modelfile(void)
{
    Suite *s = suite_create("modelfile");
    TCase *tc = tcase_create("good");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_example);
    tcase_add_test(tc, test_ce_interface);
    tcase_add_test(tc, test_random_map);
    tcase_add_test(tc, test_three_value_cell);
    tcase_add_loop_test(tc, test_image_maps, 0, 3);
    tcase_add_loop_test(tc, test_png_stored_samples, 0, 4);
    tcase_add_test(tc, test_default_model);
    tcase_add_test(tc, test_load_memory_and_args);
    suite_add_tcase(s, tc);
    tc = tcase_create("bad");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_bad_catalogue);
    tcase_add_test(tc, test_bad_memory);
    suite_add_tcase(s, tc);
    tc = tcase_create("set");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_set_success);
    tcase_add_test(tc, test_set_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("contracts");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_frequencies_log_range);
    tcase_add_test(tc, test_set_frequency_forms);
    suite_add_tcase(s, tc);
    return s;
}
