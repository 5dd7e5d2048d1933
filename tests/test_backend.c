/*
 * test_backend.c — one conformance suite run against every solver backend of
 * the table (lib/zs_backend.h): CHOLMOD (real shifts) and UMFPACK (complex).
 *
 * Each backend must: analyse a port-form system once and factor it at several
 * shifts from that one analysis; solve a block of right-hand sides with a small
 * residual; give the exact impedance of a homogeneous block, Z = R/(1 + sτ), as
 * the port node's potential for 1 A; refuse what it cannot do with a status
 * (a complex shift on a real backend, a singular matrix); list its figures
 * until ZSTR_ERANGE; free NULL as a no-op.  The iterative backend (PETSc's CG +
 * AMG, when the runner is linked with libzstr-mpi) runs the same suite with
 * its solves asked for a relative residual of 1e-13 (solve_tol): the bounds
 * below hold for it as for the factorizations.  What only an iterative backend
 * does (its options, its stopping rule, its index range) is tested after.
 */
#include "zs_backend.h"
#include "zs_test.h"
#include "zs_paper.h"

#include <float.h>
#include <string.h>

/* CHOLMOD, UMFPACK and the build's iterative backend (NULL without PETSc) */
#define NBACKENDS 3
static const zs_backend *backend_at(int i)
{
    return i == 0 ? &zs_backend_cholmod : i == 1 ? &zs_backend_umfpack : zs_backend_iterative();
}

/* a homogeneous nx × ny × nz block of σ, ε_r between ideal electrodes */
static void block_system(int64_t n, double sigma, double epsr, zs_pencil *p, zs_system *s)
{
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(n, n, n, 1e-6, 1e-6, 1e-6, &m, &e), &e);
    zstr_phase_params ph = {"bulk", sigma, epsr, 0.0, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &ph, NULL, &e), &e);
    ZS_CK_OK(zs_model_validate(m, &e), &e);
    ZS_CK_OK(zs_pencil_build(m, p, &e), &e);
    ZS_CK_OK(zs_system_build(p, ZSTR_WE, s, &e), &e);
    zstr_model_free(m);
}

/* ||b − (G + sC) x|| / ||b|| for complex or real vectors */
static double residual(const zs_system *s, double sr, double si, const double *x,
                       const double *b, int cplx)
{
    const int64_t n = s->n;
    double num = 0.0, den = 0.0;
    double *gr = malloc(sizeof *gr * (size_t)n), *cr = malloc(sizeof *cr * (size_t)n);
    double *gi = malloc(sizeof *gi * (size_t)n), *ci = malloc(sizeof *ci * (size_t)n);
    double *xr = malloc(sizeof *xr * (size_t)n), *xi = malloc(sizeof *xi * (size_t)n);
    ck_assert(gr && cr && gi && ci && xr && xi);
    for (int64_t i = 0; i < n; i++) {
        xr[i] = cplx ? x[2 * i] : x[i];
        xi[i] = cplx ? x[2 * i + 1] : 0.0;
    }
    zs_system_matvec(s, 1.0, 0.0, xr, gr);
    zs_system_matvec(s, 0.0, 1.0, xr, cr);
    zs_system_matvec(s, 1.0, 0.0, xi, gi);
    zs_system_matvec(s, 0.0, 1.0, xi, ci);
    for (int64_t i = 0; i < n; i++) {
        /* (G + sC)(xr + j xi) */
        double re = gr[i] + sr * cr[i] - si * ci[i];
        double im = gi[i] + sr * ci[i] + si * cr[i];
        double br = cplx ? b[2 * i] : b[i], bi = cplx ? b[2 * i + 1] : 0.0;
        num += (br - re) * (br - re) + (bi - im) * (bi - im);
        den += br * br + bi * bi;
    }
    free(gr);
    free(cr);
    free(gi);
    free(ci);
    free(xr);
    free(xi);
    return sqrt(num / den);
}

