/*
 * zstr_volume.h — labelled 3D volumes (segmented tomography, FIB-SEM, synthetic
 * microstructures) for libzstr: reading them, measuring them, and turning them
 * into a zstr_model.
 *
 * Concept
 * -------
 * A zstr_volume is a box of nx × ny × nz voxels with edges hx, hy, hz [m] (they
 * may differ: FIB-SEM slices are often thicker than their pixels) holding one
 * label per voxel.  Labels are unsigned integers, 0..255 for a uint8 volume and
 * 0..65535 for a uint16 one; they mean phases (electrolyte, impurity, pore) or,
 * for grain-id volumes, grains.  The volume's type records what the file held;
 * labels are stored as uint16 whatever the type, so every metric reads one
 * layout.
 *
 * Conventions
 * -----------
 * - Voxel (x, y, z) has linear index x + nx·(y + ny·z), as in zstr.h.
 * - All lengths are SI (m).
 * - Every fallible call returns a zstr_status (zstr.h) and fills the optional
 *   zstr_error record passed last; readers set err->file to the file read.
 *   Constructors set *out to NULL on failure; every *_free(NULL) is a no-op.
 * - Option and result structures start with their size, as the "Extensible
 *   structures" of zstr.h: *_default() / *_init() set it, fields are appended.
 *
 * Thread rules
 * ------------
 * A volume may be read by many threads, modified by one.  The raw and TIFF
 * readers keep no state between calls and may run concurrently.  HDF5 reads go
 * through libhdf5, whose serial build is not thread-safe and whose error
 * printing is process-wide: the reader turns that printing off for the
 * duration of the call and restores it, so no two threads may use libhdf5
 * (through this library or otherwise) at the same time.
 *
 * ABI
 * ---
 * Enumerations are append-only; structures with a leading size field grow at
 * the end.  The volume itself is opaque.
 */
#ifndef ZSTR_VOLUME_H
#define ZSTR_VOLUME_H

#include "zstr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* The volume                                                                */
/* ------------------------------------------------------------------------- */

typedef struct zstr_volume zstr_volume;

/* Label type of a volume (what the file held). */
typedef enum zstr_voxel_type {
    ZSTR_VOXEL_DEFAULT = 0, /* readers: take it from the file (raw: required) */
    ZSTR_VOXEL_U8 = 1,
    ZSTR_VOXEL_U16 = 2
} zstr_voxel_type;

/* Purpose: create a volume of n[0] × n[1] × n[2] voxels with edges h [m], every
 *   label 0.  The labels take 2 bytes per voxel; memory_limit [bytes] (0 = the
 *   library's default, 80 % of the physical memory) is checked first.
 * Arguments: n — each >= 1; h — each finite and > 0; type — ZSTR_VOXEL_U8 or
 *   ZSTR_VOXEL_U16; out — required.
 * Returns: ZSTR_OK; ZSTR_EINVAL; ZSTR_EMEMLIMIT; ZSTR_ENOMEM. */
ZSTR_API int zstr_volume_create(const int64_t n[3], const double h[3], int type,
                                double memory_limit, zstr_volume **out, zstr_error *err);
/* Purpose: free a volume (NULL is a no-op). */
ZSTR_API void zstr_volume_free(zstr_volume *vol);

/* Purpose: grid and voxel edges of a volume (NULL volume: zeros). */
ZSTR_API void zstr_volume_get_grid(const zstr_volume *vol, int64_t n[3], double h[3]);
/* Purpose: the label type (zstr_voxel_type); 0 for NULL. */
ZSTR_API int zstr_volume_type(const zstr_volume *vol);
/* Purpose: the labels, nx·ny·nz values in voxel index order.  The read-only
 *   view stays valid until the volume is freed; the writable one lets a
 *   program fill a volume (values must stay below 256 for a uint8 volume:
 *   zstr_volume_check_labels() says whether they do). */
