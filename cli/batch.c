/*
 * batch.c — --set lists and `zstr run`: members, outputs, and failures that
 * leave nothing behind.
 *
 * Order of the work
 * -----------------
 *  1. Preflight, before any solve: every member's model file is loaded with
 *     its overrides and checked (schema, semantics, the interface maps and the
 *     frequency list: everything modelfile.c can check without the grid), and
 *     every output path is probed (not a directory, its folder takes a new
 *     file).  A failure here costs no computing and names the file and the
 *     member.
 *  2. Members, one after the other: build, plan, DC, sweep; the CSV is
 *     written to a temporary beside its target (cli/outfile.c) and sealed, but
 *     not renamed.  The model and plan are freed before the next member, so a
 *     series needs the memory of one member (plus the spectra, kept for the
 *     plot).
 *  3. The plot, from the spectra in memory.
 *  4. Only now are the CSVs renamed into place.
 * Any failure in 2–4 removes every temporary and every file this run already
 * renamed (the plot, earlier CSVs), so a failed run leaves nothing of its own
 * behind; a file it had replaced is gone, though (its old content is not
 * kept).  Chosen over "remove what was written" because nothing is visible
 * under a target name before the whole run succeeded, and over "write
 * everything at the end" because that would keep every member's model in
 * memory.  Temporaries are registered with the signal guard that main
 * installs, so SIGINT, SIGTERM or SIGHUP remove them too.
 *
 * Messages name the model file and, in a series, the member and its values:
 *   zstr: series member 2 of 2 (map.contact-fraction=0): FILE: ...
 */
#include "batch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "distributed.h"
#include "outfile.h"
#include "series.h"

/* ---- settings ------------------------------------------------------------ */

static char *dup_range(const char *a, size_t n)
{
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, a, n);
        s[n] = '\0';
    }
    return s;
}

static void setting_free(zb_setting *s)
{
    free(s->path);
    for (int k = 0; k < s->n; k++)
        free(s->values[k]);
    free(s->values);
    memset(s, 0, sizeof *s);
}

