package effect

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

func TestRaceLoserIsInterruptedBeforeRaceReturns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		fast := AndThen(Sleep[any, error](time.Second), succeed(1))
		slow := Ensuring(AndThen(Sleep[any, error](time.Hour), succeed(2)),
			AndThen(Sleep[any, error](10*time.Millisecond), ev.note("loser cleaned up")))
		start := time.Now()
		got := mustRun(t, AndThen(ev.note("start"), Race(slow, fast)).Tap(func(int) unit { return ev.note("race returned") }))
		if got != 1 {
			t.Fatalf("winner: %d", got)
		}
		if e := ev.get(); !slices.Equal(e, []string{"start", "loser cleaned up", "race returned"}) {
			t.Fatalf("events: %v", e)
		}
		if d := time.Since(start); d != time.Second+10*time.Millisecond {
			t.Fatalf("took %v", d)
		}
	})
}

func TestRaceFirstSuccessWinsOverEarlierFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		failsFast := AndThen(Sleep[any, error](time.Millisecond), Fail[any, int](errBoom))
		succeedsLater := AndThen(Sleep[any, error](time.Second), succeed(7))
		if got := mustRun(t, Race(failsFast, succeedsLater)); got != 7 {
			t.Fatalf("got %d", got)
		}
		// RaceFirst takes the first exit, even a failure.
		if _, err := run(RaceFirst(failsFast, succeedsLater)); err != errBoom {
			t.Fatalf("RaceFirst: %v", err)
		}
	})
}

func TestRaceBothFailCombinesCauses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e1, e2 := errors.New("one"), errors.New("two")
		ex := runExit(Race(AndThen(Sleep[any, error](time.Second), Fail[any, int](e1)), Fail[any, int](e2)))
		c := ex.Cause()
		if c.Kind() != Both || !slices.Equal(c.Failures(), []error{e2, e1}) {
			t.Fatalf("cause: %v", c)
		}
		if err := ex.Err(); !errors.Is(err, e1) || !errors.Is(err, e2) {
			t.Fatalf("errors.Is: %v", err)
		}
	})
}

func TestRaceAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		effs := make([]eff, 5)
		for i := range effs {
			effs[i] = OnInterrupt(AndThen(Sleep[any, error](time.Duration(5-i)*time.Second), succeed(i)), func(error) unit { return ev.note("interrupted") })
		}
		if got := mustRun(t, RaceAll(effs)); got != 4 {
			t.Fatalf("got %d", got)
		}
		if ev.count("interrupted") != 4 {
			t.Fatalf("interrupted %d losers, want 4", ev.count("interrupted"))
		}
		defer func() {
			if recover() == nil {
				t.Fatal("RaceAll(nil) did not panic")
			}
		}()
		RaceAll[any, error, int](nil)
	})
}

func TestRaceInterruptedCallerStopsBoth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		a := OnInterrupt(Never[any, error, int](), func(error) unit { return ev.note("a") })
		b := OnInterrupt(Never[any, error, int](), func(error) unit { return ev.note("b") })
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan Exit[error, int])
		go func() { done <- RunExit(ctx, Race(a, b), nil) }()
		synctest.Wait()
		cancel()
		if ex := <-done; !ex.IsInterrupted() || ev.count("a") != 1 || ev.count("b") != 1 {
			t.Fatalf("got %v %v", ex, ev.get())
		}
	})
}

// A fiber-wide interruption reaches plain Go blocked in the inline
// contestant's Try, with the interruption as the context's cause, both when
// the fiber had no context of its own before the race (the race's region
// then derives from the fiber's base) and when a Try before the race made
// one.
func TestRaceInterruptReachesInlineTry(t *testing.T) {
	for _, tryBefore := range []bool{false, true} {
		started := make(chan struct{})
		var cause error
		inline := Try[any](func(ctx context.Context) (int, error) {
			close(started)
			<-ctx.Done()
			cause = context.Cause(ctx)
			return 0, ctx.Err()
		})
		prog := Race(inline, Never[any, error, int]())
		if tryBefore {
			prog = AndThen(Try[any](func(context.Context) (int, error) { return 0, nil }), prog)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan Exit[error, int])
		go func() { done <- RunExit(ctx, prog, nil) }()
		<-started
		cancel()
		ex := <-done
		if !ex.Cause().IsInterrupted() {
			t.Errorf("tryBefore=%v: exit %v, want interrupted", tryBefore, ex)
		}
		var ie *InterruptedError
		if !errors.As(cause, &ie) {
			t.Errorf("tryBefore=%v: the Try's context cause is %v, want an *InterruptedError", tryBefore, cause)
		}
	}
}
