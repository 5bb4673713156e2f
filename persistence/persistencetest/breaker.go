package persistencetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

var errDown = errors.New("service down")

func testBreakerShared(t *testing.T, b Backend) {
	s1, s2 := b.New(t), b.New(t)
	name := key(t, "brk")
	opts := resource.BreakerOptions{Name: name, FailureThreshold: 3, ResetTimeout: time.Hour}
	fail := effect.Fail[any, int](errDown)
	ok := effect.Succeed[any, error](1)
	ctx := ctxFor(t, 20*time.Second)
	prog := effect.Scoped(effect.FlatMap(resource.NewCircuitBreaker[any, error](withStore(opts, s1)), func(cb1 *resource.CircuitBreaker) effect.Effect[any, error, int] {
		return effect.FlatMap(resource.NewCircuitBreaker[any, error](withStore(opts, s2)), func(cb2 *resource.CircuitBreaker) effect.Effect[any, error, int] {
			// Two failures through one breaker and one through the
			// other open both: the count is shared.
			steps := []effect.Effect[any, error, int]{cb1.Execute(fail), cb2.Execute(fail), cb1.Execute(fail)}
			return effect.FlatMap(effect.ForEach(steps, func(e effect.Effect[any, error, int]) effect.Effect[any, error, int] {
				return effect.Catch(e, func(error) effect.Effect[any, error, int] { return effect.Succeed[any, error](0) })
			}), func([]int) effect.Effect[any, error, int] { return cb2.Execute(ok) })
		})
	}))
	_, err := effect.Run(ctx, prog, nil)
	var oe *resource.BreakerOpenError
	if !errors.As(err, &oe) || oe.Name != name {
		t.Fatalf("call through the second breaker after 3 shared failures: err = %v, want *BreakerOpenError", err)
	}
	r, err := s2.Load(ctx, name)
	if err != nil || r.State != resource.BreakerOpen || r.OpenedAt.IsZero() {
		t.Fatalf("stored record = %+v, %v; want open", r, err)
	}
}

func withStore(o resource.BreakerOptions, s resource.BreakerStore) resource.BreakerOptions {
	o.Store = s
	return o
}

// testBreakerCounting has several stores count failures of one record at
// once, through Update, and checks that none was lost.
func testBreakerCounting(t *testing.T, b Backend) {
	const perWorker = 25
	name := key(t, "count")
	ctx := ctxFor(t, time.Minute)
	var wg sync.WaitGroup
	workers := b.workers()
	for w := range workers {
		s := b.New(t)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range perWorker {
					_, err := s.Update(ctx, name, func(r resource.BreakerRecord) resource.BreakerRecord {
						r.Failures++
						r.Window = append(r.Window[:len(r.Window):len(r.Window)], true)
						return r
					})
					if err != nil {
						t.Errorf("worker %d: Update: %v", w, err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	r, err := b.New(t).Load(ctx, name)
	if want := workers * 2 * perWorker; err != nil || r.Failures != want || len(r.Window) != want {
		t.Fatalf("after %d concurrent increments: failures %d, window %d, err %v", want, r.Failures, len(r.Window), err)
	}
}

func testBreakerWatch(t *testing.T, b Backend) {
	s1, s2 := b.New(t), b.New(t)
	name := key(t, "watch")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	seen := make(chan resource.BreakerRecord, 16)
	done := make(chan error, 1)
	go func() {
		done <- s1.WatchBreaker(ctx, name, func(r resource.BreakerRecord) { seen <- r })
	}()
	next := func(what string) resource.BreakerRecord {
		select {
		case r := <-seen:
			return r
		case <-time.After(10 * time.Second):
			t.Fatalf("watch: no record for %s within 10s", what)
		}
		return resource.BreakerRecord{}
	}
	if r := next("the start"); r.State != resource.BreakerClosed || r.Generation != 0 {
		t.Fatalf("first record seen = %+v, want the zero record", r)
	}
	opened := time.Unix(1700000000, 123456789)
	if _, err := s2.Update(ctx, name, func(r resource.BreakerRecord) resource.BreakerRecord {
		return resource.BreakerRecord{State: resource.BreakerOpen, Generation: r.Generation + 1, OpenedAt: opened}
	}); err != nil {
		t.Fatal(err)
	}
	if r := next("the change made by another store"); r.State != resource.BreakerOpen || r.Generation != 1 || !r.OpenedAt.Equal(opened) {
		t.Fatalf("record seen after the change = %+v, want open, generation 1, opened at %v", r, opened)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("WatchBreaker after its ctx ended: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WatchBreaker did not return after its ctx ended")
	}
}

func testBreakerHostileNames(t *testing.T, b Backend) {
	s, s2 := b.New(t), b.New(t)
	ctx := ctxFor(t, 30*time.Second)
	prefix := key(t, "hb")
	for i, h := range HostileKeys {
		name := prefix + h
		want := resource.BreakerRecord{State: resource.BreakerOpen, Generation: uint64(i + 1), Window: []bool{true, false, true}}
		if _, err := s.Update(ctx, name, func(resource.BreakerRecord) resource.BreakerRecord { return want }); err != nil {
			t.Fatalf("name %d: Update: %v", i, err)
		}
		r, err := s2.Load(ctx, name)
		if err != nil || r.State != want.State || r.Generation != want.Generation || len(r.Window) != 3 || !r.Window[0] || r.Window[1] {
			t.Fatalf("name %d: Load = %+v, %v; want %+v", i, r, err, want)
		}
	}
	if r, err := s.Load(ctx, prefix); err != nil || r.Generation != 0 {
		t.Fatalf("Load of the bare prefix = %+v, %v; want the zero record", r, err)
	}
}
