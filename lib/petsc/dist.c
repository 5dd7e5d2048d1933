/*
 * dist.c — the distributed reduced-order sweep (zstr_mpi.h): z-slab assembly
 * of the port form on every process, PETSc's distributed matrices, and the
 * driver of mor.c on a distributed space.
 *
 * Partition.  P processes, layers z in [z0_r, z1_r) with z0_r = ⌊r·nz/P⌋, so
 * slabs differ by at most one layer.  Process r owns the rows, in this order:
 * the voxels of its layers (x fastest, as the serial numbering), then the
 * internal nodes of the chains its voxels start, in the order the assembly
 * makes them, then — on the process holding the kept electrode's face (the
 * last for the WE, the first for the CE) — the port node.  Global row ids are
 * the processes' ranges one after another.  This is a permutation of the
 * serial port form, so Z is the same.
 *
 * Assembly.  Every branch is made by its lower voxel (zs_walk_elements), so a
 * process walks its own layers; the elements that end on its rows from below
 * (the z-branches of layer z0 − 1, whose chains belong to process r − 1) are
 * found by walking that one layer again, with r − 1's numbering of it: its
 * internal nodes are the last ones of r − 1 before its port node (if any), and
 * their count comes from the same walk.  Each element adds to the rows it
 * owns; entries to rows of another process are never needed, because each
 * side adds its own.  Three walks (count nodes, count entries, fill) keep the
 * peak to the rows themselves, as in assemble.c.  Rows are sorted and
 * duplicate entries (several elements on one node to the port) summed.
 *
 * Ghosts.  An entry (i, j) with j above this process's range is always a
 * voxel of the next process's first layer (a z-branch's far end), so the
 * energy forms need, of every basis vector, only the first nx·ny values of
 * the next process: one MPI_Sendrecv per basis vector.  Each element is
 * counted once, in the row of its smaller id (j > i), and the grounded
 * electrode's elements (on diagonals only) are kept in a list.
 *
 * Connectivity.  A union-find over this process's rows, the next layer's
 * ghosts and the two electrodes; its first layer, ghosts and electrodes are
 * relabelled by root.  Two sweeps along the processes join the slabs: forward,
 * each process hands the next the classes of its ghost layer (the next one's
 * first layer) as the slabs below join them, with whether they reach an
 * electrode; backward, the same for its first layer as the slabs above join
 * them.  Each holds one layer at a time; nothing is gathered.  A component
 * that reaches no electrode is floating.  As in assemble.c, a node joined to
 * no electrode even capacitively is refused, and G is definite (shift 0
 * allowed, R_DC exact) when no node floats and some conductive path joins the
 * electrodes.

 * Sums.  Every reduced quantity (inner products, the energy forms, the port's
 * entry of the basis vectors) is MPI_Reduce'd to process 0 and broadcast, so
 * every process holds the same bits and takes the same shifts (an MPI_Allreduce
 * may round differently on different processes).  Statuses are agreed after
 * every factor and solve: the first failing process's message goes to all.
 */
#include "zs_mor.h"
#include "zs_petsc.h"
#include "zstr_mpi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes each process holds per stored entry and row, for the prediction. */
#define ZS_DIST_CSR_ENTRY 20.0   /* column (PetscInt) and the values of G and C, while built */
#define ZS_DIST_PETSC_ENTRY 12.0 /* one AIJ matrix: value and column */
#define ZS_DIST_UPPER_ENTRY 20.0 /* the upper entries kept for the energy forms */

enum { WALK_NODES, WALK_COUNT, WALK_FILL };

typedef struct dist {
    MPI_Comm comm;
    int rank, P;
    const zstr_model *m;
    int64_t L, nvox;
    int64_t *z0;  /* P + 1 layer starts */
    int64_t *off; /* P + 1 global row starts */
    int kept, port_rank;
    int64_t lo, hi, nloc, port; /* own rows [lo, hi); the port's global id */
    int64_t own_int, halo_int;  /* global ids of the first own / halo internal node */
    int64_t halo_count;         /* internal nodes of layer z0 − 1 (process r − 1's) */
    /* walk state */
    int pass, halo;
    long double esum_g[2], esum_c[2];
    double esum_n[2];
    long double port_g, port_c; /* the port row's diagonal */
    int64_t *cnt;               /* entries per local row (WALK_COUNT), fill pointers after */
    int64_t *rp;                /* nloc + 1 row starts */
    PetscInt *cj;
    double *gv, *cv;
    double *gd, *cd;            /* diagonals */
    uint8_t *floating;          /* own rows without a conductive path to an electrode */
    int64_t nground;            /* the grounded electrode's elements on own rows */
    int64_t *gnode;
    double *gg, *gc;
    /* kept after assembly: the upper entries (col > row) for the energy forms */
    int64_t *up;
    PetscInt *ucol;
    double *ug, *uc;
    int64_t nnz_local;
    /* PETSc */
    Mat G, C;
    Vec vx, vy, vt;
    double *tbuf;
    double tol;
    const char *options;
    /* ghosts of the basis vectors: kmax × L */
    double *ghost;
    int64_t kmax;
    double *sumbuf;
    /* a failure inside a void operation (mat-vec), reported at the next agree */
    int failed;
    zstr_error fail_err;
} dist;

/* ---- numbering --------------------------------------------------------------- */

/* The global id of serial node a (a voxel, or an internal node of the walk
 * under way), or −1 for a voxel outside the slabs r − 1 .. r + 1 (never
 * reached). */
static int64_t global_id(const dist *d, int64_t a)
{
    if (a >= d->nvox)
        return (d->halo ? d->halo_int : d->own_int) + (a - d->nvox);
    int64_t z = a / d->L;
    for (int q = d->rank - 1; q <= d->rank + 1; q++) {
        if (q < 0 || q >= d->P)
            continue;
        if (z >= d->z0[q] && z < d->z0[q + 1])
            return d->off[q] + (a - d->z0[q] * d->L);
    }
    return -1;
}

static int owned(const dist *d, int64_t id) { return id >= d->lo && id < d->hi; }

/* One entry (row i owned, column j) of G and C. */
static void put(dist *d, int64_t i, int64_t j, double g, double c)
{
    int64_t r = i - d->lo;
    if (d->pass == WALK_COUNT) {
        d->cnt[r]++;
    } else {
        int64_t q = d->cnt[r]++;
        d->cj[q] = (PetscInt)j;
        d->gv[q] = -g;
        d->cv[q] = -c;
    }
}

static void diag(dist *d, int64_t i, double g, double c)
{
    if (d->pass != WALK_FILL)
        return;
    if (i == d->port) {
        d->port_g += g;
        d->port_c += c;
    } else {
        d->gd[i - d->lo] += g;
        d->cd[i - d->lo] += c;
    }
}

