package sbom

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"trustmark"
)

// csafDoc is the part of a CSAF 2.0 document (OASIS CSAF v2.0, profile
// "VEX", §4.5) that VEX statements come from.
type csafDoc struct {
	Document struct {
		Category    string `json:"category"`
		CSAFVersion string `json:"csaf_version"`
		Title       string `json:"title"`
	} `json:"document"`
	ProductTree     *csafProductTree `json:"product_tree"`
	Vulnerabilities []csafVuln       `json:"vulnerabilities"`
}

type csafProductTree struct {
	Branches         []csafBranch       `json:"branches"`
	FullProductNames []csafProduct      `json:"full_product_names"`
	Relationships    []csafRelation     `json:"relationships"`
	ProductGroups    []csafProductGroup `json:"product_groups"`
}

type csafBranch struct {
	Category string       `json:"category"`
	Name     string       `json:"name"`
	Branches []csafBranch `json:"branches"`
	Product  *csafProduct `json:"product"`
}

type csafProduct struct {
	ProductID string `json:"product_id"`
	Name      string `json:"name"`
	Helper    *struct {
		PURL string `json:"purl"`
		CPE  string `json:"cpe"`
	} `json:"product_identification_helper"`
}

type csafRelation struct {
	Category         string      `json:"category"`
	ProductReference string      `json:"product_reference"`
	RelatesTo        string      `json:"relates_to_product_reference"`
	FullProductName  csafProduct `json:"full_product_name"`
}

type csafProductGroup struct {
	GroupID    string   `json:"group_id"`
	ProductIDs []string `json:"product_ids"`
}

// csafScoped is anything applying to products and product groups.
type csafScoped struct {
	ProductIDs []string `json:"product_ids"`
	GroupIDs   []string `json:"group_ids"`
}

type csafVuln struct {
	CVE string `json:"cve"`
	IDs []struct {
		SystemName string `json:"system_name"`
		Text       string `json:"text"`
	} `json:"ids"`
	ProductStatus map[string][]string `json:"product_status"`
	Flags         []struct {
		Label string `json:"label"`
		csafScoped
	} `json:"flags"`
	Threats []struct {
		Category string `json:"category"`
		Details  string `json:"details"`
		csafScoped
	} `json:"threats"`
	Remediations []struct {
		Category string `json:"category"`
		Details  string `json:"details"`
		csafScoped
	} `json:"remediations"`
}

// csafStatus maps one product_status list to a VEX status.
type csafStatus struct {
	list   string
	status trustmark.VEXStatus
}

// csafStatuses maps product_status lists to VEX statuses, in output order.
var csafStatuses = []csafStatus{
	{"known_not_affected", trustmark.VEXNotAffected},
	{"fixed", trustmark.VEXFixed},
	{"first_fixed", trustmark.VEXFixed},
	{"known_affected", trustmark.VEXAffected},
	{"first_affected", trustmark.VEXAffected},
	{"last_affected", trustmark.VEXAffected},
	{"under_investigation", trustmark.VEXUnderInvestigation},
}

// csafProductInfo is what a product ID resolves to.
type csafProductInfo struct {
	purl      string
	component bool // a relationship product: purl names its component
}

