# embedlab — build, test, install. See README.md and DESIGN.md.
#
#   make            build build/embedlab (and build/embedlab-kernel)
#   make run        check/install build dependencies, build, start the REPL
#   make test       check/install dependencies, build, run every suite
#   make test SANITIZE=address,undefined
#   make goldens    regenerate golden outputs with Debian's python3-torch
#   make install PREFIX=/usr/local DESTDIR=
#   make fuzz       build the libFuzzer harnesses (clang); FUZZ_SECONDS=N also runs each
#   make test-valgrind       the in-process suites under valgrind memcheck
#   make fault-inject SANITIZE=address,undefined   allocation failures across the goldens
#   make kernel-load         the kernel under load (scripts/kernel_load.py, ~1 min)
#   make bench      every benchmark against PyTorch on this machine (bench/all.sh)

PREFIX   ?= /usr/local
prefix   ?= $(PREFIX)
bindir   ?= $(prefix)/bin
datadir  ?= $(prefix)/share
mandir   ?= $(datadir)/man
INSTALL  ?= install

CC       ?= cc
CFLAGS   ?= -O2 -g
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wwrite-strings -Wvla -Wno-missing-field-initializers
# -ffp-contract=off: the RNG reproduces PyTorch's fused multiply-adds with explicit fmaf
# only; the compiler must not add fusions of its own.
BASEFLAGS := -std=c11 $(WARNINGS) -ffp-contract=off -fno-fast-math
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -Isrc -MMD -MP
LDLIBS   += -lm

ifdef SANITIZE
BASEFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=$(SANITIZE)
endif

PKGS_REPL   := readline
PKGS_KERNEL := libzmq jansson libsodium
PKGS_LANG   := jansson libsodium
PKGS_TEST   := cmocka
pkg_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkg_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

# Sanitized builds live apart (build/sanitize/...), so they never clobber the normal one.
B := $(if $(SANITIZE),build/sanitize,build)
OBJ := $(B)/obj

