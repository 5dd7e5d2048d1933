/*
 * zstr_analysis.h — spectrum analysis in libzstr: measured or simulated
 * impedance spectra read from files, equivalent-circuit fitting, distribution
 * of relaxation times (DRT), Kramers-Kronig test, Arrhenius fits and the
 * diagnosis of a series by Eckhardt et al.'s guideline (zstr_diagnose).
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

/* ------------------------------------------------------------------------- */
/* Equivalent circuits: strings, evaluation, fitting                         */
/* ------------------------------------------------------------------------- */

/* Circuit strings use impedance.py's syntax: elements joined by '-' in series
 * and grouped by p(a,b,...) in parallel, e.g. "R0-p(R1,C1)-p(R2,CPE2)-W3".
 * An element is its type followed by an identifier of letters and digits
 * (names are unique).  Types and parameters (units; ω = 2πf):
 *   R    resistor            Z = R                          R [Ohm]
 *   C    capacitor           Z = 1/(jωC)                    C [F]
 *   L    inductor            Z = jωL                        L [H]
 *   CPE  constant phase      Z = 1/(Q (jω)^α)               Q [F s^(α-1)], α (0 < α < 1]
 *   W    Warburg, semi-inf.  Z = A (1 − j)/√ω               A [Ohm s^-1/2]
 *   Wo   Warburg, open       Z = Z0 coth(√(jωτ))/√(jωτ)     Z0 [Ohm], τ [s]
 *   Ws   Warburg, short      Z = Z0 tanh(√(jωτ))/√(jωτ)     Z0 [Ohm], τ [s]
 *   G    Gerischer           Z = R/√(1 + jωt)               R [Ohm], t [s]
 *   K    Voigt RC by τ       Z = R/(1 + jωτ)                R [Ohm], τ [s]
 * Parameters are named like impedance.py's: the element's name for a
 * one-parameter element ("R1"), name_0, name_1 otherwise ("CPE2_0" = Q,
 * "CPE2_1" = α).  Spaces are ignored. */
typedef struct zstr_circuit zstr_circuit;

/* Purpose: parse a circuit string.
 * Arguments: text — required; out — *out is the circuit or NULL; err — on
 *   failure err->column is the 1-based position of the problem in text and
 *   the message quotes it.
 * Returns: ZSTR_OK; ZSTR_EINVAL for a malformed string (unknown element,
 *   missing identifier, unbalanced parentheses, p() with one branch, a
 *   repeated name, trailing text); ZSTR_ENOMEM. */
ZSTR_API int zstr_circuit_parse(const char *text, zstr_circuit **out, zstr_error *err);
/* Purpose: free a circuit (NULL is a no-op). */
ZSTR_API void zstr_circuit_free(zstr_circuit *c);
/* The string it was parsed from, without spaces. */
ZSTR_API const char *zstr_circuit_string(const zstr_circuit *c);
/* Number of parameters; their names ("R1", "CPE2_0") and units ("Ohm", "F",
 * "F s^(a-1)", "" for α, ...); NULL for k out of range. */
ZSTR_API int zstr_circuit_param_count(const zstr_circuit *c);
ZSTR_API const char *zstr_circuit_param_name(const zstr_circuit *c, int k);
ZSTR_API const char *zstr_circuit_param_unit(const zstr_circuit *c, int k);
/* Purpose: index of the parameter called name, or -1. */
ZSTR_API int zstr_circuit_param_index(const zstr_circuit *c, const char *name);

/* Purpose: impedance of the circuit at n frequencies.
 * Arguments: params — zstr_circuit_param_count() values; frequencies — n
 *   values > 0 [Hz]; z — 2n outputs (re, im) [Ω].
 * Returns: ZSTR_OK; ZSTR_EINVAL for NULL, n < 0 or a non-finite result. */
ZSTR_API int zstr_circuit_eval(const zstr_circuit *c, const double *params, int64_t n,
                               const double *frequencies, double *z, zstr_error *err);

