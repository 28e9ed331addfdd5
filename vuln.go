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

// Webhook is an organization's endpoint for alert notifications. Each
// delivery is signed with HMAC-SHA256 under a secret shown once at creation;
// the store keeps the secret sealed (never logged, never returned).
type Webhook struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"organization_id"`
	URL       string    `json:"url"`
	Secret    []byte    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Delivery is one queued webhook notification, written in the same
// transaction as the alert change it reports and sent afterwards, with
// retries, by the server's deliverer.
type Delivery struct {
	ID        int64      `json:"id"`
	WebhookID string     `json:"webhook_id"`
	Event     string     `json:"event"`   // e.g. "alert.opened"
	Payload   []byte     `json:"payload"` // JSON
	Attempts  int        `json:"attempts"`
	NextTry   time.Time  `json:"next_try"`
	LastError string     `json:"last_error,omitempty"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// AlertFilter selects alerts; empty fields match everything.
type AlertFilter struct {
	ManufacturerID string
	CLAID          string
	ProductID      string
	State          AlertState
}

// ComponentRef is one component of a product's current SBOM, as the store
// finds it for re-matching.
type ComponentRef struct {
	SBOMID    string
	ProductID string
	Component SoftwareComponent
}

// VulnTx is the part of Tx that keeps SBOMs, advisories, VEX statements,
// alerts and webhooks. Matching itself happens outside the store
// (internal/vuln); the store indexes components and advisories by
// PackageKey so a change re-matches only what it can affect.
type VulnTx interface {
	// CreateSBOM stores an SBOM with its components and document (kept
	// apart), assigning ID; it becomes its product's current SBOM. Errors:
	// KindInvalid; KindNotFound when the product does not exist.
	CreateSBOM(s *SBOM) error
	// SBOM returns one SBOM with its components, without the document.
	SBOM(id string) (*SBOM, error)
	// SBOMDocument returns the uploaded document of one SBOM.
	SBOMDocument(id string) ([]byte, error)
	// SBOMs lists a product's SBOMs, newest first, without components or documents.
	SBOMs(productID string) ([]SBOM, error)
	// CurrentSBOM returns the newest SBOM of a product with its components.
	// Errors: KindNotFound when there is none.
	CurrentSBOM(productID string) (*SBOM, error)
	// ProductsWithSBOM returns, of the given products, those with an SBOM.
	ProductsWithSBOM(productIDs []string) (map[string]bool, error)

	// PutAdvisory stores an advisory or replaces the stored one with the
	// same ID when a's Modified is later; it reports whether anything
	// changed and, if so, the package keys before the change (so removed
	// packages are re-matched too).
	PutAdvisory(a *Advisory) (changed bool, oldKeys []PackageKey, err error)
	// Advisory returns one advisory with its OSV document. Errors: KindNotFound.
	Advisory(id string) (*Advisory, error)
	// AdvisoriesFor returns the advisories (with OSV documents) affecting any
	// of the keys.
	AdvisoriesFor(keys []PackageKey) ([]Advisory, error)
	// AdvisoriesForCPE returns the advisories naming any of the CPE
	// vendor:product pairs.
	AdvisoriesForCPE(vendorProducts []string) ([]Advisory, error)
	// AdvisoryCount returns how many advisories are stored.
	AdvisoryCount() (int, error)
	// CurrentComponents returns the components, in current SBOMs, with any of the keys.
	CurrentComponents(keys []PackageKey) ([]ComponentRef, error)
	// CurrentCPEComponents returns the components, in current SBOMs, that have
	// a CPE naming any of the vendor:product pairs and no package key.
	CurrentCPEComponents(vendorProducts []string) ([]ComponentRef, error)

	// CreateVEX stores a VEX statement, assigning ID.
	CreateVEX(v *VEXStatement) error
	// VEXStatements lists a product's VEX statements, oldest first.
	VEXStatements(productID string) ([]VEXStatement, error)

	// PutAlert stores a new alert (ID empty, assigned) or a changed one.
	// Alerts are unique per (SBOM, advisory, component PURL or name):
	// KindConflict for a second one.
	PutAlert(a *Alert) error
	Alert(id string) (*Alert, error)
	// AlertsFor returns the alerts of one SBOM.
	AlertsFor(sbomID string) ([]Alert, error)
	// Alerts lists alerts matching f, newest first.
	Alerts(f AlertFilter) ([]Alert, error)

	// CreateWebhook stores a webhook, assigning ID.
	CreateWebhook(w *Webhook) error
	Webhooks(orgID string) ([]Webhook, error)
	DeleteWebhook(id string) error
	// EnqueueDelivery queues a notification, assigning ID.
	EnqueueDelivery(d *Delivery) error
	// DueDeliveries returns up to limit unsent deliveries due at or before at, oldest first.
	DueDeliveries(at time.Time, limit int) ([]Delivery, error)
	// UpdateDelivery records an attempt (sent, or the error and next try).
	UpdateDelivery(d *Delivery) error
	// Webhook returns one webhook with its secret.
	Webhook(id string) (*Webhook, error)
}
