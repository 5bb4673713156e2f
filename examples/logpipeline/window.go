package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gogoscope/gogoscope/eff"
)

// Event is a parsed log line.
type Event struct {
	Time   time.Duration // event time, since the start of the logs
	Source string
	Level  string
	Msg    string
	EOF    bool // the end of Source: no more events will come from it
}

// ErrMalformed is the failure of parse on a line it cannot read.
var ErrMalformed = errors.New("logpipeline: malformed line")

// parse returns an effect that parses one line. It is an effect, not a
// plain function, so that the pipeline can run it concurrently and handle
// its failure like any other.
func parse(line string) Eff[Event] {
	return eff.Try(func(context.Context) (Event, error) { return parseLine(line) })
}

// parseLine parses one line, or fails with ErrMalformed.
func parseLine(line string) (Event, error) {
	f := strings.SplitN(line, " ", 4)
	if len(f) == 2 && f[0] == "EOF" {
		return Event{Source: f[1], EOF: true}, nil
	}
	if len(f) < 4 {
		return Event{}, fmt.Errorf("%w: %q", ErrMalformed, line)
	}
	var h, m, s int
	if _, err := fmt.Sscanf(f[0], "%d:%d:%d", &h, &m, &s); err != nil {
		return Event{}, fmt.Errorf("%w: %q", ErrMalformed, line)
	}
	t := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
	return Event{Time: t, Source: f[1], Level: f[2], Msg: f[3]}, nil
}

// Window holds the counts of one tumbling window of event time.
type Window struct {
	Start, End time.Duration
	Levels     map[string]int
	Sources    map[string]int
}

// String prints the window on one line.
func (w Window) String() string {
	total := 0
	for _, n := range w.Levels {
		total += n
	}
	var src []string
	for _, s := range slices.Sorted(maps.Keys(w.Sources)) {
		src = append(src, fmt.Sprintf("%s %d", s, w.Sources[s]))
	}
	return fmt.Sprintf("%s-%s %3d lines  INFO %3d  WARN %2d  ERROR %2d  (%s)",
		clock(w.Start), clock(w.End), total, w.Levels["INFO"], w.Levels["WARN"], w.Levels["ERROR"], strings.Join(src, ", "))
}

// windows counts events in tumbling windows of event time. A window is
// complete once every source has moved past its end (the watermark: the
// oldest latest time among the sources, a source that ended counting as
// infinitely late), so windows come out complete and in order, whatever the
// interleaving of the sources. That requires each source's events in order,
// which Merge and an ordered MapEffect preserve.
type windows struct {
	size    time.Duration
	latest  map[string]time.Duration // per source; absent until its first event
	ended   map[string]bool
	sources []string
	open    map[time.Duration]*Window
	next    time.Duration // the start of the oldest window not yet emitted
}

func newWindows(size time.Duration, sources ...string) *windows {
	return &windows{size: size, latest: map[string]time.Duration{}, ended: map[string]bool{},
		sources: sources, open: map[time.Duration]*Window{}}
}

// add counts e and returns the windows that e completed, oldest first.
func (w *windows) add(e Event) []Window {
	if e.EOF {
		w.ended[e.Source] = true
	} else {
		w.latest[e.Source] = e.Time
		start := e.Time - e.Time%w.size
		win := w.open[start]
		if win == nil {
			win = &Window{Start: start, End: start + w.size, Levels: map[string]int{}, Sources: map[string]int{}}
			w.open[start] = win
		}
		win.Levels[e.Level]++
		win.Sources[e.Source]++
	}
	return w.flush(w.watermark())
}

// watermark returns the event time that every source has reached.
func (w *windows) watermark() time.Duration {
	mark := time.Duration(1<<63 - 1)
	for _, s := range w.sources {
		if w.ended[s] {
			continue
		}
		t, seen := w.latest[s]
		if !seen {
			return -1
		}
		mark = min(mark, t)
	}
	return mark
}

// flush returns, in order, the windows that end at or before mark,
// including empty ones.
func (w *windows) flush(mark time.Duration) []Window {
	var out []Window
	for len(w.open) > 0 && w.next+w.size <= mark {
		win := w.open[w.next]
		if win == nil {
			win = &Window{Start: w.next, End: w.next + w.size, Levels: map[string]int{}, Sources: map[string]int{}}
		}
		delete(w.open, w.next)
		out = append(out, *win)
		w.next += w.size
	}
	return out
}
