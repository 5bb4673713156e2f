package layer

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gogoscope/gogoscope/effect"
)

// Error reports which layer failed, and whether building it or releasing
// one of its resources failed. It wraps the failure, so [errors.Is] and
// [errors.As] still find the original error.
//
// A layer's expected failure of type E is replaced by an *Error when E can
// hold one (E = error, the common case); otherwise the failure keeps its
// type inside the effect, and [Build] names the layer at the Go edge. A
// defect (a panic in a constructor or a release) always carries an *Error
// as its value. Interruptions are never wrapped: an interrupted layer did
// not fail.
type Error struct {
	// Layer is the name of the layer (see [Layer.Named]).
	Layer string
	// Op is "build" for a failing constructor, "release" for a failing
	// finalizer.
	Op string
	// Err is the failure: the constructor's or finalizer's error, an
	// [*effect.FailureError] for a failure type that is not an error, or
	// the value of a defect.
	Err error
}

// Error returns `layer: <op> "<name>": <err>`.
func (e *Error) Error() string {
	return "layer: " + e.Op + " " + strconv.Quote(e.Layer) + ": " + e.Err.Error()
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// named returns e with its failures named after the layer name (op
// "build"); see [Error].
func named[R, E, A any](st *buildState, name func() string, e effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	return effect.CatchCause(e, func(c effect.Cause[E]) effect.Effect[R, E, A] {
		return effect.FailCause[R, A](nameCause(st, "build", name, c))
	})
}

// namedRelease returns the release effect rel with its failures named
// after the layer name (op "release").
func namedRelease[R, E, A any](name func() string, rel effect.Effect[R, E, A]) effect.Effect[R, E, A] {
	return effect.CatchCause(rel, func(c effect.Cause[E]) effect.Effect[R, E, A] {
		return effect.FailCause[R, A](nameCause(nil, "release", name, c))
	})
}

// nameCause returns c with each failure and defect that does not already
// name a layer wrapped in an [*Error]; interruptions are kept as they are.
// A failure whose type cannot hold an *Error is kept too, and its layer
// noted in st (when st is not nil).
func nameCause[E any](st *buildState, op string, name func() string, c effect.Cause[E]) effect.Cause[E] {
	switch c.Kind() {
	case effect.Then:
		return nameCause(st, op, name, c.Left()).Then(nameCause(st, op, name, c.Right()))
	case effect.Both:
		return nameCause(st, op, name, c.Left()).Both(nameCause(st, op, name, c.Right()))
	case effect.Failed:
		e, _ := c.Failure()
		err := failureErr(e)
		if namesLayer(err) {
			return c
		}
		if w, ok := any(&Error{Layer: name(), Op: op, Err: err}).(E); ok {
			return effect.CauseFail(w)
		}
		if st != nil {
			st.noteFailed(name())
		}
		return c
	case effect.Died:
		d := c.Defects()[0]
		err, ok := d.Value.(error)
		if !ok {
			err = fmt.Errorf("%v", d.Value)
		}
		if namesLayer(err) {
			return c
		}
		return effect.CauseDie[E](&effect.Defect{Value: &Error{Layer: name(), Op: op, Err: err}, Stack: d.Stack})
	}
	return c
}

func namesLayer(err error) bool {
	var le *Error
	return errors.As(err, &le)
}

func failureErr[E any](e E) error {
	if err, ok := any(e).(error); ok && err != nil {
		return err
	}
	return &effect.FailureError[E]{Value: e}
}
