/*
 * an_circuit.c — equivalent circuits: impedance.py's string syntax, evaluation
 * and complex non-linear least-squares fitting with GSL.
 *
 * Data structure.  A circuit is a tree of nodes in one array: series nodes,
 * parallel nodes (p(...)) and elements.  Children of a node are a contiguous
 * slice of `kid`.  Parameters are numbered in the order their elements appear
 * in the string, so "R0-p(R1,CPE1)" has R0, R1, CPE1_0, CPE1_1.
 *
 * Grammar (spaces are removed first; positions in messages are those of the
 * caller's text):
 *   series  := term ('-' term)*
 *   term    := element | 'p(' series (',' series)+ ')'
 *   element := TYPE ID     TYPE ∈ {CPE, Wo, Ws, W, R, C, L, G, K}, longest first;
 *                          ID := [0-9][A-Za-z0-9_]*
 * The parser is recursive descent with depth bounded by ZS_MAX_DEPTH, so a
 * hostile string cannot exhaust the stack.
 *
 * Fitting.  The unknowns are u = log p (every parameter is positive) and
 * u = logit α for CPE exponents, so the solver never leaves the physical
 * domain and needs no bounds.  Residuals r = w·(Z_model − Z_data), real and
 * imaginary parts stacked (2n values).  GSL's trust-region solver with the
 * Levenberg–Marquardt step does the work; its Jacobian is GSL's forward
 * difference.  Covariance: for weights that are the inverse standard
 * deviations up to one common factor, cov(u) = (JᵀJ)⁻¹·chi2/dof estimates that
 * factor from the residuals (the usual "scaled" covariance); the natural
 * parameters' errors follow by the delta method, σ_p = |dp/du|·σ_u.
 */
#include "an_internal.h"

#include <complex.h>
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>

#define ZS_MAX_TEXT 1024
#define ZS_MAX_NODES 256
#define ZS_MAX_PARAMS 128
#define ZS_MAX_DEPTH 32

enum { ZS_SERIES, ZS_PARALLEL, ZS_ELEM };
enum { ZS_T_CPE, ZS_T_WO, ZS_T_WS, ZS_T_W, ZS_T_R, ZS_T_C, ZS_T_L, ZS_T_G, ZS_T_K, ZS_T_N };

static const struct {
    const char *tag;
    int np;
    const char *unit[2];
} types[ZS_T_N] = {
    {"CPE", 2, {"F s^(a-1)", ""}}, {"Wo", 2, {"Ohm", "s"}}, {"Ws", 2, {"Ohm", "s"}},
    {"W", 1, {"Ohm s^-1/2", NULL}}, {"R", 1, {"Ohm", NULL}}, {"C", 1, {"F", NULL}},
    {"L", 1, {"H", NULL}},         {"G", 2, {"Ohm", "s"}},  {"K", 2, {"Ohm", "s"}},
};

typedef struct zs_cnode {
    int kind;
    int type;        /* element type (ZS_ELEM) */
    int param;       /* first parameter (ZS_ELEM) */
    int kid0, nkid;  /* children: kid[kid0 .. kid0 + nkid) */
    int start, end;  /* span in the stripped text */
    int unit;        /* relaxation unit for the initial guess, -1 none */
} zs_cnode;

struct zstr_circuit {
    char text[ZS_MAX_TEXT];
    int nnode, root;
    zs_cnode node[ZS_MAX_NODES];
    int kid[ZS_MAX_NODES];
    int nkid;
    int np;
    char pname[ZS_MAX_PARAMS][48];
    const char *punit[ZS_MAX_PARAMS];
    int plogit[ZS_MAX_PARAMS]; /* 1: CPE exponent (logit transform) */
    int nunit;                 /* relaxation units for the initial guess */
    int nrelax;
    int relax[ZS_MAX_NODES]; /* nodes that are relaxations */
};

/* ------------------------------------------------------------------------- */
/* Parser                                                                    */
/* ------------------------------------------------------------------------- */

typedef struct zs_cparse {
    zstr_circuit *c;
    const char *orig;
    int col[ZS_MAX_TEXT]; /* 1-based column in orig of each stripped char */
    int n, pos, depth;
    zstr_error *err;
} zs_cparse;

static int cp_fail(zs_cparse *p, int at, const char *what)
{
    int column = at < p->n ? p->col[at] : (p->n > 0 ? p->col[p->n - 1] + 1 : 1);
    if (p->err != NULL) {
        zs_error(p->err, ZSTR_EINVAL, "circuit '%.200s', position %d: %s", p->orig, column,
                 what);
        p->err->column = column;
    }
    return ZSTR_EINVAL;
}

