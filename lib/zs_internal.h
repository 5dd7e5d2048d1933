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

/* The whole grid's counts, for the description of a process's part
 * (zstr_mpi_model_count); dropped when labels or grains change. */
typedef struct zs_counts {
    int64_t phase[ZS_MAX_PHASES]; /* voxels per phase id */
    int64_t undefined;            /* voxels with an id outside 0..255 */
    int64_t grains;               /* distinct grain ids >= 0, −1: not counted */
    int64_t no_grain;             /* voxels with a grain id < 0 */
} zs_counts;

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
    /* The layers held: [z_lo, z_hi), nheld = n[0]·n[1]·(z_hi − z_lo) voxels.
     * A whole model holds every layer; a distributed process's model
     * (zstr_mpi_model_create) only those its slab needs.  labels and grains
     * are indexed by v − z_lo·n[0]·n[1] for the global voxel v. */
    int64_t z_lo, z_hi, nheld;
    int32_t *labels;    /* nheld phase ids */
    int32_t *grains;    /* nheld grain ids, or NULL */
    zs_counts *counts;  /* the whole grid's, of a part (zstr_mpi_model_count), or NULL */
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
/* A model of layers [z_lo, z_hi) of an nx × ny × nz grid (a whole model:
 * 0, nz); the checks and messages of zstr_model_create, named fn. */
int zs_model_create_layers(int64_t nx, int64_t ny, int64_t nz, double hx, double hy, double hz,
                           int64_t z_lo, int64_t z_hi, const char *fn, zstr_model **out,
                           zstr_error *err);
/* ZSTR_OK for a model that holds every layer; else ZSTR_EINVAL with a message
 * naming fn (the caller needs the whole model). */
int zs_model_whole(const zstr_model *m, const char *fn, zstr_error *err);
/* Make a whole model of nz' layers the part [z_lo, z_lo + nz') of a grid of
 * nz layers (the same storage: a part holds its layers as a whole model of
 * them does).  ZSTR_EINVAL when it does not fit or the model is a part. */
int zs_model_place_layers(zstr_model *m, int64_t nz, int64_t z_lo, zstr_error *err);
/* Union-find over parent[] (parent[x] == x at a root), with path halving;
 * a union keeps the smaller root, so a set's root is its least member. */
int64_t zs_uf_find(int64_t *parent, int64_t x);
void zs_uf_union(int64_t *parent, int64_t a, int64_t b);
/* The up to six face neighbours of voxel u of an nx × ny × nz block (x
 * fastest) into nb; returns their count. */
static inline int zs_face_neighbours(int64_t u, int64_t nx, int64_t ny, int64_t nz, int64_t nb[6])
{
    const int64_t L = nx * ny, x = u % nx, y = (u / nx) % ny, z = u / L;
    int k = 0;
    if (x > 0)
        nb[k++] = u - 1;
    if (x < nx - 1)
        nb[k++] = u + 1;
    if (y > 0)
        nb[k++] = u - nx;
    if (y < ny - 1)
        nb[k++] = u + nx;
    if (z > 0)
        nb[k++] = u - L;
    if (z < nz - 1)
        nb[k++] = u + L;
    return k;
}
/* Drop the whole grid's counts (labels or grains changed). */
void zs_model_touch(zstr_model *m);
/* Count phases and grains of layers [z0, z1) (held): c->grains is left 0;
 * *max_grain gets the largest grain id (−1 with none). */
void zs_model_count_layers(const zstr_model *m, int64_t z0, int64_t z1, zs_counts *c,
                           int32_t *max_grain);
/* Consistency check run when a plan is made (over the layers held). */
int zs_model_validate(const zstr_model *m, zstr_error *err);

/* ------------------------------------------------------------------------- */
/* The assembled pencil Y(s) = G + sC (assemble.c)                           */
/* ------------------------------------------------------------------------- */

/* Electrode codes used as the far end of an element. */
#define ZS_NODE_WE (-1)
#define ZS_NODE_CE (-2)

/* The pencil is stored once, compactly (the scale issue): the upper triangle
 * of one CSC pattern with the diagonal last in each column, 32-bit row
 * indices, G and C values on it, and for each electrode the elements that end
 * on it.  Nothing per element is kept besides: an element between two nodes
 * IS its off-diagonal entry, g = −G[i][j], c = −C[i][j] (negation is exact;
 * two parallel elements on one pair would merge into one with g1 + g2, c1 + c2,
 * the same admittance), so every element-wise loop (residuals, the energy
 * forms, the projection, fields) runs over the upper triangle plus the
 * electrode lists.  Branches (the chains of elements between two voxels or a
 * voxel and an electrode) are recovered from the pattern by zs_pencil_branches:
 * the internal nodes of one chain are numbered consecutively in the order they
 * were made, so each joins only its chain's neighbours. */

