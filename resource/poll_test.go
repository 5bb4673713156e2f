package resource_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

// pollProbe is a polled effect: each poll records when it started, takes
// took, and succeeds with its number (1 for the first), or fails with
// errPoll for the numbers in fail.
type pollProbe struct {
	start time.Time
	took  time.Duration
	fail  map[int]bool

	mu     sync.Mutex
	polls  []time.Duration // when each poll started
	values []int           // what onValue received
	errs   []error         // what OnError received
}

var errPoll = errors.New("poll failed")

func newPollProbe(took time.Duration, fail ...int) *pollProbe {
	p := &pollProbe{start: time.Now(), took: took, fail: map[int]bool{}}
	for _, n := range fail {
		p.fail[n] = true
	}
	return p
}

func (p *pollProbe) effect() limEff[int] {
	return effect.Suspend(func() limEff[int] {
		p.mu.Lock()
		p.polls = append(p.polls, time.Since(p.start))
		n := len(p.polls)
		p.mu.Unlock()
		if p.fail[n] {
			return effect.AndThen(effect.Sleep[any, error](p.took), effect.Fail[any, int](errPoll))
		}
		return effect.AndThen(effect.Sleep[any, error](p.took), effect.Succeed[any, error](n))
	})
}

func (p *pollProbe) onValue(v int) {
	p.mu.Lock()
	p.values = append(p.values, v)
	p.mu.Unlock()
}

func (p *pollProbe) onError(err error) {
	p.mu.Lock()
	p.errs = append(p.errs, err)
	p.mu.Unlock()
}

func (p *pollProbe) get() (polls []time.Duration, values []int, errs []error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.polls), slices.Clone(p.values), slices.Clone(p.errs)
}

func msList(ns ...int) []time.Duration {
	out := make([]time.Duration, len(ns))
	for i, n := range ns {
		out[i] = time.Duration(n) * time.Millisecond
	}
	return out
}

// startPoller makes a poller of p in a scope made by hand on rt, and
// returns it with the function that closes that scope.
func startPoller[Out any](t *testing.T, rt *effect.Runtime, p *pollProbe, s schedule.Schedule[Out], opts resource.PollOptions) (*resource.Poller, func()) {
	t.Helper()
	scope := rt.NewScope()
	poller, err := rt.Run(context.Background(), effect.Extend(scope, resource.Poll(p.effect(), s, p.onValue, opts)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return poller, func() {
		if err := scope.Close(context.Background()); err != nil {
			t.Errorf("closing the poller's scope: %v", err)
		}
	}
}

func runOn(t *testing.T, rt *effect.Runtime, e limEff[struct{}]) {
	t.Helper()
	if _, err := rt.Run(context.Background(), e, nil); err != nil {
		t.Fatal(err)
	}
}

func TestPollRunsAtItsIntervalStopsAndRestarts(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		p := newPollProbe(20 * time.Millisecond)
		poller, closeScope := startPoller(t, rt, p, schedule.Spaced(100*time.Millisecond), resource.PollOptions{})
		defer closeScope()
		// Spaced: 100ms between the end of a poll and the next.
		effecttest.Advance(350 * time.Millisecond)
		polls, values, _ := p.get()
		if want := msList(0, 120, 240); !slices.Equal(polls, want) || !slices.Equal(values, []int{1, 2, 3}) {
			t.Fatalf("polls at %v with values %v, want %v and [1 2 3]", polls, values, want)
		}
		st := poller.Status()
		if !st.Running || st.Polls != 3 || st.Err != nil || st.LastPoll.Sub(p.start) != 260*time.Millisecond || st.NextPoll.Sub(p.start) != 360*time.Millisecond {
			t.Fatalf("status %+v", st)
		}
		// Stop interrupts the poll in progress (the 4th, started at 360ms)
		// and nothing runs after it.
		effecttest.Advance(20 * time.Millisecond)
		runOn(t, rt, poller.Stop[any, error]())
		effecttest.Advance(time.Second)
		polls, values, _ = p.get()
		if len(polls) != 4 || len(values) != 3 || poller.Status().Running {
			t.Fatalf("after stop: polls %v, values %v, status %+v", polls, values, poller.Status())
		}
		// Start polls at once, with the schedule started afresh.
		runOn(t, rt, poller.Start[any, error]())
		effecttest.Advance(150 * time.Millisecond)
		polls, values, _ = p.get()
		if want := msList(0, 120, 240, 360, 1370, 1490); !slices.Equal(polls, want) || !slices.Equal(values, []int{1, 2, 3, 5, 6}) {
			t.Fatalf("after restart: polls at %v, values %v; want %v, [1 2 3 5 6]", polls, values, want)
		}
		// Starting a running poller, or stopping a stopped one, does nothing.
		runOn(t, rt, poller.Start[any, error]())
		runOn(t, rt, poller.Stop[any, error]())
		runOn(t, rt, poller.Stop[any, error]())
		if poller.Status().Running {
			t.Fatal("running after stop")
		}
	})
}

