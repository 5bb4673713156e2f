package stream

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

// FuzzPubSub decodes its input into a program over one PubSub: subscribers
// with filters, publishers, receivers that wait and receivers that do not,
// unsubscribes, a close, and interruptions of waiting publishers and
// receivers, in any order, with any capacity and slow-subscriber policy. It
// runs the program step by step in a synctest bubble, letting every fiber
// settle after each step, beside a model of the documented semantics: a
// BackPressure publication waits, in FIFO order, until every subscriber that
// accepts it has room, then reaches all of them at once; Dropping and
// Sliding never wait and count what a full subscriber misses; an interrupted
// publication reaches nobody, an interrupted receive takes nothing. After
// every step, what each fiber ended with, each subscriber's buffer, its
// drop count and the number of subscribers must be the model's; at the end,
// every subscriber must have received every message published while it was
// subscribed that its filter accepts, in order, exactly once, unless it is
// counted as dropped.
//
// The decoding is deterministic, and so is the run: the same input is the
// same program and the same interleaving. Plain go test runs the seeds
// below and those in testdata/fuzz/FuzzPubSub; go test -fuzz FuzzPubSub
// explores.
func FuzzPubSub(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 0, 3, 2, 1, 3, 2, 3})
	f.Add([]byte{1, 0, 0, 0, 0, 2, 1, 1, 1, 1, 4, 1, 6, 0, 3, 0, 2, 1, 3, 7, 0, 5})
	f.Add([]byte{0, 1, 0, 3, 3, 0, 8, 1, 1, 1, 1, 2, 0, 3, 1, 3, 4, 0, 1, 2, 1, 3, 6, 1, 1})
	f.Add([]byte{2, 2, 0, 1, 0, 2, 1, 1, 1, 1, 1, 1, 2, 0, 3, 2, 1, 3, 4, 1, 1, 1, 5, 1, 2, 0, 3})
	f.Add([]byte{2, 0, 3, 0, 3, 0, 3, 1, 1, 1, 9, 9, 1, 0, 7, 0, 1, 2, 1, 3, 1, 1, 3, 2, 3, 5})
	f.Add([]byte("every subscriber sees every message after it subscribed"))
	f.Fuzz(func(t *testing.T, data []byte) {
		synctest.Test(t, func(t *testing.T) { runPubSubProgram(t, data) })
	})
}

// filters are the subscribers' filters, by kind.
var filters = []func(int) bool{nil, isEven, func(v int) bool { return v%2 == 1 }, func(v int) bool { return v%3 == 0 }}

func accepts(kind, v int) bool { return filters[kind] == nil || filters[kind](v) }

// pendingFiber is a fiber of the program and the outcome the model expects
// of it: "" while the model says it waits.
type pendingFiber struct {
	name string
	poll func() (string, bool) // its outcome, if it ended
	want string
}

// psModel is the model of one PubSub.
type psModel struct {
	capacity int
	strategy Strategy
	closed   bool
	subs     []*subModel
	pubq     []*pubModel // waiting BackPressure publications, oldest first
	// log is every delivered publication with the subscribers that were
	// active then, for the final check.
	log []delivery
}

type subModel struct {
	filter  int
	active  bool
	closed  bool
	buf     []int
	recvq   []*pendingFiber // parked receivers, oldest first
	dropped int
	got     []int // received by anyone, in order
}

type pubModel struct {
	v  int
	fb *pendingFiber
}

type delivery struct {
	v      int
	active []int // indexes of the subscribers it was delivered to
}

func (m *psModel) room(v int) bool {
	for _, s := range m.subs {
		if s.active && accepts(s.filter, v) && len(s.recvq) == 0 && len(s.buf) >= m.capacity {
			return false
		}
	}
	return true
}

func (m *psModel) deliver(v int) {
	d := delivery{v: v}
	for i, s := range m.subs {
		if !s.active || !accepts(s.filter, v) {
			continue
		}
		d.active = append(d.active, i)
		switch {
		case len(s.recvq) > 0:
			s.recvq[0].want = fmt.Sprintf("Some(%d)", v)
			s.recvq = s.recvq[1:]
			s.got = append(s.got, v)
		case len(s.buf) < m.capacity:
			s.buf = append(s.buf, v)
		case m.strategy == Sliding:
			s.buf = append(s.buf[1:], v)
			s.dropped++
		default: // Dropping; BackPressure never delivers without room
			s.dropped++
		}
	}
	m.log = append(m.log, d)
}

