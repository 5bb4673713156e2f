package resource_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
)

// The semaphore and the pool as effect.Blockers: what dumps, hooks, the
// profiler and the deadlock detector see of a fiber waiting on them.

func stopAll[E, A any](fbs ...*effect.Fiber[E, A]) {
	for _, fb := range fbs {
		fb.InterruptFromGo()
		<-fb.Done()
	}
}

func assertHolders(t testing.TB, b effect.Blocker, want []effect.FiberID, wantDetail string) {
	t.Helper()
	got, detail := b.BlockerHolders()
	if !slices.Equal(got, want) || detail != wantDetail {
		t.Fatalf("holders %v %q, want %v %q", got, detail, want, wantDetail)
	}
}

// Three named fibers hold the three permits of the semaphore "db"; a
// fourth waits: the dump names the semaphore, its holders and the wait's
// length, in text, JSON and Mermaid; the wait hooks and the profiler see
// the semaphore by name.
func TestSemaphoreDump(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		waits, removeWaits := effecttest.RecordWaits(rt)
		defer removeWaits()
		prof := effect.NewProfiler()
		defer rt.AddHooks(prof.Hooks())()
		s, closeScope := openSemaphore(t, rt, 3, resource.WithName("db"))
		defer closeScope()
		if s.Name() != "db" {
			t.Fatalf("Name: %q", s.Name())
		}
		var holders []*effect.Fiber[error, struct{}]
		for _, name := range []string{"q1", "q2", "q3"} {
			holders = append(holders, rt.Start(context.Background(), s.WithPermits(1, effect.Sleep[any, error](time.Hour)).Named(name), nil))
		}
		synctest.Wait()
		report := rt.Start(context.Background(), s.WithPermits(1, effect.Unit[any, error]()).Named("report"), nil)
		time.Sleep(2100 * time.Millisecond)
		synctest.Wait()

		want := `scope #1 (runtime)
  fiber #2 "q1" suspended: sleep 1h0m0s for 2.1s
  fiber #3 "q2" suspended: sleep 1h0m0s for 2.1s
  fiber #4 "q3" suspended: sleep 1h0m0s for 2.1s
  fiber #5 "report" suspended: semaphore db (3/3 permits, held by #2, #3, #4) for 2.1s
  scope #2
`
		if got := effecttest.DumpText(t, rt); got != want {
			t.Errorf("dump:\n%s\nwant:\n%s", got, want)
		}

		tree := rt.Tree()
		var wait *effect.WaitNode
		tree.Walk(func(fn *effect.FiberNode) {
			if fn.ID == 5 {
				wait = fn.Wait
			}
		})
		if wait == nil {
			t.Fatal("fiber #5 is not in the tree")
		}
		gotJSON, _ := json.Marshal(wait)
		wantJSON := `{"kind":"semaphore","resource":"db","holders":[2,3,4],"detail":"3/3 permits","since":"` +
			wait.Since.Format(time.RFC3339Nano) + `","for":2100000000}`
		if string(gotJSON) != wantJSON {
			t.Errorf("JSON wait:\n%s\nwant:\n%s", gotJSON, wantJSON)
		}

		var mer bytes.Buffer
		if err := rt.DumpMermaid(&mer); err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{
			`  f5["fiber #5 \"report\" suspended<br/>semaphore db (3/3 permits, held by #2, #3, #4) for 2.1s"]`,
			`  f5 -.->|"semaphore db"| f2`,
			`  f5 -.->|"semaphore db"| f3`,
			`  f5 -.->|"semaphore db"| f4`,
		} {
			line = strings.ReplaceAll(line, `\"`, "#quot;")
			if !strings.Contains(mer.String(), line+"\n") {
				t.Errorf("mermaid lacks %s:\n%s", line, mer.String())
			}
		}

		var stuck []string
		for _, sf := range rt.Stuck(2 * time.Second) {
			stuck = append(stuck, sf.String())
		}
		wantStuck := []string{
			`fiber #2 "q1" waits for sleep 1h0m0s for 2.1s`,
			`fiber #3 "q2" waits for sleep 1h0m0s for 2.1s`,
			`fiber #4 "q3" waits for sleep 1h0m0s for 2.1s`,
			`fiber #5 "report" waits for semaphore db (3/3 permits, held by #2, #3, #4) for 2.1s`,
		}
		if !slices.Equal(stuck, wantStuck) {
			t.Errorf("stuck:\n%s\nwant:\n%s", strings.Join(stuck, "\n"), strings.Join(wantStuck, "\n"))
		}
		if d := rt.Deadlocks(); d != nil {
			t.Errorf("deadlocks: %v", d)
		}

		// The first holder ends: its permit goes to the report, which runs.
		stopAll(holders[0])
		<-report.Done()
		if ex, _ := report.Poll(); !ex.IsSuccess() {
			t.Fatalf("report: %v", ex)
		}
		assertHolders(t, s, []effect.FiberID{3, 4}, "2/3 permits")
		stopAll(holders[1:]...)
		assertHolders(t, s, nil, "0/3 permits")

		if !waits.Has("start report: semaphore db", "end report: semaphore db after 2.1s") {
			t.Errorf("wait events lack the semaphore's: %q", waits.Lines())
		}
		var row effect.ProfileRow
		for _, r := range prof.Profile().Rows {
			if r.Name == "report" {
				row = r
			}
		}
		if w := row.Waiting["semaphore db"]; w != 2100*time.Millisecond {
			t.Errorf("profile of report: waiting %v, want 2.1s on semaphore db", row.Waiting)
		}
	})
}

