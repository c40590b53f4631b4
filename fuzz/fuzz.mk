# fuzz/fuzz.mk — libFuzzer harnesses, built with clang (ASan + UBSan + libFuzzer).
# Used through the top Makefile:
#
#   make fuzz                       build every harness into build/fuzz/
#   make fuzz FUZZ_SECONDS=600      build, then run each harness for FUZZ_SECONDS, one after
#                                   the other (fuzz/run.sh), and print execs/s and findings
#   make fuzz-run                   the same with FUZZ_SECONDS defaulting to 600
#   make fuzz FUZZ_TARGETS="wire conn" FUZZ_SECONDS=60     a subset
#
# Harnesses (fuzz/fuzz_NAME.c): execute (source -> session_execute), wire (frames ->
# signature check -> decode -> handlers), conn (connection file), vectors (GloVe /
# word2vec / fastText text), vectors_bin (word2vec binary), npy, safetensors, and lesson
# once src/lesson.c exists. Seeds: fuzz/corpus/NAME/ (committed; crash reproducers live
# there too, so `make test` replays them) and, for execute, the golden records.
# The sanitizer objects are compiled once into build/fuzz/libfuzz.a.
CC_FUZZ  ?= clang
FUZZ_FLAGS := -std=c11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
              -fno-omit-frame-pointer -ffp-contract=off -D_POSIX_C_SOURCE=200809L -Isrc -I.
FUZZ_PKGS := jansson libsodium
FUZZ_CFLAGS := $(shell pkg-config --cflags $(FUZZ_PKGS))
FUZZ_LIBS := $(shell pkg-config --libs $(FUZZ_PKGS)) -lm -lpthread

FUZZ_LIB_SRC := $(sort $(wildcard src/core/*.c src/lang/*.c) \
                  $(wildcard src/session.c src/magic.c src/lesson.c) \
                  kernel/wire.c kernel/conn.c kernel/handlers.c kernel/reply.c)
FUZZ_OBJ := $(patsubst %.c,build/fuzz/obj/%.o,$(FUZZ_LIB_SRC))

ALL_FUZZ_TARGETS := execute wire conn vectors vectors_bin npy safetensors \
                    $(if $(and $(wildcard src/lesson.c),$(wildcard fuzz/fuzz_lesson.c)),lesson)
FUZZ_TARGETS ?= $(ALL_FUZZ_TARGETS)
FUZZ_BINS := $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-build fuzz-run
.SECONDARY:

fuzz-build: $(FUZZ_BINS)

ifdef FUZZ_SECONDS
fuzz: fuzz-run
else
fuzz: fuzz-build
endif

fuzz-run: fuzz-build
	@FUZZ_SECONDS=$(or $(FUZZ_SECONDS),600) fuzz/run.sh $(FUZZ_TARGETS)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC_FUZZ) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

# The library modules written in Python (see the PYLIB rules in the Makefile).
FUZZ_PYLIB_INC := $(patsubst src/lang/pylib/%.py,build/fuzz/pylib/%.inc,\
                    $(wildcard src/lang/pylib/*.py))
build/fuzz/pylib/%.inc: src/lang/pylib/%.py scripts/py2inc.sh
	@mkdir -p $(dir $@)
	scripts/py2inc.sh $< $@
build/fuzz/obj/src/lang/pylib.o: $(FUZZ_PYLIB_INC)
build/fuzz/obj/src/lang/pylib.o: FUZZ_FLAGS += -Ibuild/fuzz/pylib

build/fuzz/libfuzz.a: $(FUZZ_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_file.h build/fuzz/libfuzz.a
	$(CC_FUZZ) $(FUZZ_FLAGS) -fsanitize=fuzzer $(FUZZ_CFLAGS) -o $@ $< build/fuzz/libfuzz.a \
	  $(FUZZ_LIBS)

build/fuzz/fuzz_vectors_bin: fuzz/fuzz_vectors.c

-include $(shell find build/fuzz/obj -name '*.d' 2>/dev/null)
