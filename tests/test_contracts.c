/*
 * test_contracts.c — what the header promises about a plan and its results,
 * each against a truth the test derives itself:
 *   - zstr_workspace_potentials: layout (voxel nodes in x + nx·(y + ny·z) order,
 *     then internal nodes; interleaved complex) and values: the exact linear
 *     potential of a homogeneous block at every frequency, and Kirchhoff's
 *     current law at every voxel of a block with a mixed interface map, with
 *     branch admittances written from physics.md (not from lib/assemble.c);
 *   - the fields of zstr_plan_info and zstr_dc_result on models where each is
 *     known: counts from the geometry the test built, contact fractions counted
 *     by hand, R_DC = L/(σ(T)A) with σ(T) from physics.md's Arrhenius law;
 *   - the pencil: the same pattern (bit for bit) at every temperature, G scaled
 *     by the Arrhenius factor of its element's class, C unchanged; G and C
 *     symmetric, with non-positive off-diagonals and non-negative, dominant
 *     diagonals (so positive semi-definite by Gershgorin), and xᵀGx, xᵀCx >= 0;
 *   - concurrent zstr_execute from the caller's own threads, each with its own
 *     workspace on one plan, started together: bit for bit the serial results.
 * The pencil is read through the library-internal zs_pencil_build (the function
 * zstr_plan_create assembles with), whose arrays the plan keeps as they are.
 */
#include "zs_test.h"

#include "zs_backend.h"
#include "zs_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const double eps0 = ZSTR_EPSILON0;

/* σ(T)/σ_ref as physics.md writes it: (T_ref/T)·exp[−E_a/k_B·(1/T − 1/T_ref)] */
static double arrhenius(double ea, double tref, double t)
{
    return (tref / t) * exp(-ea / ZSTR_KBOLTZ_EV * (1.0 / t - 1.0 / tref));
}

static int add_phase(zstr_model *m, const char *name, double sigma, double epsr, double ea)
{
    zstr_phase_params p = {name, sigma, epsr, ea, 298.15};
    int id = -1;
    zstr_error e;
    ZS_CK_OK(zstr_model_add_phase(m, &p, &id, &e), &e);
    return id;
}

static zstr_model *new_model(int64_t nx, int64_t ny, int64_t nz, double hx, double hy,
                             double hz)
{
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(nx, ny, nz, hx, hy, hz, &m, &e), &e);
    return m;
}

static zstr_plan_info plan_info(const zstr_plan *p)
{
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    ZS_CK_OK(zstr_plan_get_info(p, &in), NULL);
    return in;
}

/* Series of two admittances. */
static double complex series(double complex a, double complex b) { return a * b / (a + b); }

/* The paper's model (physics.md §2) on n³ voxels: Voronoi grains with GB
 * layers, and a WE map the test writes itself: a centred contact square
 * (R_pol ∥ C_DL), a row of SEI pixels, pores elsewhere. */
static zstr_model *paper_model(int64_t n, double temperature)
{
    const double h = 100e-6 / (double)n;
    zstr_model *m = new_model(n, n, n, h, h, h);
    int ib = add_phase(m, "bulk", 0.046, 150.0, 0.34);
    int ig = add_phase(m, "gb", 5.97e-4, 150.0, 0.43);
    zstr_error e;
    zstr_voronoi_params vp = {25e-6, 7, ib, ig, 10e-9};
    ZS_CK_OK(zstr_model_voronoi(m, &vp, NULL, &e), &e);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4;  /* 0.5 Ω·cm² */
    ip.contact_capacitance = 1.77e4; /* 1.77 F/cm² */
    ip.contact_activation_energy = 0.43;
    ip.pore_capacitance = 8.85;      /* 885 µF/cm² */
    ip.sei_resistance = 100e-4;      /* 100 Ω·cm² */
    ip.sei_capacitance = 0.88;       /* 88 µF/cm² */
    ip.sei_activation_energy = 0.5;
    uint8_t *px = malloc((size_t)(n * n));
    ck_assert_ptr_nonnull(px);
    for (int64_t y = 0; y < n; y++)
        for (int64_t x = 0; x < n; x++) {
            int in = 4 * x >= n && 4 * x < 3 * n && 4 * y >= n && 4 * y < 3 * n;
            px[x + n * y] = in ? ZSTR_PIXEL_CONTACT : y == 0 ? ZSTR_PIXEL_SEI : ZSTR_PIXEL_PORE;
        }
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, px, &e), &e);
    free(px);
    ZS_CK_OK(zstr_model_set_temperature(m, temperature, &e), &e);
    return m;
}

static void build_pencil(const zstr_model *m, zs_pencil *p)
{
    zstr_error e;
    ZS_CK_OK(zs_model_validate(m, &e), &e);
    ZS_CK_OK(zs_pencil_build(m, p, &e), &e);
}

/* ------------------------------------------------------------------------- */
/* Node potentials                                                           */
/* ------------------------------------------------------------------------- */

