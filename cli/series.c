/*
 * series.c — series of runs: member layout (paired or grid), the summary
 * table, the contact-fraction check and the sweep time estimate.
 *
 * Layout.  With strides s_i = Π_{j>i, grid} n_j, member k ↦ (k / s_i) mod n_i
 * enumerates every combination exactly once for k = 0 … Π n_i − 1 (mixed-radix
 * digits of k, the first list the most significant digit); pairing uses
 * s_i = 1, where (k mod n_i) is k for a full list and 0 for a single value.
 */
#include "series.h"

#include "outfile.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

/* "summary 'PATH': what: reason" */
static void say(char *msg, size_t msgsize, const char *lead, const char *path, const char *what,
                int e)
{
    char text[160] = "";
    if (e != 0 && strerror_r(e, text, sizeof text) != 0)
        snprintf(text, sizeof text, "errno %d", e);
    snprintf(msg, msgsize, "%s'%s': %s%s%s", lead, path, what, text[0] ? ": " : "", text);
}

int zr_layout(int ns, const int *n, int grid, int max_members, int *members, int *stride,
              char *why, size_t nwhy)
{
    long long m = 1;
    *members = 1;
    if (grid) {
        for (int i = ns - 1; i >= 0; i--) {
            stride[i] = (int)m;
            m *= n[i];
            if (m > max_members) {
                snprintf(why, nwhy, "--grid makes more than %d members", max_members);
                return -1;
            }
        }
    } else {
        for (int i = 0; i < ns; i++) {
            stride[i] = 1;
            if (n[i] > 1 && m > 1 && n[i] != m) {
                snprintf(why, nwhy,
                         "--set lists of different lengths (%lld and %d); --grid takes every "
                         "combination",
                         m, n[i]);
                return -1;
            }
            if (n[i] > 1)
                m = n[i];
        }
    }
    *members = (int)m;
    return 0;
}

int zr_index(int n, int stride, int k) { return n <= 1 ? 0 : (k / (stride > 0 ? stride : 1)) % n; }

int zr_contact_differs(double requested, double realised)
{
    return fabs(realised - requested) > ZR_CONTACT_RTOL * requested;
}

double zr_sweep_seconds(double per_frequency, int64_t nf, int threads)
{
    if (nf <= 0)
        return 0.0;
    int64_t t = threads < 1 ? 1 : threads;
    if (t > nf)
        t = nf;
    return per_frequency * (double)((nf + t - 1) / t);
}

void zr_print_estimate(FILE *to, double per_frequency, int64_t nf, int threads, double peak_bytes,
                       double plan_bytes)
{
    double t = zr_sweep_seconds(per_frequency, nf, threads);
    fprintf(to,
            "  predicted time of the spectrum: %.3g s for %lld frequencies on %d thread%s "
            "(estimate: each as long as the one measured)\n",
            t, (long long)nf, threads, threads == 1 ? "" : "s");
    fprintf(to,
            "  predicted peak memory: %.4g MB per thread, %.4g MB in total with %d thread%s "
            "(the plan's %.4g MB once)\n",
            peak_bytes / 1e6, (plan_bytes + threads * peak_bytes) / 1e6, threads,
            threads == 1 ? "" : "s", plan_bytes / 1e6);
}

void zr_summary_print(FILE *to, const zr_row *rows, int n)
{
    fprintf(to, "%-6s %-16s %-16s %-10s %-26s  %s\n", "member", "R_DC_Ohm", "R_DC_Ohm_cm2",
            "contact", "method", "parameters");
    for (int k = 0; k < n; k++) {
        const zr_row *r = &rows[k];
        char how[64] = "-";
        if (r->method != NULL && strcmp(r->method, "mor") == 0 && r->backend != NULL &&
            strcmp(r->backend, "iterative") == 0)
            snprintf(how, sizeof how, "mor %lld set-ups %lld it. est %.1e%s", r->factorizations,
                     r->iterations, r->estimate, r->recomputed > 0 ? " +LU" : "");
        else if (r->method != NULL && strcmp(r->method, "mor") == 0)
            snprintf(how, sizeof how, "mor %lld fact. est %.1e%s", r->factorizations,
                     r->estimate, r->recomputed > 0 ? " +LU" : "");
        else if (r->method != NULL)
            snprintf(how, sizeof how, "%s %lld fact.", r->method, r->factorizations);
        if (r->open)
            fprintf(to, "%-6d %-16s %-16s %-10.4f %-26s  %s\n", k + 1, "open", "open",
                    r->fraction, how, r->label);
        else
            fprintf(to, "%-6d %-16.8g %-16.8g %-10.4f %-26s  %s\n", k + 1, r->rdc,
                    r->rdc * r->area_cm2, r->fraction, how, r->label);
    }
}

static void csv_field(FILE *fp, const char *s)
{
    if (strpbrk(s, "\",\r\n") == NULL) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static void csv_number(FILE *fp, int open, double v)
{
    if (open)
        fputs("inf", fp);
    else
        fprintf(fp, "%.17g", v);
}

int zr_summary_write_csv(const char *path, int npaths, const char *const *paths,
                         const zr_row *rows, int n, char *msg, size_t msgsize)
{
    zo_file o;
    const char *what = NULL;
    int e = 0;
    if (zo_open(&o, path, &what, &e) != 0) {
        say(msg, msgsize, "summary ", path, what, e);
        return -1;
    }
    locale_t cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0), prev = (locale_t)0;
    if (cloc != (locale_t)0)
        prev = uselocale(cloc);
    fputs("member,R_DC_Ohm,R_DC_Ohm_cm2,contact_fraction,method,factorizations,max_estimate,"
          "recomputed,backend,iterations",
          o.fp);
    for (int i = 0; i < npaths; i++) {
        fputc(',', o.fp);
        csv_field(o.fp, paths[i]);
    }
    fputc('\n', o.fp);
    for (int k = 0; k < n; k++) {
        const zr_row *r = &rows[k];
        fprintf(o.fp, "%d,", k + 1);
        csv_number(o.fp, r->open, r->rdc);
        fputc(',', o.fp);
        csv_number(o.fp, r->open, r->rdc * r->area_cm2);
        fprintf(o.fp, ",%.17g,%s,%lld,%.17g,%lld,%s,%lld", r->fraction,
                r->method != NULL ? r->method : "", r->factorizations, r->estimate,
                r->recomputed, r->backend != NULL ? r->backend : "", r->iterations);
        for (int i = 0; i < npaths; i++) {
            fputc(',', o.fp);
            csv_field(o.fp, r->values[i]);
        }
        fputc('\n', o.fp);
    }
    if (cloc != (locale_t)0) {
        if (prev != (locale_t)0)
            uselocale(prev);
        freelocale(cloc);
    }
    if (ferror(o.fp))
        what = "cannot write", e = errno != 0 ? errno : EIO;
    what = zo_finish(&o, what, &e);
    if (what != NULL) {
        say(msg, msgsize, "summary ", path, what, e);
        return -1;
    }
    return 0;
}

int zr_check_writable(const char *path, char *msg, size_t msgsize)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(msg, msgsize, "'%s' is a folder, not a file", path);
        return -1;
    }
    zo_file o;
    const char *what = NULL;
    int e = 0;
    if (zo_open(&o, path, &what, &e) != 0) {
        say(msg, msgsize, "", path, what, e);
        return -1;
    }
    zo_finish(&o, "only a check", &e); /* removes the temporary */
    return 0;
}
