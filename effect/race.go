package effect

import (
	"context"
	"sync"
)

// Race returns an effect that runs a and b concurrently — a on the calling
// fiber, b on a child fiber — and ends with the first success. The loser is interrupted, with
// [ErrLostRace] as the reason, and awaited, its finalizers included, before
// Race returns; its exit is dropped. If both fail, the effect fails with both causes joined in
// parallel ([Cause.Both]).
func Race[R, E, A any](a, b Effect[R, E, A]) Effect[R, E, A] {
	return race2(a, b, false)
}

// Race is the method form of [Race].
func (e Effect[R, E, A]) Race(that Effect[R, E, A]) Effect[R, E, A] { return Race(e, that) }

// RaceFirst returns an effect that runs a and b concurrently and ends as the
// first of them to end, success or failure; the other is interrupted and
// awaited before RaceFirst returns.
func RaceFirst[R, E, A any](a, b Effect[R, E, A]) Effect[R, E, A] {
	return race2(a, b, true)
}

// RaceFirst is the method form of [RaceFirst].
func (e Effect[R, E, A]) RaceFirst(that Effect[R, E, A]) Effect[R, E, A] { return RaceFirst(e, that) }

// RaceAll returns an effect that runs every effect of effs concurrently and
// ends with the first success, as [Race] does for two. It panics if effs is
// empty.
func RaceAll[R, E, A any](effs []Effect[R, E, A]) Effect[R, E, A] {
	if len(effs) == 0 {
		panic("effect.RaceAll: effs must not be empty")
	}
	return race(effs, false)
}

// race runs effs[0] inline, on the calling fiber, as a guarded region,
// and the others on child fibers of the current scope: one fork fewer than
// contestants. The end of a child that wins stops the inline region (with
// ErrLostRace as the reason, not interrupting the fiber); the end of the
// inline contestant stops the children. Every loser has ended, finalizers
// included, when race returns; if the caller is interrupted, every
// contestant is stopped and awaited before the interruption goes on.
func race[R, E, A any](effs []Effect[R, E, A], firstExit bool) Effect[R, E, A] {
	return withView(func(v view) Effect[R, E, A] {
		st := &raceState[R, E, A]{kids: make([]*Fiber[E, A], len(effs)-1)}
		return st.start(v, firstExit, effs[0], effs[1:])
	})
}

// race2 is race for two contestants, with neither a slice of them nor a
// slice of children: the state of a run holds the child's effect and slot.
func race2[R, E, A any](a, b Effect[R, E, A], firstExit bool) Effect[R, E, A] {
	return withView(func(v view) Effect[R, E, A] {
		st := &raceState[R, E, A]{}
		st.kids = st.pair[:]
		st.rest[0] = b
		return st.start(v, firstExit, a, st.rest[:])
	})
}

// start returns the effect of one run of the race, built in st, so that a
// race allocates its ops once: the whole is uninterruptible (what
// UninterruptibleMask does, with the mask's region held here), forks the
// others, then runs first inline with the caller's interruptibility (the
// restore region, held here too) as a guarded region.
func (st *raceState[R, E, A]) start(v view, firstExit bool, first Effect[R, E, A], others []Effect[R, E, A]) Effect[R, E, A] {
	st.firstExit, st.winner = firstExit, -1
	st.restore = Restore{interruptible: v.interruptible()}
	st.fork = forkAllOp[R, E, A]{effs: others, dst: st.kids}
	st.inline = regionOp[R, E, A]{src: first, mask: regionIntr, set: locals{interruptible: st.restore.interruptible}}
	st.guard = guardOp[R, E, A, A]{src: Effect[R, E, A]{op: &st.inline}, spec: st}
	st.seq = andThenOp[R, E, struct{}, A]{src: Effect[R, E, struct{}]{op: &st.fork}, next: Effect[R, E, A]{op: &st.guard}}
	st.mask = regionOp[R, E, A]{src: Effect[R, E, A]{op: &st.seq}, mask: regionIntr, set: locals{interruptible: false}}
	return Effect[R, E, A]{op: &st.mask}
}

// raceState is what one run of a race knows of its forked contestants.
type raceState[R, E, A any] struct {
	kids      []*Fiber[E, A]
	pair      [1]*Fiber[E, A]    // kids' storage in a race of two
	rest      [1]Effect[R, E, A] // the forked contestant's effect in a race of two
	firstExit bool
	restore   Restore
	fork      forkAllOp[R, E, A]
	inline    regionOp[R, E, A] // the inline contestant, with the caller's interruptibility
	guard     guardOp[R, E, A, A]
	seq       andThenOp[R, E, struct{}, A]
	mask      regionOp[R, E, A] // the whole, uninterruptible
	stop      stopAllOp[R, E, A, A]

	mu     sync.Mutex
	winner int   // the first child that won, or -1
	failed int   // children that ended without winning
	order  []int // the children that ended without winning, in that order
	wake   func()
}

