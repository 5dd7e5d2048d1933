/*
 * an_kk.c — Schönleber's linear Kramers-Kronig test (Lin-KK).
 *
 * Every finite sum R0 + jωL + Σ R_k/(1 + jωτ_k) is Kramers-Kronig consistent,
 * so a spectrum that such a sum fits to within its noise is consistent too;
 * with the τ_k fixed the fit is linear (Schönleber, Klotz, Ivers-Tiffée,
 * Electrochim. Acta 131 (2014) 20).  The τ_k are log-spaced over
 * [1/ω_max, 1/ω_min].  Too many elements over-fit: the R_k start to alternate
 * in sign, which μ = 1 − Σ|negative R_k| / Σ positive R_k detects; M is the
 * first value with μ < mu_criterion.  Noise-free (simulated) spectra have no
 * noise to over-fit: μ then stops far too early on wide spectra (measured: a
 * 6³ polycrystal over 11 decades stops at M = 14 with 17 % residuals, while
 * M = n reaches 2e-6 %), so mu_criterion = 0 takes M = max_m.  Each fit is a weighted (1/|Z|) real
 * least-squares problem of 2n rows and M + 2 columns, solved by LAPACK's QR
 * (dgels).  The residual of a part is (Z_data − Z_fit)/|Z_data|.
 */
#include "an_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void dgels_(const char *trans, const int *m, const int *n, const int *nrhs, double *a,
            const int *lda, double *b, const int *ldb, double *work, const int *lwork,
            int *info);

void zstr_kk_options_default(zstr_kk_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->mu_criterion = 0.85;
    o->tolerance_pct = 1.0;
    o->max_m = 0;
}

void zstr_kk_result_init(zstr_kk_result *r)
{
    if (r != NULL) {
        memset(r, 0, sizeof *r);
        r->size = sizeof *r;
    }
}

typedef struct zs_kk {
    const zstr_spectrum *s;
    double wlo, whi;
    double *A, *b, *work, *coef, *res;
    int lwork;
} zs_kk;

static double tau_k(const zs_kk *q, int k, int m)
{
    if (m == 1)
        return 1.0 / sqrt(q->wlo * q->whi);
    return exp(log(1.0 / q->whi) + (log(1.0 / q->wlo) - log(1.0 / q->whi)) * k / (m - 1));
}

/* Fit with m elements; coef = [R0, L, R_1..R_m]; residuals [%] into q->res. */
static int kk_fit(zs_kk *q, int m, double *mu)
{
    const zstr_spectrum *s = q->s;
    int rows = (int)(2 * s->n), cols = m + 2, one = 1, info = 0;
    for (int64_t i = 0; i < s->n; i++) {
        double w = 2 * ZS_PI * s->f[i], wt = 1.0 / hypot(s->z[2 * i], s->z[2 * i + 1]);
        int re = (int)(2 * i), im = re + 1;
        q->A[re] = wt, q->A[im] = 0.0;                          /* R0 */
        q->A[rows + re] = 0.0, q->A[rows + im] = wt * w * 1e-6; /* L, in µH for scale */
        for (int k = 0; k < m; k++) {
            double wtk = w * tau_k(q, k, m), d = 1.0 + wtk * wtk;
            q->A[(size_t)(k + 2) * rows + re] = wt / d;
            q->A[(size_t)(k + 2) * rows + im] = -wt * wtk / d;
        }
        q->b[re] = wt * s->z[2 * i];
        q->b[im] = wt * s->z[2 * i + 1];
    }
    dgels_("N", &rows, &cols, &one, q->A, &rows, q->b, &rows, q->work, &q->lwork, &info);
    if (info != 0)
        return ZSTR_ESOLVER;
    memcpy(q->coef, q->b, (size_t)cols * sizeof *q->coef);
    double pos = 0.0, neg = 0.0;
    for (int k = 0; k < m; k++) {
        if (q->coef[k + 2] >= 0.0)
            pos += q->coef[k + 2];
        else
            neg -= q->coef[k + 2];
    }
    *mu = pos > 0.0 ? 1.0 - neg / pos : 0.0;
    for (int64_t i = 0; i < s->n; i++) {
        double w = 2 * ZS_PI * s->f[i], zr = q->coef[0], zi = w * q->coef[1] * 1e-6;
        for (int k = 0; k < m; k++) {
            double wtk = w * tau_k(q, k, m), d = 1.0 + wtk * wtk;
            zr += q->coef[k + 2] / d;
            zi -= q->coef[k + 2] * wtk / d;
        }
        double mod = hypot(s->z[2 * i], s->z[2 * i + 1]);
        q->res[2 * i] = 100.0 * (s->z[2 * i] - zr) / mod;
        q->res[2 * i + 1] = 100.0 * (s->z[2 * i + 1] - zi) / mod;
    }
    return ZSTR_OK;
}

