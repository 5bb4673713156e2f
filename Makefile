# gogoscope targets Go 1.27 (generic methods). Machines that start on an
# older Go fetch the 1.27 toolchain from the module proxy through this.
export GOTOOLCHAIN := go1.27.3

GO          ?= go
BIN         := $(CURDIR)/bin
STATICCHECK := $(BIN)/staticcheck
# gofmt of the 1.27 toolchain: an older gofmt rejects generic methods.
GOFMT        = $(shell $(GO) env GOROOT)/bin/gofmt
PKGS        := ./...

.PHONY: example test vet lint fmt fmt-check bench tools services-up services-down

## example: run the quickstart program on its embedded defaults
example:
	$(GO) run ./examples/quickstart

## test: formatting check, go vet, staticcheck, then every test with -race,
## with Redis, PostgreSQL and MariaDB started for it (and the ones it
## started stopped afterwards) and their DSNs in REDIS_URL, POSTGRES_DSN and
## MYSQL_DSN. The servers are detached from make's output (scripts/services.sh).
test: fmt-check vet lint
	@env=$$(bash $(SERVICES) up) || exit 1; eval "$$env"; \
	trap '[ -z "$$GOGOSCOPE_SERVICES_STARTED" ] || bash $(SERVICES) down $$GOGOSCOPE_SERVICES_STARTED' EXIT; \
	$(GO) test -race -timeout 30m -count=1 $(PKGS)

SERVICES := scripts/services.sh

## services-up: install (if missing) and start Redis, PostgreSQL 15 and
## MariaDB on 127.0.0.1; prints `export` lines: eval "$$(make -s services-up)"
services-up:
	@bash $(SERVICES) up

## services-down: stop the three servers
services-down:
	@bash $(SERVICES) down

vet:
	$(GO) vet $(PKGS)

lint: $(STATICCHECK)
	$(STATICCHECK) $(PKGS)

$(STATICCHECK):
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

fmt:
	$(GOFMT) -w $$(git ls-files '*.go')

fmt-check:
	@out=$$($(GOFMT) -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## bench: every benchmark, each beside its raw-Go baseline
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS)
