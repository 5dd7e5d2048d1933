/*
 * units.c — numbers with units: a strict number lexer, a small unit grammar
 * and exact decimal scaling.
 *
 * A quantity is   [blanks] number [blanks] [unit] [blanks]
 *
 * Number: [+|-] digits [. [digits]] | [+|-] . digits, then optionally
 * e|E [+|-] digits.  Nothing else: no "nan", "inf", hex, "1,5", "1.2.3", no
 * digit grouping.  An 'e' followed by neither a digit nor a sign starts the
 * unit, so "1eV" is one electronvolt and "1e-3eV" a millielectronvolt, while
 * "1e", "1e+" and "1e-eV" are not numbers.  The unit may
 * follow the digits directly ("10nm", "-40C") or after blanks.  Blanks are
 * ASCII white space, U+00A0 (no-break space), U+2009 (thin space) and U+202F
 * (narrow no-break space), which SI typesetting puts between value and unit.
 *
 * Unit: a product of factors, at most one '/' (everything after it is in the
 * denominator, so "W/m K" would be W·m⁻¹·K⁻¹):
 *
 *   unit     = factor { sep factor } [ "/" factor { sep factor } ]
 *   sep      = blanks | [blanks] ("*" | "." | "·" U+00B7 | "⋅" U+22C5) [blanks]
 *   factor   = [prefix] symbol [power]
 *   power    = ["^"] ["+"|"-"] digit | ["⁻" U+207B] ("¹" | "²" | "³")   (1..9)
 *
 *   symbol   prefixes            meaning
 *   m        c m u µ μ n         metre
 *   S        m u µ μ             siemens
 *   ohm Ω Ω  m k                 ohm ("ohm" in any case; Ω is U+03A9 or U+2126)
 *   F        m u µ μ n           farad
 *   Hz       every SI prefix     hertz (q r y z a f p n u µ μ m c d da h k M G
 *                                T P E Z Y R Q: "1 uHz", "2 THz")
 *   %        -                   per cent (fractions only: "22 %" = 0.22)
 *   eV       m                   electronvolt
 *   J        k                   joule (only as J/mol or kJ/mol)
 *   mol      -                   mole
 *   K        -                   kelvin
 *   C °C degC ℃   -              degree Celsius: only alone, never in a product
 *
 * Case rules: every symbol and prefix is case-sensitive except "ohm".  m is
 * milli (or metre when alone), M is mega and exists for Hz only, so "MS/cm",
 * "KHz", "hz" and "ev" are unknown (the message suggests the other case);
 * only Hz takes every prefix (a frequency is never mistaken for another
 * dimension, and sweeps span µHz to THz);
 * prefixes are allowed only where the table says, which keeps typos such as
 * "MS" or "Mm" from silently meaning something a million times off.
 *
 * The unit's dimension (powers of m, S, F, Hz, eV, mol, K, with Ω = S⁻¹ and
 * J = eV·mol·(1/96.485...) so that J/mol is an energy) must equal the requested
 * one; a unit of another known dimension gives "unit 'mS/cm' is a
 * conductivity, not a length", anything else lists the accepted units
 * (ZU_NUMBER takes no unit at all).  So
 * "S m-1", "S*m^-1", "F cm-2", "Ohm.cm^2", "Ω·cm²" and "mS/cm" all work
 * without a table of spellings.
 *
 * Exactness: every factor except J/mol and Celsius is a power of ten, so it is
 * folded into the number's decimal exponent ("0.46 mS/cm" is converted as
 * "0.46e-1") and the result is the double nearest to the true value — one
 * correctly rounded strtod, never value × 1e-x, which would give
 * 0.046000000000000006 here.  Celsius adds 273.15 in exact decimal arithmetic
 * before that one rounding ("-40 C" is the double nearest 233.15 K, not
 * -40 + 273.15 = 233.14999999999998).  Energies per mole are divided by
 * e·N_A = 96.48533212331001840 kJ/mol per eV (exact since the 2019 SI) after
 * the conversion, so they are within ~1.5 ulp.  Temperatures below 0 K are
 * rejected; every other sign check is the caller's business.  Results must
 * be finite, and a non-zero number must not underflow to zero.
 *
 * Locale: the number text is checked here, then converted by strtod under a
 * thread-local "C" locale (newlocale + uselocale, POSIX 2008); the calling
 * thread's locale is restored and the process locale is never touched.
 *
 * Lists (zu_parse_list): if the text contains a comma, items are separated by
 * commas only ("0.5 ohm cm2, 1 ohm cm2"; "1,5" is two values); otherwise by
 * blanks, and a blank-separated token that does not start like a number
 * (digit, sign or '.') is glued to the item before it, so "1 ohm cm2 2 Ω·cm²"
 * is two values and "10nm 20 nm" too.  Empty items ("1,,2", "1,2,") and empty
 * lists are errors; messages name the item, counted from 1.
 *
 * Allocation: one or two small buffers per number, freed before returning.
 * No global mutable state, so every function may run in several threads.
 */
