package schedule

import "time"

// Recurs returns a schedule that continues n times without delay and then stops: with a retry,
// n+1 attempts in all. Its output is the number of recurrences so far: k on the k-th decision for
// k ≤ n, and n on the decision that stops.
//
// Recurs is the usual way to bound another schedule: s.Intersect(Recurs(n)) is s with at most n
// retries. Recurs(0) never continues. It panics if n is negative.
func Recurs(n int) Schedule[int] {
	if n < 0 {
		panicf("Recurs: n must not be negative, got %d", n)
	}
	return Schedule[int]{root: recurs{limit: n}}
}

// Once returns a schedule that continues once without delay and then stops: [Recurs](1).
func Once() Schedule[int] {
	return Recurs(1)
}

// Forever returns a schedule that always continues without delay. Its output is the number of
// decisions so far: k on the k-th. It is [Spaced](0).
func Forever() Schedule[int] {
	return Spaced(0)
}

type recurs struct {
	limit int
}

func (r recurs) start(*env) step[int] {
	return &recursStep{limit: r.limit}
}

type recursStep struct {
	limit int
	count int
}

func (r *recursStep) next(time.Time, any) (time.Duration, int, bool) {
	if r.count >= r.limit {
		return 0, r.count, false
	}
	r.count++
	return 0, r.count, true
}

func (r *recursStep) reset(time.Time) {
	r.count = 0
}
