/*
 * poles.c — the poles file of `zstr run --poles` read back (poles.h has the
 * format).  Line by line over a buffer with an explicit length, so a NUL or a
 * missing final newline cannot make it read past the data; numbers with
 * strtod under the C locale (the writer's), each field checked to its end.
 */
#include "poles.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZC_POLES_MAX_BYTES (64u << 20)

/* One number of a field [s, e): 0, or -1 when it is not exactly a finite
 * C-locale number. */
static int field_number(const char *s, const char *e, locale_t c, double *v)
{
    char tmp[64];
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    locale_t prev = uselocale(c);
    char *end = NULL;
    errno = 0;
    *v = strtod(tmp, &end);
    uselocale(prev);
    return end == tmp + n && errno != ERANGE && isfinite(*v) ? 0 : -1;
}

static int bad(char *msg, size_t size, const char *name, int64_t line, const char *what)
{
    snprintf(msg, size, "%s:%lld: %s", name, (long long)line, what);
    return -1;
}

int zc_poles_parse(const char *name, const char *buf, size_t len, double **tau, double **r,
                   int64_t *n, double *rinf, char *msg, size_t msgsize)
{
    *tau = *r = NULL;
    *n = 0;
    *rinf = 0.0;
    locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (c == (locale_t)0)
        return bad(msg, msgsize, name, 0, "no C locale");
    size_t cap = 0;
    int64_t line = 0, have_rinf = 0;
    int rc = 0;
    for (size_t pos = 0; pos < len && rc == 0;) {
        const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
        const char *e = nl != NULL ? nl : buf + len;
        pos = (size_t)(e - buf) + (nl != NULL);
        line++;
        if (memchr(s, '\0', (size_t)(e - s)) != NULL) {
            rc = bad(msg, msgsize, name, line, "a NUL byte (not a text file)");
            break;
        }
        size_t ln = (size_t)(e - s);
        if (ln > 0 && s[ln - 1] == '\r')
            ln--;
        if (line == 1) {
            if (ln != 11 || memcmp(s, "tau_s,R_Ohm", 11) != 0)
                rc = bad(msg, msgsize, name, line,
                         "not a poles file: line 1 must be \"tau_s,R_Ohm\" (zstr run --poles)");
            continue;
        }
        if (ln == 0 || s[0] == '#')
            continue;
        const char *comma = memchr(s, ',', ln);
        double t, v;
        if (comma == NULL || memchr(comma + 1, ',', ln - (size_t)(comma + 1 - s)) != NULL) {
            rc = bad(msg, msgsize, name, line, "expected two fields: tau_s,R_Ohm");
        } else if (field_number(s, comma, c, &t) != 0 || field_number(comma + 1, s + ln, c, &v) != 0) {
            rc = bad(msg, msgsize, name, line, "a field is not a finite number");
        } else if (t < 0.0 || v < 0.0) {
            rc = bad(msg, msgsize, name, line, "tau_s and R_Ohm must be >= 0");
        } else if (t == 0.0) {
            if (have_rinf++)
                rc = bad(msg, msgsize, name, line, "a second tau = 0 row (R_inf)");
            *rinf = v;
        } else {
            if ((size_t)*n == cap) {
                size_t nc = cap ? 2 * cap : 64;
                double *a = realloc(*tau, nc * sizeof *a);
                if (a != NULL)
                    *tau = a;
                double *b = a != NULL ? realloc(*r, nc * sizeof *b) : NULL;
                if (b != NULL)
                    *r = b;
                if (a == NULL || b == NULL) {
                    rc = bad(msg, msgsize, name, line, "out of memory");
                    break;
                }
                cap = nc;
            }
            (*tau)[*n] = t;
            (*r)[*n] = v;
            (*n)++;
        }
    }
    if (rc == 0 && line == 0)
        rc = bad(msg, msgsize, name, 1, "empty file: line 1 must be \"tau_s,R_Ohm\"");
    freelocale(c);
    if (rc != 0) {
        free(*tau);
        free(*r);
        *tau = *r = NULL;
        *n = 0;
        *rinf = 0.0;
    }
    return rc;
}

int zc_poles_read(const char *path, double **tau, double **r, int64_t *n, double *rinf,
                  char *msg, size_t msgsize)
{
    *tau = *r = NULL;
    *n = 0;
    *rinf = 0.0;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
        return -1;
    }
    long size = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
    if (size < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        snprintf(msg, msgsize, "%s: cannot be read as a file", path);
        return -1;
    }
    if ((unsigned long)size > ZC_POLES_MAX_BYTES) {
        fclose(fp);
        snprintf(msg, msgsize, "%s: larger than 64 MiB: not a poles file", path);
        return -1;
    }
    char *buf = malloc((size_t)size + 1u);
    size_t len = buf != NULL ? fread(buf, 1, (size_t)size, fp) : 0;
    int err = ferror(fp);
    fclose(fp);
    int rc;
    if (buf == NULL)
        rc = (snprintf(msg, msgsize, "%s: out of memory", path), -1);
    else if (err || len != (size_t)size)
        rc = (snprintf(msg, msgsize, "%s: read error", path), -1);
    else
        rc = zc_poles_parse(path, buf, len, tau, r, n, rinf, msg, msgsize);
    free(buf);
    return rc;
}
