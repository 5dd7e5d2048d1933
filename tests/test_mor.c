/*
 * test_mor.c — the reduced-order model against exact answers and against the
 * direct per-frequency solve of the same network.
 *
 * Exact: a stack of layers along z whose phases have distinct time constants
 * has Z(s) = Σ R_i/(1 + sτ_i) exactly (every plane is equipotential), so the
 * reduced model must find exactly those poles and residues.  Direct: on
 * Voronoi + GB + interface models, open circuits and floating islands, the
 * model's Z over 1e-3…1e9 Hz must match zstr_execute to the tolerance; the
 * error estimate must not be optimistic (true error <= 10 × estimate); Re Z >= 0;
 * and the residues add up to R_DC.
 *
 * Iterative backend (libzstr-mpi: PETSc's CG + AMG in place of CHOLMOD, its
 * solves stopped at a residual of 1e-3 × the tolerance): on homogeneous,
 * layered, Voronoi + GB with pores or SEI, and constriction models, its reduced
 * model must give the spectrum of CHOLMOD's within 1e-6 (relative to |Z|, at
 * every frequency of the band) and R_DC from Z_r(0); floating islands and
 * open circuits behave as with CHOLMOD (no DC shift, the same capacitor);
 * what the plan and the sweep do with the backend (auto under a memory limit,
 * direct sweeps refused, threads, re-stamping) is checked too.  Without PETSc
 * these tests check the refusal instead.
 */
#include "zs_backend.h" /* zs_backend_iterative: is the iterative backend built? */
#include "zs_test.h"
#include "zs_paper.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const double eps0 = ZSTR_EPSILON0;

static zstr_model *grid(int64_t n, double h)
{
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(n, n, n, h, h, h, &m, &e), &e);
    return m;
}

static int phase(zstr_model *m, const char *name, double sigma, double epsr)
{
    zstr_phase_params p = {name, sigma, epsr, 0.0, 298.15};
    int id = -1;
    zstr_error e;
    ZS_CK_OK(zstr_model_add_phase(m, &p, &id, &e), &e);
    return id;
}

static zstr_rom *rom_of(const zstr_plan *p, int64_t nf, const double *f, double tol)
{
    zstr_rom_options o;
    zstr_rom_options_default(&o);
    o.tolerance = tol;
    zstr_rom *r = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_rom_create(p, nf, f, &o, &r, &e), &e);
    return r;
}

static zstr_rom_info info_of(const zstr_rom *r)
{
    zstr_rom_info in;
    zstr_rom_info_init(&in);
    ZS_CK_OK(zstr_rom_get_info(r, &in), NULL);
    return in;
}

/* 1e-3 … 1e9 Hz, 6 per decade */
static int64_t band(double **f)
{
    int64_t n = 0;
    zstr_error e;
    ZS_CK_OK(zstr_frequencies_log(1e-3, 1e9, 6, f, &n, &e), &e);
    return n;
}

START_TEST(test_layer_poles_exact)
{
    /* 3 phases in layers of 2, 3 and 1 voxels along z, τ = ε0·ε/σ distinct:
     * exactly three poles at those τ with residues L_i/(σ_i A); nothing else
     * above rounding */
    const int64_t n = 6;
    const double h = 1e-6, A = 36e-12;
    zstr_model *m = grid(n, h);
    const double sig[3] = {1e-2, 3e-5, 0.5}, eps[3] = {30.0, 150.0, 10.0};
    const int thick[3] = {2, 3, 1};
    int id[3];
    for (int k = 0; k < 3; k++)
        id[k] = phase(m, k == 0 ? "a" : k == 1 ? "b" : "c", sig[k], eps[k]);
    int32_t *lab = malloc(sizeof *lab * (size_t)(n * n * n));
    ck_assert_ptr_nonnull(lab);
    for (int64_t z = 0, layer = 0, used = 0; z < n; z++, used++) {
        if (used == thick[layer]) {
            layer++;
            used = 0;
        }
        for (int64_t i = 0; i < n * n; i++)
            lab[z * n * n + i] = id[layer];
    }
    zstr_error e;
    ZS_CK_OK(zstr_model_set_labels(m, lab, &e), &e);
    free(lab);
    zstr_plan *p = NULL;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    double *f = NULL;
    int64_t nf = band(&f);
    zstr_rom *r = rom_of(p, nf, f, 1e-8);
    zstr_rom_info in = info_of(r);
    double *tau = malloc(sizeof *tau * (size_t)(in.n_poles + 1));
    double *res = malloc(sizeof *res * (size_t)(in.n_poles + 1));
    ck_assert(tau != NULL && res != NULL);
    ZS_CK_OK(zstr_rom_poles(r, tau, res), NULL);
    double rtot = 0.0;
    for (int k = 0; k < 3; k++)
        rtot += thick[k] * h / (sig[k] * A);
    int found[3] = {0, 0, 0};
    for (int64_t j = 0; j < in.n_poles; j++) {
        if (res[j] < 1e-10 * rtot)
            continue; /* a numerically empty direction */
        int hit = -1;
        for (int k = 0; k < 3; k++)
            if (zs_test_rel(tau[j], eps0 * eps[k] / sig[k]) < 1e-8)
                hit = k;
        if (hit < 0) {
            ck_abort_msg("pole tau = %g R = %g matches no layer", tau[j], res[j]);
            continue;
        }
        found[hit]++;
        ck_assert_msg(zs_test_rel(res[j], thick[hit] * h / (sig[hit] * A)) < 1e-8,
                      "layer %d: R %g vs %g", hit, res[j], thick[hit] * h / (sig[hit] * A));
    }
    for (int k = 0; k < 3; k++)
        ck_assert_int_eq(found[k], 1);
    ck_assert(in.series_resistance < 1e-10 * rtot);
    ck_assert(isinf(in.capacitance));
    ck_assert(in.dc_exact);
    free(tau);
    free(res);
    free(f);
    zstr_rom_free(r);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

/* the paper's model (tests/zs_paper.h: Voronoi + GB + square spot with pores
 * or SEI), n³ */
static zstr_model *paper_model(int64_t n, int rest, double fraction)
{
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zs_paper_model(n, n, rest, fraction, 0, &m, &e), &e);
    return m;
}

