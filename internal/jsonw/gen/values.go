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

// sliceMethods names the Members method of each slice of a plain scalar.
var sliceMethods = map[types.BasicKind]string{
	types.String: "Strings", types.Uint32: "Uint32s", types.Uint64: "Uint64s",
}

// isCodec reports whether t writes and reads itself: its methods are ones
// this run writes, or declared by hand or generated in another package.
func (e *emitter) isCodec(t types.Type) bool {
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() == e.p.types {
		if r := e.p.byName[n.Obj().Name()]; r != nil {
			return r.mode == modeCodec
		}
	}
	for _, name := range []string{"WriteJSON", "ReadJSON"} {
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, e.p.types, name)
		if _, ok := obj.(*types.Func); !ok {
			return false
		}
	}
	return true
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

// member returns the JSONMembers statement of one member whose field is
// the addressable expr.
func (e *emitter) member(m member, expr string) (string, error) {
	t := m.typ
	addr := "&" + expr
	// A named type passes its address as its underlying type's.
	plain := addr
	if !types.Identical(t, t.Underlying()) {
		plain = "(*" + e.typeString(t.Underlying()) + ")(" + addr + ")"
	}
	call := func(method, arg string) string {
		return fmt.Sprintf("m.%s(%q, %s, %t)", method, m.key, arg, m.omit)
	}
	if e.isCodec(t) {
		if _, ok := t.Underlying().(*types.Struct); !ok && m.omit {
			return "", fmt.Errorf("omitempty on %s, which writes itself, is not supported", e.typeString(t))
		}
		return fmt.Sprintf("m.Value(%q, %s)", m.key, addr), nil
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
		if b, ok := elem.(*types.Basic); ok {
			if b.Kind() == types.Uint8 {
				return call("Base64", plain), nil
			}
			if method := sliceMethods[b.Kind()]; method != "" {
				return call(method, plain), nil
			}
		}
		if e.isCodec(elem) {
			return fmt.Sprintf("jsonw.Values(m, %q, %s, %t)", m.key, plain, m.omit), nil
		}
	case *types.Pointer:
		if e.isCodec(u.Elem()) {
			return fmt.Sprintf("jsonw.Pointer(m, %q, %s, %t)", m.key, plain, m.omit), nil
		}
	case *types.Struct:
		return "", fmt.Errorf("%s has no WriteJSON and ReadJSON: name it in a //jsonw:codec directive", e.typeString(t))
	}
	return "", fmt.Errorf("%s is not supported: strings, bools, integers, []byte, []string, []uint32, []uint64, "+
		"and structs, slices of structs and pointers to structs with their own codec are", e.typeString(t))
}
