/*
 * zstr.c — the zstr program: model files in, spectra, plots and summaries out.
 *
 *   zstr run [MODEL.xml] [-o OUT.csv] [--plot OUT.svg|png|pdf] [--area]
 *            [--set PATH=V1,V2,...]... [--threads N] [--quiet]
 *   zstr validate MODEL.xml
 *   zstr info MODEL.xml [--set PATH=V]...
 *   zstr help [COMMAND] | zstr --version
 *
 * Built on the public API of libzstr only, plus the program's own modules:
 * modelfile (XML model files, libxml2), units (numbers with units) and plot
 * (cairo).  This is the only code of the project that prints.
 *
 * Series (cli/series.c).  Every --set names one attribute and one value or a
 * comma-separated list.  Lists of equal length N make a series of N members
 * (the k-th value of every list goes to member k); a single value applies to
 * every member.  Each member gets its own CSV (OUT-<k>.csv, k from 1), all
 * members share one plot, and a summary table goes to stdout.
 *
 * Exit status: 0 success, 1 a user error (bad model, bad value, unwritable
 * file; the message names file:line), 2 a usage error.  A failed run leaves no
 * output of its own (cli/series.c), also when interrupted by SIGINT, SIGTERM
 * or SIGHUP (the guard of cli/outfile.c, installed in main).
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "cmd_morph.h"
#include "cmd_plot.h"
#include "modelfile.h"
#include "outfile.h"
#include "plot.h"
#include "batch.h"
#include "distributed.h"
#include "series.h"
#include "units.h"
#include "vtk.h"
#include "zstr.h"

#define EXIT_USER 1
#define EXIT_USAGE 2

/* ---- messages ------------------------------------------------------------ */

/* The messages of the model reader and the library already name the file,
 * line and attribute they concern. */
static void report(const zstr_error *e) { fprintf(stderr, "zstr: %s\n", e->message); }

/* OpenBLAS's own threads compete with the sweep's threads (measured: a 2-thread
 * sweep runs 3x slower with 2 BLAS threads each than with 1).  Unless the user
 * chose a BLAS thread count, use one BLAS thread per sweep thread.  The symbol is
 * looked up, not linked: any other BLAS works unchanged. */
static void one_blas_thread(void)
{
    if (getenv("OPENBLAS_NUM_THREADS") != NULL)
        return;
    void *sym = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
    if (sym != NULL) {
        void (*set)(int);
        memcpy(&set, &sym, sizeof set);
        set(1);
    }
}

/* glibc raises its mmap threshold each time a large block is freed, so later
 * large arrays (a plan's transient copies, a factor's workspace) come from the
 * heap and stay in the resident set after they are freed: on a 64³ plan a
 * quarter of a GB that the process no longer uses (bench/RESULTS.md, "Compact
 * assembly").  A fixed threshold of 1 MiB returns every large array to the
 * system when it is freed.  The program's choice, never the library's. */
