package program

import (
	"context"
	"time"

	"trustmark"
)

// addBusinessDays adds n weekdays to t (public holidays are not modelled).
func addBusinessDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.Add(24 * time.Hour)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// RequestReview asks the deciding CLA to review a denial or dismissal,
// within 60 days of it (8.212(a)). Who: the applicant.
func (p *Program) RequestReview(ctx context.Context, pr *trustmark.Principal, id, reason string) (*trustmark.Application, error) {
	if err := needAuth(pr); err != nil {
		return nil, err
	}
	if err := requireReason(reason); err != nil {
		return nil, err
	}
	return p.changeApplication(ctx, pr, id, "application.request_review", func(tx trustmark.Tx, a *trustmark.Application, now time.Time) (string, error) {
		if err := asManufacturer(pr, a); err != nil {
			return "", err
		}
		if (a.State != trustmark.AppDenied && a.State != trustmark.AppDismissed) || hasReview(a, trustmark.ReviewByCLA) {
			return "", stateError("application %s is %s: a CLA review can be asked once, of a denial or dismissal", a.ID, a.State)
		}
		if now.After(a.Decision.DecidedAt.Add(ReviewWindow)) {
			return "", ruleError("the 60 days to ask for review of the decision of %s have passed (8.212)", a.Decision.DecidedAt.Format(time.DateOnly))
		}
		a.Reviews = append(a.Reviews, trustmark.Review{Stage: trustmark.ReviewByCLA, Reason: reason, RequestedBy: pr.Actor(), RequestedAt: now,
			Due: addBusinessDays(now, CLAReviewBusinessDays)})
		a.State = trustmark.AppUnderReview
		return reason, nil
	})
}

// Appeal takes a CLA's review decision to the Bureau, within 60 days of it
// (8.212(b)); the Bureau decides within 45 days. Who: the applicant.
func (p *Program) Appeal(ctx context.Context, pr *trustmark.Principal, id, reason string) (*trustmark.Application, error) {
	if err := needAuth(pr); err != nil {
		return nil, err
	}
	if err := requireReason(reason); err != nil {
		return nil, err
	}
	return p.changeApplication(ctx, pr, id, "application.appeal", func(tx trustmark.Tx, a *trustmark.Application, now time.Time) (string, error) {
		if err := asManufacturer(pr, a); err != nil {
			return "", err
		}
		last := lastReview(a)
		if last == nil || last.Stage != trustmark.ReviewByCLA || last.Outcome != "upheld" {
			return "", stateError("application %s: an appeal to the Bureau needs a CLA review that upheld the decision first (8.212)", a.ID)
		}
		if now.After(last.DecidedAt.Add(ReviewWindow)) {
			return "", ruleError("the 60 days to appeal the review decision of %s have passed (8.212)", last.DecidedAt.Format(time.DateOnly))
		}
		a.Reviews = append(a.Reviews, trustmark.Review{Stage: trustmark.ReviewByBureau, Reason: reason, RequestedBy: pr.Actor(), RequestedAt: now,
			Due: now.Add(BureauReviewDays * 24 * time.Hour)})
		a.State = trustmark.AppUnderAppeal
		return reason, nil
	})
}

// DecideReview decides a pending review: "upheld" keeps the decision,
// "reversed" grants the application (which still needs a passing report).
// Who: the chosen CLA for its own review; the regulator for an appeal.
func (p *Program) DecideReview(ctx context.Context, pr *trustmark.Principal, id, outcome, reasons string) (*trustmark.Application, error) {
	if err := needAuth(pr); err != nil {
		return nil, err
	}
	if outcome != "upheld" && outcome != "reversed" {
		return nil, trustmark.FieldError("outcome", "must be upheld or reversed")
	}
	if err := requireReason(reasons); err != nil {
		return nil, trustmark.FieldError("reasons", "a review decision needs written reasons")
	}
	return p.changeApplication(ctx, pr, id, "application.decide_review", func(tx trustmark.Tx, a *trustmark.Application, now time.Time) (string, error) {
		last := lastReview(a)
		switch {
		case a.State == trustmark.AppUnderReview:
			if err := asCLA(pr, a); err != nil {
				return "", err
			}
		case a.State == trustmark.AppUnderAppeal:
			if err := need(pr, trustmark.RoleMember, trustmark.OrgRegulator); err != nil {
				return "", err
			}
		default:
			return "", stateError("application %s is %s: no review is pending", a.ID, a.State)
		}
		last.Outcome, last.Reasons, last.DecidedBy, last.DecidedAt = outcome, reasons, pr.Actor(), now
		if outcome == "upheld" {
			a.State = a.Decision.Outcome
			return reasons, nil
		}
		a.Decision = &trustmark.Decision{Outcome: trustmark.AppGranted, Reasons: reasons, DecidedBy: pr.Actor(), DecidedAt: now}
		a.State = trustmark.AppGranted
		id, err := p.grant(tx, pr, a, now)
		if err != nil {
			return "", err
		}
		a.Decision.LabelID = id
		return "reversed on review; label " + string(id), nil
	})
}

func hasReview(a *trustmark.Application, stage trustmark.ReviewStage) bool {
	for _, r := range a.Reviews {
		if r.Stage == stage {
			return true
		}
	}
	return false
}