// arm makes the end of each child known to the race, and a win stop the
// inline contestant's region; its context is cancelled when it is stopped.
func (st *raceState[R, E, A]) arm(g *guard) {
	parent, detached := g.parentContext()
	g.ctx, g.cancel = context.WithCancelCause(parent)
	if detached {
		g.f.armDetached(g)
	}
	for i, k := range st.kids {
		k.onEnd(func() {
			ex, _ := k.Poll()
			st.mu.Lock()
			won := st.winner < 0 && (ex.IsSuccess() || st.firstExit)
			if won {
				st.winner = i
			} else {
				st.failed++
				st.order = append(st.order, i)
			}
			wake := st.wake
			st.mu.Unlock()
			if won {
				g.stop(ErrLostRace)
			}
			if wake != nil {
				wake()
			}
		})
	}
}

// settled reports whether the children have decided the race: one won, or
// all ended without winning.
func (st *raceState[R, E, A]) settledLocked() bool {
	return st.winner >= 0 || st.failed == len(st.kids)
}

// done decides the race once the inline contestant's region has ended.
func (st *raceState[R, E, A]) done(ex Exit[E, A], g *guard) Effect[R, E, A] {
	restore := st.restore
	st.mu.Lock()
	winner := st.winner
	before := len(st.order) // children that failed before the inline one ended
	st.mu.Unlock()
	switch {
	case g.reason != nil || (winner >= 0 && ex.IsFailure() && !g.outerStopping()):
		// A child won: the inline contestant lost.
		return finishRace[R](st, winner, Exit[E, A]{})
	case ex.IsSuccess() || (st.firstExit && !g.outerStopping()):
		return finishRace[R](st, -1, ex)
	case g.outerStopping():
		// The caller is being interrupted: stop everyone, then go on.
		return st.stopThen(st.kids, ErrLostRace, ex)
	}
	// The inline contestant failed: wait for the children to decide.
	wait := asyncAs[R]("race", func(resume func(Exit[E, struct{}])) func() {
		st.mu.Lock()
		if st.settledLocked() {
			st.mu.Unlock()
			resume(Exit[E, struct{}]{})
			return nil
		}
		st.wake = func() {
			st.mu.Lock()
			done := st.settledLocked()
			st.mu.Unlock()
			if done {
				resume(Exit[E, struct{}]{})
			}
		}
		st.mu.Unlock()
		return nil
	})
	return MatchCauseEffect(restore.Apply(wait),
		func(c Cause[E]) Effect[R, E, A] {
			return st.stopThen(st.kids, interruptionErr(c), Exit[E, A]{cause: c})
		},
		func(struct{}) Effect[R, E, A] {
			st.mu.Lock()
			w := st.winner
			st.mu.Unlock()
			if w >= 0 {
				return finishRace[R](st, w, Exit[E, A]{})
			}
			// Every cause, in the order the contestants failed.
			var causes Cause[E]
			for n, i := range st.order {
				if n == before {
					causes = causes.Both(ex.cause)
				}
				kx, _ := st.kids[i].Poll()
				causes = causes.Both(kx.cause)
			}
			if before == len(st.order) {
				causes = causes.Both(ex.cause)
			}
			return FailCause[R, A](causes)
		})
}

// finishRace stops every child but the winner (ErrLostRace), waits for
// them all, and ends as the winning child's exit, or as ex when winner is
// -1 (the inline contestant won).
func finishRace[R, E, A any](st *raceState[R, E, A], winner int, ex Exit[E, A]) Effect[R, E, A] {
	losers := st.kids
	if winner >= 0 {
		losers = make([]*Fiber[E, A], 0, len(st.kids)-1)
		for i, k := range st.kids {
			if i != winner {
				losers = append(losers, k)
			}
		}
		ex, _ = st.kids[winner].Poll()
	}
	if len(losers) == 0 {
		return FromExit[R](ex)
	}
	return st.stopThen(losers, ErrLostRace, ex)
}

// stopThen stops kids for why, waits for them, and ends as ex, through the
// op kept in the race's state (a race ends once, so it is used once).
func (st *raceState[R, E, A]) stopThen(kids []*Fiber[E, A], why error, ex Exit[E, A]) Effect[R, E, A] {
	st.stop = stopAllOp[R, E, A, A]{kids: kids, why: why, ex: ex}
	return Effect[R, E, A]{op: &st.stop}
}
