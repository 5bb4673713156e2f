package recipes_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
)

func Example_fallbackToCacheOnTimeout() {
	live := func(d time.Duration) eff.Effect[string] {
		return eff.Sleep(d).AndThen(eff.Succeed("live price 101.50"))
	}
	cached := eff.Succeed("cached price 101.20 (a minute old)")
	// Wait for the live price at most 50ms; the slow call is interrupted
	// and the cache answers.
	ctx := context.Background()
	fmt.Println(eff.Run(ctx, live(time.Millisecond).TimeoutTo(50*time.Millisecond, cached)))
	fmt.Println(eff.Run(ctx, live(time.Hour).TimeoutTo(50*time.Millisecond, cached)))
	// Output:
	// live price 101.50 <nil>
	// cached price 101.20 (a minute old) <nil>
}
