package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/demo"
	"trustmark/internal/sqlite"
	"trustmark/internal/web"
)

const base = "https://labels.example.org"

// now is the tests' fixed clock: after the demo's Switchplug support date.
var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

type env struct {
	store *sqlite.DB
	srv   *web.Server
}

func newEnv(t *testing.T, cfg web.Config) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := demo.LoadAt(ctx, db, now); err != nil {
		t.Fatalf("demo.Load() = %v", err)
	}
	cfg.BaseURL = base
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return now }
	}
	srv, err := web.NewServer(db, cfg)
	if err != nil {
		t.Fatalf("NewServer() = %v", err)
	}
	return &env{store: db, srv: srv}
}

// get performs a request against the handler and returns the response.
func (e *env) do(t *testing.T, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, req)
	return w.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// apiErr decodes the JSON error shape and fails unless it is there.
func apiErr(t *testing.T, r *http.Response) (code, message string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error Content-Type = %q, want JSON", ct)
	}
	if err := json.NewDecoder(r.Body).Decode(&e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error body does not have the {\"error\": {\"code\", \"message\"}} shape: %v", err)
	}
	return e.Error.Code, e.Error.Message
}

// ctaSchema is the parts of CTA-2120 v1.0.0 the tests check against.
type ctaSchema struct {
	Required   []string                   `json:"required"`
	Properties map[string]json.RawMessage `json:"properties"`
}

func loadSchema(t *testing.T) ctaSchema {
	t.Helper()
	b, err := os.ReadFile("testdata/usctm-schema-1-0-0.json")
	if err != nil {
		t.Fatal(err)
	}
	var s ctaSchema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	fullDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	saneURL  = regexp.MustCompile(`^https?://.{8,}$`)
)

// checkCTA2120 checks one record against CTA-2120 v1.0.0: every required
// key, the constants, formats and enums, and our documented definitions of
// the keys the schema leaves undefined.
func checkCTA2120(t *testing.T, schema ctaSchema, raw map[string]any, id trustmark.LabelID) {
	t.Helper()
	for _, k := range schema.Required {
		if _, ok := raw[k]; !ok {
			t.Errorf("%s: required CTA-2120 key %q missing", id, k)
		}
	}
	if raw["schema_version"] != "1.0.0" {
		t.Errorf("%s: schema_version = %v", id, raw["schema_version"])
	}
	if raw["QR_code_url"] != base+"/p/"+string(id) {
		t.Errorf("%s: QR_code_url = %v, want %s/p/%s", id, raw["QR_code_url"], base, id)
	}
	if raw["label_id"] != string(id) || raw["status"] == nil {
		t.Errorf("%s: label_id = %v, status = %v", id, raw["label_id"], raw["status"])
	}
	for _, k := range []string{"authorization_date", "support_date"} {
		if s, _ := raw[k].(string); !fullDate.MatchString(s) {
			t.Errorf("%s: %s = %q, want an RFC 3339 full-date", id, k, s)
		}
	}
	for _, k := range []string{"created", "modified"} {
		if s, _ := raw[k].(string); s == "" {
			t.Errorf("%s: %s missing", id, k)
		} else if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s: %s = %q is not an RFC 3339 date-time", id, k, s)
		}
	}
	for _, k := range []string{"securing_this_product", "delete_data", "account_deactivation", "encryption_and_key_management", "general_user_information"} {
		obj, ok := raw[k].(map[string]any)
		if !ok {
			t.Errorf("%s: %s is not an object", id, k)
			continue
		}
		if u, ok := obj["url"].(string); ok && !saneURL.MatchString(u) {
			t.Errorf("%s: %s.url = %q is not a saneUrl", id, k, u)
		}
	}
	for _, k := range []string{"authorized_by", "tested_by"} {
		obj, _ := raw[k].(map[string]any)
		if obj["name"] == "" || obj["contact"] == "" {
			t.Errorf("%s: %s = %v, want name and contact", id, k, obj)
		}
	}
	sui, _ := raw["security_update_information"].(map[string]any)
	if !slices.Contains(trustmark.UpdateModes, sui["update_default"].(string)) {
		t.Errorf("%s: update_default %v not in the schema's enum", id, sui["update_default"])
	}
	ac, _ := raw["access_control"].(map[string]any)
	opts, _ := ac["password_options"].([]any)
	if len(opts) == 0 {
		t.Errorf("%s: access_control.password_options empty", id)
	}
	for _, o := range opts {
		if !slices.Contains(trustmark.AccessOptions, o.(string)) {
			t.Errorf("%s: password option %v not in the schema's enum", id, o)
		}
	}
	sensors, _ := raw["sensor_data_collection"].([]any)
	for _, s := range sensors {
		m := s.(map[string]any)
		if !slices.Contains([]any{"audio", "images", "position"}, m["sensing"]) {
			t.Errorf("%s: sensing %v", id, m["sensing"])
		}
		icons, _ := m["icons"].(map[string]any)
		if len(icons) == 0 {
			t.Errorf("%s: sensor %v has no icons (minProperties 1)", id, m["sensing"])
		}
		for size, u := range icons {
			if !slices.Contains([]string{"16", "48", "128", "256"}, size) || !saneURL.MatchString(u.(string)) {
				t.Errorf("%s: icon %s = %v", id, size, u)
			}
		}
	}
	if c, _ := raw["security_contact"].(string); !saneURL.MatchString(c) && !strings.Contains(c, "@") {
		t.Errorf("%s: security_contact = %q", id, c)
	}
	// Our definitions of the two required keys the schema never defines.
	if v, _ := raw["version_and_model_numbers"].(map[string]any); len(v["model_numbers"].([]any)) == 0 {
		t.Errorf("%s: version_and_model_numbers.model_numbers empty", id)
	}
	sa, _ := raw["sbom_hbom_available"].(map[string]any)
	sm, _ := raw["sbom_hbom_maintained"].(map[string]any)
	if sa["sbom_available"] != sm["sbom_maintained"] || sa["hbom_available"] != sm["hbom_maintained"] {
		t.Errorf("%s: sbom_hbom_available %v disagrees with sbom_hbom_maintained %v", id, sa, sm)
	}
	for k, v := range raw {
		if s, ok := v.(string); ok && len([]rune(s)) > 2048 {
			t.Errorf("%s: %s longer than 2048 characters", id, k)
		}
	}
}

