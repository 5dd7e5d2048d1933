/*
 * test_diagnose.c — the Figure 8 / Table 1 diagnosis of a series.
 *
 * Truths.
 *  - Simulated series whose content is known because the library built them:
 *    the paper's polycrystal (Voronoi bulk + 10 nm GBs) on a 14³ grid (10³ in
 *    quick mode) with a centred square contact spot:
 *      pores, contact 1 → 0.25, τ_Cstr < τ_CT (C_DL 1.77 F/cm²): constriction
 *        dominant, τ_Cstr < τ_CT from the DRT and from R_CT, C_CT;
 *      pores, τ_CT < τ_Cstr (C_DL 177 µF/cm², C_pore 4425 µF/cm²): the order
 *        reversed by both routes;
 *      full contact, only R_pol changing (0.5 → 4 Ω·cm²): charge transfer
 *        dominant, no constriction, and the CT peak at τ = R_pol·C_DL.
 *    At full contact every pixel has the same interface element, so the CT
 *    signal's time constant is R_pol·C_DL up to the lateral non-uniformity of
 *    the field under the polycrystal (< 1 % when τ_CT is decades above the
 *    electrolyte's τ), and the DRT places a peak on a grid of 40 points per
 *    decade (±3 %): tolerance 5 %.
 *  - Closed-form series (sums of RC elements written here) for the rules that
 *    a simulation does not reach cheaply: the overlap of CT and constriction
 *    (rule 2d), a series in which nothing changes, and the properties:
 *    the answer does not depend on the order of the members, on the direction
 *    flag when the parameter is reversed, or on the size of the sample.
 */
#include "zs_test.h"

#include <string.h>

#include "zstr_analysis.h"

#define RPOL 0.5e-4 /* Ω·m² */
#define CDL1 1.77e4 /* F/m², τ_Cstr < τ_CT */

/* ---- simulated series ------------------------------------------------------ */

typedef struct sim {
    double rpol, cdl, cpore, fraction;
} sim;

static int64_t grid_n(void) { return zs_test_quick() ? 10 : 14; }

/* One member: model, plan, sweep, spectrum. */
static zstr_spectrum *simulate(const sim *c)
{
    const int64_t n = grid_n();
    const double h = 100e-6 / (double)n;
    zstr_error e;
    zstr_model *m = NULL;
    ZS_CK_OK(zstr_model_create(n, n, n, h, h, h, &m, &e), &e);
    zstr_phase_params bulk = {"bulk", 0.046, 150.0, 0.34, 298.15};
    zstr_phase_params gb = {"gb", 5.97e-4, 150.0, 0.43, 298.15};
    int ib, ig;
    ZS_CK_OK(zstr_model_add_phase(m, &bulk, &ib, &e), &e);
    ZS_CK_OK(zstr_model_add_phase(m, &gb, &ig, &e), &e);
    zstr_voronoi_params vp = {10e-6, 1, ib, ig, 10e-9};
    ZS_CK_OK(zstr_model_voronoi(m, &vp, NULL, &e), &e);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = c->rpol;
    ip.contact_capacitance = c->cdl;
    ip.pore_capacitance = c->cpore;
    uint8_t *px = malloc((size_t)(n * n));
    ck_assert_ptr_nonnull(px);
    ZS_CK_OK(zstr_map_square(n, n, h, h, c->fraction, ZSTR_PIXEL_PORE, px, NULL, &e), &e);
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, px, &e), &e);
    free(px);
    zstr_plan *p = NULL;
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    double *f = NULL;
    int64_t nf = 0;
    ZS_CK_OK(zstr_frequencies_log(1e-3, 1e7, 8.0, &f, &nf, &e), &e);
    double *z = malloc((size_t)nf * 2 * sizeof *z);
    ck_assert_ptr_nonnull(z);
    zstr_sweep_options so; /* the reduced-order path, also on grids below auto's limit */
    zstr_sweep_options_default(&so);
    so.method = ZSTR_METHOD_MOR;
    ZS_CK_OK(zstr_sweep(p, nf, f, z, &so, &e), &e);
    zstr_spectrum *s = NULL;
    ZS_CK_OK(zstr_spectrum_create(nf, f, z, &s, &e), &e);
    free(z);
    free(f);
    zstr_plan_free(p);
    zstr_model_free(m);
    return s;
}