/* Weighting of the complex residuals Z_model − Z_data (append-only). */
typedef enum zstr_weighting {
    ZSTR_WEIGHT_MODULUS = 0,      /* both parts divided by |Z_data| (default) */
    ZSTR_WEIGHT_PROPORTIONAL = 1, /* real part by |Z'_data|, imaginary by |Z''_data| */
    ZSTR_WEIGHT_UNIT = 2          /* no weighting */
} zstr_weighting;

typedef struct zstr_fit_options {
    size_t size;    /* sizeof(zstr_fit_options): set by zstr_fit_options_default() */
    int weighting;  /* zstr_weighting; default ZSTR_WEIGHT_MODULUS */
    /* Initial values, zstr_circuit_param_count() of them, or NULL: estimate
     * all.  A NaN entry is estimated, the others are used as given. */
    const double *initial;
    int max_iterations; /* of the trust-region solver; default 500 */
    double xtol;        /* relative step tolerance; default 1e-10 */
} zstr_fit_options;

/* Purpose: fill *options with the defaults and options->size (may be NULL). */
ZSTR_API void zstr_fit_options_default(zstr_fit_options *options);

typedef struct zstr_fit_info {
    size_t size;         /* set by the caller: sizeof(zstr_fit_info) */
    double chi2;         /* Σ of squared weighted residuals at the optimum */
    double chi2_reduced; /* chi2 / dof */
    int64_t dof;         /* 2·points − parameters */
    int iterations;      /* of the start that won */
    int converged;       /* 1 when a tolerance was met (0: iteration limit) */
} zstr_fit_info;

/* Purpose: set info->size. */
ZSTR_API void zstr_fit_info_init(zstr_fit_info *info);

/* Purpose: fit the circuit to a spectrum by complex non-linear least squares:
 *   GSL's trust-region Levenberg–Marquardt (gsl_multifit_nlinear) on
 *   u = log p for every parameter (positivity) and u = logit α for CPE
 *   exponents (0 < α < 1).  Missing initial values are estimated from the
 *   spectrum (high-frequency intercept, peaks of −Z''), and the estimate is
 *   also tried with time constants spread evenly over the measured decades;
 *   the start with the lower chi2 wins.  Standard errors come from the
 *   Jacobian at the optimum: cov = (JᵀJ)⁻¹·chi2/dof, mapped to the natural
 *   parameters by the derivative of the transform.
 *   While it runs, GSL's error handler (which aborts by default) is switched
 *   off and then restored; programs calling GSL from other threads at the
 *   same time should switch it off themselves.
 * Arguments: c, s — required; options — NULL means defaults; values —
 *   required, param_count outputs; std_err — optional, param_count outputs
 *   (NaN where the Jacobian is singular); info — optional, size set.
 * Returns: ZSTR_OK; ZSTR_EINVAL (NULL, fewer than param_count/2 + 1 points,
 *   a non-positive or non-finite initial value, |Z| = 0 with modulus
 *   weighting, bad sizes); ZSTR_ENOMEM; ZSTR_ESOLVER when GSL fails. */
ZSTR_API int zstr_circuit_fit(const zstr_circuit *c, const zstr_spectrum *s,
                              const zstr_fit_options *options, double *values,
                              double *std_err, zstr_fit_info *info, zstr_error *err);

/* A relaxation of a fitted circuit: a p(R,C) or p(R,CPE) group of two
 * elements, or a K element.  For p(R,CPE) the capacitance is Brug's
 * C = Q^(1/α)·R^((1−α)/α) and τ = (R·Q)^(1/α) = R·C. */
typedef struct zstr_relaxation {
    size_t size;        /* set by the caller: sizeof(zstr_relaxation) */
    char element[128];  /* the group as written, e.g. "p(R1,C1)" or "K2" */
    double tau;         /* [s] */
    double resistance;  /* [Ohm] */
    double capacitance; /* [F] */
} zstr_relaxation;

/* Purpose: number of relaxations in c (see zstr_relaxation). */
ZSTR_API int zstr_circuit_relaxation_count(const zstr_circuit *c);
/* Purpose: relaxation k (0-based, in the order of the string) for the
 *   parameter values params.
 * Arguments: out — required, out->size set.
 * Returns: ZSTR_OK; ZSTR_ERANGE for k out of range; ZSTR_EINVAL. */
