package effect

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Deadlock detection over the library's own primitives.
//
// The wait-for graph has the live fibers as nodes and an edge from a
// suspended fiber to each fiber that can free it: the holders of the
// semaphore or pool it waits on, the fiber it joins, the children of the
// race it awaits. A wait is an OR-wait: one waker that makes progress is
// enough. So the detector first finds every fiber that can make progress —
// running, sleeping, in a timed wait, waiting on something anyone may
// complete (a deferred, an anonymous Async, a primitive held by plain Go),
// or waiting on a fiber that can make progress — and what is left is stuck
// for good, unless plain Go outside the runtime steps in. Among the stuck
// fibers, each strongly connected component with a cycle is a deadlock.
// The snapshot is taken twice, and a cycle is reported only if both show
// the same waits, so a wait that ends between two reads is not mistaken
// for one.

// Deadlock is a cycle of fibers, each waiting for something that only the
// next ones can free: what [Runtime.Deadlocks] reports.
type Deadlock struct {
	// Waits are the waits of the cycle, in cycle order as far as it is a
	// simple cycle: each fiber waits for a resource held by the next.
	Waits []DeadlockWait `json:"waits"`
	// Blocked are the fibers outside the cycle stuck behind it: waiting,
	// directly or not, on a fiber of the cycle.
	Blocked []FiberID `json:"blocked,omitempty"`
}

// DeadlockWait is one wait of a [Deadlock].
type DeadlockWait struct {
	Fiber     FiberID `json:"fiber"`
	FiberName string  `json:"fiberName,omitempty"`
	// Kind and Resource say what the fiber waits on ("semaphore", "b"),
	// and Detail its state ("1/1 permits").
	Kind     string `json:"kind"`
	Resource string `json:"resource,omitempty"`
	Detail   string `json:"detail,omitempty"`
	// HeldBy are the fibers of the cycle that hold it.
	HeldBy []FiberID `json:"heldBy"`
	// For is how long the fiber has waited, when wait times are recorded.
	For time.Duration `json:"for,omitempty"`
}

// Fibers returns the IDs of the fibers of the cycle, in cycle order.
func (d Deadlock) Fibers() []FiberID {
	out := make([]FiberID, len(d.Waits))
	for i, w := range d.Waits {
		out[i] = w.Fiber
	}
	return out
}

// String describes the cycle in one line: `deadlock: fiber #3 "a" waits
// for semaphore b held by #4; fiber #4 "b" waits for semaphore a held by
// #3`.
func (d Deadlock) String() string {
	var b strings.Builder
	b.WriteString("deadlock: ")
	for i, w := range d.Waits {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString("fiber #")
		b.WriteString(w.Fiber.String())
		if w.FiberName != "" {
			b.WriteByte(' ')
			b.WriteString(strconv.Quote(w.FiberName))
		}
		b.WriteString(" waits for ")
		b.WriteString(w.Kind)
		if w.Resource != "" {
			b.WriteByte(' ')
			b.WriteString(w.Resource)
		}
		b.WriteString(" held by ")
		writeFibers(&b, w.HeldBy)
	}
	if len(d.Blocked) > 0 {
		b.WriteString("; blocked behind it: ")
		writeFibers(&b, d.Blocked)
	}
	return b.String()
}

// Deadlocks returns the cycles of fibers of the runtime that wait on each
// other through the library's primitives (semaphores, pools, joins,
// races, and the queues and channels whose only counterparts are in the
// cycle), each named by its fibers and resources; nil when there is none.
// A long wait on a fiber that makes progress (a holder that sleeps, runs,
// or waits on a timer) is not a deadlock. It looks on demand, twice, and
// starts nothing; fork a [Watchdog] to look periodically.
func (rt *Runtime) Deadlocks() []Deadlock {
	first := rt.waitGraph()
	found := first.cycles()
	if len(found) == 0 {
		return nil
	}
	second := rt.waitGraph()
	var out []Deadlock
	for _, c := range found {
		if second.confirms(first, c) {
			out = append(out, first.report(c))
		}
	}
	return out
}

// waitNode is a fiber of the wait-for graph.
type waitNode struct {
	fn       fiberNode
	wakers   []FiberID // who can free it; nil: anyone or time
	holders  []FiberID // as the primitive reported them
	detail   string
	progress bool
}

type waitGraph struct {
	taken time.Time
	nodes map[FiberID]*waitNode
	ids   []FiberID // sorted
}

