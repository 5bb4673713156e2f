package schedule_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

// FuzzSchedule decodes its input into a random composition of schedules and
// a run of attempts (how long each ran, what it ended with), then checks
// what every schedule promises whatever it is made of:
//
//   - bounds: no delay is negative; no run continues more times than the
//     composition allows (Recurs(n) n, Intersect the fewer, Union the more,
//     AndThen the sum), nor waits longer than it allows (Spaced and Capped
//     their delay, DecorrelatedJitter its maximum, Jitter(f) 1+f
//     times, Union and Intersect the larger); a stop is final, with the same
//     output; a time budget (UpTo), a cap and an input predicate at the root
//     hold exactly; Attempt counts the decisions and Tap sees each one up to
//     the stop;
//   - purity: two drivers of one (seeded) schedule, run in lockstep, decide
//     alike, and alike again after Reset and from a new Start, so that a
//     schedule keeps no state of its own and drivers share none; a schedule
//     that does not use the clock decides the same when every time it is
//     given is the zero time.
//
// The decoding is deterministic: the same input is the same program. Plain
// go test runs the seeds below and those in testdata/fuzz/FuzzSchedule;
// go test -fuzz FuzzSchedule explores.
func FuzzSchedule(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	f.Add([]byte{10, 6, 2, 11, 0, 5, 1, 0, 255, 4, 17, 99, 3, 3, 3})
	f.Add([]byte{14, 15, 6, 3, 0, 4, 12, 8, 2, 7, 200, 1, 9, 9, 9, 9, 0, 1})
	f.Add([]byte{16, 13, 4, 5, 1, 2, 8, 3, 9, 1, 1, 1, 2, 40, 40, 40, 40, 40})
	f.Add([]byte{19, 17, 7, 2, 18, 5, 1, 3, 12, 4, 1, 4, 7, 0, 6, 250, 1, 0, 0, 3})
	f.Add([]byte("exponential, capped, jittered, with a budget and some retries"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &reader{b: data}
		p := decodeProgram(r)
		t.Logf("%s, root cap %v, root stop %d, budget %v, %d attempts", p.n.desc, p.capDelay, p.stopOn, p.budget, len(p.attempts))
		checkBounds(t, p)
		checkPurity(t, p)
	})
}

// reader decodes a fuzz input; past its end it reads zeros.
type reader struct {
	b []byte
	i int
}

func (r *reader) byte() byte {
	if r.i >= len(r.b) {
		return 0
	}
	v := r.b[r.i]
	r.i++
	return v
}

func (r *reader) intn(n int) int { return int(r.byte()) % n }

// duration returns a positive duration from a few orders of magnitude.
func (r *reader) duration() time.Duration {
	units := []time.Duration{time.Nanosecond, time.Microsecond, time.Millisecond, 10 * time.Millisecond, time.Second, time.Minute, time.Hour}
	return units[r.intn(len(units))] * time.Duration(1+r.intn(16))
}

// unbounded marks a count or a delay that the composition does not bound.
const unbounded = -1

// node is a decoded schedule, with what its composition promises.
type node struct {
	s        schedule.Schedule[time.Duration]
	desc     string
	maxCount int           // the most continuing decisions, or unbounded
	maxDelay time.Duration // the longest delay, or unbounded
}

func maxOf(a, b time.Duration) time.Duration {
	if a == unbounded || b == unbounded {
		return unbounded
	}
	return max(a, b)
}

