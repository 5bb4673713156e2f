package layer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

// Settings, DB, Repo and Service make up the small application of the
// examples.
type Settings struct{ DSN string }

type DB struct{ dsn string }

func OpenDB(_ context.Context, s Settings) (*DB, error) {
	if s.DSN == "" {
		return nil, errors.New("no DSN")
	}
	fmt.Println("open", s.DSN)
	return &DB{dsn: s.DSN}, nil
}

func (db *DB) Close() error {
	fmt.Println("close", db.dsn)
	return nil
}

// Repo is a service: effects use it through this interface.
type Repo interface{ Count() int }

type dbRepo struct{ db *DB }

func (dbRepo) Count() int { return 3 }

func NewRepo(db *DB) Repo { return dbRepo{db} }

type fakeRepo struct{ n int }

func (f fakeRepo) Count() int { return f.n }

// AppEnv is the environment the application's effects need.
type AppEnv struct {
	Repo Repo
	Name string
}

// countUsers is an effect that needs an AppEnv.
var countUsers = eff.For[AppEnv]().Sync(func(env AppEnv) string {
	return fmt.Sprintf("%s has %d users", env.Name, env.Repo.Count())
})

var (
	settings = layer.Value(Settings{DSN: "postgres://db"})
	db       = settings.To(layer.Resource(OpenDB, (*DB).Close).Named("db"))
	repo     = db.To(layer.New(NewRepo))
	app      = layer.Struct(
		layer.Field(repo, func(e *AppEnv, r Repo) { e.Repo = r }),
		layer.Field(layer.Value("shop"), func(e *AppEnv, n string) { e.Name = n }),
	)
)

