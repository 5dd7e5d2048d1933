/*
 * zs_internal.h — definitions shared by the library's own files (never installed).
 *
 * The model is plain data: the grid, a phase table, per-voxel labels and grain
 * ids, and one optional interface per electrode.  Internal cross-file symbols
 * are named zs_*; file-local ones are static.
 */
#ifndef ZS_INTERNAL_H
#define ZS_INTERNAL_H

#include "zstr.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ZS_PI 3.14159265358979323846
#define ZS_MAX_PHASES 256
#define ZS_NAME_MAX 64

typedef struct zs_phase {
    char name[ZS_NAME_MAX];
    double conductivity;          /* σ_ref [S/m] */
    double permittivity;          /* ε_r */
    double activation_energy;     /* [eV] */
    double reference_temperature; /* [K] */
} zs_phase;

typedef struct zs_interface {
    int present; /* 0: ideal full contact */
    zstr_interface_params params;
    uint8_t *pixels; /* nx·ny zstr_pixel codes */
} zs_interface;

struct zstr_model {
    int64_t n[3];
    double h[3];
    int64_t nvox;
    double temperature;
    int nphases;
    zs_phase phases[ZS_MAX_PHASES];
    int32_t *labels;    /* nvox phase ids */
    int32_t *grains;    /* nvox grain ids, or NULL */
    int gb_phase;       /* valid when grains != NULL */
    double gb_thickness;
    zs_interface iface[2]; /* indexed by zstr_electrode */
};

/* Fill err (if non-NULL) with code and a formatted message; returns code. */
int zs_error(zstr_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 3, 4)))
#endif
    ;
/* Clear an error record to "success". */
void zs_error_clear(zstr_error *err);

/* Wall-clock seconds from a monotonic clock. */
double zs_wall_seconds(void);

/* Arrhenius factor σ(T)/σ_ref with the 1/T prefactor of physics.md. */
double zs_arrhenius(double activation_energy, double reference_temperature, double temperature);

