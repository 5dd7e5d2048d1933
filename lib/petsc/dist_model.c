/*
 * dist_model.c — a distributed process's part of the model (zstr_mpi.h):
 * zstr_mpi_model_create and zstr_mpi_model_voronoi.
 *
 * Layers.  Process r of P assembles layers [z0, z1) = [⌊r·nz/P⌋, ⌊(r+1)·nz/P⌋)
 * (dist.c), and its walk reads one layer on each side (the z-branches from
 * layer z0 − 1 end on its rows; those of layer z1 − 1 end on the next
 * process's), so its model holds [z0 − 1, z1 + 1) within the grid.
 *
 * Voronoi grains.  The seeds are drawn alike on every process, so each labels
 * its own layers with their nearest seeds, exactly as the whole grid would
 * be.  The connectivity post-process is global (a grain may cross many slabs),
 * so it runs on the graph of pieces (zs_voronoi.h): each process finds its
 * layers' pieces and the faces between them; receives from the next process
 * that process's first layer (pieces and raw grains) and adds the contacts
 * across the face; the first process gathers the graph, resolves it, and
 * sends each process its pieces' grains.  Each process then relabels its
 * layers and swaps its first and last layer with its neighbours for the
 * layers on either side.  The grains equal zstr_model_voronoi's on the whole
 * grid, voxel for voxel (tests/test_voronoi.c plays the slabs in one process;
 * tests/mpi_sweep.c compares across 1, 2 and 3 processes).
 *
 * Memory: per voxel of its own layers, a process holds the grain ids (4 B)
 * and, while the pieces are found, a piece id (4 B) and a search queue (8 B);
 * the seeds and their bins, about 250 B per seed, on every process; the graph
 * on process 0 while it is resolved: about 0.7 kB per piece (its grain, size
 * and first voxel, about 7 faces, and zs_vor_resolve's nodes and adjacency),
 * a piece per grain and slab it meets.
 */
#include "zs_petsc.h"
#include "zs_volume.h"
#include "zs_voronoi.h"
#include "zstr_mpi.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zs_dist_layers(int64_t nz, int P, int r, int64_t *z0, int64_t *z1)
{
    /* q·nz < 2^62: layers and processes < 2^31 */
    *z0 = (int64_t)r * nz / P;
    *z1 = (int64_t)(r + 1) * nz / P;
}

void zs_dist_held(int64_t nz, int P, int r, int64_t *lo, int64_t *hi)
{
    int64_t z0, z1;
    zs_dist_layers(nz, P, r, &z0, &z1);
    *lo = z0 > 0 ? z0 - 1 : 0;
    *hi = z1 < nz ? z1 + 1 : nz;
}

typedef struct agreed_msg {
    int code;
    char message[sizeof(((zstr_error *)0)->message)];
} agreed_msg;

int zs_mpi_agree(MPI_Comm comm, int rc, zstr_error *err)
{
    int rank = 0, P = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &P);
    int mine = rc != ZSTR_OK ? rank : P, first = P;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
    if (first == P)
        return ZSTR_OK;
    agreed_msg a;
    memset(&a, 0, sizeof a);
    if (rank == first) {
        a.code = rc;
        snprintf(a.message, sizeof a.message, "%s", err != NULL ? err->message : zstr_strerror(rc));
    }
    MPI_Bcast(&a, (int)sizeof a, MPI_BYTE, first, comm);
    if (rank != first)
        zs_error(err, a.code, "process %d of %d: %s", first, P, a.message);
    return a.code;
}

/* The checks every entry makes before any communication: MPI initialised, a
 * communicator; then this process's rank and the communicator's size. */
