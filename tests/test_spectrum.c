/*
 * test_spectrum.c — the zstr_spectrum type and its readers.
 *
 * Truth: every layout is written here, with fprintf, from the closed form of
 * R0 + R1/(1 + jωR1C1) (an independent formula, not the reader's output), and
 * read back; the values must agree to the digits printed.  libzstr's own CSV
 * is written by zstr_spectrum_write_csv from a real sweep and must round-trip
 * bit for bit (%.17g).  The broken-input catalogue tests/data/bad_spectra is
 * driven by its README table.  Tests run with cwd = tests/.
 */
#include "zs_test.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "zstr_analysis.h"

#define NPTS 21
#define R0 10.0
#define R1 100.0
#define C1 1e-6

static void truth(int k, double *f, double complex *z)
{
    *f = pow(10.0, 6.0 - 0.4 * k); /* 1 MHz .. 1 Hz */
    double w = 2 * M_PI * *f;
    *z = R0 + R1 / (1.0 + I * w * R1 * C1);
}

static char scratch[512];

static void setup(void) { zs_scratch_new(".", scratch, sizeof scratch); }
static void teardown(void) { zs_scratch_remove(scratch); }

static FILE *open_out(const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", scratch, name);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    return fp;
}

static zstr_spectrum *read_ok(const char *path, int sign)
{
    zstr_read_options o;
    zstr_read_options_default(&o);
    o.sign = sign;
    zstr_error e;
    zstr_spectrum *s = NULL;
    ZS_CK_OK(zstr_spectrum_read(path, &o, &s, &e), &e);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* Printed with 10 significant digits: 1e-9 relative to |Z|. */
static void check_truth(const zstr_spectrum *s, double tol)
{
    ck_assert_int_eq(zstr_spectrum_count(s), NPTS);
    const double *f = zstr_spectrum_frequencies(s), *z = zstr_spectrum_impedance(s);
    for (int k = 0; k < NPTS; k++) {
        double fk;
        double complex zk;
        truth(k, &fk, &zk);
        ck_assert_double_le(zs_test_rel(f[k], fk), tol);
        ck_assert_msg(zs_test_crel(z + 2 * k, zk) <= tol, "point %d: %g%+gj vs %g%+gj", k,
                      z[2 * k], z[2 * k + 1], creal(zk), cimag(zk));
    }
}

/* ------------------------------------------------------------------------- */

START_TEST(test_create_and_accessors)
{
    double f[2] = {1.0, 10.0}, z[4] = {1, -2, 3, -4};
    zstr_spectrum *s = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_spectrum_create(2, f, z, &s, &e), &e);
    ck_assert_int_eq(zstr_spectrum_count(s), 2);
    ck_assert_double_eq(zstr_spectrum_impedance(s)[3], -4.0);
    ck_assert_int_eq(zstr_spectrum_format(s), ZSTR_FORMAT_MEMORY);
    ck_assert_str_eq(zstr_spectrum_source(s), "");
    ZS_CK_OK(zstr_spectrum_set_area(s, 1e-4, &e), &e);
    ZS_CK_OK(zstr_spectrum_set_temperature(s, 300.0, &e), &e);
    zstr_spectrum *c = NULL;
    ZS_CK_OK(zstr_spectrum_copy(s, &c, &e), &e);
    ck_assert_double_eq(zstr_spectrum_area(c), 1e-4);
    ck_assert_double_eq(zstr_spectrum_temperature(c), 300.0);
    ck_assert_int_eq(zstr_spectrum_set_area(s, -1.0, &e), ZSTR_EINVAL);
    zstr_spectrum_free(s);
    zstr_spectrum_free(c);
    zstr_spectrum_free(NULL);
    f[1] = 0.0;
    ck_assert_int_eq(zstr_spectrum_create(2, f, z, &s, &e), ZSTR_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(e.message, "frequency 1"));
    f[1] = 10.0;
    z[2] = NAN;
    ck_assert_int_eq(zstr_spectrum_create(2, f, z, &s, &e), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_spectrum_create(0, f, z, &s, &e), ZSTR_EINVAL);
    /* an options structure with no size is refused, not read */
    zstr_read_options o = {0};
    ck_assert_int_eq(zstr_spectrum_read_buffer("1,2,3\n", 6, NULL, &o, &s, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "size"));
}
END_TEST

