/*
 * cmd_morph.c — zstr morph: microstructure metrics of a model's voxels.
 *
 *   zstr morph MODEL.xml [--json] [-o REPORT.json] [--csv-dir DIR] [--vti OUT.vti]
 *              [--combine A+B]... [--metric 6|chamfer] [--phase NAME] [--no-dc]
 *              [--set PATH=V]...
 *
 * Concept.  Any model (a <volume>, or Voronoi grains and a fill) becomes a
 * labelled volume of phase ids (zm_build_volume: a <volume> in its own axes,
 * so x, y, z are the file's); every phase, and every union asked for with
 * --combine (the paper's "LPS + Li2S"), is measured with the library's
 * metrics (zstr_volume.h): volume fraction, fraction per slice, 6- and
 * 26-connected components, percolation, geodesic tortuosity from the top face
 * (the face at the end of the transport axis) to the bottom, local thickness
 * and the REV.  The DC solve of the model with ideal electrodes gives σ_eff
 * and the tortuosity factor τ = ε·σ/σ_eff of one phase (--phase; by default
 * the most conductive one at the model's temperature); a grid the solver
 * cannot hold (zstr_plan_check_grid) gets "dc": null and a note.
 *
 * Output contract of --json (issue 9; one object on stdout, and the same in
 * the -o file): {"grid": [nx,ny,nz], "voxel_size_m": [hx,hy,hz], "axis": "z",
 * "phases": [{"name", "volume_fraction", "slice_fraction": {"x": {"mean",
 * "std"}, "y", "z"}, "components": {"count6", "count26", "largest_fraction"},
 * "percolates": {"x", "y", "z"}, "tortuosity": {"mean", "min", "max"} | null,
 * "min_connecting_length_m": V | null, "local_thickness_m": {"mean", "std"}},
 * ...], "dc": {"sigma_eff_S_per_m", "tortuosity_factor", "open_circuit"}}.
 * tortuosity and min_connecting_length_m are null when the phase does not
 * percolate along the axis; numbers that are not finite (an absent phase, an
 * open circuit's τ) are null, as JSON has no inf.  largest_fraction is the
 * share of the phase's voxels in its largest 6-connected component.
 *
 * Files.  --csv-dir DIR: slices.csv (every phase, axis and slice), and per
 * phase psd-NAME.csv (6-connected components, largest first: the pore size
 * distribution), thickness-NAME.csv (histogram of the local thickness, bins
 * of one smallest voxel edge) and rev-NAME.csv.  --vti: phase ids, and per
 * phase the geodesic distance from the top (-1 outside the phase or
 * unreachable) and the local thickness (0 outside) for ParaView.  Every file
 * appears whole or not at all (cli/outfile.c).
 */
#include "cmd_morph.h"

#include "batch.h"
#include "modelfile.h"
#include "outfile.h"
#include "vtk.h"
#include "zstr.h"
#include "zstr_volume.h"

#include <errno.h>
#include <jansson.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EXIT_USER 1
#define EXIT_USAGE 2
#define MAX_SETS 64 /* phases and unions measured */
#define REV_SIZES 10
#define REV_TOLERANCE 0.05

static const char usage_text[] =
    "usage: zstr morph MODEL.xml [--json] [-o REPORT.json] [--csv-dir DIR] [--vti OUT.vti]\n"
    "                  [--combine A+B]... [--metric 6|chamfer] [--phase NAME] [--no-dc]\n"
    "                  [--set PATH=V]...\n"
    "\n"
    "Microstructure metrics of every phase of MODEL.xml (a <volume> or any other\n"
    "model): volume fraction, fraction per slice along x, y, z, 6- and 26-connected\n"
    "components, percolation, geodesic tortuosity from the top face along the\n"
    "transport axis, local thickness, representative elementary volume; and from a\n"
    "DC solve with ideal electrodes the effective conductivity and tortuosity\n"
    "factor tau = eps sigma / sigma_eff of the most conductive phase.\n"
    "  --json            print the report as JSON (the output contract of issue 9)\n"
    "  -o REPORT.json    also write the JSON report to a file\n"
    "  --csv-dir DIR     slice fractions, pore size distributions, local thickness\n"
    "                    histograms and REV curves as CSV files in DIR\n"
    "  --vti OUT.vti     phase ids, geodesic distance and local thickness maps\n"
    "  --combine A+B     also measure the union of phases A and B (repeatable)\n"
    "  --metric M        6 (face steps, the default) or chamfer (26 neighbours)\n"
    "  --phase NAME      the phase of the DC tortuosity factor\n"
    "  --no-dc           skip the DC solve (\"dc\": null)\n";

