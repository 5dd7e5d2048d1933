/*
 * an_spectrum.c — the zstr_spectrum value type and its file readers.
 *
 * A spectrum is n points (f_k, Z_k) plus metadata.  Readers turn one text file
 * into one spectrum; every reader is a loop over the file's lines with the
 * 1-based line number at hand, so every refusal says where it happened.
 *
 * Layouts read (documented in zstr_analysis.h; the test suite writes a file of
 * each from a formula and reads it back):
 *
 *   CSV     libzstr's own: line 1 "# f_Hz,Zre_Ohm,Zim_Ohm,...", then '#' lines
 *           (one is "# area A = Lx*Ly = V cm^2"), then rows.  Generic: the
 *           first line that is not a '#' comment names the columns (',' ';'
 *           or tab separated; ';' and tab allow a decimal comma); or, when
 *           that line is all numbers, the columns are f, Z', Z''.
 *   MPT     BioLogic EC-Lab text export: "EC-Lab ASCII FILE", then
 *           "Nb header lines : N"; line N holds the tab-separated column names
 *           ("freq/Hz", "Re(Z)/Ohm", "-Im(Z)/Ohm", "|Z|/Ohm", "Phase(Z)/deg"),
 *           rows follow.  A file without the two first lines starts at the
 *           column names.
 *   DTA     Gamry EXPLAIN: tab-separated KEY TYPE VALUE lines ("AREA QUANT v"
 *           in cm²), then "ZCURVE TABLE [count]", a names line (Pt Time Freq
 *           Zreal Zimag ... Zmod Zphz), a units line, then rows that begin
 *           with a tab.  The table ends at the first line that does not.
 *           Zimag carries its sign (negative = capacitive).  A declared count
 *           must match.
 *   ZPLOT   ZView/ZPlot: a header ending in the line "End Comments", then rows
 *           Freq, Ampl, Bias, Time, Z', Z'', ... (comma or tab separated);
 *           Z'' carries its sign.
 *
 * Column names are matched case-insensitively after removing spaces and
 * quotes; the first column that matches a role takes it (so "Zre_Ohm" wins
 * over "Zre_Ohm_cm2").  A leading '-' in the imaginary or phase column's name
 * means the column holds −Z''.
 *
 * A row with f = 0 exactly is the DC point (zstr run writes R_DC there, or
 * inf for an open circuit): it is not a point of Z(ω) for the analyses and is
 * skipped whatever its Z fields hold, so that every spectrum zstr run writes
 * can be read back.  A negative frequency is still refused.
 *
 * Invariants of every spectrum made here: n >= 1, every f_k finite and > 0,
 * every Z_k finite.  A number is a whole field: "1.5x" is refused, not read
 * as 1.5; nan and inf are refused.  Numbers are parsed under a thread-local C
 * locale (as io_csv.c formats them), never the process locale.
 */
#include "an_internal.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZS_MAX_FIELDS 128
#define ZS_MAX_FILE_BYTES ((size_t)1 << 30)

/* ------------------------------------------------------------------------- */
/* The value type                                                            */
/* ------------------------------------------------------------------------- */

int zs_an_options(const void *given, void *local, size_t first, size_t current,
                  const char *what, zstr_error *err)
{
    if (given == NULL)
        return ZSTR_OK;
    size_t size;
    memcpy(&size, given, sizeof size);
    int rc = zs_check_size(size, first, current, what, err);
    if (rc != ZSTR_OK)
        return rc;
    memcpy(local, given, size);
    memcpy(local, &current, sizeof current);
    return ZSTR_OK;
}

void zstr_read_options_default(zstr_read_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->format = ZSTR_FORMAT_AUTO;
    o->sign = ZSTR_SIGN_AUTO;
}

static int spectrum_alloc(int64_t n, zstr_spectrum **out)
{
    zstr_spectrum *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ZSTR_ENOMEM;
    s->f = zs_malloc_array((size_t)n, sizeof *s->f);
    s->z = zs_malloc_array((size_t)n, 2 * sizeof *s->z);
    if (s->f == NULL || s->z == NULL) {
        zstr_spectrum_free(s);
        return ZSTR_ENOMEM;
    }
    s->n = n;
    s->format = ZSTR_FORMAT_MEMORY;
    *out = s;
    return ZSTR_OK;
}

