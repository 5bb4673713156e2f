// Package tracing traces effects with OpenTelemetry: every [effect.Named]
// effect runs inside a span, a child of the span in force where it runs.
//
// Install it on a runtime with [Install] (or hand a [Tracer] to
// [effect.Runtime.SetTracer] yourself). From then on:
//
//   - a Named effect starts a span of its name, with the Named attributes,
//     the fiber's ID and its enclosing name as attributes; the span ends
//     with the effect's outcome: a failure is recorded as an error, a
//     defect as an exception with its stack, an interruption as an event
//     with its reason (a lost race is not an error, a timeout is);
//   - the span's context is in the ctx that [effect.Try] hands to plain Go,
//     so otelhttp, pgx or go-redis instrumentation continues the same trace;
//   - a fiber forked inside a Named effect starts with that span as the
//     parent of its own spans;
//   - the span carried by the ctx given to [effect.Run] (an incoming
//     request's) is the parent of the outermost spans;
//   - each decision of a Retry or a Repeat inside a span is an event on it
//     (attempt, delay, error, whether it gave up), and so is each
//     interruption request.
//
// Use tracing when a request crosses fibers and you want one trace of it;
// use package logging for records of what happened, package metrics for
// counts and durations, and the runtime's dumps ([effect.Runtime.Dump])
// for what is stuck now. Without a Named effect nothing is traced: name
// the effects that matter (an HTTP handler, a query, a call to a service),
// not every step.
//
// Cost: a span per run of a Named effect, as the OpenTelemetry SDK makes
// it, and one small allocation per [effect.Try] inside a span (the context
// that carries it). A runtime without a tracer pays a nil check.
package tracing