static zstr_diagnosis *diagnose_ok(int n, zstr_spectrum **s, const double *par,
                                   const zstr_diagnose_options *o)
{
    zstr_diagnosis *d = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_diagnose(n, (const zstr_spectrum *const *)s, par, o, &d, &e), &e);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(zstr_diagnosis_member_count(d), n);
    ck_assert_ptr_nonnull(zstr_diagnosis_report(d));
    return d;
}

/* Index of the only process of a kind (fails when there are none or several). */
static int only(const zstr_diagnosis *d, int kind)
{
    int k = -1, count = 0;
    for (int j = 0; j < zstr_diagnosis_process_count(d); j++)
        if (zstr_diagnosis_process_kind(d, j) == kind)
            k = j, count++;
    ck_assert_msg(count == 1, "%d processes of kind %s\n%s", count, zstr_process_kind_name(kind),
                  zstr_diagnosis_report(d));
    return k;
}

static int count_kind(const zstr_diagnosis *d, int kind)
{
    int count = 0;
    for (int j = 0; j < zstr_diagnosis_process_count(d); j++)
        count += zstr_diagnosis_process_kind(d, j) == kind;
    return count;
}

static void free_all(zstr_spectrum **s, int n)
{
    for (int i = 0; i < n; i++)
        zstr_spectrum_free(s[i]);
}

/* Pore series, τ_Cstr < τ_CT: constriction dominant; CT at R_pol·C_DL. */
START_TEST(test_pore_series)
{
    enum { N = 4 };
    const double frac[N] = {0.25, 1.0, 0.4, 0.6}; /* shuffled on purpose */
    zstr_spectrum *s[N];
    for (int i = 0; i < N; i++)
        s[i] = simulate(&(sim){RPOL, CDL1, 8.85, frac[i]});
    zstr_diagnosis *d = diagnose_ok(N, s, frac, NULL);
    ck_assert_msg(zstr_diagnosis_dominant(d) == ZSTR_PROCESS_CONSTRICTION, "%s",
                  zstr_diagnosis_report(d));
    only(d, ZSTR_PROCESS_BULK);
    only(d, ZSTR_PROCESS_GB);
    int ct = only(d, ZSTR_PROCESS_CHARGE_TRANSFER);
    ck_assert_int_ge(count_kind(d, ZSTR_PROCESS_CONSTRICTION), 1);
    const double *tau = zstr_diagnosis_process_tau(d, ct);
    for (int i = 0; i < N; i++)
        ck_assert_msg(zs_test_rel(tau[i], RPOL * CDL1) < 0.05, "member %d: tau_CT %g", i,
                      tau[i]);
    /* constriction is absent at full contact (member 1) and seen elsewhere */
    for (int k = 0; k < zstr_diagnosis_process_count(d); k++) {
        if (zstr_diagnosis_process_kind(d, k) != ZSTR_PROCESS_CONSTRICTION)
            continue;
        ck_assert(isnan(zstr_diagnosis_process_tau(d, k)[1]));
        ck_assert(isnan(zstr_diagnosis_process_resistance(d, k)[1]));
    }
    ck_assert_int_eq(zstr_diagnosis_tau_order(d, 0), ZSTR_ORDER_CSTR_FIRST);
    ck_assert_int_eq(zstr_diagnosis_tau_order(d, 1), ZSTR_ORDER_CSTR_FIRST);
    ck_assert_ptr_nonnull(strstr(zstr_diagnosis_report(d), "constriction"));
    ck_assert_ptr_nonnull(zstr_diagnosis_drt(d, 0));
    ck_assert_ptr_null(zstr_diagnosis_drt(d, N));
    zstr_diagnosis_free(d);
    free_all(s, N);
}
END_TEST

