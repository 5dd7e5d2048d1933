/*
 * vtk.c — fields of a solved cell as VTK XML ImageData files (.vti).
 *
 * File layout
 * -----------
 * A .vti file is a small XML document: VTKFile (type="ImageData",
 * byte_order, header_type) > ImageData (WholeExtent, Origin, Spacing) >
 * FieldData (arrays of the whole data set) and one Piece (Extent) > CellData
 * (one value or tuple per cell).  VTK's cells of an extent "0 nx 0 ny 0 nz"
 * are numbered x + nx·(y + ny·z), the library's voxel order, so every array
 * is written straight from the caller's memory with no reordering.
 *
 * Encoding
 * --------
 * format="binary" without compression: the text of a DataArray is one base64
 * stream of an 8-byte count of the data bytes (header_type="UInt64")
 * followed by the data, both little-endian — the exact layout VTK's own
 * vtkXMLImageDataWriter produces for SetDataModeToBinary() with no
 * compressor, on one line as it does.  The encoder below is streaming: bytes
 * enter a 3-byte carry and leave as 4 characters into a small text buffer
 * that is written with fwrite when full, so a volume of any size is written
 * without a temporary copy, and derived values (real parts, magnitudes) are
 * computed as they are encoded.  Values are turned into bytes by shifts of
 * their bit patterns (memcpy into uint64_t / uint32_t), so the file is
 * little-endian on any host and every double is written exactly.
 *
 * Numbers in attributes
 * ---------------------
 * Spacing is in metres, like every other quantity of the file (potential in
 * V, current density in A/m²), so that ParaView's gradient, integration and
 * ruler give SI results with no factor to remember; an earlier version wrote
 * micrometres, which made |J|·area off by 1e12.  h is printed as its shortest
 * round-tripping decimal ("2.5e-06"), so it reads back exactly; the binary
 * FieldData array voxel_size_m repeats it.  All formatting runs under a
 * thread-local "C" locale (newlocale + uselocale).
 *
 * Output
 * ------
 * Through outfile.c: a temporary beside the target, every write checked, then
 * renamed into place or removed, so a reader never sees a partial file.
 */
#include "vtk.h"

#include "outfile.h"

#include "zstr.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------- */
/* Messages                                                                  */
/* ------------------------------------------------------------------------- */

static int fail(char *msg, size_t msgsize, const char *path, const char *what, int errnum)
{
    if (msg == NULL || msgsize == 0)
        return -1;
    char text[160] = "";
    if (errnum != 0 && strerror_r(errnum, text, sizeof text) != 0)
        snprintf(text, sizeof text, "errno %d", errnum);
    snprintf(msg, msgsize, "vtk '%s': %s%s%s", path != NULL ? path : "(null)", what,
             text[0] ? ": " : "", text);
    return -1;
}

/* ------------------------------------------------------------------------- */
/* Output stream and base64 encoder                                          */
/* ------------------------------------------------------------------------- */

typedef struct zv_out {
    FILE *fp;
    int err;                /* errno of the first failed write, 0 = none */
    unsigned char carry[3]; /* bytes waiting for a full base64 group */
    int ncarry;
    size_t len; /* characters waiting in text */
    char text[4096];
} zv_out;

static void out_raw(zv_out *o, const char *s, size_t n)
{
    if (o->err != 0 || n == 0)
        return;
    errno = 0;
    if (fwrite(s, 1, n, o->fp) != n)
        o->err = errno != 0 ? errno : EIO;
}

static void out_str(zv_out *o, const char *s) { out_raw(o, s, strlen(s)); }

