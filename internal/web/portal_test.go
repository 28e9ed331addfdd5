package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
	"trustmark/internal/web"
)

// portalPassword is every test user's password.
const portalPassword = "correct horse battery staple"

// portalEnv is a server over a real SQLite store with one organization
// of each kind and one admin user in each.
type portalEnv struct {
	t     *testing.T
	srv   *web.Server
	prog  *program.Program
	set   *criteria.Set
	clock *clock
	la    *trustmark.Principal
	// Organization IDs and user emails by kind.
	org   map[trustmark.OrgKind]string
	email map[trustmark.OrgKind]string
	// logs holds what the server logged.
	logs *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newPortalEnv(t *testing.T) *portalEnv {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newPortalEnvOn(t, db)
}

// newPortalEnvOn is newPortalEnv on a given, empty store.
func newPortalEnvOn(t *testing.T, db trustmark.Store) *portalEnv {
	t.Helper()
	ctx := context.Background()
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	prog := program.New(db, set, program.Config{Now: clk.Now, Seed: func() uint64 { return 42 }})
	laOrg, laToken, err := prog.Init(ctx, trustmark.Organization{Name: "Test Lead Administrator", Contact: "https://lead.example.org/contact"}, "Lee Admin")
	if err != nil {
		t.Fatalf("Init() = %v", err)
	}
	la, err := prog.Authenticate(ctx, laToken)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv, err := web.NewServer(db, web.Config{BaseURL: "https://labels.example.org", Now: clk.Now, Program: prog, Criteria: set,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	w := &portalEnv{t: t, srv: srv, prog: prog, set: set, clock: clk, la: la, logs: logs,
		org:   map[trustmark.OrgKind]string{trustmark.OrgLeadAdministrator: laOrg.ID},
		email: map[trustmark.OrgKind]string{}}
	for _, o := range []struct {
		kind trustmark.OrgKind
		name string
	}{{trustmark.OrgManufacturer, "Acme Devices"}, {trustmark.OrgCLA, "Label Admin Co"}, {trustmark.OrgLab, "Steel City Lab"}, {trustmark.OrgRegulator, "The Bureau"}} {
		org, _, err := prog.CreateOrganization(ctx, la, trustmark.Organization{Kind: o.kind, Name: o.name, Contact: "https://" + string(o.kind) + ".example.com/contact"}, "Owner")
		if err != nil {
			t.Fatalf("CreateOrganization(%s) = %v", o.kind, err)
		}
		w.org[o.kind] = org.ID
	}
	if _, err := prog.RecognizeLab(ctx, la, trustmark.LabRecognition{OrgID: w.org[trustmark.OrgLab],
		TestSites: []string{"Pittsburgh, PA"}, MailingAddress: "18 Foundry Rd, Pittsburgh, PA", AccreditationBody: "A2LA",
		Scope: []string{"nist-ir-8425"}, AccreditationExpires: "2028-01-01", DesignationNumber: "US1234", FRN: "0012345678"}); err != nil {
		t.Fatalf("RecognizeLab() = %v", err)
	}
	for kind, id := range w.org {
		email := string(kind) + "@example.com"
		if _, err := prog.OperatorCreateUser(ctx, program.UserInput{OrgID: id, Email: email, Name: "Pat " + string(kind), Role: trustmark.RoleAdmin, Password: portalPassword}, "test"); err != nil {
			t.Fatalf("OperatorCreateUser(%s) = %v", kind, err)
		}
		w.email[kind] = email
	}
	return w
}

// principal returns a principal of the organization of kind, to set up
// state through the program directly.
func (w *portalEnv) principalOf(kind trustmark.OrgKind) *trustmark.Principal {
	w.t.Helper()
	_, secret, err := w.prog.OperatorToken(context.Background(), w.org[kind], "setup", trustmark.RoleAdmin)
	if err != nil {
		w.t.Fatal(err)
	}
	pr, err := w.prog.Authenticate(context.Background(), secret)
	if err != nil {
		w.t.Fatal(err)
	}
	return pr
}

// browserClient is a browser of the portal: it keeps cookies and does not
// follow redirects, so tests see every step.
type browserClient struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]*http.Cookie
	// last is the body of the last response.
	last string
}

func (w *portalEnv) client() *browserClient {
	return &browserClient{t: w.t, h: w.srv, cookies: map[string]*http.Cookie{}}
}

// do sends a request with the client's cookies and keeps the cookies the
// answer sets.
func (c *browserClient) do(method, target, contentType string, body io.Reader, header http.Header) *http.Response {
	c.t.Helper()
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	resp := rec.Result()
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	b, _ := io.ReadAll(resp.Body)
	c.last = string(b)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func (c *browserClient) get(target string) *http.Response {
	c.t.Helper()
	return c.do("GET", target, "", nil, nil)
}

func (c *browserClient) post(target string, form url.Values) *http.Response {
	c.t.Helper()
	return c.do("POST", target, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), nil)
}

var formTokenRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the form token of the last page.
func (c *browserClient) csrf() string {
	c.t.Helper()
	m := formTokenRE.FindStringSubmatch(c.last)
	if m == nil {
		c.t.Fatalf("no CSRF token in the page:\n%s", c.last)
	}
	return m[1]
}

// submit opens the page at path, then posts form to action with the page's token.
func (c *browserClient) submit(path, action string, form url.Values) *http.Response {
	c.t.Helper()
	if r := c.get(path); r.StatusCode != 200 {
		c.t.Fatalf("GET %s = %d:\n%s", path, r.StatusCode, c.last)
	}
	form.Set("csrf", c.csrf())
	return c.post(action, form)
}

// follow answers a 303 by getting its Location, failing on anything else.
func (c *browserClient) follow(r *http.Response) *http.Response {
	c.t.Helper()
	if r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("got %d, want a 303 redirect:\n%s", r.StatusCode, c.last)
	}
	return c.get(r.Header.Get("Location"))
}

