package client_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/client"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
	"trustmark/internal/storetest"
	"trustmark/internal/web"
)

// world is a real server (SQLite in a temporary directory behind
// httptest) and a client of its Lead Administrator.
type world struct {
	t   *testing.T
	url string
	set *criteria.Set
	la  *client.Client
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "client.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	prog := program.New(db, set, program.Config{})
	_, secret, err := prog.Init(ctx, trustmark.Organization{Name: "Test Lead Administrator", Contact: "https://lead.example.org/contact"}, "Lee Admin")
	if err != nil {
		t.Fatalf("Init() = %v", err)
	}
	srv, err := web.NewServer(db, web.Config{BaseURL: "https://labels.example.org", Program: prog, Criteria: set})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	w := &world{t: t, url: ts.URL, set: set}
	w.la = w.client(secret)
	return w
}

// client returns a client of the world's server holding token.
func (w *world) client(token string) *client.Client {
	w.t.Helper()
	c, err := client.New(w.url, token)
	if err != nil {
		w.t.Fatalf("client.New(%q) = %v", w.url, err)
	}
	return c
}

// org has by create an organization and returns its ID and a client of its
// first token.
func (w *world) org(by *client.Client, kind trustmark.OrgKind, name string) (string, *client.Client) {
	w.t.Helper()
	slug := strings.ToLower(strings.ReplaceAll(name, " ", "-"))
	o, secret, err := by.CreateOrganization(context.Background(),
		trustmark.Organization{Kind: kind, Name: name, Contact: "https://" + slug + ".example.com/contact"}, "Owner of "+name)
	if err != nil {
		w.t.Fatalf("CreateOrganization(%s %q) = %v", kind, name, err)
	}
	if o.ID == "" || o.Kind != kind || !trustmark.LooksLikeToken(secret) {
		w.t.Fatalf("CreateOrganization(%s %q) = %+v, %d-byte secret; want an ID and a token", kind, name, o, len(secret))
	}
	return o.ID, w.client(secret)
}

// passingReport passes every requirement of nist-ir-8425, with evidence
// uploaded for the first one.
func (w *world) passingReport(evidence []byte) trustmark.TestReport {
	w.t.Helper()
	cat, err := w.set.Catalog(program.USCatalog)
	if err != nil {
		w.t.Fatal(err)
	}
	sum := sha256.Sum256(evidence)
	r := trustmark.TestReport{Catalog: program.USCatalog, SignerTitle: "Lead test engineer"}
	for i, req := range cat.Requirements {
		res := trustmark.ReportResult{Requirement: req.ID, Outcome: trustmark.OutcomePass}
		if i == 0 {
			res.Evidence = []trustmark.Evidence{{Name: "scan.txt", MediaType: "text/plain",
				SHA256: hex.EncodeToString(sum[:]), Size: len(evidence), Content: evidence}}
		}
		r.Results = append(r.Results, res)
	}
	return r
}

var labRecord = trustmark.LabRecognition{
	TestSites: []string{"Pittsburgh, PA"}, MailingAddress: "18 Foundry Rd, Pittsburgh, PA 15201",
	AccreditationBody: "A2LA", Scope: []string{"nist-ir-8425"}, AccreditationExpires: "2040-12-31",
	DesignationNumber: "US1234", FRN: "0012345678",
}

var usAgent = trustmark.USAgent{Name: "Agent LLC", Address: "1 K St NW, Washington, DC 20001",
	Email: "agent@agent.example.com", Phone: "+1 202 555 0100", AttestedBy: "Pat Agent"}

