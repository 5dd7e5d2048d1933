/*
 * imap.c — interface map generators: which pixels of an electrode face touch
 * the electrolyte.
 *
 * Concept
 * -------
 * An interface map is nx·ny zstr_pixel codes, pixel (x, y) at index x + nx·y,
 * one per top (WE) or bottom (CE) voxel.  Contact pixels carry charge transfer;
 * every other pixel gets the caller's `rest` type (pore, SEI or free surface).
 * The generators write into caller memory and keep nothing, so they can be used
 * without a model (and to make maps for files or plots).
 *
 * Shapes are defined in physical units (hx, hy in metres) so that a "square"
 * spot stays square on anisotropic pixels, and then rounded to whole pixels.
 * All arithmetic that decides a pixel uses only +, −, ×, / and sqrt (correctly
 * rounded by IEEE 754) plus integer operations, so a map is bit-identical on
 * every machine (the library is built with -ffp-contract=off).
 *
 * Rounding (square spot and frame hole)
 * -------------------------------------
 * A rectangle of area fraction a (a = fraction for the spot, 1 − fraction for
 * the frame's hole) has, in pixel units with r = hy/hx,
 *     px = sqrt(a · nx·ny · r),   py = sqrt(a · nx·ny / r)
 * i.e. px = s/hx, py = s/hy with s = sqrt(a·Lx·Ly), Lx = nx·hx, Ly = ny·hy.
 * Computing in pixel units makes a map independent of the pixel size for
 * isotropic pixels (r = 1 exactly).  When the square would be wider than the map
 * (px > nx, only possible on a non-square map) it becomes a full-width band of
 * the same area: px = nx, py = a·ny (and likewise along y).  Without this a
 * large fraction could never be reached on an elongated map, and fraction 1
 * would not give full contact.  Then
 *     sx = round(px), sy = round(py)     (halves round up), clamped to [0, n],
 * and a > 0 always gives at least one pixel per side.  Exact end points:
 * a = 0 gives an empty rectangle, a = 1 the whole map.
 *
 * Centring: the rectangle starts at ox = (nx − sx)/2, oy = (ny − sy)/2 (integer
 * division).  When nx − sx is even the map is mirror-symmetric about the centre
 * line x = (nx − 1)/2; when it is odd the rectangle cannot be centred on the
 * pixel grid and the spare pixel of margin goes to the HIGH side (the rectangle
 * sits half a pixel towards low x).  The same holds along y.
 *
 * Frame: contact everywhere except a centred hole computed as above with
 * a = 1 − fraction.  fraction > 0 always leaves contact: a hole that would cover
 * the whole map loses one pixel column (if ny <= nx) or row (otherwise), the
 * choice that leaves the fewest contact pixels.
 *
 * Random field
 * ------------
 * 1. u[i] = zs_rng_uniform() for i = 0 .. nx·ny − 1 in pixel index order, from
 *    zs_rng_seed(seed) (xoshiro256** seeded by splitmix64).
 * 2. Smoothing, separately along x then y: three passes of a periodic box filter
 *    of odd width w.  Three passes of a box of width w have variance 3(w² − 1)/12,
 *    so standard deviation σ_w = sqrt((w² − 1)/4).  For σ_px = correlation_length
 *    / hx (resp. / hy) the odd w whose σ_w is nearest to σ_px is used (ties: the
 *    smaller w).  Hence σ_px < 1/√2 ≈ 0.71 px means w = 1: no smoothing along that
 *    axis.  A width larger than the map is clamped to the largest odd w <= n
 *    (a wider periodic box would count pixels twice); at that width the field is
 *    nearly constant along that axis.  The box sums are not divided by w: every
 *    pixel is scaled alike, and only the order of the values matters.
 * 3. The K = round(fraction·nx·ny) pixels with the highest values are contact,
 *    ties broken by the lower index, by sorting with a total order; qsort's
 *    instability cannot then change the result.  So the realised fraction is
 *    K/(nx·ny), within half a pixel of the target.
 */
#include "zs_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Maps larger than this are refused as absurd (and int64 products stay safe). */
#define ZS_MAX_PIXELS ((int64_t)1 << 31)

