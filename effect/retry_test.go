package effect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/gogoscope/gogoscope/schedule"
)

// retryProbe is an effect under retry: it records the (virtual) time of
// each attempt since the probe was made, and fails the first failures
// attempts with an error naming the attempt, then succeeds with the
// attempt's number.
type retryProbe struct {
	start    time.Time
	failures int
	at       []time.Duration
}

func newRetryProbe(failures int) *retryProbe {
	return &retryProbe{start: time.Now(), failures: failures}
}

func (p *retryProbe) effect() eff {
	return Suspend(func() eff {
		p.at = append(p.at, time.Since(p.start))
		n := len(p.at)
		if n <= p.failures {
			return Fail[any, int](fmt.Errorf("attempt %d", n))
		}
		return succeed(n)
	})
}

func ms(ns ...int) []time.Duration {
	out := make([]time.Duration, len(ns))
	for i, n := range ns {
		out[i] = time.Duration(n) * time.Millisecond
	}
	return out
}

func TestRetryExponentialTimings(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := newRetryProbe(100)
			s := schedule.Exponential(100 * time.Millisecond).Intersect(schedule.Recurs(4))
			_, err := run(p.effect().Retry(s))
			if err == nil || err.Error() != "attempt 5" {
				t.Fatalf("got error %v, want the last one, attempt 5", err)
			}
			if want := ms(0, 100, 300, 700, 1500); !slices.Equal(p.at, want) {
				t.Fatalf("attempts at %v, want %v", p.at, want)
			}
		})
	})
}

func TestRetrySucceeds(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := newRetryProbe(2)
			got, err := run(Retry(p.effect(), schedule.Spaced(time.Second)))
			if err != nil || got != 3 {
				t.Fatalf("got %d, %v; want 3, nil", got, err)
			}
			if want := ms(0, 1000, 2000); !slices.Equal(p.at, want) {
				t.Fatalf("attempts at %v, want %v", p.at, want)
			}
			// The zero schedule never retries; an effect that succeeds at once
			// runs once.
			p = newRetryProbe(1)
			if _, err := run(p.effect().Retry(schedule.Schedule[int]{})); err == nil || len(p.at) != 1 {
				t.Fatalf("zero schedule: got %v after %d attempts, want attempt 1 after 1", err, len(p.at))
			}
			p = newRetryProbe(0)
			if got, err := run(p.effect().Retry(schedule.Forever())); err != nil || got != 1 || len(p.at) != 1 {
				t.Fatalf("first try: got %d, %v after %d attempts", got, err, len(p.at))
			}
			if got := mustRun(t, succeed(7).Retry(schedule.Forever())); got != 7 {
				t.Fatalf("pure value: got %d", got)
			}
		})
	})
}

func TestRetryOnRetrySeesEachAttempt(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			type seen struct {
				attempt int
				err     string
				delay   time.Duration
				goOn    bool
				at      time.Duration
			}
			start := time.Now()
			var got []seen
			s := schedule.Exponential(100 * time.Millisecond).Intersect(schedule.Recurs(3)).
				Tap(func(d schedule.Decision[time.Duration]) {
					got = append(got, seen{d.Attempt, d.Input.(error).Error(), d.Delay, d.Continue, time.Since(start)})
				})
			p := newRetryProbe(100)
			if _, err := run(p.effect().Retry(s)); err == nil || err.Error() != "attempt 4" {
				t.Fatalf("got %v, want attempt 4", err)
			}
			want := []seen{
				{1, "attempt 1", 100 * time.Millisecond, true, 0},
				{2, "attempt 2", 200 * time.Millisecond, true, 100 * time.Millisecond},
				{3, "attempt 3", 400 * time.Millisecond, true, 300 * time.Millisecond},
				{4, "attempt 4", 0, false, 700 * time.Millisecond},
			}
			if !slices.Equal(got, want) {
				t.Fatalf("onRetry saw\n%v\nwant\n%v", got, want)
			}
		})
	})
}