int zstr_spectrum_create(int64_t n, const double *f, const double *z, zstr_spectrum **out,
                         zstr_error *err)
{
    zs_error_clear(err);
    if (out != NULL)
        *out = NULL;
    if (out == NULL || f == NULL || z == NULL || n < 1 || n > ((int64_t)1 << 40))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_spectrum_create: need n >= 1 and non-NULL arrays");
    for (int64_t k = 0; k < n; k++) {
        if (!isfinite(f[k]) || f[k] <= 0.0)
            return zs_error(err, ZSTR_EINVAL,
                            "zstr_spectrum_create: frequency %lld is %g; must be finite "
                            "and > 0",
                            (long long)k, f[k]);
        if (!isfinite(z[2 * k]) || !isfinite(z[2 * k + 1]))
            return zs_error(err, ZSTR_EINVAL,
                            "zstr_spectrum_create: impedance %lld is not finite",
                            (long long)k);
    }
    zstr_spectrum *s = NULL;
    if (spectrum_alloc(n, &s) != ZSTR_OK)
        return zs_error(err, ZSTR_ENOMEM, "zstr_spectrum_create: out of memory");
    memcpy(s->f, f, (size_t)n * sizeof *f);
    memcpy(s->z, z, (size_t)n * 2 * sizeof *z);
    *out = s;
    return ZSTR_OK;
}

int zstr_spectrum_copy(const zstr_spectrum *s, zstr_spectrum **out, zstr_error *err)
{
    if (s == NULL) {
        if (out != NULL)
            *out = NULL;
        return zs_error(err, ZSTR_EINVAL, "zstr_spectrum_copy: NULL spectrum");
    }
    int rc = zstr_spectrum_create(s->n, s->f, s->z, out, err);
    if (rc != ZSTR_OK)
        return rc;
    (*out)->area = s->area;
    (*out)->temperature = s->temperature;
    (*out)->format = s->format;
    memcpy((*out)->source, s->source, sizeof s->source);
    return ZSTR_OK;
}

void zstr_spectrum_free(zstr_spectrum *s)
{
    if (s == NULL)
        return;
    free(s->f);
    free(s->z);
    free(s);
}

int64_t zstr_spectrum_count(const zstr_spectrum *s) { return s ? s->n : 0; }
const double *zstr_spectrum_frequencies(const zstr_spectrum *s) { return s ? s->f : NULL; }
const double *zstr_spectrum_impedance(const zstr_spectrum *s) { return s ? s->z : NULL; }
double zstr_spectrum_area(const zstr_spectrum *s) { return s ? s->area : 0.0; }
double zstr_spectrum_temperature(const zstr_spectrum *s) { return s ? s->temperature : 0.0; }
int zstr_spectrum_format(const zstr_spectrum *s) { return s ? s->format : ZSTR_FORMAT_AUTO; }
const char *zstr_spectrum_source(const zstr_spectrum *s) { return s ? s->source : NULL; }

int zstr_spectrum_set_area(zstr_spectrum *s, double area, zstr_error *err)
{
    if (s == NULL || !isfinite(area) || area < 0.0)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_spectrum_set_area: area must be finite and >= 0 (0 = unknown)");
    s->area = area;
    return ZSTR_OK;
}

int zstr_spectrum_set_temperature(zstr_spectrum *s, double t, zstr_error *err)
{
    if (s == NULL || !isfinite(t) || t < 0.0)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_spectrum_set_temperature: temperature must be finite and >= 0 "
                        "(0 = unknown)");
    s->temperature = t;
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* Line reader                                                               */
/* ------------------------------------------------------------------------- */

typedef struct zs_rd {
    const char *name; /* for messages */
    const char *p, *end;
    long line;        /* 1-based number of the current line */
    char *cur;        /* the current line, NUL-terminated, without CR/LF */
    size_t cap;
    zstr_error *err;
    int nomem;
} zs_rd;

static int rd_fail(zs_rd *r, long column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(__printf__, 3, 4)))
#endif
    ;