const char *zc_morph_help(void) { return usage_text; }

/* ------------------------------------------------------------------------- */
/* Options and results                                                       */
/* ------------------------------------------------------------------------- */

typedef struct morph_args {
    const char *model, *out_json, *csv_dir, *vti, *dc_phase;
    int json, metric, no_dc;
    const char *combine[MAX_SETS];
    int ncombine;
    zb_settings sets;
} morph_args;

/* One measured set of phases. */
typedef struct morph_set {
    char name[160];
    int labels[MAX_SETS];
    int nlabels;
    int64_t voxels;
    double fraction;
    double *slices[3]; /* per slice, for the CSV */
    double slice_mean[3], slice_std[3];
    zstr_component *comp; /* 6-connected, largest first */
    int64_t count6, count26;
    int percolates[3];
    zstr_geodesic_result geo;
    zstr_thickness_result lt;
    double *lt_map, *geo_map; /* kept for the files only */
    double rev, rev_dev[REV_SIZES];
} morph_set;

typedef struct morph_dc {
    int done; /* 0: skipped (null) */
    char phase[64];
    zstr_tortuosity_result r;
    char note[600];
} morph_dc;

typedef struct morph_report {
    zm_file *f;
    zstr_volume *vol;
    int axis;
    int64_t n[3];
    double h[3];
    morph_set set[MAX_SETS];
    int nsets;
    morph_dc dc;
} morph_report;

static int usage(const char *why)
{
    fprintf(stderr, "zstr morph: %s\n%s", why, usage_text);
    return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, morph_args *a)
{
    char why[512];
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int more = i + 1 < argc;
        if (strcmp(s, "--json") == 0)
            a->json = 1;
        else if (strcmp(s, "--no-dc") == 0)
            a->no_dc = 1;
        else if (strcmp(s, "-o") == 0 && more)
            a->out_json = argv[++i];
        else if (strcmp(s, "--csv-dir") == 0 && more)
            a->csv_dir = argv[++i];
        else if (strcmp(s, "--vti") == 0 && more)
            a->vti = argv[++i];
        else if (strcmp(s, "--phase") == 0 && more)
            a->dc_phase = argv[++i];
        else if (strcmp(s, "--combine") == 0 && more && a->ncombine < MAX_SETS / 2)
            a->combine[a->ncombine++] = argv[++i];
        else if (strcmp(s, "--metric") == 0 && more) {
            const char *m = argv[++i];
            if (strcmp(m, "6") == 0)
                a->metric = ZSTR_METRIC_6;
            else if (strcmp(m, "chamfer") == 0)
                a->metric = ZSTR_METRIC_CHAMFER;
            else
                return usage("--metric takes 6 or chamfer");
        } else if (strcmp(s, "--set") == 0 && more) {
            if (zb_settings_add(&a->sets, argv[++i], why, sizeof why) != 0)
                return usage(why);
            if (a->sets.v[a->sets.n - 1].n != 1)
                return usage("--set takes one value here");
        } else if (s[0] == '-' && s[1] != '\0') {
            snprintf(why, sizeof why, "unknown option or missing value '%s'", s);
            return usage(why);
        } else if (a->model == NULL) {
            a->model = s;
        } else {
            return usage("more than one model file");
        }
    }
    if (a->model == NULL)
        return usage("expected a model file");
    return 0;
}

