//go:build !js

package testkit

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// WasmDeps lists what the js/wasm build of the package pkg links: every
// package, with the packages it imports. It runs the go tool, so callers
// skip it in -short mode where they must.
func WasmDeps(t testing.TB, pkg string) map[string][]string {
	t.Helper()
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "list", "-deps", "-f", `{{.ImportPath}}:{{join .Imports " "}}`, pkg)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		d, imports, _ := strings.Cut(line, ":")
		deps[d] = strings.Fields(imports)
	}
	if _, ok := deps[pkg]; !ok {
		t.Fatalf("go list -deps %s did not list it:\n%s", pkg, out)
	}
	return deps
}

// CheckWasmDeps fails t for each package linked into the js/wasm build of
// pkg that is one of linked or below it, and for each import by Sambung's
// own packages of one of linked or ownImports (or below them): the
// standard library may use fmt or reflect internally, which links only
// what is called, while a call from our code would bring it all in.
func CheckWasmDeps(t testing.TB, pkg string, linked, ownImports []string) {
	t.Helper()
	deps := WasmDeps(t, pkg)
	under := func(p string, roots []string) bool {
		return slices.ContainsFunc(roots, func(r string) bool { return p == r || strings.HasPrefix(p, r+"/") })
	}
	for _, d := range slices.Sorted(maps.Keys(deps)) {
		if under(d, linked) {
			t.Errorf("the wasm build of %s links %s", pkg, d)
		}
		if !strings.HasPrefix(d, "sambung/") {
			continue
		}
		for _, imp := range deps[d] {
			if under(imp, linked) || under(imp, ownImports) {
				t.Errorf("%s imports %s, which the wasm build of %s must not carry", d, imp, pkg)
			}
		}
	}
}
