package sbom

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"

	"trustmark"
)

// The VEX sources, as VEXStatement.Source spells them.
const (
	SourceOpenVEX   = "openvex"
	SourceCycloneDX = "cyclonedx"
	SourceCSAF      = "csaf"
)

// The justification labels of OpenVEX (spec v0.2.0, "Status
// Justifications"), which CSAF VEX flags share.
var justifications = map[string]bool{
	"component_not_present":                             true,
	"vulnerable_code_not_present":                       true,
	"vulnerable_code_not_in_execute_path":               true,
	"vulnerable_code_cannot_be_controlled_by_adversary": true,
	"inline_mitigations_already_exist":                  true,
}

// ParseVEX detects the VEX format of a document and returns its statements
// with VulnID, ComponentPURL, Status, Justification, Statement and Source
// set; the caller fills ProductID, Author and At. The document is taken to
// be about the product it is uploaded for.
//
//   - OpenVEX (JSON, "@context" https://openvex.dev/ns/...; v0.0.x and
//     v0.2.0): a statement's subcomponents name components (one statement
//     each, by their package URL). A product given by a package URL of a
//     type OSV has an ecosystem for (npm, pypi, golang, maven, deb, apk...)
//     names that component too; any other product identifier (a generic
//     package URL, a CPE, a URN, a name) stands for the uploaded product as
//     a whole (ComponentPURL ""). A not_affected statement must have a
//     justification or an impact statement; with only the latter, its text
//     is also taken as the justification.
//   - CycloneDX VEX (JSON or XML): every vulnerability with an
//     analysis.state gives one statement per affects[].ref, resolved to
//     the package URL of the component with that bom-ref (in this BOM),
//     or taken as a package URL itself (also after a BOM-Link's "#"); a ref
//     to metadata.component, or no affects, stands for the whole product.
//     States map: not_affected and false_positive -> not_affected,
//     resolved and resolved_with_pedigree -> fixed, exploitable ->
//     affected, in_triage -> under_investigation. Justifications map to
//     OpenVEX labels where one is equivalent (code_not_present ->
//     vulnerable_code_not_present, code_not_reachable ->
//     vulnerable_code_not_in_execute_path, protected_* ->
//     inline_mitigations_already_exist) and are kept as given otherwise;
//     a false_positive without one gets "false_positive"; a not_affected
//     needs a justification or an analysis.detail.
//   - CSAF 2.0 VEX (document.category "csaf_vex"): product_status lists
//     map known_not_affected -> not_affected, fixed and first_fixed ->
//     fixed, known_affected, first_affected and last_affected -> affected,
//     under_investigation -> under_investigation. Products are resolved
//     through product_tree (branches, full_product_names, relationships,
//     product_groups): a relationship product names its component
//     (product_reference), which must have a product_identification_helper
//     purl; other products follow the OpenVEX rule above. Justifications
//     come from flags, impact statements from threats of category
//     "impact"; a known_not_affected product needs one of them.
//
// Errors: *trustmark.Error of KindInvalid naming the format and the
// statement, for malformed documents, unknown statuses or justification
// labels, a not_affected statement without justification, a statement
// without a vulnerability, components that cannot be identified, and
// documents without statements.
func ParseVEX(data []byte) ([]trustmark.VEXStatement, error) {
	if len(data) > MaxSize {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "the document is %d bytes; at most %d (64 MiB) are accepted", len(data), MaxSize)
	}
	body := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "the VEX document is empty")
	}
	var stmts []trustmark.VEXStatement
	var err error
	switch trimmed[0] {
	case '{':
		stmts, err = parseVEXJSON(body)
	case '<':
		stmts, err = parseVEXXML(body)
	default:
		return nil, notVEX("neither JSON nor XML")
	}
	if err != nil {
		return nil, err
	}
	return dedupe(stmts), nil
}

func notVEX(why string) error {
	return trustmark.Errorf(trustmark.KindInvalid, "not an OpenVEX, CycloneDX VEX or CSAF VEX document: %s", why)
}

