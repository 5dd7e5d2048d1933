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
 * Storage.  Elements are collected first (growable array), then the CSC pattern
 * (both triangles, rows sorted, diagonal always present) is built by counting,
 * and every element gets the four slots it stamps into (the element→slot map),
 * so values can be re-stamped without touching the pattern.
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

/* ---- growable arrays ------------------------------------------------------ */

typedef struct builder {
    zs_elem *elem;
    int64_t nelem, cap;
    int64_t next_node; /* next internal node number */
    int64_t *first;    /* where emit_branch records the chain's first element */
} builder;

static int push_elem(builder *b, int64_t a, int64_t c, double g, double cap)
{
    if (b->nelem == b->cap) {
        int64_t ncap = b->cap ? 2 * b->cap : 1024;
        zs_elem *e = realloc(b->elem, (size_t)ncap * sizeof *e);
        if (e == NULL)
            return ZSTR_ENOMEM;
        b->elem = e;
        b->cap = ncap;
    }
    b->elem[b->nelem++] = (zs_elem){a, c, g, cap};
    return ZSTR_OK;
}

/* Merge the parts of one branch by class and emit the chain of elements.
 * np <= 4, given in their physical order from node na to node nb.  Parts with
 * g == c == 0 open the branch; parts with infinite admittance are never passed
 * (the caller skips them).  Classes follow in the order of their first part,
 * so an internal node sits where its classes meet (a core half, then the GB,
 * then the far half) and is tied to the side it belongs to. */
static int emit_branch(builder *b, int64_t na, int64_t nb, part *parts, int np)
{
    *b->first = -1;
    for (int i = 0; i < np; i++) {
        if (parts[i].g == 0.0 && parts[i].c == 0.0)
            return ZSTR_OK; /* open circuit: no branch at all */
    }
    /* stable grouping by first appearance (np is tiny) */
    part sorted[4] = {{0.0, 0.0, 0}, {0.0, 0.0, 0}, {0.0, 0.0, 0}, {0.0, 0.0, 0}};
    int ns = 0;
    for (int i = 0; i < np; i++) {
        int seen = 0;
        for (int k = 0; k < i && !seen; k++)
            seen = parts[k].cls == parts[i].cls;
        for (int k = i; k < np && !seen; k++) {
            if (parts[k].cls == parts[i].cls)
                sorted[ns++] = parts[k];
        }
    }
    parts = sorted;
    double gs[4], cs[4];
    int ng = 0;
    for (int i = 0; i < np;) {
        double rg = 0.0, rc = 0.0; /* Σ 1/g, Σ 1/c */
        int gzero = 0, czero = 0, k = i;
        for (; k < np && parts[k].cls == parts[i].cls; k++) {
            if (parts[k].g == 0.0)
                gzero = 1;
            else
                rg += 1.0 / parts[k].g;
            if (parts[k].c == 0.0)
                czero = 1;
            else
                rc += 1.0 / parts[k].c;
        }
        gs[ng] = gzero ? 0.0 : 1.0 / rg;
        cs[ng] = czero ? 0.0 : 1.0 / rc;
        ng++;
        i = k;
    }
    int64_t prev = na;
    *b->first = b->nelem;
    for (int k = 0; k < ng; k++) {
        int64_t next = (k == ng - 1) ? nb : b->next_node++;
        int rc = push_elem(b, prev, next, gs[k], cs[k]);
        if (rc != ZSTR_OK)
            return rc;
        prev = next;
    }
    return ZSTR_OK;
}

/* ---- union-find for DC connectivity --------------------------------------- */

static int64_t uf_find(int64_t *parent, int64_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void uf_union(int64_t *parent, int64_t a, int64_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a != b) {
        if (a < b)
            parent[b] = a;
        else
            parent[a] = b;
    }
}

/* Classify nodes by the electrodes their component reaches through elements for
 * which use(e) holds.  cls[i] bit 0: WE, bit 1: CE. */
