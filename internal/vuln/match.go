package vuln

import (
	"regexp"

	"github.com/package-url/packageurl-go"
	"slices"
	"strings"

	"trustmark"
)

// Match is one advisory affecting one component.
type Match struct {
	Advisory  *OSV
	Component trustmark.SoftwareComponent
	// FixedVersion is the lowest "fixed" version above the component's
	// version in the range that matched, "" if there is none (no fix yet,
	// or the range gives only last_affected).
	FixedVersion string
	Confidence   trustmark.Confidence
}

// Affects evaluates one advisory against one component by package key
// (see the package documentation for the rules): the component's key is
// its Ecosystem and Package, or else derived from its PURL; its version is
// Version, or else the PURL's. Each affected entry of the same package is
// tried in order: its explicit versions list (compared as normalised
// strings: "v" prefixes, case and build metadata ignored, trailing ".0"
// release segments ignored for PyPI and Maven), then each range: SEMVER
// ranges in semver order, ECOSYSTEM ranges with [Compare] in the entry's
// ecosystem, GIT ranges by commit hash only. The first entry that matches
// gives the Match, with [trustmark.ConfidencePURL].
func Affects(o *OSV, c trustmark.SoftwareComponent) (Match, bool) {
	if !o.Withdrawn.IsZero() {
		return Match{}, false
	}
	q := newQuery(c)
	if q == nil || !q.byKey() {
		return Match{}, false
	}
	for _, af := range o.Affected {
		e := &entry{}
		e.setPackage(af.Package)
		if !q.sameKey(e) {
			continue // compile only the entries about the component's package
		}
		e.compile(af, nil)
		if ok, fixed := e.affects(q, e.ranges); ok {
			return Match{Advisory: o, Component: c, FixedVersion: fixed, Confidence: trustmark.ConfidencePURL}, true
		}
	}
	return Match{}, false
}

// AffectsCPE matches a component by the vendor and product of its CPE
// against the CPEs the advisory names (see [OSV.CPEs]); it is meant for
// components without a package key in an OSV ecosystem. The component's
// version is Version, or else the CPE's version field. An affected entry
// applies when its own database_specific or ecosystem_specific names the
// vendor:product, or, if it names no CPE itself, when the record's
// database_specific does. The entry's versions list and ranges are then
// evaluated with the generic ordering ([CompareGeneric]; SEMVER ranges in
// semver order, GIT by commit); an entry without any, if the CPE names
// specific versions, matches those versions only, and otherwise matches
// every version (the advisory says nothing narrower). Confidence is
// [trustmark.ConfidenceCPE].
func AffectsCPE(o *OSV, c trustmark.SoftwareComponent) (Match, bool) {
	if !o.Withdrawn.IsZero() {
		return Match{}, false
	}
	q := newQuery(c)
	if q == nil || q.vp == "" || q.cpeVersion == "" {
		return Match{}, false
	}
	rec := compileRecord(o)
	for _, e := range rec.entries {
		if ok, fixed := e.affectsCPE(q); ok {
			return Match{Advisory: o, Component: c, FixedVersion: fixed, Confidence: trustmark.ConfidenceCPE}, true
		}
	}
	return Match{}, false
}

// query is a component prepared for matching, with its version parsed in
// each ordering on demand.
type query struct {
	c          trustmark.SoftwareComponent
	version    string // for package-key matching
	base       string // ecosystem base, "" when the key is a purl base
	release    string
	name       string
	purl       purlBase           // set when base == "" and the PURL parsed
	vp         string             // CPE vendor:product
	cpeVersion string             // for CPE matching
	parsed     map[string]version // by ordering and raw version; nil when it did not parse
}

