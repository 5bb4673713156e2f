package effect_test

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleNewFiberRef() {
	requestID := effect.NewFiberRef("none")
	child := func(name string) effect.Effect[any, error, string] {
		return effect.Map(requestID.Get[any, error](), func(id string) string { return name + " sees " + id })
	}
	prog := effect.AndThen(requestID.Set[any, error]("req-42"),
		effect.FlatMap(effect.Fork(child("child")), func(fb *effect.Fiber[error, string]) effect.Effect[any, error, string] {
			return effect.Join[any](fb)
		}))
	s, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(s)
	// Output: child sees req-42
}

func ExampleFiberRef_Update() {
	depth := effect.NewFiberRef(0)
	prog := effect.AndThen(depth.Update[any, error](func(d int) int { return d + 1 }),
		depth.Modify[any, error](func(d int) (string, int) { return fmt.Sprint("was ", d), d * 10 }))
	s, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(s)
	// Output: was 1
}

func ExampleLocally() {
	tenant := effect.NewFiberRef("default")
	read := tenant.Get[any, error]()
	prog := effect.Zip(effect.Locally(tenant, "acme", read), read)
	p, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(p.First, p.Second)
	// Output: acme default
}

func ExampleEffect_Locally() {
	tenant := effect.NewFiberRef("default")
	inside := tenant.Get[any, error]().Locally(tenant, "acme")
	s, _ := effect.Run(context.Background(), inside, nil)
	fmt.Println(s)
	// Output: acme
}

func ExampleCopyOnFork() {
	// A map is copied for each child, so a child's change stays its own.
	tags := effect.NewFiberRef(map[string]string(nil), effect.CopyOnFork(maps.Clone[map[string]string]))
	child := effect.Map(tags.Get[any, error](), func(m map[string]string) int { m["child"] = "yes"; return len(m) })
	prog := effect.FlatMap(effect.AndThen(tags.Set[any, error](map[string]string{"app": "shop"}), effect.Fork(child)), func(fb *effect.Fiber[error, int]) effect.Effect[any, error, string] {
		return effect.FlatMap(effect.Join[any](fb), func(n int) effect.Effect[any, error, string] {
			return effect.Map(tags.Get[any, error](), func(m map[string]string) string { return fmt.Sprint(n, len(m)) })
		})
	})
	s, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(s)
	// Output: 2 1
}

func ExampleMergeOnJoin() {
	// Each child counts from zero; a join adds the child's count.
	calls := effect.NewFiberRef(0, effect.CopyOnFork(func(int) int { return 0 }), effect.MergeOnJoin(func(p, c int) int { return p + c }))
	bump := calls.Update[any, error](func(n int) int { return n + 1 })
	forkJoin := effect.FlatMap(effect.Fork(effect.AndThen(bump, bump)), func(fb *effect.Fiber[error, int]) effect.Effect[any, error, int] {
		return effect.Join[any](fb)
	})
	prog := effect.AndThen(bump, effect.AndThen(forkJoin, calls.Get[any, error]()))
	n, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(n)
	// Output: 3
}

// annotations is a fiber-local set of log attributes: the runtime's log
// annotations, built on a FiberRef.
var annotations = effect.NewFiberRef([]slog.Attr(nil))

// annotate runs e with k=v added to the annotations.
func annotate[A any](k, v string, e effect.Effect[any, error, A]) effect.Effect[any, error, A] {
	return effect.FlatMap(annotations.Get[any, error](), func(as []slog.Attr) effect.Effect[any, error, A] {
		return effect.Locally(annotations, append(as[:len(as):len(as)], slog.String(k, v)), e)
	})
}

// annotated is a slog handler that adds the annotations of the fiber that
// logs (read from the ctx that Try hands to plain Go).
type annotated struct{ slog.Handler }

func (h annotated) Handle(ctx context.Context, r slog.Record) error {
	r.AddAttrs(annotations.FromContext(ctx)...)
	return h.Handler.Handle(ctx, r)
}

func ExampleFiberRef_FromContext() {
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	log := slog.New(annotated{slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime})})
	handle := effect.Try[any](func(ctx context.Context) (struct{}, error) {
		log.InfoContext(ctx, "charged")
		return struct{}{}, nil
	})
	prog := annotate("request", "r-7", annotate("user", "ada", handle))
	_, _ = effect.Run(context.Background(), prog, nil)
	// Output: level=INFO msg=charged request=r-7 user=ada
}

func ExampleFiberRef_WithValue() {
	requestID := effect.NewFiberRef("")
	// Middleware in plain Go hands the ID to the effects it runs.
	ctx := requestID.WithValue(context.Background(), "req-9")
	id, _ := effect.Run(ctx, requestID.Get[any, error](), nil)
	fmt.Println(id, requestID.FromContext(ctx))
	// Output: req-9 req-9
}
