# libzstr — one non-recursive GNU Makefile.  Honours CC, CFLAGS, LDFLAGS, PREFIX, DESTDIR.
#
#   make            shared + static library
#   make demo       install missing Debian packages, build, run the main job
#   make check      install missing Debian packages, build, run every test
#   make install PREFIX=/usr/local [DESTDIR=...]
#   make installcheck check-asan check-valgrind lint format bench clean

VERSION_MAJOR := 0
VERSION_MINOR := 2
VERSION_PATCH := 0
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DATADIR ?= $(PREFIX)/share

CC ?= cc
CFLAGS ?= -O2 -g
WERROR ?= -Werror
WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla $(WERROR)
BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN)
# -ffp-contract=off after the caller's CFLAGS: no fused multiply-add, so a seed
# gives the same grains and maps on every machine whatever a packager sets.
FP := -ffp-contract=off
SS_CFLAGS := -I/usr/include/suitesparse
SS_LIBS := -lumfpack -lcholmod -lamd -lsuitesparseconfig
LIBS := $(SS_LIBS) -lm -lpthread
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
# the zstr program's dependencies (never the library's)
CLI_PKGS := libxml-2.0 cairo libpng fontconfig
CLI_CFLAGS := $(shell pkg-config --cflags $(CLI_PKGS) 2>/dev/null)
CLI_LIBS := $(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null)

