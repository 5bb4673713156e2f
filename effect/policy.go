package effect

import (
	"errors"
	"fmt"
	"sync"

	"github.com/gogoscope/gogoscope/internal/waitq"
)

// Policy decides when the fibers forked in a scope may run: go-go-scope's
// scope({ concurrency, circuitBreaker }). A scope carries policies when it
// is made with [WithPolicy] ([Runtime.NewScope], [ScopedWith], [MakeScope]);
// every fiber forked in it, or in a scope opened inside it, is admitted by
// each of them before its effect runs, without wrapping each call.
// resource.Semaphore (a concurrency limit) and resource.CircuitBreaker
// implement it; [PolicyFunc] makes one of a function.
//
// Admit returns an effect that runs on the new fiber, before its effect: it
// waits, interruptibly, until the fiber may run, and succeeds with the
// [Release] that gives back what it took, or fails with the error that
// refuses the fiber (a *resource.BreakerOpenError). If the wait is
// interrupted it must give back anything it took. Admit itself is called on
// the new fiber, when its turn has come.
//
// The rules, fixed for every policy:
//
//   - Only forks. A policy admits the fibers forked in its scope ([Fork],
//     [ForkIn], and the fibers of [Race], [ForEachPar], [All]), not the
//     effect that runs the scope: that effect is the one that forks, and
//     with a limit of one it would hold the only permit its children wait
//     for. Nor does it admit the fibers that an admitted fiber forks in its
//     own scope: those run within their parent's admission (a fiber's own
//     scope carries no policy), so nested work cannot deadlock on the
//     permit its parent holds. Forks into the scope from elsewhere
//     ([ForkIn]) are admitted; daemons ([ForkDaemon]) are not.
//   - In fork order. Fibers forked in a scope take their place in its line
//     when they are forked and are admitted one after the other in that
//     order: a fiber asks the policies only when every fiber forked before
//     it has been admitted, refused, or has left the line. So a
//     concurrency limit starts fibers in fork order, whatever the
//     scheduler does.
//   - Nesting stacks. A scope opened inside a scope with policies has its
//     own policies, then its parent's: a fiber is admitted by the inner
//     ones first, then the outer ones, and released in the reverse order.
//     Inner first, so that a fiber never holds a permit of the wider
//     limit while it waits for the narrower one (which would leave the
//     wider limit's capacity idle), and an inner breaker refuses before
//     the fiber queues for an outer permit. Every fiber takes its scopes'
//     policies in that one order, so admissions cannot wait on each
//     other in a cycle. Policies of one scope are asked in the order
//     given to [WithPolicy].
//   - Releases learn the outcome. Once the fiber has ended and its own scope
//     has closed (its children ended, its finalizers run), each Release is
//     called with nil on success, or the error that the fiber's end reads
//     as from plain Go; [IsInterruption] tells an interruption (which says
//     nothing of the service the fiber called) from a failure.
//   - Refusals. A fiber that a policy refuses never runs its effect. If
//     the refusal error fits the fiber's failure type E (E is error, any,
//     or the refusal's own type), the fiber fails with it, so [Join] and
//     [Run] return it and errors.Is(err, resource.ErrBreakerOpen) holds.
//     Otherwise the fiber ends interrupted, with the refusal as the reason
//     ([InterruptedError.Reason]), as a fiber forked into a closed scope
//     does: it never started; a refusal is not a bug, so it is not a
//     defect, and a type E of the user's own cannot be made up. The
//     policies that had admitted it before the refusal are released with
//     an interruption whose reason is the refusal.
//   - Interruption while waiting. A fiber interrupted in the line, or while
//     a policy makes it wait (its scope closes, [Interrupt]), leaves at
//     once; the policies that had admitted it are released with the
//     interruption, before the next fiber in the line is asked, and the
//     one it was waiting for gives back nothing it did not take. A panic
//     in a policy's Admit is a defect of the fiber, which never runs; the
//     policies that had admitted it are released with an interruption.
//
// Cost: nothing for a scope without policies. Under policies, a fork takes a
// place in the line (one small allocation and a lock), and the new fiber
// runs the admissions and registers one finalizer in its own scope.
type Policy interface {
	// Admit returns the admission of one fiber: see [Policy].
	Admit() Effect[any, error, Release]
}

