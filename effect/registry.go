package effect

import (
	"fmt"
	"io"
	"strings"
)

// FiberStatus is what a fiber is doing.
type FiberStatus uint8

// The fiber statuses.
const (
	// FiberRunning is a fiber that is stepping through its effect.
	FiberRunning FiberStatus = iota
	// FiberSuspended is a fiber blocked on something: a sleep, a join, a
	// queue; [FiberInfo.BlockedOn] says what.
	FiberSuspended
	// FiberDone is a fiber that has ended.
	FiberDone
)

// String returns "running", "suspended" or "done".
func (s FiberStatus) String() string {
	switch s {
	case FiberRunning:
		return "running"
	case FiberSuspended:
		return "suspended"
	case FiberDone:
		return "done"
	}
	return fmt.Sprintf("FiberStatus(%d)", uint8(s))
}

// FiberInfo is a snapshot of a fiber, as the registry and the hooks see it.
type FiberInfo struct {
	ID FiberID
	// Parent is the fiber that forked this one; 0 for a fiber started from
	// plain Go.
	Parent FiberID
	// Scope is the scope that supervises the fiber.
	Scope ScopeID
	// Status is what the fiber is doing.
	Status FiberStatus
	// BlockedOn says what a suspended fiber waits for, such as "sleep 1s" or
	// "join fiber #7"; empty otherwise.
	BlockedOn string
	// Interrupting reports whether an interruption was requested.
	Interrupting bool
}

// ScopeInfo is a snapshot of a scope, as the hooks see it.
type ScopeInfo struct {
	ID     ScopeID
	Parent ScopeID
	// Owner is the fiber that opened the scope; 0 for scopes made from
	// plain Go.
	Owner FiberID
	// Label names special scopes, such as "runtime" for the global scope.
	Label string
}

// Hooks are callbacks on the lifecycle of fibers and scopes, the base of
// metrics, tracing, logging and debugging tools. Any field may be nil. Hooks
// run synchronously on the goroutine of the fiber concerned, so they must be
// quick and must not block; a panic in a hook is not recovered.
//
// Fiber hooks fire for every fiber. Scope hooks fire for explicit scopes
// ([Scoped], [MakeScope], [Runtime.NewScope]), not for the scope that every
// fiber owns, whose life is the fiber's.
type Hooks struct {
	FiberStart func(FiberInfo)
	// FiberEnd receives the fiber's result as [Run] would return it (nil on
	// success).
	FiberEnd   func(info FiberInfo, err error)
	ScopeOpen  func(ScopeInfo)
	ScopeClose func(ScopeInfo)
}

// AddHooks registers h and returns a function that removes it.
func (rt *Runtime) AddHooks(h Hooks) (remove func()) {
	hp := &h
	rt.hooksMu.Lock()
	defer rt.hooksMu.Unlock()
	var list []*Hooks
	if cur := rt.hooks.Load(); cur != nil {
		list = append(list, *cur...)
	}
	list = append(list, hp)
	rt.hooks.Store(&list)
	return func() {
		rt.hooksMu.Lock()
		defer rt.hooksMu.Unlock()
		cur := rt.hooks.Load()
		if cur == nil {
			return
		}
		var next []*Hooks
		for _, x := range *cur {
			if x != hp {
				next = append(next, x)
			}
		}
		rt.hooks.Store(&next)
	}
}

func (rt *Runtime) fiberStarted(f *fiber) {
	if hs := rt.hooks.Load(); hs != nil {
		info := f.info()
		for _, h := range *hs {
			if h.FiberStart != nil {
				h.FiberStart(info)
			}
		}
	}
}

func (rt *Runtime) fiberEnded(f *fiber, err error) {
	if hs := rt.hooks.Load(); hs != nil {
		info := f.info()
		for _, h := range *hs {
			if h.FiberEnd != nil {
				h.FiberEnd(info, err)
			}
		}
	}
}

func (rt *Runtime) scopeOpened(s *Scope) {
	if hs := rt.hooks.Load(); hs != nil {
		info := s.info()
		for _, h := range *hs {
			if h.ScopeOpen != nil {
				h.ScopeOpen(info)
			}
		}
	}
}

func (rt *Runtime) scopeClosed(s *Scope) {
	if hs := rt.hooks.Load(); hs != nil {
		info := s.info()
		for _, h := range *hs {
			if h.ScopeClose != nil {
				h.ScopeClose(info)
			}
		}
	}
}