static int connectivity(const zs_pencil *p, int conductive_only, uint8_t *cls)
{
    int64_t n = p->n, we = n, ce = n + 1;
    int64_t *parent = zs_malloc_array((size_t)(n + 2), sizeof *parent);
    uint8_t *root_cls = zs_calloc_array((size_t)(n + 2), 1);
    if (parent == NULL || root_cls == NULL) {
        free(parent);
        free(root_cls);
        return ZSTR_ENOMEM;
    }
    for (int64_t i = 0; i < n + 2; i++)
        parent[i] = i;
    for (int64_t e = 0; e < p->nelem; e++) {
        const zs_elem *el = &p->elem[e];
        if (conductive_only ? el->g <= 0.0 : (el->g <= 0.0 && el->c <= 0.0))
            continue;
        int64_t b = el->b >= 0 ? el->b : (el->b == ZS_NODE_WE ? we : ce);
        uf_union(parent, el->a, b);
    }
    root_cls[uf_find(parent, we)] |= 1;
    root_cls[uf_find(parent, ce)] |= 2;
    for (int64_t i = 0; i < n; i++)
        cls[i] = root_cls[uf_find(parent, i)];
    free(parent);
    free(root_cls);
    return ZSTR_OK;
}

/* ---- CSC pattern and slots ------------------------------------------------ */

static int64_t find_slot(const zs_pencil *p, int64_t row, int64_t col)
{
    int64_t lo = p->Ap[col], hi = p->Ap[col + 1] - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (p->Ai[mid] == row)
            return mid;
        if (p->Ai[mid] < row)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1; /* unreachable for a pattern built from the same elements */
}

static int build_pattern(zs_pencil *p)
{
    int64_t n = p->n;
    int64_t *cnt = zs_calloc_array((size_t)n + 1, sizeof *cnt);
    if (cnt == NULL)
        return ZSTR_ENOMEM;
    for (int64_t j = 0; j < n; j++)
        cnt[j] = 1; /* diagonal */
    for (int64_t e = 0; e < p->nelem; e++) {
        if (p->elem[e].b >= 0) {
            cnt[p->elem[e].a]++;
            cnt[p->elem[e].b]++;
        }
    }
    p->Ap = zs_malloc_array((size_t)n + 1, sizeof *p->Ap);
    if (p->Ap == NULL) {
        free(cnt);
        return ZSTR_ENOMEM;
    }
    p->Ap[0] = 0;
    for (int64_t j = 0; j < n; j++)
        p->Ap[j + 1] = p->Ap[j] + cnt[j];
    int64_t nz = p->Ap[n];
    p->Ai = zs_malloc_array((size_t)nz, sizeof *p->Ai);
    if (p->Ai == NULL) {
        free(cnt);
        return ZSTR_ENOMEM;
    }
    int64_t *pos = cnt; /* reuse as fill pointers */
    for (int64_t j = 0; j < n; j++) {
        pos[j] = p->Ap[j];
        p->Ai[pos[j]++] = j;
    }
    for (int64_t e = 0; e < p->nelem; e++) {
        int64_t a = p->elem[e].a, b = p->elem[e].b;
        if (b >= 0) {
            p->Ai[pos[a]++] = b;
            p->Ai[pos[b]++] = a;
        }
    }
    free(cnt);
    /* sort rows in each column and merge duplicates (two elements on one pair) */
    int64_t w = 0;
    int64_t start = 0;
    for (int64_t j = 0; j < n; j++) {
        int64_t end = p->Ap[j + 1];
        for (int64_t k = start + 1; k < end; k++) {
            int64_t t = p->Ai[k], q = k - 1;
            while (q >= start && p->Ai[q] > t) {
                p->Ai[q + 1] = p->Ai[q];
                q--;
            }
            p->Ai[q + 1] = t;
        }
        int64_t colstart = w;
        for (int64_t k = start; k < end; k++) {
            if (w > colstart && p->Ai[w - 1] == p->Ai[k])
                continue;
            p->Ai[w++] = p->Ai[k];
        }
        start = end;
        p->Ap[j + 1] = w;
    }
    p->nnz = w;
    return ZSTR_OK;
}