ZSTR_API int zstr_circuit_relaxation(const zstr_circuit *c, int k, const double *params,
                                     zstr_relaxation *out, zstr_error *err);

/* ------------------------------------------------------------------------- */
/* Distribution of relaxation times (DRT)                                    */
/* ------------------------------------------------------------------------- */

/* Model: Z(ω) = R∞ + jωL + ∫ γ(ln τ) / (1 + jωτ) d ln τ, γ >= 0 [Ω], with γ a
 * sum of Gaussian radial basis functions on a log-τ grid that extends one
 * decade beyond 1/(2π f_max) and 1/(2π f_min).  The weights x >= 0 (and R∞,
 * L >= 0) minimise ‖W(Z_model − Z)‖² + λ‖D x‖²/Z_s² (W = 1/|Z| per point,
 * Z_s = max |Z|, so λ is dimensionless and independent of the sample's size;
 * D the first or second derivative of γ in ln τ at the grid points) by an
 * active-set NNLS (Lawson–Hanson) whose passive-set least-squares problems
 * LAPACK solves (dgels).  λ > 0 is given, or chosen by generalised
 * cross-validation on the unconstrained (ridge) problem.  The area under a
 * peak of γ in ln τ is the resistance of that process. */

typedef enum zstr_drt_part {
    ZSTR_DRT_BOTH = 0, /* fit real and imaginary parts (default) */
    ZSTR_DRT_REAL = 1, /* real part only (no inductance) */
    ZSTR_DRT_IMAG = 2  /* imaginary part only; R∞ from the real part afterwards */
} zstr_drt_part;

typedef struct zstr_drt_options {
    size_t size;       /* sizeof(zstr_drt_options): set by zstr_drt_options_default() */
    double lambda;     /* > 0: use it; <= 0 (default): choose by GCV */
    int derivative;    /* order of the penalty, 1 or 2 (default 2) */
    int part;          /* zstr_drt_part */
    int fit_r_inf;     /* 1 (default): a series R∞ >= 0 is fitted; 0: R∞ = 0 */
    int fit_inductance; /* 1: a series L >= 0 is fitted; 0 (default): none */
    double points_per_decade; /* of the τ grid; default 10 */
    double peak_threshold;    /* peaks below this fraction of max γ are ignored; 0.01 */
} zstr_drt_options;

/* Purpose: fill *options with the defaults and options->size (may be NULL). */
ZSTR_API void zstr_drt_options_default(zstr_drt_options *options);

typedef struct zstr_drt zstr_drt;

/* Purpose: the DRT of a spectrum.
 * Arguments: s — required, >= 3 points; options — NULL means defaults;
 *   out — *out is the result (free with zstr_drt_free) or NULL.
 * Returns: ZSTR_OK; ZSTR_EINVAL (bad options, too few points, |Z| = 0);
 *   ZSTR_ENOMEM; ZSTR_ESOLVER when LAPACK or the NNLS iteration fails. */
ZSTR_API int zstr_drt_compute(const zstr_spectrum *s, const zstr_drt_options *options,
                              zstr_drt **out, zstr_error *err);
/* Purpose: free a DRT result (NULL is a no-op). */
ZSTR_API void zstr_drt_free(zstr_drt *d);
/* λ used, R∞ [Ω], L [H]. */
ZSTR_API double zstr_drt_lambda(const zstr_drt *d);
ZSTR_API double zstr_drt_r_inf(const zstr_drt *d);
ZSTR_API double zstr_drt_inductance(const zstr_drt *d);
/* γ sampled on a grid 4× finer than the basis: count points, τ [s]
 * ascending and γ [Ω] (per unit ln τ). */
ZSTR_API int64_t zstr_drt_count(const zstr_drt *d);
ZSTR_API const double *zstr_drt_tau(const zstr_drt *d);
ZSTR_API const double *zstr_drt_gamma(const zstr_drt *d);
/* Peaks: local maxima of γ above the threshold, in order of increasing τ.
 * zstr_drt_peak: τ at the maximum [s] and the area under the peak between
 * its neighbouring minima [Ω]; ZSTR_ERANGE for k out of range. */
