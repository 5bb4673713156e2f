package fpgo_test

// The program of the fp-go migration guide in docs/interop.md, checked:
// the gogoscope pipeline must behave as the fp-go one, and the two mix.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/IBM/fp-go/either"
	F "github.com/IBM/fp-go/function"
	"github.com/IBM/fp-go/ioeither"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/interop"
	"github.com/gogoscope/gogoscope/interop/fpgo"
)

// Before: an fp-go pipeline.
func parsePortFp(s string) ioeither.IOEither[error, int] {
	return F.Pipe2(
		ioeither.TryCatchError(func() (int, error) { return strconv.Atoi(s) }),
		ioeither.Map[error](func(n int) int { return n + 8000 }),
		ioeither.Chain(func(n int) ioeither.IOEither[error, int] {
			if n > 65535 {
				return ioeither.Left[int](errors.New("port out of range"))
			}
			return ioeither.Right[error](n)
		}),
	)
}

// After: the same pipeline as effect methods.
func parsePort(s string) effect.Effect[any, error, int] {
	return interop.FromValueFunc[any](func() (int, error) { return strconv.Atoi(s) }).
		Map(func(n int) int { return n + 8000 }).
		FlatMap(func(n int) effect.Effect[any, error, int] {
			if n > 65535 {
				return effect.Fail[any, int](errors.New("port out of range"))
			}
			return effect.Succeed[any, error](n)
		})
}

func TestMigrationFpGo(t *testing.T) {
	for _, in := range []string{"80", "x", "60000"} {
		want, wantErr := either.UnwrapError(parsePortFp(in)())
		got, err := effect.Run(context.Background(), parsePort(in), nil)
		if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%q: effect %v, %v; fp-go %v, %v", in, got, err, want, wantErr)
		}
	}
	// The two mix during a migration: an fp-go value inside an effect
	// pipeline, and an effect handed to fp-go code.
	mixed := fpgo.FromIOEither[any](parsePortFp("1")).Map(func(n int) int { return n * 2 })
	if v, err := either.UnwrapError(fpgo.ToIOEither(mixed, nil)()); v != 16002 || err != nil {
		t.Errorf("mixed: got %v, %v; want 16002", v, err)
	}
}
