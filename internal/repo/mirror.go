package repo

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// CheckChapterMirror checks that the chapter at chapter (a Markdown file)
// shows every file of dir matching glob (numbered Example files, such as
// docs/recipes/01_x_test.go), in order, exactly as each file holds it after
// its imports, and that each file has one Example function with an
// "// Output:" comment: the chapter's code is the code that runs, output
// included. It fails t unless there are at least min such files.
func CheckChapterMirror(t testing.TB, chapter, dir, glob string, min int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, glob))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := ExtractBlocks(chapter)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < min {
		t.Fatalf("found %d files %s in %s, want at least %d", len(files), glob, dir, min)
	}
	if len(blocks) != len(files) {
		t.Fatalf("%s has %d Go blocks for %d files", chapter, len(blocks), len(files))
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
			t.Errorf("%s:%d shows another code than %s:\n--- chapter\n%s--- file\n%s", chapter, blocks[i].Line, f, got, body)
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
		return "", fmt.Errorf("repo: %w", err)
	}
	end := fset.Position(f.Name.End()).Offset
	if n := len(f.Decls); n > 0 {
		end = fset.Position(f.Decls[n-1].End()).Offset
	}
	return strings.Trim(string(src[end:]), "\n") + "\n", nil
}
