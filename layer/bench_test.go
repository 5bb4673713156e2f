package layer_test

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

// Each benchmark of building layers sits beside its raw-Go baseline, the
// code a programmer writes by hand for the same wiring, so one run prints
// both:
//
//	go test -run '^$' -bench . -benchmem ./layer/
//
// Layers are built once per application run, so what matters is that a
// build costs microseconds, not nanoseconds.

const chainLen = 10

type conn struct{ id int }

func openConn(id int) (*conn, error) { return &conn{id}, nil }

func (c *conn) Close() error {
	if c == nil {
		return errors.New("nil conn")
	}
	return nil
}

// --- a chain of 10 resources: open in order, close in reverse ---

func resourceChain() *layer.Layer[any, error, *conn] {
	l := layer.Resource(func(context.Context, any) (*conn, error) { return openConn(0) }, (*conn).Close)
	for i := 1; i < chainLen; i++ {
		l = l.To(layer.Resource(func(_ context.Context, prev *conn) (*conn, error) { return openConn(prev.id + 1) }, (*conn).Close))
	}
	return l
}

func BenchmarkResourceChain10(b *testing.B) {
	app := resourceChain()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, scope, err := layer.Build(ctx, app, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := scope.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResourceChain10BaselineDefer(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := rawChain(); err != nil {
			b.Fatal(err)
		}
	}
}

// rawChain opens chainLen connections, each from the previous one, and
// closes them in reverse order, joining the errors: what Build + Close do.
func rawChain() (err error) {
	var prev *conn
	for range chainLen {
		id := 0
		if prev != nil {
			id = prev.id + 1
		}
		c, oerr := openConn(id)
		if oerr != nil {
			return oerr
		}
		defer func() { err = errors.Join(err, c.Close()) }()
		prev = c
	}
	return nil
}

// --- eight independent services built concurrently into one struct ---

type eight struct{ S [8]int }

func BenchmarkStruct8(b *testing.B) {
	var parts []layer.Part[any, error, eight]
	for i := range 8 {
		parts = append(parts, layer.Field(layer.Sync[error](func(any) int { return i }), func(e *eight, v int) { e.S[i] = v }))
	}
	app := layer.Struct(parts...)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, scope, err := layer.Build(ctx, app, nil)
		if err != nil {
			b.Fatal(err)
		}
		_ = scope.Close(ctx)
	}
}

func BenchmarkStruct8BaselineErrgroup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var e eight
		var g errgroup.Group
		for i := range 8 {
			g.Go(func() error { e.S[i] = i; return nil })
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
	}
}

// --- provide a three-layer environment to an effect and run it ---

func BenchmarkProvide(b *testing.B) {
	env := layer.Struct(
		layer.Field(layer.Succeed[any, error](1), func(p *[2]int, v int) { p[0] = v }),
		layer.Field(layer.Resource(func(context.Context, any) (*conn, error) { return openConn(2) }, (*conn).Close),
			func(p *[2]int, c *conn) { p[1] = c.id }),
	)
	prog := layer.Provide(effect.Access[[2]int, error](func(p [2]int) int { return p[0] + p[1] }), env)
	rt := effect.NewRuntime()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if n, err := rt.Run(ctx, prog, nil); err != nil || n != 3 {
			b.Fatal(n, err)
		}
	}
}

func BenchmarkProvideBaselinePlainGo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if n, err := rawProvide(); err != nil || n != 3 {
			b.Fatal(n, err)
		}
	}
}

func rawProvide() (n int, err error) {
	var env [2]int
	env[0] = 1
	var g errgroup.Group
	var c *conn
	g.Go(func() error { var err error; c, err = openConn(2); return err })
	if err := g.Wait(); err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, c.Close()) }()
	env[1] = c.id
	return env[0] + env[1], nil
}
