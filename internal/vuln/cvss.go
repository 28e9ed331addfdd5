package vuln

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"trustmark"
)

// SeverityOf returns an advisory's qualitative severity, from the first of
// these that the record (or its affected entries) gives:
//
//  1. CVSS v3.0/v3.1 vectors: the highest base score, computed with
//     [CVSS3Score];
//  2. CVSS v4.0 vectors: database_specific.severity when present, else the
//     highest of [CVSS4Approx];
//  3. database_specific.severity, GitHub style (CRITICAL, HIGH, MODERATE
//     or MEDIUM, LOW);
//  4. an "Ubuntu" severity word (critical, high, medium, low, negligible);
//
// and [trustmark.SeverityUnknown] otherwise. Scores map to bands as CVSS
// does (9.0–10 critical, 7.0–8.9 high, 4.0–6.9 medium, below 4.0 low; the
// "none" band, 0.0, is reported as low).
func SeverityOf(o *OSV) trustmark.Severity {
	all := append([]SeverityScore(nil), o.Severity...)
	for _, a := range o.Affected {
		all = append(all, a.Severity...)
	}
	best := -1.0
	for _, s := range all {
		if s.Type == "CVSS_V3" {
			if score, err := CVSS3Score(s.Score); err == nil {
				best = math.Max(best, score)
			}
		}
	}
	if best >= 0 {
		return Band(best)
	}
	dbSeverity := databaseSeverity(o.DatabaseSpecific)
	for _, s := range all {
		if s.Type == "CVSS_V4" {
			if dbSeverity != "" {
				return dbSeverity
			}
			if score, err := CVSS4Approx(s.Score); err == nil {
				best = math.Max(best, score)
			}
		}
	}
	if best >= 0 {
		return Band(best)
	}
	if dbSeverity != "" {
		return dbSeverity
	}
	for _, s := range all {
		if s.Type == "Ubuntu" {
			if sev := severityWord(s.Score); sev != "" {
				return sev
			}
		}
	}
	return trustmark.SeverityUnknown
}