static void return_large_frees(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

static const char *const help_text[][2] = {
    {"run", "usage: zstr run [MODEL.xml] [-o OUT.csv] [--plot OUT.svg|png|pdf] [--area]\n"
            "                [--set PATH=V1,V2,...]... [--grid] [--summary FILE.csv]\n"
            "                [--method auto|direct|mor] [--tolerance T] [--poles POLES.csv]\n"
            "                [--backend auto|direct|iterative|petsc] [--petsc-options \"OPTIONS\"]\n"
            "                [--threads N] [--quiet] [--progress] [plot options]\n"
            "\n"
            "Compute the spectrum of MODEL.xml (without one, the embedded default: the\n"
            "tau_Cstr < tau_CT case of Eckhardt et al. 2023 with a 22 % contact spot).\n"
            "  -o OUT.csv        spectrum file (default spectrum.csv); a series writes\n"
            "                    OUT-1.csv, OUT-2.csv, ...\n"
            "  --plot FILE       Nyquist and Bode plot of every member (SVG, PNG or PDF)\n"
            "  --area            plot area-specific impedance (Ohm cm^2)\n"
            "  --set PATH=V,...  override an attribute, e.g. map.contact-fraction=1,0.5,0.22\n"
            "                    or cell.temperature=-20C,0C,20C; lists of equal length\n"
            "                    make a series, single values apply to every member\n"
            "  --grid            every combination of the --set lists (first list\n"
            "                    slowest) instead of pairing them member by member\n"
            "  --summary FILE    also write the summary table as CSV\n"
            "  --method M        direct: one complex LU per frequency; mor: a reduced-order\n"
            "                    model from a few real factorizations, error-controlled;\n"
            "                    auto (default): mor for 12+ frequencies and 5000+ unknowns\n"
            "                    or when no complex LU fits the memory limit\n"
            "  --tolerance T     mor's target max relative error over the band (default\n"
            "                    1e-6); frequencies whose estimate misses it are solved by LU\n"
            "  --poles FILE      the network's exact relaxation-time spectrum (columns\n"
            "                    tau_s,R_Ohm; POLES-1.csv, ... in a series); implies mor\n"
            "  --backend B       mor's real solver: direct (CHOLMOD's Cholesky), iterative\n"
            "                    (PETSc's CG + algebraic multigrid: less memory on large\n"
            "                    grids; implies mor), auto (default: direct unless its factor\n"
            "                    does not fit the memory limit or iterative is predicted\n"
            "                    faster: zstr info prints both predictions)\n"
            "                    petsc: the distributed sweep, run under mpirun (e.g.\n"
            "                    mpirun -np 4 zstr run MODEL.xml --backend petsc): each\n"
            "                    process builds and assembles only its slab of the grid\n"
            "                    (a generated <volume> is made whole by each); process 0\n"
            "                    alone writes files and prints; implies mor\n"
            "  --petsc-options S expert options of the iterative backend in PETSc's syntax,\n"
            "                    e.g. \"-pc_type hypre\" (BoomerAMG) or \"-ksp_rtol 1e-10\"\n"
            "  --threads N       worker threads for the frequency sweep (default 2)\n"
            "  --quiet           no progress line on stderr\n"
            "  --progress        progress lines on stderr also when it is not a terminal\n"
            "A series whose members differ only in values (temperature, conductivities,\n"
            "interface parameters) reuses the first member's analysis (re-stamping).\n"},
    {"validate", "usage: zstr validate MODEL.xml\n"
                 "\n"
                 "Check MODEL.xml against the schema and the physical rules; print every\n"
                 "independent problem with file:line, exit 0 when the file is valid.  The\n"
                 "voxel grid is not built.\n"},
    {"info", "usage: zstr info MODEL.xml [--set PATH=V]... [--threads N]\n"
             "\n"
             "Describe the model and its network: voxels, unknowns, non-zeros, the\n"
             "predicted factor memory, the measured time of one frequency, grains,\n"
             "realised contact fraction and each process's time constant; predict\n"
             "the time of the whole spectrum and the peak memory per thread and in\n"
             "total on N threads (default 2, as zstr run).\n"},
    {"fields", "usage: zstr fields MODEL.xml --at FREQ -o OUT.vti [--set PATH=V]...\n"
               "\n"
               "Solve at one frequency (a number with a unit, e.g. 10Hz) and write the\n"
               "potential and current density of every voxel (real, imaginary parts and\n"
               "magnitude, for 1 A through the cell) as VTK image data for ParaView, plus\n"
               "the WE interface current map as OUT-we.vti.\n"},
    {"plot", "usage: zstr plot SPECTRUM.csv... -o OUT.svg|png|pdf [--area] [--title T]\n"
             "                 [plot options]\n"
             "\n"
             "Redraw spectrum files written by zstr run (one series per file, legends\n"
             "from their --set lines and realised contact fraction) without computing.\n"},
    {"diagnose",
     "usage: zstr diagnose SPEC1 SPEC2 ... --parameter NAME=V1,V2,... [--decreasing]\n"
     "                     [--plot FIG.svg|png|pdf] [--json]\n"
     "\n"
     "Eckhardt et al. 2023's guideline (Figure 8, Table 1) on a series of one\n"
     "sample under a parameter that changes the contact (pressure, contact\n"
     "fraction; --decreasing when the contact shrinks as it grows): the DRT of\n"
     "each spectrum, its peaks tracked across the series and classified as bulk,\n"
     "gb, charge-transfer (time constant or capacitance invariant) or\n"
     "constriction (vanishes at the highest contact), the dominant interface\n"
     "process and the order of tau_CT and tau_Cstr, with a report of the\n"
     "evidence.  --plot draws the Nyquist plots beside their DRTs (Figure 3).\n"},
    {"help", "usage: zstr help [COMMAND]\n"},
};

static int usage_all(FILE *to)
{
    fprintf(to, "usage: zstr COMMAND [ARGS]\n"
                "\n"
                "commands:\n"
                "  run       compute spectra (series with --set), write CSV and plots\n"
                "  validate  check a model file\n"
                "  info      describe a model's network and time constants\n"
                "  fields    potential and current density maps (VTK) at one frequency\n"
                "  plot      redraw spectrum files (CSV) without recomputing them\n"
                "  morph     microstructure metrics of a model's voxels (--json)\n"
                "  fit       fit an equivalent circuit to a spectrum (--json)\n"
                "  drt       distribution of relaxation times of a spectrum (--json)\n"
                "  kk        Lin-KK test of a spectrum, exit 3 if inconsistent (--json)\n"
                "  arrhenius activation energy from a T_K,R_Ohm table (--json)\n"
                "  diagnose  classify the DRT signals of a series (Figure 8 guideline; --json)\n"
                "  help      help on a command\n"
                "\n"
                "zstr --version prints the program's version and the library's.\n"
                "Exit status: 0 ok, 1 user error, 2 usage error.\n");
    return to == stderr ? EXIT_USAGE : 0;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2)
        return usage_all(stdout);
    if (strcmp(argv[1], "morph") == 0) {
        fputs(zc_morph_help(), stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof help_text / sizeof help_text[0]; i++) {
        if (strcmp(argv[1], help_text[i][0]) == 0) {
            fputs(help_text[i][1], stdout);
            if (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "plot") == 0)
                printf("plot options:\n%s", zc_plot_options_help);
            return 0;
        }
    }
    fprintf(stderr, "zstr: no command '%s'\n", argv[1]);
    return usage_all(stderr);
}

