package repo

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
)

// A BrokenLink is a doc link that resolves to nothing.
type BrokenLink struct {
	Pos  token.Position // of the comment that holds the link
	Link string         // as written, without brackets: "Fiber.Interrupt", "effect.Run"
	Why  string         // what did not resolve
}

func (b BrokenLink) String() string { return fmt.Sprintf("%s: [%s]: %s", b.Pos, b.Link, b.Why) }

// CheckDocLinks returns the doc links of the given packages that resolve to
// nothing, in the order of the packages and of their files.
//
// It reads every doc comment of each package's non-test files (the package
// clause's, and those of declarations, specs and fields) with go/doc's
// comment parser, taking every bracketed text that has the syntax of a doc
// link as one (Name, Name.Method, pkg.Name, pkg.Name.Method or pkg, in
// square brackets, with an optional leading *), and resolves it the way go doc does: a package name
// through the package's imports, then the standard library's
// single-element paths; a symbol through go/doc's table of the target
// package's exported declarations, methods, struct fields and interface
// methods. go doc renders a link it cannot resolve as plain text, silently;
// this check reports it.
func CheckDocLinks(pkgs []Package) ([]BrokenLink, error) {
	c := &linkChecker{docs: map[string]*doc.Package{}, dirs: map[string]string{}}
	for _, p := range pkgs {
		c.dirs[p.ImportPath] = p.Dir
	}
	var broken []BrokenLink
	for _, p := range pkgs {
		b, err := c.checkPackage(p)
		if err != nil {
			return nil, err
		}
		broken = append(broken, b...)
	}
	return broken, nil
}

type linkChecker struct {
	fset *token.FileSet
	docs map[string]*doc.Package // by import path; nil when not found
	dirs map[string]string       // import path -> dir, for the checked packages
}

