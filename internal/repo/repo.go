package repo

import (
	"errors"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Module is the module path of the repository.
const Module = "github.com/gogoscope/gogoscope"

// Root returns the repository's root: the nearest directory at or above
// the working directory whose go.mod declares [Module].
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(data), "module "+Module+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repo: no go.mod of " + Module + " above the working directory")
		}
		dir = parent
	}
}

// A Package is a directory of the repository that holds non-test Go files.
type Package struct {
	Dir        string // absolute
	ImportPath string
}

// Packages returns the repository's packages under root, in lexical order
// of their directories. It skips directories named testdata, those whose
// name starts with "." or "_", and root's bin.
func Packages(root string) ([]Package, error) {
	var pkgs []Package
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
			path == filepath.Join(root, "bin")) {
			return filepath.SkipDir
		}
		files, err := goFiles(path)
		if err != nil {
			return err
		}
		if len(files) > 0 {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			ip := Module
			if rel != "." {
				ip += "/" + filepath.ToSlash(rel)
			}
			pkgs = append(pkgs, Package{Dir: path, ImportPath: ip})
		}
		return nil
	})
	return pkgs, err
}

// goFiles returns the paths of the non-test Go files in dir.
func goFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			files = append(files, filepath.Join(dir, n))
		}
	}
	return files, nil
}

// ImportClosure follows the imports of the non-test files of the
// repository's package importPath (whatever their build constraints),
// through the repository's packages, and returns every import outside the
// standard library and the repository, each with the repository packages
// that import it. visited lists the repository packages reached.
func ImportClosure(root, importPath string) (outside map[string][]string, visited []string, err error) {
	outside = map[string][]string{}
	seen := map[string]bool{}
	var visit func(pkg string) error
	visit = func(pkg string) error {
		if seen[pkg] {
			return nil
		}
		seen[pkg] = true
		visited = append(visited, pkg)
		dir := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(pkg, Module), "/")))
		imports, err := packageImports(dir)
		if err != nil {
			return err
		}
		for _, imp := range imports {
			switch {
			case imp == Module || strings.HasPrefix(imp, Module+"/"):
				if err := visit(imp); err != nil {
					return err
				}
			case !IsStandard(imp):
				outside[imp] = append(outside[imp], pkg)
			}
		}
		return nil
	}
	err = visit(importPath)
	slices.Sort(visited)
	return outside, visited, err
}

// packageImports returns the import paths of the non-test Go files in dir.
func packageImports(dir string) ([]string, error) {
	files, err := goFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("repo: no Go files in " + dir)
	}
	var imports []string
	fset := token.NewFileSet()
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return nil, err
		}
		for _, spec := range f.Imports {
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(imports, p) {
				imports = append(imports, p)
			}
		}
	}
	return imports, nil
}

// IsStandard reports whether the import path is in the standard library:
// its first element has no dot (golang.org/x/... is not standard).
func IsStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
