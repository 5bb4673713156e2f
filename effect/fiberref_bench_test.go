package effect

import (
	"context"
	"maps"
	"sync"
	"testing"
)

// What a FiberRef costs a user: each benchmark builds its effect and runs
// it through Runtime.Run from plain Go at every operation, beside the plain
// Go that carries a request-scoped value the other way, in a
// context.Context, so that one run prints the ratio. The figures are in
// BENCHMARKS.md ("FiberRef"). Run with:
//
//	go test -run '^$' -bench FiberRef -benchmem ./effect/

// benchKey is the context key of the plain-Go baselines.
type benchKey struct{}

// --- read the value: ref.Get() vs ctx.Value(key) ---

func BenchmarkFiberRefGet(b *testing.B) {
	rt := NewRuntime()
	ref := NewFiberRef("none")
	ctx := ref.WithValue(context.Background(), "req-42")
	b.ReportAllocs()
	for b.Loop() {
		v, err := rt.Run(ctx, ref.Get[any, error](), nil)
		if err != nil || v != "req-42" {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkFiberRefGetBaselineContext(b *testing.B) {
	ctx := context.WithValue(context.Background(), benchKey{}, "req-42")
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := ctx.Value(benchKey{}).(string); v != "req-42" {
			b.Fatal(v)
		}
	}
}

// --- set then read: ref.Set(v) then ref.Get() vs context.WithValue ---

func BenchmarkFiberRefSetGet(b *testing.B) {
	rt := NewRuntime()
	ref := NewFiberRef("none")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		v, err := rt.Run(ctx, AndThen(ref.Set[any, error]("req-42"), ref.Get[any, error]()), nil)
		if err != nil || v != "req-42" {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkFiberRefSetGetBaselineContext(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c := context.WithValue(ctx, benchKey{}, "req-42")
		if v, _ := c.Value(benchKey{}).(string); v != "req-42" {
			b.Fatal(v)
		}
	}
}

// --- a value for one region: Locally(ref, v, Try(read from ctx)) vs
// context.WithValue around a call ---

// benchRead is the plain Go that the region runs: it reads the value from
// its ctx, as a logger or an HTTP client would.
func benchRead(ref *FiberRef[string]) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) { return ref.FromContext(ctx), nil }
}

func BenchmarkFiberRefLocally(b *testing.B) {
	rt := NewRuntime()
	ref := NewFiberRef("none")
	ctx := context.Background()
	read := benchRead(ref)
	b.ReportAllocs()
	for b.Loop() {
		v, err := rt.Run(ctx, Locally(ref, "req-42", Try[any](read)), nil)
		if err != nil || v != "req-42" {
			b.Fatal(v, err)
		}
	}
}

// BenchmarkFiberRefLocallyNoRef is the same run without the FiberRef: what
// Locally adds is the difference.
func BenchmarkFiberRefLocallyNoRef(b *testing.B) {
	rt := NewRuntime()
	ctx := context.Background()
	read := func(ctx context.Context) (string, error) { return "req-42", nil }
	b.ReportAllocs()
	for b.Loop() {
		v, err := rt.Run(ctx, Try[any](read), nil)
		if err != nil || v != "req-42" {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkFiberRefLocallyBaselineContext(b *testing.B) {
	ctx := context.Background()
	read := func(ctx context.Context) (string, error) {
		v, _ := ctx.Value(benchKey{}).(string)
		return v, nil
	}
	b.ReportAllocs()
	for b.Loop() {
		v, err := read(context.WithValue(ctx, benchKey{}, "req-42"))
		if err != nil || v != "req-42" {
			b.Fatal(v, err)
		}
	}
}

// --- what a FiberRef adds to a fork: fork and join one child that reads
// the value, with no value set, with one set, and with one whose
// CopyOnFork clones a map; beside a goroutine handed a ctx ---

func benchForkRead[A any](ref *FiberRef[A]) Effect[any, error, A] {
	return FlatMap(Fork(ref.Get[any, error]()), func(fb *Fiber[error, A]) Effect[any, error, A] { return Join[any](fb) })
}

func BenchmarkFiberRefForkNoValue(b *testing.B) {
	rt := NewRuntime()
	ref := NewFiberRef("none")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		v, err := rt.Run(ctx, benchForkRead(ref), nil)
		if err != nil || v != "none" {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkFiberRefForkValue(b *testing.B) {
	rt := NewRuntime()
	ref := NewFiberRef("none")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		v, err := rt.Run(ctx, AndThen(ref.Set[any, error]("req-42"), benchForkRead(ref)), nil)
		if err != nil || v != "req-42" {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkFiberRefForkCopyOnFork(b *testing.B) {
	rt := NewRuntime()
	ref := NewFiberRef(map[string]string(nil), CopyOnFork(maps.Clone[map[string]string]))
	ctx := context.Background()
	m := map[string]string{"request": "req-42", "tenant": "t1"}
	b.ReportAllocs()
	for b.Loop() {
		v, err := rt.Run(ctx, AndThen(ref.Set[any, error](m), benchForkRead(ref)), nil)
		if err != nil || v["request"] != "req-42" {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkFiberRefForkBaselineGoroutine(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c := context.WithValue(ctx, benchKey{}, "req-42")
		var (
			wg sync.WaitGroup
			v  string
		)
		wg.Add(1)
		go func() { defer wg.Done(); v, _ = c.Value(benchKey{}).(string) }()
		wg.Wait()
		if v != "req-42" {
			b.Fatal(v)
		}
	}
}
