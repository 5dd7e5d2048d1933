/*
 * zs_test.h — shared helpers for the Check suites.
 *
 * Every suite is a tests/test_<module>.c file defining exactly one
 *   Suite *suite_<module>(void)
 * scripts/suites.sh finds the definitions (the build stops, naming the file,
 * when one is missing or misnamed) and the runner runs them all.
 */
#ifndef ZS_TEST_H
#define ZS_TEST_H

#include <check.h>
#include <complex.h>
#include <math.h>
#include <stdlib.h>

#include "zstr.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Prototypes of every suite (generated list, see scripts/suites.sh). */
#define X(name) Suite *name(void);
#include "suites.h"
#undef X

/* Relative difference |a - b| / |b| (absolute when b == 0). */
static inline double zs_test_rel(double a, double b)
{
    return b == 0.0 ? fabs(a) : fabs(a - b) / fabs(b);
}

/* Relative difference of complex numbers |a - b| / |b|. */
static inline double zs_test_crel(const double a[2], double complex b)
{
    double complex d = (a[0] + I * a[1]) - b;
    return cabs(d) / cabs(b);
}

/* Message of an optional error record. */
static inline const char *zs_test_msg(const zstr_error *e) { return e ? e->message : ""; }

/* ck_assert with a status: prints zstr_strerror and the message on failure. */
#define ZS_CK_OK(call, errp)                                                             \
    do {                                                                                 \
        int zs_rc_ = (call);                                                             \
        ck_assert_msg(zs_rc_ == ZSTR_OK, "%s -> %d (%s): %s", #call, zs_rc_,             \
                      zstr_strerror(zs_rc_), zs_test_msg(errp));             \
    } while (0)

/* A homogeneous nx × ny × nz block of 1 µm voxels (σ 0.046 S/m, ε_r 150,
 * 0.34 eV) between ideal electrodes. */
static inline zstr_model *zs_test_block(int64_t nx, int64_t ny, int64_t nz)
{
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(nx, ny, nz, 1e-6, 1e-6, 1e-6, &m, &e), &e);
    zstr_phase_params ph = {"bulk", 0.046, 150.0, 0.34, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &ph, NULL, &e), &e);
    return m;
}

/* Scratch files (zs_scratch.c): remove a directory tree (making it writable
 * first); a fresh empty directory under parent; the entries of a directory
 * other than . and ..; a whole file, NUL-terminated (free it). */
void zs_scratch_remove(const char *dir);
void zs_scratch_new(const char *parent, char *dir, size_t size);
int zs_scratch_count(const char *dir);
char *zs_read_file(const char *path);

/* Quick mode (valgrind runs) shrinks the expensive cases. */
static inline int zs_test_quick(void)
{
    const char *q = getenv("ZSTR_TEST_QUICK");
    return q != NULL && q[0] != '\0' && q[0] != '0';
}

#endif
