package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// CatalogInfo summarises a criteria catalog, the same JSON as the server's
// criteria.CatalogInfo.
type CatalogInfo struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	ShortTitle   string `json:"short_title"`
	Version      string `json:"version"`
	ClaimModel   string `json:"claim_model"`
	Groups       int    `json:"groups"`
	Requirements int    `json:"requirements"`
	Mandatory    int    `json:"mandatory"`
	Unverified   int    `json:"unverified"`
}

// MappingInfo summarises a mapping between two catalogs, the same JSON as
// the server's criteria.MappingInfo.
type MappingInfo struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Title string `json:"title"`
	Maps  int    `json:"maps"`
}

// Catalogs is the list of criteria catalogs and the mappings between them.
type Catalogs struct {
	Items    []CatalogInfo `json:"items"`
	Mappings []MappingInfo `json:"mappings"`
}

// Assessment is one assessment of a product against one catalog, the input
// of Evaluate; requirements without a result count as not tested.
type Assessment struct {
	Catalog string               `json:"catalog"`
	Results []RequirementOutcome `json:"results"`
}

// RequirementOutcome is the result recorded for one requirement: outcome
// pass, fail, not_applicable (which needs a justification) or not_tested.
type RequirementOutcome struct {
	Requirement   string `json:"requirement"`
	Outcome       string `json:"outcome"`
	Justification string `json:"justification,omitempty"`
}

// Result is what an assessment allows to be claimed under every scheme the
// mappings reach, the same JSON as the server's criteria.Result.
type Result struct {
	Catalog string `json:"catalog"`
	// Claims gathers every scheme's claims, assessed catalog first.
	Claims  []string       `json:"claims"`
	Schemes []SchemeResult `json:"schemes"`
	// Unreachable lists catalogs no chain of mappings connects to.
	Unreachable []string `json:"unreachable,omitempty"`
}

// SchemeResult says what one scheme (catalog) allows to be claimed.
type SchemeResult struct {
	Catalog    string `json:"catalog"`
	ShortTitle string `json:"short_title"`
	// Via is the chain of catalogs the evidence went through.
	Via []string `json:"via"`
	// Claimable is true when the scheme's claim can be made.
	Claimable              bool     `json:"claimable"`
	Level                  int      `json:"level,omitempty"`
	Mandatory              int      `json:"mandatory"`
	MandatorySatisfied     int      `json:"mandatory_satisfied"`
	MandatoryNotApplicable int      `json:"mandatory_not_applicable"`
	NotMet                 []string `json:"not_met,omitempty"`
	NoEvidence             []string `json:"no_evidence,omitempty"`
	Partial                []string `json:"partial,omitempty"`
	// Claims are one-line statements such as "UK PSTI: 3/3 met".
	Claims       []string            `json:"claims"`
	Caveats      []string            `json:"caveats,omitempty"`
	Requirements []RequirementResult `json:"requirements"`
}

// RequirementResult is the evaluated status of one requirement of a scheme:
// met, not_met, not_applicable, partial or no_evidence.
type RequirementResult struct {
	ID                string   `json:"id"`
	Title             string   `json:"title"`
	Mandatory         bool     `json:"mandatory"`
	Status            string   `json:"status"`
	Basis             string   `json:"basis"`
	Missing           []string `json:"missing,omitempty"`
	UnverifiedMapping bool     `json:"unverified_mapping,omitempty"`
}

// Catalogs lists the criteria catalogs and mappings (no token needed).
// GET /api/v1/catalogs.
func (c *Client) Catalogs(ctx context.Context) (*Catalogs, error) {
	return one[Catalogs](ctx, c, http.MethodGet, apiPath("catalogs"), nil)
}

// Catalog returns a criteria catalog as its OSCAL 1.1 JSON document.
// GET /api/v1/catalogs/{id}. Errors: NotFound.
func (c *Client) Catalog(ctx context.Context, id string) (json.RawMessage, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return c.raw(ctx, apiPath("catalogs", id))
}

// Mapping returns the mapping from one catalog's requirements to another's
// as its JSON document. GET /api/v1/mappings/{from}/{to}. Errors: NotFound.
func (c *Client) Mapping(ctx context.Context, from, to string) (json.RawMessage, error) {
	if err := need(from, to); err != nil {
		return nil, err
	}
	return c.raw(ctx, apiPath("mappings", from, to))
}

// Evaluate says what an assessment allows to be claimed under every scheme
// (the server reads and stores nothing). POST /api/v1/evaluate. Errors:
// Invalid (malformed body), RuleViolation (unknown catalog, or a result
// that cannot be evaluated; Field names the requirement).
func (c *Client) Evaluate(ctx context.Context, a Assessment) (*Result, error) {
	return one[Result](ctx, c, http.MethodPost, apiPath("evaluate"), a)
}