func (rt *Runtime) waitGraph() *waitGraph {
	g := &waitGraph{taken: time.Now(), nodes: map[FiberID]*waitNode{}}
	rt.root.snapshot().eachFiber(func(fn fiberNode) {
		g.nodes[fn.info.ID] = &waitNode{fn: fn}
		g.ids = append(g.ids, fn.info.ID)
	})
	slices.Sort(g.ids)
	children := map[FiberID][]FiberID{}
	for _, id := range g.ids {
		if p := g.nodes[id].fn.info.Parent; p != 0 {
			children[p] = append(children[p], id)
		}
	}
	for _, id := range g.ids {
		n := g.nodes[id]
		w := n.fn.wait
		switch on := w.on.(type) {
		case nil:
			switch w.what {
			case "race", "parallel":
				n.wakers = children[id]
			case "never":
				n.wakers = []FiberID{} // waits for nothing: never progresses
			}
		case fiberBlocker:
			n.wakers = []FiberID{on.f.id}
		case fiberRef:
			n.wakers = []FiberID{FiberID(on)}
		default:
			n.holders, n.detail = on.BlockerHolders()
			if len(n.holders) > 0 && !slices.Contains(n.holders, 0) {
				n.wakers = n.holders
			}
		}
		// Running fibers, timed waits and waits anyone may end progress.
		n.progress = n.wakers == nil
	}
	// Progress spreads backwards along the edges until nothing changes.
	for changed := true; changed; {
		changed = false
		for _, id := range g.ids {
			n := g.nodes[id]
			if n.progress {
				continue
			}
			for _, wk := range n.wakers {
				if m := g.nodes[wk]; m != nil && m.progress {
					n.progress, changed = true, true
					break
				}
			}
		}
	}
	return g
}

