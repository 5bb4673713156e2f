package metrics

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

// OtherName is the value that replaces a name (of a fiber, a Named effect,
// a waited-on primitive or a breaker) once [Options.MaxNames] distinct
// names have been seen: the metrics of the names beyond the cap add up
// under it.
const OtherName = "(other)"

// defaultMaxNames is the cap on distinct names when Options.MaxNames is 0.
const defaultMaxNames = 1000

// sink is where the recorder puts what the hooks see: the Prometheus
// collector and the OpenTelemetry instruments are the two sinks of one
// recorder, so that both count the same events the same way. Names passed
// to a sink have gone through the cap already.
type sink interface {
	fiberStarted()
	fiberEnded(ctx context.Context, name, outcome string, seconds float64, timed bool)
	scopeDelta(d int64)
	finalizerEnded(ctx context.Context, outcome string, seconds float64)
	interruptRequested(reason string)
	retryDecided(ctx context.Context, name, kind, decision string)
	waitEnded(ctx context.Context, kind, resource string, seconds float64)
	namedEnded(ctx context.Context, name, outcome string, seconds float64)
	breakerChanged(name, from, to string)
}

// core is what the Prometheus [Collector] and the OpenTelemetry [OTel]
// share: the recorder that turns runtime events into a sink's
// measurements, the cap on names, and the registry of primitives read at
// collection time. Its exported methods are promoted to both.
type core struct {
	who   string // the type, for panics: "metrics.Collector"
	sink  sink
	names *nameCap

	mu    sync.Mutex
	items map[[2]string]*observedItem
	order []*observedItem // registration order, for stable output
}

func newCore(who string, s sink, maxNames int) *core {
	return &core{who: who, sink: s, names: newNameCap(maxNames), items: map[[2]string]*observedItem{}}
}

// Watch makes the metrics count the events of rt from now on and returns
// a function that stops it. Fibers already running when Watch is called
// are counted when they end but were not counted at their start, so the
// live fibers may go below zero for a runtime watched late: watch a
// runtime before it runs anything. Any number of runtimes may be watched;
// their metrics add up.
func (c *core) Watch(rt *effect.Runtime) (stop func()) {
	if rt == nil {
		panic(c.who + ".Watch: rt must not be nil")
	}
	return rt.AddHooks(c.hooks())
}

// Hooks returns the hooks that feed the metrics, for a runtime's AddHooks
// (Watch does that).
func (c *core) Hooks() effect.Hooks { return c.hooks() }

// BreakerStateChanged returns a function to set as a breaker's
// [resource.BreakerOptions.OnStateChange] (or to call from one of your
// own): it counts each change of state by breaker name, from and to.
func (c *core) BreakerStateChanged() func(name string, from, to resource.BreakerState) {
	return func(name string, from, to resource.BreakerState) {
		c.sink.breakerChanged(c.names.admit(name), from.String(), to.String())
	}
}

// hooks returns the hooks that feed c's sink.
func (c *core) hooks() effect.Hooks {
	s, names := c.sink, c.names
	return effect.Hooks{
		FiberStart: func(effect.FiberInfo) { s.fiberStarted() },
		FiberEnd: func(in effect.FiberInfo, err error) {
			var secs float64
			timed := !in.Started.IsZero()
			if timed {
				secs = time.Since(in.Started).Seconds()
			}
			s.fiberEnded(context.Background(), names.admit(in.Name), Outcome(err), secs, timed)
		},
		ScopeOpen:  func(effect.ScopeInfo) { s.scopeDelta(1) },
		ScopeClose: func(effect.ScopeInfo) { s.scopeDelta(-1) },
		FinalizerEnd: func(ctx context.Context, ev effect.FinalizerEvent) {
			s.finalizerEnded(ctx, Outcome(ev.Err), ev.Duration.Seconds())
		},
		Interrupt: func(ev effect.InterruptEvent) { s.interruptRequested(Reason(ev.Reason)) },
		Retry: func(ctx context.Context, ev effect.RetryEvent) {
			kind, decision := "retry", "again"
			if ev.Repeat {
				kind = "repeat"
			}
			if ev.Stop {
				decision = "stop"
			}
			s.retryDecided(ctx, names.admit(ev.FiberName), kind, decision)
		},
		WaitEnd: func(ctx context.Context, ev effect.WaitEvent) {
			res := ev.Resource
			if strings.HasPrefix(res, "#") {
				res = "" // a fiber's ID: not a label
			}
			s.waitEnded(ctx, ev.Kind, names.admit(res), ev.Duration.Seconds())
		},
		NamedEnd: func(ctx context.Context, ev effect.NamedEvent) {
			s.namedEnded(ctx, names.admit(ev.Name), Outcome(ev.Err), ev.Duration.Seconds())
		},
	}
}

// nameCap bounds the distinct names that become label values: the first
// max names seen pass, later ones become OtherName. A negative max passes
// every name.
type nameCap struct {
	max  int
	seen sync.Map // string → struct{}
	mu   sync.Mutex
	n    int
}

func newNameCap(limit int) *nameCap {
	if limit == 0 {
		limit = defaultMaxNames
	}
	return &nameCap{max: limit}
}

// admit returns name if it is within the cap, else OtherName. A name
// that is not valid UTF-8 (which Prometheus refuses as a label value) has
// its invalid bytes replaced by U+FFFD first.
func (c *nameCap) admit(name string) string {
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "\uFFFD")
	}
	if name == "" || c.max < 0 {
		return name
	}
	if _, ok := c.seen.Load(name); ok {
		return name
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.seen.Load(name); ok {
		return name
	}
	if c.n >= c.max {
		return OtherName
	}
	c.seen.Store(name, struct{}{})
	c.n++
	return name
}

// defaultBuckets are the histograms' bounds, in seconds, when
// Options.Buckets is nil: 1 ms × 4ⁿ, n = 0..8.
func defaultBuckets() []float64 {
	b := make([]float64, 9)
	v := 0.001
	for i := range b {
		b[i] = v
		v *= 4
	}
	return b
}

// checkOptions validates opts for the constructor who and returns the
// namespace and the buckets to use.
func checkOptions(who string, opts Options) (ns string, buckets []float64) {
	ns = opts.Namespace
	if ns == "" {
		ns = "gogoscope"
	}
	buckets = opts.Buckets
	if buckets == nil {
		buckets = defaultBuckets()
	}
	for i := 1; i < len(buckets); i++ {
		if buckets[i] <= buckets[i-1] {
			panic(who + ": Buckets must be strictly increasing")
		}
	}
	return ns, buckets
}
