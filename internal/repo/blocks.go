package repo

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"
)

// A Block is a Go code block of a Markdown file, with the setup that
// applies to it (see the package doc).
type Block struct {
	File      string // the Markdown file, as given to ExtractBlocks
	Line      int    // the line of the block's first line of code
	Code      string
	Setup     string // Go declarations; empty when no setup applies
	SetupLine int    // the line of the setup's first line of code
	Continues bool   // compiled in the package of the block before it
}

const (
	setupMarker    = "<!-- go:setup"
	continueMarker = "<!-- go:continue -->"
)

// ExtractBlocks returns the blocks of the Markdown file path fenced as go
// (```go or ~~~go, any fence length, the first word of the info string
// being go), in order, each with the setup in force where it starts.
func ExtractBlocks(path string) ([]Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var (
		blocks                []Block
		setup                 string
		setupLine             int
		fence                 string // the open fence, "" outside a block
		isGo                  bool
		code                  []string
		codeLine              int
		inSetup               bool
		setupBuf              []string
		setupStart, setupOpen int
		continues             bool // a go:continue comment is waiting for its block
		continueLine          int
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case fence != "":
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				if isGo {
					if continues && len(blocks) == 0 {
						return nil, fmt.Errorf("%s:%d: go:continue before the first Go block", path, continueLine)
					}
					if continues && blocks[len(blocks)-1].Setup != setup {
						return nil, fmt.Errorf("%s:%d: a block that continues another has its setup", path, continueLine)
					}
					blocks = append(blocks, Block{File: path, Line: codeLine, Code: strings.Join(code, "\n") + "\n",
						Setup: setup, SetupLine: setupLine, Continues: continues})
					continues = false
				}
				fence, code = "", nil
				continue
			}
			code = append(code, line)
		case inSetup:
			if trimmed == "-->" {
				inSetup = false
				setup, setupLine = strings.Join(setupBuf, "\n")+"\n", setupStart
				if strings.TrimSpace(setup) == "" {
					setup, setupLine = "", 0
				}
				continue
			}
			if strings.Contains(line, "-->") {
				return nil, fmt.Errorf("%s:%d: end a go:setup comment with a line of its own: -->", path, n)
			}
			setupBuf = append(setupBuf, line)
		case trimmed == continueMarker:
			continues, continueLine = true, n
		case strings.HasPrefix(trimmed, setupMarker):
			rest := strings.TrimSpace(strings.TrimPrefix(trimmed, setupMarker))
			switch rest {
			case "-->": // an empty setup ends the one in force
				setup, setupLine = "", 0
			case "":
				inSetup, setupBuf, setupStart, setupOpen = true, nil, n+1, n
			default:
				return nil, fmt.Errorf("%s:%d: a go:setup comment holds its code on the lines after %q", path, n, setupMarker)
			}
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			ch := trimmed[:1]
			i := len(trimmed) - len(strings.TrimLeft(trimmed, ch))
			fence = trimmed[:i]
			info := strings.Fields(trimmed[i:])
			isGo = len(info) > 0 && info[0] == "go"
			code, codeLine = nil, n+1
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if fence != "" {
		return nil, fmt.Errorf("%s:%d: a code block is not closed", path, codeLine-1)
	}
	if inSetup {
		return nil, fmt.Errorf("%s:%d: a go:setup comment is not closed", path, setupOpen)
	}
	if continues {
		return nil, fmt.Errorf("%s:%d: go:continue with no Go block after it", path, continueLine)
	}
	return blocks, nil
}

