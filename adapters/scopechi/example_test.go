package scopechi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/adapters/scopechi"
	"github.com/gogoscope/gogoscope/adapters/scopehttp"
	"github.com/gogoscope/gogoscope/effect"
)

type Eff[A any] = effect.Effect[string, error, A]

func ExampleNew() {
	app := appscope.New("Hello", appscope.Options{})
	defer app.Shutdown(context.Background())
	ad := scopechi.New(app, scopehttp.Options{})

	r := chi.NewRouter()
	r.Use(ad.Middleware)
	r.Get("/hello/{name}", ad.Handler(func(r *http.Request) Eff[scopehttp.Response] {
		return effect.Access[string, error](func(greeting string) scopehttp.Response {
			return scopehttp.Text(http.StatusOK, greeting+", "+chi.URLParam(r, "name"))
		})
	}))

	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/hello/chi", nil))
	fmt.Println(w.Code, w.Body.String())
	// Output: 200 Hello, chi
}

func ExampleWrap() {
	app := appscope.New("Hi", appscope.Options{})
	defer app.Shutdown(context.Background())
	// One scopehttp adapter (its options, its logger) serves several routers.
	base := scopehttp.New(app, scopehttp.Options{})
	ad := scopechi.Wrap(base)
	fmt.Println(ad.HTTP() == base)
	// Output: true
}
