package advanced_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

func Example_daemonFibers() {
	rt := effect.NewRuntime()
	ctx := context.Background()
	ticks := make(chan string, 64)
	ticker := func(name string) eff.Effect[struct{}] {
		tick := eff.Sync(func() struct{} {
			select {
			case ticks <- name:
			default:
			}
			return struct{}{}
		})
		return tick.AndThen(eff.Sleep(time.Millisecond)).Forever().
			OnInterrupt(func(error) eff.Effect[struct{}] {
				return eff.Sync(func() struct{} { fmt.Println(name, "stopped"); return struct{}{} })
			})
	}

	// ForkIn: a fiber of a long-lived scope the application owns, such as
	// a connection's; it outlives the request that started it and stops
	// when that scope closes.
	conn := rt.NewScope()
	request := effect.ForkIn(conn, ticker("keepalive"))
	if _, err := rt.Run(ctx, request, nil); err != nil {
		fmt.Println(err)
	}
	fmt.Println("request done; keepalive ticking:", <-ticks)
	_ = conn.Close(ctx)

	// ForkDaemon: a fiber of the runtime itself, for background work with no
	// narrower owner; Shutdown interrupts it.
	if _, err := rt.Run(ctx, effect.ForkDaemon(ticker("metrics flusher")), nil); err != nil {
		fmt.Println(err)
	}
	for name := range ticks {
		if name == "metrics flusher" {
			break
		}
	}
	fmt.Println("request done; metrics flusher ticking")
	fmt.Println("shutdown:", rt.Shutdown(ctx))
	// Output:
	// request done; keepalive ticking: keepalive
	// keepalive stopped
	// request done; metrics flusher ticking
	// metrics flusher stopped
	// shutdown: <nil>
}