// decodeNode decodes a schedule of at most depth levels of combinators.
func decodeNode(r *reader, depth int) node {
	kind := r.intn(20)
	if depth == 0 || kind < 10 {
		return decodeLeaf(r, kind%10)
	}
	switch kind {
	case 10:
		n, c := decodeNode(r, depth-1), r.duration()
		d := c
		if n.maxDelay != unbounded {
			d = min(n.maxDelay, c)
		}
		return node{n.s.Capped(c), fmt.Sprintf("%s.Capped(%v)", n.desc, c), n.maxCount, d}
	case 11:
		n, f := decodeNode(r, depth-1), float64(r.byte())/255
		d := time.Duration(unbounded)
		if n.maxDelay != unbounded && n.maxDelay < 1<<60 {
			d = n.maxDelay + time.Duration(math.Ceil(float64(n.maxDelay)*f)) + 1
		}
		return node{n.s.Jitter(f), fmt.Sprintf("%s.Jitter(%.3f)", n.desc, f), n.maxCount, d}
	case 12:
		n := decodeNode(r, depth-1)
		return node{n.s.FullJitter(), n.desc + ".FullJitter()", n.maxCount, n.maxDelay}
	case 13:
		n := decodeNode(r, depth-1)
		return node{n.s.EqualJitter(), n.desc + ".EqualJitter()", n.maxCount, n.maxDelay}
	case 14:
		a, b := decodeNode(r, depth-1), decodeNode(r, depth-1)
		c := unbounded
		if a.maxCount != unbounded && b.maxCount != unbounded {
			c = max(a.maxCount, b.maxCount)
		}
		return node{a.s.Union(b.s), fmt.Sprintf("%s.Union(%s)", a.desc, b.desc), c, maxOf(a.maxDelay, b.maxDelay)}
	case 15:
		a, b := decodeNode(r, depth-1), decodeNode(r, depth-1)
		c := a.maxCount
		if c == unbounded || b.maxCount != unbounded && b.maxCount < c {
			c = b.maxCount
		}
		return node{a.s.Intersect(b.s), fmt.Sprintf("%s.Intersect(%s)", a.desc, b.desc), c, maxOf(a.maxDelay, b.maxDelay)}
	case 16:
		a, b := decodeNode(r, depth-1), decodeNode(r, depth-1)
		c := unbounded
		if a.maxCount != unbounded && b.maxCount != unbounded {
			c = a.maxCount + b.maxCount
		}
		return node{a.s.AndThen(b.s), fmt.Sprintf("%s.AndThen(%s)", a.desc, b.desc), c, maxOf(a.maxDelay, b.maxDelay)}
	case 17:
		n, budget := decodeNode(r, depth-1), r.duration()
		return node{n.s.UpTo(budget), fmt.Sprintf("%s.UpTo(%v)", n.desc, budget), n.maxCount, n.maxDelay}
	case 18:
		n, limit := decodeNode(r, depth-1), r.duration()
		below := func(d time.Duration) bool { return d < limit }
		return node{n.s.WhileOutput(below), fmt.Sprintf("%s.WhileOutput(< %v)", n.desc, limit), n.maxCount, n.maxDelay}
	default:
		if r.intn(2) == 0 {
			n, quiet := decodeNode(r, depth-1), r.duration()
			return node{n.s.ResetAfter(quiet), fmt.Sprintf("%s.ResetAfter(%v)", n.desc, quiet), unbounded, n.maxDelay}
		}
		n, k := decodeNode(r, depth-1), 2+r.intn(5)
		keep := func(in int) bool { return in%k != 0 }
		return node{schedule.WhileInput(n.s, keep), fmt.Sprintf("WhileInput(%s, in %% %d != 0)", n.desc, k), n.maxCount, n.maxDelay}
	}
}

func decodeLeaf(r *reader, kind int) node {
	switch kind {
	case 0:
		n := r.intn(8)
		return node{schedule.Recurs(n).Delays(), fmt.Sprintf("Recurs(%d)", n), n, 0}
	case 1:
		return node{schedule.Once().Delays(), "Once()", 1, 0}
	case 2:
		return node{schedule.Forever().Delays(), "Forever()", unbounded, 0}
	case 3:
		d := r.duration()
		return node{schedule.Spaced(d).Delays(), fmt.Sprintf("Spaced(%v)", d), unbounded, d}
	case 4:
		// Fixed waits at most d only if the caller waits each delay it gave:
		// under a jitter or a Union, which shorten delays, it keeps to its
		// grid and waits the longer (decision k at time ~0 waits ~k·d).
		d := r.duration()
		return node{schedule.Fixed(d).Delays(), fmt.Sprintf("Fixed(%v)", d), unbounded, unbounded}
	case 5:
		d := r.duration()
		return node{schedule.Linear(d), fmt.Sprintf("Linear(%v)", d), unbounded, unbounded}
	case 6:
		d := r.duration()
		return node{schedule.Exponential(d), fmt.Sprintf("Exponential(%v)", d), unbounded, unbounded}
	case 7:
		d := r.duration()
		return node{schedule.Fibonacci(d), fmt.Sprintf("Fibonacci(%v)", d), unbounded, unbounded}
	case 8:
		base := r.duration()
		maxDelay := base * time.Duration(1+r.intn(50))
		return node{schedule.DecorrelatedJitter(base, maxDelay), fmt.Sprintf("DecorrelatedJitter(%v, %v)", base, maxDelay), unbounded, maxDelay}
	default:
		return node{schedule.Elapsed(), "Elapsed()", unbounded, 0}
	}
}

// attempt is one simulated attempt: how long it ran, what it ended with.
type attempt struct {
	took time.Duration
	in   int
}

// program is a decoded fuzz input: a composition, optional exact bounds at
// its root, a seed for its jitters, and the attempts of a run.
type program struct {
	n        node
	s        schedule.Schedule[time.Duration] // n.s with the root bounds, seeded
	budget   time.Duration                    // UpTo at the root, or 0
	capDelay time.Duration                    // Capped at the root, or 0
	stopOn   int                              // WhileInput(in % stopOn != 0) at the root, or 0
	attempts []attempt
	tapped   *int // how many decisions the root Tap saw
}

func decodeProgram(r *reader) program {
	p := program{n: decodeNode(r, 4), tapped: new(int)}
	s := p.n.s
	roots := r.byte()
	if roots&1 != 0 {
		p.capDelay = r.duration()
		s = s.Capped(p.capDelay)
	}
	if roots&2 != 0 {
		p.stopOn = 2 + r.intn(7)
		k := p.stopOn
		s = schedule.WhileInput(s, func(in int) bool { return in%k != 0 })
	}
	if roots&4 != 0 {
		p.budget = r.duration() * time.Duration(1+r.intn(100))
		s = s.UpTo(p.budget)
	}
	tapped := p.tapped
	p.s = s.Tap(func(schedule.Decision[time.Duration]) { *tapped++ }).Seed(uint64(r.byte()) | uint64(r.byte())<<8)
	n := 1 + r.intn(64)
	for range n {
		took := time.Duration(0)
		if r.intn(2) == 1 {
			took = r.duration()
		}
		p.attempts = append(p.attempts, attempt{took, int(r.byte())})
	}
	return p
}

