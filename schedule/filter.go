package schedule

import (
	"fmt"
	"reflect"
	"time"
)

// WhileInput returns a schedule that decides like s but also stops as soon as pred reports false
// for the input of a decision. With a retry the input is the attempt's error, so this is
// go-go-scope's retryCondition:
//
//	schedule.WhileInput(s, func(err error) bool { return !errors.Is(err, ErrNotFound) })
//
// pred is called once per decision, before s decides; s advances either way and the output is that
// of s. An input that is not an In is a programming error: WhileInput panics with a message naming
// both types (a nil input counts as the zero In when In is an interface type such as error).
// [Schedule.WhileInput] is the same as a method.
func WhileInput[In, Out any](s Schedule[Out], pred func(In) bool) Schedule[Out] {
	return Schedule[Out]{root: inputFilter[In, Out]{inner: s.node(), pred: pred, want: true, name: "WhileInput"}, clock: s.clock}
}

// WhileInput returns s stopped by the first input for which pred is false; see [WhileInput].
func (s Schedule[Out]) WhileInput[In any](pred func(In) bool) Schedule[Out] {
	return WhileInput(s, pred)
}

// UntilInput returns a schedule that decides like s but also stops as soon as pred reports true
// for the input of a decision: the negation of [WhileInput], with the same rules. For example, stop
// retrying at the first permanent error:
//
//	schedule.UntilInput(s, func(err error) bool { return errors.Is(err, ErrForbidden) })
//
// [Schedule.UntilInput] is the same as a method.
func UntilInput[In, Out any](s Schedule[Out], pred func(In) bool) Schedule[Out] {
	return Schedule[Out]{root: inputFilter[In, Out]{inner: s.node(), pred: pred, want: false, name: "UntilInput"}, clock: s.clock}
}

// UntilInput returns s stopped by the first input for which pred is true; see [UntilInput].
func (s Schedule[Out]) UntilInput[In any](pred func(In) bool) Schedule[Out] {
	return UntilInput(s, pred)
}

type inputFilter[In, Out any] struct {
	inner node[Out]
	pred  func(In) bool
	want  bool
	name  string
}

func (f inputFilter[In, Out]) start(e *env) step[Out] {
	return &inputFilterStep[In, Out]{inner: f.inner.start(e), pred: f.pred, want: f.want, name: f.name}
}

type inputFilterStep[In, Out any] struct {
	inner step[Out]
	pred  func(In) bool
	want  bool
	name  string
}

func (f *inputFilterStep[In, Out]) next(now time.Time, in any) (time.Duration, Out, bool) {
	pass := f.pred(inputAs[In](in, f.name)) == f.want
	d, out, ok := f.inner.next(now, in)
	return d, out, ok && pass
}

func (f *inputFilterStep[In, Out]) reset(now time.Time) {
	f.inner.reset(now)
}

// inputAs returns in as an In, a nil in as the zero In when In is an interface type, and panics
// otherwise, naming the function fn.
func inputAs[In any](in any, fn string) In {
	if v, ok := in.(In); ok {
		return v
	}
	var zero In
	if in == nil && any(zero) == nil {
		return zero
	}
	panic(fmt.Sprintf("schedule: %s: got an input of type %T, want %v", fn, in, reflect.TypeFor[In]()))
}

// WhileOutput returns a schedule that decides like s but also stops as soon as pred reports false
// for the output of s. For example, an exponential backoff that gives up once the delay reaches a
// minute:
//
//	schedule.Exponential(time.Second).WhileOutput(func(d time.Duration) bool { return d < time.Minute })
//
// [WhileOutput] is the same as a function.
func (s Schedule[Out]) WhileOutput(pred func(Out) bool) Schedule[Out] {
	return WhileOutput(s, pred)
}

// WhileOutput returns s stopped by the first output for which pred is false; see
// [Schedule.WhileOutput].
func WhileOutput[Out any](s Schedule[Out], pred func(Out) bool) Schedule[Out] {
	return Schedule[Out]{root: outputFilter[Out]{inner: s.node(), pred: pred, want: true}, clock: s.clock}
}

// UntilOutput returns a schedule that decides like s but also stops as soon as pred reports true
// for the output of s: the negation of [Schedule.WhileOutput]. [UntilOutput] is the same as a
// function.
func (s Schedule[Out]) UntilOutput(pred func(Out) bool) Schedule[Out] {
	return UntilOutput(s, pred)
}

// UntilOutput returns s stopped by the first output for which pred is true; see
// [Schedule.UntilOutput].
func UntilOutput[Out any](s Schedule[Out], pred func(Out) bool) Schedule[Out] {
	return Schedule[Out]{root: outputFilter[Out]{inner: s.node(), pred: pred, want: false}, clock: s.clock}
}

type outputFilter[Out any] struct {
	inner node[Out]
	pred  func(Out) bool
	want  bool
}

func (f outputFilter[Out]) start(e *env) step[Out] {
	return &outputFilterStep[Out]{inner: f.inner.start(e), pred: f.pred, want: f.want}
}

type outputFilterStep[Out any] struct {
	inner step[Out]
	pred  func(Out) bool
	want  bool
}

func (f *outputFilterStep[Out]) next(now time.Time, in any) (time.Duration, Out, bool) {
	d, out, ok := f.inner.next(now, in)
	if ok && f.pred(out) != f.want {
		return 0, out, false
	}
	return d, out, ok
}

func (f *outputFilterStep[Out]) reset(now time.Time) {
	f.inner.reset(now)
}
