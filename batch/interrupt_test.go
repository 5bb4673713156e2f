package batch_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/batch"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

func TestCallerLeavingBeforeTheBatchIsSentDropsItsKey(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(time.Millisecond)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: 10 * time.Millisecond})
		defer closeScope()
		a := rt.Start(context.Background(), l.Get(1), nil)
		b := rt.Start(context.Background(), l.Get(2), nil)
		c := rt.Start(context.Background(), l.GetAll([]int{2, 3}), nil)
		time.Sleep(5 * time.Millisecond)
		if s := l.Stats(); s.Pending != 3 || s.Waiting != 4 {
			t.Fatalf("before: %+v", s)
		}
		a.InterruptFromGo() // key 1 has no other caller: dropped
		b.InterruptFromGo() // key 2 has another: kept
		effecttest.WaitIdle()
		if s := l.Stats(); s.Pending != 2 || s.Waiting != 2 || s.Dropped != 1 {
			t.Errorf("after two left: %+v", s)
		}
		effecttest.AssertInterrupted(t, must(a.Wait(context.Background())))
		effecttest.AssertInterrupted(t, must(b.Wait(context.Background())))
		effecttest.AssertSucceeds(t, must(c.Wait(context.Background())), []string{"v2", "v3"})
		if got, want := be.batches(), [][]int{{2, 3}}; !reflect.DeepEqual(got, want) {
			t.Errorf("batches %v, want %v", got, want)
		}
	})
}

func TestEveryCallerLeavingCancelsTheOpenBatch(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(time.Millisecond)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: 10 * time.Millisecond})
		defer closeScope()
		a := rt.Start(context.Background(), l.GetAll([]int{1, 2}), nil)
		time.Sleep(5 * time.Millisecond)
		a.InterruptFromGo()
		effecttest.WaitIdle()
		// The window's fiber is gone: nothing waits for 10ms. Only the
		// loader's launcher is left.
		if n := len(rt.Fibers()); n != 1 {
			t.Errorf("%d fibers left, want 1", n)
		}
		time.Sleep(10 * time.Millisecond)
		if n := len(be.batches()); n != 0 {
			t.Errorf("%d calls of the resolver, want none", n)
		}
		assertStats(t, l, batch.Stats{Requests: 2, Dropped: 2})
	})
}

func TestInterruptedCallerLeavesTheOthersTheirAnswers(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(10 * time.Millisecond)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: time.Millisecond})
		defer closeScope()
		a := rt.Start(context.Background(), l.Get(1), nil) // its fiber opened the batch
		b := rt.Start(context.Background(), l.Get(2), nil)
		c := rt.Start(context.Background(), l.Get(1), nil)
		time.Sleep(5 * time.Millisecond) // sent at 1ms
		a.InterruptFromGo()
		b.InterruptFromGo()
		effecttest.AssertInterrupted(t, must(a.Wait(context.Background())))
		effecttest.AssertInterrupted(t, must(b.Wait(context.Background())))
		effecttest.AssertSucceeds(t, must(c.Wait(context.Background())), "v1")
		if be.interrupts() != 0 {
			t.Error("the resolver was interrupted while a caller still waited")
		}
		assertStats(t, l, batch.Stats{Requests: 3, Shared: 1, Batches: 1, Keys: 2})
	})
}

func TestEveryCallerLeavingInterruptsTheBatch(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(10 * time.Millisecond)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: time.Millisecond})
		defer closeScope()
		a := rt.Start(context.Background(), l.Get(1), nil)
		b := rt.Start(context.Background(), l.Get(2), nil)
		time.Sleep(5 * time.Millisecond)
		a.InterruptFromGo()
		effecttest.WaitIdle()
		if be.interrupts() != 0 {
			t.Fatal("interrupted while a caller waits")
		}
		b.InterruptFromGo()
		effecttest.AssertInterrupted(t, must(b.Wait(context.Background())))
		// The last caller's interruption completed after the resolver stopped.
		if be.interrupts() != 1 {
			t.Errorf("resolver interrupted %d times, want 1", be.interrupts())
		}
		if why := be.calls[0].why; !errors.Is(why, batch.ErrAbandoned) {
			t.Errorf("the call was interrupted for %v, want batch.ErrAbandoned", why)
		}
		assertStats(t, l, batch.Stats{Requests: 2, Batches: 1, Keys: 2, Abandoned: 1})
		// Nothing is in flight any more: the keys are asked again.
		if v, err := rt.Run(context.Background(), l.Get(1), nil); v != "v1" || err != nil {
			t.Errorf("next Get: %q, %v", v, err)
		}
		if n := len(be.batches()); n != 2 {
			t.Errorf("%d calls, want 2", n)
		}
	})
}

func TestClosingTheScopeStopsTheLoader(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(10 * time.Millisecond)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: time.Millisecond, MaxSize: 2})
		inFlight := rt.Start(context.Background(), l.GetAll([]int{1, 2}), nil) // sent at once
		gathering := rt.Start(context.Background(), l.Get(3), nil)             // in the window
		effecttest.WaitIdle()
		closeScope()
		effecttest.AssertInterruptedWith(t, must(inFlight.Wait(context.Background())), batch.ErrClosed)
		effecttest.AssertInterruptedWith(t, must(gathering.Wait(context.Background())), batch.ErrClosed)
		if be.interrupts() != 1 {
			t.Errorf("resolver interrupted %d times, want 1", be.interrupts())
		}
		_, err := rt.Run(context.Background(), l.Get(1), nil)
		if !errors.Is(err, batch.ErrClosed) || !errors.Is(err, context.Canceled) {
			t.Errorf("Get after close: %v", err)
		}
		if s := l.Stats(); s.Waiting != 0 || s.InFlight != 0 || s.Pending != 0 {
			t.Errorf("after close: %+v", s)
		}
	})
}

func TestACallersDeadlineDoesNotReachTheSharedCall(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		resolve := func(keys []int) eff.Effect[map[int]string] {
			return eff.Try(func(ctx context.Context) (map[int]string, error) {
				if d, ok := ctx.Deadline(); ok {
					return nil, fmt.Errorf("the call has a caller's deadline %v", d)
				}
				select {
				case <-time.After(20 * time.Millisecond):
					return map[int]string{1: "one", 2: "two"}, nil
				case <-ctx.Done():
					return nil, context.Cause(ctx)
				}
			})
		}
		scope := rt.NewScope()
		defer scope.Close(context.Background())
		l, err := rt.Run(context.Background(), effect.Extend(scope, batch.New(resolve, batch.Options{Window: time.Millisecond})), nil)
		if err != nil {
			t.Fatal(err)
		}
		hurried := rt.Start(context.Background(), l.Get(1).Timeout(5*time.Millisecond), nil)
		patient := rt.Start(context.Background(), l.Get(2), nil)
		_, err = must(hurried.Wait(context.Background())).Get()
		if !errors.Is(err, effect.ErrTimeout) {
			t.Errorf("hurried: %v, want its timeout", err)
		}
		effecttest.AssertSucceeds(t, must(patient.Wait(context.Background())), "two")
	})
}
