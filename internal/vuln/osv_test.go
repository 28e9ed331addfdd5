package vuln_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"trustmark"
	"trustmark/internal/vuln"
)

func TestParseOSVAndAdvisory(t *testing.T) {
	raw, err := os.ReadFile("testdata/GHSA-p6mc-m468-83gw.json")
	if err != nil {
		t.Fatal(err)
	}
	o, err := vuln.ParseOSV(raw)
	if err != nil {
		t.Fatalf("ParseOSV: %v", err)
	}
	if o.ID != "GHSA-p6mc-m468-83gw" || len(o.Affected) != 5 || o.Affected[0].Ranges[0].Events[1].Fixed != "4.17.19" {
		t.Errorf("ParseOSV decoded %+v", o)
	}
	if want := time.Date(2024, 2, 16, 8, 11, 29, 123e6, time.UTC); !o.Modified.Equal(want) {
		t.Errorf("Modified = %v, want %v", o.Modified, want)
	}

	a := o.Advisory(raw)
	want := trustmark.Advisory{
		ID:       "GHSA-p6mc-m468-83gw",
		Aliases:  []string{"CVE-2020-8203"},
		Summary:  "Prototype Pollution in lodash",
		Severity: trustmark.SeverityHigh, // CVSS 3.1 base 7.4
		Modified: o.Modified,
		Packages: []trustmark.PackageKey{{Ecosystem: "npm", Name: "lodash"}, {Ecosystem: "npm", Name: "lodash.zipobjectdeep"}, {Ecosystem: "PyPI", Name: "lodash-py"}},
		CPEs:     []string{"lodash:lodash"},
	}
	if diff := cmp.Diff(want, a, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "OSV" }, cmp.Ignore())); diff != "" {
		t.Errorf("Advisory mismatch (-want +got):\n%s", diff)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.OSV, compact.Bytes()) {
		t.Errorf("Advisory.OSV is not the compacted record")
	}
	if err := a.Validate(); err != nil {
		t.Errorf("Advisory does not validate: %v", err)
	}
	// Without raw bytes, the record is re-marshalled and still parses.
	if again, err := vuln.ParseOSV(o.Advisory(nil).OSV); err != nil || again.ID != o.ID {
		t.Errorf("re-marshalled record: %v", err)
	}
}

func TestAdvisoryFallbacks(t *testing.T) {
	withdrawn := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	o := &vuln.OSV{ID: "DSA-1", Modified: withdrawn, Withdrawn: withdrawn,
		Details:  "\n  A long first line " + strings.Repeat("x", 300) + "\nsecond line",
		Affected: []vuln.Affected{{Package: &vuln.Package{Ecosystem: "debian:12", Name: "OpenSSL"}}, {Package: &vuln.Package{Ecosystem: "Debian", Name: "openssl"}}}}
	a := o.Advisory(nil)
	if a.Withdrawn == nil || !a.Withdrawn.Equal(withdrawn) {
		t.Errorf("Withdrawn = %v, want %v", a.Withdrawn, withdrawn)
	}
	if n := len([]rune(a.Summary)); n != 200 || !strings.HasPrefix(a.Summary, "A long first line") {
		t.Errorf("Summary = %q (%d runes), want the first line cut to 200", a.Summary, n)
	}
	if want := []trustmark.PackageKey{{Ecosystem: "Debian:12", Name: "openssl"}, {Ecosystem: "Debian", Name: "openssl"}}; !cmp.Equal(a.Packages, want) {
		t.Errorf("Packages = %v, want %v", a.Packages, want)
	}
	if a.Severity != trustmark.SeverityUnknown {
		t.Errorf("Severity = %s, want unknown", a.Severity)
	}
}

func TestParseOSVErrors(t *testing.T) {
	valid := `{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}`
	if _, err := vuln.ParseOSV([]byte(valid)); err != nil {
		t.Fatalf("valid record: %v", err)
	}
	twoIntroduced := `{"id":"GHSA-2","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"introduced":"2.0.0"}]}]}]}`
	if _, err := vuln.ParseOSV([]byte(twoIntroduced)); err != nil {
		t.Errorf("two introduced without a fix must be accepted: %v", err)
	}
	tests := []struct{ name, record, want string }{
		{"empty", ``, "the document is empty"},
		{"truncated", valid[:60], "the JSON ends early"},
		{"syntax", `{"id": "X", "modified": ]}`, "invalid JSON at line 1, column 25"},
		{"wrong type", `{"id": 42, "modified": "2024-01-01T00:00:00Z"}`, "id must be a string, not JSON number"},
		{"trailing data", valid + `{}`, "invalid JSON at line 1, column 183: invalid character '{' after top-level value"},
		{"missing id", `{"modified":"2024-01-01T00:00:00Z"}`, "OSV record: id is missing"},
		{"id with slash", `{"id":"../etc","modified":"2024-01-01T00:00:00Z"}`, "contains white space or a slash"},
		{"missing modified", `{"id":"GHSA-3"}`, `OSV record "GHSA-3": modified is missing`},
		{"bad modified", `{"id":"GHSA-3","modified":"01/02/2024"}`, `modified "01/02/2024" is not an RFC 3339 timestamp`},
		{"bad withdrawn", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","withdrawn":"yesterday"}`, `withdrawn "yesterday" is not an RFC 3339`},
		{"package without ecosystem", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"name":"x"}}]}`, "affected[0].package.ecosystem is missing"},
		{"package without name", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm"}}]}`, "affected[0].package.name is missing"},
		{"event with no field", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{}]}]}]}`, "affected[0].ranges[0].events[1] has none of introduced, fixed, last_affected, limit"},
		{"event with an empty version", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":""}]}]}]}`, "events[0] has none of"},
		{"event with two fields", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1.0.0"}]}]}]}`, "events[0] has more than one of"},
		{"no introduced", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"fixed":"1.0.0"}]}]}]}`, "affected[0].ranges[0] has no introduced event"},
		{"no events", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[]}]}]}`, "affected[0].ranges[0] has no events"},
		{"unknown range type", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVAR","events":[{"introduced":"0"}]}]}]}`, `affected[0].ranges[0].type "SEMVAR" is not SEMVER, ECOSYSTEM or GIT`},
		{"missing range type", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"events":[{"introduced":"0"}]}]}]}`, "affected[0].ranges[0].type is missing"},
		{"git without repo", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","affected":[{"ranges":[{"type":"GIT","events":[{"introduced":"0"}]}]}]}`, "is of type GIT but has no repo"},
		{"ecosystem range without package", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","affected":[{"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}`, "has no package to order versions by"},
		{"severity without score", `{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V3"}]}`, "severity[0] needs a type and a score"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vuln.ParseOSV([]byte(tt.record))
			if !trustmark.IsKind(err, trustmark.KindInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseOSV error = %v, want KindInvalid containing %q", err, tt.want)
			}
		})
	}
}