/* MOR against direct over the band, and its estimate against a much tighter
 * reduced model.  The direct complex LU is itself only good to a few 1e-7 at
 * the highest frequencies on the Voronoi models (two reduced models built from
 * different shifts agree to 1e-12 there), so the honesty of the estimate is
 * judged against the tight model, as the fast-sweep issue asks; the direct
 * solve checks that the spectrum is right to the tolerance. */
static void against_direct(const zstr_model *m, double tol, const char *what)
{
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    double *f = NULL;
    int64_t nf = band(&f);
    size_t bytes = sizeof(double) * 2 * (size_t)nf;
    double *zd = malloc(bytes), *zr = malloc(bytes), *zt = malloc(bytes);
    double *est = malloc(sizeof *est * (size_t)nf);
    ck_assert(zd != NULL && zr != NULL && zt != NULL && est != NULL);
    ZS_CK_OK(zstr_sweep(p, nf, f, zd, NULL, &e), &e);
    zstr_rom *r = rom_of(p, nf, f, tol), *tight = rom_of(p, nf, f, 1e-11);
    ZS_CK_OK(zstr_rom_evaluate(r, nf, f, zr, est, &e), &e);
    ZS_CK_OK(zstr_rom_evaluate(tight, nf, f, zt, NULL, &e), &e);
    zstr_rom_info in = info_of(r);
    ck_assert_msg(in.converged, "%s: not converged, estimate %g", what, in.max_estimate);
    double worst = 0.0, worst_tight = 0.0, worst_ratio = 0.0;
    for (int64_t k = 0; k < nf; k++) {
        double mag = hypot(zd[2 * k], zd[2 * k + 1]);
        double err = hypot(zr[2 * k] - zd[2 * k], zr[2 * k + 1] - zd[2 * k + 1]) / mag;
        double et = hypot(zr[2 * k] - zt[2 * k], zr[2 * k + 1] - zt[2 * k + 1]) / mag;
        worst = fmax(worst, err);
        worst_tight = fmax(worst_tight, et);
        /* pointwise, what a caller relies on: a frequency whose estimate
         * meets the tolerance is right to the tolerance, and above it the
         * estimate is not 10× below the truth.  The estimate (the change the
         * last shifts made) is NOT honest within 10× far below the
         * tolerance: it can miss a band no recent shift acted on (measured
         * 6000× optimistic at an error of 1.6e-7, tolerance 1e-6, at 0.068 Hz
         * on the 6³ pore model with an estimate variant since removed; ≤ 10.7×
         * with the estimate of lib/mor.c), and the greedy's shifts depend on
         * the BLAS rounding.  The band's reported estimate is checked below
         * without any floor. */
        ck_assert_msg(et <= fmax(10.0 * est[k], tol), "%s: f = %g: error %g, estimate %g", what,
                      f[k], et, est[k]);
        worst_ratio = fmax(worst_ratio, et / fmax(est[k], 1e-300));
        ck_assert_msg(zr[2 * k] >= 0.0, "%s: Re Z < 0 at %g Hz", what, f[k]);
    }
    ck_assert_msg(worst <= tol, "%s: max error %g > tolerance %g (%lld factorizations)", what,
                  worst, tol, (long long)in.factorizations);
    ck_assert_msg(worst_tight <= 10.0 * in.max_estimate + 1e-13, "%s: max error %g, estimate %g",
                  what, worst_tight, in.max_estimate);
    if (getenv("ZSTR_TEST_VERBOSE") != NULL)
        fprintf(stderr, "%s: %lld factorizations, %lld solves, dim %lld, error vs direct %.3g, "
                        "vs tight %.3g, estimate %.3g, worst pointwise error/estimate %.3g\n",
                what, (long long)in.factorizations, (long long)in.solves,
                (long long)in.dimension, worst, worst_tight, in.max_estimate, worst_ratio);
    /* ω → 0: Z_r(0) against CHOLMOD's DC solve */
    zstr_dc_result dc;
    zstr_dc_result_init(&dc);
    int rc = zstr_dc_resistance(p, &dc, &e);
    double z0[2], f0 = 0.0;
    ZS_CK_OK(zstr_rom_evaluate(r, 1, &f0, z0, NULL, &e), &e);
    if (rc == ZSTR_WOPEN_CIRCUIT) {
        ck_assert(isinf(z0[0]) && isfinite(in.capacitance));
    } else {
        ck_assert_int_eq(rc, ZSTR_OK);
        if (in.dc_exact)
            ck_assert_msg(zs_test_rel(z0[0], dc.resistance) < 1e-10, "%s: Z_r(0) %.12g vs %.12g",
                          what, z0[0], dc.resistance);
    }
    free(f);
    free(zd);
    free(zr);
    free(zt);
    free(est);
    zstr_rom_free(r);
    zstr_rom_free(tight);
    zstr_plan_free(p);
}

START_TEST(test_paper_model_against_direct)
{
    zstr_model *m = paper_model(zs_test_quick() ? 6 : 10, ZSTR_PIXEL_PORE, 0.22);
    against_direct(m, 1e-6, "Voronoi + pores");
    zstr_model_free(m);
}
END_TEST

START_TEST(test_sei_model_against_direct)
{
    zstr_model *m = paper_model(zs_test_quick() ? 6 : 8, ZSTR_PIXEL_SEI, 0.3);
    against_direct(m, 1e-7, "Voronoi + SEI");
    zstr_model_free(m);
}
END_TEST

