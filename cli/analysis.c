/*
 * analysis.c — zstr fit | drt | kk | arrhenius: spectrum analysis on the
 * command line, on top of zstr_analysis.h.
 *
 *   zstr fit SPECTRUM --circuit STR [--initial NAME=V,...] [--weighting W]
 *            [-o PARAMS.csv] [--plot FIT.svg|png|pdf] [--json]
 *   zstr drt SPECTRUM [--lambda auto|V] [-o DRT.csv] [--plot DRT.svg|png|pdf] [--json]
 *   zstr kk SPECTRUM [--tolerance PCT] [--exact] [-o RESIDUALS.csv] [--json]
 *   zstr arrhenius TABLE.csv [--form sigmaT|inverseR] [--area CM2] [--json]
 *   zstr diagnose SPEC1 SPEC2 ... --parameter NAME=V1,V2,... [--decreasing]
 *            [--plot FIG.svg|png|pdf] [--json]
 *
 * --json prints exactly one JSON object (the contract of issue 8), built with
 * jansson; otherwise a short human summary.  Output CSVs are written to a
 * temporary name and renamed, numbers as %.17g; a failure leaves no file.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "plot.h"
#include "poles.h"
#include "zstr_analysis.h"

#define EXIT_USER 1
#define EXIT_USAGE 2
#define EXIT_INCONSISTENT 3

static int fail(const zstr_error *e)
{
    fprintf(stderr, "zstr: %s\n", e->message);
    return EXIT_USER;
}

static const char *const usage_lines[][2] = {
    {"fit", "zstr fit SPECTRUM --circuit STR [--initial NAME=V,...] "
            "[--weighting modulus|proportional|unit] [-o PARAMS.csv] [--plot FIT.svg] [--json]"},
    {"drt", "zstr drt SPECTRUM [--lambda auto|V] [-o DRT.csv] [--plot DRT.svg "
            "[--poles POLES.csv]] [--json]"},
    {"kk", "zstr kk SPECTRUM [--tolerance PCT] [--exact] [-o RESIDUALS.csv] [--json]"},
    {"arrhenius", "zstr arrhenius TABLE.csv [--form sigmaT|inverseR] [--area CM2] [--json]"},
    {"diagnose", "zstr diagnose SPEC1 SPEC2 ... --parameter NAME=V1,V2,... [--decreasing] "
                 "[--plot FIG.svg] [--json]"},
};

static int usage(const char *cmd, const char *why)
{
    fprintf(stderr, "zstr %s: %s\n", cmd, why);
    for (size_t i = 0; i < sizeof usage_lines / sizeof usage_lines[0]; i++) {
        if (strcmp(usage_lines[i][0], cmd) == 0)
            fprintf(stderr, "usage: %s\n", usage_lines[i][1]);
    }
    return EXIT_USAGE;
}

static int print_json(json_t *o)
{
    if (o == NULL) {
        fprintf(stderr, "zstr: out of memory (JSON)\n");
        return EXIT_USER;
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(o);
    if (s == NULL) {
        fprintf(stderr, "zstr: out of memory (JSON)\n");
        return EXIT_USER;
    }
    puts(s);
    free(s);
    return 0;
}

/* JSON numbers cannot be NaN or inf: those become null. */
static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* ---- CSV output through a temporary ---------------------------------------- */

typedef struct zc_out {
    FILE *fp;
    char tmp[4200];
    const char *path;
} zc_out;

