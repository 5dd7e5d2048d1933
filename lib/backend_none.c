/*
 * backend_none.c — the serial libzstr's answer to "which iterative backend is
 * there": none.  libzstr-mpi is built from the same objects with
 * petsc/backend_petsc.c in this file's place (Makefile), so the serial library
 * and every program linked with it stay free of MPI and PETSc; asking it for
 * the iterative backend gives ZSTR_EUNSUPPORTED (plan.c) with a message that
 * names libzstr-mpi.
 */
#include "zs_backend.h"

const zs_backend *zs_backend_iterative(void) { return NULL; }
