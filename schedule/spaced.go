package schedule

import "time"

// Spaced returns a schedule that always continues, waiting d after each attempt ends: the delay of
// every decision is d, so attempts start d apart plus however long each one ran. Its output is the
// number of decisions so far: k on the k-th.
//
// Spaced(0) is [Forever]. It panics if d is negative.
func Spaced(d time.Duration) Schedule[int] {
	checkDelay("Spaced", "d", d, false)
	return Schedule[int]{root: spaced{every: d}}
}

type spaced struct {
	every time.Duration
}

func (s spaced) start(*env) step[int] {
	return &spacedStep{every: s.every}
}

type spacedStep struct {
	every time.Duration
	count int
}

func (s *spacedStep) next(time.Time, any) (time.Duration, int, bool) {
	s.count++
	return s.every, s.count, true
}

func (s *spacedStep) reset(time.Time) {
	s.count = 0
}

// Fixed returns a schedule that always continues and starts attempts on the boundaries of a
// wall-clock grid of step d laid from the start of the run: at start + k·d for k = 1, 2, ….
//
// The k-th decision, made at time now, picks the first boundary at or after now that no earlier
// decision picked, and waits until it: delay = start + k'·d − now. An attempt that ends before its
// boundary waits for it; an attempt that overruns one or more boundaries makes the next attempt
// start on the next boundary (at once if it ended exactly on one), so runs never pile up to catch
// up with the boundaries they missed. Its output is the number of decisions so far.
//
// Use Fixed for a steady cadence (a poll every 10 s, whatever each poll costs) and [Spaced] for a
// steady pause between attempts. It panics if d is not positive.
func Fixed(d time.Duration) Schedule[int] {
	checkDelay("Fixed", "d", d, true)
	return Schedule[int]{root: fixed{every: d}, clock: true}
}

type fixed struct {
	every time.Duration
}

func (f fixed) start(e *env) step[int] {
	return &fixedStep{every: f.every, origin: e.now}
}

type fixedStep struct {
	every  time.Duration
	origin time.Time
	// boundary is the index k of the boundary the last decision picked; 0 is the start of the run.
	boundary int64
	count    int
}

func (f *fixedStep) next(now time.Time, _ any) (time.Duration, int, bool) {
	f.count++
	elapsed := since(f.origin, now)
	k := int64(elapsed / f.every)
	if elapsed%f.every != 0 {
		k++
	}
	if k <= f.boundary {
		k = f.boundary + 1
	}
	f.boundary = k
	return since(now, f.origin.Add(mulSat(f.every, k))), f.count, true
}

func (f *fixedStep) reset(now time.Time) {
	f.origin = now
	f.boundary = 0
	f.count = 0
}