// parseDir parses the non-test Go files of dir with their comments.
func (c *linkChecker) parseDir(dir string) ([]*ast.File, error) {
	paths, err := goFiles(dir)
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, path := range paths {
		f, err := parser.ParseFile(c.fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// docOf returns the go/doc view of the package importPath, or nil if its
// source cannot be found. files, when given, are that package's.
func (c *linkChecker) docOf(importPath string, files []*ast.File) (*doc.Package, error) {
	if d, ok := c.docs[importPath]; ok {
		return d, nil
	}
	if files == nil {
		dir := c.dirs[importPath]
		if dir == "" {
			bp, err := build.Import(importPath, "", build.FindOnly)
			if err != nil || bp.Dir == "" {
				c.docs[importPath] = nil
				return nil, nil
			}
			dir = bp.Dir
		}
		var err error
		if files, err = c.parseDir(dir); err != nil {
			return nil, err
		}
		// Files for other platforms may declare the same names twice;
		// go/doc keeps the first, which is all a lookup needs.
	}
	if len(files) == 0 {
		c.docs[importPath] = nil
		return nil, nil
	}
	d, err := doc.NewFromFiles(c.fset, files, importPath, doc.PreserveAST)
	if err != nil {
		return nil, err
	}
	c.docs[importPath] = d
	return d, nil
}

func (c *linkChecker) checkPackage(p Package) ([]BrokenLink, error) {
	if c.fset == nil {
		c.fset = token.NewFileSet()
	}
	files, err := c.parseDir(p.Dir)
	if err != nil {
		return nil, err
	}
	self, err := c.docOf(p.ImportPath, files)
	if err != nil {
		return nil, err
	}
	resolve := self.Parser()
	// The capturing parser takes every link-shaped text as a link; an
	// unknown package name comes back marked, to be reported.
	const unknown = "\x00unknown:"
	capture := &comment.Parser{
		LookupPackage: func(name string) (string, bool) {
			if path, ok := resolve.LookupPackage(name); ok {
				return path, true
			}
			if path, ok := comment.DefaultLookupPackage(name); ok {
				return path, true
			}
			if token.IsIdentifier(name) {
				return unknown + name, true
			}
			return "", false // not link-shaped: "[0, 1)", "[lo, hi]"
		},
		LookupSym: func(recv, name string) bool { return true },
	}
	var broken []BrokenLink
	for _, f := range files {
		for _, cg := range docComments(f) {
			for _, l := range docLinks(capture.Parse(cg.Text())) {
				written := linkText(l, p.ImportPath)
				why := ""
				switch {
				case strings.HasPrefix(l.ImportPath, unknown):
					why = "no package " + strings.TrimPrefix(l.ImportPath, unknown) + " is imported or in the standard library"
				case l.Name == "": // a link to a package: [context], [github.com/x/y]
					target, err := c.docOf(l.ImportPath, nil)
					if err != nil {
						return nil, err
					}
					if target == nil {
						why = "package " + l.ImportPath + " not found"
					}
				case l.ImportPath == "" || l.ImportPath == p.ImportPath:
					if !resolve.LookupSym(l.Recv, l.Name) {
						why = "no exported " + symbol(l) + " in package " + self.Name
					}
				default:
					target, err := c.docOf(l.ImportPath, nil)
					if err != nil {
						return nil, err
					}
					if target == nil {
						why = "package " + l.ImportPath + " not found"
					} else if !target.Parser().LookupSym(l.Recv, l.Name) {
						why = "no exported " + symbol(l) + " in package " + l.ImportPath
					}
				}
				if why != "" {
					broken = append(broken, BrokenLink{Pos: c.fset.Position(cg.Pos()), Link: written, Why: why})
				}
			}
		}
	}
	return broken, nil
}

func symbol(l *comment.DocLink) string {
	if l.Name == "" {
		return ""
	}
	if l.Recv != "" {
		return l.Recv + "." + l.Name
	}
	return l.Name
}

// linkText returns the link as its writer most likely wrote it.
func linkText(l *comment.DocLink, self string) string {
	s := symbol(l)
	if l.ImportPath != "" && l.ImportPath != self {
		pkg := l.ImportPath
		if after, ok := strings.CutPrefix(pkg, "\x00unknown:"); ok {
			pkg = after
		} else if !strings.Contains(pkg, ".") || l.Name != "" {
			pkg = filepath.Base(pkg)
		}
		if s == "" {
			return pkg
		}
		s = pkg + "." + s
	}
	return s
}

// docComments returns the comments of f that go doc shows: the package
// clause's and those of declarations, specs and fields.
func docComments(f *ast.File) []*ast.CommentGroup {
	var out []*ast.CommentGroup
	add := func(cg *ast.CommentGroup) {
		if cg != nil {
			out = append(out, cg)
		}
	}
	add(f.Doc)
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GenDecl:
			add(n.Doc)
		case *ast.FuncDecl:
			add(n.Doc)
			return false // comments inside bodies are not docs
		case *ast.TypeSpec:
			add(n.Doc)
		case *ast.ValueSpec:
			add(n.Doc)
		case *ast.Field:
			add(n.Doc)
		}
		return true
	})
	return out
}

// docLinks returns the doc links of d, in order.
func docLinks(d *comment.Doc) []*comment.DocLink {
	var out []*comment.DocLink
	var text func([]comment.Text)
	text = func(ts []comment.Text) {
		for _, t := range ts {
			switch t := t.(type) {
			case *comment.DocLink:
				out = append(out, t)
			case *comment.Link:
				text(t.Text)
			case *comment.Italic, comment.Plain:
			}
		}
	}
	var blocks func([]comment.Block)
	blocks = func(bs []comment.Block) {
		for _, b := range bs {
			switch b := b.(type) {
			case *comment.Paragraph:
				text(b.Text)
			case *comment.Heading:
				text(b.Text)
			case *comment.List:
				for _, it := range b.Items {
					blocks(it.Content)
				}
			}
		}
	}
	blocks(d.Content)
	return out
}
