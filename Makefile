# gogoscope targets Go 1.27 (generic methods). Machines that start on an
# older Go fetch the 1.27 toolchain from the module proxy through this.
export GOTOOLCHAIN := go1.27.3

GO          ?= go
BIN         := $(CURDIR)/bin
STATICCHECK := $(BIN)/staticcheck
# gofmt of the 1.27 toolchain: an older gofmt rejects generic methods.
GOFMT        = $(shell $(GO) env GOROOT)/bin/gofmt
PKGS        := ./...

.PHONY: example test vet lint fmt fmt-check bench tools browser-up

## example: run the quickstart program on its embedded defaults
example:
	$(GO) run ./examples/quickstart

## test: formatting check, go vet, staticcheck, then every test with -race
test: fmt-check vet lint
	$(GO) test -race -timeout 30m -count=1 $(PKGS)

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

## browser-up: install Debian's chromium if it is missing and print its path
## (the inspector's browser test reads it from CHROME_PATH)
browser-up:
	@scripts/chromium.sh
