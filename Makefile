# boxtop: the terminal dashboard for BoxLite.
#
#   make demo         install missing packages, build, run against boxlite-sim
#   make check        install missing packages, build, run every test suite
#   make check-quick  unit, integration and screen tests (the edit-test loop)
#
# Layers are static libraries linked in the order tui -> net -> model; a
# sanitizer build is the same rules in another BUILD directory with SAN set.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
SAN ?=
FUZZ_SECONDS ?= 5
FUZZ_CC ?= clang

PKGS := ncursesw libcurl libcjson libmicrohttpd libarchive libcrypto libzstd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wwrite-strings -Wcast-qual \
	-Wpointer-arith -Wundef -Wnull-dereference -Wimplicit-fallthrough -Wvla \
	-Werror=implicit-function-declaration
ifneq ($(filter-out false 0,$(CI)),)
WARN += -Werror
endif

CPPFLAGS += -D_DEFAULT_SOURCE -DBOXTOP_VERSION='"$(VERSION)"' -I.
CFLAGS ?= -O2 -g
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SAN) $(PKG_CFLAGS) -pthread
# libwslay (WebSocket framing) ships no pkg-config file on Debian 12
LDLIBS_ALL = $(PKG_LIBS) -lwslay -lm -pthread

MODEL_SRC := $(wildcard model/*.c)
NET_SRC := $(wildcard net/*.c)
TUI_SRC := $(filter-out tui/main.c,$(wildcard tui/*.c))
SIM_SRC := $(filter-out sim/main.c,$(wildcard sim/*.c))
UNIT_DIRS := $(sort $(dir $(wildcard tests/unit/*/*.c)))
UNIT_BINS := $(patsubst tests/unit/%/,$(BUILD)/tests/unit/%,$(UNIT_DIRS))
# C integration tests: one cmocka runner per tests/integration/c/<dir>, each
# starting its own simulators (tests/support/simproc.c).
NETTEST_DIRS := $(sort $(dir $(wildcard tests/integration/c/*/*.c)))
NETTEST_BINS := $(patsubst tests/integration/c/%/,$(BUILD)/tests/integration/c/%,$(NETTEST_DIRS))
# fuzz_decode.c builds one target per decoder; every other fuzz_X.c is target X.
DECODE_FUZZ := box box_list snapshot snapshot_list image_list image_detail image_usage \
	runtime_metrics box_metrics server_config principal api_error
FUZZ_NAMES := $(filter-out decode,$(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))) \
	$(DECODE_FUZZ)
BENCH_SRC := $(wildcard bench/*.c)
TEST_SUPPORT := $(wildcard tests/support/*.c)

# Unit test directories that test model/ alone (every quoted include of
# their .c files is model/... or tests/support/..., or a header of their
# own) link libmodel alone, with the support objects of the same kind, cJSON
# and cmocka: a call from model/ into net/, tui/ or sim/ fails their link,
# so the build itself shows model/ is pure. Found by reading the includes,
# so a new directory is sorted by itself.
quoted_includes = $(shell sed -n 's/^[[:space:]]*.[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' $(1))
with_dir = $(foreach w,$(1),$(if $(findstring /,$(w)),$(w)))
model_only = $(if $(filter-out model/% tests/support/%,$(call with_dir,$(call quoted_includes,$(1)))),,yes)
MODEL_UNITS := $(foreach d,$(UNIT_DIRS),$(if $(call model_only,$(wildcard $(d)*.c)),$(d)))
MODEL_UNIT_BINS := $(patsubst tests/unit/%/,$(BUILD)/tests/unit/%,$(MODEL_UNITS))
MODEL_SUPPORT := $(foreach f,$(TEST_SUPPORT),$(if $(call model_only,$(f)),$(f)))
MODEL_LIBS = $(shell pkg-config --libs libcjson cmocka 2>/dev/null) -lm -pthread

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIBMODEL := $(BUILD)/libmodel.a
LIBNET := $(BUILD)/libnet.a
LIBTUI := $(BUILD)/libtui.a
LIBSIM := $(BUILD)/libsim.a
LAYERS := $(LIBTUI) $(LIBNET) $(LIBMODEL)

.PHONY: all demo check check-quick check-layers check-format deps unit asan tsan fuzz fuzz-run \
	fuzz-campaign bench format install clean integration nettest conformance e2e faults soak \
	test-bins unit-bins nettest-bins asan-bins tsan-bins asan-unit asan-integration asan-e2e \
	asan-faults tsan-unit tsan-nettest integration-sh asan-nettest asan-integration-sh

all: $(BUILD)/boxtop $(BUILD)/boxlite-sim

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIBMODEL): $(call obj,$(MODEL_SRC))
$(LIBNET): $(call obj,$(NET_SRC))
$(LIBTUI): $(call obj,$(TUI_SRC))
$(LIBSIM): $(call obj,$(SIM_SRC))
$(LAYERS) $(LIBSIM):
	@mkdir -p $(dir $@)
	rm -f $@
	$(if $^,ar rcs $@ $^,ar rcs $@)

$(BUILD)/boxtop: $(call obj,tui/main.c) $(LAYERS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/boxlite-sim: $(call obj,sim/main.c) $(LIBSIM) $(LIBNET) $(LIBMODEL)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

# One cmocka runner per module directory under tests/unit (the simulator's
# modules are a library too, so they are unit-tested the same way).
.SECONDEXPANSION:
# Keep intermediate objects so a second make does not rebuild them.
.SECONDARY:
$(BUILD)/tests/unit/%: $$(call obj,$$(wildcard tests/unit/$$*/*.c) $(TEST_SUPPORT)) $(LIBSIM) $(LAYERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL) $(CMOCKA_LIBS)

# The whole of libmodel, not only the members a test calls, so every model
# object's references are resolved without the other layers.
$(MODEL_UNIT_BINS): $(BUILD)/tests/unit/%: $$(call obj,$$(wildcard tests/unit/$$*/*.c) $(MODEL_SUPPORT)) \
		$(LIBMODEL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter-out $(LIBMODEL),$^) \
		-Wl,--whole-archive $(LIBMODEL) -Wl,--no-whole-archive $(MODEL_LIBS)

$(BUILD)/tests/integration/c/%: $$(call obj,$$(wildcard tests/integration/c/$$*/*.c) $(TEST_SUPPORT)) $(LIBSIM) $(LAYERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL) $(CMOCKA_LIBS)

deps:
	@sh scripts/deps.sh

demo: deps all
	@sh scripts/demo.sh $(BUILD)

unit: unit-bins
	@sh scripts/run-tests.sh unit $(UNIT_BINS)

# Every suite, independent ones at once (scripts/check.sh): the builds one
# after another with make -j, each suite started as soon as its build is
# done, each with its own log under build/check/, then a table of wall times.
# The fault matrix runs once, in asan, against the ASan+UBSan build: that one
# run shows every row passes and passes under the sanitizers.
CHECK_SUITES := check-layers check-format unit nettest integration-sh conformance e2e soak \
	asan-unit asan-nettest asan-integration-sh asan-e2e asan-faults tsan-unit tsan-nettest \
	fuzz-run
check: deps
	@MAKE="$(MAKE)" bash scripts/check.sh $(CHECK_SUITES)

# The edit-test loop: unit, integration (with the net tests) and screen tests.
check-quick: deps
	@MAKE="$(MAKE)" bash scripts/check.sh unit nettest integration-sh e2e

# No include against the layers' arrows (tui -> net -> model; sim/ alone).
check-layers:
	@sh scripts/check-layers.sh

# Every tracked C file as clang-format (.clang-format) would write it.
check-format:
	@files=$$(git ls-files '*.c' '*.h') && clang-format --dry-run --Werror $$files && \
		echo "check-format: $$(echo "$$files" | wc -l) files formatted"

# What the suites of one build directory run: check builds these first.
test-bins: all unit-bins nettest-bins $(BUILD)/tests/integration/decode_check
unit-bins: $(UNIT_BINS)
nettest-bins: $(BUILD)/boxlite-sim $(NETTEST_BINS)

# boxtop's net layer against live simulators (nettest), and the simulator
# driven over HTTP with curl, then boxtop's commands against it
# (integration-sh); SIM picks the binary (default this BUILD's). check runs
# the two as suites of their own, side by side.
integration: nettest integration-sh
integration-sh: $(BUILD)/boxlite-sim $(BUILD)/boxtop $(BUILD)/tests/integration/decode_check
	@SIM=$${SIM:-$(BUILD)/boxlite-sim} BOXTOP=$(BUILD)/boxtop \
		DECODE_CHECK=$(BUILD)/tests/integration/decode_check bash tests/integration/run.sh

# The net layer (HTTP, API, transfers, poller) against live simulators.
nettest: nettest-bins
	@SIM=$${SIM:-$(BUILD)/boxlite-sim} sh scripts/run-tests.sh net $(NETTEST_BINS)

# The dashboard in tmux against boxlite-sim: keys in, screen text and the
# simulator's state out (tests/e2e/README.md).
e2e: $(BUILD)/boxtop $(BUILD)/boxlite-sim
	@BOXTOP=$(BUILD)/boxtop SIM=$(BUILD)/boxlite-sim bash tests/e2e/run.sh

# The fault matrix: every row of issue 6's list against the real binary
# (tests/faults/README.md).
faults: $(BUILD)/boxtop $(BUILD)/boxlite-sim
	@BOXTOP=$(BUILD)/boxtop SIM=$(BUILD)/boxlite-sim bash tests/faults/run.sh

# The dashboard left running with exports, imports and faults while its RSS
# and fds are sampled: 2 minutes in check, SOAK_SECONDS=1800 for the record.
SOAK_SECONDS ?= 120
soak: $(BUILD)/boxtop $(BUILD)/boxlite-sim
	@SOAK_SECONDS=$(SOAK_SECONDS) BOXTOP=$(BUILD)/boxtop SIM=$(BUILD)/boxlite-sim \
		bash tests/soak/run.sh

# The official BoxLite Node SDK and the OpenAPI schemas against the simulator
# (installs the pinned npm packages into tests/conformance/node_modules once).
conformance: $(BUILD)/boxlite-sim
	@SIM=$(BUILD)/boxlite-sim bash tests/conformance/run.sh

$(BUILD)/tests/integration/decode_check: $(call obj,tests/integration/decode_check.c) $(LIBMODEL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

# Unit tests, the integration suite, the screen tests and the fault matrix
# with boxtop and the simulator built with AddressSanitizer +
# UndefinedBehaviorSanitizer (a leak at exit fails a run).
# Each is also a suite of its own (asan-unit, ...), for check to run at once.
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_MAKE = $(MAKE) BUILD=build/asan CFLAGS="-O1 -g" SAN="$(ASAN_FLAGS)"
asan: asan-bins
	$(MAKE) asan-unit asan-integration asan-e2e asan-faults
asan-bins:
	$(ASAN_MAKE) test-bins
asan-unit:
	$(ASAN_MAKE) unit
asan-integration:
	$(ASAN_MAKE) integration
asan-nettest:
	$(ASAN_MAKE) nettest
asan-integration-sh:
	$(ASAN_MAKE) integration-sh
asan-e2e:
	$(ASAN_MAKE) e2e
asan-faults:
	$(ASAN_MAKE) faults

# Unit tests (the store's and the pool's concurrency tests among them) and
# the net layer's tests (the poller's thread) under ThreadSanitizer.
TSAN_MAKE = $(MAKE) BUILD=build/tsan CFLAGS="-O1 -g" SAN="-fsanitize=thread"
tsan: tsan-bins
	$(MAKE) tsan-unit tsan-nettest
tsan-bins:
	$(TSAN_MAKE) unit-bins nettest-bins
tsan-unit:
	$(TSAN_MAKE) unit
tsan-nettest:
	$(TSAN_MAKE) nettest

# libFuzzer targets: one per parser of untrusted input, built with clang.
fuzz:
	$(MAKE) BUILD=build/fuzz CC=$(FUZZ_CC) CFLAGS="-O1 -g" \
		SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" fuzz-bins

.PHONY: fuzz-bins
fuzz-bins: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_NAMES))

