#!/bin/sh
# suites.sh tests/test_NAME.c ... — the runner's suite list, as X(suite_NAME) lines.
#
# The rule it enforces: each tests/test_NAME.c defines exactly one suite, the
# function `Suite *suite_NAME(void)` with external linkage.  A file that breaks
# the rule stops the build with a message naming the file, so a suite can never
# be silently left out of `make check` (the list used to come from a sed on one
# exact line; `Suite *suite_x (void)` or a line break dropped the suite unseen).
#
# How a definition is found: comments and string literals are removed, the file
# is joined into one line, and every `Suite * IDENT ( [void] ) {` is a definition
# whatever the spacing or line breaks (a prototype ends in `;`, not `{`).
# Counted are functions named suite_* and every non-static function returning
# Suite * (a static helper with another name may return one).
set -eu
[ "$#" -gt 0 ] || { echo "suites.sh: no test files given" >&2; exit 2; }
status=0
for f in "$@"; do
    base=${f##*/}
    name=${base#test_}
    name=${name%.c}
    case "$base" in
    test_*.c) ;;
    *) echo "$f: not a tests/test_NAME.c file" >&2; status=1; continue ;;
    esac
    case "$name" in
    '' | [0-9]* | *[!A-Za-z0-9_]*)
        echo "$f: '$name' cannot name a suite (want test_NAME.c, NAME a C identifier)" >&2
        status=1; continue ;;
    esac
    [ -r "$f" ] || { echo "$f: cannot read" >&2; status=1; continue; }
    found=$(awk '
        { text = text $0 "\n" }
        END {
            # strings and character constants first (they may hold comment marks),
            # then block and line comments
            gsub(/\\./, "", text)
            gsub(/"[^"\n]*"/, "\"\"", text)
            gsub(/\047[^\047\n]*\047/, "0", text)
            out = ""
            while ((i = index(text, "/*")) > 0) {
                rest = substr(text, i + 2)
                j = index(rest, "*/")
                out = out substr(text, 1, i - 1) " "
                text = (j > 0) ? substr(rest, j + 2) : ""
            }
            text = out text
            gsub(/\/\/[^\n]*/, "", text)
            gsub(/[ \t\r\n\f\v]+/, " ", text)
            re = "(static )?Suite ?\\* ?[A-Za-z_][A-Za-z0-9_]* ?\\( ?(void)? ?\\) ?\\{"
            while (match(text, re)) {
                def = substr(text, RSTART, RLENGTH)
                text = substr(text, RSTART + RLENGTH)
                st = (def ~ /^static/) ? "static " : ""
                sub(/^(static )?Suite ?\* ?/, "", def)
                sub(/ ?\(.*/, "", def)
                if (def ~ /^suite_/ || st == "")
                    print st def
            }
        }' "$f")
    want="suite_$name"
    n=$(printf '%s' "$found" | grep -c . || true)
    if [ "$n" -eq 1 ] && [ "$found" = "$want" ]; then
        echo "X($want)"
    elif [ "$n" -eq 0 ]; then
        echo "$f: defines no suite; it must define 'Suite *$want(void)'" >&2
        status=1
    elif [ "$n" -gt 1 ]; then
        echo "$f: defines $n suites ($(printf '%s' "$found" | paste -sd, -)); one per file, 'Suite *$want(void)'" >&2
        status=1
    else
        case "$found" in
        "static $want") echo "$f: $want is static; the runner cannot call it" >&2 ;;
        *) echo "$f: defines $found; a suite in $base must be named $want" >&2 ;;
        esac
        status=1
    fi
done
exit "$status"
