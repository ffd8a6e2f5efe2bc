# dtlsh — two commands: `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD_FLAGS ?=
BIN = .build/debug/dtlsh

# Debian packages the build needs; installed only when missing.
BUILD_DEPS := libssl-dev libedit-dev pkg-config
# Real peers and tools the tests drive (gnutls-bin: gnutls-serv, gnutls-cli). tshark
# asks whether non-root users may capture; answer "no" beforehand so the install
# never stops at a prompt.
TEST_DEPS := openssl tmux jq tshark gnutls-bin gcc
# mbed TLS and tinydtls for the interop tests: python-mbedtls and dtlssocket (which vendors
# tinydtls) from PyPI, for the python3 on PATH. pip builds tinydtls from source: autotools and
# the python headers first.
PYTHON ?= python3
TINYDTLS_BUILD_DEPS := autoconf automake libtool gcc python3-dev

.PHONY: run test build deps test-deps fuzz bench clean

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

# pip install PACKAGE for $(PYTHON) when it cannot import MODULE (pip itself first when missing;
# Debian's own python3 wants --break-system-packages): $(call pip_install,MODULE,PACKAGE)
define pip_install
	@if ! $(PYTHON) -c 'import $(1)' 2>/dev/null; then \
		if ! $(PYTHON) -m pip --version >/dev/null 2>&1; then \
			echo "installing: python3 python3-pip"; \
			$(SUDO) apt-get update -qq && \
			$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip >/dev/null; \
		fi; \
		echo "installing: $(2)"; \
		$(PYTHON) -m pip install -q $(2) 2>/dev/null || \
			$(PYTHON) -m pip install -q --break-system-packages $(2); \
	fi
endef

deps:
	$(call apt_install,$(BUILD_DEPS))

# The event schema test runs python3 with jsonschema: pip's if the python3 on
# PATH has it, Debian's python3-jsonschema otherwise. The interop tests run the
# python3 on PATH with mbedtls and DTLSSocket: pip installs python-mbedtls and
# dtlssocket when they are missing (dtlssocket's build tools first: about a minute).
test-deps: deps
	@dpkg -s tshark >/dev/null 2>&1 || \
		echo "wireshark-common wireshark-common/install-setuid boolean false" | $(SUDO) debconf-set-selections
	$(call apt_install,$(TEST_DEPS))
	@python3 -c 'import jsonschema' 2>/dev/null || /usr/bin/python3 -c 'import jsonschema' 2>/dev/null || \
		$(MAKE) --no-print-directory apt-jsonschema
	$(call pip_install,mbedtls,python-mbedtls)
	@$(PYTHON) -c 'import DTLSSocket' 2>/dev/null || $(MAKE) --no-print-directory apt-tinydtls-build
	$(call pip_install,DTLSSocket,dtlssocket)

.PHONY: apt-jsonschema apt-tinydtls-build
apt-jsonschema:
	$(call apt_install,python3-jsonschema)
apt-tinydtls-build:
	$(call apt_install,$(TINYDTLS_BUILD_DEPS))

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

run: build
	$(BIN)

# The release build is for the test that no datagram allocates (an optimized
# build's property, not a debug build's).
test: test-deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) build -c release --product dtlsh $(BUILD_FLAGS)
	DTLSH_RELEASE_BINARY="$$($(SWIFT) build -c release --show-bin-path $(BUILD_FLAGS))/dtlsh" \
		$(SWIFT) test --skip-build $(BUILD_FLAGS)
	Tests/TerminalTests/run.sh "$$($(SWIFT) build --show-bin-path $(BUILD_FLAGS))/dtlsh"
	python3 Tests/TerminalTests/typed_input.py "$$($(SWIFT) build --show-bin-path $(BUILD_FLAGS))/dtlsh"

# The long fuzz runs (the short ones are part of make test): the engine's, the shell's, and typed
# input in a terminal (1 MB lines, 200 rounds of random keys) against the release binary.
fuzz: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) build -c release --product dtlsh $(BUILD_FLAGS)
	DTLSH_FUZZ_ITERATIONS=1000000 $(SWIFT) test --skip-build $(BUILD_FLAGS) --filter Fuzz
	python3 Tests/TerminalTests/typed_input.py --long "$$($(SWIFT) build -c release --show-bin-path $(BUILD_FLAGS))/dtlsh"

# Speed and memory figures (release build): handshakes and echoes per
# server-CPU-second (medians of 5 runs, the two servers taking turns), a raw UDP
# echo as the floor; the same handshakes and echoes against `serve --psk ID:KEY
# --echo` as README shows it (--defaults: a line per peer, to a log file); then
# with the counting allocator preloaded (it slows both
# servers, so it is a run of its own) heap allocations per handshake and echo and
# bytes per peer at 1,000 and 10,000 peers; every figure next to the C
# reference server's. `make bench WORKERS=2`:
# serve --workers 2 alone (the reference has one thread).
WORKERS ?= 1
BENCH_TOOLS = .build-reference/dtls-reference-server .build-reference/liballocation-counter.so
bench: deps $(BENCH_TOOLS)
	$(SWIFT) build -c release $(BUILD_FLAGS)