func TestRetryConditionStopsAtOnce(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			errFatal := errors.New("fatal")
			start := time.Now()
			attempts := 0
			e := Suspend(func() eff {
				attempts++
				if attempts == 3 {
					return Fail[any, int](fmt.Errorf("attempt 3: %w", errFatal))
				}
				return Fail[any, int](errors.New("transient"))
			})
			s := schedule.WhileInput(schedule.Spaced(time.Second), func(err error) bool { return !errors.Is(err, errFatal) })
			_, err := run(e.Retry(s))
			if !errors.Is(err, errFatal) || attempts != 3 {
				t.Fatalf("got %v after %d attempts, want the fatal error after 3", err, attempts)
			}
			if took := time.Since(start); took != 2*time.Second {
				t.Fatalf("took %v, want 2s: no delay after the fatal error", took)
			}
		})
	})
}

func TestRetryLeavesDefectsAndInterruptionsAlone(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			attempts := 0
			panicky := Suspend(func() eff { attempts++; panic("bug") })
			x := runExit(panicky.Retry(schedule.Forever()))
			if !x.Cause().IsDefect() || attempts != 1 {
				t.Fatalf("defect: got %v after %d attempts, want one defect after 1", x, attempts)
			}
			attempts = 0
			died := Suspend(func() eff { attempts++; return Die[any, error, int]("broken") })
			if x := runExit(Retry(died, schedule.Forever())); !x.Cause().IsDefect() || attempts != 1 {
				t.Fatalf("Die: got %v after %d attempts", x, attempts)
			}
			// An attempt interrupted by a timeout around it is not retried:
			// the interruption travels on and the timeout fires.
			attempts = 0
			slow := Suspend(func() eff { attempts++; return AndThen(Sleep[any, error](time.Hour), succeed(1)) })
			_, err := run(Timeout(slow.Retry(schedule.Forever()), time.Second))
			if !errors.Is(err, ErrTimeout) || attempts != 1 {
				t.Fatalf("interrupted attempt: got %v after %d attempts", err, attempts)
			}
		})
	})
}

func TestRetryInterruptedDuringDelay(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var ev events
			p := newRetryProbe(100)
			retried := Ensuring(p.effect().Retry(schedule.Spaced(time.Hour)), ev.note("finalizer"))
			start := time.Now()
			e := FlatMap(Fork(retried), func(fb *Fiber[error, int]) eff {
				return AndThen(Sleep[any, error](time.Second), FlatMap(Interrupt[any](fb), func(x Exit[error, int]) eff {
					if !x.IsInterrupted() || x.Cause().IsFailure() {
						return Die[any, error, int]("want a lone interruption, got " + x.String())
					}
					return succeed(len(p.at))
				}))
			})
			if got := mustRun(t, e); got != 1 {
				t.Fatalf("%d attempts, want 1", got)
			}
			if took := time.Since(start); took != time.Second {
				t.Fatalf("interrupt returned after %v, want 1s: the delay must stop at once", took)
			}
			if ev.count("finalizer") != 1 {
				t.Fatalf("finalizer ran %d times", ev.count("finalizer"))
			}
		})
	})
}

func TestRetryUninterruptibleDelayCompletes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newRetryProbe(1)
		retried := Uninterruptible(p.effect().Retry(schedule.Spaced(time.Minute)))
		start := time.Now()
		e := FlatMap(Fork(retried), func(fb *Fiber[error, int]) Effect[any, error, Exit[error, int]] {
			return AndThen(Sleep[any, error](time.Second), Interrupt[any](fb))
		})
		x := mustRun(t, e)
		if v, ok := x.Value(); !ok || v != 2 || time.Since(start) != time.Minute {
			t.Fatalf("got %v after %v, want Success(2) after the whole minute", x, time.Since(start))
		}
	})
}

