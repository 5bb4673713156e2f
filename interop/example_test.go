package interop_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/interop"
	"github.com/gogoscope/gogoscope/stream"
)

func ExampleFromAction() {
	hello := interop.FromAction[any, error](func() { fmt.Println("hello") })
	_, _ = effect.Run(context.Background(), hello.AndThen(hello), nil)
	// Output:
	// hello
	// hello
}

func ExampleFromErrFunc() {
	save := interop.FromErrFunc[any](func() error { return errors.New("disk full") })
	_, err := effect.Run(context.Background(), save, nil)
	fmt.Println(err)
	// Output: disk full
}

func ExampleFromValueFunc() {
	parse := interop.FromValueFunc[any](func() (int, error) { return strconv.Atoi("42") })
	v, err := effect.Run(context.Background(), parse.Map(func(n int) int { return n + 1 }), nil)
	fmt.Println(v, err)
	// Output: 43 <nil>
}

func ExampleFromCtxFunc() {
	wait := interop.FromCtxFunc[any](func(ctx context.Context) error {
		<-ctx.Done() // an interruption cancels ctx
		fmt.Println("stopped:", context.Cause(ctx))
		return ctx.Err()
	})
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(10*time.Millisecond, func() { cancel(errors.New("user pressed stop")) })
	_, err := effect.Run(ctx, wait, nil)
	fmt.Println(err)
	// Output:
	// stopped: user pressed stop
	// user pressed stop
}

func ExampleFromCtxValueFunc() {
	fetch := interop.FromCtxValueFunc[any](func(ctx context.Context) (string, error) {
		return "page of " + ctx.Value(ctxKey{}).(string), nil
	})
	ctx := context.WithValue(context.Background(), ctxKey{}, "users")
	v, _ := effect.Run(ctx, fetch, nil)
	fmt.Println(v)
	// Output: page of users
}

func ExampleToAction() {
	greet := effect.Sync[any, error](func() int { fmt.Println("hi"); return 0 })
	var callbacks []func()
	callbacks = append(callbacks, interop.ToAction(greet, nil))
	for _, cb := range callbacks {
		cb()
	}
	// Output: hi
}

func ExampleToErrFunc() {
	check := effect.Fail[any, struct{}](errors.New("not ready"))
	fn := interop.ToErrFunc(check, nil)
	fmt.Println(fn())
	// Output: not ready
}

func ExampleToValueFunc() {
	fn := interop.ToValueFunc(effect.Succeed[any, error](7), nil)
	fmt.Println(fn())
	// Output: 7 <nil>
}

func ExampleToCtxFunc() {
	work := effect.Sleep[any, error](time.Hour)
	fn := interop.ToCtxFunc(work, effect.NewRuntime())
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("shutting down"))
	err := fn(ctx)
	fmt.Println(errors.Is(err, context.Canceled), err)
	// Output: true shutting down
}

func ExampleToCtxValueFunc() {
	double := func(n int) func(context.Context) (int, error) {
		return interop.ToCtxValueFunc(effect.Succeed[any, error](n*2), nil)
	}
	v, err := double(21)(context.Background())
	fmt.Println(v, err)
	// Output: 42 <nil>
}

func ExampleFailIfCancelled() {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("client went away"))
	step := effect.Sync[any, error](func() int { fmt.Println("expensive step"); return 1 })
	_, err := effect.Run(context.Background(), effect.AndThen(interop.FailIfCancelled[any, error](ctx), step), nil)
	fmt.Println(err)
	// Output: effect: interrupted: client went away
}

func ExampleOnCancel() {
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan struct{})
	interop.OnCancel(ctx, func(cause error) { fmt.Println("cancelled:", cause); close(done) })
	stop := interop.OnCancel(ctx, func(error) { fmt.Println("never printed") })
	stop()
	cancel(errors.New("deploy"))
	<-done
	// Output: cancelled: deploy
}

