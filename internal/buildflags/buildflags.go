// Package buildflags reads how the running binary was built, from its
// build settings (runtime/debug.ReadBuildInfo), for the tests and tools
// that must follow the build: a test that is meaningless under the race
// detector, a tool that asks the go command for export data compiled as
// the running test binary was.
//
// It reads the settings rather than a file pair constrained on the race
// build tag, because `go vet -race` and staticcheck with -race, which
// `make test` runs, would then check one side of the pair only (the
// Makefile refuses such files).
package buildflags

import (
	"os"
	"path/filepath"
	"runtime/debug"
)

// Race reports whether the running binary was built with -race. It is
// false when the binary has no build information.
func Race() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// GoCommand returns the go command of the toolchain running the binary
// when it can tell ($GOROOT/bin/go: the go command sets GOROOT for the
// tests it runs), else "go", the one on $PATH.
func GoCommand() string {
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "go"
}
