/*
 * an_drt.c — distribution of relaxation times: Tikhonov-regularised,
 * non-negative, Gaussian radial basis functions on a log-τ grid.
 *
 * Discretisation.  y = ln τ.  Grid y_m, m = 0..M−1, spacing Δ, from one decade
 * below 1/(2π f_max) to one decade above 1/(2π f_min).  Basis
 * φ_m(y) = exp(−(ε(y − y_m))²) with ε = √(ln 2)/Δ, so each Gaussian's full
 * width at half maximum is 2Δ: neighbours overlap enough that γ is smooth
 * between grid points, not so much that the basis becomes ill-conditioned.
 * The kernel integrals
 *   A'_km  = ∫ φ_m(y) / (1 + ω_k² e^{2y}) dy,
 *   A''_km = −∫ φ_m(y) ω_k e^y / (1 + ω_k² e^{2y}) dy
 * are computed by the trapezoidal rule over ±5/ε (φ < 1.4e-11 beyond) with
 * 200 steps: for a smooth integrand the rule converges geometrically, and
 * h = 0.05/ε resolves the Gaussian far below the data's precision.
 *
 * Problem.  Unknowns v = [x_0..x_{M−1}, R∞, L] (R∞ and L only when fitted),
 * all >= 0.  Rows: weighted data rows (w_k = 1/|Z_k|) for the parts fitted,
 * then (√λ/Z_s)·D with D_im = φ_m^(d)(y_i) (d = 1 or 2), zero for R∞ and L,
 * and Z_s = max_k |Z_k|.  The data rows are dimensionless; dividing the
 * penalty by Z_s makes it so too, so λ does not depend on the size of the
 * sample (a 1 MΩ spectrum and the same shape at 1 Ω get the same γ/Z_s).
 * Non-negativity: Lawson and Hanson's active-set NNLS.  It terminates: the
 * objective strictly decreases each time the passive set changes, and the
 * number of sets is finite; a cap of 3·(columns) outer iterations guards
 * against cycling in floating point (then ZSTR_ESOLVER).  Each passive-set
 * problem is a dense least-squares solve by LAPACK's QR (dgels).
 *
 * λ by GCV.  On the unconstrained ridge problem, with K = AᵀA + λDᵀD,
 * H = A K⁻¹ Aᵀ: GCV(λ) = m·‖(I − H)b‖² / (m − tr H)² over m data rows,
 * tr H = tr(K⁻¹AᵀA); Cholesky of K per λ (dpotrf/dpotrs).  Minimised over
 * log10 λ ∈ [−10, 1] on a grid of step 0.25, then by golden section in the
 * best cell.
 */
#include "an_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* LAPACK (Fortran interface) */
void dgels_(const char *trans, const int *m, const int *n, const int *nrhs, double *a,
            const int *lda, double *b, const int *ldb, double *work, const int *lwork,
            int *info);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
             double *b, const int *ldb, int *info);

#define ZS_QUAD 200
#define ZS_FINE 4

struct zstr_drt {
    double lambda, r_inf, inductance;
    int m;         /* basis functions */
    double *ym;    /* centres (ln τ) */
    double *x;     /* weights [Ω] */
    double eps;
    int64_t nfine;
    double *tau, *gamma;
    int npeak;
    double *peak_tau, *peak_r;
};

void zstr_drt_options_default(zstr_drt_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->lambda = 0.0;
    o->derivative = 2;
    o->part = ZSTR_DRT_BOTH;
    o->fit_r_inf = 1;
    o->fit_inductance = 0;
    o->points_per_decade = 10.0;
    o->peak_threshold = 0.01;
}

void zstr_drt_free(zstr_drt *d)
{
    if (d == NULL)
        return;
    free(d->ym);
    free(d->x);
    free(d->tau);
    free(d->gamma);
    free(d->peak_tau);
    free(d->peak_r);
    free(d);
}