static int usage_of(const char *cmd, const char *why)
{
    fprintf(stderr, "zstr %s: %s\n", cmd, why);
    for (size_t i = 0; i < sizeof help_text / sizeof help_text[0]; i++) {
        if (strcmp(cmd, help_text[i][0]) == 0)
            fputs(help_text[i][1], stderr);
    }
    return EXIT_USAGE;
}

/* ---- run ------------------------------------------------------------------ */

static int cmd_run(int argc, char **argv)
{
    zb_run_args a = {NULL, "spectrum.csv", NULL, NULL, {0}, 2, 0, ZSTR_METHOD_AUTO, 1e-6, NULL, 0,
                     ZSTR_BACKEND_AUTO, NULL, 0, 0, 1};
    zp_options_default(&a.plot_options);
    zb_settings sets = {0};
    char why[512];
    int status = -1, grid = 0;
    for (int i = 1; i < argc && status < 0; i++) {
        const char *arg = argv[i];
        int pr = zc_plot_option(argc, argv, &i, &a.plot_options, why, sizeof why);
        if (pr < 0) {
            status = usage_of("run", why);
        } else if (pr > 0) {
            continue;
        } else if (strcmp(arg, "--grid") == 0) {
            grid = 1;
        } else if (strcmp(arg, "--summary") == 0 && i + 1 < argc) {
            a.summary = argv[++i];
        } else if (strcmp(arg, "-o") == 0 && i + 1 < argc) {
            a.out = argv[++i];
        } else if (strcmp(arg, "--plot") == 0 && i + 1 < argc) {
            if (a.plot != NULL)
                status = usage_of("run", "--plot given twice (one plot per run)");
            a.plot = argv[++i];
        } else if (strcmp(arg, "--set") == 0 && i + 1 < argc) {
            if (zb_settings_add(&sets, argv[++i], why, sizeof why) != 0)
                status = usage_of("run", why);
        } else if (strcmp(arg, "--threads") == 0 && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end != '\0' || t < 1 || t > 256)
                status = usage_of("run", "--threads takes a whole number from 1 to 256");
            a.threads = (int)t;
        } else if (strcmp(arg, "--method") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "auto") == 0)
                a.method = ZSTR_METHOD_AUTO;
            else if (strcmp(v, "direct") == 0)
                a.method = ZSTR_METHOD_DIRECT;
            else if (strcmp(v, "mor") == 0)
                a.method = ZSTR_METHOD_MOR;
            else
                status = usage_of("run", "--method takes auto, direct or mor");
        } else if (strcmp(arg, "--backend") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "auto") == 0)
                a.backend = ZSTR_BACKEND_AUTO;
            else if (strcmp(v, "direct") == 0)
                a.backend = ZSTR_BACKEND_DIRECT;
            else if (strcmp(v, "iterative") == 0)
                a.backend = ZSTR_BACKEND_ITERATIVE;
            else if (strcmp(v, "petsc") == 0)
                a.backend = ZSTR_BACKEND_ITERATIVE, a.distributed = 1;
            else
                status = usage_of("run", "--backend takes auto, direct, iterative or petsc");
        } else if (strcmp(arg, "--petsc-options") == 0 && i + 1 < argc) {
            a.backend_options = argv[++i];
        } else if (strcmp(arg, "--tolerance") == 0 && i + 1 < argc) {
            char *end;
            const char *v = argv[++i];
            double t = strtod(v, &end);
            if (end == v || *end != '\0' || !(t >= 1e-14 && t <= 0.1))
                status = usage_of("run", "--tolerance takes a number from 1e-14 to 0.1");
            a.tolerance = t;
        } else if (strcmp(arg, "--poles") == 0 && i + 1 < argc) {
            a.poles = argv[++i];
        } else if (strcmp(arg, "--progress") == 0) {
            a.progress = 1;
        } else if (strcmp(arg, "--quiet") == 0) {
            a.quiet = 1;
        } else if (strcmp(arg, "--area") == 0) {
            a.plot_options.area_specific = 1;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            snprintf(why, sizeof why, "unknown option '%s'", arg);
            status = usage_of("run", why);
        } else if (a.model == NULL) {
            a.model = arg;
        } else {
            status = usage_of("run", "more than one model file");
        }
    }
    int members = 1;
    if (status < 0 && zb_settings_members(&sets, grid, &members, why, sizeof why) != 0)
        status = usage_of("run", why);
    if (status < 0 && (a.poles != NULL || a.plot_options.kind == ZP_POLES) &&
        a.method == ZSTR_METHOD_DIRECT)
        status = usage_of("run", "--poles and --panels poles need the reduced-order model: not "
                                 "with --method direct");
    if (status < 0 && a.backend == ZSTR_BACKEND_ITERATIVE && a.method == ZSTR_METHOD_DIRECT)
        status = usage_of("run", "--backend iterative solves the reduced-order model's real "
                                 "systems; --method direct is one complex LU per frequency: not "
                                 "together");
    if (status < 0 && a.plot != NULL) {
        const char *dot = strrchr(a.plot, '.');
        if (dot == NULL || (strcasecmp(dot, ".svg") != 0 && strcasecmp(dot, ".png") != 0 &&
                            strcasecmp(dot, ".pdf") != 0))
            status = usage_of("run", "--plot needs a file ending in .svg, .png or .pdf");
    }
    if (status < 0 && a.distributed && a.method == ZSTR_METHOD_DIRECT)
        status = usage_of("run", "--backend petsc is the distributed reduced-order sweep; "
                                 "--method direct is one complex LU per frequency: not together");
    if (status < 0 && a.distributed && !zd_available())
        status = usage_of("run", "--backend petsc: this zstr was built without PETSc and MPI "
                                 "(libzstr-mpi)");
    int started = 0;
    if (status < 0 && a.distributed) {
        a.method = ZSTR_METHOD_MOR;
        if (zd_start(&a.rank, &a.processes, &started, why, sizeof why) != 0) {
            fprintf(stderr, "zstr: run: %s\n", why);
            status = EXIT_USER;
        } else if (a.rank != 0) {
            /* process 0 alone prints; the others' messages are the same */
            a.quiet = 1;
            if (freopen("/dev/null", "w", stdout) == NULL ||
                freopen("/dev/null", "w", stderr) == NULL)
                a.quiet = 1;
        }
    }
    if (status < 0)
        status = zb_run(&a, &sets, members); /* cli/batch.c: preflight, members, outputs */
    zd_stop(started);
    zb_settings_free(&sets);
    return status;
}