// login signs in as the user of kind and returns the client.
func (w *portalEnv) login(kind trustmark.OrgKind) *browserClient {
	w.t.Helper()
	c := w.client()
	r := c.submit("/portal/login", "/portal/login", url.Values{"email": {w.email[kind]}, "password": {portalPassword}, "next": {"/portal/"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/" {
		w.t.Fatalf("sign in as %s = %d %s:\n%s", kind, r.StatusCode, r.Header.Get("Location"), c.last)
	}
	return c
}

func TestPortalLogin(t *testing.T) {
	w := newPortalEnv(t)
	c := w.client()
	r := c.get("/portal/login?next=/portal/manufacturer/products")
	if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "no-store" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("GET /portal/login = %d, Cache-Control %q, CSP %q", r.StatusCode, r.Header.Get("Cache-Control"), r.Header.Get("Content-Security-Policy"))
	}
	if c.cookies["__Host-trustmark_login"] == nil {
		t.Fatalf("the sign-in form set no __Host-trustmark_login cookie; cookies %v", c.cookies)
	}
	token := c.csrf()

	// A wrong password: 401, the message beside the password, the email kept, the password not.
	r = c.post("/portal/login", url.Values{"email": {"manufacturer@example.com"}, "password": {"wrong password, long enough"}, "csrf": {token}, "next": {"/portal/manufacturer/products"}})
	if r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password = %d, want 401", r.StatusCode)
	}
	for _, want := range []string{`value="manufacturer@example.com"`, `id="f-password-error"`, "The email address or password is wrong.", `aria-describedby="f-password-error"`, `value="/portal/manufacturer/products"`} {
		if !strings.Contains(c.last, want) {
			t.Errorf("the failed sign-in page lacks %q", want)
		}
	}
	if strings.Contains(c.last, "wrong password, long enough") {
		t.Errorf("the failed sign-in page shows the typed password")
	}
	if c.cookies["__Host-trustmark_session"] != nil {
		t.Fatalf("a failed sign-in set a session cookie")
	}

	// Success: the session cookie with its attributes, expiring with the session.
	token = c.csrf()
	req := url.Values{"email": {"  Manufacturer@Example.com "}, "password": {portalPassword}, "csrf": {token}, "next": {"/portal/manufacturer/products"}}
	r = c.post("/portal/login", req)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/manufacturer/products" {
		t.Fatalf("sign in = %d to %q, want 303 to the next page:\n%s", r.StatusCode, r.Header.Get("Location"), c.last)
	}
	var sc *http.Cookie
	for _, ck := range r.Cookies() {
		if ck.Name == "__Host-trustmark_session" {
			sc = ck
		}
	}
	if sc == nil {
		t.Fatalf("no session cookie; Set-Cookie %v", r.Header["Set-Cookie"])
	}
	wantExp := w.clock.Now().Add(program.DefaultSessionLifetime)
	if !sc.Secure || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" || sc.Domain != "" ||
		!sc.Expires.Equal(wantExp.Truncate(time.Second)) || sc.MaxAge != int(program.DefaultSessionLifetime/time.Second) {
		t.Errorf("session cookie = %+v; want Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, expiring %v (Max-Age %v)", sc, wantExp, program.DefaultSessionLifetime)
	}
	if c.cookies["__Host-trustmark_login"] != nil {
		t.Errorf("the sign-in cookie was not dropped after signing in")
	}
	r = c.follow(r)
	if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "no-store" || !strings.Contains(c.last, "Pat manufacturer") {
		t.Fatalf("the products page after sign-in = %d (Cache-Control %q):\n%s", r.StatusCode, r.Header.Get("Cache-Control"), c.last)
	}

	// The sign-in page of a signed-in browser goes straight on.
	if r = c.get("/portal/login"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/" {
		t.Errorf("GET /portal/login signed in = %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	// /portal/ sends each kind to its area.
	for kind, area := range map[trustmark.OrgKind]string{trustmark.OrgManufacturer: "/portal/manufacturer/", trustmark.OrgLab: "/portal/lab/"} {
		c := w.login(kind)
		if r := c.get("/portal/"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != area {
			t.Errorf("%s: GET /portal/ = %d %q, want 303 to %s", kind, r.StatusCode, r.Header.Get("Location"), area)
		}
	}
}

func TestPortalLoginRefusals(t *testing.T) {
	w := newPortalEnv(t)
	good := url.Values{"email": {"manufacturer@example.com"}, "password": {portalPassword}}
	cases := []struct {
		name   string
		prep   func(c *browserClient) (url.Values, http.Header)
		status int
	}{
		{"no sign-in cookie", func(c *browserClient) (url.Values, http.Header) {
			c.get("/portal/login")
			f := url.Values{"csrf": {c.csrf()}}
			delete(c.cookies, "__Host-trustmark_login")
			return f, nil
		}, 403},
		{"no token in the form", func(c *browserClient) (url.Values, http.Header) {
			c.get("/portal/login")
			return url.Values{}, nil
		}, 403},
		{"a token of another browser", func(c *browserClient) (url.Values, http.Header) {
			other := w.client()
			other.get("/portal/login")
			c.get("/portal/login")
			return url.Values{"csrf": {other.csrf()}}, nil
		}, 403},
		{"posted from another site", func(c *browserClient) (url.Values, http.Header) {
			c.get("/portal/login")
			return url.Values{"csrf": {c.csrf()}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}
		}, 403},
		{"posted with a foreign Origin", func(c *browserClient) (url.Values, http.Header) {
			c.get("/portal/login")
			return url.Values{"csrf": {c.csrf()}}, http.Header{"Origin": {"https://evil.example"}}
		}, 403},
		{"all well", func(c *browserClient) (url.Values, http.Header) {
			c.get("/portal/login")
			return url.Values{"csrf": {c.csrf()}}, http.Header{"Sec-Fetch-Site": {"same-origin"}}
		}, 303},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := w.client()
			f, h := tc.prep(c)
			for k, v := range good {
				f[k] = v
			}
			r := c.do("POST", "/portal/login", "application/x-www-form-urlencoded", strings.NewReader(f.Encode()), h)
			if r.StatusCode != tc.status {
				t.Fatalf("POST /portal/login = %d, want %d:\n%s", r.StatusCode, tc.status, c.last)
			}
			if (c.cookies["__Host-trustmark_session"] != nil) != (tc.status == 303) {
				t.Errorf("session cookie set = %v, want %v", c.cookies["__Host-trustmark_session"] != nil, tc.status == 303)
			}
		})
	}
	// The redirect after sign-in never leaves the portal.
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/p/../portal", "javascript:alert(1)"} {
		c := w.client()
		r := c.submit("/portal/login", "/portal/login", url.Values{"email": {"lab@example.com"}, "password": {portalPassword}, "next": {next}})
		if loc := r.Header.Get("Location"); r.StatusCode != 303 || loc != "/portal/" {
			t.Errorf("sign in with next=%q redirects to %q, want /portal/", next, loc)
		}
	}
}

