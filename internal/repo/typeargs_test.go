package repo_test

import (
	"testing"

	"github.com/gogoscope/gogoscope/internal/repo"
)

// TestTypeArgsInExamples counts the explicit type arguments that the
// example programs write where they call gogoscope, and holds them to the
// everyday target: at most one in ten call sites. Print the figures with
//
//	go test ./internal/repo -run TypeArgsInExamples -v
func TestTypeArgsInExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the examples: skipped in -short mode")
	}
	root, err := repo.Root()
	if err != nil {
		t.Fatal(err)
	}
	counts, err := repo.CountTypeArgs(root, "./examples/...")
	if err != nil {
		t.Fatal(err)
	}
	var total repo.TypeArgs
	for pkg, c := range counts {
		t.Logf("%s: %v", pkg, c)
		total.Add(c)
	}
	t.Logf("examples: %v", total)
	if total.Sites < 100 {
		t.Fatalf("found %d call sites in the examples: the count is broken", total.Sites)
	}
	if total.Explicit*10 > total.Sites {
		t.Errorf("examples: %d explicit type arguments at %d call sites: more than one in ten", total.Explicit, total.Sites)
	}
}
