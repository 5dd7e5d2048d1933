/*
 * poles.h — reading the poles file that `zstr run --poles` writes (the zstr
 * program's own module): the network's exact relaxation times.
 *
 * Format: line 1 is exactly "tau_s,R_Ohm"; then rows "tau,R" (C-locale
 * numbers, finite, tau >= 0, R >= 0) and comment lines starting with '#'
 * anywhere after line 1; blank lines are allowed.  A row with tau = 0 is the
 * series resistance R∞ (at most one).  Anything else is refused with
 * "path:line: what".
 */
#ifndef ZSTR_CLI_POLES_H
#define ZSTR_CLI_POLES_H

#include <stddef.h>
#include <stdint.h>

/* The poles read from the text buf of len bytes (name: for messages).  On
 * success 0, *tau and *r malloc'ed with *n values each (free() them; NULL
 * when n is 0), *rinf the τ = 0 row or 0.  On failure -1, nothing allocated,
 * msg "name:line: what". */
int zc_poles_parse(const char *name, const char *buf, size_t len, double **tau, double **r,
                   int64_t *n, double *rinf, char *msg, size_t msgsize);

/* The same from a file (at most 64 MiB). */
int zc_poles_read(const char *path, double **tau, double **r, int64_t *n, double *rinf,
                  char *msg, size_t msgsize);

#endif
