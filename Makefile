# ordset — common tasks. `make test` is the one command that proves a checkout works.
SHELL := /bin/bash
GO ?= go
BIN := bin/ordset
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# urfave_cli_no_docs leaves out urfave/cli's man page and markdown generator, which ordset does not
# use; its package init (markdown regexps and tables) ran at every start of every command.
# Everything that builds the binary passes the same tags (integration tests, benchmarks).
BUILD_TAGS := urfave_cli_no_docs
export TESTCONTAINERS_RYUK_DISABLED := true
# Integration tests share one engine; keep package-level parallelism low on small machines.
INTEGRATION_FLAGS ?= -tags integration -count=1 -p 1 -timeout 60m
FUZZTIME ?= 20s

.PHONY: build test test-unit test-integration test-k8s k8s-binaries chaos images fuzz bench lint sweep env clean

build: ## build bin/ordset
	CGO_ENABLED=0 $(GO) build -tags '$(BUILD_TAGS)' -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ordset

test: env test-unit test-integration ## everything: unit tests, a short fuzz run, integration tests on real Docker

env: ## install/start what the tests need (Debian, root), or say what is missing
	@bash .ci/ensure-env

test-unit: ## tests that need no Docker engine
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory fuzz

fuzz: ## short runs of every fuzz target
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./compose
	$(GO) test -run '^$$' -fuzz '^FuzzHandler$$' -fuzztime $(FUZZTIME) ./dnsserver

images: ## build the offline test images (no registry needed; cached)
	bash integration/images/build.sh

test-integration: images sweep ## tests against the real Docker engine, the built binary and the offline images
	$(GO) test $(INTEGRATION_FLAGS) ./...
	@$(MAKE) --no-print-directory sweep

chaos: images ## the fault-injection suite alone: daemon SIGKILLed mid-operation, out-of-band interference, two daemons (ORDSET_CHAOS_TRIALS per operation, ORDSET_CHAOS_SEED to replay)
	$(GO) test $(INTEGRATION_FLAGS) -v -run '^(TestChaosDaemonKill|TestChaosInterference|TestTwoDaemonsOneEngine)$$' ./integration/

# Only objects older than SWEEP_MIN_AGE: a run going on beside this one on a shared engine keeps its own.
SWEEP_MIN_AGE ?= 1h

sweep: ## remove Docker objects left by crashed test runs (label io.ordset.test.object=1, older than SWEEP_MIN_AGE=1h; never a container that inherited it from its image)
	@$(GO) run ./integration/sweep -min-age $(SWEEP_MIN_AGE) || echo "sweep: some leftovers could not be removed (said above); the tests use their own namespaces, so they go on"

# The Kubernetes proof: export every example and test file, have a real API server accept it
# (dry run, golden), then run the Redis example's export under the real StatefulSet controller.
K8S_TEST_FLAGS ?=

k8s-binaries: ## build (once, cached outside the repository) etcd, kube-apiserver, controller-manager, scheduler, kubectl, kwok
	nice -n 19 bash integration/k8s/binaries.sh

test-k8s: ## ordset export against a real Kubernetes control plane (ORDSET_SKIP_K8S=1 skips it)
	@if [ "$${ORDSET_SKIP_K8S:-}" = 1 ]; then echo "test-k8s: skipped because ORDSET_SKIP_K8S=1"; exit 0; fi; \
	start=$$(date +%s); dir=$$(nice -n 19 bash integration/k8s/binaries.sh) || exit 1; \
	echo "test-k8s: control plane binaries ready after $$(( $$(date +%s) - start ))s in $$dir"; \
	ORDSET_K8S_DIR=$$dir $(GO) test -tags k8s -count=1 -v -timeout 30m ./integration/k8s/ $(K8S_TEST_FLAGS); \
	rc=$$?; echo "test-k8s: finished in $$(( $$(date +%s) - start ))s"; exit $$rc

bench: build images ## side-by-side benchmarks (ordset vs docker CLI / compose / dnsmasq) -> BENCHMARKS.md
	bash integration/bench/run.sh

lint: ## gofmt + go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); [ -z "$$out" ] || { echo "gofmt would change:"; echo "$$out"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags integration ./...
	$(GO) vet -tags k8s ./integration/k8s/

clean:
	rm -rf bin
