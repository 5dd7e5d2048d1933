/*
 * backend_petsc.c — the iterative real backend: PETSc's conjugate gradients
 * preconditioned by algebraic multigrid (GAMG by default, hypre's BoomerAMG
 * through the options), for real shifts G + σC, σ >= 0.  Built into
 * libzstr-mpi only (the Makefile keeps this folder out of the serial library,
 * whose lib/backend_none.c answers "not built with PETSc").
 *
 * The table's contract, iteratively:
 *   analyse  the port form's pattern as PETSc's row starts and columns
 *            (PetscInt; the CSC pattern holds both triangles, so column j is
 *            row j: the arrays go over unchanged), and the plan's expert
 *            options, checked once on a 1 × 1 matrix;
 *   factor   a sequential AIJ matrix on those very arrays (MatCreateSeqAIJ-
 *            WithArrays: no copy of the pattern, only the values are new)
 *            holding G + σC symmetrically scaled to a unit diagonal,
 *            K̃ = D K D with D = diag(K)^(−1/2), and a KSP (CG) whose
 *            preconditioner (AMG) is set up on it: the costly part, like a
 *            numeric factorization.  An earlier version kept the pattern as a
 *            matrix with zero values and duplicated it per shift: 12 bytes
 *            per non-zero more at every shift (bench/RESULTS.md);
 *   solve    x = D K̃⁻¹ D b, one KSPSolve per right-hand side.  KSPMatSolve was
 *            tried and works with CG + GAMG in PETSc 3.18, but only KSPHPDDM has
 *            a block method there: for CG it solves the columns one by one
 *            inside and keeps one converged reason for the block.  The loop
 *            does the same work and checks every column.
 *
 * Stopping rule.  CG stops when the normwise backward error of the scaled
 * system, η = ‖b̃ − K̃x̃‖₂ / (‖K̃‖∞‖x̃‖₂ + ‖b̃‖₂) with b̃ = Db, is at most the
 * tolerance (zs_system.solve_tol, or ZS_PETSC_TOL_DEFAULT; PETSc's -ksp_rtol
 * replaces it): x̃ is then the exact solution of a system within η of K̃, as a
 * factorization in an arithmetic of precision η would give.  A relative
 * residual ‖r‖/‖b‖ was the first rule and cannot be met where the solution
 * is huge beside the right-hand side: with the CE kept and no DC path, every
 * potential is 1.8e9 V plus drops of 1e5 V at σ = 2π·1 mHz, and CHOLMOD's own
 * solve there has a relative residual of 1.8e-10 (its backward error is
 * 1e-16).  The scaling makes every node's residual count relative to its own
 * admittance: the pencil's diagonal spans many orders of magnitude (10 nm GB
 * layers against micron voxels, electrode rows summing a whole face).  After
 * CG stops, η is computed again from the true residual (one mat-vec): the
 * recursively updated residual can drift below the truth, so CG is restarted
 * from its answer while the true η misses 2 × the tolerance, and the answer
 * is refused (ZSTR_ESOLVER) if three restarts do not bring it there.
 * An indefinite preconditioner, a non-finite residual and the iteration
 * limit are ZSTR_ESOLVER too, with the KSPConvergedReason's name, the
 * iterations and η: never a silent answer.  Growth of the residual is not
 * divergence for CG, which minimises the energy norm of the error, not the
 * residual: on the open-circuit 6³ paper model at 1 mHz (G singular, K ≈ σC
 * there), with the serial backend's defaults changed to GAMG without the
 * squared graph for a trial, the residual grew past PETSc's default 1e5 × its
 * start after 11 iterations, PETSc's test stopped it, and without the test CG
 * converged.  So no divergence tolerance is set (-ksp_divtol sets one).
 *
 * Definiteness.  CG needs K symmetric positive definite.  σ > 0 always is
 * (zs_backend.h); σ = 0 only when the system says G is definite
 * (g_definite).  A direct backend finds a singular G while factoring; an
 * iterative one would iterate on it, so σ = 0 without g_definite is refused
 * up front with ZSTR_ESINGULAR, as CHOLMOD's factorization does.
 *
 * PETSc's global state.  PETSc is not thread-safe and keeps process-wide
 * state (its initialisation, error handlers, logging), which this file
 * cannot avoid.  So:
 *   - every entry point takes one process-wide lock (zs_petsc_lock): calls
 *     from several threads are serialised, never concurrent;
 *   - PETSc is initialised on first use (PetscInitializeNoArguments, which
 *     initialises MPI on PETSC_COMM_SELF's behalf) only when the program has
 *     not done so, with PETSc's own signal handlers and option files off
 *     (-no_signal_handler, -skip_petscrc: the program's handlers for SIGHUP,
 *     SIGTERM... stay its own); MPI's crash handlers (SIGABRT, SIGBUS, SIGFPE,
 *     SIGSEGV) are put back to what the program had.  The library never
 *     finalises PETSc, neither its own initialisation nor the program's;
 *   - each call pushes an error handler that only records PETSc's first
 *     message (the library never prints) and pops it before returning;
 *   - the expert options live in a private PetscOptions database attached to
 *     each KSP and its PC, so plans with different options do not see each
 *     other's, and the global database holds only what the program (or, when
 *     the library initialises PETSc, the PETSC_OPTIONS environment variable
 *     and the two options above) put there.  PETSc 3.18 creates GAMG's level
 *     solvers without the private database, so -mg_levels_* and -mg_coarse_*
 *     are read from the global one: in the plan's options they are reported
 *     as unused (ZSTR_EINVAL at the first solve, as a misspelt option is).
 * Matrices and vectors are on PETSC_COMM_SELF: one process, no distribution.
 */