// A holder of several permits is counted; permits taken by hand are held
// by plain Go; an anonymous semaphore has no name.
func TestSemaphoreHoldersCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		s, closeScope := openSemaphore(t, rt, 5)
		defer closeScope()
		if k, n := s.BlockerName(); k != "semaphore" || n != "" {
			t.Fatalf("BlockerName: %q %q", k, n)
		}
		big := rt.Start(context.Background(), s.WithPermits(2, s.WithPermits(1, effect.Never[any, error, struct{}]())), nil)
		synctest.Wait()
		if !s.TryAcquire(1) {
			t.Fatal("TryAcquire failed")
		}
		if _, err := rt.Run(context.Background(), s.Acquire[any, error](1), nil); err != nil {
			t.Fatal(err)
		}
		assertHolders(t, s, []effect.FiberID{2, 0}, "5/5 permits, #2 holds 3")
		waiter := rt.Start(context.Background(), s.WithPermits(1, effect.Unit[any, error]()), nil)
		synctest.Wait()
		if want := "fiber #4 suspended: semaphore (5/5 permits, #2 holds 3, held by #2, plain Go)"; !strings.Contains(effecttest.DumpText(t, rt), want) {
			t.Errorf("dump lacks %q:\n%s", want, effecttest.DumpText(t, rt))
		}
		// Holders through plain Go make the wait live: no deadlock, though
		// #2 waits for nothing that #4 holds.
		if d := rt.Deadlocks(); d != nil {
			t.Errorf("deadlocks: %v", d)
		}
		s.Release(1)
		<-waiter.Done()
		assertHolders(t, s, []effect.FiberID{2, 0}, "4/5 permits, #2 holds 3")
		s.Release(1)
		assertHolders(t, s, []effect.FiberID{2}, "3/5 permits, #2 holds 3")
		stopAll(big)
		assertHolders(t, s, nil, "0/5 permits")
	})
}

// crossed returns two effects that take a and b in opposite orders, with a
// second between.
func crossed(a, b func(unit) unit) (unit, unit) {
	first := a(effect.AndThen(effect.Sleep[any, error](time.Second), b(effect.Unit[any, error]()))).Named("first")
	second := b(effect.AndThen(effect.Sleep[any, error](time.Second), a(effect.Unit[any, error]()))).Named("second")
	return first, second
}

func TestSemaphoreDeadlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		defer rt.TrackWaits()()
		a, closeA := openSemaphore(t, rt, 1, resource.WithName("a"))
		defer closeA()
		b, closeB := openSemaphore(t, rt, 1, resource.WithName("b"))
		defer closeB()
		first, second := crossed(
			func(e unit) unit { return a.WithPermits(1, e) },
			func(e unit) unit { return b.WithPermits(1, e) })
		f1 := rt.Start(context.Background(), first, nil)
		f2 := rt.Start(context.Background(), second, nil)
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		if d := rt.Deadlocks(); d != nil {
			t.Fatalf("deadlocks before the cycle closed: %v", d)
		}
		time.Sleep(time.Minute + 500*time.Millisecond)
		synctest.Wait()
		got := rt.Deadlocks()
		if len(got) != 1 {
			t.Fatalf("got %d deadlocks, want one: %v", len(got), got)
		}
		want := effect.Deadlock{Waits: []effect.DeadlockWait{
			{Fiber: 3, FiberName: "first", Kind: "semaphore", Resource: "b", Detail: "1/1 permits", HeldBy: []effect.FiberID{4}, For: time.Minute},
			{Fiber: 4, FiberName: "second", Kind: "semaphore", Resource: "a", Detail: "1/1 permits", HeldBy: []effect.FiberID{3}, For: time.Minute},
		}}
		gotJSON, _ := json.Marshal(got[0])
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("deadlock:\n%s\nwant:\n%s", gotJSON, wantJSON)
		}
		wantText := `deadlock: fiber #3 "first" waits for semaphore b held by #4; fiber #4 "second" waits for semaphore a held by #3`
		if got[0].String() != wantText {
			t.Errorf("text:\n%s\nwant:\n%s", got[0].String(), wantText)
		}
		// Interrupting one fiber breaks the cycle: the other one finishes,
		// and no permit is left held.
		stopAll(f1)
		<-f2.Done()
		if ex, _ := f2.Poll(); !ex.IsSuccess() {
			t.Fatalf("second: %v", ex)
		}
		if d := rt.Deadlocks(); d != nil {
			t.Fatalf("deadlocks after the cycle broke: %v", d)
		}
		assertHolders(t, a, nil, "0/1 permits")
		assertHolders(t, b, nil, "0/1 permits")
	})
}

