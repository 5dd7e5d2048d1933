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
    memset(s, 0, sizeof *s);
}

/* Total conductance and capacitance of one electrode's elements. */
static void electrode_sums(const zs_pencil *p, int64_t ne, const int64_t *list, long double *g,
                           long double *c)
{
    *g = 0.0L, *c = 0.0L;
    for (int64_t k = 0; k < ne; k++) {
        *g += p->elem[list[k]].g;
        *c += p->elem[list[k]].c;
    }
}

int zs_system_build(const zs_pencil *p, zs_system *s, zstr_error *err)
{
    memset(s, 0, sizeof *s);
    if (p->nwe < 1 || p->nce < 1)
        return zs_error(err, ZSTR_EINVAL,
                        "the %s electrode has no branch (every pixel is free surface): no "
                        "current can flow",
                        p->nwe < 1 ? "working" : "counter");
    long double gw, cw, gc, cc;
    electrode_sums(p, p->nwe, p->we_elem, &gw, &cw);
    electrode_sums(p, p->nce, p->ce_elem, &gc, &cc);
    int keep_ce = cc < cw || (cc == cw && gc < gw);
    const int64_t ne = keep_ce ? p->nce : p->nwe;
    const int64_t *list = keep_ce ? p->ce_elem : p->we_elem;
    const int64_t n = p->n, w = n;
    /* per node: summed admittance (g, c) to the kept electrode, and whether it
     * touches it */
    long double *wg = zs_calloc_array((size_t)n, sizeof *wg);
    long double *wc = zs_calloc_array((size_t)n, sizeof *wc);
    uint8_t *touch = zs_calloc_array((size_t)n, 1);
    int rc = ZSTR_OK;
    if (wg == NULL || wc == NULL || touch == NULL) {
        rc = zs_error(err, ZSTR_ENOMEM, "out of memory for the port form");
        goto done;
    }
    int64_t nt = 0;
    for (int64_t k = 0; k < ne; k++) {
        const zs_elem *el = &p->elem[list[k]];
        nt += !touch[el->a];
        touch[el->a] = 1;
        wg[el->a] += el->g;
        wc[el->a] += el->c;
    }
    long double dg = keep_ce ? gc : gw, dc = keep_ce ? cc : cw;
    s->port_electrode = keep_ce ? ZSTR_CE : ZSTR_WE;
    s->n = n + 1;
    s->nnz = p->nnz + 2 * nt + 1;
    s->port = w;
    s->Ap = zs_malloc_array((size_t)s->n + 1, sizeof *s->Ap);
    s->Ai = zs_malloc_array((size_t)s->nnz, sizeof *s->Ai);
    s->Gx = zs_malloc_array((size_t)s->nnz, sizeof *s->Gx);
    s->Cx = zs_malloc_array((size_t)s->nnz, sizeof *s->Cx);
    if (s->Ap == NULL || s->Ai == NULL || s->Gx == NULL || s->Cx == NULL) {
        rc = zs_error(err, ZSTR_ENOMEM, "out of memory for the port form (%lld entries)",
                      (long long)s->nnz);
        goto done;
    }
    int64_t q = 0;
    for (int64_t j = 0; j < n; j++) {
        s->Ap[j] = q;
        for (int64_t k = p->Ap[j]; k < p->Ap[j + 1]; k++, q++) {
            s->Ai[q] = p->Ai[k];
            s->Gx[q] = p->Gx[k];
            s->Cx[q] = p->Cx[k];
        }
        if (touch[j]) {
            s->Ai[q] = w;
            s->Gx[q] = (double)-wg[j];
            s->Cx[q] = (double)-wc[j];
            q++;
        }
    }
    s->Ap[w] = q;
    for (int64_t a = 0; a < n; a++) {
        if (touch[a]) {
            s->Ai[q] = a;
            s->Gx[q] = (double)-wg[a];
            s->Cx[q] = (double)-wc[a];
            q++;
        }
    }
    s->Ai[q] = w;
    s->Gx[q] = (double)dg;
    s->Cx[q] = (double)dc;
    q++;
    s->Ap[w + 1] = q;
    /* G is definite when every node conducts to the grounded electrode: no
     * floating node and a conductive path between the electrodes (nodes joined
     * to the kept electrode only are then joined to the other through w) */
    s->g_definite = !p->open_circuit && p->n_floating == 0;
done:
    free(wg);
    free(wc);
    free(touch);
    if (rc != ZSTR_OK)
        zs_system_free(s);
    return rc;
}

void zs_system_matvec(const zs_system *s, double a, double b, const double *x, double *y)
{
    memset(y, 0, (size_t)s->n * sizeof *y);
    for (int64_t j = 0; j < s->n; j++) {
        double xj = x[j];
        for (int64_t k = s->Ap[j]; k < s->Ap[j + 1]; k++)
            y[s->Ai[k]] += (a * s->Gx[k] + b * s->Cx[k]) * xj;
    }
}
