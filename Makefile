# vnetsink front door: a thin layer over Meson and tools/ (`make help` prints this).
#
#   make                 build for the host (build/)
#   make arm64           cross-build for the ARM64 guest (build-arm64/)
#   make test            install deps, build host + arm64 + fuzz, run the test suites (README command 2)
#   make demo            the main job: build, boot the ARM64 guest, drive vnetsink with iperf3 (README command 1)
#   make run             boot the guest (VIRTIO_QUEUES=N MODE=vnetsink|dpdk-virtio|kernel|testpmd PACKED=on|off GUEST_ARCH=aarch64|x86_64;
#                        MODE=testpmd: PMD=vpmd|virtio FWD=rxonly|macswap|txonly;
#                        MODE=vnetsink-client|dpdk-virtio-client|kernel-client CLIENT_ARGS="-P 4 -t 10":
#                        the guest sends to the host's iperf3 -s, the summary is printed, the VM stops)
#   make bench           benchmarks (not tests): tools/bench
#   make setup-mq-tap    multi-queue taps (TAPS=, default VM_TAP of conf/vm.conf; TAP_NETNS=, TAP_USER=)
#   make hugepages       reserve HUGEPAGES_MB (default 1024) of 2 MB hugepages and mount hugetlbfs
#   make deps            install Debian packages (tools/install-deps)
#   make sanitize        build with ASan/UBSan in build-asan/ and run the unit suite
#   make fuzz            build the libFuzzer targets with clang in build-fuzz/ (make test runs them 60 s each)
#   make style           clang-format and shellcheck over the tree (tools/check-style; make test runs it)

BUILD        ?= build
BUILD_ARM64  ?= build-arm64
MESON_OPTS   ?=
SUITES       ?= unit host vm
# The guest's tap, as conf/vm.conf names it (the environment overrides it, as for run-vm).
VM_TAP       ?= $(shell . ./conf/vm.conf && echo "$$VM_TAP")
TAPS         ?= $(VM_TAP)
TAP_NETNS    ?=
TAP_USER     ?=
HUGEPAGES_MB ?= 1024
NINJA_JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

# Passed to tools/run-vm only when given: conf/vm.conf holds the defaults.
export VIRTIO_QUEUES MODE PACKED GUEST_ARCH CLIENT_ARGS

.PHONY: all build arm64 test test-unit deps run demo bench setup-mq-tap hugepages sanitize fuzz style clean help

all: build

# The header comment above, up to the first line that is not a comment.
help:
	@awk '/^#/ { sub(/^# ?/, ""); print; next } { exit }' $(firstword $(MAKEFILE_LIST))

deps:
	tools/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: $(BUILD)/build.ninja
	$(if $(strip $(MESON_OPTS)),meson configure $(BUILD) $(MESON_OPTS))
	ninja -C $(BUILD) -j $(NINJA_JOBS)

arm64:
	tools/cross-build $(BUILD_ARM64)

# Each phase's start is stamped, so a slow CI run shows where its time went.
test: deps
	@echo "make test: $$(date -u +%T) host build"
	$(MAKE) build MESON_OPTS="$(MESON_OPTS) -Dwerror=true"
	@echo "make test: $$(date -u +%T) arm64 build"
	$(MAKE) arm64
	@echo "make test: $$(date -u +%T) fuzz build"
	$(MAKE) fuzz
	@echo "make test: $$(date -u +%T) tests"
	@if [ "$$(id -u)" = 0 ]; then tools/hugepages reserve $(HUGEPAGES_MB) --at-least; \
	 else echo "make test: not root: the host and vm suites will say why they cannot run"; fi
	tools/run-tests $(BUILD) $(SUITES) --also build-fuzz fuzz

test-unit: build
	tools/run-tests $(BUILD) unit

# The guest carries this tree's arm64 vnetsink: build it and the image first (both cached).
run:
	@case "$(GUEST_ARCH)" in \
	x86_64|amd64) $(MAKE) build && guest-image/build --arch x86_64 --build $(BUILD) ;; \
	*) $(MAKE) arm64 && guest-image/build --arch arm64 --build $(BUILD_ARM64) ;; \
	esac
	TESTPMD_PMD="$(PMD)" TESTPMD_FWD="$(FWD)" tools/run-vm

demo:
	tools/demo

bench:
	tools/bench

setup-mq-tap:
	tools/setup-mq-tap $(if $(TAP_NETNS),--netns $(TAP_NETNS)) $(if $(TAP_USER),--user $(TAP_USER)) $(TAPS)

hugepages:
	tools/hugepages reserve $(HUGEPAGES_MB)

sanitize:
	meson setup build-asan -Db_sanitize=address,undefined -Db_lto=false -Dbuildtype=debug --reconfigure 2>/dev/null || \
		meson setup build-asan -Db_sanitize=address,undefined -Db_lto=false -Dbuildtype=debug
	ninja -C build-asan -j $(NINJA_JOBS)
	tools/run-tests build-asan unit

# Only what the fuzz suite runs: the rest of an ASan/UBSan clang build (unit tests, perf
# programs, the app) is the sanitize target's, and took most of CI's fuzz build time.
FUZZ_TARGETS = meson introspect --tests build-fuzz | python3 -c 'import json, os, sys; \
	b = os.path.abspath("build-fuzz"); \
	rel = [os.path.relpath(t["cmd"][0], b) for t in json.load(sys.stdin) \
		if any(s.split(":")[-1] == "fuzz" for s in t["suite"])]; \
	print(" ".join(sorted({r for r in rel if not r.startswith("..")})))'

fuzz:
	@[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lto=false -Dbuildtype=debugoptimized -Db_lundef=false
	@targets=$$($(FUZZ_TARGETS)) && [ -n "$$targets" ] || { echo "make fuzz: no fuzz tests in build-fuzz"; exit 1; }; \
		echo "ninja -C build-fuzz $$targets"; ninja -C build-fuzz -j $(NINJA_JOBS) $$targets

style:
	tools/check-style

clean:
	rm -rf $(BUILD) $(BUILD_ARM64) build-asan build-fuzz
