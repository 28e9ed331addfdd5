package sbom_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"trustmark"
	"trustmark/internal/sbom"
	"trustmark/internal/vuln"
)

type stmt = trustmark.VEXStatement

func TestParseVEX(t *testing.T) {
	const (
		lodash  = "pkg:npm/lodash@4.17.20"
		openssl = "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12"
	)
	tests := []struct {
		file string
		want []stmt
	}{
		{"openvex.json", []stmt{
			{VulnID: "CVE-2020-8203", ComponentPURL: lodash, Status: trustmark.VEXNotAffected, Justification: "vulnerable_code_not_in_execute_path", Statement: "zipObjectDeep is never called.", Source: "openvex"},
			// A generic product identifier stands for the whole product.
			{VulnID: "CVE-2023-0464", Status: trustmark.VEXFixed, Source: "openvex"},
			// A product given by an ecosystem PURL names that component.
			{VulnID: "CVE-2024-0727", ComponentPURL: openssl, Status: trustmark.VEXAffected, Statement: "Update to firmware 2.1.1.", Source: "openvex"},
			{VulnID: "CVE-2024-2511", Status: trustmark.VEXUnderInvestigation, Statement: "Triage started.", Source: "openvex"},
			// One statement per subcomponent; the impact statement is the justification.
			{VulnID: "CVE-2022-48174", ComponentPURL: "pkg:generic/busybox@1.36.1", Status: trustmark.VEXNotAffected, Justification: "The vulnerable applet is not compiled in.", Statement: "The vulnerable applet is not compiled in.", Source: "openvex"},
			{VulnID: "CVE-2022-48174", ComponentPURL: "pkg:apk/alpine/busybox@1.36.1-r15?distro=alpine-3.19.1", Status: trustmark.VEXNotAffected, Justification: "The vulnerable applet is not compiled in.", Statement: "The vulnerable applet is not compiled in.", Source: "openvex"},
		}},
		{"openvex-v001.json", []stmt{
			{VulnID: "CVE-2023-1234", ComponentPURL: "pkg:npm/foo@1.0.0", Status: trustmark.VEXFixed, Source: "openvex"},
			{VulnID: "CVE-2023-5678", ComponentPURL: "pkg:golang/golang.org/x/net@v0.7.0", Status: trustmark.VEXNotAffected, Justification: "component_not_present", Source: "openvex"},
		}},
		{"cyclonedx-vex.json", []stmt{
			{VulnID: "CVE-2020-8203", ComponentPURL: lodash, Status: trustmark.VEXNotAffected, Justification: "vulnerable_code_not_in_execute_path", Statement: "zipObjectDeep is never called.", Source: "cyclonedx"},
			// A BOM-Link whose fragment is a PURL.
			{VulnID: "CVE-2021-23337", ComponentPURL: lodash, Status: trustmark.VEXNotAffected, Justification: "false_positive", Source: "cyclonedx"},
			// A ref to metadata.component: the whole product.
			{VulnID: "CVE-2023-0464", Status: trustmark.VEXFixed, Statement: "response: update", Source: "cyclonedx"},
			{VulnID: "CVE-2024-0727", ComponentPURL: openssl, Status: trustmark.VEXAffected, Statement: "Fixed in firmware 2.1.1.", Source: "cyclonedx"},
			{VulnID: "CVE-2024-2511", Status: trustmark.VEXUnderInvestigation, Source: "cyclonedx"},
			{VulnID: "CVE-2024-9999", ComponentPURL: lodash, Status: trustmark.VEXNotAffected, Justification: "requires_configuration", Source: "cyclonedx"},
		}},
		{"cyclonedx-vex.xml", []stmt{
			{VulnID: "CVE-2023-43804", ComponentPURL: "pkg:pypi/urllib3@1.26.5", Status: trustmark.VEXNotAffected, Justification: "vulnerable_code_not_present", Statement: "Cookie handling is stripped from the build.", Source: "cyclonedx"},
		}},
		{"csaf-vex.json", []stmt{
			// A relationship product names its component.
			{VulnID: "CVE-2024-0727", ComponentPURL: openssl, Status: trustmark.VEXNotAffected, Justification: "vulnerable_code_not_in_execute_path", Statement: "PKCS12 parsing is never used.", Source: "csaf"},
			{VulnID: "CVE-2023-0464", Status: trustmark.VEXFixed, Source: "csaf"},
			{VulnID: "CVE-2023-0464", ComponentPURL: lodash, Status: trustmark.VEXAffected, Statement: "vendor_fix: Update to 2.1.1.", Source: "csaf"},
			// The impact threat reaches the product through its group.
			{VulnID: "ACME-2024-7", Status: trustmark.VEXNotAffected, Justification: "The camera exposes no affected service.", Statement: "The camera exposes no affected service.", Source: "csaf"},
			{VulnID: "CVE-2024-2511", Status: trustmark.VEXUnderInvestigation, Source: "csaf"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := sbom.ParseVEX(read(t, tt.file))
			if err != nil {
				t.Fatalf("ParseVEX: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseVEX(%s) mismatch (-want +got):\n%s", tt.file, diff)
			}
			// Filled in by the caller, the statements validate.
			for _, s := range got {
				s.ProductID, s.Author, s.At = "prod_1", "user_1", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)
				if err := s.Validate(); err != nil {
					t.Errorf("statement %+v does not validate: %v", s, err)
				}
			}
		})
	}
}

