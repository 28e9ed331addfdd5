package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"trustmark"
)

// portalFlow drives the portals in chromium: it signs users in and out,
// fills and submits forms, and checks every page it visits (accessibility
// with axe-core, no sideways scrolling on a phone, no console errors such
// as CSP violations), with a screenshot of each into a temporary folder.
// Flows of other parties extend it with their steps.
type portalFlow struct {
	t     *testing.T
	ctx   context.Context
	axe   string
	url   string // the server's base URL (http://127.0.0.1:port)
	shots string
	env   *portalEnv
	// console gathers the browser console's errors.
	console *consoleLog
	// expectedConsole are console messages a flow expects (e.g. a 422 answer).
	expectedConsole []string
}

func newPortalFlow(t *testing.T) *portalFlow {
	ctx := browser(t)
	axe := axeSource(t)
	env := newPortalEnv(t)
	ts := httptest.NewServer(env.srv)
	t.Cleanup(ts.Close)
	f := &portalFlow{t: t, ctx: ctx, axe: axe, url: ts.URL, shots: screenshotDir(t), env: env}
	t.Logf("screenshots in %s", f.shots)
	f.console = watchConsole(ctx)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
	return f
}

// do runs browser actions, failing the test on an error.
func (f *portalFlow) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	if err := chromedp.Do(f.ctx, actions...); err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

// open navigates to a path of the server.
func (f *portalFlow) open(path string) {
	f.t.Helper()
	f.do("open "+path, chromedp.Navigate(f.url+path))
}

// submit clicks a submit button and waits for the page it leads to.
func (f *portalFlow) submit(sel string) {
	f.t.Helper()
	resp, err := chromedp.RunResponse(f.ctx, chromedp.Click(sel))
	if err != nil {
		f.t.Fatalf("submit %s: %v", sel, err)
	}
	if resp != nil && resp.Status >= 500 {
		f.t.Fatalf("submit %s: status %d", sel, resp.Status)
	}
}

// fill sets form fields by name; a value of a checkbox name ticks that box.
func (f *portalFlow) fill(values map[string]string, checks map[string][]string) {
	f.t.Helper()
	for name, v := range values {
		f.do("fill "+name, chromedp.SetValue(`[name="`+name+`"]`, v))
	}
	for name, vs := range checks {
		for _, v := range vs {
			f.do("tick "+name+"="+v, chromedp.Click(`input[name="`+name+`"][value="`+v+`"]`))
		}
	}
}

// path is the current page's path.
func (f *portalFlow) path() string {
	f.t.Helper()
	loc, err := chromedp.Run(f.ctx, chromedp.Location())
	if err != nil {
		f.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, f.url)
}

// check checks the current page: its path starts with wantPath, main
// holds want, axe-core finds no serious violation, nothing is wider than
// the screen; then it takes a screenshot named shot (when not empty).
func (f *portalFlow) check(wantPath, want, shot string) {
	f.t.Helper()
	if p := f.path(); !strings.HasPrefix(p, wantPath) {
		text, _ := chromedp.Run(f.ctx, chromedp.Text("main"))
		f.t.Fatalf("at %s, want %s; the page says:\n%s", p, wantPath, text)
	}
	text, err := chromedp.Run(f.ctx, chromedp.Text("main"))
	if err != nil || !strings.Contains(text, want) {
		f.t.Errorf("%s: main lacks %q (%v):\n%s", f.path(), want, err, text)
	}
	if overflow, _ := chromedp.Run(f.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); overflow {
		f.t.Errorf("%s scrolls sideways", f.path())
	}
	checkAccessibility(f.t, f.ctx, f.axe, f.path())
	if shot != "" {
		shoot(f.t, f.ctx, f.shots, shot)
	}
}

// signIn signs in through the form as the user of an organization kind.
func (f *portalFlow) signIn(kind trustmark.OrgKind) {
	f.t.Helper()
	f.open("/portal/login")
	f.check("/portal/login", "Sign in", "")
	f.do("type credentials", chromedp.SendKeys(`#f-email`, f.env.email[kind]), chromedp.SendKeys(`#f-password`, portalPassword))
	f.submit(`main button[type=submit]`)
}

// signOut signs out with the header's button.
func (f *portalFlow) signOut() {
	f.t.Helper()
	f.submit(`form.logout button`)
	f.check("/portal/login", "You have signed out.", "")
}

