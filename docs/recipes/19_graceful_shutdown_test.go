package recipes_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

func Example_gracefulShutdown() {
	rt := effect.NewRuntime() // one per process
	// A background consumer and its connection, started at boot.
	ready := make(chan struct{})
	conn := eff.Acquire(
		func(context.Context) (string, error) { fmt.Println("connected"); close(ready); return "amqp", nil },
		func(_ context.Context, c string) error { fmt.Println("closed", c); return nil })
	consumer := conn.FlatMap(func(string) eff.Effect[struct{}] {
		return eff.Sleep(time.Hour) // consume until stopped
	}).OnInterrupt(func(error) eff.Effect[struct{}] {
		fmt.Println("consumer stopping")
		return eff.Unit()
	})
	rt.Start(context.Background(), consumer, nil)
	<-ready // the process serves… until SIGTERM:
	// Shutdown interrupts every fiber and waits for their finalizers,
	// within its ctx's deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fmt.Println("shutdown:", rt.Shutdown(ctx))
	// Output:
	// connected
	// consumer stopping
	// closed amqp
	// shutdown: <nil>
}