START_TEST(test_two_interfaces)
{
    /* a symmetric cell: the same Li-metal interface (R_pol ∥ C_DL on every
     * pixel) on both electrodes, so whichever electrode the port form keeps,
     * its row sums large double-layer admittances; the projected G and C are
     * formed element by element, so the reduced model still meets the
     * tolerance at the top of the band */
    const int64_t n = zs_test_quick() ? 6 : 12;
    zstr_model *m = paper_model(n, ZSTR_PIXEL_PORE, 1.0);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4;
    ip.contact_capacitance = 1.77e4;
    uint8_t *px = malloc((size_t)(n * n));
    ck_assert_ptr_nonnull(px);
    memset(px, ZSTR_PIXEL_CONTACT, (size_t)(n * n));
    zstr_error e;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_CE, &ip, px, &e), &e);
    free(px);
    against_direct(m, 1e-9, "two interfaces"); /* without the element-wise projection: 2.8e-7 */
    zstr_model_free(m);
}
END_TEST

START_TEST(test_homogeneous_and_brick_layer)
{
    /* a homogeneous block (one RC: the space is invariant after one shift)
     * and cubic grains with GB layers (brick layer, two processes) */
    zstr_model *m = grid(5, 2e-6);
    phase(m, "bulk", 0.046, 150.0);
    against_direct(m, 1e-6, "homogeneous");
    zstr_model_free(m);
    const int64_t g = 2, n = 3 * g;
    m = grid(n, 3e-6);
    phase(m, "bulk", 0.046, 150.0);
    int gb = phase(m, "gb", 5.97e-4, 150.0);
    int32_t *grain = malloc(sizeof *grain * (size_t)(n * n * n));
    ck_assert_ptr_nonnull(grain);
    for (int64_t z = 0; z < n; z++)
        for (int64_t y = 0; y < n; y++)
            for (int64_t x = 0; x < n; x++)
                grain[x + n * (y + n * z)] = (int32_t)(x / g + 3 * (y / g + 3 * (z / g)));
    zstr_error e;
    ZS_CK_OK(zstr_model_set_grains(m, grain, gb, 10e-9, &e), &e);
    free(grain);
    against_direct(m, 1e-6, "brick layer");
    zstr_model_free(m);
}
END_TEST

START_TEST(test_open_circuit)
{
    /* every WE pixel a pore: no DC path; Z = 1/(sC) at low f, capacitor found */
    zstr_model *m = paper_model(6, ZSTR_PIXEL_PORE, 0.0);
    against_direct(m, 1e-6, "open circuit");
    zstr_model_free(m);
}
END_TEST

START_TEST(test_floating_island)
{
    /* an insulating shell around one voxel makes it float at DC */
    const int64_t n = 5;
    zstr_model *m = grid(n, 2e-6);
    int b = phase(m, "bulk", 0.046, 150.0), ins = phase(m, "ins", 0.0, 5.0);
    int32_t *lab = malloc(sizeof *lab * (size_t)(n * n * n));
    ck_assert_ptr_nonnull(lab);
    for (int64_t z = 0; z < n; z++)
        for (int64_t y = 0; y < n; y++)
            for (int64_t x = 0; x < n; x++) {
                int64_t d = llabs(x - 2) > llabs(y - 2) ? llabs(x - 2) : llabs(y - 2);
                d = llabs(z - 2) > d ? llabs(z - 2) : d;
                lab[x + n * (y + n * z)] = d == 1 ? ins : b;
            }
    zstr_error e;
    ZS_CK_OK(zstr_model_set_labels(m, lab, &e), &e);
    free(lab);
    against_direct(m, 1e-6, "floating island");
    zstr_model_free(m);
}
END_TEST

