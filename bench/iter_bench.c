/*
 * iter_bench.c — the reduced-order sweep with CHOLMOD against the same sweep
 * with the iterative backend (PETSc's CG + AMG, libzstr-mpi), on the paper's
 * model (bench/paper_model.h).
 *
 * One case is one grid size and one backend, in one process (run each
 * separately, so the peak RSS is the case's own):
 *   1. plan the model with the backend;
 *   2. zstr_sweep with method MOR over 101 frequencies, 1 mHz .. 10 MHz (20 per
 *      decade), tolerance T (default 1e-6); wall time, factorizations (for the
 *      iterative backend: preconditioner set-ups), solves, Krylov iterations
 *      and per solve, the estimate, frequencies recomputed by LU, the
 *      process's peak RSS (VmHWM);
 *   3. -w FILE writes the 101 values of Z (%.17g); -c FILE reads such a file
 *      (the other backend's) and reports the largest relative difference;
 *   4. -d: after the sweep, R_DC (zstr_dc_resistance: CG + AMG on the voxel
 *      network at DC for an iterative plan, CHOLMOD for a direct one), its
 *      time and the peak RSS after it, on stderr; -D: R_DC alone, no sweep.
 *
 *   iter_bench -n N -b direct|iterative|auto [-t T] [-o "PETSc options"] [-w OUT] [-c REF] [-d|-D]
 *
 * -b auto plans as zstr_plan_create's default does and reports on stderr
 * the backend it chose, its plan time and its figures (auto.*: both
 * predicted shift times), then sweeps with it.
 *
 * Output: one Markdown table row on stdout; progress on stderr.
 */
#include "zstr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"
#include "paper_model.h"

static int progress(void *ctx, int factorizations, double estimate)
{
    fprintf(stderr, "  %s: factorization %d, estimate %.2g at %.1f s\n", (const char *)ctx,
            factorizations, estimate, bench_now());
    return 0;
}

