/*
 * plot.h — impedance spectra drawn as figures (SVG, PNG, PDF) with cairo
 * (the zstr program's own module; not part of the library's API).
 *
 * One drawing code serves the three formats: the figure is laid out in
 * points (1/72 in) on a cairo surface chosen by the output path's extension
 * (.svg, .png, .pdf, any case); PNG is the same drawing scaled by dpi/72.
 *
 * What is drawn (the conventions electrochemists expect):
 *  - Nyquist: −Z'' against Z' with equal axis scales (1 Ω is as long on y as
 *    on x; the axis with room to spare is extended, both share one 1-2-5 tick
 *    step, so the grid is square), axes from 0 unless data are negative, an SI
 *    prefix on the unit when values are large (kΩ, MΩ), a marker at every
 *    frequency decade (interpolated in log f between samples) on every series
 *    and its label ("1 kHz") on the first series.
 *  - Bode: |Z| (log axis) above −φ (degrees, linear) against log f, decade
 *    ticks, sharing the frequency axis.
 *  - Several series overlaid, coloured by a sequential perceptual map
 *    (viridis) in series order, one series dark blue; a legend of the labels.
 * Points that are not finite (NaN, ±inf, or beyond ±1e150) are skipped and
 * break the line; f ≤ 0 and |Z| = 0 are skipped on log axes.
 *
 * Output is atomic: the figure is rendered to <path>.tmpXXXXXX (mkstemp, same
 * directory), checked, synced and renamed over <path>; on any failure the
 * temporary is removed and no file is left.
 *
 * All calls are reentrant (no global state); numbers are formatted under a
 * thread-local "C" locale.
 */
#ifndef ZSTR_CLI_PLOT_H
#define ZSTR_CLI_PLOT_H

#include <stddef.h>
#include <stdint.h>

/* One spectrum: n frequencies f (Hz) and impedances z interleaved (Z', Z'')
 * in Ω, Z'' < 0 capacitive.  label may be NULL ("series k" is shown). */
typedef struct zp_series {
    const char *label;
    int64_t n;
    const double *f;
    const double *z;
} zp_series;

/* Which panels: ZP_BOTH is Nyquist left, Bode right (the default). */
enum { ZP_BOTH = 0, ZP_NYQUIST = 1, ZP_BODE = 2,
       ZP_DRT = 3, /* set by zp_plot_drt (zp_plot rejects it) */
       ZP_FIT = 4, /* set by zp_plot_fit: Nyquist left, residuals right */
       ZP_POLES = 5, /* zp_plot_poles: Nyquist left, exact relaxation times right */
       ZP_SERIES_DRT = 6, /* set by zp_plot_series_drt: Nyquist left, DRTs right */
       ZP_DRT_POLES = 7   /* set by zp_plot_drt_poles: DRT above, exact relaxation times below */ };

typedef struct zp_options {
    int area_specific; /* nonzero: plot Z·area_cm2 in Ω·cm² */
    double area_cm2;   /* electrode area in cm² (> 0 when area_specific) */
    const char *title; /* NULL or "": no title */
    int kind;          /* ZP_BOTH, ZP_NYQUIST or ZP_BODE */
    double width_pt;   /* figure size in points; 0 = default for the kind */
    double height_pt;
    double dpi;         /* PNG resolution (pixels = points · dpi / 72); 0 = 150 */
    double nyquist_max; /* zoom: Nyquist axes up to this value in the plotted
                         * unit (Ω or Ω·cm²), the rest clipped; 0 = all data */
    double xlim[2];     /* Nyquist Z' range in the plotted unit; {0, 0} = from
                         * the data; lo < hi (both > 0 on a log axis) */
    double ylim[2];     /* Nyquist −Z'' range, the same way */
    int logx, logy;     /* Nyquist axes logarithmic (decades; values ≤ 0 are
                         * not drawn).  Series whose sizes differ by decades
                         * (temperature series) stay readable.  Linear axes
                         * keep equal scales; a log axis fills its side. */
} zp_options;

/* Defaults: no area scaling, no title, ZP_BOTH, default size, 150 dpi, no
 * zoom. */
void zp_options_default(zp_options *o);

/* Draw nseries spectra (0 ≤ nseries ≤ ZP_MAX_SERIES) to path; the format
 * follows the extension (.svg, .png, .pdf, case-insensitive).  o may be NULL
 * (defaults).  Returns 0, or -1 with a one-line message in msg naming the
 * path and the cause; on failure no file is created or changed. */
int zp_plot(const char *path, const zp_series *s, int nseries, const zp_options *o, char *msg,
            size_t msgsize);

#define ZP_MAX_SERIES 1024

#define ZP_MAX_PANELS 4
#define ZP_MAX_MARKS 64

