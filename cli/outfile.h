/*
 * outfile.h — output files that appear whole or not at all (the zstr
 * program's spectra, plots and VTK files).
 *
 * zo_open makes a mkstemp file beside the target (mode of the file it will
 * replace, else rw-r--r--); zo_finish flushes, syncs, closes and renames it
 * into place, or on any earlier failure removes it.  zo_seal does the first
 * half (flush, sync, close) so that several files can be completed first and
 * renamed together at the end; zo_probe checks before any work that a target
 * can be written at all.
 *
 * Signals: while a zo_guard is installed (zo_guard_install, once, by main),
 * every temporary that zo_open made and zo_finish has not yet renamed or
 * removed is registered in it, and SIGINT, SIGTERM and SIGHUP remove them all
 * before the process ends with the signal's default action, so an interrupted
 * run leaves no OUT.tmpXXXXXX behind.  The guard's slots are fixed (no
 * allocation in the handler, none needed to register); zo_open fails when all
 * are taken.  Files of one process are opened and finished by one thread.
 */
#ifndef ZSTR_CLI_OUTFILE_H
#define ZSTR_CLI_OUTFILE_H

#include <signal.h>
#include <stdio.h>

typedef struct zo_file {
    FILE *fp;  /* write here; NULL once sealed */
    char *tmp; /* the temporary's name */
    const char *path;
    int slot; /* its slot in the guard, or -1 */
} zo_file;

/* Temporaries that may exist at once: every member of a series (cli/zstr.c's
 * MAX_MEMBERS), a plot, and a few more. */
#define ZO_GUARD_SLOTS 264

typedef struct zo_guard {
    /* slot k holds a temporary's name when live[k] is 1; written by the one
     * thread that opens and finishes files, with the signals blocked, and read
     * by the handler */
    volatile sig_atomic_t live[ZO_GUARD_SLOTS];
    char *volatile tmp[ZO_GUARD_SLOTS];
    struct sigaction old[3]; /* the handlers replaced, restored by remove */
} zo_guard;

/* Install g (caller-owned, e.g. in main's frame) as the process's guard:
 * 0, or -1 when a handler cannot be set (errno).  One guard at a time. */
int zo_guard_install(zo_guard *g);

/* Restore the previous handlers; g must hold no live temporary. */
void zo_guard_remove(zo_guard *g);

/* 0, or -1 with *what (a short reason) and *errnum (0 if none) set. */
int zo_open(zo_file *o, const char *path, const char **what, int *errnum);

/* Flush, sync and close the stream, keeping the temporary for zo_finish:
 * NULL, or the reason of the failure (the temporary is then removed and o is
 * finished). */
const char *zo_seal(zo_file *o, int *errnum);

/* Finish the file: with what == NULL commit it, else discard it.  Returns the
 * reason of the first failure (what itself when given) or NULL on success;
 * *errnum is set with it.  A file already finished (o->tmp == NULL) is left
 * alone and returns what. */
const char *zo_finish(zo_file *o, const char *what, int *errnum);

/* Can path be written?  It must not be a directory and its folder must take
 * a new file (a temporary is made there and removed again).  0, or -1 with
 * *what and *errnum as zo_open. */
int zo_probe(const char *path, const char **what, int *errnum);

#endif