func ExampleWhenDone() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	cause, _ := effect.Run(context.Background(), interop.WhenDone[any, error](ctx), nil)
	fmt.Println(cause)
	// Output: context deadline exceeded
}

func ExampleCancellable() {
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(5*time.Millisecond, func() { cancel(errors.New("request aborted")) })
	work := effect.Sleep[any, error](time.Hour).Ensuring(effect.Sync[any, error](func() int { fmt.Println("cleaned up"); return 0 }))
	_, err := effect.Run(context.Background(), interop.Cancellable(ctx, work), nil)
	fmt.Println(err)
	// Output:
	// cleaned up
	// effect: interrupted: request aborted
}

func ExampleAnyDone() {
	request, cancelRequest := context.WithCancelCause(context.Background())
	server, cancelServer := context.WithCancelCause(context.Background())
	defer cancelRequest(nil)
	ctx, release := interop.AnyDone(request, server)
	defer release()
	cancelServer(errors.New("server stopping"))
	<-ctx.Done()
	fmt.Println(context.Cause(ctx))
	// Output: server stopping
}

func ExampleRecv() {
	ch := make(chan string, 1)
	ch <- "job-1"
	close(ch)
	first, _ := effect.Run(context.Background(), interop.Recv[any, error](ch), nil)
	second, _ := effect.Run(context.Background(), interop.Recv[any, error](ch), nil)
	fmt.Println(first, second.OK)
	// Output: {job-1 true} false
}

func ExampleSend() {
	ch := make(chan int, 1)
	_, _ = effect.Run(context.Background(), interop.Send[any, error](ch, 3), nil)
	fmt.Println(<-ch)
	// Output: 3
}

func ExampleForEachRecv() {
	jobs := make(chan int)
	go func() {
		defer close(jobs)
		for i := 1; i <= 3; i++ {
			jobs <- i
		}
	}()
	handle := func(j int) effect.Effect[any, error, struct{}] {
		return effect.Sync[any, error](func() struct{} { fmt.Println("job", j); return struct{}{} })
	}
	_, _ = effect.Run(context.Background(), interop.ForEachRecv(jobs, handle), nil)
	// Output:
	// job 1
	// job 2
	// job 3
}

func ExampleCollectRecv() {
	ch := make(chan int, 3)
	ch <- 1
	ch <- 2
	close(ch)
	all, _ := effect.Run(context.Background(), interop.CollectRecv[any, error](ch), nil)
	fmt.Println(all)
	// Output: [1 2]
}

func ExampleToChan() {
	done := interop.ToChan(context.Background(), effect.Sleep[any, error](time.Millisecond).As("ready"), nil)
	select {
	case x := <-done:
		fmt.Println(x)
	case <-time.After(time.Minute):
		fmt.Println("too slow")
	}
	// Output: Success(ready)
}

func ExampleForEachSeq() {
	sum := 0
	add := func(n int) effect.Effect[any, error, struct{}] {
		return effect.Sync[any, error](func() struct{} { sum += n; return struct{}{} })
	}
	_, _ = effect.Run(context.Background(), interop.ForEachSeq(slices.Values([]int{1, 2, 3}), add), nil)
	fmt.Println(sum)
	// Output: 6
}

func ExampleForEachSeq2() {
	show := func(i int, s string) effect.Effect[any, error, struct{}] {
		return effect.Sync[any, error](func() struct{} { fmt.Println(i, s); return struct{}{} })
	}
	_, _ = effect.Run(context.Background(), interop.ForEachSeq2(slices.All([]string{"a", "b"}), show), nil)
	// Output:
	// 0 a
	// 1 b
}

func ExampleStreamToChan() {
	s := stream.Of[any, error]("a", "b", "c")
	values, errs := interop.StreamToChan(context.Background(), s, 0, nil)
	for v := range values {
		fmt.Println(v)
	}
	fmt.Println(<-errs)
	// Output:
	// a
	// b
	// c
	// <nil>
}
