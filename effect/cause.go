package effect

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// CauseKind tells what a [Cause] node is.
type CauseKind uint8

// The kinds of cause nodes. A zero [Cause] is Empty.
const (
	// Empty is the cause of nothing: no failure happened.
	Empty CauseKind = iota
	// Failed is an expected, typed failure: the E of Effect[R, E, A].
	Failed
	// Died is a defect: a panic, or a failure that was not expected (see [Die]).
	Died
	// Interrupted is an interruption, by the fiber that requested it.
	Interrupted
	// Then joins two causes that happened one after the other, such as a
	// failure and then a failing finalizer.
	Then
	// Both joins two causes that happened in parallel, such as the failures
	// of two racing fibers.
	Both
)

// String returns the kind's name.
func (k CauseKind) String() string {
	switch k {
	case Empty:
		return "Empty"
	case Failed:
		return "Fail"
	case Died:
		return "Die"
	case Interrupted:
		return "Interrupt"
	case Then:
		return "Then"
	case Both:
		return "Both"
	}
	return fmt.Sprintf("CauseKind(%d)", uint8(k))
}

// Cause is the full story of why an effect did not succeed: expected failures
// of type E, defects (panics, with the stack where they happened) and
// interruptions, joined in sequence ([Cause.Then]) and in parallel
// ([Cause.Both]). Nothing is dropped: a finalizer's failure is joined after
// the failure it ran for, never in its place.
//
// Cause is an immutable value; the zero Cause is empty. It implements error:
// [errors.Is] and [errors.As] see every leaf (see [Cause.Unwrap]).
type Cause[E any] struct {
	n *causeNode[E]
}

type causeNode[E any] struct {
	kind   CauseKind
	err    E
	defect *Defect
	by     FiberID
	reason error
	left   *causeNode[E]
	right  *causeNode[E]
}

// Defect is a failure that was not expected: a recovered panic or a value
// passed to [Die]. Stack is the goroutine stack where it happened.
type Defect struct {
	// Value is the panic value or the value given to [Die].
	Value any
	// Stack is the stack trace captured where the defect happened.
	Stack string
}

// Error returns "effect: defect: " and the value.
func (d *Defect) Error() string { return fmt.Sprintf("effect: defect: %v", d.Value) }

// Unwrap returns Value when it is an error.
func (d *Defect) Unwrap() error {
	if err, ok := d.Value.(error); ok {
		return err
	}
	return nil
}

func newDefect(v any, skip int) *Defect {
	if d, ok := v.(*Defect); ok {
		return d
	}
	_ = skip
	return &Defect{Value: v, Stack: string(debug.Stack())}
}

// CauseFail returns the cause of an expected failure with e.
func CauseFail[E any](e E) Cause[E] {
	return Cause[E]{&causeNode[E]{kind: Failed, err: e}}
}

// CauseDie returns the cause of a defect with the value v. The stack where
// CauseDie is called is recorded, unless v is already a *[Defect].
func CauseDie[E any](v any) Cause[E] {
	return Cause[E]{&causeNode[E]{kind: Died, defect: newDefect(v, 1)}}
}

func causeDefect[E any](d *Defect) Cause[E] {
	return Cause[E]{&causeNode[E]{kind: Died, defect: d}}
}

// CauseInterrupt returns the cause of an interruption requested by the fiber
// by (0 for an interruption from outside the runtime), for the reason given
// (nil when there is none to tell).
func CauseInterrupt[E any](by FiberID, reason error) Cause[E] {
	return Cause[E]{&causeNode[E]{kind: Interrupted, by: by, reason: reason}}
}

// Then returns c followed by next. An empty side is dropped.
func (c Cause[E]) Then(next Cause[E]) Cause[E] {
	switch {
	case c.n == nil:
		return next
	case next.n == nil:
		return c
	}
	return Cause[E]{&causeNode[E]{kind: Then, left: c.n, right: next.n}}
}

// Both returns c and other joined as parallel causes. An empty side is
// dropped.
func (c Cause[E]) Both(other Cause[E]) Cause[E] {
	switch {
	case c.n == nil:
		return other
	case other.n == nil:
		return c
	}
	return Cause[E]{&causeNode[E]{kind: Both, left: c.n, right: other.n}}
}

// Kind returns the kind of the cause's root node.
func (c Cause[E]) Kind() CauseKind {
	if c.n == nil {
		return Empty
	}
	return c.n.kind
}

