/*
 * test_series.c — series of runs (cli/series.c): grid and paired layouts
 * against nested loops, the contact-fraction tolerance on the cases of
 * issue 6, the sweep time estimate, and the summary CSV read back.
 */
#include "zs_test.h"

#include "series.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top_dir[64];

static void series_setup(void)
{
    snprintf(top_dir, sizeof top_dir, "/tmp/zstr_test_series_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top_dir));
}

static void series_teardown(void) { zs_scratch_remove(top_dir); }

/* --grid: three lists of 2, 1 and 3 values.  The truth is the nested loops
 * a user would write, first list outermost: member k must take exactly the
 * loop's values, so every combination appears once, in that order. */
START_TEST(test_grid)
{
    const int n[3] = {2, 1, 3};
    int stride[3], members = 0;
    char why[256];
    ck_assert_int_eq(zr_layout(3, n, 1, 256, &members, stride, why, sizeof why), 0);
    ck_assert_int_eq(members, 6);
    int k = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 1; b++)
            for (int c = 0; c < 3; c++, k++) {
                ck_assert_int_eq(zr_index(n[0], stride[0], k), a);
                ck_assert_int_eq(zr_index(n[1], stride[1], k), b);
                ck_assert_int_eq(zr_index(n[2], stride[2], k), c);
            }
    /* too many combinations is a usage error, not an allocation */
    const int big[2] = {200, 200};
    ck_assert_int_eq(zr_layout(2, big, 1, 256, &members, stride, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "256"));
}
END_TEST

/* Paired lists: member k takes the k-th value of each list, single values
 * go to everyone; unequal lengths are refused and the message names --grid. */
START_TEST(test_paired)
{
    const int n[3] = {4, 1, 4};
    int stride[3], members = 0;
    char why[256];
    ck_assert_int_eq(zr_layout(3, n, 0, 256, &members, stride, why, sizeof why), 0);
    ck_assert_int_eq(members, 4);
    for (int k = 0; k < 4; k++) {
        ck_assert_int_eq(zr_index(n[0], stride[0], k), k);
        ck_assert_int_eq(zr_index(n[1], stride[1], k), 0);
        ck_assert_int_eq(zr_index(n[2], stride[2], k), k);
    }
    const int bad[2] = {2, 3};
    ck_assert_int_eq(zr_layout(2, bad, 0, 256, &members, stride, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "--grid"));
    ck_assert_int_eq(zr_layout(0, NULL, 0, 256, &members, stride, why, sizeof why), 0);
    ck_assert_int_eq(members, 1);
}
END_TEST

/* Issue 6's case: a frame asked for 0.05 became 0.082 (64 % off) and must be
 * flagged; 0.22 realised as 0.2256 (2.5 % off) must not; 0 must be met exactly. */
START_TEST(test_contact_tolerance)
{
    ck_assert(zr_contact_differs(0.05, 0.082));
    ck_assert(!zr_contact_differs(0.22, 0.2256));
    ck_assert(!zr_contact_differs(1.0, 1.0));
    ck_assert(zr_contact_differs(0.5, 0.5625)); /* 8 x 8 pixels: 6 x 6 spot, 12.5 % off */
    ck_assert(!zr_contact_differs(0.0, 0.0));
    ck_assert(zr_contact_differs(0.0, 1.0 / 576));
}
END_TEST

/* 10 frequencies of 2 s each on 3 threads: the busiest thread does 4. */
START_TEST(test_sweep_seconds)
{
    ck_assert(zr_sweep_seconds(2.0, 10, 3) == 8.0);
    ck_assert(zr_sweep_seconds(2.0, 10, 1) == 20.0);
    ck_assert(zr_sweep_seconds(2.0, 2, 8) == 2.0);
    ck_assert(zr_sweep_seconds(2.0, 0, 2) == 0.0);
}
END_TEST

/* The CSV: a header with the --set paths, one line per member, R in Ω and
 * Ω·cm², inf for an open circuit, quoted values; numbers read back exactly. */
START_TEST(test_summary_csv)
{
    char dir[128], path[192], msg[256] = "";
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/sum.csv", dir);
    const char *paths[2] = {"map.contact-fraction", "cell.temperature"};
    const char *v1[2] = {"0.5", "-20C"}, *v2[2] = {"0", "say \"hi\""};
    zr_row rows[2] = {
        {0, 0.1 + 1e-17 * 3, 0.01, 0.5625, "a", v1, "mor", 8, 2.5e-7, 1, 0, "iterative", 1234},
        {1, 0, 0.01, 0, "b", v2, "direct", 81, 0.0, 0, 1, "-", 0}};
    ck_assert_msg(zr_summary_write_csv(path, 2, paths, rows, 2, msg, sizeof msg) == 0, "%s", msg);
    char *doc = zs_read_file(path);
    char want[512];
    snprintf(want, sizeof want,
             "member,R_DC_Ohm,R_DC_Ohm_cm2,contact_fraction,method,factorizations,max_estimate,"
             "recomputed,backend,iterations,map.contact-fraction,cell.temperature\n"
             "1,%.17g,%.17g,0.5625,mor,8,2.4999999999999999e-07,1,iterative,1234,0.5,-20C\n"
             "2,inf,inf,0,direct,81,0,0,-,0,0,\"say \"\"hi\"\"\"\n",
             rows[0].rdc, rows[0].rdc * 0.01);
    ck_assert_str_eq(doc, want);
    double r;
    ck_assert(sscanf(doc + strlen("member,R_DC_Ohm,R_DC_Ohm_cm2,contact_fraction,method,"
                                  "factorizations,max_estimate,recomputed,backend,"
                                  "iterations,map.contact-fraction,cell.temperature\n1,"),
                     "%lf", &r) == 1);
    ck_assert(r == rows[0].rdc);
    free(doc);
    ck_assert_int_eq(zs_scratch_count(dir), 1);
    /* a missing folder: an error naming the file, nothing written */
    snprintf(path, sizeof path, "%s/no/sum.csv", dir);
    ck_assert_int_eq(zr_summary_write_csv(path, 2, paths, rows, 2, msg, sizeof msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, path));
    ck_assert_int_eq(zr_check_writable(path, msg, sizeof msg), -1);
    ck_assert_int_eq(zr_check_writable(dir, msg, sizeof msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "folder"));
    snprintf(path, sizeof path, "%s/ok.csv", dir);
    ck_assert_int_eq(zr_check_writable(path, msg, sizeof msg), 0);
    ck_assert_int_eq(zs_scratch_count(dir), 1); /* the check leaves nothing */
}
END_TEST

Suite *suite_series(void)
{
    Suite *s = suite_create("series");
    TCase *tc = tcase_create("series");
    tcase_add_unchecked_fixture(tc, series_setup, series_teardown);
    tcase_add_test(tc, test_grid);
    tcase_add_test(tc, test_paired);
    tcase_add_test(tc, test_contact_tolerance);
    tcase_add_test(tc, test_sweep_seconds);
    tcase_add_test(tc, test_summary_csv);
    suite_add_tcase(s, tc);
    return s;
}
