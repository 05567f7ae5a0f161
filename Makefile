# Fovea build, test and release targets. `make help` lists them.
#
# The default build is pure Go (CGO_ENABLED=0 works everywhere); `make
# build` adds the OpenCV camera backend (build tag opencv, needs
# libopencv-dev).

GO           ?= go
PKG          := github.com/fovea-edge/fovea
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT       ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS      := -s -w -X $(PKG)/agent.Version=$(VERSION) -X $(PKG)/agent.commit=$(COMMIT)
STATICCHECK  := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME     ?= 20s
BENCHTIME    ?= 1x
BIN          := bin
# The opencv tag is used wherever pkg-config finds OpenCV 4.
HAVE_OPENCV  := $(shell pkg-config --exists opencv4 2>/dev/null && echo yes)

.PHONY: tfjs tflite-c test-tflite-c bench-native help all build build-static cross test test-go test-opencv test-kernels test-kernels-arm64 race bench bench-compare lint vet fmt demo fuzz models clean \
	release release-check deb-arch deb deb-opencv deb-test

all: lint test build-static ## lint, test and build (the default)

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## bin/fovea with the OpenCV camera backend (tag opencv, needs libopencv-dev)
	$(GO) build -tags opencv -ldflags '$(LDFLAGS)' -o $(BIN)/fovea ./cmd/fovea

build-static: ## bin/fovea-static: pure Go, CGO_ENABLED=0, no OpenCV
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/fovea-static ./cmd/fovea

cross: ## pure-Go binaries for linux/arm64 (Pi 4/5, Jetson) and linux/arm GOARM=7 (Pi 2/3, 32-bit)
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/fovea-linux-arm64 ./cmd/fovea
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/fovea-linux-armv7 ./cmd/fovea

test: test-go test-opencv ## go test ./... (pure Go), then the opencv-tagged packages again when OpenCV is installed

# Packages whose tests read the assets in ../shared run with -count=1: go
# test's cache does not notice ../shared appearing or changing, and would
# replay the skips of a run without it. The others may come from the cache.
PKG_IMPORTS   = $(GO) list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' $(1)
ASSET_PKGS    = $(shell $(call PKG_IMPORTS,./...) | awk '/testutil\/sharedtest/ {print $$1}')
CACHED_PKGS   = $(shell $(call PKG_IMPORTS,./...) | awk '!/testutil\/sharedtest/ {print $$1}')
TESTLOG      := $(BIN)/test.log
ASSET_RUN     = $(if $(strip $(ASSET_PKGS)),$(GO) test -v -count=1 $(ASSET_PKGS),true)
CACHED_RUN    = $(if $(strip $(CACHED_PKGS)),$(GO) test -v $(CACHED_PKGS),true)

# runtests LOG, COMMANDS: runs the shell COMMANDS (go test -v …) with all
# output in LOG; prints the package lines as they come, one line counting
# the skipped tests by reason, and the failures when there are any.
define runtests
	@mkdir -p $(BIN)
	@( $(2); echo $$? > $(1).rc ) 2>&1 | tee $(1) | grep --line-buffered -E '^(ok|FAIL|panic:)'; \
	awk -f .ci/skips.awk $(1); \
	if [ "$$(cat $(1).rc)" != 0 ]; then { grep -B12 -E -- '^ *--- FAIL' $(1); grep -A30 '^panic:' $(1); } | head -200; echo "full output: $(1)"; exit 1; fi
endef

test-go:
	$(call runtests,$(TESTLOG),$(CACHED_RUN); a=$$?; $(ASSET_RUN); b=$$?; [ $$a = 0 ] && [ $$b = 0 ])

# Only these packages build differently with the tag (and cmd/fovea links
# them); the rest would just run twice.
OPENCV_PKGS  := ./camera/... ./agent/... ./cmd/...

test-opencv:
ifeq ($(HAVE_OPENCV),yes)
	$(call runtests,$(BIN)/test-opencv.log,$(GO) test -v -tags opencv -count=1 $(OPENCV_PKGS))
else
	@echo "test-opencv: skipped, pkg-config does not find opencv4 (apt-get install libopencv-dev)"
endif

