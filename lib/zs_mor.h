/*
 * zs_mor.h — the reduced-order sweep's driver over an abstract vector space
 * (library-internal).
 *
 * mor.c builds the rational Krylov basis, the projected pencil and the
 * greedy choice of shifts from the operations below alone, so the same
 * driver runs on one process (the plan's port form and its real backend:
 * mor.c's serial space) and on many (lib/petsc/dist.c: each process holds a
 * slab of every vector, and the sums of the energy forms and inner products
 * are reduced over the communicator).  Every reduced quantity is handed back
 * identical on every process (sum), so every process takes the same shifts
 * and stops at the same step.
 */
#ifndef ZS_MOR_H
#define ZS_MOR_H

#include "zs_internal.h"

typedef struct zs_mor_space {
    int64_t n;      /* unknowns held here */
    int64_t port;   /* the local index of the port node, −1 when another process holds it */
    int g_definite; /* G alone is positive definite everywhere: shift 0 allowed */
    int backend;    /* zstr_backend reported in zstr_rom_info */
    int leader;     /* 1 on the one process whose decisions (next shift, stop,
                       cancellation) and reduced model every process takes */
    void *ctx;
    /* y = (a·G + b·C) x on the local parts (communicating as needed) */
    void (*matvec)(void *ctx, double a, double b, const double *x, double *y);
    /* Sum v[0..count) over the processes in place, the same result on every
     * one; NULL on one process. */
    void (*sum)(void *ctx, double *v, int64_t count);
    /* This process's share of the energy forms, element by element:
     * gk[j] = Σ_e g_e Δ_e v_j Δ_e v_k and ck[j] likewise with c_e, j = 0..k,
     * for the basis vectors V + j·n (each element counted on one process). */
    void (*project)(void *ctx, const double *V, int64_t k, double *gk, double *ck);
    /* A real "factorization" of G + σC, solves with it, the Krylov iterations
     * it has made (0 for a direct one), and its release. */
    int (*factor)(void *ctx, double sigma, void **num, zstr_error *err);
    int (*solve)(void *ctx, void *num, const double *b, double *x, zstr_error *err);
    double (*iterations)(void *ctx, void *num);
    void (*free_numeric)(void *ctx, void *num);
    /* The worst status over the processes (NULL on one process): a process
     * whose own call succeeded gets ZSTR_ESOLVER and a message naming the
     * failure elsewhere, so every process leaves the loop at the same step. */
    int (*agree)(void *ctx, int rc, zstr_error *err);
} zs_mor_space;

/* The reduced model of the space's port impedance for the band of f
 * (zstr_rom_create's contract; opt already checked by zs_mor_read_options). */
int zs_mor_build(const zs_mor_space *sp, int64_t n, const double *f,
                 const zstr_rom_options *opt, zstr_rom **out, zstr_error *err);
/* ZSTR_EINVAL unless every f is finite and >= 0 and one is > 0. */
int zs_mor_check_frequencies(int64_t n, const double *f, zstr_error *err);
/* zstr_rom_options with defaults for NULL, checked. */
int zs_mor_read_options(const zstr_rom_options *opt, zstr_rom_options *o, zstr_error *err);
/* The basis and solve vectors of a sweep of n unknowns with these options [bytes]. */
double zs_mor_basis_bytes(int64_t n, const zstr_rom_options *o);
/* The solve tolerance (normwise backward error) an iterative backend is asked for. */
double zs_mor_solve_tolerance(const zstr_rom_options *o);

#endif
