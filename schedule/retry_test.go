package schedule_test

import (
	"errors"
	"testing"
	"time"

	ggen "github.com/leanovate/gopter/gen"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/effect/effecttest/gen"
	"github.com/gogoscope/gogoscope/schedule"
)

// These tests drive the schedules through the effect runtime with the test
// kit: a retry waits exactly the delays the schedule decides, in virtual
// time.

var errFlaky = errors.New("flaky")

// failing returns an effect that fails n times, then succeeds with the
// number of attempts.
func failing(n int) effect.Effect[any, error, int] {
	attempts := 0
	return effect.Suspend(func() effect.Effect[any, error, int] {
		attempts++
		if attempts <= n {
			return effect.Fail[any, int](errFlaky)
		}
		return effect.Succeed[any, error](attempts)
	})
}

func TestRetryWaitsTheScheduleDelays(t *testing.T) {
	tests := []struct {
		name   string
		s      schedule.Schedule[time.Duration]
		fails  int
		want   time.Duration
		wantOK bool
	}{
		{"exponential 100ms: 100+200+400", schedule.Exponential(100 * time.Millisecond), 3, 700 * time.Millisecond, true},
		{"fibonacci 10ms: 10+10+20+30", schedule.Fibonacci(10 * time.Millisecond), 4, 70 * time.Millisecond, true},
		{"linear 50ms: 50+100", schedule.Linear(50 * time.Millisecond), 2, 150 * time.Millisecond, true},
		{"capped exponential: 100+200+250+250", schedule.Exponential(100 * time.Millisecond).Capped(250 * time.Millisecond), 4, 800 * time.Millisecond, true},
		{"recurs 2 gives up after 2 retries", schedule.Exponential(10 * time.Millisecond).Intersect(schedule.Recurs(2)), 5, 30 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, took := effecttest.RunTimed(t, failing(tt.fails).Retry(tt.s))
			if took != tt.want {
				t.Errorf("took %v of virtual time, want %v", took, tt.want)
			}
			if tt.wantOK {
				effecttest.AssertSucceeds(t, ex, tt.fails+1)
			} else {
				effecttest.AssertFailsWith(t, ex, errFlaky)
			}
		})
	}
}

func TestRetryLawsOfTheConstructors(t *testing.T) {
	gen.RetryLaws{}.Check(t)
}

func TestRetryLawsOfAJitteredSchedule(t *testing.T) {
	s := schedule.Exponential(5 * time.Millisecond).FullJitter().Seed(7).Intersect(schedule.Recurs(4))
	gen.RetryLaws{Schedules: ggen.Const(gen.Schedule{Schedule: s, Desc: "seeded full jitter"})}.Check(t)
}