START_TEST(test_bad_arguments)
{
    zstr_model *m = grid(3, 1e-6);
    phase(m, "bulk", 0.046, 150.0);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    double f[2] = {0.0, 1e3};
    zstr_rom *r = (zstr_rom *)&e;
    ck_assert_int_eq(zstr_rom_create(p, 1, f, NULL, &r, &e), ZSTR_EINVAL); /* only f = 0 */
    ck_assert_ptr_null(r);
    ck_assert_int_eq(zstr_rom_create(NULL, 2, f, NULL, &r, &e), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_rom_create(p, 2, NULL, NULL, &r, &e), ZSTR_EINVAL);
    zstr_rom_options o;
    memset(&o, 0, sizeof o);
    ck_assert_int_eq(zstr_rom_create(p, 2, f, &o, &r, &e), ZSTR_EINVAL);
    zstr_rom_options_default(&o);
    o.tolerance = 0.0;
    ck_assert_int_eq(zstr_rom_create(p, 2, f, &o, &r, &e), ZSTR_EINVAL);
    zstr_rom_options_default(&o);
    o.moments = 0;
    ck_assert_int_eq(zstr_rom_create(p, 2, f, &o, &r, &e), ZSTR_EINVAL);
    double bad[2] = {1.0, NAN};
    ck_assert_int_eq(zstr_rom_create(p, 2, bad, NULL, &r, &e), ZSTR_EINVAL);
    ZS_CK_OK(zstr_rom_create(p, 2, f, NULL, &r, &e), &e);
    double z[4];
    ck_assert_int_eq(zstr_rom_evaluate(r, 2, bad, z, NULL, &e), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_rom_evaluate(NULL, 2, f, z, NULL, &e), ZSTR_EINVAL);
    zstr_rom_info in;
    memset(&in, 0, sizeof in);
    ck_assert_int_eq(zstr_rom_get_info(r, &in), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_rom_poles(NULL, NULL, NULL), ZSTR_EINVAL);
    zstr_rom_free(r);
    zstr_rom_free(NULL);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_sweep_methods)
{
    /* zstr_sweep: direct, MOR and auto report what ran; MOR equals the
     * reduced model; a tolerance no model can reach sends the frequencies to
     * the direct solve, bit for bit equal to a direct sweep */
    zstr_model *m = paper_model(8, ZSTR_PIXEL_PORE, 0.22);
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    double *f = NULL;
    int64_t nf = band(&f);
    f[0] = 0.0; /* DC in the list */
    size_t bytes = sizeof(double) * 2 * (size_t)nf;
    double *zd = malloc(bytes), *zm = malloc(bytes), *zr = malloc(bytes), *zx = malloc(bytes);
    ck_assert(zd != NULL && zm != NULL && zr != NULL && zx != NULL);
    zstr_sweep_report rep;
    zstr_sweep_options so;
    zstr_sweep_options_default(&so);
    ck_assert_int_eq(so.method, ZSTR_METHOD_AUTO);
    ck_assert(so.tolerance == 1e-6);
    so.report = &rep;
    so.method = ZSTR_METHOD_DIRECT;
    zstr_sweep_report_init(&rep);
    ZS_CK_OK(zstr_sweep(p, nf, f, zd, &so, &e), &e);
    ck_assert_int_eq(rep.method, ZSTR_METHOD_DIRECT);
    ck_assert_int_eq(rep.factorizations, nf - 1);
    so.method = ZSTR_METHOD_MOR;
    zstr_sweep_report_init(&rep);
    ZS_CK_OK(zstr_sweep(p, nf, f, zm, &so, &e), &e);
    ck_assert_int_eq(rep.method, ZSTR_METHOD_MOR);
    ck_assert(rep.factorizations >= 2 && rep.factorizations < 20 && rep.solves > 0);
    ck_assert_int_eq(rep.direct, 0);
    ck_assert(rep.max_estimate <= 1e-6);
    zstr_rom *r = rom_of(p, nf, f, 1e-6);
    ZS_CK_OK(zstr_rom_evaluate(r, nf, f, zr, NULL, &e), &e);
    zstr_rom_free(r);
    ck_assert(zm[0] == zd[0] && zm[1] == 0.0); /* f = 0: the same DC solve */
    for (int64_t k = 1; k < nf; k++) {
        ck_assert(zm[2 * k] == zr[2 * k] && zm[2 * k + 1] == zr[2 * k + 1]);
        ck_assert(hypot(zm[2 * k] - zd[2 * k], zm[2 * k + 1] - zd[2 * k + 1]) <
                  1e-6 * hypot(zd[2 * k], zd[2 * k + 1]));
    }
    /* auto: the 8³ model's few thousand unknowns go direct; 14³ with many
     * frequencies goes MOR, with a handful of frequencies direct */
    so.method = ZSTR_METHOD_AUTO;
    zstr_sweep_report_init(&rep);
    ZS_CK_OK(zstr_sweep(p, nf, f, zx, &so, &e), &e);
    ck_assert_int_eq(rep.method, ZSTR_METHOD_DIRECT);
    {
        zstr_model *big = paper_model(14, ZSTR_PIXEL_PORE, 0.22);
        zstr_plan *q = NULL;
        ZS_CK_OK(zstr_plan_create(big, NULL, &q, &e), &e);
        double *zb = malloc(bytes);
        ck_assert_ptr_nonnull(zb);
        zstr_sweep_report_init(&rep);
        ZS_CK_OK(zstr_sweep(q, nf, f, zb, &so, &e), &e);
        ck_assert_int_eq(rep.method, ZSTR_METHOD_MOR);
        zstr_sweep_report_init(&rep);
        ZS_CK_OK(zstr_sweep(q, 5, f + 1, zb, &so, &e), &e);
        ck_assert_int_eq(rep.method, ZSTR_METHOD_DIRECT);
        free(zb);
        zstr_plan_free(q);
        zstr_model_free(big);
    }
    /* unreachable tolerance: the estimate misses it, those frequencies are
     * solved directly and equal the direct sweep exactly */
    so.method = ZSTR_METHOD_MOR;
    so.tolerance = 1e-300;
    zstr_sweep_report_init(&rep);
    ZS_CK_OK(zstr_sweep(p, nf, f, zx, &so, &e), &e);
    ck_assert_int_gt(rep.direct, 0);
    int64_t same = 0;
    for (int64_t k = 1; k < nf; k++)
        same += zx[2 * k] == zd[2 * k] && zx[2 * k + 1] == zd[2 * k + 1];
    ck_assert_int_ge(same, rep.direct);
    so.tolerance = 0.0;
    ck_assert_int_eq(zstr_sweep(p, nf, f, zx, &so, &e), ZSTR_EINVAL);
    so.tolerance = 1e-6;
    so.method = 7;
    ck_assert_int_eq(zstr_sweep(p, nf, f, zx, &so, &e), ZSTR_EINVAL);
    free(f);
    free(zd);
    free(zm);
    free(zr);
    free(zx);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

/* ---- the iterative backend ------------------------------------------------- */

static zstr_plan *plan_with(const zstr_model *m, int backend, const char *options)
{
    zstr_options o;
    zstr_options_default(&o);
    o.backend = backend;
    o.backend_options = options;
    zstr_plan *p = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, &o, &p, &e), &e);
    return p;
}

/* The iterative reduced model against CHOLMOD's over the band: within 1e-6
 * of |Z| at every frequency (both are held to the tolerance 1e-6 of the true
 * spectrum, but through different shifts, so 1e-6 bounds their difference
 * only with the margin the estimates leave: measured up to 1.1e-7), the same
 * structure (DC path or capacitor), and Z_r(0) = R_DC. */
