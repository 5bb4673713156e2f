package eff_test

import (
	"context"
	"fmt"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

// A server keeps the scope it was built in and closes it when it shuts down:
// the finalizers registered in that scope run then, once.
func ExampleCurrentScope() {
	rt := effect.NewRuntime()
	defer rt.Shutdown(context.Background())
	server := rt.NewScope()
	start := eff.CurrentScope().FlatMap(func(s *effect.Scope) eff.Effect[*effect.Scope] {
		return eff.Defer(func(context.Context, error) error {
			fmt.Println("server stopped")
			return nil
		}).As(s)
	})
	s, _ := rt.Run(context.Background(), effect.Extend(server, start), nil)
	fmt.Println("same scope:", s == server)
	_, err := eff.Run(context.Background(), eff.CloseScope(server).AndThen(eff.CloseScope(server)))
	fmt.Println("closed:", err)
	// Output:
	// same scope: true
	// server stopped
	// closed: <nil>
}
