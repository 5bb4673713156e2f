package effecttest

import (
	"context"
	"slices"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// mailer is a service as an application would declare it.
type mailer interface {
	Send(to, body string) effect.Effect[any, error, struct{}]
	Lookup(name string) effect.Effect[any, error, string]
}

// fakeMailer is a test double whose calls a Spy records.
type fakeMailer struct {
	spy    *Spy
	lookup func(string) effect.Effect[any, error, string]
}

func newFakeMailer(spy *Spy) fakeMailer {
	return fakeMailer{spy: spy, lookup: spy.Func("Lookup", func(name string) effect.Effect[any, error, string] {
		return effect.Succeed[any, error](name + "@example.com")
	})}
}

func (m fakeMailer) Send(to, body string) effect.Effect[any, error, struct{}] {
	return m.spy.Wrap("Send", effect.Unit[any, error](), to, body)
}

func (m fakeMailer) Lookup(name string) effect.Effect[any, error, string] { return m.lookup(name) }

func notify(m mailer, names []string) effect.Effect[any, error, []struct{}] {
	return effect.ForEach(names, func(n string) effect.Effect[any, error, struct{}] {
		return effect.FlatMap(m.Lookup(n), func(addr string) effect.Effect[any, error, struct{}] {
			return m.Send(addr, "hi "+n)
		})
	})
}

func TestSpyRecordsWhenEffectsRun(t *testing.T) {
	var spy Spy
	m := newFakeMailer(&spy)
	prog := notify(m, []string{"ann", "bob"})
	if n := len(spy.Calls()); n != 0 {
		t.Fatalf("building the effect recorded %d calls, want 0", n)
	}
	if _, err := effect.Run(context.Background(), prog, nil); err != nil {
		t.Fatal(err)
	}
	want := []Call{
		{"Lookup", []any{"ann"}}, {"Send", []any{"ann@example.com", "hi ann"}},
		{"Lookup", []any{"bob"}}, {"Send", []any{"bob@example.com", "hi bob"}},
	}
	if got := spy.Calls(); !slices.EqualFunc(got, want, func(a, b Call) bool { return a.String() == b.String() }) {
		t.Fatalf("calls: got %v, want %v", got, want)
	}
	if got := spy.Calls("Send"); len(got) != 2 || got[1].String() != `Send("bob@example.com", "hi bob")` {
		t.Fatalf("Send calls: got %v", got)
	}
	// Running the same effect again runs the calls again.
	if _, err := effect.Run(context.Background(), prog, nil); err != nil {
		t.Fatal(err)
	}
	if got := spy.Count("Send"); got != 4 {
		t.Fatalf("Send count after two runs: got %d, want 4", got)
	}
	spy.Reset()
	if got := len(spy.Calls()); got != 0 {
		t.Fatalf("after Reset: %d calls", got)
	}
}

func TestSpyAssertions(t *testing.T) {
	var spy Spy
	spy.Record("Open", "a")
	spy.Record("Read", "a", 10)
	spy.Record("Close", "a")
	cases := []struct {
		name    string
		reports bool
		fn      func(testing.TB) bool
	}{
		{"called/any args", false, func(tb testing.TB) bool { return spy.AssertCalled(tb, "Read") }},
		{"called/args", false, func(tb testing.TB) bool { return spy.AssertCalled(tb, "Read", "a", 10) }},
		{"called/wrong args", true, func(tb testing.TB) bool { return spy.AssertCalled(tb, "Read", "a", 11) }},
		{"called/never", true, func(tb testing.TB) bool { return spy.AssertCalled(tb, "Write") }},
		{"times/ok", false, func(tb testing.TB) bool { return spy.AssertCalledTimes(tb, "Open", 1) }},
		{"times/wrong", true, func(tb testing.TB) bool { return spy.AssertCalledTimes(tb, "Open", 2) }},
		{"times/zero ok", false, func(tb testing.TB) bool { return spy.AssertCalledTimes(tb, "Write", 0) }},
		{"notCalled/ok", false, func(tb testing.TB) bool { return spy.AssertNotCalled(tb, "Write") }},
		{"notCalled/called", true, func(tb testing.TB) bool { return spy.AssertNotCalled(tb, "Close") }},
		{"order/ok", false, func(tb testing.TB) bool { return spy.AssertOrder(tb, "Open", "Close") }},
		{"order/all", false, func(tb testing.TB) bool { return spy.AssertOrder(tb, "Open", "Read", "Close") }},
		{"order/reversed", true, func(tb testing.TB) bool { return spy.AssertOrder(tb, "Close", "Open") }},
		{"order/missing", true, func(tb testing.TB) bool { return spy.AssertOrder(tb, "Open", "Write") }},
	}
	for _, c := range cases {
		wantReport(t, c.name, c.reports, c.fn)
	}
}

func TestSpyConcurrentRecords(t *testing.T) {
	var spy Spy
	calls := make([]effect.Effect[any, error, int], 50)
	for i := range calls {
		calls[i] = spy.Wrap("Get", effect.Succeed[any, error](i), i)
	}
	if _, err := effect.Run(context.Background(), effect.All(calls, effect.Par{}), nil); err != nil {
		t.Fatal(err)
	}
	if got := spy.Count("Get"); got != 50 {
		t.Fatalf("Get count: got %d, want 50", got)
	}
}
