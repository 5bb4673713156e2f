package recipes_test

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/interop"
	"github.com/gogoscope/gogoscope/schedule"
)

func Example_effectInsideErrgroup() {
	// An existing errgroup program adopts one effect: the retrying,
	// time-limited fetch becomes a plain func(ctx) (A, error).
	attempts := 0
	fetch := eff.Try(func(ctx context.Context) (string, error) {
		if attempts++; attempts < 3 {
			return "", fmt.Errorf("attempt %d: unavailable", attempts)
		}
		return "profile", nil
	}).Retry(schedule.Spaced(time.Millisecond).Intersect(schedule.Recurs(5))).Timeout(time.Second)

	rt := effect.NewRuntime()
	defer rt.Shutdown(context.Background())
	getProfile := interop.ToCtxValueFunc(fetch, rt)

	g, ctx := errgroup.WithContext(context.Background())
	var profile string
	g.Go(func() (err error) { profile, err = getProfile(ctx); return err })
	g.Go(func() error { return nil }) // the rest of the program, unchanged
	fmt.Println(g.Wait(), profile, "after", attempts, "attempts")
	// Output: <nil> profile after 3 attempts
}
