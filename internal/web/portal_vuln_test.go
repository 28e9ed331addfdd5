package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"trustmark"
	"trustmark/internal/demo"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
)

// The vulnerability monitoring pages (page_portal_vuln.go) on the demo
// dataset, whose halo-cam-2k (Northwind, CLA Keystone) and lumen-hub (Lumen
// & Oak, CLA Keystone) have SBOMs and alerts (internal/demo/vuln.go).

const lumenUser = "lou@lumen.example"

// alertsOf lists alerts as a demo organization sees them.
func (w *claEnv) alertsOf(orgID string, f trustmark.AlertFilter) []trustmark.Alert {
	w.t.Helper()
	list, err := w.prog.Alerts(context.Background(), w.principal(orgID), f)
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

// demoAlert finds the demo alert of an advisory on a demo product.
func (w *claEnv) demoAlert(key, advisory string) trustmark.Alert {
	w.t.Helper()
	for _, a := range w.alertsOf("org_demo_keystone", trustmark.AlertFilter{ProductID: demo.ProductID(key)}) {
		if a.AdvisoryID == advisory {
			return a
		}
	}
	w.t.Fatalf("no alert of %s on %s", advisory, key)
	return trustmark.Alert{}
}

// upload posts a multipart form with the session's token: fields, and
// files by field name (a file named "" is an empty file input).
func (b *claSession) upload(path string, fields map[string]string, files map[string][]byte, token string) (*http.Response, string) {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", token)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for field, content := range files {
		name := field + ".json"
		if content == nil {
			name = ""
		}
		fw, err := mw.CreateFormFile(field, name)
		if err != nil {
			b.t.Fatal(err)
		}
		fw.Write(content)
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// vulnRoute is a route of the vulnerability portal by its pattern in
// routes.go, with who may open it.
type vulnRoute struct {
	method, pattern string
	allowed         []string // emails of demo users who may open it
	refused         []string // emails of demo users who get 403
}

var notMfrOrCLA = []string{labUser, leadUser, regulatorUser}
var notMfr = []string{keystoneUser, labUser, leadUser, regulatorUser}

// vulnRoutes are every /portal/vuln/ route (TestVulnPortalRoutesListed
// checks the list is complete).
var vulnRoutes = []vulnRoute{
	{"GET", "/portal/vuln/alerts", []string{mfrUser, keystoneUser, meridianUser}, notMfrOrCLA},
	{"GET", "/portal/vuln/alerts/{id}", []string{mfrUser, keystoneUser}, notMfrOrCLA},
	{"POST", "/portal/vuln/alerts/{id}/finding", []string{keystoneUser}, []string{mfrUser, labUser, leadUser, regulatorUser}},
	{"GET", "/portal/vuln/products", []string{mfrUser, lumenUser}, notMfr},
	{"GET", "/portal/vuln/products/{id}", []string{mfrUser}, notMfr},
	{"POST", "/portal/vuln/products/{id}/sboms", []string{mfrUser}, notMfr},
	{"POST", "/portal/vuln/products/{id}/vex", []string{mfrUser}, notMfr},
	{"GET", "/portal/vuln/sboms/{id}", []string{mfrUser}, notMfr},
	{"GET", "/portal/vuln/sboms/{id}/document", []string{mfrUser}, notMfr},
	{"GET", "/portal/vuln/webhooks", []string{mfrUser, keystoneUser}, notMfrOrCLA},
	{"POST", "/portal/vuln/webhooks", []string{mfrUser, keystoneUser}, notMfrOrCLA},
	{"GET", "/portal/vuln/webhooks/{id}/delete", []string{mfrUser}, notMfrOrCLA},
	{"POST", "/portal/vuln/webhooks/{id}/delete", []string{mfrUser}, notMfrOrCLA},
}

func TestVulnPortalRoutesListed(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, rt := range vulnRoutes {
		listed[rt.method+" "+rt.pattern] = true
	}
	found := 0
	for _, m := range regexp.MustCompile(`"((?:GET|POST|PUT|DELETE|PATCH) /portal/vuln/[^"]*)"`).FindAllStringSubmatch(string(src), -1) {
		found++
		if !listed[m[1]] {
			t.Errorf("routes.go has %q, which vulnRoutes does not list", m[1])
		}
		delete(listed, m[1])
	}
	for k := range listed {
		t.Errorf("vulnRoutes lists %q, which routes.go does not have", k)
	}
	if found < 10 {
		t.Errorf("found only %d vulnerability portal routes in routes.go; the scan is broken", found)
	}
}

// Every vulnerability portal route sends anonymous callers to sign in,
// refuses other kinds of organization with 403, opens for its parties and
// refuses posts without the session's form token.
func TestVulnPortalAccess(t *testing.T) {
	w := newCLAEnv(t)
	ctx := context.Background()
	alert := w.demoAlert("halo-cam-2k", "DEMO-2026-0001")
	admin := w.principal("org_demo_northwind") // a member; webhooks are for admins
	admin.Token.Role = trustmark.RoleAdmin
	hook, _, err := w.prog.CreateWebhook(ctx, admin, "https://hooks.northwind.example/trustmark")
	if err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("/alerts/{id}", "/alerts/"+alert.ID, "/products/{id}", "/products/"+alert.ProductID,
		"/sboms/{id}", "/sboms/"+alert.SBOMID, "/webhooks/{id}", "/webhooks/"+hook.ID)
	var routes []claRoute
	for _, rt := range vulnRoutes {
		routes = append(routes, claRoute{method: rt.method, path0: fill.Replace(rt.pattern), allowed: rt.allowed, refused: rt.refused})
	}
	checkPortalRoutes(t, w, routes, routeIDs{})

	// Others' things do not exist for them.
	for _, c := range []struct{ email, path string }{
		{meridianUser, "/portal/vuln/alerts/" + alert.ID},
		{lumenUser, "/portal/vuln/alerts/" + alert.ID},
		{lumenUser, "/portal/vuln/products/" + alert.ProductID},
		{lumenUser, "/portal/vuln/sboms/" + alert.SBOMID},
		{lumenUser, "/portal/vuln/sboms/" + alert.SBOMID + "/document"},
		{keystoneUser, "/portal/vuln/webhooks/" + hook.ID + "/delete"},
	} {
		if resp, _ := w.signIn(c.email).get(c.path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s as %s = %d, want 404", c.path, c.email, resp.StatusCode)
		}
	}
	if resp, _ := w.signIn(meridianUser).submit("/portal/vuln/alerts/"+alert.ID+"/finding", url.Values{"note": {"Not mine to judge."}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another CLA's finding = %d, want 404", resp.StatusCode)
	}
	if got, err := w.prog.Alert(ctx, w.principal("org_demo_keystone"), alert.ID); err != nil || got.State != trustmark.AlertOpen {
		t.Errorf("after refused posts the alert is %v (%v), want open", got.State, err)
	}
}

// The manufacturer reads its alerts — severity in words, the fix version,
// CPE matches marked as lower confidence, VEX suppression with its reason —
// and filters them; the overview counts the open ones.
func TestVulnPortalManufacturerAlerts(t *testing.T) {
	w := newCLAEnv(t)
	ana := w.signIn(mfrUser)
	resp, page := ana.get("/portal/vuln/alerts")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /portal/vuln/alerts = %d:\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{"DEMO-2026-0001", "CVE-2099-10001", `class="sev sev-critical"`, "Critical", "3.0.13-1~deb12u1",
		"DEMO-2026-0003", `class="conf conf-cpe"`, "CPE only: lower confidence", "5.15.140",
		"DEMO-2026-0002", "Suppressed by VEX", "vulnerable_code_not_present", "Running", "Halo Indoor Camera 2K", `href="/portal/vuln/webhooks"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the manufacturer's alerts page lacks %q", want)
		}
	}
	if strings.Contains(page, "DEMO-2026-0005") || strings.Contains(page, "Home Hub") {
		t.Errorf("Northwind sees Lumen & Oak's alerts")
	}
	// The most urgent first: the open critical before the suppressed high.
	if i, j := strings.Index(page, ">DEMO-2026-0001<"), strings.Index(page, ">DEMO-2026-0002<"); i < 0 || j < 0 || i > j {
		t.Errorf("the open critical alert is not listed before the suppressed one (%d, %d)", i, j)
	}
	_, page = ana.get("/portal/vuln/alerts?state=open&product=" + demo.ProductID("halo-cam-2k"))
	if strings.Contains(page, `class="state vstate-suppressed"`) || !strings.Contains(page, ">DEMO-2026-0001<") || !strings.Contains(page, `<option value="open" selected>`) {
		t.Errorf("filtered by open: suppressed alerts shown, or the filter not kept:\n%s", page)
	}
	if resp, page := ana.get("/portal/vuln/alerts?state=ajar"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="f-state-error"`) {
		t.Errorf("state=ajar = %d; want 400 beside the state filter", resp.StatusCode)
	}
	if _, page := ana.get("/portal/manufacturer/"); !regexp.MustCompile(`<strong>3</strong> open vulnerability alerts`).MatchString(page) {
		t.Errorf("the overview does not count 3 open alerts:\n%s", page)
	}
	// One alert's page, with the way to answer it.
	a := w.demoAlert("halo-cam-2k", "DEMO-2026-0003")
	_, page = ana.get("/portal/vuln/alerts/" + a.ID)
	for _, want := range []string{"DEMO-2026-0003 in linux", "cpe:2.3:o:linux:linux_kernel:5.15.120", "matched by its CPE name", "5.15.140",
		`href="/portal/vuln/products/` + a.ProductID + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the alert page lacks %q", want)
		}
	}
	if strings.Contains(page, `action="/portal/vuln/alerts/`+a.ID+`/finding"`) {
		t.Errorf("the manufacturer is offered the finding form")
	}
	if _, page := ana.get("/portal/vuln/alerts?lang=es"); !strings.Contains(page, "Crítica") || !strings.Contains(page, "Solo CPE: confianza menor") {
		t.Errorf("the alerts page in Spanish is not in Spanish")
	}
}

// The manufacturer uploads SBOMs and VEX through the forms: errors beside
// the field that caused them with the typed version kept, nothing stored on
// an error; a new firmware's SBOM resolves the alert it fixes; a VEX
// statement suppresses an alert.
func TestVulnPortalUploads(t *testing.T) {
	w := newCLAEnv(t)
	ctx := context.Background()
	ana := w.signIn(mfrUser)
	cam := demo.ProductID("halo-cam-2k")
	productPage := "/portal/vuln/products/" + cam
	sbomCount := func() int {
		list, err := w.prog.SBOMs(ctx, w.principal("org_demo_northwind"), cam)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	_, page := ana.get("/portal/vuln/products")
	if !strings.Contains(page, `href="/portal/vuln/products/`+cam+`"`) || !strings.Contains(page, "version 4.2.1") {
		t.Fatalf("the SBOM overview lacks the camera's current SBOM:\n%s", page)
	}
	_, page = ana.get(productPage)
	for _, want := range []string{"Current SBOM", "DEMO-2026-0001", "Not affected", "vulnerable_code_not_present", "Ana Ruiz (Northwind Home Devices)", `enctype="multipart/form-data"`, `name="document"`, `name="vex"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the product page lacks %q", want)
		}
	}

	good, err := os.ReadFile(filepath.Join("..", "demo", "vulns", "halo-cam-2k-4.2.1.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		fields map[string]string
		files  map[string][]byte
		status int
		field  string
		want   string
	}{
		{"malformed JSON", map[string]string{"version": "4.3.0"}, map[string][]byte{"document": []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [`)},
			400, "document", "cyclonedx-json"},
		{"not an SBOM", map[string]string{"version": "4.3.0"}, map[string][]byte{"document": []byte(`{"hello": "world"}`)}, 400, "document", "not a CycloneDX or SPDX document"},
		{"no file chosen", map[string]string{"version": "4.3.0"}, map[string][]byte{"document": nil}, 400, "document", "Choose the SBOM file"},
		{"no version", map[string]string{"version": " "}, map[string][]byte{"document": good}, 400, "version", "name the product"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, page := ana.upload(productPage+"/sboms", tc.fields, tc.files, ana.csrf)
			if resp.StatusCode != tc.status || !strings.Contains(page, `id="f-`+tc.field+`-error"`) || !strings.Contains(page, tc.want) {
				t.Errorf("upload = %d; want %d with %q beside %s:\n%s", resp.StatusCode, tc.status, tc.want, tc.field, page)
			}
			if v := tc.fields["version"]; strings.TrimSpace(v) != "" && !strings.Contains(page, `value="`+v+`"`) {
				t.Errorf("the typed version %q was not kept", v)
			}
		})
	}
	// A wrong form token stores nothing either.
	if resp, _ := ana.upload(productPage+"/sboms", map[string]string{"version": "4.3.0"}, map[string][]byte{"document": good}, "not-the-token"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("upload with a wrong token = %d, want 403", resp.StatusCode)
	}
	if n := sbomCount(); n != 1 {
		t.Fatalf("after refused uploads the camera has %d SBOMs, want 1", n)
	}

	// Firmware 4.3.0 ships the fixed OpenSSL: its alert is resolved, the
	// others move to the new SBOM.
	fixed := bytes.ReplaceAll(good, []byte("3.0.11-1~deb12u2"), []byte("3.0.13-1~deb12u1"))
	fixed = bytes.ReplaceAll(fixed, []byte(`"4.2.1"`), []byte(`"4.3.0"`))
	resp, _ := ana.upload(productPage+"/sboms", map[string]string{"version": "4.3.0"}, map[string][]byte{"document": fixed}, ana.csrf)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/vuln/sboms/") || !strings.HasSuffix(loc, "?done=vuln_sbom_uploaded") {
		t.Fatalf("upload = %d to %q, want 303 to the new SBOM's page", resp.StatusCode, loc)
	}
	_, page = ana.get(loc)
	for _, want := range []string{"The SBOM has been uploaded", "SBOM of Halo Indoor Camera 2K, version 4.3.0", "the product&#39;s current SBOM",
		"sensor-isp-firmware", "without a version", "Components that cannot be checked", "3.0.13-1~deb12u1"} {
		if !strings.Contains(page, want) {
			t.Errorf("the new SBOM's page lacks %q:\n%s", want, page)
		}
	}
	if a := w.demoAlert("halo-cam-2k", "DEMO-2026-0001"); a.State != trustmark.AlertResolved {
		t.Errorf("the OpenSSL alert after the fixed firmware = %s, want resolved", a.State)
	}
	if a := w.demoAlert("halo-cam-2k", "DEMO-2026-0003"); a.State != trustmark.AlertOpen {
		t.Errorf("the kernel alert after the new firmware = %s, want still open", a.State)
	}
	// The document comes back as uploaded.
	if resp, body := ana.get(strings.TrimSuffix(loc, "?done=vuln_sbom_uploaded") + "/document"); resp.StatusCode != 200 || body != string(fixed) ||
		resp.Header.Get("Content-Type") != "application/vnd.cyclonedx+json" {
		t.Errorf("the document = %d %q, %d bytes; want the uploaded file", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}

	// A fixture of internal/sbom: another labeled product (no disclosure warning: its record says an SBOM is maintained).
	fixture, err := os.ReadFile(filepath.Join("..", "sbom", "testdata", "cyclonedx-1.6.json"))
	if err != nil {
		t.Fatal(err)
	}
	lock := demo.ProductID("sentry-lock")
	resp, _ = ana.upload("/portal/vuln/products/"+lock+"/sboms", map[string]string{"version": "1.9.4"}, map[string][]byte{"document": fixture}, ana.csrf)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("uploading the CycloneDX 1.6 fixture = %d", resp.StatusCode)
	}
	if _, page = ana.get(resp.Header.Get("Location")); !strings.Contains(page, "lwip") || !strings.Contains(page, "cyclonedx-json 1.6") || strings.Contains(page, "says no SBOM is maintained") {
		t.Errorf("the fixture's SBOM page:\n%s", page)
	}

	// VEX: a statement without justification is refused beside the file input.
	bad, err := os.ReadFile(filepath.Join("..", "sbom", "testdata", "openvex-no-justification.json"))
	if err != nil {
		t.Fatal(err)
	}
	if resp, page := ana.upload(productPage+"/vex", nil, map[string][]byte{"vex": bad}, ana.csrf); resp.StatusCode != 400 || !strings.Contains(page, `id="f-vex-error"`) || !strings.Contains(page, "justification") {
		t.Errorf("VEX without justification = %d:\n%s", resp.StatusCode, page)
	}
	if resp, page := ana.upload(productPage+"/vex", nil, map[string][]byte{"vex": nil}, ana.csrf); resp.StatusCode != 400 || !strings.Contains(page, "Choose the VEX file") {
		t.Errorf("VEX without a file = %d:\n%s", resp.StatusCode, page)
	}
	vex := []byte(`{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://northwind-home.example.com/vex/axios", "author": "Northwind PSIRT",
		"timestamp": "2026-11-28T10:00:00Z", "version": 1, "statements": [{"vulnerability": {"name": "CVE-2099-10004"},
		"products": [{"@id": "pkg:npm/axios"}], "status": "not_affected", "justification": "vulnerable_code_cannot_be_controlled_by_adversary",
		"impact_statement": "The local web UI only calls its own origin and never follows redirects."}]}`)
	resp, _ = ana.upload(productPage+"/vex", nil, map[string][]byte{"vex": vex}, ana.csrf)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != productPage+"?done=vuln_vex_uploaded" {
		t.Fatalf("VEX upload = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page = ana.get(resp.Header.Get("Location")); !strings.Contains(page, "The VEX statements have been stored") || !strings.Contains(page, "never follows redirects") {
		t.Errorf("the product page after the VEX upload:\n%s", page)
	}
	a := w.demoAlert("halo-cam-2k", "DEMO-2026-0004")
	if a.State != trustmark.AlertSuppressed || !strings.Contains(a.StateReason, "vulnerable_code_cannot_be_controlled_by_adversary") || !strings.Contains(a.StateReason, "Ana Ruiz") {
		t.Errorf("the axios alert after the VEX = %s (%s), want suppressed by Ana's statement", a.State, a.StateReason)
	}
}