START_TEST(test_conformance)
{
    const zs_backend *be = backend_at(_i);
    if (be == NULL)
        return; /* the serial build: test_iterative_absent */
    const int64_t n = 5;
    const double sigma = 0.046, epsr = 150.0, L = 5e-6, A = 25e-12;
    const double R = L / (sigma * A), tau = ZSTR_EPSILON0 * epsr / sigma;
    zs_pencil p;
    zs_system s;
    block_system(n, sigma, epsr, &p, &s);
    ck_assert(s.g_definite);
    s.solve_tol = 1e-13; /* an iterative backend's target; direct ones ignore it */
    zstr_error e;
    void *sym = NULL;
    ZS_CK_OK(be->analyse(&s, ZSTR_ORDERING_METIS, &sym, &e), &e);
    const int cplx = be->is_complex;
    const int nrhs = 3;
    const size_t len = (size_t)s.n * (size_t)nrhs * (cplx ? 2 : 1);
    double *b = calloc(len, sizeof *b), *x = calloc(len, sizeof *x);
    ck_assert(b != NULL && x != NULL);
    /* column 0: 1 A into the port; columns 1, 2: arbitrary loads */
    for (int64_t i = 0; i < s.n; i++)
        for (int r = 1; r < nrhs; r++)
            b[(cplx ? 2 : 1) * ((size_t)r * (size_t)s.n + (size_t)i)] = sin(1.0 + (double)(i * r));
    b[(cplx ? 2 : 1) * (size_t)s.port] = 1.0;
    /* real shifts (both backends) and, for a complex one, s = jω */
    const double shifts[][2] = {{0.0, 0.0}, {1e3, 0.0}, {1e9, 0.0}, {0.0, 2 * M_PI * 1e5},
                                {0.0, 2 * M_PI * 1e9}};
    for (int k = 0; k < 5; k++) {
        double sr = shifts[k][0], si = shifts[k][1];
        if (!cplx && si != 0.0)
            continue;
        void *num = NULL;
        ZS_CK_OK(be->factor(&s, sym, sr, si, &num, &e), &e);
        ZS_CK_OK(be->solve(&s, sym, num, nrhs, b, x, &e), &e);
        for (int r = 0; r < nrhs; r++) {
            size_t off = (size_t)r * (size_t)s.n * (cplx ? 2 : 1);
            double res = residual(&s, sr, si, x + off, b + off, cplx);
            ck_assert_msg(res < 1e-12, "%s shift %g%+gj rhs %d: residual %g", be->name, sr, si,
                          r, res);
        }
        /* Z(s) = R / (1 + sτ) at the port */
        double complex want = R / (1.0 + (sr + I * si) * tau);
        double zp[2] = {cplx ? x[2 * s.port] : x[s.port], cplx ? x[2 * s.port + 1] : 0.0};
        ck_assert_msg(zs_test_crel(zp, want) < 1e-12, "%s: Z(%g%+gj) = %g%+gj, want %g%+gj",
                      be->name, sr, si, zp[0], zp[1], creal(want), cimag(want));
        const char *name;
        double value;
        int nstat = 0;
        while (be->stat(sym, num, nstat, &name, &value) == ZSTR_OK) {
            ck_assert(name != NULL && strchr(name, '.') != NULL && isfinite(value));
            nstat++;
        }
        ck_assert_int_ge(nstat, 1);
        ck_assert_int_eq(be->stat(sym, num, nstat, &name, &value), ZSTR_ERANGE);
        be->free_numeric(num);
    }
    /* what a real backend cannot do */
    if (!cplx) {
        void *num = &e;
        ck_assert_int_eq(be->factor(&s, sym, 0.0, 1.0, &num, &e), ZSTR_EINVAL);
        ck_assert_ptr_null(num);
        ck_assert_int_eq(be->factor(&s, sym, -1.0, 0.0, &num, &e), ZSTR_EINVAL);
    }
    be->free_numeric(NULL);
    be->free_symbolic(NULL);
    be->free_symbolic(sym);
    free(b);
    free(x);
    zs_system_free(&s);
    zs_pencil_free(&p);
}
END_TEST

