package effecttest

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// DumpText returns rt's fiber dump ([effect.Runtime.Dump]) as text, failing
// the test if the dump fails.
func DumpText(t testing.TB, rt *effect.Runtime) string {
	t.Helper()
	var b bytes.Buffer
	if err := rt.Dump(&b); err != nil {
		t.Fatalf("effecttest.DumpText: %v", err)
	}
	return b.String()
}

// WaitLog records the waits that the fibers of a runtime start and end on
// library primitives, one line each, in the order the wait hooks saw them:
//
//	start report: semaphore db
//	end report: semaphore db after 2.1s
//
// (the fiber's name, the wait's kind, the resource's name if it has one,
// and for an end its duration). Lines and Has are safe to call while
// fibers still run.
type WaitLog struct {
	mu    sync.Mutex
	lines []string
}

// RecordWaits adds wait hooks to rt that record into a new WaitLog, and
// returns it with the function that removes the hooks (defer it).
func RecordWaits(rt *effect.Runtime) (*WaitLog, func()) {
	l := &WaitLog{}
	remove := rt.AddHooks(effect.Hooks{
		WaitStart: func(_ context.Context, ev effect.WaitEvent) {
			l.add("start " + ev.FiberName + ": " + what(ev))
		},
		WaitEnd: func(_ context.Context, ev effect.WaitEvent) {
			l.add("end " + ev.FiberName + ": " + what(ev) + " after " + ev.Duration.String())
		},
	})
	return l, remove
}

// what is a wait's kind, then its resource's name if it has one.
func what(ev effect.WaitEvent) string {
	if ev.Resource == "" {
		return ev.Kind
	}
	return ev.Kind + " " + ev.Resource
}

func (l *WaitLog) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
}

// Lines returns a copy of the lines recorded so far.
func (l *WaitLog) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// Has reports whether every one of lines was recorded (in any order).
func (l *WaitLog) Has(lines ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range lines {
		if !slices.Contains(l.lines, line) {
			return false
		}
	}
	return true
}
