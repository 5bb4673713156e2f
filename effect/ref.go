package effect

import "sync"

// Ref is a mutable reference shared by fibers. Its methods are atomic with
// respect to each other and never block for long, so they may be called from
// plain Go and inside [Sync]. The zero Ref holds the zero value.
type Ref[A any] struct {
	mu sync.Mutex
	v  A
}

// NewRef returns a Ref holding a.
func NewRef[A any](a A) *Ref[A] { return &Ref[A]{v: a} }

// Get returns the current value.
func (r *Ref[A]) Get() A {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.v
}

// Set replaces the value with a.
func (r *Ref[A]) Set(a A) {
	r.mu.Lock()
	r.v = a
	r.mu.Unlock()
}

// Swap replaces the value with a and returns the old one.
func (r *Ref[A]) Swap(a A) A {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.v
	r.v = a
	return old
}

// Update replaces the value with f of it and returns the new value. f runs
// under the Ref's lock: it must be quick and must not use the Ref.
func (r *Ref[A]) Update(f func(A) A) A {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.v = f(r.v)
	return r.v
}

// Modify replaces the value with the second result of f and returns the
// first, atomically, as [Ref.Update] does.
func (r *Ref[A]) Modify[B any](f func(A) (B, A)) B {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, next := f(r.v)
	r.v = next
	return b
}