static int out_open(zc_out *o, const char *path)
{
    o->path = path;
    snprintf(o->tmp, sizeof o->tmp, "%s.tmpXXXXXX", path);
    int fd = mkstemp(o->tmp);
    o->fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (o->fp == NULL) {
        fprintf(stderr, "zstr: %s: cannot write: %s\n", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        return -1;
    }
    return 0;
}

static int out_close(zc_out *o)
{
    int bad = ferror(o->fp);
    bad |= fclose(o->fp) != 0;
    if (bad || rename(o->tmp, o->path) != 0) {
        fprintf(stderr, "zstr: %s: cannot write: %s\n", o->path, strerror(errno));
        unlink(o->tmp);
        return -1;
    }
    return 0;
}

static zstr_spectrum *read_spectrum(const char *path)
{
    zstr_error e;
    zstr_spectrum *s = NULL;
    if (zstr_spectrum_read(path, NULL, &s, &e) != ZSTR_OK)
        fail(&e);
    return s;
}

/* ---- fit --------------------------------------------------------------------- */

/* The fit figure: data, the model on 20 points per decade over the data's
 * span, residuals (Z_data − Z_model)/|Z_data| in % at the data. */
static int fit_plot(const char *path, const zstr_circuit *c, const double *v,
                    const zstr_spectrum *s)
{
    int64_t n = zstr_spectrum_count(s);
    const double *f = zstr_spectrum_frequencies(s), *z = zstr_spectrum_impedance(s);
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        lo = fmin(lo, log10(f[i])), hi = fmax(hi, log10(f[i]));
    int64_t m = (int64_t)ceil((hi - lo) * 20.0) + 2;
    double *mem = malloc((size_t)(2 * n + 3 * m) * sizeof *mem);
    if (mem == NULL) {
        fprintf(stderr, "zstr: out of memory\n");
        return EXIT_USER;
    }
    double *zd = mem, *fm = mem + 2 * n, *zm = fm + m;
    for (int64_t k = 0; k < m; k++)
        fm[k] = pow(10.0, hi - (hi - lo) * (double)k / (double)(m - 1));
    zstr_error e;
    int rc = 0;
    if (zstr_circuit_eval(c, v, n, f, zd, &e) != ZSTR_OK ||
        zstr_circuit_eval(c, v, m, fm, zm, &e) != ZSTR_OK)
        rc = fail(&e);
    for (int64_t i = 0; rc == 0 && i < n; i++) {
        double mag = hypot(z[2 * i], z[2 * i + 1]);
        zd[2 * i] = 100.0 * (z[2 * i] - zd[2 * i]) / mag;
        zd[2 * i + 1] = 100.0 * (z[2 * i + 1] - zd[2 * i + 1]) / mag;
    }
    if (rc == 0) {
        zp_fit_plot fp = {{"data", n, f, z}, {zstr_circuit_string(c), m, fm, zm}, zd};
        char msg[512];
        if (zp_plot_fit(path, &fp, NULL, msg, sizeof msg) != 0) {
            fprintf(stderr, "zstr: %s\n", msg);
            rc = EXIT_USER;
        }
        zp_cleanup(); /* no more drawing: leave no font caches behind */
    }
    free(mem);
    return rc;
}

static int parse_initial(const zstr_circuit *c, const char *list, double *init)
{
    char *copy = strdup(list);
    if (copy == NULL)
        return -1;
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        char *end = NULL;
        if (eq == NULL) {
            fprintf(stderr, "zstr fit: --initial: '%s' is not NAME=VALUE\n", tok);
            rc = -1;
            break;
        }
        *eq = '\0';
        int k = zstr_circuit_param_index(c, tok);
        double v = strtod(eq + 1, &end);
        if (k < 0 || end == eq + 1 || *end != '\0' || !isfinite(v)) {
            fprintf(stderr, "zstr fit: --initial: %s '%s' in %s\n",
                    k < 0 ? "no parameter" : "bad value for", k < 0 ? tok : eq + 1,
                    zstr_circuit_string(c));
            rc = -1;
            break;
        }
        init[k] = v;
    }
    free(copy);
    return rc;
}

