package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/resource"
)

var errPaymentsDown = errors.New("payments: 503 service unavailable")

// worker is one process: rounds increments under the lock, then its part of
// the breaker story.
func worker(ctx context.Context, out io.Writer) error {
	id, _ := strconv.Atoi(os.Getenv("DL_ID"))
	rounds, _ := strconv.Atoi(os.Getenv("DL_ROUNDS"))
	dir, prefix := os.Getenv("DL_DIR"), os.Getenv("DL_PREFIX")
	store, closeStore, err := open(ctx, os.Getenv("DL_BACKEND"), dir, prefix)
	if err != nil {
		return err
	}
	defer closeStore()
	counter := filepath.Join(dir, "counter")

	lockOpts := persistence.LockOptions{TTL: 5 * time.Second}
	increment := func(int) eff.Effect[struct{}] {
		return persistence.WithLock(store, "counter", lockOpts, func(h *persistence.Held) eff.Effect[struct{}] {
			return eff.Try(func(context.Context) (struct{}, error) {
				return struct{}{}, addOne(counter, h.Token())
			})
		})
	}
	rounds0 := make([]int, rounds)
	breakerOpts := resource.BreakerOptions{Name: "payments", FailureThreshold: breakerThreshold, ResetTimeout: time.Hour}
	prog := eff.Scoped(effect.FlatMap(persistence.SharedBreaker[any](store, breakerOpts), func(cb *resource.CircuitBreaker) eff.Effect[string] {
		work := effect.ForEach(rounds0, increment)
		report := fmt.Sprintf("worker %d: %d increments under the lock", id, rounds)
		var story eff.Effect[string]
		if id == 0 {
			story = tripBreaker(cb)
		} else {
			story = refusedCall(cb)
		}
		return effect.FlatMap(work, func([]struct{}) eff.Effect[string] {
			return effect.Map(story, func(s string) string { return report + "\n" + s })
		})
	}))
	text, err := eff.Run(ctx, prog)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, text)
	return err
}

// breakerThreshold is the number of failures that opens the payments breaker.
const breakerThreshold = 3

// tripBreaker calls the failing service until the shared breaker opens.
func tripBreaker(cb *resource.CircuitBreaker) eff.Effect[string] {
	call := cb.Execute(eff.Fail[string](errPaymentsDown))
	failures := 0
	attempt := effect.Catch(call, func(err error) eff.Effect[string] {
		if errors.Is(err, resource.ErrBreakerOpen) {
			return eff.Succeed("open")
		}
		failures++
		return eff.Succeed("failed")
	})
	var loop func(n int) eff.Effect[string]
	loop = func(n int) eff.Effect[string] {
		return effect.FlatMap(attempt, func(r string) eff.Effect[string] {
			if r == "open" && failures >= breakerThreshold {
				// A replica reads the shared state from a copy that may lag
				// the server (SharedBreaker: a round trip when pushed, the
				// poll interval when polled), so a call or two more may get
				// through after the third failure opened the breaker.
				return eff.Succeed(fmt.Sprintf("worker 0: payments failed %d or more times, then the breaker refused the call", breakerThreshold))
			}
			if r == "open" || n == 10 {
				return eff.Succeed(fmt.Sprintf("worker 0: the breaker misbehaved: %d failures, then %q", failures, r))
			}
			return loop(n + 1)
		})
	}
	return loop(0)
}

// refusedCall waits until the breaker, opened by the other process, shows
// open here, then makes a call that the breaker refuses without running it.
func refusedCall(cb *resource.CircuitBreaker) eff.Effect[string] {
	ran := false
	call := cb.Execute(eff.Sync(func() string { ran = true; return "charged" }))
	wait := eff.Try(func(ctx context.Context) (struct{}, error) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			r, err := cb.Snapshot(ctx)
			if err == nil && r.State == resource.BreakerOpen {
				return struct{}{}, nil
			}
			if time.Now().After(deadline) {
				return struct{}{}, errors.New("the breaker did not open within 30s")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	return effect.AndThen(wait, effect.Match(call,
		func(err error) string {
			return fmt.Sprintf("worker 1: payments call refused (%v), the call ran: %v", err, ran)
		},
		func(string) string { return "worker 1: payments call went through" }))
}
