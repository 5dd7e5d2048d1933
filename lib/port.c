/*
 * port.c — the port form of the pencil: one electrode kept as the last
 * unknown, the other grounded.
 *
 * The plan's pencil eliminates both electrodes (Dirichlet V_WE = 1, V_CE = 0):
 * an element e = (a, E) with admittance y_e = g_e + s·c_e adds y_e to (a, a)
 * and nothing else.  Keeping electrode E as node w = n adds, for every such
 * element,
 *     (a, w) = (w, a) −= y_e,   (w, w) += y_e,
 * which is Kirchhoff's law at w.  The result is the nodal matrix of the
 * network with only the other electrode grounded: symmetric, positive
 * semi-definite, with the same graph plus one node.  Injecting 1 A at w gives
 * Z = x_w, the same two-terminal impedance whichever electrode is kept
 * (reciprocity).
 *
 * Which electrode.  K_ww = Σ y_e is one sum of every admittance on the kept
 * electrode, and it cancels: the admittance the port sees is 1/Z, many
 * decades below K_ww when that electrode's elements are nearly shorts at high
 * frequency (a Li-metal WE: C_DL of 1.77 F/cm² gives |K_ww| ≈ 2.4e3 S at
 * 10 MHz against 1/|Z| ≈ 1e-5 S).  The rounding ρ of K_ww is a shunt from w to
 * ground that moves Z by ρ·|K_ww|·|Z| relative: 2.6e-6 at 10 MHz on 32³ with a
 * plain double sum of 1024 elements (bench/RESULTS.md, "Direct solve
 * accuracy").  So (1) the electrode kept is the one with the smaller
 * admittance at the top of any band, Σ c_e first (capacitances are what grow
 * with ω), then Σ g_e — an ideal CE against a WE interface: the CE — and (2)
 * every sum into the port's row is accumulated in long double, so ρ is one
 * rounding of the final value.  The other electrode's elements stay on the
 * diagonals of their nodes, where a near-short only pins a node to ground.
 *
 * Pattern.  w is the largest index, so it is appended at the end of every
 * column a that touches the kept electrode (rows stay sorted), and column w
 * lists those a in increasing order, then its diagonal.  Several elements on
 * one node a add into one entry.
 */
#include "zs_backend.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void zs_system_free(zs_system *s)
{
    if (s == NULL)
        return;
    free(s->Ap);
    free(s->Ai);
    free(s->Gx);
    free(s->Cx);
    free(s->tnode);
    free(s->tg);
    free(s->tc);
    memset(s, 0, sizeof *s);
}

/* Total conductance and capacitance of one electrode's elements. */
static void electrode_sums(const zs_elec *el, long double *g, long double *c)
{
    *g = 0.0L, *c = 0.0L;
    for (int64_t k = 0; k < el->n; k++) {
        *g += el->g[k];
        *c += el->c[k];
    }
}

/* Both triangles of the pencil's upper triangle, plus (when touch != NULL)
 * the port node w = n after every column a that touches the kept electrode
 * and as the last column.  Columns are filled in increasing order, each with
 * its own upper entries (rows <= j) first, then the mirrored rows > j as later
 * columns come, then w: rows stay sorted. */
static int expand(const zs_pencil *p, const uint8_t *touch, int64_t nt, zs_system *s,
                  zstr_error *err)
{
    const int64_t n = p->n;
    s->n = touch != NULL ? n + 1 : n;
    s->nnz = 2 * p->nnz - n + (touch != NULL ? 2 * nt + 1 : 0);
    s->Ap = zs_malloc_array((size_t)s->n + 1, sizeof *s->Ap);
    s->Ai = zs_malloc_array((size_t)s->nnz, sizeof *s->Ai);
    s->Gx = zs_malloc_array((size_t)s->nnz, sizeof *s->Gx);
    s->Cx = zs_malloc_array((size_t)s->nnz, sizeof *s->Cx);
    int64_t *pos = zs_calloc_array((size_t)s->n + 1, sizeof *pos);
    if (s->Ap == NULL || s->Ai == NULL || s->Gx == NULL || s->Cx == NULL || pos == NULL) {
        free(pos);
        return zs_error(err, ZSTR_ENOMEM, "out of memory for the %s form (%lld entries)",
                        touch != NULL ? "port" : "full", (long long)s->nnz);
    }
    for (int64_t j = 0; j < n; j++) {
        for (int64_t q = p->Ap[j]; q < p->Ap[j + 1]; q++) {
            pos[j]++;
            if (p->Ai[q] != j)
                pos[p->Ai[q]]++;
        }
        if (touch != NULL)
            pos[j] += touch[j];
    }
    if (touch != NULL)
        pos[n] = nt + 1;
    s->Ap[0] = 0;
    for (int64_t j = 0; j < s->n; j++) {
        s->Ap[j + 1] = s->Ap[j] + pos[j];
        pos[j] = s->Ap[j];
    }
    for (int64_t j = 0; j < n; j++) {
        for (int64_t q = p->Ap[j]; q < p->Ap[j + 1]; q++) {
            int64_t i = p->Ai[q], t = pos[j]++;
            s->Ai[t] = i;
            s->Gx[t] = p->Gx[q];
            s->Cx[t] = p->Cx[q];
            if (i != j) {
                t = pos[i]++;
                s->Ai[t] = j;
                s->Gx[t] = p->Gx[q];
                s->Cx[t] = p->Cx[q];
            }
        }
    }
    free(pos);
    return ZSTR_OK;
}

