/*
 * an_diagnose.c — the paper's guideline (Eckhardt et al. 2023, Figure 8 and
 * Table 1) on a series of spectra under a control parameter that changes the
 * contact: which DRT signal is bulk, grain boundary, charge transfer or
 * geometric current constriction, which interface process dominates, and the
 * order of τ_CT and τ_Cstr.
 *
 * Steps.
 *  1. The DRT of every member (zstr_drt_compute); peaks below
 *     min_peak_fraction of the member's summed peak R are dropped.
 *  2. Tracking.  Members are visited from the highest contact down (the full
 *     contact has the fewest signals: bulk, GB, CT).  Each track remembers the
 *     log10 τ where it was last seen.  For the next member, every (track,
 *     peak) pair closer than max_jump decades is a candidate; candidates are
 *     taken in order of increasing distance, each track and each peak at most
 *     once (a greedy assignment: a peak that stayed put is matched before one
 *     that moved, so a moving constriction peak cannot steal the CT track);
 *     peaks left over start new tracks.  A track may miss members (a gap):
 *     a signal that sinks below the threshold and returns stays one track.
 *  3. Classification by the rules written in zstr_analysis.h ("Diagnosis"):
 *     bulk/GB are the invariant (τ and R) shortest-τ tracks; an interface
 *     track that vanishes at full contact is constriction; one present at
 *     full contact with invariant τ or invariant C = τ/R is charge transfer;
 *     one present at full contact whose τ and C both shift is an overlap of
 *     both (unknown, dominant "overlapping").
 *  4. Dominant process: the largest R summed over the series.  Order of the
 *     time constants: from the DRT (mean τ of the two kinds) and from the
 *     trends of R_CT, C_CT with the contact (Table 1), reported both.
 *
 * Invariants.  The result does not depend on the order in which the members
 * are given (they are sorted by the parameter, ties by the caller's index);
 * per-member arrays are returned in the caller's order; NaN marks a member
 * where a track is not seen; every track is seen in at least one member.
 * The rules use only ratios and decades, so they do not depend on the
 * sample's size or the units of the parameter.
 */
#include "an_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct zstr_diagnosis {
    int64_t n;       /* members */
    int ntrack;      /* tracks (processes), ascending mean τ */
    double *tau, *r; /* ntrack × n, caller's order, NaN = not seen */
    int *kind;       /* ntrack */
    int dominant;
    int order_drt, order_trend;
    char *report;
    zstr_drt **drt; /* n */
};

/* Per-track evidence used by the rules and the report. */
typedef struct zs_trackinfo {
    int seen;          /* members where it is seen */
    double lt_lo, lt_hi; /* log10 τ range */
    double r_lo, r_hi;   /* R range */
    double lc_lo, lc_hi; /* log10 C range, C = τ/R */
    double lt_mean;      /* mean log10 τ */
    double r_sum;        /* Σ R over the series */
    double r_full;       /* R at full contact (NaN: absent) */
    double lt_full;      /* log10 τ at full contact (NaN: absent) */
    double corr_r, corr_c; /* correlation of log R, log C with the contact rank */
} zs_trackinfo;

void zstr_diagnose_options_default(zstr_diagnose_options *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->contact_increases = 1;
    o->tau_tolerance = 0.3;
    o->capacitance_tolerance = 0.15;
    o->resistance_tolerance = 0.2;
    o->vanish_fraction = 0.1;
    o->max_jump = 1.5;
    o->min_peak_fraction = 0.005;
    o->drt = NULL;
}

const char *zstr_process_kind_name(int kind)
{
    static const char *const names[] = {"unknown",      "bulk",        "gb",  "charge-transfer",
                                        "constriction", "overlapping", "none"};
    return kind >= 0 && kind < (int)(sizeof names / sizeof names[0]) ? names[kind] : "?";
}

void zstr_diagnosis_free(zstr_diagnosis *d)
{
    if (d == NULL)
        return;
    for (int64_t i = 0; d->drt != NULL && i < d->n; i++)
        zstr_drt_free(d->drt[i]);
    free(d->drt);
    free(d->tau);
    free(d->r);
    free(d->kind);
    free(d->report);
    free(d);
}

