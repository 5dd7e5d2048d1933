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

#include "zs_paper.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv)
{
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
    run_case(&c, "slabs of one layer", paper(9, 3, ZSTR_PIXEL_SEI, 0.4, 0));
    run_case(&c, "open circuit", paper(6, 7, ZSTR_PIXEL_PORE, 0.0, 0));
    run_case(&c, "open circuit, cube", paper(6, 6, ZSTR_PIXEL_PORE, 0.0, 0));
    int failures = 0;
    MPI_Allreduce(&c.failures, &failures, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (c.rank == 0)
        printf("mpi_sweep: %d processes: %d checks, %d failures\n", c.size, c.checks, failures);
    MPI_Finalize();
    return failures == 0 ? 0 : 1;
}
