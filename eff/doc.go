// Package eff is the everyday face of gogoscope: effects that need no
// environment and fail with a Go error, written without type arguments.
//
// Most service code is an [effect.Effect] of the shape Effect[any, error, A]
// — it needs nothing from an environment and fails with an error — or of the
// shape Effect[Env, error, A] for an application environment Env. Package
// effect spells every type parameter out, for those who want a typed
// environment or a typed failure; this package fixes them, so the same
// programs read like plain Go:
//
//	fetch := eff.Try(func(ctx context.Context) (User, error) { return client.User(ctx, id) }).
//		Retry(schedule.Exponential(100 * time.Millisecond).Intersect(schedule.Recurs(3))).
//		Timeout(2 * time.Second)
//	user, err := eff.Run(ctx, fetch)
//
// [Effect], [Fiber] and [Exit] are aliases of the effect package's types, so
// every method of [effect.Effect] (Map, FlatMap, Retry, Timeout, Catch,
// Scoped, ...) works on them and they mix freely with package effect,
// layer, stream and resource. Only constructors need this package: a
// combinator's types come from its arguments.
//
// For an application environment, [For] returns a [Kit] whose methods build
// effects that need that environment, again without type arguments:
//
//	type Env struct{ DB *sql.DB }
//	var app = eff.For[Env]()
//	load := app.Try(func(ctx context.Context, env Env) (User, error) { ... })
//
// # Which constructor
//
//   - a value you have: [Succeed]; a Go (value, error) pair: [FromResult];
//     an error: [Fail] (the one place a type argument is needed, for the
//     value type the failure stands in for)
//   - plain Go that takes a ctx and can fail: [Try], or [Do] when it returns
//     only an error; plain Go that cannot fail: [Sync]
//   - a resource: [Acquire] with open and close as plain Go funcs, its ctx
//     living until close has run; a cleanup step: [Defer]
//   - waiting: [Sleep], [Never]; concurrency: [Fork], [Join], [Race],
//     [All], [ForEachPar]
//   - running from Go: [Run], [RunExit], or a [effect.Runtime]
package eff
