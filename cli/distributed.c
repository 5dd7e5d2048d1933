/*
 * distributed.c — `zstr run --backend petsc` (distributed.h).
 */
#include "distributed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef ZSTR_CLI_MPI
#include "zstr_mpi.h"

int zd_available(void) { return 1; }

int zd_start(int *rank, int *size, int *started, char *why, size_t n)
{
    *started = 0;
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) {
        int provided = 0;
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            snprintf(why, n, "MPI could not be initialised");
            return -1;
        }
        *started = 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

void zd_stop(int started)
{
    if (started)
        MPI_Finalize();
}

int zd_any(int failed)
{
    int in = failed != 0, out = in;
    MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return out;
}

static int part_create(void *ctx, const int64_t n[3], const double h[3], zstr_model **out,
                       zstr_error *err)
{
    (void)ctx;
    return zstr_mpi_model_create(MPI_COMM_WORLD, n[0], n[1], n[2], h[0], h[1], h[2], out, err);
}

static int part_agree(void *ctx, int rc, zstr_error *err)
{
    (void)ctx;
    if (zd_any(rc != ZSTR_OK) && rc == ZSTR_OK) {
        rc = ZSTR_EINVAL;
        snprintf(err->message, sizeof err->message,
                 "another process could not build its part of the model");
    }
    return rc;
}

static int part_voronoi(void *ctx, zstr_model *m, const zstr_voronoi_params *p, zstr_error *err)
{
    (void)ctx;
    return zstr_mpi_model_voronoi(MPI_COMM_WORLD, m, p, NULL, err);
}

static int part_volume(void *ctx, const char *path, const zstr_volume_read_options *ro,
                       const zstr_volume_model_params *mp, zstr_model **out, zstr_error *err)
{
    (void)ctx;
    return zstr_mpi_model_from_volume(MPI_COMM_WORLD, path, ro, mp, out, err);
}

const zm_parts *zd_parts(void)
{
    static const zm_parts parts = {NULL, part_create, part_voronoi, part_volume, part_agree};
    return &parts;
}

int zd_count(zstr_model *m, zstr_error *e) { return zstr_mpi_model_count(MPI_COMM_WORLD, m, e); }

int zd_sweep(const zstr_model *m, int64_t nf, const double *f, double tolerance,
             const char *petsc_options, double *z, zstr_rom **rom, zstr_sweep_report *rep,
             zstr_dc_result *dc, zstr_error *e)
{
    zstr_rom_options ro;
    zstr_rom_options_default(&ro);
    if (tolerance > 0.0)
        ro.tolerance = tolerance;
    zstr_mpi_options mo;
    zstr_mpi_options_default(&mo);
    mo.petsc_options = petsc_options;
    zstr_mpi_info mi;
    zstr_mpi_info_init(&mi);
    *rom = NULL;
    int rc = zstr_mpi_rom_create(MPI_COMM_WORLD, m, nf, f, &ro, &mo, rom, &mi, e);
    if (rc != ZSTR_OK)
        return rc;
    double *est = malloc(sizeof *est * (size_t)nf);
    if (est == NULL) {
        e->code = ZSTR_ENOMEM;
        snprintf(e->message, sizeof e->message, "out of memory");
        return ZSTR_ENOMEM;
    }
    rc = zstr_rom_evaluate(*rom, nf, f, z, est, e);
    zstr_rom_info ri;
    zstr_rom_info_init(&ri);
    zstr_rom_get_info(*rom, &ri);
    zstr_sweep_report_init(rep);
    rep->method = ZSTR_METHOD_MOR;
    rep->backend = ZSTR_BACKEND_ITERATIVE;
    rep->factorizations = ri.factorizations;
    rep->solves = ri.solves;
    rep->iterations = ri.iterations;
    rep->direct = 0; /* no complex LU here: a point above the tolerance stays */
    rep->seconds = mi.assembly_seconds + mi.sweep_seconds;
    rep->max_estimate = 0.0;
    for (int64_t k = 0; k < nf; k++)
        rep->max_estimate = fmax(rep->max_estimate, est[k]);
    free(est);
    zstr_dc_result_init(dc);
    dc->n_floating = mi.n_floating;
    dc->open_circuit = mi.open_circuit;
    dc->resistance = mi.dc_resistance;
    return rc;
}

#else

int zd_available(void) { return 0; }

int zd_start(int *rank, int *size, int *started, char *why, size_t n)
{
    *started = 0;
    *rank = 0;
    *size = 1;
    snprintf(why, n, "this zstr was built without PETSc and MPI (libzstr-mpi)");
    return -1;
}

void zd_stop(int started) { (void)started; }

int zd_any(int failed) { return failed != 0; }

const zm_parts *zd_parts(void) { return NULL; }

int zd_count(zstr_model *m, zstr_error *e)
{
    (void)m;
    snprintf(e->message, sizeof e->message,
             "this zstr was built without PETSc and MPI (libzstr-mpi)");
    return ZSTR_EUNSUPPORTED;
}

int zd_sweep(const zstr_model *m, int64_t nf, const double *f, double tolerance,
             const char *petsc_options, double *z, zstr_rom **rom, zstr_sweep_report *rep,
             zstr_dc_result *dc, zstr_error *e)
{
    (void)m, (void)nf, (void)f, (void)tolerance, (void)petsc_options, (void)z, (void)rep;
    (void)dc;
    *rom = NULL;
    snprintf(e->message, sizeof e->message,
             "this zstr was built without PETSc and MPI (libzstr-mpi)");
    return ZSTR_EUNSUPPORTED;
}

#endif