#include "zs_backend.h"
#include "zs_petsc.h"

#include <petscksp.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the backward error asked when the system names none */
#define ZS_PETSC_TOL_DEFAULT 1e-12
/* CG iterations before giving up (PETSc's -ksp_max_it overrides it); the
 * paper's model needs tens per solve (bench/RESULTS.md) */
#define ZS_PETSC_MAX_IT 5000
/* no divergence test unless the options ask for one (banner) */
#define ZS_PETSC_NO_DIVTOL 1e300
/* a true backward error above this many times the tolerance restarts CG, at
 * most ZS_PETSC_RESTARTS times, and is refused after */
#define ZS_PETSC_TRUE_RESIDUAL_SLACK 2.0
#define ZS_PETSC_RESTARTS 3

static pthread_mutex_t zs_petsc_lock = PTHREAD_MUTEX_INITIALIZER;

void zs_petsc_enter(petsc_msg *m)
{
    pthread_mutex_lock(&zs_petsc_lock);
    m->text[0] = '\0';
    m->code = 0;
    PetscPushErrorHandler(zs_petsc_record_error, m);
}

void zs_petsc_leave(void)
{
    PetscPopErrorHandler();
    pthread_mutex_unlock(&zs_petsc_lock);
}

/* ---- errors -------------------------------------------------------------- */

PetscErrorCode zs_petsc_record_error(MPI_Comm comm, int line, const char *fun, const char *file,
                                   PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
    (void)comm;
    (void)line;
    (void)file;
    petsc_msg *m = ctx;
    if (p == PETSC_ERROR_INITIAL || m->code == 0) {
        m->code = n;
        snprintf(m->text, sizeof m->text, "%s%s%s", fun != NULL ? fun : "", fun != NULL ? ": " : "",
                 mess != NULL ? mess : "");
    }
    return n;
}

/* Turn a failed PETSc call into a status and a message. */
int zs_petsc_fail(const petsc_msg *m, PetscErrorCode ierr, const char *what, zstr_error *err)
{
    const char *text = NULL;
    PetscErrorMessage(ierr, &text, NULL);
    int code = ierr == PETSC_ERR_MEM ? ZSTR_ENOMEM : ZSTR_ESOLVER;
    return zs_error(err, code, "PETSc failed in %s (error %d, %s)%s%s", what, (int)ierr,
                    text != NULL ? text : "unknown", m->text[0] ? ": " : "", m->text);
}

/* ---- initialisation -------------------------------------------------------- */

/* Initialise PETSc unless the program did (called with the lock held). */
int zs_petsc_ensure(zstr_error *err)
{
    if (PetscInitializeCalled)
        return ZSTR_OK;
    if (PetscFinalizeCalled)
        return zs_error(err, ZSTR_ESTATE,
                        "the program has finalised PETSc; the iterative backend cannot use it "
                        "again in this process");
    /* MPI installs crash handlers (backtraces); the program's stay in force */
    static const int crash[] = {SIGABRT, SIGBUS, SIGFPE, SIGSEGV};
    struct sigaction kept[sizeof crash / sizeof crash[0]];
    for (size_t k = 0; k < sizeof crash / sizeof crash[0]; k++)
        sigaction(crash[k], NULL, &kept[k]);
    PetscErrorCode ierr = PetscOptionsSetValue(NULL, "-no_signal_handler", NULL);
    if (ierr == 0)
        ierr = PetscOptionsSetValue(NULL, "-skip_petscrc", NULL);
    if (ierr == 0)
        ierr = PetscInitializeNoArguments();
    for (size_t k = 0; k < sizeof crash / sizeof crash[0]; k++)
        sigaction(crash[k], &kept[k], NULL);
    if (ierr != 0 || !PetscInitializeCalled)
        return zs_error(err, ZSTR_ESOLVER, "PETSc could not be initialised (error %d)", (int)ierr);
    return ZSTR_OK;
}

