package ratelimit

import (
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// wait returns the effect that queues a request of cost and waits for its
// admission; if the limiter turns out to have been retired from its Keyed
// set meanwhile, it runs retired instead (a lookup of a fresh one).
// Queueing and the admission itself run masked; only the parks (waits on
// the limiter as an effect.Blocker) in between take the caller's interruptibility, so an interruption either
// finds the waiter not admitted (it leaves the queue, having taken nothing)
// or comes after the admission has returned.
func (l *Limiter) wait[R, E any](cost int64, closed, retired effect.Effect[R, E, struct{}]) effect.Effect[R, E, struct{}] {
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[R, E, struct{}] {
		return effect.Suspend(func() effect.Effect[R, E, struct{}] {
			l.mu.Lock()
			switch {
			case l.retired:
				l.mu.Unlock()
				return retired
			case l.closed:
				l.mu.Unlock()
				return closed
			case l.admitNowLocked(cost): // the queue may have emptied since the fast path looked
				l.mu.Unlock()
				return effect.Effect[R, E, struct{}]{}
			}
			w := &waiter{cost: cost}
			w.link.Value = w
			l.queue.Push(&w.link)
			l.mu.Unlock()
			return effect.OnExit(l.turn(restore, w, closed), func(x effect.Exit[E, struct{}]) effect.Effect[R, E, struct{}] {
				if x.IsFailure() {
					l.leave(w)
				}
				return effect.Unit[R, E]()
			})
		})
	})
}

// turn returns the effect of one turn of w's wait: admitted if it is at the
// head and its time has come; otherwise a park (until its time, or until it
// reaches the head) and another turn.
func (l *Limiter) turn[R, E any](restore effect.Restore, w *waiter, closed effect.Effect[R, E, struct{}]) effect.Effect[R, E, struct{}] {
	var again effect.Effect[R, E, struct{}]
	again = effect.Suspend(func() effect.Effect[R, E, struct{}] {
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return closed
		}
		d := int64(-1) // not at the head: wait to get there
		if l.queue.FrontValue() == w {
			now := l.now()
			if d = l.pol.delay(now, w.cost); d == 0 {
				l.pol.take(now, w.cost)
				l.queue.Remove(&w.link)
				w.state = admitted
				l.wakeHeadLocked()
				l.mu.Unlock()
				return effect.Effect[R, E, struct{}]{}
			}
		}
		l.mu.Unlock()
		return effect.AndThen(restore.Apply(l.park[R, E](w, d)), again)
	})
	return again
}

// park returns an effect that waits until w's admission may be due: d
// nanoseconds (when w is at the head), or until something changes at the
// head of the queue (d < 0), or the close.
func (l *Limiter) park[R, E any](w *waiter, d int64) effect.Effect[R, E, struct{}] {
	ok := effect.Succeeded[E](struct{}{})
	return effect.AsyncOn[R](l, func(resume func(effect.Exit[E, struct{}])) func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.closed || (d < 0 && l.queue.FrontValue() == w) {
			resume(ok)
			return nil
		}
		w.wake = func() { resume(ok) }
		if d >= 0 {
			w.timer = time.AfterFunc(time.Duration(d), func() {
				l.mu.Lock()
				defer l.mu.Unlock()
				l.wakeLocked(w)
			})
		}
		return func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			w.wake = nil
			if w.timer != nil {
				w.timer.Stop()
				w.timer = nil
			}
		}
	})
}

// wakeLocked ends w's park, if it is parked.
func (l *Limiter) wakeLocked(w *waiter) {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	if f := w.wake; f != nil {
		w.wake = nil
		f()
	}
}

// wakeHeadLocked tells the waiter now at the head of the queue that its
// turn has come.
func (l *Limiter) wakeHeadLocked() {
	if w := l.queue.FrontValue(); w != nil {
		l.wakeLocked(w)
	}
}

// leave takes w, whose wait ended without an admission, out of the queue;
// if it was at the head, the next one moves up.
func (l *Limiter) leave(w *waiter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	w.wake = nil
	if w.state != waiting {
		return
	}
	wasHead := l.queue.FrontValue() == w
	l.queue.Remove(&w.link)
	w.state = gone
	if wasHead {
		l.wakeHeadLocked()
	}
}

// close stops the limiter and wakes every waiter; they see the close.
func (l *Limiter) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	for _, n := range l.queue.TakeAll() {
		w := n.Value
		w.state = gone
		l.wakeLocked(w)
	}
}