/* Keep the CE rather than the WE?  ZS_PORT_AUTO: the electrode of smaller
 * Σc, then smaller Σg (banner). */
static int keeps_ce(const zs_pencil *p, int electrode)
{
    if (electrode != ZS_PORT_AUTO)
        return electrode == ZSTR_CE;
    long double gw, cw, gc, cc;
    electrode_sums(&p->elec[ZSTR_WE], &gw, &cw);
    electrode_sums(&p->elec[ZSTR_CE], &gc, &cc);
    return cc < cw || (cc == cw && gc < gw);
}

int zs_system_build_pattern(const zs_pencil *p, int electrode, zs_system *s, zstr_error *err)
{
    memset(s, 0, sizeof *s);
    if (p->elec[ZSTR_WE].n < 1 || p->elec[ZSTR_CE].n < 1)
        return zs_error(err, ZSTR_EINVAL, "the port form needs a branch to each electrode");
    const int ce = keeps_ce(p, electrode);
    const zs_elec *kept = &p->elec[ce ? ZSTR_CE : ZSTR_WE];
    const int64_t n = p->n, w = n;
    uint8_t *touch = zs_calloc_array((size_t)n, 1);
    if (touch == NULL)
        return zs_error(err, ZSTR_ENOMEM, "out of memory for the port form's pattern");
    int64_t nt = 0;
    for (int64_t k = 0; k < kept->n; k++) {
        nt += !touch[kept->node[k]];
        touch[kept->node[k]] = 1;
    }
    s->n = n + 1;
    s->nnz = p->nnz + nt + 1;
    s->port = w;
    s->port_electrode = ce ? ZSTR_CE : ZSTR_WE;
    s->g_definite = !p->open_circuit && p->n_floating == 0;
    s->Ap = zs_malloc_array((size_t)s->n + 1, sizeof *s->Ap);
    s->Ai = zs_malloc_array((size_t)s->nnz, sizeof *s->Ai);
    if (s->Ap == NULL || s->Ai == NULL) {
        free(touch);
        zs_system_free(s);
        return zs_error(err, ZSTR_ENOMEM, "out of memory for the port form's pattern (%lld "
                                          "entries)",
                        (long long)s->nnz);
    }
    for (int64_t j = 0; j <= n; j++)
        s->Ap[j] = p->Ap[j];
    for (int64_t q = 0; q < p->nnz; q++)
        s->Ai[q] = p->Ai[q];
    int64_t q = p->nnz;
    for (int64_t a = 0; a < n; a++)
        if (touch[a])
            s->Ai[q++] = a;
    s->Ai[q++] = w;
    s->Ap[w + 1] = q;
    free(touch);
    return ZSTR_OK;
}

