package sbom

import (
	"encoding/json"
	"fmt"
	"strings"

	"trustmark"
)

// openVEXDoc is an OpenVEX document (spec v0.2.0, and the v0.0.x shape
// where vulnerability and products are plain strings).
type openVEXDoc struct {
	Context    json.RawMessage    `json:"@context"`
	ID         string             `json:"@id"`
	Author     string             `json:"author"`
	Statements []openVEXStatement `json:"statements"`
}

type openVEXStatement struct {
	Vulnerability   json.RawMessage   `json:"vulnerability"` // {"name": ...} or "CVE-..."
	Products        []json.RawMessage `json:"products"`      // objects or strings
	Subcomponents   []json.RawMessage `json:"subcomponents"` // v0.0.x: beside products
	Status          string            `json:"status"`
	Justification   string            `json:"justification"`
	ImpactStatement string            `json:"impact_statement"`
	ActionStatement string            `json:"action_statement"`
	StatusNotes     string            `json:"status_notes"`
}

// openVEXComponent is a product or subcomponent: "@id" and identifiers.
type openVEXComponent struct {
	ID            string            `json:"@id"`
	Identifiers   map[string]string `json:"identifiers"`
	Subcomponents []json.RawMessage `json:"subcomponents"`
}

// purl returns the component's package URL, if it gives one.
func (c openVEXComponent) purl() string {
	if p := c.Identifiers["purl"]; p != "" {
		return p
	}
	if strings.HasPrefix(strings.ToLower(c.ID), "pkg:") {
		return c.ID
	}
	return ""
}

// decodeComponent reads a product or subcomponent, an object or a string.
func decodeComponent(raw json.RawMessage) (openVEXComponent, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return openVEXComponent{ID: s}, nil
	}
	var c openVEXComponent
	err := json.Unmarshal(raw, &c)
	return c, err
}

func parseOpenVEX(data []byte) ([]trustmark.VEXStatement, error) {
	var d openVEXDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, jsonError(SourceOpenVEX, data, err)
	}
	if len(d.Statements) == 0 {
		return nil, vexFail(SourceOpenVEX, "the document has no statements")
	}
	var out []trustmark.VEXStatement
	for i, st := range d.Statements {
		where := fmt.Sprintf("statements[%d]", i)
		vulnID, err := openVEXVulnerability(st.Vulnerability)
		if err != nil {
			return nil, vexFail(SourceOpenVEX, "%s.vulnerability %v", where, err)
		}
		where = fmt.Sprintf("%s (%s)", where, vulnID)
		s := trustmark.VEXStatement{VulnID: vulnID, Status: trustmark.VEXStatus(st.Status), Source: SourceOpenVEX}
		switch s.Status {
		case trustmark.VEXNotAffected:
			s.Justification, s.Statement = st.Justification, st.ImpactStatement
			if s.Justification == "" {
				if strings.TrimSpace(st.ImpactStatement) == "" {
					return nil, vexFail(SourceOpenVEX, "%s is not_affected without a justification or an impact_statement", where)
				}
				s.Justification = st.ImpactStatement
			} else if !justifications[s.Justification] {
				return nil, vexFail(SourceOpenVEX, "%s: justification %q is not one of component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist", where, s.Justification)
			}
		case trustmark.VEXAffected:
			s.Statement = st.ActionStatement
		case trustmark.VEXFixed, trustmark.VEXUnderInvestigation:
		case "":
			return nil, vexFail(SourceOpenVEX, "%s has no status", where)
		default:
			return nil, vexFail(SourceOpenVEX, "%s: status %q is not one of not_affected, affected, fixed, under_investigation", where, st.Status)
		}
		if s.Statement == "" {
			s.Statement = st.StatusNotes
		}
		purls, err := openVEXComponents(st)
		if err != nil {
			return nil, vexFail(SourceOpenVEX, "%s.%v", where, err)
		}
		for _, p := range purls {
			s.ComponentPURL = p
			out = append(out, s)
		}
	}
	return out, nil
}

// openVEXVulnerability reads the vulnerability's name.
func openVEXVulnerability(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", fmt.Errorf("is missing")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.TrimSpace(s) == "" {
			return "", fmt.Errorf("is empty")
		}
		return strings.TrimSpace(s), nil
	}
	var v struct {
		Name string `json:"name"`
		ID   string `json:"@id"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", fmt.Errorf("must be a string or an object with a name")
	}
	if name := strings.TrimSpace(v.Name); name != "" {
		return name, nil
	}
	return "", fmt.Errorf("has no name")
}

// openVEXComponents returns the ComponentPURLs a statement is about: ""
// for the whole product, or components' package URLs.
func openVEXComponents(st openVEXStatement) ([]string, error) {
	var out []string
	subs := func(path string, raws []json.RawMessage) error {
		for j, raw := range raws {
			c, err := decodeComponent(raw)
			if err != nil {
				return fmt.Errorf("%s[%d] must be a string or an object with @id", path, j)
			}
			p := c.purl()
			if p == "" {
				return fmt.Errorf("%s[%d] %q has no package URL to identify the component by", path, j, c.ID)
			}
			canonical, _, _, err := ParsePURL(p)
			if err != nil {
				return fmt.Errorf("%s[%d]: %s", path, j, trustmark.PublicMessage(err))
			}
			out = append(out, canonical)
		}
		return nil
	}
	if err := subs("subcomponents", st.Subcomponents); err != nil {
		return nil, err
	}
	for i, raw := range st.Products {
		c, err := decodeComponent(raw)
		if err != nil {
			return nil, fmt.Errorf("products[%d] must be a string or an object with @id", i)
		}
		if len(c.Subcomponents) > 0 {
			if err := subs(fmt.Sprintf("products[%d].subcomponents", i), c.Subcomponents); err != nil {
				return nil, err
			}
			continue
		}
		if len(st.Subcomponents) == 0 {
			out = append(out, componentPURL(c.purl()))
		}
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out, nil
}
