/*
 * test_io.c — spectrum CSV files and the model summary (lib/io_csv.c).
 *
 * Every file lives in a fresh mkdtemp directory under /tmp, so "no file left
 * behind" is checked by listing that directory.  The fixture that removes the
 * directories is unchecked (runs in the runner process), so it runs even when a
 * forked test fails.
 */
#include "zs_test.h"

#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------- */
/* Scratch directories                                                       */
/* ------------------------------------------------------------------------- */

static char top_dir[64];

static void io_setup(void)
{
    snprintf(top_dir, sizeof top_dir, "/tmp/zstr_test_io_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top_dir));
}

static void io_teardown(void) { zs_scratch_remove(top_dir); }

/* ------------------------------------------------------------------------- */
/* A small model with every feature the summary reports                      */
/* ------------------------------------------------------------------------- */

enum { NX = 4, NY = 2, NZ = 3 };
static const double HX = 0.5e-6, HY = 0.25e-6, HZ = 1e-6;

static zstr_model *make_model(void)
{
    zstr_error err;
    zstr_model *m = NULL;
    ZS_CK_OK(zstr_model_create(NX, NY, NZ, HX, HY, HZ, &m, &err), &err);
    zstr_phase_params bulk = {"LLZO", 0.05, 60.0, 0.35, 298.15};
    zstr_phase_params gb = {"GB", 1e-4, 60.0, 0.5, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &bulk, NULL, &err), &err);
    ZS_CK_OK(zstr_model_add_phase(m, &gb, NULL, &err), &err);
    ZS_CK_OK(zstr_model_set_temperature(m, 333.15, &err), &err);
    /* Two grains split at x = 2, voxel 0 in no grain. */
    int32_t g[NX * NY * NZ];
    for (int i = 0; i < NX * NY * NZ; i++)
        g[i] = (i % NX) < 2 ? 7 : 3;
    g[0] = -1;
    ZS_CK_OK(zstr_model_set_grains(m, g, 1, 2e-9, &err), &err);
    /* WE: 4 contact, 2 pore, 1 SEI, 1 free of 8 pixels -> contact fraction 0.5. */
    static const uint8_t px[NX * NY] = {1, 1, 1, 1, 2, 2, 3, 0};
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4; /* 0.5 Ohm cm^2 */
    ip.contact_capacitance = 0.1;   /* 1e-5 F/cm^2 */
    ip.contact_activation_energy = 0.43;
    ip.pore_capacitance = 0.01;
    ip.sei_resistance = 1e-3; /* 10 Ohm cm^2 */
    ip.sei_capacitance = 0.05;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, px, &err), &err);
    return m;
}

/* A [cm^2] as the writer computes it. */
static double area_cm2(void) { return ((double)NX * HX) * ((double)NY * HY) * 1e4; }

#define NPTS 9
static const double freq[NPTS] = {1e-3, 0.1, 1.0 / 3.0, 1.0, 12345.678901234567,
                                  1e6,  1e9, 4.9e-324,  1.7976931348623157e308};
static const double zval[2 * NPTS] = {
    1.0,        -0.0,   0.1,    -1.0 / 3.0, 2.0 / 3.0,    -1e-300,
    123.456789, -1e10,  1e-17,  -5e-324,    3.141592653589793, -2.718281828459045,
    0.0,        0.0,    7.0,    -1e-7,      1e300,       -1e-300};

/* A write with no DC result and no comment. */
static int write_plain(const char *path, const zstr_model *m, int64_t n, const double *f,
                       const double *z, zstr_error *err)
{
    return zstr_spectrum_write_csv(path, m, n, f, z, NULL, NULL, err);
}

