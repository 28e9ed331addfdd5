package program

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"trustmark"
	"trustmark/internal/sbom"
	"trustmark/internal/vuln"
)

// This file is post-market vulnerability monitoring (8.208(c)(7)): a
// manufacturer keeps an SBOM per product version, advisories are imported
// from OSV, the manufacturer's VEX statements say which findings do not
// apply, and what remains becomes an alert for the manufacturer and the
// grant's CLA, who may turn it into a surveillance finding. Matching is done
// by internal/vuln; this file decides who may do what, which components are
// re-matched when something changes (only those the change can affect), and
// keeps alerts, their audit entries and their webhook notifications in the
// same transaction as the change that caused them. docs/vulns.md explains it
// for users.

// Limits of monitoring.
const (
	// AdvisoryBatchSize is how many advisories one import transaction holds.
	AdvisoryBatchSize = 1000
	// MaxWebhooks is how many webhooks one organization may register.
	MaxWebhooks = 10
	// maxProductVersion bounds an SBOM's product version string.
	maxProductVersion = 100
	// maxImportErrors is how many record errors an import result keeps.
	maxImportErrors = 20
)

// Webhook delivery schedule: retries back off exponentially from
// deliveryFirstRetry, never waiting more than deliveryMaxWait, and a
// delivery is abandoned once deliveryGiveUp has passed since it was queued.
const (
	deliveryFirstRetry = 30 * time.Second
	deliveryMaxWait    = 6 * time.Hour
	deliveryGiveUp     = 24 * time.Hour
	// deliveryLease is how long a claimed delivery is hidden from other
	// deliverers while it is being sent (a crashed sender's claim expires).
	deliveryLease = 2 * time.Minute
)

// deliveryAbandoned is the next-try time of a delivery given up on: never.
var deliveryAbandoned = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Alert events, the "type" of webhook payloads.
const (
	EventAlertOpened     = "alert.opened"
	EventAlertReopened   = "alert.reopened"
	EventAlertSuppressed = "alert.suppressed"
	EventAlertResolved   = "alert.resolved"
	EventAlertFinding    = "alert.finding"
)

// operatorActor is the principal store-level operations run by whoever
// runs the trustmark binary ("trustmark vulns import") are recorded under.
var operatorActor = &trustmark.Principal{Org: trustmark.Organization{Name: "operator"}, Token: trustmark.Token{Holder: "trustmark vulns import"}}

// ---------------------------------------------------------------------------
// Who may read bills of materials.

// productGrant returns the grant of a product, or nil when it has none. A
// product has at most one grant.
func productGrant(tx trustmark.Tx, prod *trustmark.Product) (*trustmark.Grant, error) {
	grants, err := tx.Grants(trustmark.GrantFilter{ManufacturerID: prod.ManufacturerID})
	if err != nil {
		return nil, err
	}
	for i := range grants {
		if grants[i].ProductID == prod.ID {
			return &grants[i], nil
		}
	}
	return nil, nil
}

// canReadBOM reports whether pr may read a product's SBOMs and VEX
// statements: its manufacturer; the grant's CLA (before a grant, the CLAs
// its applications name); the labs its applications name; the regulator.
// The Lead Administrator is not among them (8.222(b)(10) and FCC 24-26
// fn. 368 name the Commission, a CyberLAB and the CLA).
func canReadBOM(tx trustmark.Tx, pr *trustmark.Principal, prod *trustmark.Product) (bool, error) {
	switch {
	case pr.Org.ID == prod.ManufacturerID || pr.Is(trustmark.OrgRegulator):
		return true, nil
	case !pr.Is(trustmark.OrgCLA, trustmark.OrgLab):
		return false, nil
	}
	g, err := productGrant(tx, prod)
	if err != nil {
		return false, err
	}
	if g != nil && (g.CLAID == pr.Org.ID || g.LabID == pr.Org.ID) {
		return true, nil
	}
	f := trustmark.ApplicationFilter{ProductID: prod.ID}
	switch {
	case pr.Is(trustmark.OrgLab):
		f.LabID = pr.Org.ID
	case g == nil:
		f.CLAID = pr.Org.ID
	default:
		return false, nil // a labeled product's CLA is the grant's
	}
	apps, err := tx.Applications(f)
	return len(apps) > 0, err
}

// readableProduct loads a product whose bills of materials pr may read;
// any other product is KindNotFound, so its existence is not revealed.
func readableProduct(tx trustmark.Tx, pr *trustmark.Principal, id string) (*trustmark.Product, error) {
	prod, err := tx.Product(id)
	if err != nil {
		return nil, notFound("product", id)
	}
	ok, err := canReadBOM(tx, pr, prod)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("product", id)
	}
	return prod, nil
}

// ownProduct loads one of the caller's own products (others: KindNotFound).
func ownProduct(tx trustmark.Tx, pr *trustmark.Principal, id string) (*trustmark.Product, error) {
	prod, err := tx.Product(id)
	if err != nil || prod.ManufacturerID != pr.Org.ID {
		return nil, notFound("product", id)
	}
	return prod, nil
}

// ---------------------------------------------------------------------------
// SBOMs.

// UploadSBOM stores an SBOM of one version of one of the caller's products
// and makes it the product's current SBOM. The document is parsed
// (CycloneDX JSON or XML, SPDX JSON or tag-value; the format is detected),
// its components are matched against the stored advisories for their
// package keys and CPEs, the product's VEX statements are applied, and — for
// a labeled product — alerts are opened, updated or resolved: alerts of the
// previous SBOM whose match remains move to the new SBOM, the others are
// resolved. All of it happens in one transaction with its audit entries.
// An unlabeled product's SBOM is stored and can be matched on demand
// (SBOMFindings) but opens no alerts. It returns the SBOM (with
// components) and the parser's warnings. Who: a member of the product's
// manufacturer. Errors: KindInvalid for a malformed document or version;
// KindNotFound for another's product.
func (p *Program) UploadSBOM(ctx context.Context, pr *trustmark.Principal, productID, productVersion string, doc []byte) (*trustmark.SBOM, []string, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgManufacturer); err != nil {
		return nil, nil, err
	}
	productVersion = strings.TrimSpace(productVersion)
	if productVersion == "" || len(productVersion) > maxProductVersion {
		return nil, nil, trustmark.FieldError("version", "name the product (firmware or software) version the SBOM describes, 1 to %d characters", maxProductVersion)
	}
	// Parse outside the transaction: it is the slow part and needs no state.
	parsed, err := sbom.Parse(doc)
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(doc)
	var s *trustmark.SBOM
	warnings := slices.Clone(parsed.Warnings)
	err = p.transact(ctx, func(tx trustmark.Tx) error {
		prod, err := ownProduct(tx, pr, productID)
		if err != nil {
			return err
		}
		var previous *trustmark.SBOM
		if previous, err = tx.CurrentSBOM(prod.ID); err != nil {
			if !trustmark.IsKind(err, trustmark.KindNotFound) {
				return err
			}
			previous = nil
		}
		now := p.Now()
		s = &trustmark.SBOM{ProductID: prod.ID, ProductVersion: productVersion, Format: parsed.Format, SpecVersion: parsed.SpecVersion,
			SHA256: fmt.Sprintf("%x", sum), Size: len(doc), UploadedBy: pr.Actor(), UploadedAt: now,
			Components: parsed.Components, Document: doc}
		if err := tx.CreateSBOM(s); err != nil {
			return err
		}
		m := p.newMonitor(tx, pr, now)
		t, err := m.target(s.ID, prod)
		if err != nil {
			return err
		}
		if t.labeled() {
			if warn, err := m.sbomDisclosureWarning(t); err != nil {
				return err
			} else if warn != "" {
				warnings = append(warnings, warn)
			}
			mt, err := m.matcherFor(s.Components)
			if err != nil {
				return err
			}
			var existing []trustmark.Alert
			if previous != nil {
				if existing, err = tx.AlertsFor(previous.ID); err != nil {
					return err
				}
			}
			reason := "not in the product's new SBOM " + s.ID + " (version " + productVersion + ")"
			if err := m.reconcile(t, mt, mt.match(s.Components), existing, nil, reason); err != nil {
				return err
			}
		}
		return audit(tx, pr, now, "sbom.upload", "product/"+prod.ID, "", s.ID,
			fmt.Sprintf("%s %s, version %s, %d components; alerts: %s", s.Format, s.SpecVersion, productVersion, len(s.Components), m.summary()))
	})
	if err != nil {
		return nil, nil, err
	}
	s.Document = nil
	return s, warnings, nil
}

