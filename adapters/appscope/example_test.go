package appscope_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

// Services is the environment of the examples.
type Services struct{ Greeting string }

// SEff is the examples' effect shape.
type SEff[A any] = effect.Effect[Services, error, A]

func greet(name string) SEff[string] {
	return effect.Access[Services, error](func(s Services) string { return s.Greeting + ", " + name })
}

func ExampleBuild() {
	pool := layer.Resource(
		func(context.Context, any) (Services, error) {
			fmt.Println("open pool")
			return Services{Greeting: "hello"}, nil
		},
		func(Services) error { fmt.Println("close pool"); return nil })
	app, err := appscope.Build(context.Background(), pool, appscope.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	msg, _ := app.Run(context.Background(), greet("Ada"))
	fmt.Println(msg)
	fmt.Println(app.Shutdown(context.Background()))
	// Output:
	// open pool
	// hello, Ada
	// close pool
	// <nil>
}

func ExampleNew() {
	app := appscope.New(Services{Greeting: "hi"}, appscope.Options{})
	defer app.Shutdown(context.Background())
	msg, err := app.Run(context.Background(), greet("Bo"))
	fmt.Println(msg, err)
	// Output: hi, Bo <nil>
}

func ExampleApp_Begin() {
	app := appscope.New(Services{Greeting: "hi"}, appscope.Options{})
	defer app.Shutdown(context.Background())

	ctx, end, err := app.Begin(context.Background(), "job 7")
	if err != nil {
		fmt.Println(err)
		return
	}
	// A resource acquired by one effect of the request lives until end.
	app.Run(ctx, effect.Void(effect.AcquireRelease(
		effect.Sync[Services, error](func() string { fmt.Println("lock taken"); return "lock" }),
		func(string) SEff[struct{}] {
			return effect.Sync[Services, error](func() struct{} { fmt.Println("lock released"); return struct{}{} })
		})))
	msg, _ := app.Run(ctx, greet("job 7"))
	fmt.Println(msg)
	fmt.Println(end())
	// Output:
	// lock taken
	// hi, job 7
	// lock released
	// <nil>
}

func ExampleApp_Request() {
	app := appscope.New(Services{Greeting: "hi"}, appscope.Options{})
	defer app.Shutdown(context.Background())
	err := app.Request(context.Background(), "message 1", func(ctx context.Context) {
		// Plain code; its effects share the request scope.
		msg, _ := app.Run(ctx, greet("message 1"))
		fmt.Println(msg, app.InRequest(ctx))
	})
	fmt.Println(err)
	// Output:
	// hi, message 1 true
	// <nil>
}

func ExampleApp_Serve() {
	app := appscope.New(Services{Greeting: "hi"}, appscope.Options{})
	defer app.Shutdown(context.Background())
	ex := app.Serve(context.Background(), "GET /hello", func(context.Context) SEff[string] { return greet("you") })
	fmt.Println(ex)
	// Output: Success(hi, you)
}

func ExampleApp_Acquire() {
	app := appscope.New(Services{}, appscope.Options{})
	// The resource lives in the application scope, until Shutdown.
	_, err := app.Acquire(context.Background(), effect.AddFinalizer(func(error) SEff[struct{}] {
		return effect.Sync[Services, error](func() struct{} { fmt.Println("released at shutdown"); return struct{}{} })
	}))
	fmt.Println("acquired:", err)
	app.Shutdown(context.Background())
	// Output:
	// acquired: <nil>
	// released at shutdown
}

func ExampleApp_Cancel() {
	app := appscope.New(Services{}, appscope.Options{})
	defer app.Shutdown(context.Background())
	ctx, end, _ := app.Begin(context.Background(), "slow")
	defer end()
	started := make(chan struct{})
	go func() {
		<-started
		id := app.Requests()[0].ID
		app.Cancel(id)
	}()
	_, err := app.Run(ctx, effect.AndThen(
		effect.Sync[Services, error](func() struct{} { close(started); return struct{}{} }),
		effect.Never[Services, error, struct{}]()))
	fmt.Println(errors.Is(err, appscope.ErrCanceled))
	// Output: true
}

func ExampleApp_Shutdown() {
	app := appscope.New(Services{}, appscope.Options{})
	app.Shutdown(context.Background())
	_, err := app.Run(context.Background(), greet("late"))
	fmt.Println(errors.Is(err, appscope.ErrShutdown), app.Stopping())
	// Output: true true
}
