/*
 * zstr_mpi.h — the distributed reduced-order sweep: one model's spectrum by
 * the processes of an MPI communicator (libzstr-mpi only; link with
 * `pkg-config --libs libzstr-mpi`).  zstr.h stays free of MPI; this header
 * includes <mpi.h>.
 *
 * What is distributed.  The voxel grid is cut into z-slabs, one per process:
 * process r of P holds layers ⌊r·nz/P⌋ to ⌊(r+1)·nz/P⌋ − 1, so slabs differ by
 * at most one layer (zstr_mpi_info.z_begin, z_end).  Each process assembles
 * only its slab's part of the network — the voxels, grain-boundary layers and
 * interface pixels of its layers, and the chains of the branches its voxels
 * start — into its rows of PETSc's distributed matrices G and C; the Krylov
 * basis of the reduced-order sweep holds each process's rows only, and the
 * small projected matrices are summed over the communicator.  The solves are
 * PETSc's conjugate gradients with algebraic multigrid (GAMG) on the whole
 * communicator, with the serial iterative backend's stopping rule.  The
 * reduced model, and so the spectrum, the poles and R_DC, is the same on every
 * process.
 *
 * The model.  Each process may hold only the layers its slab needs (its own
 * and one on either side): zstr_mpi_model_create makes that part of the
 * model, and zstr_mpi_model_voronoi grows the Voronoi grains on it, the same
 * grains as zstr_model_voronoi on the whole grid.  Phases, the temperature and
 * the interface maps (one pixel per x, y) are set on every process's part as
 * on a whole model; labels and grain ids are those of the held layers.
 * zstr_mpi_rom_create and zstr_mpi_model_count also take a whole model
 * (zstr_model_create), the same on every process; zstr_mpi_model_voronoi
 * takes parts only.  zstr_mpi_model_from_volume reads a labelled volume file
 * in parts: each process reads only its layers' planes.
 * What stays undistributed: the seeds and their bins (about 250 bytes per
 * seed) on every process; the graph of grain pieces on process 0 while the
 * grains are made (about 0.7 kB per piece, a piece per grain and slab it
 * meets).  The DC connectivity check passes one layer's classes from
 * process to process, forward and back (P steps each way), so no process
 * holds more than its slab and a layer.
 *
 * Failures.  Every step's status is agreed between the processes (the first
 * failing process's message goes to all), and the choices that steer the
 * sweep are process 0's, so the processes never part ways on their own.  A
 * failure inside one of PETSc's own collective operations on one process
 * (out of memory inside the multigrid set-up, say) cannot be agreed: the
 * other processes wait in that operation, and the launcher has to end the
 * run.  The default options avoid the one such failure measured (GAMG's
 * squared graph: bench/RESULTS.md).
 *
 * Collective calls and threads.  zstr_mpi_rom_create, zstr_mpi_model_voronoi,
 * zstr_mpi_model_from_volume and zstr_mpi_model_count are collective: every
 * process of comm calls them, with the same model (or its own part of it),
 * frequencies and options.  Each makes its own duplicate of comm
 * (MPI_Comm_dup) and frees it before returning, so its messages between
 * processes never match the program's own, even receives of any source and
 * tag pending on comm while it runs.  zstr_mpi_rom_create calls PETSc, which keeps
 * process-wide state: PETSc is initialised at its first call unless the
 * program did (PetscInitialize needs every process of MPI_COMM_WORLD, so a
 * program that passes a smaller communicator initialises PETSc itself first),
 * and never finalised by the library.  MPI must be
 * initialised by the program (MPI_Init or MPI_Init_thread; MPI_THREAD_FUNNELED
 * is enough).  Calls from several threads are serialised by one lock, and two
 * collective calls must not run at once on one communicator (MPI's rule): call
 * it from one thread per process.
 */
#ifndef ZSTR_MPI_H
#define ZSTR_MPI_H

#include "zstr.h"
#include "zstr_volume.h"

#include <mpi.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zstr_mpi_options {
    size_t size;               /* set by zstr_mpi_options_default: sizeof(zstr_mpi_options) */
    const char *petsc_options; /* expert options in PETSc's syntax (-ksp_*, -pc_*), or NULL */
    double memory_limit;       /* bytes each process may use; 0: 80 % of the physical memory
                                  divided by the processes sharing this machine */
} zstr_mpi_options;

/* Purpose: defaults (no options, the automatic memory limit) and the size. */
ZSTR_API void zstr_mpi_options_default(zstr_mpi_options *o);

/* Figures of one distributed sweep, the same on every process but the local ones. */
typedef struct zstr_mpi_info {
    size_t size;               /* set by the caller: sizeof(zstr_mpi_info) */
    int processes;             /* the communicator's size */
    int64_t n_unknowns;        /* the port form's unknowns, all processes */
    int64_t nnz;               /* its stored non-zeros (both triangles), all processes */
    int64_t local_unknowns;    /* this process's rows */
    int64_t local_min, local_max; /* the fewest and the most rows of a process */
    int64_t z_begin, z_end;    /* this process's layers [z_begin, z_end) */
    int64_t n_floating;        /* nodes without a conductive path to an electrode */
    int open_circuit;          /* no conductive path joins the electrodes */
    double dc_resistance;      /* R_DC [Ω], exact: the reduced model's Z(0) when G is
                                  definite (zstr_rom_info.dc_exact), one more solve with
                                  the floating nodes left out when some float, +inf for
                                  an open circuit */
    double predicted_bytes;    /* this process's predicted peak [bytes] */
    double memory_limit;       /* the limit it was checked against [bytes] */
    double assembly_seconds;   /* slab assembly, connectivity and the distributed matrices */
    double sweep_seconds;      /* the reduced-order sweep */
} zstr_mpi_info;
/* Purpose: set info->size. */
ZSTR_API void zstr_mpi_info_init(zstr_mpi_info *info);

