package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
	"trustmark/internal/storetest"
	"trustmark/internal/web"
)

// This file holds the authorization matrix: every /api/v1/ route of
// routes.go, called by every kind of party, against one world built through
// the API itself. Requests that change state each run against a fresh copy
// of that world, so no case can spoil the next.

// authzNow is the matrix world's fixed clock.
var authzNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// authzCaller names one caller of the matrix.
type authzCaller string

// The callers: no token, three bad tokens, and a token of every kind of
// party and role.
const (
	callerNone      authzCaller = "none"
	callerMalformed authzCaller = "malformed-token"
	callerUnknown   authzCaller = "unknown-token" // well-formed, never issued
	callerRevoked   authzCaller = "revoked-token" // an LA admin token, revoked
	callerLAAdmin   authzCaller = "la-admin"
	callerLAViewer  authzCaller = "la-viewer"
	callerRegulator authzCaller = "regulator"
	callerCLAA      authzCaller = "cla-a" // the CLA of M1's applications and grant
	callerCLAB      authzCaller = "cla-b" // another CLA
	callerLabA      authzCaller = "lab-a" // the lab M1's applications name
	callerLabB      authzCaller = "lab-b" // another recognized lab
	callerM1Admin   authzCaller = "m1-admin"
	callerM1Member  authzCaller = "m1-member"
	callerM1Viewer  authzCaller = "m1-viewer"
	callerM2        authzCaller = "m2" // another manufacturer (admin token)
)

// Groups of callers.
var (
	authzCallers = []authzCaller{callerNone, callerMalformed, callerUnknown, callerRevoked,
		callerLAAdmin, callerLAViewer, callerRegulator, callerCLAA, callerCLAB, callerLabA, callerLabB,
		callerM1Admin, callerM1Member, callerM1Viewer, callerM2}
	badTokens  = []authzCaller{callerMalformed, callerUnknown, callerRevoked}
	anyToken   = slices.Clone(authzCallers[4:])                 // every valid token
	anyone     = append([]authzCaller{callerNone}, anyToken...) // valid tokens and no token
	overseers  = []authzCaller{callerLAAdmin, callerLAViewer, callerRegulator}
	m1         = []authzCaller{callerM1Admin, callerM1Member, callerM1Viewer} // M1 at every role
	m1Writers  = []authzCaller{callerM1Admin, callerM1Member}
	appParties = authzJoin(m1, overseers, []authzCaller{callerCLAA, callerLabA}) // who may read M1's application
	outsiders  = []authzCaller{callerCLAB, callerLabB, callerM2}                 // who may not
	// bomReaders may read M1's SBOMs; to bomHidden they do not exist.
	bomReaders    = authzJoin(m1, []authzCaller{callerCLAA, callerLabA, callerRegulator})
	bomHidden     = []authzCaller{callerLAAdmin, callerLAViewer, callerCLAB, callerLabB, callerM2}
	webhookAdmins = []authzCaller{callerM1Admin, callerM2, callerCLAA, callerCLAB} // admins of manufacturers and CLAs
	// admins hold an admin token of some organization.
	admins = []authzCaller{callerLAAdmin, callerRegulator, callerCLAA, callerCLAB, callerLabA, callerLabB, callerM1Admin, callerM2}
)

func authzJoin(groups ...[]authzCaller) []authzCaller {
	var out []authzCaller
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// authzWorld is what the matrix's world holds: the callers' Authorization
// headers and the IDs of M1's things.
type authzWorld struct {
	dir    string                 // the template database's directory
	auth   map[authzCaller]string // Authorization header per caller; none has ""
	secret []string               // every token secret issued; no response may echo one

	laViewerToken, m1MemberToken   string // token IDs
	claA, claB, labA, labB, m1, m2 string
	pDraft, pSub                   string // products
	appDraft                       string // a complete draft: CLA A, lab A
	appSub                         string // submitted, with lab A's passing report
	appDenied                      string // denied by CLA A
	appUpheld                      string // denied, CLA review upheld: may be appealed
	appReview                      string // under review by CLA A
	appAppeal                      string // under appeal to the regulator
	report, evidence               string // on appSub
	label                          trustmark.LabelID
	complaintCLA, complaintLead    string // with CLA A; referred to the Lead Administrator
	contact                        string // the complainant's contact
	plan, sample                   string // CLA A's surveillance plan and its sample of the grant
	pGrant                         string // the granted product
	sbom, alert, webhook           string // the granted product's SBOM, its alert, M1's webhook
	m1User                         string // a portal user of M1, added through the API
}

// authzSend serves one request and returns the status and body.
func authzSend(t *testing.T, h http.Handler, auth, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.Bytes()
}

// authzMust serves a world-building request, fails unless it answers want,
// and decodes the answer into out (when not nil).
func authzMust(t *testing.T, h http.Handler, auth, method, path string, body any, want int, out any) {
	t.Helper()
	got, b := authzSend(t, h, auth, method, path, body)
	if got != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, got, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decoding %s: %v", method, path, b, err)
		}
	}
}

// authzServer returns a server over db sharing the given program.
func authzServer(t *testing.T, db *sqlite.DB, set *criteria.Set) http.Handler {
	t.Helper()
	now := func() time.Time { return authzNow }
	prog := program.New(db, set, program.Config{Now: now, Seed: func() uint64 { return 42 }, WebhookKey: authzWebhookKey})
	srv, err := web.NewServer(db, web.Config{BaseURL: "https://labels.example.org", Now: now, Criteria: set, Program: prog,
		Log: newTestLog(t, db), WebhookPoll: -1})
	if err != nil {
		t.Fatalf("NewServer() = %v", err)
	}
	return srv
}