START_TEST(test_own_csv_roundtrip)
{
    /* a real sweep written by the library's writer must read back exactly */
    zstr_error e;
    zstr_model *m = NULL;
    ZS_CK_OK(zstr_model_create(2, 3, 2, 1e-5, 1e-5, 1e-5, &m, &e), &e);
    zstr_phase_params p = {"se", 0.05, 100.0, 0.3, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &p, NULL, &e), &e);
    zstr_plan *plan = NULL;
    ZS_CK_OK(zstr_plan_create(m, NULL, &plan, &e), &e);
    double *f = NULL;
    int64_t n = 0;
    ZS_CK_OK(zstr_frequencies_log(1e3, 1e9, 2, &f, &n, &e), &e);
    double *z = malloc((size_t)n * 2 * sizeof *z);
    ZS_CK_OK(zstr_sweep(plan, n, f, z, NULL, &e), &e);
    char path[600];
    snprintf(path, sizeof path, "%s/own.csv", scratch);
    ZS_CK_OK(zstr_spectrum_write_csv(path, m, n, f, z, NULL, "note", &e), &e);
    zstr_spectrum *s = read_ok(path, ZSTR_SIGN_AUTO);
    ck_assert_int_eq(zstr_spectrum_count(s), n);
    for (int64_t k = 0; k < n; k++) {
        ck_assert_double_eq(zstr_spectrum_frequencies(s)[k], f[k]);
        ck_assert_double_eq(zstr_spectrum_impedance(s)[2 * k], z[2 * k]);
        ck_assert_double_eq(zstr_spectrum_impedance(s)[2 * k + 1], z[2 * k + 1]);
    }
    /* area = Lx·Ly = 2e-5 · 3e-5 m², printed in cm² with 17 digits */
    ck_assert_double_le(zs_test_rel(zstr_spectrum_area(s), 6e-10), 1e-15);
    ck_assert_int_eq(zstr_spectrum_format(s), ZSTR_FORMAT_CSV);
    ck_assert_str_eq(zstr_spectrum_source(s), path);
    zstr_spectrum_free(s);
    free(z);
    free(f);
    zstr_plan_free(plan);
    zstr_model_free(m);
}
END_TEST

/* zstr run writes the DC point as f = 0 with R_DC, or inf for an open
 * circuit: both rows are skipped, the other points read as written. */
START_TEST(test_dc_row_skipped)
{
    char path[600];
    FILE *fp = open_out("dc.csv", path, sizeof path);
    fputs("# f_Hz,Zre_Ohm,Zim_Ohm\n# note\n0,inf,0\n1,2.5,-0.5\n0,3,0\n10,2,-1\n", fp);
    fclose(fp);
    zstr_spectrum *s = read_ok(path, ZSTR_SIGN_AUTO);
    ck_assert_int_eq(zstr_spectrum_count(s), 2);
    ck_assert_double_eq(zstr_spectrum_frequencies(s)[0], 1.0);
    ck_assert_double_eq(zstr_spectrum_impedance(s)[0], 2.5);
    ck_assert_double_eq(zstr_spectrum_frequencies(s)[1], 10.0);
    ck_assert_double_eq(zstr_spectrum_impedance(s)[3], -1.0);
    zstr_spectrum_free(s);
    /* a file of DC rows only has no points */
    fp = open_out("dconly.csv", path, sizeof path);
    fputs("# f_Hz,Zre_Ohm,Zim_Ohm\n0,3,0\n", fp);
    fclose(fp);
    zstr_spectrum *t = NULL;
    zstr_error e;
    ck_assert_int_eq(zstr_spectrum_read(path, NULL, &t, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "no data rows"));
}
END_TEST

