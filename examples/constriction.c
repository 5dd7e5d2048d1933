/*
 * constriction.c — current constriction at a Li | garnet interface, after
 * Eckhardt et al., Adv. Mater. Interfaces 10 (2023) 2202354, Figure 3.
 *
 * A (100 µm)³ polycrystal (Voronoi grains of 10 µm, 10 nm grain boundaries)
 * touches the Li working electrode through one centred square contact spot; the
 * rest of the interface is pores (capacitors).  The contact fraction runs over
 * 100, 70, 50, 30 and 22 %; one spectrum file is written per fraction.
 *
 *   constriction [-n N] [-c CASE] [-f F1,F2,...] [-p PER_DECADE] [-t THREADS]
 *                [-o DIR] [--demo]
 *
 *   -n N        voxels per edge (default 40)
 *   -c CASE     1: τ_Cstr < τ_CT (default), 2: τ_Cstr ≈ τ_CT, 3: τ_CT < τ_Cstr
 *   -f LIST     contact fractions (default 1,0.7,0.5,0.3,0.22)
 *   -p K        points per decade from 1 mHz to 10 MHz (default 10)
 *   -t T        worker threads (default 2)
 *   -o DIR      output directory (default .), files constriction-<case>-<pct>.csv
 *   --demo      the main job: case 1, 22 % contact, 24³ voxels, 8 per decade
 *
 * Build against the installed library:
 *   cc constriction.c $(pkg-config --cflags --libs libzstr) -o constriction
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <zstr.h>

/* Table of physics.md §2: (C_DL, C_pore) in F/m² for the three orders. */
static const struct {
    const char *name;
    double cdl, cpore;
} cases[3] = {
    {"tau_Cstr < tau_CT", 1.77e4, 8.85},
    {"tau_Cstr ~ tau_CT", 17.71, 4.43},
    {"tau_CT < tau_Cstr", 1.77, 44.25},
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int usage(void)
{
    fprintf(stderr, "usage: constriction [-n N] [-c 1|2|3] [-f F1,F2,...] [-p PER_DECADE] "
                    "[-t THREADS] [-o DIR] [--demo]\n");
    return 2;
}

static int parse_double(const char *s, double *v)
{
    char *end = NULL;
    errno = 0;
    *v = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0';
}

/* One fraction: build the model, plan, sweep, write the CSV. */
static int run_one(int64_t n, int c, double fraction, const double *f, int64_t nf, int threads,
                   const char *dir, double *z)
{
    const double h = 100e-6 / (double)n;
    zstr_error err;
    zstr_model *m = NULL;
    zstr_plan *plan = NULL;
    uint8_t *px = NULL;
    int rc;
    double realised = 0.0, t0 = now();
    int64_t ngrains = 0;

    if ((rc = zstr_model_create(n, n, n, h, h, h, &m, &err)) != ZSTR_OK)
        goto fail;
    zstr_phase_params bulk = {"bulk", 0.046, 150.0, 0.34, 298.15};
    zstr_phase_params gb = {"gb", 5.97e-4, 150.0, 0.43, 298.15};
    int ib, ig;
    if ((rc = zstr_model_add_phase(m, &bulk, &ib, &err)) != ZSTR_OK ||
        (rc = zstr_model_add_phase(m, &gb, &ig, &err)) != ZSTR_OK)
        goto fail;
    zstr_voronoi_params vp = {10e-6, 1, ib, ig, 10e-9};
    if ((rc = zstr_model_voronoi(m, &vp, &ngrains, &err)) != ZSTR_OK)
        goto fail;
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 0.5e-4; /* 0.5 Ω·cm² */
    ip.contact_capacitance = cases[c].cdl;
    ip.contact_activation_energy = 0.43;
    ip.pore_capacitance = cases[c].cpore;
    px = malloc((size_t)(n * n));
    if (px == NULL) {
        fprintf(stderr, "constriction: out of memory\n");
        rc = ZSTR_ENOMEM;
        goto done;
    }
    if ((rc = zstr_map_square(n, n, h, h, fraction, ZSTR_PIXEL_PORE, px, &realised, &err)) !=
            ZSTR_OK ||
        (rc = zstr_model_set_interface(m, ZSTR_WE, &ip, px, &err)) != ZSTR_OK)
        goto fail;
    if ((rc = zstr_plan_create(m, NULL, &plan, &err)) != ZSTR_OK)
        goto fail;
    zstr_dc_result dc;
    zstr_dc_result_init(&dc);
    if ((rc = zstr_dc_resistance(plan, &dc, &err)) != ZSTR_OK)
        goto fail;
    zstr_sweep_options so;
    zstr_sweep_options_default(&so);
    so.threads = threads;
    if ((rc = zstr_sweep(plan, nf, f, z, &so, &err)) != ZSTR_OK)
        goto fail;
    char path[4096], note[256];
    snprintf(path, sizeof path, "%s/constriction-%d-%03d.csv", dir, c + 1,
             (int)(100.0 * fraction + 0.5));
    snprintf(note, sizeof note, "Eckhardt et al. 2023 Fig. 3 case %d (%s), %lld grains", c + 1,
             cases[c].name, (long long)ngrains);
    if ((rc = zstr_spectrum_write_csv(path, m, nf, f, z, &dc, note, &err)) != ZSTR_OK)
        goto fail;
    zstr_plan_info in;
    zstr_plan_info_init(&in);
    zstr_plan_get_info(plan, &in);
    printf("%8.3f %9.4f %14.6g %12.6g %10lld %8.1f  %s\n", fraction, realised, dc.resistance,
           dc.resistance * in.area * 1e4, (long long)in.n_unknowns, now() - t0, path);
    goto done;
fail:
    fprintf(stderr, "constriction: %s (%s)\n", err.message, zstr_strerror(rc));
done:
    free(px);
    zstr_plan_free(plan);
    zstr_model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    int64_t n = 40;
    int c = 0, threads = 2;
    double per_decade = 10.0;
    double fr[32] = {1.0, 0.7, 0.5, 0.3, 0.22};
    int nfr = 5;
    const char *dir = ".";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double v;
        if (strcmp(a, "--demo") == 0) {
            n = 24, c = 0, per_decade = 8.0, fr[0] = 0.22, nfr = 1;
        } else if (i + 1 < argc && strcmp(a, "-n") == 0) {
            if (!parse_double(argv[++i], &v) || v < 1 || v > 4096)
                return usage();
            n = (int64_t)v;
        } else if (i + 1 < argc && strcmp(a, "-c") == 0) {
            if (!parse_double(argv[++i], &v) || (v != 1 && v != 2 && v != 3))
                return usage();
            c = (int)v - 1;
        } else if (i + 1 < argc && strcmp(a, "-p") == 0) {
            if (!parse_double(argv[++i], &per_decade) || per_decade <= 0)
                return usage();
        } else if (i + 1 < argc && strcmp(a, "-t") == 0) {
            if (!parse_double(argv[++i], &v) || v < 1 || v > 256)
                return usage();
            threads = (int)v;
        } else if (i + 1 < argc && strcmp(a, "-o") == 0) {
            dir = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "-f") == 0) {
            char *list = argv[++i], *save = NULL;
            nfr = 0;
            for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (nfr == 32 || !parse_double(tok, &fr[nfr]) || fr[nfr] <= 0 || fr[nfr] > 1)
                    return usage();
                nfr++;
            }
            if (nfr == 0)
                return usage();
        } else {
            return usage();
        }
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "constriction: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    zstr_error err;
    double *f = NULL;
    int64_t nf = 0;
    if (zstr_frequencies_log(1e-3, 1e7, per_decade, &f, &nf, &err) != ZSTR_OK) {
        fprintf(stderr, "constriction: %s\n", err.message);
        return 1;
    }
    double *z = malloc(sizeof(double) * 2 * (size_t)nf);
    if (z == NULL) {
        free(f);
        fprintf(stderr, "constriction: out of memory\n");
        return 1;
    }
    printf("# libzstr %s, constriction case %d (%s), %lld^3 voxels, %lld frequencies "
           "1 mHz..10 MHz\n",
           zstr_version_string(), c + 1, cases[c].name, (long long)n, (long long)nf);
    printf("# %6s %9s %14s %12s %10s %8s  %s\n", "target", "realised", "R_DC_Ohm", "R_DC_Ohmcm2",
           "unknowns", "seconds", "file");
    int status = 0;
    for (int k = 0; k < nfr && status == 0; k++)
        status = run_one(n, c, fr[k], f, nf, threads, dir, z) == ZSTR_OK ? 0 : 1;
    free(f);
    free(z);
    return status;
}