/* ---- objects ----------------------------------------------------------------- */

typedef struct petsc_symbolic {
    PetscInt *ia, *ja; /* the port form's pattern: n + 1 row starts, nnz columns */
    PetscInt n, nnz;
    char *options; /* the plan's expert options (copied), or NULL */
} petsc_symbolic;

typedef struct petsc_numeric {
    Mat A;     /* K̃ = D (G + σC) D */
    double *v; /* A's values when A was made on the caller's arrays (freed after A) */
    KSP ksp;
    PetscOptions options;
    Vec b, x, r;
    double knorm;      /* ‖K̃‖∞ */
    double bnorm;      /* ‖D b‖₂ of the solve under way */
    double r0, eta;    /* its first residual norm and last backward error */
    double *d;         /* D: 1/sqrt(K_ii) */
    double sigma, tol; /* shift, backward error asked */
    PetscInt it_last;
    double it_total, solves;
    double setup_seconds, solve_seconds;
    int options_checked;
} petsc_numeric;

static void destroy_numeric(petsc_numeric *x)
{
    KSPDestroy(&x->ksp);
    MatDestroy(&x->A);
    VecDestroy(&x->b);
    VecDestroy(&x->x);
    VecDestroy(&x->r);
    PetscOptionsDestroy(&x->options);
    free(x->v);
    free(x->d);
    free(x);
}

static void petsc_free_numeric(void *num)
{
    if (num == NULL)
        return;
    /* made only after PETSc was initialised (analyse) */
    pthread_mutex_lock(&zs_petsc_lock);
    petsc_msg m = {{0}, 0};
    PetscPushErrorHandler(zs_petsc_record_error, &m);
    destroy_numeric(num);
    PetscPopErrorHandler();
    pthread_mutex_unlock(&zs_petsc_lock);
}

static void petsc_free_symbolic(void *sym)
{
    petsc_symbolic *y = sym;
    if (y == NULL)
        return;
    free(y->ia);
    free(y->ja);
    free(y->options);
    free(y);
}

/* A private options database: the plan's options over nothing else. */
static PetscErrorCode make_options(const char *text, PetscOptions *out)
{
    PetscErrorCode ierr = PetscOptionsCreate(out);
    if (ierr == 0 && text != NULL && text[0] != '\0')
        ierr = PetscOptionsInsertString(*out, text);
    return ierr;
}

/* CG + GAMG on A with the defaults, then the options (which may replace any
 * of them: -ksp_rtol, -pc_type hypre, -pc_gamg_agg_nsmooths 1, ...). */
static PetscErrorCode make_ksp(Mat A, PetscOptions options, double tol, int distributed,
                               KSP *out)
{
    KSP ksp = NULL;
    PC pc = NULL;
    PetscErrorCode ierr = KSPCreate(PetscObjectComm((PetscObject)A), &ksp);
    if (ierr == 0)
        ierr = PetscObjectSetOptions((PetscObject)ksp, options);
    if (ierr == 0)
        ierr = KSPSetType(ksp, KSPCG);
    if (ierr == 0)
        ierr = KSPGetPC(ksp, &pc);
    if (ierr == 0)
        ierr = PetscObjectSetOptions((PetscObject)pc, options);
    if (ierr == 0)
        ierr = PCSetType(pc, PCGAMG);
    /* plain aggregation: on the paper's model it needs twice the iterations
     * of smoothed aggregation (PETSc's default) but sets up so much faster
     * that a sweep takes 2.5 times less (bench/RESULTS.md) */
    if (ierr == 0)
        ierr = PCGAMGSetNSmooths(pc, 0);
    if (ierr == 0)
        ierr = KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED);
    if (ierr == 0)
        ierr = KSPSetTolerances(ksp, tol, 0.0, ZS_PETSC_NO_DIVTOL, ZS_PETSC_MAX_IT);
    if (ierr == 0)
        ierr = KSPSetOperators(ksp, A, A);
    /* the types first, on their own: an unknown one fails here cleanly
     * (inside KSPSetFromOptions PETSc 3.18 leaks on that error path) */
    char type[64];
    PetscBool set = PETSC_FALSE;
    if (ierr == 0)
        ierr = PetscOptionsGetString(options, NULL, "-ksp_type", type, sizeof type, &set);
    if (ierr == 0 && set)
        ierr = KSPSetType(ksp, type);
    if (ierr == 0)
        ierr = PetscOptionsGetString(options, NULL, "-pc_type", type, sizeof type, &set);
    if (ierr == 0 && set)
        ierr = PCSetType(pc, type);
    /* the distributed backend: GAMG without squaring the first level's graph
     * (PETSc 3.18's option; its function is not in the library).  With the
     * squaring, GAMG's set-up failed on process 0 of 2 on the 80³ paper model
     * (a failed allocation in MatSeqAIJSetPreallocation_SeqAIJ while
     * coarsening; 64³ and 100³ ran) and the other process waited in the
     * collective for ever; without it every size ran, at 11 % more time on
     * 64³ with one process (bench/RESULTS.md).  Set in the private database
     * only when GAMG is the preconditioner and the caller's options do not
     * name it, so -pc_gamg_square_graph 1 restores it.  The serial backend
     * keeps the squaring: it saves little there (18 MiB of 423 at 64³), and
     * without it the 5³ block of tests/test_backend.c misses that test's
     * residual bound at shift 0 (1.5e-12 against 1e-12). */
    PetscBool named = PETSC_FALSE, other = set && strcmp(type, PCGAMG) != 0;
    if (ierr == 0 && distributed && !other)
        ierr = PetscOptionsHasName(options, NULL, "-pc_gamg_square_graph", &named);
    if (ierr == 0 && distributed && !other && !named)
        ierr = PetscOptionsSetValue(options, "-pc_gamg_square_graph", "0");
    if (ierr == 0)
        ierr = KSPSetFromOptions(ksp);
    if (ierr != 0) {
        KSPDestroy(&ksp);
        return ierr;
    }
    *out = ksp;
    return 0;
}

