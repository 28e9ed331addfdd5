package vuln

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"trustmark"
)

// This file generates synthetic but realistic OSV records and matching
// SBOM components, deterministically from a seed, for benchmarks and load
// tests (the records are valid OSV and pass ParseOSV).

// genEcosystem describes how one ecosystem's synthetic packages look.
type genEcosystem struct {
	eco       string // OSV ecosystem
	weight    int    // share of records, in percent
	rangeType string
	name      func(j int) string                // OSV package name of pool package j
	version   func(maj, min, patch int) string  // an OSV version string
	purl      func(name, version string) string // the component's package URL
	fixed     func(maj, min, patch int) string  // a fixed version
	compVer   func(osvVersion string) string    // the component's version for an OSV version
}

var genEcosystems = []genEcosystem{
	{eco: "npm", weight: 30, rangeType: RangeSemver,
		name: func(j int) string {
			if j%5 == 0 {
				return fmt.Sprintf("@scope%d/widget-%d", j%97, j)
			}
			return fmt.Sprintf("widget-%d", j)
		},
		purl: func(n, v string) string { return "pkg:npm/" + strings.Replace(n, "@", "%40", 1) + "@" + v }},
	{eco: "PyPI", weight: 15, rangeType: RangeEcosystem,
		name: func(j int) string { return fmt.Sprintf("Py_Lib.%d", j) },
		purl: func(n, v string) string { return "pkg:pypi/" + strings.ToLower(n) + "@" + v }},
	{eco: "Maven", weight: 15, rangeType: RangeEcosystem,
		name: func(j int) string { return fmt.Sprintf("org.example%d:artifact-%d", j%311, j) },
		purl: func(n, v string) string {
			g, a, _ := strings.Cut(n, ":")
			return "pkg:maven/" + g + "/" + a + "@" + v
		}},
	{eco: "Go", weight: 10, rangeType: RangeSemver,
		name:    func(j int) string { return fmt.Sprintf("github.com/example%d/mod%d", j%211, j) },
		purl:    func(n, v string) string { return "pkg:golang/" + n + "@" + v },
		compVer: func(v string) string { return "v" + v }},
	{eco: "crates.io", weight: 5, rangeType: RangeSemver,
		name: func(j int) string { return fmt.Sprintf("crate_%d", j) },
		purl: func(n, v string) string { return "pkg:cargo/" + n + "@" + v }},
	{eco: "Debian:12", weight: 10, rangeType: RangeEcosystem,
		name:    func(j int) string { return fmt.Sprintf("libthing%d", j) },
		version: func(a, b, c int) string { return fmt.Sprintf("%d.%d.%d-1", a, b, c) },
		fixed:   func(a, b, c int) string { return fmt.Sprintf("%d.%d.%d-1+deb12u1", a, b, c) },
		purl: func(n, v string) string {
			return "pkg:deb/debian/" + n + "@" + v + "?arch=amd64&distro=debian-12"
		}},
	{eco: "Alpine:v3.19", weight: 5, rangeType: RangeEcosystem,
		name:    func(j int) string { return fmt.Sprintf("apkthing%d", j) },
		version: func(a, b, c int) string { return fmt.Sprintf("%d.%d.%d-r0", a, b, c) },
		fixed:   func(a, b, c int) string { return fmt.Sprintf("%d.%d.%d-r1", a, b, c) },
		purl: func(n, v string) string {
			return "pkg:apk/alpine/" + n + "@" + v + "?arch=x86_64&distro=alpine-3.19.1"
		}},
	{eco: "RubyGems", weight: 5, rangeType: RangeEcosystem,
		name: func(j int) string { return fmt.Sprintf("gem%d", j) },
		purl: func(n, v string) string { return "pkg:gem/" + n + "@" + v }},
	{eco: "NuGet", weight: 5, rangeType: RangeEcosystem,
		name: func(j int) string { return fmt.Sprintf("Example.Pkg%d", j) },
		purl: func(n, v string) string { return "pkg:nuget/" + n + "@" + v }},
}

func (g genEcosystem) ver(a, b, c int) string {
	if g.version != nil {
		return g.version(a, b, c)
	}
	return fmt.Sprintf("%d.%d.%d", a, b, c)
}

func (g genEcosystem) fix(a, b, c int) string {
	if g.fixed != nil {
		return g.fixed(a, b, c)
	}
	return g.ver(a, b, c)
}

func (g genEcosystem) componentVersion(v string) string {
	if g.compVer != nil {
		return g.compVer(v)
	}
	return v
}

// genCVSS are the CVSS v3.1 vectors records draw from.
var genCVSS = []string{
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
	"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
	"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
	"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N",
	"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
}

var (
	genFlaws   = []string{"Prototype pollution", "Cross-site scripting", "Path traversal", "Denial of service", "Heap buffer overflow", "SQL injection", "Improper certificate validation", "Regular expression denial of service", "Use after free", "Command injection"}
	genEffects = []string{"remote code execution", "disclosure of sensitive data", "a crash", "privilege escalation", "bypass of authentication", "arbitrary file writes"}
	genGHSA    = "23456789cfghjmpqrvwx"
)

