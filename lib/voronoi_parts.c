/*
 * voronoi_parts.c — Voronoi grains slab by slab (zs_voronoi.h): the pieces of a
 * slab, the contacts across slab faces, and the connectivity post-process of
 * voronoi.c played on the graph of pieces.
 *
 * Why the graph gives the voxel algorithm's grains
 * ------------------------------------------------
 * voronoi.c works in passes.  A pass labels the 6-connected components of
 * equal grain, in the order of their first voxel (a breadth-first search
 * started at every unlabelled voxel in index order starts each component at
 * its first voxel); takes for each grain its largest component (the first on
 * ties); then, in component order, recolours every other component (a
 * fragment) as a whole to the grain it shares most faces with (ties: lower
 * grain), unless one of its neighbour voxels was recoloured earlier in the
 * pass.  Every quantity this reads is a property of whole components:
 *   - components are unions of pieces joined by same-grain contacts, and
 *     after a pass, unions of the previous components joined where their
 *     grains became equal (recolouring never splits a component);
 *   - size and first voxel of a union are the sum and the least;
 *   - the faces a fragment shares with grain o are the sum, over the
 *     components of grain o it touches, of the faces between the two;
 *   - "a neighbour voxel was recoloured in this pass" is "a neighbouring
 *     component was recoloured in this pass" (a recolouring takes whole
 *     components), and since such fragments are skipped, the grains a
 *     fragment counts are those of the pass's start.
 * So the same passes on the graph (nodes = components, edges = shared faces)
 * make the same choices, and a piece ends in the grain its voxels end in.
 * The final renumbering (order of first appearance in voxel order) is the
 * order of the final components' first voxels: each grain is then one
 * component.
 *
 * Cost: a slab's pieces take one breadth-first search (int32 piece id and an
 * int64 queue per voxel, the queue freed on return); the graph has a node per
 * piece and an edge per touching pair, about 7 per grain and slab it meets —
 * far below a voxel count.  Each pass sorts the edges once.
 */
#include "zs_voronoi.h"

#include <stdlib.h>
#include <string.h>

void zs_vor_graph_free(zs_vor_graph *g)
{
    if (g == NULL)
        return;
    free(g->grain);
    free(g->size);
    free(g->minidx);
    free(g->ea);
    free(g->eb);
    free(g->ef);
    free(g->ua);
    free(g->ub);
    memset(g, 0, sizeof *g);
}

void zs_vor_part_free(zs_vor_part *pt)
{
    if (pt == NULL)
        return;
    zs_vor_graph_free(&pt->g);
    free(pt->piece);
    memset(pt, 0, sizeof *pt);
}

/* ---- growing arrays of edges ---------------------------------------------- */

typedef struct edge {
    int64_t a, b, f;
} edge;

typedef struct edges {
    edge *e;
    int64_t n, cap;
} edges;

static int edges_push(edges *E, int64_t a, int64_t b, int64_t f)
{
    if (E->n == E->cap) {
        int64_t cap = E->cap < 64 ? 64 : 2 * E->cap;
        edge *t = zs_malloc_array((size_t)cap, sizeof *t);
        if (t == NULL)
            return ZSTR_ENOMEM;
        if (E->n > 0)
            memcpy(t, E->e, (size_t)E->n * sizeof *t);
        free(E->e);
        E->e = t;
        E->cap = cap;
    }
    E->e[E->n++] = (edge){a, b, f};
    return ZSTR_OK;
}

