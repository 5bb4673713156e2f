package effect

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// crossed returns two effects that take a and b in opposite orders, with
// a second between, named as the fibers will be.
func crossed(a, b *testLock) (unit, unit) {
	first := Named(a.with(AndThen(Sleep[any, error](time.Second), b.with(Unit[any, error]()))), "first")
	second := Named(b.with(AndThen(Sleep[any, error](time.Second), a.with(Unit[any, error]()))), "second")
	return first, second
}

func TestDeadlockOfTwoFibersOverTwoLocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		defer rt.TrackWaits()()
		a, b := newTestLock("a"), newTestLock("b")
		first, second := crossed(a, b)
		f1 := rt.Start(context.Background(), first, nil)
		f2 := rt.Start(context.Background(), second, nil)
		// A third fiber waits for the first: stuck behind the cycle, not
		// part of it.
		f3 := rt.Start(context.Background(), Named(Join[any](f1), "behind"), nil)
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		if got := rt.Deadlocks(); got != nil {
			t.Fatalf("deadlocks before the cycle closed: %v", got)
		}
		time.Sleep(time.Minute + 500*time.Millisecond)
		synctest.Wait()
		got := rt.Deadlocks()
		if len(got) != 1 {
			t.Fatalf("got %d deadlocks, want one: %v", len(got), got)
		}
		d := got[0]
		want := Deadlock{
			Waits: []DeadlockWait{
				{Fiber: 1, FiberName: "first", Kind: "lock", Resource: "b", Detail: "1/1", HeldBy: []FiberID{2}, For: time.Minute},
				{Fiber: 2, FiberName: "second", Kind: "lock", Resource: "a", Detail: "1/1", HeldBy: []FiberID{1}, For: time.Minute},
			},
			Blocked: []FiberID{3},
		}
		gotJSON, _ := json.Marshal(d)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("deadlock:\n%s\nwant:\n%s", gotJSON, wantJSON)
		}
		if !slices.Equal(d.Fibers(), []FiberID{1, 2}) {
			t.Errorf("fibers: %v", d.Fibers())
		}
		wantText := `deadlock: fiber #1 "first" waits for lock b held by #2; fiber #2 "second" waits for lock a held by #1; blocked behind it: #3`
		if d.String() != wantText {
			t.Errorf("text:\n%s\nwant:\n%s", d.String(), wantText)
		}
		// Interrupting one fiber of the cycle breaks it.
		f1.InterruptFromGo()
		<-f1.Done()
		<-f2.Done()
		<-f3.Done()
		if got := rt.Deadlocks(); got != nil {
			t.Fatalf("deadlocks after the cycle broke: %v", got)
		}
	})
}

// A fiber waiting a long time for a lock whose holder sleeps is not in a
// deadlock: the holder will wake up. It is stuck, though, and so is the
// holder's sleep.
func TestLongLiveWaitIsNoDeadlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		defer rt.TrackWaits()()
		c := newTestLock("c")
		holder := rt.Start(context.Background(), Named(c.with(Sleep[any, error](time.Hour)), "holder"), nil)
		synctest.Wait()
		waiter := rt.Start(context.Background(), Named(c.with(Unit[any, error]()), "waiter"), nil)
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if got := rt.Deadlocks(); got != nil {
			t.Fatalf("deadlocks: %v", got)
		}
		var lines []string
		for _, s := range rt.Stuck(5 * time.Minute) {
			lines = append(lines, s.String())
		}
		want := []string{
			`fiber #1 "holder" waits for sleep 1h0m0s for 10m0s`,
			`fiber #2 "waiter" waits for lock c (1/1, held by #1) for 10m0s`,
		}
		if !slices.Equal(lines, want) {
			t.Errorf("stuck:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		if got := rt.Stuck(11 * time.Minute); got != nil {
			t.Errorf("stuck past 11 minutes: %v", got)
		}
		<-holder.Done()
		<-waiter.Done()
		if ex, _ := waiter.Poll(); !ex.IsSuccess() {
			t.Fatalf("waiter: %v", ex)
		}
	})
}

