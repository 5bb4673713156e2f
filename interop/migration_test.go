package interop_test

// The programs of the migration guides in docs/interop.md, checked: each
// "after" (gogoscope) must behave as its "before" (errgroup, conc); the
// fp-go guide is checked in package interop/fpgo.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/interop"
	"github.com/gogoscope/gogoscope/schedule"
)

var errNotFound = errors.New("not found")

// fetch stands for an HTTP call: it takes a while, honours ctx, and fails
// for the URL "bad".
func fetch(ctx context.Context, url string) (string, error) {
	select {
	case <-time.After(100 * time.Millisecond):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	if url == "bad" {
		return "", fmt.Errorf("fetch %s: %w", url, errNotFound)
	}
	return "body of " + url, nil
}

// Before: errgroup.
func fetchAllErrgroup(ctx context.Context, urls []string) ([]string, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	out := make([]string, len(urls))
	for i, u := range urls {
		g.Go(func() error {
			body, err := fetch(ctx, u)
			if err != nil {
				return err
			}
			out[i] = body
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// After: gogoscope.
func fetchAll(urls []string) effect.Effect[any, error, []string] {
	return effect.ForEachPar(urls, func(u string) effect.Effect[any, error, string] {
		return interop.FromCtxValueFunc[any](func(ctx context.Context) (string, error) { return fetch(ctx, u) })
	}, effect.Par{Limit: 4})
}

// After, with what errgroup leaves to you: a timeout per call and retries.
func fetchAllRobust(urls []string) effect.Effect[any, error, []string] {
	retry := schedule.Exponential(50 * time.Millisecond).Intersect(schedule.Recurs(3))
	return effect.ForEachPar(urls, func(u string) effect.Effect[any, error, string] {
		call := interop.FromCtxValueFunc[any](func(ctx context.Context) (string, error) { return fetch(ctx, u) })
		return call.Timeout(time.Second).Retry(retry)
	}, effect.Par{Limit: 4})
}

func TestMigrationErrgroup(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		urls := []string{"a", "b", "c", "d", "e", "f"}
		want, err := fetchAllErrgroup(context.Background(), urls)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		got, err := rt.Run(context.Background(), fetchAll(urls), nil)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("gogoscope: got %v, %v; errgroup: %v", got, err, want)
		}
		if took := time.Since(start); took != 200*time.Millisecond {
			t.Fatalf("6 calls of 100ms, 4 at a time: took %v, want 200ms", took)
		}
		bad := []string{"a", "bad", "c"}
		_, errG := fetchAllErrgroup(context.Background(), bad)
		_, errE := rt.Run(context.Background(), fetchAll(bad), nil)
		if !errors.Is(errG, errNotFound) || !errors.Is(errE, errNotFound) || errG.Error() != errE.Error() {
			t.Fatalf("first error: errgroup %v, gogoscope %v", errG, errE)
		}
		got, err = rt.Run(context.Background(), fetchAllRobust(urls), nil)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("robust: got %v, %v", got, err)
		}
	})
}

func TestMigrationInsideErrgroup(t *testing.T) {
	// An effect as one task of existing errgroup code.
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		g, ctx := errgroup.WithContext(context.Background())
		var fetched []string
		g.Go(func() error {
			v, err := interop.ToCtxValueFunc(fetchAll([]string{"x", "y"}), rt)(ctx)
			fetched = v
			return err
		})
		g.Go(func() error { return errors.New("sibling failed") })
		err := g.Wait()
		if err == nil || err.Error() != "sibling failed" || fetched != nil {
			t.Fatalf("got %v, %v; want the sibling's error and the effect interrupted", err, fetched)
		}
	})
}

// conc's panics: a panic in a task is re-raised by Wait; in gogoscope it is
// a defect with the task's stack, returned as an error.
func TestMigrationConcPanics(t *testing.T) {
	var ran atomic.Int32
	tasks := []effect.Effect[any, error, int]{
		effect.Sync[any, error](func() int { ran.Add(1); return 1 }),
		effect.Sync[any, error](func() int { panic("task broke") }),
	}
	_, err := effect.Run(context.Background(), effect.All(tasks, effect.Par{}), nil)
	var d *effect.Defect
	if !errors.As(err, &d) || d.Value != "task broke" || d.Stack == "" {
		t.Fatalf("got %v, want the defect with its stack", err)
	}
}