START_TEST(test_generic_csv_layouts)
{
    char path[600];
    /* names with units, the imaginary column holding −Z'' by its name */
    FILE *fp = open_out("named.csv", path, sizeof path);
    fprintf(fp, "\"Frequency (Hz)\",\"Z' (Ohm)\",\"-Z'' (Ohm)\",extra\n");
    for (int k = 0; k < NPTS; k++) {
        double f;
        double complex z;
        truth(k, &f, &z);
        fprintf(fp, "%.10g,%.10g,%.10g,x\n", f, creal(z), -cimag(z));
    }
    fclose(fp);
    zstr_spectrum *s = read_ok(path, ZSTR_SIGN_AUTO);
    check_truth(s, 1e-9);
    zstr_spectrum_free(s);

    /* |Z| and phase in degrees, ';' separated with decimal commas */
    fp = open_out("polar.csv", path, sizeof path);
    fprintf(fp, "freq/Hz;|Z|/Ohm;Phase/deg\n");
    for (int k = 0; k < NPTS; k++) {
        double f;
        double complex z;
        truth(k, &f, &z);
        char line[200];
        snprintf(line, sizeof line, "%.10g;%.10g;%.10g\n", f, cabs(z),
                 carg(z) * 180.0 / M_PI);
        for (char *c = line; *c; c++)
            *c = *c == '.' ? ',' : *c;
        fputs(line, fp);
    }
    fclose(fp);
    s = read_ok(path, ZSTR_SIGN_AUTO);
    check_truth(s, 1e-9);
    zstr_spectrum_free(s);

    /* no header: f, Z', Z''; an unsigned "Zim" column of positive values is
     * −Z'' by the majority rule (AUTO), Z'' as named with AS_NAMED */
    fp = open_out("bare.csv", path, sizeof path);
    for (int k = 0; k < NPTS; k++) {
        double f;
        double complex z;
        truth(k, &f, &z);
        fprintf(fp, "%.10g,%.10g,%.10g\n", f, creal(z), cimag(z));
    }
    fclose(fp);
    s = read_ok(path, ZSTR_SIGN_AUTO);
    check_truth(s, 1e-9);
    zstr_spectrum_free(s);
    fp = open_out("positive.csv", path, sizeof path);
    fprintf(fp, "f,Zre,Zim\n");
    for (int k = 0; k < NPTS; k++) {
        double f;
        double complex z;
        truth(k, &f, &z);
        fprintf(fp, "%.10g,%.10g,%.10g\n", f, creal(z), -cimag(z));
    }
    fclose(fp);
    s = read_ok(path, ZSTR_SIGN_AUTO);
    check_truth(s, 1e-9);
    zstr_spectrum_free(s);
    s = read_ok(path, ZSTR_SIGN_AS_NAMED);
    ck_assert_double_gt(zstr_spectrum_impedance(s)[1], 0.0);
    zstr_spectrum_free(s);
    s = read_ok(path, ZSTR_SIGN_FLIP); /* the reading as named, negated */
    check_truth(s, 1e-9);
    zstr_spectrum_free(s);
}
END_TEST

START_TEST(test_mpt)
{
    char path[600];
    /* EC-Lab: 5 header lines, tab separated, decimal commas, extra columns */
    FILE *fp = open_out("eis.mpt", path, sizeof path);
    fprintf(fp, "EC-Lab ASCII FILE\nNb header lines : 5\n\nPotentio Electrochemical "
                "Impedance Spectroscopy\n");
    fprintf(fp, "freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\t|Z|/Ohm\tPhase(Z)/deg\ttime/s\tcycle "
                "number\n");
    for (int k = 0; k < NPTS; k++) {
        double f;
        double complex z;
        truth(k, &f, &z);
        char line[300];
        snprintf(line, sizeof line, "%.10E\t%.10E\t%.10E\t%.6E\t%.6E\t%d\t1,000000E+00\n", f,
                 creal(z), -cimag(z), cabs(z), -carg(z) * 180 / M_PI, k);
        for (char *c = line; *c; c++)
            *c = *c == '.' ? ',' : *c;
        fputs(line, fp);
    }
    fclose(fp);
    zstr_spectrum *s = read_ok(path, ZSTR_SIGN_AUTO);
    check_truth(s, 1e-9);
    ck_assert_int_eq(zstr_spectrum_format(s), ZSTR_FORMAT_MPT);
    zstr_spectrum_free(s);
}
END_TEST

