package effect

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Tree is a snapshot of a runtime's live scopes and fibers, as
// [Runtime.Tree] takes it: the data behind the dumps in text
// ([Tree.WriteText]), Mermaid ([Tree.WriteMermaid]) and JSON (it marshals
// with encoding/json), and what a live inspector reads. The snapshot is
// taken scope by scope, not atomically: a fiber that ends meanwhile may be
// missing.
type Tree struct {
	// Taken is when the snapshot was taken.
	Taken time.Time `json:"taken"`
	// Root is the runtime's global scope.
	Root ScopeNode `json:"root"`
}

// ScopeNode is a scope of a [Tree].
type ScopeNode struct {
	ID ScopeID `json:"id"`
	// Label names special scopes ("runtime").
	Label string `json:"label,omitempty"`
	// Owner is the fiber that opened the scope, 0 for plain Go.
	Owner FiberID `json:"owner,omitempty"`
	// Fibers are the live fibers the scope supervises, oldest first.
	Fibers []FiberNode `json:"fibers,omitempty"`
	// Scopes are its open child scopes, oldest first.
	Scopes []ScopeNode `json:"scopes,omitempty"`
}

// FiberNode is a fiber of a [Tree].
type FiberNode struct {
	ID FiberID `json:"id"`
	// Parent is the fiber that forked it, 0 for plain Go.
	Parent FiberID `json:"parent,omitempty"`
	// Name is its innermost [Named] name.
	Name   string      `json:"name,omitempty"`
	Status FiberStatus `json:"status"`
	// Interrupting reports that an interruption was requested.
	Interrupting bool `json:"interrupting,omitempty"`
	// ScopePath lists the scopes from the global one down to the one that
	// supervises the fiber.
	ScopePath []ScopeID `json:"scopePath"`
	// Started is when the fiber started, if recorded.
	Started time.Time `json:"started,omitzero"`
	// Wait is what a suspended fiber waits for.
	Wait *WaitNode `json:"wait,omitempty"`
	// OwnScope is the fiber's own scope, where its children and resources
	// live, if it has one.
	OwnScope ScopeID `json:"ownScope,omitempty"`
	// Fibers and Scopes are the contents of its own scope.
	Fibers []FiberNode `json:"fibers,omitempty"`
	Scopes []ScopeNode `json:"scopes,omitempty"`
}

// WaitNode is what a suspended fiber waits for.
type WaitNode struct {
	// Kind is "sleep", "join", "race", "timeout", "retry", "semaphore",
	// "pool", "queue", "channel", "deferred", ...
	Kind string `json:"kind"`
	// Resource names what is waited on: the primitive's name, or the
	// joined fiber ("#7").
	Resource string `json:"resource,omitempty"`
	// Target is the fiber waited for by a join, an await, an interrupt or
	// the close of a scope.
	Target FiberID `json:"target,omitempty"`
	// Length is the length of a timed wait, in nanoseconds.
	Length time.Duration `json:"length,omitempty"`
	// Holders are the fibers holding the primitive (0: plain Go), and
	// Detail its state ("3/3 permits"), as the primitive reports them.
	Holders []FiberID `json:"holders,omitempty"`
	Detail  string    `json:"detail,omitempty"`
	// Since is when the wait began and For how long it had lasted when the
	// snapshot was taken (nanoseconds), when wait times are recorded
	// ([Runtime.TrackWaits]).
	Since time.Time     `json:"since,omitzero"`
	For   time.Duration `json:"for,omitempty"`

	text string // the line of the text dump
}

