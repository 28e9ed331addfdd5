package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
	"trustmark/internal/storetest"
	"trustmark/internal/tlog"
	"trustmark/internal/web"
)

// clock is a settable time source shared by the program and the server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// world is a running server with its store, clock and Lead Administrator token.
type world struct {
	t     *testing.T
	url   string
	clock *clock
	set   *criteria.Set
	la    string // Lead Administrator admin token
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return newWorldOn(t, db)
}

// newWorldOn is newWorld on a given empty store.
func newWorldOn(t *testing.T, db trustmark.Store) *world {
	t.Helper()
	ctx := context.Background()
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	tl := newTestLog(t, db)
	// Integrate synchronously after every change, so tests see checkpoints at once.
	prog := program.New(db, set, program.Config{Now: clk.Now, Seed: func() uint64 { return 42 },
		Committed: func() {
			if err := tl.IntegrateAll(context.Background()); err != nil {
				t.Errorf("IntegrateAll() = %v", err)
			}
		}})
	_, laToken, err := prog.Init(ctx, trustmark.Organization{Name: "Test Lead Administrator", Contact: "https://lead.example.org/contact"}, "Lee Admin")
	if err != nil {
		t.Fatalf("Init() = %v", err)
	}
	srv, err := web.NewServer(db, web.Config{BaseURL: "https://labels.example.org", Now: clk.Now, Program: prog, Criteria: set, Log: tl})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &world{t: t, url: ts.URL, clock: clk, set: set, la: laToken}
}

// call sends a JSON request and decodes the JSON answer into out (if not
// nil), failing the test unless the status is want.
func (w *world) call(token, method, path string, body any, want int, out any) map[string]any {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			w.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.url+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		w.t.Fatalf("%s %s = %d %s; want %d", method, path, resp.StatusCode, raw, want)
	}
	var m map[string]any
	json.Unmarshal(raw, &m)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			w.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return m
}

// createOrg has the Lead Administrator create an organization and returns
// its ID and first token.
func (w *world) createOrg(kind trustmark.OrgKind, name string) (string, string) {
	w.t.Helper()
	var out struct {
		Organization trustmark.Organization `json:"organization"`
		Token        string                 `json:"token"`
	}
	w.call(w.la, "POST", "/api/v1/organizations", map[string]any{
		"organization": trustmark.Organization{Kind: kind, Name: name, Contact: "https://" + strings.ToLower(strings.ReplaceAll(name, " ", "-")) + ".example.com/contact"},
		"holder":       "Owner of " + name,
	}, 201, &out)
	return out.Organization.ID, out.Token
}

func (w *world) recognize(labID string, expires string) {
	w.t.Helper()
	w.call(w.la, "PUT", "/api/v1/labs/"+labID, trustmark.LabRecognition{
		TestSites: []string{"Pittsburgh, PA"}, MailingAddress: "18 Foundry Rd, Pittsburgh, PA", AccreditationBody: "A2LA",
		Scope: []string{"nist-ir-8425"}, AccreditationExpires: trustmark.Date(expires), DesignationNumber: "US1234", FRN: "0012345678",
	}, 200, nil)
}

// passingReport returns a report passing every requirement of nist-ir-8425.
func (w *world) report(fail ...string) trustmark.TestReport {
	w.t.Helper()
	c, err := w.set.Catalog("nist-ir-8425")
	if err != nil {
		w.t.Fatal(err)
	}
	content := []byte("nmap: 22/tcp closed, 443/tcp open (TLS 1.3)")
	r := trustmark.TestReport{Catalog: "nist-ir-8425", SignerTitle: "Lead test engineer"}
	for _, req := range c.Requirements {
		res := trustmark.ReportResult{Requirement: req.ID, Outcome: trustmark.OutcomePass}
		for _, f := range fail {
			if f == req.ID {
				res.Outcome = trustmark.OutcomeFail
			}
		}
		if req.ID == "3c" {
			res.Evidence = []trustmark.Evidence{{Name: "scan.txt", MediaType: "text/plain", SHA256: sha(content), Size: len(content), Content: content}}
		}
		r.Results = append(r.Results, res)
	}
	return r
}

