package resource_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
)

// conn is the resource of the pool tests.
type conn struct {
	id      int
	healthy atomic.Bool
}

// factory makes conns and keeps count of what it made and destroyed.
type factory struct {
	mu        sync.Mutex
	made      int
	destroyed []int
	failNext  int // how many creations fail from now on
	live      atomic.Int64
	peak      atomic.Int64
}

func (f *factory) create() eff[*conn] {
	return effect.Suspend(func() eff[*conn] {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.failNext > 0 {
			f.failNext--
			return effect.Fail[any, *conn](errors.New("dial failed"))
		}
		f.made++
		c := &conn{id: f.made}
		c.healthy.Store(true)
		n := f.live.Add(1)
		for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
		}
		return effect.Succeed[any, error](c)
	})
}

func (f *factory) destroy(c *conn) unit {
	return sync0(func() {
		f.mu.Lock()
		f.destroyed = append(f.destroyed, c.id)
		f.mu.Unlock()
		f.live.Add(-1)
	})
}

func (f *factory) counts() (made int, destroyed []int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.made, append([]int(nil), f.destroyed...)
}

func (f *factory) options(minSize, maxSize int) resource.PoolOptions[*conn] {
	return resource.PoolOptions[*conn]{Min: minSize, Max: maxSize, Create: f.create(), Destroy: f.destroy}
}

// openPool makes a pool in a scope of rt made by hand and returns it with
// the function that closes that scope.
func openPool(t testing.TB, rt *effect.Runtime, opts resource.PoolOptions[*conn]) (*resource.Pool[*conn], func()) {
	t.Helper()
	scope := rt.NewScope()
	p, err := rt.Run(context.Background(), effect.Extend(scope, resource.NewPool[any, error](opts)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return p, func() {
		if err := scope.Close(context.Background()); err != nil {
			t.Errorf("closing the pool's scope: %v", err)
		}
	}
}

func assertStats(t testing.TB, p *resource.Pool[*conn], want resource.PoolStats) {
	t.Helper()
	if got := p.Stats(); got != want {
		t.Fatalf("pool stats: got %+v, want %+v", got, want)
	}
}

// useID borrows a conn and succeeds with its id.
func useID(p *resource.Pool[*conn], then unit) eff[int] {
	return resource.Use(p, func(c *conn) eff[int] { return then.As(c.id) })
}

func TestPoolMinAndReuse(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var f factory
		p, closeScope := openPool(t, rt, f.options(2, 4))
		assertStats(t, p, resource.PoolStats{Size: 2, Idle: 2})
		for range 3 {
			// The most recently returned conn is lent first.
			id, err := rt.Run(context.Background(), useID(p, effect.Unit[any, error]()), nil)
			if err != nil || id != 2 {
				t.Fatalf("got conn %d, %v; want conn 2 again", id, err)
			}
		}
		assertStats(t, p, resource.PoolStats{Size: 2, Idle: 2})
		closeScope()
		if made, destroyed := f.counts(); made != 2 || len(destroyed) != 2 {
			t.Fatalf("made %d, destroyed %v; want both destroyed at close", made, destroyed)
		}
		assertStats(t, p, resource.PoolStats{})
	})
}

