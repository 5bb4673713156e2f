# gogoscope targets Go 1.27 (generic methods). Machines that start on an
# older Go fetch the 1.27 toolchain from the module proxy through this.
# Recipes see it; $(shell ...) does not (GNU make 4.3 passes exported
# variables to recipes only), so no $(shell $(GO) ...) below: every go or
# gofmt command runs inside a recipe.
export GOTOOLCHAIN := go1.27.3

GO          ?= go
BIN         := $(CURDIR)/bin
STATICCHECK := $(BIN)/staticcheck
PKGS        := ./...
# Platforms that `make test` also type-checks for, beside the host's: the
# library must not assume Linux (scripts/crosscheck, the cross target).
CROSS       := windows/amd64 darwin/arm64
CROSSCHECK  := scripts/crosscheck

.PHONY: example newcomer test vet lint fmt fmt-check tidy-check cross bench tools services-up services-down browser-up

## example: run the quickstart program on its embedded defaults
example:
	$(GO) run ./examples/quickstart

## newcomer: what the README tells a newcomer, run on a fresh clone of HEAD
newcomer:
	./scripts/newcomer.sh

## test: go.mod tidy, formatting, go vet, staticcheck, cross checks, then
## every test with -race, with Redis, PostgreSQL and MariaDB started for it
## (and the ones it started stopped afterwards) and their DSNs in REDIS_URL,
## POSTGRES_DSN and MYSQL_DSN. The servers come up (apt installs on a fresh
## machine) in the background while the checks run; they are detached from
## make's output (scripts/test.sh, scripts/services.sh).
test:
	@GO="$(GO)" MAKE="$(MAKE)" PKGS="$(PKGS)" bash scripts/test.sh

SERVICES := scripts/services.sh

## services-up: install (if missing) and start Redis, PostgreSQL 15 and
## MariaDB on 127.0.0.1; prints `export` lines: eval "$$(make -s services-up)"
services-up:
	@bash $(SERVICES) up

## services-down: stop the three servers
services-down:
	@bash $(SERVICES) down

# vet and staticcheck type-check against export data that the go command
# compiles; they ask for it compiled with -race (staticcheck through
# GOFLAGS, which its `go list -export` sees), as the test run compiles
# every package, so that each package and dependency is compiled once for
# the host rather than once plain and once more for -race: `make test`
# then reuses these compiles from the build cache. The files checked are
# the same unless a file of ours is constrained on the race tag, which
# RACE_TAG_CHECK forbids.
RACE_TAG_CHECK = if git grep -nE '^//go:build.*\brace\b' -- '*.go'; then \
	echo "vet: a file above is constrained on the race tag: vet and lint, run with -race, would skip its !race side"; exit 1; fi

vet:
	@$(RACE_TAG_CHECK)
	$(GO) vet -race $(PKGS)

lint: $(STATICCHECK)
	GOFLAGS="$$GOFLAGS -race" $(STATICCHECK) $(PKGS)

## tools: install the pinned linter into ./bin
tools: $(STATICCHECK)

$(STATICCHECK):
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

# The gofmt of the toolchain that GOTOOLCHAIN selects (an older gofmt
# rejects generic methods), found inside the recipe so that it sees
# GOTOOLCHAIN. A failing `go env`, a missing gofmt, or any error gofmt
# reports (a file it cannot parse) fails the target, as a file it would
# reformat does.
# The files are those git tracks or would track (a checkout without git
# fails here rather than checking nothing).
GOFMT_CMD = gofmt="$$($(GO) env GOROOT)/bin/gofmt"; \
	test -x "$$gofmt" || { echo "fmt: no gofmt at $$gofmt"; exit 1; }; \
	files=$$(git ls-files -co --exclude-standard '*.go'); \
	test -n "$$files" || { echo "fmt: no Go files found"; exit 1; }

fmt:
	@set -e; $(GOFMT_CMD); "$$gofmt" -w $$files

fmt-check:
	@set -e; $(GOFMT_CMD); \
	if ! out=$$("$$gofmt" -l $$files 2>&1); then \
		echo "fmt-check: $$gofmt failed:"; echo "$$out"; exit 1; fi; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## tidy-check: fail when go.mod or go.sum is not what `go mod tidy` makes
tidy-check:
	@$(GO) mod tidy -diff || { echo "tidy-check: run 'go mod tidy' (diff above)"; exit 1; }

## cross: type-check every package, tests included, and what it imports,
## for each platform of $(CROSS), from source (scripts/crosscheck, its own
## module, with golang.org/x/tools/go/packages): a file that assumes Linux
## (a syscall, a constrained file missing its twin) fails here as it would
## fail the build there. It replaced `GOOS=... go vet`, which compiles every
## dependency for the platform first: five minutes of a cold CI run on two
## cores per platform, against seconds. The checker's own tests (that it
## reports such files, and fails when it cannot run) run first; its module
## is vetted, linted and kept tidy with it.
cross: $(STATICCHECK)
	@set -e; cd $(CROSSCHECK); \
		$(GO) mod tidy -diff || { echo "cross: run 'go mod tidy' in $(CROSSCHECK) (diff above)"; exit 1; }; \
		$(GO) vet .; \
		$(STATICCHECK) .; \
		$(GO) test -count=1 .; \
		$(GO) run . -dir $(CURDIR) $(CROSS)

## bench: every benchmark, each beside its raw-Go baseline
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS)

## browser-up: install Debian's chromium if it is missing and print its path
## (the inspector's browser test reads it from CHROME_PATH)
browser-up:
	@scripts/chromium.sh
