/*
 * cmd_plot.c — plot options and the `zstr plot` command.
 *
 * `zstr plot` reads spectrum files (csvread.c) and draws them as `zstr run
 * --plot` would, one series per file in the order given, so a figure can be
 * redrawn with other ranges, log axes or panels without recomputing.  Every
 * file is read before anything is drawn; a bad file names file:line and no
 * figure is written.  Legends: the file's --set overrides (its metadata) and
 * its realised contact fraction, else the file name.
 */
#include "cmd_plot.h"

#include "csvread.h"
#include "units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EXIT_USER 1
#define EXIT_USAGE 2
#define MAX_FILES 256

const char zc_plot_options_help[] =
    "  --xlim LO,HI      Nyquist Z' range (Ohm, or Ohm cm^2 with --area)\n"
    "  --ylim LO,HI      Nyquist -Z'' range, the same unit\n"
    "  --logx, --logy    logarithmic Nyquist axes (for series whose sizes differ by\n"
    "                    decades, e.g. temperature series; |Z| in the Bode panel is\n"
    "                    always logarithmic)\n"
    "  --panels P        both (default), nyquist or bode; with zstr run also poles:\n"
    "                    Nyquist beside the exact relaxation times (implies mor)\n";

static int parse_lim(const char *opt, const char *v, double lim[2], char *why, size_t nwhy)
{
    double x[2];
    int n = 0;
    char m[256];
    if (zu_parse_list(v, ZU_NUMBER, x, 2, &n, m, sizeof m) != 0 || n != 2 || !(x[0] < x[1])) {
        snprintf(why, nwhy, "%s '%s': expected LO,HI with LO < HI (plain numbers)%s%s", opt, v,
                 n == 0 ? ": " : "", n == 0 ? m : "");
        return -1;
    }
    lim[0] = x[0], lim[1] = x[1];
    return 0;
}

int zc_plot_option(int argc, char **argv, int *i, zp_options *po, char *why, size_t nwhy)
{
    const char *a = argv[*i];
    int with_value = strcmp(a, "--xlim") == 0 || strcmp(a, "--ylim") == 0 ||
                     strcmp(a, "--panels") == 0;
    if (with_value && *i + 1 >= argc) {
        snprintf(why, nwhy, "%s needs a value", a);
        return -1;
    }
    if (strcmp(a, "--xlim") == 0 || strcmp(a, "--ylim") == 0) {
        if (parse_lim(a, argv[*i + 1], a[2] == 'x' ? po->xlim : po->ylim, why, nwhy) != 0)
            return -1;
    } else if (strcmp(a, "--panels") == 0) {
        const char *v = argv[*i + 1];
        if (strcmp(v, "both") == 0)
            po->kind = ZP_BOTH;
        else if (strcmp(v, "nyquist") == 0)
            po->kind = ZP_NYQUIST;
        else if (strcmp(v, "bode") == 0)
            po->kind = ZP_BODE;
        else if (strcmp(v, "poles") == 0)
            po->kind = ZP_POLES;
        else {
            snprintf(why, nwhy, "--panels '%s': expected both, nyquist, bode or poles", v);
            return -1;
        }
    } else if (strcmp(a, "--logx") == 0) {
        po->logx = 1;
    } else if (strcmp(a, "--logy") == 0) {
        po->logy = 1;
    } else {
        return 0;
    }
    if (with_value)
        (*i)++;
    if ((po->logx && po->xlim[0] != po->xlim[1] && !(po->xlim[0] > 0)) ||
        (po->logy && po->ylim[0] != po->ylim[1] && !(po->ylim[0] > 0))) {
        snprintf(why, nwhy, "a log axis needs a range above 0");
        return -1;
    }
    return 1;
}

static int plot_usage(const char *why)
{
    fprintf(stderr, "zstr plot: %s\n", why);
    fprintf(stderr, "usage: zstr plot SPECTRUM.csv... -o OUT.svg|png|pdf [--area] [--title T]\n"
                    "                 [--xlim LO,HI] [--ylim LO,HI] [--logx] [--logy]\n"
                    "                 [--panels both|nyquist|bode]\n");
    return EXIT_USAGE;
}

/* Is item (len bytes) one of the ", "-separated items of list? */
static int has_item(const char *list, const char *item, size_t len)
{
    for (const char *p = list; *p != '\0';) {
        const char *c = strstr(p, ", ");
        size_t n = c != NULL ? (size_t)(c - p) : strlen(p);
        if (n == len && strncmp(p, item, len) == 0)
            return 1;
        if (c == NULL)
            break;
        p = c + 2;
    }
    return 0;
}

/* File k's --set items without those every file shares (as zstr run leaves
 * single values out of its legends). */
