package effect_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

// The benchmarks of Retry: a call that fails three times and then succeeds,
// retried with a zero delay and at most five retries, beside a hand-written
// loop and github.com/cenkalti/backoff/v4 doing the same in one run.
//
//	go test -run '^$' -bench Retry -benchmem ./effect/

var errFlaky = errors.New("flaky")

// flaky fails three calls in four: calls 4, 8, 12, … succeed.
type flaky struct{ n int }

func (c *flaky) call(context.Context) (int, error) {
	c.n++
	if c.n%4 != 0 {
		return 0, errFlaky
	}
	return c.n, nil
}

// retryLoop is the hand-written baseline: at most retries retries, waiting
// delay between attempts (no timer when it is zero), stopping when ctx is done.
func retryLoop(ctx context.Context, retries int, delay time.Duration, call func(context.Context) (int, error)) (int, error) {
	for attempt := 0; ; attempt++ {
		v, err := call(ctx)
		if err == nil || attempt == retries {
			return v, err
		}
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return 0, ctx.Err()
			}
		} else if ctx.Err() != nil {
			return 0, ctx.Err()
		}
	}
}

func BenchmarkRetryRawLoop(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	c := &flaky{}
	for b.Loop() {
		if _, err := retryLoop(ctx, 5, 0, c.call); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRetryRawLoopClock is the hand-written loop reading the clock as
// a schedule-driven loop must (once at the start, once per failure, for
// budgets and wall-clock grids): what the clock costs on this machine.
func BenchmarkRetryRawLoopClock(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	c := &flaky{}
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		for attempt := 0; ; attempt++ {
			_, err := c.call(ctx)
			if err == nil {
				break
			}
			elapsed += time.Since(start)
			if attempt == 5 {
				b.Fatal(err)
			}
		}
	}
	_ = elapsed
}

func BenchmarkRetryBackoffV4(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	c := &flaky{}
	op := func() (int, error) { return c.call(ctx) }
	for b.Loop() {
		policy := backoff.WithContext(backoff.WithMaxRetries(&backoff.ZeroBackOff{}, 5), ctx)
		if _, err := backoff.RetryWithData(op, policy); err != nil {
			b.Fatal(err)
		}
	}
}

// flakyEffect is the flaky call as an effect.
func flakyEffect(c *flaky) effect.Effect[any, error, int] {
	fail := effect.Fail[any, int](errFlaky)
	return effect.Suspend(func() effect.Effect[any, error, int] {
		c.n++
		if c.n%4 != 0 {
			return fail
		}
		return effect.Succeed[any, error](c.n)
	})
}

// loopN returns an effect that runs e n times in a row on one fiber and
// succeeds with the number of runs: a harness that costs one FlatMap step
// per run, so that the benchmarks below measure e inside a running program.
func loopN[A any](e effect.Effect[any, error, A], n int) effect.Effect[any, error, int] {
	i := 0
	var loop effect.Effect[any, error, int]
	loop = effect.FlatMap(e, func(A) effect.Effect[any, error, int] {
		i++
		if i >= n {
			return effect.Succeed[any, error](i)
		}
		return loop
	})
	return loop
}

// BenchmarkRetryEffect measures one retry inside a running program: the
// retried effect runs b.N times on one fiber, so the cost of starting a
// fiber from Go (see BenchmarkRetryEffectRun) is not counted.
func BenchmarkRetryEffect(b *testing.B) {
	b.ReportAllocs()
	c := &flaky{}
	retried := flakyEffect(c).Retry(schedule.Recurs(5))
	got, err := effect.Run(context.Background(), loopN(retried, b.N), nil)
	if err != nil || got != b.N || c.n != 4*b.N {
		b.Fatalf("got %d, %v after %d calls; want %d, nil after %d", got, err, c.n, b.N, 4*b.N)
	}
}

// BenchmarkRetryEffectRun runs the retried effect from plain Go on a reused
// runtime, b.N times: the cost of a retry plus that of starting a fiber.
func BenchmarkRetryEffectRun(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	rt := effect.NewRuntime()
	c := &flaky{}
	retried := effect.Retry(flakyEffect(c), schedule.Recurs(5))
	for b.Loop() {
		if _, err := rt.Run(ctx, retried, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRetryEffectFirstTry is a retry whose first attempt succeeds: the
// cost of wrapping a call that does not fail.
func BenchmarkRetryEffectFirstTry(b *testing.B) {
	b.ReportAllocs()
	ok := effect.Sync[any, error](func() int { return 1 }).Retry(schedule.Recurs(5))
	if _, err := effect.Run(context.Background(), loopN(ok, b.N), nil); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRepeatEffect is the per-run cost of Repeat with a zero delay.
func BenchmarkRepeatEffect(b *testing.B) {
	b.ReportAllocs()
	n := 0
	e := effect.Sync[any, error](func() int { n++; return n })
	_, err := effect.Run(context.Background(), effect.Repeat(e, schedule.Recurs(b.N-1)), nil)
	if err != nil || n != b.N {
		b.Fatalf("ran %d times, %v; want %d", n, err, b.N)
	}
}