// A fiber that takes a lock it holds already is a cycle of one.
func TestSelfDeadlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		l := newTestLock("l")
		fb := rt.Start(context.Background(), Named(l.with(l.with(Unit[any, error]())), "twice"), nil)
		synctest.Wait()
		got := rt.Deadlocks()
		want := `deadlock: fiber #1 "twice" waits for lock l held by #1`
		if len(got) != 1 || got[0].String() != want {
			t.Fatalf("deadlocks: %v, want [%s]", got, want)
		}
		fb.InterruptFromGo()
		<-fb.Done()
	})
}

// A fiber joining a fiber that joins it back (through a deferred it
// cannot see, here a lock) is found through the join edge.
func TestDeadlockThroughJoin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		l := newTestLock("l")
		prog := l.with(FlatMap(Fork(Named(l.with(Unit[any, error]()), "child")), func(c *Fiber[error, struct{}]) unit {
			return Join[any](c)
		}))
		fb := rt.Start(context.Background(), Named(prog, "parent"), nil)
		synctest.Wait()
		got := rt.Deadlocks()
		want := `deadlock: fiber #1 "parent" waits for join #2 held by #2; fiber #2 "child" waits for lock l held by #1`
		if len(got) != 1 || got[0].String() != want {
			t.Fatalf("deadlocks: %v, want [%s]", got, want)
		}
		fb.InterruptFromGo()
		<-fb.Done()
	})
}

func TestWatchdogReportsEachDeadlockOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		var mu sync.Mutex
		var deadlocks, stuck []string
		dog := Watchdog[any, error](WatchdogOptions{
			Every:      time.Second,
			OnDeadlock: func(d Deadlock) { mu.Lock(); deadlocks = append(deadlocks, d.String()); mu.Unlock() },
			StuckAfter: 30 * time.Second,
			OnStuck: func(s StuckFiber) {
				mu.Lock()
				stuck = append(stuck, s.String())
				mu.Unlock()
			},
		})
		wd := rt.Start(context.Background(), dog, nil)
		synctest.Wait()
		a, b := newTestLock("a"), newTestLock("b")
		first, second := crossed(a, b)
		f1 := rt.Start(context.Background(), first, nil)
		f2 := rt.Start(context.Background(), second, nil)
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		mu.Lock()
		wantD := []string{`deadlock: fiber #2 "first" waits for lock b held by #3; fiber #3 "second" waits for lock a held by #2`}
		wantS := []string{
			`fiber #2 "first" waits for lock b (1/1, held by #3) for 30s`,
			`fiber #3 "second" waits for lock a (1/1, held by #2) for 30s`,
		}
		if !slices.Equal(deadlocks, wantD) {
			t.Errorf("deadlocks: %q\nwant %q", deadlocks, wantD)
		}
		if !slices.Equal(stuck, wantS) {
			t.Errorf("stuck: %q\nwant %q", stuck, wantS)
		}
		mu.Unlock()
		f1.InterruptFromGo()
		wd.InterruptFromGo()
		<-f1.Done()
		<-f2.Done()
		<-wd.Done()
		if rt.obs.Load() != nil {
			t.Error("the watchdog left wait tracking on")
		}
	})
}

func TestWatchdogBadOptions(t *testing.T) {
	for _, tc := range []struct {
		opts WatchdogOptions
		want string
	}{
		{WatchdogOptions{}, "effect.Watchdog: OnDeadlock or OnStuck must be set"},
		{WatchdogOptions{OnDeadlock: func(Deadlock) {}, Every: -1}, "effect.Watchdog: Every must be >= 0, got -1ns"},
		{WatchdogOptions{OnStuck: func(StuckFiber) {}}, "effect.Watchdog: StuckAfter must be > 0 with OnStuck, got 0s"},
	} {
		func() {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic %v, want %q", r, tc.want)
				}
			}()
			Watchdog[any, error](tc.opts)
		}()
	}
}
