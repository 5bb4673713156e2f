// Package schedule provides schedules: immutable, reusable recipes that decide whether to run an
// action again, after which delay, and with what output. The effect package uses them to retry a
// failing effect and to repeat a succeeding one; they work just as well in a hand-written loop.
//
// A [Schedule] is a pure value. It holds no state and may be shared by any number of goroutines;
// [Schedule.Start] builds a [Driver] that keeps the state of one run (attempt count, previous
// delay, start time), and [Driver.Next] makes one decision after each attempt:
//
//	d := schedule.Exponential(100*time.Millisecond).Intersect(schedule.Recurs(5)).Start(time.Now())
//	for {
//		err := call()
//		if err == nil {
//			break
//		}
//		delay, _, ok := d.Next(time.Now(), err)
//		if !ok {
//			return err
//		}
//		time.Sleep(delay)
//	}
//
// The input of a decision is the attempt's error for a retry and its value for a repeat. It is
// passed as an any, so the schedules that ignore it ([Exponential], [Recurs], …) need no type
// arguments; [WhileInput] and [UntilInput] look at it through a typed predicate.
//
// # Building schedules
//
// Constructors give the delays: [Recurs], [Once], [Forever], [Spaced], [Fixed], [Linear],
// [LinearWith], [Exponential], [ExponentialWith], [Fibonacci], [DecorrelatedJitter] and [Elapsed].
// Each doc comment states its formula, with n the number of the decision (1 after the first
// attempt).
//
// Combinators return new schedules and leave their operands unchanged. Each is a method, for
// pipelines, and a package function of the same name and meaning, for generic code:
//
//   - bound a run: [Schedule.Intersect] with [Recurs] (a number of retries), [Schedule.UpTo] (a time
//     budget), [Schedule.WhileOutput] and [Schedule.UntilOutput];
//   - shape delays: [Schedule.Capped], [Schedule.Jitter], [Schedule.FullJitter],
//     [Schedule.EqualJitter], made reproducible by [Schedule.Seed];
//   - combine: [Schedule.Union] (either continues, shorter delay), [Schedule.Intersect] (both
//     continue, longer delay), [Schedule.AndThen] (one after the other);
//   - look at inputs: [WhileInput], [UntilInput] (functions and methods generic in the input type);
//   - observe and transform: [Schedule.Tap], [Schedule.Map], [Schedule.Delays];
//   - start over: [Schedule.ResetAfter].
//
// A pipeline applies its steps in order: s.Capped(max).Jitter(0.2) jitters the capped delay (so may
// wait up to 1.2·max), while s.Jitter(0.2).Capped(max) never waits more than max. Union and
// Intersect keep the output of their left operand, so their right one may be of any output type.
//
// [FromOptions] builds a schedule from go-go-scope's retry options (maxRetries, delay strategy,
// retryCondition, onRetry); docs/schedules.md maps every go-go-scope option and shorthand.
//
// # Which schedule to use
//
//   - Use Exponential(base).Capped(max).FullJitter().Intersect(Recurs(n)) when many clients retry
//     calls to one shared service: the standard backoff, spread so that clients do not retry in
//     step. [DecorrelatedJitter] is a good alternative with fewer very short waits.
//   - Use [Spaced] when a fixed pause between attempts is enough (a local resource, a test), and
//     [Fixed] when attempts must keep a steady cadence whatever each one costs (polling, heartbeats).
//   - Use [Linear] or [Fibonacci] when exponential growth is too steep for the time you can wait.
//   - Use [Schedule.UpTo] when the caller has a deadline (a request with 5 s left), and
//     [Recurs] when the cost of each attempt matters more than the time.
//   - Use [WhileInput] or [UntilInput] to stop at errors that retrying cannot fix.
//   - Use [Schedule.ResetAfter] for long-lived loops (reconnecting, restarting a worker) so that
//     a connection that stayed up does not inherit an old backoff.
//   - Use [Schedule.Tap] to log or count retries, and [Schedule.Seed] in tests.
//
// # Contract and cost
//
// [Driver.Next] never allocates, whatever the combinators and jitter, and takes a few nanoseconds
// per part of the schedule: about 6 ns for a capped exponential backoff (twice a hand-written
// one) and 55–60 ns for a seeded, jittered schedule of nine parts (see bench_test.go).
// [Schedule.Start] allocates the driver's state once per run, one small struct per part (about
// 200–300 ns and 11 allocations for five parts). A Driver is not safe for concurrent use; start
// one per run. Delays are never negative, and delay arithmetic saturates at the largest
// time.Duration instead of overflowing. Schedules read no clock of their own: all times come from
// the caller, so they run unchanged under testing/synctest.
//
// Jitter draws from math/rand/v2's global generator unless [Schedule.Seed] gives the schedule its
// own. Arguments that make no sense (a negative count, a zero base, a factor below 1, a jitter
// fraction outside [0, 1]) are programming errors: constructors panic with a message prefixed
// "schedule: " that names the argument and the rule.
package schedule
