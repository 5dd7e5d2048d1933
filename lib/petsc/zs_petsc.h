/*
 * zs_petsc.h — what the PETSc files of libzstr-mpi share (library-internal):
 * the process-wide lock and error recording around every PETSc call, and the
 * preconditioned CG "numeric" object (a scaled operator, its KSP and the
 * backward-error stopping rule of backend_petsc.c), which the serial
 * iterative backend and the distributed one (dist.c) both use.
 */
#ifndef ZS_PETSC_H
#define ZS_PETSC_H

#include "zs_internal.h"

#include <petscksp.h>

/* PETSc's first message of a failed call, kept by zs_petsc_record_error. */
typedef struct petsc_msg {
    char text[256];
    PetscErrorCode code;
} petsc_msg;

PetscErrorCode zs_petsc_record_error(MPI_Comm comm, int line, const char *fun, const char *file,
                                     PetscErrorCode n, PetscErrorType p, const char *mess,
                                     void *ctx);
/* Take the process-wide PETSc lock and push the recording handler into m;
 * zs_petsc_leave pops it and releases the lock.  Never nested. */
void zs_petsc_enter(petsc_msg *m);
void zs_petsc_leave(void);
/* A failed PETSc call as a status and a message. */
int zs_petsc_fail(const petsc_msg *m, PetscErrorCode ierr, const char *what, zstr_error *err);
/* Initialise PETSc unless the program did (lock held: between enter and leave). */
int zs_petsc_ensure(zstr_error *err);

/* ZSTR_EINVAL when the expert options (NULL or "": none) cannot make a KSP
 * on A (an unknown type, a malformed value); collective on A's communicator. */
int zs_petsc_check_options(Mat A, const char *options, zstr_error *err);

/* The worst status over the processes of a communicator (dist.c's). */
typedef int (*zs_petsc_agree_fn)(void *ctx, int rc, zstr_error *err);
/* CG + AMG on the scaled operator A = D K D (taken, on any communicator; its
 * values set) with D = d (taken: this process's rows); values (taken, or
 * NULL) is the array A was made on, freed after A; stopping at a normwise
 * backward error tol of the scaled system (0: the default); options are the
 * expert options (NULL: none).  Collective on A's communicator; agree (NULL on
 * one process) is called on the local allocation's status before the first
 * collective call, so a process that fails there does not leave the others
 * waiting.  Takes the lock itself. */
int zs_petsc_numeric_create(Mat A, double *values, double *d, double sigma, double tol,
                            const char *options, zs_petsc_agree_fn agree, void *actx, void **out,
                            zstr_error *err);
/* x = K⁻¹ b for this process's n rows (collective). */
int zs_petsc_numeric_solve(void *num, int64_t n, const double *b, double *x, zstr_error *err);
/* The Krylov iterations of every solve so far. */
double zs_petsc_numeric_iterations(const void *num);
void zs_petsc_numeric_free(void *num);

/* ---- the distributed model (dist_model.c) --------------------------------- */

/* The layers process r of P assembles, [*z0, *z1) = [⌊r·nz/P⌋, ⌊(r+1)·nz/P⌋). */
void zs_dist_layers(int64_t nz, int P, int r, int64_t *z0, int64_t *z1);
/* The layers its model holds: those and one on each side, within the grid. */
void zs_dist_held(int64_t nz, int P, int r, int64_t *lo, int64_t *hi);
/* The library's own duplicate of a caller's communicator (after the checks
 * every entry makes: MPI initialised, comm not null), so that its messages
 * never match the program's (collective; free it with MPI_Comm_free). */
int zs_mpi_own_comm(MPI_Comm comm, const char *fn, MPI_Comm *own, zstr_error *err);
/* The statuses of comm's processes agreed: ZSTR_OK when every rc is; else the
 * first failing process's code, its message copied to err on the others
 * ("process q of P: ..."). */
int zs_mpi_agree(MPI_Comm comm, int rc, zstr_error *err);

#endif