void zb_settings_free(zb_settings *s)
{
    for (int i = 0; i < s->n; i++)
        setting_free(&s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* "PATH=V1,V2,..." → one setting; 0 ok, else a usage message in why */
static int parse_setting(const char *arg, zb_setting *s, char *why, size_t nwhy)
{
    const char *eq = strchr(arg, '=');
    memset(s, 0, sizeof *s);
    if (eq == NULL || eq == arg || eq[1] == '\0') {
        snprintf(why, nwhy, "--set '%s': expected PATH=VALUE[,VALUE...]", arg);
        return -1;
    }
    s->path = dup_range(arg, (size_t)(eq - arg));
    s->values = calloc(ZB_MAX_MEMBERS, sizeof *s->values);
    if (s->path == NULL || s->values == NULL) {
        snprintf(why, nwhy, "out of memory");
        return -1;
    }
    for (const char *p = eq + 1;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        while (len > 0 && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0) {
            snprintf(why, nwhy, "--set %s: empty value in the list", s->path);
            return -1;
        }
        if (s->n == ZB_MAX_MEMBERS) {
            snprintf(why, nwhy, "--set %s: more than %d values", s->path, ZB_MAX_MEMBERS);
            return -1;
        }
        if ((s->values[s->n] = dup_range(p, len)) == NULL) {
            snprintf(why, nwhy, "out of memory");
            return -1;
        }
        s->n++;
        if (c == NULL)
            break;
        p = c + 1;
    }
    return 0;
}

int zb_settings_add(zb_settings *s, const char *arg, char *why, size_t nwhy)
{
    if (s->n == s->cap) {
        int cap = s->cap == 0 ? 8 : 2 * s->cap;
        zb_setting *v = realloc(s->v, (size_t)cap * sizeof *v);
        if (v == NULL) {
            snprintf(why, nwhy, "out of memory");
            return -1;
        }
        s->v = v;
        s->cap = cap;
    }
    if (parse_setting(arg, &s->v[s->n], why, nwhy) != 0) {
        setting_free(&s->v[s->n]);
        return -1;
    }
    s->n++;
    return 0;
}

int zb_settings_members(zb_settings *s, int grid, int *members, char *why, size_t nwhy)
{
    int *n = malloc((size_t)(s->n > 0 ? s->n : 1) * 2 * sizeof *n);
    if (n == NULL) {
        snprintf(why, nwhy, "out of memory");
        return -1;
    }
    int *stride = n + (s->n > 0 ? s->n : 1);
    for (int i = 0; i < s->n; i++)
        n[i] = s->v[i].n;
    int rc = zr_layout(s->n, n, grid, ZB_MAX_MEMBERS, members, stride, why, nwhy);
    for (int i = 0; rc == 0 && i < s->n; i++)
        s->v[i].stride = stride[i];
    free(n);
    return rc;
}

const char *zb_setting_value(const zb_settings *s, int i, int k)
{
    return s->v[i].values[zr_index(s->v[i].n, s->v[i].stride, k)];
}

int zb_load_member(const char *model, const zb_settings *s, int k, zm_file **out,
                   zstr_error *e)
{
    int rc = zm_load(model, out, e);
    if (rc == ZSTR_OK && s->n > 0) {
        const char **paths = malloc((size_t)s->n * sizeof *paths);
        const char **values = malloc((size_t)s->n * sizeof *values);
        if (paths == NULL || values == NULL) {
            rc = ZSTR_ENOMEM;
            snprintf(e->message, sizeof e->message, "out of memory");
        } else {
            for (int i = 0; i < s->n; i++) {
                paths[i] = s->v[i].path;
                values[i] = zb_setting_value(s, i, k);
            }
            rc = zm_set_many(*out, s->n, paths, values, e);
        }
        free(paths);
        free(values);
    }
    if (rc != ZSTR_OK) {
        zm_free(*out);
        *out = NULL;
    }
    return rc;
}

void zb_print_warnings(const zm_file *f, int k, int members)
{
    for (int i = 0; i < zm_warning_count(f); i++) {
        if (members > 1)
            fprintf(stderr, "zstr: warning: series member %d of %d: %s\n", k + 1, members,
                    zm_warning(f, i));
        else
            fprintf(stderr, "zstr: warning: %s\n", zm_warning(f, i));
    }
}

/* ---- messages ------------------------------------------------------------ */

/* "a=1, b=2": the values member k takes from lists (every setting when alone) */
static void member_label(const zb_settings *s, int k, int members, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->n && used < n; i++) {
        if (s->v[i].n == 1 && members > 1)
            continue;
        snprintf(buf + used, n - used, "%s%s=%s", used ? ", " : "", s->v[i].path,
                 zb_setting_value(s, i, k));
        used = strlen(buf);
    }
}

/* One line naming the member (in a series) and the model file. */
static void member_fail(const char *name, const zb_settings *s, int k, int members,
                        const char *message)
{
    char who[320] = "";
    if (members > 1) {
        char label[256];
        member_label(s, k, members, label, sizeof label);
        snprintf(who, sizeof who, "series member %d of %d (%s): ", k + 1, members, label);
    }
    size_t nl = strlen(name);
    int named = strncmp(message, name, nl) == 0 && message[nl] == ':';
    fprintf(stderr, "zstr: %s%s%s%s\n", who, named ? "" : name, named ? "" : ": ", message);
}

/* ---- progress ------------------------------------------------------------ */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct progress {
    int member, members;
    double t0;
    int tty; /* redraw one line; else one line per report (a log file) */
} progress;

static int show_progress(void *ctx, int64_t done, int64_t total)
{
    const progress *p = ctx;
    if (total == 0)
        return 0; /* a reduced model's factorization: show_mor_progress says it */
    if (!p->tty && done != total && done % 10 != 0)
        return 0;
    double el = now() - p->t0;
    double eta = done > 0 ? el * (double)(total - done) / (double)done : 0.0;
    fprintf(stderr, "\rzstr: member %d/%d: frequency %lld of %lld, %.0f s elapsed, ~%.0f s left ",
            p->member, p->members, (long long)done, (long long)total, el, eta);
    if (done == total || !p->tty)
        fputc('\n', stderr);
    return 0;
}

/* MOR: one report per real factorization, with the band's error estimate. */
static int show_mor_progress(void *ctx, int factorizations, double estimate)
{
    const progress *p = ctx;
    char est[64] = "";
    if (isfinite(estimate))
        snprintf(est, sizeof est, ", estimated error %.2g", estimate);
    fprintf(stderr, "%szstr: member %d/%d: reduced model: factorization %d%s, %.0f s elapsed %s",
            p->tty ? "\r" : "", p->member, p->members, factorizations, est, now() - p->t0,
            p->tty ? "" : "\n");
    return 0;
}

/* ---- members ------------------------------------------------------------- */

typedef struct member_out {
    double *f, *z;
    int64_t nf;
    char label[256];
    char legend[320]; /* label and the realised contact fraction */
    char path[4096];  /* the CSV's target */
    zo_file csv;     /* its sealed temporary until committed */
    int staged;      /* csv holds a temporary */
    int committed;   /* renamed into place */
    double rdc, fraction, area_cm2;
    int open;
    zstr_sweep_report rep; /* what computed the spectrum */
    int restamped;         /* the previous member's plan, re-stamped */
    char poles_path[4096]; /* --poles: its target ("" without) */
    double *tau, *rk;      /* --panels poles: the reduced model's relaxation times */
    int64_t npoles;
    zo_file poles;
    int poles_staged, poles_committed;
} member_out;

/* OUT.csv → OUT-k.csv (k from 1) for series */
static void member_path(const char *out, int k, int members, char *buf, size_t n)
{
    if (members == 1) {
        snprintf(buf, n, "%s", out);
        return;
    }
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    if (dot == NULL || (slash != NULL && dot < slash))
        snprintf(buf, n, "%s-%d", out, k + 1);
    else
        snprintf(buf, n, "%.*s-%d%s", (int)(dot - out), out, k + 1, dot);
}

/* The CSV of one member into its sealed temporary. */
static int stage_csv(member_out *mo, const zstr_model *m, const zstr_dc_result *dc,
                     const char *note, zstr_error *e)
{
    const char *what = NULL;
    int en = 0;
    if (zo_open(&mo->csv, mo->path, &what, &en) != 0) {
        snprintf(e->message, sizeof e->message, "'%.300s': %.100s%s%.100s", mo->path, what,
                 en ? ": " : "", en ? strerror(en) : "");
        return ZSTR_EIO;
    }
    int rc = zstr_spectrum_write_csv_stream(mo->csv.fp, m, mo->nf, mo->f, mo->z, dc, note, e);
    if (rc != ZSTR_OK) {
        zo_finish(&mo->csv, "failed", &en);
        return rc;
    }
    if ((what = zo_seal(&mo->csv, &en)) != NULL) {
        snprintf(e->message, sizeof e->message, "'%.300s': %.100s%s%.100s", mo->path, what,
                 en ? ": " : "", en ? strerror(en) : "");
        return ZSTR_EIO;
    }
    mo->staged = 1;
    return ZSTR_OK;
}

/* A map whose pixels could not meet the requested contact fraction within
 * ZR_CONTACT_RTOL (series.h) is worth a warning: the spectrum belongs to the
 * realised fraction, which the summary, legend and CSV report. */
void zb_warn_contact(const zm_file *f, const double realised[2], int k, int members)
{
    static const char *const el[2] = {"WE", "CE"};
    for (int e = 0; e < 2; e++) {
        double q;
        if (!zm_contact_request(f, e, &q) || !zr_contact_differs(q, realised[e]))
            continue;
        char who[64] = "";
        if (members > 1)
            snprintf(who, sizeof who, "series member %d of %d: ", k + 1, members);
        fprintf(stderr,
                "zstr: warning: %s%s: %s map: realised contact fraction %.4g differs from the "
                "requested %.4g by more than %g %% (whole pixels; a finer grid comes closer)\n",
                who, zm_name(f), el[e], realised[e], q, 100.0 * ZR_CONTACT_RTOL);
    }
}

/* The poles file of one member: the exact relaxation-time spectrum of its
 * reduced model, Z(s) = R∞ + Σ R_k/(1 + sτ_k) [+ 1/(sC)].  Line 1 names the
 * columns (tau_s,R_Ohm); R∞ is the row with τ = 0; '#' lines carry the rest. */
static int stage_poles(member_out *mo, const zstr_rom *rom, const char *note, zstr_error *e)
{
    zstr_rom_info ri;
    zstr_rom_info_init(&ri);
    zstr_rom_get_info(rom, &ri);
    size_t np = (size_t)(ri.n_poles > 0 ? ri.n_poles : 1);
    double *tau = malloc(np * sizeof *tau), *r = malloc(np * sizeof *r);
    const char *what = NULL;
    int en = 0, rc = ZSTR_OK;
    if (tau == NULL || r == NULL) {
        snprintf(e->message, sizeof e->message, "out of memory for %zu poles", np);
        rc = ZSTR_ENOMEM;
    } else if (zstr_rom_poles(rom, tau, r) != ZSTR_OK) {
        snprintf(e->message, sizeof e->message, "the reduced model gave no poles");
        rc = ZSTR_ESTATE;
    } else if (zo_open(&mo->poles, mo->poles_path, &what, &en) != 0) {
        snprintf(e->message, sizeof e->message, "'%.300s': %.100s%s%.100s", mo->poles_path,
                 what, en ? ": " : "", en ? strerror(en) : "");
        rc = ZSTR_EIO;
    }
    if (rc != ZSTR_OK) {
        free(tau);
        free(r);
        return rc;
    }
    FILE *fp = mo->poles.fp;
    double sum = ri.series_resistance;
    fputs("tau_s,R_Ohm\n", fp);
    fprintf(fp, "# libzstr %s exact relaxation-time spectrum of the reduced network:\n",
            zstr_version_string());
    fputs("# Z(s) = R_inf + sum_k R_k/(1 + s tau_k) + 1/(s C); R_inf is the row with tau 0\n",
          fp);
    for (const char *q = note; *q != '\0';) {
        size_t len = strcspn(q, "\n");
        fprintf(fp, "# %.*s\n", (int)len, q);
        q += len + (q[len] == '\n');
    }
    fprintf(fp, "# poles %lld, model dimension %lld, max estimated relative error %.3g\n",
            (long long)ri.n_poles, (long long)ri.dimension, ri.max_estimate);
    if (isfinite(ri.capacitance))
        fprintf(fp, "# C_F %.17g (no DC path: the 1/(sC) term)\n", ri.capacitance);
    if (ri.series_resistance > 0.0)
        fprintf(fp, "0,%.17g\n", ri.series_resistance);
    for (int64_t k = 0; k < ri.n_poles; k++) {
        fprintf(fp, "%.17g,%.17g\n", tau[k], r[k]);
        sum += r[k];
    }
    if (!isfinite(ri.capacitance))
        fprintf(fp, "# R_inf + sum R_k = %.17g Ohm (= R_DC%s)\n", sum,
                ri.dc_exact ? " to rounding: the model holds the DC solve" : " approximately");
    free(tau);
    free(r);
    if ((what = zo_seal(&mo->poles, &en)) != NULL) {
        snprintf(e->message, sizeof e->message, "'%.300s': %.100s%s%.100s", mo->poles_path,
                 what, en ? ": " : "", en ? strerror(en) : "");
        return ZSTR_EIO;
    }
    mo->poles_staged = 1;
    return ZSTR_OK;
}

/* The relaxation times kept for the plot (--panels poles). */
static int keep_poles(member_out *mo, const zstr_rom *rom, zstr_error *e)
{
    zstr_rom_info ri;
    zstr_rom_info_init(&ri);
    zstr_rom_get_info(rom, &ri);
    size_t np = (size_t)(ri.n_poles > 0 ? ri.n_poles : 1);
    mo->tau = malloc(np * sizeof *mo->tau);
    mo->rk = malloc(np * sizeof *mo->rk);
    if (mo->tau == NULL || mo->rk == NULL) {
        snprintf(e->message, sizeof e->message, "out of memory for %zu poles", np);
        return ZSTR_ENOMEM;
    }
    mo->npoles = ri.n_poles;
    return zstr_rom_poles(rom, mo->tau, mo->rk);
}

/* The member's plan: the previous member's, re-stamped with this model's
 * values when the network's pattern is the same (a temperature or parameter
 * series: no new analysis), else a new one. */
static int member_plan(const zb_run_args *a, const zstr_model *m, zstr_plan **keep,
                       zstr_plan **plan, int *restamped, zstr_error *e)
{
    *plan = NULL;
    *restamped = 0;
    if (*keep != NULL) {
        int rc = zstr_plan_restamp(*keep, m, e);
        if (rc == ZSTR_OK) {
            *plan = *keep;
            *keep = NULL;
            *restamped = 1;
            return ZSTR_OK;
        }
        zstr_plan_free(*keep);
        *keep = NULL;
        if (rc != ZSTR_EPATTERN)
            return rc;
    }
    zstr_options o;
    zstr_options_default(&o);
    o.backend = a->backend;
    o.backend_options = a->backend_options;
    return zstr_plan_create(m, &o, plan, e);
}

/* The spectrum by the chosen method, and the reduced model when --poles. */
static int member_sweep(const zb_run_args *a, const zstr_plan *plan, int k, int members,
                        member_out *mo, zstr_rom **rom, zstr_error *e)
{
    progress pr = {k + 1, members, now(), isatty(STDERR_FILENO)};
    zstr_sweep_options so;
    zstr_sweep_options_default(&so);
    so.threads = a->threads;
    so.context = &pr;
    so.method = a->method;
    so.tolerance = a->tolerance;
    int want_rom = a->poles != NULL || a->plot_options.kind == ZP_POLES;
    if (want_rom && so.method == ZSTR_METHOD_AUTO)
        so.method = ZSTR_METHOD_MOR; /* the poles are the reduced model's */
    zstr_sweep_report_init(&mo->rep);
    so.report = &mo->rep;
    so.rom = want_rom ? rom : NULL;
    if (!a->quiet && (pr.tty || a->progress)) {
        so.progress = show_progress;
        so.mor_progress = show_mor_progress;
    }
    int rc = zstr_sweep(plan, mo->nf, mo->f, mo->z, &so, e);
    if (so.mor_progress != NULL && pr.tty && mo->rep.method == ZSTR_METHOD_MOR)
        fputc('\n', stderr);
    return rc == ZSTR_WOPEN_CIRCUIT ? ZSTR_OK : rc; /* Z(0) = (inf, 0): the CSV takes it */
}

/* The '#' lines of the member's files: model, overrides, how it was computed. */
static void member_note(const zb_run_args *a, const zb_settings *s, int k, const zm_file *f,
                        const member_out *mo, char *note, size_t size)
{
    snprintf(note, size, "model %s", zm_name(f));
    size_t used = strlen(note);
    for (int i = 0; i < s->n && used < size; i++) {
        snprintf(note + used, size - used, "\n--set %s=%s", s->v[i].path,
                 zb_setting_value(s, i, k));
        used = strlen(note);
    }
    const zstr_sweep_report *r = &mo->rep;
    if (used >= size)
        return;
    if (r->method == ZSTR_METHOD_MOR && r->backend == ZSTR_BACKEND_ITERATIVE)
        snprintf(note + used, size - used,
                 "\nmethod: mor (reduced-order model), backend iterative (PETSc CG + AMG), "
                 "%lld preconditioner set-ups, %lld solves, %lld iterations, tolerance %.3g, "
                 "max estimated relative error %.3g; %lld of %lld frequencies recomputed by "
                 "complex LU",
                 (long long)(r->factorizations - r->direct), (long long)r->solves,
                 (long long)r->iterations, a->tolerance, r->max_estimate, (long long)r->direct,
                 (long long)mo->nf);
    else if (r->method == ZSTR_METHOD_MOR)
        snprintf(note + used, size - used,
                 "\nmethod: mor (reduced-order model), %lld real Cholesky factorizations, %lld "
                 "solves, tolerance %.3g, max estimated relative error %.3g; %lld of %lld "
                 "frequencies recomputed by complex LU",
                 (long long)(r->factorizations - r->direct), (long long)r->solves,
                 a->tolerance, r->max_estimate, (long long)r->direct, (long long)mo->nf);
    else
        snprintf(note + used, size - used,
                 "\nmethod: direct (one complex LU per frequency), %lld factorizations",
                 (long long)r->factorizations);
}

/* A member by the distributed sweep (--backend petsc): every process builds
 * its part of the model and takes part; process 0 stages the files. */
static int run_member_distributed(const zb_run_args *a, const zb_settings *s, int k,
                                  int members, member_out *mo, zstr_error *e)
{
    zm_file *f = NULL;
    zstr_model *m = NULL;
    zstr_rom *rom = NULL;
    int rc = zb_load_member(a->model, s, k, &f, e);
    /* every process reaches the collective calls of the model's build, or
     * none does */
    if (zd_any(rc != ZSTR_OK) && rc == ZSTR_OK)
        rc = ZSTR_EINVAL, snprintf(e->message, sizeof e->message,
                                   "another process could not load the model file");
    if (rc == ZSTR_OK)
        rc = zm_build_parts(f, zd_parts(), &m, &mo->f, &mo->nf, e);
    if (rc == ZSTR_OK) {
        mo->z = malloc(sizeof(double) * 2 * (size_t)mo->nf);
        if (mo->z == NULL)
            rc = ZSTR_ENOMEM, snprintf(e->message, sizeof e->message, "out of memory");
    }
    /* every process reaches the collective calls, or none does */
    if (zd_any(rc != ZSTR_OK)) {
        if (rc == ZSTR_OK)
            rc = ZSTR_EINVAL, snprintf(e->message, sizeof e->message,
                                       "another process could not build the model");
    }
    zstr_dc_result dc;
    zstr_dc_result_init(&dc);
    if (rc == ZSTR_OK)
        rc = zd_count(m, e); /* the CSV summary describes the whole model */
    if (rc == ZSTR_OK)
        rc = zd_sweep(m, mo->nf, mo->f, a->tolerance, a->backend_options, mo->z, &rom,
                      &mo->rep, &dc, e);
    char note[1536];
    if (rc == ZSTR_OK && a->rank == 0) {
        snprintf(note, sizeof note, "model %s", zm_name(f));
        size_t used = strlen(note);
        for (int i = 0; i < s->n && used < sizeof note; i++) {
            snprintf(note + used, sizeof note - used, "\n--set %s=%s", s->v[i].path,
                     zb_setting_value(s, i, k));
            used = strlen(note);
        }
        const zstr_sweep_report *r = &mo->rep;
        if (used < sizeof note)
            snprintf(note + used, sizeof note - used,
                     "\nmethod: mor (reduced-order model), backend petsc (PETSc CG + GAMG over "
                     "%d MPI processes), %lld preconditioner set-ups, %lld solves, %lld "
                     "iterations, tolerance %.3g, max estimated relative error %.3g (no "
                     "frequency recomputed)",
                     a->processes, (long long)r->factorizations, (long long)r->solves,
                     (long long)r->iterations, a->tolerance, r->max_estimate);
        rc = stage_csv(mo, m, &dc, note, e);
        if (rc == ZSTR_OK && a->poles != NULL)
            rc = stage_poles(mo, rom, note, e);
        if (rc == ZSTR_OK && a->plot_options.kind == ZP_POLES)
            rc = keep_poles(mo, rom, e);
    }
    if (rc == ZSTR_OK) {
        int64_t n[3];
        double h[3];
        zstr_model_get_grid(m, n, h);
        mo->rdc = dc.resistance;
        mo->open = dc.open_circuit;
        mo->fraction = zstr_model_contact_fraction(m, ZSTR_WE);
        mo->area_cm2 = (double)n[0] * h[0] * (double)n[1] * h[1] * 1e4;
        member_label(s, k, members, mo->label, sizeof mo->label);
        if (mo->label[0] == '\0')
            snprintf(mo->label, sizeof mo->label, "%s", zm_name(f));
        snprintf(mo->legend, sizeof mo->legend, "%s, contact %.3g %%", mo->label,
                 100.0 * mo->fraction);
        double realised[2] = {mo->fraction, zstr_model_contact_fraction(m, ZSTR_CE)};
        if (a->rank == 0) /* process 0 alone prints */
            zb_warn_contact(f, realised, k, members);
    }
    zstr_rom_free(rom);
    zstr_model_free(m);
    zm_free(f);
    return rc;
}

static int run_member(const zb_run_args *a, const zb_settings *s, int k, int members,
                      member_out *mo, zstr_plan **keep, zstr_error *e)
{
    zm_file *f = NULL;
    zstr_model *m = NULL;
    zstr_plan *plan = NULL;
    zstr_rom *rom = NULL;
    int rc = zb_load_member(a->model, s, k, &f, e);
    if (rc == ZSTR_OK)
        rc = zm_build(f, &m, &mo->f, &mo->nf, e);
    if (rc == ZSTR_OK)
        rc = member_plan(a, m, keep, &plan, &mo->restamped, e);
    zstr_dc_result dc;
    zstr_dc_result_init(&dc);
    if (rc == ZSTR_OK) {
        rc = zstr_dc_resistance(plan, &dc, e);
        if (rc == ZSTR_WOPEN_CIRCUIT)
            rc = ZSTR_OK; /* reported in the table and the file */
    }
    if (rc == ZSTR_OK) {
        mo->z = malloc(sizeof(double) * 2 * (size_t)mo->nf);
        if (mo->z == NULL)
            rc = ZSTR_ENOMEM, snprintf(e->message, sizeof e->message, "out of memory");
    }
    if (rc == ZSTR_OK)
        rc = member_sweep(a, plan, k, members, mo, &rom, e);
    char note[1536];
    if (rc == ZSTR_OK) {
        member_note(a, s, k, f, mo, note, sizeof note);
        rc = stage_csv(mo, m, &dc, note, e);
    }
    if (rc == ZSTR_OK && a->poles != NULL && rom != NULL)
        rc = stage_poles(mo, rom, note, e);
    if (rc == ZSTR_OK && a->plot_options.kind == ZP_POLES && rom != NULL)
        rc = keep_poles(mo, rom, e);
    if (rc == ZSTR_OK) {
        zstr_plan_info in;
        zstr_plan_info_init(&in);
        zstr_plan_get_info(plan, &in);
        mo->rdc = dc.resistance;
        mo->open = dc.open_circuit;
        mo->fraction = in.contact_fraction[ZSTR_WE];
        mo->area_cm2 = in.area * 1e4;
        member_label(s, k, members, mo->label, sizeof mo->label);
        if (mo->label[0] == '\0')
            snprintf(mo->label, sizeof mo->label, "%s", zm_name(f));
        snprintf(mo->legend, sizeof mo->legend, "%s, contact %.3g %%", mo->label,
                 100.0 * mo->fraction);
        zb_warn_contact(f, in.contact_fraction, k, members);
        *keep = plan; /* the next member may re-stamp it */
        plan = NULL;
    }
    zstr_rom_free(rom);
    zstr_plan_free(plan);
    zstr_model_free(m);
    zm_free(f);
    return rc;
}

/* ---- the run ------------------------------------------------------------- */

/* Step 1: every member's file and overrides, every output path. */
static int preflight(const zb_run_args *a, const zb_settings *s, int members, member_out *mo)
{
    const char *name = a->model != NULL ? a->model : "<default>";
    for (int k = 0; k < members; k++) {
        zm_file *f = NULL;
        zstr_error e;
        if (zb_load_member(a->model, s, k, &f, &e) != ZSTR_OK) {
            member_fail(name, s, k, members, e.message);
            return -1;
        }
        zb_print_warnings(f, k, members);
        zm_free(f);
    }
    for (int k = 0; a->poles != NULL && k < members; k++) {
        const char *what = NULL;
        int en = 0;
        for (int j = 0; j < members; j++) {
            if (strcmp(mo[j].path, mo[k].poles_path) == 0) {
                fprintf(stderr, "zstr: --poles %s is also a spectrum file\n", mo[k].poles_path);
                return -1;
            }
        }
        if ((a->plot != NULL && strcmp(a->plot, mo[k].poles_path) == 0) ||
            (a->summary != NULL && strcmp(a->summary, mo[k].poles_path) == 0)) {
            fprintf(stderr, "zstr: --poles %s is also the plot or summary\n", mo[k].poles_path);
            return -1;
        }
        if (zo_probe(mo[k].poles_path, &what, &en) != 0) {
            fprintf(stderr, "zstr: poles '%s': %s%s%s\n", mo[k].poles_path, what,
                    en ? ": " : "", en ? strerror(en) : "");
            return -1;
        }
    }
    for (int k = 0; k <= members + 1; k++) {
        const char *path = k < members ? mo[k].path : k == members ? a->plot : a->summary;
        const char *what = NULL;
        int en = 0;
        if (path == NULL)
            continue;
        if (k >= members) {
            for (int j = 0; j < members; j++) {
                if (strcmp(mo[j].path, path) == 0) {
                    fprintf(stderr, "zstr: %s %s is also a spectrum file\n",
                            k == members ? "--plot" : "--summary", path);
                    return -1;
                }
            }
        }
        if (zo_probe(path, &what, &en) != 0) {
            fprintf(stderr, "zstr: %s '%s': %s%s%s\n",
                    k < members ? "output" : k == members ? "plot" : "summary", path,
                    what, en ? ": " : "", en ? strerror(en) : "");
            return -1;
        }
    }
    return 0;
}

/* Remove everything of this run: temporaries, renamed CSVs, the plot. */
static void undo_outputs(const zb_run_args *a, member_out *mo, int members, int plotted,
                         int summarised)
{
    if (summarised)
        remove(a->summary);
    for (int k = 0; k < members; k++) {
        int en = 0;
        if (mo[k].staged)
            zo_finish(&mo[k].csv, "run failed", &en);
        mo[k].staged = 0;
        if (mo[k].committed)
            remove(mo[k].path);
        mo[k].committed = 0;
        if (mo[k].poles_staged)
            zo_finish(&mo[k].poles, "run failed", &en);
        mo[k].poles_staged = 0;
        if (mo[k].poles_committed)
            remove(mo[k].poles_path);
        mo[k].poles_committed = 0;
    }
    if (plotted)
        remove(a->plot);
}

static int plot_members(const zb_run_args *a, const member_out *mo, int members)
{
    zp_series *ser = calloc((size_t)members, sizeof *ser);
    if (ser == NULL) {
        fprintf(stderr, "zstr: out of memory\n");
        return -1;
    }
    zp_poles_series *pol = calloc((size_t)members, sizeof *pol);
    if (pol == NULL) {
        free(ser);
        fprintf(stderr, "zstr: out of memory\n");
        return -1;
    }
    zp_options po = a->plot_options;
    po.area_cm2 = mo[0].area_cm2;
    for (int k = 0; k < members; k++) {
        ser[k] = (zp_series){mo[k].legend, mo[k].nf, mo[k].f, mo[k].z};
        pol[k] = (zp_poles_series){mo[k].legend, mo[k].npoles, mo[k].tau, mo[k].rk};
    }
    char msg[512];
    int rc = po.kind == ZP_POLES ? zp_plot_poles(a->plot, ser, pol, members, &po, msg, sizeof msg)
                                 : zp_plot(a->plot, ser, members, &po, msg, sizeof msg);
    free(pol);
    if (rc != 0)
        fprintf(stderr, "zstr: %s\n", msg);
    zp_cleanup(); /* no more drawing: leave no font caches behind */
    free(ser);
    return rc;
}

static int commit_outputs(member_out *mo, int members)
{
    for (int k = 0; k < members; k++) {
        int en = 0;
        const char *what = zo_finish(&mo[k].csv, NULL, &en);
        mo[k].staged = 0;
        if (what != NULL) {
            fprintf(stderr, "zstr: output '%s': %s%s%s\n", mo[k].path, what, en ? ": " : "",
                    en ? strerror(en) : "");
            return -1;
        }
        mo[k].committed = 1;
        if (!mo[k].poles_staged)
            continue;
        what = zo_finish(&mo[k].poles, NULL, &en);
        mo[k].poles_staged = 0;
        if (what != NULL) {
            fprintf(stderr, "zstr: poles '%s': %s%s%s\n", mo[k].poles_path, what,
                    en ? ": " : "", en ? strerror(en) : "");
            return -1;
        }
        mo[k].poles_committed = 1;
    }
    return 0;
}

/* The table on stdout, and as CSV when asked (one column per --set path). */
static int summarise(const zb_run_args *a, const zb_settings *s, const member_out *mo,
                     int members, int print)
{
    size_t nm = (size_t)members, ns = (size_t)(s->n > 0 ? s->n : 1);
    zr_row *rows = calloc(nm, sizeof *rows);
    const char **vals = calloc(nm * ns, sizeof *vals), **paths = calloc(ns, sizeof *paths);
    int status = 0;
    if (rows == NULL || vals == NULL || paths == NULL) {
        fprintf(stderr, "zstr: out of memory\n");
        status = -1;
    } else {
        for (int i = 0; i < s->n; i++)
            paths[i] = s->v[i].path;
        for (size_t k = 0; k < nm; k++) {
            for (int i = 0; i < s->n; i++)
                vals[k * ns + (size_t)i] = zb_setting_value(s, i, (int)k);
            const zstr_sweep_report *r = &mo[k].rep;
            int mor = r->method == ZSTR_METHOD_MOR;
            rows[k] = (zr_row){mo[k].open,
                               mo[k].rdc,
                               mo[k].area_cm2,
                               mo[k].fraction,
                               mo[k].label,
                               vals + k * ns,
                               mor ? "mor" : "direct",
                               (long long)(mor ? r->factorizations - r->direct
                                               : r->factorizations),
                               mor ? r->max_estimate : 0.0,
                               mor ? (long long)r->direct : 0,
                               mo[k].restamped,
                               !mor ? "-"
                               : r->backend == ZSTR_BACKEND_ITERATIVE ? "iterative"
                                                                       : "direct",
                               mor ? (long long)r->iterations : 0};
        }
        char msg[512];
        if (print)
            zr_summary_print(stdout, rows, (int)nm);
        else if (zr_summary_write_csv(a->summary, s->n, paths, rows, (int)nm, msg, sizeof msg)) {
            fprintf(stderr, "zstr: %s\n", msg);
            status = -1;
        }
    }
    free(rows);
    free(vals);
    free(paths);
    return status;
}

int zb_run(const zb_run_args *a, const zb_settings *s, int members)
{
    if (members < 1 || members > ZB_MAX_MEMBERS) {
        fprintf(stderr, "zstr: %d series members (1 to %d)\n", members, ZB_MAX_MEMBERS);
        return 1;
    }
    member_out *mo = calloc((size_t)members, sizeof *mo);
    if (mo == NULL) {
        fprintf(stderr, "zstr: out of memory\n");
        return 1;
    }
    for (int k = 0; k < members; k++) {
        member_path(a->out, k, members, mo[k].path, sizeof mo[k].path);
        if (a->poles != NULL)
            member_path(a->poles, k, members, mo[k].poles_path, sizeof mo[k].poles_path);
    }
    const char *name = a->model != NULL ? a->model : "<default>";
    /* distributed: process 0 alone probes and writes the outputs; every
     * step's status is agreed so that all processes stop together */
    int status = a->rank == 0 ? (preflight(a, s, members, mo) == 0 ? 0 : 1) : 0;
    int plotted = 0, summarised = 0;
    if (a->distributed)
        status = zd_any(status);
    zstr_plan *keep = NULL; /* the last member's plan, for re-stamping */
    for (int k = 0; k < members && status == 0; k++) {
        zstr_error e;
        memset(&e, 0, sizeof e);
        int rc = a->distributed ? run_member_distributed(a, s, k, members, &mo[k], &e)
                                : run_member(a, s, k, members, &mo[k], &keep, &e);
        if (rc != ZSTR_OK) {
            member_fail(name, s, k, members, e.message);
            status = 1;
        }
        if (a->distributed)
            status = zd_any(status);
    }
    zstr_plan_free(keep);
    if (a->rank != 0) {
        /* the outputs are process 0's: its status is the run's */
        status = zd_any(status);
        goto done;
    }
    if (status == 0 && a->plot != NULL) {
        if (plot_members(a, mo, members) != 0)
            status = 1;
        else
            plotted = 1;
    }
    if (status == 0 && a->summary != NULL) {
        if (summarise(a, s, mo, members, 0) != 0)
            status = 1;
        else
            summarised = 1;
    }
    if (status == 0 && commit_outputs(mo, members) != 0)
        status = 1;
    if (status != 0)
        undo_outputs(a, mo, members, plotted, summarised);
    else if (summarise(a, s, mo, members, 1) != 0)
        status = 1;
    if (a->distributed)
        status = zd_any(status);
done:
    for (int k = 0; k < members; k++) {
        free(mo[k].f);
        free(mo[k].z);
        free(mo[k].tau);
        free(mo[k].rk);
    }
    free(mo);
    return status;
}