ZSTR_API const uint16_t *zstr_volume_labels(const zstr_volume *vol);
ZSTR_API uint16_t *zstr_volume_labels_mut(zstr_volume *vol);
/* Purpose: refuse labels that do not fit the volume's type.
 * Returns: ZSTR_OK; ZSTR_ERANGE naming the first voxel that does not fit. */
ZSTR_API int zstr_volume_check_labels(const zstr_volume *vol, zstr_error *err);
/* Purpose: the largest label of the volume (0 for NULL). */
ZSTR_API int zstr_volume_max_label(const zstr_volume *vol);

/* ------------------------------------------------------------------------- */
/* Readers                                                                   */
/* ------------------------------------------------------------------------- */

typedef enum zstr_volume_format {
    ZSTR_VOLUME_RAW = 0,  /* headerless binary (after header_bytes) */
    ZSTR_VOLUME_TIFF = 1, /* multi-page TIFF, one page per z slice */
    ZSTR_VOLUME_HDF5 = 2  /* a 3D integer dataset of an HDF5 file */
} zstr_volume_format;

/* How to read a volume file.  dims, type and axes describe the FILE; the crop
 * and the voxel size describe the volume made from it.
 *
 *   raw  — dims and type are required; axes gives the order in which the
 *          file's index runs, fastest first ("xyz": x fastest, the layout of
 *          zstr.h; "zyx": z fastest); uint16 values in big_endian or little
 *          order; header_bytes are skipped.  The file must hold exactly
 *          header_bytes + nx·ny·nz·bytes: a shorter one is truncated, a longer
 *          one has other dims or type, and both are refused.
 *   tiff — page k is slice z = k, its columns x and its rows y; 8- or 16-bit
 *          unsigned grey (one sample per pixel), stored in strips or tiles,
 *          any compression libtiff decodes.  Every page must agree.  dims and
 *          type, when set, must match the file.
 *   hdf5 — the dataset named `dataset` (a path such as "/exported_data"),
 *          3D, any integer type whose values fit 0..65535 (0..255 for type
 *          uint8).  HDF5 stores row-major dims {d0, d1, d2}, d2 fastest;
 *          axes "xyz" (the default) reads them as nz, ny, nx, the layout
 *          Ilastik and Fiji export.  dims, when set, must match.
 *
 * crop[6] = {x0, y0, z0, x1, y1, z1} keeps x0 <= x < x1 (and so on) of the
 * file's grid; all zero keeps everything.  voxel_size [m] is the edge along
 * x, y, z of the volume (zero: 1 m, i.e. lengths in voxels). */
typedef struct zstr_volume_read_options {
    size_t size;           /* sizeof(zstr_volume_read_options): set by *_default() */
    int format;            /* zstr_volume_format */
    int64_t dims[3];       /* the file's nx, ny, nz (0: from the file; raw: required) */
    int type;              /* zstr_voxel_type (raw: required) */
    char axes[4];          /* fastest-first axis order of the file, "xyz" by default */
    int big_endian;        /* raw uint16: 1 = most significant byte first */
    int64_t header_bytes;  /* raw: bytes before the first voxel */
    const char *dataset;   /* hdf5: the dataset's path (required) */
    int64_t crop[6];       /* x0 y0 z0 x1 y1 z1, half-open; all 0 = no crop */
    double voxel_size[3];  /* hx, hy, hz [m]; 0 = 1 */
    double memory_limit;   /* bytes the volume may take; 0 = the library default */
} zstr_volume_read_options;

/* Purpose: defaults (raw, "xyz", little-endian, no header, no crop) and size.
 * Arguments: options — may be NULL (nothing happens). */
ZSTR_API void zstr_volume_read_options_default(zstr_volume_read_options *options);

