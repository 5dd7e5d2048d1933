/*
 * mpi_sweep.c — the distributed reduced-order sweep (zstr_mpi.h), run by
 * `make check` under mpirun with 1, 2 and 3 processes (Makefile, check-mpi).
 *
 * Not a Check suite: Check forks each test, and a forked child of an MPI
 * process cannot take part in collective calls.  Every process runs every
 * case; process 0 of MPI_COMM_WORLD checks and counts, and the status is
 * agreed at the end, so a failure anywhere fails the run on every process.
 *
 * With P processes in the world, every case runs on the first p processes for
 * p = 1 … P (sub-communicators; the others wait), on grids of 7 or 9 layers, so
 * one run of 3 covers 1, 2 and 3 processes with uneven slabs (3 + 4, 2 + 2 +
 * 3).  References, all independent of the distributed code:
 *   - the direct per-frequency solve (UMFPACK's complex LU of the serial
 *     plan): every distributed spectrum within 1e-6 of it;
 *   - the distributed spectra of p = 1 … P − 1 against that of P: within 1e-8
 *     (a tolerance of 1e-9 for the reduced models, so their own error is
 *     below that);
 *   - the serial plan's DC classification and R_DC (CHOLMOD, floating nodes
 *     left out): floating nodes, open circuit, R_DC within 1e-8, and the
 *     reduced model's Z at 0 Hz equal to R_DC when G is definite;
 *   - refusals: more processes than layers, a memory limit too small, bad
 *     PETSc options, bad arguments, each with the same status on every
 *     process.
 */
#include "zstr.h"
#include "zstr_mpi.h"
#include "zstr_volume.h"

#include "zs_paper.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct ctx {
    int rank, size;
    int checks, failures;
} ctx;

#define CHECK(c, cond, ...)                                                                \
    do {                                                                                   \
        (c)->checks++;                                                                     \
        if (!(cond)) {                                                                     \
            (c)->failures++;                                                               \
            fprintf(stderr, "mpi_sweep: %s:%d: ", __FILE__, __LINE__);                     \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fputc('\n', stderr);                                                           \
        }                                                                                  \
    } while (0)

/* ---- models (the same on every process) ------------------------------------ */

static zstr_model *grid(int64_t nx, int64_t ny, int64_t nz, double h)
{
    zstr_model *m = NULL;
    if (zstr_model_create(nx, ny, nz, h, h, h, &m, NULL) != ZSTR_OK)
        return NULL;
    return m;
}

static int phase(zstr_model *m, const char *name, double sigma, double epsr)
{
    zstr_phase_params p = {name, sigma, epsr, 0.0, 298.15};
    int id = -1;
    zstr_model_add_phase(m, &p, &id, NULL);
    return id;
}

static zstr_model *homogeneous(void)
{
    zstr_model *m = grid(5, 5, 7, 2e-6);
    if (m != NULL)
        phase(m, "bulk", 0.046, 150.0);
    return m;
}

/* three phases in z layers of 2, 3 and 2 voxels: the boundaries fall inside
 * and between the slabs */
static zstr_model *layered(void)
{
    zstr_model *m = grid(6, 6, 7, 1e-6);
    if (m == NULL)
        return NULL;
    const int id[3] = {phase(m, "a", 1e-2, 30.0), phase(m, "b", 3e-5, 150.0),
                       phase(m, "c", 0.5, 10.0)};
    int32_t lab[252];
    for (int64_t z = 0; z < 7; z++)
        for (int64_t i = 0; i < 36; i++)
            lab[z * 36 + i] = id[z < 2 ? 0 : z < 5 ? 1 : 2];
    zstr_model_set_labels(m, lab, NULL);
    return m;
}

/* the paper's model (tests/zs_paper.h): Voronoi grains with GB layers, and a
 * square contact spot on the WE with the rest pores, SEI or free surface */
static zstr_model *paper(int64_t n, int64_t nz, int rest, double fraction, int ce_too)
{
    zstr_model *m = NULL;
    zs_paper_model(n, nz, rest, fraction, ce_too, &m, NULL);
    return m;
}

/* an insulating shell around the centre: the core floats at DC */
static zstr_model *island(void)
{
    const int64_t n = 5, nz = 7;
    zstr_model *m = grid(n, n, nz, 2e-6);
    if (m == NULL)
        return NULL;
    int b = phase(m, "bulk", 0.046, 150.0), ins = phase(m, "ins", 0.0, 5.0);
    int32_t lab[175];
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < n; y++)
            for (int64_t x = 0; x < n; x++) {
                int64_t d = llabs(x - 2) > llabs(y - 2) ? llabs(x - 2) : llabs(y - 2);
                d = llabs(z - 3) > d ? llabs(z - 3) : d;
                lab[x + n * (y + n * z)] = d == 1 ? ins : b;
            }
    zstr_model_set_labels(m, lab, NULL);
    return m;
}

/* A conductive path that winds through the slabs (9 layers: 3 + 3 + 3 on 3
 * processes, 4 + 5 on 2) in an insulator: up column A (x = 0) from the CE,
 * across the top bridge (z = 7), down column B (x = 4) to z = 3; column A
 * also reaches the WE.  In the middle slab, column B joins the electrodes
 * only through the slab above, and column A reaches the CE only through the
 * slab below; a lone conductive voxel (x = 2, z = 4) floats. */
