# The user's entry points. `make demo` and `make check` are the two commands the README
# starts with; both install what is missing first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build check check-sanitized unit e2e demo demo-down bench bench-quick package clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

check: build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 1800

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L unit

e2e: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L e2e

# Every test against a build with AddressSanitizer and UndefinedBehaviorSanitizer (about 16
# minutes to build on 2 cores, 10 to run). Not part of `make check`. A sanitizer report from
# any pgfront, proxyctl or test binary fails it, also when the test itself passed.
SAN_DIR ?= build-sanitized
# -fno-sanitize-recover: an UBSan finding aborts the binary, so its test fails (with ASan
# linked in, GCC 12's UBSan ignores log_path and prints only to stderr, often a log file).
SANITIZERS = -fsanitize=address,undefined -fno-sanitize-recover=all
check-sanitized: deps
	cmake -S . -B $(SAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
		-DCMAKE_CXX_FLAGS="-O1 -g -fno-omit-frame-pointer $(SANITIZERS)" -DCMAKE_EXE_LINKER_FLAGS="$(SANITIZERS)"
	cmake --build $(SAN_DIR) -j $(JOBS)
	scripts/check-sanitized.sh $(SAN_DIR)

demo: build
	scripts/demo.sh $(BUILD_DIR)

demo-down:
	scripts/demo.sh --down

# Benchmarks (bench/README.md): pgfront vs PgBouncer vs HAProxy vs direct on a local cluster.
# They write bench/RESULTS.md and bench/plots/; never part of `make check`.
bench: build
	bench/run --pgfront $(BUILD_DIR)/app/pgfront

bench-quick: build
	bench/run --quick --pgfront $(BUILD_DIR)/app/pgfront

# The Debian package (packaging/, CPack): $(BUILD_DIR)/packages/pgfront_VERSION_ARCH.deb
package: build
	cmake --build $(BUILD_DIR) --target package
	@ls -1 $(BUILD_DIR)/packages/*.deb

clean:
	rm -rf $(BUILD_DIR)
