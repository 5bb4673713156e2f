package effect

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTimeout is matched by every [TimeoutError] with [errors.Is]. A timeout
// also matches [context.DeadlineExceeded], so code written for plain
// contexts keeps working.
var ErrTimeout = errors.New("effect: timeout")

// ErrInterrupted is matched by every [InterruptedError] with [errors.Is]. An
// interruption also matches [context.Canceled].
var ErrInterrupted = errors.New("effect: interrupted")

// TimeoutError is the failure of an effect that did not finish within its
// time limit (see [Timeout]). It matches [ErrTimeout] and
// [context.DeadlineExceeded] with [errors.Is].
type TimeoutError struct {
	// After is the limit that was exceeded.
	After time.Duration
}

// Error returns "effect: timeout after <After>".
func (e *TimeoutError) Error() string { return fmt.Sprintf("effect: timeout after %v", e.After) }

// Is reports whether target is [ErrTimeout] or [context.DeadlineExceeded].
func (e *TimeoutError) Is(target error) bool {
	return target == ErrTimeout || target == context.DeadlineExceeded
}

// InterruptedError describes an interruption at the edge between effects and
// plain Go: it is what [Run] returns for an interrupted effect and the cancel
// cause of the context handed to [Try]. It matches [ErrInterrupted] and
// [context.Canceled] with [errors.Is], and unwraps to Reason.
type InterruptedError struct {
	// By is the fiber that requested the interruption; 0 when it came from
	// outside the runtime (a cancelled context, [Fiber.InterruptNow]).
	By FiberID
	// Reason is why, when known: the cause of a cancelled context
	// ([context.Cause]), a [*TimeoutError] for a timeout, nil otherwise.
	Reason error
}

// Error returns a message naming the interrupting fiber and the reason.
func (e *InterruptedError) Error() string {
	msg := "effect: interrupted"
	if e.By != 0 {
		msg += " by fiber #" + e.By.String()
	}
	if e.Reason != nil {
		msg += ": " + e.Reason.Error()
	}
	return msg
}

// Is reports whether target is [ErrInterrupted] or [context.Canceled].
func (e *InterruptedError) Is(target error) bool {
	return target == ErrInterrupted || target == context.Canceled
}

// Unwrap returns Reason.
func (e *InterruptedError) Unwrap() error { return e.Reason }

// FailureError carries a typed failure whose type does not implement error,
// so that it can travel through plain Go as an error. Use [errors.As] with a
// *FailureError[E] to get the value back.
type FailureError[E any] struct {
	Value E
}

// Error formats the failure value.
func (e *FailureError[E]) Error() string { return fmt.Sprintf("effect: failure: %v", e.Value) }

// FinalizerError is the defect recorded when a finalizer (a release action,
// an [Effect.Ensuring] effect, a scope finalizer) fails. It keeps the
// finalizer's own cause, so [errors.As] still finds the finalizer's typed
// error, and it never replaces the failure it ran after: the two are joined
// in sequence.
type FinalizerError struct {
	// Cause is the finalizer's cause, its failure type erased.
	Cause Cause[any]
}

// Error returns "effect: finalizer failed: ..." with the finalizer's cause.
func (e *FinalizerError) Error() string { return "effect: finalizer failed: " + e.Cause.Error() }

// Unwrap returns the errors of the finalizer's cause.
func (e *FinalizerError) Unwrap() []error { return e.Cause.Unwrap() }