int zs_petsc_check_options(Mat A, const char *options, zstr_error *err)
{
    if (options == NULL || options[0] == '\0')
        return ZSTR_OK;
    petsc_msg m;
    zs_petsc_enter(&m);
    PetscOptions opts = NULL;
    KSP trial = NULL;
    PetscErrorCode ierr = make_options(options, &opts);
    if (ierr == 0)
        ierr = make_ksp(A, opts, ZS_PETSC_TOL_DEFAULT, 1, &trial);
    KSPDestroy(&trial);
    PetscOptionsDestroy(&opts);
    zs_petsc_leave();
    if (ierr != 0)
        return zs_error(err, ZSTR_EINVAL, "the iterative backend's options \"%.200s\": %s",
                        options, m.text[0] ? m.text : "refused by PETSc");
    return ZSTR_OK;
}

/* ---- analyse ------------------------------------------------------------------ */

static int petsc_analyse(const zs_system *s, int ordering, void **out, zstr_error *err)
{
    (void)ordering; /* AMG orders nothing */
    *out = NULL;
    if (s->n > (int64_t)PETSC_MAX_INT || s->nnz > (int64_t)PETSC_MAX_INT)
        return zs_error(err, ZSTR_ERANGE,
                        "the port form has %lld unknowns and %lld non-zeros, more than this "
                        "PETSc's %d-bit indices hold (at most %lld): use a PETSc configured "
                        "with --with-64-bit-indices",
                        (long long)s->n, (long long)s->nnz, (int)(8 * sizeof(PetscInt)),
                        (long long)PETSC_MAX_INT);
    petsc_symbolic *y = calloc(1, sizeof *y);
    /* the pattern from the system (full or compact: zs_system_csr), 32-bit
     * rows as PETSc's own columns where PetscInt is 32 bits */
    int64_t *ap = zs_malloc_array((size_t)s->n + 1, sizeof *ap);
    int32_t *aj = zs_malloc_array((size_t)(s->nnz > 0 ? s->nnz : 1), sizeof *aj);
    PetscInt *ia = zs_malloc_array((size_t)s->n + 1, sizeof *ia);
    if (s->backend_options != NULL && y != NULL) {
        y->options = strdup(s->backend_options);
        if (y->options == NULL) {
            free(y);
            y = NULL;
        }
    }
    if (y == NULL || ap == NULL || aj == NULL || ia == NULL) {
        free(ap);
        free(aj);
        free(ia);
        if (y != NULL)
            free(y->options);
        free(y);
        return zs_error(err, ZSTR_ENOMEM, "out of memory for the PETSc pattern of %lld unknowns",
                        (long long)s->n);
    }
    y->n = (PetscInt)s->n;
    y->nnz = (PetscInt)s->nnz;
    y->ia = ia;
    int rc0 = zs_system_csr(s, 0.0, 0.0, ap, aj, NULL, err);
    for (int64_t j = 0; rc0 == ZSTR_OK && j <= s->n; j++)
        ia[j] = (PetscInt)ap[j];
    free(ap);
#if defined(PETSC_USE_64BIT_INDICES)
    y->ja = rc0 == ZSTR_OK ? zs_malloc_array((size_t)(s->nnz > 0 ? s->nnz : 1), sizeof *y->ja)
                           : NULL;
    if (rc0 == ZSTR_OK && y->ja == NULL)
        rc0 = zs_error(err, ZSTR_ENOMEM, "out of memory for the PETSc pattern");
    for (int64_t k = 0; rc0 == ZSTR_OK && k < s->nnz; k++)
        y->ja[k] = (PetscInt)aj[k];
    free(aj);
#else
    y->ja = aj;
#endif
    if (rc0 != ZSTR_OK) {
        petsc_free_symbolic(y);
        return rc0;
    }

    pthread_mutex_lock(&zs_petsc_lock);
    int rc = zs_petsc_ensure(err);
    petsc_msg m = {{0}, 0};
    PetscOptions opts = NULL;
    KSP trial = NULL;
    Mat tiny = NULL;
    PetscErrorCode ierr = 0;
    const char *what = "making a trial matrix";
    if (rc == ZSTR_OK) {
        PetscPushErrorHandler(zs_petsc_record_error, &m);
        /* the options are read once here, on a 1 × 1 matrix (reading them
         * sets nothing up), so a bad one (an unknown type, a malformed value)
         * refuses the plan rather than its first sweep */
        ierr = MatCreateSeqAIJ(PETSC_COMM_SELF, 1, 1, 1, NULL, &tiny);
        if (ierr == 0)
            ierr = MatSetValue(tiny, 0, 0, 1.0, INSERT_VALUES);
        if (ierr == 0)
            ierr = MatAssemblyBegin(tiny, MAT_FINAL_ASSEMBLY);
        if (ierr == 0)
            ierr = MatAssemblyEnd(tiny, MAT_FINAL_ASSEMBLY);
        if (ierr == 0) {
            what = "reading the options";
            ierr = make_options(y->options, &opts);
        }
        if (ierr == 0)
            ierr = make_ksp(tiny, opts, ZS_PETSC_TOL_DEFAULT, 0, &trial);
        KSPDestroy(&trial);
        MatDestroy(&tiny);
        PetscOptionsDestroy(&opts);
        PetscPopErrorHandler();
        if (ierr != 0) {
            if (y->options != NULL && strcmp(what, "reading the options") == 0)
                rc = zs_error(err, ZSTR_EINVAL, "the iterative backend's options \"%.200s\": %s",
                              y->options, m.text[0] ? m.text : "refused by PETSc");
            else
                rc = zs_petsc_fail(&m, ierr, what, err);
        }
    }
    pthread_mutex_unlock(&zs_petsc_lock);
    if (rc != ZSTR_OK) {
        petsc_free_symbolic(y);
        return rc;
    }
    *out = y;
    return ZSTR_OK;
}

