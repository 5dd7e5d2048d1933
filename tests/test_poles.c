/*
 * test_poles.c — the poles-file reader (cli/poles.c): what `zstr run --poles`
 * writes reads back exactly, and a catalogue of broken files is refused with
 * the line that is wrong.
 */
#include "zs_test.h"

#include <stdio.h>
#include <string.h>

#include "poles.h"

START_TEST(test_good_files)
{
    const char *text = "tau_s,R_Ohm\r\n"
                       "# libzstr exact relaxation-time spectrum\n"
                       "0,12.5\n"
                       "2.9872378567817338e-08,217143.07410996751\n"
                       "\n"
                       "# a comment between rows\n"
                       "0.88668576116166142,24314.893034319961"; /* no final newline */
    double *tau, *r, rinf;
    int64_t n;
    char msg[256];
    ck_assert_msg(zc_poles_parse("p.csv", text, strlen(text), &tau, &r, &n, &rinf, msg,
                                 sizeof msg) == 0, "%s", msg);
    ck_assert_int_eq(n, 2);
    ck_assert(rinf == 12.5);
    /* %.17g round trips exactly */
    ck_assert(tau[0] == 2.9872378567817338e-08 && r[0] == 217143.07410996751);
    ck_assert(tau[1] == 0.88668576116166142 && r[1] == 24314.893034319961);
    free(tau);
    free(r);
    /* a header alone: no poles (an open circuit has a capacitor only) */
    ck_assert(zc_poles_parse("p.csv", "tau_s,R_Ohm\n", 12, &tau, &r, &n, &rinf, msg,
                             sizeof msg) == 0);
    ck_assert(n == 0 && tau == NULL && r == NULL && rinf == 0.0);
    /* many rows: the arrays grow */
    char *big = malloc(200000);
    ck_assert_ptr_nonnull(big);
    size_t len = (size_t)sprintf(big, "tau_s,R_Ohm\n");
    for (int k = 1; k <= 5000; k++)
        len += (size_t)sprintf(big + len, "%d,%d\n", k, 2 * k);
    ck_assert(zc_poles_parse("big.csv", big, len, &tau, &r, &n, &rinf, msg, sizeof msg) == 0);
    ck_assert_int_eq(n, 5000);
    ck_assert(tau[4999] == 5000.0 && r[4999] == 10000.0);
    free(tau);
    free(r);
    free(big);
}
END_TEST

/* The catalogue: each text is refused, naming the file and the line. */
static const struct {
    const char *text;
    size_t len; /* 0: strlen */
    int line;
    const char *what;
} broken[] = {
    {"", 0, 1, "empty"},
    {"tau,R\n1,2\n", 0, 1, "line 1 must be"},
    {"f_Hz,Zre_Ohm,Zim_Ohm\n1,2,3\n", 0, 1, "line 1 must be"},
    {"tau_s,R_Ohm\n1e-3\n", 0, 2, "two fields"},
    {"tau_s,R_Ohm\n1e-3,2,3\n", 0, 2, "two fields"},
    {"tau_s,R_Ohm\n1e-3,abc\n", 0, 2, "finite number"},
    {"tau_s,R_Ohm\n1e-3,2x\n", 0, 2, "finite number"},
    {"tau_s,R_Ohm\n1e-3,nan\n", 0, 2, "finite number"},
    {"tau_s,R_Ohm\n1e-3,inf\n", 0, 2, "finite number"},
    {"tau_s,R_Ohm\n1e-3,1e999\n", 0, 2, "finite number"},
    {"tau_s,R_Ohm\n1e-3,\n", 0, 2, "finite number"},
    {"tau_s,R_Ohm\n1,2\n-1e-3,2\n", 0, 3, ">= 0"},
    {"tau_s,R_Ohm\n1e-3,-2\n", 0, 2, ">= 0"},
    {"tau_s,R_Ohm\n0,1\n0,2\n", 0, 3, "second tau = 0"},
    {"tau_s,R_Ohm\n1,2\n3,\0004\n", 20, 3, "NUL"},
    {"tau_s,R_Ohm\n1,2\n12345678901234567890123456789012345678901234567890123456789012345678,1\n", 0,
     3, "finite number"},
};

START_TEST(test_broken_catalogue)
{
    for (size_t k = 0; k < sizeof broken / sizeof broken[0]; k++) {
        double junk = 1.0, *tau = &junk, *r = &junk, rinf = 7.0; /* must come back NULL */
        int64_t n = 99;
        char msg[256] = "", want[64];
        size_t len = broken[k].len ? broken[k].len : strlen(broken[k].text);
        ck_assert_msg(zc_poles_parse("bad.csv", broken[k].text, len, &tau, &r, &n, &rinf, msg,
                                     sizeof msg) == -1,
                      "case %zu accepted", k);
        ck_assert(tau == NULL && r == NULL && n == 0 && rinf == 0.0);
        snprintf(want, sizeof want, "bad.csv:%d: ", broken[k].line);
        ck_assert_msg(strncmp(msg, want, strlen(want)) == 0 && strstr(msg, broken[k].what),
                      "case %zu: '%s' (want %s ... %s)", k, msg, want, broken[k].what);
    }
}
END_TEST

START_TEST(test_files)
{
    char dir[] = "/tmp/zstr_test_poles_XXXXXX", path[96], msg[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    double *tau, *r, rinf;
    int64_t n;
    snprintf(path, sizeof path, "%s/none.csv", dir);
    ck_assert_int_eq(zc_poles_read(path, &tau, &r, &n, &rinf, msg, sizeof msg), -1);
    ck_assert(strstr(msg, path) != NULL);
    ck_assert_int_eq(zc_poles_read(dir, &tau, &r, &n, &rinf, msg, sizeof msg), -1); /* a folder */
    snprintf(path, sizeof path, "%s/p.csv", dir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("tau_s,R_Ohm\n0.5,3\n", fp);
    fclose(fp);
    ck_assert_msg(zc_poles_read(path, &tau, &r, &n, &rinf, msg, sizeof msg) == 0, "%s", msg);
    ck_assert(n == 1 && tau[0] == 0.5 && r[0] == 3.0);
    free(tau);
    free(r);
    zs_scratch_remove(dir);
}
END_TEST

Suite *suite_poles(void)
{
    Suite *s = suite_create("poles");
    TCase *tc = tcase_create("poles");
    tcase_add_test(tc, test_good_files);
    tcase_add_test(tc, test_broken_catalogue);
    tcase_add_test(tc, test_files);
    suite_add_tcase(s, tc);
    return s;
}
