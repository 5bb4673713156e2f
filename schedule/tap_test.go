package schedule_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

func TestTapSeesEveryDecision(t *testing.T) {
	errs := []error{errors.New("first"), errors.New("second"), errors.New("third")}
	var seen []schedule.Decision[time.Duration]
	s := schedule.Exponential(100 * time.Millisecond).Intersect(schedule.Recurs(2)).
		Tap(func(d schedule.Decision[time.Duration]) { seen = append(seen, d) })
	d := s.Start(t0)
	for _, err := range errs {
		d.Next(t0, err)
	}
	want := []schedule.Decision[time.Duration]{
		{Attempt: 1, Input: errs[0], Delay: 100e6, Output: 100e6, Continue: true},
		{Attempt: 2, Input: errs[1], Delay: 200e6, Output: 200e6, Continue: true},
		{Attempt: 3, Input: errs[2], Delay: 0, Output: 400e6, Continue: false},
	}
	if !slices.Equal(seen, want) {
		t.Errorf("got %+v, want %+v", seen, want)
	}
}

func TestTapFunctionAndReset(t *testing.T) {
	var attempts []int
	s := schedule.Tap(schedule.Forever(), func(d schedule.Decision[int]) { attempts = append(attempts, d.Attempt) })
	d := s.Start(t0)
	d.Next(t0, nil)
	d.Next(t0, nil)
	d.Reset(t0)
	d.Next(t0, nil)
	if want := []int{1, 2, 1}; !slices.Equal(attempts, want) {
		t.Errorf("attempts: got %v, want %v", attempts, want)
	}
}
