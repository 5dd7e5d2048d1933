/*
 * zstr_analysis.h — spectrum analysis in libzstr: measured or simulated
 * impedance spectra read from files, equivalent-circuit fitting, distribution
 * of relaxation times (DRT), Kramers-Kronig test and Arrhenius fits.
 *
 * Concept
 * -------
 * libzstr computes spectra from microstructures (zstr.h); this header reads
 * spectra back and analyses them the way an experimentalist would, so that a
 * simulated spectrum can be analysed "as if measured" and the answer compared
 * with what the model contains.  Everything works on one value type:
 *
 *   zstr_spectrum   n frequencies f_k [Hz] > 0 with Z_k = Z' + jZ'' [Ω],
 *                   plus metadata: electrode area [m²] (0 = unknown),
 *                   temperature [K] (0 = unknown), the format and file it
 *                   was read from.  Made by zstr_spectrum_create() from
 *                   arrays or by zstr_spectrum_read() from a file.
 *
 * Readers (zstr_spectrum_read) accept
 *   - libzstr's own CSV (zstr_spectrum_write_csv: "# f_Hz,Zre_Ohm,..." then a
 *     '#' block; the area is taken from its "# area A = ... cm^2" line);
 *   - generic CSV (',' ';' or tab separated) whose header names a frequency
 *     column and either Z'/Z'' or |Z|/phase columns; without a header, the
 *     first three numeric columns are f, Z', Z'';
 *   - BioLogic EC-Lab text export (.mpt), Gamry EXPLAIN (.DTA, the ZCURVE
 *     table) and ZView/ZPlot (.z).
 *   Each reader rejects a malformed file with ZSTR_EINVAL and the file and
 *   1-based line (and column where one applies) in zstr_error.
 *
 * Conventions
 * -----------
 * As in zstr.h: SI units (Hz, Ω, m², K, s, eV), complex numbers as interleaved
 * (re, im) double pairs, Z'' < 0 for a capacitive response; int status
 * returns (ZSTR_OK = 0, errors < 0) with an optional zstr_error last;
 * constructors set *out = NULL on failure; every *_free(NULL) is a no-op; the
 * library never prints.  Numbers in files are read in the C locale whatever
 * the process locale is (EC-Lab's decimal comma is recognised explicitly).
 *
 * Thread rules
 * ------------
 * A zstr_spectrum is read-only after it is made except for its setters: many
 * threads may read one spectrum; one thread at a time may set its metadata.
 * Analysis calls keep no state between calls and may run concurrently.
 *
 * ABI
 * ---
 * zstr_spectrum is opaque (it grows freely).  Option structures follow
 * zstr.h's "Extensible structures": a leading `size_t size` set by the
 * matching *_default(); the library reads at most `size` bytes and takes
 * defaults beyond.  Enumerations are append-only.
 *
 * Link: the analysis lives in libzstr itself and uses GSL and LAPACK
 * internally (both in Libs.private); this header includes neither.
 */
#ifndef ZSTR_ANALYSIS_H
#define ZSTR_ANALYSIS_H

#include "zstr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Spectra                                                                   */
/* ------------------------------------------------------------------------- */

typedef struct zstr_spectrum zstr_spectrum;

/* File formats (append-only). */
typedef enum zstr_file_format {
    ZSTR_FORMAT_AUTO = 0,  /* from the content, then the extension */
    ZSTR_FORMAT_CSV = 1,   /* libzstr's own CSV or a generic CSV with a header */
    ZSTR_FORMAT_MPT = 2,   /* BioLogic EC-Lab text export */
    ZSTR_FORMAT_DTA = 3,   /* Gamry EXPLAIN, ZCURVE table */
    ZSTR_FORMAT_ZPLOT = 4, /* ZView / ZPlot .z */
    ZSTR_FORMAT_MEMORY = 5 /* made by zstr_spectrum_create (never read) */
} zstr_file_format;

/* Sign of the imaginary part (or of the phase) in a file (append-only). */
typedef enum zstr_sign {
    /* A column named with a leading '-' ("-Im(Z)/Ohm", "-Z''") holds −Z''.
     * A generic CSV column without a sign in its name holds −Z'' when most of
     * its non-zero values are positive (most measured spectra are capacitive);
     * instrument formats with a fixed convention are read as documented. */
    ZSTR_SIGN_AUTO = 0,
    ZSTR_SIGN_AS_NAMED = 1, /* trust the names only; no majority rule */
    ZSTR_SIGN_FLIP = 2      /* negate the imaginary part after reading */
} zstr_sign;

