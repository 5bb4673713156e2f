package recipes_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

func Example_boundedFanOutWithDeadline() {
	var inFlight, most atomic.Int64
	fetch := func(id int) eff.Effect[string] {
		d := time.Duration(id) * time.Millisecond
		if id == 5 {
			d = time.Hour // one backend hangs
		}
		return eff.Do(func(context.Context) error {
			n := inFlight.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			return nil
		}).AndThen(eff.Sleep(d)).
			Ensuring(eff.Sync(func() int64 { return inFlight.Add(-1) })).
			Map(func(struct{}) string { return fmt.Sprint("item ", id) })
	}
	ids := []int{1, 2, 3, 4, 5, 6, 7, 8}
	// At most 3 at once, each within 50ms, all of them within a second;
	// every item's outcome is kept.
	all := effect.Settle(ids, func(id int) eff.Effect[string] {
		return fetch(id).Timeout(50 * time.Millisecond)
	}, eff.Par{Limit: 3, Mode: effect.Collect}).Timeout(time.Second)
	exits, err := eff.Run(context.Background(), all)
	for i, x := range exits {
		if _, err := x.Get(); err != nil {
			fmt.Println(ids[i], err)
		}
	}
	fmt.Println(len(exits), "items settled:", err, "- at most 3 at once:", most.Load() <= 3)
	// Output:
	// 5 effect: timeout after 50ms
	// 8 items settled: <nil> - at most 3 at once: true
}
