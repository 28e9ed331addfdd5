package vuln_test

import (
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/vuln"
)

func TestSuppressed(t *testing.T) {
	adv := &vuln.OSV{ID: "GHSA-p6mc-m468-83gw", Aliases: []string{"CVE-2020-8203"}, Upstream: []string{"CVE-2020-9999"}}
	lodash := vuln.Match{Advisory: adv, Component: trustmark.SoftwareComponent{Name: "lodash", Version: "4.17.15",
		PURL: "pkg:npm/lodash@4.17.15?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Flodash%2Flodash", Ecosystem: "npm", Package: "lodash"}}
	noPURL := vuln.Match{Advisory: adv, Component: trustmark.SoftwareComponent{Name: "busybox", Version: "1.35.0", CPE: "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"}}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	st := func(vulnID, purl string, status trustmark.VEXStatus, at time.Time) trustmark.VEXStatement {
		return trustmark.VEXStatement{VulnID: vulnID, ComponentPURL: purl, Status: status, Justification: "vulnerable_code_not_in_execute_path", At: at}
	}
	tests := []struct {
		name       string
		match      vuln.Match
		statements []trustmark.VEXStatement
		want       int // index of the suppressing statement, -1 for none
	}{
		{"by advisory ID, whole product", lodash, []trustmark.VEXStatement{st("GHSA-p6mc-m468-83gw", "", trustmark.VEXNotAffected, t0)}, 0},
		{"by alias, any case", lodash, []trustmark.VEXStatement{st("cve-2020-8203", "", trustmark.VEXNotAffected, t0)}, 0},
		{"by upstream ID", lodash, []trustmark.VEXStatement{st("CVE-2020-9999", "", trustmark.VEXFixed, t0)}, 0},
		{"other vulnerability", lodash, []trustmark.VEXStatement{st("CVE-2021-23337", "", trustmark.VEXNotAffected, t0)}, -1},
		{"component PURL, qualifiers ignored", lodash, []trustmark.VEXStatement{st("CVE-2020-8203", "pkg:npm/lodash@4.17.15", trustmark.VEXNotAffected, t0)}, 0},
		{"component PURL without version", lodash, []trustmark.VEXStatement{st("CVE-2020-8203", "pkg:npm/lodash", trustmark.VEXNotAffected, t0)}, 0},
		{"component PURL, other version", lodash, []trustmark.VEXStatement{st("CVE-2020-8203", "pkg:npm/lodash@4.17.21", trustmark.VEXNotAffected, t0)}, -1},
		{"component PURL, other package", lodash, []trustmark.VEXStatement{st("CVE-2020-8203", "pkg:npm/lodash-es@4.17.15", trustmark.VEXNotAffected, t0)}, -1},
		{"affected does not suppress", lodash, []trustmark.VEXStatement{st("CVE-2020-8203", "", trustmark.VEXAffected, t0)}, -1},
		{"under investigation does not suppress", lodash, []trustmark.VEXStatement{st("CVE-2020-8203", "", trustmark.VEXUnderInvestigation, t0)}, -1},
		{"later affected re-opens", lodash, []trustmark.VEXStatement{st("CVE-2020-8203", "", trustmark.VEXNotAffected, t0), st("CVE-2020-8203", "", trustmark.VEXAffected, t0.Add(time.Hour))}, -1},
		{"later not_affected closes", lodash, []trustmark.VEXStatement{st("CVE-2020-8203", "", trustmark.VEXUnderInvestigation, t0), st("CVE-2020-8203", "", trustmark.VEXNotAffected, t0.Add(time.Hour))}, 1},
		{"latest by time, not by position", lodash, []trustmark.VEXStatement{st("CVE-2020-8203", "", trustmark.VEXFixed, t0.Add(time.Hour)), st("CVE-2020-8203", "", trustmark.VEXAffected, t0)}, 0},
		{"equal times: later in the list", lodash, []trustmark.VEXStatement{st("CVE-2020-8203", "", trustmark.VEXAffected, t0), st("CVE-2020-8203", "", trustmark.VEXFixed, t0)}, 1},
		{"component without PURL: product-wide only", noPURL, []trustmark.VEXStatement{st("CVE-2020-8203", "pkg:generic/busybox@1.35.0", trustmark.VEXNotAffected, t0), st("CVE-2020-8203", "", trustmark.VEXNotAffected, t0)}, 1},
		{"component without PURL: PURL statement ignored", noPURL, []trustmark.VEXStatement{st("CVE-2020-8203", "pkg:generic/busybox@1.35.0", trustmark.VEXNotAffected, t0)}, -1},
		{"no statements", lodash, nil, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := vuln.Suppressed(tt.match, tt.statements)
			if tt.want < 0 {
				if ok || got != nil {
					t.Errorf("Suppressed = %+v, %v; want nil, false", got, ok)
				}
				return
			}
			if !ok || got != &tt.statements[tt.want] {
				t.Errorf("Suppressed = %+v, %v; want statement %d", got, ok, tt.want)
			}
		})
	}
}
