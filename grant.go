package trustmark

import "time"

// GrantStatus is the state of a grant of authority to use the label
// (47 CFR 8.209, 8.213, 8.216).
type GrantStatus string

// The grant statuses.
const (
	// GrantActive: the label may be used.
	GrantActive GrantStatus = "active"
	// GrantSuspended: a deficiency was found; the grantee has a cure period (20 days) to fix it.
	GrantSuspended GrantStatus = "suspended"
	// GrantTerminated: authority ended by the Bureau or after an uncured deficiency (8.216).
	GrantTerminated GrantStatus = "terminated"
	// GrantWithdrawn: the grant was revoked or withdrawn (8.213).
	GrantWithdrawn GrantStatus = "withdrawn"
	// GrantSurrendered: the grantee gave up the authority (8.213).
	GrantSurrendered GrantStatus = "surrendered"
	// GrantSetAside: the Commission set the grant aside on review (8.212, 8.213).
	GrantSetAside GrantStatus = "set_aside"
)

// GrantStatuses lists every grant status.
var GrantStatuses = []GrantStatus{GrantActive, GrantSuspended, GrantTerminated, GrantWithdrawn, GrantSurrendered, GrantSetAside}

// Valid reports whether s is a known status.
func (s GrantStatus) Valid() bool {
	for _, v := range GrantStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Final reports whether no further status change is possible: a terminated,
// withdrawn, surrendered or set-aside grant stays so, and its label ID is
// never given to another product.
func (s GrantStatus) Final() bool {
	return s == GrantTerminated || s == GrantWithdrawn || s == GrantSurrendered || s == GrantSetAside
}

// CanBecome reports whether a grant in status s may move to status to:
// active and suspended may move to each other (suspension and cure) and to
// any final status; a final status never changes.
func (s GrantStatus) CanBecome(to GrantStatus) bool {
	if s.Final() || !to.Valid() || s == to {
		return false
	}
	return true
}

// CurePeriod is how long a grantee has to cure a deficiency before a
// suspended grant is terminated (FCC 24-26 paras 127, 129).
const CurePeriod = 20 * 24 * time.Hour

// Grant is the authority a CLA gave a manufacturer to put the label on a product.
type Grant struct {
	LabelID         LabelID     `json:"label_id"`
	ProductID       string      `json:"product_id"`
	ManufacturerID  string      `json:"manufacturer_id"`
	CLAID           string      `json:"cla_id"`
	LabID           string      `json:"lab_id"`
	Status          GrantStatus `json:"status"`
	StatusReason    string      `json:"status_reason,omitempty"`
	GrantedAt       time.Time   `json:"granted_at"`
	StatusChangedAt time.Time   `json:"status_changed_at"`
	// CureDeadline is set while the grant is suspended: the end of the cure period.
	CureDeadline *time.Time `json:"cure_deadline,omitempty"`
}

// Validate checks the grant's fields.
func (g *Grant) Validate() error {
	if _, err := ParseLabelID(string(g.LabelID)); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{
		{"product_id", g.ProductID}, {"manufacturer_id", g.ManufacturerID}, {"cla_id", g.CLAID}, {"lab_id", g.LabID},
	} {
		if f.v == "" {
			return FieldError(f.name, "is required")
		}
	}
	if !g.Status.Valid() {
		return FieldError("status", "%q is not a grant status", truncate(string(g.Status), 40))
	}
	if g.GrantedAt.IsZero() {
		return FieldError("granted_at", "is required")
	}
	if g.Status == GrantSuspended && g.CureDeadline == nil {
		return FieldError("cure_deadline", "is required while a grant is suspended")
	}
	if g.Status != GrantSuspended && g.CureDeadline != nil {
		return FieldError("cure_deadline", "is only set while a grant is suspended")
	}
	return checkText("status_reason", g.StatusReason, 0, maxText)
}

// StatusChange asks to move a grant to a new status.
type StatusChange struct {
	LabelID LabelID     `json:"label_id"`
	To      GrantStatus `json:"to"`
	Reason  string      `json:"reason"`
	At      time.Time   `json:"at"`
}

// Validate checks the change on its own; whether it is allowed from the
// grant's current status is checked by the store inside its transaction.
func (c *StatusChange) Validate() error {
	if _, err := ParseLabelID(string(c.LabelID)); err != nil {
		return err
	}
	if !c.To.Valid() {
		return FieldError("to", "%q is not a grant status", truncate(string(c.To), 40))
	}
	if c.At.IsZero() {
		return FieldError("at", "is required")
	}
	if c.To != GrantActive {
		if err := checkText("reason", c.Reason, 1, maxText); err != nil {
			return FieldError("reason", "a written reason is required for a change to %s", c.To)
		}
	}
	return checkText("reason", c.Reason, 0, maxText)
}

// Apply moves the grant to the status c asks for, enforcing the allowed
// transitions: suspension starts a cure period, a cure (back to active)
// clears it, and a final status can never change again. Errors: KindInvalid,
// KindRule.
func (g *Grant) Apply(c StatusChange) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if !g.Status.CanBecome(c.To) {
		if g.Status.Final() {
			return Errorf(KindRule, "grant %s is %s, a final status that cannot change", g.LabelID, g.Status)
		}
		return Errorf(KindRule, "grant %s is already %s", g.LabelID, g.Status)
	}
	g.Status = c.To
	g.StatusReason = c.Reason
	g.StatusChangedAt = c.At
	g.CureDeadline = nil
	if c.To == GrantSuspended {
		d := c.At.Add(CurePeriod)
		g.CureDeadline = &d
	}
	return nil
}

