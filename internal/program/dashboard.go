package program

import (
	"context"
	"math"
	"slices"
	"time"

	"trustmark"
)

// Dashboard is the overseers' view of the whole program at one moment: how
// many grants were issued and what became of them, which support periods
// are about to end, which complaints are open and which suspended grants
// are running out of their cure period (FCC 24-26 paras 127, 129).
type Dashboard struct {
	// Now is the moment the figures describe.
	Now time.Time `json:"now"`
	// GrantsByMonth counts the grants issued in each of the last 12 months
	// (the current month last), by their status now.
	GrantsByMonth []MonthGrants `json:"grants_by_month"`
	// GrantsByStatus counts every grant by its status now, in the order of
	// trustmark.GrantStatuses.
	GrantsByStatus []StatusCount `json:"grants_by_status"`
	// SupportEnding counts, for the current month and the 11 after it, the
	// active and suspended grants whose support period ends in that month
	// (from today on): the products about to lose security updates
	// (8.222(b)(9)).
	SupportEnding []MonthCount `json:"support_ending"`
	// OpenComplaints counts the complaints in each open state, in routing
	// order: with the CLA, the Lead Administrator, the regulator.
	OpenComplaints []StateCount `json:"open_complaints"`
	// CureClocks lists the suspended grants, the nearest cure deadline first.
	CureClocks []CureClock `json:"cure_clocks"`
	// Organizations counts the parties by kind, in the order of trustmark.OrgKinds.
	Organizations []KindCount `json:"organizations"`
	// Labs counts the CyberLABs by the state of their recognition.
	Labs LabCounts `json:"labs"`
	// Applications counts the applications by state, in the order of AppStates.
	Applications []StateCount `json:"applications"`
}

// MonthGrants is the grants issued in one calendar month (UTC), by status now.
type MonthGrants struct {
	// Month is the month's first day, 00:00 UTC.
	Month time.Time `json:"month"`
	// ByStatus counts the month's grants by status, in the order of
	// trustmark.GrantStatuses; every status is present.
	ByStatus []StatusCount `json:"by_status"`
	Total    int           `json:"total"`
}

// MonthCount is a number for one calendar month (UTC).
type MonthCount struct {
	Month time.Time `json:"month"`
	Count int       `json:"count"`
}

// StatusCount is how many grants have one status.
type StatusCount struct {
	Status trustmark.GrantStatus `json:"status"`
	Count  int                   `json:"count"`
}

// StateCount is how many things are in one state (a complaint or
// application state).
type StateCount struct {
	State string `json:"state"`
	Count int    `json:"count"`
}

// KindCount is how many organizations are of one kind.
type KindCount struct {
	Kind  trustmark.OrgKind `json:"kind"`
	Count int               `json:"count"`
}

// LabCounts splits the labs by recognition: recognized and able to report,
// recognized but with an expired accreditation (8.217(f)), and withdrawn.
type LabCounts struct {
	Recognized int `json:"recognized"`
	Expired    int `json:"expired"`
	Withdrawn  int `json:"withdrawn"`
}

// CureClock is one suspended grant and the time left to cure it.
type CureClock struct {
	LabelID     trustmark.LabelID `json:"label_id"`
	ProductName string            `json:"product_name"`
	CLAID       string            `json:"cla_id"`
	CLAName     string            `json:"cla_name"`
	SuspendedAt time.Time         `json:"suspended_at"`
	Reason      string            `json:"reason"`
	Deadline    time.Time         `json:"deadline"`
	// DaysLeft is the whole days, rounded up, until the deadline; 0 once it
	// has passed.
	DaysLeft int `json:"days_left"`
	// Overdue is set when the deadline has passed and the next sweep will
	// terminate the grant.
	Overdue bool `json:"overdue"`
}

// AppStates lists the application states in the order of their life.
var AppStates = []trustmark.ApplicationState{trustmark.AppDraft, trustmark.AppSubmitted, trustmark.AppInfoRequested,
	trustmark.AppUnderReview, trustmark.AppUnderAppeal, trustmark.AppGranted, trustmark.AppDenied, trustmark.AppDismissed}

// OpenComplaintStates lists the states of a complaint still being handled,
// in routing order.
var OpenComplaintStates = []trustmark.ComplaintState{trustmark.ComplaintWithCLA, trustmark.ComplaintWithLead, trustmark.ComplaintWithRegulator}

// DashboardMonths is how many months the dashboard looks back and ahead.
const DashboardMonths = 12

