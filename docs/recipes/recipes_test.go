package recipes_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/internal/repo"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestChapterMirrorsRecipes checks that docs/recipes.md shows every recipe
// file of this package, in order, exactly as the file holds it after its
// imports: the chapter's code is the code that runs, output included.
func TestChapterMirrorsRecipes(t *testing.T) {
	files, err := filepath.Glob("[0-9][0-9]_*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := repo.ExtractBlocks(filepath.Join("..", "recipes.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("found %d recipe files, want at least 20", len(files))
	}
	if len(blocks) != len(files) {
		t.Fatalf("docs/recipes.md has %d Go blocks for %d recipe files", len(blocks), len(files))
	}
	example := regexp.MustCompile(`(?m)^func Example\w*\(\) \{$`)
	for i, f := range files {
		body, err := afterImports(f)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(example.FindAllString(body, -1)); n != 1 {
			t.Errorf("%s: has %d Example functions, want one", f, n)
		}
		if !strings.Contains(body, "// Output:") {
			t.Errorf("%s: its Example has no // Output: comment, so it is compiled but not run", f)
		}
		if got := blocks[i].Code; got != body {
			t.Errorf("docs/recipes.md:%d shows another code than %s:\n--- chapter\n%s--- file\n%s", blocks[i].Line, f, got, body)
		}
	}
}

// afterImports returns the source of the file at path after its package
// clause and imports, without the blank lines around it.
func afterImports(path string) (string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ImportsOnly)
	if err != nil {
		return "", err
	}
	end := fset.Position(f.Name.End()).Offset
	if n := len(f.Decls); n > 0 {
		end = fset.Position(f.Decls[n-1].End()).Offset
	}
	return strings.Trim(string(src[end:]), "\n") + "\n", nil
}