START_TEST(test_singular_refused)
{
    /* an insulating layer (σ = 0) cuts every DC path: G is singular, and a
     * factorization of G alone (shift 0) must be refused with a status, not
     * return garbage; a positive shift is fine (the layer is a capacitor) */
    const zs_backend *be = backend_at(_i);
    if (be == NULL)
        return;
    zstr_model *m = NULL;
    zstr_error e;
    const int64_t n = 4;
    ZS_CK_OK(zstr_model_create(n, n, n, 1e-6, 1e-6, 1e-6, &m, &e), &e);
    zstr_phase_params a = {"bulk", 0.046, 150.0, 0.0, 298.15}, ins = {"ins", 0.0, 5.0, 0.0, 298.15};
    int ia = 0, ii = 0;
    ZS_CK_OK(zstr_model_add_phase(m, &a, &ia, &e), &e);
    ZS_CK_OK(zstr_model_add_phase(m, &ins, &ii, &e), &e);
    int32_t lab[64];
    for (int k = 0; k < 64; k++)
        lab[k] = k / 16 == 2 ? ii : ia;
    ZS_CK_OK(zstr_model_set_labels(m, lab, &e), &e);
    zs_pencil p;
    zs_system s;
    ZS_CK_OK(zs_model_validate(m, &e), &e);
    ZS_CK_OK(zs_pencil_build(m, &p, &e), &e);
    ZS_CK_OK(zs_system_build(&p, ZS_PORT_AUTO, &s, &e), &e);
    ck_assert(!s.g_definite);
    void *sym = NULL, *num = NULL;
    ZS_CK_OK(be->analyse(&s, ZSTR_ORDERING_AMD, &sym, &e), &e);
    int rc = be->factor(&s, sym, 0.0, 0.0, &num, &e);
    ck_assert_msg(rc == ZSTR_ESINGULAR, "%s: status %d (%s)", be->name, rc, e.message);
    ck_assert_ptr_null(num);
    ZS_CK_OK(be->factor(&s, sym, 1e3, 0.0, &num, &e), &e);
    be->free_numeric(num);
    be->free_symbolic(sym);
    zs_system_free(&s);
    zs_pencil_free(&p);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_port_form)
{
    /* the port form is the nodal matrix with the WE kept: symmetric, every
     * column of G and of C sums to zero except where the CE is grounded, and a
     * WE without any branch is refused */
    zs_pencil p;
    zs_system s;
    block_system(3, 0.046, 150.0, &p, &s);
    ck_assert_int_eq(s.n, p.n + 1);
    ck_assert_int_eq(s.port, p.n);
    /* column sums: a node not on the CE has zero row sum (Kirchhoff) */
    double *one = malloc(sizeof *one * (size_t)s.n), *y = malloc(sizeof *y * (size_t)s.n);
    ck_assert(one != NULL && y != NULL);
    for (int64_t i = 0; i < s.n; i++)
        one[i] = 1.0;
    zs_system_matvec(&s, 1.0, 0.0, one, y);
    for (int64_t i = 0; i < s.n; i++) {
        int on_ce = i < p.nvox && i < 9; /* z = 0 layer of 3 × 3 voxels */
        if (!on_ce)
            ck_assert_msg(fabs(y[i]) <= 1e-12 * s.Gx[s.Ap[s.port + 1] - 1], "row %lld sums %g",
                          (long long)i, y[i]);
        else
            ck_assert(y[i] > 0.0);
    }
    free(one);
    free(y);
    zs_system_free(&s);
    zs_pencil_free(&p);

    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(2, 2, 2, 1e-6, 1e-6, 1e-6, &m, &e), &e);
    zstr_phase_params ph = {"bulk", 0.046, 150.0, 0.0, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &ph, NULL, &e), &e);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    uint8_t px[4] = {ZSTR_PIXEL_NONE, ZSTR_PIXEL_NONE, ZSTR_PIXEL_NONE, ZSTR_PIXEL_NONE};
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, px, &e), &e);
    /* assembly already refuses such a network; the port form would too */
    ck_assert_int_eq(zs_pencil_build(m, &p, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "no branch"));
    zstr_model_free(m);
}
END_TEST

/* Z of a port-form system at angular frequency w: x_port for 1 A (UMFPACK). */
static double complex port_z(const zs_system *s, double w)
{
    const zs_backend *be = &zs_backend_umfpack;
    void *sym = NULL, *num = NULL;
    zstr_error e;
    double *b = calloc(2 * (size_t)s->n, sizeof *b), *x = malloc(sizeof *x * 2 * (size_t)s->n);
    ck_assert(b != NULL && x != NULL);
    b[2 * s->port] = 1.0;
    ZS_CK_OK(be->analyse(s, ZSTR_ORDERING_AMD, &sym, &e), &e);
    ZS_CK_OK(be->factor(s, sym, 0.0, w, &num, &e), &e);
    ZS_CK_OK(be->solve(s, sym, num, 1, b, x, &e), &e);
    double complex z = x[2 * s->port] + I * x[2 * s->port + 1];
    be->free_numeric(num);
    be->free_symbolic(sym);
    free(b);
    free(x);
    return z;
}

