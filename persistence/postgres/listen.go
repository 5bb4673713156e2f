package postgres

import (
	"context"
	"sync"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/resource"
)

// listen LISTENs to channel on a connection taken from the pool for the
// watch, and sends on the returned channel (dropping a value if one is
// pending) for each notification whose payload is payload. The goroutine
// that waits for notifications ends when stop is called or the connection
// fails; stop waits for it and closes the connection (a connection that
// listened is not given back to the pool).
func (s *Store) listen(ctx context.Context, op, channel, payload string) (<-chan struct{}, func(), error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, nil, s.fail(op, err)
	}
	// channel is made of the validated table name: an identifier.
	if _, err := conn.Exec(ctx, `LISTEN "`+channel+`"`); err != nil {
		conn.Release()
		return nil, nil, s.fail(op, err)
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	out := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			n, err := conn.Conn().WaitForNotification(wctx)
			if err != nil {
				return
			}
			if n.Payload == payload {
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	var once sync.Once
	return out, func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			// A cancelled wait may leave the connection in an unknown
			// state: close it rather than return it to the pool.
			_ = conn.Hijack().Close(context.Background())
		})
	}, nil
}

// WatchReleases LISTENs for the announcements of key's releases on a
// connection of its own.
func (s *Store) WatchReleases(ctx context.Context, key string) (<-chan struct{}, func(), error) {
	if err := persistence.CheckKey("postgres.Store.WatchReleases", key); err != nil {
		return nil, nil, err
	}
	return s.listen(ctx, "WatchReleases", s.q.releasedChannel, hexOf(s.hash(key)))
}

// WatchBreaker calls fn with name's record, then after each change of it,
// until ctx ends: changes are pushed by LISTEN/NOTIFY, on a connection of
// the watch's own, and the record is also reloaded every
// Options.PollInterval (which alone keeps the watch going if that
// connection fails).
func (s *Store) WatchBreaker(ctx context.Context, name string, fn func(resource.BreakerRecord)) error {
	if err := persistence.CheckKey("postgres.Store.WatchBreaker", name); err != nil {
		return err
	}
	wake, stop, err := s.listen(ctx, "WatchBreaker", s.q.breakerChannel, hexOf(s.hash(name)))
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return err
	}
	defer stop()
	return persistence.PollBreaker(ctx, s, name, s.poll, wake, fn)
}
