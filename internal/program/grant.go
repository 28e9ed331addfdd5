package program

import (
	"context"
	"time"

	"trustmark"
)

// GrantView is a grant as its parties see it, with its renewal due date.
type GrantView struct {
	trustmark.Grant
	// RenewalDue is when the grant must be renewed under its product class's
	// renewal policy; absent when no interval applies.
	RenewalDue *time.Time `json:"renewal_due,omitempty"`
	// Artwork links the label's print artwork, for the grant's manufacturer
	// and CLA while the grant is active; absent otherwise.
	Artwork *ArtworkLinks `json:"artwork,omitempty"`
}

// canSeeGrant: the grant's manufacturer, CLA and lab, and the overseers.
func canSeeGrant(pr *trustmark.Principal, g *trustmark.Grant) bool {
	id := pr.Org.ID
	return overseer(pr) || id == g.ManufacturerID || id == g.CLAID || id == g.LabID
}

func renewalDue(tx trustmark.Tx, g *trustmark.Grant) (*time.Time, error) {
	prod, err := tx.Product(g.ProductID)
	if err != nil {
		return nil, err
	}
	pols, err := tx.RenewalPolicies()
	if err != nil {
		return nil, err
	}
	for _, pol := range pols {
		if pol.Class == prod.Class && pol.IntervalMonths > 0 {
			due := g.GrantedAt.AddDate(0, pol.IntervalMonths, 0)
			return &due, nil
		}
	}
	return nil, nil
}

// Grant returns one grant. Who: its parties and the overseers (the public
// reads the registry record instead).
func (p *Program) Grant(ctx context.Context, pr *trustmark.Principal, id trustmark.LabelID) (*GrantView, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	var v GrantView
	err := p.view(ctx, func(tx trustmark.Tx) error {
		g, err := tx.Grant(id)
		if err != nil || !canSeeGrant(pr, g) {
			return notFound("grant", string(id))
		}
		v.Grant = *g
		v.Artwork = artworkLinks(pr, g)
		v.RenewalDue, err = renewalDue(tx, g)
		return err
	})
	return &v, err
}

// Grants lists the grants the caller is party to (overseers: all).
func (p *Program) Grants(ctx context.Context, pr *trustmark.Principal, f trustmark.GrantFilter) ([]trustmark.Grant, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, trustmark.FieldError("status", "must be one of active, suspended, terminated, withdrawn, surrendered, set_aside")
	}
	switch pr.Org.Kind {
	case trustmark.OrgManufacturer:
		f.ManufacturerID = pr.Org.ID
	case trustmark.OrgCLA:
		f.CLAID = pr.Org.ID
	case trustmark.OrgLab:
		return nil, trustmark.Errorf(trustmark.KindForbidden, "labs read grants one by one; there is no listing for labs")
	}
	var out []trustmark.Grant
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.Grants(f)
		return err
	})
	return out, err
}

// UpdateDisclosures changes a grant's registry disclosures. Extending the
// support period needs no re-certification (FCC 24-26 para 117); shortening
// it is refused, since the applicant declared to support the product until
// the date it disclosed (8.208(c)(7)). Who: the grant's manufacturer.
func (p *Program) UpdateDisclosures(ctx context.Context, pr *trustmark.Principal, id trustmark.LabelID, d trustmark.Disclosures) (*trustmark.RegistryRecord, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgManufacturer); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	d.Normalize()
	var rec *trustmark.RegistryRecord
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		g, err := tx.Grant(id)
		if err != nil || g.ManufacturerID != pr.Org.ID {
			return notFound("grant", string(id))
		}
		if g.Status.Final() {
			return stateError("grant %s is %s: its disclosures can no longer change", id, g.Status)
		}
		if rec, err = tx.RegistryRecord(id); err != nil {
			return err
		}
		old := rec.SupportDate
		if string(d.SupportDate) < string(old) {
			return ruleError("the support end date cannot move earlier than the disclosed %s (8.208(c)(7)); only extensions are allowed", old)
		}
		now := p.Now()
		rec.Disclosures = d
		rec.Modified = now
		if err := tx.SaveGrant(g, rec); err != nil {
			return err
		}
		detail := "disclosures updated"
		if d.SupportDate != old {
			detail = "support extended from " + string(old) + " to " + string(d.SupportDate)
		}
		return audit(tx, pr, now, "grant.disclosures", "grant/"+string(id), "", "", detail)
	})
	return rec, err
}