START_TEST(test_port_electrode)
{
    /* a WE with a large double-layer capacitance on every pixel against an
     * ideal CE: the automatic port form keeps the CE (its row holds only the
     * half voxels' small admittances), and Z is the same two-terminal
     * impedance with either electrode kept (reciprocity), at every frequency */
    const int64_t n = 4;
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(n, n, n, 1e-6, 1e-6, 1e-6, &m, &e), &e);
    zstr_phase_params ph = {"bulk", 0.046, 150.0, 0.0, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &ph, NULL, &e), &e);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4;
    ip.contact_capacitance = 1.77e4;
    uint8_t px[16];
    for (int k = 0; k < 16; k++)
        px[k] = ZSTR_PIXEL_CONTACT;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, px, &e), &e);
    ZS_CK_OK(zs_model_validate(m, &e), &e);
    zs_pencil p;
    ZS_CK_OK(zs_pencil_build(m, &p, &e), &e);
    zs_system sa, sw, sc;
    ZS_CK_OK(zs_system_build(&p, ZS_PORT_AUTO, &sa, &e), &e);
    ZS_CK_OK(zs_system_build(&p, ZSTR_WE, &sw, &e), &e);
    ZS_CK_OK(zs_system_build(&p, ZSTR_CE, &sc, &e), &e);
    ck_assert_int_eq(sa.port_electrode, ZSTR_CE);
    ck_assert_int_eq(sw.port_electrode, ZSTR_WE);
    ck_assert_int_eq(sc.port_electrode, ZSTR_CE);
    ck_assert_int_eq(sa.nnz, sc.nnz);
    /* the CE row holds the 16 bottom half voxels: 16 off-diagonals + diagonal */
    ck_assert_int_eq(sc.Ap[sc.port + 1] - sc.Ap[sc.port], 17);
    /* the truth: the eliminated form's direct solve (tests/test_direct.c
     * holds it to 1e-9 of a long-double reference).  The CE kept agrees to
     * 1e-10; the WE kept carries its row's rounding, which grows with f */
    zstr_plan *plan = NULL;
    zstr_workspace *ws = NULL;
    ZS_CK_OK(zstr_plan_create(m, NULL, &plan, &e), &e);
    ZS_CK_OK(zstr_workspace_create(plan, &ws, &e), &e);
    double worst_w = 0.0, worst_c = 0.0;
    for (double f = 1e-3; f <= 1e9; f *= 10.0) {
        double zr[2];
        ZS_CK_OK(zstr_execute(plan, ws, f, zr, &e), &e);
        double complex ref = zr[0] + I * zr[1];
        double complex zw = port_z(&sw, 2.0 * M_PI * f), zc = port_z(&sc, 2.0 * M_PI * f);
        double dw = cabs(zw - ref) / cabs(ref), dc = cabs(zc - ref) / cabs(ref);
        ck_assert_msg(dc <= 1e-10, "f = %g: CE kept %g%+gj, direct %g%+gj (%g)", f, creal(zc),
                      cimag(zc), zr[0], zr[1], dc);
        worst_w = fmax(worst_w, dw);
        worst_c = fmax(worst_c, dc);
    }
    ck_assert_msg(worst_c <= worst_w, "CE kept %g, WE kept %g", worst_c, worst_w);
    if (getenv("ZSTR_TEST_VERBOSE") != NULL)
        fprintf(stderr, "port electrode: WE kept %.3g, CE kept %.3g from the direct solve\n",
                worst_w, worst_c);
    zstr_workspace_free(ws);
    zstr_plan_free(plan);
    zs_system_free(&sa);
    zs_system_free(&sw);
    zs_system_free(&sc);
    zs_pencil_free(&p);
    zstr_model_free(m);
}
END_TEST

/* A polycrystal with GB chains (the paper's test model, tests/zs_paper.h,
 * with an SEI patch on the CE) and on the WE pores, free surface and contact
 * mixed: every kind of element the port form holds. */
