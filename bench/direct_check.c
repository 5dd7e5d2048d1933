/*
 * direct_check.c — the direct solve and the reduced-order model against an
 * independent reference, per frequency, on the paper's model
 * (bench/paper_model.h).  Uses library internals, so it links the static
 * library and is not built by the Makefile:
 *
 *   make lib
 *   cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Ilib -o build/direct_check \
 *       bench/direct_check.c build/libzstr.a -lumfpack -lcholmod -lamd -lsuitesparseconfig \
 *       $(pkg-config --libs libtiff-4 hdf5-serial) -lgsl -lgslcblas -llapack -lblas -lm -lpthread
 *   OPENBLAS_NUM_THREADS=1 build/direct_check -n 32 [-lo -3] [-hi 7] [-t 1e-6]
 *
 * For each decade f = 10^lo … 10^hi it prints one Markdown row:
 *   - the relative difference of zstr_execute from the reference;
 *   - that of the reduced model at tolerance t (and its own estimate) and at
 *     1e-11 (-t 0 skips both);
 *   - ρ·|K_ww|·|Z_ref|: the first-order shift of Z caused by rounding the port
 *     form's WE diagonal K_ww = Σ y_e (ρ = its relative rounding, measured
 *     against a long-double sum of the same elements); see lib/execute.c.
 *
 * Reference: the port form (WE as unknown node, 1 A, Z = x_WE) with
 * long-double unknowns refined against a residual summed element by element
 * in long double, 8 steps, UMFPACK's LU of the assembled port form as the
 * preconditioner only (tests/test_direct.c does the same at 16³).
 */
#include "zs_plan.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paper_model.h"
#include "port_reference.h"


static lcomplex reference(const zs_pencil *p, const zs_system *s, void *sym, double w,
                          lcomplex *x, lcomplex *r, double *b, double *d)
{
    void *num = NULL;
    zstr_error e;
    if (zs_backend_umfpack.factor(s, sym, 0.0, w, &num, &e) != ZSTR_OK) {
        fprintf(stderr, "%s\n", e.message);
        exit(1);
    }
    for (int64_t q = 0; q < s->n; q++)
        x[q] = 0.0L;
    for (int step = 0; step < 8; step++) {
        port_residual(p, w, x, r);
        for (int64_t q = 0; q < s->n; q++) {
            b[2 * q] = (double)creall(r[q]);
            b[2 * q + 1] = (double)cimagl(r[q]);
        }
        zs_backend_umfpack.solve(s, sym, num, 1, b, d, &e);
        for (int64_t q = 0; q < s->n; q++)
            x[q] += d[2 * q] + I * (long double)d[2 * q + 1];
    }
    zs_backend_umfpack.free_numeric(num);
    return x[s->n - 1];
}

static double rel(const double *z, lcomplex ref)
{
    return (double)(cabsl(z[0] + I * (long double)z[1] - ref) / cabsl(ref));
}

static void rom(const zstr_plan *plan, int nf, const double *f, double tol, double *z,
                double *est)
{
    zstr_rom_options ro;
    zstr_rom_options_default(&ro);
    ro.tolerance = tol;
    zstr_rom *r = NULL;
    zstr_error e;
    if (zstr_rom_create(plan, nf, f, &ro, &r, &e) != ZSTR_OK ||
        zstr_rom_evaluate(r, nf, f, z, est, &e) != ZSTR_OK) {
        fprintf(stderr, "reduced model: %s\n", e.message);
        exit(1);
    }
    zstr_rom_free(r);
}

int main(int argc, char **argv)
{
    int64_t n = 16;
    int lo = -3, hi = 7;
    double tol = 1e-6;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-n") == 0)
            n = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "-lo") == 0)
            lo = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-hi") == 0)
            hi = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-t") == 0)
            tol = atof(argv[i + 1]);
    }
    if (n < 1 || hi < lo || hi - lo > 20) {
        fprintf(stderr, "usage: direct_check -n N [-lo DECADE] [-hi DECADE] [-t TOL]\n");
        return 2;
    }
    zstr_model *m = NULL;
    zstr_plan *plan = NULL;
    zstr_workspace *ws = NULL;
    int64_t ng;
    zstr_error e;
    if (bench_paper_model(n, 1, 0, &m, &ng, &e) != ZSTR_OK ||
        zstr_plan_create(m, NULL, &plan, &e) != ZSTR_OK ||
        zstr_workspace_create(plan, &ws, &e) != ZSTR_OK) {
        fprintf(stderr, "%s\n", e.message);
        return 1;
    }
    const zs_pencil *p = &plan->p;
    zs_system s;
    void *sym = NULL;
    if (zs_system_build(p, ZSTR_WE, &s, &e) != ZSTR_OK ||
        zs_backend_umfpack.analyse(&s, ZSTR_ORDERING_METIS, &sym, &e) != ZSTR_OK) {
        fprintf(stderr, "%s\n", e.message);
        return 1;
    }
    const int nf = hi - lo + 1;
    double f[21], zt[42], et[21], z11[42];
    for (int k = 0; k < nf; k++)
        f[k] = pow(10.0, lo + k);
    if (tol > 0.0) {
        rom(plan, nf, f, tol, zt, et);
        rom(plan, nf, f, 1e-11, z11, NULL);
    }
    /* the WE diagonal of the assembled port form against a long-double sum */
    long double gw = 0.0L, cw = 0.0L;
    for (int64_t k = 0; k < p->elec[ZSTR_WE].n; k++) {
        gw += p->elec[ZSTR_WE].g[k];
        cw += p->elec[ZSTR_WE].c[k];
    }
    const int64_t qw = s.Ap[s.n] - 1;
    lcomplex *x = malloc(sizeof *x * (size_t)s.n), *r = malloc(sizeof *r * (size_t)s.n);
    double *b = malloc(sizeof *b * 2 * (size_t)s.n), *d = malloc(sizeof *d * 2 * (size_t)s.n);
    if (x == NULL || r == NULL || b == NULL || d == NULL)
        return 1;
    printf("n = %lld, %lld unknowns, %lld WE elements\n\n", (long long)n, (long long)p->n,
           (long long)p->elec[ZSTR_WE].n);
    printf("| f Hz | Z_ref Ω | direct | MOR %g | its estimate | MOR 1e-11 | ρ·|K_ww|·|Z| |\n",
           tol);
    printf("|---:|---|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < nf; k++) {
        const double w = 2.0 * ZS_PI * f[k];
        double z[2];
        if (zstr_execute(plan, ws, f[k], z, &e) != ZSTR_OK) {
            fprintf(stderr, "%g Hz: %s\n", f[k], e.message);
            return 1;
        }
        lcomplex zr = reference(p, &s, sym, w, x, r, b, d);
        lcomplex kexact = gw + I * (w * cw), kround = s.Gx[qw] + I * (w * (long double)s.Cx[qw]);
        double shift = (double)(cabsl(kround - kexact) * cabsl(zr));
        printf("| %g | %.10Lg%+.10Lgj | %.2g |", f[k], creall(zr), cimagl(zr), rel(z, zr));
        if (tol > 0.0)
            printf(" %.2g | %.2g | %.2g |", rel(&zt[2 * k], zr), et[k], rel(&z11[2 * k], zr));
        else
            printf(" | | |");
        printf(" %.2g |\n", shift);
        fflush(stdout);
    }
    free(x);
    free(r);
    free(b);
    free(d);
    zs_backend_umfpack.free_symbolic(sym);
    zs_system_free(&s);
    zstr_workspace_free(ws);
    zstr_plan_free(plan);
    zstr_model_free(m);
    return 0;
}
