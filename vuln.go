package trustmark

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

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
// derived from PURL; for a PURL of a type OSV does not know (pkg:generic,
// pkg:rpm, …) they are "purl:<type>" and the PURL's namespace/name, and
// without a PURL they are empty. A component outside the OSV ecosystems
// with a CPE is also matched by CPE, in a separate, lower-confidence class.
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

// AdvisoryChange is what storing one advisory changed (see
// VulnTx.PutAdvisory).
type AdvisoryChange struct {
	Changed bool
	// OldKeys are the package keys of the replaced version: nil for a new
	// advisory, non-nil (possibly empty) for a replaced one.
	OldKeys []PackageKey
	// OldCPEs are the CPE vendor:product pairs of the replaced version, so
	// CPE matches it no longer names are re-matched too.
	OldCPEs []string
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
	// apart), assigning ID when empty, UploadedAt when zero, and SHA256
	// and Size from the document when empty (see SBOM.Prepare). It becomes
	// its product's current SBOM unless that one was uploaded later (a
	// back-filled history is kept, not made current); of equal upload
	// times the later stored wins. Errors: KindInvalid; KindNotFound when
	// the product does not exist; KindConflict when the ID is taken.
	CreateSBOM(s *SBOM) error
	// SBOM returns one SBOM with its components in document order, without
	// the document. Errors: KindNotFound.
	SBOM(id string) (*SBOM, error)
	// SBOMDocument returns the uploaded document of one SBOM. Errors:
	// KindNotFound.
	SBOMDocument(id string) ([]byte, error)
	// SBOMs lists a product's SBOMs, newest first (by upload time, then
	// the later stored), without components or documents; none for an
	// unknown product.
	SBOMs(productID string) ([]SBOM, error)
	// CurrentSBOM returns the newest SBOM of a product with its components.
	// Errors: KindNotFound when there is none.
	CurrentSBOM(productID string) (*SBOM, error)
	// ProductsWithSBOM returns, of the given products, those with an SBOM.
	ProductsWithSBOM(productIDs []string) (map[string]bool, error)

	// PutAdvisory stores an advisory or replaces the stored one with the
	// same ID when a's Modified is later; it reports whether anything
	// changed and, if so, the package keys before the change (so removed
	// packages are re-matched too). oldKeys is nil for a new advisory and
	// non-nil (possibly empty) for a replaced one. A Modified equal to or
	// before the stored one's (compared to the microsecond) changes
	// nothing. Errors: KindInvalid.
	PutAdvisory(a *Advisory) (changed bool, oldKeys []PackageKey, err error)
	// PutAdvisories is PutAdvisory for many advisories, in order, with one
	// AdvisoryChange per advisory. The stores write them in few round
	// trips and prepared statements: bulk imports should use it. Every
	// advisory is validated before any is written. Errors: KindInvalid
	// (naming the index of the first invalid advisory).
	PutAdvisories(as []*Advisory) ([]AdvisoryChange, error)
	// Advisory returns one advisory with its OSV document. Errors: KindNotFound.
	Advisory(id string) (*Advisory, error)
	// AdvisoriesFor returns the advisories (with OSV documents) affecting any
	// of the keys, withdrawn ones included, each once, ordered by ID.
	AdvisoriesFor(keys []PackageKey) ([]Advisory, error)
	// AdvisoriesForCPE returns the advisories naming any of the CPE
	// vendor:product pairs (compared in lower case; see CPEVendorProduct),
	// each once, ordered by ID.
	AdvisoriesForCPE(vendorProducts []string) ([]Advisory, error)
	// AdvisoryCount returns how many advisories are stored.
	AdvisoryCount() (int, error)
	// CurrentComponents returns the components, in current SBOMs, with any
	// of the keys, ordered by product, SBOM and position.
	CurrentComponents(keys []PackageKey) ([]ComponentRef, error)
	// CurrentCPEComponents returns the components, in current SBOMs, that have
	// a CPE naming any of the vendor:product pairs (CPEVendorProduct of
	// their CPE, compared in lower case) and no package key in an OSV
	// ecosystem (none, or one of a package URL type alone: "purl:…").
	CurrentCPEComponents(vendorProducts []string) ([]ComponentRef, error)

	// CreateVEX stores a VEX statement, assigning ID. Errors: KindInvalid;
	// KindNotFound when the product does not exist.
	CreateVEX(v *VEXStatement) error
	// VEXStatements lists a product's VEX statements, oldest first (by At,
	// then the earlier stored).
	VEXStatements(productID string) ([]VEXStatement, error)

	// PutAlert stores a new alert (ID empty: ID assigned, OpenedAt and
	// UpdatedAt set when zero) or a changed one (ID set; UpdatedAt set when
	// zero). Alerts are unique per (SBOM, advisory, SoftwareComponent.Key):
	// KindConflict for a second one, and the transaction stays usable.
	// Errors: KindInvalid, also when the SBOM is not the product's;
	// KindNotFound for an unknown alert ID, SBOM, advisory or manufacturer.
	PutAlert(a *Alert) error
	// Alert returns one alert. Errors: KindNotFound.
	Alert(id string) (*Alert, error)
	// AlertsFor returns the alerts of one SBOM, oldest first.
	AlertsFor(sbomID string) ([]Alert, error)
	// Alerts lists alerts matching f, newest first (by OpenedAt).
	Alerts(f AlertFilter) ([]Alert, error)

	// CreateWebhook stores a webhook, assigning ID and CreatedAt when
	// empty. Errors: KindInvalid; KindNotFound when the organization does
	// not exist.
	CreateWebhook(w *Webhook) error
	// Webhooks lists an organization's webhooks, oldest first, without
	// their secrets.
	Webhooks(orgID string) ([]Webhook, error)
	// DeleteWebhook deletes a webhook and its queued deliveries. Errors:
	// KindNotFound.
	DeleteWebhook(id string) error
	// EnqueueDelivery queues a notification, assigning ID, and CreatedAt and
	// NextTry (= CreatedAt) when zero. Errors: KindInvalid; KindNotFound
	// when the webhook does not exist.
	EnqueueDelivery(d *Delivery) error
	// DueDeliveries returns up to limit (1 to 1000; otherwise 1000) unsent
	// deliveries due at or before at, by NextTry, then ID.
	DueDeliveries(at time.Time, limit int) ([]Delivery, error)
	// UpdateDelivery records an attempt: it stores Attempts, NextTry,
	// LastError and SentAt. Errors: KindInvalid; KindNotFound.
	UpdateDelivery(d *Delivery) error
	// Webhook returns one webhook with its secret. Errors: KindNotFound.
	Webhook(id string) (*Webhook, error)
}

