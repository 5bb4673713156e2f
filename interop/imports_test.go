package interop_test

import (
	"slices"
	"testing"

	"github.com/gogoscope/gogoscope/internal/repo"
)

// TestImportClosure checks the promise of package interop: it needs only
// the standard library and gogoscope's own packages, so that a program
// that lifts plain Go into effects compiles neither fp-go nor samber/mo
// (their bridges live in interop/fpgo and interop/sambermo).
func TestImportClosure(t *testing.T) {
	root, err := repo.Root()
	if err != nil {
		t.Fatal(err)
	}
	outside, visited, err := repo.ImportClosure(root, repo.Module+"/interop")
	if err != nil {
		t.Fatal(err)
	}
	for imp, by := range outside {
		t.Errorf("%s is imported by %v: interop must need only the standard library and gogoscope", imp, by)
	}
	if !slices.Contains(visited, repo.Module+"/effect") {
		t.Errorf("the walk never reached effect (visited %v): it is broken", visited)
	}
}
