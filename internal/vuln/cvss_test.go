package vuln_test

import (
	"encoding/json"
	"strings"
	"testing"

	"trustmark"
	"trustmark/internal/vuln"
)

func TestCVSS3Score(t *testing.T) {
	// Scores as computed by FIRST's CVSS v3.1 calculator.
	tests := []struct {
		vector string
		want   float64
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
		{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1}, // typical XSS
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5}, // typical DoS
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9}, // PR:L weighs more with scope changed
		{"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6}, // the lowest non-zero shapes
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0}, // no impact
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8}, // v3.0 prefix
		{"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8},
		{"CVSS:3.1/AC:L/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O", 9.8}, // order and temporal metrics do not matter
	}
	for _, tt := range tests {
		got, err := vuln.CVSS3Score(tt.vector)
		if err != nil || got != tt.want {
			t.Errorf("CVSS3Score(%s) = %v, %v; want %v", tt.vector, got, err, tt.want)
		}
	}
}

func TestCVSS3ScoreErrors(t *testing.T) {
	tests := []struct{ vector, wantInMessage string }{
		{"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "does not start with"},
		{"CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", "does not start with"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "base metric A is missing"},
		{"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV:X is not a valid value"},
		{"CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "given twice"},
		{"CVSS:3.1/AV:N/AC", "is not METRIC:VALUE"},
	}
	for _, tt := range tests {
		_, err := vuln.CVSS3Score(tt.vector)
		if err == nil || !strings.Contains(err.Error(), tt.wantInMessage) {
			t.Errorf("CVSS3Score(%s) error = %v, want one containing %q", tt.vector, err, tt.wantInMessage)
		}
	}
}

func TestCVSS4Approx(t *testing.T) {
	// Bands of FIRST's v4.0 scores: 9.3 critical, 6.9 medium, 5.3 medium, 1.9 low.
	tests := []struct {
		vector string
		want   trustmark.Severity
	}{
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", trustmark.SeverityCritical},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N", trustmark.SeverityMedium},
		{"CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", trustmark.SeverityLow},
	}
	for _, tt := range tests {
		score, err := vuln.CVSS4Approx(tt.vector)
		if err != nil || vuln.Band(score) != tt.want {
			t.Errorf("CVSS4Approx(%s) = %v (%s), %v; want band %s", tt.vector, score, vuln.Band(score), err, tt.want)
		}
	}
	if _, err := vuln.CVSS4Approx("CVSS:4.0/AV:N/AC:L"); err == nil {
		t.Error("CVSS4Approx of an incomplete vector: no error")
	}
}

func TestSeverityOf(t *testing.T) {
	tests := []struct {
		name     string
		severity []vuln.SeverityScore
		affected []vuln.SeverityScore
		db       string
		want     trustmark.Severity
	}{
		{"v3 critical", []vuln.SeverityScore{{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}, nil, "", trustmark.SeverityCritical},
		{"v3 wins over database severity", []vuln.SeverityScore{{"CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N"}}, nil, `{"severity":"CRITICAL"}`, trustmark.SeverityLow},
		{"highest v3", []vuln.SeverityScore{{"CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N"}, {"CVSS_V3", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}}, nil, "", trustmark.SeverityHigh},
		{"v3 on the affected entry", nil, []vuln.SeverityScore{{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}}, "", trustmark.SeverityHigh},
		{"v4 with database severity", []vuln.SeverityScore{{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}}, nil, `{"severity":"MODERATE"}`, trustmark.SeverityMedium},
		{"v4 approximated", []vuln.SeverityScore{{"CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}}, nil, "", trustmark.SeverityCritical},
		{"GHSA MODERATE", nil, nil, `{"severity":"MODERATE","cwe_ids":["CWE-79"]}`, trustmark.SeverityMedium},
		{"GHSA HIGH", nil, nil, `{"severity":"HIGH"}`, trustmark.SeverityHigh},
		{"Ubuntu word", []vuln.SeverityScore{{"Ubuntu", "negligible"}}, nil, "", trustmark.SeverityLow},
		{"invalid vector only", []vuln.SeverityScore{{"CVSS_V3", "CVSS:3.1/AV:Q"}}, nil, "", trustmark.SeverityUnknown},
		{"nothing", nil, nil, "", trustmark.SeverityUnknown},
	}
	for _, tt := range tests {
		o := &vuln.OSV{ID: "X", Severity: tt.severity}
		if tt.affected != nil {
			o.Affected = []vuln.Affected{{Severity: tt.affected}}
		}
		if tt.db != "" {
			o.DatabaseSpecific = json.RawMessage(tt.db)
		}
		if got := vuln.SeverityOf(o); got != tt.want {
			t.Errorf("%s: SeverityOf = %s, want %s", tt.name, got, tt.want)
		}
	}
}
