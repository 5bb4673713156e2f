package resource_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
)

// session stands for what plain Go binds to a context: a transaction, a
// process from exec.CommandContext, a streamed body.
type session struct {
	id  int
	ctx context.Context
}

// sessions makes sessions with effect.Try and records, at each Destroy,
// whether the session's context was still alive.
type sessions struct {
	mu             sync.Mutex
	made           []*session
	aliveAtDestroy []bool
	failNext       bool
}

func (s *sessions) options(minSize, maxSize int) resource.PoolOptions[*session] {
	return resource.PoolOptions[*session]{
		Min: minSize, Max: maxSize,
		Create: effect.Try[any](func(ctx context.Context) (*session, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.failNext {
				s.failNext = false
				s.made = append(s.made, &session{ctx: ctx})
				return nil, errors.New("refused")
			}
			ss := &session{id: len(s.made) + 1, ctx: ctx}
			s.made = append(s.made, ss)
			return ss, nil
		}),
		Destroy: func(ss *session) eff[struct{}] {
			return effect.Sync[any, error](func() struct{} {
				s.mu.Lock()
				s.aliveAtDestroy = append(s.aliveAtDestroy, ss.ctx.Err() == nil)
				s.mu.Unlock()
				return struct{}{}
			})
		},
	}
}

// The context that Create's plain Go sees lives while the pool holds the
// resource — lent, idle, lent again — and is cancelled only after Destroy
// of that resource has run: for the Min resources made with the pool, for
// those made by a borrow, at invalidation and at close.
func TestPoolCreateContextLivesUntilDestroyHasRun(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var s sessions
		p, closeScope := openPoolOf(t, rt, s.options(1, 3))
		var leases []resource.Lease[*session]
		for range 3 { // the Min session, then two made by borrows
			l, err := rt.Run(context.Background(), p.Acquire[any, error](), nil)
			if err != nil {
				t.Fatal(err)
			}
			leases = append(leases, l)
		}
		if len(s.made) != 3 {
			t.Fatalf("made %d sessions, want 3", len(s.made))
		}
		for _, l := range leases[:2] {
			if _, err := rt.Run(context.Background(), p.Release[any, error](l), nil); err != nil {
				t.Fatal(err)
			}
		}
		// Idle, then lent again: the contexts are still alive.
		ids, err := rt.Run(context.Background(), resource.Use(p, func(ss *session) eff[int] {
			return effect.Try[any](func(context.Context) (int, error) { return ss.id, ss.ctx.Err() })
		}), nil)
		if err != nil {
			t.Fatalf("a session's context ended while the pool held it: %v (session %d)", err, ids)
		}
		// Invalidate one: Destroy sees its context alive, then it ends; the
		// others' go on.
		gone := leases[2].Value()
		if _, err := rt.Run(context.Background(), p.Invalidate[any, error](leases[2]), nil); err != nil {
			t.Fatal(err)
		}
		if !errors.Is(gone.ctx.Err(), context.Canceled) {
			t.Fatalf("after Invalidate, the session's context: got %v, want cancelled", gone.ctx.Err())
		}
		for _, ss := range s.made {
			if ss != gone && ss.ctx.Err() != nil {
				t.Fatalf("session %d: context ended with another's destroy: %v", ss.id, ss.ctx.Err())
			}
		}
		closeScope()
		for _, ss := range s.made {
			if ss.ctx.Err() == nil {
				t.Fatalf("session %d: context alive after the pool closed", ss.id)
			}
		}
		if len(s.aliveAtDestroy) != 3 || slices.Contains(s.aliveAtDestroy, false) {
			t.Fatalf("contexts alive at each Destroy: %v, want 3 times true", s.aliveAtDestroy)
		}
	})
}

// A failed Create's context ends at once, and the failure reaches the
// borrower.
func TestPoolFailedCreateEndsItsContext(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var s sessions
		p, closeScope := openPoolOf(t, rt, s.options(0, 1))
		defer closeScope()
		s.failNext = true
		_, err := rt.Run(context.Background(), resource.Use(p, func(*session) eff[int] { return effect.Succeed[any, error](0) }), nil)
		if err == nil || err.Error() != "refused" {
			t.Fatalf("got %v, want Create's failure", err)
		}
		if c := s.made[0].ctx; c.Err() == nil {
			t.Fatal("the context of a failed Create is still alive")
		}
		if st := p.Stats(); st != (resource.PoolStats{}) {
			t.Fatalf("after a failed Create: %+v, want an empty pool", st)
		}
	})
}

// openPoolOf is openPool for a pool of any resource type.
func openPoolOf[T any](t testing.TB, rt *effect.Runtime, opts resource.PoolOptions[T]) (*resource.Pool[T], func()) {
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
