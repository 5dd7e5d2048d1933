/*
 * assemble.c — from a voxel model to the exact RC pencil Y(s) = G + sC.
 *
 * Network (physics.md §1).  One node per voxel centre.  A branch joins each pair
 * of face neighbours, each bottom voxel to the CE and each top voxel to the WE
 * (through its interface pixel).  A branch is a series of parts, each a parallel
 * RC: half voxel i, an optional grain-boundary layer, half voxel j (or, at the
 * WE, half voxel and interface element).
 *
 * Exactness.  A series of parallel RCs is a single parallel RC only when all
 * parts share one time constant τ = c/g.  So the parts are grouped into
 * "classes" whose τ is equal at every temperature (same τ at the reference
 * temperature, same activation energy and reference temperature; or pure
 * capacitors, τ = ∞).  Parts of one class merge exactly:
 *     g = 1/Σ(1/g_k),  c = 1/Σ(1/c_k)   (all share τ, so y = g(1 + sτ)).
 * A branch with k classes becomes k elements in a chain through k − 1 internal
 * nodes, so every element is one parallel RC and Y(s) = G + sC holds exactly,
 * with G and C real, symmetric and positive semi-definite.  Because the classes
 * do not depend on the temperature, the topology (and so the pattern and its
 * symbolic analysis) is the same at every temperature.
 *
 * Elimination.  The electrodes are Dirichlet nodes: V_WE = 1, V_CE = 0.  Their
 * rows and columns are removed; elements ending on them add to the diagonal, and
 * those ending on the WE give the right-hand side b = y (the port).
 *
 * Storage (zs_internal.h).  The upper triangle of one CSC pattern, diagonal
 * last in each column, 32-bit rows, G and C values, and the elements that end
 * on each electrode; nothing per element besides, since a node-node element is
 * its off-diagonal entry.  Three walks over the grid with one emitter count,
 * size and fill it (below), so the peak is the matrix itself plus one column
 * counter per node.  A re-stamp (plan.c) builds a new pencil and keeps the
 * plan's analyses when the pattern is the same.
 *
 * Branches.  zs_pencil_branches recovers each chain from the pattern alone:
 * internal nodes are numbered as their chains are made, so a chain's internal
 * nodes are consecutive, each is joined only to its chain, and every neighbour
 * of an internal node but its successor has a smaller number: column k lists
 * them all.  Fields and the DC network use it; nothing per branch is stored.
 *
 * DC connectivity.  A union-find over the conductive elements (g > 0) classifies
 * every node: joined to both electrodes, to one only, or to none (floating).
 * Floating nodes make G singular; the DC solver leaves them out.
 */
#include "zs_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- materials and classes ----------------------------------------------- */

/* Materials: the phases, then per electrode contact, pore and SEI. */
enum { ZS_MAT_CONTACT = 0, ZS_MAT_PORE = 1, ZS_MAT_SEI = 2 };

typedef struct material {
    double gs;  /* conductance scale at T: σ(T) [S/m] or 1/R(T) [S/m²] */
    double cs;  /* capacitance scale: ε0·ε_r [F/m] or C [F/m²] */
    double tau; /* cs/gs at the reference temperature (inf for gs == 0) */
    double ea, tref;
    int cls;    /* class id */
} material;

typedef struct part {
    double g, c;
    int cls;
} part;

static int same_class(const material *a, const material *b)
{
    int acap = a->gs == 0.0, bcap = b->gs == 0.0;
    if (acap || bcap)
        return acap && bcap; /* pure capacitors: τ = ∞ at every temperature */
    if (a->ea != b->ea || a->tref != b->tref)
        return 0;
    double ta = a->tau, tb = b->tau;
    /* equal time constants up to rounding of the inputs (a few ulps) */
    return fabs(ta - tb) <= 1e-13 * fmax(fabs(ta), fabs(tb));
}

static void classify(material *mat, int nmat)
{
    int next = 0;
    for (int i = 0; i < nmat; i++) {
        mat[i].cls = -1;
        for (int j = 0; j < i; j++) {
            if (same_class(&mat[i], &mat[j])) {
                mat[i].cls = mat[j].cls;
                break;
            }
        }
        if (mat[i].cls < 0)
            mat[i].cls = next++;
    }
}

static void set_material(material *m, double gs_ref, double gs, double cs, double ea,
                         double tref)
{
    m->gs = gs;
    m->cs = cs;
    m->tau = gs_ref > 0.0 ? cs / gs_ref : INFINITY;
    m->ea = ea;
    m->tref = tref;
}