double zstr_drt_lambda(const zstr_drt *d) { return d ? d->lambda : NAN; }
double zstr_drt_r_inf(const zstr_drt *d) { return d ? d->r_inf : NAN; }
double zstr_drt_inductance(const zstr_drt *d) { return d ? d->inductance : NAN; }
int64_t zstr_drt_count(const zstr_drt *d) { return d ? d->nfine : 0; }
const double *zstr_drt_tau(const zstr_drt *d) { return d ? d->tau : NULL; }
const double *zstr_drt_gamma(const zstr_drt *d) { return d ? d->gamma : NULL; }
int zstr_drt_peak_count(const zstr_drt *d) { return d ? d->npeak : 0; }

int zstr_drt_peak(const zstr_drt *d, int k, double *tau, double *resistance)
{
    if (d == NULL || tau == NULL || resistance == NULL)
        return ZSTR_EINVAL;
    if (k < 0 || k >= d->npeak)
        return ZSTR_ERANGE;
    *tau = d->peak_tau[k];
    *resistance = d->peak_r[k];
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* Kernel                                                                    */
/* ------------------------------------------------------------------------- */

/* ∫ φ(y − c) K(ω, y) dy for the real (re) and imaginary (im) kernels. */
static void kernel(double w, double c, double eps, double *re, double *im)
{
    double half = 5.0 / eps, h = 2.0 * half / ZS_QUAD, sr = 0.0, si = 0.0;
    for (int q = 0; q <= ZS_QUAD; q++) {
        double u = -half + q * h, y = c + u;
        double phi = exp(-(eps * u) * (eps * u)) * (q == 0 || q == ZS_QUAD ? 0.5 : 1.0);
        double wt = w * exp(y), den = 1.0 + wt * wt;
        sr += phi / den;
        si -= phi * wt / den;
    }
    *re = sr * h;
    *im = si * h;
}

static double basis_deriv(double u, double eps, int d)
{
    double e2 = eps * eps, phi = exp(-e2 * u * u);
    return d == 1 ? -2.0 * e2 * u * phi : (4.0 * e2 * e2 * u * u - 2.0 * e2) * phi;
}

/* ------------------------------------------------------------------------- */
/* NNLS (Lawson–Hanson) with dgels for the passive sets                      */
/* ------------------------------------------------------------------------- */

typedef struct zs_nnls {
    int m, n;         /* rows, columns of A (column-major, lda = m) */
    const double *A, *b;
    double *x, *w, *s, *r, *work, *Ap, *bp;
    int *passive;
    int lwork;
} zs_nnls;

static void nnls_residual(zs_nnls *q)
{
    for (int i = 0; i < q->m; i++)
        q->r[i] = q->b[i];
    for (int j = 0; j < q->n; j++) {
        if (q->x[j] == 0.0)
            continue;
        const double *a = q->A + (size_t)j * q->m;
        for (int i = 0; i < q->m; i++)
            q->r[i] -= a[i] * q->x[j];
    }
}

/* s = argmin ‖A_P s − b‖ on the passive set; 0 elsewhere. */
static int nnls_solve_passive(zs_nnls *q)
{
    int np = 0;
    for (int j = 0; j < q->n; j++) {
        if (q->passive[j]) {
            memcpy(q->Ap + (size_t)np * q->m, q->A + (size_t)j * q->m,
                   (size_t)q->m * sizeof *q->A);
            np++;
        }
    }
    memcpy(q->bp, q->b, (size_t)q->m * sizeof *q->b);
    int one = 1, info = 0;
    dgels_("N", &q->m, &np, &one, q->Ap, &q->m, q->bp, &q->m, q->work, &q->lwork, &info);
    if (info != 0)
        return -1;
    for (int j = 0, k = 0; j < q->n; j++)
        q->s[j] = q->passive[j] ? q->bp[k++] : 0.0;
    return 0;
}

static int nnls_run(zs_nnls *q)
{
    double anorm = 0.0;
    for (size_t i = 0; i < (size_t)q->m * q->n; i++)
        anorm = fmax(anorm, fabs(q->A[i]));
    double bnorm = 0.0;
    for (int i = 0; i < q->m; i++)
        bnorm = fmax(bnorm, fabs(q->b[i]));
    /* x below tol counts as zero; a gradient below gtol as no ascent */
    double tol = 10.0 * DBL_EPSILON * anorm * (q->m > q->n ? q->m : q->n);
    double gtol = tol * (bnorm > 0.0 ? bnorm : 1.0);
    for (int j = 0; j < q->n; j++) {
        q->x[j] = 0.0;
        q->passive[j] = 0;
    }
    for (int outer = 0; outer < 3 * q->n + 10; outer++) {
        nnls_residual(q);
        int jmax = -1;
        double wmax = 0.0;
        for (int j = 0; j < q->n; j++) {
            const double *a = q->A + (size_t)j * q->m;
            double g = 0.0;
            for (int i = 0; i < q->m; i++)
                g += a[i] * q->r[i];
            q->w[j] = g;
            if (!q->passive[j] && g > wmax) {
                wmax = g;
                jmax = j;
            }
        }
        if (jmax < 0 || wmax <= gtol)
            return 0; /* Kuhn–Tucker conditions hold */
        q->passive[jmax] = 1;
        for (int inner = 0; inner <= q->n; inner++) {
            if (nnls_solve_passive(q) != 0)
                return -1;
            double alpha = 2.0;
            for (int j = 0; j < q->n; j++) {
                if (q->passive[j] && q->s[j] <= 0.0) {
                    double t = q->x[j] / (q->x[j] - q->s[j]);
                    alpha = t < alpha ? t : alpha;
                }
            }
            if (alpha > 1.0)
                break; /* s is feasible */
            for (int j = 0; j < q->n; j++) {
                if (!q->passive[j])
                    continue;
                q->x[j] += alpha * (q->s[j] - q->x[j]);
                if (q->x[j] <= tol) {
                    q->x[j] = 0.0;
                    q->passive[j] = 0;
                }
            }
        }
        for (int j = 0; j < q->n; j++)
            q->x[j] = q->passive[j] ? q->s[j] : 0.0;
    }
    return -2; /* no convergence */
}

/* ------------------------------------------------------------------------- */
/* GCV                                                                       */
/* ------------------------------------------------------------------------- */

typedef struct zs_gcv {
    int m, n;            /* data rows, columns */
    const double *A, *b; /* data part (column-major, lda = m) */
    double *AtA, *DtD, *Atb, *K, *X, *v;
} zs_gcv;

static double gcv_value(zs_gcv *g, double lambda)
{
    int n = g->n, info = 0;
    double dmax = 0.0;
    for (int j = 0; j < n; j++)
        dmax = fmax(dmax, g->AtA[(size_t)j * n + j]);
    for (size_t i = 0; i < (size_t)n * n; i++)
        g->K[i] = g->AtA[i] + lambda * g->DtD[i];
    for (int j = 0; j < n; j++)
        g->K[(size_t)j * n + j] += 1e-13 * dmax;
    dpotrf_("L", &n, g->K, &n, &info);
    if (info != 0)
        return INFINITY;
    memcpy(g->X, g->AtA, (size_t)n * n * sizeof *g->X);
    dpotrs_("L", &n, &n, g->K, &n, g->X, &n, &info);
    memcpy(g->v, g->Atb, (size_t)n * sizeof *g->v);
    int one = 1;
    dpotrs_("L", &n, &one, g->K, &n, g->v, &n, &info);
    if (info != 0)
        return INFINITY;
    double tr = 0.0;
    for (int j = 0; j < n; j++)
        tr += g->X[(size_t)j * n + j];
    double rr = 0.0;
    for (int i = 0; i < g->m; i++) {
        double r = g->b[i];
        for (int j = 0; j < n; j++)
            r -= g->A[(size_t)j * g->m + i] * g->v[j];
        rr += r * r;
    }
    double den = (double)g->m - tr;
    return den > 0.0 ? (double)g->m * rr / (den * den) : INFINITY;
}

static double gcv_choose(zs_gcv *g)
{
    double best = INFINITY, lbest = -4.0;
    for (double l = -10.0; l <= 1.0 + 1e-9; l += 0.25) {
        double v = gcv_value(g, pow(10.0, l));
        if (v < best) {
            best = v;
            lbest = l;
        }
    }
    /* golden section on [lbest − 0.25, lbest + 0.25] */
    const double gr = 0.6180339887498949;
    double a = lbest - 0.25, b = lbest + 0.25;
    double c = b - gr * (b - a), d = a + gr * (b - a);
    double fc = gcv_value(g, pow(10.0, c)), fd = gcv_value(g, pow(10.0, d));
    for (int it = 0; it < 20; it++) {
        if (fc < fd) {
            b = d, d = c, fd = fc;
            c = b - gr * (b - a);
            fc = gcv_value(g, pow(10.0, c));
        } else {
            a = c, c = d, fc = fd;
            d = a + gr * (b - a);
            fd = gcv_value(g, pow(10.0, d));
        }
    }
    double l = 0.5 * (a + b);
    return gcv_value(g, pow(10.0, l)) <= best ? pow(10.0, l) : pow(10.0, lbest);
}

/* ------------------------------------------------------------------------- */
/* Peaks                                                                     */
/* ------------------------------------------------------------------------- */

static double gamma_at(const zstr_drt *d, double y)
{
    double g = 0.0;
    for (int m = 0; m < d->m; m++) {
        double u = d->eps * (y - d->ym[m]);
        if (fabs(u) < 8.0)
            g += d->x[m] * exp(-u * u);
    }
    return g;
}

static int find_peaks(zstr_drt *d, double threshold)
{
    int64_t n = d->nfine;
    const double *g = d->gamma;
    double gmax = 0.0;
    for (int64_t i = 0; i < n; i++)
        gmax = fmax(gmax, g[i]);
    d->peak_tau = zs_malloc_array((size_t)n, sizeof *d->peak_tau);
    d->peak_r = zs_malloc_array((size_t)n, sizeof *d->peak_r);
    if (d->peak_tau == NULL || d->peak_r == NULL)
        return ZSTR_ENOMEM;
    d->npeak = 0;
    for (int64_t i = 1; i + 1 < n; i++) {
        if (!(g[i] > g[i - 1] && g[i] >= g[i + 1] && g[i] > threshold * gmax))
            continue;
        int64_t lo = i, hi = i;
        while (lo > 0 && g[lo - 1] < g[lo])
            lo--;
        while (hi + 1 < n && g[hi + 1] < g[hi])
            hi++;
        double area = 0.0;
        for (int64_t k = lo; k < hi; k++)
            area += 0.5 * (g[k] + g[k + 1]) * log(d->tau[k + 1] / d->tau[k]);
        d->peak_tau[d->npeak] = d->tau[i];
        d->peak_r[d->npeak] = area;
        d->npeak++;
    }
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* Entry point                                                               */
/* ------------------------------------------------------------------------- */

typedef struct zs_drtsys {
    int M, ncol, nr, nl;     /* basis, columns, R∞ column present, L column present */
    int mdata, rows;         /* data rows, all rows */
    double *A;               /* rows × ncol, column-major */
    double *b;               /* rows */
} zs_drtsys;

static int build_system(const zstr_spectrum *s, const zstr_drt_options *o, zstr_drt *d,
                        zs_drtsys *y)
{
    int use_re = o->part != ZSTR_DRT_IMAG, use_im = o->part != ZSTR_DRT_REAL;
    y->M = d->m;
    y->nr = o->fit_r_inf && use_re;
    y->nl = o->fit_inductance && use_im;
    y->ncol = d->m + y->nr + y->nl;
    y->mdata = (int)s->n * (use_re + use_im);
    y->rows = y->mdata + d->m;
    y->A = zs_calloc_array((size_t)y->rows * (size_t)y->ncol, sizeof *y->A);
    y->b = zs_calloc_array((size_t)y->rows, sizeof *y->b);
    if (y->A == NULL || y->b == NULL)
        return ZSTR_ENOMEM;
    int R = y->rows;
    for (int64_t k = 0; k < s->n; k++) {
        double w = 2 * ZS_PI * s->f[k];
        double wt = 1.0 / hypot(s->z[2 * k], s->z[2 * k + 1]);
        int rre = use_re ? (int)k : -1;
        int rim = use_im ? (int)(use_re ? s->n + k : k) : -1;
        for (int m = 0; m < d->m; m++) {
            double kr, ki;
            kernel(w, d->ym[m], d->eps, &kr, &ki);
            if (rre >= 0)
                y->A[(size_t)m * R + rre] = wt * kr;
            if (rim >= 0)
                y->A[(size_t)m * R + rim] = wt * ki;
        }
        if (rre >= 0) {
            y->b[rre] = wt * s->z[2 * k];
            if (y->nr)
                y->A[(size_t)d->m * R + rre] = wt;
        }
        if (rim >= 0) {
            y->b[rim] = wt * s->z[2 * k + 1];
            if (y->nl)
                y->A[(size_t)(d->m + y->nr) * R + rim] = wt * w;
        }
    }
    return ZSTR_OK;
}

static void set_penalty(zs_drtsys *y, const zstr_drt *d, int deriv, double scale)
{
    int R = y->rows;
    for (int i = 0; i < d->m; i++) {
        for (int m = 0; m < d->m; m++)
            y->A[(size_t)m * R + y->mdata + i] =
                scale * basis_deriv(d->ym[i] - d->ym[m], d->eps, deriv);
    }
}

static int choose_lambda(zs_drtsys *y, const zstr_drt *d, int deriv, double zscale,
                         double *lambda)
{
    int n = y->ncol, m = y->mdata;
    zs_gcv g = {m, n, NULL, y->b, NULL, NULL, NULL, NULL, NULL, NULL};
    double *Ad = zs_malloc_array((size_t)m * n, sizeof *Ad);
    double *mem = zs_calloc_array((size_t)n * n * 4 + n * 2, sizeof *mem);
    if (Ad == NULL || mem == NULL) {
        free(Ad);
        free(mem);
        return ZSTR_ENOMEM;
    }
    for (int j = 0; j < n; j++)
        memcpy(Ad + (size_t)j * m, y->A + (size_t)j * y->rows, (size_t)m * sizeof *Ad);
    g.A = Ad;
    g.AtA = mem;
    g.DtD = mem + (size_t)n * n;
    g.K = mem + (size_t)2 * n * n;
    g.X = mem + (size_t)3 * n * n;
    g.Atb = mem + (size_t)4 * n * n;
    g.v = g.Atb + n;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int r = 0; r < m; r++)
                s += Ad[(size_t)i * m + r] * Ad[(size_t)j * m + r];
            g.AtA[(size_t)j * n + i] = s;
        }
        double s = 0.0;
        for (int r = 0; r < m; r++)
            s += Ad[(size_t)i * m + r] * y->b[r];
        g.Atb[i] = s;
    }
    for (int i = 0; i < d->m; i++) {
        for (int j = 0; j < d->m; j++) {
            double s = 0.0;
            for (int r = 0; r < d->m; r++)
                s += basis_deriv(d->ym[r] - d->ym[i], d->eps, deriv) *
                     basis_deriv(d->ym[r] - d->ym[j], d->eps, deriv);
            g.DtD[(size_t)j * n + i] = s / (zscale * zscale);
        }
    }
    *lambda = gcv_choose(&g);
    free(Ad);
    free(mem);
    return ZSTR_OK;
}