// MarshalText returns the status's name, so that JSON shows "running",
// "suspended" or "done".
func (s FiberStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status's name.
func (s *FiberStatus) UnmarshalText(b []byte) error {
	for _, c := range []FiberStatus{FiberRunning, FiberSuspended, FiberDone} {
		if c.String() == string(b) {
			*s = c
			return nil
		}
	}
	return fmt.Errorf("effect: unknown fiber status %q", b)
}

// utc returns t in UTC, and the zero time as it is.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// Tree returns a snapshot of the runtime's live scopes and fibers.
func (rt *Runtime) Tree() Tree {
	snap := rt.root.snapshot()
	t := Tree{Taken: time.Now().UTC()}
	t.Root = t.scope(snap)
	return t
}

func (t *Tree) scope(n node) ScopeNode {
	sn := ScopeNode{ID: n.scope.ID, Label: n.scope.Label, Owner: n.scope.Owner}
	for _, c := range n.fibers {
		sn.Fibers = append(sn.Fibers, t.fiber(c))
	}
	for _, s := range n.subs {
		sn.Scopes = append(sn.Scopes, t.scope(s))
	}
	return sn
}

func (t *Tree) fiber(fn fiberNode) FiberNode {
	in := fn.info
	out := FiberNode{ID: in.ID, Parent: in.Parent, Name: in.Name, Status: in.Status,
		Interrupting: in.Interrupting, ScopePath: fn.path, Started: utc(in.Started), OwnScope: fn.own}
	if fn.wait.active() {
		out.Wait = t.wait(fn.wait, in.WaitingSince)
	}
	for _, c := range fn.fibers {
		out.Fibers = append(out.Fibers, t.fiber(c))
	}
	for _, s := range fn.subs {
		out.Scopes = append(out.Scopes, t.scope(s))
	}
	return out
}

func (t *Tree) wait(w waitInfo, since time.Time) *WaitNode {
	kind, name := w.kind()
	wn := &WaitNode{Kind: kind, Resource: name, Length: w.d, Since: utc(since)}
	if !since.IsZero() {
		wn.For = t.Taken.Sub(since)
	}
	var b strings.Builder
	w.write(&b)
	switch on := w.on.(type) {
	case nil:
	case fiberBlocker:
		wn.Target = on.f.id
	case fiberRef:
		wn.Target = FiberID(on)
	default:
		wn.Holders, wn.Detail = on.BlockerHolders()
		writeHolders(&b, wn.Holders, wn.Detail)
	}
	wn.text = b.String()
	return wn
}

// writeHolders writes " (3/3 permits, held by #12, #14)".
func writeHolders(b *strings.Builder, holders []FiberID, detail string) {
	if len(holders) == 0 && detail == "" {
		return
	}
	b.WriteString(" (")
	b.WriteString(detail)
	if len(holders) > 0 {
		if detail != "" {
			b.WriteString(", ")
		}
		b.WriteString("held by ")
		writeFibers(b, holders)
	}
	b.WriteByte(')')
}

// writeFibers writes "#12, #14 and plain Go".
func writeFibers(b *strings.Builder, ids []FiberID) {
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		if id == 0 {
			b.WriteString("plain Go")
			continue
		}
		b.WriteByte('#')
		b.WriteString(id.String())
	}
}

// line returns the text of a fiber: `fiber #3 "fetch" suspended: sleep 1s
// for 200ms (interrupting)`.
func (fn *FiberNode) line() string {
	var b strings.Builder
	b.WriteString("fiber #")
	b.WriteString(fn.ID.String())
	if fn.Name != "" {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(fn.Name))
	}
	b.WriteByte(' ')
	b.WriteString(fn.Status.String())
	if w := fn.Wait; w != nil {
		b.WriteString(": ")
		b.WriteString(w.fullLine())
	}
	if fn.Interrupting {
		b.WriteString(" (interrupting)")
	}
	return b.String()
}

// line returns the wait's text; for a WaitNode read back from JSON, it is
// rebuilt from the fields.
func (w *WaitNode) line() string {
	if w.text != "" {
		return w.text
	}
	var b strings.Builder
	b.WriteString(w.Kind)
	if w.Resource != "" {
		b.WriteByte(' ')
		b.WriteString(w.Resource)
	}
	if w.Length != 0 {
		b.WriteByte(' ')
		b.WriteString(w.Length.String())
	}
	writeHolders(&b, w.Holders, w.Detail)
	return b.String()
}

// fullLine is line with, when known, how long the wait has lasted.
func (w *WaitNode) fullLine() string {
	if w.Since.IsZero() {
		return w.line()
	}
	return w.line() + " for " + roundDuration(w.For).String()
}