/* ------------------------------------------------------------------------- */
/* The sets and their metrics                                                */
/* ------------------------------------------------------------------------- */

/* Every phase, then every --combine "A+B+...": 0, or 1 with a message. */
static int make_sets(morph_report *r, const morph_args *a)
{
    int np = zm_phase_count(r->f);
    if (np + a->ncombine > MAX_SETS) {
        fprintf(stderr, "zstr: %s: more than %d phases and unions\n", a->model, MAX_SETS);
        return 1;
    }
    for (int k = 0; k < np; k++) {
        morph_set *s = &r->set[r->nsets++];
        snprintf(s->name, sizeof s->name, "%s", zm_phase_name(r->f, k));
        s->labels[0] = k;
        s->nlabels = 1;
    }
    for (int c = 0; c < a->ncombine; c++) {
        morph_set *s = &r->set[r->nsets++];
        snprintf(s->name, sizeof s->name, "%s", a->combine[c]);
        char copy[160];
        snprintf(copy, sizeof copy, "%s", a->combine[c]);
        for (char *tok = strtok(copy, "+"); tok != NULL; tok = strtok(NULL, "+")) {
            int id = -1;
            for (int k = 0; k < np; k++)
                if (strcmp(zm_phase_name(r->f, k), tok) == 0)
                    id = k;
            if (id < 0 || s->nlabels >= MAX_SETS) {
                fprintf(stderr, "zstr: --combine %s: no phase '%s' in %s\n", a->combine[c],
                        tok, a->model);
                return 1;
            }
            s->labels[s->nlabels++] = id;
        }
    }
    return 0;
}

static int measure_basics(const morph_report *r, morph_set *s, zstr_error *e)
{
    const uint16_t *l = zstr_volume_labels(r->vol);
    int64_t nvox = r->n[0] * r->n[1] * r->n[2];
    for (int64_t i = 0; i < nvox; i++)
        for (int k = 0; k < s->nlabels; k++)
            if (l[i] == s->labels[k]) {
                s->voxels++;
                break;
            }
    s->fraction = (double)s->voxels / (double)nvox;
    int rc = ZSTR_OK;
    for (int d = 0; rc == ZSTR_OK && d < 3; d++) {
        s->slices[d] = malloc((size_t)r->n[d] * sizeof *s->slices[d]);
        if (s->slices[d] == NULL)
            return ZSTR_ENOMEM;
        rc = zstr_morph_slice_fraction(r->vol, s->nlabels, s->labels, d, s->slices[d],
                                       &s->slice_mean[d], &s->slice_std[d], e);
    }
    zstr_component *c26 = NULL;
    if (rc == ZSTR_OK)
        rc = zstr_morph_components(r->vol, s->nlabels, s->labels, 6, &s->comp, &s->count6, NULL,
                                   e);
    if (rc == ZSTR_OK)
        rc = zstr_morph_components(r->vol, s->nlabels, s->labels, 26, &c26, &s->count26, NULL,
                                   e);
    free(c26);
    if (rc == ZSTR_OK)
        rc = zstr_morph_percolation(r->vol, s->nlabels, s->labels, s->percolates, e);
    return rc;
}

