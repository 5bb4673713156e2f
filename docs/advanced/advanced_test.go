package advanced_test

import (
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/internal/repo"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestChapterMirrorsPatterns checks that docs/advanced.md shows every
// pattern file of this package, in order, exactly as the file holds it after
// its imports: the chapter's code is the code that runs, output included.
func TestChapterMirrorsPatterns(t *testing.T) {
	repo.CheckChapterMirror(t, filepath.Join("..", "advanced.md"), ".", "[0-9][0-9]_*_test.go", 6)
}
