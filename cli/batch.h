/*
 * batch.h — --set overrides and series runs of the zstr program (the
 * program's own module, built on libzstr's public API and modelfile.h).
 *
 * Settings.  Every --set names one attribute and one value or a comma-separated
 * list.  Lists make members paired or as a grid (series.h, zr_layout).  There
 * is no limit on the number of --set options; a list has at most
 * ZB_MAX_MEMBERS values, and so has a series.
 *
 * Series runs (zb_run): see batch.c's banner for the order of the work and
 * the promise that a failed run leaves no file of its own behind.
 */
#ifndef ZSTR_CLI_BATCH_H
#define ZSTR_CLI_BATCH_H

#include <stddef.h>

#include "modelfile.h"
#include "plot.h"
#include "zstr.h"

#define ZB_MAX_MEMBERS 256

typedef struct zb_setting {
    char *path;
    char **values;
    int n;
    int stride; /* member k takes values[zr_index(n, stride, k)] (series.h) */
} zb_setting;

/* A growing list of settings; {0} is the empty list. */
typedef struct zb_settings {
    zb_setting *v;
    int n, cap;
} zb_settings;

/* Add "PATH=V1,V2,...": 0, or -1 with a usage message in why. */
int zb_settings_add(zb_settings *s, const char *arg, char *why, size_t nwhy);
void zb_settings_free(zb_settings *s);

/* The member count (1 without lists), paired (grid == 0) or every
 * combination; sets each setting's stride.  0, or -1 with why (lists of
 * different lengths when paired, too many members). */
int zb_settings_members(zb_settings *s, int grid, int *members, char *why, size_t nwhy);

/* Value of setting i for member k. */
const char *zb_setting_value(const zb_settings *s, int i, int k);

/* Load the model file (NULL: the default model) and apply member k of every
 * setting; *out = NULL on failure. */
int zb_load_member(const char *model, const zb_settings *s, int k, zm_file **out,
                   zstr_error *e);

/* Print the warnings of a loaded file on stderr ("zstr: warning: ..."), naming
 * the member of a series. */
void zb_print_warnings(const zm_file *f, int k, int members);

/* Warn on stderr when a map's realised contact fraction (per electrode)
 * differs from the request by more than ZR_CONTACT_RTOL (series.h). */
void zb_warn_contact(const zm_file *f, const double realised[2], int k, int members);

typedef struct zb_run_args {
    const char *model; /* NULL: the default model */
    const char *out;   /* CSV path; a series writes OUT-1.csv, ... */
    const char *plot;  /* NULL: no plot */
    const char *summary; /* NULL: the summary table on stdout only */
    zp_options plot_options;
    int threads, quiet;
    int method;        /* zstr_method: auto, direct or mor */
    double tolerance;  /* MOR's target max relative error */
    const char *poles; /* NULL, or POLES.csv (POLES-k.csv in a series): the exact
                          relaxation-time spectrum of each member's reduced model */
    int progress;      /* progress lines on stderr even when it is not a terminal */
    int backend;       /* zstr_backend of the reduced-order sweeps (--backend) */
    const char *backend_options; /* --petsc-options: the iterative backend's, or NULL */
    int distributed;   /* --backend petsc: the distributed sweep over MPI_COMM_WORLD */
    int rank, processes; /* this process and their number (0 and 1 unless distributed);
                            only process 0 writes files */
} zb_run_args;

/* zstr run after its arguments are parsed and zb_settings_members has laid
 * out the members: the exit status (0, or 1 with the reason on stderr). */
int zb_run(const zb_run_args *a, const zb_settings *s, int members);

#endif