static void on_element(void *ctx, int64_t a, int64_t b, double g, double c, int64_t pixel)
{
    (void)pixel;
    dist *d = ctx;
    if (d->pass == WALK_NODES) {
        if (b < 0 && !d->halo) {
            int e = b == ZS_NODE_WE ? ZSTR_WE : ZSTR_CE;
            d->esum_g[e] += g;
            d->esum_c[e] += c;
            d->esum_n[e] += 1.0;
        }
        return;
    }
    int64_t ia = global_id(d, a);
    if (b < 0) {
        int e = b == ZS_NODE_WE ? ZSTR_WE : ZSTR_CE;
        if (!owned(d, ia))
            return;
        diag(d, ia, g, c);
        if (e == d->kept) {
            /* the port node holds the kept electrode: it is on this process */
            put(d, ia, d->port, g, c);
            put(d, d->port, ia, g, c);
            diag(d, d->port, g, c);
        } else if (d->pass == WALK_FILL) {
            d->gnode[d->nground] = ia - d->lo;
            d->gg[d->nground] = g;
            d->gc[d->nground] = c;
            d->nground++;
        } else {
            d->nground++;
        }
        return;
    }
    int64_t ib = global_id(d, b);
    if (owned(d, ia)) {
        put(d, ia, ib, g, c);
        diag(d, ia, g, c);
    }
    if (owned(d, ib)) {
        put(d, ib, ia, g, c);
        diag(d, ib, g, c);
    }
}

/* The walks of this process: layer z0 − 1 (process r − 1's numbering), then
 * its own layers. */
static int walk(dist *d, int pass, zstr_error *err)
{
    d->pass = pass;
    d->nground = 0;
    int64_t z0 = d->z0[d->rank], z1 = d->z0[d->rank + 1];
    int rc = ZSTR_OK;
    if (z0 > 0 && pass != WALK_NODES) {
        d->halo = 1;
        rc = zs_walk_elements(d->m, z0 - 1, z0, d->nvox, on_element, d, NULL, err);
    }
    d->halo = 0;
    if (rc == ZSTR_OK)
        rc = zs_walk_elements(d->m, z0, z1, d->nvox, on_element, d, NULL, err);
    return rc;
}

/* ---- agreement and sums over the communicator -------------------------------- */

typedef struct agreed {
    int code;
    char message[512];
} agreed;

static int agree_dist(void *ctx, int rc, zstr_error *err)
{
    dist *d = ctx;
    if (rc == ZSTR_OK && d->failed) {
        rc = d->fail_err.code;
        if (err != NULL)
            *err = d->fail_err;
    }
    int mine = rc != ZSTR_OK ? d->rank : d->P, first = d->P;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, d->comm);
    if (first == d->P)
        return ZSTR_OK;
    agreed a;
    memset(&a, 0, sizeof a);
    if (d->rank == first) {
        a.code = rc;
        snprintf(a.message, sizeof a.message, "%s",
                 err != NULL ? err->message : zstr_strerror(rc));
    }
    MPI_Bcast(&a, (int)sizeof a, MPI_BYTE, first, d->comm);
    if (d->rank != first)
        zs_error(err, a.code, "process %d of %d: %s", first, d->P, a.message);
    return a.code;
}

/* v summed over the processes, the same bits everywhere (Reduce + Bcast). */
static void sum_dist(void *ctx, double *v, int64_t count)
{
    dist *d = ctx;
    if (count <= 0)
        return;
    MPI_Reduce(v, d->sumbuf, (int)count, MPI_DOUBLE, MPI_SUM, 0, d->comm);
    if (d->rank == 0)
        memcpy(v, d->sumbuf, (size_t)count * sizeof *v);
    MPI_Bcast(v, (int)count, MPI_DOUBLE, 0, d->comm);
}

/* ---- assembly ------------------------------------------------------------------ */

typedef struct entry {
    PetscInt col;
    double g, c;
} entry;

static int cmp_entry(const void *a, const void *b)
{
    PetscInt x = ((const entry *)a)->col, y = ((const entry *)b)->col;
    return (x > y) - (x < y);
}

/* Row r's entries [start, end) sorted by column, duplicates summed, the
 * diagonal inserted, written back compactly from position w (returns the new
 * end; w <= start, and the row gains at most its diagonal's reserved slot). */
static int64_t finish_row(dist *d, int64_t r, int64_t start, int64_t end, int64_t w, entry *t)
{
    const int64_t row = d->lo + r;
    int64_t n = 0;
    for (int64_t q = start; q < end; q++)
        t[n++] = (entry){d->cj[q], d->gv[q], d->cv[q]};
    t[n++] = (entry){(PetscInt)row, row == d->port ? (double)d->port_g : d->gd[r],
                     row == d->port ? (double)d->port_c : d->cd[r]};
    qsort(t, (size_t)n, sizeof *t, cmp_entry);
    int64_t m = 0;
    for (int64_t k = 0; k < n; k++) {
        if (m > 0 && d->cj[w + m - 1] == t[k].col) {
            d->gv[w + m - 1] += t[k].g;
            d->cv[w + m - 1] += t[k].c;
        } else {
            d->cj[w + m] = t[k].col;
            d->gv[w + m] = t[k].g;
            d->cv[w + m] = t[k].c;
            m++;
        }
    }
    return w + m;
}

/* ---- connectivity ---------------------------------------------------------------- */

/* Classify every own node (but the port): 0 floating, 1 WE only, 2 CE only, 3
 * both, through elements with g > 0 (conductive) or any (all).  Collective.
 * Counts into *floating (own nodes of class 0) and *joined (some node of
 * class 3 here); mask (NULL: not kept) marks the floating own rows. */