/* ------------------------------------------------------------------------- */
/* Argument checks: each names the function, the argument and its value       */
/* ------------------------------------------------------------------------- */

static int check_grid(const char *fn, int64_t nx, int64_t ny, const void *pixels,
                      zstr_error *err)
{
    if (nx < 1)
        return zs_error(err, ZSTR_EINVAL, "%s: nx = %lld must be >= 1", fn, (long long)nx);
    if (ny < 1)
        return zs_error(err, ZSTR_EINVAL, "%s: ny = %lld must be >= 1", fn, (long long)ny);
    if (nx > ZS_MAX_PIXELS / ny)
        return zs_error(err, ZSTR_EINVAL,
                        "%s: nx x ny = %lld x %lld exceeds 2^31 pixels", fn, (long long)nx,
                        (long long)ny);
    if (pixels == NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: pixels is NULL", fn);
    return ZSTR_OK;
}

static int check_shape(const char *fn, double hx, double hy, double fraction, int rest,
                       zstr_error *err)
{
    if (!(isfinite(hx) && hx > 0.0))
        return zs_error(err, ZSTR_EINVAL, "%s: hx = %g m must be finite and > 0", fn, hx);
    if (!(isfinite(hy) && hy > 0.0))
        return zs_error(err, ZSTR_EINVAL, "%s: hy = %g m must be finite and > 0", fn, hy);
    if (!(isfinite(fraction) && fraction >= 0.0 && fraction <= 1.0))
        return zs_error(err, ZSTR_EINVAL, "%s: fraction = %g must be finite and in [0, 1]",
                        fn, fraction);
    if (rest != ZSTR_PIXEL_NONE && rest != ZSTR_PIXEL_PORE && rest != ZSTR_PIXEL_SEI)
        return zs_error(err, ZSTR_EINVAL,
                        "%s: rest = %d must be ZSTR_PIXEL_PORE (2), ZSTR_PIXEL_SEI (3) or "
                        "ZSTR_PIXEL_NONE (0)",
                        fn, rest);
    return ZSTR_OK;
}

static double contact_share(const uint8_t *pixels, int64_t npix)
{
    int64_t c = 0;
    for (int64_t i = 0; i < npix; i++)
        c += pixels[i] == ZSTR_PIXEL_CONTACT;
    return (double)c / (double)npix;
}

/* ------------------------------------------------------------------------- */
/* Full contact and contact fraction                                          */
/* ------------------------------------------------------------------------- */

int zstr_map_full(int64_t nx, int64_t ny, uint8_t *pixels, zstr_error *err)
{
    zs_error_clear(err);
    int rc = check_grid("zstr_map_full", nx, ny, pixels, err);
    if (rc != ZSTR_OK)
        return rc;
    memset(pixels, ZSTR_PIXEL_CONTACT, (size_t)(nx * ny));
    return ZSTR_OK;
}

int zstr_map_contact_fraction(int64_t nx, int64_t ny, const uint8_t *pixels, double *fraction,
                              zstr_error *err)
{
    static const char fn[] = "zstr_map_contact_fraction";
    zs_error_clear(err);
    int rc = check_grid(fn, nx, ny, pixels, err);
    if (rc != ZSTR_OK)
        return rc;
    if (fraction == NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: fraction is NULL", fn);
    int64_t npix = nx * ny;
    for (int64_t i = 0; i < npix; i++) {
        if (pixels[i] > ZSTR_PIXEL_SEI)
            return zs_error(err, ZSTR_EINVAL, "%s: pixel %lld has unknown type %d", fn,
                            (long long)i, (int)pixels[i]);
    }
    *fraction = contact_share(pixels, npix);
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* Centred rectangles: square spot and frame                                  */
/* ------------------------------------------------------------------------- */

/* round(x) with halves up, for x >= 0, clamped to [0, n]; NaN gives 0. */
static int64_t round_clamp(double x, int64_t n)
{
    if (!(x > 0.0))
        return 0;
    if (x >= (double)n)
        return n;
    int64_t t = (int64_t)x;          /* trunc: exact, x < n <= 2^31 */
    if (x - (double)t >= 0.5)        /* x − trunc(x) is exact */
        t++;
    return t > n ? n : t;
}

/* Sides in pixels of the centred rectangle of area fraction a (see banner). */
static void rect_sides(int64_t nx, int64_t ny, double hx, double hy, double a, int64_t *sx,
                       int64_t *sy)
{
    if (a <= 0.0) {
        *sx = *sy = 0;
        return;
    }
    if (a >= 1.0) {
        *sx = nx;
        *sy = ny;
        return;
    }
    double npix = (double)nx * (double)ny; /* exact: < 2^53 */
    double px = sqrt(a * npix * (hy / hx));
    double py = sqrt(a * npix * (hx / hy));
    if (px > (double)nx) { /* wider than the map: a full-width band of area a */
        px = (double)nx;
        py = a * (double)ny;
    } else if (py > (double)ny) {
        py = (double)ny;
        px = a * (double)nx;
    }
    *sx = round_clamp(px, nx);
    *sy = round_clamp(py, ny);
    if (*sx < 1)
        *sx = 1;
    if (*sy < 1)
        *sy = 1;
}

/* pixels = `inside` in the centred sx × sy rectangle, `outside` elsewhere. */
static void paint_rect(int64_t nx, int64_t ny, int64_t sx, int64_t sy, uint8_t inside,
                       uint8_t outside, uint8_t *pixels)
{
    int64_t ox = (nx - sx) / 2, oy = (ny - sy) / 2; /* spare pixel on the high side */
    for (int64_t y = 0; y < ny; y++) {
        int in_y = y >= oy && y < oy + sy;
        for (int64_t x = 0; x < nx; x++)
            pixels[x + nx * y] = in_y && x >= ox && x < ox + sx ? inside : outside;
    }
}

int zstr_map_square(int64_t nx, int64_t ny, double hx, double hy, double fraction, int rest,
                    uint8_t *pixels, double *realised, zstr_error *err)
{
    static const char fn[] = "zstr_map_square";
    zs_error_clear(err);
    int rc = check_grid(fn, nx, ny, pixels, err);
    if (rc == ZSTR_OK)
        rc = check_shape(fn, hx, hy, fraction, rest, err);
    if (rc != ZSTR_OK)
        return rc;
    int64_t sx, sy;
    rect_sides(nx, ny, hx, hy, fraction, &sx, &sy);
    paint_rect(nx, ny, sx, sy, ZSTR_PIXEL_CONTACT, (uint8_t)rest, pixels);
    if (realised != NULL)
        *realised = contact_share(pixels, nx * ny);
    return ZSTR_OK;
}

int zstr_map_frame(int64_t nx, int64_t ny, double hx, double hy, double fraction, int rest,
                   uint8_t *pixels, double *realised, zstr_error *err)
{
    static const char fn[] = "zstr_map_frame";
    zs_error_clear(err);
    int rc = check_grid(fn, nx, ny, pixels, err);
    if (rc == ZSTR_OK)
        rc = check_shape(fn, hx, hy, fraction, rest, err);
    if (rc != ZSTR_OK)
        return rc;
    int64_t sx, sy;
    rect_sides(nx, ny, hx, hy, 1.0 - fraction, &sx, &sy);
    if (fraction > 0.0 && sx == nx && sy == ny) {
        /* keep some contact: drop the hole's column (ny pixels) or row (nx) */
        if (ny <= nx)
            sx--;
        else
            sy--;
    }
    paint_rect(nx, ny, sx, sy, (uint8_t)rest, ZSTR_PIXEL_CONTACT, pixels);
    if (realised != NULL)
        *realised = contact_share(pixels, nx * ny);
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* Thresholded correlated random field                                        */
/* ------------------------------------------------------------------------- */

/* Odd box width whose three-pass standard deviation sqrt((w² − 1)/4) is nearest
 * to sigma (pixels), ties to the smaller; at most the largest odd w <= n. */
static int64_t box_width(double sigma, int64_t n)
{
    int64_t wmax = n % 2 == 1 ? n : n - 1;
    if (!(sigma > 0.0))
        return 1;
    if (sigma >= (double)n) /* σ of the widest box is < n/2 */
        return wmax;
    double wstar = sqrt(4.0 * sigma * sigma + 1.0); /* continuous solution */
    int64_t w0 = 2 * (int64_t)((wstar - 1.0) / 2.0) + 1, w1 = w0 + 2;
    double s0 = sqrt((double)(w0 * w0 - 1) / 4.0);
    double s1 = sqrt((double)(w1 * w1 - 1) / 4.0);
    int64_t w = sigma - s0 <= s1 - sigma ? w0 : w1;
    return w > wmax ? wmax : w;
}

/* Three periodic box passes of width w = 2r + 1 along one line of n values
 * (stride apart in v); tmp holds n doubles.  The running sum restarts on every
 * line and pass, so rounding drift stays within one line. */
static void box3_line(double *v, int64_t n, int64_t stride, int64_t w, double *tmp)
{
    int64_t r = w / 2;
    for (int pass = 0; pass < 3; pass++) {
        for (int64_t i = 0; i < n; i++)
            tmp[i] = v[i * stride];
        double sum = 0.0;
        for (int64_t j = -r; j <= r; j++)
            sum += tmp[(j + n) % n];
        for (int64_t i = 0; i < n; i++) {
            v[i * stride] = sum;
            sum += tmp[(i + r + 1) % n];
            sum -= tmp[(i - r + n) % n];
        }
    }
}

typedef struct ranked {
    double v;
    int64_t i;
} ranked;

/* Total order: higher value first, then lower index. */
static int ranked_cmp(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->v != b->v)
        return a->v > b->v ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

int zstr_map_random(int64_t nx, int64_t ny, double hx, double hy, double fraction,
                    double correlation_length, uint64_t seed, int rest, uint8_t *pixels,
                    double *realised, zstr_error *err)
{
    static const char fn[] = "zstr_map_random";
    zs_error_clear(err);
    int rc = check_grid(fn, nx, ny, pixels, err);
    if (rc == ZSTR_OK)
        rc = check_shape(fn, hx, hy, fraction, rest, err);
    if (rc != ZSTR_OK)
        return rc;
    if (!(isfinite(correlation_length) && correlation_length >= 0.0))
        return zs_error(err, ZSTR_EINVAL,
                        "%s: correlation_length = %g m must be finite and >= 0", fn,
                        correlation_length);

    int64_t npix = nx * ny;
    int64_t k = round_clamp(fraction * (double)npix, npix);
    if (k == 0 || k == npix) { /* nothing to rank */
        memset(pixels, k == 0 ? rest : ZSTR_PIXEL_CONTACT, (size_t)npix);
        if (realised != NULL)
            *realised = (double)k / (double)npix;
        return ZSTR_OK;
    }

    double *v = zs_malloc_array((size_t)npix, sizeof *v);
    double *tmp = zs_malloc_array((size_t)(nx > ny ? nx : ny), sizeof *tmp);
    ranked *order = zs_malloc_array((size_t)npix, sizeof *order);
    if (v == NULL || tmp == NULL || order == NULL) {
        free(v);
        free(tmp);
        free(order);
        return zs_error(err, ZSTR_ENOMEM, "%s: out of memory for a %lld x %lld field", fn,
                        (long long)nx, (long long)ny);
    }

    zs_rng rng;
    zs_rng_seed(&rng, seed);
    for (int64_t i = 0; i < npix; i++)
        v[i] = zs_rng_uniform(&rng);

    int64_t wx = box_width(correlation_length / hx, nx);
    int64_t wy = box_width(correlation_length / hy, ny);
    if (wx > 1)
        for (int64_t y = 0; y < ny; y++)
            box3_line(v + nx * y, nx, 1, wx, tmp);
    if (wy > 1)
        for (int64_t x = 0; x < nx; x++)
            box3_line(v + x, ny, nx, wy, tmp);

    for (int64_t i = 0; i < npix; i++) {
        order[i].v = v[i];
        order[i].i = i;
    }
    qsort(order, (size_t)npix, sizeof *order, ranked_cmp);
    memset(pixels, rest, (size_t)npix);
    for (int64_t j = 0; j < k; j++)
        pixels[order[j].i] = ZSTR_PIXEL_CONTACT;

    free(v);
    free(tmp);
    free(order);
    if (realised != NULL)
        *realised = (double)k / (double)npix;
    return ZSTR_OK;
}
