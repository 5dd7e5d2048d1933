/*
 * mpi_bench.c — the distributed reduced-order sweep (zstr_mpi.h) on the
 * paper's model (bench/paper_model.h), under mpirun:
 *
 *   mpirun -np P mpi_bench -n N [-p] [-m] [-t T] [-o "PETSc options"] [-w OUT] [-c REF]
 *
 * Every process builds the whole model, or with -p its part of it
 * (zstr_mpi_model_create, zstr_mpi_model_voronoi: as the program does), then
 * one collective
 * zstr_mpi_rom_create over 101 frequencies, 1 mHz .. 10 MHz, tolerance T
 * (default 1e-6), and the spectrum from the reduced model.  Reported by
 * process 0 as one Markdown table row: N, processes, unknowns, the fewest and
 * most rows of a process, the model's build time, the assembly (slab
 * assembly, connectivity, distributed matrices), the sweep, set-ups, solves,
 * iterations and per solve, the largest estimate, the largest difference
 * from REF (a file of 101 "re im" lines, e.g. iter_bench -b direct -w), and
 * every process's peak RSS (VmHWM, MiB) with the peak after the model is
 * built in brackets.  -w writes this run's values.  -m builds the model only
 * and reports, per process, the build time and the peak RSS (MiB) with the
 * RSS at the start in brackets.
 */
#include "zstr.h"
#include "zstr_mpi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"
#include "paper_model.h"

static int progress(void *ctx, int factorizations, double estimate)
{
    if (*(const int *)ctx == 0)
        fprintf(stderr, "  set-up %d, estimate %.2g at %.1f s\n", factorizations, estimate,
                bench_now());
    return 0;
}

static int grains_mpi(void *ctx, zstr_model *m, const zstr_voronoi_params *vp, int64_t *ngrains,
                      zstr_error *err)
{
    (void)ctx;
    return zstr_mpi_model_voronoi(MPI_COMM_WORLD, m, vp, ngrains, err);
}

