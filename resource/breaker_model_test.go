package resource_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

// breakerModel is the circuit breaker as the documentation states it, for
// calls made one after the other: the reference that the real breaker must
// match step by step.
type breakerModel struct {
	threshold, window, minCalls, trials int
	rate                                float64
	reset                               time.Duration

	state    resource.BreakerState
	fails    int
	win      []bool
	openedAt time.Time
	succ     int
}

// Call kinds of the model test.
const (
	callOK          = iota // succeeds
	callFail               // fails with an error that counts
	callNotFound           // fails with an error that IsFailure does not count
	callInterrupted        // is interrupted while it runs
	advanceClock           // not a call: lets time pass
	kinds
)

// view is the state a caller sees at now.
func (m *breakerModel) view(now time.Time) resource.BreakerState {
	if m.state == resource.BreakerOpen && now.Sub(m.openedAt) >= m.reset {
		return resource.BreakerHalfOpen
	}
	return m.state
}

// call returns whether a call of kind k made at now goes through, and
// updates the model with its outcome.
func (m *breakerModel) call(now time.Time, k int) bool {
	if m.view(now) == resource.BreakerOpen {
		return false
	}
	if m.state == resource.BreakerOpen {
		m.state, m.succ = resource.BreakerHalfOpen, 0
	}
	if k == callInterrupted {
		return true
	}
	failed := k == callFail
	switch m.state {
	case resource.BreakerClosed:
		if failed {
			m.fails++
		} else {
			m.fails = 0
		}
		if m.window > 0 {
			m.win = append(m.win, failed)
			if len(m.win) > m.window {
				m.win = m.win[1:]
			}
		}
		nf := 0
		for _, f := range m.win {
			if f {
				nf++
			}
		}
		if m.threshold > 0 && m.fails >= m.threshold ||
			m.window > 0 && len(m.win) >= m.minCalls && float64(nf) >= m.rate*float64(len(m.win)) {
			m.open(now)
		}
	case resource.BreakerHalfOpen:
		if failed {
			m.open(now)
			break
		}
		m.succ++
		if m.succ == m.trials {
			m.state, m.fails, m.win = resource.BreakerClosed, 0, nil
		}
	}
	return true
}

func (m *breakerModel) open(now time.Time) {
	m.state, m.openedAt, m.fails, m.win, m.succ = resource.BreakerOpen, now, 0, nil, 0
}

type breakerConfig struct {
	threshold, window, minCalls, trials, ratePct int
}

func (c breakerConfig) options() resource.BreakerOptions {
	o := resource.BreakerOptions{
		FailureThreshold: c.threshold,
		ResetTimeout:     3 * time.Second,
		HalfOpenCalls:    c.trials,
		IsFailure:        func(err error) bool { return !errors.Is(err, errNotFound) },
	}
	if c.window > 0 {
		o.Window, o.FailureRate, o.MinCalls = c.window, float64(c.ratePct)/100, c.minCalls
	}
	return o
}

func (c breakerConfig) model() *breakerModel {
	m := &breakerModel{threshold: c.threshold, window: c.window, minCalls: c.minCalls, trials: c.trials,
		rate: float64(c.ratePct) / 100, reset: 3 * time.Second}
	if m.threshold == 0 && m.window == 0 {
		m.threshold = 5
	}
	if m.window > 0 && m.minCalls == 0 {
		m.minCalls = m.window
	}
	if m.trials == 0 {
		m.trials = 1
	}
	return m
}

// TestBreakerMatchesModel is the property: for random settings and random
// sequences of successes, failures that count and that do not, interrupted
// calls and clock advances, the breaker lets through exactly the calls the
// model lets through, refuses the others with a BreakerOpenError, and shows
// the model's state and failure count after every step.
func TestBreakerMatchesModel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		params := gopter.DefaultTestParameters()
		params.MinSuccessfulTests = 150
		props := gopter.NewProperties(params)
		// Rates of 25, 50, 75 and 100%, so that a window often sits
		// exactly on the rate.
		configs := gopter.CombineGens(gen.IntRange(0, 4), gen.IntRange(0, 5), gen.IntRange(0, 5), gen.IntRange(0, 3), gen.IntRange(1, 4)).
			Map(func(v []any) breakerConfig {
				c := breakerConfig{threshold: v[0].(int), window: v[1].(int), minCalls: v[2].(int), trials: v[3].(int), ratePct: 25 * v[4].(int)}
				c.minCalls = min(c.minCalls, c.window)
				return c
			})
		props.Property("the breaker matches the model", prop.ForAll(
			func(c breakerConfig, ops []int) string {
				rt := effect.NewRuntime()
				defer rt.Shutdown(context.Background())
				cb, closeScope := openBreaker(t, rt, c.options())
				defer closeScope()
				m := c.model()
				var n calls
				for i, op := range ops {
					k := op % kinds
					if k == advanceClock {
						time.Sleep(time.Duration(op/kinds%20) * 500 * time.Millisecond)
						synctest.Wait()
						continue
					}
					want := m.call(time.Now(), k)
					before := n.n.Load()
					var x effect.Exit[error, int]
					switch k {
					case callOK:
						x = rt.RunExit(context.Background(), cb.Execute(n.ok()), nil)
					case callFail:
						x = rt.RunExit(context.Background(), cb.Execute(n.fail(errBoom)), nil)
					case callNotFound:
						x = rt.RunExit(context.Background(), cb.Execute(n.fail(errNotFound)), nil)
					case callInterrupted:
						fb := rt.Start(context.Background(), cb.Execute(effect.AndThen(n.ok(), effect.Never[any, error, int]())), nil)
						synctest.Wait()
						fb.InterruptFromGo()
						x, _ = fb.Wait(context.Background())
					}
					got := n.n.Load() > before
					if got != want {
						return fmt.Sprintf("op %d (kind %d): went through %v, model says %v", i, k, got, want)
					}
					if !got && !errors.Is(x.Err(), resource.ErrBreakerOpen) {
						return fmt.Sprintf("op %d: refused with %v, want a BreakerOpenError", i, x)
					}
					r, _ := cb.Snapshot(context.Background())
					if r.State != m.view(time.Now()) || r.State == resource.BreakerClosed && r.Failures != m.fails {
						return fmt.Sprintf("op %d (kind %d): breaker %+v, model %v with %d failures", i, k, r, m.view(time.Now()), m.fails)
					}
					if r.Trials != 0 {
						return fmt.Sprintf("op %d: %d trials left in progress", i, r.Trials)
					}
				}
				return ""
			},
			configs,
			gen.SliceOf(gen.IntRange(0, 20*kinds-1)),
		))
		props.TestingRun(t)
	})
}
