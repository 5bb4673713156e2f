package recipes_test

import (
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/internal/repo"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestChapterMirrorsRecipes checks that docs/recipes.md shows every recipe
// file of this package, in order, exactly as the file holds it after its
// imports: the chapter's code is the code that runs, output included.
func TestChapterMirrorsRecipes(t *testing.T) {
	repo.CheckChapterMirror(t, filepath.Join("..", "recipes.md"), ".", "[0-9][0-9]_*_test.go", 20)
}
