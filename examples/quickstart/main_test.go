package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/effect"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestProgram runs the quickstart against its local server and checks the
// values and the order of cleanup. The limits are generous so that a loaded
// machine does not turn a success into a timeout; only the endpoint that
// hangs must time out.
func TestProgram(t *testing.T) {
	srv, cancelled := newServer()
	cfg := Config{
		RequestTimeout: duration{10 * time.Second},
		HangTimeout:    duration{100 * time.Millisecond},
		RetryBase:      duration{time.Millisecond},
		RetryMax:       4,
		FetchLimit:     2,
	}
	env := Env{Client: srv.Client(), Base: srv.URL, Log: &Log{}, Config: cfg}
	got, err := effect.Run(context.Background(), program(cfg), env)
	srv.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"users: ada, grace, ken", "orders: 3 open", "inventory: 42 items",
		"mirror: fast copy", "flaky: ok on attempt 3", "gave up: effect: timeout after 100ms",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("results:\n got %q\nwant %q", got, want)
	}
	if l := env.Log.lines; !slices.Equal(l, []string{"open connection pool", "open cache", "close cache", "close connection pool"}) {
		t.Fatalf("cleanup order: %q", l)
	}
	if c := cancelled(); !slices.Equal(c, []string{"/hang", "/mirror/slow"}) {
		t.Fatalf("cancelled on the server: %q", c)
	}
	srv.Client().CloseIdleConnections()
}