#include "units.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define ZU_PRINTF(f, a) __attribute__((format(__printf__, f, a)))
#else
#define ZU_PRINTF(f, a)
#endif

/* UTF-8 spellings, as separate literals so that a following letter can never
 * extend a hex escape ("\xce\xbc" "F"). */
#define U_MICRO "\xc2\xb5"        /* µ U+00B5 MICRO SIGN */
#define U_MU "\xce\xbc"           /* μ U+03BC GREEK SMALL LETTER MU */
#define U_OMEGA "\xce\xa9"        /* Ω U+03A9 GREEK CAPITAL LETTER OMEGA */
#define U_OHM "\xe2\x84\xa6"      /* Ω U+2126 OHM SIGN */
#define U_DEGREE "\xc2\xb0"       /* ° U+00B0 */
#define U_DEG_C "\xe2\x84\x83"    /* ℃ U+2103 DEGREE CELSIUS */
#define U_MIDDOT "\xc2\xb7"       /* · U+00B7 MIDDLE DOT */
#define U_DOTOP "\xe2\x8b\x85"    /* ⋅ U+22C5 DOT OPERATOR */
#define U_SUP1 "\xc2\xb9"         /* ¹ */
#define U_SUP2 "\xc2\xb2"         /* ² */
#define U_SUP3 "\xc2\xb3"         /* ³ */
#define U_SUPMINUS "\xe2\x81\xbb" /* ⁻ U+207B */
#define U_NBSP "\xc2\xa0"         /* U+00A0 NO-BREAK SPACE */
#define U_THINSP "\xe2\x80\x89"   /* U+2009 THIN SPACE */
#define U_NNBSP "\xe2\x80\xaf"    /* U+202F NARROW NO-BREAK SPACE */

/* kJ/mol per eV: e·N_A/1000, exact in the 2019 SI (1.602176634e-19 C ×
 * 6.02214076e23 /mol). */
#define ZU_KJMOL_PER_EV 96.48533212331001840

/* At most this many factors in one unit ("Ohm*cm2" has two). */
#define ZU_MAX_FACTORS 8

/* ------------------------------------------------------------------------- */
/* Dimensions and the symbol table                                           */
/* ------------------------------------------------------------------------- */

enum { B_M, B_S, B_F, B_HZ, B_EV, B_MOL, B_K, B_PCT, NBASE };

#define ZU_NDIM 9

static const int dim_vec[ZU_NDIM][NBASE] = {
    [ZU_NUMBER] = {0},
    [ZU_LENGTH] = {[B_M] = 1},
    [ZU_CONDUCTIVITY] = {[B_S] = 1, [B_M] = -1},
    [ZU_AREA_RESISTANCE] = {[B_S] = -1, [B_M] = 2},
    [ZU_AREA_CAPACITANCE] = {[B_F] = 1, [B_M] = -2},
    [ZU_ENERGY] = {[B_EV] = 1},
    [ZU_TEMPERATURE] = {[B_K] = 1},
    [ZU_FREQUENCY] = {[B_HZ] = 1},
    [ZU_FRACTION] = {[B_PCT] = 1},
};

static const char *const dim_names[ZU_NDIM] = {
    [ZU_NUMBER] = "number",
    [ZU_LENGTH] = "length",
    [ZU_CONDUCTIVITY] = "conductivity",
    [ZU_AREA_RESISTANCE] = "area-specific resistance",
    [ZU_AREA_CAPACITANCE] = "area-specific capacitance",
    [ZU_ENERGY] = "energy",
    [ZU_TEMPERATURE] = "temperature",
    [ZU_FREQUENCY] = "frequency",
    [ZU_FRACTION] = "fraction",
};

/* The same with an article, for messages ("a length", "an energy"). */
static const char *const dim_a[ZU_NDIM] = {
    [ZU_NUMBER] = "a plain number",
    [ZU_LENGTH] = "a length",
    [ZU_CONDUCTIVITY] = "a conductivity",
    [ZU_AREA_RESISTANCE] = "an area-specific resistance",
    [ZU_AREA_CAPACITANCE] = "an area-specific capacitance",
    [ZU_ENERGY] = "an energy",
    [ZU_TEMPERATURE] = "a temperature",
    [ZU_FREQUENCY] = "a frequency",
    [ZU_FRACTION] = "a fraction",
};

