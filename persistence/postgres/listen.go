package postgres

import (
	"context"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/resource"
)

// listen returns the subscription of a feed: LISTEN to channel on a
// connection taken from the pool (and closed afterwards, not given back),
// and hand on each notification's payload. A failed connection ends it.
func (s *Store) listen(channel string) func(ctx context.Context, ready func(), notify func(string)) {
	return func(ctx context.Context, ready func(), notify func(string)) {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return
		}
		defer func() { _ = conn.Hijack().Close(context.Background()) }()
		// channel is made of the validated table name: an identifier.
		if _, err := conn.Exec(ctx, `LISTEN "`+channel+`"`); err != nil {
			return
		}
		ready()
		for {
			n, err := conn.Conn().WaitForNotification(ctx)
			if err != nil {
				return
			}
			notify(n.Payload)
		}
	}
}

// WatchReleases announces the releases of key, by the store's shared
// LISTEN connection.
func (s *Store) WatchReleases(ctx context.Context, key string) (<-chan struct{}, func(), error) {
	if err := persistence.CheckKey("postgres.Store.WatchReleases", key); err != nil {
		return nil, nil, err
	}
	return s.released.Watch(ctx, hexOf(s.hash(key)))
}

// WatchBreaker calls fn with name's record, then after each change of it,
// until ctx ends: changes are pushed by LISTEN/NOTIFY (the store's shared
// connection), and the record is also reloaded every Options.PollInterval
// (which alone keeps the watch going while that connection is down).
func (s *Store) WatchBreaker(ctx context.Context, name string, fn func(resource.BreakerRecord)) error {
	if err := persistence.CheckKey("postgres.Store.WatchBreaker", name); err != nil {
		return err
	}
	wake, stop, err := s.breakers.Watch(ctx, hexOf(s.hash(name)))
	if err != nil {
		return err
	}
	defer stop()
	return persistence.PollBreaker(ctx, s, name, s.poll, wake, fn)
}
