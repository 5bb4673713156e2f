package effect

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// ErrorMode says what [ForEachPar], [All], [Settle] and [Parallel] do when an
// item fails.
type ErrorMode uint8

const (
	// FailFast stops at the first failure: the items in progress are
	// interrupted (with [ErrFailFast] as the reason) and no more start.
	// It is the zero value.
	FailFast ErrorMode = iota
	// Collect runs every item to its end whatever fails, and reports every
	// failure, in input order.
	Collect
)

// String returns "FailFast" or "Collect".
func (m ErrorMode) String() string {
	switch m {
	case FailFast:
		return "FailFast"
	case Collect:
		return "Collect"
	}
	return "ErrorMode(" + strconv.Itoa(int(m)) + ")"
}

// ErrFailFast is the reason of the interruption of the items that a
// [FailFast] run stopped because another item failed; items that never
// started report it too (see [Settle]).
var ErrFailFast = errors.New("effect: stopped after another item failed")

// Progress is what [Par.OnProgress] receives after each item ends.
type Progress struct {
	// Done counts the items that have ended, whatever their outcome: the
	// successes are Done - Failed - Stopped.
	Done int
	// Failed counts the items that ended with a failure of their own: an
	// expected failure, a defect, or an interruption that the run did not
	// cause.
	Failed int
	// Stopped counts the items that a [FailFast] run interrupted because
	// another item failed (their reason is [ErrFailFast]). Items that never
	// started are not counted anywhere.
	Stopped int
	// Total is the number of items.
	Total int
}

// Par configures [ForEachPar], [All], [Settle] and [Parallel]. The zero
// value runs every item at once, reports no progress and stops at the first
// failure.
type Par struct {
	// Limit is the most items in progress at once; zero or less means no
	// limit. With a limit of n, n worker fibers take the items in input
	// order, each running one item after the other: not a fiber per item.
	Limit int
	// OnProgress, if set, is called once for every item that ran, after it
	// ended, with the counts so far: enough to drive a progress bar. Calls
	// are serialized (never two at once) and Done grows by one at each
	// call, so the callback needs no lock of its own; it runs on a worker
	// fiber, so it must be quick. In [FailFast] mode, items that never
	// started are not reported, so Done may end below Total. A panic in
	// OnProgress is a defect of the item being reported.
	OnProgress func(Progress)
	// Mode is [FailFast] (the zero value) or [Collect].
	Mode ErrorMode
}

// ForEachPar returns an effect that runs f on every item concurrently, at
// most opts.Limit at a time, and succeeds with the results in input order.
//
// Failures depend on opts.Mode. [FailFast]: at the first failure it
// interrupts the items still in progress, starts no more, and fails with the
// failures seen, in input order, joined in parallel ([Cause.Both]); the
// interruptions it caused are left out when a real failure is there.
// [Collect]: it runs every item to its end and, if any failed, fails with
// every item's cause, in input order, joined in parallel (so
// [Cause.Failures] lists them in input order). To keep the values of the
// items that succeeded beside the failures, use [Settle] or [Parallel].
//
// A panic in f (while building an item's effect) is a defect of that item.
// If the caller is interrupted, every item in progress is interrupted and
// the effect ends interrupted. In every case every worker has ended,
// finalizers included, when the effect ends.
//
// Cost: min(Limit, len(items)) fibers, the result slice, and nothing per
// item beyond what f's effect allocates and running it; an item whose
// effect is a plain value ([Succeed]) costs a few nanoseconds.
func ForEachPar[R, E, A, B any](items []A, f func(A) Effect[R, E, B], opts Par) Effect[R, E, []B] {
	if f == nil {
		panic("effect.ForEachPar: f must not be nil")
	}
	return prim(func(fb *fiber, env R) Effect[R, E, []B] {
		j := newParJob(items, f, opts, false)
		if c, ok := j.run(fb, env); !ok {
			return FailCause[R, []B](c)
		}
		if c := j.cause(); !c.IsEmpty() {
			return FailCause[R, []B](c)
		}
		return Succeed[R, E](j.out)
	})
}

// All returns an effect that runs every effect of effs concurrently, as
// [ForEachPar] does, and succeeds with their values in input order.
func All[R, E, A any](effs []Effect[R, E, A], opts Par) Effect[R, E, []A] {
	return ForEachPar(effs, identityEffect[R, E, A], opts)
}

