package schedule_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

// The benchmarks of Driver.Next run beside a raw-Go baseline: a hand-written exponential backoff,
// the loop a programmer would write without a schedule. Each schedule benchmark reports x-raw, its
// time per decision over that of its baseline in the same run:
//
//	go test -run '^$' -bench Next ./schedule/

var (
	sinkDelay time.Duration
	sinkOK    bool
	// rawNs holds the ns/op of the latest raw baselines, keyed by name.
	rawNs = map[string]float64{}
)

const (
	benchBase = 100 * time.Millisecond
	benchCap  = 10 * time.Second
)

// rawBackoff is the hand-written baseline: base·2^attempt capped, with optional full jitter.
type rawBackoff struct {
	base, cap time.Duration
	attempt   int
	jitter    bool
	rng       *rand.Rand
}

func (r *rawBackoff) next() (time.Duration, bool) {
	d := r.cap
	if r.attempt < 62 {
		if x := r.base << r.attempt; x > 0 && x < r.cap {
			d = x
		}
	}
	r.attempt++
	if r.jitter {
		d = time.Duration(r.rng.Int64N(int64(d) + 1))
	}
	return d, true
}

func nsPerOp(b *testing.B) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
}

func benchRaw(b *testing.B, name string, jitter bool) {
	r := &rawBackoff{base: benchBase, cap: benchCap, jitter: jitter, rng: rand.New(rand.NewPCG(1, 2))}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i&63 == 0 {
			r.attempt = 0
		}
		sinkDelay, sinkOK = r.next()
	}
	rawNs[name] = nsPerOp(b)
}

func benchSchedule[Out any](b *testing.B, s schedule.Schedule[Out], raw string) {
	d := s.Start(t0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i&63 == 0 {
			d.Reset(t0)
		}
		sinkDelay, _, sinkOK = d.Next(t0, errBoom)
	}
	if base := rawNs[raw]; base > 0 {
		b.ReportMetric(nsPerOp(b)/base, "x-raw")
	}
}

func BenchmarkNext(b *testing.B) {
	plain := schedule.Exponential(benchBase).Capped(benchCap)
	composed := schedule.WhileInput(
		schedule.Exponential(benchBase).Capped(benchCap).FullJitter().
			Union(schedule.Spaced(time.Minute)).
			Intersect(schedule.Recurs(1<<40)).
			UpTo(24*time.Hour).
			Tap(func(schedule.Decision[time.Duration]) {}),
		func(err error) bool { return err != nil }).Seed(1)

	b.Run("raw", func(b *testing.B) { benchRaw(b, "raw", false) })
	b.Run("plain", func(b *testing.B) { benchSchedule(b, plain, "raw") })
	b.Run("raw-jittered", func(b *testing.B) { benchRaw(b, "raw-jittered", true) })
	b.Run("composed-jittered", func(b *testing.B) { benchSchedule(b, composed, "raw-jittered") })
}

// BenchmarkStart measures building a driver, which allocates its state once per run.
func BenchmarkStart(b *testing.B) {
	s := schedule.Exponential(benchBase).Capped(benchCap).FullJitter().Intersect(schedule.Recurs(5)).Seed(1)
	b.ReportAllocs()
	for range b.N {
		sinkOK = s.Start(t0) != nil
	}
}