int64_t zstr_diagnosis_member_count(const zstr_diagnosis *d) { return d ? d->n : 0; }
int zstr_diagnosis_process_count(const zstr_diagnosis *d) { return d ? d->ntrack : 0; }
int zstr_diagnosis_dominant(const zstr_diagnosis *d)
{
    return d ? d->dominant : ZSTR_PROCESS_NONE;
}
const char *zstr_diagnosis_report(const zstr_diagnosis *d) { return d ? d->report : NULL; }

int zstr_diagnosis_process_kind(const zstr_diagnosis *d, int k)
{
    return d != NULL && k >= 0 && k < d->ntrack ? d->kind[k] : -1;
}

const double *zstr_diagnosis_process_tau(const zstr_diagnosis *d, int k)
{
    return d != NULL && k >= 0 && k < d->ntrack ? d->tau + (size_t)k * d->n : NULL;
}

const double *zstr_diagnosis_process_resistance(const zstr_diagnosis *d, int k)
{
    return d != NULL && k >= 0 && k < d->ntrack ? d->r + (size_t)k * d->n : NULL;
}

int zstr_diagnosis_tau_order(const zstr_diagnosis *d, int from_trends)
{
    if (d == NULL)
        return ZSTR_ORDER_UNKNOWN;
    return from_trends ? d->order_trend : d->order_drt;
}

const zstr_drt *zstr_diagnosis_drt(const zstr_diagnosis *d, int64_t i)
{
    return d != NULL && i >= 0 && i < d->n ? d->drt[i] : NULL;
}

/* ------------------------------------------------------------------------- */
/* Checks and DRTs                                                           */
/* ------------------------------------------------------------------------- */

static int check_options(const zstr_diagnose_options *o, zstr_error *err)
{
    if (!(o->tau_tolerance > 0.0 && o->tau_tolerance < 10.0) ||
        !(o->capacitance_tolerance > 0.0 && o->capacitance_tolerance < 10.0) ||
        !(o->resistance_tolerance > 0.0 && o->resistance_tolerance < 100.0) ||
        !(o->vanish_fraction >= 0.0 && o->vanish_fraction < 1.0) ||
        !(o->max_jump > 0.0 && o->max_jump <= 20.0) ||
        !(o->min_peak_fraction >= 0.0 && o->min_peak_fraction < 1.0))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_diagnose_options: tau_tolerance and capacitance_tolerance in "
                        "(0, 10) decades, resistance_tolerance in (0, 100), vanish_fraction "
                        "and min_peak_fraction in [0, 1), max_jump in (0, 20] decades");
    return ZSTR_OK;
}

