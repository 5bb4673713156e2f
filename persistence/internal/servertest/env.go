// Package servertest starts private Redis, PostgreSQL and MariaDB servers
// for the fault-injection tests: each in a directory of its own, on a free
// port of 127.0.0.1, as a child of the test process, so that a test can
// kill it with SIGKILL and start it again without touching the servers
// other tests share. It needs the servers' binaries (scripts/services.sh
// installs them) and root (to run PostgreSQL and MariaDB as their users);
// without them a test is skipped, or failed when CI is set.
package servertest

import (
	"os"
	"testing"
)

// Env returns the environment variable name (a server's DSN), skipping the
// test when it is unset — or failing it when CI is set, so that a CI
// without its servers cannot pass by skipping.
func Env(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set in CI: run `make services-up` (scripts/services.sh up)", name)
		}
		t.Skipf("%s not set; eval \"$(scripts/services.sh up)\" starts the servers", name)
	}
	return v
}