// pump delivers waiting publications, oldest first, while there is room.
func (m *psModel) pump() {
	for len(m.pubq) > 0 && m.room(m.pubq[0].v) {
		m.deliver(m.pubq[0].v)
		m.pubq[0].fb.want = "true"
		m.pubq = m.pubq[1:]
	}
}

func (m *psModel) closeSub(s *subModel) {
	s.active, s.closed = false, true
	for _, r := range s.recvq {
		r.want = "None"
	}
	s.recvq = nil
}

// take models a receive that does not wait: the value, or ok false.
func (m *psModel) take(s *subModel) (int, bool) {
	if len(s.buf) == 0 {
		return 0, false
	}
	v := s.buf[0]
	s.buf = s.buf[1:]
	s.got = append(s.got, v)
	m.pump()
	return v, true
}

func optString(o effect.Option[int]) string {
	if !o.OK {
		return "None"
	}
	return fmt.Sprintf("Some(%d)", o.Value)
}

func outcome[A any](fb *effect.Fiber[error, A], show func(A) string) func() (string, bool) {
	return func() (string, bool) {
		x, done := fb.Poll()
		if !done {
			return "", false
		}
		if v, ok := x.Value(); ok {
			return show(v), true
		}
		if x.IsInterrupted() {
			return "interrupted", true
		}
		return x.String(), true
	}
}

func runPubSubProgram(t *testing.T, data []byte) {
	r := &reader{b: data}
	m := &psModel{capacity: 1 + r.intn(3), strategy: Strategy(r.intn(3))}
	p := NewPubSub[int](m.capacity, m.strategy)
	rt := effect.NewRuntime()
	defer func() { _ = rt.Shutdown(context.Background()) }()
	var (
		subs   []*Subscription[int]
		fibers []*pendingFiber
		trace  []string
		next   int
		interr []func() // interrupts of started fibers, by fiber index
	)
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s with capacity %d: after %s: %s", m.strategy, m.capacity, strings.Join(trace, ", "), fmt.Sprintf(format, args...))
	}
	sub := func() (int, bool) {
		if len(subs) == 0 {
			return 0, false
		}
		return r.intn(len(subs)), true
	}
	for steps := 0; r.more() && steps < 200; steps++ {
		switch op := r.intn(8); op {
		case 0:
			kind := r.intn(len(filters))
			subs = append(subs, p.subscribe(filters[kind]))
			m.subs = append(m.subs, &subModel{filter: kind, active: !m.closed, closed: m.closed})
			trace = append(trace, fmt.Sprintf("subscribe(filter %d)", kind))
		case 1:
			v := next
			next++
			fb := rt.Start(context.Background(), p.Publish[any, error](v), nil)
			pf := &pendingFiber{name: fmt.Sprintf("publish(%d)", v), poll: outcome(fb, func(ok bool) string { return fmt.Sprint(ok) })}
			fibers, interr = append(fibers, pf), append(interr, fb.InterruptFromGo)
			switch {
			case m.closed:
				pf.want = "false"
			case m.strategy != BackPressure || len(m.pubq) == 0 && m.room(v):
				m.deliver(v)
				pf.want = "true"
			default:
				m.pubq = append(m.pubq, &pubModel{v, pf})
			}
			trace = append(trace, pf.name)
		case 2:
			i, ok := sub()
			if !ok {
				continue
			}
			for range 1 + r.intn(3) {
				v, got, isClosed := subs[i].TryReceive()
				mv, mok := m.take(m.subs[i])
				if got != mok || got && v != mv || isClosed != (!mok && m.subs[i].closed) {
					fail("TryReceive on subscriber %d gave (%d, %v, closed %v), want (%d, %v, closed %v)", i, v, got, isClosed, mv, mok, !mok && m.subs[i].closed)
				}
			}
			trace = append(trace, fmt.Sprintf("tryReceive(%d)", i))
		case 3:
			i, ok := sub()
			if !ok {
				continue
			}
			fb := rt.Start(context.Background(), subs[i].Receive[any, error](), nil)
			pf := &pendingFiber{name: fmt.Sprintf("receive(%d)", i), poll: outcome(fb, optString)}
			fibers, interr = append(fibers, pf), append(interr, fb.InterruptFromGo)
			s := m.subs[i]
			if v, ok := m.take(s); ok {
				pf.want = fmt.Sprintf("Some(%d)", v)
			} else if s.closed {
				pf.want = "None"
			} else {
				s.recvq = append(s.recvq, pf)
			}
			trace = append(trace, pf.name)
		case 4:
			i, ok := sub()
			if !ok {
				continue
			}
			subs[i].Unsubscribe()
			if s := m.subs[i]; !s.closed {
				m.closeSub(s)
			}
			m.pump()
			trace = append(trace, fmt.Sprintf("unsubscribe(%d)", i))
		case 5:
			p.Close()
			if !m.closed {
				m.closed = true
				for _, pub := range m.pubq {
					pub.fb.want = "false"
				}
				m.pubq = nil
				for _, s := range m.subs {
					if !s.closed {
						m.closeSub(s)
					}
				}
			}
			trace = append(trace, "close")
		default: // 6, 7: interrupt a fiber, waiting or not
			if len(fibers) == 0 {
				continue
			}
			k := r.intn(len(fibers))
			pf := fibers[k]
			interr[k]()
			if pf.want == "" {
				pf.want = "interrupted"
				m.pubq = slices.DeleteFunc(m.pubq, func(pub *pubModel) bool { return pub.fb == pf })
				for _, s := range m.subs {
					s.recvq = slices.DeleteFunc(s.recvq, func(r *pendingFiber) bool { return r == pf })
				}
				m.pump()
			}
			trace = append(trace, "interrupt "+pf.name)
		}
		synctest.Wait()
		checkPubSubState(fail, p, subs, m, fibers)
	}
	p.Close()
	if !m.closed {
		m.closed = true
		for _, pub := range m.pubq {
			pub.fb.want = "false"
		}
		m.pubq = nil
		for _, s := range m.subs {
			if !s.closed {
				m.closeSub(s)
			}
		}
	}
	trace = append(trace, "close")
	synctest.Wait()
	checkPubSubState(fail, p, subs, m, fibers)
	for i, s := range subs {
		ms := m.subs[i]
		got := slices.Concat(ms.got, drainSub(s))
		var want []int
		for _, d := range m.log {
			if slices.Contains(d.active, i) {
				want = append(want, d.v)
			}
		}
		dropped := int(s.Dropped())
		switch {
		case m.strategy == BackPressure && (dropped != 0 || !slices.Equal(got, want)):
			fail("subscriber %d received %v and dropped %d, want every message published while it was subscribed: %v", i, got, dropped, want)
		case !isSubsequence(got, want) || len(got)+dropped != len(want):
			fail("subscriber %d received %v and dropped %d of the %v published while it was subscribed", i, got, dropped, want)
		}
	}
	effecttest.AssertNoFibers(t, rt)
	t.Logf("%s with capacity %d: %s", m.strategy, m.capacity, strings.Join(trace, ", "))
}

