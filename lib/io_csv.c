/*
 * io_csv.c — spectrum files (CSV) and the human-readable model summary.
 *
 * A spectrum file is plain CSV that numpy, pandas, R, gnuplot and spreadsheets
 * read with no option beyond "comments start with '#'":
 *
 *   # f_Hz,Zre_Ohm,Zim_Ohm,Zre_Ohm_cm2,Zim_Ohm_cm2 column names (line 1)
 *   # libzstr 0.2.0 spectrum                       provenance block: version,
 *   # grid: 4 x 4 x 8 voxels, ...                  zstr_model_describe() text,
 *   # ...                                          units, area, contact
 *   # <caller's comment lines>                     fractions, R_DC, comment
 *   1000,12.5,-3.25,0.000125,-3.25e-05             one row per frequency
 *
 * Why the names come first, behind '#': numpy.genfromtxt(names=True,
 * comments='#') takes the first line that is not empty after removing its '#'
 * as the column names, so any '#' line above the names would become the names;
 * and readers that know no names (impedance.py's readCSV is a plain
 * genfromtxt(delimiter=',')) skip the line as a comment instead of turning it
 * into a row of NaN.
 * The area-specific columns are Z·A with A = Lx·Ly in cm², the same A that the
 * header prints, so Z·A can be checked exactly.
 *
 * Numbers: %.17g round-trips every double.  The formatted decimal point follows
 * LC_NUMERIC, so all formatting runs under a thread-local "C" locale
 * (newlocale + uselocale, POSIX 2008).  The process locale (setlocale) is never
 * touched: other threads and the caller's own output are unaffected.
 *
 * Values: every number is finite except Z(0) = (+inf, 0) of an open circuit,
 * which zstr_execute and zstr_sweep return by contract; it is written "inf",
 * which numpy, pandas and R read as infinity.
 *
 * zstr_spectrum_write_csv_stream writes the same text to the caller's stream,
 * for callers that manage their files (the zstr program removes its
 * temporaries on signals; the library has no signal handling).
 *
 * Atomic replacement: the file is written as <path>.tmpXXXXXX (mkstemp, same
 * directory, so rename() never crosses file systems), flushed, fsync'ed and
 * closed with every error checked, then renamed over <path>.  On any failure
 * the temporary is unlinked, so readers see the old file or the complete new
 * one, never a partial one.
 */
#include "zs_internal.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__GNUC__)
#define ZS_PRINTF(f, a) __attribute__((format(__printf__, f, a)))
#else
#define ZS_PRINTF(f, a)
#endif

/* Significant digits of the human summary: enough for any parameter a user
 * types, few enough to hide the last-bit noise of unit conversions. */
#define ZS_DG "%.10g"

/* ------------------------------------------------------------------------- */
/* Thread-local C numeric locale                                             */
/* ------------------------------------------------------------------------- */

typedef struct zs_c_locale {
    locale_t c;    /* the "C" LC_NUMERIC object, or 0 */
    locale_t prev; /* this thread's locale before, to restore */
} zs_c_locale;

/* Switch this thread to "C" numbers; returns 0, or -1 when no locale object
 * could be made (glibc and musl return a static object for "C", so in
 * practice this does not fail). */
static int c_locale_enter(zs_c_locale *l)
{
    l->prev = (locale_t)0;
    l->c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (l->c == (locale_t)0)
        return -1;
    l->prev = uselocale(l->c);
    if (l->prev == (locale_t)0) {
        freelocale(l->c);
        l->c = (locale_t)0;
        return -1;
    }
    return 0;
}

static void c_locale_leave(zs_c_locale *l)
{
    if (l->c == (locale_t)0)
        return;
    uselocale(l->prev); /* LC_GLOBAL_LOCALE when the thread had none of its own */
    freelocale(l->c);
    l->c = (locale_t)0;
}

/* ------------------------------------------------------------------------- */
/* Text with snprintf semantics                                              */
/* ------------------------------------------------------------------------- */

/* len counts every byte the full text needs; at most size - 1 are stored and
 * buf stays NUL-terminated whenever size > 0. */
typedef struct zs_text {
    char *buf;
    size_t size;
    size_t len;
} zs_text;

static void text_printf(zs_text *t, const char *fmt, ...) ZS_PRINTF(2, 3);

static void text_printf(zs_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k;
    if (t->buf != NULL && t->len < t->size)
        k = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
    else
        k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k > 0)
        t->len += (size_t)k;
}