static int mpi_entry(MPI_Comm comm, const char *fn, int *rank, int *P, zstr_error *err)
{
    int inited = 0;
    if (MPI_Initialized(&inited) != MPI_SUCCESS || !inited)
        return zs_error(err, ZSTR_ESTATE, "%s: MPI is not initialised (call MPI_Init first)", fn);
    if (comm == MPI_COMM_NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: no communicator", fn);
    MPI_Comm_rank(comm, rank);
    MPI_Comm_size(comm, P);
    return ZSTR_OK;
}

int zs_mpi_own_comm(MPI_Comm comm, const char *fn, MPI_Comm *own, zstr_error *err)
{
    *own = MPI_COMM_NULL;
    int rank, P;
    int rc = mpi_entry(comm, fn, &rank, &P, err);
    if (rc == ZSTR_OK && MPI_Comm_dup(comm, own) != MPI_SUCCESS)
        rc = zs_error(err, ZSTR_ESTATE, "%s: MPI_Comm_dup failed", fn);
    return rc;
}

int zstr_mpi_model_create(MPI_Comm comm, int64_t nx, int64_t ny, int64_t nz, double hx, double hy,
                          double hz, zstr_model **out, zstr_error *err)
{
    static const char fn[] = "zstr_mpi_model_create";
    zs_error_clear(err);
    if (out != NULL)
        *out = NULL;
    int rank = 0, P = 1;
    int rc0 = mpi_entry(comm, fn, &rank, &P, err);
    if (rc0 != ZSTR_OK)
        return rc0;
    if (nz >= 1 && nz < P)
        return zs_error(err, ZSTR_EINVAL,
                        "%s: %d processes for %lld layers; at most one process per layer", fn, P,
                        (long long)nz);
    int64_t lo = 0, hi = nz;
    if (nz >= 1)
        zs_dist_held(nz, P, rank, &lo, &hi);
    return zs_model_create_layers(nx, ny, nz, hx, hy, hz, lo, hi, fn, out, err);
}

/* ---- Voronoi grains ---------------------------------------------------------- */

/* What a process sends to process 0, in one int64 array: np, ne, nu, then per
 * piece grain, size, first voxel; per face a, b, count; per union a, b (global
 * piece ids). */
static int64_t *pack(const zs_vor_part *pt, const zs_vor_graph *cross, int64_t off, int64_t *len)
{
    const zs_vor_graph *g = &pt->g;
    int64_t ne = g->ne + cross->ne, nu = cross->nu;
    *len = 3 + 3 * g->np + 3 * ne + 2 * nu;
    int64_t *b = zs_malloc_array((size_t)*len, sizeof *b);
    if (b == NULL)
        return NULL;
    int64_t k = 0;
    b[k++] = g->np;
    b[k++] = ne;
    b[k++] = nu;
    for (int64_t i = 0; i < g->np; i++) {
        b[k++] = g->grain[i];
        b[k++] = g->size[i];
        b[k++] = g->minidx[i];
    }
    for (int64_t i = 0; i < g->ne; i++) {
        b[k++] = off + g->ea[i];
        b[k++] = off + g->eb[i];
        b[k++] = g->ef[i];
    }
    for (int64_t i = 0; i < cross->ne; i++) {
        b[k++] = cross->ea[i];
        b[k++] = cross->eb[i];
        b[k++] = cross->ef[i];
    }
    for (int64_t i = 0; i < nu; i++) {
        b[k++] = cross->ua[i];
        b[k++] = cross->ub[i];
    }
    return b;
}

/* Process 0: the graph from every process's array, in process order (which is
 * the order of the global piece ids). */
static int unpack(const int64_t *all, int P, const int *displs, zs_vor_graph *g)
{
    memset(g, 0, sizeof *g);
    for (int q = 0; q < P; q++) {
        const int64_t *b = all + displs[q];
        g->np += b[0];
        g->ne += b[1];
        g->nu += b[2];
    }
    size_t np = (size_t)g->np + 1, ne = (size_t)g->ne + 1, nu = (size_t)g->nu + 1;
    g->grain = zs_malloc_array(np, sizeof *g->grain);
    g->size = zs_malloc_array(np, sizeof *g->size);
    g->minidx = zs_malloc_array(np, sizeof *g->minidx);
    g->ea = zs_malloc_array(ne, sizeof *g->ea);
    g->eb = zs_malloc_array(ne, sizeof *g->eb);
    g->ef = zs_malloc_array(ne, sizeof *g->ef);
    g->ua = zs_malloc_array(nu, sizeof *g->ua);
    g->ub = zs_malloc_array(nu, sizeof *g->ub);
    if (!g->grain || !g->size || !g->minidx || !g->ea || !g->eb || !g->ef || !g->ua || !g->ub) {
        zs_vor_graph_free(g);
        return ZSTR_ENOMEM;
    }
    int64_t p = 0, e = 0, u = 0;
    for (int q = 0; q < P; q++) {
        const int64_t *b = all + displs[q];
        int64_t k = 3;
        for (int64_t i = 0; i < b[0]; i++, p++) {
            g->grain[p] = (int32_t)b[k++];
            g->size[p] = b[k++];
            g->minidx[p] = b[k++];
        }
        for (int64_t i = 0; i < b[1]; i++, e++) {
            g->ea[e] = b[k++];
            g->eb[e] = b[k++];
            g->ef[e] = b[k++];
        }
        for (int64_t i = 0; i < b[2]; i++, u++) {
            g->ua[u] = b[k++];
            g->ub[u] = b[k++];
        }
    }
    return ZSTR_OK;
}

/* The state of one call, freed in one place. */
typedef struct vor_run {
    zs_vor *v;
    zs_vor_part pt;
    zs_vor_graph cross, graph;
    int32_t *grains; /* the held layers' new grain ids */
    int32_t *below;  /* the next process's first layer: pieces, then raw grains */
    int64_t *buf, *all;
    int *counts, *displs;
    int32_t *final, *mine;
} vor_run;

static void vor_run_free(vor_run *x)
{
    zs_vor_free(x->v);
    zs_vor_part_free(&x->pt);
    zs_vor_graph_free(&x->cross);
    zs_vor_graph_free(&x->graph);
    free(x->grains);
    free(x->below);
    free(x->buf);
    free(x->all);
    free(x->counts);
    free(x->displs);
    free(x->final);
    free(x->mine);
}

static int mpi_model_voronoi_on(MPI_Comm comm, zstr_model *m, const zstr_voronoi_params *p,
                                int64_t *n_grains, zstr_error *err)
{
    static const char fn[] = "zstr_mpi_model_voronoi";
    zstr_error e;
    zs_error_clear(&e);
    int rank = 0, P = 1;
    int rc0 = mpi_entry(comm, fn, &rank, &P, &e);
    if (rc0 != ZSTR_OK) {
        if (err != NULL)
            *err = e;
        return rc0;
    }
    vor_run x;
    memset(&x, 0, sizeof x);
    int64_t z0 = 0, z1 = 0, L = 0, k = 0;
    int rc = ZSTR_OK;
    if (m == NULL || p == NULL)
        rc = zs_error(&e, ZSTR_EINVAL, "%s: %s is NULL", fn, m == NULL ? "model" : "params");
    if (rc == ZSTR_OK) {
        int64_t lo, hi;
        L = m->n[0] * m->n[1];
        if (m->n[2] < P) {
            rc = zs_error(&e, ZSTR_EINVAL,
                          "%s: %d processes for %lld layers; at most one process per layer", fn, P,
                          (long long)m->n[2]);
        } else {
            zs_dist_layers(m->n[2], P, rank, &z0, &z1);
            zs_dist_held(m->n[2], P, rank, &lo, &hi);
            if (m->z_lo != lo || m->z_hi != hi)
                rc = zs_error(&e, ZSTR_EINVAL,
                              "%s: process %d holds layers %lld..%lld but its part on this "
                              "communicator is %lld..%lld (make the model with "
                              "zstr_mpi_model_create on the same communicator)",
                              fn, rank, (long long)m->z_lo, (long long)m->z_hi - 1, (long long)lo,
                              (long long)hi - 1);
        }
    }
    if (rc == ZSTR_OK)
        rc = zs_vor_create(m, p, fn, &x.v, &e);
    rc = zs_mpi_agree(comm, rc, &e);
    if (rc == ZSTR_OK) {
        /* the same parameters everywhere, or grains that do not fit together */
        double mine[6] = {
            p->mean_grain_size,     (double)(p->seed >> 32),   (double)(p->seed & 0xffffffffu),
            (double)p->grain_phase, (double)p->boundary_phase, p->boundary_thickness};
        double hi[6], lo[6];
        MPI_Allreduce(mine, hi, 6, MPI_DOUBLE, MPI_MAX, comm);
        MPI_Allreduce(mine, lo, 6, MPI_DOUBLE, MPI_MIN, comm);
        if (memcmp(hi, lo, sizeof hi) != 0)
            rc = zs_error(&e, ZSTR_EINVAL,
                          "%s: the processes passed different Voronoi parameters (grain size, "
                          "seed, phases or boundary thickness)",
                          fn);
    }
    /* 1: raw labels of the own layers, their pieces */
    if (rc == ZSTR_OK) {
        x.grains = zs_malloc_array((size_t)m->nheld, sizeof *x.grains);
        x.below = zs_malloc_array(2 * (size_t)L, sizeof *x.below);
        if (x.grains == NULL || x.below == NULL)
            rc = zs_error(&e, ZSTR_ENOMEM, "%s: out of memory for %lld voxels", fn,
                          (long long)m->nheld);
    }
    int32_t *own = x.grains != NULL ? x.grains + (z0 - m->z_lo) * L : NULL;
    if (rc == ZSTR_OK) {
        zs_vor_raw(x.v, z0, z1, own);
        rc = zs_vor_part_build(own, m->n, z0, z1, &x.pt, &e);
    }
    rc = zs_mpi_agree(comm, rc, &e);
    /* 2: global piece ids; the contacts with the next process's first layer */
    int64_t np = rc == ZSTR_OK ? x.pt.g.np : 0, off = 0;
    if (rc == ZSTR_OK) {
        MPI_Exscan(&np, &off, 1, MPI_INT64_T, MPI_SUM, comm);
        if (rank == 0)
            off = 0;
        int32_t *send = zs_malloc_array(2 * (size_t)L, sizeof *send);
        if (send == NULL) {
            rc = zs_error(&e, ZSTR_ENOMEM, "%s: out of memory", fn);
        } else {
            for (int64_t i = 0; i < L; i++) {
                send[i] = x.pt.piece[i];
                send[L + i] = own[i];
            }
        }
        rc = zs_mpi_agree(comm, rc, &e);
        if (rc == ZSTR_OK) {
            /* a layer's pieces and grains, in messages of at most 2^30 values */
            int up = rank + 1 < P ? rank + 1 : MPI_PROC_NULL;
            int down = rank > 0 ? rank - 1 : MPI_PROC_NULL;
            for (int64_t s = 0; s < 2 * L; s += INT_MAX / 2) {
                int cnt = (int)(2 * L - s < INT_MAX / 2 ? 2 * L - s : INT_MAX / 2);
                MPI_Sendrecv(send + s, cnt, MPI_INT32_T, down, 7, x.below + s, cnt, MPI_INT32_T, up,
                             7, comm, MPI_STATUS_IGNORE);
            }
        }
        free(send);
    }
    if (rc == ZSTR_OK && rank + 1 < P)
        rc = zs_vor_part_cross(&x.pt, x.below, x.below + L, off, off + np, &x.cross, &e);
    rc = zs_mpi_agree(comm, rc, &e);
    /* 3: the graph on process 0 */
    int64_t len = 0;
    if (rc == ZSTR_OK) {
        x.buf = pack(&x.pt, &x.cross, off, &len);
        if (x.buf == NULL)
            rc = zs_error(&e, ZSTR_ENOMEM, "%s: out of memory", fn);
        else if (len > INT_MAX)
            rc = zs_error(&e, ZSTR_ERANGE,
                          "%s: process %d's part of the grain graph has %lld entries, more "
                          "than one message carries (use more processes)",
                          fn, rank, (long long)len);
        x.counts = zs_malloc_array((size_t)P, sizeof *x.counts);
        x.displs = zs_malloc_array((size_t)P + 1, sizeof *x.displs);
        if (x.counts == NULL || x.displs == NULL)
            rc = zs_error(&e, ZSTR_ENOMEM, "%s: out of memory", fn);
    }
    rc = zs_mpi_agree(comm, rc, &e);
    if (rc == ZSTR_OK) {
        int mylen = (int)len;
        MPI_Gather(&mylen, 1, MPI_INT, x.counts, 1, MPI_INT, 0, comm);
        if (rank == 0) {
            int64_t total = 0;
            for (int q = 0; q < P; q++) {
                x.displs[q] = (int)total;
                total += x.counts[q];
                if (total > INT_MAX)
                    rc = zs_error(&e, ZSTR_ERANGE,
                                  "%s: the grain graph has more than %d entries, more than "
                                  "one gather carries",
                                  fn, INT_MAX);
            }
            if (rc == ZSTR_OK) {
                x.all = zs_malloc_array((size_t)total + 1, sizeof *x.all);
                if (x.all == NULL)
                    rc = zs_error(&e, ZSTR_ENOMEM,
                                  "%s: out of memory for the grain graph (%lld entries)", fn,
                                  (long long)total);
            }
        }
        rc = zs_mpi_agree(comm, rc, &e);
    }
    if (rc == ZSTR_OK) {
        MPI_Gatherv(x.buf, (int)len, MPI_INT64_T, x.all, x.counts, x.displs, MPI_INT64_T, 0, comm);
        free(x.buf);
        x.buf = NULL;
        if (rank == 0) {
            if (unpack(x.all, P, x.displs, &x.graph) != ZSTR_OK)
                rc = zs_error(&e, ZSTR_ENOMEM, "%s: out of memory for the grain graph", fn);
            free(x.all);
            x.all = NULL;
            if (rc == ZSTR_OK) {
                x.final = zs_malloc_array((size_t)x.graph.np + 1, sizeof *x.final);
                rc = x.final != NULL ? zs_vor_resolve(&x.graph, zs_vor_seeds(x.v), x.final, &k, &e)
                                     : zs_error(&e, ZSTR_ENOMEM, "%s: out of memory", fn);
            }
        }
        rc = zs_mpi_agree(comm, rc, &e);
    }
    /* 4: each process's pieces' grains back */
    if (rc == ZSTR_OK) {
        int mynp = (int)np; /* np <= INT32_MAX pieces, checked when found */
        MPI_Gather(&mynp, 1, MPI_INT, x.counts, 1, MPI_INT, 0, comm);
        if (rank == 0) {
            int64_t t = 0;
            for (int q = 0; q < P; q++) {
                x.displs[q] = (int)t;
                t += x.counts[q];
            }
            /* t < 2^31: each piece took 3 of the gathered graph's entries */
        }
        x.mine = zs_malloc_array((size_t)np + 1, sizeof *x.mine);
        rc = zs_mpi_agree(
            comm, x.mine != NULL ? ZSTR_OK : zs_error(&e, ZSTR_ENOMEM, "%s: out of memory", fn),
            &e);
    }
    if (rc == ZSTR_OK) {
        MPI_Scatterv(x.final, x.counts, x.displs, MPI_INT32_T, x.mine, (int)np, MPI_INT32_T, 0,
                     comm);
        MPI_Bcast(&k, 1, MPI_INT64_T, 0, comm);
        const int64_t nv = L * (z1 - z0);
        for (int64_t i = 0; i < nv; i++)
            own[i] = x.mine[x.pt.piece[i]];
        /* the layers on either side: the neighbours' first and last */
        int up = rank + 1 < P ? rank + 1 : MPI_PROC_NULL;
        int down = rank > 0 ? rank - 1 : MPI_PROC_NULL;
        int32_t *ghost_below = z0 > m->z_lo ? x.grains : NULL;
        int32_t *ghost_above = z1 < m->z_hi ? own + nv : NULL;
        /* (no buffer, and so a count of 0, where the partner is MPI_PROC_NULL) */
        for (int64_t s = 0; s < L; s += INT_MAX) {
            int cnt = (int)(L - s < INT_MAX ? L - s : INT_MAX);
            /* my last layer up, the layer below from down */
            MPI_Sendrecv(own + nv - L + s, up != MPI_PROC_NULL ? cnt : 0, MPI_INT32_T, up, 8,
                         ghost_below != NULL ? ghost_below + s : own, ghost_below != NULL ? cnt : 0,
                         MPI_INT32_T, down, 8, comm, MPI_STATUS_IGNORE);
            /* my first layer down, the layer above from up */
            MPI_Sendrecv(own + s, down != MPI_PROC_NULL ? cnt : 0, MPI_INT32_T, down, 9,
                         ghost_above != NULL ? ghost_above + s : own, ghost_above != NULL ? cnt : 0,
                         MPI_INT32_T, up, 9, comm, MPI_STATUS_IGNORE);
        }
        /* install: as zstr_model_voronoi */
        free(m->grains);
        m->grains = x.grains;
        zs_model_touch(m);
        x.grains = NULL;
        m->gb_phase = p->boundary_phase;
        m->gb_thickness = p->boundary_thickness;
        if (p->grain_phase >= 0) {
            for (int64_t i = 0; i < m->nheld; i++)
                m->labels[i] = p->grain_phase;
        }
        if (n_grains != NULL)
            *n_grains = k;
    }
    vor_run_free(&x);
    if (err != NULL)
        *err = e;
    return rc;
}

int zstr_mpi_model_voronoi(MPI_Comm comm, zstr_model *m, const zstr_voronoi_params *p,
                           int64_t *n_grains, zstr_error *err)
{
    zs_error_clear(err);
    MPI_Comm own;
    int rc = zs_mpi_own_comm(comm, "zstr_mpi_model_voronoi", &own, err);
    if (rc != ZSTR_OK)
        return rc;
    rc = mpi_model_voronoi_on(own, m, p, n_grains, err);
    MPI_Comm_free(&own);
    return rc;
}

/* ---- the whole grid's counts ---------------------------------------------------- */

/* Grain-id bitmaps above this many bytes are not reduced ("not counted"). */
#define ZS_COUNT_BITMAP_MAX (256.0 * 1024 * 1024)

static int mpi_model_count_on(MPI_Comm comm, zstr_model *m, zstr_error *err)
{
    static const char fn[] = "zstr_mpi_model_count";
    zstr_error e;
    zs_error_clear(&e);
    int rank = 0, P = 1;
    int rc0 = mpi_entry(comm, fn, &rank, &P, &e);
    if (rc0 != ZSTR_OK) {
        if (err != NULL)
            *err = e;
        return rc0;
    }
    int64_t z0 = 0, z1 = 0;
    int rc = ZSTR_OK;
    if (m == NULL) {
        rc = zs_error(&e, ZSTR_EINVAL, "%s: model is NULL", fn);
    } else if (m->n[2] < P) {
        rc = zs_error(&e, ZSTR_EINVAL,
                      "%s: %d processes for %lld layers; at most one process per layer", fn, P,
                      (long long)m->n[2]);
    } else {
        zs_dist_layers(m->n[2], P, rank, &z0, &z1);
        if (m->z_lo > z0 || m->z_hi < z1)
            rc = zs_error(&e, ZSTR_EINVAL,
                          "%s: process %d holds layers %lld..%lld but its slab on this "
                          "communicator is %lld..%lld (make the model with "
                          "zstr_mpi_model_create on the same communicator)",
                          fn, rank, (long long)m->z_lo, (long long)m->z_hi - 1, (long long)z0,
                          (long long)z1 - 1);
    }
    zs_counts *c = rc == ZSTR_OK ? malloc(sizeof *c) : NULL;
    if (rc == ZSTR_OK && c == NULL)
        rc = zs_error(&e, ZSTR_ENOMEM, "%s: out of memory", fn);
    rc = zs_mpi_agree(comm, rc, &e);
    if (rc == ZSTR_OK) {
        /* grains on every process's part or on none */
        int has[2] = {m->grains != NULL, -(m->grains != NULL)}, all[2];
        MPI_Allreduce(has, all, 2, MPI_INT, MPI_MAX, comm);
        if (all[0] != -all[1])
            rc = zs_error(&e, ZSTR_EINVAL, "%s: some processes' parts have grains and some do not",
                          fn);
    }
    if (rc != ZSTR_OK) {
        free(c);
        if (err != NULL)
            *err = e;
        return rc;
    }
    int32_t mx = -1, gmx = -1;
    zs_model_count_layers(m, z0, z1, c, &mx);
    MPI_Allreduce(MPI_IN_PLACE, c->phase, ZS_MAX_PHASES, MPI_INT64_T, MPI_SUM, comm);
    int64_t rest[2] = {c->undefined, c->no_grain};
    MPI_Allreduce(MPI_IN_PLACE, rest, 2, MPI_INT64_T, MPI_SUM, comm);
    c->undefined = rest[0];
    c->no_grain = rest[1];
    MPI_Allreduce(&mx, &gmx, 1, MPI_INT32_T, MPI_MAX, comm);
    c->grains = 0;
    if (m->grains != NULL && gmx >= 0) {
        /* distinct ids: the processes' bitmaps or'ed together */
        double bytes = (double)gmx / 8.0 + 1.0;
        uint8_t *seen = bytes <= ZS_COUNT_BITMAP_MAX ? calloc((size_t)bytes, 1) : NULL;
        int ok = seen != NULL, all = 0;
        MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, comm);
        if (all) {
            const int64_t L = m->n[0] * m->n[1];
            for (int64_t i = (z0 - m->z_lo) * L; i < (z1 - m->z_lo) * L; i++) {
                if (m->grains[i] >= 0)
                    seen[m->grains[i] >> 3] |= (uint8_t)(1u << (m->grains[i] & 7));
            }
            size_t nb = (size_t)bytes;
            MPI_Allreduce(MPI_IN_PLACE, seen, (int)nb, MPI_UNSIGNED_CHAR, MPI_BOR, comm);
            for (size_t i = 0; i < nb; i++) {
                for (unsigned b = seen[i]; b != 0; b &= b - 1)
                    c->grains++;
            }
        } else {
            c->grains = -1;
        }
        free(seen);
    }
    free(m->counts);
    m->counts = c;
    if (err != NULL)
        *err = e;
    return ZSTR_OK;
}

