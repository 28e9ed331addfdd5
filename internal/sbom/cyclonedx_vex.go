package sbom

import (
	"fmt"
	"net/url"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"trustmark"
)

// cdxStates maps CycloneDX impact analysis states to VEX statuses.
var cdxStates = map[cdx.ImpactAnalysisState]trustmark.VEXStatus{
	cdx.IASNotAffected:          trustmark.VEXNotAffected,
	cdx.IASFalsePositive:        trustmark.VEXNotAffected,
	cdx.IASResolved:             trustmark.VEXFixed,
	cdx.IASResolvedWithPedigree: trustmark.VEXFixed,
	cdx.IASExploitable:          trustmark.VEXAffected,
	cdx.IASInTriage:             trustmark.VEXUnderInvestigation,
}

// cdxJustifications maps CycloneDX justifications to the equivalent
// OpenVEX labels; the others are kept as CycloneDX spells them.
var cdxJustifications = map[cdx.ImpactAnalysisJustification]string{
	cdx.IAJCodeNotPresent:               "vulnerable_code_not_present",
	cdx.IAJCodeNotReachable:             "vulnerable_code_not_in_execute_path",
	cdx.IAJProtectedByCompiler:          "inline_mitigations_already_exist",
	cdx.IAJProtectedAtRuntime:           "inline_mitigations_already_exist",
	cdx.IAJProtectedAtPerimeter:         "inline_mitigations_already_exist",
	cdx.IAJProtectedByMitigatingControl: "inline_mitigations_already_exist",
	cdx.IAJRequiresConfiguration:        string(cdx.IAJRequiresConfiguration),
	cdx.IAJRequiresDependency:           string(cdx.IAJRequiresDependency),
	cdx.IAJRequiresEnvironment:          string(cdx.IAJRequiresEnvironment),
}

func fromCycloneDXVEX(bom *cdx.BOM) ([]trustmark.VEXStatement, error) {
	refs := map[string]string{} // bom-ref -> purl ("" when it has none)
	var walk func(comps *[]cdx.Component)
	walk = func(comps *[]cdx.Component) {
		if comps == nil {
			return
		}
		for _, c := range *comps {
			if c.BOMRef != "" {
				refs[c.BOMRef] = c.PackageURL
			}
			walk(c.Components)
		}
	}
	productRef := ""
	if md := bom.Metadata; md != nil && md.Component != nil {
		productRef = md.Component.BOMRef
		walk(md.Component.Components)
	}
	walk(bom.Components)

	if bom.Vulnerabilities == nil || len(*bom.Vulnerabilities) == 0 {
		return nil, vexFail(SourceCycloneDX, "the BOM has no vulnerabilities; a CycloneDX VEX lists vulnerabilities with an analysis")
	}
	var out []trustmark.VEXStatement
	for i, v := range *bom.Vulnerabilities {
		where := fmt.Sprintf("vulnerabilities[%d]", i)
		if v.Analysis == nil || v.Analysis.State == "" {
			continue // a finding, not a statement
		}
		id := strings.TrimSpace(v.ID)
		if id == "" {
			return nil, vexFail(SourceCycloneDX, "%s has no id", where)
		}
		where = fmt.Sprintf("%s (%s)", where, id)
		a := v.Analysis
		status, ok := cdxStates[a.State]
		if !ok {
			return nil, vexFail(SourceCycloneDX, "%s: analysis.state %q is not one of resolved, resolved_with_pedigree, exploitable, in_triage, false_positive, not_affected", where, a.State)
		}
		s := trustmark.VEXStatement{VulnID: id, Status: status, Statement: strings.TrimSpace(a.Detail), Source: SourceCycloneDX}
		if a.Justification != "" {
			j, ok := cdxJustifications[a.Justification]
			if !ok {
				return nil, vexFail(SourceCycloneDX, "%s: analysis.justification %q is not a CycloneDX justification", where, a.Justification)
			}
			s.Justification = j
		}
		if status == trustmark.VEXNotAffected && s.Justification == "" {
			switch {
			case a.State == cdx.IASFalsePositive:
				s.Justification = string(cdx.IASFalsePositive)
			case s.Statement != "":
				s.Justification = s.Statement
			default:
				return nil, vexFail(SourceCycloneDX, "%s is not_affected without an analysis.justification or analysis.detail", where)
			}
		}
		if s.Statement == "" && a.Response != nil && len(*a.Response) > 0 {
			var rs []string
			for _, r := range *a.Response {
				rs = append(rs, string(r))
			}
			s.Statement = "response: " + strings.Join(rs, ", ")
		}
		if v.Affects == nil || len(*v.Affects) == 0 {
			out = append(out, s)
			continue
		}
		for j, af := range *v.Affects {
			purl, err := resolveRef(af.Ref, refs, productRef)
			if err != nil {
				return nil, vexFail(SourceCycloneDX, "%s.affects[%d].ref %q %v", where, j, af.Ref, err)
			}
			s.ComponentPURL = purl
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, vexFail(SourceCycloneDX, "no vulnerability has an analysis.state; a CycloneDX VEX states each vulnerability's analysis")
	}
	return out, nil
}

// resolveRef turns an affects ref into a canonical package URL, or "" for
// the product itself.
func resolveRef(ref string, refs map[string]string, productRef string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", fmt.Errorf("is empty")
	}
	if ref == productRef {
		return "", nil
	}
	if strings.HasPrefix(ref, "urn:cdx:") { // a BOM-Link: urn:cdx:serial/version#bom-ref
		_, frag, ok := strings.Cut(ref, "#")
		if !ok {
			return "", fmt.Errorf("is a BOM-Link to a whole BOM, not to a component")
		}
		if f, err := url.PathUnescape(frag); err == nil {
			frag = f
		}
		ref = frag
		if ref == productRef {
			return "", nil
		}
	}
	purl, known := refs[ref]
	switch {
	case known && purl == "":
		return "", fmt.Errorf("names a component without a purl")
	case !known && strings.HasPrefix(strings.ToLower(ref), "pkg:"):
		purl = ref
	case !known:
		return "", fmt.Errorf("names no component of this BOM and is not a package URL")
	}
	canonical, _, _, err := ParsePURL(purl)
	if err != nil {
		return "", fmt.Errorf("gives a package URL that is not valid: %s", trustmark.PublicMessage(err))
	}
	return canonical, nil
}
