#!/bin/sh
# parts_run.sh — the model's parts against the whole model for bench/RESULTS.md
# (section "Each process builds only its part of the model"), in one run:
#   1. the sweep (mpi_bench) at 64^3 on 1 and 2 processes and at 100^3 on 2,
#      each with the whole model on every process and with parts (-p);
#   2. the model alone (mpi_bench -m) at 200^3 and 400^3 on 1 and 2
#      processes, whole and parts.
# Usage: sh bench/parts_run.sh [BUILD] > LOG
set -u
b=${1:-build}
export OPENBLAS_NUM_THREADS=1
mpirun="mpirun --allow-run-as-root --oversubscribe"
echo "# $(date -u), commit $(git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
step() { echo "# $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg): $*"; }
for np in 1 2; do
    for p in "" -p; do
        step "64^3, $np processes $p"
        $mpirun -np $np "$b/bench/mpi_bench" -n 64 $p 2>/dev/null
    done
done
for p in "" -p; do
    step "100^3, 2 processes $p"
    $mpirun -np 2 "$b/bench/mpi_bench" -n 100 $p 2>/dev/null
done
for n in 200 400; do
    for np in 1 2; do
        for p in "" -p; do
            step "model alone, $n^3, $np processes $p"
            $mpirun -np $np "$b/bench/mpi_bench" -n $n -m $p
        done
    done
done
step "end"
