package ratelimit

import (
	"math"
	"testing"
	"time"
)

// FuzzAlgorithm drives each algorithm with untrusted parameters and a
// stream of (advance, cost) steps, and checks what a waiter relies on: a
// delay is never negative; after waiting exactly the delay the request is
// admissible, and not one nanosecond earlier; and the admissions stay within
// the algorithm's limits. Parameters the constructors reject (with a panic
// naming the rule) are skipped; nothing else may panic or overflow.
func FuzzAlgorithm(f *testing.F) {
	f.Add(uint8(0), int64(10), int64(time.Second), int64(2), []byte{0, 1, 0, 1, 0, 1, 50, 1, 100, 2})
	f.Add(uint8(1), int64(3), int64(time.Second), int64(0), []byte{1, 3, 0, 1, 200, 3})
	f.Add(uint8(2), int64(5), int64(time.Minute), int64(0), []byte{0, 5, 0, 1, 255, 2})
	f.Add(uint8(3), int64(2), int64(math.MaxInt64), int64(0), []byte{0, 1, 0, 1, 9, 1})
	f.Add(uint8(0), int64(math.MaxInt64), int64(1), int64(1), []byte{0, 1, 1, 1})
	f.Add(uint8(1), int64(1), int64(math.MaxInt64/8), int64(3), []byte{0, 3, 7, 1})
	f.Fuzz(func(t *testing.T, kind uint8, rate, per, burst int64, steps []byte) {
		var alg Algorithm
		switch kind % 4 {
		case 0:
			alg = TokenBucket{Rate: rate, Per: time.Duration(per), Burst: burst}
		case 1:
			alg = GCRA{Rate: rate, Per: time.Duration(per), Burst: burst}
		case 2:
			alg = FixedWindow{Limit: rate, Window: time.Duration(per)}
		default:
			alg = SlidingWindow{Limit: rate, Window: time.Duration(per)}
		}
		pol, ok := build(alg)
		if !ok {
			return
		}
		if len(steps) > 300 {
			steps = steps[:300] // the limit check is cubic in the steps
		}
		capa := pol.capacity()
		now := int64(0)
		var admitted []admission
		for len(steps) >= 2 {
			adv, c := int64(steps[0]), int64(steps[1])
			steps = steps[2:]
			now += adv * adv * int64(time.Millisecond) // up to about a minute a step
			cost := 1 + c%min(capa, 16)
			d := pol.delay(now, cost)
			if d < 0 {
				t.Fatalf("negative delay %d", d)
			}
			if d > 0 && d < math.MaxInt64/4 && now < math.MaxInt64/4 {
				if d > 1 && pol.delay(now+d-1, cost) == 0 {
					t.Fatalf("cost %d admissible at %d, before the delay %d said", cost, now+d-1, d)
				}
				now += d
				if e := pol.delay(now, cost); e != 0 {
					t.Fatalf("cost %d still not admissible after the delay %d: %d more", cost, d, e)
				}
			} else if d > 0 {
				continue // a window of centuries: never, in practice
			}
			pol.take(now, cost)
			admitted = append(admitted, admission{now, cost})
			if a := pol.available(now); a < 0 || a > capa {
				t.Fatalf("available %d out of [0, %d]", a, capa)
			}
		}
		checkLimits(t, alg, admitted)
	})
}

func build(alg Algorithm) (pol policy, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	return alg.policy("fuzz"), true
}

// checkLimits fails t if the admissions break alg's bound over some window.
func checkLimits(t *testing.T, alg Algorithm, as []admission) {
	sum := func(from, to int64) (s int64) {
		for _, a := range as {
			if a.at >= from && a.at <= to {
				s += a.cost
			}
		}
		return s
	}
	for _, a := range as {
		switch alg := alg.(type) {
		case TokenBucket, GCRA:
			var rate, burst int64
			var per time.Duration
			if tb, ok := alg.(TokenBucket); ok {
				rate, per, burst = tb.Rate, tb.Per, tb.Burst
			} else {
				g := alg.(GCRA)
				rate, per, burst = g.Rate, g.Per, g.Burst
			}
			if burst == 0 {
				burst = rate
			}
			for _, b := range as {
				if b.at < a.at {
					continue
				}
				// burst + rate·(b.at-a.at)/per, in floating point with a
				// margin for its rounding: the integer arithmetic is what
				// is under test.
				allowed := float64(burst) + float64(rate)*(float64(b.at-a.at)/float64(per))
				if s := sum(a.at, b.at); float64(s) > allowed*(1+1e-9)+1e-6 {
					t.Fatalf("%d admitted in [%d, %d], allowed %.3f", s, a.at, b.at, allowed)
				}
			}
		case FixedWindow:
			w := int64(alg.Window)
			k := a.at / w
			if s := sum(k*w, addSat(k*w, w)-1); s > alg.Limit {
				t.Fatalf("%d admitted in window %d, limit %d", s, k, alg.Limit)
			}
		case SlidingWindow:
			if s := sum(a.at, addSat(a.at, int64(alg.Window))-1); s > alg.Limit {
				t.Fatalf("%d admitted in [%d, +%v), limit %d", s, a.at, alg.Window, alg.Limit)
			}
		}
	}
}