/* Pore series, τ_CT < τ_Cstr: Table 1's other column. */
START_TEST(test_pore_series_reversed_order)
{
    enum { N = 4 };
    const double frac[N] = {1.0, 0.6, 0.4, 0.25};
    zstr_spectrum *s[N];
    for (int i = 0; i < N; i++)
        s[i] = simulate(&(sim){RPOL, 1.77, 44.25, frac[i]});
    zstr_diagnosis *d = diagnose_ok(N, s, frac, NULL);
    ck_assert_msg(zstr_diagnosis_dominant(d) == ZSTR_PROCESS_CONSTRICTION, "%s",
                  zstr_diagnosis_report(d));
    int ct = only(d, ZSTR_PROCESS_CHARGE_TRANSFER);
    /* τ_CT = 89 µs is only 1.5 decades above τ_GB: at 1/τ_CT the grain
     * boundaries still carry displacement current, the field under the
     * interface is not uniform and the network's CT relaxation is shifted
     * from R_pol·C_DL (13 % at 14³): 25 % */
    ck_assert_msg(zs_test_rel(zstr_diagnosis_process_tau(d, ct)[0], RPOL * 1.77) < 0.25,
                  "%s", zstr_diagnosis_report(d));
    ck_assert_int_eq(zstr_diagnosis_tau_order(d, 0), ZSTR_ORDER_CT_FIRST);
    ck_assert_msg(zstr_diagnosis_tau_order(d, 1) == ZSTR_ORDER_CT_FIRST, "%s",
                  zstr_diagnosis_report(d));
    zstr_diagnosis_free(d);
    free_all(s, N);
}
END_TEST

/* Full contact, only R_pol changes: charge transfer, τ = R_pol·C_DL each. */
START_TEST(test_rpol_series)
{
    enum { N = 4 };
    const double rpol[N] = {0.5, 1.0, 2.0, 4.0}; /* Ω·cm² */
    zstr_spectrum *s[N];
    for (int i = 0; i < N; i++)
        s[i] = simulate(&(sim){rpol[i] * 1e-4, CDL1, 8.85, 1.0});
    zstr_diagnosis *d = diagnose_ok(N, s, rpol, NULL);
    ck_assert_msg(zstr_diagnosis_dominant(d) == ZSTR_PROCESS_CHARGE_TRANSFER, "%s",
                  zstr_diagnosis_report(d));
    ck_assert_int_eq(count_kind(d, ZSTR_PROCESS_CONSTRICTION), 0);
    int ct = only(d, ZSTR_PROCESS_CHARGE_TRANSFER);
    for (int i = 0; i < N; i++)
        ck_assert_msg(zs_test_rel(zstr_diagnosis_process_tau(d, ct)[i], rpol[i] * 1e-4 * CDL1) <
                          0.05,
                      "member %d", i);
    ck_assert_int_eq(zstr_diagnosis_tau_order(d, 0), ZSTR_ORDER_UNKNOWN);
    zstr_diagnosis_free(d);
    free_all(s, N);
}
END_TEST

/* ---- closed-form series ------------------------------------------------------ */

/* Σ R_k/(1 + jωτ_k) over nrc elements (R ≤ 0 skipped), 10 per decade from
 * 10 mHz to 10 MHz, every value times scale. */
static zstr_spectrum *rc_sum(int nrc, const double *R, const double *tau, double scale)
{
    enum { NF = 91 };
    double f[NF], z[2 * NF];
    for (int k = 0; k < NF; k++) {
        f[k] = pow(10.0, 7.0 - 9.0 * k / (NF - 1));
        double complex v = 0.0;
        for (int j = 0; j < nrc; j++)
            if (R[j] > 0.0)
                v += R[j] / (1.0 + I * 2 * M_PI * f[k] * tau[j]);
        z[2 * k] = scale * creal(v), z[2 * k + 1] = scale * cimag(v);
    }
    zstr_spectrum *s = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_spectrum_create(NF, f, z, &s, &e), &e);
    return s;
}

/* A contact series by Table 1's laws for τ_Cstr < τ_CT: bulk 100 Ω at 1 µs,
 * GB 10 Ω at 100 µs, CT R_pol/A with τ 1 s, constriction R = 20(1/A − 1) Ω
 * with C = 1e-4 F (τ moves with A). */
static zstr_spectrum *table1_member(double A, double scale)
{
    double R[4] = {100, 10, 5.0 / A, 20.0 * (1.0 / A - 1.0)};
    double tau[4] = {1e-6, 1e-4, 1.0, R[3] * 1e-4};
    return rc_sum(4, R, tau, scale);
}