static int solve_nnls(zs_drtsys *y, double *v)
{
    zs_nnls q;
    memset(&q, 0, sizeof q);
    q.m = y->rows;
    q.n = y->ncol;
    q.A = y->A;
    q.b = y->b;
    int one = 1, info = 0, lw = -1;
    double wq = 0.0;
    dgels_("N", &q.m, &q.n, &one, NULL, &q.m, NULL, &q.m, &wq, &lw, &info);
    q.lwork = wq > q.m + q.n ? (int)wq : q.m + q.n;
    q.x = v;
    q.w = zs_malloc_array((size_t)q.n, 2 * sizeof *q.w);
    q.r = zs_malloc_array((size_t)q.m, 2 * sizeof *q.r);
    q.Ap = zs_malloc_array((size_t)q.m * q.n, sizeof *q.Ap);
    q.work = zs_malloc_array((size_t)q.lwork, sizeof *q.work);
    q.passive = zs_malloc_array((size_t)q.n, sizeof *q.passive);
    int rc = ZSTR_ENOMEM;
    if (q.w != NULL && q.r != NULL && q.Ap != NULL && q.work != NULL && q.passive != NULL) {
        q.s = q.w + q.n;
        q.bp = q.r + q.m;
        rc = nnls_run(&q) == 0 ? ZSTR_OK : ZSTR_ESOLVER;
    }
    free(q.w);
    free(q.r);
    free(q.Ap);
    free(q.work);
    free(q.passive);
    return rc;
}

