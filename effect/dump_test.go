package effect

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// knownTree runs a program whose tree is known, in a synctest bubble, and
// calls check once every fiber is blocked, 2.1 s of virtual time after the
// start: fiber #1 "main" holds the lock db and waits forever; it forked
// #2 "sleeper", asleep for an hour, and #3 "waiter", waiting for db, into
// its own scope (#2), whose contents dumps show under the fiber.
func knownTree(t *testing.T, check func(rt *Runtime)) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		defer rt.TrackWaits()()
		db := newTestLock("db")
		sleeper := Named(Sleep[any, error](time.Hour), "sleeper")
		waiter := Named(db.lock(), "waiter")
		prog := Named(AndThen(db.lock(), AndThen(Void(Fork(sleeper)), AndThen(Void(Fork(waiter)),
			Never[any, error, struct{}]()))), "main")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { rt.RunExit(ctx, prog, nil); close(done) }()
		time.Sleep(2100 * time.Millisecond)
		synctest.Wait()
		check(rt)
		cancel()
		<-done
	})
}

func TestDumpText(t *testing.T) {
	knownTree(t, func(rt *Runtime) {
		var b strings.Builder
		if err := rt.Dump(&b); err != nil {
			t.Fatal(err)
		}
		want := `scope #1 (runtime)
  fiber #1 "main" suspended: never for 2.1s
    fiber #2 "sleeper" suspended: sleep 1h0m0s for 2.1s
    fiber #3 "waiter" suspended: lock db (1/1, held by #1) for 2.1s
`
		if got := b.String(); got != want {
			t.Errorf("text dump:\n%s\nwant:\n%s", got, want)
		}
	})
}

func TestDumpMermaid(t *testing.T) {
	knownTree(t, func(rt *Runtime) {
		var b strings.Builder
		if err := rt.DumpMermaid(&b); err != nil {
			t.Fatal(err)
		}
		want := `flowchart TD
  s1["scope #1 (runtime)"]
  f1["fiber #1 #quot;main#quot; suspended<br/>never for 2.1s"]
  f2["fiber #2 #quot;sleeper#quot; suspended<br/>sleep 1h0m0s for 2.1s"]
  f3["fiber #3 #quot;waiter#quot; suspended<br/>lock db (1/1, held by #1) for 2.1s"]
  s1 --> f1
  f1 --> f2
  f1 --> f3
  f3 -.->|"lock db"| f1
`
		if got := b.String(); got != want {
			t.Errorf("Mermaid dump:\n%s\nwant:\n%s", got, want)
		}
	})
}

func TestDumpJSON(t *testing.T) {
	knownTree(t, func(rt *Runtime) {
		var b strings.Builder
		if err := rt.DumpJSON(&b); err != nil {
			t.Fatal(err)
		}
		want := `{
  "taken": "2000-01-01T00:00:02.1Z",
  "root": {
    "id": 1,
    "label": "runtime",
    "fibers": [
      {
        "id": 1,
        "name": "main",
        "status": "suspended",
        "scopePath": [
          1
        ],
        "started": "2000-01-01T00:00:00Z",
        "wait": {
          "kind": "never",
          "since": "2000-01-01T00:00:00Z",
          "for": 2100000000
        },
        "ownScope": 2,
        "fibers": [
          {
            "id": 2,
            "parent": 1,
            "name": "sleeper",
            "status": "suspended",
            "scopePath": [
              1,
              2
            ],
            "started": "2000-01-01T00:00:00Z",
            "wait": {
              "kind": "sleep",
              "length": 3600000000000,
              "since": "2000-01-01T00:00:00Z",
              "for": 2100000000
            }
          },
          {
            "id": 3,
            "parent": 1,
            "name": "waiter",
            "status": "suspended",
            "scopePath": [
              1,
              2
            ],
            "started": "2000-01-01T00:00:00Z",
            "wait": {
              "kind": "lock",
              "resource": "db",
              "holders": [
                1
              ],
              "detail": "1/1",
              "since": "2000-01-01T00:00:00Z",
              "for": 2100000000
            }
          }
        ]
      }
    ]
  }
}
`
		if got := b.String(); got != want {
			t.Errorf("JSON dump:\n%s\nwant:\n%s", got, want)
		}
		// The JSON reads back into the same tree, and renders the same text.
		var back Tree
		if err := json.Unmarshal([]byte(b.String()), &back); err != nil {
			t.Fatal(err)
		}
		var text, again strings.Builder
		if err := rt.Dump(&text); err != nil {
			t.Fatal(err)
		}
		if err := back.WriteText(&again); err != nil {
			t.Fatal(err)
		}
		if text.String() != again.String() {
			t.Errorf("text of the JSON read back:\n%s\nwant:\n%s", again.String(), text.String())
		}
	})
}

// Without wait tracking, dumps say what fibers wait for, not since when.
func TestDumpWithoutWaitTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		prog := Named(Sleep[any, error](time.Minute), "nap")
		fb := rt.Start(context.Background(), prog, nil)
		synctest.Wait()
		var b strings.Builder
		if err := rt.Dump(&b); err != nil {
			t.Fatal(err)
		}
		want := "scope #1 (runtime)\n  fiber #1 \"nap\" suspended: sleep 1m0s\n"
		if b.String() != want {
			t.Errorf("dump:\n%s\nwant:\n%s", b.String(), want)
		}
		fb.InterruptFromGo()
		<-fb.Done()
	})
}

// Names are escaped in Mermaid so that they cannot break the chart.
func TestDumpMermaidEscapes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		fb := rt.Start(context.Background(), Named(Never[any, error, int](), `a "b" <c>;#d`), nil)
		synctest.Wait()
		var b strings.Builder
		if err := rt.DumpMermaid(&b); err != nil {
			t.Fatal(err)
		}
		want := `  f1["fiber #1 #quot;a \#quot;b\#quot; #lt;c#gt;#59;#d#quot; suspended<br/>never"]`
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("Mermaid dump:\n%s\nwant a line:\n%s", b.String(), want)
		}
		fb.InterruptFromGo()
		<-fb.Done()
	})
}