static int fit_report(const zstr_circuit *c, const double *v, const double *se,
                      const zstr_fit_info *info, int json, const char *out)
{
    int np = zstr_circuit_param_count(c);
    if (out != NULL) {
        zc_out o;
        if (out_open(&o, out) != 0)
            return EXIT_USER;
        fprintf(o.fp, "name,value,std_err,unit\n");
        for (int k = 0; k < np; k++)
            fprintf(o.fp, "%s,%.17g,%.17g,%s\n", zstr_circuit_param_name(c, k), v[k], se[k],
                    zstr_circuit_param_unit(c, k));
        if (out_close(&o) != 0)
            return EXIT_USER;
    }
    if (json) {
        json_t *params = json_array(), *taus = json_array();
        for (int k = 0; k < np; k++)
            json_array_append_new(params,
                                  json_pack("{s:s, s:o, s:o, s:s}", "name",
                                            zstr_circuit_param_name(c, k), "value", num(v[k]),
                                            "std_err", num(se[k]), "unit",
                                            zstr_circuit_param_unit(c, k)));
        for (int k = 0; k < zstr_circuit_relaxation_count(c); k++) {
            zstr_relaxation r = {.size = sizeof r};
            if (zstr_circuit_relaxation(c, k, v, &r, NULL) == ZSTR_OK)
                json_array_append_new(taus, json_pack("{s:s, s:o}", "element", r.element,
                                                      "tau_s", num(r.tau)));
        }
        return print_json(json_pack("{s:s, s:o, s:o, s:o}", "circuit", zstr_circuit_string(c),
                                    "parameters", params, "chi2", num(info->chi2),
                                    "time_constants", taus));
    }
    printf("circuit %s: chi2 = %.6g (reduced %.6g, %lld dof), %d iterations%s\n",
           zstr_circuit_string(c), info->chi2, info->chi2_reduced, (long long)info->dof,
           info->iterations, info->converged ? "" : " (iteration limit)");
    for (int k = 0; k < np; k++)
        printf("  %-10s %14.6g ± %-12.4g %s\n", zstr_circuit_param_name(c, k), v[k], se[k],
               zstr_circuit_param_unit(c, k));
    for (int k = 0; k < zstr_circuit_relaxation_count(c); k++) {
        zstr_relaxation r = {.size = sizeof r};
        if (zstr_circuit_relaxation(c, k, v, &r, NULL) == ZSTR_OK)
            printf("  %-16s tau = %.6g s, C = %.6g F\n", r.element, r.tau, r.capacitance);
    }
    return 0;
}

int zc_cmd_fit(int argc, char **argv)
{
    const char *file = NULL, *circuit = NULL, *initial = NULL, *out = NULL, *wname = NULL;
    const char *plot = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--plot") == 0 && i + 1 < argc)
            plot = argv[++i];
        else if (strcmp(argv[i], "--circuit") == 0 && i + 1 < argc)
            circuit = argv[++i];
        else if (strcmp(argv[i], "--initial") == 0 && i + 1 < argc)
            initial = argv[++i];
        else if (strcmp(argv[i], "--weighting") == 0 && i + 1 < argc)
            wname = argv[++i];
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' || file != NULL)
            return usage("fit", "unknown or misplaced argument");
        else
            file = argv[i];
    }
    if (file == NULL || circuit == NULL)
        return usage("fit", "needs SPECTRUM and --circuit STR");
    zstr_fit_options o;
    zstr_fit_options_default(&o);
    if (wname != NULL) {
        if (strcmp(wname, "modulus") == 0)
            o.weighting = ZSTR_WEIGHT_MODULUS;
        else if (strcmp(wname, "proportional") == 0)
            o.weighting = ZSTR_WEIGHT_PROPORTIONAL;
        else if (strcmp(wname, "unit") == 0)
            o.weighting = ZSTR_WEIGHT_UNIT;
        else
            return usage("fit", "--weighting is modulus, proportional or unit");
    }
    zstr_error e;
    zstr_circuit *c = NULL;
    if (zstr_circuit_parse(circuit, &c, &e) != ZSTR_OK)
        return fail(&e);
    int np = zstr_circuit_param_count(c), rc = EXIT_USER;
    double *mem = malloc((size_t)np * 3 * sizeof *mem);
    zstr_spectrum *s = mem != NULL ? read_spectrum(file) : NULL;
    if (s != NULL) {
        double *v = mem, *se = mem + np, *init = mem + 2 * np;
        for (int k = 0; k < np; k++)
            init[k] = NAN;
        o.initial = init;
        zstr_fit_info info;
        zstr_fit_info_init(&info);
        if (initial != NULL && parse_initial(c, initial, init) != 0)
            rc = EXIT_USAGE;
        else if (zstr_circuit_fit(c, s, &o, v, se, &info, &e) != ZSTR_OK)
            rc = fail(&e);
        else if (plot != NULL && (rc = fit_plot(plot, c, v, s)) != 0)
            ;
        else
            rc = fit_report(c, v, se, &info, json, out);
    }
    zstr_spectrum_free(s);
    zstr_circuit_free(c);
    free(mem);
    return rc;
}

