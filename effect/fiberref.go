package effect

import "context"

// FiberRef is a fiber-local value: each fiber sees its own, a child fiber
// starts with a copy of its parent's, and a change made by one fiber is
// never seen by a fiber already running. It is ZIO's and Effect-TS's
// FiberRef, and the way to carry request-scoped values (a request ID, log
// annotations, a tracing span, a tenant) through effects without threading
// them through every signature.
//
// The lifecycle of a value:
//
//   - A fiber that never set the FiberRef, and whose ancestors never did,
//     reads the initial value given to [NewFiberRef].
//   - [Fork] (and every combinator that forks: [Race], [ForEachPar], ...)
//     gives the child the parent's value as it is at the fork, passed
//     through the [CopyOnFork] function if the FiberRef has one (to copy a
//     mutable value such as a map, so the two fibers do not share it).
//   - [Join] and [Await] of a child that succeeded merge the child's value
//     into the parent's, if the child changed it: by default the parent
//     keeps its own value; with [MergeOnJoin] the parent's becomes the merge
//     function's result. A child that failed or was interrupted merges
//     nothing: its work did not complete. [Interrupt] merges nothing, and
//     neither do the parallel combinators ([ForEachPar], [All], [Race]):
//     their items return what they computed instead.
//   - [Locally] sets the value for one region of an effect and restores
//     the previous one when the region ends, whatever the outcome.
//   - Plain Go code lifted with [Try] reads the value through its ctx
//     ([FiberRef.FromContext]); an effect run from plain Go with [Run] or
//     [Runtime.Run] starts with the values carried by the ctx it is given,
//     so values flow through plain Go and back.
//
// The values live in the fiber, in a small persistent table shared with the
// fiber's children until one of them writes: a fiber that never sets a
// FiberRef pays nothing, a fork costs nothing more (one pointer copy, unless
// a CopyOnFork function must run), and a write copies the table (a few
// entries: one per FiberRef set on the fiber). A FiberRef must be used by
// pointer, as [NewFiberRef] returns it; FiberRefs are usually package-level
// variables, made once.
type FiberRef[A any] struct {
	initial A
	key     refKey
}

// refKey is the untyped identity and behaviour of a FiberRef: the fiber's
// table stores values under a pointer to it.
type refKey struct {
	initial any
	fork    func(any) any               // nil: the child gets the value as it is
	join    func(parent, child any) any // nil: the parent keeps its own
}

// FiberRefOption configures a [FiberRef]: [CopyOnFork], [MergeOnJoin].
type FiberRefOption[A any] func(*FiberRef[A])

// CopyOnFork returns an option that makes a forked child start with
// copy(parent's value) instead of the parent's value itself: for a mutable
// value (a map, a slice, a pointer to a struct) that parent and child must
// not share. It copies the values that fibers set: the initial value, which
// every fiber that never set the FiberRef reads, is shared, so make it nil
// (or never change it in place). copy runs on the forking fiber, at the
// fork; a panic in it is a defect of the [Fork]. It panics if copy is nil.
func CopyOnFork[A any](copy func(A) A) FiberRefOption[A] {
	if copy == nil {
		panic("effect.CopyOnFork: copy must not be nil")
	}
	return func(r *FiberRef[A]) { r.key.fork = func(v any) any { return copy(v.(A)) } }
}

// MergeOnJoin returns an option that, when a fiber joins a child that
// succeeded and changed the value ([Join], [Await]), sets the parent's value
// to merge(parent's value, child's value), instead of keeping the parent's.
// merge sees the child's whole value, not only what it added: a merge that
// sums counters should give the child a fresh count ([CopyOnFork] returning
// zero), or the parent's part is counted twice. func(_, child A) A { return
// child } makes the child's value win. merge runs on the joining fiber; a
// panic in it is a defect of the join. It panics if merge is nil.
func MergeOnJoin[A any](merge func(parent, child A) A) FiberRefOption[A] {
	if merge == nil {
		panic("effect.MergeOnJoin: merge must not be nil")
	}
	return func(r *FiberRef[A]) {
		r.key.join = func(p, c any) any { return merge(p.(A), c.(A)) }
	}
}

// NewFiberRef returns a new FiberRef whose value is initial in every fiber
// until one sets it. With no option, a child starts with its parent's value
// as it is and a join keeps the parent's value.
func NewFiberRef[A any](initial A, opts ...FiberRefOption[A]) *FiberRef[A] {
	r := &FiberRef[A]{initial: initial}
	r.key.initial = initial
	for _, o := range opts {
		if o == nil {
			panic("effect.NewFiberRef: an option is nil")
		}
		o(r)
	}
	return r
}

// Initial returns the value of the FiberRef in a fiber that never set it.
func (r *FiberRef[A]) Initial() A { return r.initial }