// An application builds its services once at start and releases them at
// shutdown.
func ExampleBuild() {
	ctx := context.Background()
	env, scope, err := layer.Build(ctx, app, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer scope.Close(ctx) // at shutdown: releases in reverse order

	msg, _ := effect.Run(ctx, countUsers, env)
	fmt.Println(msg)
	// Output:
	// open postgres://db
	// shop has 3 users
	// close postgres://db
}

// Provide removes an effect's requirement: the layer is built, the effect
// runs, and the layer's resources are released.
func ExampleProvide() {
	prog := layer.Provide(countUsers, app) // an eff.Effect[string]: it needs nothing more
	msg, err := eff.Run(context.Background(), prog)
	fmt.Println(msg, err)
	// Output:
	// open postgres://db
	// close postgres://db
	// shop has 3 users <nil>
}

// Acquire builds a layer inside an effect; its resources belong to the
// current scope.
func ExampleAcquire() {
	prog := eff.Scoped(effect.Map(layer.Acquire(db), func(d *DB) string {
		fmt.Println("using", d.dsn)
		return "done"
	}))
	fmt.Println(eff.Run(context.Background(), prog))
	// Output:
	// open postgres://db
	// using postgres://db
	// close postgres://db
	// done <nil>
}

// Tests swap a service for a fake one: the real layer is not built at all.
func ExampleOverride() {
	testApp := layer.Override(app, repo.Replace(fakeRepo{n: 42}))
	msg, err := eff.Run(context.Background(), layer.Provide(countUsers, testApp))
	fmt.Println(msg, err)
	// Output:
	// shop has 42 users <nil>
}

// ReplaceWith decorates the layer it replaces: inside the replacement, the
// layer means the original.
func ExampleLayer_ReplaceWith() {
	traced := repo.Map(func(r Repo) Repo {
		fmt.Println("wrapping the real repo")
		return r
	})
	msg, _ := eff.Run(context.Background(), layer.Provide(countUsers, app.Override(repo.ReplaceWith(traced))))
	fmt.Println(msg)
	// Output:
	// open postgres://db
	// wrapping the real repo
	// close postgres://db
	// shop has 3 users
}

// A failing layer releases what was acquired and names itself in the error.
func ExampleError() {
	broken := layer.Override(app, settings.Replace(Settings{}))
	_, _, err := layer.Build(context.Background(), broken, nil)
	var le *layer.Error
	if errors.As(err, &le) {
		fmt.Println(le.Layer, le.Op)
	}
	fmt.Println(err)
	// Output:
	// db build
	// layer: build "db": no DSN
}

func ExampleSucceed() {
	cfg := layer.Succeed[any, error](Settings{DSN: "mem://"})
	v, scope, _ := layer.Build(context.Background(), cfg, nil)
	defer scope.Close(context.Background())
	fmt.Println(v.DSN)
	// Output: mem://
}

func ExampleSync() {
	greeting := layer.Sync[error](func(name string) string { return "hello, " + name })
	v, scope, _ := layer.Build(context.Background(), greeting, "gopher")
	defer scope.Close(context.Background())
	fmt.Println(v)
	// Output: hello, gopher
}

func ExampleFunc() {
	parse := layer.Func(func(_ context.Context, raw string) (Settings, error) {
		dsn, ok := strings.CutPrefix(raw, "dsn=")
		if !ok {
			return Settings{}, errors.New("want dsn=...")
		}
		return Settings{DSN: dsn}, nil
	}).Named("settings")
	_, _, err := layer.Build(context.Background(), parse, "port=1")
	fmt.Println(err)
	v, scope, _ := layer.Build(context.Background(), parse, "dsn=mem://")
	defer scope.Close(context.Background())
	fmt.Println(v.DSN)
	// Output:
	// layer: build "settings": want dsn=...
	// mem://
}

func ExampleFromEffect() {
	// The effect's environment is the layer's input; what it acquires
	// lives as long as the layer.
	conn := layer.FromEffect(effect.AcquireRelease(
		effect.Access[Settings, error](func(s Settings) string { fmt.Println("dial", s.DSN); return s.DSN }),
		func(c string) effect.Effect[Settings, error, struct{}] {
			return effect.Sync[Settings, error](func() struct{} { fmt.Println("hang up", c); return struct{}{} })
		}))
	v, scope, _ := layer.Build(context.Background(), conn, Settings{DSN: "tcp://x"})
	fmt.Println("built", v)
	_ = scope.Close(context.Background())
	// Output:
	// dial tcp://x
	// built tcp://x
	// hang up tcp://x
}

func ExampleAcquireRelease() {
	file := layer.AcquireRelease(
		effect.Sync[any, error](func() string { fmt.Println("open log"); return "log" }),
		func(string) effect.Effect[any, error, struct{}] {
			return effect.Sync[any, error](func() struct{} { fmt.Println("close log"); return struct{}{} })
		})
	_, scope, _ := layer.Build(context.Background(), file, nil)
	fmt.Println("running")
	_ = scope.Close(context.Background())
	// Output:
	// open log
	// running
	// close log
}

func ExampleResource() {
	pool := layer.Resource(OpenDB, (*DB).Close)
	_, scope, _ := layer.Build(context.Background(), pool, Settings{DSN: "mysql://db"})
	_ = scope.Close(context.Background())
	// Output:
	// open mysql://db
	// close mysql://db
}

func ExampleTo() {
	chain := layer.To(settings, layer.Resource(OpenDB, (*DB).Close))
	_, scope, _ := layer.Build(context.Background(), chain, nil)
	_ = scope.Close(context.Background())
	// Output:
	// open postgres://db
	// close postgres://db
}

func ExampleLayer_To() {
	// Each step's value is the next step's input.
	n := layer.Succeed[any, error]("42").
		To(layer.Sync[error](func(s string) int { return len(s) })).
		To(layer.Sync[error](func(n int) string { return strings.Repeat("*", n) }))
	v, scope, _ := layer.Build(context.Background(), n, nil)
	defer scope.Close(context.Background())
	fmt.Println(v)
	// Output: **
}

func ExampleMap() {
	// Adapt a concrete type to the interface that effects need.
	r := layer.Map(db, func(d *DB) Repo { return dbRepo{d} })
	v, scope, _ := layer.Build(context.Background(), r, nil)
	fmt.Println(v.Count())
	_ = scope.Close(context.Background())
	// Output:
	// open postgres://db
	// 3
	// close postgres://db
}

func ExampleMapError() {
	type startupErr struct{ layer string }
	bad := layer.Func(func(context.Context, any) (int, error) { return 0, errors.New("nope") }).Named("port")
	typed := layer.MapError(bad, func(err error) startupErr {
		var le *layer.Error
		errors.As(err, &le)
		return startupErr{layer: le.Layer}
	})
	x := effect.RunExit(context.Background(), layer.Provide(effect.Environment[int, startupErr](), typed), nil)
	fmt.Println(x.Cause().Failure())
	// Output: {port} true
}

func ExampleStruct() {
	type Env struct {
		Repo Repo
		Name string
	}
	env := layer.Struct(
		layer.Field(layer.Succeed[any, error, Repo](fakeRepo{n: 7}), func(e *Env, r Repo) { e.Repo = r }),
		layer.Field(layer.Succeed[any, error]("test"), func(e *Env, n string) { e.Name = n }),
	)
	v, scope, _ := layer.Build(context.Background(), env, nil)
	defer scope.Close(context.Background())
	fmt.Println(v.Name, v.Repo.Count())
	// Output: test 7
}

func ExampleField() {
	type Ports struct{ HTTP, Admin int }
	ports := layer.Struct(
		layer.Field(layer.Succeed[any, error](8080), func(p *Ports, v int) { p.HTTP = v }),
		layer.Field(layer.Succeed[any, error](9090), func(p *Ports, v int) { p.Admin = v }),
	)
	v, scope, _ := layer.Build(context.Background(), ports, nil)
	defer scope.Close(context.Background())
	fmt.Printf("%+v\n", v)
	// Output: {HTTP:8080 Admin:9090}
}

func ExampleLayer_Fresh() {
	var n atomic.Int32
	counter := layer.Sync[error](func(any) int32 { return n.Add(1) })
	type Two struct{ A, B int32 }
	shared := layer.Struct(
		layer.Field(counter, func(t *Two, v int32) { t.A = v }),
		layer.Field(counter, func(t *Two, v int32) { t.B = v }),
	)
	v, s, _ := layer.Build(context.Background(), shared, nil)
	_ = s.Close(context.Background())
	fmt.Println("shared:", v.A == v.B, n.Load())

	fresh := counter.Fresh()
	twice := layer.Struct(
		layer.Field(fresh, func(t *Two, v int32) { t.A = v }),
		layer.Field(fresh, func(t *Two, v int32) { t.B = v }),
	)
	v, s, _ = layer.Build(context.Background(), twice, nil)
	_ = s.Close(context.Background())
	fmt.Println("fresh:", v.A != v.B, n.Load())
	// Output:
	// shared: true 1
	// fresh: true 3
}

func ExampleLayer_Named() {
	l := layer.Resource(OpenDB, (*DB).Close)
	fmt.Println(l.Name())
	fmt.Println(l.Named("primary db"))
	// Output:
	// *layer_test.DB
	// layer primary db
}

// Replace also serves outside tests: run the application with another
// configuration.
func ExampleLayer_Replace() {
	staging := db.Override(settings.Replace(Settings{DSN: "postgres://staging"}))
	_, scope, _ := layer.Build(context.Background(), staging, nil)
	_ = scope.Close(context.Background())
	// Output:
	// open postgres://staging
	// close postgres://staging
}

func ExampleLayer_Map() {
	dsn := settings.Map(func(s Settings) string { return s.DSN })
	v, scope, _ := layer.Build(context.Background(), dsn, nil)
	defer scope.Close(context.Background())
	fmt.Println(v)
	// Output: postgres://db
}
