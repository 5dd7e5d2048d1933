/*
 * morph_label.c — connected components (union-find) and percolation.
 *
 * Labelling.  One pass in voxel order joins every voxel of the set to its
 * already visited neighbours in the set (3 of them for 6-connectivity, 13 for
 * 26), in a disjoint-set forest over voxel indices.  The root of a tree is
 * always its smallest index (a union links the larger root under the
 * smaller), so a component's root is the voxel of it met first, and the
 * labelling does not depend on the order of unions; path halving keeps the
 * finds near-constant, so the pass is near-linear in the voxels.
 *
 * Feret diameter.  For each component the extremes of its voxel centres'
 * projections on 13 lattice directions are kept (26 numbers, one pass); the
 * caliper along a direction is the spread of the centres plus the extent of
 * one voxel cube along it.  This is the exact Feret diameter when the extreme
 * direction is one of the 13 (a box's edges, a cube's diagonal) and a lower
 * bound otherwise (13 directions miss at most about 20 %).
 */
#include "zs_volume.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NDIR 13

static const int dir13[NDIR][3] = {{1, 0, 0},  {0, 1, 0},  {0, 0, 1},  {1, 1, 0}, {1, -1, 0},
                                   {1, 0, 1},  {1, 0, -1}, {0, 1, 1},  {0, 1, -1}, {1, 1, 1},
                                   {1, 1, -1}, {1, -1, 1}, {-1, 1, 1}};

static int32_t find(int32_t *p, int32_t i)
{
    while (p[i] != i) {
        p[i] = p[p[i]];
        i = p[i];
    }
    return i;
}

static void unite(int32_t *p, int32_t a, int32_t b)
{
    a = find(p, a);
    b = find(p, b);
    if (a < b)
        p[b] = a;
    else if (b < a)
        p[a] = b;
}

/* The union pass: parent[i] for voxels of the set, -1 elsewhere. */
static void label_pass(const zstr_volume *v, const uint8_t *m, int conn, int32_t *parent)
{
    const int64_t nx = v->n[0], ny = v->n[1], nz = v->n[2];
    for (int64_t z = 0, i = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++, i++) {
                if (!m[i]) {
                    parent[i] = -1;
                    continue;
                }
                parent[i] = (int32_t)i;
                /* the visited neighbours: dz < 0, or dz = 0 and dy < 0, or dz = dy = 0, dx < 0 */
                for (int dz = -1; dz <= 0; dz++)
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++) {
                            if (dz == 0 && (dy > 0 || (dy == 0 && dx >= 0)))
                                continue;
                            int faces = (dx != 0) + (dy != 0) + (dz != 0);
                            if (conn == 6 && faces != 1)
                                continue;
                            int64_t X = x + dx, Y = y + dy, Z = z + dz;
                            if (X < 0 || X >= nx || Y < 0 || Y >= ny || Z < 0)
                                continue;
                            int64_t j = X + nx * (Y + ny * Z);
                            if (m[j])
                                unite(parent, (int32_t)i, (int32_t)j);
                        }
            }
}

typedef struct comp_acc {
    int64_t voxels, first;
    int touches[6];
    double lo[NDIR], hi[NDIR];
} comp_acc;