func TestPortalLogoutAndExpiry(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) { testPortalLogoutAndExpiry(t, newPortalEnvOn(t, db)) })
}

func testPortalLogoutAndExpiry(t *testing.T, w *portalEnv) {
	toLogin := func(c *browserClient, what string) {
		t.Helper()
		r := c.get("/portal/manufacturer/products")
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/login?next="+url.QueryEscape("/portal/manufacturer/products") {
			t.Errorf("%s: GET /portal/manufacturer/products = %d %q, want a redirect to the sign-in page", what, r.StatusCode, r.Header.Get("Location"))
		}
	}

	c := w.login(trustmark.OrgManufacturer)
	old := *c.cookies["__Host-trustmark_session"]
	r := c.submit("/portal/manufacturer/", "/portal/logout", url.Values{})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/login?done=signed_out" {
		t.Fatalf("sign out = %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if c.cookies["__Host-trustmark_session"] != nil {
		t.Errorf("signing out kept the session cookie")
	}
	if c.follow(r); !strings.Contains(c.last, "You have signed out.") {
		t.Errorf("the sign-in page does not confirm signing out")
	}
	// The old cookie no longer works: the session ended in the store.
	c.cookies[old.Name] = &old
	toLogin(c, "after sign-out")

	// A session ends after its lifetime, and after 30 minutes unused.
	c = w.login(trustmark.OrgManufacturer)
	for i := 0; i < 25; i++ { // 12.5 hours of steady use
		w.clock.Add(29 * time.Minute)
		if r := c.get("/portal/manufacturer/products"); r.StatusCode != 200 {
			if w.clock.Now().Before(time.Date(2026, 3, 2, 21, 0, 0, 0, time.UTC)) {
				t.Fatalf("after %d half-hours of use: %d", i+1, r.StatusCode)
			}
			break
		}
	}
	toLogin(c, "after the lifetime")
	c = w.login(trustmark.OrgManufacturer)
	w.clock.Add(31 * time.Minute)
	toLogin(c, "after 31 idle minutes")
}

func TestPortalCSRF(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) { testPortalCSRF(t, newPortalEnvOn(t, db)) })
}

func testPortalCSRF(t *testing.T, w *portalEnv) {
	c := w.login(trustmark.OrgManufacturer)
	other := w.login(trustmark.OrgManufacturer)
	other.get("/portal/manufacturer/products/new")
	product := url.Values{"name": {"Sneaky Cam"}, "model_numbers": {"SC-1"}, "class": {"camera"}, "components.device": {"Sneaky Cam"}}
	cases := []struct {
		name   string
		token  string
		header http.Header
	}{
		{"no token", "", nil},
		{"a wrong token", "not-the-token", nil},
		{"another session's token", other.csrf(), nil},
		{"cross-site with the right token", "RIGHT", http.Header{"Sec-Fetch-Site": {"cross-site"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.get("/portal/manufacturer/products/new")
			f := url.Values{}
			for k, v := range product {
				f[k] = v
			}
			if tc.token == "RIGHT" {
				f.Set("csrf", c.csrf())
			} else if tc.token != "" {
				f.Set("csrf", tc.token)
			}
			r := c.do("POST", "/portal/manufacturer/products/new", "application/x-www-form-urlencoded", strings.NewReader(f.Encode()), tc.header)
			if r.StatusCode != http.StatusForbidden {
				t.Fatalf("POST = %d, want 403", r.StatusCode)
			}
			if !strings.Contains(c.last, "nothing was changed") {
				t.Errorf("the 403 page does not say nothing changed:\n%s", c.last)
			}
		})
	}
	// The same post as a multipart form is checked too.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range product {
		mw.WriteField(k, v[0])
	}
	mw.WriteField("csrf", "wrong")
	mw.Close()
	if r := c.do("POST", "/portal/manufacturer/products/new", mw.FormDataContentType(), &buf, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("multipart POST with a wrong token = %d, want 403", r.StatusCode)
	}
	prods, err := w.prog.Products(context.Background(), w.principalOf(trustmark.OrgManufacturer))
	if err != nil || len(prods) != 0 {
		t.Fatalf("after refused posts the manufacturer has %d products (%v), want 0", len(prods), err)
	}
	// With the right token the same post works.
	if r := c.submit("/portal/manufacturer/products/new", "/portal/manufacturer/products/new", product); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST with the token = %d:\n%s", r.StatusCode, c.last)
	}
}