// authzReport is a lab report passing every requirement of nist-ir-8425,
// with one uploaded piece of evidence.
func authzReport(t *testing.T, set *criteria.Set) trustmark.TestReport {
	t.Helper()
	cat, err := set.Catalog(program.USCatalog)
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("nmap 7.95: 22/tcp closed, 443/tcp open (TLS 1.3 only)")
	sum := sha256.Sum256(content)
	r := trustmark.TestReport{Catalog: program.USCatalog, SignerTitle: "Lead test engineer"}
	for i, req := range cat.Requirements {
		res := trustmark.ReportResult{Requirement: req.ID, Outcome: trustmark.OutcomePass}
		if i == 0 {
			res.Evidence = []trustmark.Evidence{{Name: "scan.txt", MediaType: "text/plain", SHA256: hex.EncodeToString(sum[:]), Size: len(content), Content: content}}
		}
		r.Results = append(r.Results, res)
	}
	return r
}

func authzProduct(name string) trustmark.Product {
	return trustmark.Product{Name: name, ModelNumbers: []string{"MX-" + name}, Class: trustmark.ClassCamera,
		HardwareVersion: "1", SoftwareVersion: "1.0", Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: name}}}
}

func authzAgent() trustmark.USAgent {
	return trustmark.USAgent{Name: "Agent LLC", Address: "1 K St NW, Washington, DC", Email: "agent@agent.example.com",
		Phone: "+1 202 555 0100", AttestedBy: "Pat Agent"}
}

func authzLab() trustmark.LabRecognition {
	return trustmark.LabRecognition{TestSites: []string{"Pittsburgh, PA"}, MailingAddress: "18 Foundry Rd, Pittsburgh, PA",
		AccreditationBody: "A2LA", Scope: []string{program.USCatalog}, AccreditationExpires: "2028-12-31",
		DesignationNumber: "US1234", FRN: "0012345678"}
}