func TestRetryZeroDelayArmsNoTimer(t *testing.T) {
	// A timer costs at least one allocation; a zero-delay retry must cost
	// only the start of the schedule's driver.
	rt := NewRuntime()
	ctx := context.Background()
	s := schedule.Recurs(5)
	attempts := 0
	fail := Fail[any, int](errBoom)
	flaky := Suspend(func() eff {
		attempts++
		if attempts%4 != 0 {
			return fail
		}
		return succeed(attempts)
	})
	const runs = 50
	loop := func(e eff) eff {
		i := 0
		var l eff
		l = FlatMap(e, func(int) eff {
			if i++; i == runs {
				return succeed(i)
			}
			return l
		})
		return Suspend(func() eff { i = 0; return l })
	}
	retried, first := loop(flaky.Retry(s)), loop(succeed(1).Map(func(i int) int { return i }).Retry(s))
	withRetries := testing.AllocsPerRun(20, func() { _, _ = rt.Run(ctx, retried, nil) })
	firstTry := testing.AllocsPerRun(20, func() { _, _ = rt.Run(ctx, first, nil) })
	start := testing.AllocsPerRun(100, func() { _ = s.Start(time.Now()) })
	// Beyond a first try, a retry makes the run's state (one object, the op
	// of the later attempts) and starts the schedule's driver.
	if got := (withRetries - firstTry) / runs; got > start+1 {
		t.Fatalf("a retry allocates %.2f times beyond a first try, want at most %.0f (the run's state and the driver's start)", got, start+1)
	}
}

func TestRetryOrElse(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := newRetryProbe(100)
			e := RetryOrElse(p.effect(), schedule.Spaced(time.Second).Intersect(schedule.Recurs(2)),
				func(err error, out int) Effect[any, string, int] {
					return Fail[any, int](fmt.Sprintf("gave up after %s (output %d)", err, out))
				})
			x := RunExit(context.Background(), e, nil)
			if f, ok := x.Cause().Failure(); !ok || f != "gave up after attempt 3 (output 3)" {
				t.Fatalf("got %v", x)
			}
			if want := ms(0, 1000, 2000); !slices.Equal(p.at, want) {
				t.Fatalf("attempts at %v, want %v", p.at, want)
			}
			// A fallback value; success before exhaustion skips orElse.
			p = newRetryProbe(100)
			got := mustRun(t, p.effect().RetryOrElse(schedule.Recurs(1), func(error, int) eff { return succeed(-1) }))
			if got != -1 || len(p.at) != 2 {
				t.Fatalf("fallback: got %d after %d attempts", got, len(p.at))
			}
			p = newRetryProbe(1)
			if got := mustRun(t, p.effect().RetryOrElse(schedule.Recurs(1), func(error, int) eff { return succeed(-1) })); got != 2 {
				t.Fatalf("success: got %d", got)
			}
			// A defect is not handed to orElse, and survives the change of
			// failure type.
			called := false
			d := RetryOrElse(Die[any, error, int]("bug"), schedule.Forever(), func(error, int) Effect[any, string, int] {
				called = true
				return Succeed[any, string](0)
			})
			if x := RunExit(context.Background(), d, nil); called || !x.Cause().IsDefect() {
				t.Fatalf("defect: got %v, orElse called %v", x, called)
			}
		})
	})
}

func TestRetryTypedFailureAndWhileInput(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		n := 0
		e := Suspend(func() Effect[any, string, int] {
			n++
			if n < 5 {
				return Fail[any, int]("busy")
			}
			return Fail[any, int]("gone")
		})
		s := schedule.WhileInput(schedule.Forever(), func(s string) bool { return s == "busy" })
		x := RunExit(context.Background(), e.Retry(s), nil)
		if f, _ := x.Cause().Failure(); f != "gone" || n != 5 {
			t.Fatalf("got %v after %d attempts", x, n)
		}
	})
}