// Prepare readies a new grant and its registry record for storing: it
// validates both, aligns the record with the grant (status, dates) and sets
// the record's creation and modification times to the grant's time. Stores
// call it before they write. Errors: KindInvalid.
func (g *Grant) Prepare(r *RegistryRecord) error {
	if g.StatusChangedAt.IsZero() {
		g.StatusChangedAt = g.GrantedAt
	}
	if err := g.Validate(); err != nil {
		return err
	}
	if r.LabelID != g.LabelID {
		return FieldError("label_id", "the record's label ID %s differs from the grant's %s", r.LabelID, g.LabelID)
	}
	g.SyncRecord(r)
	r.Created, r.Modified = g.GrantedAt.UTC(), g.GrantedAt.UTC()
	return r.Validate()
}

// SyncRecord copies the grant's status into its registry record.
func (g *Grant) SyncRecord(r *RegistryRecord) {
	r.Status = g.Status
	r.StatusReason = g.StatusReason
	r.StatusDate = DateOf(g.StatusChangedAt)
	r.CureDeadline = nil
	if g.CureDeadline != nil {
		d := DateOf(*g.CureDeadline)
		r.CureDeadline = &d
	}
}

// NewRegistryRecord assembles the registry record of a new grant from the
// product, the parties and the manufacturer's disclosures.
func NewRegistryRecord(g *Grant, p *Product, manufacturer, cla, lab *Organization, d Disclosures) *RegistryRecord {
	r := &RegistryRecord{
		LabelID:           g.LabelID,
		ProductClass:      p.Class,
		Components:        p.Components,
		ProductName:       p.Name,
		ManufacturerName:  manufacturer.Name,
		ManufacturerID:    manufacturer.ID,
		AuthorizationDate: DateOf(g.GrantedAt),
		AuthorizedBy:      Party{Name: cla.Name, Contact: cla.Contact},
		TestedBy:          Party{Name: lab.Name, Contact: lab.Contact},
		VersionAndModelNumbers: VersionAndModelNumbers{
			ModelNumbers: p.ModelNumbers, HardwareVersion: p.HardwareVersion, SoftwareVersion: p.SoftwareVersion,
		},
		ProductManufacturer: manufacturer.Name,
		Created:             g.GrantedAt,
		Modified:            g.GrantedAt,
		Disclosures:         d,
	}
	r.Disclosures.Normalize()
	if len(p.ModelNumbers) > 0 {
		r.ProductModel = p.ModelNumbers[0]
	}
	g.SyncRecord(r)
	return r
}