// finish fails on console errors (CSP violations show up there). A form
// shown again with its error answers 400, which chromium logs too.
func (f *portalFlow) finish() {
	for _, m := range f.console.errors(append(f.expectedConsole, "the server responded with a status of 400")...) {
		f.t.Errorf("browser console error (e.g. a CSP violation): %s", m)
	}
}

// manufacturerApplies: the manufacturer signs in, adds a product and
// applies in three steps (details with one error first, declarations,
// submit). It returns the application's ID.
func (f *portalFlow) manufacturerApplies() string {
	f.t.Helper()
	f.signIn(trustmark.OrgManufacturer)
	// Chromium kept the Secure __Host- session cookie on http://127.0.0.1
	// (a secure context), or the overview would not open.
	f.check("/portal/manufacturer/", "What needs your attention", "portal-manufacturer-home.png")

	f.open("/portal/manufacturer/products/new")
	f.check("/portal/manufacturer/products/new", "Add a product", "")
	f.fill(map[string]string{"name": "Halo Cam 2K", "model_numbers": "HC-2K-A\nHC-2K-B", "class": "camera", "hardware_version": "rev 3",
		"software_version": "1.4.2", "components.device": "Halo Cam 2K", "components.app": "Halo app", "components.cloud": "Halo cloud"}, nil)
	f.submit(`main button[type=submit]`)
	f.check("/portal/manufacturer/products", "The product has been added.", "portal-manufacturer-products.png")

	f.submit(`a[href^="/portal/manufacturer/applications/new?product_id="]`)
	f.check("/portal/manufacturer/applications/new", "Step 1 of 3", "")
	e := f.env
	f.fill(map[string]string{
		"cla_id": e.org[trustmark.OrgCLA], "lab_id": e.org[trustmark.OrgLab],
		"us_agent.name": "Agent LLC", "us_agent.address": "1 K St, Washington, DC", "us_agent.email": "agent at agent.example.com",
		"us_agent.phone": "+1 202 555 0100", "us_agent.attested_by": "Pat Agent",
		"sensor_data_collection.images": "yes", "sensor_data_collection.images.description": "Records video when motion is detected.",
		"sensor_data_collection.audio": "yes", "sensor_data_collection.position": "no",
		"access_control.password_type": "factory_default", "access_control.user_changeable": "yes",
		"access_control.password_change.text": "Settings > Security > Password", "access_control.password_change.url": "https://maker.example/password",
		"securing_this_product.url":                  "https://maker.example/secure",
		"security_update_information.update_default": trustmark.UpdateAutoOptOut,
		"support_date":                               "2029-12-31",
		"delete_data.url":                            "https://maker.example/reset",
		"account_deactivation.url":                   "https://maker.example/deactivate",
		"encryption_and_key_management.url":          "https://maker.example/encryption",
		"general_user_information.url":               "https://maker.example/about",
		"security_contact":                           "security@maker.example",
	}, map[string][]string{
		"access_control.password_options":            {"password", "passkey"},
		"security_update_information.update_options": {trustmark.UpdateManual},
		"sbom_hbom_maintained":                       {"sbom"},
	})
	f.submit(`main form button[type=submit]`)
	// The error is shown above the form and beside the field, with what was typed.
	f.check("/portal/manufacturer/applications/new", "There is a problem", "portal-application-error.png")
	if v, _ := chromedp.Run(f.ctx, chromedp.Value(`#f-us_agent-address`)); v != "1 K St, Washington, DC" {
		f.t.Errorf("after the error the agent's address is %q", v)
	}
	if desc, _ := chromedp.Run(f.ctx, chromedp.Evaluate[string](`document.getElementById("f-us_agent-email").getAttribute("aria-describedby")`)); desc != "f-us_agent-email-error" {
		f.t.Errorf("the agent's email field is described by %q", desc)
	}
	f.do("fix the email", chromedp.SetValue(`#f-us_agent-email`, "agent@agent.example.com"))
	f.submit(`main form button[type=submit]`)
	f.check("/portal/manufacturer/applications/", "Step 2 of 3", "portal-application-declarations.png")

	for i := range trustmark.Declarations {
		f.do("tick a declaration", chromedp.Click(`#decl-`+string(rune('0'+i))))
	}
	f.submit(`main form button[type=submit]`)
	f.check("/portal/manufacturer/applications/", "9 of 9 signed", "")
	appID := strings.Split(strings.TrimPrefix(f.path(), "/portal/manufacturer/applications/"), "?")[0]
	f.submit(`form[action$="/submit"] button`)
	f.check("/portal/manufacturer/applications/"+appID, "The application has been submitted", "portal-application-submitted.png")
	f.open("/portal/manufacturer/applications")
	f.check("/portal/manufacturer/applications", "Halo Cam 2K", "")
	f.signOut()
	return appID
}

