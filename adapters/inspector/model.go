package inspector

import "time"

// Snapshot is what the inspector page shows at one moment, and the JSON
// document it reads (snapshot.json, and each server-sent event). Every
// string in it may be user text (fiber and request names, what a fiber
// waits for): the page shows them as text, never as markup.
//
// The model is made to grow: fields that the runtime cannot fill yet
// (fiber names, deadlocks) are empty, and Notes says so; a [Source] can
// fill them.
type Snapshot struct {
	// Title names the program, from Options.Title.
	Title string `json:"title"`
	// Taken is when the snapshot was taken.
	Taken time.Time `json:"taken"`
	// IntervalMS is how often the page is updated, in milliseconds.
	IntervalMS int64 `json:"intervalMs"`
	// Fibers are the live fibers, parents before their children.
	Fibers []Fiber `json:"fibers"`
	// Truncated is how many more fibers were live beyond
	// Options.MaxFibers.
	Truncated int `json:"truncated,omitempty"`
	// Scopes are the explicit scopes open (effect.Scoped, request scopes,
	// the application scope) that the inspector saw open.
	Scopes []Scope `json:"scopes"`
	// Requests are the requests in flight of the application, if one was
	// given.
	Requests []Request `json:"requests"`
	// Deadlocks are the cycles of fibers waiting on each other found by a
	// source that detects them.
	Deadlocks []Deadlock `json:"deadlocks"`
	// Metrics are counters and gauges, in display order.
	Metrics []Metric `json:"metrics"`
	// Actions reports whether the page may offer actions (Options.
	// AllowActions).
	Actions bool `json:"actions"`
	// Notes tell what the snapshot cannot show, in plain words.
	Notes []string `json:"notes"`
}

// Fiber is a live fiber.
type Fiber struct {
	ID uint64 `json:"id"`
	// Parent is the fiber that forked it; 0 for a fiber started from
	// plain Go (a request's root fiber, say).
	Parent uint64 `json:"parent"`
	// Scope is the scope that supervises it.
	Scope uint64 `json:"scope"`
	// Name names it: the label of the request it serves, or a name given
	// by a source; empty when unknown.
	Name string `json:"name"`
	// Status is "running", "suspended" or "done".
	Status string `json:"status"`
	// BlockedOn says what a suspended fiber waits for ("sleep 1s", "join
	// fiber #7", "async").
	BlockedOn string `json:"blockedOn"`
	// Since is when the fiber was first seen in its current state: the
	// resolution is the refresh interval, since the runtime does not
	// record when a wait began.
	Since time.Time `json:"since"`
	// Started is when the fiber started, if it started after the
	// inspector began watching.
	Started time.Time `json:"started"`
	// Interrupting reports that an interruption was requested.
	Interrupting bool `json:"interrupting"`
}

// Scope is an explicit scope.
type Scope struct {
	ID     uint64 `json:"id"`
	Parent uint64 `json:"parent"`
	// Owner is the fiber that opened it; 0 for a scope made from plain Go.
	Owner uint64 `json:"owner"`
	// Label names special scopes ("runtime").
	Label string `json:"label"`
	// Opened is when the inspector saw it open.
	Opened time.Time `json:"opened"`
}

// Request is a request in flight.
type Request struct {
	ID      uint64    `json:"id"`
	Label   string    `json:"label"`
	Started time.Time `json:"started"`
	// Fiber runs the request's latest effect; 0 if none has run.
	Fiber uint64 `json:"fiber"`
	// Scope is the request scope; 0 until an effect opened it.
	Scope uint64 `json:"scope"`
}

// Deadlock is a cycle of fibers each waiting for a resource that the
// next one holds.
type Deadlock struct {
	Fibers    []uint64 `json:"fibers"`
	Resources []string `json:"resources"`
	// Description tells the cycle in words.
	Description string `json:"description"`
}

// Metric is a named number.
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	// Unit is "", "bytes" or "seconds".
	Unit string `json:"unit,omitempty"`
	Help string `json:"help,omitempty"`
}

// Source adds what it knows to a snapshot: fibers' names, deadlocks,
// metrics, notes. Collect is called for every snapshot, after the runtime
// and the requests have been read, on the goroutine of the HTTP request
// that asked; it must be quick and safe for concurrent use.
type Source interface {
	Collect(s *Snapshot)
}

// SourceFunc is a [Source] written as a function.
type SourceFunc func(s *Snapshot)

// Collect calls f.
func (f SourceFunc) Collect(s *Snapshot) { f(s) }