int zstr_kk_test(const zstr_spectrum *s, const zstr_kk_options *options, zstr_kk_result *out,
                 double *residuals, zstr_error *err)
{
    zs_error_clear(err);
    if (s == NULL || out == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_kk_test: NULL argument");
    zstr_kk_options o;
    zstr_kk_options_default(&o);
    int rc = zs_an_options(options, &o, ZS_SIZE_UPTO(zstr_kk_options, max_m), sizeof o,
                           "zstr_kk_options", err);
    if (rc == ZSTR_OK)
        rc = zs_check_size(out->size, ZS_SIZE_UPTO(zstr_kk_result, consistent), sizeof *out,
                           "zstr_kk_result", err);
    if (rc != ZSTR_OK)
        return rc;
    if (s->n < 3 || s->n > 100000)
        return zs_error(err, ZSTR_EINVAL, "zstr_kk_test: %lld points; need 3 .. 100000",
                        (long long)s->n);
    if (!(o.mu_criterion >= 0.0 && o.mu_criterion <= 1.0) || !(o.tolerance_pct > 0.0))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_kk_options: mu_criterion must be in [0, 1], tolerance_pct > 0");
    zs_kk q;
    memset(&q, 0, sizeof q);
    q.s = s;
    q.wlo = q.whi = 2 * ZS_PI * s->f[0];
    for (int64_t i = 0; i < s->n; i++) {
        if (hypot(s->z[2 * i], s->z[2 * i + 1]) == 0.0)
            return zs_error(err, ZSTR_EINVAL, "zstr_kk_test: |Z| = 0 at f = %g Hz", s->f[i]);
        q.wlo = fmin(q.wlo, 2 * ZS_PI * s->f[i]);
        q.whi = fmax(q.whi, 2 * ZS_PI * s->f[i]);
    }
    int mmax = (int)s->n; /* 2n rows, M + 2 columns: M <= n keeps it over-determined */
    if (o.max_m > 0 && o.max_m < mmax)
        mmax = o.max_m;
    size_t rows = (size_t)(2 * s->n), cols = (size_t)mmax + 2;
    q.lwork = (int)(rows + cols) * 64;
    q.A = zs_malloc_array(rows * cols, sizeof *q.A);
    q.b = zs_malloc_array(rows, sizeof *q.b);
    q.work = zs_malloc_array((size_t)q.lwork, sizeof *q.work);
    q.coef = zs_malloc_array(cols, sizeof *q.coef);
    q.res = zs_malloc_array(rows, sizeof *q.res);
    if (q.A == NULL || q.b == NULL || q.work == NULL || q.coef == NULL || q.res == NULL) {
        rc = zs_error(err, ZSTR_ENOMEM, "zstr_kk_test: out of memory");
        goto done;
    }
    double mu = 1.0;
    int m = o.mu_criterion > 0.0 ? 1 : mmax; /* 0: no criterion, M = mmax */
    for (;; m++) {
        rc = kk_fit(&q, m, &mu);
        if (rc != ZSTR_OK) {
            zs_error(err, rc, "zstr_kk_test: LAPACK dgels failed at M = %d", m);
            goto done;
        }
        if (mu < o.mu_criterion || m == mmax)
            break;
    }
    out->m = m;
    out->mu = mu;
    out->max_residual_re_pct = 0.0;
    out->max_residual_im_pct = 0.0;
    for (int64_t i = 0; i < s->n; i++) {
        out->max_residual_re_pct = fmax(out->max_residual_re_pct, fabs(q.res[2 * i]));
        out->max_residual_im_pct = fmax(out->max_residual_im_pct, fabs(q.res[2 * i + 1]));
    }
    out->consistent = out->max_residual_re_pct <= o.tolerance_pct &&
                      out->max_residual_im_pct <= o.tolerance_pct;
    if (residuals != NULL)
        memcpy(residuals, q.res, rows * sizeof *residuals);
done:
    free(q.A);
    free(q.b);
    free(q.work);
    free(q.coef);
    free(q.res);
    return rc;
}
