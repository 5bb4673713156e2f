// Command http-client calls a flaky quote server on loopback through the
// three policies a client of another service needs, composed as
// Retry(Breaker(Timeout(attempt))):
//
//   - a timeout on each attempt, so a hanging request is cut and its
//     connection closed (the server sees its client go away);
//   - a circuit breaker that sees every attempt and opens after three
//     consecutive failures of the service — not after a 404, which is an
//     answer — so that callers stop hammering a service that is down;
//   - a retry with exponential backoff, only for failures that may pass (a
//     5xx, a 429, a timeout, a connection error), never for a 4xx nor for a
//     refusal of the open breaker.
//
// It fetches a quote whose server fails, then hangs, then answers; a symbol
// that does not exist; a service that is down until the breaker opens; the
// same service again while the breaker is open (refused without a
// request); and once more after the breaker's reset timeout, when a trial
// call finds the service healed. The server and the client's connections
// are resources of the program's scope, closed when it ends.
//
//	go run ./examples/http-client
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/eff"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, 500*time.Millisecond); err != nil {
		fmt.Fprintln(os.Stderr, "http-client:", err)
		os.Exit(1)
	}
}

// run runs the calls against a new flaky server and prints what the
// client and the server did; resetTimeout is the breaker's.
func run(ctx context.Context, w io.Writer, resetTimeout time.Duration) error {
	var mu sync.Mutex
	log := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, format+"\n", args...)
	}
	server := newFlaky(log)
	// step fetches sym and prints the outcome and how many requests the
	// server saw for it; Suspend reads the count when the step runs, not
	// when it is built.
	step := func(title, sym string, q *Quotes) eff.Effect[struct{}] {
		return eff.Suspend(func() eff.Effect[struct{}] {
			log("%s", title)
			before := server.requests(sym)
			return q.Get(sym).Map(func(v string) string { return "= " + v }).
				Catch(func(err error) eff.Effect[string] { return eff.Succeed("failed: " + err.Error()) }).
				Map(func(outcome string) struct{} {
					log("  %s %s (requests: %d)", sym, outcome, server.requests(sym)-before)
					return struct{}{}
				})
		})
	}
	prog := serve(server).FlatMap(func(url string) eff.Effect[struct{}] {
		return NewQuotes(url, resetTimeout, log).FlatMap(func(q *Quotes) eff.Effect[struct{}] {
			return step("1. ACME: 503, then a hang, then 200", "ACME", q).
				AndThen(step("2. NOPE: 404, not retried, not counted by the breaker", "NOPE", q)).
				AndThen(step("3. DOWN: 500 until the breaker opens", "DOWN", q)).
				AndThen(step("4. DOWN again at once: the open breaker refuses", "DOWN", q)).
				AndThen(eff.Sleep(resetTimeout + resetTimeout/5)).
				AndThen(step(fmt.Sprintf("5. DOWN after the reset timeout (%v): a trial call", resetTimeout), "DOWN", q))
		})
	}).Scoped()
	if _, err := eff.Run(ctx, prog); err != nil {
		return err
	}
	// The scope has closed: the server was shut down after the requests in
	// progress ended, the hanging one when its client gave up.
	log("server shut down; requests abandoned by their client: %d", server.abandoned)
	return nil
}
