/*
 * zstr_bench.c — how plan, factorization and DC solve scale with the grid, and
 * which fill-reducing ordering (AMD or METIS) the library should default to.
 *
 * Concept
 * -------
 * One *case* is (n, ordering): an n × n × n voxel model of a (100 µm)³ cube is
 * built, planned with that ordering, executed at k frequencies (default 1 Hz,
 * 1 kHz, 1 MHz) and solved at DC.  Per case the bench reports the size of the
 * problem (unknowns, nnz(Y)), the plan's prediction of the complex LU
 * (nnz(L+U), bytes; zstr_plan_info), what the factorization really took
 * (zstr_workspace_factor_info after the first execute), UMFPACK's own
 * estimate, the wall times (plan create, symbolic analysis, median numeric +
 * solve per frequency, CHOLMOD DC) and the peak resident memory.
 *
 * Isolation.  Every case runs in its own forked child, so its peak RSS
 * (ru_maxrss from wait4()) is its own and not the high-water mark of an
 * earlier, larger case, and a case that dies (out of memory, timeout) cannot
 * take the others with it.  The child sends its figures back as one fixed-size
 * record through a pipe; the parent (which allocates almost nothing, so the
 * forked image is small) collects the records and prints the tables.
 *
 * Memory guard.  memory_limit (-m GiB, default 16) goes into
 * zstr_options.memory_limit, so zstr_plan_create() itself refuses a case whose
 * predicted factorization does not fit; such cases are listed as skipped.  The
 * prediction is only as good as the library's bytes-per-entry constant, which
 * this bench measures, so each child also runs under an address-space cap
 * (-a GiB, default 1.25 × the limit): a case the prediction lets through that
 * then needs far more fails with ENOMEM instead of pushing a shared machine
 * into its OOM killer.
 *
 * Models.  The default is the constriction model of examples/constriction.c
 * (Eckhardt et al. 2023, Fig. 3, case 1): bulk σ = 0.046 S/m, ε_r = 150,
 * E_a = 0.34 eV; grain-boundary phase σ = 5.97e-4 S/m, ε_r = 150, E_a = 0.43 eV,
 * 10 nm thick, on Voronoi grains of mean size 10 µm (so the grain-boundary
 * branches add internal nodes); the WE touches through a centred square contact
 * spot of 22 % (R_pol = 0.5e-4 Ω·m², C_DL = 1.77e4 F/m²) and the rest is pores
 * (C_pore = 8.85 F/m²); the CE is ideal.  --homogeneous uses the bulk phase
 * alone between two ideal electrodes.
 *
 * Usage
 * -----
 *   zstr_bench [-n LIST] [-O amd|metis|both] [-k K] [-m GiB] [-a GiB]
 *              [-T SECONDS] [-s SEED] [--homogeneous]
 *
 *   -n LIST        grid sizes, comma- or space-separated (default 16,24,32,48,64)
 *   -O ORDER       amd, metis or both (default both)
 *   -k K           frequencies per case, log-spaced 1 Hz .. 1 MHz (default 3;
 *                  K = 1 is 1 kHz)
 *   -m GiB         memory limit of one factorization (default 16)
 *   -a GiB         address-space cap of a case's process (default 1.25 × -m;
 *                  0 = none)
 *   -T SECONDS     kill a case after this wall time (default 0 = never)
 *   -s SEED        Voronoi seed (default 1)
 *   --homogeneous  one phase, ideal electrodes, no grains
 *
 * Output: Markdown on stdout (the machine line, then the tables); one progress
 * line per case on stderr.  Versions of SuiteSparse and OpenBLAS are not
 * visible through the public API; bench/run.sh prints them from dpkg.
 *
 * Only the public header is used, as an application would.
 */
#define _DEFAULT_SOURCE /* wait4() under -std=c11 -D_POSIX_C_SOURCE */

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paper_model.h"
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zstr.h>

#define MAX_SIZES 64
#define MAX_FREQ 32
#define GIB (1024.0 * 1024.0 * 1024.0)
#define MIB (1024.0 * 1024.0)

/* ------------------------------------------------------------------------- */
/* Settings and per-case records                                             */
/* ------------------------------------------------------------------------- */

