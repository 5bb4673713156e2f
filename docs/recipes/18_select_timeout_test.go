package recipes_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/stream"
)

func Example_receiveFromEitherWithTimeout() {
	orders := stream.NewChannel[string](1)
	cancels := stream.NewChannel[string](1)
	next := stream.Select(
		stream.OnReceive(orders, func(id string, ok bool) eff.Effect[string] { return eff.Succeed("order " + id) }),
		stream.OnReceive(cancels, func(id string, ok bool) eff.Effect[string] { return eff.Succeed("cancel " + id) }),
		stream.OnTimeout(20*time.Millisecond, func() eff.Effect[string] { return eff.Succeed("idle") }),
	)
	ctx := context.Background()
	cancels.TrySend("A-17")
	fmt.Println(eff.Run(ctx, next))
	fmt.Println(eff.Run(ctx, next)) // nothing arrives within 20ms
	// Output:
	// cancel A-17 <nil>
	// idle <nil>
}