static void iterative_against_cholmod(const zstr_model *m, const char *what,
                                      const char *options)
{
    if (zs_backend_iterative() == NULL)
        return;
    zstr_plan *pd = plan_with(m, ZSTR_BACKEND_DIRECT, NULL);
    zstr_plan *pi = plan_with(m, ZSTR_BACKEND_ITERATIVE, options);
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    ZS_CK_OK(zstr_plan_get_info(pi, &in), NULL);
    ck_assert_int_eq(in.backend, ZSTR_BACKEND_ITERATIVE);
    double *f = NULL;
    int64_t nf = band(&f);
    size_t bytes = sizeof(double) * 2 * (size_t)(nf + 1);
    double *zd = malloc(bytes), *zi = malloc(bytes);
    ck_assert(zd != NULL && zi != NULL);
    zstr_rom *rd = rom_of(pd, nf, f, 1e-6), *ri = rom_of(pi, nf, f, 1e-6);
    zstr_rom_info id = info_of(rd), ii = info_of(ri);
    ck_assert_int_eq(id.backend, ZSTR_BACKEND_DIRECT);
    ck_assert_int_eq(ii.backend, ZSTR_BACKEND_ITERATIVE);
    ck_assert_int_eq(id.iterations, 0);
    ck_assert_msg(ii.iterations >= ii.solves && ii.solves > 0, "%s: %lld iterations, %lld solves",
                  what, (long long)ii.iterations, (long long)ii.solves);
    ck_assert_msg(ii.converged, "%s: iterative model not converged (%g)", what, ii.max_estimate);
    ck_assert_int_eq(ii.dc_exact, id.dc_exact);
    zstr_error e;
    ZS_CK_OK(zstr_rom_evaluate(rd, nf, f, zd, NULL, &e), &e);
    ZS_CK_OK(zstr_rom_evaluate(ri, nf, f, zi, NULL, &e), &e);
    double worst = 0.0;
    for (int64_t k = 0; k < nf; k++) {
        double d = hypot(zi[2 * k] - zd[2 * k], zi[2 * k + 1] - zd[2 * k + 1]) /
                   hypot(zd[2 * k], zd[2 * k + 1]);
        worst = fmax(worst, d);
        ck_assert_msg(zi[2 * k] >= 0.0, "%s: Re Z < 0 at %g Hz", what, f[k]);
    }
    ck_assert_msg(worst <= 1e-6, "%s: iterative differs from CHOLMOD by %g", what, worst);
    /* R_DC of the iterative plan (CG + AMG, no Cholesky factor) against
     * CHOLMOD's: both refined to ZS_Z_RELTOL = 1e-10 */
    zstr_dc_result dcd, dci;
    zstr_dc_result_init(&dcd);
    zstr_dc_result_init(&dci);
    int rcd = zstr_dc_resistance(pd, &dcd, NULL), rci = zstr_dc_resistance(pi, &dci, NULL);
    ck_assert_int_eq(rcd, rci);
    if (rcd == ZSTR_OK) {
        ck_assert_msg(zs_test_rel(dci.resistance, dcd.resistance) < 2e-10,
                      "%s: R_DC %.15g by CG, %.15g by CHOLMOD", what, dci.resistance,
                      dcd.resistance);
        ck_assert(dci.factor_nnz == 0.0 && dcd.factor_nnz > 0.0);
        ck_assert_int_eq(dci.n_solved, dcd.n_solved);
    }
    /* ω → 0: R_DC, or the same capacitor without a DC path */
    double f0 = 0.0;
    ZS_CK_OK(zstr_rom_evaluate(rd, 1, &f0, zd, NULL, &e), &e);
    ZS_CK_OK(zstr_rom_evaluate(ri, 1, &f0, zi, NULL, &e), &e);
    if (id.dc_exact) {
        zstr_dc_result dc;
        zstr_dc_result_init(&dc);
        ZS_CK_OK(zstr_dc_resistance(pi, &dc, &e), &e);
        ck_assert_msg(zs_test_rel(zi[0], dc.resistance) < 1e-9, "%s: Z_r(0) %.12g, R_DC %.12g",
                      what, zi[0], dc.resistance);
    } else {
        /* no DC shift; an open circuit has a capacitor term (a floating
         * island's is rounding, ~1e25 F, and not compared) */
        zstr_dc_result dc;
        zstr_dc_result_init(&dc);
        if (zstr_dc_resistance(pi, &dc, &e) == ZSTR_WOPEN_CIRCUIT) {
            ck_assert(isinf(zi[0]) && isinf(zd[0]));
            ck_assert_msg(zs_test_rel(ii.capacitance, id.capacitance) < 1e-6,
                          "%s: capacitance %g vs %g", what, ii.capacitance, id.capacitance);
        }
    }
    if (getenv("ZSTR_TEST_VERBOSE") != NULL)
        fprintf(stderr, "%s: iterative vs CHOLMOD %.3g; %lld set-ups, %lld solves, %lld "
                        "iterations (CHOLMOD: %lld factorizations)\n",
                what, worst, (long long)ii.factorizations, (long long)ii.solves,
                (long long)ii.iterations, (long long)id.factorizations);
    free(f);
    free(zd);
    free(zi);
    zstr_rom_free(rd);
    zstr_rom_free(ri);
    zstr_plan_free(pd);
    zstr_plan_free(pi);
}

/* a stack of three layers along z (test_layer_poles_exact's) */
static zstr_model *layered(void)
{
    const int64_t n = 6;
    zstr_model *m = grid(n, 1e-6);
    const int id[3] = {phase(m, "a", 1e-2, 30.0), phase(m, "b", 3e-5, 150.0),
                       phase(m, "c", 0.5, 10.0)};
    int32_t lab[216];
    for (int64_t z = 0; z < n; z++)
        for (int64_t i = 0; i < n * n; i++)
            lab[z * n * n + i] = id[z < 2 ? 0 : z < 5 ? 1 : 2];
    zstr_error e;
    ZS_CK_OK(zstr_model_set_labels(m, lab, &e), &e);
    return m;
}

