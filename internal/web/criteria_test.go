package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"trustmark/internal/web"
)

func post(t *testing.T, e *env, path, contentType, payload string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(payload))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	return w.Result()
}

func TestCatalogAPI(t *testing.T) {
	e := newEnv(t, web.Config{})
	r := e.do(t, "GET", "/api/v1/catalogs", nil)
	var list struct {
		Items []struct {
			ID           string `json:"id"`
			Requirements int    `json:"requirements"`
		} `json:"items"`
	}
	if err := json.NewDecoder(r.Body).Decode(&list); err != nil || r.StatusCode != 200 {
		t.Fatalf("GET /api/v1/catalogs = %d, %v", r.StatusCode, err)
	}
	ids := map[string]int{}
	for _, c := range list.Items {
		ids[c.ID] = c.Requirements
	}
	for _, want := range []string{"nist-ir-8425", "nist-ir-8425a", "etsi-en-303-645", "uk-psti", "sg-cls", "eu-cra-annex-i"} {
		if ids[want] == 0 {
			t.Errorf("catalog %s missing or empty in %v", want, ids)
		}
	}
	r = e.do(t, "GET", "/api/v1/catalogs/etsi-en-303-645", nil)
	var doc struct {
		Catalog struct {
			UUID   string `json:"uuid"`
			Groups []any  `json:"groups"`
		} `json:"catalog"`
	}
	if err := json.NewDecoder(r.Body).Decode(&doc); err != nil || doc.Catalog.UUID == "" || len(doc.Catalog.Groups) == 0 {
		t.Errorf("GET catalog is not an OSCAL catalog document: %v", err)
	}
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/api/v1/catalogs/nope", 404},
		{"/api/v1/mappings/uk-psti/etsi-en-303-645", 200},
		{"/api/v1/mappings/etsi-en-303-645/uk-psti", 200},
		{"/api/v1/mappings/uk-psti/nope", 404},
	} {
		r := e.do(t, "GET", tt.path, nil)
		if r.StatusCode != tt.status {
			t.Errorf("GET %s = %d, want %d", tt.path, r.StatusCode, tt.status)
		}
		if tt.status != 200 {
			apiErr(t, r)
		}
	}
}

func TestEvaluateAPI(t *testing.T) {
	e := newEnv(t, web.Config{})
	tests := []struct {
		name, ct, body string
		status         int
		want           string // in the body: a claim or the error message
	}{
		{"psti met", "application/json", `{"catalog":"uk-psti","results":[{"requirement":"Sch1.1","outcome":"pass"},{"requirement":"Sch1.2","outcome":"pass"},{"requirement":"Sch1.3","outcome":"pass"}]}`, 200, "UK PSTI: 3/3 met"},
		{"not applicable without justification", "application/json", `{"catalog":"uk-psti","results":[{"requirement":"Sch1.1","outcome":"not_applicable"}]}`, 422, "Sch1.1"},
		{"unknown requirement", "", `{"catalog":"uk-psti","results":[{"requirement":"Sch9.9","outcome":"pass"}]}`, 422, "Sch9.9"},
		{"contradiction", "application/json", `{"catalog":"uk-psti","results":[{"requirement":"Sch1.1","outcome":"pass"},{"requirement":"Sch1.1","outcome":"fail"}]}`, 422, "Sch1.1"},
		{"unknown catalog", "application/json", `{"catalog":"iso-9999","results":[]}`, 422, "iso-9999"},
		{"not JSON", "application/json", `{"catalog":`, 400, "not valid JSON"},
		{"empty", "application/json", ``, 400, "empty"},
		{"unknown field", "application/json", `{"catalog":"uk-psti","results":[],"extra":1}`, 400, "extra"},
		{"wrong type", "application/json", `{"catalog":7}`, 400, "catalog"},
		{"two values", "application/json", `{"catalog":"uk-psti","results":[]} {}`, 400, "more than one"},
		{"form post", "application/x-www-form-urlencoded", `catalog=uk-psti`, 400, "Content-Type"},
		{"too big", "application/json", `{"catalog":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "larger than"},
	}
	for _, tt := range tests {
		r := post(t, e, "/api/v1/evaluate", tt.ct, tt.body)
		b := body(t, r)
		if r.StatusCode != tt.status || !strings.Contains(b, tt.want) {
			t.Errorf("%s: POST /api/v1/evaluate = %d %.200s; want %d containing %q", tt.name, r.StatusCode, b, tt.status, tt.want)
		}
	}
	if r := e.do(t, "GET", "/api/v1/evaluate", nil); r.StatusCode != 405 || r.Header.Get("Allow") != "POST" {
		t.Errorf("GET /api/v1/evaluate = %d Allow %q, want 405 POST", r.StatusCode, r.Header.Get("Allow"))
	}
}

func TestCatalogPages(t *testing.T) {
	e := newEnv(t, web.Config{})
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/catalogs", 200, "etsi-en-303-645"},
		{"/catalogs/etsi-en-303-645", 200, "5.1-1"},
		{"/catalogs/etsi-en-303-645/5.1-1", 200, "In other schemes"},
		{"/catalogs/uk-psti/Sch1.1", 200, "etsi-en-303-645"},
		{"/catalogs/nist-ir-8425/2a", 200, "2a"},
		{"/catalogs/nope", 404, ""},
		{"/catalogs/uk-psti/nope", 404, ""},
	}
	for _, tt := range tests {
		r := e.do(t, "GET", tt.path, nil)
		if b := body(t, r); r.StatusCode != tt.status || !strings.Contains(b, tt.want) {
			t.Errorf("GET %s = %d, want %d containing %q", tt.path, r.StatusCode, tt.status, tt.want)
		}
	}
}
