package sbom_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"trustmark"
	"trustmark/internal/sbom"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type comp = trustmark.SoftwareComponent

func TestParse(t *testing.T) {
	tests := []struct {
		file string
		want sbom.Document
	}{
		{"cyclonedx-1.4.json", sbom.Document{
			Format: trustmark.SBOMCycloneDXJSON, SpecVersion: "1.4", Name: "acme-cam-fw", Version: "2.1.0",
			Components: []comp{
				// Only a CPE: matched in the CPE class.
				{Ref: "c-busybox", Name: "busybox", Version: "1.36.1", CPE: "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"},
				// Qualifiers sorted; the source package from upstream=.
				{Ref: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=armhf&distro=debian-12&upstream=openssl&package-id=1", Name: "libssl3", Version: "3.0.11-1~deb12u2",
					PURL: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=armhf&distro=debian-12&upstream=openssl", Ecosystem: "Debian:12", Package: "openssl"},
				// Listed twice: merged, the second's CPE kept.
				{Ref: "c-lodash", Name: "lodash", Version: "4.17.20", PURL: "pkg:npm/lodash@4.17.20", CPE: "cpe:2.3:a:lodash:lodash:4.17.20:*:*:*:*:node.js:*:*", Ecosystem: "npm", Package: "lodash"},
				// Nested: flattened after its parent.
				{Ref: "c-lodash-merge", Name: "lodash.merge", Version: "4.6.1", PURL: "pkg:npm/lodash.merge@4.6.1", Ecosystem: "npm", Package: "lodash.merge"},
				// No version: kept.
				{Ref: "c-left-pad", Name: "left-pad", PURL: "pkg:npm/left-pad", Ecosystem: "npm", Package: "left-pad"},
				// A subpath is kept in the PURL.
				{Ref: "c-mux", Name: "github.com/gorilla/mux", Version: "v1.8.0", PURL: "pkg:golang/github.com/gorilla/mux@v1.8.0#middleware", Ecosystem: "Go", Package: "github.com/gorilla/mux"},
				// A generic PURL has no ecosystem; the CPE stays.
				{Ref: "c-zlib", Name: "zlib", Version: "1.2.13", PURL: "pkg:generic/zlib@1.2.13", CPE: "cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*", Ecosystem: "purl:generic", Package: "zlib"},
				{Ref: "c-blob", Name: "wifi-blob", Version: "7"},
				// The PURL's version wins over the version field.
				{Ref: "c-requests", Name: "requests", Version: "2.31.0", PURL: "pkg:pypi/requests@2.31.0", Ecosystem: "PyPI", Package: "requests"},
				// An invalid CPE is dropped.
				{Ref: "c-dropbear", Name: "dropbear", Version: "2022.83"},
			},
			Warnings: []string{
				"PURL pkg:npm/lodash@4.17.20 listed 2 times; merged into one component",
				"1 component without a version: it cannot be matched against version ranges",
				"2 components with neither a PURL nor a CPE: they cannot be matched against advisories",
				"1 component with package URL types OSV has no ecosystem for (generic, rpm, ...): matched only by CPE or by advisories naming the same package URL",
				`components[8] (requests): version "2.31" differs from its PURL's version "2.31.0"; the PURL's is used`,
				`components[9] (dropbear): cpe "dropbear 2022.83" is not a CPE 2.3 name or CPE 2.2 URI with a vendor and product; ignored`,
			},
		}},
		{"cyclonedx-1.5.json", sbom.Document{
			Format: trustmark.SBOMCycloneDXJSON, SpecVersion: "1.5", Name: "acme-hub", Version: "5.0",
			Components: []comp{
				{Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", Ecosystem: "Maven", Package: "org.apache.logging.log4j:log4j-core"},
				{Name: "log4j-api", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1", Ecosystem: "Maven", Package: "org.apache.logging.log4j:log4j-api"},
				{Name: "jansi", PURL: "pkg:maven/org.fusesource.jansi/jansi", Ecosystem: "Maven", Package: "org.fusesource.jansi:jansi"},
				{Name: "com.example/legacy-lib", Version: "0.9"},
				{Name: "alpine", Version: "3.19.1"},
				{Name: "musl", Version: "1.2.4_git20230717-r4", PURL: "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=aarch64&distro=alpine-3.19.1", Ecosystem: "Alpine:v3.19", Package: "musl"},
			},
			Warnings: []string{
				"1 component without a version: it cannot be matched against version ranges",
				"2 components with neither a PURL nor a CPE: they cannot be matched against advisories",
			},
		}},
		{"cyclonedx-1.6.json", sbom.Document{
			Format: trustmark.SBOMCycloneDXJSON, SpecVersion: "1.6", Name: "smart-thermostat", Version: "3.2.0",
			Components: []comp{
				// Sub-assemblies of the primary component come first.
				{Ref: "fw-main", Name: "main-fw", Version: "3.2.0"},
				{Ref: "lwip", Name: "lwip", Version: "2.1.3", PURL: "pkg:github/lwip-tcpip/lwip@2.1.3", CPE: "cpe:2.3:a:lwip_project:lwip:2.1.3:*:*:*:*:*:*:*", Ecosystem: "purl:github", Package: "lwip-tcpip/lwip"},
				{Ref: "mbedtls", Name: "mbedtls", Version: "3.5.1", PURL: "pkg:generic/mbedtls@3.5.1", Ecosystem: "purl:generic", Package: "mbedtls"},
				{Ref: "fw-radio", Name: "radio-fw", Version: "1.0.4"},
				{Ref: "serde", Name: "serde", Version: "1.0.197", PURL: "pkg:cargo/serde@1.0.197", Ecosystem: "crates.io", Package: "serde"},
				{Ref: "tokio", Name: "tokio", Version: "1.36.0", PURL: "pkg:cargo/tokio@1.36.0", Ecosystem: "crates.io", Package: "tokio"},
				{Ref: "cjson-1", Name: "cJSON", Version: "1.7.15"},
			},
			Warnings: []string{
				`component "cJSON@1.7.15" listed 2 times; merged into one component`,
				"PURL pkg:cargo/serde@1.0.197 listed 2 times; merged into one component",
				"3 components with neither a PURL nor a CPE: they cannot be matched against advisories",
				"2 components with package URL types OSV has no ecosystem for (generic, rpm, ...): matched only by CPE or by advisories naming the same package URL",
			},
		}},
		{"cyclonedx-1.6.xml", sbom.Document{
			Format: trustmark.SBOMCycloneDXXML, SpecVersion: "1.6", Name: "acme-router-fw", Version: "10.4.2",
			Components: []comp{
				{Ref: "openssl", Name: "openssl", Version: "1.1.1w", PURL: "pkg:generic/openssl@1.1.1w", CPE: "cpe:2.3:a:openssl:openssl:1.1.1w:*:*:*:*:*:*:*", Ecosystem: "purl:generic", Package: "openssl"},
				{Ref: "libcrypto", Name: "libcrypto", Version: "1.1.1w"},
				{Ref: "dnsmasq", Name: "dnsmasq", Version: "2.89-1", PURL: "pkg:deb/debian/dnsmasq@2.89-1?distro=bookworm", Ecosystem: "Debian:12", Package: "dnsmasq"},
				{Ref: "jq", Name: "jq", PURL: "pkg:deb/debian/jq", Ecosystem: "Debian", Package: "jq"},
			},
			Warnings: []string{
				"PURL pkg:deb/debian/dnsmasq@2.89-1?distro=bookworm listed 2 times; merged into one component",
				"1 component without a version: it cannot be matched against version ranges",
				"1 component with neither a PURL nor a CPE: it cannot be matched against advisories",
				"1 component with package URL types OSV has no ecosystem for (generic, rpm, ...): matched only by CPE or by advisories naming the same package URL",
				"1 deb or apk component without a distro qualifier: checked against every release's advisories; add distro=debian-12 (for example) to avoid false positives",
			},
		}},
		{"cyclonedx-1.4.xml", sbom.Document{
			Format: trustmark.SBOMCycloneDXXML, SpecVersion: "1.4",
			Components: []comp{{Name: "urllib3", Version: "1.26.5", PURL: "pkg:pypi/urllib3@1.26.5", Ecosystem: "PyPI", Package: "urllib3"}},
		}},
		{"spdx-2.3.json", sbom.Document{
			Format: trustmark.SBOMSPDXJSON, SpecVersion: "SPDX-2.3", Name: "acme-doorbell", Version: "4.0.1",
			Components: []comp{
				// PACKAGE_MANAGER (underscore) is read too; %2B decoded in the version.
				{Ref: "SPDXRef-Package-curl", Name: "curl", Version: "7.88.1-10+deb12u5", PURL: "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=arm64&distro=debian-12",
					CPE: "cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*", Ecosystem: "Debian:12", Package: "curl"},
				{Ref: "SPDXRef-Package-urllib3", Name: "urllib3", Version: "1.26.5", PURL: "pkg:pypi/urllib3@1.26.5", Ecosystem: "PyPI", Package: "urllib3"},
				{Ref: "SPDXRef-Package-uboot", Name: "u-boot", CPE: "cpe:2.3:a:denx:u-boot:*:*:*:*:*:*:*:*"},
				{Ref: "SPDXRef-Package-sensor-lib", Name: "sensor-lib", Version: "0.3"},
			},
			Warnings: []string{
				"PURL pkg:pypi/urllib3@1.26.5 listed 2 times; merged into one component",
				"1 component without a version: it cannot be matched against version ranges",
				"1 component with neither a PURL nor a CPE: it cannot be matched against advisories",
			},
		}},
		{"spdx-2.3.spdx", sbom.Document{
			Format: trustmark.SBOMSPDXTagValue, SpecVersion: "SPDX-2.3", Name: "acme-plug", Version: "1.2",
			Components: []comp{
				{Ref: "SPDXRef-npm-express", Name: "express", Version: "4.18.2", PURL: "pkg:npm/express@4.18.2", Ecosystem: "npm", Package: "express"},
				{Ref: "SPDXRef-npm-babel-traverse", Name: "@babel/traverse", Version: "7.23.0", PURL: "pkg:npm/%40babel/traverse@7.23.0", Ecosystem: "npm", Package: "@babel/traverse"},
				// The version comes from the CPE.
				{Ref: "SPDXRef-libcurl", Name: "libcurl", Version: "8.4.0", CPE: "cpe:2.3:a:haxx:libcurl:8.4.0:*:*:*:*:*:*:*"},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc, err := sbom.Parse(read(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, *doc); diff != "" {
				t.Errorf("Parse(%s) mismatch (-want +got):\n%s", tt.file, diff)
			}
			// What Parse returns, the stores accept.
			s := trustmark.SBOM{ProductID: "p", ProductVersion: "1", Format: doc.Format, SpecVersion: doc.SpecVersion,
				UploadedBy: "u", UploadedAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Document: read(t, tt.file), Components: doc.Components}
			if err := s.Prepare(); err != nil {
				t.Errorf("the parsed SBOM does not validate: %v", err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	good := read(t, "cyclonedx-1.6.json")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "the document is empty"},
		{"white space", []byte(" \n\t "), "the document is empty"},
		{"truncated JSON", good[:len(good)/2], "cyclonedx-json: the JSON ends early"},
		{"JSON syntax", []byte("{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"components\": [,]\n}"), "cyclonedx-json: invalid JSON at line 4, column 18"},
		{"wrong type", []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {"name": "x"}}`), "cyclonedx-json: components has the wrong type (JSON object) at line 1, column 64"},
		{"wrong specVersion", read(t, "cyclonedx-wrong-spec.json"), `cyclonedx-json: specVersion "2.0" is not supported (1.2 to 1.7)`},
		{"specVersion a number", []byte(`{"bomFormat": "CycloneDX", "specVersion": 1.6}`), `cyclonedx-json: specVersion 1.6 is not supported`},
		{"missing specVersion", []byte(`{"bomFormat": "CycloneDX"}`), "cyclonedx-json: specVersion is missing"},
		{"bad purl in a nested component", read(t, "cyclonedx-bad-purl.json"), `cyclonedx-json: components[3].components[0].purl "pkg:npm" is not a valid package URL: purl is missing type or name`},
		{"component without name", []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library", "version": "1"}]}`), "cyclonedx-json: components[0] has no name"},
		{"XML namespace of another version", []byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.1" version="1"/>`), "cyclonedx-xml: CycloneDX 1.1 is not supported (1.2 to 1.7)"},
		{"XML bom without namespace", []byte(`<bom version="1"/>`), `the bom element's namespace "" is not a CycloneDX namespace`},
		{"XML syntax", []byte("<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components><component type=\"library\"><name>x</name></components>\n</bom>"), "cyclonedx-xml: invalid XML at line 3"},
		{"XML of something else", []byte(`<project><modelVersion>4.0.0</modelVersion></project>`), "not a CycloneDX or SPDX document: an XML document whose root element is <project>"},
		{"SPDX missing namespace", read(t, "spdx-missing-namespace.json"), "spdx-json: the document has no documentNamespace (required by SPDX 2.3 §6.5)"},
		{"SPDX missing created", read(t, "spdx-missing-created.spdx"), "spdx-tag-value: the document has no Created (required by SPDX 2.3 §6.9)"},
		{"SPDX package without name", []byte(`{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "d", "documentNamespace": "https://x/y",
			"creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: x"]}, "packages": [{"SPDXID": "SPDXRef-a", "downloadLocation": "NOASSERTION"}]}`), "spdx-json: packages[0] (SPDXRef-a) has no name"},
		{"SPDX version", []byte(`{"spdxVersion": "SPDX-1.2", "name": "x"}`), `spdx-json: spdxVersion "SPDX-1.2" is not supported`},
		{"SPDX tag-value version", []byte("SPDXVersion: SPDX-3.0\nDataLicense: CC0-1.0\n"), `spdx-tag-value: SPDXVersion "SPDX-3.0" is not supported`},
		{"SPDX tag-value malformed line", []byte("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nthis line has no colon\n"), "spdx-tag-value: line 3: no colon found in 'this line has no colon'"},
		{"SPDX 3 JSON-LD", []byte(`{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}`), "spdx-json: SPDX 3 JSON-LD documents are not supported yet"},
		{"not an SBOM: package.json", read(t, "not-sbom.json"), "not a CycloneDX or SPDX document: a JSON object without bomFormat or spdxVersion"},
		{"not an SBOM: bomFormat", []byte(`{"bomFormat": "SWID"}`), `not a CycloneDX or SPDX document: bomFormat is "SWID", not "CycloneDX"`},
		{"not an SBOM: array", []byte(`[{"name": "x"}]`), "not a CycloneDX or SPDX document: a JSON array"},
		{"not an SBOM: text", []byte("lodash==4.17.21\nrequests==2.31.0\n"), "not a CycloneDX or SPDX document: neither JSON, XML nor SPDX tag-value"},
		{"a VEX document", []byte(`{"@context": "https://openvex.dev/ns/v0.2.0", "statements": []}`), "this looks like a VEX document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := sbom.Parse(tt.data)
			if doc != nil || !trustmark.IsKind(err, trustmark.KindInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse = %v, %v; want KindInvalid containing %q", doc, err, tt.want)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	// Over MaxSize: refused before any parsing, whatever the content.
	big := bytes.Repeat([]byte(" "), sbom.MaxSize+1)
	big[0] = '{'
	if _, err := sbom.Parse(big); !trustmark.IsKind(err, trustmark.KindInvalid) || !strings.Contains(err.Error(), "at most 67108864 (64 MiB) are accepted") {
		t.Errorf("Parse of %d bytes: %v, want KindInvalid naming the limit", len(big), err)
	}
	if _, err := sbom.ParseVEX(big); !trustmark.IsKind(err, trustmark.KindInvalid) {
		t.Errorf("ParseVEX of %d bytes: %v, want KindInvalid", len(big), err)
	}
	// A byte order mark is allowed.
	doc, err := sbom.Parse(append([]byte("\xef\xbb\xbf"), read(t, "cyclonedx-1.4.xml")...))
	if err != nil || len(doc.Components) != 1 {
		t.Errorf("Parse with a byte order mark = %v, %v", doc, err)
	}
}

func TestParsePURL(t *testing.T) {
	canonical, key, version, err := sbom.ParsePURL("pkg:deb/debian/openssl@3.0.11-1?distro=bookworm&arch=amd64")
	want := trustmark.PackageKey{Ecosystem: "Debian:12", Name: "openssl"}
	if err != nil || canonical != "pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=bookworm" || key != want || version != "3.0.11-1" {
		t.Errorf("ParsePURL = %q, %+v, %q, %v", canonical, key, version, err)
	}
	if _, _, _, err := sbom.ParsePURL("pkg:npm"); !trustmark.IsKind(err, trustmark.KindInvalid) {
		t.Errorf("ParsePURL(pkg:npm) error = %v, want KindInvalid", err)
	}
}