/* ---- drt --------------------------------------------------------------------- */

static int drt_plot(const char *path, const zstr_drt *d, const char *label, const char *poles)
{
    int np = zstr_drt_peak_count(d);
    double *pt = malloc((size_t)(np > 0 ? np : 1) * sizeof *pt);
    if (pt == NULL) {
        fprintf(stderr, "zstr: out of memory\n");
        return EXIT_USER;
    }
    for (int k = 0; k < np; k++) {
        double r;
        zstr_drt_peak(d, k, &pt[k], &r);
    }
    zp_drt_series ds = {label, zstr_drt_count(d), zstr_drt_tau(d), zstr_drt_gamma(d), np, pt};
    char msg[512];
    int rc;
    if (poles != NULL) { /* the network's exact relaxation times under the DRT */
        double *tau = NULL, *r = NULL, rinf = 0.0;
        int64_t n = 0;
        rc = zc_poles_read(poles, &tau, &r, &n, &rinf, msg, sizeof msg);
        if (rc == 0) {
            zp_poles_series ps = {"exact", n, tau, r};
            rc = zp_plot_drt_poles(path, &ds, &ps, 1, NULL, msg, sizeof msg);
        }
        free(tau);
        free(r);
    } else {
        rc = zp_plot_drt(path, &ds, 1, NULL, msg, sizeof msg);
    }
    zp_cleanup(); /* no more drawing: leave no font caches behind */
    if (rc != 0)
        fprintf(stderr, "zstr: %s\n", msg);
    free(pt);
    return rc != 0 ? EXIT_USER : 0;
}

int zc_cmd_drt(int argc, char **argv)
{
    const char *file = NULL, *out = NULL, *lam = NULL, *plot = NULL, *poles = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--plot") == 0 && i + 1 < argc)
            plot = argv[++i];
        else if (strcmp(argv[i], "--poles") == 0 && i + 1 < argc)
            poles = argv[++i];
        else if (strcmp(argv[i], "--lambda") == 0 && i + 1 < argc)
            lam = argv[++i];
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' || file != NULL)
            return usage("drt", "unknown or misplaced argument");
        else
            file = argv[i];
    }
    if (file == NULL)
        return usage("drt", "needs SPECTRUM");
    if (poles != NULL && plot == NULL)
        return usage("drt", "--poles draws the exact relaxation times under the DRT: it needs "
                            "--plot");
    zstr_drt_options o;
    zstr_drt_options_default(&o);
    if (lam != NULL && strcmp(lam, "auto") != 0) {
        char *end = NULL;
        o.lambda = strtod(lam, &end);
        if (end == lam || *end != '\0' || !(o.lambda > 0.0) || !isfinite(o.lambda))
            return usage("drt", "--lambda is auto or a number > 0");
    }
    zstr_spectrum *s = read_spectrum(file);
    if (s == NULL)
        return EXIT_USER;
    zstr_error e;
    zstr_drt *d = NULL;
    int rc = zstr_drt_compute(s, &o, &d, &e) == ZSTR_OK ? 0 : fail(&e);
    if (rc == 0 && out != NULL) {
        zc_out f;
        rc = EXIT_USER;
        if (out_open(&f, out) == 0) {
            fprintf(f.fp, "tau_s,gamma_Ohm\n");
            for (int64_t i = 0; i < zstr_drt_count(d); i++)
                fprintf(f.fp, "%.17g,%.17g\n", zstr_drt_tau(d)[i], zstr_drt_gamma(d)[i]);
            rc = out_close(&f) == 0 ? 0 : EXIT_USER;
        }
    }
    if (rc == 0 && plot != NULL)
        rc = drt_plot(plot, d, file, poles);
    if (rc == 0 && json) {
        json_t *peaks = json_array();
        for (int k = 0; k < zstr_drt_peak_count(d); k++) {
            double t, r;
            zstr_drt_peak(d, k, &t, &r);
            json_array_append_new(peaks, json_pack("{s:o, s:o}", "tau_s", num(t), "R_Ohm", num(r)));
        }
        rc = print_json(json_pack("{s:o, s:o, s:o}", "lambda", num(zstr_drt_lambda(d)),
                                  "R_inf_Ohm", num(zstr_drt_r_inf(d)), "peaks", peaks));
    } else if (rc == 0) {
        printf("DRT: lambda = %.4g, R_inf = %.6g Ohm, %d peaks\n", zstr_drt_lambda(d),
               zstr_drt_r_inf(d), zstr_drt_peak_count(d));
        for (int k = 0; k < zstr_drt_peak_count(d); k++) {
            double t, r;
            zstr_drt_peak(d, k, &t, &r);
            printf("  tau = %.6g s, R = %.6g Ohm\n", t, r);
        }
    }
    zstr_drt_free(d);
    zstr_spectrum_free(s);
    return rc;
}