static void drop_common(const zf_spectrum *sp, int n, int k, char *out, size_t size)
{
    size_t u = 0;
    out[0] = '\0';
    for (const char *p = sp[k].sets; *p != '\0';) {
        const char *c = strstr(p, ", ");
        size_t len = c != NULL ? (size_t)(c - p) : strlen(p);
        int common = n > 1;
        for (int j = 0; j < n && common; j++)
            common = has_item(sp[j].sets, p, len);
        if (!common && u < size) {
            snprintf(out + u, size - u, "%s%.*s", u ? ", " : "", (int)len, p);
            u = strlen(out);
        }
        if (c == NULL)
            break;
        p = c + 2;
    }
}

static int figure_ext_ok(const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (dot == NULL || (slash != NULL && dot < slash))
        return 0;
    return strcasecmp(dot, ".svg") == 0 || strcasecmp(dot, ".png") == 0 ||
           strcasecmp(dot, ".pdf") == 0;
}

int zc_cmd_plot(int argc, char **argv)
{
    const char *out = NULL, *files[MAX_FILES];
    int nfiles = 0, area = 0;
    zp_options po;
    zp_options_default(&po);
    char why[512];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = zc_plot_option(argc, argv, &i, &po, why, sizeof why);
        if (r < 0)
            return plot_usage(why);
        if (r > 0 && po.kind == ZP_POLES)
            return plot_usage("--panels poles needs the reduced model: use zstr run --panels "
                              "poles (a spectrum file holds no poles)");
        if (r > 0)
            continue;
        if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            if (out != NULL)
                return plot_usage("-o given twice (one figure per command)");
            out = argv[++i];
        } else if (strcmp(a, "--title") == 0 && i + 1 < argc) {
            po.title = argv[++i];
        } else if (strcmp(a, "--area") == 0) {
            area = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            snprintf(why, sizeof why, "unknown option '%s'", a);
            return plot_usage(why);
        } else if (nfiles == MAX_FILES) {
            return plot_usage("more than 256 spectrum files");
        } else {
            files[nfiles++] = a;
        }
    }
    if (nfiles == 0)
        return plot_usage("no spectrum file");
    if (out == NULL)
        return plot_usage("-o OUT.svg|png|pdf is required");
    if (!figure_ext_ok(out))
        return plot_usage("-o needs a file ending in .svg, .png or .pdf");

    zf_spectrum *sp = calloc((size_t)nfiles, sizeof *sp);
    zp_series *ser = calloc((size_t)nfiles, sizeof *ser);
    char(*labels)[400] = calloc((size_t)nfiles, sizeof *labels);
    int status = 0;
    if (sp == NULL || ser == NULL || labels == NULL) {
        fprintf(stderr, "zstr: out of memory\n");
        status = EXIT_USER;
    }
    char msg[600];
    for (int k = 0; k < nfiles && status == 0; k++) {
        if (zf_read(files[k], &sp[k], msg, sizeof msg) != 0) {
            fprintf(stderr, "zstr: %s\n", msg);
            status = EXIT_USER;
            break;
        }
        if (area && sp[k].zc == NULL) {
            fprintf(stderr, "zstr: %s: --area needs the Zre_Ohm_cm2,Zim_Ohm_cm2 columns\n",
                    files[k]);
            status = EXIT_USER;
            break;
        }
    }
    for (int k = 0; k < nfiles && status == 0; k++) { /* labels need every file */
        char own[256];
        drop_common(sp, nfiles, k, own, sizeof own);
        const char *name = own[0] != '\0' ? own : files[k];
        if (sp[k].contact >= 0)
            snprintf(labels[k], sizeof labels[k], "%s, contact %.3g %%", name,
                     100.0 * sp[k].contact);
        else
            snprintf(labels[k], sizeof labels[k], "%s", name);
        ser[k] = (zp_series){labels[k], sp[k].n, sp[k].f, area ? sp[k].zc : sp[k].z};
    }
    if (status == 0) {
        /* the Ω·cm² columns are plotted as they are, labelled Ω·cm² */
        po.area_specific = area;
        po.area_cm2 = 1.0;
        if (zp_plot(out, ser, nfiles, &po, msg, sizeof msg) != 0) {
            fprintf(stderr, "zstr: %s\n", msg);
            status = EXIT_USER;
        } else {
            printf("wrote %s (%d spectr%s)\n", out, nfiles, nfiles == 1 ? "um" : "a");
        }
        zp_cleanup();
    }
    for (int k = 0; sp != NULL && k < nfiles; k++)
        zf_free(&sp[k]);
    free(sp);
    free(ser);
    free(labels);
    return status;
}