// databaseSeverity reads database_specific.severity.
func databaseSeverity(raw json.RawMessage) trustmark.Severity {
	var ds struct {
		Severity string `json:"severity"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &ds) != nil {
		return ""
	}
	return severityWord(ds.Severity)
}

func severityWord(s string) trustmark.Severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return trustmark.SeverityCritical
	case "high", "important":
		return trustmark.SeverityHigh
	case "moderate", "medium":
		return trustmark.SeverityMedium
	case "low", "negligible":
		return trustmark.SeverityLow
	}
	return ""
}

// Band maps a CVSS base score to its qualitative severity (CVSS v3.1
// specification §5): 9.0–10.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
// 0.1–3.9 low; 0.0 ("none") is reported as low.
func Band(score float64) trustmark.Severity {
	switch {
	case score >= 9.0:
		return trustmark.SeverityCritical
	case score >= 7.0:
		return trustmark.SeverityHigh
	case score >= 4.0:
		return trustmark.SeverityMedium
	}
	return trustmark.SeverityLow
}

// parseVector splits "CVSS:3.1/AV:N/..." into its prefix version and
// metrics, refusing repeated metrics.
func parseVector(vector, wantPrefix string) (map[string]string, error) {
	parts := strings.Split(strings.TrimSpace(vector), "/")
	if len(parts) < 2 || !strings.HasPrefix(parts[0], wantPrefix) {
		return nil, fmt.Errorf("CVSS vector %q does not start with %q", vector, wantPrefix)
	}
	m := map[string]string{}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, ":")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("CVSS vector %q: %q is not METRIC:VALUE", vector, p)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("CVSS vector %q: metric %s is given twice", vector, k)
		}
		m[k] = v
	}
	return m, nil
}

// metric looks up a metric's weight, with an error naming a missing
// metric or an unknown value.
func metric(vector string, m map[string]string, name string, weights map[string]float64) (float64, error) {
	v, ok := m[name]
	if !ok {
		return 0, fmt.Errorf("CVSS vector %q: base metric %s is missing", vector, name)
	}
	w, ok := weights[v]
	if !ok {
		return 0, fmt.Errorf("CVSS vector %q: %s:%s is not a valid value", vector, name, v)
	}
	return w, nil
}

// CVSS v3.1 base metric weights (specification §7.4).
var (
	cvssAV  = map[string]float64{"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
	cvssAC  = map[string]float64{"L": 0.77, "H": 0.44}
	cvssPRU = map[string]float64{"N": 0.85, "L": 0.62, "H": 0.27} // scope unchanged
	cvssPRC = map[string]float64{"N": 0.85, "L": 0.68, "H": 0.5}  // scope changed
	cvssUI  = map[string]float64{"N": 0.85, "R": 0.62}
	cvssCIA = map[string]float64{"H": 0.56, "L": 0.22, "N": 0}
	cvssS   = map[string]float64{"U": 0, "C": 1}
)

// CVSS3Score computes the base score of a CVSS v3.0 or v3.1 vector
// ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" is 9.8) with the formula
// of the CVSS v3.1 specification §7.1 and its Roundup (Appendix A; v3.0
// vectors are scored the same way, which differs from v3.0's own rounding
// only in the last decimal's floating-point edge cases). Temporal and
// environmental metrics in the vector are ignored. Errors name a missing
// base metric or an invalid value.
func CVSS3Score(vector string) (float64, error) {
	m, err := parseVector(vector, "CVSS:3.")
	if err != nil {
		return 0, err
	}
	s, err := metric(vector, m, "S", cvssS)
	if err != nil {
		return 0, err
	}
	changed := s == 1
	pr := cvssPRU
	if changed {
		pr = cvssPRC
	}
	var w [7]float64
	for i, mw := range []struct {
		name    string
		weights map[string]float64
	}{{"AV", cvssAV}, {"AC", cvssAC}, {"PR", pr}, {"UI", cvssUI}, {"C", cvssCIA}, {"I", cvssCIA}, {"A", cvssCIA}} {
		if w[i], err = metric(vector, m, mw.name, mw.weights); err != nil {
			return 0, err
		}
	}
	return cvss3Base(w[0], w[1], w[2], w[3], w[4], w[5], w[6], changed), nil
}

// cvss3Base is the v3.1 base score formula.
func cvss3Base(av, ac, pr, ui, c, i, a float64, changed bool) float64 {
	iss := 1 - (1-c)*(1-i)*(1-a)
	var impact float64
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	} else {
		impact = 6.42 * iss
	}
	if impact <= 0 {
		return 0
	}
	exploitability := 8.22 * av * ac * pr * ui
	if changed {
		return roundup(math.Min(1.08*(impact+exploitability), 10))
	}
	return roundup(math.Min(impact+exploitability, 10))
}

// roundup is CVSS v3.1 Appendix A's Roundup: the smallest number with one
// decimal that is equal to or higher than its input, computed on integers
// to avoid floating-point artefacts.
func roundup(x float64) float64 {
	n := int64(math.Round(x * 100000))
	if n%10000 == 0 {
		return float64(n) / 100000
	}
	return float64(n/10000+1) / 10
}

// CVSS v4.0 values used by the approximation.
var (
	cvss4AT = map[string]float64{"N": 1, "P": 0}
	cvss4UI = map[string]float64{"N": 0.85, "P": 0.62, "A": 0.62}
)

// CVSS4Approx approximates the base score of a CVSS v4.0 vector
// ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"). The
// v4.0 score is defined by a table of macro-vectors, not a formula; this
// applies the v3.1 formula to the v4 base metrics instead: AV and PR as in
// v3; attack complexity high if AC:H or AT:P; UI:P and UI:A as UI:R;
// confidentiality, integrity and availability each the higher of the
// vulnerable and the subsequent system's impact, with the scope changed
// when a subsequent system is impacted more than none. It is meant only to
// choose a severity band when an advisory gives nothing better; it is not
// a CVSS v4.0 score.
func CVSS4Approx(vector string) (float64, error) {
	m, err := parseVector(vector, "CVSS:4.")
	if err != nil {
		return 0, err
	}
	get := func(name string, weights map[string]float64) float64 {
		if err != nil {
			return 0
		}
		var w float64
		w, err = metric(vector, m, name, weights)
		return w
	}
	av, ac, at := get("AV", cvssAV), get("AC", cvssAC), get("AT", cvss4AT)
	ui := get("UI", cvss4UI)
	vc, vi, va := get("VC", cvssCIA), get("VI", cvssCIA), get("VA", cvssCIA)
	sc, si, sa := get("SC", cvssCIA), get("SI", cvssCIA), get("SA", cvssCIA)
	if err != nil {
		return 0, err
	}
	if at == 0 {
		ac = cvssAC["H"]
	}
	changed := sc > 0 || si > 0 || sa > 0
	pr := cvssPRU
	if changed {
		pr = cvssPRC
	}
	prw := get("PR", pr)
	if err != nil {
		return 0, err
	}
	return cvss3Base(av, ac, prw, ui, math.Max(vc, sc), math.Max(vi, si), math.Max(va, sa), changed), nil
}
