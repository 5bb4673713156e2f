package batch_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/batch"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

func TestConcurrentGetsGoInOneBatch(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(5 * time.Millisecond)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: time.Millisecond})
		defer closeScope()
		start := time.Now()
		vals, err := rt.Run(context.Background(), effect.ForEachPar(ints(0, 10), l.Get, effect.Par{}), nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if want := "v" + string(rune('0'+i)); v != want {
				t.Errorf("key %d got %q, want %q", i, v, want)
			}
		}
		if got := be.batches(); len(got) != 1 || len(got[0]) != 10 {
			t.Errorf("batches %v, want one of 10 keys", got)
		}
		if d := time.Since(start); d != 6*time.Millisecond {
			t.Errorf("took %v, want 1ms window + 5ms call", d)
		}
		assertStats(t, l, batch.Stats{Requests: 10, Batches: 1, Keys: 10})
	})
}

func TestSeparateFibersWithinTheWindowShareABatch(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(time.Millisecond)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: 10 * time.Millisecond})
		defer closeScope()
		var fbs []*effect.Fiber[error, string]
		for i, at := range []time.Duration{0, 3, 9, 10, 12} {
			fbs = append(fbs, rt.Start(context.Background(), effect.AndThen(effect.Sleep[any, error](at*time.Millisecond), l.Get(i)), nil))
		}
		for i, fb := range fbs {
			effecttest.AssertSucceeds(t, must(fb.Wait(context.Background())), "v"+string(rune('0'+i)))
		}
		// The window of the first batch closes at 10ms: a key asked at that
		// very instant may land on either side; the one at 12ms is in the
		// second batch.
		got := be.batches()
		if len(got) != 2 || !slices.Equal(got[0][:3], []int{0, 1, 2}) || got[1][len(got[1])-1] != 4 {
			t.Errorf("batches %v, want [0 1 2 (3)] [(3) 4]", got)
		}
	})
}

func TestMaxSizeSendsFullBatchesAtOnce(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(2 * time.Millisecond)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: 10 * time.Millisecond, MaxSize: 3})
		defer closeScope()
		// GetAll asks its keys in order, in one go.
		vals, err := rt.Run(context.Background(), l.GetAll(ints(0, 7)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"v0", "v1", "v2", "v3", "v4", "v5", "v6"}; !slices.Equal(vals, want) {
			t.Errorf("got %v", vals)
		}
		// The two full batches are sent at once, on fibers of their own, in
		// either order.
		be.mu.Lock()
		calls := slices.Clone(be.calls)
		be.mu.Unlock()
		slices.SortFunc(calls, func(a, b call) int { return a.keys[0] - b.keys[0] })
		var got [][]int
		var starts []time.Duration
		for _, c := range calls {
			got = append(got, c.keys)
			starts = append(starts, c.start)
		}
		if want := [][]int{{0, 1, 2}, {3, 4, 5}, {6}}; !reflect.DeepEqual(got, want) {
			t.Errorf("batches %v, want %v", got, want)
		}
		if want := []time.Duration{0, 0, 10 * time.Millisecond}; !slices.Equal(starts, want) {
			t.Errorf("batches sent at %v, want %v (full ones at once, the last after the window)", starts, want)
		}
	})
}

func TestIdenticalKeysAreAskedOnce(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(5 * time.Millisecond)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: time.Millisecond})
		defer closeScope()
		first := rt.Start(context.Background(), l.GetAll([]int{1, 2, 1}), nil)
		// At 3ms the batch [1 2] is in flight: 1 joins it, 3 starts the next.
		late := rt.Start(context.Background(), effect.AndThen(effect.Sleep[any, error](3*time.Millisecond), l.GetAll([]int{1, 3})), nil)
		effecttest.AssertSucceeds(t, must(first.Wait(context.Background())), []string{"v1", "v2", "v1"})
		effecttest.AssertSucceeds(t, must(late.Wait(context.Background())), []string{"v1", "v3"})
		if got, want := be.batches(), [][]int{{1, 2}, {3}}; !reflect.DeepEqual(got, want) {
			t.Errorf("batches %v, want %v", got, want)
		}
		assertStats(t, l, batch.Stats{Requests: 5, Shared: 2, Batches: 2, Keys: 3})
	})
}

func TestMissingKeysFailWithATypedError(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(0)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: time.Millisecond})
		defer closeScope()
		xs, err := rt.Run(context.Background(), effect.ForEachPar([]int{1, -2}, func(k int) eff.Effect[effect.Exit[error, string]] {
			return effect.ToExit(l.Get(k))
		}, effect.Par{}), nil)
		if err != nil {
			t.Fatal(err)
		}
		effecttest.AssertSucceeds(t, xs[0], "v1")
		_, err = xs[1].Get()
		var me *batch.MissingError
		if !errors.Is(err, batch.ErrMissing) || !errors.As(err, &me) || me.Key != -2 {
			t.Errorf("missing key: %v, want a *MissingError for -2", err)
		}
		if err.Error() != "batch: key -2 missing from the resolver's answer" {
			t.Errorf("message %q", err.Error())
		}
		assertStats(t, l, batch.Stats{Requests: 2, Batches: 1, Keys: 2, Missing: 1})
	})
}

func TestMissingKeyIsADefectWhenTheFailureTypeCannotHoldIt(t *testing.T) {
	type code int
	resolve := func(keys []int) effect.Effect[any, code, map[int]string] {
		return effect.Succeed[any, code](map[int]string{})
	}
	prog := effect.FlatMap(batch.New(resolve, batch.Options{}), func(l *batch.Loader[int, string, any, code]) effect.Effect[any, code, string] {
		return l.Get(7)
	})
	x := effect.RunExit(context.Background(), effect.Scoped(prog), nil)
	effecttest.AssertDefect(t, x, &batch.MissingError{Key: 7})
}