typedef struct settings {
    int64_t sizes[MAX_SIZES];
    int nsizes;
    int orderings[2];
    int norderings;
    int nfreq;
    double limit_gib;
    double as_gib; /* < 0: default (1.25 × limit) */
    unsigned timeout;
    uint64_t seed;
    int homogeneous;
} settings;

/* Where a case stopped; "done" when it ran to the end. */
typedef enum stage { ST_MODEL, ST_PLAN, ST_WORKSPACE, ST_EXECUTE, ST_DC, ST_DONE } stage;
static const char *const stage_name[] = {"model", "plan", "workspace", "execute", "dc", "done"};

/* What the child sends back: plain data, same binary on both ends of the pipe. */
typedef struct record {
    int status; /* ZSTR_OK or the status of the failing call */
    int stage;  /* enum stage reached */
    char message[512];
    int64_t n_grains;
    double model_seconds; /* model + Voronoi + interface map */
    double plan_seconds;  /* zstr_plan_create wall time */
    double plan_cpu;      /* ... and its CPU time */
    zstr_plan_info info;
    double predicted_lu_nnz; /* the backend's figures (zstr_plan_solver_stat) */
    double umfpack_estimate_bytes;
    double hwm_plan_mib; /* peak RSS (VmHWM) once the plan exists, before any execute */
    int nfreq;
    double freq[MAX_FREQ];
    double exec_seconds[MAX_FREQ];    /* zstr_execute wall time */
    double exec_cpu[MAX_FREQ];        /* zstr_execute CPU time */
    double numeric_seconds[MAX_FREQ]; /* from zstr_workspace_factor_info */
    double solve_seconds[MAX_FREQ];
    double lu_nnz[MAX_FREQ];
    double factor_bytes[MAX_FREQ];
    double z[2 * MAX_FREQ];
    zstr_dc_result dc;
} record;