// statusRule says who may move a grant to each status.
var statusRule = map[trustmark.GrantStatus]struct {
	kinds []trustmark.OrgKind
	own   bool // a CLA or manufacturer must be the grant's own
}{
	trustmark.GrantSuspended:   {[]trustmark.OrgKind{trustmark.OrgCLA, trustmark.OrgRegulator}, true},
	trustmark.GrantActive:      {[]trustmark.OrgKind{trustmark.OrgCLA, trustmark.OrgRegulator}, true}, // cure
	trustmark.GrantWithdrawn:   {[]trustmark.OrgKind{trustmark.OrgCLA, trustmark.OrgRegulator}, true},
	trustmark.GrantTerminated:  {[]trustmark.OrgKind{trustmark.OrgRegulator}, false}, // 8.216: by Bureau notice
	trustmark.GrantSetAside:    {[]trustmark.OrgKind{trustmark.OrgRegulator}, false},
	trustmark.GrantSurrendered: {[]trustmark.OrgKind{trustmark.OrgManufacturer}, true},
}

// ChangeStatus moves a grant to a new status with a written reason:
// suspend (CLA or regulator; starts the 20-day cure period), cure back to
// active (CLA or regulator), withdraw (CLA or regulator), terminate and set
// aside (regulator), surrender (the manufacturer).
func (p *Program) ChangeStatus(ctx context.Context, pr *trustmark.Principal, id trustmark.LabelID, to trustmark.GrantStatus, reason string) (*trustmark.Grant, error) {
	if err := needAuth(pr); err != nil {
		return nil, err
	}
	rule, ok := statusRule[to]
	if !ok {
		return nil, trustmark.FieldError("status", "must be one of suspended, active, withdrawn, terminated, set_aside, surrendered")
	}
	if err := need(pr, trustmark.RoleMember, rule.kinds...); err != nil {
		return nil, err
	}
	var g *trustmark.Grant
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		var err error
		if g, err = tx.Grant(id); err != nil || !canSeeGrant(pr, g) {
			return notFound("grant", string(id))
		}
		if rule.own && pr.Org.Kind != trustmark.OrgRegulator && pr.Org.ID != g.CLAID && pr.Org.ID != g.ManufacturerID {
			return trustmark.Errorf(trustmark.KindForbidden, "only the grant's own %s may do this", pr.Org.Kind)
		}
		return p.setStatus(tx, pr, g, to, reason, p.Now())
	})
	return g, err
}

// setStatus applies a status change to a loaded grant and its record.
func (p *Program) setStatus(tx trustmark.Tx, pr *trustmark.Principal, g *trustmark.Grant, to trustmark.GrantStatus, reason string, now time.Time) error {
	from := g.Status
	if to == trustmark.GrantActive && from != trustmark.GrantSuspended {
		return stateError("grant %s is %s: only a suspended grant can be cured", g.LabelID, from)
	}
	if err := g.Apply(trustmark.StatusChange{LabelID: g.LabelID, To: to, Reason: reason, At: now}); err != nil {
		if trustmark.IsKind(err, trustmark.KindRule) {
			return stateError("%s", trustmark.PublicMessage(err))
		}
		return err
	}
	rec, err := tx.RegistryRecord(g.LabelID)
	if err != nil {
		return err
	}
	rec.Modified = now
	if err := tx.SaveGrant(g, rec); err != nil {
		return err
	}
	return audit(tx, pr, now, "grant.status", "grant/"+string(g.LabelID), string(from), string(to), reason)
}

// Sweep applies the program's clocks at the current time: every suspended
// grant whose 20-day cure period has ended is terminated (FCC 24-26 paras
// 127, 129), and every record whose support date has passed gets its
// support_ended event in the log, once. It returns the label IDs whose
// records changed. The server runs it
// periodically; the overseers may run it at once.
func (p *Program) Sweep(ctx context.Context) ([]trustmark.LabelID, error) {
	var changed []trustmark.LabelID
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		now := p.Now()
		due, err := tx.Grants(trustmark.GrantFilter{CureBefore: now})
		if err != nil {
			return err
		}
		for i := range due {
			g := &due[i]
			if err := p.setStatus(tx, systemActor, g, trustmark.GrantTerminated, "the deficiency was not cured within the 20-day cure period", now); err != nil {
				return err
			}
			changed = append(changed, g.LabelID)
		}
		ended, err := tx.LogSupportEnded(trustmark.DateOf(now), now)
		if err != nil {
			return err
		}
		for _, id := range ended {
			if err := audit(tx, systemActor, now, "grant.support_ended", "grant/"+string(id), "", "", "support period ended"); err != nil {
				return err
			}
		}
		return sweepSessions(tx, now)
	})
	return changed, err
}

// SweepNow runs Sweep for an overseer. Who: a member of the Lead
// Administrator or the regulator.
func (p *Program) SweepNow(ctx context.Context, pr *trustmark.Principal) ([]trustmark.LabelID, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator); err != nil {
		return nil, err
	}
	return p.Sweep(ctx)
}

// AuditLog returns audit entries, newest first. Who: the overseers.
func (p *Program) AuditLog(ctx context.Context, pr *trustmark.Principal, f trustmark.AuditFilter) ([]trustmark.AuditEntry, error) {
	if err := need(pr, trustmark.RoleViewer, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator); err != nil {
		return nil, err
	}
	var out []trustmark.AuditEntry
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.AuditEntries(f)
		return err
	})
	return out, err
}