# Every kernel path this CPU runs (FOVEA_KERNELS forces one; see
# docs/kernels.md): the interpreter's goldens, layer dumps, single-op tables
# and random graphs must give the same bytes on each. The kernels' own
# tests already loop over every available path.
KERNEL_PATHS ?= $(shell $(GO) run ./cmd/fovea version 2>/dev/null | sed -n 's/^kernels:.*available: //p' | cut -d';' -f1 | tr -dc 'a-z0-9 ')

test-kernels: ## the interpreter's tests with each available kernel path forced (FOVEA_KERNELS)
	@test -n "$(KERNEL_PATHS)" || { echo "test-kernels: could not list the kernel paths (fovea version)"; exit 1; }
	@set -e; for p in $(KERNEL_PATHS); do \
		echo "== FOVEA_KERNELS=$$p"; \
		FOVEA_KERNELS=$$p $(GO) test -count=1 ./infer/tflite/...; \
	done

# The arm64 kernel paths under qemu (docs/kernels.md, "arm64"): the kernels'
# tests (every path via forEachPath) on an emulated Cortex-A72 (Pi 4: neon,
# no dotprod) and on qemu's "max" CPU (dotprod too), then the interpreter's
# tests and single-op tables with FOVEA_KERNELS forced to each arm64 path,
# -short (no MobileNet v2 goldens, a tenth of the random graphs, and the
# allocation test, which the kernels' TestKernelsDoNotAllocate covers per
# path), and the full golden test (all cases) for the SIMD paths.
QEMU_AARCH64     ?= qemu-aarch64-static
ARM64_PATHS      ?= generic neon dotprod
ARM64_FULL_PATHS ?= neon dotprod
ARM64_SHARED     := $(abspath $(or $(FOVEA_SHARED),../shared))
ARM64_TESTS      := $(BIN)/arm64

test-kernels-arm64: ## the kernels' and interpreter's tests on arm64 under qemu, FOVEA_KERNELS=generic, neon, dotprod
	@command -v $(QEMU_AARCH64) >/dev/null || { echo "test-kernels-arm64: $(QEMU_AARCH64) not found (apt-get install qemu-user-static)"; exit 1; }
	@mkdir -p $(ARM64_TESTS)
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) test -c -o $(ARM64_TESTS)/kernels.test ./infer/tflite/kernels
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) test -c -o $(ARM64_TESTS)/tflite.test ./infer/tflite
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) test -c -o $(ARM64_TESTS)/optest.test ./infer/tflite/optest
	@set -e; bin="$(abspath $(ARM64_TESTS))"; export FOVEA_SHARED="$(ARM64_SHARED)"; \
	run() { echo "== $$*"; env "$$@"; }; \
	cd infer/tflite/kernels; \
	run QEMU_CPU=cortex-a72 FOVEA_TEST_PATHS=generic,neon $(QEMU_AARCH64) $$bin/kernels.test -test.short; \
	run QEMU_CPU=max FOVEA_TEST_PATHS=generic,neon,dotprod $(QEMU_AARCH64) $$bin/kernels.test -test.short; \
	cd ..; \
	for p in $(ARM64_PATHS); do \
		run QEMU_CPU=max FOVEA_KERNELS=$$p $(QEMU_AARCH64) $$bin/tflite.test -test.short -test.skip InvokeAllocatesNothing; \
		(cd optest && run QEMU_CPU=max FOVEA_KERNELS=$$p $(QEMU_AARCH64) $$bin/optest.test -test.short); \
	done; \
	for p in $(ARM64_FULL_PATHS); do \
		run QEMU_CPU=max FOVEA_KERNELS=$$p $(QEMU_AARCH64) $$bin/tflite.test -test.run '^TestGolden$$'; \
	done

race: ## go test -race ./...
	$(GO) test -race ./...

bench: ## every benchmark, briefly (BENCHTIME=1x; try BENCHTIME=2s)
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) ./...

vet: ## go vet, with and without the opencv tag, and the tflite_c engine (typechecks without its library)
	$(GO) vet ./...
ifeq ($(HAVE_OPENCV),yes)
	$(GO) vet -tags opencv ./...
endif
	$(GO) vet -tags tflite_c ./infer/tflitec/ ./cmd/fovea/

