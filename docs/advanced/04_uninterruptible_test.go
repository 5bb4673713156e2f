package advanced_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

func Example_uninterruptibleRegions() {
	ctx := context.Background()
	step := func(s string, d time.Duration) eff.Effect[struct{}] {
		return eff.Sleep(d).AndThen(eff.Sync(func() struct{} { fmt.Println(s); return struct{}{} }))
	}

	// Uninterruptible: both writes of a pair happen, or neither starts.
	// The timeout fires during the first write; the interruption waits for
	// the region to end, and the region's result stands.
	pair := effect.Uninterruptible(step("debit written", 20*time.Millisecond).AndThen(step("credit written", time.Millisecond)))
	_, err := eff.Run(ctx, pair.Timeout(5*time.Millisecond))
	fmt.Println("pair:", err)

	// UninterruptibleMask: acquire and release are protected; only the use,
	// under restore, can be interrupted — and only if the caller could be.
	lease := effect.UninterruptibleMask(func(restore effect.Restore) eff.Effect[string] {
		acquire := step("lease taken", 20*time.Millisecond)
		use := restore.Apply(step("work finished", time.Hour).AndThen(eff.Succeed("done")))
		release := step("lease returned", time.Millisecond)
		return acquire.AndThen(use.Ensuring(release))
	})
	_, err = eff.Run(ctx, lease.Timeout(5*time.Millisecond))
	fmt.Println("lease:", err)
	// Output:
	// debit written
	// credit written
	// pair: <nil>
	// lease taken
	// lease returned
	// lease: effect: timeout after 5ms
}
