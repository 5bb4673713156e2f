package repo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gogoscope/gogoscope/internal/buildflags"
)

// TypeArgs is what [CountTypeArgs] found in a set of packages: how often
// their code refers to a function or method of the repository's own
// packages (a call site, or a generic function used as a value), and how
// many type arguments those references spell out.
type TypeArgs struct {
	Sites    int // references to functions and methods of [Module]'s packages
	Explicit int // explicit type arguments at those references
	Spelled  int // references with at least one explicit type argument
	// ByName counts the explicit type arguments per function, named as
	// "effect.Succeed" or "(stream.Channel).Send".
	ByName map[string]int
}

// Add adds the counts of o to t.
func (t *TypeArgs) Add(o TypeArgs) {
	t.Sites += o.Sites
	t.Explicit += o.Explicit
	t.Spelled += o.Spelled
	if t.ByName == nil {
		t.ByName = map[string]int{}
	}
	for k, v := range o.ByName {
		t.ByName[k] += v
	}
}

// String reports the counts on one line, then the functions that needed
// type arguments, most first.
func (t TypeArgs) String() string {
	var b strings.Builder
	per := 0.0
	if t.Sites > 0 {
		per = float64(t.Explicit) / float64(t.Sites)
	}
	fmt.Fprintf(&b, "%d explicit type arguments at %d of %d call sites (%.3f per call site)", t.Explicit, t.Spelled, t.Sites, per)
	names := make([]string, 0, len(t.ByName))
	for n := range t.ByName {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if t.ByName[names[i]] != t.ByName[names[j]] {
			return t.ByName[names[i]] > t.ByName[names[j]]
		}
		return names[i] < names[j]
	})
	for _, n := range names {
		fmt.Fprintf(&b, "\n\t%3d %s", t.ByName[n], n)
	}
	return b.String()
}

// CountTypeArgs type-checks the non-test files of the packages that the
// go command lists for patterns (run in root, for example "./examples/...")
// and counts, per package import path, the references to the functions
// and methods of [Module]'s packages and the type arguments written at
// them. A package's references to its own functions do not count: the
// count measures what using the library costs. Type arguments written in
// types (effect.Effect[any, error, int]) are not call sites and do not
// count either.
//
// It needs the go command: `go list -export` compiles the dependencies'
// export data, which go/types reads (with -race when the running binary
// was built with -race, so that the compiles are those the build cache
// holds already; see CompileBlocks).
func CountTypeArgs(root string, patterns ...string) (map[string]TypeArgs, error) {
	pkgs, exports, err := listExport(root, patterns)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("repo: no export data for %s", path)
		}
		return os.Open(f)
	})
	out := map[string]TypeArgs{}
	for _, p := range pkgs {
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
		info := &types.Info{Uses: map[*ast.Ident]types.Object{}}
		conf := types.Config{Importer: imp}
		if _, err := conf.Check(p.ImportPath, fset, files, info); err != nil {
			return nil, fmt.Errorf("repo: type-check %s: %w", p.ImportPath, err)
		}
		out[p.ImportPath] = countIn(files, info, p.ImportPath)
	}
	return out, nil
}

// countIn counts the references of files (of package self) to functions
// of Module's packages.
func countIn(files []*ast.File, info *types.Info, self string) TypeArgs {
	t := TypeArgs{ByName: map[string]int{}}
	explicit := map[*ast.Ident]int{} // the callee's identifier -> type arguments written
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			var x ast.Expr
			var k int
			switch e := n.(type) {
			case *ast.IndexExpr:
				x, k = e.X, 1
			case *ast.IndexListExpr:
				x, k = e.X, len(e.Indices)
			default:
				return true
			}
			if id := calleeIdent(x); id != nil {
				explicit[id] = k
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			fn, ok := info.Uses[id].(*types.Func)
			if !ok || fn.Pkg() == nil {
				return true
			}
			path := fn.Pkg().Path()
			if path == self || (path != Module && !strings.HasPrefix(path, Module+"/")) {
				return true
			}
			t.Sites++
			if k := explicit[id]; k > 0 {
				t.Explicit += k
				t.Spelled++
				t.ByName[funcName(fn)] += k
			}
			return true
		})
	}
	return t
}

// calleeIdent returns the identifier that names the function of x
// (f or pkg.F or v.M), or nil.
func calleeIdent(x ast.Expr) *ast.Ident {
	switch e := ast.Unparen(x).(type) {
	case *ast.Ident:
		return e
	case *ast.SelectorExpr:
		return e.Sel
	}
	return nil
}

// funcName names fn as "pkg.F" or "(pkg.T).M".
func funcName(fn *types.Func) string {
	sig, _ := fn.Type().(*types.Signature)
	if sig != nil && sig.Recv() != nil {
		rt := sig.Recv().Type()
		if p, ok := rt.(*types.Pointer); ok {
			rt = p.Elem()
		}
		if n, ok := rt.(*types.Named); ok {
			return "(" + n.Obj().Pkg().Name() + "." + n.Obj().Name() + ")." + fn.Name()
		}
	}
	return fn.Pkg().Name() + "." + fn.Name()
}

type listedPackage struct {
	ImportPath string
	Dir        string
	Export     string
	GoFiles    []string
	Imports    []string
	Error      *struct{ Err string }
}

// listExport returns the packages that match patterns in root, and the
// export data file of every package they import, directly or not. It runs
// the go command twice: `go list` for the packages (which compiles
// nothing: they are type-checked from source), then `go list -export
// -deps` for their imports, which compiles only those. Asking for the
// export data of the matched packages themselves would compile them too,
// and for main packages (the examples) that compile is one nothing else in
// a test run makes (their tests build other variants): in a cold CI run
// it cost minutes.
func listExport(root string, patterns []string) ([]listedPackage, map[string]string, error) {
	pkgs, err := goList(root, append([]string{"-json=ImportPath,Dir,GoFiles,Imports,Error"}, patterns...))
	if err != nil {
		return nil, nil, err
	}
	if len(pkgs) == 0 {
		return nil, nil, fmt.Errorf("repo: no packages match %q", patterns)
	}
	seen := map[string]bool{}
	var imports []string
	for _, p := range pkgs {
		for _, imp := range p.Imports {
			if !seen[imp] && imp != "C" && imp != "unsafe" {
				seen[imp] = true
				imports = append(imports, imp)
			}
		}
	}
	exports := map[string]string{}
	if len(imports) == 0 {
		return pkgs, exports, nil
	}
	args := []string{"-export", "-deps", "-json=ImportPath,Export,Error"}
	if buildflags.Race() {
		args = append(args, "-race")
	}
	deps, err := goList(root, append(args, imports...))
	if err != nil {
		return nil, nil, err
	}
	for _, d := range deps {
		exports[d.ImportPath] = d.Export
	}
	return pkgs, exports, nil
}

// goList runs `go list` with args in root and decodes its packages; a
// package that go list reports an error for is an error.
func goList(root string, args []string) ([]listedPackage, error) {
	cmd := exec.Command(buildflags.GoCommand(), append([]string{"list"}, args...)...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("repo: go list: %v: %s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		if p.Error != nil {
			return nil, fmt.Errorf("repo: go list %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}
