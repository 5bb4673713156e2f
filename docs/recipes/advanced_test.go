package recipes_test

// The patterns of docs/advanced.md, run: supervision with restarts, stack
// safety of recursive effects, and custom schedules inspected through their
// driver.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

// supervise is the chapter's one-for-one supervisor: worker restarted on
// failure with backoff, the backoff reset after a quiet run.
func supervise(name string, worker eff.Effect[struct{}], log func(string, ...any)) eff.Effect[struct{}] {
	restarts := schedule.Exponential(time.Second).Capped(time.Minute).
		Tap(func(d schedule.Decision[time.Duration]) {
			log("%s failed (%v): restart %d in %v", name, d.Input, d.Attempt, d.Delay)
		}).
		ResetAfter(5 * time.Minute) // a worker that ran 5 minutes starts over at 1s
	return worker.Retry(restarts)
}

func TestSuperviseRestartsWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var lines []string
		log := func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }
		runs := 0
		worker := eff.Do(func(ctx context.Context) error {
			runs++
			switch runs {
			case 1, 2:
				return fmt.Errorf("crash %d", runs)
			case 3:
				time.Sleep(10 * time.Minute) // a long healthy run, then a crash
				return errors.New("crash 3")
			}
			<-ctx.Done() // healthy until stopped
			return ctx.Err()
		})
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		_, err := eff.Run(ctx, supervise("indexer", worker, log))
		if !errors.Is(err, context.DeadlineExceeded) || runs != 4 {
			t.Fatalf("got %v after %d runs, want the deadline after 4", err, runs)
		}
		want := []string{
			"indexer failed (crash 1): restart 1 in 1s",
			"indexer failed (crash 2): restart 2 in 2s",
			"indexer failed (crash 3): restart 1 in 1s", // the quiet run reset the backoff
		}
		if fmt.Sprint(lines) != fmt.Sprint(want) {
			t.Fatalf("log:\n%q\nwant:\n%q", lines, want)
		}
	})
}

// One for all: when one worker of a group fails, the others are
// interrupted, and the group restarts together.
func TestOneForAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		starts := map[string]int{}
		stopped := map[string]int{}
		count := func(m map[string]int, name string) int { mu.Lock(); defer mu.Unlock(); m[name]++; return m[name] }
		worker := func(name string, failFirst bool) eff.Effect[struct{}] {
			return eff.Do(func(ctx context.Context) error {
				if n := count(starts, name); failFirst && n == 1 {
					time.Sleep(time.Second)
					return errors.New(name + " lost its connection")
				}
				<-ctx.Done()
				count(stopped, name)
				return ctx.Err()
			})
		}
		group := eff.All(worker("reader", false), worker("writer", true)).Void()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = eff.Run(ctx, group.Retry(schedule.Spaced(time.Second)))
		if starts["reader"] != 2 || starts["writer"] != 2 || stopped["reader"] != 2 {
			t.Fatalf("starts %v, stops %v: want both started twice, the reader stopped by the writer's failure and by the deadline", starts, stopped)
		}
	})
}

// countdown is the chapter's recursive effect.
func countdown(n int) eff.Effect[int] {
	if n == 0 {
		return eff.Succeed(0)
	}
	return eff.Succeed(n).FlatMap(func(n int) eff.Effect[int] { return countdown(n - 1) })
}

func TestRecursionIsStackSafe(t *testing.T) {
	if v, err := eff.Run(context.Background(), countdown(1_000_000)); v != 0 || err != nil {
		t.Fatalf("got %v, %v", v, err)
	}
	// A loop that never ends by itself, stopped by its ctx.
	n := 0
	var loop eff.Effect[int]
	loop = eff.Suspend(func() eff.Effect[int] {
		n++
		return eff.Succeed(n).FlatMap(func(int) eff.Effect[int] { return loop })
	})
	ctx, cancel := context.WithCancel(context.Background())
	stop := eff.Sync(func() int {
		if n == 200_000 {
			cancel()
		}
		return n
	})
	_, err := eff.Run(ctx, effect.Forever(stop.AndThen(eff.Suspend(func() eff.Effect[int] { n++; return eff.Succeed(n) }))))
	if !errors.Is(err, context.Canceled) || n < 200_000 {
		t.Fatalf("got %v after %d rounds", err, n)
	}
}

// The custom schedules of the chapter, decided by their driver.
func TestCustomSchedules(t *testing.T) {
	delays := func(s schedule.Schedule[time.Duration], n int) []time.Duration {
		d := s.Start(time.Time{})
		var out []time.Duration
		for range n {
			delay, _, ok := d.Next(time.Time{}, errors.New("x"))
			if !ok {
				break
			}
			out = append(out, delay)
		}
		return out
	}
	warmup := schedule.Exponential(100*time.Millisecond).Intersect(schedule.Recurs(4)).
		AndThen(schedule.Spaced(30 * time.Second).Delays())
	if got := fmt.Sprint(delays(warmup, 7)); got != "[100ms 200ms 400ms 800ms 30s 30s 30s]" {
		t.Fatalf("warm-up then steady: %s", got)
	}
	permanent := errors.New("permanent")
	careful := schedule.Fibonacci(time.Second).Capped(5*time.Second).Intersect(schedule.Recurs(10)).
		WhileInput(func(err error) bool { return !errors.Is(err, permanent) })
	if got := fmt.Sprint(delays(careful, 7)); got != "[1s 1s 2s 3s 5s 5s 5s]" {
		t.Fatalf("fibonacci capped: %s", got)
	}
	d := careful.Start(time.Time{})
	if _, _, ok := d.Next(time.Time{}, permanent); ok {
		t.Fatal("a permanent error did not stop the schedule")
	}
}