/* Backward error of the scaled system, η = ‖b̃ − K̃x̃‖₂ / (‖K̃‖∞ ‖x̃‖₂ + ‖b̃‖₂). */
static double backward_error(const petsc_numeric *x, double rnorm, double xnorm)
{
    double den = x->knorm * xnorm + x->bnorm;
    return den > 0.0 ? rnorm / den : 0.0;
}

/* CG's stopping test (KSPSetConvergenceTest): the backward error of the
 * current iterate, from CG's recursively updated residual, at most the
 * KSP's rtol (which holds the tolerance). */
static PetscErrorCode converged_backward(KSP ksp, PetscInt it, PetscReal rnorm,
                                         KSPConvergedReason *reason, void *ctx)
{
    petsc_numeric *x = ctx;
    *reason = KSP_CONVERGED_ITERATING;
    if (!isfinite((double)rnorm)) {
        *reason = KSP_DIVERGED_NANORINF;
        return 0;
    }
    PetscReal rtol = 0.0, dtol = 0.0;
    PetscErrorCode ierr = KSPGetTolerances(ksp, &rtol, NULL, &dtol, NULL);
    Vec sol = NULL;
    PetscReal xnorm = 0.0;
    if (ierr == 0)
        ierr = KSPBuildSolution(ksp, NULL, &sol);
    if (ierr == 0)
        ierr = VecNorm(sol, NORM_2, &xnorm);
    if (ierr != 0)
        return ierr;
    if (it == 0)
        x->r0 = (double)rnorm;
    x->eta = backward_error(x, (double)rnorm, (double)xnorm);
    if (x->eta <= (double)rtol)
        *reason = KSP_CONVERGED_RTOL;
    else if (x->r0 > 0.0 && (double)rnorm > (double)dtol * x->r0)
        *reason = KSP_DIVERGED_DTOL;
    return 0;
}

/* ---- factor --------------------------------------------------------------------- */