func TestParseVEXErrors(t *testing.T) {
	csaf := string(read(t, "csaf-vex.json"))
	cdxVEX := string(read(t, "cyclonedx-vex.json"))
	tests := []struct {
		name, data, want string
	}{
		{"openvex not_affected without justification", string(read(t, "openvex-no-justification.json")), "openvex: statements[1] (CVE-2023-0002) is not_affected without a justification or an impact_statement"},
		{"openvex unknown justification", strings.Replace(string(read(t, "openvex.json")), `"vulnerable_code_not_in_execute_path"`, `"not_reachable"`, 1), `openvex: statements[0] (CVE-2020-8203): justification "not_reachable" is not one of`},
		{"openvex unknown status", strings.Replace(string(read(t, "openvex.json")), `"status": "fixed"`, `"status": "patched"`, 1), `openvex: statements[1] (CVE-2023-0464): status "patched" is not one of`},
		{"openvex without vulnerability", `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"products": [], "status": "fixed"}]}`, "openvex: statements[0].vulnerability is missing"},
		{"openvex subcomponent without PURL", `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": [{"@id": "x", "subcomponents": [{"@id": "sha256:abc"}]}]}]}`, `openvex: statements[0] (CVE-1).products[0].subcomponents[0] "sha256:abc" has no package URL`},
		{"openvex without statements", `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": []}`, "openvex: the document has no statements"},
		{"openvex truncated", string(read(t, "openvex.json"))[:200], "openvex: the JSON ends early"},
		{"cyclonedx not_affected without justification", strings.Replace(cdxVEX, `"justification": "requires_configuration"`, `"response": ["will_not_fix"]`, 1), "cyclonedx: vulnerabilities[5] (CVE-2024-9999) is not_affected without an analysis.justification or analysis.detail"},
		{"cyclonedx ref to a component without PURL", strings.Replace(cdxVEX, `"affects": [{"ref": "cam"}]`, `"affects": [{"ref": "blob"}]`, 1), `cyclonedx: vulnerabilities[2] (CVE-2023-0464).affects[0].ref "blob" names a component without a purl`},
		{"cyclonedx unknown ref", strings.Replace(cdxVEX, `"affects": [{"ref": "cam"}]`, `"affects": [{"ref": "nope"}]`, 1), `ref "nope" names no component of this BOM and is not a package URL`},
		{"cyclonedx unknown state", strings.Replace(cdxVEX, `"state": "in_triage"`, `"state": "ignored"`, 1), `analysis.state "ignored" is not one of`},
		{"cyclonedx without analyses", `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "vulnerabilities": [{"id": "CVE-1"}]}`, "cyclonedx: no vulnerability has an analysis.state"},
		{"cyclonedx SBOM without vulnerabilities", string(read(t, "cyclonedx-1.6.json")), "cyclonedx: the BOM has no vulnerabilities"},
		{"cyclonedx JSON type error", `{"bomFormat": "CycloneDX", "specVersion": "1.5", "vulnerabilities": {}}`, "cyclonedx (cyclonedx-json): vulnerabilities has the wrong type"},
		{"csaf known_not_affected without flag or threat", strings.Replace(csaf, `"threats": [{"category": "impact", "details": "The camera exposes no affected service.", "group_ids": ["ALL-CAM"]}]`, `"notes": []`, 1), `csaf: vulnerabilities[2] (ACME-2024-7): product "CAM-2.1.0" is known_not_affected without a flag (justification) or an impact threat`},
		{"csaf unknown flag label", strings.Replace(csaf, `"label": "vulnerable_code_not_in_execute_path"`, `"label": "not_reachable"`, 1), `flag label "not_reachable" for product "CAM-2.1.0:OPENSSL" is not one of`},
		{"csaf component without purl", strings.Replace(csaf, `"known_affected": ["LODASH"]`, `"known_affected": ["CAM-2.1.0:BUSYBOX"]`, 1), `product "CAM-2.1.0:BUSYBOX" is a component relationship whose product_reference has no product_identification_helper.purl`},
		{"csaf unknown product", strings.Replace(csaf, `"under_investigation": ["CAM-2.1.0"]`, `"under_investigation": ["CAM-9"]`, 1), `product_status.under_investigation names product "CAM-9", which product_tree does not define`},
		{"csaf unknown status list", strings.Replace(csaf, `"under_investigation": ["CAM-2.1.0"]`, `"maybe_affected": ["CAM-2.1.0"]`, 1), "product_status.maybe_affected is not a CSAF product status"},
		{"csaf security advisory", strings.Replace(csaf, `"csaf_vex"`, `"csaf_security_advisory"`, 1), `csaf: document.category is "csaf_security_advisory"; only the VEX profile (csaf_vex) is accepted`},
		{"csaf version", strings.Replace(csaf, `"csaf_version": "2.0"`, `"csaf_version": "1.0"`, 1), `csaf: document.csaf_version "1.0" is not supported`},
		{"csaf without vulnerability id", strings.Replace(csaf, `"cve": "CVE-2024-2511", `, ``, 1), "csaf: vulnerabilities[3] has neither a cve nor ids"},
		{"empty", "", "the VEX document is empty"},
		{"SPDX", string(read(t, "spdx-2.3.json")), "this is an SPDX SBOM; SPDX 2 has no VEX"},
		{"plain JSON", `{"vulnerabilities": []}`, "not an OpenVEX, CycloneDX VEX or CSAF VEX document: a JSON object without"},
		{"text", "CVE-2020-8203 not affected", "not an OpenVEX, CycloneDX VEX or CSAF VEX document: neither JSON nor XML"},
		{"XML of something else", `<feed xmlns="http://www.w3.org/2005/Atom"/>`, "an XML document whose root element is <feed>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sbom.ParseVEX([]byte(tt.data))
			if got != nil || !trustmark.IsKind(err, trustmark.KindInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseVEX = %v, %v; want KindInvalid containing %q", got, err, tt.want)
			}
		})
	}
}