static int bits_equal(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Parse the data rows of a CSV file: skips the names line and '#' lines.
 * Returns the row count; every field must be consumed by strtod entirely. */
static int parse_rows(const char *text, double rows[][5], int max)
{
    const char *names = "# f_Hz,Zre_Ohm,Zim_Ohm,Zre_Ohm_cm2,Zim_Ohm_cm2\n";
    ck_assert_msg(strncmp(text, names, strlen(names)) == 0, "line 1 is not the column names");
    int n = 0;
    for (const char *s = text + strlen(names); *s != '\0';) {
        const char *eol = strchr(s, '\n');
        ck_assert_msg(eol != NULL, "last line has no newline");
        if (s[0] != '#') {
            ck_assert_int_lt(n, max);
            const char *p = s;
            for (int c = 0; c < 5; c++) {
                char *end;
                rows[n][c] = strtod(p, &end);
                ck_assert_msg(end != p, "row %d field %d does not parse: %.40s", n, c, p);
                ck_assert_msg(*end == (c < 4 ? ',' : '\n'), "row %d field %d ends in '%c'", n,
                              c, *end);
                p = end + 1;
            }
            n++;
        }
        s = eol + 1;
    }
    return n;
}

/* ------------------------------------------------------------------------- */
/* Tests                                                                     */
/* ------------------------------------------------------------------------- */

START_TEST(test_roundtrip_bits)
{
    char dir[128], path[192];
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/z.csv", dir);
    zstr_model *m = make_model();
    zstr_error err;
    ZS_CK_OK(zstr_spectrum_write_csv(path, m, NPTS, freq, zval, NULL, NULL, &err), &err);
    ck_assert_int_eq(zs_scratch_count(dir), 1); /* no temporary left */
    char *text = zs_read_file(path);
    double rows[NPTS + 1][5];
    ck_assert_int_eq(parse_rows(text, rows, NPTS + 1), NPTS);
    /* %.17g and strtod: every value, -0 and subnormals included, bit for bit. */
    for (int k = 0; k < NPTS; k++) {
        ck_assert_msg(bits_equal(rows[k][0], freq[k]), "f[%d]", k);
        ck_assert_msg(bits_equal(rows[k][1], zval[2 * k]), "Zre[%d]", k);
        ck_assert_msg(bits_equal(rows[k][2], zval[2 * k + 1]), "Zim[%d]", k);
    }
    /* Overwriting an existing file works and gives the same bytes. */
    ZS_CK_OK(zstr_spectrum_write_csv(path, m, NPTS, freq, zval, NULL, NULL, &err), &err);
    char *again = zs_read_file(path);
    ck_assert_str_eq(again, text);
    ck_assert_int_eq(zs_scratch_count(dir), 1);
    free(again);
    free(text);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_area_columns)
{
    char dir[128], path[192];
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/z.csv", dir);
    zstr_model *m = make_model();
    zstr_error err;
    ZS_CK_OK(zstr_spectrum_write_csv(path, m, NPTS, freq, zval, NULL, NULL, &err), &err);
    char *text = zs_read_file(path);
    /* The header's A equals Lx*Ly in cm^2 exactly (Lx = 2 um, Ly = 0.5 um). */
    const char *a = strstr(text, "\n# area A = Lx*Ly = ");
    ck_assert_ptr_nonnull(a);
    double area = strtod(a + strlen("\n# area A = Lx*Ly = "), NULL);
    ck_assert_msg(bits_equal(area, area_cm2()), "A = %.17g, want %.17g", area, area_cm2());
    ck_assert_double_eq_tol(area, 1e-8, 1e-8 * 1e-15);
    double rows[NPTS][5];
    ck_assert_int_eq(parse_rows(text, rows, NPTS), NPTS);
    /* Area-specific columns are the products Z*A, exactly (one rounding each). */
    for (int k = 0; k < NPTS; k++) {
        ck_assert_msg(bits_equal(rows[k][3], zval[2 * k] * area), "Zre*A[%d]", k);
        ck_assert_msg(bits_equal(rows[k][4], zval[2 * k + 1] * area), "Zim*A[%d]", k);
    }
    free(text);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_header)
{
    char dir[128], path[192];
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/z.csv", dir);
    zstr_model *m = make_model();
    zstr_error err;
    zstr_dc_result dc;
    zstr_dc_result_init(&dc);
    dc.resistance = 250.0;
    const char *comment = "first line\nsecond, with comma\r\nthird\rfourth\n\nlast\n";
    ZS_CK_OK(zstr_spectrum_write_csv(path, m, 2, freq, zval, &dc, comment, &err), &err);
    char *text = zs_read_file(path);
    char want[128];
    snprintf(want, sizeof want, "\n# libzstr %s spectrum\n", zstr_version_string());
    ck_assert_ptr_nonnull(strstr(text, want));
    ck_assert_ptr_nonnull(strstr(text, "\"LLZO\""));
    ck_assert_ptr_nonnull(strstr(text, "\"GB\""));
    ck_assert_ptr_nonnull(strstr(text, "\n# grains: 2, 1 voxels in no grain\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n# contact fraction: WE 0.5, CE 1\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n# units: "));
    /* 250 Ohm * 1e-8 cm^2 */
    snprintf(want, sizeof want, "\n# R_DC = 250 Ohm = %.17g Ohm cm^2\n", 250.0 * area_cm2());
    ck_assert_ptr_nonnull(strstr(text, want));
    /* The comment: every line break kind gives its own "# " line; a trailing
     * break adds no empty line. */
    ck_assert_ptr_nonnull(strstr(text, "\n# first line\n# second, with comma\n# third\n"
                                       "# fourth\n#\n# last\n0.001,"));
    /* Every line is the names, a '#' line or a row of five fields, and no line
     * holds a lone carriage return that a reader could take for a break. */
    ck_assert_ptr_null(strchr(text, '\r'));
    free(text);

    /* Open circuit; no comment. */
    dc.open_circuit = 1;
    dc.resistance = INFINITY;
    ZS_CK_OK(zstr_spectrum_write_csv(path, m, 2, freq, zval, &dc, NULL, &err), &err);
    text = zs_read_file(path);
    ck_assert_ptr_nonnull(strstr(text, "\n# R_DC: open circuit"));
    free(text);
    zstr_model_free(m);
}
END_TEST

/* Locale independence.  The comma-decimal locales are optional on a build
 * machine: when none is installed there is nothing to provoke and the test
 * asserts nothing beyond the C-locale output (no skip, so it never fails for a
 * missing locale).  Debian: apt-get install locales; localedef -i de_DE -f UTF-8
 * de_DE.UTF-8. */
START_TEST(test_locale_independent)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8",
                                        "fr_FR.utf8",  "nl_NL.UTF-8", "ru_RU.UTF-8"};
    const char *found = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && found == NULL; i++) {
        if (setlocale(LC_ALL, names[i]) != NULL &&
            strcmp(localeconv()->decimal_point, ",") == 0)
            found = names[i];
    }
    if (found == NULL) {
        setlocale(LC_ALL, "C");
        return;
    }
    char dir[128], path[192];
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/z.csv", dir);
    zstr_model *m = make_model();
    zstr_error err;
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 1.5); /* the locale is really in effect */
    int rc = zstr_spectrum_write_csv(path, m, NPTS, freq, zval, NULL, NULL, &err);
    char desc[4096];
    zstr_model_describe(m, desc, sizeof desc);
    char *after = setlocale(LC_NUMERIC, NULL);
    int unchanged = after != NULL && strcmp(localeconv()->decimal_point, ",") == 0;
    locale_t thread = uselocale((locale_t)0);
    setlocale(LC_ALL, "C"); /* before any assertion: later tests need "C" */

    ck_assert_str_eq(probe, "1,5");
    ck_assert_msg(rc == ZSTR_OK, "%s", err.message);
    ck_assert_msg(unchanged, "the library changed the process locale");
    ck_assert_msg(thread == LC_GLOBAL_LOCALE, "the thread locale was not restored");
    ck_assert_ptr_nonnull(strstr(desc, "temperature: 333.15 K"));
    char *text = zs_read_file(path);
    ck_assert_ptr_nonnull(strstr(text, "temperature: 333.15 K"));
    double rows[NPTS][5];
    ck_assert_int_eq(parse_rows(text, rows, NPTS), NPTS); /* strtod in "C" consumes all */
    for (int k = 0; k < NPTS; k++)
        ck_assert(bits_equal(rows[k][2], zval[2 * k + 1]));
    free(text);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_describe)
{
    zstr_model *m = make_model();
    size_t need = zstr_model_describe(m, NULL, 0);
    ck_assert_uint_gt(need, 100);
    char *full = malloc(need + 1);
    ck_assert_ptr_nonnull(full);
    ck_assert_uint_eq(zstr_model_describe(m, full, need + 1), need);
    ck_assert_uint_eq(strlen(full), need);
    ck_assert_ptr_nonnull(strstr(full, "grid: 4 x 2 x 3 voxels, h = 0.5 x 0.25 x 1 um\n"));
    ck_assert_ptr_nonnull(strstr(full, "voxels: 24\n"));
    ck_assert_ptr_nonnull(strstr(full, "temperature: 333.15 K\n"));
    ck_assert_ptr_nonnull(strstr(full, "phase 0 \"LLZO\""));
    /* 0.05 S/m = 0.5 mS/cm */
    ck_assert_ptr_nonnull(strstr(full, "sigma = 0.05 S/m = 0.5 mS/cm at T_ref = 298.15 K"));
    ck_assert_ptr_nonnull(strstr(full, "boundary: phase 1 \"GB\", thickness 2 nm\n"));
    ck_assert_ptr_nonnull(strstr(full, "R_pol = 0.5 Ohm cm^2"));
    ck_assert_ptr_nonnull(strstr(full, "R_SEI = 10 Ohm cm^2"));
    ck_assert_ptr_nonnull(strstr(full, "C_DL = 1e-05 F/cm^2"));
    ck_assert_ptr_nonnull(
        strstr(full, "pixels: 4 contact, 2 pore, 1 SEI, 1 free surface of 8; contact "
                     "fraction 0.5\n"));
    ck_assert_ptr_nonnull(strstr(full, "CE (z = 0) interface: ideal full contact"));
    ck_assert_ptr_null(strchr(full, '#'));
    /* sigma(T) with the model's Arrhenius law, as %.10g. */
    char want[128];
    double s = 0.05 * (298.15 / 333.15) *
               exp(-0.35 / ZSTR_KBOLTZ_EV * (1.0 / 333.15 - 1.0 / 298.15));
    snprintf(want, sizeof want, "sigma = %.10g S/m = %.10g mS/cm at T = 333.15 K", s,
             10.0 * s);
    ck_assert_msg(strstr(full, want) != NULL, "missing '%s' in\n%s", want, full);

    /* snprintf semantics: truncated output is a NUL-terminated prefix. */
    char small[11];
    memset(small, 'x', sizeof small);
    ck_assert_uint_eq(zstr_model_describe(m, small, 10), need);
    ck_assert_uint_eq(strlen(small), 9);
    ck_assert_int_eq(strncmp(small, full, 9), 0);
    ck_assert_int_eq(small[10], 'x');
    ck_assert_uint_eq(zstr_model_describe(m, small, 1), need);
    ck_assert_int_eq(small[0], '\0');
    small[0] = 'y';
    ck_assert_uint_eq(zstr_model_describe(m, small, 0), need); /* size 0: untouched */
    ck_assert_int_eq(small[0], 'y');
    ck_assert_uint_eq(zstr_model_describe(m, full, need), need); /* one byte short */
    ck_assert_uint_eq(strlen(full), need - 1);

    /* A bare model: no grains, no phase. */
    zstr_model *bare = NULL;
    zstr_error err;
    ZS_CK_OK(zstr_model_create(1, 1, 1, 1e-6, 1e-6, 1e-6, &bare, &err), &err);
    char text[1024];
    ck_assert_uint_lt(zstr_model_describe(bare, text, sizeof text), sizeof text);
    ck_assert_ptr_nonnull(strstr(text, "phases: none\n"));
    ck_assert_ptr_nonnull(strstr(text, "grains: none\n"));
    ck_assert_ptr_nonnull(strstr(text, "1 voxels carry a phase id with no phase defined"));
    ck_assert_uint_eq(zstr_model_describe(NULL, text, sizeof text), 0);
    ck_assert_str_eq(text, "");
    zstr_model_free(bare);
    free(full);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_bad_input)
{
    char dir[128], path[192];
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/z.csv", dir);
    zstr_model *m = make_model();
    zstr_error err;
    const double *f = freq, *z = zval;

    ck_assert_int_eq(write_plain(NULL, m, 1, f, z, &err), ZSTR_EINVAL);
    ck_assert_int_eq(err.code, ZSTR_EINVAL);
    ck_assert_int_eq(write_plain("", m, 1, f, z, &err), ZSTR_EINVAL);
    ck_assert_int_eq(write_plain(path, NULL, 1, f, z, &err), ZSTR_EINVAL);
    ck_assert_int_eq(write_plain(path, m, 0, f, z, &err), ZSTR_EINVAL);
    ck_assert_int_eq(write_plain(path, m, -3, f, z, NULL), ZSTR_EINVAL);
    ck_assert_int_eq(write_plain(path, m, 1, NULL, z, &err), ZSTR_EINVAL);
    ck_assert_int_eq(write_plain(path, m, 1, f, NULL, &err), ZSTR_EINVAL);
    /* Non-finite values name their row; no file appears. */
    double fz[3] = {1.0, 2.0, 3.0}, zz[6] = {1, -1, 2, -2, 3, -3};
    zz[3] = NAN;
    ck_assert_int_eq(write_plain(path, m, 3, fz, zz, &err), ZSTR_EINVAL);
    ck_assert_msg(strstr(err.message, "row 1") != NULL, "%s", err.message);
    zz[3] = -2;
    zz[4] = INFINITY;
    ck_assert_int_eq(write_plain(path, m, 3, fz, zz, &err), ZSTR_EINVAL);
    ck_assert_msg(strstr(err.message, "row 2") != NULL, "%s", err.message);
    zz[4] = 3;
    fz[0] = NAN;
    ck_assert_int_eq(write_plain(path, m, 3, fz, zz, &err), ZSTR_EINVAL);
    ck_assert_msg(strstr(err.message, "row 0") != NULL, "%s", err.message);
    fz[0] = 1.0;
    zstr_dc_result dc;
    zstr_dc_result_init(&dc);
    dc.resistance = INFINITY; /* but open_circuit == 0 */
    ck_assert_int_eq(zstr_spectrum_write_csv(path, m, 3, fz, zz, &dc, NULL, &err),
                     ZSTR_EINVAL);
    ck_assert_int_eq(zs_scratch_count(dir), 0);

    /* A failed write leaves an existing file as it was. */
    ZS_CK_OK(zstr_spectrum_write_csv(path, m, 3, fz, zz, NULL, "old", &err), &err);
    char *before = zs_read_file(path);
    zz[0] = NAN;
    ck_assert_int_eq(zstr_spectrum_write_csv(path, m, 3, fz, zz, NULL, "new", &err),
                     ZSTR_EINVAL);
    char *after = zs_read_file(path);
    ck_assert_str_eq(after, before);
    ck_assert_int_eq(zs_scratch_count(dir), 1);
    free(before);
    free(after);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_io_errors)
{
    char dir[128], path[256];
    zs_scratch_new(top_dir, dir, sizeof dir);
    zstr_model *m = make_model();
    zstr_error err;

    /* Missing directory: ZSTR_EIO naming the path and the errno text. */
    snprintf(path, sizeof path, "%s/missing/z.csv", dir);
    ck_assert_int_eq(write_plain(path, m, 2, freq, zval, &err), ZSTR_EIO);
    ck_assert_int_eq(err.code, ZSTR_EIO);
    ck_assert_str_eq(err.file, path);
    ck_assert_msg(strstr(err.message, path) != NULL, "%s", err.message);
    ck_assert_msg(strstr(err.message, strerror(ENOENT)) != NULL, "%s", err.message);
    ck_assert_int_eq(zs_scratch_count(dir), 0);

    /* The path is a directory: the temporary is written, the rename fails, and
     * the temporary must be gone. */
    snprintf(path, sizeof path, "%s/adir", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_int_eq(write_plain(path, m, 2, freq, zval, &err), ZSTR_EIO);
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(zs_scratch_count(dir), 1);
    ck_assert_int_eq(zs_scratch_count(path), 0);

    /* A read-only directory (not for root, who may write anyway). */
    char ro[160];
    snprintf(ro, sizeof ro, "%s/ro", dir);
    ck_assert_int_eq(mkdir(ro, 0500), 0);
    if (access(ro, W_OK) != 0) {
        snprintf(path, sizeof path, "%s/z.csv", ro);
        ck_assert_int_eq(write_plain(path, m, 2, freq, zval, &err), ZSTR_EIO);
        ck_assert_msg(strstr(err.message, strerror(EACCES)) != NULL, "%s", err.message);
        ck_assert_int_eq(zs_scratch_count(ro), 0);
    }
    ck_assert_int_eq(zs_scratch_count(dir), 2);
    zstr_model_free(m);
}
END_TEST

/* Z(0) of an open circuit is (+inf, 0), as zstr_execute and zstr_sweep return it
 * (include/zstr.h): the writer takes exactly that row, as "inf", and nothing
 * else that is not finite. */
START_TEST(test_open_circuit_row)
{
    char dir[128], path[192];
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/oc.csv", dir);
    zstr_model *m = make_model();
    zstr_error err;
    double f[3] = {0.0, 1.0, 1000.0}, z[6] = {INFINITY, 0.0, 5.0, -1.0, 2.0, -0.5};
    zstr_dc_result dc;
    zstr_dc_result_init(&dc);
    dc.resistance = INFINITY;
    dc.open_circuit = 1;
    ZS_CK_OK(zstr_spectrum_write_csv(path, m, 3, f, z, &dc, NULL, &err), &err);
    ZS_CK_OK(zstr_spectrum_write_csv(path, m, 3, f, z, NULL, NULL, &err), &err);
    char *text = zs_read_file(path);
    ck_assert_ptr_nonnull(strstr(text, "\n0,inf,0,inf,0\n"));
    double rows[3][5];
    ck_assert_int_eq(parse_rows(text, rows, 3), 3);
    ck_assert(isinf(rows[0][1]) && rows[0][1] > 0 && rows[0][2] == 0.0);
    ck_assert(isinf(rows[0][3]) && rows[0][4] == 0.0);
    /* the stream writer writes the same text */
    char *mem = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&mem, &len);
    ck_assert_ptr_nonnull(fp);
    ZS_CK_OK(zstr_spectrum_write_csv_stream(fp, m, 3, f, z, NULL, NULL, &err), &err);
    fclose(fp);
    ck_assert_str_eq(mem, text);
    free(mem);
    free(text);
    /* everything else stays refused, and leaves no file */
    snprintf(path, sizeof path, "%s/no.csv", dir);
    const double bad[][3] = {
        {0.0, NAN, 0.0},         /* NaN */
        {0.0, -INFINITY, 0.0},   /* -inf */
        {0.0, INFINITY, -1.0},   /* Z'' != 0 */
        {0.0, 0.0, INFINITY},    /* Z'' infinite */
        {1.0, INFINITY, 0.0},    /* at f > 0 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double fb[1] = {bad[i][0]}, zb[2] = {bad[i][1], bad[i][2]};
        ck_assert_int_eq(zstr_spectrum_write_csv(path, m, 1, fb, zb, NULL, NULL, &err),
                         ZSTR_EINVAL);
        ck_assert_msg(strstr(err.message, "row 0") != NULL, "%s", err.message);
    }
    /* a DC result that says the circuit is closed contradicts Z(0) = inf */
    dc.open_circuit = 0;
    dc.resistance = 3.0;
    ck_assert_int_eq(zstr_spectrum_write_csv(path, m, 3, f, z, &dc, NULL, &err), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_spectrum_write_csv_stream(NULL, m, 3, f, z, NULL, NULL, &err),
                     ZSTR_EINVAL);
    ck_assert_int_eq(zs_scratch_count(dir), 1);
    zstr_model_free(m);
}
END_TEST

Suite *suite_io(void)
{
    Suite *s = suite_create("io");
    TCase *tc = tcase_create("csv");
    tcase_add_unchecked_fixture(tc, io_setup, io_teardown);
    tcase_add_test(tc, test_roundtrip_bits);
    tcase_add_test(tc, test_area_columns);
    tcase_add_test(tc, test_header);
    tcase_add_test(tc, test_locale_independent);
    tcase_add_test(tc, test_describe);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_io_errors);
    tcase_add_test(tc, test_open_circuit_row);
    suite_add_tcase(s, tc);
    return s;
}
