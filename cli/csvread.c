/*
 * csvread.c — a strict reader of zstr's spectrum CSV files.
 *
 * One pass over the lines with getline (no line length limit, NUL bytes
 * detected through the returned length): the names line must come first, a
 * '#' line is metadata, anything else a data row of exactly as many fields
 * as there are names.  Each field is parsed with strtod under a thread-local
 * C locale and must be consumed whole, so "1,5", "1.2.3", "0x10" or a blank
 * field are errors at their line and column name; nothing partial is ever
 * returned.
 */

#include "csvread.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[5] = {"f_Hz", "Zre_Ohm", "Zim_Ohm", "Zre_Ohm_cm2", "Zim_Ohm_cm2"};

#if defined(__GNUC__)
__attribute__((format(__printf__, 5, 6)))
#endif
static int
fail(char *msg, size_t msgsize, const char *path, long line, const char *fmt, ...)
{
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (msg != NULL && msgsize > 0) {
        if (line > 0)
            snprintf(msg, msgsize, "%s:%ld: %s", path, line, what);
        else
            snprintf(msg, msgsize, "%s: %s", path, what);
    }
    return -1;
}

/* The names line: 3 or 5 columns, or 0 when it is not one. */
static int parse_names(const char *l)
{
    if (strncmp(l, "# ", 2) != 0)
        return 0;
    l += 2;
    int k = 0;
    while (k < 5) {
        size_t n = strlen(names[k]);
        if (strncmp(l, names[k], n) != 0)
            return 0;
        l += n;
        k++;
        if (*l == '\0')
            break;
        if (*l != ',')
            return 0;
        l++;
    }
    return *l == '\0' && (k == 3 || k == 5) ? k : 0;
}

/* A field [p, q) as a double; 0 ok. */
static int parse_field(const char *p, const char *q, double *v)
{
    char buf[64];
    size_t n = (size_t)(q - p);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    if (strcmp(buf, "inf") == 0 || strcmp(buf, "+inf") == 0) {
        *v = INFINITY;
        return 0;
    }
    if (strcmp(buf, "-inf") == 0) {
        *v = -INFINITY;
        return 0;
    }
    if (strcmp(buf, "nan") == 0) {
        *v = NAN;
        return 0;
    }
    /* digits, sign, point and exponent only: no hex, no "infinity", no blanks */
    if (strspn(buf, "0123456789+-.eE") != n)
        return -1;
    char *end;
    errno = 0;
    *v = strtod(buf, &end);
    if (*end != '\0' || end == buf)
        return -1;
    if (errno == ERANGE && !isfinite(*v))
        return -2;
    return 0;
}

static void read_meta(const char *l, zf_spectrum *s)
{
    double a;
    if (sscanf(l, "# area A = Lx*Ly = %lf cm^2", &a) == 1 && a > 0 && isfinite(a))
        s->area_cm2 = a;
    if (sscanf(l, "# contact fraction: WE %lf", &a) == 1 && a >= 0 && a <= 1)
        s->contact = a;
    if (strncmp(l, "# --set ", 8) == 0) {
        size_t u = strlen(s->sets);
        snprintf(s->sets + u, sizeof s->sets - u, "%s%s", u ? ", " : "", l + 8);
    }
}

static int grow(zf_spectrum *s, int64_t *cap, int ncol)
{
    int64_t c = *cap ? 2 * *cap : 256;
    double *f = realloc(s->f, sizeof(double) * (size_t)c);
    if (f == NULL)
        return -1;
    s->f = f;
    double *z = realloc(s->z, sizeof(double) * 2 * (size_t)c);
    if (z == NULL)
        return -1;
    s->z = z;
    if (ncol == 5) {
        double *zc = realloc(s->zc, sizeof(double) * 2 * (size_t)c);
        if (zc == NULL)
            return -1;
        s->zc = zc;
    }
    *cap = c;
    return 0;
}

