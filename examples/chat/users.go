package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gogoscope/gogoscope/eff"
)

// A user is one connected reader of the chat: a fiber that reads its
// event stream and hands over each event as "event: data".
type user struct {
	events chan string // closed when the server ends the stream
	reader *eff.Fiber[struct{}]
}

// conversation plays a script of users against a chat server and prints
// what happens. Its effects run one after the other, on one fiber.
type conversation struct {
	base   string
	out    io.Writer
	client http.Client
	users  map[string]*user
}

// expectWithin bounds each wait for an event, so that a conversation that
// goes wrong fails with a message instead of hanging.
const expectWithin = 5 * time.Second

func (c *conversation) note(format string, args ...any) eff.Effect[struct{}] {
	return eff.Sync(func() struct{} { fmt.Fprintf(c.out, format+"\n", args...); return struct{}{} })
}

// join connects name, a reader fiber in the conversation's scope, and
// expects its first events.
func (c *conversation) join(name string, want ...string) eff.Effect[struct{}] {
	return eff.Suspend(func() eff.Effect[struct{}] {
		u := &user{events: make(chan string, 64)}
		if c.users == nil {
			c.users = map[string]*user{}
		}
		c.users[name] = u
		read := eff.Do(func(ctx context.Context) error {
			defer close(u.events)
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/events?name="+url.QueryEscape(name), nil)
			if err != nil {
				return err
			}
			resp, err := c.client.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("chat: %s: HTTP %s", name, resp.Status)
			}
			sc := bufio.NewScanner(resp.Body)
			event := "message"
			for sc.Scan() {
				line := sc.Text()
				if e, ok := strings.CutPrefix(line, "event: "); ok {
					event = e
				} else if data, ok := strings.CutPrefix(line, "data: "); ok {
					u.events <- event + ": " + data
				}
			}
			return sc.Err()
		})
		return c.note("%s joins", name).
			AndThen(eff.Fork(read)).
			FlatMap(func(fb *eff.Fiber[struct{}]) eff.Effect[struct{}] {
				u.reader = fb
				return c.expect(name, want...)
			})
	})
}

// expect waits for the next events of name and checks that their data are
// want, in order.
func (c *conversation) expect(name string, want ...string) eff.Effect[struct{}] {
	steps := make([]eff.Effect[struct{}], len(want))
	for i, w := range want {
		steps[i] = eff.Do(func(ctx context.Context) error {
			select {
			case ev, ok := <-c.users[name].events:
				if !ok {
					return fmt.Errorf("chat: %s's stream ended, want %q", name, w)
				}
				if _, data, _ := strings.Cut(ev, ": "); data != w {
					return fmt.Errorf("chat: %s got %q, want %q", name, ev, w)
				}
				fmt.Fprintf(c.out, "  %s <- %s\n", name, ev)
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}).Timeout(expectWithin)
	}
	return eff.ForEach(steps, func(e eff.Effect[struct{}]) eff.Effect[struct{}] { return e }).Void()
}

// expectAll expects the event data want for each of names.
func (c *conversation) expectAll(want string, names ...string) eff.Effect[struct{}] {
	return eff.ForEach(names, func(n string) eff.Effect[struct{}] { return c.expect(n, want) }).Void()
}

// expectEnd expects the last event of name, then the end of its stream,
// and waits for its reader.
func (c *conversation) expectEnd(name, last string) eff.Effect[struct{}] {
	return c.expect(name, last).
		AndThen(eff.Suspend(func() eff.Effect[struct{}] { return eff.Join(c.users[name].reader) })).
		AndThen(c.note("  %s's stream ended", name))
}

// say posts text as name.
func (c *conversation) say(name, text string) eff.Effect[struct{}] {
	post := eff.Do(func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/send?from="+url.QueryEscape(name), strings.NewReader(text))
		if err != nil {
			return err
		}
		resp, err := c.client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			return fmt.Errorf("chat: %s says: HTTP %s", name, resp.Status)
		}
		return nil
	})
	return c.note("%s says %q", name, text).AndThen(post)
}

// leave disconnects name: its reader fiber is interrupted, which cancels
// its request, and the server sees the client go away.
func (c *conversation) leave(name string) eff.Effect[struct{}] {
	return c.note("%s leaves", name).
		AndThen(eff.Suspend(func() eff.Effect[eff.Exit[struct{}]] { return eff.Interrupt(c.users[name].reader) })).
		Void()
}
