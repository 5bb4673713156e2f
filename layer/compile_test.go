package layer_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMissingServiceDoesNotCompile runs the compiler on two programs under
// testdata: hasservice provides every effect with the environment it needs
// and must compile; missingservice is the same program with a service
// missing from each environment and must not, with the compiler naming the
// missing service. The go command runs with this process's environment
// (GOTOOLCHAIN included); the test is skipped only when there is no go
// command to run.
func TestMissingServiceDoesNotCompile(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to run the compiler: %v", err)
	}
	build := func(pkg string) (string, error) {
		cmd := exec.Command(gobin, "build", "./testdata/"+pkg)
		cmd.Env = os.Environ()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	if out, err := build("hasservice"); err != nil {
		t.Fatalf("the control program must compile, got %v:\n%s", err, out)
	}

	out, err := build("missingservice")
	if err == nil {
		t.Fatal("providing an environment that lacks a service compiled; it must not")
	}
	for _, want := range []string{
		// An effect generic in its environment, constrained to have a Clock:
		"program.go:44:20: Env does not satisfy HasClock (missing method Clock)",
		// An effect that needs AppEnv, given a layer that builds PartialEnv:
		"program.go:45:28: in call to layer.Provide, type *layer.Layer[any, error, PartialEnv] of partialLayer " +
			"does not match inferred type *layer.Layer[any, error, AppEnv] for *layer.Layer[RIn, E, R]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("compiler output lacks %q; got:\n%s", want, out)
		}
	}
}