static int measure_paths(const morph_report *r, morph_set *s, const morph_args *a,
                         zstr_error *e)
{
    int64_t nvox = r->n[0] * r->n[1] * r->n[2];
    /* the maps are kept only for the files that need them */
    if (a->vti != NULL && (s->geo_map = malloc((size_t)nvox * sizeof *s->geo_map)) == NULL)
        return ZSTR_ENOMEM;
    if ((a->vti != NULL || a->csv_dir != NULL) &&
        (s->lt_map = malloc((size_t)nvox * sizeof *s->lt_map)) == NULL)
        return ZSTR_ENOMEM;
    s->geo.size = sizeof s->geo;
    int rc = zstr_morph_geodesic(r->vol, s->nlabels, s->labels, r->axis, 1, a->metric,
                                 s->geo_map, &s->geo, e);
    s->lt.size = sizeof s->lt;
    if (rc == ZSTR_OK)
        rc = zstr_morph_local_thickness(r->vol, s->nlabels, s->labels, 0, s->lt_map, &s->lt, e);
    if (rc == ZSTR_OK)
        rc = zstr_morph_rev(r->vol, s->nlabels, s->labels, REV_SIZES, REV_TOLERANCE,
                            s->rev_dev, &s->rev, e);
    for (int64_t i = 0; s->geo_map != NULL && i < nvox; i++)
        if (!isfinite(s->geo_map[i]))
            s->geo_map[i] = -1.0;
    return rc;
}

/* The phase of the DC tortuosity factor: --phase, else the most conductive
 * at the model's temperature (σ(T) as zstr info prints it). */
static int dc_phase(const zstr_model *m, const char *want, char *name, size_t size)
{
    int best = -1;
    double top = -1.0, t = zstr_model_get_temperature(m);
    for (int k = 0; k < zstr_model_phase_count(m); k++) {
        zstr_phase_params p;
        if (zstr_model_get_phase(m, k, &p, NULL) != ZSTR_OK)
            continue;
        double s = p.conductivity * (p.reference_temperature / t) *
                   exp(-p.activation_energy / ZSTR_KBOLTZ_EV *
                       (1.0 / t - 1.0 / p.reference_temperature));
        if (want != NULL ? strcmp(p.name, want) == 0 : s > top) {
            best = k;
            top = s;
            snprintf(name, size, "%s", p.name);
        }
    }
    return best;
}

/* The DC solve with ideal electrodes: a bulk property of the microstructure. */
static int measure_dc(morph_report *r, const morph_args *a, zstr_error *e)
{
    if (a->no_dc)
        return ZSTR_OK;
    zstr_model *m = NULL;
    int rc = zm_build(r->f, &m, NULL, NULL, e);
    if (rc == ZSTR_EMEMLIMIT) {
        snprintf(r->dc.note, sizeof r->dc.note, "no DC solve (\"dc\": null): %s", e->message);
        return ZSTR_OK;
    }
    zstr_interface_params ideal;
    zstr_interface_params_default(&ideal);
    for (int el = 0; rc == ZSTR_OK && el < 2; el++)
        rc = zstr_model_set_interface(m, el, &ideal, NULL, e);
    int phase = rc == ZSTR_OK ? dc_phase(m, a->dc_phase, r->dc.phase, sizeof r->dc.phase) : 0;
    if (rc == ZSTR_OK && phase < 0) {
        snprintf(e->message, sizeof e->message, "--phase %s: no such phase in %s", a->dc_phase,
                 a->model);
        rc = ZSTR_EINVAL;
    }
    r->dc.r.size = sizeof r->dc.r;
    if (rc == ZSTR_OK)
        rc = zstr_model_tortuosity_factor(m, phase, NULL, &r->dc.r, e);
    zstr_model_free(m);
    if (rc == ZSTR_EMEMLIMIT) {
        snprintf(r->dc.note, sizeof r->dc.note, "no DC solve (\"dc\": null): %s", e->message);
        return ZSTR_OK;
    }
    if (rc >= 0) {
        r->dc.done = 1;
        rc = ZSTR_OK; /* an open circuit is a result */
    }
    return rc;
}

/* ------------------------------------------------------------------------- */
/* JSON and text                                                             */
/* ------------------------------------------------------------------------- */