$(BUILD)/fuzz/fuzz_%: $(call obj,tests/fuzz/fuzz_%.c) $(LIBSIM) $(LIBNET) $(LIBMODEL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS_ALL)

$(patsubst %,$(BUILD)/fuzz/fuzz_%,$(DECODE_FUZZ)): $(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_decode.c \
		$(LIBNET) $(LIBMODEL)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DFUZZ_DECODER='"$*"' $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ \
		$(LDLIBS_ALL)

# A short run of every fuzzer over its seed corpus (FUZZ_SECONDS each).
fuzz-run: fuzz
	@sh scripts/fuzz-run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

# A long campaign (not in check): every target for FUZZ_SECONDS, FUZZ_JOBS at
# a time, e.g. make fuzz-campaign FUZZ_SECONDS=600 FUZZ_JOBS=2 (docs/fuzzing.md).
FUZZ_JOBS ?= 1
# A finding prints the log's end and the reproducer's name on stderr, and the
# campaign exits non-zero (xargs's status, not the filter's).
fuzz-campaign: fuzz
	@printf '%s\n' $(FUZZ_NAMES) | xargs -P $(FUZZ_JOBS) -I{} \
		sh scripts/fuzz-run.sh build/fuzz $(FUZZ_SECONDS) {} >build/fuzz/campaign.log; \
	rc=$$?; grep -E '^ *fuzz: [a-z_]+:' build/fuzz/campaign.log; exit $$rc

bench: deps all
	$(MAKE) BUILD=build/bench CFLAGS="-O2 -g -DNDEBUG" bench-bins
	@sh scripts/bench.sh build/bench

.PHONY: bench-bins
bench-bins: $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

$(BUILD)/bench/%: $(call obj,bench/%.c tests/support/simproc.c) $(LIBNET) $(LIBMODEL)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/boxtop $(BUILD)/boxlite-sim $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 docs/boxtop.1 docs/boxlite-sim.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