START_TEST(test_potentials_uniform_field)
{
    /* A homogeneous block between ideal electrodes carries a uniform field at
     * every frequency (every branch has the same admittance per length), so with
     * V_WE = 1, V_CE = 0 the voxel centre at z = (k + ½)·hz has V = (k + ½)/nz,
     * real.  nx, ny, nz differ, so a wrong stride moves values.  The LU solve of
     * these 60 unknowns is accurate to ~1e-15; 1e-12 absolute (V ∈ [0, 1]). */
    const int64_t nx = 3, ny = 4, nz = 5;
    zstr_model *m = new_model(nx, ny, nz, 2e-6, 3e-6, 2.5e-6);
    add_phase(m, "bulk", 0.046, 150.0, 0.0);
    zstr_plan *p = NULL;
    zstr_workspace *ws = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    ZS_CK_OK(zstr_workspace_create(p, &ws, &e), &e);
    zstr_plan_info in = plan_info(p);
    ck_assert_int_eq(in.n_unknowns, nx * ny * nz); /* one class: no internal nodes */
    /* conduction-dominated (ωε/σ ≈ 2e-10), crossover (5.5 MHz), displacement-dominated */
    const double f[3] = {1.0, 5.5e6, 1e11};
    for (int k = 0; k < 3; k++) {
        double z[2];
        ZS_CK_OK(zstr_execute(p, ws, f[k], z, &e), &e);
        const double *v = zstr_workspace_potentials(ws);
        ck_assert_ptr_nonnull(v);
        for (int64_t zz = 0; zz < nz; zz++)
            for (int64_t y = 0; y < ny; y++)
                for (int64_t x = 0; x < nx; x++) {
                    int64_t i = x + nx * (y + ny * zz);
                    double ref = ((double)zz + 0.5) / (double)nz;
                    ck_assert_msg(fabs(v[2 * i] - ref) < 1e-12 && fabs(v[2 * i + 1]) < 1e-12,
                                  "f=%g voxel (%lld,%lld,%lld): %.15g%+.3gj vs %.15g", f[k],
                                  (long long)x, (long long)y, (long long)zz, v[2 * i],
                                  v[2 * i + 1], ref);
                }
    }
    zstr_workspace_free(ws);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_potentials_kirchhoff)
{
    /* A homogeneous block whose WE map mixes contact (R_pol ∥ C_DL), pore, SEI
     * and free surface without symmetry: the potentials depend on x, y and z.
     * With the admittances of physics.md §1 (face branch (σ + jωε0εr)·A/h,
     * bottom half voxel to the CE, top half voxel in series with the pixel's
     * element) the current into every voxel node must sum to zero, with the
     * voxel nodes read at x + nx·(y + ny·z).  The internal node of each top
     * pixel divides its branch: v_m = (y_el + y_half·v_i)/(y_el + y_half); they
     * follow the voxel nodes (in no promised order, so they are matched as a
     * set).  The CE current Σ y_bottom·v_i is 1/Z.  Residuals are relative to
     * the largest current term; the solve gives ~1e-15, 1e-11 is the bound. */
    enum { NX = 4, NY = 3, NZ = 3 };
    const double hx = 2e-6, hy = 3e-6, hz = 2.5e-6, sigma = 0.046, er = 150.0;
    zstr_model *m = new_model(NX, NY, NZ, hx, hy, hz);
    add_phase(m, "bulk", sigma, er, 0.0);
    const uint8_t map[NX * NY] = {ZSTR_PIXEL_CONTACT, ZSTR_PIXEL_CONTACT, ZSTR_PIXEL_PORE,
                                  ZSTR_PIXEL_NONE,    ZSTR_PIXEL_CONTACT, ZSTR_PIXEL_SEI,
                                  ZSTR_PIXEL_PORE,    ZSTR_PIXEL_PORE,    ZSTR_PIXEL_NONE,
                                  ZSTR_PIXEL_SEI,     ZSTR_PIXEL_CONTACT, ZSTR_PIXEL_PORE};
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 1e-4; /* Ω·m²: comparable to the bulk's L/σ = 1.6e-4 */
    ip.contact_capacitance = 1e-2;
    ip.pore_capacitance = 1e-3;
    ip.sei_resistance = 5e-4;
    ip.sei_capacitance = 3e-3;
    zstr_error e;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, map, &e), &e);
    zstr_plan *p = NULL;
    zstr_workspace *ws = NULL;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    ZS_CK_OK(zstr_workspace_create(p, &ws, &e), &e);
    zstr_plan_info in = plan_info(p);
    const int64_t nvox = NX * NY * NZ;
    int64_t nel = 0;
    for (int k = 0; k < NX * NY; k++)
        nel += map[k] != ZSTR_PIXEL_NONE;
    ck_assert_int_eq(in.n_unknowns, nvox + nel);
    const double f[3] = {10.0, 1.6e4, 1e7};
    for (int q = 0; q < 3; q++) {
        const double w = 2 * M_PI * f[q];
        double z[2];
        ZS_CK_OK(zstr_execute(p, ws, f[q], z, &e), &e);
        const double *vv = zstr_workspace_potentials(ws);
        ck_assert_ptr_nonnull(vv);
        double complex v[NX * NY * NZ + NX * NY];
        for (int64_t i = 0; i < in.n_unknowns; i++)
            v[i] = vv[2 * i] + I * vv[2 * i + 1];
        const double complex ymat = sigma + I * w * eps0 * er;
        const double h[3] = {hx, hy, hz}, area[3] = {hy * hz, hx * hz, hx * hy};
        const int64_t stride[3] = {1, NX, NX * NY};
        const double complex yhalf = ymat * area[2] / (0.5 * hz);
        double complex icur = 0;
        double complex expect[NX * NY];
        int nexp = 0;
        for (int64_t zz = 0; zz < NZ; zz++)
            for (int64_t y = 0; y < NY; y++)
                for (int64_t x = 0; x < NX; x++) {
                    const int64_t i = x + NX * (y + NY * zz), c[3] = {x, y, zz};
                    const int64_t n[3] = {NX, NY, NZ};
                    double complex r = 0;
                    double scale = 0;
                    for (int d = 0; d < 3; d++) {
                        double complex yf = ymat * area[d] / h[d];
                        if (c[d] + 1 < n[d]) {
                            r += yf * (v[i] - v[i + stride[d]]);
                            scale = fmax(scale, cabs(yf * v[i]));
                        }
                        if (c[d] > 0) {
                            r += yf * (v[i] - v[i - stride[d]]);
                            scale = fmax(scale, cabs(yf * v[i]));
                        }
                    }
                    if (zz == 0) {
                        r += yhalf * v[i];
                        icur += yhalf * v[i];
                    }
                    if (zz == NZ - 1) {
                        int t = map[x + NX * y];
                        double complex yel =
                            t == ZSTR_PIXEL_CONTACT
                                ? (1.0 / ip.contact_resistance + I * w * ip.contact_capacitance)
                                : t == ZSTR_PIXEL_PORE
                                      ? I * w * ip.pore_capacitance
                                      : t == ZSTR_PIXEL_SEI
                                            ? 1.0 / ip.sei_resistance + I * w * ip.sei_capacitance
                                            : 0.0;
                        yel *= area[2];
                        if (t != ZSTR_PIXEL_NONE) {
                            r += series(yhalf, yel) * (v[i] - 1.0);
                            scale = fmax(scale, cabs(series(yhalf, yel)));
                            expect[nexp++] = (yel + yhalf * v[i]) / (yel + yhalf);
                        }
                    }
                    ck_assert_msg(cabs(r) <= 1e-11 * scale,
                                  "f=%g: current into voxel (%lld,%lld,%lld) is %g of %g", f[q],
                                  (long long)x, (long long)y, (long long)zz, cabs(r), scale);
                }
        double zr[2] = {z[0], z[1]};
        ck_assert_msg(zs_test_crel(zr, 1.0 / icur) < 1e-11, "f=%g: Z from the potentials", f[q]);
        /* internal nodes: each one of the expected dividers, each used once */
        ck_assert_int_eq(nexp, nel);
        int used[NX * NY] = {0};
        for (int64_t k = nvox; k < in.n_unknowns; k++) {
            int hit = -1;
            for (int j = 0; j < nexp && hit < 0; j++)
                if (!used[j] && cabs(v[k] - expect[j]) <= 1e-11 * cabs(expect[j]))
                    hit = j;
            if (hit < 0) {
                ck_abort_msg("f=%g: internal node %lld = %g%+gj divides no pixel", f[q],
                             (long long)k, creal(v[k]), cimag(v[k]));
                continue;
            }
            used[hit] = 1;
        }
    }
    zstr_workspace_free(ws);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* zstr_plan_info and zstr_dc_result                                         */