/* Purpose: read a labelled volume.  Nothing is read past the sizes the file
 *   declares (the raw size, every TIFF strip or tile, the HDF5 dataspace), and
 *   the volume's memory is checked against options->memory_limit before it is
 *   allocated.
 * Arguments: path — required; options — required, options->size set; out —
 *   required (*out = NULL on failure); err — optional, err->file = path.
 * Returns: ZSTR_OK; ZSTR_EIO (cannot open or read); ZSTR_EINVAL for a corrupt,
 *   truncated or mismatched file (the message says what was expected and what
 *   was found) or bad options; ZSTR_ERANGE for a label beyond the type;
 *   ZSTR_EMEMLIMIT; ZSTR_ENOMEM. */
ZSTR_API int zstr_volume_read(const char *path, const zstr_volume_read_options *options,
                              zstr_volume **out, zstr_error *err);

/* Purpose: what zstr_volume_read() would make, without reading a voxel: the
 *   same checks of the options, the file's header and size (raw: its size;
 *   TIFF: every page's directory; HDF5: the dataset's description), the crop
 *   and the memory of the labels, then the grid after the crop and the label
 *   type.  Label values are not checked (that needs the voxels), so a probe
 *   that passes may still be followed by a read that refuses a value.  Cheap
 *   for any size of volume: a model file checker uses it.
 * Arguments: path, options — as zstr_volume_read; n — required, receives
 *   nx, ny, nz (zeros on failure); type — optional, the zstr_voxel_type.
 * Returns: as zstr_volume_read, but never ZSTR_ERANGE or ZSTR_ENOMEM for the
 *   labels. */
ZSTR_API int zstr_volume_probe(const char *path, const zstr_volume_read_options *options,
                               int64_t n[3], int *type, zstr_error *err);

/* ------------------------------------------------------------------------- */
/* Synthetic volumes                                                         */
/* ------------------------------------------------------------------------- */

typedef enum zstr_synth_kind {
    /* a thresholded correlated random field: white noise smoothed by a
     * Gaussian of standard deviation correlation_length (three box filters,
     * periodic), the lowest values become pore, exactly round(porosity·N) of
     * them (ties by voxel index).  Along each axis the box width w is the odd
     * integer nearest sqrt(4σ²/h² + 1), so the realised σ² is (w² − 1)h²/4:
     * exact for σ/h = sqrt(6), sqrt(20), ... and within half a voxel always */
    ZSTR_SYNTH_BLOBS = 0,
    /* overlapping spheres of radius correlation_length with Poisson centres
     * (periodic), their number round(−ln(1−porosity)·V/(4πr³/3)) so that the
     * expected porosity is the target; the realised one varies by seed */
    ZSTR_SYNTH_SPHERES = 1
} zstr_synth_kind;

typedef struct zstr_synth_params {
    size_t size;               /* sizeof(zstr_synth_params): set by *_default() */
    int kind;                  /* zstr_synth_kind, default ZSTR_SYNTH_BLOBS */
    double porosity;           /* target pore fraction, 0 < p < 1 (default 0.105) */
    double correlation_length; /* [m]: blobs σ, spheres radius; 0 = 2 voxels (hx) */
    /* minority phase (Li2S-like): exactly round(fraction·N) solid voxels, the
     * lowest of a second independent field of length minority_length
     * (0 = correlation_length / 2); fraction 0 (default) = none */
    double minority_fraction;
    double minority_length;
    uint64_t seed;             /* the library's PRNG (xoshiro256**): same seed, same volume */
    int solid_label;           /* default 0 */
    int pore_label;            /* default 1 */
    int minority_label;        /* default 2 */
} zstr_synth_params;

/* Purpose: defaults (blobs, porosity 0.105, seed 1, labels 0/1/2) and size.
 * Arguments: params — may be NULL (nothing happens). */
ZSTR_API void zstr_synth_params_default(zstr_synth_params *params);

