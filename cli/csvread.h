/*
 * csvread.h — read back the spectrum files zstr writes (the program's own
 * module; a library reader comes later).  Used by `zstr plot`.
 *
 * Format (lib/io_csv.c): line 1 is "# f_Hz,Zre_Ohm,Zim_Ohm" optionally
 * followed by ",Zre_Ohm_cm2,Zim_Ohm_cm2"; then '#' lines (metadata, read for
 * the area, the realised contact fraction and the --set overrides); then one
 * line of comma-separated numbers per frequency.  Blank lines are skipped;
 * \r\n line ends are accepted.  Numbers are C-locale decimals, "inf", "-inf"
 * and "nan" (an open circuit is written as inf); a number that overflows is
 * an error.  f must be finite and ≥ 0.
 *
 * Errors name the file and line: "FILE:LINE: ...", one line, and nothing is
 * returned (the struct is zeroed).
 */
#ifndef ZSTR_CLI_CSVREAD_H
#define ZSTR_CLI_CSVREAD_H

#include <stddef.h>
#include <stdint.h>

typedef struct zf_spectrum {
    int64_t n;       /* frequencies (rows) */
    double *f;       /* n [Hz] */
    double *z;       /* 2n interleaved Z', Z'' [Ω] */
    double *zc;      /* 2n [Ω·cm²], or NULL when the file has 3 columns */
    double area_cm2; /* "# area A = ... cm^2", or 0 when absent */
    double contact;  /* "# contact fraction: WE x, ...": x, or -1 when absent */
    char sets[256];  /* the "# --set P=V" lines as "P=V, P=V", or "" */
} zf_spectrum;

/* Read path into *s.  Returns 0, or -1 with a message in msg. */
int zf_read(const char *path, zf_spectrum *s, char *msg, size_t msgsize);

/* Free what zf_read allocated; a zeroed struct is a no-op. */
void zf_free(zf_spectrum *s);

#endif
