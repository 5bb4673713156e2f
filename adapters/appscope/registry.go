package appscope

import (
	"slices"
	"sync"
)

// registry holds the requests in flight, in shards so that requests
// beginning and ending on different cores rarely meet on one lock. A
// shard is an intrusive list of requests (their prev and next links):
// adding and removing one allocates nothing and hashes nothing; looking
// one up by ID ([App.Cancel], an operator's action) walks its shard.
type registry struct {
	shards [16]shard
}

type shard struct {
	mu   sync.Mutex
	head *request
	_    [48]byte // pad to a cache line: shards do not share one
}

func (g *registry) shard(id uint64) *shard { return &g.shards[id%uint64(len(g.shards))] }

func (g *registry) add(r *request) {
	s := g.shard(r.id)
	s.mu.Lock()
	r.prev, r.next = nil, s.head
	if s.head != nil {
		s.head.prev = r
	}
	s.head = r
	s.mu.Unlock()
}

func (g *registry) remove(r *request) {
	s := g.shard(r.id)
	s.mu.Lock()
	if r.prev != nil {
		r.prev.next = r.next
	} else if s.head == r {
		s.head = r.next
	}
	if r.next != nil {
		r.next.prev = r.prev
	}
	r.prev, r.next = nil, nil
	s.mu.Unlock()
}

func (g *registry) get(id uint64) *request {
	s := g.shard(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	for r := s.head; r != nil; r = r.next {
		if r.id == id {
			return r
		}
	}
	return nil
}

// each calls f for every request in flight, under its shard's lock.
func (g *registry) each(f func(*request)) {
	for i := range g.shards {
		s := &g.shards[i]
		s.mu.Lock()
		for r := s.head; r != nil; r = r.next {
			f(r)
		}
		s.mu.Unlock()
	}
}

// list returns the requests in flight, oldest first.
func (g *registry) list() []RequestInfo {
	var reqs []*request
	g.each(func(r *request) { reqs = append(reqs, r) })
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
