# crudd — one plain GNU Makefile, read top to bottom.
#
#   make deps             install the build packages (apt-get; sudo when not root)
#   make run              build and start ./crudd on 127.0.0.1:3000
#   make test-deps        install the test tools (cmocka, python3, node/npm)
#   make                  build ./crudd (objects in build/)
#   make WERROR=1         the same with -Werror (CI)
#   make SANITIZE=address,undefined
#                         a sanitized ./build/san/crudd (and its unit tests)
#   make test             unit tests, black-box tests, Postman collection,
#                         the OpenAPI tools, the container test
#   make openapi-tools    lint the OpenAPI export (Redocly), generate types
#                         (openapi-typescript) and compile clients (tsc)
#   make bench            wrk load against crudd and a floor responder
#   make memcheck         the black-box suite with crudd under valgrind
#   make soak             mixed load for SOAK_SECONDS (600); fails on errors
#   make fuzz             build the libFuzzer targets, run each FUZZ_SECONDS
#   make fuzz-regress     run each fuzz target once over its saved crashes
#   make format           clang-format every source file
#   make check-format     fail if a file is not formatted
#   make check-layers     fail if an include points up the flow

.DEFAULT_GOAL := all

PKGS     := libmicrohttpd jansson sqlite3 uuid zlib libcrypto
CC       ?= cc
# pkg-config is asked when a recipe first needs its answer, not when this file
# is read: `make deps run` installs pkg-config and the -dev packages in `deps`,
# and only then builds. Each is asked once (the eval caches the answer).
pkg = $(or $(shell pkg-config $(1) $(PKGS) 2>/dev/null),$(error \
    pkg-config $(1) $(PKGS) failed: install the build packages with `make deps`))
PKG_CFLAGS = $(eval PKG_CFLAGS := $(call pkg,--cflags))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $(call pkg,--libs))$(PKG_LIBS)

WARN     := -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wundef -Wvla -Wnull-dereference \
            -Wimplicit-fallthrough
ifeq ($(WERROR),1)
WARN     += -Werror
endif

OPT      ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude -Ibuild $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread -lm

BUILD    := build
ifneq ($(SANITIZE),)
BUILD    := build/san
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
BIN      := $(BUILD)/crudd
else
BIN      := crudd
endif

