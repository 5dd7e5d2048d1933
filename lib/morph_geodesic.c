/*
 * morph_geodesic.c — geodesic distances through a set from one face:
 * geometric tortuosity and the minimum connecting length.
 *
 * Convention.  A voxel of the set on the start face has length h (its own
 * extent along the axis); each step to a neighbour in the set adds the step's
 * length.  A straight column of n voxels therefore has length n·h, the
 * straight length of the box, and tortuosity exactly 1.
 *
 * Exactness.  With face steps only and cubic voxels every step has the same
 * length, so breadth-first order is distance order and one FIFO pass gives
 * the exact shortest paths in O(N).  Otherwise (anisotropic voxels, or the 26-
 * neighbour chamfer metric) Dijkstra's algorithm with a binary heap keyed by
 * distance (decrease-key through a position index) is exact in O(N log N).
 */
#include "zs_volume.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ZS_GEODESIC_FIRST ZS_SIZE_UPTO(zstr_geodesic_result, max)

typedef struct step {
    int dx, dy, dz;
    double len;
} step;

static int make_steps(const zstr_volume *v, int metric, step *s)
{
    int n = 0;
    for (int dz = -1; dz <= 1; dz++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int faces = (dx != 0) + (dy != 0) + (dz != 0);
                if (faces == 0 || (metric == ZSTR_METRIC_6 && faces != 1))
                    continue;
                double a = dx * v->h[0], b = dy * v->h[1], c = dz * v->h[2];
                s[n++] = (step){dx, dy, dz, sqrt(a * a + b * b + c * c)};
            }
    return n;
}

/* ---- binary heap of voxel indices keyed by dist, with positions ---------- */
typedef struct heap {
    int32_t *a;   /* heap of voxel indices */
    int32_t *pos; /* position of each voxel in a, -1 if absent */
    int64_t n;
    const double *key;
} heap;

static void heap_swap(heap *h, int64_t i, int64_t j)
{
    int32_t t = h->a[i];
    h->a[i] = h->a[j];
    h->a[j] = t;
    h->pos[h->a[i]] = (int32_t)i;
    h->pos[h->a[j]] = (int32_t)j;
}