// sharedPortalRoute is one portal route and the kind of organization it serves
// ("" for every signed-in user).
type sharedPortalRoute struct {
	method, pattern string
	kind            trustmark.OrgKind
}

// portalAreasElsewhere are the portal areas whose routes another table
// checks (portal_cla_test.go's checkPortalRoutes; portal_users_test.go's
// usersRoutes).
var portalAreasElsewhere = []string{"/portal/cla/", "/portal/oversight/", "/portal/users", "/portal/vuln/"} // vuln: portal_vuln_test.go

// sharedPortalRoutes lists every portal route of routes.go but sign-in and
// those of portalAreasElsewhere. TestPortalRoutesRefuse checks that the
// list is complete.
var sharedPortalRoutes = []sharedPortalRoute{
	{"POST", "/portal/logout", ""},
	{"GET", "/portal/{$}", ""},
	{"GET", "/portal/password", ""},
	{"POST", "/portal/password", ""},
	{"GET", "/portal/manufacturer/{$}", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/products", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/products/new", trustmark.OrgManufacturer},
	{"POST", "/portal/manufacturer/products/new", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/applications", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/applications/new", trustmark.OrgManufacturer},
	{"POST", "/portal/manufacturer/applications/new", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/applications/{id}", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/applications/{id}/edit", trustmark.OrgManufacturer},
	{"POST", "/portal/manufacturer/applications/{id}/edit", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/applications/{id}/declarations", trustmark.OrgManufacturer},
	{"POST", "/portal/manufacturer/applications/{id}/declarations", trustmark.OrgManufacturer},
	{"POST", "/portal/manufacturer/applications/{id}/submit", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/grants", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/grants/{label_id}/disclosures", trustmark.OrgManufacturer},
	{"POST", "/portal/manufacturer/grants/{label_id}/disclosures", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/grants/{label_id}/{file}", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/complaints", trustmark.OrgManufacturer},
	{"GET", "/portal/manufacturer/surveillance", trustmark.OrgManufacturer},
	{"GET", "/portal/lab/{$}", trustmark.OrgLab},
	{"GET", "/portal/lab/applications/{id}", trustmark.OrgLab},
	{"GET", "/portal/lab/applications/{id}/report", trustmark.OrgLab},
	{"POST", "/portal/lab/applications/{id}/report", trustmark.OrgLab},
	{"POST", "/portal/lab/applications/{id}/report/upload", trustmark.OrgLab},
}

// path fills a route pattern's wildcards with plausible values.
func (r sharedPortalRoute) path() string {
	p := strings.ReplaceAll(r.pattern, "{$}", "")
	p = strings.ReplaceAll(p, "{id}", "app-1")
	p = strings.ReplaceAll(p, "{label_id}", "TM-0000-0000-0000")
	return strings.ReplaceAll(p, "{file}", "artwork.svg")
}

// Every portal route refuses anonymous callers (GET: to the sign-in page
// and back; POST: to the sign-in page) and callers of another kind of
// organization (403), and the table above lists every portal route of
// routes.go.
func TestPortalRoutesRefuse(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	inTable := map[string]bool{}
	for _, r := range sharedPortalRoutes {
		inTable[r.method+" "+r.pattern] = true
	}
	for _, m := range regexp.MustCompile(`"((?:GET|POST|PUT|DELETE|PATCH) /portal/[^"]*)"`).FindAllStringSubmatch(string(src), -1) {
		_, pattern, _ := strings.Cut(m[1], " ")
		if pattern == "/portal/login" || slices.ContainsFunc(portalAreasElsewhere, func(a string) bool { return strings.HasPrefix(pattern, a) }) {
			continue
		}
		if !inTable[m[1]] {
			t.Errorf("routes.go has %q, which sharedPortalRoutes does not list", m[1])
		}
		delete(inTable, m[1])
	}
	for k := range inTable {
		t.Errorf("sharedPortalRoutes lists %q, which routes.go does not have", k)
	}

	w := newPortalEnv(t)
	anon := w.client()
	users := map[trustmark.OrgKind]*browserClient{}
	for _, k := range []trustmark.OrgKind{trustmark.OrgManufacturer, trustmark.OrgLab, trustmark.OrgCLA, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator} {
		users[k] = w.login(k)
	}
	for _, rt := range sharedPortalRoutes {
		t.Run(rt.method+" "+rt.pattern, func(t *testing.T) {
			p := rt.path()
			var r *http.Response
			if rt.method == "GET" {
				r = anon.get(p)
				if want := "/portal/login?next=" + url.QueryEscape(p); r.StatusCode != 303 || r.Header.Get("Location") != want {
					t.Errorf("anonymous: %d %q, want 303 to %s", r.StatusCode, r.Header.Get("Location"), want)
				}
			} else {
				r = anon.post(p, url.Values{})
				if r.StatusCode != 303 || r.Header.Get("Location") != "/portal/login" {
					t.Errorf("anonymous: %d %q, want 303 to /portal/login", r.StatusCode, r.Header.Get("Location"))
				}
			}
			if rt.kind == "" {
				return
			}
			for kind, c := range users {
				if kind == rt.kind {
					continue
				}
				c.get("/portal/password")
				if rt.method == "GET" {
					r = c.get(p)
				} else {
					r = c.post(p, url.Values{"csrf": {c.csrf()}})
				}
				if r.StatusCode != http.StatusForbidden || !strings.Contains(c.last, "This page is for organizations of kind "+string(rt.kind)) {
					t.Errorf("a %s user: %d, want 403 naming %s", kind, r.StatusCode, rt.kind)
				}
			}
		})
	}
	// Refusals are answers, not faults: nothing is logged as an error.
	if logs := w.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("refusals were logged as errors:\n%s", logs)
	}
}