/* JSON numbers cannot be NaN or inf: those become null. */
static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *set_json(const morph_report *r, const morph_set *s)
{
    json_t *sl = json_object();
    for (int d = 0; d < 3; d++)
        json_object_set_new(sl, (const char[2]){"xyz"[d], 0},
                            json_pack("{s:o, s:o}", "mean", num(s->slice_mean[d]), "std",
                                      num(s->slice_std[d])));
    int perc = s->percolates[r->axis] && s->geo.n_reached > 0;
    json_t *tort = perc ? json_pack("{s:o, s:o, s:o}", "mean", num(s->geo.mean), "min",
                                    num(s->geo.min), "max", num(s->geo.max))
                        : json_null();
    double largest = s->count6 > 0 ? (double)s->comp[0].voxels / (double)s->voxels : NAN;
    return json_pack("{s:s, s:o, s:o, s:{s:I, s:I, s:o}, s:{s:b, s:b, s:b}, s:o, s:o, "
                     "s:{s:o, s:o}}",
                     "name", s->name, "volume_fraction", num(s->fraction), "slice_fraction", sl,
                     "components", "count6", (json_int_t)s->count6, "count26",
                     (json_int_t)s->count26, "largest_fraction", num(largest), "percolates",
                     "x", s->percolates[0], "y", s->percolates[1], "z", s->percolates[2],
                     "tortuosity", tort, "min_connecting_length_m",
                     perc ? num(s->geo.min_length) : json_null(), "local_thickness_m", "mean",
                     num(s->lt.mean), "std", num(s->lt.std));
}

static json_t *report_json(const morph_report *r)
{
    json_t *phases = json_array();
    for (int k = 0; k < r->nsets; k++)
        json_array_append_new(phases, set_json(r, &r->set[k]));
    json_t *dc = json_null();
    if (r->dc.done)
        dc = json_pack("{s:o, s:o, s:b}", "sigma_eff_S_per_m", num(r->dc.r.sigma_eff),
                       "tortuosity_factor", num(r->dc.r.tortuosity_factor), "open_circuit",
                       r->dc.r.open_circuit);
    return json_pack("{s:[I, I, I], s:[o, o, o], s:s, s:o, s:o}", "grid", (json_int_t)r->n[0],
                     (json_int_t)r->n[1], (json_int_t)r->n[2], "voxel_size_m", num(r->h[0]),
                     num(r->h[1]), num(r->h[2]), "axis", (const char[2]){"xyz"[r->axis], 0},
                     "phases", phases, "dc", dc);
}

static void print_set(const morph_report *r, const morph_set *s)
{
    const char ax = "xyz"[r->axis];
    printf("phase \"%s\": volume fraction %.6g\n", s->name, s->fraction);
    printf("  per slice (mean +- std): x %.4g +- %.3g, y %.4g +- %.3g, z %.4g +- %.3g\n",
           s->slice_mean[0], s->slice_std[0], s->slice_mean[1], s->slice_std[1],
           s->slice_mean[2], s->slice_std[2]);
    printf("  components: %lld (6-connected), %lld (26-connected)", (long long)s->count6,
           (long long)s->count26);
    if (s->count6 > 0)
        printf("; the largest holds %.4g %% of the phase", 100.0 * (double)s->comp[0].voxels /
                                                               (double)s->voxels);
    printf("\n  percolates: x %s, y %s, z %s\n", s->percolates[0] ? "yes" : "no",
           s->percolates[1] ? "yes" : "no", s->percolates[2] ? "yes" : "no");
    if (s->percolates[r->axis] && s->geo.n_reached > 0)
        printf("  geodesic tortuosity along %c from the top: mean %.6g, min %.6g, max %.6g; "
               "shortest connecting path %.6g m (straight %.6g m)\n",
               ax, s->geo.mean, s->geo.min, s->geo.max, s->geo.min_length, s->geo.straight);
    else
        printf("  geodesic tortuosity along %c: none (the phase does not connect top and "
               "bottom)\n",
               ax);
    if (s->voxels > 0)
        printf("  local thickness: mean %.6g m, std %.6g m, max %.6g m\n", s->lt.mean,
               s->lt.std, s->lt.max);
    if (isfinite(s->rev))
        printf("  REV (fraction within +-%.0f %%): cubes of %.6g m and larger\n",
               100 * REV_TOLERANCE, s->rev);
    else if (s->voxels > 0)
        printf("  REV (fraction within +-%.0f %%): not reached in this volume\n",
               100 * REV_TOLERANCE);
}

