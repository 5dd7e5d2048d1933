#!/bin/sh
# cli_mor.sh ZSTR — how `zstr run` computes spectra: --method, --tolerance,
# --poles, --progress, what the files and the summary say, and re-stamped
# series.
#
#   - every test model and example model gives the same spectrum by
#     `--method mor` as by `--method direct`, within the tolerance 1e-6
#     (relative to |Z|, at every frequency); the examples on smaller grids;
#   - the spectrum file and the summary say which method ran and its figures;
#   - the poles file's resistances sum to the file's R_DC (the reduced model
#     holds the DC solve);
#   - a temperature series (one plan, re-stamped) writes the same numbers as
#     separate runs of each member (fresh plans), bit for bit;
#   - bad option values are usage errors (exit 2); a failing member leaves no
#     poles file.
set -u
zstr=$1
case "$zstr" in /*) ;; *) zstr="$(pwd)/$zstr" ;; esac
data="$(pwd)/tests/data"
examples="$(pwd)/examples/figures"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 1' INT TERM # the EXIT trap cleans up; without an exit the script would go on
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "cli_mor: FAIL $*"; }
expect() { # status, description, command...
    want=$1 desc=$2
    shift 2
    "$@" > "$out/stdout" 2> "$out/stderr"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$desc: exit $got, expected $want"; sed 's/^/    /' "$out/stderr"; fi
}

. "$(dirname "$0")/spectra.sh" # maxrel, within

# ---- mor against direct on every model -------------------------------------
n=0
for m in "$data"/models/*.xml "$examples"/*.xml; do
    n=$((n + 1))
    name=$(basename "$m" .xml)
    set --
    case "$m" in
    "$examples"/*) set -- --set cell.voxels=12 ;;   # the examples on 12³, ~1 s each
    */example.xml) set -- --set cell.voxels=10 --set grains.mean-size=30um ;;
    esac
    expect 0 "$name direct" "$zstr" run "$m" --quiet --method direct -o "$out/d$n.csv" "$@"
    expect 0 "$name mor" "$zstr" run "$m" --quiet --method mor -o "$out/m$n.csv" "$@"
    r=$(maxrel "$out/m$n.csv" "$out/d$n.csv")
    within "$r" 1e-6 && ok || bad "$name: mor differs from direct by $r (tolerance 1e-6)"
    grep -q '^# method: direct (one complex LU per frequency)' "$out/d$n.csv" || bad "$name: direct not named in the file"
    grep -q '^# method: mor (reduced-order model), [0-9]* real Cholesky factorizations' "$out/m$n.csv" ||
        bad "$name: mor not named in the file"
done

# a looser tolerance: within 10x of it, and no dearer
m="$data/models/example.xml"
small="--set cell.voxels=10 --set grains.mean-size=30um"
expect 0 "example direct" "$zstr" run "$m" --quiet --method direct -o "$out/ed.csv" $small
expect 0 "example mor" "$zstr" run "$m" --quiet --method mor -o "$out/em.csv" $small
expect 0 "mor at 1e-3" "$zstr" run "$m" --quiet --method mor --tolerance 1e-3 -o "$out/loose.csv" $small
r=$(maxrel "$out/loose.csv" "$out/ed.csv")
# the estimate is honest within 10x (test_mor.c); at so loose a tolerance the
# last model can sit above it by less than that (measured 3e-3)
within "$r" 1e-2 && ok || bad "tolerance 1e-3: error $r"
fl=$(sed -n 's/^# method: mor (reduced-order model), \([0-9]*\) real.*/\1/p' "$out/loose.csv")
ft=$(sed -n 's/^# method: mor (reduced-order model), \([0-9]*\) real.*/\1/p' "$out/em.csv")
[ -n "$fl" ] && [ -n "$ft" ] && [ "$fl" -le "$ft" ] && ok || bad "1e-3 used $fl factorizations, 1e-6 $ft"