static zstr_model *serpentine(void)
{
    const int64_t nx = 5, ny = 2, nz = 9;
    zstr_model *m = grid(nx, ny, nz, 2e-6);
    if (m == NULL)
        return NULL;
    int ins = phase(m, "ins", 0.0, 5.0), b = phase(m, "bulk", 0.046, 150.0);
    int32_t lab[90];
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                int on = (x == 0) || (z == 7) || (x == 4 && z >= 3 && z <= 7) || (x == 2 && z == 4);
                lab[x + nx * (y + ny * z)] = on ? b : ins;
            }
    zstr_model_set_labels(m, lab, NULL);
    return m;
}

/* ---- one case ------------------------------------------------------------------ */

static double rel(const double *a, const double *b)
{
    double mag = hypot(b[0], b[1]);
    return hypot(a[0] - b[0], a[1] - b[1]) / (mag > 0.0 ? mag : 1.0);
}

/* The spectrum by the first p processes (NULL on the others). */
static int distributed(ctx *c, const zstr_model *m, int p, int64_t nf, const double *f,
                       double tol, double *z, double *zdc, zstr_rom_info *ri,
                       zstr_mpi_info *mi, zstr_error *e)
{
    MPI_Comm sub = MPI_COMM_NULL;
    MPI_Comm_split(MPI_COMM_WORLD, c->rank < p ? 0 : MPI_UNDEFINED, c->rank, &sub);
    int rc = ZSTR_OK;
    if (sub != MPI_COMM_NULL) {
        zstr_rom_options ro;
        zstr_rom_options_default(&ro);
        ro.tolerance = tol;
        zstr_rom *rom = NULL;
        zstr_mpi_info_init(mi);
        rc = zstr_mpi_rom_create(sub, m, nf, f, &ro, NULL, &rom, mi, e);
        const double dc = 0.0;
        if (rc == ZSTR_OK)
            rc = zstr_rom_evaluate(rom, 1, &dc, zdc, NULL, e);
        if (rc == ZSTR_OK) {
            rc = zstr_rom_evaluate(rom, nf, f, z, NULL, e);
            zstr_rom_info_init(ri);
            zstr_rom_get_info(rom, ri);
        }
        zstr_rom_free(rom);
        MPI_Comm_free(&sub);
    }
    return rc;
}

static void run_case(ctx *c, const char *what, zstr_model *m)
{
    if (m == NULL) {
        CHECK(c, 0, "%s: the model could not be made", what);
        return;
    }
    double *f = NULL;
    int64_t nf = 0;
    zstr_frequencies_log(1e-3, 1e7, 4, &f, &nf, NULL);
    double *zd = calloc(2 * (size_t)nf, sizeof *zd), *z1 = calloc(2 * (size_t)nf, sizeof *z1);
    double *zp = calloc(2 * (size_t)nf, sizeof *zp);
    if (f == NULL || zd == NULL || z1 == NULL || zp == NULL) {
        CHECK(c, 0, "%s: out of memory", what);
        free(f);
        free(zd);
        free(z1);
        free(zp);
        return;
    }
    /* the serial direct reference and DC classification, on process 0 */
    zstr_plan_info pi;
    zstr_plan_info_init(&pi);
    double rdc = NAN;
    if (c->rank == 0) {
        zstr_plan *plan = NULL;
        zstr_error e;
        zstr_sweep_options so;
        zstr_sweep_options_default(&so);
        so.method = ZSTR_METHOD_DIRECT;
        int rc = zstr_plan_create(m, NULL, &plan, &e);
        if (rc == ZSTR_OK)
            rc = zstr_sweep(plan, nf, f, zd, &so, &e);
        if (rc == ZSTR_OK)
            zstr_plan_get_info(plan, &pi);
        zstr_dc_result dc;
        memset(&dc, 0, sizeof dc);
        dc.size = sizeof dc;
        if (rc == ZSTR_OK && zstr_dc_resistance(plan, &dc, NULL) == ZSTR_OK)
            rdc = dc.resistance;
        CHECK(c, rc == ZSTR_OK, "%s: direct reference: %s", what, e.message);
        zstr_plan_free(plan);
    }
    /* the whole world first: PETSc's initialisation needs every process */
    for (int p = c->size; p >= 1; p--) {
        zstr_rom_info ri;
        zstr_mpi_info mi;
        zstr_error e;
        memset(&e, 0, sizeof e);
        double zdc[2] = {NAN, NAN};
        int rc = distributed(c, m, p, nf, f, 1e-9, zp, zdc, &ri, &mi, &e);
        if (c->rank != 0)
            continue;
        CHECK(c, rc == ZSTR_OK, "%s, %d processes: %s", what, p, e.message);
        if (rc != ZSTR_OK)
            continue;
        double worst = 0.0, spread = 0.0;
        for (int64_t k = 0; k < nf; k++) {
            worst = fmax(worst, rel(zp + 2 * k, zd + 2 * k));
            if (p < c->size)
                spread = fmax(spread, rel(zp + 2 * k, z1 + 2 * k));
        }
        CHECK(c, worst <= 1e-6, "%s, %d processes: %.3g from the direct solve", what, p, worst);
        CHECK(c, spread <= 1e-8, "%s, %d processes: %.3g from %d processes", what, p, spread,
              c->size);
        CHECK(c, mi.processes == p && mi.n_unknowns == pi.n_unknowns + 1,
              "%s, %d processes: %d processes, %lld unknowns (serial port form %lld)", what, p,
              mi.processes, (long long)mi.n_unknowns, (long long)pi.n_unknowns + 1);
        CHECK(c, mi.n_floating == pi.n_floating && mi.open_circuit == pi.open_circuit,
              "%s, %d processes: floating %lld open %d; serial %lld %d", what, p,
              (long long)mi.n_floating, mi.open_circuit, (long long)pi.n_floating,
              pi.open_circuit);
        int exact = pi.n_floating == 0 && !pi.open_circuit;
        CHECK(c, ri.dc_exact == exact, "%s, %d processes: dc_exact %d, expected %d", what, p,
              ri.dc_exact, exact);
        if (pi.open_circuit)
            CHECK(c, isinf(mi.dc_resistance) && mi.dc_resistance > 0.0,
                  "%s, %d processes: R_DC %g of an open circuit", what, p, mi.dc_resistance);
        else
            CHECK(c, fabs(mi.dc_resistance - rdc) <= 1e-8 * rdc,
                  "%s, %d processes: R_DC %.15g, serial %.15g (%lld floating)", what, p,
                  mi.dc_resistance, rdc, (long long)mi.n_floating);
        if (exact)
            CHECK(c, fabs(zdc[0] - rdc) <= 1e-8 * rdc && zdc[1] == 0.0,
                  "%s, %d processes: Z(0) = %.15g%+gj, serial R_DC %.15g", what, p, zdc[0],
                  zdc[1], rdc);
        CHECK(c, ri.backend == ZSTR_BACKEND_ITERATIVE && ri.iterations > 0,
              "%s, %d processes: backend %d, %lld iterations", what, p, ri.backend,
              (long long)ri.iterations);
        if (p == c->size)
            memcpy(z1, zp, 2 * (size_t)nf * sizeof *z1);
        printf("mpi_sweep: %-28s %d process%s: %.2e from direct, %.2e from %d, %lld shifts, "
               "rows %lld..%lld\n",
               what, p, p == 1 ? "  " : "es", worst, spread, c->size, (long long)ri.factorizations,
               (long long)mi.local_min, (long long)mi.local_max);
    }
    free(f);
    free(zd);
    free(z1);
    free(zp);
    zstr_model_free(m);
}

