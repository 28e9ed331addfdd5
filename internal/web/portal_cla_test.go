package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/demo"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
	"trustmark/internal/storetest"
	"trustmark/internal/web"
)

// claEnv is the demo dataset in SQLite served by a server whose
// program the test can also call directly, at the tests' fixed time.
type claEnv struct {
	t    *testing.T
	db   trustmark.Store
	prog *program.Program
	srv  *web.Server
	set  *criteria.Set
}

func newCLAEnv(t *testing.T) *claEnv {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newCLAEnvOn(t, db)
}

// newCLAEnvOn is newCLAEnv on a given, empty store.
func newCLAEnvOn(t *testing.T, db trustmark.Store) *claEnv {
	t.Helper()
	return buildCLAEnv(t, db, bytes.Repeat([]byte{9}, 32))
}

// buildCLAEnv loads the demo into db and serves it; webhookKey nil runs
// the server without webhooks.
func buildCLAEnv(t *testing.T, db trustmark.Store, webhookKey []byte) *claEnv {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.LoadAt(ctx, db, now); err != nil {
		t.Fatal(err)
	}
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	// No deliverer runs, even with webhooks enabled.
	clock := func() time.Time { return now }
	prog := program.New(db, set, program.Config{Now: clock, WebhookKey: webhookKey})
	srv, err := web.NewServer(db, web.Config{BaseURL: base, Now: clock, Program: prog, Criteria: set, WebhookPoll: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &claEnv{t: t, db: db, prog: prog, srv: srv, set: set}
}

// principal returns a principal of a demo organization, through a token.
func (w *claEnv) principal(orgID string) *trustmark.Principal {
	w.t.Helper()
	ctx := context.Background()
	_, secret, err := w.prog.OperatorToken(ctx, orgID, "Test person", trustmark.RoleMember)
	if err != nil {
		w.t.Fatal(err)
	}
	pr, err := w.prog.Authenticate(ctx, secret)
	if err != nil {
		w.t.Fatal(err)
	}
	return pr
}

// submittedApplication has the demo manufacturer Northwind file a complete
// application with Keystone, tested by Ferrous, and, when report is set,
// Ferrous attach a report passing every NIST IR 8425 requirement.
func (w *claEnv) submittedApplication(name string, report bool) *trustmark.Application {
	w.t.Helper()
	ctx := context.Background()
	mfr := w.principal("org_demo_northwind")
	prod, err := w.prog.CreateProduct(ctx, mfr, trustmark.Product{Name: name, ModelNumbers: []string{"M-" + name}, Class: trustmark.ClassCamera,
		HardwareVersion: "1", SoftwareVersion: "1.0", Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: name}}})
	if err != nil {
		w.t.Fatal(err)
	}
	d := storetest.Disclosures("2031-06-30")
	a, err := w.prog.CreateApplication(ctx, mfr, program.ApplicationInput{ProductID: prod.ID, CLAID: "org_demo_keystone", LabID: "org_demo_ferrous", Disclosures: &d,
		USAgent: &trustmark.USAgent{Name: "Agent LLC", Address: "1 K St, Washington, DC", Email: "agent@agent.example.com", Phone: "+1 202 555 0100", AttestedBy: "Pat Agent"}})
	if err != nil {
		w.t.Fatal(err)
	}
	var clauses []trustmark.DeclarationClause
	for _, d := range trustmark.Declarations {
		clauses = append(clauses, d.Clause)
	}
	if _, err := w.prog.SignDeclarations(ctx, mfr, a.ID, clauses); err != nil {
		w.t.Fatal(err)
	}
	if a, err = w.prog.Submit(ctx, mfr, a.ID); err != nil {
		w.t.Fatal(err)
	}
	if report {
		c, err := w.set.Catalog(program.USCatalog)
		if err != nil {
			w.t.Fatal(err)
		}
		r := trustmark.TestReport{Catalog: program.USCatalog, SignerTitle: "Lead test engineer"}
		for _, req := range c.Requirements {
			r.Results = append(r.Results, trustmark.ReportResult{Requirement: req.ID, Outcome: trustmark.OutcomePass})
		}
		if _, err := w.prog.AttachReport(ctx, w.principal("org_demo_ferrous"), a.ID, r); err != nil {
			w.t.Fatal(err)
		}
	}
	return a
}

