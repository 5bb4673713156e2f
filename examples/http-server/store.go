package main

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
	"github.com/gogoscope/gogoscope/resource"
)

// Item is what the service stores.
type Item struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// NotFoundError is the typed failure of a lookup, answered 404.
type NotFoundError struct{ ID int }

func (e *NotFoundError) Error() string { return fmt.Sprintf("item %d not found", e.ID) }

// Store stands for a database: opened at start, closed at shutdown.
type Store struct {
	log   *slog.Logger
	mu    sync.Mutex
	items map[int]Item
	next  int
}

// OpenStore opens the store.
func OpenStore(_ context.Context, log *slog.Logger) (*Store, error) {
	log.Info("store opened")
	return &Store{log: log, items: map[int]Item{}, next: 1}, nil
}

// Close closes the store.
func (s *Store) Close() error {
	s.log.Info("store closed")
	return nil
}

// Get returns the item id, or fails with a *NotFoundError.
func (s *Store) Get(id int) Eff[Item] {
	return kit.Suspend(func() Eff[Item] {
		s.mu.Lock()
		defer s.mu.Unlock()
		it, ok := s.items[id]
		if !ok {
			return kit.Fail[Item](&NotFoundError{ID: id})
		}
		return kit.Succeed(it)
	})
}

// Put stores an item under a new id and returns it.
func (s *Store) Put(name string) Eff[Item] {
	return kit.Sync(func(Env) Item {
		s.mu.Lock()
		defer s.mu.Unlock()
		it := Item{ID: s.next, Name: name}
		s.items[it.ID] = it
		s.next++
		return it
	})
}

// List returns every item, by id.
func (s *Store) List() Eff[[]Item] {
	return kit.Sync(func(Env) []Item {
		s.mu.Lock()
		defer s.mu.Unlock()
		out := make([]Item, 0, len(s.items))
		for _, it := range s.items {
			out = append(out, it)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		return out
	})
}

// Env is the service's environment, built once from layers at start.
type Env struct {
	Log   *slog.Logger
	Store *Store
	// Reports bounds the reports computed at once: they are costly.
	Reports *resource.Semaphore
	// ReportTime is how long a report takes.
	ReportTime time.Duration
}

// Eff is the shape of the service's effects, and kit builds them without
// type arguments.
type Eff[A any] = effect.Effect[Env, error, A]

var kit = eff.For[Env]()

// Config is what the layers are built from.
type Config struct {
	Log        *slog.Logger
	Reports    int64
	ReportTime time.Duration
}

// AppLayer builds the environment: the store (a resource, closed at
// shutdown) and the semaphore of reports (owned by the application
// scope), from the config.
func AppLayer(cfg Config) *layer.Layer[any, error, Env] {
	store := layer.Resource(func(ctx context.Context, _ any) (*Store, error) { return OpenStore(ctx, cfg.Log) }, (*Store).Close).
		Named("store")
	reports := layer.FromEffect(resource.NewSemaphore[any, error](cfg.Reports)).Named("report limit")
	return layer.Struct(
		layer.Field(store, func(e *Env, s *Store) { e.Store = s }),
		layer.Field(reports, func(e *Env, s *resource.Semaphore) { e.Reports = s }),
		layer.Field(layer.Succeed[any, error](cfg), func(e *Env, c Config) {
			e.Log, e.ReportTime = c.Log, c.ReportTime
		}),
	)
}
