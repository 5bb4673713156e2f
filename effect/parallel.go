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
	// limit. With a limit of n, at most n worker fibers take the items in
	// input order, each running one item after the other: not a fiber per
	// item. With or without a limit, a worker is forked only while an item
	// is untaken, so a worker that ends its item before the next worker is
	// forked takes the next item itself: quick items run on fewer fibers
	// than items, while items that block each hold a worker of their own,
	// and every item starts as soon as it is taken. Each item starts with
	// the FiberRef values of the fiber that runs the ForEachPar, not with
	// those that an earlier item on the same worker set.
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
// Cost: at most min(Limit, len(items)) fibers (fewer when workers end
// items before all are taken: see [Par.Limit]), the result slice, and
// nothing per item beyond what f's effect allocates and running it; an item
// whose effect is a plain value ([Succeed]) costs a few nanoseconds.
func ForEachPar[R, E, A, B any](items []A, f func(A) Effect[R, E, B], opts Par) Effect[R, E, []B] {
	if f == nil {
		panic("effect.ForEachPar: f must not be nil")
	}
	return Suspend(func() Effect[R, E, []B] {
		j := newParJob(items, f, opts, false)
		return FlatMap(runJob(j), func(struct{}) Effect[R, E, []B] {
			if c := j.cause(); !c.IsEmpty() {
				return FailCause[R, []B](c)
			}
			return Succeed[R, E](j.out)
		})
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
	return withView(func(v view) Effect[R, E, []Exit[E, B]] {
		j := newParJob(items, f, opts, true)
		return FlatMap(runJob(j), func(struct{}) Effect[R, E, []Exit[E, B]] {
			if j.stop.Load() {
				for i := int(min(j.next.Load(), int64(len(items)))); i < len(items); i++ {
					j.exits[i] = Exit[E, B]{cause: CauseInterrupt[E](v.id(), ErrFailFast)}
				}
			}
			return Succeed[R, E](j.exits)
		})
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

	next atomic.Int64
	stop atomic.Bool  // FailFast: a failure happened; start no more items
	left atomic.Int64 // workers still running

	mu    sync.Mutex
	fails []Indexed[Cause[E]] // the failures, in the order they happened
	done  int                 // progress: items ended
	nfail int                 // progress: items failed
	nstop int                 // progress: items stopped by a FailFast
	// wake resumes the fiber that waits for the run (set once it parks);
	// woken records that the run is over (every worker ended, or a
	// FailFast failure), so that a late wake is not lost.
	wake  func()
	woken bool
}

func newParJob[R, E, A, B any](items []A, f func(A) Effect[R, E, B], opts Par, exits bool) *parJob[R, E, A, B] {
	j := &parJob[R, E, A, B]{items: items, f: f, opts: opts}
	if exits {
		j.exits = make([]Exit[E, B], len(items))
	} else {
		j.out = make([]B, len(items))
	}
	return j
}

// runJob returns the effect that runs j: it forks the workers in the
// current scope and waits until they have all ended, or (FailFast) until an
// item failed, then stops the others with ErrFailFast. If the caller is
// interrupted meanwhile, it interrupts the workers and fails with the
// interruption; in every case the workers have ended when it ends. It
// fails too if a worker ended without finishing its items (its scope was
// closed, so it never started; runtime.Goexit in an item).
func runJob[R, E, A, B any](j *parJob[R, E, A, B]) Effect[R, E, struct{}] {
	n := len(j.items)
	if n == 0 {
		return Unit[R, E]()
	}
	workers := j.opts.Limit
	if workers <= 0 || workers > n {
		workers = n
	}
	j.left.Store(int64(workers))
	// The workers' ops (each keeps the item it runs) and their effects live
	// in two slices: the forks cost a fiber each and two allocations in all.
	ws := make([]parWorker[R, E, A, B], workers)
	effs := make([]Effect[R, E, struct{}], workers)
	for i := range effs {
		ws[i].job = j
		effs[i] = Effect[R, E, struct{}]{op: &ws[i]}
	}
	kids := make([]*Fiber[E, struct{}], workers)
	// A worker is forked only while some item is not taken yet: a worker
	// that ends its item before the parent has forked the next worker takes
	// the next item itself, so quick items need fewer fibers than items.
	// Every item is still taken as soon as a fiber is free for it, and no
	// item waits for another to end unless all are taken.
	fork := &forkAllOp[R, E, struct{}]{effs: effs, dst: kids, end: j.workerEnded, more: j.untaken}
	forks := Effect[R, E, struct{}]{op: fork}
	wait := asyncAs[R]("parallel", func(resume func(Exit[E, struct{}])) func() {
		j.mu.Lock()
		if j.woken {
			j.mu.Unlock()
			resume(Exit[E, struct{}]{})
			return nil
		}
		j.wake = func() { resume(Exit[E, struct{}]{}) }
		j.mu.Unlock()
		return nil
	})
	return UninterruptibleMask(func(restore Restore) Effect[R, E, struct{}] {
		return FlatMap(forks, func(struct{}) Effect[R, E, struct{}] {
			// The workers not forked will not end: count them out.
			kids := kids[:fork.forked]
			if short := workers - fork.forked; short > 0 && j.left.Add(-int64(short)) == 0 {
				j.finish()
			}
			return MatchCauseEffect(restore.Apply(wait),
				func(c Cause[E]) Effect[R, E, struct{}] {
					return stopThen[R](kids, interruptionErr(c), Exit[E, struct{}]{cause: c})
				},
				func(struct{}) Effect[R, E, struct{}] {
					if j.stop.Load() {
						return stopFibers[R, E](kids, ErrFailFast)
					}
					// Workers end with a success once the items run out;
					// anything else left items undone.
					var lost Cause[E]
					for _, k := range kids {
						if ex, _ := k.Poll(); ex.IsFailure() {
							lost = lost.Both(ex.cause)
						}
					}
					if !lost.IsEmpty() {
						return FailCause[R, struct{}](lost)
					}
					return Unit[R, E]()
				})
		})
	})
}

// untaken reports whether some item is still to be taken by a worker (and
// the run has not been stopped by a FailFast failure).
func (j *parJob[R, E, A, B]) untaken() bool {
	if untakenPause != nil {
		untakenPause()
	}
	return !j.stop.Load() && j.next.Load() < int64(len(j.items))
}

// untakenPause, if set, is called by untaken before it answers: a test
// hook (nil outside the package's tests, set only while no fiber runs) that
// lets the workers forked so far run first, so that the tests meet the
// case where workers take every item before the parent forks another.
var untakenPause func()

// workerEnded counts a worker's end and wakes the waiting fiber after the
// last one.
func (j *parJob[R, E, A, B]) workerEnded() {
	if j.left.Add(-1) == 0 {
		j.finish()
	}
}

// finish marks the run as over and wakes the fiber that waits for it.
func (j *parJob[R, E, A, B]) finish() {
	j.mu.Lock()
	if j.woken {
		j.mu.Unlock()
		return
	}
	j.woken = true
	wake := j.wake
	j.mu.Unlock()
	if wake != nil {
		wake()
	}
}

// stopFibers returns an effect that interrupts every fiber of kids for why,
// then waits for them all to end, uninterruptibly.
func stopFibers[R, E, A any](kids []*Fiber[E, A], why error) Effect[R, E, struct{}] {
	return stopThen[R](kids, why, Exit[E, struct{}]{})
}

// stopThen is stopFibers followed by ending as ex, in one node.
func stopThen[R, E, K, A any](kids []*Fiber[E, K], why error, ex Exit[E, A]) Effect[R, E, A] {
	return Effect[R, E, A]{op: &stopAllOp[R, E, K, A]{kids: kids, why: why, ex: ex}}
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
	first := j.opts.Mode == FailFast && !j.stop.Load()
	if first {
		j.stop.Store(true)
	}
	j.mu.Unlock()
	if first {
		j.finish()
	}
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

// parWorker is the loop op (ops.go) that each worker fiber runs: it takes
// the next item, runs its effect through runSub with itself as the
// continuation, records the outcome and hands itself back to the run loop
// (which checks for interruption there), with no allocation of its own per
// item.
//
// Each item starts with the FiberRef values the worker was forked with:
// what an item sets is not seen by the next item of the same worker.
type parWorker[R, E, A, B any] struct {
	job   *parJob[R, E, A, B]
	cur   int       // the item whose effect runs
	refs  *refTable // the worker's FiberRef values at its first item
	based bool      // refs is set
}

func (w *parWorker[R, E, A, B]) step(f *fiber, env R) (Effect[R, E, struct{}], Cause[E], status) {
	j := w.job
	n := int64(len(j.items))
	if !w.based {
		w.refs, w.based = f.refs, true
	} else {
		f.refs = w.refs
	}
	for {
		if j.stop.Load() {
			return Effect[R, E, struct{}]{}, Cause[E]{}, stCont
		}
		i64 := j.next.Add(1) - 1
		if i64 >= n {
			return Effect[R, E, struct{}]{}, Cause[E]{}, stCont
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
		w.cur = i
		return runSub(f, env, env, e, w)
	}
}

func (w *parWorker[R, E, A, B]) after(_ *fiber, _ R, b B, c Cause[E], failed bool) (Effect[R, E, struct{}], Cause[E], status) {
	if failed {
		w.job.fail(w.cur, c, true)
	} else {
		w.job.succeed(w.cur, b)
	}
	return Effect[R, E, struct{}]{op: w}, Cause[E]{}, stCont
}

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
