/*
 * distributed.h — `zstr run --backend petsc`: the program's side of the
 * distributed sweep (zstr_mpi.h).  Built with MPI when the program links
 * libzstr-mpi (ZSTR_CLI_MPI); without it every call says so.
 *
 * Under mpirun every process runs the same command: each loads the model file
 * and builds its part of the model (zd_parts: its slab's layers, Voronoi
 * grains grown together, a volume file's planes of those layers; a generated
 * <volume> is made whole on every process),
 * the library's collective call computes the reduced model on all of them,
 * and only process 0 writes files and prints (the others run with --quiet and
 * skip every output).  Each step's status is agreed (zd_any), so all
 * processes stop together and process 0 reports.
 */
#ifndef ZSTR_CLI_DISTRIBUTED_H
#define ZSTR_CLI_DISTRIBUTED_H

#include "modelfile.h"
#include "zstr.h"

/* 1 when this program has the distributed backend. */
int zd_available(void);
/* Start MPI (unless the program is already in it: *started = 0); the rank and
 * size of MPI_COMM_WORLD.  0, or −1 with the reason in why. */
int zd_start(int *rank, int *size, int *started, char *why, size_t n);
/* Finish MPI when zd_start started it. */
void zd_stop(int started);
/* 1 on every process when failed is non-zero on any (collective; without MPI
 * the argument). */
int zd_any(int failed);
/* How each process builds its part of a model (zm_build_parts); NULL
 * without MPI. */
const zm_parts *zd_parts(void);
/* Collective: the whole grid's counts on this process's part, so its
 * description (the CSV summary) is the whole model's. */
int zd_count(zstr_model *m, zstr_error *e);
/* The spectrum of m at f by every process: Z (interleaved), the reduced model
 * (free with zstr_rom_free), a report as zstr_sweep's, and R_DC (resistance,
 * open circuit and floating nodes of dc). */
int zd_sweep(const zstr_model *m, int64_t nf, const double *f, double tolerance,
             const char *petsc_options, double *z, zstr_rom **rom, zstr_sweep_report *rep,
             zstr_dc_result *dc, zstr_error *e);

#endif
