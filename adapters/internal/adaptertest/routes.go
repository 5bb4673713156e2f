package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

// Route is one route of the table: a method, a path in net/http's pattern
// syntax ("/users/{id}", which a harness translates to its framework's),
// and the effect that serves it. param reads a path parameter the way the
// framework does (chi.URLParam, c.Param, r.PathValue).
type Route struct {
	Method string
	Path   string
	Handle func(r *http.Request, param func(string) string) Eff[scopehttp.Response]
}

// Harness mounts the table's routes with an adapter, in its framework's
// idiom: its router, its middleware type carrying the adapter's
// middleware, and its handler type carrying each route's effect.
type Harness struct {
	Name  string
	Mount func(ad *scopehttp.Adapter[Env], routes []Route) http.Handler
}

// secret is the value of the defect route's panic: it must be logged and
// never sent.
const secret = "secret-defect-value-7f3a"

func unit() struct{} { return struct{}{} }

// event returns an effect that records ev.
func event(ev string) Eff[struct{}] {
	return effect.AccessEffect(func(env Env) Eff[struct{}] {
		return effect.Sync[Env, error](func() struct{} { env.Events.Add(ev); return unit() })
	})
}

// waitEvent returns an effect that waits, interruptibly, until ev has been
// recorded.
func waitEvent(ev string) Eff[struct{}] {
	return effect.AccessEffect(func(env Env) Eff[struct{}] {
		return effect.Try[Env](func(ctx context.Context) (struct{}, error) {
			return unit(), env.Events.Wait(ctx, ev)
		})
	})
}

func id(r *http.Request) string { return r.Header.Get("X-Test-ID") }

func text(s string) Eff[scopehttp.Response] {
	return effect.Succeed[Env, error, scopehttp.Response](scopehttp.Text(http.StatusOK, s))
}

// Routes returns the table's routes.
func Routes() []Route {
	fail := func(err error) Eff[scopehttp.Response] { return effect.Fail[Env, scopehttp.Response](err) }
	return []Route{
		{"GET", "/ok", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			return effect.AccessEffect(func(env Env) Eff[scopehttp.Response] { return text(env.Greeting) })
		}},
		{"GET", "/users/{id}", func(_ *http.Request, param func(string) string) Eff[scopehttp.Response] {
			return text("user " + param("id"))
		}},
		{"POST", "/json", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			return effect.Succeed[Env, error, scopehttp.Response](scopehttp.JSON(http.StatusCreated, map[string]int{"n": 1}).With("X-Made", "yes"))
		}},
		{"GET", "/typed", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			return fail(&NotFoundError{What: "user"})
		}},
		{"GET", "/status", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			return fail(scopehttp.NewError(http.StatusConflict, "version conflict"))
		}},
		{"GET", "/timeout", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			return effect.Never[Env, error, scopehttp.Response]().Timeout(time.Millisecond)
		}},
		{"GET", "/upstream", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			return effect.Try[Env](func(context.Context) (scopehttp.Response, error) {
				return nil, fmt.Errorf("call upstream: %w", context.DeadlineExceeded)
			})
		}},
		{"GET", "/defect", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			return effect.Sync[Env, error](func() scopehttp.Response { panic(secret) })
		}},
		{"GET", "/builder-panic", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			panic(secret)
		}},
		{"GET", "/breaker", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			return fail(&resource.BreakerOpenError{Name: "db", State: resource.BreakerOpen, RetryAt: time.Now().Add(3 * time.Second)})
		}},
		{"GET", "/badjson", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			return effect.Succeed[Env, error, scopehttp.Response](scopehttp.JSON(http.StatusOK, make(chan int)))
		}},
		{"GET", "/nil", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			return effect.Succeed[Env, error, scopehttp.Response](nil)
		}},
		{"GET", "/scope", func(*http.Request, func(string) string) Eff[scopehttp.Response] {
			return effect.FlatMap(effect.CurrentScope[Env, error](), func(s *effect.Scope) Eff[scopehttp.Response] {
				return text(fmt.Sprintf("%d %d", s.ID(), s.Parent().ID()))
			})
		}},
		// hang forks a child and both wait forever, until interrupted. The
		// events that the test waits for are recorded inside the regions
		// whose finalizers it checks.
		{"GET", "/hang", func(r *http.Request, _ func(string) string) Eff[scopehttp.Response] {
			n := id(r)
			child := effect.AndThen(event("hang child started "+n), effect.Never[Env, error, struct{}]()).
				Ensuring(event("hang child finalizer " + n))
			return effect.FlatMap(effect.Fork(child), func(*effect.Fiber[error, struct{}]) Eff[scopehttp.Response] {
				return effect.AndThen(waitEvent("hang child started "+n),
					effect.AndThen(event("hang started "+n), effect.Never[Env, error, scopehttp.Response]())).
					Ensuring(event("hang finalizer " + n))
			})
		}},
		// fork leaves a running child and answers: the child must end with
		// the request.
		{"GET", "/fork", func(r *http.Request, _ func(string) string) Eff[scopehttp.Response] {
			n := id(r)
			child := effect.AndThen(event("fork child started "+n), effect.Never[Env, error, struct{}]()).
				Ensuring(event("fork finalizer " + n))
			return effect.AndThen(effect.Void(effect.Fork(child)),
				effect.AndThen(waitEvent("fork child started "+n), text("forked")))
		}},
		// slow waits until the test records "release <id>".
		{"GET", "/slow", func(r *http.Request, _ func(string) string) Eff[scopehttp.Response] {
			n := id(r)
			return effect.AndThen(event("slow started "+n),
				effect.AndThen(waitEvent("release "+n), text("slow done "+n))).
				Ensuring(event("slow finalizer " + n))
		}},
	}
}

// Wait waits until ev has been recorded or ctx is done.
func (e *Events) Wait(ctx context.Context, ev string) error {
	for {
		e.mu.Lock()
		found := false
		for _, x := range e.list {
			if x == ev {
				found = true
				break
			}
		}
		ch := e.changed
		e.mu.Unlock()
		if found {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// Status maps the table's typed failure to 404.
func Status(err error) int {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return http.StatusNotFound
	}
	return 0
}
