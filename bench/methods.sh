#!/bin/sh
# methods.sh ZSTR MODEL.xml... — for each model: the wall time of `zstr run` by
# --method direct and by --method mor (one sweep thread, one BLAS thread), the
# largest relative difference between the two spectra, and what --method auto
# chose.  Prints a Markdown table.  Both runs of a model follow each other, so
# their ratio is measured under the same load.
set -u
zstr=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export OPENBLAS_NUM_THREADS=1
secs() { # command... -> wall seconds
    s=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || echo "failed: $*" >&2
    e=$(date +%s.%N)
    awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", b - a }'
}
echo "| model | frequencies | unknowns | direct s | mor s | mor factorizations | max rel. diff | auto chose | faster |"
echo "|---|---:|---:|---:|---:|---:|---:|---|---|"
for m in "$@"; do
    name=$(basename "$m" .xml)
    td=$(secs "$zstr" run "$m" --quiet --threads 1 --method direct -o "$tmp/d.csv")
    tm=$(secs "$zstr" run "$m" --quiet --threads 1 --method mor -o "$tmp/m.csv")
    "$zstr" run "$m" --quiet --threads 1 -o "$tmp/a.csv" > /dev/null 2>&1
    chose=$(sed -n 's/^# method: \([a-z]*\).*/\1/p' "$tmp/a.csv")
    fact=$(sed -n 's/^# method: mor (reduced-order model), \([0-9]*\) real.*/\1/p' "$tmp/m.csv")
    nf=$(grep -vc '^#' "$tmp/d.csv")
    unk=$("$zstr" info "$m" 2> /dev/null | sed -n 's/^  unknowns \([0-9]*\).*/\1/p')
    diff=$(awk -F, 'FNR == NR { if ($0 !~ /^#/) { re[FNR] = $2; im[FNR] = $3 } next }
        $0 !~ /^#/ && $2 != "inf" { d = sqrt(($2 - re[FNR])^2 + ($3 - im[FNR])^2);
            m = sqrt(re[FNR]^2 + im[FNR]^2); if (m > 0 && d / m > w) w = d / m }
        END { printf "%.2g", w }' "$tmp/d.csv" "$tmp/m.csv")
    faster=$(awk -v a="$td" -v b="$tm" 'BEGIN { print (a <= b ? "direct" : "mor") }')
    echo "| $name | $nf | $unk | $td | $tm | $fact | $diff | $chose | $faster |"
done