/* What the messages list as accepted (the grammar accepts more). */
static const char *const accepted[ZU_NDIM] = {
    [ZU_NUMBER] = "none (a plain number takes no unit)",
    [ZU_LENGTH] = "m, cm, mm, um (" U_MICRO "m, " U_MU "m), nm",
    [ZU_CONDUCTIVITY] = "S/m, S/cm, mS/cm, mS/m, uS/cm (" U_MICRO "S/cm), S m-1, S*m^-1",
    [ZU_AREA_RESISTANCE] = "Ohm*m2, Ohm*cm2, mOhm*cm2, kOhm*cm2 (ohm or " U_OMEGA
                           "; '*', '.', '" U_MIDDOT "' or a blank; 2, ^2 or " U_SUP2 ")",
    [ZU_AREA_CAPACITANCE] =
        "F/m2, F/cm2, mF/cm2, uF/cm2 (" U_MICRO "F/cm2), nF/cm2 (2, ^2 or " U_SUP2 ")",
    [ZU_ENERGY] = "eV (the default), meV, kJ/mol, J/mol",
    [ZU_TEMPERATURE] = "K (the default), C, " U_DEGREE "C, degC",
    [ZU_FREQUENCY] = "Hz with any SI prefix (mHz, uHz, kHz, MHz, GHz, ...)",
    [ZU_FRACTION] = "none or % (0.22 or 22 %)",
};

typedef struct zu_symbol {
    const char *name;
    int icase; /* ASCII case-insensitive ("ohm") */
    int dim[NBASE];
    int dexp;             /* the symbol's factor is 10^dexp ... */
    int molar;            /* ... divided by ZU_KJMOL_PER_EV^molar */
    const char *prefixes; /* allowed prefix keys, 'u' standing for u, µ and μ */
    int celsius;
} zu_symbol;

static const zu_symbol symbols[] = {
    {"m", 0, {[B_M] = 1}, 0, 0, "cmun", 0},
    {"S", 0, {[B_S] = 1}, 0, 0, "mu", 0},
    {"ohm", 1, {[B_S] = -1}, 0, 0, "mk", 0},
    {U_OMEGA, 0, {[B_S] = -1}, 0, 0, "mk", 0},
    {U_OHM, 0, {[B_S] = -1}, 0, 0, "mk", 0},
    {"F", 0, {[B_F] = 1}, 0, 0, "mun", 0},
    {"Hz", 0, {[B_HZ] = 1}, 0, 0, "qryzafpnumcdDhkMGTPEZYRQ", 0},
    {"%", 0, {[B_PCT] = 1}, -2, 0, "", 0},
    {"eV", 0, {[B_EV] = 1}, 0, 0, "m", 0},
    /* 1 J/mol = 1e-3 kJ/mol = 1e-3 / 96.485... eV */
    {"J", 0, {[B_EV] = 1, [B_MOL] = 1}, -3, 1, "k", 0},
    {"mol", 0, {[B_MOL] = 1}, 0, 0, "", 0},
    {"K", 0, {[B_K] = 1}, 0, 0, "", 0},
    {"C", 0, {[B_K] = 1}, 0, 0, "", 1},
    {U_DEGREE "C", 0, {[B_K] = 1}, 0, 0, "", 1},
    {"degC", 0, {[B_K] = 1}, 0, 0, "", 1},
    {U_DEG_C, 0, {[B_K] = 1}, 0, 0, "", 1},
};

typedef struct zu_prefix {
    const char *text;
    char key;
    int dexp;
} zu_prefix;

/* Every SI prefix (2022 set); 'D' is the key of deca ("da"), the only one of
 * two letters.  Which prefixes a symbol takes is its own list above. */
static const zu_prefix prefixes[] = {
    {"Q", 'Q', 30},  {"R", 'R', 27},     {"Y", 'Y', 24},   {"Z", 'Z', 21},  {"E", 'E', 18},
    {"P", 'P', 15},  {"T", 'T', 12},     {"G", 'G', 9},    {"M", 'M', 6},   {"k", 'k', 3},
    {"h", 'h', 2},   {"da", 'D', 1},     {"d", 'd', -1},   {"c", 'c', -2},  {"m", 'm', -3},
    {"u", 'u', -6},  {U_MICRO, 'u', -6}, {U_MU, 'u', -6},  {"n", 'n', -9},  {"p", 'p', -12},
    {"f", 'f', -15}, {"a", 'a', -18},    {"z", 'z', -21},  {"y", 'y', -24}, {"r", 'r', -27},
    {"q", 'q', -30},
};

#define NSYMBOLS (sizeof symbols / sizeof symbols[0])
#define NPREFIXES (sizeof prefixes / sizeof prefixes[0])

/* ------------------------------------------------------------------------- */
/* Messages                                                                  */
/* ------------------------------------------------------------------------- */