START_TEST(test_closed_form_properties)
{
    enum { N = 5 };
    const double A[N] = {1.0, 0.7, 0.5, 0.3, 0.15};
    const int perm[N] = {3, 0, 4, 2, 1};
    zstr_spectrum *s[N], *sp[N], *big[N];
    double Ap[N], neg[N];
    for (int i = 0; i < N; i++) {
        s[i] = table1_member(A[i], 1.0);
        big[i] = table1_member(A[i], 1e6);
        neg[i] = -A[i];
    }
    for (int i = 0; i < N; i++) {
        sp[i] = s[perm[i]];
        Ap[i] = A[perm[i]];
    }
    zstr_diagnosis *d = diagnose_ok(N, s, A, NULL);
    ck_assert_msg(zstr_diagnosis_dominant(d) == ZSTR_PROCESS_CONSTRICTION, "%s",
                  zstr_diagnosis_report(d));
    only(d, ZSTR_PROCESS_BULK);
    only(d, ZSTR_PROCESS_GB);
    only(d, ZSTR_PROCESS_CHARGE_TRANSFER);
    only(d, ZSTR_PROCESS_CONSTRICTION);
    ck_assert_int_eq(zstr_diagnosis_tau_order(d, 1), ZSTR_ORDER_CSTR_FIRST);
    /* the same answer for shuffled members, for the reversed parameter with
     * contact_increases = 0 and for the spectra scaled by 1e6 */
    zstr_diagnose_options o;
    zstr_diagnose_options_default(&o);
    o.contact_increases = 0;
    zstr_diagnosis *dp = diagnose_ok(N, sp, Ap, NULL), *dn = diagnose_ok(N, s, neg, &o);
    zstr_diagnosis *db = diagnose_ok(N, big, A, NULL);
    int np = zstr_diagnosis_process_count(d);
    ck_assert_int_eq(zstr_diagnosis_process_count(dp), np);
    ck_assert_int_eq(zstr_diagnosis_process_count(dn), np);
    ck_assert_int_eq(zstr_diagnosis_process_count(db), np);
    for (int k = 0; k < np; k++) {
        ck_assert_int_eq(zstr_diagnosis_process_kind(dp, k), zstr_diagnosis_process_kind(d, k));
        ck_assert_int_eq(zstr_diagnosis_process_kind(dn, k), zstr_diagnosis_process_kind(d, k));
        ck_assert_int_eq(zstr_diagnosis_process_kind(db, k), zstr_diagnosis_process_kind(d, k));
        for (int i = 0; i < N; i++) {
            double a = zstr_diagnosis_process_resistance(d, k)[perm[i]];
            double b = zstr_diagnosis_process_resistance(dp, k)[i];
            ck_assert(isnan(a) ? isnan(b) : a == b);
            double c = zstr_diagnosis_process_resistance(db, k)[i];
            a = zstr_diagnosis_process_resistance(d, k)[i];
            /* λ acts on γ/max|Z|: the scaled problem is the same up to rounding */
            ck_assert(isnan(a) ? isnan(c) : zs_test_rel(c, 1e6 * a) < 1e-6);
        }
    }
    ck_assert_str_eq(zstr_diagnosis_report(dp), zstr_diagnosis_report(d));
    zstr_diagnosis_free(d);
    zstr_diagnosis_free(dp);
    zstr_diagnosis_free(dn);
    zstr_diagnosis_free(db);
    free_all(s, N);
    free_all(big, N);
}
END_TEST

/* The Table 1 series with noise of ±0.5 % of |Z| on each part (a fixed-seed
 * linear congruential generator): the same classification and dominant
 * process.  Peaks the noise makes are seen once (unknown) or stay below
 * min_peak_fraction; they must not take a kind. */