ZSTR_API int zstr_drt_peak_count(const zstr_drt *d);
ZSTR_API int zstr_drt_peak(const zstr_drt *d, int k, double *tau, double *resistance);
/* Purpose: Z of the regularised model at n frequencies (z: 2n values). */
ZSTR_API int zstr_drt_eval(const zstr_drt *d, int64_t n, const double *frequencies, double *z,
                           zstr_error *err);

/* ------------------------------------------------------------------------- */
/* Kramers-Kronig: Schönleber's linear test (Lin-KK)                         */
/* ------------------------------------------------------------------------- */

/* The spectrum is fitted, linearly and with weights 1/|Z|, by
 * R0 + jωL + Σ_k R_k/(1 + jωτ_k) with M time constants τ_k log-spaced from
 * 1/ω_max to 1/ω_min (R_k of either sign).  M grows from 1 until
 * μ = 1 − Σ_{R_k<0}|R_k| / Σ_{R_k>=0} R_k falls below mu_criterion (then the
 * fit starts to over-fit noise) or M reaches the number of points.  The
 * residuals (Z_data − Z_fit)/|Z_data| of the real and imaginary parts, in %,
 * judge the spectrum: KK-consistent when every one is within tolerance_pct. */
typedef struct zstr_kk_options {
    size_t size;          /* sizeof(zstr_kk_options): set by zstr_kk_options_default() */
    double mu_criterion;  /* default 0.85 (Schönleber et al. 2014); 0: no criterion,
                             M = max_m (for noise-free simulated spectra) */
    double tolerance_pct; /* default 1 (%) */
    int max_m;            /* upper bound of M; <= 0 (default): the number of points */
} zstr_kk_options;

/* Purpose: fill *options with the defaults and options->size (may be NULL). */
ZSTR_API void zstr_kk_options_default(zstr_kk_options *options);

typedef struct zstr_kk_result {
    size_t size;                /* set by the caller: sizeof(zstr_kk_result) */
    int m;                      /* RC elements used */
    double mu;                  /* μ at that M */
    double max_residual_re_pct; /* max |residual| of the real parts [%] */
    double max_residual_im_pct; /* max |residual| of the imaginary parts [%] */
    int consistent;             /* 1 when both are within tolerance_pct */
} zstr_kk_result;

/* Purpose: set result->size. */
ZSTR_API void zstr_kk_result_init(zstr_kk_result *result);

/* Purpose: the Lin-KK test of a spectrum.
 * Arguments: s — required, >= 3 points; options — NULL means defaults;
 *   result — required, size set; residuals — optional, 2·count outputs
 *   (re, im) per point [%] at the chosen M.
 * Returns: ZSTR_OK (consistent or not: see result->consistent);
 *   ZSTR_EINVAL; ZSTR_ENOMEM; ZSTR_ESOLVER when LAPACK fails. */
ZSTR_API int zstr_kk_test(const zstr_spectrum *s, const zstr_kk_options *options,
                          zstr_kk_result *result, double *residuals, zstr_error *err);

/* ------------------------------------------------------------------------- */
/* Arrhenius                                                                 */
/* ------------------------------------------------------------------------- */

typedef enum zstr_arrhenius_form {
    /* ln[T/(R·A)] against 1/T: σ ∝ (σ0/T)·exp(−E_a/k_B T), the paper's form
     * (physics.md); A = 1 when no area is given (it shifts only the intercept) */
    ZSTR_ARRHENIUS_SIGMA_T = 0,
    ZSTR_ARRHENIUS_INVERSE_R = 1 /* ln(1/R) against 1/T */
} zstr_arrhenius_form;

typedef struct zstr_arrhenius_result {
    size_t size;           /* set by the caller: sizeof(zstr_arrhenius_result) */
    double ea;             /* E_a [eV] = −k_B · slope */
    double ea_std_err;     /* its standard error [eV]; NaN for two points */
    double intercept;      /* of the line, in the form's units */
    double r_squared;      /* coefficient of determination */
} zstr_arrhenius_result;

/* Purpose: set result->size. */
ZSTR_API void zstr_arrhenius_result_init(zstr_arrhenius_result *result);