// KnownImports maps the package names that blocks may use without
// importing them to their import paths.
var KnownImports = map[string]string{
	"atomic": "sync/atomic", "bufio": "bufio", "bytes": "bytes", "context": "context",
	"errors": "errors", "filepath": "path/filepath", "fmt": "fmt", "http": "net/http",
	"httptest": "net/http/httptest", "io": "io", "iter": "iter", "json": "encoding/json",
	"log": "log", "maps": "maps", "os": "os", "rand": "math/rand/v2", "runtime": "runtime",
	"signal": "os/signal", "slices": "slices", "slog": "log/slog", "sort": "sort",
	"sql": "database/sql", "strconv": "strconv", "strings": "strings", "sync": "sync",
	"synctest": "testing/synctest", "testing": "testing", "time": "time",

	"eff":         Module + "/eff",
	"appscope":    Module + "/adapters/appscope",
	"scopehttp":   Module + "/adapters/scopehttp",
	"scopechi":    Module + "/adapters/scopechi",
	"scopegin":    Module + "/adapters/scopegin",
	"scopeecho":   Module + "/adapters/scopeecho",
	"scopegrpc":   Module + "/adapters/scopegrpc",
	"httpclient":  Module + "/adapters/httpclient",
	"inspector":   Module + "/adapters/inspector",
	"grpc":        "google.golang.org/grpc",
	"codes":       "google.golang.org/grpc/codes",
	"status":      "google.golang.org/grpc/status",
	"chi":         "github.com/go-chi/chi/v5",
	"gin":         "github.com/gin-gonic/gin",
	"echo":        "github.com/labstack/echo/v4",
	"cache":       Module + "/cache",
	"batch":       Module + "/batch",
	"effect":      Module + "/effect",
	"ratelimit":   Module + "/ratelimit",
	"persistence": Module + "/persistence",
	"memory":      Module + "/persistence/memory",
	"sqlite":      Module + "/persistence/sqlite",
	"redis":       Module + "/persistence/redis",
	"postgres":    Module + "/persistence/postgres",
	"mysql":       Module + "/persistence/mysql",
	"stm":         Module + "/stm",
	"effecttest":  Module + "/effect/effecttest",
	"gen":         Module + "/effect/effecttest/gen",
	"interop":     Module + "/interop",
	"fpgo":        Module + "/interop/fpgo",
	"sambermo":    Module + "/interop/sambermo",
	"layer":       Module + "/layer",
	"layertest":   Module + "/layer/layertest",
	"resource":    Module + "/resource",
	"schedule":    Module + "/schedule",
	"stream":      Module + "/stream",

	"errgroup":    "golang.org/x/sync/errgroup",
	"goleak":      "go.uber.org/goleak",
	"lo":          "github.com/samber/lo",
	"mo":          "github.com/samber/mo",
	"progressbar": "github.com/schollz/progressbar/v3",
	"gopter":      "github.com/leanovate/gopter",
	"gg":          "github.com/leanovate/gopter/gen",
	"prop":        "github.com/leanovate/gopter/prop",
	"either":      "github.com/IBM/fp-go/either",
	"ioeither":    "github.com/IBM/fp-go/ioeither",
	"F":           "github.com/IBM/fp-go/function",
}

// A chunk is a run of a block's lines that is either one top-level
// declaration or statements.
type chunk struct {
	line  int // of its first line in the Markdown file
	lines []string
	decl  bool
}

// chunks splits code, whose first line is line, into top-level chunks: a
// chunk starts at each line that begins in column 0 with something other
// than a closing bracket or a comment (comments in column 0 go with the
// line after them).
func chunks(code string, line int) []chunk {
	lines := strings.Split(strings.TrimRight(code, "\n"), "\n")
	var out []chunk
	var pending []string // comments and blank lines before a chunk starts
	pendingLine := line
	for i, l := range lines {
		starts := l != "" && l[0] != ' ' && l[0] != '\t' && !strings.ContainsRune(")}]", rune(l[0]))
		if strings.HasPrefix(l, "//") || (l == "" && len(out) == 0) {
			if len(pending) == 0 {
				pendingLine = line + i
			}
			pending = append(pending, l)
			continue
		}
		if starts || len(out) == 0 {
			first, _, _ := strings.Cut(l, " ")
			c := chunk{line: line + i, decl: slices.Contains([]string{"func", "type", "var", "const", "import"}, first)}
			if len(pending) > 0 {
				c.line, c.lines = pendingLine, pending
			}
			c.lines = append(c.lines, l)
			out = append(out, c)
			pending = nil
			continue
		}
		out[len(out)-1].lines = append(out[len(out)-1].lines, pending...)
		pending = nil
		out[len(out)-1].lines = append(out[len(out)-1].lines, l)
	}
	if len(pending) > 0 && len(out) > 0 {
		out[len(out)-1].lines = append(out[len(out)-1].lines, pending...)
	}
	return out
}