__attribute__((format(printf, 2, 3))) static void out_printf(zv_out *o, const char *fmt, ...)
{
    if (o->err != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    errno = 0;
    if (vfprintf(o->fp, fmt, ap) < 0)
        o->err = errno != 0 ? errno : EIO;
    va_end(ap);
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_group(zv_out *o, int nbytes)
{
    if (o->len + 4 > sizeof o->text) {
        out_raw(o, o->text, o->len);
        o->len = 0;
    }
    uint32_t v = ((uint32_t)o->carry[0] << 16) | ((uint32_t)o->carry[1] << 8) | o->carry[2];
    char *t = o->text + o->len;
    t[0] = b64_alphabet[(v >> 18) & 63];
    t[1] = b64_alphabet[(v >> 12) & 63];
    t[2] = nbytes > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
    t[3] = nbytes > 2 ? b64_alphabet[v & 63] : '=';
    o->len += 4;
}

static inline void b64_byte(zv_out *o, unsigned char c)
{
    o->carry[o->ncarry++] = c;
    if (o->ncarry == 3) {
        b64_group(o, 3);
        o->ncarry = 0;
    }
}

/* End the stream: pad the last group and write the text out. */
static void b64_end(zv_out *o)
{
    if (o->ncarry > 0) {
        for (int i = o->ncarry; i < 3; i++)
            o->carry[i] = 0;
        b64_group(o, o->ncarry);
        o->ncarry = 0;
    }
    out_raw(o, o->text, o->len);
    o->len = 0;
}

static inline void put_u64(zv_out *o, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b64_byte(o, (unsigned char)(v >> (8 * i)));
}

static inline void put_f64(zv_out *o, double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    put_u64(o, u);
}

static inline void put_i32(zv_out *o, int32_t x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    for (int i = 0; i < 4; i++)
        b64_byte(o, (unsigned char)(u >> (8 * i)));
}

/* ------------------------------------------------------------------------- */
/* DataArrays                                                                */
/* ------------------------------------------------------------------------- */

/* How the values of a Float64 array come from a complex array a:
 * RE a[2j], IM a[2j+1], ABS hypot of both, ABS3 the norm of the complex
 * 3-vector at a[6j .. 6j+5]. */
typedef enum { V_RE, V_IM, V_ABS, V_ABS3 } zv_view;

static inline double view_value(zv_view v, const double *a, int64_t j)
{
    switch (v) {
    case V_RE:
        return a[2 * j];
    case V_IM:
        return a[2 * j + 1];
    case V_ABS:
        return hypot(a[2 * j], a[2 * j + 1]);
    case V_ABS3:
    default: {
        const double *p = a + 6 * j;
        double s = p[0] * p[0] + p[1] * p[1];
        s += p[2] * p[2] + p[3] * p[3];
        s += p[4] * p[4] + p[5] * p[5];
        return sqrt(s);
    }
    }
}

/* Opening tag and the byte-count header of an array of nvalues values of
 * `size` bytes; ntuples > 0 adds NumberOfTuples (FieldData needs it). */
static void array_begin(zv_out *o, const char *type, const char *name, int ncomp, int64_t ntuples,
                        int64_t nvalues, int size)
{
    out_printf(o, "        <DataArray type=\"%s\" Name=\"%s\"", type, name);
    if (ncomp > 1)
        out_printf(o, " NumberOfComponents=\"%d\"", ncomp);
    if (ntuples > 0)
        out_printf(o, " NumberOfTuples=\"%lld\"", (long long)ntuples);
    out_str(o, " format=\"binary\">\n          ");
    put_u64(o, (uint64_t)nvalues * (uint64_t)size);
}

static void array_end(zv_out *o)
{
    b64_end(o);
    out_str(o, "\n        </DataArray>\n");
}

static void array_f64(zv_out *o, const char *name, int ncomp, const double *a, zv_view v,
                      int64_t nvalues)
{
    array_begin(o, "Float64", name, ncomp, 0, nvalues, 8);
    for (int64_t j = 0; j < nvalues; j++)
        put_f64(o, view_value(v, a, j));
    array_end(o);
}

static void array_i32(zv_out *o, const char *name, const int32_t *a, int64_t n)
{
    array_begin(o, "Int32", name, 1, 0, n, 4);
    for (int64_t j = 0; j < n; j++)
        put_i32(o, a[j]);
    array_end(o);
}

/* ------------------------------------------------------------------------- */
/* Numbers in attributes (under the C locale)                                */
/* ------------------------------------------------------------------------- */

/* The shortest %g that reads back as v. */
static void shortest(char *buf, size_t size, double v)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, size, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* ------------------------------------------------------------------------- */
/* The two documents                                                         */
/* ------------------------------------------------------------------------- */

enum { ZV_VOLUME, ZV_INTERFACE };

static void write_document(zv_out *o, const zv_fields *f, int kind)
{
    const int64_t nx = f->n[0], ny = f->n[1], nz = f->n[2];
    const int64_t npix = nx * ny, nvox = npix * nz;
    char sp[3][40], freq[40];
    for (int d = 0; d < 3; d++)
        shortest(sp[d], sizeof sp[d], f->h[d]);
    shortest(freq, sizeof freq, f->frequency);
    char extent[128];
    if (kind == ZV_VOLUME)
        snprintf(extent, sizeof extent, "0 %lld 0 %lld 0 %lld", (long long)nx, (long long)ny,
                 (long long)nz);
    else
        snprintf(extent, sizeof extent, "0 %lld 0 %lld %lld %lld", (long long)nx, (long long)ny,
                 (long long)nz, (long long)nz);

    out_str(o, "<?xml version=\"1.0\"?>\n");
    out_printf(o, "<!-- zstr %s: %s at f = %s Hz for a total current of 1 A into the WE.\n",
               zstr_version_string(),
               kind == ZV_VOLUME ? "fields in the cell"
                                 : "current density from the WE into its pixels (z = Lz)",
               freq);
    out_str(o, "     Lengths (Origin, Spacing) in metres, like every quantity here; FieldData "
               "voxel_size_m repeats the voxel edges in binary.\n");
    if (kind == ZV_VOLUME)
        out_str(o, "     potential in V (CE at 0 V); current density in A/m^2, positive "
                   "along +x, +y, +z (J_z < 0: the current enters at the WE).\n");
    else
        out_str(o, "     we_current in A/m^2 (0 on free-surface pixels); pixel_type: "
                   "0 none, 1 contact, 2 pore, 3 SEI.\n");
    out_str(o, "     Values are exact: base64 binary, little-endian. -->\n");
    out_str(o, "<VTKFile type=\"ImageData\" version=\"1.0\" byte_order=\"LittleEndian\" "
               "header_type=\"UInt64\">\n");
    out_printf(o, "  <ImageData WholeExtent=\"%s\" Origin=\"0 0 0\" Spacing=\"%s %s %s\">\n",
               extent, sp[0], sp[1], sp[2]);

    out_str(o, "    <FieldData>\n");
    array_begin(o, "Float64", "frequency", 1, 1, 1, 8);
    put_f64(o, f->frequency);
    array_end(o);
    array_begin(o, "Float64", "voxel_size_m", 3, 1, 3, 8);
    for (int d = 0; d < 3; d++)
        put_f64(o, f->h[d]);
    array_end(o);
    out_str(o, "    </FieldData>\n");

    out_printf(o, "    <Piece Extent=\"%s\">\n", extent);
    out_str(o, "      <PointData>\n      </PointData>\n");
    if (kind == ZV_VOLUME) {
        out_str(o, "      <CellData Scalars=\"potential_abs\" Vectors=\"current_density_re\">\n");
        array_i32(o, "phase", f->labels, nvox);
        if (f->grains != NULL)
            array_i32(o, "grain", f->grains, nvox);
        array_f64(o, "potential_re", 1, f->potential, V_RE, nvox);
        array_f64(o, "potential_im", 1, f->potential, V_IM, nvox);
        array_f64(o, "potential_abs", 1, f->potential, V_ABS, nvox);
        array_f64(o, "current_density_re", 3, f->current_density, V_RE, 3 * nvox);
        array_f64(o, "current_density_im", 3, f->current_density, V_IM, 3 * nvox);
        array_f64(o, "current_density_abs", 1, f->current_density, V_ABS3, nvox);
    } else {
        out_str(o, "      <CellData Scalars=\"we_current_abs\">\n");
        array_begin(o, "UInt8", "pixel_type", 1, 0, npix, 1);
        for (int64_t k = 0; k < npix; k++)
            b64_byte(o, f->we_pixels != NULL ? f->we_pixels[k] : 1);
        array_end(o);
        array_f64(o, "we_current_re", 1, f->we_current, V_RE, npix);
        array_f64(o, "we_current_im", 1, f->we_current, V_IM, npix);
        array_f64(o, "we_current_abs", 1, f->we_current, V_ABS, npix);
    }
    out_str(o, "      </CellData>\n    </Piece>\n  </ImageData>\n</VTKFile>\n");
}

/* ------------------------------------------------------------------------- */
/* Checks, atomic output                                                     */
/* ------------------------------------------------------------------------- */

static int check_input(const char *path, const zv_fields *f, int kind, char *msg, size_t msgsize)
{
    char what[200];
    if (path == NULL || path[0] == '\0')
        return fail(msg, msgsize, path, "the path is NULL or empty", 0);
    if (f == NULL)
        return fail(msg, msgsize, path, "no fields (NULL)", 0);
    /* VTK extents are int; the library allows at most 2^40 voxels */
    const int64_t limit = (int64_t)1 << 40;
    int64_t count = 1;
    for (int d = 0; d < 3; d++) {
        if (f->n[d] < 1 || f->n[d] > INT32_MAX || f->n[d] > limit / count) {
            snprintf(what, sizeof what,
                     "grid %lld x %lld x %lld: each n must be >= 1 and <= 2^31 - 1, "
                     "with at most 2^40 voxels",
                     (long long)f->n[0], (long long)f->n[1], (long long)f->n[2]);
            return fail(msg, msgsize, path, what, 0);
        }
        count *= f->n[d];
        if (!isfinite(f->h[d]) || f->h[d] <= 0.0) {
            snprintf(what, sizeof what, "voxel edge h[%d] = %g m is not finite and > 0", d,
                     f->h[d]);
            return fail(msg, msgsize, path, what, 0);
        }
    }
    if (!isfinite(f->frequency) || f->frequency < 0.0) {
        snprintf(what, sizeof what, "frequency = %g Hz is not finite and >= 0", f->frequency);
        return fail(msg, msgsize, path, what, 0);
    }
    if (kind == ZV_VOLUME) {
        const char *missing = f->labels == NULL            ? "labels"
                              : f->potential == NULL       ? "potential"
                              : f->current_density == NULL ? "current_density"
                                                           : NULL;
        if (missing != NULL) {
            snprintf(what, sizeof what, "the volume needs %s (NULL)", missing);
            return fail(msg, msgsize, path, what, 0);
        }
    } else {
        if (f->we_current == NULL)
            return fail(msg, msgsize, path, "the interface needs we_current (NULL)", 0);
        const int64_t npix = f->n[0] * f->n[1];
        for (int64_t k = 0; f->we_pixels != NULL && k < npix; k++)
            if (f->we_pixels[k] > ZSTR_PIXEL_SEI) {
                snprintf(what, sizeof what, "we_pixels[%lld] = %u is no pixel type (0 to 3)",
                         (long long)k, (unsigned)f->we_pixels[k]);
                return fail(msg, msgsize, path, what, 0);
            }
    }
    return 0;
}

static int write_vti(const char *path, const zv_fields *f, int kind, char *msg, size_t msgsize)
{
    if (check_input(path, f, kind, msg, msgsize) != 0)
        return -1;
    zo_file out;
    const char *what = NULL;
    int e = 0;
    if (zo_open(&out, path, &what, &e) != 0)
        return fail(msg, msgsize, path, what, e);
    FILE *fp = out.fp;

    /* attributes are printf'ed: C numbers whatever the caller's locale */
    locale_t cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (cloc == (locale_t)0) {
        e = ENOMEM;
        zo_finish(&out, "cannot create the C locale", &e);
        return fail(msg, msgsize, path, "cannot create the C locale", ENOMEM);
    }
    locale_t prev = uselocale(cloc);
    zv_out o = {.fp = fp};
    write_document(&o, f, kind);
    if (prev != (locale_t)0)
        uselocale(prev);
    freelocale(cloc);

    if (o.err != 0)
        what = "cannot write", e = o.err;
    what = zo_finish(&out, what, &e);
    return what != NULL ? fail(msg, msgsize, path, what, e) : 0;
}

int zv_write_volume(const char *path, const zv_fields *f, char *msg, size_t msgsize)
{
    return write_vti(path, f, ZV_VOLUME, msg, msgsize);
}

int zv_write_interface(const char *path, const zv_fields *f, char *msg, size_t msgsize)
{
    return write_vti(path, f, ZV_INTERFACE, msg, msgsize);
}

/* ------------------------------------------------------------------------- */
/* Maps of a labelled volume                                                 */
/* ------------------------------------------------------------------------- */

static void write_maps_document(zv_out *o, const zv_fields *f, const zv_map *maps, int nmaps,
                                const char *note)
{
    const int64_t nvox = f->n[0] * f->n[1] * f->n[2];
    char sp[3][40], extent[128];
    for (int d = 0; d < 3; d++)
        shortest(sp[d], sizeof sp[d], f->h[d]);
    snprintf(extent, sizeof extent, "0 %lld 0 %lld 0 %lld", (long long)f->n[0],
             (long long)f->n[1], (long long)f->n[2]);
    out_str(o, "<?xml version=\"1.0\"?>\n");
    out_printf(o, "<!-- zstr %s: %s\n", zstr_version_string(), note != NULL ? note : "maps");
    out_str(o, "     Lengths (Origin, Spacing, distances) in metres. Values are exact: base64 "
               "binary, little-endian. -->\n");
    out_str(o, "<VTKFile type=\"ImageData\" version=\"1.0\" byte_order=\"LittleEndian\" "
               "header_type=\"UInt64\">\n");
    out_printf(o, "  <ImageData WholeExtent=\"%s\" Origin=\"0 0 0\" Spacing=\"%s %s %s\">\n",
               extent, sp[0], sp[1], sp[2]);
    out_str(o, "    <FieldData>\n");
    array_begin(o, "Float64", "voxel_size_m", 3, 1, 3, 8);
    for (int d = 0; d < 3; d++)
        put_f64(o, f->h[d]);
    array_end(o);
    out_str(o, "    </FieldData>\n");
    out_printf(o, "    <Piece Extent=\"%s\">\n", extent);
    out_str(o, "      <PointData>\n      </PointData>\n      <CellData>\n");
    for (int k = 0; k < nmaps; k++) {
        if (maps[k].i32 != NULL) {
            array_i32(o, maps[k].name, maps[k].i32, nvox);
        } else {
            array_begin(o, "Float64", maps[k].name, 1, 0, nvox, 8);
            for (int64_t j = 0; j < nvox; j++)
                put_f64(o, maps[k].f64[j]);
            array_end(o);
        }
    }
    out_str(o, "      </CellData>\n    </Piece>\n  </ImageData>\n</VTKFile>\n");
}

int zv_write_maps(const char *path, const int64_t n[3], const double h[3], const zv_map *maps,
                  int nmaps, const char *note, char *msg, size_t msgsize)
{
    /* the grid checks of the fields' volume, with placeholders for its arrays */
    static const double one = 0.0;
    static const int32_t zero = 0;
    zv_fields f = {{n[0], n[1], n[2]}, {h[0], h[1], h[2]}, 0.0, &one, &one, NULL, &zero,
                   NULL, NULL};
    if (check_input(path, &f, ZV_VOLUME, msg, msgsize) != 0)
        return -1;
    for (int k = 0; k < nmaps; k++)
        if (maps[k].name == NULL || (maps[k].i32 == NULL) == (maps[k].f64 == NULL))
            return fail(msg, msgsize, path, "a map needs a name and exactly one array", 0);
    zo_file out;
    const char *what = NULL;
    int e = 0;
    if (zo_open(&out, path, &what, &e) != 0)
        return fail(msg, msgsize, path, what, e);
    locale_t cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (cloc == (locale_t)0) {
        e = ENOMEM;
        zo_finish(&out, "cannot create the C locale", &e);
        return fail(msg, msgsize, path, "cannot create the C locale", ENOMEM);
    }
    locale_t prev = uselocale(cloc);
    zv_out o = {.fp = out.fp};
    write_maps_document(&o, &f, maps, nmaps, note);
    if (prev != (locale_t)0)
        uselocale(prev);
    freelocale(cloc);
    if (o.err != 0)
        what = "cannot write", e = o.err;
    what = zo_finish(&out, what, &e);
    return what != NULL ? fail(msg, msgsize, path, what, e) : 0;
}