static void rich_pencil(zs_pencil *p)
{
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zs_paper_model(6, 6, ZSTR_PIXEL_SEI, 0.4, 1, &m, &e), &e);
    zstr_interface_params ip;
    ZS_CK_OK(zstr_model_get_interface(m, ZSTR_WE, &ip), NULL);
    uint8_t px[36];
    for (int k = 0; k < 36; k++)
        px[k] = k % 5 == 0 ? ZSTR_PIXEL_PORE : k % 7 == 3 ? ZSTR_PIXEL_NONE : ZSTR_PIXEL_CONTACT;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, px, &e), &e);
    ZS_CK_OK(zs_model_validate(m, &e), &e);
    ZS_CK_OK(zs_pencil_build(m, p, &e), &e);
    ck_assert(p->ninternal > 0);
    const uint8_t *ce = zstr_model_interface_pixels(m, ZSTR_CE);
    int sei = 0;
    for (int k = 0; k < 36 && ce != NULL; k++)
        sei += ce[k] == ZSTR_PIXEL_SEI;
    ck_assert(sei > 0);
    zstr_model_free(m);
}

START_TEST(test_compact_port_form)
{
    /* the compact port form (the pencil read in place, the port's row held)
     * is the full one: the same sizes and flags, the same compressed columns
     * bit for bit (zs_system_csr), the full form's own arrays among them, and
     * mat-vecs equal up to the order of the sums, for either electrode kept.
     * The full form takes its port row from the compact one; the row itself
     * is checked above (Kirchhoff's sums, Z against the direct solve) */
    zs_pencil p;
    rich_pencil(&p);
    zstr_error e;
    const int which[3] = {ZS_PORT_AUTO, ZSTR_WE, ZSTR_CE};
    for (int w = 0; w < 3; w++) {
        zs_system f, c;
        ZS_CK_OK(zs_system_build(&p, which[w], &f, &e), &e);
        ZS_CK_OK(zs_system_build_compact(&p, which[w], &c, &e), &e);
        ck_assert(c.Ap == NULL && c.Ai == NULL && c.Gx == NULL && c.Cx == NULL);
        ck_assert_int_eq(c.n, f.n);
        ck_assert_int_eq(c.nnz, f.nnz);
        ck_assert_int_eq(c.port, f.port);
        ck_assert_int_eq(c.port_electrode, f.port_electrode);
        ck_assert_int_eq(c.g_definite, f.g_definite);
        const size_t n1 = (size_t)f.n + 1, nz = (size_t)f.nnz;
        int64_t *pf = malloc(n1 * sizeof *pf), *pc = malloc(n1 * sizeof *pc);
        int32_t *jf = malloc(nz * sizeof *jf), *jc = malloc(nz * sizeof *jc);
        double *vf = malloc(nz * sizeof *vf), *vc = malloc(nz * sizeof *vc);
        ck_assert(pf && pc && jf && jc && vf && vc);
        const double shifts[3] = {0.0, 2.0 * M_PI * 1e3, 2.0 * M_PI * 1e7};
        for (int k = 0; k < 3; k++) {
            ZS_CK_OK(zs_system_csr(&f, 1.0, shifts[k], pf, jf, vf, &e), &e);
            ZS_CK_OK(zs_system_csr(&c, 1.0, shifts[k], pc, jc, vc, &e), &e);
            ck_assert(memcmp(pf, pc, n1 * sizeof *pf) == 0);
            ck_assert(memcmp(jf, jc, nz * sizeof *jf) == 0);
            ck_assert(memcmp(vf, vc, nz * sizeof *vf) == 0);
            for (size_t j = 0; j < n1; j++)
                ck_assert_int_eq(pf[j], f.Ap[j]);
            for (size_t q = 0; q < nz; q++) {
                ck_assert_int_eq(jf[q], f.Ai[q]);
                ck_assert(vf[q] == f.Gx[q] + shifts[k] * f.Cx[q]);
            }
        }
        /* one array at a time gives the same as all three */
        ZS_CK_OK(zs_system_csr(&c, 0.5, 3.0, NULL, NULL, vc, &e), &e);
        ZS_CK_OK(zs_system_csr(&f, 0.5, 3.0, NULL, NULL, vf, &e), &e);
        ck_assert(memcmp(vf, vc, nz * sizeof *vf) == 0);
        ZS_CK_OK(zs_system_csr(&c, 0.0, 0.0, NULL, jc, NULL, &e), &e);
        ck_assert(memcmp(jf, jc, nz * sizeof *jf) == 0);
        /* mat-vecs: each entry within a few roundings of Σ|a_ij||x_j| */
        double *x = malloc(n1 * sizeof *x), *yf = malloc(n1 * sizeof *yf);
        double *yc = malloc(n1 * sizeof *yc), *bound = malloc(n1 * sizeof *bound);
        ck_assert(x && yf && yc && bound);
        for (int64_t i = 0; i < f.n; i++)
            x[i] = sin(0.7 + 1.3 * (double)i);
        const double ab[3][2] = {{1.0, 0.0}, {0.0, 1.0}, {1.0, 2.0 * M_PI * 1e5}};
        for (int k = 0; k < 3; k++) {
            zs_system_matvec(&f, ab[k][0], ab[k][1], x, yf);
            zs_system_matvec(&c, ab[k][0], ab[k][1], x, yc);
            for (int64_t i = 0; i < f.n; i++)
                bound[i] = 0.0;
            for (int64_t j = 0; j < f.n; j++)
                for (int64_t q = f.Ap[j]; q < f.Ap[j + 1]; q++)
                    bound[f.Ai[q]] += fabs(ab[k][0] * f.Gx[q] + ab[k][1] * f.Cx[q]) * fabs(x[j]);
            for (int64_t i = 0; i < f.n; i++)
                ck_assert_msg(fabs(yc[i] - yf[i]) <= 64.0 * DBL_EPSILON * bound[i],
                              "row %lld: %.17g against %.17g (bound %g)", (long long)i, yc[i],
                              yf[i], bound[i]);
        }
        /* the iterative backend on either form: the same operator, the same
         * solution bit for bit */
        const zs_backend *it = zs_backend_iterative();
        if (it != NULL) {
            void *sf = NULL, *sc = NULL, *nf = NULL, *nc = NULL;
            double *b = calloc(n1, sizeof *b);
            ck_assert(b != NULL);
            b[f.port] = 1.0;
            ZS_CK_OK(it->analyse(&f, ZSTR_ORDERING_AMD, &sf, &e), &e);
            ZS_CK_OK(it->analyse(&c, ZSTR_ORDERING_AMD, &sc, &e), &e);
            ZS_CK_OK(it->factor(&f, sf, 2.0 * M_PI * 1e4, 0.0, &nf, &e), &e);
            ZS_CK_OK(it->factor(&c, sc, 2.0 * M_PI * 1e4, 0.0, &nc, &e), &e);
            ZS_CK_OK(it->solve(&f, sf, nf, 1, b, yf, &e), &e);
            ZS_CK_OK(it->solve(&c, sc, nc, 1, b, yc, &e), &e);
            ck_assert(memcmp(yf, yc, (size_t)f.n * sizeof *yf) == 0);
            it->free_numeric(nf);
            it->free_numeric(nc);
            it->free_symbolic(sf);
            it->free_symbolic(sc);
            free(b);
        }
        free(x);
        free(yf);
        free(yc);
        free(bound);
        free(pf);
        free(pc);
        free(jf);
        free(jc);
        free(vf);
        free(vc);
        zs_system_free(&f);
        zs_system_free(&c);
    }
    /* a WE without a branch: refused as by zs_system_build */
    zs_pencil q = p;
    q.elec[ZSTR_WE].n = 0;
    zs_system c;
    ck_assert_int_eq(zs_system_build_compact(&q, ZS_PORT_AUTO, &c, &e), ZSTR_EINVAL);
    ck_assert_msg(strstr(e.message, "working electrode has no branch") != NULL, "%s", e.message);
    zs_pencil_free(&p);
}
END_TEST

