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
# imaged volumes (lib/vol_tiff.c, lib/vol_hdf5.c): libtiff and the serial libhdf5.
# Library dependencies, not the program's: zstr_volume_read() is public API.
# Debian's serial HDF5 has its headers and library in their own directories; it is
# named hdf5-serial, since plain hdf5.pc points to the MPI build once PETSc is installed.
VOL_CFLAGS := $(shell pkg-config --cflags libtiff-4 hdf5-serial 2>/dev/null)
VOL_LIBS := $(shell pkg-config --libs libtiff-4 hdf5-serial 2>/dev/null)
# LAPACK: the reduced-order model's small dense eigenproblems (mor.c)
# analysis (lib/an_*.c): GSL's non-linear least squares (fits); LAPACK (DRT, Lin-KK)
AN_LIBS := -lgsl -lgslcblas
LIBS := $(SS_LIBS) $(VOL_LIBS) $(AN_LIBS) -llapack -lblas -lm -lpthread
# What a link against the static libzstr.a needs (the .pc's Libs.private).  The shared
# SuiteSparse libraries bring their own dependencies; their static archives (Debian 12,
# SuiteSparse 5.12) do not, so the list names them all, each after its users (trial links
# and `nm -u` on libumfpack.a and libcholmod.a): umfpack -> cholmod, amd, BLAS;
# cholmod -> ccolamd, camd, colamd, amd, METIS, LAPACK, BLAS, OpenMP (gomp);
# every one -> suitesparseconfig (clock_gettime: rt).  Debian ships METIS as a shared
# library only (libmetis-dev has no libmetis.a), so a fully -static link is impossible
# there and -lmetis stays dynamic.  -llapack -lblas are the system's alternatives; the
# default OpenBLAS archive needs no libgfortran for what CHOLMOD calls (the reference
# Netlib archives would: add -lgfortran when those are selected).
STATIC_LIBS := -lumfpack -lcholmod -lccolamd -lcamd -lcolamd -lamd -lmetis \
               -lsuitesparseconfig $(AN_LIBS) -llapack -lblas -lgomp -lm -lpthread -lrt \
               $(shell pkg-config --libs --static libtiff-4 hdf5-serial 2>/dev/null)
# PETSc: the iterative backend (CG + algebraic multigrid) of libzstr-mpi, a second
# library made of the same objects as libzstr but lib/backend_none.c, whose place
# lib/petsc/backend_petsc.c takes; the serial libzstr never links MPI.  Debian's
# libpetsc-real-dev (PETSc 3.18, Open MPI, 32-bit PetscInt); its PETSc.pc names no
# MPI include directory, so mpi-c (the system's default MPI) is asked too.  Only
# the -I flags are taken, as -isystem (PETSc's headers are not -Wpedantic clean,
# and its -D_FORTIFY_SOURCE would warn at -O0).  Without PETSc, libzstr-mpi is not
# built and everything else links the serial library.
PETSC_PKGS := PETSc mpi-c
HAVE_PETSC := $(shell pkg-config --exists $(PETSC_PKGS) 2>/dev/null && echo yes)
PETSC_CFLAGS := $(if $(HAVE_PETSC),$(patsubst -I%,-isystem %,$(filter -I%,\
                    $(shell pkg-config --cflags $(PETSC_PKGS)))))
PETSC_LIBS := $(if $(HAVE_PETSC),$(shell pkg-config --libs $(PETSC_PKGS)))
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
# the zstr program's dependencies (never the library's)
CLI_PKGS := libxml-2.0 cairo libpng fontconfig jansson
# with PETSc, the program has `run --backend petsc` (cli/distributed.c calls MPI)
CLI_CFLAGS := $(shell pkg-config --cflags $(CLI_PKGS) 2>/dev/null) \
              $(if $(HAVE_PETSC),-DZSTR_CLI_MPI $(PETSC_CFLAGS))
CLI_LIBS := $(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null) $(if $(HAVE_PETSC),$(PETSC_LIBS))