CORE_SRC   := $(sort $(wildcard src/core/*.c))
LANG_SRC   := $(sort $(wildcard src/lang/*.c) $(wildcard src/session.c src/magic.c src/lesson.c))
REPL_SRC   := $(sort $(filter-out repl/main.c,$(wildcard repl/*.c)))
KERNEL_SRC := $(sort $(filter-out kernel/main.c,$(wildcard kernel/*.c)))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC   := $(sort $(wildcard tests/tools/*.c))

obj = $(patsubst %.c,$(OBJ)/%.o,$(1))
CORE_OBJ   := $(call obj,$(CORE_SRC))
LANG_OBJ   := $(call obj,$(LANG_SRC))
REPL_OBJ   := $(call obj,$(REPL_SRC))
KERNEL_OBJ := $(call obj,$(KERNEL_SRC))
UNIT_BIN   := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
TOOL_BIN   := $(patsubst tests/tools/%.c,$(B)/tests/%,$(TOOL_SRC))

LIBCORE   := $(B)/libcore.a
LIBLANG   := $(B)/liblang.a
LIBREPL   := $(B)/librepl.a
LIBKERNEL := $(B)/libkernel.a

PROGRAMS := $(B)/embedlab $(if $(wildcard kernel/main.c),$(B)/embedlab-kernel)

.PHONY: all run test check unit goldens install uninstall clean lint fuzz fuzz-run deps \
        build-tests bench test-valgrind fault-inject kernel-load notebooks lesson-transcripts
all: $(PROGRAMS)

# Keep intermediate objects (test objects are made by a chain of pattern rules).
.SECONDARY:

# Rebuild everything when the compiler or flags change (e.g. SANITIZE on/off).
FLAGS_STAMP := $(B)/.flags
FLAGS_NOW := $(CC) $(CFLAGS) $(BASEFLAGS) $(CPPFLAGS) $(LDFLAGS)
$(shell mkdir -p $(B); [ "$$(cat $(FLAGS_STAMP) 2>/dev/null)" = "$(FLAGS_NOW)" ] || \
        { rm -rf $(OBJ) $(B)/*.a $(B)/tests; echo "$(FLAGS_NOW)" > $(FLAGS_STAMP); })

$(OBJ)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(BASEFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(OBJ)/repl/%.o: EXTRA_CFLAGS = $(call pkg_cflags,$(PKGS_REPL))
$(OBJ)/kernel/%.o: EXTRA_CFLAGS = $(call pkg_cflags,$(PKGS_KERNEL))
$(OBJ)/src/lang/%.o $(OBJ)/src/session.o $(OBJ)/src/magic.o $(OBJ)/src/lesson.o: \
	EXTRA_CFLAGS = $(call pkg_cflags,$(PKGS_LANG))
$(OBJ)/tests/%.o: EXTRA_CFLAGS = $(call pkg_cflags,$(PKGS_TEST) $(PKGS_KERNEL))
# The hot float32 loops are vectorized (src/core/kernels_f32.h); same bits at any width.
$(OBJ)/src/core/kernels_f32.o: EXTRA_CFLAGS = -O3 -fno-math-errno

# Library modules written in Python (src/lang/pylib/*.py) are compiled into the program as
# byte arrays (see src/lang/pylib.c).
PYLIB_SRC := $(sort $(wildcard src/lang/pylib/*.py))
PYLIB_INC := $(patsubst src/lang/pylib/%.py,$(OBJ)/pylib/%.inc,$(PYLIB_SRC))
$(OBJ)/pylib/%.inc: src/lang/pylib/%.py scripts/py2inc.sh
	@mkdir -p $(dir $@)
	scripts/py2inc.sh $< $@
$(OBJ)/src/lang/pylib.o: $(PYLIB_INC)
$(OBJ)/src/lang/pylib.o: CPPFLAGS += -I$(OBJ)/pylib

$(LIBCORE): $(CORE_OBJ)
$(LIBLANG): $(LANG_OBJ)
$(LIBREPL): $(REPL_OBJ)
$(LIBKERNEL): $(KERNEL_OBJ)
$(B)/lib%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^ $(if $^,,$(OBJ)/empty.o)

# An archive needs at least one member; modules not written yet get an empty object.
$(OBJ)/empty.o: $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	echo 'typedef int embedlab_empty_unit;' | $(CC) $(CFLAGS) $(BASEFLAGS) -x c -c - -o $@
$(LIBLANG) $(LIBREPL) $(LIBKERNEL) $(LIBCORE): | $(OBJ)/empty.o

ALL_LIBS := $(LIBREPL) $(LIBKERNEL) $(LIBLANG) $(LIBCORE)

$(B)/embedlab: $(OBJ)/repl/main.o $(LIBREPL) $(LIBLANG) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_REPL) $(PKGS_LANG)) $(LDLIBS)

$(B)/embedlab-kernel: $(OBJ)/kernel/main.o $(LIBKERNEL) $(LIBLANG) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_KERNEL) $(PKGS_LANG)) $(LDLIBS)

$(B)/tests/%: $(OBJ)/tests/unit/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ \
	  $(call pkg_libs,$(PKGS_TEST) $(PKGS_KERNEL) $(PKGS_REPL) $(PKGS_LANG)) $(LDLIBS)

$(B)/tests/%: $(OBJ)/tests/tools/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ \
	  $(call pkg_libs,$(PKGS_KERNEL) $(PKGS_REPL) $(PKGS_LANG)) $(LDLIBS)

# The libFuzzer harnesses linked with fuzz/replay.c instead of libFuzzer: they replay the
# committed corpora and crash reproducers (fuzz/corpus/NAME/) in tests/suites/fuzz.sh.
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_REPLAY_BIN := $(patsubst %,$(B)/fuzz/replay_%,$(FUZZ_NAMES))
$(OBJ)/fuzz/%.o: EXTRA_CFLAGS = -I. $(call pkg_cflags,$(PKGS_KERNEL))
$(B)/fuzz/replay_%: $(OBJ)/fuzz/fuzz_%.o $(OBJ)/fuzz/replay.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_KERNEL) $(PKGS_LANG)) $(LDLIBS) -lpthread

# Allocation fault injection over the golden corpus (fuzz/faultinject.c).
$(B)/fuzz/faultinject: $(OBJ)/fuzz/faultinject.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(PKGS_KERNEL) $(PKGS_LANG)) $(LDLIBS) -lpthread

build-tests: $(UNIT_BIN) $(TOOL_BIN) $(FUZZ_REPLAY_BIN) $(B)/fuzz/faultinject

# ---- entry points that first make sure the build dependencies are installed ----

deps:
	@scripts/ensure-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	./$(B)/embedlab

test check: deps
	@$(MAKE) --no-print-directory all build-tests
	@EMBEDLAB_BUILD=$(B) scripts/run-tests.sh

# Unit tests only, without the dependency check (fast inner loop).
unit: all build-tests
	@EMBEDLAB_BUILD=$(B) scripts/run-tests.sh unit

goldens:
	@scripts/make-goldens.sh

# notebooks/NN-topic.ipynb from lessons/NN-topic.py (the lessons suite checks they match).
LESSON_NAMES := $(patsubst lessons/%.py,%,$(wildcard lessons/[0-9]*.py))
notebooks: $(B)/embedlab
	@for n in $(LESSON_NAMES); do ./$(B)/embedlab --to-ipynb $$n notebooks/$$n.ipynb || exit 1; done

# lessons/NN-topic.out: the --play transcripts, made under PyTorch 1.13 (/usr/bin/python3).
lesson-transcripts:
	/usr/bin/python3 tests/tools/play_lesson.py $(wildcard lessons/[0-9]*.py)

lint:
	@scripts/lint.sh

fuzz:
	@$(MAKE) --no-print-directory -f fuzz/fuzz.mk fuzz

fuzz-run:
	@$(MAKE) --no-print-directory -f fuzz/fuzz.mk fuzz-run

# The in-process suites under valgrind memcheck (scripts/test-valgrind.sh).
test-valgrind: all build-tests
	@EMBEDLAB_BUILD=$(B) scripts/test-valgrind.sh

# Every allocation of each golden record fails in turn (fuzz/faultinject.c); run it as
# `make fault-inject SANITIZE=address,undefined` so bad error paths are reported.
FI_POINTS ?= 32
fault-inject: $(B)/fuzz/faultinject
	$(B)/fuzz/faultinject -m $(FI_POINTS) -v tests/golden/*.test

# The kernel under load: concurrent clients, forged messages, heartbeat, interrupts.
kernel-load: all
	@EMBEDLAB_BUILD=$(B) /usr/bin/python3 scripts/kernel_load.py

# Every benchmark against PyTorch 1.13 on this machine, in one run (bench/all.sh).
bench: all
	@EMBEDLAB_BUILD=$(B) bench/all.sh

install: all
	$(INSTALL) -d $(DESTDIR)$(bindir)
	$(INSTALL) -m 755 $(PROGRAMS) $(DESTDIR)$(bindir)/
	$(INSTALL) -d $(DESTDIR)$(mandir)/man1
	$(INSTALL) -m 644 man/embedlab.1 $(DESTDIR)$(mandir)/man1/
	$(INSTALL) -d $(DESTDIR)$(datadir)/embedlab/lessons
	$(if $(wildcard lessons/*.py),$(INSTALL) -m 644 $(wildcard lessons/*.py) \
	  $(DESTDIR)$(datadir)/embedlab/lessons/)
	$(INSTALL) -d $(DESTDIR)$(datadir)/embedlab/lessons/data
	$(INSTALL) -m 644 lessons/data/kjv_50d.txt $(DESTDIR)$(datadir)/embedlab/lessons/data/
	$(if $(wildcard $(B)/embedlab-kernel),$(B)/embedlab-kernel --install \
	  --prefix $(DESTDIR)$(prefix) --exec $(bindir)/embedlab-kernel)

uninstall:
	rm -f $(DESTDIR)$(bindir)/embedlab $(DESTDIR)$(bindir)/embedlab-kernel
	rm -f $(DESTDIR)$(mandir)/man1/embedlab.1
	rm -rf $(DESTDIR)$(datadir)/embedlab $(DESTDIR)$(datadir)/jupyter/kernels/embedlab

clean:
	rm -rf build

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
