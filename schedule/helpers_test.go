package schedule_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

// t0 is the start of every simulated run.
var t0 = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// errBoom is the input of simulated retries.
var errBoom = errors.New("boom")

// decision is one recorded call of Driver.Next.
type decision[Out any] struct {
	Delay time.Duration
	Out   Out
	OK    bool
}

func (d decision[Out]) String() string {
	return fmt.Sprintf("{%v %v %v}", d.Delay, d.Out, d.OK)
}

// simulate runs s from t0 for at most n decisions, stopping after the first that stops. Each
// attempt takes attempt (virtual) time and ends with input in; the run then waits the delay.
func simulate[Out any](s schedule.Schedule[Out], n int, attempt time.Duration, in any) []decision[Out] {
	now := t0
	d := s.Start(now)
	var got []decision[Out]
	for range n {
		now = now.Add(attempt)
		delay, out, ok := d.Next(now, in)
		got = append(got, decision[Out]{delay, out, ok})
		if !ok {
			break
		}
		now = now.Add(delay)
	}
	return got
}

// delaysOf returns the delays of the first n decisions of s with instantaneous attempts, up to and
// excluding the first one that stops.
func delaysOf[Out any](s schedule.Schedule[Out], n int) []time.Duration {
	var got []time.Duration
	for _, d := range simulate(s, n, 0, errBoom) {
		if !d.OK {
			break
		}
		got = append(got, d.Delay)
	}
	return got
}

// ms returns the given numbers of milliseconds as durations.
func ms(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, v := range n {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

// checkDelays fails t unless s's first len(want) delays (instantaneous attempts) are want.
func checkDelays[Out any](t *testing.T, s schedule.Schedule[Out], want []time.Duration) {
	t.Helper()
	if got := delaysOf(s, len(want)); !slices.Equal(got, want) {
		t.Errorf("delays: got %v, want %v", got, want)
	}
}

// panicMessage returns the text of the panic that f raises, or "" if it returns.
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}