func TestRegistryRecordIsCTA2120(t *testing.T) {
	e := newEnv(t, web.Config{})
	schema := loadSchema(t)
	if len(schema.Required) != 21 {
		t.Fatalf("schema lists %d required keys, want 21", len(schema.Required))
	}
	for _, key := range demo.Keys() {
		id := demo.LabelID(key)
		r := e.do(t, "GET", "/api/v1/registry/"+string(id), nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", id, r.StatusCode)
		}
		var raw map[string]any
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		checkCTA2120(t, schema, raw, id)
	}
}

func TestRegistryRecordStatuses(t *testing.T) {
	e := newEnv(t, web.Config{})
	tests := []struct {
		key       string
		status    string
		supported bool
	}{
		{"halo-cam-2k", "active", true},
		{"thermo-one", "suspended", true},
		{"kidview", "terminated", true},
		{"switchplug-mini", "active", false},
	}
	for _, tt := range tests {
		r := e.do(t, "GET", "/api/v1/registry/"+string(demo.LabelID(tt.key)), nil)
		var rec trustmark.RegistryRecord
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil {
			t.Fatal(err)
		}
		if string(rec.Status) != tt.status || rec.Supported != tt.supported {
			t.Errorf("%s: status %s supported %v, want %s %v", tt.key, rec.Status, rec.Supported, tt.status, tt.supported)
		}
	}
}

func TestRegistryRecordErrors(t *testing.T) {
	e := newEnv(t, web.Config{})
	id := string(demo.LabelID("halo-cam-2k"))
	wrongCheck := id[:len(id)-1] + map[bool]string{true: "1", false: "0"}[id[len(id)-1] == '0']
	tests := []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/registry/" + string(trustmark.DeriveLabelID("never granted")), 404, "not_found"},
		{"/api/v1/registry/ABC", 400, "invalid"},
		{"/api/v1/registry/" + wrongCheck, 400, "invalid"},
		{"/api/v1/registry/" + strings.Repeat("A", 5000), 400, "invalid"},
		{"/api/v1/registry/%00%01", 400, "invalid"},
		{"/api/v1/registry/" + url.PathEscape("ÄÖÜ-ÄÖÜ-ÄÖÜ"), 400, "invalid"},
		{"/api/v1/nothing", 404, "not_found"},
	}
	for _, tt := range tests {
		r := e.do(t, "GET", tt.path, nil)
		if r.StatusCode != tt.status {
			t.Errorf("GET %.60s = %d, want %d", tt.path, r.StatusCode, tt.status)
			continue
		}
		if code, _ := apiErr(t, r); code != tt.code {
			t.Errorf("GET %.60s error code = %q, want %q", tt.path, code, tt.code)
		}
	}
	r := e.do(t, "POST", "/api/v1/registry/"+id, nil)
	if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") == "" {
		t.Errorf("POST record = %d (Allow %q), want 405 with Allow", r.StatusCode, r.Header.Get("Allow"))
	}
	apiErr(t, r)
}

