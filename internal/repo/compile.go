package repo

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gogoscope/gogoscope/internal/buildflags"
)

// CompileBlocks type-checks each block as a package of its own (a block
// that continues another goes in that one's package), with
// `go vet` (all analyzers but unreachable, since a fragment's statements
// may end in a return) in a temporary module under work that requires
// the repository at root (replaced by its directory) and the modules of
// its go.mod. vet reads the export data of the packages the blocks import,
// which the go command compiles: with -race when the running binary was
// built with -race (as `make test` builds it), so that those compiles are
// the ones the rest of the run made and the build cache already holds —
// without it, a cold CI run compiled the repository and its dependencies
// once more for this test alone (four and a half minutes on two cores). It returns the messages of the go command, each naming the
// Markdown file (relative to root) and line, and an error when it failed.
func CompileBlocks(root, work string, blocks []Block) ([]string, error) {
	if len(blocks) == 0 {
		return nil, errors.New("repo: no blocks to compile")
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	requires, err := requireBlock(gomod)
	if err != nil {
		return nil, err
	}
	mod := "module docblocks\n\ngo 1.27\n\nrequire " + Module + " v0.0.0\n\n" + requires +
		"\nreplace " + Module + " => " + root + "\n"
	if err := os.WriteFile(filepath.Join(work, "go.mod"), []byte(mod), 0o644); err != nil {
		return nil, err
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, "go.sum"), sum, 0o644); err != nil {
		return nil, err
	}
	var (
		msgs []string
		pkg  string
	)
	for i, b := range blocks {
		if !b.Continues || pkg == "" {
			pkg = fmt.Sprintf("b%03d", i)
			if err := os.Mkdir(filepath.Join(work, pkg), 0o755); err != nil {
				return nil, err
			}
		} else {
			b.Setup = "" // declared once, by the first block of the package
		}
		abs, err := filepath.Abs(b.File)
		if err != nil {
			return nil, err
		}
		src, err := Assemble(b, pkg, abs)
		if err != nil {
			for l := range strings.Lines(err.Error()) {
				msgs = append(msgs, relativeTo(root, strings.TrimRight(l, "\n")))
			}
			continue
		}
		if err := os.WriteFile(filepath.Join(work, pkg, fmt.Sprintf("block%03d.go", i)), src, 0o644); err != nil {
			return nil, err
		}
	}
	args := []string{"vet", "-unreachable=false"}
	if buildflags.Race() {
		args = append(args, "-race")
	}
	cmd := exec.Command(buildflags.GoCommand(), append(args, "./...")...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	parseErrors := len(msgs)
	for l := range strings.Lines(string(out)) {
		l = strings.TrimRight(l, "\n")
		if l == "" || strings.HasPrefix(l, "# ") {
			continue
		}
		msgs = append(msgs, relativeTo(root, strings.TrimPrefix(l, "vet: ")))
	}
	if err != nil {
		return msgs, fmt.Errorf("repo: go vet of the blocks: %w", err)
	}
	if parseErrors > 0 {
		return msgs, fmt.Errorf("repo: %d blocks do not parse", parseErrors)
	}
	return msgs, nil
}

// requireBlock returns the require directives of a go.mod.
func requireBlock(gomod []byte) (string, error) {
	var b strings.Builder
	in := false
	for l := range strings.Lines(string(gomod)) {
		t := strings.TrimSpace(l)
		switch {
		case in:
			b.WriteString(l)
			if t == ")" {
				in = false
			}
		case strings.HasPrefix(t, "require ("):
			in = true
			b.WriteString(l)
		case strings.HasPrefix(t, "require "):
			b.WriteString(l)
		}
	}
	if b.Len() == 0 {
		return "", errors.New("repo: go.mod has no require directive")
	}
	return b.String(), nil
}

var absPath = regexp.MustCompile(`(^|\s)(/[^\s:]+)`)

// relativeTo rewrites the absolute paths under root in msg as relative.
func relativeTo(root, msg string) string {
	return absPath.ReplaceAllStringFunc(msg, func(m string) string {
		lead := m[:len(m)-len(strings.TrimLeft(m, " \t"))]
		p := strings.TrimLeft(m, " \t")
		if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
			return lead + filepath.ToSlash(rel)
		}
		return m
	})
}
