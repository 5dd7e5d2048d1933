#!/bin/sh
# cli_iter.sh ZSTR — `zstr run --backend` and `--petsc-options`: the reduced
# model's real solves by CHOLMOD or by the iterative backend (PETSc's CG +
# algebraic multigrid, in libzstr-mpi), each against a truth stated here:
#
#   - on test models and example models (small grids), --backend iterative
#     gives the spectrum of --backend direct within 1e-6 (relative to |Z|, at
#     every frequency): both are reduced models held to 1e-6 of the true
#     spectrum, and the library asks the iterative solves for a backward error
#     of 1e-5 x the tolerance (tests/test_mor.c measures 5e-8 or less);
#   - BoomerAMG through --petsc-options gives the same spectrum;
#   - the spectrum file and the summary name the backend and its iterations;
#   - an option PETSc refuses or does not use is a user error (exit 1, named),
#     bad values and --method direct with --backend iterative are usage errors
#     (exit 2), and none of them leaves a file;
#   - a zstr linked with the serial libzstr refuses --backend iterative with a
#     message naming libzstr-mpi (exit 1); then only that is checked.
set -u
zstr=$1
case "$zstr" in /*) ;; *) zstr="$(pwd)/$zstr" ;; esac
data="$(pwd)/tests/data"
examples="$(pwd)/examples"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 1' INT TERM # the EXIT trap cleans up; without an exit the script would go on
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "cli_iter: FAIL $*"; }
expect() { # status, description, command...
    want=$1 desc=$2
    shift 2
    "$@" > "$out/stdout" 2> "$out/stderr"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$desc: exit $got, expected $want"; sed 's/^/    /' "$out/stderr"; fi
}
. "$(dirname "$0")/spectra.sh" # maxrel, within

m="$data/models/example.xml"
small="--set cell.voxels=10 --set grains.mean-size=30um"

# ---- which library: the serial one refuses, naming libzstr-mpi -------------
"$zstr" run "$m" --quiet --backend iterative -o "$out/probe.csv" $small > "$out/stdout" 2> "$out/stderr"
rc=$?
if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 1 ] && grep -q "libzstr-mpi" "$out/stderr" && ok ||
        bad "a serial zstr: exit $rc, $(cat "$out/stderr")"
    [ -e "$out/probe.csv" ] && bad "a refused --backend iterative wrote the spectrum"
    echo "cli_iter: zstr has no iterative backend (serial libzstr); $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
fi
ok

# ---- iterative against direct on test and example models --------------------
n=0
# every example model (on smaller grids), and test models of each kind
for f in "$m" "$data/models/ce-interface.xml" "$data/models/random-map.xml" \
    "$data/models/volume-grains.xml" \
    "$examples/figures/fig3a.xml" "$examples/figures/fig3b.xml" "$examples/figures/fig3c.xml" \
    "$examples/figures/fig7a.xml" "$examples/analysis/fig6.xml" \
    "$examples/volumes/separator-024.xml" "$examples/volumes/separator-035.xml" \
    "$examples/volumes/separator-105.xml"; do
    n=$((n + 1))
    name=$(basename "$f" .xml)
    set -- --set cell.voxels=10
    case "$f" in
    */example.xml) set -- $small ;;
    */volume-*) set -- ;;
    */separator-*) set -- --set cell.voxels=16 ;;
    "$examples"/*) set -- --set cell.voxels=12 ;;
    esac
    expect 0 "$name direct" "$zstr" run "$f" --quiet --method mor --backend direct -o "$out/d$n.csv" "$@"
    expect 0 "$name iterative" "$zstr" run "$f" --quiet --backend iterative -o "$out/i$n.csv" "$@"
    r=$(maxrel "$out/i$n.csv" "$out/d$n.csv")
    within "$r" 1e-6 && ok || bad "$name: iterative differs from direct by $r (tolerance 1e-6)"
    grep -q '^# method: mor (reduced-order model), backend iterative (PETSc CG + AMG), [0-9]* preconditioner set-ups, [0-9]* solves, [1-9][0-9]* iterations' "$out/i$n.csv" ||
        bad "$name: the file does not name the iterative backend: $(grep '^# method' "$out/i$n.csv")"
    grep -q '^# method: mor (reduced-order model), [0-9]* real Cholesky factorizations' "$out/d$n.csv" ||
        bad "$name: the file does not name CHOLMOD's factorizations"
done

# ---- BoomerAMG through --petsc-options ----------------------------------------
expect 0 "--petsc-options hypre" "$zstr" run "$m" --quiet --backend iterative \
    --petsc-options "-pc_type hypre" -o "$out/h.csv" $small
r=$(maxrel "$out/h.csv" "$out/d1.csv")
within "$r" 1e-6 && ok || bad "BoomerAMG differs from direct by $r"

# ---- the summary names the backend and its iterations -----------------------
expect 0 "summary" "$zstr" run "$m" --quiet --backend iterative -o "$out/s.csv" \
    --summary "$out/sum.csv" $small --set cell.temperature=280,300
head -1 "$out/sum.csv" | grep -q '^member,R_DC_Ohm,R_DC_Ohm_cm2,contact_fraction,method,factorizations,max_estimate,recomputed,backend,iterations,' &&
    ok || bad "summary header: $(head -1 "$out/sum.csv")"
awk -F, 'NR > 1 { if ($5 != "mor" || $9 != "iterative" || !($10 > 0)) b = 1 }
         END { exit !(NR == 3 && !b) }' "$out/sum.csv" && ok || bad "summary rows: $(cat "$out/sum.csv")"
grep -q "set-ups .* it\. est" "$out/stdout" && ok || bad "the table on stdout: $(cat "$out/stdout")"
expect 0 "summary direct" "$zstr" run "$m" --quiet --method mor --backend direct -o "$out/s.csv" \
    --summary "$out/sumd.csv" $small
awk -F, 'NR == 2 { exit !($9 == "direct" && $10 == 0) }' "$out/sumd.csv" && ok ||
    bad "CHOLMOD's summary row: $(cat "$out/sumd.csv")"

# ---- errors leave no file ------------------------------------------------------
rm -f "$out"/x*
expect 1 "an unknown preconditioner" "$zstr" run "$m" --quiet --backend iterative \
    --petsc-options "-pc_type frob" -o "$out/x.csv" $small
grep -q "frob" "$out/stderr" && ok || bad "-pc_type frob not named: $(cat "$out/stderr")"
expect 1 "a misspelt option" "$zstr" run "$m" --quiet --backend iterative \
    --petsc-options "-ksp_rtl 1e-3" -o "$out/x.csv" $small
grep -q "ksp_rtl" "$out/stderr" && ok || bad "-ksp_rtl not named: $(cat "$out/stderr")"
expect 1 "too few iterations" "$zstr" run "$m" --quiet --backend iterative \
    --petsc-options "-ksp_max_it 2" -o "$out/x.csv" $small
grep -q "DIVERGED_ITS" "$out/stderr" && ok || bad "no converged reason: $(cat "$out/stderr")"
expect 2 "--backend frob" "$zstr" run "$m" --backend frob -o "$out/x.csv"
expect 2 "--method direct --backend iterative" "$zstr" run "$m" --method direct \
    --backend iterative -o "$out/x.csv"
expect 2 "--backend without a value" "$zstr" run "$m" -o "$out/x.csv" --backend
ls "$out" | grep -q '^x' && bad "a refused run left: $(ls "$out" | grep '^x')"
expect 0 "help run names --backend" "$zstr" help run
grep -q -- "--backend" "$out/stdout" && grep -q -- "--petsc-options" "$out/stdout" && ok ||
    bad "help run does not name --backend and --petsc-options"

echo "cli_iter: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