func parseCSAF(data []byte) ([]trustmark.VEXStatement, error) {
	var d csafDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, jsonError(SourceCSAF, data, err)
	}
	switch {
	case d.Document.Category == "":
		return nil, notVEX("a JSON object with a document but no document.category")
	case d.Document.Category != "csaf_vex":
		return nil, vexFail(SourceCSAF, "document.category is %q; only the VEX profile (csaf_vex) is accepted", d.Document.Category)
	case d.Document.CSAFVersion != "2.0" && d.Document.CSAFVersion != "2.1":
		return nil, vexFail(SourceCSAF, "document.csaf_version %q is not supported (2.0)", d.Document.CSAFVersion)
	case d.ProductTree == nil:
		return nil, vexFail(SourceCSAF, "the VEX profile requires a product_tree")
	case len(d.Vulnerabilities) == 0:
		return nil, vexFail(SourceCSAF, "the document has no vulnerabilities")
	}
	products := map[string]csafProductInfo{}
	var addBranches func(bs []csafBranch)
	addProduct := func(p csafProduct) {
		if p.ProductID == "" {
			return
		}
		info := csafProductInfo{}
		if p.Helper != nil {
			info.purl = p.Helper.PURL
		}
		products[p.ProductID] = info
	}
	addBranches = func(bs []csafBranch) {
		for _, b := range bs {
			if b.Product != nil {
				addProduct(*b.Product)
			}
			addBranches(b.Branches)
		}
	}
	addBranches(d.ProductTree.Branches)
	for _, p := range d.ProductTree.FullProductNames {
		addProduct(p)
	}
	for i, r := range d.ProductTree.Relationships {
		id := r.FullProductName.ProductID
		if id == "" {
			return nil, vexFail(SourceCSAF, "product_tree.relationships[%d].full_product_name has no product_id", i)
		}
		comp, ok := products[r.ProductReference]
		if !ok {
			return nil, vexFail(SourceCSAF, "product_tree.relationships[%d].product_reference %q is not a product of product_tree", i, r.ProductReference)
		}
		products[id] = csafProductInfo{purl: comp.purl, component: true}
	}
	groups := map[string][]string{}
	for _, g := range d.ProductTree.ProductGroups {
		groups[g.GroupID] = g.ProductIDs
	}
	applies := func(sc csafScoped, pid string) bool {
		if slices.Contains(sc.ProductIDs, pid) {
			return true
		}
		for _, g := range sc.GroupIDs {
			if slices.Contains(groups[g], pid) {
				return true
			}
		}
		return false
	}

	var out []trustmark.VEXStatement
	for i, v := range d.Vulnerabilities {
		where := fmt.Sprintf("vulnerabilities[%d]", i)
		id := strings.TrimSpace(v.CVE)
		if id == "" {
			for _, x := range v.IDs {
				if id = strings.TrimSpace(x.Text); id != "" {
					break
				}
			}
		}
		if id == "" {
			return nil, vexFail(SourceCSAF, "%s has neither a cve nor ids", where)
		}
		where = fmt.Sprintf("%s (%s)", where, id)
		for list := range v.ProductStatus {
			known := slices.ContainsFunc(csafStatuses, func(s csafStatus) bool { return s.list == list })
			if !known && list != "recommended" {
				return nil, vexFail(SourceCSAF, "%s.product_status.%s is not a CSAF product status", where, list)
			}
		}
		for _, st := range csafStatuses {
			for _, pid := range v.ProductStatus[st.list] {
				info, ok := products[pid]
				if !ok {
					return nil, vexFail(SourceCSAF, "%s.product_status.%s names product %q, which product_tree does not define", where, st.list, pid)
				}
				s := trustmark.VEXStatement{VulnID: id, Status: st.status, Source: SourceCSAF}
				switch {
				case info.component && info.purl == "":
					return nil, vexFail(SourceCSAF, "%s.product_status.%s: product %q is a component relationship whose product_reference has no product_identification_helper.purl", where, st.list, pid)
				case info.component:
					canonical, _, _, err := ParsePURL(info.purl)
					if err != nil {
						return nil, vexFail(SourceCSAF, "%s: product %q: purl %s", where, pid, trustmark.PublicMessage(err))
					}
					s.ComponentPURL = canonical
				default:
					s.ComponentPURL = componentPURL(info.purl)
				}
				for _, f := range v.Flags {
					if applies(f.csafScoped, pid) {
						s.Justification = f.Label
						break
					}
				}
				for _, t := range v.Threats {
					if t.Category == "impact" && applies(t.csafScoped, pid) {
						s.Statement = strings.TrimSpace(t.Details)
						break
					}
				}
				if st.status == trustmark.VEXNotAffected {
					switch {
					case s.Justification != "" && !justifications[s.Justification]:
						return nil, vexFail(SourceCSAF, "%s: flag label %q for product %q is not one of component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist", where, s.Justification, pid)
					case s.Justification == "" && s.Statement == "":
						return nil, vexFail(SourceCSAF, "%s: product %q is known_not_affected without a flag (justification) or an impact threat (CSAF 2.0 §4.5)", where, pid)
					case s.Justification == "":
						s.Justification = s.Statement
					}
				} else {
					s.Justification = ""
					if s.Statement == "" {
						for _, r := range v.Remediations {
							if applies(r.csafScoped, pid) {
								s.Statement = strings.TrimSpace(r.Category + ": " + r.Details)
								break
							}
						}
					}
				}
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return nil, vexFail(SourceCSAF, "no vulnerability has a product_status")
	}
	return out, nil
}
