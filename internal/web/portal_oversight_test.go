package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"trustmark"
	"trustmark/internal/demo"
)

// oversightRoutes are the overseers' portal routes by pattern, with who may open them.
var oversightRoutes = []claRoute{
	{"GET", "/portal/oversight/{$}", overseerUsers, notOverseer},
	{"GET", "/portal/oversight/organizations", overseerUsers, notOverseer},
	{"POST", "/portal/oversight/organizations", []string{leadUser}, append([]string{regulatorUser}, notOverseer...)},
	{"GET", "/portal/oversight/labs", overseerUsers, notOverseer},
	{"POST", "/portal/oversight/labs", []string{leadUser}, append([]string{regulatorUser}, notOverseer...)},
	{"GET", "/portal/oversight/labs/{org_id}", overseerUsers, notOverseer},
	{"POST", "/portal/oversight/labs/{org_id}/withdraw", []string{leadUser}, append([]string{regulatorUser}, notOverseer...)},
	{"GET", "/portal/oversight/audit", overseerUsers, notOverseer},
}

var (
	overseerUsers = []string{leadUser, regulatorUser}
	notOverseer   = []string{keystoneUser, mfrUser, labUser}
)

func TestOversightPortalAccess(t *testing.T) {
	w := newCLAEnv(t)
	overseers := overseerUsers
	checkPortalRoutes(t, w, oversightRoutes, routeIDs{lab: "org_demo_ferrous"})
	// The refused posts changed nothing: Ferrous is still recognized.
	dir, err := w.prog.Directory(context.Background())
	if err != nil || len(dir.Labs) != 2 {
		t.Errorf("after refused posts the directory has %d recognized labs (%v), want 2", len(dir.Labs), err)
	}
	// Signing in lands each overseer on the dashboard.
	for _, email := range overseers {
		b := w.anonymous()
		_, page := b.get("/portal/login")
		resp, _ := b.post("/portal/login", url.Values{"csrf": {claFormToken(t, page)}, "email": {email}, "password": {demo.Password}, "next": {"/portal/"}})
		resp, _ = b.get(resp.Header.Get("Location"))
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/portal/oversight/" {
			t.Errorf("%s at /portal/ = %d to %q, want the dashboard", email, resp.StatusCode, loc)
		}
	}
}

// tableRow is how the chart tables render one row.
func tableRow(name string, cells ...string) string {
	return `<tr><th scope="row">` + name + `</th><td>` + strings.Join(cells, `</td><td>`) + `</td></tr>`
}

// On the demo dataset the dashboard shows known numbers.
func TestOversightDashboardDemo(t *testing.T) {
	w := newCLAEnv(t)
	for _, email := range []string{leadUser, regulatorUser} {
		resp, page := w.signIn(email).get("/portal/oversight/")
		if resp.StatusCode != 200 {
			t.Fatalf("GET /portal/oversight/ as %s = %d", email, resp.StatusCode)
		}
		if n := strings.Count(page, `<svg xmlns="http://www.w3.org/2000/svg" class="chart"`); n != 4 {
			t.Errorf("dashboard has %d charts, want 4", n)
		}
		for _, want := range []string{
			// Grants per month by status: active, suspended, terminated, withdrawn, surrendered, set aside, total.
			tableRow("December 2025", "0", "0", "0", "0", "0", "0", "0"),
			tableRow("January 2026", "0", "1", "0", "0", "0", "0", "1"),
			tableRow("October 2026", "2", "0", "0", "0", "0", "0", "2"),
			tableRow("November 2026", "0", "0", "0", "0", "0", "0", "0"),
			"11 grants were issued from December 2025 to November 2026", // the window holds 11 of the 14
			// Support periods: none ends within a year in the demo.
			"No support period ends in the next 12 months", tableRow("May 2027", "0"),
			// Cure clocks: the thermostat, suspended 8 days ago.
			tableRow("Thermo One Smart Thermostat", "12 days left", string(demo.LabelID("thermo-one")), "Keystone Conformity Services", "2026-12-10"),
			// Open complaints: none.
			tableRow("With the label administrator", "0"), tableRow("With the FCC", "0"),
			// Parties.
			`<th scope="row">Manufacturer</th><td class="num">3</td>`, `<th scope="row">Label administrator (CLA)</th><td class="num">2</td>`,
			`<th scope="row">Recognized</th><td class="num">2</td>`, `<th scope="row">Accreditation expired</th><td class="num">0</td>`,
			`<span class="n">14</span> grants in all`, `<span class="n">12</span> Active`, `<span class="n">1</span> cure periods running`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("dashboard as %s lacks %q", email, want)
			}
		}
	}
	// In Spanish, charts and tables too.
	_, page := w.signIn(leadUser).get("/portal/oversight/?lang=es")
	for _, want := range []string{tableRow("enero 2026", "0", "1", "0", "0", "0", "0", "1"), "Suspendida", "quedan 12 días", `<html lang="es">`} {
		if !strings.Contains(page, want) {
			t.Errorf("Spanish dashboard lacks %q", want)
		}
	}
}

