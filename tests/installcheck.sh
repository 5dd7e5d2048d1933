#!/bin/sh
# installcheck.sh PREFIX — build every example against an installed libzstr with
# nothing but pkg-config, then run them as in `make check`.
set -eu
prefix=$1
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT INT TERM
echo "installcheck: pkg-config --cflags --libs libzstr = $(pkg-config --cflags --libs libzstr)"
for ex in minimal constriction; do
    ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror "examples/$ex.c" \
        $(pkg-config --cflags --libs libzstr) -lm -Wl,-rpath,"$prefix/lib" -o "$bin/$ex"
done
# the header alone compiles as C++ too
printf '#include <zstr.h>\nint main() { return zstr_version_number() > 0 ? 0 : 1; }\n' > "$bin/cxx.cc"
if command -v ${CXX:-c++} >/dev/null 2>&1; then
    ${CXX:-c++} -Wall -Wextra -Werror "$bin/cxx.cc" $(pkg-config --cflags --libs libzstr) \
        -Wl,-rpath,"$prefix/lib" -o "$bin/cxx" && "$bin/cxx"
    echo "installcheck: zstr.h compiles and links as C++"
fi
# a static link through Libs.private
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L examples/minimal.c -o "$bin/minimal-static" -lm \
    $(pkg-config --cflags --libs --static libzstr | sed 's/-lzstr/-l:libzstr.a/')
"$bin/minimal-static" > /dev/null
echo "installcheck: static link through Libs.private works"
# the installed program finds its library through its rpath and runs a model
"$prefix/bin/zstr" --version
"$prefix/bin/zstr" run tests/data/models/example.xml --quiet -o "$bin/ic.csv" \
    --set cell.voxels=6 --set grains.mean-size=40um --set frequencies.per-decade=1 > /dev/null
test -s "$bin/ic.csv"
test -s "$prefix/share/libzstr/zstr-1.xsd"
echo "installcheck: installed zstr runs a model; the schema is installed"
sh tests/examples.sh "$bin"
