package recipes_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/ratelimit"
)

func Example_rateLimitOutgoingCalls() {
	// At most 3 calls at once from idle, then 10 a second: a partner API's
	// quota. Limit waits for a turn; TryAcquire answers at once.
	prog := ratelimit.New[any, error](ratelimit.TokenBucket{Rate: 10, Per: time.Second, Burst: 3}).
		FlatMap(func(lim *ratelimit.Limiter) eff.Effect[string] {
			call := func(i int) eff.Effect[int] { return lim.Limit(eff.Succeed(i)) }
			return eff.ForEach([]int{1, 2, 3}, call).Map(func(done []int) string {
				return fmt.Sprintf("%d calls went through; a fourth now: %v", len(done), lim.TryAcquire(1))
			})
		})
	fmt.Println(eff.Run(context.Background(), prog.Scoped()))
	// Output: 3 calls went through; a fourth now: false <nil>
}
