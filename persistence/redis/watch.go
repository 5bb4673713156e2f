package redis

import (
	"context"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/resource"
)

// listen returns the subscription of a feed: SUBSCRIBE to channel on a
// connection of its own (go-redis re-subscribes after a reconnection), and
// hand on each message.
func (s *Store) listen(channel string) func(ctx context.Context, ready func(), notify func(string)) {
	return func(ctx context.Context, ready func(), notify func(string)) {
		ps := s.c.Subscribe(ctx, channel)
		defer ps.Close()
		// A blocked receive does not watch ctx: closing the subscription
		// ends it.
		stop := context.AfterFunc(ctx, func() { ps.Close() })
		defer stop()
		if _, err := ps.Receive(ctx); err != nil { // the subscription's confirmation
			return
		}
		ready()
		for {
			msg, err := ps.ReceiveMessage(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				// The connection failed: the next receive reconnects.
				// Pause so that a server that is down is not hammered.
				select {
				case <-ctx.Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
				continue
			}
			notify(msg.Payload)
		}
	}
}

// WatchReleases announces the releases of key, by the store's shared
// subscription.
func (s *Store) WatchReleases(ctx context.Context, key string) (<-chan struct{}, func(), error) {
	if err := persistence.CheckKey("redis.Store.WatchReleases", key); err != nil {
		return nil, nil, err
	}
	return s.released.Watch(ctx, key)
}

// WatchBreaker calls fn with name's record, then after each change of it,
// until ctx ends: changes are pushed by pub/sub (the store's shared
// subscription), and the record is also reloaded every
// Options.PollInterval in case an announcement was missed.
func (s *Store) WatchBreaker(ctx context.Context, name string, fn func(resource.BreakerRecord)) error {
	if err := persistence.CheckKey("redis.Store.WatchBreaker", name); err != nil {
		return err
	}
	wake, stop, err := s.breakers.Watch(ctx, name)
	if err != nil {
		return err
	}
	defer stop()
	return persistence.PollBreaker(ctx, s, name, s.poll, wake, fn)
}