static int drt_checks(const zstr_spectrum *s, const zstr_drt_options *o, zstr_error *err)
{
    if (s->n < 3)
        return zs_error(err, ZSTR_EINVAL, "zstr_drt_compute: %lld points; need >= 3",
                        (long long)s->n);
    if (!(o->derivative == 1 || o->derivative == 2) || o->part < 0 ||
        o->part > ZSTR_DRT_IMAG || !(o->points_per_decade >= 1.0 &&
                                     o->points_per_decade <= 100.0) ||
        !(o->peak_threshold >= 0.0 && o->peak_threshold < 1.0) || !isfinite(o->lambda))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_drt_options: derivative must be 1 or 2, part 0..2, "
                        "points_per_decade 1..100, peak_threshold in [0, 1), lambda finite");
    for (int64_t k = 0; k < s->n; k++) {
        if (hypot(s->z[2 * k], s->z[2 * k + 1]) == 0.0)
            return zs_error(err, ZSTR_EINVAL, "zstr_drt_compute: |Z| = 0 at f = %g Hz",
                            s->f[k]);
    }
    return ZSTR_OK;
}

/* max |Z_k|: the penalty acts on x / zscale, so that λ is dimensionless like
 * the weighted data rows and one λ (and GCV's search range) serves spectra of
 * 1 Ω and of 1 MΩ alike. */