START_TEST(test_iterative_models)
{
    /* the same sizes in quick (valgrind) mode: on the 6³ constriction model
     * GAMG's path stops after three shifts with an estimate of 3.2e-7 and an
     * error of 1.8e-6 (within the estimate's 10× of lib/mor.c, not within
     * 1e-6 of CHOLMOD's 1e-12), so shrinking would test the estimator's
     * honesty margin rather than the backend */
    zstr_model *m = grid(5, 2e-6);
    phase(m, "bulk", 0.046, 150.0);
    iterative_against_cholmod(m, "homogeneous", NULL);
    zstr_model_free(m);
    m = layered();
    iterative_against_cholmod(m, "layered", NULL);
    zstr_model_free(m);
    m = paper_model(10, ZSTR_PIXEL_PORE, 0.22);
    iterative_against_cholmod(m, "Voronoi + GB + pores", NULL);
    zstr_model_free(m);
    m = paper_model(8, ZSTR_PIXEL_SEI, 0.3);
    iterative_against_cholmod(m, "Voronoi + GB + SEI", NULL);
    zstr_model_free(m);
    /* constriction: a 9 % contact spot, free surface elsewhere (no pores):
     * the current narrows into the spot */
    m = paper_model(12, ZSTR_PIXEL_NONE, 0.09);
    iterative_against_cholmod(m, "constriction", NULL);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_iterative_floating_and_open)
{
    /* no DC path (every WE pixel a pore) and a floating island: G is
     * singular, so neither backend shifts at 0, and the models agree */
    zstr_model *m = paper_model(6, ZSTR_PIXEL_PORE, 0.0);
    iterative_against_cholmod(m, "open circuit", NULL);
    /* GAMG as the distributed backend runs it (no squared graph) */
    iterative_against_cholmod(m, "open circuit, GAMG without the squared graph",
                              "-pc_gamg_square_graph 0");
    zstr_model_free(m);
    const int64_t n = 5;
    m = grid(n, 2e-6);
    int b = phase(m, "bulk", 0.046, 150.0), ins = phase(m, "ins", 0.0, 5.0);
    int32_t lab[125];
    for (int64_t z = 0; z < n; z++)
        for (int64_t y = 0; y < n; y++)
            for (int64_t x = 0; x < n; x++) {
                int64_t d = llabs(x - 2) > llabs(y - 2) ? llabs(x - 2) : llabs(y - 2);
                d = llabs(z - 2) > d ? llabs(z - 2) : d;
                lab[x + n * (y + n * z)] = d == 1 ? ins : b;
            }
    zstr_error e;
    ZS_CK_OK(zstr_model_set_labels(m, lab, &e), &e);
    iterative_against_cholmod(m, "floating island", NULL);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_iterative_sweep_and_plan)
{
    /* zstr_sweep on an iterative plan: auto runs MOR (also on a grid where
     * auto would go direct with CHOLMOD) and reports the iterations; a
     * direct sweep is refused, a DC-only one is not (no LU: CHOLMOD's DC
     * solve); options the plan cannot use are refused when it is made */
    if (zs_backend_iterative() == NULL)
        return;
    zstr_model *m = paper_model(6, ZSTR_PIXEL_PORE, 0.22);
    zstr_plan *p = plan_with(m, ZSTR_BACKEND_ITERATIVE, NULL);
    double *f = NULL;
    int64_t nf = band(&f);
    double *z = malloc(sizeof(double) * 2 * (size_t)nf);
    ck_assert_ptr_nonnull(z);
    zstr_sweep_report rep;
    zstr_sweep_options so;
    zstr_sweep_options_default(&so);
    so.report = &rep;
    zstr_sweep_report_init(&rep);
    zstr_error e;
    ck_assert_int_eq(zstr_sweep_method(p, nf, f, ZSTR_METHOD_AUTO), ZSTR_METHOD_MOR);
    ZS_CK_OK(zstr_sweep(p, nf, f, z, &so, &e), &e);
    ck_assert_int_eq(rep.method, ZSTR_METHOD_MOR);
    ck_assert_int_eq(rep.backend, ZSTR_BACKEND_ITERATIVE);
    ck_assert(rep.iterations >= rep.solves && rep.solves > 0);
    so.method = ZSTR_METHOD_DIRECT;
    ck_assert_int_eq(zstr_sweep_method(p, nf, f, ZSTR_METHOD_DIRECT), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_sweep(p, nf, f, z, &so, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "iterative"));
    double f0 = 0.0;
    ZS_CK_OK(zstr_sweep(p, 1, &f0, z, &so, &e), &e);
    ck_assert(z[0] > 0.0 && isfinite(z[0]));
    zstr_plan_free(p);
    /* the same model planned with CHOLMOD: a direct sweep reports no backend */
    p = plan_with(m, ZSTR_BACKEND_DIRECT, NULL);
    zstr_sweep_report_init(&rep);
    ZS_CK_OK(zstr_sweep(p, nf, f, z, &so, &e), &e);
    ck_assert_int_eq(rep.backend, ZSTR_BACKEND_AUTO);
    ck_assert_int_eq(rep.iterations, 0);
    zstr_plan_free(p);
    zstr_options o;
    zstr_options_default(&o);
    o.backend = ZSTR_BACKEND_ITERATIVE;
    o.backend_options = "-ksp_type frob";
    ck_assert_int_eq(zstr_plan_create(m, &o, &p, &e), ZSTR_EINVAL);
    ck_assert_ptr_null(p);
    ck_assert_ptr_nonnull(strstr(e.message, "frob"));
    /* BoomerAMG through the plan's options: the same spectrum (on 8³) */
    zstr_model_free(m);
    m = paper_model(8, ZSTR_PIXEL_PORE, 0.22);
    p = plan_with(m, ZSTR_BACKEND_ITERATIVE, "-pc_type hypre");
    zstr_plan *q = plan_with(m, ZSTR_BACKEND_DIRECT, NULL);
    double *zq = malloc(sizeof(double) * 2 * (size_t)nf);
    ck_assert_ptr_nonnull(zq);
    so.method = ZSTR_METHOD_MOR;
    ZS_CK_OK(zstr_sweep(p, nf, f, z, &so, &e), &e);
    ZS_CK_OK(zstr_sweep(q, nf, f, zq, &so, &e), &e);
    for (int64_t k = 0; k < nf; k++)
        ck_assert(hypot(z[2 * k] - zq[2 * k], z[2 * k + 1] - zq[2 * k + 1]) <=
                  1e-6 * hypot(zq[2 * k], zq[2 * k + 1]));
    zstr_plan_free(p);
    zstr_plan_free(q);
    free(zq);
    free(z);
    free(f);
    zstr_model_free(m);
}
END_TEST