/* ---- kk ---------------------------------------------------------------------- */

int zc_cmd_kk(int argc, char **argv)
{
    const char *file = NULL, *out = NULL, *tol = NULL;
    int json = 0, exact = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tolerance") == 0 && i + 1 < argc)
            tol = argv[++i];
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--exact") == 0)
            exact = 1;
        else if (argv[i][0] == '-' || file != NULL)
            return usage("kk", "unknown or misplaced argument");
        else
            file = argv[i];
    }
    if (file == NULL)
        return usage("kk", "needs SPECTRUM");
    zstr_kk_options o;
    zstr_kk_options_default(&o);
    if (exact)
        o.mu_criterion = 0.0;
    if (tol != NULL) {
        char *end = NULL;
        o.tolerance_pct = strtod(tol, &end);
        if (end == tol || *end != '\0' || !(o.tolerance_pct > 0.0))
            return usage("kk", "--tolerance is a percentage > 0");
    }
    zstr_spectrum *s = read_spectrum(file);
    if (s == NULL)
        return EXIT_USER;
    int64_t n = zstr_spectrum_count(s);
    double *res = malloc((size_t)n * 2 * sizeof *res);
    zstr_kk_result r;
    zstr_kk_result_init(&r);
    zstr_error e;
    int rc = EXIT_USER;
    if (res == NULL)
        fprintf(stderr, "zstr: out of memory\n");
    else if (zstr_kk_test(s, &o, &r, res, &e) != ZSTR_OK)
        rc = fail(&e);
    else
        rc = 0;
    if (rc == 0 && out != NULL) {
        zc_out f;
        rc = EXIT_USER;
        if (out_open(&f, out) == 0) {
            fprintf(f.fp, "f_Hz,residual_re_pct,residual_im_pct\n");
            for (int64_t i = 0; i < n; i++)
                fprintf(f.fp, "%.17g,%.17g,%.17g\n", zstr_spectrum_frequencies(s)[i],
                        res[2 * i], res[2 * i + 1]);
            rc = out_close(&f) == 0 ? 0 : EXIT_USER;
        }
    }
    if (rc == 0 && json)
        rc = print_json(json_pack("{s:i, s:o, s:o, s:o, s:b}", "M", r.m, "mu", num(r.mu),
                                  "max_residual_re_pct", num(r.max_residual_re_pct),
                                  "max_residual_im_pct", num(r.max_residual_im_pct),
                                  "consistent", r.consistent));
    else if (rc == 0)
        printf("Lin-KK: M = %d, mu = %.4g, max residual re %.4g %%, im %.4g %%: %s\n", r.m,
               r.mu, r.max_residual_re_pct, r.max_residual_im_pct,
               r.consistent ? "consistent" : "NOT consistent");
    if (rc == 0 && !r.consistent)
        rc = EXIT_INCONSISTENT;
    free(res);
    zstr_spectrum_free(s);
    return rc;
}