/* Purpose: create this process's part of a model of nx × ny × nz voxels with
 *   edges hx, hy, hz [m], for the processes of comm: the layers
 *   [max(0, z_begin − 1), min(nz, z_end + 1)) of its slab [z_begin, z_end)
 *   (zstr_model_get_layers tells them).  Not collective (it reads comm's size
 *   and this process's rank), but every process of comm makes its own, and
 *   sets the same phases, temperature and interfaces on it.
 * Returns: ZSTR_OK; ZSTR_EINVAL as zstr_model_create, and for more processes
 *   than layers or no communicator; ZSTR_ESTATE before MPI_Init; ZSTR_ERANGE;
 *   ZSTR_ENOMEM. */
ZSTR_API int zstr_mpi_model_create(MPI_Comm comm, int64_t nx, int64_t ny, int64_t nz, double hx,
                                   double hy, double hz, zstr_model **out, zstr_error *err);

/* Purpose: Voronoi grains (zstr_voronoi_params, zstr.h) on every process's
 *   part of a model from zstr_mpi_model_create on the same communicator: the
 *   grains zstr_model_voronoi makes on the whole grid, voxel for voxel, with
 *   the same numbering; *n_grains (optional) the same count on every process.
 *   Collective, with the same params everywhere.
 * Returns: ZSTR_OK; ZSTR_EINVAL (bad params as zstr_model_voronoi, params
 *   that differ between the processes, a model that is not this process's
 *   part on comm); ZSTR_ESTATE before MPI_Init; ZSTR_ERANGE (more than 2^31 − 1
 *   pieces in a slab, or a process's part of the grain graph, or the whole
 *   graph on process 0, beyond one MPI message); ZSTR_ENOMEM.  The status and
 *   message are the same on every process. */
ZSTR_API int zstr_mpi_model_voronoi(MPI_Comm comm, zstr_model *model,
                                    const zstr_voronoi_params *params, int64_t *n_grains,
                                    zstr_error *err);

/* Purpose: this process's part of the model of a labelled volume file, as
 *   zstr_volume_read then zstr_volume_to_model make the whole model (same
 *   arguments): each process reads only the planes of its part's layers
 *   along the transport axis (within the options' crop), and the WE map from
 *   the top layer (params->we_pore_phase >= 0) is the last process's, sent
 *   to all.  Messages name voxels as the whole read would.  Collective.
 * Returns: as zstr_volume_read and zstr_volume_to_model, and ZSTR_EINVAL for
 *   more processes than layers along the transport axis; the same status
 *   and message on every process, *out NULL on failure. */
ZSTR_API int zstr_mpi_model_from_volume(MPI_Comm comm, const char *path,
                                        const zstr_volume_read_options *options,
                                        const zstr_volume_model_params *params, zstr_model **out,
                                        zstr_error *err);

/* Purpose: count the phases and grains of the whole grid, so that
 *   zstr_model_describe (and the summary of zstr_spectrum_write_csv) of this
 *   process's part describes the whole model, as that of a whole model would
 *   (without the counts, a part's description counts its held layers and
 *   says so).  The counts are dropped when the part's labels or grains
 *   change.  Collective; the model is this process's part on comm (or the
 *   same whole model on every process).
 * Returns: ZSTR_OK; ZSTR_EINVAL (NULL model, a part of another
 *   communicator, grains on some processes' parts only); ZSTR_ESTATE before
 *   MPI_Init; ZSTR_ENOMEM.  Grains are counted by a bitmap of (largest id)/8
 *   bytes on every process (at most 256 MiB); when a process cannot allocate
 *   it, the description says "not counted" rather than fail. */
ZSTR_API int zstr_mpi_model_count(MPI_Comm comm, zstr_model *model, zstr_error *err);

/* Purpose: the reduced-order model of a model's impedance over the band of
 *   the n frequencies f (as zstr_rom_create), computed by the processes of
 *   comm.  Collective; *out (free with zstr_rom_free) is the same model on
 *   every process, so zstr_rom_evaluate gives the same spectrum everywhere.
 * Arguments: comm — an intra-communicator of at most nz processes; model —
 *   complete (phases of every label, interfaces): this process's part
 *   (zstr_mpi_model_create on comm) or the same whole model on every process;
 *   ropt — zstr_rom_options (NULL: defaults); its tolerance also sets the
 *   solves' backward error, as for the serial iterative backend; mopt — NULL
 *   for defaults; info — NULL, or filled (info->size set by the caller).
 * Returns: ZSTR_OK; ZSTR_EINVAL (bad arguments, more processes than layers,
 *   an electrode without a branch, bad PETSc options); ZSTR_EMEMLIMIT (a
 *   process's predicted memory exceeds its limit: refused before the
 *   matrices are made); ZSTR_ESINGULAR (a node joined to no electrode even
 *   capacitively); ZSTR_ESOLVER (CG did not converge); ZSTR_ENOMEM.  The
 *   status and the message are the same on every process (a failure on one
 *   names the process). */
ZSTR_API int zstr_mpi_rom_create(MPI_Comm comm, const zstr_model *model, int64_t n,
                                 const double *f, const zstr_rom_options *ropt,
                                 const zstr_mpi_options *mopt, zstr_rom **out,
                                 zstr_mpi_info *info, zstr_error *err);

#ifdef __cplusplus
}
#endif

#endif