lint: vet ## gofmt -s (reports, changes nothing), go vet and staticcheck
	@unformatted="$$(gofmt -s -l $$(git ls-files '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "lint: gofmt -s would change these files (run make fmt):"; echo "$$unformatted"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...
ifeq ($(HAVE_OPENCV),yes)
	$(GO) run $(STATICCHECK) -tags opencv ./...
endif
	$(GO) run $(STATICCHECK) -tags tflite_c ./infer/tflitec/ ./cmd/fovea/
	@# The kernels' arm64 and purego builds (stubs, dispatch) are checked too;
	@# staticcheck runs on this machine and analyses the other GOARCH.
	@mkdir -p $(BIN) && GOBIN=$(abspath $(BIN)) $(GO) install $(STATICCHECK)
	GOARCH=arm64 $(BIN)/staticcheck ./infer/...
	$(BIN)/staticcheck -tags purego ./infer/...

fmt: ## gofmt -s every file
	gofmt -s -w $$(git ls-files '*.go')

demo: ## run the agent on the synthetic camera and the shapes model, print 200 results
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/fovea-static ./cmd/fovea
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "demo: state in $$tmp, status at http://127.0.0.1:8090/api/status"; \
	$(BIN)/fovea-static run --config configs/demo.yaml --data "$$tmp" --print --frames 200

fuzz: ## run every fuzz target for FUZZTIME (default 20s) each
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
		dir=$$(dirname $$f); \
		for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | cut -d' ' -f2); do \
			echo "== $$dir $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) ./$$dir; \
		done; \
	done

models: ## regenerate the demo model testdata/models/shapes.tflite
	$(GO) run ./cmd/fovea train-demo --out testdata/models/shapes.tflite

clean: ## remove bin/ and dist/
	rm -rf $(BIN) $(DIST)

# Releases (docs/install.md). nfpm builds the .deb packages; `go run` with
# a pinned version fetches it through the module proxy, no binary download.
NFPM         := $(GO) run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.48.0
DIST         := dist
# Release architectures: Go GOARCH[/GOARM] and the name used in dist/.
RELEASE_ARCHES := amd64 arm64 armv7
# A release version is x.y.z (an optional leading v is dropped).
REL_VERSION   = $(patsubst v%,%,$(VERSION))
DEB_TEST_VERSION := 0.0.0~test

release: release-check ## VERSION=x.y.z: static binaries, .debs and SHA256SUMS for linux/amd64, arm64, armv7 in dist/
	rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for a in $(RELEASE_ARCHES); do \
		$(MAKE) --no-print-directory deb-arch ARCH=$$a VERSION=$(REL_VERSION); \
	done
	rm -rf $(DIST)/pkg
	cd $(DIST) && sha256sum fovea_* > SHA256SUMS
	@echo "release $(REL_VERSION):" && cat $(DIST)/SHA256SUMS

release-check:
	@echo '$(REL_VERSION)' | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$$' || \
		{ echo "make release: VERSION=$(VERSION) is not x.y.z; run make release VERSION=1.2.3" >&2; exit 2; }

# deb-arch builds dist/fovea_VERSION_linux_ARCH (static, pure Go) and its
# .deb; ARCH is amd64, arm64 or armv7 (Debian's armhf).
deb-arch:
	@mkdir -p $(DIST)
	CGO_ENABLED=0 GOOS=linux GOARCH=$(subst armv7,arm,$(ARCH)) GOARM=7 $(GO) build -trimpath \
		-ldflags '-s -w -X $(PKG)/agent.Version=$(VERSION) -X $(PKG)/agent.commit=$(COMMIT)' \
		-o $(DIST)/fovea_$(VERSION)_linux_$(ARCH) ./cmd/fovea
	install -D -m 0755 $(DIST)/fovea_$(VERSION)_linux_$(ARCH) $(DIST)/pkg/fovea
	FOVEA_VERSION=$(VERSION) FOVEA_ARCH=$(subst armv7,arm7,$(ARCH)) \
		$(NFPM) package --config packaging/nfpm.yaml --packager deb \
		--target $(DIST)/fovea_$(VERSION)_$(subst armv7,armhf,$(ARCH)).deb

