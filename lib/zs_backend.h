/*
 * zs_backend.h — linear-solver backends behind one small table, and the port
 * form of the pencil they solve (library-internal).
 *
 * Backends (SUNDIALS' SUNLinearSolver and PETSc's KSP ops are the models).  A
 * backend factors K(s) = G + s·C of one zs_system at a shift s and solves with
 * a block of right-hand sides.  The table is the whole contract:
 *   analyse  once per system: ordering and symbolic factorization of the
 *            pattern (no values), kept by the caller for every shift;
 *   factor   numeric factorization of G + s·C, s = sr + j·si (a backend
 *            without is_complex accepts si = 0 and sr >= 0 only);
 *   solve    X = K⁻¹ B for nrhs columns of length n (column-major; real values
 *            for a real backend, interleaved complex for a complex one);
 *   stat     the k-th figure of the backend by name (ZSTR_ERANGE past the end);
 *   free_numeric, free_symbolic (NULL is a no-op).
 * Nothing else is shared between a backend and its callers, so iterative and
 * distributed backends fit the same table: for an iterative backend "factor"
 * is building the operator and setting up its preconditioner, and the system
 * carries the backward error its solves must reach (solve_tol).  tests/test_backend.c
 * runs one conformance suite against every backend of the build.
 *
 * Port form (physics.md §5).  The model-order reduction needs constant input
 * and output vectors, so one electrode is kept as an unknown node (the last
 * one, index n − 1) fed by 1 A with the other grounded: (G + sC) x = e_port,
 * Z(s) = x_port (the WE, or the CE when that keeps the port's row better
 * conditioned: port.c).  G and C stay symmetric positive semi-definite, and
 * G + σC is definite for σ > 0 when every node reaches the grounded electrode
 * through some branch (every voxel part has a capacitance, so only an
 * electrode without any branch breaks it; zs_system_build refuses that case).
 * G alone is definite when every node conducts to the grounded electrode.
 */
#ifndef ZS_BACKEND_H
#define ZS_BACKEND_H

#include "zs_internal.h"

/* A symmetric pencil on one CSC pattern holding both triangles, rows sorted,
 * diagonal present. */
typedef struct zs_system {
    int64_t n, nnz;
    int64_t *Ap, *Ai;
    double *Gx, *Cx;
    int64_t port;       /* the row of the port node (the kept electrode): n − 1; −1 in a
                           system without one (the plan's eliminated pencil, zs_plan.h) */
    int port_electrode; /* ZSTR_WE or ZSTR_CE: the electrode kept (port.c says which) */
    int g_definite;   /* G alone is positive definite (DC shift allowed) */
    /* For an iterative backend (direct ones ignore both): the normwise backward
     * error its solves must reach (0: the backend's default), and expert
     * options in the backend's own syntax that analyse keeps for every factor
     * (NULL: none; not owned by the system). */
    double solve_tol;
    const char *backend_options;
    /* A compact port form (zs_system_build_compact): Ap, Ai, Gx and Cx are
     * NULL and the entries are read from the pencil's upper triangle (not
     * owned) and the port node's row: the nt nodes tnode[] touching the kept
     * electrode with their summed −g, −c (tg, tc), and the port's diagonal
     * (wg, wc).  Only zs_system_matvec, zs_system_csr and the iterative
     * backend take it; the direct backends need the arrays. */
    const zs_pencil *pencil;
    int64_t nt;
    int64_t *tnode;
    double *tg, *tc;
    double wg, wc;
} zs_system;

/* Port form of an assembled pencil with `electrode` kept (ZSTR_WE, ZSTR_CE, or
 * ZS_PORT_AUTO: the better conditioned one, port.c).  ZSTR_EINVAL when an
 * electrode has no branch. */
#define ZS_PORT_AUTO (-1)
/* ... or ZS_PORT_NONE: both electrodes eliminated, both triangles of the
 * pencil itself (the direct solver's system; port = −1). */
#define ZS_PORT_NONE (-2)
int zs_system_build(const zs_pencil *p, int electrode, zs_system *s, zstr_error *err);
/* The upper triangle of the same port form's pattern, without values (Gx =
 * Cx = NULL): what a symbolic analysis that takes one triangle needs
 * (CHOLMOD's), at a fraction of the memory of zs_system_build. */
int zs_system_build_pattern(const zs_pencil *p, int electrode, zs_system *s, zstr_error *err);
/* The same port form held compactly: no copy of the pencil's entries (the
 * full form holds both triangles with 64-bit rows, 24 bytes a non-zero, about
 * 140 bytes an unknown on the paper model), only the port node's row.  Its
 * pencil must outlive it. */
int zs_system_build_compact(const zs_pencil *p, int electrode, zs_system *s, zstr_error *err);
void zs_system_free(zs_system *s);
/* y = A x for A = a·G + b·C (full: both triangles, one pass; compact: the
 * upper triangle and its mirror, then the port's row and column). */
void zs_system_matvec(const zs_system *s, double a, double b, const double *x, double *y);
/* Both triangles of a·G + b·C in compressed columns, sorted (the full form's
 * own order, which a compact form reproduces): Ap (n + 1 starts), Ai (32-bit
 * rows) and Ax (values), each optional (NULL: not wanted).  ZSTR_ERANGE when
 * a row index does not fit 32 bits, ZSTR_ENOMEM (a compact form needs n + 1
 * counters). */
int zs_system_csr(const zs_system *s, double a, double b, int64_t *Ap, int32_t *Ai, double *Ax,
                  zstr_error *err);

typedef struct zs_backend {
    const char *name;
    int is_complex; /* 1: complex shifts, complex vectors; 0: real shifts >= 0, real vectors */
    int (*analyse)(const zs_system *sys, int ordering, void **symbolic, zstr_error *err);
    int (*factor)(const zs_system *sys, void *symbolic, double sr, double si, void **numeric,
                  zstr_error *err);
    int (*solve)(const zs_system *sys, void *symbolic, void *numeric, int64_t nrhs,
                 const double *b, double *x, zstr_error *err);
    int (*stat)(const void *symbolic, const void *numeric, int k, const char **name,
                double *value);
    void (*free_numeric)(void *numeric);
    void (*free_symbolic)(void *symbolic);
} zs_backend;

extern const zs_backend zs_backend_cholmod;
/* CHOLMOD's common object as every CHOLMOD caller here sets it up: no printing,
 * no error handler, one ordering (solver_cholmod.c). */
struct cholmod_common_struct;
void zs_cholmod_start(struct cholmod_common_struct *c, int ordering);
extern const zs_backend zs_backend_umfpack;
/* The iterative real backend of this build, or NULL: PETSc's CG + AMG in
 * libzstr-mpi (petsc/backend_petsc.c), none in the serial libzstr
 * (backend_none.c).  Both libraries are made of the same objects but this one
 * function's file, so the serial library never links MPI. */
const zs_backend *zs_backend_iterative(void);

#endif
