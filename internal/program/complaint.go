package program

import (
	"context"

	"trustmark"
)

// FileComplaint records a complaint about a labeled product from anyone
// (no token needed) and routes it to the grant's CLA.
func (p *Program) FileComplaint(ctx context.Context, pr *trustmark.Principal, c trustmark.Complaint) (*trustmark.Complaint, error) {
	if _, err := trustmark.ParseLabelID(string(c.LabelID)); err != nil {
		return nil, err
	}
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		g, err := tx.Grant(c.LabelID)
		if err != nil {
			return err
		}
		now := p.Now()
		c.ID, c.CLAID, c.ManufacturerID, c.State, c.Resolution, c.FiledAt, c.UpdatedAt = "", g.CLAID, g.ManufacturerID, trustmark.ComplaintWithCLA, "", now, now
		if err := tx.CreateComplaint(&c); err != nil {
			return err
		}
		return audit(tx, pr, now, "complaint.file", "complaint/"+c.ID, "", string(c.State), "about label "+string(c.LabelID))
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Complaints lists complaints: a CLA those routed to it, a manufacturer
// those about its products (without the complainant's contact), the
// overseers all.
func (p *Program) Complaints(ctx context.Context, pr *trustmark.Principal) ([]trustmark.Complaint, error) {
	if err := need(pr, trustmark.RoleViewer, trustmark.OrgCLA, trustmark.OrgManufacturer, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator); err != nil {
		return nil, err
	}
	var f trustmark.ComplaintFilter
	switch pr.Org.Kind {
	case trustmark.OrgCLA:
		f.CLAID = pr.Org.ID
	case trustmark.OrgManufacturer:
		f.ManufacturerID = pr.Org.ID
	}
	var out []trustmark.Complaint
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.Complaints(f)
		return err
	})
	if pr.Is(trustmark.OrgManufacturer) {
		for i := range out {
			out[i].Contact = ""
		}
	}
	return out, err
}

// complaintHolder is who holds a complaint in each open state.
var complaintHolder = map[trustmark.ComplaintState]trustmark.OrgKind{
	trustmark.ComplaintWithCLA:       trustmark.OrgCLA,
	trustmark.ComplaintWithLead:      trustmark.OrgLeadAdministrator,
	trustmark.ComplaintWithRegulator: trustmark.OrgRegulator,
}

// nextHolder is where "refer" sends a complaint: CLA → Lead Administrator → regulator.
var nextHolder = map[trustmark.ComplaintState]trustmark.ComplaintState{
	trustmark.ComplaintWithCLA:  trustmark.ComplaintWithLead,
	trustmark.ComplaintWithLead: trustmark.ComplaintWithRegulator,
}

// ActOnComplaint lets the complaint's current holder "refer" it onward
// (CLA → Lead Administrator → regulator), "close" it with a note, or find it
// "justify"-ed, which suspends the grant with a 20-day cure period (8.214).
// The Lead Administrator may refer or close but not justify. Who: a member
// of the holding organization.
func (p *Program) ActOnComplaint(ctx context.Context, pr *trustmark.Principal, id, action, note string) (*trustmark.Complaint, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgCLA, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator); err != nil {
		return nil, err
	}
	if err := requireReason(note); err != nil {
		return nil, trustmark.FieldError("note", "say why (3 to 2048 characters)")
	}
	var c *trustmark.Complaint
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		var err error
		if c, err = tx.Complaint(id); err != nil {
			return notFound("complaint", id)
		}
		if pr.Is(trustmark.OrgCLA) && c.CLAID != pr.Org.ID {
			return notFound("complaint", id)
		}
		holder, open := complaintHolder[c.State]
		if !open {
			return stateError("complaint %s is %s and closed to further action", id, c.State)
		}
		if pr.Org.Kind != holder {
			return trustmark.Errorf(trustmark.KindForbidden, "complaint %s is with the %s, not with you", id, holder)
		}
		now := p.Now()
		from := c.State
		switch action {
		case "refer":
			next, ok := nextHolder[c.State]
			if !ok {
				return stateError("the regulator is the last stop: decide the complaint (justify or close)")
			}
			c.State = next
		case "close":
			c.State, c.Resolution = trustmark.ComplaintClosed, note
		case "justify":
			if pr.Is(trustmark.OrgLeadAdministrator) {
				return trustmark.Errorf(trustmark.KindForbidden, "the Lead Administrator routes complaints; the CLA or the regulator decides them")
			}
			c.State, c.Resolution = trustmark.ComplaintJustified, note
			g, err := tx.Grant(c.LabelID)
			if err != nil {
				return err
			}
			if g.Status == trustmark.GrantActive {
				if err := p.setStatus(tx, pr, g, trustmark.GrantSuspended, "complaint found justified: "+note, now); err != nil {
					return err
				}
			}
		default:
			return trustmark.FieldError("action", "must be refer, close or justify")
		}
		c.UpdatedAt = now
		if err := tx.UpdateComplaint(c); err != nil {
			return err
		}
		return audit(tx, pr, now, "complaint."+action, "complaint/"+c.ID, string(from), string(c.State), note)
	})
	return c, err
}
