package stream

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

// Queues, channels, pubsubs and Select as effect.Blockers.

// A producer blocked on a full queue whose consumer is alive (it sleeps
// between takes) is a long wait, not a deadlock; the dump names the queue,
// its fill and its consumer, and the wait hooks see it by name. Once the
// consumer is interrupted it is no longer reported.
func TestQueueWaitIsLive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		defer rt.TrackWaits()()
		waits, removeWaits := effecttest.RecordWaits(rt)
		defer removeWaits()
		q := NewQueue[int](2, BackPressure, WithName("jobs"))
		if q.Name() != "jobs" {
			t.Fatalf("Name: %q", q.Name())
		}
		producer := start(rt, effect.Void(q.OfferAll[any, error]([]int{1, 2, 3, 4})).Named("producer"))
		synctest.Wait()
		consumer := start(rt, effect.Forever(effect.AndThen(effect.Void(q.Take[any, error]()), effect.Sleep[any, error](time.Hour))).Named("consumer"))
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		want := `scope #1 (runtime)
  fiber #1 "producer" suspended: queue jobs (2/2 items, waiting to send, held by #2) for 10m0s
  fiber #2 "consumer" suspended: sleep 1h0m0s for 10m0s
`
		if got := effecttest.DumpText(t, rt); got != want {
			t.Errorf("dump:\n%s\nwant:\n%s", got, want)
		}
		if d := rt.Deadlocks(); d != nil {
			t.Errorf("deadlocks: %v", d)
		}
		// Without its consumer, the queue has no known receiver: the wait
		// is no cycle, and the ended consumer is not reported as a holder.
		interrupt(t, consumer)
		time.Sleep(time.Hour)
		synctest.Wait()
		if d := rt.Deadlocks(); d != nil {
			t.Errorf("deadlocks without a consumer: %v", d)
		}
		stuck := rt.Stuck(time.Hour)
		if len(stuck) != 1 || stuck[0].String() != `fiber #1 "producer" waits for queue jobs (2/2 items, waiting to send) for 1h10m0s` {
			t.Errorf("stuck: %v", stuck)
		}
		interrupt(t, producer)
		if !waits.Has("start producer: queue jobs") {
			t.Errorf("wait events: %q", waits.Lines())
		}
	})
}

