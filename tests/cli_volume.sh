#!/bin/sh
# cli_volume.sh ZSTR — <volume> models and zstr morph end to end.
#
# The volume is written here by awk: a straight cylindrical pore channel
# (a digital disc of 13 voxels, (x-4)^2 + (y-4)^2 <= 4) through a 9 x 9 x 12
# block of solid, 100 nm voxels, stored as the bytes '0' (48, solid) and '1'
# (49, pore) so that awk can write it.  Known answers: the pore fraction is
# 13/81; the pore percolates along z only, in one component, with geodesic
# tortuosity exactly 1 (min = mean = max) and a connecting length of
# 12 voxels = 1.2 um; the solid is 68 straight columns, so with ideal
# electrodes sigma_eff = sigma 68/81 and the tortuosity factor is 1, and
# R_DC = L / (sigma A_solid) = 12 / (0.01 S/m * 68 * 100 nm).  A 1 GiB sparse
# file shows that validate, info and run look at a volume's size before
# reading it.  The raw, TIFF and HDF5 copies of one volume (tests/data/models)
# give the same morph report and the same R_DC.  Usage errors exit 2, user errors 1, and a failed morph leaves
# no output file.
set -u
zstr=$1
case "$zstr" in /*) ;; *) zstr="$(pwd)/$zstr" ;; esac
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 1' INT TERM # the EXIT trap cleans up; without an exit the script would go on
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "cli_volume: FAIL $*"; }
expect() { # status, description, command...
    want=$1 desc=$2
    shift 2
    "$@" > "$out/stdout" 2> "$out/stderr"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$desc: exit $got, expected $want"; sed 's/^/    /' "$out/stderr"; fi
}
near() { # value, want, relative tolerance, description
    if awk -v v="$1" -v w="$2" -v t="$3" 'BEGIN { d = v - w; if (d < 0) d = -d; exit !(v != "" && d <= t * (w < 0 ? -w : w)) }'
    then ok; else bad "$4: '$1', expected $2 within $3"; fi
}
has() { # file, fixed string, description
    if grep -qF -- "$2" "$1"; then ok; else bad "$3: no '$2' in $1"; sed 's/^/    /' "$1" | head -5; fi
}
# the JSON of one phase (one line each) and a number in it
phase_json() { sed 's/{"name"/\n{"name"/g' "$out/stdout" | grep "^{\"name\":\"$1\""; }
pnum() { phase_json "$1" | grep -o "\"$2\":[-0-9.eE+]*" | head -1 | cut -d: -f2; }

awk 'BEGIN { for (z = 0; z < 12; z++) for (y = 0; y < 9; y++) for (x = 0; x < 9; x++)
    printf "%s", ((x - 4) * (x - 4) + (y - 4) * (y - 4) <= 4) ? "1" : "0" }' > "$out/channel.raw"
cat > "$out/channel.xml" <<'XML'
<zstr version="1">
  <cell/>
  <phase name="lps" conductivity="0.01" permittivity="30"/>
  <volume file="channel.raw" dims="9 9 12" type="uint8" voxel-size="100 nm">
    <label value="48" phase="lps"/>
    <label value="49" phase="pore"/>
  </volume>
  <frequencies values="0 1 kHz"/>
</zstr>
XML

# ---- morph: the known answers ----
expect 0 "morph --json" "$zstr" morph "$out/channel.xml" --json
[ "$(wc -l < "$out/stdout")" -eq 1 ] && ok || bad "morph --json: not one line"
has "$out/stdout" '{"grid":[9,9,12],"voxel_size_m":[' "morph: grid"
has "$out/stdout" '"axis":"z"' "morph: axis"
near "$(pnum pore volume_fraction)" 0.16049382716049382 1e-12 "pore fraction 13/81"
phase_json pore | grep -qF '"percolates":{"x":false,"y":false,"z":true}' && ok || bad "pore percolation"
phase_json pore | grep -qF '"count6":1,"count26":1,"largest_fraction":1' && ok || bad "pore components"
phase_json pore | grep -qF '"tortuosity":{"mean":1.0,"min":1.0,"max":1.0}' && ok || bad "pore tortuosity 1"
near "$(pnum pore min_connecting_length_m)" 1.2e-6 1e-12 "pore connecting length 12 voxels"
phase_json lps | grep -qF '"percolates":{"x":true,"y":true,"z":true}' && ok || bad "solid percolation"
near "$(grep -o '"tortuosity_factor":[-0-9.eE+]*' "$out/stdout" | cut -d: -f2)" 1 1e-9 "dc tortuosity factor 1"
near "$(grep -o '"sigma_eff_S_per_m":[-0-9.eE+]*' "$out/stdout" | cut -d: -f2)" 0.0083950617283950617 1e-9 "sigma_eff = sigma 68/81"
has "$out/stdout" '"open_circuit":false}}' "dc open_circuit"
cp "$out/stdout" "$out/report.stdout"

expect 0 "morph -o --csv-dir --vti" "$zstr" morph "$out/channel.xml" --json -o "$out/report.json" \
    --csv-dir "$out/csv" --vti "$out/maps.vti" --combine lps+pore
cmp -s "$out/report.json" "$out/stdout" && ok || bad "morph -o: the file differs from stdout"
[ "$(wc -l < "$out/csv/slices.csv")" -eq $((1 + 3 * (9 + 9 + 12))) ] && ok || bad "slices.csv rows"
has "$out/csv/psd-pore.csv" "1,156," "psd: the channel is one component of 156 voxels"
has "$out/csv/thickness-lps+pore.csv" "from_m,to_m,voxels,fraction" "thickness histogram"
has "$out/csv/rev-lps.csv" "edge_voxels,edge_m,max_relative_deviation" "rev curve"
has "$out/maps.vti" 'Name="geodesic_pore"' "vti: geodesic map"
has "$out/maps.vti" 'Name="thickness_lps+pore"' "vti: thickness map"
expect 0 "morph text" "$zstr" morph "$out/channel.xml" --metric chamfer --no-dc
has "$out/stdout" 'phase "pore": volume fraction 0.160494' "morph text: pore"
has "$out/stdout" "dc: not computed" "morph --no-dc"
expect 0 "morph --set" "$zstr" morph "$out/channel.xml" --json --set volume.crop="0 0 0 9 9 6"
has "$out/stdout" '"grid":[9,9,6]' "morph --set crop"

# ---- morph: errors ----
expect 2 "morph: unknown option" "$zstr" morph "$out/channel.xml" --frobnicate
expect 2 "morph: bad metric" "$zstr" morph "$out/channel.xml" --metric 7
expect 2 "morph: no model" "$zstr" morph
expect 1 "morph: --combine of an unknown phase" "$zstr" morph "$out/channel.xml" --combine lps+glass -o "$out/no.json"
[ -e "$out/no.json" ] && bad "morph: a failed run left its report" || ok
expect 1 "morph: --phase unknown" "$zstr" morph "$out/channel.xml" --phase glass -o "$out/no.json"
[ -e "$out/no.json" ] && bad "morph: a failed DC left its report" || ok
expect 0 "help morph" "$zstr" help morph
has "$out/stdout" "usage: zstr morph MODEL.xml" "help morph"

# ---- run, info, fields, validate on the volume model ----
expect 0 "run a volume model" "$zstr" run "$out/channel.xml" -o "$out/spec.csv" --quiet
near "$(awk 'NR == 2 { print $2 }' "$out/stdout")" 176470588.23529412 1e-8 "R_DC = L / (sigma A_solid)"
expect 0 "info a volume model" "$zstr" info "$out/channel.xml"
has "$out/stdout" "grid: 9 x 9 x 12 voxels" "info: grid"
expect 0 "fields of a volume model" "$zstr" fields "$out/channel.xml" --at 1kHz -o "$out/f.vti"
expect 0 "validate a volume model" "$zstr" validate "$out/channel.xml"

# raw = TIFF = HDF5: the same 6 x 5 x 4 volume in three files (tests/data/models)
models="$(pwd)/tests/data/models"
for fmt in raw tiff hdf5; do
    expect 0 "morph of the $fmt model" "$zstr" morph "$models/volume-$fmt.xml" --json
    cp "$out/stdout" "$out/morph-$fmt.json"
    expect 0 "run of the $fmt model" "$zstr" run "$models/volume-$fmt.xml" -o "$out/$fmt.csv" --quiet
    awk 'NR == 2 { print $2, $4 }' "$out/stdout" > "$out/rdc-$fmt.txt"
done
has "$out/morph-raw.json" '"axis":"y"' "morph of a volume along y"
for fmt in tiff hdf5; do
    cmp -s "$out/morph-raw.json" "$out/morph-$fmt.json" && ok || bad "morph: $fmt differs from raw"
    cmp -s "$out/rdc-raw.txt" "$out/rdc-$fmt.txt" && ok || bad "run: R_DC or contact of $fmt differs from raw"
done

# a label the table lacks: found when the voxels are read, named with the line
sed 's/<label value="49" phase="pore"\/>//' "$out/channel.xml" > "$out/unlisted.xml"
expect 1 "run: unlisted label" "$zstr" run "$out/unlisted.xml" -o "$out/no.csv" --quiet
has "$out/stderr" "unlisted.xml:4: <volume>" "unlisted label: file and line"
has "$out/stderr" "label 49" "unlisted label: the label"
[ -e "$out/no.csv" ] && bad "run: a failed volume model left a spectrum" || ok
expect 1 "morph: unlisted label" "$zstr" morph "$out/unlisted.xml"
has "$out/stderr" "label 49 at volume voxel (4, 2, 0) has no phase" "morph: unlisted label voxel"

# a 1 GiB volume (sparse: no disk used) is judged by its size, never read
: > "$out/big.raw"
if truncate -s 1073741824 "$out/big.raw" 2>/dev/null; then
    sed -e 's/channel.raw/big.raw/' -e 's/dims="9 9 12"/dims="1024 1024 1024"/' "$out/channel.xml" > "$out/big.xml"
    start=$(date +%s)
    expect 0 "validate a 1 GiB volume" "$zstr" validate "$out/big.xml"
    expect 1 "run a 1 GiB volume: refused before reading" "$zstr" run "$out/big.xml" -o "$out/no.csv" --quiet
    has "$out/stderr" "big.xml" "1 GiB run: names the model"
    expect 1 "info a 1 GiB volume: refused before reading" "$zstr" info "$out/big.xml"
    [ $(($(date +%s) - start)) -le 5 ] && ok || bad "1 GiB volume: the checks took over 5 s (was it read?)"
fi

echo "cli_volume: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
