package recipes_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/schedule"
)

func Example_pollUntilDone() {
	states := []string{"queued", "running", "running", "done"}
	polls := 0
	status := eff.Sync(func() string { s := states[polls]; polls++; return s })
	// Ask every 5ms until the job is done, for 2 seconds at most.
	until := schedule.Spaced(5 * time.Millisecond).
		UntilInput(func(s string) bool { return s == "done" }).
		UpTo(2 * time.Second)
	_, err := eff.Run(context.Background(), status.Repeat(until))
	fmt.Println("done after", polls, "polls:", err)
	// Output: done after 4 polls: <nil>
}
