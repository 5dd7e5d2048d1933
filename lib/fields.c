/*
 * fields.c — potentials and current densities from a solved workspace.
 *
 * A branch between two voxels (or a voxel and an electrode) is a chain of
 * elements through internal nodes that belong to that chain alone, so one
 * current flows through the whole chain: the current of its first element,
 * y·(v_a − v_b); the chains are recovered from the pattern
 * (zs_pencil_branches), nothing per branch is stored.  A voxel's current
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

/* Adds each branch's current to the faces it crosses (zs_pencil_branches):
 * sum[2·(3i + d)] accumulates the currents through voxel i's two faces normal
 * to d, both counted along +d; we[2·pixel] the current from the WE into its
 * pixel. */
typedef struct field_ctx {
    const double *x;
    double w;
    double *sum; /* 6·nvox, or NULL */
    double *we;  /* 2·npix, or NULL */
} field_ctx;

static int field_take(void *ctx, const zs_branch *br)
{
    field_ctx *f = ctx;
    /* the first element's current from a towards next, for V_WE = 1 */
    double vn[2] = {0.0, 0.0};
    if (br->next >= 0) {
        vn[0] = f->x[2 * br->next];
        vn[1] = f->x[2 * br->next + 1];
    } else if (br->b == ZS_NODE_WE) {
        vn[0] = 1.0;
    }
    double dv[2] = {f->x[2 * br->a] - vn[0], f->x[2 * br->a + 1] - vn[1]};
    double y[2] = {br->g, f->w * br->c}, cur[2];
    cmul(y, dv, cur);
    if (f->sum != NULL) {
        /* a voxel branch leaves a through its +d face and enters b through its
         * −d face; the CE branch leaves the bottom voxel through its −z face,
         * against +z; the WE branch leaves the top voxel through its +z face */
        double sign = br->b == ZS_NODE_CE ? -1.0 : 1.0;
        f->sum[2 * (3 * br->a + br->dir)] += sign * cur[0];
        f->sum[2 * (3 * br->a + br->dir) + 1] += sign * cur[1];
        if (br->b >= 0) {
            f->sum[2 * (3 * br->b + br->dir)] += cur[0];
            f->sum[2 * (3 * br->b + br->dir) + 1] += cur[1];
        }
    }
    if (f->we != NULL && br->b == ZS_NODE_WE) {
        /* from the WE into the pixel: the reverse of voxel → WE */
        f->we[2 * br->pixel] = -cur[0];
        f->we[2 * br->pixel + 1] = -cur[1];
    }
    return 0;
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
    const int64_t nx = plan->n[0], ny = plan->n[1];
    const double *h = plan->h;
    const double area[3] = {h[1] * h[2], h[0] * h[2], h[0] * h[1]};

    /* Z as zstr_execute returned it (from the stationary power form, the
     * accurate one; see execute.c): the currents below then sum to 1 A across
     * every plane up to the solve's accuracy */
    const double *z = ws->z;
    if (potential != NULL) {
        for (int64_t i = 0; i < p->nvox; i++)
            cmul(&x[2 * i], z, &potential[2 * i]);
    }
    field_ctx f = {x, w, current_density, we_current};
    if (current_density != NULL)
        memset(current_density, 0, sizeof(double) * 6 * (size_t)p->nvox);
    if (we_current != NULL)
        memset(we_current, 0, sizeof(double) * 2 * (size_t)(nx * ny));
    if (current_density != NULL || we_current != NULL)
        zs_pencil_branches(p, field_take, &f);
    if (current_density != NULL) {
        for (int64_t i = 0; i < p->nvox; i++)
            for (int d = 0; d < 3; d++) {
                double *cd = &current_density[2 * (3 * i + d)];
                double jd[2] = {0.5 * cd[0] / area[d], 0.5 * cd[1] / area[d]};
                cmul(jd, z, cd);
            }
    }
    if (we_current != NULL) {
        for (int64_t k = 0; k < nx * ny; k++) {
            double *jw = &we_current[2 * k];
            double v[2] = {jw[0] / area[2], jw[1] / area[2]};
            cmul(v, z, jw);
        }
    }
    return ZSTR_OK;
}
