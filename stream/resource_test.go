package stream

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"go.uber.org/goleak"
)

// tracker records resource events, to check that every resource acquired
// by a stream is released exactly once.
type tracker struct {
	mu  sync.Mutex
	log []string
}

func (tr *tracker) add(ev string) {
	tr.mu.Lock()
	tr.log = append(tr.log, ev)
	tr.mu.Unlock()
}

func (tr *tracker) events() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.log)
}

// count returns how many times ev was recorded.
func (tr *tracker) count(ev string) int {
	n := 0
	for _, e := range tr.events() {
		if e == ev {
			n++
		}
	}
	return n
}

// res returns s wrapped in a resource named name.
func (tr *tracker) res(name string, s S[int]) S[int] {
	return AcquireRelease(
		do(func() string { tr.add("acquire " + name); return name }),
		func(string) Eff[struct{}] { return unit(func() { tr.add("release " + name) }) },
	).FlatMap(func(string) S[int] { return s })
}

// checkBalanced fails unless each named resource was released exactly as
// many times as it was acquired, at most once: for concurrent producers that
// the consumer may stop before they even start.
func (tr *tracker) checkBalanced(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if a, r := tr.count("acquire "+n), tr.count("release "+n); a != r || a > 1 {
			t.Fatalf("resource %s: acquired %d, released %d times (log %v)", n, a, r, tr.events())
		}
	}
}

// checkReleasedOnce fails unless each named resource was acquired and
// released exactly once.
func (tr *tracker) checkReleasedOnce(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if a, r := tr.count("acquire "+n), tr.count("release "+n); a != 1 || r != 1 {
			t.Fatalf("resource %s: acquired %d, released %d times; want 1 and 1 (log %v)", n, a, r, tr.events())
		}
	}
}

func naturals() S[int] {
	return Unfold[any, error](0, func(i int) (int, int, bool) { return i, i + 1, true })
}

func TestEarlyTerminationReleasesEveryResourceOnce(t *testing.T) {
	never := NewChannel[int](0) // a source that blocks forever
	blocking := FromChannel[any, error](never)
	tests := []struct {
		name  string
		build func(tr *tracker) S[int]
		names []string
		// concurrent: producers may be stopped before they acquire.
		concurrent bool
	}{
		{"take", func(tr *tracker) S[int] { return tr.res("a", naturals()).Take(3) }, []string{"a"}, false},
		{"take while", func(tr *tracker) S[int] {
			return tr.res("a", naturals()).TakeWhile(func(i int) bool { return i < 5 })
		}, []string{"a"}, false},
		{"merge", func(tr *tracker) S[int] {
			return Merge(tr.res("a", naturals()), tr.res("b", naturals()), tr.res("c", blocking)).Take(5000)
		}, []string{"a", "b", "c"}, true},
		{"buffer", func(tr *tracker) S[int] { return tr.res("a", naturals()).Buffer(8).Take(3000) }, []string{"a"}, false},
		{"map effect par", func(tr *tracker) S[int] {
			return tr.res("a", naturals()).MapEffect(func(i int) Eff[int] {
				return effect.Succeed[any, error](i)
			}, Par{Limit: 4}).Take(100)
		}, []string{"a"}, false},
		{"map effect par unordered", func(tr *tracker) S[int] {
			return tr.res("a", naturals()).MapEffect(func(i int) Eff[int] {
				return effect.Succeed[any, error](i)
			}, Par{Limit: 4, Unordered: true}).Take(100)
		}, []string{"a"}, false},
		{"flat map of resources", func(tr *tracker) S[int] {
			return ints(1, 2).FlatMap(func(i int) S[int] { return tr.res("inner", naturals()) }).Take(2)
		}, []string{"inner"}, false},
		{"zip", func(tr *tracker) S[int] {
			return tr.res("a", naturals()).ZipWith(tr.res("b", naturals()), func(x, y int) int { return x + y }).Take(2000)
		}, []string{"a", "b"}, false},
		{"grouped within", func(tr *tracker) S[int] {
			return GroupedWithin(tr.res("a", naturals()), 10, time.Hour).Take(5).Map(func(g []int) int { return len(g) })
		}, []string{"a"}, false},
		{"timeout", func(tr *tracker) S[int] { return tr.res("a", naturals()).Timeout(time.Hour).Take(3) }, []string{"a"}, false},
		{"from seq", func(tr *tracker) S[int] {
			return FromSeq[any, error](func(yield func(int) bool) {
				tr.add("acquire seq")
				defer tr.add("release seq")
				for i := 0; yield(i); i++ {
				}
			}).Take(2)
		}, []string{"seq"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &tracker{}
			got := run(t, tt.build(tr).Count())
			if got == 0 {
				t.Fatal("stream emitted nothing")
			}
			if tt.concurrent {
				tr.checkBalanced(t, tt.names...)
			} else {
				tr.checkReleasedOnce(t, tt.names...)
			}
			goleak.VerifyNone(t)
		})
	}
}