/* ------------------------------------------------------------------------- */

START_TEST(test_info_block)
{
    /* Homogeneous block, ideal electrodes, at 350 K with E_a = 0.3 eV: every
     * field follows from the geometry.  Face pairs along x, y, z:
     * (nx−1)·ny·nz + nx·(ny−1)·nz + nx·ny·(nz−1) = 40 + 45 + 48 = 133; one
     * element each, plus one per top and per bottom voxel (12 + 12). */
    const int64_t nx = 3, ny = 4, nz = 5, nvox = 60, pairs = 133;
    const double hx = 2e-6, hy = 3e-6, hz = 2.5e-6, sigma = 0.046, T = 350.0;
    zstr_model *m = new_model(nx, ny, nz, hx, hy, hz);
    add_phase(m, "bulk", sigma, 150.0, 0.3);
    zstr_error e;
    ZS_CK_OK(zstr_model_set_temperature(m, T, &e), &e);
    const int orderings[3] = {ZSTR_ORDERING_DEFAULT, ZSTR_ORDERING_AMD, ZSTR_ORDERING_METIS};
    for (int o = 0; o < 3; o++) {
        zstr_options opt;
        zstr_options_default(&opt);
        opt.ordering = orderings[o];
        zstr_plan *p = NULL;
        ZS_CK_OK(zstr_plan_create(m, &opt, &p, &e), &e);
        zstr_plan_info in = plan_info(p);
        ck_assert(in.size == sizeof in);
        ck_assert_int_eq(in.n_voxels, nvox);
        ck_assert_int_eq(in.n_internal, 0);
        ck_assert_int_eq(in.n_unknowns, nvox);
        ck_assert_int_eq(in.n_branches, pairs + nx * ny + nx * ny);
        ck_assert_int_eq(in.nnz, nvox + 2 * pairs); /* diagonal + both triangles */
        ck_assert_int_eq(in.n_floating, 0);
        ck_assert_int_eq(in.n_isolated_dc, 0);
        ck_assert_int_eq(in.open_circuit, 0);
        /* the ordering used: the requested one, or a real one for the default */
        if (orderings[o] == ZSTR_ORDERING_DEFAULT)
            ck_assert(in.ordering == ZSTR_ORDERING_AMD || in.ordering == ZSTR_ORDERING_METIS);
        else
            ck_assert_int_eq(in.ordering, orderings[o]);
        /* area and thickness: products of two exact doubles, one rounding each */
        ck_assert(zs_test_rel(in.area, 3 * hx * 4 * hy) < 1e-15);
        ck_assert(zs_test_rel(in.thickness, 5 * hz) < 1e-15);
        ck_assert(in.temperature == T);
        ck_assert(in.contact_fraction[ZSTR_WE] == 1.0 && in.contact_fraction[ZSTR_CE] == 1.0);
        ck_assert(in.plan_bytes > 0 && in.predicted_bytes > 0 &&
                  in.predicted_peak_bytes >= in.predicted_bytes);
        ck_assert(in.memory_limit > 0 && in.max_threads >= 1);
        /* DC: R = L/(σ(T)·A); a Cholesky solve of 60 unknowns, 1e-12 */
        zstr_dc_result dc;
        zstr_dc_result_init(&dc);
        ck_assert(dc.size == sizeof dc);
        ZS_CK_OK(zstr_dc_resistance(p, &dc, &e), &e);
        double ref = 5 * hz / (sigma * arrhenius(0.3, 298.15, T) * (3 * hx * 4 * hy));
        ck_assert_msg(zs_test_rel(dc.resistance, ref) < 1e-12, "R_DC %.15g vs %.15g",
                      dc.resistance, ref);
        ck_assert_int_eq(dc.open_circuit, 0);
        ck_assert_int_eq(dc.n_solved, nvox);
        ck_assert_int_eq(dc.n_floating, 0);
        /* nnz(L) of a Cholesky factor: at least the diagonal and the entries of
         * the lower triangle of G itself, at most a dense triangle */
        ck_assert_msg(dc.factor_nnz >= nvox + pairs && dc.factor_nnz <= nvox * (nvox + 1) / 2,
                      "factor_nnz %g", dc.factor_nnz);
        ck_assert(dc.seconds >= 0 && isfinite(dc.seconds));
        zstr_plan_free(p);
    }
    zstr_model_free(m);
}
END_TEST

