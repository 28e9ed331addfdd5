package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"trustmark"
	"trustmark/internal/demo"
	"trustmark/internal/storetest"
)

// claGrants continues the portal flow after the lab reported: the CLA
// signs in, opens its queue and the application (with the criteria
// verdict), and grants it through the decision form. It returns the new
// label ID.
func (f *portalFlow) claGrants(appID string) trustmark.LabelID {
	f.t.Helper()
	f.signIn(trustmark.OrgCLA)
	f.check("/portal/cla/", "Application queue", "portal-cla-queue.png")
	f.submit(`a[href="/portal/cla/applications/` + appID + `"]`)
	f.check("/portal/cla/applications/"+appID, "meets every mandatory requirement of NIST IR 8425", "portal-cla-application.png")
	f.do("choose to grant", chromedp.SetValue(`#f-outcome`, string(trustmark.AppGranted)))
	f.submit(`form[action$="/decision"] button[type=submit]`)
	f.check("/portal/cla/applications/"+appID, "the label and its registry record are published", "portal-cla-granted.png")
	href, err := chromedp.Run(f.ctx, chromedp.Evaluate[string](`document.querySelector("main a.labelid").getAttribute("href")`))
	if err != nil || !strings.HasPrefix(href, "/p/") {
		f.t.Fatalf("no link to the new label on the decided application: %q, %v", href, err)
	}
	f.open("/portal/cla/")
	f.check("/portal/cla/", "No application waits on you.", "")
	f.signOut()
	return trustmark.LabelID(strings.TrimPrefix(href, "/p/"))
}

// consumerSees: a consumer without a session, on a phone, opens the new
// label's page in English and in Spanish.
func (f *portalFlow) consumerSees(label trustmark.LabelID, product string) {
	f.t.Helper()
	f.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	for _, c := range []struct{ query, lang, status, shot string }{
		{"", "en", "Authorized", "portal-consumer-new-en.png"},
		{"?lang=es", "es", "Autorizado", "portal-consumer-new-es.png"},
	} {
		f.open("/p/" + string(label) + c.query)
		f.check("/p/"+string(label), c.status, c.shot)
		text, _ := chromedp.Run(f.ctx, chromedp.Text("main"))
		if !strings.Contains(text, product) || !strings.Contains(text, string(label)) {
			f.t.Errorf("/p/%s%s does not name %s and its label ID", label, c.query, product)
		}
		if lang, _ := chromedp.Run(f.ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != c.lang {
			f.t.Errorf("/p/%s%s: <html lang> = %q, want %q", label, c.query, lang, c.lang)
		}
	}
}

// overseerSeesDashboard: the Lead Administrator signs in and finds the new
// grant on the dashboard.
func (f *portalFlow) overseerSeesDashboard() {
	f.t.Helper()
	f.signIn(trustmark.OrgLeadAdministrator)
	f.check("/portal/oversight/", "Grants per month, by status today", "portal-dashboard.png")
	n, err := chromedp.Run(f.ctx, chromedp.Evaluate[int](`document.querySelectorAll("main svg.chart[role=img]").length`))
	if err != nil || n != 4 {
		f.t.Errorf("the dashboard has %d accessible charts, want 4 (%v)", n, err)
	}
	f.signOut()
}

// TestBrowserCLAAndDashboard shows the CLA queue and the dashboard on the
// demo dataset, on a desktop screen: the queue with its clocks (one
// deadline passed) and the dashboard with all four charts holding data.
// These are the screenshots docs/screenshots/cla-queue.png and
// dashboard.png (with -update-screenshots).
func TestBrowserCLAAndDashboard(t *testing.T) {
	ctx := browser(t)
	axe := axeSource(t)
	w := newCLAEnv(t)
	seedDashboard(t, w)
	ts := httptest.NewServer(w.srv)
	t.Cleanup(ts.Close)
	// localhost is a secure context, where chromium keeps __Host- cookies.
	base := strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)
	shots := screenshotDir(t)
	t.Logf("screenshots in %s", shots)
	console := watchConsole(ctx)
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	signIn := func(email string) {
		t.Helper()
		run("sign in as "+email, chromedp.Navigate(base+"/portal/login"), chromedp.SendKeys(`#f-email`, email), chromedp.SendKeys(`#f-password`, demo.Password))
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(`main button[type=submit]`)); err != nil {
			t.Fatalf("sign in as %s: %v", email, err)
		}
	}
	expect := func(path, want string) {
		t.Helper()
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		text, err := chromedp.Run(ctx, chromedp.Text("main"))
		if !strings.HasPrefix(loc, base+path) || err != nil || !strings.Contains(text, want) {
			t.Fatalf("at %s, want %s saying %q:\n%s", loc, path, want, text)
		}
	}
	run("desktop", chromedp.EmulateViewport(1024, 800))

	signIn(keystoneUser)
	expect("/portal/cla/", "Deadline passed: you may dismiss")
	checkAccessibility(t, ctx, axe, "CLA queue")
	shoot(t, ctx, shots, "cla-queue.png")
	// On a phone the queue scrolls inside its own region, not the page.
	run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	if overflow, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); overflow {
		t.Errorf("the CLA queue scrolls sideways on a phone")
	}
	checkAccessibility(t, ctx, axe, "CLA queue on a phone")
	run("desktop", chromedp.EmulateViewport(1024, 800))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`form.logout button`)); err != nil {
		t.Fatal(err)
	}

	signIn(leadUser)
	expect("/portal/oversight/", "Cure clocks of suspended grants")
	shoot(t, ctx, shots, "dashboard.png")
	// Open the data tables, so that axe checks them too.
	run("open the tables", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details.chart-data").forEach(d => d.open = true)`))
	checkAccessibility(t, ctx, axe, "dashboard")
	run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	if overflow, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); overflow {
		t.Errorf("the dashboard scrolls sideways on a phone")
	}
	for _, m := range console.errors() {
		t.Errorf("browser console error (e.g. a CSP violation): %s", m)
	}
}

