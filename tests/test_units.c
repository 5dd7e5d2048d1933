/*
 * test_units.c — numbers with units (cli/units.c).
 *
 * Every accepted spelling of every dimension is checked against its SI value.
 * Tolerances:
 *  - Units whose factor is a power of ten are folded into the decimal exponent
 *    before one correctly rounded strtod (see the banner of cli/units.c), so
 *    "0.46 mS/cm" must give exactly the double nearest 0.046 — the same double
 *    the compiler makes of the literal 0.046 (GCC and Clang round literals
 *    correctly).  These are compared bit for bit.  Where FLT_EVAL_METHOD != 0
 *    (x87), a literal may be rounded twice, so one ulp is allowed there.
 *  - kJ/mol and J/mol: strtod (0.5 ulp), the rounded constant 96.485... (0.5
 *    ulp) and the division (0.5 ulp) make at most ~1.5 ulp ≈ 3.3e-16 relative;
 *    the references were computed with 60-digit decimal arithmetic and rounded,
 *    and 1e-15 relative is asserted.
 *  - Celsius: the literal 273.15 (0.5 ulp) and the sum (0.5 ulp) are within
 *    1 ulp of 273.15 K ≈ 5.7e-14 K, i.e. below 2.5e-16 relative for T > 230 K;
 *    1e-15 relative is asserted.
 * Messages are checked exactly where the wording is part of the contract
 * (dimension mismatches), otherwise by the fragments a user needs.
 */
#include "zs_test.h"

#include <float.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

/* UTF-8 spellings as separate literals (a following hex letter such as 'F' or
 * 'C' would otherwise extend the escape). */
#define MICRO "\xc2\xb5"        /* µ U+00B5 */
#define MU "\xce\xbc"           /* μ U+03BC */
#define OMEGA "\xce\xa9"        /* Ω U+03A9 */
#define OHMSIGN "\xe2\x84\xa6"  /* Ω U+2126 */
#define MIDDOT "\xc2\xb7"       /* · U+00B7 */
#define DOTOP "\xe2\x8b\x85"    /* ⋅ U+22C5 */
#define SUP2 "\xc2\xb2"         /* ² */
#define SUP1 "\xc2\xb9"         /* ¹ */
#define SUPMINUS "\xe2\x81\xbb" /* ⁻ */
#define DEGREE "\xc2\xb0"       /* ° */
#define DEGC "\xe2\x84\x83"     /* ℃ */
#define MINUS "\xe2\x88\x92"    /* − U+2212 */
#define NBSP "\xc2\xa0"
#define NNBSP "\xe2\x80\xaf"

/* ------------------------------------------------------------------------- */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------- */

typedef struct {
    const char *text;
    zu_dim dim;
    double want;
} case_t;

/* Exact where the FPU rounds literals once (see the banner), else 1 ulp. */
static int same_double(double a, double b)
{
#if FLT_EVAL_METHOD == 0
    return a == b;
#else
    return a == b || nextafter(b, a) == a;
#endif
}

static void check_exact(const case_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char msg[256] = "";
        double v = -12345.0;
        int rc = zu_parse(c[i].text, c[i].dim, &v, msg, sizeof msg);
        ck_assert_msg(rc == 0, "'%s' as %s: %s", c[i].text, zu_dim_name(c[i].dim), msg);
        ck_assert_msg(same_double(v, c[i].want), "'%s' -> %.17g, want %.17g", c[i].text, v,
                      c[i].want);
    }
}

static void check_rel(const case_t *c, size_t n, double tol)
{
    for (size_t i = 0; i < n; i++) {
        char msg[256] = "";
        double v = -12345.0;
        int rc = zu_parse(c[i].text, c[i].dim, &v, msg, sizeof msg);
        ck_assert_msg(rc == 0, "'%s' as %s: %s", c[i].text, zu_dim_name(c[i].dim), msg);
        ck_assert_msg(zs_test_rel(v, c[i].want) <= tol, "'%s' -> %.17g, want %.17g (rel %.3g)",
                      c[i].text, v, c[i].want, zs_test_rel(v, c[i].want));
    }
}

/* zu_parse must fail, leave *value alone and say something containing frag. */
static void check_fail(const char *text, zu_dim dim, const char *frag)
{
    char msg[512] = "";
    double v = -12345.0;
    int rc = zu_parse(text, dim, &v, msg, sizeof msg);
    ck_assert_msg(rc == -1, "'%s' as %s accepted (%.17g)", text, zu_dim_name(dim), v);
    ck_assert_msg(v == -12345.0, "'%s': value written on failure", text);
    ck_assert_msg(msg[0] != '\0', "'%s': empty message", text);
    ck_assert_msg(strchr(msg, '\n') == NULL, "'%s': message not one line: %s", text, msg);
    if (frag != NULL)
        ck_assert_msg(strstr(msg, frag) != NULL, "'%s' as %s: message \"%s\" lacks \"%s\"", text,
                      zu_dim_name(dim), msg, frag);
}

/* Valid UTF-8 (no truncated or stray sequences)? */
static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t k = *p < 0x80             ? 1
                   : (*p & 0xe0) == 0xc0 ? 2
                   : (*p & 0xf0) == 0xe0 ? 3
                   : (*p & 0xf8) == 0xf0 ? 4
                                         : 0;
        if (k == 0)
            return 0;
        for (size_t j = 1; j < k; j++) {
            if ((p[j] & 0xc0) != 0x80)
                return 0;
        }
        p += k;
    }
    return 1;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------- */
/* Accepted spellings with their SI factors                                  */
/* ------------------------------------------------------------------------- */

START_TEST(test_length)
{
    static const case_t c[] = {
        {"1 m", ZU_LENGTH, 1.0},
        {"1 cm", ZU_LENGTH, 1e-2},
        {"1 mm", ZU_LENGTH, 1e-3},
        {"1 um", ZU_LENGTH, 1e-6},
        {"1 " MICRO "m", ZU_LENGTH, 1e-6},
        {"1 " MU "m", ZU_LENGTH, 1e-6},
        {"1 nm", ZU_LENGTH, 1e-9},
        {"10nm", ZU_LENGTH, 1e-8},
        {"2.5 " MICRO "m", ZU_LENGTH, 2.5e-6},
        {"2.5" MU "m", ZU_LENGTH, 2.5e-6},
        {"0.3um", ZU_LENGTH, 3e-7},
        {"-3 mm", ZU_LENGTH, -3e-3},
        {"1e3 nm", ZU_LENGTH, 1e-6},
        {"1.5 cm", ZU_LENGTH, 0.015},
        {"  10 nm  ", ZU_LENGTH, 1e-8},
        {"\t10\tnm\n", ZU_LENGTH, 1e-8},
        {"10" NBSP "nm", ZU_LENGTH, 1e-8},
        {"10" NNBSP "nm" NBSP, ZU_LENGTH, 1e-8},
        {"42", ZU_LENGTH, 42.0}, /* default: metres */
        {"1e-3", ZU_LENGTH, 1e-3},
    };
    check_exact(c, N(c));
}
END_TEST

