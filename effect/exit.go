package effect

import "fmt"

// Exit is how an effect ended: a success with a value of type A, or a
// failure with a non-empty [Cause]. The zero Exit is a success with the zero
// value.
type Exit[E, A any] struct {
	value A
	cause Cause[E]
}

// Succeeded returns the exit of a success with a.
func Succeeded[E, A any](a A) Exit[E, A] { return Exit[E, A]{value: a} }

// FailedWith returns the exit of a failure with cause c. An empty cause is
// turned into a defect, because a failure must say why.
func FailedWith[E, A any](c Cause[E]) Exit[E, A] {
	if c.IsEmpty() {
		c = CauseDie[E]("effect: failure with an empty cause")
	}
	return Exit[E, A]{cause: c}
}

// IsSuccess reports whether the exit is a success.
func (x Exit[E, A]) IsSuccess() bool { return x.cause.n == nil }

// IsFailure reports whether the exit is a failure of any kind.
func (x Exit[E, A]) IsFailure() bool { return x.cause.n != nil }

// IsInterrupted reports whether the exit is a failure whose cause holds an
// interruption.
func (x Exit[E, A]) IsInterrupted() bool { return x.cause.IsInterrupted() }

// Value returns the success value and true, or the zero value and false.
func (x Exit[E, A]) Value() (A, bool) { return x.value, x.cause.n == nil }

// Cause returns the cause of a failure; it is empty for a success.
func (x Exit[E, A]) Cause() Cause[E] { return x.cause }

// Err returns nil for a success and, for a failure, the error that [Run]
// returns: a lone failure that is an error as itself, anything else as the
// [Cause].
func (x Exit[E, A]) Err() error { return errorOf(x.cause) }

// Get returns the value and [Exit.Err], the shape of plain Go.
func (x Exit[E, A]) Get() (A, error) { return x.value, errorOf(x.cause) }

// String returns "Success(v)" or "Failure(cause)".
func (x Exit[E, A]) String() string {
	if x.cause.n == nil {
		return fmt.Sprintf("Success(%v)", any(x.value))
	}
	return "Failure(" + x.cause.Error() + ")"
}

// Erase returns x with its types erased to any; finalizers of a scope receive
// the scope's exit in this form.
func (x Exit[E, A]) Erase() Exit[any, any] {
	if x.cause.n == nil {
		return Exit[any, any]{value: x.value}
	}
	return Exit[any, any]{cause: x.cause.Erase()}
}