// value returns the FiberRef's value in t.
func (r *FiberRef[A]) value(t *refTable) A {
	if e, ok := t.lookup(&r.key); ok {
		return e.val.(A)
	}
	return r.initial
}

// Get returns an effect that succeeds with the FiberRef's value in the
// running fiber. It allocates nothing.
func (r *FiberRef[A]) Get[R, E any]() Effect[R, E, A] {
	return withRefs(func(t *refTable, _ FiberID) (*refTable, Effect[R, E, A]) {
		return t, Succeed[R, E](r.value(t))
	})
}

// Set returns an effect that sets the FiberRef's value in the running fiber
// to a. Fibers already forked keep theirs; children forked later start
// with a.
func (r *FiberRef[A]) Set[R, E any](a A) Effect[R, E, struct{}] {
	return withRefs(func(t *refTable, id FiberID) (*refTable, Effect[R, E, struct{}]) {
		return t.with(refEntry{key: &r.key, val: a, owner: id}), Unit[R, E]()
	})
}

// Update returns an effect that replaces the FiberRef's value in the running
// fiber with f of it and succeeds with the new value. No other fiber can see
// or change the value meanwhile, so the update is atomic without a lock. It
// panics if f is nil.
func (r *FiberRef[A]) Update[R, E any](f func(A) A) Effect[R, E, A] {
	if f == nil {
		panic("effect.FiberRef.Update: f must not be nil")
	}
	return withRefs(func(t *refTable, id FiberID) (*refTable, Effect[R, E, A]) {
		v := f(r.value(t))
		return t.with(refEntry{key: &r.key, val: v, owner: id}), Succeed[R, E](v)
	})
}

// Modify returns an effect that replaces the FiberRef's value in the running
// fiber with the second result of f and succeeds with the first, as
// [FiberRef.Update] does. It panics if f is nil.
func (r *FiberRef[A]) Modify[R, E, B any](f func(A) (B, A)) Effect[R, E, B] {
	if f == nil {
		panic("effect.FiberRef.Modify: f must not be nil")
	}
	return withRefs(func(t *refTable, id FiberID) (*refTable, Effect[R, E, B]) {
		b, v := f(r.value(t))
		return t.with(refEntry{key: &r.key, val: v, owner: id}), Succeed[R, E](b)
	})
}

// Locally returns an effect that runs e with ref set to v in the running
// fiber, then restores the value ref had before, whether e succeeds, fails,
// dies or is interrupted: a change that e makes to ref does not outlive it.
// Fibers that e forks start with v (and keep it after the region ends).
// Setting and restoring are uninterruptible; e is interruptible if the
// caller was. Cost: two writes of the fiber's table and the frames of an
// [Ensuring].
func Locally[R, E, A, V any](ref *FiberRef[V], v V, e Effect[R, E, A]) Effect[R, E, A] {
	return UninterruptibleMask(func(restore Restore) Effect[R, E, A] {
		var (
			old refEntry
			had bool
		)
		set := withRefs(func(t *refTable, id FiberID) (*refTable, Effect[R, E, struct{}]) {
			old, had = t.lookup(&ref.key)
			return t.with(refEntry{key: &ref.key, val: v, owner: id}), Unit[R, E]()
		})
		back := withRefs(func(t *refTable, _ FiberID) (*refTable, Effect[R, E, struct{}]) {
			if had {
				return t.with(old), Unit[R, E]()
			}
			return t.without(&ref.key), Unit[R, E]()
		})
		return AndThen(set, Ensuring(restore.Apply(e), back))
	})
}

// Locally is the method form of [Locally]: e.Locally(ref, v) runs e with ref
// set to v.
func (e Effect[R, E, A]) Locally[V any](ref *FiberRef[V], v V) Effect[R, E, A] {
	return Locally(ref, v, e)
}

// FromContext returns the FiberRef's value as the fiber that made ctx saw it
// when it handed ctx to plain Go ([Try], an acquire or release step), or as
// [FiberRef.WithValue] set it; the initial value if ctx carries none. A
// value set by the fiber after the call that received ctx is not seen: the
// ctx holds a snapshot. It is safe to call from any goroutine.
func (r *FiberRef[A]) FromContext(ctx context.Context) A {
	if ctx == nil {
		return r.initial
	}
	t, _ := ctx.Value(refsKey{}).(*refTable)
	return r.value(t)
}

// WithValue returns a copy of ctx that carries v as the FiberRef's value
// (and the values ctx already carried for other FiberRefs): plain Go code
// that calls [Run] with it starts the effect with v, and
// [FiberRef.FromContext] reads v back. It is how middleware in plain Go
// hands a request ID or an annotation to the effects it runs.
func (r *FiberRef[A]) WithValue(ctx context.Context, v A) context.Context {
	if ctx == nil {
		panic("effect.FiberRef.WithValue: ctx must not be nil")
	}
	t, _ := ctx.Value(refsKey{}).(*refTable)
	return &refContext{Context: ctx, tab: t.with(refEntry{key: &r.key, val: v})}
}

