package schedule_test

import (
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestUsesClock(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		uses bool
		s    interface{ UsesClock() bool }
	}{
		{"exponential", false, schedule.Exponential(ms)},
		{"jittered capped exponential with recurs", false, schedule.Exponential(ms).Capped(time.Second).FullJitter().Seed(1).Intersect(schedule.Recurs(3))},
		{"spaced", false, schedule.Spaced(ms)},
		{"fibonacci mapped", false, schedule.Fibonacci(ms).Map(func(d time.Duration) int { return int(d) })},
		{"fixed", true, schedule.Fixed(ms)},
		{"elapsed", true, schedule.Elapsed()},
		{"exponential up to a budget", true, schedule.Exponential(ms).UpTo(time.Second)},
		{"recurs union fixed", true, schedule.Recurs(2).Union(schedule.Fixed(ms))},
		{"linear and then elapsed", true, schedule.Linear(ms).AndThen(schedule.Elapsed())},
		{"reset after", true, schedule.Spaced(ms).ResetAfter(time.Second)},
		{"zero schedule", false, schedule.Schedule[int]{}},
	}
	for _, tt := range tests {
		if got := tt.s.UsesClock(); got != tt.uses {
			t.Errorf("%s: UsesClock() = %v, want %v", tt.name, got, tt.uses)
		}
	}
}

// A schedule that does not use the clock decides the same whatever times it
// is given.
func TestScheduleWithoutClockIgnoresTimes(t *testing.T) {
	s := schedule.Exponential(10 * time.Millisecond).FullJitter().Seed(3).Intersect(schedule.Recurs(5))
	a := s.Start(time.Time{})
	b := s.Start(time.Now())
	now := time.Now()
	for i := range 7 {
		da, _, oka := a.Next(time.Time{}, nil)
		db, _, okb := b.Next(now.Add(time.Duration(i)*time.Hour), nil)
		if da != db || oka != okb {
			t.Fatalf("decision %d: %v,%v vs %v,%v", i, da, oka, db, okb)
		}
	}
}
