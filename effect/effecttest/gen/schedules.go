package gen

import (
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
	"github.com/leanovate/gopter"
)

// Schedules returns a generator of schedule.Schedule[time.Duration] values
// (their output is their delay, see [schedule.Schedule.Delays]): one of
// Spaced, Fixed, Linear, Exponential, Fibonacci and DecorrelatedJitter with
// a base of 1 to 100 ms, sometimes capped, sometimes jittered, always
// seeded (so deterministic: two runs make the same decisions) and always
// bounded by schedule.Recurs(n) with n from 0 to 6, so that a retry driven
// by one ends. Its values print as the recipe that built them.
func Schedules() gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		base := time.Duration(1+p.Rng.Intn(100)) * time.Millisecond
		var (
			s    schedule.Schedule[time.Duration]
			desc string
		)
		switch p.Rng.Intn(6) {
		case 0:
			s, desc = schedule.Spaced(base).Delays(), fmt.Sprintf("Spaced(%v)", base)
		case 1:
			s, desc = schedule.Fixed(base).Delays(), fmt.Sprintf("Fixed(%v)", base)
		case 2:
			s, desc = schedule.Linear(base), fmt.Sprintf("Linear(%v)", base)
		case 3:
			s, desc = schedule.Exponential(base), fmt.Sprintf("Exponential(%v)", base)
		case 4:
			s, desc = schedule.Fibonacci(base), fmt.Sprintf("Fibonacci(%v)", base)
		default:
			s, desc = schedule.DecorrelatedJitter(base, 10*base), fmt.Sprintf("DecorrelatedJitter(%v, %v)", base, 10*base)
		}
		if p.Rng.Intn(3) == 0 {
			limit := base * time.Duration(1+p.Rng.Intn(5))
			s, desc = s.Capped(limit), desc+fmt.Sprintf(".Capped(%v)", limit)
		}
		if p.Rng.Intn(3) == 0 {
			s, desc = s.Jitter(0.5), desc+".Jitter(0.5)"
		}
		seed := p.NextUint64()
		n := p.Rng.Intn(7)
		s = s.Seed(seed).Intersect(schedule.Recurs(n))
		desc += fmt.Sprintf(".Seed(%d).Intersect(Recurs(%d))", seed, n)
		return result(Schedule{Schedule: s, Desc: desc})
	}
}

// Schedule is a generated schedule and the recipe that built it, which
// property reports print.
type Schedule struct {
	schedule.Schedule[time.Duration]
	// Desc is the recipe, as Go code.
	Desc string
}

// String returns the recipe.
func (s Schedule) String() string { return s.Desc }
