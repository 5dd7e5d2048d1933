/*
 * zstr.h — public interface of libzstr, impedance spectra of 3D solid-electrolyte
 * microstructures.
 *
 * Concept
 * -------
 * A cell is a box of nx × ny × nz voxels with edges hx, hy, hz (metres).  The
 * transport axis is z: the counter electrode (CE) touches the face z = 0, the
 * working electrode (WE) the face z = nz·hz.  Every voxel carries a phase
 * (conductivity, permittivity, activation energy) and optionally a grain id;
 * neighbouring voxels of different grains are joined through a thin
 * grain-boundary layer.  Each electrode may carry an interface map, one pixel per
 * top (WE) or bottom (CE) voxel: charge-transfer contact, pore, SEI or free
 * surface.
 *
 * The model is turned into the exact RC pencil Y(s) = G + sC (G, C real,
 * symmetric, positive semi-definite, s = jω) by zstr_plan_create(), which also
 * runs one symbolic analysis of the sparse pattern (FFTW-style plan).  Every
 * zstr_execute() then factors Y(jω) for one frequency and returns the impedance
 * Z = V_WE / I with the CE grounded.  Several threads may execute on one plan,
 * each with its own zstr_workspace.
 *
 * Conventions
 * -----------
 * - All quantities are SI: m, S/m, F/m², Ω·m², K, Hz, Ω; activation energies in eV.
 * - Complex numbers cross the interface as interleaved double pairs (re, im).
 *   Z = Z' + jZ'' with Z'' < 0 for a capacitive response.
 * - Voxel (x, y, z) has linear index x + nx·(y + ny·z); pixel (x, y) of an
 *   interface map has index x + nx·y.
 * - Every fallible call returns an int status: ZSTR_OK (0), an error (< 0) or a
 *   warning (> 0); zstr_strerror() names it.  The last argument is an optional
 *   caller-owned zstr_error record (may be NULL) filled with a message.
 * - Constructors set *out to NULL on failure and free any partial work.
 *   Every zstr_*_free(NULL) is a no-op.
 * - The library never prints, exits or aborts, keeps no global mutable state and
 *   starts no threads unless zstr_sweep_options.threads asks for them.
 *
 * Thread rules
 * ------------
 * A zstr_model may be read by many threads but modified by one at a time.  A
 * zstr_plan is read-only once created: any number of threads may call
 * zstr_execute() on it concurrently, each with its own workspace.  A plan keeps
 * no pointer to the model it was made from.  The factorizations call BLAS; a
 * multithreaded BLAS (OpenBLAS) started from several sweep threads
 * oversubscribes the cores: with threads > 1 run one BLAS thread each
 * (OPENBLAS_NUM_THREADS=1; measured 3x faster on 2 cores, bench/RESULTS.md).
 *
 * The iterative backend (ZSTR_BACKEND_ITERATIVE, in libzstr-mpi only) calls
 * PETSc, which is not thread-safe and has process-wide state: the library
 * serialises every call into PETSc with one process-wide lock, so reduced-order
 * sweeps on iterative plans from several threads are correct but take turns.
 * PETSc (and with it MPI) is initialised at the first iterative plan unless the
 * program initialised it already (PetscInitializeNoArguments, with PETSc's
 * signal handlers and option files off); the library never finalises PETSc.
 * A program that wants MPI shut down cleanly frees every plan first and then
 * calls PetscFinalize() and MPI_Finalize() itself.  A program that calls
 * PETSc itself must not do so from another thread while the library may.
 *
 * ABI
 * ---
 * Enumerations are append-only.  Option and result structures start with their
 * size and grow at the end in minor releases (see "Extensible structures"
 * below); the parameter structures of the model (zstr_phase_params,
 * zstr_interface_params, zstr_voronoi_params) describe physics that is complete
 * and change only with a new soname.
 *
 * Arguments
 * ---------
 * Unless a function's Arguments say otherwise, every pointer argument is
 * required (NULL gives ZSTR_EINVAL, or a no-op for *_free) and the last one,
 * `err`, is always optional.  Read-only views returned by the library stay valid
 * until the object they point into changes or is freed.
 */
#ifndef ZSTR_H
#define ZSTR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h> /* FILE, for zstr_spectrum_write_csv_stream */

