/*
 * restamp_bench.c — a temperature series on one plan (zstr_plan_restamp)
 * against a fresh plan per temperature, on the paper's model
 * (bench/paper_model.h), in one process so the two are measured together.
 *
 *   restamp_bench -n N [-t T1,T2,...] (kelvin; default -40..40 °C in 20 K steps)
 *
 * For each temperature, both ways:
 *   fresh    zstr_plan_create (assembly, UMFPACK and CHOLMOD analyses), then a
 *            MOR sweep of 101 frequencies (1 mHz .. 10 MHz), tolerance 1e-6;
 *   restamp  zstr_plan_restamp of the first plan, then the same sweep.
 * The model (grains, map) is built once per temperature for both ways and not
 * timed.  Prints one Markdown row per temperature and a total row; checks that
 * both ways give the same spectrum bit for bit (exit 1 otherwise).
 */
#include "zstr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paper_model.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int sweep(const zstr_plan *p, int64_t nf, const double *f, double *z, double *sec,
                 zstr_sweep_report *rep, zstr_error *e)
{
    zstr_sweep_options so;
    zstr_sweep_options_default(&so);
    so.method = ZSTR_METHOD_MOR;
    zstr_sweep_report_init(rep);
    so.report = rep;
    double t0 = now();
    int rc = zstr_sweep(p, nf, f, z, &so, e);
    *sec = now() - t0;
    return rc < 0 ? rc : ZSTR_OK;
}

int main(int argc, char **argv)
{
    int64_t n = 0;
    double temps[32];
    int nt = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            n = atoll(argv[++i]);
        } else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            for (char *s = argv[++i], *end; *s != '\0' && nt < 32; s = end + (*end == ',')) {
                temps[nt++] = strtod(s, &end);
                if (end == s)
                    break;
            }
        } else {
            fprintf(stderr, "usage: restamp_bench -n N [-t T1,T2,...]\n");
            return 2;
        }
    }
    if (n < 2) {
        fprintf(stderr, "usage: restamp_bench -n N [-t T1,T2,...]\n");
        return 2;
    }
    if (nt == 0)
        for (; nt < 5; nt++)
            temps[nt] = 233.15 + 20.0 * nt;
    double *f = NULL;
    int64_t nf = 0;
    zstr_error e;
    if (zstr_frequencies_log(1e-3, 1e7, 10, &f, &nf, &e) != ZSTR_OK)
        return 1;
    double *za = malloc(sizeof(double) * 2 * (size_t)nf);
    double *zb = malloc(sizeof(double) * 2 * (size_t)nf);
    if (za == NULL || zb == NULL)
        return 1;
    zstr_plan *kept = NULL;
    double tot[4] = {0, 0, 0, 0};
    int same = 1;
    printf("| n | T K | plan s | fresh sweep s | fact. | restamp s | restamped sweep s | fact. |"
           " member fresh/restamped |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < nt; k++) {
        zstr_model *m = NULL;
        int64_t ng = 0;
        if (bench_paper_model(n, 1, 0, &m, &ng, &e) != ZSTR_OK ||
            zstr_model_set_temperature(m, temps[k], &e) != ZSTR_OK) {
            fprintf(stderr, "restamp_bench: %s\n", e.message);
            return 1;
        }
        double t0 = now(), t_plan, t_fresh, t_re = 0.0, t_rsweep;
        zstr_plan *p = NULL;
        zstr_sweep_report ra, rb;
        if (zstr_plan_create(m, NULL, &p, &e) != ZSTR_OK) {
            fprintf(stderr, "restamp_bench: %s\n", e.message);
            return 1;
        }
        t_plan = now() - t0;
        if (sweep(p, nf, f, za, &t_fresh, &ra, &e) != ZSTR_OK) {
            fprintf(stderr, "restamp_bench: %s\n", e.message);
            return 1;
        }
        if (kept == NULL) {
            kept = p; /* the first temperature: the plan every later one re-stamps */
            p = NULL;
            memcpy(zb, za, sizeof(double) * 2 * (size_t)nf);
            t_rsweep = t_fresh;
            rb = ra;
            t_re = t_plan;
        } else {
            zstr_plan_free(p);
            double t1 = now();
            if (zstr_plan_restamp(kept, m, &e) != ZSTR_OK) {
                fprintf(stderr, "restamp_bench: %s\n", e.message);
                return 1;
            }
            t_re = now() - t1;
            if (sweep(kept, nf, f, zb, &t_rsweep, &rb, &e) != ZSTR_OK) {
                fprintf(stderr, "restamp_bench: %s\n", e.message);
                return 1;
            }
        }
        for (int64_t j = 0; j < 2 * nf; j++)
            same &= za[j] == zb[j];
        tot[0] += t_plan;
        tot[1] += t_fresh;
        tot[2] += t_re;
        tot[3] += t_rsweep;
        printf("| %lld | %.2f | %.2f | %.2f | %lld | %.2f%s | %.2f | %lld | %.2f |\n", (long long)n,
               temps[k], t_plan, t_fresh, (long long)ra.factorizations, t_re,
               k == 0 ? " (plan)" : "", t_rsweep, (long long)rb.factorizations,
               (t_plan + t_fresh) / (t_re + t_rsweep));
        fflush(stdout);
        zstr_model_free(m);
    }
    printf("| %lld | all | %.2f | %.2f | | %.2f | %.2f | | %.2f |\n", (long long)n, tot[0],
           tot[1], tot[2], tot[3], (tot[0] + tot[1]) / (tot[2] + tot[3]));
    printf("spectra of both ways %s\n", same ? "equal bit for bit" : "DIFFER");
    zstr_plan_free(kept);
    free(f);
    free(za);
    free(zb);
    return same ? 0 : 1;
}