func TestPoolMaxAndFIFOHandoff(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var f factory
		p, closeScope := openPool(t, rt, f.options(0, 2))
		defer closeScope()
		var mu sync.Mutex
		var order []string
		user := func(name string, d time.Duration) *effect.Fiber[error, int] {
			fb := rt.Start(context.Background(), useID(p, sync0(func() {
				mu.Lock()
				order = append(order, name)
				mu.Unlock()
			}).AndThen(effect.Sleep[any, error](d))), nil)
			effecttest.WaitIdle()
			return fb
		}
		a := user("a", time.Second)
		b := user("b", 2*time.Second)
		c := user("c", time.Second)
		d := user("d", time.Second)
		assertStats(t, p, resource.PoolStats{Size: 2, InUse: 2, Waiters: 2})
		effecttest.Advance(time.Second) // a returns its conn, straight to c
		assertStats(t, p, resource.PoolStats{Size: 2, InUse: 2, Waiters: 1})
		effecttest.Advance(time.Second) // b and c return: d takes one
		assertStats(t, p, resource.PoolStats{Size: 2, Idle: 1, InUse: 1})
		effecttest.Advance(time.Second)
		ids := map[string]int{}
		for name, fb := range map[string]*effect.Fiber[error, int]{"a": a, "b": b, "c": c, "d": d} {
			ex, _ := fb.Wait(context.Background())
			ids[name] = effecttest.MustSucceed(t, ex)
		}
		if ids["c"] != ids["a"] {
			t.Fatalf("c got conn %d, want a's conn %d handed over", ids["c"], ids["a"])
		}
		if strings.Join(order, "") != "abcd" {
			t.Fatalf("order %v, want first come, first served", order)
		}
		if made, _ := f.counts(); made != 2 || f.peak.Load() != 2 {
			t.Fatalf("made %d (peak %d alive), want 2", made, f.peak.Load())
		}
	})
}

func TestPoolAcquireTimeout(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var f factory
		opts := f.options(0, 1)
		opts.AcquireTimeout = time.Second
		p, closeScope := openPool(t, rt, opts)
		defer closeScope()
		holder := rt.Start(context.Background(), useID(p, effect.Sleep[any, error](time.Hour)), nil)
		effecttest.WaitIdle()
		start := time.Now()
		_, err := rt.Run(context.Background(), useID(p, effect.Unit[any, error]()), nil)
		var te *effect.TimeoutError
		if !errors.As(err, &te) || te.After != time.Second || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want a *TimeoutError after 1s", err)
		}
		if waited := time.Since(start); waited != time.Second {
			t.Fatalf("waited %v, want exactly 1s", waited)
		}
		assertStats(t, p, resource.PoolStats{Size: 1, InUse: 1})
		holder.InterruptFromGo()
		<-holder.Done()
		assertStats(t, p, resource.PoolStats{Size: 1, Idle: 1})
	})
}

func TestPoolHealthCheckOnBorrow(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var f factory
		var checked atomic.Int64
		opts := f.options(2, 2)
		opts.Check = func(c *conn) unit {
			return effect.Suspend(func() unit {
				checked.Add(1)
				if !c.healthy.Load() {
					return effect.Fail[any, struct{}](errors.New("ping failed"))
				}
				return effect.Unit[any, error]()
			})
		}
		p, closeScope := openPool(t, rt, opts)
		defer closeScope()
		// Break both idle conns through a borrow each.
		for range 2 {
			_, err := rt.Run(context.Background(), effect.Scoped(effect.FlatMap(p.AcquireScoped[any, error](),
				func(l resource.Lease[*conn]) unit { l.Value().healthy.Store(false); return effect.Unit[any, error]() })), nil)
			if err != nil {
				t.Fatal(err)
			}
		}
		// The two broken ones are checked, destroyed, and a new conn made.
		id, err := rt.Run(context.Background(), useID(p, effect.Unit[any, error]()), nil)
		if err != nil || id != 3 {
			t.Fatalf("got conn %d, %v; want a new conn 3", id, err)
		}
		if made, destroyed := f.counts(); made != 3 || len(destroyed) != 2 {
			t.Fatalf("made %d, destroyed %v; want 3 made, the 2 broken destroyed", made, destroyed)
		}
		assertStats(t, p, resource.PoolStats{Size: 1, Idle: 1})
		if checked.Load() != 2+2 {
			t.Fatalf("checks: %d, want 4 (two borrows, then the two broken)", checked.Load())
		}
	})
}