// Dashboard gathers the program's figures for the overseers. Who: the Lead
// Administrator and the regulator, any role; others get KindForbidden.
func (p *Program) Dashboard(ctx context.Context, pr *trustmark.Principal) (*Dashboard, error) {
	if err := need(pr, trustmark.RoleViewer, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator); err != nil {
		return nil, err
	}
	now := p.Now()
	d := &Dashboard{Now: now}
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	first := thisMonth.AddDate(0, -(DashboardMonths - 1), 0)
	for i := range DashboardMonths {
		m := MonthGrants{Month: first.AddDate(0, i, 0)}
		for _, s := range trustmark.GrantStatuses {
			m.ByStatus = append(m.ByStatus, StatusCount{Status: s})
		}
		d.GrantsByMonth = append(d.GrantsByMonth, m)
		d.SupportEnding = append(d.SupportEnding, MonthCount{Month: thisMonth.AddDate(0, i, 0)})
	}
	for _, s := range trustmark.GrantStatuses {
		d.GrantsByStatus = append(d.GrantsByStatus, StatusCount{Status: s})
	}
	today := string(trustmark.DateOf(now))
	horizon := thisMonth.AddDate(0, DashboardMonths, 0)
	err := p.view(ctx, func(tx trustmark.Tx) error {
		grants, err := tx.Grants(trustmark.GrantFilter{})
		if err != nil {
			return err
		}
		claNames := map[string]string{}
		for _, g := range grants {
			si := slices.Index(trustmark.GrantStatuses, g.Status)
			if si < 0 {
				continue // a status this build does not know: not counted
			}
			d.GrantsByStatus[si].Count++
			granted := g.GrantedAt.UTC()
			if !granted.Before(first) && granted.Before(thisMonth.AddDate(0, 1, 0)) {
				m := &d.GrantsByMonth[monthsBetween(first, granted)]
				m.ByStatus[si].Count++
				m.Total++
			}
			if g.Status != trustmark.GrantActive && g.Status != trustmark.GrantSuspended {
				continue
			}
			// Support periods matter only while the grant stands. One record
			// read per standing grant: fine for the program's size (tens of
			// thousands); a store-side count would be the next step.
			rec, err := tx.RegistryRecord(g.LabelID)
			if err != nil {
				return err
			}
			if support, err := time.Parse(time.DateOnly, string(rec.SupportDate)); err == nil &&
				string(rec.SupportDate) >= today && support.Before(horizon) {
				d.SupportEnding[monthsBetween(thisMonth, support)].Count++
			}
			if g.Status == trustmark.GrantSuspended && g.CureDeadline != nil {
				if _, ok := claNames[g.CLAID]; !ok {
					if cla, err := tx.Organization(g.CLAID); err == nil {
						claNames[g.CLAID] = cla.Name
					}
				}
				d.CureClocks = append(d.CureClocks, cureClock(&g, rec, claNames[g.CLAID], now))
			}
		}
		slices.SortStableFunc(d.CureClocks, func(a, b CureClock) int { return a.Deadline.Compare(b.Deadline) })

		complaints, err := tx.Complaints(trustmark.ComplaintFilter{})
		if err != nil {
			return err
		}
		for _, s := range OpenComplaintStates {
			d.OpenComplaints = append(d.OpenComplaints, StateCount{State: string(s)})
		}
		for _, c := range complaints {
			if i := slices.Index(OpenComplaintStates, c.State); i >= 0 {
				d.OpenComplaints[i].Count++
			}
		}

		apps, err := tx.Applications(trustmark.ApplicationFilter{})
		if err != nil {
			return err
		}
		for _, s := range AppStates {
			d.Applications = append(d.Applications, StateCount{State: string(s)})
		}
		for _, a := range apps {
			if i := slices.Index(AppStates, a.State); i >= 0 {
				d.Applications[i].Count++
			}
		}

		labs, err := tx.Labs()
		if err != nil {
			return err
		}
		for _, l := range labs {
			switch {
			case l.Status != trustmark.LabRecognized:
				d.Labs.Withdrawn++
			case l.CanReport(now) != nil:
				d.Labs.Expired++
			default:
				d.Labs.Recognized++
			}
		}

		// The Tx has no organization listing; the store's, read while this
		// snapshot is open, is as current (the Directory reads it the same way).
		orgs, err := p.store.ListOrganizations(ctx, "")
		if err != nil {
			return err
		}
		for _, k := range trustmark.OrgKinds {
			d.Organizations = append(d.Organizations, KindCount{Kind: k})
		}
		for _, o := range orgs {
			if i := slices.Index(trustmark.OrgKinds, o.Kind); i >= 0 {
				d.Organizations[i].Count++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d.CureClocks == nil {
		d.CureClocks = []CureClock{}
	}
	return d, nil
}

// monthsBetween is the number of calendar months from the month of a to
// the month of b.
func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

// cureClock describes a suspended grant's cure period at now.
func cureClock(g *trustmark.Grant, rec *trustmark.RegistryRecord, claName string, now time.Time) CureClock {
	c := CureClock{LabelID: g.LabelID, ProductName: rec.ProductName, CLAID: g.CLAID, CLAName: claName,
		SuspendedAt: g.StatusChangedAt, Reason: g.StatusReason, Deadline: *g.CureDeadline}
	left := g.CureDeadline.Sub(now)
	if left <= 0 {
		c.Overdue = true
		return c
	}
	c.DaysLeft = int(math.Ceil(left.Hours() / 24))
	return c
}

// QueueItem is an application waiting on a CLA, with the clock that
// governs it.
type QueueItem struct {
	Application      trustmark.Application `json:"application"`
	ProductName      string                `json:"product_name"`
	ManufacturerName string                `json:"manufacturer_name"`
	// Clock names what the due date is: ClockDecision (filed, no deadline
	// in the rules: Due is empty), ClockInfo (the applicant's deadline to
	// answer a request for information, after which the CLA may dismiss,
	// 8.210), ClockReview (the CLA's review of its own decision, due within
	// 10 business days, 8.212(a)) or ClockAppeal (with the Bureau, 8.212(b)).
	Clock string     `json:"clock"`
	Due   *time.Time `json:"due,omitempty"`
	// DaysLeft is the whole days, rounded up, until Due; 0 once passed.
	DaysLeft int `json:"days_left"`
	// Overdue is set when Due has passed.
	Overdue bool `json:"overdue"`
	// Reports is how many test reports the application has.
	Reports int `json:"reports"`
}

// The clocks of queued applications.
const (
	ClockDecision = "decision"
	ClockInfo     = "info"
	ClockReview   = "review"
	ClockAppeal   = "appeal"
)

// Queue lists the applications filed with the caller's CLA that still wait
// for something: a decision, the applicant's answer to a request for
// information, a review or an appeal. Items with a due date come first,
// nearest first; then the others, longest waiting first. Who: a CLA, any role.
func (p *Program) Queue(ctx context.Context, pr *trustmark.Principal) ([]QueueItem, error) {
	if err := need(pr, trustmark.RoleViewer, trustmark.OrgCLA); err != nil {
		return nil, err
	}
	now := p.Now()
	out := []QueueItem{}
	err := p.view(ctx, func(tx trustmark.Tx) error {
		apps, err := tx.Applications(trustmark.ApplicationFilter{CLAID: pr.Org.ID})
		if err != nil {
			return err
		}
		names := map[string]string{}
		orgName := func(id string) string {
			if n, ok := names[id]; ok {
				return n
			}
			if o, err := tx.Organization(id); err == nil {
				names[id] = o.Name
			}
			return names[id]
		}
		for _, a := range apps {
			it := QueueItem{Application: a, ManufacturerName: orgName(a.ManufacturerID)}
			switch a.State {
			case trustmark.AppSubmitted:
				it.Clock = ClockDecision
			case trustmark.AppInfoRequested:
				it.Clock = ClockInfo
				if a.InfoRequest != nil {
					it.Due = &a.InfoRequest.Deadline
				}
			case trustmark.AppUnderReview, trustmark.AppUnderAppeal:
				it.Clock = ClockReview
				if a.State == trustmark.AppUnderAppeal {
					it.Clock = ClockAppeal
				}
				if r := lastReview(&a); r != nil {
					due := r.Due
					it.Due = &due
				}
			default:
				continue
			}
			if it.Due != nil {
				if left := it.Due.Sub(now); left > 0 {
					it.DaysLeft = int(math.Ceil(left.Hours() / 24))
				} else {
					it.Overdue = true
				}
			}
			if prod, err := tx.Product(a.ProductID); err == nil {
				it.ProductName = prod.Name
			}
			reports, err := tx.Reports(a.ID)
			if err != nil {
				return err
			}
			it.Reports = len(reports)
			out = append(out, it)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b QueueItem) int {
		switch {
		case a.Due != nil && b.Due != nil:
			return a.Due.Compare(*b.Due)
		case a.Due != nil:
			return -1
		case b.Due != nil:
			return 1
		}
		return submitted(&a.Application).Compare(submitted(&b.Application))
	})
	return out, nil
}

// submitted is when an application was filed, or created if never filed.
func submitted(a *trustmark.Application) time.Time {
	if a.SubmittedAt != nil {
		return *a.SubmittedAt
	}
	return a.CreatedAt
}
