package redis_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/redis"
)

// Open connects to the Redis of REDIS_URL (TLS with rediss://). It needs a
// server, so it is compiled but not run by go test.
func ExampleOpen() {
	ctx := context.Background()
	store, err := redis.Open(ctx, os.Getenv("REDIS_URL"), redis.Options{Prefix: "app:"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	_, err = effect.Run(ctx, persistence.WithLock(store, "nightly", persistence.LockOptions{TTL: 30 * time.Second},
		func(h *persistence.Held) effect.Effect[any, error, struct{}] {
			return effect.Unit[any, error]() // the job, writing with h.Token()
		}), nil)
	fmt.Println(err)
}