static int new_node(zs_cparse *p, int kind, int start)
{
    zstr_circuit *c = p->c;
    if (c->nnode == ZS_MAX_NODES)
        return cp_fail(p, start, "too many elements"), -1;
    zs_cnode *nd = &c->node[c->nnode];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->start = start;
    nd->unit = -1;
    return c->nnode++;
}

static int parse_series(zs_cparse *p);

static int parse_element(zs_cparse *p)
{
    zstr_circuit *c = p->c;
    const char *t = c->text;
    int start = p->pos, type = -1;
    for (int k = 0; k < ZS_T_N; k++) {
        size_t len = strlen(types[k].tag);
        if (strncmp(t + start, types[k].tag, len) == 0) {
            type = k;
            break;
        }
    }
    if (type < 0) {
        char what[160];
        if (t[start] == '\0')
            snprintf(what, sizeof what, "expected an element, found the end");
        else
            snprintf(what, sizeof what,
                     "expected an element (R, C, L, CPE, W, Wo, Ws, G, K or p(...)), found "
                     "'%c'",
                     t[start]);
        return cp_fail(p, start, what), -1;
    }
    int q = start + (int)strlen(types[type].tag);
    if (!isdigit((unsigned char)t[q])) {
        char what[160];
        snprintf(what, sizeof what, "element %s needs an identifier starting with a digit "
                                    "(e.g. %s1)",
                 types[type].tag, types[type].tag);
        return cp_fail(p, q, what), -1;
    }
    while (isalnum((unsigned char)t[q]) || t[q] == '_')
        q++;
    if (q - start > 40)
        return cp_fail(p, start, "element name longer than 40 characters"), -1;
    /* a repeated name would make two parameters of one name */
    for (int k = 0; k < c->nnode; k++) {
        const zs_cnode *o = &c->node[k];
        if (o->kind == ZS_ELEM && o->end - o->start == q - start &&
            strncmp(t + o->start, t + start, (size_t)(q - start)) == 0) {
            char what[160];
            snprintf(what, sizeof what, "element name '%.*s' is used twice", q - start,
                     t + start);
            return cp_fail(p, start, what), -1;
        }
    }
    if (c->np + types[type].np > ZS_MAX_PARAMS)
        return cp_fail(p, start, "too many parameters"), -1;
    int id = new_node(p, ZS_ELEM, start);
    if (id < 0)
        return -1;
    zs_cnode *nd = &c->node[id];
    nd->type = type;
    nd->param = c->np;
    nd->end = q;
    char name[41];
    snprintf(name, sizeof name, "%.*s", q - start, t + start);
    for (int k = 0; k < types[type].np; k++) {
        if (types[type].np == 1)
            snprintf(c->pname[c->np], sizeof c->pname[0], "%s", name);
        else
            snprintf(c->pname[c->np], sizeof c->pname[0], "%s_%c", name, (char)('0' + k));
        c->punit[c->np] = types[type].unit[k];
        c->plogit[c->np] = type == ZS_T_CPE && k == 1;
        c->np++;
    }
    p->pos = q;
    return id;
}

/* Append the children collected in list to the circuit's kid array. */
static int attach(zs_cparse *p, int id, const int *list, int n)
{
    zstr_circuit *c = p->c;
    if (c->nkid + n > ZS_MAX_NODES)
        return cp_fail(p, p->pos, "too many elements"), -1;
    c->node[id].kid0 = c->nkid;
    c->node[id].nkid = n;
    memcpy(c->kid + c->nkid, list, (size_t)n * sizeof *list);
    c->nkid += n;
    return id;
}