START_TEST(test_conductivity)
{
    static const case_t c[] = {
        {"1 S/m", ZU_CONDUCTIVITY, 1.0},
        {"1 S/cm", ZU_CONDUCTIVITY, 100.0},
        {"1 mS/cm", ZU_CONDUCTIVITY, 0.1},
        {"0.46 mS/cm", ZU_CONDUCTIVITY, 0.046}, /* 0.46 * 0.1 would be 0.046000000000000006 */
        {"1 uS/cm", ZU_CONDUCTIVITY, 1e-4},
        {"1 " MICRO "S/cm", ZU_CONDUCTIVITY, 1e-4},
        {"1 " MU "S/cm", ZU_CONDUCTIVITY, 1e-4},
        {"1 mS/m", ZU_CONDUCTIVITY, 1e-3},
        {"1 uS/m", ZU_CONDUCTIVITY, 1e-6},
        {"1 S m-1", ZU_CONDUCTIVITY, 1.0},
        {"1 S*m^-1", ZU_CONDUCTIVITY, 1.0},
        {"1 S.m-1", ZU_CONDUCTIVITY, 1.0},
        {"1 S m^-1", ZU_CONDUCTIVITY, 1.0},
        {"1 S cm-1", ZU_CONDUCTIVITY, 100.0},
        {"1 S" MIDDOT "cm" SUPMINUS SUP1, ZU_CONDUCTIVITY, 100.0},
        {"1 mS cm^-1", ZU_CONDUCTIVITY, 0.1},
        {"1 S / cm", ZU_CONDUCTIVITY, 100.0},
        {"1 S /cm", ZU_CONDUCTIVITY, 100.0},
        {"2.3e-4 S/cm", ZU_CONDUCTIVITY, 2.3e-2},
        {"7", ZU_CONDUCTIVITY, 7.0}, /* default: S/m */
    };
    check_exact(c, N(c));
    /* What the exact scaling buys: the naive product misses by one ulp. */
#if FLT_EVAL_METHOD == 0
    volatile double a = 0.46, f = 0.1;
    ck_assert(a * f != 0.046);
#endif
}
END_TEST

START_TEST(test_area_resistance)
{
    static const case_t c[] = {
        {"1 Ohm*m2", ZU_AREA_RESISTANCE, 1.0},
        {"1 Ohm*cm2", ZU_AREA_RESISTANCE, 1e-4},
        {"1 ohm cm2", ZU_AREA_RESISTANCE, 1e-4},
        {"0.5 ohm cm2", ZU_AREA_RESISTANCE, 5e-5},
        {"1 " OMEGA MIDDOT "cm" SUP2, ZU_AREA_RESISTANCE, 1e-4},
        {"1 " OHMSIGN MIDDOT "cm" SUP2, ZU_AREA_RESISTANCE, 1e-4},
        {"1 " OMEGA " cm2", ZU_AREA_RESISTANCE, 1e-4},
        {"1 " OHMSIGN " cm2", ZU_AREA_RESISTANCE, 1e-4},
        {"1 " OMEGA DOTOP "cm" SUP2, ZU_AREA_RESISTANCE, 1e-4},
        {"1 Ohm.cm^2", ZU_AREA_RESISTANCE, 1e-4},
        {"1 ohm*m^2", ZU_AREA_RESISTANCE, 1.0},
        {"1 OHM cm2", ZU_AREA_RESISTANCE, 1e-4},
        {"1 oHm cm2", ZU_AREA_RESISTANCE, 1e-4},
        {"1 Ohm * cm2", ZU_AREA_RESISTANCE, 1e-4},
        {"1 Ohm cm^+2", ZU_AREA_RESISTANCE, 1e-4},
        {"1 " OMEGA "*m" SUP2, ZU_AREA_RESISTANCE, 1.0},
        {"1 cm2 Ohm", ZU_AREA_RESISTANCE, 1e-4}, /* factors in any order */
        {"1 mOhm cm2", ZU_AREA_RESISTANCE, 1e-7},
        {"1 kOhm cm2", ZU_AREA_RESISTANCE, 0.1},
        {"1 k" OMEGA MIDDOT "cm" SUP2, ZU_AREA_RESISTANCE, 0.1},
        {"1 Ohm mm2", ZU_AREA_RESISTANCE, 1e-6},
        {"1 Ohm um2", ZU_AREA_RESISTANCE, 1e-12},
        {"1 S-1 cm2", ZU_AREA_RESISTANCE, 1e-4}, /* Ω = S⁻¹ */
        {"1 cm2/S", ZU_AREA_RESISTANCE, 1e-4},
        {"3", ZU_AREA_RESISTANCE, 3.0}, /* default: Ω·m² */
    };
    check_exact(c, N(c));
}
END_TEST

START_TEST(test_area_capacitance)
{
    static const case_t c[] = {
        {"1 F/m2", ZU_AREA_CAPACITANCE, 1.0},
        {"1 F/cm2", ZU_AREA_CAPACITANCE, 1e4},
        {"1 mF/cm2", ZU_AREA_CAPACITANCE, 10.0},
        {"1 uF/cm2", ZU_AREA_CAPACITANCE, 1e-2},
        {"1 " MICRO "F/cm2", ZU_AREA_CAPACITANCE, 1e-2},
        {"1 " MU "F/cm2", ZU_AREA_CAPACITANCE, 1e-2},
        {"1 nF/cm2", ZU_AREA_CAPACITANCE, 1e-5},
        {"1 F/cm" SUP2, ZU_AREA_CAPACITANCE, 1e4},
        {"1 F/cm^2", ZU_AREA_CAPACITANCE, 1e4},
        {"1 " MICRO "F/cm^2", ZU_AREA_CAPACITANCE, 1e-2},
        {"1 " MICRO "F/cm" SUP2, ZU_AREA_CAPACITANCE, 1e-2},
        {"1.77 F/cm2", ZU_AREA_CAPACITANCE, 17700.0},
        {"1 F/m^2", ZU_AREA_CAPACITANCE, 1.0},
        {"1 F m-2", ZU_AREA_CAPACITANCE, 1.0},
        {"1 F" MIDDOT "m" SUPMINUS SUP2, ZU_AREA_CAPACITANCE, 1.0},
        {"1 uF cm-2", ZU_AREA_CAPACITANCE, 1e-2},
        {"1 mF/m2", ZU_AREA_CAPACITANCE, 1e-3},
        {"0.1", ZU_AREA_CAPACITANCE, 0.1}, /* default: F/m² */
    };
    check_exact(c, N(c));
}
END_TEST