// A fiber that waits a long time for permits whose holder sleeps is in no
// deadlock, and neither is a cycle through permits taken by hand (whose
// holder is unknown).
func TestSemaphoreLongLiveWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		defer rt.TrackWaits()()
		s, closeScope := openSemaphore(t, rt, 1, resource.WithName("db"))
		defer closeScope()
		holder := rt.Start(context.Background(), s.WithPermits(1, effect.Sleep[any, error](time.Hour)).Named("holder"), nil)
		synctest.Wait()
		waiter := rt.Start(context.Background(), s.WithPermits(1, effect.Unit[any, error]()).Named("waiter"), nil)
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if d := rt.Deadlocks(); d != nil {
			t.Fatalf("deadlocks: %v", d)
		}
		stuck := rt.Stuck(5 * time.Minute)
		if len(stuck) != 2 || stuck[1].String() != `fiber #3 "waiter" waits for semaphore db (1/1 permits, held by #2) for 10m0s` {
			t.Fatalf("stuck: %v", stuck)
		}
		<-holder.Done()
		<-waiter.Done()
		if ex, _ := waiter.Poll(); !ex.IsSuccess() {
			t.Fatalf("waiter: %v", ex)
		}

		// The same crossing as TestSemaphoreDeadlock, by hand: a cycle
		// that the detector cannot see, since Release does not say whose
		// permits it returns.
		a, closeA := openSemaphore(t, rt, 1, resource.WithName("a"))
		defer closeA()
		b, closeB := openSemaphore(t, rt, 1, resource.WithName("b"))
		defer closeB()
		byHand := func(s *resource.Semaphore) func(unit) unit {
			return func(e unit) unit {
				return effect.AndThen(s.Acquire[any, error](1), effect.Ensuring(e, sync0(func() { s.Release(1) })))
			}
		}
		first, second := crossed(byHand(a), byHand(b))
		f1 := rt.Start(context.Background(), first, nil)
		f2 := rt.Start(context.Background(), second, nil)
		time.Sleep(time.Minute)
		synctest.Wait()
		if d := rt.Deadlocks(); d != nil {
			t.Fatalf("deadlocks through permits of plain Go: %v", d)
		}
		if want := `"first" suspended: semaphore b (1/1 permits, held by plain Go)`; !strings.Contains(effecttest.DumpText(t, rt), want) {
			t.Errorf("dump lacks %q:\n%s", want, effecttest.DumpText(t, rt))
		}
		stopAll(f1, f2)
	})
}

// A holder interrupted while it holds, or while the permits reach it,
// leaves no trace among the holders.
func TestSemaphoreInterruptedHolder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		s, closeScope := openSemaphore(t, rt, 2, resource.WithName("db"))
		defer closeScope()
		var fbs []*effect.Fiber[error, struct{}]
		start := func(e unit) *effect.Fiber[error, struct{}] {
			fb := rt.Start(context.Background(), e, nil)
			synctest.Wait()
			return fb
		}
		for range 2 {
			fbs = append(fbs, start(s.WithPermits(1, effect.Never[any, error, struct{}]())))
		}
		scoped := start(effect.Scoped(effect.AndThen(s.AcquireScoped[any, error](2), effect.Never[any, error, struct{}]())))
		waiter := start(s.WithPermits(1, effect.Never[any, error, struct{}]()))
		assertHolders(t, s, []effect.FiberID{2, 3}, "2/2 permits")
		stopAll(fbs[0])
		synctest.Wait()
		// AcquireScoped wants both: the waiter behind it waits too.
		assertHolders(t, s, []effect.FiberID{3}, "1/2 permits")
		stopAll(fbs[1])
		synctest.Wait()
		assertHolders(t, s, []effect.FiberID{4}, "2/2 permits, #4 holds 2")
		stopAll(scoped)
		synctest.Wait()
		assertHolders(t, s, []effect.FiberID{5}, "1/2 permits")
		stopAll(waiter)
		assertHolders(t, s, nil, "0/2 permits")
	})
}

func TestWithNameBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"empty", func() { resource.WithName("") }, "resource.WithName: name must not be empty"},
		{"newline", func() { resource.WithName("a\nb") }, `resource.WithName: name must not hold control characters, got "a\nb"`},
		{"nil option", func() { resource.NewSemaphore[any, error](1, nil) }, "resource.NewSemaphore: an option is nil"},
		{"pool", func() {
			resource.NewPool[any, error](resource.PoolOptions[int]{Max: 1, Create: effect.Succeed[any, error](1), Name: "x\ty"})
		}, `resource.NewPool: opts.Name: name must not hold control characters, got "x\ty"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Fatalf("panic %v, want %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}