static int by_size(const void *a, const void *b)
{
    const comp_acc *x = a, *y = b;
    if (x->voxels != y->voxels)
        return x->voxels > y->voxels ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

static void accumulate(const zstr_volume *v, const int32_t *parent, const int32_t *id,
                       comp_acc *acc, double unit[NDIR][3])
{
    for (int64_t z = 0, i = 0; z < v->n[2]; z++)
        for (int64_t y = 0; y < v->n[1]; y++)
            for (int64_t x = 0; x < v->n[0]; x++, i++) {
                if (parent[i] < 0)
                    continue;
                comp_acc *c = &acc[id[parent[i]]];
                const double p[3] = {((double)x + 0.5) * v->h[0], ((double)y + 0.5) * v->h[1],
                                     ((double)z + 0.5) * v->h[2]};
                const int64_t at[3] = {x, y, z};
                c->voxels++;
                for (int d = 0; d < 3; d++) {
                    c->touches[2 * d] |= at[d] == 0;
                    c->touches[2 * d + 1] |= at[d] == v->n[d] - 1;
                }
                for (int k = 0; k < NDIR; k++) {
                    double s = p[0] * unit[k][0] + p[1] * unit[k][1] + p[2] * unit[k][2];
                    c->lo[k] = fmin(c->lo[k], s);
                    c->hi[k] = fmax(c->hi[k], s);
                }
            }
}

int zstr_morph_components(const zstr_volume *v, int nlabels, const int *labels, int conn,
                          zstr_component **out, int64_t *count, int32_t *map, zstr_error *err)
{
    if (out == NULL || count == NULL || (conn != 6 && conn != 26))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_morph_components: NULL output or connectivity %d (6 or 26)", conn);
    *out = NULL;
    *count = 0;
    uint8_t *m = NULL;
    int rc = zs_morph_mask(v, nlabels, labels, "zstr_morph_components", &m, err);
    if (rc != ZSTR_OK)
        return rc;
    if (v->nvox > INT32_MAX) {
        free(m);
        return zs_error(err, ZSTR_EMEMLIMIT,
                        "zstr_morph_components: %lld voxels exceed the 2^31 of the labelling",
                        (long long)v->nvox);
    }
    int32_t *parent = zs_malloc_array((size_t)v->nvox, sizeof *parent);
    int32_t *id = zs_malloc_array((size_t)v->nvox, sizeof *id);
    if (parent == NULL || id == NULL) {
        free(parent);
        free(id);
        free(m);
        return zs_error(err, ZSTR_ENOMEM, "zstr_morph_components: out of memory");
    }
    label_pass(v, m, conn, parent);
    int64_t k = 0;
    for (int64_t i = 0; i < v->nvox; i++)
        if (parent[i] >= 0) {
            parent[i] = find(parent, (int32_t)i);
            if (parent[i] == i)
                id[i] = (int32_t)k++;
        }
    double need = (double)k * (double)(sizeof(comp_acc) + sizeof(zstr_component));
    comp_acc *acc = need <= zs_mem_limit(0.0) ? zs_calloc_array((size_t)k + 1, sizeof *acc) : NULL;
    zstr_component *c = acc ? zs_calloc_array((size_t)k + 1, sizeof *c) : NULL;
    if (c == NULL) {
        free(acc);
        free(parent);
        free(id);
        free(m);
        return zs_error(err, ZSTR_ENOMEM,
                        "zstr_morph_components: out of memory for %lld components",
                        (long long)k);
    }
    double unit[NDIR][3], cube[NDIR];
    for (int d = 0; d < NDIR; d++) {
        double u[3], len = 0.0;
        for (int a = 0; a < 3; a++) {
            u[a] = dir13[d][a] * v->h[a]; /* the lattice direction in space */
            len += u[a] * u[a];
        }
        cube[d] = 0.0;
        for (int a = 0; a < 3; a++) {
            unit[d][a] = u[a] / sqrt(len);
            cube[d] += fabs(unit[d][a]) * v->h[a];
        }
    }
    for (int64_t j = 0; j < k; j++)
        for (int d = 0; d < NDIR; d++)
            acc[j].lo[d] = INFINITY, acc[j].hi[d] = -INFINITY;
    for (int64_t i = 0; i < v->nvox; i++)
        if (parent[i] == i)
            acc[id[i]].first = i;
    accumulate(v, parent, id, acc, unit);
    /* sort, then renumber the map through the roots' new ranks */
    qsort(acc, (size_t)k, sizeof *acc, by_size);
    double vox = v->h[0] * v->h[1] * v->h[2], total = 0.0, run = 0.0;
    for (int64_t j = 0; j < k; j++) {
        id[acc[j].first] = (int32_t)j;
        total += (double)acc[j].voxels;
    }
    for (int64_t j = 0; j < k; j++) {
        zstr_component *o = &c[j];
        o->voxels = acc[j].voxels;
        o->volume = (double)acc[j].voxels * vox;
        o->equivalent_diameter = cbrt(6.0 * o->volume / ZS_PI);
        for (int d = 0; d < NDIR; d++)
            o->feret_diameter = fmax(o->feret_diameter, acc[j].hi[d] - acc[j].lo[d] + cube[d]);
        run += (double)acc[j].voxels;
        o->cumulative_fraction = run / total;
        memcpy(o->touches, acc[j].touches, sizeof o->touches);
    }
    if (map != NULL)
        for (int64_t i = 0; i < v->nvox; i++)
            map[i] = parent[i] < 0 ? -1 : id[parent[i]];
    free(acc);
    free(parent);
    free(id);
    free(m);
    *out = c;
    *count = k;
    return ZSTR_OK;
}

int zstr_morph_percolation(const zstr_volume *v, int nlabels, const int *labels,
                           int percolates[3], zstr_error *err)
{
    if (percolates == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_morph_percolation: percolates is NULL");
    zstr_component *c = NULL;
    int64_t n = 0;
    int rc = zstr_morph_components(v, nlabels, labels, 6, &c, &n, NULL, err);
    if (rc != ZSTR_OK)
        return rc;
    for (int a = 0; a < 3; a++) {
        percolates[a] = 0;
        for (int64_t j = 0; j < n; j++)
            percolates[a] |= c[j].touches[2 * a] && c[j].touches[2 * a + 1];
    }
    free(c);
    return ZSTR_OK;
}
