package resource_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

func ExamplePoll() {
	// Poll a queue's depth every millisecond, twice at most (Recurs(1):
	// one repetition), handing each value to a callback. The poller stops
	// with its schedule, with Stop, or with its scope.
	depth := 10
	check := effect.Sync[any, error](func() int { depth -= 3; return depth })
	done := effect.NewDeferred[error, struct{}]()
	onValue := func(v int) {
		fmt.Println("depth", v)
		if v < 5 {
			done.Succeed(struct{}{})
		}
	}
	prog := effect.Scoped(effect.FlatMap(resource.Poll(check, schedule.Spaced(time.Millisecond).Intersect(schedule.Recurs(1)), onValue, resource.PollOptions{}),
		func(p *resource.Poller) effect.Effect[any, error, resource.PollStatus] {
			return effect.AndThen(done.Await[any](), effect.AndThen(p.Stop[any, error](), effect.Sync[any, error](p.Status)))
		}))
	st, err := effect.Run(context.Background(), prog, nil)
	fmt.Println("polls:", st.Polls, "running:", st.Running, err)
	// Output:
	// depth 7
	// depth 4
	// polls: 2 running: false <nil>
}

func ExamplePoller_Start() {
	// Stop and start again: a start polls at once, with the schedule
	// started afresh.
	n := 0
	tick := effect.Sync[any, error](func() int { n++; return n })
	var seen []int
	prog := effect.Scoped(effect.FlatMap(resource.Poll(tick, schedule.Spaced(time.Hour), func(v int) { seen = append(seen, v) }, resource.PollOptions{}),
		func(p *resource.Poller) effect.Effect[any, error, []int] {
			pause := effect.Sleep[any, error](50 * time.Millisecond)
			return effect.AndThen(pause, effect.AndThen(p.Stop[any, error](), effect.AndThen(p.Start[any, error](),
				effect.AndThen(pause, effect.AndThen(p.Stop[any, error](), effect.Sync[any, error](func() []int { return seen }))))))
		}))
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output: [1 2] <nil>
}