// The CLA sees its grants' alerts (of two manufacturers) and turns one
// into a surveillance finding: refused beside the form until it has a
// plan for the year, then recorded, and the grant is suspended.
func TestVulnPortalCLAFinding(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) { testVulnPortalCLAFinding(t, newCLAEnvOn(t, db)) })
}

func testVulnPortalCLAFinding(t *testing.T, w *claEnv) {
	ctx := context.Background()
	kim := w.signIn(keystoneUser)
	_, page := kim.get("/portal/vuln/alerts")
	for _, want := range []string{"Halo Indoor Camera 2K", "Lumen &amp; Oak Home Hub", "DEMO-2026-0005", "Advisories that match a component of a product whose grant you administer"} {
		if !strings.Contains(page, want) {
			t.Errorf("the CLA's alerts page lacks %q", want)
		}
	}
	if _, page := w.signIn(meridianUser).get("/portal/vuln/alerts"); !strings.Contains(page, "No alert matches.") {
		t.Errorf("another CLA sees Keystone's alerts")
	}
	a := w.demoAlert("halo-cam-2k", "DEMO-2026-0001")
	alertPage := "/portal/vuln/alerts/" + a.ID
	if _, page = kim.get(alertPage); !strings.Contains(page, `action="`+alertPage+`/finding"`) {
		t.Fatalf("the CLA's alert page has no finding form:\n%s", page)
	}
	resp, page := kim.submit(alertPage+"/finding", url.Values{"note": {"x"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `id="f-note-error"`) {
		t.Errorf("a one-letter note = %d; want 400 beside the note", resp.StatusCode)
	}
	note := "Critical OpenSSL flaw in shipping firmware; ship the fixed build."
	resp, page = kim.submit(alertPage+"/finding", url.Values{"note": {note}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `href="/portal/cla/surveillance"`) ||
		!strings.Contains(page, "Draw this year&#39;s surveillance plan") || !strings.Contains(page, note+"</textarea>") {
		t.Fatalf("a finding without a plan = %d; want 422 with a link to the plan and the note kept:\n%s", resp.StatusCode, page)
	}
	if g, _ := w.prog.Grant(ctx, w.principal("org_demo_keystone"), demo.LabelID("halo-cam-2k")); g.Status != trustmark.GrantActive {
		t.Fatalf("a refused finding changed the grant to %s", g.Status)
	}
	if _, err := w.prog.CreatePlan(ctx, w.principal("org_demo_keystone"), program.PlanInput{Year: now.Year(), Share: 0.01}); err != nil {
		t.Fatal(err)
	}
	resp, _ = kim.submit(alertPage+"/finding", url.Values{"note": {note}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != alertPage+"?done=vuln_finding" {
		t.Fatalf("the finding = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = kim.get(resp.Header.Get("Location"))
	if !strings.Contains(page, "The alert is now a surveillance finding") || !strings.Contains(page, `class="state vstate-finding"`) || strings.Contains(page, `/finding"`) {
		t.Errorf("the alert page after the finding:\n%s", page)
	}
	g, err := w.prog.Grant(ctx, w.principal("org_demo_keystone"), demo.LabelID("halo-cam-2k"))
	if err != nil || g.Status != trustmark.GrantSuspended || g.CureDeadline == nil {
		t.Fatalf("the grant after the finding = %+v, %v; want suspended with a cure deadline", g, err)
	}
	// The public registry says so at once (the record cache was refreshed).
	if resp, body := w.anonymous().get("/api/v1/registry/" + string(g.LabelID)); resp.StatusCode != 200 || !strings.Contains(body, `"status":"suspended"`) {
		t.Errorf("the registry record after the finding = %d %s", resp.StatusCode, body)
	}
	// The manufacturer sees it; a second finding is a conflict.
	if _, page := w.signIn(mfrUser).get(alertPage); !strings.Contains(page, "Surveillance finding") || !strings.Contains(page, note) {
		t.Errorf("the manufacturer's alert page does not show the finding")
	}
	if resp, _ := kim.submit(alertPage+"/finding", url.Values{"note": {note}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("a second finding = %d, want 409", resp.StatusCode)
	}
	samples, err := w.prog.Samples(ctx, w.principal("org_demo_keystone"))
	if err != nil || !slices.ContainsFunc(samples, func(s trustmark.Sample) bool {
		return s.LabelID == g.LabelID && s.State == trustmark.SampleFailed && strings.Contains(s.Findings, note)
	}) {
		t.Errorf("no failed sample with the note among %d samples (%v)", len(samples), err)
	}
}

// An admin creates a webhook (the secret shown once), sees it listed and
// deletes it after confirming; a bad URL is refused beside the field.
func TestVulnPortalWebhooks(t *testing.T) {
	w := newCLAEnv(t)
	ana := w.signIn(mfrUser)
	if _, page := ana.get("/portal/vuln/webhooks"); !strings.Contains(page, "No webhook yet.") || !strings.Contains(page, `name="url"`) {
		t.Fatalf("the webhooks page:\n%s", page)
	}
	resp, page := ana.submit("/portal/vuln/webhooks", url.Values{"url": {"http://hooks.northwind.example/trustmark"}})
	if resp.StatusCode != 400 || !strings.Contains(page, `id="f-url-error"`) || !strings.Contains(page, `value="http://hooks.northwind.example/trustmark"`) {
		t.Errorf("a plain http URL = %d; want 400 beside the URL, kept:\n%s", resp.StatusCode, page)
	}
	hookURL := "https://hooks.northwind.example/trustmark?key=receiver-token"
	resp, page = ana.submit("/portal/vuln/webhooks", url.Values{"url": {hookURL}})
	secret := regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`).FindString(page)
	if resp.StatusCode != 200 || secret == "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("creating a webhook = %d (Cache-Control %q); want the page with its secret:\n%s", resp.StatusCode, resp.Header.Get("Cache-Control"), page)
	}
	_, page = ana.get("/portal/vuln/webhooks")
	if strings.Contains(page, secret) || !strings.Contains(page, "hooks.northwind.example") {
		t.Errorf("the list shows the secret again, or lacks the webhook")
	}
	del := regexp.MustCompile(`href="(/portal/vuln/webhooks/[^"/]+/delete)"`).FindStringSubmatch(page)
	if del == nil {
		t.Fatalf("no delete link:\n%s", page)
	}
	// Another CLA's admin cannot delete it.
	if resp, _ := w.signIn(keystoneUser).submit(del[1], url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another organization deletes the webhook: %d, want 404", resp.StatusCode)
	}
	if _, page = ana.get(del[1]); !strings.Contains(page, "Delete the webhook to hooks.northwind.example?") || !strings.Contains(page, `action="`+del[1]+`"`) {
		t.Errorf("the confirmation page:\n%s", page)
	}
	resp, _ = ana.submit(del[1], url.Values{})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/portal/vuln/webhooks?done=vuln_webhook_deleted" {
		t.Fatalf("deleting = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page = ana.get(resp.Header.Get("Location")); !strings.Contains(page, "No webhook yet.") || !strings.Contains(page, "The webhook has been deleted") {
		t.Errorf("after deleting:\n%s", page)
	}

	// A server without a webhook key says so instead of offering the form.
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "plain.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	plain := buildCLAEnv(t, db, nil)
	if _, page := plain.signIn(keystoneUser).get("/portal/vuln/webhooks"); !strings.Contains(page, "has no webhook key") || strings.Contains(page, `name="url"`) {
		t.Errorf("the webhooks page without a key:\n%s", page)
	}
}