static int classify(dist *d, int conductive, int64_t *floating, int *joined, uint8_t *mask,
                    zstr_error *err)
{
    const int64_t L = d->L, n = d->nloc;
    const int64_t nslot = n + L + 2, we = n + L, ce = n + L + 1;
    const int has_below = d->rank > 0, has_above = d->rank < d->P - 1;
    int64_t *parent = zs_malloc_array((size_t)nslot, sizeof *parent);
    int64_t *label = zs_malloc_array((size_t)nslot, sizeof *label);
    int32_t *mine = zs_malloc_array((size_t)(2 * L + 2), sizeof *mine);
    int rc = parent != NULL && label != NULL && mine != NULL
                 ? ZSTR_OK
                 : zs_error(err, ZSTR_ENOMEM, "out of memory for the connectivity check");
    rc = agree_dist(d, rc, err);
    if (rc != ZSTR_OK) {
        free(parent);
        free(label);
        free(mine);
        return rc;
    }
    for (int64_t k = 0; k < nslot; k++) {
        parent[k] = k;
        label[k] = -1;
    }
    const int64_t kept_slot = d->kept == ZSTR_WE ? we : ce;
    const int64_t ground_slot = d->kept == ZSTR_WE ? ce : we;
    const int64_t ghost_lo = has_above ? d->off[d->rank + 1] : -1;
    for (int64_t r = 0; r < n; r++) {
        int64_t row = d->lo + r;
        if (row == d->port)
            continue;
        for (int64_t q = d->rp[r]; q < d->rp[r + 1]; q++) {
            int64_t j = d->cj[q];
            if (j == row || j < d->lo)
                continue; /* the diagonal; entries from below are the lower process's */
            if (!(conductive ? d->gv[q] != 0.0 : (d->gv[q] != 0.0 || d->cv[q] != 0.0)))
                continue;
            int64_t s;
            if (j == d->port)
                s = kept_slot;
            else if (j < d->hi)
                s = j - d->lo;
            else
                s = n + (j - ghost_lo);
            zs_uf_union(parent, r, s);
        }
    }
    for (int64_t k = 0; k < d->nground; k++)
        if (conductive ? d->gg[k] != 0.0 : (d->gg[k] != 0.0 || d->gc[k] != 0.0))
            zs_uf_union(parent, d->gnode[k], ground_slot);
    /* the face and electrode slots, relabelled 0..nl−1 by root: face[k] for
     * the first layer (k < L), the ghosts (L <= k < 2L), WE and CE; −1 for a
     * face this process does not have */
    int32_t nl = 0;
    for (int64_t k = 0; k < 2 * L + 2; k++) {
        int64_t s;
        if (k < L) {
            s = has_below ? k : -1;
        } else if (k < 2 * L) {
            s = has_above ? n + (k - L) : -1;
        } else {
            s = k == 2 * L ? we : ce;
        }
        if (s < 0) {
            mine[k] = -1;
            continue;
        }
        int64_t root = zs_uf_find(parent, s);
        if (label[root] < 0)
            label[root] = nl++;
        mine[k] = (int32_t)label[root];
    }
    /* Across the faces, in two sweeps along the processes: forward, process
     * r − 1 sends the classes of r's first layer as the slabs 0 .. r − 1 join
     * them (and which reach an electrode through them); backward, r + 1 sends
     * those of r's ghosts as the slabs r + 1 .. P − 1 join them.  A path
     * between two of r's nodes, or to an electrode, leaves r's slab only in
     * excursions wholly below or wholly above it, so r's own joins with both
     * messages give every node's class.  Each step holds a layer: no process
     * gathers the others' faces. */
    int64_t *fw = zs_malloc_array((size_t)nl + 1, sizeof *fw);
    int64_t *bw = zs_malloc_array((size_t)nl + 1, sizeof *bw);
    int32_t *msg = zs_malloc_array(2 * (size_t)L + 1, sizeof *msg);
    int64_t *first = zs_malloc_array((size_t)L + 1, sizeof *first);
    int32_t *relabel = zs_malloc_array((size_t)nl + 1, sizeof *relabel);
    uint8_t *myflags = zs_malloc_array((size_t)nl + 1, 1);
    int ok = fw != NULL && bw != NULL && msg != NULL && first != NULL && relabel != NULL &&
             myflags != NULL;
    rc = agree_dist(d, ok ? ZSTR_OK : zs_error(err, ZSTR_ENOMEM, "out of memory"), err);
    if (rc == ZSTR_OK && 2 * L > INT32_MAX)
        rc = zs_error(err, ZSTR_ERANGE,
                      "a layer of %lld voxels is more than one message "
                      "of the connectivity check carries",
                      (long long)L);
    if (rc == ZSTR_OK) {
        const int32_t lwe = mine[2 * L], lce = mine[2 * L + 1];
        for (int32_t k = 0; k < nl; k++)
            fw[k] = bw[k] = k;
        for (int dir = 0; dir < 2; dir++) {
            /* dir 0: forward (receive below, send above); 1: backward */
            int64_t *u = dir == 0 ? fw : bw;
            int from = dir == 0 ? (has_below ? d->rank - 1 : -1) : (has_above ? d->rank + 1 : -1);
            int to = dir == 0 ? (has_above ? d->rank + 1 : -1) : (has_below ? d->rank - 1 : -1);
            const int32_t *in_face = mine + (dir == 0 ? 0 : L);
            const int32_t *out_face = mine + (dir == 0 ? L : 0);
            if (from >= 0) {
                MPI_Recv(msg, (int)(2 * L), MPI_INT32_T, from, 11 + dir, d->comm,
                         MPI_STATUS_IGNORE);
                /* msg: a class per position, then its electrode flags */
                for (int64_t k = 0; k < L; k++)
                    first[k] = -1;
                for (int64_t k = 0; k < L; k++) {
                    int32_t c = msg[k];
                    if (first[c] < 0)
                        first[c] = in_face[k];
                    else
                        zs_uf_union(u, first[c], in_face[k]);
                    if (msg[L + k] & 1)
                        zs_uf_union(u, in_face[k], lwe);
                    if (msg[L + k] & 2)
                        zs_uf_union(u, in_face[k], lce);
                }
            }
            if (to >= 0) {
                for (int32_t k = 0; k < nl; k++)
                    relabel[k] = -1;
                int32_t nc = 0;
                const int64_t rwe = zs_uf_find(u, lwe), rce = zs_uf_find(u, lce);
                for (int64_t k = 0; k < L; k++) {
                    int64_t rt = zs_uf_find(u, out_face[k]);
                    if (relabel[rt] < 0)
                        relabel[rt] = nc++;
                    msg[k] = relabel[rt];
                    msg[L + k] = (rt == rwe ? 1 : 0) | (rt == rce ? 2 : 0);
                }
                MPI_Send(msg, (int)(2 * L), MPI_INT32_T, to, 11 + dir, d->comm);
            }
        }
        /* both: every own join, those from below and those from above */
        for (int32_t k = 0; k < nl; k++)
            zs_uf_union(fw, k, zs_uf_find(bw, k));
        const int64_t rwe = zs_uf_find(fw, lwe), rce = zs_uf_find(fw, lce);
        for (int32_t k = 0; k < nl; k++) {
            int64_t rt = zs_uf_find(fw, k);
            myflags[k] = (uint8_t)((rt == rwe ? 1 : 0) | (rt == rce ? 2 : 0));
        }
    }
    if (rc == ZSTR_OK) {
        int64_t fl = 0;
        int jn = 0;
        for (int64_t r = 0; r < n; r++) {
            if (d->lo + r == d->port)
                continue;
            int64_t root = zs_uf_find(parent, r);
            int cls = label[root] >= 0 ? myflags[label[root]] : 0;
            fl += cls == 0;
            if (mask != NULL)
                mask[r] = cls == 0;
            jn |= cls == 3;
        }
        *floating = fl;
        *joined = jn;
    }
    free(fw);
    free(bw);
    free(msg);
    free(first);
    free(relabel);
    free(myflags);
    free(parent);
    free(label);
    free(mine);
    return rc;
}

/* ---- the space's operations ------------------------------------------------------ */

static void fail_once(dist *d, PetscErrorCode ierr, const petsc_msg *m, const char *what)
{
    if (!d->failed) {
        d->failed = 1;
        zs_petsc_fail(m, ierr, what, &d->fail_err);
    }
}

static void matvec_dist(void *ctx, double a, double b, const double *x, double *y)
{
    dist *d = ctx;
    petsc_msg m;
    zs_petsc_enter(&m);
    PetscErrorCode ierr = VecPlaceArray(d->vx, x);
    if (ierr == 0)
        ierr = VecPlaceArray(d->vy, y);
    if (ierr == 0 && a != 0.0) {
        ierr = MatMult(d->G, d->vx, d->vy);
        if (ierr == 0 && a != 1.0)
            ierr = VecScale(d->vy, a);
    }
    if (ierr == 0 && b != 0.0) {
        ierr = MatMult(d->C, d->vx, a != 0.0 ? d->vt : d->vy);
        if (ierr == 0 && a != 0.0)
            ierr = VecAXPY(d->vy, b, d->vt);
        else if (ierr == 0 && b != 1.0)
            ierr = VecScale(d->vy, b);
    }
    if (ierr == 0 && a == 0.0 && b == 0.0)
        ierr = VecSet(d->vy, 0.0);
    VecResetArray(d->vx);
    VecResetArray(d->vy);
    zs_petsc_leave();
    if (ierr != 0)
        fail_once(d, ierr, &m, "a distributed mat-vec");
}