func lastReview(a *trustmark.Application) *trustmark.Review {
	if len(a.Reviews) == 0 {
		return nil
	}
	return &a.Reviews[len(a.Reviews)-1]
}

// Application returns one application. Who: its manufacturer, CLA and lab,
// and the overseers; others get KindNotFound.
func (p *Program) Application(ctx context.Context, pr *trustmark.Principal, id string) (*trustmark.Application, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	var a *trustmark.Application
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		a, err = loadApplication(tx, pr, id)
		return err
	})
	return a, err
}

// Applications lists the applications the caller takes part in: a
// manufacturer its own, a CLA those filed with it, a lab those naming it,
// the overseers all. The filter narrows further.
func (p *Program) Applications(ctx context.Context, pr *trustmark.Principal, f trustmark.ApplicationFilter) ([]trustmark.Application, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	switch f.State {
	case "", trustmark.AppDraft, trustmark.AppSubmitted, trustmark.AppInfoRequested, trustmark.AppGranted, trustmark.AppDenied,
		trustmark.AppDismissed, trustmark.AppUnderReview, trustmark.AppUnderAppeal:
	default:
		return nil, trustmark.FieldError("state", "must be one of draft, submitted, info_requested, granted, denied, dismissed, under_review, under_appeal")
	}
	switch pr.Org.Kind {
	case trustmark.OrgManufacturer:
		f.ManufacturerID = pr.Org.ID
	case trustmark.OrgCLA:
		f.CLAID = pr.Org.ID
	case trustmark.OrgLab:
		f.LabID = pr.Org.ID
	}
	var out []trustmark.Application
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.Applications(f)
		return err
	})
	return out, err
}

// AttachReport attaches a signed test report to an application. Only the
// lab the application names may do so, while its recognition stands and its
// accreditation is unexpired; the report is signed by the caller. Who: a
// member of that lab.
func (p *Program) AttachReport(ctx context.Context, pr *trustmark.Principal, appID string, r trustmark.TestReport) (*trustmark.TestReport, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgLab); err != nil {
		return nil, err
	}
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		// A lab holding an application's ID learns only that it is not the
		// named lab: the rule, not the application, is what it sees.
		a, err := tx.Application(appID)
		if err != nil {
			return notFound("application", appID)
		}
		if a.LabID != pr.Org.ID {
			return ruleError("only the lab the application names may attach its test report (8.208(j)); this application names another lab")
		}
		switch a.State {
		case trustmark.AppDraft, trustmark.AppSubmitted, trustmark.AppInfoRequested, trustmark.AppUnderReview, trustmark.AppUnderAppeal:
			// Before a decision, or while one is reviewed (a retest may support a reversal).
		default:
			return stateError("application %s is %s: reports can be attached only before a decision or during its review", a.ID, a.State)
		}
		now := p.Now()
		lab, err := tx.Lab(pr.Org.ID)
		if err != nil {
			return ruleError("your lab is not recognized by the Lead Administrator (8.217)")
		}
		if err := lab.CanReport(now); err != nil {
			return err
		}
		if _, err := p.criteria.Evaluate(assessmentOf(&r)); err != nil {
			return inputError(err)
		}
		r.ID, r.ApplicationID, r.LabID, r.SignedBy, r.SignedAt = "", a.ID, pr.Org.ID, pr.Actor(), now
		if err := tx.CreateReport(&r); err != nil {
			return err
		}
		return audit(tx, pr, now, "report.attach", "application/"+a.ID, "", "", "report "+r.ID+" against "+r.Catalog)
	})
	if err != nil {
		return nil, err
	}
	for i := range r.Results {
		if r.Results[i].Evidence == nil {
			r.Results[i].Evidence = []trustmark.Evidence{}
		}
		for j := range r.Results[i].Evidence {
			r.Results[i].Evidence[j].Content = nil
		}
	}
	return &r, nil
}

// Reports lists an application's reports with the verdict the current
// criteria give the latest one. Who: whoever may see the application.
func (p *Program) Reports(ctx context.Context, pr *trustmark.Principal, appID string) ([]trustmark.TestReport, any, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, nil, err
	}
	var reports []trustmark.TestReport
	var verdict any
	err := p.view(ctx, func(tx trustmark.Tx) error {
		a, err := loadApplication(tx, pr, appID)
		if err != nil {
			return err
		}
		if reports, err = tx.Reports(a.ID); err != nil {
			return err
		}
		if res, err := p.verdict(tx, a); err == nil {
			verdict = res
		}
		return nil
	})
	return reports, verdict, err
}

// Evidence returns one piece of evidence with its content. Who: whoever may
// see the application it belongs to.
func (p *Program) Evidence(ctx context.Context, pr *trustmark.Principal, appID, evidenceID string) (*trustmark.Evidence, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	var ev *trustmark.Evidence
	err := p.view(ctx, func(tx trustmark.Tx) error {
		a, err := loadApplication(tx, pr, appID)
		if err != nil {
			return err
		}
		reports, err := tx.Reports(a.ID)
		if err != nil {
			return err
		}
		for _, r := range reports {
			for _, res := range r.Results {
				for _, e := range res.Evidence {
					if e.ID == evidenceID {
						ev, err = tx.Evidence(evidenceID)
						return err
					}
				}
			}
		}
		return notFound("evidence", evidenceID)
	})
	return ev, err
}
