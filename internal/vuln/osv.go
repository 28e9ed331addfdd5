package vuln

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"trustmark"
)

// OSV is an advisory per the OSV schema 1.6
// (https://ossf.github.io/osv-schema/). Unknown fields are ignored, so
// records of later schema versions still load.
type OSV struct {
	SchemaVersion    string          `json:"schema_version,omitempty"`
	ID               string          `json:"id"`
	Modified         time.Time       `json:"modified"`
	Published        time.Time       `json:"published,omitzero"`
	Withdrawn        time.Time       `json:"withdrawn,omitzero"` // zero unless withdrawn
	Aliases          []string        `json:"aliases,omitempty"`
	Upstream         []string        `json:"upstream,omitempty"`
	Related          []string        `json:"related,omitempty"`
	Summary          string          `json:"summary,omitempty"`
	Details          string          `json:"details,omitempty"`
	Severity         []SeverityScore `json:"severity,omitempty"`
	Affected         []Affected      `json:"affected,omitempty"`
	References       []Reference     `json:"references,omitempty"`
	Credits          []Credit        `json:"credits,omitempty"`
	DatabaseSpecific json.RawMessage `json:"database_specific,omitempty"`
}

// SeverityScore is one entry of a severity list: a type (CVSS_V2,
// CVSS_V3, CVSS_V4 or Ubuntu) and its score (a vector or a word).
type SeverityScore struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Affected is one affected package with its versions.
type Affected struct {
	Package           *Package        `json:"package,omitempty"`
	Severity          []SeverityScore `json:"severity,omitempty"`
	Ranges            []Range         `json:"ranges,omitempty"`
	Versions          []string        `json:"versions,omitempty"`
	EcosystemSpecific json.RawMessage `json:"ecosystem_specific,omitempty"`
	DatabaseSpecific  json.RawMessage `json:"database_specific,omitempty"`
}

// Package names a package in an OSV ecosystem, optionally by package URL.
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

// The range types of the OSV schema.
const (
	RangeSemver    = "SEMVER"
	RangeEcosystem = "ECOSYSTEM"
	RangeGit       = "GIT"
)

// Range is a list of version events of one ordering.
type Range struct {
	Type             string          `json:"type"`
	Repo             string          `json:"repo,omitempty"`
	Events           []Event         `json:"events"`
	DatabaseSpecific json.RawMessage `json:"database_specific,omitempty"`
}

// Event is one version event: exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Reference is a link about the vulnerability.
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Credit names someone credited for the advisory.
type Credit struct {
	Name    string   `json:"name"`
	Contact []string `json:"contact,omitempty"`
	Type    string   `json:"type,omitempty"`
}

// MaxRecordSize is the largest OSV record ParseOSV and Walk accept.
const MaxRecordSize = 64 << 20