static double impedance_scale(const zstr_spectrum *s)
{
    double m = 0.0;
    for (int64_t k = 0; k < s->n; k++)
        m = fmax(m, hypot(s->z[2 * k], s->z[2 * k + 1]));
    return m;
}

static int make_grid(const zstr_spectrum *s, double ppd, zstr_drt *d)
{
    double fmin = s->f[0], fmax = s->f[0];
    for (int64_t k = 1; k < s->n; k++) {
        fmin = fmin < s->f[k] ? fmin : s->f[k];
        fmax = fmax > s->f[k] ? fmax : s->f[k];
    }
    double lo = log10(1.0 / (2 * ZS_PI * fmax)) - 1.0, hi = log10(1.0 / (2 * ZS_PI * fmin)) + 1.0;
    int M = (int)ceil((hi - lo) * ppd) + 1;
    if (M > 2000)
        M = 2000;
    double delta = (hi - lo) / (M - 1) * log(10.0);
    d->m = M;
    d->eps = sqrt(log(2.0)) / delta;
    d->ym = zs_malloc_array((size_t)M, sizeof *d->ym);
    d->x = zs_calloc_array((size_t)M + 2, sizeof *d->x);
    d->nfine = (int64_t)ZS_FINE * (M - 1) + 1;
    d->tau = zs_malloc_array((size_t)d->nfine, sizeof *d->tau);
    d->gamma = zs_malloc_array((size_t)d->nfine, sizeof *d->gamma);
    if (d->ym == NULL || d->x == NULL || d->tau == NULL || d->gamma == NULL)
        return ZSTR_ENOMEM;
    for (int m = 0; m < M; m++)
        d->ym[m] = lo * log(10.0) + m * delta;
    return ZSTR_OK;
}

