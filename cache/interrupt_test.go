package cache_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/cache"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

func TestInterruptedWaiterLeavesTheOthersTheirResult(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(10 * time.Millisecond)
		c, closeScope := openCache(t, rt, src, cache.Options{})
		defer closeScope()
		fbs := make([]*effect.Fiber[error, string], 3)
		for i := range fbs {
			fbs[i] = rt.Start(context.Background(), c.Get("k"), nil)
		}
		time.Sleep(5 * time.Millisecond)
		if s := c.Stats(); s.Waiting != 3 || s.InFlight != 1 {
			t.Fatalf("before: %d waiting, %d in flight; want 3, 1", s.Waiting, s.InFlight)
		}
		fbs[0].InterruptFromGo() // the caller that started the lookup
		effecttest.WaitIdle()
		effecttest.AssertInterrupted(t, must(fbs[0].Wait(context.Background())))
		if s := c.Stats(); s.Waiting != 2 || s.InFlight != 1 {
			t.Errorf("after one left: %d waiting, %d in flight; want 2, 1", s.Waiting, s.InFlight)
		}
		for _, fb := range fbs[1:] {
			effecttest.AssertSucceeds(t, must(fb.Wait(context.Background())), "k#1")
		}
		if src.interrupts() != 0 || src.count("k") != 1 {
			t.Errorf("lookup interrupted %d times, run %d times; want 0, 1", src.interrupts(), src.count("k"))
		}
		assertStats(t, c, cache.Stats{Misses: 3, Shared: 2, Loads: 1, Entries: 1})
	})
}

func TestLookupInterruptedWhenEveryWaiterLeaves(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(10 * time.Millisecond)
		c, closeScope := openCache(t, rt, src, cache.Options{})
		defer closeScope()
		a := rt.Start(context.Background(), c.Get("k"), nil)
		b := rt.Start(context.Background(), c.Get("k"), nil)
		time.Sleep(5 * time.Millisecond)
		a.InterruptFromGo()
		effecttest.WaitIdle()
		if src.interrupts() != 0 {
			t.Fatal("lookup interrupted while a caller still waits")
		}
		b.InterruptFromGo()
		effecttest.WaitIdle()
		if src.interrupts() != 1 {
			t.Fatalf("lookup interrupted %d times after every caller left, want 1", src.interrupts())
		}
		if why := src.why(); !errors.Is(why[0], cache.ErrAbandoned) || !errors.Is(why[0], context.Canceled) {
			t.Errorf("the lookup was interrupted for %v, want cache.ErrAbandoned", why[0])
		}
		assertStats(t, c, cache.Stats{Misses: 2, Shared: 1, Loads: 1, Abandoned: 1})
		// Nothing was stored: the next Get looks k up again.
		if v, err := rt.Run(context.Background(), c.Get("k"), nil); v != "k#2" || err != nil {
			t.Errorf("next Get: %q, %v; want k#2", v, err)
		}
	})
}

func TestAbandonedLookupEndsBeforeTheNextStarts(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(10 * time.Millisecond)
		// The lookup takes 3ms to notice an interruption.
		slow := func(k string) eff.Effect[string] {
			return effect.OnInterrupt(src.lookup(k), func(error) eff.Effect[struct{}] { return effect.Sleep[any, error](3 * time.Millisecond) })
		}
		scope := rt.NewScope()
		defer scope.Close(context.Background())
		c, err := rt.Run(context.Background(), effect.Extend(scope, cache.New(slow, cache.Options{})), nil)
		if err != nil {
			t.Fatal(err)
		}
		a := rt.Start(context.Background(), c.Get("k"), nil)
		time.Sleep(5 * time.Millisecond)
		a.InterruptFromGo()
		effecttest.WaitIdle()
		start := time.Now()
		v, err := rt.Run(context.Background(), c.Get("k"), nil)
		if v != "k#2" || err != nil {
			t.Errorf("next Get: %q, %v", v, err)
		}
		if d := time.Since(start); d != 13*time.Millisecond {
			t.Errorf("next Get took %v, want 3ms (the abandoned lookup stopping) + 10ms", d)
		}
		if src.overlap() != 1 {
			t.Errorf("%d lookups of one key ran at once", src.overlap())
		}
	})
}

func TestClosingTheScopeStopsTheCache(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		src := newSource(10 * time.Millisecond)
		c, closeScope := openCache(t, rt, src, cache.Options{})
		waiter := rt.Start(context.Background(), c.Get("k"), nil)
		time.Sleep(5 * time.Millisecond)
		closeScope()
		x := must(waiter.Wait(context.Background()))
		effecttest.AssertInterruptedWith(t, x, cache.ErrClosed)
		if src.interrupts() != 1 {
			t.Errorf("lookup interrupted %d times, want 1", src.interrupts())
		}
		_, err := rt.Run(context.Background(), c.Get("k"), nil)
		if !errors.Is(err, cache.ErrClosed) || !errors.Is(err, context.Canceled) {
			t.Errorf("Get after close: %v, want an interruption by ErrClosed", err)
		}
		if s := c.Stats(); s.Entries != 0 || s.InFlight != 0 {
			t.Errorf("after close: %+v", s)
		}
	})
}

func must[E, A any](x effect.Exit[E, A], err error) effect.Exit[E, A] {
	if err != nil {
		panic(err)
	}
	return x
}

func TestACallersDeadlineDoesNotReachTheSharedLookup(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		lookup := func(k string) eff.Effect[string] {
			return eff.Try(func(ctx context.Context) (string, error) {
				if d, ok := ctx.Deadline(); ok {
					return "", fmt.Errorf("the lookup has its starter's deadline %v", d)
				}
				select {
				case <-time.After(20 * time.Millisecond):
					return "v", nil
				case <-ctx.Done():
					return "", context.Cause(ctx)
				}
			})
		}
		scope := rt.NewScope()
		defer scope.Close(context.Background())
		c, err := rt.Run(context.Background(), effect.Extend(scope, cache.New(lookup, cache.Options{})), nil)
		if err != nil {
			t.Fatal(err)
		}
		hurried := rt.Start(context.Background(), c.Get("k").Timeout(5*time.Millisecond), nil)
		patient := rt.Start(context.Background(), effect.AndThen(effect.Sleep[any, error](time.Millisecond), c.Get("k")), nil)
		_, err = must(hurried.Wait(context.Background())).Get()
		if !errors.Is(err, effect.ErrTimeout) {
			t.Errorf("hurried: %v, want its timeout", err)
		}
		effecttest.AssertSucceeds(t, must(patient.Wait(context.Background())), "v")
	})
}
