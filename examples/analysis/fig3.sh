#!/bin/sh
# fig3.sh — Eckhardt et al. 2023, Figure 3 with its DRT panels: the Nyquist
# plots of a contact series beside their DRTs, and the diagnosis (Figure 8).
#
#   sh examples/analysis/fig3.sh [a|b|c] [VOXELS]     (from the repository root, after make)
#
# Runs examples/figures/fig3CASE.xml over contact 1, 0.68, 0.47, 0.32, 0.22
# (VOXELS per edge, default 20) and draws fig3CASE-drt.png with
# zstr diagnose --plot; the diagnosis report goes to stdout.  Environment:
# ZSTR (default build/zstr), OUT (default fig3-CASE).
set -eu
case=${1:-a}
n=${2:-20}
zstr=${ZSTR:-build/zstr}
out=${OUT:-fig3-$case}
here=$(dirname "$0")
case "$case" in a | b | c) ;; *) echo "usage: fig3.sh [a|b|c] [VOXELS]" >&2; exit 2 ;; esac
mkdir -p "$out"
"$zstr" run "$here/../figures/fig3$case.xml" -o "$out/s.csv" --summary "$out/summary.csv" \
    --set cell.voxels="$n" --set map.contact-fraction=1,0.68,0.47,0.32,0.22 --quiet > /dev/null
# the realised contact fractions (whole pixels) label the members
A=$(awk -F, 'NR > 1 { printf "%s%.3g", (NR > 2 ? "," : ""), $4 }' "$out/summary.csv")
"$zstr" diagnose "$out"/s-1.csv "$out"/s-2.csv "$out"/s-3.csv "$out"/s-4.csv "$out"/s-5.csv \
    --parameter contact="$A" --plot "$out/fig3$case-drt.png"