func (s *Scope) info() ScopeInfo {
	in := ScopeInfo{ID: s.ID(), Owner: s.owner, Label: s.label}
	if s.parent != nil {
		in.Parent = s.parent.ID()
	}
	return in
}

func (f *fiber) info() FiberInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	in := FiberInfo{ID: f.id, Parent: f.parent, Scope: f.home.ID(), BlockedOn: f.waiting.String(), Interrupting: f.intr.Load()}
	switch {
	case f.done:
		in.Status = FiberDone
	case f.waiting.what != "":
		in.Status = FiberSuspended
	}
	return in
}

// node is one scope of a registry snapshot.
type node struct {
	scope  ScopeInfo
	fibers []fiberNode
	subs   []node
}

type fiberNode struct {
	info   FiberInfo
	own    ScopeID
	fibers []fiberNode
	subs   []node
}

func (s *Scope) snapshot() node {
	n := node{scope: s.info()}
	s.mu.Lock()
	var fibers []*fiber
	for f := s.fibers; f != nil; f = f.next {
		if !f.finished.Load() {
			fibers = append(fibers, f)
		}
	}
	var subs []*Scope
	for e := s.first; e != nil; e = e.next {
		if e.sub != nil {
			subs = append(subs, e.sub)
		}
	}
	s.mu.Unlock()
	for i := len(fibers) - 1; i >= 0; i-- {
		n.fibers = append(n.fibers, fibers[i].snapshot())
	}
	for _, c := range subs {
		n.subs = append(n.subs, c.snapshot())
	}
	return n
}

func (f *fiber) snapshot() fiberNode {
	fn := fiberNode{info: f.info()}
	if s := f.own.Load(); s != nil {
		own := s.snapshot()
		fn.own, fn.fibers, fn.subs = s.ID(), own.fibers, own.subs
	}
	return fn
}

// Fibers returns a snapshot of every live fiber of the runtime, parents
// before their children.
func (rt *Runtime) Fibers() []FiberInfo {
	var out []FiberInfo
	var walkScope func(n node)
	var walkFiber func(fn fiberNode)
	walkFiber = func(fn fiberNode) {
		out = append(out, fn.info)
		for _, c := range fn.fibers {
			walkFiber(c)
		}
		for _, s := range fn.subs {
			walkScope(s)
		}
	}
	walkScope = func(n node) {
		for _, c := range n.fibers {
			walkFiber(c)
		}
		for _, s := range n.subs {
			walkScope(s)
		}
	}
	walkScope(rt.root.snapshot())
	return out
}

// Dump writes the tree of live scopes and fibers of the runtime to w, one
// per line, indented by depth, with what each suspended fiber waits for:
// the fiber dump of a stuck program.
func (rt *Runtime) Dump(w io.Writer) error {
	var b strings.Builder
	var writeScope func(n node, depth int)
	var writeFiber func(fn fiberNode, depth int)
	writeFiber = func(fn fiberNode, depth int) {
		ind := strings.Repeat("  ", depth)
		fmt.Fprintf(&b, "%sfiber #%d %s", ind, fn.info.ID, fn.info.Status)
		if fn.info.BlockedOn != "" {
			fmt.Fprintf(&b, ": %s", fn.info.BlockedOn)
		}
		if fn.info.Interrupting {
			b.WriteString(" (interrupting)")
		}
		b.WriteByte('\n')
		for _, c := range fn.fibers {
			writeFiber(c, depth+1)
		}
		for _, s := range fn.subs {
			writeScope(s, depth+1)
		}
	}
	writeScope = func(n node, depth int) {
		ind := strings.Repeat("  ", depth)
		fmt.Fprintf(&b, "%sscope #%d", ind, n.scope.ID)
		if n.scope.Label != "" {
			fmt.Fprintf(&b, " (%s)", n.scope.Label)
		}
		if n.scope.Owner != 0 {
			fmt.Fprintf(&b, " of fiber #%d", n.scope.Owner)
		}
		b.WriteByte('\n')
		for _, c := range n.fibers {
			writeFiber(c, depth+1)
		}
		for _, s := range n.subs {
			writeScope(s, depth+1)
		}
	}
	writeScope(rt.root.snapshot(), 0)
	_, err := io.WriteString(w, b.String())
	return err
}
