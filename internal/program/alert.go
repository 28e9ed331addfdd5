package program

import (
	"context"
	"slices"

	"trustmark"
)

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
