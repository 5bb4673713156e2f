package effecttest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// Call is one recorded call of a service method.
type Call struct {
	// Method is the name the call was recorded under.
	Method string
	// Args are the arguments, as recorded.
	Args []any
}

// String returns the call as Method(arg, arg).
func (c Call) String() string {
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = fmt.Sprintf("%#v", a)
	}
	return c.Method + "(" + strings.Join(args, ", ") + ")"
}

// Spy records the calls made to a service: which method, with which
// arguments, in which order, how many times. A test builds a fake service
// whose methods record into a Spy (with [Spy.Wrap], [Spy.Func] or
// [Spy.Record]) and then asserts on the calls. Calls made to effects are
// recorded when the effect runs, not when it is built, since building an
// effect does nothing. The zero Spy is ready to use and safe for concurrent
// use.
type Spy struct {
	mu    sync.Mutex
	calls []Call
}

// Record records a call of method with args, from plain Go.
func (s *Spy) Record(method string, args ...any) {
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: method, Args: args})
	s.mu.Unlock()
}

// Wrap returns an effect that records a call of method with args each time it
// runs, and then runs e.
func (s *Spy) Wrap[R, E, A any](method string, e effect.Effect[R, E, A], args ...any) effect.Effect[R, E, A] {
	return effect.Suspend(func() effect.Effect[R, E, A] {
		s.Record(method, args...)
		return e
	})
}

// Func returns fn, a one-argument service method, wrapped so that each run
// of the effect it returns records a call of method with the argument. For
// methods of more arguments use [Spy.Wrap] (or pass a struct).
func (s *Spy) Func[A, R, E, B any](method string, fn func(A) effect.Effect[R, E, B]) func(A) effect.Effect[R, E, B] {
	return func(a A) effect.Effect[R, E, B] {
		return effect.Suspend(func() effect.Effect[R, E, B] {
			s.Record(method, a)
			return fn(a)
		})
	}
}

// Calls returns every recorded call, in order; with method names given, only
// the calls of those methods.
func (s *Spy) Calls(methods ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if len(methods) == 0 || slices.Contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

// Count returns how many calls of method were recorded.
func (s *Spy) Count(method string) int { return len(s.Calls(method)) }

// Reset forgets every recorded call.
func (s *Spy) Reset() {
	s.mu.Lock()
	s.calls = nil
	s.mu.Unlock()
}

// AssertCalled reports an error unless method was called at least once
// with arguments deeply equal to args (any arguments when args is empty).
func (s *Spy) AssertCalled(t testing.TB, method string, args ...any) bool {
	t.Helper()
	calls := s.Calls(method)
	for _, c := range calls {
		if len(args) == 0 || reflect.DeepEqual(c.Args, args) {
			return true
		}
	}
	want := Call{Method: method, Args: args}
	if len(calls) == 0 {
		t.Errorf("effecttest: spy: want a call of %s, got none; calls: %v", want, s.Calls())
	} else {
		t.Errorf("effecttest: spy: want a call %s, got %v", want, calls)
	}
	return false
}

// AssertCalledTimes reports an error unless method was called exactly n
// times.
func (s *Spy) AssertCalledTimes(t testing.TB, method string, n int) bool {
	t.Helper()
	if got := s.Count(method); got != n {
		t.Errorf("effecttest: spy: %s called %d time(s), want %d; calls: %v", method, got, n, s.Calls())
		return false
	}
	return true
}

// AssertNotCalled reports an error if method was called.
func (s *Spy) AssertNotCalled(t testing.TB, method string) bool {
	t.Helper()
	if calls := s.Calls(method); len(calls) > 0 {
		t.Errorf("effecttest: spy: want no call of %s, got %v", method, calls)
		return false
	}
	return true
}

// AssertOrder reports an error unless the methods were called in the order
// given: the names form a subsequence of the recorded calls (other calls may
// come between them).
func (s *Spy) AssertOrder(t testing.TB, methods ...string) bool {
	t.Helper()
	calls := s.Calls()
	i := 0
	for _, c := range calls {
		if i < len(methods) && c.Method == methods[i] {
			i++
		}
	}
	if i < len(methods) {
		t.Errorf("effecttest: spy: want calls in order %v, got %v", methods, calls)
		return false
	}
	return true
}
