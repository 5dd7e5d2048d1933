/*
 * plot.c — impedance spectra as figures: Nyquist and Bode panels drawn once
 * with cairo onto an SVG, PDF or PNG surface.
 *
 * Coordinates
 * -----------
 * The whole figure is laid out in points (1/72 in), y downwards, on a cairo
 * context; the PNG surface just scales that context by dpi/72, so the three
 * formats are the same drawing.  Fonts are cairo's "toy" API with DejaVu Sans
 * (fontconfig substitutes a sans face if it is missing); every size derives
 * from one base font size fs, itself scaled with the figure, so small and
 * large figures keep their proportions.
 *
 * Panels
 * ------
 * A panel is a plotting box plus two axes.  Every point passes through one
 * function, data_xy(), which turns sample i of a series into panel data
 * coordinates (Nyquist: Z', −Z''; |Z|: log10 f, log10 |Z|; phase: log10 f,
 * −φ in degrees) or rejects it (not finite, |v| > 1e150, f ≤ 0, |Z| = 0).
 * Ranges, curves, legend placement and label collision tests all use it, so
 * a rejected point can never reach cairo.
 *
 * Nyquist scale
 * -------------
 * Electrochemists read arcs as semicircles and depression angles off the
 * plot, so 1 Ω must be equally long on both axes.  zp_nyquist_layout() finds
 * the largest common scale s (pt/Ω) that fits both ranges, rounded out to a
 * common 1-2-5 step, then extends the axis with room to spare by whole steps;
 * the box is (range × s) on both axes, so the equality is exact by
 * construction (and tested).
 *
 * Frequency labels
 * ----------------
 * A marker sits at every decade frequency of every series (interpolated in
 * log f); the first series also gets labels.  A label is tried in eight
 * directions starting on the outer side of the curve (the normal to the left
 * of the direction of decreasing frequency: outside a capacitive arc) and
 * takes the first place inside the box that overlaps no earlier label nor the
 * legend and crosses the fewest curve segments; labels carry a white halo.
 *
 * Output
 * ------
 * The surface writes through a stream callback to a temporary beside the
 * target (outfile.c); cairo's status and the stream's errno decide whether
 * zo_finish renames it into place or removes it.
 */
#include "plot.h"

#include "outfile.h"

#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define CAP 0.73         /* cap height of DejaVu Sans per em */
#define VMAX 1e150       /* larger magnitudes are treated as not plottable */
#define MAX_TICKS 512    /* tick buffer size of every axis */
#define MARKER_LIMIT 600 /* series with more samples get no point markers */

static const double step125[] = {1.0, 2.0, 5.0};

/* ------------------------------------------------------------------------- */
/* Ticks                                                                     */
/* ------------------------------------------------------------------------- */

/* Smallest m·10^e ≥ x with m from mant[] (ascending, within [1, 10)). */
static double step_at_least(double x, const double *mant, int nm)
{
    if (!(x > 0.0) || !isfinite(x))
        return 1.0;
    double p = pow(10.0, floor(log10(x)));
    for (int pass = 0; pass < 3; pass++, p *= 10.0)
        for (int i = 0; i < nm; i++)
            if (mant[i] * p >= x * (1.0 - 1e-12))
                return mant[i] * p;
    return p;
}

/* Multiples of step covering [lo, hi]: first and last index. */
static void tick_span(double lo, double hi, double step, double *k0, double *k1)
{
    *k0 = floor(lo / step + 1e-9);
    *k1 = ceil(hi / step - 1e-9);
}

int zp_nice_ticks(double lo, double hi, int max, double *ticks, int *n)
{
    if (n != NULL)
        *n = 0;
    if (ticks == NULL || n == NULL || !isfinite(lo) || !isfinite(hi) || lo > hi || max < 3)
        return -1;
    if (hi - lo <= 1e-12 * fmax(fabs(lo), fabs(hi))) {
        double d = lo != 0.0 ? 0.1 * fabs(lo) : 1.0;
        lo -= d;
        hi += d;
    }
    if (!isfinite(hi - lo))
        return -1;
    double step = step_at_least((hi - lo) / (max - 1), step125, 3);
    for (int it = 0; it < 16; it++) {
        double k0, k1;
        tick_span(lo, hi, step, &k0, &k1);
        if (k1 - k0 + 1.0 <= max) {
            int c = (int)(k1 - k0) + 1;
            for (int i = 0; i < c; i++) {
                double t = (k0 + i) * step;
                ticks[i] = fabs(t) < 1e-9 * step ? 0.0 : t;
            }
            *n = c;
            return 0;
        }
        step = step_at_least(step * (1.0 + 1e-9), step125, 3);
    }
    return -1;
}

/* Step for a phase axis in degrees: 15/30/45/90 read better than 20/40. */
static double phase_step(double lo, double hi, int max)
{
    static const double steps[] = {1, 2, 5, 10, 15, 30, 45, 90, 180, 360};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        double k0, k1;
        tick_span(lo, hi, steps[i], &k0, &k1);
        if (k1 - k0 + 1.0 <= max)
            return steps[i];
    }
    return 360.0;
}

/* ------------------------------------------------------------------------- */
/* Nyquist layout with equal scales                                          */
/* ------------------------------------------------------------------------- */

int zp_nyquist_layout(double xmin, double xmax, double ymin, double ymax, double avail_w,
                      double avail_h, double min_tick_pt, zp_nyquist_frame *fr)
{
    if (fr == NULL || !(avail_w > 0.0) || !(avail_h > 0.0) || !(min_tick_pt > 0.0) ||
        !isfinite(avail_w) || !isfinite(avail_h) || !isfinite(min_tick_pt))
        return -1;
    if (!(xmin <= xmax) || !(ymin <= ymax) || !isfinite(xmin) || !isfinite(xmax) ||
        !isfinite(ymin) || !isfinite(ymax))
        xmin = xmax = ymin = ymax = 0.0;
    double xlo = fmin(0.0, xmin), xhi = fmax(0.0, xmax);
    double ylo = fmin(0.0, ymin), yhi = fmax(0.0, ymax);
    if (!(xhi > xlo) && !(yhi > ylo))
        xhi = yhi = 1.0;
    if (!isfinite(xhi - xlo) || !isfinite(yhi - ylo))
        return -1;
    /* 3 % air so that curves and markers do not run into the frame; none at
     * 0, where the axes start by convention */
    double px = 0.03 * fmax(xhi - xlo, yhi - ylo);
    xhi += xhi > 0.0 ? px : 0.0;
    xlo -= xlo < 0.0 ? px : 0.0;
    yhi += yhi > 0.0 ? px : 0.0;
    ylo -= ylo < 0.0 ? px : 0.0;
    /* With ticks further apart than half the box the loop below could not
     * succeed for ranges straddling 0 (two steps at least). */
    double mt = fmin(min_tick_pt, 0.5 * fmin(avail_w, avail_h));

    /* The raw spans give the largest possible scale, hence the smallest
     * possible step; rounding out only lowers the scale, so the step grows
     * monotonically until its length on paper is enough. */
    double sx0 = xhi > xlo ? avail_w / (xhi - xlo) : INFINITY;
    double sy0 = yhi > ylo ? avail_h / (yhi - ylo) : INFINITY;
    double step = step_at_least(mt / fmin(sx0, sy0), step125, 3);
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1, s = 1;
    for (int it = 0; it < 400; it++) {
        double k0, k1;
        tick_span(xlo, xhi, step, &k0, &k1);
        x0 = k0 * step;
        x1 = (k1 > k0 ? k1 : k0 + 1.0) * step;
        tick_span(ylo, yhi, step, &k0, &k1);
        y0 = k0 * step;
        y1 = (k1 > k0 ? k1 : k0 + 1.0) * step;
        s = fmin(avail_w / (x1 - x0), avail_h / (y1 - y0));
        if (step * s >= mt * (1.0 - 1e-9))
            break;
        step = step_at_least(step * (1.0 + 1e-9), step125, 3);
    }
    /* The axis with room to spare is extended to fill it (its end then
     * need not fall on a tick), so the box fills the room on both axes. */
    x1 = fmax(x1, x0 + avail_w / s);
    y1 = fmax(y1, y0 + avail_h / s);
    fr->xlo = x0;
    fr->xhi = x1;
    fr->ylo = y0;
    fr->yhi = y1;
    fr->step = step;
    fr->sx = fr->sy = s;
    fr->w = fmin(avail_w, (x1 - x0) * s);
    fr->h = fmin(avail_h, (y1 - y0) * s);
    return 0;
}