/* Purpose: activation energy from n (T, R) pairs by a least-squares line.
 * Arguments: n >= 2 with at least two distinct temperatures; T [K] > 0,
 *   R [Ω] > 0; area [m²] > 0 or 0 (= 1) for the σT form; form —
 *   zstr_arrhenius_form; result — required, size set.
 * Returns: ZSTR_OK; ZSTR_EINVAL naming the first bad pair. */
ZSTR_API int zstr_arrhenius_fit(int64_t n, const double *temperature, const double *resistance,
                                double area, int form, zstr_arrhenius_result *result,
                                zstr_error *err);

/* ------------------------------------------------------------------------- */
/* Diagnosis of a series (Eckhardt et al. 2023, Figure 8 and Table 1)        */
/* ------------------------------------------------------------------------- */

/* A series of spectra of one sample under a control parameter that changes
 * the physical contact at the working electrode (stack pressure for measured
 * data, contact fraction for simulated data).  Each member's DRT is computed
 * (zstr_drt_compute); its peaks are tracked across the series from the
 * member of highest contact on; each track ("process") gets a kind by the
 * rules below, and the series a dominant interface process and the order of
 * τ_CT and τ_Cstr.  Notation per track: Δτ = span of log10 τ over the members
 * where it is seen [decades], C = τ/R per member, ΔC its span in decades,
 * "full contact" = the member with the highest contact.
 *   1. bulk, gb — in ascending τ, the first two tracks seen in every member
 *      with Δτ <= tau_tolerance and R spread (max/min − 1) <=
 *      resistance_tolerance (tracks seen only once are skipped).  Transport in
 *      the electrolyte does not depend on the contact.
 *   2. Every other track seen at least twice is an interface signal:
 *      a. absent at full contact → constriction (R_Cstr → 0 as the contact
 *         becomes full; the report says whether τ also shifts, the paper's
 *         second sign);
 *      b. else Δτ <= tau_tolerance → charge-transfer (τ = R_pol·C_DL is a
 *         material constant: R_CT ∝ A^∓1 and C_CT ∝ A^±1 keep it);
 *      c. else ΔC <= capacitance_tolerance → charge-transfer (only its
 *         resistance changed, e.g. R_pol; constriction changes C as well,
 *         towards C_pore);
 *      d. else (present at full contact, τ and C shift): constriction when
 *         a charge-transfer track (b, c) is resolved beside it and its R at
 *         full contact is below vanish_fraction of its largest R (nearly
 *         vanished); otherwise unknown — one signal that is charge transfer
 *         at full contact and grows and shifts as constriction overlaps it
 *         (τ_Cstr ≈ τ_CT, the paper's right branch).
 *   3. A track seen once is unknown (no trend to judge).
 * Dominant interface process: the kind with the largest R summed over the
 * series among charge-transfer, constriction and the rule-2d tracks
 * ("overlapping"); "none" without interface signals.
 * Order of the time constants (Table 1), from the DRT: the τ of the largest
 * constriction and charge-transfer tracks (geometric means); from the trends:
 * R_CT falling and C_CT rising with contact → τ_Cstr < τ_CT, the reverse →
 * τ_CT < τ_Cstr (correlation of log R, log C with the contact rank, |r| >=
 * 0.6).  The guideline assumes that the contact changes along the series and
 * that only charge transfer and constriction act at the interface (no SEI);
 * a series in which nothing changes has no interface signal to classify. */

typedef enum zstr_process_kind {
    ZSTR_PROCESS_UNKNOWN = 0,
    ZSTR_PROCESS_BULK = 1,
    ZSTR_PROCESS_GB = 2,
    ZSTR_PROCESS_CHARGE_TRANSFER = 3,
    ZSTR_PROCESS_CONSTRICTION = 4,
    ZSTR_PROCESS_OVERLAPPING = 5, /* only as a dominant process (rule 2d) */
    ZSTR_PROCESS_NONE = 6         /* only as a dominant process: no interface signal */
} zstr_process_kind;

/* Purpose: the kind's name: "unknown", "bulk", "gb", "charge-transfer",
 *   "constriction", "overlapping", "none"; "?" out of range. */
