/*
 * test_imap.c — interface map generators (lib/imap.c).
 *
 * The square spot and the frame: hand-worked maps; sizes where the answer is
 * unambiguous (a k × k spot for fraction k²/N, a frame of width w for
 * 1 − (n − 2w)²/n²); and, over many grids and fractions, properties alone
 * (one solid centred rectangle, sides nearest to the requested square found by
 * trying every length, connectivity, realised fraction counted here), never the
 * library's rounding formula.  The random field against its exact pixel count,
 * reproducibility, and the growth of spatial correlation with correlation_length,
 * compared with the arcsine law for a thresholded Gaussian field.
 */
#include "zs_test.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------- */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------- */

/* Bounding box b = {x0, x1, y0, y1} of the pixels of `type`; returns their
 * count (b is unset when it is 0). */
static int64_t bbox(const uint8_t *px, int64_t nx, int64_t ny, int type, int64_t b[4])
{
    int64_t c = 0;
    b[0] = nx, b[1] = -1, b[2] = ny, b[3] = -1;
    for (int64_t y = 0; y < ny; y++)
        for (int64_t x = 0; x < nx; x++)
            if (px[x + nx * y] == type) {
                c++;
                b[0] = x < b[0] ? x : b[0];
                b[1] = x > b[1] ? x : b[1];
                b[2] = y < b[2] ? y : b[2];
                b[3] = y > b[3] ? y : b[3];
            }
    return c;
}

/* 1 when c pixels of a type fill their bounding box b: a solid rectangle. */
static int fills_box(int64_t c, const int64_t b[4])
{
    return c > 0 && c == (b[1] - b[0] + 1) * (b[3] - b[2] + 1);
}

/* Centred on the pixel grid: the two margins differ by at most one pixel, the
 * spare one on the high side (lib/imap.c's banner). */
static int centred(int64_t lo, int64_t hi) { return hi == lo || hi == lo + 1; }

/* 4-connected components of the pixels of `type`, by flood fill. */
static int components(const uint8_t *px, int64_t nx, int64_t ny, int type)
{
    int64_t n = nx * ny, *stack = malloc(sizeof *stack * (size_t)n);
    uint8_t *seen = calloc((size_t)n, 1);
    ck_assert(stack != NULL && seen != NULL);
    int count = 0;
    for (int64_t s = 0; s < n; s++) {
        if (px[s] != type || seen[s])
            continue;
        count++;
        int64_t top = 0;
        stack[top++] = s;
        seen[s] = 1;
        while (top > 0) {
            int64_t i = stack[--top], x = i % nx, y = i / nx;
            const int64_t nb[4][2] = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
            for (int k = 0; k < 4; k++) {
                int64_t u = nb[k][0], v = nb[k][1];
                if (u < 0 || u >= nx || v < 0 || v >= ny)
                    continue;
                int64_t j = u + nx * v;
                if (px[j] == type && !seen[j]) {
                    seen[j] = 1;
                    stack[top++] = j;
                }
            }
        }
    }
    free(stack);
    free(seen);
    return count;
}

/* 1 when the whole number s is one of the integers in [lo, hi] nearest to t,
 * found by trying them all (ties: either; 1e-12 absorbs the rounding of t). */
static int nearest(int64_t s, double t, int64_t lo, int64_t hi)
{
    if (s < lo || s > hi)
        return 0;
    for (int64_t k = lo; k <= hi; k++)
        if (fabs((double)s - t) > fabs((double)k - t) + 1e-12)
            return 0;
    return 1;
}

/* 1 when sx × sy pixels are a nearest whole-pixel rendering of a centred
 * square of area fraction a on an nx × ny map of square pixels: both sides
 * nearest to the side t = sqrt(a·nx·ny); a square wider than the map becomes a
 * full band of the same area, its other side nearest to a·n.  A non-empty
 * shape keeps at least one pixel per side. */
static int nearest_rect(int64_t nx, int64_t ny, double a, int64_t sx, int64_t sy)
{
    double t = sqrt(a * (double)nx * (double)ny);
    if (t <= (double)nx && t <= (double)ny)
        return nearest(sx, t, 1, nx) && nearest(sy, t, 1, ny);
    if (t > (double)nx)
        return sx == nx && nearest(sy, a * (double)ny, 1, ny);
    return sy == ny && nearest(sx, a * (double)nx, 1, nx);
}

static int64_t count_type(const uint8_t *px, int64_t n, int type)
{
    int64_t c = 0;
    for (int64_t i = 0; i < n; i++)
        c += px[i] == type;
    return c;
}

/* 1 when px is `in` exactly on [ox, ox+sx) × [oy, oy+sy) and `out` elsewhere. */
static int is_rect(const uint8_t *px, int64_t nx, int64_t ny, int64_t ox, int64_t oy,
                   int64_t sx, int64_t sy, int in, int out)
{
    for (int64_t y = 0; y < ny; y++)
        for (int64_t x = 0; x < nx; x++) {
            int inside = x >= ox && x < ox + sx && y >= oy && y < oy + sy;
            if (px[x + nx * y] != (inside ? in : out))
                return 0;
        }
    return 1;
}

static int mirror_x_equal(const uint8_t *px, int64_t nx, int64_t ny)
{
    for (int64_t y = 0; y < ny; y++)
        for (int64_t x = 0; x < nx; x++)
            if (px[x + nx * y] != px[(nx - 1 - x) + nx * y])
                return 0;
    return 1;
}