/* Purpose: overwrite every label of vol with a synthetic microstructure.
 *   Bitwise reproducible for a seed on every machine (integer PRNG,
 *   single-precision sums in a fixed order, no FMA in the library build).
 * Arguments: vol — required; params — required, size set; realised —
 *   optional, receives the realised fractions {pore, minority}; err — optional.
 * Returns: ZSTR_OK; ZSTR_EINVAL (bad fraction, length, label beyond the
 *   volume's type, size); ZSTR_ENOMEM. */
ZSTR_API int zstr_volume_synthesize(zstr_volume *vol, const zstr_synth_params *params,
                                    double realised[2], zstr_error *err);

/* ------------------------------------------------------------------------- */
/* Microstructure metrics                                                    */
/* ------------------------------------------------------------------------- */

/* Every metric looks at a phase given as a set of labels (labels[0..nlabels),
 * e.g. {electrolyte, Li2S} for "LPS + Li2S" as the paper's Table 1), called
 * "the set" below.  Axes are 0 = x, 1 = y, 2 = z.  Outputs the library
 * allocates are freed with free(). */

/* Purpose: fraction of the voxels carrying each label 0..count-1.
 * Arguments: fractions — count values (labels >= count are not reported). */
ZSTR_API int zstr_morph_fractions(const zstr_volume *vol, int count, double *fractions,
                                  zstr_error *err);

/* Purpose: fraction of the set in every slice normal to axis (n[axis] values,
 *   optional), and their mean and (population) standard deviation. */
ZSTR_API int zstr_morph_slice_fraction(const zstr_volume *vol, int nlabels, const int *labels,
                                       int axis, double *per_slice, double *mean, double *std,
                                       zstr_error *err);

/* One connected component of the set. */
typedef struct zstr_component {
    int64_t voxels;
    double volume;              /* [m³] */
    double equivalent_diameter; /* of the sphere of the same volume [m] */
    /* largest caliper of the component's voxel cubes over the 13 lattice
     * directions (axes, face and body diagonals) [m]: exact for boxes'
     * axis extents and cubes' diagonals, a lower bound of the true Feret */
    double feret_diameter;
    double cumulative_fraction; /* volume of this and all larger components / set volume */
    int touches[6];             /* touches the faces x=0, x=end, y=0, y=end, z=0, z=end */
} zstr_component;

/* Purpose: the connected components of the set with 6- (faces) or 26-
 *   (faces, edges, corners) connectivity, by union-find, sorted by volume,
 *   largest first (ties: the one met first in voxel order).
 * Arguments: connectivity — 6 or 26; components — required, *components is
 *   malloc'ed (free()); count — required; map — optional, nvox component
 *   numbers (index into *components; -1 outside the set).
 * Returns: ZSTR_OK; ZSTR_EINVAL; ZSTR_ENOMEM; ZSTR_EMEMLIMIT beyond 2^31 voxels. */
ZSTR_API int zstr_morph_components(const zstr_volume *vol, int nlabels, const int *labels,
                                   int connectivity, zstr_component **components,
                                   int64_t *count, int32_t *map, zstr_error *err);

/* Purpose: percolates[a] = 1 when one 6-connected component of the set
 *   touches both faces normal to axis a. */
ZSTR_API int zstr_morph_percolation(const zstr_volume *vol, int nlabels, const int *labels,
                                    int percolates[3], zstr_error *err);

typedef enum zstr_metric {
    ZSTR_METRIC_6 = 0,       /* face steps only: lengths h along each axis (the paper's) */
    ZSTR_METRIC_CHAMFER = 1  /* 26 neighbours, steps of their Euclidean length (MorphoLibJ's
                                quasi-Euclidean chamfer) */
} zstr_metric;

typedef struct zstr_geodesic_result {
    size_t size;        /* set by the caller: sizeof(zstr_geodesic_result) */
    int64_t n_start;    /* voxels of the set on the start face */
    int64_t n_reached;  /* voxels of the set on the far face reached from it */
    double straight;    /* straight length n[axis]·h[axis] [m] */
    double min_length;  /* shortest path start face → far face [m] (+inf: none) */
    double mean;        /* tortuosity = path length / straight length over the */
    double min;         /* reached far-face voxels; NaN when none is reached */
    double max;
} zstr_geodesic_result;