START_TEST(test_noisy_series)
{
    enum { N = 5 };
    const double A[N] = {1.0, 0.7, 0.5, 0.3, 0.15};
    zstr_spectrum *s[N];
    uint64_t state = 12345;
    for (int i = 0; i < N; i++) {
        zstr_spectrum *clean = table1_member(A[i], 1.0);
        int64_t n = zstr_spectrum_count(clean);
        double z[2 * 91];
        ck_assert_int_le(n, 91);
        for (int64_t k = 0; k < 2 * n; k++) {
            const double *zc = zstr_spectrum_impedance(clean);
            double mag = hypot(zc[k & ~(int64_t)1], zc[k | 1]);
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(state >> 11) / 9007199254740992.0; /* [0, 1) */
            z[k] = zc[k] + 0.005 * mag * (2.0 * u - 1.0);
        }
        zstr_error e;
        ZS_CK_OK(zstr_spectrum_create(n, zstr_spectrum_frequencies(clean), z, &s[i], &e), &e);
        zstr_spectrum_free(clean);
    }
    zstr_diagnosis *d = diagnose_ok(N, s, A, NULL);
    ck_assert_msg(zstr_diagnosis_dominant(d) == ZSTR_PROCESS_CONSTRICTION, "%s",
                  zstr_diagnosis_report(d));
    only(d, ZSTR_PROCESS_BULK);
    only(d, ZSTR_PROCESS_GB);
    only(d, ZSTR_PROCESS_CHARGE_TRANSFER);
    only(d, ZSTR_PROCESS_CONSTRICTION);
    ck_assert_int_eq(zstr_diagnosis_tau_order(d, 0), ZSTR_ORDER_CSTR_FIRST);
    ck_assert_int_eq(zstr_diagnosis_tau_order(d, 1), ZSTR_ORDER_CSTR_FIRST);
    zstr_diagnosis_free(d);
    free_all(s, N);
}
END_TEST

/* One interface signal, present at full contact, whose R, τ and C all change
 * (what the DRT shows when τ_Cstr ≈ τ_CT and the two cannot be resolved):
 * rule 2d, "overlapping".  R = 5/A + 20(1/A − 1) Ω (CT plus constriction),
 * τ from 1 ms at full contact growing as R·C with C from 200 µF towards
 * 100 µF. */
START_TEST(test_overlapping_signal)
{
    enum { N = 4 };
    const double A[N] = {1.0, 0.6, 0.4, 0.25};
    zstr_spectrum *s[N];
    for (int i = 0; i < N; i++) {
        double Ri = 5.0 / A[i] + 20.0 * (1.0 / A[i] - 1.0), C = 1e-4 * (1.0 + A[i]);
        double R[3] = {100, 10, Ri}, tau[3] = {1e-6, 1e-4, Ri * C};
        s[i] = rc_sum(3, R, tau, 1.0);
    }
    zstr_diagnosis *d = diagnose_ok(N, s, A, NULL);
    ck_assert_msg(zstr_diagnosis_dominant(d) == ZSTR_PROCESS_OVERLAPPING, "%s",
                  zstr_diagnosis_report(d));
    ck_assert_int_eq(count_kind(d, ZSTR_PROCESS_CHARGE_TRANSFER), 0);
    ck_assert_int_eq(count_kind(d, ZSTR_PROCESS_CONSTRICTION), 0);
    ck_assert_int_eq(zstr_diagnosis_process_kind(d, 2), ZSTR_PROCESS_UNKNOWN);
    ck_assert_ptr_nonnull(strstr(zstr_diagnosis_report(d), "overlapping"));
    zstr_diagnosis_free(d);
    free_all(s, N);
}
END_TEST

/* Nothing changes: bulk and GB only, dominant "none". */
START_TEST(test_nothing_changes)
{
    enum { N = 3 };
    const double par[N] = {1, 2, 3};
    double R[2] = {100, 10}, tau[2] = {1e-6, 1e-4};
    zstr_spectrum *s[N];
    for (int i = 0; i < N; i++)
        s[i] = rc_sum(2, R, tau, 1.0);
    zstr_diagnosis *d = diagnose_ok(N, s, par, NULL);
    ck_assert_int_eq(zstr_diagnosis_dominant(d), ZSTR_PROCESS_NONE);
    ck_assert_int_eq(zstr_diagnosis_process_count(d), 2);
    ck_assert_int_eq(zstr_diagnosis_process_kind(d, 0), ZSTR_PROCESS_BULK);
    ck_assert_int_eq(zstr_diagnosis_process_kind(d, 1), ZSTR_PROCESS_GB);
    /* peak areas are integrated between the minima of a regularised γ: the
     * two peaks share their overlapping tails, a few % of each */
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < N; i++)
            ck_assert(zs_test_rel(zstr_diagnosis_process_resistance(d, k)[i], R[k]) < 0.05);
    zstr_diagnosis_free(d);
    free_all(s, N);
}
END_TEST

