#!/bin/sh
# auto_run.sh — which reduced-order backend auto picks, against both, for
# bench/RESULTS.md (section "auto by speed"), in one run: the paper model at
# each size N by CHOLMOD, by the iterative backend, and by auto (its choice
# and its figures on stderr).  One process, one BLAS thread.
# Usage: sh bench/auto_run.sh [BUILD] [N ...] > LOG 2>&1
set -u
b=${1:-build}
[ $# -gt 0 ] && shift
sizes=${*:-40 48 56 64}
export OPENBLAS_NUM_THREADS=1
echo "# $(date -u), commit $(git rev-parse --short HEAD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $sizes; do
    for be in direct iterative auto; do
        echo "# $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg): $n^3, $be"
        "$b/bench/iter_bench" -n "$n" -b "$be" 2>&1 | grep -v "factorization [0-9]*, estimate"
    done
done
echo "# $(date -u +%H:%M:%S) end"