/* ---- arrhenius ------------------------------------------------------------- */

/* A table with the header T_K,R_Ohm (any order, more columns allowed). */
static int read_table(const char *path, double **T, double **R, int64_t *n)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        fprintf(stderr, "zstr: %s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    char line[1024];
    long ln = 0;
    int ct = -1, cr = -1;
    int64_t cap = 0;
    *n = 0;
    *T = *R = NULL;
    int rc = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *f[32];
        int nf = 0;
        for (char *save = NULL, *t = strtok_r(line, ",", &save); t != NULL && nf < 32;
             t = strtok_r(NULL, ",", &save))
            f[nf++] = t + strspn(t, " ");
        if (ct < 0) {
            for (int k = 0; k < nf; k++) {
                ct = strncmp(f[k], "T_K", 3) == 0 ? k : ct;
                cr = strncmp(f[k], "R_Ohm", 5) == 0 ? k : cr;
            }
            if (ct < 0 || cr < 0) {
                fprintf(stderr, "zstr: %s:%ld: the header must name T_K and R_Ohm\n", path, ln);
                rc = -1;
                break;
            }
            continue;
        }
        char *e1 = NULL, *e2 = NULL;
        double t = nf > ct ? strtod(f[ct], &e1) : NAN, r = nf > cr ? strtod(f[cr], &e2) : NAN;
        if (e1 == NULL || e2 == NULL || *e1 != '\0' || *e2 != '\0' || !isfinite(t) ||
            !isfinite(r)) {
            fprintf(stderr, "zstr: %s:%ld: expected numbers T_K and R_Ohm\n", path, ln);
            rc = -1;
            break;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            double *nt = realloc(*T, (size_t)cap * sizeof *nt);
            if (nt != NULL)
                *T = nt;
            double *nr = realloc(*R, (size_t)cap * sizeof *nr);
            if (nr != NULL)
                *R = nr;
            if (nt == NULL || nr == NULL) {
                fprintf(stderr, "zstr: out of memory\n");
                rc = -1;
                break;
            }
        }
        (*T)[*n] = t;
        (*R)[*n] = r;
        (*n)++;
    }
    fclose(fp);
    if (rc == 0 && ct < 0) {
        fprintf(stderr, "zstr: %s: empty table (header T_K,R_Ohm expected)\n", path);
        rc = -1;
    }
    return rc;
}

int zc_cmd_arrhenius(int argc, char **argv)
{
    const char *file = NULL, *form = "sigmaT", *area_s = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--form") == 0 && i + 1 < argc)
            form = argv[++i];
        else if (strcmp(argv[i], "--area") == 0 && i + 1 < argc)
            area_s = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' || file != NULL)
            return usage("arrhenius", "unknown or misplaced argument");
        else
            file = argv[i];
    }
    if (file == NULL)
        return usage("arrhenius", "needs TABLE.csv");
    int f = strcmp(form, "sigmaT") == 0     ? ZSTR_ARRHENIUS_SIGMA_T
            : strcmp(form, "inverseR") == 0 ? ZSTR_ARRHENIUS_INVERSE_R
                                            : -1;
    if (f < 0)
        return usage("arrhenius", "--form is sigmaT or inverseR");
    double area = 0.0;
    if (area_s != NULL) {
        char *end = NULL;
        area = strtod(area_s, &end) * 1e-4; /* cm^2 -> m^2 */
        if (end == area_s || *end != '\0' || !(area > 0.0))
            return usage("arrhenius", "--area is a number > 0 (cm^2)");
    }
    double *T = NULL, *R = NULL;
    int64_t n = 0;
    int rc = EXIT_USER;
    if (read_table(file, &T, &R, &n) == 0) {
        zstr_arrhenius_result r;
        zstr_arrhenius_result_init(&r);
        zstr_error e;
        if (zstr_arrhenius_fit(n, T, R, area, f, &r, &e) != ZSTR_OK)
            rc = fail(&e);
        else if (json)
            rc = print_json(json_pack("{s:o, s:o, s:s}", "Ea_eV", num(r.ea), "Ea_std_err_eV",
                                      num(r.ea_std_err), "form", form));
        else {
            printf("E_a = %.6g ± %.3g eV (%s form, %lld points, R^2 = %.6f)\n", r.ea,
                   r.ea_std_err, form, (long long)n, r.r_squared);
            rc = 0;
        }
    }
    free(T);
    free(R);
    return rc;
}