func TestPoolInvalidation(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var f factory
		errReset := errors.New("connection reset")
		opts := f.options(0, 2)
		opts.Broken = func(err error) bool { return errors.Is(err, errReset) }
		p, closeScope := openPool(t, rt, opts)
		defer closeScope()
		run := func(e eff[int]) {
			_, _ = rt.Run(context.Background(), resource.Use(p, func(*conn) eff[int] { return e }), nil)
		}
		run(effect.Fail[any, int](errBoom)) // not broken: returned
		assertStats(t, p, resource.PoolStats{Size: 1, Idle: 1})
		run(effect.Fail[any, int](errReset)) // broken: invalidated
		assertStats(t, p, resource.PoolStats{})
		run(effect.Succeed[any, error](1))
		run(effect.Die[any, error, int]("bug")) // a defect always invalidates
		if made, destroyed := f.counts(); made != 2 || len(destroyed) != 2 {
			t.Fatalf("made %d, destroyed %v; want 2 and 2", made, destroyed)
		}
		assertStats(t, p, resource.PoolStats{})
	})
}

// TestPoolNoHangAfterInvalidation is the classic bug: the pool is full, a
// borrower waits, and the holder invalidates its resource instead of
// returning it. The freed capacity must wake the waiter, who creates a new
// resource.
func TestPoolNoHangAfterInvalidation(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var f factory
		p, closeScope := openPool(t, rt, f.options(0, 1))
		defer closeScope()
		holder := rt.Start(context.Background(), effect.FlatMap(p.Acquire[any, error](), func(l resource.Lease[*conn]) unit {
			return effect.Sleep[any, error](time.Second).AndThen(p.Invalidate[any, error](l))
		}), nil)
		effecttest.WaitIdle()
		waiter := rt.Start(context.Background(), useID(p, effect.Unit[any, error]()), nil)
		effecttest.WaitIdle()
		assertStats(t, p, resource.PoolStats{Size: 1, InUse: 1, Waiters: 1})
		effecttest.Advance(time.Second)
		<-holder.Done()
		ex, _ := waiter.Wait(context.Background())
		if id := effecttest.MustSucceed(t, ex); id != 2 {
			t.Fatalf("waiter got conn %d, want a new conn 2", id)
		}
		assertStats(t, p, resource.PoolStats{Size: 1, Idle: 1})

		// The same with a failed creation: the slot goes to the next in
		// line, who tries again.
		f.mu.Lock()
		f.failNext = 1
		f.mu.Unlock()
		p2, close2 := openPool(t, rt, f.options(0, 1))
		defer close2()
		first := rt.Start(context.Background(), useID(p2, effect.Sleep[any, error](time.Second)), nil)
		effecttest.WaitIdle()
		if ex, _ := first.Wait(context.Background()); !ex.IsFailure() {
			t.Fatalf("first creation: %v, want dial failed", ex)
		}
		assertStats(t, p2, resource.PoolStats{})
		if _, err := rt.Run(context.Background(), useID(p2, effect.Unit[any, error]()), nil); err != nil {
			t.Fatalf("after a failed creation: %v", err)
		}
	})
}

func TestPoolIdleEviction(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var f factory
		opts := f.options(1, 3)
		opts.IdleTimeout = 10 * time.Second
		p, closeScope := openPool(t, rt, opts)
		defer closeScope()
		effecttest.Advance(5 * time.Second)
		// Three borrowers at once: the pool grows to 3; they all return
		// at 6s.
		for range 3 {
			rt.Start(context.Background(), useID(p, effect.Sleep[any, error](time.Second)), nil)
		}
		effecttest.Advance(time.Second)
		assertStats(t, p, resource.PoolStats{Size: 3, Idle: 3})
		// Two of them go exactly 10s after they became idle; the third
		// stays, for Min.
		effecttest.Advance(10*time.Second - time.Nanosecond)
		assertStats(t, p, resource.PoolStats{Size: 3, Idle: 3})
		effecttest.Advance(time.Nanosecond)
		assertStats(t, p, resource.PoolStats{Size: 1, Idle: 1})
		if _, destroyed := f.counts(); len(destroyed) != 2 {
			t.Fatalf("destroyed %v, want 2 evicted", destroyed)
		}
		effecttest.Advance(time.Hour)
		assertStats(t, p, resource.PoolStats{Size: 1, Idle: 1})
	})
}

