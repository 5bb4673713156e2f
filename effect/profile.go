package effect

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Profiler gathers, per [Named] effect, how often it ran, how long, how much
// of that its fiber spent waiting and on what, its retries and the time of
// the finalizers that ran under it: go-go-scope's profile(), per pipeline
// stage. It is a set of [Hooks]: install it with
//
//	p := effect.NewProfiler()
//	defer rt.AddHooks(p.Hooks())()
//
// and read it at any time with [Profiler.Profile]. A retry is counted under
// the name in force where the retry decides, so name the retried effect
// from outside: e.Retry(s).Named("fetch"). The zero Profiler is not usable.
type Profiler struct {
	mu   sync.Mutex
	rows map[string]*ProfileRow
}

// NewProfiler returns an empty profiler.
func NewProfiler() *Profiler { return &Profiler{rows: map[string]*ProfileRow{}} }

// Profile is a snapshot of a [Profiler]: a row per name, the longest total
// first.
type Profile struct {
	Rows []ProfileRow `json:"rows"`
}

// ProfileRow is what a [Profiler] knows of one name. Durations are in
// nanoseconds in JSON.
type ProfileRow struct {
	Name string `json:"name"`
	// Count is how many runs ended, and Failures how many of them failed
	// (a failure, a defect or an interruption).
	Count    int `json:"count"`
	Failures int `json:"failures"`
	// Total is the wall time of the runs, Max the longest one.
	Total time.Duration `json:"total"`
	Max   time.Duration `json:"max"`
	// Running is Total minus the time the runs' own fibers spent waiting.
	Running time.Duration `json:"running"`
	// Waiting is the time spent waiting under the name, by any fiber that
	// ran under it, per kind of wait ("sleep", "join", "semaphore db").
	Waiting map[string]time.Duration `json:"waiting,omitempty"`
	// Retries counts the retries and repeats decided under the name, and
	// RetryDelay sums the delays they chose.
	Retries    int           `json:"retries"`
	RetryDelay time.Duration `json:"retryDelay"`
	// Finalizers is the time spent in finalizers run under the name.
	Finalizers time.Duration `json:"finalizers"`
}

// Mean returns the mean wall time of a run.
func (r ProfileRow) Mean() time.Duration {
	if r.Count == 0 {
		return 0
	}
	return r.Total / time.Duration(r.Count)
}

func (p *Profiler) row(name string) *ProfileRow {
	r := p.rows[name]
	if r == nil {
		r = &ProfileRow{Name: name}
		p.rows[name] = r
	}
	return r
}

// Hooks returns the hooks that feed the profiler.
func (p *Profiler) Hooks() Hooks {
	return Hooks{
		NamedEnd: func(_ context.Context, ev NamedEvent) {
			p.mu.Lock()
			defer p.mu.Unlock()
			r := p.row(ev.Name)
			r.Count++
			if ev.Err != nil {
				r.Failures++
			}
			r.Total += ev.Duration
			r.Max = max(r.Max, ev.Duration)
			r.Running += max(ev.Duration-ev.Waited, 0)
		},
		WaitEnd: func(_ context.Context, ev WaitEvent) {
			if ev.FiberName == "" {
				return
			}
			key := ev.Kind
			if ev.Resource != "" && !strings.HasPrefix(ev.Resource, "#") {
				key += " " + ev.Resource
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			r := p.row(ev.FiberName)
			if r.Waiting == nil {
				r.Waiting = map[string]time.Duration{}
			}
			r.Waiting[key] += ev.Duration
		},
		Retry: func(_ context.Context, ev RetryEvent) {
			if ev.FiberName == "" || ev.Stop {
				return
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			r := p.row(ev.FiberName)
			r.Retries++
			r.RetryDelay += ev.Delay
		},
		FinalizerEnd: func(_ context.Context, ev FinalizerEvent) {
			if ev.FiberName == "" {
				return
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			p.row(ev.FiberName).Finalizers += ev.Duration
		},
	}
}

// Profile returns what the profiler has gathered so far.
func (p *Profiler) Profile() Profile {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out Profile
	for _, r := range p.rows {
		c := *r
		if r.Waiting != nil {
			c.Waiting = make(map[string]time.Duration, len(r.Waiting))
			for k, v := range r.Waiting {
				c.Waiting[k] = v
			}
		}
		out.Rows = append(out.Rows, c)
	}
	slices.SortFunc(out.Rows, func(a, b ProfileRow) int {
		if c := cmp.Compare(b.Total, a.Total); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// Reset forgets what the profiler has gathered.
func (p *Profiler) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.rows)
}

// WriteTable writes the profile to w as an aligned table, one row per
// name: count, failures, total, mean, max, running, waiting (per kind,
// longest first), retries and their delay, finalizers.
func (p Profile) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCOUNT\tFAILED\tTOTAL\tMEAN\tMAX\tRUNNING\tWAITING\tRETRIES\tRETRY DELAY\tFINALIZERS")
	for _, r := range p.Rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%v\t%v\t%v\t%v\t%s\t%d\t%v\t%v\n", r.Name, r.Count, r.Failures,
			roundDuration(r.Total), roundDuration(r.Mean()), roundDuration(r.Max), roundDuration(r.Running),
			waitingText(r.Waiting), r.Retries, roundDuration(r.RetryDelay), roundDuration(r.Finalizers))
	}
	return tw.Flush()
}

// waitingText writes "semaphore db 2s, sleep 1s", longest first, or "-".
func waitingText(m map[string]time.Duration) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + roundDuration(m[k]).String()
	}
	return strings.Join(parts, ", ")
}
