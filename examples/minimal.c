/*
 * minimal.c — the smallest libzstr program: a homogeneous cell of LLZO-like
 * garnet between two ideal electrodes, its spectrum compared with the exact
 * Z = R / (1 + jωRC).
 *
 *   cc minimal.c $(pkg-config --cflags --libs libzstr) -lm -o minimal && ./minimal
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <zstr.h>

int main(void)
{
    const int64_t n = 10;
    const double h = 10e-6;                    /* 10 µm voxels: a (100 µm)³ cube */
    const double sigma = 0.046, epsr = 150.0; /* 0.46 mS/cm, ε_r = 150 */
    zstr_error err;
    zstr_model *model = NULL;
    zstr_plan *plan = NULL;
    double *f = NULL, *z = NULL;
    int64_t nf = 0;
    int status = EXIT_FAILURE;

    if (zstr_model_create(n, n, n, h, h, h, &model, &err) != ZSTR_OK)
        goto fail;
    zstr_phase_params bulk = {"bulk", sigma, epsr, 0.34, 298.15};
    if (zstr_model_add_phase(model, &bulk, NULL, &err) != ZSTR_OK)
        goto fail;
    if (zstr_plan_create(model, NULL, &plan, &err) != ZSTR_OK)
        goto fail;
    if (zstr_frequencies_log(1.0, 1e9, 2, &f, &nf, &err) != ZSTR_OK)
        goto fail;
    z = malloc(sizeof(double) * 2 * (size_t)nf);
    if (z == NULL) {
        fprintf(stderr, "minimal: out of memory\n");
        goto done;
    }
    if (zstr_sweep(plan, nf, f, z, NULL, &err) != ZSTR_OK)
        goto fail;

    const double l = (double)n * h, a = l * l;
    const double r = l / (sigma * a), c = ZSTR_EPSILON0 * epsr * a / l;
    double worst = 0.0;
    printf("# libzstr %s: homogeneous (100 um)^3 cell, R = %.6g Ohm, C = %.6g F\n",
           zstr_version_string(), r, c);
    printf("%-12s %-14s %-14s %-10s\n", "f_Hz", "Zre_Ohm", "Zim_Ohm", "rel_err");
    for (int64_t k = 0; k < nf; k++) {
        double wrc = 2.0 * 3.14159265358979323846 * f[k] * r * c;
        double re = r / (1.0 + wrc * wrc), im = -r * wrc / (1.0 + wrc * wrc);
        double e = hypot(z[2 * k] - re, z[2 * k + 1] - im) / hypot(re, im);
        worst = e > worst ? e : worst;
        printf("%-12.4g %-14.8g %-14.8g %-10.2e\n", f[k], z[2 * k], z[2 * k + 1], e);
    }
    printf("# largest relative deviation from R/(1+jwRC): %.2e\n", worst);
    status = worst < 1e-10 ? EXIT_SUCCESS : EXIT_FAILURE;
    goto done;
fail:
    fprintf(stderr, "minimal: %s (%s)\n", err.message, zstr_strerror(err.code));
done:
    free(f);
    free(z);
    zstr_plan_free(plan);
    zstr_model_free(model);
    return status;
}