B := build
LIB_SRC := $(sort $(wildcard lib/*.c))
LIB_OBJ := $(patsubst lib/%.c,$(B)/lib/%.o,$(LIB_SRC))
# 0.x: every minor release may change the ABI, so the soname carries it
SONAME := libzstr.so.$(VERSION_MAJOR).$(VERSION_MINOR)
SHLIB := $(B)/libzstr.so.$(VERSION)
STLIB := $(B)/libzstr.a
# libzstr-mpi: the same objects, the PETSc backend in backend_none.o's place
MPI_OBJ := $(filter-out $(B)/lib/backend_none.o,$(LIB_OBJ)) $(B)/lib/petsc/backend_petsc.o \
    $(B)/lib/petsc/dist.o $(B)/lib/petsc/dist_model.o
MPI_SONAME := libzstr-mpi.so.$(VERSION_MAJOR).$(VERSION_MINOR)
MPI_SHLIB := $(B)/libzstr-mpi.so.$(VERSION)
MPI_STLIB := $(B)/libzstr-mpi.a
MPI_TARGETS := $(if $(HAVE_PETSC),$(MPI_SHLIB) $(B)/libzstr-mpi.so $(MPI_STLIB) $(B)/libzstr-mpi.pc)
# what the program and the test runner link: libzstr-mpi when PETSc is there
ZSTR_LIBNAME := $(if $(HAVE_PETSC),zstr-mpi,zstr)
RUNNER_LIBS := $(if $(HAVE_PETSC),$(MPI_STLIB) $(LIBS) $(PETSC_LIBS),$(STLIB) $(LIBS))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_OBJ := $(patsubst tests/%.c,$(B)/tests/%.o,$(TEST_SRC)) $(B)/tests/runner.o \
            $(B)/tests/zs_scratch.o $(B)/tests/zs_volfiles.o
# the program: its modules (tested by the runner too) and its main
CLI_MOD := $(filter-out cli/zstr.c,$(sort $(wildcard cli/*.c)))
CLI_OBJ := $(patsubst cli/%.c,$(B)/cli/%.o,$(CLI_MOD)) $(B)/cli/schema_xsd.o
ZSTR_BIN := $(B)/zstr
EXAMPLES := minimal constriction
EXAMPLE_BIN := $(addprefix $(B)/examples/,$(EXAMPLES))
BENCH_BIN := $(B)/bench/zstr_bench
MOR_BENCH_BIN := $(B)/bench/mor_bench
ITER_BENCH_BIN := $(B)/bench/iter_bench
MPI_BENCH_BIN := $(B)/bench/mpi_bench
MPI_TEST_BIN := $(B)/tests/mpi_sweep
MPI_EXAMPLE_BIN := $(B)/examples/distributed
RESTAMP_BENCH_BIN := $(B)/bench/restamp_bench
SYNTH_BIN := $(B)/bench/synth_volume
PLANMEM_BIN := $(B)/bench/plan_memory

.PHONY: all lib demo check check-asan check-valgrind check-mpi installcheck install uninstall \
        deps lint format bench examples fuzz clean FORCE
all: lib $(ZSTR_BIN)
lib: $(SHLIB) $(B)/libzstr.so $(STLIB) $(B)/libzstr.pc $(MPI_TARGETS)

deps:
	@sh scripts/install-deps.sh

# Header dependencies are generated by the compiler (-MMD: one .d beside each object or
# program, listing the headers it really read; -MP: a phony rule per header, so deleting
# a header does not break the build).  No hand-written header lists to forget.
# An object whose .d is missing (a tree built before this rule) is remade once: each .d is
# a prerequisite and an explicit target with an empty recipe (explicit, so make never
# treats a missing one as an intermediate file it may skip).
DEPFLAGS = -MMD -MP
DEP_FILES := $(patsubst %.o,%.d,$(LIB_OBJ) $(TEST_OBJ) $(B)/cli/zstr.o $(B)/lib/petsc/backend_petsc.o $(B)/lib/petsc/dist.o $(B)/lib/petsc/dist_model.o \
                 $(filter-out $(B)/cli/schema_xsd.o,$(CLI_OBJ))) \
             $(B)/tests/zstr-version.d $(B)/tests/serial_build.d $(addsuffix .d,$(EXAMPLE_BIN) $(MPI_TEST_BIN) $(MPI_EXAMPLE_BIN) $(BENCH_BIN) $(MOR_BENCH_BIN) $(ITER_BENCH_BIN) $(MPI_BENCH_BIN) \
                 $(RESTAMP_BENCH_BIN) $(SYNTH_BIN) $(PLANMEM_BIN))
$(DEP_FILES):
-include $(wildcard $(DEP_FILES))

$(B)/lib/%.o: lib/%.c $(B)/lib/%.d | $(B)/lib
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(FP) -fPIC -fvisibility=hidden \
	    -DZSTR_BUILDING_LIBRARY -Iinclude $(SS_CFLAGS) $(VOL_CFLAGS) -c $< -o $@

$(SHLIB): $(LIB_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined \
	    -o $@ $(LIB_OBJ) $(LIBS)
$(B)/libzstr.so: $(SHLIB)
	ln -sf libzstr.so.$(VERSION) $(B)/$(SONAME)
	ln -sf $(SONAME) $@
$(STLIB): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $(LIB_OBJ)

$(B)/lib/petsc/%.o: lib/petsc/%.c $(B)/lib/petsc/%.d | $(B)/lib/petsc
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(FP) -fPIC -fvisibility=hidden \
	    -DZSTR_BUILDING_LIBRARY -Iinclude -Ilib $(PETSC_CFLAGS) -c $< -o $@
$(MPI_SHLIB): $(MPI_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(MPI_SONAME) -Wl,--no-undefined \
	    -o $@ $(MPI_OBJ) $(LIBS) $(PETSC_LIBS)
$(B)/libzstr-mpi.so: $(MPI_SHLIB)
	ln -sf libzstr-mpi.so.$(VERSION) $(B)/$(MPI_SONAME)
	ln -sf $(MPI_SONAME) $@
$(MPI_STLIB): $(MPI_OBJ)
	rm -f $@ && ar rcs $@ $(MPI_OBJ)

# The .pc holds the install paths, which are known only when `make install PREFIX=...`
# runs, possibly long after a plain `make`.  So it depends on a stamp holding the values
# it is made from: the stamp's recipe runs every time but rewrites the file only when a
# value differs, and make then remakes the .pc exactly when PREFIX (LIBDIR, ...) changed.
# DESTDIR is not in it: staging must not change what the installed file says.
PC_VALUES := $(PREFIX)|$(LIBDIR)|$(INCLUDEDIR)|$(VERSION)|$(STATIC_LIBS)|$(PETSC_LIBS)
$(B)/pc.values: FORCE | $(B)
	@printf '%s\n' '$(PC_VALUES)' | cmp -s - $@ || printf '%s\n' '$(PC_VALUES)' > $@
$(B)/libzstr.pc: pkgconfig/libzstr.pc.in $(B)/pc.values
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@LIBS_PRIVATE@|$(STATIC_LIBS)|g' $< > $@.tmp && mv $@.tmp $@
# PETSc in Libs.private, not Requires.private: a Requires.private would put PETSc's
# cflags into every user's --cflags, and zstr.h includes nothing of PETSc's
$(B)/libzstr-mpi.pc: pkgconfig/libzstr-mpi.pc.in $(B)/pc.values
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@LIBS_PRIVATE@|$(STATIC_LIBS) $(PETSC_LIBS)|g' $< > $@.tmp && mv $@.tmp $@
FORCE:

$(B) $(B)/lib $(B)/lib/petsc $(B)/tests $(B)/examples $(B)/bench $(B)/cli:
	mkdir -p $@

# ---- the zstr program (public API only; links the shared library) ----
# the program's own version (zstr --version prints it beside the library's)
$(B)/cli/zstr.o: CLI_DEFS = -DZSTR_PROGRAM_VERSION='"$(VERSION)"'
$(B)/cli/%.o: cli/%.c $(B)/cli/%.d | $(B)/cli
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(CLI_DEFS) -Iinclude -Icli $(CLI_CFLAGS) \
	    -c $< -o $@
$(B)/cli/schema_xsd.c: schema/zstr-1.xsd scripts/embed.sh | $(B)/cli
	sh scripts/embed.sh $< zm_schema_xsd > $@.tmp && mv $@.tmp $@
$(B)/cli/schema_xsd.o: $(B)/cli/schema_xsd.c
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -c $< -o $@
# the program links libzstr-mpi when it is built (--backend iterative), else libzstr
$(ZSTR_BIN): $(B)/cli/zstr.o $(CLI_OBJ) $(B)/lib$(ZSTR_LIBNAME).so
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(B)/cli/zstr.o $(CLI_OBJ) -L$(B) \
	    -Wl,-rpath,'$$ORIGIN' -l$(ZSTR_LIBNAME) $(CLI_LIBS) -lm
# the same program with a program version unlike the library's, for tests/cli.sh:
# --version must print both, not one of them twice
$(B)/tests/zstr-version.o: cli/zstr.c $(B)/tests/zstr-version.d | $(B)/tests
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -DZSTR_PROGRAM_VERSION='"0.0.0-cli.sh"' \
	    -Iinclude -Icli $(CLI_CFLAGS) -c $< -o $@
$(B)/tests/zstr-version: $(B)/tests/zstr-version.o $(CLI_OBJ) $(B)/lib$(ZSTR_LIBNAME).so
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CLI_OBJ) -L$(B) -Wl,-rpath,'$$ORIGIN/..' -l$(ZSTR_LIBNAME) \
	    $(CLI_LIBS) -lm

# ---- tests: one runner; each tests/test_NAME.c defines exactly one suite_NAME ----
# scripts/suites.sh finds the definitions however they are spaced or broken over lines
# and stops the build, naming the file, when a file's suite is missing or misnamed.
$(B)/tests/suites.h: $(TEST_SRC) scripts/suites.sh | $(B)/tests
	sh scripts/suites.sh $(TEST_SRC) > $@.tmp && mv $@.tmp $@
$(B)/tests/%.o: tests/%.c $(B)/tests/%.d | $(B)/tests/suites.h
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) $(CHECK_CFLAGS) -Iinclude -Ilib -Icli \
	    $(CLI_CFLAGS) $(VOL_CFLAGS) -I$(B)/tests -c $< -o $@
# the runner links libzstr-mpi when it is built, so the backend conformance suite
# and the iterative reduced-order tests run against PETSc too
$(B)/tests/runner: $(TEST_OBJ) $(CLI_OBJ) $(if $(HAVE_PETSC),$(MPI_STLIB),$(STLIB))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJ) $(CLI_OBJ) $(RUNNER_LIBS) $(CLI_LIBS) \
	    $(CHECK_LIBS)
# the serial library's side of the choice (the runner may hold the PETSc one):
# asking it for the iterative backend is refused, naming libzstr-mpi
$(B)/tests/serial_build: tests/serial_build.c $(B)/tests/serial_build.d $(STLIB) | $(B)/tests
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -o $@ $< $(STLIB) $(LIBS)

# the distributed sweep's test: a program of its own, run under mpirun with 1, 2
# and 3 processes (tests/mpi_sweep.c says why it is not a Check suite)
$(MPI_TEST_BIN): tests/mpi_sweep.c $(MPI_TEST_BIN).d $(MPI_STLIB) | $(B)/tests
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude $(PETSC_CFLAGS) -o $@ $< $(RUNNER_LIBS)
# the distributed example, against the build tree's libzstr-mpi
$(MPI_EXAMPLE_BIN): examples/distributed.c $(MPI_EXAMPLE_BIN).d $(B)/libzstr-mpi.so | $(B)/examples
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude $(PETSC_CFLAGS) -o $@ $< -L$(B) \
	    -Wl,-rpath,$(CURDIR)/$(B) -lzstr-mpi $(PETSC_LIBS) -lm
# Open MPI as CI runs it: as root (refused unless both variables are set), and
# more processes than this machine's 2 cores (--oversubscribe)
MPIRUN := mpirun --allow-run-as-root --oversubscribe

# ---- examples: built against the build tree here, via pkg-config in installcheck ----
$(B)/examples/%: examples/%.c $(B)/examples/%.d $(B)/libzstr.so | $(B)/examples
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -o $@ $< -L$(B) \
	    -Wl,-rpath,$(CURDIR)/$(B) -lzstr -lm
examples: $(EXAMPLE_BIN)

$(BENCH_BIN): bench/zstr_bench.c $(BENCH_BIN).d $(STLIB) | $(B)/bench
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -Ilib $(SS_CFLAGS) -o $@ $< $(STLIB) \
	    $(LIBS)
$(MOR_BENCH_BIN): bench/mor_bench.c $(MOR_BENCH_BIN).d $(STLIB) | $(B)/bench
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -o $@ $< $(STLIB) $(LIBS)
# CHOLMOD against the iterative backend: libzstr-mpi when it is built
$(ITER_BENCH_BIN): bench/iter_bench.c $(ITER_BENCH_BIN).d $(if $(HAVE_PETSC),$(MPI_STLIB),$(STLIB)) | $(B)/bench
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -o $@ $< $(RUNNER_LIBS)
# the distributed sweep under mpirun (libzstr-mpi only)
$(MPI_BENCH_BIN): bench/mpi_bench.c $(MPI_BENCH_BIN).d $(MPI_STLIB) | $(B)/bench
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude $(PETSC_CFLAGS) -o $@ $< $(RUNNER_LIBS)
$(RESTAMP_BENCH_BIN): bench/restamp_bench.c $(RESTAMP_BENCH_BIN).d $(STLIB) | $(B)/bench
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -o $@ $< $(STLIB) $(LIBS)
$(SYNTH_BIN): bench/synth_volume.c $(SYNTH_BIN).d $(STLIB) | $(B)/bench
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -o $@ $< $(STLIB) $(LIBS)
# a plan's memory, either backend: libzstr-mpi when it is built
$(PLANMEM_BIN): bench/plan_memory.c $(PLANMEM_BIN).d $(if $(HAVE_PETSC),$(MPI_STLIB),$(STLIB)) | $(B)/bench
	$(CC) $(DEPFLAGS) $(BASE_CFLAGS) $(CFLAGS) -Iinclude -o $@ $< $(RUNNER_LIBS)
bench: $(BENCH_BIN) $(MOR_BENCH_BIN) $(ITER_BENCH_BIN) $(if $(HAVE_PETSC),$(MPI_BENCH_BIN)) $(RESTAMP_BENCH_BIN) $(SYNTH_BIN) $(PLANMEM_BIN)
	$(BENCH_BIN)

check: deps
	$(MAKE) lib $(ZSTR_BIN) $(B)/tests/runner examples $(B)/tests/zstr-version \
	    $(B)/tests/serial_build
	sh tests/harness.sh
	$(B)/tests/serial_build
	cd tests && OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} ../$(B)/tests/runner
	OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} sh tests/examples.sh $(B)/examples
	sh tests/cli.sh $(ZSTR_BIN) $(B)/tests/zstr-version
	sh tests/cli_analysis.sh $(ZSTR_BIN)
	sh tests/cli_mor.sh $(ZSTR_BIN)
	sh tests/cli_iter.sh $(ZSTR_BIN)
	OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} sh tests/cli_volume.sh $(ZSTR_BIN)
	$(if $(HAVE_PETSC),$(MAKE) check-mpi)

# the distributed tests alone (part of check when PETSc is built)
check-mpi: $(if $(HAVE_PETSC),$(MPI_TEST_BIN) $(MPI_EXAMPLE_BIN) $(ZSTR_BIN))
	for p in 1 2 3; do OPENBLAS_NUM_THREADS=1 $(MPIRUN) -np $$p $(MPI_TEST_BIN) || exit 1; done
	OPENBLAS_NUM_THREADS=1 $(MPIRUN) -np 2 $(MPI_EXAMPLE_BIN) > /dev/null && \
	    echo "examples: PASS distributed (2 processes) matches R/(1+jwRC) to 1e-6"
	ZSTR_MPIRUN="$(MPIRUN)" sh tests/cli_mpi.sh $(ZSTR_BIN)

# sweeps run one thread per core; OpenBLAS's own threads would compete with them
# The main job: the embedded default model (tau_Cstr < tau_CT, Voronoi grains,
# 22 % square spot, 24^3 voxels, 8 per decade from 1 mHz to 10 MHz).
demo: deps
	$(MAKE) lib $(ZSTR_BIN)
	mkdir -p $(B)/demo
	$(ZSTR_BIN) run -o $(B)/demo/spectrum.csv --plot $(B)/demo/spectrum.png

# Sanitizers and valgrind: separate build trees so flags never mix.
# MPI_Init (the iterative backend's first use) keeps memory until MPI_Finalize,
# which the library never calls: tests/lsan-mpi.supp names it; its stacks reach
# MPI's frames only with full unwinding.
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1 \
    LSAN_OPTIONS=fast_unwind_on_malloc=0:print_suppressions=0:suppressions=$(CURDIR)/tests/lsan-mpi.supp
check-asan: deps
	$(MAKE) B=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" build-asan/tests/runner build-asan/zstr \
	    $(if $(HAVE_PETSC),build-asan/tests/mpi_sweep)
	cd tests && $(ASAN_ENV) ../build-asan/tests/runner
	$(if $(HAVE_PETSC),$(ASAN_ENV) $(MPIRUN) -np 2 build-asan/tests/mpi_sweep > /dev/null)
	$(ASAN_ENV) sh tests/cli.sh build-asan/zstr
	$(ASAN_ENV) sh tests/cli_analysis.sh build-asan/zstr
	$(ASAN_ENV) sh tests/cli_mor.sh build-asan/zstr
	$(ASAN_ENV) sh tests/cli_iter.sh build-asan/zstr
	$(ASAN_ENV) sh tests/cli_volume.sh build-asan/zstr
	$(if $(HAVE_PETSC),$(ASAN_ENV) ZSTR_MPIRUN="$(MPIRUN)" sh tests/cli_mpi.sh build-asan/zstr)
# MPI_Init's memory, kept until MPI_Finalize (tests/valgrind-mpi.supp), and Open
# MPI's own suppressions when installed; deep stacks so they reach MPI's frames
VALGRIND_SUPP := --num-callers=40 --suppressions=$(CURDIR)/tests/valgrind-mpi.supp \
    $(addprefix --suppressions=,$(wildcard /usr/share/openmpi/openmpi-valgrind.supp))
check-valgrind: deps
	$(MAKE) lib $(B)/tests/runner
	cd tests && CK_FORK=no ZSTR_TEST_QUICK=1 valgrind --error-exitcode=3 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect $(VALGRIND_SUPP) ../$(B)/tests/runner

install: lib $(ZSTR_BIN)
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/libzstr
	$(CC) $(CFLAGS) $(LDFLAGS) -o $(B)/zstr.install $(B)/cli/zstr.o $(CLI_OBJ) -L$(B) \
	    -Wl,-rpath,$(LIBDIR) -l$(ZSTR_LIBNAME) $(CLI_LIBS) -lm
	install -m 755 $(B)/zstr.install $(DESTDIR)$(BINDIR)/zstr
	install -m 644 schema/zstr-1.xsd $(DESTDIR)$(DATADIR)/libzstr/zstr-1.xsd
	install -m 644 include/zstr.h $(DESTDIR)$(INCLUDEDIR)/zstr.h
	install -m 644 include/zstr_volume.h $(DESTDIR)$(INCLUDEDIR)/zstr_volume.h
	install -m 644 include/zstr_analysis.h $(DESTDIR)$(INCLUDEDIR)/zstr_analysis.h
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libzstr.so.$(VERSION)
	ln -sf libzstr.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libzstr.so
	install -m 644 $(STLIB) $(DESTDIR)$(LIBDIR)/libzstr.a
	install -m 644 $(B)/libzstr.pc $(DESTDIR)$(PKGCONFIGDIR)/libzstr.pc
ifneq ($(HAVE_PETSC),)
	install -m 755 $(MPI_SHLIB) $(DESTDIR)$(LIBDIR)/libzstr-mpi.so.$(VERSION)
	ln -sf libzstr-mpi.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(MPI_SONAME)
	ln -sf $(MPI_SONAME) $(DESTDIR)$(LIBDIR)/libzstr-mpi.so
	install -m 644 $(MPI_STLIB) $(DESTDIR)$(LIBDIR)/libzstr-mpi.a
	install -m 644 $(B)/libzstr-mpi.pc $(DESTDIR)$(PKGCONFIGDIR)/libzstr-mpi.pc
	install -m 644 include/zstr_mpi.h $(DESTDIR)$(INCLUDEDIR)/zstr_mpi.h
endif
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/zstr $(DESTDIR)$(DATADIR)/libzstr/zstr-1.xsd
	rm -f $(DESTDIR)$(INCLUDEDIR)/zstr.h $(DESTDIR)$(INCLUDEDIR)/zstr_volume.h \
	    $(DESTDIR)$(INCLUDEDIR)/zstr_analysis.h $(DESTDIR)$(INCLUDEDIR)/zstr_mpi.h \
	    $(DESTDIR)$(LIBDIR)/libzstr.so* $(DESTDIR)$(LIBDIR)/libzstr-mpi.so* \
	    $(DESTDIR)$(LIBDIR)/libzstr.a $(DESTDIR)$(PKGCONFIGDIR)/libzstr.pc \
	    $(DESTDIR)$(LIBDIR)/libzstr-mpi.a $(DESTDIR)$(PKGCONFIGDIR)/libzstr-mpi.pc

# What a user types, in a clean copy of this tree (scratch directories only): make, then
# make install PREFIX=..., examples built with pkg-config alone and run, a static link,
# a DESTDIR install.  See tests/installcheck.sh.
installcheck: deps
	sh tests/installcheck.sh

# Fuzz the volume, spectrum and poles readers (not part of check): clang's libFuzzer with ASan/UBSan.
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined
fuzz:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "fuzz: $(FUZZ_CC) not found"; exit 1; }
	mkdir -p build-fuzz/lib
	for f in $(LIB_SRC); do \
	    $(FUZZ_CC) $(BASE_CFLAGS) -Wno-error $(FP) -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	        -Iinclude $(SS_CFLAGS) $(VOL_CFLAGS) -c $$f -o build-fuzz/lib/$$(basename $$f .c).o || exit 1; \
	done
	$(FUZZ_CC) $(BASE_CFLAGS) $(FUZZ_FLAGS) -Iinclude -o build-fuzz/fuzz_volume tests/fuzz/fuzz_volume.c \
	    build-fuzz/lib/*.o $(LIBS)
	$(FUZZ_CC) $(BASE_CFLAGS) $(FUZZ_FLAGS) -Iinclude -o build-fuzz/fuzz_spectrum \
	    tests/fuzz/fuzz_spectrum.c build-fuzz/lib/*.o $(LIBS)
	$(FUZZ_CC) $(BASE_CFLAGS) $(FUZZ_FLAGS) -Icli -o build-fuzz/fuzz_poles tests/fuzz/fuzz_poles.c \
	    cli/poles.c
	@echo "run: build-fuzz/fuzz_poles -max_total_time=60"
	@echo "run: mkdir -p build-fuzz/corpus-spectra && cp tests/data/bad_spectra/* build-fuzz/corpus-spectra/ && build-fuzz/fuzz_spectrum -max_total_time=60 build-fuzz/corpus-spectra"
	@echo "run: mkdir -p build-fuzz/corpus && cp tests/data/bad_volumes/* build-fuzz/corpus/ && build-fuzz/fuzz_volume -max_total_time=60 build-fuzz/corpus"

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	    --inline-suppr -Iinclude -Ilib -Icli lib cli tests examples bench
format:
	clang-format -i include/*.h lib/*.c lib/*.h cli/*.c cli/*.h tests/*.c tests/*.h examples/*.c \
	    bench/*.c

clean:
	rm -rf build build-asan build-fuzz
