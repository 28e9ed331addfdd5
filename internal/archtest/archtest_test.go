package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// adapters are the packages that talk to one outside thing each; none may
// import another. The rule and library packages (internal/program,
// internal/criteria, internal/tlog over its Storage interface,
// internal/label, which turns a record into artwork bytes and talks to
// nothing, internal/sbom and internal/vuln, which parse documents and match
// versions) are not adapters: the web layer reads them.
var adapters = []string{
	"trustmark/internal/sqlite", "trustmark/internal/postgres", "trustmark/internal/web",
	"trustmark/internal/labtest",
}

// packageImports maps every non-test package of the module to its imports.
func packageImports(t *testing.T) map[string][]string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := "trustmark"
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out[pkg] = append(out[pkg], p)
		}
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func isStdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && first != "trustmark"
}

func isAdapter(pkg string) bool {
	for _, a := range adapters {
		if pkg == a || strings.HasPrefix(pkg, a+"/") {
			return true
		}
	}
	return false
}

func TestImportRules(t *testing.T) {
	pkgs := packageImports(t)
	if _, ok := pkgs["trustmark"]; !ok {
		t.Fatal("did not find the root package")
	}
	for pkg, imports := range pkgs {
		for _, imp := range imports {
			switch {
			case pkg == "trustmark" && !isStdlib(imp):
				t.Errorf("the domain package imports %s; it may import only the standard library", imp)
			case isAdapter(pkg) && isAdapter(imp) && !strings.HasPrefix(imp, pkg):
				t.Errorf("adapter %s imports adapter %s; adapters never import each other", pkg, imp)
			case !strings.HasPrefix(pkg, "trustmark/cmd/") && (imp == "trustmark/internal/sqlite" || imp == "trustmark/internal/postgres"):
				t.Errorf("%s imports the database package %s; only cmd wires concrete stores", pkg, imp)
			}
		}
	}
}

// The test must see the packages it guards, or it would pass vacuously.
func TestImportRulesSeeThePackages(t *testing.T) {
	pkgs := packageImports(t)
	for _, want := range []string{"trustmark", "trustmark/internal/sqlite", "trustmark/internal/web", "trustmark/cmd/trustmark"} {
		if _, ok := pkgs[want]; !ok {
			t.Errorf("package %s not found", want)
		}
	}
	if _, err := os.Stat("../../go.mod"); err != nil {
		t.Errorf("module root not where expected: %v", err)
	}
}