func TestBreakOutOfRangeLoopReleasesResources(t *testing.T) {
	tr := &tracker{}
	s := Merge(tr.res("a", naturals()), tr.res("b", naturals())).Buffer(16)
	n := 0
	for _, err := range s.All(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 10 {
			break
		}
	}
	tr.checkBalanced(t, "a", "b")
	goleak.VerifyNone(t)
}

func TestFailureReleasesResourcesOnce(t *testing.T) {
	tr := &tracker{}
	failing := naturals().MapEffect(func(i int) Eff[int] {
		if i == 1500 {
			return effect.Fail[any, int](errBoom)
		}
		return effect.Succeed[any, error](i)
	})
	s := Merge(tr.res("a", failing), tr.res("b", naturals()))
	_, err := effect.Run(context.Background(), s.Drain(), nil)
	if !errors.Is(err, errBoom) {
		t.Fatalf("got %v want boom", err)
	}
	tr.checkReleasedOnce(t, "a")
	tr.checkBalanced(t, "b")
	goleak.VerifyNone(t)
}

func TestInterruptionReleasesResourcesOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := &tracker{}
		never := NewChannel[int](0)
		s := Merge(tr.res("a", FromChannel[any, error](never)), tr.res("b", naturals().Take(10))).
			MapEffect(func(i int) Eff[int] { return effect.Succeed[any, error](i) }, Par{Limit: 2})
		rt := effect.NewRuntime()
		fb := start(rt, s.Drain())
		synctest.Wait()
		if tr.count("acquire a") != 1 || tr.count("release b") != 1 {
			t.Fatalf("log %v: want a acquired and b done", tr.events())
		}
		if ex := interrupt(t, fb); !ex.IsInterrupted() {
			t.Fatalf("got %v want interrupted", ex)
		}
		tr.checkReleasedOnce(t, "a", "b")
	})
}

func TestInnerStreamsReleasedAsTheyEnd(t *testing.T) {
	tr := &tracker{}
	s := ints(1, 2).FlatMap(func(i int) S[int] {
		name := string(rune('0' + i))
		return tr.res(name, ints(i)).Tap(func(int) Eff[struct{}] { return unit(func() { tr.add("emit " + name) }) })
	})
	run(t, s.Drain())
	want := []string{"acquire 1", "emit 1", "release 1", "acquire 2", "emit 2", "release 2"}
	if got := tr.events(); !slices.Equal(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	tr = &tracker{}
	run(t, Concat(tr.res("x", ints(1)), tr.res("y", ints(2))).Drain())
	want = []string{"acquire x", "release x", "acquire y", "release y"}
	if got := tr.events(); !slices.Equal(got, want) {
		t.Fatalf("concat: got %v want %v", got, want)
	}
}

func TestEnsuringRunsOnce(t *testing.T) {
	tests := []struct {
		name string
		s    func(fin Eff[struct{}]) S[int]
		ok   bool
	}{
		{"end", func(fin Eff[struct{}]) S[int] { return ints(1, 2).Ensuring(fin) }, true},
		{"take", func(fin Eff[struct{}]) S[int] { return naturals().Ensuring(fin).Take(2) }, true},
		{"failure", func(fin Eff[struct{}]) S[int] { return Fail[any, int](errBoom).Ensuring(fin) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			_, err := effect.Run(context.Background(), tt.s(unit(func() { n++ })).Drain(), nil)
			if (err == nil) != tt.ok || n != 1 {
				t.Fatalf("err %v, finalizer ran %d times; want ok=%v and 1", err, n, tt.ok)
			}
		})
	}
}

func TestCatchReleasesFailedStreamBeforeHandler(t *testing.T) {
	tr := &tracker{}
	s := tr.res("first", ints(1).Concat(Fail[any, int](errBoom))).Catch(func(error) S[int] {
		return tr.res("second", ints(2))
	})
	if got := collect(t, s); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("got %v want [1 2]", got)
	}
	want := []string{"acquire first", "release first", "acquire second", "release second"}
	if got := tr.events(); !slices.Equal(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}

func TestFromPubSubSubscribesPerRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPubSub[int](8, BackPressure)
		rt := effect.NewRuntime()
		fb := start(rt, FromPubSub[any, error](p, func(i int) bool { return i > 1 }).Take(2).Collect())
		synctest.Wait()
		if p.Subscribers() != 1 {
			t.Fatalf("Subscribers: got %d want 1", p.Subscribers())
		}
		publish(t, p, 1, 2, 3, 4)
		if ex := wait(t, fb); ex.String() != "Success([2 3])" {
			t.Fatalf("got %v want [2 3]", ex)
		}
		if p.Subscribers() != 0 {
			t.Fatalf("Subscribers after the stream ended: got %d want 0", p.Subscribers())
		}
	})
}