// seedDashboard adds to the demo what makes the queue and the charts
// worth a look: applications in every clock, support periods ending soon,
// open complaints and a second suspension.
func seedDashboard(t *testing.T, w *claEnv) {
	t.Helper()
	ctx := context.Background()
	keystone := w.principal("org_demo_keystone")
	earlier := newCLAEnvAt(t, w, now.Add(-9*24*time.Hour))
	late := earlier.submittedApplication("Glow Strip Light", true)
	if _, err := earlier.prog.RequestInfo(ctx, keystone, late.ID, "Send the firmware signing policy.", 7); err != nil {
		t.Fatal(err)
	}
	earlier.submittedApplication("Halo Floodlight Cam", true)
	asked := w.submittedApplication("Sentry Garage Opener", false)
	if _, err := w.prog.RequestInfo(ctx, keystone, asked.ID, "Name the hardware revision tested.", 10); err != nil {
		t.Fatal(err)
	}
	w.submittedApplication("AirSense Smoke Alarm", true)
	for i, support := range []string{"2027-01-31", "2027-03-15", "2027-03-31", "2027-06-30", "2027-09-30"} {
		issueWithSupport(t, w, "Legacy Plug "+string(rune('A'+i)), support)
	}
	for _, key := range []string{"halo-cam-2k", "echosphere", "glow-a19"} {
		c, err := w.prog.FileComplaint(ctx, nil, trustmark.Complaint{LabelID: demo.LabelID(key), Text: "The registry lists an update mode the product does not offer."})
		if err != nil {
			t.Fatal(err)
		}
		if key == "echosphere" {
			if _, err := w.prog.ActOnComplaint(ctx, w.principal("org_demo_meridian"), c.ID, "refer", "Needs the Lead Administrator."); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Suspended 17 days ago: 3 days of the cure period left.
	if _, err := newCLAEnvAt(t, w, now.Add(-17*24*time.Hour)).prog.ChangeStatus(ctx, keystone, demo.LabelID("halo-doorbell"), trustmark.GrantSuspended,
		"the chime accepts a default password"); err != nil {
		t.Fatal(err)
	}
}

// issueWithSupport stores a grant of a new Lumen & Oak plug whose support
// ends on support, granted by Meridian a year before the tests' now.
func issueWithSupport(t *testing.T, w *claEnv, name, support string) {
	t.Helper()
	ctx := context.Background()
	mfr, _ := w.db.Organization(ctx, "org_demo_lumen")
	cla, _ := w.db.Organization(ctx, "org_demo_meridian")
	lab, _ := w.db.Organization(ctx, "org_demo_cedar")
	p := &trustmark.Product{ManufacturerID: mfr.ID, Name: name, ModelNumbers: []string{"LP-" + name[len(name)-1:]}, Class: trustmark.ClassPlug,
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: name}}}
	if err := w.db.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	g := &trustmark.Grant{LabelID: trustmark.NewLabelID(), ProductID: p.ID, ManufacturerID: mfr.ID, CLAID: cla.ID, LabID: lab.ID,
		Status: trustmark.GrantActive, GrantedAt: now.AddDate(0, -int(name[len(name)-1]-'A')-1, 0)}
	rec := trustmark.NewRegistryRecord(g, p, mfr, cla, lab, storetest.Disclosures(support))
	if err := w.db.IssueGrant(ctx, g, rec); err != nil {
		t.Fatal(err)
	}
}
