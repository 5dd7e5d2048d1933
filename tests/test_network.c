/*
 * test_network.c — the assembled network against exact answers.
 *
 * Every case here has a closed-form impedance because symmetry makes the
 * potential depend on z only (or the columns independent), so the voxel network
 * reproduces the continuum exactly: homogeneous block, series and parallel
 * layers, ideal-contact and R_pol ∥ C_DL interfaces, cubic grains (brick layer).
 * Tolerances are relative and sit a few orders above the rounding of a sparse LU
 * on these small, well-conditioned systems (κ ≲ 1e6 → errors ≲ 1e-12).
 */
#include "zs_internal.h"
#include "zs_test.h"

#include <string.h>

static const double eps0 = ZSTR_EPSILON0;

/* a model with one phase filling an nx × ny × nz grid */
static zstr_model *block(int64_t nx, int64_t ny, int64_t nz, double hx, double hy, double hz,
                         double sigma, double epsr)
{
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(nx, ny, nz, hx, hy, hz, &m, &e), &e);
    zstr_phase_params p = {"bulk", sigma, epsr, 0.0, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &p, NULL, &e), &e);
    return m;
}

static int add_phase(zstr_model *m, const char *name, double sigma, double epsr)
{
    zstr_phase_params p = {name, sigma, epsr, 0.0, 298.15};
    int id = -1;
    zstr_error e;
    ZS_CK_OK(zstr_model_add_phase(m, &p, &id, &e), &e);
    return id;
}

/* impedance of the model at f (plan made and freed here) */
static void impedance(const zstr_model *m, int nf, const double *f, double *z)
{
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    ZS_CK_OK(zstr_sweep(p, nf, f, z, NULL, &e), &e);
    zstr_plan_free(p);
}

/* parallel RC of a slab: thickness l, area a */
static double complex slab(double sigma, double epsr, double l, double a, double w)
{
    return l / (a * (sigma + I * w * eps0 * epsr));
}

#define NF 25
static void freqs(double *f)
{
    for (int k = 0; k < NF; k++)
        f[k] = pow(10.0, -3.0 + 12.0 * k / (NF - 1)); /* 1 mHz … 1 GHz */
}

START_TEST(test_homogeneous_block)
{
    /* anisotropic voxels so that a wrong area or length per axis shows */
    const double hx = 2e-6, hy = 3e-6, hz = 2.5e-6, sigma = 0.046, epsr = 150.0;
    zstr_model *m = block(5, 4, 7, hx, hy, hz, sigma, epsr);
    double f[NF], z[2 * NF];
    freqs(f);
    impedance(m, NF, f, z);
    const double a = 5 * hx * 4 * hy, l = 7 * hz;
    for (int k = 0; k < NF; k++) {
        double complex ref = slab(sigma, epsr, l, a, 2 * M_PI * f[k]);
        /* Z = R/(1 + jωRC) exactly; 1e-10 covers LU rounding with iterative refinement */
        ck_assert_msg(zs_test_crel(&z[2 * k], ref) < 1e-10, "f=%g: %g%+gj vs %g%+gj", f[k],
                      z[2 * k], z[2 * k + 1], creal(ref), cimag(ref));
    }
    zstr_model_free(m);
}
END_TEST

START_TEST(test_series_layers)
{
    /* three phases of different time constants stacked along z, one voxel layer
     * each repeated: every z-plane is equipotential, so Z = Σ slabs exactly */
    const double h = 1e-6;
    zstr_model *m = block(3, 3, 6, h, h, h, 0.05, 100.0);
    int p1 = add_phase(m, "b", 1e-3, 30.0);
    /* a poor conductor: τ_c/τ_a ≈ 1e4.  (A pure dielectric layer, σ = 0, makes
     * Re Z/|Z| ~ 1e-9 at 1 mHz, below what a normwise-stable solve resolves;
     * open circuits are tested in test_dc.c.) */
    int p2 = add_phase(m, "c", 1e-6, 5.0);
    int32_t lab[54];
    const int layer[6] = {0, p1, 0, p2, p1, 0};
    for (int i = 0; i < 54; i++)
        lab[i] = layer[i / 9];
    zstr_error e;
    ZS_CK_OK(zstr_model_set_labels(m, lab, &e), &e);
    double f[NF], z[2 * NF];
    freqs(f);
    impedance(m, NF, f, z);
    const double sig[3] = {0.05, 1e-3, 1e-6}, er[3] = {100.0, 30.0, 5.0};
    for (int k = 0; k < NF; k++) {
        double w = 2 * M_PI * f[k];
        double complex ref = 0;
        for (int l = 0; l < 6; l++)
            ref += slab(sig[layer[l]], er[layer[l]], h, 9 * h * h, w);
        ck_assert_msg(zs_test_crel(&z[2 * k], ref) < 1e-10, "f=%g: %.15g%+.15gj vs %.15g%+.15gj (rel %g)", f[k], z[2*k], z[2*k+1], creal(ref), cimag(ref), zs_test_crel(&z[2*k], ref));
    }
    zstr_model_free(m);
}
END_TEST

