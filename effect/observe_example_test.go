package effect_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

// mutex is a lock built on AsyncOn, as the library's primitives are: it
// names itself and reports its holder, so that dumps and the deadlock
// detector can say who waits for whom.
type mutex struct {
	name    string
	mu      sync.Mutex
	holder  effect.FiberID // 0: free
	waiters []func()
}

func (m *mutex) BlockerName() (string, string) { return "lock", m.name }

func (m *mutex) BlockerHolders() ([]effect.FiberID, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.holder == 0 {
		return nil, "free"
	}
	return []effect.FiberID{m.holder}, "1/1"
}

// Lock takes the lock for the fiber that runs it, waiting if it is held.
func (m *mutex) Lock() eff.Effect[struct{}] {
	return effect.SuspendFiber(func(id effect.FiberID) eff.Effect[struct{}] {
		return effect.AsyncOn[any](m, func(resume func(eff.Exit[struct{}])) func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if m.holder == 0 {
				m.holder = id
				resume(eff.Exit[struct{}]{})
				return nil
			}
			gone := false
			m.waiters = append(m.waiters, func() {
				if !gone {
					m.holder = id
					resume(eff.Exit[struct{}]{})
				}
			})
			return func() { m.mu.Lock(); gone = true; m.mu.Unlock() }
		})
	})
}

// waitUntil polls cond: the examples wait for fibers to park.
func waitUntil(cond func() bool) {
	for !cond() {
		time.Sleep(time.Millisecond)
	}
}

func allSuspended(rt *effect.Runtime, n int) func() bool {
	return func() bool {
		fs := rt.Fibers()
		if len(fs) != n {
			return false
		}
		for _, f := range fs {
			if f.Status != effect.FiberSuspended {
				return false
			}
		}
		return true
	}
}

// Deadlocks names the fibers of a cycle and what each waits for: here two
// fibers that took two locks in opposite orders.
func ExampleRuntime_Deadlocks() {
	rt := effect.NewRuntime()
	a, b := &mutex{name: "accounts"}, &mutex{name: "ledger"}
	// Each takes its first lock, says so, and waits at the gate, which
	// opens once both hold one: then each asks for the other's.
	gate := effect.NewDeferred[error, struct{}]()
	lockBoth := func(first, second *mutex, took *effect.Deferred[error, struct{}]) eff.Effect[struct{}] {
		return first.Lock().
			FlatMap(func(struct{}) eff.Effect[struct{}] {
				took.Succeed(struct{}{})
				return gate.Await[any]()
			}).
			FlatMap(func(struct{}) eff.Effect[struct{}] { return second.Lock() })
	}
	tookA, tookB := effect.NewDeferred[error, struct{}](), effect.NewDeferred[error, struct{}]()
	prog := eff.Fork(lockBoth(a, b, tookA).Named("transfer")).FlatMap(func(*eff.Fiber[struct{}]) eff.Effect[struct{}] {
		return eff.Fork(lockBoth(b, a, tookB).Named("audit")).FlatMap(func(*eff.Fiber[struct{}]) eff.Effect[struct{}] {
			return effect.AndThen(tookA.Await[any](), tookB.Await[any]()).FlatMap(func(struct{}) eff.Effect[struct{}] {
				gate.Succeed(struct{}{})
				return eff.Never[struct{}]()
			})
		})
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rt.RunExit(ctx, prog, nil); close(done) }()

	waitUntil(allSuspended(rt, 3))
	for _, d := range rt.Deadlocks() {
		fmt.Println(d)
	}
	cancel()
	<-done
	// Output:
	// deadlock: fiber #2 "transfer" waits for lock ledger held by #3; fiber #3 "audit" waits for lock accounts held by #2
}

// Dump writes the tree of scopes and fibers: each fiber's name, status and
// what it waits for (and since when, once waits are tracked).
func ExampleRuntime_Dump() {
	rt := effect.NewRuntime()
	db := &mutex{name: "db"}
	prog := db.Lock().FlatMap(func(struct{}) eff.Effect[struct{}] {
		return eff.Fork(eff.Sleep(time.Hour).Named("poller")).FlatMap(func(*eff.Fiber[struct{}]) eff.Effect[struct{}] {
			return eff.Fork(db.Lock().Named("writer")).FlatMap(func(*eff.Fiber[struct{}]) eff.Effect[struct{}] {
				return eff.Never[struct{}]()
			})
		})
	}).Named("main")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rt.RunExit(ctx, prog, nil); close(done) }()

	waitUntil(allSuspended(rt, 3))
	_ = rt.Dump(os.Stdout)
	fmt.Println()
	_ = rt.DumpMermaid(os.Stdout)
	cancel()
	<-done
	// Output:
	// scope #1 (runtime)
	//   fiber #1 "main" suspended: never
	//     fiber #2 "poller" suspended: sleep 1h0m0s
	//     fiber #3 "writer" suspended: lock db (1/1, held by #1)
	//
	// flowchart TD
	//   s1["scope #1 (runtime)"]
	//   f1["fiber #1 #quot;main#quot; suspended<br/>never"]
	//   f2["fiber #2 #quot;poller#quot; suspended<br/>sleep 1h0m0s"]
	//   f3["fiber #3 #quot;writer#quot; suspended<br/>lock db (1/1, held by #1)"]
	//   s1 --> f1
	//   f1 --> f2
	//   f1 --> f3
	//   f3 -.->|"lock db"| f1
}