// claSession is a signed-in (or anonymous) client of the server: it
// keeps cookies and the session's CSRF token like a browser would.
type claSession struct {
	t       *testing.T
	srv     http.Handler
	cookies map[string]*http.Cookie
	csrf    string
}

// anonymous returns a client without a session.
func (w *claEnv) anonymous() *claSession {
	return &claSession{t: w.t, srv: w.srv, cookies: map[string]*http.Cookie{}}
}

// signIn signs in through the sign-in form as one of the demo's users.
func (w *claEnv) signIn(email string) *claSession {
	w.t.Helper()
	b := w.anonymous()
	resp, page := b.get("/portal/login")
	if resp.StatusCode != 200 {
		w.t.Fatalf("GET /portal/login = %d", resp.StatusCode)
	}
	token := claFormToken(w.t, page)
	resp, _ = b.post("/portal/login", url.Values{"csrf": {token}, "email": {email}, "password": {demo.Password}, "next": {"/portal/"}})
	if resp.StatusCode != http.StatusSeeOther {
		w.t.Fatalf("sign in as %s = %d, want 303", email, resp.StatusCode)
	}
	resp, page = b.get("/portal/password") // any signed-in page, for the session's form token
	if resp.StatusCode != 200 {
		w.t.Fatalf("after sign-in GET /portal/password = %d", resp.StatusCode)
	}
	b.csrf = claFormToken(w.t, page)
	return b
}

var claCSRFRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func claFormToken(t *testing.T, page string) string {
	t.Helper()
	m := claCSRFRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", page)
	}
	return m[1]
}

func (b *claSession) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.srv.ServeHTTP(rec, req)
	resp := rec.Result()
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *claSession) get(path string) (*http.Response, string) {
	b.t.Helper()
	return b.do(httptest.NewRequest("GET", path, nil))
}

func (b *claSession) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// submit posts a form with the session's CSRF token.
func (b *claSession) submit(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	f := url.Values{"csrf": {b.csrf}}
	for k, v := range form {
		f[k] = v
	}
	return b.post(path, f)
}

// claRoute is a route of the CLA or oversight portal, with the kinds of
// organization allowed on it (by a demo user's email).
type claRoute struct {
	method, path0 string   // path0 is the pattern of routes.go
	allowed       []string // emails of demo users who may open it
	refused       []string // emails of demo users who get 403
}

const (
	keystoneUser  = "kim@keystone.example"
	meridianUser  = "mira@meridian.example"
	leadUser      = "leo@lead.example"
	regulatorUser = "rita@regulator.example"
	mfrUser       = "ana@northwind.example"
	labUser       = "fern@ferrous.example"
)

// checkPortalRoutes checks that anonymous callers are sent to sign in,
// wrong kinds of organization get 403, and POSTs without the session's
// form token get 403 and change nothing.
func checkPortalRoutes(t *testing.T, w *claEnv, routes []claRoute, ids routeIDs) {
	sessions := map[string]*claSession{}
	as := func(email string) *claSession {
		if sessions[email] == nil {
			sessions[email] = w.signIn(email)
		}
		return sessions[email]
	}
	for _, rt := range routes {
		path := rt.path(ids)
		anon := w.anonymous()
		var resp *http.Response
		if rt.method == "GET" {
			resp, _ = anon.get(path)
		} else {
			resp, _ = anon.post(path, url.Values{"csrf": {"x"}})
		}
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/login") {
			t.Errorf("anonymous %s %s = %d to %q, want 303 to /portal/login", rt.method, path, resp.StatusCode, loc)
		}
		if rt.method == "GET" && !strings.Contains(resp.Header.Get("Location"), "next="+url.QueryEscape(path)) {
			t.Errorf("anonymous GET %s: the sign-in page would not come back here (%s)", path, resp.Header.Get("Location"))
		}
		for _, email := range rt.refused {
			b := as(email)
			if rt.method == "GET" {
				resp, _ = b.get(path)
			} else {
				resp, _ = b.submit(path, url.Values{})
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s as %s = %d, want 403", rt.method+" "+path, email, resp.StatusCode)
			}
		}
		for _, email := range rt.allowed {
			b := as(email)
			if rt.method == "GET" {
				resp, page := b.get(path)
				if resp.StatusCode != 200 {
					t.Errorf("GET %s as %s = %d, want 200\n%s", path, email, resp.StatusCode, page)
				}
				if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self'") || strings.Contains(page, " style=") {
					t.Errorf("GET %s: CSP %q, or an inline style in the page", path, csp)
				}
				continue
			}
			// Without the form token, or with a wrong one, nothing happens.
			for name, token := range map[string]string{"no token": "", "a wrong token": "not-the-token"} {
				resp, _ := b.post(path, url.Values{"csrf": {token}})
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s as %s with %s = %d, want 403", rt.method, path, email, name, resp.StatusCode)
				}
			}
		}
	}
}

