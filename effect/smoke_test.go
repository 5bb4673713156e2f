package effect

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

type eff = Effect[any, error, int]

func succeed(i int) eff { return Succeed[any, error](i) }

func mustRun[A any](t *testing.T, e Effect[any, error, A]) A {
	t.Helper()
	v, err := Run(context.Background(), e, nil)
	if err != nil {
		t.Fatalf("Run: unexpected error %v", err)
	}
	return v
}

func TestSmokeTour(t *testing.T) {
	if got := mustRun(t, Map(succeed(1), func(i int) int { return i + 1 })); got != 2 {
		t.Fatalf("map: got %d want 2", got)
	}
	prog := FlatMap(Fork(Sleep[any, error](time.Millisecond).As(5)), func(fb *Fiber[error, int]) eff { return Join[any](fb) })
	if got := mustRun(t, prog); got != 5 {
		t.Fatalf("fork/join: got %d want 5", got)
	}
	var log []string
	acq := func(name string) eff {
		return AcquireRelease(Sync[any, error](func() int { log = append(log, "acq "+name); return 1 }),
			func(int) Effect[any, error, struct{}] {
				return Sync[any, error](func() struct{} { log = append(log, "rel "+name); return struct{}{} })
			})
	}
	boom := errors.New("boom")
	_, err := Run(context.Background(), Scoped(acq("a").AndThen(acq("b")).AndThen(Fail[any, int](boom))), nil)
	if err != boom {
		t.Fatalf("scoped: got %v want boom", err)
	}
	if want := []string{"acq a", "acq b", "rel b", "rel a"}; !slices.Equal(log, want) {
		t.Fatalf("scoped: got %v want %v", log, want)
	}
}