// SBOMs lists a product's SBOMs, newest first, without components. Who:
// those who may read the product's bills of materials (see canReadBOM);
// anyone else is told there is no such product.
func (p *Program) SBOMs(ctx context.Context, pr *trustmark.Principal, productID string) ([]trustmark.SBOM, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	var out []trustmark.SBOM
	err := p.view(ctx, func(tx trustmark.Tx) error {
		if _, err := readableProduct(tx, pr, productID); err != nil {
			return err
		}
		var err error
		out, err = tx.SBOMs(productID)
		return err
	})
	return out, err
}

// readableSBOM loads an SBOM (without document) whose product pr may read.
func readableSBOM(tx trustmark.Tx, pr *trustmark.Principal, id string) (*trustmark.SBOM, error) {
	s, err := tx.SBOM(id)
	if err != nil {
		if trustmark.IsKind(err, trustmark.KindNotFound) {
			return nil, notFound("SBOM", id)
		}
		return nil, err
	}
	if _, err := readableProduct(tx, pr, s.ProductID); err != nil {
		if trustmark.IsKind(err, trustmark.KindNotFound) {
			return nil, notFound("SBOM", id)
		}
		return nil, err
	}
	return s, nil
}

// SBOM returns one SBOM with its components. Who: as SBOMs.
func (p *Program) SBOM(ctx context.Context, pr *trustmark.Principal, id string) (*trustmark.SBOM, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	var s *trustmark.SBOM
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		s, err = readableSBOM(tx, pr, id)
		return err
	})
	return s, err
}

// SBOMDocument returns one SBOM (without components) and the document as
// uploaded. Who: as SBOMs.
func (p *Program) SBOMDocument(ctx context.Context, pr *trustmark.Principal, id string) (*trustmark.SBOM, []byte, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, nil, err
	}
	var s *trustmark.SBOM
	var doc []byte
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		if s, err = readableSBOM(tx, pr, id); err != nil {
			return err
		}
		doc, err = tx.SBOMDocument(id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	s.Components = nil
	return s, doc, nil
}

// Finding is one advisory matching one component, as SBOMFindings and
// "trustmark sbom check" report it: what an alert would say.
type Finding struct {
	AdvisoryID   string                      `json:"advisory_id"`
	Aliases      []string                    `json:"aliases,omitempty"`
	Summary      string                      `json:"summary,omitempty"`
	Severity     trustmark.Severity          `json:"severity"`
	Component    trustmark.SoftwareComponent `json:"component"`
	FixedVersion string                      `json:"fixed_version,omitempty"`
	Confidence   trustmark.Confidence        `json:"confidence"`
	// Suppressed is the VEX statement that closes the finding, if any.
	Suppressed *trustmark.VEXStatement `json:"suppressed_by,omitempty"`
}

// Findings is the result of matching one SBOM.
type Findings struct {
	Findings []Finding `json:"findings"`
	// Unchecked lists components that cannot be matched: no version, or
	// neither a package URL OSV knows nor a CPE.
	Unchecked []trustmark.SoftwareComponent `json:"unchecked"`
	// Advisories is how many stored advisories were considered.
	Advisories int `json:"advisories_considered"`
}

// Open counts the findings no VEX statement suppresses.
func (f *Findings) Open() int {
	n := 0
	for _, x := range f.Findings {
		if x.Suppressed == nil {
			n++
		}
	}
	return n
}

// SBOMFindings matches one stored SBOM against the stored advisories now,
// applying its product's VEX statements, without opening alerts: the
// on-demand check for unlabeled products. Who: as SBOMs.
func (p *Program) SBOMFindings(ctx context.Context, pr *trustmark.Principal, id string) (*Findings, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	var out *Findings
	err := p.view(ctx, func(tx trustmark.Tx) error {
		s, err := readableSBOM(tx, pr, id)
		if err != nil {
			return err
		}
		vex, err := tx.VEXStatements(s.ProductID)
		if err != nil {
			return err
		}
		out, err = CheckComponents(tx, s.Components, vex)
		return err
	})
	return out, err
}

// CheckComponents matches components against the advisories stored for
// their package keys and CPEs, applying the VEX statements, inside one
// read: the offline "trustmark sbom check" and SBOMFindings. It stores
// nothing.
func CheckComponents(tx trustmark.Tx, comps []trustmark.SoftwareComponent, vex []trustmark.VEXStatement) (*Findings, error) {
	mt, err := loadMatcher(tx, comps)
	if err != nil {
		return nil, err
	}
	out := &Findings{Findings: []Finding{}, Unchecked: []trustmark.SoftwareComponent{}, Advisories: mt.considered}
	for _, c := range comps {
		if !checkable(c) {
			out.Unchecked = append(out.Unchecked, c)
		}
	}
	seen := map[string]bool{}
	for _, m := range mt.match(comps) {
		a := mt.advisory(m.Advisory)
		k := alertKey(a.ID, m.Component)
		if seen[k] {
			continue // a component listed twice in the document
		}
		seen[k] = true
		f := Finding{AdvisoryID: a.ID, Aliases: a.Aliases, Summary: a.Summary, Severity: severityOf(a), Component: m.Component,
			FixedVersion: m.FixedVersion, Confidence: m.Confidence}
		if st, ok := vuln.Suppressed(m, vex); ok && st != nil {
			f.Suppressed = st
		}
		out.Findings = append(out.Findings, f)
	}
	slices.SortStableFunc(out.Findings, func(a, b Finding) int {
		if c := severityRank(b.Severity) - severityRank(a.Severity); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Confidence), string(b.Confidence)); c != 0 {
			return -c // purl before cpe
		}
		if c := strings.Compare(a.AdvisoryID, b.AdvisoryID); c != 0 {
			return c
		}
		return strings.Compare(a.Component.Name, b.Component.Name)
	})
	return out, nil
}