static void project_dist(void *ctx, const double *V, int64_t k, double *gk, double *ck)
{
    dist *d = ctx;
    const int64_t n = d->nloc, L = d->L;
    const int above = d->rank < d->P - 1, below = d->rank > 0;
    const double *vk = V + k * n;
    double *gh = d->ghost + k * L;
    /* this vector's values at the next process's first layer */
    MPI_Sendrecv(vk, below ? (int)L : 0, MPI_DOUBLE, below ? d->rank - 1 : MPI_PROC_NULL, 7,
                 gh, above ? (int)L : 0, MPI_DOUBLE, above ? d->rank + 1 : MPI_PROC_NULL, 7,
                 d->comm, MPI_STATUS_IGNORE);
    for (int64_t j = 0; j <= k; j++)
        gk[j] = ck[j] = 0.0;
    const int64_t ghost_lo = above ? d->off[d->rank + 1] : d->hi;
    for (int64_t r = 0; r < n; r++) {
        for (int64_t q = d->up[r]; q < d->up[r + 1]; q++) {
            int64_t c = d->ucol[q];
            int local = c < d->hi;
            int64_t at = local ? c - d->lo : c - ghost_lo;
            double dk = vk[r] - (local ? vk[at] : gh[at]);
            if (dk == 0.0)
                continue;
            double g = -d->ug[q] * dk, cc = -d->uc[q] * dk;
            for (int64_t j = 0; j <= k; j++) {
                const double *vj = V + j * n;
                double dj = vj[r] - (local ? vj[at] : d->ghost[j * L + at]);
                gk[j] += g * dj;
                ck[j] += cc * dj;
            }
        }
    }
    for (int64_t e = 0; e < d->nground; e++) {
        int64_t a = d->gnode[e];
        double dk = vk[a];
        if (dk == 0.0)
            continue;
        double g = d->gg[e] * dk, cc = d->gc[e] * dk;
        for (int64_t j = 0; j <= k; j++) {
            gk[j] += g * V[j * n + a];
            ck[j] += cc * V[j * n + a];
        }
    }
}

static int factor_dist(void *ctx, double sigma, void **num, zstr_error *err)
{
    dist *d = ctx;
    *num = NULL;
    double *dd = zs_malloc_array((size_t)(d->nloc > 0 ? d->nloc : 1), sizeof *dd);
    int rc = dd != NULL ? ZSTR_OK
                        : zs_error(err, ZSTR_ENOMEM, "out of memory for a distributed operator");
    for (int64_t r = 0; r < d->nloc && rc == ZSTR_OK; r++) {
        int64_t row = d->lo + r;
        double kr = row == d->port ? (double)(d->port_g + (long double)sigma * d->port_c)
                                   : d->gd[r] + sigma * d->cd[r];
        if (!(kr > 0.0) || !isfinite(kr))
            rc = zs_error(err, kr == 0.0 ? ZSTR_ESINGULAR : ZSTR_EINVAL,
                          "G + %g C has the diagonal %g at row %lld of %lld: not positive "
                          "definite",
                          sigma, kr, (long long)row, (long long)d->off[d->P]);
        else
            dd[r] = 1.0 / sqrt(kr);
    }
    /* agreed before the collective calls below */
    if ((rc = agree_dist(d, rc, err)) != ZSTR_OK) {
        free(dd);
        return rc;
    }
    petsc_msg m;
    zs_petsc_enter(&m);
    Mat K = NULL;
    Vec dv = NULL;
    PetscErrorCode ierr = MatDuplicate(d->G, MAT_COPY_VALUES, &K);
    if (ierr == 0 && sigma != 0.0)
        ierr = MatAXPY(K, sigma, d->C, SAME_NONZERO_PATTERN);
    if (ierr == 0)
        ierr = VecCreateMPIWithArray(d->comm, 1, (PetscInt)d->nloc, (PetscInt)d->off[d->P], dd,
                                     &dv);
    if (ierr == 0)
        ierr = MatDiagonalScale(K, dv, dv);
    VecDestroy(&dv);
    if (ierr != 0)
        MatDestroy(&K);
    zs_petsc_leave();
    rc = agree_dist(d, ierr != 0 ? zs_petsc_fail(&m, ierr, "making G + sigma C", err) : ZSTR_OK,
                    err);
    if (rc != ZSTR_OK) {
        if (ierr == 0) {
            zs_petsc_enter(&m);
            MatDestroy(&K);
            zs_petsc_leave();
        }
        free(dd);
        return rc;
    }
    return zs_petsc_numeric_create(K, NULL, dd, sigma, d->tol, d->options, agree_dist, d, num, err);
}

static int solve_dist(void *ctx, void *num, const double *b, double *x, zstr_error *err)
{
    const dist *d = ctx;
    return zs_petsc_numeric_solve(num, d->nloc, b, x, err);
}

static double iterations_dist(void *ctx, void *num)
{
    (void)ctx;
    return zs_petsc_numeric_iterations(num);
}

static void free_numeric_dist(void *ctx, void *num)
{
    (void)ctx;
    if (num != NULL)
        zs_petsc_numeric_free(num);
}

/* ---- set-up and teardown ------------------------------------------------------- */

static void free_build(dist *d)
{
    free(d->cnt);
    free(d->rp);
    free(d->cj);
    free(d->gv);
    free(d->cv);
    d->cnt = d->rp = NULL;
    d->cj = NULL;
    d->gv = d->cv = NULL;
}

static void dist_free(dist *d)
{
    free_build(d);
    free(d->z0);
    free(d->off);
    free(d->gd);
    free(d->cd);
    free(d->floating);
    free(d->gnode);
    free(d->gg);
    free(d->gc);
    free(d->up);
    free(d->ucol);
    free(d->ug);
    free(d->uc);
    free(d->tbuf);
    free(d->ghost);
    free(d->sumbuf);
    if (d->G != NULL || d->C != NULL || d->vx != NULL) {
        petsc_msg m;
        zs_petsc_enter(&m);
        MatDestroy(&d->G);
        MatDestroy(&d->C);
        VecDestroy(&d->vx);
        VecDestroy(&d->vy);
        VecDestroy(&d->vt);
        zs_petsc_leave();
    }
}

/* The memory limit of this process: asked, or 80 % of the physical memory
 * shared by the processes on this machine. */
static double process_limit(const dist *d, double asked)
{
    if (asked > 0.0)
        return asked;
    MPI_Comm node;
    int local = 1;
    if (MPI_Comm_split_type(d->comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &local);
        MPI_Comm_free(&node);
    }
    return zs_mem_limit(0.0) / (double)(local > 0 ? local : 1);
}