typedef struct outcome {
    int64_t n;
    int ordering;
    int have_record; /* the child sent a full record */
    record r;
    int exit_code;   /* -1 when killed by a signal */
    int signal;
    double rss_mib;  /* ru_maxrss of the child */
    double cpu_seconds; /* user + system time of the child */
    double wall_seconds;
    double load_before; /* 1-minute load average when the case started */
} outcome;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CPU time of the whole process, every thread (OpenBLAS's included): on a
 * shared machine it moves less with other people's load than wall time does. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Frequency k of a case: K log-spaced over 1 Hz .. 1 MHz; K = 1 is 1 kHz. */
static double frequency(const settings *s, int k)
{
    return s->nfreq == 1 ? 1e3 : pow(10.0, 6.0 * (double)k / (double)(s->nfreq - 1));
}

static const char *ordering_name(int o)
{
    return o == ZSTR_ORDERING_AMD ? "AMD" : o == ZSTR_ORDERING_METIS ? "METIS" : "default";
}

/* ------------------------------------------------------------------------- */
/* The case itself (runs in the child)                                       */
/* ------------------------------------------------------------------------- */

/* The process's peak resident set so far (VmHWM, Linux), in MiB; -1 if unknown. */
static double vm_hwm_mib(void)
{
    char line[256];
    double kib = -1.0;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1.0;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %lf kB", &kib) == 1)
            break;
    fclose(f);
    return kib < 0.0 ? -1.0 : kib / 1024.0;
}

static int build_model(const settings *s, int64_t n, zstr_model **out, int64_t *ngrains,
                       zstr_error *err)
{
    return bench_paper_model(n, s->seed, s->homogeneous, out, ngrains, err);
}

static void run_case(const settings *s, int64_t n, int ordering, const double *freq,
                     record *r)
{
    zstr_error err;
    zstr_model *m = NULL;
    zstr_plan *plan = NULL;
    zstr_workspace *ws = NULL;
    memset(r, 0, sizeof *r);
    memset(&err, 0, sizeof err);
    r->nfreq = s->nfreq;
    memcpy(r->freq, freq, sizeof(double) * (size_t)s->nfreq);

    r->stage = ST_MODEL;
    double t0 = now();
    int rc = build_model(s, n, &m, &r->n_grains, &err);
    r->model_seconds = now() - t0;
    if (rc != ZSTR_OK)
        goto done;

    r->stage = ST_PLAN;
    zstr_options o;
    zstr_options_default(&o);
    o.ordering = ordering;
    o.memory_limit = s->limit_gib * GIB;
    t0 = now();
    double c0 = cpu_now();
    rc = zstr_plan_create(m, &o, &plan, &err);
    r->plan_cpu = cpu_now() - c0;
    r->plan_seconds = now() - t0;
    if (rc != ZSTR_OK)
        goto done;
    zstr_plan_info_init(&r->info);
    zstr_plan_get_info(plan, &r->info);
    const char *sname;
    double sval;
    for (int k = 0; zstr_plan_solver_stat(plan, k, &sname, &sval) == ZSTR_OK; k++) {
        if (strcmp(sname, "umfpack.predicted_lu_nnz") == 0)
            r->predicted_lu_nnz = sval;
        else if (strcmp(sname, "umfpack.estimate_bytes") == 0)
            r->umfpack_estimate_bytes = sval;
    }
    /* the model is not needed any more; give its memory back before factoring */
    zstr_model_free(m);
    m = NULL;
    r->hwm_plan_mib = vm_hwm_mib();

    r->stage = ST_WORKSPACE;
    if ((rc = zstr_workspace_create(plan, &ws, &err)) != ZSTR_OK)
        goto done;

    r->stage = ST_EXECUTE;
    for (int k = 0; k < s->nfreq; k++) {
        t0 = now();
        c0 = cpu_now();
        rc = zstr_execute(plan, ws, freq[k], &r->z[2 * k], &err);
        r->exec_cpu[k] = cpu_now() - c0;
        r->exec_seconds[k] = now() - t0;
        if (rc != ZSTR_OK)
            goto done;
        zstr_factor_info fi;
        zstr_factor_info_init(&fi);
        zstr_workspace_factor_info(ws, &fi);
        r->numeric_seconds[k] = fi.numeric_seconds;
        r->solve_seconds[k] = fi.solve_seconds;
        r->lu_nnz[k] = fi.lu_nnz;
        r->factor_bytes[k] = fi.bytes;
    }
    /* the DC solve is measured on its own, not with a Numeric object alive */
    zstr_workspace_free(ws);
    ws = NULL;

    r->stage = ST_DC;
    zstr_dc_result_init(&r->dc);
    rc = zstr_dc_resistance(plan, &r->dc, &err);
    if (rc < 0)
        goto done;
    r->stage = ST_DONE;
done:
    r->status = rc;
    if (rc != ZSTR_OK)
        snprintf(r->message, sizeof r->message, "%s", err.message);
    zstr_workspace_free(ws);
    zstr_plan_free(plan);
    zstr_model_free(m);
}

/* ------------------------------------------------------------------------- */
/* Process isolation: fork, pipe, wait4                                      */
/* ------------------------------------------------------------------------- */

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static size_t read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, p + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got;
}

static double load_average(void)
{
    double l = -1.0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f != NULL) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1.0;
        fclose(f);
    }
    return l;
}