// Two fibers each receive once from the channel the other sends to, then
// send more than it buffers: "client" blocks sending to "requests", which
// only "server" drains, and "server" blocks sending to "replies", which
// only "client" drains. The dump names both channels and their receivers,
// in text, JSON and Mermaid, and the detector reports the cycle naming
// both fibers and both channels.
func TestChannelDeadlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		defer rt.TrackWaits()()
		requests := NewChannel[int](1, WithName("requests"))
		replies := NewChannel[int](1, WithName("replies"))
		if !requests.TrySend(0) || !replies.TrySend(0) {
			t.Fatal("TrySend refused")
		}
		loop := func(in, out *Channel[int]) Eff[struct{}] {
			return effect.AndThen(effect.Void(in.Receive[any, error]()),
				effect.Void(out.SendAll[any, error]([]int{1, 2})))
		}
		client := start(rt, loop(replies, requests).Named("client"))
		server := start(rt, loop(requests, replies).Named("server"))
		time.Sleep(2 * time.Second)
		synctest.Wait()
		want := `scope #1 (runtime)
  fiber #1 "client" suspended: channel requests (1/1 items, waiting to send, held by #2) for 2s
  fiber #2 "server" suspended: channel replies (1/1 items, waiting to send, held by #1) for 2s
`
		if got := effecttest.DumpText(t, rt); got != want {
			t.Errorf("dump:\n%s\nwant:\n%s", got, want)
		}
		var js bytes.Buffer
		if err := rt.DumpJSON(&js); err != nil {
			t.Fatal(err)
		}
		var tree effect.Tree
		if err := json.Unmarshal(js.Bytes(), &tree); err != nil {
			t.Fatal(err)
		}
		w := tree.Root.Fibers[0].Wait
		if w == nil || w.Kind != "channel" || w.Resource != "requests" || !slices.Equal(w.Holders, []effect.FiberID{2}) ||
			w.Detail != "1/1 items, waiting to send" || w.For != 2*time.Second {
			t.Errorf("JSON wait of client: %+v", w)
		}
		var mm bytes.Buffer
		if err := rt.DumpMermaid(&mm); err != nil {
			t.Fatal(err)
		}
		for _, edge := range []string{"  f1 -.->|\"channel requests\"| f2\n", "  f2 -.->|\"channel replies\"| f1\n"} {
			if !strings.Contains(mm.String(), edge) {
				t.Errorf("Mermaid without %q:\n%s", edge, mm.String())
			}
		}
		d := rt.Deadlocks()
		if len(d) != 1 {
			t.Fatalf("deadlocks: %v", d)
		}
		const wantLine = `deadlock: fiber #1 "client" waits for channel requests held by #2; fiber #2 "server" waits for channel replies held by #1`
		if got := d[0].String(); got != wantLine {
			t.Errorf("deadlock:\n%s\nwant:\n%s", got, wantLine)
		}
		if d[0].Waits[0].Detail != "1/1 items, waiting to send" || d[0].Waits[0].For != 2*time.Second {
			t.Errorf("first wait: %+v", d[0].Waits[0])
		}
		// Plain Go drains "requests": the client sends its last element,
		// and the cycle is gone; no holder outlives its fiber.
		if _, ok, _ := requests.TryReceive(); !ok {
			t.Fatal("TryReceive found nothing")
		}
		synctest.Wait()
		if ex := wait(t, client); !ex.IsSuccess() {
			t.Fatalf("client: %v", ex)
		}
		if d := rt.Deadlocks(); d != nil {
			t.Errorf("deadlocks after the drain: %v", d)
		}
		want = `scope #1 (runtime)
  fiber #2 "server" suspended: channel replies (1/1 items, waiting to send) for 2s
`
		if got := effecttest.DumpText(t, rt); got != want {
			t.Errorf("dump:\n%s\nwant:\n%s", got, want)
		}
		interrupt(t, server)
		// The plain Go receive is known from now on.
		if h, _ := (*sendSide[int])(&requests.c).BlockerHolders(); !slices.Equal(h, []effect.FiberID{0}) {
			t.Errorf("holders after TryReceive: %v", h)
		}
	})
}

// A receive case of a Select makes its fiber a receiver; a fiber blocked
// sending to a channel whose receivers are its own fiber (a self-deadlock)
// is a cycle of one, and one whose receiver is a live Select is not.
func TestSelectReceiverAndSelfDeadlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		out := NewChannel[int](1, WithName("out"))
		// "sel" receives from "out" through a Select, then sleeps.
		sel := start(rt, effect.Forever(Select(
			OnReceive(out, func(int, bool) Eff[struct{}] { return effect.Sleep[any, error](time.Hour) }),
		)).Named("sel"))
		synctest.Wait()
		self := start(rt, effect.Void(out.SendAll[any, error]([]int{1, 2, 3})).Named("self"))
		synctest.Wait()
		want := `scope #1 (runtime)
  fiber #1 "sel" suspended: sleep 1h0m0s
  fiber #2 "self" suspended: channel out (1/1 items, waiting to send, held by #1)
`
		if got := effecttest.DumpText(t, rt); got != want {
			t.Errorf("dump:\n%s\nwant:\n%s", got, want)
		}
		if d := rt.Deadlocks(); d != nil {
			t.Errorf("deadlocks with a live Select: %v", d)
		}
		interrupt(t, sel)
		if h, _ := (*sendSide[int])(&out.c).BlockerHolders(); h != nil {
			t.Errorf("holders after the receiver ended: %v", h)
		}
		interrupt(t, self)

		// A fiber that receives from a full channel and then sends to it
		// more than it holds waits for itself.
		loop := NewChannel[int](1, WithName("loop"))
		if !loop.TrySend(0) {
			t.Fatal("TrySend refused")
		}
		alone := start(rt, effect.AndThen(effect.Void(loop.Receive[any, error]()),
			effect.Void(loop.SendAll[any, error]([]int{1, 2}))).Named("alone"))
		synctest.Wait()
		d := rt.Deadlocks()
		const wantLine = `deadlock: fiber #3 "alone" waits for channel loop held by #3`
		if len(d) != 1 || d[0].String() != wantLine {
			t.Errorf("deadlocks: %v, want %s", d, wantLine)
		}
		interrupt(t, alone)
	})
}