/* Deterministic PRNG: xoshiro256** seeded by splitmix64; identical everywhere. */
typedef struct zs_rng {
    uint64_t s[4];
} zs_rng;
void zs_rng_seed(zs_rng *rng, uint64_t seed);
uint64_t zs_rng_next(zs_rng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
double zs_rng_uniform(zs_rng *rng);

/* Overflow-checked allocation helpers: NULL on overflow or failure. */
void *zs_malloc_array(size_t count, size_t size);
void *zs_calloc_array(size_t count, size_t size);

/* Check interface parameters and (optional) pixels; fn names the caller. */
int zs_interface_check(const zstr_interface_params *p, const uint8_t *pixels, int64_t npix,
                       const char *fn, zstr_error *err);
/* Whole-model consistency check run when a plan is made. */
int zs_model_validate(const zstr_model *m, zstr_error *err);

/* ------------------------------------------------------------------------- */
/* The assembled pencil Y(s) = G + sC (assemble.c)                           */
/* ------------------------------------------------------------------------- */

/* Electrode codes used as the far end of an element. */
#define ZS_NODE_WE (-1)
#define ZS_NODE_CE (-2)

/* One RC branch: a parallel g [S] ∥ c [F] between node a (>= 0) and node b
 * (>= 0, or ZS_NODE_WE / ZS_NODE_CE). */
typedef struct zs_elem {
    int64_t a, b;
    double g, c;
} zs_elem;

typedef struct zs_pencil {
    int64_t nvox, ninternal, n; /* n = nvox + ninternal unknowns */
    int64_t nnz;
    int64_t *Ap, *Ai;  /* CSC pattern, both triangles, rows sorted, diagonal present */
    double *Gx, *Cx;   /* values of G and C on that pattern */
    int64_t nelem;
    zs_elem *elem;
    int64_t *slot;     /* 4 per element: (a,a) (b,b) (a,b) (b,a); -1 where b is an electrode */
    /* Port: the elements that end on the WE (V_WE = 1 is the right-hand side). */
    int64_t nwe;
    int64_t *we_elem;  /* indices into elem */
    int64_t nce;
    int64_t *ce_elem;  /* the elements that end on the CE */
    /* Geometry of the branches, for fields: the first element of the chain from
     * voxel i towards its +x, +y, +z neighbour (branch_elem[3i + d]) and from a
     * top (WE) / bottom (CE) voxel to its electrode (elec_elem[e][x + nx·y]);
     * -1 where there is no branch.  The chain carries one current. */
    int64_t *branch_elem;
    int64_t *elec_elem[2];
    /* DC connectivity (conductive elements only). */
    uint8_t *dc_class; /* per node: 0 floating, 1 WE only, 2 CE only, 3 both */
    int64_t n_floating, n_isolated_dc;
    int open_circuit;
    /* Conductance contrast, for the messages of solves that cannot be made
     * accurate: the conductive materials present in the network with the largest
     * and smallest conductance of a typical element (a voxel of a phase, a GB
     * layer of one voxel face, an interface pixel), described with their value at
     * the model temperature.  contrast = 1 with one conductive material. */
    double contrast;
    char contrast_hi[128], contrast_lo[128];
} zs_pencil;

/* ---- memory policy (memory.c) -------------------------------------------- */

/* Physical memory [bytes], and the limit in force for a requested one (0 =
 * 80 % of the physical memory). */
double zs_mem_physical(void);
double zs_mem_limit(double requested);
/* Lower bounds from the grid alone [bytes]: the assembly's arrays and one
 * complex LU factor (either pointer may be NULL). */
void zs_mem_grid_bound(const int64_t n[3], double *assembly, double *factor);
/* From a predicted nnz(L+U): the final factor and the peak while factoring. */
double zs_mem_factor_bytes(double lu_nnz);
double zs_mem_factor_peak_bytes(double lu_nnz);
/* Bytes of a reduced-order sweep (see memory.c). */
double zs_mem_mor_bytes(double lnz, double n, double nnz, double kmax);
/* What the iterative backend holds instead of the factor (lnz = 0 above). */
double zs_mem_iterative_bytes(double n, double nnz);
/* Bytes an assembled pencil holds; npix = nx·ny. */
double zs_mem_pencil_bytes(const zs_pencil *p, int64_t npix);

/* Check the size field of an extensible structure: first = its size in the
 * first release with a size field, current = this library's sizeof. */
int zs_check_size(size_t given, size_t first, size_t current, const char *what,
                  zstr_error *err);
/* Bytes from the start of struct type up to the end of its member. */
#define ZS_SIZE_UPTO(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* "conductance contrast between X and Y is C" (or "" with no contrast) into buf. */
void zs_contrast_text(const zs_pencil *p, char *buf, size_t size);

/* ------------------------------------------------------------------------- */
/* Accuracy of the solves (solver_cholmod.c at DC, execute.c at f > 0)       */
/* ------------------------------------------------------------------------- */

/* Every solve is refined with a residual computed element by element (no
 * cancellation), and Z comes from the stationary form I = Σ_e y_e (Δ_e v)²,
 * whose error is second order in the potentials' error.  Z is returned only
 * when its estimated relative error, Σ_e |y_e| |Δ_e d|² / |I| for the last
 * correction d plus the rounding of the sum, is below ZS_Z_RELTOL; the
 * banners of those files give the reasoning. */
#define ZS_Z_RELTOL 1e-10
/* at most this many refinement steps (each one extra solve with the factor) */
#define ZS_REFINE_MAX 6

/* Build the pencil of a validated model at its temperature. */
int zs_pencil_build(const zstr_model *m, zs_pencil *p, zstr_error *err);
void zs_pencil_free(zs_pencil *p);

#endif /* ZS_INTERNAL_H */
