/*
 * runner.c — runs every Check suite of libzstr (the list is generated from the
 * `Suite *suite_<name>(void)` declarations in tests/test_*.c).
 * Usage: runner [SUITE ...]  — with names, only those suites run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define X(name) Suite *name(void);
#include "suites.h"
#undef X

struct entry {
    const char *name;
    Suite *(*make)(void);
};

static const struct entry all_suites[] = {
#define X(name) {#name, name},
#include "suites.h"
#undef X
};

static int wanted(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], name) == 0 || strcmp(argv[i], name + 6) == 0)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    SRunner *sr = NULL;
    size_t n = sizeof all_suites / sizeof all_suites[0];
    for (size_t i = 0; i < n; i++) {
        if (!wanted(all_suites[i].name, argc, argv))
            continue;
        if (sr == NULL)
            sr = srunner_create(all_suites[i].make());
        else
            srunner_add_suite(sr, all_suites[i].make());
    }
    if (sr == NULL) {
        fprintf(stderr, "runner: no suite matches\n");
        return 2;
    }
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
