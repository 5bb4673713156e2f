package effect

import (
	"strings"
)

// Blocker is a primitive of the library that fibers wait on — a semaphore,
// a pool, a queue, a channel, a deferred, a fiber being joined — as dumps,
// hooks and the deadlock detector see it. A fiber blocked on one reports
// it ([AsyncOn]); the primitive reports who holds it. Packages that build
// primitives on [AsyncOn] implement it; users rarely need to.
type Blocker interface {
	// BlockerName returns the kind of primitive ("semaphore") and its name
	// ("db"; empty when it has none). It is called at every wait when hooks
	// are installed, so it must be cheap, and it must not block.
	BlockerName() (kind, name string)
	// BlockerHolders returns the fibers that hold the primitive now: those
	// whose progress can free a waiter (the holders of a semaphore's
	// permits, the borrowers of a pool at its limit, the fiber being
	// joined), with 0 standing for plain Go outside any fiber; and a short
	// description of its state ("3/3 permits"). Nil holders mean that
	// anyone may free a waiter (a deferred anyone can complete), which the
	// deadlock detector treats as live. Dumps and the detector call it,
	// not the hot paths; it may take the primitive's lock.
	BlockerHolders() (holders []FiberID, detail string)
}

// AsyncOn is [Async] for a wait on the primitive b: dumps, hooks, the
// profiler and the deadlock detector show the fiber as waiting on b (its
// kind, name and holders) rather than on an anonymous callback. It is how
// the semaphores, pools, queues and channels of the resource and stream
// packages wait. It panics if b or register is nil.
func AsyncOn[R, E, A any](b Blocker, register func(resume func(Exit[E, A])) (cancel func())) Effect[R, E, A] {
	if b == nil {
		panic("effect.AsyncOn: b must not be nil")
	}
	if register == nil {
		panic("effect.AsyncOn: register must not be nil")
	}
	return asyncOn[R](b, register)
}

// asyncOn is AsyncOn without the checks.
func asyncOn[R, E, A any](b Blocker, register func(resume func(Exit[E, A])) (cancel func())) Effect[R, E, A] {
	return Effect[R, E, A]{op: &asyncOp[R, E, A]{register: register, on: b}}
}

// SuspendFiber returns an effect that calls fn with the ID of the fiber
// running it and continues with the effect fn returns: [Suspend] for code
// that records which fiber holds what (the holders a [Blocker] reports).
// It costs what Suspend costs. It panics if fn is nil.
func SuspendFiber[R, E, A any](fn func(id FiberID) Effect[R, E, A]) Effect[R, E, A] {
	if fn == nil {
		panic("effect.SuspendFiber: fn must not be nil")
	}
	return withView(func(v view) Effect[R, E, A] { return fn(v.id()) })
}

// fiberBlocker is a fiber being joined or awaited, as a Blocker: the
// fiber itself is what the waiter needs to end.
type fiberBlocker struct{ f *fiber }

func (b fiberBlocker) BlockerName() (string, string) { return "fiber", "#" + b.f.id.String() }
func (b fiberBlocker) BlockerHolders() ([]FiberID, string) {
	return []FiberID{b.f.id}, ""
}

// fiberRef is a fiber known by its ID only (the fiber closing a scope).
type fiberRef FiberID

func (r fiberRef) BlockerName() (string, string) { return "fiber", "#" + FiberID(r).String() }
func (r fiberRef) BlockerHolders() ([]FiberID, string) {
	return []FiberID{FiberID(r)}, ""
}

// deferredBlocker is a Deferred being awaited. Anyone may complete it, so
// it reports no holders.
type deferredBlocker[E, A any] struct{ d *Deferred[E, A] }

func (deferredBlocker[E, A]) BlockerName() (string, string) { return "deferred", "" }
func (deferredBlocker[E, A]) BlockerHolders() ([]FiberID, string) {
	return nil, ""
}

// active reports whether the fiber waits at all.
func (w waitInfo) active() bool { return w.what != "" || w.on != nil }

// kind returns the kind of wait and the name of what is waited on: ("sleep",
// ""), ("join", "#7"), ("semaphore", "db").
func (w waitInfo) kind() (kind, name string) {
	if w.on != nil {
		k, n := w.on.BlockerName()
		if w.what != "" {
			return w.what, n
		}
		return k, n
	}
	return w.what, ""
}

// String returns what dumps print: "sleep 1s", "join fiber #7",
// "semaphore db".
func (w waitInfo) String() string {
	if !w.active() {
		return ""
	}
	var b strings.Builder
	w.write(&b)
	return b.String()
}

func (w waitInfo) write(b *strings.Builder) {
	b.WriteString(w.what)
	if w.on != nil {
		k, n := w.on.BlockerName()
		if w.what != "" {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		if n != "" {
			b.WriteByte(' ')
			b.WriteString(n)
		}
	}
	if w.d != 0 {
		b.WriteByte(' ')
		b.WriteString(w.d.String())
	}
}