func TestPoolDrainOnClose(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var f factory
		opts := f.options(3, 4)
		opts.DrainTimeout = 5 * time.Second
		p, closeScope := openPool(t, rt, opts)
		// Two borrowers outside the pool's scope: one gives its conn back
		// at 2s, the other never does. One more waits, the pool full.
		var late resource.Lease[*conn]
		prompt := rt.Start(context.Background(), useID(p, effect.Sleep[any, error](2*time.Second)), nil)
		stuck := rt.Start(context.Background(), effect.FlatMap(p.Acquire[any, error](), func(l resource.Lease[*conn]) unit {
			late = l
			return effect.Sleep[any, error](time.Hour).AndThen(p.Release[any, error](l))
		}), nil)
		full := rt.Start(context.Background(), useID(p, effect.Sleep[any, error](time.Hour)), nil)
		effecttest.WaitIdle()
		waiter := rt.Start(context.Background(), useID(p, effect.Unit[any, error]()), nil)
		effecttest.WaitIdle()
		full.InterruptFromGo()
		<-full.Done()
		waiter.InterruptFromGo() // not before the close: re-start it waiting
		<-waiter.Done()
		waiter = rt.Start(context.Background(), effect.AndThen(useID(p, effect.Sleep[any, error](time.Hour)), useID(p, effect.Unit[any, error]())), nil)
		effecttest.WaitIdle()
		before := p.Stats()
		if before.InUse != 3 || before.Idle != 1 {
			t.Fatalf("before the close: %+v", before)
		}
		start := time.Now()
		closed := make(chan struct{})
		go func() { closeScope(); close(closed) }()
		effecttest.WaitIdle()
		if _, destroyed := f.counts(); len(destroyed) != 1 {
			t.Fatalf("at the close: destroyed %v, want the idle conn", destroyed)
		}
		effecttest.Advance(2 * time.Second)
		if _, destroyed := f.counts(); len(destroyed) != 2 {
			t.Fatalf("at 2s: destroyed %v, want the returned conn too", destroyed)
		}
		<-closed
		if took := time.Since(start); took != 5*time.Second {
			t.Fatalf("the close took %v, want the 5s drain timeout", took)
		}
		if made, destroyed := f.counts(); len(destroyed) != made {
			t.Fatalf("made %d, destroyed %v: every conn must be gone", made, destroyed)
		}
		assertStats(t, p, resource.PoolStats{})
		for _, fb := range []*effect.Fiber[error, int]{prompt} {
			if ex, _ := fb.Wait(context.Background()); !ex.IsSuccess() {
				t.Fatalf("prompt borrower: %v", ex)
			}
		}
		// The stuck borrower's conn was destroyed under it: its late
		// release does nothing.
		stuck.InterruptFromGo()
		<-stuck.Done()
		_, _ = rt.Run(context.Background(), p.Release[any, error](late), nil)
		waiter.InterruptFromGo()
		<-waiter.Done()
		if made, destroyed := f.counts(); len(destroyed) != made {
			t.Fatalf("after the late release: made %d, destroyed %v", made, destroyed)
		}
		x := rt.RunExit(context.Background(), useID(p, effect.Unit[any, error]()), nil)
		effecttest.AssertInterruptedWith(t, x, resource.ErrClosed)
		assertStats(t, p, resource.PoolStats{})
	})
}