int zstr_mpi_model_count(MPI_Comm comm, zstr_model *m, zstr_error *err)
{
    zs_error_clear(err);
    MPI_Comm own;
    int rc = zs_mpi_own_comm(comm, "zstr_mpi_model_count", &own, err);
    if (rc != ZSTR_OK)
        return rc;
    rc = mpi_model_count_on(own, m, err);
    MPI_Comm_free(&own);
    return rc;
}

/* ---- a labelled volume in parts ------------------------------------------------ */

static int mpi_model_from_volume_on(MPI_Comm comm, const char *path,
                                    const zstr_volume_read_options *ro,
                                    const zstr_volume_model_params *mp, zstr_model **out,
                                    zstr_error *err)
{
    static const char fn[] = "zstr_mpi_model_from_volume";
    zstr_error e;
    zs_error_clear(&e);
    if (out != NULL)
        *out = NULL;
    int rank = 0, P = 1;
    int rc0 = mpi_entry(comm, fn, &rank, &P, &e);
    if (rc0 != ZSTR_OK) {
        if (err != NULL)
            *err = e;
        return rc0;
    }
    int rc = ZSTR_OK;
    if (path == NULL || ro == NULL || mp == NULL || out == NULL)
        rc = zs_error(&e, ZSTR_EINVAL, "%s: NULL argument", fn);
    else if (mp->size < ZS_SIZE_UPTO(zstr_volume_model_params, we) ||
             ro->size < ZS_SIZE_UPTO(zstr_volume_read_options, memory_limit) || mp->axis < 0 ||
             mp->axis > 2)
        rc = zs_error(&e, ZSTR_EINVAL,
                      "%s: the options' size fields are not set (use the *_default calls) or "
                      "the axis %d is not 0..2",
                      fn, mp->axis);
    /* the volume's grid after the caller's crop, and the model's along the
     * transport axis a */
    int64_t vn[3] = {0, 0, 0}, c0[3] = {0, 0, 0};
    const int a = rc == ZSTR_OK ? mp->axis : 2;
    if (rc == ZSTR_OK)
        rc = zstr_volume_probe(path, ro, vn, NULL, &e);
    int64_t lo = 0, hi = 0;
    if (rc == ZSTR_OK) {
        int none = 1;
        for (int k = 0; k < 6; k++)
            none = none && ro->crop[k] == 0;
        for (int d = 0; d < 3; d++)
            c0[d] = none ? 0 : ro->crop[d];
        if (vn[a] < P)
            rc = zs_error(&e, ZSTR_EINVAL,
                          "%s: %d processes for %lld layers; at most one process per layer", fn, P,
                          (long long)vn[a]);
        else
            zs_dist_held(vn[a], P, rank, &lo, &hi);
    }
    rc = zs_mpi_agree(comm, rc, &e);
    /* this process's planes only: the crop narrowed along a */
    zstr_volume *vol = NULL;
    zstr_model *m = NULL;
    if (rc == ZSTR_OK) {
        zstr_volume_read_options o = *ro;
        for (int d = 0; d < 3; d++) {
            o.crop[d] = c0[d];
            o.crop[3 + d] = c0[d] + vn[d];
        }
        o.crop[a] = c0[a] + lo;
        o.crop[3 + a] = c0[a] + hi;
        rc = zstr_volume_read(path, &o, &vol, &e);
        if (rc == ZSTR_OK)
            rc = zs_volume_to_model_at(vol, mp, lo, &m, &e);
        zstr_volume_free(vol);
        if (rc == ZSTR_OK)
            rc = zs_model_place_layers(m, vn[a], lo, &e);
    }
    rc = zs_mpi_agree(comm, rc, &e);
    /* the WE map is the top layer's: the last process's, sent to all */
    if (rc == ZSTR_OK && mp->we_pore_phase >= 0) {
        const int64_t L = m->n[0] * m->n[1];
        uint8_t *px = zs_malloc_array((size_t)L, 1);
        rc = zs_mpi_agree(
            comm, px != NULL ? ZSTR_OK : zs_error(&e, ZSTR_ENOMEM, "%s: out of memory", fn), &e);
        if (rc == ZSTR_OK) {
            if (rank == P - 1)
                memcpy(px, m->iface[ZSTR_WE].pixels, (size_t)L);
            for (int64_t s = 0; s < L; s += INT_MAX) {
                int cnt = (int)(L - s < INT_MAX ? L - s : INT_MAX);
                MPI_Bcast(px + s, cnt, MPI_UINT8_T, P - 1, comm);
            }
            rc = zstr_model_set_interface(m, ZSTR_WE, &mp->we, px, &e);
            rc = zs_mpi_agree(comm, rc, &e);
        }
        free(px);
    }
    if (rc != ZSTR_OK) {
        zstr_model_free(m);
        m = NULL;
    }
    if (out != NULL)
        *out = m;
    if (err != NULL)
        *err = e;
    return rc;
}

int zstr_mpi_model_from_volume(MPI_Comm comm, const char *path, const zstr_volume_read_options *ro,
                               const zstr_volume_model_params *mp, zstr_model **out,
                               zstr_error *err)
{
    if (out != NULL)
        *out = NULL;
    zs_error_clear(err);
    MPI_Comm own;
    int rc = zs_mpi_own_comm(comm, "zstr_mpi_model_from_volume", &own, err);
    if (rc != ZSTR_OK)
        return rc;
    rc = mpi_model_from_volume_on(own, path, ro, mp, out, err);
    MPI_Comm_free(&own);
    return rc;
}