START_TEST(test_info_layers_and_maps)
{
    /* 4 × 3 × 4 voxels, z layers A A B A (B: another time constant), so the
     * 2·12 z-branches touching B get an internal node each.  WE map: contact with
     * R_pol > 0, pore, SEI (two parts each: one internal node) and free surface
     * (no branch).  CE map: ideal contact (R_pol = 0: the half voxel alone),
     * SEI (an internal node) and free surface.  Everything is counted here from
     * the maps and the layers. */
    enum { NX = 4, NY = 3, NZ = 4 };
    const double h = 1e-6;
    zstr_model *m = new_model(NX, NY, NZ, h, h, h);
    int a = add_phase(m, "a", 0.05, 100.0, 0.3);
    int b = add_phase(m, "b", 1e-3, 30.0, 0.4);
    const int layer[NZ] = {a, a, b, a};
    int32_t lab[NX * NY * NZ];
    for (int i = 0; i < NX * NY * NZ; i++)
        lab[i] = layer[i / (NX * NY)];
    zstr_error e;
    ZS_CK_OK(zstr_model_set_labels(m, lab, &e), &e);
    const uint8_t we[NX * NY] = {1, 1, 2, 0, 3, 1, 2, 2, 0, 1, 1, 3};
    const uint8_t ce[NX * NY] = {1, 3, 3, 1, 0, 1, 1, 1, 3, 0, 0, 1};
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 1e-4;
    ip.contact_capacitance = 1e-2;
    ip.pore_capacitance = 1e-3;
    ip.sei_resistance = 5e-4;
    ip.sei_capacitance = 3e-3;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, we, &e), &e);
    ip.contact_resistance = 0.0; /* ideal contacts at the CE */
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_CE, &ip, ce, &e), &e);
    int64_t we_branch = 0, we_contact = 0, ce_sei = 0, ce_contact = 0;
    for (int k = 0; k < NX * NY; k++) {
        we_branch += we[k] != ZSTR_PIXEL_NONE;
        we_contact += we[k] == ZSTR_PIXEL_CONTACT;
        ce_sei += ce[k] == ZSTR_PIXEL_SEI;
        ce_contact += ce[k] == ZSTR_PIXEL_CONTACT;
    }
    ck_assert(we_branch == 10 && we_contact == 5 && ce_sei == 3 && ce_contact == 6);
    const int64_t nvox = NX * NY * NZ;
    const int64_t pairs = (NX - 1) * NY * NZ + NX * (NY - 1) * NZ + NX * NY * (NZ - 1);
    const int64_t ab = 2 * NX * NY; /* z-branches across the A|B faces */
    zstr_plan *p = NULL;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    zstr_plan_info in = plan_info(p);
    ck_assert_int_eq(in.n_voxels, nvox);
    ck_assert_int_eq(in.n_internal, ab + we_branch + ce_sei);
    ck_assert_int_eq(in.n_unknowns, nvox + ab + we_branch + ce_sei);
    /* elements: one per pair, a second on each A|B branch; two per WE branch and
     * per CE SEI pixel, one per ideal CE contact */
    ck_assert_int_eq(in.n_branches, pairs + ab + 2 * we_branch + 2 * ce_sei + ce_contact);
    /* off-diagonal pairs: every pair's chain (two pairs across A|B), and the
     * voxel–internal element of each two-part electrode branch */
    ck_assert_int_eq(in.nnz, in.n_unknowns + 2 * (pairs + ab + we_branch + ce_sei));
    ck_assert(in.contact_fraction[ZSTR_WE] == (double)we_contact / (NX * NY));
    ck_assert(in.contact_fraction[ZSTR_CE] == (double)ce_contact / (NX * NY));
    ck_assert(in.n_floating == 0 && in.n_isolated_dc == 0 && in.open_circuit == 0);
    zstr_dc_result dc;
    zstr_dc_result_init(&dc);
    ZS_CK_OK(zstr_dc_resistance(p, &dc, &e), &e);
    /* pore internal nodes conduct to the voxel below them: nothing is left out */
    ck_assert_int_eq(dc.n_solved, in.n_unknowns);
    ck_assert_int_eq(dc.n_floating, 0);
    ck_assert(dc.open_circuit == 0 && isfinite(dc.resistance) && dc.resistance > 0);
    ck_assert(dc.factor_nnz >= (double)in.n_unknowns);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_info_floating_and_open)
{
    zstr_error e;
    /* (1) 5³ conductor with an insulating 3×3×3 shell (x, y, z in 1..3) around a
     * conductive core voxel (2,2,2).  Insulating voxels have only capacitive
     * halves: all 26 float; so does the core and the internal node of each of
     * its 6 branches (core half | shell half).  The 54 branches from the shell's
     * faces to the outside have their internal node on the conducting outside.
     * The DC solve keeps the other 125 + 54 + 6 − 33 = 152 nodes. */
    {
        const int64_t n = 5;
        zstr_model *m = new_model(n, n, n, 1e-6, 1e-6, 1e-6);
        add_phase(m, "cond", 0.01, 50.0, 0.0);
        int ins = add_phase(m, "ins", 0.0, 2.0, 0.0);
        int32_t lab[125];
        for (int64_t z = 0; z < n; z++)
            for (int64_t y = 0; y < n; y++)
                for (int64_t x = 0; x < n; x++) {
                    int shell = x >= 1 && x <= 3 && y >= 1 && y <= 3 && z >= 1 && z <= 3;
                    int core = x == 2 && y == 2 && z == 2;
                    lab[x + n * (y + n * z)] = shell && !core ? ins : 0;
                }
        ZS_CK_OK(zstr_model_set_labels(m, lab, &e), &e);
        zstr_plan *p = NULL;
        ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
        zstr_plan_info in = plan_info(p);
        ck_assert_int_eq(in.n_internal, 54 + 6);
        ck_assert_int_eq(in.n_unknowns, 125 + 60);
        ck_assert_int_eq(in.n_floating, 26 + 1 + 6);
        ck_assert_int_eq(in.n_isolated_dc, 0);
        ck_assert_int_eq(in.open_circuit, 0);
        zstr_dc_result dc;
        zstr_dc_result_init(&dc);
        ZS_CK_OK(zstr_dc_resistance(p, &dc, &e), &e);
        ck_assert_int_eq(dc.n_floating, 33);
        ck_assert_int_eq(dc.n_solved, 185 - 33);
        ck_assert(dc.open_circuit == 0 && isfinite(dc.resistance));
        zstr_plan_free(p);
        zstr_model_free(m);
    }
    /* (2) 4³ with the layer z = 2 insulating: its 16 voxels float; the 32
     * z-branches touching it get internal nodes on their conducting side.  Below
     * the gap 32 voxels + 16 internal nodes reach only the CE, above it 16 + 16
     * only the WE.  No conductive path: open circuit, R_DC = +inf. */
    {
        const int64_t n = 4;
        zstr_model *m = new_model(n, n, n, 1e-6, 1e-6, 1e-6);
        add_phase(m, "cond", 0.01, 50.0, 0.0);
        int gap = add_phase(m, "gap", 0.0, 2.0, 0.0);
        int32_t lab[64];
        for (int i = 0; i < 64; i++)
            lab[i] = i / 16 == 2 ? gap : 0;
        ZS_CK_OK(zstr_model_set_labels(m, lab, &e), &e);
        zstr_plan *p = NULL;
        ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
        zstr_plan_info in = plan_info(p);
        ck_assert_int_eq(in.n_unknowns, 64 + 32);
        ck_assert_int_eq(in.n_floating, 16);
        ck_assert_int_eq(in.n_isolated_dc, (32 + 16) + (16 + 16));
        ck_assert_int_eq(in.open_circuit, 1);
        zstr_dc_result dc;
        zstr_dc_result_init(&dc);
        ck_assert_int_eq(zstr_dc_resistance(p, &dc, &e), ZSTR_WOPEN_CIRCUIT);
        ck_assert(dc.open_circuit == 1 && isinf(dc.resistance) && dc.resistance > 0);
        ck_assert_int_eq(dc.n_floating, 16);
        zstr_plan_free(p);
        zstr_model_free(m);
    }
}
END_TEST

