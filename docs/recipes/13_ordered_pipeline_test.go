package recipes_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/stream"
)

func Example_parallelStageInOrder() {
	lines := stream.Of[any, error]("b", "a", "d", "c")
	// A slow stage, 4 at a time; the results keep the input order, and at
	// most 4 are in progress or waiting for the consumer (back-pressure).
	enrich := func(s string) eff.Effect[string] {
		d := time.Duration(strings.Index("abcd", s)) * 5 * time.Millisecond
		return eff.Sleep(d).AndThen(eff.Succeed(strings.ToUpper(s)))
	}
	out, err := eff.Run(context.Background(), lines.MapEffect(enrich, stream.Par{Limit: 4}).Collect())
	fmt.Println(out, err)
	// Output: [B A D C] <nil>
}