/* ---- refusals: the same status on every process ------------------------------ */

/* The status of a call on the world, checked to be status on every process. */
static void refused(ctx *c, const char *what, const zstr_model *m, int64_t nf, const double *f,
                    const zstr_mpi_options *mo, int status, const char *words)
{
    zstr_rom *rom = NULL;
    zstr_error e;
    memset(&e, 0, sizeof e);
    int rc = zstr_mpi_rom_create(MPI_COMM_WORLD, m, nf, f, NULL, mo, &rom, NULL, &e);
    int codes[2] = {rc, -rc}, agreed[2];
    MPI_Allreduce(codes, agreed, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (c->rank == 0) {
        CHECK(c, agreed[0] == status && -agreed[1] == status,
              "%s: status %d..%d on the processes, expected %d (%s)", what, -agreed[1],
              agreed[0], status, e.message);
        CHECK(c, rom == NULL, "%s: a model was returned", what);
        CHECK(c, words == NULL || strstr(e.message, words) != NULL,
              "%s: the message \"%s\" does not say \"%s\"", what, e.message, words);
    }
    zstr_rom_free(rom);
}

static void refusals(ctx *c)
{
    const double f[3] = {1.0, 1e3, 1e6};
    zstr_model *m = homogeneous();
    zstr_mpi_options mo;
    zstr_mpi_options_default(&mo);
    mo.memory_limit = 1e4;
    refused(c, "memory limit", m, 3, f, &mo, ZSTR_EMEMLIMIT, "GB");
    zstr_mpi_options_default(&mo);
    mo.petsc_options = "-pc_type no_such_preconditioner";
    refused(c, "unknown preconditioner", m, 3, f, &mo, ZSTR_EINVAL, "no_such_preconditioner");
    mo.petsc_options = "-ksp_rtol_misspelt 1e-3";
    refused(c, "misspelt option", m, 3, f, &mo, ZSTR_EINVAL, "ksp_rtol_misspelt");
    mo.memory_limit = -1.0;
    mo.petsc_options = NULL;
    refused(c, "negative limit", m, 3, f, &mo, ZSTR_EINVAL, "memory_limit");
    refused(c, "no frequencies", m, 0, f, NULL, ZSTR_EINVAL, NULL);
    const double bad[2] = {1.0, -5.0};
    refused(c, "negative frequency", m, 2, bad, NULL, ZSTR_EINVAL, "frequency 1");
    refused(c, "no model", NULL, 3, f, NULL, ZSTR_EINVAL, NULL);
    zstr_model_free(m);
    /* more processes than layers */
    if (c->size > 1) {
        zstr_model *thin = grid(4, 4, c->size - 1, 2e-6);
        if (thin != NULL)
            phase(thin, "bulk", 0.046, 150.0);
        refused(c, "more processes than layers", thin, 3, f, NULL, ZSTR_EINVAL, "layers");
        zstr_model_free(thin);
    }
    /* a phase without conductivity or permittivity leaves the WE without a branch */
    zstr_model *cut = grid(4, 4, 4, 2e-6);
    if (cut != NULL) {
        zstr_interface_params ip;
        zstr_interface_params_default(&ip);
        uint8_t px[16];
        memset(px, ZSTR_PIXEL_NONE, sizeof px);
        phase(cut, "bulk", 0.046, 150.0);
        if (zstr_model_set_interface(cut, ZSTR_WE, &ip, px, NULL) == ZSTR_OK)
            refused(c, "WE without a branch", cut, 3, f, NULL, ZSTR_EINVAL, "working electrode");
        zstr_model_free(cut);
    }
}

/* ---- a process's part of the model (zstr_mpi_model_create) ------------------ */

static int grains_mpi(void *comm, zstr_model *m, const zstr_voronoi_params *vp, zstr_error *err)
{
    return zstr_mpi_model_voronoi(*(MPI_Comm *)comm, m, vp, NULL, err);
}

/* The paper's model as this process's part on comm; NULL on failure (agreed). */
static zstr_model *paper_part(MPI_Comm comm, int64_t n, int64_t nz, int rest, double fraction,
                              int ce_too, zstr_error *e)
{
    const double h = 100e-6 / (double)n;
    zstr_model *m = NULL;
    int rc = zstr_mpi_model_create(comm, n, n, nz, h, h, h, &m, e), any = 0;
    MPI_Allreduce(&rc, &any, 1, MPI_INT, MPI_MIN, comm);
    if (any == ZSTR_OK)
        rc = zs_paper_setup(m, n, rest, fraction, ce_too, grains_mpi, &comm, e);
    if (rc != ZSTR_OK || any != ZSTR_OK) {
        zstr_model_free(m);
        return NULL;
    }
    return m;
}

/* The grains of every process's part equal those of zstr_model_voronoi on the
 * whole grid, on the first p processes for p = P … 1: small grains (many
 * fragments), anisotropic voxels, slabs of one layer. */
static void part_grains(ctx *c)
{
    static const struct {
        int64_t n[3];
        double h[3], d;
    } cases[] = {
        {{10, 8, 9}, {1e-6, 1e-6, 1e-6}, 1.2e-6},
        {{12, 12, 7}, {1e-6, 1e-6, 1e-6}, 3e-6},
        {{5, 6, 9}, {1e-6, 0.6e-6, 1.7e-6}, 1.1e-6},
        {{9, 9, 3}, {1e-6, 1e-6, 1e-6}, 1.5e-6},
    };
    int compared = 0;
    for (int p = c->size; p >= 1; p--) {
        MPI_Comm sub = MPI_COMM_NULL;
        MPI_Comm_split(MPI_COMM_WORLD, c->rank < p ? 0 : MPI_UNDEFINED, c->rank, &sub);
        if (sub == MPI_COMM_NULL)
            continue;
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            const int64_t *n = cases[k].n;
            const double *h = cases[k].h;
            for (uint64_t seed = 1; seed <= 3; seed++) {
                zstr_voronoi_params vp = {cases[k].d, seed, 0, 1, 0.1e-6};
                zstr_model *whole = NULL, *part = NULL;
                zstr_error e;
                int64_t kw = -1, kp = -2;
                int rw = zstr_model_create(n[0], n[1], n[2], h[0], h[1], h[2], &whole, &e);
                if (rw == ZSTR_OK)
                    rw = zstr_model_voronoi(whole, &vp, &kw, &e);
                CHECK(c, rw == ZSTR_OK, "whole grid %zu: %s", k, e.message);
                int rp = zstr_mpi_model_create(sub, n[0], n[1], n[2], h[0], h[1], h[2], &part, &e);
                CHECK(c, rp == ZSTR_OK, "part %zu: %s", k, e.message);
                if (rp == ZSTR_OK)
                    rp = zstr_mpi_model_voronoi(sub, part, &vp, &kp, &e);
                CHECK(c, rp == ZSTR_OK, "part %zu, %d processes: %s", k, p, e.message);
                if (rw == ZSTR_OK && rp == ZSTR_OK) {
                    int64_t lo = -1, hi = -1, L = n[0] * n[1];
                    zstr_model_get_layers(part, &lo, &hi);
                    const int32_t *gw = zstr_model_grain_ids(whole) + lo * L;
                    const int32_t *gp = zstr_model_grain_ids(part);
                    int64_t bad = 0;
                    for (int64_t i = 0; i < L * (hi - lo); i++)
                        bad += gw[i] != gp[i];
                    CHECK(c, kw == kp && bad == 0 && hi > lo,
                          "grid %zu seed %llu, %d processes, process %d (layers %lld..%lld): "
                          "%lld voxels differ, %lld grains, whole %lld",
                          k, (unsigned long long)seed, p, c->rank, (long long)lo, (long long)hi - 1,
                          (long long)bad, (long long)kp, (long long)kw);
                    const int32_t *lp = zstr_model_labels(part);
                    int64_t badl = 0;
                    for (int64_t i = 0; i < L * (hi - lo); i++)
                        badl += lp[i] != 0;
                    CHECK(c, badl == 0, "grid %zu: grain_phase not set on the part", k);
                    compared++;
                }
                zstr_model_free(whole);
                zstr_model_free(part);
            }
        }
        MPI_Comm_free(&sub);
    }
    if (c->rank == 0)
        printf("mpi_sweep: parts' grains equal the whole grid's: %d comparisons on process 0\n",
               compared);
}

