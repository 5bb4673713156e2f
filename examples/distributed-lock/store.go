package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/mysql"
	"github.com/gogoscope/gogoscope/persistence/postgres"
	"github.com/gogoscope/gogoscope/persistence/redis"
	"github.com/gogoscope/gogoscope/persistence/sqlite"
)

// store is what the workers need of a backend.
type store interface {
	persistence.Locker
	persistence.BreakerWatcher
}

// dsnFor returns the DSN of backend: a file in dir for SQLite, else the
// variable of the environment named after the backend.
func dsnFor(backend, dir string) (string, error) {
	env := map[string]string{"redis": "REDIS_URL", "postgres": "POSTGRES_DSN", "mysql": "MYSQL_DSN"}
	switch backend {
	case "sqlite":
		return filepath.Join(dir, "locks.db"), nil
	case "redis", "postgres", "mysql":
		v := os.Getenv(env[backend])
		if v == "" {
			return "", fmt.Errorf("-backend %s needs %s (scripts/services.sh up prints it)", backend, env[backend])
		}
		return v, nil
	}
	return "", fmt.Errorf("unknown -backend %q: want sqlite, redis, postgres or mysql", backend)
}

// open opens the store of backend with the key prefix of this run.
func open(ctx context.Context, backend, dir, prefix string) (store, func(), error) {
	dsn, err := dsnFor(backend, dir)
	if err != nil {
		return nil, nil, err
	}
	switch backend {
	case "redis":
		s, err := redis.Open(ctx, dsn, redis.Options{Prefix: prefix})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	case "postgres":
		s, err := postgres.Open(ctx, dsn, postgres.Options{Prefix: prefix})
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	case "mysql":
		s, err := mysql.Open(ctx, dsn, mysql.Options{Prefix: prefix})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	s, err := sqlite.Open(ctx, dsn, sqlite.Options{Prefix: prefix})
	if err != nil {
		return nil, nil, err
	}
	return s, func() { s.Close() }, nil
}