// withRefs returns the effect of a refsOp: fn receives the fiber's table
// and ID and returns the table to keep and the effect to continue with.
func withRefs[R, E, A any](fn func(t *refTable, id FiberID) (*refTable, Effect[R, E, A])) Effect[R, E, A] {
	return Effect[R, E, A]{op: &refsOp[R, E, A]{fn: fn}}
}

// refTable is a fiber's FiberRef values: an immutable list of entries,
// replaced, never changed, by a write. A nil table holds nothing.
type refTable struct {
	entries []refEntry
	forks   bool // an entry's FiberRef has a CopyOnFork function
}

// refEntry is the value of one FiberRef, and the fiber that wrote it last
// (0 for a value inherited from a context): a join merges the entries that
// the joined child wrote itself.
type refEntry struct {
	key   *refKey
	val   any
	owner FiberID
}

func (t *refTable) lookup(k *refKey) (refEntry, bool) {
	if t == nil {
		return refEntry{}, false
	}
	for _, e := range t.entries {
		if e.key == k {
			return e, true
		}
	}
	return refEntry{}, false
}

// with returns a table with e in place of the entry of its FiberRef.
func (t *refTable) with(e refEntry) *refTable {
	var old []refEntry
	if t != nil {
		old = t.entries
	}
	n := &refTable{entries: make([]refEntry, 0, len(old)+1)}
	replaced := false
	for _, x := range old {
		if x.key == e.key {
			x, replaced = e, true
		}
		n.entries = append(n.entries, x)
		n.forks = n.forks || x.key.fork != nil
	}
	if !replaced {
		n.entries = append(n.entries, e)
		n.forks = n.forks || e.key.fork != nil
	}
	return n
}

// without returns a table without the entry of k (nil when empty).
func (t *refTable) without(k *refKey) *refTable {
	if _, ok := t.lookup(k); !ok {
		return t
	}
	if len(t.entries) == 1 {
		return nil
	}
	n := &refTable{entries: make([]refEntry, 0, len(t.entries)-1)}
	for _, x := range t.entries {
		if x.key != k {
			n.entries = append(n.entries, x)
			n.forks = n.forks || x.key.fork != nil
		}
	}
	return n
}

// forked returns the table a child forked with t starts with: t itself,
// unless a FiberRef has a CopyOnFork function to apply. The entries keep
// their owners: a copy is not a change that a join would merge.
func (t *refTable) forked() *refTable {
	if t == nil || !t.forks {
		return t
	}
	n := &refTable{entries: make([]refEntry, len(t.entries)), forks: true}
	for i, x := range t.entries {
		if x.key.fork != nil {
			x.val = x.key.fork(x.val)
		}
		n.entries[i] = x
	}
	return n
}

// rooted returns the table a fiber started from plain Go begins with, from
// the table its ctx carries: the owners are cleared, as they name fibers of
// another run (or none).
func (t *refTable) rooted() *refTable {
	if t == nil {
		return nil
	}
	n := &refTable{entries: make([]refEntry, len(t.entries)), forks: t.forks}
	for i, x := range t.entries {
		x.owner = 0
		n.entries[i] = x
	}
	return n
}

// joined returns the table of fiber parent after it joined the fiber child
// whose final table is ct: every entry that the child wrote itself, for a
// FiberRef with a MergeOnJoin function, becomes merge(parent's, child's),
// written by the parent. Other entries are left as the parent has them.
func (t *refTable) joined(ct *refTable, child, parent FiberID) *refTable {
	if ct == nil {
		return t
	}
	out := t
	for _, x := range ct.entries {
		if x.owner != child || x.key.join == nil {
			continue
		}
		pv := x.key.initial
		if e, ok := out.lookup(x.key); ok {
			pv = e.val
		}
		out = out.with(refEntry{key: x.key, val: x.key.join(pv, x.val), owner: parent})
	}
	return out
}

// refsKey is the context key of a fiber's table.
type refsKey struct{}

// refContext is a context that carries a fiber's table of FiberRef values
// on top of another context: what Try hands to plain Go when the fiber has
// values.
type refContext struct {
	context.Context
	tab *refTable
}

func (c *refContext) Value(key any) any {
	if _, ok := key.(refsKey); ok {
		return c.tab
	}
	return c.Context.Value(key)
}

// refsFromContext returns the table that ctx carries, for a fiber started
// from plain Go with it.
func refsFromContext(ctx context.Context) *refTable {
	if ctx == nil {
		return nil
	}
	t, _ := ctx.Value(refsKey{}).(*refTable)
	return t.rooted()
}
