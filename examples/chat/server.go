package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/stream"
)

// Message is one line of the chat.
type Message struct {
	From string // empty for the server's own notices
	Text string
}

func (m Message) String() string {
	if m.From == "" {
		return m.Text
	}
	return m.From + ": " + m.Text
}

// Server is a chat room over server-sent events. Every connected client
// is a fiber of the server's scope: closing that scope interrupts them all
// (each says goodbye to its client), then shuts the HTTP server down, then
// closes the hub.
type Server struct {
	rt    *effect.Runtime
	scope *effect.Scope
	hub   *stream.PubSub[Message]
	URL   string

	online, served atomic.Int64
}

// bufferPerClient is how many messages a slow client may fall behind
// before it loses the oldest (the hub is Sliding: a slow client never
// holds back the others).
const bufferPerClient = 64

// NewServer returns an effect that starts a chat server on a loopback port
// in the current scope, the server's scope, and succeeds with it. rt must
// be the runtime running the effect: the handlers run their effects on it.
func NewServer(rt *effect.Runtime) eff.Effect[*Server] {
	return effect.CurrentScope[any, error]().FlatMap(func(scope *effect.Scope) eff.Effect[*Server] {
		// The hub is closed when the scope closes, after the server.
		return stream.MakePubSub[any, error, Message](bufferPerClient, stream.Sliding).FlatMap(func(hub *stream.PubSub[Message]) eff.Effect[*Server] {
			s := &Server{rt: rt, scope: scope, hub: hub}
			mux := http.NewServeMux()
			mux.HandleFunc("GET /events", s.events)
			mux.HandleFunc("POST /send", s.send)
			return listen(mux).Map(func(url string) *Server { s.URL = url; return s })
		})
	})
}

// events streams the chat to one client, as server-sent events. The
// client's loop runs as a fiber of the server's scope; this handler waits
// for it, and interrupts it when the client goes away.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		http.Error(w, "chat: name is required", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	rc := http.NewResponseController(w)
	wrote := false // only the client's fiber writes; read here once it has ended
	write := func(event, data string) error {
		wrote = true
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
			return err
		}
		return rc.Flush()
	}
	fb, err := s.rt.Run(r.Context(), effect.ForkIn(s.scope, s.client(name, write)), nil)
	if err != nil {
		http.Error(w, "chat: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	if _, err := fb.Wait(r.Context()); err != nil {
		// The client went away: stop its fiber, and wait, so that nothing
		// writes to w once this handler has returned.
		fb.InterruptFromGo()
		<-fb.Done()
		return
	}
	if !wrote {
		// The fiber never ran: the server's scope had closed, and a fiber
		// forked into a closed scope ends at once, interrupted.
		http.Error(w, "chat: server is shutting down", http.StatusServiceUnavailable)
	}
}

// client returns the effect of one connected client: subscribe, greet,
// tell the room, then forward every message until interrupted — by the
// client leaving or by the server's scope closing, which the client is
// told about.
func (s *Server) client(name string, write func(event, data string) error) eff.Effect[struct{}] {
	publish := func(m Message) eff.Effect[struct{}] { return s.hub.Publish[any, error](m).Void() }
	return s.hub.Subscribe[any, error](nil).FlatMap(func(sub *stream.Subscription[Message]) eff.Effect[struct{}] {
		n := s.online.Add(1)
		s.served.Add(1)
		greet := eff.Do(func(context.Context) error { return write("welcome", fmt.Sprintf("welcome %s, %d online", name, n)) })
		// The finalizer of the client's fiber: it learns why the fiber
		// ended. When the server's scope closes, the fiber is interrupted
		// with effect.ErrScopeClosed as the reason.
		left := effect.AddFinalizer(func(err error) eff.Effect[struct{}] {
			s.online.Add(-1)
			if errors.Is(err, effect.ErrScopeClosed) {
				// The server is closing: say so on this connection; the
				// hub is closing too, so nobody else needs to hear it.
				return eff.Do(func(context.Context) error { return write("bye", "server shutting down") })
			}
			return publish(Message{Text: name + " left"})
		})
		forward := stream.FromSubscription[any, error](sub).ForEach(func(m Message) eff.Effect[struct{}] {
			return eff.Do(func(context.Context) error { return write("message", m.String()) })
		})
		return left.AndThen(greet).AndThen(publish(Message{Text: name + " joined"})).AndThen(forward)
	})
}

// send publishes the message of a POST /send?from=NAME with the text as
// its body.
func (s *Server) send(w http.ResponseWriter, r *http.Request) {
	from := r.URL.Query().Get("from")
	text, err := io.ReadAll(io.LimitReader(r.Body, 4096))
	if from == "" || err != nil || len(text) == 0 {
		http.Error(w, "chat: from and a text are required", http.StatusBadRequest)
		return
	}
	ok, err := s.rt.Run(r.Context(), s.hub.Publish[any, error](Message{From: from, Text: strings.TrimSpace(string(text))}), nil)
	if err != nil || !ok {
		http.Error(w, "chat: server is shutting down", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listen returns an effect that serves h on a loopback port of its own and
// succeeds with the base URL. The server is a resource of the current
// scope: its close shuts it down, waiting for the requests in progress,
// and for its goroutine to return.
func listen(h http.Handler) eff.Effect[string] {
	type server struct {
		srv    *http.Server
		url    string
		served chan error
	}
	open := func(context.Context) (*server, error) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		s := &server{srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}, url: "http://" + l.Addr().String(), served: make(chan error, 1)}
		go func() { s.served <- s.srv.Serve(l) }()
		return s, nil
	}
	shutdown := func(ctx context.Context, s *server) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err := s.srv.Shutdown(ctx)
		if serr := <-s.served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		return err
	}
	return eff.Acquire(open, shutdown).Map(func(s *server) string { return s.url })
}