// Assemble returns b as a Go source file of package pkg, following the
// package doc's convention. Positions in it map back to b.File through
// line directives (file is the name they use: an absolute path makes the
// compiler's messages name the Markdown file wherever it runs).
func Assemble(b Block, pkg, file string) ([]byte, error) {
	directive := func(line int) string { return "//line " + file + ":" + strconv.Itoa(line) + ":1\n" }
	if isWholeFile(b.Code) {
		return []byte(directive(b.Line) + b.Code), nil
	}
	var imports, decls, stmts strings.Builder
	if b.Setup != "" {
		decls.WriteString(directive(b.SetupLine) + b.Setup + "\n")
	}
	for _, c := range chunks(b.Code, b.Line) {
		text := directive(c.line) + strings.Join(c.lines, "\n") + "\n"
		switch {
		case c.decl && strings.HasPrefix(strings.TrimLeft(firstCode(c.lines), " \t"), "import"):
			imports.WriteString(text)
		case c.decl:
			decls.WriteString(text)
		default:
			stmts.WriteString(text)
		}
	}
	src := func(auto []string, used []string) []byte {
		var s strings.Builder
		s.WriteString("// Code assembled from " + b.File + " by internal/repo.\n\npackage " + pkg + "\n\n")
		if len(auto) > 0 {
			s.WriteString("import (\n")
			for _, a := range auto {
				s.WriteString("\t" + a + "\n")
			}
			s.WriteString(")\n\n")
		}
		s.WriteString(imports.String() + "\n" + decls.String())
		if stmts.Len() > 0 {
			s.WriteString("\nfunc _() error {\n" + stmts.String())
			if len(used) > 0 {
				s.WriteString("\t_ = []any{" + strings.Join(used, ", ") + "}\n")
			}
			s.WriteString("\treturn nil\n}\n")
		}
		return []byte(s.String())
	}
	first := src(nil, nil)
	f, err := parser.ParseFile(token.NewFileSet(), file, first, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	auto, used := analyze(f)
	return completeSignatures(src(auto, used), file)
}

// completeSignatures gives each function declared without a body (a
// signature listed in the guide) a body that panics, and makes each import
// that src does not use blank (a block may show an import line).
func completeSignatures(src []byte, file string) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	selected := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := s.X.(*ast.Ident); ok {
				selected[id.Name] = true
			}
		}
		return true
	})
	type edit struct {
		at, end int // replace src[at:end]
		text    string
	}
	var edits []edit
	off := func(p token.Pos) int { return fset.PositionFor(p, false).Offset }
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Body == nil {
			edits = append(edits, edit{off(fn.End()), off(fn.End()), ` { panic("signature") }`})
		}
	}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		switch {
		case imp.Name == nil && !selected[name]:
			edits = append(edits, edit{off(imp.Path.Pos()), off(imp.Path.Pos()), "_ "})
		case imp.Name != nil && imp.Name.Name != "_" && imp.Name.Name != "." && !selected[imp.Name.Name]:
			edits = append(edits, edit{off(imp.Name.Pos()), off(imp.Name.End()), "_"})
		}
	}
	slices.SortFunc(edits, func(a, b edit) int { return b.at - a.at })
	out := slices.Clone(src)
	for _, e := range edits {
		out = slices.Concat(out[:e.at], []byte(e.text), out[e.end:])
	}
	return out, nil
}

// firstCode returns the first line of lines that is neither blank nor a
// comment.
func firstCode(lines []string) string {
	for _, l := range lines {
		if !strings.HasPrefix(l, "//") && strings.TrimSpace(l) != "" {
			return l
		}
	}
	return ""
}

// isWholeFile reports whether code starts, after comments, with a package
// clause.
func isWholeFile(code string) bool {
	for l := range strings.Lines(code) {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "//") {
			continue
		}
		return strings.HasPrefix(t, "package ")
	}
	return false
}

// analyze returns the import specs that f needs and lacks (packages of
// KnownImports named in selectors and declared nowhere in f), and the
// variables that the statements of its func _ declare at their top level.
func analyze(f *ast.File) (auto, used []string) {
	declared := map[string]bool{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		declared[name] = true
	}
	ident := func(e ast.Expr) {
		if id, ok := e.(*ast.Ident); ok {
			declared[id.Name] = true
		}
	}
	named := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			declared[n.Name.Name] = true
		case *ast.TypeSpec:
			declared[n.Name.Name] = true
		case *ast.ValueSpec:
			for _, id := range n.Names {
				declared[id.Name] = true
			}
		case *ast.Field:
			for _, id := range n.Names {
				declared[id.Name] = true
			}
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, e := range n.Lhs {
					ident(e)
				}
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				ident(n.Key)
				ident(n.Value)
			}
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok {
				named[id.Name] = true
			}
		}
		return true
	})
	for name := range named {
		if path, ok := KnownImports[name]; ok && !declared[name] {
			spec := strconv.Quote(path)
			if path[strings.LastIndex(path, "/")+1:] != name {
				spec = name + " " + spec
			}
			auto = append(auto, spec)
		}
	}
	slices.Sort(auto)
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "_" || fn.Recv != nil {
			continue
		}
		for _, s := range fn.Body.List {
			var ids []*ast.Ident
			switch s := s.(type) {
			case *ast.AssignStmt:
				if s.Tok == token.DEFINE {
					for _, e := range s.Lhs {
						if id, ok := e.(*ast.Ident); ok {
							ids = append(ids, id)
						}
					}
				}
			case *ast.DeclStmt:
				if g, ok := s.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
					for _, sp := range g.Specs {
						ids = append(ids, sp.(*ast.ValueSpec).Names...)
					}
				}
			}
			for _, id := range ids {
				if id.Name != "_" && !slices.Contains(used, id.Name) {
					used = append(used, id.Name)
				}
			}
		}
	}
	return auto, used
}
