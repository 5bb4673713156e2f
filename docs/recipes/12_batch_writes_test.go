package recipes_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/stream"
)

func Example_batchWrites() {
	events := stream.Range[any, error](1, 8) // 1..7
	insert := func(batch []int) eff.Effect[struct{}] {
		return eff.Do(func(context.Context) error { fmt.Println("INSERT", batch); return nil })
	}
	// Write in batches of 3, or whatever arrived within 100ms, so a quiet
	// stream is not held back.
	_, err := eff.Run(context.Background(), stream.GroupedWithin(events, 3, 100*time.Millisecond).ForEach(insert))
	fmt.Println(err)
	// Output:
	// INSERT [1 2 3]
	// INSERT [4 5 6]
	// INSERT [7]
	// <nil>
}