func TestRegistryConditionalGet(t *testing.T) {
	e := newEnv(t, web.Config{})
	for _, path := range []string{"/api/v1/registry/" + string(demo.LabelID("glow-a19")), "/p/" + string(demo.LabelID("glow-a19"))} {
		r := e.do(t, "GET", path, nil)
		etag := r.Header.Get("ETag")
		if r.StatusCode != 200 || etag == "" || !strings.Contains(r.Header.Get("Cache-Control"), "max-age") {
			t.Fatalf("GET %s = %d, ETag %q, Cache-Control %q", path, r.StatusCode, etag, r.Header.Get("Cache-Control"))
		}
		r = e.do(t, "GET", path, http.Header{"If-None-Match": {etag}})
		if r.StatusCode != http.StatusNotModified || body(t, r) != "" {
			t.Errorf("GET %s with If-None-Match = %d, want 304 without body", path, r.StatusCode)
		}
		r = e.do(t, "GET", path, http.Header{"If-None-Match": {`"other"`}})
		if r.StatusCode != http.StatusOK {
			t.Errorf("GET %s with another ETag = %d, want 200", path, r.StatusCode)
		}
	}
}

// A change made through the store (as by another process) reaches readers
// once the cache polls, with a new ETag.
func TestCacheFollowsStoreChanges(t *testing.T) {
	e := newEnv(t, web.Config{CacheRefresh: time.Millisecond, Now: time.Now})
	id := demo.LabelID("glow-a19")
	path := "/api/v1/registry/" + string(id)
	first := e.do(t, "GET", path, nil).Header.Get("ETag")
	if _, _, err := e.store.UpdateGrant(context.Background(), id, now, func(_ *trustmark.Grant, r *trustmark.RegistryRecord) error {
		r.SupportDate = "2035-01-31"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := e.do(t, "GET", path, nil)
		if strings.Contains(body(t, r), `"support_date":"2035-01-31"`) {
			if r.Header.Get("ETag") == first {
				t.Errorf("ETag unchanged after the record changed")
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the cached record never showed the store's change")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRegistryListPagination(t *testing.T) {
	e := newEnv(t, web.Config{})
	var seen []string
	next := "/api/v1/registry?limit=5"
	var sizes []int
	for next != "" {
		r := e.do(t, "GET", next, nil)
		if r.StatusCode != 200 {
			t.Fatalf("GET %s = %d: %s", next, r.StatusCode, body(t, r))
		}
		var page struct {
			Items []struct {
				LabelID string `json:"label_id"`
			} `json:"items"`
			Total      int     `json:"total"`
			NextCursor *string `json:"next_cursor"`
		}
		if err := json.NewDecoder(r.Body).Decode(&page); err != nil {
			t.Fatal(err)
		}
		if page.Total != 14 || page.NextCursor == nil {
			t.Fatalf("page total = %d, next_cursor present = %v; want 14, present", page.Total, page.NextCursor != nil)
		}
		sizes = append(sizes, len(page.Items))
		for _, it := range page.Items {
			seen = append(seen, it.LabelID)
		}
		next = ""
		if *page.NextCursor != "" {
			next = "/api/v1/registry?limit=5&cursor=" + url.QueryEscape(*page.NextCursor)
		}
	}
	if !slices.Equal(sizes, []int{5, 5, 4}) {
		t.Errorf("page sizes = %v, want [5 5 4]", sizes)
	}
	uniq := slices.Clone(seen)
	slices.Sort(uniq)
	if len(slices.Compact(uniq)) != 14 {
		t.Errorf("pages listed %d distinct labels, want 14: %v", len(uniq), seen)
	}
}

func TestRegistryListQueries(t *testing.T) {
	e := newEnv(t, web.Config{})
	tests := []struct {
		query  string
		status int
		total  int
	}{
		{"", 200, 14},
		{"limit=200", 200, 14},
		{"limit=1", 200, 14},
		{"status=suspended", 200, 1},
		{"status=terminated", 200, 1},
		{"manufacturer=org_demo_lumen", 200, 4},
		{"q=halo", 200, 2},
		{"q=Northwind+camera", 200, 1},
		{"q=" + url.QueryEscape(`"); DROP TABLE grants; --`), 200, 0},
		{"q=nothing-matches-this", 200, 0},
		{"limit=0", 400, 0},
		{"limit=201", 400, 0},
		{"limit=-3", 400, 0},
		{"limit=ten", 400, 0},
		{"cursor=not-a-cursor", 400, 0},
		{"status=expired", 400, 0},
		{"q=" + strings.Repeat("a", 201), 400, 0},
		{"q=" + strings.Repeat("é", 150), 400, 0},
		{"manufacturer=" + strings.Repeat("m", 100), 400, 0},
	}
	for _, tt := range tests {
		r := e.do(t, "GET", "/api/v1/registry?"+tt.query, nil)
		if r.StatusCode != tt.status {
			t.Errorf("GET ?%.50s = %d, want %d", tt.query, r.StatusCode, tt.status)
			continue
		}
		if tt.status != 200 {
			apiErr(t, r)
			continue
		}
		var page trustmark.RegistryPage
		if err := json.NewDecoder(r.Body).Decode(&page); err != nil {
			t.Fatal(err)
		}
		if page.Total != tt.total {
			t.Errorf("GET ?%s total = %d, want %d", tt.query, page.Total, tt.total)
		}
	}
}

func TestLabelPages(t *testing.T) {
	e := newEnv(t, web.Config{})
	tests := []struct {
		key  string
		want []string
	}{
		{"halo-cam-2k", []string{"Authorized", "status-authorized", "Halo Indoor Camera 2K", "At least until 2030-12-31",
			"Keystone Conformity Services", "Ferrous Test Laboratories", "can</strong> capture images", "cannot</strong> determine location",
			"Settings &gt; Device &gt; Change password", "Automatic by default"}},
		{"thermo-one", []string{"Authorization suspended", "status-suspended", "2026-12-10", "factory default password"}},
		{"kidview", []string{"Authorization terminated", "status-ended", "2026-08-28"}},
		{"switchplug-mini", []string{"No longer supported", "status-unsupported", "ended on 2025-12-31", "cannot be changed"}},
	}
	for _, tt := range tests {
		id := string(demo.LabelID(tt.key))
		r := e.do(t, "GET", "/p/"+id, nil)
		page := body(t, r)
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /p/%s = %d %s", id, r.StatusCode, r.Header.Get("Content-Type"))
		}
		for _, w := range tt.want {
			if !strings.Contains(page, w) {
				t.Errorf("/p/%s (%s) lacks %q", id, tt.key, w)
			}
		}
		if strings.Contains(page, "<script") || strings.Contains(page, "style=") {
			t.Errorf("/p/%s has inline script or style", id)
		}
		if len(page) > 100_000 {
			t.Errorf("/p/%s is %d bytes", id, len(page))
		}
		d := e.do(t, "GET", "/p/"+id+"/details", nil)
		dp := body(t, d)
		if d.StatusCode != 200 || !strings.Contains(dp, "SBOM / HBOM maintained") || !strings.Contains(dp, "/api/v1/registry/"+id) {
			t.Errorf("GET /p/%s/details = %d, lacks SBOM section or JSON link", id, d.StatusCode)
		}
	}
}

func TestPageErrorsAndRedirects(t *testing.T) {
	e := newEnv(t, web.Config{})
	id := string(demo.LabelID("halo-cam-2k"))
	tests := []struct {
		method, path string
		status       int
		location     string
	}{
		{"GET", "/p/" + strings.ToLower(id), 301, "/p/" + id},
		{"GET", "/p/" + strings.ReplaceAll(id, "-", "") + "/details", 301, "/p/" + id + "/details"},
		{"GET", "/p/not-a-label", 400, ""},
		{"GET", "/p/" + string(trustmark.DeriveLabelID("unknown")), 404, ""},
		{"GET", "/nowhere", 404, ""},
		{"POST", "/p/" + id, 405, ""},
		{"GET", "/search?q=" + strings.Repeat("x", 300), 400, ""},
		{"GET", "/search?status=bogus", 400, ""},
		{"GET", "/search?cursor=%%%", 400, ""},
	}
	for _, tt := range tests {
		r := e.do(t, tt.method, tt.path, nil)
		if r.StatusCode != tt.status || r.Header.Get("Location") != tt.location {
			t.Errorf("%s %.60s = %d (Location %q), want %d (%q)", tt.method, tt.path, r.StatusCode, r.Header.Get("Location"), tt.status, tt.location)
		}
		if tt.status >= 400 && !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s %.60s error Content-Type = %q, want an HTML page", tt.method, tt.path, r.Header.Get("Content-Type"))
		}
	}
}

func TestSearchPages(t *testing.T) {
	e := newEnv(t, web.Config{})
	r := e.do(t, "GET", "/", nil)
	home := body(t, r)
	if r.StatusCode != 200 || !strings.Contains(home, "Find a labeled product") || strings.Count(home, `href="/p/`) != 14 {
		t.Errorf("GET / = %d with %d label links, want 200 with 14", r.StatusCode, strings.Count(home, `href="/p/`))
	}
	r = e.do(t, "GET", "/search?q=sentry", nil)
	page := body(t, r)
	if r.StatusCode != 200 || !strings.Contains(page, "Sentry Smart Lock") || strings.Contains(page, "Halo") {
		t.Errorf("GET /search?q=sentry = %d; want only the Sentry lock", r.StatusCode)
	}
	r = e.do(t, "GET", "/search?status=terminated", nil)
	if page := body(t, r); !strings.Contains(page, "KidView") || !strings.Contains(page, "Terminated") {
		t.Errorf("GET /search?status=terminated lacks KidView, Terminated")
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, web.Config{RateLimit: 1, RateBurst: 2})
	id := string(demo.LabelID("halo-cam-2k"))
	from := func(ip, path string) *http.Response {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = ip + ":40000"
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, req)
		return w.Result()
	}
	for i := range 2 {
		if r := from("192.0.2.1", "/api/v1/registry/"+id); r.StatusCode != 200 {
			t.Fatalf("request %d = %d, want 200", i, r.StatusCode)
		}
	}
	r := from("192.0.2.1", "/api/v1/registry/"+id)
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("third request = %d (Retry-After %q), want 429 with Retry-After", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if code, _ := apiErr(t, r); code != "rate_limited" {
		t.Errorf("429 code = %q", code)
	}
	if r := from("192.0.2.1", "/p/"+id); r.StatusCode != 429 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("page over the limit = %d %s, want an HTML 429", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if r := from("192.0.2.2", "/p/"+id); r.StatusCode != 200 {
		t.Errorf("another client = %d, want 200", r.StatusCode)
	}
	if r := from("192.0.2.1", "/healthz"); r.StatusCode != 200 {
		t.Errorf("/healthz over the limit = %d, want 200 (never limited)", r.StatusCode)
	}
}

func TestSecurityHeadersAndAssets(t *testing.T) {
	e := newEnv(t, web.Config{})
	r := e.do(t, "GET", "/", nil)
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("X-Content-Type-Options missing")
	}
	css := regexp.MustCompile(`/static/style\.[0-9a-f]+\.css`).FindString(body(t, r))
	if css == "" {
		t.Fatal("home page links no fingerprinted stylesheet")
	}
	r = e.do(t, "GET", css, nil)
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Errorf("GET %s = %d %q %q", css, r.StatusCode, r.Header.Get("Cache-Control"), r.Header.Get("Content-Type"))
	}
	for _, icon := range []string{"images-present", "audio-absent", "position-present"} {
		if r := e.do(t, "GET", "/static/sensors/"+icon+".svg", nil); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/svg+xml" {
			t.Errorf("sensor icon %s = %d %s", icon, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
	if r := e.do(t, "GET", "/static/nope.css", nil); r.StatusCode != 404 {
		t.Errorf("missing asset = %d", r.StatusCode)
	}
	if r := e.do(t, "GET", "/healthz", nil); r.StatusCode != 200 || !strings.Contains(body(t, r), `"ok"`) {
		t.Errorf("/healthz = %d", r.StatusCode)
	}
}
