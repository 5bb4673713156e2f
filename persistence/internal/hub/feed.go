package hub

import (
	"context"
	"sync"
)

// Feed shares one subscription to a server's announcements (a Redis
// pub/sub channel, a PostgreSQL LISTEN) among the watchers of a process,
// and hands each announcement to the watchers of its key through a Hub.
//
// The subscription runs on a goroutine started by the first watcher and
// ended, and waited for, by the stop of the last one: the watchers own it.
// If it fails, the next Watch starts a new one; watchers of the failed one
// hear nothing more (announcements are hints: they poll anyway).
type Feed struct {
	// Listen subscribes, calls ready once the subscription is live, then
	// calls notify with the key of each announcement until ctx ends or
	// the subscription fails.
	Listen func(ctx context.Context, ready func(), notify func(key string))

	mu   sync.Mutex
	refs int
	run  *feedRun
	hub  Hub
}

type feedRun struct {
	cancel context.CancelFunc
	ready  chan struct{}
	done   chan struct{}
}

func (r *feedRun) ended() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// Watch returns a channel that receives a value after each announcement of
// key, once the subscription is live (or has failed: then only polling
// helps), and the function that stops the watch. It fails only with ctx's
// error, if ctx ends before the subscription is live.
func (f *Feed) Watch(ctx context.Context, key string) (<-chan struct{}, func(), error) {
	ch, unwatch := f.hub.Watch(key)
	f.mu.Lock()
	if f.run == nil || f.run.ended() {
		rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		r := &feedRun{cancel: cancel, ready: make(chan struct{}), done: make(chan struct{})}
		var once sync.Once
		go func() {
			defer close(r.done)
			f.Listen(rctx, func() { once.Do(func() { close(r.ready) }) }, f.hub.Notify)
		}()
		f.run = r
	}
	r := f.run
	f.refs++
	f.mu.Unlock()
	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			unwatch()
			f.mu.Lock()
			f.refs--
			var last *feedRun
			if f.refs == 0 {
				last, f.run = f.run, nil
			}
			f.mu.Unlock()
			if last != nil {
				last.cancel()
				<-last.done
			}
		})
	}
	select {
	case <-r.ready:
	case <-r.done:
	case <-ctx.Done():
		stop()
		return nil, nil, context.Cause(ctx)
	}
	return ch, stop, nil
}