func TestPoolCloseWakesWaiters(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var f factory
		p, closeScope := openPool(t, rt, f.options(0, 1))
		holder := rt.Start(context.Background(), useID(p, effect.Sleep[any, error](time.Second)), nil)
		effecttest.WaitIdle()
		var waiters []*effect.Fiber[error, int]
		for range 3 {
			waiters = append(waiters, rt.Start(context.Background(), useID(p, effect.Unit[any, error]()), nil))
		}
		effecttest.WaitIdle()
		go closeScope()
		effecttest.WaitIdle()
		for _, w := range waiters {
			ex, _ := w.Wait(context.Background())
			effecttest.AssertInterruptedWith(t, ex, resource.ErrClosed)
		}
		effecttest.Advance(time.Second)
		<-holder.Done()
		if made, destroyed := f.counts(); made != 1 || len(destroyed) != 1 {
			t.Fatalf("made %d, destroyed %v", made, destroyed)
		}
	})
}

// TestPoolGrantInterruptRace interrupts a waiter at the moment a conn is
// handed to it, many times: the conn must end up idle either way.
func TestPoolGrantInterruptRace(t *testing.T) {
	rt := effect.NewRuntime()
	defer rt.Shutdown(context.Background())
	var f factory
	p, closeScope := openPool(t, rt, f.options(1, 1))
	defer closeScope()
	for i := range 300 {
		l, err := rt.Run(context.Background(), p.Acquire[any, error](), nil)
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		fb := rt.Start(context.Background(), useID(p, effect.Unit[any, error]()), nil)
		for p.Stats().Waiters == 0 {
			time.Sleep(time.Microsecond)
		}
		var wg sync.WaitGroup
		wg.Go(func() { _, _ = rt.Run(context.Background(), p.Release[any, error](l), nil) })
		wg.Go(fb.InterruptFromGo)
		wg.Wait()
		<-fb.Done()
		assertStats(t, p, resource.PoolStats{Size: 1, Idle: 1})
	}
	if made, _ := f.counts(); made != 1 {
		t.Fatalf("made %d conns, want the one", made)
	}
}

func TestPoolMisuse(t *testing.T) {
	mustPanic := func(want string, f func()) {
		t.Helper()
		defer func() {
			if msg := fmt.Sprint(recover()); !strings.Contains(msg, want) {
				t.Fatalf("panic %q, want %q", msg, want)
			}
		}()
		f()
	}
	var f factory
	o := f.options(0, 0)
	mustPanic("resource.NewPool: Max must be > 0, got 0", func() { resource.NewPool[any, error](o) })
	o = f.options(3, 2)
	mustPanic("resource.NewPool: Min must be in [0, Max], got 3", func() { resource.NewPool[any, error](o) })
	o = f.options(0, 2)
	o.IdleTimeout = -1
	mustPanic("IdleTimeout must be >= 0", func() { resource.NewPool[any, error](o) })
	mustPanic("resource.NewPool: the failure type E (int) cannot hold an error", func() { resource.NewPool[any, int](f.options(0, 1)) })
	o = f.options(0, 2)
	o.Create = effect.Effect[any, error, *conn]{}
	mustPanic("resource.NewPool: opts.Create must be set: a pool without it would lend zero values", func() { resource.NewPool[any, error](o) })
	mustPanic("resource.NewPool: opts.Create must be set", func() {
		resource.NewPool[any, error](resource.PoolOptions[int]{Max: 1})
	})

	// A create that fails at NewPool fails it.
	f.failNext = 1
	rt := effect.NewRuntime()
	defer rt.Shutdown(context.Background())
	x := rt.RunExit(context.Background(), effect.Scoped(resource.NewPool[any, error](f.options(2, 2))), nil)
	if err := x.Err(); err == nil || !strings.Contains(err.Error(), "dial failed") {
		t.Fatalf("NewPool with a failing Create: %v", x)
	}
}