static int mirror_y_equal(const uint8_t *px, int64_t nx, int64_t ny)
{
    for (int64_t y = 0; y < ny; y++)
        for (int64_t x = 0; x < nx; x++)
            if (px[x + nx * y] != px[x + nx * (ny - 1 - y)])
                return 0;
    return 1;
}

/* Bad call: status, err->code, a message containing `needle`; the same call
 * with err == NULL returns the same status.  `call` uses the name ep_. */
#define EXPECT_BAD(status, needle, call)                                                  \
    do {                                                                                  \
        zstr_error e_;                                                                    \
        zstr_error *ep_ = &e_;                                                            \
        memset(&e_, 0, sizeof e_);                                                        \
        int rc_ = (call);                                                                 \
        ck_assert_msg(rc_ == (status), "%s -> %d, expected %d (%s)", #call, rc_,          \
                      (int)(status), e_.message);                                         \
        ck_assert_int_eq(e_.code, (status));                                              \
        ck_assert_msg(e_.message[0] != '\0', "%s: empty message", #call);                 \
        ck_assert_msg(strstr(e_.message, (needle)) != NULL,                               \
                      "%s: message \"%s\" does not mention \"%s\"", #call, e_.message,    \
                      (needle));                                                          \
        ep_ = NULL;                                                                       \
        ck_assert_int_eq((call), (status));                                               \
    } while (0)

/* ------------------------------------------------------------------------- */
/* Full map and contact fraction                                             */
/* ------------------------------------------------------------------------- */

START_TEST(test_full)
{
    uint8_t px[7 * 5];
    memset(px, 9, sizeof px);
    zstr_error err;
    ZS_CK_OK(zstr_map_full(7, 5, px, &err), &err);
    ck_assert_int_eq(count_type(px, 35, ZSTR_PIXEL_CONTACT), 35);
    ck_assert_int_eq(err.code, ZSTR_OK);
    double f = -1.0;
    ZS_CK_OK(zstr_map_contact_fraction(7, 5, px, &f, &err), &err);
    ck_assert(f == 1.0);
    ZS_CK_OK(zstr_map_full(1, 1, px, NULL), NULL);
}
END_TEST

START_TEST(test_contact_fraction)
{
    /* 2 contact of 8, every known code present */
    const uint8_t px[8] = {0, 1, 2, 3, 1, 0, 2, 3};
    double f = -1.0;
    zstr_error err;
    ZS_CK_OK(zstr_map_contact_fraction(4, 2, px, &f, &err), &err);
    ck_assert(f == 0.25);
    ZS_CK_OK(zstr_map_contact_fraction(8, 1, px, &f, NULL), NULL);
    ck_assert(f == 0.25);
    const uint8_t none[3] = {0, 2, 3};
    ZS_CK_OK(zstr_map_contact_fraction(3, 1, none, &f, &err), &err);
    ck_assert(f == 0.0);
    /* an unknown code is named with its pixel index, and f is left alone */
    uint8_t bad[6] = {1, 1, 1, 1, 1, 4};
    f = 0.5;
    EXPECT_BAD(ZSTR_EINVAL, "pixel 5", zstr_map_contact_fraction(3, 2, bad, &f, ep_));
    ck_assert(f == 0.5);
    bad[5] = 255;
    EXPECT_BAD(ZSTR_EINVAL, "255", zstr_map_contact_fraction(3, 2, bad, &f, ep_));
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Square spot and frame                                                      */
/* ------------------------------------------------------------------------- */

/* Hand-worked values on isotropic pixels (px = sqrt(f·nx·ny) exactly). */
START_TEST(test_square_exact_values)
{
    static const struct {
        int64_t nx, ny;
        double f;
        int64_t sx, sy, ox, oy;
    } c[] = {
        {10, 10, 0.25, 5, 5, 2, 2},     /* 5.0 */
        {10, 10, 0.0625, 3, 3, 3, 3},   /* 2.5 rounds up; spare pixel on the high side */
        {100, 100, 0.04, 20, 20, 40, 40},
        {4, 4, 0.01, 1, 1, 1, 1},       /* 0.4 would round to 0: at least one pixel */
        {10, 20, 0.8, 10, 16, 0, 2},    /* sqrt(160) > 10: full-width band, area kept */
        {20, 10, 0.8, 16, 10, 2, 0},
        {10, 20, 1.0, 10, 20, 0, 0},    /* fraction 1 is full contact on any box */
        {10, 20, 0.0, 0, 0, 5, 10},     /* fraction 0 is no contact */
        {1, 1, 1e-9, 1, 1, 0, 0},
        {9, 9, 1.0 / 81.0, 1, 1, 4, 4}, /* one pixel, exactly centred */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        int64_t n = c[i].nx * c[i].ny;
        uint8_t *px = malloc((size_t)n);
        double r = -1.0;
        zstr_error err;
        ZS_CK_OK(zstr_map_square(c[i].nx, c[i].ny, 1e-6, 1e-6, c[i].f, ZSTR_PIXEL_PORE, px,
                                 &r, &err),
                 &err);
        ck_assert_msg(is_rect(px, c[i].nx, c[i].ny, c[i].ox, c[i].oy, c[i].sx, c[i].sy,
                              ZSTR_PIXEL_CONTACT, ZSTR_PIXEL_PORE),
                      "case %zu: not the expected %lldx%lld spot at (%lld,%lld)", i,
                      (long long)c[i].sx, (long long)c[i].sy, (long long)c[i].ox,
                      (long long)c[i].oy);
        ck_assert(r == (double)(c[i].sx * c[i].sy) / (double)n);
        free(px);
    }
}
END_TEST

/* f = k²/(nx·ny) asks for a k × k square exactly: every grid up to 24 × 24 (12 × 12
 * in quick mode) and every k that fits gives that square, centred, with the
 * realised fraction k²/(nx·ny) (counted here). */
START_TEST(test_square_exact_sides)
{
    uint8_t px[24 * 24];
    int64_t nmax = zs_test_quick() ? 12 : 24;
    for (int64_t nx = 1; nx <= nmax; nx++)
        for (int64_t ny = 1; ny <= nmax; ny++)
            for (int64_t k = 1; k <= nx && k <= ny; k++) {
                int64_t n = nx * ny, b[4];
                double f = (double)(k * k) / (double)n, r = -1.0;
                zstr_error err;
                ZS_CK_OK(zstr_map_square(nx, ny, 1e-6, 1e-6, f, ZSTR_PIXEL_PORE, px, &r, &err),
                         &err);
                int64_t c = bbox(px, nx, ny, ZSTR_PIXEL_CONTACT, b);
                ck_assert_msg(c == k * k && fills_box(c, b) && b[1] - b[0] + 1 == k,
                              "%lldx%lld, k = %lld: %lld contact pixels", (long long)nx,
                              (long long)ny, (long long)k, (long long)c);
                ck_assert_int_eq(count_type(px, n, ZSTR_PIXEL_PORE), n - c);
                ck_assert(centred(b[0], nx - 1 - b[1]) && centred(b[2], ny - 1 - b[3]));
                ck_assert(r == (double)(k * k) / (double)n);
            }
}
END_TEST

/* Every (nx, ny) up to 24 × 24 (12 × 12 in quick mode) and 41 fractions, checked
 * by properties alone: the contact pixels form one solid, centred rectangle
 * whose sides are a nearest whole-pixel rendering of the requested square
 * (found by trying every side length, nearest_rect); fraction 0 is no contact,
 * any other at least one pixel, 1 the whole map; every other pixel is `rest`;
 * the realised fraction is the count of contact pixels over nx·ny. */
START_TEST(test_square_property_sweep)
{
    uint8_t px[24 * 24];
    int64_t nmax = zs_test_quick() ? 12 : 24;
    int64_t checked = 0, symmetric = 0;
    for (int64_t nx = 1; nx <= nmax; nx++)
        for (int64_t ny = 1; ny <= nmax; ny++)
            for (int k = 0; k <= 40; k++) {
                double f = k / 40.0;
                int rest = k % 3 == 0 ? ZSTR_PIXEL_NONE : k % 3 == 1 ? ZSTR_PIXEL_PORE
                                                                     : ZSTR_PIXEL_SEI;
                double r = -1.0;
                zstr_error err;
                ZS_CK_OK(zstr_map_square(nx, ny, 2e-6, 2e-6, f, rest, px, &r, &err), &err);
                int64_t n = nx * ny, b[4];
                int64_t c = bbox(px, nx, ny, ZSTR_PIXEL_CONTACT, b);
                ck_assert_int_eq(count_type(px, n, rest), n - c);
                ck_assert(r == (double)c / (double)n);
                checked++;
                if (f == 0.0) {
                    ck_assert_int_eq(c, 0);
                    continue;
                }
                if (f == 1.0)
                    ck_assert_int_eq(c, n);
                ck_assert_msg(fills_box(c, b), "%lldx%lld f=%g: contact is not one solid "
                                               "rectangle",
                              (long long)nx, (long long)ny, f);
                int64_t sx = b[1] - b[0] + 1, sy = b[3] - b[2] + 1;
                ck_assert_msg(nearest_rect(nx, ny, f, sx, sy),
                              "%lldx%lld f=%g: %lld x %lld is not a nearest square", (long long)nx,
                              (long long)ny, f, (long long)sx, (long long)sy);
                ck_assert_msg(centred(b[0], nx - 1 - b[1]) && centred(b[2], ny - 1 - b[3]),
                              "%lldx%lld f=%g: margins %lld|%lld, %lld|%lld", (long long)nx,
                              (long long)ny, f, (long long)b[0], (long long)(nx - 1 - b[1]),
                              (long long)b[2], (long long)(ny - 1 - b[3]));
                if (b[0] == nx - 1 - b[1] && b[2] == ny - 1 - b[3]) {
                    ck_assert(mirror_x_equal(px, nx, ny) && mirror_y_equal(px, nx, ny));
                    symmetric++;
                }
            }
    ck_assert_int_eq(checked, nmax * nmax * 41);
    ck_assert_int_gt(symmetric, checked / 4);
}
END_TEST

/* Anisotropic pixels: the spot is square in metres, not in pixels. */
START_TEST(test_square_anisotropic)
{
    /* 100 × 50 pixels of 1 µm × 2 µm: a (100 µm)² box; 25 % → a 50 µm square,
     * i.e. 50 × 25 pixels */
    enum { NX = 100, NY = 50 };
    uint8_t px[NX * NY];
    double r;
    zstr_error err;
    ZS_CK_OK(zstr_map_square(NX, NY, 1e-6, 2e-6, 0.25, ZSTR_PIXEL_NONE, px, &r, &err), &err);
    ck_assert(is_rect(px, NX, NY, 25, 12, 50, 25, ZSTR_PIXEL_CONTACT, ZSTR_PIXEL_NONE));
    ck_assert(r == 0.25);
    /* many ratios: physical sides agree within the rounding bound (hx + hy)/2 */
    static const double ratio[] = {0.3, 0.5, 0.77, 1.3, 2.0, 3.1};
    for (size_t i = 0; i < sizeof ratio / sizeof ratio[0]; i++)
        for (int k = 1; k <= 20; k++) {
            double hx = 1e-6, hy = ratio[i] * 1e-6, f = k / 40.0;
            int64_t nx = 60, ny = (int64_t)round(60.0 / ratio[i]); /* nearly square box */
            uint8_t *m = malloc((size_t)(nx * ny));
            ZS_CK_OK(zstr_map_square(nx, ny, hx, hy, f, ZSTR_PIXEL_PORE, m, &r, &err), &err);
            int64_t b[4], c = bbox(m, nx, ny, ZSTR_PIXEL_CONTACT, b);
            ck_assert(fills_box(c, b) && count_type(m, nx * ny, ZSTR_PIXEL_PORE) == nx * ny - c);
            ck_assert(centred(b[0], nx - 1 - b[1]) && centred(b[2], ny - 1 - b[3]));
            int64_t sx = b[1] - b[0] + 1, sy = b[3] - b[2] + 1;
            double s = sqrt(f * (double)nx * hx * (double)ny * hy); /* physical side */
            /* each side the nearest whole number of its own pixels (s < Lx, Ly here) */
            ck_assert_msg(nearest(sx, s / hx, 1, nx) && nearest(sy, s / hy, 1, ny),
                          "ratio %g f %g: %lld x %lld px for side %g m", ratio[i], f,
                          (long long)sx, (long long)sy, s);
            free(m);
        }
}
END_TEST

/* The map does not depend on the pixel size, only on the aspect ratio. */
START_TEST(test_square_scale_invariant)
{
    uint8_t a[30 * 17], b[30 * 17];
    for (int k = 0; k <= 100; k++) {
        double f = k / 100.0;
        ZS_CK_OK(zstr_map_square(30, 17, 1.0, 1.0, f, ZSTR_PIXEL_PORE, a, NULL, NULL), NULL);
        ZS_CK_OK(zstr_map_square(30, 17, 3.7e-7, 3.7e-7, f, ZSTR_PIXEL_PORE, b, NULL, NULL),
                 NULL);
        ck_assert_msg(memcmp(a, b, sizeof a) == 0, "f = %g", f);
    }
}
END_TEST

/* A frame of width w on an n × n map has area n² − (n − 2w)²: asked for that
 * fraction, every pixel within w of the border is contact and no other, one
 * connected ring. */
START_TEST(test_frame_exact_widths)
{
    uint8_t px[24 * 24];
    int64_t nmax = zs_test_quick() ? 12 : 24;
    for (int64_t n = 3; n <= nmax; n++)
        for (int64_t w = 1; 2 * w < n; w++) {
            int64_t area = n * n - (n - 2 * w) * (n - 2 * w);
            double f = (double)area / (double)(n * n), r = -1.0;
            zstr_error err;
            ZS_CK_OK(zstr_map_frame(n, n, 1e-6, 1e-6, f, ZSTR_PIXEL_PORE, px, &r, &err), &err);
            for (int64_t y = 0; y < n; y++)
                for (int64_t x = 0; x < n; x++) {
                    int64_t d = x < y ? x : y;
                    d = n - 1 - x < d ? n - 1 - x : d;
                    d = n - 1 - y < d ? n - 1 - y : d;
                    ck_assert_msg(px[x + n * y] == (d < w ? ZSTR_PIXEL_CONTACT : ZSTR_PIXEL_PORE),
                                  "n = %lld, w = %lld: pixel (%lld, %lld)", (long long)n,
                                  (long long)w, (long long)x, (long long)y);
                }
            ck_assert_int_eq(count_type(px, n * n, ZSTR_PIXEL_CONTACT), area);
            ck_assert_int_eq(components(px, n, n, ZSTR_PIXEL_CONTACT), 1);
            ck_assert(r == f);
        }
}
END_TEST

/* Every grid up to 24 × 24 (12 × 12 quick) and 41 fractions, by properties: the
 * non-contact pixels form one solid, centred rectangle (the hole) that is a
 * nearest rendering of a square of area 1 − fraction (nearest_rect), except
 * that fraction > 0 always keeps contact: when the nearest hole is the whole
 * map, the contact left is the fewest possible, one full row or column.
 * The contact is one connected frame whenever the hole leaves a margin on
 * every side; the realised fraction is the contact count over nx·ny. */
START_TEST(test_frame_property_sweep)
{
    uint8_t px[24 * 24];
    int64_t nmax = zs_test_quick() ? 12 : 24;
    for (int64_t nx = 1; nx <= nmax; nx++)
        for (int64_t ny = 1; ny <= nmax; ny++)
            for (int k = 0; k <= 40; k++) {
                double f = k / 40.0;
                double r = -1.0;
                zstr_error err;
                ZS_CK_OK(zstr_map_frame(nx, ny, 1e-6, 1e-6, f, ZSTR_PIXEL_SEI, px, &r, &err),
                         &err);
                int64_t n = nx * ny, b[4];
                int64_t hole = bbox(px, nx, ny, ZSTR_PIXEL_SEI, b);
                int64_t c = count_type(px, n, ZSTR_PIXEL_CONTACT);
                ck_assert_int_eq(c + hole, n);
                ck_assert(r == (double)c / (double)n);
                if (f == 0.0) {
                    ck_assert_int_eq(hole, n);
                    continue;
                }
                ck_assert_int_ge(c, 1);
                if (f == 1.0)
                    ck_assert_int_eq(c, n);
                if (f < 1.0 && n > 1) /* one pixel cannot be both */
                    ck_assert_int_ge(hole, 1);
                if (hole == 0)
                    continue;
                ck_assert_msg(fills_box(hole, b), "%lldx%lld f=%g: the hole is not one solid "
                                                  "rectangle",
                              (long long)nx, (long long)ny, f);
                ck_assert(centred(b[0], nx - 1 - b[1]) && centred(b[2], ny - 1 - b[3]));
                int64_t sx = b[1] - b[0] + 1, sy = b[3] - b[2] + 1;
                int full = nearest_rect(nx, ny, 1.0 - f, nx, ny);
                int one_line = c == (nx < ny ? nx : ny) && (sx == nx - 1 || sy == ny - 1);
                ck_assert_msg((full && one_line) || nearest_rect(nx, ny, 1.0 - f, sx, sy),
                              "%lldx%lld f=%g: hole %lld x %lld", (long long)nx, (long long)ny,
                              f, (long long)sx, (long long)sy);
                if (b[0] >= 1 && b[2] >= 1 && b[1] <= nx - 2 && b[3] <= ny - 2)
                    ck_assert_int_eq(components(px, nx, ny, ZSTR_PIXEL_CONTACT), 1);
            }
}
END_TEST

START_TEST(test_frame_shape)
{
    /* 20 × 20, 36 % contact: hole of side sqrt(0.64)·20 = 16 → a 2-pixel frame */
    uint8_t px[400];
    double r;
    zstr_error err;
    ZS_CK_OK(zstr_map_frame(20, 20, 1e-6, 1e-6, 0.36, ZSTR_PIXEL_PORE, px, &r, &err), &err);
    ck_assert(is_rect(px, 20, 20, 2, 2, 16, 16, ZSTR_PIXEL_PORE, ZSTR_PIXEL_CONTACT));
    ck_assert(r == 0.36);
    /* the border is contact whenever the hole leaves at least one pixel each side */
    for (int64_t x = 0; x < 20; x++) {
        ck_assert_int_eq(px[x], ZSTR_PIXEL_CONTACT);
        ck_assert_int_eq(px[x + 20 * 19], ZSTR_PIXEL_CONTACT);
        ck_assert_int_eq(px[20 * x], ZSTR_PIXEL_CONTACT);
        ck_assert_int_eq(px[19 + 20 * x], ZSTR_PIXEL_CONTACT);
    }
    /* 10 × 10 at 1 %: the hole would cover everything (sqrt(0.99)·10 → 10);
     * one column is kept as contact */
    ZS_CK_OK(zstr_map_frame(10, 10, 1e-6, 1e-6, 0.01, ZSTR_PIXEL_PORE, px, &r, &err), &err);
    ck_assert(is_rect(px, 10, 10, 0, 0, 9, 10, ZSTR_PIXEL_PORE, ZSTR_PIXEL_CONTACT));
    ck_assert(r == 0.1);
    /* 4 × 8 (ny > nx): a row is cheaper than a column */
    ZS_CK_OK(zstr_map_frame(4, 8, 1e-6, 1e-6, 0.001, ZSTR_PIXEL_PORE, px, &r, &err), &err);
    ck_assert(is_rect(px, 4, 8, 0, 0, 4, 7, ZSTR_PIXEL_PORE, ZSTR_PIXEL_CONTACT));
    ck_assert(r == 4.0 / 32.0);
    /* anisotropic: 100 × 50 pixels of 1 × 2 µm, 75 % contact: 50 µm hole = 50 × 25 px */
    uint8_t *m = malloc(100 * 50);
    ZS_CK_OK(zstr_map_frame(100, 50, 1e-6, 2e-6, 0.75, ZSTR_PIXEL_NONE, m, &r, &err), &err);
    ck_assert(is_rect(m, 100, 50, 25, 12, 50, 25, ZSTR_PIXEL_NONE, ZSTR_PIXEL_CONTACT));
    ck_assert(r == 0.75);
    free(m);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Random field                                                               */
/* ------------------------------------------------------------------------- */

/* Exact pixel count round(f·N) (so within half a pixel of the target) for many
 * seeds, fractions, lengths and rest types; only contact and `rest` appear. */
START_TEST(test_random_count)
{
    static const double frac[] = {0.0, 1e-4, 0.01, 0.04, 0.25, 0.5, 0.505, 0.77, 0.999, 1.0};
    static const double len[] = {0.0, 0.5e-6, 1e-6, 3e-6, 10e-6, 1e-3};
    static const int64_t dims[][2] = {{40, 40}, {33, 17}, {1, 50}, {64, 1}, {3, 3}};
    int nseed = zs_test_quick() ? 3 : 10;
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        int64_t nx = dims[d][0], ny = dims[d][1], n = nx * ny;
        uint8_t *px = malloc((size_t)n);
        for (size_t i = 0; i < sizeof frac / sizeof frac[0]; i++)
            for (size_t j = 0; j < sizeof len / sizeof len[0]; j++)
                for (int s = 0; s < nseed; s++) {
                    int rest = (int)((i + j + (size_t)s) % 3);
                    if (rest == ZSTR_PIXEL_CONTACT)
                        rest = ZSTR_PIXEL_SEI;
                    double r = -1.0;
                    zstr_error err;
                    ZS_CK_OK(zstr_map_random(nx, ny, 1e-6, 1.5e-6, frac[i], len[j],
                                             (uint64_t)s * 7919u, rest, px, &r, &err),
                             &err);
                    int64_t c = count_type(px, n, ZSTR_PIXEL_CONTACT);
                    ck_assert_int_eq(c, (int64_t)round(frac[i] * (double)n));
                    ck_assert_int_eq(c + count_type(px, n, rest), n);
                    ck_assert(r == (double)c / (double)n);
                    ck_assert(fabs(r - frac[i]) <= 0.5 / (double)n + 1e-15);
                }
        free(px);
    }
}
END_TEST

START_TEST(test_random_reproducible)
{
    enum { NX = 48, NY = 40 };
    uint8_t a[NX * NY], b[NX * NY], c[NX * NY];
    static const double len[] = {0.0, 2e-6, 8e-6};
    for (size_t j = 0; j < 3; j++) {
        ZS_CK_OK(zstr_map_random(NX, NY, 1e-6, 1e-6, 0.3, len[j], 12345, ZSTR_PIXEL_PORE, a,
                                 NULL, NULL),
                 NULL);
        ZS_CK_OK(zstr_map_random(NX, NY, 1e-6, 1e-6, 0.3, len[j], 12345, ZSTR_PIXEL_PORE, b,
                                 NULL, NULL),
                 NULL);
        ZS_CK_OK(zstr_map_random(NX, NY, 1e-6, 1e-6, 0.3, len[j], 12346, ZSTR_PIXEL_PORE, c,
                                 NULL, NULL),
                 NULL);
        ck_assert(memcmp(a, b, sizeof a) == 0);
        ck_assert(memcmp(a, c, sizeof a) != 0);
    }
    /* higher fraction with the same seed and length: a superset (one threshold) */
    ZS_CK_OK(zstr_map_random(NX, NY, 1e-6, 1e-6, 0.3, 4e-6, 99, ZSTR_PIXEL_PORE, a, NULL,
                             NULL),
             NULL);
    ZS_CK_OK(zstr_map_random(NX, NY, 1e-6, 1e-6, 0.6, 4e-6, 99, ZSTR_PIXEL_PORE, b, NULL,
                             NULL),
             NULL);
    for (int i = 0; i < NX * NY; i++)
        if (a[i] == ZSTR_PIXEL_CONTACT)
            ck_assert_int_eq(b[i], ZSTR_PIXEL_CONTACT);
}
END_TEST

/* Regression pin: FNV-1a of two maps made by this implementation.  The maps use
 * only IEEE-exact operations, so these hashes must be the same on every machine;
 * a change means the generator changed (and old seeds give new maps). */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

START_TEST(test_random_golden)
{
    uint8_t px[64 * 48];
    ZS_CK_OK(zstr_map_random(64, 48, 1e-6, 1e-6, 0.25, 3e-6, 42, ZSTR_PIXEL_PORE, px, NULL,
                             NULL),
             NULL);
    uint64_t h1 = fnv1a(px, sizeof px);
    ZS_CK_OK(zstr_map_random(64, 48, 1e-6, 2e-6, 0.5, 0.0, 7, ZSTR_PIXEL_NONE, px, NULL, NULL),
             NULL);
    uint64_t h2 = fnv1a(px, sizeof px);
    ck_assert_msg(h1 == 0x4f2de5e9d27154e9ULL && h2 == 0xdf9b77d5024dd2d9ULL, "hashes %#llx %#llx", (unsigned long long)h1,
                  (unsigned long long)h2);
}
END_TEST

/* Box width the library picks (imap.c banner): odd w, three-pass σ_w nearest σ. */
static int64_t ref_width(double sigma, int64_t n)
{
    int64_t best = 1;
    for (int64_t w = 3; w <= n; w += 2)
        if (fabs(sqrt((double)(w * w - 1) / 4.0) - sigma) < fabs(sqrt((double)(best * best - 1) / 4.0) - sigma))
            best = w;
    return best;
}

/* Lag-1 correlation coefficient of the smoothed field along one axis: kernel k
 * = three boxes of width w (non-periodic is fine: w << n here), ρ = Σ k_j k_{j+1}
 * / Σ k_j². */
static double kernel_rho1(int64_t w)
{
    double k[256] = {0};
    int64_t len = 1;
    k[0] = 1.0;
    for (int pass = 0; pass < 3; pass++) {
        double t[256] = {0};
        for (int64_t i = 0; i < len; i++)
            for (int64_t j = 0; j < w; j++)
                t[i + j] += k[i];
        len += w - 1;
        memcpy(k, t, sizeof k);
    }
    double num = 0.0, den = 0.0;
    for (int64_t i = 0; i < len; i++) {
        den += k[i] * k[i];
        if (i + 1 < len)
            num += k[i] * k[i + 1];
    }
    return num / den;
}

/* Share of periodic nearest-neighbour pairs along x (axis 0) or y (axis 1) whose
 * two pixels have the same type. */
static double same_pairs(const uint8_t *px, int64_t nx, int64_t ny, int axis)
{
    int64_t same = 0;
    for (int64_t y = 0; y < ny; y++)
        for (int64_t x = 0; x < nx; x++) {
            int64_t j = axis == 0 ? (x + 1) % nx + nx * y : x + nx * ((y + 1) % ny);
            same += px[x + nx * y] == px[j];
        }
    return (double)same / (double)(nx * ny);
}

/* Correlation length must raise spatial correlation.  At fraction 1/2 the
 * threshold is the median; for a Gaussian field with lag-1 correlation ρ two
 * neighbours fall on the same side with probability 1/2 + arcsin(ρ)/π (Sheppard).
 * The smoothed sum of >= 3·3 uniforms per axis is close to Gaussian, and ρ along
 * x is that of the x kernel alone (the y kernel factors out).  So the measured
 * same-type share must (a) be 1/2 for white noise, (b) follow the arcsine law,
 * (c) rise strictly with correlation_length. */
START_TEST(test_random_correlation)
{
    enum { N = 96 };
    static const double sigma[] = {0.0, 1.0, 2.0, 3.0, 5.0, 8.0}; /* pixels */
    int nseed = zs_test_quick() ? 8 : 12;
    uint8_t *px = malloc(N * N);
    double prev = 0.0;
    for (size_t i = 0; i < sizeof sigma / sizeof sigma[0]; i++) {
        double p = 0.0;
        for (int s = 0; s < nseed; s++) {
            ZS_CK_OK(zstr_map_random(N, N, 1e-6, 1e-6, 0.5, sigma[i] * 1e-6, 1000 + s,
                                     ZSTR_PIXEL_PORE, px, NULL, NULL),
                     NULL);
            p += 0.5 * (same_pairs(px, N, N, 0) + same_pairs(px, N, N, 1));
        }
        p /= nseed;
        int64_t w = ref_width(sigma[i], N);
        double rho = w == 1 ? 0.0 : kernel_rho1(w);
        double expect = 0.5 + asin(rho) / acos(-1.0);
        /* Tolerance: measured per-map standard deviation of p is <= 0.005 at every
         * length here, so the mean of >= 8 seeds has a standard error <= 0.002;
         * 0.01 is 5 of those and also covers the small departure of the smoothed
         * uniforms (>= 49 terms per pixel) from a Gaussian.  Measured: 0.501,
         * 0.851, 0.913, 0.938, 0.961, 0.973 against the law's 0.500, 0.852, 0.913,
         * 0.938, 0.961, 0.975. */
        ck_assert_msg(fabs(p - expect) < 0.01,
                      "sigma %g px (w %lld): same-type share %g, arcsine law %g", sigma[i],
                      (long long)w, p, expect);
        /* the law's steps here are >= 0.012 (the last, 5 -> 8 px); ask for 0.005 */
        if (i > 0)
            ck_assert_msg(p > prev + 0.005, "sigma %g px: %g not above %g", sigma[i], p,
                          prev);
        prev = p;
    }
    free(px);
}
END_TEST

/* hy = 4·hx: the same correlation_length is 4× fewer pixels along y, so
 * neighbours along x agree more often than along y. */
START_TEST(test_random_anisotropic)
{
    enum { NX = 96, NY = 48 };
    uint8_t px[NX * NY];
    double sx = 0.0, sy = 0.0;
    for (int s = 0; s < 6; s++) {
        ZS_CK_OK(zstr_map_random(NX, NY, 1e-6, 4e-6, 0.5, 6e-6, 500 + s, ZSTR_PIXEL_PORE, px,
                                 NULL, NULL),
                 NULL);
        sx += same_pairs(px, NX, NY, 0);
        sy += same_pairs(px, NX, NY, 1);
    }
    ck_assert_msg(sx / 6 > sy / 6 + 0.1, "x %g, y %g", sx / 6, sy / 6);
}
END_TEST

/* A correlation length far beyond the map clamps the boxes; still exact counts. */
START_TEST(test_random_huge_length)
{
    uint8_t px[20 * 11];
    double r;
    ZS_CK_OK(zstr_map_random(20, 11, 1e-6, 1e-6, 0.3, 1.0, 3, ZSTR_PIXEL_PORE, px, &r, NULL),
             NULL);
    ck_assert_int_eq(count_type(px, 220, ZSTR_PIXEL_CONTACT), 66);
    ZS_CK_OK(zstr_map_random(20, 11, 1e-300, 1e-300, 0.3, 1e300, 3, ZSTR_PIXEL_PORE, px, &r,
                             NULL),
             NULL);
    ck_assert_int_eq(count_type(px, 220, ZSTR_PIXEL_CONTACT), 66);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Bad arguments                                                              */
/* ------------------------------------------------------------------------- */

START_TEST(test_bad_arguments)
{
    uint8_t px[16];
    double r = 0.0;
    const double nan = NAN, inf = INFINITY;
    /* common size checks, for every generator */
    EXPECT_BAD(ZSTR_EINVAL, "nx = 0", zstr_map_full(0, 4, px, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "ny = -3", zstr_map_full(4, -3, px, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "pixels", zstr_map_full(4, 4, NULL, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "2^31", zstr_map_full(INT64_MAX, INT64_MAX, px, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "65536 x 32769", zstr_map_full(65536, 32769, px, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "zstr_map_full", zstr_map_full(4, 0, px, ep_));

    EXPECT_BAD(ZSTR_EINVAL, "nx = -1",
               zstr_map_square(-1, 4, 1, 1, 0.5, ZSTR_PIXEL_PORE, px, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "ny = 0",
               zstr_map_frame(4, 0, 1, 1, 0.5, ZSTR_PIXEL_PORE, px, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "2^31",
               zstr_map_random(1 << 16, 1 << 16, 1, 1, 0.5, 0, 1, ZSTR_PIXEL_PORE, px, &r,
                               ep_));
    EXPECT_BAD(ZSTR_EINVAL, "nx = 0", zstr_map_contact_fraction(0, 4, px, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "pixels", zstr_map_contact_fraction(4, 4, NULL, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "fraction is NULL", zstr_map_contact_fraction(4, 4, px, NULL, ep_));

    /* shape arguments, each generator names itself */
    typedef int (*shape_fn)(int64_t, int64_t, double, double, double, int, uint8_t *, double *,
                            zstr_error *);
    static const struct {
        shape_fn f;
        const char *name;
    } gen[] = {{zstr_map_square, "zstr_map_square"}, {zstr_map_frame, "zstr_map_frame"}};
    for (int g = 0; g < 2; g++) {
        shape_fn f = gen[g].f;
        EXPECT_BAD(ZSTR_EINVAL, gen[g].name, f(4, 4, 0, 1, 0.5, ZSTR_PIXEL_PORE, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "pixels", f(4, 4, 1, 1, 0.5, ZSTR_PIXEL_PORE, NULL, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "hx = 0", f(4, 4, 0, 1, 0.5, ZSTR_PIXEL_PORE, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "hx = -1", f(4, 4, -1, 1, 0.5, ZSTR_PIXEL_PORE, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "hx = inf", f(4, 4, inf, 1, 0.5, ZSTR_PIXEL_PORE, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "hy = ", f(4, 4, 1, nan, 0.5, ZSTR_PIXEL_PORE, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "hy = -inf",
                   f(4, 4, 1, -inf, 0.5, ZSTR_PIXEL_PORE, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "fraction = -0.1",
                   f(4, 4, 1, 1, -0.1, ZSTR_PIXEL_PORE, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "fraction = 1.5",
                   f(4, 4, 1, 1, 1.5, ZSTR_PIXEL_PORE, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "fraction = ", f(4, 4, 1, 1, nan, ZSTR_PIXEL_PORE, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "fraction = inf",
                   f(4, 4, 1, 1, inf, ZSTR_PIXEL_PORE, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "rest = 1",
                   f(4, 4, 1, 1, 0.5, ZSTR_PIXEL_CONTACT, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "rest = 4", f(4, 4, 1, 1, 0.5, 4, px, &r, ep_));
        EXPECT_BAD(ZSTR_EINVAL, "rest = -1", f(4, 4, 1, 1, 0.5, -1, px, &r, ep_));
    }
    EXPECT_BAD(ZSTR_EINVAL, "zstr_map_random",
               zstr_map_random(4, 4, 1, 1, 2.0, 0, 1, ZSTR_PIXEL_PORE, px, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "pixels",
               zstr_map_random(4, 4, 1, 1, 0.5, 0, 1, ZSTR_PIXEL_PORE, NULL, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "hx = -2",
               zstr_map_random(4, 4, -2, 1, 0.5, 0, 1, ZSTR_PIXEL_PORE, px, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "hy = 0",
               zstr_map_random(4, 4, 1, 0, 0.5, 0, 1, ZSTR_PIXEL_PORE, px, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "fraction = -1",
               zstr_map_random(4, 4, 1, 1, -1, 0, 1, ZSTR_PIXEL_PORE, px, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "rest = 1",
               zstr_map_random(4, 4, 1, 1, 0.5, 0, 1, ZSTR_PIXEL_CONTACT, px, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "correlation_length = -1e-06",
               zstr_map_random(4, 4, 1, 1, 0.5, -1e-6, 1, ZSTR_PIXEL_PORE, px, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "correlation_length = inf",
               zstr_map_random(4, 4, 1, 1, 0.5, inf, 1, ZSTR_PIXEL_PORE, px, &r, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "correlation_length = ",
               zstr_map_random(4, 4, 1, 1, 0.5, nan, 1, ZSTR_PIXEL_PORE, px, &r, ep_));

    /* a refused call leaves the caller's map and realised fraction alone */
    memset(px, 0xee, sizeof px);
    r = 0.125;
    ck_assert_int_eq(zstr_map_square(4, 4, 1, 1, 2.0, ZSTR_PIXEL_PORE, px, &r, NULL),
                     ZSTR_EINVAL);
    ck_assert_int_eq(zstr_map_random(4, 4, 1, 1, 0.5, -1, 1, ZSTR_PIXEL_PORE, px, &r, NULL),
                     ZSTR_EINVAL);
    ck_assert_int_eq(zstr_map_frame(4, 4, 1, 1, 0.5, 7, px, &r, NULL), ZSTR_EINVAL);
    for (int i = 0; i < 16; i++)
        ck_assert_int_eq(px[i], 0xee);
    ck_assert(r == 0.125);

    /* success clears a stale error record */
    zstr_error err;
    memset(&err, 0x41, sizeof err);
    ZS_CK_OK(zstr_map_square(4, 4, 1, 1, 0.25, ZSTR_PIXEL_PORE, px, NULL, &err), &err);
    ck_assert_int_eq(err.code, 0);
    ck_assert_str_eq(err.message, "");
}
END_TEST

Suite *suite_imap(void)
{
    Suite *s = suite_create("imap");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_full);
    tcase_add_test(tc, test_contact_fraction);
    tcase_add_test(tc, test_square_exact_values);
    tcase_add_test(tc, test_square_exact_sides);
    tcase_add_test(tc, test_square_property_sweep);
    tcase_add_test(tc, test_square_anisotropic);
    tcase_add_test(tc, test_square_scale_invariant);
    tcase_add_test(tc, test_frame_exact_widths);
    tcase_add_test(tc, test_frame_property_sweep);
    tcase_add_test(tc, test_frame_shape);
    tcase_add_test(tc, test_random_count);
    tcase_add_test(tc, test_random_reproducible);
    tcase_add_test(tc, test_random_golden);
    tcase_add_test(tc, test_random_correlation);
    tcase_add_test(tc, test_random_anisotropic);
    tcase_add_test(tc, test_random_huge_length);
    tcase_add_test(tc, test_bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}