static int run(int rank, int size, int argc, char **argv)
{
    int64_t n = 0;
    double tol = 1e-6;
    const char *opts = NULL, *wpath = NULL, *cpath = NULL;
    int bad = 0, parts = 0, model_only = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = atoll(argv[++i]);
        else if (strcmp(argv[i], "-p") == 0)
            parts = 1;
        else if (strcmp(argv[i], "-m") == 0)
            model_only = 1;
        else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            tol = atof(argv[++i]);
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            opts = argv[++i];
        else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
            wpath = argv[++i];
        else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            cpath = argv[++i];
        else
            bad = 1;
    }
    if (bad || n < 2 || !(tol > 0.0 && tol < 1.0)) {
        if (rank == 0)
            fprintf(stderr, "usage: mpirun -np P mpi_bench -n N [-p] [-m] [-t T] [-o OPTIONS] "
                            "[-w OUT] [-c REF]\n");
        return 2;
    }
    zstr_error e;
    zstr_model *m = NULL;
    int64_t ngrains = 0;
    double hwm_start = bench_vm_hwm_mib();
    double t0 = bench_now();
    int rcm;
    if (parts) {
        const double h = 100e-6 / (double)n;
        rcm = zstr_mpi_model_create(MPI_COMM_WORLD, n, n, n, h, h, h, &m, &e);
        /* agreed before the collective grains: one failing process alone
         * would leave the others waiting there */
        int all = ZSTR_OK;
        MPI_Allreduce(&rcm, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        if (all == ZSTR_OK)
            rcm = bench_paper_setup(m, n, 1, 0, grains_mpi, NULL, &ngrains, &e);
        else if (rcm == ZSTR_OK)
            return 1; /* another process failed and says why */
    } else {
        rcm = bench_paper_model(n, 1, 0, &m, &ngrains, &e);
    }
    if (rcm != ZSTR_OK) {
        fprintf(stderr, "mpi_bench: %s\n", e.message);
        return 1;
    }
    double t_model = bench_now() - t0;
    double hwm_model = bench_vm_hwm_mib();
    if (model_only) {
        double mine[3] = {t_model, hwm_model, hwm_start};
        double *all = malloc(sizeof(double) * 3 * (size_t)size);
        if (all == NULL)
            return 1;
        MPI_Gather(mine, 3, MPI_DOUBLE, all, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        if (rank == 0) {
            printf("| %lld | %d | %s | %lld |", (long long)n, size, parts ? "parts" : "whole",
                   (long long)ngrains);
            for (int q = 0; q < size; q++)
                printf(" %.2f s, %.0f (%.0f) |", all[3 * q], all[3 * q + 1], all[3 * q + 2]);
            printf("\n");
        }
        free(all);
        zstr_model_free(m);
        return 0;
    }
    double *f = NULL;
    int64_t nf = 0;
    zstr_frequencies_log(1e-3, 1e7, 10, &f, &nf, &e); /* 101 points */
    double *z = malloc(sizeof(double) * 2 * (size_t)nf);
    if (f == NULL || z == NULL)
        return 1;
    zstr_rom_options ro;
    zstr_rom_options_default(&ro);
    ro.tolerance = tol;
    ro.progress = progress;
    ro.context = &rank;
    zstr_mpi_options mo;
    zstr_mpi_options_default(&mo);
    mo.petsc_options = opts;
    zstr_mpi_info mi;
    zstr_mpi_info_init(&mi);
    zstr_rom *rom = NULL;
    if (rank == 0)
        fprintf(stderr, "n = %lld on %d processes: model %.1f s\n", (long long)n, size, t_model);
    if (zstr_mpi_rom_create(MPI_COMM_WORLD, m, nf, f, &ro, &mo, &rom, &mi, &e) != ZSTR_OK) {
        if (rank == 0)
            fprintf(stderr, "mpi_bench: %s\n", e.message);
        return 1;
    }
    double *est = malloc(sizeof *est * (size_t)nf);
    if (est == NULL || zstr_rom_evaluate(rom, nf, f, z, est, &e) != ZSTR_OK)
        return 1;
    zstr_rom_info ri;
    zstr_rom_info_init(&ri);
    zstr_rom_get_info(rom, &ri);
    double maxest = 0.0;
    for (int64_t k = 0; k < nf; k++)
        maxest = fmax(maxest, est[k]);
    double mine[2] = {bench_vm_hwm_mib(), hwm_model}, *all = malloc(sizeof(double) * 2 * (size_t)size);
    if (all == NULL)
        return 1;
    MPI_Gather(mine, 2, MPI_DOUBLE, all, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    int rc = 0;
    if (rank == 0) {
        double diff = NAN;
        if (cpath != NULL) {
            FILE *fp = fopen(cpath, "r");
            if (fp == NULL) {
                perror(cpath);
                rc = 1;
            } else {
                diff = 0.0;
                for (int64_t j = 0; j < nf && rc == 0; j++) {
                    double a, b;
                    if (fscanf(fp, "%lf %lf", &a, &b) != 2) {
                        fprintf(stderr, "mpi_bench: %s: short file\n", cpath);
                        rc = 1;
                    } else {
                        diff = fmax(diff, hypot(z[2 * j] - a, z[2 * j + 1] - b) / hypot(a, b));
                    }
                }
                fclose(fp);
            }
        }
        if (wpath != NULL && rc == 0) {
            FILE *fp = fopen(wpath, "w");
            if (fp == NULL) {
                perror(wpath);
                rc = 1;
            } else {
                for (int64_t j = 0; j < nf; j++)
                    fprintf(fp, "%.17g %.17g\n", z[2 * j], z[2 * j + 1]);
                if (fclose(fp) != 0)
                    rc = 1;
            }
        }
        char rss[512] = "";
        size_t used = 0;
        for (int q = 0; q < size && used < sizeof rss; q++) {
            snprintf(rss + used, sizeof rss - used, "%s%.0f (%.0f)", q > 0 ? ", " : "",
                     all[2 * q], all[2 * q + 1]);
            used = strlen(rss);
        }
        int64_t solves = ri.solves > 0 ? ri.solves : 1;
        printf("| %lld | %d | %lld | %lld..%lld | %.1f | %.1f | %.1f | %lld | %lld | %lld | %.1f "
               "| %.3g | %.3g | %s |\n",
               (long long)n, size, (long long)mi.n_unknowns, (long long)mi.local_min,
               (long long)mi.local_max, t_model, mi.assembly_seconds, mi.sweep_seconds,
               (long long)ri.factorizations, (long long)ri.solves, (long long)ri.iterations,
               (double)ri.iterations / (double)solves, maxest, diff, rss);
    }
    free(all);
    free(est);
    free(f);
    free(z);
    zstr_rom_free(rom);
    zstr_model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    bench_fix_mmap_threshold();
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int rc = run(rank, size, argc, argv), worst = rc;
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return worst;
}