/* The spectrum of the processes' parts equals that of the whole model on
 * every process: the same rows, so the same matrices, but not always the same
 * bits — the same whole model run twice on 3 processes differed by up to
 * 6e-11 (the multigrid set-up is not reproducible to the last bit across
 * runs) — so within 1e-8, the bar between process counts. */
static void part_spectrum(ctx *c, const char *what, int64_t n, int64_t nz, int rest,
                          double fraction, int ce_too)
{
    const double f[5] = {1e-3, 1.0, 1e3, 1e5, 1e7};
    for (int p = c->size; p >= 1; p--) {
        MPI_Comm sub = MPI_COMM_NULL;
        MPI_Comm_split(MPI_COMM_WORLD, c->rank < p ? 0 : MPI_UNDEFINED, c->rank, &sub);
        if (sub == MPI_COMM_NULL)
            continue;
        zstr_error e;
        memset(&e, 0, sizeof e);
        zstr_model *whole = paper(n, nz, rest, fraction, ce_too);
        zstr_model *part = paper_part(sub, n, nz, rest, fraction, ce_too, &e);
        CHECK(c, whole != NULL && part != NULL, "%s: models: %s", what, e.message);
        /* the description of a counted part is the whole model's */
        if (whole != NULL && part != NULL) {
            char tw[4096], tp[4096];
            zstr_model_describe(whole, tw, sizeof tw);
            zstr_model_describe(part, tp, sizeof tp);
            int64_t lo = 0, hi = 0;
            zstr_model_get_layers(part, &lo, &hi);
            CHECK(c, (lo == 0 && hi == nz) == (strstr(tp, "held: layers") == NULL),
                  "%s, %d processes: an uncounted part's description: %s", what, p, tp);
            int rc0 = zstr_mpi_model_count(sub, part, &e);
            zstr_model_describe(part, tp, sizeof tp);
            CHECK(c, rc0 == ZSTR_OK && strcmp(tw, tp) == 0,
                  "%s, %d processes: counted part's description differs:\n%s\nwhole:\n%s", what, p,
                  tp, tw);
        }
        double zw[10], zp[10];
        zstr_mpi_info iw, ip;
        int rc = ZSTR_ENOMEM;
        if (whole != NULL && part != NULL) {
            zstr_rom_options ro;
            zstr_rom_options_default(&ro);
            ro.tolerance = 1e-9;
            zstr_rom *rw = NULL, *rp = NULL;
            zstr_mpi_info_init(&iw);
            zstr_mpi_info_init(&ip);
            rc = zstr_mpi_rom_create(sub, whole, 5, f, &ro, NULL, &rw, &iw, &e);
            if (rc == ZSTR_OK)
                rc = zstr_mpi_rom_create(sub, part, 5, f, &ro, NULL, &rp, &ip, &e);
            if (rc == ZSTR_OK)
                rc = zstr_rom_evaluate(rw, 5, f, zw, NULL, &e);
            if (rc == ZSTR_OK)
                rc = zstr_rom_evaluate(rp, 5, f, zp, NULL, &e);
            zstr_rom_free(rw);
            zstr_rom_free(rp);
        }
        CHECK(c, rc == ZSTR_OK, "%s, %d processes: %s", what, p, e.message);
        if (rc == ZSTR_OK) {
            double worst = 0.0;
            for (int k = 0; k < 5; k++)
                worst = fmax(worst, rel(zp + 2 * k, zw + 2 * k));
            CHECK(c,
                  worst <= 1e-8 && iw.n_unknowns == ip.n_unknowns && iw.nnz == ip.nnz &&
                      fabs(iw.dc_resistance - ip.dc_resistance) <= 1e-8 * iw.dc_resistance,
                  "%s, %d processes: parts %.3g from the whole model (%lld/%lld unknowns)", what, p,
                  worst, (long long)ip.n_unknowns, (long long)iw.n_unknowns);
            if (c->rank == 0)
                printf("mpi_sweep: %-28s %d process%s: parts %.2e from the whole model\n", what, p,
                       p == 1 ? "  " : "es", worst);
        }
        zstr_model_free(whole);
        zstr_model_free(part);
        MPI_Comm_free(&sub);
    }
}

