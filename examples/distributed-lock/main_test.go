package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) != "" {
		// This test binary was started by run as a worker.
		if err := worker(context.Background(), os.Stdout); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

const want = `backend: %s
worker 0: 20 increments under the lock
worker 0: payments failed 3 or more times, then the breaker refused the call
worker 1: 20 increments under the lock
worker 1: payments call refused (resource: circuit breaker "payments" is open), the call ran: false
counter: 40 of 40 increments, refused writes: 0
`

func check(t *testing.T, backend string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out strings.Builder
	if err := run(ctx, []string{"-backend", backend}, &out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), strings.ReplaceAll(want, "%s", backend); got != want {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestSQLite runs the two processes on the default backend.
func TestSQLite(t *testing.T) { check(t, "sqlite") }

// TestServers runs them on every server whose DSN is set.
func TestServers(t *testing.T) {
	for backend, env := range map[string]string{"redis": "REDIS_URL", "postgres": "POSTGRES_DSN", "mysql": "MYSQL_DSN"} {
		t.Run(backend, func(t *testing.T) {
			if os.Getenv(env) == "" {
				if os.Getenv("CI") != "" {
					t.Fatalf("%s is not set in CI", env)
				}
				t.Skipf("%s not set", env)
			}
			check(t, backend)
		})
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{"-backend", "oracle"}, {"-rounds", "0"}} {
		if err := run(context.Background(), args, &strings.Builder{}); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}