deb: ## the amd64 .deb only, in dist/ (default version 0.0.0~test, or VERSION=x.y.z)
	$(MAKE) --no-print-directory deb-arch ARCH=amd64 VERSION=$(if $(filter command line,$(origin VERSION)),$(REL_VERSION),$(DEB_TEST_VERSION))

deb-opencv: ## on an arm64 (or any) board with libopencv-dev: .deb with the OpenCV camera backend (cgo, built natively)
	@pkg-config --exists opencv4 || { echo "deb-opencv: pkg-config finds no opencv4: apt-get install libopencv-dev (natively on the board: cgo does not cross-compile here)" >&2; exit 2; }
	@mkdir -p $(DIST)
	CGO_ENABLED=1 $(GO) build -tags opencv -trimpath \
		-ldflags '-s -w -X $(PKG)/agent.Version=$(REL_VERSION) -X $(PKG)/agent.commit=$(COMMIT)' \
		-o $(DIST)/fovea_$(REL_VERSION)_linux_opencv ./cmd/fovea
	packaging/opencv-depends.sh $(DIST)/fovea_$(REL_VERSION)_linux_opencv packaging/nfpm.yaml > $(DIST)/nfpm-opencv.yaml
	install -D -m 0755 $(DIST)/fovea_$(REL_VERSION)_linux_opencv $(DIST)/pkg/fovea
	FOVEA_VERSION=$(REL_VERSION) FOVEA_ARCH=$$($(GO) env GOARCH | sed 's/^arm$$/arm7/') \
		$(NFPM) package --config $(DIST)/nfpm-opencv.yaml --packager deb \
		--target $(DIST)/fovea_$(REL_VERSION)_$$(dpkg --print-architecture)_opencv.deb

deb-test: ## as root (throwaway overlays unless DEB_TEST_IN_PLACE=1): build the amd64 .deb, install it, run its service command for 50 frames, purge it
	$(MAKE) --no-print-directory deb VERSION=$(DEB_TEST_VERSION)
	packaging/deb-test.sh $(DIST)/fovea_$(DEB_TEST_VERSION)_amd64.deb

TFJS_DIR     := .tfjs

tfjs: ## install TFLite-in-WebAssembly (@tensorflow/tfjs-tflite, needs node and npm) into .tfjs for TestTFLiteWasm and bench-compare
	npm install --prefix $(TFJS_DIR) --no-audit --no-fund @tensorflow/tfjs-tflite@0.0.1-alpha.10

# bench-compare times the same models in TFLite-wasm and in Fovea (every
# kernel path) in one run (docs/kernels.md). BENCH_MODELS: comma-separated
# paths or names in ../shared/golden/models (default: four MobileNets, or
# the demo model without ../shared); BENCH_FLAGS: more flags for the
# script, e.g. --json or --kernels avx2. $$FOVEA_TFJS and $$FOVEA_SHARED
# point elsewhere than .tfjs and ../shared.
BENCH_MODELS ?=
BENCH_THREADS ?= 1,2
BENCH_RUNS   ?= 20
BENCH_ROUNDS ?= 3
BENCH_FLAGS  ?=

bench-compare: build-static ## Fovea against TFLite-wasm on the same models in one run: ms per Invoke, the ratio, top-1 (make tfjs first)
	@command -v node >/dev/null || { echo "bench-compare: node is not installed (apt-get install nodejs npm, then make tfjs)"; exit 2; }
	node infer/tflite/benchcmp/run.js --fovea $(BIN)/fovea-static --tfjs $(or $(FOVEA_TFJS),$(TFJS_DIR)) --threads $(BENCH_THREADS) \
		--runs $(BENCH_RUNS) --rounds $(BENCH_ROUNDS) $(if $(BENCH_MODELS),--models $(BENCH_MODELS)) $(BENCH_FLAGS)

IDLE_MODEL   ?= $(or $(FOVEA_SHARED),../shared)/golden/models/mobilenet_v2_1.0_224_quant.tflite
IDLE_FPS     ?= 5 30
IDLE_THREADS ?= 1 2 4
IDLE_SECONDS ?= 30