/* Parts used where they do not belong are refused on every process. */
static void part_refusals(ctx *c)
{
    zstr_error e;
    zstr_model *m = NULL;
    /* more processes than layers; no communicator */
    int rc = zstr_mpi_model_create(MPI_COMM_WORLD, 4, 4, c->size - 1, 1e-6, 1e-6, 1e-6, &m, &e);
    if (c->size > 1)
        CHECK(c, rc == ZSTR_EINVAL && m == NULL && strstr(e.message, "at most one process"),
              "part with fewer layers than processes: %d %s", rc, e.message);
    rc = zstr_mpi_model_create(MPI_COMM_NULL, 4, 4, 4, 1e-6, 1e-6, 1e-6, &m, &e);
    CHECK(c, rc == ZSTR_EINVAL && m == NULL, "part without a communicator: %d", rc);
    rc = zstr_mpi_model_create(MPI_COMM_WORLD, 0, 4, 4, 1e-6, 1e-6, 1e-6, &m, &e);
    CHECK(c, rc == ZSTR_EINVAL && strstr(e.message, "zstr_mpi_model_create"),
          "part of a bad grid: %d %s", rc, e.message);
    zstr_voronoi_params vp = {2e-6, 1, 0, 1, 0.1e-6};
    rc = zstr_mpi_model_voronoi(MPI_COMM_WORLD, NULL, &vp, NULL, &e);
    CHECK(c, rc == ZSTR_EINVAL, "NULL part: %d", rc);
    rc = zstr_mpi_model_count(MPI_COMM_WORLD, NULL, &e);
    CHECK(c, rc == ZSTR_EINVAL, "count of a NULL part: %d", rc);
    rc = zstr_mpi_model_count(MPI_COMM_NULL, NULL, &e);
    CHECK(c, rc == ZSTR_EINVAL, "count without a communicator: %d", rc);
    if (c->size < 2)
        return;
    /* parameters that differ between the processes; grains on some parts only */
    rc = zstr_mpi_model_create(MPI_COMM_WORLD, 6, 6, 7, 1e-6, 1e-6, 1e-6, &m, &e);
    CHECK(c, rc == ZSTR_OK, "a part: %s", e.message);
    if (rc == ZSTR_OK) {
        zstr_voronoi_params mixed = vp;
        mixed.seed = 1 + (uint64_t)c->rank;
        rc = zstr_mpi_model_voronoi(MPI_COMM_WORLD, m, &mixed, NULL, &e);
        CHECK(c, rc == ZSTR_EINVAL && strstr(e.message, "different Voronoi parameters"),
              "seeds that differ between processes: %d %s", rc, e.message);
        int32_t g[6 * 6 * 7] = {0};
        if (c->rank == 0)
            zstr_model_set_grains(m, g, 0, 0.0, NULL);
        rc = zstr_mpi_model_count(MPI_COMM_WORLD, m, &e);
        CHECK(c, rc == ZSTR_EINVAL && strstr(e.message, "some processes' parts have grains"),
              "grains on process 0's part only: %d %s", rc, e.message);
    }
    zstr_model_free(m);
    /* a whole model is not a part on several processes */
    zstr_model_create(6, 6, 7, 1e-6, 1e-6, 1e-6, &m, NULL);
    rc = zstr_mpi_model_voronoi(MPI_COMM_WORLD, m, &vp, NULL, &e);
    CHECK(c, rc == ZSTR_EINVAL && strstr(e.message, "zstr_mpi_model_create"),
          "whole model as a part: %d %s", rc, e.message);
    zstr_model_free(m);
    /* a part of the world's slabs on the first P − 1 processes */
    m = paper_part(MPI_COMM_WORLD, 6, 7, ZSTR_PIXEL_PORE, 0.3, 0, &e);
    CHECK(c, m != NULL, "paper part: %s", e.message);
    MPI_Comm sub = MPI_COMM_NULL;
    MPI_Comm_split(MPI_COMM_WORLD, c->rank < c->size - 1 ? 0 : MPI_UNDEFINED, c->rank, &sub);
    if (sub != MPI_COMM_NULL && m != NULL) {
        const double f[2] = {1.0, 1e3};
        zstr_rom *rom = NULL;
        rc = zstr_mpi_rom_create(sub, m, 2, f, NULL, NULL, &rom, NULL, &e);
        int codes[2] = {rc, -rc}, agreed[2];
        MPI_Allreduce(codes, agreed, 2, MPI_INT, MPI_MAX, sub);
        CHECK(c,
              agreed[0] == ZSTR_EINVAL && -agreed[1] == ZSTR_EINVAL && rom == NULL &&
                  strstr(e.message, "zstr_mpi_model_create") != NULL,
              "a part on another communicator: %d..%d %s", -agreed[1], agreed[0], e.message);
        zstr_rom_free(rom);
        zstr_voronoi_params v2 = {25e-6, 7, 0, 1, 10e-9};
        rc = zstr_mpi_model_voronoi(sub, m, &v2, NULL, &e);
        CHECK(c, rc == ZSTR_EINVAL && strstr(e.message, "its part on this communicator"),
              "grains of a part on another communicator: %d %s", rc, e.message);
        if (c->size == 3) {
            /* 7 layers: the world's parts 0..2, 1..5, 4..6; on 2 processes the
             * slabs are 0..2 and 3..6, which process 1's part does not hold */
            rc = zstr_mpi_model_count(sub, m, &e);
            CHECK(c, rc == ZSTR_EINVAL && strstr(e.message, "process 1 holds layers"),
                  "count of a part on another communicator: %d %s", rc, e.message);
        }
        MPI_Comm_free(&sub);
    }
    zstr_model_free(m);
}