func parseVEXJSON(data []byte) ([]trustmark.VEXStatement, error) {
	var p jsonProbe
	if err := json.Unmarshal(data, &p); err != nil {
		what := "not an OpenVEX, CycloneDX VEX or CSAF VEX document"
		switch {
		case bytes.Contains(data, []byte("openvex")):
			what = SourceOpenVEX
		case bytes.Contains(data, []byte(`"bomFormat"`)):
			what = SourceCycloneDX
		case bytes.Contains(data, []byte(`"csaf_version"`)):
			what = SourceCSAF
		}
		return nil, jsonError(what, data, err)
	}
	switch {
	case mentions(p.Context, "openvex"):
		return parseOpenVEX(data)
	case p.BOMFormat != nil:
		if s, _ := p.BOMFormat.(string); s != "CycloneDX" {
			return nil, notVEX(fmt.Sprintf("bomFormat is %s, not \"CycloneDX\"", jsonValue(p.BOMFormat)))
		}
		if sv, ok := p.SpecVersion.(string); !ok || !cdxVersions[sv] {
			return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: specVersion %s is not supported (1.2 to 1.7)", SourceCycloneDX, jsonValue(p.SpecVersion))
		}
		bom, err := decodeCycloneDXJSON(data)
		if err != nil {
			return nil, relabel(err, string(trustmark.SBOMCycloneDXJSON), SourceCycloneDX)
		}
		return fromCycloneDXVEX(bom)
	case p.Document != nil:
		return parseCSAF(data)
	case p.SPDXVersion != nil:
		return nil, notVEX("this is an SPDX SBOM; SPDX 2 has no VEX")
	}
	return nil, notVEX("a JSON object without an OpenVEX @context, bomFormat or a CSAF document")
}

func parseVEXXML(data []byte) ([]trustmark.VEXStatement, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, notVEX(fmt.Sprintf("invalid XML at line %d: %s", se.Line, se.Msg))
			}
			return nil, notVEX("an XML document without a root element")
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		ns := start.Name.Space
		if start.Name.Local != "bom" || !strings.HasPrefix(ns, "http://cyclonedx.org/schema/bom/") {
			return nil, notVEX(fmt.Sprintf("an XML document whose root element is <%s> in namespace %q", start.Name.Local, ns))
		}
		if v := strings.TrimPrefix(ns, "http://cyclonedx.org/schema/bom/"); !cdxVersions[v] {
			return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: CycloneDX %s is not supported (1.2 to 1.7)", SourceCycloneDX, v)
		}
		bom, err := decodeCycloneDXXML(data)
		if err != nil {
			return nil, relabel(err, string(trustmark.SBOMCycloneDXXML), SourceCycloneDX)
		}
		return fromCycloneDXVEX(bom)
	}
}

// relabel replaces the format prefix of a KindInvalid message.
func relabel(err error, from, to string) error {
	var te *trustmark.Error
	if errors.As(err, &te) && strings.HasPrefix(te.Message, from+":") {
		return trustmark.Errorf(te.Kind, "%s (%s):%s", to, from, strings.TrimPrefix(te.Message, from+":"))
	}
	return err
}

// vexFail returns a KindInvalid error about one statement.
func vexFail(source, format string, args ...any) error {
	return trustmark.Errorf(trustmark.KindInvalid, "%s: %s", source, fmt.Sprintf(format, args...))
}

// componentPURL decides whether a product identifier names a component:
// a package URL of a type OSV has an ecosystem for. It returns the
// canonical package URL, or "" for the product as a whole.
func componentPURL(id string) string {
	if !strings.HasPrefix(strings.ToLower(id), "pkg:") {
		return ""
	}
	canonical, key, _, err := ParsePURL(id)
	if err != nil || key.Ecosystem == "" {
		return ""
	}
	return canonical
}

// dedupe drops repeated statements, keeping the last of each: later
// statements override earlier ones, so the order of the last ones counts.
func dedupe(stmts []trustmark.VEXStatement) []trustmark.VEXStatement {
	type k struct{ vuln, purl, status, justification, statement string }
	seen := map[k]bool{}
	var out []trustmark.VEXStatement
	for i := len(stmts) - 1; i >= 0; i-- {
		s := stmts[i]
		key := k{s.VulnID, s.ComponentPURL, string(s.Status), s.Justification, s.Statement}
		if !seen[key] {
			seen[key] = true
			out = append(out, s)
		}
	}
	slices.Reverse(out)
	return out
}