static int rd_fail(zs_rd *r, long column, const char *fmt, ...)
{
    if (r->err != NULL) {
        char what[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        zs_error(r->err, ZSTR_EINVAL, "%s:%ld: %s", r->name, r->line, what);
        snprintf(r->err->file, sizeof r->err->file, "%s", r->name);
        r->err->line = r->line;
        r->err->column = column;
    }
    return ZSTR_EINVAL;
}

/* Next line into r->cur: 1 when there is one, 0 at the end, -1 on error
 * (a NUL byte, or no memory). */
static int rd_next(zs_rd *r)
{
    if (r->p >= r->end)
        return 0;
    const char *s = r->p;
    const char *e = memchr(s, '\n', (size_t)(r->end - s));
    const char *next = e ? e + 1 : r->end;
    if (e == NULL)
        e = r->end;
    r->line++;
    r->p = next;
    size_t len = (size_t)(e - s);
    if (len > 0 && s[len - 1] == '\r')
        len--;
    if (memchr(s, '\0', len) != NULL)
        return rd_fail(r, 0, "binary data (a NUL byte) in a text file"), -1;
    if (len + 1 > r->cap) {
        size_t cap = len + 1 > 2 * r->cap ? len + 1 : 2 * r->cap;
        char *b = realloc(r->cur, cap);
        if (b == NULL) {
            r->nomem = 1;
            zs_error(r->err, ZSTR_ENOMEM, "%s: out of memory", r->name);
            return -1;
        }
        r->cur = b;
        r->cap = cap;
    }
    memcpy(r->cur, s, len);
    r->cur[len] = '\0';
    return 1;
}

static int rd_status(const zs_rd *r) { return r->nomem ? ZSTR_ENOMEM : ZSTR_EINVAL; }

static int blank(const char *s)
{
    while (*s != '\0' && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/* Split s in place at delim (' ' = runs of blanks); trims blanks and quotes
 * of each field.  Returns the number of fields, or -1 beyond ZS_MAX_FIELDS. */
static int split(char *s, char delim, char **fld)
{
    int n = 0;
    char *p = s;
    for (;;) {
        if (delim == ' ')
            while (*p == ' ' || *p == '\t')
                p++;
        if (delim == ' ' && *p == '\0')
            break;
        if (n == ZS_MAX_FIELDS)
            return -1;
        char *start = p;
        while (*p != '\0' && *p != delim && !(delim == ' ' && *p == '\t'))
            p++;
        int more = *p != '\0';
        *p = '\0';
        while (*start == ' ' || *start == '\t' || *start == '"' || *start == '\'')
            start++;
        char *e = start + strlen(start);
        while (e > start && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '"'))
            *--e = '\0';
        fld[n++] = start;
        if (!more)
            break;
        p++;
    }
    return n;
}

/* A whole field as a finite double; comma = 1 allows a decimal comma. */
static int parse_num(const char *s, int comma, double *v)
{
    char buf[128];
    size_t len = strlen(s);
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len + 1);
    if (comma) {
        char *c = strchr(buf, ',');
        if (c != NULL && strchr(buf, '.') == NULL)
            *c = '.';
    }
    char *end = NULL;
    errno = 0;
    double x = strtod(buf, &end);
    if (end == buf || *end != '\0' || !isfinite(x) || (errno == ERANGE && fabs(x) > 1.0))
        return -1;
    *v = x;
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Columns and points                                                        */
/* ------------------------------------------------------------------------- */

/* Where the quantities are; -1 = absent. */
typedef struct zs_cols {
    int f, re, im, mod, ph;
    int im_neg, ph_neg; /* the name says the column holds −Z'' (−φ) */
    int ph_rad;
    int named_sign;     /* the format fixes the sign: no majority rule */
} zs_cols;

static void cols_none(zs_cols *c)
{
    c->f = c->re = c->im = c->mod = c->ph = -1;
    c->im_neg = c->ph_neg = c->ph_rad = c->named_sign = 0;
}

static void normalise(const char *in, char *out, size_t size)
{
    size_t k = 0;
    for (; *in != '\0' && k + 1 < size; in++) {
        if (*in == ' ' || *in == '"' || *in == '\t')
            continue;
        out[k++] = (char)tolower((unsigned char)*in);
    }
    out[k] = '\0';
}

static int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static int any_of(const char *s, const char *const *list, int prefix)
{
    for (; *list != NULL; list++) {
        if (prefix ? starts(s, *list) : strstr(s, *list) != NULL)
            return 1;
    }
    return 0;
}

/* Give field k the role its name says, unless the role is taken. */
static void classify(zs_cols *c, int k, const char *name)
{
    static const char *const freq[] = {"freq", "f_hz", "f/hz", "f(hz)", "f[hz]", NULL};
    static const char *const re[] = {"zre", "z_re", "re(z)", "zreal", "z_real", "real(z)",
                                     "z'(", "z'/", "z'_", NULL};
    static const char *const im[] = {"zim", "z_im", "im(z)", "zimag", "z_imag", "imag(z)",
                                     "z''", "z\"", NULL};
    static const char *const mod[] = {"|z|", "zmod", "zmag", "mod(z)", "abs(z)", "z_abs",
                                      "zabs", "z_mod", NULL};
    static const char *const ph[] = {"phase", "zphz", "phi", "theta", NULL};
    char s[128];
    normalise(name, s, sizeof s);
    int neg = s[0] == '-';
    const char *b = neg ? s + 1 : s;
    if (c->f < 0 && (any_of(b, freq, 1) || strcmp(b, "f") == 0)) {
        c->f = k;
    } else if (c->im < 0 && any_of(b, im, 0)) {
        c->im = k;
        c->im_neg = neg;
    } else if (c->re < 0 && (any_of(b, re, 0) || strcmp(b, "z'") == 0)) {
        c->re = k;
    } else if (c->mod < 0 && any_of(b, mod, 0)) {
        c->mod = k;
    } else if (c->ph < 0 && any_of(b, ph, 0)) {
        c->ph = k;
        c->ph_neg = neg;
        c->ph_rad = strstr(b, "rad") != NULL;
    }
}

static int cols_complete(const zs_cols *c)
{
    return c->f >= 0 && ((c->re >= 0 && c->im >= 0) || (c->mod >= 0 && c->ph >= 0));
}

typedef struct zs_pts {
    double *f, *a, *b; /* f, and (Z', Z'') or (|Z|, φ) as read */
    int64_t n, cap;
} zs_pts;

static void pts_free(zs_pts *p)
{
    free(p->f);
    free(p->a);
    free(p->b);
}

static int pts_push(zs_pts *p, double f, double a, double b)
{
    if (p->n == p->cap) {
        int64_t cap = p->cap ? 2 * p->cap : 64;
        double *nf = realloc(p->f, (size_t)cap * sizeof *nf);
        if (nf != NULL)
            p->f = nf;
        double *na = realloc(p->a, (size_t)cap * sizeof *na);
        if (na != NULL)
            p->a = na;
        double *nb = realloc(p->b, (size_t)cap * sizeof *nb);
        if (nb != NULL)
            p->b = nb;
        if (nf == NULL || na == NULL || nb == NULL)
            return ZSTR_ENOMEM;
        p->cap = cap;
    }
    p->f[p->n] = f;
    p->a[p->n] = a;
    p->b[p->n] = b;
    p->n++;
    return ZSTR_OK;
}

/* One data row: the needed fields parsed and range-checked into pts. */
static int take_row(zs_rd *r, char **fld, int nf, const zs_cols *c, int comma, zs_pts *pts)
{
    int polar = !(c->re >= 0 && c->im >= 0);
    int ia = polar ? c->mod : c->re, ib = polar ? c->ph : c->im;
    int need = c->f > ia ? c->f : ia;
    need = need > ib ? need : ib;
    if (nf <= need)
        return rd_fail(r, 0, "row has %d fields, the columns need %d", nf, need + 1);
    double v[3];
    int idx[3] = {c->f, ia, ib};
    if (parse_num(fld[c->f], comma, &v[0]) == 0 && v[0] == 0.0)
        return ZSTR_OK; /* the DC row: skipped (see the banner) */
    for (int q = 0; q < 3; q++) {
        if (parse_num(fld[idx[q]], comma, &v[q]) != 0)
            return rd_fail(r, idx[q] + 1, "field %d ('%.40s') is not a finite number",
                           idx[q] + 1, fld[idx[q]]);
    }
    if (v[0] <= 0.0)
        return rd_fail(r, c->f + 1, "frequency %g must be > 0", v[0]);
    if (polar && v[1] < 0.0)
        return rd_fail(r, c->mod + 1, "|Z| = %g is negative", v[1]);
    if (pts_push(pts, v[0], v[1], v[2]) != ZSTR_OK) {
        r->nomem = 1;
        zs_error(r->err, ZSTR_ENOMEM, "%s: out of memory", r->name);
        return ZSTR_ENOMEM;
    }
    return ZSTR_OK;
}

/* Points to a spectrum, with the sign rules of zstr_sign. */
static int finish(zs_rd *r, const zs_pts *p, const zs_cols *c, int sign, int format,
                  double area, zstr_spectrum **out)
{
    if (p->n == 0)
        return rd_fail(r, 0, "no data rows");
    zstr_spectrum *s = NULL;
    if (spectrum_alloc(p->n, &s) != ZSTR_OK) {
        r->nomem = 1;
        return zs_error(r->err, ZSTR_ENOMEM, "%s: out of memory", r->name);
    }
    int polar = !(c->re >= 0 && c->im >= 0);
    int neg = polar ? c->ph_neg : c->im_neg;
    if (sign == ZSTR_SIGN_AUTO && !neg && !c->named_sign) {
        int64_t pos = 0, nonzero = 0;
        for (int64_t k = 0; k < p->n; k++) {
            nonzero += p->b[k] != 0.0;
            pos += p->b[k] > 0.0;
        }
        neg = 2 * pos > nonzero;
    }
    for (int64_t k = 0; k < p->n; k++) {
        double re = p->a[k], im = p->b[k];
        if (polar) {
            double phi = c->ph_rad ? p->b[k] : p->b[k] * (ZS_PI / 180.0);
            re = p->a[k] * cos(phi);
            im = p->a[k] * sin(phi);
        }
        if (neg)
            im = -im;
        if (sign == ZSTR_SIGN_FLIP)
            im = -im;
        s->f[k] = p->f[k];
        s->z[2 * k] = re;
        s->z[2 * k + 1] = im;
    }
    s->format = format;
    s->area = area;
    snprintf(s->source, sizeof s->source, "%s", r->name);
    *out = s;
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* CSV                                                                       */
/* ------------------------------------------------------------------------- */

static char detect_delim(const char *s)
{
    if (strchr(s, '\t') != NULL)
        return '\t';
    if (strchr(s, ';') != NULL)
        return ';';
    if (strchr(s, ',') != NULL)
        return ',';
    return ' ';
}

/* "# area A = Lx*Ly = V cm^2" (zstr_spectrum_write_csv) → area [m²]. */
static void own_area(const char *line, double *area)
{
    if (!starts(line, "# area A ="))
        return;
    const char *eq = strrchr(line, '=');
    char num[64];
    if (eq == NULL || sscanf(eq + 1, " %63s", num) != 1)
        return;
    double v;
    if (parse_num(num, 0, &v) == 0 && v > 0.0)
        *area = v * 1e-4;
}

static int all_numbers(char **fld, int n, int comma)
{
    double v;
    for (int k = 0; k < n; k++) {
        if (parse_num(fld[k], comma, &v) != 0)
            return 0;
    }
    return n > 0;
}

static int read_csv(zs_rd *r, int sign, zstr_spectrum **out)
{
    zs_cols c;
    cols_none(&c);
    zs_pts pts = {0};
    char *fld[ZS_MAX_FIELDS];
    char delim = 0;
    int have_header = 0, comma = 0, rc = ZSTR_OK;
    double area = 0.0;
    int k;
    while ((k = rd_next(r)) == 1) {
        char *s = r->cur;
        if (blank(s))
            continue;
        if (s[0] == '#') {
            own_area(s, &area);
            /* libzstr's own files name the columns behind '#' on line 1 */
            if (!have_header && r->line == 1 && strchr(s, ',') != NULL) {
                char *t = s + 1;
                delim = ',';
                int n = split(t, delim, fld);
                zs_cols t_cols;
                cols_none(&t_cols);
                for (int q = 0; q < n; q++)
                    classify(&t_cols, q, fld[q]);
                if (cols_complete(&t_cols)) {
                    c = t_cols;
                    c.named_sign = 1; /* our own files: Zim is Z'' */
                    have_header = 1;
                }
            }
            continue;
        }
        if (delim == 0 || (!have_header && pts.n == 0)) {
            delim = detect_delim(s);
            comma = delim == ';' || delim == '\t';
        }
        int n = split(s, delim, fld);
        if (n < 0) {
            rc = rd_fail(r, 0, "more than %d fields", ZS_MAX_FIELDS);
            break;
        }
        if (!have_header && pts.n == 0) {
            if (all_numbers(fld, n, comma)) {
                if (n < 3) {
                    rc = rd_fail(r, 0,
                                 "a file without a header needs the columns f, Z', Z''; "
                                 "this row has %d",
                                 n);
                    break;
                }
                c.f = 0, c.re = 1, c.im = 2;
                have_header = 1;
            } else {
                for (int q = 0; q < n; q++)
                    classify(&c, q, fld[q]);
                if (!cols_complete(&c)) {
                    rc = rd_fail(r, 0,
                                 "the header names no %s column (expected e.g. freq/Hz, "
                                 "Z'/Ohm and Z''/Ohm, or |Z| and phase)",
                                 c.f < 0 ? "frequency" : "Z'/Z'' or |Z|/phase");
                    break;
                }
                have_header = 1;
                continue;
            }
        }
        rc = take_row(r, fld, n, &c, comma, &pts);
        if (rc != ZSTR_OK)
            break;
    }
    if (k < 0)
        rc = rd_status(r);
    if (rc == ZSTR_OK)
        rc = finish(r, &pts, &c, sign, ZSTR_FORMAT_CSV, area, out);
    pts_free(&pts);
    return rc;
}

/* ------------------------------------------------------------------------- */
/* BioLogic EC-Lab (.mpt)                                                    */
/* ------------------------------------------------------------------------- */

static int read_mpt(zs_rd *r, int sign, zstr_spectrum **out)
{
    char *fld[ZS_MAX_FIELDS];
    long names_line = 1;
    int k = rd_next(r);
    if (k == 1 && starts(r->cur, "EC-Lab ASCII FILE")) {
        k = rd_next(r);
        long nh = 0;
        char extra;
        if (k != 1 || sscanf(r->cur, "Nb header lines : %ld %c", &nh, &extra) != 1 || nh < 3 ||
            nh > 100000)
            return k < 0 ? rd_status(r)
                         : rd_fail(r, 0, "expected 'Nb header lines : N' (N >= 3) after "
                                         "'EC-Lab ASCII FILE'");
        names_line = nh;
        while (r->line < names_line && (k = rd_next(r)) == 1)
            ;
        if (k == 0)
            return rd_fail(r, 0, "file ends inside the header (%ld header lines declared)",
                           names_line);
    }
    if (k < 0)
        return rd_status(r);
    if (k == 0)
        return rd_fail(r, 0, "empty file");
    zs_cols c;
    cols_none(&c);
    c.named_sign = 1; /* EC-Lab names its sign: "-Im(Z)/Ohm" */
    int n = split(r->cur, '\t', fld);
    for (int q = 0; q < n; q++)
        classify(&c, q, fld[q]);
    if (!cols_complete(&c))
        return rd_fail(r, 0, "line %ld should name the columns (freq/Hz, Re(Z)/Ohm, "
                             "-Im(Z)/Ohm, ...), tab-separated",
                       names_line);
    zs_pts pts = {0};
    int rc = ZSTR_OK;
    while ((k = rd_next(r)) == 1) {
        if (blank(r->cur))
            continue;
        n = split(r->cur, '\t', fld);
        if (n < 0) {
            rc = rd_fail(r, 0, "more than %d fields", ZS_MAX_FIELDS);
            break;
        }
        rc = take_row(r, fld, n, &c, 1, &pts);
        if (rc != ZSTR_OK)
            break;
    }
    if (k < 0)
        rc = rd_status(r);
    if (rc == ZSTR_OK)
        rc = finish(r, &pts, &c, sign, ZSTR_FORMAT_MPT, 0.0, out);
    pts_free(&pts);
    return rc;
}

/* ------------------------------------------------------------------------- */
/* Gamry EXPLAIN (.DTA)                                                      */
/* ------------------------------------------------------------------------- */

/* The ZCURVE table from its names line on; r->cur is the "ZCURVE" line. */
static int read_zcurve(zs_rd *r, long declared, int sign, double area, zstr_spectrum **out)
{
    char *fld[ZS_MAX_FIELDS];
    long table_line = r->line;
    int k = rd_next(r);
    if (k != 1)
        return k < 0 ? rd_status(r) : rd_fail(r, 0, "file ends after ZCURVE TABLE");
    zs_cols c;
    cols_none(&c);
    c.named_sign = 1; /* Gamry's Zimag carries its sign */
    int n = split(r->cur, '\t', fld);
    for (int q = 0; q < n; q++) {
        if (strcmp(fld[q], "Pt") != 0 && strcmp(fld[q], "Time") != 0)
            classify(&c, q, fld[q]);
    }
    if (!cols_complete(&c))
        return rd_fail(r, 0, "the ZCURVE names line needs Freq with Zreal and Zimag (or Zmod "
                             "and Zphz)");
    k = rd_next(r); /* units: "#  s  Hz  ohm ..." — text where the rows have numbers */
    double v;
    int units = k == 1 && r->cur[0] == '\t';
    if (units) {
        n = split(r->cur, '\t', fld);
        units = n > c.f && parse_num(fld[c.f], 1, &v) != 0;
    }
    if (!units)
        return k < 0 ? rd_status(r) : rd_fail(r, 0, "expected the ZCURVE units line");
    zs_pts pts = {0};
    int rc = ZSTR_OK;
    while ((k = rd_next(r)) == 1 && r->cur[0] == '\t') {
        n = split(r->cur, '\t', fld);
        if (n < 0) {
            rc = rd_fail(r, 0, "more than %d fields", ZS_MAX_FIELDS);
            break;
        }
        rc = take_row(r, fld, n, &c, 1, &pts);
        if (rc != ZSTR_OK)
            break;
    }
    if (k < 0)
        rc = rd_status(r);
    if (rc == ZSTR_OK && declared >= 0 && pts.n != declared) {
        r->line = table_line;
        rc = rd_fail(r, 0, "ZCURVE declares %ld points, the table has %lld (truncated?)",
                     declared, (long long)pts.n);
    }
    if (rc == ZSTR_OK)
        rc = finish(r, &pts, &c, sign, ZSTR_FORMAT_DTA, area, out);
    pts_free(&pts);
    return rc;
}

static int read_dta(zs_rd *r, int sign, zstr_spectrum **out)
{
    char *fld[ZS_MAX_FIELDS];
    double area = 0.0;
    int k = rd_next(r);
    if (k == 1 && !starts(r->cur, "EXPLAIN"))
        return rd_fail(r, 0, "a Gamry file starts with the line EXPLAIN");
    while (k == 1 && (k = rd_next(r)) == 1) {
        int n = split(r->cur, '\t', fld);
        if (n >= 3 && strcmp(fld[0], "AREA") == 0 && strcmp(fld[1], "QUANT") == 0) {
            double v;
            if (parse_num(fld[2], 1, &v) != 0 || v <= 0.0)
                return rd_fail(r, 3, "AREA '%.40s' is not a number > 0 (cm^2)", fld[2]);
            area = v * 1e-4;
        }
        if (n >= 2 && strcmp(fld[0], "ZCURVE") == 0 && strcmp(fld[1], "TABLE") == 0) {
            long declared = -1;
            double v;
            if (n >= 3 && fld[2][0] != '\0') {
                if (parse_num(fld[2], 0, &v) != 0 || v < 0.0 || v != floor(v) || v > 1e9)
                    return rd_fail(r, 3, "ZCURVE point count '%.40s' is not a count", fld[2]);
                declared = (long)v;
            }
            return read_zcurve(r, declared, sign, area, out);
        }
    }
    if (k < 0)
        return rd_status(r);
    return rd_fail(r, 0, "no ZCURVE TABLE in the file");
}

/* ------------------------------------------------------------------------- */
/* ZView / ZPlot (.z)                                                        */
/* ------------------------------------------------------------------------- */

static int read_zplot(zs_rd *r, int sign, zstr_spectrum **out)
{
    char *fld[ZS_MAX_FIELDS];
    int k;
    while ((k = rd_next(r)) == 1 && !starts(r->cur, "End Comments"))
        ;
    if (k < 0)
        return rd_status(r);
    if (k == 0)
        return rd_fail(r, 0, "no 'End Comments' line: not a ZPlot/ZView file, or truncated "
                             "header");
    zs_cols c;
    cols_none(&c);
    c.f = 0, c.re = 4, c.im = 5;
    c.named_sign = 1; /* Z'' carries its sign */
    zs_pts pts = {0};
    int rc = ZSTR_OK;
    while ((k = rd_next(r)) == 1) {
        if (blank(r->cur))
            continue;
        char delim = strchr(r->cur, ',') ? ',' : strchr(r->cur, '\t') ? '\t' : ' ';
        int n = split(r->cur, delim, fld);
        if (n < 0) {
            rc = rd_fail(r, 0, "more than %d fields", ZS_MAX_FIELDS);
            break;
        }
        double v;
        if (pts.n == 0 && n > 0 && parse_num(fld[0], 0, &v) != 0 && isalpha((unsigned char)fld[0][0]))
            continue; /* a names line after End Comments */
        rc = take_row(r, fld, n, &c, 0, &pts);
        if (rc != ZSTR_OK)
            break;
    }
    if (k < 0)
        rc = rd_status(r);
    if (rc == ZSTR_OK)
        rc = finish(r, &pts, &c, sign, ZSTR_FORMAT_ZPLOT, 0.0, out);
    pts_free(&pts);
    return rc;
}

/* ------------------------------------------------------------------------- */
/* Entry points                                                              */
/* ------------------------------------------------------------------------- */

static int ext_is(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    if (n < e)
        return 0;
    for (size_t i = 0; i < e; i++) {
        if (tolower((unsigned char)name[n - e + i]) != ext[i])
            return 0;
    }
    return 1;
}

static int detect_format(const char *d, size_t len, const char *name)
{
    size_t head = len < 4096 ? len : 4096;
    char buf[4097];
    memcpy(buf, d, head);
    buf[head] = '\0';
    for (size_t i = 0; i < head; i++)
        buf[i] = buf[i] == '\0' ? ' ' : buf[i]; /* strstr on the whole head */
    if (starts(buf, "EC-Lab ASCII FILE") || starts(buf, "freq/Hz\t"))
        return ZSTR_FORMAT_MPT;
    if (starts(buf, "EXPLAIN"))
        return ZSTR_FORMAT_DTA;
    if (starts(buf, "ZPlot") || strstr(buf, "End Comments") != NULL)
        return ZSTR_FORMAT_ZPLOT;
    if (ext_is(name, ".mpt"))
        return ZSTR_FORMAT_MPT;
    if (ext_is(name, ".dta"))
        return ZSTR_FORMAT_DTA;
    if (ext_is(name, ".z"))
        return ZSTR_FORMAT_ZPLOT;
    return ZSTR_FORMAT_CSV;
}

int zstr_spectrum_read_buffer(const char *data, size_t len, const char *name,
                              const zstr_read_options *options, zstr_spectrum **out,
                              zstr_error *err)
{
    zs_error_clear(err);
    if (out != NULL)
        *out = NULL;
    if (name == NULL)
        name = "<memory>";
    if (out == NULL || (data == NULL && len > 0))
        return zs_error(err, ZSTR_EINVAL, "zstr_spectrum_read_buffer: NULL argument");
    zstr_read_options o;
    zstr_read_options_default(&o);
    int rc = zs_an_options(options, &o, ZS_SIZE_UPTO(zstr_read_options, sign), sizeof o,
                           "zstr_read_options", err);
    if (rc != ZSTR_OK)
        return rc;
    if (o.format < ZSTR_FORMAT_AUTO || o.format > ZSTR_FORMAT_ZPLOT || o.sign < 0 ||
        o.sign > ZSTR_SIGN_FLIP)
        return zs_error(err, ZSTR_EINVAL, "zstr_read_options: format %d or sign %d unknown",
                        o.format, o.sign);
    zs_rd r = {name, data, data, 0, NULL, 0, err, 0};
    if (len == 0)
        return rd_fail(&r, 0, "empty file");
    r.end = data + len;
    int format = o.format != ZSTR_FORMAT_AUTO ? o.format : detect_format(data, len, name);
    /* numbers in the C locale for this thread only (see io_csv.c) */
    locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t prev = c != (locale_t)0 ? uselocale(c) : (locale_t)0;
    switch (format) {
    case ZSTR_FORMAT_MPT:
        rc = read_mpt(&r, o.sign, out);
        break;
    case ZSTR_FORMAT_DTA:
        rc = read_dta(&r, o.sign, out);
        break;
    case ZSTR_FORMAT_ZPLOT:
        rc = read_zplot(&r, o.sign, out);
        break;
    default:
        rc = read_csv(&r, o.sign, out);
        break;
    }
    if (prev != (locale_t)0)
        uselocale(prev);
    if (c != (locale_t)0)
        freelocale(c);
    free(r.cur);
    return rc;
}

int zstr_spectrum_read(const char *path, const zstr_read_options *options, zstr_spectrum **out,
                       zstr_error *err)
{
    zs_error_clear(err);
    if (out != NULL)
        *out = NULL;
    if (path == NULL || out == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_spectrum_read: NULL argument");
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        int e = errno;
        zs_error(err, ZSTR_EIO, "%s: cannot open: %s", path, strerror(e));
        if (err != NULL)
            snprintf(err->file, sizeof err->file, "%s", path);
        return ZSTR_EIO;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = ZSTR_OK;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? 2 * cap : 65536;
            if (ncap > ZS_MAX_FILE_BYTES) {
                rc = zs_error(err, ZSTR_EINVAL, "%s: larger than %zu bytes: not a spectrum",
                              path, ZS_MAX_FILE_BYTES);
                break;
            }
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                rc = zs_error(err, ZSTR_ENOMEM, "%s: out of memory", path);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp)) {
                int e = errno;
                rc = zs_error(err, ZSTR_EIO, "%s: read error: %s", path, strerror(e));
            }
            break;
        }
    }
    fclose(fp);
    if (rc == ZSTR_OK)
        rc = zstr_spectrum_read_buffer(buf, len, path, options, out, err);
    else if (err != NULL)
        snprintf(err->file, sizeof err->file, "%s", path);
    free(buf);
    return rc;
}