/* The figure called name of a backend (NaN when it has none). */
static double figure(const zs_backend *be, const void *sym, const void *num, const char *name)
{
    const char *nm;
    double v;
    for (int k = 0; be->stat(sym, num, k, &nm, &v) == ZSTR_OK; k++)
        if (strcmp(nm, name) == 0)
            return v;
    return NAN;
}

START_TEST(test_iterative_backend)
{
    /* what only the iterative backend does, on the 5³ block of the
     * conformance suite: its solves stop at the residual the system asks
     * (solve_tol), measured here independently of the backend (residual());
     * it counts its iterations; its expert options reach PETSc (BoomerAMG
     * solves the block as well as GAMG), a misspelt or unknown one is an
     * error, and so is running out of iterations (never a silent answer);
     * a network beyond 32-bit indices is refused before anything is read */
    const zs_backend *be = zs_backend_iterative();
    if (be == NULL)
        return;
    ck_assert_str_eq(be->name, "petsc");
    ck_assert_int_eq(be->is_complex, 0);
    zs_pencil p;
    zs_system s;
    block_system(6, 0.046, 150.0, &p, &s);
    zstr_error e;
    const int64_t n = s.n;
    double *b = calloc((size_t)n, sizeof *b), *x = calloc((size_t)n, sizeof *x);
    ck_assert(b != NULL && x != NULL);
    for (int64_t i = 0; i < n; i++)
        b[i] = sin(1.0 + (double)i); /* every node loaded: no invariant shortcut */
    const double sigma = 1e5;
    double its[2] = {0.0, 0.0};
    const double rtol[2] = {1e-4, 1e-12};
    for (int k = 0; k < 2; k++) {
        void *sym = NULL, *num = NULL;
        s.solve_tol = rtol[k];
        ZS_CK_OK(be->analyse(&s, ZSTR_ORDERING_DEFAULT, &sym, &e), &e);
        ZS_CK_OK(be->factor(&s, sym, sigma, 0.0, &num, &e), &e);
        ZS_CK_OK(be->solve(&s, sym, num, 1, b, x, &e), &e);
        /* the scaled residual is at most rtol; the plain one of this nearly
         * uniform block within a factor 100 of it */
        double res = residual(&s, sigma, 0.0, x, b, 0);
        ck_assert_msg(res <= 100.0 * rtol[k], "rtol %g: residual %g", rtol[k], res);
        ck_assert(figure(be, sym, num, "petsc.tolerance") == rtol[k]);
        its[k] = figure(be, sym, num, "petsc.iterations_total");
        ck_assert(figure(be, sym, num, "petsc.iterations_last") == its[k]);
        ck_assert(figure(be, sym, num, "petsc.solves") == 1.0);
        ck_assert(figure(be, sym, num, "petsc.setup_seconds") >= 0.0);
        ck_assert(figure(be, sym, num, "petsc.pattern_nnz") == (double)s.nnz);
        /* the pattern kept: n + 1 row starts and nnz columns, 4 or 8 bytes each */
        double pb = figure(be, sym, num, "petsc.pattern_bytes"), ents = (double)(s.nnz + s.n + 1);
        ck_assert_msg(pb == 4.0 * ents || pb == 8.0 * ents, "pattern bytes %g", pb);
        be->free_numeric(num);
        be->free_symbolic(sym);
    }
    ck_assert_msg(its[0] >= 1.0 && its[0] < its[1], "iterations %g at 1e-4, %g at 1e-12", its[0],
                  its[1]);

    /* BoomerAMG through the options: the exact Z = R/(1 + sτ) of the block */
    const double R = 6e-6 / (0.046 * 36e-12), tau = ZSTR_EPSILON0 * 150.0 / 0.046;
    void *sym = NULL, *num = NULL;
    s.solve_tol = 1e-13;
    s.backend_options = "-pc_type hypre -pc_hypre_type boomeramg";
    ZS_CK_OK(be->analyse(&s, ZSTR_ORDERING_DEFAULT, &sym, &e), &e);
    ZS_CK_OK(be->factor(&s, sym, sigma, 0.0, &num, &e), &e);
    memset(b, 0, sizeof *b * (size_t)n);
    b[s.port] = 1.0;
    ZS_CK_OK(be->solve(&s, sym, num, 1, b, x, &e), &e);
    ck_assert_msg(zs_test_rel(x[s.port], R / (1.0 + sigma * tau)) < 1e-11, "hypre: Z %.15g, want %.15g",
                  x[s.port], R / (1.0 + sigma * tau));
    be->free_numeric(num);
    be->free_symbolic(sym);
    /* an unknown preconditioner: refused when the plan is analysed */
    s.backend_options = "-pc_type frob";
    sym = &e;
    ck_assert_int_eq(be->analyse(&s, ZSTR_ORDERING_DEFAULT, &sym, &e), ZSTR_EINVAL);
    ck_assert_ptr_null(sym);
    ck_assert_ptr_nonnull(strstr(e.message, "frob"));
    /* a misspelt option: refused at the first solve, named */
    s.backend_options = "-ksp_rtl 1e-3";
    ZS_CK_OK(be->analyse(&s, ZSTR_ORDERING_DEFAULT, &sym, &e), &e);
    ZS_CK_OK(be->factor(&s, sym, sigma, 0.0, &num, &e), &e);
    ck_assert_int_eq(be->solve(&s, sym, num, 1, b, x, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "ksp_rtl"));
    be->free_numeric(num);
    be->free_symbolic(sym);
    /* too few iterations allowed: ZSTR_ESOLVER naming PETSc's reason */
    s.backend_options = "-ksp_max_it 1";
    ZS_CK_OK(be->analyse(&s, ZSTR_ORDERING_DEFAULT, &sym, &e), &e);
    ZS_CK_OK(be->factor(&s, sym, sigma, 0.0, &num, &e), &e);
    ck_assert_int_eq(be->solve(&s, sym, num, 1, b, x, &e), ZSTR_ESOLVER);
    ck_assert_msg(strstr(e.message, "DIVERGED_ITS") != NULL && strstr(e.message, "1 iteration") != NULL,
                  "%s", e.message);
    be->free_numeric(num);
    be->free_symbolic(sym);
    /* beyond 32-bit indices: refused from the sizes alone (no array is read) */
    zs_system big = {.n = 3000000000LL, .nnz = 21000000000LL, .port = 2999999999LL};
    ck_assert_int_eq(be->analyse(&big, ZSTR_ORDERING_DEFAULT, &sym, &e), ZSTR_ERANGE);
    ck_assert_ptr_nonnull(strstr(e.message, "64-bit-indices"));
    free(b);
    free(x);
    zs_system_free(&s);
    zs_pencil_free(&p);
}
END_TEST