ZSTR_API const char *zstr_process_kind_name(int kind);

/* Order of the interface time constants (append-only). */
typedef enum zstr_tau_order {
    ZSTR_ORDER_UNKNOWN = 0,
    ZSTR_ORDER_CSTR_FIRST = 1, /* τ_Cstr < τ_CT */
    ZSTR_ORDER_CT_FIRST = 2    /* τ_CT < τ_Cstr */
} zstr_tau_order;

typedef struct zstr_diagnose_options {
    size_t size; /* sizeof(zstr_diagnose_options): set by zstr_diagnose_options_default() */
    int contact_increases;   /* 1 (default): the contact grows with the parameter
                                (pressure, contact fraction); 0: it shrinks */
    double tau_tolerance;    /* decades; default 0.3 (a factor of 2) */
    double capacitance_tolerance; /* decades; default 0.15 (a factor of 1.4) */
    double resistance_tolerance;  /* relative; default 0.2 */
    double vanish_fraction;  /* default 0.1 */
    double max_jump;         /* decades a peak may move between neighbouring
                                members and stay one track; default 1.5 */
    double min_peak_fraction; /* peaks below this fraction of the member's summed
                                 peak R are ignored; default 0.005 */
    const zstr_drt_options *drt; /* NULL: zstr_drt_options_default() */
} zstr_diagnose_options;

/* Purpose: fill *options with the defaults and options->size (may be NULL). */
ZSTR_API void zstr_diagnose_options_default(zstr_diagnose_options *options);

typedef struct zstr_diagnosis zstr_diagnosis;

/* Purpose: diagnose a series (rules above).
 * Arguments: n >= 2 members; members — n spectra; parameter — n finite
 *   values of the control parameter (any order, members in any order);
 *   options — NULL means defaults; out — *out is the result or NULL.
 * Returns: ZSTR_OK; ZSTR_EINVAL (bad arguments or options, a member the DRT
 *   refuses: its index in the message); ZSTR_ENOMEM; ZSTR_ESOLVER. */
ZSTR_API int zstr_diagnose(int64_t n, const zstr_spectrum *const *members,
                           const double *parameter, const zstr_diagnose_options *options,
                           zstr_diagnosis **out, zstr_error *err);
/* Purpose: free a diagnosis (NULL is a no-op). */
ZSTR_API void zstr_diagnosis_free(zstr_diagnosis *d);
/* Members (n) and tracked processes, in ascending mean τ. */
ZSTR_API int64_t zstr_diagnosis_member_count(const zstr_diagnosis *d);
ZSTR_API int zstr_diagnosis_process_count(const zstr_diagnosis *d);
/* Process k: its kind (zstr_process_kind; −1 out of range) and its τ [s] and
 * R [Ω] per member in the caller's order (n values, NaN where it is not
 * seen); NULL out of range. */
ZSTR_API int zstr_diagnosis_process_kind(const zstr_diagnosis *d, int k);
ZSTR_API const double *zstr_diagnosis_process_tau(const zstr_diagnosis *d, int k);
ZSTR_API const double *zstr_diagnosis_process_resistance(const zstr_diagnosis *d, int k);
/* The dominant interface process (zstr_process_kind: CHARGE_TRANSFER,
 * CONSTRICTION, OVERLAPPING or NONE). */
ZSTR_API int zstr_diagnosis_dominant(const zstr_diagnosis *d);
/* Order of τ_CT and τ_Cstr (zstr_tau_order) from the DRT (from_trends = 0)
 * or from the trends of R_CT and C_CT (from_trends = 1). */
ZSTR_API int zstr_diagnosis_tau_order(const zstr_diagnosis *d, int from_trends);
/* The plain-language report with the evidence (lines ending in '\n'). */
ZSTR_API const char *zstr_diagnosis_report(const zstr_diagnosis *d);
/* The DRT of member i (caller's order); NULL out of range.  Owned by d. */
ZSTR_API const zstr_drt *zstr_diagnosis_drt(const zstr_diagnosis *d, int64_t i);

#ifdef __cplusplus
}
#endif
#endif /* ZSTR_ANALYSIS_H */