START_TEST(test_dta)
{
    char path[600];
    FILE *fp = open_out("eis.DTA", path, sizeof path);
    fprintf(fp, "EXPLAIN\nTAG\tEISPOT\nTITLE\tLABEL\tPotentiostatic EIS\tTest &Identifier\n"
                "AREA\tQUANT\t0.785\tSample &Area (cm^2)\nNOTES\tNOTES\t1\t&Notes...\n"
                "\tno notes\nZCURVE\tTABLE\t%d\n",
            NPTS);
    fprintf(fp, "\tPt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz\tIdc\tVdc\tIERange\n");
    fprintf(fp, "\t#\ts\tHz\tohm\tohm\tV\tohm\t\xc2\xb0\tA\tV\t#\n");
    for (int k = 0; k < NPTS; k++) {
        double f;
        double complex z;
        truth(k, &f, &z);
        fprintf(fp, "\t%d\t%d\t%.10g\t%.10g\t%.10g\t1\t%.6g\t%.6g\t0\t0\t7\n", k, k, f,
                creal(z), cimag(z), cabs(z), carg(z) * 180 / M_PI);
    }
    fprintf(fp, "EXPERIMENTABORTED\tTOGGLE\tF\n");
    fclose(fp);
    zstr_spectrum *s = read_ok(path, ZSTR_SIGN_AUTO);
    check_truth(s, 1e-9);
    ck_assert_double_le(zs_test_rel(zstr_spectrum_area(s), 0.785e-4), 1e-15);
    ck_assert_int_eq(zstr_spectrum_format(s), ZSTR_FORMAT_DTA);
    zstr_spectrum_free(s);
}
END_TEST

START_TEST(test_zplot)
{
    char path[600];
    FILE *fp = open_out("eis.z", path, sizeof path);
    fprintf(fp, "ZPlot2 Ascii\nCall\nStartup\n\"EIS\"\nFreq: Log Sweep\nEnd Comments\n");
    for (int k = 0; k < NPTS; k++) {
        double f;
        double complex z;
        truth(k, &f, &z);
        fprintf(fp, "%.10E, 1.000E-02, 0.0, %d, %.10E, %.10E, 0, 0, 1\n", f, k, creal(z),
                cimag(z));
    }
    fclose(fp);
    zstr_spectrum *s = read_ok(path, ZSTR_SIGN_AUTO);
    check_truth(s, 1e-9);
    ck_assert_int_eq(zstr_spectrum_format(s), ZSTR_FORMAT_ZPLOT);
    zstr_spectrum_free(s);
}
END_TEST

START_TEST(test_missing_file)
{
    zstr_error e;
    zstr_spectrum *s = (zstr_spectrum *)&e; /* must be reset to NULL */
    ck_assert_int_eq(zstr_spectrum_read("data/bad_spectra/no-such-file.csv", NULL, &s, &e),
                     ZSTR_EIO);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(e.file, "data/bad_spectra/no-such-file.csv");
}
END_TEST

/* ------------------------------------------------------------------------- */
/* The broken-input catalogue                                                */
/* ------------------------------------------------------------------------- */

#define MAX_ROWS 64

typedef struct row {
    char file[128];
    char status[16];
    long line;
    char fragment[160];
} row;

/* Rows "| `file` | STATUS | LINE | `fragment` |" of the README table. */
static int read_table(row *rows)
{
    FILE *fp = fopen("data/bad_spectra/README.md", "r");
    ck_assert_msg(fp != NULL, "data/bad_spectra/README.md is missing");
    char buf[512];
    int n = 0;
    while (fgets(buf, sizeof buf, fp) != NULL) {
        if (strncmp(buf, "| `", 3) != 0)
            continue;
        ck_assert_int_lt(n, MAX_ROWS);
        row *r = &rows[n];
        char *a = buf + 3, *b = strchr(a, '`');
        ck_assert_ptr_nonnull(b);
        snprintf(r->file, sizeof r->file, "%.*s", (int)(b - a), a);
        ck_assert_msg(sscanf(b + 1, " | %15s | %ld |", r->status, &r->line) == 2,
                      "README.md: cannot read the row: %s", buf);
        char *fa = strchr(strchr(strchr(b + 1, '|') + 1, '|') + 1, '`');
        char *fb = strrchr(buf, '`');
        ck_assert_msg(fa != NULL && fb > fa, "README.md: no fragment: %s", buf);
        snprintf(r->fragment, sizeof r->fragment, "%.*s", (int)(fb - fa - 1), fa + 1);
        n++;
    }
    fclose(fp);
    return n;
}

