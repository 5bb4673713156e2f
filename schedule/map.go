package schedule

import "time"

// Map returns a schedule that decides like s and outputs f applied to the output of s. f is
// called once per decision, including the one that stops. [Map] is the same as a function.
func (s Schedule[Out]) Map[B any](f func(Out) B) Schedule[B] {
	return Map(s, f)
}

// Map returns s with its outputs transformed by f; see [Schedule.Map].
func Map[Out, B any](s Schedule[Out], f func(Out) B) Schedule[B] {
	return Schedule[B]{root: mapped[Out, B]{inner: s.node(), f: f}, clock: s.clock}
}

type mapped[Out, B any] struct {
	inner node[Out]
	f     func(Out) B
}

func (m mapped[Out, B]) start(e *env) step[B] {
	return &mappedStep[Out, B]{inner: m.inner.start(e), f: m.f}
}

type mappedStep[Out, B any] struct {
	inner step[Out]
	f     func(Out) B
}

func (m *mappedStep[Out, B]) next(now time.Time, in any) (time.Duration, B, bool) {
	d, out, ok := m.inner.next(now, in)
	return d, m.f(out), ok
}

func (m *mappedStep[Out, B]) reset(now time.Time) {
	m.inner.reset(now)
}

// Delays returns a schedule that decides like s and outputs the delay of each decision (zero for
// the one that stops), after every jitter and cap inside s. It gives schedules of different
// output types a common one, for [Schedule.AndThen]. [Delays] is the same as a function.
func (s Schedule[Out]) Delays() Schedule[time.Duration] {
	return Delays(s)
}

// Delays returns s outputting its delays; see [Schedule.Delays].
func Delays[Out any](s Schedule[Out]) Schedule[time.Duration] {
	return Schedule[time.Duration]{root: delays[Out]{inner: s.node()}, clock: s.clock}
}

type delays[Out any] struct {
	inner node[Out]
}

func (d delays[Out]) start(e *env) step[time.Duration] {
	return &delaysStep[Out]{inner: d.inner.start(e)}
}

type delaysStep[Out any] struct {
	inner step[Out]
}

func (d *delaysStep[Out]) next(now time.Time, in any) (time.Duration, time.Duration, bool) {
	delay, _, ok := d.inner.next(now, in)
	if !ok {
		return 0, 0, false
	}
	return delay, delay, true
}

func (d *delaysStep[Out]) reset(now time.Time) {
	d.inner.reset(now)
}