static int petsc_factor(const zs_system *s, void *sym, double sr, double si, void **out,
                        zstr_error *err)
{
    *out = NULL;
    petsc_symbolic *y = sym;
    if (si != 0.0 || !(sr >= 0.0) || !isfinite(sr))
        return zs_error(err, ZSTR_EINVAL,
                        "the PETSc backend solves real shifts >= 0 only (asked %g%+gj)", sr, si);
    if (sr == 0.0 && !s->g_definite)
        return zs_error(err, ZSTR_ESINGULAR,
                        "G alone is singular (a region does not conduct to the counter "
                        "electrode): conjugate gradients cannot solve it at shift 0");
    /* G + σC in the pattern's order (SeqAIJ takes the CSR as given: the
     * port form's columns are its rows), then D from its diagonal (rows
     * sorted, diagonal present) and the scaling in place */
    double *d = zs_malloc_array((size_t)s->n, sizeof *d);
    double *v = zs_malloc_array((size_t)(y->nnz > 0 ? y->nnz : 1), sizeof *v);
    int rc = d != NULL && v != NULL
                 ? ZSTR_OK
                 : zs_error(err, ZSTR_ENOMEM, "out of memory for a PETSc operator (%lld values)",
                            (long long)y->nnz);
    if (rc == ZSTR_OK)
        rc = zs_system_csr(s, 1.0, sr, NULL, NULL, v, err);
    for (PetscInt j = 0; rc == ZSTR_OK && j < y->n; j++) {
        double kjj = 0.0;
        for (PetscInt k = y->ia[j]; k < y->ia[j + 1]; k++)
            if (y->ja[k] == j)
                kjj = v[k];
        if (!(kjj > 0.0) || !isfinite(kjj))
            rc = zs_error(err, kjj == 0.0 ? ZSTR_ESINGULAR : ZSTR_EINVAL,
                          "G + %g C has the diagonal %g at row %lld of %lld: not positive "
                          "definite",
                          sr, kjj, (long long)j, (long long)s->n);
        else
            d[j] = 1.0 / sqrt(kjj);
    }
    int finite = 1;
    for (PetscInt j = 0; rc == ZSTR_OK && j < y->n; j++)
        for (PetscInt k = y->ia[j]; k < y->ia[j + 1]; k++) {
            double a = d[y->ja[k]] * v[k] * d[j];
            finite &= isfinite(a);
            v[k] = a;
        }
    if (rc == ZSTR_OK && !finite)
        rc = zs_error(err, ZSTR_EINVAL, "G + %g C has values that are not finite after scaling",
                      sr);
    if (rc != ZSTR_OK) {
        free(v);
        free(d);
        return rc;
    }
    pthread_mutex_lock(&zs_petsc_lock);
    petsc_msg m = {{0}, 0};
    PetscPushErrorHandler(zs_petsc_record_error, &m);
    Mat A = NULL;
    PetscErrorCode ierr =
        MatCreateSeqAIJWithArrays(PETSC_COMM_SELF, y->n, y->n, y->ia, y->ja, v, &A);
    PetscPopErrorHandler();
    pthread_mutex_unlock(&zs_petsc_lock);
    if (ierr != 0) {
        rc = zs_petsc_fail(&m, ierr, "making the operator", err);
        zs_petsc_enter(&m);
        MatDestroy(&A);
        zs_petsc_leave();
        free(v);
        free(d);
        return rc;
    }
    return zs_petsc_numeric_create(A, v, d, sr, s->solve_tol, y->options, NULL, NULL, out, err);
}

int zs_petsc_numeric_create(Mat A, double *values, double *d, double sigma, double tol,
                            const char *options, zs_petsc_agree_fn agree, void *actx, void **out,
                            zstr_error *err)
{
    *out = NULL;
    petsc_numeric *x = calloc(1, sizeof *x);
    petsc_msg m = {{0}, 0};
    int rc = x != NULL ? ZSTR_OK
                       : zs_error(err, ZSTR_ENOMEM, "out of memory for a PETSc operator");
    if (agree != NULL)
        rc = agree(actx, rc, err); /* before the collective calls below */
    if (rc != ZSTR_OK) {
        zs_petsc_enter(&m);
        MatDestroy(&A);
        zs_petsc_leave();
        free(values);
        free(d);
        free(x);
        return rc;
    }
    x->A = A;
    x->v = values;
    x->d = d;
    x->sigma = sigma;
    x->tol = tol > 0.0 ? tol : ZS_PETSC_TOL_DEFAULT;
    zs_petsc_enter(&m);
    const char *what = "reading the options";
    PetscErrorCode ierr = MatSetOption(x->A, MAT_SPD, PETSC_TRUE);
    if (ierr == 0)
        ierr = make_options(options, &x->options);
    if (ierr == 0) {
        what = "setting up the preconditioner";
        ierr = make_ksp(x->A, x->options, x->tol, agree != NULL, &x->ksp);
    }
    if (ierr == 0)
        ierr = MatCreateVecs(x->A, &x->x, &x->b);
    if (ierr == 0)
        ierr = VecDuplicate(x->b, &x->r);
    if (ierr == 0) {
        PetscReal kn = 0.0;
        ierr = MatNorm(x->A, NORM_INFINITY, &kn);
        x->knorm = (double)kn;
    }
    if (ierr == 0)
        ierr = KSPSetConvergenceTest(x->ksp, converged_backward, x, NULL);
    double t0 = zs_wall_seconds();
    if (ierr == 0)
        ierr = KSPSetUp(x->ksp);
    x->setup_seconds = zs_wall_seconds() - t0;
    if (ierr == 0) {
        PetscReal rtol = 0.0;
        ierr = KSPGetTolerances(x->ksp, &rtol, NULL, NULL, NULL);
        x->tol = (double)rtol; /* -ksp_rtol may have replaced it */
    }
    zs_petsc_leave();
    if (ierr != 0) {
        rc = zs_petsc_fail(&m, ierr, what, err);
        petsc_free_numeric(x);
        return rc;
    }
    *out = x;
    return ZSTR_OK;
}