/* ---- a labelled volume in parts (zstr_mpi_model_from_volume) ------------------ */

/* A raw u8 volume of nx × ny × nz: labels 0 (solid), 1 (pore) or, with
 * grains, grain ids; bad (>= 0) puts label 7 (no phase) at that voxel. */
static int write_volume(const char *path, const int64_t n[3], int grains, int64_t bad)
{
    FILE *fp = fopen(path, "wb");
    if (fp == NULL)
        return -1;
    for (int64_t z = 0; z < n[2]; z++)
        for (int64_t y = 0; y < n[1]; y++)
            for (int64_t x = 0; x < n[0]; x++) {
                int64_t i = x + n[0] * (y + n[1] * z);
                unsigned char l = grains ? (unsigned char)((x / 3 + 2 * (y / 2) + 5 * (z / 4)) % 9)
                                         : (unsigned char)((x * 7 + y * 3 + z * 5) % 11 < 3);
                if (i == bad)
                    l = 7;
                fputc(l, fp);
            }
    return fclose(fp) == 0 ? 0 : -1;
}

/* Every process's part equals the whole model's layers: labels, grains, the WE
 * map (from the top layer: the last process's), on the first p processes for
 * p = P … 1; transport along z and along x, with a crop. */
static void part_volume(ctx *c)
{
    char path[] = "/tmp/zstr-mpi-volume-XXXXXX";
    int fd = -1, ok = 1;
    if (c->rank == 0) {
        fd = mkstemp(path);
        ok = fd >= 0;
        if (ok)
            close(fd);
    }
    MPI_Bcast(path, (int)sizeof path, MPI_CHAR, 0, MPI_COMM_WORLD);
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    CHECK(c, ok, "a temporary volume file could not be made");
    if (!ok)
        return;
    const int64_t vn[3] = {9, 6, 8};
    zstr_phase_params ph[2] = {{"solid", 0.046, 150.0, 0.0, 298.15},
                               {"pore", 0.0, 1.0, 0.0, 298.15}};
    const int label_phase[2] = {0, 1};
    int compared = 0;
    for (int k = 0; k < 3; k++) {
        /* 0: phases along z with the WE map; 1: along x, cropped; 2: grains */
        if (c->rank == 0)
            ok = write_volume(path, vn, k == 2, -1) == 0;
        MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
        CHECK(c, ok, "the volume file could not be written");
        zstr_volume_read_options ro;
        zstr_volume_read_options_default(&ro);
        ro.format = ZSTR_VOLUME_RAW;
        ro.type = ZSTR_VOXEL_U8;
        for (int d = 0; d < 3; d++) {
            ro.dims[d] = vn[d];
            ro.voxel_size[d] = 1e-6;
        }
        if (k == 1) {
            const int64_t crop[6] = {1, 0, 1, 8, 6, 7};
            memcpy(ro.crop, crop, sizeof crop);
        }
        zstr_volume_model_params mp;
        zstr_volume_model_params_default(&mp);
        mp.axis = k == 1 ? 0 : 2;
        mp.phases = ph;
        mp.nphases = 2;
        mp.label_phase = label_phase;
        mp.nlabels = k == 2 ? 0 : 2;
        mp.grains = k == 2;
        mp.grain_phase = 0;
        mp.boundary_phase = 0;
        mp.boundary_thickness = 0.1e-6;
        if (k == 0) {
            mp.we_pore_phase = 1;
            mp.we.contact_resistance = 0.5e-4;
            mp.we.contact_capacitance = 1.77e4;
            mp.we.pore_capacitance = 8.85;
        }
        zstr_error e;
        zstr_volume *vol = NULL;
        zstr_model *whole = NULL;
        int rc = zstr_volume_read(path, &ro, &vol, &e);
        if (rc == ZSTR_OK)
            rc = zstr_volume_to_model(vol, &mp, &whole, &e);
        zstr_volume_free(vol);
        CHECK(c, rc == ZSTR_OK, "volume %d, whole: %s", k, e.message);
        for (int p = c->size; p >= 1 && rc == ZSTR_OK; p--) {
            MPI_Comm sub = MPI_COMM_NULL;
            MPI_Comm_split(MPI_COMM_WORLD, c->rank < p ? 0 : MPI_UNDEFINED, c->rank, &sub);
            if (sub == MPI_COMM_NULL)
                continue;
            zstr_model *part = NULL;
            int rp = zstr_mpi_model_from_volume(sub, path, &ro, &mp, &part, &e);
            CHECK(c, rp == ZSTR_OK, "volume %d, %d processes: %s", k, p, e.message);
            if (rp == ZSTR_OK) {
                int64_t nw[3], np_[3], lo = 0, hi = 0;
                double hw[3], hp[3];
                zstr_model_get_grid(whole, nw, hw);
                zstr_model_get_grid(part, np_, hp);
                zstr_model_get_layers(part, &lo, &hi);
                const int64_t L = nw[0] * nw[1];
                int64_t bad = 0;
                const int32_t *lw = zstr_model_labels(whole) + lo * L,
                              *lp = zstr_model_labels(part);
                for (int64_t i = 0; i < L * (hi - lo); i++)
                    bad += lw[i] != lp[i];
                const int32_t *gw = zstr_model_grain_ids(whole), *gp = zstr_model_grain_ids(part);
                if ((gw == NULL) != (gp == NULL))
                    bad++;
                for (int64_t i = 0; gw != NULL && gp != NULL && i < L * (hi - lo); i++)
                    bad += gw[lo * L + i] != gp[i];
                const uint8_t *pw = zstr_model_interface_pixels(whole, ZSTR_WE);
                const uint8_t *pp = zstr_model_interface_pixels(part, ZSTR_WE);
                if ((pw == NULL) != (pp == NULL) || (pw != NULL && memcmp(pw, pp, (size_t)L) != 0))
                    bad++;
                CHECK(c,
                      bad == 0 && memcmp(nw, np_, sizeof nw) == 0 && memcmp(hw, hp, sizeof hw) == 0,
                      "volume %d, %d processes, process %d (layers %lld..%lld): %lld differences",
                      k, p, c->rank, (long long)lo, (long long)hi - 1, (long long)bad);
                compared++;
            }
            zstr_model_free(part);
            MPI_Comm_free(&sub);
        }
        zstr_model_free(whole);
    }
    /* a label without a phase in the last layer: the same message as the whole
     * read's, on every process */
    const int64_t badvox = vn[0] * vn[1] * (vn[2] - 1) + 4;
    if (c->rank == 0)
        ok = write_volume(path, vn, 0, badvox) == 0;
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    zstr_volume_read_options ro;
    zstr_volume_read_options_default(&ro);
    ro.format = ZSTR_VOLUME_RAW;
    ro.type = ZSTR_VOXEL_U8;
    for (int d = 0; d < 3; d++)
        ro.dims[d] = vn[d];
    zstr_volume_model_params mp;
    zstr_volume_model_params_default(&mp);
    mp.phases = ph;
    mp.nphases = 2;
    mp.label_phase = label_phase;
    mp.nlabels = 2;
    zstr_error ew, ep;
    zstr_volume *vol = NULL;
    zstr_model *m = NULL;
    int rw = zstr_volume_read(path, &ro, &vol, &ew);
    if (rw == ZSTR_OK)
        rw = zstr_volume_to_model(vol, &mp, &m, &ew);
    zstr_volume_free(vol);
    zstr_model_free(m);
    m = NULL;
    int rp = zstr_mpi_model_from_volume(MPI_COMM_WORLD, path, &ro, &mp, &m, &ep);
    CHECK(c,
          rw == ZSTR_EINVAL && rp == ZSTR_EINVAL && m == NULL &&
              strstr(ew.message, "label 7 at volume voxel (4, 0, 7)") != NULL &&
              strstr(ep.message, strstr(ew.message, "label 7 at volume voxel (4, 0, 7)")) != NULL,
          "a bad label: whole %d \"%s\", parts %d \"%s\"", rw, ew.message, rp, ep.message);
    /* more processes than layers along the transport axis; NULL arguments */
    ro.dims[2] = 1;
    if (c->rank == 0)
        ok = write_volume(path, (const int64_t[3]){9, 6, 1}, 0, -1) == 0;
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    rp = zstr_mpi_model_from_volume(MPI_COMM_WORLD, path, &ro, &mp, &m, &ep);
    if (c->size > 1)
        CHECK(c, rp == ZSTR_EINVAL && m == NULL && strstr(ep.message, "at most one process"),
              "a one-layer volume on %d processes: %d %s", c->size, rp, ep.message);
    rp = zstr_mpi_model_from_volume(MPI_COMM_WORLD, NULL, &ro, &mp, &m, &ep);
    CHECK(c, rp == ZSTR_EINVAL && m == NULL, "NULL path: %d", rp);
    MPI_Barrier(MPI_COMM_WORLD);
    if (c->rank == 0) {
        remove(path);
        printf("mpi_sweep: volume parts equal the whole model's layers: %d comparisons on "
               "process 0\n",
               compared);
    }
}

