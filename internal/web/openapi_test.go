package web_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// openAPIDoc is the part of an OpenAPI 3.1 document the tests read; the
// whole document is kept as generic JSON for resolving references.
type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Security   []map[string][]string                 `json:"security"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		SecuritySchemes map[string]struct {
			Type   string `json:"type"`
			Scheme string `json:"scheme"`
		} `json:"securitySchemes"`
	} `json:"components"`
	raw any
}

// openAPIOperation is one operation of a path item.
type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Summary     string                     `json:"summary"`
	Description string                     `json:"description"`
	Security    *[]map[string][]string     `json:"security"`
	Parameters  []json.RawMessage          `json:"parameters"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

// openAPIParameter is a parameter object or a reference to one.
type openAPIParameter struct {
	Ref      string `json:"$ref"`
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
}

// openAPIMethods are the keys of a path item that hold operations.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// loadOpenAPI reads the document the server embeds and serves.
func loadOpenAPI(t *testing.T) *openAPIDoc {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if err := json.Unmarshal(b, &doc.raw); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// operations returns every operation keyed by "METHOD /path".
func (d *openAPIDoc) operations(t *testing.T) map[string]openAPIOperation {
	t.Helper()
	ops := map[string]openAPIOperation{}
	for path, item := range d.Paths {
		for key, raw := range item {
			if !slices.Contains(openAPIMethods, key) {
				continue
			}
			var op openAPIOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", key, path, err)
			}
			ops[strings.ToUpper(key)+" "+path] = op
		}
	}
	return ops
}

// routePattern matches the routes registered in routes.go, e.g.
// mux.Handle("GET /api/v1/registry", …) or mux.HandleFunc("GET /healthz", …).
var routePattern = regexp.MustCompile(`mux\.Handle(?:Func)?\("([A-Z]+) ([^"]+)"`)

// documentedRoutes reads routes.go and returns the "METHOD /path" of every
// route the OpenAPI document must describe: the JSON API and /healthz.
// Go's {name} wildcards are OpenAPI's path templates; a {name...} wildcard
// is written {name} in OpenAPI.
func documentedRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, m := range routePattern.FindAllStringSubmatch(string(src), -1) {
		method, path := m[1], m[2]
		if !strings.HasPrefix(path, "/api/") && path != "/healthz" {
			continue
		}
		routes = append(routes, method+" "+strings.ReplaceAll(path, "...}", "}"))
	}
	if len(routes) < 10 {
		t.Fatalf("found only %d API routes in routes.go; has its style changed? update routePattern", len(routes))
	}
	slices.Sort(routes)
	return routes
}

// TestOpenAPIVersionAndSecurity checks the version and that a bearer token
// is required unless an operation says otherwise.
func TestOpenAPIVersionAndSecurity(t *testing.T) {
	doc := loadOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	bearer, ok := doc.Components.SecuritySchemes["bearerToken"]
	if !ok || bearer.Type != "http" || bearer.Scheme != "bearer" {
		t.Errorf("components.securitySchemes.bearerToken = %+v, want an http bearer scheme", bearer)
	}
	want := []map[string][]string{{"bearerToken": {}}}
	if diff := cmp.Diff(want, doc.Security); diff != "" {
		t.Errorf("top-level security mismatch (-want +got):\n%s", diff)
	}
}

// TestOpenAPICoversRoutes fails when a route is added to routes.go without
// documenting it, or documented without being served.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	documented := slices.Sorted(maps.Keys(doc.operations(t)))
	if diff := cmp.Diff(documentedRoutes(t), documented); diff != "" {
		t.Errorf("routes.go (-) and openapi.json (+) differ:\n%s", diff)
	}
}

// TestOpenAPIOperations checks what every operation must carry: a unique
// operationId, a summary, a description that starts by saying who may call
// it, a success response, and a 401 unless it is public ("security": []).
func TestOpenAPIOperations(t *testing.T) {
	doc := loadOpenAPI(t)
	ops := doc.operations(t)
	ids := map[string]string{}
	for _, key := range slices.Sorted(maps.Keys(ops)) {
		op := ops[key]
		t.Run(key, func(t *testing.T) {
			if op.OperationID == "" {
				t.Errorf("operationId is missing")
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("operationId %q is also used by %s", op.OperationID, other)
			}
			ids[op.OperationID] = key
			if op.Summary == "" {
				t.Errorf("summary is missing")
			}
			// Every description starts by saying who may call the operation.
			if !strings.HasPrefix(op.Description, "Who: ") {
				t.Errorf("description = %q, want it to start with \"Who: \" and say who may call it", op.Description)
			}
			public := op.Security != nil && len(*op.Security) == 0
			if _, ok := op.Responses["401"]; !public && !ok {
				t.Errorf("needs a token but documents no 401 response")
			}
			if !slices.ContainsFunc(slices.Collect(maps.Keys(op.Responses)), func(code string) bool { return strings.HasPrefix(code, "2") }) {
				t.Errorf("documents no success response")
			}
		})
	}
}

// TestOpenAPIPathParameters checks that every {name} of a path template is
// declared as a required path parameter, on the path item or the operation.
func TestOpenAPIPathParameters(t *testing.T) {
	doc := loadOpenAPI(t)
	template := regexp.MustCompile(`\{([^}]+)\}`)
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		item := doc.Paths[path]
		var shared []json.RawMessage
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				t.Fatalf("%s parameters: %v", path, err)
			}
		}
		for key, raw := range item {
			if !slices.Contains(openAPIMethods, key) {
				continue
			}
			var op openAPIOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			declared := map[string]bool{}
			for _, p := range append(slices.Clone(shared), op.Parameters...) {
				param := resolveParameter(t, doc, p)
				if param.In == "path" {
					declared[param.Name] = param.Required
				}
			}
			for _, m := range template.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %q is not declared as required", strings.ToUpper(key), path, m[1])
				}
			}
		}
	}
}

// resolveParameter decodes a parameter, following a $ref into the document.
func resolveParameter(t *testing.T, doc *openAPIDoc, raw json.RawMessage) openAPIParameter {
	t.Helper()
	var p openAPIParameter
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if p.Ref == "" {
		return p
	}
	target, err := resolvePointer(doc.raw, p.Ref)
	if err != nil {
		t.Fatalf("parameter %s: %v", p.Ref, err)
	}
	b, err := json.Marshal(target)
	if err != nil {
		t.Fatal(err)
	}
	return resolveParameter(t, doc, b)
}

// TestOpenAPIRefsResolve checks that every $ref points into the document
// at something that exists.
func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	var refs []string
	collectRefs(doc.raw, &refs)
	if len(refs) == 0 {
		t.Fatal("no $ref found; the walk is broken")
	}
	for _, ref := range refs {
		if _, err := resolvePointer(doc.raw, ref); err != nil {
			t.Errorf("$ref %q: %v", ref, err)
		}
	}
}

// collectRefs appends the value of every "$ref" key found in v.
func collectRefs(v any, refs *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				*refs = append(*refs, s)
				continue
			}
			collectRefs(x, refs)
		}
	case []any:
		for _, x := range v {
			collectRefs(x, refs)
		}
	}
}

// resolvePointer follows a local reference ("#/a/b") into doc (RFC 6901).
func resolvePointer(doc any, ref string) (any, error) {
	pointer, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, errors.New("only references into this document (#/…) are allowed")
	}
	cur := doc
	for _, tok := range strings.Split(pointer, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%q is not inside an object", tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("nothing at %q", tok)
		}
	}
	return cur, nil
}