// application files, fills, signs and submits an application of mfr.
func (w *world) application(mfr, claID, labID, productName, support string, priorDenials []trustmark.PriorDenial, productID string) string {
	w.t.Helper()
	if productID == "" {
		var p trustmark.Product
		w.call(mfr, "POST", "/api/v1/products", trustmark.Product{Name: productName, ModelNumbers: []string{"M-" + productName},
			Class: trustmark.ClassCamera, HardwareVersion: "1", SoftwareVersion: "1.0",
			Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: productName}}}, 201, &p)
		productID = p.ID
	}
	d := storetest.Disclosures(support)
	var a trustmark.Application
	w.call(mfr, "POST", "/api/v1/applications", map[string]any{
		"product_id": productID, "cla_id": claID, "lab_id": labID, "disclosures": d, "prior_denials": priorDenials,
		"us_agent": trustmark.USAgent{Name: "Agent LLC", Address: "1 K St, Washington, DC", Email: "agent@agent.example.com", Phone: "+1 202 555 0100", AttestedBy: "Pat Agent"},
	}, 201, &a)
	var clauses []trustmark.DeclarationClause
	for _, d := range trustmark.Declarations {
		clauses = append(clauses, d.Clause)
	}
	w.call(mfr, "POST", "/api/v1/applications/"+a.ID+"/declarations", map[string]any{"clauses": clauses}, 200, nil)
	return a.ID
}

func registryStatus(w *world, id trustmark.LabelID) (string, string) {
	w.t.Helper()
	var rec trustmark.RegistryRecord
	w.call("", "GET", "/api/v1/registry/"+string(id), nil, 200, &rec)
	return string(rec.Status), string(rec.SupportDate)
}

// TestLifecycle drives the whole program through the HTTP API as the five
// kinds of party: init → CLA and lab → product → application → report →
// grant → registry → support extended → surveillance finding → suspended →
// cure period passes → terminated.
func TestLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) { testLifecycle(t, newWorldOn(t, db)) })
}

