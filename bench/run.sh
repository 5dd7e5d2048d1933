#!/bin/sh
# run.sh — run zstr_bench with the package versions it cannot see through the
# public API (SuiteSparse, METIS, OpenBLAS), so a results file is complete.
#
#   sh bench/run.sh [zstr_bench options]      (from the top of the tree)
#
# Builds build/bench/zstr_bench if needed (BENCH=path overrides the binary),
# prints the versions as Markdown, then runs the bench with the given options.
# Progress goes to stderr, the tables to stdout.
set -e
BENCH=${BENCH:-build/bench/zstr_bench}
if [ ! -x "$BENCH" ]; then
    make "$BENCH" >&2
fi
echo "- packages:"
dpkg-query -W -f='  ${Package} ${Version}\n' libsuitesparse-dev libumfpack5 libcholmod3 \
    libmetis5 'libopenblas0*' libblas3 2>/dev/null | grep -v ' $' | sed 's/^ /  -/' || true
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
[ -n "$blas" ] && echo "  - libblas.so.3 -> $blas"
echo "- OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-(unset)}, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
exec "$BENCH" "$@"