/* ---- validate ------------------------------------------------------------- */

static void print_problem(void *ctx, const zstr_error *e)
{
    (*(int *)ctx)++;
    report(e);
}

/* Every independent problem, each on its own line; the grid is never built
 * (zm_load_all checks all a run would, the interface maps and the frequency
 * list included), so an untrusted file cannot make validation allocate it. */
static int cmd_validate(int argc, char **argv)
{
    if (argc != 2)
        return usage_of("validate", "expected exactly one model file");
    zm_file *f = NULL;
    zstr_error e;
    int problems = 0;
    int rc = zm_load_all(argv[1], &f, print_problem, &problems, &e);
    if (rc == ZSTR_OK) {
        double *fr = NULL;
        int64_t nf = 0;
        rc = zm_build(f, NULL, &fr, &nf, &e); /* the frequency list only */
        free(fr);
        if (rc != ZSTR_OK)
            print_problem(&problems, &e);
    }
    if (rc == ZSTR_OK) {
        zb_print_warnings(f, 0, 1);
        printf("%s: valid\n", zm_name(f));
    } else if (problems > 1) {
        fprintf(stderr, "zstr: %s: %d problems\n", argv[1], problems);
    }
    zm_free(f);
    return rc == ZSTR_OK ? 0 : EXIT_USER;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- info ----------------------------------------------------------------- */

static void print_time_constants(const zstr_model *m)
{
    double t = zstr_model_get_temperature(m);
    printf("time constants at %.2f K:\n", t);
    for (int k = 0; k < zstr_model_phase_count(m); k++) {
        zstr_phase_params p;
        if (zstr_model_get_phase(m, k, &p, NULL) != ZSTR_OK)
            continue;
        double s = p.conductivity * (p.reference_temperature / t) *
                   exp(-p.activation_energy / ZSTR_KBOLTZ_EV * (1 / t - 1 / p.reference_temperature));
        if (s > 0)
            printf("  tau_%-10s = eps0 eps_r / sigma = %.4g s (f = %.4g Hz)\n", p.name,
                   ZSTR_EPSILON0 * p.permittivity / s,
                   s / (2 * 3.14159265358979323846 * ZSTR_EPSILON0 * p.permittivity));
        else
            printf("  tau_%-10s = infinite (insulator)\n", p.name);
    }
    static const char *const el[2] = {"WE", "CE"};
    for (int e = 0; e < 2; e++) {
        zstr_interface_params ip;
        if (zstr_model_get_interface(m, e, &ip) != ZSTR_OK)
            continue;
        double tr = ip.reference_temperature, kb = ZSTR_KBOLTZ_EV;
        double fc = (tr / t) * exp(-ip.contact_activation_energy / kb * (1 / t - 1 / tr));
        double fs = (tr / t) * exp(-ip.sei_activation_energy / kb * (1 / t - 1 / tr));
        if (ip.contact_resistance > 0 && ip.contact_capacitance > 0)
            printf("  tau_CT(%s)    = R_pol C_DL = %.4g s\n", el[e],
                   ip.contact_resistance / fc * ip.contact_capacitance);
        if (ip.sei_resistance > 0 && ip.sei_capacitance > 0)
            printf("  tau_SEI(%s)   = R_SEI C_SEI = %.4g s\n", el[e],
                   ip.sei_resistance / fs * ip.sei_capacitance);
    }
    printf("  (tau_Cstr depends on the geometry: fit the spectrum)\n");
}

/* One real factorization of the reduced-order sweep, timed: the smallest
 * reduced model (two shifts) of the band, halved. */
static int time_mor_factor(const zstr_plan *plan, const double *f, int64_t nf, double *t,
                           zstr_error *e)
{
    int64_t k = 0;
    while (k < nf && !(f[k] > 0.0))
        k++;
    if (k == nf)
        return ZSTR_OK; /* DC only: no reduced model */
    zstr_rom_options ro;
    zstr_rom_options_default(&ro);
    ro.max_shifts = 2;
    zstr_rom *rom = NULL;
    double t0 = now();
    int rc = zstr_rom_create(plan, nf, f, &ro, &rom, e);
    if (rc == ZSTR_OK) {
        zstr_rom_info ri;
        zstr_rom_info_init(&ri);
        zstr_rom_get_info(rom, &ri);
        *t = (now() - t0) / (double)(ri.factorizations > 0 ? ri.factorizations : 1);
    } else if (rc == ZSTR_EMEMLIMIT || rc == ZSTR_EINVAL) {
        printf("reduced-order model (mor): not possible here: %s\n", e->message);
        rc = ZSTR_OK;
    }
    zstr_rom_free(rom);
    return rc;
}

static void print_direct_prediction(const zstr_plan_info *in, const zstr_factor_info *fi,
                                    double t_lu, int64_t nf, int threads)
{
    printf("direct (one complex LU per frequency):\n");
    if (t_lu < 0.0) {
        printf("  does not fit the memory limit: one LU needs %.4g MB beside the plan's %.4g "
               "MB, the limit is %.4g MB (zstr run computes by mor)\n",
               in->predicted_peak_bytes / 1e6, in->plan_bytes / 1e6, in->memory_limit / 1e6);
        return;
    }
    printf("  predicted factor: %.4g MB; measured nnz(L+U) %.4g, %.4g MB\n",
           in->predicted_bytes / 1e6, fi->lu_nnz, fi->bytes / 1e6);
    printf("  plan %.4g MB; one frequency at its peak %.4g MB; limit %.4g MB "
           "(%d at a time)\n",
           in->plan_bytes / 1e6, in->predicted_peak_bytes / 1e6, in->memory_limit / 1e6,
           in->max_threads);
    printf("  time per frequency (measured at 1 kHz): %.3g s; %lld frequencies\n", t_lu,
           (long long)nf);
    zr_print_estimate(stdout, t_lu, nf, threads, in->predicted_peak_bytes, in->plan_bytes);
    if (threads > in->max_threads)
        printf("  (only %d frequenc%s fit the memory limit at a time)\n", in->max_threads,
               in->max_threads == 1 ? "y" : "ies");
}

/* The paper's models need 6–10 real factorizations for the default
 * tolerance (bench/RESULTS.md, tests/cli_mor.sh): the prediction is that
 * range, whatever the number of frequencies. */
#define ZSTR_MOR_FACTORIZATIONS_LO 6
#define ZSTR_MOR_FACTORIZATIONS_HI 10

static void print_mor_prediction(const zstr_plan *plan, const zstr_plan_info *in, double t_chol,
                                 int64_t nf)
{
    if (t_chol < 0.0)
        return;
    const int iterative = in->backend == ZSTR_BACKEND_ITERATIVE;
    printf("reduced-order model (mor, tolerance 1e-6):\n");
    printf("  backend (auto's choice): %s; %s\n",
           iterative ? "iterative, PETSc's CG with algebraic multigrid"
                     : "direct, CHOLMOD's sparse Cholesky",
           !zstr_backend_available(ZSTR_BACKEND_ITERATIVE) ? "this build has no iterative backend"
           : iterative ? "--backend direct takes CHOLMOD instead"
                       : "--backend iterative takes PETSc's CG instead");
    double td, ti, lu;
    if (zstr_plan_solver_stat_named(plan, "auto.direct_shift_seconds", &td) == ZSTR_OK &&
        zstr_plan_solver_stat_named(plan, "auto.iterative_shift_seconds", &ti) == ZSTR_OK)
        printf("  auto's prediction of one shift: CHOLMOD %.3g s, iterative %.3g s (the iterative "
               "backend when CHOLMOD's is over 1.5 times, or does not fit)\n",
               td, ti);
    else if (zstr_plan_solver_stat_named(plan, "auto.estimated_lu_nnz", &lu) == ZSTR_OK)
        printf("  auto took the iterative backend from the grid alone, without CHOLMOD's "
               "analysis: its shift estimated over 10 times the iterative one, and no complex LU "
               "fits\n");
    printf("  one %s with its two solves (measured): %.3g s\n",
           iterative ? "multigrid set-up" : "real Cholesky factorization", t_chol);
    printf("  predicted time of the spectrum: %.3g to %.3g s for %lld frequencies "
           "(%d to %d factorizations, as on the paper's models; one thread)\n",
           ZSTR_MOR_FACTORIZATIONS_LO * t_chol, ZSTR_MOR_FACTORIZATIONS_HI * t_chol,
           (long long)nf, ZSTR_MOR_FACTORIZATIONS_LO, ZSTR_MOR_FACTORIZATIONS_HI);
    printf("  predicted memory at its peak: %.4g MB (the plan's %.4g MB, %s, the basis)\n",
           (in->plan_bytes + in->predicted_mor_bytes) / 1e6, in->plan_bytes / 1e6,
           iterative ? "the operator and its multigrid hierarchy" : "one real factor");
}

static int cmd_info(int argc, char **argv)
{
    const char *model = NULL;
    zb_settings sets = {0};
    int threads = 2;
    char why[512];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end != '\0' || t < 1 || t > 256) {
                zb_settings_free(&sets);
                return usage_of("info", "--threads takes a whole number from 1 to 256");
            }
            threads = (int)t;
        } else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
            if (zb_settings_add(&sets, argv[++i], why, sizeof why) != 0) {
                zb_settings_free(&sets);
                return usage_of("info", why);
            }
            if (sets.v[sets.n - 1].n != 1) {
                zb_settings_free(&sets);
                return usage_of("info", "--set takes one value here");
            }
        } else if (argv[i][0] != '-' && model == NULL) {
            model = argv[i];
        } else {
            zb_settings_free(&sets);
            return usage_of("info", "expected MODEL.xml [--set PATH=V]...");
        }
    }
    if (model == NULL) {
        zb_settings_free(&sets);
        return usage_of("info", "expected a model file");
    }
    zm_file *f = NULL;
    zstr_model *m = NULL;
    zstr_plan *plan = NULL;
    zstr_workspace *ws = NULL;
    double *fr = NULL;
    int64_t nf = 0;
    zstr_error e;
    int rc = zb_load_member(model, &sets, 0, &f, &e);
    if (rc == ZSTR_OK) {
        zb_print_warnings(f, 0, 1);
        rc = zm_build(f, &m, &fr, &nf, &e);
    }
    if (rc == ZSTR_OK) {
        size_t need = zstr_model_describe(m, NULL, 0);
        char *buf = malloc(need + 1);
        if (buf != NULL) {
            zstr_model_describe(m, buf, need + 1);
            fputs(buf, stdout);
            free(buf);
        }
        print_time_constants(m);
        rc = zstr_plan_create(m, NULL, &plan, &e);
    }
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    if (rc == ZSTR_OK)
        zstr_plan_get_info(plan, &in);
    /* direct: one complex LU at 1 kHz, timed (when one fits the limit) */
    double t_lu = -1.0;
    zstr_factor_info fi;
    zstr_factor_info_init(&fi);
    if (rc == ZSTR_OK && in.direct_fits) {
        rc = zstr_workspace_create(plan, &ws, &e);
        double z[2], t0 = now();
        if (rc == ZSTR_OK)
            rc = zstr_execute(plan, ws, 1e3, z, &e);
        t_lu = now() - t0;
        if (rc == ZSTR_OK)
            zstr_workspace_factor_info(ws, &fi);
    }
    /* mor: the smallest reduced model (two real factorizations), timed */
    double t_chol = -1.0;
    if (rc == ZSTR_OK)
        rc = time_mor_factor(plan, fr, nf, &t_chol, &e);
    if (rc == ZSTR_OK) {
        printf("network:\n");
        printf("  unknowns %lld (voxels %lld, internal nodes %lld), branches %lld, nnz %lld\n",
               (long long)in.n_unknowns, (long long)in.n_voxels, (long long)in.n_internal,
               (long long)in.n_branches, (long long)in.nnz);
        printf("  floating at DC %lld nodes, open circuit: %s\n", (long long)in.n_floating,
               in.open_circuit ? "yes" : "no");
        printf("  ordering %s, symbolic analysis %.3g s\n",
               in.ordering == ZSTR_ORDERING_AMD ? "AMD" : "METIS", in.analysis_seconds);
        const char *sname;
        double sval;
        for (int k = 0; zstr_plan_solver_stat(plan, k, &sname, &sval) == ZSTR_OK; k++)
            printf("  %s %.4g\n", sname, sval);
        printf("  contact fraction: WE %.4f, CE %.4f\n", in.contact_fraction[ZSTR_WE],
               in.contact_fraction[ZSTR_CE]);
        print_direct_prediction(&in, &fi, t_lu, nf, threads);
        print_mor_prediction(plan, &in, t_chol, nf);
        int auto_method = zstr_sweep_method(plan, nf, fr, ZSTR_METHOD_AUTO);
        printf("zstr run (--method auto) computes this spectrum by %s\n",
               auto_method == ZSTR_METHOD_MOR ? "mor" : "direct");
        zb_warn_contact(f, in.contact_fraction, 0, 1);
    } else {
        report(&e);
    }
    free(fr);
    zstr_workspace_free(ws);
    zstr_plan_free(plan);
    zstr_model_free(m);
    zm_free(f);
    zb_settings_free(&sets);
    return rc == ZSTR_OK ? 0 : EXIT_USER;
}

