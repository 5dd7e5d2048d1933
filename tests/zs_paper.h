/*
 * zs_paper.h — the paper's model at test size, for the Check suites and for
 * tests/mpi_sweep.c (which is not a Check program), so both test the same
 * network: Voronoi grains (d = 25 µm, seed 7) of the bulk phase with 10 nm
 * grain-boundary layers in a box of 100 µm side, and a square contact spot of
 * the given area fraction on the WE with the rest pores, SEI or free surface
 * (constriction); with ce_too the same map on the CE.  Parameters are
 * physics.md's (R_pol, C_DL, C_pore, R_SEI, C_SEI).  Header-only.
 */
#ifndef ZS_PAPER_H
#define ZS_PAPER_H

#include "zstr.h"

#include <stdlib.h>

/* How the grains are grown: zstr_model_voronoi, or (tests/mpi_sweep.c) the
 * distributed zstr_mpi_model_voronoi on a process's part of the model. */
typedef int (*zs_paper_grains_fn)(void *ctx, zstr_model *m, const zstr_voronoi_params *vp,
                                  zstr_error *err);

/* The phases, grains (grains == NULL: zstr_model_voronoi) and interfaces of
 * the paper's model on m, a model (or a process's part) of n × n × nz voxels
 * of 100e-6 / n. */
static inline int zs_paper_setup(zstr_model *m, int64_t n, int rest, double fraction, int ce_too,
                                 zs_paper_grains_fn grains, void *ctx, zstr_error *err)
{
    const double h = 100e-6 / (double)n;
    zstr_phase_params bulk = {"bulk", 0.046, 150.0, 0.0, 298.15};
    zstr_phase_params gb = {"gb", 5.97e-4, 150.0, 0.0, 298.15};
    int ib = -1, ig = -1, rc;
    uint8_t *px = NULL;
    if ((rc = zstr_model_add_phase(m, &bulk, &ib, err)) != ZSTR_OK ||
        (rc = zstr_model_add_phase(m, &gb, &ig, err)) != ZSTR_OK)
        return rc;
    zstr_voronoi_params vp = {25e-6, 7, ib, ig, 10e-9};
    rc = grains != NULL ? grains(ctx, m, &vp, err) : zstr_model_voronoi(m, &vp, NULL, err);
    if (rc != ZSTR_OK)
        return rc;
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4;
    ip.contact_capacitance = 1.77e4;
    ip.pore_capacitance = 8.85;
    ip.sei_resistance = 100e-4;
    ip.sei_capacitance = 0.88;
    px = malloc((size_t)(n * n));
    if (px == NULL)
        return ZSTR_ENOMEM;
    if ((rc = zstr_map_square(n, n, h, h, fraction, rest, px, NULL, err)) != ZSTR_OK ||
        (rc = zstr_model_set_interface(m, ZSTR_WE, &ip, px, err)) != ZSTR_OK ||
        (ce_too && (rc = zstr_model_set_interface(m, ZSTR_CE, &ip, px, err)) != ZSTR_OK)) {
        free(px);
        return rc;
    }
    free(px);
    return ZSTR_OK;
}

/* n × n × nz voxels of 100e-6 / n; *out NULL on failure (status returned). */
static inline int zs_paper_model(int64_t n, int64_t nz, int rest, double fraction, int ce_too,
                                 zstr_model **out, zstr_error *err)
{
    const double h = 100e-6 / (double)n;
    zstr_model *m = NULL;
    *out = NULL;
    int rc = zstr_model_create(n, n, nz, h, h, h, &m, err);
    if (rc == ZSTR_OK)
        rc = zs_paper_setup(m, n, rest, fraction, ce_too, NULL, NULL, err);
    if (rc != ZSTR_OK) {
        zstr_model_free(m);
        return rc;
    }
    *out = m;
    return ZSTR_OK;
}

#endif
