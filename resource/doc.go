// Package resource has the managed things that a scope owns: semaphores,
// circuit breakers and resource pools.
package resource

import "errors"

// ErrClosed is the reason of the interruption of an operation on a resource
// whose scope has closed: waiters woken by the close and calls made after it
// fail with an interruption (matching [context.Canceled]) whose reason is
// ErrClosed, so errors.Is(err, ErrClosed) tells them apart.
var ErrClosed = errors.New("resource: closed")
