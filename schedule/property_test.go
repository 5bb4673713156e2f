package schedule_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/gogoscope/gogoscope/schedule"
)

// properties returns a gopter property set whose seed is logged if the test fails, so that a
// failure can be replayed with gopter.DefaultTestParametersWithSeed.
func properties(t *testing.T) *gopter.Properties {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 200
	seed := params.Seed()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gopter seed: %d", seed)
		}
	})
	return gopter.NewProperties(params)
}

// genDuration generates durations in [lo, hi].
func genDuration(lo, hi time.Duration) gopter.Gen {
	return gen.Int64Range(int64(lo), int64(hi)).Map(func(n int64) time.Duration { return time.Duration(n) })
}

// genAttempts generates the running times of up to 40 attempts, each up to limit.
func genAttempts(limit time.Duration) gopter.Gen {
	return gen.SliceOf(genDuration(0, limit))
}

func TestPropertyExponential(t *testing.T) {
	p := properties(t)
	p.Property("exponential delays never decrease and never exceed the cap", prop.ForAll(
		func(base time.Duration, factor float64, capTimes int64, n int) string {
			maxDelay := base * time.Duration(capTimes)
			got := delaysOf(schedule.ExponentialWith(base, factor).Capped(maxDelay), n)
			if len(got) != n {
				return fmt.Sprintf("got %d delays, want %d", len(got), n)
			}
			if got[0] != base {
				return fmt.Sprintf("first delay: got %v, want the base %v", got[0], base)
			}
			for i, d := range got {
				if d > maxDelay {
					return fmt.Sprintf("delay %d: got %v, above the cap %v", i+1, d, maxDelay)
				}
				if i > 0 && d < got[i-1] {
					return fmt.Sprintf("delay %d: got %v after %v, want no decrease", i+1, d, got[i-1])
				}
			}
			return ""
		},
		genDuration(1, 10*time.Second), gen.Float64Range(1, 4), gen.Int64Range(1, 1000), gen.IntRange(1, 200),
	))
	p.TestingRun(t)
}

// jitterBounds returns the documented bounds of a jitter kind around a delay d.
func jitterBounds(kind int, f float64, d time.Duration) (lo, hi time.Duration) {
	switch kind {
	case 0:
		return time.Duration(float64(d) * (1 - f)), time.Duration(float64(d) * (1 + f))
	case 1:
		return 0, d
	default:
		return d / 2, d
	}
}

func jittered(s schedule.Schedule[time.Duration], kind int, f float64) schedule.Schedule[time.Duration] {
	switch kind {
	case 0:
		return s.Jitter(f)
	case 1:
		return s.FullJitter()
	default:
		return s.EqualJitter()
	}
}

func TestPropertyJitterBounds(t *testing.T) {
	p := properties(t)
	p.Property("every jitter stays within its bounds around the delay it jitters", prop.ForAll(
		func(base time.Duration, kind int, f float64, seed uint64, seeded bool) string {
			plain := schedule.Exponential(base).Capped(time.Hour)
			s := jittered(plain, kind, f)
			if seeded {
				s = s.Seed(seed)
			}
			want, got := delaysOf(plain, 40), delaysOf(s, 40)
			for i := range want {
				lo, hi := jitterBounds(kind, f, want[i])
				if got[i] < lo || got[i] > hi {
					return fmt.Sprintf("delay %d: got %v, want within [%v, %v] around %v", i+1, got[i], lo, hi, want[i])
				}
			}
			return ""
		},
		genDuration(1, time.Minute), gen.IntRange(0, 2), gen.Float64Range(0, 1), gen.UInt64(), gen.Bool(),
	))
	p.Property("decorrelated jitter stays within [base, min(max, 3·previous)]", prop.ForAll(
		func(base time.Duration, capTimes int64, seed uint64) string {
			maxDelay := base * time.Duration(capTimes)
			previous := base
			for i, d := range delaysOf(schedule.DecorrelatedJitter(base, maxDelay).Seed(seed), 60) {
				if d < base || d > min(maxDelay, 3*previous) {
					return fmt.Sprintf("delay %d: got %v, want within [%v, min(%v, 3·%v)]", i+1, d, base, maxDelay, previous)
				}
				previous = d
			}
			return ""
		},
		genDuration(1, time.Second), gen.Int64Range(1, 10000), gen.UInt64(),
	))
	p.TestingRun(t)
}

func TestPropertyRecurs(t *testing.T) {
	p := properties(t)
	p.Property("Recurs(n) continues exactly n times, then stops for good", prop.ForAll(
		func(n int, extra int) string {
			d := schedule.Recurs(n).Start(t0)
			for i := 1; i <= n; i++ {
				if _, out, ok := d.Next(t0, errBoom); !ok || out != i {
					return fmt.Sprintf("decision %d: got (%d, %v), want (%d, true)", i, out, ok, i)
				}
			}
			for i := range extra + 1 {
				if _, out, ok := d.Next(t0, errBoom); ok || out != n {
					return fmt.Sprintf("decision %d: got (%d, %v), want (%d, false)", n+1+i, out, ok, n)
				}
			}
			return ""
		},
		gen.IntRange(0, 500), gen.IntRange(0, 5),
	))
	p.TestingRun(t)
}

