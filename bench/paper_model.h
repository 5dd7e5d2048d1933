/*
 * paper_model.h — the benchmarks' one definition of the paper's model
 * (Eckhardt et al. 2023, Fig. 3, case 1, tau_Cstr < tau_CT): a (100 um)^3
 * cube of n^3 voxels, bulk 0.046 S/m (eps_r 150, E_a 0.34 eV), 10 nm grain
 * boundaries of 5.97e-4 S/m (E_a 0.43 eV) on Voronoi grains of 10 um, a
 * centred 22 % square contact spot (R_pol 0.5 Ohm cm^2, C_DL 1.77 F/cm^2) with
 * pores elsewhere (C_pore 885 uF/cm^2), ideal CE.  homogeneous: the bulk phase
 * alone between ideal electrodes.
 */
#ifndef BENCH_PAPER_MODEL_H
#define BENCH_PAPER_MODEL_H

#include "zstr.h"

#include <stdio.h>
#include <stdlib.h>

/* How the grains are grown: zstr_model_voronoi, or (mpi_bench -p) the
 * distributed zstr_mpi_model_voronoi on a process's part. */
typedef int (*bench_grains_fn)(void *ctx, zstr_model *m, const zstr_voronoi_params *vp,
                               int64_t *ngrains, zstr_error *err);

/* The phases, grains and WE interface on m, a model or a process's part of
 * n^3 voxels of 100e-6 / n. */
static int bench_paper_setup(zstr_model *m, int64_t n, uint64_t seed, int homogeneous,
                             bench_grains_fn grains, void *ctx, int64_t *ngrains, zstr_error *err)
{
    const double h = 100e-6 / (double)n;
    uint8_t *px = NULL;
    int rc;
    *ngrains = 0;
    zstr_phase_params bulk = {"bulk", 0.046, 150.0, 0.34, 298.15};
    zstr_phase_params gb = {"gb", 5.97e-4, 150.0, 0.43, 298.15};
    int ib = 0, ig = 0;
    if ((rc = zstr_model_add_phase(m, &bulk, &ib, err)) != ZSTR_OK)
        return rc;
    if (!homogeneous) {
        if ((rc = zstr_model_add_phase(m, &gb, &ig, err)) != ZSTR_OK)
            return rc;
        zstr_voronoi_params vp = {10e-6, seed, ib, ig, 10e-9};
        rc = grains != NULL ? grains(ctx, m, &vp, ngrains, err)
                            : zstr_model_voronoi(m, &vp, ngrains, err);
        if (rc != ZSTR_OK)
            return rc;
        zstr_interface_params ip;
        zstr_interface_params_default(&ip);
        ip.contact_resistance = 0.5e-4; /* R_pol, Ω·m² */
        ip.contact_capacitance = 1.77e4; /* C_DL, F/m² */
        ip.contact_activation_energy = 0.43;
        ip.pore_capacitance = 8.85; /* C_pore, F/m² */
        px = malloc((size_t)(n * n));
        if (px == NULL) {
            if (err != NULL)
                snprintf(err->message, sizeof err->message, "bench: out of memory");
            return ZSTR_ENOMEM;
        }
        if ((rc = zstr_map_square(n, n, h, h, 0.22, ZSTR_PIXEL_PORE, px, NULL, err)) == ZSTR_OK)
            rc = zstr_model_set_interface(m, ZSTR_WE, &ip, px, err);
        free(px);
    }
    return rc;
}

static int bench_paper_model(int64_t n, uint64_t seed, int homogeneous, zstr_model **out,
                             int64_t *ngrains, zstr_error *err)
{
    const double h = 100e-6 / (double)n;
    zstr_model *m = NULL;
    *out = NULL;
    *ngrains = 0;
    int rc = zstr_model_create(n, n, n, h, h, h, &m, err);
    if (rc == ZSTR_OK)
        rc = bench_paper_setup(m, n, seed, homogeneous, NULL, NULL, ngrains, err);
    if (rc != ZSTR_OK) {
        zstr_model_free(m);
        return rc;
    }
    *out = m;
    return ZSTR_OK;
}

#endif