// checkable reports whether a component can be matched at all: it has a
// version and a package key or a CPE.
func checkable(c trustmark.SoftwareComponent) bool {
	return c.Version != "" && ((c.Ecosystem != "" && c.Package != "") || trustmark.CPEVendorProduct(c.CPE) != "")
}

func severityRank(s trustmark.Severity) int {
	switch s {
	case trustmark.SeverityCritical:
		return 4
	case trustmark.SeverityHigh:
		return 3
	case trustmark.SeverityMedium:
		return 2
	case trustmark.SeverityLow:
		return 1
	}
	return 0
}

func severityOf(a *trustmark.Advisory) trustmark.Severity {
	if a.Severity == "" {
		return trustmark.SeverityUnknown
	}
	return a.Severity
}

// ---------------------------------------------------------------------------
// VEX.

// UploadVEX stores the VEX statements of a document (OpenVEX, CycloneDX
// VEX or CSAF VEX; the format is detected) about one of the caller's
// products, recording the caller as their author, and applies them to the
// product's alerts in the same transaction: a not_affected (with a
// justification) or fixed statement suppresses the
// matching open alerts; a later affected or under_investigation statement
// re-opens them. Who: a member of the product's manufacturer. Errors:
// KindInvalid for a malformed document or a not_affected statement without
// justification; KindNotFound for another's product.
func (p *Program) UploadVEX(ctx context.Context, pr *trustmark.Principal, productID string, doc []byte) ([]trustmark.VEXStatement, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgManufacturer); err != nil {
		return nil, err
	}
	stmts, err := sbom.ParseVEX(doc)
	if err != nil {
		return nil, err
	}
	if len(stmts) == 0 {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "the VEX document holds no statements")
	}
	for _, st := range stmts {
		if st.Status == trustmark.VEXNotAffected && strings.TrimSpace(st.Justification) == "" {
			return nil, trustmark.Errorf(trustmark.KindInvalid, "the not_affected statement about %s needs a justification (e.g. vulnerable_code_not_present)", truncate(st.VulnID, 80))
		}
	}
	err = p.transact(ctx, func(tx trustmark.Tx) error {
		prod, err := ownProduct(tx, pr, productID)
		if err != nil {
			return err
		}
		now := p.Now()
		for i := range stmts {
			st := &stmts[i]
			st.ID, st.ProductID, st.Author, st.At = "", prod.ID, pr.Actor(), now
			if err := tx.CreateVEX(st); err != nil {
				return err
			}
		}
		m := p.newMonitor(tx, pr, now)
		if err := m.applyVEX(prod); err != nil {
			return err
		}
		return audit(tx, pr, now, "vex.upload", "product/"+prod.ID, "", "",
			fmt.Sprintf("%d %s statements; alerts: %s", len(stmts), stmts[0].Source, m.summary()))
	})
	if err != nil {
		return nil, err
	}
	return stmts, nil
}

// VEXStatements lists a product's VEX statements, oldest first. Who: as SBOMs.
func (p *Program) VEXStatements(ctx context.Context, pr *trustmark.Principal, productID string) ([]trustmark.VEXStatement, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	var out []trustmark.VEXStatement
	err := p.view(ctx, func(tx trustmark.Tx) error {
		if _, err := readableProduct(tx, pr, productID); err != nil {
			return err
		}
		var err error
		out, err = tx.VEXStatements(productID)
		return err
	})
	return out, err
}

// ---------------------------------------------------------------------------
// Advisories.

// ImportResult counts what an advisory import did.
type ImportResult struct {
	Read      int `json:"read"`      // records read
	New       int `json:"new"`       // advisories not stored before
	Updated   int `json:"updated"`   // stored advisories replaced by a later modification
	Unchanged int `json:"unchanged"` // records no newer than the stored advisory
	Invalid   int `json:"invalid"`   // records that are not OSV; see Errors
	// SBOMsRematched and ComponentsRematched count the current-SBOM
	// components whose package keys or CPEs the changed advisories name:
	// the only ones matched again.
	SBOMsRematched      int      `json:"sboms_rematched"`
	ComponentsRematched int      `json:"components_rematched"`
	AlertsOpened        int      `json:"alerts_opened"` // new alerts, and resolved ones matched again
	AlertsResolved      int      `json:"alerts_resolved"`
	AlertsSuppressed    int      `json:"alerts_suppressed"`
	Errors              []string `json:"errors,omitempty"` // the first invalid records, by name
}

func (r *ImportResult) add(o ImportResult) {
	r.Read += o.Read
	r.New += o.New
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Invalid += o.Invalid
	r.SBOMsRematched += o.SBOMsRematched
	r.ComponentsRematched += o.ComponentsRematched
	r.AlertsOpened += o.AlertsOpened
	r.AlertsResolved += o.AlertsResolved
	r.AlertsSuppressed += o.AlertsSuppressed
	for _, e := range o.Errors {
		if len(r.Errors) < maxImportErrors {
			r.Errors = append(r.Errors, e)
		}
	}
}

// ImportAdvisories imports OSV records, as walk yields them (each with a
// name for error messages, e.g. vuln.Walk over a directory or zip), in
// transactions of AdvisoryBatchSize. Each transaction stores the batch's
// advisories (a record replaces the stored one only when it is newer),
// then re-matches only the current-SBOM components whose package keys — as
// the changed advisories name them now or did before — or CPEs they name,
// and opens, updates or resolves those products' alerts (a withdrawn
// advisory resolves its alerts). A record that is not OSV JSON is counted
// and named in the result, not fatal. progress, when not nil, is called
// after every committed batch with the totals so far. It runs on the
// authority of the store's operator (the CLI), with no principal. Errors:
// walk's errors, store failures; batches committed before a failure stay.
func (p *Program) ImportAdvisories(ctx context.Context, walk func(yield func(name string, raw []byte) error) error, progress func(ImportResult)) (ImportResult, error) {
	var total ImportResult
	batch := make([]trustmark.Advisory, 0, AdvisoryBatchSize)
	var pending ImportResult // counts of the records in batch not yet committed
	flush := func() error {
		if len(batch) == 0 && pending.Read == 0 {
			return nil
		}
		res, err := p.importBatch(ctx, batch)
		if err != nil {
			return err
		}
		res.add(pending)
		total.add(res)
		batch, pending = batch[:0], ImportResult{}
		if progress != nil {
			progress(total)
		}
		return nil
	}
	err := walk(func(name string, raw []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		pending.Read++
		o, err := vuln.ParseOSV(raw)
		var a trustmark.Advisory
		if err == nil {
			// Checked here so that one bad record cannot fail its batch.
			a = o.Advisory(raw)
			err = a.Validate()
		}
		if err != nil {
			pending.Invalid++
			if len(pending.Errors) < maxImportErrors {
				pending.Errors = append(pending.Errors, name+": "+trustmark.PublicMessage(err))
			}
		} else {
			batch = append(batch, a)
		}
		if pending.Read >= AdvisoryBatchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return total, err
}

// importBatch stores one batch of advisories and re-matches what they affect.
func (p *Program) importBatch(ctx context.Context, batch []trustmark.Advisory) (ImportResult, error) {
	var res ImportResult
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		res = ImportResult{}
		ptrs := make([]*trustmark.Advisory, len(batch))
		for i := range batch {
			ptrs[i] = &batch[i]
		}
		changes, err := tx.PutAdvisories(ptrs)
		if err != nil {
			return err
		}
		keys := map[trustmark.PackageKey]bool{}
		cpes := map[string]bool{}
		for i, c := range changes {
			a := &batch[i]
			switch {
			case !c.Changed:
				res.Unchanged++
				continue
			case c.OldKeys == nil:
				res.New++
			default:
				res.Updated++
			}
			for _, k := range a.Packages {
				keys[k] = true
			}
			for _, k := range c.OldKeys {
				keys[k] = true
			}
			for _, vp := range a.CPEs {
				cpes[vp] = true
			}
		}
		if res.New+res.Updated == 0 {
			return nil
		}
		now := p.Now()
		m := p.newMonitor(tx, operatorActor, now)
		if err := m.rematch(keys, cpes, &res); err != nil {
			return err
		}
		res.AlertsOpened, res.AlertsResolved, res.AlertsSuppressed = m.opened+m.reopened, m.resolved, m.suppressed
		return audit(tx, operatorActor, now, "advisories.import", "advisories", "", "",
			fmt.Sprintf("%d advisories: %d new, %d updated, %d unchanged; %d components of %d SBOMs re-matched; alerts: %s",
				len(batch), res.New, res.Updated, res.Unchanged, res.ComponentsRematched, res.SBOMsRematched, m.summary()))
	})
	return res, err
}