/* ------------------------------------------------------------------------- */
/* The pencil: temperature, symmetry, semi-definiteness                      */
/* ------------------------------------------------------------------------- */

START_TEST(test_pattern_temperature_invariant)
{
    /* The classes of the parts do not depend on T (assemble.c's banner), so the
     * pattern is the same bit for bit at 233 K and 373 K; C does not depend on T
     * at all.  Each off-diagonal entry of G is one element, of one class, so it
     * scales by that class's Arrhenius ratio σ(T2)/σ(T1) (bulk 0.34 eV, GB and
     * contact 0.43 eV, SEI 0.5 eV); a diagonal is a sum of such terms, so its
     * ratio lies between the smallest and the largest.  The library computes
     * each conductance with a few roundings: 1e-12 relative. */
    const int64_t n = zs_test_quick() ? 6 : 10;
    const double t1 = 233.15, t2 = 373.15;
    zstr_model *m1 = paper_model(n, t1), *m2 = paper_model(n, t2);
    zs_pencil a, b;
    build_pencil(m1, &a);
    build_pencil(m2, &b);
    ck_assert_int_eq(a.n, b.n);
    ck_assert_int_eq(a.nnz, b.nnz);
    ck_assert(memcmp(a.Ap, b.Ap, sizeof *a.Ap * (size_t)(a.n + 1)) == 0);
    ck_assert(memcmp(a.Ai, b.Ai, sizeof *a.Ai * (size_t)a.nnz) == 0);
    ck_assert(memcmp(a.Cx, b.Cx, sizeof *a.Cx * (size_t)a.nnz) == 0);
    /* the plans report the same sizes */
    zstr_plan *p1 = NULL, *p2 = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m1, NULL, &p1, &e), &e);
    ZS_CK_OK(zstr_plan_create(m2, NULL, &p2, &e), &e);
    zstr_plan_info i1 = plan_info(p1), i2 = plan_info(p2);
    /* the info counts both triangles; the pencil stores one */
    ck_assert(i1.n_unknowns == a.n && i2.n_unknowns == a.n && i1.nnz == 2 * a.nnz - a.n &&
              i2.nnz == 2 * a.nnz - a.n);
    ck_assert(i1.temperature == t1 && i2.temperature == t2);
    const double ea[4] = {0.34, 0.43, 0.43, 0.5};
    double ratio[4], rmin = INFINITY, rmax = 0;
    for (int k = 0; k < 4; k++) {
        ratio[k] = arrhenius(ea[k], 298.15, t2) / arrhenius(ea[k], 298.15, t1);
        rmin = fmin(rmin, ratio[k]);
        rmax = fmax(rmax, ratio[k]);
    }
    int64_t seen[2] = {0, 0}; /* off-diagonals of 0.34 eV and of 0.43 eV */
    for (int64_t j = 0; j < a.n; j++)
        for (int64_t k = a.Ap[j]; k < a.Ap[j + 1]; k++) {
            double g1 = a.Gx[k], g2 = b.Gx[k];
            if (a.Ai[k] == j) {
                ck_assert_msg(g2 >= rmin * g1 * (1 - 1e-12) && g2 <= rmax * g1 * (1 + 1e-12),
                              "diagonal %lld: ratio %.15g outside [%g, %g]", (long long)j,
                              g2 / g1, rmin, rmax);
                continue;
            }
            ck_assert(g1 < 0.0 && g2 < 0.0);
            int hit = -1;
            for (int c = 0; c < 4 && hit < 0; c++)
                if (zs_test_rel(g2 / g1, ratio[c]) < 1e-12)
                    hit = c;
            ck_assert_msg(hit >= 0, "G(%lld,%lld): ratio %.15g is no class's Arrhenius factor",
                          (long long)a.Ai[k], (long long)j, g2 / g1);
            seen[hit == 0 ? 0 : 1]++;
        }
    ck_assert(seen[0] > 0 && seen[1] > 0); /* both bulk and GB elements were met */
    zstr_plan_free(p1);
    zstr_plan_free(p2);
    zs_pencil_free(&a);
    zs_pencil_free(&b);
    zstr_model_free(m1);
    zstr_model_free(m2);
}
END_TEST

