/*
 * serial_build.c — the serial libzstr (libzstr.a, never MPI) keeps its side of
 * the backend choice, whatever the test runner links (libzstr-mpi when PETSc
 * is installed):
 *   - it has no iterative backend (zstr_backend_available says 0);
 *   - a plan that asks for ZSTR_BACKEND_ITERATIVE is refused with
 *     ZSTR_EUNSUPPORTED and a message that names libzstr-mpi, and so is
 *     zstr_plan_check_grid with the same options;
 *   - auto and direct still make plans whose reduced-order sweeps run on
 *     CHOLMOD (info.backend = ZSTR_BACKEND_DIRECT, no Krylov iterations) and
 *     give the exact impedance of a homogeneous block, R / (1 + jωτ).
 * Exit status 0 when every check holds; each failure is printed.
 */
#include "zstr.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;

static void check(int ok, const char *what, const zstr_error *e)
{
    if (!ok) {
        failures++;
        fprintf(stderr, "serial_build: FAIL %s%s%s\n", what, e != NULL ? ": " : "",
                e != NULL ? e->message : "");
    }
}

int main(void)
{
    zstr_error e;
    memset(&e, 0, sizeof e);
    check(zstr_backend_available(ZSTR_BACKEND_ITERATIVE) == 0,
          "the serial library claims an iterative backend", NULL);
    check(zstr_backend_available(ZSTR_BACKEND_DIRECT) == 1, "no direct backend", NULL);
    const int64_t n = 4;
    const double h = 1e-6, sigma = 0.046, epsr = 150.0;
    zstr_model *m = NULL;
    if (zstr_model_create(n, n, n, h, h, h, &m, &e) != ZSTR_OK) {
        check(0, "zstr_model_create", &e);
        return 1;
    }
    zstr_phase_params ph = {"bulk", sigma, epsr, 0.0, 298.15};
    check(zstr_model_add_phase(m, &ph, NULL, &e) == ZSTR_OK, "zstr_model_add_phase", &e);
    zstr_options o;
    zstr_options_default(&o);
    o.backend = ZSTR_BACKEND_ITERATIVE;
    zstr_plan *plan = (zstr_plan *)&e;
    int rc = zstr_plan_create(m, &o, &plan, &e);
    check(rc == ZSTR_EUNSUPPORTED && plan == NULL, "ITERATIVE not refused with EUNSUPPORTED", &e);
    check(strstr(e.message, "libzstr-mpi") != NULL, "the refusal does not name libzstr-mpi", &e);
    const int64_t grid[3] = {n, n, n};
    check(zstr_plan_check_grid(grid, &o, NULL, &e) == ZSTR_EUNSUPPORTED,
          "zstr_plan_check_grid accepts ITERATIVE", &e);
    const int backends[2] = {ZSTR_BACKEND_AUTO, ZSTR_BACKEND_DIRECT};
    for (int k = 0; k < 2; k++) {
        o.backend = backends[k];
        if (zstr_plan_create(m, &o, &plan, &e) != ZSTR_OK) {
            check(0, "zstr_plan_create with auto or direct", &e);
            continue;
        }
        zstr_plan_info in;
        zstr_plan_info_init(&in);
        zstr_plan_get_info(plan, &in);
        check(in.backend == ZSTR_BACKEND_DIRECT, "the plan's backend is not CHOLMOD", NULL);
        double f[3] = {1e3, 1e6, 1e9}, z[6];
        zstr_sweep_report rep;
        zstr_sweep_report_init(&rep);
        zstr_sweep_options so;
        zstr_sweep_options_default(&so);
        so.method = ZSTR_METHOD_MOR;
        so.report = &rep;
        check(zstr_sweep(plan, 3, f, z, &so, &e) == ZSTR_OK, "the MOR sweep", &e);
        check(rep.backend == ZSTR_BACKEND_DIRECT && rep.iterations == 0,
              "the report names another backend than CHOLMOD", NULL);
        /* R = L / (σA), τ = ε0 ε_r / σ: the reduced model of one RC is exact */
        const double R = (double)n * h / (sigma * (double)(n * n) * h * h);
        const double tau = ZSTR_EPSILON0 * epsr / sigma;
        for (int j = 0; j < 3; j++) {
            double wt = 2.0 * 3.14159265358979323846 * f[j] * tau, den = 1.0 + wt * wt;
            double re = R / den, im = -R * wt / den;
            double d = hypot(z[2 * j] - re, z[2 * j + 1] - im) / hypot(re, im);
            check(d < 1e-9, "Z of the block is not R / (1 + jwt)", NULL);
        }
        zstr_plan_free(plan);
    }
    zstr_model_free(m);
    if (failures == 0)
        printf("serial_build: the serial libzstr refuses the iterative backend, CHOLMOD runs\n");
    return failures == 0 ? 0 : 1;
}