int zp_nyquist_limits(double xlo, double xhi, double ylo, double yhi, const int fix[2],
                      const int logs[2], double avail_w, double avail_h, double min_tick_pt,
                      zp_nyquist_frame *fr)
{
    if (fr == NULL || fix == NULL || logs == NULL || !(avail_w > 0.0) || !(avail_h > 0.0) ||
        !(min_tick_pt > 0.0) || !isfinite(avail_w) || !isfinite(avail_h))
        return -1;
    if (!(xlo <= xhi) || !(ylo <= yhi) || !isfinite(xlo) || !isfinite(xhi) || !isfinite(ylo) ||
        !isfinite(yhi))
        xlo = ylo = 0.0, xhi = yhi = logs[0] || logs[1] ? 0.0 : 1.0;
    double lo[2] = {xlo, ylo}, hi[2] = {xhi, yhi}, room[2] = {avail_w, avail_h};
    double span = fmax(xhi - xlo, yhi - ylo);
    for (int a = 0; a < 2; a++) {
        if (fix[a] && hi[a] > lo[a])
            continue;
        if (logs[a]) { /* whole decades, at least one */
            lo[a] = floor(lo[a] + 1e-9);
            hi[a] = ceil(hi[a] - 1e-9);
            if (hi[a] <= lo[a])
                lo[a] -= 1.0, hi[a] += 1.0;
            continue;
        }
        lo[a] = fmin(0.0, lo[a]);
        hi[a] = fmax(0.0, hi[a]);
        if (!(hi[a] > lo[a]))
            hi[a] = span > 0.0 ? span : 1.0;
        double air = 0.03 * (logs[1 - a] ? hi[a] - lo[a] : fmax(span, hi[a] - lo[a]));
        hi[a] += hi[a] > 0.0 ? air : 0.0;
        lo[a] -= lo[a] < 0.0 ? air : 0.0;
    }
    double sc[2];
    if (!logs[0] && !logs[1]) {
        /* equal scales: the axis the user left free fills its side */
        double sv = fmin(room[0] / (hi[0] - lo[0]), room[1] / (hi[1] - lo[1]));
        for (int a = 0; a < 2; a++)
            if (!fix[a])
                hi[a] = fmax(hi[a], lo[a] + room[a] / sv);
        sc[0] = sc[1] = sv;
    } else {
        sc[0] = room[0] / (hi[0] - lo[0]);
        sc[1] = room[1] / (hi[1] - lo[1]);
    }
    if (!isfinite(sc[0]) || !isfinite(sc[1]) || !(sc[0] > 0.0) || !(sc[1] > 0.0))
        return -1;
    double mt = fmin(min_tick_pt, 0.5 * fmin(avail_w, avail_h));
    double slin = logs[0] ? sc[1] : sc[0];
    fr->step = step_at_least(mt / slin, step125, 3);
    fr->xlo = lo[0], fr->xhi = hi[0], fr->ylo = lo[1], fr->yhi = hi[1];
    fr->sx = sc[0], fr->sy = sc[1];
    fr->w = fmin(avail_w, (hi[0] - lo[0]) * sc[0]);
    fr->h = fmin(avail_h, (hi[1] - lo[1]) * sc[1]);
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Decade markers                                                            */
/* ------------------------------------------------------------------------- */

static int sample_ok(const double *f, const double *z, int64_t i)
{
    return isfinite(f[i]) && f[i] > 0.0 && isfinite(z[2 * i]) && isfinite(z[2 * i + 1]);
}

static int decade_seen(const zp_decade *out, int c, int k)
{
    for (int j = 0; j < c; j++)
        if (out[j].k == k)
            return 1;
    return 0;
}

int zp_decade_markers(int64_t n, const double *f, const double *z, zp_decade *out, int max)
{
    int c = 0;
    if (f == NULL || z == NULL || out == NULL || n <= 0 || max <= 0)
        return 0;
    if (n == 1) {
        if (!sample_ok(f, z, 0))
            return 0;
        double a = log10(f[0]), k = nearbyint(a);
        if (fabs(a - k) <= 1e-9 && fabs(k) <= 30) {
            out[0] = (zp_decade){(int)k, z[0], z[1], 0};
            c = 1;
        }
        return c;
    }
    for (int64_t i = 0; i + 1 < n && c < max; i++) {
        if (!sample_ok(f, z, i) || !sample_ok(f, z, i + 1))
            continue;
        double a = log10(f[i]), b = log10(f[i + 1]);
        double k0 = ceil(fmin(a, b) - 1e-9), k1 = floor(fmax(a, b) + 1e-9);
        k0 = fmax(k0, -30.0);
        k1 = fmin(k1, 30.0);
        for (double k = k0; k <= k1 && c < max; k += 1.0) {
            if (decade_seen(out, c, (int)k))
                continue;
            double t = a == b ? 0.0 : (k - a) / (b - a);
            t = fmin(1.0, fmax(0.0, t));
            const double *p = z + 2 * i;
            out[c++] = (zp_decade){(int)k, p[0] + t * (p[2] - p[0]), p[1] + t * (p[3] - p[1]), i};
        }
    }
    return c;
}

/* ------------------------------------------------------------------------- */
/* Figure state, panels and data access                                      */
/* ------------------------------------------------------------------------- */

typedef struct rect {
    double x, y, w, h;
} rect;

/* P_DRT, P_RES and P_POLES read a series as (x = f, y = z[2i]): τ and γ of
 * a DRT, f and one residual part of a fit, or τ_k and R_k of the exact
 * relaxation times (scaled by the area) (see zp_plot_drt, zp_plot_fit,
 * zp_plot_poles). */
typedef enum ptype { P_NYQ, P_MAG, P_PHASE, P_DRT, P_RES, P_POLES } ptype;

/* An axis: linear (ticks at multiples of step, labels value/factor) or
 * logarithmic (lo, hi in log10 units, ticks at integers, labels 10^k). */
typedef struct axis {
    int log;
    double lo, hi;
    double step;
    double factor;
    int decimals;
    int stride; /* label every stride-th tick */
} axis;

typedef struct panel {
    ptype type;
    rect box;
    axis xa, ya;
} panel;

typedef struct fig {
    cairo_t *cr;
    double fs; /* base font size, pt */
    const zp_series *s;
    int ns;
    double area; /* multiplier of Z: 1, or the area in cm² */
    int area_specific;
    double zmax; /* Nyquist zoom: Z' up to this (plotted units), or 0 */
    double xlim[2], ylim[2]; /* Nyquist ranges (plotted units); lo == hi: auto */
    int logx, logy;          /* Nyquist axes logarithmic */
    zp_geometry *geo;        /* filled while drawing, or NULL */
    int fit_style;           /* series 0 = data (markers only), 1 = model (line only) */
    const struct job *jb;    /* what is drawn (peaks of a DRT figure) */
    int no_legend;           /* a panel that shares another panel's legend */
    int has_xfix;            /* log-x panels: this x range (log10), not the data's */
    double xfix[2];
} fig;

/* What one figure draws: spectra, or a DRT (series f = τ, z = (γ, 0)) with
 * its peaks, or a fit (data, model) with its residuals (f, (r, 0)). */
typedef struct job {
    const zp_series *s;
    int ns;
    const zp_series *res; /* fit: residual series (real, imaginary) */
    int nres;
    const zp_drt_series *drt; /* DRT: the caller's series (for the peaks) */
    const zp_series *poles;   /* relaxation times: (f = τ_k, z = (R_k, 0)), ns of them */
} job;

static int has_lim(const double l[2]) { return l[0] != l[1]; }

static int val_ok(double v) { return isfinite(v) && fabs(v) <= VMAX; }

/* Z', −Z'' (plotted units) in Nyquist data coordinates: log10 on a log axis,
 * where values ≤ 0 are not plottable. */
static int nyq_xy(const fig *g, double a, double b, double *x, double *y)
{
    if (!val_ok(a) || !val_ok(b))
        return 0;
    if ((g->logx && !(a > 0.0)) || (g->logy && !(b > 0.0)))
        return 0;
    *x = g->logx ? log10(a) : a;
    *y = g->logy ? log10(b) : b;
    return 1;
}

/* Sample i of series sr in the data coordinates of a panel type. */
static int data_xy(const fig *g, ptype t, const zp_series *sr, int64_t i, double *x, double *y)
{
    double zr = sr->z[2 * i], zi = sr->z[2 * i + 1];
    if (!val_ok(zr) || !val_ok(zi))
        return 0;
    if (t == P_NYQ)
        return nyq_xy(g, zr * g->area, -zi * g->area, x, y);
    double f = sr->f[i];
    if (!(isfinite(f) && f > 0.0 && f <= VMAX))
        return 0;
    *x = log10(f);
    if (t == P_DRT || t == P_RES) {
        *y = zr;
        return 1;
    }
    if (t == P_POLES) {
        *y = zr * g->area;
        return val_ok(*y);
    }
    if (t == P_MAG) {
        double m = hypot(zr, zi) * g->area;
        if (!(m > 0.0) || !val_ok(m))
            return 0;
        *y = log10(m);
    } else {
        if (zr == 0.0 && zi == 0.0)
            return 0;
        *y = -atan2(zi, zr) * (180.0 / M_PI);
    }
    return 1;
}

/* Inside the user's Nyquist ranges (data coordinates)? */
static int in_limits(const fig *g, double x, double y)
{
    double xl = g->logx ? log10(g->xlim[0]) : g->xlim[0];
    double xh = g->logx ? log10(g->xlim[1]) : g->xlim[1];
    double yl = g->logy ? log10(g->ylim[0]) : g->ylim[0];
    double yh = g->logy ? log10(g->ylim[1]) : g->ylim[1];
    if (has_lim(g->xlim) && (x < xl || x > xh))
        return 0;
    if (has_lim(g->ylim) && (y < yl || y > yh))
        return 0;
    return 1;
}

/* Extent of all plottable points of a panel type; 0 when there are none. */
static int data_extent(const fig *g, ptype t, double *xmin, double *xmax, double *ymin,
                       double *ymax)
{
    int any = 0;
    *xmin = *ymin = INFINITY;
    *xmax = *ymax = -INFINITY;
    for (int j = 0; j < g->ns; j++)
        for (int64_t i = 0; i < g->s[j].n; i++) {
            double x, y;
            if (!data_xy(g, t, &g->s[j], i, &x, &y))
                continue;
            if (t == P_NYQ && g->zmax > 0.0 && (x > g->zmax || y > g->zmax))
                continue; /* zoomed out of view */
            if (t == P_NYQ && !in_limits(g, x, y))
                continue; /* outside the range the user set on the other axis */
            any = 1;
            *xmin = fmin(*xmin, x);
            *xmax = fmax(*xmax, x);
            *ymin = fmin(*ymin, y);
            *ymax = fmax(*ymax, y);
        }
    return any;
}

static double map_x(const panel *p, double v)
{
    return p->box.x + (v - p->xa.lo) / (p->xa.hi - p->xa.lo) * p->box.w;
}

static double map_y(const panel *p, double v)
{
    return p->box.y + p->box.h - (v - p->ya.lo) / (p->ya.hi - p->ya.lo) * p->box.h;
}

static int panel_pt(const fig *g, const panel *p, const zp_series *sr, int64_t i, double *X,
                    double *Y)
{
    double x, y;
    if (!data_xy(g, p->type, sr, i, &x, &y))
        return 0;
    *X = map_x(p, x);
    *Y = map_y(p, y);
    return 1;
}

/* ------------------------------------------------------------------------- */
/* Text                                                                      */
/* ------------------------------------------------------------------------- */

/* Strings of this file may carry markup: '$' toggles italic (quantity
 * symbols), "^{...}" is a superscript.  User strings (labels, title) are
 * drawn verbatim after clean_text(). */
enum { T_MEASURE, T_SHOW, T_PATH };
enum { TX_MARKUP = 1, TX_BOLD = 2, TX_HALO = 4 };

static double text_run(cairo_t *cr, const char *run, double size, int italic, int bold, int sup,
                       int mode)
{
    cairo_select_font_face(cr, "DejaVu Sans",
                           italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, sup ? 0.7 * size : size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, run, &e);
    if (mode != T_MEASURE) {
        if (sup)
            cairo_rel_move_to(cr, 0.0, -0.42 * size);
        if (mode == T_SHOW)
            cairo_show_text(cr, run);
        else
            cairo_text_path(cr, run);
        if (sup)
            cairo_rel_move_to(cr, 0.0, 0.42 * size);
    }
    return e.x_advance;
}

/* Measure (and draw or append as path at the current point) a string. */
static double text_do(cairo_t *cr, const char *s, double size, int flags, int mode)
{
    char run[256];
    size_t len = 0;
    int italic = 0, sup = 0, markup = (flags & TX_MARKUP) != 0, bold = (flags & TX_BOLD) != 0;
    double w = 0.0;
    for (const char *p = s;; p++) {
        char c = *p;
        int mark = markup && (c == '$' || (c == '^' && p[1] == '{') || (sup && c == '}'));
        int full = len >= sizeof run - 8 && ((unsigned char)c & 0xC0) != 0x80;
        if ((c == '\0' || mark || full) && len > 0) {
            run[len] = '\0';
            w += text_run(cr, run, size, italic, bold, sup, mode);
            len = 0;
        }
        if (c == '\0')
            break;
        if (mark) {
            if (c == '$')
                italic = !italic;
            else if (c == '^')
                sup = 1, p++;
            else
                sup = 0;
            continue;
        }
        run[len++] = c;
    }
    return w;
}

static double text_width(const fig *g, const char *s, double size, int flags)
{
    return text_do(g->cr, s, size, flags, T_MEASURE);
}

/* Draw s with its box anchored at (x, y): ax 0/0.5/1 = left/centre/right,
 * ay 0/0.5/1 = top of capitals/middle/baseline. */
static void text_at(const fig *g, const char *s, double size, double x, double y, double ax,
                    double ay, int flags)
{
    cairo_t *cr = g->cr;
    double w = text_width(g, s, size, flags);
    cairo_move_to(cr, x - ax * w, y + (1.0 - ay) * CAP * size);
    if (flags & TX_HALO) {
        cairo_save(cr);
        cairo_new_path(cr);
        cairo_move_to(cr, x - ax * w, y + (1.0 - ay) * CAP * size);
        text_do(cr, s, size, flags, T_PATH);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 0.28 * size);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke_preserve(cr);
        cairo_restore(cr);
        cairo_fill(cr);
        return;
    }
    text_do(cr, s, size, flags, T_SHOW);
    cairo_new_path(cr);
}

/* Text rotated by −90° (reading upwards), centred at (x, y). */
static void text_up(const fig *g, const char *s, double size, double x, double y, int flags)
{
    cairo_save(g->cr);
    cairo_translate(g->cr, x, y);
    cairo_rotate(g->cr, -M_PI / 2);
    text_at(g, s, size, 0.0, 0.0, 0.5, 0.5, flags);
    cairo_restore(g->cr);
}

/* Copy a user string as valid UTF-8 with no control characters (cairo puts
 * the context in an error state on invalid UTF-8), at most maxchars code
 * points ("…" marks a cut).  Invalid bytes become '?'.  size ≥ 16. */
static void clean_text(const char *in, char *out, size_t size, int maxchars)
{
    static const char ellipsis[] = "\xE2\x80\xA6";
    static const unsigned long minimum[5] = {0, 0, 0x80, 0x800, 0x10000};
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0;
    for (int chars = 0; *p != 0; chars++) {
        if (chars == maxchars || o + 4 + sizeof ellipsis > size) {
            memcpy(out + o, ellipsis, sizeof ellipsis - 1);
            o += sizeof ellipsis - 1;
            break;
        }
        unsigned char c = *p;
        int len = c < 0x80             ? 1
                  : (c & 0xE0) == 0xC0 ? 2
                  : (c & 0xF0) == 0xE0 ? 3
                  : (c & 0xF8) == 0xF0 ? 4
                                       : 0;
        unsigned long u = len == 1   ? c
                          : len == 2 ? (c & 0x1Fu)
                          : len == 3 ? (c & 0x0Fu)
                                     : (c & 0x07u);
        for (int k = 1; k < len; k++) {
            if ((p[k] & 0xC0) != 0x80) { /* also stops at the terminating NUL */
                len = 0;
                break;
            }
            u = (u << 6) | (p[k] & 0x3Fu);
        }
        /* cairo's rules: shortest form, no surrogates, no non-characters */
        if (len == 0 || u < minimum[len] || u >= 0x110000 || (u & 0xFFFFF800u) == 0xD800 ||
            (u >= 0xFDD0 && u <= 0xFDEF) || (u & 0xFFFE) == 0xFFFE) {
            out[o++] = '?';
            p++;
        } else if (u < 0x20 || u == 0x7F) {
            out[o++] = ' ';
            p++;
        } else {
            memcpy(out + o, p, (size_t)len);
            o += (size_t)len;
            p += len;
        }
    }
    out[o] = '\0';
}

/* ------------------------------------------------------------------------- */
/* Numbers and labels                                                        */
/* ------------------------------------------------------------------------- */

static const char minus[] = "\xE2\x88\x92"; /* U+2212 */

/* Replace a leading '-' of a C-locale number by a typographic minus. */
static void put_number(char *buf, size_t size, const char *num)
{
    if (num[0] == '-')
        snprintf(buf, size, "%s%s", minus, num + 1);
    else
        snprintf(buf, size, "%s", num);
}

static void tick_label(const axis *a, double v, char *buf, size_t size)
{
    char num[40];
    if (a->log) {
        snprintf(num, sizeof num, "%d", (int)nearbyint(v));
        char e[48];
        put_number(e, sizeof e, num);
        snprintf(buf, size, "10^{%s}", e);
        return;
    }
    double x = v / a->factor;
    if (fabs(x) < 0.5 * pow(10.0, -a->decimals))
        x = 0.0;
    snprintf(num, sizeof num, "%.*f", a->decimals, x);
    put_number(buf, size, num);
}

/* Linear axis labels: SI prefix chosen by the largest magnitude, digits by
 * the step. */
static const char *si_prefix(double maxabs, double *factor)
{
    static const char *names[] = {"p", "n", "\xC2\xB5", "m", "", "k", "M", "G", "T"};
    int e3 = 0;
    if (maxabs > 0.0 && isfinite(maxabs))
        e3 = (int)floor(log10(maxabs) / 3.0 + 1e-9);
    e3 = e3 < -4 ? -4 : e3 > 4 ? 4 : e3;
    *factor = pow(10.0, 3 * e3);
    return names[e3 + 4];
}

