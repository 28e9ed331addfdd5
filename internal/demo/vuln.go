package demo

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
)

// Vulnerability monitoring in the demo (docs/vulns.md): two labeled
// products keep a CycloneDX SBOM of their firmware, six made-up OSV
// advisories are imported, and the camera's manufacturer has said in an
// OpenVEX statement that one of them does not affect it. Everything goes
// through the program, as a manufacturer's uploads and "trustmark vulns
// import" would, so the alerts, their audit entries and their state are
// the ones real use makes:
//
//   - Halo Indoor Camera 2K (Northwind, CLA Keystone): DEMO-2026-0001 in
//     libssl3, critical, open, fixed in 3.0.13-1~deb12u1; DEMO-2026-0002 in
//     busybox, suppressed by the VEX statement (vulnerable_code_not_present);
//     DEMO-2026-0003 in the Linux kernel, matched by CPE only (lower
//     confidence), fixed in 5.15.140; DEMO-2026-0004 in the local web UI's
//     axios, medium. DEMO-2026-0006 names its dropbear but was fixed
//     before the version it ships: no alert.
//   - Lumen & Oak Home Hub (Lumen & Oak, CLA Keystone): DEMO-2026-0001 in
//     its Alpine libssl3 and DEMO-2026-0005 in mosquitto.
//
// The advisories are demo data, marked so in every record (summary,
// details, database_specific.demo) and aliased to CVE IDs of the year
// 2099, which no real CVE has.

// vulnFiles holds the demo's SBOMs, VEX document and advisories.
//
//go:embed vulns
var vulnFiles embed.FS

// monitoredProduct is a demo product with an SBOM of its current firmware.
type monitoredProduct struct {
	key      string // the demo item's key
	sbomFile string // in vulnFiles
	vexFile  string // in vulnFiles; "" for none
}

var monitored = []monitoredProduct{
	{key: "halo-cam-2k", sbomFile: "vulns/halo-cam-2k-4.2.1.cdx.json", vexFile: "vulns/halo-cam-2k.openvex.json"},
	{key: "lumen-hub", sbomFile: "vulns/lumen-hub-6.3.1.cdx.json"},
}

// MonitoredKeys lists the keys of the demo products that have an SBOM and
// alerts, e.g. "halo-cam-2k".
func MonitoredKeys() []string {
	out := make([]string, len(monitored))
	for i, m := range monitored {
		out[i] = m.key
	}
	return out
}

// ProductID returns the product ID of the demo product with the given key.
func ProductID(key string) string { return "prd_demo_" + key }

// loadMonitoring imports the demo advisories, then uploads each monitored
// product's SBOM and VEX document unless the product has them already,
// acting as the manufacturer's demo user. Each step is one program
// operation (its own transaction), so an interrupted load resumes where it
// stopped; advisories already stored are left as they are.
func loadMonitoring(ctx context.Context, s trustmark.Store, byID map[string]*trustmark.Organization, now time.Time) error {
	set, err := criteria.Embedded()
	if err != nil {
		return err
	}
	prog := program.New(s, set, program.Config{Now: func() time.Time { return now }})
	walk := func(yield func(name string, raw []byte) error) error {
		return fs.WalkDir(vulnFiles, "vulns/advisories", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || path.Ext(p) != ".json" {
				return err
			}
			raw, err := vulnFiles.ReadFile(p)
			if err != nil {
				return err
			}
			return yield(path.Base(p), raw)
		})
	}
	res, err := prog.ImportAdvisories(ctx, walk, nil)
	if err != nil {
		return fmt.Errorf("demo advisories: %w", err)
	}
	if res.Invalid > 0 {
		return fmt.Errorf("demo advisories: %d are not valid OSV: %v", res.Invalid, res.Errors)
	}
	for _, m := range monitored {
		if err := loadProductMonitoring(ctx, s, prog, m, byID); err != nil {
			return fmt.Errorf("demo monitoring of %s: %w", m.key, err)
		}
	}
	return nil
}

// loadProductMonitoring uploads one product's SBOM and VEX document when
// the product has none yet.
func loadProductMonitoring(ctx context.Context, s trustmark.Store, prog *program.Program, m monitoredProduct, byID map[string]*trustmark.Organization) error {
	var it *item
	for i := range items {
		if items[i].key == m.key {
			it = &items[i]
		}
	}
	if it == nil {
		return fmt.Errorf("no demo product %q", m.key)
	}
	pr := manufacturerPrincipal(byID[it.mfr])
	var haveSBOM, haveVEX bool
	err := s.View(ctx, func(tx trustmark.Tx) error {
		sboms, err := tx.SBOMs(ProductID(m.key))
		if err != nil {
			return err
		}
		stmts, err := tx.VEXStatements(ProductID(m.key))
		haveSBOM, haveVEX = len(sboms) > 0, len(stmts) > 0
		return err
	})
	if err != nil {
		return err
	}
	if !haveSBOM {
		doc, err := vulnFiles.ReadFile(m.sbomFile)
		if err != nil {
			return err
		}
		if _, _, err := prog.UploadSBOM(ctx, pr, ProductID(m.key), it.sw, doc); err != nil {
			return err
		}
	}
	if m.vexFile != "" && !haveVEX {
		doc, err := vulnFiles.ReadFile(m.vexFile)
		if err != nil {
			return err
		}
		if _, err := prog.UploadVEX(ctx, pr, ProductID(m.key), doc); err != nil {
			return err
		}
	}
	return nil
}

// manufacturerPrincipal is the demo user of a manufacturer, as the
// program sees someone signed in to the portal.
func manufacturerPrincipal(org *trustmark.Organization) *trustmark.Principal {
	holder := "demo"
	for _, u := range users {
		if u.OrgID == org.ID {
			holder = u.Name
		}
	}
	return &trustmark.Principal{Org: *org, Token: trustmark.Token{OrgID: org.ID, Holder: holder, Role: trustmark.RoleAdmin}}
}