# ---- poles: the exact relaxation-time spectrum -------------------------------
expect 0 "--poles" "$zstr" run "$m" --quiet -o "$out/p.csv" --poles "$out/poles.csv" $small
[ "$(head -1 "$out/poles.csv")" = "tau_s,R_Ohm" ] && ok || bad "poles file header: $(head -1 "$out/poles.csv")"
rdc=$(sed -n 's/^# R_DC = \([^ ]*\) Ohm.*/\1/p' "$out/p.csv")
sum=$(awk -F, 'NR > 1 && $0 !~ /^#/ { s += $2; n++; if ($1 < 0 || $2 < 0) neg = 1 }
               END { if (n == 0 || neg) print "bad"; else printf "%.17g\n", s }' "$out/poles.csv")
awk -v a="$sum" -v b="$rdc" 'BEGIN { exit !(b > 0 && a != "bad" && (a - b) / b < 1e-9 && (b - a) / b < 1e-9) }' &&
    ok || bad "poles sum to $sum, R_DC is $rdc"
# auto with --poles runs mor even where auto alone would not
grep -q '^# method: mor' "$out/p.csv" && ok || bad "--poles did not run the reduced model"
expect 2 "--poles with --method direct" "$zstr" run "$m" --method direct --poles "$out/x.csv"
[ -e "$out/x.csv" ] && bad "a usage error wrote the poles file"

# ---- info predicts both methods and names auto's choice ------------------------
expect 0 "info" "$zstr" info "$m" $small
grep -q "^direct (one complex LU per frequency):" "$out/stdout" && ok || bad "info: no direct block"
grep -q "one real Cholesky factorization with its two solves (measured): [0-9.e+-]* s" "$out/stdout" &&
    ok || bad "info: no measured real factorization"
grep -q "predicted time of the spectrum: [0-9.e+-]* to [0-9.e+-]* s for" "$out/stdout" && ok ||
    bad "info: no mor time prediction"
# a small model: auto keeps CHOLMOD; the line says whether this build has PETSc's backend
grep -q "^  backend (auto's choice): direct, CHOLMOD's sparse Cholesky; " "$out/stdout" && ok ||
    bad "info: the reduced model's backend is not named"
# with PETSc's backend built, auto's two predicted shift times are shown, and
# CHOLMOD's is not over 1.5 times the iterative one (it kept CHOLMOD)
if grep -q "this build has no iterative backend" "$out/stdout"; then
    grep -q "auto's prediction of one shift" "$out/stdout" &&
        bad "info: a prediction for a backend this build does not have" || ok
else
    line=$(grep "^  auto's prediction of one shift: CHOLMOD [0-9.e+-]* s, iterative [0-9.e+-]* s" \
        "$out/stdout")
    td=$(echo "$line" | sed 's/.*CHOLMOD \([0-9.e+-]*\) s.*/\1/')
    ti=$(echo "$line" | sed 's/.*iterative \([0-9.e+-]*\) s.*/\1/')
    [ -n "$line" ] && awk -v a="$td" -v b="$ti" 'BEGIN { exit !(a > 0 && b > 0 && a <= 1.5 * b) }' &&
        ok || bad "info: auto's predicted shifts missing or not CHOLMOD's choice: $line"
fi
grep -q "^zstr run (--method auto) computes this spectrum by direct" "$out/stdout" && ok ||
    bad "info: auto on a few thousand unknowns is not direct: $(tail -1 "$out/stdout")"
expect 0 "info 16^3" "$zstr" info "$m" --set cell.voxels=16 --set grains.mean-size=30um
grep -q "^zstr run (--method auto) computes this spectrum by mor" "$out/stdout" && ok ||
    bad "info: auto on 16^3 with 71 frequencies is not mor"

# ---- the exact relaxation times beside the Nyquist plot ---------------------------
expect 0 "--panels poles" "$zstr" run "$m" --quiet -o "$out/pp.csv" --plot "$out/pp.svg" \
    --panels poles $small --set map.contact-fraction=1,0.3
head -c 300 "$out/pp.svg" | grep -q "<svg" && ok || bad "--panels poles wrote no SVG"
grep -q '^# method: mor' "$out/pp-1.csv" && ok || bad "--panels poles did not run the reduced model"
expect 2 "--panels poles with --method direct" "$zstr" run "$m" --method direct --panels poles \
    --plot "$out/x.svg"
expect 2 "zstr plot --panels poles" "$zstr" plot "$out/pp-1.csv" --panels poles -o "$out/x.svg"
[ -e "$out/x.svg" ] && bad "a refused --panels poles wrote a plot"

# ---- the regularised DRT over the exact relaxation times ----------------------------
expect 0 "drt --poles --plot" "$zstr" drt "$out/p.csv" --poles "$out/poles.csv" --plot "$out/dp.svg"
head -c 300 "$out/dp.svg" | grep -q "<svg" && ok || bad "drt --poles wrote no SVG"
expect 2 "drt --poles without --plot" "$zstr" drt "$out/p.csv" --poles "$out/poles.csv"
printf 'tau_s,R_Ohm\n1e-3,2\n1e-2,oops\n' > "$out/badpoles.csv"
expect 1 "drt --poles with a broken poles file" "$zstr" drt "$out/p.csv" --poles "$out/badpoles.csv" \
    --plot "$out/db.svg"
grep -q "badpoles.csv:3: " "$out/stderr" && ok || bad "broken poles file not named with its line: $(cat "$out/stderr")"
[ -e "$out/db.svg" ] && bad "a broken poles file left a plot"

# ---- option values ----------------------------------------------------------
expect 2 "--method frob" "$zstr" run "$m" --method frob
expect 2 "--tolerance 0" "$zstr" run "$m" --tolerance 0
expect 2 "--tolerance abc" "$zstr" run "$m" --tolerance abc
expect 2 "--tolerance 0.5" "$zstr" run "$m" --tolerance 0.5
expect 0 "help run names --method" "$zstr" help run
grep -q -- "--method" "$out/stdout" "$out/stderr" && ok || bad "help run does not name --method"

# ---- progress: one line per factorization, also into a file ----------------------
expect 0 "--progress" "$zstr" run "$m" --method mor --progress -o "$out/g.csv" $small
grep -q "reduced model: factorization 2, estimated error" "$out/stderr" && ok ||
    bad "no MOR progress lines: $(cat "$out/stderr")"
expect 0 "--quiet" "$zstr" run "$m" --method mor --quiet -o "$out/g.csv" $small
grep -q "factorization" "$out/stderr" && bad "--quiet printed progress: $(cat "$out/stderr")"
expect 0 "no terminal, no --progress" "$zstr" run "$m" --method mor -o "$out/g.csv" $small
grep -q "factorization" "$out/stderr" && bad "progress printed into a file without --progress"

# ---- re-stamped temperature series = separate runs --------------------------------
temps="-40C 0C 40C"
expect 0 "temperature series" "$zstr" run "$m" --quiet -o "$out/t.csv" --poles "$out/tp.csv" \
    --summary "$out/tsum.csv" $small --set cell.temperature=-40C,0C,40C
k=0
for t in $temps; do
    k=$((k + 1))
    expect 0 "member at $t alone" "$zstr" run "$m" --quiet -o "$out/one$k.csv" --poles "$out/onep$k.csv" \
        $small --set cell.temperature=$t
    grep -v '^#' "$out/one$k.csv" > "$out/a"
    grep -v '^#' "$out/t-$k.csv" > "$out/b"
    [ -s "$out/a" ] && cmp -s "$out/a" "$out/b" && ok || bad "series member $k ($t) differs from its own run"
    [ "$(grep -v '^#' "$out/onep$k.csv")" = "$(grep -v '^#' "$out/tp-$k.csv")" ] && ok ||
        bad "series member $k's poles differ from its own run"
done
head -1 "$out/tsum.csv" | grep -q '^member,R_DC_Ohm,R_DC_Ohm_cm2,contact_fraction,method,factorizations,max_estimate,recomputed,backend,iterations,cell.voxels,grains.mean-size,cell.temperature$' &&
    ok || bad "summary header: $(head -1 "$out/tsum.csv")"
awk -F, 'NR > 1 { if ($5 != "mor" || $6 < 2 || $7 > 1e-6 || $8 != 0) b = 1; r[NR - 1] = $2 }
         END { exit !(NR == 4 && !b && r[1] > r[2] && r[2] > r[3]) }' "$out/tsum.csv" &&
    ok || bad "summary rows: $(cat "$out/tsum.csv")"

# ---- a failing member leaves no poles file -----------------------------------------
rm -f "$out"/f*.csv
expect 1 "series whose member 2 underflows at 5 K" "$zstr" run "$m" --quiet -o "$out/f.csv" \
    --poles "$out/fp.csv" $small --set cell.temperature=300,5
ls "$out" | grep -q '^f' && bad "a failed series left: $(ls "$out" | grep '^f')"
expect 1 "--poles into a missing folder" "$zstr" run "$m" --quiet -o "$out/q.csv" --poles "$out/no/p.csv" $small
[ -e "$out/q.csv" ] && bad "a refused poles path left the spectrum"

echo "cli_mor: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