func testLifecycle(t *testing.T, w *world) {
	regID, reg := w.createOrg(trustmark.OrgRegulator, "Test Regulator")
	claID, cla := w.createOrg(trustmark.OrgCLA, "Keystone Test CLA")
	labID, lab := w.createOrg(trustmark.OrgLab, "Foundry Test Lab")
	mfrID, mfr := w.createOrg(trustmark.OrgManufacturer, "Acme Devices")
	_ = regID
	w.recognize(labID, "2027-12-31")

	var dir program.Directory
	w.call("", "GET", "/api/v1/directory", nil, 200, &dir)
	if len(dir.CLAs) != 1 || len(dir.Labs) != 1 || dir.Labs[0].FRN != "0012345678" {
		t.Fatalf("directory = %+v; want one CLA and the recognized lab with its FRN", dir)
	}

	appID := w.application(mfr, claID, labID, "Acme Cam", "2030-06-30", nil, "")
	w.call(mfr, "POST", "/api/v1/applications/"+appID+"/submit", nil, 200, nil)
	w.call(lab, "POST", "/api/v1/applications/"+appID+"/reports", w.report(), 201, nil)

	var reports struct {
		Items   []trustmark.TestReport `json:"items"`
		Verdict criteria.Result        `json:"verdict"`
	}
	w.call(cla, "GET", "/api/v1/applications/"+appID+"/reports", nil, 200, &reports)
	if len(reports.Items) != 1 || reports.Items[0].SignedBy != "Owner of Foundry Test Lab (Foundry Test Lab)" || len(reports.Verdict.Claims) == 0 {
		t.Fatalf("reports = %+v", reports)
	}
	evID := ""
	for _, r := range reports.Items[0].Results {
		if len(r.Evidence) > 0 {
			evID = r.Evidence[0].ID
		}
	}
	resp, err := http.Get(w.url + "/api/v1/applications/" + appID + "/evidence/" + evID)
	if err != nil || resp.StatusCode != 401 {
		t.Errorf("anonymous evidence read = %v %v, want 401", resp.StatusCode, err)
	}

	var decided trustmark.Application
	w.call(cla, "POST", "/api/v1/applications/"+appID+"/decision", map[string]string{"outcome": "granted"}, 200, &decided)
	label := decided.Decision.LabelID
	if decided.State != trustmark.AppGranted || label == "" {
		t.Fatalf("decision = %+v; want granted with a label ID", decided.Decision)
	}
	if st, support := registryStatus(w, label); st != "active" || support != "2030-06-30" {
		t.Fatalf("registry after grant: %s %s", st, support)
	}

	// Support extended by the manufacturer; shortening is refused.
	d := storetest.Disclosures("2031-12-31")
	w.call(mfr, "PUT", "/api/v1/grants/"+string(label)+"/disclosures", d, 200, nil)
	if _, support := registryStatus(w, label); support != "2031-12-31" {
		t.Fatalf("registry support = %s after extension, want 2031-12-31", support)
	}
	shorter := storetest.Disclosures("2029-01-01")
	m := w.call(mfr, "PUT", "/api/v1/grants/"+string(label)+"/disclosures", shorter, 422, nil)
	if !strings.Contains(fmt.Sprint(m["error"]), "8.208(c)(7)") {
		t.Errorf("shortening support: %v; want the rule 8.208(c)(7) named", m)
	}

	// Surveillance: the CLA samples all its grants and the sample fails.
	var plan trustmark.SurveillancePlan
	w.call(cla, "POST", "/api/v1/surveillance/plans", map[string]any{"year": 2026, "share": 1.0}, 201, &plan)
	if len(plan.Selected) != 1 || plan.Selected[0] != label || plan.Seed != 42 {
		t.Fatalf("plan = %+v; want the one grant, seed 42 recorded", plan)
	}
	var samples struct{ Items []trustmark.Sample }
	w.call(mfr, "GET", "/api/v1/surveillance/samples", nil, 200, &samples)
	if len(samples.Items) != 1 {
		t.Fatalf("manufacturer sees %d sample requests, want 1", len(samples.Items))
	}
	w.clock.Add(10 * 24 * time.Hour)
	w.call(cla, "POST", "/api/v1/surveillance/samples/"+samples.Items[0].ID+"/result",
		map[string]any{"passed": false, "findings": "telnet open with default credentials"}, 200, nil)
	if st, _ := registryStatus(w, label); st != "suspended" {
		t.Fatalf("registry status after failed sample = %s, want suspended", st)
	}
	var g program.GrantView
	w.call(mfr, "GET", "/api/v1/grants/"+string(label), nil, 200, &g)
	if g.CureDeadline == nil || !g.CureDeadline.Equal(w.clock.Now().Add(20*24*time.Hour)) {
		t.Fatalf("cure deadline = %v, want 20 days from now", g.CureDeadline)
	}

	// Within the cure period a sweep changes nothing; after it, the grant ends.
	var swept struct{ Terminated []string }
	w.call(reg, "POST", "/api/v1/sweep", nil, 200, &swept)
	if len(swept.Terminated) != 0 {
		t.Fatalf("sweep inside the cure period terminated %v", swept.Terminated)
	}
	w.clock.Add(20*24*time.Hour + time.Minute)
	w.call(reg, "POST", "/api/v1/sweep", nil, 200, &swept)
	if len(swept.Terminated) != 1 || swept.Terminated[0] != string(label) {
		t.Fatalf("sweep after the cure period = %v, want [%s]", swept.Terminated, label)
	}
	if st, _ := registryStatus(w, label); st != "terminated" {
		t.Fatalf("registry status after the cure period = %s, want terminated", st)
	}
	resp, _ = http.Get(w.url + "/p/" + string(label))
	page, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(page), "Authorization terminated") {
		t.Errorf("/p/%s does not show the termination", label)
	}

	// The transparency log holds the label's whole history, provably.
	checkLogged(t, w, label, []string{"grant", "disclosures", "status", "status"}, "terminated")
	if !strings.Contains(string(page), "Verified in the public log at index") {
		t.Errorf("/p/%s does not say it is verified in the public log", label)
	}

	// The audit log holds every step, readable by the overseers only.
	var log struct{ Items []trustmark.AuditEntry }
	w.call(reg, "GET", "/api/v1/audit?limit=500", nil, 200, &log)
	actions := map[string]bool{}
	for _, e := range log.Items {
		actions[e.Action] = true
	}
	for _, a := range []string{"program.init", "organization.create", "lab.recognize", "product.create", "application.create",
		"application.sign", "application.submit", "report.attach", "application.decide", "grant.issue", "grant.disclosures",
		"surveillance.plan", "surveillance.result", "grant.status"} {
		if !actions[a] {
			t.Errorf("audit log lacks %s", a)
		}
	}
	w.call(mfr, "GET", "/api/v1/audit", nil, 403, nil)
	_ = mfrID
}

