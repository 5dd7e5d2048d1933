/*
 * plan_memory.c — memory of a plan per voxel on the paper's model
 * (bench/paper_model.h): what zstr_plan_create holds afterwards and its peak
 * while it runs, both from the kernel's counters of this process.
 *
 *   plan_memory -n N [-m GiB] [-b direct|iterative]
 *
 * 1. make the model (Voronoi grains, interface map);
 * 2. reset the peak counter (clear_refs 5), note the resident set;
 * 3. zstr_plan_create; read the resident set and the peak (VmHWM) again.
 * resident = RSS after − RSS before, peak = VmHWM − RSS before, both per voxel.
 * The plan's own accounting (zstr_plan_info: pencil, direct solver, reduced
 * sweeps' analysis) is printed beside them.  One Markdown row on stdout.
 * -b chooses the reduced sweeps' backend (default auto; iterative needs the
 * bench linked with libzstr-mpi, as the Makefile does when PETSc is there).
 *
 * Only public API and zstr_plan_info's first fields are used, so the same
 * file builds against an older libzstr for a before/after comparison in one
 * run (-DOLD_INFO leaves out the fields that older headers lack).
 */
#include "zstr.h"

#include "bench_clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paper_model.h"

static double status_kib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1.0;
    char line[256];
    double kib = -1.0;
    size_t len = strlen(key);
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, key, len) == 0 && sscanf(line + len, ":%lf", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static int reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f == NULL)
        return -1;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    bench_fix_mmap_threshold();
    int64_t n = 0;
    double gib = 0.0;
    int backend = ZSTR_BACKEND_AUTO, bad = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-n") == 0)
            n = atoll(argv[i + 1]);
        else if (strcmp(argv[i], "-m") == 0)
            gib = atof(argv[i + 1]);
        else if (strcmp(argv[i], "-b") == 0 && strcmp(argv[i + 1], "direct") == 0)
            backend = ZSTR_BACKEND_DIRECT;
        else if (strcmp(argv[i], "-b") == 0 && strcmp(argv[i + 1], "iterative") == 0)
            backend = ZSTR_BACKEND_ITERATIVE;
        else
            bad = 1;
    }
    if (n < 2 || bad) {
        fprintf(stderr, "usage: plan_memory -n N [-m GiB] [-b direct|iterative]\n");
        return 2;
    }
    zstr_error e;
    zstr_model *m = NULL;
    int64_t ngrains = 0;
    if (bench_paper_model(n, 1, 0, &m, &ngrains, &e) != ZSTR_OK) {
        fprintf(stderr, "model: %s\n", e.message);
        return 1;
    }
    zstr_options o;
    zstr_options_default(&o);
    if (gib > 0.0)
        o.memory_limit = gib * 1073741824.0;
#ifndef OLD_INFO
    o.backend = backend;
#else
    (void)backend;
#endif
    if (reset_peak() != 0) {
        fprintf(stderr, "cannot reset the peak counter (/proc/self/clear_refs)\n");
        return 1;
    }
    double rss0 = status_kib("VmRSS"), t0 = bench_now();
    zstr_plan *p = NULL;
    if (zstr_plan_create(m, &o, &p, &e) != ZSTR_OK) {
        fprintf(stderr, "plan: %s\n", e.message);
        return 1;
    }
    double t1 = bench_now(), rss1 = status_kib("VmRSS"), hwm = status_kib("VmHWM");
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    zstr_plan_get_info(p, &in);
    const double nv = (double)in.n_voxels, kib = 1024.0;
    printf("| %lld | %lld | %.1f | %.0f | %.0f | %.0f |", (long long)n,
           (long long)in.n_unknowns, t1 - t0, (rss1 - rss0) * kib / nv, (hwm - rss0) * kib / nv,
           in.plan_bytes / nv);
#ifndef OLD_INFO
    printf(" %.0f | %.0f | %.0f |", in.pencil_bytes / nv, in.direct_bytes / nv,
           in.mor_bytes / nv);
#endif
    printf(" %d |\n", in.direct_fits);
    zstr_plan_free(p);
    zstr_model_free(m);
    return 0;
}
