#!/bin/sh
# fig45.sh — Eckhardt et al. 2023, Figures 4 and 5: R_CT, C_CT, R_Cstr and
# C_Cstr against the contact fraction from four-RC fits, and the slopes of the
# log-log lines of R_CT and C_CT.
#
#   sh examples/analysis/fig45.sh [a|c] [VOXELS]     (from the repository root, after make)
#
# a: tau_Cstr < tau_CT (examples/figures/fig3a.xml), c: tau_CT < tau_Cstr
# (fig3c.xml); VOXELS per edge, default 20.  zstr run computes the series
# (contact 1, 0.68, 0.47, 0.32, 0.22; centred square spot), zstr fit fits
# four series RC elements to every member with contact < 1 and three at full
# contact, and the elements are named by their order in tau:
#   a: bulk < GB < constriction < CT      c: bulk < GB < CT < constriction
# (at full contact: bulk < GB < CT).  Environment: ZSTR (default build/zstr),
# OUT (default fig45-CASE), where the spectra and fitted tables go.
set -eu
case=${1:-a}
n=${2:-20}
zstr=${ZSTR:-build/zstr}
out=${OUT:-fig45-$case}
here=$(dirname "$0")
. "$here/fitrc.sh"
case "$case" in a | c) ;; *) echo "usage: fig45.sh [a|c] [VOXELS]" >&2; exit 2 ;; esac
mkdir -p "$out"
"$zstr" run "$here/../figures/fig3$case.xml" -o "$out/s.csv" --summary "$out/summary.csv" \
    --set cell.voxels="$n" --set map.contact-fraction=1,0.68,0.47,0.32,0.22 --quiet > /dev/null

# area in cm^2 from the summary (R_DC_Ohm_cm2 / R_DC_Ohm)
area=$(awk -F, 'NR == 2 { printf "%.10g", $3 / $2 }' "$out/summary.csv")
printf 'contact   R_CT/Ohm.cm2  C_CT/uF.cm-2  R_Cstr/Ohm.cm2  C_Cstr/uF.cm-2  (%s^3, case %s)\n' "$n" "$case"
: > "$out/table.txt"
m=1
while [ -e "$out/s-$m.csv" ]; do
    A=$(awk -F, -v m="$m" 'NR > 1 && $1 == m { print $4 }' "$out/summary.csv")
    if awk -v a="$A" 'BEGIN { exit !(a > 0.999) }'; then k=3; else k=4; fi
    fit_rcs "$zstr" "$out/s-$m.csv" "$k" "$out/p-$m.csv" > "$out/rc-$m.txt"
    awk -v A="$A" -v k="$k" -v c="$case" -v area="$area" '
        { R[NR] = $2; C[NR] = $3 }
        END {
            if (k == 3) { ct = 3; cs = 0 } else if (c == "a") { cs = 3; ct = 4 } else { ct = 3; cs = 4 }
            printf "%-8.4f  %12.4g  %12.4g  %14s  %14s\n", A, R[ct] * area, C[ct] / area * 1e6,
                cs ? sprintf("%.4g", R[cs] * area) : "-", cs ? sprintf("%.4g", C[cs] / area * 1e6) : "-"
        }' "$out/rc-$m.txt" | tee -a "$out/table.txt"
    m=$((m + 1))
done
printf 'slope of log R_CT against log A: %s\n' "$(awk '{ print $1, $2 }' "$out/table.txt" | slope_loglog)"
printf 'slope of log C_CT against log A: %s\n' "$(awk '{ print $1, $3 }' "$out/table.txt" | slope_loglog)"
printf 'slope of log R_Cstr against log A (not a power law; for comparison): %s\n' \
    "$(awk '$4 != "-" { print $1, $4 }' "$out/table.txt" | slope_loglog)"