// roundDuration rounds d for people: to the millisecond past a second, to
// the microsecond below.
func roundDuration(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

func (sn *ScopeNode) line() string {
	var b strings.Builder
	b.WriteString("scope #")
	b.WriteString(sn.ID.String())
	if sn.Label != "" {
		b.WriteString(" (")
		b.WriteString(sn.Label)
		b.WriteByte(')')
	}
	if sn.Owner != 0 {
		b.WriteString(" of fiber #")
		b.WriteString(sn.Owner.String())
	}
	return b.String()
}

// WriteText writes the tree to w, one scope or fiber per line, indented by
// depth, with what each suspended fiber waits for, since when, and who
// holds it: the fiber dump of a stuck program.
func (t Tree) WriteText(w io.Writer) error {
	var b strings.Builder
	var writeScope func(sn *ScopeNode, depth int)
	var writeFiber func(fn *FiberNode, depth int)
	writeFiber = func(fn *FiberNode, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString(fn.line())
		b.WriteByte('\n')
		for i := range fn.Fibers {
			writeFiber(&fn.Fibers[i], depth+1)
		}
		for i := range fn.Scopes {
			writeScope(&fn.Scopes[i], depth+1)
		}
	}
	writeScope = func(sn *ScopeNode, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString(sn.line())
		b.WriteByte('\n')
		for i := range sn.Fibers {
			writeFiber(&sn.Fibers[i], depth+1)
		}
		for i := range sn.Scopes {
			writeScope(&sn.Scopes[i], depth+1)
		}
	}
	writeScope(&t.Root, 0)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMermaid writes the tree to w as a Mermaid flowchart: scopes and
// fibers as nodes, supervision as solid edges, and, dashed, each suspended
// fiber's wait for the fibers that hold what it waits on (so a deadlock
// shows as a dashed cycle). User text (names) is escaped for Mermaid.
func (t Tree) WriteMermaid(w io.Writer) error {
	var nodes, edges, waits strings.Builder
	live := map[FiberID]bool{}
	var walkScope func(sn *ScopeNode, from string)
	var walkFiber func(fn *FiberNode, from string)
	walkFiber = func(fn *FiberNode, from string) {
		id := "f" + fn.ID.String()
		live[fn.ID] = true
		label := mermaidText(fn.lineHead())
		if fn.Wait != nil {
			label += "<br/>" + mermaidText(fn.Wait.fullLine())
		}
		fmt.Fprintf(&nodes, "  %s[\"%s\"]\n", id, label)
		fmt.Fprintf(&edges, "  %s --> %s\n", from, id)
		for i := range fn.Fibers {
			walkFiber(&fn.Fibers[i], id)
		}
		for i := range fn.Scopes {
			walkScope(&fn.Scopes[i], id)
		}
	}
	walkScope = func(sn *ScopeNode, from string) {
		id := "s" + sn.ID.String()
		fmt.Fprintf(&nodes, "  %s[\"%s\"]\n", id, mermaidText(sn.line()))
		if from != "" {
			fmt.Fprintf(&edges, "  %s --> %s\n", from, id)
		}
		for i := range sn.Fibers {
			walkFiber(&sn.Fibers[i], id)
		}
		for i := range sn.Scopes {
			walkScope(&sn.Scopes[i], id)
		}
	}
	walkScope(&t.Root, "")
	t.Walk(func(fn *FiberNode) {
		if fn.Wait == nil {
			return
		}
		targets := fn.Wait.Holders
		if fn.Wait.Target != 0 {
			targets = []FiberID{fn.Wait.Target}
		}
		for _, h := range targets {
			if live[h] && h != fn.ID {
				label := fn.Wait.Kind
				if fn.Wait.Resource != "" {
					label += " " + fn.Wait.Resource
				}
				fmt.Fprintf(&waits, "  f%d -.->|\"%s\"| f%d\n", fn.ID, mermaidText(label), h)
			}
		}
	})
	_, err := io.WriteString(w, "flowchart TD\n"+nodes.String()+edges.String()+waits.String())
	return err
}

// lineHead is the fiber's line without its wait: `fiber #3 "fetch"
// suspended`.
func (fn *FiberNode) lineHead() string {
	c := *fn
	c.Wait = nil
	return c.line()
}

// mermaidEscaper escapes what a quoted Mermaid label cannot hold, and the
// semicolon, so that no text of the user's reads as an entity ("#35;").
var mermaidEscaper = strings.NewReplacer(";", "#59;", "\"", "#quot;", "<", "#lt;", ">", "#gt;")

// mermaidText escapes s for a quoted Mermaid label.
func mermaidText(s string) string {
	return mermaidEscaper.Replace(s)
}

// Walk calls fn for every fiber of the tree, parents before children.
func (t Tree) Walk(fn func(*FiberNode)) {
	var walkScope func(sn *ScopeNode)
	var walkFiber func(f *FiberNode)
	walkFiber = func(f *FiberNode) {
		fn(f)
		for i := range f.Fibers {
			walkFiber(&f.Fibers[i])
		}
		for i := range f.Scopes {
			walkScope(&f.Scopes[i])
		}
	}
	walkScope = func(sn *ScopeNode) {
		for i := range sn.Fibers {
			walkFiber(&sn.Fibers[i])
		}
		for i := range sn.Scopes {
			walkScope(&sn.Scopes[i])
		}
	}
	walkScope(&t.Root)
}

// Dump writes the tree of live scopes and fibers of the runtime to w as
// text ([Tree.WriteText]): one per line, indented by depth, with what each
// suspended fiber waits for, who holds it, and, when wait times are
// recorded, for how long.
func (rt *Runtime) Dump(w io.Writer) error { return rt.Tree().WriteText(w) }

// DumpMermaid writes the tree of live scopes and fibers to w as a Mermaid
// flowchart ([Tree.WriteMermaid]).
func (rt *Runtime) DumpMermaid(w io.Writer) error { return rt.Tree().WriteMermaid(w) }

// DumpJSON writes the tree of live scopes and fibers to w as indented JSON
// (a [Tree]).
func (rt *Runtime) DumpJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rt.Tree())
}
