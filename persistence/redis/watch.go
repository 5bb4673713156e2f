package redis

import (
	"context"
	"sync"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/resource"
)

// WatchReleases subscribes to the announcements of key's releases, on a
// connection of its own. stop closes it and waits for the goroutine that
// forwards the announcements.
func (s *Store) WatchReleases(ctx context.Context, key string) (<-chan struct{}, func(), error) {
	if err := persistence.CheckKey("redis.Store.WatchReleases", key); err != nil {
		return nil, nil, err
	}
	ps := s.c.Subscribe(ctx, s.releasedChannel(key))
	if _, err := ps.Receive(ctx); err != nil { // the subscription's confirmation
		ps.Close()
		return nil, nil, s.fail("WatchReleases", err)
	}
	msgs := ps.Channel()
	out := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range msgs { // ends when ps is closed
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	var once sync.Once
	return out, func() {
		once.Do(func() {
			ps.Close()
			wg.Wait()
		})
	}, nil
}

// WatchBreaker calls fn with name's record, then after each change of it,
// until ctx ends: changes are pushed by pub/sub (on a connection of the
// watch's own), and the record is also reloaded every
// Options.PollInterval in case an announcement was missed.
func (s *Store) WatchBreaker(ctx context.Context, name string, fn func(resource.BreakerRecord)) error {
	if err := persistence.CheckKey("redis.Store.WatchBreaker", name); err != nil {
		return err
	}
	ps := s.c.Subscribe(ctx, s.breakerChannel(name))
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return s.fail("WatchBreaker", err)
	}
	return persistence.PollBreaker(ctx, s, name, s.poll, ps.Channel(), fn)
}