func TestPollFixedCadenceAndInitialDelay(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		// Fixed keeps the cadence whatever a poll costs; InitialDelay waits
		// before the first poll (go-go-scope's immediate: false).
		p := newPollProbe(30 * time.Millisecond)
		poller, closeScope := startPoller(t, rt, p, schedule.Fixed(100*time.Millisecond), resource.PollOptions{InitialDelay: 50 * time.Millisecond})
		defer closeScope()
		if st := poller.Status(); !st.Running || st.NextPoll.Sub(p.start) != 50*time.Millisecond {
			t.Fatalf("status before the first poll: %+v", st)
		}
		effecttest.Advance(400 * time.Millisecond)
		if polls, _, _ := p.get(); !slices.Equal(polls, msList(50, 150, 250, 350)) {
			t.Fatalf("polls at %v, want [50ms 150ms 250ms 350ms]", polls)
		}
	})
}

func TestPollStopsWithItsSchedule(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		p := newPollProbe(0)
		poller, closeScope := startPoller(t, rt, p, schedule.Spaced(10*time.Millisecond).Intersect(schedule.Recurs(2)), resource.PollOptions{})
		defer closeScope()
		effecttest.Advance(time.Second)
		if polls, values, _ := p.get(); !slices.Equal(polls, msList(0, 10, 20)) || len(values) != 3 {
			t.Fatalf("polls at %v, values %v; want 3 polls", polls, values)
		}
		if st := poller.Status(); st.Running || st.Polls != 3 || !st.NextPoll.IsZero() {
			t.Fatalf("status %+v, want stopped after 3 polls", st)
		}
		// It can be started again.
		runOn(t, rt, poller.Start[any, error]())
		effecttest.Advance(time.Second)
		if _, values, _ := p.get(); len(values) != 6 {
			t.Fatalf("values %v after a restart, want 6", values)
		}
	})
}

func TestPollFailuresDoNotStopIt(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		p := newPollProbe(0, 2, 3)
		// The schedule sees each value, or the error after a failure.
		var (
			mu     sync.Mutex
			inputs []any
		)
		s := schedule.Spaced(100 * time.Millisecond).Tap(func(d schedule.Decision[int]) {
			mu.Lock()
			inputs = append(inputs, d.Input)
			mu.Unlock()
		})
		poller, closeScope := startPoller(t, rt, p, s, resource.PollOptions{OnError: p.onError})
		defer closeScope()
		effecttest.Advance(450 * time.Millisecond)
		polls, values, errs := p.get()
		if want := msList(0, 100, 200, 300, 400); !slices.Equal(polls, want) {
			t.Fatalf("polls at %v, want %v", polls, want)
		}
		if !slices.Equal(values, []int{1, 4, 5}) || len(errs) != 2 || !errors.Is(errs[0], errPoll) || !errors.Is(errs[1], errPoll) {
			t.Fatalf("values %v, errors %v", values, errs)
		}
		mu.Lock()
		got := slices.Clone(inputs)
		mu.Unlock()
		if want := []any{1, errPoll, errPoll, 4, 5}; !slices.Equal(got, want) {
			t.Fatalf("schedule inputs %v, want %v", got, want)
		}
		if st := poller.Status(); !st.Running || st.Polls != 5 || st.Err != nil {
			t.Fatalf("status %+v", st)
		}
	})
}

