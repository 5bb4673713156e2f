// Package layer builds the environments that effects need: typed,
// memoized, resource-safe dependency injection in plain Go.
//
// A [Layer][RIn, E, ROut] is a recipe that builds an ROut (a service, or an
// environment struct of services) from an RIn, may acquire resources, and
// may fail with an E. Layers are values: define them once, compose them,
// and build them when the program starts.
//
//	cfg   := layer.From(LoadSettings)
//	pool  := cfg.To(layer.Resource(OpenPool, (*Pool).Close).Named("db pool"))
//	users := pool.To(layer.New(NewUserRepo))
//	app   := layer.Struct(
//		layer.Field(users, func(e *Env, r UserRepo) { e.Users = r }),
//		layer.Field(cfg.To(logLayer), func(e *Env, l *slog.Logger) { e.Log = l }),
//	)
//
//	env, scope, err := layer.Build(ctx, app, nil) // at start
//	defer scope.Close(ctx)                        // at shutdown: reverse order
//
// Everyday layers fail with error and are written without type arguments
// ([Value], [From], [New], [Try], [Open], and [Func] and [Resource], whose
// types come from their functions); [Succeed], [Sync], [AcquireRelease] and
// [FromEffect] keep a typed failure E for those who want one.
//
// What the package guarantees:
//
//   - Typed. A layer's output type is the environment an effect needs: the
//     compiler rejects [Provide] of an effect with a layer that lacks a
//     service, and [Field] of a layer into a field of another type. There
//     is no reflection and no container; a missing service is a compile
//     error, not a failure at start.
//   - Memoized. Within one build, a layer that appears several times in the
//     graph (the same *Layer value) is built once and its value shared;
//     [Layer.Fresh] opts out.
//   - Concurrent. [Struct] builds its parts at the same time, one fiber
//     each; a chain ([To]) is sequential by nature.
//   - Resource-safe. Every resource a layer acquires is released when the
//     build's scope closes, in reverse order of acquisition, so a service
//     is released before the services it was built on. A failing release
//     does not stop the others. A build that fails releases what it had
//     acquired, and its error (an [*Error]) names the failing layer.
//   - Interruptible. Cancelling the build's context, or interrupting the
//     effect that builds, stops the layers still building and releases
//     what was acquired.
//
// # Services
//
// A service is an interface (UserRepo, Clock, Mailer): small, defined where
// it is used, so that a test can swap the implementation. An application
// gathers its services in an environment struct and names its effect shape
// once:
//
//	type Env struct {
//		Users UserRepo
//		Log   *slog.Logger
//	}
//	type Eff[A any] = effect.Effect[Env, error, A]
//
// An effect reads its services through the environment's kit
// (eff.For, in package eff), whose Try hands the environment to plain Go:
//
//	var app = eff.For[Env]()
//
//	func greet(id int) Eff[string] {
//		return app.Try(func(ctx context.Context, env Env) (string, error) {
//			u, err := env.Users.Find(ctx, id)
//			return "hello, " + u.Name, err
//		})
//	}
//
// or, when the service returns effects, with app.With (or
// [effect.AccessEffect]).
//
// Library code that should work in any environment offering a service
// states it as a constraint, and the compiler checks each use:
//
//	type HasClock interface{ Clock() Clock }
//	func Now[R HasClock]() effect.Effect[R, error, time.Time]
//
// Tests replace a service with [Override]: the replaced layer is not built.
//
//	test := layer.Override(app, users.Replace(fakeUsers{}))
//
// # Which function to use
//
// Making a layer (the first name of each line needs no input: the roots of
// a graph):
//   - a value you already have: [Value]; with a typed failure: [Succeed];
//   - a constructor without dependencies (LoadSettings()): [From];
//   - a constructor of a service from its dependency (NewRepo(db)): [New];
//     with a typed failure: [Sync]; from several dependencies: [Struct],
//     then [Map] (see the example of Struct);
//   - plain Go that may fail or block (parse, read a file): [Try], or [Func]
//     with an input;
//   - a resource with plain Go open and close functions, open's context
//     living until close has run: [Open], or [Resource] with an input;
//   - a resource as effects: [AcquireRelease];
//   - anything else written as an effect (several resources, background
//     fibers, retries): [FromEffect].
//
// Combining layers:
//   - the output of one is the input of the next: [To] (l.To(next));
//   - several independent layers into one struct, built concurrently:
//     [Struct] with one [Field] per member;
//   - adapt the output (a concrete type to an interface, a projection):
//     [Map]; the failure type: [MapError];
//   - name a layer for error messages: [Layer.Named]; build it at each use
//     instead of once: [Layer.Fresh].
//
// Using layers:
//   - an application that builds its services once at start and releases
//     them at shutdown: [Build], then [effect.Scope.Close];
//   - an effect that needs an environment, run with it and cleaned up
//     after: [Provide];
//   - building inside an effect, resources kept by the current scope:
//     [Acquire];
//   - tests: [Override] with [Layer.Replace] (a value) or
//     [Layer.ReplaceWith] (another layer, possibly decorating the original).
//
// See docs/layers.md for a complete example, a comparison with uber-go/fx,
// dig and google/wire, and go-go-scope's provide/use/has/override side by
// side with their equivalents here.
package layer