ifeq ($(WORKERS),1)
	.build/release/dtlsh bench --reference .build-reference/dtls-reference-server \
		--runs 5 --credential psk --count 20000 --messages 4000 --hold 1000
	.build/release/dtlsh bench --reference .build-reference/dtls-reference-server \
		--runs 5 --credential cert --mode handshake --count 4000
	.build/release/dtlsh bench --defaults --reference .build-reference/dtls-reference-server \
		--runs 5 --credential psk --mode handshake --count 20000
	.build/release/dtlsh bench --defaults --reference .build-reference/dtls-reference-server \
		--runs 5 --credential psk --mode echo --messages 4000
	.build/release/dtlsh bench --reference .build-reference/dtls-reference-server \
		--allocations .build-reference/liballocation-counter.so \
		--credential psk --count 2000 --messages 1000 --hold 1000 --hold 10000
else
	.build/release/dtlsh bench --workers $(WORKERS) --credential psk --count 20000 --messages 4000 --hold 1000
	.build/release/dtlsh bench --workers $(WORKERS) --credential cert --mode handshake --count 4000
endif

# The C reference server the Performance figures compare against (one thread,
# custom datagram BIO, cookie exchange): drop-in for `dtlsh bench --target`.
.PHONY: reference
reference: .build-reference/dtls-reference-server
.build-reference/dtls-reference-server: Benchmarks/Reference/dtls-reference-server.c
	$(call apt_install,libssl-dev pkg-config gcc)
	@mkdir -p .build-reference
	cc -std=c11 -O2 -Wall -Wextra -o $@ $< $$(pkg-config --cflags --libs openssl)

# The counting allocator `dtlsh bench --allocations` preloads into its server child.
.build-reference/liballocation-counter.so: Benchmarks/AllocationCounter/allocation-counter.c
	$(call apt_install,gcc)
	@mkdir -p .build-reference
	cc -std=c11 -O2 -Wall -Wextra -shared -fPIC -o $@ $<

# Robustness, long forms (the short forms run in make test).
.PHONY: churn flood sanitize valgrind

# 20000 handshakes with clients that vanish without close_notify against
# serve --idle 1 --max-peers 2000 (release build: the load must outrun the
# cap), and 3000 cookie-verified handshakes abandoned against --half-open 1000.
churn: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	DTLSH_BINARY="$$($(SWIFT) build -c release --show-bin-path $(BUILD_FLAGS))/dtlsh" \
	DTLSH_CHURN_HANDSHAKES=20000 DTLSH_CHURN_MAX_PEERS=2000 DTLSH_HALF_OPEN=1000 \
		$(SWIFT) test --skip-build $(BUILD_FLAGS) --filter ChurnTests

# 100000 spoofed ClientHellos from distinct source ports against a release serve.
flood: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	DTLSH_BINARY="$$($(SWIFT) build -c release --show-bin-path $(BUILD_FLAGS))/dtlsh" DTLSH_FLOOD_HELLOS=100000 \
		$(SWIFT) test --skip-build $(BUILD_FLAGS) --filter FloodTests

# The engine tests under AddressSanitizer (with LeakSanitizer) and under
# ThreadSanitizer, each in a build directory of its own. Swift Testing only:
# XCTest's empty pass leaks 144 bytes of its own at exit. Then the line editor
# under AddressSanitizer with typed input: the interactive dtlsh built with ASan,
# driven in a terminal by the typed-input fuzzer (long lines, Tab, paste, random
# keys); any ASan report fails it.
# All run even when one fails, so one report never hides another.
sanitize: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan $(BUILD_FLAGS)
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan $(BUILD_FLAGS)
	@status=0; \
	echo "== AddressSanitizer: line editor, typed input"; \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 python3 Tests/TerminalTests/typed_input.py \
		"$$($(SWIFT) build --sanitize=address --scratch-path .build-asan --show-bin-path $(BUILD_FLAGS))/dtlsh" || status=1; \
	echo "== AddressSanitizer"; \
	$(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan --disable-xctest $(BUILD_FLAGS) --filter DTLSPlexTests || status=1; \
	echo "== ThreadSanitizer"; \
	$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --disable-xctest $(BUILD_FLAGS) --filter DTLSPlexTests || status=1; \
	exit $$status

# dtlsh serve under valgrind memcheck through 1000 handshakes (and vanishing
# clients, echoes, certificate handshakes): no errors, 0 bytes definitely lost;
# valgrind.supp names the runtime's one-time allocations.
valgrind: deps
	$(call apt_install,valgrind)
	$(SWIFT) build $(BUILD_FLAGS)
	Tests/Valgrind/run.sh "$$($(SWIFT) build --show-bin-path $(BUILD_FLAGS))/dtlsh"

clean:
	rm -rf .build .build-asan .build-tsan
