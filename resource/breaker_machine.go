package resource

import (
	"context"
	"time"
)

// The breaker's state machine, as pure functions of a record: what a store's
// Update applies. Times come from the caller.

// outcome is how a call ended, as the breaker counts it.
type outcome uint8

const (
	outSuccess outcome = iota // a success, or a failure that does not count
	outFailure                // a failure that counts
	outIgnored                // an interruption: not the service's doing
)

// ticket is the breaker's answer to a call that asks to go through.
type ticket struct {
	ctx      context.Context // for the store, when the call's outcome is counted
	admitted bool
	trial    bool // a half-open trial call
	gen      uint64
	state    BreakerState // the state that decided
	retryAt  time.Time    // an open breaker: when it will admit trials
	failOpen bool         // admitted because the store failed
	closed   bool         // refused because the breaker's scope has closed
	panic    any          // what OnStateChange panicked with at the admission
}

// machine holds the settings the state machine needs.
type machine struct {
	threshold int // consecutive failures that open; 0: off
	window    int // calls in the rate window; 0: no rate
	rate      float64
	minCalls  int
	reset     time.Duration
	trials    int
}

// due reports whether an open record's reset timeout has passed at now.
func (m *machine) due(r BreakerRecord, now time.Time) bool {
	return r.State == BreakerOpen && !now.Before(r.OpenedAt.Add(m.reset))
}

// view returns r as it stands at now: an open record whose reset timeout
// has passed is half-open.
func (m *machine) view(r BreakerRecord, now time.Time) BreakerRecord {
	if m.due(r, now) {
		return BreakerRecord{State: BreakerHalfOpen, Generation: r.Generation + 1, OpenedAt: r.OpenedAt}
	}
	return r
}

// admit decides whether a call goes through at now and returns the record
// to store (r itself when nothing changes) and the ticket.
func (m *machine) admit(r BreakerRecord, now time.Time) (BreakerRecord, ticket) {
	r = m.view(r, now)
	t := ticket{gen: r.Generation, state: r.State}
	switch r.State {
	case BreakerClosed:
		t.admitted = true
	case BreakerOpen:
		t.retryAt = r.OpenedAt.Add(m.reset)
	case BreakerHalfOpen:
		if r.Trials+r.Successes < m.trials {
			r.Trials++
			t.admitted, t.trial = true, true
		}
	}
	return r, t
}

// changes reports whether admit at now would change the stored record, so
// that a breaker can skip the write when it would not.
func (m *machine) changes(r BreakerRecord, now time.Time) bool {
	return r.State == BreakerHalfOpen || m.due(r, now)
}

// record returns r after the call of ticket t ended with o at now.
func (m *machine) record(r BreakerRecord, t ticket, o outcome, now time.Time) BreakerRecord {
	if r.Generation != t.gen || o == outIgnored && !t.trial {
		return r
	}
	switch r.State {
	case BreakerClosed:
		fail := o == outFailure
		if fail {
			r.Failures++
		} else {
			r.Failures = 0
		}
		if m.window > 0 {
			r.Window = pushOutcome(r.Window, fail, m.window)
		}
		if m.tripped(r) {
			return m.open(r, now)
		}
	case BreakerHalfOpen:
		if !t.trial {
			return r
		}
		r.Trials--
		switch o {
		case outFailure:
			return m.open(r, now)
		case outSuccess:
			r.Successes++
			if r.Successes >= m.trials {
				return BreakerRecord{State: BreakerClosed, Generation: r.Generation + 1}
			}
		}
	}
	return r
}

// tripped reports whether a closed record has seen enough failures to open.
func (m *machine) tripped(r BreakerRecord) bool {
	if m.threshold > 0 && r.Failures >= m.threshold {
		return true
	}
	if m.window == 0 || len(r.Window) < m.minCalls {
		return false
	}
	failed := 0
	for _, f := range r.Window {
		if f {
			failed++
		}
	}
	return float64(failed) >= m.rate*float64(len(r.Window))
}

func (m *machine) open(r BreakerRecord, now time.Time) BreakerRecord {
	return BreakerRecord{State: BreakerOpen, Generation: r.Generation + 1, OpenedAt: now}
}

// pushOutcome returns a new window with f appended and the oldest outcomes
// dropped beyond size; w itself is left alone (a store may share it).
func pushOutcome(w []bool, f bool, size int) []bool {
	drop := len(w) + 1 - size
	if drop < 0 {
		drop = 0
	}
	out := make([]bool, 0, min(len(w)+1, size))
	out = append(out, w[drop:]...)
	return append(out, f)
}