func newQuery(c trustmark.SoftwareComponent) *query {
	q := &query{c: c, version: c.Version}
	key := trustmark.PackageKey{Ecosystem: c.Ecosystem, Name: c.Package}
	if typ, ok := strings.CutPrefix(key.Ecosystem, PURLKeyPrefix); ok {
		q.purl = purlBase{typ, key.Name}
		key = trustmark.PackageKey{}
	}
	if c.PURL != "" {
		if p, err := packageurl.FromString(c.PURL); err == nil {
			if q.version == "" {
				q.version = p.Version
			}
			if key.Ecosystem == "" {
				key = keyOf(p)
				if key.Ecosystem == "" {
					q.purl = purlBase{p.Type, joinName(p.Namespace, p.Name, "/")}
				}
			}
		}
	}
	if key.Ecosystem != "" {
		key = NormalizeKey(key)
		q.base, q.release = splitEcosystem(key.Ecosystem)
		q.name = key.Name
	}
	if c.CPE != "" {
		q.vp = trustmark.CPEVendorProduct(c.CPE)
		q.cpeVersion = c.Version
		if q.cpeVersion == "" {
			q.cpeVersion = cpeVersion(c.CPE)
		}
	}
	return q
}

// byKey reports whether the query can be matched by package key.
func (q *query) byKey() bool { return q.version != "" && (q.base != "" || q.purl.typ != "") }

// sameKey reports whether an affected entry is about the query's package.
func (q *query) sameKey(e *entry) bool {
	if q.base != "" {
		return e.base == q.base && e.name == q.name && releasesMatch(e.release, q.release)
	}
	return q.purl.typ != "" && e.purl == q.purl
}

// parse returns the query's version in an ordering, parsing it once.
func (q *query) parse(o ordering, raw string) (version, bool) {
	k := o.name + "\x00" + raw
	if v, ok := q.parsed[k]; ok {
		return v, v != nil
	}
	v, err := o.parse(raw)
	if err != nil {
		v = nil
	}
	if q.parsed == nil {
		q.parsed = map[string]version{}
	}
	q.parsed[k] = v
	return v, v != nil
}

// record is an advisory compiled for matching.
type record struct {
	osv     *OSV
	entries []*entry
}

// entry is one affected entry compiled for matching.
type entry struct {
	base, release, name string   // normalised key; base "" without a known ecosystem
	purl                purlBase // the package's purl base, if it has one
	order               ordering // the entry ecosystem's ordering
	versions            map[string]bool
	rawVersions         []string
	ranges              []*crange
	cpes                map[string][]string // vendor:product -> specific versions named
	cpeRanges           []*crange           // ranges in generic order, for CPE matching
}

// crange is a range with its events parsed and sorted.
type crange struct {
	typ    string
	order  ordering
	events []cevent // sorted by version; GIT: as given
	limit  version  // the greatest limit, nil if none
	bad    bool     // an event version did not parse: the range is skipped
}

type cevent struct {
	kind byte // 'i'ntroduced, 'f'ixed, 'l'ast_affected, 'L'imit
	raw  string
	v    version // nil for introduced "0" and GIT
}

func compileRecord(o *OSV) *record {
	rec := &record{osv: o}
	recordCPEs := cpeVersions(o.DatabaseSpecific)
	for _, af := range o.Affected {
		e := &entry{}
		e.setPackage(af.Package)
		e.compile(af, recordCPEs)
		rec.entries = append(rec.entries, e)
	}
	if len(o.Affected) == 0 && len(recordCPEs) > 0 {
		rec.entries = append(rec.entries, &entry{order: orderingOf(""), cpes: recordCPEs})
	}
	return rec
}

// setPackage sets the entry's key and ordering from its package.
func (e *entry) setPackage(p *Package) {
	e.order = orderingOf("")
	if p == nil {
		return
	}
	if knownEcosystem(p.Ecosystem) {
		k := NormalizeKey(trustmark.PackageKey{Ecosystem: p.Ecosystem, Name: p.Name})
		e.base, e.release = splitEcosystem(k.Ecosystem)
		e.name = k.Name
		e.order = orderingOf(k.Ecosystem)
	}
	if p.PURL != "" {
		e.purl, _, _ = parsePURLBase(p.PURL)
	}
}

// compile parses the entry's versions and ranges; recordCPEs are the
// record's CPEs, which apply when the entry names none itself.
func (e *entry) compile(af Affected, recordCPEs map[string][]string) {
	e.rawVersions = af.Versions
	if len(af.Versions) > 0 {
		e.versions = make(map[string]bool, len(af.Versions))
		for _, v := range af.Versions {
			e.versions[versionKey(e.base, v)] = true
		}
	}
	e.ranges = compileRanges(af.Ranges, e.order)
	e.cpes = cpeVersions(af.DatabaseSpecific, af.EcosystemSpecific)
	if len(e.cpes) == 0 {
		e.cpes = recordCPEs
	}
	if len(e.cpes) > 0 {
		e.cpeRanges = e.ranges
		if e.order.name != "" {
			e.cpeRanges = compileRanges(af.Ranges, orderingOf(""))
		}
	}
}