static double entry(const zs_system *p, const double *x, int64_t row, int64_t col, int *found)
{
    for (int64_t k = p->Ap[col]; k < p->Ap[col + 1]; k++)
        if (p->Ai[k] == row) {
            *found = 1;
            return x[k];
        }
    *found = 0;
    return 0.0;
}

/* Deterministic uniform numbers in [−1, 1) for the quadratic forms. */
static double next_uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 4503599627370496.0 - 1.0; /* 2^52 */
}

/* Symmetry, sign pattern, diagonal dominance and xᵀAx >= 0 for one matrix. */
static void check_psd(const zs_system *p, const double *ax, const char *name)
{
    int64_t strict = 0;
    for (int64_t j = 0; j < p->n; j++) {
        double diag = -1.0, off = 0.0;
        int64_t prev = -1;
        for (int64_t k = p->Ap[j]; k < p->Ap[j + 1]; k++) {
            int64_t i = p->Ai[k];
            ck_assert_msg(i > prev && i < p->n, "%s: rows of column %lld not sorted", name,
                          (long long)j);
            prev = i;
            int found = 0;
            double t = entry(p, ax, j, i, &found);
            ck_assert_msg(found && t == ax[k], "%s(%lld,%lld) = %.17g but (%lld,%lld) = %.17g",
                          name, (long long)i, (long long)j, ax[k], (long long)j, (long long)i,
                          t);
            if (i == j)
                diag = ax[k];
            else {
                ck_assert_msg(ax[k] <= 0.0, "%s(%lld,%lld) = %g > 0", name, (long long)i,
                              (long long)j, ax[k]);
                off += -ax[k];
            }
        }
        /* Gershgorin: every eigenvalue lies in some [d − r, d + r] with r the sum
         * of |off-diagonals|; d >= r everywhere puts them all in [0, ∞).  d and
         * r add the same terms in different orders: 1e-13 relative slack. */
        ck_assert_msg(diag >= 0.0 && diag >= off * (1.0 - 1e-13),
                      "%s: column %lld diagonal %.17g < off-diagonal sum %.17g", name,
                      (long long)j, diag, off);
        strict += diag > off * (1.0 + 1e-9);
    }
    ck_assert_msg(strict > 0, "%s: no node ties to an electrode", name);
    /* xᵀAx = Σ_e a_e (x_a − x_b)² + electrode terms >= 0; evaluated entry by
     * entry it carries rounding of order 1e-16 of Σ|x_i a_ij x_j| */
    uint64_t seed = 12345;
    double *x = malloc(sizeof *x * (size_t)p->n);
    ck_assert_ptr_nonnull(x);
    for (int r = 0; r < 20; r++) {
        for (int64_t i = 0; i < p->n; i++)
            x[i] = r == 0 ? 1.0 : next_uniform(&seed); /* r = 0: the constant vector */
        double q = 0.0, mag = 0.0;
        for (int64_t j = 0; j < p->n; j++)
            for (int64_t k = p->Ap[j]; k < p->Ap[j + 1]; k++) {
                q += x[p->Ai[k]] * ax[k] * x[j];
                mag += fabs(x[p->Ai[k]] * ax[k] * x[j]);
            }
        ck_assert_msg(q >= -1e-13 * mag, "%s: xᵀAx = %g (scale %g) for vector %d", name, q, mag,
                      r);
    }
    free(x);
}