static int check_args(int64_t n, const zstr_spectrum *const *members, const double *parameter,
                      zstr_error *err)
{
    if (members == NULL || parameter == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_diagnose: NULL argument");
    if (n < 2 || n > 100000)
        return zs_error(err, ZSTR_EINVAL, "zstr_diagnose: %lld members; need 2 to 100000",
                        (long long)n);
    for (int64_t i = 0; i < n; i++) {
        if (members[i] == NULL)
            return zs_error(err, ZSTR_EINVAL, "zstr_diagnose: member %lld is NULL",
                            (long long)i + 1);
        if (!isfinite(parameter[i]))
            return zs_error(err, ZSTR_EINVAL,
                            "zstr_diagnose: the parameter of member %lld is not finite",
                            (long long)i + 1);
    }
    return ZSTR_OK;
}

static int compute_drts(zstr_diagnosis *d, const zstr_spectrum *const *members,
                        const zstr_drt_options *o, zstr_error *err)
{
    for (int64_t i = 0; i < d->n; i++) {
        zstr_error e;
        int rc = zstr_drt_compute(members[i], o, &d->drt[i], &e);
        if (rc != ZSTR_OK) {
            const char *src = zstr_spectrum_source(members[i]);
            return zs_error(err, rc, "zstr_diagnose: member %lld%s%s%s: %s", (long long)i + 1,
                            src[0] ? " (" : "", src, src[0] ? ")" : "", e.message);
        }
    }
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* Tracking                                                                  */
/* ------------------------------------------------------------------------- */

typedef struct zs_sortkey {
    double key;
    int64_t index;
} zs_sortkey;

static int by_key(const void *a, const void *b)
{
    const zs_sortkey *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

typedef struct zs_pair {
    double dist;
    int track, peak;
} zs_pair;

static int by_dist(const void *a, const void *b)
{
    const zs_pair *x = a, *y = b;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    if (x->track != y->track)
        return x->track < y->track ? -1 : 1;
    return x->peak < y->peak ? -1 : x->peak > y->peak;
}

typedef struct zs_tracker {
    int64_t n;        /* members */
    int cap, ntrack;  /* track capacity (total peaks) and count */
    double *tau, *r;  /* cap × n, sorted-member order */
    double *last;     /* cap: log10 τ where last seen */
    zs_pair *pairs;   /* cap × (peaks of one member) */
    int *used;        /* cap (tracks) + peaks of one member */
} zs_tracker;

/* The kept peaks of one DRT: τ and R into pt, pr; returns their count. */
static int kept_peaks(const zstr_drt *drt, double min_fraction, double *pt, double *pr)
{
    int np = zstr_drt_peak_count(drt), k = 0;
    double sum = 0.0;
    for (int j = 0; j < np; j++) {
        double t, r;
        zstr_drt_peak(drt, j, &t, &r);
        sum += r;
    }
    for (int j = 0; j < np; j++) {
        double t, r;
        zstr_drt_peak(drt, j, &t, &r);
        if (r > 0.0 && t > 0.0 && r >= min_fraction * sum) {
            pt[k] = t;
            pr[k] = r;
            k++;
        }
    }
    return k;
}

/* Assign the np peaks of sorted member s to tracks (step 2 of the banner). */
static void track_member(zs_tracker *tk, int64_t s, const double *pt, const double *pr, int np,
                         double max_jump)
{
    int npair = 0;
    for (int t = 0; t < tk->ntrack; t++) {
        for (int j = 0; j < np; j++) {
            double dist = fabs(log10(pt[j]) - tk->last[t]);
            if (dist <= max_jump)
                tk->pairs[npair++] = (zs_pair){dist, t, j};
        }
    }
    qsort(tk->pairs, (size_t)npair, sizeof *tk->pairs, by_dist);
    int *tused = tk->used, *pused = tk->used + tk->cap;
    memset(tk->used, 0, (size_t)(tk->cap + np) * sizeof *tk->used);
    for (int q = 0; q < npair; q++) {
        int t = tk->pairs[q].track, j = tk->pairs[q].peak;
        if (tused[t] || pused[j])
            continue;
        tused[t] = pused[j] = 1;
        tk->tau[(size_t)t * tk->n + s] = pt[j];
        tk->r[(size_t)t * tk->n + s] = pr[j];
        tk->last[t] = log10(pt[j]);
    }
    for (int j = 0; j < np; j++) {
        if (pused[j] || tk->ntrack >= tk->cap)
            continue;
        int t = tk->ntrack++;
        tk->tau[(size_t)t * tk->n + s] = pt[j];
        tk->r[(size_t)t * tk->n + s] = pr[j];
        tk->last[t] = log10(pt[j]);
    }
}

/* Track every member, visited in the order sorted[] (highest contact first). */
static int track_all(zs_tracker *tk, zstr_drt *const *drt, const zs_sortkey *sorted,
                     const zstr_diagnose_options *o)
{
    int maxp = 0;
    tk->cap = 0;
    for (int64_t i = 0; i < tk->n; i++) {
        int np = zstr_drt_peak_count(drt[i]);
        tk->cap += np;
        maxp = np > maxp ? np : maxp;
    }
    tk->cap = tk->cap > 0 ? tk->cap : 1;
    tk->tau = zs_malloc_array((size_t)tk->cap * (size_t)tk->n, sizeof *tk->tau);
    tk->r = zs_malloc_array((size_t)tk->cap * (size_t)tk->n, sizeof *tk->r);
    tk->last = zs_malloc_array((size_t)tk->cap, sizeof *tk->last);
    tk->pairs = zs_malloc_array((size_t)tk->cap * (size_t)(maxp + 1), sizeof *tk->pairs);
    tk->used = zs_malloc_array((size_t)(tk->cap + maxp + 1), sizeof *tk->used);
    double *pt = zs_malloc_array((size_t)(maxp + 1), 2 * sizeof *pt);
    if (tk->tau == NULL || tk->r == NULL || tk->last == NULL || tk->pairs == NULL ||
        tk->used == NULL || pt == NULL) {
        free(pt);
        return ZSTR_ENOMEM;
    }
    for (size_t q = 0; q < (size_t)tk->cap * (size_t)tk->n; q++)
        tk->tau[q] = tk->r[q] = NAN;
    for (int64_t s = 0; s < tk->n; s++) {
        int np = kept_peaks(drt[sorted[s].index], o->min_peak_fraction, pt, pt + maxp + 1);
        track_member(tk, s, pt, pt + maxp + 1, np, o->max_jump);
    }
    free(pt);
    return ZSTR_OK;
}

static void tracker_free(zs_tracker *tk)
{
    free(tk->tau);
    free(tk->r);
    free(tk->last);
    free(tk->pairs);
    free(tk->used);
}

/* ------------------------------------------------------------------------- */
/* Evidence and rules                                                        */
/* ------------------------------------------------------------------------- */

/* Pearson correlation of y with the rank x = 0, 1, ... over finite y; 0 for
 * fewer than 2 points or no spread. */
static double rank_correlation(const double *y, int64_t n)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    int m = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            continue;
        double x = (double)i;
        sx += x, sy += y[i], sxx += x * x, syy += y[i] * y[i], sxy += x * y[i];
        m++;
    }
    if (m < 2)
        return 0.0;
    double cxx = sxx - sx * sx / m, cyy = syy - sy * sy / m, cxy = sxy - sx * sy / m;
    return cxx > 0.0 && cyy > 1e-24 ? cxy / sqrt(cxx * cyy) : 0.0;
}

/* Evidence of track row (tau, r over sorted members, highest contact first). */
static int track_info(const double *tau, const double *r, int64_t n, zs_trackinfo *ti)
{
    double *lr = zs_malloc_array((size_t)n, 2 * sizeof *lr);
    if (lr == NULL)
        return ZSTR_ENOMEM;
    double *lc = lr + n;
    memset(ti, 0, sizeof *ti);
    ti->lt_lo = ti->lc_lo = ti->r_lo = INFINITY;
    ti->lt_hi = ti->lc_hi = ti->r_hi = -INFINITY;
    ti->r_full = r[0];
    ti->lt_full = log10(tau[0]);
    /* ranks run with the contact: member n−1−s of the sorted order is rank s */
    for (int64_t s = 0; s < n; s++) {
        int64_t k = n - 1 - s;
        lr[k] = lc[k] = NAN;
        if (!isfinite(tau[s]))
            continue;
        double lt = log10(tau[s]), c = log10(tau[s] / r[s]);
        ti->seen++;
        ti->lt_lo = fmin(ti->lt_lo, lt), ti->lt_hi = fmax(ti->lt_hi, lt);
        ti->lc_lo = fmin(ti->lc_lo, c), ti->lc_hi = fmax(ti->lc_hi, c);
        ti->r_lo = fmin(ti->r_lo, r[s]), ti->r_hi = fmax(ti->r_hi, r[s]);
        ti->lt_mean += lt;
        ti->r_sum += r[s];
        lr[k] = log10(r[s]);
        lc[k] = c;
    }
    ti->lt_mean /= ti->seen > 0 ? ti->seen : 1;
    ti->corr_r = rank_correlation(lr, n);
    ti->corr_c = rank_correlation(lc, n);
    free(lr);
    return ZSTR_OK;
}

static int is_invariant(const zs_trackinfo *ti, int64_t n, const zstr_diagnose_options *o)
{
    return ti->seen == n && ti->lt_hi - ti->lt_lo <= o->tau_tolerance &&
           ti->r_hi / ti->r_lo - 1.0 <= o->resistance_tolerance;
}

/* Rules 1–3 of zstr_analysis.h; tracks are in ascending mean τ. */
static void classify(const zs_trackinfo *ti, int ntrack, int64_t n,
                     const zstr_diagnose_options *o, int *kind)
{
    int nbulk = 0, open = 1, nct = 0;
    for (int t = 0; t < ntrack; t++) {
        kind[t] = ZSTR_PROCESS_UNKNOWN;
        if (ti[t].seen < 2)
            continue;
        if (open && nbulk < 2 && is_invariant(&ti[t], n, o)) {
            kind[t] = nbulk++ == 0 ? ZSTR_PROCESS_BULK : ZSTR_PROCESS_GB;
            continue;
        }
        open = 0;
        if (!isfinite(ti[t].r_full))
            kind[t] = ZSTR_PROCESS_CONSTRICTION; /* 2a */
        else if (ti[t].lt_hi - ti[t].lt_lo <= o->tau_tolerance ||
                 ti[t].lc_hi - ti[t].lc_lo <= o->capacitance_tolerance)
            kind[t] = ZSTR_PROCESS_CHARGE_TRANSFER; /* 2b, 2c */
        nct += kind[t] == ZSTR_PROCESS_CHARGE_TRANSFER;
    }
    /* 2d: present at full contact, τ and C shift */
    for (int t = 0; t < ntrack; t++) {
        if (kind[t] != ZSTR_PROCESS_UNKNOWN || ti[t].seen < 2 || !isfinite(ti[t].r_full))
            continue;
        if (nct > 0 && ti[t].r_full < o->vanish_fraction * ti[t].r_hi)
            kind[t] = ZSTR_PROCESS_CONSTRICTION;
    }
}

static int is_overlap(const zs_trackinfo *ti, int kind)
{
    return kind == ZSTR_PROCESS_UNKNOWN && ti->seen >= 2;
}

/* Dominant process and the two orders of the time constants. */
static void conclude(zstr_diagnosis *d, const zs_trackinfo *ti)
{
    double sum[3] = {0, 0, 0}; /* CT, constriction, overlapping */
    int big_ct = -1, big_cs = -1;
    for (int t = 0; t < d->ntrack; t++) {
        if (d->kind[t] == ZSTR_PROCESS_CHARGE_TRANSFER) {
            sum[0] += ti[t].r_sum;
            big_ct = big_ct < 0 || ti[t].r_sum > ti[big_ct].r_sum ? t : big_ct;
        } else if (d->kind[t] == ZSTR_PROCESS_CONSTRICTION) {
            sum[1] += ti[t].r_sum;
            big_cs = big_cs < 0 || ti[t].r_sum > ti[big_cs].r_sum ? t : big_cs;
        } else if (is_overlap(&ti[t], d->kind[t])) {
            sum[2] += ti[t].r_sum;
        }
    }
    static const int kinds[3] = {ZSTR_PROCESS_CHARGE_TRANSFER, ZSTR_PROCESS_CONSTRICTION,
                                 ZSTR_PROCESS_OVERLAPPING};
    d->dominant = ZSTR_PROCESS_NONE;
    double best = 0.0;
    for (int k = 0; k < 3; k++) {
        if (sum[k] > best) {
            best = sum[k];
            d->dominant = kinds[k];
        }
    }
    d->order_drt = d->order_trend = ZSTR_ORDER_UNKNOWN;
    if (big_ct >= 0 && big_cs >= 0)
        d->order_drt = ti[big_cs].lt_mean < ti[big_ct].lt_mean ? ZSTR_ORDER_CSTR_FIRST
                                                               : ZSTR_ORDER_CT_FIRST;
    if (big_ct >= 0 && big_cs >= 0) {
        const double lim = 0.6;
        if (ti[big_ct].corr_r <= -lim && ti[big_ct].corr_c >= lim)
            d->order_trend = ZSTR_ORDER_CSTR_FIRST;
        else if (ti[big_ct].corr_r >= lim && ti[big_ct].corr_c <= -lim)
            d->order_trend = ZSTR_ORDER_CT_FIRST;
    }
}

/* ------------------------------------------------------------------------- */
/* Report                                                                    */
/* ------------------------------------------------------------------------- */

typedef struct zs_text {
    char *s;
    size_t len, cap;
    int failed;
} zs_text;

#if defined(__GNUC__)
__attribute__((format(__printf__, 2, 3)))
#endif
static void say(zs_text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            t->failed = 1;
            return;
        }
        if (t->s != NULL && t->len + (size_t)k < t->cap) {
            t->len += (size_t)k;
            return;
        }
        size_t cap = 2 * (t->cap + (size_t)k) + 256;
        char *ns = realloc(t->s, cap);
        if (ns == NULL) {
            t->failed = 1;
            return;
        }
        t->s = ns;
        t->cap = cap;
    }
}

