package layertest_test

import (
	"context"
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/layer"
	"github.com/gogoscope/gogoscope/layer/layertest"
)

// Greeter is a service of the application under test.
type Greeter interface {
	Greet(name string) effect.Effect[any, error, string]
}

// fakeGreeter records its calls into a spy.
type fakeGreeter struct{ spy *effecttest.Spy }

func (g fakeGreeter) Greet(name string) effect.Effect[any, error, string] {
	return g.spy.Wrap("Greet", effect.Succeed[any, error]("hello "+name), name)
}

func ExampleSpy() {
	var spy effecttest.Spy
	greeterLayer := layertest.Spy[any, error, Greeter](&spy, "greeter", fakeGreeter{&spy})
	prog := effect.AccessEffect(func(g Greeter) effect.Effect[Greeter, error, string] {
		return effect.Widen[Greeter](g.Greet("ann"))
	})
	msg, _ := effect.Run(context.Background(), layer.Provide(prog, greeterLayer), nil)
	fmt.Println(msg)
	fmt.Println(spy.Calls())
	// Output:
	// hello ann
	// [build greeter() Greet("ann") release greeter()]
}
