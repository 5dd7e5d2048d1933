#!/bin/sh
# cli_analysis.sh ZSTR — zstr fit | drt | kk | arrhenius | diagnose end to end.
#
# Spectra are written here by awk from closed forms (R0 + R1/(1 + jw R1 C1)
# and a two-arc one), so the expected answers are known: the fit returns
# R1 = 100 and tau = 1e-3 s, the DRT one peak near 1e-3 s, Lin-KK passes the
# exact spectrum and fails it with a drift added (exit 3), the Arrhenius fit
# of R = T exp(0.4 eV/kT) returns 0.4 eV.  --json output is one line; usage
# errors exit 2, user errors 1 with one message line, and no output file is
# left behind on failure.
set -u
zstr=$1
case "$zstr" in /*) ;; *) zstr="$(pwd)/$zstr" ;; esac
data="$(pwd)/tests/data"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 1' INT TERM # the EXIT trap cleans up; without an exit the script would go on
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "cli_analysis: FAIL $*"; }
expect() { # status, description, command...
    want=$1 desc=$2
    shift 2
    "$@" > "$out/stdout" 2> "$out/stderr"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$desc: exit $got, expected $want"; sed 's/^/    /' "$out/stderr"; fi
}
# value of "key":NUMBER in stdout (first match)
jnum() { grep -o "\"$1\":[-0-9.eE+]*" "$out/stdout" | head -1 | cut -d: -f2; }
near() { # value, want, relative tolerance, description
    awk -v v="$1" -v w="$2" -v t="$3" 'BEGIN { d = v - w; if (d < 0) d = -d; exit !(v != "" && d <= t * (w < 0 ? -w : w)) }' ||
        bad "$4: $1, expected $2 within $3"
}

awk 'BEGIN { print "f_Hz,Zre_Ohm,Zim_Ohm"; pi = atan2(0, -1)
    for (k = 0; k <= 60; k++) { f = 10^(5 - 7 * k / 60); w = 2 * pi * f; x = w * 1e-3
        printf "%.17g,%.17g,%.17g\n", f, 10 + 100 / (1 + x * x), -100 * x / (1 + x * x) } }' > "$out/rc.csv"
awk 'BEGIN { print "f_Hz,Zre_Ohm,Zim_Ohm"; pi = atan2(0, -1)
    for (k = 0; k <= 60; k++) { f = 10^(5 - 7 * k / 60); w = 2 * pi * f; x = w * 1e-3
        printf "%.17g,%.17g,%.17g\n", f, 10 + 100 / (1 + x * x) + 0.002 * k * k, -100 * x / (1 + x * x) } }' > "$out/drift.csv"
awk 'BEGIN { print "T_K,R_Ohm"; for (T = 233.15; T < 320; T += 10) printf "%.17g,%.17g\n", T, 1e-3 * T * exp(0.4 / (8.617333262e-5 * T)) }' > "$out/arr.csv"

expect 0 "fit --json" "$zstr" fit "$out/rc.csv" --circuit "R0-p(R1,C1)" --json
[ "$(wc -l < "$out/stdout")" -eq 1 ] || bad "fit --json: not one line"
grep -q '"circuit":"R0-p(R1,C1)"' "$out/stdout" || bad "fit --json: circuit"
grep -q '"name":"R1","value":' "$out/stdout" || bad "fit --json: parameters"
near "$(grep -o '"name":"R1","value":[-0-9.eE+]*' "$out/stdout" | cut -d: -f3)" 100 1e-6 "fit R1"
near "$(jnum tau_s)" 1e-3 1e-6 "fit tau"
grep -q '"element":"p(R1,C1)"' "$out/stdout" || bad "fit --json: time_constants"
expect 0 "fit -o" "$zstr" fit "$out/rc.csv" --circuit "R0-p(R1,C1)" --initial R1=50,C1=1e-6 -o "$out/p.csv"
[ "$(head -1 "$out/p.csv")" = "name,value,std_err,unit" ] || bad "fit -o: header"
[ "$(wc -l < "$out/p.csv")" -eq 4 ] || bad "fit -o: rows"
expect 1 "fit: bad circuit" "$zstr" fit "$out/rc.csv" --circuit "R0-p(R1,C1" -o "$out/bad.csv"
grep -q "position 11" "$out/stderr" || bad "fit: bad circuit names the position"
[ -e "$out/bad.csv" ] && bad "fit: a failed fit left an output file"
expect 2 "fit: --initial unknown name" "$zstr" fit "$out/rc.csv" --circuit "R0-p(R1,C1)" --initial R7=1
expect 2 "fit without --circuit" "$zstr" fit "$out/rc.csv"
expect 2 "fit: unknown option" "$zstr" fit "$out/rc.csv" --circuit R0 --frobnicate

expect 0 "drt --json" "$zstr" drt "$out/rc.csv" --json -o "$out/drt.csv"
[ "$(grep -o '"tau_s"' "$out/stdout" | wc -l)" -eq 1 ] || bad "drt: one peak"
near "$(jnum tau_s)" 1e-3 0.1 "drt peak tau"
near "$(jnum R_Ohm)" 100 0.03 "drt peak R"
near "$(jnum R_inf_Ohm)" 10 0.03 "drt R_inf"
[ "$(head -1 "$out/drt.csv")" = "tau_s,gamma_Ohm" ] || bad "drt -o: header"
expect 2 "drt --lambda bad" "$zstr" drt "$out/rc.csv" --lambda -1

expect 0 "kk exact" "$zstr" kk "$out/rc.csv" --exact --json -o "$out/kk.csv"
grep -q '"consistent":true' "$out/stdout" || bad "kk: exact RC not consistent"
[ "$(head -1 "$out/kk.csv")" = "f_Hz,residual_re_pct,residual_im_pct" ] || bad "kk -o: header"
expect 3 "kk drift" "$zstr" kk "$out/drift.csv" --exact --json
grep -q '"consistent":false' "$out/stdout" || bad "kk: drift consistent"
expect 0 "kk drift, loose tolerance" "$zstr" kk "$out/drift.csv" --exact --tolerance 50

expect 0 "arrhenius --json" "$zstr" arrhenius "$out/arr.csv" --json
near "$(jnum Ea_eV)" 0.4 1e-9 "arrhenius E_a"
grep -q '"form":"sigmaT"' "$out/stdout" || bad "arrhenius: form"
printf 'T,R\n300,1\n' > "$out/noheader.csv"
expect 1 "arrhenius: bad header" "$zstr" arrhenius "$out/noheader.csv"
grep -q "noheader.csv:1" "$out/stderr" || bad "arrhenius: message names file:line"

# --plot: figures of the DRT and of the fit; a bad extension fails, no file left
expect 0 "drt --plot" "$zstr" drt "$out/rc.csv" --plot "$out/drt.png"
[ -s "$out/drt.png" ] || bad "drt --plot: no PNG"
expect 0 "fit --plot" "$zstr" fit "$out/rc.csv" --circuit "R0-p(R1,C1)" --plot "$out/fit.svg"
grep -q '<svg' "$out/fit.svg" || bad "fit --plot: no SVG"
expect 1 "drt --plot bad extension" "$zstr" drt "$out/rc.csv" --plot "$out/drt.xyz"
[ ! -e "$out/drt.xyz" ] || bad "drt --plot: file left behind"
# every broken spectrum: exit 1, one message line naming the file, no output
for f in "$data"/bad_spectra/*; do
    case "$f" in *.md) continue ;; esac
    expect 1 "drt $(basename "$f")" "$zstr" drt "$f" -o "$out/o.csv"
    [ "$(wc -l < "$out/stderr")" -eq 1 ] || bad "$(basename "$f"): not one message line"
    grep -q "$(basename "$f")" "$out/stderr" || bad "$(basename "$f"): message does not name the file"
    [ -e "$out/o.csv" ] && bad "$(basename "$f"): left an output file"
done
expect 1 "kk: missing file" "$zstr" kk "$out/none.csv"

# diagnose: series simulated by zstr run (the paper's Figure 3a model on 12³,
# 6 frequencies per decade): a pore series must name constriction, a series at
# full contact in which only R_pol changes charge transfer.
fig="$(pwd)/examples/figures/fig3a.xml"
small="--set cell.voxels=12 --set frequencies.per-decade=6"
expect 0 "run pore series" "$zstr" run "$fig" -o "$out/pore.csv" $small \
    --set map.contact-fraction=1,0.56,0.36,0.25
expect 0 "run R_pol series" "$zstr" run "$fig" -o "$out/rpol.csv" $small \
    --set map.contact-fraction=1 --set "contact.resistance=0.5 Ohm*cm2,1 Ohm*cm2,2 Ohm*cm2,4 Ohm*cm2"
expect 0 "diagnose pores --json" "$zstr" diagnose "$out"/pore-1.csv "$out"/pore-2.csv \
    "$out"/pore-3.csv "$out"/pore-4.csv --parameter contact=1,0.56,0.36,0.25 --json \
    --plot "$out/diag.png"
[ "$(wc -l < "$out/stdout")" -eq 1 ] || bad "diagnose --json: not one line"
grep -q '"dominant_interface_process":"constriction"' "$out/stdout" || bad "diagnose: pores not constriction"
grep -q '"kind":"bulk"' "$out/stdout" || bad "diagnose: no bulk process"
grep -q '"kind":"charge-transfer"' "$out/stdout" || bad "diagnose: no CT process"
grep -q '"tau_s":\[null,' "$out/stdout" || bad "diagnose: constriction not null at full contact"
grep -q '"report":"Diagnosis of 4 spectra' "$out/stdout" || bad "diagnose: report"
[ -s "$out/diag.png" ] || bad "diagnose --plot: no PNG"
expect 0 "diagnose R_pol" "$zstr" diagnose "$out"/rpol-1.csv "$out"/rpol-2.csv \
    "$out"/rpol-3.csv "$out"/rpol-4.csv --parameter Rpol=0.5,1,2,4
grep -q "^Dominant interface process: charge-transfer" "$out/stdout" || bad "diagnose: R_pol not charge transfer"
grep -q "constriction)" "$out/stdout" && bad "diagnose: R_pol series has a constriction process"
expect 0 "diagnose --decreasing" "$zstr" diagnose "$out"/pore-3.csv "$out"/pore-1.csv \
    "$out"/pore-4.csv "$out"/pore-2.csv --parameter porosity=0.64,0,0.75,0.44 --decreasing --json
grep -q '"dominant_interface_process":"constriction"' "$out/stdout" || bad "diagnose --decreasing: not constriction"
grep -q '"tau_s":\[[-0-9.e]*,null,' "$out/stdout" || bad "diagnose --decreasing: full contact is not member 2"
expect 2 "diagnose: count mismatch" "$zstr" diagnose "$out"/pore-1.csv "$out"/pore-2.csv --parameter p=1,2,3
grep -q "3 values for 2 spectra" "$out/stderr" || bad "diagnose: count message"
expect 2 "diagnose: one spectrum" "$zstr" diagnose "$out"/pore-1.csv --parameter p=1
expect 2 "diagnose: no --parameter" "$zstr" diagnose "$out"/pore-1.csv "$out"/pore-2.csv
expect 2 "diagnose: bad value" "$zstr" diagnose "$out"/pore-1.csv "$out"/pore-2.csv --parameter p=1,x
expect 1 "diagnose: missing file" "$zstr" diagnose "$out"/pore-1.csv "$out/none.csv" \
    --parameter p=1,2 --plot "$out/none.png"
grep -q "none.csv" "$out/stderr" || bad "diagnose: missing file not named"
[ -e "$out/none.png" ] && bad "diagnose: failed run left a plot"

# smoke runs of the README's figure scripts on 12^3.  Figure 6 (Z_CT = Z_GB =
# 0): R_Cstr is a DC constriction resistance of one Arrhenius phase, so it
# scales exactly as 1/sigma_bulk(T) and E_a is 0.34 eV to the fit's precision
# (1e-3 relative).  Figures 4/5 (tau_Cstr < tau_CT): R_CT ~ 1/A and C_CT ~ A
# (Table 1) up to the pores' parallel path (the paper: |slope| 1.02..1.08);
# on 12^3 the slopes must have those signs and magnitudes within 0.9..1.2.
expect 0 "examples/analysis/fig6.sh" env ZSTR="$zstr" OUT="$out/fig6" sh examples/analysis/fig6.sh ideal 12
near "$(grep -o 'E_a = [0-9.]*' "$out/stdout" | cut -d' ' -f3)" 0.34 1e-3 "fig6.sh E_a"
expect 0 "examples/analysis/fig45.sh" env ZSTR="$zstr" OUT="$out/fig45" sh examples/analysis/fig45.sh a 12
near "$(grep 'log R_CT' "$out/stdout" | awk '{ print $NF }')" -1.05 0.15 "fig45.sh R_CT slope"
near "$(grep 'log C_CT' "$out/stdout" | awk '{ print $NF }')" 1.05 0.15 "fig45.sh C_CT slope"

echo "cli_analysis: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
