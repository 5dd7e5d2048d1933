#!/bin/sh
# examples.sh BINDIR — run the example programs as golden tests.
#
# minimal checks itself against the exact R/(1+jwRC) (exit status).
# constriction runs a small series; its files are checked for properties the
# physics fixes (physics.md §1-2), with the tolerance reasoning beside each:
#   - every file parses: a '#' names line, '#' header, 5 numeric fields a row;
#   - passivity and capacitive response: Zre >= 0, Zim <= 0 in every row;
#   - Zre at 1 mHz equals the R_DC of the header to 1e-3 (the slowest time
#     constant, CT scaled by constriction, is < 100 s, so (wt)^2 < 0.4 at 1 mHz
#     would be too loose: the case below has tau_CT = R_pol*C_DL = 0.9 s, giving
#     a relative deviation (wt)^2 ~ 3e-5 << 1e-3);
#   - R_DC grows as the contact shrinks (constriction);
#   - full contact: R_DC lies between the bulk-only resistance L/(sigma A) and
#     1.5 times it (grain boundaries add ~10 % for these parameters: mean
#     intercept 0.687 d = 6.9 um, delta*sigma_b/sigma_gb = 0.77 um per GB),
#     plus R_pol/A of the full contact.
set -eu
bin=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 1' INT TERM # the EXIT trap cleans up; without an exit the script would go on
fail=0
check() { # name, condition result (0 = pass)
    if [ "$2" -eq 0 ]; then echo "examples: PASS $1"; else echo "examples: FAIL $1"; fail=$((fail + 1)); fi
}

rc=0; "$bin/minimal" > "$out/minimal.txt" || rc=$?
check "minimal matches R/(1+jwRC) to 1e-10" "$rc"

rc=0; "$bin/constriction" -n 12 -p 2 -t 2 -f 1,0.5,0.22 -o "$out" > "$out/constriction.txt" || rc=$?
check "constriction runs" "$rc"
for pct in 100 050 022; do
    f="$out/constriction-1-$pct.csv"
    rc=0
    awk -F, -v pct="$pct" '
        NR == 1 { if ($0 != "# f_Hz,Zre_Ohm,Zim_Ohm,Zre_Ohm_cm2,Zim_Ohm_cm2") bad = "names line"; next }
        /^# R_DC = / { split($0, a, " "); rdc = a[4] + 0; next }
        /^#/ { next }
        { rows++
          if (NF != 5) bad = "row " rows " has " NF " fields"
          if ($2 < 0) bad = "Zre < 0 in row " rows
          if ($3 > 0) bad = "Zim > 0 in row " rows
          if (rows == 1) { f0 = $1; z0 = $2 } }
        END {
          if (bad == "" && rows != 21) bad = rows " rows, expected 21"
          if (bad == "" && f0 != 0.001) bad = "first frequency " f0
          if (bad == "" && ((z0 - rdc) / rdc > 1e-3 || (rdc - z0) / rdc > 1e-3)) bad = "Zre(1 mHz) " z0 " vs R_DC " rdc
          if (bad != "") { print "  " FILENAME ": " bad > "/dev/stderr"; exit 1 }
          print rdc }' "$f" > "$out/rdc-$pct" || rc=$?
    check "constriction $pct % file is well-formed, passive, and Zre(1 mHz) = R_DC" "$rc"
done
rc=0
awk -v a="$(cat "$out/rdc-100")" -v b="$(cat "$out/rdc-050")" -v c="$(cat "$out/rdc-022")" \
    'BEGIN { exit !(a < b && b < c) }' || rc=$?
check "R_DC rises as the contact fraction falls (100 > 50 > 22 %)" "$rc"
# bulk-only: L/(sigma A) with L = 100 um, A = (100 um)^2, sigma = 0.046 S/m; R_pol/A with 0.5e-4 Ohm m^2
rc=0
awk -v r="$(cat "$out/rdc-100")" 'BEGIN { rb = 1e-4 / (0.046 * 1e-8); rp = 0.5e-4 / 1e-8;
    exit !(r > rb + rp && r < 1.5 * rb + rp) }' || rc=$?
check "full contact: R_bulk + R_pol/A < R_DC < 1.5 R_bulk + R_pol/A" "$rc"

if [ "$fail" -ne 0 ]; then
    echo "examples: $fail failed"
    exit 1
fi
echo "examples: all passed"