static int edge_cmp(const void *pa, const void *pb)
{
    const edge *x = pa, *y = pb;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

/* Sort by (a, b) and add the counts of equal pairs. */
static void edges_merge(edges *E)
{
    if (E->n == 0)
        return;
    qsort(E->e, (size_t)E->n, sizeof *E->e, edge_cmp);
    int64_t k = 0;
    for (int64_t i = 1; i < E->n; i++) {
        if (E->e[i].a == E->e[k].a && E->e[i].b == E->e[k].b)
            E->e[k].f += E->e[i].f;
        else
            E->e[++k] = E->e[i];
    }
    E->n = k + 1;
}

/* Copy E into the graph's edge arrays (or union arrays when unions). */
static int edges_store(const edges *E, zs_vor_graph *g, int unions)
{
    size_t n = E->n > 0 ? (size_t)E->n : 1;
    int64_t *a = zs_malloc_array(n, sizeof *a), *b = zs_malloc_array(n, sizeof *b);
    int64_t *f = unions ? NULL : zs_malloc_array(n, sizeof *f);
    if (a == NULL || b == NULL || (!unions && f == NULL)) {
        free(a);
        free(b);
        free(f);
        return ZSTR_ENOMEM;
    }
    for (int64_t i = 0; i < E->n; i++) {
        a[i] = E->e[i].a;
        b[i] = E->e[i].b;
        if (!unions)
            f[i] = E->e[i].f;
    }
    if (unions) {
        g->nu = E->n;
        g->ua = a;
        g->ub = b;
    } else {
        g->ne = E->n;
        g->ea = a;
        g->eb = b;
        g->ef = f;
    }
    return ZSTR_OK;
}

/* ---- a slab's pieces ------------------------------------------------------ */

int zs_vor_part_build(const int32_t *raw, const int64_t n[3], int64_t z0, int64_t z1,
                      zs_vor_part *pt, zstr_error *err)
{
    memset(pt, 0, sizeof *pt);
    memcpy(pt->n, n, sizeof pt->n);
    pt->z0 = z0;
    pt->z1 = z1;
    const int64_t nx = n[0], ny = n[1], L = nx * ny, nv = L * (z1 - z0);
    const int64_t nz = z1 - z0;
    int64_t *queue = zs_malloc_array((size_t)nv, sizeof *queue);
    int64_t *start = NULL, *faces = NULL, *touched = NULL;
    int64_t cap = 1024, np = 0;
    edges E = {NULL, 0, 0};
    zs_vor_graph *g = &pt->g;
    pt->piece = zs_malloc_array((size_t)nv, sizeof *pt->piece);
    start = zs_malloc_array((size_t)cap, sizeof *start);
    int rc = queue != NULL && pt->piece != NULL && start != NULL ? ZSTR_OK : ZSTR_ENOMEM;
    /* 1: pieces by breadth-first search; the queue holds them one after another */
    int64_t pos = 0;
    for (int64_t v = 0; v < nv && rc == ZSTR_OK; v++)
        pt->piece[v] = -1;
    for (int64_t v = 0; v < nv && rc == ZSTR_OK; v++) {
        if (pt->piece[v] >= 0)
            continue;
        if (np >= INT32_MAX) {
            rc = zs_error(err, ZSTR_ERANGE, "more than %ld pieces of grains in layers %lld..%lld",
                          (long)INT32_MAX, (long long)z0, (long long)z1 - 1);
            break;
        }
        if (np + 1 >= cap) {
            int64_t *t = zs_malloc_array(2 * (size_t)cap, sizeof *t);
            if (t == NULL) {
                rc = ZSTR_ENOMEM;
                break;
            }
            memcpy(t, start, (size_t)np * sizeof *t);
            free(start);
            start = t;
            cap *= 2;
        }
        const int32_t gr = raw[v];
        const int32_t id = (int32_t)np;
        start[np++] = pos;
        pt->piece[v] = id;
        queue[pos++] = v;
        for (int64_t h = pos - 1; h < pos; h++) {
            int64_t nb[6];
            const int k = zs_face_neighbours(queue[h], nx, ny, nz, nb);
            for (int i = 0; i < k; i++) {
                if (pt->piece[nb[i]] < 0 && raw[nb[i]] == gr) {
                    pt->piece[nb[i]] = id;
                    queue[pos++] = nb[i];
                }
            }
        }
    }
    if (rc == ZSTR_OK) {
        start[np] = pos;
        g->np = np;
        g->grain = zs_malloc_array((size_t)np, sizeof *g->grain);
        g->size = zs_malloc_array((size_t)np, sizeof *g->size);
        g->minidx = zs_malloc_array((size_t)np, sizeof *g->minidx);
        faces = zs_calloc_array((size_t)np, sizeof *faces);
        touched = zs_malloc_array((size_t)np, sizeof *touched);
        if (g->grain == NULL || g->size == NULL || g->minidx == NULL || faces == NULL ||
            touched == NULL)
            rc = ZSTR_ENOMEM;
    }
    /* 2: per piece, the faces it shares with pieces of higher id */
    for (int64_t p = 0; p < np && rc == ZSTR_OK; p++) {
        const int64_t first = queue[start[p]];
        g->grain[p] = raw[first];
        g->size[p] = start[p + 1] - start[p];
        g->minidx[p] = z0 * L + first;
        int64_t nt = 0;
        for (int64_t j = start[p]; j < start[p + 1]; j++) {
            int64_t nb[6];
            const int k = zs_face_neighbours(queue[j], nx, ny, nz, nb);
            for (int i = 0; i < k; i++) {
                int64_t q = pt->piece[nb[i]];
                if (q > p && faces[q]++ == 0)
                    touched[nt++] = q;
            }
        }
        for (int64_t t = 0; t < nt && rc == ZSTR_OK; t++) {
            rc = edges_push(&E, p, touched[t], faces[touched[t]]);
            faces[touched[t]] = 0;
        }
    }
    if (rc == ZSTR_OK) {
        edges_merge(&E); /* sorted, for a reproducible order */
        rc = edges_store(&E, g, 0);
    }
    free(queue);
    free(start);
    free(faces);
    free(touched);
    free(E.e);
    if (rc == ZSTR_ENOMEM)
        rc = zs_error(err, ZSTR_ENOMEM,
                      "Voronoi grains: out of memory for the pieces of layers %lld..%lld",
                      (long long)z0, (long long)z1 - 1);
    if (rc != ZSTR_OK)
        zs_vor_part_free(pt);
    return rc;
}

int zs_vor_part_cross(const zs_vor_part *pt, const int32_t *next_piece, const int32_t *next_grain,
                      int64_t own_off, int64_t next_off, zs_vor_graph *out, zstr_error *err)
{
    memset(out, 0, sizeof *out);
    const int64_t L = pt->n[0] * pt->n[1];
    const int32_t *top = pt->piece + L * (pt->z1 - pt->z0 - 1);
    edges F = {NULL, 0, 0}, U = {NULL, 0, 0};
    int rc = ZSTR_OK;
    for (int64_t k = 0; k < L && rc == ZSTR_OK; k++) {
        int64_t a = own_off + top[k], b = next_off + next_piece[k];
        if (pt->g.grain[top[k]] == next_grain[k])
            rc = edges_push(&U, a, b, 1);
        else
            rc = edges_push(&F, a, b, 1);
    }
    if (rc == ZSTR_OK) {
        edges_merge(&F);
        edges_merge(&U);
        rc = edges_store(&F, out, 0);
    }
    if (rc == ZSTR_OK)
        rc = edges_store(&U, out, 1);
    free(F.e);
    free(U.e);
    if (rc != ZSTR_OK) {
        zs_vor_graph_free(out);
        return zs_error(err, ZSTR_ENOMEM,
                        "Voronoi grains: out of memory for the contacts above layer %lld",
                        (long long)pt->z1 - 1);
    }
    return ZSTR_OK;
}

/* ---- the post-process on the graph ----------------------------------------- */

/* The current components: nn nodes with grain, size, first voxel; the
 * adjacency (both directions) in CSR form, rebuilt after every merge. */
typedef struct nodes {
    int64_t nn;
    int32_t *grain;
    int64_t *size, *minidx;
    edges E;        /* a < b, merged */
    int64_t *adj_p; /* nn + 1 */
    int64_t *adj_j; /* 2·E.n neighbours */
    int64_t *adj_f; /* and faces */
} nodes;

static void nodes_free(nodes *N)
{
    free(N->grain);
    free(N->size);
    free(N->minidx);
    free(N->E.e);
    free(N->adj_p);
    free(N->adj_j);
    free(N->adj_f);
    memset(N, 0, sizeof *N);
}

static int build_adjacency(nodes *N)
{
    free(N->adj_p);
    free(N->adj_j);
    free(N->adj_f);
    size_t m = 2 * (size_t)N->E.n + 1;
    N->adj_p = zs_calloc_array((size_t)N->nn + 1, sizeof *N->adj_p);
    N->adj_j = zs_malloc_array(m, sizeof *N->adj_j);
    N->adj_f = zs_malloc_array(m, sizeof *N->adj_f);
    if (N->adj_p == NULL || N->adj_j == NULL || N->adj_f == NULL)
        return ZSTR_ENOMEM;
    for (int64_t i = 0; i < N->E.n; i++) {
        N->adj_p[N->E.e[i].a + 1]++;
        N->adj_p[N->E.e[i].b + 1]++;
    }
    for (int64_t v = 0; v < N->nn; v++)
        N->adj_p[v + 1] += N->adj_p[v];
    for (int64_t i = 0; i < N->E.n; i++) {
        const edge *e = &N->E.e[i];
        int64_t qa = N->adj_p[e->a]++, qb = N->adj_p[e->b]++;
        N->adj_j[qa] = e->b;
        N->adj_f[qa] = e->f;
        N->adj_j[qb] = e->a;
        N->adj_f[qb] = e->f;
    }
    for (int64_t v = N->nn; v > 0; v--)
        N->adj_p[v] = N->adj_p[v - 1];
    N->adj_p[0] = 0;
    return ZSTR_OK;
}

/* Collapse the nodes by root[] (root[v] <= v, a union-find's roots): the new
 * nodes in order of their first voxel; map[v] gets v's new node. */
static int collapse(nodes *N, int64_t *parent, int64_t *map)
{
    int64_t nn = 0;
    for (int64_t v = 0; v < N->nn; v++) {
        if (zs_uf_find(parent, v) == v)
            map[v] = nn++;
    }
    for (int64_t v = 0; v < N->nn; v++)
        map[v] = map[zs_uf_find(parent, v)];
    int32_t *grain = zs_malloc_array((size_t)nn, sizeof *grain);
    int64_t *size = zs_calloc_array((size_t)nn, sizeof *size);
    int64_t *minidx = zs_malloc_array((size_t)nn, sizeof *minidx);
    if (grain == NULL || size == NULL || minidx == NULL) {
        free(grain);
        free(size);
        free(minidx);
        return ZSTR_ENOMEM;
    }
    for (int64_t w = 0; w < nn; w++)
        minidx[w] = INT64_MAX;
    for (int64_t v = 0; v < N->nn; v++) {
        int64_t w = map[v];
        grain[w] = N->grain[v];
        size[w] += N->size[v];
        minidx[w] = N->minidx[v] < minidx[w] ? N->minidx[v] : minidx[w];
    }
    int64_t k = 0;
    for (int64_t i = 0; i < N->E.n; i++) {
        int64_t a = map[N->E.e[i].a], b = map[N->E.e[i].b];
        if (a == b)
            continue;
        N->E.e[k++] = (edge){a < b ? a : b, a < b ? b : a, N->E.e[i].f};
    }
    N->E.n = k;
    edges_merge(&N->E);
    free(N->grain);
    free(N->size);
    free(N->minidx);
    N->grain = grain;
    N->size = size;
    N->minidx = minidx;
    N->nn = nn;
    return build_adjacency(N);
}

/* Node order by first voxel. */
typedef struct keyed {
    int64_t key, v;
} keyed;

static int keyed_cmp(const void *pa, const void *pb)
{
    const keyed *x = pa, *y = pb;
    return (x->key > y->key) - (x->key < y->key);
}

int zs_vor_resolve(const zs_vor_graph *g, int64_t nseeds, int32_t *final, int64_t *ngrains,
                   zstr_error *err)
{
    const int64_t np = g->np;
    for (int64_t p = 0; p < np; p++) {
        if (g->grain[p] < 0 || g->grain[p] >= nseeds || g->size[p] < 1)
            return zs_error(err, ZSTR_EINVAL, "Voronoi grains: piece %lld is inconsistent",
                            (long long)p);
    }
    for (int64_t i = 0; i < g->ne + g->nu; i++) {
        int64_t a = i < g->ne ? g->ea[i] : g->ua[i - g->ne];
        int64_t b = i < g->ne ? g->eb[i] : g->ub[i - g->ne];
        if (a < 0 || a >= np || b < 0 || b >= np || a == b ||
            ((i < g->ne) == (g->grain[a] == g->grain[b])))
            return zs_error(err, ZSTR_EINVAL, "Voronoi grains: contact %lld is inconsistent",
                            (long long)i);
    }
    nodes N;
    memset(&N, 0, sizeof N);
    int64_t *parent = zs_malloc_array((size_t)np + 1, sizeof *parent);
    int64_t *pnode = zs_malloc_array((size_t)np + 1, sizeof *pnode);
    int64_t *map = zs_malloc_array((size_t)np + 1, sizeof *map);
    keyed *order = zs_malloc_array((size_t)np + 1, sizeof *order);
    int64_t *largest = zs_malloc_array((size_t)nseeds, sizeof *largest);
    int64_t *faces = zs_calloc_array((size_t)nseeds, sizeof *faces);
    int32_t *touched = zs_malloc_array((size_t)nseeds, sizeof *touched);
    uint8_t *flag = zs_malloc_array((size_t)np + 1, 1);
    N.grain = zs_malloc_array((size_t)np + 1, sizeof *N.grain);
    N.size = zs_malloc_array((size_t)np + 1, sizeof *N.size);
    N.minidx = zs_malloc_array((size_t)np + 1, sizeof *N.minidx);
    int rc = parent && pnode && map && order && largest && faces && touched && flag && N.grain &&
                     N.size && N.minidx
                 ? ZSTR_OK
                 : ZSTR_ENOMEM;
    /* the nodes start as the pieces, joined where one grain crosses a face */
    if (rc == ZSTR_OK) {
        N.nn = np;
        memcpy(N.grain, g->grain, (size_t)np * sizeof *N.grain);
        memcpy(N.size, g->size, (size_t)np * sizeof *N.size);
        memcpy(N.minidx, g->minidx, (size_t)np * sizeof *N.minidx);
        for (int64_t i = 0; i < g->ne && rc == ZSTR_OK; i++) {
            int64_t a = g->ea[i], b = g->eb[i];
            rc = edges_push(&N.E, a < b ? a : b, a < b ? b : a, g->ef[i]);
        }
    }
    if (rc == ZSTR_OK) {
        for (int64_t v = 0; v < np; v++)
            parent[v] = v;
        for (int64_t i = 0; i < g->nu; i++)
            zs_uf_union(parent, g->ua[i], g->ub[i]);
        rc = collapse(&N, parent, map);
    }
    if (rc == ZSTR_OK) {
        for (int64_t p = 0; p < np; p++)
            pnode[p] = map[p];
    }
    for (int64_t s = 0; s < nseeds && rc == ZSTR_OK; s++)
        largest[s] = -1;
    /* the passes of voronoi.c's connect_grains */
    while (rc == ZSTR_OK) {
        for (int64_t v = 0; v < N.nn; v++)
            order[v] = (keyed){N.minidx[v], v};
        qsort(order, (size_t)N.nn, sizeof *order, keyed_cmp);
        for (int64_t i = 0; i < N.nn; i++) {
            int64_t v = order[i].v, l = largest[N.grain[v]];
            if (l < 0 || N.size[v] > N.size[l])
                largest[N.grain[v]] = v;
        }
        for (int64_t v = 0; v < N.nn; v++)
            flag[v] = 0;
        int64_t fragments = 0;
        for (int64_t i = 0; i < N.nn; i++) {
            int64_t c = order[i].v;
            int32_t gc = N.grain[c];
            if (largest[gc] == c)
                continue;
            fragments++;
            int skip = 0;
            for (int64_t q = N.adj_p[c]; q < N.adj_p[c + 1]; q++)
                skip |= flag[N.adj_j[q]];
            if (skip)
                continue;
            int64_t nt = 0;
            for (int64_t q = N.adj_p[c]; q < N.adj_p[c + 1]; q++) {
                int32_t o = N.grain[N.adj_j[q]];
                if (faces[o] == 0)
                    touched[nt++] = o;
                faces[o] += N.adj_f[q];
            }
            int32_t to = gc;
            int64_t most = 0;
            for (int64_t t = 0; t < nt; t++) {
                int32_t o = touched[t];
                int64_t f = faces[o];
                faces[o] = 0;
                if (f > most || (f == most && o < to)) {
                    most = f;
                    to = o;
                }
            }
            if (to != gc) {
                N.grain[c] = to;
                flag[c] = 1;
            }
        }
        for (int64_t v = 0; v < N.nn; v++)
            largest[N.grain[v]] = -1;
        if (fragments == 0)
            break;
        for (int64_t v = 0; v < N.nn; v++)
            parent[v] = v;
        for (int64_t i = 0; i < N.E.n; i++) {
            if (N.grain[N.E.e[i].a] == N.grain[N.E.e[i].b])
                zs_uf_union(parent, N.E.e[i].a, N.E.e[i].b);
        }
        int64_t before = N.nn;
        rc = collapse(&N, parent, map);
        if (rc == ZSTR_OK) {
            for (int64_t p = 0; p < np; p++)
                pnode[p] = map[pnode[p]];
            if (N.nn == before) /* cannot happen: a pass recolours its first fragment */
                rc = zs_error(err, ZSTR_EINVAL, "Voronoi grains: a pass changed nothing");
        }
    }
    /* each grain is one node now: renumber in the order of their first voxels */
    if (rc == ZSTR_OK) {
        for (int64_t v = 0; v < N.nn; v++)
            order[v] = (keyed){N.minidx[v], v};
        qsort(order, (size_t)N.nn, sizeof *order, keyed_cmp);
        for (int64_t i = 0; i < N.nn; i++)
            map[order[i].v] = i;
        for (int64_t p = 0; p < np; p++)
            final[p] = (int32_t)map[pnode[p]];
        *ngrains = N.nn;
    }
    free(parent);
    free(pnode);
    free(map);
    free(order);
    free(largest);
    free(faces);
    free(touched);
    free(flag);
    nodes_free(&N);
    if (rc == ZSTR_ENOMEM)
        return zs_error(err, ZSTR_ENOMEM,
                        "Voronoi grains: out of memory for the graph of %lld pieces",
                        (long long)np);
    return rc;
}