static int decimals_for(double step_shown)
{
    int d = (int)ceil(-log10(step_shown) - 1e-9);
    return d < 0 ? 0 : d > 12 ? 12 : d;
}

static void freq_label(int k, char *buf, size_t size)
{
    static const char *names[] = {"p", "n", "\xC2\xB5", "m", "", "k", "M", "G", "T"};
    int e3 = (int)floor(k / 3.0) * 3;
    if (e3 < -12 || e3 > 12) {
        char num[24], e[32];
        snprintf(num, sizeof num, "%d", k);
        put_number(e, sizeof e, num);
        snprintf(buf, size, "10^{%s} Hz", e);
        return;
    }
    static const char *mant[] = {"1", "10", "100"};
    snprintf(buf, size, "%s %sHz", mant[k - e3], names[e3 / 3 + 4]);
}

/* Ticks of an axis as values (linear) or exponents (log); returns count. */
static int axis_ticks(const axis *a, double *t, int max)
{
    int c = 0;
    if (a->log) {
        for (double k = ceil(a->lo - 1e-9); k <= a->hi + 1e-9 && c < max; k += 1.0)
            t[c++] = k;
        return c;
    }
    double k0 = ceil(a->lo / a->step - 1e-9), k1 = floor(a->hi / a->step + 1e-9);
    for (double k = k0; k <= k1 && c < max; k += 1.0)
        t[c++] = fabs(k) < 0.5 ? 0.0 : k * a->step;
    return c;
}

static int labelled(const axis *a, double v)
{
    long k = (long)nearbyint(a->log ? v : v / a->step);
    return a->stride <= 1 || k % a->stride == 0;
}

static double widest_label(const fig *g, const axis *a, double size)
{
    double t[MAX_TICKS], w = 0.0;
    int n = axis_ticks(a, t, MAX_TICKS);
    for (int i = 0; i < n; i++) {
        char buf[96];
        tick_label(a, t[i], buf, sizeof buf);
        w = fmax(w, text_width(g, buf, size, TX_MARKUP));
    }
    return w;
}

/* Height above the baseline of x tick labels: that of "10^{k}" for every
 * axis, so that side-by-side panels share baselines. */
static double label_height(double size) { return (0.42 + 0.7 * CAP) * size; }

/* ------------------------------------------------------------------------- */
/* Colours                                                                   */
/* ------------------------------------------------------------------------- */

/* viridis (matplotlib, CC0) at t = 0, 0.1, ..., 1 */
static const unsigned char viridis[11][3] = {
    {68, 1, 84},    {72, 36, 117},  {65, 68, 135},  {53, 95, 141},  {42, 120, 142}, {33, 145, 140},
    {34, 168, 132}, {68, 191, 112}, {122, 209, 81}, {189, 223, 38}, {253, 231, 37}};

/* Series j of n: one series dark blue; several sampled along viridis, the
 * pale yellow end left out (it vanishes on white). */
static void series_rgb(int j, int n, double rgb[3])
{
    if (n <= 1) {
        rgb[0] = 0.05, rgb[1] = 0.22, rgb[2] = 0.55;
        return;
    }
    double t = 0.82 * j / (n - 1) * 10.0;
    int i = (int)floor(t);
    if (i > 9)
        i = 9;
    double u = t - i;
    for (int c = 0; c < 3; c++)
        rgb[c] = ((1.0 - u) * viridis[i][c] + u * viridis[i + 1][c]) / 255.0;
}

static void set_series_colour(const fig *g, int j)
{
    double rgb[3];
    series_rgb(j, g->ns, rgb);
    cairo_set_source_rgb(g->cr, rgb[0], rgb[1], rgb[2]);
}

/* ------------------------------------------------------------------------- */
/* Axes, frame and curves                                                    */
/* ------------------------------------------------------------------------- */

enum { AX_XLABELS = 1, AX_YLABELS = 2 };

/* Grid at major ticks, frame, inward ticks on all four sides (minor ticks at
 * 2…9 on log axes when there is room), tick labels left and below. */
static void draw_axes(const fig *g, const panel *p, int flags)
{
    cairo_t *cr = g->cr;
    const rect b = p->box;
    double fs = g->fs, tsz = 0.9 * fs, major = 0.45 * fs, minor = 0.25 * fs;
    double tx[MAX_TICKS], ty[MAX_TICKS];
    int nx = axis_ticks(&p->xa, tx, MAX_TICKS), ny = axis_ticks(&p->ya, ty, MAX_TICKS);
    if (g->geo != NULL && g->geo->npanels < ZP_MAX_PANELS) {
        zp_geometry *G = g->geo;
        int k = G->npanels++;
        G->box[k][0] = b.x, G->box[k][1] = b.y, G->box[k][2] = b.w, G->box[k][3] = b.h;
        G->range[k][0] = p->xa.lo, G->range[k][1] = p->xa.hi;
        G->range[k][2] = p->ya.lo, G->range[k][3] = p->ya.hi;
        G->log[k][0] = p->xa.log, G->log[k][1] = p->ya.log;
    }

    cairo_save(cr);
    cairo_set_line_width(cr, 0.5);
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    for (int i = 0; i < nx; i++) {
        double X = map_x(p, tx[i]);
        if (X > b.x + 0.5 && X < b.x + b.w - 0.5) {
            cairo_move_to(cr, X, b.y);
            cairo_line_to(cr, X, b.y + b.h);
        }
    }
    for (int i = 0; i < ny; i++) {
        double Y = map_y(p, ty[i]);
        if (Y > b.y + 0.5 && Y < b.y + b.h - 0.5) {
            cairo_move_to(cr, b.x, Y);
            cairo_line_to(cr, b.x + b.w, Y);
        }
    }
    cairo_stroke(cr);

    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.6);
    for (int i = 0; i < nx; i++) {
        double X = map_x(p, tx[i]);
        cairo_move_to(cr, X, b.y + b.h);
        cairo_rel_line_to(cr, 0, -major);
        cairo_move_to(cr, X, b.y);
        cairo_rel_line_to(cr, 0, major);
    }
    for (int i = 0; i < ny; i++) {
        double Y = map_y(p, ty[i]);
        cairo_move_to(cr, b.x, Y);
        cairo_rel_line_to(cr, major, 0);
        cairo_move_to(cr, b.x + b.w, Y);
        cairo_rel_line_to(cr, -major, 0);
    }
    for (int ax = 0; ax < 2; ax++) {
        const axis *a = ax == 0 ? &p->xa : &p->ya;
        double len = ax == 0 ? b.w : b.h;
        if (!a->log || len / (a->hi - a->lo) < 2.0 * fs)
            continue;
        for (double k = floor(a->lo); k < a->hi; k += 1.0)
            for (int m = 2; m <= 9; m++) {
                double v = k + log10((double)m);
                if (v <= a->lo || v >= a->hi)
                    continue;
                if (ax == 0) {
                    double X = map_x(p, v);
                    cairo_move_to(cr, X, b.y + b.h);
                    cairo_rel_line_to(cr, 0, -minor);
                    cairo_move_to(cr, X, b.y);
                    cairo_rel_line_to(cr, 0, minor);
                } else {
                    double Y = map_y(p, v);
                    cairo_move_to(cr, b.x, Y);
                    cairo_rel_line_to(cr, minor, 0);
                    cairo_move_to(cr, b.x + b.w, Y);
                    cairo_rel_line_to(cr, -minor, 0);
                }
            }
    }
    cairo_stroke(cr);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, b.x, b.y, b.w, b.h);
    cairo_stroke(cr);

    char buf[96];
    if (flags & AX_XLABELS)
        for (int i = 0; i < nx; i++) {
            if (!labelled(&p->xa, tx[i]))
                continue;
            tick_label(&p->xa, tx[i], buf, sizeof buf);
            double top = b.y + b.h + 0.45 * fs + label_height(tsz);
            text_at(g, buf, tsz, map_x(p, tx[i]), top, 0.5, 1.0, TX_MARKUP);
        }
    if (flags & AX_YLABELS)
        for (int i = 0; i < ny; i++) {
            if (!labelled(&p->ya, ty[i]))
                continue;
            tick_label(&p->ya, ty[i], buf, sizeof buf);
            text_at(g, buf, tsz, b.x - 0.4 * fs, map_y(p, ty[i]), 1.0, 0.5, TX_MARKUP);
        }
    cairo_restore(cr);
}

/* Lines with breaks at rejected points, then small point markers. */
static void draw_curves(const fig *g, const panel *p)
{
    cairo_t *cr = g->cr;
    double lw = 0.11 * g->fs, r = 0.12 * g->fs;
    cairo_save(cr);
    cairo_rectangle(cr, p->box.x, p->box.y, p->box.w, p->box.h);
    cairo_clip(cr);
    cairo_set_line_width(cr, lw);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    /* the first series last, on top: it carries the frequency labels */
    for (int j = g->ns - 1; j >= 0; j--) {
        const zp_series *sr = &g->s[j];
        set_series_colour(g, j);
        int pen = 0;
        /* a fit: the data as open circles, the model as a line over them */
        int line = !(g->fit_style && j == 0), dots = !(g->fit_style && j == 1);
        for (int64_t i = 0; line && i < sr->n; i++) {
            double X, Y;
            if (!panel_pt(g, p, sr, i, &X, &Y)) {
                pen = 0;
                continue;
            }
            if (pen)
                cairo_line_to(cr, X, Y);
            else
                cairo_move_to(cr, X, Y);
            pen = 1;
        }
        cairo_stroke(cr);
        if (sr->n > MARKER_LIMIT || !dots)
            continue;
        double rr = line ? r : 2.2 * r;
        for (int64_t i = 0; i < sr->n; i++) {
            double X, Y;
            if (panel_pt(g, p, sr, i, &X, &Y)) {
                cairo_new_sub_path(cr);
                cairo_arc(cr, X, Y, rr, 0, 2 * M_PI);
            }
        }
        if (line) {
            cairo_fill(cr);
        } else {
            cairo_save(cr);
            cairo_set_line_width(cr, 0.7 * lw);
            cairo_stroke(cr);
            cairo_restore(cr);
        }
    }
    cairo_restore(cr);
}

/* ------------------------------------------------------------------------- */
/* Collision tests (legend and frequency labels)                             */
/* ------------------------------------------------------------------------- */

static int rect_inside(rect a, rect b)
{
    return a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
}

static int rect_overlap(rect a, rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Distance from a point to a rectangle (0 inside). */
static double rect_dist(rect a, double x, double y)
{
    double dx = fmax(fmax(a.x - x, 0.0), x - (a.x + a.w));
    double dy = fmax(fmax(a.y - y, 0.0), y - (a.y + a.h));
    return hypot(dx, dy);
}

/* Liang–Barsky: does the segment meet the rectangle? */
static int seg_hits(double x0, double y0, double x1, double y1, rect r)
{
    double t0 = 0.0, t1 = 1.0, dx = x1 - x0, dy = y1 - y0;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {x0 - r.x, r.x + r.w - x0, y0 - r.y, r.y + r.h - y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0.0) {
            if (q[i] < 0.0)
                return 0;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0.0) {
            if (t > t1)
                return 0;
            t0 = fmax(t0, t);
        } else {
            if (t < t0)
                return 0;
            t1 = fmin(t1, t);
        }
    }
    return 1;
}

/* Number of curve segments (and lone points) of all series inside r. */
static int curve_hits(const fig *g, const panel *p, rect r)
{
    int hits = 0;
    for (int j = 0; j < g->ns; j++) {
        const zp_series *sr = &g->s[j];
        double px = 0, py = 0;
        int have = 0;
        for (int64_t i = 0; i < sr->n; i++) {
            double X, Y;
            if (!panel_pt(g, p, sr, i, &X, &Y)) {
                have = 0;
                continue;
            }
            if (have ? seg_hits(px, py, X, Y, r) : seg_hits(X, Y, X, Y, r))
                hits++;
            px = X, py = Y, have = 1;
        }
    }
    return hits;
}

/* ------------------------------------------------------------------------- */
/* Legend                                                                    */
/* ------------------------------------------------------------------------- */

#define LEGEND_LABEL 400
#define LEGEND_ROWS 12 /* beyond a dozen entries the colours say it */
#define LEGEND_LINES 4 /* lines one entry may wrap into */

typedef struct legend {
    rect r;
    int rows;        /* entries shown */
    int cut;         /* entries = first (rows-2) series, "⋮", last series */
    double lsz, row; /* font size, line height */
    int lines[LEGEND_ROWS];                     /* lines of each entry */
    char text[LEGEND_ROWS][LEGEND_LINES][LEGEND_LABEL];
} legend;

static void series_label(const fig *g, int j, char *buf, size_t size)
{
    const char *l = g->s[j].label;
    if (l == NULL || l[0] == '\0')
        snprintf(buf, size, "series %d", j + 1);
    else
        clean_text(l, buf, size, 300);
}

/* Did series_label shorten label j (an ellipsis the user did not write)? */
static int label_cut(const fig *g, int j, const char *shown)
{
    static const char ell[] = "\xE2\x80\xA6";
    const char *l = g->s[j].label;
    size_t n = strlen(shown), k = sizeof ell - 1;
    if (l == NULL || n < k || strcmp(shown + n - k, ell) != 0)
        return 0;
    size_t m = strlen(l);
    return m < k || strcmp(l + m - k, ell) != 0;
}