/* Purpose: the geodesic distance through the set from one face normal to axis
 *   (from_end = 0: the face at 0, 1: the face at n[axis]−1, "the top").
 *   Convention: a start voxel has length h[axis] (its own extent), each step
 *   adds its length, so a straight column of n voxels has length n·h and
 *   tortuosity exactly 1.  Exact shortest paths (breadth-first for equal
 *   steps, Dijkstra otherwise).
 * Arguments: metric — zstr_metric; distance — optional, nvox values [m]
 *   (+inf where unreachable or outside the set); result — required, size set.
 * Returns: ZSTR_OK; ZSTR_EINVAL; ZSTR_ENOMEM. */
ZSTR_API int zstr_morph_geodesic(const zstr_volume *vol, int nlabels, const int *labels,
                                 int axis, int from_end, int metric, double *distance,
                                 zstr_geodesic_result *result, zstr_error *err);

/* Purpose: exact Euclidean distance transform of the set: for each voxel of
 *   the set, the distance [m] from its centre to the nearest centre of a
 *   voxel outside it (0 outside; +inf when every voxel is in the set).  The
 *   box's faces are not boundaries (the sample continues beyond them).
 *   Felzenszwalb–Huttenlocher lower envelopes, one pass per axis, O(N).
 * Arguments: distance — required, nvox values. */
ZSTR_API int zstr_morph_edt(const zstr_volume *vol, int nlabels, const int *labels,
                            double *distance, zstr_error *err);

typedef struct zstr_thickness_result {
    size_t size;   /* set by the caller: sizeof(zstr_thickness_result) */
    double mean;   /* over the voxels of the set [m] */
    double std;    /* population standard deviation [m] */
    double min, max;
    int levels;    /* radius levels used (see below) */
} zstr_thickness_result;

/* Purpose: local thickness of the set (Hildebrand & Rüegsegger): at each
 *   voxel, the diameter of the largest ball inside the set that contains the
 *   voxel's centre.
 *   Convention: balls are centred on voxel centres and on voxel corners.  A
 *   centre's ball has radius d − h/2 with d its EDT value (the nearest outside
 *   centre is half a voxel beyond the boundary); a corner's ball reaches the
 *   nearest corner of an outside voxel; h is the smallest voxel edge.  A slab
 *   t voxels thick has thickness t·h everywhere (odd t through centres, even
 *   t through corners); a digital ball has, at its centre, twice the distance
 *   from there to the nearest outside voxel cube (to within one level).  Radii are rounded down to `levels` equal steps
 *   of the largest radius (at most h_min/2 apart), so the result is exact when
 *   the largest ball's diameter is at most `levels` voxels and within one
 *   step below otherwise.  O(levels · N).
 * Arguments: levels — radius steps, 0 = 24; thickness — optional, nvox values
 *   [m] (0 outside the set); result — required, size set.
 * Returns: ZSTR_OK; ZSTR_EINVAL; ZSTR_ENOMEM. */
ZSTR_API int zstr_morph_local_thickness(const zstr_volume *vol, int nlabels, const int *labels,
                                        int levels, double *thickness,
                                        zstr_thickness_result *result, zstr_error *err);

/* Purpose: representative elementary volume.  For sizes s_k = k·m/count
 *   (k = 1..count, m = the smallest dimension, in voxels), the set's fraction
 *   in nine cubes of edge s_k (the eight corners and the centre of the box)
 *   against the whole volume's: dev[k-1] = the largest |f_cube − f| / f.
 *   *rev receives the smallest edge [m, along x] from which every larger size
 *   stays within tolerance (e.g. 0.05 for ±5 %), or +inf.
 * Arguments: count >= 1; dev — optional, count values; rev — required. */