static int parse_term(zs_cparse *p)
{
    zstr_circuit *c = p->c;
    const char *t = c->text;
    if (t[p->pos] != 'p' || t[p->pos + 1] != '(')
        return parse_element(p);
    int start = p->pos;
    if (++p->depth > ZS_MAX_DEPTH)
        return cp_fail(p, start, "parallel groups nested too deeply"), -1;
    p->pos += 2;
    int list[ZS_MAX_NODES], n = 0;
    for (;;) {
        int k = parse_series(p);
        if (k < 0)
            return -1;
        list[n++] = k;
        if (t[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (t[p->pos] == ')')
            break;
        return cp_fail(p, p->pos,
                       t[p->pos] == '\0' ? "p( is not closed: expected ',' or ')'"
                                         : "expected ',' or ')'"),
               -1;
    }
    if (n < 2)
        return cp_fail(p, start, "p(...) needs at least two branches"), -1;
    p->pos++;
    p->depth--;
    int id = new_node(p, ZS_PARALLEL, start);
    if (id < 0)
        return -1;
    c->node[id].end = p->pos;
    return attach(p, id, list, n);
}

static int parse_series(zs_cparse *p)
{
    int start = p->pos, list[ZS_MAX_NODES], n = 0;
    for (;;) {
        if (n == ZS_MAX_NODES)
            return cp_fail(p, p->pos, "too many elements"), -1;
        int k = parse_term(p);
        if (k < 0)
            return -1;
        list[n++] = k;
        if (p->c->text[p->pos] != '-')
            break;
        p->pos++;
    }
    if (n == 1)
        return list[0];
    int id = new_node(p, ZS_SERIES, start);
    if (id < 0)
        return -1;
    p->c->node[id].end = p->pos;
    return attach(p, id, list, n);
}

/* Relaxations (p(R,C), p(R,CPE), K) and the units of the initial guess
 * (every parallel group that is not inside another, and K, G, Wo, Ws
 * elements outside groups). */
static void mark_units(zstr_circuit *c, int id, int unit)
{
    zs_cnode *nd = &c->node[id];
    if (nd->kind == ZS_PARALLEL && unit < 0)
        unit = c->nunit++;
    if (nd->kind == ZS_ELEM && unit < 0 &&
        (nd->type == ZS_T_K || nd->type == ZS_T_G || nd->type == ZS_T_WO ||
         nd->type == ZS_T_WS))
        unit = c->nunit++;
    nd->unit = unit;
    if (nd->kind == ZS_ELEM && nd->type == ZS_T_K)
        c->relax[c->nrelax++] = id;
    if (nd->kind == ZS_PARALLEL && nd->nkid == 2) {
        const zs_cnode *a = &c->node[c->kid[nd->kid0]], *b = &c->node[c->kid[nd->kid0 + 1]];
        if (a->kind == ZS_ELEM && b->kind == ZS_ELEM) {
            int ta = a->type, tb = b->type;
            if ((ta == ZS_T_R && (tb == ZS_T_C || tb == ZS_T_CPE)) ||
                (tb == ZS_T_R && (ta == ZS_T_C || ta == ZS_T_CPE)))
                c->relax[c->nrelax++] = id;
        }
    }
    for (int k = 0; k < nd->nkid; k++)
        mark_units(c, c->kid[nd->kid0 + k], unit);
}

int zstr_circuit_parse(const char *text, zstr_circuit **out, zstr_error *err)
{
    zs_error_clear(err);
    if (out != NULL)
        *out = NULL;
    if (text == NULL || out == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_circuit_parse: NULL argument");
    zs_cparse *p = calloc(1, sizeof *p);
    zstr_circuit *c = calloc(1, sizeof *c);
    if (p == NULL || c == NULL) {
        free(p);
        free(c);
        return zs_error(err, ZSTR_ENOMEM, "zstr_circuit_parse: out of memory");
    }
    p->c = c;
    p->orig = text;
    p->err = err;
    int rc = ZSTR_OK;
    for (int k = 0; text[k] != '\0'; k++) {
        if (isspace((unsigned char)text[k]))
            continue;
        if (p->n == ZS_MAX_TEXT - 1) {
            rc = zs_error(err, ZSTR_EINVAL, "circuit: longer than %d characters",
                          ZS_MAX_TEXT - 1);
            break;
        }
        p->col[p->n] = k + 1;
        c->text[p->n++] = text[k];
    }
    if (rc == ZSTR_OK) {
        c->text[p->n] = '\0';
        c->root = parse_series(p);
        if (c->root < 0)
            rc = ZSTR_EINVAL;
        else if (c->text[p->pos] != '\0')
            rc = cp_fail(p, p->pos,
                         c->text[p->pos] == ')' ? "')' without a matching 'p('"
                                                : "unexpected text after the circuit");
    }
    if (rc == ZSTR_OK)
        mark_units(c, c->root, -1);
    free(p);
    if (rc != ZSTR_OK) {
        free(c);
        return rc;
    }
    *out = c;
    return ZSTR_OK;
}

void zstr_circuit_free(zstr_circuit *c) { free(c); }
const char *zstr_circuit_string(const zstr_circuit *c) { return c ? c->text : NULL; }
int zstr_circuit_param_count(const zstr_circuit *c) { return c ? c->np : 0; }

const char *zstr_circuit_param_name(const zstr_circuit *c, int k)
{
    return c && k >= 0 && k < c->np ? c->pname[k] : NULL;
}

const char *zstr_circuit_param_unit(const zstr_circuit *c, int k)
{
    return c && k >= 0 && k < c->np ? c->punit[k] : NULL;
}

int zstr_circuit_param_index(const zstr_circuit *c, const char *name)
{
    if (c == NULL || name == NULL)
        return -1;
    for (int k = 0; k < c->np; k++) {
        if (strcmp(c->pname[k], name) == 0)
            return k;
    }
    return -1;
}

/* ------------------------------------------------------------------------- */
/* Evaluation                                                                */
/* ------------------------------------------------------------------------- */

/* coth and tanh of x with Re x >= 0, through e^(−2x): no overflow. */
static double complex ctanh_pos(double complex x)
{
    double complex e = cexp(-2.0 * x);
    return (1.0 - e) / (1.0 + e);
}

static double complex elem_z(int type, const double *q, double w)
{
    switch (type) {
    case ZS_T_R:
        return q[0];
    case ZS_T_C:
        return 1.0 / (I * w * q[0]);
    case ZS_T_L:
        return I * w * q[0];
    case ZS_T_CPE: {
        double a = q[1];
        double complex jwa = pow(w, a) * (cos(a * ZS_PI / 2) + I * sin(a * ZS_PI / 2));
        return 1.0 / (q[0] * jwa);
    }
    case ZS_T_W:
        return q[0] * (1.0 - I) / sqrt(w);
    case ZS_T_WO: {
        double complex x = csqrt(I * w * q[1]);
        return q[0] / (ctanh_pos(x) * x);
    }
    case ZS_T_WS: {
        double complex x = csqrt(I * w * q[1]);
        return q[0] * ctanh_pos(x) / x;
    }
    case ZS_T_G:
        return q[0] / csqrt(1.0 + I * w * q[1]);
    default: /* ZS_T_K */
        return q[0] / (1.0 + I * w * q[1]);
    }
}

static double complex node_z(const zstr_circuit *c, int id, const double *p, double w)
{
    const zs_cnode *nd = &c->node[id];
    if (nd->kind == ZS_ELEM)
        return elem_z(nd->type, p + nd->param, w);
    if (nd->kind == ZS_SERIES) {
        double complex z = 0.0;
        for (int k = 0; k < nd->nkid; k++)
            z += node_z(c, c->kid[nd->kid0 + k], p, w);
        return z;
    }
    double complex y = 0.0;
    for (int k = 0; k < nd->nkid; k++) {
        double complex z = node_z(c, c->kid[nd->kid0 + k], p, w);
        if (z == 0.0)
            return 0.0; /* a short in parallel shorts the group */
        y += 1.0 / z;
    }
    return 1.0 / y;
}

int zstr_circuit_eval(const zstr_circuit *c, const double *params, int64_t n, const double *f,
                      double *z, zstr_error *err)
{
    if (c == NULL || params == NULL || n < 0 || (n > 0 && (f == NULL || z == NULL)))
        return zs_error(err, ZSTR_EINVAL, "zstr_circuit_eval: NULL argument or n < 0");
    for (int64_t k = 0; k < n; k++) {
        double complex zk = node_z(c, c->root, params, 2 * ZS_PI * f[k]);
        if (!isfinite(creal(zk)) || !isfinite(cimag(zk)))
            return zs_error(err, ZSTR_EINVAL,
                            "zstr_circuit_eval: %s is not finite at f = %g Hz", c->text, f[k]);
        z[2 * k] = creal(zk);
        z[2 * k + 1] = cimag(zk);
    }
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* Relaxations                                                               */
/* ------------------------------------------------------------------------- */

int zstr_circuit_relaxation_count(const zstr_circuit *c) { return c ? c->nrelax : 0; }

int zstr_circuit_relaxation(const zstr_circuit *c, int k, const double *params,
                            zstr_relaxation *out, zstr_error *err)
{
    if (c == NULL || params == NULL || out == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_circuit_relaxation: NULL argument");
    int rc = zs_check_size(out->size, ZS_SIZE_UPTO(zstr_relaxation, capacitance), sizeof *out,
                           "zstr_relaxation", err);
    if (rc != ZSTR_OK)
        return rc;
    if (k < 0 || k >= c->nrelax)
        return zs_error(err, ZSTR_ERANGE, "zstr_circuit_relaxation: %d of %d", k, c->nrelax);
    const zs_cnode *nd = &c->node[c->relax[k]];
    snprintf(out->element, sizeof out->element, "%.*s", nd->end - nd->start,
             c->text + nd->start);
    if (nd->kind == ZS_ELEM) { /* K: R, τ */
        out->resistance = params[nd->param];
        out->tau = params[nd->param + 1];
        out->capacitance = out->tau / out->resistance;
        return ZSTR_OK;
    }
    const zs_cnode *a = &c->node[c->kid[nd->kid0]], *b = &c->node[c->kid[nd->kid0 + 1]];
    if (a->type != ZS_T_R) {
        const zs_cnode *t = a;
        a = b;
        b = t;
    }
    double r = params[a->param];
    out->resistance = r;
    if (b->type == ZS_T_C) {
        out->capacitance = params[b->param];
    } else { /* Brug: C = Q^(1/α) R^((1−α)/α) */
        double q = params[b->param], al = params[b->param + 1];
        out->capacitance = pow(q, 1.0 / al) * pow(r, (1.0 - al) / al);
    }
    out->tau = r * out->capacitance;
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* Initial guesses                                                           */
/* ------------------------------------------------------------------------- */

typedef struct zs_guess {
    double w_lo, w_hi;       /* angular frequency range */
    double complex z_lo, z_hi; /* Z at the lowest and highest frequency */
    double r_hf, dr;         /* high-frequency intercept, arc width */
    int n_series_r;          /* resistors outside every unit */
} zs_guess;

/* Unit angular frequencies and resistances: from the peaks of −Z'' (when
 * `spread` is 0 and there are enough), else spread evenly in log ω. */
static void unit_guess(const zstr_circuit *c, const zstr_spectrum *s, const zs_guess *g,
                       int spread, double *wu, double *ru)
{
    int U = c->nunit;
    for (int u = 0; u < U; u++) {
        wu[u] = g->w_hi * pow(g->w_lo / g->w_hi, (u + 0.5) / U);
        ru[u] = g->dr / U;
    }
    if (spread || U == 0)
        return;
    /* local maxima of −Z'' in order of decreasing frequency */
    int64_t n = s->n;
    int64_t *ord = zs_malloc_array((size_t)n, sizeof *ord);
    if (ord == NULL)
        return;
    for (int64_t k = 0; k < n; k++)
        ord[k] = k;
    for (int64_t i = 1; i < n; i++) { /* insertion sort by f, descending */
        int64_t v = ord[i], j = i;
        while (j > 0 && s->f[ord[j - 1]] < s->f[v]) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = v;
    }
    int found = 0;
    double pw[ZS_MAX_NODES], ph[ZS_MAX_NODES];
    for (int64_t i = 1; i + 1 < n && found < ZS_MAX_NODES; i++) {
        double m = -s->z[2 * ord[i] + 1];
        if (m > 0 && m > -s->z[2 * ord[i - 1] + 1] && m >= -s->z[2 * ord[i + 1] + 1]) {
            pw[found] = 2 * ZS_PI * s->f[ord[i]];
            ph[found] = m;
            found++;
        }
    }
    free(ord);
    if (found < U)
        return;
    /* keep the U highest peaks, in order of decreasing frequency */
    while (found > U) {
        int lo = 0;
        for (int k = 1; k < found; k++)
            lo = ph[k] < ph[lo] ? k : lo;
        memmove(pw + lo, pw + lo + 1, (size_t)(found - lo - 1) * sizeof *pw);
        memmove(ph + lo, ph + lo + 1, (size_t)(found - lo - 1) * sizeof *ph);
        found--;
    }
    for (int u = 0; u < U; u++) {
        wu[u] = pw[u];
        double r = 2.0 * ph[u]; /* an RC arc peaks at −Z'' = R/2 */
        ru[u] = fmin(fmax(r, g->dr / (10.0 * U)), fmax(g->dr, r));
    }
}

static void estimate(const zstr_circuit *c, const zstr_spectrum *s, int spread, double *p0)
{
    zs_guess g;
    int64_t klo = 0, khi = 0;
    double remin = INFINITY, remax = -INFINITY, zmax = 0.0;
    for (int64_t k = 0; k < s->n; k++) {
        klo = s->f[k] < s->f[klo] ? k : klo;
        khi = s->f[k] > s->f[khi] ? k : khi;
        remin = fmin(remin, s->z[2 * k]);
        remax = fmax(remax, s->z[2 * k]);
        zmax = fmax(zmax, hypot(s->z[2 * k], s->z[2 * k + 1]));
    }
    if (zmax <= 0.0)
        zmax = 1.0;
    g.w_lo = 2 * ZS_PI * s->f[klo];
    g.w_hi = 2 * ZS_PI * s->f[khi];
    if (g.w_hi <= g.w_lo)
        g.w_hi = 10.0 * g.w_lo;
    g.z_lo = s->z[2 * klo] + I * s->z[2 * klo + 1];
    g.z_hi = s->z[2 * khi] + I * s->z[2 * khi + 1];
    g.r_hf = remin > 1e-6 * zmax ? remin : 1e-3 * zmax;
    g.dr = remax - remin > 1e-6 * zmax ? remax - remin : zmax;
    g.n_series_r = 0;
    for (int k = 0; k < c->nnode; k++)
        g.n_series_r += c->node[k].kind == ZS_ELEM && c->node[k].type == ZS_T_R &&
                        c->node[k].unit < 0;
    double wu[ZS_MAX_NODES], ru[ZS_MAX_NODES];
    unit_guess(c, s, &g, spread, wu, ru);
    for (int k = 0; k < c->nnode; k++) {
        const zs_cnode *nd = &c->node[k];
        if (nd->kind != ZS_ELEM)
            continue;
        double *q = p0 + nd->param;
        int u = nd->unit;
        double w = u >= 0 ? wu[u] : g.w_lo, r = u >= 0 ? ru[u] : g.dr;
        switch (nd->type) {
        case ZS_T_R:
            q[0] = u >= 0 ? r : g.r_hf / (g.n_series_r > 0 ? g.n_series_r : 1);
            break;
        case ZS_T_C:
            q[0] = u >= 0 ? 1.0 / (w * r)
                          : 1.0 / (g.w_lo * fmax(-cimag(g.z_lo), 1e-3 * cabs(g.z_lo)));
            break;
        case ZS_T_CPE:
            q[1] = 0.9;
            q[0] = u >= 0 ? 1.0 / (pow(w, 0.9) * r) : 1.0 / (pow(g.w_lo, 0.9) * cabs(g.z_lo));
            break;
        case ZS_T_L:
            q[0] = fmax(cimag(g.z_hi), 1e-6 * cabs(g.z_hi)) / g.w_hi;
            break;
        case ZS_T_W:
            q[0] = 0.1 * cabs(g.z_lo) * sqrt(g.w_lo);
            break;
        default: /* Wo, Ws, G, K: a resistance and a time */
            q[0] = r;
            q[1] = 1.0 / w;
            break;
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Fit                                                                       */
/* ------------------------------------------------------------------------- */

typedef struct zs_fitctx {
    const zstr_circuit *c;
    const zstr_spectrum *s;
    const double *wre, *wim; /* weights of the real and imaginary residuals */
    double *p;               /* scratch natural parameters */
} zs_fitctx;

static void u_to_p(const zstr_circuit *c, const double *u, double *p)
{
    for (int k = 0; k < c->np; k++) {
        double x = fmin(fmax(u[k], -700.0), 700.0);
        p[k] = c->plogit[k] ? 1.0 / (1.0 + exp(-x)) : exp(x);
    }
}

static double p_to_u(const zstr_circuit *c, int k, double p)
{
    return c->plogit[k] ? log(p / (1.0 - p)) : log(p);
}

static int residuals(const gsl_vector *x, void *data, gsl_vector *fv)
{
    zs_fitctx *t = data;
    const zstr_spectrum *s = t->s;
    u_to_p(t->c, x->data, t->p);
    for (int64_t k = 0; k < s->n; k++) {
        double complex z = node_z(t->c, t->c->root, t->p, 2 * ZS_PI * s->f[k]);
        double re = (creal(z) - s->z[2 * k]) * t->wre[k];
        double im = (cimag(z) - s->z[2 * k + 1]) * t->wim[k];
        if (!isfinite(re) || !isfinite(im))
            return GSL_EDOM;
        gsl_vector_set(fv, (size_t)(2 * k), re);
        gsl_vector_set(fv, (size_t)(2 * k + 1), im);
    }
    return GSL_SUCCESS;
}

void zstr_fit_options_default(zstr_fit_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->weighting = ZSTR_WEIGHT_MODULUS;
    o->initial = NULL;
    o->max_iterations = 500;
    o->xtol = 1e-10;
}

void zstr_fit_info_init(zstr_fit_info *info)
{
    if (info != NULL) {
        memset(info, 0, sizeof *info);
        info->size = sizeof *info;
    }
}

static int make_weights(const zstr_spectrum *s, int weighting, double *wre, double *wim,
                        zstr_error *err)
{
    for (int64_t k = 0; k < s->n; k++) {
        double re = s->z[2 * k], im = s->z[2 * k + 1], m = hypot(re, im);
        if (weighting == ZSTR_WEIGHT_UNIT) {
            wre[k] = wim[k] = 1.0;
            continue;
        }
        if (m == 0.0)
            return zs_error(err, ZSTR_EINVAL,
                            "zstr_circuit_fit: |Z| = 0 at f = %g Hz: weighting by the data "
                            "divides by zero; use unit weighting",
                            s->f[k]);
        if (weighting == ZSTR_WEIGHT_MODULUS) {
            wre[k] = wim[k] = 1.0 / m;
        } else { /* proportional; a part near zero is weighted as 1e-6·|Z| */
            wre[k] = 1.0 / fmax(fabs(re), 1e-6 * m);
            wim[k] = 1.0 / fmax(fabs(im), 1e-6 * m);
        }
    }
    return ZSTR_OK;
}

/* One trust-region run from u (overwritten with the result). */
static int run_lm(gsl_multifit_nlinear_workspace *w, gsl_multifit_nlinear_fdf *fdf,
                  const zstr_fit_options *o, double *u, int np, double *chi2, int *iters,
                  int *converged)
{
    gsl_vector_view x = gsl_vector_view_array(u, (size_t)np);
    int st = gsl_multifit_nlinear_init(&x.vector, fdf, w);
    if (st != GSL_SUCCESS)
        return st;
    int info = 0;
    st = gsl_multifit_nlinear_driver((size_t)o->max_iterations, o->xtol, 1e-12, 1e-14, NULL,
                                     NULL, &info, w);
    const gsl_vector *xs = gsl_multifit_nlinear_position(w);
    memcpy(u, xs->data, (size_t)np * sizeof *u);
    gsl_blas_ddot(gsl_multifit_nlinear_residual(w), gsl_multifit_nlinear_residual(w), chi2);
    *iters = (int)gsl_multifit_nlinear_niter(w);
    *converged = st == GSL_SUCCESS;
    /* the iteration limit (GSL_EMAXITER) and no progress (GSL_ENOPROG) still
     * leave a usable point; only failures of evaluation count */
    return st == GSL_SUCCESS || st == GSL_EMAXITER || st == GSL_ENOPROG ? GSL_SUCCESS : st;
}

static int fit_checks(const zstr_circuit *c, const zstr_spectrum *s, const zstr_fit_options *o,
                      zstr_error *err)
{
    if (2 * s->n <= c->np)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_circuit_fit: %lld points give %lld values for %d parameters; "
                        "need more values than parameters",
                        (long long)s->n, (long long)(2 * s->n), c->np);
    if (o->weighting < 0 || o->weighting > ZSTR_WEIGHT_UNIT || o->max_iterations < 1 ||
        !(o->xtol > 0.0))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_fit_options: weighting %d, max_iterations %d or xtol %g invalid",
                        o->weighting, o->max_iterations, o->xtol);
    for (int k = 0; o->initial != NULL && k < c->np; k++) {
        double v = o->initial[k];
        if (isnan(v))
            continue;
        if (!isfinite(v) || v <= 0.0 || (c->plogit[k] && v >= 1.0))
            return zs_error(err, ZSTR_EINVAL,
                            "zstr_circuit_fit: initial %s = %g; must be > 0%s", c->pname[k], v,
                            c->plogit[k] ? " and < 1" : "");
    }
    return ZSTR_OK;
}

/* Standard errors at u from the Jacobian of the last init. */
static void std_errors(const zstr_circuit *c, gsl_multifit_nlinear_workspace *w,
                       const double *p, double chi2, int64_t dof, double *std_err)
{
    gsl_matrix *cov = gsl_matrix_alloc((size_t)c->np, (size_t)c->np);
    if (cov == NULL) {
        for (int k = 0; k < c->np; k++)
            std_err[k] = NAN;
        return;
    }
    gsl_matrix *J = gsl_multifit_nlinear_jac(w);
    int st = gsl_multifit_nlinear_covar(J, 0.0, cov);
    for (int k = 0; k < c->np; k++) {
        double v = gsl_matrix_get(cov, (size_t)k, (size_t)k) * chi2 / (double)dof;
        double d = c->plogit[k] ? p[k] * (1.0 - p[k]) : p[k];
        std_err[k] = st == GSL_SUCCESS && isfinite(v) && v > 0.0 ? fabs(d) * sqrt(v) : NAN;
    }
    gsl_matrix_free(cov);
}

int zstr_circuit_fit(const zstr_circuit *c, const zstr_spectrum *s,
                     const zstr_fit_options *options, double *values, double *std_err,
                     zstr_fit_info *info, zstr_error *err)
{
    zs_error_clear(err);
    if (c == NULL || s == NULL || values == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_circuit_fit: NULL argument");
    zstr_fit_options o;
    zstr_fit_options_default(&o);
    int rc = zs_an_options(options, &o, ZS_SIZE_UPTO(zstr_fit_options, xtol), sizeof o,
                           "zstr_fit_options", err);
    if (rc == ZSTR_OK && info != NULL)
        rc = zs_check_size(info->size, ZS_SIZE_UPTO(zstr_fit_info, converged), sizeof *info,
                           "zstr_fit_info", err);
    if (rc == ZSTR_OK)
        rc = fit_checks(c, s, &o, err);
    if (rc != ZSTR_OK)
        return rc;
    int np = c->np;
    size_t n2 = (size_t)(2 * s->n);
    double *wre = zs_malloc_array((size_t)s->n, sizeof *wre);
    double *wim = zs_malloc_array((size_t)s->n, sizeof *wim);
    double *buf = zs_malloc_array((size_t)np, 4 * sizeof *buf);
    if (wre == NULL || wim == NULL || buf == NULL) {
        rc = zs_error(err, ZSTR_ENOMEM, "zstr_circuit_fit: out of memory");
        goto done;
    }
    rc = make_weights(s, o.weighting, wre, wim, err);
    if (rc != ZSTR_OK)
        goto done;
    double *p = buf, *u = buf + np, *best = buf + 2 * np, *p0 = buf + 3 * np;
    zs_fitctx ctx = {c, s, wre, wim, p};
    gsl_multifit_nlinear_fdf fdf;
    memset(&fdf, 0, sizeof fdf);
    fdf.f = residuals;
    fdf.df = NULL; /* forward differences */
    fdf.fvv = NULL;
    fdf.n = n2;
    fdf.p = (size_t)np;
    fdf.params = &ctx;
    gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
    fp.trs = gsl_multifit_nlinear_trs_lm;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, n2, (size_t)np);
    if (w == NULL) {
        gsl_set_error_handler(old);
        rc = zs_error(err, ZSTR_ENOMEM, "zstr_circuit_fit: out of memory (GSL workspace)");
        goto done;
    }
    double best_chi2 = INFINITY;
    int best_iters = 0, best_conv = 0, runs = 0;
    int all_given = o.initial != NULL;
    for (int k = 0; all_given && k < np; k++)
        all_given = !isnan(o.initial[k]);
    for (int start = 0; start < (all_given ? 1 : 2); start++) {
        estimate(c, s, start, p0);
        for (int k = 0; k < np; k++) {
            double v = o.initial != NULL && !isnan(o.initial[k]) ? o.initial[k] : p0[k];
            u[k] = p_to_u(c, k, v);
        }
        double chi2;
        int iters, conv;
        if (run_lm(w, &fdf, &o, u, np, &chi2, &iters, &conv) != GSL_SUCCESS || !isfinite(chi2))
            continue;
        runs++;
        if (chi2 < best_chi2) {
            best_chi2 = chi2;
            best_iters = iters;
            best_conv = conv;
            memcpy(best, u, (size_t)np * sizeof *u);
        }
    }
    if (runs == 0) {
        rc = zs_error(err, ZSTR_ESOLVER,
                      "zstr_circuit_fit: %s: the model is not finite near the initial values",
                      c->text);
    } else {
        u_to_p(c, best, values);
        int64_t dof = (int64_t)n2 - np;
        if (std_err != NULL) {
            gsl_vector_view x = gsl_vector_view_array(best, (size_t)np);
            if (gsl_multifit_nlinear_init(&x.vector, &fdf, w) == GSL_SUCCESS)
                std_errors(c, w, values, best_chi2, dof, std_err);
            else
                for (int k = 0; k < np; k++)
                    std_err[k] = NAN;
        }
        if (info != NULL) {
            info->chi2 = best_chi2;
            info->dof = dof;
            info->chi2_reduced = best_chi2 / (double)dof;
            info->iterations = best_iters;
            info->converged = best_conv;
        }
    }
    gsl_multifit_nlinear_free(w);
    gsl_set_error_handler(old);
done:
    free(wre);
    free(wim);
    free(buf);
    return rc;
}