int zs_system_build(const zs_pencil *p, int electrode, zs_system *s, zstr_error *err)
{
    memset(s, 0, sizeof *s);
    if (electrode == ZS_PORT_NONE) {
        int rc = expand(p, NULL, 0, s, err);
        if (rc != ZSTR_OK) {
            zs_system_free(s);
            return rc;
        }
        s->port = -1;
        s->port_electrode = -1;
        s->g_definite = !p->open_circuit && p->n_floating == 0;
        return ZSTR_OK;
    }
    /* the port node's row as the compact form holds it (the electrode
     * chosen, its sums per node), then both triangles with that row */
    zs_system c;
    int rc = zs_system_build_compact(p, electrode, &c, err);
    if (rc != ZSTR_OK)
        return rc;
    const int64_t n = p->n, w = c.port;
    uint8_t *touch = zs_calloc_array((size_t)(n > 0 ? n : 1), 1);
    if (touch == NULL) {
        zs_system_free(&c);
        return zs_error(err, ZSTR_ENOMEM, "out of memory for the port form");
    }
    for (int64_t t = 0; t < c.nt; t++)
        touch[c.tnode[t]] = 1;
    rc = expand(p, touch, c.nt, s, err);
    free(touch);
    if (rc == ZSTR_OK) {
        /* the port row: after the last entry of each touched column (its
         * rows are all < w), and column w: the touched nodes, then w */
        int64_t q = s->Ap[w];
        for (int64_t t = 0; t < c.nt; t++, q++) {
            int64_t a = c.tnode[t], e = s->Ap[a + 1] - 1;
            s->Ai[e] = w;
            s->Ai[q] = a;
            s->Gx[e] = s->Gx[q] = c.tg[t];
            s->Cx[e] = s->Cx[q] = c.tc[t];
        }
        s->Ai[q] = w;
        s->Gx[q] = c.wg;
        s->Cx[q] = c.wc;
        s->port = w;
        s->port_electrode = c.port_electrode;
        /* G is definite when every node conducts to the grounded electrode:
         * no floating node and a conductive path between the electrodes
         * (nodes joined to the kept electrode only are then joined to the
         * other through w) */
        s->g_definite = c.g_definite;
    } else {
        zs_system_free(s);
    }
    zs_system_free(&c);
    return rc;
}

/* Compact port form.  The kept electrode's sums per node are made as in
 * zs_system_build (long double, one rounding), so every entry has the bits
 * of the full form's. */
int zs_system_build_compact(const zs_pencil *p, int electrode, zs_system *s, zstr_error *err)
{
    memset(s, 0, sizeof *s);
    const zs_elec *we = &p->elec[ZSTR_WE], *ce = &p->elec[ZSTR_CE];
    if (we->n < 1 || ce->n < 1)
        return zs_error(err, ZSTR_EINVAL,
                        "the %s electrode has no branch (every pixel is free surface): no "
                        "current can flow",
                        we->n < 1 ? "working" : "counter");
    long double gw, cw, gc, cc;
    electrode_sums(we, &gw, &cw);
    electrode_sums(ce, &gc, &cc);
    const int keep_ce = keeps_ce(p, electrode);
    const zs_elec *kept = keep_ce ? ce : we;
    const int64_t n = p->n;
    /* the touched nodes, increasing: a mark per node, then one pass */
    uint8_t *touch = zs_calloc_array((size_t)(n > 0 ? n : 1), 1);
    if (touch == NULL)
        return zs_error(err, ZSTR_ENOMEM, "out of memory for the port form");
    int64_t nt = 0;
    for (int64_t k = 0; k < kept->n; k++) {
        nt += !touch[kept->node[k]];
        touch[kept->node[k]] = 1;
    }
    s->tnode = zs_malloc_array((size_t)nt, sizeof *s->tnode);
    long double *sg = zs_calloc_array((size_t)nt, sizeof *sg);
    long double *sc = zs_calloc_array((size_t)nt, sizeof *sc);
    s->tg = zs_malloc_array((size_t)nt, sizeof *s->tg);
    s->tc = zs_malloc_array((size_t)nt, sizeof *s->tc);
    int64_t *slot = zs_malloc_array((size_t)(n > 0 ? n : 1), sizeof *slot);
    if (s->tnode == NULL || sg == NULL || sc == NULL || s->tg == NULL || s->tc == NULL ||
        slot == NULL) {
        free(touch);
        free(sg);
        free(sc);
        free(slot);
        zs_system_free(s);
        return zs_error(err, ZSTR_ENOMEM, "out of memory for the port form");
    }
    int64_t t = 0;
    for (int64_t a = 0; a < n; a++)
        if (touch[a]) {
            slot[a] = t;
            s->tnode[t++] = a;
        }
    for (int64_t k = 0; k < kept->n; k++) {
        int64_t i = slot[kept->node[k]];
        sg[i] += kept->g[k];
        sc[i] += kept->c[k];
    }
    for (int64_t i = 0; i < nt; i++) {
        s->tg[i] = (double)-sg[i];
        s->tc[i] = (double)-sc[i];
    }
    free(touch);
    free(sg);
    free(sc);
    free(slot);
    s->pencil = p;
    s->nt = nt;
    s->wg = (double)(keep_ce ? gc : gw);
    s->wc = (double)(keep_ce ? cc : cw);
    s->n = n + 1;
    s->nnz = 2 * p->nnz - n + 2 * nt + 1;
    s->port = n;
    s->port_electrode = keep_ce ? ZSTR_CE : ZSTR_WE;
    s->g_definite = !p->open_circuit && p->n_floating == 0;
    return ZSTR_OK;
}

