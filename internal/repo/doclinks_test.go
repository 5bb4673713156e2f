package repo_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/gogoscope/gogoscope/internal/repo"
)

// TestDocLinksResolve checks every doc link of every package of the
// repository: a link that resolves to nothing is rendered as plain text by
// go doc, silently.
func TestDocLinksResolve(t *testing.T) {
	root, err := repo.Root()
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := repo.Packages(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("found %d packages: the walk is broken", len(pkgs))
	}
	broken, err := repo.CheckDocLinks(pkgs)
	if err != nil {
		t.Fatal(err)
	}
	stillBroken := map[string]bool{}
	for _, b := range broken {
		rel, _ := filepath.Rel(root, b.Pos.Filename)
		rel = filepath.ToSlash(rel)
		if knownBroken[rel+": "+b.Link] {
			stillBroken[rel+": "+b.Link] = true
			continue
		}
		t.Errorf("%s:%d: [%s] resolves to nothing: %s", rel, b.Pos.Line, b.Link, b.Why)
	}
	for k := range knownBroken {
		if !stillBroken[k] {
			t.Errorf("%s is fixed: remove it from knownBroken", k)
		}
	}
}

// knownBroken lists broken links waiting for their fix in files that are
// being rewritten elsewhere ("file: link"). A fixed one fails the test
// until it is removed from here, so the list only shrinks.
var knownBroken = map[string]bool{}

// TestCheckDocLinks checks the checker on fixtures: what resolves, and
// each way a link can fail to.
func TestCheckDocLinks(t *testing.T) {
	fixture := func(name string) repo.Package {
		dir, err := filepath.Abs(filepath.Join("testdata", "links", name))
		if err != nil {
			t.Fatal(err)
		}
		return repo.Package{Dir: dir, ImportPath: "example.com/" + name}
	}
	broken, err := repo.CheckDocLinks([]repo.Package{fixture("good")})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range broken {
		t.Errorf("good: reported %v", b)
	}
	broken, err = repo.CheckDocLinks([]repo.Package{fixture("bad")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range broken {
		got = append(got, b.Link)
	}
	want := []string{"Missing", "Thing.Nope", "errors.Nope", "nosuchpkg.Name", "context.Context.Nope", "nosuchpkg", "example.com/no/such/pkg", "Thing.Gone", "Fiber.Interrupt"}
	if !slices.Equal(got, want) {
		t.Fatalf("bad: got %q, want %q", got, want)
	}
}
