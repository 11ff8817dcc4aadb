# Hadrian: `make run` and `make test` do all set-up on a fresh Debian 12 machine.
SHELL := /bin/bash
.DEFAULT_GOAL := build

BUILD_DIR      ?= build
TEST_BUILD_DIR ?= build-test
BENCH_BUILD_DIR ?= build-bench
PGO_BUILD_DIR  ?= build-pgo
CONFIG         ?= config/hadrian.toml
JOBS           ?= $(shell nproc)

# Every Debian package the build, the tests and the tools use.
DEBS := build-essential cmake ninja-build ccache pkg-config ca-certificates curl \
        libboost1.81-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libssl-dev \
        libgtest-dev libgmock-dev libtomlplusplus-dev libsqlite3-dev libpq-dev libhiredis-dev \
        libmimalloc-dev clang-format python3

# What only the benchmark uses (`make bench`, `make bench-soak`).
BENCH_DEBS := wrk nginx
PROFILE_DEBS := linux-perf strace valgrind

.PHONY: deps build run test test-unit test-integration test-bench configure-test image image-test format clean \
        bench bench-soak bench-profile bench-deps bench-tools build-pgo

deps:
	@scripts/install-deps.sh $(DEBS)

bench-deps:
	@scripts/install-deps.sh $(BENCH_DEBS)

# Every option is given, so a build directory configured otherwise before is set right.
$(BUILD_DIR)/build.ninja: CMakeLists.txt Makefile
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DHADRIAN_TESTS=OFF \
	    -DHADRIAN_SANITIZE=OFF >/dev/null

build: deps $(BUILD_DIR)/build.ninja
	@cmake --build $(BUILD_DIR) --target hadrian -j $(JOBS)

run: build
	./$(BUILD_DIR)/hadrian serve --config $(CONFIG)

# Tests build with AddressSanitizer and UndefinedBehaviorSanitizer.
configure-test: deps
	@[ -f $(TEST_BUILD_DIR)/build.ninja ] || cmake -S . -B $(TEST_BUILD_DIR) -G Ninja \
	    -DCMAKE_BUILD_TYPE=Debug -DHADRIAN_SANITIZE=ON >/dev/null

test-unit: configure-test
	@cmake --build $(TEST_BUILD_DIR) -j $(JOBS)
	@cd $(TEST_BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-integration: configure-test
	@cmake --build $(TEST_BUILD_DIR) --target hadrian -j $(JOBS)
	@cd tests && npm ci --no-audit --no-fund --silent
	@cd tests && HADRIAN_BIN=../$(TEST_BUILD_DIR)/hadrian npm test

# The benchmark's own logic (how rounds become the table), without running a benchmark.
test-bench: deps
	@python3 -m unittest discover -s bench/tests

test: test-unit test-integration test-bench

# The benchmark's tools (fake upstream, load client) are a separate CMake project in bench/,
# so that they never slow down or break the gateway's build and tests.
$(BENCH_BUILD_DIR)/build.ninja: bench/CMakeLists.txt
	@cmake -S bench -B $(BENCH_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

bench-tools: deps $(BENCH_BUILD_DIR)/build.ninja
	@cmake --build $(BENCH_BUILD_DIR) -j $(JOBS)

# The gateway built with profile-guided optimisation (scripts/build-pgo.sh), as the container
# image ships it: trained on the benchmark's loads, so it needs the benchmark's tools. Two full
# builds, skipped while build-pgo/hadrian is newer than every source.
build-pgo: deps bench-deps bench-tools
	@PGO_BUILD_DIR=$(PGO_BUILD_DIR) JOBS=$(JOBS) scripts/build-pgo.sh

# Direct call, nginx and the gateway side by side, the gateway as the image ships it
# (HADRIAN_BIN, HADRIAN_BIN_B: other binaries); BENCH_* variables are in bench/README.md.
bench: build-pgo
	@HADRIAN_BIN=$${HADRIAN_BIN:-$(PGO_BUILD_DIR)/hadrian} python3 bench/run.py

bench-soak: build-pgo
	@HADRIAN_BIN=$${HADRIAN_BIN:-$(PGO_BUILD_DIR)/hadrian} python3 bench/run.py --soak

bench-profile: build bench-deps bench-tools
	@scripts/install-deps.sh $(PROFILE_DEBS)
	@python3 bench/run.py --profile

image: deps
	@scripts/image.sh build

image-test: deps
	@scripts/image.sh test

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR) $(BENCH_BUILD_DIR) $(PGO_BUILD_DIR) build-pgo-gen \
	    build-pgo-profile
