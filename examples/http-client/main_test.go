package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const want = `
1. ACME: 503, then a hang, then 200
  server: GET /quote/ACME #1: 503 overloaded
  client: attempt 1 failed (quotes: HTTP 503: overloaded), retrying
  server: GET /quote/ACME #2: hangs
  client: attempt 2 failed (effect: timeout after 200ms), retrying
  server: GET /quote/ACME #3: 200 101.50
  ACME = 101.50 (requests: 3)
2. NOPE: 404, not retried, not counted by the breaker
  server: GET /quote/NOPE #1: 404 no such symbol
  NOPE failed: quotes: HTTP 404: no such symbol (requests: 1)
3. DOWN: 500 until the breaker opens
  server: GET /quote/DOWN #1: 500 db down
  client: attempt 1 failed (quotes: HTTP 500: db down), retrying
  server: GET /quote/DOWN #2: 500 db down
  client: attempt 2 failed (quotes: HTTP 500: db down), retrying
  server: GET /quote/DOWN #3: 500 db down
  breaker quotes: closed -> open
  client: attempt 3 failed (quotes: HTTP 500: db down), retrying
  DOWN failed: resource: circuit breaker "quotes" is open (requests: 3)
4. DOWN again at once: the open breaker refuses
  DOWN failed: resource: circuit breaker "quotes" is open (requests: 0)
5. DOWN after the reset timeout (500ms): a trial call
  breaker quotes: open -> half-open
  server: GET /quote/DOWN #4: 200 7.25
  breaker quotes: half-open -> closed
  DOWN = 7.25 (requests: 1)
server shut down; requests abandoned by their client: 1
`

// TestRun runs the program as `go run` does and checks every line: which
// attempts were made and retried, when the breaker opened, refused and
// closed, and that the hanging request was abandoned by its client.
func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != strings.TrimPrefix(want, "\n") {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestDeadline stops the program halfway, by its ctx's deadline: Run's
// error reads as the deadline, and the server and the connections are
// closed before run returns (goleak checks that no goroutine is left).
func TestDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := run(ctx, &strings.Builder{}, 500*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want an error that matches context.DeadlineExceeded and not Canceled", err)
	}
}

func TestRetryable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&StatusError{Code: 503}, true},
		{&StatusError{Code: 500}, true},
		{&StatusError{Code: 429}, true},
		{&StatusError{Code: 404}, false},
		{&StatusError{Code: 400}, false},
		{errors.New("connection refused"), true},
	} {
		if got := Retryable(c.err); got != c.want {
			t.Errorf("Retryable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
