package appscope

import (
	"slices"
	"sync"
)

// registry holds the requests in flight, in shards so that requests
// beginning and ending on different cores rarely meet on one lock.
type registry struct {
	shards [16]shard
}

type shard struct {
	mu   sync.Mutex
	reqs map[uint64]*request
	_    [48]byte // pad to a cache line: shards do not share one
}

func (g *registry) init() {
	for i := range g.shards {
		g.shards[i].reqs = make(map[uint64]*request)
	}
}

func (g *registry) shard(id uint64) *shard { return &g.shards[id%uint64(len(g.shards))] }

func (g *registry) add(r *request) {
	s := g.shard(r.id)
	s.mu.Lock()
	s.reqs[r.id] = r
	s.mu.Unlock()
}

func (g *registry) remove(r *request) {
	s := g.shard(r.id)
	s.mu.Lock()
	delete(s.reqs, r.id)
	s.mu.Unlock()
}

func (g *registry) get(id uint64) *request {
	s := g.shard(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs[id]
}

// each calls f for every request in flight, under its shard's lock.
func (g *registry) each(f func(*request)) {
	for i := range g.shards {
		s := &g.shards[i]
		s.mu.Lock()
		for _, r := range s.reqs {
			f(r)
		}
		s.mu.Unlock()
	}
}

// list returns the requests in flight, oldest first.
func (g *registry) list() []RequestInfo {
	var reqs []*request
	for i := range g.shards {
		s := &g.shards[i]
		s.mu.Lock()
		for _, r := range s.reqs {
			reqs = append(reqs, r)
		}
		s.mu.Unlock()
	}
	slices.SortFunc(reqs, func(a, b *request) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	out := make([]RequestInfo, len(reqs))
	for i, r := range reqs {
		out[i] = r.info()
	}
	return out
}