func TestPollDefectStopsIt(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		p := newPollProbe(0)
		scope := rt.NewScope()
		defer func() { _ = scope.Close(context.Background()) }()
		onValue := func(v int) {
			if v == 2 {
				panic("bad value")
			}
		}
		poller, err := rt.Run(context.Background(), effect.Extend(scope, resource.Poll(p.effect(), schedule.Spaced(time.Millisecond), onValue, resource.PollOptions{})), nil)
		if err != nil {
			t.Fatal(err)
		}
		effecttest.Advance(time.Second)
		st := poller.Status()
		var d *effect.Defect
		if polls, _, _ := p.get(); len(polls) != 2 || st.Running || !errors.As(st.Err, &d) || !strings.Contains(d.Error(), "bad value") {
			t.Fatalf("%d polls, status %+v; want a stop with the defect after 2", len(polls), st)
		}
	})
}

func TestPollStopsWhenItsScopeCloses(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var ev []string
		p := newPollProbe(time.Hour)
		e := p.effect().Ensuring(effect.Sync[any, error](func() struct{} { ev = append(ev, "poll interrupted"); return struct{}{} }))
		scope := rt.NewScope()
		poller, err := rt.Run(context.Background(), effect.Extend(scope, resource.Poll(e, schedule.Spaced(time.Second), func(int) {}, resource.PollOptions{})), nil)
		if err != nil {
			t.Fatal(err)
		}
		effecttest.Advance(time.Minute)
		start := time.Now()
		if err := scope.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != 0 || !slices.Equal(ev, []string{"poll interrupted"}) || poller.Status().Running {
			t.Fatalf("close took %v, events %v, status %+v", took, ev, poller.Status())
		}
		_, err = rt.Run(context.Background(), poller.Start[any, error](), nil)
		if !errors.Is(err, resource.ErrClosed) || !errors.Is(err, context.Canceled) {
			t.Fatalf("Start after close: %v, want an interruption by ErrClosed", err)
		}
		runOn(t, rt, poller.Stop[any, error]())
	})
}

func TestPollPanicsOnBadArguments(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"nil onValue", "resource.Poll: onValue must not be nil"},
		{"negative delay", "resource.Poll: InitialDelay must not be negative, got -1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Fatalf("panic %v, want %q", r, tc.want)
				}
			}()
			onValue, opts := func(int) {}, resource.PollOptions{}
			if tc.name == "nil onValue" {
				onValue = nil
			} else {
				opts.InitialDelay = -time.Second
			}
			resource.Poll(effect.Succeed[any, error](1), schedule.Forever(), onValue, opts)
		})
	}
}

func TestPollInterruptionSweep(t *testing.T) {
	// Interrupting Stop or Start at any point leaves a poller that a
	// finalizer (uninterruptible, with the scope still open) can stop and
	// start again: Stop never waits for a run that will not end.
	synctest.Test(t, func(t *testing.T) {
		var late []bool
		mk := func() limEff[struct{}] {
			p := newPollProbe(time.Millisecond)
			return effect.Scoped(effect.FlatMap(resource.Poll(p.effect(), schedule.Spaced(10*time.Millisecond), p.onValue, resource.PollOptions{}),
				func(poller *resource.Poller) limEff[struct{}] {
					running := effect.Sync[any, error](func() struct{} { late = append(late, poller.Status().Running); return struct{}{} })
					check := effect.AndThen(poller.Stop[any, error](), effect.AndThen(running,
						effect.AndThen(poller.Start[any, error](), effect.AndThen(running, effect.AndThen(poller.Stop[any, error](), running)))))
					body := effect.AndThen(poller.Stop[any, error](), effect.AndThen(poller.Start[any, error](), effect.Sleep[any, error](25*time.Millisecond)))
					return body.Ensuring(check)
				}))
		}
		checked := 0
		steps := effecttest.SweepInterrupts(t, mk, func(t testing.TB, step int, x effect.Exit[error, struct{}]) {
			// An interruption before the body began skips the finalizer too.
			if late != nil {
				checked++
				if !slices.Equal(late, []bool{false, true, false}) {
					t.Errorf("step %d: running after stop, start, stop: %v, want [false true false]; exit %v", step, late, x)
				}
			}
			late = nil
			if !x.IsSuccess() && !x.Cause().IsInterruptedOnly() {
				t.Errorf("step %d: got %v", step, x)
			}
		})
		if steps < 5 || checked < steps/2 {
			t.Fatalf("swept %d steps, %d with the finalizer's check", steps, checked)
		}
		t.Logf("swept %d steps, %d with the finalizer's check", steps, checked)
	})
}