B := build
LIB_SRC := $(sort $(wildcard lib/*.c))
LIB_OBJ := $(patsubst lib/%.c,$(B)/lib/%.o,$(LIB_SRC))
# 0.x: every minor release may change the ABI, so the soname carries it
SONAME := libzstr.so.$(VERSION_MAJOR).$(VERSION_MINOR)
SHLIB := $(B)/libzstr.so.$(VERSION)
STLIB := $(B)/libzstr.a
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_OBJ := $(patsubst tests/%.c,$(B)/tests/%.o,$(TEST_SRC)) $(B)/tests/runner.o \
            $(B)/tests/zs_scratch.o
# the program: its modules (tested by the runner too) and its main
CLI_MOD := $(filter-out cli/zstr.c,$(sort $(wildcard cli/*.c)))
CLI_OBJ := $(patsubst cli/%.c,$(B)/cli/%.o,$(CLI_MOD)) $(B)/cli/schema_xsd.o
ZSTR_BIN := $(B)/zstr
EXAMPLES := minimal constriction
EXAMPLE_BIN := $(addprefix $(B)/examples/,$(EXAMPLES))
BENCH_BIN := $(B)/bench/zstr_bench

.PHONY: all lib demo check check-asan check-valgrind installcheck install uninstall \
        deps lint format bench examples clean
all: lib $(ZSTR_BIN)
lib: $(SHLIB) $(B)/libzstr.so $(STLIB) $(B)/libzstr.pc

deps:
	@sh scripts/install-deps.sh

$(B)/lib/%.o: lib/%.c include/zstr.h lib/zs_internal.h | $(B)/lib
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(FP) -fPIC -fvisibility=hidden -DZSTR_BUILDING_LIBRARY \
	    -Iinclude $(SS_CFLAGS) -c $< -o $@

$(SHLIB): $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined \
	    -o $@ $(LIB_OBJ) $(LIBS)
$(B)/libzstr.so: $(SHLIB)
	ln -sf libzstr.so.$(VERSION) $(B)/$(SONAME)
	ln -sf $(SONAME) $@
$(STLIB): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $(LIB_OBJ)

$(B)/libzstr.pc: pkgconfig/libzstr.pc.in Makefile | $(B)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@LIBS_PRIVATE@|$(LIBS)|g' -e 's|@CFLAGS_PRIVATE@||g' $< > $@

$(B) $(B)/lib $(B)/tests $(B)/examples $(B)/bench $(B)/cli:
	mkdir -p $@

# ---- the zstr program (public API only; links the shared library) ----
$(B)/cli/%.o: cli/%.c include/zstr.h $(wildcard cli/*.h) | $(B)/cli
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -Icli $(CLI_CFLAGS) -c $< -o $@
$(B)/cli/schema_xsd.c: schema/zstr-1.xsd scripts/embed.sh | $(B)/cli
	sh scripts/embed.sh $< zm_schema_xsd > $@.tmp && mv $@.tmp $@
$(B)/cli/schema_xsd.o: $(B)/cli/schema_xsd.c
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -c $< -o $@
$(ZSTR_BIN): $(B)/cli/zstr.o $(CLI_OBJ) $(B)/libzstr.so
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(B)/cli/zstr.o $(CLI_OBJ) -L$(B) \
	    -Wl,-rpath,'$$ORIGIN' -lzstr $(CLI_LIBS) -lm

# ---- tests: one runner, every tests/test_*.c suite found by its declaration ----
$(B)/tests/suites.h: $(TEST_SRC) | $(B)/tests
	sed -n 's/^Suite \*\(suite_[a-z0-9_]*\)(void)$$/X(\1)/p' $(TEST_SRC) > $@.tmp && mv $@.tmp $@
$(B)/tests/%.o: tests/%.c include/zstr.h lib/zs_internal.h tests/zs_test.h $(B)/tests/suites.h \
    $(wildcard cli/*.h)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(CHECK_CFLAGS) -Iinclude -Ilib -Icli $(CLI_CFLAGS) \
	    -I$(B)/tests -c $< -o $@
$(B)/tests/runner: $(TEST_OBJ) $(CLI_OBJ) $(STLIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJ) $(CLI_OBJ) $(STLIB) $(LIBS) $(CLI_LIBS) \
	    $(CHECK_LIBS)

# ---- examples: built against the build tree here, via pkg-config in installcheck ----
$(B)/examples/%: examples/%.c include/zstr.h $(B)/libzstr.so | $(B)/examples
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -o $@ $< -L$(B) -Wl,-rpath,$(CURDIR)/$(B) -lzstr -lm
examples: $(EXAMPLE_BIN)

$(BENCH_BIN): bench/zstr_bench.c $(STLIB) | $(B)/bench
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -Ilib $(SS_CFLAGS) -o $@ $< $(STLIB) $(LIBS)
bench: $(BENCH_BIN)
	$(BENCH_BIN)

check: deps
	$(MAKE) lib $(ZSTR_BIN) $(B)/tests/runner examples
	cd tests && OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} ../$(B)/tests/runner
	OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} sh tests/examples.sh $(B)/examples
	sh tests/cli.sh $(ZSTR_BIN)

# sweeps run one thread per core; OpenBLAS's own threads would compete with them
# The main job: the embedded default model (tau_Cstr < tau_CT, Voronoi grains,
# 22 % square spot, 24^3 voxels, 8 per decade from 1 mHz to 10 MHz).
demo: deps
	$(MAKE) lib $(ZSTR_BIN)
	mkdir -p $(B)/demo
	$(ZSTR_BIN) run -o $(B)/demo/spectrum.csv --plot $(B)/demo/spectrum.png

# Sanitizers and valgrind: separate build trees so flags never mix.
check-asan: deps
	$(MAKE) B=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" build-asan/tests/runner build-asan/zstr
	cd tests && ASAN_OPTIONS=detect_leaks=1 ../build-asan/tests/runner
	ASAN_OPTIONS=detect_leaks=1 sh tests/cli.sh build-asan/zstr
check-valgrind: deps
	$(MAKE) lib $(B)/tests/runner
	cd tests && CK_FORK=no ZSTR_TEST_QUICK=1 valgrind --error-exitcode=3 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect ../$(B)/tests/runner

install: lib $(ZSTR_BIN)
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/libzstr
	$(CC) $(CFLAGS) $(LDFLAGS) -o $(B)/zstr.install $(B)/cli/zstr.o $(CLI_OBJ) -L$(B) \
	    -Wl,-rpath,$(LIBDIR) -lzstr $(CLI_LIBS) -lm
	install -m 755 $(B)/zstr.install $(DESTDIR)$(BINDIR)/zstr
	install -m 644 schema/zstr-1.xsd $(DESTDIR)$(DATADIR)/libzstr/zstr-1.xsd
	install -m 644 include/zstr.h $(DESTDIR)$(INCLUDEDIR)/zstr.h
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libzstr.so.$(VERSION)
	ln -sf libzstr.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libzstr.so
	install -m 644 $(STLIB) $(DESTDIR)$(LIBDIR)/libzstr.a
	install -m 644 $(B)/libzstr.pc $(DESTDIR)$(PKGCONFIGDIR)/libzstr.pc
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/zstr $(DESTDIR)$(DATADIR)/libzstr/zstr-1.xsd
	rm -f $(DESTDIR)$(INCLUDEDIR)/zstr.h $(DESTDIR)$(LIBDIR)/libzstr.so* \
	    $(DESTDIR)$(LIBDIR)/libzstr.a $(DESTDIR)$(PKGCONFIGDIR)/libzstr.pc

# Install into a scratch prefix, build every example there with pkg-config only, run them.
INSTALLCHECK_PREFIX ?= $(CURDIR)/$(B)/installcheck
installcheck:
	rm -rf $(INSTALLCHECK_PREFIX)
	$(MAKE) B=$(B)/ic PREFIX=$(INSTALLCHECK_PREFIX) install
	sh tests/installcheck.sh $(INSTALLCHECK_PREFIX)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	    --inline-suppr -Iinclude -Ilib -Icli lib cli tests examples bench
format:
	clang-format -i include/*.h lib/*.c lib/*.h cli/*.c cli/*.h tests/*.c tests/*.h examples/*.c \
	    bench/*.c

clean:
	rm -rf build build-asan
