package cache_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/cache"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

type strCache = cache.Cache[string, string, any, error]

// source is a fake backend for the lookups of a cache: each lookup of a key
// takes took, counts itself, and succeeds with "<key>#<n>", n counting the
// lookups of that key, or fails for the keys in failing. It records how
// many lookups of a key ran at once and how many were interrupted.
type source struct {
	took    time.Duration
	failing map[string]error

	mu          sync.Mutex
	calls       map[string]int
	running     map[string]int
	maxRunning  int
	interrupted int
	reasons     []error // of the interruptions
}

var errNotFound = errors.New("not found")

func newSource(took time.Duration) *source {
	return &source{took: took, failing: map[string]error{}, calls: map[string]int{}, running: map[string]int{}}
}

func (s *source) lookup(k string) eff.Effect[string] {
	begin := effect.Sync[any, error](func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls[k]++
		s.running[k]++
		s.maxRunning = max(s.maxRunning, s.running[k])
		return s.calls[k]
	})
	// begin and the Ensuring that ends the lookup are one uninterruptible
	// step apart, so that a lookup that began always ends.
	return effect.UninterruptibleMask(func(restore effect.Restore) eff.Effect[string] {
		return effect.FlatMap(begin, func(n int) eff.Effect[string] {
			return s.work(restore, k, n)
		})
	})
}

func (s *source) work(restore effect.Restore, k string, n int) eff.Effect[string] {
	work := effect.AndThen(effect.Sleep[any, error](s.took), effect.Suspend(func() eff.Effect[string] {
		s.mu.Lock()
		err := s.failing[k]
		s.mu.Unlock()
		if err != nil {
			return effect.Fail[any, string](err)
		}
		return effect.Succeed[any, error](fmt.Sprintf("%s#%d", k, n))
	}))
	return restore.Apply(work).OnInterrupt(func(why error) eff.Effect[struct{}] {
		return effect.Sync[any, error](func() struct{} {
			s.mu.Lock()
			s.interrupted++
			s.reasons = append(s.reasons, why)
			s.mu.Unlock()
			return struct{}{}
		})
	}).Ensuring(effect.Sync[any, error](func() struct{} {
		s.mu.Lock()
		s.running[k]--
		s.mu.Unlock()
		return struct{}{}
	}))
}

func (s *source) fail(k string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		delete(s.failing, k)
	} else {
		s.failing[k] = err
	}
}

func (s *source) count(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[k]
}

func (s *source) interrupts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.interrupted
}

func (s *source) why() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reasons)
}

func (s *source) overlap() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxRunning
}

// openCache makes a cache of src's lookups in a scope of its own on rt and
// returns it with the function that closes that scope.
func openCache(t testing.TB, rt *effect.Runtime, src *source, opts cache.Options) (*strCache, func()) {
	t.Helper()
	scope := rt.NewScope()
	c, err := rt.Run(context.Background(), effect.Extend(scope, cache.New(src.lookup, opts)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, func() {
		if err := scope.Close(context.Background()); err != nil {
			t.Errorf("closing the cache's scope: %v", err)
		}
	}
}

// got is the outcome of a Get, as a string: the value or "error: ...".
func got(x effect.Exit[error, string]) string {
	if v, ok := x.Value(); ok {
		return v
	}
	return "error: " + x.Cause().Error()
}

func assertStats(t testing.TB, c *strCache, want cache.Stats) {
	t.Helper()
	if s := c.Stats(); s != want {
		t.Errorf("stats:\n got %+v\nwant %+v", s, want)
	}
}

func sync0(f func()) eff.Effect[struct{}] {
	return effect.Sync[any, error](func() struct{} { f(); return struct{}{} })
}