// checkPubSubState fails unless the PubSub and the fibers are as the model
// says.
func checkPubSubState(fail func(string, ...any), p *PubSub[int], subs []*Subscription[int], m *psModel, fibers []*pendingFiber) {
	for _, pf := range fibers {
		got, done := pf.poll()
		switch {
		case pf.want == "" && done:
			fail("%s ended as %s, but the model says it waits", pf.name, got)
		case pf.want != "" && !done:
			fail("%s still waits, but the model says it ended as %s", pf.name, pf.want)
		case got != pf.want:
			fail("%s ended as %s, want %s", pf.name, got, pf.want)
		}
	}
	active := 0
	for i, s := range subs {
		ms := m.subs[i]
		if ms.active {
			active++
		}
		if s.Len() != len(ms.buf) || int(s.Dropped()) != ms.dropped {
			fail("subscriber %d holds %d (dropped %d), want %v (dropped %d)", i, s.Len(), s.Dropped(), ms.buf, ms.dropped)
		}
	}
	if n := p.Subscribers(); n != active {
		fail("%d subscribers, want %d", n, active)
	}
}

// reader decodes a fuzz input, deterministically; past its end it reads
// zeros.
type reader struct {
	b []byte
	i int
}

// more reports whether input is left.
func (r *reader) more() bool { return r.i < len(r.b) }

func (r *reader) byte() byte {
	if r.i >= len(r.b) {
		return 0
	}
	v := r.b[r.i]
	r.i++
	return v
}

// intn returns a number in [0, n).
func (r *reader) intn(n int) int { return int(r.byte()) % n }