static void print_report(const morph_report *r)
{
    printf("%s: %lld x %lld x %lld voxels of %.6g x %.6g x %.6g m, transport axis %c\n",
           zm_name(r->f), (long long)r->n[0], (long long)r->n[1], (long long)r->n[2], r->h[0],
           r->h[1], r->h[2], "xyz"[r->axis]);
    for (int k = 0; k < r->nsets; k++)
        print_set(r, &r->set[k]);
    if (r->dc.done && r->dc.r.open_circuit)
        printf("dc: open circuit (no conducting path between the electrodes)\n");
    else if (r->dc.done)
        printf("dc (ideal electrodes): sigma_eff = %.6g S/m; phase \"%s\": eps = %.6g, sigma = "
               "%.6g S/m, tortuosity factor tau = eps sigma / sigma_eff = %.6g\n",
               r->dc.r.sigma_eff, r->dc.phase, r->dc.r.volume_fraction, r->dc.r.sigma_phase,
               r->dc.r.tortuosity_factor);
    else
        printf("dc: not computed\n");
}

/* ------------------------------------------------------------------------- */
/* Files                                                                     */
/* ------------------------------------------------------------------------- */

/* An output file made whole or not at all: fill writes its content. */
static int write_file(const char *path, void (*fill)(FILE *, const morph_report *, const void *),
                      const morph_report *r, const void *arg)
{
    zo_file out;
    const char *what = NULL;
    int e = 0;
    if (zo_open(&out, path, &what, &e) != 0) {
        fprintf(stderr, "zstr: %s: %s%s%s\n", path, what, e ? ": " : "", e ? strerror(e) : "");
        return -1;
    }
    fill(out.fp, r, arg);
    if (ferror(out.fp))
        what = "cannot write", e = EIO;
    what = zo_finish(&out, what, &e);
    if (what != NULL) {
        fprintf(stderr, "zstr: %s: %s%s%s\n", path, what, e ? ": " : "", e ? strerror(e) : "");
        return -1;
    }
    return 0;
}

static void fill_json(FILE *fp, const morph_report *r, const void *arg)
{
    (void)r;
    fprintf(fp, "%s\n", (const char *)arg);
}

static void fill_slices(FILE *fp, const morph_report *r, const void *arg)
{
    (void)arg;
    fprintf(fp, "phase,axis,index,position_m,fraction\n");
    for (int k = 0; k < r->nsets; k++)
        for (int d = 0; d < 3; d++)
            for (int64_t i = 0; i < r->n[d]; i++)
                fprintf(fp, "%s,%c,%lld,%.17g,%.17g\n", r->set[k].name, "xyz"[d], (long long)i,
                        ((double)i + 0.5) * r->h[d], r->set[k].slices[d][i]);
}

static void fill_psd(FILE *fp, const morph_report *r, const void *arg)
{
    (void)r;
    const morph_set *s = arg;
    fprintf(fp, "rank,voxels,volume_m3,equivalent_diameter_m,feret_diameter_m,"
                "cumulative_fraction\n");
    for (int64_t i = 0; i < s->count6; i++) {
        const zstr_component *c = &s->comp[i];
        fprintf(fp, "%lld,%lld,%.17g,%.17g,%.17g,%.17g\n", (long long)(i + 1),
                (long long)c->voxels, c->volume, c->equivalent_diameter, c->feret_diameter,
                c->cumulative_fraction);
    }
}