START_TEST(test_parallel_layers)
{
    /* phases vary along x only: each column is an independent slab with the same
     * linear potential, lateral branches carry no current, Y = Σ columns */
    const double h = 1e-6;
    zstr_model *m = block(4, 2, 5, h, h, h, 0.05, 100.0);
    int p1 = add_phase(m, "b", 2e-4, 20.0);
    int32_t lab[40];
    const int col[4] = {0, p1, p1, 0};
    for (int i = 0; i < 40; i++)
        lab[i] = col[i % 4];
    zstr_error e;
    ZS_CK_OK(zstr_model_set_labels(m, lab, &e), &e);
    double f[NF], z[2 * NF];
    freqs(f);
    impedance(m, NF, f, z);
    for (int k = 0; k < NF; k++) {
        double w = 2 * M_PI * f[k];
        double complex y = 2.0 / slab(0.05, 100.0, 5 * h, 2 * h * h, w) +
                           2.0 / slab(2e-4, 20.0, 5 * h, 2 * h * h, w);
        ck_assert_msg(zs_test_crel(&z[2 * k], 1.0 / y) < 1e-10, "f=%g", f[k]);
    }
    zstr_model_free(m);
}
END_TEST

START_TEST(test_full_contact_interface)
{
    /* a full R_pol ∥ C_DL contact adds exactly R_pol/A ∥ C_DL·A, on either electrode */
    const double h = 2e-6, rpol = 0.5e-4 /* 0.5 Ω·cm² */, cdl = 1.77e4 /* 1.77 F/cm² */;
    for (int el = 0; el < 2; el++) {
        zstr_model *m = block(4, 3, 5, h, h, h, 0.046, 150.0);
        zstr_interface_params ip;
        zstr_interface_params_default(&ip);
        ip.contact_resistance = rpol;
        ip.contact_capacitance = cdl;
        zstr_error e;
        ZS_CK_OK(zstr_model_set_interface(m, el, &ip, NULL, &e), &e);
        double f[NF], z[2 * NF];
        freqs(f);
        impedance(m, NF, f, z);
        const double a = 12 * h * h;
        for (int k = 0; k < NF; k++) {
            double w = 2 * M_PI * f[k];
            double complex ref = slab(0.046, 150.0, 5 * h, a, w) + 1.0 / (a / rpol + I * w * cdl * a);
            ck_assert_msg(zs_test_crel(&z[2 * k], ref) < 1e-10, "electrode %d f=%g: %.15g%+.15gj vs %.15g%+.15gj", el, f[k], z[2*k], z[2*k+1], creal(ref), cimag(ref));
        }
        zstr_model_free(m);
    }
}
END_TEST