// claRoutes are the CLA portal's routes by pattern, with who may open them.
var claRoutes = []claRoute{
	{"GET", "/portal/cla/{$}", []string{keystoneUser, meridianUser}, notCLA},
	{"GET", "/portal/cla/applications/{id}", []string{keystoneUser}, notCLA},
	{"POST", "/portal/cla/applications/{id}/decision", []string{keystoneUser}, notCLA},
	{"POST", "/portal/cla/applications/{id}/request-info", []string{keystoneUser}, notCLA},
	{"POST", "/portal/cla/applications/{id}/review", []string{keystoneUser}, notCLA},
	{"GET", "/portal/cla/grants", []string{keystoneUser, meridianUser}, notCLA},
	{"GET", "/portal/cla/grants/{label_id}", []string{keystoneUser}, notCLA},
	{"POST", "/portal/cla/grants/{label_id}/status", []string{keystoneUser}, notCLA},
	{"GET", "/portal/cla/surveillance", []string{keystoneUser, meridianUser}, notCLA},
	{"POST", "/portal/cla/surveillance/plans", []string{keystoneUser}, notCLA},
	{"GET", "/portal/cla/surveillance/samples/{id}", []string{keystoneUser}, notCLA},
	{"POST", "/portal/cla/surveillance/samples/{id}/result", []string{keystoneUser}, notCLA},
	{"GET", "/portal/cla/complaints", []string{keystoneUser, meridianUser}, notCLA},
	{"GET", "/portal/cla/complaints/{id}", []string{keystoneUser}, notCLA},
	{"POST", "/portal/cla/complaints/{id}/action", []string{keystoneUser}, notCLA},
}

var notCLA = []string{mfrUser, labUser, leadUser, regulatorUser}

// routeIDs are the things a test's route patterns stand for.
type routeIDs struct {
	app, sample, complaint string
	label                  trustmark.LabelID
	lab                    string
}

// path fills a pattern's wildcards with ids.
func (rt claRoute) path(ids routeIDs) string {
	p := strings.ReplaceAll(rt.path0, "{$}", "")
	switch {
	case strings.Contains(p, "/applications/{id}"):
		p = strings.ReplaceAll(p, "{id}", ids.app)
	case strings.Contains(p, "/samples/{id}"):
		p = strings.ReplaceAll(p, "{id}", ids.sample)
	case strings.Contains(p, "/complaints/{id}"):
		p = strings.ReplaceAll(p, "{id}", ids.complaint)
	}
	p = strings.ReplaceAll(p, "{label_id}", string(ids.label))
	return strings.ReplaceAll(p, "{org_id}", ids.lab)
}

// Every route of the CLA and oversight portals in routes.go is in the
// tables the access tests check (portal_test.go leaves these areas to them).
func TestCLAAndOversightRoutesListed(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, rt := range append(append([]claRoute{}, claRoutes...), oversightRoutes...) {
		listed[rt.method+" "+rt.path0] = true
	}
	found := 0
	for _, m := range regexp.MustCompile(`"((?:GET|POST) /portal/(?:cla|oversight)/[^"]*)"`).FindAllStringSubmatch(string(src), -1) {
		found++
		if !listed[m[1]] {
			t.Errorf("routes.go has %q, which the access tables do not list", m[1])
		}
		delete(listed, m[1])
	}
	for k := range listed {
		t.Errorf("the access tables list %q, which routes.go does not have", k)
	}
	if found < 20 {
		t.Errorf("found only %d CLA and oversight routes in routes.go; the scan is broken", found)
	}
}