// TestLifecycle drives the program through the client as every kind of
// party: organizations, lab recognition, product, application,
// declarations, submission, test report, grant, registry, and after.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	anon := w.client("")
	if err := anon.Health(ctx); err != nil {
		t.Fatalf("Health() = %v", err)
	}

	claID, cla := w.org(w.la, trustmark.OrgCLA, "Keystone CLA")
	labID, lab := w.org(w.la, trustmark.OrgLab, "Foundry Lab")
	mfrID, mfr := w.org(cla, trustmark.OrgManufacturer, "Acme Devices") // a CLA onboards manufacturers
	rec, err := w.la.RecognizeLab(ctx, labID, labRecord)
	if err != nil || rec.Status != trustmark.LabRecognized || rec.OrgID != labID {
		t.Fatalf("RecognizeLab() = %+v, %v; want recognized", rec, err)
	}
	dir, err := anon.Directory(ctx)
	if err != nil || len(dir.CLAs) != 1 || len(dir.Labs) != 1 || dir.Labs[0].FRN != "0012345678" || dir.Labs[0].Name != "Foundry Lab" {
		t.Fatalf("Directory() = %+v, %v; want the CLA and the recognized lab", dir, err)
	}
	if org, err := anon.Organization(ctx, mfrID); err != nil || org.Name != "Acme Devices" {
		t.Errorf("Organization(%s) = %+v, %v", mfrID, org, err)
	}
	if labs, err := mfr.Organizations(ctx, trustmark.OrgLab); err != nil || len(labs) != 1 || labs[0].ID != labID {
		t.Errorf("Organizations(lab) = %+v, %v; want the one lab", labs, err)
	}

	prod, err := mfr.CreateProduct(ctx, trustmark.Product{Name: "Acme Cam", ModelNumbers: []string{"AC-100"},
		Class: trustmark.ClassCamera, HardwareVersion: "1", SoftwareVersion: "1.0",
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: "Acme Cam"}, {Kind: trustmark.ComponentApp, Name: "Acme app"}}})
	if err != nil || prod.ID == "" || prod.ManufacturerID != mfrID {
		t.Fatalf("CreateProduct() = %+v, %v", prod, err)
	}
	if list, err := mfr.Products(ctx); err != nil || len(list) != 1 {
		t.Errorf("Products() = %d products, %v; want 1", len(list), err)
	}

	d := storetest.Disclosures("2040-06-30")
	app, err := mfr.CreateApplication(ctx, client.ApplicationInput{ProductID: prod.ID, CLAID: claID, LabID: labID, USAgent: &usAgent, Disclosures: &d})
	if err != nil || app.State != trustmark.AppDraft {
		t.Fatalf("CreateApplication() = %+v, %v; want a draft", app, err)
	}
	// Unsigned, it cannot be filed.
	if _, err := mfr.Submit(ctx, app.ID); !client.IsRuleViolation(err) {
		t.Errorf("Submit(unsigned) = %v, want a rule violation", err)
	}
	if app, err = mfr.SignDeclarations(ctx, app.ID, client.AllDeclarations()...); err != nil || len(app.Declarations) != len(trustmark.Declarations) {
		t.Fatalf("SignDeclarations(all) = %+v, %v", app, err)
	}
	if app, err = mfr.Submit(ctx, app.ID); err != nil || app.State != trustmark.AppSubmitted {
		t.Fatalf("Submit() = %+v, %v; want submitted", app, err)
	}
	if list, err := cla.Applications(ctx, trustmark.AppSubmitted); err != nil || len(list) != 1 || list[0].ID != app.ID {
		t.Errorf("CLA Applications(submitted) = %+v, %v; want the application", list, err)
	}

	// The CLA cannot grant before the lab reports.
	if _, err := cla.Decide(ctx, app.ID, trustmark.AppGranted, ""); !client.IsRuleViolation(err) {
		t.Errorf("Decide(granted) without a report = %v, want a rule violation", err)
	}
	evidence := []byte("nmap: 22/tcp closed, 443/tcp open (TLS 1.3)")
	rep, err := lab.AttachReport(ctx, app.ID, w.passingReport(evidence))
	if err != nil || rep.ID == "" || rep.LabID != labID || rep.SignedBy == "" {
		t.Fatalf("AttachReport() = %+v, %v", rep, err)
	}
	reports, err := cla.Reports(ctx, app.ID)
	if err != nil || len(reports.Items) != 1 || reports.Verdict == nil {
		t.Fatalf("Reports() = %+v, %v; want one report and a verdict", reports, err)
	}
	if i := slices.IndexFunc(reports.Verdict.Schemes, func(s client.SchemeResult) bool { return s.Catalog == program.USCatalog }); i < 0 || !reports.Verdict.Schemes[i].Claimable {
		t.Errorf("verdict = %+v; want %s claimable", reports.Verdict.Claims, program.USCatalog)
	}
	evID := reports.Items[0].Results[0].Evidence[0].ID
	ev, err := cla.Evidence(ctx, app.ID, evID)
	if err != nil || string(ev.Content) != string(evidence) || ev.SHA256 != reports.Items[0].Results[0].Evidence[0].SHA256 {
		t.Errorf("Evidence(%s) = %+v, %v; want the uploaded file", evID, ev, err)
	}

	app, err = cla.Decide(ctx, app.ID, trustmark.AppGranted, "")
	if err != nil || app.State != trustmark.AppGranted || app.Decision == nil || app.Decision.LabelID == "" {
		t.Fatalf("Decide(granted) = %+v, %v; want granted with a label ID", app, err)
	}
	label := app.Decision.LabelID

	// The public registry shows it.
	record, err := anon.RegistryRecord(ctx, label)
	if err != nil {
		t.Fatalf("RegistryRecord(%s) = %v", label, err)
	}
	if record.Status != trustmark.GrantActive || record.ProductName != "Acme Cam" || record.SupportDate != "2040-06-30" ||
		record.TestedBy.Name != "Foundry Lab" || record.AuthorizedBy.Name != "Keystone CLA" || record.QRCodeURL != "https://labels.example.org/p/"+string(label) {
		t.Errorf("RegistryRecord(%s) = %+v", label, record)
	}
	page, err := anon.Registry(ctx, trustmark.RegistryFilter{Query: "Acme", Limit: 10})
	if err != nil || page.Total != 1 || len(page.Items) != 1 || page.Items[0].LabelID != label {
		t.Errorf("Registry(q=Acme) = %+v, %v; want the one record", page, err)
	}

	g, err := mfr.Grant(ctx, label)
	if err != nil || g.Status != trustmark.GrantActive || g.ProductID != prod.ID {
		t.Errorf("Grant(%s) = %+v, %v", label, g, err)
	}
	if list, err := cla.Grants(ctx, trustmark.GrantActive); err != nil || len(list) != 1 {
		t.Errorf("CLA Grants(active) = %+v, %v; want one", list, err)
	}
	d.SupportDate = "2041-12-31"
	if rec, err := mfr.UpdateDisclosures(ctx, label, d); err != nil || rec.SupportDate != "2041-12-31" {
		t.Errorf("UpdateDisclosures(support 2041) = %+v, %v", rec, err)
	}

	// A consumer complains; the CLA finds it justified: the grant is suspended.
	c, err := anon.FileComplaint(ctx, label, "The camera streams video without a password.", "consumer@example.com")
	if err != nil || c.ID == "" || c.State != trustmark.ComplaintWithCLA {
		t.Fatalf("FileComplaint() = %+v, %v", c, err)
	}
	if list, err := mfr.Complaints(ctx); err != nil || len(list) != 1 || list[0].Contact != "" {
		t.Errorf("manufacturer Complaints() = %+v, %v; want one, without the contact", list, err)
	}
	if c, err = cla.ActOnComplaint(ctx, c.ID, "justify", "Confirmed on a sample."); err != nil || c.State != trustmark.ComplaintJustified {
		t.Fatalf("ActOnComplaint(justify) = %+v, %v", c, err)
	}
	if g, err := mfr.Grant(ctx, label); err != nil || g.Status != trustmark.GrantSuspended || g.CureDeadline == nil {
		t.Errorf("after a justified complaint: grant = %+v, %v; want suspended with a cure deadline", g, err)
	}
	if g, err := cla.ChangeStatus(ctx, label, trustmark.GrantActive, "Firmware 1.1 requires a password."); err != nil || g.Status != trustmark.GrantActive {
		t.Errorf("ChangeStatus(active) = %+v, %v; want cured", g, err)
	}

	// Surveillance samples every grant of the CLA.
	seed := uint64(7)
	plan, err := cla.CreatePlan(ctx, client.PlanInput{Year: time.Now().Year(), Share: 1, Seed: &seed})
	if err != nil || len(plan.Selected) != 1 || plan.Selected[0] != label || plan.Seed != 7 {
		t.Fatalf("CreatePlan() = %+v, %v; want the one grant", plan, err)
	}
	samples, err := mfr.Samples(ctx)
	if err != nil || len(samples) != 1 {
		t.Fatalf("Samples() = %+v, %v", samples, err)
	}
	if s, err := cla.RecordSample(ctx, samples[0].ID, true, ""); err != nil || s.State != trustmark.SamplePassed {
		t.Errorf("RecordSample(passed) = %+v, %v", s, err)
	}
	if plans, err := w.la.Plans(ctx, claID); err != nil || len(plans) != 1 {
		t.Errorf("Plans(%s) = %+v, %v", claID, plans, err)
	}

	// The overseers read the audit trail and run the clocks.
	entries, err := w.la.Audit(ctx, trustmark.AuditFilter{Subject: "grant/" + string(label), Limit: 50})
	if err != nil || len(entries) == 0 {
		t.Errorf("Audit(grant) = %d entries, %v", len(entries), err)
	}
	if ids, err := w.la.Sweep(ctx); err != nil || len(ids) != 0 {
		t.Errorf("Sweep() = %v, %v; want nothing to terminate", ids, err)
	}
	if pol, err := w.la.SetRenewalPolicy(ctx, trustmark.ClassCamera, 24); err != nil || pol.IntervalMonths != 24 {
		t.Errorf("SetRenewalPolicy(camera, 24) = %+v, %v", pol, err)
	}
	if g, err := mfr.Grant(ctx, label); err != nil || g.RenewalDue == nil {
		t.Errorf("Grant() after a renewal policy = %+v, %v; want a renewal due date", g, err)
	}
}