static int status_code(const char *name)
{
    if (strcmp(name, "EINVAL") == 0)
        return ZSTR_EINVAL;
    if (strcmp(name, "EIO") == 0)
        return ZSTR_EIO;
    ck_abort_msg("README.md: unknown status %s", name);
    return 0;
}

START_TEST(test_bad_catalogue)
{
    row rows[MAX_ROWS];
    int n = read_table(rows);
    ck_assert_int_ge(n, 20);
    for (int i = 0; i < n; i++) {
        char path[300];
        snprintf(path, sizeof path, "data/bad_spectra/%.127s", rows[i].file);
        zstr_error e;
        memset(&e, 0, sizeof e);
        zstr_spectrum *s = (zstr_spectrum *)&e;
        int rc = zstr_spectrum_read(path, NULL, &s, &e);
        ck_assert_msg(rc == status_code(rows[i].status), "%s: status %d (%s), expected %s",
                      rows[i].file, rc, e.message, rows[i].status);
        ck_assert_ptr_null(s);
        ck_assert_msg(e.line == rows[i].line, "%s: line %ld, expected %ld (%s)", rows[i].file,
                      e.line, rows[i].line, e.message);
        ck_assert_str_eq(e.file, path);
        ck_assert_msg(strstr(e.message, rows[i].fragment) != NULL,
                      "%s: message '%s' lacks '%s'", rows[i].file, e.message,
                      rows[i].fragment);
        ck_assert_msg(strstr(e.message, path) != NULL, "%s: message does not name the file",
                      rows[i].file);
    }
    /* the folder and the table list the same files */
    DIR *d = opendir("data/bad_spectra");
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0)
            continue;
        int listed = 0;
        for (int i = 0; i < n; i++)
            listed |= strcmp(rows[i].file, de->d_name) == 0;
        ck_assert_msg(listed, "data/bad_spectra/%s is not listed in README.md", de->d_name);
    }
    closedir(d);
}
END_TEST

/* Every prefix of a good file either reads or fails cleanly with a line
 * inside the prefix: truncation anywhere is never a crash. */
START_TEST(test_truncated_prefixes)
{
    const char *good = "EXPLAIN\nAREA\tQUANT\t1\tA\nZCURVE\tTABLE\t2\n\tPt\tFreq\tZreal\tZimag\n"
                       "\t#\tHz\tohm\tohm\n\t0\t1000\t10\t-1\n\t1\t100\t11\t-2\n";
    size_t len = strlen(good);
    for (size_t k = 0; k < len; k++) {
        zstr_error e;
        zstr_spectrum *s = NULL;
        int rc = zstr_spectrum_read_buffer(good, k, "t.DTA", NULL, &s, &e);
        ck_assert_msg(rc == ZSTR_EINVAL || (rc == ZSTR_OK && k > len - 12),
                      "prefix %zu: %d %s", k, rc, e.message);
        if (rc != ZSTR_OK)
            ck_assert_int_le(e.line, 7);
        zstr_spectrum_free(s);
    }
}
END_TEST

Suite *suite_spectrum(void)
{
    Suite *s = suite_create("spectrum");
    TCase *tc = tcase_create("readers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_create_and_accessors);
    tcase_add_test(tc, test_own_csv_roundtrip);
    tcase_add_test(tc, test_dc_row_skipped);
    tcase_add_test(tc, test_generic_csv_layouts);
    tcase_add_test(tc, test_mpt);
    tcase_add_test(tc, test_dta);
    tcase_add_test(tc, test_zplot);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_bad_catalogue);
    tcase_add_test(tc, test_truncated_prefixes);
    suite_add_tcase(s, tc);
    return s;
}
