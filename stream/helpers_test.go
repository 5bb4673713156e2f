package stream

import (
	"context"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// Eff is the effect type most tests use.
type Eff[A any] = effect.Effect[any, error, A]

func run[A any](t *testing.T, e Eff[A]) A {
	t.Helper()
	v, err := effect.Run(context.Background(), e, nil)
	if err != nil {
		t.Fatalf("Run: unexpected error %v", err)
	}
	return v
}

func unit(f func()) Eff[struct{}] {
	return effect.Sync[any, error](func() struct{} { f(); return struct{}{} })
}

// start starts e on rt from plain Go, as a test's background fiber.
func start[A any](rt *effect.Runtime, e Eff[A]) *effect.Fiber[error, A] {
	return rt.Start(context.Background(), e, nil)
}

// wait waits for fb's exit from plain Go.
func wait[A any](t *testing.T, fb *effect.Fiber[error, A]) effect.Exit[error, A] {
	t.Helper()
	ex, err := fb.Wait(context.Background())
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return ex
}

// interrupt interrupts fb from plain Go and waits for its exit.
func interrupt[A any](t *testing.T, fb *effect.Fiber[error, A]) effect.Exit[error, A] {
	t.Helper()
	fb.InterruptFromGo()
	return wait(t, fb)
}

func do[A any](f func() A) Eff[A] { return effect.Sync[any, error](f) }
