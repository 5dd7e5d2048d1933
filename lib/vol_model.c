/*
 * vol_model.c — a volume as a zstr_model, and the DC tortuosity factor.
 *
 * Mapping.  The model's transport axis is z; a volume measured along x or y
 * is turned by a cyclic permutation of its axes (a rotation, never a mirror),
 * so model voxel (x', y', z') is volume voxel c with c[a] = z',
 * c[(a+1)%3] = x', c[(a+2)%3] = y'.  Labels map to phases through an explicit
 * table; a label without a phase is an error, since guessing would put a
 * pore where the image has solid.  Grain-id volumes become grains of one
 * phase with a GB layer between different labels.  The WE map is read from
 * the top layer z' = n'−1: voxels of the pore phase touching the electrode
 * become pore pixels.
 *
 * Tortuosity factor.  With ideal electrodes the network of a column of voxels
 * is the exact series of their resistances, so for a layered medium R_DC is
 * the series formula; σ_eff = L/(R·A) and τ = ε·σ_phase/σ_eff follow.
 */
#include "zs_volume.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ZS_VMODEL_FIRST ZS_SIZE_UPTO(zstr_volume_model_params, we)
#define ZS_TORT_FIRST ZS_SIZE_UPTO(zstr_tortuosity_result, open_circuit)

void zstr_volume_model_params_default(zstr_volume_model_params *p)
{
    if (p == NULL)
        return;
    memset(p, 0, sizeof *p);
    p->size = sizeof *p;
    p->axis = 2;
    p->we_pore_phase = -1;
    zstr_interface_params_default(&p->we);
}

static int fill_labels(const zstr_volume *v, const zstr_volume_model_params *p, const int64_t mn[3],
                       int64_t zoff, int32_t *lab, int32_t *grain, zstr_error *err)
{
    int a = p->axis;
    for (int64_t z = 0; z < mn[2]; z++)
        for (int64_t y = 0; y < mn[1]; y++)
            for (int64_t x = 0; x < mn[0]; x++) {
                int64_t c[3];
                c[a] = z;
                c[(a + 1) % 3] = x;
                c[(a + 2) % 3] = y;
                int label = v->labels[c[0] + v->n[0] * (c[1] + v->n[1] * c[2])];
                int64_t i = x + mn[0] * (y + mn[1] * z);
                int ph = label < p->nlabels && p->label_phase != NULL ? p->label_phase[label] : -1;
                if (p->grains) {
                    grain[i] = label;
                    lab[i] = ph >= 0 ? ph : p->grain_phase;
                } else if (ph < 0 || ph >= p->nphases)
                    return zs_error(err, ZSTR_EINVAL,
                                    "zstr_volume_to_model: label %d at volume voxel (%lld, %lld, "
                                    "%lld) has no phase in the label table",
                                    label, (long long)(c[0] + (a == 0 ? zoff : 0)),
                                    (long long)(c[1] + (a == 1 ? zoff : 0)),
                                    (long long)(c[2] + (a == 2 ? zoff : 0)));
                else
                    lab[i] = ph;
            }
    return ZSTR_OK;
}

static int set_we_map(zstr_model *m, const zstr_volume_model_params *p, const int64_t mn[3],
                      const int32_t *lab, zstr_error *err)
{
    uint8_t *px = zs_malloc_array((size_t)(mn[0] * mn[1]), 1);
    if (px == NULL)
        return zs_error(err, ZSTR_ENOMEM, "zstr_volume_to_model: out of memory");
    int64_t top = mn[0] * mn[1] * (mn[2] - 1);
    for (int64_t i = 0; i < mn[0] * mn[1]; i++)
        px[i] = lab[top + i] == p->we_pore_phase ? ZSTR_PIXEL_PORE : ZSTR_PIXEL_CONTACT;
    int rc = zstr_model_set_interface(m, ZSTR_WE, &p->we, px, err);
    free(px);
    return rc;
}

int zstr_volume_to_model(const zstr_volume *v, const zstr_volume_model_params *params,
                         zstr_model **out, zstr_error *err)
{
    return zs_volume_to_model_at(v, params, 0, out, err);
}

