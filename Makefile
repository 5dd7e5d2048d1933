# libzstr — one non-recursive GNU Makefile.  Honours CC, CFLAGS, LDFLAGS, PREFIX, DESTDIR.
#
#   make            shared + static library
#   make demo       install missing Debian packages, build, run the main job
#   make check      install missing Debian packages, build, run every test
#   make install PREFIX=/usr/local [DESTDIR=...]
#   make installcheck check-asan check-valgrind lint format bench clean

VERSION_MAJOR := 0
VERSION_MINOR := 1
VERSION_PATCH := 0
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

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

B := build
LIB_SRC := $(sort $(wildcard lib/*.c))
LIB_OBJ := $(patsubst lib/%.c,$(B)/lib/%.o,$(LIB_SRC))
SONAME := libzstr.so.$(VERSION_MAJOR)
SHLIB := $(B)/libzstr.so.$(VERSION)
STLIB := $(B)/libzstr.a
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_OBJ := $(patsubst tests/%.c,$(B)/tests/%.o,$(TEST_SRC)) $(B)/tests/runner.o
EXAMPLES := minimal constriction
EXAMPLE_BIN := $(addprefix $(B)/examples/,$(EXAMPLES))
BENCH_BIN := $(B)/bench/zstr_bench

.PHONY: all lib demo check check-asan check-valgrind installcheck install uninstall \
        deps lint format bench examples clean
all: lib
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

$(B) $(B)/lib $(B)/tests $(B)/examples $(B)/bench:
	mkdir -p $@

# ---- tests: one runner, every tests/test_*.c suite found by its declaration ----
$(B)/tests/suites.h: $(TEST_SRC) | $(B)/tests
	sed -n 's/^Suite \*\(suite_[a-z0-9_]*\)(void)$$/X(\1)/p' $(TEST_SRC) > $@.tmp && mv $@.tmp $@
$(B)/tests/%.o: tests/%.c include/zstr.h lib/zs_internal.h tests/zs_test.h $(B)/tests/suites.h
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(CHECK_CFLAGS) -Iinclude -Ilib -I$(B)/tests -c $< -o $@
$(B)/tests/runner: $(TEST_OBJ) $(STLIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJ) $(STLIB) $(LIBS) $(CHECK_LIBS)

# ---- examples: built against the build tree here, via pkg-config in installcheck ----
$(B)/examples/%: examples/%.c include/zstr.h $(B)/libzstr.so | $(B)/examples
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -o $@ $< -L$(B) -Wl,-rpath,$(CURDIR)/$(B) -lzstr -lm
examples: $(EXAMPLE_BIN)

$(BENCH_BIN): bench/zstr_bench.c $(STLIB) | $(B)/bench
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -Ilib $(SS_CFLAGS) -o $@ $< $(STLIB) $(LIBS)
bench: $(BENCH_BIN)
	$(BENCH_BIN)

check: deps
	$(MAKE) lib $(B)/tests/runner examples
	cd tests && ../$(B)/tests/runner
	sh tests/examples.sh $(B)/examples

demo: deps
	$(MAKE) lib $(B)/examples/constriction
	$(B)/examples/constriction --demo -o $(B)/demo

# Sanitizers and valgrind: separate build trees so flags never mix.
check-asan: deps
	$(MAKE) B=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" build-asan/tests/runner
	cd tests && ASAN_OPTIONS=detect_leaks=1 ../build-asan/tests/runner
check-valgrind: deps
	$(MAKE) lib $(B)/tests/runner
	cd tests && CK_FORK=no ZSTR_TEST_QUICK=1 valgrind --error-exitcode=3 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect ../$(B)/tests/runner

install: lib
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 include/zstr.h $(DESTDIR)$(INCLUDEDIR)/zstr.h
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libzstr.so.$(VERSION)
	ln -sf libzstr.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libzstr.so
	install -m 644 $(STLIB) $(DESTDIR)$(LIBDIR)/libzstr.a
	install -m 644 $(B)/libzstr.pc $(DESTDIR)$(PKGCONFIGDIR)/libzstr.pc
uninstall:
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
	    --inline-suppr -Iinclude -Ilib lib tests examples bench
format:
	clang-format -i include/*.h lib/*.c lib/*.h tests/*.c tests/*.h examples/*.c bench/*.c

clean:
	rm -rf build build-asan