func TestNewExitsFailsOneKeyAlone(t *testing.T) {
	errForbidden := errors.New("forbidden")
	resolve := func(keys []int) eff.Effect[map[int]effect.Exit[error, string]] {
		return effect.Sync[any, error](func() map[int]effect.Exit[error, string] {
			m := map[int]effect.Exit[error, string]{}
			for _, k := range keys {
				if k == 13 {
					m[k] = effect.FailedWith[error, string](effect.CauseFail[error](errForbidden))
				} else {
					m[k] = effect.Succeeded[error]("ok")
				}
			}
			return m
		})
	}
	prog := effect.FlatMap(batch.NewExits(resolve, batch.Options{Window: time.Millisecond}), func(l *intLoaderExits) eff.Effect[[]effect.Exit[error, string]] {
		return effect.ForEachPar([]int{12, 13, 14}, func(k int) eff.Effect[effect.Exit[error, string]] { return effect.ToExit(l.Get(k)) }, effect.Par{})
	})
	xs, err := effect.Run(context.Background(), effect.Scoped(prog), nil)
	if err != nil {
		t.Fatal(err)
	}
	effecttest.AssertSucceeds(t, xs[0], "ok")
	effecttest.AssertFailsWith(t, xs[1], errForbidden)
	effecttest.AssertSucceeds(t, xs[2], "ok")
}

type intLoaderExits = batch.Loader[int, string, any, error]

func TestResolverFailureReachesEveryCallerOfTheBatch(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(time.Millisecond)
		be.fail = errDown
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: time.Millisecond})
		defer closeScope()
		xs, _ := rt.Run(context.Background(), effect.ForEachPar([]int{1, 2, 3}, func(k int) eff.Effect[effect.Exit[error, string]] {
			return effect.ToExit(l.Get(k))
		}, effect.Par{}), nil)
		for _, x := range xs {
			effecttest.AssertFailsWith(t, x, errDown)
		}
		if n := len(be.batches()); n != 1 {
			t.Errorf("%d calls, want 1", n)
		}
	})
}

func TestCacheLoadsEachKeyOnce(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(time.Millisecond)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: time.Millisecond, Cache: true})
		defer closeScope()
		l.Prime(9, "primed")
		for range 2 {
			vals, err := rt.Run(context.Background(), l.GetAll([]int{1, 2, 9}), nil)
			if err != nil || !slices.Equal(vals, []string{"v1", "v2", "primed"}) {
				t.Fatalf("got %v, %v", vals, err)
			}
		}
		l.Prime(1, "ignored: already cached")
		l.Clear(2)
		vals, _ := rt.Run(context.Background(), l.GetAll([]int{1, 2}), nil)
		if !slices.Equal(vals, []string{"v1", "v2"}) {
			t.Errorf("after Clear: %v", vals)
		}
		if got, want := be.batches(), [][]int{{1, 2}, {2}}; !reflect.DeepEqual(got, want) {
			t.Errorf("batches %v, want %v", got, want)
		}
		l.ClearAll()
		rt.Run(context.Background(), l.Get(1), nil)
		assertStats(t, l, batch.Stats{Requests: 9, CacheHits: 5, Batches: 3, Keys: 4})
	})
}

func TestGetAllFailsWithTheFirstFailingKey(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(0)
		l, closeScope := openLoader(t, rt, be, batch.Options{Window: time.Millisecond})
		defer closeScope()
		_, err := rt.Run(context.Background(), l.GetAll([]int{1, -5, -6}), nil)
		var me *batch.MissingError
		if !errors.As(err, &me) || me.Key != -5 {
			t.Errorf("got %v, want the missing key -5", err)
		}
		if s := l.Stats(); s.Waiting != 0 || s.InFlight != 0 {
			t.Errorf("after: %+v", s)
		}
	})
}

func TestLoaderPanicsOnBadOptions(t *testing.T) {
	be := newBackend(0)
	cases := []struct {
		name string
		mk   func()
		want string
	}{
		{"nil resolve", func() { batch.New[int, string, any, error](nil, batch.Options{}) }, "batch.New: resolve must not be nil"},
		{"nil resolve exits", func() { batch.NewExits[int, string, any, error](nil, batch.Options{}) }, "batch.NewExits: resolve must not be nil"},
		{"window", func() { batch.New(be.resolve, batch.Options{Window: -1}) }, "batch.New: Options.Window must be >= 0, got -1ns"},
		{"max size", func() { batch.New(be.resolve, batch.Options{MaxSize: -1}) }, "batch.New: Options.MaxSize must be >= 0, got -1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic %v, want %q", r, tc.want)
				}
			}()
			tc.mk()
		})
	}
}

func TestZeroWindowStillAnswersEveryone(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		be := newBackend(0)
		l, closeScope := openLoader(t, rt, be, batch.Options{})
		defer closeScope()
		vals, err := rt.Run(context.Background(), effect.ForEachPar(ints(0, 20), l.Get, effect.Par{}), nil)
		if err != nil || len(vals) != 20 || vals[19] != "v19" {
			t.Fatalf("got %v, %v", vals, err)
		}
		keys := 0
		for _, b := range be.batches() {
			keys += len(b)
		}
		if keys != 20 || len(be.batches()) > 20 {
			t.Errorf("batches %v", be.batches())
		}
	})
}
