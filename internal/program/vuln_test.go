package program_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
	"trustmark/internal/storetest"
)

// vulnNow is the monitoring tests' starting clock.
var vulnNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// vulnFixture is a store with a CLA, a lab, two manufacturers, and a
// program with a webhook key whose clock the test moves.
type vulnFixture struct {
	t                 *testing.T
	ctx               context.Context
	db                *sqlite.DB
	prog              *program.Program
	clock             time.Time
	cla, lab, m1, m2  *trustmark.Organization
	asM1, asCLA, asM2 *trustmark.Principal
}

func newVulnFixture(t *testing.T) *vulnFixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	f := &vulnFixture{t: t, ctx: ctx, db: db, clock: vulnNow}
	f.prog = program.New(db, set, program.Config{Now: func() time.Time { return f.clock }, WebhookKey: []byte("0123456789abcdef0123456789abcdef")})
	org := func(kind trustmark.OrgKind, name string) *trustmark.Organization {
		o := &trustmark.Organization{Kind: kind, Name: name, Contact: "https://" + strings.ToLower(strings.ReplaceAll(name, " ", "-")) + ".example.com"}
		if err := db.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	f.cla, f.lab = org(trustmark.OrgCLA, "Vuln CLA"), org(trustmark.OrgLab, "Vuln Lab")
	f.m1, f.m2 = org(trustmark.OrgManufacturer, "Maker One"), org(trustmark.OrgManufacturer, "Maker Two")
	f.asM1, f.asCLA, f.asM2 = f.as(f.m1.ID, trustmark.RoleAdmin), f.as(f.cla.ID, trustmark.RoleAdmin), f.as(f.m2.ID, trustmark.RoleAdmin)
	return f
}

func (f *vulnFixture) as(orgID string, role trustmark.Role) *trustmark.Principal {
	f.t.Helper()
	_, secret, err := f.prog.OperatorToken(f.ctx, orgID, "Pat of "+orgID, role)
	if err != nil {
		f.t.Fatal(err)
	}
	pr, err := f.prog.Authenticate(f.ctx, secret)
	if err != nil {
		f.t.Fatal(err)
	}
	return pr
}

// product creates a product of mfr, labeled (with a grant whose support
// ends on support) unless support is "".
func (f *vulnFixture) product(mfr *trustmark.Organization, name, support string) (*trustmark.Product, trustmark.LabelID) {
	f.t.Helper()
	p := &trustmark.Product{ManufacturerID: mfr.ID, Name: name, ModelNumbers: []string{"M-" + name}, Class: trustmark.ClassCamera,
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: name}}}
	if err := f.db.CreateProduct(f.ctx, p); err != nil {
		f.t.Fatal(err)
	}
	if support == "" {
		return p, ""
	}
	g := &trustmark.Grant{LabelID: trustmark.NewLabelID(), ProductID: p.ID, ManufacturerID: mfr.ID, CLAID: f.cla.ID, LabID: f.lab.ID,
		Status: trustmark.GrantActive, GrantedAt: f.clock.Add(-24 * time.Hour)}
	d := storetest.Disclosures(support)
	d.SBOMHBOMMaintained.SBOMMaintained = true
	if err := f.db.IssueGrant(f.ctx, g, trustmark.NewRegistryRecord(g, p, mfr, f.cla, f.lab, d)); err != nil {
		f.t.Fatal(err)
	}
	return p, g.LabelID
}

// cdx is a CycloneDX 1.5 JSON SBOM listing components given as
// "name@version purl" (purl may be a cpe: name, or absent).
func cdx(components ...string) []byte {
	type comp struct {
		Type    string `json:"type"`
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
		PURL    string `json:"purl,omitempty"`
		CPE     string `json:"cpe,omitempty"`
	}
	var cs []comp
	for _, c := range components {
		nv, id, _ := strings.Cut(c, " ")
		name, version, _ := strings.Cut(nv, "@")
		x := comp{Type: "library", Name: name, Version: version}
		if strings.HasPrefix(id, "cpe:") {
			x.CPE = id
		} else {
			x.PURL = id
		}
		cs = append(cs, x)
	}
	b, _ := json.Marshal(map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
		"metadata":   map[string]any{"component": map[string]any{"type": "firmware", "name": "camera-fw", "version": "2.0"}},
		"components": cs})
	return b
}