START_TEST(test_energy)
{
    static const case_t exact[] = {
        {"0.5", ZU_ENERGY, 0.5}, /* default: eV */
        {"0.5 eV", ZU_ENERGY, 0.5},   {"0.5eV", ZU_ENERGY, 0.5},
        {"1eV", ZU_ENERGY, 1.0},     /* 'e' without exponent digits starts the unit */
        {"1e-3eV", ZU_ENERGY, 1e-3}, /* ... and with them it is the exponent */
        {"50 meV", ZU_ENERGY, 0.05},  {"50meV", ZU_ENERGY, 0.05},
        {"-0.1 eV", ZU_ENERGY, -0.1},
    };
    check_exact(exact, N(exact));
    /* References: x / (e·N_A/1000) with 60 digits, rounded to double. */
    static const case_t molar[] = {
        {"1 kJ/mol", ZU_ENERGY, 0.010364269656262174},
        {"50 kJ/mol", ZU_ENERGY, 0.5182134828131086},
        {"2.5 kJ/mol", ZU_ENERGY, 0.025910674140655433},
        {"-3 kJ/mol", ZU_ENERGY, -0.031092808968786523},
        {"96.48533212331001840 kJ/mol", ZU_ENERGY, 1.0},
        {"96.485332 kJ/mol", ZU_ENERGY, 0.99999999872201},
        {"1 J/mol", ZU_ENERGY, 1.0364269656262175e-05},
        {"50000 J/mol", ZU_ENERGY, 0.5182134828131086},
        {"1 kJ mol-1", ZU_ENERGY, 0.010364269656262174},
        {"1 kJ" MIDDOT "mol" SUPMINUS SUP1, ZU_ENERGY, 0.010364269656262174},
        {"1 kJ*mol^-1", ZU_ENERGY, 0.010364269656262174},
    };
    /* 96.485332 / 96.4853321233100184 = 0.99999999872201... only to 1e-13. */
    check_rel(molar, 5, 1e-15);
    check_rel(&molar[5], 1, 1e-13);
    check_rel(&molar[6], N(molar) - 6, 1e-15);
}
END_TEST

START_TEST(test_temperature)
{
    static const case_t exact[] = {
        {"300", ZU_TEMPERATURE, 300.0}, /* default: K */
        {"300 K", ZU_TEMPERATURE, 300.0},
        {"300K", ZU_TEMPERATURE, 300.0},
        {"0 K", ZU_TEMPERATURE, 0.0},
        {"0 C", ZU_TEMPERATURE, 273.15},
        {"0" DEGREE "C", ZU_TEMPERATURE, 273.15},
        {"-273.15 C", ZU_TEMPERATURE, 0.0}, /* absolute zero itself is allowed */
        {"-273.15" DEGREE "C", ZU_TEMPERATURE, 0.0},
    };
    check_exact(exact, N(exact));
    static const case_t celsius[] = {
        {"25 C", ZU_TEMPERATURE, 298.15},           {"-40C", ZU_TEMPERATURE, 233.15},
        {"-40 C", ZU_TEMPERATURE, 233.15},          {"-40 " DEGREE "C", ZU_TEMPERATURE, 233.15},
        {"-40" DEGREE "C", ZU_TEMPERATURE, 233.15}, {"-40 degC", ZU_TEMPERATURE, 233.15},
        {"-40degC", ZU_TEMPERATURE, 233.15},        {"-40 " DEGC, ZU_TEMPERATURE, 233.15},
        {"1e2 C", ZU_TEMPERATURE, 373.15},          {"26.85 C", ZU_TEMPERATURE, 300.0},
        {"60 " DEGREE "C", ZU_TEMPERATURE, 333.15},
    };
    check_rel(celsius, N(celsius), 1e-15);
    /* Celsius is added in exact decimal arithmetic before the one rounding, so
     * these are the doubles nearest the true kelvin values (a plain
     * -40 + 273.15 gives 233.14999999999998, one ulp off). */
    static const case_t exact_c[] = {
        {"25 C", ZU_TEMPERATURE, 298.15},           {"-40C", ZU_TEMPERATURE, 233.15},
        {"60 " DEGREE "C", ZU_TEMPERATURE, 333.15}, {"26.85 C", ZU_TEMPERATURE, 300.0},
        {"-273.14 C", ZU_TEMPERATURE, 0.01},        {"-0.5 C", ZU_TEMPERATURE, 272.65},
        {"37.5 C", ZU_TEMPERATURE, 310.65},         {"1e-30 C", ZU_TEMPERATURE, 273.15},
        {"-1e-40 C", ZU_TEMPERATURE, 273.15},       {"0.00001e-2 C", ZU_TEMPERATURE, 273.1500001},
        {"2731.5e-1 C", ZU_TEMPERATURE, 546.3},     {"-27315000e-5 C", ZU_TEMPERATURE, 0.0},
        {"1e29 C", ZU_TEMPERATURE, 1e29},           {"1e31 C", ZU_TEMPERATURE, 1e31},
        {"-0 C", ZU_TEMPERATURE, 273.15},
    };
    check_exact(exact_c, N(exact_c));
    check_fail("-1e31 C", ZU_TEMPERATURE, "below absolute zero");
    check_fail("-273.1500000000000000000000001 C", ZU_TEMPERATURE, "below absolute zero");
    check_fail("1e400 C", ZU_TEMPERATURE, "out of range");
    check_fail("-273.16 C", ZU_TEMPERATURE, "below absolute zero");
    check_fail("-300" DEGREE "C", ZU_TEMPERATURE, "below absolute zero");
    check_fail("-1 K", ZU_TEMPERATURE, "below absolute zero");
    check_fail("-1", ZU_TEMPERATURE, "below absolute zero");
    check_fail("-1e-300 K", ZU_TEMPERATURE, "below absolute zero");
    /* -0 is not below zero, and comes back as +0 */
    double v = 1.0;
    ck_assert_int_eq(zu_parse("-0 K", ZU_TEMPERATURE, &v, NULL, 0), 0);
    ck_assert(v == 0.0 && !signbit(v));
}
END_TEST

START_TEST(test_frequency)
{
    static const case_t c[] = {
        {"1 Hz", ZU_FREQUENCY, 1.0},   {"1 mHz", ZU_FREQUENCY, 1e-3},
        {"1 kHz", ZU_FREQUENCY, 1e3},  {"1 MHz", ZU_FREQUENCY, 1e6},
        {"1 GHz", ZU_FREQUENCY, 1e9},  {"2.5 GHz", ZU_FREQUENCY, 2.5e9},
        {"10mHz", ZU_FREQUENCY, 1e-2}, {"1e-2 Hz", ZU_FREQUENCY, 1e-2},
        {"0.1MHz", ZU_FREQUENCY, 1e5}, {"100", ZU_FREQUENCY, 100.0},
    };
    check_exact(c, N(c));
}
END_TEST

/* Every SI prefix on Hz (issue 6: "1 uHz" was unknown).  The expected values
 * are the compiler's own decimal literals, so "exact" means the parser folds
 * the prefix into the decimal exponent instead of multiplying. */
