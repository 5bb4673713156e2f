package main

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/stream"
)

// The log sources. Each writes lines of the form
//
//	00:01:23 web WARN slow response /search 870ms
//
// with its event time first, in increasing order, and a line "EOF web" at
// its end, so that the windowing knows when no more lines can come from it.
// Every 29th line is garbled, as real logs sometimes are. The lines are
// generated from a seed, so every run reads the same logs.

// generator makes the lines of one source.
type generator struct {
	source string
	rng    *rand.Rand
	t      time.Duration
	n, max int
}

func newGenerator(source string, seed uint64, lines int) *generator {
	return &generator{source: source, rng: rand.New(rand.NewPCG(seed, 0x5eed)), max: lines}
}

var messages = map[string][]string{
	"INFO":  {"GET /index 200", "GET /search 200", "POST /login 302", "job done", "cache hit"},
	"WARN":  {"slow response /search", "retrying upstream", "cache miss storm"},
	"ERROR": {"upstream timeout", "disk full on /var", "panic recovered in handler"},
}

// next returns the source's next line, or false after its EOF line.
func (g *generator) next() (string, bool) {
	switch {
	case g.n > g.max:
		return "", false
	case g.n == g.max:
		g.n++
		return "EOF " + g.source, true
	}
	g.n++
	g.t += time.Duration(g.rng.IntN(4)) * time.Second
	if g.n%29 == 0 {
		return "### " + strings.Repeat("\ufffd", 3) + " truncated write", true
	}
	level := "INFO"
	switch r := g.rng.IntN(100); {
	case r < 5:
		level = "ERROR"
	case r < 20:
		level = "WARN"
	}
	msgs := messages[level]
	return fmt.Sprintf("%s %s %s %s", clock(g.t), g.source, level, msgs[g.rng.IntN(len(msgs))]), true
}

// clock formats an event time as hh:mm:ss.
func clock(t time.Duration) string {
	s := int(t / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// webLogs is a source built with stream.Unfold: lines are made as the
// pipeline pulls them.
func webLogs(lines int) S[string] {
	return stream.Unwrap(eff.Sync(func() S[string] {
		g := newGenerator("web", 1, lines)
		return st.Unfold(g, func(g *generator) (string, *generator, bool) {
			line, ok := g.next()
			return line, g, ok
		})
	}))
}

// apiLogs is a source built from a Go iterator, as a log reader or a
// database cursor would provide.
func apiLogs(lines int) S[string] {
	seq := func(yield func(string) bool) {
		g := newGenerator("api", 2, lines)
		for line, ok := g.next(); ok && yield(line); line, ok = g.next() {
		}
	}
	return st.FromSeq(iter.Seq[string](seq))
}

// workerLogs writes the worker's log into ch from a fiber of its own, as a
// process tailing a file would, and closes ch at the end.
func workerLogs(lines int, ch *stream.Channel[string]) Eff[struct{}] {
	return stream.Unwrap(eff.Sync(func() S[string] {
		g := newGenerator("worker", 3, lines)
		return st.Unfold(g, func(g *generator) (string, *generator, bool) {
			line, ok := g.next()
			return line, g, ok
		})
	})).IntoChannel(ch)
}