/* ------------------------------------------------------------------------- */
/* Model summary                                                             */
/* ------------------------------------------------------------------------- */

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Distinct grain ids >= 0 and the voxels with id < 0.  A bitmap over 0..max id
 * when it is no larger than a copy of the ids, else a sorted copy (ids need
 * not be dense).  Returns -1 when the scratch memory is not available. */
static int64_t count_grains(const int32_t *g, int64_t nvox, int64_t *no_grain)
{
    int32_t maxid = -1;
    int64_t none = 0;
    for (int64_t i = 0; i < nvox; i++) {
        if (g[i] < 0)
            none++;
        else if (g[i] > maxid)
            maxid = g[i];
    }
    *no_grain = none;
    if (maxid < 0)
        return 0;
    int64_t count = 0;
    size_t nbytes = (size_t)maxid / 8 + 1;
    if (nbytes <= (size_t)nvox * sizeof *g) {
        uint8_t *seen = calloc(nbytes, 1);
        if (seen == NULL)
            return -1;
        for (int64_t i = 0; i < nvox; i++) {
            if (g[i] < 0)
                continue;
            uint8_t bit = (uint8_t)(1u << (g[i] & 7));
            if (!(seen[g[i] >> 3] & bit)) {
                seen[g[i] >> 3] |= bit;
                count++;
            }
        }
        free(seen);
        return count;
    }
    int32_t *ids = zs_malloc_array((size_t)(nvox - none), sizeof *ids);
    if (ids == NULL)
        return -1;
    int64_t m = 0;
    for (int64_t i = 0; i < nvox; i++) {
        if (g[i] >= 0)
            ids[m++] = g[i];
    }
    qsort(ids, (size_t)m, sizeof *ids, cmp_int32);
    for (int64_t i = 0; i < m; i++)
        count += i == 0 || ids[i] != ids[i - 1];
    free(ids);
    return count;
}

static const char *phase_name(const zstr_model *m, int id)
{
    return id >= 0 && id < m->nphases ? m->phases[id].name : "(not defined)";
}

static void describe_phases(const zstr_model *m, zs_text *t)
{
    int64_t counts[ZS_MAX_PHASES] = {0};
    int64_t undefined = 0, total = m->nheld;
    if (m->counts != NULL) {
        memcpy(counts, m->counts->phase, sizeof counts);
        undefined = m->counts->undefined;
        total = m->nvox;
    } else {
        for (int64_t i = 0; i < m->nheld; i++) {
            int32_t l = m->labels[i];
            if (l >= 0 && l < m->nphases)
                counts[l]++;
            else
                undefined++;
        }
    }
    /* ids with no phase (counted by id when the counts came from the processes) */
    for (int p = m->nphases; p < ZS_MAX_PHASES && m->counts != NULL; p++) {
        undefined += counts[p];
        counts[p] = 0;
    }
    if (m->nphases == 0)
        text_printf(t, "phases: none\n");
    else
        text_printf(t, "phases: %d\n", m->nphases);
    for (int p = 0; p < m->nphases; p++) {
        const zs_phase *ph = &m->phases[p];
        double sigma_t = ph->conductivity * zs_arrhenius(ph->activation_energy,
                                                         ph->reference_temperature,
                                                         m->temperature);
        /* 1 S/m = 10 mS/cm */
        text_printf(t, "  phase %d \"%s\": %lld voxels (%.4g %%)\n", p, ph->name,
                    (long long)counts[p], 100.0 * (double)counts[p] / (double)total);
        text_printf(t,
                    "    sigma = " ZS_DG " S/m = " ZS_DG " mS/cm at T_ref = " ZS_DG
                    " K, E_a = " ZS_DG " eV\n",
                    ph->conductivity, 10.0 * ph->conductivity, ph->reference_temperature,
                    ph->activation_energy);
        text_printf(t, "    sigma = " ZS_DG " S/m = " ZS_DG " mS/cm at T = " ZS_DG " K\n",
                    sigma_t, 10.0 * sigma_t, m->temperature);
        text_printf(t, "    eps_r = " ZS_DG "\n", ph->permittivity);
    }
    if (undefined > 0)
        text_printf(t, "  %lld voxels carry a phase id with no phase defined\n",
                    (long long)undefined);
}