/* The library's messages travel on its own duplicate of the communicator: a
 * receive of any source and tag that the program has pending on
 * MPI_COMM_WORLD through the collective calls takes none of them, and gets
 * the program's own message after.  (On comm itself, the library's first
 * message would complete it, and the library would wait for the stolen one.) */
static void pending_receive(ctx *c)
{
    if (c->size < 2)
        return;
    MPI_Comm world = MPI_COMM_WORLD;
    int token = -1;
    MPI_Request req;
    MPI_Irecv(&token, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, world, &req);
    zstr_error e;
    zstr_model *m = paper_part(world, 8, 7, ZSTR_PIXEL_PORE, 0.3, 0, &e);
    int rc = m != NULL ? zstr_mpi_model_count(world, m, &e) : ZSTR_EINVAL;
    double *f = NULL;
    int64_t nf = 0;
    if (rc == ZSTR_OK)
        rc = zstr_frequencies_log(1.0, 1e6, 2, &f, &nf, &e);
    zstr_rom *rom = NULL;
    if (rc == ZSTR_OK)
        rc = zstr_mpi_rom_create(world, m, nf, f, NULL, NULL, &rom, NULL, &e);
    CHECK(c, rc == ZSTR_OK, "pending receive: %s", e.message);
    int done = 1;
    MPI_Status st;
    MPI_Test(&req, &done, &st);
    int any = 0;
    MPI_Allreduce(&done, &any, 1, MPI_INT, MPI_MAX, world);
    CHECK(c, any == 0, "pending receive: the program's receive took a library message");
    int mine = c->rank;
    MPI_Send(&mine, 1, MPI_INT, (c->rank + 1) % c->size, 99, world);
    MPI_Wait(&req, &st);
    int good = token == (c->rank + c->size - 1) % c->size && st.MPI_TAG == 99, all = 0;
    MPI_Allreduce(&good, &all, 1, MPI_INT, MPI_MIN, world);
    CHECK(c, all == 1, "pending receive: the program's own message did not arrive");
    zstr_rom_free(rom);
    free(f);
    zstr_model_free(m);
}