typedef struct zstr_read_options {
    size_t size; /* sizeof(zstr_read_options): set by zstr_read_options_default() */
    int format;  /* zstr_file_format; default ZSTR_FORMAT_AUTO */
    int sign;    /* zstr_sign; default ZSTR_SIGN_AUTO */
} zstr_read_options;

/* Purpose: fill *options with the defaults and options->size.
 * Arguments: options — may be NULL (nothing happens). */
ZSTR_API void zstr_read_options_default(zstr_read_options *options);

/* Purpose: a spectrum from arrays (copied).
 * Arguments: n >= 1; frequencies — n values, finite and > 0 [Hz]; z — 2n
 *   values (re, im) [Ω], finite; out — *out is the spectrum or NULL.
 * Returns: ZSTR_OK; ZSTR_EINVAL naming the first bad point; ZSTR_ENOMEM. */
ZSTR_API int zstr_spectrum_create(int64_t n, const double *frequencies, const double *z,
                                  zstr_spectrum **out, zstr_error *err);

/* Purpose: read a spectrum file in any format above.
 * Arguments: path — required; options — NULL means defaults, else size set;
 *   out — *out is the spectrum or NULL; err — on failure err->file is the
 *   path and err->line (err->column) the place of the first problem.
 * Returns: ZSTR_OK; ZSTR_EIO when the file cannot be read; ZSTR_EINVAL for a
 *   malformed file (what and where in the message); ZSTR_ENOMEM. */
ZSTR_API int zstr_spectrum_read(const char *path, const zstr_read_options *options,
                                zstr_spectrum **out, zstr_error *err);

/* Purpose: as zstr_spectrum_read, from memory (len bytes, need not be
 *   NUL-terminated).  name is used for the messages and, with
 *   ZSTR_FORMAT_AUTO, for its extension; it may be NULL ("<memory>"). */
ZSTR_API int zstr_spectrum_read_buffer(const char *data, size_t len, const char *name,
                                       const zstr_read_options *options,
                                       zstr_spectrum **out, zstr_error *err);

/* Purpose: a copy of a spectrum (deep).  Returns ZSTR_OK, ZSTR_EINVAL, ZSTR_ENOMEM. */
ZSTR_API int zstr_spectrum_copy(const zstr_spectrum *s, zstr_spectrum **out, zstr_error *err);

/* Purpose: free a spectrum (NULL is a no-op). */
ZSTR_API void zstr_spectrum_free(zstr_spectrum *s);

/* Accessors.  Pointers stay valid until the spectrum is freed; NULL / 0 for
 * a NULL spectrum.  z is interleaved (re, im), 2·count values. */
ZSTR_API int64_t zstr_spectrum_count(const zstr_spectrum *s);
ZSTR_API const double *zstr_spectrum_frequencies(const zstr_spectrum *s);
ZSTR_API const double *zstr_spectrum_impedance(const zstr_spectrum *s);
/* Electrode area [m²]; 0 when unknown. */
ZSTR_API double zstr_spectrum_area(const zstr_spectrum *s);
/* Temperature [K]; 0 when unknown. */
ZSTR_API double zstr_spectrum_temperature(const zstr_spectrum *s);
/* The format it was read in (zstr_file_format). */
ZSTR_API int zstr_spectrum_format(const zstr_spectrum *s);
/* The file it was read from, or "" (never NULL for a non-NULL spectrum). */
ZSTR_API const char *zstr_spectrum_source(const zstr_spectrum *s);

/* Purpose: set the area [m²] (> 0, or 0 = unknown) or temperature [K] (> 0,
 *   or 0 = unknown).  Returns ZSTR_OK or ZSTR_EINVAL. */
ZSTR_API int zstr_spectrum_set_area(zstr_spectrum *s, double area, zstr_error *err);
ZSTR_API int zstr_spectrum_set_temperature(zstr_spectrum *s, double temperature,
                                           zstr_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ZSTR_ANALYSIS_H */