// applicationForm is a complete application form for productID, as a
// manufacturer fills it in.
func (w *portalEnv) appForm(productID string) url.Values {
	return url.Values{
		"product_id": {productID}, "cla_id": {w.org[trustmark.OrgCLA]}, "lab_id": {w.org[trustmark.OrgLab]},
		"us_agent.name": {"Agent LLC"}, "us_agent.address": {"1 K St, Washington, DC"}, "us_agent.email": {"agent@agent.example.com"},
		"us_agent.phone": {"+1 202 555 0100"}, "us_agent.attested_by": {"Pat Agent"},
		"sensor_data_collection.images": {"yes"}, "sensor_data_collection.images.description": {"Records video when motion is detected."},
		"sensor_data_collection.audio": {"yes"}, "sensor_data_collection.position": {"no"},
		"access_control.password_options":            {"password", "passkey"},
		"access_control.password_type":               {"factory_default"},
		"access_control.user_changeable":             {"yes"},
		"access_control.password_change.text":        {"Settings > Security > Password"},
		"access_control.password_change.url":         {"https://maker.example/password"},
		"securing_this_product.url":                  {"https://maker.example/secure"},
		"security_update_information.update_default": {trustmark.UpdateAutoOptOut},
		"security_update_information.update_options": {trustmark.UpdateManual},
		"support_date":                               {"2029-12-31"},
		"delete_data.url":                            {"https://maker.example/reset"},
		"account_deactivation.url":                   {"https://maker.example/deactivate"},
		"encryption_and_key_management.url":          {"https://maker.example/encryption"},
		"general_user_information.text":              {"About this product"},
		"general_user_information.url":               {"https://maker.example/about"},
		"security_contact":                           {"security@maker.example"},
		"sbom_hbom_maintained":                       {"sbom"},
		"prior_denials.cla_name":                     {""},
	}
}

// The manufacturer adds a product and applies through the forms: a form
// error keeps what was typed and shows the message beside the field.
func TestPortalManufacturerApplies(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) { testPortalManufacturerApplies(t, newPortalEnvOn(t, db)) })
}

