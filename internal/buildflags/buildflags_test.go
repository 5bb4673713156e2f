package buildflags_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/internal/buildflags"
)

func TestMain(m *testing.M) {
	if os.Getenv("BUILDFLAGS_PRINT") != "" {
		// A child run: print what Race says of this binary.
		if buildflags.Race() {
			os.Stdout.WriteString("race\n")
		} else {
			os.Stdout.WriteString("norace\n")
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// TestRaceFollowsTheBuild builds this test binary with and without -race
// and asks each what Race says.
func TestRaceFollowsTheBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two test binaries")
	}
	for _, flags := range [][]string{{"-race"}, nil} {
		bin := filepath.Join(t.TempDir(), "bf.test")
		args := append(append([]string{"test", "-c", "-o", bin}, flags...), ".")
		build := exec.Command(buildflags.GoCommand(), args...)
		build.Env = append(os.Environ(), "GOFLAGS=") // the flags are the test's alone
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "BUILDFLAGS_PRINT=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		want := "norace"
		if len(flags) > 0 {
			want = "race"
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("built with %q: Race says %q, want %q", flags, got, want)
		}
	}
}