static const char *order_text(int order)
{
    return order == ZSTR_ORDER_CSTR_FIRST ? "tau_Cstr < tau_CT"
           : order == ZSTR_ORDER_CT_FIRST ? "tau_CT < tau_Cstr"
                                          : "undetermined";
}

static const char *trend_word(double corr)
{
    return corr >= 0.6 ? "rises" : corr <= -0.6 ? "falls" : "shows no clear trend";
}

static void say_track(zs_text *t, int k, int kind, const zs_trackinfo *ti, int64_t n,
                      double tol)
{
    double span = ti->lt_hi - ti->lt_lo;
    say(t, "Process %d (%s): seen in %d of %lld spectra, tau %.3g", k + 1,
        zstr_process_kind_name(kind), ti->seen, (long long)n, pow(10.0, ti->lt_lo));
    if (span > 0.0)
        say(t, " .. %.3g", pow(10.0, ti->lt_hi));
    say(t, " s (%.2f decades), R %.4g", span, ti->r_lo);
    if (ti->r_hi > ti->r_lo)
        say(t, " .. %.4g", ti->r_hi);
    say(t, " Ohm, C = tau/R %.3g", pow(10.0, ti->lc_lo));
    if (ti->lc_hi > ti->lc_lo)
        say(t, " .. %.3g", pow(10.0, ti->lc_hi));
    say(t, " F. ");
    switch (kind) {
    case ZSTR_PROCESS_BULK:
    case ZSTR_PROCESS_GB:
        say(t, "Invariant in tau and R at short times: ion transport in the electrolyte "
               "(%s).\n", kind == ZSTR_PROCESS_BULK ? "bulk" : "grain boundaries");
        break;
    case ZSTR_PROCESS_CONSTRICTION:
        say(t, "%s at the highest contact, where constriction vanishes; its tau %s "
               "(%.2f decades): geometric current constriction.\n",
            isfinite(ti->r_full) ? "Nearly gone (charge transfer is resolved apart)" : "Absent",
            span > tol ? "shifts with the contact" : "hardly shifts, a weaker sign", span);
        break;
    case ZSTR_PROCESS_CHARGE_TRANSFER:
        if (span <= tol)
            say(t, "Present at the highest contact with a time constant independent of "
                   "the contact: a microscopic transport process (charge transfer).\n");
        else
            say(t, "Present at the highest contact; tau shifts but C = tau/R does not: only "
                   "its resistance changes, a microscopic process (charge transfer).\n");
        break;
    default:
        if (ti->seen < 2)
            say(t, "Seen once: no trend to judge.\n");
        else
            say(t, "Present at the highest contact while tau and C shift and no separate "
                   "charge-transfer signal is resolved: charge transfer overlapping "
                   "constriction (tau_Cstr ~ tau_CT).  At the highest contact it is charge "
                   "transfer alone (R = %.4g Ohm, tau = %.3g s); R grows %.3gx as the contact "
                   "is lost, constriction taking a growing share.\n",
                ti->r_full, pow(10.0, ti->lt_full), ti->r_hi / ti->r_full);
    }
}

