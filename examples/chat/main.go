// Command chat runs a chat room over server-sent events on loopback, and
// three users who join, talk and leave, then shuts the server down while
// two of them are still connected.
//
// The server broadcasts with a stream.PubSub (Sliding: a slow client loses
// its oldest messages instead of holding back the room). Each connected
// client is a fiber of the server's scope, forked there by the HTTP
// handler (effect.ForkIn), so the server's lifetime bounds every client's:
//
//   - a client that goes away (its request's ctx ends) has its fiber
//     interrupted by the handler; the fiber's finalizer tells the room;
//   - closing the server's scope interrupts every client fiber with
//     effect.ErrScopeClosed as the reason — each says goodbye on its own
//     connection — then shuts the HTTP server down (the handlers have
//     returned by then), then closes the hub.
//
// The users are fibers too, each reading its event stream. The program
// prints what each user received, in order, and checks it as it goes.
//
//	go run ./examples/chat
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"

	"github.com/gogoscope/gogoscope/effect"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(1)
	}
}

// run starts the server in a scope of its own, plays the conversation
// against it, and prints what the users received.
func run(ctx context.Context, w io.Writer) error {
	rt := effect.NewRuntime()
	defer rt.Shutdown(context.Background())
	serverScope := rt.NewScope()
	defer serverScope.Close(context.Background()) // on every path; a second Close is a no-op
	srv, err := rt.Run(ctx, effect.Extend(serverScope, NewServer(rt)), nil)
	if err != nil {
		return err
	}
	c := &conversation{base: srv.URL, out: w, client: http.Client{Transport: &http.Transport{}}}
	defer c.client.CloseIdleConnections()
	script := c.join("alice", "welcome alice, 1 online", "alice joined").
		AndThen(c.join("bob", "welcome bob, 2 online", "bob joined")).
		AndThen(c.expect("alice", "bob joined")).
		AndThen(c.join("carol", "welcome carol, 3 online", "carol joined")).
		AndThen(c.expect("alice", "carol joined")).
		AndThen(c.expect("bob", "carol joined")).
		AndThen(c.say("alice", "hello everyone")).
		AndThen(c.expectAll("alice: hello everyone", "alice", "bob", "carol")).
		AndThen(c.say("bob", "hi alice, bye all")).
		AndThen(c.expectAll("bob: hi alice, bye all", "alice", "bob", "carol")).
		AndThen(c.leave("bob")).
		AndThen(c.expectAll("bob left", "alice", "carol")).
		AndThen(c.note("the server shuts down, alice and carol still connected")).
		AndThen(effect.CloseScope[any, error](serverScope)).
		AndThen(c.expectEnd("alice", "server shutting down")).
		AndThen(c.expectEnd("carol", "server shutting down"))
	if _, err := rt.Run(ctx, script.Scoped(), nil); err != nil {
		return err
	}
	fmt.Fprintf(w, "server: %d clients served, %d online after the shutdown\n", srv.served.Load(), srv.online.Load())
	return nil
}