// ---------------------------------------------------------------------------
// Alerts.

// Alerts lists alerts, newest first: a manufacturer its own, a CLA those of
// its grants, the Lead Administrator and the regulator all. f narrows the
// list (state, product). Who: those parties at any role.
func (p *Program) Alerts(ctx context.Context, pr *trustmark.Principal, f trustmark.AlertFilter) ([]trustmark.Alert, error) {
	if err := need(pr, trustmark.RoleViewer, trustmark.OrgManufacturer, trustmark.OrgCLA, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator); err != nil {
		return nil, err
	}
	switch f.State {
	case "", trustmark.AlertOpen, trustmark.AlertSuppressed, trustmark.AlertResolved, trustmark.AlertFinding:
	default:
		return nil, trustmark.FieldError("state", "must be one of open, suppressed, resolved, finding")
	}
	switch pr.Org.Kind {
	case trustmark.OrgManufacturer:
		f.ManufacturerID = pr.Org.ID
	case trustmark.OrgCLA:
		f.CLAID = pr.Org.ID
	}
	var out []trustmark.Alert
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.Alerts(f)
		return err
	})
	return out, err
}

// canSeeAlert: the alert's manufacturer and CLA, and the overseers.
func canSeeAlert(pr *trustmark.Principal, a *trustmark.Alert) bool {
	return overseer(pr) || pr.Org.ID == a.ManufacturerID || (a.CLAID != "" && pr.Org.ID == a.CLAID)
}

// Alert returns one alert. Who: as Alerts; others are told there is none.
func (p *Program) Alert(ctx context.Context, pr *trustmark.Principal, id string) (*trustmark.Alert, error) {
	if err := need(pr, trustmark.RoleViewer, trustmark.OrgManufacturer, trustmark.OrgCLA, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator); err != nil {
		return nil, err
	}
	var a *trustmark.Alert
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		if a, err = tx.Alert(id); err != nil || !canSeeAlert(pr, a) {
			return notFound("alert", id)
		}
		return nil
	})
	return a, err
}

// AlertToFinding turns an open or suppressed alert into a post-market
// surveillance finding: it records a failed, for-cause sample of the
// labeled product under the CLA's surveillance plan of the current year
// with note as its written findings, which — as any failed sample —
// suspends an active grant with the 20-day cure period (8.220(g)(4);
// FCC 24-26 para 127). The alert moves to state finding with the sample's
// ID. Who: a member of the alert's CLA. Errors: KindNotFound for anyone
// else's alert; KindConflict for a resolved alert or one already a
// finding; KindRule when the CLA has no plan for the current year.
func (p *Program) AlertToFinding(ctx context.Context, pr *trustmark.Principal, alertID, note string) (*trustmark.Alert, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgCLA); err != nil {
		return nil, err
	}
	if err := requireReason(note); err != nil {
		return nil, trustmark.FieldError("note", "write the finding: 3 to 2048 characters")
	}
	var a *trustmark.Alert
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		var err error
		if a, err = tx.Alert(alertID); err != nil || a.CLAID != pr.Org.ID {
			return notFound("alert", alertID)
		}
		if a.State != trustmark.AlertOpen && a.State != trustmark.AlertSuppressed {
			return stateError("alert %s is %s: only an open or suppressed alert can become a finding", alertID, a.State)
		}
		g, err := tx.Grant(a.LabelID)
		if err != nil {
			return err
		}
		now := p.Now()
		plans, err := tx.Plans(pr.Org.ID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(plans, func(pl trustmark.SurveillancePlan) bool { return pl.Year == now.Year() })
		if i < 0 {
			return ruleError("a finding is recorded as a for-cause sample of your surveillance plan for %d, which does not exist yet: create it first (POST /api/v1/surveillance/plans)", now.Year())
		}
		findings := note + " (vulnerability alert " + a.ID + ": " + a.AdvisoryID + " in " + componentLabel(a.Component) + ")"
		s := &trustmark.Sample{PlanID: plans[i].ID, LabelID: g.LabelID, CLAID: pr.Org.ID, ManufacturerID: g.ManufacturerID,
			State: trustmark.SampleFailed, Deadline: now, Findings: findings, ResultBy: pr.Actor(), ResultAt: &now, RequestedAt: now}
		if err := tx.CreateSample(s); err != nil {
			return err
		}
		if err := audit(tx, pr, now, "surveillance.result", "grant/"+string(g.LabelID), "", string(s.State), findings); err != nil {
			return err
		}
		m := p.newMonitor(tx, pr, now)
		from := a.State
		a.State, a.StateReason, a.SampleID, a.UpdatedAt = trustmark.AlertFinding, "surveillance finding by "+pr.Actor()+": "+note, s.ID, now
		if err := m.save(a, from, EventAlertFinding, false); err != nil {
			return err
		}
		if g.Status != trustmark.GrantActive {
			return nil // already suspended or ended: the finding is on record
		}
		return p.setStatus(tx, pr, g, trustmark.GrantSuspended, "post-market surveillance finding: "+findings, now)
	})
	return a, err
}

func componentLabel(c trustmark.SoftwareComponent) string {
	if c.Version != "" {
		return c.Name + " " + c.Version
	}
	return c.Name
}

// ---------------------------------------------------------------------------
// Re-matching and alerts.