/* The elements that end on one electrode: the last element of each branch to it. */
typedef struct zs_elec {
    int64_t n;
    int64_t *node;  /* the node each joins to the electrode */
    int64_t *pixel; /* the interface pixel x + nx·y of its branch */
    double *g, *c;  /* its conductance [S] and capacitance [F] */
} zs_elec;

/* Largest number of unknowns the 32-bit row indices hold. */
#define ZS_MAX_UNKNOWNS INT32_MAX

typedef struct zs_pencil {
    int64_t grid[3];            /* the voxel grid */
    int64_t nvox, ninternal, n; /* n = nvox + ninternal unknowns */
    int64_t nnz;                /* stored entries: the upper triangle with the diagonal */
    int64_t *Ap;                /* n + 1 column starts */
    int32_t *Ai;                /* rows i <= j of column j, sorted: the diagonal is last */
    double *Gx, *Cx;            /* values of G and C on that pattern */
    int64_t nelem;              /* elements: nnz − n node-node ones, and the electrodes' */
    zs_elec elec[2];            /* indexed by zstr_electrode */
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

/* One branch: the chain of elements from voxel a to voxel b (b = a + the
 * stride of axis dir) or to an electrode (b = ZS_NODE_WE or ZS_NODE_CE, dir =
 * 2), through internal nodes of its own.  One current flows through the whole
 * chain, that of its first element, from a to `next` (the node after a: b, the
 * first internal node, or −1 when that element ends on the electrode). */
typedef struct zs_branch {
    int64_t a, b, next;
    int dir;
    int64_t pixel;   /* electrode branches: the interface pixel; −1 otherwise */
    double g, c;     /* the first element */
    double g_series; /* DC conductance of the chain, 1/Σ(1/g_k); 0 when an element has g = 0 */
} zs_branch;

typedef int (*zs_branch_fn)(void *ctx, const zs_branch *br);
/* Call fn for every branch: voxel-to-voxel ones by far voxel, then the
 * internal chains by their first internal node, then the WE's and the CE's in
 * the order of zs_elec.  A non-zero return of fn stops the walk and is
 * returned. */
int zs_pencil_branches(const zs_pencil *p, zs_branch_fn fn, void *ctx);

/* The value of G (or C) at row i of column j (i <= j); 0 where no entry. */
double zs_pencil_at(const zs_pencil *p, const double *x, int64_t i, int64_t j);

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
/* Bytes an assembled pencil holds. */
double zs_mem_pencil_bytes(const zs_pencil *p);
/* Predicted seconds of one shift of a reduced-order sweep (memory.c): by
 * CHOLMOD, from its analysis's flop count, and by the iterative backend, from
 * the port form's unknowns. */
double zs_time_direct_shift(double flops);
double zs_time_iterative_shift(double n);
/* CHOLMOD's nnz(L) and flops for a grid's port form, estimated from the grid
 * alone (an estimate, not a bound). */
void zs_grid_factor_estimate(const int64_t n[3], double *lnz, double *flops);

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

/* Walk voxel layers [zlo, zhi) of a validated model at its temperature as the
 * assembly does, calling fn for every element in the assembly's order: a
 * voxel node is its voxel index x + nx·(y + ny·z), internal nodes are
 * numbered from first_internal upward as their chains are made, and an
 * element on an electrode has b = ZS_NODE_WE or ZS_NODE_CE and the interface
 * pixel x + nx·y (−1 otherwise).  Every branch is made by its lower voxel (the
 * one at the smaller index), so walking [0, nz) with first_internal = nvox is
 * the whole network of zs_pencil_build, node for node.  *next_internal (may
 * be NULL) receives the next internal number. */
typedef void (*zs_elem_fn)(void *ctx, int64_t a, int64_t b, double g, double c, int64_t pixel);
int zs_walk_elements(const zstr_model *m, int64_t zlo, int64_t zhi, int64_t first_internal,
                     zs_elem_fn fn, void *ctx, int64_t *next_internal, zstr_error *err);

/* Build the pencil of a validated model at its temperature. */
int zs_pencil_build(const zstr_model *m, zs_pencil *p, zstr_error *err);
void zs_pencil_free(zs_pencil *p);

#endif /* ZS_INTERNAL_H */