/* Series shown in legend row `row` (-1: the "⋮" row). */
static int legend_series(const fig *g, const legend *L, int row)
{
    if (L->cut && row == L->rows - 2)
        return -1;
    if (L->cut && row == L->rows - 1)
        return g->ns - 1;
    return row;
}

/* Cut text to fit width w at font size sz, ending in "…"; returns 1 if cut. */
static int fit_text(const fig *g, char *t, double sz, double w)
{
    if (text_width(g, t, sz, 0) <= w)
        return 0;
    size_t n = strlen(t);
    while (n > 0) {
        do
            n--;
        while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80);
        memcpy(t + n, "\xE2\x80\xA6", 4);
        if (text_width(g, t, sz, 0) <= w)
            break;
    }
    return 1;
}

/* Wrap label into lines of width ≤ w, breaking after ", " (the separator of
 * --set items); a piece wider than w is cut with "…".  Returns the lines. */
static int wrap_label(const fig *g, const char *label, double sz, double w,
                      char out[LEGEND_LINES][LEGEND_LABEL], int *cut)
{
    int nl = 0;
    const char *p = label;
    while (*p != '\0' && nl < LEGEND_LINES) {
        /* the longest prefix of whole items that fits */
        size_t best = 0;
        for (const char *q = p;;) {
            const char *c = strstr(q, ", ");
            size_t len = c != NULL ? (size_t)(c - p) + 1 : strlen(p);
            char t[LEGEND_LABEL];
            snprintf(t, sizeof t, "%.*s", (int)len, p);
            if (best > 0 && text_width(g, t, sz, 0) > w)
                break;
            best = len;
            if (c == NULL)
                break;
            q = c + 2;
        }
        snprintf(out[nl], LEGEND_LABEL, "%.*s", (int)best, p);
        p += best;
        while (*p == ' ')
            p++;
        if (nl == LEGEND_LINES - 1 && *p != '\0') { /* no more lines: the rest is cut */
            size_t u = strlen(out[nl]);
            snprintf(out[nl] + u, LEGEND_LABEL - u, " %s", p);
            p += strlen(p);
        }
        *cut |= fit_text(g, out[nl], sz, w);
        nl++;
    }
    return nl > 0 ? nl : 1;
}

/* Lay out the legend at font size lsz with at most max_rows entries: rows,
 * wrapping, size; *cut is set when some text had to be cut. */
static void legend_layout(const fig *g, const panel *p, double lsz, int max_rows, legend *L,
                          int *cut)
{
    double fs = g->fs, pad = 0.45 * fs, in = 0.5 * fs;
    L->lsz = lsz;
    L->row = 1.35 * lsz;
    double sw = 2.2 * lsz + 0.5 * lsz;            /* swatch and gap */
    double tw = p->box.w - 2 * in - 2 * pad - sw; /* room for the text */
    int fit = max_rows;
    L->rows = g->ns <= fit ? g->ns : fit;
    L->cut = g->ns > fit;
    double w = 0.0;
    int lines = 0;
    *cut = 0;
    for (int row = 0; row < L->rows; row++) {
        int j = legend_series(g, L, row);
        if (j < 0) {
            L->lines[row] = 1;
            snprintf(L->text[row][0], LEGEND_LABEL, "\xE2\x8B\xAE");
        } else {
            char buf[LEGEND_LABEL];
            series_label(g, j, buf, sizeof buf);
            L->lines[row] = wrap_label(g, buf, lsz, fmax(tw, 1.0), L->text[row], cut);
            *cut |= label_cut(g, j, buf);
        }
        for (int k = 0; k < L->lines[row]; k++)
            w = fmax(w, text_width(g, L->text[row][k], lsz, 0));
        lines += L->lines[row];
    }
    L->r.w = 2 * pad + sw + w;
    L->r.h = 2 * pad + lines * L->row - (L->row - lsz) * 0.5;
}

static int legend_place(const fig *g, const panel *p, legend *L)
{
    memset(L, 0, sizeof *L);
    if (g->ns < 2 && (g->ns == 0 || g->s[0].label == NULL || g->s[0].label[0] == '\0'))
        return 0; /* one unnamed series: nothing to explain */
    double fs = g->fs, in = 0.5 * fs;
    /* The legend must fit inside the box: wrap long labels at ", ", shrink
     * the font (down to 0.6 of the base) while that helps, then show fewer
     * entries ("⋮"); text that still does not fit is cut with "…", never
     * clipped.  It should take at most 70 % of the height, must take less
     * than all of it. */
    int cut = 0;
    double lsz = 0.85 * fs;
    for (;;) {
        legend_layout(g, p, lsz, LEGEND_ROWS, L, &cut);
        if ((L->r.h <= 0.7 * p->box.h && !cut) || lsz <= 0.6 * fs * 1.0001)
            break;
        lsz = fmax(0.6 * fs, lsz * 0.9);
    }
    for (int rows = LEGEND_ROWS; rows > 3 && L->r.h > 0.7 * p->box.h; rows--)
        legend_layout(g, p, lsz, rows - 1, L, &cut);
    for (double k = 0.95; L->r.h > p->box.h - 2 * in && k > 0.3; k -= 0.05)
        legend_layout(g, p, lsz * k, 3, L, &cut); /* a tiny panel: smaller still */
    /* the corner whose area the curves cross least, in order of habit */
    const rect b = p->box;
    double cx[4] = {b.x + in, b.x + b.w - in - L->r.w, b.x + b.w - in - L->r.w, b.x + in};
    double cy[4] = {b.y + in, b.y + in, b.y + b.h - in - L->r.h, b.y + b.h - in - L->r.h};
    int best = 0, best_hits = -1;
    for (int c = 0; c < 4; c++) {
        rect r = {cx[c], cy[c], L->r.w, L->r.h};
        int h = curve_hits(g, p, r);
        if (best_hits < 0 || h < best_hits)
            best = c, best_hits = h;
    }
    L->r.x = cx[best];
    L->r.y = cy[best];
    if (g->geo != NULL && g->geo->nlegends < 2) {
        zp_geometry *G = g->geo;
        int k = G->nlegends++;
        G->legend[k][0] = L->r.x, G->legend[k][1] = L->r.y;
        G->legend[k][2] = L->r.w, G->legend[k][3] = L->r.h;
        G->panel[k][0] = b.x, G->panel[k][1] = b.y, G->panel[k][2] = b.w, G->panel[k][3] = b.h;
        G->truncated |= cut;
    }
    return 1;
}

