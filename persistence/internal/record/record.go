// Package record encodes the records of circuit breakers for the backends
// that keep them as bytes, and compares them.
package record

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/gogoscope/gogoscope/resource"
)

// wire is the stored form: short stable field names, the window as a string
// of '0' (success) and '1' (failure), times in Unix nanoseconds.
type wire struct {
	S uint8  `json:"s"`
	G uint64 `json:"g"`
	F int    `json:"f,omitempty"`
	W string `json:"w,omitempty"`
	O int64  `json:"o,omitempty"`
	T int    `json:"t,omitempty"`
	C int    `json:"c,omitempty"`
}

// Encode returns r as JSON.
func Encode(r resource.BreakerRecord) []byte {
	w := wire{S: uint8(r.State), G: r.Generation, F: r.Failures, T: r.Trials, C: r.Successes}
	if !r.OpenedAt.IsZero() {
		w.O = r.OpenedAt.UnixNano()
	}
	if len(r.Window) > 0 {
		b := make([]byte, len(r.Window))
		for i, f := range r.Window {
			b[i] = '0'
			if f {
				b[i] = '1'
			}
		}
		w.W = string(b)
	}
	out, _ := json.Marshal(w) // cannot fail: plain fields
	return out
}

// Decode returns the record encoded in b; empty b is the zero record.
func Decode(b []byte) (resource.BreakerRecord, error) {
	if len(b) == 0 {
		return resource.BreakerRecord{}, nil
	}
	var w wire
	if err := json.Unmarshal(b, &w); err != nil {
		return resource.BreakerRecord{}, fmt.Errorf("persistence: corrupt breaker record: %w", err)
	}
	r := resource.BreakerRecord{State: resource.BreakerState(w.S), Generation: w.G, Failures: w.F, Trials: w.T, Successes: w.C}
	if w.O != 0 {
		r.OpenedAt = time.Unix(0, w.O)
	}
	if w.W != "" {
		r.Window = make([]bool, len(w.W))
		for i := range len(w.W) {
			r.Window[i] = w.W[i] == '1'
		}
	}
	return r, nil
}

// Equal reports whether a and b are the same record.
func Equal(a, b resource.BreakerRecord) bool {
	return a.State == b.State && a.Generation == b.Generation && a.Failures == b.Failures &&
		a.OpenedAt.Equal(b.OpenedAt) && a.Trials == b.Trials && a.Successes == b.Successes &&
		slices.Equal(a.Window, b.Window)
}

// Clone returns r with a window of its own.
func Clone(r resource.BreakerRecord) resource.BreakerRecord {
	r.Window = slices.Clone(r.Window)
	return r
}

// Versioned is a record as a store keeps it, with the version that its
// compare-and-set checks; version 0 means no record is stored.
type Versioned struct {
	Version int64
	Record  resource.BreakerRecord
}

// Update runs the compare-and-set loop of a store's Update: load the
// record, apply fn, and write the result unless it is unchanged; write
// reports false when another writer changed the record since the load
// (version differs, or for version 0 a record appeared), and the loop
// starts again. It stops with ctx's error when ctx ends.
func Update(ctx context.Context, load func() (Versioned, error), write func(old Versioned, r resource.BreakerRecord) (bool, error),
	fn func(resource.BreakerRecord) resource.BreakerRecord) (resource.BreakerRecord, error) {
	for {
		cur, err := load()
		if err != nil {
			return resource.BreakerRecord{}, err
		}
		next := fn(Clone(cur.Record))
		if Equal(next, cur.Record) {
			return next, nil
		}
		ok, err := write(cur, next)
		if err != nil {
			return resource.BreakerRecord{}, err
		}
		if ok {
			return next, nil
		}
		if err := ctx.Err(); err != nil {
			return resource.BreakerRecord{}, err
		}
	}
}