/* Partition, number, assemble and make the distributed matrices. */
static int dist_build(dist *d, const zstr_mpi_options *mo, const zstr_rom_options *ro,
                      zstr_mpi_info *info, zstr_error *err)
{
    const zstr_model *m = d->m;
    const int P = d->P, r = d->rank;
    const int64_t nz = m->n[2];
    d->L = m->n[0] * m->n[1];
    d->nvox = m->nvox;
    d->z0 = zs_malloc_array((size_t)P + 1, sizeof *d->z0);
    d->off = zs_malloc_array((size_t)P + 1, sizeof *d->off);
    d->kmax = (int64_t)ro->max_shifts * ro->moments;
    d->sumbuf = zs_malloc_array(2 * (size_t)d->kmax + 8, sizeof *d->sumbuf);
    int rc = d->z0 != NULL && d->off != NULL && d->sumbuf != NULL
                 ? ZSTR_OK
                 : zs_error(err, ZSTR_ENOMEM, "out of memory");
    rc = agree_dist(d, rc, err);
    if (rc != ZSTR_OK)
        return rc;
    for (int q = 0; q < P; q++)
        zs_dist_layers(nz, P, q, &d->z0[q], &d->z0[q + 1]);
    const int64_t zb = d->z0[r], ze = d->z0[r + 1];
    info->z_begin = zb;
    info->z_end = ze;
    /* a process's part of the model must hold the layers its walks read */
    {
        int64_t lo, hi;
        zs_dist_held(nz, P, r, &lo, &hi);
        if (m->z_lo > lo || m->z_hi < hi)
            rc = zs_error(err, ZSTR_EINVAL,
                          "process %d holds layers %lld..%lld of the model but needs "
                          "%lld..%lld (make its part with zstr_mpi_model_create on the same "
                          "communicator)",
                          r, (long long)m->z_lo, (long long)m->z_hi - 1, (long long)lo,
                          (long long)hi - 1);
        rc = agree_dist(d, rc, err);
        if (rc != ZSTR_OK)
            return rc;
    }
    /* a lower bound from the grid alone, before anything is walked: the
     * slab's share of the compact pencil and of the basis */
    double limit = process_limit(d, mo->memory_limit);
    info->memory_limit = limit;
    double model_bytes = (double)m->nheld * (m->grains != NULL ? 8.0 : 4.0);
    {
        double asm_bytes = 0.0;
        zs_mem_grid_bound(m->n, &asm_bytes, NULL);
        double share = (double)(ze - zb) / (double)nz;
        double lower = model_bytes + share * (asm_bytes + zs_mor_basis_bytes(d->nvox, ro));
        if (lower > limit)
            rc = zs_error(err, ZSTR_EMEMLIMIT,
                          "the distributed sweep needs at least %.3g GB on process %d (its %lld "
                          "layers of %lld: the model, the slab's network and its basis), more "
                          "than its limit of %.3g GB",
                          lower / 1e9, r, (long long)(ze - zb), (long long)nz, limit / 1e9);
        rc = agree_dist(d, rc, err);
        if (rc != ZSTR_OK)
            return rc;
    }
    /* 1: internal nodes and the electrodes' sums */
    int64_t next = 0;
    d->pass = WALK_NODES;
    rc = zs_walk_elements(m, zb, ze, d->nvox, on_element, d, &next, err);
    int64_t own_internal = next - d->nvox;
    int64_t halo_next = d->nvox;
    if (rc == ZSTR_OK && zb > 0) {
        d->halo = 1;
        d->pass = WALK_NODES;
        rc = zs_walk_elements(m, zb - 1, zb, d->nvox, on_element, d, &halo_next, err);
        d->halo = 0;
    }
    d->halo_count = halo_next - d->nvox;
    rc = agree_dist(d, rc, err);
    if (rc != ZSTR_OK)
        return rc;
    double sums[6] = {(double)d->esum_g[0], (double)d->esum_c[0], (double)d->esum_g[1],
                      (double)d->esum_c[1], d->esum_n[0], d->esum_n[1]};
    sum_dist(d, sums, 6);
    double gw = sums[2 * ZSTR_WE], cw = sums[2 * ZSTR_WE + 1];
    double gc = sums[2 * ZSTR_CE], cc = sums[2 * ZSTR_CE + 1];
    if (sums[4 + ZSTR_WE] == 0.0 || sums[4 + ZSTR_CE] == 0.0)
        return zs_error(err, ZSTR_EINVAL,
                        "the %s has no branch to the electrolyte: every pixel of its interface "
                        "is free surface or a pore of zero capacitance",
                        sums[4 + ZSTR_WE] == 0.0 ? "working electrode" : "counter electrode");
    /* the electrode kept as the port: as port.c, the smaller admittance at
     * the top of the band */
    d->kept = (cc < cw || (cc == cw && gc < gw)) ? ZSTR_CE : ZSTR_WE;
    d->port_rank = d->kept == ZSTR_WE ? P - 1 : 0;
    int64_t nloc = d->L * (ze - zb) + own_internal + (r == d->port_rank ? 1 : 0);
    int64_t *all = zs_malloc_array((size_t)P, sizeof *all);
    rc = agree_dist(d, all != NULL ? ZSTR_OK : zs_error(err, ZSTR_ENOMEM, "out of memory"), err);
    if (rc != ZSTR_OK) {
        free(all);
        return rc;
    }
    MPI_Allgather(&nloc, 1, MPI_INT64_T, all, 1, MPI_INT64_T, d->comm);
    d->off[0] = 0;
    for (int q = 0; q < P; q++)
        d->off[q + 1] = d->off[q] + all[q];
    info->local_min = info->local_max = all[0];
    for (int q = 1; q < P; q++) {
        info->local_min = all[q] < info->local_min ? all[q] : info->local_min;
        info->local_max = all[q] > info->local_max ? all[q] : info->local_max;
    }
    free(all);
    const int64_t N = d->off[P];
    if (N > (int64_t)PETSC_MAX_INT)
        return zs_error(err, ZSTR_ERANGE,
                        "the network has %lld unknowns, more than this PETSc's %d-bit indices "
                        "hold (%lld): use a PETSc configured with --with-64-bit-indices",
                        (long long)N, (int)(8 * sizeof(PetscInt)), (long long)PETSC_MAX_INT);
    d->lo = d->off[r];
    d->hi = d->off[r + 1];
    d->nloc = nloc;
    d->own_int = d->lo + d->L * (ze - zb);
    d->port = d->kept == ZSTR_WE ? N - 1 : d->off[1] - 1;
    if (r > 0) {
        int lower_has_port = d->port_rank == r - 1;
        d->halo_int = d->lo - (lower_has_port ? 1 : 0) - d->halo_count;
    }
    info->local_unknowns = nloc;
    info->n_unknowns = N;
    /* 2: entries per row */
    d->cnt = zs_calloc_array((size_t)nloc, sizeof *d->cnt);
    d->gd = zs_calloc_array((size_t)nloc, sizeof *d->gd);
    d->cd = zs_calloc_array((size_t)nloc, sizeof *d->cd);
    rc = d->cnt != NULL && d->gd != NULL && d->cd != NULL
             ? ZSTR_OK
             : zs_error(err, ZSTR_ENOMEM, "out of memory for the slab's rows");
    if (rc == ZSTR_OK)
        rc = walk(d, WALK_COUNT, err);
    rc = agree_dist(d, rc, err);
    if (rc != ZSTR_OK)
        return rc;
    int64_t nnz = 0, maxrow = 0;
    for (int64_t k = 0; k < nloc; k++) {
        nnz += d->cnt[k] + 1;
        maxrow = d->cnt[k] + 1 > maxrow ? d->cnt[k] + 1 : maxrow;
    }
    /* the prediction, against the limit, before the rows are made */
    double n_d = (double)nloc, nnz_d = (double)nnz;
    double build = ZS_DIST_CSR_ENTRY * nnz_d + 24.0 * n_d + 2.0 * ZS_DIST_PETSC_ENTRY * nnz_d;
    double run = 2.0 * ZS_DIST_PETSC_ENTRY * nnz_d + ZS_DIST_UPPER_ENTRY * 0.5 * nnz_d +
                 16.0 * n_d + zs_mor_basis_bytes(nloc, ro) + zs_mem_iterative_bytes(n_d, nnz_d) +
                 8.0 * (double)d->kmax * (double)d->L;
    double predicted = model_bytes + (build > run ? build : run);
    info->predicted_bytes = predicted;
    if (predicted > limit)
        rc = zs_error(err, ZSTR_EMEMLIMIT,
                      "process %d would need about %.3g GB (%lld unknowns, %lld non-zeros of "
                      "the slab; the model, the distributed matrices, the multigrid and the "
                      "basis), more than its limit of %.3g GB",
                      r, predicted / 1e9, (long long)nloc, (long long)nnz, limit / 1e9);
    rc = agree_dist(d, rc, err);
    if (rc != ZSTR_OK)
        return rc;
    /* 3: fill */
    d->rp = zs_malloc_array((size_t)nloc + 1, sizeof *d->rp);
    d->cj = zs_malloc_array((size_t)(nnz > 0 ? nnz : 1), sizeof *d->cj);
    d->gv = zs_malloc_array((size_t)(nnz > 0 ? nnz : 1), sizeof *d->gv);
    d->cv = zs_malloc_array((size_t)(nnz > 0 ? nnz : 1), sizeof *d->cv);
    int64_t ng = d->nground;
    d->gnode = zs_malloc_array((size_t)(ng > 0 ? ng : 1), sizeof *d->gnode);
    d->gg = zs_malloc_array((size_t)(ng > 0 ? ng : 1), sizeof *d->gg);
    d->gc = zs_malloc_array((size_t)(ng > 0 ? ng : 1), sizeof *d->gc);
    rc = d->rp != NULL && d->cj != NULL && d->gv != NULL && d->cv != NULL && d->gnode != NULL &&
                 d->gg != NULL && d->gc != NULL
             ? ZSTR_OK
             : zs_error(err, ZSTR_ENOMEM, "out of memory for the slab's rows");
    if (rc == ZSTR_OK) {
        d->rp[0] = 0;
        for (int64_t k = 0; k < nloc; k++) {
            d->rp[k + 1] = d->rp[k] + d->cnt[k] + 1;
            d->cnt[k] = d->rp[k]; /* fill pointers; the diagonal's slot is last */
        }
        d->port_g = d->port_c = 0.0L;
        rc = walk(d, WALK_FILL, err);
    }
    rc = agree_dist(d, rc, err);
    if (rc != ZSTR_OK)
        return rc;
    /* sort, merge, insert the diagonals (compacting in place) */
    entry *tmp = zs_malloc_array((size_t)maxrow, sizeof *tmp);
    rc = tmp != NULL ? ZSTR_OK : zs_error(err, ZSTR_ENOMEM, "out of memory");
    if (rc == ZSTR_OK) {
        int64_t w = 0;
        for (int64_t k = 0; k < nloc; k++) {
            int64_t start = d->rp[k], end = d->cnt[k];
            d->rp[k] = w;
            w = finish_row(d, k, start, end, w, tmp);
        }
        d->rp[nloc] = w;
        nnz = w;
    }
    free(tmp);
    rc = agree_dist(d, rc, err);
    if (rc != ZSTR_OK)
        return rc;
    d->nnz_local = nnz;
    double tot = (double)nnz;
    sum_dist(d, &tot, 1);
    info->nnz = (int64_t)tot;
    /* connectivity: every node reaches an electrode at least capacitively;
     * conductively, floating nodes and the open circuit */
    int64_t floating = 0;
    int joined = 0;
    rc = classify(d, 0, &floating, &joined, NULL, err);
    double fl[2] = {(double)floating, 0.0};
    if (rc == ZSTR_OK) {
        sum_dist(d, fl, 1);
        if (fl[0] > 0.0)
            return zs_error(err, ZSTR_ESINGULAR,
                            "%.0f nodes are joined to no electrode even capacitively", fl[0]);
        d->floating = zs_calloc_array((size_t)(nloc > 0 ? nloc : 1), 1);
        rc = d->floating != NULL ? ZSTR_OK : zs_error(err, ZSTR_ENOMEM, "out of memory");
        rc = agree_dist(d, rc, err);
        if (rc == ZSTR_OK)
            rc = classify(d, 1, &floating, &joined, d->floating, err);
    }
    if (rc != ZSTR_OK)
        return rc;
    fl[0] = (double)floating;
    fl[1] = joined ? 1.0 : 0.0;
    sum_dist(d, fl, 2);
    info->n_floating = (int64_t)fl[0];
    info->open_circuit = !(fl[1] > 0.0);
    /* the PETSc matrices (they copy the rows; their row starts are PetscInt) */
    if (nnz > (int64_t)PETSC_MAX_INT)
        rc = zs_error(err, ZSTR_ERANGE,
                      "process %d holds %lld non-zeros, more than this PETSc's %d-bit indices "
                      "hold: use more processes, or a PETSc configured with "
                      "--with-64-bit-indices",
                      r, (long long)nnz, (int)(8 * sizeof(PetscInt)));
    rc = agree_dist(d, rc, err);
    if (rc != ZSTR_OK)
        return rc;
    PetscInt *ip = zs_malloc_array((size_t)nloc + 1, sizeof *ip);
    rc = ip != NULL ? ZSTR_OK : zs_error(err, ZSTR_ENOMEM, "out of memory");
    rc = agree_dist(d, rc, err);
    if (rc != ZSTR_OK) {
        free(ip);
        return rc;
    }
    for (int64_t k = 0; k <= nloc; k++)
        ip[k] = (PetscInt)d->rp[k];
    petsc_msg pm;
    zs_petsc_enter(&pm);
    rc = zs_petsc_ensure(err);
    PetscErrorCode ierr = 0;
    if (rc == ZSTR_OK) {
        ierr = MatCreateMPIAIJWithArrays(d->comm, (PetscInt)nloc, (PetscInt)nloc, (PetscInt)N,
                                         (PetscInt)N, ip, d->cj, d->gv, &d->G);
        if (ierr == 0)
            ierr = MatCreateMPIAIJWithArrays(d->comm, (PetscInt)nloc, (PetscInt)nloc,
                                             (PetscInt)N, (PetscInt)N, ip, d->cj, d->cv, &d->C);
        if (ierr == 0)
            ierr = VecCreateMPIWithArray(d->comm, 1, (PetscInt)nloc, (PetscInt)N, NULL, &d->vx);
        if (ierr == 0)
            ierr = VecCreateMPIWithArray(d->comm, 1, (PetscInt)nloc, (PetscInt)N, NULL, &d->vy);
        if (ierr == 0)
            ierr = VecCreateMPI(d->comm, (PetscInt)nloc, (PetscInt)N, &d->vt);
        if (ierr != 0)
            rc = zs_petsc_fail(&pm, ierr, "making the distributed matrices", err);
    }
    zs_petsc_leave();
    free(ip);
    rc = agree_dist(d, rc, err);
    /* the options are read once here, so a bad one refuses the sweep before
     * its first shift */
    if (rc == ZSTR_OK)
        rc = agree_dist(d, zs_petsc_check_options(d->G, d->options, err), err);
    if (rc != ZSTR_OK)
        return rc;
    /* keep the upper entries (col > row) for the energy forms */
    int64_t nup = 0;
    for (int64_t k = 0; k < nloc; k++)
        for (int64_t q = d->rp[k]; q < d->rp[k + 1]; q++)
            nup += d->cj[q] > d->lo + k;
    d->up = zs_malloc_array((size_t)nloc + 1, sizeof *d->up);
    d->ucol = zs_malloc_array((size_t)(nup > 0 ? nup : 1), sizeof *d->ucol);
    d->ug = zs_malloc_array((size_t)(nup > 0 ? nup : 1), sizeof *d->ug);
    d->uc = zs_malloc_array((size_t)(nup > 0 ? nup : 1), sizeof *d->uc);
    d->ghost = zs_malloc_array((size_t)(d->kmax * d->L), sizeof *d->ghost);
    rc = d->up != NULL && d->ucol != NULL && d->ug != NULL && d->uc != NULL && d->ghost != NULL
             ? ZSTR_OK
             : zs_error(err, ZSTR_ENOMEM, "out of memory");
    if (rc == ZSTR_OK) {
        int64_t u = 0;
        for (int64_t k = 0; k < nloc; k++) {
            d->up[k] = u;
            for (int64_t q = d->rp[k]; q < d->rp[k + 1]; q++)
                if (d->cj[q] > d->lo + k) {
                    d->ucol[u] = d->cj[q];
                    d->ug[u] = d->gv[q];
                    d->uc[u] = d->cv[q];
                    u++;
                }
        }
        d->up[nloc] = u;
    }
    free_build(d);
    return agree_dist(d, rc, err);
}

