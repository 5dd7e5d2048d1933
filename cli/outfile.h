/*
 * outfile.h — output files that appear whole or not at all (the zstr
 * program's plots and VTK files; lib/io_csv.c does the same for the library).
 *
 * zo_open makes a mkstemp file beside the target (mode of the file it will
 * replace, else rw-r--r--); zo_finish flushes, syncs, closes and renames it
 * into place, or on any earlier failure removes it.
 */
#ifndef ZSTR_CLI_OUTFILE_H
#define ZSTR_CLI_OUTFILE_H

#include <stdio.h>

typedef struct zo_file {
    FILE *fp;  /* write here */
    char *tmp; /* the temporary's name */
    const char *path;
} zo_file;

/* 0, or -1 with *what (a short reason) and *errnum (0 if none) set. */
int zo_open(zo_file *o, const char *path, const char **what, int *errnum);

/* Finish the file: with what == NULL commit it, else discard it.  Returns the
 * reason of the first failure (what itself when given) or NULL on success;
 * *errnum is set with it. */
const char *zo_finish(zo_file *o, const char *what, int *errnum);

#endif
