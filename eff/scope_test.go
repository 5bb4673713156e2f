package eff_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

// CloseScope runs the scope's finalizers once, and a second close does
// nothing.
func TestCloseScopeInterruptsAndFinalizesOnce(t *testing.T) {
	ctx := context.Background()
	rt := effect.NewRuntime()
	defer rt.Shutdown(ctx)
	s := rt.NewScope()
	var finalized int
	start := eff.CurrentScope().FlatMap(func(cur *effect.Scope) eff.Effect[*effect.Scope] {
		return eff.Defer(func(context.Context, error) error { finalized++; return nil }).As(cur)
	})
	cur, err := rt.Run(ctx, effect.Extend(s, start), nil)
	if err != nil || cur != s {
		t.Fatalf("CurrentScope = %p, %v; want the extended scope %p", cur, err, s)
	}
	if _, err := eff.Run(ctx, eff.CloseScope(s).AndThen(eff.CloseScope(s))); err != nil {
		t.Fatalf("CloseScope: %v", err)
	}
	if finalized != 1 {
		t.Fatalf("finalizer ran %d times, want 1", finalized)
	}
}

// CloseScope fails with a finalizer's failure.
func TestCloseScopeReportsFinalizerFailure(t *testing.T) {
	ctx := context.Background()
	rt := effect.NewRuntime()
	defer rt.Shutdown(ctx)
	s := rt.NewScope()
	boom := errors.New("close failed")
	if _, err := rt.Run(ctx, effect.Extend(s, eff.Defer(func(context.Context, error) error { return boom })), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := eff.Run(ctx, eff.CloseScope(s)); !errors.Is(err, boom) {
		t.Fatalf("CloseScope = %v, want %v", err, boom)
	}
}