int zs_volume_to_model_at(const zstr_volume *v, const zstr_volume_model_params *params,
                          int64_t zoff, zstr_model **out, zstr_error *err)
{
    if (out == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_to_model: out is NULL");
    *out = NULL;
    if (v == NULL || params == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_volume_to_model: volume or params is NULL");
    zstr_volume_model_params p;
    zstr_volume_model_params_default(&p);
    int rc = zs_check_size(params->size, ZS_VMODEL_FIRST, sizeof p, "zstr_volume_model_params",
                           err);
    if (rc != ZSTR_OK)
        return rc;
    memcpy(&p, params, params->size);
    if (p.axis < 0 || p.axis > 2 || p.nphases < 1 || p.phases == NULL || p.nlabels < 0 ||
        (p.nlabels > 0 && p.label_phase == NULL) || (!p.grains && p.nlabels < 1))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_volume_to_model: axis %d, %d phases, %d labels: need axis 0..2, "
                        "phases and a label table",
                        p.axis, p.nphases, p.nlabels);
    int a = p.axis;
    const int64_t mn[3] = {v->n[(a + 1) % 3], v->n[(a + 2) % 3], v->n[a]};
    const double mh[3] = {v->h[(a + 1) % 3], v->h[(a + 2) % 3], v->h[a]};
    zstr_model *m = NULL;
    rc = zstr_model_create(mn[0], mn[1], mn[2], mh[0], mh[1], mh[2], &m, err);
    for (int k = 0; rc == ZSTR_OK && k < p.nphases; k++)
        rc = zstr_model_add_phase(m, &p.phases[k], NULL, err);
    int32_t *lab = rc == ZSTR_OK ? zs_malloc_array((size_t)v->nvox, sizeof *lab) : NULL;
    int32_t *grain = rc == ZSTR_OK && p.grains ? zs_malloc_array((size_t)v->nvox, sizeof *grain)
                                               : NULL;
    if (rc == ZSTR_OK && (lab == NULL || (p.grains && grain == NULL)))
        rc = zs_error(err, ZSTR_ENOMEM, "zstr_volume_to_model: out of memory");
    if (rc == ZSTR_OK)
        rc = fill_labels(v, &p, mn, zoff, lab, grain, err);
    if (rc == ZSTR_OK)
        rc = zstr_model_set_labels(m, lab, err);
    if (rc == ZSTR_OK && p.grains)
        rc = zstr_model_set_grains(m, grain, p.boundary_phase, p.boundary_thickness, err);
    if (rc == ZSTR_OK && p.we_pore_phase >= 0)
        rc = set_we_map(m, &p, mn, lab, err);
    free(lab);
    free(grain);
    if (rc != ZSTR_OK) {
        zstr_model_free(m);
        return rc;
    }
    *out = m;
    return ZSTR_OK;
}

int zstr_model_tortuosity_factor(const zstr_model *m, int phase, const zstr_options *options,
                                 zstr_tortuosity_result *res, zstr_error *err)
{
    if (m == NULL || res == NULL || phase < 0 || phase >= m->nphases)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_model_tortuosity_factor: NULL argument or no phase %d", phase);
    int rc = zs_check_size(res->size, ZS_TORT_FIRST, sizeof *res, "zstr_tortuosity_result", err);
    if (rc != ZSTR_OK)
        return rc;
    zstr_plan *plan = NULL;
    rc = zstr_plan_create(m, options, &plan, err);
    if (rc != ZSTR_OK)
        return rc;
    zstr_dc_result dc;
    zstr_dc_result_init(&dc);
    rc = zstr_dc_resistance(plan, &dc, err);
    zstr_plan_free(plan);
    if (rc < 0)
        return rc;
    int64_t in = 0;
    for (int64_t i = 0; i < m->nvox; i++)
        in += m->labels[i] == phase;
    const zs_phase *ph = &m->phases[phase];
    size_t size = res->size;
    memset(res, 0, size);
    res->size = size;
    double area = (double)m->n[0] * m->h[0] * (double)m->n[1] * m->h[1];
    double length = (double)m->n[2] * m->h[2];
    res->resistance = dc.resistance;
    res->open_circuit = dc.open_circuit;
    res->sigma_eff = dc.open_circuit ? 0.0 : length / (dc.resistance * area);
    res->volume_fraction = (double)in / (double)m->nvox;
    res->sigma_phase = ph->conductivity * zs_arrhenius(ph->activation_energy,
                                                      ph->reference_temperature, m->temperature);
    res->tortuosity_factor = dc.open_circuit ? INFINITY
                                             : res->volume_fraction * res->sigma_phase /
                                                   res->sigma_eff;
    return rc;
}