// Release gives back what a [Policy] took to admit a fiber. It is called
// once, on the fiber, uninterruptibly, after the fiber ended: with nil if it
// succeeded, and otherwise with the error its end reads as from plain Go
// (see [IsInterruption]). It must not block for long. A panic in it is a
// defect of the fiber, joined after its outcome; the other releases still
// run.
type Release func(err error)

// PolicyFunc is a [Policy] made of a function: the function is its Admit.
type PolicyFunc func() Effect[any, error, Release]

// Admit calls f.
func (f PolicyFunc) Admit() Effect[any, error, Release] { return f() }

// ScopeOption configures a scope made by [Runtime.NewScope], [ScopedWith] or
// [MakeScope].
type ScopeOption func(*scopeOptions)

type scopeOptions struct{ policies []Policy }

// WithPolicy returns a [ScopeOption] that makes the scope admit every fiber
// forked in it, and in the scopes opened inside it, with ps, in that order
// (see [Policy]). Several WithPolicy options add up. It panics if a policy is
// nil.
func WithPolicy(ps ...Policy) ScopeOption {
	for i, p := range ps {
		if p == nil {
			panic(fmt.Sprintf("effect.WithPolicy: policy %d is nil", i))
		}
	}
	ps = append([]Policy(nil), ps...)
	return func(o *scopeOptions) { o.policies = append(o.policies, ps...) }
}

// ScopedWith returns an effect that runs e in a new scope configured by
// opts, as [Scoped] does: e.ScopedWith(effect.WithPolicy(limit, breaker))
// runs e in a scope whose forks the limit and the breaker admit. It panics
// if an option is nil.
func ScopedWith[R, E, A any](e Effect[R, E, A], opts ...ScopeOption) Effect[R, E, A] {
	checkOptions("effect.ScopedWith", opts)
	return scoped(e, opts)
}

// ScopedWith is the method form of [ScopedWith].
func (e Effect[R, E, A]) ScopedWith(opts ...ScopeOption) Effect[R, E, A] {
	checkOptions("effect.Effect.ScopedWith", opts)
	return scoped(e, opts)
}

func checkOptions(fn string, opts []ScopeOption) {
	for i, o := range opts {
		if o == nil {
			panic(fmt.Sprintf("%s: option %d is nil", fn, i))
		}
	}
}

// Policies returns the policies that admit the fibers forked in the scope,
// in the order they are asked: its own, then its parent's; nil if none.
func (s *Scope) Policies() []Policy {
	if s.policies == nil {
		return nil
	}
	return append([]Policy(nil), s.policies.policies...)
}

// apply configures a new scope, before anyone can fork in it.
func (s *Scope) apply(opts []ScopeOption) {
	if len(opts) == 0 {
		return
	}
	var o scopeOptions
	for i, opt := range opts {
		if opt == nil {
			panic(fmt.Sprintf("effect.Scope: option %d is nil", i))
		}
		opt(&o)
	}
	if len(o.policies) == 0 {
		return
	}
	all := o.policies
	if s.policies != nil {
		all = append(all, s.policies.policies...)
	}
	s.policies = &policySet{policies: all}
}

// IsInterruption reports whether err is an interruption and nothing else:
// an [*InterruptedError], or a [Cause] whose every leaf is an interruption.
// A [Release] uses it to tell a fiber that was stopped (by its scope, a
// race, a timeout, a refusal of another policy) from one that failed.
func IsInterruption(err error) bool {
	if err == nil {
		return false
	}
	if c, ok := err.(interface{ IsInterruptedOnly() bool }); ok {
		return c.IsInterruptedOnly()
	}
	var ie *InterruptedError
	return errors.As(err, &ie)
}

// policySet is the policies of a scope (its own, then its parent's) and the
// line of the fibers forked under them. Scopes opened inside share it until
// they add policies of their own.
type policySet struct {
	policies []Policy
	line     admitLine
}

// admitLine keeps the fibers forked under a policySet in fork order: a fiber
// takes its place when it is forked (on the forking fiber) and asks the
// policies once it is at the front.
type admitLine struct {
	mu sync.Mutex
	q  waitq.Queue[func()] // the places; a place's value wakes its fiber
}

// join takes a place at the back of the line.
func (l *admitLine) join() *waitq.Node[func()] {
	n := &waitq.Node[func()]{}
	l.mu.Lock()
	l.q.Push(n)
	l.mu.Unlock()
	return n
}

