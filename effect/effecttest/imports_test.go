package effecttest_test

import (
	"strings"
	"testing"

	"github.com/gogoscope/gogoscope/internal/repo"
)

// TestImportsStayBelow checks that the test kit of the core imports only
// what sits at or below the core (effect and its internals, schedule, the
// repository's internal packages), never a package built on effect
// (layer, stream, resource, interop, ...): their test kits live beside
// them (layer/layertest).
func TestImportsStayBelow(t *testing.T) {
	root, err := repo.Root()
	if err != nil {
		t.Fatal(err)
	}
	_, visited, err := repo.ImportClosure(root, repo.Module+"/effect/effecttest")
	if err != nil {
		t.Fatal(err)
	}
	below := func(pkg string) bool {
		rel := strings.TrimPrefix(pkg, repo.Module+"/")
		for _, ok := range []string{"effect", "schedule", "internal"} {
			if rel == ok || strings.HasPrefix(rel, ok+"/") {
				return true
			}
		}
		return false
	}
	reachedEffect := false
	for _, pkg := range visited {
		if !below(pkg) {
			t.Errorf("effecttest imports %s, which sits above effect", pkg)
		}
		reachedEffect = reachedEffect || pkg == repo.Module+"/effect"
	}
	if !reachedEffect {
		t.Errorf("the walk never reached effect (visited %v): it is broken", visited)
	}
}