/* Length of the UTF-8 sequence led by byte c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xf0 && c < 0xf8)
        return 4;
    if (c >= 0xe0)
        return c < 0xf0 ? 3 : 1;
    if (c >= 0xc0)
        return 2;
    return 1;
}

/* Cut a truncated message before an incomplete trailing UTF-8 sequence. */
static void fix_utf8_tail(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80 && n - i < 3)
        i--;
    if (i > 0 && (unsigned char)s[i - 1] >= 0xc0 && utf8_len((unsigned char)s[i - 1]) > n - i + 1)
        s[i - 1] = '\0';
}

static void set_msg(char *msg, size_t size, const char *fmt, ...) ZU_PRINTF(3, 4);
static void set_msg(char *msg, size_t size, const char *fmt, ...)
{
    if (msg == NULL || size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    if (n < 0)
        msg[0] = '\0';
    else if ((size_t)n >= size)
        fix_utf8_tail(msg);
}

/* A printable copy of user text for quoting: control bytes become '?', long
 * text is clipped (on a character boundary) with "...". */
#define ZU_QUOTE 64
static const char *quote(char buf[ZU_QUOTE], const char *p, size_t len)
{
    const size_t room = ZU_QUOTE - 4;
    size_t n = 0;
    int clipped = 0;
    while (n < len) {
        size_t k = utf8_len((unsigned char)p[n]);
        if (k > len - n)
            k = 1;
        if (n + k > room) {
            clipped = 1;
            break;
        }
        for (size_t j = 0; j < k; j++)
            buf[n + j] = (unsigned char)p[n + j] < 0x20 || p[n + j] == 0x7f ? '?' : p[n + j];
        n += k;
    }
    if (clipped) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* ------------------------------------------------------------------------- */
/* Character classes                                                         */
/* ------------------------------------------------------------------------- */

/* strlen(lit) when [p, end) starts with lit, else 0. */
static size_t lit(const char *p, const char *end, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(end - p) >= n && memcmp(p, s, n) == 0 ? n : 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static size_t blank_len(const char *p, const char *end)
{
    if (p >= end)
        return 0;
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
        return 1;
    size_t n;
    if ((n = lit(p, end, U_NBSP)) || (n = lit(p, end, U_THINSP)) || (n = lit(p, end, U_NNBSP)))
        return n;
    return 0;
}

static size_t mulop_len(const char *p, const char *end)
{
    if (p < end && (*p == '*' || *p == '.'))
        return 1;
    size_t n;
    if ((n = lit(p, end, U_MIDDOT)) || (n = lit(p, end, U_DOTOP)))
        return n;
    return 0;
}

/* Superscript digit 1..3 at p: its length, value in *d. */
static size_t sup_digit(const char *p, const char *end, int *d)
{
    size_t n;
    if ((n = lit(p, end, U_SUP1)))
        *d = 1;
    else if ((n = lit(p, end, U_SUP2)))
        *d = 2;
    else if ((n = lit(p, end, U_SUP3)))
        *d = 3;
    return n;
}

/* Length of one "letter" of a unit symbol at p: an ASCII letter or any
 * non-ASCII character that is not a blank, an operator or a superscript. */
static size_t letter_len(const char *p, const char *end)
{
    int d;
    if (p >= end)
        return 0;
    if (is_alpha(*p))
        return 1;
    if ((unsigned char)*p < 0x80)
        return 0;
    if (blank_len(p, end) || mulop_len(p, end) || sup_digit(p, end, &d) || lit(p, end, U_SUPMINUS))
        return 0;
    size_t k = utf8_len((unsigned char)*p);
    return k <= (size_t)(end - p) ? k : 1;
}

static const char *skip_blanks(const char *p, const char *end)
{
    size_t n;
    while ((n = blank_len(p, end)) > 0)
        p += n;
    return p;
}

/* The end of [p, end) without trailing blanks. */
static const char *trim_end(const char *p, const char *end)
{
    for (;;) {
        if (end > p && (end[-1] == ' ' || (end[-1] >= '\t' && end[-1] <= '\r')))
            end--;
        else if (end - p >= 2 && lit(end - 2, end, U_NBSP))
            end -= 2;
        else if (end - p >= 3 && (lit(end - 3, end, U_THINSP) || lit(end - 3, end, U_NNBSP)))
            end -= 3;
        else
            return end;
    }
}

/* ------------------------------------------------------------------------- */
/* Unit grammar                                                              */
/* ------------------------------------------------------------------------- */

typedef struct zu_unit {
    int dim[NBASE];
    int dexp;
    int molar;
    int celsius;
} zu_unit;

enum { U_OK = 0, U_MALFORMED, U_UNKNOWN };

static int symbol_is(const zu_symbol *s, const char *p, size_t n)
{
    if (strlen(s->name) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char a = s->name[i], b = p[i];
        if (s->icase && b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

static const zu_symbol *find_symbol(const char *p, size_t n)
{
    for (size_t i = 0; i < NSYMBOLS; i++) {
        if (symbol_is(&symbols[i], p, n))
            return &symbols[i];
    }
    return NULL;
}

/* An atom (prefix + symbol) of n bytes at p; 1 if known. */
static int find_atom(const char *p, size_t n, const zu_symbol **sym, int *pdexp)
{
    if ((*sym = find_symbol(p, n)) != NULL) {
        *pdexp = 0;
        return 1;
    }
    for (size_t i = 0; i < NPREFIXES; i++) {
        size_t k = strlen(prefixes[i].text);
        if (k >= n || memcmp(p, prefixes[i].text, k) != 0)
            continue;
        const zu_symbol *s = find_symbol(p + k, n - k);
        if (s != NULL && strchr(s->prefixes, prefixes[i].key) != NULL) {
            *sym = s;
            *pdexp = prefixes[i].dexp;
            return 1;
        }
    }
    return 0;
}

/* Parse the power after an atom; 0 if there is none, -1 if malformed. */
static int parse_power(const char **ps, const char *end, int *e)
{
    const char *s = *ps;
    int neg = 0, d;
    size_t n;
    if (s < end && *s == '^') {
        s++;
        if (s < end && (*s == '+' || *s == '-'))
            neg = *s++ == '-';
        if (s >= end || !is_digit(*s))
            return -1;
        d = *s++ - '0';
    } else if (s + 1 < end && (*s == '+' || *s == '-') && is_digit(s[1])) {
        neg = *s == '-';
        d = s[1] - '0';
        s += 2;
    } else if (s < end && is_digit(*s)) {
        d = *s++ - '0';
    } else {
        if ((n = lit(s, end, U_SUPMINUS)) > 0) {
            neg = 1;
            s += n;
        }
        if ((n = sup_digit(s, end, &d)) == 0)
            return neg ? -1 : 0;
        s += n;
    }
    if (d == 0)
        return -1;
    *e = neg ? -d : d;
    *ps = s;
    return 1;
}

/* Parse the unit [p, end) (non-empty, trimmed).  On U_UNKNOWN, *bad and *badlen
 * name the unknown atom. */
static int parse_unit(const char *p, const char *end, zu_unit *u, const char **bad, size_t *badlen)
{
    memset(u, 0, sizeof *u);
    const char *s = p;
    int sign = 1, slash = 0, factors = 0, celsius_powered = 0;
    for (;;) {
        const char *a = s;
        size_t k;
        if (*s == '%') /* an atom of its own: "22%" */
            s++;
        else
            while ((k = letter_len(s, end)) > 0)
                s += k;
        size_t n = (size_t)(s - a);
        if (n == 0)
            return U_MALFORMED;
        const zu_symbol *sym;
        int pdexp;
        if (!find_atom(a, n, &sym, &pdexp)) {
            *bad = a;
            *badlen = n;
            return U_UNKNOWN;
        }
        int e = 1, has = parse_power(&s, end, &e);
        if (has < 0)
            return U_MALFORMED;
        if (++factors > ZU_MAX_FACTORS)
            return U_MALFORMED;
        if (sym->celsius) {
            u->celsius = 1;
            celsius_powered |= has;
        }
        e *= sign;
        for (int b = 0; b < NBASE; b++)
            u->dim[b] += e * sym->dim[b];
        u->dexp += e * (sym->dexp + pdexp);
        u->molar += e * sym->molar;

        /* separator */
        const char *t = skip_blanks(s, end);
        int blanks = t != s;
        s = t;
        if (s == end)
            break;
        if (*s == '/') {
            if (slash)
                return U_MALFORMED;
            slash = 1;
            sign = -1;
            s++;
        } else if ((k = mulop_len(s, end)) > 0) {
            s += k;
        } else if (!blanks) {
            return U_MALFORMED;
        }
        s = skip_blanks(s, end);
        if (s == end)
            return U_MALFORMED;
    }
    /* Celsius is affine: "°C" alone, never powered or in a product. */
    if (u->celsius && (factors > 1 || celsius_powered || slash))
        return U_MALFORMED;
    return U_OK;
}

/* The dimension whose vector is dim, or -1 (ZU_NUMBER is never returned). */
static int classify(const int dim[NBASE])
{
    for (int d = 1; d < ZU_NDIM; d++) {
        if (memcmp(dim, dim_vec[d], sizeof dim_vec[d]) == 0)
            return d;
    }
    return -1;
}

/* " (case matters: 'mS' is known)" when toggling the first ASCII letter's case
 * of an unknown atom gives a known one; "" otherwise. */
static const char *case_hint(char buf[ZU_QUOTE + 40], const char *a, size_t n)
{
    buf[0] = '\0';
    if (n == 0 || n >= ZU_QUOTE || !is_alpha(a[0]))
        return buf;
    char t[ZU_QUOTE];
    memcpy(t, a, n);
    t[0] = (char)(t[0] >= 'a' ? t[0] - 'a' + 'A' : t[0] - 'A' + 'a');
    const zu_symbol *sym;
    int pd;
    if (find_atom(t, n, &sym, &pd)) {
        char q[ZU_QUOTE];
        snprintf(buf, ZU_QUOTE + 40, " (case matters: '%s' is known)", quote(q, t, n));
    }
    return buf;
}

/* ------------------------------------------------------------------------- */
/* Numbers                                                                   */
/* ------------------------------------------------------------------------- */

/* strtod of a checked number text under a thread-local "C" locale.
 * Returns 0, or -1 if no locale object could be made.  Range errors show in
 * the value (inf, or 0 from non-zero digits), so errno is not needed. */
static int c_strtod(const char *text, double *v)
{
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (c == (locale_t)0)
        return -1;
    locale_t old = uselocale(c);
    char *end;
    *v = strtod(text, &end);
    int ok = *end == '\0';
    uselocale(old);
    freelocale(c);
    return ok ? 0 : -1;
}

/* "[-]<I>e<E>" in a new buffer (I may be empty: zero). */
static char *number_text(const char *I, size_t n, long E, int neg)
{
    char *t = malloc(n + 32);
    if (t == NULL)
        return NULL;
    snprintf(t, n + 32, "%s%s%se%ld", neg ? "-" : "", I, n == 0 ? "0" : "", E);
    return t;
}

/* Kelvin text of a Celsius temperature ±I × 10^E: the exact decimal sum with
 * 273.15 = 27315 × 10^-2, so that one strtod rounds the true value ("-40 C"
 * gives the double nearest 233.15, "-273.15 C" exactly 0).  *below is set when
 * the sum is negative.  Far outside ±1e30 the other term cannot change the
 * rounded result, so it is dropped instead of writing thousands of zeros. */
static char *celsius_text(const char *I, size_t n, long E, int neg, int *below)
{
    *below = 0;
    if (n == 0 || (long)n + E < -30) /* |x| < 1e-30 */
        return number_text("27315", 5, -2, 0);
    if ((long)n + E > 30) { /* |x| >= 1e30 */
        *below = neg;
        return number_text(I, n, E, 0);
    }
    long lo = E < -2 ? E : -2; /* both terms as integers × 10^lo */
    size_t na = n + (size_t)(E - lo), nb = 5 + (size_t)(-2 - lo);
    size_t w = (na > nb ? na : nb) + 1;
    char *a = calloc(3 * w + 32, 1);
    if (a == NULL)
        return NULL;
    char *b = a + w, *r = b + w; /* digit values, right-aligned, width w */
    for (size_t i = 0; i < n; i++)
        a[w - na + i] = (char)(I[i] - '0');
    for (size_t i = 0; i < 5; i++)
        b[w - nb + i] = (char)("27315"[i] - '0');
    const char *big = b, *small = a;
    if (neg) {
        int cmp = memcmp(a, b, w); /* same width: lexicographic = numeric */
        if (cmp > 0) {
            *below = 1;
            free(a);
            return number_text("0", 1, 0, 0);
        }
    }
    int carry = 0;
    for (size_t i = w; i-- > 0;) {
        int d = neg ? big[i] - small[i] - carry : big[i] + small[i] + carry;
        carry = neg ? d < 0 : d > 9;
        d += neg ? (d < 0 ? 10 : 0) : (d > 9 ? -10 : 0);
        r[i] = (char)('0' + d);
    }
    size_t k = 0;
    while (k + 1 < w && r[k] == '0')
        k++;
    char *t = number_text(r + k, w - k, lo, 0); /* r is NUL-terminated by calloc */
    free(a);
    return t;
}

/* Parse the quantity [p, end) — see the banner. */
static int parse_span(const char *p, const char *end, zu_dim dim, double *value, char *msg,
                      size_t msgsize)
{
    char q[ZU_QUOTE], qu[ZU_QUOTE];
    if ((unsigned)dim >= ZU_NDIM) {
        set_msg(msg, msgsize, "invalid dimension %d", (int)dim);
        return -1;
    }
    p = skip_blanks(p, end);
    end = trim_end(p, end);
    if (p == end) {
        set_msg(msg, msgsize, "empty value");
        return -1;
    }
    const size_t len = (size_t)(end - p);

    /* number */
    const char *s = p;
    int neg = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    const char *mant = s;
    int digits = 0, nonzero = 0;
    while (s < end && is_digit(*s)) {
        digits++;
        nonzero |= *s++ != '0';
    }
    if (s < end && *s == '.') {
        s++;
        while (s < end && is_digit(*s)) {
            digits++;
            nonzero |= *s++ != '0';
        }
    }
    const char *mant_end = s;
    if (digits == 0) {
        set_msg(msg, msgsize, "'%s' is not a number", quote(q, p, len));
        return -1;
    }
    long ex = 0;
    if (s < end && (*s == 'e' || *s == 'E')) {
        const char *t = s + 1;
        int eneg = 0;
        if (t < end && (*t == '+' || *t == '-'))
            eneg = *t++ == '-';
        if (t < end && is_digit(*t)) {
            while (t < end && is_digit(*t)) {
                if (ex < 1000000000L) /* saturate: far beyond any double */
                    ex = ex * 10 + (*t - '0');
                t++;
            }
            ex = eneg ? -ex : ex;
            s = t;
        }
    }

    /* unit */
    const char *u = skip_blanks(s, end);
    if (u < end && (is_digit(*u) || *u == '.' || *u == ',' || *u == '+' || *u == '-')) {
        const char *why = "";
        if (u == s && *u == ',' && u + 1 < end && is_digit(u[1]))
            why = " (the decimal point is '.')";
        set_msg(msg, msgsize, "'%s' is not a number%s", quote(q, p, len), why);
        return -1;
    }
    /* "1e", "1e+", "1E-x": an exponent marker without digits */
    if (u == s && u < end && (*u == 'e' || *u == 'E') &&
        (u + 1 == end || u[1] == '+' || u[1] == '-')) {
        set_msg(msg, msgsize, "'%s' is not a number", quote(q, p, len));
        return -1;
    }
    if (u == s && u < end && (*u == 'x' || *u == 'X') && mant_end - mant == 1 && *mant == '0') {
        set_msg(msg, msgsize, "'%s' is not a number (no hexadecimal)", quote(q, p, len));
        return -1;
    }
    zu_unit un;
    memset(&un, 0, sizeof un);
    if (u < end) {
        const size_t ulen = (size_t)(end - u);
        const char *bad = NULL;
        size_t badlen = 0;
        int rc = parse_unit(u, end, &un, &bad, &badlen);
        if (rc == U_OK) {
            int got = classify(un.dim);
            if (dim == ZU_NUMBER && got > 0) {
                set_msg(msg, msgsize, "unit '%s' is %s, not a plain number", quote(qu, u, ulen),
                        dim_a[got]);
                return -1;
            }
            if (got > 0 && got != (int)dim) {
                set_msg(msg, msgsize, "unit '%s' is %s, not %s", quote(qu, u, ulen), dim_a[got],
                        dim_a[dim]);
                return -1;
            }
            if (got < 0) {
                if (dim == ZU_NUMBER)
                    set_msg(msg, msgsize, "unexpected unit '%s': a plain number takes no unit",
                            quote(qu, u, ulen));
                else
                    set_msg(msg, msgsize, "unit '%s' is not %s; accepted: %s", quote(qu, u, ulen),
                            dim_a[dim], accepted[dim]);
                return -1;
            }
        } else if (dim == ZU_NUMBER) {
            set_msg(msg, msgsize, "unexpected unit '%s': a plain number takes no unit",
                    quote(qu, u, ulen));
            return -1;
        } else if (rc == U_UNKNOWN) {
            char hint[ZU_QUOTE + 40];
            set_msg(msg, msgsize, "unknown unit '%s' for %s%s; accepted: %s", quote(qu, u, ulen),
                    dim_a[dim], case_hint(hint, bad, badlen), accepted[dim]);
            return -1;
        } else {
            set_msg(msg, msgsize, "malformed unit '%s' for %s; accepted: %s", quote(qu, u, ulen),
                    dim_a[dim], accepted[dim]);
            return -1;
        }
    }

    /* Integer digits I (no point, no leading zeros) and exponent E with
     * |number| = I × 10^E, the unit's decimal exponent included. */
    size_t mlen = (size_t)(mant_end - mant);
    char *idig = malloc(mlen + 1);
    if (idig == NULL) {
        set_msg(msg, msgsize, "out of memory");
        return -1;
    }
    size_t nd = 0;
    long frac = 0;
    for (const char *t = mant; t < mant_end; t++) {
        if (*t == '.') {
            frac = (long)(mant_end - t - 1);
            continue;
        }
        if (nd > 0 || *t != '0')
            idig[nd++] = *t;
    }
    idig[nd] = '\0';
    long E = ex + (long)un.dexp - frac;
    if (dim == ZU_TEMPERATURE && neg && nd > 0 && !un.celsius) {
        free(idig);
        set_msg(msg, msgsize, "'%s' is below absolute zero", quote(q, p, len));
        return -1;
    }
    int below = 0;
    char *text =
        un.celsius ? celsius_text(idig, nd, E, neg, &below) : number_text(idig, nd, E, neg);
    free(idig);
    if (text == NULL) {
        set_msg(msg, msgsize, "out of memory");
        return -1;
    }
    if (below) {
        free(text);
        set_msg(msg, msgsize, "'%s' is below absolute zero", quote(q, p, len));
        return -1;
    }
    double v;
    int rc = c_strtod(text, &v);
    free(text);
    if (rc != 0) {
        set_msg(msg, msgsize, "cannot convert '%s' (no C locale)", quote(q, p, len));
        return -1;
    }
    for (int i = 0; i < un.molar; i++)
        v /= ZU_KJMOL_PER_EV;
    for (int i = 0; i > un.molar; i--)
        v *= ZU_KJMOL_PER_EV;
    /* overflow, or a non-zero number that underflowed to zero */
    if (!isfinite(v) || (v == 0.0 && nonzero && !un.celsius)) {
        set_msg(msg, msgsize, "'%s' is out of range", quote(q, p, len));
        return -1;
    }
    *value = v + 0.0; /* no -0 */
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Public functions                                                          */
/* ------------------------------------------------------------------------- */

const char *zu_dim_name(zu_dim dim)
{
    return (unsigned)dim < ZU_NDIM ? dim_names[dim] : "unknown dimension";
}

int zu_parse(const char *text, zu_dim dim, double *value, char *msg, size_t msgsize)
{
    if (text == NULL)
        text = "";
    return parse_span(text, text + strlen(text), dim, value, msg, msgsize);
}

/* Does [p, end) hold a blank followed by something that starts a number? */
static int has_inner_number(const char *p, const char *end)
{
    for (const char *s = p; s < end;) {
        size_t b = blank_len(s, end);
        if (b == 0) {
            s++;
            continue;
        }
        s = skip_blanks(s, end);
        if (s < end && (is_digit(*s) || *s == '+' || *s == '-' || *s == '.'))
            return 1;
    }
    return 0;
}

/* Parse item number idx ([p, end)) into values[*count]. */
static int list_item(const char *p, const char *end, int idx, int comma_mode, zu_dim dim,
                     double *values, int max, int *count, char *msg, size_t msgsize)
{
    if (*count >= max) {
        set_msg(msg, msgsize, "item %d: too many values (at most %d)", idx, max);
        return -1;
    }
    char inner[512];
    double v;
    if (parse_span(p, end, dim, &v, inner, sizeof inner) != 0) {
        const char *hint = "";
        const char *a = skip_blanks(p, end);
        if (comma_mode && has_inner_number(a, trim_end(a, end)))
            hint = " (a list with commas needs a comma between every two values)";
        set_msg(msg, msgsize, "item %d: %s%s", idx, inner, hint);
        return -1;
    }
    values[(*count)++] = v;
    return 0;
}

int zu_parse_list(const char *text, zu_dim dim, double *values, int max, int *n, char *msg,
                  size_t msgsize)
{
    int count = 0;
    if (n != NULL)
        *n = 0;
    if (text == NULL)
        text = "";
    const char *end = text + strlen(text);
    const char *p = skip_blanks(text, end);
    if (p == trim_end(p, end)) {
        set_msg(msg, msgsize, "empty list");
        return -1;
    }
    if (strchr(text, ',') != NULL) {
        int idx = 1;
        for (const char *s = text;; idx++) {
            const char *c = memchr(s, ',', (size_t)(end - s));
            const char *e = c != NULL ? c : end;
            if (list_item(s, e, idx, 1, dim, values, max, &count, msg, msgsize) != 0)
                return -1;
            if (c == NULL)
                break;
            s = c + 1;
        }
    } else {
        int idx = 0;
        const char *s = p;
        while (s < end) {
            /* an item: a token, then every following token that does not
             * start like a number */
            const char *a = s;
            for (;;) {
                while (s < end && blank_len(s, end) == 0)
                    s++;
                const char *t = skip_blanks(s, end);
                if (t >= end || is_digit(*t) || *t == '+' || *t == '-' || *t == '.')
                    break;
                s = t;
            }
            if (list_item(a, s, ++idx, 0, dim, values, max, &count, msg, msgsize) != 0)
                return -1;
            s = skip_blanks(s, end);
        }
    }
    if (n != NULL)
        *n = count;
    return 0;
}