/* ---- emitting elements: three passes over the grid ----------------------- */

/* The network is made by walking the grid three times with the same emitter,
 * so nothing per element is ever held beyond the matrix itself:
 *   pass 0 counts the internal nodes and the electrode elements (n is then
 *          known);
 *   pass 1 counts the off-diagonal entries of each column of the upper
 *          triangle (an element between nodes a < b sits in column b, row a);
 *   pass 2 writes them, −g and −c, and adds g and c to both diagonals.
 * Every pass numbers the internal nodes alike (in the order their chains are
 * made), and pass 2 adds to each diagonal in the order the elements come, the
 * order of the element list that earlier versions kept: the same network. */
enum { PASS_NODES = 0, PASS_COUNT = 1, PASS_FILL = 2 };

typedef struct sink {
    int pass;
    int64_t next_node; /* next internal node number */
    int64_t nnode_elem; /* node-node elements */
    int64_t nelec[2];
    int64_t *pos;      /* pass 1: entries per column; pass 2: fill pointers */
    zs_pencil *p;
    int64_t pixel;     /* the interface pixel of an electrode branch being made */
    zs_elem_fn fn;     /* zs_walk_elements: every element goes to fn instead */
    void *ctx;
} sink;

static void put_elem(sink *k, int64_t a, int64_t b, double g, double c)
{
    if (k->fn != NULL) {
        k->fn(k->ctx, a, b, g, c, b < 0 ? k->pixel : -1);
        return;
    }
    zs_pencil *p = k->p;
    if (b < 0) {
        int e = b == ZS_NODE_WE ? ZSTR_WE : ZSTR_CE;
        if (k->pass == PASS_FILL) {
            zs_elec *el = &p->elec[e];
            int64_t q = k->nelec[e];
            el->node[q] = a;
            el->pixel[q] = k->pixel;
            el->g[q] = g;
            el->c[q] = c;
            int64_t d = p->Ap[a + 1] - 1;
            p->Gx[d] += g;
            p->Cx[d] += c;
        }
        k->nelec[e]++;
        return;
    }
    k->nnode_elem++;
    int64_t row = a < b ? a : b, col = a < b ? b : a;
    if (k->pass == PASS_COUNT) {
        k->pos[col]++;
    } else if (k->pass == PASS_FILL) {
        int64_t q = k->pos[col]++;
        p->Ai[q] = (int32_t)row;
        p->Gx[q] = -g;
        p->Cx[q] = -c;
        int64_t da = p->Ap[a + 1] - 1, db = p->Ap[b + 1] - 1;
        p->Gx[da] += g;
        p->Cx[da] += c;
        p->Gx[db] += g;
        p->Cx[db] += c;
    }
}

/* Merge the parts of one branch by class and emit the chain of elements.
 * np <= 4, given in their physical order from node na to node nb.  Parts with
 * g == c == 0 open the branch; parts with infinite admittance are never passed
 * (the caller skips them).  Classes follow in the order of their first part,
 * so an internal node sits where its classes meet (a core half, then the GB,
 * then the far half) and is tied to the side it belongs to. */
static void emit_branch(sink *k, int64_t na, int64_t nb, part *parts, int np)
{
    for (int i = 0; i < np; i++) {
        if (parts[i].g == 0.0 && parts[i].c == 0.0)
            return; /* open circuit: no branch at all */
    }
    /* stable grouping by first appearance (np is tiny) */
    part sorted[4] = {{0.0, 0.0, 0}, {0.0, 0.0, 0}, {0.0, 0.0, 0}, {0.0, 0.0, 0}};
    int ns = 0;
    for (int i = 0; i < np; i++) {
        int seen = 0;
        for (int q = 0; q < i && !seen; q++)
            seen = parts[q].cls == parts[i].cls;
        for (int q = i; q < np && !seen; q++) {
            if (parts[q].cls == parts[i].cls)
                sorted[ns++] = parts[q];
        }
    }
    parts = sorted;
    double gs[4], cs[4];
    int ng = 0;
    for (int i = 0; i < np;) {
        double rg = 0.0, rc = 0.0; /* Σ 1/g, Σ 1/c */
        int gzero = 0, czero = 0, q = i;
        for (; q < np && parts[q].cls == parts[i].cls; q++) {
            if (parts[q].g == 0.0)
                gzero = 1;
            else
                rg += 1.0 / parts[q].g;
            if (parts[q].c == 0.0)
                czero = 1;
            else
                rc += 1.0 / parts[q].c;
        }
        gs[ng] = gzero ? 0.0 : 1.0 / rg;
        cs[ng] = czero ? 0.0 : 1.0 / rc;
        ng++;
        i = q;
    }
    int64_t prev = na;
    for (int q = 0; q < ng; q++) {
        int64_t next = (q == ng - 1) ? nb : k->next_node++;
        put_elem(k, prev, next, gs[q], cs[q]);
        prev = next;
    }
}

