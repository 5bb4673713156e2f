package recipes_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

// legacyResolve stands for a callback API: it answers on a goroutine of
// its own and returns a function that cancels the request.
func legacyResolve(host string, done func(addr string, err error)) (cancel func()) {
	t := time.AfterFunc(time.Millisecond, func() { done("10.0.0.7", nil) })
	if host == "slow.example" {
		t.Reset(time.Hour)
	}
	return func() { t.Stop() }
}

func Example_callbackAPI() {
	resolve := func(host string) eff.Effect[string] {
		return effect.Async[any](func(resume func(eff.Exit[string])) func() {
			return legacyResolve(host, func(addr string, err error) {
				if err != nil {
					resume(effect.FailedWith[error, string](effect.CauseFail(err)))
					return
				}
				resume(effect.Succeeded[error](addr))
			})
		})
	}
	ctx := context.Background()
	fmt.Println(eff.Run(ctx, resolve("db.example")))
	// An interruption (here the timeout) calls the API's cancel.
	_, err := eff.Run(ctx, resolve("slow.example").Timeout(20*time.Millisecond))
	fmt.Println(err)
	// Output:
	// 10.0.0.7 <nil>
	// effect: timeout after 20ms
}