// monitor applies matches to alerts within one transaction, counting what
// it changed and queueing notifications.
type monitor struct {
	p   *Program
	tx  trustmark.Tx
	pr  *trustmark.Principal
	now time.Time

	grants map[string][]trustmark.Grant        // by manufacturer
	vex    map[string][]trustmark.VEXStatement // by product
	hooks  map[string][]trustmark.Webhook      // by organization
	prods  map[string]*trustmark.Product       // by ID
	recs   map[trustmark.LabelID]*trustmark.RegistryRecord

	opened, reopened, suppressed, resolved int
}

func (p *Program) newMonitor(tx trustmark.Tx, pr *trustmark.Principal, now time.Time) *monitor {
	return &monitor{p: p, tx: tx, pr: pr, now: now, grants: map[string][]trustmark.Grant{}, vex: map[string][]trustmark.VEXStatement{},
		hooks: map[string][]trustmark.Webhook{}, prods: map[string]*trustmark.Product{}, recs: map[trustmark.LabelID]*trustmark.RegistryRecord{}}
}

// summary says what the monitor changed, for audit entries.
func (m *monitor) summary() string {
	return fmt.Sprintf("%d opened, %d reopened, %d suppressed, %d resolved", m.opened, m.reopened, m.suppressed, m.resolved)
}

// target is one SBOM whose alerts are reconciled, with its product's label.
type target struct {
	sbomID string
	prod   *trustmark.Product
	grant  *trustmark.Grant          // nil: not labeled, or the grant is final
	record *trustmark.RegistryRecord // the grant's record
}

// labeled reports whether the product's alerts are kept: it has a grant
// that is active or suspended.
func (t *target) labeled() bool { return t.grant != nil }

// target loads what alerts of an SBOM of prod need.
func (m *monitor) target(sbomID string, prod *trustmark.Product) (*target, error) {
	t := &target{sbomID: sbomID, prod: prod}
	grants, ok := m.grants[prod.ManufacturerID]
	if !ok {
		var err error
		if grants, err = m.tx.Grants(trustmark.GrantFilter{ManufacturerID: prod.ManufacturerID}); err != nil {
			return nil, err
		}
		m.grants[prod.ManufacturerID] = grants
	}
	for i := range grants {
		if g := &grants[i]; g.ProductID == prod.ID && !g.Status.Final() {
			t.grant = g
		}
	}
	if t.grant == nil {
		return t, nil
	}
	rec, ok := m.recs[t.grant.LabelID]
	if !ok {
		var err error
		if rec, err = m.tx.RegistryRecord(t.grant.LabelID); err != nil {
			return nil, err
		}
		m.recs[t.grant.LabelID] = rec
	}
	t.record = rec
	return t, nil
}

// product loads a product once per monitor.
func (m *monitor) product(id string) (*trustmark.Product, error) {
	if prod, ok := m.prods[id]; ok {
		return prod, nil
	}
	prod, err := m.tx.Product(id)
	if err != nil {
		return nil, err
	}
	m.prods[id] = prod
	return prod, nil
}

// statements loads a product's VEX statements once per monitor.
func (m *monitor) statements(productID string) ([]trustmark.VEXStatement, error) {
	if v, ok := m.vex[productID]; ok {
		return v, nil
	}
	v, err := m.tx.VEXStatements(productID)
	if err != nil {
		return nil, err
	}
	m.vex[productID] = v
	return v, nil
}

// sbomDisclosureWarning warns when a labeled product's registry record
// does not say an SBOM is maintained: the record is the manufacturer's
// disclosure (8.222(b)(10)), changed through its disclosures, not by an
// upload.
func (m *monitor) sbomDisclosureWarning(t *target) (string, error) {
	if t.record.SBOMHBOMMaintained.SBOMMaintained {
		return "", nil
	}
	return "the registry record of label " + string(t.grant.LabelID) + " says no SBOM is maintained (sbom_hbom_maintained.sbom_maintained is false); " +
		"update the grant's disclosures (PUT /api/v1/grants/" + string(t.grant.LabelID) + "/disclosures) to say it is", nil
}

// matcher holds the advisories one re-match considers, parsed and indexed.
type matcher struct {
	ix         *vuln.Index
	byOSV      map[*vuln.OSV]*trustmark.Advisory
	considered int
}

// keysOf returns the package keys and CPE vendor:product pairs of components.
func keysOf(comps []trustmark.SoftwareComponent) ([]trustmark.PackageKey, []string) {
	keys := map[trustmark.PackageKey]bool{}
	cpes := map[string]bool{}
	for _, c := range comps {
		if c.Ecosystem != "" && c.Package != "" {
			keys[trustmark.PackageKey{Ecosystem: c.Ecosystem, Name: c.Package}] = true
		} else if vp := trustmark.CPEVendorProduct(c.CPE); vp != "" {
			cpes[vp] = true
		}
	}
	return sortedKeys(keys), sortedStrings(cpes)
}

