/*
 * port.c — the port form of the pencil: the WE kept as the last unknown.
 *
 * The plan's pencil eliminates both electrodes (Dirichlet V_WE = 1, V_CE = 0):
 * an element e = (a, WE) with admittance y_e = g_e + s·c_e adds y_e to (a, a)
 * and nothing else.  Keeping the WE as node w = n adds, for every such element,
 *     (a, w) = (w, a) −= y_e,   (w, w) += y_e,
 * which is Kirchhoff's law at the WE node.  The result is the nodal matrix of
 * the network with only the CE grounded: symmetric, positive semi-definite,
 * with the same graph plus one node.  Injecting 1 A at w gives Z = x_w.
 *
 * Pattern.  w is the largest index, so it is appended at the end of every
 * column a that touches the WE (rows stay sorted), and column w lists those a
 * in increasing order, then its diagonal.  Several elements on one node a add
 * into one entry.
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

int zs_system_build(const zs_pencil *p, zs_system *s, zstr_error *err)
{
    memset(s, 0, sizeof *s);
    if (p->nwe < 1)
        return zs_error(err, ZSTR_EINVAL,
                        "the working electrode has no branch (every pixel is free surface): "
                        "no current can flow");
    const int64_t n = p->n, w = n;
    /* per node: summed WE admittance (g, c) and whether it touches the WE */
    double *wg = zs_calloc_array((size_t)n, sizeof *wg);
    double *wc = zs_calloc_array((size_t)n, sizeof *wc);
    uint8_t *touch = zs_calloc_array((size_t)n, 1);
    int rc = ZSTR_OK;
    if (wg == NULL || wc == NULL || touch == NULL) {
        rc = zs_error(err, ZSTR_ENOMEM, "out of memory for the port form");
        goto done;
    }
    int64_t nt = 0;
    double dg = 0.0, dc = 0.0;
    for (int64_t k = 0; k < p->nwe; k++) {
        const zs_elem *el = &p->elem[p->we_elem[k]];
        nt += !touch[el->a];
        touch[el->a] = 1;
        wg[el->a] += el->g;
        wc[el->a] += el->c;
        dg += el->g;
        dc += el->c;
    }
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
            s->Gx[q] = -wg[j];
            s->Cx[q] = -wc[j];
            q++;
        }
    }
    s->Ap[w] = q;
    for (int64_t a = 0; a < n; a++) {
        if (touch[a]) {
            s->Ai[q] = a;
            s->Gx[q] = -wg[a];
            s->Cx[q] = -wc[a];
            q++;
        }
    }
    s->Ai[q] = w;
    s->Gx[q] = dg;
    s->Cx[q] = dc;
    q++;
    s->Ap[w + 1] = q;
    /* G is definite when every node conducts to the CE: no floating node and a
     * conductive path between the electrodes (nodes joined to the WE only are
     * then joined to the CE through the WE node) */
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
