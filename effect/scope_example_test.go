package effect_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

// conn stands for a resource with a Close method.
type conn struct{ name string }

func (c *conn) Close() { fmt.Println("close", c.name) }

func openConn(name string) Eff[*conn] {
	return effect.Sync[any, error](func() *conn { fmt.Println("open", name); return &conn{name} })
}

func closeConn(c *conn) Eff[struct{}] {
	return effect.Sync[any, error](func() struct{} { c.Close(); return struct{}{} })
}

func ExampleAcquireRelease() {
	// The release runs when the enclosing scope closes: here, at the end of
	// Scoped, although the work failed.
	prog := effect.Scoped(effect.FlatMap(effect.AcquireRelease(openConn("db"), closeConn),
		func(c *conn) Eff[int] { return effect.Fail[any, int](errors.New("query failed")) }))
	_, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(err)
	// Output:
	// open db
	// close db
	// query failed
}

func ExampleAcquireUseRelease() {
	// The bracket form releases as soon as use ends, with no scope around it.
	query := effect.AcquireUseRelease(openConn("db"),
		func(c *conn) Eff[string] { return effect.Succeed[any, error]("rows from " + c.name) },
		func(c *conn, _ effect.Exit[error, string]) Eff[struct{}] { return closeConn(c) })
	fmt.Println(effect.Run(context.Background(), query, nil))
	// Output:
	// open db
	// close db
	// rows from db <nil>
}

func ExampleAcquireReleaseExit() {
	// The release sees how the scope ended: commit on success, roll back
	// otherwise.
	tx := func(work Eff[int]) Eff[int] {
		begin := effect.Sync[any, error](func() string { return "tx" })
		end := func(_ string, err error) Eff[struct{}] {
			return effect.Sync[any, error](func() struct{} {
				if err == nil {
					fmt.Println("commit")
				} else {
					fmt.Println("rollback:", err)
				}
				return struct{}{}
			})
		}
		return effect.Scoped(effect.AndThen(effect.AcquireReleaseExit(begin, end), work))
	}
	_, _ = effect.Run(context.Background(), tx(effect.Succeed[any, error](1)), nil)
	_, _ = effect.Run(context.Background(), tx(effect.Fail[any, int](errors.New("constraint violated"))), nil)
	// Output:
	// commit
	// rollback: constraint violated
}

func ExampleAddFinalizer() {
	note := func(s string) func(error) Eff[struct{}] {
		return func(error) Eff[struct{}] {
			return effect.Sync[any, error](func() struct{} { fmt.Println(s); return struct{}{} })
		}
	}
	// Finalizers run in reverse order of registration, exactly once.
	prog := effect.Scoped(effect.AndThen(effect.AddFinalizer(note("registered first, runs last")),
		effect.AddFinalizer(note("registered last, runs first"))))
	_, _ = effect.Run(context.Background(), prog, nil)
	// Output:
	// registered last, runs first
	// registered first, runs last
}

func ExampleMakeScope() {
	// A scope closed by hand, before the effect that made it ends.
	prog := effect.FlatMap(effect.MakeScope[any, error](), func(s *effect.Scope) Eff[string] {
		open := effect.Extend(s, effect.AcquireRelease(openConn("tmp"), closeConn))
		return effect.AndThen(open, effect.AndThen(effect.CloseScope[any, error](s),
			effect.Sync[any, error](func() string { fmt.Println("after close"); return "done" })))
	})
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output:
	// open tmp
	// close tmp
	// after close
	// done <nil>
}

func ExampleScope_Close() {
	// An application's resources live in a scope it closes at shutdown.
	rt := effect.NewRuntime()
	app := rt.NewScope()
	c, _ := rt.Run(context.Background(), effect.Extend(app, effect.AcquireRelease(openConn("pool"), closeConn)), nil)
	fmt.Println("serving with", c.name)
	fmt.Println(app.Close(context.Background()), app.IsClosed())
	// Output:
	// open pool
	// serving with pool
	// close pool
	// <nil> true
}
