/*
 * vtk.h — fields of a solved cell as VTK XML ImageData (.vti) files that
 * ParaView and VTK open (the zstr program's own module; not part of the
 * library's API).
 *
 * Two files per frequency:
 *  - the volume: CellData on the nx × ny × nz voxel grid (one VTK cell per
 *    voxel, cell index x + nx·(y + ny·z), the library's voxel index), with
 *    the phase labels, grain ids, potential and current density;
 *  - the WE interface: a flat image (WholeExtent "0 nx 0 ny nz nz": nx × ny
 *    pixels in the plane z = Lz, where it overlays the top face of the
 *    volume) with the pixel types and the current density from the WE into
 *    each pixel.
 *
 * Units: SI throughout.  Lengths (Origin, Spacing) are in metres (the
 * shortest decimal that reads back as the voxel edge; FieldData voxel_size_m
 * repeats them in binary).
 * Potentials in V, current densities in A/m², all for a total current of
 * 1 A into the WE (the normalisation of zstr_fields()); the frequency [Hz]
 * is the FieldData array frequency.  The file opens with an XML comment
 * that says the same.
 *
 * Encoding: every DataArray is format="binary" — inline base64 of a UInt64
 * byte count followed by the values, little-endian whatever the host
 * (byte_order="LittleEndian" header_type="UInt64", no compression), so
 * every number is written exactly.  Attribute numbers are formatted under a
 * thread-local "C" locale, each as the shortest decimal that reads back.
 *
 * Output is atomic: the file is written to <path>.tmpXXXXXX (mkstemp, same
 * directory), flushed, synced, closed and renamed over <path>; on any
 * failure the temporary is removed and no file is created or changed.
 * Reentrant: no global state; no memory is allocated but the temporary name.
 */
#ifndef ZSTR_CLI_VTK_H
#define ZSTR_CLI_VTK_H

#include <stddef.h>
#include <stdint.h>

/* The fields of one solve.  Complex values are interleaved (re, im); the
 * arrays are those of zstr_fields(), zstr_model_labels(),
 * zstr_model_grain_ids() and zstr_model_interface_pixels(ZSTR_WE). */
typedef struct zv_fields {
    int64_t n[3];                  /* nx, ny, nz >= 1 (each <= INT32_MAX, nx·ny·nz <= 2^40) */
    double h[3];                   /* voxel edges [m] (as zstr_model_get_grid), finite > 0 */
    double frequency;              /* [Hz], finite >= 0 */
    const double *potential;       /* 2·nvox: complex potential of voxel i [V] */
    const double *current_density; /* 2·3·nvox: [3i + d] complex J_d of voxel i [A/m²] */
    const double *we_current;      /* 2·nx·ny: complex WE current density of pixel k [A/m²] */
    const int32_t *labels;         /* nvox phase ids */
    const int32_t *grains;         /* nvox grain ids, or NULL: no grain array */
    const uint8_t *we_pixels;      /* nx·ny zstr_pixel codes 0..3, or NULL: all contact */
} zv_fields;

/* Write the volume: WholeExtent "0 nx 0 ny 0 nz", Origin "0 0 0", Spacing h
 * in m; CellData arrays
 *   phase (Int32), grain (Int32, only when grains != NULL),
 *   potential_re, potential_im, potential_abs (Float64, V; abs = hypot(re, im)),
 *   current_density_re, current_density_im (Float64, 3 components, A/m²),
 *   current_density_abs (Float64, A/m²: sqrt(Σ_d (re_d² + im_d²)), d = x, y, z
 *     summed in that order);
 * FieldData frequency (Hz) and voxel_size_m (3 components).
 * Requires potential, current_density and labels (we_current is not used).
 * Returns 0, or -1 with a one-line message in msg naming the path and the
 * cause (msg may be NULL); on failure no file is left. */
int zv_write_volume(const char *path, const zv_fields *f, char *msg, size_t msgsize);

/* Write the WE interface: WholeExtent "0 nx 0 ny nz nz" (the plane z = Lz),
 * Origin "0 0 0", Spacing h in m; CellData arrays
 *   pixel_type (UInt8: 0 none, 1 contact, 2 pore, 3 SEI; all 1 when
 *     we_pixels == NULL, the library's ideal electrode),
 *   we_current_re, we_current_im, we_current_abs (Float64, A/m²;
 *     abs = hypot(re, im));
 * FieldData as for the volume.  Requires we_current; a pixel code > 3 is an
 * error.  Returns as zv_write_volume. */
int zv_write_interface(const char *path, const zv_fields *f, char *msg, size_t msgsize);

/* Maps of a labelled volume (zstr morph): each a CellData array on the
 * nx × ny × nz grid, Int32 (i32 != NULL) or Float64 (f64 != NULL). */
typedef struct zv_map {
    const char *name;
    const int32_t *i32;
    const double *f64;
} zv_map;

/* Write the maps: WholeExtent "0 nx 0 ny 0 nz", Origin "0 0 0", Spacing h in
 * m, FieldData voxel_size_m; note (one line, no "--") goes into the opening
 * comment.  Grid limits, atomic output and the return as zv_write_volume. */
int zv_write_maps(const char *path, const int64_t n[3], const double h[3], const zv_map *maps,
                  int nmaps, const char *note, char *msg, size_t msgsize);

#endif