static void legend_draw(const fig *g, const legend *L)
{
    cairo_t *cr = g->cr;
    double pad = 0.45 * g->fs, sw = 2.2 * L->lsz;
    cairo_save(cr);
    cairo_rectangle(cr, L->r.x, L->r.y, L->r.w, L->r.h);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
    double y = L->r.y + pad + 0.5 * L->lsz, x = L->r.x + pad;
    for (int row = 0; row < L->rows; row++) {
        int j = legend_series(g, L, row);
        if (j < 0) {
            cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
            text_at(g, L->text[row][0], L->lsz, x + 0.5 * sw, y, 0.5, 0.5, 0);
            y += L->row;
            continue;
        }
        set_series_colour(g, j);
        cairo_set_line_width(cr, 0.11 * g->fs);
        if (!(g->fit_style && j == 0)) {
            cairo_move_to(cr, x, y);
            cairo_line_to(cr, x + sw, y);
            cairo_stroke(cr);
        }
        if (!(g->fit_style && j == 1)) {
            cairo_arc(cr, x + 0.5 * sw, y, (g->fit_style ? 0.26 : 0.22) * g->fs, 0, 2 * M_PI);
            if (g->fit_style) {
                cairo_set_line_width(cr, 0.08 * g->fs);
                cairo_stroke(cr);
            } else {
                cairo_fill(cr);
            }
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        for (int k = 0; k < L->lines[row]; k++) {
            double tx = x + sw + 0.5 * L->lsz;
            text_at(g, L->text[row][k], L->lsz, tx, y, 0.0, 0.5, 0);
            if (g->geo != NULL) { /* the right end of every line drawn */
                double end = tx + text_width(g, L->text[row][k], L->lsz, 0);
                g->geo->text_right = fmax(g->geo->text_right, end - (L->r.x + L->r.w));
            }
            y += L->row;
        }
    }
    cairo_restore(cr);
}

/* ------------------------------------------------------------------------- */
/* Nyquist panel                                                             */
/* ------------------------------------------------------------------------- */

static const char *unit_text(const fig *g)
{
    return g->area_specific ? "\xCE\xA9\xC2\xB7"
                              "cm\xC2\xB2"
                            : "\xCE\xA9";
}

/* The series whose decades get labels: the first, unless it is tiny on
 * paper next to another one (then the largest). */
static int label_series(const fig *g, const panel *p)
{
    int best = 0;
    double best_d = -1.0, first_d = 0.0;
    for (int j = 0; j < g->ns; j++) {
        double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
        for (int64_t i = 0; i < g->s[j].n; i++) {
            double X, Y;
            if (!panel_pt(g, p, &g->s[j], i, &X, &Y))
                continue;
            X = fmin(fmax(X, p->box.x), p->box.x + p->box.w); /* what is in view */
            Y = fmin(fmax(Y, p->box.y), p->box.y + p->box.h);
            x0 = fmin(x0, X), x1 = fmax(x1, X), y0 = fmin(y0, Y), y1 = fmax(y1, Y);
        }
        double d = x1 >= x0 ? hypot(x1 - x0, y1 - y0) : 0.0;
        if (j == 0)
            first_d = d;
        if (d > best_d)
            best = j, best_d = d;
    }
    return first_d >= 0.25 * best_d ? 0 : best;
}

/* A marker at every decade of every series, labels on one series. */
static void nyquist_decades(const fig *g, const panel *p, const legend *L, int has_legend)
{
    cairo_t *cr = g->cr;
    double r = 0.27 * g->fs, lsz = 0.8 * g->fs, gap = r + 0.35 * g->fs;
    zp_decade d[61];
    if (g->ns == 0)
        return;
    int lj = label_series(g, p);
    /* Markers in view, kept clear of labels.  With many series the markers
     * of the unlabelled ones are small and plain, or they bury the curves. */
    double mcx[512], mcy[512], mr[512];
    int nmarks = 0;
    cairo_save(cr);
    cairo_rectangle(cr, p->box.x, p->box.y, p->box.w, p->box.h);
    cairo_clip(cr);
    for (int jj = g->ns; jj >= 0; jj--) {
        int j = jj == 0 ? lj : jj - 1; /* the labelled series last, on top */
        if (jj > 0 && j == lj)
            continue;
        const zp_series *sr = &g->s[j];
        int nd = zp_decade_markers(sr->n, sr->f, sr->z, d, 61);
        int small = j != lj && g->ns > 8;
        double rr = small ? 0.6 * r : r;
        set_series_colour(g, j);
        for (int m = 0; m < nd; m++) {
            double x, y;
            if (!nyq_xy(g, d[m].zr * g->area, -d[m].zi * g->area, &x, &y))
                continue;
            double X = map_x(p, x), Y = map_y(p, y);
            cairo_new_sub_path(cr);
            cairo_arc(cr, X, Y, rr, 0, 2 * M_PI);
            if (nmarks < 512)
                mcx[nmarks] = X, mcy[nmarks] = Y, mr[nmarks++] = rr;
        }
        if (small) {
            cairo_fill(cr);
            continue;
        }
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 0.06 * g->fs);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
    int j = lj;
    const zp_series *sr = &g->s[j];
    int nd = zp_decade_markers(sr->n, sr->f, sr->z, d, 61);
    rect placed[61];       /* labels so far */
    double lx[61], ly[61]; /* and their markers */
    int np = 0;
    /* Isolated markers are labelled first: where decades crowd (near the
     * origin, typically) a few labels are all that fit, and those are the
     * least informative. */
    double MX[61], MY[61], iso[61];
    int order[61], nm = 0;
    for (int m = 0; m < nd; m++) {
        double x, y;
        if (!nyq_xy(g, d[m].zr * g->area, -d[m].zi * g->area, &x, &y))
            continue;
        double X = map_x(p, x), Y = map_y(p, y);
        if (X < p->box.x || X > p->box.x + p->box.w || Y < p->box.y || Y > p->box.y + p->box.h)
            continue; /* zoomed out of view */
        MX[m] = X, MY[m] = Y, iso[m] = INFINITY;
        for (int q = 0; q < nm; q++) {
            double dd = hypot(X - MX[order[q]], Y - MY[order[q]]);
            iso[m] = fmin(iso[m], dd);
            iso[order[q]] = fmin(iso[order[q]], dd);
        }
        order[nm++] = m;
    }
    for (int a = 1; a < nm; a++) /* stable insertion sort, most isolated first */
        for (int b = a; b > 0 && iso[order[b]] > iso[order[b - 1]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (int o = 0; o < nm; o++) {
        int m = order[o];
        double X = MX[m], Y = MY[m];
        /* decades on one spot (a converged end of a curve): one label */
        int same = 0;
        for (int q = 0; q < np && !same; q++)
            same = hypot(X - lx[q], Y - ly[q]) < r;
        if (same)
            continue;
        /* direction of decreasing frequency along the curve, on paper */
        double tx = 0, ty = 0;
        int64_t i = d[m].seg;
        if (i + 1 < sr->n) {
            double X0, Y0, X1, Y1;
            if (panel_pt(g, p, sr, i, &X0, &Y0) && panel_pt(g, p, sr, i + 1, &X1, &Y1)) {
                double sgn = sr->f[i + 1] < sr->f[i] ? 1.0 : -1.0;
                tx = sgn * (X1 - X0), ty = sgn * (Y1 - Y0);
            }
        }
        double len = hypot(tx, ty);
        double nx = 0.0, ny = -1.0; /* up when the direction is unknown */
        if (len > 1e-9)
            nx = ty / len, ny = -tx / len;

        char buf[64];
        freq_label(d[m].k, buf, sizeof buf);
        double w = text_width(g, buf, lsz, TX_MARKUP), h = CAP * lsz;
        static const double turn[8] = {0, 45, -45, 90, -90, 135, -135, 180};
        int best = -1, best_hits = 0;
        rect best_r = {0, 0, 0, 0};
        for (int c = 0; c < 8; c++) {
            double a = turn[c] * M_PI / 180.0;
            double dx = nx * cos(a) - ny * sin(a), dy = nx * sin(a) + ny * cos(a);
            double gx = fmax(-1.0, fmin(1.0, dx * 1.4142));
            double gy = fmax(-1.0, fmin(1.0, dy * 1.4142));
            double cx = X + dx * gap + gx * 0.5 * w, cy = Y + dy * gap + gy * 0.5 * h;
            rect lr = {cx - 0.5 * w - 1, cy - 0.5 * h - 1.5, w + 2, h + 3};
            if (!rect_inside(lr, p->box) || (has_legend && rect_overlap(lr, L->r)))
                continue;
            int clash = 0;
            for (int q = 0; q < np && !clash; q++)
                clash = rect_overlap(lr, placed[q]);
            if (clash)
                continue;
            /* the marker itself must stay clear */
            rect mk = {X - r, Y - r, 2 * r, 2 * r};
            if (rect_overlap(lr, mk))
                continue;
            /* no other marker nearer to the label than its own: a reader
             * must not attach it to the wrong one */
            double own = rect_dist(lr, X, Y);
            int near = 0;
            for (int q = 0; q < nmarks && !near; q++)
                near = hypot(mcx[q] - X, mcy[q] - Y) > 0.5 && rect_dist(lr, mcx[q], mcy[q]) < own;
            if (near)
                continue;
            int hits = curve_hits(g, p, lr);
            for (int q = 0; q < nmarks; q++)
                hits += 2 * (rect_dist(lr, mcx[q], mcy[q]) < mr[q]);
            if (best < 0 || hits < best_hits)
                best = c, best_hits = hits, best_r = lr;
            if (hits == 0)
                break;
        }
        if (best < 0)
            continue;
        lx[np] = X, ly[np] = Y;
        placed[np++] = best_r;
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        text_at(g, buf, lsz, best_r.x + 0.5 * best_r.w, best_r.y + 0.5 * best_r.h, 0.5, 0.5,
                TX_MARKUP | TX_HALO);
    }
}

static void draw_nyquist(const fig *g, rect room, int with_legend)
{
    double fs = g->fs, tsz = 0.9 * fs;
    double xmin, xmax, ymin, ymax;
    int any = data_extent(g, P_NYQ, &xmin, &xmax, &ymin, &ymax);
    if (!any)
        xmin = 1, xmax = 0, ymin = 1, ymax = 0;
    if (g->zmax > 0.0) {
        /* zoom: Z' up to zmax, −Z'' as far as the points shown need */
        if (!any)
            xmin = ymin = ymax = 0.0;
        xmax = g->zmax;
        xmin = fmin(xmin, xmax);
    }

    /* Margins depend on the tick labels, which depend on the layout: settle
     * in a few rounds (label widths change by a digit at most). */
    panel p;
    memset(&p, 0, sizeof p);
    p.type = P_NYQ;
    double left = 3.0 * tsz, lastw = 1.5 * tsz;
    zp_nyquist_frame fr;
    memset(&fr, 0, sizeof fr);
    const char *pre = "";
    /* user ranges or log axes: zp_nyquist_limits, in data coordinates */
    int custom = has_lim(g->xlim) || has_lim(g->ylim) || g->logx || g->logy;
    int fix[2] = {has_lim(g->xlim), has_lim(g->ylim)}, logs[2] = {g->logx, g->logy};
    double x0 = any ? xmin : 1, x1 = any ? xmax : 0, y0 = any ? ymin : 1, y1 = any ? ymax : 0;
    if (fix[0])
        x0 = g->logx ? log10(g->xlim[0]) : g->xlim[0], x1 = g->logx ? log10(g->xlim[1]) : g->xlim[1];
    if (fix[1])
        y0 = g->logy ? log10(g->ylim[0]) : g->ylim[0], y1 = g->logy ? log10(g->ylim[1]) : g->ylim[1];
    if ((fix[0] || fix[1]) && !any) { /* nothing in view: the free axis from 0 */
        if (!fix[0])
            x0 = 0, x1 = 0;
        if (!fix[1])
            y0 = 0, y1 = 0;
    }
    for (int round = 0; round < 3; round++) {
        double lm = 1.0 * fs + 0.5 * fs + left + 0.4 * fs;
        double bm = 0.45 * fs + label_height(tsz) + 0.7 * fs + CAP * fs + 0.2 * fs;
        double tm = 0.6 * fs, rm = 0.5 * lastw + 0.3 * fs;
        double aw = room.w - lm - rm, ah = room.h - tm - bm;
        if (aw < 10 || ah < 10)
            return; /* no room at all: nothing sensible to draw */
        if (custom ? zp_nyquist_limits(x0, x1, y0, y1, fix, logs, aw, ah, 3.6 * fs, &fr)
                   : zp_nyquist_layout(xmin, xmax, ymin, ymax, aw, ah, 3.6 * fs, &fr))
            return;
        p.box = (rect){room.x + lm + 0.5 * (aw - fr.w), room.y + tm + 0.5 * (ah - fr.h), fr.w,
                       fr.h};
        double maxabs = 0.0; /* of the linear axes */
        if (!g->logx)
            maxabs = fmax(maxabs, fmax(fabs(fr.xlo), fabs(fr.xhi)));
        if (!g->logy)
            maxabs = fmax(maxabs, fmax(fabs(fr.ylo), fabs(fr.yhi)));
        /* the prefix follows the data, not the padded axis */
        if (any && !custom)
            maxabs = fmax(fmax(fabs(xmin), fabs(xmax)), fmax(fabs(ymin), fabs(ymax)));
        double factor;
        pre = si_prefix(maxabs, &factor);
        axis a = {0, fr.xlo, fr.xhi, fr.step, factor, decimals_for(fr.step / factor), 1};
        axis la = {1, fr.xlo, fr.xhi, 1.0, 1.0, 0, 1};
        p.xa = g->logx ? la : a;
        a.lo = la.lo = fr.ylo, a.hi = la.hi = fr.yhi;
        p.ya = g->logy ? la : a;
        double wl = widest_label(g, &p.ya, tsz), wx = widest_label(g, &p.xa, tsz);
        /* x labels too wide for the step: label every other tick */
        double tick_pt = g->logx ? fr.sx : fr.step * fr.sx;
        p.xa.stride = (int)fmax(1.0, ceil((wx + 0.8 * fs) / tick_pt));
        if (g->logy)
            p.ya.stride = (int)fmax(1.0, ceil(1.6 * fs / fr.sy));
        if (fabs(wl - left) < 0.5 && fabs(wx - lastw) < 0.5)
            break;
        left = wl, lastw = wx;
    }
    if (p.box.w <= 0)
        return;

    draw_axes(g, &p, AX_XLABELS | AX_YLABELS);
    char title[96];
    snprintf(title, sizeof title, "$Z$\xE2\x80\xB2 / %s%s", pre, unit_text(g));
    double ybot = p.box.y + p.box.h + 0.45 * fs + label_height(tsz) + 0.7 * fs;
    cairo_set_source_rgb(g->cr, 0, 0, 0);
    text_at(g, title, fs, p.box.x + 0.5 * p.box.w, ybot, 0.5, 0.0, TX_MARKUP);
    snprintf(title, sizeof title, "%s$Z$\xE2\x80\xB3 / %s%s", minus, pre, unit_text(g));
    double xl = p.box.x - 0.4 * fs - left - 0.4 * fs - 0.5 * CAP * fs;
    text_up(g, title, fs, xl, p.box.y + 0.5 * p.box.h, TX_MARKUP);

    if (!any) {
        cairo_set_source_rgb(g->cr, 0.5, 0.5, 0.5);
        text_at(g, "no valid data", fs, p.box.x + 0.5 * p.box.w, p.box.y + 0.5 * p.box.h, 0.5, 0.5,
                0);
    }
    draw_curves(g, &p);
    legend L;
    int has_legend = with_legend && legend_place(g, &p, &L);
    nyquist_decades(g, &p, &L, has_legend);
    if (has_legend)
        legend_draw(g, &L);
}

/* ------------------------------------------------------------------------- */
/* Bode panels: |Z| above −φ, one frequency axis                             */
/* ------------------------------------------------------------------------- */

/* Decade range of log10 values: whole decades, never empty. */
static void decade_range(int any, double lo, double hi, double dlo, double dhi, axis *a)
{
    memset(a, 0, sizeof *a);
    a->log = 1;
    a->step = 1.0;
    a->factor = 1.0;
    a->stride = 1;
    if (!any) {
        lo = dlo, hi = dhi;
    }
    a->lo = floor(lo + 1e-9);
    a->hi = ceil(hi - 1e-9);
    if (a->hi <= a->lo) { /* all on one decade: centre it */
        a->lo -= 1.0;
        a->hi += 1.0;
    }
}

static void draw_bode(const fig *g, rect room, int with_legend)
{
    double fs = g->fs, tsz = 0.9 * fs;
    double fmin_, fmax_, mmin, mmax, pmin, pmax;
    int anym = data_extent(g, P_MAG, &fmin_, &fmax_, &mmin, &mmax);
    double f2min, f2max;
    int anyp = data_extent(g, P_PHASE, &f2min, &f2max, &pmin, &pmax);

    panel mag, ph;
    memset(&mag, 0, sizeof mag);
    memset(&ph, 0, sizeof ph);
    mag.type = P_MAG;
    ph.type = P_PHASE;
    axis fx;
    if (anym && anyp) {
        fmin_ = fmin(fmin_, f2min);
        fmax_ = fmax(fmax_, f2max);
    } else if (anyp) {
        fmin_ = f2min, fmax_ = f2max;
    }
    decade_range(anym || anyp, fmin_, fmax_, 0.0, 6.0, &fx);
    decade_range(anym, mmin, mmax, 0.0, 3.0, &mag.ya);
    double plo = anyp ? fmin(0.0, pmin) : 0.0, phi = anyp ? fmax(0.0, pmax) : 90.0;
    if (phi - plo < 1e-9)
        phi = plo + 90.0;

    /* vertical budget */
    double xlab_h = label_height(tsz);
    double bm = 0.45 * fs + xlab_h + 0.7 * fs + CAP * fs + 0.2 * fs;
    double tm = 0.6 * fs, gap = 0.9 * fs;
    double ph_h = (room.h - tm - bm - gap) * 0.5;
    if (ph_h < 10)
        return;
    double pstep = phase_step(plo, phi, (int)fmax(3.0, floor(ph_h / (1.7 * fs)) + 1.0));
    axis pa = {0,
               floor(plo / pstep + 1e-9) * pstep,
               ceil(phi / pstep - 1e-9) * pstep,
               pstep,
               1.0,
               decimals_for(pstep),
               1};
    ph.ya = pa;
    double dec_pt = ph_h / (mag.ya.hi - mag.ya.lo);
    mag.ya.stride = (int)fmax(1.0, ceil(1.6 * fs / dec_pt));

    double left = fmax(widest_label(g, &mag.ya, tsz), widest_label(g, &ph.ya, tsz));
    double lm = 1.0 * fs + 0.5 * fs + left + 0.4 * fs;
    char buf[96];
    tick_label(&fx, fx.hi, buf, sizeof buf);
    double wx = fmax(widest_label(g, &fx, tsz), text_width(g, buf, tsz, TX_MARKUP));
    double rm = 0.5 * wx + 0.3 * fs;
    double bw = room.w - lm - rm;
    if (bw < 10)
        return;
    fx.stride = (int)fmax(1.0, ceil((wx + 0.8 * fs) / (bw / (fx.hi - fx.lo))));
    mag.xa = ph.xa = fx;
    mag.box = (rect){room.x + lm, room.y + tm, bw, ph_h};
    ph.box = (rect){room.x + lm, room.y + tm + ph_h + gap, bw, ph_h};

    draw_axes(g, &mag, AX_YLABELS);
    draw_axes(g, &ph, AX_XLABELS | AX_YLABELS);
    cairo_set_source_rgb(g->cr, 0, 0, 0);
    double xl = room.x + lm - 0.4 * fs - left - 0.4 * fs - 0.5 * CAP * fs;
    snprintf(buf, sizeof buf, "|$Z$| / %s", unit_text(g));
    text_up(g, buf, fs, xl, mag.box.y + 0.5 * mag.box.h, TX_MARKUP);
    snprintf(buf, sizeof buf, "%s$\xCF\x86$ / \xC2\xB0", minus);
    text_up(g, buf, fs, xl, ph.box.y + 0.5 * ph.box.h, TX_MARKUP);
    double ybot = ph.box.y + ph.box.h + 0.45 * fs + xlab_h + 0.7 * fs;
    text_at(g, "$f$ / Hz", fs, ph.box.x + 0.5 * ph.box.w, ybot, 0.5, 0.0, TX_MARKUP);
    if (!anym && !anyp) {
        cairo_set_source_rgb(g->cr, 0.5, 0.5, 0.5);
        text_at(g, "no valid data", fs, mag.box.x + 0.5 * mag.box.w, mag.box.y + 0.5 * mag.box.h,
                0.5, 0.5, 0);
    }
    draw_curves(g, &mag);
    draw_curves(g, &ph);
    legend L;
    if (with_legend && legend_place(g, &mag, &L))
        legend_draw(g, &L);
}

/* ------------------------------------------------------------------------- */
/* DRT and residual panels: a log x axis (τ or f) under a linear y axis     */
/* ------------------------------------------------------------------------- */

/* A linear axis from 1-2-5 ticks covering [lo, hi] (lo < hi), with room for
 * about len / (1.7 fs) ticks and the SI prefix of maxabs. */
static const char *linear_axis(double lo, double hi, double maxabs, double len, double fs,
                               axis *a)
{
    double t[MAX_TICKS];
    int n = 0, want = (int)fmax(3.0, floor(len / (1.7 * fs)) + 1.0);
    if (zp_nice_ticks(lo, hi, want > 12 ? 12 : want, t, &n) != 0 || n < 2)
        t[0] = 0.0, t[1] = 1.0, n = 2;
    double factor;
    const char *pre = si_prefix(maxabs, &factor);
    double step = t[1] - t[0];
    *a = (axis){0, t[0], t[n - 1], step, factor, decimals_for(step / factor), 1};
    return pre;
}

/* τ in seconds with an SI prefix, three digits: "1.23 ms". */
static void tau_text(double tau, char *buf, size_t size)
{
    double factor;
    const char *pre = si_prefix(tau, &factor);
    char num[40];
    snprintf(num, sizeof num, "%.3g", tau / factor);
    snprintf(buf, size, "$\xCF\x84$ = %s %ss", num, pre);
}

/* γ of series sr at log10 τ = x, interpolated linearly in log τ; NaN outside. */
static double drt_value_at(const zp_series *sr, double x)
{
    for (int64_t i = 0; i + 1 < sr->n; i++) {
        double a = sr->f[i], b = sr->f[i + 1];
        if (!(a > 0.0 && b > 0.0 && val_ok(sr->z[2 * i]) && val_ok(sr->z[2 * i + 2])))
            continue;
        double la = log10(a), lb = log10(b);
        if (x < fmin(la, lb) - 1e-12 || x > fmax(la, lb) + 1e-12)
            continue;
        double u = lb != la ? (x - la) / (lb - la) : 0.0;
        return (1.0 - u) * sr->z[2 * i] + u * sr->z[2 * i + 2];
    }
    return NAN;
}

/* Peaks: a triangle pointing down onto the curve at each peak τ, and the τ
 * of the first series' peaks written above them. */
static void drt_peaks(const fig *g, const panel *p)
{
    cairo_t *cr = g->cr;
    const zp_drt_series *d = g->jb != NULL ? g->jb->drt : NULL;
    if (d == NULL)
        return;
    double a = 0.38 * g->fs, lsz = 0.75 * g->fs;
    rect placed[64];
    int np = 0;
    cairo_save(cr);
    cairo_rectangle(cr, p->box.x, p->box.y, p->box.w, p->box.h);
    cairo_clip(cr);
    for (int j = 0; j < g->ns; j++)
        for (int k = 0; k < d[j].npeaks; k++) {
            double t = d[j].peak_tau[k];
            if (!(t > 0.0 && val_ok(t)))
                continue;
            double x = log10(t), y = drt_value_at(&g->s[j], x);
            if (!isfinite(y) || x < p->xa.lo || x > p->xa.hi)
                continue;
            double X = map_x(p, x), Y = map_y(p, y) - 0.25 * g->fs;
            set_series_colour(g, j);
            cairo_move_to(cr, X, Y);
            cairo_line_to(cr, X - 0.6 * a, Y - a);
            cairo_line_to(cr, X + 0.6 * a, Y - a);
            cairo_close_path(cr);
            cairo_fill(cr);
            if (g->geo != NULL && g->geo->nmarks < ZP_MAX_MARKS) {
                int m = g->geo->nmarks++;
                g->geo->mark[m][0] = X, g->geo->mark[m][1] = Y;
            }
            if (j != 0)
                continue;
            char buf[64];
            tau_text(t, buf, sizeof buf);
            double w = text_width(g, buf, lsz, TX_MARKUP), h = CAP * lsz;
            rect r = {X - 0.5 * w, Y - a - 0.3 * g->fs - h, w, h};
            r.x = fmin(fmax(r.x, p->box.x + 0.2 * g->fs), p->box.x + p->box.w - w - 0.2 * g->fs);
            int clash = r.y < p->box.y;
            for (int q = 0; q < np && !clash; q++)
                clash = rect_overlap(r, placed[q]);
            if (clash)
                continue; /* crowded peaks: the triangles say it */
            if (np < 64)
                placed[np++] = r;
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            text_at(g, buf, lsz, r.x, r.y + h, 0.0, 1.0, TX_MARKUP | TX_HALO);
        }
    cairo_restore(cr);
}

/* The exact relaxation times: a stem from 0 to R_k at each τ_k with a dot at
 * its top, in the series' colour; the first series drawn last, on top. */
static void draw_stems(const fig *g, const panel *p)
{
    cairo_t *cr = g->cr;
    double lw = 0.11 * g->fs, r = 0.2 * g->fs, y0 = map_y(p, fmax(p->ya.lo, 0.0));
    cairo_save(cr);
    cairo_rectangle(cr, p->box.x, p->box.y, p->box.w, p->box.h);
    cairo_clip(cr);
    cairo_set_line_width(cr, lw);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    for (int j = g->ns - 1; j >= 0; j--) {
        const zp_series *sr = &g->s[j];
        set_series_colour(g, j);
        for (int64_t i = 0; i < sr->n; i++) {
            double X, Y;
            if (!panel_pt(g, p, sr, i, &X, &Y))
                continue;
            cairo_move_to(cr, X, y0);
            cairo_line_to(cr, X, Y);
            cairo_stroke(cr);
            cairo_new_sub_path(cr);
            cairo_arc(cr, X, Y, r, 0, 2 * M_PI);
            cairo_fill(cr);
            if (g->geo != NULL && g->geo->nmarks < ZP_MAX_MARKS) {
                int m = g->geo->nmarks++;
                g->geo->mark[m][0] = X, g->geo->mark[m][1] = Y;
            }
        }
    }
    cairo_restore(cr);
}

/* One panel of type t (P_DRT: γ vs τ; P_RES: residual vs f) filling room:
 * log x axis of whole decades, linear y axis (from 0 for a DRT, symmetric
 * about 0 for residuals), titles, curves, legend. */
static void draw_logx_panel(const fig *g, rect room, ptype t, const char *xtitle,
                            const char *yhead, const char *yunit)
{
    double fs = g->fs, tsz = 0.9 * fs;
    double xmin, xmax, ymin, ymax;
    int any = data_extent(g, t, &xmin, &xmax, &ymin, &ymax);
    panel p;
    memset(&p, 0, sizeof p);
    p.type = t;
    int tau_axis = t == P_DRT || t == P_POLES;
    if (g->has_xfix)
        decade_range(1, g->xfix[0], g->xfix[1], 0.0, 0.0, &p.xa);
    else
        decade_range(any, xmin, xmax, tau_axis ? -6.0 : 0.0, tau_axis ? 0.0 : 6.0, &p.xa);
    double lo, hi, maxabs;
    if (t == P_DRT || t == P_POLES) {
        lo = any ? fmin(0.0, ymin) : 0.0;
        hi = any && ymax > 0.0 ? 1.12 * ymax : 1.0; /* air for the peak marks */
        maxabs = any ? fmax(fabs(ymin), fabs(ymax)) : 1.0;
    } else {
        double m = any ? fmax(fabs(ymin), fabs(ymax)) : 0.0;
        m = m > 0.0 ? 1.1 * m : 1.0;
        lo = -m, hi = m, maxabs = 1.0; /* % needs no prefix */
    }
    double bm = 0.45 * fs + label_height(tsz) + 0.7 * fs + CAP * fs + 0.2 * fs;
    double tm = 0.6 * fs, ah = room.h - tm - bm;
    if (ah < 10)
        return;
    const char *pre = linear_axis(lo, hi, maxabs, ah, fs, &p.ya);
    if (t == P_RES) {
        p.ya.factor = 1.0, pre = "";
        p.ya.decimals = decimals_for(p.ya.step);
    }
    double left = widest_label(g, &p.ya, tsz);
    double lm = 1.0 * fs + 0.5 * fs + left + 0.4 * fs;
    char buf[96];
    tick_label(&p.xa, p.xa.hi, buf, sizeof buf);
    double wx = fmax(widest_label(g, &p.xa, tsz), text_width(g, buf, tsz, TX_MARKUP));
    double bw = room.w - lm - 0.5 * wx - 0.3 * fs;
    if (bw < 10)
        return;
    p.xa.stride = (int)fmax(1.0, ceil((wx + 0.8 * fs) / (bw / (p.xa.hi - p.xa.lo))));
    p.box = (rect){room.x + lm, room.y + tm, bw, ah};

    draw_axes(g, &p, AX_XLABELS | AX_YLABELS);
    cairo_t *cr = g->cr;
    if (p.ya.lo < 0.0 && p.ya.hi > 0.0) { /* the zero line */
        cairo_save(cr);
        cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
        cairo_set_line_width(cr, 0.6);
        cairo_move_to(cr, p.box.x, map_y(&p, 0.0));
        cairo_line_to(cr, p.box.x + p.box.w, map_y(&p, 0.0));
        cairo_stroke(cr);
        cairo_restore(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    double ybot = p.box.y + p.box.h + 0.45 * fs + label_height(tsz) + 0.7 * fs;
    text_at(g, xtitle, fs, p.box.x + 0.5 * p.box.w, ybot, 0.5, 0.0, TX_MARKUP);
    snprintf(buf, sizeof buf, "%s%s%s", yhead, pre, yunit);
    double xl = p.box.x - 0.4 * fs - left - 0.4 * fs - 0.5 * CAP * fs;
    text_up(g, buf, fs, xl, p.box.y + 0.5 * p.box.h, TX_MARKUP);
    if (!any) {
        cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
        text_at(g, "no valid data", fs, p.box.x + 0.5 * p.box.w, p.box.y + 0.5 * p.box.h, 0.5,
                0.5, 0);
    }
    if (t == P_POLES)
        draw_stems(g, &p);
    else
        draw_curves(g, &p);
    if (t == P_DRT)
        drt_peaks(g, &p);
    legend L;
    if (!g->no_legend && legend_place(g, &p, &L))
        legend_draw(g, &L);
}

/* ------------------------------------------------------------------------- */
/* Figure                                                                    */
/* ------------------------------------------------------------------------- */

static void default_size(int kind, double *w, double *h)
{
    if (kind == ZP_NYQUIST || kind == ZP_DRT)
        *w = 460, *h = 340;
    else if (kind == ZP_DRT_POLES)
        *w = 560, *h = 480;
    else if (kind == ZP_BODE)
        *w = 420, *h = 400;
    else
        *w = 800, *h = 360;
}

static void draw_figure(cairo_t *cr, double W, double H, const job *jb, const zp_options *o,
                        zp_geometry *geo)
{
    double dw, dh;
    default_size(o->kind, &dw, &dh);
    double k = sqrt((W * H) / (dw * dh));
    k = k < 0.7 ? 0.7 : k > 1.6 ? 1.6 : k;
    fig g = {cr,
             10.0 * k,
             jb->s,
             jb->ns,
             o->area_specific ? o->area_cm2 : 1.0,
             o->area_specific != 0,
             o->nyquist_max,
             {o->xlim[0], o->xlim[1]},
             {o->ylim[0], o->ylim[1]},
             o->logx != 0,
             o->logy != 0,
             geo,
             o->kind == ZP_FIT,
             jb,
             0,
             0,
             {0.0, 0.0}};

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);

    double m = 0.6 * g.fs;
    rect room = {m, m, W - 2 * m, H - 2 * m};
    if (o->title != NULL && o->title[0] != '\0') {
        char t[512];
        clean_text(o->title, t, sizeof t, 120);
        double tsz = 1.15 * g.fs, tw = text_width(&g, t, tsz, TX_BOLD);
        if (tw > W - 2 * m)
            tsz *= (W - 2 * m) / tw; /* a long title shrinks to the width */
        text_at(&g, t, tsz, 0.5 * W, m, 0.5, 0.0, TX_BOLD);
        room.y += CAP * tsz + 0.6 * g.fs;
        room.h -= CAP * tsz + 0.6 * g.fs;
    }
    if (o->kind == ZP_NYQUIST) {
        draw_nyquist(&g, room, 1);
    } else if (o->kind == ZP_BODE) {
        draw_bode(&g, room, 1);
    } else if (o->kind == ZP_DRT) {
        draw_logx_panel(&g, room, P_DRT, "$\xCF\x84$ / s", "$\xCE\xB3$ / ", "\xCE\xA9");
    } else if (o->kind == ZP_SERIES_DRT) { /* the paper's Figure 3 layout */
        double gap = 1.2 * g.fs, wn = 0.54 * (room.w - gap);
        draw_nyquist(&g, (rect){room.x, room.y, wn, room.h}, 1);
        fig r = g; /* the DRTs: the same colours, the Nyquist panel's legend */
        r.s = jb->res, r.ns = jb->nres, r.area = 1.0, r.no_legend = 1;
        draw_logx_panel(&r, (rect){room.x + wn + gap, room.y, room.w - wn - gap, room.h}, P_DRT,
                        "$\xCF\x84$ / s", "$\xCE\xB3$ / ", "\xCE\xA9");
    } else if (o->kind == ZP_DRT_POLES) {
        fig r = g; /* the stems: the poles of each DRT's spectrum */
        r.s = jb->poles, r.no_legend = 1;
        double a0, a1, b0, b1, y0, y1;
        int any_a = data_extent(&g, P_DRT, &a0, &a1, &y0, &y1);
        int any_b = data_extent(&r, P_POLES, &b0, &b1, &y0, &y1);
        if (any_a || any_b) {
            g.has_xfix = r.has_xfix = 1;
            g.xfix[0] = r.xfix[0] = fmin(any_a ? a0 : b0, any_b ? b0 : a0);
            g.xfix[1] = r.xfix[1] = fmax(any_a ? a1 : b1, any_b ? b1 : a1);
        }
        double gap = 0.6 * g.fs, ht = 0.55 * (room.h - gap);
        draw_logx_panel(&g, (rect){room.x, room.y, room.w, ht}, P_DRT, "$\xCF\x84$ / s",
                        "$\xCE\xB3$ / ", "\xCE\xA9");
        draw_logx_panel(&r, (rect){room.x, room.y + ht + gap, room.w, room.h - ht - gap},
                        P_POLES, "$\xCF\x84$ / s", "exact $R$ / ", "\xCE\xA9");
    } else if (o->kind == ZP_POLES) {
        double gap = 1.2 * g.fs, wn = 0.54 * (room.w - gap);
        draw_nyquist(&g, (rect){room.x, room.y, wn, room.h}, 1);
        fig r = g; /* the stems: one series of poles per spectrum */
        r.s = jb->poles;
        draw_logx_panel(&r, (rect){room.x + wn + gap, room.y, room.w - wn - gap, room.h},
                        P_POLES, "$\xCF\x84$ / s", "$R$ / ", unit_text(&g));
    } else if (o->kind == ZP_FIT) {
        double gap = 1.2 * g.fs, wn = 0.54 * (room.w - gap);
        draw_nyquist(&g, (rect){room.x, room.y, wn, room.h}, 1);
        fig r = g; /* the residuals: their own series, plain style, in % */
        r.s = jb->res, r.ns = jb->nres, r.fit_style = 0, r.area = 1.0;
        draw_logx_panel(&r, (rect){room.x + wn + gap, room.y, room.w - wn - gap, room.h}, P_RES,
                        "$f$ / Hz", "residual / ", "%");
    } else {
        double gap = 1.2 * g.fs, wn = 0.54 * (room.w - gap);
        draw_nyquist(&g, (rect){room.x, room.y, wn, room.h}, 1);
        draw_bode(&g, (rect){room.x + wn + gap, room.y, room.w - wn - gap, room.h}, 0);
    }
}

/* ------------------------------------------------------------------------- */
/* Output                                                                    */
/* ------------------------------------------------------------------------- */

void zp_cleanup(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

void zp_options_default(zp_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->area_cm2 = 1.0;
    o->kind = ZP_BOTH;
}

enum { F_SVG, F_PNG, F_PDF };

typedef struct sink {
    FILE *fp;
    int err; /* errno of the first failed write */
} sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
    sink *k = closure;
    if (len == 0)
        return CAIRO_STATUS_SUCCESS;
    errno = 0;
    if (fwrite(data, 1, len, k->fp) != len) {
        if (k->err == 0)
            k->err = errno != 0 ? errno : EIO;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t render(int fmt, sink *k, double W, double H, double dpi, const job *jb,
                             const zp_options *o)
{
    cairo_surface_t *sf;
    if (fmt == F_SVG) {
        sf = cairo_svg_surface_create_for_stream(sink_write, k, W, H);
        cairo_svg_surface_set_document_unit(sf, CAIRO_SVG_UNIT_PT);
    } else if (fmt == F_PDF) {
        sf = cairo_pdf_surface_create_for_stream(sink_write, k, W, H);
        cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "zstr (libzstr)");
        if (o->title != NULL && o->title[0] != '\0') {
            char t[512];
            clean_text(o->title, t, sizeof t, 120);
            cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, t);
        }
    } else {
        sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)lround(W * dpi / 72.0),
                                        (int)lround(H * dpi / 72.0));
    }
    cairo_status_t st = cairo_surface_status(sf);
    if (st == CAIRO_STATUS_SUCCESS) {
        cairo_t *cr = cairo_create(sf);
        if (fmt == F_PNG)
            cairo_scale(cr, dpi / 72.0, dpi / 72.0);
        draw_figure(cr, W, H, jb, o, NULL);
        st = cairo_status(cr);
        cairo_destroy(cr);
        if (st == CAIRO_STATUS_SUCCESS && fmt == F_PNG)
            st = cairo_surface_write_to_png_stream(sf, sink_write, k);
        cairo_surface_finish(sf);
        if (st == CAIRO_STATUS_SUCCESS)
            st = cairo_surface_status(sf);
    }
    cairo_surface_destroy(sf);
    return st;
}

static int fail(char *msg, size_t msgsize, const char *path, const char *what, int errnum)
{
    if (msg == NULL || msgsize == 0)
        return -1;
    char text[160] = "";
    if (errnum != 0 && strerror_r(errnum, text, sizeof text) != 0)
        snprintf(text, sizeof text, "errno %d", errnum);
    snprintf(msg, msgsize, "plot '%s': %s%s%s", path != NULL ? path : "(null)", what,
             text[0] ? ": " : "", text);
    return -1;
}

static int check_input(const char *path, const zp_series *s, int ns, const zp_options *o, char *msg,
                       size_t msgsize)
{
    char what[160];
    if (ns < 0 || ns > ZP_MAX_SERIES || (ns > 0 && s == NULL)) {
        snprintf(what, sizeof what, "nseries = %d (0 to %d, with a series array)", ns,
                 ZP_MAX_SERIES);
        return fail(msg, msgsize, path, what, 0);
    }
    for (int j = 0; j < ns; j++)
        if (s[j].n < 0 || (s[j].n > 0 && (s[j].f == NULL || s[j].z == NULL))) {
            snprintf(what, sizeof what, "series %d: n = %lld with f or z NULL or n < 0", j + 1,
                     (long long)s[j].n);
            return fail(msg, msgsize, path, what, 0);
        }
    if (o->kind < ZP_BOTH || o->kind > ZP_DRT_POLES)
        return fail(msg, msgsize, path, "kind must be ZP_BOTH, ZP_NYQUIST or ZP_BODE", 0);
    if (o->area_specific && !(isfinite(o->area_cm2) && o->area_cm2 > 0.0))
        return fail(msg, msgsize, path, "area_cm2 must be positive and finite", 0);
    if (!(o->width_pt == 0.0 || (o->width_pt >= 50.0 && o->width_pt <= 14400.0)) ||
        !(o->height_pt == 0.0 || (o->height_pt >= 50.0 && o->height_pt <= 14400.0)))
        return fail(msg, msgsize, path, "width_pt and height_pt must be 0 or 50 to 14400", 0);
    if (!(o->nyquist_max == 0.0 ||
          (isfinite(o->nyquist_max) && o->nyquist_max > 0.0 && o->nyquist_max <= VMAX)))
        return fail(msg, msgsize, path, "nyquist_max must be 0 or positive and finite", 0);
    if (!(o->dpi == 0.0 || (o->dpi >= 10.0 && o->dpi <= 2400.0)))
        return fail(msg, msgsize, path, "dpi must be 0 or 10 to 2400", 0);
    for (int a = 0; a < 2; a++) {
        const double *l = a == 0 ? o->xlim : o->ylim;
        int lg = a == 0 ? o->logx : o->logy;
        if (l[0] == 0.0 && l[1] == 0.0)
            continue;
        if (!(isfinite(l[0]) && isfinite(l[1]) && l[0] < l[1] && fabs(l[0]) <= VMAX &&
              fabs(l[1]) <= VMAX) ||
            (lg && !(l[0] > 0.0)))
            return fail(msg, msgsize, path,
                        a == 0 ? "xlim must be lo < hi, finite (lo > 0 on a log axis)"
                               : "ylim must be lo < hi, finite (lo > 0 on a log axis)",
                        0);
    }
    return 0;
}

/* Draw a job to path (o complete, kind set). */
static int plot_job(const char *path, const job *jb, const zp_options *opt, char *msg,
                    size_t msgsize)
{
    zp_options o = *opt;
    const zp_series *s = jb->s;
    int nseries = jb->ns;
    if (path == NULL || path[0] == '\0')
        return fail(msg, msgsize, path, "no output path", 0);
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    int fmt = -1;
    if (dot != NULL && (slash == NULL || dot > slash)) {
        if (strcasecmp(dot, ".svg") == 0)
            fmt = F_SVG;
        else if (strcasecmp(dot, ".png") == 0)
            fmt = F_PNG;
        else if (strcasecmp(dot, ".pdf") == 0)
            fmt = F_PDF;
    }
    if (fmt < 0)
        return fail(msg, msgsize, path, "unknown figure format (use .svg, .png or .pdf)", 0);
    if (check_input(path, s, nseries, &o, msg, msgsize) != 0 ||
        check_input(path, jb->res, jb->nres, &o, msg, msgsize) != 0)
        return -1;
    double W = o.width_pt, H = o.height_pt, dw, dh;
    default_size(o.kind, &dw, &dh);
    if (W == 0.0)
        W = dw;
    if (H == 0.0)
        H = dh;
    double dpi = o.dpi == 0.0 ? 150.0 : o.dpi;
    if (fmt == F_PNG && (W * dpi / 72.0 > 32767.0 || H * dpi / 72.0 > 32767.0))
        return fail(msg, msgsize, path, "more than 32767 pixels a side (lower dpi or size)", 0);

    zo_file out;
    const char *what = NULL;
    int e = 0;
    if (zo_open(&out, path, &what, &e) != 0)
        return fail(msg, msgsize, path, what, e);
    FILE *fp = out.fp;

    /* tick labels are printf'ed: C numbers whatever the caller's locale */
    locale_t cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0), prev = (locale_t)0;
    if (cloc != (locale_t)0)
        prev = uselocale(cloc);
    sink k = {fp, 0};
    cairo_status_t cst = render(fmt, &k, W, H, dpi, jb, &o);
    if (cloc != (locale_t)0) {
        if (prev != (locale_t)0)
            uselocale(prev);
        freelocale(cloc);
    }

    if (k.err != 0) {
        what = "cannot write", e = k.err;
    } else if (cst != CAIRO_STATUS_SUCCESS) {
        what = cairo_status_to_string(cst);
    }
    what = zo_finish(&out, what, &e);
    if (what != NULL) {
        if (e == 0 && cst != CAIRO_STATUS_SUCCESS) {
            char w2[200];
            snprintf(w2, sizeof w2, "cairo: %s", what);
            return fail(msg, msgsize, path, w2, 0);
        }
        return fail(msg, msgsize, path, what, e);
    }
    return 0;
}

static int geometry_job(const job *jb, const zp_options *opt, zp_geometry *geo, char *msg,
                        size_t msgsize)
{
    zp_options o = *opt;
    const zp_series *s = jb->s;
    int nseries = jb->ns;
    if (geo == NULL)
        return fail(msg, msgsize, "(geometry)", "no geometry record", 0);
    memset(geo, 0, sizeof *geo);
    geo->text_right = -INFINITY;
    if (check_input("(geometry)", s, nseries, &o, msg, msgsize) != 0 ||
        check_input("(geometry)", jb->res, jb->nres, &o, msg, msgsize) != 0)
        return -1;
    double W = o.width_pt, H = o.height_pt, dw, dh;
    default_size(o.kind, &dw, &dh);
    W = W == 0.0 ? dw : W;
    H = H == 0.0 ? dh : H;
    cairo_rectangle_t ext = {0, 0, W, H};
    cairo_surface_t *sf = cairo_recording_surface_create(CAIRO_CONTENT_COLOR, &ext);
    cairo_t *cr = cairo_create(sf);
    locale_t cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0), prev = (locale_t)0;
    if (cloc != (locale_t)0)
        prev = uselocale(cloc);
    draw_figure(cr, W, H, jb, &o, geo);
    if (cloc != (locale_t)0) {
        if (prev != (locale_t)0)
            uselocale(prev);
        freelocale(cloc);
    }
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
    if (st != CAIRO_STATUS_SUCCESS)
        return fail(msg, msgsize, "(geometry)", cairo_status_to_string(st), 0);
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Entry points                                                              */
/* ------------------------------------------------------------------------- */

/* Options of a public call: defaults for NULL; spectra figures keep their
 * kinds, the DRT and fit figures set theirs. */
static int entry_options(const zp_options *opt, int kind, zp_options *o, char *msg,
                         size_t msgsize, const char *path)
{
    if (msg != NULL && msgsize > 0)
        msg[0] = '\0';
    if (opt != NULL)
        *o = *opt;
    else
        zp_options_default(o);
    if (kind >= 0)
        o->kind = kind;
    else if (o->kind != ZP_BOTH && o->kind != ZP_NYQUIST && o->kind != ZP_BODE)
        return fail(msg, msgsize, path, "kind must be ZP_BOTH, ZP_NYQUIST or ZP_BODE", 0);
    return 0;
}

int zp_plot(const char *path, const zp_series *s, int nseries, const zp_options *opt, char *msg,
            size_t msgsize)
{
    zp_options o;
    job jb = {s, nseries, NULL, 0, NULL, NULL};
    if (entry_options(opt, -1, &o, msg, msgsize, path) != 0)
        return -1;
    return plot_job(path, &jb, &o, msg, msgsize);
}

int zp_plot_geometry(const zp_series *s, int nseries, const zp_options *opt, zp_geometry *geo,
                     char *msg, size_t msgsize)
{
    zp_options o;
    job jb = {s, nseries, NULL, 0, NULL, NULL};
    if (entry_options(opt, -1, &o, msg, msgsize, "(geometry)") != 0)
        return -1;
    return geometry_job(&jb, &o, geo, msg, msgsize);
}

/* A DRT job: each series as (f = τ, z = (γ, 0)) in one buffer *mem. */
static int drt_job(const zp_drt_series *d, int nd, job *jb, zp_series **ser, double **mem,
                   char *msg, size_t msgsize, const char *path)
{
    *ser = NULL, *mem = NULL;
    if (nd < 0 || nd > ZP_MAX_SERIES || (nd > 0 && d == NULL))
        return fail(msg, msgsize, path, "bad number of DRT series", 0);
    size_t total = 0;
    for (int j = 0; j < nd; j++) {
        if (d[j].n < 0 || (d[j].n > 0 && (d[j].tau == NULL || d[j].gamma == NULL)) ||
            d[j].npeaks < 0 || (d[j].npeaks > 0 && d[j].peak_tau == NULL))
            return fail(msg, msgsize, path, "DRT series with n < 0 or NULL arrays", 0);
        total += (size_t)d[j].n;
    }
    *ser = calloc(nd > 0 ? (size_t)nd : 1, sizeof **ser);
    *mem = malloc((total > 0 ? total : 1) * 2 * sizeof **mem);
    if (*ser == NULL || *mem == NULL) {
        free(*ser), free(*mem);
        *ser = NULL, *mem = NULL;
        return fail(msg, msgsize, path, "out of memory", ENOMEM);
    }
    double *z = *mem;
    for (int j = 0; j < nd; j++) {
        for (int64_t i = 0; i < d[j].n; i++)
            z[2 * i] = d[j].gamma[i], z[2 * i + 1] = 0.0;
        (*ser)[j] = (zp_series){d[j].label, d[j].n, d[j].tau, z};
        z += 2 * d[j].n;
    }
    *jb = (job){*ser, nd, NULL, 0, d, NULL};
    return 0;
}

int zp_plot_drt(const char *path, const zp_drt_series *d, int nd, const zp_options *opt,
                char *msg, size_t msgsize)
{
    zp_options o;
    job jb;
    zp_series *ser;
    double *mem;
    if (entry_options(opt, ZP_DRT, &o, msg, msgsize, path) != 0 ||
        drt_job(d, nd, &jb, &ser, &mem, msg, msgsize, path) != 0)
        return -1;
    int rc = plot_job(path, &jb, &o, msg, msgsize);
    free(ser);
    free(mem);
    return rc;
}

int zp_plot_drt_geometry(const zp_drt_series *d, int nd, const zp_options *opt, zp_geometry *geo,
                         char *msg, size_t msgsize)
{
    zp_options o;
    job jb;
    zp_series *ser;
    double *mem;
    if (entry_options(opt, ZP_DRT, &o, msg, msgsize, "(geometry)") != 0 ||
        drt_job(d, nd, &jb, &ser, &mem, msg, msgsize, "(geometry)") != 0)
        return -1;
    int rc = geometry_job(&jb, &o, geo, msg, msgsize);
    free(ser);
    free(mem);
    return rc;
}

/* A fit job: data and model, and the residuals as two series (f, (r, 0)). */
static int fit_job(const zp_fit_plot *fp, job *jb, zp_series two[2], zp_series res[2],
                   double **mem, char *msg, size_t msgsize, const char *path)
{
    *mem = NULL;
    if (fp == NULL || fp->data.n < 0 || (fp->data.n > 0 && fp->residual == NULL))
        return fail(msg, msgsize, path, "fit plot without data or residuals", 0);
    int64_t n = fp->data.n;
    *mem = malloc((size_t)(n > 0 ? n : 1) * 4 * sizeof **mem);
    if (*mem == NULL)
        return fail(msg, msgsize, path, "out of memory", ENOMEM);
    double *zr = *mem, *zi = *mem + 2 * n;
    for (int64_t i = 0; i < n; i++) {
        zr[2 * i] = fp->residual[2 * i], zr[2 * i + 1] = 0.0;
        zi[2 * i] = fp->residual[2 * i + 1], zi[2 * i + 1] = 0.0;
    }
    two[0] = fp->data, two[1] = fp->model;
    if (two[0].label == NULL)
        two[0].label = "data";
    if (two[1].label == NULL)
        two[1].label = "fit";
    res[0] = (zp_series){"real part", n, fp->data.f, zr};
    res[1] = (zp_series){"imaginary part", n, fp->data.f, zi};
    *jb = (job){two, 2, res, 2, NULL, NULL};
    return 0;
}

int zp_plot_fit(const char *path, const zp_fit_plot *fp, const zp_options *opt, char *msg,
                size_t msgsize)
{
    zp_options o;
    job jb;
    zp_series two[2], res[2];
    double *mem;
    if (entry_options(opt, ZP_FIT, &o, msg, msgsize, path) != 0 ||
        fit_job(fp, &jb, two, res, &mem, msg, msgsize, path) != 0)
        return -1;
    int rc = plot_job(path, &jb, &o, msg, msgsize);
    free(mem);
    return rc;
}

int zp_plot_fit_geometry(const zp_fit_plot *fp, const zp_options *opt, zp_geometry *geo,
                         char *msg, size_t msgsize)
{
    zp_options o;
    job jb;
    zp_series two[2], res[2];
    double *mem;
    if (entry_options(opt, ZP_FIT, &o, msg, msgsize, "(geometry)") != 0 ||
        fit_job(fp, &jb, two, res, &mem, msg, msgsize, "(geometry)") != 0)
        return -1;
    int rc = geometry_job(&jb, &o, geo, msg, msgsize);
    free(mem);
    return rc;
}

/* A poles job: the spectra, and each one's relaxation times as a series
 * (f = τ_k, z = (R_k, 0)) in one buffer *mem. */
static int poles_job(const zp_series *s, const zp_poles_series *p, int ns, job *jb,
                     zp_series **ser, double **mem, char *msg, size_t msgsize, const char *path)
{
    *ser = NULL, *mem = NULL;
    if (ns < 0 || ns > ZP_MAX_SERIES || (ns > 0 && (s == NULL || p == NULL)))
        return fail(msg, msgsize, path, "bad number of spectra with poles", 0);
    size_t total = 0;
    for (int j = 0; j < ns; j++) {
        if (p[j].n < 0 || (p[j].n > 0 && (p[j].tau == NULL || p[j].r == NULL)))
            return fail(msg, msgsize, path, "poles with n < 0 or NULL arrays", 0);
        total += (size_t)p[j].n;
    }
    *ser = calloc(ns > 0 ? (size_t)ns : 1, sizeof **ser);
    *mem = malloc((total > 0 ? total : 1) * 2 * sizeof **mem);
    if (*ser == NULL || *mem == NULL) {
        free(*ser), free(*mem);
        *ser = NULL, *mem = NULL;
        return fail(msg, msgsize, path, "out of memory", ENOMEM);
    }
    double *z = *mem;
    for (int j = 0; j < ns; j++) {
        for (int64_t i = 0; i < p[j].n; i++)
            z[2 * i] = p[j].r[i], z[2 * i + 1] = 0.0;
        (*ser)[j] = (zp_series){p[j].label != NULL ? p[j].label : s[j].label, p[j].n, p[j].tau,
                                z};
        z += 2 * p[j].n;
    }
    *jb = (job){s, ns, NULL, 0, NULL, *ser};
    return 0;
}

int zp_plot_poles(const char *path, const zp_series *s, const zp_poles_series *p, int ns,
                  const zp_options *opt, char *msg, size_t msgsize)
{
    zp_options o;
    job jb;
    zp_series *ser;
    double *mem;
    if (entry_options(opt, ZP_POLES, &o, msg, msgsize, path) != 0 ||
        poles_job(s, p, ns, &jb, &ser, &mem, msg, msgsize, path) != 0)
        return -1;
    int rc = plot_job(path, &jb, &o, msg, msgsize);
    free(ser);
    free(mem);
    return rc;
}

int zp_plot_poles_geometry(const zp_series *s, const zp_poles_series *p, int ns,
                           const zp_options *opt, zp_geometry *geo, char *msg, size_t msgsize)
{
    zp_options o;
    job jb;
    zp_series *ser;
    double *mem;
    if (entry_options(opt, ZP_POLES, &o, msg, msgsize, "(geometry)") != 0 ||
        poles_job(s, p, ns, &jb, &ser, &mem, msg, msgsize, "(geometry)") != 0)
        return -1;
    int rc = geometry_job(&jb, &o, geo, msg, msgsize);
    free(ser);
    free(mem);
    return rc;
}

/* A series with its DRTs: the spectra as given, the DRTs as residual-style
 * series (f = τ, z = (γ, 0)) through drt_job. */
static int series_drt_job(const zp_series *s, const zp_drt_series *d, int n, job *jb,
                          zp_series **ser, double **mem, char *msg, size_t msgsize,
                          const char *path)
{
    if (n < 0 || n > ZP_MAX_SERIES || (n > 0 && s == NULL))
        return fail(msg, msgsize, path, "bad number of series", 0);
    if (drt_job(d, n, jb, ser, mem, msg, msgsize, path) != 0)
        return -1;
    *jb = (job){s, n, *ser, n, d, NULL};
    return 0;
}

int zp_plot_series_drt(const char *path, const zp_series *s, const zp_drt_series *d, int n,
                       const zp_options *opt, char *msg, size_t msgsize)
{
    zp_options o;
    job jb;
    zp_series *ser;
    double *mem;
    if (entry_options(opt, ZP_SERIES_DRT, &o, msg, msgsize, path) != 0 ||
        series_drt_job(s, d, n, &jb, &ser, &mem, msg, msgsize, path) != 0)
        return -1;
    int rc = plot_job(path, &jb, &o, msg, msgsize);
    free(ser);
    free(mem);
    return rc;
}

int zp_plot_series_drt_geometry(const zp_series *s, const zp_drt_series *d, int n,
                                const zp_options *opt, zp_geometry *geo, char *msg,
                                size_t msgsize)
{
    zp_options o;
    job jb;
    zp_series *ser;
    double *mem;
    if (entry_options(opt, ZP_SERIES_DRT, &o, msg, msgsize, "(geometry)") != 0 ||
        series_drt_job(s, d, n, &jb, &ser, &mem, msg, msgsize, "(geometry)") != 0)
        return -1;
    int rc = geometry_job(&jb, &o, geo, msg, msgsize);
    free(ser);
    free(mem);
    return rc;
}

/* A DRT job with each DRT's exact relaxation times (f = τ_k, z = (R_k, 0)). */
static int drt_poles_job(const zp_drt_series *d, const zp_poles_series *p, int nd, job *jb,
                         zp_series **ser, double **mem, zp_series **pser, double **pmem,
                         char *msg, size_t msgsize, const char *path)
{
    *pser = NULL, *pmem = NULL;
    if (drt_job(d, nd, jb, ser, mem, msg, msgsize, path) != 0)
        return -1;
    job pj;
    if (poles_job(*ser, p, nd, &pj, pser, pmem, msg, msgsize, path) != 0) {
        free(*ser), free(*mem);
        *ser = NULL, *mem = NULL;
        return -1;
    }
    jb->poles = *pser;
    return 0;
}

static int drt_poles_run(const char *path, const zp_drt_series *d, const zp_poles_series *p,
                         int nd, const zp_options *opt, zp_geometry *geo, char *msg,
                         size_t msgsize)
{
    const char *where = path != NULL ? path : "(geometry)";
    zp_options o;
    job jb;
    zp_series *ser, *pser;
    double *mem, *pmem;
    if (entry_options(opt, ZP_DRT_POLES, &o, msg, msgsize, where) != 0 ||
        drt_poles_job(d, p, nd, &jb, &ser, &mem, &pser, &pmem, msg, msgsize, where) != 0)
        return -1;
    int rc = path != NULL ? plot_job(path, &jb, &o, msg, msgsize)
                          : geometry_job(&jb, &o, geo, msg, msgsize);
    free(ser);
    free(mem);
    free(pser);
    free(pmem);
    return rc;
}

int zp_plot_drt_poles(const char *path, const zp_drt_series *d, const zp_poles_series *p, int nd,
                      const zp_options *opt, char *msg, size_t msgsize)
{
    if (path == NULL)
        return fail(msg, msgsize, "(null)", "no path", 0);
    return drt_poles_run(path, d, p, nd, opt, NULL, msg, msgsize);
}

int zp_plot_drt_poles_geometry(const zp_drt_series *d, const zp_poles_series *p, int nd,
                               const zp_options *opt, zp_geometry *geo, char *msg,
                               size_t msgsize)
{
    return drt_poles_run(NULL, d, p, nd, opt, geo, msg, msgsize);
}