/* ---- solve ------------------------------------------------------------------------ */

/* The options nobody read, after the first solve has read every one it uses
 * (the multigrid levels' options are read while setting up, the viewers'
 * after solving): a misspelt option must not pass silently. */
static int check_options_used(petsc_numeric *x, zstr_error *err)
{
    PetscInt nleft = 0;
    char **names = NULL, **values = NULL;
    if (PetscOptionsLeftGet(x->options, &nleft, &names, &values) != 0)
        return ZSTR_OK;
    int rc = ZSTR_OK;
    if (nleft > 0) {
        char list[256] = "";
        size_t used = 0;
        for (PetscInt k = 0; k < nleft && used < sizeof list; k++) {
            snprintf(list + used, sizeof list - used, "%s-%s", k > 0 ? ", " : "", names[k]);
            used = strlen(list);
        }
        rc = zs_error(err, ZSTR_EINVAL,
                      "the iterative backend's options: %lld not used by the solver (misspelt, "
                      "for another preconditioner, or for GAMG's levels -mg_levels_* and "
                      "-mg_coarse_*, which PETSc 3.18 reads from its global options only: "
                      "PETSC_OPTIONS): %s",
                      (long long)nleft, list);
    }
    PetscOptionsLeftRestore(x->options, &nleft, &names, &values);
    return rc;
}

/* The preconditioner's PETSc name (gamg, hypre, ...). */
static const char *pc_name(petsc_numeric *x)
{
    PC pc = NULL;
    PCType t = NULL;
    if (KSPGetPC(x->ksp, &pc) != 0 || PCGetType(pc, &t) != 0 || t == NULL)
        return "?";
    return t;
}

/* One right-hand side: x = D K̃⁻¹ D b.  CG stops on the backward error of its
 * recursively updated residual; the true one is computed after it (one
 * mat-vec), and CG is restarted from its answer (at most ZS_PETSC_RESTARTS
 * times) while the true backward error misses ZS_PETSC_TRUE_RESIDUAL_SLACK ×
 * the tolerance: in floating point the recursion can drift below the truth. */
static int solve_one(petsc_numeric *x, int64_t n, const double *bc, double *xc, petsc_msg *m,
                     zstr_error *err)
{
    PetscScalar *v = NULL;
    PetscErrorCode ierr = VecGetArray(x->b, &v);
    if (ierr == 0) {
        for (int64_t i = 0; i < n; i++)
            v[i] = x->d[i] * bc[i];
        ierr = VecRestoreArray(x->b, &v);
    }
    PetscReal bn = 0.0;
    if (ierr == 0)
        ierr = VecNorm(x->b, NORM_2, &bn); /* over every process of the operator */
    x->bnorm = (double)bn;
    if (ierr == 0)
        ierr = KSPSetInitialGuessNonzero(x->ksp, PETSC_FALSE);
    if (ierr != 0)
        return zs_petsc_fail(m, ierr, "preparing the right-hand side", err);
    PetscInt its = 0, total = 0;
    const char *rname = "";
    double eta = 0.0;
    int ok = 0;
    for (int attempt = 0; attempt <= ZS_PETSC_RESTARTS && !ok; attempt++) {
        if (attempt > 0 && (ierr = KSPSetInitialGuessNonzero(x->ksp, PETSC_TRUE)) != 0)
            break;
        if ((ierr = KSPSolve(x->ksp, x->b, x->x)) != 0)
            break;
        KSPConvergedReason reason = KSP_CONVERGED_ITERATING;
        KSPGetConvergedReason(x->ksp, &reason);
        KSPGetIterationNumber(x->ksp, &its);
        total += its;
        x->it_last = total;
        rname = KSPConvergedReasons[reason];
        if (reason < 0) {
            x->it_total += (double)total;
            return zs_error(err, ZSTR_ESOLVER,
                            "CG + %s did not converge at shift %g: %s after %d iterations, "
                            "backward error %.3g (asked %.3g)",
                            pc_name(x), x->sigma, rname, (int)total, x->eta, x->tol);
        }
        PetscReal rn = 0.0, xn = 0.0;
        ierr = MatMult(x->A, x->x, x->r);
        if (ierr == 0)
            ierr = VecAYPX(x->r, -1.0, x->b);
        if (ierr == 0)
            ierr = VecNorm(x->r, NORM_2, &rn);
        if (ierr == 0)
            ierr = VecNorm(x->x, NORM_2, &xn);
        if (ierr != 0)
            break;
        eta = backward_error(x, (double)rn, (double)xn);
        ok = eta <= ZS_PETSC_TRUE_RESIDUAL_SLACK * x->tol;
    }
    x->it_total += (double)total;
    KSPSetInitialGuessNonzero(x->ksp, PETSC_FALSE);
    if (ierr != 0)
        return zs_petsc_fail(m, ierr, "KSPSolve", err);
    if (!ok)
        return zs_error(err, ZSTR_ESOLVER,
                        "CG + %s at shift %g stopped (%s, %d iterations in %d restarts) with a "
                        "true backward error of %.3g, above %g times the %.3g asked",
                        pc_name(x), x->sigma, rname, (int)total, ZS_PETSC_RESTARTS, eta,
                        ZS_PETSC_TRUE_RESIDUAL_SLACK, x->tol);
    const PetscScalar *xv = NULL;
    if ((ierr = VecGetArrayRead(x->x, &xv)) != 0)
        return zs_petsc_fail(m, ierr, "reading the solution", err);
    for (int64_t i = 0; i < n; i++)
        xc[i] = x->d[i] * xv[i];
    VecRestoreArrayRead(x->x, &xv);
    return ZSTR_OK;
}