static void say_conclusion(zs_text *t, const zstr_diagnosis *d, const zs_trackinfo *ti)
{
    double sum[3] = {0, 0, 0}; /* CT, constriction, overlapping */
    int big_ct = -1;
    for (int k = 0; k < d->ntrack; k++) {
        if (d->kind[k] == ZSTR_PROCESS_CHARGE_TRANSFER) {
            sum[0] += ti[k].r_sum;
            big_ct = big_ct < 0 || ti[k].r_sum > ti[big_ct].r_sum ? k : big_ct;
        }
        sum[1] += d->kind[k] == ZSTR_PROCESS_CONSTRICTION ? ti[k].r_sum : 0.0;
        sum[2] += is_overlap(&ti[k], d->kind[k]) ? ti[k].r_sum : 0.0;
    }
    if (big_ct >= 0 && sum[1] > 0.0) {
        say(t, "Order of the time constants: from the DRT %s; from Table 1 (R_CT %s and "
               "C_CT %s with the contact) %s",
            order_text(d->order_drt), trend_word(ti[big_ct].corr_r),
            trend_word(ti[big_ct].corr_c), order_text(d->order_trend));
        say(t, "%s.\n", d->order_trend == ZSTR_ORDER_UNKNOWN ? ""
                        : d->order_trend == d->order_drt ? " (they agree)"
                                                         : " (they DISAGREE)");
    }
    say(t, "Dominant interface process: %s", zstr_process_kind_name(d->dominant));
    if (d->dominant == ZSTR_PROCESS_NONE) {
        say(t, " (no interface signal changes with the parameter).\n");
        return;
    }
    say(t, " (R summed over the series: charge transfer %.4g Ohm, constriction %.4g Ohm",
        sum[0], sum[1]);
    if (sum[2] > 0.0)
        say(t, ", overlapping signal %.4g Ohm", sum[2]);
    say(t, ").\n");
}