/* ---- diagnose ------------------------------------------------------------ */

/* --parameter NAME=V1,V2,...: n finite plain numbers (no units: the values
 * only order the members and label the plot). */
static int parse_parameter(const char *arg, int n, double *v, char *name, size_t namesize)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || (size_t)(eq - arg) >= namesize) {
        fprintf(stderr, "zstr diagnose: --parameter is NAME=V1,V2,... (got '%s')\n", arg);
        return -1;
    }
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = '\0';
    const char *p = eq + 1;
    int k = 0;
    for (;;) {
        char *end = NULL;
        double x = strtod(p, &end);
        if (end == p || !isfinite(x) || (*end != ',' && *end != '\0')) {
            fprintf(stderr, "zstr diagnose: --parameter: value %d ('%.*s') is not a number\n",
                    k + 1, (int)strcspn(p, ","), p);
            return -1;
        }
        if (k < n)
            v[k] = x;
        k++;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    if (k != n) {
        fprintf(stderr, "zstr diagnose: --parameter has %d values for %d spectra\n", k, n);
        return -1;
    }
    return 0;
}

static int diagnose_json(const zstr_diagnosis *d)
{
    int64_t n = zstr_diagnosis_member_count(d);
    json_t *procs = json_array();
    for (int k = 0; k < zstr_diagnosis_process_count(d); k++) {
        const double *t = zstr_diagnosis_process_tau(d, k);
        const double *r = zstr_diagnosis_process_resistance(d, k);
        json_t *jt = json_array(), *jr = json_array();
        for (int64_t i = 0; i < n; i++) {
            json_array_append_new(jt, num(t[i]));
            json_array_append_new(jr, num(r[i]));
        }
        json_array_append_new(procs, json_pack("{s:o, s:o, s:s}", "tau_s", jt, "R_Ohm", jr,
                                               "kind",
                                               zstr_process_kind_name(
                                                   zstr_diagnosis_process_kind(d, k))));
    }
    return print_json(json_pack("{s:o, s:s, s:s}", "processes", procs,
                                "dominant_interface_process",
                                zstr_process_kind_name(zstr_diagnosis_dominant(d)), "report",
                                zstr_diagnosis_report(d)));
}

/* The paper's Figure 3 layout: Nyquist of every member beside its DRT, the
 * members in the order given, labelled "NAME = value". */