static void describe_grains(const zstr_model *m, zs_text *t)
{
    if (m->grains == NULL) {
        text_printf(t, "grains: none\n");
        return;
    }
    int64_t no_grain = 0, ng;
    if (m->counts != NULL) {
        ng = m->counts->grains;
        no_grain = m->counts->no_grain;
    } else {
        ng = count_grains(m->grains, m->nheld, &no_grain);
    }
    if (ng < 0)
        text_printf(t, "grains: not counted (out of memory)");
    else
        text_printf(t, "grains: %lld", (long long)ng);
    text_printf(t, ", %lld voxels in no grain\n", (long long)no_grain);
    text_printf(t, "  boundary: phase %d \"%s\", thickness " ZS_DG " nm\n", m->gb_phase,
                phase_name(m, m->gb_phase), m->gb_thickness * 1e9);
}

static void describe_interface(const zstr_model *m, int e, zs_text *t)
{
    static const char *const label[2] = {"WE (z = Lz)", "CE (z = 0)"};
    const zs_interface *f = &m->iface[e];
    if (!f->present || f->pixels == NULL) {
        text_printf(t, "%s interface: ideal full contact, contact fraction 1\n", label[e]);
        return;
    }
    const zstr_interface_params *p = &f->params;
    double T = m->temperature, tr = p->reference_temperature;
    /* Ohm m^2 -> Ohm cm^2: x 1e4; F/m^2 -> F/cm^2: x 1e-4.  Resistances follow
     * 1/sigma(T) with their own activation energies (as the assembly does). */
    double r_ct = p->contact_resistance * 1e4;
    double r_sei = p->sei_resistance * 1e4;
    text_printf(t, "%s interface: T_ref = " ZS_DG " K\n", label[e], tr);
    if (r_ct == 0.0)
        text_printf(t, "  contact: R_pol = 0 (ideal charge transfer)");
    else
        text_printf(t, "  contact: R_pol = " ZS_DG " Ohm cm^2 (" ZS_DG " at T)", r_ct,
                    r_ct / zs_arrhenius(p->contact_activation_energy, tr, T));
    text_printf(t, ", C_DL = " ZS_DG " F/cm^2, E_a = " ZS_DG " eV\n",
                p->contact_capacitance * 1e-4, p->contact_activation_energy);
    text_printf(t, "  pore: C_pore = " ZS_DG " F/cm^2\n", p->pore_capacitance * 1e-4);
    text_printf(t,
                "  SEI: R_SEI = " ZS_DG " Ohm cm^2 (" ZS_DG " at T), C_SEI = " ZS_DG
                " F/cm^2, E_a = " ZS_DG " eV\n",
                r_sei, r_sei / zs_arrhenius(p->sei_activation_energy, tr, T),
                p->sei_capacitance * 1e-4, p->sei_activation_energy);
    int64_t npix = m->n[0] * m->n[1];
    int64_t count[4] = {0, 0, 0, 0}, unknown = 0;
    for (int64_t i = 0; i < npix; i++) {
        if (f->pixels[i] <= ZSTR_PIXEL_SEI)
            count[f->pixels[i]]++;
        else
            unknown++;
    }
    text_printf(t, "  pixels: %lld contact, %lld pore, %lld SEI, %lld free surface",
                (long long)count[ZSTR_PIXEL_CONTACT], (long long)count[ZSTR_PIXEL_PORE],
                (long long)count[ZSTR_PIXEL_SEI], (long long)count[ZSTR_PIXEL_NONE]);
    if (unknown > 0)
        text_printf(t, ", %lld unknown", (long long)unknown);
    text_printf(t, " of %lld; contact fraction " ZS_DG "\n", (long long)npix,
                zstr_model_contact_fraction(m, e));
}

/* The summary, formatted in whatever locale the caller has set up. */
static void describe_model(const zstr_model *m, zs_text *t)
{
    double L[3];
    for (int i = 0; i < 3; i++)
        L[i] = (double)m->n[i] * m->h[i];
    text_printf(t,
                "grid: %lld x %lld x %lld voxels, h = " ZS_DG " x " ZS_DG " x " ZS_DG " um\n",
                (long long)m->n[0], (long long)m->n[1], (long long)m->n[2], m->h[0] * 1e6,
                m->h[1] * 1e6, m->h[2] * 1e6);
    text_printf(t,
                "box: Lx x Ly x Lz = " ZS_DG " x " ZS_DG " x " ZS_DG
                " um (z: transport axis), electrode area " ZS_DG " um^2\n",
                L[0] * 1e6, L[1] * 1e6, L[2] * 1e6, L[0] * L[1] * 1e12);
    text_printf(t, "voxels: %lld\n", (long long)m->nvox);
    if (m->nheld != m->nvox && m->counts == NULL)
        text_printf(t, "held: layers %lld..%lld (%lld voxels; the counts below are theirs)\n",
                    (long long)m->z_lo, (long long)m->z_hi - 1, (long long)m->nheld);
    text_printf(t, "temperature: " ZS_DG " K\n", m->temperature);
    describe_phases(m, t);
    describe_grains(m, t);
    describe_interface(m, ZSTR_WE, t);
    describe_interface(m, ZSTR_CE, t);
}