SRCS     := $(wildcard src/*.c)
OBJS     := $(SRCS:src/%.c=$(BUILD)/%.o) $(BUILD)/schema.o
LIB_OBJS := $(filter-out $(BUILD)/main.o,$(OBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

# Debian/Ubuntu packages: to build, and to run the tests.
BUILD_DEBS := build-essential pkg-config libmicrohttpd-dev libjansson-dev \
              libsqlite3-dev uuid-dev zlib1g-dev libssl-dev
TEST_DEBS  := libcmocka-dev python3 curl python3-boto3 awscli wrk
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test-deps run
deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(BUILD_DEBS)
test-deps: deps
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(TEST_DEBS)
	command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive \
	    $(SUDO) apt-get install -y -qq nodejs npm
run: $(BIN)
	./$(BIN)

.PHONY: all clean test unit blackbox memcheck postman openapi-tools container fresh bench format check-format check-layers

all: $(BIN)

$(BIN): $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# schema.sql becomes a C string at build time; nothing generated is committed.
$(BUILD)/schema.c: schema.sql | $(BUILD)
	{ echo '/* generated from schema.sql by the Makefile */'; \
	  echo 'const char schema_sql[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@

$(BUILD)/schema.o: $(BUILD)/schema.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

# Unit tests: one cmocka binary per tests/unit/test_<module>.c. cmocka's
# assert_non_null does not tell the compiler that a failure does not return,
# so -Wnull-dereference would flag every checked pointer in a test.
$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Wno-null-dereference $(LDFLAGS) -o $@ $< $(LIB_OBJS) \
	    $(LDLIBS) -lcmocka

# `make unit T=store` runs only tests/unit/test_store.c (T is the name after
# test_); `make blackbox K=ddb_query` only the black-box tests whose name
# (module, class or method) contains that text (run.py -k; K may be repeated
# with spaces: K="etag limit").
ifneq ($(T),)
UNIT_RUN := $(BUILD)/tests/test_$(T)
$(if $(wildcard tests/unit/test_$(T).c),,$(error no unit test tests/unit/test_$(T).c; T is one of: $(patsubst tests/unit/test_%.c,%,$(UNIT_SRCS))))
else
UNIT_RUN := $(UNIT_BINS)
endif
unit: $(UNIT_RUN)
	@set -e; for t in $(UNIT_RUN); do echo "== $$t"; $$t; done

# Black-box tests start the real binary (CRUDD_BIN) on port 0 with a fresh
# database. Debian's python3 is preferred: boto3 (python3-boto3) lives there.
PYTHON   ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
blackbox: $(BIN)
	CRUDD_BIN=$(abspath $(BIN)) $(PYTHON) tests/blackbox/run.py $(foreach k,$(K),-k $(k))

# The black-box suite once more with crudd under valgrind's memcheck: a
# definite leak or a memory error fails the test that stopped that crudd.
memcheck: $(BIN)
	CRUDD_BIN=$(abspath tests/valgrind-crudd) CRUDD_START_TIMEOUT=30 \
	    CRUDD_REAL_BIN=$(abspath $(BIN)) $(PYTHON) tests/blackbox/run.py $(foreach k,$(K),-k $(k))

postman: $(BIN)
	CRUDD_BIN=$(abspath $(BIN)) tests/postman/run.sh

# The OpenAPI export of the default API and of each config/examples/*.json
# through Redocly's lint, openapi-typescript and tsc (tools pinned in
# tests/openapi/package.json, installed there with npm ci). Skipped loudly
# without npm or the registry; CRUDD_OPENAPI_TOOLS_TEST=1 (CI) fails instead.
openapi-tools: $(BIN)
	CRUDD_BIN=$(abspath $(BIN)) $(PYTHON) tests/openapi/test_openapi_tools.py

# The container test needs an engine: a Docker daemon that answers, or the
# team's ../shared/tools/container-engine (podman); CRUDD_CONTAINER_TEST=1
# (CI) makes a missing engine an error instead of a skip.
ENGINE_TOOL := $(wildcard ../shared/tools/container-engine)
container:
	@if [ -n "$(ENGINE_TOOL)" ]; then tests/container/run.sh; \
	elif docker info >/dev/null 2>&1; then \
	  CRUDD_CONTAINER_ENGINE=docker tests/container/run.sh; \
	elif [ "$(CRUDD_CONTAINER_TEST)" = 1 ]; then \
	  echo "container: no container engine" >&2; exit 1; \
	else echo "container: skipped (no Docker daemon and no container-engine)"; fi

# The README's two commands in fresh debian:bookworm-slim containers, as root
# and as a user with sudo (tests/fresh/run.sh; needs a container engine).
fresh:
	tests/fresh/test_commands.sh
	tests/fresh/run.sh

test: unit blackbox postman openapi-tools container

# Microbenchmarks of one function, built with the library objects as the
# unit tests are: bench/throttle.c times the usage-plan throttle path,
# bench/late_key.c a Query or Scan page from a late ExclusiveStartKey
# against the first page.
$(BUILD)/bench:
	mkdir -p $@
$(BUILD)/bench/throttle: bench/throttle.c $(LIB_OBJS) | $(BUILD)/bench
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)
.PHONY: bench-throttle
bench-throttle: $(BUILD)/bench/throttle
	$<
$(BUILD)/bench/late_key: bench/late_key.c $(LIB_OBJS) | $(BUILD)/bench
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)
.PHONY: bench-late-key
bench-late-key: $(BUILD)/bench/late_key
	$<

bench: $(BIN) bench-throttle bench-late-key
	CRUDD_BIN=$(abspath $(BIN)) bench/run.sh
	CRUDD_BIN=$(abspath $(BIN)) bench/ddb.sh
	CRUDD_BIN=$(abspath $(BIN)) bench/scale.sh