void zs_system_matvec(const zs_system *s, double a, double b, const double *x, double *y)
{
    memset(y, 0, (size_t)s->n * sizeof *y);
    if (s->pencil == NULL) {
        for (int64_t j = 0; j < s->n; j++) {
            double xj = x[j];
            for (int64_t k = s->Ap[j]; k < s->Ap[j + 1]; k++)
                y[s->Ai[k]] += (a * s->Gx[k] + b * s->Cx[k]) * xj;
        }
        return;
    }
    const zs_pencil *p = s->pencil;
    for (int64_t j = 0; j < p->n; j++) {
        double xj = x[j], yj = 0.0;
        for (int64_t k = p->Ap[j]; k < p->Ap[j + 1]; k++) {
            int64_t i = p->Ai[k];
            double v = a * p->Gx[k] + b * p->Cx[k];
            if (i == j) {
                yj += v * xj;
            } else {
                y[i] += v * xj;
                yj += v * x[i];
            }
        }
        y[j] += yj;
    }
    const int64_t w = s->port;
    double yw = 0.0;
    for (int64_t t = 0; t < s->nt; t++) {
        int64_t i = s->tnode[t];
        double v = a * s->tg[t] + b * s->tc[t];
        y[i] += v * x[w];
        yw += v * x[i];
    }
    y[w] = yw + (a * s->wg + b * s->wc) * x[w];
}

int zs_system_csr(const zs_system *s, double a, double b, int64_t *Ap, int32_t *Ai, double *Ax,
                  zstr_error *err)
{
    if (Ai != NULL && s->n > (int64_t)INT32_MAX)
        return zs_error(err, ZSTR_ERANGE,
                        "the port form has %lld unknowns: its rows do not fit 32 bits",
                        (long long)s->n);
    if (s->pencil == NULL) {
        for (int64_t j = 0; Ap != NULL && j <= s->n; j++)
            Ap[j] = s->Ap[j];
        for (int64_t k = 0; k < s->nnz; k++) {
            if (Ai != NULL)
                Ai[k] = (int32_t)s->Ai[k];
            if (Ax != NULL)
                Ax[k] = a * s->Gx[k] + b * s->Cx[k];
        }
        return ZSTR_OK;
    }
    /* as expand() with the port node: column j holds its own upper entries
     * (rows <= j), then row i > j from each later column i that has j, then
     * w when j touches the kept electrode; column w lists the touched nodes,
     * then its diagonal */
    const zs_pencil *p = s->pencil;
    const int64_t n = p->n, w = s->port;
    int64_t *pos = zs_calloc_array((size_t)s->n + 1, sizeof *pos);
    if (pos == NULL)
        return zs_error(err, ZSTR_ENOMEM, "out of memory for the port form's columns");
    for (int64_t j = 0; j < n; j++)
        for (int64_t q = p->Ap[j]; q < p->Ap[j + 1]; q++) {
            pos[j]++;
            if (p->Ai[q] != j)
                pos[p->Ai[q]]++;
        }
    for (int64_t t = 0; t < s->nt; t++)
        pos[s->tnode[t]]++;
    pos[w] = s->nt + 1;
    int64_t run = 0;
    for (int64_t j = 0; j < s->n; j++) {
        int64_t c = pos[j];
        pos[j] = run;
        if (Ap != NULL)
            Ap[j] = run;
        run += c;
    }
    if (Ap != NULL)
        Ap[s->n] = run;
    for (int64_t j = 0; j < n; j++)
        for (int64_t q = p->Ap[j]; q < p->Ap[j + 1]; q++) {
            int64_t i = p->Ai[q], t = pos[j]++;
            double v = Ax != NULL ? a * p->Gx[q] + b * p->Cx[q] : 0.0;
            if (Ai != NULL)
                Ai[t] = (int32_t)i;
            if (Ax != NULL)
                Ax[t] = v;
            if (i != j) {
                t = pos[i]++;
                if (Ai != NULL)
                    Ai[t] = (int32_t)j;
                if (Ax != NULL)
                    Ax[t] = v;
            }
        }
    /* the port: last in each touched column (rows there are all < w), and
     * column w */
    int64_t q = pos[w];
    for (int64_t t = 0; t < s->nt; t++) {
        int64_t i = s->tnode[t], e = pos[i]++;
        double v = Ax != NULL ? a * s->tg[t] + b * s->tc[t] : 0.0;
        if (Ai != NULL) {
            Ai[e] = (int32_t)w;
            Ai[q] = (int32_t)i;
        }
        if (Ax != NULL)
            Ax[e] = Ax[q] = v;
        q++;
    }
    if (Ai != NULL)
        Ai[q] = (int32_t)w;
    if (Ax != NULL)
        Ax[q] = a * s->wg + b * s->wc;
    free(pos);
    return ZSTR_OK;
}