ZSTR_API int zstr_morph_rev(const zstr_volume *vol, int nlabels, const int *labels, int count,
                            double tolerance, double *dev, double *rev, zstr_error *err);

/* ------------------------------------------------------------------------- */
/* From a volume to a model, and its DC tortuosity factor                     */
/* ------------------------------------------------------------------------- */

/* How a volume becomes a zstr_model.  The model's transport axis is z (CE at
 * z = 0, WE at the top, zstr.h); the volume's `axis` is turned onto it by a
 * cyclic permutation (axis x: model (x, y, z) = volume (y, z, x); axis y:
 * (z, x, y)), so the volume's own handedness is kept. */
typedef struct zstr_volume_model_params {
    size_t size;                     /* set by zstr_volume_model_params_default() */
    int axis;                        /* the volume's transport axis, default 2 (z) */
    const zstr_phase_params *phases; /* the model's phases, nphases of them */
    int nphases;
    /* label → phase id for labels 0..nlabels-1; a voxel with another label,
     * or with -1 here, is refused (no silent default) */
    const int *label_phase;
    int nlabels;
    /* grain-id volumes: grains = 1 makes every label a grain id (the labels
     * then need no label_phase: every voxel is in grain_phase, unless
     * label_phase gives its label a phase) and puts a grain-boundary layer of
     * boundary_phase, boundary_thickness [m] between voxels of different
     * labels (zstr_model_set_grains) */
    int grains;
    int grain_phase;
    int boundary_phase;
    double boundary_thickness;
    /* WE interface from the top layer: when we_pore_phase >= 0, top voxels of
     * that phase become pore pixels and the others contact pixels, with the
     * parameters `we`; -1 (default) keeps the ideal electrode */
    int we_pore_phase;
    zstr_interface_params we;
} zstr_volume_model_params;

/* Purpose: defaults (axis z, no grains, ideal WE) and size. */
ZSTR_API void zstr_volume_model_params_default(zstr_volume_model_params *params);

/* Purpose: a model of the volume: grid and voxel edges (permuted by axis),
 *   phases, per-voxel phase labels, grains and GB when asked, WE map when asked.
 * Returns: ZSTR_OK; ZSTR_EINVAL naming the first voxel whose label has no
 *   phase, or a bad parameter; ZSTR_ENOMEM. */
ZSTR_API int zstr_volume_to_model(const zstr_volume *vol, const zstr_volume_model_params *params,
                                  zstr_model **out, zstr_error *err);

typedef struct zstr_tortuosity_result {
    size_t size;              /* set by the caller: sizeof(zstr_tortuosity_result) */
    double resistance;        /* R_DC [Ω] (+inf when open) */
    double sigma_eff;         /* L_z / (R_DC · L_x · L_y) [S/m] */
    double volume_fraction;   /* ε of the phase */
    double sigma_phase;       /* σ(T) of the phase [S/m] */
    double tortuosity_factor; /* τ = ε·σ_phase/σ_eff (+inf when open) */
    int open_circuit;
} zstr_tortuosity_result;

/* Purpose: DC effective conductivity of the model along z and the
 *   tortuosity factor of one phase, τ = ε·σ_phase/σ_eff (physics.md §4):
 *   1 for a straight prism of the phase, larger for tortuous paths.  Makes a
 *   plan and calls zstr_dc_resistance (CHOLMOD); floating islands are left out
 *   of the solve as zstr_dc_resistance does.
 * Arguments: model, result (size set) — required; phase — the conducting
 *   phase; options — NULL for defaults.
 * Returns: as zstr_plan_create and zstr_dc_resistance (ZSTR_WOPEN_CIRCUIT
 *   with τ = +inf). */
ZSTR_API int zstr_model_tortuosity_factor(const zstr_model *model, int phase,
                                          const zstr_options *options,
                                          zstr_tortuosity_result *result, zstr_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ZSTR_VOLUME_H */