// TestCriteria reads the catalogs and evaluates an assessment.
func TestCriteria(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	anon := w.client("")
	cats, err := anon.Catalogs(ctx)
	if err != nil || len(cats.Items) < 6 || len(cats.Mappings) == 0 {
		t.Fatalf("Catalogs() = %+v, %v; want ≥ 6 catalogs and mappings", cats, err)
	}
	raw, err := anon.Catalog(ctx, "uk-psti")
	if err != nil || !json.Valid(raw) || !strings.Contains(string(raw), `"catalog"`) {
		t.Errorf("Catalog(uk-psti) = %.100s, %v; want the OSCAL document", raw, err)
	}
	if raw, err := anon.Mapping(ctx, "uk-psti", "etsi-en-303-645"); err != nil || !json.Valid(raw) {
		t.Errorf("Mapping(uk-psti, etsi-en-303-645) = %.100s, %v", raw, err)
	}
	if raw, err := anon.OpenAPI(ctx); err != nil || !strings.Contains(string(raw), "openapi") {
		t.Errorf("OpenAPI() = %.100s, %v", raw, err)
	}
	res, err := anon.Evaluate(ctx, client.Assessment{Catalog: "uk-psti", Results: []client.RequirementOutcome{
		{Requirement: "Sch1.1", Outcome: "pass"}, {Requirement: "Sch1.2", Outcome: "pass"}, {Requirement: "Sch1.3", Outcome: "pass"}}})
	if err != nil || !slices.Contains(res.Claims, "UK PSTI: 3/3 met") {
		t.Errorf("Evaluate(uk-psti all pass) = %+v, %v; want UK PSTI: 3/3 met", res, err)
	}
	_, err = anon.Evaluate(ctx, client.Assessment{Catalog: "uk-psti", Results: []client.RequirementOutcome{{Requirement: "Sch1.2", Outcome: "not_applicable"}}})
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusUnprocessableEntity || ce.Field != "results[Sch1.2]" {
		t.Errorf("Evaluate(unjustified not_applicable) = %v; want a 422 naming results[Sch1.2]", err)
	}
}