START_TEST(test_frequency_prefixes)
{
    static const case_t c[] = {
        {"1 qHz", ZU_FREQUENCY, 1e-30},  {"1 rHz", ZU_FREQUENCY, 1e-27},
        {"1 yHz", ZU_FREQUENCY, 1e-24},  {"1 zHz", ZU_FREQUENCY, 1e-21},
        {"1 aHz", ZU_FREQUENCY, 1e-18},  {"1 fHz", ZU_FREQUENCY, 1e-15},
        {"3 pHz", ZU_FREQUENCY, 3e-12},  {"3 nHz", ZU_FREQUENCY, 3e-9},
        {"1 uHz", ZU_FREQUENCY, 1e-6},   {"10 " MICRO "Hz", ZU_FREQUENCY, 1e-5},
        {"10 " MU "Hz", ZU_FREQUENCY, 1e-5}, {"0.3 cHz", ZU_FREQUENCY, 0.003},
        {"0.3 dHz", ZU_FREQUENCY, 0.03}, {"7 daHz", ZU_FREQUENCY, 70.0},
        {"7 hHz", ZU_FREQUENCY, 700.0},  {"2 THz", ZU_FREQUENCY, 2e12},
        {"2 PHz", ZU_FREQUENCY, 2e15},   {"2 EHz", ZU_FREQUENCY, 2e18},
        {"2 ZHz", ZU_FREQUENCY, 2e21},   {"2 YHz", ZU_FREQUENCY, 2e24},
        {"2 RHz", ZU_FREQUENCY, 2e27},   {"2 QHz", ZU_FREQUENCY, 2e30},
        {"0.1uHz", ZU_FREQUENCY, 1e-7},
    };
    check_exact(c, N(c));
    /* the prefixes stay where they were: not on other units */
    check_fail("1 THz2", ZU_FREQUENCY, "not a frequency");
    check_fail("1 pS/m", ZU_CONDUCTIVITY, "unknown unit");
    check_fail("1 daK", ZU_TEMPERATURE, "unknown unit");
}
END_TEST

/* Fractions: a plain number or a percentage, folded exactly ("22 %" is the
 * double nearest 0.22, the literal below; issue 6). */
START_TEST(test_fraction)
{
    static const case_t c[] = {
        {"0.22", ZU_FRACTION, 0.22},  {"22%", ZU_FRACTION, 0.22},
        {"22 %", ZU_FRACTION, 0.22},  {"100%", ZU_FRACTION, 1.0},
        {"4.5 %", ZU_FRACTION, 0.045}, {"0%", ZU_FRACTION, 0.0},
        {"1e1%", ZU_FRACTION, 0.1},   {"1", ZU_FRACTION, 1.0},
    };
    check_exact(c, N(c));
    check_fail("22%", ZU_NUMBER, "not a plain number");
    check_fail("22 mm", ZU_FRACTION, "is a length, not a fraction");
    check_fail("22 %%", ZU_FRACTION, "fraction");
    check_fail("22 %/m", ZU_FRACTION, "not a fraction");
    check_fail("%", ZU_FRACTION, "not a number");
    check_fail("22 % m", ZU_FRACTION, "not a fraction");
    double v[3];
    int n = 0;
    ck_assert_int_eq(zu_parse_list("100%,50 %,22%", ZU_FRACTION, v, 3, &n, NULL, 0), 0);
    ck_assert_int_eq(n, 3);
    ck_assert(v[0] == 1.0 && v[1] == 0.5 && v[2] == 0.22);
}
END_TEST