static int read_stream(FILE *fp, const char *path, zf_spectrum *s, char *msg, size_t msgsize)
{
    char *line = NULL;
    size_t size = 0;
    ssize_t len;
    long ln = 0;
    int ncol = 0, rc = 0;
    int64_t cap = 0;
    while (rc == 0 && (len = getline(&line, &size, fp)) >= 0) {
        ln++;
        if ((size_t)len != strlen(line)) {
            rc = fail(msg, msgsize, path, ln, "NUL byte: not a text file");
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (ncol == 0) {
            ncol = parse_names(line);
            if (ncol == 0)
                rc = fail(msg, msgsize, path, ln,
                          "not a zstr spectrum: line 1 must be '# f_Hz,Zre_Ohm,Zim_Ohm' "
                          "(optionally ',Zre_Ohm_cm2,Zim_Ohm_cm2')");
            continue;
        }
        if (line[0] == '#') {
            read_meta(line, s);
            continue;
        }
        if (strspn(line, " \t") == (size_t)len)
            continue;
        if (s->n == cap && grow(s, &cap, ncol) != 0) {
            rc = fail(msg, msgsize, path, ln, "out of memory");
            break;
        }
        double v[5];
        const char *p = line;
        int k = 0;
        for (;; k++) {
            const char *q = strchr(p, ',');
            if (q == NULL)
                q = p + strlen(p);
            if (k >= ncol) {
                k++;
                break;
            }
            int e = parse_field(p, q, &v[k]);
            if (e != 0) {
                rc = fail(msg, msgsize, path, ln, "%s '%.*s' %s", names[k],
                          (int)((q - p) > 40 ? 40 : (q - p)), p,
                          e == -2 ? "is out of range" : "is not a number");
                break;
            }
            if (*q == '\0') {
                k++;
                break;
            }
            p = q + 1;
        }
        if (rc != 0)
            break;
        if (k != ncol) {
            rc = fail(msg, msgsize, path, ln, "%s%d fields, expected %d (%s)",
                      k > ncol ? "more than " : "", k > ncol ? ncol : k, ncol,
                      ncol == 5 ? "f_Hz,Zre_Ohm,Zim_Ohm,Zre_Ohm_cm2,Zim_Ohm_cm2"
                                : "f_Hz,Zre_Ohm,Zim_Ohm");
            break;
        }
        if (!(isfinite(v[0]) && v[0] >= 0.0)) {
            rc = fail(msg, msgsize, path, ln, "f_Hz must be finite and >= 0");
            break;
        }
        s->f[s->n] = v[0];
        s->z[2 * s->n] = v[1];
        s->z[2 * s->n + 1] = v[2];
        if (ncol == 5) {
            s->zc[2 * s->n] = v[3];
            s->zc[2 * s->n + 1] = v[4];
        }
        s->n++;
    }
    if (rc == 0 && ferror(fp))
        rc = fail(msg, msgsize, path, 0, "read error");
    else if (rc == 0 && ncol == 0)
        rc = fail(msg, msgsize, path, 0, "empty file");
    else if (rc == 0 && s->n == 0)
        rc = fail(msg, msgsize, path, ln, "no data rows");
    free(line);
    return rc;
}

int zf_read(const char *path, zf_spectrum *s, char *msg, size_t msgsize)
{
    memset(s, 0, sizeof *s);
    s->contact = -1.0;
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        char text[160] = "";
        if (strerror_r(errno, text, sizeof text) != 0)
            snprintf(text, sizeof text, "errno %d", errno);
        return fail(msg, msgsize, path, 0, "cannot open: %s", text);
    }
    locale_t cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0), prev = (locale_t)0;
    if (cloc != (locale_t)0)
        prev = uselocale(cloc);
    int rc = read_stream(fp, path, s, msg, msgsize);
    if (cloc != (locale_t)0) {
        if (prev != (locale_t)0)
            uselocale(prev);
        freelocale(cloc);
    }
    fclose(fp);
    if (rc != 0) {
        zf_free(s);
        s->contact = -1.0;
    }
    return rc;
}

void zf_free(zf_spectrum *s)
{
    if (s == NULL)
        return;
    free(s->f);
    free(s->z);
    free(s->zc);
    memset(s, 0, sizeof *s);
}