// wait returns an effect that waits until n is at the front of the line.
func waitTurn[R, E any](l *admitLine, n *waitq.Node[func()]) Effect[R, E, struct{}] {
	return asyncAs[R]("admission", func(resume func(Exit[E, struct{}])) func() {
		l.mu.Lock()
		if l.q.Front() == n || !n.Queued() {
			l.mu.Unlock()
			resume(Exit[E, struct{}]{})
			return nil
		}
		n.Value = func() { resume(Exit[E, struct{}]{}) }
		l.mu.Unlock()
		return func() { l.leave(n) }
	})
}

// leave takes n out of the line, if it is still there, and wakes the fiber
// whose place comes to the front.
func (l *admitLine) leave(n *waitq.Node[func()]) {
	l.mu.Lock()
	front := l.q.Front() == n
	if !l.q.Remove(n) || !front {
		l.mu.Unlock()
		return
	}
	var wake func()
	if next := l.q.Front(); next != nil {
		wake, next.Value = next.Value, nil
	}
	l.mu.Unlock()
	if wake != nil {
		wake()
	}
}

// admitted returns the effect that a fiber forked under ps runs: it waits
// for its turn at place n of the line, is admitted by each policy in turn,
// leaves the line, registers the releases in its own scope and runs e
// interruptibly. The fiber starts uninterruptible, so this always runs (and
// always leaves the line); its waits are interruptible.
func admitted[R, E, A any](ps *policySet, n *waitq.Node[func()], e Effect[R, E, A]) Effect[R, E, A] {
	line := &ps.line
	var rels []Release // the fiber's own: this effect runs once
	var admit func(i int) Effect[R, E, A]
	admit = func(i int) Effect[R, E, A] {
		if i == len(ps.policies) {
			line.leave(n)
			all := rels
			return AndThen(AddFinalizer(func(err error) Effect[R, E, struct{}] {
				return Suspend(func() Effect[R, E, struct{}] {
					if d := releaseAll(all, err); d != nil {
						return FailCause[R, struct{}](causeDefect[E](d))
					}
					return Unit[R, E]()
				})
			}), Interruptible(e))
		}
		p := ps.policies[i]
		adm := ProvideFrom[R](Suspend(p.Admit), func(R) any { return nil })
		return MatchCauseEffect(Interruptible(adm),
			func(c Cause[error]) Effect[R, E, A] {
				// Release what admitted this fiber before the next in line
				// is asked: a policy that limits sees its slot back first.
				cause, err := refusal[E](c)
				if d := releaseAll(rels, err); d != nil {
					cause = cause.Then(causeDefect[E](d))
				}
				line.leave(n)
				return FailCause[R, A](cause)
			},
			func(rel Release) Effect[R, E, A] {
				if rel != nil {
					rels = append(rels, rel)
				}
				return admit(i + 1)
			})
	}
	return MatchCauseEffect(Interruptible(waitTurn[R, E](line, n)),
		func(c Cause[E]) Effect[R, E, A] {
			line.leave(n)
			return FailCause[R, A](c)
		},
		func(struct{}) Effect[R, E, A] { return admit(0) })
}

// refusal returns the cause of a fiber whose admission ended with c, and
// the error that the policies which had admitted it are released with: an
// interruption, as the fiber never ran. A failure is a refusal: the fiber fails with it if E can hold it, and is
// interrupted with it as the reason otherwise (see Policy); interruptions
// and defects stay as they are.
func refusal[E any](c Cause[error]) (Cause[E], error) {
	rest := stripFailures[error, E](c)
	fs := c.Failures()
	if len(fs) == 0 {
		if c.IsInterruptedOnly() {
			return rest, errorOf(c)
		}
		// A defect of the admission: the fiber never ran either.
		return rest, newInterruptedError(0, errorOf(c))
	}
	err := fs[0]
	if len(fs) > 1 {
		err = errors.Join(fs...)
	}
	var out Cause[E]
	if v, ok := any(err).(E); ok {
		out = CauseFail(v)
	} else {
		out = CauseInterrupt[E](0, err)
	}
	return out.Then(rest), newInterruptedError(0, err)
}

// releaseAll calls the releases newest first, each once, whatever the
// others do, and returns the defect of the first that panicked.
func releaseAll(rels []Release, err error) (d *Defect) {
	for i := len(rels) - 1; i >= 0; i-- {
		if x := callRelease(rels[i], err); x != nil && d == nil {
			d = x
		}
	}
	return d
}

func callRelease(rel Release, err error) (d *Defect) {
	defer func() {
		if r := recover(); r != nil {
			d = newDefect(r, 0)
		}
	}()
	rel(err)
	return nil
}
