package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/eff"
)

// Settings is the application's configuration.
type Settings struct {
	DSN      string
	PoolSize int
}

// LoadSettings returns the settings (a real program reads flags or the
// environment here).
func LoadSettings() Settings {
	say("load config")
	return Settings{DSN: "memory://users", PoolSize: 4}
}

// ErrUnreachable is the failure of opening a pool on a bad DSN.
var ErrUnreachable = errors.New("database unreachable")

// ErrNotFound is the failure of looking up a user that does not exist.
var ErrNotFound = errors.New("user not found")

// DBPool stands in for a database pool (*sql.DB, *pgxpool.Pool): opening it
// takes a while, and it must be closed.
type DBPool struct {
	size int
	rows map[int]string
}

// OpenPool opens the pool described by the settings.
func OpenPool(ctx context.Context, s Settings) (*DBPool, error) {
	select {
	case <-time.After(40 * time.Millisecond): // connecting
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !strings.HasPrefix(s.DSN, "memory://") {
		say("open db pool %s: unreachable", s.DSN)
		return nil, fmt.Errorf("open %s: %w", s.DSN, ErrUnreachable)
	}
	say("open db pool %s (%d connections)", s.DSN, s.PoolSize)
	return &DBPool{size: s.PoolSize, rows: map[int]string{1: "Ada Lovelace", 2: "Grace Hopper"}}, nil
}

// Close closes the pool.
func (p *DBPool) Close() error {
	say("close db pool")
	return nil
}

// QueryName returns the name of the user id.
func (p *DBPool) QueryName(ctx context.Context, id int) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	name, ok := p.rows[id]
	if !ok {
		return "", fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	return name, nil
}

// User is a user of the application.
type User struct {
	ID   int
	Name string
}

// UserRepo is a service: an interface, so that a test can swap the
// implementation. Its methods return effects that need nothing.
type UserRepo interface {
	Find(id int) eff.Effect[User]
}

type poolRepo struct{ pool *DBPool }

// NewUserRepo returns the repository over the pool.
func NewUserRepo(p *DBPool) UserRepo {
	say("new user repository")
	return poolRepo{p}
}

func (r poolRepo) Find(id int) eff.Effect[User] {
	return eff.Try(func(ctx context.Context) (User, error) {
		name, err := r.pool.QueryName(ctx, id)
		return User{ID: id, Name: name}, err
	})
}

// fakeRepo is the repository a test uses: no pool needed.
type fakeRepo map[int]string

func (f fakeRepo) Find(id int) eff.Effect[User] {
	if name, ok := f[id]; ok {
		return eff.Succeed(User{ID: id, Name: name})
	}
	return eff.Fail[User](fmt.Errorf("user %d: %w", id, ErrNotFound))
}

// AuditLog is a second resource: a buffer of audit entries, flushed when it
// is closed.
type AuditLog struct {
	mu      sync.Mutex
	entries []string
}

// OpenAuditLog opens the audit log.
func OpenAuditLog(context.Context, Settings) (*AuditLog, error) {
	time.Sleep(10 * time.Millisecond)
	say("open audit log")
	return &AuditLog{}, nil
}

// Record adds an entry.
func (a *AuditLog) Record(entry string) {
	a.mu.Lock()
	a.entries = append(a.entries, entry)
	a.mu.Unlock()
}

// Close flushes the log.
func (a *AuditLog) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	say("close audit log (flushed %d entries)", len(a.entries))
	return nil
}

// ServiceDeps is what the user service needs: a struct of services that a
// layer.Struct assembles from the layers that build them.
type ServiceDeps struct {
	Users UserRepo
	Audit *AuditLog
}

// Env is the environment of the effects of the one-shot job.
type Env struct {
	Users UserRepo
	Audit *AuditLog
}

// UserService is the business logic.
type UserService struct{ deps ServiceDeps }

// NewUserService returns the service over its dependencies.
func NewUserService(d ServiceDeps) *UserService {
	say("new user service")
	return &UserService{deps: d}
}

// Greet returns an effect that greets the user id and records it.
func (s *UserService) Greet(id int) eff.Effect[string] {
	return s.deps.Users.Find(id).Map(func(u User) string {
		s.deps.Audit.Record("greeted " + u.Name)
		return "Hello, " + u.Name + "!"
	})
}

// NewHandler returns the HTTP handler of the application: each request
// runs an effect, with the request's context.
func NewHandler(s *UserService) http.Handler {
	say("new http handler")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /greet/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil {
			http.Error(w, "bad id", http.StatusBadRequest)
			return
		}
		msg, err := eff.Run(r.Context(), s.Greet(id))
		switch {
		case errors.Is(err, ErrNotFound):
			http.Error(w, err.Error(), http.StatusNotFound)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			fmt.Fprintln(w, msg)
		}
	})
	return mux
}
