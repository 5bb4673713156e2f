package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/effect"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const want = `
alice joins
  alice <- welcome: welcome alice, 1 online
  alice <- message: alice joined
bob joins
  bob <- welcome: welcome bob, 2 online
  bob <- message: bob joined
  alice <- message: bob joined
carol joins
  carol <- welcome: welcome carol, 3 online
  carol <- message: carol joined
  alice <- message: carol joined
  bob <- message: carol joined
alice says "hello everyone"
  alice <- message: alice: hello everyone
  bob <- message: alice: hello everyone
  carol <- message: alice: hello everyone
bob says "hi alice, bye all"
  alice <- message: bob: hi alice, bye all
  bob <- message: bob: hi alice, bye all
  carol <- message: bob: hi alice, bye all
bob leaves
  alice <- message: bob left
  carol <- message: bob left
the server shuts down, alice and carol still connected
  alice <- bye: server shutting down
  alice's stream ended
  carol <- bye: server shutting down
  carol's stream ended
server: 3 clients served, 0 online after the shutdown
`

// TestRun plays the conversation as `go run` does: every event each user
// received, in order, the goodbyes of the shutdown, and no client left.
func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != strings.TrimPrefix(want, "\n") {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestClosedServerRefusesClients: once the server's scope has closed, a
// request that still reaches the handler gets a 503 — its fiber cannot
// join a closed scope — and a request without a name gets a 400.
func TestClosedServerRefusesClients(t *testing.T) {
	rt := effect.NewRuntime()
	defer rt.Shutdown(context.Background())
	scope := rt.NewScope()
	srv, err := rt.Run(context.Background(), effect.Extend(scope, NewServer(rt)), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.events(rec, httptest.NewRequest(http.MethodGet, "/events", nil))
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("without a name: got %d, want 400", rec.Code)
	}
	if err := scope.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	srv.events(rec, httptest.NewRequest(http.MethodGet, "/events?name=late", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("after the close: got %d, want 503", rec.Code)
	}
	rec = httptest.NewRecorder()
	srv.send(rec, httptest.NewRequest(http.MethodPost, "/send?from=late", strings.NewReader("hello?")))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("send after the close: got %d, want 503", rec.Code)
	}
}