/* R_DC when some nodes float at DC (G singular, no exact Z_r(0)): one CG
 * solve of the port form with G alone, each floating row's diagonal raised by
 * its own conductance sum (or 1 where it has none).  A floating component has
 * no conductive element to the rest, so the raised block is decoupled and the
 * port's potential is exactly that of the network without it, as the serial
 * DC solve that leaves floating nodes out (solver_cholmod.c). */
static int dc_floating(dist *d, double *rdc, zstr_error *err)
{
    double *dd = zs_malloc_array((size_t)(d->nloc > 0 ? d->nloc : 1), sizeof *dd);
    double *add = zs_calloc_array((size_t)(d->nloc > 0 ? d->nloc : 1), sizeof *add);
    int rc = dd != NULL && add != NULL ? ZSTR_OK : zs_error(err, ZSTR_ENOMEM, "out of memory");
    for (int64_t r = 0; r < d->nloc && rc == ZSTR_OK; r++) {
        int64_t row = d->lo + r;
        double kr = row == d->port ? (double)d->port_g : d->gd[r];
        if (d->floating[r])
            add[r] = kr > 0.0 ? kr : 1.0;
        kr += add[r];
        if (!(kr > 0.0) || !isfinite(kr))
            rc = zs_error(err, ZSTR_ESINGULAR,
                          "the DC network has the diagonal %g at row %lld: a node joined to an "
                          "electrode by capacitors alone",
                          kr, (long long)row);
        else
            dd[r] = 1.0 / sqrt(kr);
    }
    rc = agree_dist(d, rc, err);
    if (rc != ZSTR_OK) {
        free(dd);
        free(add);
        return rc;
    }
    petsc_msg m;
    zs_petsc_enter(&m);
    Mat K = NULL;
    Vec av = NULL, dv = NULL;
    const PetscInt nl = (PetscInt)d->nloc, N = (PetscInt)d->off[d->P];
    PetscErrorCode ierr = MatDuplicate(d->G, MAT_COPY_VALUES, &K);
    if (ierr == 0)
        ierr = VecCreateMPIWithArray(d->comm, 1, nl, N, add, &av);
    if (ierr == 0)
        ierr = MatDiagonalSet(K, av, ADD_VALUES);
    if (ierr == 0)
        ierr = VecCreateMPIWithArray(d->comm, 1, nl, N, dd, &dv);
    if (ierr == 0)
        ierr = MatDiagonalScale(K, dv, dv);
    VecDestroy(&av);
    VecDestroy(&dv);
    if (ierr != 0)
        MatDestroy(&K);
    zs_petsc_leave();
    free(add);
    rc = agree_dist(d, ierr != 0 ? zs_petsc_fail(&m, ierr, "making the DC operator", err)
                                 : ZSTR_OK,
                    err);
    if (rc != ZSTR_OK) {
        if (ierr == 0) {
            zs_petsc_enter(&m);
            MatDestroy(&K);
            zs_petsc_leave();
        }
        free(dd);
        return rc;
    }
    void *num = NULL;
    rc = agree_dist(d,
                    zs_petsc_numeric_create(K, NULL, dd, 0.0, d->tol, d->options, agree_dist, d, &num,
                                            err),
                    err);
    double *b = NULL, *x = NULL;
    if (rc == ZSTR_OK) {
        b = zs_calloc_array((size_t)(d->nloc > 0 ? d->nloc : 1), sizeof *b);
        x = zs_calloc_array((size_t)(d->nloc > 0 ? d->nloc : 1), sizeof *x);
        rc = agree_dist(d, b != NULL && x != NULL ? ZSTR_OK
                                                  : zs_error(err, ZSTR_ENOMEM, "out of memory"),
                        err);
    }
    int own = d->port >= d->lo && d->port < d->hi;
    if (rc == ZSTR_OK) {
        if (own)
            b[d->port - d->lo] = 1.0;
        rc = agree_dist(d, zs_petsc_numeric_solve(num, d->nloc, b, x, err), err);
    }
    if (rc == ZSTR_OK) {
        double v = own ? x[d->port - d->lo] : 0.0;
        sum_dist(d, &v, 1);
        *rdc = v;
    }
    free(b);
    free(x);
    if (num != NULL)
        zs_petsc_numeric_free(num);
    return rc;
}

