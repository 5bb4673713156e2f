package appscope_test

import (
	"context"
	"slices"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/effect"
)

// Operations of the registry property: begin a request, end the request
// at a position, cancel it, or run an effect that acquires a resource in
// it.
const (
	opBegin = iota
	opEnd
	opCancel
	opAcquire
	nOps
)

// For any sequence of operations, the registry and the request scopes
// agree with a model: the requests in flight are those begun and not
// ended, listed oldest first; every resource acquired in a request is
// released exactly once, when that request ends; a cancelled request's
// effects fail with ErrCanceled. At the end, Shutdown releases nothing
// twice and leaves nothing in flight.
func TestRegistryAndRequestScopesFollowTheModel(t *testing.T) {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 60
	properties := gopter.NewProperties(params)
	properties.Property("registry and scopes", prop.ForAll(func(ops []int, picks []int) bool {
		app := appscope.New("env", appscope.Options{})
		type live struct {
			ctx      context.Context
			end      func() error
			label    string
			acquired int
			canceled bool
		}
		var (
			reqs     []*live
			released = map[string]int{}
			labels   int
		)
		pick := func(i int) int {
			if len(picks) == 0 {
				return 0
			}
			return picks[i%len(picks)] % len(reqs)
		}
		for i, op := range ops {
			switch {
			case op == opBegin || len(reqs) == 0:
				labels++
				label := string(rune('a'+labels%26)) + string(rune('0'+labels/26))
				ctx, end, err := app.Begin(context.Background(), label)
				if err != nil {
					t.Logf("Begin: %v", err)
					return false
				}
				reqs = append(reqs, &live{ctx: ctx, end: end, label: label})
			case op == opEnd:
				k := pick(i)
				r := reqs[k]
				if err := r.end(); err != nil {
					t.Logf("end: %v", err)
					return false
				}
				if released[r.label] != r.acquired {
					t.Logf("request %s: %d released at its end, %d acquired", r.label, released[r.label], r.acquired)
					return false
				}
				reqs = slices.Delete(reqs, k, k+1)
			case op == opCancel:
				r := reqs[pick(i)]
				var id uint64
				for _, in := range app.Requests() {
					if in.Label == r.label {
						id = in.ID
					}
				}
				if !app.Cancel(id) {
					return false
				}
				r.canceled = true
			case op == opAcquire:
				r := reqs[pick(i)]
				label := r.label
				_, err := app.Run(r.ctx, effect.Void(effect.AcquireRelease(effect.Unit[string, error](),
					func(struct{}) Eff[struct{}] {
						return effect.Sync[string, error](func() struct{} { released[label]++; return struct{}{} })
					})))
				switch {
				case r.canceled && err == nil:
					t.Logf("an effect of a cancelled request ran")
					return false
				case !r.canceled && err != nil:
					t.Logf("Run: %v", err)
					return false
				case err == nil:
					r.acquired++
				}
				if released[label] != 0 {
					t.Logf("request %s: released before its end", label)
					return false
				}
			}
			// The registry lists the requests in flight, oldest first.
			var got, want []string
			for _, in := range app.Requests() {
				got = append(got, in.Label)
			}
			for _, r := range reqs {
				want = append(want, r.label)
			}
			if !slices.Equal(got, want) || app.InFlight() != int64(len(reqs)) {
				t.Logf("requests: got %q (%d in flight), want %q", got, app.InFlight(), want)
				return false
			}
		}
		// Shutdown waits for the requests in flight: their handlers see
		// the cancellation and return (end) meanwhile, as a server's would.
		done := make(chan error, 1)
		go func() { done <- app.Shutdown(context.Background()) }()
		for _, r := range reqs {
			_ = r.end()
		}
		if err := <-done; err != nil {
			t.Logf("Shutdown: %v", err)
			return false
		}
		for _, r := range reqs {
			if released[r.label] != r.acquired {
				t.Logf("request %s: %d released, %d acquired", r.label, released[r.label], r.acquired)
				return false
			}
		}
		return app.InFlight() == 0 && len(app.Requests()) == 0
	}, gen.SliceOf(gen.IntRange(0, nOps-1)), gen.SliceOf(gen.IntRange(0, 1000))))
	properties.TestingRun(t)
}
