// Package hub announces events by key to the watchers of one process: the
// in-process half of release and breaker announcements.
package hub

import "sync"

// Hub maps keys to their watchers. The zero Hub is ready to use.
type Hub struct {
	mu sync.Mutex
	m  map[string]map[chan struct{}]struct{}
}

// Watch returns a channel that receives a value (dropped if one is pending)
// after each Notify of key, and the function that stops the watch.
func (h *Hub) Watch(key string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.m == nil {
		h.m = map[string]map[chan struct{}]struct{}{}
	}
	set := h.m[key]
	if set == nil {
		set = map[chan struct{}]struct{}{}
		h.m[key] = set
	}
	set[ch] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			delete(h.m[key], ch)
			if len(h.m[key]) == 0 {
				delete(h.m, key)
			}
		})
	}
}

// Notify wakes every watcher of key.
func (h *Hub) Notify(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.m[key] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