func compileRanges(ranges []Range, eco ordering) []*crange {
	out := make([]*crange, 0, len(ranges))
	for _, r := range ranges {
		cr := &crange{typ: r.Type}
		switch r.Type {
		case RangeSemver:
			cr.order = semverOrdering
		case RangeEcosystem:
			cr.order = eco
		case RangeGit:
		default:
			continue
		}
		for _, ev := range r.Events {
			var ce cevent
			switch {
			case ev.Introduced != "":
				ce = cevent{kind: 'i', raw: ev.Introduced}
			case ev.Fixed != "":
				ce = cevent{kind: 'f', raw: ev.Fixed}
			case ev.LastAffected != "":
				ce = cevent{kind: 'l', raw: ev.LastAffected}
			case ev.Limit != "":
				ce = cevent{kind: 'L', raw: ev.Limit}
			default:
				continue
			}
			if r.Type != RangeGit && !(ce.kind == 'i' && ce.raw == "0") && !(ce.kind == 'L' && ce.raw == "*") {
				v, err := cr.order.parse(ce.raw)
				if err != nil {
					cr.bad = true
					break
				}
				ce.v = v
			}
			if ce.kind == 'L' && r.Type != RangeGit {
				if ce.v != nil && (cr.limit == nil || ce.v.compare(cr.limit) > 0) {
					cr.limit = ce.v
				}
				continue
			}
			cr.events = append(cr.events, ce)
		}
		if r.Type != RangeGit && !cr.bad {
			// OSV evaluation: events in version order, introduced "0" first.
			slices.SortStableFunc(cr.events, func(a, b cevent) int {
				switch {
				case a.v == nil && b.v == nil:
					return 0
				case a.v == nil:
					return -1
				case b.v == nil:
					return 1
				}
				return a.v.compare(b.v)
			})
		}
		out = append(out, cr)
	}
	return out
}

// affects evaluates the entry's versions list and the given ranges.
func (e *entry) affects(q *query, ranges []*crange) (bool, string) {
	listed := e.versions[versionKey(e.base, q.version)]
	for _, r := range ranges {
		if ok, fixed := r.affects(q, q.version); ok {
			return true, fixed
		}
	}
	if listed {
		return true, e.lowestFixedAbove(q, ranges, q.version)
	}
	return false, ""
}

// affectsCPE evaluates the entry for a CPE-matched query.
func (e *entry) affectsCPE(q *query) (bool, string) {
	named, ok := e.cpes[q.vp]
	if !ok {
		return false, ""
	}
	if len(e.rawVersions) > 0 || len(e.cpeRanges) > 0 {
		listed := e.versions[versionKey("", q.cpeVersion)]
		for _, r := range e.cpeRanges {
			if ok, fixed := r.affects(q, q.cpeVersion); ok {
				return true, fixed
			}
		}
		if listed {
			return true, e.lowestFixedAbove(q, e.cpeRanges, q.cpeVersion)
		}
		return false, ""
	}
	if len(named) == 0 {
		return true, "" // the advisory names the product with no version limits
	}
	for _, v := range named {
		if n, err := CompareGeneric(v, q.cpeVersion); err == nil && n == 0 {
			return true, ""
		}
	}
	return false, ""
}

// lowestFixedAbove returns the lowest fixed version above raw in any range.
func (e *entry) lowestFixedAbove(q *query, ranges []*crange, raw string) string {
	var best version
	bestRaw := ""
	for _, r := range ranges {
		if r.typ == RangeGit || r.bad {
			continue
		}
		v, ok := q.parse(r.order, raw)
		if !ok {
			continue
		}
		for _, ev := range r.events {
			if ev.kind == 'f' && ev.v != nil && ev.v.compare(v) > 0 && (best == nil || ev.v.compare(best) < 0) {
				best, bestRaw = ev.v, ev.raw
			}
		}
	}
	return bestRaw
}