/* Plain numbers: the accepted number syntax, no unit. */
START_TEST(test_numbers)
{
    static const case_t c[] = {
        {"1", ZU_NUMBER, 1.0},
        {"1.5", ZU_NUMBER, 1.5},
        {".5", ZU_NUMBER, 0.5},
        {"5.", ZU_NUMBER, 5.0},
        {"+.5", ZU_NUMBER, 0.5},
        {"-.5", ZU_NUMBER, -0.5},
        {"1e-3", ZU_NUMBER, 1e-3},
        {"1E3", ZU_NUMBER, 1e3},
        {"1e+3", ZU_NUMBER, 1e3},
        {"5.e3", ZU_NUMBER, 5e3},
        {"+2", ZU_NUMBER, 2.0},
        {"-40", ZU_NUMBER, -40.0},
        {"  7  ", ZU_NUMBER, 7.0},
        {"000001.5000", ZU_NUMBER, 1.5},
        {"0e-999", ZU_NUMBER, 0.0}, /* zero is never an underflow */
        {"0.0", ZU_NUMBER, 0.0},
        {"1e308", ZU_NUMBER, 1e308},
        {"1.7976931348623157e308", ZU_NUMBER, DBL_MAX},
        {"1e-310", ZU_NUMBER, 1e-310}, /* subnormal, kept */
        {"0.1000000000000000055511151231257827021181583404541015625", ZU_NUMBER, 0.1},
        {"0.00000000000000000000000000000000000000000000000001e50", ZU_NUMBER, 1.0},
        {"100000000000000000000000000000000000000000000000000e-50", ZU_NUMBER, 1.0},
    };
    check_exact(c, N(c));
    double v = 1.0;
    ck_assert_int_eq(zu_parse("-0", ZU_NUMBER, &v, NULL, 0), 0);
    ck_assert(v == 0.0 && !signbit(v));
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Errors                                                                    */
/* ------------------------------------------------------------------------- */

START_TEST(test_malformed_numbers)
{
    static const char *const bad[] = {
        "1,5",     "nan",   "NaN",
        "NAN",     "-nan",  "inf",
        "-inf",    "+inf",  "Infinity",
        "0x1p3",   "0x10",  "0X1A",
        "-0x1p-2", "1.2.3", "1..2",
        "..5",     ".",     "+",
        "-",       "+-2",   "--2",
        "- 2",     "+ 2",   "1 000",
        "1e",      "1e+",   "1E-",
        "e3",      "E3",    "abc",
        "1 2",     "1_000", "1'000",
        ".e3",     "1 .5",  "1,",
        ",5",      "1e5e5", "\xef\xbc\x91" /* fullwidth 1 */,
        "1e3.5",   "1/2",
    };
    for (size_t i = 0; i < N(bad); i++) {
        check_fail(bad[i], ZU_NUMBER, NULL);
        check_fail(bad[i], ZU_LENGTH, NULL);
    }
    check_fail(MINUS "1", ZU_NUMBER, "is not a number"); /* U+2212 is not a sign */
    check_fail(MINUS "1", ZU_LENGTH, "is not a number");
    check_fail("", ZU_LENGTH, "empty value");
    check_fail("   ", ZU_LENGTH, "empty value");
    check_fail("\t\n", ZU_ENERGY, "empty value");
    check_fail(NBSP, ZU_ENERGY, "empty value");
    check_fail("1,5", ZU_LENGTH, "'1,5' is not a number (the decimal point is '.')");
    check_fail("1,5 mm", ZU_LENGTH, "is not a number (the decimal point is '.')");
    check_fail("1.2.3", ZU_LENGTH, "'1.2.3' is not a number");
    check_fail("nan", ZU_LENGTH, "'nan' is not a number");
    check_fail("inf", ZU_FREQUENCY, "'inf' is not a number");
    check_fail("0x1p3", ZU_NUMBER, "'0x1p3' is not a number (no hexadecimal)");
    check_fail("1 000", ZU_NUMBER, "'1 000' is not a number");
    check_fail("1e", ZU_NUMBER, "'1e' is not a number");
    check_fail("1E+", ZU_LENGTH, "'1E+' is not a number");
    check_fail("1e-eV", ZU_ENERGY, "'1e-eV' is not a number");
    check_fail("- 2", ZU_NUMBER, "'- 2' is not a number");
    /* overflow and underflow, of the number or after scaling */
    check_fail("1e400", ZU_NUMBER, "'1e400' is out of range");
    check_fail("-1e400", ZU_NUMBER, "out of range");
    check_fail("1.8e308", ZU_NUMBER, "out of range");
    check_fail("1e-400", ZU_NUMBER, "out of range");
    check_fail("1e99999999999999999999", ZU_NUMBER, "out of range");
    check_fail("1e-99999999999999999999", ZU_NUMBER, "out of range");
    check_fail("1e308 GHz", ZU_FREQUENCY, "out of range");
    check_fail("1e303 S/um", ZU_CONDUCTIVITY, "out of range");
    check_fail("1e-320 nm", ZU_LENGTH, "out of range");
    check_fail("1e-322 J/mol", ZU_ENERGY, "out of range");
    /* a long text is clipped in the message */
    char longtext[300];
    memset(longtext, '7', sizeof longtext - 3);
    memcpy(longtext + sizeof longtext - 3, ",5", 3);
    check_fail(longtext, ZU_NUMBER, "...' is not a number");
    /* control characters never reach the message */
    check_fail("1\x01", ZU_NUMBER, "unexpected unit '?'");
}
END_TEST

/* Every dimension's unit against every other dimension. */
START_TEST(test_dimension_mismatch)
{
    static const struct {
        const char *unit;
        zu_dim dim;
    } u[] = {
        {"m", ZU_LENGTH},
        {"nm", ZU_LENGTH},
        {"S/m", ZU_CONDUCTIVITY},
        {"mS/cm", ZU_CONDUCTIVITY},
        {"Ohm*cm2", ZU_AREA_RESISTANCE},
        {OMEGA MIDDOT "cm" SUP2, ZU_AREA_RESISTANCE},
        {"F/m2", ZU_AREA_CAPACITANCE},
        {"uF/cm2", ZU_AREA_CAPACITANCE},
        {"eV", ZU_ENERGY},
        {"kJ/mol", ZU_ENERGY},
        {"K", ZU_TEMPERATURE},
        {"C", ZU_TEMPERATURE},
        {DEGREE "C", ZU_TEMPERATURE},
        {"Hz", ZU_FREQUENCY},
        {"MHz", ZU_FREQUENCY},
    };
    /* Spelled out independently of units.c. */
    static const char *const a[] = {"a plain number",
                                    "a length",
                                    "a conductivity",
                                    "an area-specific resistance",
                                    "an area-specific capacitance",
                                    "an energy",
                                    "a temperature",
                                    "a frequency"};
    int checked = 0;
    for (int target = ZU_NUMBER; target <= ZU_FREQUENCY; target++) {
        for (size_t i = 0; i < N(u); i++) {
            char text[64], want[256], msg[256] = "";
            snprintf(text, sizeof text, "2 %s", u[i].unit);
            double v = -1.0;
            int rc = zu_parse(text, (zu_dim)target, &v, msg, sizeof msg);
            if ((int)u[i].dim == target) {
                ck_assert_msg(rc == 0, "'%s': %s", text, msg);
                continue;
            }
            snprintf(want, sizeof want, "unit '%s' is %s, not %s", u[i].unit, a[u[i].dim],
                     a[target]);
            ck_assert_msg(rc == -1 && strcmp(msg, want) == 0, "'%s' as %s: \"%s\", want \"%s\"",
                          text, a[target], msg, want);
            ck_assert(v == -1.0);
            checked++;
        }
    }
    ck_assert_int_eq(checked, 8 * (int)N(u) - (int)N(u));
}
END_TEST

/* Units that parse but have no dimension we know. */
START_TEST(test_not_a_dimension)
{
    check_fail("1 m2", ZU_LENGTH, "unit 'm2' is not a length; accepted: m, cm");
    check_fail("1 m/m", ZU_LENGTH, "is not a length");
    check_fail("1 S", ZU_CONDUCTIVITY, "unit 'S' is not a conductivity; accepted: S/m");
    check_fail("1 S*m", ZU_CONDUCTIVITY, "is not a conductivity");
    check_fail("1 Ohm", ZU_AREA_RESISTANCE, "is not an area-specific resistance; accepted:");
    check_fail("1 Ohm/cm2", ZU_AREA_RESISTANCE, "is not an area-specific resistance");
    check_fail("1 F", ZU_AREA_CAPACITANCE, "is not an area-specific capacitance");
    check_fail("1 J", ZU_ENERGY,
               "unit 'J' is not an energy; accepted: eV (the default), meV, "
               "kJ/mol, J/mol");
    check_fail("1 mol", ZU_ENERGY, "is not an energy");
    check_fail("1 eV/mol", ZU_ENERGY, "is not an energy");
    check_fail("1 K2", ZU_TEMPERATURE, "is not a temperature");
    check_fail("1 Hz2", ZU_FREQUENCY, "is not a frequency");
    check_fail("1 Hz/Hz", ZU_FREQUENCY, "is not a frequency");
    check_fail("1 m", ZU_NUMBER, "unit 'm' is a length, not a plain number");
    check_fail("1 m/m", ZU_NUMBER, "unexpected unit 'm/m': a plain number takes no unit");
    check_fail("1 xyz", ZU_NUMBER, "unexpected unit 'xyz': a plain number takes no unit");
    /* Everything after '/' is in the denominator: Ω/(S·Ω·cm²) = S⁻¹·cm⁻². */
    check_fail("1 Ohm/S*Ohm*cm2", ZU_AREA_RESISTANCE, "is not an area-specific resistance");
    /* Products that reduce to a known dimension are fine. */
    static const case_t c[] = {
        {"1 mm2/cm", ZU_LENGTH, 1e-4},
        {"1 S" MIDDOT "Ohm" MIDDOT "S/m", ZU_CONDUCTIVITY, 1.0},
        {"1 Hz" MIDDOT "Hz/Hz", ZU_FREQUENCY, 1.0},
    };
    check_exact(c, N(c));
}
END_TEST

START_TEST(test_unknown_units)
{
    static const struct {
        zu_dim dim;
        const char *list; /* a fragment of the accepted list */
    } d[] = {
        {ZU_LENGTH, "accepted: m, cm, mm, um (" MICRO "m, " MU "m), nm"},
        {ZU_CONDUCTIVITY, "accepted: S/m, S/cm, mS/cm, mS/m, uS/cm (" MICRO "S/cm)"},
        {ZU_AREA_RESISTANCE, "accepted: Ohm*m2, Ohm*cm2"},
        {ZU_AREA_CAPACITANCE, "accepted: F/m2, F/cm2, mF/cm2, uF/cm2 (" MICRO "F/cm2), nF/cm2"},
        {ZU_ENERGY, "accepted: eV (the default), meV, kJ/mol, J/mol"},
        {ZU_TEMPERATURE, "accepted: K (the default), C, " DEGREE "C, degC"},
        {ZU_FREQUENCY, "accepted: Hz with any SI prefix (mHz, uHz, kHz, MHz, GHz, ...)"},
    };
    static const char *const names[] = {"",
                                        "a length",
                                        "a conductivity",
                                        "an area-specific resistance",
                                        "an area-specific capacitance",
                                        "an energy",
                                        "a temperature",
                                        "a frequency"};
    for (size_t i = 0; i < N(d); i++) {
        char want[128];
        snprintf(want, sizeof want, "unknown unit 'xyz' for %s; ", names[d[i].dim]);
        check_fail("1 xyz", d[i].dim, want);
        check_fail("1 xyz", d[i].dim, d[i].list);
        check_fail("1xyz", d[i].dim, d[i].list);
        check_fail("1 " DEGREE, d[i].dim, "unknown unit '" DEGREE "'");
        check_fail("1 %", d[i].dim, "unit '%' is a fraction, not");
    }
    /* case rules, with the hint */
    check_fail("1 MS/cm", ZU_CONDUCTIVITY,
               "unknown unit 'MS/cm' for a conductivity (case "
               "matters: 'mS' is known)");
    check_fail("1 Ms/cm", ZU_CONDUCTIVITY, "unknown unit 'Ms/cm'");
    check_fail("1 s/cm", ZU_CONDUCTIVITY, "'S' is known");
    check_fail("1 KHz", ZU_FREQUENCY, "'kHz' is known");
    check_fail("1 hz", ZU_FREQUENCY, "'Hz' is known");
    check_fail("1 HZ", ZU_FREQUENCY, "unknown unit 'HZ'");
    check_fail("1 Mm", ZU_LENGTH, "'mm' is known");
    check_fail("1 MeV", ZU_ENERGY, "'meV' is known");
    check_fail("1 ev", ZU_ENERGY, "unknown unit 'ev'");
    check_fail("1 EV", ZU_ENERGY, "unknown unit 'EV'");
    check_fail("1 k", ZU_TEMPERATURE, "'K' is known");
    check_fail("1 c", ZU_TEMPERATURE, "'C' is known");
    check_fail("1 f/cm2", ZU_AREA_CAPACITANCE, "'F' is known");
    check_fail("1 M", ZU_LENGTH, "'m' is known");
    /* prefixes exist only where the table in units.c allows them */
    check_fail("1 km", ZU_LENGTH, "unknown unit 'km'");
    check_fail("1 MOhm cm2", ZU_AREA_RESISTANCE, "unknown unit 'MOhm cm2'");
    check_fail("1 cS/m", ZU_CONDUCTIVITY, "unknown unit");
    check_fail("1 nS/m", ZU_CONDUCTIVITY, "unknown unit");
    check_fail("1 pF/cm2", ZU_AREA_CAPACITANCE, "unknown unit");
    check_fail("1 keV", ZU_ENERGY, "unknown unit");
    check_fail("1 mJ/mol", ZU_ENERGY, "unknown unit");
    check_fail("1 kJ/mmol", ZU_ENERGY, "unknown unit");
    check_fail("1 mK", ZU_TEMPERATURE, "unknown unit");
    check_fail("1 m" DEGREE "C", ZU_TEMPERATURE, "unknown unit");
    check_fail("1 s", ZU_FREQUENCY, "unknown unit");
    check_fail("1 Ohmcm2", ZU_AREA_RESISTANCE, "unknown unit 'Ohmcm2'");
    check_fail("1 Ohms cm2", ZU_AREA_RESISTANCE, "unknown unit");
}
END_TEST

START_TEST(test_malformed_units)
{
    static const struct {
        const char *text;
        zu_dim dim;
    } c[] = {
        {"1 S//m", ZU_CONDUCTIVITY},
        {"1 S/m/s", ZU_CONDUCTIVITY},
        {"1 S/", ZU_CONDUCTIVITY},
        {"1 S /", ZU_CONDUCTIVITY},
        {"1 S*", ZU_CONDUCTIVITY},
        {"1 /cm", ZU_CONDUCTIVITY},
        {"1 *S/m", ZU_CONDUCTIVITY},
        {"1 S;m-1", ZU_CONDUCTIVITY},
        {"1 S m -1", ZU_CONDUCTIVITY},
        {"1 S m^", ZU_CONDUCTIVITY},
        {"1 S m^x", ZU_CONDUCTIVITY},
        {"1 S m^--1", ZU_CONDUCTIVITY},
        {"1 Ohm**cm2", ZU_AREA_RESISTANCE},
        {"1 Ohm-cm2", ZU_AREA_RESISTANCE},
        {"1 Ohm cm22", ZU_AREA_RESISTANCE},
        {"1 Ohm cm^0", ZU_AREA_RESISTANCE},
        {"1 cm2Ohm", ZU_AREA_RESISTANCE},
        {"1 Ohm" MIDDOT MIDDOT "cm2", ZU_AREA_RESISTANCE},
        {"1 F/cm" SUPMINUS, ZU_AREA_CAPACITANCE},
        {"1 F/cm^" SUP2, ZU_AREA_CAPACITANCE},
        {"1 m0", ZU_LENGTH},
        {"1 m^12", ZU_LENGTH},
        {"1 m m m m m m m m m/m m m m m m m m", ZU_LENGTH}, /* too many factors */
        {"1 " DEGREE "C2", ZU_TEMPERATURE},
        {"1 C^1", ZU_TEMPERATURE},
        {"1 C/K*K", ZU_TEMPERATURE},
        {"1 C K/K", ZU_TEMPERATURE},
        {"1 degC" MIDDOT "K/K", ZU_TEMPERATURE},
    };
    for (size_t i = 0; i < N(c); i++)
        check_fail(c[i].text, c[i].dim, "malformed unit '");
    check_fail("1 S//m", ZU_CONDUCTIVITY,
               "malformed unit 'S//m' for a conductivity; accepted: S/m, S/cm");
    /* eight factors are still fine */
    double v;
    ck_assert_int_eq(zu_parse("1 m2 m m m/m m m m", ZU_LENGTH, &v, NULL, 0), 0);
    ck_assert(v == 1.0);
}
END_TEST

/* Messages: NULL/0 buffers, truncation never splits a UTF-8 character. */
START_TEST(test_messages)
{
    double v = 5.0;
    ck_assert_int_eq(zu_parse("1 xyz", ZU_LENGTH, &v, NULL, 0), -1);
    ck_assert_int_eq(zu_parse("1 xyz", ZU_LENGTH, &v, NULL, 100), -1);
    ck_assert_int_eq(zu_parse(NULL, ZU_LENGTH, &v, NULL, 0), -1);
    char one[1] = {'x'};
    ck_assert_int_eq(zu_parse("1 xyz", ZU_LENGTH, &v, one, 1), -1);
    ck_assert_int_eq(one[0], '\0');
    ck_assert(v == 5.0);

    char full[512];
    ck_assert_int_eq(zu_parse("1 " MU "xyz", ZU_LENGTH, &v, full, sizeof full), -1);
    ck_assert_msg(valid_utf8(full), "%s", full);
    size_t len = strlen(full);
    ck_assert_uint_lt(len, sizeof full - 1);
    for (size_t size = 1; size <= len + 1; size++) {
        char m[512];
        memset(m, 'Z', sizeof m);
        ck_assert_int_eq(zu_parse("1 " MU "xyz", ZU_LENGTH, &v, m, size), -1);
        ck_assert_msg(memchr(m, '\0', size) != NULL, "size %zu: not terminated", size);
        ck_assert_msg(valid_utf8(m), "size %zu: broken UTF-8", size);
        ck_assert_msg(strncmp(m, full, strlen(m)) == 0, "size %zu: not a prefix", size);
        ck_assert_uint_ge(strlen(m) + 4, size - 1 < len ? size - 1 : len);
    }

    /* dimension names and invalid dimensions */
    static const char *const names[] = {"number",
                                        "length",
                                        "conductivity",
                                        "area-specific resistance",
                                        "area-specific capacitance",
                                        "energy",
                                        "temperature",
                                        "frequency"};
    for (int d = ZU_NUMBER; d <= ZU_FREQUENCY; d++)
        ck_assert_str_eq(zu_dim_name((zu_dim)d), names[d]);
    ck_assert_str_eq(zu_dim_name((zu_dim)99), "unknown dimension");
    ck_assert_str_eq(zu_dim_name((zu_dim)-1), "unknown dimension");
    check_fail("1", (zu_dim)99, "invalid dimension");
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Lists                                                                     */
/* ------------------------------------------------------------------------- */

/* Parse a list into 8 slots (the ninth is a sentinel). */
static int list(const char *text, zu_dim dim, int max, double *vals, int *n, char *msg)
{
    for (int i = 0; i < 9; i++)
        vals[i] = -777.0;
    *n = -1;
    int rc = zu_parse_list(text, dim, vals, max, n, msg, 256);
    ck_assert(vals[max] == -777.0);
    return rc;
}

static void check_list(const char *text, zu_dim dim, int count, const double *want)
{
    double vals[9];
    int n;
    char msg[256] = "";
    int rc = list(text, dim, 8, vals, &n, msg);
    ck_assert_msg(rc == 0, "'%s': %s", text, msg);
    ck_assert_msg(n == count, "'%s': %d values, want %d", text, n, count);
    for (int i = 0; i < count; i++)
        ck_assert_msg(same_double(vals[i], want[i]), "'%s' [%d] = %.17g, want %.17g", text, i,
                      vals[i], want[i]);
}

static void check_list_fail(const char *text, zu_dim dim, int max, const char *want)
{
    double vals[9];
    int n;
    char msg[256] = "";
    int rc = list(text, dim, max, vals, &n, msg);
    ck_assert_msg(rc == -1, "'%s' accepted (%d values)", text, n);
    ck_assert_int_eq(n, 0);
    ck_assert_msg(strstr(msg, want) != NULL, "'%s': \"%s\" lacks \"%s\"", text, msg, want);
}

START_TEST(test_list_blanks)
{
    check_list("1 10 1e2", ZU_NUMBER, 3, (const double[]){1, 10, 100});
    check_list("  1\t2\n3  ", ZU_NUMBER, 3, (const double[]){1, 2, 3});
    check_list("42", ZU_NUMBER, 1, (const double[]){42});
    check_list("1 -2 +3 .5 -.5", ZU_NUMBER, 5, (const double[]){1, -2, 3, 0.5, -0.5});
    check_list("10nm 20 nm 3e1nm", ZU_LENGTH, 3, (const double[]){1e-8, 2e-8, 3e-8});
    check_list("-40C -20 C 0" DEGREE "C 300", ZU_TEMPERATURE, 4,
               (const double[]){233.15, 253.15, 273.15, 300});
    check_list("0.5 ohm cm2 1 " OMEGA MIDDOT "cm" SUP2 " 2 Ohm * cm2", ZU_AREA_RESISTANCE, 3,
               (const double[]){5e-5, 1e-4, 2e-4});
    check_list("1 S m-1 2 mS / cm", ZU_CONDUCTIVITY, 2, (const double[]){1, 0.2});
    check_list("1 mHz 1 kHz 1 MHz", ZU_FREQUENCY, 3, (const double[]){1e-3, 1e3, 1e6});
    check_list("1" NBSP "nm" NNBSP "2" NBSP "nm", ZU_LENGTH, 2, (const double[]){1e-9, 2e-9});
    /* eight values fit eight slots */
    check_list("1 2 3 4 5 6 7 8", ZU_NUMBER, 8, (const double[]){1, 2, 3, 4, 5, 6, 7, 8});
    /* a word glues to the number before it: its error is that item's */
    check_list_fail("1 2 abc", ZU_NUMBER, 8, "item 2: unexpected unit 'abc'");
    check_list_fail("1 2 abc 3", ZU_LENGTH, 8, "item 2: unknown unit 'abc' for a length");
    check_list_fail("nm 1", ZU_LENGTH, 8, "item 1: 'nm' is not a number");
    check_list_fail("1 2 1.2.3", ZU_NUMBER, 8, "item 3: '1.2.3' is not a number");
    check_list_fail("1 2 3 4", ZU_NUMBER, 3, "item 4: too many values (at most 3)");
    check_list_fail("1", ZU_NUMBER, 0, "item 1: too many values (at most 0)");
    check_list_fail("1 2 -1 K", ZU_TEMPERATURE, 8, "item 3: '-1 K' is below absolute zero");
    check_list_fail("1 2 3 mS/cm", ZU_LENGTH, 8,
                    "item 3: unit 'mS/cm' is a conductivity, not a length");
    check_list_fail("", ZU_NUMBER, 8, "empty list");
    check_list_fail(" \t ", ZU_NUMBER, 8, "empty list");
    check_list_fail(NULL, ZU_NUMBER, 8, "empty list");
}
END_TEST

START_TEST(test_list_commas)
{
    check_list("1,0.7, 0.5", ZU_NUMBER, 3, (const double[]){1, 0.7, 0.5});
    check_list("1,5", ZU_NUMBER, 2, (const double[]){1, 5}); /* a list: two values */
    check_list(" 1 , 2 ,3 ", ZU_NUMBER, 3, (const double[]){1, 2, 3});
    check_list("-40C,-20C,0C", ZU_TEMPERATURE, 3, (const double[]){233.15, 253.15, 273.15});
    check_list("0.5 ohm cm2, 1 ohm cm2", ZU_AREA_RESISTANCE, 2, (const double[]){5e-5, 1e-4});
    check_list("0.5 " OMEGA MIDDOT "cm" SUP2 ",1 Ohm.cm^2", ZU_AREA_RESISTANCE, 2,
               (const double[]){5e-5, 1e-4});
    check_list("0.46 mS/cm, 1 S m-1", ZU_CONDUCTIVITY, 2, (const double[]){0.046, 1});
    check_list("1 uF/cm2,2 " MICRO "F/cm" SUP2, ZU_AREA_CAPACITANCE, 2,
               (const double[]){1e-2, 2e-2});
    check_list("0.5,50 meV,1 kJ/mol", ZU_ENERGY, 3,
               (const double[]){0.5, 0.05, 1.0 / 96.48533212331001840});
    check_list("7", ZU_NUMBER, 1, (const double[]){7});
    /* errors name the item */
    check_list_fail("1, 2, x", ZU_NUMBER, 8, "item 3: 'x' is not a number");
    check_list_fail("1, 2, 3 x", ZU_NUMBER, 8, "item 3: unexpected unit 'x'");
    check_list_fail("1, 2, 1.2.3", ZU_NUMBER, 8, "item 3: '1.2.3' is not a number");
    check_list_fail("1,,2", ZU_NUMBER, 8, "item 2: empty value");
    check_list_fail("1,2,", ZU_NUMBER, 8, "item 3: empty value");
    check_list_fail(",1", ZU_NUMBER, 8, "item 1: empty value");
    check_list_fail(",", ZU_NUMBER, 8, "item 1: empty value");
    check_list_fail("1, 2, 3, 4", ZU_NUMBER, 3, "item 4: too many values (at most 3)");
    check_list_fail("1 nm, 2 mS/cm", ZU_LENGTH, 8,
                    "item 2: unit 'mS/cm' is a conductivity, not a length");
    /* mixing: once there is a comma, blanks no longer separate values */
    check_list_fail("1 2, 3", ZU_NUMBER, 8,
                    "item 1: '1 2' is not a number (a list with commas needs a comma between "
                    "every two values)");
    check_list_fail("0.5 ohm cm2 1 ohm cm2, 2 ohm cm2", ZU_AREA_RESISTANCE, 8, "item 1:");
}
END_TEST

/* The item index counts items, not characters, and *n is 0 on failure even
 * when earlier values were stored. */
START_TEST(test_list_partial)
{
    double vals[9];
    int n = 99;
    char msg[256];
    ck_assert_int_eq(zu_parse_list("1 2 x3", ZU_NUMBER, vals, 8, &n, msg, sizeof msg), -1);
    ck_assert_int_eq(n, 0);
    ck_assert_ptr_nonnull(strstr(msg, "item 2:"));
    ck_assert_int_eq(zu_parse_list("1 2", ZU_NUMBER, vals, 8, NULL, NULL, 0), 0);
    ck_assert(vals[0] == 1.0 && vals[1] == 2.0);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Locale independence                                                       */
/* ------------------------------------------------------------------------- */

static const char *const comma_locales[] = {"de_DE.UTF-8", "de_DE.utf8", "de_DE",
                                            "fr_FR.UTF-8", "fr_FR.utf8", "nl_NL.UTF-8",
                                            "ru_RU.UTF-8"};

/* The results that a comma locale must not change. */
static void parse_battery(double out[6], int rc[6], int *nlist)
{
    double l[8];
    rc[0] = zu_parse("1.5 mS/cm", ZU_CONDUCTIVITY, &out[0], NULL, 0);
    rc[1] = zu_parse("0.46 mS/cm", ZU_CONDUCTIVITY, &out[1], NULL, 0);
    rc[2] = zu_parse("-40 " DEGREE "C", ZU_TEMPERATURE, &out[2], NULL, 0);
    rc[3] = zu_parse("1,5", ZU_NUMBER, &out[3], NULL, 0);
    rc[4] = zu_parse("1 kJ/mol", ZU_ENERGY, &out[4], NULL, 0);
    rc[5] = zu_parse_list("0.5 ohm cm2, 1.5 ohm cm2", ZU_AREA_RESISTANCE, l, 8, nlist, NULL, 0);
    out[5] = l[1];
}

START_TEST(test_locale_process)
{
    double ref[6], got[6];
    int rref[6], rgot[6], nref, ngot;
    parse_battery(ref, rref, &nref);
    const char *found = NULL;
    for (size_t i = 0; i < N(comma_locales) && found == NULL; i++) {
        if (setlocale(LC_ALL, comma_locales[i]) != NULL &&
            strcmp(localeconv()->decimal_point, ",") == 0)
            found = comma_locales[i];
    }
    if (found == NULL) {
        setlocale(LC_ALL, "C");
        fprintf(stderr, "test_units: no comma-decimal locale installed; locale test skipped\n");
        return;
    }
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 1.5); /* the locale is really in effect */
    parse_battery(got, rgot, &ngot);
    int still = strcmp(localeconv()->decimal_point, ",") == 0;
    locale_t thread = uselocale((locale_t)0);
    setlocale(LC_ALL, "C"); /* before any assertion: later tests need "C" */

    ck_assert_str_eq(probe, "1,5");
    ck_assert_msg(still, "the process locale was changed");
    ck_assert_msg(thread == LC_GLOBAL_LOCALE, "the thread locale was not restored");
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(rgot[i], rref[i]);
        if (rref[i] == 0)
            ck_assert_msg(got[i] == ref[i], "[%d] %.17g != %.17g under %s", i, got[i], ref[i],
                          found);
    }
    ck_assert_int_eq(rref[3], -1); /* "1,5" is never one number */
    ck_assert_int_eq(ngot, 2);
    ck_assert(ref[1] == 0.046 && ref[5] == 1.5e-4);
}
END_TEST

/* A thread-local comma locale (uselocale) is also ignored, and it is that
 * locale — not the global one — that the parser restores. */
START_TEST(test_locale_thread)
{
    double ref[6], got[6];
    int rref[6], rgot[6], nref, ngot;
    parse_battery(ref, rref, &nref);
    locale_t loc = (locale_t)0;
    for (size_t i = 0; i < N(comma_locales) && loc == (locale_t)0; i++)
        loc = newlocale(LC_ALL_MASK, comma_locales[i], (locale_t)0);
    if (loc == (locale_t)0)
        return;
    locale_t prev = uselocale(loc);
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 1.5);
    parse_battery(got, rgot, &ngot);
    locale_t after = uselocale(prev);
    freelocale(loc);
    ck_assert_msg(after == loc, "the thread locale was not restored");
    if (strcmp(probe, "1,5") != 0)
        return; /* a locale without a comma decimal point: nothing to show */
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(rgot[i], rref[i]);
        if (rref[i] == 0)
            ck_assert(got[i] == ref[i]);
    }
    ck_assert_int_eq(ngot, nref);
}
END_TEST