func testPortalManufacturerApplies(t *testing.T, w *portalEnv) {
	ctx := context.Background()
	mfr := w.principalOf(trustmark.OrgManufacturer)
	c := w.login(trustmark.OrgManufacturer)

	// A product without its device: 400, the message beside the components, typed values kept.
	bad := url.Values{"name": {"Halo Cam 2K"}, "model_numbers": {"HC-2K-A\nHC-2K-B"}, "class": {"camera"}, "hardware_version": {"rev 3"}, "components.app": {"Halo app"}}
	r := c.submit("/portal/manufacturer/products/new", "/portal/manufacturer/products/new", bad)
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("product without a device = %d, want 400:\n%s", r.StatusCode, c.last)
	}
	for _, want := range []string{`id="f-components-error"`, "needs at least one component of kind device", `value="Halo Cam 2K"`, "HC-2K-A\nHC-2K-B</textarea>", `value="rev 3"`, `value="Halo app"`, `<option value="camera" selected>`, `href="#f-components"`} {
		if !strings.Contains(c.last, want) {
			t.Errorf("the product form after an error lacks %q", want)
		}
	}
	good := url.Values{}
	for k, v := range bad {
		good[k] = v
	}
	good.Set("components.device", "Halo Cam 2K")
	r = c.submit("/portal/manufacturer/products/new", "/portal/manufacturer/products/new", good)
	if r = c.follow(r); r.StatusCode != 200 || !strings.Contains(c.last, "The product has been added.") || !strings.Contains(c.last, "HC-2K-A, HC-2K-B") {
		t.Fatalf("after adding the product: %d\n%s", r.StatusCode, c.last)
	}
	prods, err := w.prog.Products(ctx, mfr)
	if err != nil || len(prods) != 1 || prods[0].Name != "Halo Cam 2K" || len(prods[0].Components) != 2 || prods[0].HardwareVersion != "rev 3" {
		t.Fatalf("Products() = %+v, %v", prods, err)
	}
	prod := prods[0]

	// The application: an error beside the agent's email, everything typed kept.
	form := w.appForm(prod.ID)
	form.Set("us_agent.email", "not an email")
	newApp := "/portal/manufacturer/applications/new?product_id=" + prod.ID
	r = c.submit(newApp, "/portal/manufacturer/applications/new", form)
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("application with a bad agent email = %d, want 400:\n%s", r.StatusCode, c.last)
	}
	for _, want := range []string{`id="f-us_agent-email-error"`, `aria-describedby="f-us_agent-email-error"`, `value="not an email"`, `value="Agent LLC"`, `value="2029-12-31"`,
		`value="https://maker.example/password"`, `value="passkey" checked`, `<option value="factory_default" selected>`, "Records video when motion is detected.</textarea>"} {
		if !strings.Contains(c.last, want) {
			t.Errorf("the application form after an error lacks %q", want)
		}
	}
	if apps, _ := w.prog.Applications(ctx, mfr, trustmark.ApplicationFilter{}); len(apps) != 0 {
		t.Fatalf("a refused application was stored: %+v", apps)
	}

	// Step 1 done: on to the declarations.
	form.Set("us_agent.email", "agent@agent.example.com")
	form.Set("csrf", c.csrf())
	r = c.post("/portal/manufacturer/applications/new", form)
	if r.StatusCode != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "/declarations?done=application_saved") {
		t.Fatalf("filing the application = %d %q:\n%s", r.StatusCode, r.Header.Get("Location"), c.last)
	}
	declPath := strings.TrimSuffix(r.Header.Get("Location"), "?done=application_saved")
	appPath := strings.TrimSuffix(declPath, "/declarations")
	appID := strings.TrimPrefix(appPath, "/portal/manufacturer/applications/")
	c.follow(r)
	for _, d := range trustmark.Declarations {
		if !strings.Contains(c.last, string(d.Clause)) || !strings.Contains(c.last, d.Text) {
			t.Errorf("the declarations page lacks %s", d.Clause)
		}
	}
	a, err := w.prog.Application(ctx, mfr, appID)
	if err != nil || a.State != trustmark.AppDraft || a.USAgent == nil || a.USAgent.Email != "agent@agent.example.com" || a.Disclosures == nil ||
		a.Disclosures.SupportDate != "2029-12-31" || !a.Disclosures.SBOMHBOMMaintained.SBOMMaintained || len(a.Disclosures.SensorDataCollection) != 3 || len(a.PriorDenials) != 0 {
		t.Fatalf("Application() = %+v, %v", a, err)
	}

	// Submitting before signing: 422 on the application page.
	r = c.submit(appPath, appPath+"/submit", url.Values{})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(c.last, "There is a problem") {
		t.Fatalf("submitting unsigned = %d:\n%s", r.StatusCode, c.last)
	}
	// Signing nothing: 400 beside the declarations.
	r = c.submit(declPath, declPath, url.Values{})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(c.last, `id="f-clauses-error"`) {
		t.Fatalf("signing nothing = %d:\n%s", r.StatusCode, c.last)
	}
	// Step 2: sign all nine.
	clauses := url.Values{}
	for _, d := range trustmark.Declarations {
		clauses.Add("clauses", string(d.Clause))
	}
	r = c.submit(declPath, declPath, clauses)
	if c.follow(r); !strings.Contains(c.last, "9 of 9 signed") || !strings.Contains(c.last, "Your declarations have been signed.") {
		t.Fatalf("after signing:\n%s", c.last)
	}
	// Step 3: submit.
	r = c.submit(appPath, appPath+"/submit", url.Values{})
	if c.follow(r); !strings.Contains(c.last, "Submitted") {
		t.Fatalf("after submitting:\n%s", c.last)
	}
	if a, err = w.prog.Application(ctx, mfr, appID); err != nil || a.State != trustmark.AppSubmitted || len(a.Declarations) != 9 || !strings.Contains(a.Declarations[0].SignedBy, "Pat manufacturer") {
		t.Fatalf("Application() after submit = %+v, %v", a, err)
	}
	// The list shows it with its state; a submitted application can no longer be edited.
	if c.get("/portal/manufacturer/applications"); !strings.Contains(c.last, "Halo Cam 2K") || !strings.Contains(c.last, "state-submitted") {
		t.Errorf("the applications list lacks the application:\n%s", c.last)
	}
	r = c.submit(appPath+"/edit", appPath+"/edit", w.appForm(""))
	if r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusConflict {
		t.Errorf("editing a submitted application = %d, want a refusal", r.StatusCode)
	}
}

// reportForm is the lab's report form with every requirement of the
// catalog passed, as multipart with one evidence file.
func (w *portalEnv) labReportForm(c *browserClient, catalog string, evidenceFor string) (string, io.Reader) {
	w.t.Helper()
	cat, err := w.set.Catalog(catalog)
	if err != nil {
		w.t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.csrf())
	mw.WriteField("catalog", catalog)
	mw.WriteField("signer_title", "Lead test engineer")
	for _, req := range cat.Requirements {
		mw.WriteField("results["+req.ID+"].outcome", "pass")
		if req.ID == evidenceFor {
			fw, _ := mw.CreateFormFile("results["+req.ID+"].evidence", "scan.txt")
			fw.Write([]byte("nmap: 22/tcp closed, 443/tcp open (TLS 1.3)"))
			mw.WriteField("results["+req.ID+"].justification", "Port scan attached.")
		}
	}
	mw.Close()
	return mw.FormDataContentType(), &buf
}

// submittedApplication files a complete, submitted application through the
// program and returns its ID.
func (w *portalEnv) filedApplication(name string) string {
	w.t.Helper()
	ctx := context.Background()
	mfr := w.principalOf(trustmark.OrgManufacturer)
	p, err := w.prog.CreateProduct(ctx, mfr, trustmark.Product{Name: name, ModelNumbers: []string{"M-" + name}, Class: trustmark.ClassCamera,
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: name}}})
	if err != nil {
		w.t.Fatal(err)
	}
	c := w.login(trustmark.OrgManufacturer)
	r := c.submit("/portal/manufacturer/applications/new", "/portal/manufacturer/applications/new", w.appForm(p.ID))
	if r.StatusCode != 303 {
		w.t.Fatalf("filing: %d\n%s", r.StatusCode, c.last)
	}
	id := strings.Split(r.Header.Get("Location"), "/")[4]
	var clauses []trustmark.DeclarationClause
	for _, d := range trustmark.Declarations {
		clauses = append(clauses, d.Clause)
	}
	if _, err := w.prog.SignDeclarations(ctx, mfr, id, clauses); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.prog.Submit(ctx, mfr, id); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// The lab sees the application naming it and enters a report through the
