# spectra.sh — comparing spectrum files in the CLI tests (sourced by
# cli_mor.sh, cli_iter.sh and cli_mpi.sh).
#
# maxrel A B: the largest |Z_A − Z_B| / |Z_B| over the data rows of two
# spectrum CSVs (f, Re Z, Im Z first), compared row by row; "inf" when one has
# an infinite value where the other has not, "missing" when A has fewer rows.
# within R T: R is a number at most T (not "inf", "missing" or empty).
maxrel() {
    awk -F, '
        FNR == NR { if ($0 !~ /^#/) { re[FNR] = $2; im[FNR] = $3 } next }
        $0 !~ /^#/ {
            if (!(FNR in re)) { print "missing"; bad = 1; exit }
            if ($2 == "inf" || re[FNR] == "inf") { if ($2 != re[FNR]) { print "inf"; bad = 1; exit } next }
            d = sqrt(($2 - re[FNR])^2 + ($3 - im[FNR])^2); m = sqrt($2^2 + $3^2)
            r = m > 0 ? d / m : d; if (r > w) w = r
        }
        END { if (!bad) printf "%.3g\n", w + 0 }' "$1" "$2"
}
within() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 <= b + 0 && a !~ /inf|missing/) }'; }