START_TEST(test_brick_layer)
{
    /* cubic grains of g voxels aligned with the grid.  The current is 1D, so the
     * brick-layer model is exact: along z the current crosses (ngz − 1) GB layers
     * of thickness δ; each branch across a GB keeps its length h (the half voxels
     * give up δ/2 each), so Z = Z_bulk(Lz − (ngz−1)δ) + Z_gb((ngz−1)δ). */
    const int g = 3, ng[3] = {2, 2, 3};
    const int64_t nx = g * ng[0], ny = g * ng[1], nz = g * ng[2];
    const double h = 3e-6, delta = 10e-9;
    const double sb = 0.046, sg = 5.97e-4, er = 150.0;
    zstr_model *m = block(nx, ny, nz, h, h, h, sb, er);
    int gb = add_phase(m, "gb", sg, er);
    int32_t *grain = malloc(sizeof(int32_t) * (size_t)(nx * ny * nz));
    ck_assert_ptr_nonnull(grain);
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++)
                grain[x + nx * (y + ny * z)] =
                    (int32_t)(x / g + ng[0] * (y / g + ng[1] * (z / g)));
    zstr_error e;
    ZS_CK_OK(zstr_model_set_grains(m, grain, gb, delta, &e), &e);
    free(grain);
    double f[NF], z[2 * NF];
    freqs(f);
    impedance(m, NF, f, z);
    const double a = (double)(nx * ny) * h * h, lz = (double)nz * h;
    const double lgb = (ng[2] - 1) * delta;
    for (int k = 0; k < NF; k++) {
        double w = 2 * M_PI * f[k];
        double complex ref = slab(sb, er, lz - lgb, a, w) + slab(sg, er, lgb, a, w);
        ck_assert_msg(zs_test_crel(&z[2 * k], ref) < 1e-10, "f=%g: %.15g%+.15gj vs %.15g%+.15gj (rel %g)", f[k], z[2*k], z[2*k+1], creal(ref), cimag(ref), zs_test_crel(&z[2*k], ref));
    }
    /* the DC value is the two resistances in series; R_gb/R_bulk = 2δσb/(σg(Lz−2δ)) */
    zstr_plan *p = NULL;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    zstr_dc_result dc;
    zstr_dc_result_init(&dc);
    ZS_CK_OK(zstr_dc_resistance(p, &dc, &e), &e);
    double rdc = (lz - lgb) / (sb * a) + lgb / (sg * a);
    ck_assert_msg(zs_test_rel(dc.resistance, rdc) < 1e-10, "R_DC %g vs %g", dc.resistance, rdc);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_arrhenius)
{
    /* σ(T) = σ_ref (T_ref/T) exp[−E_a/k_B (1/T − 1/T_ref)]; R_pol scales as 1/σ */
    const double h = 1e-6, T = 253.15, ea = 0.34, eact = 0.43;
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(3, 3, 4, h, h, h, &m, &e), &e);
    zstr_phase_params ph = {"bulk", 0.046, 150.0, ea, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &ph, NULL, &e), &e);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4;
    ip.contact_capacitance = 1e-2;
    ip.contact_activation_energy = eact;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, NULL, &e), &e);
    ZS_CK_OK(zstr_model_set_temperature(m, T, &e), &e);
    double f = 1e3, z[2];
    impedance(m, 1, &f, z);
    const double kb = ZSTR_KBOLTZ_EV, a = 9 * h * h;
    double sb = 0.046 * (298.15 / T) * exp(-ea / kb * (1 / T - 1 / 298.15));
    double rp = 0.5e-4 / ((298.15 / T) * exp(-eact / kb * (1 / T - 1 / 298.15)));
    double w = 2 * M_PI * f;
    double complex ref = slab(sb, 150.0, 4 * h, a, w) + 1.0 / (a / rp + I * w * 1e-2 * a);
    ck_assert_msg(zs_test_crel(z, ref) < 1e-10, "%g%+gj vs %g%+gj", z[0], z[1], creal(ref),
                  cimag(ref));
    zstr_model_free(m);
}
END_TEST

/* Collects the branches of zs_pencil_branches by (voxel, axis) and electrode pixel. */
typedef struct branch_log {
    int64_t nvox, npix;
    int *seen;         /* 3·nvox face branches + 2·npix electrode branches */
    double *g_series;  /* the same layout */
    int64_t *next;
    int bad;           /* a branch that is no face or electrode of the grid */
} branch_log;

static int log_branch(void *ctx, const zs_branch *br)
{
    branch_log *L = ctx;
    int64_t k;
    if (br->b >= 0) {
        k = 3 * br->a + br->dir;
    } else if (br->pixel >= 0 && br->pixel < L->npix) {
        k = 3 * L->nvox + (br->b == ZS_NODE_WE ? 0 : L->npix) + br->pixel;
    } else {
        L->bad++;
        return 0;
    }
    L->seen[k]++;
    L->g_series[k] = br->g_series;
    L->next[k] = br->next;
    return 0;
}

