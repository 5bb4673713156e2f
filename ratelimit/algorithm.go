package ratelimit

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// Algorithm is how a [Limiter] decides whether a request may go now:
// [TokenBucket], [GCRA], [FixedWindow] or [SlidingWindow]. The set is
// closed; each is a plain struct of parameters, checked when [New] makes the
// limiter.
type Algorithm interface {
	policy(where string) policy
}

// policy is the state of one algorithm. Times are nanoseconds since the
// limiter was made, from the monotonic clock. Calls hold the limiter's lock.
type policy interface {
	// delay returns how long from now until cost can be admitted (0: now),
	// if nothing else is admitted meanwhile. cost is within capacity.
	delay(now, cost int64) int64
	// take admits cost at now; delay(now, cost) was 0.
	take(now, cost int64)
	// available returns how much cost could be admitted at now.
	available(now int64) int64
	// capacity returns the most that one request may cost.
	capacity() int64
}

// TokenBucket admits requests from a bucket of Burst tokens that refills
// continuously at Rate tokens per Per: a request of cost n takes n tokens,
// and waits until there are n. An idle limiter lets a burst of Burst through
// at once, and the long-run rate is Rate per Per. Over any interval of length
// d it admits at most Burst + Rate·d/Per. This is Effect's "token-bucket"
// and golang.org/x/time/rate's algorithm; the arithmetic is exact (integers,
// no floating point), so the bound holds to the nanosecond.
//
// Rate and Per must be > 0; Burst, the most one request may cost, defaults
// to Rate when zero. The bucket starts full.
type TokenBucket struct {
	Rate  int64
	Per   time.Duration
	Burst int64
}

// GCRA is the generic cell rate algorithm: the token bucket's law kept as
// one timestamp, the theoretical arrival time of the next request, which
// each admission pushes forward by cost × Per/Rate. It admits exactly what
// a [TokenBucket] of the same parameters admits when Per is a multiple of
// Rate nanoseconds; otherwise the emission interval Per/Rate is rounded up
// to the nanosecond, so it never admits more. Choose it where its state must
// be small or shared (one number per key, as Redis-based limiters keep it),
// and for its direct "retry after" arithmetic.
//
// Rate and Per must be > 0; Burst, the most one request may cost and the
// size of a burst from idle, defaults to Rate when zero.
type GCRA struct {
	Rate  int64
	Per   time.Duration
	Burst int64
}

// FixedWindow admits at most Limit of cost in each window of length Window;
// the count starts at zero when a window begins. Windows are aligned on the
// moment the limiter was made. It is the cheapest, and the coarsest: up to
// 2×Limit can pass around a window boundary, within less than one window.
// This is Effect's "fixed-window" algorithm.
//
// Limit and Window must be > 0. Limit is the most one request may cost.
type FixedWindow struct {
	Limit  int64
	Window time.Duration
}

// SlidingWindow admits at most Limit of cost in any interval of length
// Window, wherever it starts: a sliding log of the admissions of the last
// Window. A request that must wait waits until enough of the oldest
// admissions have left the window. Admissions closer together than
// Window/1024 share one record, stamped with the later time, so the log
// holds at most about 1024 records whatever the Limit; sharing can only make
// an admission count a little longer (at most Window/1024), never shorter,
// so the limit always holds, and admissions spaced wider than that are
// counted exactly.
//
// Limit and Window must be > 0. Limit is the most one request may cost.
type SlidingWindow struct {
	Limit  int64
	Window time.Duration
}

func positive(where, what string, v int64) {
	if v <= 0 {
		panic(fmt.Sprintf("%s: %s must be > 0, got %d", where, what, v))
	}
}

func burstOf(where string, rate, burst int64) int64 {
	if burst < 0 {
		panic(fmt.Sprintf("%s: Burst must be >= 0, got %d", where, burst))
	}
	if burst == 0 {
		return rate
	}
	return burst
}

// ceilDiv returns ⌈a/b⌉ for a >= 0, b > 0, without overflow.
func ceilDiv(a, b int64) int64 {
	if a == 0 {
		return 0
	}
	return (a-1)/b + 1
}

// addSat returns a+b for b >= 0, saturated at the largest int64: a window
// or a period of centuries ends "never", not in the past.
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// mulFits reports whether a×b (both > 0) fits in an int64 with room for
// sums of a few such values.
func mulFits(a, b int64) bool {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	return hi == 0 && lo <= math.MaxInt64/4
}

func (a TokenBucket) policy(where string) policy {
	where += " (TokenBucket)"
	positive(where, "Rate", a.Rate)
	positive(where, "Per", int64(a.Per))
	burst := burstOf(where, a.Rate, a.Burst)
	// One token is unit units; the bucket gains perNs units a nanosecond.
	g := gcd(a.Rate, int64(a.Per))
	perNs, unit := a.Rate/g, int64(a.Per)/g
	if !mulFits(burst, unit) {
		panic(fmt.Sprintf("%s: Burst × Per/Rate is too large to count exactly (Burst %d, Rate %d per %v)", where, burst, a.Rate, a.Per))
	}
	return &bucket{perNs: perNs, unit: unit, burst: burst, level: burst * unit}
}