// labReports: the lab signs in, finds the application and enters a
// report passing every requirement, with an evidence file.
func (f *portalFlow) labReports(appID string) {
	f.t.Helper()
	f.signIn(trustmark.OrgLab)
	f.check("/portal/lab/", "Halo Cam 2K", "portal-lab-applications.png")
	f.submit(`a[href="/portal/lab/applications/` + appID + `"]`)
	f.check("/portal/lab/applications/"+appID, "No report has been attached yet.", "")
	f.submit(`form[action$="/report"] button`)
	f.check("/portal/lab/applications/"+appID+"/report", "Enter a result for each requirement", "")
	evidence := filepath.Join(f.t.TempDir(), "scan.txt")
	if err := os.WriteFile(evidence, []byte("nmap: 22/tcp closed, 443/tcp open (TLS 1.3)"), 0o644); err != nil {
		f.t.Fatal(err)
	}
	n, err := chromedp.Run(f.ctx, chromedp.Evaluate[int](`(() => { const s = document.querySelectorAll('select[name$="].outcome"]'); s.forEach(x => x.value = "pass"); return s.length })()`))
	if err != nil || n < 10 {
		f.t.Fatalf("set outcomes: %d selects, %v", n, err)
	}
	f.do("sign and attach evidence", chromedp.SendKeys(`#f-signer_title`, "Lead test engineer"),
		chromedp.SetUploadFiles(`input[name="results[3c].evidence"]`, []string{evidence}),
		chromedp.SetValue(`textarea[name="results[3c].justification"]`, "Port scan attached."))
	f.check("/portal/lab/applications/"+appID+"/report", "Lead test engineer", "portal-lab-report.png")
	f.submit(`main form[method=post] > p > button[type=submit]`)
	f.check("/portal/lab/applications/"+appID, "The test report has been attached", "portal-lab-application.png")
	f.signOut()
}

// TestBrowserPortals: in chromium, a manufacturer signs in, adds a product
// and applies (declarations signed, submitted); the lab signs in and
// enters a passing report. Every page passes axe-core, fits a phone and
// loads without console errors.
func TestBrowserPortals(t *testing.T) {
	f := newPortalFlow(t)
	appID := f.manufacturerApplies()
	f.labReports(appID)

	a, err := f.env.prog.Application(context.Background(), f.env.principalOf(trustmark.OrgManufacturer), appID)
	if err != nil || a.State != trustmark.AppSubmitted || len(a.Declarations) != 9 {
		t.Errorf("the application after the flow: %+v, %v", a, err)
	}
	reports, _, err := f.env.prog.Reports(context.Background(), f.env.principalOf(trustmark.OrgLab), appID)
	if err != nil || len(reports) != 1 {
		t.Fatalf("reports after the flow: %d, %v", len(reports), err)
	}
	passed, evidence := 0, 0
	for _, r := range reports[0].Results {
		if r.Outcome == trustmark.OutcomePass {
			passed++
		}
		evidence += len(r.Evidence)
	}
	if passed != len(reports[0].Results) || evidence != 1 {
		t.Errorf("the report has %d of %d passed and %d evidence files", passed, len(reports[0].Results), evidence)
	}

	// The CLA grants; a consumer sees the new record; the Lead
	// Administrator sees it on the dashboard (browser_cla_test.go).
	label := f.claGrants(appID)
	f.consumerSees(label, "Halo Cam 2K")
	f.overseerSeesDashboard()

	// The sign-in page and the application form fit a 320 px screen.
	f.do("narrow", chromedp.EmulateViewport(320, 700, chromedp.EmulateScale(2)))
	f.open("/portal/login")
	f.check("/portal/login", "Sign in", "portal-login-320.png")
	f.finish()
}
