#!/bin/sh
# cli_mpi.sh ZSTR — `mpirun -np N zstr run MODEL.xml --backend petsc`: the
# distributed reduced-order sweep from the program, each against a truth
# stated here:
#
#   - on test models, volume models and every example model (small grids; of
#     the three separators, which are one file at three porosities, the first),
#     2 and 3 processes give the spectrum of the serial direct solve (one
#     complex LU per frequency) within 1e-6 relative to |Z| at every
#     frequency: the reduced model is held to 1e-6 and the solves to a
#     backward error of 1e-11;
#   - one file per output, written by process 0 only, naming the backend and
#     the processes; R_DC equal to the serial one (1e-8); its model summary
#     (grid, phases with their voxel counts, grains, interfaces) the serial
#     file's, line for line, though each process built only its part;
#   - a warning printed once (by process 0);
#   - a series (--set lists), --summary and --poles work as in serial runs;
#   - errors are agreed: every process exits with the same status, process 0
#     alone prints, and nothing is left behind (bad PETSc options: 1; more
#     processes than layers: 1; --method direct with --backend petsc: 2).
# ZSTR_MPIRUN is the launcher (the Makefile's MPIRUN: as root, oversubscribed).
set -u
zstr=$1
case "$zstr" in /*) ;; *) zstr="$(pwd)/$zstr" ;; esac
mpirun=${ZSTR_MPIRUN:-mpirun}
data="$(pwd)/tests/data"
examples="$(pwd)/examples"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 1' INT TERM # the EXIT trap cleans up; without an exit the script would go on
export OPENBLAS_NUM_THREADS=1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "cli_mpi: FAIL $*"; }
expect() { # status, description, command...
    want=$1 desc=$2
    shift 2
    "$@" > "$out/stdout" 2> "$out/stderr"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$desc: exit $got, expected $want"; sed 's/^/    /' "$out/stderr" "$out/stdout" | head -20; fi
}
. "$(dirname "$0")/spectra.sh" # maxrel, within
rdc() { sed -n 's/^# R_DC = \([^ ]*\) Ohm.*/\1/p' "$1"; }

# a zstr without the distributed backend refuses it as a usage error
"$zstr" run --quiet --backend petsc -o "$out/probe.csv" --set cell.voxels=8 > "$out/stdout" 2> "$out/stderr"
rc=$?
if grep -q "built without PETSc" "$out/stderr"; then
    [ "$rc" -eq 2 ] && [ ! -e "$out/probe.csv" ] && ok || bad "a serial zstr: exit $rc"
    echo "cli_mpi: zstr has no distributed backend; $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
fi