START_TEST(test_bad_input)
{
    double R[1] = {10}, tau[1] = {1e-3}, par[2] = {1, 2}, bad[2] = {1, NAN};
    zstr_spectrum *s[2] = {rc_sum(1, R, tau, 1.0), NULL};
    zstr_diagnosis *d = (zstr_diagnosis *)1;
    zstr_error e;
    const zstr_spectrum *const *m = (const zstr_spectrum *const *)s;
    ck_assert_int_eq(zstr_diagnose(2, m, par, NULL, &d, &e), ZSTR_EINVAL);
    ck_assert_ptr_null(d);
    ck_assert_ptr_nonnull(strstr(e.message, "member 2"));
    s[1] = s[0];
    ck_assert_int_eq(zstr_diagnose(1, m, par, NULL, &d, &e), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_diagnose(2, m, bad, NULL, &d, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "member 2"));
    ck_assert_int_eq(zstr_diagnose(2, m, NULL, NULL, &d, &e), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_diagnose(2, m, par, NULL, NULL, &e), ZSTR_EINVAL);
    zstr_diagnose_options o;
    zstr_diagnose_options_default(&o);
    o.tau_tolerance = 0.0;
    ck_assert_int_eq(zstr_diagnose(2, m, par, &o, &d, &e), ZSTR_EINVAL);
    zstr_diagnose_options_default(&o);
    o.size = 3;
    ck_assert_int_eq(zstr_diagnose(2, m, par, &o, &d, &e), ZSTR_EINVAL);
    /* a member the DRT refuses (two points) is named */
    double f2[2] = {1, 10}, z2[4] = {1, -1, 1, -0.5};
    zstr_spectrum *tiny = NULL;
    ZS_CK_OK(zstr_spectrum_create(2, f2, z2, &tiny, &e), &e);
    s[1] = tiny;
    ck_assert_int_eq(zstr_diagnose(2, m, par, NULL, &d, &e), ZSTR_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "member 2"));
    zstr_spectrum_free(tiny);
    zstr_spectrum_free(s[0]);
    /* accessors out of range and on NULL */
    ck_assert_int_eq(zstr_diagnosis_process_kind(NULL, 0), -1);
    ck_assert_ptr_null(zstr_diagnosis_process_tau(NULL, 0));
    ck_assert_ptr_null(zstr_diagnosis_process_resistance(NULL, 0));
    ck_assert_ptr_null(zstr_diagnosis_report(NULL));
    ck_assert_int_eq(zstr_diagnosis_process_count(NULL), 0);
    ck_assert_str_eq(zstr_process_kind_name(ZSTR_PROCESS_CHARGE_TRANSFER), "charge-transfer");
    ck_assert_str_eq(zstr_process_kind_name(99), "?");
    zstr_diagnosis_free(NULL);
}
END_TEST

Suite *suite_diagnose(void)
{
    Suite *s = suite_create("diagnose");
    TCase *t = tcase_create("closed form");
    tcase_set_timeout(t, 120); /* about 40 DRTs: a second, a minute under sanitizers */
    tcase_add_test(t, test_closed_form_properties);
    tcase_add_test(t, test_noisy_series);
    tcase_add_test(t, test_overlapping_signal);
    tcase_add_test(t, test_nothing_changes);
    tcase_add_test(t, test_bad_input);
    suite_add_tcase(s, t);
    TCase *ts = tcase_create("simulated");
    tcase_set_timeout(ts, 300);
    tcase_add_test(ts, test_pore_series);
    tcase_add_test(ts, test_pore_series_reversed_order);
    tcase_add_test(ts, test_rpol_series);
    suite_add_tcase(s, ts);
    return s;
}