func TestRetryPanicInScheduleIsDefect(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		s := schedule.Forever().Tap(func(schedule.Decision[int]) { panic("hook") })
		x := runExit(Fail[any, int](errBoom).Retry(s))
		if !x.Cause().IsDefect() || !strings.Contains(x.Cause().Error(), "hook") {
			t.Fatalf("got %v, want the hook's panic as a defect", x)
		}
		// An input of the wrong type for WhileInput is a programming error.
		bad := schedule.WhileInput(schedule.Forever(), func(string) bool { return true })
		x = runExit(Fail[any, int](errBoom).Retry(bad))
		if !x.Cause().IsDefect() || !strings.Contains(x.Cause().Error(), "want string") {
			t.Fatalf("got %v, want the schedule's panic as a defect", x)
		}
	})
}

// deepFail returns an effect that fails after a left-nested chain of n
// FlatMaps, so that running it unwinds to the heap stack when n is past the
// depth budget.
func deepFail(n int, fail func() bool) eff {
	e := succeed(0)
	for range n {
		e = e.FlatMap(func(i int) eff { return succeed(i + 1) })
	}
	return e.FlatMap(func(i int) eff {
		if fail() {
			return Fail[any, int](errBoom)
		}
		return succeed(i)
	})
}

func TestRetryAndRepeatDeepEffects(t *testing.T) {
	// Attempts that unwind to the heap in the middle, inside a retry that is
	// itself deep in a chain: the frames must carry the run's state.
	withBudget(t, func(t *testing.T) {
		attempts := 0
		e := deepFail(1000, func() bool { attempts++; return attempts < 4 }).Retry(schedule.Recurs(5))
		outer := succeed(0)
		for range 300 {
			outer = outer.FlatMap(func(int) eff { return succeed(0) })
		}
		got := mustRun(t, outer.FlatMap(func(int) eff { return e }).Map(func(i int) int { return i + 1 }))
		if got != 1001 || attempts != 4 {
			t.Fatalf("got %d after %d attempts, want 1001 after 4", got, attempts)
		}
		runs := 0
		r := Repeat(deepFail(1000, func() bool { runs++; return false }), schedule.Recurs(3))
		if got := mustRun(t, outer.FlatMap(func(int) Effect[any, error, int] { return r })); got != 3 || runs != 4 {
			t.Fatalf("repeat: got %d after %d runs, want 3 after 4", got, runs)
		}
	})
}

func TestRetryTimeoutCompositionOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Retry(Timeout(call)): each attempt has its own limit, and a timed
		// out attempt is retried.
		p := newRetryProbe(0)
		slow := AndThen(Sleep[any, error](2*time.Second), p.effect())
		start := time.Now()
		_, err := run(slow.Timeout(time.Second).Retry(schedule.Recurs(2)))
		if !errors.Is(err, ErrTimeout) || len(p.at) != 0 || time.Since(start) != 3*time.Second {
			t.Fatalf("Retry(Timeout): got %v after %v and %d attempts that finished", err, time.Since(start), len(p.at))
		}
		// Timeout(Retry(call)): one limit for all attempts and delays.
		p = newRetryProbe(100)
		start = time.Now()
		_, err = run(p.effect().Retry(schedule.Spaced(time.Second)).Timeout(2500 * time.Millisecond))
		if !errors.Is(err, ErrTimeout) || time.Since(start) != 2500*time.Millisecond {
			t.Fatalf("Timeout(Retry): got %v after %v", err, time.Since(start))
		}
		if want := ms(0, 1000, 2000); !slices.Equal(p.at, want) {
			t.Fatalf("Timeout(Retry): attempts at %v, want %v", p.at, want)
		}
	})
}