// TestErrors checks that the server's refusals arrive as *client.Error
// with the right status, code and field.
func TestErrors(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	_, cla := w.org(w.la, trustmark.OrgCLA, "Keystone CLA")
	labID, lab := w.org(w.la, trustmark.OrgLab, "Foundry Lab")
	_, mfr := w.org(cla, trustmark.OrgManufacturer, "Acme Devices")
	viewerTok, viewerSecret, err := w.la.CreateToken(ctx, "Vera Viewer", trustmark.RoleViewer)
	if err != nil || viewerTok.Role != trustmark.RoleViewer {
		t.Fatalf("CreateToken(viewer) = %+v, %v", viewerTok, err)
	}
	viewer := w.client(viewerSecret)
	bogus := w.client("tmk_" + strings.Repeat("a", 32))
	anon := w.client("")

	tests := []struct {
		name   string
		call   func() error
		status int
		code   string
		field  string
		is     func(error) bool
	}{
		{"unknown token", func() error { _, err := bogus.Applications(ctx, ""); return err },
			401, client.CodeUnauthenticated, "", client.IsUnauthenticated},
		{"no token", func() error { _, err := anon.Products(ctx); return err },
			401, client.CodeUnauthenticated, "", client.IsUnauthenticated},
		{"manufacturer creates a lab", func() error {
			_, _, err := mfr.CreateOrganization(ctx, trustmark.Organization{Kind: trustmark.OrgLab, Name: "Rogue Lab", Contact: "lab@rogue.example.com"}, "Rex")
			return err
		}, 403, client.CodeForbidden, "", client.IsForbidden},
		{"viewer recognizes a lab", func() error { _, err := viewer.RecognizeLab(ctx, labID, labRecord); return err },
			403, client.CodeForbidden, "", client.IsForbidden},
		{"lab lists grants", func() error { _, err := lab.Grants(ctx, ""); return err },
			403, client.CodeForbidden, "", client.IsForbidden},
		{"unknown application", func() error { _, err := mfr.Application(ctx, "app_nope"); return err },
			404, client.CodeNotFound, "", client.IsNotFound},
		{"unknown label", func() error { _, err := anon.RegistryRecord(ctx, trustmark.DeriveLabelID("never granted")); return err },
			404, client.CodeNotFound, "", client.IsNotFound},
		{"malformed label", func() error { _, err := anon.RegistryRecord(ctx, "nope"); return err },
			400, client.CodeInvalid, "label_id", client.IsInvalid},
		{"product without model numbers", func() error {
			_, err := mfr.CreateProduct(ctx, trustmark.Product{Name: "X", Class: trustmark.ClassPlug,
				Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: "X"}}})
			return err
		}, 400, client.CodeInvalid, "model_numbers", client.IsInvalid},
		{"registry limit out of range", func() error { _, err := anon.Registry(ctx, trustmark.RegistryFilter{Limit: 1000}); return err },
			400, client.CodeInvalid, "limit", client.IsInvalid},
		{"withdraw an unrecognized lab", func() error { _, err := w.la.WithdrawLab(ctx, labID, "Accreditation lapsed."); return err },
			404, client.CodeNotFound, "", client.IsNotFound},
		{"lab not recognized for an application", func() error {
			p, err := mfr.CreateProduct(ctx, trustmark.Product{Name: "Plug", ModelNumbers: []string{"P1"}, Class: trustmark.ClassPlug,
				Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: "Plug"}}})
			if err != nil {
				return err
			}
			_, err = mfr.CreateApplication(ctx, client.ApplicationInput{ProductID: p.ID, CLAID: "org_nope", LabID: labID})
			return err
		}, 400, client.CodeInvalid, "cla_id", client.IsInvalid},
		{"empty ID refused locally", func() error { _, err := mfr.Application(ctx, " "); return err },
			0, client.CodeInvalid, "", client.IsInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *client.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want a *client.Error", err, err)
			}
			if e.Status != tt.status || e.Code != tt.code || e.Field != tt.field || e.Message == "" {
				t.Errorf("err = %+v, want status %d, code %s, field %q and a message", e, tt.status, tt.code, tt.field)
			}
			if !tt.is(err) || !errors.Is(err, &client.Error{Code: tt.code}) {
				t.Errorf("the kind test and errors.Is do not recognize %v as %s", err, tt.code)
			}
			if wrapped := fmt.Errorf("context: %w", err); !tt.is(wrapped) {
				t.Errorf("the kind test does not see through wrapping")
			}
		})
	}

	// A revoked token stops working at once.
	if err := w.la.RevokeToken(ctx, viewerTok.ID); err != nil {
		t.Fatalf("RevokeToken() = %v", err)
	}
	if _, err := viewer.Directory(ctx); err == nil || !client.IsUnauthenticated(err) {
		t.Errorf("a revoked token's call = %v, want unauthenticated", err)
	}
	toks, err := w.la.Tokens(ctx)
	if err != nil || len(toks) != 2 || !slices.ContainsFunc(toks, func(tk trustmark.Token) bool { return tk.ID == viewerTok.ID && tk.RevokedAt != nil }) {
		t.Errorf("Tokens() = %+v, %v; want the admin's and the revoked viewer's", toks, err)
	}
}