// IsEmpty reports whether the cause holds nothing.
func (c Cause[E]) IsEmpty() bool { return c.n == nil }

// Left returns the first part of a [Then] or [Both] cause, and the empty
// cause for any other kind.
func (c Cause[E]) Left() Cause[E] {
	if c.n == nil {
		return c
	}
	return Cause[E]{c.n.left}
}

// Right returns the second part of a [Then] or [Both] cause, and the empty
// cause for any other kind.
func (c Cause[E]) Right() Cause[E] {
	if c.n == nil {
		return c
	}
	return Cause[E]{c.n.right}
}

// each calls f on every leaf, left to right, depth first, until f returns false.
func (n *causeNode[E]) each(f func(*causeNode[E]) bool) bool {
	if n == nil {
		return true
	}
	switch n.kind {
	case Then, Both:
		return n.left.each(f) && n.right.each(f)
	}
	return f(n)
}

// Failures returns every expected failure in the cause, left to right.
func (c Cause[E]) Failures() []E {
	var out []E
	c.n.each(func(n *causeNode[E]) bool {
		if n.kind == Failed {
			out = append(out, n.err)
		}
		return true
	})
	return out
}

// Failure returns the first expected failure in the cause, if any.
func (c Cause[E]) Failure() (E, bool) {
	var (
		e     E
		found bool
	)
	c.n.each(func(n *causeNode[E]) bool {
		if n.kind == Failed {
			e, found = n.err, true
			return false
		}
		return true
	})
	return e, found
}

// Defects returns every defect in the cause, left to right.
func (c Cause[E]) Defects() []*Defect {
	var out []*Defect
	c.n.each(func(n *causeNode[E]) bool {
		if n.kind == Died {
			out = append(out, n.defect)
		}
		return true
	})
	return out
}

// Interruptors returns the fibers that requested the interruptions in the
// cause, left to right (0 stands for an interruption from outside).
func (c Cause[E]) Interruptors() []FiberID {
	var out []FiberID
	c.n.each(func(n *causeNode[E]) bool {
		if n.kind == Interrupted {
			out = append(out, n.by)
		}
		return true
	})
	return out
}

func (c Cause[E]) has(k CauseKind) bool {
	return !c.n.each(func(n *causeNode[E]) bool { return n.kind != k })
}

// IsFailure reports whether the cause holds an expected failure.
func (c Cause[E]) IsFailure() bool { return c.has(Failed) }

// IsDefect reports whether the cause holds a defect.
func (c Cause[E]) IsDefect() bool { return c.has(Died) }

// IsInterrupted reports whether the cause holds an interruption.
func (c Cause[E]) IsInterrupted() bool { return c.has(Interrupted) }

// IsInterruptedOnly reports whether the cause is not empty and holds nothing
// but interruptions.
func (c Cause[E]) IsInterruptedOnly() bool {
	return c.n != nil && c.n.each(func(n *causeNode[E]) bool { return n.kind == Interrupted })
}

// onlyFailures reports whether the cause holds at least one expected failure
// and no defect nor interruption: the causes that [Catch] handles.
func (c Cause[E]) onlyFailures() bool {
	return c.n != nil && c.n.each(func(n *causeNode[E]) bool { return n.kind == Failed })
}

// MapCause returns c with every expected failure replaced by f of it; the
// structure, defects and interruptions are kept.
func MapCause[E, E2 any](c Cause[E], f func(E) E2) Cause[E2] {
	return Cause[E2]{mapNode(c.n, f)}
}

func mapNode[E, E2 any](n *causeNode[E], f func(E) E2) *causeNode[E2] {
	if n == nil {
		return nil
	}
	m := &causeNode[E2]{kind: n.kind, defect: n.defect, by: n.by, reason: n.reason}
	switch n.kind {
	case Failed:
		m.err = f(n.err)
	case Then, Both:
		m.left, m.right = mapNode(n.left, f), mapNode(n.right, f)
	}
	return m
}

// Erase returns c with its failure type erased to any.
func (c Cause[E]) Erase() Cause[any] {
	return MapCause(c, func(e E) any { return e })
}

// asDefects turns every expected failure of c into a defect whose value is
// the failure, keeping defects and interruptions: what [Effect.OrDie] does.
func asDefects[E, E2 any](c Cause[E]) Cause[E2] {
	return Cause[E2]{mapDie[E, E2](c.n, func(e E) *Defect { return newDefect(failureErr(e), 0) })}
}