static void heap_up(heap *h, int64_t i)
{
    while (i > 0 && h->key[h->a[(i - 1) / 2]] > h->key[h->a[i]]) {
        heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(heap *h, int64_t i)
{
    for (;;) {
        int64_t l = 2 * i + 1, r = l + 1, s = i;
        if (l < h->n && h->key[h->a[l]] < h->key[h->a[s]])
            s = l;
        if (r < h->n && h->key[h->a[r]] < h->key[h->a[s]])
            s = r;
        if (s == i)
            return;
        heap_swap(h, i, s);
        i = s;
    }
}

static void heap_push_or_lower(heap *h, int32_t v)
{
    if (h->pos[v] < 0) {
        h->a[h->n] = v;
        h->pos[v] = (int32_t)h->n;
        h->n++;
    }
    heap_up(h, h->pos[v]);
}

static int32_t heap_pop(heap *h)
{
    int32_t v = h->a[0];
    heap_swap(h, 0, h->n - 1);
    h->n--;
    h->pos[v] = -1;
    if (h->n > 0)
        heap_down(h, 0);
    return v;
}

static int64_t neighbour(const zstr_volume *v, int64_t i, const step *s)
{
    int64_t x = i % v->n[0], y = (i / v->n[0]) % v->n[1], z = i / (v->n[0] * v->n[1]);
    int64_t X = x + s->dx, Y = y + s->dy, Z = z + s->dz;
    if (X < 0 || X >= v->n[0] || Y < 0 || Y >= v->n[1] || Z < 0 || Z >= v->n[2])
        return -1;
    return X + v->n[0] * (Y + v->n[1] * Z);
}

static int on_face(const zstr_volume *v, int64_t i, int axis, int64_t at)
{
    const int64_t c[3] = {i % v->n[0], (i / v->n[0]) % v->n[1], i / (v->n[0] * v->n[1])};
    return c[axis] == at;
}

static int propagate(const zstr_volume *v, const uint8_t *m, const step *s, int ns, int uniform,
                     int axis, int64_t start, double *dist)
{
    int32_t *queue = zs_malloc_array((size_t)v->nvox, sizeof *queue);
    int32_t *pos = uniform ? NULL : zs_malloc_array((size_t)v->nvox, sizeof *pos);
    if (queue == NULL || (!uniform && pos == NULL)) {
        free(queue);
        free(pos);
        return ZSTR_ENOMEM;
    }
    heap h = {queue, pos, 0, dist};
    int64_t head = 0, tail = 0;
    for (int64_t i = 0; i < v->nvox; i++) {
        dist[i] = INFINITY;
        if (pos != NULL)
            pos[i] = -1;
    }
    for (int64_t i = 0; i < v->nvox; i++)
        if (m[i] && on_face(v, i, axis, start)) {
            dist[i] = v->h[axis];
            if (uniform)
                queue[tail++] = (int32_t)i;
            else
                heap_push_or_lower(&h, (int32_t)i);
        }
    while (uniform ? head < tail : h.n > 0) {
        int32_t i = uniform ? queue[head++] : heap_pop(&h);
        for (int k = 0; k < ns; k++) {
            int64_t j = neighbour(v, i, &s[k]);
            if (j < 0 || !m[j] || dist[i] + s[k].len >= dist[j])
                continue;
            dist[j] = dist[i] + s[k].len;
            if (uniform)
                queue[tail++] = (int32_t)j; /* BFS: first visit is final */
            else
                heap_push_or_lower(&h, (int32_t)j);
        }
    }
    free(queue);
    free(pos);
    return ZSTR_OK;
}

int zstr_morph_geodesic(const zstr_volume *v, int nlabels, const int *labels, int axis,
                        int from_end, int metric, double *distance, zstr_geodesic_result *res,
                        zstr_error *err)
{
    if (res == NULL || axis < 0 || axis > 2 ||
        (metric != ZSTR_METRIC_6 && metric != ZSTR_METRIC_CHAMFER))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_morph_geodesic: NULL result, axis %d or metric %d", axis, metric);
    int rc = zs_check_size(res->size, ZS_GEODESIC_FIRST, sizeof *res, "zstr_geodesic_result",
                           err);
    if (rc != ZSTR_OK)
        return rc;
    uint8_t *m = NULL;
    rc = zs_morph_mask(v, nlabels, labels, "zstr_morph_geodesic", &m, err);
    if (rc != ZSTR_OK)
        return rc;
    if (v->nvox > INT32_MAX) {
        free(m);
        return zs_error(err, ZSTR_EMEMLIMIT, "zstr_morph_geodesic: more than 2^31 voxels");
    }
    step s[26];
    int ns = make_steps(v, metric, s);
    int uniform = metric == ZSTR_METRIC_6 && v->h[0] == v->h[1] && v->h[1] == v->h[2];
    double *d = distance != NULL ? distance : zs_malloc_array((size_t)v->nvox, sizeof *d);
    int64_t start = from_end ? v->n[axis] - 1 : 0, far = from_end ? 0 : v->n[axis] - 1;
    rc = d == NULL ? ZSTR_ENOMEM : propagate(v, m, s, ns, uniform, axis, start, d);
    if (rc == ZSTR_OK) {
        size_t size = res->size;
        memset(res, 0, size);
        res->size = size;
        res->straight = (double)v->n[axis] * v->h[axis];
        res->min_length = INFINITY;
        double sum = 0.0, lo = INFINITY, hi = -INFINITY;
        for (int64_t i = 0; i < v->nvox; i++) {
            if (!m[i])
                continue;
            res->n_start += on_face(v, i, axis, start);
            if (!on_face(v, i, axis, far) || !isfinite(d[i]))
                continue;
            double t = d[i] / res->straight;
            res->n_reached++;
            sum += t;
            lo = fmin(lo, t);
            hi = fmax(hi, t);
            res->min_length = fmin(res->min_length, d[i]);
        }
        res->mean = res->n_reached ? sum / (double)res->n_reached : NAN;
        res->min = res->n_reached ? lo : NAN;
        res->max = res->n_reached ? hi : NAN;
    }
    if (d != distance)
        free(d);
    free(m);
    return rc == ZSTR_OK ? ZSTR_OK : zs_error(err, rc, "zstr_morph_geodesic: out of memory");
}
