package trustmark

import "time"

// This file holds post-market vulnerability monitoring (8.208(c)(7)): the
// software bills of materials manufacturers keep for their products, the
// advisories they are matched against, the manufacturers' VEX statements and
// the alerts that remain. SBOM contents are confidential: the manufacturer,
// its CLA, its lab and the regulator may read them; the registry shows only
// that one is maintained (8.222(b)(10)).

// SBOMFormat names the document format an SBOM was uploaded in.
type SBOMFormat string

// The SBOM formats accepted.
const (
	SBOMCycloneDXJSON SBOMFormat = "cyclonedx-json"
	SBOMCycloneDXXML  SBOMFormat = "cyclonedx-xml"
	SBOMSPDXJSON      SBOMFormat = "spdx-json"
	SBOMSPDXTagValue  SBOMFormat = "spdx-tag-value"
)

// SoftwareComponent is one software component an SBOM lists, with the identifiers
// matching uses. Ecosystem and Package are the OSV ecosystem and package name
// derived from PURL ("" when the PURL is missing or of a type OSV does not
// know); a component with only a CPE is matched in a separate,
// lower-confidence class.
type SoftwareComponent struct {
	Ref       string `json:"ref,omitempty"` // bom-ref or SPDXID within the document
	Name      string `json:"name"`
	Version   string `json:"version,omitempty"`
	PURL      string `json:"purl,omitempty"` // canonical package URL
	CPE       string `json:"cpe,omitempty"`  // CPE 2.3 name
	Ecosystem string `json:"ecosystem,omitempty"`
	Package   string `json:"package,omitempty"`
}

// SBOM is one bill of materials for one version of a product.
type SBOM struct {
	ID             string              `json:"id"`
	ProductID      string              `json:"product_id"`
	ProductVersion string              `json:"product_version"` // the firmware or software version it describes
	Format         SBOMFormat          `json:"format"`
	SpecVersion    string              `json:"spec_version"` // e.g. "1.6" or "SPDX-2.3"
	SHA256         string              `json:"sha256"`       // of the document as uploaded
	Size           int                 `json:"size"`
	UploadedBy     string              `json:"uploaded_by"` // the actor
	UploadedAt     time.Time           `json:"uploaded_at"`
	Components     []SoftwareComponent `json:"components,omitempty"`
	// Document is the uploaded document; stores keep it apart and return it
	// only from SBOMDocument.
	Document []byte `json:"-"`
}

// Advisory is one vulnerability advisory in OSV form, as stored: the
// identifiers it is indexed by and the OSV JSON that matching evaluates.
type Advisory struct {
	ID        string     `json:"id"` // the OSV id, e.g. "GHSA-…" or "DSA-…"
	Aliases   []string   `json:"aliases,omitempty"`
	Summary   string     `json:"summary,omitempty"`
	Severity  Severity   `json:"severity"`
	Modified  time.Time  `json:"modified"`
	Withdrawn *time.Time `json:"withdrawn,omitempty"`
	// Packages lists the (ecosystem, package) pairs the advisory affects; the
	// store indexes them so only affected components are re-matched.
	Packages []PackageKey `json:"packages"`
	// CPEs lists the CPE 2.3 names (vendor:product) it names, if any.
	CPEs []string `json:"cpes,omitempty"`
	// OSV is the advisory's OSV JSON document.
	OSV []byte `json:"-"`
}

// PackageKey is one package in one OSV ecosystem.
type PackageKey struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
}

// Severity is an advisory's or alert's qualitative severity.
type Severity string

// The severities, from CVSS v3/v4 base score bands (unknown when none is given).
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityUnknown  Severity = "unknown"
)

// VEXStatus is a VEX statement's status, in OpenVEX terms (CycloneDX and CSAF
// statuses are mapped to them).
type VEXStatus string

// The VEX statuses.
const (
	VEXNotAffected        VEXStatus = "not_affected"
	VEXAffected           VEXStatus = "affected"
	VEXFixed              VEXStatus = "fixed"
	VEXUnderInvestigation VEXStatus = "under_investigation"
)

// Suppresses reports whether a statement with this status closes a finding.
func (s VEXStatus) Suppresses() bool { return s == VEXNotAffected || s == VEXFixed }

// VEXStatement is a manufacturer's statement about one vulnerability in one
// product (optionally narrowed to one component by PURL).
type VEXStatement struct {
	ID            string    `json:"id"`
	ProductID     string    `json:"product_id"`
	VulnID        string    `json:"vulnerability"` // an advisory ID or one of its aliases
	ComponentPURL string    `json:"component_purl,omitempty"`
	Status        VEXStatus `json:"status"`
	Justification string    `json:"justification,omitempty"` // required for not_affected
	Statement     string    `json:"statement,omitempty"`
	Source        string    `json:"source"` // openvex, cyclonedx or csaf
	Author        string    `json:"author"` // who said so: the actor who uploaded it
	At            time.Time `json:"at"`
}

// AlertState is where a vulnerability alert stands.
type AlertState string

// The alert states.
const (
	AlertOpen       AlertState = "open"
	AlertSuppressed AlertState = "suppressed" // a VEX statement says not affected or fixed
	AlertResolved   AlertState = "resolved"   // a newer SBOM no longer matches, or the advisory was withdrawn
	AlertFinding    AlertState = "finding"    // the CLA turned it into a surveillance finding
)

// Confidence says how a match was made.
type Confidence string

// The match confidences.
const (
	ConfidencePURL Confidence = "purl" // package URL and ecosystem version semantics
	ConfidenceCPE  Confidence = "cpe"  // CPE vendor and product only: lower confidence
)

// Alert is one advisory matching one component of a labeled product's
// current SBOM.
type Alert struct {
	ID             string            `json:"id"`
	ProductID      string            `json:"product_id"`
	SBOMID         string            `json:"sbom_id"`
	LabelID        LabelID           `json:"label_id,omitempty"`
	ManufacturerID string            `json:"manufacturer_id"`
	CLAID          string            `json:"cla_id,omitempty"`
	AdvisoryID     string            `json:"advisory_id"`
	Aliases        []string          `json:"aliases,omitempty"`
	Summary        string            `json:"summary,omitempty"`
	Severity       Severity          `json:"severity"`
	Component      SoftwareComponent `json:"component"`
	FixedVersion   string            `json:"fixed_version,omitempty"`
	Confidence     Confidence        `json:"confidence"`
	SupportRunning bool              `json:"support_running"` // the label's support period had not ended when matched
	State          AlertState        `json:"state"`
	StateReason    string            `json:"state_reason,omitempty"` // e.g. the VEX statement and who made it
	SampleID       string            `json:"sample_id,omitempty"`    // the surveillance finding it became
	OpenedAt       time.Time         `json:"opened_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

// VulnTx is the part of Tx that keeps SBOMs, advisories, VEX statements and
// alerts.
type VulnTx interface{}
