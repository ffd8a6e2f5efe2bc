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
TEST_DEPS := openssl tmux jq tshark gnutls-bin
# mbed TLS for the interop tests: python-mbedtls from PyPI, for the python3 on PATH.
PYTHON ?= python3

.PHONY: run test build deps test-deps fuzz bench clean

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(BUILD_DEPS))

# The event schema test runs python3 with jsonschema: pip's if the python3 on
# PATH has it, Debian's python3-jsonschema otherwise. The interop tests run the
# python3 on PATH with mbedtls: pip installs python-mbedtls when it is missing.
test-deps: deps
	@dpkg -s tshark >/dev/null 2>&1 || \
		echo "wireshark-common wireshark-common/install-setuid boolean false" | $(SUDO) debconf-set-selections
	$(call apt_install,$(TEST_DEPS))
	@python3 -c 'import jsonschema' 2>/dev/null || /usr/bin/python3 -c 'import jsonschema' 2>/dev/null || \
		$(MAKE) --no-print-directory apt-jsonschema
	@if ! $(PYTHON) -c 'import mbedtls' 2>/dev/null; then \
		if ! $(PYTHON) -m pip --version >/dev/null 2>&1; then \
			echo "installing: python3 python3-pip"; \
			$(SUDO) apt-get update -qq && \
			$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip >/dev/null; \
		fi; \
		echo "installing: python-mbedtls"; \
		$(PYTHON) -m pip install -q python-mbedtls 2>/dev/null || \
			$(PYTHON) -m pip install -q --break-system-packages python-mbedtls; \
	fi

.PHONY: apt-jsonschema
apt-jsonschema:
	$(call apt_install,python3-jsonschema)

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

run: build
	$(BIN)

test: test-deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build $(BUILD_FLAGS)
	Tests/TerminalTests/run.sh "$$($(SWIFT) build --show-bin-path $(BUILD_FLAGS))/dtlsh"

# The long fuzz runs (the short ones are part of make test).
fuzz: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	DTLSH_FUZZ_ITERATIONS=1000000 $(SWIFT) test --skip-build $(BUILD_FLAGS) --filter Fuzz

# Speed and memory figures (release build): handshakes and echoes per
# server-CPU-second, bytes per peer. `make bench WORKERS=2`: serve --workers 2.
WORKERS ?= 1
bench: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)
	.build/release/dtlsh bench --workers $(WORKERS) --credential psk --count 10000 --messages 2000 --hold 5000
	.build/release/dtlsh bench --workers $(WORKERS) --credential cert --mode handshake --count 3000

clean:
	rm -rf .build