// TestIllegalTransitions checks that the rules refuse what they forbid,
// with 409 (wrong state) or 422 (rule) and a message naming the rule.
func TestIllegalTransitions(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) { testIllegalTransitions(t, newWorldOn(t, db)) })
}

func testIllegalTransitions(t *testing.T, w *world) {
	_, reg := w.createOrg(trustmark.OrgRegulator, "Test Regulator")
	claID, cla := w.createOrg(trustmark.OrgCLA, "Keystone Test CLA")
	labID, lab := w.createOrg(trustmark.OrgLab, "Foundry Test Lab")
	otherLabID, otherLab := w.createOrg(trustmark.OrgLab, "Other Test Lab")
	expiredLabID, expiredLab := w.createOrg(trustmark.OrgLab, "Expired Test Lab")
	_, mfr := w.createOrg(trustmark.OrgManufacturer, "Acme Devices")
	w.recognize(labID, "2027-12-31")
	w.recognize(otherLabID, "2027-12-31")
	w.recognize(expiredLabID, "2026-06-30")

	check := func(name string, m map[string]any, want string) {
		t.Helper()
		if msg := fmt.Sprint(m["error"]); !strings.Contains(msg, want) {
			t.Errorf("%s: error %s; want it to mention %q", name, msg, want)
		}
	}

	// An organization of no known kind is bad input (400), not a refusal;
	// a kind the caller may not create is (403).
	for _, c := range []struct {
		kind   string
		status int
		want   string
	}{{"", 400, "kind: must be one of"}, {"bank", 400, "kind: must be one of"}, {"lead_administrator", 403, "may not create"}} {
		check("organization of kind "+c.kind, w.call(w.la, "POST", "/api/v1/organizations", map[string]any{
			"organization": map[string]string{"kind": c.kind, "name": "Odd Co", "contact": "https://odd.example.com"}, "holder": "Odd Owner",
		}, c.status, nil), c.want)
	}

	// Submitting before signing every declaration.
	var p trustmark.Product
	w.call(mfr, "POST", "/api/v1/products", trustmark.Product{Name: "Bare", ModelNumbers: []string{"B1"}, Class: trustmark.ClassPlug,
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: "Bare"}}}, 201, &p)
	var bare trustmark.Application
	w.call(mfr, "POST", "/api/v1/applications", map[string]any{"product_id": p.ID, "cla_id": claID, "lab_id": labID}, 201, &bare)
	check("incomplete submit", w.call(mfr, "POST", "/api/v1/applications/"+bare.ID+"/submit", nil, 422, nil), "8.208(c)(1)")

	// A report from a lab the application does not name; from an expired lab.
	appID := w.application(mfr, claID, labID, "Cam", "2030-06-30", nil, "")
	w.call(mfr, "POST", "/api/v1/applications/"+appID+"/submit", nil, 200, nil)
	check("unnamed lab", w.call(otherLab, "POST", "/api/v1/applications/"+appID+"/reports", w.report(), 422, nil), "8.208(j)")
	expApp := w.application(mfr, claID, labID, "Cam2", "2030-06-30", nil, "")
	w.clock.Add(150 * 24 * time.Hour) // past the expired lab's accreditation
	check("expired lab named", w.call(mfr, "PATCH", "/api/v1/applications/"+expApp, map[string]any{"lab_id": expiredLabID}, 422, nil), "expired")
	_ = expiredLab

	// Granting without a report, then against a failing report.
	check("grant without report", w.call(cla, "POST", "/api/v1/applications/"+appID+"/decision", map[string]string{"outcome": "granted"}, 422, nil), "8.208(j)")
	w.call(lab, "POST", "/api/v1/applications/"+appID+"/reports", w.report("3c"), 201, nil)
	check("grant against a failure", w.call(cla, "POST", "/api/v1/applications/"+appID+"/decision", map[string]string{"outcome": "granted"}, 422, nil), "3c")
	check("report with an unknown requirement", w.call(lab, "POST", "/api/v1/applications/"+appID+"/reports",
		trustmark.TestReport{Catalog: "nist-ir-8425", SignerTitle: "x", Results: []trustmark.ReportResult{{Requirement: "99z", Outcome: "pass"}}}, 422, nil), "99z")
	check("deny without reasons", w.call(cla, "POST", "/api/v1/applications/"+appID+"/decision", map[string]string{"outcome": "denied"}, 400, nil), "reasons")

	// Deny; then granting the denied application is a state conflict.
	w.call(cla, "POST", "/api/v1/applications/"+appID+"/decision", map[string]string{"outcome": "denied", "reasons": "3c fails: unauthenticated telnet"}, 200, nil)
	check("grant a denied application", w.call(cla, "POST", "/api/v1/applications/"+appID+"/decision", map[string]string{"outcome": "granted"}, 409, nil), "denied")

	// A new application for the same product must disclose the denial.
	var denied trustmark.Application
	w.call(mfr, "GET", "/api/v1/applications/"+appID, nil, 200, &denied)
	again := w.application(mfr, claID, labID, "", "2030-06-30", nil, denied.ProductID)
	check("undisclosed denial", w.call(mfr, "POST", "/api/v1/applications/"+again+"/submit", nil, 422, nil), "para 91")
	w.call(mfr, "PATCH", "/api/v1/applications/"+again, map[string]any{"prior_denials": []trustmark.PriorDenial{{ApplicationID: appID, CLAName: "Keystone Test CLA", Date: "2026-03-02", Reasons: "3c fails"}}}, 200, nil)
	w.call(mfr, "POST", "/api/v1/applications/"+again+"/submit", nil, 200, nil)

	// Review, then appeal, of the denial; the CLA upholds, the regulator reverses
	// once a passing report is in... but reports cannot be added after a decision.
	w.call(mfr, "POST", "/api/v1/applications/"+appID+"/review", map[string]string{"reason": "the telnet finding was a lab fixture"}, 200, nil)
	check("second review", w.call(mfr, "POST", "/api/v1/applications/"+appID+"/review", map[string]string{"reason": "again"}, 409, nil), "review")
	w.call(cla, "POST", "/api/v1/applications/"+appID+"/review-decision", map[string]string{"outcome": "upheld", "reasons": "finding confirmed on retest"}, 200, nil)
	check("regulator before appeal", w.call(reg, "POST", "/api/v1/applications/"+appID+"/review-decision", map[string]string{"outcome": "reversed", "reasons": "x y z"}, 409, nil), "no review is pending")
	w.call(mfr, "POST", "/api/v1/applications/"+appID+"/appeal", map[string]string{"reason": "we dispute the retest"}, 200, nil)
	check("CLA decides an appeal", w.call(cla, "POST", "/api/v1/applications/"+appID+"/review-decision", map[string]string{"outcome": "upheld", "reasons": "x y z"}, 403, nil), "regulator")
	check("reversal without a passing report", w.call(reg, "POST", "/api/v1/applications/"+appID+"/review-decision", map[string]string{"outcome": "reversed", "reasons": "de novo review"}, 422, nil), "3c")
	w.call(reg, "POST", "/api/v1/applications/"+appID+"/review-decision", map[string]string{"outcome": "upheld", "reasons": "de novo review confirms"}, 200, nil)

	// Grant the disclosed re-application, then try final-status changes.
	w.call(lab, "POST", "/api/v1/applications/"+again+"/reports", w.report(), 201, nil)
	var granted trustmark.Application
	w.call(cla, "POST", "/api/v1/applications/"+again+"/decision", map[string]string{"outcome": "granted"}, 200, &granted)
	label := string(granted.Decision.LabelID)
	check("CLA terminates", w.call(cla, "POST", "/api/v1/grants/"+label+"/status", map[string]string{"status": "terminated", "reason": "x y z"}, 403, nil), "regulator")
	check("cure an active grant", w.call(cla, "POST", "/api/v1/grants/"+label+"/status", map[string]string{"status": "active", "reason": "x y z"}, 409, nil), "suspended")
	w.call(mfr, "POST", "/api/v1/grants/"+label+"/status", map[string]string{"status": "surrendered", "reason": "product discontinued"}, 200, nil)
	check("revive a surrendered grant", w.call(reg, "POST", "/api/v1/grants/"+label+"/status", map[string]string{"status": "suspended", "reason": "x y z"}, 409, nil), "final")
	if st, _ := registryStatus(w, trustmark.LabelID(label)); st != "surrendered" {
		t.Errorf("registry status = %s, want surrendered", st)
	}

	// A lab whose recognition is withdrawn can no longer report.
	w.call(w.la, "POST", "/api/v1/labs/"+labID+"/withdraw", map[string]string{"reason": "accreditation suspended by A2LA"}, 200, nil)
	third := w.application(mfr, claID, otherLabID, "Cam3", "2030-06-30", nil, "")
	w.call(mfr, "POST", "/api/v1/applications/"+third+"/submit", nil, 200, nil)
	w.call(w.la, "POST", "/api/v1/labs/"+otherLabID+"/withdraw", map[string]string{"reason": "lost accreditation"}, 200, nil)
	check("withdrawn lab reports", w.call(otherLab, "POST", "/api/v1/applications/"+third+"/reports", w.report(), 422, nil), "withdrawn")
}

