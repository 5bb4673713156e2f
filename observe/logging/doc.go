// Package logging connects log/slog to fibers: [NewHandler] wraps any
// slog.Handler so that every record logged with a fiber's context carries
// the fiber's ID, its name, its scope path, the annotations in force
// ([effect.Annotate], inherited by the fibers it forks) and, when a span
// is in the context, the trace and span IDs.
//
// "A fiber's context" is any context the runtime hands out: the ctx that
// [effect.Try] gives to plain Go, the one [effect.Context] returns, and
// every context derived from them, so a library that logs with the ctx it
// was given (slog.InfoContext(ctx, ...)) is annotated without knowing
// about effects. Records logged with another context pass through
// unchanged.
//
// Use this package for records of what happened, correlated with the
// fiber and the trace; use the runtime's own debug logging
// ([effect.Runtime.Debug], GOGOSCOPE_DEBUG=fiber,scope,retry,...) to see
// what the runtime itself does; use package tracing for spans and package
// metrics for counts and durations.
//
// Cost: nothing on records without a fiber (one context lookup); a few
// attributes per record with one.
package logging