bench-idle: build-static ## the CPU fovea run uses on a synthetic camera at each IDLE_FPS and IDLE_THREADS (the pool's idle cost)
	internal/bench/idle-cpu.sh $(BIN)/fovea-static $(IDLE_MODEL) "$(IDLE_FPS)" "$(IDLE_THREADS)" $(IDLE_SECONDS)

# The tflite_c engine (infer/tflitec, docs/tflite-c.md) links the
# TensorFlow Lite C library. tflite-c fetches a prebuilt one (TFLite 2.9.0
# with XNNPACK, linux amd64 or arm64) from the npm package
# tfjs-tflite-node, checks the package's sha256 and keeps only the library.
# $$FOVEA_TFLITE_C points elsewhere (a directory holding
# libtensorflowlite_c.so, e.g. one built for the board).
TFLITE_C_DIR    := $(or $(FOVEA_TFLITE_C),.tflite_c)
TFLITE_C_PKG    := tfjs-tflite-node-0.0.2.tgz
TFLITE_C_SHA256 := 3be1632328a76a2475e5b6833253763c802c859433becb4d879ee1860e3b5284
TFLITE_C_ARCH   := $(if $(filter aarch64 arm64,$(shell uname -m)),linux_arm64,linux_amd64)
TFLITE_C_ENV     = CGO_ENABLED=1 CGO_LDFLAGS="-L$(abspath $(TFLITE_C_DIR)) -Wl,-rpath,$(abspath $(TFLITE_C_DIR))"

tflite-c: ## fetch a prebuilt TensorFlow Lite C library (2.9.0, XNNPACK) into .tflite_c for the tflite_c engine (needs npm)
	@command -v npm >/dev/null || { echo "tflite-c: npm is not installed (apt-get install nodejs npm)"; exit 2; }
	@mkdir -p $(TFLITE_C_DIR) && cd $(TFLITE_C_DIR) && npm pack --silent tfjs-tflite-node@0.0.2 >/dev/null && \
		echo "$(TFLITE_C_SHA256)  $(TFLITE_C_PKG)" | sha256sum -c --quiet - && \
		tar xzf $(TFLITE_C_PKG) package/cc_deps/$(TFLITE_C_ARCH)/libtensorflowlite_c.so && \
		mv package/cc_deps/$(TFLITE_C_ARCH)/libtensorflowlite_c.so . && rm -rf package $(TFLITE_C_PKG)
	@echo "tflite-c: $(TFLITE_C_DIR)/libtensorflowlite_c.so ($(TFLITE_C_ARCH))"

test-tflite-c: ## the tflite_c engine's tests: goldens in TFLite's built-in kernels and XNNPACK, bad models, bench-engines (make tflite-c first)
	@test -f $(TFLITE_C_DIR)/libtensorflowlite_c.so || { echo "test-tflite-c: no $(TFLITE_C_DIR)/libtensorflowlite_c.so; run make tflite-c"; exit 2; }
	$(TFLITE_C_ENV) $(GO) test -count=1 -tags tflite_c ./infer/tflitec/
	$(TFLITE_C_ENV) $(GO) test -count=1 -tags tflite_c -run TestBenchEngines ./cmd/fovea/

NATIVE_SHARED := $(or $(FOVEA_SHARED),../shared)
NATIVE_MODELS ?= $(NATIVE_SHARED)/golden/models/mobilenet_v2_1.0_224_quant.tflite,$(NATIVE_SHARED)/golden/models/tf2_mobilenet_v2_1.0_224_ptq.tflite,$(NATIVE_SHARED)/golden/models/mobilenet_v1_0.25_224_1_default_1.tflite

bench-native: ## Fovea against native TensorFlow Lite (XNNPACK) on the same models in one run (make tflite-c first)
	@test -f $(TFLITE_C_DIR)/libtensorflowlite_c.so || { echo "bench-native: no $(TFLITE_C_DIR)/libtensorflowlite_c.so; run make tflite-c"; exit 2; }
	$(TFLITE_C_ENV) $(GO) build -tags tflite_c -o $(BIN)/fovea-tflitec ./cmd/fovea
	$(BIN)/fovea-tflitec bench-engines --models $(NATIVE_MODELS) \
		--threads $(BENCH_THREADS) --runs $(BENCH_RUNS) --rounds $(BENCH_ROUNDS)
