# Sluice: the commands a newcomer runs. On a fresh Debian 12 machine, as root:
#
#   make serve    build Sluice and run the host on 127.0.0.1:8080 with a demo account
#   make test     everything CI checks
#
# `make help` lists the rest.

SHELL := /bin/bash

# The Swift toolchain lives in /opt/swift on our machines; find it even when it is not on PATH.
export PATH := $(PATH):/opt/swift/usr/bin

# Debian packages, one list per purpose. To add a package, add it to the right line.
BUILD_PACKAGES := libsqlite3-dev libyaml-dev libssl-dev libpq-dev libmicrohttpd-dev libwslay-dev sqlite3 pkg-config
TEST_PACKAGES  := python3 chromium chromium-driver
BENCH_PACKAGES := python3 sqlite3 time strace gcc

# Override on the command line or in the environment: `make fuzz FUZZ_SECONDS=60`.
FUZZ_SECONDS ?= 300
BENCH_ROWS   ?= 1000000
BENCH_WS_SECONDS ?= 20

SWIFT_FORMAT_PATHS := Sources Tests Package.swift

.DEFAULT_GOAL := help
.PHONY: help deps test-deps bench-deps build serve test lint fuzz bench bench-stages format clean

help:
	@echo "make serve    build Sluice (release) and run the host on 127.0.0.1:8080 (demo account on first run)"
	@echo "make test     build with warnings as errors, lint, unit tests, fuzz corpora, e2e tests"
	@echo "make bench    import benchmark: sluice vs plain sqlite3 (BENCH_ROWS=$(BENCH_ROWS))"
	@echo "make fuzz     libFuzzer + AddressSanitizer, FUZZ_SECONDS=$(FUZZ_SECONDS) per target"
	@echo "make build    release build only: .build/release/sluice"
	@echo "make format   rewrite Swift files with swift format (.swift-format)"
	@echo "make clean    remove .build"

# --- Debian packages (installed only when missing) ---------------------------------------

deps:
	@scripts/install-packages $(BUILD_PACKAGES)

test-deps: deps
	@scripts/install-packages $(TEST_PACKAGES)
	@python3 -c 'import selenium' 2>/dev/null || python3 -m pip install --quiet selenium

bench-deps: deps
	@scripts/install-packages $(BENCH_PACKAGES)

# --- Build and run ------------------------------------------------------------------------

build: deps
	swift build -c release --product sluice

serve: build
	@scripts/serve-demo

# --- Checks -------------------------------------------------------------------------------

# One debug build of every target (tests and fuzz replayers included) with warnings as
# errors; `swift test --skip-build` then reuses it instead of compiling everything again.
test: test-deps
	swift build --build-tests -Xswiftc -warnings-as-errors
	@# `make serve` runs the release build: it must compile too (it once did not).
	swift build -c release --product sluice -Xswiftc -warnings-as-errors
	swift format lint --strict --recursive $(SWIFT_FORMAT_PATHS)
	swift test --skip-build
	.build/debug/fuzz-csv Tests/Fuzz/corpus/csv
	.build/debug/fuzz-vendors Tests/Fuzz/corpus/vendors
	@# End-to-end tests drive the real binary; they find it through SLUICE_BIN.
	@if [ -d Tests/e2e ]; then \
		echo "python3 -m unittest discover -s Tests/e2e -p 'test_*.py'"; \
		SLUICE_UI_REQUIRED=1 SLUICE_BIN="$$(swift build --show-bin-path)/sluice" python3 -m unittest discover -s Tests/e2e -p 'test_*.py'; \
	fi

lint:
	swift format lint --strict --recursive $(SWIFT_FORMAT_PATHS)

format:
	swift format --in-place --recursive $(SWIFT_FORMAT_PATHS)

# libFuzzer + ASan builds go to .build/fuzz-build, crash inputs to .build/fuzz/.
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

bench: bench-deps build
	python3 bench/import_bench.py --rows $(BENCH_ROWS) --sluice .build/release/sluice
	python3 bench/ws_latency.py --seconds $(BENCH_WS_SECONDS) --sluice .build/release/sluice

# Where a webhook's latency goes inside the server (perf's system-call tracepoints).
bench-stages: bench-deps build
	@scripts/install-packages linux-perf
	python3 bench/ws_stages.py --sluice .build/release/sluice

clean:
	rm -rf .build