/* ---- the public entry ------------------------------------------------------------ */

void zstr_mpi_options_default(zstr_mpi_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
}

void zstr_mpi_info_init(zstr_mpi_info *info)
{
    if (info == NULL)
        return;
    memset(info, 0, sizeof *info);
    info->size = sizeof *info;
}

/* The arguments every process checks alike (no communication). */
static int check_arguments(MPI_Comm comm, const zstr_model *model, int64_t n, const double *f,
                           const zstr_rom_options *ropt, const zstr_mpi_options *mopt,
                           zstr_rom **out, zstr_mpi_info *info, zstr_rom_options *ro,
                           zstr_mpi_options *mo, zstr_error *err)
{
    if (out == NULL || model == NULL || f == NULL || n < 1 || comm == MPI_COMM_NULL)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_mpi_rom_create: NULL argument, no communicator or n < 1");
    int rc = zs_mor_read_options(ropt, ro, err);
    if (rc == ZSTR_OK)
        rc = zs_mor_check_frequencies(n, f, err);
    zstr_mpi_options_default(mo);
    if (rc == ZSTR_OK && mopt != NULL) {
        rc = zs_check_size(mopt->size, ZS_SIZE_UPTO(zstr_mpi_options, memory_limit), sizeof *mo,
                           "zstr_mpi_options", err);
        if (rc == ZSTR_OK)
            memcpy(mo, mopt, mopt->size);
        if (rc == ZSTR_OK && (!(mo->memory_limit >= 0.0) || !isfinite(mo->memory_limit)))
            rc = zs_error(err, ZSTR_EINVAL,
                          "zstr_mpi_rom_create: memory_limit %g must be >= 0 (0: automatic)",
                          mo->memory_limit);
    }
    if (rc == ZSTR_OK && info != NULL)
        rc = zs_check_size(info->size, ZS_SIZE_UPTO(zstr_mpi_info, sweep_seconds),
                           sizeof *info, "zstr_mpi_info", err);
    if (rc == ZSTR_OK)
        rc = zs_model_validate(model, err);
    return rc;
}

