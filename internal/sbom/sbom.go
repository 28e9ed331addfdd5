package sbom

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"trustmark"
	"trustmark/internal/vuln"
)

// MaxSize is the largest document accepted, in bytes.
const MaxSize = 64 << 20

// MaxComponents is the most components a document may list (after
// flattening and merging duplicates).
const MaxComponents = 100_000

// maxListedWarnings caps the warnings of one kind that name an item.
const maxListedWarnings = 20

// Document is a parsed SBOM.
type Document struct {
	Format      trustmark.SBOMFormat
	SpecVersion string // "1.6" for CycloneDX, "SPDX-2.3" for SPDX
	// Name and Version are those of the described (primary) component:
	// CycloneDX metadata.component, or the one package an SPDX document
	// DESCRIBES (else the SPDX document's name). The primary component is
	// the product itself and is not among Components.
	Name, Version string
	Components    []trustmark.SoftwareComponent
	// Warnings say what the document lacks for matching, e.g. "3
	// components without a version ..." or "PURL pkg:... listed 2 times;
	// merged into one component". They are in a stable order.
	Warnings []string
}

// Parse detects the format of an SBOM and returns its components:
// CycloneDX JSON or XML (spec 1.2 to 1.7), SPDX 2.1–2.3 JSON or tag-value.
// SPDX 3 JSON-LD and SPDX RDF are recognised and refused (tools-golang
// v0.5 reads neither), as is anything else.
//
// Components: nested CycloneDX components (also those under
// metadata.component) are flattened; SPDX packages become components,
// files do not. Each component's PURL is normalised with [ParsePURL],
// which also sets Ecosystem and Package (left empty for package URL types
// OSV has no ecosystem for). When the PURL has a version it is the
// version used for matching (it is the precise identifier: a Debian purl
// carries the epoch), and a different version field gives a warning;
// otherwise the version field is used, or else the CPE's version.
// Components listed more than once
// (same PURL, or same name and version without PURL; see
// [trustmark.SoftwareComponent.Key]) are merged into the first, with a
// warning. Components without a version are kept (they cannot match
// version ranges; warning). CPEs that are not CPE 2.3 names or 2.2 URIs are
// dropped with a warning.
//
// Errors are *trustmark.Error of KindInvalid, with the detected format in
// front and a position where there is one, e.g.
//
//	cyclonedx-json: components[3].purl "pkg:npm" is not a valid package URL: ...
//	cyclonedx-json: invalid JSON at line 12, column 5: ...
//	spdx-json: the document has no documentNamespace (required by SPDX 2.3 §6.5)
//	not a CycloneDX or SPDX document: a JSON object without bomFormat or spdxVersion
//
// and for an empty document, one over MaxSize bytes (trustmark has no
// "too large" kind; the web layer's body cap answers 413 before this) or
// one listing more than MaxComponents components.
func Parse(data []byte) (*Document, error) {
	if len(data) > MaxSize {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "the document is %d bytes; at most %d (64 MiB) are accepted", len(data), MaxSize)
	}
	body := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "the document is empty")
	}
	switch trimmed[0] {
	case '{':
		return parseJSON(body)
	case '<':
		return parseXML(body)
	case '[':
		return nil, notSBOM("a JSON array, not an object")
	}
	if isTagValue(trimmed) {
		return parseSPDXTagValue(body)
	}
	return nil, notSBOM("neither JSON, XML nor SPDX tag-value (no SPDXVersion: line)")
}

func notSBOM(why string) error {
	return trustmark.Errorf(trustmark.KindInvalid, "not a CycloneDX or SPDX document: %s", why)
}

// jsonProbe reads the fields that tell the JSON formats apart.
type jsonProbe struct {
	BOMFormat   any `json:"bomFormat"`
	SpecVersion any `json:"specVersion"`
	SPDXVersion any `json:"spdxVersion"`
	Context     any `json:"@context"`
	Document    any `json:"document"`
}

func parseJSON(data []byte) (*Document, error) {
	var p jsonProbe
	if err := json.Unmarshal(data, &p); err != nil {
		what := "not a CycloneDX or SPDX document"
		switch {
		case bytes.Contains(data, []byte(`"bomFormat"`)):
			what = string(trustmark.SBOMCycloneDXJSON)
		case bytes.Contains(data, []byte(`"spdxVersion"`)):
			what = string(trustmark.SBOMSPDXJSON)
		}
		return nil, jsonError(what, data, err)
	}
	switch {
	case p.BOMFormat != nil:
		if s, _ := p.BOMFormat.(string); s != "CycloneDX" {
			return nil, notSBOM(fmt.Sprintf("bomFormat is %s, not \"CycloneDX\"", jsonValue(p.BOMFormat)))
		}
		return parseCycloneDXJSON(data, p.SpecVersion)
	case p.SPDXVersion != nil:
		return parseSPDXJSON(data, p.SPDXVersion)
	case mentions(p.Context, "spdx.org/rdf/3"):
		return nil, trustmark.Errorf(trustmark.KindInvalid, "spdx-json: SPDX 3 JSON-LD documents are not supported yet (the SPDX library reads SPDX 2.x); export SPDX 2.3 (JSON or tag-value) or CycloneDX")
	case mentions(p.Context, "openvex") || p.Document != nil:
		return nil, notSBOM("this looks like a VEX document; upload it as VEX")
	}
	return nil, notSBOM("a JSON object without bomFormat or spdxVersion")
}

