package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
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
)

// directive names the types that get a JSONMembers.
const directive = "//jsonw:codec"

// request is one type the package asks a codec for.
type request struct {
	name  string
	named *types.Named
	pos   token.Position // of the type's declaration
}

// pkg is a package loaded for generation: its types, checked without the
// output file, which may be stale or missing.
type pkg struct {
	types    *types.Package
	requests []*request
	byName   map[string]*request
	// build is the //go:build line of the files that declare the
	// requested types, which the output must share ("" for none).
	build string
}

// load parses and type-checks the package in dir, leaving out the file
// named out, and collects its //jsonw: directives.
func load(dir, out string) (*pkg, error) {
	bp, err := build.ImportDir(dir, 0)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range bp.GoFiles {
		if name == out {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	path, exports, err := listExports(dir)
	if err != nil {
		return nil, err
	}
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
			file, ok := exports[path]
			if !ok || file == "" {
				return nil, errors.New("no export data for " + path)
			}
			return os.Open(file)
		}),
		// The package calls methods this generator is about to write:
		// those errors are expected, and the types are complete anyway.
		Error: func(error) {},
	}
	tp, _ := conf.Check(path, fset, files, nil)
	p := &pkg{types: tp, byName: map[string]*request{}}
	for _, f := range files {
		if err := p.collect(f); err != nil {
			return nil, fmt.Errorf("%s: %w", fset.Position(f.Package).Filename, err)
		}
	}
	for _, r := range p.requests {
		obj, _ := tp.Scope().Lookup(r.name).(*types.TypeName)
		if obj == nil {
			return nil, fmt.Errorf("//jsonw: %s is not a type of package %s", r.name, tp.Name())
		}
		named, ok := obj.Type().(*types.Named)
		if !ok {
			return nil, fmt.Errorf("//jsonw: %s is an alias", r.name)
		}
		if _, ok := named.Underlying().(*types.Struct); !ok {
			return nil, fmt.Errorf("//jsonw: %s is not a struct type", r.name)
		}
		r.named, r.pos = named, fset.Position(obj.Pos())
		file := r.pos.Filename
		for _, f := range files {
			if fset.File(f.Pos()).Name() != file {
				continue
			}
			line := buildLine(f)
			if r != p.requests[0] && line != p.build {
				return nil, fmt.Errorf("//jsonw: the types are declared under different build constraints (%q, %q)", p.build, line)
			}
			p.build = line
		}
	}
	// The output follows the package's source, not the directives.
	sort.Slice(p.requests, func(i, j int) bool {
		a, b := p.requests[i].pos, p.requests[j].pos
		return a.Filename < b.Filename || a.Filename == b.Filename && a.Offset < b.Offset
	})
	return p, nil
}

// buildLine returns the file's //go:build line, or "".
func buildLine(f *ast.File) string {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build ") {
				return c.Text
			}
		}
	}
	return ""
}

// collect reads the directives of one file: "//jsonw:codec A B" anywhere,
// or "//jsonw:codec" alone in the doc comment of the type it applies to.
func (p *pkg) collect(f *ast.File) error {
	docOf := map[*ast.CommentGroup]string{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			if ts.Doc != nil {
				docOf[ts.Doc] = ts.Name.Name
			}
			if gd.Doc != nil && len(gd.Specs) == 1 {
				docOf[gd.Doc] = ts.Name.Name
			}
		}
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			fields := strings.Fields(c.Text)
			if len(fields) == 0 {
				continue
			}
			if fields[0] != directive {
				if strings.HasPrefix(fields[0], "//jsonw:") {
					return fmt.Errorf("unknown directive %s: %s is the one there is", fields[0], directive)
				}
				continue
			}
			names := fields[1:]
			if len(names) == 0 {
				name, ok := docOf[cg]
				if !ok {
					return fmt.Errorf("%s names no type and is not a type's doc comment", fields[0])
				}
				names = []string{name}
			}
			for _, name := range names {
				if p.byName[name] != nil {
					return fmt.Errorf("type %s is named by two directives", name)
				}
				r := &request{name: name}
				p.byName[name] = r
				p.requests = append(p.requests, r)
			}
		}
	}
	return nil
}

// listExports asks the go command for the package's import path and the
// export data of everything it imports, compiling them as needed. The
// package itself may not compile yet (its codec is missing or stale).
func listExports(dir string) (string, map[string]string, error) {
	cmd := exec.Command("go", "list", "-e", "-deps", "-export", "-f", "{{.ImportPath}}\t{{.Export}}\t{{.DepOnly}}", ".")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return "", nil, fmt.Errorf("go list: %v: %s", err, stderr.Bytes())
	}
	exports := map[string]string{}
	var self string
	sc := bufio.NewScanner(bytes.NewReader(outb))
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 3 {
			continue
		}
		exports[parts[0]] = parts[1]
		if parts[2] == "false" {
			self = parts[0]
		}
	}
	if self == "" {
		return "", nil, errors.New("go list: no package in " + dir)
	}
	return self, exports, nil
}
