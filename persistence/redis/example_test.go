package redis_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gogoscope/gogoscope/eff"
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
	_, err = eff.Run(ctx, persistence.WithLock(store, "nightly", persistence.LockOptions{TTL: 30 * time.Second},
		func(h *persistence.Held) eff.Effect[struct{}] {
			return eff.Unit() // the job, writing with h.Token()
		}))
	fmt.Println(err)
}