// Named names an effect for dumps, traces, metrics, logs and the profiler;
// hooks see each run begin and end.
func ExampleNamed() {
	rt := effect.NewRuntime()
	defer rt.AddHooks(effect.Hooks{
		NamedEnd: func(_ context.Context, ev effect.NamedEvent) {
			fmt.Printf("%s (under %q) ended: %v\n", ev.Name, ev.Parent, ev.Err)
		},
	})()
	load := eff.Fail[int](fmt.Errorf("no such user")).Named("load user", slog.Int("user.id", 42))
	_, err := rt.Run(context.Background(), load.Catch(func(error) eff.Effect[int] { return eff.Succeed(0) }).Named("handler"), nil)
	fmt.Println(err)
	// Output:
	// load user (under "handler") ended: no such user
	// handler (under "") ended: <nil>
	// <nil>
}

// FiberOf tells plain Go which fiber's context it holds: its ID, name,
// scope path and the annotations in force (what observe/logging adds to
// log records).
func ExampleFiberOf() {
	show := eff.Do(func(ctx context.Context) error {
		l, ok := effect.FiberOf(ctx)
		fmt.Println(ok, l.ID, l.Name, l.ScopePath, l.Annotations)
		return nil
	})
	prog := eff.Fork(show.Named("child")).FlatMap(eff.Join).Annotate(slog.String("request", "r-1"))
	_, _ = eff.Run(context.Background(), prog)
	_, ok := effect.FiberOf(context.Background())
	fmt.Println(ok)
	// Output:
	// true 2 child [1 2] [request=r-1]
	// false
}

// Context hands the fiber's context to code that logs or starts spans by
// hand; it carries the fiber, its annotations and its span, and is never
// cancelled.
func ExampleContext() {
	prog := effect.FlatMap(effect.Context[any, error](), func(ctx context.Context) eff.Effect[string] {
		l, _ := effect.FiberOf(ctx)
		return eff.Succeed(fmt.Sprintf("fiber %d %q, done: %v", l.ID, l.Name, ctx.Done() == nil))
	}).Named("worker")
	fmt.Println(eff.Run(context.Background(), prog))
	// Output:
	// fiber 1 "worker", done: true <nil>
}

// The profiler keeps, per named effect, runs, time running against time
// waiting, retries and finalizers.
func ExampleNewProfiler() {
	rt := effect.NewRuntime()
	p := effect.NewProfiler()
	defer rt.AddHooks(p.Hooks())()
	attempts := 0
	fetch := eff.Try(func(context.Context) (int, error) {
		attempts++
		if attempts < 3 {
			return 0, fmt.Errorf("busy")
		}
		return 1, nil
	}).Retry(schedule.Spaced(time.Millisecond)).Named("fetch")
	for range 2 {
		attempts = 0
		_, _ = rt.Run(context.Background(), fetch, nil)
	}
	for _, r := range p.Profile().Rows {
		fmt.Println(r.Name, "runs:", r.Count, "retries:", r.Retries, "failed:", r.Failures)
	}
	// Output:
	// fetch runs: 2 retries: 4 failed: 0
}

// Debug turns on the runtime's own logging for some namespaces
// (GOGOSCOPE_DEBUG does it for every runtime).
func ExampleRuntime_Debug() {
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == "duration" {
			return slog.Attr{}
		}
		return a
	}
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime}))
	rt := effect.NewRuntime()
	defer rt.Debug("named", log)()
	_, _ = rt.Run(context.Background(), eff.Succeed(1).Named("step"), nil)
	// Output:
	// level=INFO msg="gogoscope named start" fiber=1 name=step
	// level=INFO msg="gogoscope named end" fiber=1 name=step
}

// Stuck lists the waits longer than a threshold; TrackWaits records when
// waits begin (hooks, tracers and watchdogs do too).
func ExampleRuntime_Stuck() {
	rt := effect.NewRuntime()
	defer rt.TrackWaits()()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rt.RunExit(ctx, eff.Never[int]().Named("idle"), nil); close(done) }()
	waitUntil(allSuspended(rt, 1))
	time.Sleep(20 * time.Millisecond)
	for _, s := range rt.Stuck(10 * time.Millisecond) {
		fmt.Println(s.Fiber, s.Name, s.Wait.Kind)
	}
	cancel()
	<-done
	// Output:
	// 1 idle never
}