func identityEffect[R, E, A any](e Effect[R, E, A]) Effect[R, E, A] { return e }

// Settle returns an effect that runs f on every item concurrently, as
// [ForEachPar] does, and succeeds with every item's [Exit] in input order:
// the values and the failures side by side, the failure of one item never
// hiding the result of another. It fails only if the caller is interrupted.
//
// In [Collect] mode every item runs to its end. In [FailFast] mode the first
// failure stops the run as in ForEachPar: the items it interrupted, and those
// that never started, have an interrupted exit whose reason is
// [ErrFailFast]. It is a package function: a method cannot return
// Effect[R, E, []Exit[E, B]].
func Settle[R, E, A, B any](items []A, f func(A) Effect[R, E, B], opts Par) Effect[R, E, []Exit[E, B]] {
	if f == nil {
		panic("effect.Settle: f must not be nil")
	}
	return prim(func(fb *fiber, env R) Effect[R, E, []Exit[E, B]] {
		j := newParJob(items, f, opts, true)
		if c, ok := j.run(fb, env); !ok {
			return FailCause[R, []Exit[E, B]](c)
		}
		if j.stop.Load() {
			for i := int(min(j.next.Load(), int64(len(items)))); i < len(items); i++ {
				j.exits[i] = Exit[E, B]{cause: CauseInterrupt[E](fb.id, ErrFailFast)}
			}
		}
		return Succeed[R, E](j.exits)
	})
}

// Indexed is a value with the index, in the input, of the item it comes
// from.
type Indexed[A any] struct {
	Index int
	Value A
}

// ParallelResult is what [Parallel] succeeds with: the shape of go-go-scope's
// parallel(), successes and failures apart, each in input order and with
// its index. Every task is in exactly one of the two lists.
type ParallelResult[E, A any] struct {
	// Completed holds the values of the tasks that succeeded.
	Completed []Indexed[A]
	// Errors holds the causes of the tasks that did not succeed: failed,
	// died, or (in FailFast mode) stopped or never started. A Cause is an
	// error; errors.Is and errors.As see its leaves.
	Errors []Indexed[Cause[E]]
}

// AllCompleted reports whether every task succeeded.
func (r ParallelResult[E, A]) AllCompleted() bool { return len(r.Errors) == 0 }

// Parallel returns an effect that runs tasks concurrently, as [Settle] does,
// and succeeds with their outcomes split into successes and failures. It is
// go-go-scope's parallel(tasks, {concurrency, onProgress, continueOnError}):
// concurrency is opts.Limit, onProgress is opts.OnProgress, and
// continueOnError is opts.Mode == [Collect]. It fails only if the caller is
// interrupted.
func Parallel[R, E, A any](tasks []Effect[R, E, A], opts Par) Effect[R, E, ParallelResult[E, A]] {
	return Map(Settle(tasks, identityEffect[R, E, A], opts), func(exits []Exit[E, A]) ParallelResult[E, A] {
		var r ParallelResult[E, A]
		for i, x := range exits {
			if x.IsSuccess() {
				r.Completed = append(r.Completed, Indexed[A]{Index: i, Value: x.value})
			} else {
				r.Errors = append(r.Errors, Indexed[Cause[E]]{Index: i, Value: x.cause})
			}
		}
		return r
	})
}

// parJob is the state that the workers of one run share. Workers take item
// indexes from next; each index is taken by exactly one worker, which alone
// writes out[i] or exits[i], so results need no lock. Failures and progress
// go through mu.
type parJob[R, E, A, B any] struct {
	items []A
	f     func(A) Effect[R, E, B]
	opts  Par
	out   []B          // ForEachPar: the values
	exits []Exit[E, B] // Settle: the exits

	next   atomic.Int64
	stop   atomic.Bool   // FailFast: a failure happened; start no more items
	failed chan struct{} // closed at the first failure in FailFast mode

	mu     sync.Mutex
	fails  []Indexed[Cause[E]] // the failures, in the order they happened
	done   int                 // progress: items ended
	nfail  int                 // progress: items failed
	nstop  int                 // progress: items stopped by a FailFast
	closed bool                // failed is closed
}

func newParJob[R, E, A, B any](items []A, f func(A) Effect[R, E, B], opts Par, exits bool) *parJob[R, E, A, B] {
	j := &parJob[R, E, A, B]{items: items, f: f, opts: opts}
	if exits {
		j.exits = make([]Exit[E, B], len(items))
	} else {
		j.out = make([]B, len(items))
	}
	if opts.Mode == FailFast {
		j.failed = make(chan struct{})
	}
	return j
}