int main(int argc, char **argv)
{
    bench_fix_mmap_threshold();
    int64_t n = 0;
    int backend = -1;
    double tol = 1e-6;
    const char *opts = NULL, *wpath = NULL, *cpath = NULL;
    int want_dc = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-d") == 0)
            want_dc = 1;
        else if (strcmp(argv[i], "-D") == 0)
            want_dc = 2;
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = atoll(argv[++i]);
        else if (strcmp(argv[i], "-b") == 0 && i + 1 < argc) {
            const char *b = argv[++i];
            backend = strcmp(b, "direct") == 0      ? ZSTR_BACKEND_DIRECT
                      : strcmp(b, "iterative") == 0 ? ZSTR_BACKEND_ITERATIVE
                      : strcmp(b, "auto") == 0      ? ZSTR_BACKEND_AUTO
                                                    : -1;
        } else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            tol = atof(argv[++i]);
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            opts = argv[++i];
        else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
            wpath = argv[++i];
        else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            cpath = argv[++i];
        else
            backend = -2;
    }
    if (n < 2 || backend < 0 || !(tol > 0.0 && tol < 1.0)) {
        fprintf(stderr, "usage: iter_bench -n N -b direct|iterative|auto [-t T] [-o OPTIONS] "
                        "[-w OUT] [-c REF] [-d|-D]\n");
        return 2;
    }
    zstr_error e;
    zstr_model *m = NULL;
    int64_t ngrains = 0;
    double t0 = bench_now();
    if (bench_paper_model(n, 1, 0, &m, &ngrains, &e) != ZSTR_OK) {
        fprintf(stderr, "iter_bench: %s\n", e.message);
        return 1;
    }
    zstr_options o;
    zstr_options_default(&o);
    o.backend = backend;
    o.backend_options = opts;
    zstr_plan *p = NULL;
    if (zstr_plan_create(m, &o, &p, &e) != ZSTR_OK) {
        fprintf(stderr, "iter_bench: %s\n", e.message);
        return 1;
    }
    double t_plan = bench_now() - t0;
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    zstr_plan_get_info(p, &in);
    double *f = NULL;
    int64_t nf = 0;
    zstr_frequencies_log(1e-3, 1e7, 10, &f, &nf, &e); /* 101 points */
    double *z = malloc(sizeof(double) * 2 * (size_t)nf);
    if (f == NULL || z == NULL)
        return 1;
    zstr_sweep_report rep;
    zstr_sweep_report_init(&rep);
    zstr_sweep_options so;
    zstr_sweep_options_default(&so);
    so.method = ZSTR_METHOD_MOR;
    so.tolerance = tol;
    so.report = &rep;
    so.mor_progress = progress;
    so.context = in.backend == ZSTR_BACKEND_DIRECT ? "cholmod" : "iterative";
    fprintf(stderr,
            "n = %lld: %lld unknowns, plan %.1f s, %.0f MiB; reduced-order sweep predicted "
            "%.0f MiB\n",
            (long long)n, (long long)in.n_unknowns, t_plan, in.plan_bytes / 1048576.0,
            in.predicted_mor_bytes / 1048576.0);
    const char *sname;
    double sval;
    for (int k = 0; zstr_plan_solver_stat(p, k, &sname, &sval) == ZSTR_OK; k++)
        fprintf(stderr, "  %s = %.6g\n", sname, sval);
    if (backend == ZSTR_BACKEND_AUTO)
        fprintf(stderr, "  auto chose the %s backend\n",
                in.backend == ZSTR_BACKEND_ITERATIVE ? "iterative" : "direct");
    if (want_dc == 2) { /* R_DC alone */
        zstr_dc_result dc;
        zstr_dc_result_init(&dc);
        double td = bench_now();
        int rc = zstr_dc_resistance(p, &dc, &e);
        fprintf(stderr, "R_DC = %.10g ohm in %.1f s (%s); peak RSS %.0f MiB\n", dc.resistance,
                bench_now() - td, rc == ZSTR_OK ? "ok" : e.message, bench_vm_hwm_mib());
        free(f);
        free(z);
        zstr_plan_free(p);
        zstr_model_free(m);
        return rc == ZSTR_OK ? 0 : 1;
    }
    if (zstr_sweep(p, nf, f, z, &so, &e) < 0) {
        fprintf(stderr, "iter_bench: %s\n", e.message);
        return 1;
    }
    double hwm = bench_vm_hwm_mib();
    double diff = NAN;
    if (cpath != NULL) {
        FILE *fp = fopen(cpath, "r");
        if (fp == NULL) {
            perror(cpath);
            return 1;
        }
        diff = 0.0;
        for (int64_t j = 0; j < nf; j++) {
            double a, b;
            if (fscanf(fp, "%lf %lf", &a, &b) != 2) {
                fprintf(stderr, "iter_bench: %s: short file\n", cpath);
                return 1;
            }
            diff = fmax(diff, hypot(z[2 * j] - a, z[2 * j + 1] - b) / hypot(a, b));
        }
        fclose(fp);
    }
    if (wpath != NULL) {
        FILE *fp = fopen(wpath, "w");
        if (fp == NULL) {
            perror(wpath);
            return 1;
        }
        for (int64_t j = 0; j < nf; j++)
            fprintf(fp, "%.17g %.17g\n", z[2 * j], z[2 * j + 1]);
        if (fclose(fp) != 0) {
            perror(wpath);
            return 1;
        }
    }
    if (want_dc) {
        zstr_dc_result dc;
        zstr_dc_result_init(&dc);
        double td = bench_now();
        if (zstr_dc_resistance(p, &dc, &e) != ZSTR_OK) {
            fprintf(stderr, "iter_bench: R_DC: %s\n", e.message);
            return 1;
        }
        fprintf(stderr, "R_DC = %.10g ohm in %.1f s; peak RSS after it %.0f MiB\n",
                dc.resistance, bench_now() - td, bench_vm_hwm_mib());
    }
    int64_t real_solves = rep.solves > 0 ? rep.solves : 1;
    printf("| %lld | %lld | %s | %.1f | %.1f | %lld | %lld | %lld | %.1f | %.3g | %lld | %.3g | "
           "%.0f |\n",
           (long long)n, (long long)in.n_unknowns,
           rep.backend == ZSTR_BACKEND_ITERATIVE ? "iterative" : "cholmod", t_plan, rep.seconds,
           (long long)(rep.factorizations - rep.direct), (long long)rep.solves,
           (long long)rep.iterations, (double)rep.iterations / (double)real_solves,
           rep.max_estimate, (long long)rep.direct, diff, hwm);
    free(f);
    free(z);
    zstr_plan_free(p);
    zstr_model_free(m);
    return 0;
}
