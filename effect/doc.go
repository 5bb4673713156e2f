// Package effect is the core of gogoscope: lazy, typed effects run by a
// fiber runtime with structured cancellation.
//
// An [Effect][R, E, A] describes a computation that needs an environment R,
// may fail with an expected error E, and succeeds with an A. Building one
// runs nothing; [Run] runs it on the calling goroutine and returns (A, error),
// the shape of plain Go. Effects compose with methods and package functions of
// the same names:
//
//	fetch := effect.Try[Env](func(ctx context.Context) (User, error) { return api.User(ctx, id) })
//	user  := fetch.Retry(schedule.Exponential(100*time.Millisecond).Intersect(schedule.Recurs(3))).
//		Timeout(2 * time.Second)
//	u, err := effect.Run(ctx, user, env)
//
// # Fibers and scopes
//
// A fiber is a running effect, on its own goroutine. [Fork] starts a child in
// the current [Scope]; when that scope closes — its effect succeeded, failed
// or was interrupted — every child still running is interrupted and awaited,
// then the scope's finalizers run in reverse order, exactly once. No fiber
// outlives its scope unless it is forked as a daemon ([ForkDaemon]). Every
// fiber owns a scope; [Scoped] opens a narrower one, [AcquireRelease] ties a
// resource's release to it.
//
// # Interruption
//
// Interruption is cooperative and prompt: the run loop checks for it before
// every step and at every blocking point (sleep, join, async callbacks, and
// the primitives of the stream and resource packages), and it cancels the
// context handed to plain Go code lifted with [Try]. Acquire and release run
// uninterruptibly; [Uninterruptible] and [UninterruptibleMask] protect any
// region. Interrupting a fiber ([Interrupt]) returns once its finalizers have
// run. A cancelled context given to [Run] interrupts the effect.
//
// # Failures
//
// An effect ends with an [Exit]: a value, or a [Cause] that keeps everything
// that went wrong — expected failures (E), defects (panics, with their stack)
// and interruptions, joined in sequence and in parallel. A finalizer's
// failure never hides the failure it ran after. At the edge, [Run] returns an
// error that works with [errors.Is] and [errors.As]: a typed failure is found
// by errors.As, an interruption matches [context.Canceled], a timeout
// [context.DeadlineExceeded]. A panic in user code becomes a defect of that
// fiber; it never crashes the process nor leaks a goroutine.
//
// # Environments
//
// R is whatever the effect reads with [Access] or [Environment], typically a
// struct of services; [Provide] supplies it. An effect that needs nothing has
// R = any, and constructors are generic in R so they fit any environment; an
// application usually names its own shape once:
//
//	type Eff[A any] = effect.Effect[Env, error, A]
//
// The layer package builds environments from their parts, memoized and
// resource-safe.
//
// # Choosing
//
// Use [Try] to lift Go code that takes a context; [Sync] for code that cannot
// fail or block; [Async] for callback APIs. Use [ForEachPar] or [All] to run
// many effects with a limit; [Race] when the first success wins; [Timeout]
// to bound a call; [Effect.Retry] and [Effect.Repeat] with a schedule to
// try again. Use [Scoped] and [AcquireRelease] for resources;
// [AcquireUseRelease] when one resource brackets one use. Use a [Runtime]
// in applications (one per process, [Runtime.Shutdown] at exit) and [Run]
// in scripts and tests.
//
// # Cost
//
// A step of an effect costs a few nanoseconds and a fiber about what a
// goroutine costs; see BENCHMARKS.md at the root of the repository for the
// figures beside raw Go. [Runtime.Run] under a context that can be cancelled
// (a request's) watches it lazily: a run that never waits nor hands plain Go
// a cancellable context registers nothing with it. The runtime starts no background goroutine: every
// goroutine belongs to a fiber, so testing/synctest and goleak see them all,
// and all time comes from the time package, so tests in a synctest bubble
// run on virtual time.
package effect
