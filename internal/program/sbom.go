package program

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"trustmark"
	"trustmark/internal/sbom"
	"trustmark/internal/vuln"
)

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

// monitorNewGrant matches the current SBOM of a product that has just been
// labeled, in the grant's transaction, so its alerts open at once rather
// than at the next upload or import. A product without an SBOM is left alone.
func (p *Program) monitorNewGrant(tx trustmark.Tx, pr *trustmark.Principal, prod *trustmark.Product, now time.Time) error {
	s, err := tx.CurrentSBOM(prod.ID)
	if trustmark.IsKind(err, trustmark.KindNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	m := p.newMonitor(tx, pr, now)
	t, err := m.target(s.ID, prod)
	if err != nil || !t.labeled() {
		return err
	}
	mt, err := m.matcherFor(s.Components)
	if err != nil {
		return err
	}
	existing, err := tx.AlertsFor(s.ID)
	if err != nil {
		return err
	}
	if err := m.reconcile(t, mt, mt.match(s.Components), existing, nil, "no longer matches the product's SBOM "+s.ID); err != nil {
		return err
	}
	return audit(tx, pr, now, "sbom.monitor", "product/"+prod.ID, "", s.ID, "labeled: current SBOM matched; alerts: "+m.summary())
}