func TestCLAPortalAccess(t *testing.T) {
	w := newCLAEnv(t)
	ctx := context.Background()
	app := w.submittedApplication("Access Cam", true)
	keystone := w.principal("org_demo_keystone")
	if _, err := w.prog.CreatePlan(ctx, keystone, program.PlanInput{Year: 2026, Share: 1}); err != nil {
		t.Fatal(err)
	}
	samples, err := w.prog.Samples(ctx, keystone)
	if err != nil || len(samples) == 0 {
		t.Fatalf("samples: %v, %v", samples, err)
	}
	c, err := w.prog.FileComplaint(ctx, nil, trustmark.Complaint{LabelID: demo.LabelID("halo-cam-2k"), Text: "The camera streams without a password."})
	if err != nil {
		t.Fatal(err)
	}
	thermo := string(demo.LabelID("thermo-one"))
	checkPortalRoutes(t, w, claRoutes, routeIDs{app: app.ID, sample: samples[0].ID, complaint: c.ID, label: demo.LabelID("thermo-one")})

	// Another CLA neither sees nor decides Keystone's application.
	meridian := w.signIn(meridianUser)
	if resp, _ := meridian.get("/portal/cla/applications/" + app.ID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another CLA opens the application: %d, want 404", resp.StatusCode)
	}
	if resp, _ := meridian.submit("/portal/cla/applications/"+app.ID+"/decision", url.Values{"outcome": {"granted"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another CLA decides the application: %d, want 404", resp.StatusCode)
	}
	if resp, _ := meridian.get("/portal/cla/grants/" + thermo); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another CLA opens Keystone's grant: %d, want 404", resp.StatusCode)
	}
	got, err := w.prog.Application(context.Background(), w.principal("org_demo_keystone"), app.ID)
	if err != nil || got.State != trustmark.AppSubmitted {
		t.Errorf("after refused posts the application is %v (%v), want still submitted", got.State, err)
	}
	// The wrong-kind answer is the portal's page, in the reader's language.
	if resp, page := w.signIn(mfrUser).get("/portal/cla/?lang=es"); resp.StatusCode != 403 || !strings.Contains(page, `lang="es"`) {
		t.Errorf("manufacturer on the CLA queue = %d, want a 403 page in Spanish", resp.StatusCode)
	}
}

// The queue lists the applications waiting with their clocks, due first,
// and shows an overdue deadline in words and with an icon.
func TestCLAQueuePage(t *testing.T) {
	w := newCLAEnv(t)
	ctx := context.Background()
	keystone := w.principal("org_demo_keystone")
	waiting := w.submittedApplication("Waiting Cam", false)
	asked := w.submittedApplication("Asked Cam", false)
	if _, err := w.prog.RequestInfo(ctx, keystone, asked.ID, "Send the firmware signing policy.", 5); err != nil {
		t.Fatal(err)
	}
	b := w.signIn(keystoneUser)
	resp, page := b.get("/portal/cla/")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /portal/cla/ = %d", resp.StatusCode)
	}
	iAsked, iWaiting := strings.Index(page, "Asked Cam"), strings.Index(page, "Waiting Cam")
	if iAsked < 0 || iWaiting < 0 || iAsked > iWaiting {
		t.Errorf("queue order: Asked Cam at %d, Waiting Cam at %d; want the one with a deadline first", iAsked, iWaiting)
	}
	for _, want := range []string{"2026-12-03", "in 5 days", "Applicant&#39;s answer due (8.210)", "No deadline in the rules",
		`href="/portal/cla/applications/` + waiting.ID + `"`, "Northwind Home Devices"} {
		if !strings.Contains(page, want) {
			t.Errorf("queue lacks %q", want)
		}
	}
	if strings.Contains(page, "Deadline passed") {
		t.Errorf("queue shows an overdue deadline before it passed")
	}
	// Six days later the applicant's deadline has passed.
	late := newCLAEnvAt(t, w, now.Add(6*24*time.Hour))
	_, page = late.signIn(keystoneUser).get("/portal/cla/?lang=es")
	if !strings.Contains(page, `class="overdue"`) || !strings.Contains(page, "Plazo vencido: puede desestimarla") || !strings.Contains(page, `<span class="due due-overdue"><svg`) {
		t.Errorf("an overdue deadline is not highlighted in words and with an icon:\n%s", page)
	}
}

