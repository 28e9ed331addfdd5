package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/client"
	"trustmark/internal/criteria"
	"trustmark/internal/demo"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
	"trustmark/internal/web"
)

// vulnNow is the clock of the monitoring tests: within the demo's support periods.
var vulnNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// demoWorld is a real server over the demo dataset (whose halo-cam-2k and
// lumen-hub have SBOMs and alerts) with webhooks enabled, and admin
// clients of its organizations.
type demoWorld struct {
	t    *testing.T
	url  string
	prog *program.Program
}

func newDemoWorld(t *testing.T) *demoWorld {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "client.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := demo.LoadAt(ctx, db, vulnNow); err != nil {
		t.Fatal(err)
	}
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return vulnNow }
	prog := program.New(db, set, program.Config{Now: clock, WebhookKey: bytes.Repeat([]byte{3}, 32)})
	srv, err := web.NewServer(db, web.Config{BaseURL: "https://labels.example.org", Now: clock, Program: prog, Criteria: set, WebhookPoll: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &demoWorld{t: t, url: ts.URL, prog: prog}
}

// as returns a client holding a new token of a demo organization.
func (w *demoWorld) as(orgID string, role trustmark.Role) *client.Client {
	w.t.Helper()
	_, secret, err := w.prog.OperatorToken(context.Background(), orgID, "Test "+string(role), role)
	if err != nil {
		w.t.Fatal(err)
	}
	c, err := client.New(w.url, secret)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// alertOf finds the alert of an advisory.
func alertOf(t *testing.T, list []trustmark.Alert, advisory string) trustmark.Alert {
	t.Helper()
	i := slices.IndexFunc(list, func(a trustmark.Alert) bool { return a.AdvisoryID == advisory })
	if i < 0 {
		t.Fatalf("no alert of %s among %d", advisory, len(list))
	}
	return list[i]
}

// TestVulnMonitoring drives vulnerability monitoring through the client:
// reading the demo's SBOMs, findings and alerts; uploading a new SBOM and
// a VEX document; the CLA's finding; webhooks.
func TestVulnMonitoring(t *testing.T) {
	ctx := context.Background()
	w := newDemoWorld(t)
	mfr := w.as("org_demo_northwind", trustmark.RoleAdmin)
	cla := w.as("org_demo_keystone", trustmark.RoleMember)
	cam := demo.ProductID("halo-cam-2k")

	// The demo SBOM, its document and its findings.
	sboms, err := mfr.SBOMs(ctx, cam)
	if err != nil || len(sboms) != 1 || sboms[0].ProductVersion != "4.2.1" || len(sboms[0].Components) != 0 {
		t.Fatalf("SBOMs(camera) = %+v, %v; want the demo's 4.2.1 SBOM without components", sboms, err)
	}
	sb, err := mfr.SBOM(ctx, sboms[0].ID)
	if err != nil || len(sb.Components) != 12 || sb.Format != trustmark.SBOMCycloneDXJSON {
		t.Fatalf("SBOM(%s) = %d components, %v; want 12", sboms[0].ID, len(sb.Components), err)
	}
	original, err := os.ReadFile(filepath.Join("..", "internal", "demo", "vulns", "halo-cam-2k-4.2.1.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(original)
	doc, err := cla.SBOMDocument(ctx, sb.ID)
	if err != nil || !bytes.Equal(doc.Content, original) || doc.SHA256 != hex.EncodeToString(sum[:]) || doc.MediaType != "application/vnd.cyclonedx+json" {
		t.Fatalf("SBOMDocument(%s) = %d bytes %q %q, %v; want the uploaded file", sb.ID, len(doc.Content), doc.MediaType, doc.SHA256, err)
	}
	found, err := mfr.SBOMFindings(ctx, sb.ID)
	if err != nil || len(found.Findings) != 4 || found.Open() != 3 || len(found.Unchecked) != 3 || found.Advisories == 0 {
		t.Fatalf("SBOMFindings() = %+v, %v; want 4 findings, 3 open, 3 unchecked", found, err)
	}
	if i := slices.IndexFunc(found.Findings, func(f client.Finding) bool { return f.Suppressed != nil }); i < 0 || found.Findings[i].Suppressed.Justification != "vulnerable_code_not_present" {
		t.Errorf("findings: the VEX-suppressed one is missing or lacks its justification: %+v", found.Findings)
	}

	// Alerts as each party sees them.
	open, err := mfr.Alerts(ctx, trustmark.AlertOpen, "")
	if err != nil || len(open) != 3 {
		t.Fatalf("manufacturer Alerts(open) = %d, %v; want 3", len(open), err)
	}
	critical := alertOf(t, open, "DEMO-2026-0001")
	if critical.Severity != trustmark.SeverityCritical || critical.FixedVersion != "3.0.13-1~deb12u1" || critical.LabelID != demo.LabelID("halo-cam-2k") {
		t.Errorf("the critical alert = %+v", critical)
	}
	if kernel := alertOf(t, open, "DEMO-2026-0003"); kernel.Confidence != trustmark.ConfidenceCPE {
		t.Errorf("the kernel alert's confidence = %s, want cpe", kernel.Confidence)
	}
	if all, err := cla.Alerts(ctx, "", ""); err != nil || len(all) != 6 {
		t.Errorf("CLA Alerts() = %d, %v; want the 6 of its two monitored grants", len(all), err)
	}
	if hub, err := cla.Alerts(ctx, "", demo.ProductID("lumen-hub")); err != nil || len(hub) != 2 {
		t.Errorf("CLA Alerts(product lumen-hub) = %d, %v; want 2", len(hub), err)
	}
	if a, err := cla.Alert(ctx, critical.ID); err != nil || a.ID != critical.ID {
		t.Errorf("CLA Alert(%s) = %+v, %v", critical.ID, a, err)
	}

	// A new firmware whose OpenSSL is fixed: that alert is resolved.
	fixed := bytes.ReplaceAll(original, []byte("3.0.11-1~deb12u2"), []byte("3.0.13-1~deb12u1"))
	up, err := mfr.UploadSBOM(ctx, cam, "4.3.0", fixed)
	if err != nil || up.ID == "" || up.ProductVersion != "4.3.0" || up.ComponentCount != 12 || len(up.Components) != 0 ||
		!slices.ContainsFunc(up.Warnings, func(s string) bool { return strings.Contains(s, "without a version") }) {
		t.Fatalf("UploadSBOM(4.3.0) = %+v, %v; want 12 components and a warning about the one without a version", up, err)
	}
	if a, err := mfr.Alert(ctx, critical.ID); err != nil || a.State != trustmark.AlertResolved {
		t.Errorf("the OpenSSL alert after the fixed firmware = %+v, %v; want resolved", a, err)
	}

	// A VEX statement suppresses the axios alert; the statements list both.
	vex := []byte(`{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://northwind-home.example.com/vex/axios", "author": "Northwind PSIRT",
		"timestamp": "2026-11-28T10:00:00Z", "version": 1, "statements": [{"vulnerability": {"name": "DEMO-2026-0004"},
		"products": [{"@id": "pkg:npm/axios@1.6.0"}], "status": "fixed"}]}`)
	stmts, err := mfr.UploadVEX(ctx, cam, vex)
	if err != nil || len(stmts) != 1 || stmts[0].Status != trustmark.VEXFixed || !strings.Contains(stmts[0].Author, "Test admin") {
		t.Fatalf("UploadVEX() = %+v, %v", stmts, err)
	}
	if all, err := cla.VEXStatements(ctx, cam); err != nil || len(all) != 2 {
		t.Errorf("VEXStatements() = %+v, %v; want the demo's and the new one", all, err)
	}
	if a := alertOf(t, must(mfr.Alerts(ctx, "", cam)), "DEMO-2026-0004"); a.State != trustmark.AlertSuppressed {
		t.Errorf("the axios alert after the VEX = %s, want suppressed", a.State)
	}

	// The CLA's finding needs this year's plan first; it suspends the grant.
	kernel := alertOf(t, open, "DEMO-2026-0003")
	if _, err := cla.AlertToFinding(ctx, kernel.ID, "Kernel flaw reachable over USB."); !client.IsRuleViolation(err) {
		t.Errorf("AlertToFinding without a plan = %v, want a rule violation", err)
	}
	if _, err := cla.CreatePlan(ctx, client.PlanInput{Year: vulnNow.Year(), Share: 0.01}); err != nil {
		t.Fatal(err)
	}
	a, err := cla.AlertToFinding(ctx, kernel.ID, "Kernel flaw reachable over USB.")
	if err != nil || a.State != trustmark.AlertFinding || a.SampleID == "" {
		t.Fatalf("AlertToFinding() = %+v, %v; want a finding with its sample", a, err)
	}
	if g, err := mfr.Grant(ctx, demo.LabelID("halo-cam-2k")); err != nil || g.Status != trustmark.GrantSuspended {
		t.Errorf("the grant after the finding = %+v, %v; want suspended", g, err)
	}
	if _, err := cla.AlertToFinding(ctx, kernel.ID, "Again."); !client.IsConflict(err) {
		t.Errorf("a second finding = %v, want a conflict", err)
	}

	// Webhooks: created with a secret shown once, listed without it, deleted.
	hook, secret, err := mfr.CreateWebhook(ctx, "https://hooks.northwind.example/trustmark")
	if err != nil || hook.ID == "" || !strings.HasPrefix(secret, "whsec_") || hook.OrgID != "org_demo_northwind" {
		t.Fatalf("CreateWebhook() = %+v, %q, %v", hook, secret, err)
	}
	if hooks, err := mfr.Webhooks(ctx); err != nil || len(hooks) != 1 || hooks[0].ID != hook.ID {
		t.Errorf("Webhooks() = %+v, %v; want the one", hooks, err)
	}
	if err := mfr.DeleteWebhook(ctx, hook.ID); err != nil {
		t.Fatalf("DeleteWebhook() = %v", err)
	}
	if hooks, err := mfr.Webhooks(ctx); err != nil || len(hooks) != 0 {
		t.Errorf("Webhooks() after deleting = %+v, %v; want none", hooks, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestVulnErrors checks the monitoring calls' refusals arrive with their
// status, code and field.
func TestVulnErrors(t *testing.T) {
	ctx := context.Background()
	w := newDemoWorld(t)
	mfr := w.as("org_demo_northwind", trustmark.RoleAdmin)
	member := w.as("org_demo_northwind", trustmark.RoleMember)
	lab := w.as("org_demo_cedar", trustmark.RoleAdmin) // tested neither monitored product
	otherCLA := w.as("org_demo_meridian", trustmark.RoleAdmin)
	cam := demo.ProductID("halo-cam-2k")
	critical := alertOf(t, must(mfr.Alerts(ctx, trustmark.AlertOpen, cam)), "DEMO-2026-0001")
	tests := []struct {
		name   string
		call   func() error
		status int
		code   string
		field  string
	}{
		{"malformed SBOM", func() error {
			_, err := mfr.UploadSBOM(ctx, cam, "5.0", []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [`))
			return err
		},
			400, client.CodeInvalid, ""},
		{"SBOM without version", func() error { _, err := mfr.UploadSBOM(ctx, cam, "", []byte(`{}`)); return err }, 400, client.CodeInvalid, "version"},
		{"empty SBOM", func() error { _, err := mfr.UploadSBOM(ctx, cam, "5.0", nil); return err }, 400, client.CodeInvalid, ""},
		{"SBOM of another's product", func() error {
			_, err := mfr.UploadSBOM(ctx, demo.ProductID("lumen-hub"), "5.0", []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}`))
			return err
		}, 404, client.CodeNotFound, ""},
		{"SBOM too large, refused locally", func() error {
			_, err := mfr.UploadSBOM(ctx, cam, "5.0", make([]byte, client.MaxDocumentBytes+1))
			return err
		}, 0, client.CodeTooLarge, ""},
		{"lab reads another product's SBOMs", func() error { _, err := lab.SBOMs(ctx, demo.ProductID("lumen-hub")); return err }, 404, client.CodeNotFound, ""},
		{"VEX without justification", func() error {
			_, err := mfr.UploadVEX(ctx, cam, []byte(`{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a", "timestamp": "2026-01-01T00:00:00Z", "version": 1,
				"statements": [{"vulnerability": {"name": "CVE-2099-10001"}, "products": [{"@id": "pkg:npm/axios"}], "status": "not_affected"}]}`))
			return err
		}, 400, client.CodeInvalid, ""},
		{"unknown alert state", func() error { _, err := mfr.Alerts(ctx, "ajar", ""); return err }, 400, client.CodeInvalid, "state"},
		{"lab lists alerts", func() error { _, err := lab.Alerts(ctx, "", ""); return err }, 403, client.CodeForbidden, ""},
		{"another CLA's alert", func() error { _, err := otherCLA.Alert(ctx, critical.ID); return err }, 404, client.CodeNotFound, ""},
		{"manufacturer makes a finding", func() error { _, err := mfr.AlertToFinding(ctx, critical.ID, "Mine."); return err }, 403, client.CodeForbidden, ""},
		{"webhook over plain http", func() error { _, _, err := mfr.CreateWebhook(ctx, "http://hooks.example.com/x"); return err }, 400, client.CodeInvalid, "url"},
		{"member creates a webhook", func() error { _, _, err := member.CreateWebhook(ctx, "https://hooks.example.com/x"); return err }, 403, client.CodeForbidden, ""},
		{"unknown webhook", func() error { return mfr.DeleteWebhook(ctx, "whk_nope") }, 404, client.CodeNotFound, ""},
		{"empty ID refused locally", func() error { _, err := mfr.SBOM(ctx, ""); return err }, 0, client.CodeInvalid, ""},
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
		})
	}
	// A 413 without the API's error body (a proxy's body limit) is too_large too.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "request entity too large", http.StatusRequestEntityTooLarge)
	}))
	defer proxy.Close()
	c, err := client.New(proxy.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadSBOM(ctx, cam, "5.0", []byte(`{}`)); !client.IsTooLarge(err) {
		t.Errorf("a proxy's 413 = %v, want too_large", err)
	}
}