// mentions reports whether a JSON value (a string or an array of them)
// contains s.
func mentions(v any, s string) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, s)
	case []any:
		for _, e := range x {
			if mentions(e, s) {
				return true
			}
		}
	}
	return false
}

// jsonValue renders a decoded JSON value for a message, shortened.
func jsonValue(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// jsonError turns a decoding error into KindInvalid with the position.
func jsonError(what string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
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
		return trustmark.Errorf(trustmark.KindInvalid, "%s: %s has the wrong type (JSON %s) at line %d, column %d", what, field, te.Value, line, col)
	}
	return trustmark.Errorf(trustmark.KindInvalid, "%s: %v", what, err)
}

// lineCol returns the 1-based line and column of the last byte read when
// a decoder stopped after offset bytes.
func lineCol(data []byte, offset int64) (line, col int) {
	pos := min(max(offset-1, 0), int64(len(data)))
	before := data[:pos]
	return bytes.Count(before, []byte("\n")) + 1, int(pos) - bytes.LastIndexByte(before, '\n')
}

func parseXML(data []byte) (*Document, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, trustmark.Errorf(trustmark.KindInvalid, "not a CycloneDX or SPDX document: invalid XML at line %d: %s", se.Line, se.Msg)
			}
			return nil, notSBOM("an XML document without a root element")
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case start.Name.Local == "bom" && strings.HasPrefix(start.Name.Space, "http://cyclonedx.org/schema/bom/"):
			return parseCycloneDXXML(data, strings.TrimPrefix(start.Name.Space, "http://cyclonedx.org/schema/bom/"))
		case start.Name.Local == "bom":
			return nil, trustmark.Errorf(trustmark.KindInvalid, "cyclonedx-xml: the bom element's namespace %q is not a CycloneDX namespace (http://cyclonedx.org/schema/bom/1.x)", start.Name.Space)
		case start.Name.Local == "RDF":
			return nil, trustmark.Errorf(trustmark.KindInvalid, "SPDX RDF/XML is not supported; export SPDX 2.3 (JSON or tag-value) or CycloneDX")
		}
		return nil, notSBOM(fmt.Sprintf("an XML document whose root element is <%s>", start.Name.Local))
	}
}

// isTagValue reports whether the text's first tag is SPDXVersion.
func isTagValue(data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		return strings.HasPrefix(line, "SPDXVersion:")
	}
	return false
}

// builder collects components, merging duplicates and counting what
// matching will miss.
type builder struct {
	format     trustmark.SBOMFormat
	comps      []trustmark.SoftwareComponent
	index      map[string]int // component key -> position
	dups       map[string]int // key -> times listed
	dupOrder   []string
	noVersion  int
	noID       int
	noDistro   int
	noEco      int
	notes      []string // per-item warnings, capped
	notesExtra int
}

func newBuilder(format trustmark.SBOMFormat) *builder {
	return &builder{format: format, index: map[string]int{}, dups: map[string]int{}}
}

// note records a warning about one item, up to maxListedWarnings of them.
func (b *builder) note(format string, args ...any) {
	if len(b.notes) < maxListedWarnings {
		b.notes = append(b.notes, fmt.Sprintf(format, args...))
	} else {
		b.notesExtra++
	}
}

// fail returns a KindInvalid error prefixed with the format.
func (b *builder) fail(format string, args ...any) error {
	return trustmark.Errorf(trustmark.KindInvalid, "%s: %s", b.format, fmt.Sprintf(format, args...))
}