static int write_report(zstr_diagnosis *d, const zs_trackinfo *ti, const double *psorted,
                        const zstr_diagnose_options *o)
{
    zs_text t = {NULL, 0, 0, 0};
    say(&t, "Diagnosis of %lld spectra (Eckhardt et al. 2023, Figure 8); the contact is "
            "taken to %s with the parameter (highest contact at %.4g).\n",
        (long long)d->n, o->contact_increases ? "grow" : "shrink", psorted[0]);
    for (int k = 0; k < d->ntrack; k++)
        say_track(&t, k, d->kind[k], &ti[k], d->n, o->tau_tolerance);
    say_conclusion(&t, d, ti);
    if (t.failed) {
        free(t.s);
        return ZSTR_ENOMEM;
    }
    d->report = t.s;
    return ZSTR_OK;
}

/* ------------------------------------------------------------------------- */
/* Entry point                                                               */
/* ------------------------------------------------------------------------- */

/* Sort the tracks by mean log10 τ, fill d's arrays in the caller's order, the
 * evidence ti (highest contact first) and the kinds. */
static int collect(zstr_diagnosis *d, const zs_tracker *tk, const zs_sortkey *sorted,
                   const zstr_diagnose_options *o, zs_trackinfo **tiout)
{
    int nt = tk->ntrack;
    zs_trackinfo *raw = zs_calloc_array((size_t)(nt > 0 ? nt : 1), sizeof *raw);
    zs_trackinfo *ti = zs_calloc_array((size_t)(nt > 0 ? nt : 1), sizeof *ti);
    zs_sortkey *ord = zs_malloc_array((size_t)(nt > 0 ? nt : 1), sizeof *ord);
    d->tau = zs_malloc_array((size_t)(nt > 0 ? nt : 1) * (size_t)d->n, sizeof *d->tau);
    d->r = zs_malloc_array((size_t)(nt > 0 ? nt : 1) * (size_t)d->n, sizeof *d->r);
    d->kind = zs_calloc_array((size_t)(nt > 0 ? nt : 1), sizeof *d->kind);
    int rc = raw && ti && ord && d->tau && d->r && d->kind ? ZSTR_OK : ZSTR_ENOMEM;
    for (int t = 0; rc == ZSTR_OK && t < nt; t++) {
        rc = track_info(tk->tau + (size_t)t * tk->n, tk->r + (size_t)t * tk->n, tk->n, &raw[t]);
        ord[t] = (zs_sortkey){raw[t].lt_mean, t};
    }
    if (rc == ZSTR_OK) {
        qsort(ord, (size_t)nt, sizeof *ord, by_key);
        for (int k = 0; k < nt; k++) {
            int t = (int)ord[k].index;
            ti[k] = raw[t];
            for (int64_t s = 0; s < d->n; s++) {
                d->tau[(size_t)k * d->n + sorted[s].index] = tk->tau[(size_t)t * tk->n + s];
                d->r[(size_t)k * d->n + sorted[s].index] = tk->r[(size_t)t * tk->n + s];
            }
        }
        d->ntrack = nt;
        classify(ti, nt, d->n, o, d->kind);
    }
    free(raw);
    free(ord);
    if (rc != ZSTR_OK) {
        free(ti);
        ti = NULL;
    }
    *tiout = ti;
    return rc;
}

