package repo_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gogoscope/gogoscope/internal/repo"
)

var blocksOf = flag.String("blocks", "", "compile only the Go blocks of the Markdown files that match this `glob` (relative to the root: docs/layers.md)")

// TestCodeBlocksCompile compiles every Go block of README.md and
// docs/*.md, as the convention of docs/README.md says. A writer checks one
// chapter with
//
//	go test ./internal/repo -run CodeBlocks -blocks docs/layers.md
func TestCodeBlocksCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles every block of the guide: skipped in -short mode")
	}
	root, err := repo.Root()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(root, "README.md"))
	var blocks []repo.Block
	for _, f := range files {
		if *blocksOf != "" {
			rel, _ := filepath.Rel(root, f)
			if ok, err := filepath.Match(*blocksOf, filepath.ToSlash(rel)); err != nil {
				t.Fatal(err)
			} else if !ok {
				continue
			}
		}
		b, err := repo.ExtractBlocks(f)
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, b...)
	}
	if *blocksOf == "" && len(blocks) < 50 {
		t.Fatalf("found %d Go blocks: the extraction is broken", len(blocks))
	}
	msgs, err := repo.CompileBlocks(root, t.TempDir(), blocks)
	for _, m := range msgs {
		t.Error(m)
	}
	if err != nil {
		t.Error(err)
	}
}

func TestExtractBlocks(t *testing.T) {
	blocks, err := repo.ExtractBlocks(filepath.Join("testdata", "blocks", "sample.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 {
		t.Fatalf("got %d blocks, want 3 (the text block is not Go)", len(blocks))
	}
	if b := blocks[0]; b.Line != 6 || b.Setup != "" || !strings.HasPrefix(b.Code, "package main\n") {
		t.Errorf("whole file: got line %d, setup %q, code %q", b.Line, b.Setup, b.Code)
	}
	if b := blocks[1]; b.Line != 25 || b.SetupLine != 14 || !strings.Contains(b.Setup, "func fetch") {
		t.Errorf("fragment: got line %d, setup line %d, setup %q", b.Line, b.SetupLine, b.Setup)
	}
	if b := blocks[2]; b.Code != "x := 1\n" || b.Setup != "" {
		t.Errorf("after the empty setup, in a four-backtick fence: got code %q, setup %q", b.Code, b.Setup)
	}
}

func TestAssembleFragment(t *testing.T) {
	blocks, err := repo.ExtractBlocks(filepath.Join("testdata", "blocks", "sample.md"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := repo.Assemble(blocks[1], "b001", "sample.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for _, want := range []string{
		"package b001\n",
		"\t\"context\"\n",
		"\t\"github.com/gogoscope/gogoscope/effect\"\n",
		"//line sample.md:14:1\nvar (",
		"//line sample.md:25:1\ntype Eff[A any]",
		"func _() error {\n//line sample.md:27:1\n// Each URL",
		"\t_ = []any{pages, bodies, err}\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("assembled source lacks %q:\n%s", want, s)
		}
	}
	if i, j := strings.Index(s, "type Eff"), strings.Index(s, "func _()"); i < 0 || j < i {
		t.Errorf("the declaration must stay at the top level, before the statements:\n%s", s)
	}
}

// TestCompileBlocksReportsTheMarkdownLine proves that the check fails,
// and where: a fragment with an undefined name is reported at its line of
// the Markdown file, and a sound file compiles.
func TestCompileBlocksReportsTheMarkdownLine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet: skipped in -short mode")
	}
	root, err := repo.Root()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "internal", "repo", "testdata", "blocks")
	var blocks []repo.Block
	for _, name := range []string{"sample.md", "broken.md"} {
		b, err := repo.ExtractBlocks(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, b...)
	}
	msgs, err := repo.CompileBlocks(root, t.TempDir(), blocks)
	if err == nil {
		t.Fatalf("compiling a broken block succeeded; messages: %q", msgs)
	}
	want := "internal/repo/testdata/blocks/broken.md:6:10: undefined: missing"
	if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, want) }) {
		t.Fatalf("messages %q lack %q", msgs, want)
	}
	for _, m := range msgs {
		if strings.Contains(m, "sample.md") {
			t.Errorf("the sound blocks were reported: %s", m)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		t.Errorf("CompileBlocks wrote into the fixtures")
	}
}
