# fitrc.sh — shared by the figure scripts (sourced, not run).
#
# fit_rcs ZSTR SPECTRUM K PARAMS.csv: fit K series RC elements
# p(R1,C1)-...-p(RK,CK) with zstr fit (its automatic initial values) and print
# one line "tau R C" per element, in ascending tau, from the -o table
# (name,value,std_err,unit).  Prints nothing and returns 1 when the fit fails.
fit_rcs() {
    _c=""
    _k=1
    while [ "$_k" -le "$3" ]; do
        _c="$_c${_c:+-}p(R$_k,C$_k)"
        _k=$((_k + 1))
    done
    "$1" fit "$2" --circuit "$_c" -o "$4" > /dev/null || return 1
    awk -F, 'NR > 1 { v[$1] = $2 }
        END { for (k = 1; ("R" k) in v; k++) printf "%.10g %.10g %.10g\n", v["R" k] * v["C" k], v["R" k], v["C" k] }' "$4" |
        sort -g
}

# slope_loglog: least-squares slope of log10 y against log10 x from lines "x y" on stdin.
slope_loglog() {
    awk '$1 > 0 && $2 > 0 { x = log($1) / log(10); y = log($2) / log(10); n++; sx += x; sy += y; sxx += x * x; sxy += x * y }
        END { d = n * sxx - sx * sx; if (n < 2 || d == 0) print "n/a"; else printf "%+.3f\n", (n * sxy - sx * sy) / d }'
}