static int diagnose_plot(const char *path, const zstr_diagnosis *d,
                         const zstr_spectrum *const *sp, const double *pv, const char *name)
{
    size_t nm = (size_t)zstr_diagnosis_member_count(d);
    int n = (int)nm, npk = 0;
    for (int i = 0; i < n; i++)
        npk += zstr_drt_peak_count(zstr_diagnosis_drt(d, i));
    zp_series *ser = calloc(nm, sizeof *ser);
    zp_drt_series *ds = calloc(nm, sizeof *ds);
    char *labels = calloc(nm, 96);
    double *pt = malloc((size_t)(npk > 0 ? npk : 1) * sizeof *pt);
    int rc = 0;
    if (ser == NULL || ds == NULL || labels == NULL || pt == NULL) {
        fprintf(stderr, "zstr: out of memory\n");
        rc = EXIT_USER;
    }
    for (int i = 0, used = 0; rc == 0 && i < n; i++) {
        const zstr_drt *drt = zstr_diagnosis_drt(d, i);
        char *lab = labels + (size_t)i * 96;
        snprintf(lab, 96, "%s = %g", name, pv[i]);
        ser[i] = (zp_series){lab, zstr_spectrum_count(sp[i]), zstr_spectrum_frequencies(sp[i]),
                             zstr_spectrum_impedance(sp[i])};
        int np = zstr_drt_peak_count(drt);
        for (int k = 0; k < np; k++) {
            double r;
            zstr_drt_peak(drt, k, &pt[used + k], &r);
        }
        ds[i] = (zp_drt_series){lab, zstr_drt_count(drt), zstr_drt_tau(drt),
                                zstr_drt_gamma(drt), np, pt + used};
        used += np;
    }
    char msg[512];
    if (rc == 0 && zp_plot_series_drt(path, ser, ds, n, NULL, msg, sizeof msg) != 0) {
        fprintf(stderr, "zstr: %s\n", msg);
        rc = EXIT_USER;
    }
    zp_cleanup(); /* no more drawing: leave no font caches behind */
    free(ser);
    free(ds);
    free(labels);
    free(pt);
    return rc;
}

int zc_cmd_diagnose(int argc, char **argv)
{
    const char *param = NULL, *plot = NULL;
    int json = 0, decreasing = 0, nfile = 0;
    char **files = calloc((size_t)argc, sizeof *files);
    if (files == NULL) {
        fprintf(stderr, "zstr: out of memory\n");
        return EXIT_USER;
    }
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        if (strcmp(argv[i], "--parameter") == 0 && i + 1 < argc)
            param = argv[++i];
        else if (strcmp(argv[i], "--plot") == 0 && i + 1 < argc)
            plot = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--decreasing") == 0)
            decreasing = 1;
        else if (argv[i][0] == '-')
            rc = usage("diagnose", "unknown or misplaced argument");
        else
            files[nfile++] = argv[i];
    }
    if (rc == 0 && (nfile < 2 || param == NULL))
        rc = usage("diagnose", "needs two or more spectra and --parameter NAME=V1,V2,...");
    char name[64];
    double *pv = rc == 0 ? malloc((size_t)nfile * sizeof *pv) : NULL;
    zstr_spectrum **sp = rc == 0 ? calloc((size_t)nfile, sizeof *sp) : NULL;
    if (rc == 0 && (pv == NULL || sp == NULL)) {
        fprintf(stderr, "zstr: out of memory\n");
        rc = EXIT_USER;
    }
    if (rc == 0 && parse_parameter(param, nfile, pv, name, sizeof name) != 0)
        rc = EXIT_USAGE;
    for (int i = 0; rc == 0 && i < nfile; i++)
        if ((sp[i] = read_spectrum(files[i])) == NULL)
            rc = EXIT_USER;
    zstr_diagnosis *d = NULL;
    if (rc == 0) {
        zstr_diagnose_options o;
        zstr_diagnose_options_default(&o);
        o.contact_increases = !decreasing;
        zstr_error e;
        if (zstr_diagnose(nfile, (const zstr_spectrum *const *)sp, pv, &o, &d, &e) != ZSTR_OK)
            rc = fail(&e);
    }
    if (rc == 0 && plot != NULL)
        rc = diagnose_plot(plot, d, (const zstr_spectrum *const *)sp, pv, name);
    if (rc == 0 && json)
        rc = diagnose_json(d);
    else if (rc == 0)
        fputs(zstr_diagnosis_report(d), stdout);
    zstr_diagnosis_free(d);
    for (int i = 0; sp != NULL && i < nfile; i++)
        zstr_spectrum_free(sp[i]);
    free(sp);
    free(pv);
    free(files);
    return rc;
}