func TestRepeatTimings(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			// Fixed keeps a cadence whatever each run costs; Spaced pauses
			// after each run.
			start := time.Now()
			var at []time.Duration
			work := Suspend(func() Effect[any, error, struct{}] {
				at = append(at, time.Since(start))
				return Sleep[any, error](300 * time.Millisecond)
			})
			got := mustRun(t, work.Repeat(schedule.Fixed(time.Second).Intersect(schedule.Recurs(3))))
			if want := ms(0, 1000, 2000, 3000); !slices.Equal(at, want) || got != 4 {
				t.Fatalf("Fixed: runs at %v, output %d; want %v, 4", at, got, want)
			}
			if took := time.Since(start); took != 3300*time.Millisecond {
				t.Fatalf("Fixed: took %v, want 3.3s", took)
			}
			start, at = time.Now(), nil
			got = mustRun(t, Repeat(work, schedule.Spaced(time.Second).Intersect(schedule.Recurs(2))))
			if want := ms(0, 1300, 2600); !slices.Equal(at, want) || got != 3 {
				t.Fatalf("Spaced: runs at %v, output %d; want %v, 3", at, got, want)
			}
		})
	})
}

func TestRepeatInputAndFailure(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		// The value is the schedule's input: repeat while a job is running.
		n := 0
		poll := Sync[any, error](func() string {
			n++
			if n < 4 {
				return "running"
			}
			return "done"
		})
		s := schedule.WhileInput(schedule.Forever(), func(s string) bool { return s == "running" })
		if got := mustRun(t, Repeat(poll, s)); got != 4 || n != 4 {
			t.Fatalf("got output %d after %d runs, want 4 after 4", got, n)
		}
		// The first failure ends the repeat.
		n = 0
		failing := Suspend(func() eff {
			if n++; n == 3 {
				return Fail[any, int](errBoom)
			}
			return succeed(n)
		})
		if _, err := run(failing.Repeat(schedule.Forever())); err != errBoom || n != 3 {
			t.Fatalf("got %v after %d runs, want boom after 3", err, n)
		}
		// The zero schedule runs the effect once.
		n = 0
		if got := mustRun(t, failing.Repeat(schedule.Schedule[int]{})); got != 0 || n != 1 {
			t.Fatalf("zero schedule: output %d after %d runs", got, n)
		}
	})
}

func TestRepeatOrElse(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		n := 0
		failAt := 0
		e := Suspend(func() eff {
			if n++; n == failAt {
				return Fail[any, int](errBoom)
			}
			return succeed(n)
		})
		var got []Option[int]
		orElse := func(err error, last Option[int]) Effect[any, error, int] {
			got = append(got, last)
			return succeed(-1)
		}
		for _, fail := range []int{1, 3} {
			n, failAt = 0, fail
			if v := mustRun(t, RepeatOrElse(e, schedule.Forever(), orElse)); v != -1 {
				t.Fatalf("got %d, want the fallback", v)
			}
		}
		if want := []Option[int]{None[int](), Some(2)}; !slices.Equal(got, want) {
			t.Fatalf("orElse saw %v, want %v", got, want)
		}
		n, failAt = 0, 0
		if v := mustRun(t, e.RepeatOrElse(schedule.Recurs(2), orElse)); v != 2 || n != 3 {
			t.Fatalf("no failure: got %d after %d runs", v, n)
		}
	})
}

