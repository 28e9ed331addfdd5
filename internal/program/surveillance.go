package program

import (
	"context"
	"time"

	"trustmark"
)

// PlanInput asks for a year's surveillance plan. Share defaults to 5 %;
// Seed, when nil, is drawn at random and recorded.
type PlanInput struct {
	Year  int     `json:"year"`
	Share float64 `json:"share,omitempty"`
	Seed  *uint64 `json:"seed,omitempty"`
}

// CreatePlan draws a CLA's post-market surveillance sample for a year from
// its active grants and asks each selected grantee for a sample within 30
// days (8.220(g)). Who: a member of a CLA.
func (p *Program) CreatePlan(ctx context.Context, pr *trustmark.Principal, in PlanInput) (*trustmark.SurveillancePlan, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgCLA); err != nil {
		return nil, err
	}
	if in.Share == 0 {
		in.Share = trustmark.DefaultSurveillanceShare
	}
	if in.Share <= 0 || in.Share > 1 {
		return nil, trustmark.FieldError("share", "must be more than 0 and at most 1 (e.g. 0.05 for 5%%)")
	}
	now := p.Now()
	if in.Year < now.Year()-1 || in.Year > now.Year()+1 {
		return nil, trustmark.FieldError("year", "must be within a year of %d", now.Year())
	}
	seed := p.seed()
	if in.Seed != nil {
		seed = *in.Seed
	}
	var plan *trustmark.SurveillancePlan
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		grants, err := tx.Grants(trustmark.GrantFilter{CLAID: pr.Org.ID, Status: trustmark.GrantActive})
		if err != nil {
			return err
		}
		ids := make([]trustmark.LabelID, len(grants))
		byID := map[trustmark.LabelID]trustmark.Grant{}
		for i, g := range grants {
			ids[i] = g.LabelID
			byID[g.LabelID] = g
		}
		plan = &trustmark.SurveillancePlan{CLAID: pr.Org.ID, Year: in.Year, Share: in.Share, Seed: seed,
			Selected: trustmark.SelectSample(ids, in.Share, seed), CreatedBy: pr.Actor(), CreatedAt: now}
		if err := tx.CreatePlan(plan); err != nil {
			return err
		}
		for _, id := range plan.Selected {
			s := &trustmark.Sample{PlanID: plan.ID, LabelID: id, CLAID: pr.Org.ID, ManufacturerID: byID[id].ManufacturerID,
				State: trustmark.SampleRequested, Deadline: now.Add(SampleDeadline), RequestedAt: now}
			if err := tx.CreateSample(s); err != nil {
				return err
			}
			if err := audit(tx, pr, now, "surveillance.request_sample", "grant/"+string(id), "", string(s.State), "sample "+s.ID+" due "+s.Deadline.Format(time.DateOnly)); err != nil {
				return err
			}
		}
		return audit(tx, pr, now, "surveillance.plan", "surveillance_plan/"+plan.ID, "", "", sampleDetail(plan, len(ids)))
	})
	return plan, err
}

func sampleDetail(plan *trustmark.SurveillancePlan, population int) string {
	return itoa(len(plan.Selected)) + " of " + itoa(population) + " active grants selected with seed " + utoa(plan.Seed)
}

// Plans lists surveillance plans: a CLA its own, the overseers every CLA's.
func (p *Program) Plans(ctx context.Context, pr *trustmark.Principal, claID string) ([]trustmark.SurveillancePlan, error) {
	if err := need(pr, trustmark.RoleViewer, trustmark.OrgCLA, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator); err != nil {
		return nil, err
	}
	if pr.Is(trustmark.OrgCLA) {
		claID = pr.Org.ID
	}
	if claID == "" {
		return nil, trustmark.FieldError("cla_id", "name the CLA whose plans to list")
	}
	var out []trustmark.SurveillancePlan
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.Plans(claID)
		return err
	})
	return out, err
}

// Samples lists surveillance samples: a CLA those it requested, a
// manufacturer those requested of it, the overseers all.
func (p *Program) Samples(ctx context.Context, pr *trustmark.Principal) ([]trustmark.Sample, error) {
	if err := need(pr, trustmark.RoleViewer, trustmark.OrgCLA, trustmark.OrgManufacturer, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator); err != nil {
		return nil, err
	}
	var f trustmark.SampleFilter
	switch pr.Org.Kind {
	case trustmark.OrgCLA:
		f.CLAID = pr.Org.ID
	case trustmark.OrgManufacturer:
		f.ManufacturerID = pr.Org.ID
	}
	var out []trustmark.Sample
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.Samples(f)
		return err
	})
	return out, err
}

// RecordSample records a sample's test result. A failure suspends the grant
// with a 20-day cure period (8.220(g)(4); FCC 24-26 para 127). Who: a member
// of the CLA that requested the sample.
func (p *Program) RecordSample(ctx context.Context, pr *trustmark.Principal, id string, passed bool, findings string) (*trustmark.Sample, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgCLA); err != nil {
		return nil, err
	}
	if !passed {
		if err := requireReason(findings); err != nil {
			return nil, trustmark.FieldError("findings", "a failed sample needs written findings")
		}
	}
	var s *trustmark.Sample
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		var err error
		if s, err = tx.Sample(id); err != nil || s.CLAID != pr.Org.ID {
			return notFound("sample", id)
		}
		if s.State != trustmark.SampleRequested {
			return stateError("sample %s already has a result (%s)", id, s.State)
		}
		now := p.Now()
		s.State, s.Findings, s.ResultBy, s.ResultAt = trustmark.SamplePassed, findings, pr.Actor(), &now
		if !passed {
			s.State = trustmark.SampleFailed
		}
		if err := tx.UpdateSample(s); err != nil {
			return err
		}
		if err := audit(tx, pr, now, "surveillance.result", "grant/"+string(s.LabelID), string(trustmark.SampleRequested), string(s.State), findings); err != nil {
			return err
		}
		if passed {
			return nil
		}
		g, err := tx.Grant(s.LabelID)
		if err != nil {
			return err
		}
		if g.Status != trustmark.GrantActive {
			return nil // already suspended or ended: the finding is on record
		}
		return p.setStatus(tx, pr, g, trustmark.GrantSuspended, "post-market surveillance test failed: "+findings, now)
	})
	return s, err
}