// buildAuthzWorld builds the matrix's world through the API, using the
// program only to create the Lead Administrator, and closes its database
// so that openAuthzWorld can copy it.
func buildAuthzWorld(t *testing.T, set *criteria.Set) *authzWorld {
	t.Helper()
	ctx := context.Background()
	w := &authzWorld{dir: t.TempDir(), auth: map[authzCaller]string{callerNone: "", callerMalformed: "Bearer not-a-token"}}
	unknown, _ := trustmark.NewTokenSecret()
	w.auth[callerUnknown] = "Bearer " + unknown
	db, err := sqlite.Open(ctx, filepath.Join(w.dir, "matrix.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, laSecret, err := program.New(db, set, program.Config{Now: func() time.Time { return authzNow }}).
		Init(ctx, trustmark.Organization{Name: "Matrix Lead Administrator", Contact: "https://lead.example.org/contact"}, "Lee Admin")
	if err != nil {
		t.Fatalf("Init() = %v", err)
	}
	h := authzServer(t, db, set)
	as := func(c authzCaller) string { return w.auth[c] }
	addSecret := func(c authzCaller, secret string) {
		w.auth[c] = "Bearer " + secret
		w.secret = append(w.secret, secret)
	}
	addSecret(callerLAAdmin, laSecret)

	type newToken struct {
		Token  trustmark.Token `json:"token"`
		Secret string          `json:"secret"`
	}
	token := func(admin authzCaller, holder string, role trustmark.Role) newToken {
		var out newToken
		authzMust(t, h, as(admin), "POST", "/api/v1/tokens", map[string]any{"holder": holder, "role": role}, 201, &out)
		return out
	}
	tok := token(callerLAAdmin, "Val Viewer", trustmark.RoleViewer)
	w.laViewerToken = tok.Token.ID
	addSecret(callerLAViewer, tok.Secret)
	tok = token(callerLAAdmin, "Rex Voked", trustmark.RoleAdmin)
	addSecret(callerRevoked, tok.Secret)
	authzMust(t, h, as(callerLAAdmin), "DELETE", "/api/v1/tokens/"+tok.Token.ID, nil, 204, nil)

	org := func(c authzCaller, kind trustmark.OrgKind, name string) string {
		var out struct {
			Organization trustmark.Organization `json:"organization"`
			Token        string                 `json:"token"`
		}
		authzMust(t, h, as(callerLAAdmin), "POST", "/api/v1/organizations", map[string]any{
			"organization": trustmark.Organization{Kind: kind, Name: name, Contact: "https://" + strings.ReplaceAll(strings.ToLower(name), " ", "-") + ".example.com/contact"},
			"holder":       "Owner of " + name,
		}, 201, &out)
		addSecret(c, out.Token)
		return out.Organization.ID
	}
	org(callerRegulator, trustmark.OrgRegulator, "Matrix Regulator")
	w.claA = org(callerCLAA, trustmark.OrgCLA, "Matrix CLA A")
	w.claB = org(callerCLAB, trustmark.OrgCLA, "Matrix CLA B")
	w.labA = org(callerLabA, trustmark.OrgLab, "Matrix Lab A")
	w.labB = org(callerLabB, trustmark.OrgLab, "Matrix Lab B")
	w.m1 = org(callerM1Admin, trustmark.OrgManufacturer, "Matrix Maker One")
	w.m2 = org(callerM2, trustmark.OrgManufacturer, "Matrix Maker Two")
	tok = token(callerM1Admin, "Mo Member", trustmark.RoleMember)
	w.m1MemberToken = tok.Token.ID
	addSecret(callerM1Member, tok.Secret)
	addSecret(callerM1Viewer, token(callerM1Admin, "Vi Viewer", trustmark.RoleViewer).Secret)
	for _, lab := range []string{w.labA, w.labB} {
		authzMust(t, h, as(callerLAAdmin), "PUT", "/api/v1/labs/"+lab, authzLab(), 200, nil)
	}
	var user struct {
		User trustmark.User `json:"user"`
	}
	authzMust(t, h, as(callerM1Admin), "POST", "/api/v1/users", map[string]string{"email": "uma@maker-one.example.com", "name": "Uma User", "role": "member"}, 201, &user)
	w.m1User = user.User.ID

	// M1's products and applications, all with CLA A and lab A.
	var clauses []trustmark.DeclarationClause
	for _, d := range trustmark.Declarations {
		clauses = append(clauses, d.Clause)
	}
	report := authzReport(t, set)
	application := func(name string) (productID, appID string) {
		var p trustmark.Product
		authzMust(t, h, as(callerM1Member), "POST", "/api/v1/products", authzProduct(name), 201, &p)
		var a trustmark.Application
		authzMust(t, h, as(callerM1Member), "POST", "/api/v1/applications", map[string]any{
			"product_id": p.ID, "cla_id": w.claA, "lab_id": w.labA,
			"us_agent": authzAgent(), "disclosures": storetest.Disclosures("2030-12-31"),
		}, 201, &a)
		authzMust(t, h, as(callerM1Member), "POST", "/api/v1/applications/"+a.ID+"/declarations", map[string]any{"clauses": clauses}, 200, nil)
		return p.ID, a.ID
	}
	attach := func(app string) trustmark.TestReport {
		var rep trustmark.TestReport
		authzMust(t, h, as(callerLabA), "POST", "/api/v1/applications/"+app+"/reports", report, 201, &rep)
		return rep
	}
	submit := func(app string) {
		authzMust(t, h, as(callerM1Member), "POST", "/api/v1/applications/"+app+"/submit", nil, 200, nil)
	}
	decide := func(app, outcome string) trustmark.Application {
		var a trustmark.Application
		authzMust(t, h, as(callerCLAA), "POST", "/api/v1/applications/"+app+"/decision",
			map[string]string{"outcome": outcome, "reasons": "The decision's written reasons."}, 200, &a)
		return a
	}
	review := func(app string) {
		authzMust(t, h, as(callerM1Member), "POST", "/api/v1/applications/"+app+"/review", map[string]string{"reason": "Please look again."}, 200, nil)
	}
	uphold := func(c authzCaller, app string) {
		authzMust(t, h, as(c), "POST", "/api/v1/applications/"+app+"/review-decision",
			map[string]string{"outcome": "upheld", "reasons": "The decision stands."}, 200, nil)
	}

	w.pDraft, w.appDraft = application("Draft Cam")
	w.pSub, w.appSub = application("Submitted Cam")
	rep := attach(w.appSub)
	w.report, w.evidence = rep.ID, rep.Results[0].Evidence[0].ID
	submit(w.appSub)

	pGrant, appGrant := application("Granted Cam")
	w.pGrant = pGrant
	attach(appGrant)
	submit(appGrant)
	w.label = decide(appGrant, "granted").Decision.LabelID

	_, w.appDenied = application("Denied Cam")
	submit(w.appDenied)
	decide(w.appDenied, "denied")

	_, w.appUpheld = application("Upheld Cam")
	submit(w.appUpheld)
	decide(w.appUpheld, "denied")
	review(w.appUpheld)
	uphold(callerCLAA, w.appUpheld)

	_, w.appReview = application("Review Cam")
	submit(w.appReview)
	decide(w.appReview, "denied")
	review(w.appReview)

	_, w.appAppeal = application("Appeal Cam")
	submit(w.appAppeal)
	decide(w.appAppeal, "denied")
	review(w.appAppeal)
	uphold(callerCLAA, w.appAppeal)
	authzMust(t, h, as(callerM1Member), "POST", "/api/v1/applications/"+w.appAppeal+"/appeal", map[string]string{"reason": "The CLA erred."}, 200, nil)

	// Two complaints about the grant, filed by the public; CLA A refers the
	// second to the Lead Administrator.
	w.contact = "complainant@public.example.net"
	complaint := func() string {
		var c struct{ ID string }
		authzMust(t, h, "", "POST", "/api/v1/complaints", map[string]string{"label_id": string(w.label),
			"text": "The camera ships with password admin.", "contact": w.contact}, 201, &c)
		return c.ID
	}
	w.complaintCLA = complaint()
	w.complaintLead = complaint()
	authzMust(t, h, as(callerCLAA), "POST", "/api/v1/complaints/"+w.complaintLead+"/action",
		map[string]string{"action": "refer", "note": "Needs the Lead Administrator."}, 200, nil)

	// CLA A's surveillance plan samples every active grant it made: M1's.
	var plan trustmark.SurveillancePlan
	authzMust(t, h, as(callerCLAA), "POST", "/api/v1/surveillance/plans", map[string]any{"year": 2026, "share": 1, "seed": 7}, 201, &plan)
	w.plan = plan.ID
	var samples struct{ Items []trustmark.Sample }
	authzMust(t, h, as(callerCLAA), "GET", "/api/v1/surveillance/samples", nil, 200, &samples)
	if len(samples.Items) != 1 || samples.Items[0].LabelID != w.label {
		t.Fatalf("CLA A's samples = %+v, want one of %s", samples.Items, w.label)
	}
	w.sample = samples.Items[0].ID

	// Monitoring: the granted product's SBOM, an advisory affecting it (an
	// alert), and M1's webhook.
	var up struct{ ID string }
	authzMust(t, h, as(callerM1Member), "POST", "/api/v1/products/"+w.pGrant+"/sboms?version=1.0", json.RawMessage(authzSBOM), 201, &up)
	w.sbom = up.ID
	prog := program.New(db, set, program.Config{Now: func() time.Time { return authzNow }})
	if _, err := prog.ImportAdvisories(ctx, func(yield func(string, []byte) error) error { return yield("adv.json", authzAdvisory) }, nil); err != nil {
		t.Fatalf("ImportAdvisories() = %v", err)
	}
	var alerts struct{ Items []trustmark.Alert }
	authzMust(t, h, as(callerCLAA), "GET", "/api/v1/alerts", nil, 200, &alerts)
	if len(alerts.Items) != 1 {
		t.Fatalf("CLA A's alerts = %+v, want one", alerts.Items)
	}
	w.alert = alerts.Items[0].ID
	var hook struct {
		Webhook trustmark.Webhook `json:"webhook"`
		Secret  string            `json:"secret"`
	}
	authzMust(t, h, as(callerM1Admin), "POST", "/api/v1/webhooks", map[string]string{"url": "https://hooks.maker-one.example.com/in"}, 201, &hook)
	w.webhook = hook.Webhook.ID
	w.secret = append(w.secret, hook.Secret)
	return w
}

// authzWebhookKey is the matrix servers' webhook key.
var authzWebhookKey = bytes.Repeat([]byte{9}, 32)

// authzSBOM is the granted product's SBOM: lodash at a version the
// matrix's advisory affects.
var authzSBOM = []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "components": [{"type": "library", "name": "lodash", "version": "4.17.15", "purl": "pkg:npm/lodash@4.17.15"}]}`)

// authzAdvisory is an OSV record affecting lodash below 4.17.21.
var authzAdvisory = []byte(`{"schema_version": "1.6.0", "id": "GHSA-mtrx-mtrx-mtrx", "aliases": ["CVE-2026-9999"],
  "modified": "2026-05-01T00:00:00Z", "summary": "Matrix flaw",
  "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]}`)

// authzVEX says the matrix's advisory does not affect the product.
var authzVEX = []byte(`{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://maker-one.example.com/vex/1",
  "author": "Maker One", "timestamp": "2026-05-30T00:00:00Z", "version": 1,
  "statements": [{"vulnerability": {"name": "CVE-2026-9999"}, "products": [{"@id": "pkg:npm/lodash@4.17.15"}],
    "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}`)

// openAuthzWorld opens a fresh copy of the world's database and a server over it.
func openAuthzWorld(t *testing.T, w *authzWorld, set *criteria.Set) http.Handler {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(w.dir, "matrix.db*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "matrix.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return authzServer(t, db, set)
}

// authzMark is a piece of text a successful answer must hold for the
// callers in seenBy and must not hold for anyone else (a leak).
type authzMark struct {
	what   string
	text   string
	seenBy []authzCaller
}

// authzCase is one request of the matrix and what each caller must get.
// Callers in ok get a 2xx, those in hidden 404 (they may not see the
// thing), those in other the given status for the reason why; every other
// valid token gets 403, no token 401, and a bad token always 401.
type authzCase struct {
	route  string // the pattern exactly as routes.go writes it
	name   string // which variant of the route, when it has several
	path   string
	body   any
	ok     []authzCaller
	hidden []authzCaller
	other  map[authzCaller]int
	why    string
	marks  []authzMark
}

// want is the status (200 standing for any 2xx) the case expects of who.
func (c *authzCase) want(who authzCaller) int {
	switch {
	case slices.Contains(badTokens, who):
		return http.StatusUnauthorized
	case slices.Contains(c.ok, who):
		return http.StatusOK
	case slices.Contains(c.hidden, who):
		return http.StatusNotFound
	}
	if s, ok := c.other[who]; ok {
		return s
	}
	if who == callerNone {
		return http.StatusUnauthorized
	}
	return http.StatusForbidden
}

// authzCases is the matrix: at least one case per /api/v1/ route.
func authzCases(t *testing.T, w *authzWorld, set *criteria.Set) []authzCase {
	t.Helper()
	app := "/api/v1/applications/"
	grant := "/api/v1/grants/" + string(w.label)
	m1App := authzMark{"M1's submitted application", w.appSub, appParties}
	reason := map[string]string{"reason": "A reason of some length."}
	var assessment criteria.Assessment
	assessment.Catalog = program.USCatalog
	for _, res := range authzReport(t, set).Results {
		assessment.Results = append(assessment.Results, criteria.RequirementOutcome{Requirement: res.Requirement, Outcome: criteria.Pass})
	}
	status := func(s trustmark.GrantStatus) map[string]string {
		return map[string]string{"status": string(s), "reason": "Written reasons for " + string(s) + "."}
	}
	manufacturer := func(name string, kind trustmark.OrgKind) map[string]any {
		return map[string]any{"organization": trustmark.Organization{Kind: kind, Name: name, Contact: "https://new.example.com/contact"}, "holder": "Nu Owner"}
	}
	return []authzCase{
		// Public registry and criteria: anyone, but a bad token is still
		// refused (docs/program.md: "a revoked token is refused everywhere").
		{route: "GET /api/v1/registry", path: "/api/v1/registry", ok: anyone,
			marks: []authzMark{{"M1's public registry record", string(w.label), anyone}}},
		{route: "GET /api/v1/registry/{label_id}", path: "/api/v1/registry/" + string(w.label), ok: anyone},
		{route: "GET /api/v1/registry/{label_id}/proof", path: "/api/v1/registry/" + string(w.label) + "/proof", ok: anyone},
		{route: "GET /api/v1/registry/{label_id}/history", path: "/api/v1/registry/" + string(w.label) + "/history", ok: anyone},
		{route: "GET /api/v1/log/key", path: "/api/v1/log/key", ok: anyone},
		{route: "GET /api/v1/catalogs", path: "/api/v1/catalogs", ok: anyone},
		{route: "GET /api/v1/catalogs/{id}", path: "/api/v1/catalogs/" + program.USCatalog, ok: anyone},
		{route: "GET /api/v1/mappings/{from}/{to}", path: "/api/v1/mappings/nist-ir-8425/etsi-en-303-645", ok: anyone},
		{route: "POST /api/v1/evaluate", path: "/api/v1/evaluate", body: assessment, ok: anyone},
		{route: "GET /api/v1/openapi.json", path: "/api/v1/openapi.json", ok: anyone},

		// Parties and access.
		{route: "POST /api/v1/organizations", name: "manufacturer", path: "/api/v1/organizations",
			body: manufacturer("Matrix Newcomer", trustmark.OrgManufacturer), ok: []authzCaller{callerLAAdmin, callerCLAA, callerCLAB}},
		{route: "POST /api/v1/organizations", name: "cla", path: "/api/v1/organizations",
			body: manufacturer("Matrix CLA C", trustmark.OrgCLA), ok: []authzCaller{callerLAAdmin}},
		{route: "POST /api/v1/organizations", name: "lead administrator", path: "/api/v1/organizations",
			body: manufacturer("Second Lead", trustmark.OrgLeadAdministrator)},
		{route: "GET /api/v1/organizations", name: "all kinds", path: "/api/v1/organizations", ok: overseers,
			marks: []authzMark{{"M1's organization", w.m1, overseers}}},
		{route: "GET /api/v1/organizations", name: "kind=cla", path: "/api/v1/organizations?kind=cla", ok: anyToken,
			marks: []authzMark{{"CLA A", w.claA, anyToken}, {"M1's organization", w.m1, nil}}},
		{route: "GET /api/v1/organizations", name: "kind=manufacturer", path: "/api/v1/organizations?kind=manufacturer", ok: overseers},
		{route: "GET /api/v1/organizations/{id}", path: "/api/v1/organizations/" + w.m1, ok: anyone},
		{route: "POST /api/v1/tokens", path: "/api/v1/tokens", body: map[string]string{"holder": "Nu Person", "role": "member"},
			ok: []authzCaller{callerLAAdmin, callerRegulator, callerCLAA, callerCLAB, callerLabA, callerLabB, callerM1Admin, callerM2}},
		{route: "GET /api/v1/tokens", path: "/api/v1/tokens",
			ok: []authzCaller{callerLAAdmin, callerRegulator, callerCLAA, callerCLAB, callerLabA, callerLabB, callerM1Admin, callerM2},
			marks: []authzMark{{"M1's member token", w.m1MemberToken, []authzCaller{callerM1Admin}},
				{"the LA viewer token", w.laViewerToken, []authzCaller{callerLAAdmin}}}},
		{route: "DELETE /api/v1/tokens/{id}", name: "M1 member's token", path: "/api/v1/tokens/" + w.m1MemberToken,
			ok:     []authzCaller{callerM1Admin, callerM1Member}, // an admin of M1, or the holder
			hidden: []authzCaller{callerLAAdmin, callerLAViewer, callerRegulator, callerCLAA, callerCLAB, callerLabA, callerLabB, callerM2}},
		// Portal users: admins manage their own organization's; the Lead
		// Administrator's admins may add users to any organization.
		{route: "POST /api/v1/users", name: "own organization", path: "/api/v1/users", body: map[string]string{"email": "nu@new.example.com", "name": "Nu Person", "role": "viewer"},
			ok: admins, marks: []authzMark{{"a password hash", "$argon2id$", nil}}},
		{route: "POST /api/v1/users", name: "M1", path: "/api/v1/users",
			body: map[string]string{"organization_id": w.m1, "email": "nu@new.example.com", "name": "Nu Person", "role": "viewer"},
			ok:   []authzCaller{callerLAAdmin, callerM1Admin}, marks: []authzMark{{"a password hash", "$argon2id$", nil}}},
		{route: "GET /api/v1/users", path: "/api/v1/users", ok: admins,
			marks: []authzMark{{"M1's user", w.m1User, []authzCaller{callerM1Admin}}, {"a password hash", "$argon2id$", nil}}},
		{route: "POST /api/v1/users/{id}/disable", path: "/api/v1/users/" + w.m1User + "/disable", ok: []authzCaller{callerM1Admin},
			hidden: []authzCaller{callerLAAdmin, callerRegulator, callerCLAA, callerCLAB, callerLabA, callerLabB, callerM2}},
		{route: "PUT /api/v1/labs/{org_id}", path: "/api/v1/labs/" + w.labB, body: authzLab(), ok: []authzCaller{callerLAAdmin}},
		{route: "POST /api/v1/labs/{org_id}/withdraw", path: "/api/v1/labs/" + w.labB + "/withdraw", body: reason, ok: []authzCaller{callerLAAdmin}},
		{route: "GET /api/v1/directory", path: "/api/v1/directory", ok: anyone},
		{route: "PUT /api/v1/renewal-policies/{class}", path: "/api/v1/renewal-policies/camera", body: map[string]int{"interval_months": 24},
			ok: []authzCaller{callerLAAdmin}},

		// Products and applications.
		{route: "POST /api/v1/products", path: "/api/v1/products", body: authzProduct("New Cam"), ok: authzJoin(m1Writers, []authzCaller{callerM2})},
		{route: "GET /api/v1/products", path: "/api/v1/products", ok: authzJoin(m1, []authzCaller{callerM2}),
			marks: []authzMark{{"M1's product", w.pSub, m1}}},
		{route: "GET /api/v1/products/{id}", path: "/api/v1/products/" + w.pSub, ok: appParties, hidden: outsiders},
		{route: "POST /api/v1/applications", path: "/api/v1/applications",
			body: map[string]any{"product_id": w.pDraft, "cla_id": w.claA, "lab_id": w.labA},
			ok:   m1Writers, other: map[authzCaller]int{callerM2: http.StatusBadRequest},
			why: "M2 may file applications, but not for M1's product: it is told it has no such product, as for one that does not exist"},
		{route: "GET /api/v1/applications", path: "/api/v1/applications", ok: anyToken, marks: []authzMark{m1App}},
		{route: "GET /api/v1/applications/{id}", path: app + w.appSub, ok: appParties, hidden: outsiders},
		{route: "PATCH /api/v1/applications/{id}", path: app + w.appDraft, body: map[string]any{"us_agent": authzAgent()},
			ok: m1Writers, hidden: outsiders},
		{route: "POST /api/v1/applications/{id}/declarations", path: app + w.appDraft + "/declarations",
			body: map[string]any{"clauses": []string{"8.208(c)(1)"}}, ok: m1Writers, hidden: outsiders},
		{route: "POST /api/v1/applications/{id}/submit", path: app + w.appDraft + "/submit", ok: m1Writers, hidden: outsiders},
		{route: "POST /api/v1/applications/{id}/request-info", path: app + w.appSub + "/request-info",
			body: map[string]any{"message": "Send the SBOM.", "days": 14}, ok: []authzCaller{callerCLAA}, hidden: outsiders},
		{route: "POST /api/v1/applications/{id}/decision", path: app + w.appSub + "/decision",
			body: map[string]string{"outcome": "granted"}, ok: []authzCaller{callerCLAA}, hidden: outsiders},
		{route: "POST /api/v1/applications/{id}/review", path: app + w.appDenied + "/review", body: reason, ok: m1Writers, hidden: outsiders},
		{route: "POST /api/v1/applications/{id}/appeal", path: app + w.appUpheld + "/appeal", body: reason, ok: m1Writers, hidden: outsiders},
		{route: "POST /api/v1/applications/{id}/review-decision", name: "CLA review", path: app + w.appReview + "/review-decision",
			body: map[string]string{"outcome": "upheld", "reasons": "The denial stands."}, ok: []authzCaller{callerCLAA}, hidden: outsiders},
		{route: "POST /api/v1/applications/{id}/review-decision", name: "appeal", path: app + w.appAppeal + "/review-decision",
			body: map[string]string{"outcome": "upheld", "reasons": "The denial stands."}, ok: []authzCaller{callerRegulator}, hidden: outsiders},
		{route: "POST /api/v1/applications/{id}/reports", path: app + w.appSub + "/reports", body: authzReport(t, set),
			ok: []authzCaller{callerLabA}, other: map[authzCaller]int{callerLabB: http.StatusUnprocessableEntity},
			why: "a lab holding an application's ID but not named on it is told the rule (only the named lab reports, 8.208(j)), as the issue asks; it learns nothing else about the application"},
		// An unknown application is a 404 for every lab.
		{route: "POST /api/v1/applications/{id}/reports", name: "no such application", path: app + "app_doesnotexist00/reports",
			body: authzReport(t, set), hidden: []authzCaller{callerLabA, callerLabB}},
		{route: "GET /api/v1/applications/{id}/reports", path: app + w.appSub + "/reports", ok: appParties, hidden: outsiders,
			marks: []authzMark{{"lab A's report", w.report, appParties}}},
		{route: "GET /api/v1/applications/{id}/evidence/{evidence_id}", path: app + w.appSub + "/evidence/" + w.evidence,
			ok: appParties, hidden: outsiders, marks: []authzMark{{"the evidence file", "nmap 7.95", appParties}}},

		// Grants after the decision.
		{route: "GET /api/v1/grants", path: "/api/v1/grants", ok: authzJoin(overseers, m1, []authzCaller{callerCLAA, callerCLAB, callerM2}),
			marks: []authzMark{{"M1's grant", string(w.label), authzJoin(overseers, m1, []authzCaller{callerCLAA})}}},
		{route: "GET /api/v1/grants/{label_id}", path: grant, ok: appParties, hidden: outsiders},
		{route: "PUT /api/v1/grants/{label_id}/disclosures", path: grant + "/disclosures", body: storetest.Disclosures("2031-12-31"),
			ok: m1Writers, hidden: []authzCaller{callerM2}},
		{route: "POST /api/v1/grants/{label_id}/status", name: "suspended", path: grant + "/status", body: status(trustmark.GrantSuspended),
			ok: []authzCaller{callerCLAA, callerRegulator}, hidden: []authzCaller{callerCLAB}},
		{route: "POST /api/v1/grants/{label_id}/status", name: "withdrawn", path: grant + "/status", body: status(trustmark.GrantWithdrawn),
			ok: []authzCaller{callerCLAA, callerRegulator}, hidden: []authzCaller{callerCLAB}},
		{route: "POST /api/v1/grants/{label_id}/status", name: "active", path: grant + "/status", body: status(trustmark.GrantActive),
			hidden: []authzCaller{callerCLAB}, other: map[authzCaller]int{callerCLAA: http.StatusConflict, callerRegulator: http.StatusConflict},
			why: "CLA A and the regulator may cure a suspended grant, but this grant is active"},
		{route: "POST /api/v1/grants/{label_id}/status", name: "terminated", path: grant + "/status", body: status(trustmark.GrantTerminated),
			ok: []authzCaller{callerRegulator}},
		{route: "POST /api/v1/grants/{label_id}/status", name: "set_aside", path: grant + "/status", body: status(trustmark.GrantSetAside),
			ok: []authzCaller{callerRegulator}},
		{route: "POST /api/v1/grants/{label_id}/status", name: "surrendered", path: grant + "/status", body: status(trustmark.GrantSurrendered),
			ok: m1Writers, hidden: []authzCaller{callerM2}},
		{route: "GET /api/v1/labels/{label_id}/{file}", path: "/api/v1/labels/" + string(w.label) + "/artwork.svg?size=small",
			ok: authzJoin(m1, []authzCaller{callerCLAA}), hidden: outsiders,
			other: map[authzCaller]int{callerLabA: http.StatusForbidden, callerLAAdmin: http.StatusForbidden, callerLAViewer: http.StatusForbidden, callerRegulator: http.StatusForbidden},
			why:   "the grant's lab and the overseers may read the grant, but label artwork is for its manufacturer and CLA"},
		{route: "POST /api/v1/surveillance/plans", path: "/api/v1/surveillance/plans", body: map[string]any{"year": 2027, "share": 1, "seed": 9},
			ok: []authzCaller{callerCLAA, callerCLAB}},
		{route: "GET /api/v1/surveillance/plans", path: "/api/v1/surveillance/plans?cla_id=" + w.claA,
			ok:    authzJoin(overseers, []authzCaller{callerCLAA, callerCLAB}),
			marks: []authzMark{{"CLA A's plan", w.plan, authzJoin(overseers, []authzCaller{callerCLAA})}}},
		{route: "GET /api/v1/surveillance/samples", path: "/api/v1/surveillance/samples",
			ok:    authzJoin(overseers, m1, []authzCaller{callerCLAA, callerCLAB, callerM2}),
			marks: []authzMark{{"the sample of M1's grant", w.sample, authzJoin(overseers, m1, []authzCaller{callerCLAA})}}},
		{route: "POST /api/v1/surveillance/samples/{id}/result", path: "/api/v1/surveillance/samples/" + w.sample + "/result",
			body: map[string]any{"passed": true, "findings": "Passed."}, ok: []authzCaller{callerCLAA}, hidden: []authzCaller{callerCLAB}},
		{route: "POST /api/v1/complaints", path: "/api/v1/complaints", ok: anyone,
			body: map[string]string{"label_id": string(w.label), "text": "Its app leaks my location.", "contact": "other@public.example.net"}},
		{route: "GET /api/v1/complaints", path: "/api/v1/complaints",
			ok: authzJoin(overseers, m1, []authzCaller{callerCLAA, callerCLAB, callerM2}),
			marks: []authzMark{
				{"the complaint about M1's grant", w.complaintCLA, authzJoin(overseers, m1, []authzCaller{callerCLAA})},
				{"the complainant's contact", w.contact, authzJoin(overseers, []authzCaller{callerCLAA})}}},
		{route: "POST /api/v1/complaints/{id}/action", name: "with the CLA", path: "/api/v1/complaints/" + w.complaintCLA + "/action",
			body: map[string]string{"action": "refer", "note": "Over to the Lead Administrator."},
			ok:   []authzCaller{callerCLAA}, hidden: []authzCaller{callerCLAB}},
		{route: "POST /api/v1/complaints/{id}/action", name: "with the Lead Administrator", path: "/api/v1/complaints/" + w.complaintLead + "/action",
			body: map[string]string{"action": "refer", "note": "Over to the regulator."},
			ok:   []authzCaller{callerLAAdmin}, hidden: []authzCaller{callerCLAB}},
		{route: "GET /api/v1/audit", path: "/api/v1/audit", ok: overseers},
		{route: "POST /api/v1/sweep", path: "/api/v1/sweep", ok: []authzCaller{callerLAAdmin, callerRegulator}},

		// Vulnerability monitoring: SBOM contents are for the manufacturer,
		// its CLA, its lab and the regulator (8.222(b)(10)); to anyone else,
		// the Lead Administrator included, they do not exist.
		{route: "POST /api/v1/products/{id}/sboms", path: "/api/v1/products/" + w.pGrant + "/sboms?version=2.0", body: json.RawMessage(authzSBOM),
			ok: m1Writers, hidden: []authzCaller{callerM2}},
		{route: "GET /api/v1/products/{id}/sboms", path: "/api/v1/products/" + w.pGrant + "/sboms", ok: bomReaders, hidden: bomHidden,
			marks: []authzMark{{"M1's SBOM", w.sbom, bomReaders}}},
		{route: "GET /api/v1/sboms/{id}", path: "/api/v1/sboms/" + w.sbom, ok: bomReaders, hidden: bomHidden,
			marks: []authzMark{{"the SBOM's components", "pkg:npm/lodash@4.17.15", bomReaders}}},
		{route: "GET /api/v1/sboms/{id}/document", path: "/api/v1/sboms/" + w.sbom + "/document", ok: bomReaders, hidden: bomHidden,
			marks: []authzMark{{"the SBOM document", `"bomFormat"`, bomReaders}}},
		{route: "GET /api/v1/sboms/{id}/findings", path: "/api/v1/sboms/" + w.sbom + "/findings", ok: bomReaders, hidden: bomHidden,
			marks: []authzMark{{"the SBOM's finding", "GHSA-mtrx-mtrx-mtrx", bomReaders}}},
		{route: "POST /api/v1/products/{id}/vex", path: "/api/v1/products/" + w.pGrant + "/vex", body: json.RawMessage(authzVEX),
			ok: m1Writers, hidden: []authzCaller{callerM2}},
		{route: "GET /api/v1/products/{id}/vex", path: "/api/v1/products/" + w.pGrant + "/vex", ok: bomReaders, hidden: bomHidden},
		{route: "GET /api/v1/alerts", path: "/api/v1/alerts", ok: authzJoin(overseers, m1, []authzCaller{callerCLAA, callerCLAB, callerM2}),
			marks: []authzMark{{"the alert on M1's product", w.alert, authzJoin(overseers, m1, []authzCaller{callerCLAA})}}},
		{route: "GET /api/v1/alerts/{id}", path: "/api/v1/alerts/" + w.alert, ok: authzJoin(overseers, m1, []authzCaller{callerCLAA}),
			hidden: []authzCaller{callerCLAB, callerM2}},
		{route: "POST /api/v1/alerts/{id}/finding", path: "/api/v1/alerts/" + w.alert + "/finding", body: map[string]string{"note": "Left unfixed."},
			ok: []authzCaller{callerCLAA}, hidden: []authzCaller{callerCLAB}},
		{route: "POST /api/v1/webhooks", path: "/api/v1/webhooks", body: map[string]string{"url": "https://hooks.example.com/new"}, ok: webhookAdmins},
		{route: "GET /api/v1/webhooks", path: "/api/v1/webhooks", ok: webhookAdmins,
			marks: []authzMark{{"M1's webhook", w.webhook, []authzCaller{callerM1Admin}}}},
		{route: "DELETE /api/v1/webhooks/{id}", path: "/api/v1/webhooks/" + w.webhook, ok: []authzCaller{callerM1Admin},
			hidden: []authzCaller{callerM2, callerCLAA, callerCLAB}},
	}
}

// authzRoutes returns the /api/v1/ route patterns of routes.go.
func authzRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`mux\.Handle(?:Func)?\("([A-Z]+ /api/v1/[^"]*)"`).FindAllSubmatch(src, -1) {
		out = append(out, string(m[1]))
	}
	if len(out) < 40 {
		t.Fatalf("found %d /api/v1/ routes in routes.go; has its layout changed?", len(out))
	}
	return out
}

// TestAuthorizationMatrix calls every /api/v1/ route as every kind of
// caller and checks who gets 2xx, 401, 403 and 404, and that successful
// listings hold M1's things for exactly the callers who may see them.
func TestAuthorizationMatrix(t *testing.T) {
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	w := buildAuthzWorld(t, set)
	cases := authzCases(t, w, set)

	// Every route has a row, every row names a route, and every row's
	// request reaches the route it names.
	routes := authzRoutes(t)
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.HandleFunc(r, func(http.ResponseWriter, *http.Request) {})
	}
	for _, r := range routes {
		if !slices.ContainsFunc(cases, func(c authzCase) bool { return c.route == r }) {
			t.Errorf("route %q of routes.go has no row in the authorization matrix", r)
		}
	}
	for _, c := range cases {
		method, _, _ := strings.Cut(c.route, " ")
		if _, pattern := mux.Handler(httptest.NewRequest(method, c.path, nil)); pattern != c.route {
			t.Errorf("row %s %s: %s %s reaches route %q", c.route, c.name, method, c.path, pattern)
		}
	}

	shared := openAuthzWorld(t, w, set)
	size := 0
	for _, c := range cases {
		method, _, _ := strings.Cut(c.route, " ")
		name := c.route
		if c.name != "" {
			name += " (" + c.name + ")"
		}
		t.Run(name, func(t *testing.T) {
			for _, who := range authzCallers {
				size++
				h := shared
				if method != "GET" {
					h = openAuthzWorld(t, w, set) // a fresh world for every state change
				}
				got, b := authzSend(t, h, w.auth[who], method, c.path, c.body)
				checkAuthz(t, &c, method, who, got, b, w)
			}
		})
	}
	t.Logf("authorization matrix: %d routes, %d rows, %d callers, %d requests", len(routes), len(cases), len(authzCallers), size)
}

