/*
 * distributed.c — the distributed sweep (zstr_mpi.h): a homogeneous cell of
 * LLZO-like garnet between ideal electrodes, computed by every process of
 * MPI_COMM_WORLD (each holds and assembles only its z-slab of the grid),
 * compared by process 0 with the exact Z = R / (1 + jωRC).
 *
 *   cc distributed.c $(pkg-config --cflags --libs libzstr-mpi) -lm -o distributed
 *   mpirun -np 2 ./distributed
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <zstr_mpi.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const int64_t n = 12;
    const double h = 100e-6 / (double)n;       /* a (100 µm)³ cube */
    const double sigma = 0.046, epsr = 150.0; /* 0.46 mS/cm, ε_r = 150 */
    zstr_error err;
    zstr_model *model = NULL;
    zstr_rom *rom = NULL;
    double *f = NULL, *z = NULL;
    int64_t nf = 0;
    int status = EXIT_FAILURE;

    /* every process builds its part of the model: its slab's layers and one on
     * either side (zstr_mpi_model_voronoi would grow grains on it) */
    zstr_phase_params bulk = {"bulk", sigma, epsr, 0.34, 298.15};
    int rc = zstr_mpi_model_create(MPI_COMM_WORLD, n, n, n, h, h, h, &model, &err);
    if (rc == ZSTR_OK)
        rc = zstr_model_add_phase(model, &bulk, NULL, &err);
    if (rc == ZSTR_OK)
        rc = zstr_frequencies_log(1.0, 1e9, 2, &f, &nf, &err);
    if (rc == ZSTR_OK && (z = malloc(sizeof(double) * 2 * (size_t)nf)) == NULL) {
        rc = ZSTR_ENOMEM;
        snprintf(err.message, sizeof err.message, "out of memory for %lld values", (long long)nf);
    }
    /* agreed before the collective call: a process that failed here alone
     * would otherwise leave the others waiting in it */
    int all = ZSTR_OK;
    MPI_Allreduce(&rc, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (all != ZSTR_OK) {
        if (rc != ZSTR_OK)
            fprintf(stderr, "distributed: process %d: %s\n", rank, err.message);
        goto done;
    }
    /* collective: the same status, and the same reduced model, everywhere */
    zstr_mpi_info info;
    zstr_mpi_info_init(&info);
    if (zstr_mpi_rom_create(MPI_COMM_WORLD, model, nf, f, NULL, NULL, &rom, &info, &err) !=
        ZSTR_OK)
        goto fail;
    if (zstr_rom_evaluate(rom, nf, f, z, NULL, &err) != ZSTR_OK)
        goto fail;

    const double l = (double)n * h, a = l * l;
    const double r = l / (sigma * a), c = ZSTR_EPSILON0 * epsr * a / l;
    double worst = 0.0;
    for (int64_t k = 0; k < nf; k++) {
        double wrc = 2.0 * 3.14159265358979323846 * f[k] * r * c;
        double re = r / (1.0 + wrc * wrc), im = -r * wrc / (1.0 + wrc * wrc);
        worst = fmax(worst, hypot(z[2 * k] - re, z[2 * k + 1] - im) / hypot(re, im));
    }
    if (rank == 0) {
        printf("# libzstr %s on %d processes: homogeneous (100 um)^3 cell, %lld unknowns, "
               "this process's layers %lld..%lld\n",
               zstr_version_string(), size, (long long)info.n_unknowns,
               (long long)info.z_begin, (long long)info.z_end - 1);
        printf("# R_DC = %.10g Ohm (exact %.10g)\n", info.dc_resistance, r);
        for (int64_t k = 0; k < nf; k++)
            printf("%-12.4g %-14.8g %-14.8g\n", f[k], z[2 * k], z[2 * k + 1]);
        printf("# largest relative deviation from R/(1+jwRC): %.2e\n", worst);
    }
    /* the reduced model is held to 1e-6 (zstr_rom_options' default) */
    status = worst < 1e-6 && fabs(info.dc_resistance - r) < 1e-9 * r ? EXIT_SUCCESS
                                                                      : EXIT_FAILURE;
    goto done;
fail:
    if (rank == 0)
        fprintf(stderr, "distributed: %s (%s)\n", err.message, zstr_strerror(err.code));
done:
    free(f);
    free(z);
    zstr_rom_free(rom);
    zstr_model_free(model);
    MPI_Finalize();
    return status;
}