func sortedKeys(m map[trustmark.PackageKey]bool) []trustmark.PackageKey {
	out := make([]trustmark.PackageKey, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b trustmark.PackageKey) int {
		if c := strings.Compare(a.Ecosystem, b.Ecosystem); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

func sortedStrings(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// loadMatcher loads the advisories for the components' package keys and
// CPEs and parses them. Withdrawn advisories are left out: they match nothing.
func loadMatcher(tx trustmark.Tx, comps []trustmark.SoftwareComponent) (*matcher, error) {
	keys, cpes := keysOf(comps)
	var advs []trustmark.Advisory
	if len(keys) > 0 {
		var err error
		if advs, err = tx.AdvisoriesFor(keys); err != nil {
			return nil, err
		}
	}
	if len(cpes) > 0 {
		more, err := tx.AdvisoriesForCPE(cpes)
		if err != nil {
			return nil, err
		}
		advs = append(advs, more...)
	}
	return newMatcher(advs)
}

// matcherFor is loadMatcher in the monitor's transaction.
func (m *monitor) matcherFor(comps []trustmark.SoftwareComponent) (*matcher, error) {
	return loadMatcher(m.tx, comps)
}

func newMatcher(advs []trustmark.Advisory) (*matcher, error) {
	mt := &matcher{ix: vuln.NewIndex(), byOSV: map[*vuln.OSV]*trustmark.Advisory{}}
	seen := map[string]bool{}
	for i := range advs {
		a := &advs[i]
		if seen[a.ID] || a.Withdrawn != nil {
			continue
		}
		seen[a.ID] = true
		o, err := vuln.ParseOSV(a.OSV)
		if err != nil {
			return nil, trustmark.Internal(fmt.Errorf("stored advisory %s: %w", a.ID, err))
		}
		mt.byOSV[o] = a
		mt.considered++
		mt.ix.Add(o)
	}
	return mt, nil
}

// advisory returns the stored advisory a parsed one came from.
func (mt *matcher) advisory(o *vuln.OSV) *trustmark.Advisory { return mt.byOSV[o] }

// match matches components: those with a package key by package URL and
// the ecosystem's version rules, the others by CPE (lower confidence).
func (mt *matcher) match(comps []trustmark.SoftwareComponent) []vuln.Match {
	return mt.ix.Match(comps)
}

// alertKey identifies an alert within one SBOM, as the stores do: the
// advisory and the component's key (its package URL, or name and version).
func alertKey(advisoryID string, c trustmark.SoftwareComponent) string {
	return advisoryID + "\x00" + c.Key()
}

// wanted is one alert a match calls for.
type wanted struct {
	match    vuln.Match
	advisory *trustmark.Advisory
	vex      *trustmark.VEXStatement // the suppressing statement, if any
}

// reconcile brings the alerts of one labeled product's SBOM in line with
// matches of its components, made by mt. existing are the alerts to compare
// with (of the same SBOM, or of the product's previous SBOM, which move to
// t's); inScope says which existing alerts the matches speak for (nil:
// all), so an alert on a component not re-matched is left alone. Existing
// alerts in scope that are no longer matched are resolved with reason.
func (m *monitor) reconcile(t *target, mt *matcher, matches []vuln.Match, existing []trustmark.Alert, inScope func(trustmark.SoftwareComponent) bool, reason string) error {
	stmts, err := m.statements(t.prod.ID)
	if err != nil {
		return err
	}
	want := map[string]*wanted{}
	var order []string
	for _, mch := range matches {
		a := mt.advisory(mch.Advisory)
		if a == nil {
			return trustmark.Internal(fmt.Errorf("a match of an advisory the matcher does not hold"))
		}
		k := alertKey(a.ID, mch.Component)
		if _, dup := want[k]; dup {
			continue
		}
		w := &wanted{match: mch, advisory: a}
		if st, ok := vuln.Suppressed(mch, stmts); ok && st != nil && st.Status.Suppresses() {
			w.vex = st
		}
		want[k] = w
		order = append(order, k)
	}
	for i := range existing {
		a := &existing[i]
		k := alertKey(a.AdvisoryID, a.Component)
		w, matched := want[k]
		if !matched {
			if a.State == trustmark.AlertResolved || a.State == trustmark.AlertFinding || (inScope != nil && !inScope(a.Component)) {
				continue
			}
			if err := m.resolve(a, reason); err != nil {
				return err
			}
			continue
		}
		delete(want, k)
		if err := m.update(t, a, w); err != nil {
			return err
		}
	}
	for _, k := range order {
		if w, ok := want[k]; ok {
			if err := m.open(t, w); err != nil {
				return err
			}
		}
	}
	return nil
}

// fill sets an alert's matched fields from a wanted match.
func (m *monitor) fill(t *target, a *trustmark.Alert, w *wanted) {
	a.ProductID, a.SBOMID, a.ManufacturerID = t.prod.ID, t.sbomID, t.prod.ManufacturerID
	a.LabelID, a.CLAID = t.grant.LabelID, t.grant.CLAID
	a.AdvisoryID, a.Aliases, a.Summary, a.Severity = w.advisory.ID, w.advisory.Aliases, w.advisory.Summary, severityOf(w.advisory)
	a.Component, a.FixedVersion, a.Confidence = w.match.Component, w.match.FixedVersion, w.match.Confidence
	a.SupportRunning = t.record.IsSupported(m.now)
}

// vexReason says which statement suppresses or re-opens an alert, and who made it.
func vexReason(st *trustmark.VEXStatement) string {
	r := "VEX " + string(st.Status)
	if st.Justification != "" {
		r += " (" + st.Justification + ")"
	}
	r += " by " + st.Author + " on " + st.At.UTC().Format(time.DateOnly) + ", " + st.Source + " statement " + st.ID
	if st.Statement != "" {
		r += ": " + truncate(st.Statement, 300)
	}
	return r
}

// open stores a new alert for a wanted match.
func (m *monitor) open(t *target, w *wanted) error {
	a := &trustmark.Alert{State: trustmark.AlertOpen, OpenedAt: m.now, UpdatedAt: m.now}
	m.fill(t, a, w)
	if w.vex != nil {
		a.State, a.StateReason = trustmark.AlertSuppressed, vexReason(w.vex)
	}
	return m.save(a, "", EventAlertOpened, true)
}

// update refreshes an existing alert that is still matched, moving it to
// t's SBOM and re-applying VEX: an open alert a statement now covers is
// suppressed; a suppressed (or resolved) one no statement covers re-opens.
// A finding stays a finding.
func (m *monitor) update(t *target, a *trustmark.Alert, w *wanted) error {
	before := *a
	from := a.State
	m.fill(t, a, w)
	event := ""
	switch {
	case a.State == trustmark.AlertFinding:
	case w.vex != nil && a.State != trustmark.AlertSuppressed:
		a.State, a.StateReason, event = trustmark.AlertSuppressed, vexReason(w.vex), EventAlertSuppressed
	case w.vex == nil && a.State != trustmark.AlertOpen:
		reason := "matched again"
		if a.State == trustmark.AlertSuppressed {
			if st := latestStatement(m.vex[t.prod.ID], a); st != nil {
				reason = "re-opened by " + vexReason(st)
			} else {
				reason = "no VEX statement suppresses it any longer"
			}
		}
		a.State, a.StateReason, event = trustmark.AlertOpen, reason, EventAlertReopened
	}
	if event == "" && alertsEqual(&before, a) {
		return nil
	}
	a.UpdatedAt = m.now
	return m.save(a, from, event, false)
}

// latestStatement returns the newest statement naming the alert's advisory
// (or one of its aliases), for explaining a re-opening.
func latestStatement(stmts []trustmark.VEXStatement, a *trustmark.Alert) *trustmark.VEXStatement {
	for i := len(stmts) - 1; i >= 0; i-- {
		if st := &stmts[i]; st.VulnID == a.AdvisoryID || slices.Contains(a.Aliases, st.VulnID) {
			return st
		}
	}
	return nil
}

func alertsEqual(a, b *trustmark.Alert) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// resolve closes an alert that no longer matches.
func (m *monitor) resolve(a *trustmark.Alert, reason string) error {
	from := a.State
	a.State, a.StateReason, a.UpdatedAt = trustmark.AlertResolved, reason, m.now
	return m.save(a, from, EventAlertResolved, false)
}

// save stores an alert, counts the change, records it in the audit log and
// queues its notification (event "" stores quietly).
func (m *monitor) save(a *trustmark.Alert, from trustmark.AlertState, event string, isNew bool) error {
	if isNew {
		a.ID = ""
	}
	if err := m.tx.PutAlert(a); err != nil {
		return err
	}
	if event == "" {
		return nil
	}
	switch {
	case event == EventAlertOpened && a.State == trustmark.AlertSuppressed:
		m.suppressed++
	case event == EventAlertOpened:
		m.opened++
	case event == EventAlertReopened:
		m.reopened++
	case event == EventAlertSuppressed:
		m.suppressed++
	case event == EventAlertResolved:
		m.resolved++
	}
	detail := a.AdvisoryID + " in " + componentLabel(a.Component)
	if a.FixedVersion != "" {
		detail += ", fixed in " + a.FixedVersion
	}
	if a.StateReason != "" {
		detail += "; " + a.StateReason
	}
	if err := audit(m.tx, m.pr, m.now, event, "alert/"+a.ID, string(from), string(a.State), truncate(detail, 2000)); err != nil {
		return err
	}
	return m.notify(a, event)
}

// applyVEX re-applies a product's VEX statements to its alerts.
func (m *monitor) applyVEX(prod *trustmark.Product) error {
	alerts, err := m.tx.Alerts(trustmark.AlertFilter{ProductID: prod.ID})
	if err != nil {
		return err
	}
	stmts, err := m.statements(prod.ID)
	if err != nil {
		return err
	}
	parsed := map[string]*vuln.OSV{}
	for i := range alerts {
		a := &alerts[i]
		if a.State != trustmark.AlertOpen && a.State != trustmark.AlertSuppressed {
			continue
		}
		o, ok := parsed[a.AdvisoryID]
		if !ok {
			adv, err := m.tx.Advisory(a.AdvisoryID)
			if err != nil {
				return err
			}
			if o, err = vuln.ParseOSV(adv.OSV); err != nil {
				return trustmark.Internal(fmt.Errorf("stored advisory %s: %w", adv.ID, err))
			}
			parsed[a.AdvisoryID] = o
		}
		mch := vuln.Match{Advisory: o, Component: a.Component, FixedVersion: a.FixedVersion, Confidence: a.Confidence}
		st, ok := vuln.Suppressed(mch, stmts)
		suppress := ok && st != nil && st.Status.Suppresses()
		from := a.State
		switch {
		case suppress && a.State == trustmark.AlertOpen:
			a.State, a.StateReason, a.UpdatedAt = trustmark.AlertSuppressed, vexReason(st), m.now
			if err := m.save(a, from, EventAlertSuppressed, false); err != nil {
				return err
			}
		case !suppress && a.State == trustmark.AlertSuppressed:
			reason := "no VEX statement suppresses it any longer"
			if st := latestStatement(stmts, a); st != nil {
				reason = "re-opened by " + vexReason(st)
			}
			a.State, a.StateReason, a.UpdatedAt = trustmark.AlertOpen, reason, m.now
			if err := m.save(a, from, EventAlertReopened, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// rematch re-matches the current-SBOM components with any of keys, or
// with a CPE naming any of cpes, and reconciles their products' alerts.
func (m *monitor) rematch(keys map[trustmark.PackageKey]bool, cpes map[string]bool, res *ImportResult) error {
	var refs []trustmark.ComponentRef
	if len(keys) > 0 {
		var err error
		if refs, err = m.tx.CurrentComponents(sortedKeys(keys)); err != nil {
			return err
		}
	}
	if len(cpes) > 0 {
		more, err := m.tx.CurrentCPEComponents(sortedStrings(cpes))
		if err != nil {
			return err
		}
		refs = append(refs, more...)
	}
	if len(refs) == 0 {
		return nil
	}
	// Group by SBOM; keep labeled products only (others open no alerts).
	type group struct {
		t     *target
		comps []trustmark.SoftwareComponent
	}
	groups := map[string]*group{}
	var order []string
	var all []trustmark.SoftwareComponent
	for _, r := range refs {
		g, ok := groups[r.SBOMID]
		if !ok {
			prod, err := m.product(r.ProductID)
			if err != nil {
				return err
			}
			t, err := m.target(r.SBOMID, prod)
			if err != nil {
				return err
			}
			g = &group{t: t}
			groups[r.SBOMID] = g
			order = append(order, r.SBOMID)
		}
		if !g.t.labeled() {
			continue
		}
		g.comps = append(g.comps, r.Component)
		all = append(all, r.Component)
		res.ComponentsRematched++
	}
	if len(all) == 0 {
		return nil
	}
	mt, err := loadMatcher(m.tx, all)
	if err != nil {
		return err
	}
	for _, id := range order {
		g := groups[id]
		if len(g.comps) == 0 {
			continue
		}
		res.SBOMsRematched++
		existing, err := m.tx.AlertsFor(id)
		if err != nil {
			return err
		}
		scope := map[string]bool{}
		for _, c := range g.comps {
			scope[c.Key()] = true
		}
		inScope := func(c trustmark.SoftwareComponent) bool { return scope[c.Key()] }
		if err := m.reconcile(g.t, mt, mt.match(g.comps), existing, inScope, "no longer matched: the advisory was withdrawn or no longer affects this version"); err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Webhooks.

// webhookPayload is the JSON body of a notification, in the Standard
// Webhooks shape: {"type", "timestamp", "data"}.
type webhookPayload struct {
	Type      string           `json:"type"`
	Timestamp time.Time        `json:"timestamp"`
	Data      *trustmark.Alert `json:"data"`
}

// notify queues a notification of an alert change for every webhook of
// the alert's manufacturer and CLA.
func (m *monitor) notify(a *trustmark.Alert, event string) error {
	body, err := json.Marshal(webhookPayload{Type: event, Timestamp: m.now, Data: a})
	if err != nil {
		return trustmark.Internal(err)
	}
	for _, org := range []string{a.ManufacturerID, a.CLAID} {
		if org == "" {
			continue
		}
		hooks, ok := m.hooks[org]
		if !ok {
			if hooks, err = m.tx.Webhooks(org); err != nil {
				return err
			}
			m.hooks[org] = hooks
		}
		for _, h := range hooks {
			d := &trustmark.Delivery{WebhookID: h.ID, Event: event, Payload: body, NextTry: m.now, CreatedAt: m.now}
			if err := m.tx.EnqueueDelivery(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// WebhookSecretPrefix starts every webhook secret, as the Standard
// Webhooks specification writes them: "whsec_" and the base64 of the key.
const WebhookSecretPrefix = "whsec_"

// checkWebhookURL accepts an https URL, or an http URL on the loopback
// interface (127.0.0.1, ::1, localhost) for local receivers and tests.
func checkWebhookURL(s string) error {
	if len(s) > 2048 {
		return trustmark.FieldError("url", "is longer than 2048 characters")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || !u.IsAbs() || u.Opaque != "" {
		return trustmark.FieldError("url", "must be an absolute https:// URL; got %q", truncate(s, 80))
	}
	if u.User != nil {
		return trustmark.FieldError("url", "must not hold a user name or password; the signature authenticates deliveries")
	}
	if u.Fragment != "" {
		return trustmark.FieldError("url", "must not have a #fragment")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return trustmark.FieldError("url", "must use https:// (plain http:// only to 127.0.0.1, ::1 or localhost)")
	}
	return trustmark.FieldError("url", "must use https://; got scheme %q", truncate(u.Scheme, 20))
}

// sealer returns the AEAD that seals webhook secrets, or a KindRule error
// when the server was given no webhook key.
func (p *Program) sealer() (cipher.AEAD, error) {
	if len(p.webhookKey) == 0 {
		return nil, ruleError("webhooks are not enabled on this server: it was started without a webhook key")
	}
	// A key of its own for this purpose, whatever the key material's size.
	k := sha256.Sum256(append([]byte("trustmark webhook secret seal v1\x00"), p.webhookKey...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, trustmark.Internal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, trustmark.Internal(err)
	}
	return aead, nil
}

// sealAD binds a sealed secret to its organization and URL, so a sealed
// value copied onto another webhook row does not open.
func sealAD(orgID, u string) []byte { return []byte(orgID + "\x00" + u) }

// WebhooksEnabled reports whether the program can create and sign
// webhooks (it was given a webhook key).
func (p *Program) WebhooksEnabled() bool { return len(p.webhookKey) > 0 }

// CreateWebhook registers an endpoint of the caller's organization for
// alert notifications and returns it with its signing secret
// ("whsec_" + base64 of 256 random bits), shown this once. The store keeps
// the secret sealed with AES-256-GCM under a key derived from the server's
// webhook key. The URL must be https (plain http only to the loopback
// interface). Who: an admin of a manufacturer or a CLA. Errors:
// KindInvalid for a bad URL; KindRule beyond MaxWebhooks or when the
// server has no webhook key.
func (p *Program) CreateWebhook(ctx context.Context, pr *trustmark.Principal, rawURL string) (*trustmark.Webhook, string, error) {
	if err := need(pr, trustmark.RoleAdmin, trustmark.OrgManufacturer, trustmark.OrgCLA); err != nil {
		return nil, "", err
	}
	rawURL = strings.TrimSpace(rawURL)
	if err := checkWebhookURL(rawURL); err != nil {
		return nil, "", err
	}
	aead, err := p.sealer()
	if err != nil {
		return nil, "", err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, "", trustmark.Internal(err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", trustmark.Internal(err)
	}
	sealed := aead.Seal(nonce, nonce, key, sealAD(pr.Org.ID, rawURL))
	var w *trustmark.Webhook
	err = p.transact(ctx, func(tx trustmark.Tx) error {
		existing, err := tx.Webhooks(pr.Org.ID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxWebhooks {
			return ruleError("your organization has %d webhooks, the most allowed; delete one first", len(existing))
		}
		now := p.Now()
		w = &trustmark.Webhook{OrgID: pr.Org.ID, URL: rawURL, Secret: sealed, CreatedAt: now, CreatedBy: pr.Actor()}
		if err := tx.CreateWebhook(w); err != nil {
			return err
		}
		return audit(tx, pr, now, "webhook.create", "webhook/"+w.ID, "", "", webhookHost(rawURL))
	})
	if err != nil {
		return nil, "", err
	}
	w.Secret = nil
	return w, WebhookSecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// webhookHost is the part of a webhook URL audit entries and logs show: a
// URL's path or query may hold a receiver's own token.
func webhookHost(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Scheme + "://" + pu.Host
	}
	return ""
}

// Webhooks lists the caller's organization's webhooks, without secrets.
// Who: an admin of a manufacturer or a CLA.
func (p *Program) Webhooks(ctx context.Context, pr *trustmark.Principal) ([]trustmark.Webhook, error) {
	if err := need(pr, trustmark.RoleAdmin, trustmark.OrgManufacturer, trustmark.OrgCLA); err != nil {
		return nil, err
	}
	var out []trustmark.Webhook
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.Webhooks(pr.Org.ID)
		return err
	})
	for i := range out {
		out[i].Secret = nil
	}
	return out, err
}

// DeleteWebhook removes a webhook of the caller's organization; its queued
// deliveries are dropped. Who: an admin of a manufacturer or a CLA.
// Errors: KindNotFound for another organization's webhook.
func (p *Program) DeleteWebhook(ctx context.Context, pr *trustmark.Principal, id string) error {
	if err := need(pr, trustmark.RoleAdmin, trustmark.OrgManufacturer, trustmark.OrgCLA); err != nil {
		return err
	}
	return p.transact(ctx, func(tx trustmark.Tx) error {
		w, err := tx.Webhook(id)
		if err != nil || w.OrgID != pr.Org.ID {
			return notFound("webhook", id)
		}
		if err := tx.DeleteWebhook(id); err != nil {
			return err
		}
		return audit(tx, pr, p.Now(), "webhook.delete", "webhook/"+id, "", "", webhookHost(w.URL))
	})
}

// PendingDelivery is a claimed delivery with what sending it needs.
type PendingDelivery struct {
	trustmark.Delivery
	URL string
	// Secret is the webhook's signing key (the bytes "whsec_" encodes).
	// Never log it.
	Secret []byte
}

// ClaimDeliveries returns up to limit deliveries that are due, each with
// its webhook's URL and signing key, and hides them from other deliverers
// for a short lease so that servers sharing a store rarely send one twice
// (receivers must still tolerate duplicates: the Webhook-Id header is the
// same on every attempt). Deliveries of deleted webhooks, or whose secret
// does not open under this server's key, are abandoned with the reason.
func (p *Program) ClaimDeliveries(ctx context.Context, limit int) ([]PendingDelivery, error) {
	aead, err := p.sealer()
	if err != nil {
		return nil, err
	}
	var out []PendingDelivery
	err = p.transact(ctx, func(tx trustmark.Tx) error {
		out = nil
		now := p.Now()
		due, err := tx.DueDeliveries(now, limit)
		if err != nil {
			return err
		}
		hooks := map[string]*trustmark.Webhook{}
		for i := range due {
			d := &due[i]
			w, ok := hooks[d.WebhookID]
			if !ok {
				if w, err = tx.Webhook(d.WebhookID); err != nil && !trustmark.IsKind(err, trustmark.KindNotFound) {
					return err
				}
				hooks[d.WebhookID] = w
			}
			var key []byte
			switch {
			case w == nil:
				d.LastError = "abandoned: the webhook was deleted"
			case len(w.Secret) < aead.NonceSize():
				d.LastError = "abandoned: the webhook's secret is missing"
			default:
				if key, err = aead.Open(nil, w.Secret[:aead.NonceSize()], w.Secret[aead.NonceSize():], sealAD(w.OrgID, w.URL)); err != nil {
					key = nil
					d.LastError = "abandoned: the webhook's secret does not open under this server's webhook key"
				}
			}
			if key == nil {
				d.NextTry = deliveryAbandoned
				if err := tx.UpdateDelivery(d); err != nil {
					return err
				}
				continue
			}
			d.NextTry = now.Add(deliveryLease)
			if err := tx.UpdateDelivery(d); err != nil {
				return err
			}
			out = append(out, PendingDelivery{Delivery: *d, URL: w.URL, Secret: key})
		}
		return nil
	})
	return out, err
}

// RecordDelivery records the outcome of one attempt: sent (sendErr nil),
// or failed, to be retried with exponential backoff (30 s doubling, at
// most 6 h apart) until 24 hours after it was queued, then abandoned.
func (p *Program) RecordDelivery(ctx context.Context, d *trustmark.Delivery, sendErr error) error {
	return p.transact(ctx, func(tx trustmark.Tx) error {
		now := p.Now()
		d.Attempts++
		if sendErr == nil {
			d.SentAt, d.LastError = &now, ""
			return tx.UpdateDelivery(d)
		}
		d.LastError = truncate(sendErr.Error(), 500)
		wait := deliveryFirstRetry << min(d.Attempts-1, 20)
		if wait > deliveryMaxWait || wait <= 0 {
			wait = deliveryMaxWait
		}
		d.NextTry = now.Add(wait)
		if d.NextTry.Sub(d.CreatedAt) > deliveryGiveUp {
			d.NextTry = deliveryAbandoned
			d.LastError = truncate(fmt.Sprintf("abandoned after %d attempts over 24 hours; last error: %s", d.Attempts, sendErr), 500)
		}
		return tx.UpdateDelivery(d)
	})
}