START_TEST(test_branches_from_pattern)
{
    /* zs_pencil_branches recovers every chain from the stored pattern alone:
     * on a brick layer (GB faces: half bulk | GB | half bulk, two internal
     * nodes), with a WE whose left half is R_pol ∥ C_DL contact (one
     * internal node) and right half pores (a pure capacitor: no DC path) and
     * an ideal CE (one element), every face and electrode pixel has exactly
     * one branch, and its series conductance is the closed form. */
    const int g = 2, ng[3] = {2, 2, 2};
    const int64_t nx = g * ng[0], ny = g * ng[1], nz = g * ng[2], nvox = nx * ny * nz;
    const double h = 2e-6, delta = 10e-9, sb = 0.046, sg = 5.97e-4, er = 150.0, rpol = 5e-5;
    zstr_model *m = block(nx, ny, nz, h, h, h, sb, er);
    int gb = add_phase(m, "gb", sg, er);
    int32_t *grain = malloc(sizeof(int32_t) * (size_t)nvox);
    uint8_t *px = malloc((size_t)(nx * ny));
    ck_assert(grain != NULL && px != NULL);
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++)
                grain[x + nx * (y + ny * z)] =
                    (int32_t)(x / g + ng[0] * (y / g + ng[1] * (z / g)));
    for (int64_t k = 0; k < nx * ny; k++)
        px[k] = (k % nx) < nx / 2 ? ZSTR_PIXEL_CONTACT : ZSTR_PIXEL_PORE;
    zstr_error e;
    ZS_CK_OK(zstr_model_set_grains(m, grain, gb, delta, &e), &e);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = rpol;
    ip.contact_capacitance = 0.2;
    ip.pore_capacitance = 0.01;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, px, &e), &e);
    ZS_CK_OK(zs_model_validate(m, &e), &e);
    zs_pencil p;
    ZS_CK_OK(zs_pencil_build(m, &p, &e), &e);
    const int64_t npix = nx * ny, total = 3 * nvox + 2 * npix;
    branch_log L = {nvox, npix, calloc((size_t)total, sizeof(int)),
                    calloc((size_t)total, sizeof(double)), calloc((size_t)total, sizeof(int64_t)),
                    0};
    ck_assert(L.seen != NULL && L.g_series != NULL && L.next != NULL);
    ck_assert_int_eq(zs_pencil_branches(&p, log_branch, &L), 0);
    ck_assert_int_eq(L.bad, 0);
    const double area = h * h;
    const int64_t stride[3] = {1, nx, nx * ny}, nn[3] = {nx, ny, nz};
    for (int64_t i = 0; i < nvox; i++) {
        const int64_t c[3] = {i % nx, (i / nx) % ny, i / (nx * ny)};
        for (int d = 0; d < 3; d++) {
            const int64_t k = 3 * i + d;
            if (c[d] + 1 >= nn[d]) {
                ck_assert_int_eq(L.seen[k], 0);
                continue;
            }
            ck_assert_msg(L.seen[k] == 1, "voxel %lld axis %d: %d branches", (long long)i, d,
                          L.seen[k]);
            int across = grain[i] != grain[i + stride[d]];
            double want = across ? 1.0 / ((h - delta) / (sb * area) + delta / (sg * area))
                                 : sb * area / h;
            ck_assert_msg(zs_test_rel(L.g_series[k], want) < 1e-14,
                          "voxel %lld axis %d: %.17g vs %.17g", (long long)i, d, L.g_series[k],
                          want);
            /* a GB face is a chain through internal nodes, a plain one a single element */
            ck_assert(across ? L.next[k] >= nvox : L.next[k] == i + stride[d]);
        }
    }
    for (int64_t q = 0; q < npix; q++) {
        int64_t kw = 3 * nvox + q, kc = 3 * nvox + npix + q;
        ck_assert(L.seen[kw] == 1 && L.seen[kc] == 1);
        double want_we = px[q] == ZSTR_PIXEL_CONTACT ? 1.0 / (0.5 * h / (sb * area) + rpol / area)
                                                     : 0.0;
        ck_assert_msg(zs_test_rel(L.g_series[kw], want_we) < 1e-14 ||
                          (want_we == 0.0 && L.g_series[kw] == 0.0),
                      "WE pixel %lld: %.17g vs %.17g", (long long)q, L.g_series[kw], want_we);
        ck_assert(L.next[kw] >= nvox); /* bulk half | interface: two classes */
        ck_assert(zs_test_rel(L.g_series[kc], sb * area / (0.5 * h)) < 1e-14);
        ck_assert_int_eq(L.next[kc], -1); /* one element straight to the CE */
    }
    /* every element was met once: faces and electrodes account for them all */
    int64_t internal = 0;
    for (int64_t k = 0; k < 3 * nvox; k++)
        internal += L.seen[k] && L.next[k] >= nvox;
    ck_assert_int_gt(internal, 0);
    free(L.seen);
    free(L.g_series);
    free(L.next);
    free(grain);
    free(px);
    zs_pencil_free(&p);
    zstr_model_free(m);
}
END_TEST

Suite *suite_network(void)
{
    Suite *s = suite_create("network");
    TCase *tc = tcase_create("exact");
    tcase_add_test(tc, test_homogeneous_block);
    tcase_add_test(tc, test_series_layers);
    tcase_add_test(tc, test_parallel_layers);
    tcase_add_test(tc, test_full_contact_interface);
    tcase_add_test(tc, test_brick_layer);
    tcase_add_test(tc, test_arrhenius);
    tcase_add_test(tc, test_branches_from_pattern);
    suite_add_tcase(s, tc);
    return s;
}
