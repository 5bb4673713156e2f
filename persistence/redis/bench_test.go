package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/persistence/persistencetest"
	"github.com/gogoscope/gogoscope/persistence/redis"
)

// BenchmarkLock: acquire+release (two scripts) beside SET NX PX + DEL, the
// raw two round trips of a naive Redis lock.
func BenchmarkLock(b *testing.B) {
	s := open(b, redis.Options{Prefix: "gogoscope-bench:"})
	persistencetest.BenchLock(b, s)
	persistencetest.BenchBreaker(b, s)
	b.Run("raw/SETNX+DEL", func(b *testing.B) {
		ctx, c := context.Background(), s.Client()
		b.ReportAllocs()
		for b.Loop() {
			if err := c.SetNX(ctx, "gogoscope-bench:raw", "owner", 10*time.Second).Err(); err != nil {
				b.Fatal(err)
			}
			if err := c.Del(ctx, "gogoscope-bench:raw").Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