// affects applies the OSV evaluation algorithm to one range.
func (r *crange) affects(q *query, raw string) (bool, string) {
	if r.bad {
		return false, ""
	}
	if r.typ == RangeGit {
		return r.affectsCommit(raw), ""
	}
	v, ok := q.parse(r.order, raw)
	if !ok {
		return false, ""
	}
	affected := false
	for _, ev := range r.events {
		switch ev.kind {
		case 'i':
			if ev.v == nil || v.compare(ev.v) >= 0 {
				affected = true
			}
		case 'f':
			if v.compare(ev.v) >= 0 {
				affected = false
			}
		case 'l':
			if v.compare(ev.v) > 0 {
				affected = false
			}
		}
	}
	if !affected || (r.limit != nil && v.compare(r.limit) >= 0) {
		return false, ""
	}
	for _, ev := range r.events {
		if ev.kind == 'f' && ev.v.compare(v) > 0 {
			return true, ev.raw // events are sorted: the first is the lowest
		}
	}
	return true, ""
}

var commitHash = regexp.MustCompile(`^[0-9a-fA-F]{7,40}$`)

// affectsCommit judges a GIT range for a commit hash without history.
func (r *crange) affectsCommit(raw string) bool {
	if !commitHash.MatchString(raw) {
		return false
	}
	for _, ev := range r.events {
		if (ev.kind == 'f' || ev.kind == 'L') && sameCommit(ev.raw, raw) {
			return false
		}
	}
	for _, ev := range r.events {
		if (ev.kind == 'i' || ev.kind == 'l') && sameCommit(ev.raw, raw) {
			return true
		}
	}
	return false
}

// sameCommit compares commit hashes, allowing abbreviations of 7 or more.
func sameCommit(a, b string) bool {
	if len(a) < 7 || len(b) < 7 || !commitHash.MatchString(a) {
		return false
	}
	a, b = strings.ToLower(a), strings.ToLower(b)
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// versionKey normalises a version for the explicit versions list.
func versionKey(base, v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	switch base {
	case "PyPI", "Maven":
		v = strings.TrimPrefix(v, "v")
		// "1.0.0" == "1.0" == "1": drop trailing ".0" of the leading release.
		end := 0
		for end < len(v) && (isDigit(v[end]) || v[end] == '.') {
			end++
		}
		rel := strings.TrimRight(v[:end], ".")
		for strings.HasSuffix(rel, ".0") {
			rel = strings.TrimSuffix(rel, ".0")
		}
		v = rel + v[end:]
	case "Go", "npm", "crates.io", "Hex", "Pub", "SwiftURL", "NuGet", "Packagist", "":
		v = strings.TrimPrefix(v, "v")
		if i := strings.IndexByte(v, '+'); i > 0 {
			v = v[:i]
		}
	}
	return v
}

// cpeVersions collects, from JSON values, the CPE names they contain as
// vendor:product -> the specific versions they name (none for "*" or "-").
func cpeVersions(raws ...[]byte) map[string][]string {
	var out map[string][]string
	for _, raw := range raws {
		for _, c := range cpeNames(raw) {
			vp := trustmark.CPEVendorProduct(c)
			if vp == "" {
				continue
			}
			if out == nil {
				out = map[string][]string{}
			}
			v := cpeVersion(c)
			if v != "" && !slices.Contains(out[vp], v) {
				out[vp] = append(out[vp], v)
			} else if _, ok := out[vp]; !ok {
				out[vp] = nil
			}
		}
	}
	return out
}

// CPEVersion returns the version field of a CPE 2.3 formatted string or
// CPE 2.2 URI, "" when it is ANY ("*"), NA ("-"), empty or absent.
func CPEVersion(cpe string) string { return cpeVersion(cpe) }

// cpeVersion returns a CPE name's version field, "" when it is ANY or NA.
func cpeVersion(cpe string) string {
	fields := trustmark.CPEFields(cpe)
	if len(fields) < 4 {
		return ""
	}
	switch v := fields[3]; v {
	case "", "*", "-":
		return ""
	default:
		return v
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
