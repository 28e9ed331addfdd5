package program_test

import (
	"encoding/json"
	"testing"

	"trustmark"
)

// TestGenericPURLs: components whose package URL type OSV has no ecosystem
// for (pkg:generic, as firmware SBOMs use for C libraries) are matched,
// through the store's index, against advisories naming the same package
// URL, with generic semver ordering; and their CPEs still match CPE
// advisories in the lower-confidence class.
func TestGenericPURLs(t *testing.T) {
	f := newVulnFixture(t)
	cam, _ := f.product(f.m1, "Cam", "2030-12-31")
	if _, _, err := f.prog.UploadSBOM(f.ctx, f.asM1, cam.ID, "1.0", cdx(
		"mbedtls@3.5.1 pkg:generic/mbedtls@3.5.1",
		"mbedtls@3.6.1 pkg:generic/arm/mbedtls@3.6.1")); err != nil {
		t.Fatal(err)
	}
	generic := func(id, purl, fixed string) []byte {
		b, _ := json.Marshal(map[string]any{"schema_version": "1.6.0", "id": id, "modified": vulnNow.Format("2006-01-02T15:04:05Z"),
			"summary": "A flaw in Mbed TLS",
			"affected": []map[string]any{{"package": map[string]string{"ecosystem": "OSS-Fuzz", "name": "mbedtls", "purl": purl},
				"ranges": []map[string]any{{"type": "SEMVER", "events": []map[string]string{{"introduced": "3.0.0"}, {"fixed": fixed}}}}}}})
		return b
	}
	res := f.importRecords(
		generic("GEN-1", "pkg:generic/mbedtls", "3.6.0"),       // affects 3.5.1
		generic("GEN-2", "pkg:generic/mbedtls", "3.5.1"),       // fixed in 3.5.1: not affected
		generic("GEN-3", "pkg:generic/arm/mbedtls", "3.6.2"),   // the namespaced one
		generic("GEN-4", "pkg:generic/other/mbedtls", "9.9.9")) // another package
	if res.New != 4 || res.ComponentsRematched == 0 || res.AlertsOpened != 2 {
		t.Errorf("import = %+v, want 4 new and 2 alerts", res)
	}
	got := map[string]string{}
	for _, a := range f.alerts(f.asM1, trustmark.AlertFilter{ProductID: cam.ID}) {
		got[a.AdvisoryID] = a.Component.Version + " fixed in " + a.FixedVersion + " by " + string(a.Confidence)
	}
	want := map[string]string{"GEN-1": "3.5.1 fixed in 3.6.0 by purl", "GEN-3": "3.6.1 fixed in 3.6.2 by purl"}
	if len(got) != len(want) || got["GEN-1"] != want["GEN-1"] || got["GEN-3"] != want["GEN-3"] {
		t.Errorf("alerts = %v, want %v", got, want)
	}

	// A generic component with a CPE is still matched by CPE.
	plug, _ := f.product(f.m1, "Plug", "2030-12-31")
	if _, _, err := f.prog.UploadSBOM(f.ctx, f.asM1, plug.ID, "1.0", cdxWithCPE("zlib", "1.2.11", "pkg:generic/zlib@1.2.11",
		"cpe:2.3:a:zlib:zlib:1.2.11:*:*:*:*:*:*:*")); err != nil {
		t.Fatal(err)
	}
	res = f.importRecords(cpeRecord("CPE-ZLIB", "zlib", "zlib", []string{"1.2.11"}, vulnNow))
	if res.AlertsOpened != 1 {
		t.Errorf("CPE import = %+v, want 1 alert", res)
	}
	alerts := f.alerts(f.asM1, trustmark.AlertFilter{ProductID: plug.ID})
	if len(alerts) != 1 || alerts[0].Confidence != trustmark.ConfidenceCPE {
		t.Errorf("plug alerts = %+v, want one CPE alert", alerts)
	}
}

// cdxWithCPE is a CycloneDX SBOM of one component with both a package URL
// and a CPE.
func cdxWithCPE(name, version, purl, cpe string) []byte {
	b, _ := json.Marshal(map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
		"components": []map[string]string{{"type": "library", "name": name, "version": version, "purl": purl, "cpe": cpe}}})
	return b
}