// add adds one component found at path (e.g. "components[3]").
func (b *builder) add(path string, c trustmark.SoftwareComponent) error {
	c.Name = strings.TrimSpace(c.Name)
	c.Version = strings.TrimSpace(c.Version)
	c.PURL = strings.TrimSpace(c.PURL)
	c.CPE = strings.TrimSpace(c.CPE)
	if c.PURL != "" {
		canonical, key, version, err := ParsePURL(c.PURL)
		if err != nil {
			return b.fail("%s.purl %s", path, trustmark.PublicMessage(err))
		}
		c.PURL = canonical
		if key.Ecosystem != "" {
			c.Ecosystem, c.Package = key.Ecosystem, key.Name
			if (key.Ecosystem == "Debian" || key.Ecosystem == "Ubuntu" || key.Ecosystem == "Alpine") && (strings.HasPrefix(canonical, "pkg:deb/") || strings.HasPrefix(canonical, "pkg:apk/")) {
				b.noDistro++
			}
		} else if k, ok := vuln.PURLIndexKey(canonical); ok {
			c.Ecosystem, c.Package = k.Ecosystem, k.Name
			b.noEco++
		} else {
			b.noEco++
		}
		if version != "" {
			if c.Version != "" && c.Version != version {
				b.note("%s (%s): version %q differs from its PURL's version %q; the PURL's is used", path, c.Name, c.Version, version)
			}
			c.Version = version
		}
		if c.Name == "" {
			if _, n, ok := strings.Cut(canonical[len("pkg:"):], "/"); ok {
				n, _, _ = strings.Cut(n, "@")
				n, _, _ = strings.Cut(n, "?")
				c.Name = n
			}
		}
	}
	if c.Name == "" {
		return b.fail("%s has no name", path)
	}
	if c.CPE != "" && trustmark.CPEVendorProduct(c.CPE) == "" {
		b.note("%s (%s): cpe %q is not a CPE 2.3 name or CPE 2.2 URI with a vendor and product; ignored", path, c.Name, c.CPE)
		c.CPE = ""
	}
	if c.Version == "" && c.CPE != "" {
		c.Version = vuln.CPEVersion(c.CPE) // a CPE may carry the version the component lacks
	}
	key := c.Key()
	if i, ok := b.index[key]; ok {
		if b.dups[key] == 0 {
			b.dupOrder = append(b.dupOrder, key)
			b.dups[key] = 1
		}
		b.dups[key]++
		first := &b.comps[i]
		if first.CPE == "" {
			first.CPE = c.CPE
		}
		if first.Ref == "" {
			first.Ref = c.Ref
		}
		return nil
	}
	if len(b.comps) >= MaxComponents {
		return b.fail("the document lists more than %d components; at most %d are accepted", MaxComponents, MaxComponents)
	}
	b.index[key] = len(b.comps)
	b.comps = append(b.comps, c)
	if c.Version == "" {
		b.noVersion++
	}
	if c.PURL == "" && c.CPE == "" {
		b.noID++
	}
	return nil
}

// warnings returns the collected warnings in a stable order.
func (b *builder) warnings() []string {
	var w []string
	for i, key := range b.dupOrder {
		if i == maxListedWarnings {
			w = append(w, fmt.Sprintf("%d more components listed more than once; merged", len(b.dupOrder)-i))
			break
		}
		if strings.HasPrefix(key, "pkg:") {
			w = append(w, fmt.Sprintf("PURL %s listed %d times; merged into one component", key, b.dups[key]))
		} else {
			w = append(w, fmt.Sprintf("component %q listed %d times; merged into one component", key, b.dups[key]))
		}
	}
	if b.noVersion > 0 {
		w = append(w, fmt.Sprintf("%d %s without a version: %s be matched against version ranges", b.noVersion, plural(b.noVersion), cannot(b.noVersion)))
	}
	if b.noID > 0 {
		w = append(w, fmt.Sprintf("%d %s with neither a PURL nor a CPE: %s be matched against advisories", b.noID, plural(b.noID), cannot(b.noID)))
	}
	if b.noEco > 0 {
		w = append(w, fmt.Sprintf("%d %s with package URL types OSV has no ecosystem for (generic, rpm, ...): matched only by CPE or by advisories naming the same package URL", b.noEco, plural(b.noEco)))
	}
	if b.noDistro > 0 {
		w = append(w, fmt.Sprintf("%d deb or apk %s without a distro qualifier: checked against every release's advisories; add distro=debian-12 (for example) to avoid false positives", b.noDistro, plural(b.noDistro)))
	}
	w = append(w, b.notes...)
	if b.notesExtra > 0 {
		w = append(w, fmt.Sprintf("... and %d more warnings like the above", b.notesExtra))
	}
	return w
}

func cannot(n int) string {
	if n == 1 {
		return "it cannot"
	}
	return "they cannot"
}

func plural(n int) string {
	if n == 1 {
		return "component"
	}
	return "components"
}

// ParsePURL normalises a package URL and derives the OSV ecosystem and
// package name (and version) used for matching; see [vuln.ParsePURL] for
// the mapping of package URL types to OSV ecosystems, the Debian and
// Alpine releases taken from the distro qualifier, and the types OSV has no
// ecosystem for (key.Ecosystem ""). Errors: KindInvalid naming the package
// URL and the fault.
func ParsePURL(purl string) (canonical string, key trustmark.PackageKey, version string, err error) {
	return vuln.ParsePURL(purl)
}
