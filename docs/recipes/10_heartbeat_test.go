package recipes_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

func Example_heartbeatWhileWorking() {
	beats := 0
	heartbeat := eff.Sync(func() int { beats++; return beats }).
		Repeat(schedule.Spaced(5 * time.Millisecond)).
		OnInterrupt(func(err error) eff.Effect[struct{}] {
			fmt.Println("heartbeat stopped:", errors.Is(err, effect.ErrScopeClosed))
			return eff.Unit()
		})
	work := eff.Sleep(30 * time.Millisecond).AndThen(eff.Succeed("report ready"))
	// The heartbeat is a fiber of the job's scope: it cannot outlive the
	// work, whether the work succeeds, fails or is interrupted.
	job := eff.Fork(heartbeat).AndThen(work).Scoped()
	fmt.Println(eff.Run(context.Background(), job))
	fmt.Println("beats sent:", beats > 0)
	// Output:
	// heartbeat stopped: true
	// report ready <nil>
	// beats sent: true
}