// osvRecord is an OSV record affecting one package below fixed (fixed ""
// means no fix), with a critical CVSS vector; withdrawn, when set, marks it.
func osvRecord(id, alias, ecosystem, name, fixed string, modified time.Time, withdrawn bool) []byte {
	events := []map[string]string{{"introduced": "0"}}
	if fixed != "" {
		events = append(events, map[string]string{"fixed": fixed})
	}
	rangeType := "ECOSYSTEM"
	if ecosystem == "npm" {
		rangeType = "SEMVER"
	}
	r := map[string]any{"schema_version": "1.6.0", "id": id, "modified": modified.Format(time.RFC3339),
		"summary":  "A flaw in " + name,
		"severity": []map[string]string{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		"affected": []map[string]any{{"package": map[string]string{"ecosystem": ecosystem, "name": name},
			"ranges": []map[string]any{{"type": rangeType, "events": events}}}}}
	if alias != "" {
		r["aliases"] = []string{alias}
	}
	if withdrawn {
		r["withdrawn"] = modified.Format(time.RFC3339)
	}
	b, _ := json.Marshal(r)
	return b
}

// records is a walk over in-memory OSV records.
func records(rs ...[]byte) func(func(string, []byte) error) error {
	return func(yield func(string, []byte) error) error {
		for i, r := range rs {
			if err := yield(fmt.Sprintf("record-%d.json", i), r); err != nil {
				return err
			}
		}
		return nil
	}
}

func (f *vulnFixture) importRecords(rs ...[]byte) program.ImportResult {
	f.t.Helper()
	res, err := f.prog.ImportAdvisories(f.ctx, records(rs...), nil)
	if err != nil {
		f.t.Fatalf("ImportAdvisories() = %v", err)
	}
	return res
}

func (f *vulnFixture) alerts(pr *trustmark.Principal, filter trustmark.AlertFilter) []trustmark.Alert {
	f.t.Helper()
	list, err := f.prog.Alerts(f.ctx, pr, filter)
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

// openVEX is an OpenVEX document with one statement about vuln in the
// product given by purl.
func openVEX(vuln, purl, status, justification string) []byte {
	st := map[string]any{"vulnerability": map[string]string{"name": vuln}, "products": []map[string]string{{"@id": purl}}, "status": status}
	if justification != "" {
		st["justification"] = justification
	}
	b, _ := json.Marshal(map[string]any{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://maker.example.com/vex/" + vuln + "-" + status,
		"author": "Maker One PSIRT", "timestamp": "2026-03-01T00:00:00Z", "version": 1, "statements": []any{st}})
	return b
}

// TestMonitoring follows one labeled product through the monitoring
// rules: an SBOM, an advisory import that re-matches only the components
// it names, VEX suppression and re-opening, a new SBOM that carries alerts
// over and resolves the others, a withdrawn advisory, and an unlabeled
// product that opens no alerts.
func TestMonitoring(t *testing.T) {
	f := newVulnFixture(t)
	cam, label := f.product(f.m1, "Cam", "2030-12-31")
	plug, _ := f.product(f.m1, "Plug", "2030-12-31")
	draft, _ := f.product(f.m2, "Draft", "")

	camSBOM, warnings, err := f.prog.UploadSBOM(f.ctx, f.asM1, cam.ID, "2.0", cdx(
		"lodash@4.17.15 pkg:npm/lodash@4.17.15", "requests@2.19.0 pkg:pypi/requests@2.19.0",
		"busybox@1.30.1 cpe:2.3:a:busybox:busybox:1.30.1:*:*:*:*:*:*:*", "mystery"))
	if err != nil {
		t.Fatalf("UploadSBOM() = %v", err)
	}
	if len(camSBOM.Components) != 4 || len(warnings) == 0 {
		t.Errorf("UploadSBOM() = %d components, warnings %q; want 4 and a warning about the one without version", len(camSBOM.Components), warnings)
	}
	if _, _, err := f.prog.UploadSBOM(f.ctx, f.asM1, plug.ID, "1.0", cdx("express@4.17.1 pkg:npm/express@4.17.1")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.prog.UploadSBOM(f.ctx, f.asM2, draft.ID, "0.9", cdx("lodash@4.17.15 pkg:npm/lodash@4.17.15")); err != nil {
		t.Fatal(err)
	}
	if got := f.alerts(f.asCLA, trustmark.AlertFilter{}); len(got) != 0 {
		t.Fatalf("alerts before any advisory = %d, want 0", len(got))
	}

	// An advisory for lodash: only the Cam's lodash is re-matched (the
	// draft product's lodash is unlabeled; the plug has no lodash).
	res := f.importRecords(osvRecord("GHSA-lod1", "CVE-2026-1001", "npm", "lodash", "4.17.21", vulnNow, false),
		osvRecord("GHSA-none", "", "npm", "left-pad", "1.3.0", vulnNow, false))
	want := program.ImportResult{Read: 2, New: 2, SBOMsRematched: 1, ComponentsRematched: 1, AlertsOpened: 1}
	if res.Read != want.Read || res.New != want.New || res.SBOMsRematched != want.SBOMsRematched ||
		res.ComponentsRematched != want.ComponentsRematched || res.AlertsOpened != want.AlertsOpened {
		t.Fatalf("ImportAdvisories() = %+v, want %+v", res, want)
	}
	list := f.alerts(f.asM1, trustmark.AlertFilter{})
	if len(list) != 1 {
		t.Fatalf("alerts = %+v, want one", list)
	}
	a := list[0]
	if a.AdvisoryID != "GHSA-lod1" || a.Component.Name != "lodash" || a.FixedVersion != "4.17.21" || a.Severity != trustmark.SeverityCritical ||
		!a.SupportRunning || a.LabelID != label || a.CLAID != f.cla.ID || a.State != trustmark.AlertOpen || a.SBOMID != camSBOM.ID ||
		a.Confidence != trustmark.ConfidencePURL {
		t.Fatalf("alert = %+v", a)
	}

	// Importing the same records again changes nothing.
	res = f.importRecords(osvRecord("GHSA-lod1", "CVE-2026-1001", "npm", "lodash", "4.17.21", vulnNow, false))
	if res.Unchanged != 1 || res.New != 0 || res.Updated != 0 || res.ComponentsRematched != 0 {
		t.Errorf("re-import = %+v, want 1 unchanged and nothing re-matched", res)
	}

	// VEX not_affected about the CVE alias suppresses it, naming who said so.
	stmts, err := f.prog.UploadVEX(f.ctx, f.asM1, cam.ID, openVEX("CVE-2026-1001", "pkg:npm/lodash@4.17.15", "not_affected", "vulnerable_code_not_in_execute_path"))
	if err != nil {
		t.Fatalf("UploadVEX() = %v", err)
	}
	if len(stmts) != 1 || stmts[0].Author != f.asM1.Actor() {
		t.Fatalf("UploadVEX() = %+v, want one statement by %s", stmts, f.asM1.Actor())
	}
	got, _ := f.prog.Alert(f.ctx, f.asM1, a.ID)
	if got.State != trustmark.AlertSuppressed || !strings.Contains(got.StateReason, f.asM1.Actor()) || !strings.Contains(got.StateReason, "vulnerable_code_not_in_execute_path") {
		t.Fatalf("after VEX: %s %q; want suppressed, naming the author and the justification", got.State, got.StateReason)
	}
	// A later "affected" statement re-opens it.
	f.clock = f.clock.Add(time.Hour)
	if _, err := f.prog.UploadVEX(f.ctx, f.asM1, cam.ID, openVEX("CVE-2026-1001", "pkg:npm/lodash@4.17.15", "affected", "")); err != nil {
		t.Fatal(err)
	}
	if got, _ = f.prog.Alert(f.ctx, f.asM1, a.ID); got.State != trustmark.AlertOpen {
		t.Fatalf("after VEX affected: %s, want open", got.State)
	}
	// not_affected without a justification is refused, precisely.
	_, err = f.prog.UploadVEX(f.ctx, f.asM1, cam.ID, openVEX("CVE-2026-1001", "pkg:npm/lodash@4.17.15", "not_affected", ""))
	if !trustmark.IsKind(err, trustmark.KindInvalid) || !strings.Contains(trustmark.PublicMessage(err), "justification") {
		t.Errorf("VEX not_affected without justification = %v, want KindInvalid naming the justification", err)
	}

	// A CPE advisory matches the CPE-only component, in the lower-confidence class.
	res = f.importRecords(cpeRecord("OSV-BB-1", "busybox", "busybox", []string{"1.30.0", "1.30.1"}, vulnNow))
	if res.SBOMsRematched != 1 || res.AlertsOpened != 1 {
		t.Errorf("CPE advisory import = %+v, want 1 SBOM re-matched and 1 alert", res)
	}
	cpeAlerts := f.alerts(f.asM1, trustmark.AlertFilter{ProductID: cam.ID, State: trustmark.AlertOpen})
	if len(cpeAlerts) != 2 || cpeAlerts[0].Confidence != trustmark.ConfidenceCPE && cpeAlerts[1].Confidence != trustmark.ConfidenceCPE {
		t.Errorf("open alerts = %+v, want the lodash one and a cpe one", cpeAlerts)
	}

	// The advisory is corrected to name another product: the busybox CPE
	// alert resolves at once (the old CPE is re-matched too).
	res = f.importRecords(cpeRecord("OSV-BB-1", "busybox", "toybox", []string{"1.30.0", "1.30.1"}, vulnNow.Add(time.Hour)))
	if res.Updated != 1 || res.AlertsResolved != 1 {
		t.Errorf("import of the corrected CPE advisory = %+v, want 1 updated and 1 alert resolved", res)
	}
	if open := f.alerts(f.asM1, trustmark.AlertFilter{ProductID: cam.ID, State: trustmark.AlertOpen}); len(open) != 1 || open[0].Confidence != trustmark.ConfidencePURL {
		t.Errorf("open alerts after the CPE correction = %+v, want only the lodash one", open)
	}

	// A new SBOM without busybox and with the fixed lodash: the lodash
	// alert and the CPE alert are resolved (their components are gone).
	f.clock = f.clock.Add(time.Hour)
	newSBOM, _, err := f.prog.UploadSBOM(f.ctx, f.asM1, cam.ID, "2.1", cdx("lodash@4.17.21 pkg:npm/lodash@4.17.21", "requests@2.19.0 pkg:pypi/requests@2.19.0"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ = f.prog.Alert(f.ctx, f.asM1, a.ID); got.State != trustmark.AlertResolved || !strings.Contains(got.StateReason, newSBOM.ID) {
		t.Fatalf("after the new SBOM: %s %q, want resolved naming the new SBOM", got.State, got.StateReason)
	}
	if open := f.alerts(f.asM1, trustmark.AlertFilter{ProductID: cam.ID, State: trustmark.AlertOpen}); len(open) != 0 {
		t.Errorf("open alerts after the fixed SBOM = %+v, want none", open)
	}

	// An advisory for requests opens an alert on the new SBOM; a newer
	// SBOM still holding requests carries the alert over (same ID).
	res = f.importRecords(osvRecord("PYSEC-req1", "", "PyPI", "requests", "2.20.0", vulnNow, false))
	if res.AlertsOpened != 1 {
		t.Fatalf("requests advisory = %+v, want 1 alert", res)
	}
	req := f.alerts(f.asM1, trustmark.AlertFilter{ProductID: cam.ID, State: trustmark.AlertOpen})[0]
	newest, _, err := f.prog.UploadSBOM(f.ctx, f.asM1, cam.ID, "2.2", cdx("requests@2.19.0 pkg:pypi/requests@2.19.0", "zlib@1.3 pkg:generic/zlib@1.3"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ = f.prog.Alert(f.ctx, f.asM1, req.ID); got.State != trustmark.AlertOpen || got.SBOMID != newest.ID {
		t.Fatalf("requests alert after SBOM 2.2 = %s on %s, want open on %s", got.State, got.SBOMID, newest.ID)
	}

	// The advisory is withdrawn: its alert is resolved.
	f.clock = f.clock.Add(time.Hour)
	res = f.importRecords(osvRecord("PYSEC-req1", "", "PyPI", "requests", "2.20.0", vulnNow.Add(time.Hour), true))
	if res.Updated != 1 || res.AlertsResolved != 1 {
		t.Fatalf("withdrawal = %+v, want 1 updated, 1 alert resolved", res)
	}
	if got, _ = f.prog.Alert(f.ctx, f.asM1, req.ID); got.State != trustmark.AlertResolved {
		t.Errorf("requests alert after withdrawal = %s, want resolved", got.State)
	}

	// The unlabeled product's SBOM is matched on demand, opening nothing.
	drafts, err := f.prog.SBOMs(f.ctx, f.asM2, draft.ID)
	if err != nil || len(drafts) != 1 {
		t.Fatalf("SBOMs(draft) = %v, %v", drafts, err)
	}
	fnd, err := f.prog.SBOMFindings(f.ctx, f.asM2, drafts[0].ID)
	if err != nil || len(fnd.Findings) != 1 || fnd.Findings[0].AdvisoryID != "GHSA-lod1" || fnd.Open() != 1 {
		t.Fatalf("SBOMFindings(draft) = %+v, %v; want the lodash finding", fnd, err)
	}
	if got := f.alerts(f.asM2, trustmark.AlertFilter{}); len(got) != 0 {
		t.Errorf("alerts of the unlabeled product = %+v, want none", got)
	}
}

// cpeRecord is an OSV record of software outside the OSV ecosystems: it
// names a CPE (vendor:product) in its database_specific and lists the
// affected versions, as such records do.
func cpeRecord(id, vendor, product string, versions []string, modified time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"schema_version": "1.6.0", "id": id, "modified": modified.Format(time.RFC3339),
		"summary": "A flaw in " + product,
		"affected": []map[string]any{{
			"database_specific": map[string]any{"cpes": []string{"cpe:2.3:a:" + vendor + ":" + product + ":*:*:*:*:*:*:*:*"}},
			"versions":          versions}}})
	return b
}

// TestSBOMConfidentiality checks who may read an SBOM: its manufacturer,
// its CLA and lab, and the regulator; everyone else is told it does not
// exist.
func TestSBOMConfidentiality(t *testing.T) {
	f := newVulnFixture(t)
	cam, _ := f.product(f.m1, "Cam", "2030-12-31")
	s, _, err := f.prog.UploadSBOM(f.ctx, f.asM1, cam.ID, "1.0", cdx("lodash@4.17.15 pkg:npm/lodash@4.17.15"))
	if err != nil {
		t.Fatal(err)
	}
	reg := &trustmark.Organization{Kind: trustmark.OrgRegulator, Name: "Regulator", Contact: "https://fcc.example.gov"}
	la := &trustmark.Organization{Kind: trustmark.OrgLeadAdministrator, Name: "Lead", Contact: "https://lead.example.org"}
	otherCLA := &trustmark.Organization{Kind: trustmark.OrgCLA, Name: "Other CLA", Contact: "https://other-cla.example.org"}
	otherLab := &trustmark.Organization{Kind: trustmark.OrgLab, Name: "Other Lab", Contact: "https://other-lab.example.org"}
	for _, o := range []*trustmark.Organization{reg, la, otherCLA, otherLab} {
		if err := f.db.CreateOrganization(f.ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		who  string
		pr   *trustmark.Principal
		kind trustmark.ErrorKind // "" for allowed
	}{
		{"manufacturer viewer", f.as(f.m1.ID, trustmark.RoleViewer), ""},
		{"its CLA", f.asCLA, ""},
		{"its lab", f.as(f.lab.ID, trustmark.RoleViewer), ""},
		{"regulator", f.as(reg.ID, trustmark.RoleViewer), ""},
		{"Lead Administrator", f.as(la.ID, trustmark.RoleAdmin), trustmark.KindNotFound},
		{"other manufacturer", f.asM2, trustmark.KindNotFound},
		{"other CLA", f.as(otherCLA.ID, trustmark.RoleAdmin), trustmark.KindNotFound},
		{"other lab", f.as(otherLab.ID, trustmark.RoleAdmin), trustmark.KindNotFound},
		{"anonymous", nil, trustmark.KindUnauthenticated},
	} {
		t.Run(tc.who, func(t *testing.T) {
			_, err := f.prog.SBOM(f.ctx, tc.pr, s.ID)
			_, _, derr := f.prog.SBOMDocument(f.ctx, tc.pr, s.ID)
			_, lerr := f.prog.SBOMs(f.ctx, tc.pr, cam.ID)
			_, verr := f.prog.VEXStatements(f.ctx, tc.pr, cam.ID)
			for i, e := range []error{err, derr, lerr, verr} {
				if trustmark.KindOf(e) != tc.kind {
					t.Errorf("read %d = %v, want kind %q", i, e, tc.kind)
				}
			}
		})
	}
	// Uploads: the manufacturer's members only; another's product is not found.
	if _, _, err := f.prog.UploadSBOM(f.ctx, f.as(f.m1.ID, trustmark.RoleViewer), cam.ID, "1.1", cdx()); !trustmark.IsKind(err, trustmark.KindForbidden) {
		t.Errorf("viewer upload = %v, want forbidden", err)
	}
	if _, _, err := f.prog.UploadSBOM(f.ctx, f.asM2, cam.ID, "1.1", cdx()); !trustmark.IsKind(err, trustmark.KindNotFound) {
		t.Errorf("other manufacturer's upload = %v, want not found", err)
	}
	if _, _, err := f.prog.UploadSBOM(f.ctx, f.asM1, cam.ID, "", cdx()); !trustmark.IsKind(err, trustmark.KindInvalid) {
		t.Errorf("upload without version = %v, want invalid", err)
	}
	if _, _, err := f.prog.UploadSBOM(f.ctx, f.asM1, cam.ID, "1.1", []byte(`{"hello": "world"}`)); !trustmark.IsKind(err, trustmark.KindInvalid) {
		t.Errorf("upload of a non-SBOM = %v, want invalid", err)
	}
}

// TestAlertToFinding checks that a CLA's finding is a failed sample that
// suspends the grant with the cure period, and who may record one.
func TestAlertToFinding(t *testing.T) {
	f := newVulnFixture(t)
	cam, label := f.product(f.m1, "Cam", "2030-12-31")
	if _, _, err := f.prog.UploadSBOM(f.ctx, f.asM1, cam.ID, "1.0", cdx("lodash@4.17.15 pkg:npm/lodash@4.17.15")); err != nil {
		t.Fatal(err)
	}
	f.importRecords(osvRecord("GHSA-lod1", "", "npm", "lodash", "4.17.21", vulnNow, false))
	a := f.alerts(f.asCLA, trustmark.AlertFilter{})[0]

	if _, err := f.prog.AlertToFinding(f.ctx, f.asM1, a.ID, "Unfixed critical flaw."); !trustmark.IsKind(err, trustmark.KindForbidden) {
		t.Errorf("manufacturer's finding = %v, want forbidden", err)
	}
	other := &trustmark.Organization{Kind: trustmark.OrgCLA, Name: "Other CLA", Contact: "https://other.example.org"}
	if err := f.db.CreateOrganization(f.ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := f.prog.AlertToFinding(f.ctx, f.as(other.ID, trustmark.RoleMember), a.ID, "Unfixed critical flaw."); !trustmark.IsKind(err, trustmark.KindNotFound) {
		t.Errorf("other CLA's finding = %v, want not found", err)
	}
	if _, err := f.prog.AlertToFinding(f.ctx, f.asCLA, a.ID, "Unfixed critical flaw."); !trustmark.IsKind(err, trustmark.KindRule) {
		t.Errorf("finding without a plan = %v, want a rule violation", err)
	}
	seed := uint64(3)
	if _, err := f.prog.CreatePlan(f.ctx, f.asCLA, program.PlanInput{Year: 2026, Share: 0.05, Seed: &seed}); err != nil {
		t.Fatal(err)
	}
	got, err := f.prog.AlertToFinding(f.ctx, f.asCLA, a.ID, "The manufacturer has not fixed a critical flaw.")
	if err != nil {
		t.Fatalf("AlertToFinding() = %v", err)
	}
	if got.State != trustmark.AlertFinding || got.SampleID == "" {
		t.Fatalf("alert = %s sample %q, want finding with a sample", got.State, got.SampleID)
	}
	g, err := f.db.Grant(f.ctx, label)
	if err != nil {
		t.Fatal(err)
	}
	if g.Status != trustmark.GrantSuspended || g.CureDeadline == nil || !g.CureDeadline.Equal(f.clock.Add(trustmark.CurePeriod)) {
		t.Errorf("grant = %s cure %v, want suspended with a 20-day cure deadline", g.Status, g.CureDeadline)
	}
	if _, err := f.prog.AlertToFinding(f.ctx, f.asCLA, a.ID, "Again."); !trustmark.IsKind(err, trustmark.KindConflict) {
		t.Errorf("second finding = %v, want conflict", err)
	}
}

// TestWebhooks checks webhook creation rules, that alert changes queue
// deliveries for the manufacturer's and the CLA's webhooks, and the retry
// schedule.
func TestWebhooks(t *testing.T) {
	f := newVulnFixture(t)
	for _, tc := range []struct {
		url  string
		kind trustmark.ErrorKind
	}{
		{"https://hooks.example.com/in?token=abc", ""},
		{"http://127.0.0.1:8099/hook", ""},
		{"http://localhost/hook", ""},
		{"http://hooks.example.com/in", trustmark.KindInvalid},
		{"ftp://hooks.example.com/in", trustmark.KindInvalid},
		{"https://user:pass@hooks.example.com/in", trustmark.KindInvalid},
		{"hooks.example.com/in", trustmark.KindInvalid},
	} {
		_, _, err := f.prog.CreateWebhook(f.ctx, f.asM2, tc.url)
		if trustmark.KindOf(err) != tc.kind {
			t.Errorf("CreateWebhook(%q) = %v, want kind %q", tc.url, err, tc.kind)
		}
	}
	if _, _, err := f.prog.CreateWebhook(f.ctx, f.as(f.m1.ID, trustmark.RoleMember), "https://hooks.example.com/m1"); !trustmark.IsKind(err, trustmark.KindForbidden) {
		t.Errorf("member's CreateWebhook = %v, want forbidden (admins only)", err)
	}
	hm, secret, err := f.prog.CreateWebhook(f.ctx, f.asM1, "https://hooks.example.com/m1")
	if err != nil || !strings.HasPrefix(secret, program.WebhookSecretPrefix) || hm.Secret != nil {
		t.Fatalf("CreateWebhook() = %+v, %q, %v", hm, secret, err)
	}
	if _, _, err := f.prog.CreateWebhook(f.ctx, f.asCLA, "https://cla.example.org/hook"); err != nil {
		t.Fatal(err)
	}
	if err := f.prog.DeleteWebhook(f.ctx, f.asM2, hm.ID); !trustmark.IsKind(err, trustmark.KindNotFound) {
		t.Errorf("another's DeleteWebhook = %v, want not found", err)
	}

	cam, _ := f.product(f.m1, "Cam", "2030-12-31")
	if _, _, err := f.prog.UploadSBOM(f.ctx, f.asM1, cam.ID, "1.0", cdx("lodash@4.17.15 pkg:npm/lodash@4.17.15")); err != nil {
		t.Fatal(err)
	}
	f.importRecords(osvRecord("GHSA-lod1", "", "npm", "lodash", "4.17.21", vulnNow, false))
	due, err := f.prog.ClaimDeliveries(f.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 {
		t.Fatalf("ClaimDeliveries() = %d deliveries, want 2 (the manufacturer's and the CLA's webhook)", len(due))
	}
	for _, d := range due {
		var p struct {
			Type string          `json:"type"`
			Data trustmark.Alert `json:"data"`
		}
		if err := json.Unmarshal(d.Payload, &p); err != nil || p.Type != program.EventAlertOpened || p.Data.AdvisoryID != "GHSA-lod1" || len(d.Secret) != 32 {
			t.Errorf("delivery %+v: payload %s, %v", d.Delivery, d.Payload, err)
		}
	}
	// Claimed deliveries are hidden for the lease.
	if again, _ := f.prog.ClaimDeliveries(f.ctx, 10); len(again) != 0 {
		t.Errorf("second claim = %d deliveries, want 0 while leased", len(again))
	}
	// A failure is retried with backoff until a day has passed, then abandoned.
	d := due[0].Delivery
	for i := 0; ; i++ {
		f.clock = d.NextTry
		if err := f.prog.RecordDelivery(f.ctx, &d, errors.New("the receiver answered HTTP 503")); err != nil {
			t.Fatal(err)
		}
		if d.NextTry.Year() == 9999 {
			if !strings.Contains(d.LastError, "abandoned") || f.clock.Sub(d.CreatedAt) > 25*time.Hour || f.clock.Sub(d.CreatedAt) < 12*time.Hour || d.Attempts < 10 {
				t.Errorf("abandoned after %d attempts, %s: %q", d.Attempts, f.clock.Sub(d.CreatedAt), d.LastError)
			}
			break
		}
		if i > 40 {
			t.Fatal("a failing delivery is never abandoned")
		}
	}
	// A success is recorded.
	d = due[1].Delivery
	if err := f.prog.RecordDelivery(f.ctx, &d, nil); err != nil || d.SentAt == nil || d.Attempts != 1 {
		t.Errorf("RecordDelivery(success) = %v; %+v", err, d)
	}
}