START_TEST(test_pencil_symmetric_psd)
{
    /* On the Voronoi + GB + interface paper model: G and C are symmetric entry
     * by entry (exactly: each element stamps one value into both triangles),
     * with off-diagonals <= 0 and diagonals that dominate their columns, so both
     * are positive semi-definite; xᵀGx and xᵀCx are >= 0 for random x. */
    const int64_t n = zs_test_quick() ? 6 : 10;
    zstr_model *m = paper_model(n, 298.15);
    zs_pencil p;
    build_pencil(m, &p);
    /* the stored upper triangle: rows sorted below a diagonal that closes
     * every column */
    ck_assert_int_eq(p.Ap[0], 0);
    ck_assert_int_eq(p.Ap[p.n], p.nnz);
    for (int64_t j = 0; j < p.n; j++) {
        ck_assert(p.Ap[j + 1] > p.Ap[j] && p.Ai[p.Ap[j + 1] - 1] == j);
        for (int64_t k = p.Ap[j] + 1; k < p.Ap[j + 1]; k++)
            ck_assert(p.Ai[k - 1] < p.Ai[k]);
    }
    /* both triangles, as the solvers see them */
    zs_system s;
    zstr_error e;
    ZS_CK_OK(zs_system_build(&p, ZS_PORT_NONE, &s, &e), &e);
    ck_assert_int_eq(s.nnz, 2 * p.nnz - p.n);
    check_psd(&s, s.Gx, "G");
    check_psd(&s, s.Cx, "C");
    zs_system_free(&s);
    zs_pencil_free(&p);
    zstr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Concurrent executes from the caller's threads                             */
/* ------------------------------------------------------------------------- */

#define NTHREADS 4
#define PER_THREAD 3
#define NFREQ 7

typedef struct job {
    const zstr_plan *plan;
    pthread_barrier_t *start;
    const double *f;
    int first; /* frequency indices first, first + 2, first + 4 (mod NFREQ) */
    int64_t n;
    int status;
    double z[PER_THREAD][2];
    double *v[PER_THREAD]; /* potentials after each AC solve, 2n doubles */
} job;

static void *run_job(void *arg)
{
    job *jb = arg;
    zstr_workspace *ws = NULL;
    jb->status = zstr_workspace_create(jb->plan, &ws, NULL);
    pthread_barrier_wait(jb->start); /* every thread executes at the same time */
    for (int k = 0; k < PER_THREAD && jb->status >= 0; k++) {
        double f = jb->f[(jb->first + 2 * k) % NFREQ];
        int rc = zstr_execute(jb->plan, ws, f, jb->z[k], NULL);
        if (rc != ZSTR_OK) {
            jb->status = rc;
            break;
        }
        const double *v = zstr_workspace_potentials(ws);
        if (f > 0 && v != NULL)
            memcpy(jb->v[k], v, sizeof *v * 2 * (size_t)jb->n);
    }
    zstr_workspace_free(ws);
    return NULL;
}

START_TEST(test_concurrent_executes)
{
    /* Threads of the caller's own (not zstr_sweep's), each with its own
     * workspace on one plan, released together by a barrier, run different
     * frequencies (f = 0, the CHOLMOD DC solve, among them).  The plan is
     * read-only and each solve has its own Numeric object, so every Z and every
     * potential equals the serial one bit for bit. */
    const int64_t n = zs_test_quick() ? 6 : 10;
    zstr_model *m = paper_model(n, 298.15);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    const int64_t nu = plan_info(p).n_unknowns;
    const double f[NFREQ] = {0.0, 1e-2, 1.0, 1e2, 1e4, 1e6, 1e8};
    double zs[NFREQ][2];
    double *vs[NFREQ];
    zstr_workspace *ws = NULL;
    ZS_CK_OK(zstr_workspace_create(p, &ws, &e), &e);
    for (int k = 0; k < NFREQ; k++) {
        ZS_CK_OK(zstr_execute(p, ws, f[k], zs[k], &e), &e);
        vs[k] = malloc(sizeof(double) * 2 * (size_t)nu);
        ck_assert_ptr_nonnull(vs[k]);
        if (f[k] > 0)
            memcpy(vs[k], zstr_workspace_potentials(ws), sizeof(double) * 2 * (size_t)nu);
    }
    zstr_workspace_free(ws);
    pthread_barrier_t start;
    ck_assert_int_eq(pthread_barrier_init(&start, NULL, NTHREADS), 0);
    job jobs[NTHREADS];
    pthread_t th[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        jobs[t] = (job){p, &start, f, t, nu, 0, {{0}}, {NULL}};
        for (int k = 0; k < PER_THREAD; k++) {
            jobs[t].v[k] = malloc(sizeof(double) * 2 * (size_t)nu);
            ck_assert_ptr_nonnull(jobs[t].v[k]);
        }
    }
    for (int t = 0; t < NTHREADS; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, run_job, &jobs[t]), 0);
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    pthread_barrier_destroy(&start);
    for (int t = 0; t < NTHREADS; t++) {
        ck_assert_msg(jobs[t].status == ZSTR_OK, "thread %d: %s", t,
                      zstr_strerror(jobs[t].status));
        for (int k = 0; k < PER_THREAD; k++) {
            int q = (t + 2 * k) % NFREQ;
            ck_assert_msg(memcmp(jobs[t].z[k], zs[q], sizeof zs[q]) == 0,
                          "thread %d, f = %g: %.17g%+.17gj vs serial %.17g%+.17gj", t, f[q],
                          jobs[t].z[k][0], jobs[t].z[k][1], zs[q][0], zs[q][1]);
            if (f[q] > 0)
                ck_assert_msg(memcmp(jobs[t].v[k], vs[q], sizeof(double) * 2 * (size_t)nu) == 0,
                              "thread %d, f = %g: potentials differ from the serial ones", t,
                              f[q]);
            free(jobs[t].v[k]);
        }
    }
    for (int k = 0; k < NFREQ; k++)
        free(vs[k]);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

Suite *suite_contracts(void)
{
    Suite *s = suite_create("contracts");
    TCase *tc = tcase_create("contracts");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_potentials_uniform_field);
    tcase_add_test(tc, test_potentials_kirchhoff);
    tcase_add_test(tc, test_info_block);
    tcase_add_test(tc, test_info_layers_and_maps);
    tcase_add_test(tc, test_info_floating_and_open);
    tcase_add_test(tc, test_pattern_temperature_invariant);
    tcase_add_test(tc, test_pencil_symmetric_psd);
    tcase_add_test(tc, test_concurrent_executes);
    suite_add_tcase(s, tc);
    return s;
}
