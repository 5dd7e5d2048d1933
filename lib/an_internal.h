/*
 * an_internal.h — definitions shared by the analysis files (an_*.c); never
 * installed.
 */
#ifndef ZS_AN_INTERNAL_H
#define ZS_AN_INTERNAL_H

#include "zs_internal.h"
#include "zstr_analysis.h"

struct zstr_spectrum {
    int64_t n;
    double *f;          /* n frequencies [Hz] */
    double *z;          /* 2n values (re, im) [Ω] */
    double area;        /* [m²], 0 = unknown */
    double temperature; /* [K], 0 = unknown */
    int format;         /* zstr_file_format */
    char source[256];   /* file name or "" */
};

/* Read a caller's option structure of type T (with a leading size) into a
 * full local copy: defaults first, then the caller's first `size` bytes. */
int zs_an_options(const void *given, void *local, size_t first, size_t current,
                  const char *what, zstr_error *err);

#endif