// form, with an evidence file; then uploads one as a JSON file.
func TestPortalLabReports(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) { testPortalLabReports(t, newPortalEnvOn(t, db)) })
}

func testPortalLabReports(t *testing.T, w *portalEnv) {
	ctx := context.Background()
	appID := w.filedApplication("Halo Cam 2K")
	c := w.login(trustmark.OrgLab)
	if c.get("/portal/lab/"); !strings.Contains(c.last, "Halo Cam 2K") || !strings.Contains(c.last, "Acme Devices") {
		t.Fatalf("the lab's list lacks the application:\n%s", c.last)
	}
	appPath := "/portal/lab/applications/" + appID
	if r := c.get(appPath + "/report"); r.StatusCode != 200 || !strings.Contains(c.last, `name="results[1a].outcome"`) {
		t.Fatalf("the report form = %d:\n%.2000s", r.StatusCode, c.last)
	}
	// An error (no signer title) keeps the chosen outcomes.
	ct, body := w.labReportForm(c, "nist-ir-8425", "3c")
	bodyBytes, _ := io.ReadAll(body)
	noTitle := bytes.Replace(bodyBytes, []byte("Lead test engineer"), []byte(""), 1)
	r := c.do("POST", appPath+"/report", ct, bytes.NewReader(noTitle), nil)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(c.last, `id="f-signer_title-error"`) || !strings.Contains(c.last, `<option value="pass" selected>`) || !strings.Contains(c.last, "Port scan attached.</textarea>") {
		t.Fatalf("report without a signer title = %d:\n%.3000s", r.StatusCode, c.last)
	}
	ct, body = w.labReportForm(c, "nist-ir-8425", "3c")
	r = c.do("POST", appPath+"/report", ct, body, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST report = %d:\n%.3000s", r.StatusCode, c.last)
	}
	if c.follow(r); !strings.Contains(c.last, "The test report has been attached") || !strings.Contains(c.last, "Lead test engineer") {
		t.Errorf("the application page after the report:\n%s", c.last)
	}
	reports, _, err := w.prog.Reports(ctx, w.principalOf(trustmark.OrgLab), appID)
	if err != nil || len(reports) != 1 {
		t.Fatalf("Reports() = %d reports, %v", len(reports), err)
	}
	rep := reports[0]
	var ev []trustmark.Evidence
	for _, res := range rep.Results {
		if res.Outcome != trustmark.OutcomePass {
			t.Errorf("result %s = %s, want pass", res.Requirement, res.Outcome)
		}
		ev = append(ev, res.Evidence...)
	}
	if rep.SignerTitle != "Lead test engineer" || !strings.Contains(rep.SignedBy, "Pat lab") || len(ev) != 1 || ev[0].Name != "scan.txt" || ev[0].Size != 43 {
		t.Errorf("report = signer %q %q, evidence %+v", rep.SignedBy, rep.SignerTitle, ev)
	}

	// Uploading a report file: a broken file is refused beside the field.
	upload := func(name string, content []byte) *http.Response {
		c.get(appPath)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf", c.csrf())
		fw, _ := mw.CreateFormFile("report", name)
		fw.Write(content)
		mw.Close()
		return c.do("POST", appPath+"/report/upload", mw.FormDataContentType(), &buf, nil)
	}
	if r := upload("r.json", []byte(`{"catalog": "nist-ir-8425", "results": [`)); r.StatusCode != http.StatusBadRequest || !strings.Contains(c.last, `id="f-report-error"`) {
		t.Errorf("uploading broken JSON = %d:\n%s", r.StatusCode, c.last)
	}
	if r := upload("r.json", []byte(`{"catalog": "nist-ir-8425", "results": [{"requirement": "no-such", "outcome": "pass"}], "signer_title": "Engineer"}`)); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("uploading a report with an unknown requirement = %d:\n%s", r.StatusCode, c.last)
	}
	cat, _ := w.set.Catalog("nist-ir-8425")
	var jr trustmark.TestReport
	jr.Catalog, jr.SignerTitle = "nist-ir-8425", "Retest engineer"
	for _, req := range cat.Requirements {
		jr.Results = append(jr.Results, trustmark.ReportResult{Requirement: req.ID, Outcome: trustmark.OutcomePass})
	}
	raw, _ := json.Marshal(jr)
	if r := upload("report.json", raw); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("uploading a report = %d:\n%s", r.StatusCode, c.last)
	}
	if reports, _, _ = w.prog.Reports(ctx, w.principalOf(trustmark.OrgLab), appID); len(reports) != 2 || reports[1].SignerTitle != "Retest engineer" {
		t.Errorf("after the upload there are %d reports", len(reports))
	}
}

// After the grant the manufacturer downloads the artwork and extends the
// support period through the disclosure form.
func TestPortalManufacturerGrants(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) { testPortalManufacturerGrants(t, newPortalEnvOn(t, db)) })
}