static int build_values(zs_pencil *p)
{
    p->Gx = zs_calloc_array((size_t)p->nnz, sizeof *p->Gx);
    p->Cx = zs_calloc_array((size_t)p->nnz, sizeof *p->Cx);
    p->slot = zs_malloc_array((size_t)p->nelem * 4, sizeof *p->slot);
    if (p->Gx == NULL || p->Cx == NULL || p->slot == NULL)
        return ZSTR_ENOMEM;
    for (int64_t e = 0; e < p->nelem; e++) {
        const zs_elem *el = &p->elem[e];
        int64_t *s = &p->slot[4 * e];
        s[0] = find_slot(p, el->a, el->a);
        s[1] = el->b >= 0 ? find_slot(p, el->b, el->b) : -1;
        s[2] = el->b >= 0 ? find_slot(p, el->a, el->b) : -1;
        s[3] = el->b >= 0 ? find_slot(p, el->b, el->a) : -1;
        p->Gx[s[0]] += el->g;
        p->Cx[s[0]] += el->c;
        if (el->b >= 0) {
            p->Gx[s[1]] += el->g;
            p->Cx[s[1]] += el->c;
            p->Gx[s[2]] -= el->g;
            p->Cx[s[2]] -= el->c;
            p->Gx[s[3]] -= el->g;
            p->Cx[s[3]] -= el->c;
        }
    }
    return ZSTR_OK;
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

static int build_elements(netctx *x, builder *b, zs_pencil *p)
{
    const zstr_model *m = x->m;
    const int64_t nx = m->n[0], ny = m->n[1], nz = m->n[2];
    const double *h = m->h;
    const double area[3] = {h[1] * h[2], h[0] * h[2], h[0] * h[1]};
    const int64_t stride[3] = {1, nx, nx * ny};
    const int32_t *gr = m->grains;
    const double dgb = gr ? m->gb_thickness : 0.0;
    int rc = ZSTR_OK;

    for (int64_t z = 0; z < nz; z++) {
        for (int64_t y = 0; y < ny; y++) {
            for (int64_t xx = 0; xx < nx; xx++) {
                const int64_t i = xx + nx * (y + ny * z);
                const int pi = m->labels[i];
                const int64_t coord[3] = {xx, y, z};
                for (int d = 0; d < 3 && rc == ZSTR_OK; d++) {
                    if (coord[d] + 1 >= m->n[d])
                        continue;
                    const int64_t j = i + stride[d];
                    const int pj = m->labels[j];
                    part parts[3];
                    int np = 0;
                    int gb = gr && gr[i] >= 0 && gr[j] >= 0 && gr[i] != gr[j];
                    double half = 0.5 * h[d] - (gb ? 0.5 * dgb : 0.0);
                    parts[np++] = phase_part(x, pi, area[d], half);
                    if (gb && dgb > 0.0)
                        parts[np++] = phase_part(x, m->gb_phase, area[d], dgb);
                    parts[np++] = phase_part(x, pj, area[d], half);
                    b->first = &p->branch_elem[3 * i + d];
                    rc = emit_branch(b, i, j, parts, np);
                }
                if (rc != ZSTR_OK)
                    return rc;
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
                            continue; /* elec_elem stays -1 */
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
                    b->first = &p->elec_elem[e][xx + nx * y];
                    rc = emit_branch(b, i, e == ZSTR_WE ? ZS_NODE_WE : ZS_NODE_CE, parts, np);
                    if (rc != ZSTR_OK)
                        return rc;
                }
            }
        }
    }
    return rc;
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
    for (int64_t i = 0; i < m->nvox; i++)
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

void zs_pencil_free(zs_pencil *p)
{
    if (p == NULL)
        return;
    free(p->Ap);
    free(p->Ai);
    free(p->Gx);
    free(p->Cx);
    free(p->elem);
    free(p->slot);
    free(p->we_elem);
    free(p->ce_elem);
    free(p->dc_class);
    free(p->branch_elem);
    free(p->elec_elem[0]);
    free(p->elec_elem[1]);
    memset(p, 0, sizeof *p);
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
    const int64_t npix = m->n[0] * m->n[1];
    p->branch_elem = zs_malloc_array((size_t)m->nvox * 3, sizeof *p->branch_elem);
    p->elec_elem[0] = zs_malloc_array((size_t)npix, sizeof *p->elec_elem[0]);
    p->elec_elem[1] = zs_malloc_array((size_t)npix, sizeof *p->elec_elem[1]);
    builder b = {NULL, 0, 0, m->nvox, NULL};
    int rc = ZSTR_ENOMEM;
    if (p->branch_elem != NULL && p->elec_elem[0] != NULL && p->elec_elem[1] != NULL) {
        for (int64_t k = 0; k < 3 * m->nvox; k++)
            p->branch_elem[k] = -1;
        for (int64_t k = 0; k < npix; k++)
            p->elec_elem[0][k] = p->elec_elem[1][k] = -1;
        rc = build_elements(x, &b, p);
    }
    free(x);
    if (rc != ZSTR_OK) {
        free(b.elem);
        zs_pencil_free(p);
        return zs_error(err, rc, "assembly: out of memory for network elements");
    }
    p->nvox = m->nvox;
    p->n = b.next_node;
    p->ninternal = p->n - p->nvox;
    p->elem = b.elem;
    p->nelem = b.nelem;

    int64_t nwe = 0, nce = 0;
    for (int64_t e = 0; e < p->nelem; e++) {
        nwe += p->elem[e].b == ZS_NODE_WE;
        nce += p->elem[e].b == ZS_NODE_CE;
    }
    if (nwe == 0 || nce == 0) {
        zs_pencil_free(p);
        return zs_error(err, ZSTR_EINVAL,
                        "the %s has no branch to the electrolyte: every pixel of its "
                        "interface is free surface or a pore of zero capacitance",
                        nwe == 0 ? "working electrode" : "counter electrode");
    }
    p->nwe = nwe;
    p->nce = nce;
    p->we_elem = zs_malloc_array((size_t)nwe, sizeof *p->we_elem);
    p->ce_elem = zs_malloc_array((size_t)nce, sizeof *p->ce_elem);
    p->dc_class = zs_malloc_array((size_t)p->n, 1);
    if (p->we_elem == NULL || p->ce_elem == NULL || p->dc_class == NULL)
        goto nomem;
    nwe = nce = 0;
    for (int64_t e = 0; e < p->nelem; e++) {
        if (p->elem[e].b == ZS_NODE_WE)
            p->we_elem[nwe++] = e;
        else if (p->elem[e].b == ZS_NODE_CE)
            p->ce_elem[nce++] = e;
    }
    /* AC: every node must reach an electrode through some element, else Y(jω)
     * is singular.  With ε_r > 0 this always holds; check rather than trust. */
    rc = connectivity(p, 0, p->dc_class);
    if (rc != ZSTR_OK)
        goto nomem;
    for (int64_t i = 0; i < p->n; i++) {
        if (p->dc_class[i] == 0) {
            zs_pencil_free(p);
            return zs_error(err, ZSTR_ESINGULAR,
                            "node %lld is joined to no electrode even capacitively", (long long)i);
        }
    }
    rc = connectivity(p, 1, p->dc_class);
    if (rc != ZSTR_OK)
        goto nomem;
    for (int64_t i = 0; i < p->n; i++) {
        p->n_floating += p->dc_class[i] == 0;
        p->n_isolated_dc += p->dc_class[i] == 1 || p->dc_class[i] == 2;
    }
    {
        /* open circuit: no conductive element path from WE to CE; equivalently no
         * node (or direct element) joins both */
        int joined = 0;
        for (int64_t i = 0; i < p->n && !joined; i++)
            joined = p->dc_class[i] == 3;
        p->open_circuit = !joined;
    }
    rc = build_pattern(p);
    if (rc != ZSTR_OK)
        goto nomem;
    rc = build_values(p);
    if (rc != ZSTR_OK)
        goto nomem;
    return ZSTR_OK;
nomem:
    zs_pencil_free(p);
    return zs_error(err, ZSTR_ENOMEM, "assembly: out of memory");
}