/* ---- fields --------------------------------------------------------------- */

static int cmd_fields(int argc, char **argv)
{
    const char *model = NULL, *out = NULL, *at = NULL;
    zb_settings sets = {0};
    char why[512];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
            if (zb_settings_add(&sets, argv[++i], why, sizeof why) != 0) {
                zb_settings_free(&sets);
                return usage_of("fields", why);
            }
            if (sets.v[sets.n - 1].n != 1) {
                zb_settings_free(&sets);
                return usage_of("fields", "--set takes one value here");
            }
        } else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
            at = argv[++i];
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] != '-' && model == NULL) {
            model = argv[i];
        } else {
            zb_settings_free(&sets);
            return usage_of("fields", "expected MODEL.xml --at FREQ -o OUT.vti");
        }
    }
    if (model == NULL || out == NULL || at == NULL) {
        zb_settings_free(&sets);
        return usage_of("fields", "MODEL.xml, --at FREQ and -o OUT.vti are required");
    }
    double freq = 0.0;
    int bad = zu_parse(at, ZU_FREQUENCY, &freq, why, sizeof why) != 0;
    if (bad || !(freq > 0.0)) {
        fprintf(stderr, "zstr: --at %s: %s\n", at, bad ? why : "a frequency > 0 is needed");
        zb_settings_free(&sets);
        return EXIT_USER;
    }
    char wepath[4096];
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    if (dot == NULL || (slash != NULL && dot < slash))
        snprintf(wepath, sizeof wepath, "%s-we.vti", out);
    else
        snprintf(wepath, sizeof wepath, "%.*s-we%s", (int)(dot - out), out, dot);
    zm_file *f = NULL;
    zstr_model *m = NULL;
    zstr_plan *plan = NULL;
    zstr_workspace *ws = NULL;
    double *pot = NULL, *cd = NULL, *wec = NULL, z[2];
    zstr_error e;
    int rc = zb_load_member(model, &sets, 0, &f, &e);
    if (rc == ZSTR_OK) {
        zb_print_warnings(f, 0, 1);
        rc = zm_build(f, &m, NULL, NULL, &e);
    }
    if (rc == ZSTR_OK)
        rc = zstr_plan_create(m, NULL, &plan, &e);
    if (rc == ZSTR_OK)
        rc = zstr_workspace_create(plan, &ws, &e);
    if (rc == ZSTR_OK)
        rc = zstr_execute(plan, ws, freq, z, &e);
    int64_t n[3];
    double h[3];
    zstr_model_get_grid(m, n, h);
    if (rc == ZSTR_OK) {
        size_t nv = (size_t)(n[0] * n[1] * n[2]), np = (size_t)(n[0] * n[1]);
        pot = malloc(sizeof(double) * 2 * nv);
        cd = malloc(sizeof(double) * 6 * nv);
        wec = malloc(sizeof(double) * 2 * np);
        if (pot == NULL || cd == NULL || wec == NULL) {
            rc = ZSTR_ENOMEM;
            snprintf(e.message, sizeof e.message, "out of memory for the fields");
        }
    }
    if (rc == ZSTR_OK)
        rc = zstr_fields(plan, ws, pot, cd, wec, &e);
    if (rc == ZSTR_OK) {
        zv_fields vf = {{n[0], n[1], n[2]}, {h[0], h[1], h[2]}, freq, pot, cd, wec,
                        zstr_model_labels(m), zstr_model_grain_ids(m),
                        zstr_model_interface_pixels(m, ZSTR_WE)};
        char msg[512];
        if (zv_write_volume(out, &vf, msg, sizeof msg) != 0 ||
            zv_write_interface(wepath, &vf, msg, sizeof msg) != 0) {
            fprintf(stderr, "zstr: %s\n", msg);
            remove(out); /* both files or neither */
            rc = ZSTR_EIO;
        } else {
            printf("%s: Z(%g Hz) = %.8g %+.8gj Ohm; wrote %s and %s\n", zm_name(f), freq, z[0],
                   z[1], out, wepath);
        }
    } else {
        report(&e);
    }
    free(pot);
    free(cd);
    free(wec);
    zstr_workspace_free(ws);
    zstr_plan_free(plan);
    zstr_model_free(m);
    zm_free(f);
    zb_settings_free(&sets);
    return rc == ZSTR_OK ? 0 : EXIT_USER;
}