// Limits of what the stores accept for monitoring.
const (
	maxSBOMComponents = 100_000
	maxSBOMSize       = 64 << 20 // bytes of one uploaded document
	maxVulnID         = 256
)

// Valid reports whether f is one of the accepted formats.
func (f SBOMFormat) Valid() bool {
	switch f {
	case SBOMCycloneDXJSON, SBOMCycloneDXXML, SBOMSPDXJSON, SBOMSPDXTagValue:
		return true
	}
	return false
}

// Valid reports whether s is one of the severities.
func (s Severity) Valid() bool {
	switch s {
	case SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityUnknown:
		return true
	}
	return false
}

// Valid reports whether s is one of the VEX statuses.
func (s VEXStatus) Valid() bool {
	switch s {
	case VEXNotAffected, VEXAffected, VEXFixed, VEXUnderInvestigation:
		return true
	}
	return false
}

// Valid reports whether s is one of the alert states.
func (s AlertState) Valid() bool {
	switch s {
	case AlertOpen, AlertSuppressed, AlertResolved, AlertFinding:
		return true
	}
	return false
}

// Valid reports whether c is one of the match confidences.
func (c Confidence) Valid() bool { return c == ConfidencePURL || c == ConfidenceCPE }

// Key identifies the component among its SBOM's components for alerts: its
// PURL, or else its name and version ("name@version", or the name alone
// when it has no version). Components with the same key are one component
// to an alert: duplicated PURLs in an SBOM give one alert, not two.
func (c SoftwareComponent) Key() string {
	switch {
	case c.PURL != "":
		return c.PURL
	case c.Version != "":
		return c.Name + "@" + c.Version
	}
	return c.Name
}

// CPEVendorProduct returns the "vendor:product" pair of a CPE name, lower
// case and with the formatted string's backslash quoting removed, as the
// stores index components and advisories by it. It accepts the CPE 2.3
// formatted string ("cpe:2.3:a:vendor:product:…", NISTIR 7695 §6.2) and
// the CPE 2.2 URI ("cpe:/a:vendor:product:…", §6.1), and returns "" for
// anything else or when the vendor or product is missing, ANY ("*") or NA
// ("-").
func CPEVendorProduct(cpe string) string {
	fields := CPEFields(cpe)
	if len(fields) < 3 {
		return ""
	}
	vendor, product := strings.ToLower(fields[1]), strings.ToLower(fields[2])
	if vendor == "" || product == "" || vendor == "*" || product == "*" || vendor == "-" || product == "-" {
		return ""
	}
	return vendor + ":" + product
}