/* A run that hangs (a collective call left waiting by one process, or a
 * message taken by the wrong receive) ends here instead of at CI's limit: the
 * whole run takes about a minute on 3 processes, several under the sanitizers. */
#define ZS_MPI_SWEEP_ALARM_SECONDS (20 * 60)

int main(int argc, char **argv)
{
    alarm(ZS_MPI_SWEEP_ALARM_SECONDS);
    MPI_Init(&argc, &argv);
    ctx c = {0, 1, 0, 0};
    MPI_Comm_rank(MPI_COMM_WORLD, &c.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c.size);
    refusals(&c);
    run_case(&c, "homogeneous", homogeneous());
    run_case(&c, "layered", layered());
    run_case(&c, "Voronoi + GB + pores", paper(10, 9, ZSTR_PIXEL_PORE, 0.22, 0));
    run_case(&c, "Voronoi + GB + SEI, both", paper(8, 7, ZSTR_PIXEL_SEI, 0.3, 1));
    run_case(&c, "constriction", paper(12, 9, ZSTR_PIXEL_NONE, 0.09, 0));
    run_case(&c, "floating island", island());
    run_case(&c, "serpentine", serpentine());
    run_case(&c, "slabs of one layer", paper(9, 3, ZSTR_PIXEL_SEI, 0.4, 0));
    run_case(&c, "open circuit", paper(6, 7, ZSTR_PIXEL_PORE, 0.0, 0));
    run_case(&c, "open circuit, cube", paper(6, 6, ZSTR_PIXEL_PORE, 0.0, 0));
    part_grains(&c);
    part_spectrum(&c, "parts: pores", 10, 9, ZSTR_PIXEL_PORE, 0.22, 0);
    part_spectrum(&c, "parts: SEI both, thin slabs", 9, 3, ZSTR_PIXEL_SEI, 0.4, 1);
    part_refusals(&c);
    part_volume(&c);
    pending_receive(&c);
    int failures = 0;
    MPI_Allreduce(&c.failures, &failures, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (c.rank == 0)
        printf("mpi_sweep: %d processes: %d checks, %d failures\n", c.size, c.checks, failures);
    MPI_Finalize();
    return failures == 0 ? 0 : 1;
}