/* Where the legends and panels went, for tests: rectangles x, y, w, h in points. */
typedef struct zp_geometry {
    int nlegends;         /* 0 to 2 (Nyquist and Bode panels of their own kind) */
    double legend[2][4];  /* legend boxes */
    double panel[2][4];   /* the plotting box each legend sits in */
    double text_right;    /* max over legend text lines of (right end − legend
                           * right edge): ≤ 0 when every line fits */
    int truncated;        /* some legend text was cut with "…" */
    int npanels;          /* plotting boxes drawn, in drawing order */
    double box[ZP_MAX_PANELS][4];   /* x, y, w, h in points */
    double range[ZP_MAX_PANELS][4]; /* axis ranges x lo, hi, y lo, hi (log10 on a log axis) */
    int log[ZP_MAX_PANELS][2];      /* x, y axis logarithmic */
    int nmarks;                     /* DRT peak marks drawn */
    double mark[ZP_MAX_MARKS][2];   /* tip of each mark (on the curve), points */
} zp_geometry;

/* Lay out and draw the figure as zp_plot would (on a recording surface, no
 * file) and report the legends' geometry.  Returns 0, or -1 with msg. */
int zp_plot_geometry(const zp_series *s, int nseries, const zp_options *o, zp_geometry *geo,
                     char *msg, size_t msgsize);

/* ---- DRT and fit figures -------------------------------------------------- */

/* One DRT: γ(τ) [Ω per unit ln τ] at n τ [s] (ascending), and the τ of its
 * peaks (marked with a triangle on the curve; the first series' peaks are
 * labelled with their τ).  label may be NULL. */
typedef struct zp_drt_series {
    const char *label;
    int64_t n;
    const double *tau;
    const double *gamma;
    int npeaks;
    const double *peak_tau;
} zp_drt_series;

/* Draw nd DRTs overlaid: γ (linear, from 0, SI prefix) against τ on a log
 * axis of whole decades, colours and legend as zp_plot.  o->kind is ignored
 * (ZP_DRT); the Nyquist options are unused.  Returns 0 or -1 with msg; no
 * file on failure. */
int zp_plot_drt(const char *path, const zp_drt_series *d, int nd, const zp_options *o, char *msg,
                size_t msgsize);
int zp_plot_drt_geometry(const zp_drt_series *d, int nd, const zp_options *o, zp_geometry *geo,
                         char *msg, size_t msgsize);

/* A circuit fit: the data (open circles), the model on a fine grid (a line
 * over them) and the residuals at the data's frequencies, 2·data.n values
 * (re, im) in % — (Z_data − Z_model)/|Z_data| by convention. */
typedef struct zp_fit_plot {
    zp_series data;  /* label NULL: "data" */
    zp_series model; /* label NULL: "fit" */
    const double *residual;
} zp_fit_plot;

/* Draw a fit: Nyquist of data and model (as zp_plot, equal scales, decade
 * markers) left, residuals of the real and imaginary parts against f (log
 * axis, symmetric about 0) right.  o->kind is ignored (ZP_FIT). */
int zp_plot_fit(const char *path, const zp_fit_plot *fp, const zp_options *o, char *msg,
                size_t msgsize);
int zp_plot_fit_geometry(const zp_fit_plot *fp, const zp_options *o, zp_geometry *geo, char *msg,
                         size_t msgsize);

/* The paper's Figure 3 layout: n spectra in a Nyquist panel (left, as
 * zp_plot, with the legend) and their DRTs overlaid in a DRT panel (right, as
 * zp_plot_drt, same colours: d[j] belongs to s[j]).  o->kind is ignored
 * (ZP_SERIES_DRT); the Nyquist options apply to the left panel. */
int zp_plot_series_drt(const char *path, const zp_series *s, const zp_drt_series *d, int n,
                       const zp_options *o, char *msg, size_t msgsize);
int zp_plot_series_drt_geometry(const zp_series *s, const zp_drt_series *d, int n,
                                const zp_options *o, zp_geometry *geo, char *msg,
                                size_t msgsize);
/* The network's exact relaxation-time spectrum of one spectrum (the poles
 * of its reduced model): Z(s) = Σ R_k/(1 + sτ_k) over n terms, τ in s and R
 * in Ω (R∞, a term with τ = 0, is not drawn: it has no place on a log τ
 * axis).  label may be NULL. */
typedef struct zp_poles_series {
    const char *label;
    int64_t n;
    const double *tau;
    const double *r;
} zp_poles_series;

