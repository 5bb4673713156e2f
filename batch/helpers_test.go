package batch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/batch"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

type intLoader = batch.Loader[int, string, any, error]

// backend is a fake source of the resolver: each call records its keys
// and when it ran, takes took, and answers "v<key>" for every key but the
// negative ones (left out of the answer), or fails with fail.
type backend struct {
	took time.Duration
	t0   time.Time

	mu          sync.Mutex
	fail        error
	calls       []call
	running     map[int]int // calls in flight that hold a key
	overlap     string
	interrupted int
}

// call is one call of the resolver: its keys, and when it started and ended.
type call struct {
	keys        []int
	start, end  time.Duration
	interrupted bool
	why         error // the reason of the interruption
}

var errDown = errors.New("backend down")

func newBackend(took time.Duration) *backend {
	return &backend{took: took, t0: time.Now(), running: map[int]int{}}
}

func (b *backend) resolve(keys []int) eff.Effect[map[int]string] {
	begin := effect.Sync[any, error](func() int {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, k := range keys {
			b.running[k]++
			if b.running[k] > 1 && b.overlap == "" {
				b.overlap = fmt.Sprintf("key %d asked twice at once at %v", k, time.Since(b.t0))
			}
		}
		b.calls = append(b.calls, call{keys: slices.Clone(keys), start: time.Since(b.t0)})
		return len(b.calls) - 1
	})
	// begin and the Ensuring that ends the call are one uninterruptible
	// step apart, so that a call that began always ends.
	return effect.UninterruptibleMask(func(restore effect.Restore) eff.Effect[map[int]string] {
		return effect.FlatMap(begin, func(i int) eff.Effect[map[int]string] {
			return b.work(restore, keys, i)
		})
	})
}

func (b *backend) work(restore effect.Restore, keys []int, i int) eff.Effect[map[int]string] {
	work := effect.AndThen(effect.Sleep[any, error](b.took), effect.Suspend(func() eff.Effect[map[int]string] {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.fail != nil {
			return effect.Fail[any, map[int]string](b.fail)
		}
		m := map[int]string{}
		for _, k := range keys {
			if k >= 0 {
				m[k] = fmt.Sprintf("v%d", k)
			}
		}
		return effect.Succeed[any, error](m)
	}))
	return restore.Apply(work).OnInterrupt(func(why error) eff.Effect[struct{}] {
		return effect.Sync[any, error](func() struct{} {
			b.mu.Lock()
			b.calls[i].interrupted = true
			b.calls[i].why = why
			b.interrupted++
			b.mu.Unlock()
			return struct{}{}
		})
	}).Ensuring(effect.Sync[any, error](func() struct{} {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.calls[i].end = time.Since(b.t0)
		for _, k := range keys {
			b.running[k]--
		}
		return struct{}{}
	}))
}

func (b *backend) batches() [][]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([][]int, len(b.calls))
	for i, c := range b.calls {
		out[i] = c.keys
	}
	return out
}

func (b *backend) interrupts() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.interrupted
}

// openLoader makes a loader of b's resolver in a scope of its own on rt and
// returns it with the function that closes that scope.
func openLoader(t testing.TB, rt *effect.Runtime, b *backend, opts batch.Options) (*intLoader, func()) {
	t.Helper()
	scope := rt.NewScope()
	l, err := rt.Run(context.Background(), effect.Extend(scope, batch.New(b.resolve, opts)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return l, func() {
		if err := scope.Close(context.Background()); err != nil {
			t.Errorf("closing the loader's scope: %v", err)
		}
	}
}

func assertStats(t testing.TB, l *intLoader, want batch.Stats) {
	t.Helper()
	if s := l.Stats(); s != want {
		t.Errorf("stats:\n got %+v\nwant %+v", s, want)
	}
}

func must[E, A any](x effect.Exit[E, A], err error) effect.Exit[E, A] {
	if err != nil {
		panic(err)
	}
	return x
}

func ints(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
