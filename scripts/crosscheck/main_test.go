package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// module writes a module of files (path → content) into a new directory.
func module(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/m\n\ngo 1.26\n"
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckFindsWhatAPlatformLacks(t *testing.T) {
	dir := module(t, map[string]string{
		"a/a.go":      "package a\n\nimport \"syscall\"\n\nfunc Stop(pid int) error { return syscall.Kill(pid, syscall.SIGTERM) }\n",
		"b/b.go":      "package b\n\n// B is portable.\nfunc B() int { return 1 }\n",
		"b/b_test.go": "package b_test\n\nimport \"syscall\"\n\nvar signal = syscall.SIGUSR1\n",
		// c has its Unix side only: on Windows the package is empty
		// and its user does not compile.
		"c/c_unix.go": "//go:build unix\n\npackage c\n\n// C is Unix-only.\nfunc C() int { return 1 }\n",
		"d/d.go":      "package d\n\nimport \"example.com/m/c\"\n\n// D uses c.\nfunc D() int { return c.C() }\n",
	})
	res, err := check(dir, "windows/amd64")
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(res.errs, "\n")
	for _, want := range []string{"a.go:5:43: undefined: syscall.Kill", "b_test.go:5:22: undefined: syscall.SIGUSR1",
		"build constraints exclude all Go files", "d.go:3:8: could not import example.com/m/c"} {
		if !strings.Contains(all, want) {
			t.Errorf("windows/amd64: the errors do not mention %q:\n%s", want, all)
		}
	}
	if len(res.errs) != 4 {
		t.Errorf("windows/amd64: %d errors, want 4 (each once):\n%s", len(res.errs), all)
	}
	if res.roots < 4 || res.packages <= res.roots {
		t.Errorf("windows/amd64: %d packages of the module, %d in all", res.roots, res.packages)
	}

	res, err = check(dir, "linux/amd64")
	if err != nil || len(res.errs) != 0 {
		t.Errorf("linux/amd64: %v, errors %q", err, res.errs)
	}
}

func TestCheckFailsWhenItCannotRun(t *testing.T) {
	dir := module(t, map[string]string{"a/a.go": "package a\n"})
	for _, platform := range []string{"windows", "/amd64", "windows/", "a/b/c"} {
		if _, err := check(dir, platform); err == nil {
			t.Errorf("platform %q: no error", platform)
		}
	}
	if _, err := check(module(t, map[string]string{}), "windows/amd64"); err == nil {
		t.Errorf("a module without packages: no error")
	}
	if _, err := check(filepath.Join(dir, "missing"), "windows/amd64"); err == nil {
		t.Errorf("a directory that does not exist: no error")
	}
}