/* Draw ns spectra as a Nyquist plot (as zp_plot) left and, right, each
 * spectrum's relaxation times as stems: a vertical line from 0 to R_k at τ_k
 * on a log τ axis of whole decades, a dot at its top, in the spectrum's
 * colour (Ω·cm² with area_specific).  p holds ns entries.  o->kind is
 * ignored (ZP_POLES).  Returns 0 or -1 with msg; no file on failure. */
int zp_plot_poles(const char *path, const zp_series *s, const zp_poles_series *p, int ns,
                  const zp_options *o, char *msg, size_t msgsize);
int zp_plot_poles_geometry(const zp_series *s, const zp_poles_series *p, int ns,
                           const zp_options *o, zp_geometry *geo, char *msg, size_t msgsize);

/* A regularised DRT (as zp_plot_drt, peaks marked) above the network's exact
 * relaxation times below (stems as zp_plot_poles), one τ axis of whole decades
 * covering both, so a DRT peak and the poles it stands for line up: the
 * comparison a simulated spectrum allows.  p holds nd entries (one per DRT).
 * o->kind is ignored (ZP_DRT_POLES).  Returns 0 or -1 with msg; no file on
 * failure. */
int zp_plot_drt_poles(const char *path, const zp_drt_series *d, const zp_poles_series *p, int nd,
                      const zp_options *o, char *msg, size_t msgsize);
int zp_plot_drt_poles_geometry(const zp_drt_series *d, const zp_poles_series *p, int nd,
                               const zp_options *o, zp_geometry *geo, char *msg,
                               size_t msgsize);

/* Release the process-wide font and surface caches of cairo (and
 * fontconfig), so leak checkers see a clean exit.  Call once at the end,
 * when no thread draws; optional. */
void zp_cleanup(void);

/* ---- Internal helpers, exposed for the tests --------------------------- */

/* Ticks at multiples of a 1-2-5 step (1, 2 or 5 times a power of ten) that
 * cover [lo, hi]: ticks[0] ≤ lo, ticks[*n-1] ≥ hi (within 1e-9 of a step),
 * *n ≤ max, with the smallest such step.  lo == hi is widened around the
 * value.  Returns 0, or -1 when lo or hi is not finite, lo > hi or max < 3. */
int zp_nice_ticks(double lo, double hi, int max, double *ticks, int *n);

/* Axes of a Nyquist box with equal scales. */
typedef struct zp_nyquist_frame {
    double xlo, xhi, ylo, yhi; /* axis ranges in data units */
    double step;               /* common tick step of both axes */
    double w, h;               /* plotting box in points (= the room given) */
    double sx, sy;             /* points per data unit on x and y (equal) */
} zp_nyquist_frame;

/* Lay out a Nyquist box for data within [xmin, xmax] × [ymin, ymax] (y is
 * −Z'') in a room of avail_w × avail_h points, ticks at least min_tick_pt
 * apart (capped at half the smaller side).  Both ranges include 0 and get 3 %
 * air away from 0; the axis that limits the scale is rounded out to a
 * multiple of the step, the other is extended to fill the room, so the box
 * is the whole room.  Empty data (xmin > xmax or not finite) gives [0, 1]².
 * Returns 0, or -1 when the room or min_tick_pt is not positive and finite. */
int zp_nyquist_layout(double xmin, double xmax, double ymin, double ymax, double avail_w,
                      double avail_h, double min_tick_pt, zp_nyquist_frame *fr);

/* As zp_nyquist_layout, with axes the user fixed or made logarithmic; ranges
 * in data coordinates (log10 of the value on a log axis).  An axis with
 * fix[a] spans exactly [lo, hi]; a free log axis spans the data's whole
 * decades, a free linear one includes 0 with 3 % air.  Two linear axes keep
 * equal scales (sx == sy): a free one is extended to fill its side, and with
 * both fixed the box is narrower or lower than the room.  A log axis fills
 * its side.  step is the tick step of the linear axis (axes).  Returns 0, or
 * -1 for a bad room. */
int zp_nyquist_limits(double xlo, double xhi, double ylo, double yhi, const int fix[2],
                      const int logs[2], double avail_w, double avail_h, double min_tick_pt,
                      zp_nyquist_frame *fr);

/* A decade frequency 10^k and Z interpolated there. */
typedef struct zp_decade {
    int k;         /* exponent: f = 10^k Hz */
    double zr, zi; /* Z', Z'' at f (Ω) */
    int64_t seg;   /* interpolated between samples seg and seg + 1 */
} zp_decade;

/* The decade frequencies inside the sampled span of one series, each once,
 * in the order met: between samples i and i+1 (both finite, f > 0) Z is
 * interpolated linearly in log10 f.  At most max are stored (k within
 * [-30, 30]).  Returns the count. */
int zp_decade_markers(int64_t n, const double *f, const double *z, zp_decade *out, int max);

#endif