// newCLAEnvAt serves w's store at another time.
func newCLAEnvAt(t *testing.T, w *claEnv, at time.Time) *claEnv {
	t.Helper()
	clock := func() time.Time { return at }
	prog := program.New(w.db, w.set, program.Config{Now: clock})
	srv, err := web.NewServer(w.db, web.Config{BaseURL: base, Now: clock, Program: prog, Criteria: w.set})
	if err != nil {
		t.Fatal(err)
	}
	return &claEnv{t: t, db: w.db, prog: prog, srv: srv, set: w.set}
}

// The CLA grants an application with a passing report through the
// decision form; the registry shows the new record at once.
func TestCLAGrantsThroughTheForm(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) { testCLAGrantsThroughTheForm(t, newCLAEnvOn(t, db)) })
}

func testCLAGrantsThroughTheForm(t *testing.T, w *claEnv) {
	app := w.submittedApplication("Portal Cam", true)
	b := w.signIn(keystoneUser)
	resp, page := b.get("/portal/cla/applications/" + app.ID)
	if resp.StatusCode != 200 {
		t.Fatalf("GET application = %d", resp.StatusCode)
	}
	for _, want := range []string{"meets every mandatory requirement of NIST IR 8425", `action="/portal/cla/applications/` + app.ID + `/decision"`,
		`<option value="granted">Grant</option>`, "Ferrous Test Laboratories", "9 of 9 signed"} {
		if !strings.Contains(page, want) {
			t.Errorf("application page lacks %q", want)
		}
	}
	if strings.Contains(page, `<option value="granted" selected>`) {
		t.Errorf("the decision form preselects a grant")
	}
	resp, _ = b.submit("/portal/cla/applications/"+app.ID+"/decision", url.Values{"outcome": {"granted"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/portal/cla/applications/"+app.ID+"?done=cla_granted" {
		t.Fatalf("grant = %d to %q, want 303 back to the application", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page = b.get(resp.Header.Get("Location"))
	m := regexp.MustCompile(`href="/p/([A-Z0-9-]+)"`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(page, "the label and its registry record are published") {
		t.Fatalf("after the grant the application page has no label link or confirmation:\n%s", page)
	}
	label := m[1]
	resp, body := w.anonymous().get("/api/v1/registry/" + label)
	var rec trustmark.RegistryRecord
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &rec) != nil || rec.ProductName != "Portal Cam" || rec.Status != trustmark.GrantActive ||
		rec.AuthorizedBy.Name != "Keystone Conformity Services" {
		t.Errorf("registry record of %s = %d %+v; want the active Portal Cam authorized by Keystone", label, resp.StatusCode, rec)
	}
	if resp, page := w.anonymous().get("/p/" + label); resp.StatusCode != 200 || !strings.Contains(page, "Portal Cam") || !strings.Contains(page, "Authorized") {
		t.Errorf("GET /p/%s = %d; want the consumer page of the new record", label, resp.StatusCode)
	}
	// The queue no longer holds it; the grant is in the CLA's list.
	if _, page := b.get("/portal/cla/"); strings.Contains(page, "Portal Cam") {
		t.Errorf("the granted application is still in the queue")
	}
	if _, page := b.get("/portal/cla/grants?status=active"); !strings.Contains(page, label) || !strings.Contains(page, "Portal Cam") {
		t.Errorf("the new grant is not in the CLA's active grants")
	}
	// Granting twice is refused with the rule, above the form.
	resp, page = b.submit("/portal/cla/applications/"+app.ID+"/decision", url.Values{"outcome": {"granted"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("granting again = %d, want 409", resp.StatusCode)
	}
}

// Bad input re-renders the form with the error beside the field and every
// typed value kept; nothing is written.
func TestCLAFormErrors(t *testing.T) {
	w := newCLAEnv(t)
	app := w.submittedApplication("Error Cam", false)
	b := w.signIn(keystoneUser)
	path := "/portal/cla/applications/" + app.ID
	cases := []struct {
		name, action string
		form         url.Values
		status       int
		field        string // the field whose error is shown beside it ("" for the summary only)
		kept         []string
		message      string
	}{
		{"deny without reasons", "/decision", url.Values{"outcome": {"denied"}, "reasons": {"no"}}, 400, "reasons",
			[]string{`<option value="denied" selected>`, `>no</textarea>`}, "needs written reasons"},
		{"no outcome", "/decision", url.Values{"reasons": {"Telnet is open on port 23."}}, 400, "outcome",
			[]string{`>Telnet is open on port 23.</textarea>`}, "choose grant, deny or dismiss"},
		{"grant without a report", "/decision", url.Values{"outcome": {"granted"}}, 422, "",
			[]string{`<option value="granted" selected>`}, "8.208(j)"},
		{"days not a number", "/request-info", url.Values{"message": {"Send the SBOM <please>"}, "days": {"ten"}}, 400, "days",
			[]string{`>Send the SBOM &lt;please&gt;</textarea>`, `value="ten"`}, "whole number of days"},
		{"days out of range", "/request-info", url.Values{"message": {"Send the SBOM."}, "days": {"400"}}, 400, "days",
			[]string{`value="400"`, `>Send the SBOM.</textarea>`}, "1 to 180 days"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, page := b.submit(path+c.action, c.form)
			if resp.StatusCode != c.status {
				t.Fatalf("POST %s = %d, want %d\n%s", c.action, resp.StatusCode, c.status, page)
			}
			if !strings.Contains(page, `role="alert"`) || !strings.Contains(page, c.message) {
				t.Errorf("no error summary saying %q", c.message)
			}
			if c.field != "" {
				errID := `id="f-` + c.field + `-error"`
				if !strings.Contains(page, errID) || !regexp.MustCompile(`id="f-`+c.field+`"[^>]*aria-invalid="true"`).MatchString(page) {
					t.Errorf("no error beside the %s field (want %s and aria-invalid)", c.field, errID)
				}
			}
			for _, k := range c.kept {
				if !strings.Contains(page, k) {
					t.Errorf("the typed value is lost: no %q in the page", k)
				}
			}
		})
	}
	got, err := w.prog.Application(context.Background(), w.principal("org_demo_keystone"), app.ID)
	if err != nil || got.State != trustmark.AppSubmitted || got.Decision != nil || got.InfoRequest != nil {
		t.Errorf("after refused forms the application is %s with decision %v; want unchanged", got.State, got.Decision)
	}
	// A real denial then goes through, reasons and all.
	resp, _ := b.submit(path+"/decision", url.Values{"outcome": {"denied"}, "reasons": {"Telnet is open with default credentials."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deny with reasons = %d, want 303", resp.StatusCode)
	}
	if _, page := b.get(path); !strings.Contains(page, "Denied") || !strings.Contains(page, "Telnet is open with default credentials.") {
		t.Errorf("the application page does not show the denial and its reasons")
	}
}

// Grants, surveillance and complaints: the CLA's other forms reach the program.
func TestCLAGrantSurveillanceAndComplaints(t *testing.T) {
	w := newCLAEnv(t)
	ctx := context.Background()
	b := w.signIn(keystoneUser)

	// Suspend an active grant without a reason: refused beside the field.
	cam := string(demo.LabelID("halo-cam-2k"))
	resp, page := b.submit("/portal/cla/grants/"+cam+"/status", url.Values{"status": {"suspended"}})
	if resp.StatusCode != 400 || !strings.Contains(page, `id="f-reason-error"`) || !strings.Contains(page, `<option value="suspended" selected>`) {
		t.Errorf("suspend without a reason = %d; want 400 with the error beside the reason and the choice kept", resp.StatusCode)
	}
	resp, _ = b.submit("/portal/cla/grants/"+cam+"/status", url.Values{"status": {"suspended"}, "reason": {"The camera's stream is unauthenticated."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend = %d, want 303", resp.StatusCode)
	}
	if _, page := w.anonymous().get("/p/" + cam); !strings.Contains(page, "Authorization suspended") {
		t.Errorf("the consumer page does not show the suspension")
	}
	if _, page := b.get("/portal/cla/grants/" + cam); !strings.Contains(page, "Cured: back to active") || !strings.Contains(page, "2026-12-18") {
		t.Errorf("the suspended grant's page lacks the cure choice or its deadline (2026-12-18)")
	}

	// A plan: bad share, then a real one sampling every active grant.
	resp, page = b.submit("/portal/cla/surveillance/plans", url.Values{"year": {"2026"}, "share": {"150"}, "seed": {"7"}})
	if resp.StatusCode != 400 || !strings.Contains(page, `id="f-share-error"`) || !strings.Contains(page, `value="150"`) || !strings.Contains(page, `value="7"`) {
		t.Errorf("plan with a share of 150 %% = %d; want 400 with the error beside the share and the values kept", resp.StatusCode)
	}
	resp, _ = b.submit("/portal/cla/surveillance/plans", url.Values{"year": {"2026"}, "share": {"100"}, "seed": {"7"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("plan = %d, want 303", resp.StatusCode)
	}
	samples, err := w.prog.Samples(ctx, w.principal("org_demo_keystone"))
	if err != nil || len(samples) == 0 {
		t.Fatalf("samples after the plan: %v, %v", samples, err)
	}
	_, page = b.get("/portal/cla/surveillance")
	if !strings.Contains(page, "100 %") || !strings.Contains(page, "/portal/cla/surveillance/samples/"+samples[0].ID) {
		t.Errorf("the surveillance page lacks the plan or its samples")
	}
	sp := "/portal/cla/surveillance/samples/" + samples[0].ID
	resp, page = b.submit(sp+"/result", url.Values{"result": {"failed"}})
	if resp.StatusCode != 400 || !strings.Contains(page, `id="f-findings-error"`) {
		t.Errorf("failed sample without findings = %d; want 400 beside the findings", resp.StatusCode)
	}
	resp, _ = b.submit(sp+"/result", url.Values{"result": {"passed"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("passed sample = %d, want 303", resp.StatusCode)
	}
	if _, page := b.get(sp); !strings.Contains(page, "Passed") || strings.Contains(page, `action="`+sp+`/result"`) {
		t.Errorf("the recorded sample still offers the result form or does not say it passed")
	}

	// A complaint: listed, then referred with a note.
	c, err := w.prog.FileComplaint(ctx, nil, trustmark.Complaint{LabelID: demo.LabelID("halo-doorbell"), Text: "The doorbell's chime accepts admin/admin.", Contact: "pat@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, page := b.get("/portal/cla/complaints"); !strings.Contains(page, "/portal/cla/complaints/"+c.ID) || !strings.Contains(page, "Halo Video Doorbell") {
		t.Errorf("the complaints page does not list the complaint")
	}
	cp := "/portal/cla/complaints/" + c.ID
	if _, page := b.get(cp); !strings.Contains(page, "mailto:pat@example.com") {
		t.Errorf("the complaint page does not show the complainant's contact to the CLA")
	}
	resp, page = b.submit(cp+"/action", url.Values{"action": {"refer"}, "note": {"x"}})
	if resp.StatusCode != 400 || !strings.Contains(page, `id="f-note-error"`) || !strings.Contains(page, `<option value="refer" selected>`) {
		t.Errorf("refer with a one-letter note = %d; want 400 beside the note", resp.StatusCode)
	}
	resp, _ = b.submit(cp+"/action", url.Values{"action": {"refer"}, "note": {"Needs the Lead Administrator's view."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("refer = %d, want 303", resp.StatusCode)
	}
	if _, page := b.get(cp); !strings.Contains(page, "With the Lead Administrator") || strings.Contains(page, `action="`+cp+`/action"`) {
		t.Errorf("after referral the complaint is not with the Lead Administrator, or still offers the CLA the form")
	}
}
