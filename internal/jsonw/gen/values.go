package main

import (
	"fmt"
	"go/types"
)

// integers names the Members method of each integer kind.
var integers = map[types.BasicKind]string{
	types.Int: "Int", types.Int8: "Int8", types.Int16: "Int16", types.Int32: "Int32", types.Int64: "Int64",
	types.Uint: "Uint", types.Uint8: "Uint8", types.Uint16: "Uint16", types.Uint32: "Uint32", types.Uint64: "Uint64",
}

// elements are the scalar kinds a jsonw.Array holds besides values.
var elements = map[types.BasicKind]bool{types.String: true, types.Uint32: true, types.Uint64: true}

// isValue reports whether Members.Value takes a pointer to t: t lists its
// members (JSONMembers, which this run writes or another package has), or
// writes and reads itself (by hand, as wire.Address's text form does).
func (e *emitter) isValue(t types.Type) bool {
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() == e.p.types && e.p.byName[n.Obj().Name()] != nil {
		return true
	}
	has := func(name string) bool {
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, e.p.types, name)
		_, ok := obj.(*types.Func)
		return ok
	}
	return has("JSONMembers") || has("WriteJSON") && has("ReadJSON")
}

// typeString writes t as the generated file names it, importing its
// package when it is another one.
func (e *emitter) typeString(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string {
		if p == e.p.types {
			return ""
		}
		e.imports[p.Path()] = p.Name()
		return p.Name()
	})
}

// member returns the Members call of one member whose field is the
// addressable expr, without the "m." before it.
func (e *emitter) member(m member, expr string) (string, error) {
	t := m.typ
	// A named type passes its address as its underlying type's.
	plain := "&" + expr
	if !types.Identical(t, t.Underlying()) {
		plain = "(*" + e.typeString(t.Underlying()) + ")(&" + expr + ")"
	}
	call := func(method, arg string) string {
		return fmt.Sprintf("%s(%q, %s, %t)", method, m.key, arg, m.omit)
	}
	// A slice or pointer is a Container, left out when empty with
	// omitempty.
	container := func(wrap string) string {
		method := "Value"
		if m.omit {
			method = "Optional"
		}
		return fmt.Sprintf("%s(%q, jsonw.%s(%s))", method, m.key, wrap, plain)
	}
	if e.isValue(t) {
		if _, ok := t.Underlying().(*types.Struct); !ok && m.omit {
			return "", fmt.Errorf("omitempty on %s, which writes itself, is not supported", e.typeString(t))
		}
		return fmt.Sprintf("Value(%q, &%s)", m.key, expr), nil
	}
	if _, ok := t.(*types.Named); ok {
		for _, name := range []string{"MarshalJSON", "UnmarshalJSON", "MarshalText", "UnmarshalText"} {
			if obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, e.p.types, name); obj != nil {
				return "", fmt.Errorf("%s has %s but no WriteJSON and ReadJSON: write those by hand", e.typeString(t), name)
			}
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch k := u.Kind(); {
		case k == types.String:
			return call("String", plain), nil
		case k == types.Bool:
			return call("Bool", plain), nil
		case integers[k] != "":
			return call(integers[k], plain), nil
		}
	case *types.Slice:
		elem := u.Elem()
		if b, ok := elem.(*types.Basic); ok && b.Kind() == types.Uint8 {
			return call("Base64", plain), nil
		}
		if b, ok := elem.(*types.Basic); ok && elements[b.Kind()] || e.isValue(elem) {
			return container("Array"), nil
		}
	case *types.Pointer:
		if e.isValue(u.Elem()) {
			return container("Nullable"), nil
		}
	case *types.Struct:
		return "", fmt.Errorf("%s has no JSONMembers: name it in a //jsonw:codec directive", e.typeString(t))
	}
	return "", fmt.Errorf("%s is not supported: strings, bools, integers, []byte, []string, []uint32, []uint64, "+
		"and structs, slices of structs and pointers to structs with a codec are", e.typeString(t))
}