// run starts the workers on fb's current scope and waits for them all to
// end. It reports false, with the cause to fail with, if fb was interrupted
// first, or if a worker ended without finishing its items (its scope was
// closed, so it never started; runtime.Goexit in an item); the workers have
// ended either way.
func (j *parJob[R, E, A, B]) run(fb *fiber, env R) (Cause[E], bool) {
	n := len(j.items)
	if n == 0 {
		return Cause[E]{}, true
	}
	workers := j.opts.Limit
	if workers <= 0 || workers > n {
		workers = n
	}
	kids := make([]*Fiber[E, struct{}], workers)
	var left atomic.Int64
	left.Store(int64(workers))
	allDone := make(chan struct{})
	ended := func() { // one observer shared by every worker
		if left.Add(-1) == 0 {
			close(allDone)
		}
	}
	for w := range kids {
		op := &parWorker[R, E, A, B]{job: j}
		kids[w] = start(fb.rt, fb, fb.scope(), env, Effect[R, E, struct{}]{op: op}, fb.ctx)
		kids[w].observe(ended)
	}
	intr := fb.beginWait(waitInfo{what: "parallel"})
	select {
	case <-allDone:
	case <-j.failed: // nil unless FailFast: never fires then
		fb.endWait()
		stopAllFor(fb, kids, ErrFailFast)
		return Cause[E]{}, true
	case <-intr:
		fb.endWait()
		stopAllFor(fb, kids, nil)
		return interruptCause[E](fb), false
	}
	fb.endWait()
	// Workers end with a success once the items run out; anything else
	// left items undone.
	var lost Cause[E]
	for _, k := range kids {
		if ex, _ := k.Poll(); ex.IsFailure() {
			lost = lost.Both(ex.cause)
		}
	}
	return lost, lost.IsEmpty()
}

// stopAllFor interrupts every fiber of kids for why, then waits for them all
// to end, uninterruptibly.
func stopAllFor[E, A any](f *fiber, kids []*Fiber[E, A], why error) {
	for _, k := range kids {
		k.interruptAs(f.id, why)
	}
	for _, k := range kids {
		k.waitDone(nil, "")
	}
}

// build calls f on item i; a panic becomes a defect of the item.
func (j *parJob[R, E, A, B]) build(i int) (e Effect[R, E, B], d *Defect) {
	defer func() {
		if r := recover(); r != nil {
			d = newDefect(r, 0)
		}
	}()
	return j.f(j.items[i]), nil
}

func (j *parJob[R, E, A, B]) succeed(i int, b B) {
	if j.opts.OnProgress != nil {
		if d := j.progress(false, false); d != nil {
			j.fail(i, causeDefect[E](d), false)
			return
		}
	}
	if j.exits != nil {
		j.exits[i] = Exit[E, B]{value: b}
	} else {
		j.out[i] = b
	}
}

// fail records the failure c of item i, reports it as progress if report
// is set, and in FailFast mode stops the run.
func (j *parJob[R, E, A, B]) fail(i int, c Cause[E], report bool) {
	if report && j.opts.OnProgress != nil {
		if d := j.progress(true, stoppedByFailFast(c)); d != nil {
			c = c.Then(causeDefect[E](d))
		}
	}
	if j.exits != nil {
		j.exits[i] = Exit[E, B]{cause: c}
	}
	j.mu.Lock()
	j.fails = append(j.fails, Indexed[Cause[E]]{Index: i, Value: c})
	if j.failed != nil && !j.closed {
		j.closed = true
		j.stop.Store(true)
		close(j.failed)
	}
	j.mu.Unlock()
}

// stoppedByFailFast reports whether c is the interruption of an item that
// a FailFast run stopped.
func stoppedByFailFast[E any](c Cause[E]) bool {
	return c.IsInterruptedOnly() && errors.Is(interruptionErr(c), ErrFailFast)
}

// progress counts an ended item and calls OnProgress, serialized; it returns
// the defect of a panicking callback.
func (j *parJob[R, E, A, B]) progress(failed, stopped bool) (d *Defect) {
	j.mu.Lock()
	defer j.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			d = newDefect(r, 0)
		}
	}()
	j.done++
	switch {
	case stopped:
		j.nstop++
	case failed:
		j.nfail++
	}
	j.opts.OnProgress(Progress{Done: j.done, Failed: j.nfail, Stopped: j.nstop, Total: len(j.items)})
	return nil
}

