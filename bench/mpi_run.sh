#!/bin/sh
# mpi_run.sh — the distributed sweep's measurements for bench/RESULTS.md, in one
# run (the machine is shared: ratios only mean something within one run).
#   1. 64^3: the distributed sweep on 1 and 2 processes, the serial iterative
#      backend and CHOLMOD (memory per voxel of each);
#   2. 100^3: 1 and 2 processes;
#   3. 80^3: CHOLMOD's reduced model at tolerance 1e-9 as the reference, then
#      2 processes at the default 1e-6 against it;
#   4. 200^3 on 2 processes.
# Usage: sh bench/mpi_run.sh [BUILD] > LOG (tables on stdout, progress on stderr)
set -u
b=${1:-build}
export OPENBLAS_NUM_THREADS=1
mpirun="mpirun --allow-run-as-root"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
trap 'exit 1' INT TERM
echo "# $(date -u), commit $(git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
step() { echo "# $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg): $*" >&2; }
step "64^3"
$mpirun -np 1 "$b/bench/mpi_bench" -n 64
$mpirun -np 2 "$b/bench/mpi_bench" -n 64
"$b/bench/iter_bench" -n 64 -b iterative
"$b/bench/iter_bench" -n 64 -b direct
step "100^3"
$mpirun -np 1 "$b/bench/mpi_bench" -n 100
$mpirun -np 2 "$b/bench/mpi_bench" -n 100
step "80^3 reference"
"$b/bench/iter_bench" -n 80 -b direct -t 1e-9 -w "$t/ref80"
$mpirun -np 2 "$b/bench/mpi_bench" -n 80 -c "$t/ref80"
step "200^3"
$mpirun -np 2 "$b/bench/mpi_bench" -n 200
echo "# done $(date -u)"
