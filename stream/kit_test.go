package stream

import (
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/schedule"
)

// These tests use the project's test kit (effect/effecttest): interruption
// sweeps, resource tracking and exact virtual time.

// An interruption at any step of a take-then-offer-back never loses or
// duplicates the element: it is either still in the queue or recorded as
// taken, never both, never neither.
func TestQueueTakeIsSafeAtEveryInterruptionPoint(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, _ *effect.Runtime) {
		var q *Queue[int]
		var taken []int
		steps := effecttest.SweepInterrupts(t,
			func() effect.Effect[any, error, bool] {
				q = NewQueue[int](1, BackPressure)
				q.TryOffer(7)
				taken = nil
				take := effect.Map(q.Take[any, error](), func(o effect.Option[int]) int {
					taken = append(taken, o.Value)
					return o.Value
				})
				return effect.FlatMap(take, func(v int) effect.Effect[any, error, bool] { return q.Offer[any, error](v + 1) })
			},
			func(t testing.TB, step int, x effect.Exit[error, bool]) {
				inQueue := q.Len()
				switch {
				case x.IsSuccess():
					if v, _ := q.TryTake(); inQueue != 1 || v != 8 || !slices.Equal(taken, []int{7}) {
						t.Errorf("step %d: success left %d in the queue (%d), taken %v", step, inQueue, v, taken)
					}
				case inQueue+len(taken) != 1 && !(inQueue == 1 && len(taken) == 1):
					t.Errorf("step %d: %d in the queue, taken %v: an element was lost or duplicated", step, inQueue, taken)
				}
			})
		if steps < 2 {
			t.Fatalf("swept only %d steps", steps)
		}
	})
}

// A consumer that stops early releases every resource the stream acquired,
// exactly once, in reverse order.
func TestEarlyStopReleasesTrackedResources(t *testing.T) {
	var res effecttest.Resources
	src := Concat(
		AcquireRelease(res.Acquire[any, error]("file a"), func(string) effect.Effect[any, error, struct{}] { return effect.Unit[any, error]() }).
			FlatMap(func(string) Stream[any, error, int] { return Range[any, error](0, 100) }),
		Range[any, error](100, 200))
	ex := effecttest.Run(t, effect.Scoped(src.Take(3).Collect()))
	effecttest.AssertSucceeds(t, ex, []int{0, 1, 2})
	res.AssertReleased(t)
	if held := res.Held(); len(held) != 0 {
		t.Fatalf("still held: %v", held)
	}
}

// GroupedWithin emits a partial group when the window opened by its first
// element ends, at exact virtual times: ticks at 0.4, 0.8, 1.2 and 1.6 s and a
// 1 s window give [1 2 3] at 1.4 s, then [4] when the source ends at 1.6 s.
func TestGroupedWithinTimesWithTheKit(t *testing.T) {
	ticks := ticks(4, 400*time.Millisecond)
	var start time.Time
	var at []time.Duration
	prog := effect.AndThen(effect.Sync[any, error](func() time.Time { start = time.Now(); return start }),
		GroupedWithin(ticks, 10, time.Second).Tap(func([]int) effect.Effect[any, error, struct{}] {
			return effect.Sync[any, error](func() struct{} { at = append(at, time.Since(start)); return struct{}{} })
		}).Collect())
	ex, took := effecttest.RunTimed(t, prog)
	got := effecttest.MustSucceed(t, ex)
	if len(got) != 2 || !slices.Equal(got[0], []int{1, 2, 3}) || !slices.Equal(got[1], []int{4}) {
		t.Fatalf("groups: %v", got)
	}
	if !slices.Equal(at, []time.Duration{1400 * time.Millisecond, 1600 * time.Millisecond}) {
		t.Fatalf("groups emitted at %v, want [1.4s 1.6s]", at)
	}
	if took != 1600*time.Millisecond {
		t.Fatalf("took %v, want 1.6s", took)
	}
}

// ticks emits 1..n, one every d.
func ticks(n int, d time.Duration) Stream[any, error, int] {
	i := 0
	tick := effect.AndThen(effect.Sleep[any, error](d), effect.Sync[any, error](func() int { i++; return i }))
	return RepeatEffect(tick, schedule.Recurs(n-1))
}