func sha(b []byte) string {
	return fmt.Sprintf("%x", sha256Sum(b))
}

// checkLogged verifies a label's proof as an outside verifier would and
// checks its history's event kinds and final status.
func checkLogged(t *testing.T, w *world, label trustmark.LabelID, kinds []string, status string) {
	t.Helper()
	get := func(path string) []byte {
		resp, err := http.Get(w.url + path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s = %v %v", path, resp.StatusCode, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	key := strings.TrimSpace(string(get("/api/v1/log/key")))
	proof, err := tlog.ParseProof(get("/api/v1/registry/" + string(label) + "/proof"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tlog.VerifyProof(proof, proof.Extra, key); err != nil {
		t.Fatalf("proof of %s does not verify: %v", label, err)
	}
	ev, err := trustmark.DecodeLabelEvent(proof.Extra)
	if err != nil {
		t.Fatal(err)
	}
	var rec trustmark.RegistryRecord
	if err := json.Unmarshal(get("/api/v1/registry/"+string(label)), &rec); err != nil {
		t.Fatal(err)
	}
	if ev.LabelID != label || string(ev.Status) != status || ev.RecordSHA256 != trustmark.RecordHash(&rec) {
		t.Errorf("latest logged event %+v does not match the served record (status %s, hash %s)", ev, rec.Status, trustmark.RecordHash(&rec))
	}
	var hist struct {
		Events []struct {
			Index      int64
			Integrated bool
			Event      trustmark.LabelEvent
		}
	}
	if err := json.Unmarshal(get("/api/v1/registry/"+string(label)+"/history"), &hist); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist.Events {
		got = append(got, string(e.Event.Event))
		if !e.Integrated {
			t.Errorf("event %d not integrated", e.Index)
		}
	}
	if strings.Join(got, ",") != strings.Join(kinds, ",") {
		t.Errorf("history of %s = %v, want %v", label, got, kinds)
	}
}