// ParseOSV decodes and validates one OSV record. Errors are
// *trustmark.Error of KindInvalid naming the record (its id, when it has
// one) and the JSON path of the fault, for: malformed JSON (with line and
// column), a missing id or modified, timestamps that are not RFC 3339, an
// affected package without ecosystem or name, an unknown range type, a GIT
// range without repo, a range without events or without an "introduced"
// event, an event with none or more than one of introduced, fixed,
// last_affected and limit, an empty version in an event, and an ECOSYSTEM
// or SEMVER range without a package to order its versions by.
func ParseOSV(data []byte) (*OSV, error) {
	if len(data) > MaxRecordSize {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "OSV record is %d bytes; at most %d are accepted", len(data), MaxRecordSize)
	}
	type plain OSV
	var w struct {
		*plain
		Modified  *string `json:"modified"`
		Published *string `json:"published"`
		Withdrawn *string `json:"withdrawn"`
	}
	o := new(OSV)
	w.plain = (*plain)(o)
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, jsonError("OSV record", data, err)
	}
	what := "OSV record"
	if o.ID != "" {
		what = fmt.Sprintf("OSV record %q", o.ID)
	}
	fail := func(format string, args ...any) error {
		return trustmark.Errorf(trustmark.KindInvalid, "%s: %s", what, fmt.Sprintf(format, args...))
	}
	switch {
	case strings.TrimSpace(o.ID) == "":
		return nil, fail("id is missing")
	case strings.ContainsAny(o.ID, " \t\r\n/\\"):
		return nil, fail("id contains white space or a slash")
	case w.Modified == nil || *w.Modified == "":
		return nil, fail("modified is missing")
	}
	for _, t := range []struct {
		field string
		s     *string
		dst   *time.Time
	}{{"modified", w.Modified, &o.Modified}, {"published", w.Published, &o.Published}, {"withdrawn", w.Withdrawn, &o.Withdrawn}} {
		if t.s == nil || *t.s == "" {
			continue
		}
		ts, err := time.Parse(time.RFC3339, *t.s)
		if err != nil {
			return nil, fail("%s %q is not an RFC 3339 timestamp (e.g. 2024-01-31T12:00:00Z)", t.field, *t.s)
		}
		*t.dst = ts.UTC()
	}
	for i, a := range o.Affected {
		path := fmt.Sprintf("affected[%d]", i)
		if a.Package != nil {
			switch {
			case strings.TrimSpace(a.Package.Ecosystem) == "":
				return nil, fail("%s.package.ecosystem is missing", path)
			case strings.TrimSpace(a.Package.Name) == "":
				return nil, fail("%s.package.name is missing", path)
			}
		}
		for j, r := range a.Ranges {
			rpath := fmt.Sprintf("%s.ranges[%d]", path, j)
			switch r.Type {
			case RangeSemver, RangeEcosystem:
				if a.Package == nil {
					return nil, fail("%s is of type %s but %s has no package to order versions by", rpath, r.Type, path)
				}
			case RangeGit:
				if r.Repo == "" {
					return nil, fail("%s is of type GIT but has no repo", rpath)
				}
			case "":
				return nil, fail("%s.type is missing (SEMVER, ECOSYSTEM or GIT)", rpath)
			default:
				return nil, fail("%s.type %q is not SEMVER, ECOSYSTEM or GIT", rpath, r.Type)
			}
			if len(r.Events) == 0 {
				return nil, fail("%s has no events", rpath)
			}
			introduced := false
			for k, e := range r.Events {
				epath := fmt.Sprintf("%s.events[%d]", rpath, k)
				n := 0
				for _, f := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
					if f != "" {
						n++
					}
				}
				switch {
				case n == 0:
					return nil, fail("%s has none of introduced, fixed, last_affected, limit (or an empty version)", epath)
				case n > 1:
					return nil, fail("%s has more than one of introduced, fixed, last_affected, limit", epath)
				}
				introduced = introduced || e.Introduced != ""
			}
			if !introduced {
				return nil, fail("%s has no introduced event (use \"0\" for all versions before the fix)", rpath)
			}
		}
	}
	for i, s := range o.Severity {
		if s.Type == "" || s.Score == "" {
			return nil, fail("severity[%d] needs a type and a score", i)
		}
	}
	return o, nil
}

// jsonError turns a decoding error into a KindInvalid error naming what
// was decoded and where the fault is.
func jsonError(what string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return trustmark.Errorf(trustmark.KindInvalid, "%s: the document is empty", what)
	case errors.Is(err, io.ErrUnexpectedEOF) || (errors.As(err, &se) && se.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n")))):
		return trustmark.Errorf(trustmark.KindInvalid, "%s: the JSON ends early (truncated after %d bytes?)", what, len(data))
	case errors.As(err, &se):
		line, col := lineCol(data, se.Offset)
		return trustmark.Errorf(trustmark.KindInvalid, "%s: invalid JSON at line %d, column %d: %v", what, line, col, se)
	case errors.As(err, &te):
		line, col := lineCol(data, te.Offset)
		field := te.Field
		if field == "" {
			field = "the document"
		}
		return trustmark.Errorf(trustmark.KindInvalid, "%s: %s must be %s, not JSON %s (line %d, column %d)", what, field, jsonTypeName(te.Type.String()), te.Value, line, col)
	}
	return trustmark.Errorf(trustmark.KindInvalid, "%s: %v", what, err)
}

