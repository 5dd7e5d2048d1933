/*
 * test_csvread.c — the spectrum CSV reader of `zstr plot` (cli/csvread.c):
 * files the library writes read back exactly, and the broken-spectrum
 * catalogue data/bad/spectra (driven by its README table) fails with
 * file:line messages and returns nothing.
 */
#include "zs_test.h"

#include "csvread.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top_dir[64];

static void csv_setup(void)
{
    snprintf(top_dir, sizeof top_dir, "/tmp/zstr_test_csvread_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top_dir));
}

static void csv_teardown(void) { zs_scratch_remove(top_dir); }

/* A spectrum written by the library (zstr_spectrum_write_csv, %.17g) reads
 * back bit for bit, with its area, contact fraction and --set lines; the
 * truth is the arrays handed to the writer. */
START_TEST(test_roundtrip)
{
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(4, 4, 4, 2.5e-6, 2.5e-6, 2.5e-6, &m, &e), &e);
    enum { N = 5 };
    const double f[N] = {0.001, 0.1, 1.0 / 3.0, 1e3, 1e7};
    double z[2 * N];
    for (int i = 0; i < N; i++)
        z[2 * i] = 100.0 / (i + 1) + 1e-13, z[2 * i + 1] = -1.0 / 7.0 * i;
    char dir[128], path[192], msg[512] = "";
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s.csv", dir);
    int rc = zstr_spectrum_write_csv(path, m, N, f, z, NULL,
                                     "model x.xml\n--set a.b=1\n--set cell.temperature=-20C", &e);
    ck_assert_msg(rc == ZSTR_OK, "%s", e.message);
    zf_spectrum s;
    ck_assert_msg(zf_read(path, &s, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_int_eq(s.n, N);
    double area_cm2 = 16 * 2.5e-6 * 2.5e-6 * 1e4;
    for (int i = 0; i < N; i++) {
        ck_assert(s.f[i] == f[i]);
        ck_assert(s.z[2 * i] == z[2 * i] && s.z[2 * i + 1] == z[2 * i + 1]);
        ck_assert_ptr_nonnull(s.zc);
        /* the Ω·cm² columns are Z·A, rounded once by the writer */
        ck_assert(zs_test_rel(s.zc[2 * i], z[2 * i] * area_cm2) < 1e-15);
    }
    ck_assert(zs_test_rel(s.area_cm2, area_cm2) < 1e-15);
    ck_assert(s.contact == 1.0);
    ck_assert_str_eq(s.sets, "a.b=1, cell.temperature=-20C");
    zf_free(&s);
    zf_free(&s); /* a zeroed struct is a no-op */
    zstr_model_free(m);
}
END_TEST

/* Three columns, CRLF line ends, blank lines and inf (an open circuit). */
START_TEST(test_three_columns)
{
    char dir[128], path[192], msg[512] = "";
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/t.csv", dir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("# f_Hz,Zre_Ohm,Zim_Ohm\r\n# note\r\n\r\n0,inf,0\r\n1e3,2.5,-1e-3\r\n", fp);
    fclose(fp);
    zf_spectrum s;
    ck_assert_msg(zf_read(path, &s, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_int_eq(s.n, 2);
    ck_assert(s.zc == NULL && s.area_cm2 == 0.0 && s.contact == -1.0);
    ck_assert(s.f[0] == 0.0 && isinf(s.z[0]) && s.z[0] > 0 && s.z[1] == 0.0);
    ck_assert(s.f[1] == 1e3 && s.z[2] == 2.5 && s.z[3] == -1e-3);
    zf_free(&s);
    ck_assert_int_eq(zf_read("data/no-such.csv", &s, msg, sizeof msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "data/no-such.csv: cannot open"));
}
END_TEST

/* The catalogue: each file fails at its line with its fragment. */
START_TEST(test_catalogue)
{
    FILE *fp = fopen("data/bad/spectra/README.md", "r");
    ck_assert_msg(fp != NULL, "data/bad/spectra/README.md is missing");
    char buf[512], names[64][64];
    int n = 0;
    while (fgets(buf, sizeof buf, fp) != NULL) {
        if (strncmp(buf, "| `", 3) != 0)
            continue;
        char file[64], frag[256];
        long line;
        ck_assert_msg(sscanf(buf, "| `%63[^`]` | %ld | `%255[^`]` |", file, &line, frag) == 3,
                      "README.md: cannot read the row: %s", buf);
        ck_assert(n < 64);
        snprintf(names[n++], sizeof names[0], "%s", file);
        char path[160], want[200], msg[600] = "";
        snprintf(path, sizeof path, "data/bad/spectra/%s", file);
        zf_spectrum s;
        ck_assert_msg(zf_read(path, &s, msg, sizeof msg) == -1, "%s was read", file);
        ck_assert(s.n == 0 && s.f == NULL && s.z == NULL && s.zc == NULL);
        if (line > 0)
            snprintf(want, sizeof want, "%s:%ld: ", path, line);
        else
            snprintf(want, sizeof want, "%s: ", path);
        ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "%s: message '%s' lacks '%s'", file,
                      msg, want);
        ck_assert_msg(strstr(msg, frag) != NULL, "%s: message '%s' lacks '%s'", file, msg, frag);
        ck_assert_msg(strchr(msg, '\n') == NULL, "%s: message is not one line", file);
    }
    fclose(fp);
    ck_assert_int_ge(n, 10);
    DIR *d = opendir("data/bad/spectra");
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0)
            continue;
        int listed = 0;
        for (int i = 0; i < n && !listed; i++)
            listed = strcmp(names[i], de->d_name) == 0;
        ck_assert_msg(listed, "data/bad/spectra/%s is not listed in README.md", de->d_name);
    }
    closedir(d);
}
END_TEST

Suite *suite_csvread(void)
{
    Suite *s = suite_create("csvread");
    TCase *tc = tcase_create("csvread");
    tcase_add_unchecked_fixture(tc, csv_setup, csv_teardown);
    tcase_add_test(tc, test_roundtrip);
    tcase_add_test(tc, test_three_columns);
    tcase_add_test(tc, test_catalogue);
    suite_add_tcase(s, tc);
    return s;
}
