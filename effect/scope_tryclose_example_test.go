package effect_test

import (
	"context"
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleScope_NewScope() {
	// A server opens a scope per job, a child of the application's scope:
	// the job's resources live until the job's scope closes, and the
	// application's close would close a job's scope still open.
	rt := effect.NewRuntime()
	app := rt.NewScope()
	job := app.NewScope()
	acquire := effect.AcquireRelease(openConn("job db"), closeConn)
	if _, err := rt.Run(context.Background(), effect.Extend(job, acquire), nil); err != nil {
		fmt.Println(err)
	}
	fmt.Println("job parent is app:", job.Parent() == app)
	fmt.Println("close job:", job.Close(context.Background()))
	fmt.Println("close app:", app.Close(context.Background()))
	// Output:
	// open job db
	// job parent is app: true
	// close job db
	// close job: <nil>
	// close app: <nil>
}

func ExampleScope_TryClose() {
	// Most requests leave their scope unused: TryClose closes it without
	// running an effect; a scope with work left needs Close.
	rt := effect.NewRuntime()
	app := rt.NewScope()
	for _, uses := range []bool{false, true} {
		req := app.NewScope()
		if uses {
			acquire := effect.AcquireRelease(openConn("request db"), closeConn)
			if _, err := rt.Run(context.Background(), effect.Extend(req, acquire), nil); err != nil {
				fmt.Println(err)
			}
		}
		if req.TryClose() {
			fmt.Println("closed at once")
		} else {
			fmt.Println("Close:", req.Close(context.Background()))
		}
	}
	// Output:
	// closed at once
	// open request db
	// close request db
	// Close: <nil>
}

func ExampleScope_Owner() {
	// The scope of Scoped belongs to the fiber that opened it; a scope made
	// from plain Go has no owner.
	prog := effect.Scoped(effect.FlatMap(effect.CurrentScope[any, error](), func(s *effect.Scope) Eff[bool] {
		return effect.Map(effect.CurrentFiberID[any, error](), func(id effect.FiberID) bool { return s.Owner() == id })
	}))
	owned, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println("owned by the running fiber:", owned)
	fmt.Println("owner of a scope from Go:", effect.NewRuntime().NewScope().Owner())
	// Output:
	// owned by the running fiber: true
	// owner of a scope from Go: 0
}
