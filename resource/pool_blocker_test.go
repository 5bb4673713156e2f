package resource_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
)

// A pool at its limit: the dump shows who borrowed its resources and who
// creates one; the places come back to no one when the borrowers end,
// interrupted or not.
func TestPoolDumpShowsBorrowers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		defer rt.TrackWaits()()
		var f factory
		opts := f.options(0, 3)
		slow := f.create()
		opts.Create = effect.AndThen(effect.Sleep[any, error](time.Hour), slow)
		opts.Name = "conns"
		p, closePool := openPool(t, rt, opts)
		defer closePool()
		if k, n := p.BlockerName(); k != "pool" || n != "conns" {
			t.Fatalf("BlockerName: %q %q", k, n)
		}
		assertHolders(t, p, nil, "0/3 in use")
		start := func(e unit) *effect.Fiber[error, struct{}] {
			fb := rt.Start(context.Background(), e, nil)
			synctest.Wait()
			return fb
		}
		hold := func(name string) unit {
			return effect.Void(resource.Use(p, func(*conn) eff[int] { return effect.Never[any, error, int]() })).Named(name)
		}
		// The pool starts empty: #2, #3 and #4 each take a place and
		// create a conn (an hour); #5 waits for a place. Creators hold
		// their places as borrowers do.
		a := start(hold("a"))
		b := start(hold("b"))
		c := start(hold("c"))
		w := start(hold("waiter"))
		time.Sleep(30 * time.Minute)
		synctest.Wait()
		want := `fiber #5 "waiter" suspended: pool conns (3/3 in use, held by #2, #3, #4) for 30m0s`
		if got := effecttest.DumpText(t, rt); !strings.Contains(got, want+"\n") {
			t.Errorf("dump lacks %q:\n%s", want, got)
		}
		// The creations end: the same three hold the conns as borrowers.
		time.Sleep(time.Hour)
		synctest.Wait()
		want = `fiber #5 "waiter" suspended: pool conns (3/3 in use, held by #2, #3, #4) for 1h30m0s`
		if got := effecttest.DumpText(t, rt); !strings.Contains(got, want+"\n") {
			t.Errorf("dump lacks %q:\n%s", want, got)
		}
		if d := rt.Deadlocks(); d != nil {
			t.Errorf("deadlocks: %v", d)
		}
		// An interrupted borrower's conn goes to the waiter, who holds it.
		stopAll(b)
		synctest.Wait()
		assertHolders(t, p, []effect.FiberID{2, 4, 5}, "3/3 in use")
		stopAll(a, c, w)
		assertHolders(t, p, nil, "0/3 in use")
		if st := p.Stats(); st.Idle != 3 {
			t.Fatalf("stats: %+v", st)
		}
	})
}

// A fiber holds a pool's only conn and waits for a semaphore whose holder
// waits for the conn: one cycle through a pool and a semaphore.
func TestPoolSemaphoreDeadlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		var f factory
		opts := f.options(1, 1)
		opts.Name = "conns"
		p, closePool := openPool(t, rt, opts)
		defer closePool()
		s, closeSem := openSemaphore(t, rt, 1, resource.WithName("cache"))
		defer closeSem()
		usePool := func(e unit) unit {
			return effect.Void(resource.Use(p, func(*conn) eff[int] { return e.As(0) }))
		}
		useSem := func(e unit) unit { return s.WithPermits(1, e) }
		first, second := crossed(usePool, useSem)
		f1 := rt.Start(context.Background(), first, nil)
		f2 := rt.Start(context.Background(), second, nil)
		time.Sleep(2 * time.Second)
		synctest.Wait()
		got := rt.Deadlocks()
		want := `deadlock: fiber #3 "first" waits for semaphore cache held by #4; fiber #4 "second" waits for pool conns held by #3`
		if len(got) != 1 || got[0].String() != want {
			t.Fatalf("deadlocks: %v, want [%s]", got, want)
		}
		if d := got[0].Waits[1].Detail; d != "1/1 in use" {
			t.Errorf("pool's detail: %q", d)
		}
		stopAll(f1)
		<-f2.Done()
		if ex, _ := f2.Poll(); !ex.IsSuccess() {
			t.Fatalf("second: %v", ex)
		}
		assertHolders(t, p, nil, "0/1 in use")
		assertHolders(t, s, nil, "0/1 permits")
	})
}

// Closing a pool whose conn is still out: the fiber closing it waits on
// the pool's drain, a wait that ends on its own (DrainTimeout).
func TestPoolDrainWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		defer rt.TrackWaits()()
		var f factory
		opts := f.options(1, 1)
		opts.Name = "conns"
		opts.DrainTimeout = time.Minute
		scope := rt.NewScope()
		p, err := rt.Run(context.Background(), effect.Extend(scope, resource.NewPool[any, error](opts)), nil)
		if err != nil {
			t.Fatal(err)
		}
		borrower := rt.Start(context.Background(), effect.Void(resource.Use(p, func(*conn) eff[int] {
			return effect.Never[any, error, int]()
		})).Named("borrower"), nil)
		synctest.Wait()
		closer := rt.Start(context.Background(), effect.CloseScope[any, error](scope).Named("closer"), nil)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		want := `fiber #3 "closer" suspended: pool drain conns (1 in use, up to 1m0s) for 10s` + "\n"
		if got := effecttest.DumpText(t, rt); !strings.Contains(got, want) {
			t.Errorf("dump lacks %q:\n%s", want, got)
		}
		if d := rt.Deadlocks(); d != nil {
			t.Errorf("deadlocks: %v", d)
		}
		// After DrainTimeout the drain takes the conn back and ends.
		<-closer.Done()
		stopAll(borrower)
		if made, destroyed := f.counts(); made != 1 || len(destroyed) != 1 {
			t.Fatalf("made %d, destroyed %v", made, destroyed)
		}
	})
}
