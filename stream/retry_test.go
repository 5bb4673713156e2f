package stream

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

func TestRepeatEffectOnSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := 0
		poll := do(func() int { n++; return n })
		s := RepeatEffect(poll, schedule.Spaced(time.Second).Intersect(schedule.Recurs(3)))
		if got, want := record(t, s), "0s:1 1s:2 2s:3 3s:4"; got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
		n = 0
		// Lazy: a consumer that takes 2 runs the effect twice.
		if got, want := record(t, RepeatEffect(poll, schedule.Spaced(time.Second)).Take(2)), "0s:1 1s:2"; got != want || n != 2 {
			t.Fatalf("take 2: got %s (ran %d times), want %s", got, n, want)
		}
	})
}

// flaky returns a stream that fails on its first fails attempts, after
// emitting the elements in before, and then emits 1, 2, 3. Each attempt
// holds a resource.
func flaky(tr *tracker, fails int, before []int) S[int] {
	attempt := 0
	return Unwrap(do(func() S[int] {
		attempt++
		if attempt <= fails {
			return tr.res("attempt", ints(before...).Concat(Fail[any, int](errBoom)))
		}
		return tr.res("attempt", ints(1, 2, 3))
	}))
}

func TestRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := &tracker{}
		sched := schedule.Spaced(100 * time.Millisecond).Intersect(schedule.Recurs(2))
		if got, want := record(t, flaky(tr, 2, nil).Retry(sched)), "200ms:1 200ms:2 200ms:3"; got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
		if a, r := tr.count("acquire attempt"), tr.count("release attempt"); a != 3 || r != 3 {
			t.Fatalf("3 attempts: acquired %d released %d", a, r)
		}
		if got, want := record(t, flaky(&tracker{}, 3, nil).Retry(sched)), "200ms:error boom"; got != want {
			t.Fatalf("schedule exhausted: got %s want %s", got, want)
		}
	})
}

func TestRetryResetsAfterAnElement(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Every failing attempt emits 0 first, so the schedule of one retry
		// starts over each time and never runs out.
		s := flaky(&tracker{}, 4, []int{0}).Retry(schedule.Recurs(1))
		if got, want := record(t, s), "0s:0 0s:0 0s:0 0s:0 0s:1 0s:2 0s:3"; got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

func TestRetryDoesNotRetryDefects(t *testing.T) {
	attempts := 0
	s := Unwrap(do(func() S[int] {
		attempts++
		return FromEffect(effect.Die[any, error, int]("bug"))
	})).Retry(schedule.Recurs(5))
	ex := effect.RunExit(t.Context(), s.Drain(), nil)
	if !ex.Cause().IsDefect() || attempts != 1 {
		t.Fatalf("got %v after %d attempts, want a defect after 1", ex, attempts)
	}
}