static void fill_thickness(FILE *fp, const morph_report *r, const void *arg)
{
    const morph_set *s = arg;
    double w = fmin(r->h[0], fmin(r->h[1], r->h[2]));
    int64_t nb = s->voxels > 0 ? (int64_t)floor(s->lt.max / w) + 1 : 0;
    int64_t *count = nb > 0 ? calloc((size_t)nb, sizeof *count) : NULL;
    int64_t nvox = r->n[0] * r->n[1] * r->n[2];
    fprintf(fp, "from_m,to_m,voxels,fraction\n");
    if (count == NULL)
        return;
    for (int64_t i = 0; i < nvox; i++)
        if (s->lt_map[i] > 0.0) {
            int64_t b = (int64_t)floor(s->lt_map[i] / w);
            count[b < nb ? b : nb - 1]++;
        }
    for (int64_t b = 0; b < nb; b++)
        fprintf(fp, "%.17g,%.17g,%lld,%.17g\n", (double)b * w, (double)(b + 1) * w,
                (long long)count[b], (double)count[b] / (double)s->voxels);
    free(count);
}

static void fill_rev(FILE *fp, const morph_report *r, const void *arg)
{
    const morph_set *s = arg;
    int64_t m = r->n[0] < r->n[1] ? r->n[0] : r->n[1];
    m = m < r->n[2] ? m : r->n[2];
    fprintf(fp, "edge_voxels,edge_m,max_relative_deviation\n");
    for (int k = 1; k <= REV_SIZES; k++) {
        int64_t edge = k * m / REV_SIZES;
        fprintf(fp, "%lld,%.17g,%.17g\n", (long long)edge, (double)edge * r->h[0],
                s->rev_dev[k - 1]);
    }
}

static int write_csvs(const morph_report *r, const char *dir)
{
    char path[4096];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "zstr: --csv-dir %s: %s\n", dir, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/slices.csv", dir);
    if (write_file(path, fill_slices, r, NULL) != 0)
        return -1;
    for (int k = 0; k < r->nsets; k++) {
        const morph_set *s = &r->set[k];
        snprintf(path, sizeof path, "%s/psd-%s.csv", dir, s->name);
        if (write_file(path, fill_psd, r, s) != 0)
            return -1;
        snprintf(path, sizeof path, "%s/thickness-%s.csv", dir, s->name);
        if (s->lt_map != NULL && write_file(path, fill_thickness, r, s) != 0)
            return -1;
        snprintf(path, sizeof path, "%s/rev-%s.csv", dir, s->name);
        if (write_file(path, fill_rev, r, s) != 0)
            return -1;
    }
    return 0;
}

static int write_vti(const morph_report *r, const char *path)
{
    int64_t nvox = r->n[0] * r->n[1] * r->n[2];
    int32_t *ids = malloc((size_t)nvox * sizeof *ids);
    zv_map *maps = malloc((size_t)(1 + 2 * r->nsets) * sizeof *maps);
    char(*names)[200] = malloc((size_t)(2 * r->nsets) * sizeof *names);
    int rc = -1;
    if (ids != NULL && maps != NULL && names != NULL) {
        const uint16_t *l = zstr_volume_labels(r->vol);
        for (int64_t i = 0; i < nvox; i++)
            ids[i] = l[i];
        zv_map first = {"phase", ids, NULL};
        maps[0] = first;
        for (int k = 0; k < r->nsets; k++) {
            snprintf(names[2 * k], sizeof names[0], "geodesic_%s", r->set[k].name);
            snprintf(names[2 * k + 1], sizeof names[0], "thickness_%s", r->set[k].name);
            zv_map g = {names[2 * k], NULL, r->set[k].geo_map};
            zv_map t = {names[2 * k + 1], NULL, r->set[k].lt_map};
            maps[1 + 2 * k] = g;
            maps[2 + 2 * k] = t;
        }
        char msg[600], note[200];
        snprintf(note, sizeof note,
                 "zstr morph maps: phase ids; geodesic distance from the top face along %c "
                 "(-1: outside or unreachable); local thickness (0 outside)",
                 "xyz"[r->axis]);
        rc = zv_write_maps(path, r->n, r->h, maps, 1 + 2 * r->nsets, note, msg, sizeof msg);
        if (rc != 0)
            fprintf(stderr, "zstr: %s\n", msg);
    } else {
        fprintf(stderr, "zstr: out of memory for the maps\n");
    }
    free(ids);
    free(maps);
    free(names);
    return rc;
}

