#!/bin/sh
# harness.sh [GENERATOR] — the test harness itself: the runner's suite list.
#
# GENERATOR (default `sh scripts/suites.sh`) turns tests/test_NAME.c files into
# X(suite_NAME) lines.  Each fixture below is a small test file; the truth is
# written by hand beside it:
#   - a suite is found however its definition is spaced or broken over lines
#     (one line, a space before the parenthesis, return type on its own line,
#     no spaces, a prototype before the definition, a commented-out copy);
#   - a file whose suite cannot be found, is misnamed, is static, or that
#     defines two, stops the generator with a non-zero status and a message
#     naming the file: a suite is never silently left out of `make check`.
set -u
gen=${1:-sh scripts/suites.sh}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM # the EXIT trap cleans up; without an exit the script would go on
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "harness: FAIL $*"; }

# found NAME BODY: the file test_NAME.c with BODY yields exactly X(suite_NAME)
found() {
    printf '%b' "$2" > "$dir/test_$1.c"
    if out=$($gen "$dir/test_$1.c" 2> "$dir/err"); then
        if [ "$out" = "X(suite_$1)" ]; then ok; else bad "$1: listed '$out', expected X(suite_$1)"; fi
    else
        bad "$1: generator failed: $(cat "$dir/err")"
    fi
}
# refused NAME BODY: the generator exits non-zero and its message names the file
refused() {
    printf '%b' "$2" > "$dir/test_$1.c"
    if $gen "$dir/test_$1.c" > "$dir/out" 2> "$dir/err"; then
        bad "$1: accepted, listed '$(cat "$dir/out")'"
    elif grep -q "test_$1\.c" "$dir/err"; then
        ok
    else
        bad "$1: the message does not name the file: $(cat "$dir/err")"
    fi
}

found oneline 'Suite *suite_oneline(void)\n{\n    return suite_create("x");\n}\n'
found spaced '#include <check.h>\nSuite *suite_spaced (void)\n{\n    return 0;\n}\n'
found split 'Suite *\nsuite_split(void)\n{\n    return 0;\n}\n'
found tight 'Suite*suite_tight( void ){ return 0; }\n'
found proto 'Suite *suite_proto(void);\n\nSuite *suite_proto(void)\n{\n    return 0;\n}\n'
found comment '/* Suite *suite_other(void) { */\n// Suite *suite_old(void) {\nSuite *suite_comment(void)\n{\n    return 0;\n}\n'
found helper 'static Suite *make(int n)\n{\n    return 0;\n}\nSuite *suite_helper(void)\n{\n    return make(1);\n}\n'
refused none 'static int f(void)\n{\n    return 0;\n}\n'
refused onlystring 'const char *s = "Suite *suite_onlystring(void) {";\n'
refused misnamed 'Suite *suite_other(void)\n{\n    return 0;\n}\n'
refused two 'Suite *suite_two(void)\n{\n    return 0;\n}\nSuite *suite_three(void)\n{\n    return 0;\n}\n'
refused static 'static Suite *suite_static(void)\n{\n    return 0;\n}\n'
refused prototype 'Suite *suite_prototype(void);\n'

# several files at once: one bad file fails the whole list
printf 'Suite *suite_a(void)\n{\n    return 0;\n}\n' > "$dir/test_a.c"
printf 'int x;\n' > "$dir/test_b.c"
if $gen "$dir/test_a.c" "$dir/test_b.c" > /dev/null 2>&1; then bad "one bad file among good ones passed"; else ok; fi
out=$($gen "$dir/test_a.c" "$dir/test_oneline.c" 2> /dev/null) || bad "two good files failed"
if [ "$out" = "$(printf 'X(suite_a)\nX(suite_oneline)')" ]; then ok; else bad "two good files listed '$out'"; fi

echo "harness: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
