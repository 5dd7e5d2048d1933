#!/bin/sh
# installcheck.sh — what a user types, from a clean copy of this source tree:
#
#   make                                  (no PREFIX: the default /usr/local)
#   make install PREFIX=$tmp/prefix      (a different prefix afterwards)
#   cc prog.c $(pkg-config --cflags --libs libzstr)
#   LD_LIBRARY_PATH=$tmp/prefix/lib ./prog
#
# and then checks, each against a truth stated beside it:
#   - the installed libzstr.pc names the install prefix, not the build's default;
#   - touching lib/zs_plan.h rebuilds exactly the objects whose sources include
#     it (found here by grep, independently of the compiler's .d files);
#   - the examples build with pkg-config alone (plus -lm for their own hypot)
#     and pass their golden tests (tests/examples.sh) against the installed
#     library; the header compiles and links as C++;
#   - `pkg-config --static --libs` is complete: a link taking libzstr and every
#     dependency that has a static archive from that archive succeeds, runs, and
#     needs none of libzstr's or SuiteSparse's shared libraries (Debian 12 has no
#     libmetis.a, so METIS, libm and libc stay shared);
#   - the installed zstr finds its library by its rpath and runs a model;
#   - a DESTDIR install stages every file under DESTDIR, and its .pc names the
#     final prefix.
# Run from the top of the source tree (`make installcheck` does).
set -eu
src=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM # the EXIT trap cleans up; without an exit the script would go on
say() { echo "installcheck: $*"; }
die() { echo "installcheck: FAIL $*" >&2; exit 1; }
# run a logged step; show its log when it fails
step() { # log, command...
    log=$1
    shift
    "$@" > "$tmp/$log" 2>&1 || { sed 's/^/    /' "$tmp/$log" >&2; die "$* (log above)"; }
}

# ---- a clean copy, and a shell with nothing of the calling make in it ----
mkdir "$tmp/src"
(cd "$src" && tar -cf - --exclude=./build --exclude='./build-*' --exclude=./.git .) |
    (cd "$tmp/src" && tar -xf -)
cd "$tmp/src"
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES B PREFIX LIBDIR INCLUDEDIR BINDIR \
    PKGCONFIGDIR DATADIR DESTDIR LD_LIBRARY_PATH PKG_CONFIG_PATH
make=${MAKE:-make}
prefix="$tmp/prefix"

step make.log $make
say "make: built in a clean copy"