# ---- 2 and 3 processes against the serial direct solve ---------------------------
n=0
for f in "$data/models/example.xml" "$data/models/ce-interface.xml" \
    "$data/models/random-map.xml" "$data/models/volume-grains.xml" \
    "$examples/figures/fig3a.xml" "$examples/figures/fig3b.xml" "$examples/figures/fig3c.xml" \
    "$examples/figures/fig7a.xml" "$examples/analysis/fig6.xml" \
    "$examples/volumes/separator-024.xml" "$examples/volumes/separator-035.xml" \
    "$examples/volumes/separator-105.xml"; do
    n=$((n + 1))
    name=$(basename "$f" .xml)
    set -- --set cell.voxels=10
    case "$f" in
    */example.xml) set -- --set cell.voxels=10 --set grains.mean-size=30um ;;
    */volume-*) set -- ;;
    */separator-*) set -- --set cell.voxels=16 ;;
    "$examples"/*) set -- --set cell.voxels=12 ;;
    esac
    expect 0 "$name direct" "$zstr" run "$f" --quiet --method direct -o "$out/d$n.csv" "$@"
    for p in 2 3; do
        expect 0 "$name on $p processes" $mpirun -np $p "$zstr" run "$f" --backend petsc \
            -o "$out/p$n-$p.csv" "$@"
        r=$(maxrel "$out/p$n-$p.csv" "$out/d$n.csv")
        within "$r" 1e-6 && ok || bad "$name on $p processes: $r from the direct solve"
        grep -q "^# method: mor (reduced-order model), backend petsc (PETSc CG + GAMG over $p MPI processes), [0-9]* preconditioner set-ups, [0-9]* solves, [1-9][0-9]* iterations" "$out/p$n-$p.csv" &&
            ok || bad "$name on $p processes: the file does not name the backend: $(grep '^# method' "$out/p$n-$p.csv")"
        a=$(rdc "$out/d$n.csv") b=$(rdc "$out/p$n-$p.csv")
        awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && b != "" && d <= 1e-8 * a) }' &&
            ok || bad "$name on $p processes: R_DC $b, serial $a"
        # one summary table: process 0 alone prints
        c=$(grep -c '^member ' "$out/stdout")
        [ "$c" -eq 1 ] && ok || bad "$name on $p processes: $c summary tables on stdout"
        # the model summary of the parts is the whole model's
        grep '^#' "$out/d$n.csv" | grep -v '^# R_DC\|^# method' > "$out/hd"
        grep '^#' "$out/p$n-$p.csv" | grep -v '^# R_DC\|^# method' > "$out/hp"
        cmp -s "$out/hd" "$out/hp" && ok || bad "$name on $p processes: summary differs: $(diff "$out/hd" "$out/hp" | head -6)"
    done
done
ls "$out" | grep -q 'tmp' && bad "temporaries left: $(ls "$out")"

# ---- a series with a summary and poles ---------------------------------------
m="$data/models/example.xml"
small="--set cell.voxels=10 --set grains.mean-size=30um"
expect 0 "series" $mpirun -np 2 "$zstr" run "$m" --backend petsc -o "$out/s.csv" $small \
    --set cell.temperature=280,300 --summary "$out/sum.csv" --poles "$out/poles.csv"
[ -s "$out/s-1.csv" ] && [ -s "$out/s-2.csv" ] && [ -s "$out/poles-1.csv" ] && [ -s "$out/poles-2.csv" ] &&
    ok || bad "series outputs: $(ls "$out")"
awk -F, 'NR > 1 { if ($5 != "mor" || $9 != "iterative" || !($10 > 0)) b = 1 }
         END { exit !(NR == 3 && !b) }' "$out/sum.csv" && ok || bad "summary rows: $(cat "$out/sum.csv")"
expect 0 "series member 2 direct" "$zstr" run "$m" --quiet --method direct -o "$out/s2d.csv" $small \
    --set cell.temperature=300
r=$(maxrel "$out/s-2.csv" "$out/s2d.csv")
within "$r" 1e-6 && ok || bad "series member 2: $r from the direct solve"

# ---- a warning, printed once ------------------------------------------------------
# 10 voxels: the 22 % square spot is realised as 25 %
expect 0 "a contact warning" $mpirun -np 2 "$zstr" run "$m" --backend petsc -o "$out/w.csv" $small
c=$(grep -c "realised contact fraction" "$out/stderr")
[ "$c" -eq 1 ] && ok || bad "the contact warning printed $c times: $(cat "$out/stderr")"

# ---- errors: agreed, printed once, nothing left --------------------------------
rm -f "$out"/x*
expect 1 "an unknown preconditioner" $mpirun -np 2 "$zstr" run "$m" --backend petsc \
    --petsc-options "-pc_type frob" -o "$out/x.csv" $small
c=$(grep -c "frob" "$out/stderr")
[ "$c" -eq 1 ] && ok || bad "-pc_type frob named $c times: $(cat "$out/stderr")"
expect 1 "more processes than layers" $mpirun -np 3 "$zstr" run "$m" --backend petsc \
    -o "$out/x.csv" --set cell.voxels=2 --set grains.mean-size=60um
grep -q "layers" "$out/stderr" && ok || bad "more processes than layers: $(cat "$out/stderr")"
expect 2 "--method direct --backend petsc" "$zstr" run "$m" --method direct --backend petsc \
    -o "$out/x.csv"
ls "$out" | grep -q '^x' && bad "a refused run left: $(ls "$out" | grep '^x')"
expect 0 "help run names petsc" "$zstr" help run
grep -q -- "--backend petsc" "$out/stdout" && ok || bad "help run does not name --backend petsc"

echo "cli_mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
