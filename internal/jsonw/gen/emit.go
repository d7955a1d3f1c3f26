package main

import (
	"bytes"
	"fmt"
	"go/format"
	"go/types"
	"reflect"
	"sort"
	"strings"
	"unicode"
)

// member is one JSON object member of a struct: a field, or a field of an
// embedded struct promoted as encoding/json promotes it.
type member struct {
	key    string
	path   string // the selector from the receiver, e.g. "Error.Code"
	typ    types.Type
	omit   bool
	depth  int
	tagged bool
}

// emitter writes one package's codec file.
type emitter struct {
	p       *pkg
	body    bytes.Buffer
	imports map[string]string // path to name, besides jsonw
}

func emit(p *pkg) ([]byte, error) {
	e := &emitter{p: p, imports: map[string]string{}}
	for _, r := range p.requests {
		if err := e.methods(r); err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
	}
	var out bytes.Buffer
	out.WriteString(header)
	if p.build != "" {
		out.WriteString(p.build + "\n\n")
	}
	fmt.Fprintf(&out, "package %s\n\nimport (\n", p.types.Name())
	paths := []string{"sambung/internal/jsonw"}
	for path := range e.imports {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		fmt.Fprintf(&out, "\t%q\n", path)
	}
	out.WriteString(")\n")
	out.Write(e.body.Bytes())
	src, err := format.Source(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("generated code does not parse: %v\n%s", err, out.Bytes())
	}
	return src, nil
}

func (e *emitter) printf(format string, args ...any) { fmt.Fprintf(&e.body, format, args...) }

// members lists a struct's members in encoding/json's order, with its
// rules for names, "-", omitempty and embedded structs.
func members(st *types.Struct) ([]member, error) {
	var all []member
	if err := collectMembers(st, "", 0, &all); err != nil {
		return nil, err
	}
	// Of members with one key, the shallowest wins, then the tagged one;
	// a tie drops them all, as encoding/json does.
	var out []member
	for i, m := range all {
		best, tie := i, false
		for j, o := range all {
			if j == i || o.key != m.key {
				continue
			}
			switch b := all[best]; {
			case o.depth < b.depth || o.depth == b.depth && o.tagged && !b.tagged:
				best, tie = j, false
			case o.depth == b.depth && o.tagged == b.tagged:
				tie = true
			}
		}
		if best == i && !tie {
			out = append(out, m)
		}
	}
	return out, nil
}

func collectMembers(st *types.Struct, prefix string, depth int, out *[]member) error {
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		tag := reflect.StructTag(st.Tag(i)).Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		path := prefix + f.Name()
		if f.Anonymous() && name == "" {
			t := f.Type()
			if _, ok := t.(*types.Pointer); ok {
				return fmt.Errorf("embedded pointer %s: not supported", f.Name())
			}
			if inner, ok := t.Underlying().(*types.Struct); ok {
				if err := collectMembers(inner, path+".", depth+1, out); err != nil {
					return err
				}
				continue
			}
		}
		if !f.Exported() {
			continue
		}
		m := member{key: name, path: path, typ: f.Type(), depth: depth, tagged: name != ""}
		if m.key == "" {
			m.key = f.Name()
		}
		for _, opt := range strings.Split(opts, ",") {
			switch opt {
			case "omitempty":
				m.omit = true
			case "string", "omitzero", "inline", "format":
				return fmt.Errorf("field %s: the json option %q is not supported", f.Name(), opt)
			}
		}
		*out = append(*out, m)
	}
	return nil
}

// receiver names a type's receiver after its initial, unless that is one
// of the names the generated bodies use.
func receiver(name string) string {
	r := string(unicode.ToLower([]rune(name)[0]))
	if r == "w" || r == "d" || r == "m" {
		return "v"
	}
	return r
}

// methods writes the type's JSONMembers: one chain of Members calls, one
// per member, on one line.
func (e *emitter) methods(r *request) error {
	ms, err := members(r.named.Underlying().(*types.Struct))
	if err != nil {
		return err
	}
	rv := receiver(r.name)
	chain := []string{"m"}
	for _, m := range ms {
		call, err := e.member(m, rv+"."+m.path)
		if err != nil {
			return fmt.Errorf("field %s: %w", m.path, err)
		}
		chain = append(chain, call)
	}
	e.printf("\n// JSONMembers lists the members of %s.\n", r.name)
	if len(ms) == 0 {
		rv = ""
	}
	e.printf("func (%s *%s) JSONMembers(m *jsonw.Members) *jsonw.Members {\n\treturn %s\n}\n", rv, r.name, strings.Join(chain, "."))
	return nil
}
