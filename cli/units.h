/*
 * units.h — numbers with units in model files and on the command line
 * (the zstr program's own module; not part of the library's API).
 *
 * A quantity is a number optionally followed by a unit: "0.46 mS/cm",
 * "10nm", "-40C", "1.77 F/cm2", "0.5 Ω·cm²".  No unit means SI, except
 * activation energies (eV) and temperatures (K), whose defaults are those.
 */
#ifndef ZSTR_CLI_UNITS_H
#define ZSTR_CLI_UNITS_H

#include <stddef.h>

typedef enum zu_dim {
    ZU_NUMBER = 0,       /* dimensionless: no unit allowed */
    ZU_LENGTH,           /* m */
    ZU_CONDUCTIVITY,     /* S/m */
    ZU_AREA_RESISTANCE,  /* Ω·m² */
    ZU_AREA_CAPACITANCE, /* F/m² */
    ZU_ENERGY,           /* eV (default unit eV) */
    ZU_TEMPERATURE,      /* K (default unit K) */
    ZU_FREQUENCY,        /* Hz */
    ZU_FRACTION          /* a plain number, or a percentage ("22 %" = 0.22) */
} zu_dim;

/* Name of a dimension for messages ("length", "conductivity", ...). */
const char *zu_dim_name(zu_dim dim);

/* Parse one quantity of dimension dim into SI (eV for energies, K for
 * temperatures).  Returns 0 on success; -1 with a one-line reason in msg
 * (e.g. "unit 'mS/cm' is a conductivity, not a length", "'1.5.3' is not a
 * number", "empty value") on failure, *value untouched.  Leading/trailing
 * blanks are allowed; the result must be finite; temperatures below 0 K are
 * rejected.  Units are case-sensitive except "ohm" (M exists for MHz, GHz
 * only); the accepted units and the grammar are in units.c's banner.
 * Independent of the process and thread locales.  msg may be NULL. */
int zu_parse(const char *text, zu_dim dim, double *value, char *msg, size_t msgsize);

/* Parse a list of quantities separated by commas or blanks
 * ("1 10 1e2", "1,0.7,0.5", "-40C,-20C,0C").  If the text has a comma, only
 * commas separate ("0.5 ohm cm2, 1 ohm cm2"; "1,5" is two values); otherwise
 * blanks do, and a token that does not start with a digit, sign or '.' joins
 * the value before it ("1 ohm cm2 2 ohm cm2" is two values).  At most max
 * values; *n gets the count.  Returns 0, or -1 with msg naming the offending
 * item (1-based) and *n = 0; empty lists and empty items are errors. */
int zu_parse_list(const char *text, zu_dim dim, double *values, int max, int *n, char *msg,
                  size_t msgsize);

#endif