// TestPoolProperty is the property: whatever the sizes, the timings and the
// broken uses, no more than Max conns are ever alive, every use gets one,
// and at the end the counts add up: nothing lent, Size idle, and every
// conn made is either idle or destroyed.
func TestPoolProperty(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		params := gopter.DefaultTestParameters()
		params.MinSuccessfulTests = 40
		props := gopter.NewProperties(params)
		props.Property("conns alive <= Max and counts add up", prop.ForAll(
			func(maxSize int, jobs []int) string {
				rt := effect.NewRuntime()
				defer rt.Shutdown(context.Background())
				var f factory
				opts := f.options(0, maxSize)
				opts.Broken = func(err error) bool { return errors.Is(err, errBoom) }
				p, closeScope := openPool(t, rt, opts)
				defer closeScope()
				var done atomic.Int64
				_, err := rt.Run(context.Background(), effect.ForEachPar(jobs, func(j int) unit {
					return effect.Void(effect.OrElse(resource.Use(p, func(*conn) eff[int] {
						body := effect.Sleep[any, error](time.Duration(j%5) * time.Millisecond).AndThen(sync0(func() { done.Add(1) }))
						if j%3 == 0 {
							return effect.AndThen(body, effect.Fail[any, int](errBoom))
						}
						return body.As(j)
					}), effect.Succeed[any, error](0)))
				}, effect.Par{}), nil)
				made, destroyed := f.counts()
				st := p.Stats()
				switch {
				case err != nil:
					return err.Error()
				case f.peak.Load() > int64(maxSize):
					return fmt.Sprintf("%d conns alive at once, Max %d", f.peak.Load(), maxSize)
				case done.Load() != int64(len(jobs)):
					return fmt.Sprintf("%d uses ran, want %d", done.Load(), len(jobs))
				case st.InUse != 0 || st.Waiters != 0 || st.Size != st.Idle || made-len(destroyed) != st.Size:
					return fmt.Sprintf("stats %+v with %d made, %d destroyed", st, made, len(destroyed))
				}
				return ""
			},
			gen.IntRange(1, 4),
			gen.SliceOf(gen.IntRange(0, 100)),
		))
		props.TestingRun(t)
	})
}

// TestPoolPanickingCallbacks: a panic in Broken or OnDestroyError is a
// defect of the call, and no resource nor place is lost.
func TestPoolPanickingCallbacks(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var f factory
		opts := f.options(0, 1)
		opts.Broken = func(error) bool { panic("bad predicate") }
		opts.Destroy = func(*conn) unit { return effect.Fail[any, struct{}](errors.New("close failed")) }
		var panicked atomic.Bool
		opts.OnDestroyError = func(error) {
			if panicked.CompareAndSwap(false, true) {
				panic("bad hook")
			}
		}
		p, closeScope := openPool(t, rt, opts)
		defer closeScope()
		x := rt.RunExit(context.Background(), resource.Use(p, func(*conn) eff[int] { return effect.Fail[any, int](errBoom) }), nil)
		var values []any
		for _, d := range x.Cause().Defects() {
			values = append(values, d.Value)
		}
		if !errors.Is(x.Err(), errBoom) || len(values) != 2 {
			t.Fatalf("got %v, want boom with the two panics as defects", x)
		}
		// The conn was invalidated (a panicking Broken counts as broken)
		// and its place freed, though its destruction died.
		assertStats(t, p, resource.PoolStats{})
		if _, err := rt.Run(context.Background(), useID(p, effect.Unit[any, error]()), nil); err != nil {
			t.Fatalf("next use: %v", err)
		}
	})
}

func TestPoolUsePanicsBuildingItsEffect(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var f factory
		p, closeScope := openPool(t, rt, f.options(1, 1))
		defer closeScope()
		x := rt.RunExit(context.Background(), resource.Use(p, func(*conn) eff[int] { panic("no effect") }), nil)
		effecttest.AssertDefect(t, x, "no effect")
		if _, destroyed := f.counts(); len(destroyed) != 1 {
			t.Fatalf("destroyed %v, want the conn invalidated", destroyed)
		}
		assertStats(t, p, resource.PoolStats{})
	})
}