// TestTransport covers what the client does on its own: URLs, error bodies
// that are not the API's, the response cap, and keeping the token out of
// printed values.
func TestTransport(t *testing.T) {
	ctx := context.Background()
	var gotPath, gotAuth string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotAuth = r.URL.EscapedPath(), r.Header.Get("Authorization")
		switch {
		case strings.HasSuffix(r.URL.Path, "/healthz"):
			http.Error(w, "upstream down\nretry later", http.StatusBadGateway)
		case strings.HasSuffix(r.URL.Path, "/directory"):
			w.Write([]byte(`{"clas": [], "padding": "` + strings.Repeat("x", 200) + `"}`))
		default:
			w.Write([]byte(`{"id": "x"}`))
		}
	}))
	defer ts.Close()

	const secret = "tmk_abcdefghijklmnopqrstuvwxyz234567"
	c, err := client.New(ts.URL+"/prefix/", secret, client.WithMaxResponseBytes(100), client.WithHTTPClient(ts.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Application(ctx, "a/b?c"); err != nil {
		t.Fatalf("Application() = %v", err)
	}
	if gotPath != "/prefix/api/v1/applications/a%2Fb%3Fc" || gotAuth != "Bearer "+secret {
		t.Errorf("request path %q, Authorization %q; want the ID escaped as one segment under the prefix, and the bearer token", gotPath, gotAuth)
	}

	err = c.Health(ctx)
	var e *client.Error
	if !errors.As(err, &e) || e.Status != 502 || e.Code != client.CodeInternal || e.Message != "Bad Gateway: upstream down" {
		t.Errorf("Health() against a failing proxy = %#v, want a 502 *client.Error with the body's first line", err)
	}
	if _, err := c.Directory(ctx); err == nil || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Errorf("Directory() with a 100-byte cap = %v, want the cap to refuse the body", err)
	}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
		if strings.Contains(s, secret) {
			t.Errorf("a printed Client shows its token: %s", s)
		}
	}

	for _, bad := range []string{"", "labels.example.org", "ftp://labels.example.org", "https://labels.example.org/?q=1", "http://"} {
		if _, err := client.New(bad, ""); err == nil {
			t.Errorf("New(%q) = nil error, want a refusal", bad)
		}
	}
}

