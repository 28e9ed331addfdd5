package demo_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/demo"
	"trustmark/internal/postgres"
	"trustmark/internal/postgres/pgtest"
	"trustmark/internal/sqlite"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// alertOf finds the alert of an advisory among alerts.
func alertOf(alerts []trustmark.Alert, advisory string) *trustmark.Alert {
	i := slices.IndexFunc(alerts, func(a trustmark.Alert) bool { return a.AdvisoryID == advisory })
	if i < 0 {
		return nil
	}
	return &alerts[i]
}

// The demo's monitoring data opens the alerts docs/vulns.md describes —
// one open critical with a fix version, one suppressed by a VEX statement
// with its justification, one matched by CPE only — and loading it again
// changes nothing.
func TestLoadMonitoring(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			var db trustmark.Store
			var err error
			if backend == "sqlite" {
				db, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
			} else {
				db, err = postgres.Open(ctx, pgtest.DSN(t), postgres.Config{Migrate: true})
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			testLoadMonitoring(t, db)
		})
	}
}

func testLoadMonitoring(t *testing.T, db trustmark.Store) {
	ctx := context.Background()
	began := time.Now()
	if n, err := demo.LoadAt(ctx, db, now); err != nil || n != len(demo.Keys()) {
		t.Fatalf("LoadAt() = %d, %v; want %d grants", n, err, len(demo.Keys()))
	}
	t.Logf("demo loaded in %s", time.Since(began))

	var alerts []trustmark.Alert
	var audits int
	read := func() {
		t.Helper()
		err := db.View(ctx, func(tx trustmark.Tx) error {
			var err error
			if alerts, err = tx.Alerts(trustmark.AlertFilter{}); err != nil {
				return err
			}
			entries, err := tx.AuditEntries(trustmark.AuditFilter{Limit: 1000})
			audits = len(entries)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	read()
	cam := demo.ProductID("halo-cam-2k")
	camAlerts := slices.DeleteFunc(slices.Clone(alerts), func(a trustmark.Alert) bool { return a.ProductID != cam })
	tests := []struct {
		advisory   string
		state      trustmark.AlertState
		severity   trustmark.Severity
		fixed      string
		confidence trustmark.Confidence
		reason     string
	}{
		{"DEMO-2026-0001", trustmark.AlertOpen, trustmark.SeverityCritical, "3.0.13-1~deb12u1", trustmark.ConfidencePURL, ""},
		{"DEMO-2026-0002", trustmark.AlertSuppressed, trustmark.SeverityHigh, "1:1.35.0-4+deb12u1", trustmark.ConfidencePURL, "vulnerable_code_not_present"},
		{"DEMO-2026-0003", trustmark.AlertOpen, trustmark.SeverityHigh, "5.15.140", trustmark.ConfidenceCPE, ""},
		{"DEMO-2026-0004", trustmark.AlertOpen, trustmark.SeverityMedium, "1.6.8", trustmark.ConfidencePURL, ""},
	}
	for _, tc := range tests {
		a := alertOf(camAlerts, tc.advisory)
		if a == nil {
			t.Errorf("the camera has no alert of %s; alerts %+v", tc.advisory, camAlerts)
			continue
		}
		if a.State != tc.state || a.Severity != tc.severity || a.FixedVersion != tc.fixed || a.Confidence != tc.confidence ||
			!strings.Contains(a.StateReason, tc.reason) || a.LabelID != demo.LabelID("halo-cam-2k") || a.CLAID != "org_demo_keystone" || !a.SupportRunning {
			t.Errorf("alert of %s = %+v; want %s, %s, fixed in %s, confidence %s, reason with %q", tc.advisory, a, tc.state, tc.severity, tc.fixed, tc.confidence, tc.reason)
		}
	}
	if len(camAlerts) != len(tests) || alertOf(camAlerts, "DEMO-2026-0006") != nil {
		t.Errorf("the camera has %d alerts, want %d (none of DEMO-2026-0006, fixed before its dropbear)", len(camAlerts), len(tests))
	}
	hub := slices.DeleteFunc(slices.Clone(alerts), func(a trustmark.Alert) bool { return a.ProductID != demo.ProductID("lumen-hub") })
	if len(hub) != 2 || alertOf(hub, "DEMO-2026-0001") == nil || alertOf(hub, "DEMO-2026-0005") == nil {
		t.Errorf("the hub's alerts = %+v; want DEMO-2026-0001 and DEMO-2026-0005", hub)
	}

	// Loading again (every "serve --demo") adds nothing.
	before, beforeAudits := len(alerts), audits
	if n, err := demo.LoadAt(ctx, db, now.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("LoadAt(again) = %d, %v; want 0 new grants", n, err)
	}
	read()
	if len(alerts) != before || audits != beforeAudits {
		t.Errorf("after a second load: %d alerts and %d audit entries, want %d and %d", len(alerts), audits, before, beforeAudits)
	}
	err := db.View(ctx, func(tx trustmark.Tx) error {
		for _, key := range demo.MonitoredKeys() {
			sboms, err := tx.SBOMs(demo.ProductID(key))
			if err != nil {
				return err
			}
			if len(sboms) != 1 {
				t.Errorf("%s has %d SBOMs after two loads, want 1", key, len(sboms))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