size_t zstr_model_describe(const zstr_model *model, char *buf, size_t size)
{
    zs_text t = {buf, buf != NULL ? size : 0, 0};
    if (t.size > 0)
        t.buf[0] = '\0';
    if (model == NULL)
        return 0;
    zs_c_locale loc;
    int have_c = c_locale_enter(&loc) == 0;
    describe_model(model, &t);
    if (have_c)
        c_locale_leave(&loc);
    return t.len;
}

/* ------------------------------------------------------------------------- */
/* CSV writer                                                                */
/* ------------------------------------------------------------------------- */

/* A FILE that remembers the errno of its first failed write and ignores
 * everything after it. */
typedef struct zs_out {
    FILE *fp;
    int error;
} zs_out;

static void out_printf(zs_out *o, const char *fmt, ...) ZS_PRINTF(2, 3);

static void out_printf(zs_out *o, const char *fmt, ...)
{
    if (o->error != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    errno = 0;
    if (vfprintf(o->fp, fmt, ap) < 0)
        o->error = errno != 0 ? errno : EIO;
    va_end(ap);
}

static void out_bytes(zs_out *o, const char *s, size_t n)
{
    if (o->error != 0 || n == 0)
        return;
    errno = 0;
    if (fwrite(s, 1, n, o->fp) != n)
        o->error = errno != 0 ? errno : EIO;
}

/* Every line of text as "# line" ("#" when empty).  \n, \r\n and a lone \r all
 * end a line, since Python's universal newlines would read a lone \r as a break
 * and the rest of the line as data.  A final line break adds no empty line. */
static void out_commented(zs_out *o, const char *text)
{
    const char *s = text;
    while (*s != '\0') {
        size_t n = strcspn(s, "\r\n");
        if (n == 0)
            out_bytes(o, "#\n", 2);
        else {
            out_bytes(o, "# ", 2);
            out_bytes(o, s, n);
            out_bytes(o, "\n", 1);
        }
        s += n;
        if (s[0] == '\r' && s[1] == '\n')
            s += 2;
        else if (s[0] != '\0')
            s++;
    }
}

static void write_spectrum(zs_out *o, const zstr_model *m, int64_t n, const double *f,
                           const double *z, const zstr_dc_result *dc, const char *comment,
                           const char *summary)
{
    /* A [cm²] = Lx·Ly [m²] · 1e4; the rows use exactly the value printed here. */
    double area = ((double)m->n[0] * m->h[0]) * ((double)m->n[1] * m->h[1]) * 1e4;
    out_printf(o, "# f_Hz,Zre_Ohm,Zim_Ohm,Zre_Ohm_cm2,Zim_Ohm_cm2\n");
    out_printf(o, "# libzstr %s spectrum\n", zstr_version_string());
    out_commented(o, summary);
    out_printf(o, "# units: f_Hz [Hz]; Z = Zre + j*Zim [Ohm] (Zim < 0: capacitive), "
                  "V_WE / I with the CE grounded; *_Ohm_cm2 = Z*A [Ohm cm^2]\n");
    out_printf(o, "# area A = Lx*Ly = %.17g cm^2\n", area);
    out_printf(o, "# contact fraction: WE %.17g, CE %.17g\n",
               zstr_model_contact_fraction(m, ZSTR_WE),
               zstr_model_contact_fraction(m, ZSTR_CE));
    if (dc != NULL) {
        if (dc->open_circuit)
            out_printf(o, "# R_DC: open circuit (no conductive path joins WE and CE)\n");
        else
            out_printf(o, "# R_DC = %.17g Ohm = %.17g Ohm cm^2\n", dc->resistance,
                       dc->resistance * area);
    }
    if (comment != NULL)
        out_commented(o, comment);
    for (int64_t k = 0; k < n && o->error == 0; k++) {
        double re = z[2 * k], im = z[2 * k + 1];
        out_printf(o, "%.17g,%.17g,%.17g,%.17g,%.17g\n", f[k], re, im, re * area, im * area);
    }
}

static int errno_or_eio(void) { return errno != 0 ? errno : EIO; }

static int io_error(zstr_error *err, const char *path, const char *what, int errnum)
{
    char text[160];
    if (strerror_r(errnum, text, sizeof text) != 0)
        snprintf(text, sizeof text, "errno %d", errnum);
    zs_error(err, ZSTR_EIO, "zstr_spectrum_write_csv: %s '%s': %s", what, path, text);
    if (err != NULL)
        snprintf(err->file, sizeof err->file, "%s", path);
    return ZSTR_EIO;
}

/* +inf is a value only where the library documents it: Z(0) = {+inf, 0} of an
 * open circuit (zstr_execute, zstr_sweep).  %.17g writes it as "inf", which
 * numpy, pandas and R read as infinity.  NaN and every other infinity are
 * refused: they are no impedance. */
static int open_circuit_dc_row(double f, const double z[2], const zstr_dc_result *dc)
{
    return f == 0.0 && z[0] == INFINITY && z[1] == 0.0 && (dc == NULL || dc->open_circuit);
}

static int check_values(const zstr_model *m, int64_t n, const double *f, const double *z,
                        const zstr_dc_result *dc, zstr_error *err)
{
    static const char fn[] = "zstr_spectrum_write_csv";
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: model is NULL", fn);
    if (n < 1)
        return zs_error(err, ZSTR_EINVAL, "%s: n = %lld: a spectrum needs >= 1 frequency", fn,
                        (long long)n);
    if (f == NULL || z == NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: frequencies or z is NULL", fn);
    for (int64_t k = 0; k < n; k++) {
        if (!isfinite(f[k]))
            return zs_error(err, ZSTR_EINVAL,
                            "%s: row %lld: frequencies[%lld] = %g is not finite", fn,
                            (long long)k, (long long)k, f[k]);
        if ((!isfinite(z[2 * k]) || !isfinite(z[2 * k + 1])) &&
            !open_circuit_dc_row(f[k], &z[2 * k], dc))
            return zs_error(err, ZSTR_EINVAL,
                            "%s: row %lld: z = (%g, %g) at f = %g Hz is not finite (only "
                            "Z(0) = (inf, 0) of an open circuit may be)",
                            fn, (long long)k, z[2 * k], z[2 * k + 1], f[k]);
    }
    if (dc != NULL) {
        int rc = zs_check_size(dc->size, ZS_SIZE_UPTO(zstr_dc_result, seconds), sizeof *dc,
                               "zstr_dc_result", err);
        if (rc != ZSTR_OK)
            return rc;
    }
    if (dc != NULL && !dc->open_circuit && !isfinite(dc->resistance))
        return zs_error(err, ZSTR_EINVAL,
                        "%s: dc->resistance = %g is not finite but open_circuit is 0", fn,
                        dc->resistance);
    return ZSTR_OK;
}

/* The model summary under the C locale: in small when it fits (the usual case),
 * else in a malloc'ed buffer; NULL when out of memory. */
static char *make_summary(const zstr_model *m, char *small, size_t nsmall)
{
    zs_c_locale loc;
    if (c_locale_enter(&loc) != 0)
        return NULL;
    char *summary = small;
    zs_text t = {small, nsmall, 0};
    describe_model(m, &t);
    if (t.len >= nsmall) {
        summary = malloc(t.len + 1);
        if (summary != NULL) {
            zs_text big = {summary, t.len + 1, 0};
            describe_model(m, &big);
        }
    }
    c_locale_leave(&loc);
    return summary;
}

/* The whole file into fp under the C locale; 0 or the errno of the first
 * failed write (-1: no C locale). */
static int write_body(FILE *fp, const zstr_model *m, int64_t n, const double *f, const double *z,
                      const zstr_dc_result *dc, const char *comment, const char *summary)
{
    zs_c_locale loc;
    if (c_locale_enter(&loc) != 0)
        return -1;
    zs_out o = {fp, 0};
    write_spectrum(&o, m, n, f, z, dc, comment, summary);
    c_locale_leave(&loc);
    return o.error;
}

/* Write the file as tmp (a mkstemp template next to path) and rename it over
 * path; on any failure the temporary is removed. */
static int write_atomic(const char *path, char *tmp, const zstr_model *m, int64_t n,
                        const double *f, const double *z, const zstr_dc_result *dc,
                        const char *comment, const char *summary, zstr_error *err)
{
    int fd = mkstemp(tmp);
    if (fd < 0)
        return io_error(err, path, "cannot create a temporary file next to", errno_or_eio());
    /* mkstemp makes the file 0600; a spectrum is ordinary data, so keep the
     * permissions of the file it replaces, or rw-r--r--.  Best effort: some file
     * systems refuse chmod, and the data is still right. */
    struct stat st;
    mode_t mode = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (st.st_mode & 0777) : 0644;
    (void)fchmod(fd, mode);

    FILE *fp = fdopen(fd, "w");
    if (fp == NULL) {
        int e = errno_or_eio();
        close(fd);
        unlink(tmp);
        return io_error(err, path, "cannot open a stream to write", e);
    }
    zs_out o = {fp, write_body(fp, m, n, f, z, dc, comment, summary)};
    if (o.error < 0) {
        fclose(fp);
        unlink(tmp);
        return zs_error(err, ZSTR_ENOMEM,
                        "zstr_spectrum_write_csv: cannot create the C locale");
    }
    const char *what = "cannot write";
    errno = 0;
    if (o.error == 0 && fflush(fp) != 0)
        o.error = errno_or_eio();
    /* The data must be on disk before the rename makes it visible as path.
     * EINVAL: this kind of file cannot be synced at all, which is no failure. */
    errno = 0;
    if (o.error == 0 && fsync(fileno(fp)) != 0 && errno != EINVAL) {
        o.error = errno_or_eio();
        what = "cannot sync";
    }
    errno = 0;
    if (fclose(fp) != 0 && o.error == 0) {
        o.error = errno_or_eio();
        what = "cannot close";
    }
    if (o.error == 0 && rename(tmp, path) != 0) {
        o.error = errno_or_eio();
        what = "cannot rename the temporary file to";
    }
    if (o.error != 0) {
        unlink(tmp);
        return io_error(err, path, what, o.error);
    }
    return ZSTR_OK;
}

int zstr_spectrum_write_csv(const char *path, const zstr_model *model, int64_t n,
                            const double *frequencies, const double *z,
                            const zstr_dc_result *dc, const char *comment, zstr_error *err)
{
    static const char fn[] = "zstr_spectrum_write_csv";
    static const char suffix[] = ".tmpXXXXXX";
    zs_error_clear(err);
    if (path == NULL || path[0] == '\0')
        return zs_error(err, ZSTR_EINVAL, "%s: path is NULL or empty", fn);
    int rc = check_values(model, n, frequencies, z, dc, err);
    if (rc != ZSTR_OK)
        return rc;
    char small[4096];
    char *summary = make_summary(model, small, sizeof small);
    size_t plen = strlen(path);
    char *tmp = summary != NULL ? malloc(plen + sizeof suffix) : NULL;
    if (tmp == NULL) {
        rc = zs_error(err, ZSTR_ENOMEM, "%s: out of memory", fn);
    } else {
        memcpy(tmp, path, plen);
        memcpy(tmp + plen, suffix, sizeof suffix);
        rc = write_atomic(path, tmp, model, n, frequencies, z, dc, comment, summary, err);
    }
    free(tmp);
    if (summary != small)
        free(summary);
    return rc;
}

int zstr_spectrum_write_csv_stream(FILE *stream, const zstr_model *model, int64_t n,
                                   const double *frequencies, const double *z,
                                   const zstr_dc_result *dc, const char *comment,
                                   zstr_error *err)
{
    static const char fn[] = "zstr_spectrum_write_csv_stream";
    zs_error_clear(err);
    if (stream == NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: stream is NULL", fn);
    int rc = check_values(model, n, frequencies, z, dc, err);
    if (rc != ZSTR_OK)
        return rc;
    char small[4096];
    char *summary = make_summary(model, small, sizeof small);
    if (summary == NULL)
        return zs_error(err, ZSTR_ENOMEM, "%s: out of memory", fn);
    int e = write_body(stream, model, n, frequencies, z, dc, comment, summary);
    errno = 0;
    if (e == 0 && fflush(stream) != 0)
        e = errno_or_eio();
    if (summary != small)
        free(summary);
    if (e < 0)
        return zs_error(err, ZSTR_ENOMEM, "%s: cannot create the C locale", fn);
    if (e > 0) {
        char text[160];
        if (strerror_r(e, text, sizeof text) != 0)
            snprintf(text, sizeof text, "errno %d", e);
        return zs_error(err, ZSTR_EIO, "%s: cannot write: %s", fn, text);
    }
    return ZSTR_OK;
}