// TestShapesMatchServer guards the types this package declares in place of
// the server's internal ones: their JSON must stay the same.
func TestShapesMatchServer(t *testing.T) {
	pairs := []struct{ ours, theirs any }{
		{client.ApplicationInput{}, program.ApplicationInput{}},
		{client.PlanInput{}, program.PlanInput{}},
		{client.Directory{}, program.Directory{}},
		{client.GrantView{}, program.GrantView{}},
		{client.Finding{}, program.Finding{}},
		{client.Findings{}, program.Findings{}},
		{client.CatalogInfo{}, criteria.CatalogInfo{}},
		{client.MappingInfo{}, criteria.MappingInfo{}},
		{client.Assessment{}, criteria.Assessment{}},
		{client.Result{}, criteria.Result{}},
	}
	for _, p := range pairs {
		ours, theirs := reflect.TypeOf(p.ours), reflect.TypeOf(p.theirs)
		if got, want := jsonShape(ours), jsonShape(theirs); got != want {
			t.Errorf("JSON of %v differs from %v:\n got %s\nwant %s", ours, theirs, got, want)
		}
	}
}

// jsonShape describes the JSON encoding/json gives values of t: object
// keys with their options and the shapes of their values.
func jsonShape(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + jsonShape(t.Elem())
	case reflect.Slice, reflect.Array:
		return "[" + jsonShape(t.Elem()) + "]"
	case reflect.Map:
		return "map[" + jsonShape(t.Elem()) + "]"
	case reflect.Struct:
		if t.PkgPath() == "time" {
			return "time"
		}
		fields := structFields(t)
		sort.Strings(fields)
		return "{" + strings.Join(fields, " ") + "}"
	}
	return t.Kind().String()
}

// structFields lists "name,options:shape" for t's JSON fields, flattening
// embedded structs as encoding/json does.
func structFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, structFields(f.Type)...)
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, name+","+opts+":"+jsonShape(f.Type))
	}
	return out
}