/* ------------------------------------------------------------------------- */
/* The command                                                               */
/* ------------------------------------------------------------------------- */

static void report_free(morph_report *r)
{
    for (int k = 0; k < r->nsets; k++) {
        for (int d = 0; d < 3; d++)
            free(r->set[k].slices[d]);
        free(r->set[k].comp);
        free(r->set[k].lt_map);
        free(r->set[k].geo_map);
    }
    zstr_volume_free(r->vol);
    zm_free(r->f);
}

static int measure(morph_report *r, const morph_args *a, zstr_error *e)
{
    int rc = zb_load_member(a->model, &a->sets, 0, &r->f, e);
    if (rc == ZSTR_OK) {
        zb_print_warnings(r->f, 0, 1);
        rc = zm_build_volume(r->f, &r->vol, &r->axis, e);
    }
    if (rc != ZSTR_OK)
        return rc;
    zstr_volume_get_grid(r->vol, r->n, r->h);
    if (make_sets(r, a) != 0)
        return ZSTR_EINVAL;
    for (int k = 0; rc == ZSTR_OK && k < r->nsets; k++) {
        rc = measure_basics(r, &r->set[k], e);
        if (rc == ZSTR_OK)
            rc = measure_paths(r, &r->set[k], a, e);
    }
    if (rc == ZSTR_ENOMEM)
        snprintf(e->message, sizeof e->message, "out of memory for the metrics");
    if (rc == ZSTR_OK)
        rc = measure_dc(r, a, e);
    return rc;
}

static int emit(const morph_report *r, const morph_args *a)
{
    json_t *j = report_json(r);
    char *text = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(j);
    if (text == NULL) {
        fprintf(stderr, "zstr: out of memory (JSON)\n");
        return EXIT_USER;
    }
    int bad = (a->out_json != NULL && write_file(a->out_json, fill_json, r, text) != 0) ||
              (a->csv_dir != NULL && write_csvs(r, a->csv_dir) != 0) ||
              (a->vti != NULL && write_vti(r, a->vti) != 0);
    if (!bad && a->json)
        printf("%s\n", text);
    else if (!bad)
        print_report(r);
    if (!bad && r->dc.note[0] != '\0')
        fprintf(stderr, "zstr: %s\n", r->dc.note);
    free(text);
    return bad ? EXIT_USER : 0;
}

int zc_cmd_morph(int argc, char **argv)
{
    morph_args a;
    memset(&a, 0, sizeof a);
    a.metric = ZSTR_METRIC_6;
#if defined(__GLIBC__)
    /* every metric allocates and frees arrays of the volume's size; glibc
     * would map and unmap each (page faults of the whole array every time:
     * a tenth of the run at 256^3).  Kept on the heap, they are reused. */
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, -1);
#endif
    int st = parse_args(argc, argv, &a);
    if (st != 0) {
        zb_settings_free(&a.sets);
        return st;
    }
    morph_report *r = calloc(1, sizeof *r);
    if (r == NULL) {
        zb_settings_free(&a.sets);
        fprintf(stderr, "zstr: out of memory\n");
        return EXIT_USER;
    }
    zstr_error e;
    memset(&e, 0, sizeof e);
    int rc = measure(r, &a, &e);
    if (rc != ZSTR_OK && e.message[0] != '\0')
        fprintf(stderr, "zstr: %s\n", e.message);
    st = rc == ZSTR_OK ? emit(r, &a) : EXIT_USER;
    report_free(r);
    free(r);
    zb_settings_free(&a.sets);
    return st;
}