# Soak: bench/soak.sh's mixed workload for SOAK_SECONDS (CI: 60) at
# SOAK_CONNECTIONS; a test, it fails on any unexpected answer or RSS growth.
SOAK_SECONDS ?= 600
.PHONY: soak
soak: $(BIN)
	CRUDD_BIN=$(abspath $(BIN)) SOAK_SECONDS=$(SOAK_SECONDS) bench/soak.sh

# Fuzzing: one libFuzzer target per tests/fuzz/fuzz_<name>.c, built with
# clang under ASan+UBSan into build/fuzz/<name> and linked with every object
# but main.o, themselves rebuilt with clang and coverage into build/fuzz/obj.
# `fuzz` runs each for FUZZ_SECONDS over a copy of its seed corpus
# tests/fuzz/corpus/<name>/ (new inputs go to build/fuzz/corpus/<name>, never
# into the repository), with tests/fuzz/<name>.dict when there is one; a
# crash is written to build/fuzz/crash/ and fails the run. `fuzz-regress`
# runs each once over its crash reproducers tests/fuzz/regress/<name>/ and
# its seeds, so a fixed bug stays fixed.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
# 0: a new random seed each run (hunting); CI passes a fixed one, so that
# its run repeats one that passed here and a red CI is never a coin toss
FUZZ_SEED    ?= 0
FUZZ_DIR     := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
# clang warns where gcc does not (-Wformat-nonliteral in log calls): -Werror
# stays with the gcc build.
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE -O1 -g $(filter-out -Werror,$(WARN)) \
                -Iinclude -Isrc -Ibuild $(PKG_CFLAGS) $(FUZZ_SAN)
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%, \
                  $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_DIR)/%)
FUZZ_OBJS    := $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o, \
                  $(filter-out src/main.c,$(SRCS))) $(FUZZ_DIR)/obj/schema.o

.PHONY: fuzz fuzz-build fuzz-regress
.SECONDARY: $(FUZZ_OBJS)
$(FUZZ_DIR)/obj/%.o: src/%.c | $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
$(FUZZ_DIR)/obj/schema.o: $(BUILD)/schema.c | $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<
$(FUZZ_DIR)/%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) \
	    $(LDLIBS)
$(FUZZ_DIR)/obj:
	mkdir -p $@

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@set -e; for t in $(FUZZ_NAMES); do \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/crash; \
	  cp tests/fuzz/corpus/$$t/* $(FUZZ_DIR)/corpus/$$t/; \
	  d=; if [ -f tests/fuzz/$$t.dict ]; then d=-dict=tests/fuzz/$$t.dict; fi; \
	  $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	      -rss_limit_mb=2048 -print_final_stats=1 -seed=$(FUZZ_SEED) $$d \
	      -artifact_prefix=$(FUZZ_DIR)/crash/$$t- $(FUZZ_DIR)/corpus/$$t; \
	done

fuzz-regress: fuzz-build
	@set -e; for t in $(FUZZ_NAMES); do \
	  echo "== fuzz-regress $$t"; \
	  r=tests/fuzz/regress/$$t; [ -d $$r ] || r=; \
	  mkdir -p $(FUZZ_DIR)/crash; \
	  $(FUZZ_DIR)/$$t -runs=0 -timeout=10 -rss_limit_mb=2048 \
	      -artifact_prefix=$(FUZZ_DIR)/crash/$$t- $$r tests/fuzz/corpus/$$t; \
	done

FORMAT_FILES := $(wildcard src/*.c src/*_impl.h include/*.h tests/unit/*.c \
                  tests/fuzz/*.c bench/*.c)
format:
	clang-format -i $(FORMAT_FILES)
check-format:
	clang-format --dry-run --Werror $(FORMAT_FILES)
check-layers:
	tests/check-layers.sh

clean:
	rm -rf build crudd

-include $(wildcard $(BUILD)/*.d $(FUZZ_DIR)/obj/*.d)