func TestRepeatForeverStopsOnInterrupt(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		// A repeat with no delay and an effect that never blocks must still
		// notice an interruption between runs. (Not in a synctest bubble:
		// virtual time never advances while a fiber spins.)
		for _, e := range []eff{succeed(1), Sync[any, error](func() int { return 1 })} {
			n := 0
			busy := NewDeferred[error, struct{}]()
			s := schedule.Forever().Tap(func(schedule.Decision[int]) {
				if n++; n == 1000 {
					busy.Succeed(struct{}{})
				}
			})
			// succeed(1) is a pure value, with no step of its own: only Repeat
			// itself can notice the interruption.
			x := mustRun(t, FlatMap(Fork(Repeat(e, s)), func(fb *Fiber[error, int]) Effect[any, error, Exit[error, int]] {
				return AndThen(busy.Await[any](), Interrupt[any](fb))
			}))
			if !x.IsInterrupted() || n < 1000 {
				t.Fatalf("got %v after %d runs", x, n)
			}
		}
		synctest.Test(t, func(t *testing.T) {
			// During a delay, the interruption stops the repeat at once.
			start := time.Now()
			rep := Repeat(succeed(1), schedule.Spaced(time.Hour))
			x := mustRun(t, FlatMap(Fork(rep), func(fb *Fiber[error, int]) Effect[any, error, Exit[error, int]] {
				return AndThen(Sleep[any, error](time.Second), Interrupt[any](fb))
			}))
			if !x.IsInterrupted() || time.Since(start) != time.Second {
				t.Fatalf("delay: got %v after %v", x, time.Since(start))
			}
		})
	})
}

func TestRetryMethodsMatchFunctions(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := schedule.Exponential(10 * time.Millisecond).Intersect(schedule.Recurs(3))
			a := newRetryProbe(2)
			x := runExit(a.effect().Retry(s))
			b := newRetryProbe(2)
			y := runExit(Retry(b.effect(), s))
			if x.String() != y.String() || !slices.Equal(a.at, b.at) {
				t.Fatalf("method %v at %v, function %v at %v", x, a.at, y, b.at)
			}
		})
	})
}

// retryProperties returns a gopter property set that logs its seed on failure.
func retryProperties(t *testing.T) *gopter.Properties {
	params := gopter.DefaultTestParameters()
	seed := params.Seed()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gopter seed: %d", seed)
		}
	})
	return gopter.NewProperties(params)
}

func TestPropertyRetryRecurs(t *testing.T) {
	p := retryProperties(t)
	p.Property("Retry with Recurs(n) runs a failing effect exactly n+1 times", prop.ForAll(
		func(n int, budget int32) string {
			old := depthBudget
			depthBudget = budget
			defer func() { depthBudget = old }()
			attempts := 0
			e := Suspend(func() eff { attempts++; return Fail[any, int](errBoom) })
			if _, err := run(e.Retry(schedule.Recurs(n))); err != errBoom {
				return fmt.Sprintf("got %v, want boom", err)
			}
			if attempts != n+1 {
				return fmt.Sprintf("Recurs(%d): %d attempts, want %d", n, attempts, n+1)
			}
			return ""
		},
		gen.IntRange(0, 50), gen.OneConstOf(int32(0), int32(2), depthBudget),
	))
	p.TestingRun(t)
}

func TestPropertyRetryTimeIsSumOfDelays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := retryProperties(t)
		p.Property("a failing retry takes exactly the sum of the schedule's delays", prop.ForAll(
			func(base int64, factor float64, jitter float64, n int, seed uint64) string {
				s := schedule.ExponentialWith(time.Duration(base), factor).Capped(time.Hour).Jitter(jitter).Seed(seed).
					Intersect(schedule.Recurs(n))
				// The expected delays, from a driver of its own.
				var want time.Duration
				d := s.Start(time.Now())
				for {
					delay, _, ok := d.Next(time.Now(), errBoom)
					if !ok {
						break
					}
					want += delay
				}
				attempts := 0
				e := Suspend(func() eff { attempts++; return Fail[any, int](errBoom) })
				start := time.Now()
				if _, err := run(e.Retry(s)); err != errBoom {
					return fmt.Sprintf("got %v, want boom", err)
				}
				if took := time.Since(start); took != want || attempts != n+1 {
					return fmt.Sprintf("took %v in %d attempts, want %v in %d", took, attempts, want, n+1)
				}
				return ""
			},
			gen.Int64Range(1, int64(time.Second)), gen.Float64Range(1, 3), gen.Float64Range(0, 1),
			gen.IntRange(0, 12), gen.UInt64(),
		))
		p.TestingRun(t)
	})
}