// The dashboard follows the program: a new grant, a complaint and a
// suspension show in it.
func TestOversightDashboardCounts(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) { testOversightDashboardCounts(t, newCLAEnvOn(t, db)) })
}

func testOversightDashboardCounts(t *testing.T, w *claEnv) {
	ctx := context.Background()
	app := w.submittedApplication("Counted Cam", true)
	if _, err := w.prog.Decide(ctx, w.principal("org_demo_keystone"), app.ID, trustmark.AppGranted, ""); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"halo-cam-2k", "sentry-lock"} {
		if _, err := w.prog.FileComplaint(ctx, nil, trustmark.Complaint{LabelID: demo.LabelID(key), Text: "The setup page has no password."}); err != nil {
			t.Fatal(err)
		}
	}
	_, page := w.signIn(regulatorUser).get("/portal/oversight/")
	for _, want := range []string{
		tableRow("November 2026", "1", "0", "0", "0", "0", "0", "1"),
		tableRow("With the label administrator", "2"),
		"2 complaints are open",
		`<span class="n">15</span> grants in all`,
		`<th scope="row">Granted</th><td class="num">1</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

func TestOversightOrganizations(t *testing.T) {
	w := newCLAEnv(t)
	lead := w.signIn(leadUser)
	_, page := lead.get("/portal/oversight/organizations")
	if !strings.Contains(page, "Northwind Home Devices") || !strings.Contains(page, `action="/portal/oversight/organizations"`) {
		t.Fatalf("organizations page lacks the list or the form")
	}
	if _, page := w.signIn(regulatorUser).get("/portal/oversight/organizations"); strings.Contains(page, `action="/portal/oversight/organizations"`) ||
		!strings.Contains(page, "Cedar Ridge Cyber Lab") {
		t.Errorf("the regulator should see the list without the form")
	}
	bad := url.Values{"kind": {"lab"}, "name": {"Granite Lab"}, "contact": {"not a contact"}, "country": {"us"}, "holder": {"Gil Stone"}}
	resp, page := lead.submit("/portal/oversight/organizations", bad)
	if resp.StatusCode != 400 || !strings.Contains(page, `id="f-contact-error"`) || !strings.Contains(page, `value="Granite Lab"`) ||
		!strings.Contains(page, `value="not a contact"`) || !strings.Contains(page, `<option value="lab" selected>`) || strings.Contains(page, "tmk_") {
		t.Errorf("bad contact = %d; want 400 with the error beside the contact, the values kept and no token", resp.StatusCode)
	}
	good := url.Values{"kind": {"lab"}, "name": {"Granite Lab"}, "contact": {"https://granite-lab.example.com/contact"}, "country": {"us"}, "holder": {"Gil Stone"}}
	resp, page = lead.submit("/portal/oversight/organizations", good)
	token := regexp.MustCompile(`tmk_[a-z2-7]{32}`).FindString(page)
	if resp.StatusCode != 200 || token == "" || !strings.Contains(page, "Granite Lab was created") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create = %d, token %q, Cache-Control %q; want the one-time token on a no-store page", resp.StatusCode, token, resp.Header.Get("Cache-Control"))
	}
	pr, err := w.prog.Authenticate(context.Background(), token)
	if err != nil || pr.Org.Name != "Granite Lab" || pr.Org.Kind != trustmark.OrgLab || pr.Org.Country != "US" || pr.Token.Role != trustmark.RoleAdmin {
		t.Errorf("the shown token stands for %+v (%v); want an admin of the new lab", pr, err)
	}
	if _, page := lead.get("/portal/oversight/organizations"); strings.Contains(page, token) || !strings.Contains(page, "Granite Lab") {
		t.Errorf("the token is shown again, or the new organization is not listed")
	}
}

func TestOversightLabs(t *testing.T) {
	w := newCLAEnv(t)
	ctx := context.Background()
	org, _, err := w.prog.CreateOrganization(ctx, w.adminOf("org_demo_lead"), trustmark.Organization{Kind: trustmark.OrgLab, Name: "Granite Lab", Contact: "https://granite-lab.example.com/contact"}, "Gil Stone")
	if err != nil {
		t.Fatal(err)
	}
	lead := w.signIn(leadUser)
	form := url.Values{"organization_id": {org.ID}, "test_sites": {"Denver, CO\nReno, NV"}, "mailing_address": {"1 Quarry Rd, Denver, CO"},
		"accreditation_body": {"A2LA"}, "scope": {"nist-ir-8425, nist-ir-8425a"}, "accreditation_expires": {"2028-01-31"},
		"designation_number": {"US0200"}, "frn": {"12345"}, "contract_testing": {"yes"}}
	resp, page := lead.submit("/portal/oversight/labs", form)
	if resp.StatusCode != 400 || !strings.Contains(page, `id="f-frn-error"`) || !strings.Contains(page, "10-digit") ||
		!strings.Contains(page, "Denver, CO\nReno, NV</textarea>") || !strings.Contains(page, `value="US0200"`) || !strings.Contains(page, `value="yes" checked`) {
		t.Errorf("bad FRN = %d; want 400 beside the FRN with every value kept\n%s", resp.StatusCode, page)
	}
	form.Set("frn", "0012345678")
	resp, _ = lead.submit("/portal/oversight/labs", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/portal/oversight/labs/"+org.ID+"?done=ov_lab_recognized" {
		t.Fatalf("recognize = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = lead.get("/portal/oversight/labs/" + org.ID)
	for _, want := range []string{"Denver, CO; Reno, NV", "nist-ir-8425, nist-ir-8425a", "0012345678", "2028-01-31", "Recognized"} {
		if !strings.Contains(page, want) {
			t.Errorf("lab page lacks %q", want)
		}
	}
	lp := "/portal/oversight/labs/" + org.ID + "/withdraw"
	if resp, page := lead.submit(lp, url.Values{"reason": {""}}); resp.StatusCode != 400 || !strings.Contains(page, `id="f-reason-error"`) {
		t.Errorf("withdraw without a reason = %d; want 400 beside the reason", resp.StatusCode)
	}
	if resp, _ := lead.submit(lp, url.Values{"reason": {"accreditation suspended by A2LA"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw = %d, want 303", resp.StatusCode)
	}
	_, page = lead.get("/portal/oversight/labs")
	if !regexp.MustCompile(`Granite Lab</a></th>\s*<td>Withdrawn</td>`).MatchString(page) {
		t.Errorf("the labs list does not show Granite Lab as withdrawn")
	}
	// Recognizing an organization that is not a lab is refused beside the field.
	form.Set("organization_id", "org_demo_northwind")
	if resp, page := lead.submit("/portal/oversight/labs", form); resp.StatusCode != 400 || !strings.Contains(page, `id="f-organization_id-error"`) {
		t.Errorf("recognizing a manufacturer = %d; want 400 beside the lab choice", resp.StatusCode)
	}
}

func TestOversightAudit(t *testing.T) {
	w := newCLAEnv(t)
	ctx := context.Background()
	// 60 audited actions, more than a page.
	for range 60 {
		if _, _, err := w.prog.OperatorToken(ctx, "org_demo_cedar", "Test person", trustmark.RoleViewer); err != nil {
			t.Fatal(err)
		}
	}
	c, err := w.prog.FileComplaint(ctx, nil, trustmark.Complaint{LabelID: demo.LabelID("kidview"), Text: "Video plays without a password."})
	if err != nil {
		t.Fatal(err)
	}
	b := w.signIn(regulatorUser)
	resp, page := b.get("/portal/oversight/audit")
	rows := strings.Count(page, "<tr>\n<th scope=\"row\">")
	if resp.StatusCode != 200 || rows != 50 || !strings.Contains(page, "complaint.file") {
		t.Fatalf("audit page 1 = %d with %d rows; want 50 rows, the newest (the complaint) first", resp.StatusCode, rows)
	}
	next := regexp.MustCompile(`href="(/portal/oversight/audit\?before=\d+)">Older entries`).FindStringSubmatch(page)
	if next == nil {
		t.Fatalf("no link to older entries")
	}
	resp, page = b.get(next[1])
	if rows := strings.Count(page, "<tr>\n<th scope=\"row\">"); resp.StatusCode != 200 || rows < 11 || strings.Contains(page, "complaint.file") ||
		!strings.Contains(page, "Newest entries") {
		t.Errorf("audit page 2 = %d with %d rows; want the older entries and a link back", resp.StatusCode, rows)
	}
	// One subject's history.
	_, page = b.get("/portal/oversight/audit?subject=" + url.QueryEscape("complaint/"+c.ID))
	if rows := strings.Count(page, "<tr>\n<th scope=\"row\">"); rows != 1 || !strings.Contains(page, "complaint.file") {
		t.Errorf("audit of complaint/%s has %d rows, want 1", c.ID, rows)
	}
	// A broken page link is a form error, not a 500.
	if resp, page := b.get("/portal/oversight/audit?before=abc"); resp.StatusCode != 400 || !strings.Contains(page, "start again from the first page") {
		t.Errorf("before=abc = %d; want 400 saying what is wrong", resp.StatusCode)
	}
}

// adminOf returns an admin principal of a demo organization.
func (w *claEnv) adminOf(orgID string) *trustmark.Principal {
	w.t.Helper()
	_, secret, err := w.prog.OperatorToken(context.Background(), orgID, "Test admin", trustmark.RoleAdmin)
	if err != nil {
		w.t.Fatal(err)
	}
	pr, err := w.prog.Authenticate(context.Background(), secret)
	if err != nil {
		w.t.Fatal(err)
	}
	return pr
}