// cycles returns the strongly connected components of the stuck fibers
// that hold a cycle, each sorted, in order of their smallest fiber.
func (g *waitGraph) cycles() [][]FiberID {
	index := map[FiberID]int{}
	low := map[FiberID]int{}
	onStack := map[FiberID]bool{}
	var stack []FiberID
	var out [][]FiberID
	next := 0
	var strong func(v FiberID)
	strong = func(v FiberID) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range g.stuckEdges(v) {
			if _, seen := index[w]; !seen {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []FiberID
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		if len(comp) > 1 || slices.Contains(g.stuckEdges(v), v) {
			slices.Sort(comp)
			out = append(out, comp)
		}
	}
	for _, id := range g.ids {
		if _, seen := index[id]; !seen && !g.nodes[id].progress {
			strong(id)
		}
	}
	slices.SortFunc(out, func(a, b []FiberID) int { return cmp.Compare(a[0], b[0]) })
	return out
}

// stuckEdges returns the wakers of v that are live and stuck.
func (g *waitGraph) stuckEdges(v FiberID) []FiberID {
	var out []FiberID
	for _, w := range g.nodes[v].wakers {
		if m := g.nodes[w]; m != nil && !m.progress && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// confirms reports whether g, a later snapshot, shows every fiber of the
// cycle c of first stuck in the very same wait.
func (g *waitGraph) confirms(first *waitGraph, c []FiberID) bool {
	for _, id := range c {
		a, b := first.nodes[id], g.nodes[id]
		if b == nil || b.progress || !sameWait(a.fn.wait, b.fn.wait) ||
			!a.fn.info.WaitingSince.Equal(b.fn.info.WaitingSince) {
			return false
		}
	}
	return true
}

// report describes the cycle c, in cycle order from its smallest fiber.
func (g *waitGraph) report(c []FiberID) Deadlock {
	in := map[FiberID]bool{}
	for _, id := range c {
		in[id] = true
	}
	var order []FiberID
	seen := map[FiberID]bool{}
	for v := c[0]; v != 0 && !seen[v]; {
		seen[v] = true
		order = append(order, v)
		var next FiberID
		for _, w := range g.stuckEdges(v) {
			if in[w] && !seen[w] && (next == 0 || w < next) {
				next = w
			}
		}
		v = next
	}
	for _, id := range c {
		if !seen[id] {
			order = append(order, id)
		}
	}
	var d Deadlock
	for _, id := range order {
		n := g.nodes[id]
		kind, name := n.fn.wait.kind()
		w := DeadlockWait{Fiber: id, FiberName: n.fn.info.Name, Kind: kind, Resource: name, Detail: n.detail}
		for _, h := range g.stuckEdges(id) {
			if in[h] {
				w.HeldBy = append(w.HeldBy, h)
			}
		}
		if s := n.fn.info.WaitingSince; !s.IsZero() {
			w.For = g.taken.Sub(s)
		}
		d.Waits = append(d.Waits, w)
	}
	// The fibers stuck behind the cycle: those that reach it.
	reaches := map[FiberID]bool{}
	for _, id := range c {
		reaches[id] = true
	}
	for changed := true; changed; {
		changed = false
		for _, id := range g.ids {
			if reaches[id] || g.nodes[id].progress {
				continue
			}
			for _, w := range g.stuckEdges(id) {
				if reaches[w] {
					reaches[id], changed = true, true
					d.Blocked = append(d.Blocked, id)
					break
				}
			}
		}
	}
	slices.Sort(d.Blocked)
	return d
}

// StuckFiber is a fiber that has waited longer than a threshold: what
// [Runtime.Stuck] reports.
type StuckFiber struct {
	Fiber FiberID  `json:"fiber"`
	Name  string   `json:"name,omitempty"`
	Wait  WaitNode `json:"wait"`
}

// String describes the wait: `fiber #3 "fetch" waits for semaphore db (3/3
// permits, held by #4) for 2.1s`.
func (s StuckFiber) String() string {
	fn := FiberNode{ID: s.Fiber, Name: s.Name, Status: FiberSuspended, Wait: &s.Wait}
	return strings.Replace(fn.line(), " suspended: ", " waits for ", 1)
}

// Stuck returns the fibers that have been waiting for longer than d, on
// anything (a deadlock, a lost wake-up, a slow service, a forgotten
// Never), longest first: go-go-scope's "stuck longer than T" report. It
// needs wait times, which are recorded while hooks, a tracer or a
// [Watchdog] are installed, or after [Runtime.TrackWaits]; waits that
// began before are not seen.
func (rt *Runtime) Stuck(d time.Duration) []StuckFiber {
	var out []StuckFiber
	t := rt.Tree()
	t.Walk(func(fn *FiberNode) {
		if w := fn.Wait; w != nil && !w.Since.IsZero() && w.For >= d {
			out = append(out, StuckFiber{Fiber: fn.ID, Name: fn.Name, Wait: *w})
		}
	})
	slices.SortStableFunc(out, func(a, b StuckFiber) int {
		switch {
		case a.Wait.For > b.Wait.For:
			return -1
		case a.Wait.For < b.Wait.For:
			return 1
		}
		return cmp.Compare(a.Fiber, b.Fiber)
	})
	return out
}

// WatchdogOptions configure a [Watchdog]. At least one of OnDeadlock and
// OnStuck is required.
type WatchdogOptions struct {
	// Every is how often the watchdog looks; zero means one second.
	Every time.Duration
	// OnDeadlock, if set, is called once for each deadlock found.
	OnDeadlock func(Deadlock)
	// StuckAfter is the wait beyond which a fiber is reported to OnStuck;
	// required with OnStuck.
	StuckAfter time.Duration
	// OnStuck, if set, is called once for each wait longer than
	// StuckAfter.
	OnStuck func(StuckFiber)
}

// Watchdog returns an effect that looks at the runtime every opts.Every,
// for as long as it runs (fork it: it never ends on its own), and reports
// each new deadlock ([Runtime.Deadlocks]) to OnDeadlock and each wait
// longer than StuckAfter ([Runtime.Stuck]) to OnStuck, once per wait. It
// records wait times while it runs ([Runtime.TrackWaits]). The callbacks
// run on the watchdog's fiber. It panics if both callbacks are nil, if
// OnStuck is set without a positive StuckAfter, or if a duration is
// negative.
func Watchdog[R, E any](opts WatchdogOptions) Effect[R, E, struct{}] {
	switch {
	case opts.OnDeadlock == nil && opts.OnStuck == nil:
		panic("effect.Watchdog: OnDeadlock or OnStuck must be set")
	case opts.Every < 0:
		panic(fmt.Sprintf("effect.Watchdog: Every must be >= 0, got %v", opts.Every))
	case opts.StuckAfter < 0 || (opts.OnStuck != nil && opts.StuckAfter == 0):
		panic(fmt.Sprintf("effect.Watchdog: StuckAfter must be > 0 with OnStuck, got %v", opts.StuckAfter))
	}
	every := opts.Every
	if every == 0 {
		every = time.Second
	}
	return withView(func(v view) Effect[R, E, struct{}] {
		rt, self := v.runtime(), v.id()
		stop := rt.TrackWaits()
		seen := map[string]bool{}
		look := Sync[R, E](func() struct{} {
			fresh := map[string]bool{}
			if opts.OnDeadlock != nil {
				for _, d := range rt.Deadlocks() {
					key := d.key()
					fresh[key] = true
					if !seen[key] {
						opts.OnDeadlock(d)
					}
				}
			}
			if opts.OnStuck != nil {
				for _, s := range rt.Stuck(opts.StuckAfter) {
					if s.Fiber == self {
						continue
					}
					key := "stuck " + s.Fiber.String() + " " + s.Wait.Since.String()
					fresh[key] = true
					if !seen[key] {
						opts.OnStuck(s)
					}
				}
			}
			seen = fresh
			return struct{}{}
		})
		return Ensuring(Forever(AndThen(Sleep[R, E](every), look)),
			Sync[R, E](func() struct{} { stop(); return struct{}{} }))
	})
}

// key identifies a deadlock across looks: its fibers and their waits.
func (d Deadlock) key() string {
	var b strings.Builder
	for _, w := range d.Waits {
		fmt.Fprintf(&b, "%d:%s:%s;", w.Fiber, w.Kind, w.Resource)
	}
	return b.String()
}
