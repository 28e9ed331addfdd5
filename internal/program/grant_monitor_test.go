package program_test

import (
	"testing"

	"trustmark"
)

// TestGrantOpensAlerts: a product whose SBOM was uploaded while it was
// unlabeled gets its alerts in the grant's own transaction, not at its next
// upload or the next advisory import. The demo data holds the advisory
// DEMO-2026-0001 (OpenSSL's libssl3 in Debian 12, fixed in 3.0.13-1~deb12u1).
func TestGrantOpensAlerts(t *testing.T) { forEachStore(t, testGrantOpensAlerts) }

func testGrantOpensAlerts(t *testing.T, f *fixture) {
	mfr := f.as("org_demo_northwind", trustmark.RoleMember)
	cla := f.as("org_demo_keystone", trustmark.RoleMember)
	lab := f.as("org_demo_ferrous", trustmark.RoleMember)
	a := f.application(mfr, "Monitored Cam", true)
	doc := cdx("libssl3@3.0.11-1~deb12u2 pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12&upstream=openssl",
		"zlib1g@1.2.13 pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?distro=debian-12")
	if _, _, err := f.prog.UploadSBOM(f.ctx, mfr, a.ProductID, "1.0", doc); err != nil {
		t.Fatalf("UploadSBOM() = %v", err)
	}
	alertsOf := func() []trustmark.Alert {
		t.Helper()
		list, err := f.prog.Alerts(f.ctx, cla, trustmark.AlertFilter{ProductID: a.ProductID})
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	if got := alertsOf(); len(got) != 0 {
		t.Fatalf("alerts of the unlabeled product = %d, want 0", len(got))
	}

	rep := trustmark.TestReport{Catalog: "nist-ir-8425", SignerTitle: "Engineer"}
	cat, _ := f.prog.Criteria().Catalog("nist-ir-8425")
	for _, req := range cat.Requirements {
		rep.Results = append(rep.Results, trustmark.ReportResult{Requirement: req.ID, Outcome: trustmark.OutcomePass})
	}
	if _, err := f.prog.AttachReport(f.ctx, lab, a.ID, rep); err != nil {
		t.Fatalf("AttachReport() = %v", err)
	}
	granted, err := f.prog.Decide(f.ctx, cla, a.ID, trustmark.AppGranted, "")
	if err != nil {
		t.Fatalf("Decide() = %v", err)
	}

	got := alertsOf()
	if len(got) != 1 {
		t.Fatalf("alerts after the grant = %+v, want the one libssl3 alert", got)
	}
	al := got[0]
	if al.AdvisoryID != "DEMO-2026-0001" || al.State != trustmark.AlertOpen || al.LabelID != granted.Decision.LabelID ||
		al.FixedVersion != "3.0.13-1~deb12u1" || !al.SupportRunning || al.CLAID != "org_demo_keystone" {
		t.Errorf("the alert = %+v", al)
	}
}