static int fork_case(const settings *s, int64_t n, int ordering, const double *freq,
                     outcome *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    out->ordering = ordering;
    out->load_before = load_average();
    int fd[2];
    if (pipe(fd) != 0) {
        fprintf(stderr, "zstr_bench: pipe: %s\n", strerror(errno));
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "zstr_bench: fork: %s\n", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        close(fd[0]);
        double as = s->as_gib < 0.0 ? 1.25 * s->limit_gib : s->as_gib;
        if (as > 0.0) {
            struct rlimit rl;
            rl.rlim_cur = rl.rlim_max = (rlim_t)(as * GIB);
            if (setrlimit(RLIMIT_AS, &rl) != 0)
                _exit(3);
        }
        if (s->timeout > 0)
            alarm(s->timeout); /* SIGALRM's default action ends the child */
        record *r = calloc(1, sizeof *r);
        if (r == NULL)
            _exit(4);
        run_case(s, n, ordering, freq, r);
        int bad = write_all(fd[1], r, sizeof *r);
        free(r);
        close(fd[1]);
        _exit(bad ? 5 : 0);
    }
    close(fd[1]);
    size_t got = read_all(fd[0], &out->r, sizeof out->r);
    close(fd[0]);
    int wstatus = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &wstatus, 0, &ru) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "zstr_bench: wait4: %s\n", strerror(errno));
            return -1;
        }
    }
    out->wall_seconds = now() - t0;
    out->have_record = got == sizeof out->r;
    out->rss_mib = (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
    out->cpu_seconds = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                       (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    if (WIFEXITED(wstatus)) {
        out->exit_code = WEXITSTATUS(wstatus);
    } else {
        out->exit_code = -1;
        out->signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Reporting                                                                 */
/* ------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double t[MAX_FREQ];
    if (n <= 0)
        return NAN;
    memcpy(t, v, sizeof(double) * (size_t)n);
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

/* numeric + solve per frequency, and its median */
static double factor_solve_median(const record *r)
{
    double v[MAX_FREQ];
    for (int k = 0; k < r->nfreq; k++)
        v[k] = r->numeric_seconds[k] + r->solve_seconds[k];
    return median(v, r->nfreq);
}

static int case_ok(const outcome *o)
{
    return o->have_record && o->r.stage == ST_DONE;
}

/* the record's status and message, or why no record came back */
static void describe_failure(const outcome *o, char *buf, size_t size)
{
    if (o->have_record && o->r.status == ZSTR_EMEMLIMIT)
        snprintf(buf, size, "skipped by zstr_plan_create: %s", o->r.message);
    else if (o->have_record)
        snprintf(buf, size, "failed in %s: %s (%s)", stage_name[o->r.stage],
                 zstr_strerror(o->r.status), o->r.message);
    else if (o->exit_code == -1 && o->signal == SIGALRM)
        snprintf(buf, size, "timed out after %.0f s", o->wall_seconds);
    else if (o->exit_code == -1)
        snprintf(buf, size, "killed by signal %d (%s) after %.0f s, peak RSS %.0f MiB",
                 o->signal, strsignal(o->signal), o->wall_seconds, o->rss_mib);
    else
        snprintf(buf, size, "child exited with code %d and no record", o->exit_code);
}

static void print_machine(const settings *s, int argc, char **argv)
{
    struct utsname u;
    char cpu[256] = "unknown", line[512];
    double memtotal_kib = 0.0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f != NULL) {
        while (fgets(line, sizeof line, f) != NULL) {
            char *c = strchr(line, ':');
            if (strncmp(line, "model name", 10) == 0 && c != NULL) {
                snprintf(cpu, sizeof cpu, "%s", c + 2);
                cpu[strcspn(cpu, "\n")] = '\0';
                break;
            }
        }
        fclose(f);
    }
    f = fopen("/proc/meminfo", "r");
    if (f != NULL) {
        while (fgets(line, sizeof line, f) != NULL)
            if (sscanf(line, "MemTotal: %lf kB", &memtotal_kib) == 1)
                break;
        fclose(f);
    }
    char date[64] = "?";
    time_t t = time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm) != NULL)
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    printf("## zstr_bench — libzstr %s\n\n", zstr_version_string());
    printf("- command:");
    for (int i = 0; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n- date: %s\n", date);
    if (uname(&u) == 0)
        printf("- machine: %s %s %s %s\n", u.sysname, u.release, u.version, u.machine);
    printf("- CPU: %s; %ld online cores; MemTotal %.1f GiB\n", cpu,
           sysconf(_SC_NPROCESSORS_ONLN), memtotal_kib / (1024.0 * 1024.0));
    const char *obt = getenv("OPENBLAS_NUM_THREADS");
    printf("- OPENBLAS_NUM_THREADS=%s\n", obt != NULL ? obt : "(unset)");
    double as = s->as_gib < 0.0 ? 1.25 * s->limit_gib : s->as_gib;
    printf("- model: %s; %d frequencies per case; memory limit %.3g GiB; address-space cap "
           "%.3g GiB (0 = none); timeout %u s (0 = none)\n",
           s->homogeneous ? "homogeneous bulk, ideal electrodes"
                          : "polycrystal (Voronoi 10 um, GB 10 nm) + 22 % square contact, pores",
           s->nfreq, s->limit_gib, as, s->timeout);
    if (!s->homogeneous)
        printf("- Voronoi seed %llu\n", (unsigned long long)s->seed);
    printf("\n");
}

static void print_tables(const settings *s, const outcome *o, int no)
{
    printf("### Size, prediction and cost per case\n\n");
    printf("Bytes are MiB. *pred* from zstr_plan_info (CHOLMOD count, 2·nnz(L) − n, "
           "× ZS_BYTES_PER_LU_ENTRY); *actual* from zstr_workspace_factor_info after the "
           "first execute; *UMF est* is UMFPACK's symbolic estimate; *plan* is the "
           "wall time of zstr_plan_create (assembly, CHOLMOD analysis, UMFPACK symbolic); "
           "*symb* is the UMFPACK symbolic part; *fact+solve* is the median over the "
           "frequencies of numeric + solve (wall); *exec CPU* is the median process CPU "
           "time of one zstr_execute (all threads); *DC* is zstr_dc_resistance (CHOLMOD "
           "analyse, factor, solve); *RSS* is the child's peak resident set.\n\n");
    printf("| n | ordering | unknowns | nnz(Y) | pred nnz(L+U) | pred MiB | actual nnz(L+U) "
           "| actual MiB | UMF est MiB | plan s | symb s | fact+solve s | exec CPU s | DC s "
           "| peak RSS MiB |\n");
    printf("|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < no; i++) {
        const outcome *c = &o[i];
        if (!case_ok(c)) {
            printf("| %lld | %s | %s |  |  |  |  |  |  |  |  |  |  |  | %.0f |\n",
                   (long long)c->n, ordering_name(c->ordering),
                   c->have_record && c->r.status == ZSTR_EMEMLIMIT ? "skipped (limit)"
                                                                   : "failed (see below)",
                   c->rss_mib);
            continue;
        }
        const record *r = &c->r;
        const zstr_plan_info *in = &r->info;
        printf("| %lld | %s | %lld | %lld | %.4g | %.1f | %.4g | %.1f | %.1f | %.2f | %.2f | "
               "%.3f | %.3f | %.3f | %.1f |\n",
               (long long)c->n, ordering_name(in->ordering), (long long)in->n_unknowns,
               (long long)in->nnz, r->predicted_lu_nnz, in->predicted_bytes / MIB,
               r->lu_nnz[0], r->factor_bytes[0] / MIB, r->umfpack_estimate_bytes / MIB,
               r->plan_seconds, in->analysis_seconds, factor_solve_median(r),
               median(r->exec_cpu, r->nfreq), r->dc.seconds, c->rss_mib);
    }

    printf("\n### Prediction quality and details\n\n");
    printf("*nnz ratio* = actual / predicted nnz(L+U); *bytes ratio* = actual / predicted "
           "factor bytes; *B/entry* = actual factor bytes / actual nnz(L+U) (the quantity "
           "plan.c calls ZS_BYTES_PER_LU_ENTRY); *num s*, *solve s* are medians; "
           "*spread* is min..max of numeric + solve over the frequencies; *load* is the "
           "1-minute load average when the case started; *case wall/CPU* cover the whole "
           "child (model, plan, every execute, DC); *plan HWM* is the peak RSS once the plan "
           "exists, before the first execute; *RSS B/entry* = peak RSS / nnz(L+U).\n\n");
    printf("| n | ordering | grains | internal nodes | nnz ratio | bytes ratio | B/entry | "
           "plan HWM MiB | RSS B/entry | UMF est / actual | num s | solve s | spread s | "
           "nnz(L+U) varies | R_DC Ω | Z(%.3g Hz) Ω | case wall s | case CPU s | load |\n",
           frequency(s, s->nfreq / 2));
    printf("|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|---:|---:|"
           "---:|---:|---:|\n");
    for (int i = 0; i < no; i++) {
        const outcome *c = &o[i];
        if (!case_ok(c))
            continue;
        const record *r = &c->r;
        const zstr_plan_info *in = &r->info;
        double lo = INFINITY, hi = 0.0, nlo = INFINITY, nhi = 0.0;
        for (int k = 0; k < r->nfreq; k++) {
            double t = r->numeric_seconds[k] + r->solve_seconds[k];
            lo = fmin(lo, t);
            hi = fmax(hi, t);
            nlo = fmin(nlo, r->lu_nnz[k]);
            nhi = fmax(nhi, r->lu_nnz[k]);
        }
        char varies[64];
        if (nhi > nlo)
            snprintf(varies, sizeof varies, "%.4g..%.4g", nlo, nhi);
        else
            snprintf(varies, sizeof varies, "no");
        int mid = r->nfreq / 2;
        printf("| %lld | %s | %lld | %lld | %.3f | %.3f | %.2f | %.1f | %.2f | %.2f | %.3f | "
               "%.3f | %.3f..%.3f | %s | %.6g | %.6g %+.6gj | %.1f | %.1f | %.2f |\n",
               (long long)c->n, ordering_name(in->ordering), (long long)r->n_grains,
               (long long)in->n_internal, r->lu_nnz[0] / r->predicted_lu_nnz,
               r->factor_bytes[0] / in->predicted_bytes, r->factor_bytes[0] / r->lu_nnz[0],
               r->hwm_plan_mib, c->rss_mib * MIB / r->lu_nnz[0],
               r->umfpack_estimate_bytes / r->factor_bytes[0],
               median(r->numeric_seconds, r->nfreq), median(r->solve_seconds, r->nfreq), lo,
               hi, varies, r->dc.resistance, r->z[2 * mid], r->z[2 * mid + 1], c->wall_seconds,
               c->cpu_seconds, c->load_before);
    }

    if (s->norderings == 2) {
        printf("\n### METIS relative to AMD (same n)\n\n");
        printf("Ratios METIS / AMD; below 1 means METIS is faster or smaller.\n\n");
        printf("| n | plan time | fact+solve time | exec CPU | nnz(L+U) | factor bytes | "
               "peak RSS | DC time | max rel. diff of Z |\n");
        printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < no; i++) {
            const outcome *a = &o[i];
            if (a->ordering != ZSTR_ORDERING_AMD || !case_ok(a))
                continue;
            for (int j = 0; j < no; j++) {
                const outcome *b = &o[j];
                if (b->ordering != ZSTR_ORDERING_METIS || b->n != a->n || !case_ok(b))
                    continue;
                double dz = 0.0;
                for (int k = 0; k < a->r.nfreq; k++) {
                    double d = hypot(a->r.z[2 * k] - b->r.z[2 * k],
                                     a->r.z[2 * k + 1] - b->r.z[2 * k + 1]) /
                               hypot(a->r.z[2 * k], a->r.z[2 * k + 1]);
                    dz = fmax(dz, d);
                }
                printf("| %lld | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1e |\n",
                       (long long)a->n, b->r.plan_seconds / a->r.plan_seconds,
                       factor_solve_median(&b->r) / factor_solve_median(&a->r),
                       median(b->r.exec_cpu, b->r.nfreq) / median(a->r.exec_cpu, a->r.nfreq),
                       b->r.lu_nnz[0] / a->r.lu_nnz[0],
                       b->r.factor_bytes[0] / a->r.factor_bytes[0], b->rss_mib / a->rss_mib,
                       b->r.dc.seconds / a->r.dc.seconds, dz);
            }
        }
    }

    int any = 0;
    for (int i = 0; i < no; i++) {
        if (case_ok(&o[i]))
            continue;
        if (!any)
            printf("\n### Skipped or failed cases\n\n");
        any = 1;
        char why[1024];
        describe_failure(&o[i], why, sizeof why);
        printf("- n = %lld, %s: %s\n", (long long)o[i].n, ordering_name(o[i].ordering), why);
    }
    printf("\n");
}

