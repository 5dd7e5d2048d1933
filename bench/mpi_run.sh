#!/bin/sh
# mpi_run.sh — the distributed sweep's measurements for bench/RESULTS.md, in one
# run (the machine is shared: ratios only mean something within one run).
#   1. 64^3: CHOLMOD's reduced model at tolerance 1e-9 (the reference, and the
#      direct backend's memory), the distributed sweep on 1 and 2 processes and
#      the serial iterative backend, each against the reference;
#   2. 100^3: 1 and 2 processes;
#   3. 200^3 on 2 processes.
# Usage: sh bench/mpi_run.sh [BUILD] > LOG (tables on stdout, progress on stderr)
set -u
b=${1:-build}
export OPENBLAS_NUM_THREADS=1
mpirun="mpirun --allow-run-as-root"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
trap 'exit 1' INT TERM
echo "# $(date -u), commit $(git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
step() { echo "# $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg): $*"; }
step "64^3"
"$b/bench/iter_bench" -n 64 -b direct -t 1e-9 -w "$t/ref64"
$mpirun -np 1 "$b/bench/mpi_bench" -n 64 -c "$t/ref64"
$mpirun -np 2 "$b/bench/mpi_bench" -n 64 -c "$t/ref64"
"$b/bench/iter_bench" -n 64 -b iterative -c "$t/ref64"
step "100^3"
$mpirun -np 1 "$b/bench/mpi_bench" -n 100
$mpirun -np 2 "$b/bench/mpi_bench" -n 100
step "200^3"
$mpirun -np 2 "$b/bench/mpi_bench" -n 200
echo "# done $(date -u)"