#ifdef __cplusplus
extern "C" {
#endif

#define ZSTR_VERSION_MAJOR 0
#define ZSTR_VERSION_MINOR 2
#define ZSTR_VERSION_PATCH 0
#define ZSTR_VERSION_NUMBER \
    (ZSTR_VERSION_MAJOR * 10000 + ZSTR_VERSION_MINOR * 100 + ZSTR_VERSION_PATCH)

#if defined(ZSTR_BUILDING_LIBRARY) && defined(__GNUC__)
#define ZSTR_API __attribute__((visibility("default")))
#else
#define ZSTR_API
#endif

/* ------------------------------------------------------------------------- */
/* Status codes and error records                                            */
/* ------------------------------------------------------------------------- */

/* X(name, value, description): one list, the enum and zstr_strerror() agree. */
#define ZSTR_STATUS_LIST(X)                                                        \
    X(ZSTR_OK, 0, "success")                                                       \
    X(ZSTR_EINVAL, -1, "invalid argument")                                         \
    X(ZSTR_ENOMEM, -2, "out of memory")                                            \
    X(ZSTR_ERANGE, -3, "value out of range")                                       \
    X(ZSTR_ESTATE, -4, "object not in the required state")                         \
    X(ZSTR_ESOLVER, -5, "sparse solver failed")                                    \
    X(ZSTR_ESINGULAR, -6, "matrix is singular")                                    \
    X(ZSTR_EMEMLIMIT, -7, "predicted memory exceeds the allowed limit")            \
    X(ZSTR_EIO, -8, "input/output error")                                          \
    X(ZSTR_ECANCELLED, -9, "cancelled by the caller")                              \
    X(ZSTR_ETHREAD, -10, "could not start a thread")                               \
    X(ZSTR_EPATTERN, -11, "the network's pattern differs from the plan's")          \
    X(ZSTR_EUNSUPPORTED, -12, "not supported by this build of the library")        \
    X(ZSTR_WOPEN_CIRCUIT, 1, "no conductive path joins the electrodes at DC")

typedef enum zstr_status {
#define ZSTR_X_ENUM(name, value, text) name = value,
    ZSTR_STATUS_LIST(ZSTR_X_ENUM)
#undef ZSTR_X_ENUM
    ZSTR_STATUS_END_ /* not a status; keeps the list comma-safe */
} zstr_status;

/* Caller-owned error record.  Filled on every status != ZSTR_OK when non-NULL.
 * file/line/column are set by readers of files (0 / empty otherwise). */
typedef struct zstr_error {
    int code;          /* the status returned */
    char message[512]; /* what went wrong, and with which value */
    char file[256];    /* file being read, or "" */
    long line;         /* 1-based line in file, 0 when not applicable */
    long column;       /* 1-based column, 0 when not applicable */
} zstr_error;

/* Name of a status ("success", "invalid argument", ...); never NULL. */
ZSTR_API const char *zstr_strerror(int status);

/* Library version as "MAJOR.MINOR.PATCH" and as ZSTR_VERSION_NUMBER. */
ZSTR_API const char *zstr_version_string(void);
ZSTR_API int zstr_version_number(void);

/* Physical constants used by the library (CODATA 2018). */
#define ZSTR_EPSILON0 8.8541878128e-12 /* F/m */
#define ZSTR_KBOLTZ_EV 8.617333262e-5  /* eV/K */

/* ------------------------------------------------------------------------- */
/* Model: grid, phases, grains, temperature, interface maps                   */
/* ------------------------------------------------------------------------- */

typedef struct zstr_model zstr_model;

/* Purpose: create a model of nx × ny × nz voxels with edges hx, hy, hz [m].
 *   Every voxel starts in phase 0, which must be added before planning.
 * Returns: ZSTR_OK; ZSTR_EINVAL for n < 1, h not finite or <= 0, NULL out;
 *   ZSTR_ERANGE when the voxel count exceeds 2^40; ZSTR_ENOMEM. */
ZSTR_API int zstr_model_create(int64_t nx, int64_t ny, int64_t nz, double hx, double hy,
                               double hz, zstr_model **out, zstr_error *err);
ZSTR_API void zstr_model_free(zstr_model *model);

/* Grid and derived geometry. */
ZSTR_API void zstr_model_get_grid(const zstr_model *model, int64_t n[3], double h[3]);
/* The layers the model holds, [*z_begin, *z_end): 0 and nz for a model of
 * zstr_model_create.  A distributed process's model (zstr_mpi_model_create,
 * zstr_mpi.h) holds only the layers its slab needs; the per-voxel calls below
 * (fill, labels, grains) then take and give those layers' voxels, x fastest,
 * from layer z_begin; the calls that need every voxel (plans, restamps,
 * zstr_model_voronoi, tortuosity) refuse it with ZSTR_EINVAL; and its
 * description counts the held layers and says so, unless
 * zstr_mpi_model_count gave it the whole grid's counts. */
ZSTR_API void zstr_model_get_layers(const zstr_model *model, int64_t *z_begin, int64_t *z_end);

/* A phase.  conductivity σ_ref [S/m] (>= 0; 0 = insulator such as a pore),
 * permittivity ε_r (> 0), activation_energy E_a [eV] (>= 0), at
 * reference_temperature T_ref [K] (> 0).  σ(T) follows physics.md:
 *   σ(T) = σ_ref · (T_ref/T) · exp[−E_a/k_B · (1/T − 1/T_ref)].
 * name is copied (at most 63 bytes are kept); NULL gives "phaseN". */
typedef struct zstr_phase_params {
    const char *name;
    double conductivity;
    double permittivity;
    double activation_energy;
    double reference_temperature;
} zstr_phase_params;

/* Purpose: add a phase; *id receives its number (0, 1, ...).
 * Returns: ZSTR_OK; ZSTR_EINVAL for a NULL or non-finite/negative value;
 *   ZSTR_ERANGE beyond 256 phases (ids 0..255). */
ZSTR_API int zstr_model_add_phase(zstr_model *model, const zstr_phase_params *params,
                                  int *id, zstr_error *err);
/* Purpose: replace the parameters of phase id (for sweeps). */
ZSTR_API int zstr_model_set_phase(zstr_model *model, int id, const zstr_phase_params *params,
                                  zstr_error *err);
ZSTR_API int zstr_model_phase_count(const zstr_model *model);
/* Purpose: read phase id; name points into the model (valid until freed). */
ZSTR_API int zstr_model_get_phase(const zstr_model *model, int id, zstr_phase_params *params,
                                  zstr_error *err);

/* Purpose: set the temperature T [K] (> 0) at which the plan is built.
 *   The default is 298.15 K. */
ZSTR_API int zstr_model_set_temperature(zstr_model *model, double temperature,
                                        zstr_error *err);
ZSTR_API double zstr_model_get_temperature(const zstr_model *model);

/* Purpose: set every voxel to phase `phase`. */
ZSTR_API int zstr_model_fill(zstr_model *model, int phase, zstr_error *err);

/* Purpose: copy per-voxel phase labels (nx·ny·nz values, each a phase id; a
 *   part: those of its held layers).  Phases may be added later, but must
 *   exist when the plan is made. */
ZSTR_API int zstr_model_set_labels(zstr_model *model, const int32_t *labels, zstr_error *err);
/* Read-only view of the labels (nx·ny·nz; a part: its held layers), valid
 * until the model changes. */
ZSTR_API const int32_t *zstr_model_labels(const zstr_model *model);

/* Purpose: copy per-voxel grain ids (nx·ny·nz, a part: its held layers; id < 0
 *   = belongs to no grain)
 *   and the grain-boundary description.  A branch between two voxels with
 *   grain ids a >= 0, b >= 0, a != b carries a GB layer of phase
 *   boundary_phase and thickness boundary_thickness [m], which must be smaller
 *   than the voxel edge along that branch; the two half voxels give up δ/2 each,
 *   so the branch still spans one voxel edge.  grain_ids == NULL removes grains.
 * Returns: ZSTR_EINVAL for a bad phase or thickness. */
ZSTR_API int zstr_model_set_grains(zstr_model *model, const int32_t *grain_ids,
                                   int boundary_phase, double boundary_thickness,
                                   zstr_error *err);
/* Read-only grain ids, or NULL when the model has no grains. */
ZSTR_API const int32_t *zstr_model_grain_ids(const zstr_model *model);
/* Grain-boundary phase and thickness [m] (either pointer may be NULL).
 * Returns ZSTR_ESTATE when the model has no grains, ZSTR_EINVAL for NULL model. */
ZSTR_API int zstr_model_get_grain_boundary(const zstr_model *model, int *phase,
                                           double *thickness);

/* Voronoi polycrystal.  Seeds are placed uniformly (a Poisson process) in the
 * box by the library's own PRNG (xoshiro256**, seeded by splitmix64(seed)), so a
 * seed gives the same grains on every machine.  The number of seeds is
 * round(V / d³) with d = mean_grain_size (d is the cube root of the mean grain
 * volume).  Voxels go to the seed nearest to their centre (ties: lower seed),
 * then any voxel fragment that is not 6-connected to the largest part of its
 * grain joins the neighbouring grain it shares most faces with, so every grain is
 * connected.  grain_phase >= 0 also sets every voxel's label to that phase;
 * grain_phase < 0 keeps the labels. */
typedef struct zstr_voronoi_params {
    double mean_grain_size;    /* d [m], > 0 */
    uint64_t seed;
    int grain_phase;           /* phase of the grain interiors, or -1 to keep labels */
    int boundary_phase;        /* phase of the grain-boundary layer */
    double boundary_thickness; /* δ_gb [m], 0 <= δ < min(h) */
} zstr_voronoi_params;

/* Purpose: generate Voronoi grains and install them as with zstr_model_set_grains.
 *   *n_grains (optional) receives the number of non-empty grains. */
ZSTR_API int zstr_model_voronoi(zstr_model *model, const zstr_voronoi_params *params,
                                int64_t *n_grains, zstr_error *err);

/* Electrodes. */
typedef enum zstr_electrode { ZSTR_WE = 0, ZSTR_CE = 1 } zstr_electrode;

/* Interface pixel types. */
typedef enum zstr_pixel {
    ZSTR_PIXEL_NONE = 0,    /* free surface: no branch to the electrode */
    ZSTR_PIXEL_CONTACT = 1, /* charge-transfer contact: R_pol ∥ C_DL */
    ZSTR_PIXEL_PORE = 2,    /* pore: capacitor C_pore only */
    ZSTR_PIXEL_SEI = 3      /* SEI / passivation: R_SEI ∥ C_SEI */
} zstr_pixel;

/* Area-specific interface parameters (per m² of pixel).  A resistance of 0
 * means an ideal contact (the element is a short); resistances scale with
 * temperature as the inverse of σ(T) with their own activation energies. */
typedef struct zstr_interface_params {
    double contact_resistance;        /* R_pol [Ω·m²], >= 0 */
    double contact_capacitance;       /* C_DL [F/m²], >= 0 */
    double contact_activation_energy; /* [eV] */
    double pore_capacitance;          /* C_pore [F/m²], >= 0 (0: pores carry no current) */
    double sei_resistance;            /* R_SEI [Ω·m²], > 0 when SEI pixels exist */
    double sei_capacitance;           /* C_SEI [F/m²], >= 0 */
    double sei_activation_energy;     /* [eV] */
    double reference_temperature;     /* [K] for both activation laws */
} zstr_interface_params;

/* Fill *p with an ideal contact at 298.15 K: all zero but the temperature. */
ZSTR_API void zstr_interface_params_default(zstr_interface_params *p);

/* Purpose: give electrode `electrode` an interface: parameters and a pixel map
 *   of nx·ny zstr_pixel values (copied).  pixels == NULL means full contact.
 * Returns: ZSTR_EINVAL for a bad electrode, value or pixel code. */
ZSTR_API int zstr_model_set_interface(zstr_model *model, int electrode,
                                      const zstr_interface_params *params,
                                      const uint8_t *pixels, zstr_error *err);
/* Purpose: make the electrode an ideal full contact again (the default). */
ZSTR_API int zstr_model_clear_interface(zstr_model *model, int electrode, zstr_error *err);
/* Copy an electrode's interface parameters into *params.
 * Returns ZSTR_ESTATE for an ideal electrode, ZSTR_EINVAL for bad arguments. */
ZSTR_API int zstr_model_get_interface(const zstr_model *model, int electrode,
                                      zstr_interface_params *params);
/* Read-only pixel map (nx·ny) or NULL for an ideal electrode. */
ZSTR_API const uint8_t *zstr_model_interface_pixels(const zstr_model *model, int electrode);
/* Realised contact fraction of an electrode: contact pixels / all pixels
 * (1 for an ideal electrode). */
ZSTR_API double zstr_model_contact_fraction(const zstr_model *model, int electrode);

/* ------------------------------------------------------------------------- */
/* Interface map generators (write nx·ny zstr_pixel values into caller memory) */
/* ------------------------------------------------------------------------- */

/* Every generator: pixels has nx·ny entries; `rest` is the type of every
 * non-contact pixel (ZSTR_PIXEL_PORE, _SEI or _NONE); *realised (optional)
 * receives the realised contact fraction.  hx, hy [m] make the shapes square in
 * physical units on anisotropic pixels.  Returns ZSTR_EINVAL for fraction
 * outside [0, 1], bad sizes or a bad rest type. */

/* All pixels contact. */
ZSTR_API int zstr_map_full(int64_t nx, int64_t ny, uint8_t *pixels, zstr_error *err);
/* One centred square contact spot of area fraction·Lx·Ly, its sides rounded to
 * whole pixels. */
ZSTR_API int zstr_map_square(int64_t nx, int64_t ny, double hx, double hy, double fraction,
                             int rest, uint8_t *pixels, double *realised, zstr_error *err);
/* A frame of contact along the border around a centred square hole of area
 * (1 − fraction)·Lx·Ly, sides rounded to whole pixels. */
ZSTR_API int zstr_map_frame(int64_t nx, int64_t ny, double hx, double hy, double fraction,
                            int rest, uint8_t *pixels, double *realised, zstr_error *err);
/* A thresholded correlated random field: white noise from the library's PRNG
 * (seed), smoothed by three passes of a periodic box filter that together
 * approximate a Gaussian kernel of standard deviation correlation_length [m]
 * (0 = uncorrelated), then the round(fraction·nx·ny) highest pixels are
 * contact, so the realised fraction is within one pixel of the target. */
ZSTR_API int zstr_map_random(int64_t nx, int64_t ny, double hx, double hy, double fraction,
                             double correlation_length, uint64_t seed, int rest,
                             uint8_t *pixels, double *realised, zstr_error *err);
/* Contact fraction of a map; ZSTR_EINVAL for an unknown pixel code. */
ZSTR_API int zstr_map_contact_fraction(int64_t nx, int64_t ny, const uint8_t *pixels,
                                       double *fraction, zstr_error *err);

/* ------------------------------------------------------------------------- */
/* Plan: the pencil G + sC, its pattern and one symbolic analysis             */
/* ------------------------------------------------------------------------- */

/* Extensible structures
 * ---------------------
 * The option and result structures below grow in minor releases: each one
 * starts with `size_t size`, the caller's sizeof of it.  For options (input),
 * zstr_*_default() sets size and every field; the library reads only the first
 * `size` bytes and takes the defaults for fields beyond them, so a program
 * built against an older header keeps working with a newer library.  For
 * results (output), the caller sets `.size = sizeof x` (or calls the matching
 * *_init()); the library writes no byte past `size`.  A size below the first
 * release's layout (for example 0: forgotten initialisation) or above this
 * library's sizeof (a newer header than the library) is ZSTR_EINVAL.  We chose
 * the size prefix over opaque parameter objects because the structures stay
 * plain data: they can be made on the stack, copied, printed by a debugger and
 * read field by field, and a new field costs one line and no new function.
 * Fields are only ever appended.  Figures that belong to one solver backend
 * are not fields: zstr_plan_solver_stat() lists them by name. */

typedef enum zstr_ordering {
    ZSTR_ORDERING_DEFAULT = 0, /* the benchmarked default (bench/RESULTS.md) */
    ZSTR_ORDERING_AMD = 1,
    ZSTR_ORDERING_METIS = 2
} zstr_ordering;

/* The linear solver of the reduced-order sweeps (real shifted systems
 * G + σC; zstr_rom_create).  The direct per-frequency method always uses
 * complex LU.  ITERATIVE is PETSc's conjugate gradients with algebraic multigrid
 * (GAMG; BoomerAMG through backend_options "-pc_type hypre"), built into
 * libzstr-mpi only (pkg-config libzstr-mpi); the serial libzstr refuses it with
 * ZSTR_EUNSUPPORTED.  Its solves stop at a normwise backward error of 1e-5
 * times the reduced model's tolerance (within 1e-13 … 1e-8; lib/mor.c says
 * why), and tests/test_mor.c holds its spectra within 1e-6 of CHOLMOD's.
 * AUTO takes CHOLMOD unless the iterative backend is built and either
 * CHOLMOD's factor and the basis do not fit the memory limit, or one shift
 * (a factorization or a multigrid set-up, with two solves) is predicted over
 * 1.5 times slower by CHOLMOD: its analysis's flop count at 25 Gflop/s
 * against 2.2e-5 s per unknown, rates measured with one BLAS thread
 * (bench/RESULTS.md, "auto by speed": on the paper's model auto switches at
 * about 64³, where the iterative sweep was 1.6 times faster and held 5.5
 * times less memory).  The plan's figures auto.direct_shift_seconds and
 * auto.iterative_shift_seconds give both predictions.  Where the grid alone
 * puts CHOLMOD's shift over 10 times behind and no complex LU would fit
 * (about 100³ and up on 24 GB), CHOLMOD's analysis is not made at all (the
 * figure auto.estimated_lu_nnz says so) and direct executes are refused. */
typedef enum zstr_backend {
    ZSTR_BACKEND_AUTO = 0,     /* CHOLMOD, or the iterative backend where it fits
                                  and CHOLMOD does not, or where it is faster */
    ZSTR_BACKEND_DIRECT = 1,   /* CHOLMOD's sparse Cholesky */
    ZSTR_BACKEND_ITERATIVE = 2 /* PETSc: CG + algebraic multigrid (libzstr-mpi) */
} zstr_backend;

/* Purpose: whether this build of the library has `backend` (a zstr_backend):
 *   1 for AUTO and DIRECT always, for ITERATIVE in libzstr-mpi; 0 otherwise. */
ZSTR_API int zstr_backend_available(int backend);

typedef struct zstr_options {
    size_t size;         /* sizeof(zstr_options): set by zstr_options_default() */
    int ordering;        /* zstr_ordering; default ZSTR_ORDERING_DEFAULT */
    double memory_limit; /* bytes the plan and every factorization running on it
                            at the same time may use together; 0 (default) =
                            80 % of the physical memory */
    int backend;         /* zstr_backend of the reduced-order sweeps; default AUTO */
    /* Expert options of the iterative backend in PETSc's syntax, e.g.
     * "-pc_type hypre" or "-ksp_rtol 1e-10" (the backward error its solves
     * stop at); copied by zstr_plan_create into a database of the plan's own
     * (the program's PETSc options are neither read nor changed, except that
     * PETSc 3.18 reads GAMG's -mg_levels_* and -mg_coarse_* from the global
     * one only).  An unknown type is ZSTR_EINVAL at zstr_plan_create, an
     * option no solve uses ZSTR_EINVAL at the first solve; options that print
     * (-ksp_view, -ksp_monitor) print to stdout, PETSc's habit.  NULL
     * (default): none.  Ignored by CHOLMOD. */
    const char *backend_options;
} zstr_options;

/* Purpose: fill *options with the defaults and options->size.
 * Arguments: options — may be NULL (nothing happens). */
ZSTR_API void zstr_options_default(zstr_options *options);

typedef struct zstr_plan zstr_plan;

/* Accuracy and conductivity contrast.  Every DC and AC solve is refined with a
 * residual computed element by element and Z is taken from a form whose error
 * is second order in the potentials' error; Z is returned only when its
 * estimated relative error is below 1e-10, otherwise zstr_execute() and
 * zstr_dc_resistance() return ZSTR_ESOLVER with a message naming the two
 * materials of largest conductance contrast.  Measured (tests/test_contrast.c):
 * layered and side-by-side stacks are exact to 1e-12 (observed 4e-15) up to a
 * contrast of 1e16 in either direction, except that a conductive layer floating
 * between resistive ones is refused at DC at 1e16; on a Voronoi model resistive
 * grains are answered at DC down to a GB/bulk contrast of 6e17 (AC may refuse
 * at very low frequency beyond about 1e12), conductive grains up to about 1e14
 * and refused beyond (1e30 is refused).  A conductance that underflows or
 * overflows at the model temperature is refused here with ZSTR_ERANGE naming
 * the phase (or interface) and the temperature. */
/* Purpose: assemble the pencil of `model` at its temperature and analyse the
 *   pattern once (the symbolic analysis every frequency reuses).
 *   Memory is checked twice, against options->memory_limit: first from the grid
 *   alone, before anything large is allocated (a lower bound of assembly plus
 *   one factorization: a model that cannot fit is refused at once), then after
 *   the analysis, from the exact count of the factor's entries: the plan plus
 *   one complex LU at its peak, or else the plan plus a reduced-order sweep
 *   (one real Cholesky and its basis), must fit; info.direct_fits says which.
 * Arguments:
 *   model   — required; only read; the plan keeps no pointer to it.
 *   options — NULL means defaults; otherwise options->size must be set.
 *   out     — required; *out is the new plan, or NULL on failure.
 *   err     — optional error record.
 * Returns: ZSTR_OK; ZSTR_EINVAL for a NULL argument, a bad options->size or an
 *   inconsistent model (unknown phase label, GB thicker than a voxel, no
 *   phase, ...) or backend options PETSc refuses; ZSTR_ERANGE for a conductance
 *   that underflows or overflows at the model temperature, or a network larger
 *   than PETSc's 32-bit indices (iterative backend); ZSTR_EMEMLIMIT with the
 *   predicted figure; ZSTR_ENOMEM; ZSTR_ESOLVER; ZSTR_EUNSUPPORTED for
 *   ZSTR_BACKEND_ITERATIVE in the serial libzstr (link libzstr-mpi). */
ZSTR_API int zstr_plan_create(const zstr_model *model, const zstr_options *options,
                              zstr_plan **out, zstr_error *err);
/* Purpose: refuse a grid that cannot fit before building its model: a lower
 *   bound of what a model of nx × ny × nz voxels and its plan need (the
 *   model's labels, the assembly, one factorization), against the limit of
 *   `options`.  zstr_plan_create() makes the same check; programs that build
 *   large models from files call this first, so the refusal costs nothing.
 * Arguments: n — the grid (each >= 1); options — NULL means defaults;
 *   bytes — optional, receives the lower bound; err — optional.
 * Returns: ZSTR_OK; ZSTR_EMEMLIMIT with the figures; ZSTR_EINVAL. */
ZSTR_API int zstr_plan_check_grid(const int64_t n[3], const zstr_options *options,
                                  double *bytes, zstr_error *err);
/* Purpose: give the plan the values of another model whose network has the
 *   same pattern (the usual case: another temperature, other conductivities,
 *   permittivities, activation energies or interface parameters on the same
 *   grid, grains and interface pixels), keeping every symbolic analysis.  The
 *   pattern does not depend on T (assembly guarantees it), so a temperature
 *   series needs one plan.  The model is assembled and its pattern compared
 *   with the plan's; only the analyses (UMFPACK's, CHOLMOD's, METIS's
 *   orderings) are saved, and the result equals a fresh plan of the model bit
 *   for bit.  A cached DC result is dropped; the memory predictions stay (they
 *   depend on the pattern only).
 * Arguments: plan — required; no thread may use it or its workspaces during
 *   the call, and a workspace's last solution belongs to the old values
 *   (execute again before zstr_fields); model — required, not kept; err —
 *   optional.  While it runs the old and the new network are both held.
 * Returns: ZSTR_OK; ZSTR_EPATTERN when the grid or the pattern differ (other
 *   grains, interface pixels, a phase whose series parts change class): the
 *   plan is unchanged, make a new one; ZSTR_EINVAL; ZSTR_ENOMEM. */
ZSTR_API int zstr_plan_restamp(zstr_plan *plan, const zstr_model *model, zstr_error *err);
/* Purpose: free a plan (NULL is a no-op).  No workspace of it may be in use. */
ZSTR_API void zstr_plan_free(zstr_plan *plan);

typedef struct zstr_plan_info {
    size_t size;           /* set by the caller: sizeof(zstr_plan_info) */
    int64_t n_voxels;      /* nx·ny·nz */
    int64_t n_internal;    /* internal nodes between series parts of different τ */
    int64_t n_unknowns;    /* rows of Y: voxel + internal nodes (electrodes eliminated) */
    int64_t nnz;           /* entries of Y (both triangles) */
    int64_t n_branches;    /* RC branches (elements) in the network */
    int64_t n_floating;    /* nodes no conductive path joins to any electrode */
    int64_t n_isolated_dc; /* nodes conductively joined to one electrode only */
    int open_circuit;      /* 1 when no conductive path joins WE and CE */
    int ordering;          /* zstr_ordering used */
    double area;           /* Lx·Ly [m²] */
    double thickness;      /* Lz [m] */
    double temperature;    /* [K] */
    double contact_fraction[2];  /* realised, indexed by zstr_electrode */
    double analysis_seconds;     /* wall time of the plan's symbolic analysis (of the
                                    port form, for the reduced-order sweeps; the
                                    complex LU's is the solver figure
                                    umfpack.symbolic_seconds) */
    double plan_bytes;           /* memory the plan holds: pencil_bytes + mor_bytes,
                                    and direct_bytes from its first workspace on */
    double predicted_bytes;      /* predicted memory of one factorization (the factor) */
    double predicted_peak_bytes; /* predicted peak of one zstr_execute: workspace,
                                    factor and the solver's working memory */
    double memory_limit;         /* the limit in force [bytes] */
    int max_threads;             /* executes that fit the limit at the same time:
                                    floor((limit − plan) / peak), >= 1 */
    int direct_fits;             /* the plan and one complex LU fit the limit; when
                                    0, only reduced-order sweeps run (zstr_execute
                                    at f > 0 gives ZSTR_EMEMLIMIT) */
    double predicted_mor_bytes;  /* predicted memory of a reduced-order sweep with
                                    default options: one real Cholesky factor and
                                    the port form (or the iterative backend's
                                    operator and multigrid hierarchy; its port
                                    form is read from the pencil), the basis */
    /* the parts of plan_bytes */
    double pencil_bytes;         /* the assembled network: one triangle of G and C */
    double direct_bytes;         /* the direct solver: both triangles and the complex
                                    LU's symbolic analysis, made at the first
                                    workspace; 0 before, and when no complex LU fits */
    double mor_bytes;            /* the reduced-order sweeps' symbolic analysis of the
                                    port form (CHOLMOD's; the iterative backend's:
                                    the pattern's row starts and columns) */
    int backend;                 /* zstr_backend of the reduced-order sweeps:
                                    DIRECT or ITERATIVE (never AUTO) */
} zstr_plan_info;

/* Purpose: set info->size (the rest is filled by zstr_plan_get_info). */
ZSTR_API void zstr_plan_info_init(zstr_plan_info *info);
/* Purpose: describe a plan.
 * Arguments: plan — required; info — required, info->size set by the caller.
 * Returns: ZSTR_OK; ZSTR_EINVAL for NULL or a bad info->size. */
ZSTR_API int zstr_plan_get_info(const zstr_plan *plan, zstr_plan_info *info);

/* Purpose: the k-th figure that belongs to the plan's solver backend, by name
 *   ("umfpack.predicted_lu_nnz", "umfpack.estimate_bytes", ...): backends come
 *   and go without changing zstr_plan_info.
 * Arguments: plan — required; k — 0, 1, ... ; name — required, receives a
 *   static string; value — required.
 * Returns: ZSTR_OK; ZSTR_ERANGE when k >= the number of figures (iterate from
 *   0 until then); ZSTR_EINVAL for NULL. */
ZSTR_API int zstr_plan_solver_stat(const zstr_plan *plan, int k, const char **name,
                                   double *value);
/* Purpose: the plan's figure called name (see zstr_plan_solver_stat), e.g.
 *   "cholmod.predicted_flops" or auto's "auto.direct_shift_seconds".
 * Arguments: plan, name, value — required.
 * Returns: ZSTR_OK; ZSTR_ERANGE when the plan has no such figure (value is
 *   left alone); ZSTR_EINVAL for NULL. */
ZSTR_API int zstr_plan_solver_stat_named(const zstr_plan *plan, const char *name, double *value);

/* ------------------------------------------------------------------------- */
/* Execute: one frequency per call, one workspace per thread                  */
/* ------------------------------------------------------------------------- */

typedef struct zstr_workspace zstr_workspace;

/* Purpose: make a workspace for executes on `plan` (one per thread).  The
 *   plan's first workspace also makes the direct solver's part of the plan
 *   (both triangles of Y and the complex LU's symbolic analysis; thread-safe,
 *   once per plan, and only when info.direct_fits): a plan used for
 *   reduced-order sweeps alone never holds it.
 * Arguments: plan — required, must outlive the workspace; out — required
 *   (*out = NULL on failure); err — optional.
 * Returns: ZSTR_OK; ZSTR_EINVAL; ZSTR_ENOMEM. */
ZSTR_API int zstr_workspace_create(const zstr_plan *plan, zstr_workspace **out,
                                   zstr_error *err);
/* Purpose: free a workspace (NULL is a no-op). */
ZSTR_API void zstr_workspace_free(zstr_workspace *ws);

/* Purpose: impedance at frequency f [Hz] >= 0.  f > 0 factors Y(j·2πf) with
 *   UMFPACK (reusing the plan's symbolic analysis) and solves with V_WE = 1,
 *   V_CE = 0; f = 0 is the DC resistance (as zstr_dc_resistance).
 * Arguments: plan, ws — required, ws made for this plan; z — required,
 *   z[0] = Z', z[1] = Z'' [Ω]; err — optional.
 * Returns: ZSTR_OK; ZSTR_WOPEN_CIRCUIT at f = 0 with no conductive path
 *   (z = {+inf, 0}); ZSTR_EINVAL; ZSTR_ESOLVER; ZSTR_ESINGULAR; ZSTR_ENOMEM. */
ZSTR_API int zstr_execute(const zstr_plan *plan, zstr_workspace *ws, double frequency,
                          double z[2], zstr_error *err);

/* Statistics of the last AC factorization done in a workspace. */
typedef struct zstr_factor_info {
    size_t size;            /* set by the caller: sizeof(zstr_factor_info) */
    double lu_nnz;          /* nnz(L) + nnz(U) */
    double bytes;           /* memory of the numeric factorization (the factor) */
    double numeric_seconds; /* wall time of the factorization */
    double solve_seconds;   /* wall time of the solve */
    double peak_bytes;      /* the solver's peak memory during the factorization */
} zstr_factor_info;
/* Purpose: set info->size. */
ZSTR_API void zstr_factor_info_init(zstr_factor_info *info);
/* Purpose: statistics of the last AC factorization in ws (all zero before it).
 * Arguments: ws — required; info — required, info->size set.
 * Returns: ZSTR_OK; ZSTR_EINVAL for NULL or a bad info->size. */
ZSTR_API int zstr_workspace_factor_info(const zstr_workspace *ws, zstr_factor_info *info);

/* Purpose: node potentials of the last AC solve in ws for V_WE = 1 V.
 * Returns: n_unknowns interleaved complex values, voxel nodes first (in voxel
 *   index order), then internal nodes; valid until the next execute on ws or
 *   its free.  NULL when ws is NULL or before the first AC solve. */
ZSTR_API const double *zstr_workspace_potentials(const zstr_workspace *ws);

/* Purpose: fields of the last AC solve in ws, for a total current of 1 A into
 *   the WE (multiply by the actual current for another excitation).
 * Arguments: plan, ws — required, ws made for plan.  Every output may be NULL
 *   (it is then not computed):
 *   potential         nx·ny·nz complex [V] at the voxel centres, CE at 0 V;
 *   current_density   3·nx·ny·nz complex [A/m²]: [3i + d] is component d of
 *                     voxel i, the mean of the currents through its two faces
 *                     normal to d (insulating walls carry 0, the electrode faces
 *                     their electrode branch) over the face area; positive
 *                     along +d (the current enters at the WE, z = Lz, so J_z < 0);
 *   we_current        nx·ny complex [A/m²]: current density from the WE into
 *                     each interface pixel (0 on free-surface pixels).
 * Returns: ZSTR_ESTATE before the workspace's first AC solve; ZSTR_EINVAL. */
ZSTR_API int zstr_fields(const zstr_plan *plan, const zstr_workspace *ws, double *potential,
                         double *current_density, double *we_current, zstr_error *err);

/* DC solution with CHOLMOD on G restricted to the nodes that conduct to an
 * electrode (floating regions are excluded and counted). */
typedef struct zstr_dc_result {
    size_t size;        /* set by the caller: sizeof(zstr_dc_result) */
    double resistance;  /* R_DC [Ω]; +inf when open_circuit */
    int open_circuit;   /* no conductive path joins WE and CE */
    int64_t n_solved;   /* unknowns of the reduced G */
    int64_t n_floating; /* nodes left out: no conductive path to an electrode */
    double factor_nnz;  /* nnz(L) of the Cholesky factor */
    double seconds;     /* wall time (analysis, factorization, solve) */
} zstr_dc_result;

/* Purpose: set result->size. */
ZSTR_API void zstr_dc_result_init(zstr_dc_result *result);
/* Purpose: the DC resistance of the plan's network.  Solved at the first call
 *   and kept with the plan (until zstr_plan_restamp): later calls, from any
 *   thread, return the same record (its seconds are the first solve's).  By
 *   CHOLMOD's Cholesky factor, or on a plan for the iterative backend
 *   (zstr_plan_info.backend) by its CG + AMG with the same refinement and
 *   accuracy check (factor_nnz is then 0).
 * Arguments: plan — required; result — required, result->size set by the
 *   caller (zstr_dc_result_init); err — optional.
 * Returns: ZSTR_OK; ZSTR_WOPEN_CIRCUIT (result filled, resistance = +inf);
 *   ZSTR_EINVAL; ZSTR_ENOMEM; ZSTR_ESOLVER; ZSTR_ESINGULAR. */
ZSTR_API int zstr_dc_resistance(const zstr_plan *plan, zstr_dc_result *result,
                                zstr_error *err);

/* ------------------------------------------------------------------------- */
/* Sweeps: a whole spectrum                                                  */
/* ------------------------------------------------------------------------- */

typedef struct zstr_sweep_options {
    size_t size; /* sizeof(zstr_sweep_options): set by zstr_sweep_options_default() */
    /* worker threads, each with its own workspace; <= 1: the caller's thread.
     * Capped at the plan's max_threads (zstr_plan_info), so that the plan and
     * the threads' factorizations fit the plan's memory limit together. */
    int threads;
    /* Called after each finished frequency (from the worker threads, serialised
     * by the library); a non-zero return cancels the sweep (ZSTR_ECANCELLED).
     * NULL: no progress. */
    int (*progress)(void *context, int64_t done, int64_t total);
    void *context; /* passed to progress as is */
    /* How the spectrum is computed (zstr_method); default ZSTR_METHOD_AUTO. */
    int method;
    /* MOR: target max relative error over the band (default 1e-6); frequencies
     * whose estimate stays above it are solved directly. */
    double tolerance;
    /* Optional: filled with what ran (NULL: not reported). */
    struct zstr_sweep_report *report;
    /* MOR: called after each real factorization with the number made so far and
     * the estimated max relative error over the band (+inf until two models
     * exist to compare); a non-zero return cancels (ZSTR_ECANCELLED).  NULL:
     * none.  (progress is called too, with done = factorizations, total = 0.) */
    int (*mor_progress)(void *context, int factorizations, double estimate);
    /* Optional per-frequency outputs, n values each (NULL: not returned):
     * estimate    the estimated relative error of the value returned: the
     *             reduced model's estimate, 0 where it was solved directly
     *             (f = 0, the direct method, a recomputed frequency);
     * recomputed  1 where MOR's estimate missed the tolerance and the value
     *             comes from a complex LU instead, else 0. */
    double *estimate;
    unsigned char *recomputed;
    /* MOR: when not NULL, *rom receives the reduced model (free it with
     * zstr_rom_free): its poles are the network's exact relaxation-time
     * spectrum (zstr_rom_poles).  *rom = NULL when the direct method ran or
     * the sweep failed. */
    struct zstr_rom **rom;
} zstr_sweep_options;

typedef enum zstr_method {
    ZSTR_METHOD_AUTO = 0,   /* MOR from 12 frequencies and 5000 unknowns or when no
                               complex LU fits the memory limit, else direct */
    ZSTR_METHOD_DIRECT = 1, /* one complex LU per frequency */
    ZSTR_METHOD_MOR = 2     /* reduced-order model (zstr_rom_create) */
} zstr_method;

typedef struct zstr_sweep_report {
    size_t size;            /* set by the caller: sizeof(zstr_sweep_report) */
    int method;             /* zstr_method that ran (never AUTO) */
    int64_t factorizations; /* complex LUs (direct) or real Choleskys (MOR; the
                               iterative backend's preconditioner set-ups) */
    int64_t solves;         /* MOR: solves with the real factors */
    int64_t direct;         /* frequencies solved by complex LU: all for direct;
                               for MOR those whose estimate missed the tolerance */
    double max_estimate;    /* MOR: max estimated relative error of the reduced
                               values returned (0 for direct) */
    double seconds;         /* wall time of the sweep */
    int backend;            /* MOR: zstr_backend of its real solves (DIRECT or
                               ITERATIVE); 0 (AUTO) for the direct method */
    int64_t iterations;     /* MOR with the iterative backend: Krylov iterations
                               of all its solves (0 otherwise) */
} zstr_sweep_report;

/* Purpose: set report->size. */
ZSTR_API void zstr_sweep_report_init(zstr_sweep_report *report);

/* Purpose: fill *options with the defaults (one thread, no progress, method
 *   auto, tolerance 1e-6, no report) and size.
 * Arguments: options — may be NULL (nothing happens). */
ZSTR_API void zstr_sweep_options_default(zstr_sweep_options *options);

/* Purpose: the method zstr_sweep would run for these frequencies: `method`
 *   itself, or for ZSTR_METHOD_AUTO the choice auto makes (MOR from 12
 *   positive frequencies and 5000 unknowns, or whenever no complex LU fits the
 *   plan's memory limit, or when the plan's reduced-order backend is the
 *   iterative one; direct otherwise); direct when no frequency is > 0.
 * Arguments: plan — required; n >= 0; frequencies — required when n > 0 (not
 *   checked for finiteness: zstr_sweep does that); method — a zstr_method.
 * Returns: ZSTR_METHOD_DIRECT or ZSTR_METHOD_MOR; ZSTR_EINVAL (< 0), also for
 *   ZSTR_METHOD_DIRECT on a plan made with ZSTR_BACKEND_ITERATIVE (a direct
 *   sweep factors Y(jω) by complex LU at every frequency, which that backend
 *   was chosen to avoid: it is refused rather than run, or turned into MOR,
 *   behind the program's back). */
ZSTR_API int zstr_sweep_method(const zstr_plan *plan, int64_t n, const double *frequencies,
                               int method);

/* Purpose: z[2k], z[2k+1] = Z(frequencies[k]) for k < n.
 * Arguments: plan — required; n >= 0; frequencies, z — required when n > 0;
 *   options — NULL means defaults, otherwise options->size must be set;
 *   err — optional.
 *   With MOR, f = 0 is the DC solve, every other frequency comes from one
 *   reduced model of the band, and any whose estimate misses the tolerance is
 *   recomputed by complex LU (report->direct counts them) when one fits the
 *   memory limit, whatever the backend; the progress callback then sees the
 *   factorizations as they are made.
 * Returns: as zstr_execute (the first error of any frequency), ZSTR_ECANCELLED,
 *   ZSTR_ETHREAD; ZSTR_EINVAL for ZSTR_METHOD_DIRECT on a plan made with
 *   ZSTR_BACKEND_ITERATIVE (see zstr_sweep_method).  On error z is left
 *   unspecified. */
ZSTR_API int zstr_sweep(const zstr_plan *plan, int64_t n, const double *frequencies,
                        double *z, const zstr_sweep_options *options, zstr_error *err);

/* ------------------------------------------------------------------------- */
/* Reduced-order model: the whole spectrum from a few real factorizations    */
/* ------------------------------------------------------------------------- */

/* Because Y = G + sC is an exact RC pencil, Z(s) has only real poles on the
 * negative axis.  zstr_rom_create() projects the network onto a small basis
 * made of solves with real shifted systems G + σC (several solves per real
 * Cholesky factorization), with the shifts chosen greedily over the requested
 * band until the estimated error is below the tolerance.  The reduced model is
 * passive by construction and gives Z at any frequency and the network's exact
 * relaxation-time spectrum (poles and residues).  lib/mor.c says how. */
typedef struct zstr_rom zstr_rom;

typedef struct zstr_rom_options {
    size_t size;      /* sizeof(zstr_rom_options): set by zstr_rom_options_default() */
    double tolerance; /* target max relative error of Z over the band; default 1e-6 */
    int moments;      /* solves per factorization (>= 1); default 2 */
    int max_shifts;   /* most factorizations before giving up; default 30 */
    /* Called after each factorization with the count so far and the estimate
     * (max relative error over the band; +inf before there are two models); a
     * non-zero return cancels (ZSTR_ECANCELLED).  NULL: no progress. */
    int (*progress)(void *context, int factorizations, double estimate);
    void *context;
} zstr_rom_options;

/* Purpose: defaults and size.  Arguments: options — may be NULL. */
ZSTR_API void zstr_rom_options_default(zstr_rom_options *options);

/* Purpose: build the reduced model of `plan` for the band spanned by the
 *   frequencies (those > 0; f = 0 is the DC solve and needs no model).  The
 *   frequencies are also where the error is estimated, with the geometric
 *   midpoints between neighbours.
 * Arguments: plan — required, must outlive nothing (the model keeps no pointer
 *   to it); n >= 1 and frequencies — required, finite, >= 0, at least one
 *   > 0; options — NULL means defaults; out — required; err — optional.
 * Returns: ZSTR_OK; ZSTR_EINVAL; ZSTR_ENOMEM; ZSTR_ESOLVER; ZSTR_ESINGULAR;
 *   ZSTR_ECANCELLED.  When max_shifts is reached before the tolerance, the
 *   model is still returned (ZSTR_OK) and its estimates say where it is not
 *   good enough (zstr_sweep then solves those frequencies directly). */
ZSTR_API int zstr_rom_create(const zstr_plan *plan, int64_t n, const double *frequencies,
                             const zstr_rom_options *options, zstr_rom **out, zstr_error *err);
/* Purpose: free a reduced model (NULL is a no-op). */
ZSTR_API void zstr_rom_free(zstr_rom *rom);

/* Purpose: Z at n frequencies [Hz] (>= 0; f = 0 gives Z_r(0), which is R_DC
 *   when the model holds the DC solve), and optionally the error estimate.
 * Arguments: rom — required; z — required (2n values); estimate — optional, n
 *   values: the largest |Z_r − Z_r'| / |Z_r| at f/2, f and 2f, with Z_r' the
 *   model before its last factorization (the change the last shift made;
 *   tests/test_mor.c checks it against a much tighter model: within 10× of
 *   the error over the band, and pointwise wherever the error reaches the
 *   tolerance).
 * Returns: ZSTR_OK; ZSTR_EINVAL. */
ZSTR_API int zstr_rom_evaluate(const zstr_rom *rom, int64_t n, const double *frequencies,
                               double *z, double *estimate, zstr_error *err);

typedef struct zstr_rom_info {
    size_t size;            /* set by the caller: sizeof(zstr_rom_info) */
    int64_t dimension;      /* basis vectors */
    int64_t factorizations; /* real Cholesky factorizations (one per shift) */
    int64_t solves;         /* solves with those factors */
    double max_estimate;    /* max estimate over the band's check points */
    int converged;          /* max_estimate <= tolerance */
    int dc_exact;           /* the basis holds G⁻¹e, so Z_r(0) = R_DC exactly */
    int64_t n_poles;        /* relaxation terms R_k / (1 + sτ_k) */
    double series_resistance; /* R∞ [Ω]: terms with τ = 0 */
    double capacitance;     /* [F] of the 1/(sC) term (no DC path), or +inf */
    double seconds;         /* wall time of zstr_rom_create */
    int backend;            /* zstr_backend of the real solves: DIRECT or ITERATIVE */
    int64_t iterations;     /* iterative backend: Krylov iterations of all the
                               solves (0 for CHOLMOD) */
} zstr_rom_info;
/* Purpose: set info->size. */
ZSTR_API void zstr_rom_info_init(zstr_rom_info *info);
/* Returns: ZSTR_OK; ZSTR_EINVAL for NULL or a bad info->size. */
ZSTR_API int zstr_rom_get_info(const zstr_rom *rom, zstr_rom_info *info);

/* Purpose: the exact relaxation-time spectrum of the reduced network,
 *   Z_r(s) = R∞ + Σ_k R_k / (1 + sτ_k) + 1/(sC), poles sorted by τ.
 * Arguments: rom — required; tau, resistance — n_poles values each (see
 *   zstr_rom_get_info), may be NULL to skip.
 * Returns: ZSTR_OK; ZSTR_EINVAL. */
ZSTR_API int zstr_rom_poles(const zstr_rom *rom, double *tau, double *resistance);

/* Purpose: n frequencies log-spaced from f_lo to f_hi [Hz] with per_decade points
 *   per decade (both ends included exactly as given,
 *   n = round(per_decade·(log10 f_hi − log10 f_lo)) + 1; when n rounds to 1 the
 *   one frequency is f_lo).  Computed in log space, so any range of finite
 *   positive doubles works.  *out is malloc'ed (free() it); *n receives the count.
 * Returns: ZSTR_OK; ZSTR_EINVAL (0 < f_lo <= f_hi finite, per_decade > 0 finite
 *   needed); ZSTR_ERANGE (more than 10^7 frequencies); ZSTR_ENOMEM. */
ZSTR_API int zstr_frequencies_log(double f_lo, double f_hi, double per_decade, double **out,
                                  int64_t *n, zstr_error *err);

/* ------------------------------------------------------------------------- */
/* Spectrum files                                                            */
/* ------------------------------------------------------------------------- */

/* Purpose: write a spectrum as CSV.  Line 1 is the column names behind a '#',
 *   "# f_Hz,Zre_Ohm,Zim_Ohm,Zre_Ohm_cm2,Zim_Ohm_cm2" (numpy.genfromtxt with
 *   names=True reads it; plain genfromtxt(delimiter=',') skips it), then a '#'
 *   block (library version, model summary, units, area, realised contact
 *   fractions, R_DC when dc != NULL, the caller's comment lines), then one row
 *   per frequency, numbers as %.17g in the C locale.  The area-specific columns
 *   are Z·A with A = Lx·Ly in cm².  Every value must be finite, except the one
 *   the library itself returns: Z(0) = (+inf, 0) of an open circuit (a row with
 *   frequency 0; with dc != NULL only when dc->open_circuit), written as "inf"
 *   (numpy, pandas and R read it as infinity).  The file is written to
 *   <path>.tmpXXXXXX (mkstemp, same folder) and renamed over path, so a failed
 *   write leaves no partial file.
 * Arguments: dc — optional (no R_DC line); when given, dc->size must be set.
 *   comment — optional.
 * Returns: ZSTR_EIO (with errno text, err->file set) or ZSTR_EINVAL (NULL or
 *   empty path, NULL argument, n < 1, NaN or another infinity). */
ZSTR_API int zstr_spectrum_write_csv(const char *path, const zstr_model *model, int64_t n,
                                     const double *frequencies, const double *z,
                                     const zstr_dc_result *dc, const char *comment,
                                     zstr_error *err);

/* Purpose: as zstr_spectrum_write_csv(), but the same text goes to a stream the
 *   caller opened (and will close): no temporary, no rename.  For callers that
 *   manage their own files, e.g. to remove them on a signal or to make several
 *   outputs appear together.  The stream is flushed at the end.
 * Returns: ZSTR_OK; ZSTR_EIO (a write or the flush failed; errno text);
 *   ZSTR_EINVAL (NULL stream and the value rules above). */
ZSTR_API int zstr_spectrum_write_csv_stream(FILE *stream, const zstr_model *model, int64_t n,
                                            const double *frequencies, const double *z,
                                            const zstr_dc_result *dc, const char *comment,
                                            zstr_error *err);

/* Purpose: a multi-line, '# '-free summary of the model (grid, phases,
 *   temperature, grains, interfaces) into buf (always NUL-terminated).
 *   Returns the length it needed, like snprintf. */
ZSTR_API size_t zstr_model_describe(const zstr_model *model, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* ZSTR_H */