/* ------------------------------------------------------------------------- */
/* Command line                                                              */
/* ------------------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: zstr_bench [-n LIST] [-O amd|metis|both] [-k K] [-m GiB] [-a GiB] "
                    "[-T SECONDS] [-s SEED] [--homogeneous]\n");
    return 2;
}

static int parse_double(const char *str, double *v)
{
    char *end = NULL;
    errno = 0;
    *v = strtod(str, &end);
    return errno == 0 && end != str && *end == '\0' && isfinite(*v);
}

static int parse_sizes(char *list, settings *s)
{
    char *save = NULL;
    s->nsizes = 0;
    for (char *tok = strtok_r(list, ", ", &save); tok != NULL;
         tok = strtok_r(NULL, ", ", &save)) {
        double v;
        if (s->nsizes == MAX_SIZES || !parse_double(tok, &v) || v < 2 || v > 4096 ||
            v != floor(v))
            return 0;
        s->sizes[s->nsizes++] = (int64_t)v;
    }
    return s->nsizes > 0;
}

int main(int argc, char **argv)
{
    static const int64_t default_sizes[] = {16, 24, 32, 48, 64};
    settings s;
    memset(&s, 0, sizeof s);
    s.nsizes = (int)(sizeof default_sizes / sizeof default_sizes[0]);
    memcpy(s.sizes, default_sizes, sizeof default_sizes);
    s.orderings[0] = ZSTR_ORDERING_AMD;
    s.orderings[1] = ZSTR_ORDERING_METIS;
    s.norderings = 2;
    s.nfreq = 3;
    s.limit_gib = 16.0;
    s.as_gib = -1.0;
    s.seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double v;
        if (strcmp(a, "--homogeneous") == 0) {
            s.homogeneous = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return 0;
        } else if (i + 1 < argc && strcmp(a, "-n") == 0) {
            /* strtok_r writes into its argument; keep argv intact for the report */
            char list[1024];
            snprintf(list, sizeof list, "%s", argv[++i]);
            if (!parse_sizes(list, &s))
                return usage();
        } else if (i + 1 < argc && strcmp(a, "-O") == 0) {
            const char *w = argv[++i];
            if (strcmp(w, "amd") == 0) {
                s.orderings[0] = ZSTR_ORDERING_AMD;
                s.norderings = 1;
            } else if (strcmp(w, "metis") == 0) {
                s.orderings[0] = ZSTR_ORDERING_METIS;
                s.norderings = 1;
            } else if (strcmp(w, "both") == 0) {
                s.orderings[0] = ZSTR_ORDERING_AMD;
                s.orderings[1] = ZSTR_ORDERING_METIS;
                s.norderings = 2;
            } else {
                return usage();
            }
        } else if (i + 1 < argc && strcmp(a, "-k") == 0) {
            if (!parse_double(argv[++i], &v) || v < 1 || v > MAX_FREQ || v != floor(v))
                return usage();
            s.nfreq = (int)v;
        } else if (i + 1 < argc && strcmp(a, "-m") == 0) {
            if (!parse_double(argv[++i], &v) || v <= 0)
                return usage();
            s.limit_gib = v;
        } else if (i + 1 < argc && strcmp(a, "-a") == 0) {
            if (!parse_double(argv[++i], &v) || v < 0)
                return usage();
            s.as_gib = v;
        } else if (i + 1 < argc && strcmp(a, "-T") == 0) {
            if (!parse_double(argv[++i], &v) || v < 0 || v > 1e6)
                return usage();
            s.timeout = (unsigned)v;
        } else if (i + 1 < argc && strcmp(a, "-s") == 0) {
            if (!parse_double(argv[++i], &v) || v < 0 || v > 9007199254740992.0)
                return usage();
            s.seed = (uint64_t)v;
        } else {
            return usage();
        }
    }

    double freq[MAX_FREQ];
    for (int k = 0; k < s.nfreq; k++)
        freq[k] = frequency(&s, k);

    print_machine(&s, argc, argv);
    int ncases = s.nsizes * s.norderings;
    outcome *o = calloc((size_t)ncases, sizeof *o);
    if (o == NULL) {
        fprintf(stderr, "zstr_bench: out of memory\n");
        return 1;
    }
    int no = 0, failures = 0;
    for (int i = 0; i < s.nsizes; i++) {
        for (int j = 0; j < s.norderings; j++) {
            outcome *c = &o[no];
            fprintf(stderr, "zstr_bench: n = %lld, %s ... ", (long long)s.sizes[i],
                    ordering_name(s.orderings[j]));
            if (fork_case(&s, s.sizes[i], s.orderings[j], freq, c) != 0) {
                free(o);
                return 1;
            }
            no++;
            if (case_ok(c)) {
                fprintf(stderr, "%lld unknowns, nnz(L+U) %.3g, fact+solve %.3f s, RSS %.0f MiB, "
                                "%.1f s\n",
                        (long long)c->r.info.n_unknowns, c->r.lu_nnz[0],
                        factor_solve_median(&c->r), c->rss_mib, c->wall_seconds);
            } else {
                char why[1024];
                describe_failure(c, why, sizeof why);
                fprintf(stderr, "%s\n", why);
                if (!(c->have_record && c->r.status == ZSTR_EMEMLIMIT))
                    failures++;
            }
        }
    }
    print_tables(&s, o, no);
    free(o);
    return failures ? 1 : 0;
}