static int diagnose_run(zstr_diagnosis *d, const zstr_spectrum *const *members,
                        const double *parameter, const zstr_diagnose_options *o,
                        zstr_error *err)
{
    zs_sortkey *sorted = zs_malloc_array((size_t)d->n, sizeof *sorted);
    double *psorted = zs_malloc_array((size_t)d->n, sizeof *psorted);
    zs_tracker tk;
    memset(&tk, 0, sizeof tk);
    tk.n = d->n;
    zs_trackinfo *ti = NULL;
    int rc = sorted != NULL && psorted != NULL ? ZSTR_OK : ZSTR_ENOMEM;
    if (rc == ZSTR_OK)
        rc = compute_drts(d, members, o->drt, err);
    if (rc == ZSTR_OK) {
        /* highest contact first */
        for (int64_t i = 0; i < d->n; i++)
            sorted[i] = (zs_sortkey){o->contact_increases ? -parameter[i] : parameter[i], i};
        qsort(sorted, (size_t)d->n, sizeof *sorted, by_key);
        for (int64_t s = 0; s < d->n; s++)
            psorted[s] = parameter[sorted[s].index];
        rc = track_all(&tk, d->drt, sorted, o);
    }
    if (rc == ZSTR_OK)
        rc = collect(d, &tk, sorted, o, &ti);
    if (rc == ZSTR_OK) {
        conclude(d, ti);
        rc = write_report(d, ti, psorted, o);
    }
    free(ti);
    tracker_free(&tk);
    free(sorted);
    free(psorted);
    return rc;
}