static double stat_or(const zstr_plan *p, const char *want, double missing)
{
    double value = missing;
    zstr_plan_solver_stat_named(p, want, &value);
    return value;
}

START_TEST(test_iterative_auto_memory)
{
    /* auto keeps CHOLMOD while its factor and the basis fit the limit; a
     * limit below that but above the iterative backend's need gives the
     * iterative backend (libzstr-mpi), or the refusal it gave before (the
     * serial library: nothing else fits) */
    zstr_model *m = paper_model(16, ZSTR_PIXEL_PORE, 0.22);
    zstr_plan *p = plan_with(m, ZSTR_BACKEND_AUTO, NULL);
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    ZS_CK_OK(zstr_plan_get_info(p, &in), NULL);
    ck_assert_int_eq(in.backend, ZSTR_BACKEND_DIRECT);
    /* ... and by speed (test_iterative_auto_speed): both predicted shift
     * times are figures, and CHOLMOD's is within 1.5 times the iterative one
     * on this small model, as its choice says */
    double td16 = stat_or(p, "auto.direct_shift_seconds", -1.0);
    double ti16 = stat_or(p, "auto.iterative_shift_seconds", -1.0);
    if (zs_backend_iterative() == NULL)
        ck_assert(td16 == -1.0 && ti16 == -1.0); /* nothing to choose */
    else
        ck_assert(td16 > 0.0 && ti16 > 0.0 && td16 <= 1.5 * ti16);
    double chol = in.predicted_mor_bytes, plan_bytes = in.plan_bytes, iter = 0.9 * chol;
    const double pencil = in.pencil_bytes;
    zstr_plan_free(p);
    if (zs_backend_iterative() != NULL) {
        /* the iterative plan's prediction (the same pencil, no factor, and no
         * Cholesky analysis: its own matrix instead) */
        p = plan_with(m, ZSTR_BACKEND_ITERATIVE, NULL);
        ZS_CK_OK(zstr_plan_get_info(p, &in), NULL);
        ck_assert(in.pencil_bytes == pencil && in.mor_bytes > 0.0 &&
                  in.plan_bytes == in.pencil_bytes + in.mor_bytes);
        ck_assert(!in.direct_fits && in.predicted_bytes == 0.0);
        iter = in.predicted_mor_bytes;
        ck_assert_msg(iter < chol, "iterative %g, CHOLMOD %g", iter, chol);
        zstr_plan_free(p);
    }
    zstr_options o;
    zstr_options_default(&o);
    o.memory_limit = plan_bytes + 0.5 * (iter + chol);
    zstr_error e;
    int rc = zstr_plan_create(m, &o, &p, &e);
    if (zs_backend_iterative() == NULL) {
        ck_assert_int_eq(rc, ZSTR_EMEMLIMIT);
        ck_assert_ptr_null(p);
    } else {
        ZS_CK_OK(rc, &e);
        ZS_CK_OK(zstr_plan_get_info(p, &in), NULL);
        ck_assert_int_eq(in.backend, ZSTR_BACKEND_ITERATIVE);
        ck_assert(in.predicted_mor_bytes == iter);
        ck_assert(!in.direct_fits);
        double *f = NULL;
        int64_t nf = band(&f);
        double *z = malloc(sizeof(double) * 2 * (size_t)nf);
        ck_assert_ptr_nonnull(z);
        zstr_sweep_report rep;
        zstr_sweep_report_init(&rep);
        zstr_sweep_options so;
        zstr_sweep_options_default(&so);
        so.report = &rep;
        ZS_CK_OK(zstr_sweep(p, nf, f, z, &so, &e), &e);
        ck_assert_int_eq(rep.method, ZSTR_METHOD_MOR);
        ck_assert_int_eq(rep.backend, ZSTR_BACKEND_ITERATIVE);
        ck_assert_int_eq(rep.direct, 0);
        free(z);
        free(f);
        zstr_plan_free(p);
    }
    zstr_model_free(m);
}
END_TEST

typedef struct rom_job {
    const zstr_plan *plan;
    int64_t nf;
    const double *f;
    double *z;
    int rc;
} rom_job;

static void *rom_thread(void *arg)
{
    rom_job *j = arg;
    zstr_rom *r = NULL;
    j->rc = zstr_rom_create(j->plan, j->nf, j->f, NULL, &r, NULL);
    if (j->rc == ZSTR_OK)
        j->rc = zstr_rom_evaluate(r, j->nf, j->f, j->z, NULL, NULL);
    zstr_rom_free(r);
    return NULL;
}

