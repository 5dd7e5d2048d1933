/*
 * mor_bench.c — a whole spectrum by the reduced-order model against the
 * per-frequency complex LU, on the paper's model (bench/paper_model.h).
 *
 * One case is one grid size n, in one process (run each n separately so the
 * peak RSS is the case's own):
 *   1. plan the model;
 *   2. MOR: zstr_sweep with method MOR over 101 frequencies, 1 mHz .. 10 MHz
 *      (20 per decade), tolerance 1e-6; wall time, factorizations, solves, the
 *      process's peak RSS so far (VmHWM);
 *   3. a tighter model (tolerance 1e-9) over the same band, and the largest
 *      relative difference from step 2 at all 101 frequencies;
 *   4. unless -k 0: the direct LU at k frequencies spread over the band (every
 *      101/k-th), timed; the largest relative difference from step 2 there,
 *      and the LU time scaled to 101 frequencies over the MOR time.
 *
 *   mor_bench -n N [-k K] [-m GiB] [-t 0]     (-t 0: no step 3)
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

static int progress(void *ctx, int64_t done, int64_t total)
{
    (void)total;
    fprintf(stderr, "  %s: factorization %lld at %.1f s\n", (const char *)ctx, (long long)done,
            bench_now());
    return 0;
}

static double rel(const double *a, const double *b)
{
    return hypot(a[0] - b[0], a[1] - b[1]) / hypot(b[0], b[1]);
}

int main(int argc, char **argv)
{
    bench_fix_mmap_threshold();
    int64_t n = 0;
    int k = 11, tight = 1;
    double gib = 16.0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = atoll(argv[++i]);
        else if (strcmp(argv[i], "-k") == 0 && i + 1 < argc)
            k = atoi(argv[++i]);
        else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
            gib = atof(argv[++i]);
        else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            tight = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: mor_bench -n N [-k K] [-m GiB] [-t 0|1]\n");
            return 2;
        }
    }
    if (n < 2 || k < 0 || k > 101 || !(gib > 0.0)) {
        fprintf(stderr, "usage: mor_bench -n N [-k K] [-m GiB] [-t 0|1]\n");
        return 2;
    }
    zstr_error e;
    zstr_model *m = NULL;
    int64_t ngrains = 0;
    double t0 = bench_now();
    if (bench_paper_model(n, 1, 0, &m, &ngrains, &e) != ZSTR_OK) {
        fprintf(stderr, "mor_bench: %s\n", e.message);
        return 1;
    }
    zstr_options o;
    zstr_options_default(&o);
    o.memory_limit = gib * 1024.0 * 1024.0 * 1024.0;
    zstr_plan *p = NULL;
    if (zstr_plan_create(m, &o, &p, &e) != ZSTR_OK) {
        fprintf(stderr, "mor_bench: %s\n", e.message);
        return 1;
    }
    double t_plan = bench_now() - t0;
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    zstr_plan_get_info(p, &in);
    double *f = NULL;
    int64_t nf = 0;
    zstr_frequencies_log(1e-3, 1e7, 10, &f, &nf, &e); /* 101 points */
    double *zm = malloc(sizeof(double) * 2 * (size_t)nf);
    double *zt = malloc(sizeof(double) * 2 * (size_t)nf);
    if (f == NULL || zm == NULL || zt == NULL)
        return 1;
    zstr_sweep_report rep, rt;
    zstr_sweep_report_init(&rep);
    zstr_sweep_report_init(&rt);
    zstr_sweep_options so;
    zstr_sweep_options_default(&so);
    so.method = ZSTR_METHOD_MOR;
    so.report = &rep;
    so.progress = progress;
    so.context = "mor 1e-6";
    fprintf(stderr, "n = %lld: %lld unknowns, plan %.1f s\n", (long long)n,
            (long long)in.n_unknowns, t_plan);
    if (zstr_sweep(p, nf, f, zm, &so, &e) < 0) {
        fprintf(stderr, "mor_bench: %s\n", e.message);
        return 1;
    }
    double hwm_mor = bench_vm_hwm_mib();
    so.tolerance = 1e-9;
    so.report = &rt;
    so.context = "mor 1e-9";
    if (tight && zstr_sweep(p, nf, f, zt, &so, &e) < 0) {
        fprintf(stderr, "mor_bench: %s\n", e.message);
        return 1;
    }
    double d_tight = tight ? 0.0 : NAN;
    for (int64_t j = 0; tight && j < nf; j++)
        d_tight = fmax(d_tight, rel(zm + 2 * j, zt + 2 * j));
    double t_lu = 0.0, d_lu = 0.0;
    if (k > 0) {
        zstr_workspace *ws = NULL;
        if (zstr_workspace_create(p, &ws, &e) != ZSTR_OK)
            return 1;
        for (int j = 0; j < k; j++) {
            int64_t idx = k == 1 ? nf / 2 : (int64_t)j * (nf - 1) / (k - 1);
            double z[2], t1 = bench_now();
            if (zstr_execute(p, ws, f[idx], z, &e) != ZSTR_OK) {
                fprintf(stderr, "mor_bench: %s\n", e.message);
                return 1;
            }
            t_lu += bench_now() - t1;
            d_lu = fmax(d_lu, rel(zm + 2 * idx, z));
            fprintf(stderr, "  LU %d/%d at %g Hz: %.1f s\n", j + 1, k, f[idx], bench_now() - t1);
        }
        zstr_workspace_free(ws);
    }
    double lu101 = k > 0 ? t_lu / k * (double)nf : NAN;
    printf("| %lld | %lld | %.1f | %.1f | %lld | %lld | %lld | %.3g | %.3g | %.0f | %d | %.1f | "
           "%.3g | %.1f | %.0f |\n",
           (long long)n, (long long)in.n_unknowns, t_plan, rep.seconds,
           (long long)rep.factorizations, (long long)rep.solves, (long long)rep.direct,
           rep.max_estimate, d_tight, hwm_mor, k, k > 0 ? t_lu / k : NAN, d_lu, lu101,
           k > 0 ? lu101 / rep.seconds : NAN);
    printf("| | | | | | | | | | | | | | | peak RSS at exit %.0f MiB |\n", bench_vm_hwm_mib());
    free(f);
    free(zm);
    free(zt);
    zstr_plan_free(p);
    zstr_model_free(m);
    return 0;
}
