/*
 * an_arrhenius.c — activation energies from (T, R) pairs.
 *
 * With σ(T) = (σ0/T)·exp(−E_a/k_B T) (physics.md) and R ∝ 1/σ, y = ln[T/(R·A)]
 * is exactly linear in x = 1/T with slope −E_a/k_B; the simpler form
 * y = ln(1/R) is linear only without the 1/T prefactor.  A least-squares line
 * through (x_i, y_i): slope b = Sxy/Sxx, its standard error
 * √(SSE/(n − 2)/Sxx), E_a = −k_B·b.  Centred sums keep the line accurate when
 * 1/T spans a small range.
 */
#include "an_internal.h"

#include <math.h>
#include <string.h>

void zstr_arrhenius_result_init(zstr_arrhenius_result *r)
{
    if (r != NULL) {
        memset(r, 0, sizeof *r);
        r->size = sizeof *r;
    }
}

int zstr_arrhenius_fit(int64_t n, const double *T, const double *R, double area, int form,
                       zstr_arrhenius_result *out, zstr_error *err)
{
    zs_error_clear(err);
    if (T == NULL || R == NULL || out == NULL || n < 2)
        return zs_error(err, ZSTR_EINVAL, "zstr_arrhenius_fit: need n >= 2 and non-NULL arrays");
    int rc = zs_check_size(out->size, ZS_SIZE_UPTO(zstr_arrhenius_result, r_squared),
                           sizeof *out, "zstr_arrhenius_result", err);
    if (rc != ZSTR_OK)
        return rc;
    if (form != ZSTR_ARRHENIUS_SIGMA_T && form != ZSTR_ARRHENIUS_INVERSE_R)
        return zs_error(err, ZSTR_EINVAL, "zstr_arrhenius_fit: unknown form %d", form);
    if (!isfinite(area) || area < 0.0)
        return zs_error(err, ZSTR_EINVAL, "zstr_arrhenius_fit: area %g must be >= 0", area);
    double a = area > 0.0 ? area : 1.0, mx = 0.0, my = 0.0;
    for (int64_t i = 0; i < n; i++) {
        if (!(isfinite(T[i]) && T[i] > 0.0 && isfinite(R[i]) && R[i] > 0.0))
            return zs_error(err, ZSTR_EINVAL,
                            "zstr_arrhenius_fit: pair %lld (T = %g K, R = %g Ohm): both must "
                            "be finite and > 0",
                            (long long)i + 1, T[i], R[i]);
        double x = 1.0 / T[i];
        double y = form == ZSTR_ARRHENIUS_SIGMA_T ? log(T[i] / (R[i] * a)) : -log(R[i]);
        mx += x / (double)n;
        my += y / (double)n;
    }
    double sxx = 0.0, sxy = 0.0, syy = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double x = 1.0 / T[i] - mx;
        double y = (form == ZSTR_ARRHENIUS_SIGMA_T ? log(T[i] / (R[i] * a)) : -log(R[i])) - my;
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
    }
    if (!(sxx > 0.0))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_arrhenius_fit: all temperatures are equal: no slope");
    double b = sxy / sxx, sse = fmax(syy - b * sxy, 0.0);
    out->ea = -ZSTR_KBOLTZ_EV * b;
    out->ea_std_err = n > 2 ? ZSTR_KBOLTZ_EV * sqrt(sse / (double)(n - 2) / sxx) : NAN;
    out->intercept = my - b * mx;
    out->r_squared = syy > 0.0 ? 1.0 - sse / syy : 1.0;
    return ZSTR_OK;
}