Suite *suite_units(void)
{
    Suite *s = suite_create("units");
    TCase *tc = tcase_create("quantities");
    tcase_add_test(tc, test_length);
    tcase_add_test(tc, test_conductivity);
    tcase_add_test(tc, test_area_resistance);
    tcase_add_test(tc, test_area_capacitance);
    tcase_add_test(tc, test_energy);
    tcase_add_test(tc, test_temperature);
    tcase_add_test(tc, test_frequency);
    tcase_add_test(tc, test_frequency_prefixes);
    tcase_add_test(tc, test_fraction);
    tcase_add_test(tc, test_numbers);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, test_malformed_numbers);
    tcase_add_test(tc, test_dimension_mismatch);
    tcase_add_test(tc, test_not_a_dimension);
    tcase_add_test(tc, test_unknown_units);
    tcase_add_test(tc, test_malformed_units);
    tcase_add_test(tc, test_messages);
    suite_add_tcase(s, tc);
    tc = tcase_create("lists");
    tcase_add_test(tc, test_list_blanks);
    tcase_add_test(tc, test_list_commas);
    tcase_add_test(tc, test_list_partial);
    suite_add_tcase(s, tc);
    tc = tcase_create("locale");
    tcase_add_test(tc, test_locale_process);
    tcase_add_test(tc, test_locale_thread);
    suite_add_tcase(s, tc);
    return s;
}
