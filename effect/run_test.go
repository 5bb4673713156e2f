package effect

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

type validationError struct{ field string }

func (v *validationError) Error() string { return "invalid " + v.field }

func TestRunErrorsWorkWithErrorsIsAndAs(t *testing.T) {
	// A lone typed failure is returned as itself.
	ve := &validationError{"name"}
	_, err := run(Fail[any, int](error(ve)))
	var got *validationError
	if err != ve || !errors.As(err, &got) || got.field != "name" {
		t.Fatalf("typed failure: %v", err)
	}
	// A failure type that is not an error is wrapped in a FailureError.
	_, err = Run(context.Background(), Fail[any, int](42), nil)
	var fe *FailureError[int]
	if !errors.As(err, &fe) || fe.Value != 42 {
		t.Fatalf("non-error failure: %v", err)
	}
	// A defect is a *Defect that unwraps to its panic value.
	_, err = run(Sync[any, error](func() int { panic(errBoom) }))
	var d *Defect
	if !errors.As(err, &d) || !errors.Is(err, errBoom) || d.Stack == "" {
		t.Fatalf("defect: %v", err)
	}
	// Cause is reachable through errors.As too.
	var c Cause[error]
	if !errors.As(err, &c) || !c.IsDefect() {
		t.Fatalf("cause: %v", err)
	}
}

func TestRunCancelledContextInterruptsWithItsCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		why := errors.New("shutting down")
		ctx, cancel := context.WithCancelCause(context.Background())
		done := make(chan error)
		go func() {
			_, err := Run(ctx, Ensuring(Never[any, error, int](), ev.note("finalizer")), nil)
			done <- err
		}()
		synctest.Wait()
		cancel(why)
		err := <-done
		var ie *InterruptedError
		if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrInterrupted) || !errors.Is(err, why) || !errors.As(err, &ie) || ie.By != 0 {
			t.Fatalf("got %v", err)
		}
		if ev.count("finalizer") != 1 {
			t.Fatalf("finalizer did not run before Run returned")
		}
		// An already cancelled context interrupts before the first step.
		n := 0
		_, err = Run(ctx, Sync[any, error](func() int { n++; return n }), nil)
		if !errors.Is(err, context.Canceled) || n != 0 {
			t.Fatalf("pre-cancelled: %v, ran %d", err, n)
		}
	})
}

func TestRunDeadlineContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := Run(ctx, Never[any, error, int](), nil)
		// Like a plain context: a deadline, not a cancel.
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || !errors.Is(err, ErrInterrupted) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestRuntimeStartAndWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		fb := rt.Start(context.Background(), AndThen(Sleep[any, error](time.Second), succeed(3)), nil)
		ex, err := fb.Wait(context.Background())
		if v, ok := ex.Value(); err != nil || !ok || v != 3 {
			t.Fatalf("got %v %v", ex, err)
		}
		fb2 := rt.Start(context.Background(), Never[any, error, int](), nil)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := fb2.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait with deadline: %v", err)
		}
		fb2.InterruptFromGo()
		<-fb2.Done()
		if ex, _ := fb2.Poll(); !ex.IsInterrupted() {
			t.Fatalf("got %v", ex)
		}
	})
}

func TestEnvironmentAndProvide(t *testing.T) {
	type env struct {
		name string
		n    int
	}
	greet := Access[env, error](func(e env) string { return "hello " + e.name })
	got, err := Run(context.Background(), greet, env{name: "gopher"})
	if err != nil || got != "hello gopher" {
		t.Fatalf("got %q %v", got, err)
	}
	whole := AccessEffect(func(e env) Effect[env, error, int] { return Succeed[env, error](e.n) })
	provided := Provide[any](whole, env{n: 4})
	if v := mustRun(t, provided); v != 4 {
		t.Fatalf("Provide: %d", v)
	}
	type outer struct{ inner env }
	from := ProvideFrom(Environment[env, error](), func(o outer) env { return o.inner })
	if v, _ := Run(context.Background(), from, outer{env{n: 9}}); v.n != 9 {
		t.Fatalf("ProvideFrom: %+v", v)
	}
	widened := Widen[env](succeed(5))
	if v, _ := Run(context.Background(), widened, env{}); v != 5 {
		t.Fatalf("Widen: %d", v)
	}
	if v := mustRun(t, whole.Provide[any](env{n: 8})); v != 8 {
		t.Fatalf("method Provide: %d", v)
	}
}
