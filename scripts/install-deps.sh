#!/bin/sh
# install-deps.sh — install the Debian packages libzstr needs, if any are missing.
# Used by `make demo`, `make check` and `make installcheck`; apt only, nothing downloaded
# otherwise.  libmetis-dev: libmetis.so for `pkg-config --static --libs libzstr`
# (SuiteSparse's static libcholmod.a calls METIS; Debian 12 ships no libmetis.a).
set -eu
# GSL: non-linear least squares for circuit fitting (analysis); jansson: JSON output;
# libtiff and libhdf5: imaged volumes (multi-page TIFF stacks, HDF5 datasets).
# libpetsc-real-dev: PETSc (with Open MPI and hypre) for libzstr-mpi's iterative
# backend; without it `make` still builds the serial libzstr and skips libzstr-mpi.
# openmpi-bin: mpirun, for the distributed tests (libopenmpi-dev pulls it in; named so
# that the tests' need is stated here).
PKGS="build-essential pkg-config libsuitesparse-dev libmetis-dev liblapack-dev libopenblas-dev libxml2-dev libcairo2-dev libpng-dev fonts-dejavu-core check valgrind libgsl-dev libjansson-dev libtiff-dev libhdf5-dev libpetsc-real-dev openmpi-bin"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: missing packages:$missing; run as root: apt-get install$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing </dev/null