func testPortalManufacturerGrants(t *testing.T, w *portalEnv) {
	ctx := context.Background()
	appID := w.filedApplication("Halo Cam 2K")
	lab := w.principalOf(trustmark.OrgLab)
	cat, _ := w.set.Catalog("nist-ir-8425")
	rep := trustmark.TestReport{Catalog: "nist-ir-8425", SignerTitle: "Engineer"}
	for _, req := range cat.Requirements {
		rep.Results = append(rep.Results, trustmark.ReportResult{Requirement: req.ID, Outcome: trustmark.OutcomePass})
	}
	if _, err := w.prog.AttachReport(ctx, lab, appID, rep); err != nil {
		t.Fatal(err)
	}
	a, err := w.prog.Decide(ctx, w.principalOf(trustmark.OrgCLA), appID, trustmark.AppGranted, "")
	if err != nil {
		t.Fatalf("Decide() = %v", err)
	}
	id := string(a.Decision.LabelID)
	c := w.login(trustmark.OrgManufacturer)
	if c.get("/portal/manufacturer/grants"); !strings.Contains(c.last, `href="/p/`+id+`"`) || !strings.Contains(c.last, "/portal/manufacturer/grants/"+id+"/artwork.svg") {
		t.Fatalf("the grants page lacks the registry or artwork links:\n%s", c.last)
	}
	for _, f := range []struct{ file, ct string }{{"artwork.svg", "image/svg+xml"}, {"artwork.pdf", "application/pdf"}, {"artwork.png", "image/png"}} {
		r := c.get("/portal/manufacturer/grants/" + id + "/" + f.file)
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), f.ct) || len(c.last) < 100 {
			t.Errorf("GET %s = %d %q (%d bytes)", f.file, r.StatusCode, r.Header.Get("Content-Type"), len(c.last))
		}
	}
	if r := c.get("/portal/manufacturer/grants/" + id + "/artwork.gif"); r.StatusCode != 404 {
		t.Errorf("GET artwork.gif = %d, want 404", r.StatusCode)
	}
	disc := "/portal/manufacturer/grants/" + id + "/disclosures"
	if c.get(disc); !strings.Contains(c.last, `value="2029-12-31"`) || !strings.Contains(c.last, `value="sbom" checked`) {
		t.Fatalf("the disclosure form is not filled with the record:\n%s", c.last)
	}
	form := w.appForm("")
	form.Set("support_date", "2028-01-01")
	r := c.submit(disc, disc, form)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(c.last, "cannot move earlier") || !strings.Contains(c.last, `value="2028-01-01"`) {
		t.Errorf("shortening the support period = %d:\n%s", r.StatusCode, c.last)
	}
	form.Set("support_date", "2031-06-30")
	if r = c.submit(disc, disc, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("extending the support period = %d:\n%s", r.StatusCode, c.last)
	}
	if r := c.get("/api/v1/registry/" + id); !strings.Contains(c.last, `"support_date":"2031-06-30"`) {
		t.Errorf("the registry record after the update (%d): %s", r.StatusCode, c.last)
	}
	// Lists addressed to the manufacturer.
	for _, p := range []string{"/portal/manufacturer/complaints", "/portal/manufacturer/surveillance", "/portal/manufacturer/"} {
		if r := c.get(p); r.StatusCode != 200 {
			t.Errorf("GET %s = %d", p, r.StatusCode)
		}
	}
}

// Changing the password: a mismatch and a wrong old password are shown
// beside their fields; success keeps this session and ends others.
func TestPortalPassword(t *testing.T) {
	w := newPortalEnv(t)
	c := w.login(trustmark.OrgLab)
	other := w.login(trustmark.OrgLab)
	cases := []struct {
		old, new, confirm string
		status            int
		field             string
	}{
		{portalPassword, "a brand new passphrase", "a different one entirely", 400, "confirm_password"},
		{"not my password at all", "a brand new passphrase", "a brand new passphrase", 400, "old_password"},
		{portalPassword, "short", "short", 400, "new_password"},
	}
	for _, tc := range cases {
		r := c.submit("/portal/password", "/portal/password", url.Values{"old_password": {tc.old}, "new_password": {tc.new}, "confirm_password": {tc.confirm}})
		if r.StatusCode != tc.status || !strings.Contains(c.last, fmt.Sprintf(`id="f-%s-error"`, tc.field)) {
			t.Errorf("change %q→%q = %d, want %d with an error beside %s", tc.old, tc.new, r.StatusCode, tc.status, tc.field)
		}
		if strings.Contains(c.last, tc.new) || strings.Contains(c.last, tc.old) {
			t.Errorf("the password form shows a typed password")
		}
	}
	r := c.submit("/portal/password", "/portal/password", url.Values{"old_password": {portalPassword}, "new_password": {"a brand new passphrase"}, "confirm_password": {"a brand new passphrase"}})
	if r.StatusCode != 303 {
		t.Fatalf("changing the password = %d:\n%s", r.StatusCode, c.last)
	}
	if r := c.get("/portal/lab/"); r.StatusCode != 200 {
		t.Errorf("this session after the change = %d, want 200", r.StatusCode)
	}
	if r := other.get("/portal/lab/"); r.StatusCode != 303 {
		t.Errorf("another session after the change = %d, want a redirect to sign in", r.StatusCode)
	}
	fresh := w.client()
	if r := fresh.submit("/portal/login", "/portal/login", url.Values{"email": {"lab@example.com"}, "password": {"a brand new passphrase"}}); r.StatusCode != 303 {
		t.Errorf("signing in with the new password = %d", r.StatusCode)
	}
}

// Portal pages speak Spanish when asked, and remember it.
func TestPortalSpanish(t *testing.T) {
	w := newPortalEnv(t)
	c := w.client()
	if c.get("/portal/login?lang=es"); !strings.Contains(c.last, `<html lang="es">`) || !strings.Contains(c.last, "Iniciar sesión") {
		t.Fatalf("the Spanish sign-in page:\n%s", c.last)
	}
	c.submit("/portal/login", "/portal/login", url.Values{"email": {"manufacturer@example.com"}, "password": {portalPassword}})
	if c.get("/portal/manufacturer/products"); !strings.Contains(c.last, `<html lang="es">`) || !strings.Contains(c.last, "Añadir un producto") {
		t.Errorf("the products page after choosing Spanish is not in Spanish:\n%s", c.last)
	}
}
