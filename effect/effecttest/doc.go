// Package effecttest is the test kit of gogoscope: what a test of effects
// needs beyond the testing package.
//
// # Virtual time
//
// The runtime takes all time from the time package, so inside a
// [testing/synctest] bubble sleeps, timeouts and schedule delays are virtual:
// they take no real time and never flake. [Test] runs a test body in a bubble
// with a fresh runtime; [Run] and [RunTimed] run one effect that way and
// return its exit (and the virtual time it took). Inside a bubble, [Advance]
// lets virtual time pass and [WaitIdle] waits until every fiber is blocked.
//
// # Assertions
//
// [AssertSucceeds], [AssertFailsWith], [AssertInterrupted],
// [AssertInterruptedWith], [AssertDefect] and [AssertSameExit] check an
// [effect.Exit]; [MustSucceed] and [MustFail] stop the test unless it ended
// as needed and return what the test needs next. [SameExit] and [SameCause]
// compare outcomes while ignoring what differs from run to run (stacks,
// fiber IDs).
//
// # Leaks
//
// [NewRuntime] (used by [Test]) reports at the end of the test every fiber
// still alive and every hand-made scope never closed. [AssertNoFibers] and
// [AssertScopeClosed] check the same at any point; a [Resources] tracker
// checks that a scope released what it acquired, once each, in reverse order.
// [SweepInterrupts] re-runs an effect interrupting it at each of its steps in
// turn, to prove that no interruption point leaks; [SweepTimes] re-runs it
// interrupting it from outside at each instant of a grid of (virtual) times,
// which reaches it while it is parked in a wait.
//
// # Spies
//
// A [Spy] records the calls a fake service receives (method, arguments,
// order, count) and asserts on them. A fake service is a plain value of the
// service's type whose methods record into the spy, so it goes wherever the
// real service goes: in an environment struct, or a test layer (package
// layer/layertest has layers of fakes that also record when they are built
// and released).
//
// # What fibers wait for
//
// [RecordWaits] keeps a [WaitLog] of the waits a runtime's fibers start and
// end on library primitives (by fiber name, kind and resource name);
// [DumpText] returns the runtime's fiber dump as text, for exact
// comparison.
//
// # Property tests
//
// Package gen, beside this one, has gopter generators of effects, causes and
// schedules, and law checks (the monad laws, retry invariants) to run on
// one's own effects.
//
// # Which helper to use
//
//   - Use [Run] when a test runs one effect and checks its exit; [RunTimed]
//     when how long it took in virtual time matters (retries, timeouts).
//   - Use [Test] when the test steers time by hand: start fibers with
//     rt.Start, [Advance] the clock, look at their state, advance again.
//   - Use [NewRuntime] outside a bubble, for tests that must use real time
//     or real I/O, and still want the leak checks.
//   - Use [SweepInterrupts] for anything that holds a resource across an
//     interruptible wait: semaphores, pools, queues, locks.
//     Add [SweepTimes] when the operation waits on other fibers (a batch
//     window, a lookup in flight, a channel's other side).
package effecttest