int zstr_diagnose(int64_t n, const zstr_spectrum *const *members, const double *parameter,
                  const zstr_diagnose_options *options, zstr_diagnosis **out, zstr_error *err)
{
    zs_error_clear(err);
    if (out != NULL)
        *out = NULL;
    if (out == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_diagnose: NULL argument");
    zstr_diagnose_options o;
    zstr_diagnose_options_default(&o);
    int rc = zs_an_options(options, &o, ZS_SIZE_UPTO(zstr_diagnose_options, drt), sizeof o,
                           "zstr_diagnose_options", err);
    if (rc == ZSTR_OK)
        rc = check_options(&o, err);
    if (rc == ZSTR_OK)
        rc = check_args(n, members, parameter, err);
    if (rc != ZSTR_OK)
        return rc;
    zstr_diagnosis *d = calloc(1, sizeof *d);
    if (d == NULL || (d->drt = zs_calloc_array((size_t)n, sizeof *d->drt)) == NULL) {
        free(d);
        return zs_error(err, ZSTR_ENOMEM, "zstr_diagnose: out of memory");
    }
    d->n = n;
    rc = diagnose_run(d, members, parameter, &o, err);
    if (rc != ZSTR_OK) {
        zstr_diagnosis_free(d);
        if (err != NULL && err->code == 0)
            zs_error(err, rc, "zstr_diagnose: %s", zstr_strerror(rc));
        return rc;
    }
    *out = d;
    return ZSTR_OK;
}
