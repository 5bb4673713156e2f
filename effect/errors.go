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
// interruption also matches [context.Canceled], except one whose reason is
// a deadline (a [TimeoutError], or a context whose deadline passed), which
// matches [context.DeadlineExceeded] instead, as a plain context would.
var ErrInterrupted = errors.New("effect: interrupted")

// ErrLostRace is the reason of the interruption of the losers of [Race],
// [RaceFirst] and [RaceAll]: an [OnInterrupt] handler of a loser sees it.
var ErrLostRace = errors.New("effect: lost the race")

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
// cause of the context handed to [Try]. It matches [ErrInterrupted] with
// [errors.Is], and unwraps to Reason. It matches [context.Canceled] unless
// it was caused by a deadline, in which case it matches
// [context.DeadlineExceeded] (through Reason) and not Canceled.
//
// When the interruption came from the context given to [Run] (and only
// then), it reads and matches like that context: its message is the text of
// [context.Cause] of the context, and it matches context.Canceled for a
// cancel and context.DeadlineExceeded for a deadline, so code written for
// plain Go keeps working.
type InterruptedError struct {
	// By is the fiber that requested the interruption; 0 when it came from
	// outside the runtime (a cancelled context, [Fiber.InterruptFromGo],
	// [FiberHandle.Interrupt]).
	By FiberID
	// Reason is why, when known: the cause of a cancelled context
	// ([context.Cause]), a [*TimeoutError] for a timeout, [ErrLostRace] for
	// the loser of a race, [ErrFailFast] for the items a failure stopped,
	// [ErrScopeClosed] for the fibers of a closing scope; nil otherwise.
	Reason error
	// ctxErr is the context's own error (Canceled or DeadlineExceeded)
	// when the interruption came from Run's context.
	ctxErr error
}

// ctxStop is the reason recorded for an interruption by Run's context: the
// context's cause and its own error.
type ctxStop struct{ cause, err error }

func (c *ctxStop) Error() string { return c.cause.Error() }
func (c *ctxStop) Unwrap() error { return c.cause }

func newInterruptedError(by FiberID, reason error) *InterruptedError {
	if cs, ok := reason.(*ctxStop); ok {
		return &InterruptedError{By: by, Reason: cs.cause, ctxErr: cs.err}
	}
	return &InterruptedError{By: by, Reason: reason}
}

// Error returns a message naming the interrupting fiber and the reason, or,
// for an interruption by the context given to [Run], that context's cause.
func (e *InterruptedError) Error() string {
	if e.ctxErr != nil && e.Reason != nil {
		return e.Reason.Error()
	}
	msg := "effect: interrupted"
	if e.By != 0 {
		msg += " by fiber #" + e.By.String()
	}
	if e.Reason != nil {
		msg += ": " + e.Reason.Error()
	}
	return msg
}

// Is reports whether target is [ErrInterrupted], or [context.Canceled] for
// an interruption not caused by a deadline (see [InterruptedError]).
func (e *InterruptedError) Is(target error) bool {
	switch target {
	case ErrInterrupted:
		return true
	case context.Canceled:
		if e.ctxErr != nil {
			return e.ctxErr == context.Canceled
		}
		return !errors.Is(e.Reason, context.DeadlineExceeded)
	case context.DeadlineExceeded:
		return e.ctxErr == context.DeadlineExceeded
	}
	return false
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