int zstr_mpi_rom_create(MPI_Comm comm, const zstr_model *model, int64_t n, const double *f,
                        const zstr_rom_options *ropt, const zstr_mpi_options *mopt,
                        zstr_rom **out, zstr_mpi_info *info, zstr_error *err)
{
    zstr_error e;
    zs_error_clear(&e);
    if (out != NULL)
        *out = NULL;
    int inited = 0;
    if (MPI_Initialized(&inited) != MPI_SUCCESS || !inited) {
        int rc = zs_error(&e, ZSTR_ESTATE,
                          "zstr_mpi_rom_create: MPI is not initialised (call MPI_Init first)");
        if (err != NULL)
            *err = e;
        return rc;
    }
    zstr_rom_options ro;
    zstr_mpi_options mo;
    dist d;
    memset(&d, 0, sizeof d);
    int rc = check_arguments(comm, model, n, f, ropt, mopt, out, info, &ro, &mo, &e);
    const int info_ok = rc == ZSTR_OK; /* its size was checked last */
    if (comm == MPI_COMM_NULL) {
        if (err != NULL)
            *err = e;
        return rc;
    }
    /* the library's messages travel on its own duplicate of comm */
    int rc_own = zs_mpi_own_comm(comm, "zstr_mpi_rom_create", &d.comm, rc == ZSTR_OK ? &e : NULL);
    if (rc_own != ZSTR_OK) {
        if (err != NULL)
            *err = e;
        return rc != ZSTR_OK ? rc : rc_own;
    }
    MPI_Comm_rank(d.comm, &d.rank);
    MPI_Comm_size(d.comm, &d.P);
    d.m = model;
    rc = agree_dist(&d, rc, &e);
    if (rc == ZSTR_OK && model->n[2] < d.P)
        rc = zs_error(&e, ZSTR_EINVAL,
                      "zstr_mpi_rom_create: %d processes for %lld layers; at most one process "
                      "per layer",
                      d.P, (long long)model->n[2]);
    if (rc == ZSTR_OK) {
        /* PetscInitialize is collective on MPI_COMM_WORLD: a first call on
         * fewer processes would wait for the others for ever */
        int world = 0;
        MPI_Comm_size(MPI_COMM_WORLD, &world);
        petsc_msg pm;
        zs_petsc_enter(&pm);
        int uninit = !PetscInitializeCalled;
        zs_petsc_leave();
        if (uninit && world != d.P)
            rc = zs_error(&e, ZSTR_ESTATE,
                          "zstr_mpi_rom_create: PETSc is not initialised, and this first call "
                          "is on %d of MPI_COMM_WORLD's %d processes; PetscInitialize needs "
                          "all of them (make the first call on MPI_COMM_WORLD, or call "
                          "PetscInitialize in the program)",
                          d.P, world);
        rc = agree_dist(&d, rc, &e);
    }
    zstr_mpi_info in;
    zstr_mpi_info_init(&in);
    in.processes = d.P;
    double t0 = zs_wall_seconds();
    if (rc == ZSTR_OK) {
        d.tol = zs_mor_solve_tolerance(&ro);
        d.options = mo.petsc_options;
        rc = dist_build(&d, &mo, &ro, &in, &e);
    }
    in.assembly_seconds = zs_wall_seconds() - t0;
    if (rc == ZSTR_OK) {
        zs_mor_space sp = {.n = d.nloc,
                           .port = d.port >= d.lo && d.port < d.hi ? d.port - d.lo : -1,
                           .g_definite = in.n_floating == 0 && !in.open_circuit,
                           .backend = ZSTR_BACKEND_ITERATIVE,
                           .leader = d.rank == 0,
                           .ctx = &d,
                           .matvec = matvec_dist,
                           .sum = sum_dist,
                           .project = project_dist,
                           .factor = factor_dist,
                           .solve = solve_dist,
                           .iterations = iterations_dist,
                           .free_numeric = free_numeric_dist,
                           .agree = agree_dist};
        double t1 = zs_wall_seconds();
        rc = zs_mor_build(&sp, n, f, &ro, out, &e);
        /* R_DC: infinite, the reduced model's (exact: its basis holds G⁻¹e),
         * or one more solve when nodes float */
        if (rc == ZSTR_OK && in.open_circuit) {
            in.dc_resistance = INFINITY;
        } else if (rc == ZSTR_OK && sp.g_definite) {
            const double zero = 0.0;
            double z0[2];
            rc = zstr_rom_evaluate(*out, 1, &zero, z0, NULL, &e);
            in.dc_resistance = z0[0];
        } else if (rc == ZSTR_OK) {
            rc = dc_floating(&d, &in.dc_resistance, &e);
        }
        in.sweep_seconds = zs_wall_seconds() - t1;
        if (rc != ZSTR_OK) {
            zstr_rom_free(*out);
            *out = NULL;
        }
    }
    dist_free(&d);
    MPI_Comm_free(&d.comm);
    /* the caller's record, when its size was checked (a smaller, older one
     * gets the part it covers) */
    if (info != NULL && info_ok) {
        size_t size = info->size < sizeof in ? info->size : sizeof in;
        memcpy(info, &in, size);
        info->size = size;
    }
    if (err != NULL)
        *err = e;
    return rc;
}
