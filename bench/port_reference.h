/*
 * port_reference.h — the long-double residual of the port form, element by
 * element, shared by bench/direct_check.c and tests/test_direct.c (their
 * independent reference for the direct and reduced solves).
 *
 * r = e_WE − K x for the port form with the WE kept as node w = p->n and the
 * CE grounded: every element's current y (x_a − x_b) in long double, with
 * the node-node elements read from the pencil's upper triangle (g = −G_ab,
 * c = −C_ab) and the electrode elements from its electrode lists.  No
 * assembled row is summed, so no rounded sum of admittances enters it.
 * Needs lib/zs_internal.h (zs_pencil) and <complex.h>.
 */
#ifndef BENCH_PORT_REFERENCE_H
#define BENCH_PORT_REFERENCE_H

#include <complex.h>

typedef long double complex lcomplex;

static void port_residual(const zs_pencil *p, long double w, const lcomplex *x, lcomplex *r)
{
    const int64_t we = p->n;
    for (int64_t k = 0; k <= we; k++)
        r[k] = 0.0L;
    r[we] = 1.0L;
    for (int64_t j = 0; j < p->n; j++)
        for (int64_t q = p->Ap[j]; q < p->Ap[j + 1] - 1; q++) {
            int64_t a = p->Ai[q];
            lcomplex y = -(long double)p->Gx[q] - I * (w * (long double)p->Cx[q]);
            lcomplex cur = y * (x[a] - x[j]);
            r[a] -= cur;
            r[j] += cur;
        }
    for (int e = 0; e < 2; e++)
        for (int64_t m = 0; m < p->elec[e].n; m++) {
            int64_t a = p->elec[e].node[m];
            lcomplex y = (long double)p->elec[e].g[m] + I * (w * (long double)p->elec[e].c[m]);
            lcomplex cur = y * (x[a] - (e == ZSTR_WE ? x[we] : 0.0L));
            r[a] -= cur;
            if (e == ZSTR_WE)
                r[we] += cur;
        }
}

#endif