START_TEST(test_iterative_threads_and_restamp)
{
    /* PETSc is not thread-safe: the backend takes turns.  Two threads build
     * reduced models on one iterative plan (and a second plan) at once and
     * get exactly what one thread gets alone; a re-stamped iterative plan
     * gives exactly what a fresh plan of the new values gives */
    if (zs_backend_iterative() == NULL)
        return;
    zstr_model *m = paper_model(8, ZSTR_PIXEL_PORE, 0.22);
    zstr_plan *p = plan_with(m, ZSTR_BACKEND_ITERATIVE, NULL);
    zstr_plan *q = plan_with(m, ZSTR_BACKEND_ITERATIVE, NULL);
    double *f = NULL;
    int64_t nf = band(&f);
    size_t bytes = sizeof(double) * 2 * (size_t)nf;
    double *z0 = malloc(bytes), *z1 = malloc(bytes), *z2 = malloc(bytes), *z3 = malloc(bytes);
    ck_assert(z0 != NULL && z1 != NULL && z2 != NULL && z3 != NULL);
    rom_job alone = {p, nf, f, z0, -1};
    rom_thread(&alone);
    ZS_CK_OK(alone.rc, NULL);
    rom_job jobs[3] = {{p, nf, f, z1, -1}, {p, nf, f, z2, -1}, {q, nf, f, z3, -1}};
    pthread_t th[3];
    for (int k = 0; k < 3; k++)
        ck_assert_int_eq(pthread_create(&th[k], NULL, rom_thread, &jobs[k]), 0);
    for (int k = 0; k < 3; k++) {
        pthread_join(th[k], NULL);
        ZS_CK_OK(jobs[k].rc, NULL);
    }
    ck_assert(memcmp(z0, z1, bytes) == 0 && memcmp(z0, z2, bytes) == 0 &&
              memcmp(z0, z3, bytes) == 0);
    /* re-stamp at another temperature against a fresh plan */
    zstr_error e;
    ZS_CK_OK(zstr_model_set_temperature(m, 330.0, &e), &e);
    ZS_CK_OK(zstr_plan_restamp(p, m, &e), &e);
    zstr_plan *r = plan_with(m, ZSTR_BACKEND_ITERATIVE, NULL);
    rom_job a = {p, nf, f, z1, -1}, b = {r, nf, f, z2, -1};
    rom_thread(&a);
    rom_thread(&b);
    ZS_CK_OK(a.rc, NULL);
    ZS_CK_OK(b.rc, NULL);
    ck_assert(memcmp(z1, z2, bytes) == 0);
    ck_assert(memcmp(z1, z0, bytes) != 0); /* the temperature changed Z */
    free(z0);
    free(z1);
    free(z2);
    free(z3);
    free(f);
    zstr_plan_free(p);
    zstr_plan_free(q);
    zstr_plan_free(r);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_iterative_auto_speed)
{
    /* auto also takes the iterative backend where it is predicted faster:
     * its backend is what the two predicted shift times say (more than 1.5
     * times: iterative); asking for CHOLMOD is never overridden.  (A small
     * model that stays with CHOLMOD: test_iterative_auto_memory.) */
    if (zs_test_quick() || zs_backend_iterative() == NULL)
        return;
    /* 64³ homogeneous (262 000 unknowns): CHOLMOD's shift is predicted about
     * twice the iterative one; the LU still fits, so direct executes stay */
    zstr_model *m = zs_test_block(64, 64, 64);
    zstr_plan *p = plan_with(m, ZSTR_BACKEND_AUTO, NULL);
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    ZS_CK_OK(zstr_plan_get_info(p, &in), NULL);
    double td = stat_or(p, "auto.direct_shift_seconds", -1.0);
    double ti = stat_or(p, "auto.iterative_shift_seconds", -1.0);
    ck_assert_msg(td > 1.5 * ti, "direct %g s, iterative %g s", td, ti);
    ck_assert_int_eq(in.backend, ZSTR_BACKEND_ITERATIVE);
    ck_assert(in.direct_fits && stat_or(p, "cholmod.predicted_l_nnz", -1.0) > 0.0);
    zstr_plan_free(p);
    p = plan_with(m, ZSTR_BACKEND_DIRECT, NULL);
    ZS_CK_OK(zstr_plan_get_info(p, &in), NULL);
    ck_assert_int_eq(in.backend, ZSTR_BACKEND_DIRECT);
    zstr_plan_free(p);
    zstr_model_free(m);
    /* 104³ homogeneous under a 4 GB limit: the grid alone puts CHOLMOD's
     * shift 11 times behind and its complex LU (estimated 63 GB) out of the
     * limit, so no analysis is made at all: the iterative backend, the
     * estimate among the figures, no CHOLMOD figure, and a direct execute
     * refused with the estimate */
    m = zs_test_block(104, 104, 104);
    zstr_options o;
    zstr_options_default(&o);
    o.memory_limit = 4e9;
    zstr_error e;
    ZS_CK_OK(zstr_plan_create(m, &o, &p, &e), &e);
    ZS_CK_OK(zstr_plan_get_info(p, &in), NULL);
    ck_assert_int_eq(in.backend, ZSTR_BACKEND_ITERATIVE);
    ck_assert(!in.direct_fits);
    ck_assert(stat_or(p, "cholmod.predicted_l_nnz", -1.0) == -1.0);
    ck_assert(stat_or(p, "auto.direct_shift_seconds", -1.0) == -1.0);
    double lu = stat_or(p, "auto.estimated_lu_nnz", -1.0);
    ck_assert_msg(lu > 1e9, "estimated LU %g", lu);
    ck_assert(in.predicted_peak_bytes > o.memory_limit);
    double z[2];
    zstr_workspace *ws = NULL;
    int rc = zstr_workspace_create(p, &ws, &e);
    if (rc == ZSTR_OK)
        rc = zstr_execute(p, ws, 1e3, z, &e);
    ck_assert_int_eq(rc, ZSTR_EMEMLIMIT);
    zstr_workspace_free(ws);
    double f = 1e3;
    ck_assert_int_eq(zstr_sweep_method(p, 1, &f, ZSTR_METHOD_AUTO), ZSTR_METHOD_MOR);
    zstr_plan_free(p);
    zstr_model_free(m);
}
END_TEST

Suite *suite_mor(void)
{
    Suite *s = suite_create("mor");
    TCase *t = tcase_create("mor");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, test_layer_poles_exact);
    tcase_add_test(t, test_paper_model_against_direct);
    tcase_add_test(t, test_sei_model_against_direct);
    tcase_add_test(t, test_homogeneous_and_brick_layer);
    tcase_add_test(t, test_two_interfaces);
    tcase_add_test(t, test_open_circuit);
    tcase_add_test(t, test_floating_island);
    tcase_add_test(t, test_bad_arguments);
    tcase_add_test(t, test_sweep_methods);
    suite_add_tcase(s, t);
    TCase *it = tcase_create("iterative");
    tcase_set_timeout(it, 300);
    tcase_add_test(it, test_iterative_models);
    tcase_add_test(it, test_iterative_floating_and_open);
    tcase_add_test(it, test_iterative_sweep_and_plan);
    tcase_add_test(it, test_iterative_auto_memory);
    tcase_add_test(it, test_iterative_auto_speed);
    tcase_add_test(it, test_iterative_threads_and_restamp);
    suite_add_tcase(s, it);
    return s;
}
