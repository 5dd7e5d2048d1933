/*
 * fields.c — potentials and current densities from a solved workspace.
 *
 * A branch between two voxels (or a voxel and an electrode) is a chain of
 * elements through internal nodes that belong to that chain alone, so one
 * current flows through the whole chain: the current of its first element,
 * y·(v_a − v_b), recorded per voxel and axis during assembly.  A voxel's current
 * density along d is the mean of the currents through its two faces normal to d
 * over the face area.  The solve used V_WE = 1, V_CE = 0, which drives the
 * current I = 1/Z; every field is multiplied by Z (the value zstr_execute
 * returned) to give a 1 A excitation, so maps at different frequencies compare
 * directly.
 */
#include "zs_plan.h"

#include <string.h>

/* complex helpers on (re, im) pairs */
static void cmul(const double *a, const double *b, double *out)
{
    double r = a[0] * b[0] - a[1] * b[1], i = a[0] * b[1] + a[1] * b[0];
    out[0] = r;
    out[1] = i;
}

/* current of element e from its node a towards node b, for V_WE = 1 */
static void elem_current(const zs_pencil *p, const double *x, double w, int64_t e, double *cur)
{
    const zs_elem *el = &p->elem[e];
    double vb[2] = {0.0, 0.0};
    if (el->b >= 0) {
        vb[0] = x[2 * el->b];
        vb[1] = x[2 * el->b + 1];
    } else if (el->b == ZS_NODE_WE) {
        vb[0] = 1.0;
    }
    double dv[2] = {x[2 * el->a] - vb[0], x[2 * el->a + 1] - vb[1]};
    double y[2] = {el->g, w * el->c};
    cmul(y, dv, cur);
}

int zstr_fields(const zstr_plan *plan, const zstr_workspace *ws, double *potential,
                double *current_density, double *we_current, zstr_error *err)
{
    zs_error_clear(err);
    if (plan == NULL || ws == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_fields: plan or workspace is NULL");
    if (ws->plan != plan)
        return zs_error(err, ZSTR_EINVAL, "zstr_fields: the workspace belongs to another plan");
    if (!ws->have_solution)
        return zs_error(err, ZSTR_ESTATE,
                        "zstr_fields: the workspace holds no AC solution (run zstr_execute "
                        "at a frequency > 0 first)");
    const zs_pencil *p = &plan->p;
    const double *x = ws->x;
    const double w = ws->omega;
    const int64_t nx = plan->n[0], ny = plan->n[1], nz = plan->n[2];
    const int64_t stride[3] = {1, nx, nx * ny};
    const double *h = plan->h;
    const double area[3] = {h[1] * h[2], h[0] * h[2], h[0] * h[1]};

    /* Z as zstr_execute returned it (from the stationary power form, the
     * accurate one; see execute.c): the currents below then sum to 1 A across
     * every plane up to the solve's accuracy */
    double cur[2];
    const double *z = ws->z;
    if (potential != NULL) {
        for (int64_t i = 0; i < p->nvox; i++)
            cmul(&x[2 * i], z, &potential[2 * i]);
    }
    if (current_density != NULL) {
        memset(current_density, 0, sizeof(double) * 6 * (size_t)p->nvox);
        for (int64_t zz = 0; zz < nz; zz++)
            for (int64_t y = 0; y < ny; y++)
                for (int64_t xx = 0; xx < nx; xx++) {
                    const int64_t i = xx + nx * (y + ny * zz);
                    const int64_t c[3] = {xx, y, zz};
                    for (int d = 0; d < 3; d++) {
                        double sum[2] = {0.0, 0.0};
                        /* face towards −d: the neighbour's branch, its current points +d */
                        int64_t e = c[d] > 0 ? p->branch_elem[3 * (i - stride[d]) + d] : -1;
                        if (c[d] > 0 && e >= 0) {
                            elem_current(p, x, w, e, cur);
                            sum[0] += cur[0];
                            sum[1] += cur[1];
                        } else if (d == 2 && zz == 0 && p->elec_elem[ZSTR_CE][xx + nx * y] >= 0) {
                            /* from the CE into the voxel is the reverse of voxel → CE */
                            elem_current(p, x, w, p->elec_elem[ZSTR_CE][xx + nx * y], cur);
                            sum[0] -= cur[0];
                            sum[1] -= cur[1];
                        }
                        /* face towards +d: this voxel's branch */
                        e = c[d] + 1 < plan->n[d] ? p->branch_elem[3 * i + d] : -1;
                        if (c[d] + 1 < plan->n[d] && e >= 0) {
                            elem_current(p, x, w, e, cur);
                            sum[0] += cur[0];
                            sum[1] += cur[1];
                        } else if (d == 2 && zz == nz - 1 &&
                                   p->elec_elem[ZSTR_WE][xx + nx * y] >= 0) {
                            elem_current(p, x, w, p->elec_elem[ZSTR_WE][xx + nx * y], cur);
                            sum[0] += cur[0];
                            sum[1] += cur[1];
                        }
                        double jd[2] = {0.5 * sum[0] / area[d], 0.5 * sum[1] / area[d]};
                        cmul(jd, z, &current_density[2 * (3 * i + d)]);
                    }
                }
    }
    if (we_current != NULL) {
        for (int64_t y = 0; y < ny; y++)
            for (int64_t xx = 0; xx < nx; xx++) {
                int64_t e = p->elec_elem[ZSTR_WE][xx + nx * y];
                double jw[2] = {0.0, 0.0};
                if (e >= 0) {
                    elem_current(p, x, w, e, cur);
                    /* from the WE into the pixel: the reverse of voxel → WE */
                    jw[0] = -cur[0] / area[2];
                    jw[1] = -cur[1] / area[2];
                }
                cmul(jw, z, &we_current[2 * (xx + nx * y)]);
            }
    }
    return ZSTR_OK;
}