type bucket struct {
	perNs, unit, burst int64
	level, last        int64
}

func (b *bucket) refill(now int64) {
	if now <= b.last {
		return
	}
	room := b.burst*b.unit - b.level
	if el := now - b.last; el >= ceilDiv(room, b.perNs) {
		b.level += room
	} else {
		b.level += el * b.perNs
	}
	b.last = now
}

func (b *bucket) delay(now, cost int64) int64 {
	b.refill(now)
	need := cost*b.unit - b.level
	if need <= 0 {
		return 0
	}
	return ceilDiv(need, b.perNs)
}

func (b *bucket) take(now, cost int64) { b.level -= cost * b.unit }

func (b *bucket) available(now int64) int64 {
	b.refill(now)
	return b.level / b.unit
}

func (b *bucket) capacity() int64 { return b.burst }

func (a GCRA) policy(where string) policy {
	where += " (GCRA)"
	positive(where, "Rate", a.Rate)
	positive(where, "Per", int64(a.Per))
	burst := burstOf(where, a.Rate, a.Burst)
	t := ceilDiv(int64(a.Per), a.Rate)
	if !mulFits(burst, t) {
		panic(fmt.Sprintf("%s: Burst × Per/Rate is too large (Burst %d, Rate %d per %v)", where, burst, a.Rate, a.Per))
	}
	return &gcra{t: t, burst: burst}
}

type gcra struct {
	t, burst int64 // the emission interval; the burst
	tat      int64 // the theoretical arrival time
}

func (g *gcra) delay(now, cost int64) int64 {
	return max(max(g.tat, now)+cost*g.t-g.burst*g.t-now, 0)
}

func (g *gcra) take(now, cost int64) { g.tat = max(g.tat, now) + cost*g.t }

func (g *gcra) available(now int64) int64 { return (g.burst*g.t - (max(g.tat, now) - now)) / g.t }

func (g *gcra) capacity() int64 { return g.burst }

func (a FixedWindow) policy(where string) policy {
	where += " (FixedWindow)"
	positive(where, "Limit", a.Limit)
	positive(where, "Window", int64(a.Window))
	return &fixed{limit: a.Limit, w: int64(a.Window)}
}

type fixed struct {
	limit, w  int64
	cur, used int64 // the current window's index and what it admitted
}

func (f *fixed) roll(now int64) {
	if k := now / f.w; k != f.cur {
		f.cur, f.used = k, 0
	}
}

func (f *fixed) delay(now, cost int64) int64 {
	f.roll(now)
	if f.used+cost <= f.limit {
		return 0
	}
	return addSat(f.cur*f.w, f.w) - now
}

func (f *fixed) take(now, cost int64) { f.used += cost }

func (f *fixed) available(now int64) int64 {
	f.roll(now)
	return f.limit - f.used
}

func (f *fixed) capacity() int64 { return f.limit }

func (a SlidingWindow) policy(where string) policy {
	where += " (SlidingWindow)"
	positive(where, "Limit", a.Limit)
	positive(where, "Window", int64(a.Window))
	return &sliding{limit: a.Limit, w: int64(a.Window), merge: int64(a.Window) / slidingRecords}
}

// slidingRecords is about how many records a sliding window keeps at most.
const slidingRecords = 1024

// sliding is the sliding log: the admissions of the last window, oldest
// first, in log[head:]; admissions less than merge apart share a record.
type sliding struct {
	limit, w int64
	merge    int64
	log      []admission
	head     int
	sum      int64
}

type admission struct{ at, cost int64 }

func (s *sliding) expire(now int64) {
	for s.head < len(s.log) && addSat(s.log[s.head].at, s.w) <= now {
		s.sum -= s.log[s.head].cost
		s.log[s.head] = admission{}
		s.head++
	}
	if s.head == len(s.log) {
		s.log, s.head = s.log[:0], 0
	} else if s.head > 64 && s.head > len(s.log)/2 {
		n := copy(s.log, s.log[s.head:])
		s.log, s.head = s.log[:n], 0
	}
}

func (s *sliding) delay(now, cost int64) int64 {
	s.expire(now)
	over := s.sum + cost - s.limit
	if over <= 0 {
		return 0
	}
	for _, a := range s.log[s.head:] {
		if over -= a.cost; over <= 0 {
			return addSat(a.at, s.w) - now
		}
	}
	panic("ratelimit: sliding window: cost above the limit") // cost ≤ limit is checked before
}

func (s *sliding) take(now, cost int64) {
	if cost == 0 {
		return
	}
	s.sum += cost
	if n := len(s.log); n > s.head && now-s.log[n-1].at <= s.merge {
		// The record moves forward to now: its cost leaves the window
		// later, never earlier, than each admission's would.
		s.log[n-1].at = now
		s.log[n-1].cost += cost
		return
	}
	s.log = append(s.log, admission{at: now, cost: cost})
}

func (s *sliding) available(now int64) int64 {
	s.expire(now)
	return s.limit - s.sum
}

func (s *sliding) capacity() int64 { return s.limit }