# ---- generated header dependencies ----
# truth: the sources that include zs_plan.h, directly or through a header that does
incl=zs_plan.h
for h in lib/*.h; do grep -q '#include "zs_plan.h"' "$h" && incl="$incl ${h#lib/}"; done
want=""
for c in lib/*.c; do
    for h in $incl; do
        if grep -q "#include \"$h\"" "$c"; then want="$want ${c#lib/}"; break; fi
    done
done
[ -n "$want" ] || die "no source includes zs_plan.h: the check below would prove nothing"
sleep 1 # a coarse-timestamp file system must see the header as newer
touch lib/zs_plan.h
step remake.log $make
got=$(sed -n 's|.* -c lib/\([a-z0-9_]*\.c\) .*|\1|p' "$tmp/remake.log" | sort | tr '\n' ' ')
want=$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ')
[ "$got" = "$want" ] || die "touching lib/zs_plan.h rebuilt '$got', expected '$want'"
say "touching lib/zs_plan.h rebuilds exactly $want"

# ---- install after a plain make, into another prefix ----
step install.log $make install PREFIX="$prefix"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
got=$(pkg-config --variable=prefix libzstr) || die "pkg-config does not find the installed libzstr.pc"
[ "$got" = "$prefix" ] || die "the installed libzstr.pc says prefix=$got, installed in $prefix"
say "make; make install PREFIX=...: libzstr.pc says prefix=$prefix"

# ---- the examples, as a user builds and runs them ----
cc=${CC:-cc}
bin="$tmp/bin"
mkdir "$bin"
for ex in minimal constriction; do
    # shellcheck disable=SC2046
    step "cc-$ex.log" $cc -Wall -Wextra -Werror "examples/$ex.c" \
        $(pkg-config --cflags --libs libzstr) -lm -o "$bin/$ex"
done
say "examples build with: $cc prog.c $(pkg-config --cflags --libs libzstr)"
export LD_LIBRARY_PATH="$prefix/lib"
ldd "$bin/minimal" | grep -q "libzstr\.so[.0-9]* => $prefix/lib/" ||
    die "minimal does not run with the installed libzstr: $(ldd "$bin/minimal" | grep zstr)"
sh tests/examples.sh "$bin"

# the header alone compiles and links as C++
printf '#include <zstr.h>\nint main() { return zstr_version_number() > 0 ? 0 : 1; }\n' > "$bin/cxx.cc"
if command -v "${CXX:-c++}" > /dev/null 2>&1; then
    # shellcheck disable=SC2046
    step cxx.log "${CXX:-c++}" -Wall -Wextra -Werror "$bin/cxx.cc" \
        $(pkg-config --cflags --libs libzstr) -o "$bin/cxx"
    "$bin/cxx" || die "the C++ program failed"
    say "zstr.h compiles and links as C++"
else
    say "no C++ compiler: C++ check skipped"
fi

# ---- libzstr-mpi (when PETSc is installed): the same API, the iterative backend ----
# truth: a program built with pkg-config libzstr-mpi alone runs against the
# installed libzstr-mpi and has the iterative backend; the serial libzstr has not
if [ -e "$prefix/lib/pkgconfig/libzstr-mpi.pc" ]; then
    printf '%s\n' '#include <zstr.h>' \
        'int main(void) { return zstr_backend_available(ZSTR_BACKEND_ITERATIVE) ? 0 : 1; }' \
        > "$bin/iter.c"
    # shellcheck disable=SC2046
    step cc-iter.log $cc -Wall -Wextra -Werror "$bin/iter.c" \
        $(pkg-config --cflags --libs libzstr-mpi) -o "$bin/iter"
    "$bin/iter" || die "the program linked with libzstr-mpi has no iterative backend"
    # shellcheck disable=SC2046
    step cc-serial.log $cc -Wall -Wextra -Werror "$bin/iter.c" \
        $(pkg-config --cflags --libs libzstr) -o "$bin/serial"
    "$bin/serial" && die "the serial libzstr claims an iterative backend"
    ldd "$bin/serial" | grep -q -i -E 'petsc|libmpi' && die "the serial libzstr links MPI"
    say "libzstr-mpi: pkg-config links the iterative backend; the serial libzstr has none, no MPI"
    # truth: examples/distributed.c checks its own spectrum against R/(1+jwRC)
    # (exit status); built with pkg-config alone, run on 2 processes
    # shellcheck disable=SC2046
    step cc-distributed.log $cc -Wall -Wextra -Werror examples/distributed.c \
        $(pkg-config --cflags --libs libzstr-mpi) -lm -o "$bin/distributed"
    step run-distributed.log env LD_LIBRARY_PATH="$prefix/lib" OPENBLAS_NUM_THREADS=1 \
        mpirun --allow-run-as-root --oversubscribe -np 2 "$bin/distributed"
    say "libzstr-mpi: zstr_mpi.h builds with pkg-config alone; examples/distributed runs on 2 processes"
else
    say "no PETSc: libzstr-mpi not built, its checks skipped"
fi

# ---- a static link through Libs.private ----
# every -lNAME with a static archive is taken from it (-l:libNAME.a); the C
# library's own parts stay shared, as static libm with a shared libc is unsound
flags=""
archives=""
shared=""
for w in $(pkg-config --static --libs libzstr); do
    case "$w" in
    -lm | -lpthread | -lrt | -ldl | -lc) flags="$flags $w"; shared="$shared ${w#-l}" ;;
    -lzstr) flags="$flags -l:libzstr.a"; archives="$archives zstr" ;;
    -l*)
        a=lib${w#-l}.a
        if [ "$($cc -print-file-name="$a")" != "$a" ]; then
            flags="$flags -l:$a"; archives="$archives ${w#-l}"
        else
            flags="$flags $w"; shared="$shared ${w#-l}"
        fi ;;
    *) flags="$flags $w" ;;
    esac
done
# shellcheck disable=SC2086
step static.log $cc "examples/minimal.c" $(pkg-config --cflags libzstr) -o "$bin/minimal-static" \
    $flags -lm
if ldd "$bin/minimal-static" | grep -E 'lib(zstr|umfpack|cholmod|amd|camd|colamd|ccolamd|suitesparseconfig)\.so'; then
    die "the static link still needs the shared libraries above"
fi
env -u LD_LIBRARY_PATH "$bin/minimal-static" > /dev/null || die "the statically linked minimal failed"
say "static link through Libs.private: archives of$archives; shared:$shared"

# ---- the installed program: its rpath finds the library ----
got=$(env -u LD_LIBRARY_PATH "$prefix/bin/zstr" --version) || die "the installed zstr does not run"
say "$got"
env -u LD_LIBRARY_PATH "$prefix/bin/zstr" run tests/data/models/example.xml --quiet \
    -o "$bin/ic.csv" --set cell.voxels=6 --set grains.mean-size=40um \
    --set frequencies.per-decade=1 > /dev/null || die "the installed zstr failed to run a model"
test -s "$bin/ic.csv" || die "the installed zstr wrote no spectrum"
test -s "$prefix/share/libzstr/zstr-1.xsd" || die "the schema is not installed"
say "installed zstr runs a model; the schema is installed"

# ---- staged install (packagers): everything under DESTDIR, the .pc names the prefix ----
final=/opt/libzstr-installcheck
existed=no
[ ! -e "$final" ] || existed=yes
step destdir.log $make install PREFIX="$final" DESTDIR="$tmp/stage"
[ "$(ls "$tmp/stage")" = "opt" ] || die "DESTDIR install wrote outside $final: $(ls "$tmp/stage")"
# the same files as the direct install above, the soname links included
direct=$(cd "$prefix" && find . | sort)
staged=$(cd "$tmp/stage$final" && find . | sort)
[ "$direct" = "$staged" ] || die "DESTDIR install differs from the direct one:
$(printf '%s\n' "$direct" > "$tmp/d"; printf '%s\n' "$staged" | diff "$tmp/d" -)"
grep -qx "prefix=$final" "$tmp/stage$final/lib/pkgconfig/libzstr.pc" ||
    die "the staged libzstr.pc does not say prefix=$final"
[ "$existed" = yes ] || [ ! -e "$final" ] || die "DESTDIR install touched $final itself"
say "DESTDIR staging: every file under DESTDIR, libzstr.pc says prefix=$final"
say "all passed"
