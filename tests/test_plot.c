/*
 * test_plot.c — figures of impedance spectra (cli/plot.c).
 *
 * What a figure looks like is checked by eye (see the module's history); here
 * the checks are the ones a machine can make: each format is a valid file of
 * the requested size, the Nyquist scales are equal, ticks are 1-2-5 steps that
 * cover the range, decade markers are interpolated exactly, failures leave no
 * file behind, and hostile data (NaN, inf, empty, constant, huge, many
 * series, invalid UTF-8 labels) is drawn without a crash.
 *
 * Every file lives in a fresh mkdtemp directory under /tmp, so "no file left
 * behind" is checked by listing that directory; the fixture that removes the
 * directories is unchecked, so it runs even when a forked test fails.
 */
#include "zs_test.h"

#include "../cli/plot.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------- */
/* Scratch directories and files                                             */
/* ------------------------------------------------------------------------- */

static char top_dir[64];

static void plot_setup(void)
{
    snprintf(top_dir, sizeof top_dir, "/tmp/zstr_test_plot_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top_dir));
}

static void plot_teardown(void) { zs_scratch_remove(top_dir); }

/* cairo and fontconfig keep font caches for the life of the process; each
 * test releases them where it ran (the forked child, or the runner with
 * CK_FORK=no) so that LeakSanitizer and valgrind see clean exits. */
static void caches_teardown(void) { zp_cleanup(); }

/* The first size bytes of a file (zero-filled); returns the file length. */
static long read_head(const char *path, unsigned char *buf, size_t size)
{
    memset(buf, 0, size);
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    size_t k = fread(buf, 1, size, fp);
    (void)k;
    ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
    long len = ftell(fp);
    fclose(fp);
    return len;
}

/* Does the file contain the string (first 4 MB)? */
static int file_contains(const char *path, const char *needle)
{
    static unsigned char buf[1 << 22];
    long len = read_head(path, buf, sizeof buf - 1);
    buf[len < (long)sizeof buf - 1 ? len : (long)sizeof buf - 1] = 0;
    return strstr((const char *)buf, needle) != NULL;
}

static unsigned long be32(const unsigned char *p)
{
    return ((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) | ((unsigned long)p[2] << 8) |
           p[3];
}

/* ------------------------------------------------------------------------- */
/* Spectra                                                                   */
/* ------------------------------------------------------------------------- */

enum { NF = 101 };

/* Voigt circuit: parallel RC elements in series, f from 10 MHz down to
 * 1 mHz, 10 points per decade. */
static void voigt(const double *R, const double *fc, int k, double *f, double *z)
{
    for (int i = 0; i < NF; i++) {
        f[i] = pow(10.0, 7.0 - 0.1 * i);
        double complex Z = 0;
        for (int j = 0; j < k; j++)
            Z += R[j] / (1.0 + I * f[i] / fc[j]);
        z[2 * i] = creal(Z);
        z[2 * i + 1] = cimag(Z);
    }
}

static double F3[3][NF], Z3[3][2 * NF];
static zp_series S3[3];

/* The three spectra of the visual check: arcs at 1 MHz, 100 kHz, 10 Hz,
 * 0.3 Hz of 20, 2, 10, 5000 Ω, scaled by 1, 0.4, 0.16 (fixed capacitances). */
static void three_spectra(void)
{
    static const char *labels[3] = {"25 \xC2\xB0"
                                    "C",
                                    "40 \xC2\xB0"
                                    "C",
                                    "60 \xC2\xB0"
                                    "C"};
    for (int k = 0; k < 3; k++) {
        double sc = pow(0.4, k);
        double R[4] = {20 * sc, 2 * sc, 10 * sc, 5000 * sc};
        double fc[4] = {1e6 / sc, 1e5 / sc, 10 / sc, 0.3 / sc};
        voigt(R, fc, 4, F3[k], Z3[k]);
        S3[k] = (zp_series){labels[k], NF, F3[k], Z3[k]};
    }
}

static void plot_ok(const char *path, const zp_series *s, int ns, const zp_options *o)
{
    char msg[512];
    int rc = zp_plot(path, s, ns, o, msg, sizeof msg);
    ck_assert_msg(rc == 0, "zp_plot(%s) -> %d: %s", path, rc, msg);
}

/* ------------------------------------------------------------------------- */
/* Formats                                                                   */
/* ------------------------------------------------------------------------- */

START_TEST(test_formats)
{
    char dir[128], path[256];
    unsigned char h[64];
    zs_scratch_new(top_dir, dir, sizeof dir);
    three_spectra();
    zp_options o;
    zp_options_default(&o);
    o.title = "LLZO | Li";

    snprintf(path, sizeof path, "%s/a.svg", dir);
    plot_ok(path, S3, 3, &o);
    read_head(path, h, sizeof h);
    ck_assert_msg(memcmp(h, "<?xml", 5) == 0, "SVG starts with %.5s", h);
    ck_assert(file_contains(path, "<svg"));
    ck_assert(file_contains(path, "width=\"800pt\"")); /* the default size, in points */

    snprintf(path, sizeof path, "%s/b.PDF", dir); /* extensions in any case */
    plot_ok(path, S3, 3, &o);
    long len = read_head(path, h, sizeof h);
    ck_assert_msg(memcmp(h, "%PDF-", 5) == 0, "PDF starts with %.5s", h);
    ck_assert_int_gt(len, 1000);

    /* PNG: pixels = points · dpi / 72 */
    o.width_pt = 360;
    o.height_pt = 240;
    o.dpi = 144;
    snprintf(path, sizeof path, "%s/c.png", dir);
    plot_ok(path, S3, 3, &o);
    read_head(path, h, sizeof h);
    static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    ck_assert(memcmp(h, magic, 8) == 0);
    ck_assert(memcmp(h + 12, "IHDR", 4) == 0);
    ck_assert_uint_eq(be32(h + 16), 720);
    ck_assert_uint_eq(be32(h + 20), 480);

    /* the default resolution is 150 dpi, each kind has its default size */
    zp_options_default(&o);
    o.kind = ZP_NYQUIST;
    snprintf(path, sizeof path, "%s/d.Png", dir);
    plot_ok(path, S3, 3, &o);
    read_head(path, h, sizeof h);
    ck_assert_uint_eq(be32(h + 16), (unsigned long)lround(460 * 150 / 72.0));
    ck_assert_uint_eq(be32(h + 20), (unsigned long)lround(340 * 150 / 72.0));
    o.kind = ZP_BODE;
    o.area_specific = 1;
    o.area_cm2 = 0.785;
    snprintf(path, sizeof path, "%s/e.svg", dir);
    plot_ok(path, S3, 3, &o);

    /* NULL options mean the defaults; only the four figures are left */
    snprintf(path, sizeof path, "%s/f.pdf", dir);
    plot_ok(path, S3, 1, NULL);
    ck_assert_int_eq(zs_scratch_count(dir), 6);
}
END_TEST

/* Replacing a file keeps its permissions (the new file is complete). */
START_TEST(test_replace)
{
    char dir[128], path[256];
    zs_scratch_new(top_dir, dir, sizeof dir);
    three_spectra();
    snprintf(path, sizeof path, "%s/r.svg", dir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("old", fp);
    fclose(fp);
    ck_assert_int_eq(chmod(path, 0640), 0);
    plot_ok(path, S3, 3, NULL);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0640);
    ck_assert(file_contains(path, "</svg>"));
    ck_assert_int_eq(zs_scratch_count(dir), 1);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Ticks                                                                     */
/* ------------------------------------------------------------------------- */

/* step = m·10^e with m ∈ {1, 2, 5}, to 1e-9 relative */
static int is_125(double step)
{
    double e = floor(log10(step) + 1e-12);
    double m = step / pow(10.0, e);
    return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9 || fabs(m - 10) < 1e-8;
}

static double next_smaller_125(double step)
{
    double e = floor(log10(step) + 1e-12), m = step / pow(10.0, e);
    if (m > 4.5)
        return 2 * pow(10.0, e);
    if (m > 1.5)
        return pow(10.0, e);
    return 5 * pow(10.0, e - 1);
}

static void check_ticks(double lo, double hi, int max)
{
    double t[64];
    int n = -1;
    ck_assert_int_eq(zp_nice_ticks(lo, hi, max, t, &n), 0);
    ck_assert_msg(n >= 2 && n <= max, "[%g, %g] max %d: %d ticks", lo, hi, max, n);
    double step = t[1] - t[0];
    ck_assert_msg(is_125(step), "[%g, %g]: step %.17g is not 1-2-5", lo, hi, step);
    /* cover the range; tolerance 1e-9 of a step, the documented rounding */
    ck_assert_msg(t[0] <= lo + 1e-9 * step && t[n - 1] >= hi - 1e-9 * step,
                  "[%g, %g] not covered by [%g, %g]", lo, hi, t[0], t[n - 1]);
    /* equally spaced multiples of the step */
    for (int i = 0; i < n; i++) {
        double k = t[i] / step;
        ck_assert_msg(fabs(k - nearbyint(k)) < 1e-6, "tick %g is not a multiple of %g", t[i], step);
        if (i > 0)
            ck_assert(fabs((t[i] - t[i - 1]) - step) <= 1e-9 * step);
    }
    /* no tick wasted outside the range */
    ck_assert(t[1] > lo - 1e-9 * step && t[n - 2] < hi + 1e-9 * step);
    /* the smallest such step: the next smaller one needs more than max */
    double s2 = next_smaller_125(step);
    double need = ceil(hi / s2 - 1e-9) - floor(lo / s2 + 1e-9) + 1;
    ck_assert_msg(need > max, "[%g, %g] max %d: step %g could be %g", lo, hi, max, step, s2);
}

START_TEST(test_nice_ticks)
{
    double t[64];
    int n;
    zp_nice_ticks(0, 5030, 8, t, &n);
    ck_assert_int_eq(n, 7); /* 0, 1000, ..., 6000 */
    ck_assert_double_eq(t[0], 0.0);
    ck_assert_double_eq(t[6], 6000.0);
    check_ticks(-0.37, 0.81, 6);

    /* a deterministic sweep of ranges, signs, magnitudes and tick budgets */
    unsigned long seed = 12345;
    for (int it = 0; it < 3000; it++) {
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        double u1 = (double)((seed >> 11) & 0xFFFFF) / 0x100000;
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        double u2 = (double)((seed >> 11) & 0xFFFFF) / 0x100000;
        double scale = pow(10.0, -12 + (it % 25));
        double lo = (u1 - 0.5) * scale * (it % 3 == 0 ? 0 : 2);
        double hi = lo + u2 * scale + 1e-3 * scale;
        check_ticks(lo, hi, 3 + it % 10);
    }
    /* a constant value is widened, never a zero range */
    ck_assert_int_eq(zp_nice_ticks(5, 5, 6, t, &n), 0);
    ck_assert(n >= 2 && t[0] < 5 && t[n - 1] > 5);
    ck_assert_int_eq(zp_nice_ticks(0, 0, 6, t, &n), 0);
    ck_assert(n >= 2 && t[0] <= 0 && t[n - 1] > 0);
    /* huge ranges */
    check_ticks(0, 1e300, 8);
    check_ticks(-1e150, 1e150, 5);
    /* bad input */
    ck_assert_int_eq(zp_nice_ticks(1, 0, 6, t, &n), -1);
    ck_assert_int_eq(zp_nice_ticks(NAN, 1, 6, t, &n), -1);
    ck_assert_int_eq(zp_nice_ticks(0, INFINITY, 6, t, &n), -1);
    ck_assert_int_eq(zp_nice_ticks(0, 1, 2, t, &n), -1);
    ck_assert_int_eq(n, 0);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Equal Nyquist scales                                                      */
/* ------------------------------------------------------------------------- */

static void check_frame(double x0, double x1, double y0, double y1, double w, double h, double mt)
{
    zp_nyquist_frame fr;
    ck_assert_int_eq(zp_nyquist_layout(x0, x1, y0, y1, w, h, mt, &fr), 0);
    /* the property itself: one Ω is as long on x as on y, exactly, and the
     * box shows the ranges at that scale */
    ck_assert_msg(fr.sx == fr.sy, "sx %.17g != sy %.17g", fr.sx, fr.sy);
    ck_assert(fr.sx > 0 && isfinite(fr.sx));
    ck_assert(fabs(fr.w - (fr.xhi - fr.xlo) * fr.sx) <= 1e-9 * w);
    ck_assert(fabs(fr.h - (fr.yhi - fr.ylo) * fr.sy) <= 1e-9 * h);
    /* it fills the room given */
    ck_assert(fabs(fr.w - w) <= 1e-9 * w && fabs(fr.h - h) <= 1e-9 * h);
    /* both axes start at 0 unless data are negative, and cover the data */
    ck_assert(fr.xlo <= fmin(0, x0) && fr.xhi >= x1 && fr.ylo <= fmin(0, y0) && fr.yhi >= y1);
    if (x0 >= 0)
        ck_assert_double_eq(fr.xlo, 0.0);
    if (y0 >= 0)
        ck_assert_double_eq(fr.ylo, 0.0);
    /* a 1-2-5 step at least min_tick_pt long on paper */
    ck_assert(is_125(fr.step));
    ck_assert(fr.step * fr.sx >= fmin(mt, 0.5 * fmin(w, h)) * (1 - 1e-9));
}

START_TEST(test_equal_scale)
{
    check_frame(0, 5030, 0, 2500, 400, 300, 36);   /* wide: x limits the scale */
    check_frame(0, 10, 0, 1000, 400, 300, 36);     /* tall: capacitive tail */
    check_frame(0, 32, 0, 10, 300, 500, 36);       /* wide data, tall room */
    check_frame(-3, 20, -5, 10, 500, 300, 36);     /* inductive loop: negative */
    check_frame(100, 100, 0, 0, 400, 300, 36);     /* a resistor: no −Z'' at all */
    check_frame(0, 0, 0, 0, 400, 300, 36);         /* everything at the origin */
    check_frame(0, 1e-6, 0, 3e-7, 400, 300, 36);   /* tiny */
    check_frame(0, 1e12, 0, 4e11, 400, 300, 36);   /* huge */
    check_frame(0, 1e150, 0, 1e150, 400, 300, 36); /* the largest plotted */
    check_frame(0, 5, 0, 2, 60, 40, 100);          /* ticks wider than the room */

    /* the data's aspect on paper equals its aspect in Ω */
    zp_nyquist_frame fr;
    ck_assert_int_eq(zp_nyquist_layout(0, 5030, 0, 2500, 400, 300, 36, &fr), 0);
    double dx = 5030 * fr.sx, dy = 2500 * fr.sy;
    ck_assert(fabs(dx / dy - 5030.0 / 2500.0) < 1e-12);

    /* empty data, bad rooms */
    ck_assert_int_eq(zp_nyquist_layout(1, 0, 1, 0, 400, 300, 36, &fr), 0);
    ck_assert(fr.xhi > 0 && fr.yhi > 0 && fr.sx == fr.sy);
    ck_assert_int_eq(zp_nyquist_layout(NAN, 1, 0, 1, 400, 300, 36, &fr), 0);
    ck_assert_int_eq(zp_nyquist_layout(0, 1, 0, 1, 0, 300, 36, &fr), -1);
    ck_assert_int_eq(zp_nyquist_layout(0, 1, 0, 1, 400, NAN, 36, &fr), -1);
    ck_assert_int_eq(zp_nyquist_layout(0, 1, 0, 1, 400, 300, 0, &fr), -1);
    ck_assert_int_eq(zp_nyquist_layout(0, 1, 0, 1, 400, 300, 36, NULL), -1);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Decade markers                                                            */
/* ------------------------------------------------------------------------- */

START_TEST(test_decades)
{
    zp_decade d[64];
    /* Z linear in log10 f is reproduced exactly by the interpolation */
    double f[NF], z[2 * NF];
    for (int i = 0; i < NF; i++) {
        f[i] = pow(10.0, 7.0 - 0.1 * i);
        z[2 * i] = 3.0 + 2.0 * log10(f[i]);
        z[2 * i + 1] = -0.5 * log10(f[i]);
    }
    int n = zp_decade_markers(NF, f, z, d, 64);
    ck_assert_int_eq(n, 11); /* 10 MHz ... 1 mHz */
    for (int m = 0; m < n; m++) {
        ck_assert_int_eq(d[m].k, 7 - m); /* in the order met */
        ck_assert(fabs(d[m].zr - (3.0 + 2.0 * d[m].k)) < 1e-9);
        ck_assert(fabs(d[m].zi + 0.5 * d[m].k) < 1e-9);
    }

    /* decades between samples: 3, 30, 300 Hz hold 10 and 100 Hz */
    double f2[3] = {3, 30, 300}, z2[6];
    for (int i = 0; i < 3; i++)
        z2[2 * i] = 7 * log10(f2[i]), z2[2 * i + 1] = -log10(f2[i]);
    n = zp_decade_markers(3, f2, z2, d, 64);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(d[0].k, 1);
    ck_assert_int_eq(d[1].k, 2);
    ck_assert(fabs(d[0].zr - 7.0) < 1e-12 && fabs(d[0].zi + 1.0) < 1e-12);
    ck_assert(fabs(d[1].zr - 14.0) < 1e-12 && fabs(d[1].zi + 2.0) < 1e-12);
    ck_assert(d[0].seg == 0 && d[1].seg == 1);

    /* a decade on a shared sample, or repeated, is marked once */
    double f3[4] = {1, 10, 10, 100}, z3[8] = {0};
    n = zp_decade_markers(4, f3, z3, d, 64);
    ck_assert_int_eq(n, 3);

    /* invalid samples break the curve: only 1 and 10 Hz remain */
    double f4[5] = {1, 10, NAN, 1000, 1e4}, z4[10] = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4};
    z4[6] = INFINITY; /* and the 1 kHz sample is invalid too */
    n = zp_decade_markers(5, f4, z4, d, 64);
    ck_assert_int_eq(n, 2);
    ck_assert(d[0].k == 0 && d[1].k == 1);
    double f5[3] = {-1, 0, 10}, z5[6] = {0};
    ck_assert_int_eq(zp_decade_markers(3, f5, z5, d, 64), 0);

    /* one sample exactly at a decade; none at all; the output limit */
    double f6[1] = {1000}, z6[2] = {1, -1};
    n = zp_decade_markers(1, f6, z6, d, 64);
    ck_assert(n == 1 && d[0].k == 3);
    f6[0] = 2000;
    ck_assert_int_eq(zp_decade_markers(1, f6, z6, d, 64), 0);
    ck_assert_int_eq(zp_decade_markers(0, f, z, d, 64), 0);
    ck_assert_int_eq(zp_decade_markers(NF, f, z, d, 4), 4);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Failures leave nothing behind                                             */
/* ------------------------------------------------------------------------- */

static void plot_fails(const char *path, const zp_series *s, int ns, const zp_options *o,
                       const char *expect)
{
    char msg[512];
    int rc = zp_plot(path, s, ns, o, msg, sizeof msg);
    ck_assert_msg(rc == -1, "zp_plot(%s) -> %d, expected -1", path, rc);
    ck_assert_msg(strstr(msg, path) != NULL, "message does not name the path: %s", msg);
    ck_assert_msg(strstr(msg, expect) != NULL, "message lacks '%s': %s", expect, msg);
    ck_assert_int_ne(access(path, F_OK), 0);
}

START_TEST(test_errors)
{
    char dir[128], path[256];
    zs_scratch_new(top_dir, dir, sizeof dir);
    three_spectra();
    zp_options o;
    zp_options_default(&o);

    snprintf(path, sizeof path, "%s/a.jpg", dir);
    plot_fails(path, S3, 3, &o, "format");
    snprintf(path, sizeof path, "%s/svg", dir);
    plot_fails(path, S3, 3, &o, "format");
    snprintf(path, sizeof path, "%s/x.svg.d/a", dir); /* the dot is in a directory name */
    plot_fails(path, S3, 3, &o, "format");
    snprintf(path, sizeof path, "%s/missing/a.png", dir);
    plot_fails(path, S3, 3, &o, "No such file or directory");

    /* rename onto a directory fails after rendering: the temporary goes */
    snprintf(path, sizeof path, "%s/d.svg", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    char msg[512];
    ck_assert_int_eq(zp_plot(path, S3, 3, &o, msg, sizeof msg), -1);
    ck_assert_msg(strstr(msg, "rename") != NULL, "%s", msg);
    ck_assert_int_eq(zs_scratch_count(dir), 1);
    ck_assert_int_eq(rmdir(path), 0);

    /* bad arguments */
    snprintf(path, sizeof path, "%s/b.pdf", dir);
    o.area_specific = 1;
    o.area_cm2 = 0;
    plot_fails(path, S3, 3, &o, "area");
    o.area_cm2 = NAN;
    plot_fails(path, S3, 3, &o, "area");
    zp_options_default(&o);
    o.kind = 7;
    plot_fails(path, S3, 3, &o, "kind");
    zp_options_default(&o);
    o.width_pt = -1;
    plot_fails(path, S3, 3, &o, "width");
    o.width_pt = 1e9;
    plot_fails(path, S3, 3, &o, "width");
    zp_options_default(&o);
    o.dpi = NAN;
    plot_fails(path, S3, 3, &o, "dpi");
    o.dpi = 2400; /* 800 pt at 2400 dpi: 26667 px, allowed; 5000 pt: not */
    o.width_pt = 5000;
    snprintf(path, sizeof path, "%s/big.png", dir);
    plot_fails(path, S3, 3, &o, "pixels");
    zp_options_default(&o);
    o.nyquist_max = -1;
    plot_fails(path, S3, 3, &o, "nyquist_max");
    zp_options_default(&o);
    plot_fails(path, S3, -1, &o, "nseries");
    plot_fails(path, NULL, 2, &o, "nseries");
    zp_series bad = {"x", 3, NULL, Z3[0]};
    plot_fails(path, &bad, 1, &o, "series 1");
    bad = (zp_series){"x", -1, F3[0], Z3[0]};
    plot_fails(path, &bad, 1, &o, "series 1");

    /* a NULL or tiny message buffer is fine */
    snprintf(path, sizeof path, "%s/a.jpg", dir);
    ck_assert_int_eq(zp_plot(path, S3, 3, &o, NULL, 0), -1);
    ck_assert_int_eq(zp_plot(path, S3, 3, &o, msg, 1), -1);
    ck_assert_int_eq(msg[0], '\0');
    ck_assert_int_eq(zp_plot(NULL, S3, 3, &o, msg, sizeof msg), -1);
    ck_assert_int_eq(zp_plot("", S3, 3, &o, msg, sizeof msg), -1);

    ck_assert_int_eq(zs_scratch_count(dir), 0);
}
END_TEST

/* A write that fails half-way (file size limit: EFBIG, as a full disk gives
 * ENOSPC) is reported and leaves nothing, in every format. */
START_TEST(test_write_failure)
{
    char dir[128], path[256], msg[512];
    zs_scratch_new(top_dir, dir, sizeof dir);
    three_spectra();
    struct rlimit old;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = {2000, old.rlim_max};
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    static const char *ext[3] = {"svg", "png", "pdf"};
    int rc[3];
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/w.%s", dir, ext[k]);
        rc[k] = zp_plot(path, S3, 3, NULL, msg, sizeof msg);
        if (rc[k] != -1 || strstr(msg, "File too large") == NULL)
            break;
    }
    setrlimit(RLIMIT_FSIZE, &old); /* before any assertion can end the test */
    signal(SIGXFSZ, old_handler);
    for (int k = 0; k < 3; k++)
        ck_assert_msg(rc[k] == -1, "%s: %d", ext[k], rc[k]);
    ck_assert_msg(strstr(msg, "File too large") != NULL && strstr(msg, dir) != NULL, "%s", msg);
    ck_assert_int_eq(zs_scratch_count(dir), 0);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Hostile data                                                              */
/* ------------------------------------------------------------------------- */

/* Each case is drawn in all three kinds to PNG and once to SVG and PDF;
 * success and a valid file are all that is asked. */
static void plot_all_kinds(const char *dir, const char *name, const zp_series *s, int ns)
{
    char path[256];
    zp_options o;
    zp_options_default(&o);
    o.width_pt = 400;
    o.height_pt = 250;
    o.dpi = 72;
    static const int kinds[3] = {ZP_BOTH, ZP_NYQUIST, ZP_BODE};
    for (int k = 0; k < 3; k++) {
        o.kind = kinds[k];
        snprintf(path, sizeof path, "%s/%s-%d.png", dir, name, k);
        plot_ok(path, s, ns, &o);
        unsigned char h[32];
        read_head(path, h, sizeof h);
        ck_assert_uint_eq(be32(h + 16), 400);
    }
    o.kind = ZP_BOTH;
    o.area_specific = 1;
    o.area_cm2 = 1e-3;
    snprintf(path, sizeof path, "%s/%s.svg", dir, name);
    plot_ok(path, s, ns, &o);
    snprintf(path, sizeof path, "%s/%s.pdf", dir, name);
    plot_ok(path, s, ns, &o);
}

START_TEST(test_hostile_data)
{
    char dir[128];
    zs_scratch_new(top_dir, dir, sizeof dir);
    three_spectra();

    /* NaN and inf everywhere, in f and in Z, isolated and in runs */
    static double f[NF], z[2 * NF];
    memcpy(f, F3[0], sizeof f);
    memcpy(z, Z3[0], sizeof z);
    for (int i = 0; i < NF; i += 7) {
        z[2 * i] = NAN;
        z[2 * i + 1] = (i % 2) ? INFINITY : -INFINITY;
        if (i + 3 < NF)
            f[i + 3] = (i % 3) ? NAN : -5.0;
    }
    z[2 * 50] = 1e300; /* beyond the plotted magnitude */
    zp_series s[3] = {{"NaN", NF, f, z}, S3[1], {NULL, 0, NULL, NULL}};
    plot_all_kinds(dir, "nan", s, 3);

    /* only NaN; only empty series; no series at all */
    static double fn[4] = {NAN, NAN, NAN, NAN}, zn[8] = {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    zp_series allnan = {"all NaN", 4, fn, zn};
    plot_all_kinds(dir, "allnan", &allnan, 1);
    zp_series empty[2] = {{"a", 0, NULL, NULL}, {"b", 0, F3[0], Z3[0]}};
    plot_all_kinds(dir, "empty", empty, 2);
    plot_all_kinds(dir, "none", NULL, 0);

    /* all values identical: a resistor at one frequency; zero impedance */
    static double fc[5] = {100, 100, 100, 100, 100}, zc[10] = {50, 0, 50, 0, 50, 0, 50, 0, 50, 0};
    zp_series same = {"R", 5, fc, zc};
    plot_all_kinds(dir, "same", &same, 1);
    static double z0[10] = {0};
    zp_series zero = {"0", 5, fc, z0};
    plot_all_kinds(dir, "zero", &zero, 1);
    zp_series one = {"one", 1, F3[0] + 50, Z3[0] + 100};
    plot_all_kinds(dir, "one", &one, 1);

    /* huge ranges: 1 µΩ to 1 TΩ, 1 nHz to 1 THz; inductive (negative) data */
    static double fh[NF], zh[2 * NF];
    for (int i = 0; i < NF; i++) {
        fh[i] = pow(10.0, 12.0 - 0.21 * i);
        zh[2 * i] = pow(10.0, -6.0 + 0.18 * i);
        zh[2 * i + 1] = (i % 2 ? -1 : 1) * pow(10.0, -6.0 + 0.15 * i);
    }
    zp_series huge = {"huge", NF, fh, zh};
    plot_all_kinds(dir, "huge", &huge, 1);

    /* many series with long, empty and invalid UTF-8 labels */
    enum { MANY = 64 };
    static zp_series many[MANY];
    static char labels[MANY][96];
    for (int j = 0; j < MANY; j++) {
        snprintf(labels[j], sizeof labels[j],
                 "series %d with a rather long label \xC3(\xFF\xE2\x82 %s", j,
                 j % 5 ? "" : "\xF0\x9F\x94\x8B\xED\xA0\x80\x7F\x01");
        many[j] = (zp_series){j % 9 ? labels[j] : NULL, NF, F3[j % 3], Z3[j % 3]};
    }
    plot_all_kinds(dir, "many", many, MANY);

    /* a title with invalid UTF-8 and a zoom */
    zp_options o;
    zp_options_default(&o);
    o.title = "bad \xC3\x28 title \xE2\x82";
    o.nyquist_max = 40;
    char path[256];
    snprintf(path, sizeof path, "%s/zoom.pdf", dir);
    plot_ok(path, S3, 3, &o);
}
END_TEST


/* Legends must fit: two --set lists give labels like the ones below, which
 * used to be cut at 40 characters and clipped at the panel's edge.  Truth:
 * the legend box lies inside its panel, every text line ends inside the
 * legend, and in the default figure no text is cut. */
START_TEST(test_legend_fits)
{
    static double f[4][NF], z[4][2 * NF];
    static const char *const labels[4] = {
        "map.contact-fraction=1, cell.temperature=-20C, contact 100 %",
        "map.contact-fraction=0.5, cell.temperature=0C, contact 56.2 %",
        "map.contact-fraction=0.22, cell.temperature=20C, contact 25 %",
        "map.contact-fraction=0.1, cell.temperature=40C, phase.gb.conductivity=1e-4, contact 14.1 %"};
    zp_series sr[4];
    for (int k = 0; k < 4; k++) {
        const double R[2] = {1000.0 * (k + 1), 300.0}, fc[2] = {1e5, 10.0};
        voigt(R, fc, 2, f[k], z[k]);
        sr[k] = (zp_series){labels[k], NF, f[k], z[k]};
    }
    static const struct {
        int kind;
        double w, h;
        int may_cut; /* a tiny figure may cut text, never overflow */
    } c[] = {{ZP_BOTH, 0, 0, 0},      {ZP_NYQUIST, 0, 0, 0}, {ZP_BODE, 0, 0, 0},
             {ZP_NYQUIST, 300, 200, 1}, {ZP_BOTH, 400, 200, 1}, {ZP_NYQUIST, 2000, 900, 0}};
    for (size_t t = 0; t < sizeof c / sizeof c[0]; t++) {
        zp_options o;
        zp_options_default(&o);
        o.kind = c[t].kind, o.width_pt = c[t].w, o.height_pt = c[t].h;
        zp_geometry g;
        char msg[256];
        ck_assert_msg(zp_plot_geometry(sr, 4, &o, &g, msg, sizeof msg) == 0, "%s", msg);
        ck_assert_int_ge(g.nlegends, 1);
        for (int k = 0; k < g.nlegends; k++) {
            const double *L = g.legend[k], *P = g.panel[k];
            /* 1e-9 pt: the layout's own arithmetic, not a visible margin */
            ck_assert_msg(L[0] >= P[0] - 1e-9 && L[1] >= P[1] - 1e-9 &&
                              L[0] + L[2] <= P[0] + P[2] + 1e-9 && L[1] + L[3] <= P[1] + P[3] + 1e-9,
                          "case %zu: legend %g %g %g %g outside panel %g %g %g %g", t, L[0], L[1],
                          L[2], L[3], P[0], P[1], P[2], P[3]);
        }
        ck_assert_msg(g.text_right <= 1e-9, "case %zu: text overflows the legend by %g pt", t,
                      g.text_right);
        if (!c[t].may_cut)
            ck_assert_msg(!g.truncated, "case %zu: legend text cut", t);
    }
}
END_TEST

/* User ranges and log axes (zp_nyquist_limits): a fixed axis spans exactly
 * the range asked; two linear axes keep equal scales with the free one
 * extended to fill its side; a log axis spans whole decades and fills. */
START_TEST(test_nyquist_limits)
{
    zp_nyquist_frame fr;
    const int fixx[2] = {1, 0}, lin[2] = {0, 0}, fixboth[2] = {1, 1}, none[2] = {0, 0};
    ck_assert_int_eq(zp_nyquist_limits(0, 50, 0, 20, fixx, lin, 400, 300, 30, &fr), 0);
    ck_assert(fr.xlo == 0 && fr.xhi == 50);
    ck_assert(fr.sx == fr.sy);
    ck_assert(fabs(fr.w - 400) < 1e-9 && fabs(fr.h - 300) < 1e-9); /* y extended: 0..37.5 */
    ck_assert(fabs(fr.yhi - 37.5) < 1e-9);
    ck_assert_int_eq(zp_nyquist_limits(10, 20, 0, 40, fixboth, lin, 400, 300, 30, &fr), 0);
    ck_assert(fr.xlo == 10 && fr.xhi == 20 && fr.ylo == 0 && fr.yhi == 40);
    ck_assert(fr.sx == fr.sy && fabs(fr.h - 300) < 1e-9 && fabs(fr.w - 75) < 1e-9);
    const int logs[2] = {1, 1};
    ck_assert_int_eq(zp_nyquist_limits(2.3, 5.6, 0.2, 4.1, none, logs, 400, 300, 30, &fr), 0);
    ck_assert(fr.xlo == 2 && fr.xhi == 6 && fr.ylo == 0 && fr.yhi == 5);
    ck_assert(fabs(fr.w - 400) < 1e-9 && fabs(fr.h - 300) < 1e-9);
    /* and through zp_plot: a log axis refuses a range reaching 0 */
    three_spectra();
    zp_options o;
    zp_options_default(&o);
    o.logx = 1;
    o.xlim[0] = 0, o.xlim[1] = 10;
    char msg[256], dir[128], path[192];
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/l.svg", dir);
    ck_assert_int_eq(zp_plot(path, S3, 3, &o, msg, sizeof msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "xlim"));
    o.xlim[0] = 1;
    o.logy = 1;
    ck_assert_msg(zp_plot(path, S3, 3, &o, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_int_eq(zs_scratch_count(dir), 1);
}
END_TEST


/* DRT figure: the peak mark of a Gaussian γ centred at τ0 = 1e-3 s sits, on
 * the log τ axis, where log10 τ0 maps (1e-6 pt: layout arithmetic), the γ
 * axis starts at 0 and covers the maximum. */
START_TEST(test_drt_geometry)
{
    double tau[81], gam[81], pk = 1e-3;
    for (int i = 0; i < 81; i++) {
        tau[i] = pow(10.0, -7.0 + 0.1 * i);
        double u = log10(tau[i] / pk) / 0.3;
        gam[i] = 50.0 * exp(-u * u);
    }
    zp_drt_series d = {"one RC", 81, tau, gam, 1, &pk};
    zp_geometry g;
    char msg[256];
    ck_assert_msg(zp_plot_drt_geometry(&d, 1, NULL, &g, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_int_eq(g.npanels, 1);
    ck_assert_int_eq(g.nmarks, 1);
    ck_assert(g.log[0][0] && !g.log[0][1]);
    ck_assert(g.range[0][2] == 0.0 && g.range[0][3] >= 50.0);
    double X = g.box[0][0] + (-3.0 - g.range[0][0]) / (g.range[0][1] - g.range[0][0]) * g.box[0][2];
    ck_assert_msg(fabs(g.mark[0][0] - X) < 1e-6, "mark at %g, tau0 at %g", g.mark[0][0], X);
}
END_TEST

/* Figure 3 layout: a Nyquist box (equal scales) left of a DRT box (log τ),
 * side by side without overlap, one legend (the Nyquist panel's), a peak
 * mark per series, and the file written. */
START_TEST(test_series_drt_geometry)
{
    enum { N = 41 };
    double f[N], z[2][2 * N], tau[81], gam[2][81], pk[2] = {1e-3, 1e-2};
    for (int k = 0; k < N; k++) {
        f[k] = pow(10.0, 5.0 - 0.2 * k);
        for (int j = 0; j < 2; j++) {
            double complex v = (10.0 + 10.0 * j) / (1.0 + I * 2 * M_PI * f[k] * pk[j]);
            z[j][2 * k] = creal(v), z[j][2 * k + 1] = cimag(v);
        }
    }
    for (int i = 0; i < 81; i++) {
        tau[i] = pow(10.0, -7.0 + 0.1 * i);
        for (int j = 0; j < 2; j++) {
            double u = log10(tau[i] / pk[j]) / 0.3;
            gam[j][i] = (10.0 + 10.0 * j) * exp(-u * u);
        }
    }
    zp_series s[2] = {{"p = 1", N, f, z[0]}, {"p = 2", N, f, z[1]}};
    zp_drt_series d[2] = {{"p = 1", 81, tau, gam[0], 1, &pk[0]},
                          {"p = 2", 81, tau, gam[1], 1, &pk[1]}};
    zp_geometry g;
    char msg[256], dir[128], path[192];
    ck_assert_msg(zp_plot_series_drt_geometry(s, d, 2, NULL, &g, msg, sizeof msg) == 0, "%s",
                  msg);
    ck_assert_int_eq(g.npanels, 2);
    ck_assert_int_eq(g.nlegends, 1);
    ck_assert_int_eq(g.nmarks, 2);
    ck_assert(!g.log[0][0] && g.log[1][0]);
    ck_assert(g.box[0][0] + g.box[0][2] < g.box[1][0]);
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/f3.svg", dir);
    ck_assert_msg(zp_plot_series_drt(path, s, d, 2, NULL, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_int_eq(zs_scratch_count(dir), 1);
}
END_TEST

Suite *suite_plot(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("plot");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, plot_setup, plot_teardown);
    tcase_add_checked_fixture(tc, NULL, caches_teardown);
    tcase_add_test(tc, test_formats);
    tcase_add_test(tc, test_replace);
    tcase_add_test(tc, test_nice_ticks);
    tcase_add_test(tc, test_equal_scale);
    tcase_add_test(tc, test_decades);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_write_failure);
    tcase_add_test(tc, test_hostile_data);
    tcase_add_test(tc, test_legend_fits);
    tcase_add_test(tc, test_nyquist_limits);
    tcase_add_test(tc, test_drt_geometry);
    tcase_add_test(tc, test_series_drt_geometry);
    suite_add_tcase(s, tc);
    return s;
}