// cause joins the recorded failures in input order. In FailFast mode the
// interruptions that the stop caused are dropped when a real failure is
// there.
func (j *parJob[R, E, A, B]) cause() Cause[E] {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.fails) == 0 {
		return Cause[E]{}
	}
	slices.SortFunc(j.fails, func(a, b Indexed[Cause[E]]) int { return a.Index - b.Index })
	var real, intr Cause[E]
	for _, x := range j.fails {
		if j.opts.Mode == FailFast && x.Value.IsInterruptedOnly() {
			intr = intr.Both(x.Value)
		} else {
			real = real.Both(x.Value)
		}
	}
	if !real.IsEmpty() {
		return real
	}
	return intr
}

// parWorker is the effect that each worker fiber runs: a loop that takes
// the next item, runs its effect in a nested run loop, and records the
// outcome, with no allocation of its own per item. When the item's effect
// must unwind to the heap stack (see runloop.go), the worker pushes itself
// as a frame and carries on in resume with the item cur.
type parWorker[R, E, A, B any] struct {
	job *parJob[R, E, A, B]
	cur int // the item whose effect runs on the heap stack
}

func (w *parWorker[R, E, A, B]) step(f *fiber, env R) (Effect[R, E, struct{}], Cause[E], status) {
	c, st := w.loop(f, env)
	if st == stDone {
		return Effect[R, E, struct{}]{}, c, stCont
	}
	return Effect[R, E, struct{}]{}, c, st
}

func (w *parWorker[R, E, A, B]) loop(f *fiber, env R) (Cause[E], status) {
	j := w.job
	n := int64(len(j.items))
	for {
		if f.interrupting() {
			return interruptCause[E](f), stFail
		}
		if j.stop.Load() {
			return Cause[E]{}, stDone
		}
		i64 := j.next.Add(1) - 1
		if i64 >= n {
			return Cause[E]{}, stDone
		}
		i := int(i64)
		e, d := j.build(i)
		if d != nil {
			j.fail(i, causeDefect[E](d), true)
			continue
		}
		if e.op == nil {
			j.succeed(i, e.val)
			continue
		}
		if !nest(f, e, env, w) {
			w.cur = i
			return Cause[E]{}, stUnwind
		}
		f.depth++
		b, c, st := runLoop(f, env, e)
		f.depth--
		switch st {
		case stUnwind:
			w.cur = i
			f.unwound(w)
			return Cause[E]{}, stUnwind
		case stFail:
			j.fail(i, c, true)
		default:
			j.succeed(i, b)
		}
	}
}

func (w *parWorker[R, E, A, B]) resume(f *fiber, env any, v any, c any, failed bool) (any, any, status) {
	if failed {
		cause, _ := c.(Cause[E])
		w.job.fail(w.cur, cause, true)
	} else {
		b, _ := v.(B)
		w.job.succeed(w.cur, b)
	}
	r, _ := env.(R)
	cc, st := w.loop(f, r)
	return box(struct{}{}, cc, st)
}

func (w *parWorker[R, E, A, B]) die(d *Defect) any { return causeDefect[E](d) }

// ItemError is the error of one item of a parallel run, with the item's
// index in the input: what [Values] reports for each item that did not
// succeed.
type ItemError struct {
	// Index is the item's index in the input.
	Index int
	// Err is the item's error, as [Run] would return it.
	Err error
}

// Error returns "item <Index>: <Err>".
func (e *ItemError) Error() string { return "item " + strconv.Itoa(e.Index) + ": " + e.Err.Error() }

// Unwrap returns Err.
func (e *ItemError) Unwrap() error { return e.Err }

// Values turns the exits of a [Settle] run (the collect mode's result) into
// Go's shape: the values in input order and nil when every item succeeded;
// otherwise the values of the items that succeeded (the zero value at the
// others) and an error that joins an *[ItemError] per item that did not, in
// input order, so that errors.Is and errors.As see every item's error.
func Values[E, A any](exits []Exit[E, A]) ([]A, error) {
	out := make([]A, len(exits))
	var errs []error
	for i, x := range exits {
		if x.IsSuccess() {
			out[i] = x.value
			continue
		}
		errs = append(errs, &ItemError{Index: i, Err: errorOf(x.cause)})
	}
	return out, errors.Join(errs...)
}