// genSpec is the part of a record that components are derived from.
type genSpec struct {
	eco     genEcosystem
	pkg     int    // pool index of the package
	first   string // a version inside the first range (affected)
	patched string // a version above every range
}

// poolSize is how many distinct packages an ecosystem's records share:
// about four advisories per package, as in the OSV data.
func poolSize(n int, g genEcosystem) int { return max(4, n/4*g.weight/100) }

func genRNG(seed int64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(i)*0x9e3779b97f4a7c15+1))
}

func pickEcosystem(r *rand.Rand) genEcosystem {
	x := r.IntN(100)
	for _, g := range genEcosystems {
		if x < g.weight {
			return g
		}
		x -= g.weight
	}
	return genEcosystems[0]
}

// genRecord builds record i of n.
func genRecord(seed int64, i, n int) (*OSV, genSpec) {
	r := genRNG(seed, i)
	g := pickEcosystem(r)
	spec := genSpec{eco: g, pkg: r.IntN(poolSize(n, g))}
	o := &OSV{SchemaVersion: "1.6.0", ID: genID(r, i)}
	year := 2016 + r.IntN(9)
	o.Aliases = []string{fmt.Sprintf("CVE-%d-%d", year, 10000+i)}
	pub := time.Date(year, time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), 0, 0, time.UTC)
	o.Published = pub
	o.Modified = pub.Add(time.Duration(r.IntN(400*24)) * time.Hour)
	flaw, effect := genFlaws[r.IntN(len(genFlaws))], genEffects[r.IntN(len(genEffects))]
	name := g.name(spec.pkg)
	o.Summary = fmt.Sprintf("%s in %s", flaw, name)
	o.Details = fmt.Sprintf("%s in %s allows a remote attacker to cause %s via crafted input. "+
		"Versions before the fixed release are affected; upgrade to the fixed version. "+
		"The issue was reported through coordinated disclosure and fixed upstream.", flaw, name, effect)
	sev := []string{"LOW", "MODERATE", "HIGH", "CRITICAL"}[r.IntN(4)]
	if r.IntN(10) < 7 {
		o.Severity = []SeverityScore{{Type: "CVSS_V3", Score: genCVSS[r.IntN(len(genCVSS))]}}
	}
	o.DatabaseSpecific = json.RawMessage(fmt.Sprintf(`{"severity":%q,"cwe_ids":["CWE-%d"],"github_reviewed":true}`, sev, 20+r.IntN(900)))

	// The first range: introduced "0" or a major release; fixed, last
	// affected, or (rarely) no fix yet; sometimes a second branch.
	maj := 1 + r.IntN(5)
	var events []Event
	introMaj := 0
	if r.IntN(10) < 4 {
		introMaj = maj
		events = append(events, Event{Introduced: g.ver(maj, 0, 0)})
		spec.first = g.ver(maj, 0, 0)
	} else {
		events = append(events, Event{Introduced: "0"})
		spec.first = g.ver(0, 1, 0)
	}
	fmin, fpatch := r.IntN(20), 1+r.IntN(30)
	switch x := r.IntN(100); {
	case x < 85:
		events = append(events, Event{Fixed: g.fix(maj, fmin, fpatch)})
	case x < 98:
		events = append(events, Event{LastAffected: g.ver(maj, fmin, fpatch-1)})
	}
	if r.IntN(100) < 15 { // a second branch, fixed separately
		m2 := maj + 1 + r.IntN(2)
		events = append(events, Event{Introduced: g.ver(m2, 0, 0)}, Event{Fixed: g.fix(m2, r.IntN(10), 1+r.IntN(10))})
	}
	if r.IntN(100) < 10 { // unsorted events, as some databases write them
		r.Shuffle(len(events), func(a, b int) { events[a], events[b] = events[b], events[a] })
	}
	af := Affected{
		Package: &Package{Ecosystem: g.eco, Name: name},
		Ranges:  []Range{{Type: g.rangeType, Events: events}},
	}
	if r.IntN(100) < 30 && (introMaj == 0 || fmin > 0) { // an explicit versions list, as OSV.dev enumerates
		for k := range 3 + r.IntN(6) {
			af.Versions = append(af.Versions, g.ver(introMaj, 0, k))
		}
	}
	o.Affected = []Affected{af}
	if r.IntN(100) < 10 { // a second package of the same ecosystem
		j := r.IntN(poolSize(n, g))
		o.Affected = append(o.Affected, Affected{
			Package: &Package{Ecosystem: g.eco, Name: g.name(j)},
			Ranges:  []Range{{Type: g.rangeType, Events: []Event{{Introduced: "0"}, {Fixed: g.fix(1+r.IntN(5), r.IntN(10), 1+r.IntN(10))}}}},
		})
	}
	o.References = []Reference{
		{Type: "ADVISORY", URL: "https://nvd.nist.gov/vuln/detail/" + o.Aliases[0]},
		{Type: "WEB", URL: fmt.Sprintf("https://example.org/%s/issues/%d", strings.ReplaceAll(name, "/", "-"), 100+r.IntN(5000))},
	}
	spec.patched = g.fix(99, 0, 0)
	return o, spec
}