// jsonTypeName names a Go type as JSON would.
func jsonTypeName(t string) string {
	switch {
	case t == "string" || strings.HasSuffix(t, "Time"):
		return "a string"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map[") || strings.Contains(t, "."):
		return "an object"
	case t == "bool":
		return "true or false"
	}
	return "a number"
}

// lineCol returns the 1-based line and column of the last byte read when
// a decoder stopped after offset bytes.
func lineCol(data []byte, offset int64) (line, col int) {
	pos := min(max(offset-1, 0), int64(len(data)))
	before := data[:pos]
	return bytes.Count(before, []byte("\n")) + 1, int(pos) - bytes.LastIndexByte(before, '\n')
}

// Advisory converts the record to the form the stores keep. raw is the
// record as read; it is stored compacted (or o re-marshalled when raw is
// nil or not JSON). Packages are the normalised keys ([NormalizeKey]) of
// the affected packages whose ecosystem OSV defines, in order of
// appearance without duplicates, each key with a release followed by the
// key without it ({Debian:12 openssl} then {Debian openssl}), so that a
// store looking up a component's exact key also finds the advisories a
// component without a release (a deb package URL without distro) matches; CPEs are the vendor:product pairs of the
// CPE names in database_specific or ecosystem_specific (anywhere in them).
// The summary falls back to the first line of details (at most 200
// characters). Severity: see [SeverityOf].
func (o *OSV) Advisory(raw []byte) trustmark.Advisory {
	a := trustmark.Advisory{
		ID:       o.ID,
		Aliases:  o.Aliases,
		Summary:  o.summary(),
		Severity: SeverityOf(o),
		Modified: o.Modified,
		Packages: []trustmark.PackageKey{},
		CPEs:     o.CPEs(),
	}
	if !o.Withdrawn.IsZero() {
		w := o.Withdrawn
		a.Withdrawn = &w
	}
	seen := map[trustmark.PackageKey]bool{}
	for _, af := range o.Affected {
		if af.Package == nil {
			continue
		}
		// An entry naming a package URL of a type outside the OSV
		// ecosystems (pkg:generic, as OSS-Fuzz records of C libraries do)
		// is also indexed by it, so components with that package URL find it.
		if k, ok := PURLIndexKey(af.Package.PURL); ok && !seen[k] {
			seen[k] = true
			a.Packages = append(a.Packages, k)
		}
		if !knownEcosystem(af.Package.Ecosystem) {
			continue
		}
		k := NormalizeKey(trustmark.PackageKey{Ecosystem: af.Package.Ecosystem, Name: af.Package.Name})
		keys := []trustmark.PackageKey{k}
		if base, release := splitEcosystem(k.Ecosystem); release != "" {
			// Components that do not name their release match every
			// release's advisories; the base key lets a store find them.
			keys = append(keys, trustmark.PackageKey{Ecosystem: base, Name: k.Name})
		}
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				a.Packages = append(a.Packages, k)
			}
		}
	}
	var buf bytes.Buffer
	if raw != nil && json.Compact(&buf, raw) == nil {
		a.OSV = buf.Bytes()
	} else {
		a.OSV, _ = json.Marshal(o)
	}
	return a
}

func (o *OSV) summary() string {
	s := o.Summary
	if s == "" {
		s, _, _ = strings.Cut(strings.TrimSpace(o.Details), "\n")
	}
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}

// CPEs returns the vendor:product pairs of the CPE names the record gives
// anywhere in its own or its affected entries' database_specific and
// ecosystem_specific objects, sorted and without duplicates.
func (o *OSV) CPEs() []string {
	set := map[string]bool{}
	add := func(raw json.RawMessage) {
		for _, c := range cpeNames(raw) {
			if vp := trustmark.CPEVendorProduct(c); vp != "" {
				set[vp] = true
			}
		}
	}
	add(o.DatabaseSpecific)
	for _, af := range o.Affected {
		add(af.DatabaseSpecific)
		add(af.EcosystemSpecific)
	}
	return sortedKeys(set)
}

// cpeNames returns the strings in a JSON value that are CPE names ("cpe:2.3:"
// formatted strings or "cpe:/" URIs), searched to a bounded depth.
func cpeNames(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var out []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 8 {
			return
		}
		switch x := v.(type) {
		case string:
			if strings.HasPrefix(x, "cpe:2.3:") || strings.HasPrefix(x, "cpe:/") {
				out = append(out, x)
			}
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case map[string]any:
			for _, e := range x {
				walk(e, depth+1)
			}
		}
	}
	walk(v, 0)
	return out
}