// CPEFields returns the components of a CPE name after its prefix — part,
// vendor, product, version, … — for the CPE 2.3 formatted string (split at
// unquoted colons, backslash quoting removed) and the CPE 2.2 URI
// (percent-decoded); nil for anything else.
func CPEFields(cpe string) []string {
	switch {
	case strings.HasPrefix(cpe, "cpe:2.3:"):
		return splitCPE(cpe[len("cpe:2.3:"):])
	case strings.HasPrefix(cpe, "cpe:/"):
		fields := strings.Split(cpe[len("cpe:/"):], ":")
		for i, f := range fields {
			if u, err := url.PathUnescape(f); err == nil {
				fields[i] = u
			}
		}
		return fields
	}
	return nil
}

// splitCPE splits the components of a CPE 2.3 formatted string at its
// unquoted colons, unquoting "\x" to "x".
func splitCPE(s string) []string {
	var fields []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == ':':
			fields = append(fields, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(fields, b.String())
}

// Prepare fills the document's SHA-256 and size when they are empty and
// validates the SBOM. The store calls it after assigning ID and UploadedAt.
func (s *SBOM) Prepare() error {
	if s.SHA256 == "" && len(s.Document) > 0 {
		sum := sha256.Sum256(s.Document)
		s.SHA256 = hex.EncodeToString(sum[:])
	}
	if s.Size == 0 {
		s.Size = len(s.Document)
	}
	return s.Validate()
}

// Validate checks the SBOM's fields and components. The document is
// required, and its SHA-256 and size must be those of the document.
func (s *SBOM) Validate() error {
	if s.ProductID == "" {
		return FieldError("product_id", "is required")
	}
	if err := checkText("product_version", s.ProductVersion, 1, maxName); err != nil {
		return err
	}
	if !s.Format.Valid() {
		return FieldError("format", "must be one of cyclonedx-json, cyclonedx-xml, spdx-json, spdx-tag-value; got %q", truncate(string(s.Format), 40))
	}
	if err := checkText("spec_version", s.SpecVersion, 0, maxShort); err != nil {
		return err
	}
	if err := checkText("uploaded_by", s.UploadedBy, 1, maxName); err != nil {
		return err
	}
	if s.UploadedAt.IsZero() {
		return FieldError("uploaded_at", "is required")
	}
	if len(s.Document) == 0 {
		return FieldError("document", "is required")
	}
	if len(s.Document) > maxSBOMSize {
		return FieldError("document", "is %d bytes; at most %d are allowed", len(s.Document), maxSBOMSize)
	}
	sum := sha256.Sum256(s.Document)
	if s.SHA256 != hex.EncodeToString(sum[:]) {
		return FieldError("sha256", "is not the SHA-256 of the document")
	}
	if s.Size != len(s.Document) {
		return FieldError("size", "is %d but the document has %d bytes", s.Size, len(s.Document))
	}
	if len(s.Components) > maxSBOMComponents {
		return FieldError("components", "has %d entries; at most %d are allowed", len(s.Components), maxSBOMComponents)
	}
	for i := range s.Components {
		if err := s.Components[i].validate(fmt.Sprintf("components[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// validate checks one component; field prefixes the field names in errors.
func (c *SoftwareComponent) validate(field string) error {
	for _, f := range []struct {
		name, value string
		min         int
	}{
		{"name", c.Name, 1}, {"ref", c.Ref, 0}, {"version", c.Version, 0}, {"purl", c.PURL, 0}, {"cpe", c.CPE, 0},
		{"ecosystem", c.Ecosystem, 0}, {"package", c.Package, 0},
	} {
		if err := checkText(field+"."+f.name, f.value, f.min, maxText); err != nil {
			return err
		}
	}
	if (c.Ecosystem == "") != (c.Package == "") {
		return FieldError(field, "has an ecosystem or a package but not both")
	}
	return nil
}

// Validate checks the advisory's fields. Its OSV document must be JSON.
func (a *Advisory) Validate() error {
	if err := checkVulnID("id", a.ID); err != nil {
		return err
	}
	for _, alias := range a.Aliases {
		if err := checkVulnID("aliases", alias); err != nil {
			return err
		}
	}
	if err := checkText("summary", a.Summary, 0, maxText); err != nil {
		return err
	}
	if !a.Severity.Valid() {
		return FieldError("severity", "must be one of critical, high, medium, low, unknown; got %q", truncate(string(a.Severity), 40))
	}
	if a.Modified.IsZero() {
		return FieldError("modified", "is required")
	}
	for _, k := range a.Packages {
		if err := checkText("packages.ecosystem", k.Ecosystem, 1, maxText); err != nil {
			return err
		}
		if err := checkText("packages.name", k.Name, 1, maxText); err != nil {
			return err
		}
	}
	for _, vp := range a.CPEs {
		if v, p, ok := strings.Cut(vp, ":"); !ok || v == "" || p == "" {
			return FieldError("cpes", "%q is not a vendor:product pair", truncate(vp, 60))
		}
		if err := checkText("cpes", vp, 1, maxText); err != nil {
			return err
		}
	}
	if !json.Valid(a.OSV) {
		return FieldError("osv", "is not a JSON document")
	}
	return nil
}

// checkVulnID checks a vulnerability identifier: printable, without spaces.
func checkVulnID(field, id string) error {
	if err := checkText(field, id, 1, maxVulnID); err != nil {
		return err
	}
	if strings.ContainsAny(id, " \t\n") {
		return FieldError(field, "%q contains white space", truncate(id, 60))
	}
	return nil
}

// Validate checks the statement's fields.
func (v *VEXStatement) Validate() error {
	if v.ProductID == "" {
		return FieldError("product_id", "is required")
	}
	if err := checkVulnID("vulnerability", v.VulnID); err != nil {
		return err
	}
	if err := checkText("component_purl", v.ComponentPURL, 0, maxText); err != nil {
		return err
	}
	if !v.Status.Valid() {
		return FieldError("status", "must be one of not_affected, affected, fixed, under_investigation; got %q", truncate(string(v.Status), 40))
	}
	if err := checkText("justification", v.Justification, 0, maxText); err != nil {
		return err
	}
	if v.Status == VEXNotAffected && v.Justification == "" {
		return FieldError("justification", "is required when the status is not_affected")
	}
	if err := checkText("statement", v.Statement, 0, maxText); err != nil {
		return err
	}
	switch v.Source {
	case "openvex", "cyclonedx", "csaf":
	default:
		return FieldError("source", "must be openvex, cyclonedx or csaf; got %q", truncate(v.Source, 40))
	}
	if err := checkText("author", v.Author, 1, maxName); err != nil {
		return err
	}
	if v.At.IsZero() {
		return FieldError("at", "is required")
	}
	return nil
}

// Validate checks the alert's fields.
func (a *Alert) Validate() error {
	for _, f := range []struct{ name, value string }{
		{"product_id", a.ProductID}, {"sbom_id", a.SBOMID}, {"manufacturer_id", a.ManufacturerID}, {"advisory_id", a.AdvisoryID},
	} {
		if f.value == "" {
			return FieldError(f.name, "is required")
		}
	}
	if !a.Severity.Valid() {
		return FieldError("severity", "must be one of critical, high, medium, low, unknown; got %q", truncate(string(a.Severity), 40))
	}
	if !a.Confidence.Valid() {
		return FieldError("confidence", "must be purl or cpe; got %q", truncate(string(a.Confidence), 40))
	}
	if !a.State.Valid() {
		return FieldError("state", "must be one of open, suppressed, resolved, finding; got %q", truncate(string(a.State), 40))
	}
	if err := a.Component.validate("component"); err != nil {
		return err
	}
	if err := checkText("fixed_version", a.FixedVersion, 0, maxText); err != nil {
		return err
	}
	return checkText("state_reason", a.StateReason, 0, maxText)
}

// Validate checks the webhook's fields. The URL must be https, or http to
// a loopback address (for development); the secret, as the program seals
// it, must be present.
func (w *Webhook) Validate() error {
	if w.OrgID == "" {
		return FieldError("organization_id", "is required")
	}
	if err := checkURL("url", w.URL); err != nil {
		return err
	}
	u, _ := url.Parse(w.URL)
	if u.Scheme != "https" && !isLoopback(u.Hostname()) {
		return FieldError("url", "must be an https:// URL (http:// only to localhost)")
	}
	if u.User != nil {
		return FieldError("url", "must not contain a user name or password")
	}
	if len(w.Secret) == 0 {
		return FieldError("secret", "is required")
	}
	return checkText("created_by", w.CreatedBy, 0, maxName)
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// Validate checks the delivery's fields. Its payload must be JSON.
func (d *Delivery) Validate() error {
	if d.WebhookID == "" {
		return FieldError("webhook_id", "is required")
	}
	if err := checkText("event", d.Event, 1, maxShort); err != nil {
		return err
	}
	if !json.Valid(d.Payload) {
		return FieldError("payload", "is not a JSON document")
	}
	if d.Attempts < 0 {
		return FieldError("attempts", "must not be negative")
	}
	return checkText("last_error", d.LastError, 0, maxText)
}

// ValidateAdvisories validates every advisory of a batch; an error names
// the position and ID of the first invalid one, keeping its kind and field.
func ValidateAdvisories(as []*Advisory) error {
	for i, a := range as {
		if a == nil {
			return Errorf(KindInvalid, "advisory %d of %d is missing", i+1, len(as))
		}
		err := a.Validate()
		var e *Error
		switch {
		case err == nil:
			continue
		case len(as) == 1 || !errors.As(err, &e):
			return err
		}
		return &Error{Kind: e.Kind, Field: e.Field, Message: fmt.Sprintf("advisory %d of %d (%s): %s", i+1, len(as), truncate(a.ID, 60), e.Message), Err: e.Err}
	}
	return nil
}
