// Package gen has gopter generators of effects, causes and schedules, and
// law checks that a user runs on effects and schedules of their own.
//
// Generators ([github.com/leanovate/gopter.Gen]) produce
// effect.Effect[any, E, A] values of every kind: [Succeeding], [Failing],
// [Dying], [Sleeping], [Forking], [WithFinalizer], and [Effects], which
// nests them with FlatMap and Catch; [Causes] produces effect.Cause[E]
// trees; [Schedules] produces bounded, seeded retry schedules; [Funcs] and
// [PureFuncs] produce the functions that laws need. Generated effects are
// deterministic: run twice, they end the same way. Their sleeps are whole
// milliseconds, virtual inside a testing/synctest bubble.
//
// Law checks are values with a Check method (a test of its own, in a
// bubble) and a Properties method (gopter properties to run by hand):
//
//   - [MonadLaws]: left and right identity, associativity, and the laws
//     of Map, compared with effecttest.SameExit. A violation means an
//     effect that is not a description: it ends differently run after run.
//   - [RetryLaws]: effect.Retry makes the attempts and waits the delays that
//     the schedule plans, never retries a defect, stops at once when
//     interrupted, and hands the last failure to RetryOrElse.
//
// Use MonadLaws on the effects a package builds (with a generator that
// builds them from generated inputs), and RetryLaws on the retry policies
// an application defines. The generators serve as inputs of any property
// of one's own, such as "every resource acquired is released, whatever the
// effect inside the scope does".
package gen
