package criteria

// Obligation is the status of a requirement, written as in ETSI EN 303 645
// Annex B: mandatory, recommended, or either of them conditional.
type Obligation string

// The obligations a requirement can carry.
const (
	Mandatory              Obligation = "M"
	Recommended            Obligation = "R"
	MandatoryConditional   Obligation = "M C"
	RecommendedConditional Obligation = "R C"
)

// Valid reports whether o is one of the four obligations.
func (o Obligation) Valid() bool {
	switch o {
	case Mandatory, Recommended, MandatoryConditional, RecommendedConditional:
		return true
	}
	return false
}

// Mandatory reports whether o is M or M C.
func (o Obligation) Mandatory() bool { return o == Mandatory || o == MandatoryConditional }

// Conditional reports whether o is M C or R C.
func (o Obligation) Conditional() bool {
	return o == MandatoryConditional || o == RecommendedConditional
}

// Provenance statuses: how far a requirement or mapping entry was checked.
const (
	// VerifiedPrimary: read in the primary text (regulation, NIST or CSA site).
	VerifiedPrimary = "verified-primary"
	// VerifiedCopy: checked against a verbatim copy or quotation of the
	// primary text held by a third party.
	VerifiedCopy = "verified-copy"
	// Secondary: taken from secondary summaries only.
	Secondary = "secondary"
	// Unverified: background knowledge or trustmark analysis, not checked.
	Unverified = "unverified"
)

// Provenance says where a requirement or mapping entry was checked.
type Provenance struct {
	Status  string `json:"status"`
	Remarks string `json:"remarks,omitempty"`
}

func validProvenance(s string) bool {
	switch s {
	case VerifiedPrimary, VerifiedCopy, Secondary, Unverified:
		return true
	}
	return false
}

// Item is one listed element of a requirement's statement, such as 4a.i of
// NIST IR 8425.
type Item struct {
	Label string `json:"label"`
	Text  string `json:"text"`
}

// Requirement is a flattened view of one OSCAL control of a catalog.
type Requirement struct {
	// Catalog is the ID of the catalog holding the requirement.
	Catalog string `json:"catalog"`
	// ID is the requirement's label as the source writes it, e.g. "5.1-1",
	// "1a", "Sch1.1", "I.2(a)". Lookups accept it or ControlID.
	ID string `json:"id"`
	// ControlID is the OSCAL control id, e.g. "etsi-5.1-1".
	ControlID string `json:"control_id"`
	// Group is the label of the group (clause, capability, level, part).
	Group      string     `json:"group"`
	Title      string     `json:"title"`
	Statement  string     `json:"statement"`
	Items      []Item     `json:"items,omitempty"`
	Obligation Obligation `json:"obligation"`
	// Condition paraphrases when a conditional requirement applies.
	Condition  string     `json:"condition,omitempty"`
	Source     string     `json:"source"`
	Provenance Provenance `json:"provenance"`
	// ClaimNeed words what is missing when this requirement blocks a claim,
	// e.g. "a binary analysis by an approved lab".
	ClaimNeed string `json:"claim_need,omitempty"`
}
