package schedule_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

var errPermanent = errors.New("permanent")

func TestInputFilters(t *testing.T) {
	transient := func(err error) bool { return !errors.Is(err, errPermanent) }
	permanent := func(err error) bool { return errors.Is(err, errPermanent) }
	base := schedule.Spaced(time.Second)
	tests := []struct {
		name   string
		s      schedule.Schedule[int]
		inputs []error
		want   []bool
	}{
		{"WhileInput", schedule.WhileInput(base, transient), []error{errBoom, errBoom, errPermanent}, []bool{true, true, false}},
		{"WhileInput method", base.WhileInput(transient), []error{errBoom, errPermanent}, []bool{true, false}},
		{"UntilInput", schedule.UntilInput(base, permanent), []error{errBoom, errPermanent}, []bool{true, false}},
		{"UntilInput method", base.UntilInput(permanent), []error{errPermanent}, []bool{false}},
		{"inner stop wins", schedule.WhileInput(schedule.Recurs(1), transient), []error{errBoom, errBoom}, []bool{true, false}},
		{"nil is the zero error", schedule.WhileInput(base, func(err error) bool { return err != nil }), []error{errBoom, nil}, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.s.Start(t0)
			for i, in := range tt.inputs {
				var input any
				if in != nil {
					input = in
				}
				if _, _, ok := d.Next(t0, input); ok != tt.want[i] {
					t.Errorf("decision %d on %v: got ok %v, want %v", i+1, in, ok, tt.want[i])
				}
			}
		})
	}
}

func TestInputFilterPanicsOnAWrongInputType(t *testing.T) {
	tests := []struct {
		name string
		s    schedule.Schedule[int]
		in   any
		want string
	}{
		{"WhileInput", schedule.WhileInput(schedule.Forever(), func(error) bool { return true }), "text", "schedule: WhileInput: got an input of type string, want error"},
		{"UntilInput", schedule.UntilInput(schedule.Forever(), func(int) bool { return true }), errBoom, "schedule: UntilInput: got an input of type *errors.errorString, want int"},
		{"nil for a concrete type", schedule.WhileInput(schedule.Forever(), func(int) bool { return true }), nil, "schedule: WhileInput: got an input of type <nil>, want int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := panicMessage(func() { tt.s.Start(t0).Next(t0, tt.in) })
			if got != tt.want {
				t.Errorf("panic: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOutputFilters(t *testing.T) {
	underSecond := func(d time.Duration) bool { return d < time.Second }
	atLeastSecond := func(d time.Duration) bool { return d >= time.Second }
	want := []decision[time.Duration]{{250e6, 250e6, true}, {500e6, 500e6, true}, {0, time.Second, false}}
	tests := map[string]schedule.Schedule[time.Duration]{
		"WhileOutput method":   schedule.Exponential(250 * time.Millisecond).WhileOutput(underSecond),
		"WhileOutput function": schedule.WhileOutput(schedule.Exponential(250*time.Millisecond), underSecond),
		"UntilOutput method":   schedule.Exponential(250 * time.Millisecond).UntilOutput(atLeastSecond),
		"UntilOutput function": schedule.UntilOutput(schedule.Exponential(250*time.Millisecond), atLeastSecond),
	}
	for name, s := range tests {
		if got := simulate(s, 10, 0, nil); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
}
