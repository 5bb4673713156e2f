package effect

// Race returns an effect that runs a and b concurrently, on two child
// fibers, and ends with the first success. The loser is interrupted, with
// [ErrLostRace] as the reason, and awaited, its finalizers included, before
// Race returns; its exit is dropped. If both fail, the effect fails with both causes joined in
// parallel ([Cause.Both]).
func Race[R, E, A any](a, b Effect[R, E, A]) Effect[R, E, A] {
	return race([]Effect[R, E, A]{a, b}, false)
}

// Race is the method form of [Race].
func (e Effect[R, E, A]) Race(that Effect[R, E, A]) Effect[R, E, A] { return Race(e, that) }

// RaceFirst returns an effect that runs a and b concurrently and ends as the
// first of them to end, success or failure; the other is interrupted and
// awaited before RaceFirst returns.
func RaceFirst[R, E, A any](a, b Effect[R, E, A]) Effect[R, E, A] {
	return race([]Effect[R, E, A]{a, b}, true)
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

func race[R, E, A any](effs []Effect[R, E, A], firstExit bool) Effect[R, E, A] {
	return prim(func(f *fiber, env R) Effect[R, E, A] {
		n := len(effs)
		events := make(chan int, n)
		kids := make([]*Fiber[E, A], n)
		for i, e := range effs {
			kids[i] = start(f.rt, f, f.scope(), env, e, f.ctx)
			kids[i].notifyOn(events, i)
		}
		intr := f.beginWait(waitInfo{what: "race"})
		var causes Cause[E]
		winner := -1
		for left := n; left > 0 && winner < 0; {
			select {
			case i := <-events:
				left--
				ex, _ := kids[i].Poll()
				if ex.IsSuccess() || firstExit {
					winner = i
				} else {
					causes = causes.Both(ex.cause)
				}
			case <-intr:
				f.endWait()
				stopAll(f, kids, -1, f.interruptErr())
				return interrupted[R, E, A](f)
			}
		}
		f.endWait()
		if winner < 0 {
			return FailCause[R, A](causes)
		}
		stopAll(f, kids, winner, ErrLostRace)
		ex, _ := kids[winner].Poll()
		return FromExit[R](ex)
	})
}

// stopAll interrupts every fiber of kids but the one at index keep, for
// why, then waits for them all to end, uninterruptibly.
func stopAll[E, A any](f *fiber, kids []*Fiber[E, A], keep int, why error) {
	for i, k := range kids {
		if i != keep && k != nil {
			k.interruptAs(f.id, why)
		}
	}
	for i, k := range kids {
		if i != keep && k != nil {
			k.waitDone(nil, "")
		}
	}
}