int zstr_drt_compute(const zstr_spectrum *s, const zstr_drt_options *options, zstr_drt **out,
                     zstr_error *err)
{
    zs_error_clear(err);
    if (out != NULL)
        *out = NULL;
    if (s == NULL || out == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_drt_compute: NULL argument");
    zstr_drt_options o;
    zstr_drt_options_default(&o);
    int rc = zs_an_options(options, &o, ZS_SIZE_UPTO(zstr_drt_options, peak_threshold),
                           sizeof o, "zstr_drt_options", err);
    if (rc == ZSTR_OK)
        rc = drt_checks(s, &o, err);
    if (rc != ZSTR_OK)
        return rc;
    zstr_drt *d = calloc(1, sizeof *d);
    zs_drtsys y;
    memset(&y, 0, sizeof y);
    rc = d == NULL ? ZSTR_ENOMEM : make_grid(s, o.points_per_decade, d);
    if (rc == ZSTR_OK)
        rc = build_system(s, &o, d, &y);
    double lambda = o.lambda, zscale = impedance_scale(s);
    if (rc == ZSTR_OK && !(lambda > 0.0))
        rc = choose_lambda(&y, d, o.derivative, zscale, &lambda);
    if (rc == ZSTR_OK) {
        d->lambda = lambda;
        set_penalty(&y, d, o.derivative, sqrt(lambda) / zscale);
        rc = solve_nnls(&y, d->x);
        if (rc == ZSTR_ESOLVER)
            zs_error(err, rc, "zstr_drt_compute: the NNLS iteration did not converge");
    }
    if (rc == ZSTR_OK) {
        d->r_inf = y.nr ? d->x[d->m] : 0.0;
        d->inductance = y.nl ? d->x[d->m + y.nr] : 0.0;
        if (o.part == ZSTR_DRT_IMAG && o.fit_r_inf) { /* R∞ from the real part */
            double num = 0.0, den = 0.0;
            for (int64_t k = 0; k < s->n; k++) {
                double kr, ki, zr = 0.0, w2 = 1.0 / (s->z[2 * k] * s->z[2 * k] +
                                                      s->z[2 * k + 1] * s->z[2 * k + 1]);
                for (int m = 0; m < d->m; m++) {
                    kernel(2 * ZS_PI * s->f[k], d->ym[m], d->eps, &kr, &ki);
                    zr += kr * d->x[m];
                }
                num += w2 * (s->z[2 * k] - zr);
                den += w2;
            }
            d->r_inf = fmax(0.0, num / den);
        }
        for (int64_t i = 0; i < d->nfine; i++) {
            double yy = d->ym[0] + (double)i * (d->ym[1] - d->ym[0]) / ZS_FINE;
            d->tau[i] = exp(yy);
            d->gamma[i] = gamma_at(d, yy);
        }
        rc = find_peaks(d, o.peak_threshold);
    }
    free(y.A);
    free(y.b);
    if (rc != ZSTR_OK) {
        zstr_drt_free(d);
        if (err != NULL && err->code == 0)
            zs_error(err, rc, "zstr_drt_compute: %s", zstr_strerror(rc));
        return rc;
    }
    *out = d;
    return ZSTR_OK;
}

int zstr_drt_eval(const zstr_drt *d, int64_t n, const double *f, double *z, zstr_error *err)
{
    if (d == NULL || n < 0 || (n > 0 && (f == NULL || z == NULL)))
        return zs_error(err, ZSTR_EINVAL, "zstr_drt_eval: NULL argument or n < 0");
    for (int64_t k = 0; k < n; k++) {
        double w = 2 * ZS_PI * f[k], re = d->r_inf, im = w * d->inductance;
        for (int m = 0; m < d->m; m++) {
            double kr, ki;
            kernel(w, d->ym[m], d->eps, &kr, &ki);
            re += kr * d->x[m];
            im += ki * d->x[m];
        }
        z[2 * k] = re;
        z[2 * k + 1] = im;
    }
    return ZSTR_OK;
}
