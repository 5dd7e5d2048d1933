#!/bin/sh
# cli.sh ZSTR [ZSTR_VERSIONED] — the zstr program end to end: exit statuses, messages, outputs.
#
#   - usage errors exit 2, user errors exit 1, success 0;
#   - every good model in tests/data/models validates;
#   - every file of the broken-input catalogue (tests/data/bad) makes
#     `zstr run` exit 1 with one message line naming the file, and leaves no
#     output file (neither the CSV nor the plot);
#   - a small series writes one CSV per member, one plot, and a summary table
#     whose R_DC rises as the contact fraction falls;
#   - an unwritable output leaves nothing behind.
set -u
zstr=$1
case "$zstr" in /*) ;; *) zstr="$(pwd)/$zstr" ;; esac
versioned=${2:-}
case "$versioned" in /* | '') ;; *) versioned="$(pwd)/$versioned" ;; esac
data="$(pwd)/tests/data"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
trap 'exit 1' INT TERM # the EXIT trap cleans up; without an exit the script would go on
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "cli: FAIL $*"; }
expect() { # status, description, command...
    want=$1 desc=$2
    shift 2
    "$@" > "$out/stdout" 2> "$out/stderr"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$desc: exit $got, expected $want"; sed 's/^/    /' "$out/stderr"; fi
}

# --version: the program's version (the Makefile's) and the library's (the
# header's macros); ZSTR_VERSIONED (optional second argument) is the same
# program built with the program version 0.0.0-cli.sh, so that the two differ
header_v() { sed -n "s/^#define ZSTR_VERSION_$1 \([0-9]*\)$/\1/p" include/zstr.h; }
make_v() { sed -n "s/^VERSION_$1 := \([0-9]*\)$/\1/p" Makefile; }
libv="$(header_v MAJOR).$(header_v MINOR).$(header_v PATCH)"
expect 0 "--version" "$zstr" --version
want="zstr $(make_v MAJOR).$(make_v MINOR).$(make_v PATCH) (libzstr $libv)"
[ "$(cat "$out/stdout")" = "$want" ] || bad "--version printed '$(cat "$out/stdout")', not '$want'"
if [ -n "$versioned" ]; then
    expect 0 "--version, program version 0.0.0-cli.sh" "$versioned" --version
    want="zstr 0.0.0-cli.sh (libzstr $libv)"
    [ "$(cat "$out/stdout")" = "$want" ] || bad "--version printed '$(cat "$out/stdout")', not '$want'"
fi
expect 2 "no arguments" "$zstr"
expect 2 "unknown command" "$zstr" frobnicate
expect 0 "help run" "$zstr" help run
expect 2 "help for an unknown command" "$zstr" help frobnicate
expect 2 "unknown option" "$zstr" run --frobnicate
expect 2 "--set without =" "$zstr" run --set map.contact-fraction
expect 2 "--set lists of different lengths" "$zstr" run --set a.b=1,2 --set c.d=1,2,3
expect 2 "validate without a file" "$zstr" validate

for m in "$data"/models/*.xml "$data"/../../examples/figures/*.xml; do
    expect 0 "validate $(basename "$m")" "$zstr" validate "$m"
done

# the broken-input catalogue: exit 1, one line naming the file, no output
n=0
for f in "$data"/bad/*; do
    [ -f "$f" ] || continue
    case "$f" in *.md) continue ;; esac
    n=$((n + 1))
    rm -f "$out"/o.csv "$out"/o.svg
    expect 1 "run $(basename "$f")" "$zstr" run "$f" --quiet -o "$out/o.csv" --plot "$out/o.svg"
    lines=$(wc -l < "$out/stderr")
    [ "$lines" -eq 1 ] || bad "$(basename "$f"): $lines message lines"
    grep -q "$(basename "$f")" "$out/stderr" || bad "$(basename "$f"): message does not name the file"
    if ls "$out" | grep -q '^o\.'; then bad "$(basename "$f"): left an output file"; fi
done
[ "$n" -ge 30 ] || bad "only $n broken inputs in the catalogue"

# a value of the wrong dimension given with --set
expect 1 "--set with a wrong unit" "$zstr" run "$data/models/example.xml" --quiet -o "$out/u.csv" \
    --set cell.voxels=8 --set grains.mean-size=30um --set map.contact-fraction=0.5mm
grep -q "contact-fraction" "$out/stderr" || bad "--set error names the attribute"
[ ! -e "$out/u.csv" ] || bad "--set error left a CSV"

# a small series: 8^3 voxels, 30 um grains, 2 per decade, contact 100/50/22 %
expect 0 "series run" "$zstr" run "$data/models/example.xml" --quiet -o "$out/s.csv" \
    --plot "$out/s.svg" --set cell.voxels=8 --set grains.mean-size=30um --set frequencies.per-decade=2 \
    --set map.contact-fraction=1,0.5,0.22
for k in 1 2 3; do
    [ -s "$out/s-$k.csv" ] || bad "series member $k wrote no CSV"
done
head -c 200 "$out/s.svg" | grep -q "<svg" || bad "series plot is not an SVG"
awk 'NR > 1 { r[NR - 1] = $2 } END { exit !(NR == 4 && r[1] < r[2] && r[2] < r[3]) }' \
    "$out/stdout" || bad "summary: R_DC does not rise as the contact falls"

# a series with one bad member stops before computing: no member's file
expect 1 "series with a bad member" "$zstr" run "$data/models/example.xml" --quiet -o "$out/b.csv" \
    --set cell.voxels=8 --set grains.mean-size=30um --set map.contact-fraction=1,0.5,1.5
grep -q "member 3 of 3" "$out/stderr" || bad "bad member is named"
if ls "$out" | grep -q '^b'; then bad "a series with a bad member left files"; fi

# every example model runs (coarsened: 8^3 voxels, 30 um grains, 1 per decade)
for m in "$data"/../../examples/figures/*.xml; do
    expect 0 "run $(basename "$m")" "$zstr" run "$m" --quiet -o "$out/ex.csv" --set cell.voxels=8 \
        --set grains.mean-size=30um --set frequencies.per-decade=1
done

# info
expect 0 "info" "$zstr" info "$data/models/example.xml" --set cell.voxels=8 --set grains.mean-size=30um
grep -q "unknowns" "$out/stdout" || bad "info prints the network size"
grep -q "tau_" "$out/stdout" || bad "info prints time constants"
grep -q "tau_CT(WE)" "$out/stdout" || bad "info prints the charge-transfer time constant"

# fields: a volume and an interface file, VTK image data
expect 0 "fields" "$zstr" fields "$data/models/example.xml" --at 10Hz -o "$out/f.vti" \
    --set cell.voxels=8 --set grains.mean-size=30um
grep -q '<VTKFile type="ImageData"' "$out/f.vti" || bad "fields volume is not VTK image data"
grep -q 'current_density_abs' "$out/f.vti" || bad "fields volume lacks |J|"
grep -q 'we_current_abs' "$out/f-we.vti" || bad "fields interface map lacks the WE current"
expect 1 "fields with a length as frequency" "$zstr" fields "$data/models/example.xml" \
    --at 10mm -o "$out/g.vti"
grep -q "length" "$out/stderr" || bad "fields --at error names the dimension"
[ ! -e "$out/g.vti" ] || bad "failed fields left a file"
expect 2 "fields without --at" "$zstr" fields "$data/models/example.xml" -o "$out/g.vti"
expect 2 "two plots" "$zstr" run --plot a.svg --plot b.png

# an unwritable output leaves nothing
mkdir "$out/ro" && chmod 555 "$out/ro"
if [ "$(id -u)" -ne 0 ]; then
    expect 1 "unwritable output" "$zstr" run "$data/models/example.xml" --quiet \
        -o "$out/ro/x.csv" --set cell.voxels=4 --set grains.mean-size=50um --set frequencies.per-decade=1
fi
expect 1 "output in a missing folder" "$zstr" run "$data/models/example.xml" --quiet \
    -o "$out/missing/x.csv" --set cell.voxels=4 --set grains.mean-size=50um --set frequencies.per-decade=1
[ -z "$(ls "$out/ro")" ] || bad "unwritable output left files"

# ==== the program as a tool (plots, series grids, info, units, VTK) ====
small="--set cell.voxels=8 --set grains.mean-size=30um"

# a fraction as a percentage is the same model as the plain number
expect 0 "contact fraction in %" "$zstr" info "$data/models/example.xml" $small \
    --set map.contact-fraction=50%
grep "contact fraction:" "$out/stdout" > "$out/pct"
expect 0 "contact fraction plain" "$zstr" info "$data/models/example.xml" $small \
    --set map.contact-fraction=0.5
grep "contact fraction:" "$out/stdout" | cmp -s - "$out/pct" || bad "50% and 0.5 differ"
expect 0 "frequencies in uHz" "$zstr" info "$data/models/example.xml" $small \
    --set frequencies.from=100uHz

# --grid: every combination, first list slowest; --summary writes the table as CSV
tiny="--set cell.voxels=4 --set grains.mean-size=50um --set frequencies.per-decade=1"
expect 0 "grid run" "$zstr" run "$data/models/example.xml" --quiet -o "$out/g.csv" $tiny \
    --set map.contact-fraction=1,0.25 --set cell.temperature=0C,20C,40C --grid \
    --summary "$out/gsum.csv"
for k in 1 2 3 4 5 6; do [ -s "$out/g-$k.csv" ] || bad "grid member $k wrote no CSV"; done
[ ! -e "$out/g-7.csv" ] || bad "grid made more than 2 x 3 members"
head -1 "$out/gsum.csv" | grep -q '^member,R_DC_Ohm,R_DC_Ohm_cm2,contact_fraction,.*,map.contact-fraction,cell.temperature$' \
    || bad "summary CSV header"
got=$(awk -F, 'NR > 1 { printf "%s/%s ", $(NF-1), $NF }' "$out/gsum.csv")
[ "$got" = "1/0C 1/20C 1/40C 0.25/0C 0.25/20C 0.25/40C " ] || bad "grid order: $got"
# R_DC falls with temperature at each contact fraction (Arrhenius)
awk -F, 'NR > 1 { r[NR-1] = $2 } END { exit !(r[1] > r[2] && r[2] > r[3] && r[4] > r[5] && r[5] > r[6]) }' \
    "$out/gsum.csv" || bad "grid summary: R_DC does not fall with temperature"
expect 2 "unequal lists without --grid" "$zstr" run "$data/models/example.xml" --quiet \
    -o "$out/h.csv" $tiny --set map.contact-fraction=1,0.25 --set cell.temperature=0C,20C,40C
grep -q -- "--grid" "$out/stderr" || bad "unequal lists: message does not offer --grid"
expect 1 "summary in a missing folder" "$zstr" run "$data/models/example.xml" --quiet \
    -o "$out/m.csv" $tiny --summary "$out/missing/s.csv"
[ ! -e "$out/m.csv" ] || bad "a bad --summary path left the spectrum"

# the realised contact fraction: a warning when it misses the request, the legend
expect 0 "contact warning" "$zstr" run "$data/models/example.xml" --quiet -o "$out/w.csv" \
    --plot "$out/w.svg" $small --set frequencies.per-decade=1 --set map.contact-fraction=0.5,1
grep -q "member 1 of 2.*realised contact fraction 0.5625 differs from the requested 0.5" \
    "$out/stderr" || bad "no warning for 0.5 -> 0.5625"
grep -q "member 2" "$out/stderr" && bad "warning for a contact fraction met exactly"
head -c 200 "$out/w.svg" | grep -q "<svg" || bad "contact series wrote no plot"

# info: predicted time of the spectrum and peak memory per thread and in total
expect 0 "info estimates" "$zstr" info "$data/models/example.xml" $small --threads 3
grep -q "predicted time of the spectrum: .* s for [0-9]* frequencies on 3 threads" "$out/stdout" \
    || bad "info lacks the predicted time"
# total = plan + 3 x per thread; 0.01 MB covers the 4-digit rounding of the three figures
awk '/predicted peak memory/ { per = $4; tot = $8; plan = $(NF - 2) }
     END { d = tot - plan - 3 * per; exit !(per > 0 && d < 0.01 && d > -0.01) }' \
    "$out/stdout" || bad "info: total memory is not the plan plus threads x per thread"

# zstr plot redraws spectra; plot options
expect 0 "zstr plot" "$zstr" plot "$out/w-1.csv" "$out/w-2.csv" -o "$out/p.svg" --logx --logy \
    --panels nyquist
head -c 200 "$out/p.svg" | grep -q "<svg" || bad "zstr plot wrote no SVG"
expect 0 "zstr plot --area --xlim" "$zstr" plot "$out/w-1.csv" -o "$out/p.png" --area --xlim 0,50
expect 0 "run with plot options" "$zstr" run "$data/models/example.xml" --quiet -o "$out/r.csv" \
    $tiny --plot "$out/r.pdf" --ylim 0,1e5 --panels bode
expect 2 "log axis with a range from 0" "$zstr" plot "$out/w-1.csv" -o "$out/x.svg" --logx --xlim 0,10
expect 2 "zstr plot without -o" "$zstr" plot "$out/w-1.csv"
expect 0 "help plot" "$zstr" help plot
for f in "$data"/bad/spectra/*.csv; do
    expect 1 "plot $(basename "$f")" "$zstr" plot "$out/w-1.csv" "$f" -o "$out/x.svg"
    grep -q "$(basename "$f")" "$out/stderr" || bad "plot $(basename "$f"): message does not name the file"
    [ ! -e "$out/x.svg" ] || bad "plot $(basename "$f") left a figure"
done

# VTK lengths in metres: 8 voxels over 100 um are 1.25e-05 m
grep -q 'Spacing="1.25e-05 1.25e-05 1.25e-05"' "$out/f.vti" || bad "VTK Spacing is not in metres"
# ---- contracts between the file, the program and the library (issue 6 item 4) ----
small="--set cell.voxels=8 --set grains.mean-size=30um --set frequencies.per-decade=1"
fresh() { rm -rf "$out/c" && mkdir "$out/c"; }
left() { ls -A "$out/c"; } # what a run left in $out/c

# open circuit with f = 0 in the list: Z(0) = (inf, 0) is written as inf
fresh
cat > "$out/c/open.xml" << 'XML'
<zstr version="1">
  <cell size="100 um" voxels="4"/>
  <phase name="bulk" conductivity="0.46 mS/cm" permittivity="150"/>
  <interface electrode="we">
    <pore capacitance="885 uF/cm2"/>
    <map kind="square" contact-fraction="0" rest="pore"/>
  </interface>
  <frequencies values="0 1 1000"/>
</zstr>
XML
expect 0 "validate an open circuit with f = 0" "$zstr" validate "$out/c/open.xml"
expect 0 "run an open circuit with f = 0" "$zstr" run "$out/c/open.xml" --quiet -o "$out/c/o.csv" \
    --plot "$out/c/o.svg"
grep -q '^0,inf,0,inf,0$' "$out/c/o.csv" 2> /dev/null || bad "open circuit: Z(0) is not written as inf"
grep -q '^1000,' "$out/c/o.csv" 2> /dev/null || bad "open circuit: the other rows are missing"
grep -q 'open' "$out/stdout" || bad "open circuit: the summary does not say open"

# a later member that fails in the library (no branch to the electrolyte) is
# found before anything is written; the message names the file and the member
fresh
expect 1 "series whose member 2 has no contact" "$zstr" run "$data/models/example.xml" --quiet \
    -o "$out/c/s.csv" $small --set map.contact-fraction=0.5,0 --set map.rest=none
grep -q "member 2 of 2" "$out/stderr" || bad "failing member is not named"
grep -q "example.xml" "$out/stderr" || bad "failing member's message does not name the file"
[ -z "$(left)" ] || bad "a series with a failing member left: $(left)"

# a member that fails while computing leaves nothing either
fresh
expect 1 "series whose member 2 underflows at 5 K" "$zstr" run "$data/models/example.xml" --quiet \
    -o "$out/c/s.csv" $small --set cell.temperature=298.15K,5K
grep -q "member 2 of 2" "$out/stderr" || bad "failing member is not named"
[ -z "$(left)" ] || bad "a member failing in the library left: $(left)"

# output paths are checked before computing
fresh
expect 1 "plot into a missing folder" "$zstr" run "$data/models/example.xml" --quiet \
    -o "$out/c/s.csv" $small --set map.contact-fraction=1,0.5 --plot "$out/c/missing/p.svg"
[ -z "$(left)" ] || bad "a plot into a missing folder left: $(left)"
fresh
mkdir "$out/c/p.svg"
expect 1 "plot path is a directory" "$zstr" run "$data/models/example.xml" --quiet \
    -o "$out/c/s.csv" $small --plot "$out/c/p.svg"
grep -q "directory" "$out/stderr" || bad "plot path that is a directory: message"
[ "$(left)" = "p.svg" ] || bad "a plot path that is a directory left: $(left)"
fresh
mkdir "$out/c/s.csv"
expect 1 "output path is a directory" "$zstr" run "$data/models/example.xml" --quiet \
    -o "$out/c/s.csv" $small
[ "$(left)" = "s.csv" ] || bad "an output path that is a directory left: $(left)"

# a signal while outputs are pending removes the temporaries.  SIGINT and
# SIGHUP with their defaults restored (sh starts background jobs with SIGINT
# ignored, nohup ignores SIGHUP, and the program leaves an ignored signal
# ignored).  Not SIGTERM here: METIS traps
# SIGTERM during its ordering and turns it into an error return.  Six members:
# the signal comes once the first temporary is there, and the other five keep
# the run going meanwhile (with two, a loaded machine once let the run end
# first).
for sig in INT HUP; do
    fresh
    env --default-signal=INT,HUP "$zstr" run "$data/models/example.xml" --quiet -o "$out/c/t.csv" \
        --set cell.voxels=16 --set grains.mean-size=20um --set frequencies.per-decade=3 \
        --set map.contact-fraction=1,0.5,0.4,0.3,0.2,0.1 --threads 1 > /dev/null 2>&1 &
    pid=$!
    # up to 10 minutes by the clock (a loaded machine under a sanitizer can take
    # a minute for the first member), or until the run has ended
    t0=$(date +%s) seen=0
    while [ $(($(date +%s) - t0)) -lt 600 ]; do
        if left | grep -q '\.tmp'; then seen=1; break; fi
        [ -e "$out/c/t-6.csv" ] && break
        sleep 0.05
    done
    [ $seen -eq 1 ] || bad "SIG$sig: no temporary seen while the run lasted"
    kill -$sig $pid
    wait $pid
    st=$?
    [ -z "$(left)" ] || bad "SIG$sig left: $(left)"
    [ $st -gt 128 ] || bad "SIG$sig: exit status $st, expected death by the signal"
done

# a unitless temperature is kelvin: warn when no solid electrolyte is that cold
expect 0 "validate a cell at 298.15 K" "$zstr" validate "$data/models/example.xml"
grep -q "warning" "$out/stderr" && bad "warning for 298.15 K"
fresh
"$zstr" run "$data/models/example.xml" --quiet -o "$out/c/k.csv" $small \
    --set cell.temperature=25 > /dev/null 2> "$out/stderr"
grep -q "warning:.*temperature.*25 K.*kelvin.*25 C" "$out/stderr" || bad "no warning for 25 K"

# validate never builds the grid: 1290^3 voxels (about 12 GB as a model) in
# 2 GB of address space (ASan reserves far more than that, so not under it)
fresh
cat > "$out/c/big.xml" << 'XML'
<zstr version="1">
  <cell size="1290 um" voxels="1290"/>
  <phase name="bulk" conductivity="1 S/m" permittivity="150"/>
  <phase name="gb" conductivity="1 mS/m" permittivity="150"/>
  <grains mean-size="20 um" phase="bulk" boundary-phase="gb" boundary-thickness="10 nm"/>
  <interface electrode="we">
    <pore capacitance="1 uF/cm2"/>
    <map kind="random" contact-fraction="0.3" correlation-length="5 um"/>
  </interface>
  <frequencies from="1 Hz" to="1 MHz" per-decade="2"/>
</zstr>
XML
if [ -z "${ASAN_OPTIONS:-}" ]; then
    expect 0 "validate 1290^3 voxels in 2 GB" sh -c "ulimit -v 2000000 && exec \"$zstr\" validate \"$out/c/big.xml\""
fi

# validate reports every independent problem, each with its line
cat > "$out/c/multi.xml" << 'XML'
<zstr version="1">
  <cell size="100 um" voxels="8"/>
  <phase name="bulk" conductivity="-1 S/m" permittivity="150"/>
  <phase name="gb" conductivity="1 S/m" permittivity="0"/>
  <fill phase="bulk"/>
  <interface electrode="we">
    <map kind="square" contact-fraction="1.5" rest="none"/>
  </interface>
  <frequencies from="10 Hz" to="1 Hz" per-decade="2"/>
</zstr>
XML
expect 1 "validate a file with four problems" "$zstr" validate "$out/c/multi.xml"
for l in 3 4 7 9; do
    grep -q "multi.xml:$l: " "$out/stderr" || bad "validate does not report the problem on line $l"
done
grep -q "4 problems" "$out/stderr" || bad "validate does not count the problems"

# --set has no limit on its count: 40 of them
many=""
for i in $(seq 40); do many="$many --set cell.voxels=6"; done
expect 0 "info with 40 --set options" "$zstr" info "$data/models/example.xml" $many \
    --set grains.mean-size=30um

# a grid that cannot fit is refused from its size before anything is built
# (1000³ voxels: the cross-section bound alone is terabytes)
fresh
expect 1 "1000^3 grid refused" "$zstr" run "$data/models/example.xml" --quiet -o "$out/c/big.csv" \
    --set cell.voxels=1000 --set grains.mean-size=30um
grep -q "refused before assembly" "$out/stderr" || bad "1000^3: no refusal from the grid: $(cat "$out/stderr")"
[ -z "$(left)" ] || bad "1000^3 refusal left: $(left)"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