/* ---- union-find (zs_internal.h) --------------------------------------------- */

int64_t zs_uf_find(int64_t *parent, int64_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

void zs_uf_union(int64_t *parent, int64_t a, int64_t b)
{
    a = zs_uf_find(parent, a);
    b = zs_uf_find(parent, b);
    if (a != b) {
        if (a < b)
            parent[b] = a;
        else
            parent[a] = b;
    }
}

/* Classify nodes by the electrodes their component reaches through elements
 * (conductive ones only, or any).  cls[i] bit 0: WE, bit 1: CE. */
static int connectivity(const zs_pencil *p, int conductive_only, uint8_t *cls)
{
    int64_t n = p->n, node[2] = {n, n + 1}; /* WE, CE */
    int64_t *parent = zs_malloc_array((size_t)(n + 2), sizeof *parent);
    uint8_t *root_cls = zs_calloc_array((size_t)(n + 2), 1);
    if (parent == NULL || root_cls == NULL) {
        free(parent);
        free(root_cls);
        return ZSTR_ENOMEM;
    }
    for (int64_t i = 0; i < n + 2; i++)
        parent[i] = i;
    for (int64_t j = 0; j < n; j++) {
        for (int64_t q = p->Ap[j]; q < p->Ap[j + 1] - 1; q++) {
            double g = -p->Gx[q], c = -p->Cx[q];
            if (conductive_only ? g <= 0.0 : (g <= 0.0 && c <= 0.0))
                continue;
            zs_uf_union(parent, p->Ai[q], j);
        }
    }
    for (int e = 0; e < 2; e++) {
        const zs_elec *el = &p->elec[e];
        for (int64_t q = 0; q < el->n; q++) {
            if (conductive_only ? el->g[q] <= 0.0 : (el->g[q] <= 0.0 && el->c[q] <= 0.0))
                continue;
            zs_uf_union(parent, el->node[q], node[e]);
        }
    }
    root_cls[zs_uf_find(parent, node[ZSTR_WE])] |= 1;
    root_cls[zs_uf_find(parent, node[ZSTR_CE])] |= 2;
    for (int64_t i = 0; i < n; i++)
        cls[i] = root_cls[zs_uf_find(parent, i)];
    free(parent);
    free(root_cls);
    return ZSTR_OK;
}

/* ---- CSC pattern ---------------------------------------------------------- */

/* After pass 1: column starts from the counts (plus the diagonal), the arrays. */
static int alloc_pattern(zs_pencil *p, sink *k)
{
    const int64_t n = p->n;
    p->Ap = zs_malloc_array((size_t)n + 1, sizeof *p->Ap);
    if (p->Ap == NULL)
        return ZSTR_ENOMEM;
    p->Ap[0] = 0;
    for (int64_t j = 0; j < n; j++)
        p->Ap[j + 1] = p->Ap[j] + k->pos[j] + 1;
    int64_t nz = p->Ap[n];
    p->Ai = zs_malloc_array((size_t)nz, sizeof *p->Ai);
    p->Gx = zs_calloc_array((size_t)nz, sizeof *p->Gx);
    p->Cx = zs_calloc_array((size_t)nz, sizeof *p->Cx);
    for (int e = 0; e < 2; e++) {
        zs_elec *el = &p->elec[e];
        size_t ne = (size_t)(k->nelec[e] > 0 ? k->nelec[e] : 1);
        el->node = zs_malloc_array(ne, sizeof *el->node);
        el->pixel = zs_malloc_array(ne, sizeof *el->pixel);
        el->g = zs_malloc_array(ne, sizeof *el->g);
        el->c = zs_malloc_array(ne, sizeof *el->c);
        if (el->node == NULL || el->pixel == NULL || el->g == NULL || el->c == NULL)
            return ZSTR_ENOMEM;
    }
    if (p->Ai == NULL || p->Gx == NULL || p->Cx == NULL)
        return ZSTR_ENOMEM;
    for (int64_t j = 0; j < n; j++) {
        k->pos[j] = p->Ap[j];
        p->Ai[p->Ap[j + 1] - 1] = (int32_t)j;
    }
    return ZSTR_OK;
}

/* After pass 2: sort the rows of each column (the diagonal stays last) and
 * merge an entry that two elements share (parallel elements on one pair: one
 * element of admittance y1 + y2, exactly the same network). */
static void sort_pattern(zs_pencil *p)
{
    int64_t w = 0, start = 0;
    for (int64_t j = 0; j < p->n; j++) {
        int64_t end = p->Ap[j + 1] - 1; /* the diagonal */
        for (int64_t q = start + 1; q < end; q++) {
            int32_t t = p->Ai[q];
            double tg = p->Gx[q], tc = p->Cx[q];
            int64_t r = q - 1;
            while (r >= start && p->Ai[r] > t) {
                p->Ai[r + 1] = p->Ai[r];
                p->Gx[r + 1] = p->Gx[r];
                p->Cx[r + 1] = p->Cx[r];
                r--;
            }
            p->Ai[r + 1] = t;
            p->Gx[r + 1] = tg;
            p->Cx[r + 1] = tc;
        }
        int64_t colstart = w;
        for (int64_t q = start; q <= end; q++) {
            if (w > colstart && p->Ai[w - 1] == p->Ai[q]) {
                p->Gx[w - 1] += p->Gx[q];
                p->Cx[w - 1] += p->Cx[q];
                continue;
            }
            p->Ai[w] = p->Ai[q];
            p->Gx[w] = p->Gx[q];
            p->Cx[w] = p->Cx[q];
            w++;
        }
        start = end + 1;
        p->Ap[j + 1] = w;
    }
    p->nnz = w;
}

double zs_pencil_at(const zs_pencil *p, const double *x, int64_t i, int64_t j)
{
    for (int64_t q = p->Ap[j]; q < p->Ap[j + 1]; q++)
        if (p->Ai[q] == i)
            return x[q];
    return 0.0;
}

/* ---- branches from the pattern -------------------------------------------- */

/* The axis of a face branch from voxel a to voxel b: the one whose stride is
 * b − a and along which the grid has a neighbour (two axes share a stride only
 * when one of them has a single layer). */
static int branch_axis(const zs_pencil *p, int64_t a, int64_t b)
{
    const int64_t stride[3] = {1, p->grid[0], p->grid[0] * p->grid[1]};
    for (int d = 2; d >= 0; d--)
        if (b - a == stride[d] && p->grid[d] > 1)
            return d;
    return 0; /* unreachable for a pattern made by this file */
}

/* Does column j hold internal node j − 1 (its predecessor in a chain)? */
static int follows(const zs_pencil *p, int64_t j)
{
    /* rows are sorted and j − 1 is the largest below the diagonal j */
    return j - 1 >= p->nvox && p->Ap[j + 1] - 2 >= p->Ap[j] && p->Ai[p->Ap[j + 1] - 2] == j - 1;
}

static void series_add(double g, double *rs, int *open)
{
    if (g > 0.0)
        *rs += 1.0 / g;
    else
        *open = 1;
}

int zs_pencil_branches(const zs_pencil *p, zs_branch_fn fn, void *ctx)
{
    const int64_t nvox = p->nvox;
    zs_branch br;
    int rc;
    /* voxel to voxel, one element: rows of voxel columns are voxels */
    for (int64_t j = 0; j < nvox; j++) {
        for (int64_t q = p->Ap[j]; q < p->Ap[j + 1] - 1; q++) {
            br = (zs_branch){.a = p->Ai[q], .b = j, .next = j, .pixel = -1,
                             .g = -p->Gx[q], .c = -p->Cx[q]};
            br.dir = branch_axis(p, br.a, j);
            br.g_series = br.g > 0.0 ? br.g : 0.0;
            if ((rc = fn(ctx, &br)) != 0)
                return rc;
        }
    }
    /* chains between voxels, from their first internal node: its column holds
     * its voxel (and the far voxel when it is the only internal node); each
     * later internal node's column holds its predecessor, the last one's also
     * the far voxel.  A chain that ends on an electrode is left to the
     * electrode lists below. */
    for (int64_t k0 = nvox; k0 < p->n; k0++) {
        if (follows(p, k0))
            continue;
        int64_t q0 = p->Ap[k0];
        br = (zs_branch){.a = p->Ai[q0], .next = k0, .pixel = -1, .g = -p->Gx[q0],
                         .c = -p->Cx[q0]};
        double rs = 0.0;
        int open = 0;
        series_add(br.g, &rs, &open);
        int64_t cur = k0, far = -1;
        double gfar = 0.0;
        for (;;) {
            /* a voxel row of cur's column other than the start voxel */
            for (int64_t q = p->Ap[cur]; q < p->Ap[cur + 1] - 1; q++) {
                int64_t i = p->Ai[q];
                if (i < nvox && !(cur == k0 && q == q0)) {
                    far = i;
                    gfar = -p->Gx[q];
                }
            }
            if (far >= 0 || cur + 1 >= p->n || !follows(p, cur + 1))
                break;
            series_add(-zs_pencil_at(p, p->Gx, cur, cur + 1), &rs, &open);
            cur++;
        }
        if (far < 0)
            continue; /* ends on an electrode */
        series_add(gfar, &rs, &open);
        br.b = far;
        br.dir = branch_axis(p, br.a, far);
        br.g_series = open ? 0.0 : 1.0 / rs;
        if ((rc = fn(ctx, &br)) != 0)
            return rc;
    }
    /* to the electrodes: walk each electrode element back to its voxel */
    for (int e = 0; e < 2; e++) {
        const zs_elec *el = &p->elec[e];
        for (int64_t m = 0; m < el->n; m++) {
            double rs = 0.0;
            int open = 0;
            series_add(el->g[m], &rs, &open);
            int64_t cur = el->node[m];
            br = (zs_branch){.a = cur, .b = e == ZSTR_WE ? ZS_NODE_WE : ZS_NODE_CE, .next = -1,
                             .dir = 2, .pixel = el->pixel[m], .g = el->g[m], .c = el->c[m]};
            while (cur >= nvox) {
                if (follows(p, cur)) {
                    series_add(-zs_pencil_at(p, p->Gx, cur - 1, cur), &rs, &open);
                    cur--;
                    continue;
                }
                int64_t q0 = p->Ap[cur]; /* its one voxel row */
                br.a = p->Ai[q0];
                br.next = cur;
                br.g = -p->Gx[q0];
                br.c = -p->Cx[q0];
                series_add(br.g, &rs, &open);
                break;
            }
            br.g_series = open ? 0.0 : 1.0 / rs;
            if ((rc = fn(ctx, &br)) != 0)
                return rc;
        }
    }
    return 0;
}


/* ---- the network ---------------------------------------------------------- */

typedef struct netctx {
    const zstr_model *m;
    material mat[ZS_MAX_PHASES + 6];
    int nmat;
} netctx;

static part phase_part(const netctx *x, int phase, double area, double len)
{
    const material *mt = &x->mat[phase];
    return (part){mt->gs * area / len, mt->cs * area / len, mt->cls};
}

static void build_layers(const netctx *x, sink *k, int64_t zlo, int64_t zhi)
{
    const zstr_model *m = x->m;
    const int64_t nx = m->n[0], ny = m->n[1], nz = m->n[2];
    const double *h = m->h;
    const double area[3] = {h[1] * h[2], h[0] * h[2], h[0] * h[1]};
    const int64_t stride[3] = {1, nx, nx * ny};
    /* the layers held start at z_lo (a distributed process's model) */
    const int64_t held0 = m->z_lo * nx * ny;
    const int32_t *lab = m->labels, *gr = m->grains;
    const double dgb = gr ? m->gb_thickness : 0.0;
    for (int64_t z = zlo; z < zhi; z++) {
        for (int64_t y = 0; y < ny; y++) {
            for (int64_t xx = 0; xx < nx; xx++) {
                const int64_t i = xx + nx * (y + ny * z), ih = i - held0;
                const int pi = lab[ih];
                const int64_t coord[3] = {xx, y, z};
                for (int d = 0; d < 3; d++) {
                    if (coord[d] + 1 >= m->n[d])
                        continue;
                    const int64_t j = i + stride[d];
                    const int64_t jh = ih + stride[d];
                    const int pj = lab[jh];
                    part parts[3];
                    int np = 0;
                    int gb = gr && gr[ih] >= 0 && gr[jh] >= 0 && gr[ih] != gr[jh];
                    double half = 0.5 * h[d] - (gb ? 0.5 * dgb : 0.0);
                    parts[np++] = phase_part(x, pi, area[d], half);
                    if (gb && dgb > 0.0)
                        parts[np++] = phase_part(x, m->gb_phase, area[d], dgb);
                    parts[np++] = phase_part(x, pj, area[d], half);
                    emit_branch(k, i, j, parts, np);
                }
                /* electrode branches along z */
                for (int e = 0; e < 2; e++) {
                    int64_t zface = (e == ZSTR_WE) ? nz - 1 : 0;
                    if (z != zface)
                        continue;
                    part parts[2];
                    int np = 0;
                    parts[np++] = phase_part(x, pi, area[2], 0.5 * h[2]);
                    const zs_interface *f = &m->iface[e];
                    if (f->present) {
                        int px = f->pixels[xx + nx * y];
                        if (px == ZSTR_PIXEL_NONE)
                            continue; /* free surface: no branch */
                        int base = m->nphases + 3 * e;
                        const material *mt = NULL;
                        if (px == ZSTR_PIXEL_CONTACT) {
                            if (f->params.contact_resistance > 0.0)
                                mt = &x->mat[base + ZS_MAT_CONTACT];
                        } else if (px == ZSTR_PIXEL_PORE) {
                            mt = &x->mat[base + ZS_MAT_PORE];
                        } else {
                            mt = &x->mat[base + ZS_MAT_SEI];
                        }
                        if (mt != NULL)
                            parts[np++] = (part){mt->gs * area[2], mt->cs * area[2], mt->cls};
                    }
                    k->pixel = xx + nx * y;
                    emit_branch(k, i, e == ZSTR_WE ? ZS_NODE_WE : ZS_NODE_CE, parts, np);
                }
            }
        }
    }
}

static void build_elements(const netctx *x, sink *k)
{
    k->next_node = x->m->nvox;
    k->nnode_elem = 0;
    k->nelec[0] = k->nelec[1] = 0;
    build_layers(x, k, 0, x->m->n[2]);
}

static void setup_materials(netctx *x)
{
    const zstr_model *m = x->m;
    const double t = m->temperature;
    for (int k = 0; k < m->nphases; k++) {
        const zs_phase *ph = &m->phases[k];
        double f = zs_arrhenius(ph->activation_energy, ph->reference_temperature, t);
        set_material(&x->mat[k], ph->conductivity, ph->conductivity * f,
                     ZSTR_EPSILON0 * ph->permittivity, ph->activation_energy,
                     ph->reference_temperature);
    }
    for (int e = 0; e < 2; e++) {
        const zstr_interface_params *ip = &m->iface[e].params;
        material *mt = &x->mat[m->nphases + 3 * e];
        double tr = m->iface[e].present ? ip->reference_temperature : 298.15;
        double gc = ip->contact_resistance > 0.0 ? 1.0 / ip->contact_resistance : 0.0;
        double gsei = ip->sei_resistance > 0.0 ? 1.0 / ip->sei_resistance : 0.0;
        set_material(&mt[ZS_MAT_CONTACT], gc,
                     gc * zs_arrhenius(ip->contact_activation_energy, tr, t),
                     ip->contact_capacitance, ip->contact_activation_energy, tr);
        set_material(&mt[ZS_MAT_PORE], 0.0, 0.0, ip->pore_capacitance, 0.0, tr);
        set_material(&mt[ZS_MAT_SEI], gsei, gsei * zs_arrhenius(ip->sei_activation_energy, tr, t),
                     ip->sei_capacitance, ip->sei_activation_energy, tr);
    }
    x->nmat = m->nphases + 6;
    classify(x->mat, x->nmat);
}

/* ---- conductance contrast (for messages) ---------------------------------- */

typedef struct contrast_scan {
    double ghi, glo; /* typical element conductances [S] */
    char hi[128], lo[128];
    int have;
} contrast_scan;

static void contrast_take(contrast_scan *c, double g, const char *text)
{
    if (!(g > 0.0))
        return;
    if (!c->have || g > c->ghi) {
        c->ghi = g;
        snprintf(c->hi, sizeof c->hi, "%s", text);
    }
    if (!c->have || g < c->glo) {
        c->glo = g;
        snprintf(c->lo, sizeof c->lo, "%s", text);
    }
    c->have = 1;
}

/* The conductive materials present, each with the conductance of a typical
 * element: a voxel along z (σ·hx·hy/hz), a GB layer on a z face (σ·hx·hy/δ), an
 * interface pixel (hx·hy/R). */
static int network_contrast(const netctx *x, zs_pencil *p)
{
    const zstr_model *m = x->m;
    const double axy = m->h[0] * m->h[1], t = m->temperature;
    uint8_t *used = calloc(ZS_MAX_PHASES, 1);
    if (used == NULL)
        return ZSTR_ENOMEM;
    for (int64_t i = 0; i < m->nheld; i++)
        used[m->labels[i]] = 1;
    contrast_scan c;
    memset(&c, 0, sizeof c);
    char text[128];
    for (int k = 0; k < m->nphases; k++) {
        if (!used[k])
            continue;
        snprintf(text, sizeof text, "phase '%s' (%.3g S/m at %g K)", m->phases[k].name,
                 x->mat[k].gs, t);
        contrast_take(&c, x->mat[k].gs * axy / m->h[2], text);
    }
    free(used);
    if (m->grains != NULL && m->gb_thickness > 0.0) {
        const material *mt = &x->mat[m->gb_phase];
        snprintf(text, sizeof text, "grain-boundary phase '%s' (%.3g S/m at %g K, %g m thick)",
                 m->phases[m->gb_phase].name, mt->gs, t, m->gb_thickness);
        contrast_take(&c, mt->gs * axy / m->gb_thickness, text);
    }
    static const char *const ename[2] = {"WE", "CE"};
    for (int e = 0; e < 2; e++) {
        const zs_interface *f = &m->iface[e];
        if (!f->present)
            continue;
        int has[4] = {0, 0, 0, 0};
        for (int64_t k = 0; k < m->n[0] * m->n[1]; k++)
            has[f->pixels[k] <= ZSTR_PIXEL_SEI ? f->pixels[k] : 0] = 1;
        const material *mt = &x->mat[m->nphases + 3 * e];
        if (has[ZSTR_PIXEL_CONTACT] && mt[ZS_MAT_CONTACT].gs > 0.0) {
            snprintf(text, sizeof text, "the %s contact (R_pol %.3g Ohm*m^2 at %g K)", ename[e],
                     1.0 / mt[ZS_MAT_CONTACT].gs, t);
            contrast_take(&c, mt[ZS_MAT_CONTACT].gs * axy, text);
        }
        if (has[ZSTR_PIXEL_SEI] && mt[ZS_MAT_SEI].gs > 0.0) {
            snprintf(text, sizeof text, "the %s SEI (R_SEI %.3g Ohm*m^2 at %g K)", ename[e],
                     1.0 / mt[ZS_MAT_SEI].gs, t);
            contrast_take(&c, mt[ZS_MAT_SEI].gs * axy, text);
        }
    }
    p->contrast = c.have ? c.ghi / c.glo : 1.0;
    snprintf(p->contrast_hi, sizeof p->contrast_hi, "%s", c.have ? c.hi : "");
    snprintf(p->contrast_lo, sizeof p->contrast_lo, "%s", c.have ? c.lo : "");
    return ZSTR_OK;
}

void zs_contrast_text(const zs_pencil *p, char *buf, size_t size)
{
    if (size == 0)
        return;
    if (!(p->contrast > 1.0))
        snprintf(buf, size, "the network has no conductance contrast");
    else
        snprintf(buf, size, "the conductance contrast between %s and %s is %.2g",
                 p->contrast_hi, p->contrast_lo, p->contrast);
}

int zs_walk_elements(const zstr_model *m, int64_t zlo, int64_t zhi, int64_t first_internal,
                     zs_elem_fn fn, void *ctx, int64_t *next_internal, zstr_error *err)
{
    if (zlo < 0 || zhi > m->n[2] || zlo > zhi)
        return zs_error(err, ZSTR_EINVAL, "layers %lld..%lld outside the grid's %lld",
                        (long long)zlo, (long long)zhi, (long long)m->n[2]);
    /* the walk reads layers zlo .. zhi (the far ends of the z-branches) */
    int64_t top = zhi < m->n[2] ? zhi + 1 : zhi;
    if (zlo < zhi && (zlo < m->z_lo || top > m->z_hi))
        return zs_error(err, ZSTR_EINVAL,
                        "the elements of layers %lld..%lld need layers %lld..%lld, but the "
                        "model holds only %lld..%lld",
                        (long long)zlo, (long long)zhi - 1, (long long)zlo, (long long)top - 1,
                        (long long)m->z_lo, (long long)m->z_hi - 1);
    netctx *x = malloc(sizeof *x);
    if (x == NULL)
        return zs_error(err, ZSTR_ENOMEM, "assembly: out of memory");
    x->m = m;
    setup_materials(x);
    sink k = {.pass = PASS_NODES, .next_node = first_internal, .fn = fn, .ctx = ctx};
    build_layers(x, &k, zlo, zhi);
    free(x);
    if (next_internal != NULL)
        *next_internal = k.next_node;
    return ZSTR_OK;
}

void zs_pencil_free(zs_pencil *p)
{
    if (p == NULL)
        return;
    free(p->Ap);
    free(p->Ai);
    free(p->Gx);
    free(p->Cx);
    for (int e = 0; e < 2; e++) {
        free(p->elec[e].node);
        free(p->elec[e].pixel);
        free(p->elec[e].g);
        free(p->elec[e].c);
    }
    free(p->dc_class);
    memset(p, 0, sizeof *p);
}

/* The DC classes, floating and isolated counts, open circuit; refuses a node
 * that no element (even a capacitor) joins to an electrode. */
static int classify_nodes(zs_pencil *p, zstr_error *err)
{
    p->dc_class = zs_malloc_array((size_t)p->n, 1);
    if (p->dc_class == NULL)
        return ZSTR_ENOMEM;
    /* AC: every node must reach an electrode through some element, else Y(jω)
     * is singular.  With ε_r > 0 this always holds; check rather than trust. */
    int rc = connectivity(p, 0, p->dc_class);
    if (rc != ZSTR_OK)
        return rc;
    for (int64_t i = 0; i < p->n; i++) {
        if (p->dc_class[i] == 0)
            return zs_error(err, ZSTR_ESINGULAR,
                            "node %lld is joined to no electrode even capacitively", (long long)i);
    }
    rc = connectivity(p, 1, p->dc_class);
    if (rc != ZSTR_OK)
        return rc;
    int joined = 0;
    for (int64_t i = 0; i < p->n; i++) {
        p->n_floating += p->dc_class[i] == 0;
        p->n_isolated_dc += p->dc_class[i] == 1 || p->dc_class[i] == 2;
        /* open circuit: no node joins both electrodes through conductors */
        joined |= p->dc_class[i] == 3;
    }
    p->open_circuit = !joined;
    return ZSTR_OK;
}

int zs_pencil_build(const zstr_model *m, zs_pencil *p, zstr_error *err)
{
    memset(p, 0, sizeof *p);
    netctx *x = malloc(sizeof *x);
    if (x == NULL)
        return zs_error(err, ZSTR_ENOMEM, "assembly: out of memory");
    x->m = m;
    setup_materials(x);
    if (network_contrast(x, p) != ZSTR_OK) {
        free(x);
        return zs_error(err, ZSTR_ENOMEM, "assembly: out of memory");
    }
    for (int d = 0; d < 3; d++)
        p->grid[d] = m->n[d];
    p->nvox = m->nvox;
    sink k = {.pass = PASS_NODES, .p = p};
    build_elements(x, &k);
    p->n = k.next_node;
    p->ninternal = p->n - p->nvox;
    p->nelem = k.nnode_elem + k.nelec[0] + k.nelec[1];
    p->elec[0].n = k.nelec[0];
    p->elec[1].n = k.nelec[1];
    int rc = ZSTR_OK;
    if (p->elec[ZSTR_WE].n == 0 || p->elec[ZSTR_CE].n == 0) {
        rc = zs_error(err, ZSTR_EINVAL,
                      "the %s has no branch to the electrolyte: every pixel of its interface "
                      "is free surface or a pore of zero capacitance",
                      p->elec[ZSTR_WE].n == 0 ? "working electrode" : "counter electrode");
        goto fail;
    }
    if (p->n > ZS_MAX_UNKNOWNS) {
        rc = zs_error(err, ZSTR_EMEMLIMIT,
                      "the network has %lld unknowns, more than the %lld one process indexes "
                      "(32-bit rows)",
                      (long long)p->n, (long long)ZS_MAX_UNKNOWNS);
        goto fail;
    }
    k.pos = zs_calloc_array((size_t)p->n + 1, sizeof *k.pos);
    if (k.pos == NULL)
        goto nomem;
    k.pass = PASS_COUNT;
    build_elements(x, &k);
    if (alloc_pattern(p, &k) != ZSTR_OK)
        goto nomem;
    k.pass = PASS_FILL;
    build_elements(x, &k);
    free(k.pos);
    k.pos = NULL;
    sort_pattern(p);
    free(x);
    x = NULL;
    rc = classify_nodes(p, err);
    if (rc == ZSTR_ENOMEM)
        goto nomem;
    if (rc != ZSTR_OK)
        goto fail;
    return ZSTR_OK;
nomem:
    rc = zs_error(err, ZSTR_ENOMEM, "assembly: out of memory");
fail:
    free(k.pos);
    free(x);
    zs_pencil_free(p);
    return rc;
}