// step is one recorded decision and the time it was made, since the start.
type step struct {
	delay time.Duration
	out   time.Duration
	ok    bool
	at    time.Duration
}

// run drives d through the attempts from start, stopping after the first
// decision that stops, and returns the decisions.
func (p program) run(d *schedule.Driver[time.Duration], start time.Time) []step {
	now := start
	var got []step
	for _, a := range p.attempts {
		now = now.Add(a.took)
		delay, out, ok := d.Next(now, a.in)
		got = append(got, step{delay, out, ok, now.Sub(start)})
		if !ok {
			break
		}
		now = now.Add(delay)
	}
	return got
}

func checkBounds(t *testing.T, p program) {
	d := p.s.Start(t0)
	got := p.run(d, t0)
	if d.Attempt() != len(got) {
		t.Fatalf("%s: Attempt() = %d after %d decisions", p.n.desc, d.Attempt(), len(got))
	}
	if *p.tapped != len(got) {
		t.Fatalf("%s: Tap saw %d decisions, want %d", p.n.desc, *p.tapped, len(got))
	}
	continued := 0
	for i, s := range got {
		if s.delay < 0 {
			t.Fatalf("%s: decision %d: negative delay %v", p.n.desc, i+1, s.delay)
		}
		if !s.ok {
			break
		}
		continued++
		if p.n.maxDelay != unbounded && s.delay > p.n.maxDelay {
			t.Fatalf("%s: decision %d: delay %v above the bound %v of the composition", p.n.desc, i+1, s.delay, p.n.maxDelay)
		}
		if p.capDelay > 0 && s.delay > p.capDelay {
			t.Fatalf("%s: decision %d: delay %v above the root cap %v", p.n.desc, i+1, s.delay, p.capDelay)
		}
		if p.budget > 0 && s.at+s.delay > p.budget {
			t.Fatalf("%s: decision %d at %v continues with %v, past the budget %v", p.n.desc, i+1, s.at, s.delay, p.budget)
		}
		if p.stopOn > 0 && p.attempts[i].in%p.stopOn == 0 {
			t.Fatalf("%s: decision %d continues on input %d, which the root predicate rejects", p.n.desc, i+1, p.attempts[i].in)
		}
	}
	if p.n.maxCount != unbounded && continued > p.n.maxCount {
		t.Fatalf("%s: continued %d times, the composition allows %d", p.n.desc, continued, p.n.maxCount)
	}
	if last := got[len(got)-1]; !last.ok {
		for range 2 {
			delay, out, ok := d.Next(t0.Add(time.Hour), 0)
			if ok || delay != 0 || out != last.out {
				t.Fatalf("%s: after stopping with output %v, Next gave (%v, %v, %v)", p.n.desc, last.out, delay, out, ok)
			}
		}
	}
}

func checkPurity(t *testing.T, p program) {
	a, b := p.s.Start(t0), p.s.Start(t0)
	// Lockstep: a then b for each attempt, the same inputs at the same times.
	var ga, gb []step
	now := t0
	for _, at := range p.attempts {
		now = now.Add(at.took)
		da, oa, oka := a.Next(now, at.in)
		db, ob, okb := b.Next(now, at.in)
		ga = append(ga, step{da, oa, oka, now.Sub(t0)})
		gb = append(gb, step{db, ob, okb, now.Sub(t0)})
		if !oka || !okb {
			break
		}
		now = now.Add(max(da, db))
	}
	if !slices.Equal(ga, gb) {
		t.Fatalf("%s: two drivers in lockstep decided\n%v\n%v", p.n.desc, ga, gb)
	}
	first := p.run(p.s.Start(t0), t0)
	a.Reset(t0)
	if again := p.run(a, t0); !slices.Equal(first, again) {
		t.Fatalf("%s: after Reset the driver decided\n%v\nnot as a new one\n%v", p.n.desc, again, first)
	}
	if again := p.run(p.s.Start(t0), t0); !slices.Equal(first, again) {
		t.Fatalf("%s: a new driver decided\n%v\nthen\n%v", p.n.desc, first, again)
	}
	if !p.s.UsesClock() {
		var zero time.Time
		d := p.s.Start(zero)
		var clockless []step
		for i, at := range p.attempts {
			delay, out, ok := d.Next(zero, at.in)
			clockless = append(clockless, step{delay, out, ok, first[min(i, len(first)-1)].at})
			if !ok {
				break
			}
		}
		if !slices.Equal(first, clockless) {
			t.Fatalf("%s: UsesClock is false, but with zero times it decided\n%v\nnot\n%v", p.n.desc, clockless, first)
		}
	}
}
