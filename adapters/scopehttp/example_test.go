package scopehttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

// Env is the examples' environment; Eff their effect shape.
type Env struct{ Users map[string]string }
type Eff[A any] = effect.Effect[Env, error, A]

// ErrNoUser is a typed failure that the examples map to 404.
var ErrNoUser = errors.New("no such user")

func getUser(id string) Eff[string] {
	return effect.AccessEffect(func(env Env) Eff[string] {
		if name, ok := env.Users[id]; ok {
			return effect.Succeed[Env, error](name)
		}
		return effect.Fail[Env, string](ErrNoUser)
	})
}

// show sends r to h and prints the answer.
func show(h http.Handler, r *http.Request) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Printf("%d %s", w.Code, w.Body.String())
}

func newApp() *appscope.App[Env] {
	return appscope.New(Env{Users: map[string]string{"1": "Ada"}}, appscope.Options{})
}

func ExampleAdapter_Handler() {
	app := newApp()
	defer app.Shutdown(context.Background())
	ad := scopehttp.New(app, scopehttp.Options{Status: func(err error) int {
		if errors.Is(err, ErrNoUser) {
			return http.StatusNotFound
		}
		return 0
	}})
	mux := http.NewServeMux()
	mux.Handle("GET /users/{id}", ad.Handler(func(r *http.Request) Eff[scopehttp.Response] {
		return effect.Map(getUser(r.PathValue("id")), func(name string) scopehttp.Response {
			return scopehttp.JSON(http.StatusOK, map[string]string{"name": name})
		})
	}))
	show(mux, httptest.NewRequest("GET", "/users/1", nil))
	show(mux, httptest.NewRequest("GET", "/users/2", nil))
	// Output:
	// 200 {"name":"Ada"}
	// 404 Not Found
}

func ExampleAdapter_Middleware() {
	app := newApp()
	defer app.Shutdown(context.Background())
	ad := scopehttp.New(app, scopehttp.Options{})
	mux := http.NewServeMux()
	mux.Handle("GET /", ad.Handler(func(*http.Request) Eff[scopehttp.Response] {
		return effect.Succeed[Env, error, scopehttp.Response](scopehttp.Text(http.StatusOK, "handled\n"))
	}))
	// A plain middleware down the chain acquires a resource in the request
	// scope: it is released when the request ends, after the handler.
	tx := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			app.Run(r.Context(), effect.Void(effect.AcquireRelease(
				effect.Sync[Env, error](func() struct{} { fmt.Println("begin"); return struct{}{} }),
				func(struct{}) Eff[struct{}] {
					return effect.Sync[Env, error](func() struct{} { fmt.Println("commit"); return struct{}{} })
				})))
			next.ServeHTTP(w, r)
		})
	}
	show(ad.Middleware(tx(mux)), httptest.NewRequest("GET", "/", nil))
	// Output:
	// begin
	// commit
	// 200 handled
}

func ExampleJSON() {
	w := httptest.NewRecorder()
	scopehttp.JSON(http.StatusCreated, map[string]int{"id": 7}).WriteResponse(w, nil)
	fmt.Println(w.Code, w.Header().Get("Content-Type"), strings.TrimSpace(w.Body.String()))
	// Output: 201 application/json {"id":7}
}

func ExampleText() {
	w := httptest.NewRecorder()
	scopehttp.Text(http.StatusOK, "pong").WriteResponse(w, nil)
	fmt.Println(w.Code, w.Header().Get("Content-Type"), w.Body.String())
	// Output: 200 text/plain; charset=utf-8 pong
}

func ExampleBlob() {
	w := httptest.NewRecorder()
	scopehttp.Blob(http.StatusOK, "image/png", []byte{0x89, 'P', 'N', 'G'}).WriteResponse(w, nil)
	fmt.Println(w.Code, w.Header().Get("Content-Type"), w.Body.Len())
	// Output: 200 image/png 4
}

func ExampleEmpty() {
	w := httptest.NewRecorder()
	scopehttp.Empty(http.StatusNoContent).WriteResponse(w, nil)
	fmt.Println(w.Code, w.Body.Len())
	// Output: 204 0
}

func ExampleRedirect() {
	w := httptest.NewRecorder()
	scopehttp.Redirect(http.StatusSeeOther, "/users/1").WriteResponse(w, nil)
	fmt.Println(w.Code, w.Header().Get("Location"))
	// Output: 303 /users/1
}

func ExampleReply_With() {
	w := httptest.NewRecorder()
	scopehttp.Text(http.StatusOK, "fresh").With("Cache-Control", "max-age=60").WriteResponse(w, nil)
	fmt.Println(w.Header().Get("Cache-Control"))
	// Output: max-age=60
}

func ExampleResponseFunc() {
	app := newApp()
	defer app.Shutdown(context.Background())
	ad := scopehttp.New(app, scopehttp.Options{})
	h := ad.Handler(func(*http.Request) Eff[scopehttp.Response] {
		return effect.Succeed[Env, error, scopehttp.Response](scopehttp.ResponseFunc(func(w http.ResponseWriter, _ *http.Request) error {
			w.Header().Set("Content-Type", "text/csv")
			_, err := io.WriteString(w, "id,name\n1,Ada\n")
			return err
		}))
	})
	show(h, httptest.NewRequest("GET", "/users.csv", nil))
	// Output:
	// 200 id,name
	// 1,Ada
}

func ExampleNewError() {
	app := newApp()
	defer app.Shutdown(context.Background())
	ad := scopehttp.New(app, scopehttp.Options{})
	h := ad.Handler(func(*http.Request) Eff[scopehttp.Response] {
		return effect.Fail[Env, scopehttp.Response](error(scopehttp.NewError(http.StatusConflict, "the name is taken")))
	})
	show(h, httptest.NewRequest("POST", "/users", nil))
	// Output: 409 the name is taken
}

func ExampleServe() {
	app := newApp()
	ad := scopehttp.New(app, scopehttp.Options{})
	h := ad.Handler(func(*http.Request) Eff[scopehttp.Response] {
		return effect.Map(getUser("1"), func(n string) scopehttp.Response { return scopehttp.Text(200, n) })
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, stop := context.WithCancel(context.Background()) // signal.NotifyContext in a program
	done := make(chan error, 1)
	go func() {
		done <- scopehttp.Serve(ctx, &http.Server{Handler: h}, ln, app, scopehttp.ServeOptions{Grace: time.Second})
	}()
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(b))
	}
	stop()
	fmt.Println(<-done, app.Stopping())
	// Output:
	// Ada
	// <nil> true
}

func ExampleExec() {
	// Exec is what the framework packages build on: it runs the effect and
	// returns the response or the outcome of the failure, writing nothing.
	app := newApp()
	defer app.Shutdown(context.Background())
	ad := scopehttp.New(app, scopehttp.Options{})
	_, out, ok := scopehttp.Exec(ad, httptest.NewRequest("GET", "/", nil), func(*http.Request) Eff[scopehttp.Response] {
		// The handler's own time limit runs out: 503.
		return effect.Never[Env, error, scopehttp.Response]().Timeout(time.Millisecond)
	})
	fmt.Println(ok, out.Status, out.Message)
	// Output: false 503 Service Unavailable
}