// TestVEXSuppressesMatches follows a manufacturer's VEX from upload to
// match: statements name the vulnerability by an alias and the component
// by a PURL whose qualifiers differ from the SBOM's.
func TestVEXSuppressesMatches(t *testing.T) {
	doc, err := sbom.Parse(read(t, "cyclonedx-1.4.json"))
	if err != nil {
		t.Fatal(err)
	}
	ix := vuln.NewIndex()
	for _, raw := range []string{
		`{"id":"GHSA-p6mc-m468-83gw","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2020-8203"],"affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"3.7.0"},{"fixed":"4.17.19"},{"introduced":"4.17.20"},{"fixed":"4.17.21"}]}]}]}`,
		`{"id":"GHSA-35jh-r3h4-6jhm","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2021-23337"],"affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}]}`,
		`{"id":"DSA-5585-1","modified":"2024-01-01T00:00:00Z","upstream":["CVE-2024-0727"],"affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.13-1~deb12u1"}]}]}]}`,
	} {
		o, err := vuln.ParseOSV([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		ix.Add(o)
	}
	matches := ix.Match(doc.Components)
	if len(matches) != 3 {
		t.Fatalf("Match found %d matches, want 3: %+v", len(matches), matches)
	}
	statements, err := sbom.ParseVEX(read(t, "cyclonedx-vex.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"DSA-5585-1":          "", // the statement names the openssl package (not libssl3) and says affected
		"GHSA-35jh-r3h4-6jhm": "CVE-2021-23337",
		"GHSA-p6mc-m468-83gw": "CVE-2020-8203",
	}
	for _, m := range matches {
		s, ok := vuln.Suppressed(m, statements)
		got := ""
		if ok {
			got = s.VulnID
		}
		if got != want[m.Advisory.ID] {
			t.Errorf("Suppressed(%s on %s) = %q, want %q", m.Advisory.ID, m.Component.PURL, got, want[m.Advisory.ID])
		}
	}
}