int zs_petsc_numeric_solve(void *num, int64_t n, const double *b, double *xout,
                           zstr_error *err)
{
    petsc_numeric *x = num;
    petsc_msg m = {{0}, 0};
    zs_petsc_enter(&m);
    double t0 = zs_wall_seconds();
    int rc = solve_one(x, n, b, xout, &m, err);
    x->solves += 1.0;
    if (rc == ZSTR_OK && !x->options_checked) {
        x->options_checked = 1;
        rc = check_options_used(x, err);
    }
    x->solve_seconds += zs_wall_seconds() - t0;
    zs_petsc_leave();
    return rc;
}

double zs_petsc_numeric_iterations(const void *num)
{
    const petsc_numeric *x = num;
    return x != NULL ? x->it_total : 0.0;
}

void zs_petsc_numeric_free(void *num) { petsc_free_numeric(num); }

static int petsc_solve(const zs_system *s, void *sym, void *num, int64_t nrhs, const double *b,
                       double *xout, zstr_error *err)
{
    (void)sym;
    const int64_t n = s->n;
    int rc = ZSTR_OK;
    for (int64_t r = 0; r < nrhs && rc == ZSTR_OK; r++)
        rc = zs_petsc_numeric_solve(num, n, b + r * n, xout + r * n, err);
    return rc;
}

/* ---- figures ----------------------------------------------------------------------- */

static int petsc_stat(const void *sym, const void *num, int k, const char **name, double *value)
{
    const petsc_symbolic *y = sym;
    const petsc_numeric *x = num;
    switch (k) {
    case 0:
        *name = "petsc.iterations_last";
        *value = x != NULL ? (double)x->it_last : 0.0;
        return ZSTR_OK;
    case 1:
        *name = "petsc.iterations_total";
        *value = x != NULL ? x->it_total : 0.0;
        return ZSTR_OK;
    case 2:
        *name = "petsc.solves";
        *value = x != NULL ? x->solves : 0.0;
        return ZSTR_OK;
    case 3:
        *name = "petsc.setup_seconds";
        *value = x != NULL ? x->setup_seconds : 0.0;
        return ZSTR_OK;
    case 4:
        *name = "petsc.solve_seconds";
        *value = x != NULL ? x->solve_seconds : 0.0;
        return ZSTR_OK;
    case 5:
        *name = "petsc.tolerance";
        *value = x != NULL ? x->tol : ZS_PETSC_TOL_DEFAULT;
        return ZSTR_OK;
    case 6:
        *name = "petsc.pattern_nnz";
        *value = y != NULL ? (double)y->nnz : 0.0;
        return ZSTR_OK;
    case 7:
        *name = "petsc.pattern_bytes"; /* the row starts and columns kept */
        *value = y != NULL ? (double)sizeof(PetscInt) * ((double)y->nnz + (double)y->n + 1.0)
                           : 0.0;
        return ZSTR_OK;
    default:
        return ZSTR_ERANGE;
    }
}

static const zs_backend zs_backend_petsc = {
    "petsc",     0,          petsc_analyse,      petsc_factor,
    petsc_solve, petsc_stat, petsc_free_numeric, petsc_free_symbolic};

const zs_backend *zs_backend_iterative(void) { return &zs_backend_petsc; }