static int run_command(const char *c, int argc, char **argv);

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_all(stderr);
    const char *c = argv[1];
    one_blas_thread();
    return_large_frees();
    /* SIGINT, SIGTERM, SIGHUP remove the temporaries of unfinished outputs */
    zo_guard guard;
    if (zo_guard_install(&guard) != 0) {
        fprintf(stderr, "zstr: cannot install the signal handlers: %s\n", strerror(errno));
        return EXIT_USER;
    }
    int rc = run_command(c, argc, argv);
    zo_guard_remove(&guard);
    return rc;
}

/* The command named by argv[1]. */
static int run_command(const char *c, int argc, char **argv)
{
    if (strcmp(c, "--version") == 0 || strcmp(c, "version") == 0) {
        /* the program's version (set by the Makefile) and the library's it runs with */
        printf("zstr %s (libzstr %s)\n", ZSTR_PROGRAM_VERSION, zstr_version_string());
        return 0;
    }
    if (strcmp(c, "help") == 0 || strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0)
        return cmd_help(argc - 1, argv + 1);
    if (strcmp(c, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(c, "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);
    if (strcmp(c, "info") == 0)
        return cmd_info(argc - 1, argv + 1);
    if (strcmp(c, "fields") == 0)
        return cmd_fields(argc - 1, argv + 1);
    if (strcmp(c, "plot") == 0)
        return zc_cmd_plot(argc - 1, argv + 1);
    if (strcmp(c, "morph") == 0)
        return zc_cmd_morph(argc - 1, argv + 1);
    if (strcmp(c, "fit") == 0)
        return zc_cmd_fit(argc - 1, argv + 1);
    if (strcmp(c, "drt") == 0)
        return zc_cmd_drt(argc - 1, argv + 1);
    if (strcmp(c, "kk") == 0)
        return zc_cmd_kk(argc - 1, argv + 1);
    if (strcmp(c, "arrhenius") == 0)
        return zc_cmd_arrhenius(argc - 1, argv + 1);
    if (strcmp(c, "diagnose") == 0)
        return zc_cmd_diagnose(argc - 1, argv + 1);
    fprintf(stderr, "zstr: unknown command '%s'\n", c);
    return usage_all(stderr);
}