START_TEST(test_iterative_absent)
{
    /* the build says whether it has the iterative backend, and a serial build
     * refuses a plan that asks for it, naming the library that has it (the
     * serial library itself is checked by tests/serial_build.c, since this
     * runner links libzstr-mpi whenever it is built) */
    ck_assert_int_eq(zstr_backend_available(ZSTR_BACKEND_AUTO), 1);
    ck_assert_int_eq(zstr_backend_available(ZSTR_BACKEND_DIRECT), 1);
    ck_assert_int_eq(zstr_backend_available(ZSTR_BACKEND_ITERATIVE),
                     zs_backend_iterative() != NULL);
    ck_assert_int_eq(zstr_backend_available(3), 0);
    ck_assert_int_eq(zstr_backend_available(-1), 0);
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(3, 3, 3, 1e-6, 1e-6, 1e-6, &m, &e), &e);
    zstr_phase_params ph = {"bulk", 0.046, 150.0, 0.0, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &ph, NULL, &e), &e);
    zstr_options o;
    zstr_options_default(&o);
    ck_assert_int_eq(o.backend, ZSTR_BACKEND_AUTO);
    ck_assert_ptr_null(o.backend_options);
    o.backend = ZSTR_BACKEND_ITERATIVE;
    zstr_plan *plan = NULL;
    int rc = zstr_plan_create(m, &o, &plan, &e);
    if (zs_backend_iterative() == NULL) {
        ck_assert_int_eq(rc, ZSTR_EUNSUPPORTED);
        ck_assert_ptr_null(plan);
        ck_assert_ptr_nonnull(strstr(e.message, "libzstr-mpi"));
    } else {
        ZS_CK_OK(rc, &e);
    }
    zstr_plan_free(plan);
    o.backend = 7;
    ck_assert_int_eq(zstr_plan_create(m, &o, &plan, &e), ZSTR_EINVAL);
    ck_assert_str_eq(zstr_strerror(ZSTR_EUNSUPPORTED), "not supported by this build of the library");
    zstr_model_free(m);
}
END_TEST

Suite *suite_backend(void)
{
    Suite *s = suite_create("backend");
    TCase *t = tcase_create("backend");
    tcase_add_loop_test(t, test_conformance, 0, NBACKENDS);
    tcase_add_loop_test(t, test_singular_refused, 0, NBACKENDS);
    tcase_add_test(t, test_port_form);
    tcase_add_test(t, test_port_electrode);
    tcase_add_test(t, test_compact_port_form);
    tcase_add_test(t, test_iterative_backend);
    tcase_add_test(t, test_iterative_absent);
    suite_add_tcase(s, t);
    return s;
}