// Receivers on empty channels (buffered, unbuffered, unbounded queue), a
// sender on an unbuffered channel, a subscriber, a publisher and a Select:
// each line of the dump.
func TestChannelWaitLines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		results := NewChannel[int](4, WithName("results"))
		unbuf := NewChannel[int](0)
		backlog := NewUnboundedQueue[int](WithName("backlog"))
		events := NewPubSub[int](1, BackPressure, WithName("events"))
		ticks := NewPubSub[int](1, BackPressure, WithName("ticks"))
		var fbs []*effect.Fiber[error, struct{}]
		begin := func(name string, e Eff[struct{}]) {
			fbs = append(fbs, start(rt, e.Named(name)))
			synctest.Wait()
		}
		begin("r", effect.Void(results.Receive[any, error]()))
		begin("s", effect.Void(unbuf.Send[any, error](1)))
		begin("b", effect.Void(backlog.Take[any, error]()))
		begin("sub", effect.Scoped(effect.FlatMap(ticks.Subscribe[any, error](nil), func(s *Subscription[int]) Eff[struct{}] {
			return effect.Void(s.Receive[any, error]())
		})))
		// A subscriber that never receives: one message fills its buffer,
		// and the next publisher waits.
		begin("slow", effect.Scoped(effect.AndThen(events.Subscribe[any, error](nil), effect.Never[any, error, struct{}]())))
		if ok := run(t, events.Publish[any, error](1)); !ok {
			t.Fatal("Publish refused")
		}
		begin("pub", effect.Void(events.Publish[any, error](2)))
		begin("sel", Select(
			OnReceive(results, func(int, bool) Eff[struct{}] { return effect.Unit[any, error]() }),
			OnReceive(backlog, func(int, bool) Eff[struct{}] { return effect.Unit[any, error]() })))
		want := `scope #1 (runtime)
  fiber #1 "r" suspended: channel results (0/4 items, waiting to receive)
  fiber #2 "s" suspended: channel (unbuffered, waiting to send)
  fiber #3 "b" suspended: queue backlog (0 items, waiting to receive)
  fiber #4 "sub" suspended: subscription ticks (0/1 items, waiting to receive)
    scope #2 of fiber #4
  fiber #5 "slow" suspended: never
    scope #3 of fiber #5
  fiber #6 "pub" suspended: pubsub events (1 publisher waiting, 1 subscriber)
  fiber #7 "sel" suspended: select (2 cases)
`
		if got := effecttest.DumpText(t, rt); got != want {
			t.Errorf("dump:\n%s\nwant:\n%s", got, want)
		}
		if d := rt.Deadlocks(); d != nil {
			t.Errorf("deadlocks: %v", d)
		}
		for _, fb := range fbs {
			interrupt(t, fb)
		}
	})
}

func TestWithNameBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"empty", func() { WithName("") }, "stream.WithName: name must not be empty"},
		{"newline", func() { WithName("a\nb") }, `stream.WithName: name must not hold control characters, got "a\nb"`},
		{"nil queue option", func() { NewQueue[int](1, BackPressure, nil) }, "stream.NewQueue: an option is nil"},
		{"nil channel option", func() { MakeChannel[any, error, int](1, nil) }, "stream.MakeChannel: an option is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Fatalf("panic %v, want %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
	if n := NewChannel[int](1).Name(); n != "" {
		t.Fatalf("anonymous channel named %q", n)
	}
}