// checkAuthz checks one answer of the matrix.
func checkAuthz(t *testing.T, c *authzCase, method string, who authzCaller, got int, b []byte, w *authzWorld) {
	t.Helper()
	want := c.want(who)
	call := method + " " + c.path + " as " + string(who)
	if c.name != "" {
		call += " (" + c.name + ")"
	}
	wantText := strconv.Itoa(want)
	if want == http.StatusOK {
		wantText = "2xx"
	}
	if (want == http.StatusOK) != (got >= 200 && got < 300) || (want != http.StatusOK && got != want) {
		detail := ""
		if _, ok := c.other[who]; ok {
			detail = " (" + c.why + ")"
		}
		t.Errorf("%s = %d, want %s%s; body %.160s", call, got, wantText, detail, strings.Join(strings.Fields(string(b)), " "))
		return
	}
	for _, s := range w.secret {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s answer holds a token secret", call)
		}
	}
	if want != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		codes := map[int]string{400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict", 422: "rule_violation"}
		if err := json.Unmarshal(b, &e); err != nil || e.Error.Code != codes[want] || e.Error.Message == "" {
			t.Errorf("%s error = %.200s, want {\"error\": {\"code\": %q, \"message\": ...}}", call, b, codes[want])
		}
		return
	}
	for _, m := range c.marks {
		if has, may := bytes.Contains(b, []byte(m.text)), slices.Contains(m.seenBy, who); has != may {
			if has {
				t.Errorf("%s shows %s (%s), which %s may not see", call, m.what, m.text, who)
			} else {
				t.Errorf("%s lacks %s (%s), which %s may see", call, m.what, m.text, who)
			}
		}
	}
}
