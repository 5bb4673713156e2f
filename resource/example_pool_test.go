package resource_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

// Client stands for a connection, the resource of the pool examples.
type Client struct{ ID int }

// clients returns options that make and close Clients, printing each close.
func clients(minSize, maxSize int) resource.PoolOptions[*Client] {
	var next atomic.Int64
	return resource.PoolOptions[*Client]{
		Min: minSize,
		Max: maxSize,
		Create: effect.Sync[any, error](func() *Client {
			return &Client{ID: int(next.Add(1))}
		}),
		Destroy: func(c *Client) effect.Effect[any, error, struct{}] {
			return effect.Sync[any, error](func() struct{} { fmt.Println("close client", c.ID); return struct{}{} })
		},
	}
}

func ExampleNewPool() {
	prog := effect.Scoped(effect.FlatMap(resource.NewPool[any, error](clients(2, 5)), func(p *resource.Pool[*Client]) Eff[resource.PoolStats] {
		return effect.Sync[any, error](p.Stats)
	}))
	st, err := effect.Run(context.Background(), prog, nil)
	fmt.Printf("%+v %v\n", st, err)
	// Output:
	// close client 1
	// close client 2
	// {Size:2 Idle:2 InUse:0 Waiters:0} <nil>
}

func ExampleUse() {
	query := func(c *Client) Eff[string] { return effect.Succeed[any, error](fmt.Sprint("rows from client ", c.ID)) }
	prog := effect.Scoped(effect.FlatMap(resource.NewPool[any, error](clients(0, 2)), func(p *resource.Pool[*Client]) Eff[[]string] {
		// Four queries, two clients: each query borrows a client for its
		// length and gives it back, whatever happens.
		return effect.ForEachPar([]int{1, 2, 3, 4}, func(int) Eff[string] { return resource.Use(p, query) }, effect.Par{Limit: 1})
	}))
	rows, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(rows, err)
	// Output:
	// close client 1
	// [rows from client 1 rows from client 1 rows from client 1 rows from client 1] <nil>
}

func ExamplePool_Invalidate() {
	errReset := errors.New("connection reset")
	opts := clients(1, 1)
	opts.Broken = func(err error) bool { return errors.Is(err, errReset) }
	prog := effect.Scoped(effect.FlatMap(resource.NewPool[any, error](opts), func(p *resource.Pool[*Client]) Eff[int] {
		// Use invalidates a client whose use fails as broken; by hand,
		// Acquire then Invalidate does the same.
		broken := resource.Use(p, func(*Client) Eff[int] { return effect.Fail[any, int](errReset) })
		byHand := effect.FlatMap(p.Acquire[any, error](), func(l resource.Lease[*Client]) Eff[struct{}] {
			return p.Invalidate[any, error](l)
		})
		return effect.AndThen(effect.OrElse(broken, effect.Succeed[any, error](0)),
			effect.AndThen(byHand, resource.Use(p, func(c *Client) Eff[int] { return effect.Succeed[any, error](c.ID) })))
	}))
	id, err := effect.Run(context.Background(), prog, nil)
	fmt.Println("now using client", id, err)
	// Output:
	// close client 1
	// close client 2
	// close client 3
	// now using client 3 <nil>
}

func ExamplePool_AcquireScoped() {
	prog := effect.Scoped(effect.FlatMap(resource.NewPool[any, error](clients(0, 1)), func(p *resource.Pool[*Client]) Eff[resource.PoolStats] {
		inner := effect.Scoped(effect.FlatMap(p.AcquireScoped[any, error](), func(l resource.Lease[*Client]) Eff[resource.PoolStats] {
			return effect.Sync[any, error](p.Stats)
		}))
		return effect.FlatMap(inner, func(during resource.PoolStats) Eff[resource.PoolStats] {
			fmt.Printf("during: %+v\n", during)
			return effect.Sync[any, error](p.Stats)
		})
	}))
	after, _ := effect.Run(context.Background(), prog, nil)
	fmt.Printf("after: %+v\n", after)
	// Output:
	// during: {Size:1 Idle:0 InUse:1 Waiters:0}
	// close client 1
	// after: {Size:1 Idle:1 InUse:0 Waiters:0}
}

func ExamplePool_Acquire() {
	opts := clients(0, 1)
	opts.AcquireTimeout = 10 * time.Millisecond
	prog := effect.Scoped(effect.FlatMap(resource.NewPool[any, error](opts), func(p *resource.Pool[*Client]) Eff[resource.Lease[*Client]] {
		// The only client is borrowed and never given back: the second
		// Acquire times out.
		return effect.AndThen(p.Acquire[any, error](), p.Acquire[any, error]())
	}))
	_, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(err, errors.Is(err, context.DeadlineExceeded))
	// Output:
	// close client 1
	// effect: timeout after 10ms true
}

func ExamplePool_Stats() {
	prog := effect.Scoped(effect.FlatMap(resource.NewPool[any, error](clients(1, 3)), func(p *resource.Pool[*Client]) Eff[resource.PoolStats] {
		return resource.Use(p, func(*Client) Eff[resource.PoolStats] { return effect.Sync[any, error](p.Stats) })
	}))
	st, _ := effect.Run(context.Background(), prog, nil)
	fmt.Printf("%+v\n", st)
	// Output:
	// close client 1
	// {Size:1 Idle:0 InUse:1 Waiters:0}
}
