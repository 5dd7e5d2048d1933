#!/bin/sh
# fig6.sh — Eckhardt et al. 2023, Figure 6a: Arrhenius plot of R_Cstr from
# -40 C to 40 C and its activation energy.
#
#   sh examples/analysis/fig6.sh [ideal|gb] [VOXELS]    (from the repository root, after make)
#
# ideal: Z_CT = Z_GB = 0 (examples/analysis/fig6.xml: one bulk phase, ideal
#   contact spot, pores), fitted with two RC elements (bulk < constriction);
#   the paper: E_a,Cstr = E_a,bulk = 0.34 eV.
# gb: resistive grain boundaries, Z_CT = 0 (examples/figures/fig3a.xml with
#   R_pol = 0), three RC elements (bulk < GB < constriction); the paper: 0.35 eV.
# Both at 25 % contact (a centred square spot), VOXELS per edge (default 20).
# R_Cstr per temperature goes to a T_K,R_Ohm table that zstr arrhenius fits
# in the paper's form ln[T/(R A)] against 1/T.  Environment: ZSTR (default
# build/zstr), OUT (default fig6-SET).
set -eu
set_=${1:-ideal}
n=${2:-20}
zstr=${ZSTR:-build/zstr}
out=${OUT:-fig6-$set_}
here=$(dirname "$0")
. "$here/fitrc.sh"
case "$set_" in
ideal) model="$here/fig6.xml" k=2 extra="" ;;
gb) model="$here/../figures/fig3a.xml" k=3 extra="contact.resistance=0 Ohm*cm2" ;;
*) echo "usage: fig6.sh [ideal|gb] [VOXELS]" >&2; exit 2 ;;
esac
mkdir -p "$out"
temps="-40C,-20C,0C,20C,40C"
"$zstr" run "$model" -o "$out/s.csv" --set cell.voxels="$n" --set map.contact-fraction=0.25 \
    --set cell.temperature="$temps" ${extra:+--set "$extra"} --quiet > /dev/null
echo "T_K,R_Ohm" > "$out/arrhenius.csv"
m=1
for t in -40 -20 0 20 40; do
    fit_rcs "$zstr" "$out/s-$m.csv" "$k" "$out/p-$m.csv" |
        awk -v T="$t" 'END { printf "%.10g,%.10g\n", T + 273.15, $2 }' >> "$out/arrhenius.csv"
    m=$((m + 1))
done
cat "$out/arrhenius.csv"
"$zstr" arrhenius "$out/arrhenius.csv"