func mapDie[E, E2 any](n *causeNode[E], f func(E) *Defect) *causeNode[E2] {
	if n == nil {
		return nil
	}
	m := &causeNode[E2]{kind: n.kind, defect: n.defect, by: n.by, reason: n.reason}
	switch n.kind {
	case Failed:
		m.kind, m.defect = Died, f(n.err)
	case Then, Both:
		m.left, m.right = mapDie[E, E2](n.left, f), mapDie[E, E2](n.right, f)
	}
	return m
}

// stripFailures returns c without its expected failures, so it can be
// retyped: used where failures were handled but defects and interruptions
// must still travel on.
func stripFailures[E, E2 any](c Cause[E]) Cause[E2] {
	var out Cause[E2]
	c.n.each(func(n *causeNode[E]) bool {
		switch n.kind {
		case Died:
			out = out.Then(causeDefect[E2](n.defect))
		case Interrupted:
			out = out.Then(CauseInterrupt[E2](n.by, n.reason))
		}
		return true
	})
	return out
}

func failureErr[E any](e E) error {
	if err, ok := any(e).(error); ok && err != nil {
		return err
	}
	return &FailureError[E]{Value: e}
}

func (n *causeNode[E]) leafErr() error {
	switch n.kind {
	case Failed:
		return failureErr(n.err)
	case Died:
		return n.defect
	case Interrupted:
		return newInterruptedError(n.by, n.reason)
	}
	return nil
}

// Unwrap returns one error per leaf, left to right: a failure as itself when
// E is an error (else as a *[FailureError]), a defect as a *[Defect], an
// interruption as an *[InterruptedError]. So [errors.Is] and [errors.As] find
// a typed failure, match an interruption to [context.Canceled] and a
// [TimeoutError] to [context.DeadlineExceeded].
func (c Cause[E]) Unwrap() []error {
	var out []error
	c.n.each(func(n *causeNode[E]) bool {
		out = append(out, n.leafErr())
		return true
	})
	return out
}

// Error returns the cause on one line.
func (c Cause[E]) Error() string {
	var b strings.Builder
	c.n.line(&b)
	return b.String()
}

func (n *causeNode[E]) line(b *strings.Builder) {
	if n == nil {
		b.WriteString("effect: empty cause")
		return
	}
	switch n.kind {
	case Then, Both:
		sep := "; then "
		if n.kind == Both {
			sep = " | "
		}
		n.left.line(b)
		b.WriteString(sep)
		n.right.line(b)
	default:
		b.WriteString(n.leafErr().Error())
	}
}

// String returns the cause pretty-printed as an indented tree; defects carry
// their stack.
func (c Cause[E]) String() string {
	var b strings.Builder
	c.n.pretty(&b, "")
	return strings.TrimRight(b.String(), "\n")
}

func (n *causeNode[E]) pretty(b *strings.Builder, indent string) {
	if n == nil {
		b.WriteString(indent + "Empty\n")
		return
	}
	switch n.kind {
	case Failed:
		fmt.Fprintf(b, "%sFail: %v\n", indent, any(n.err))
	case Died:
		fmt.Fprintf(b, "%sDie: %v\n", indent, n.defect.Value)
		for _, l := range strings.Split(strings.TrimRight(n.defect.Stack, "\n"), "\n") {
			if l != "" {
				b.WriteString(indent + "  │ " + l + "\n")
			}
		}
	case Interrupted:
		fmt.Fprintf(b, "%s%s\n", indent, strings.TrimPrefix(n.leafErr().Error(), "effect: "))
	case Then, Both:
		title := "Sequential:"
		if n.kind == Both {
			title = "Parallel:"
		}
		b.WriteString(indent + title + "\n")
		n.left.pretty(b, indent+"  ")
		n.right.pretty(b, indent+"  ")
	}
}

// errorOf is what running an effect from plain Go returns for a cause: a lone
// failure that is an error is returned as itself; anything else as the Cause,
// whose Unwrap exposes every leaf.
func errorOf[E any](c Cause[E]) error {
	if c.n == nil {
		return nil
	}
	if c.n.kind == Failed {
		if err, ok := any(c.n.err).(error); ok && err != nil {
			return err
		}
	}
	return c
}

var _ error = Cause[int]{}