func TestPropertyUnionIntersect(t *testing.T) {
	p := properties(t)
	p.Property("union takes the shorter delay, intersect the longer, each while the documented sides continue", prop.ForAll(
		func(a, b time.Duration, factor float64, na, nb int, attempts []time.Duration) string {
			left := schedule.ExponentialWith(a, factor).Intersect(schedule.Recurs(na))
			right := schedule.Linear(b).Intersect(schedule.Recurs(nb))
			l, r := left.Start(t0), right.Start(t0)
			u, i := left.Union(right).Start(t0), left.Intersect(right).Start(t0)
			now := t0
			leftOn, rightOn := true, true
			for k, attempt := range attempts {
				now = now.Add(attempt)
				ld, _, lok := l.Next(now, nil)
				rd, _, rok := r.Next(now, nil)
				leftOn, rightOn = leftOn && lok, rightOn && rok
				ud, _, uok := u.Next(now, nil)
				id, _, iok := i.Next(now, nil)
				var wantU time.Duration
				switch {
				case leftOn && rightOn:
					wantU = min(ld, rd)
				case leftOn:
					wantU = ld
				case rightOn:
					wantU = rd
				}
				if uok != (leftOn || rightOn) || ud != wantU {
					return fmt.Sprintf("decision %d: union got (%v, %v), want (%v, %v)", k+1, ud, uok, wantU, leftOn || rightOn)
				}
				wantI := max(ld, rd)
				if !(leftOn && rightOn) {
					wantI = 0
				}
				if iok != (lok && rok) || id != wantI {
					return fmt.Sprintf("decision %d: intersect got (%v, %v), want (%v, %v)", k+1, id, iok, wantI, lok && rok)
				}
			}
			return ""
		},
		genDuration(1, time.Second), genDuration(1, time.Second), gen.Float64Range(1, 3),
		gen.IntRange(0, 30), gen.IntRange(0, 30), genAttempts(time.Second),
	))
	p.TestingRun(t)
}

func TestPropertyUpTo(t *testing.T) {
	p := properties(t)
	p.Property("UpTo never lets an attempt begin past its budget, and stops only to keep it", prop.ForAll(
		func(base, budget time.Duration, seed uint64, attempts []time.Duration) string {
			inner := schedule.Exponential(base).FullJitter().Seed(seed)
			bounded, unbounded := inner.UpTo(budget).Start(t0), inner.Start(t0)
			now := t0
			for k, attempt := range attempts {
				now = now.Add(attempt)
				want, _, _ := unbounded.Next(now, nil)
				d, _, ok := bounded.Next(now, nil)
				begin := now.Sub(t0) + want
				if ok && (d != want || now.Add(d).Sub(t0) > budget) {
					return fmt.Sprintf("decision %d: continued with %v (inner %v), next attempt at %v past a %v budget", k+1, d, want, begin, budget)
				}
				if !ok {
					if begin <= budget {
						return fmt.Sprintf("decision %d: stopped although the next attempt would begin at %v within %v", k+1, begin, budget)
					}
					return ""
				}
				now = now.Add(d)
			}
			return ""
		},
		genDuration(time.Millisecond, time.Second), genDuration(time.Millisecond, time.Minute), gen.UInt64(), genAttempts(5*time.Second),
	))
	p.TestingRun(t)
}

// composite is a schedule using every stateful and random part of the package.
func composite(seed uint64) schedule.Schedule[time.Duration] {
	s := schedule.Exponential(10 * time.Millisecond).Capped(time.Second).Jitter(0.3).
		Union(schedule.DecorrelatedJitter(50*time.Millisecond, 2*time.Second).EqualJitter()).
		Intersect(schedule.Fixed(100 * time.Millisecond).FullJitter()).
		ResetAfter(2 * time.Second).UpTo(time.Hour)
	return schedule.WhileInput(s, func(n int) bool { return n%17 != 0 }).Seed(seed)
}

func TestPropertyPureValue(t *testing.T) {
	p := properties(t)
	p.Property("same schedule, seed, inputs and times give the same decisions, and drivers do not interfere", prop.ForAll(
		func(seed uint64, attempts []time.Duration, inputs []int) string {
			s := composite(seed)
			type call struct {
				now time.Time
				in  int
			}
			// A first run fixes the times and inputs of the calls.
			var calls []call
			var want []decision[time.Duration]
			now := t0
			d := s.Start(t0)
			for k, attempt := range attempts {
				now = now.Add(attempt)
				in := inputs[k%len(inputs)]
				delay, out, ok := d.Next(now, in)
				calls = append(calls, call{now, in})
				want = append(want, decision[time.Duration]{delay, out, ok})
				now = now.Add(delay)
			}
			// Two more drivers of the same schedule, interleaved call by call, repeat it exactly.
			a, b := s.Start(t0), composite(seed).Start(t0)
			var gotA, gotB []decision[time.Duration]
			for _, c := range calls {
				delay, out, ok := a.Next(c.now, c.in)
				gotA = append(gotA, decision[time.Duration]{delay, out, ok})
				delay, out, ok = b.Next(c.now, c.in)
				gotB = append(gotB, decision[time.Duration]{delay, out, ok})
			}
			if !slices.Equal(gotA, want) || !slices.Equal(gotB, want) {
				return fmt.Sprintf("got %v and %v, want %v", gotA, gotB, want)
			}
			return ""
		},
		gen.UInt64(), genAttempts(3*time.Second), gen.SliceOfN(7, gen.IntRange(1, 100)),
	))
	p.TestingRun(t)
}