// genID is a GitHub-advisory-like ID, unique per index.
func genID(r *rand.Rand, i int) string {
	var b strings.Builder
	b.WriteString("GHSA-")
	for k, x := 0, i; k < 4 || x > 0; k++ {
		if k == 4 {
			b.WriteByte('x') // beyond 20^4 records: an extension keeps IDs unique
		}
		b.WriteByte(genGHSA[x%20])
		x /= 20
	}
	for _, part := range []int{4, 4} {
		b.WriteByte('-')
		for range part {
			b.WriteByte(genGHSA[r.IntN(20)])
		}
	}
	return b.String()
}

// Generate returns n synthetic OSV records (JSON, one per element),
// deterministic for a seed: ecosystems mixed like OSV's (npm 30%, PyPI,
// Maven 15% each, Go, Debian:12 10% each, crates.io, Alpine:v3.19,
// RubyGems, NuGet 5% each), about four advisories per package, SEMVER or
// ECOSYSTEM ranges with introduced "0" or a major version, fixed (85%),
// last_affected (13%) or no fix (2%), a second branch (15%), unsorted events
// (10%), explicit versions lists (30%), a second package (10%), CVSS v3.1
// vectors (70%) and GitHub-style database_specific severities.
func Generate(seed int64, n int) [][]byte {
	out := make([][]byte, n)
	for i := range n {
		o, _ := genRecord(seed, i, n)
		out[i], _ = json.Marshal(o)
	}
	return out
}

// GenerateComponents returns n components to match against
// Generate(seed, records): 6% are packages at a version an advisory's
// first range affects (at its "introduced" boundary or below its first
// fix), 18% are packages with advisories at a version above every fix
// (they are looked up and evaluated but match only advisories without a
// fix), and the rest are packages no advisory names; about 7–8% hit. PURL, Ecosystem and
// Package are set as sbom.Parse would set them.
func GenerateComponents(seed int64, n, records int) []trustmark.SoftwareComponent {
	r := genRNG(seed^0x5eed, n)
	out := make([]trustmark.SoftwareComponent, 0, n)
	seen := map[string]bool{}
	for len(out) < n {
		k := len(out)
		x := r.IntN(100)
		var name, purl, ver string
		switch {
		case x < 24 && records > 0:
			_, spec := genRecord(seed, r.IntN(records), records)
			name = spec.eco.name(spec.pkg)
			ver = spec.patched
			if x < 6 {
				ver = spec.first
			}
			ver = spec.eco.componentVersion(ver)
			purl = spec.eco.purl(name, ver)
		default:
			g := pickEcosystem(r)
			name = fmt.Sprintf("unrelated-%d", k)
			if g.eco == "Maven" {
				name = fmt.Sprintf("org.unrelated:lib-%d", k)
			}
			ver = g.componentVersion(g.ver(1+r.IntN(9), r.IntN(20), r.IntN(20)))
			purl = g.purl(name, ver)
		}
		canonical, key, _, err := ParsePURL(purl)
		if err != nil || seen[canonical] {
			continue // a package drawn twice: SBOMs list each once
		}
		seen[canonical] = true
		c := trustmark.SoftwareComponent{Ref: fmt.Sprintf("comp-%d", k), Name: name, Version: ver, PURL: canonical}
		if key.Ecosystem != "" {
			c.Ecosystem, c.Package = key.Ecosystem, key.Name
		}
		out = append(out, c)
	}
	return out
}

// GenerateSBOM writes components as a CycloneDX 1.6 JSON document
// describing a synthetic firmware image.
func GenerateSBOM(components []trustmark.SoftwareComponent) []byte {
	type comp struct {
		Type    string `json:"type"`
		BOMRef  string `json:"bom-ref,omitempty"`
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
		PURL    string `json:"purl,omitempty"`
		CPE     string `json:"cpe,omitempty"`
	}
	doc := struct {
		BOMFormat    string `json:"bomFormat"`
		SpecVersion  string `json:"specVersion"`
		SerialNumber string `json:"serialNumber"`
		Version      int    `json:"version"`
		Metadata     struct {
			Timestamp string `json:"timestamp"`
			Component comp   `json:"component"`
		} `json:"metadata"`
		Components []comp `json:"components"`
	}{BOMFormat: "CycloneDX", SpecVersion: "1.6", SerialNumber: "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", Version: 1}
	doc.Metadata.Timestamp = "2025-01-01T00:00:00Z"
	doc.Metadata.Component = comp{Type: "firmware", BOMRef: "device", Name: "synthetic-camera-firmware", Version: "1.0.0"}
	for _, c := range components {
		doc.Components = append(doc.Components, comp{Type: "library", BOMRef: c.Ref, Name: c.Name, Version: c.Version, PURL: c.PURL, CPE: c.CPE})
	}
	out, _ := json.MarshalIndent(doc, "", "  ")
	return out
}
