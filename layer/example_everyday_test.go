package layer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/layer"
)

// A value the program already holds, as the root of a graph.
func ExampleValue() {
	cfg := layer.Value(Settings{DSN: "mem://"})
	v, scope, _ := layer.Build(context.Background(), cfg, nil)
	defer scope.Close(context.Background())
	fmt.Println(v.DSN)
	// Output: mem://
}

// A constructor with no dependency, run once per build.
func ExampleFrom() {
	loadSettings := func() Settings {
		fmt.Println("load settings")
		return Settings{DSN: "postgres://db"}
	}
	cfg := layer.From(loadSettings).Named("settings")
	dsn := cfg.Map(func(s Settings) string { return s.DSN })
	both := layer.Struct(
		layer.Field(cfg, func(p *[2]string, s Settings) { p[0] = s.DSN }),
		layer.Field(dsn, func(p *[2]string, d string) { p[1] = d }),
	)
	v, scope, _ := layer.Build(context.Background(), both, nil)
	defer scope.Close(context.Background())
	fmt.Println(v)
	// Output:
	// load settings
	// [postgres://db postgres://db]
}

// The constructor of a service from its dependency: no type argument, the
// layer fails with error.
func ExampleNew() {
	repo := layer.Value(Settings{DSN: "postgres://db"}).
		To(layer.Resource(OpenDB, (*DB).Close)).
		To(layer.New(NewRepo))
	n, err := eff.Run(context.Background(), layer.Provide(eff.For[Repo]().Sync(Repo.Count), repo))
	fmt.Println(n, err)
	// Output:
	// open postgres://db
	// close postgres://db
	// 3 <nil>
}

// Plain Go with no input that may fail: its error names the layer.
func ExampleTry() {
	parse := func(raw string) *layer.Layer[any, error, Settings] {
		return layer.Try(func(context.Context) (Settings, error) {
			dsn, ok := strings.CutPrefix(raw, "dsn=")
			if !ok {
				return Settings{}, errors.New("want dsn=...")
			}
			return Settings{DSN: dsn}, nil
		}).Named("settings")
	}
	_, _, err := layer.Build(context.Background(), parse("port=1"), nil)
	fmt.Println(err)
	v, scope, _ := layer.Build(context.Background(), parse("dsn=mem://"), nil)
	defer scope.Close(context.Background())
	fmt.Println(v.DSN)
	// Output:
	// layer: build "settings": want dsn=...
	// mem://
}

// A resource with no input: open's context lives until close has run, so
// whatever open starts with it (a connection, a process, a transaction)
// lasts as long as the build.
func ExampleOpen() {
	type client struct{ ctx context.Context }
	connect := func(ctx context.Context) (*client, error) {
		fmt.Println("connect")
		return &client{ctx: ctx}, nil
	}
	disconnect := func(c *client) error {
		fmt.Println("disconnect; ctx still alive:", c.ctx.Err() == nil)
		return nil
	}
	c, scope, _ := layer.Build(context.Background(), layer.Open(connect, disconnect), nil)
	fmt.Println("in use; ctx alive:", c.ctx.Err() == nil)
	_ = scope.Close(context.Background())
	fmt.Println("after close; ctx:", c.ctx.Err())
	// Output:
	// connect
	// in use; ctx alive: true
	// disconnect; ctx still alive: true
	// after close; ctx: context canceled
}

// UserService is built from two services: a constructor with two
// dependencies.
type UserService struct {
	repo Repo
	db   *DB
}

func NewUserService(r Repo, db *DB) *UserService { return &UserService{repo: r, db: db} }

// A layer with two inputs: gather them into a struct with Struct and Field
// (built concurrently, each once), then call the constructor with Map. The
// deps struct is the layer's input type; its fields say what each input is.
func ExampleStruct_twoInputs() {
	type deps struct {
		Repo Repo
		DB   *DB
	}
	service := layer.Struct(
		layer.Field(repo, func(d *deps, r Repo) { d.Repo = r }),
		layer.Field(db, func(d *deps, v *DB) { d.DB = v }),
	).Map(func(d deps) *UserService { return NewUserService(d.Repo, d.DB) })

	s, scope, err := layer.Build(context.Background(), service, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.repo.Count(), s.db.dsn)
	_ = scope.Close(context.Background())
	// Output:
	// open postgres://db
	// 3 postgres://db
	// close postgres://db
}
