package program

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
)

// ApplicationInput is what a manufacturer files or changes on an
// application. Nil fields are left unchanged on update.
type ApplicationInput struct {
	ProductID    string                   `json:"product_id,omitempty"`
	CLAID        string                   `json:"cla_id,omitempty"`
	LabID        string                   `json:"lab_id,omitempty"`
	USAgent      *trustmark.USAgent       `json:"us_agent,omitempty"`
	Disclosures  *trustmark.Disclosures   `json:"disclosures,omitempty"`
	PriorDenials *[]trustmark.PriorDenial `json:"prior_denials,omitempty"`
}

// CreateApplication starts a draft application for one of the caller's
// products with a CLA of its choice, naming the lab that tested it. Who: a
// member of a manufacturer.
func (p *Program) CreateApplication(ctx context.Context, pr *trustmark.Principal, in ApplicationInput) (*trustmark.Application, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgManufacturer); err != nil {
		return nil, err
	}
	a := &trustmark.Application{ManufacturerID: pr.Org.ID, ProductID: in.ProductID, CLAID: in.CLAID, LabID: in.LabID,
		State: trustmark.AppDraft, PriorDenials: []trustmark.PriorDenial{}, Declarations: []trustmark.Declaration{}, Reviews: []trustmark.Review{}}
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		now := p.Now()
		prod, err := tx.Product(in.ProductID)
		if err != nil || prod.ManufacturerID != pr.Org.ID {
			return &trustmark.Error{Kind: trustmark.KindInvalid, Field: "product_id", Message: fmt.Sprintf("you have no product %q", in.ProductID)}
		}
		if err := checkParties(tx, in.CLAID, in.LabID, now); err != nil {
			return err
		}
		if err := applyInput(a, in, pr, now); err != nil {
			return err
		}
		a.CreatedAt, a.UpdatedAt = now, now
		if err := tx.CreateApplication(a); err != nil {
			return err
		}
		return audit(tx, pr, now, "application.create", "application/"+a.ID, "", string(a.State), "product "+prod.Name)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// checkParties checks that the CLA is a CLA and the lab a recognized lab.
func checkParties(tx trustmark.Tx, claID, labID string, now time.Time) error {
	cla, err := tx.Organization(claID)
	if err != nil || cla.Kind != trustmark.OrgCLA {
		return &trustmark.Error{Kind: trustmark.KindInvalid, Field: "cla_id", Message: fmt.Sprintf("%q is not a label administrator (CLA)", claID)}
	}
	lab, err := tx.Lab(labID)
	if err != nil {
		return &trustmark.Error{Kind: trustmark.KindInvalid, Field: "lab_id", Message: fmt.Sprintf("%q is not a recognized lab (see /api/v1/directory)", labID)}
	}
	if err := lab.CanReport(now); err != nil {
		return &trustmark.Error{Kind: trustmark.KindRule, Field: "lab_id", Message: err.(*trustmark.Error).Message}
	}
	return nil
}

// applyInput copies the given fields of in onto a. A U.S. agent's
// attestation time is the moment it is filed.
func applyInput(a *trustmark.Application, in ApplicationInput, pr *trustmark.Principal, now time.Time) error {
	if in.USAgent != nil {
		agent := *in.USAgent
		agent.AttestedAt = now
		a.USAgent = &agent
	}
	if in.Disclosures != nil {
		d := *in.Disclosures
		d.Normalize()
		a.Disclosures = &d
	}
	if in.PriorDenials != nil {
		a.PriorDenials = slices.Clone(*in.PriorDenials)
		if a.PriorDenials == nil {
			a.PriorDenials = []trustmark.PriorDenial{}
		}
	}
	return a.Validate()
}

// loadApplication reads an application the caller may see.
func loadApplication(tx trustmark.Tx, pr *trustmark.Principal, id string) (*trustmark.Application, error) {
	a, err := tx.Application(id)
	if err != nil || !canSeeApplication(pr, a) {
		return nil, notFound("application", id)
	}
	return a, nil
}

// changeApplication runs one action on an application inside a
// transaction: it loads it, lets act check and change it, then saves it
// with an audit entry recording the state change.
func (p *Program) changeApplication(ctx context.Context, pr *trustmark.Principal, id, action string,
	act func(tx trustmark.Tx, a *trustmark.Application, now time.Time) (detail string, err error)) (*trustmark.Application, error) {
	var a *trustmark.Application
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		var err error
		if a, err = loadApplication(tx, pr, id); err != nil {
			return err
		}
		now := p.Now()
		from := a.State
		detail, err := act(tx, a, now)
		if err != nil {
			return err
		}
		a.UpdatedAt = now
		if err := tx.UpdateApplication(a); err != nil {
			return err
		}
		return audit(tx, pr, now, action, "application/"+a.ID, string(from), string(a.State), detail)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// asManufacturer checks that the caller is the application's manufacturer.
func asManufacturer(pr *trustmark.Principal, a *trustmark.Application) error {
	if pr.Org.ID != a.ManufacturerID {
		return trustmark.Errorf(trustmark.KindForbidden, "only the applicant (%s) may do this", a.ManufacturerID)
	}
	return need(pr, trustmark.RoleMember)
}

// asCLA checks that the caller is the application's chosen CLA.
func asCLA(pr *trustmark.Principal, a *trustmark.Application) error {
	if pr.Org.ID != a.CLAID {
		return trustmark.Errorf(trustmark.KindForbidden, "only the chosen label administrator (%s) may do this", a.CLAID)
	}
	return need(pr, trustmark.RoleMember)
}

// editable reports whether the manufacturer may still change the application.
func editable(a *trustmark.Application) error {
	if a.State != trustmark.AppDraft && a.State != trustmark.AppInfoRequested {
		return stateError("application %s is %s: it can be changed only as a draft or when information is requested", a.ID, a.State)
	}
	return nil
}

// UpdateApplication changes a draft (or an application the CLA asked more
// information on). Who: the applicant.
func (p *Program) UpdateApplication(ctx context.Context, pr *trustmark.Principal, id string, in ApplicationInput) (*trustmark.Application, error) {
	if err := needAuth(pr); err != nil {
		return nil, err
	}
	return p.changeApplication(ctx, pr, id, "application.update", func(tx trustmark.Tx, a *trustmark.Application, now time.Time) (string, error) {
		if err := asManufacturer(pr, a); err != nil {
			return "", err
		}
		if err := editable(a); err != nil {
			return "", err
		}
		if in.ProductID != "" && in.ProductID != a.ProductID {
			return "", trustmark.FieldError("product_id", "cannot change; file a new application for another product")
		}
		if in.CLAID != "" && in.CLAID != a.CLAID {
			return "", trustmark.FieldError("cla_id", "cannot change once filed; withdraw and file with another CLA")
		}
		if in.LabID != "" && in.LabID != a.LabID {
			if err := checkParties(tx, a.CLAID, in.LabID, now); err != nil {
				return "", err
			}
			a.LabID = in.LabID
		}
		return "fields updated", applyInput(a, in, pr, now)
	})
}

// SignDeclarations records the caller's signed attestation of each clause,
// made under penalty of perjury (8.208(c), (f), (k)). Who: the applicant.
func (p *Program) SignDeclarations(ctx context.Context, pr *trustmark.Principal, id string, clauses []trustmark.DeclarationClause) (*trustmark.Application, error) {
	if err := needAuth(pr); err != nil {
		return nil, err
	}
	if len(clauses) == 0 {
		return nil, trustmark.FieldError("clauses", "name the declarations to sign, e.g. [\"8.208(c)(1)\"]")
	}
	return p.changeApplication(ctx, pr, id, "application.sign", func(tx trustmark.Tx, a *trustmark.Application, now time.Time) (string, error) {
		if err := asManufacturer(pr, a); err != nil {
			return "", err
		}
		if err := editable(a); err != nil {
			return "", err
		}
		for _, c := range clauses {
			a.Declarations = slices.DeleteFunc(a.Declarations, func(d trustmark.Declaration) bool { return d.Clause == c })
			a.Declarations = append(a.Declarations, trustmark.Declaration{Clause: c, SignedBy: pr.Actor(), SignedAt: now})
		}
		names := make([]string, len(clauses))
		for i, c := range clauses {
			names[i] = string(c)
		}
		return "signed " + strings.Join(names, ", "), nil
	})
}

// Submit files the application with the CLA. It must be complete, its
// support date in the future, and any earlier denial of the same product
// disclosed (FCC 24-26 para 91). Who: the applicant.
func (p *Program) Submit(ctx context.Context, pr *trustmark.Principal, id string) (*trustmark.Application, error) {
	if err := needAuth(pr); err != nil {
		return nil, err
	}
	return p.changeApplication(ctx, pr, id, "application.submit", func(tx trustmark.Tx, a *trustmark.Application, now time.Time) (string, error) {
		if err := asManufacturer(pr, a); err != nil {
			return "", err
		}
		if err := editable(a); err != nil {
			return "", err
		}
		if err := a.Complete(); err != nil {
			return "", err
		}
		if string(a.Disclosures.SupportDate) <= string(trustmark.DateOf(now)) {
			return "", ruleError("the support end date %s must lie in the future (8.208(c)(7))", a.Disclosures.SupportDate)
		}
		if err := checkParties(tx, a.CLAID, a.LabID, now); err != nil {
			return "", err
		}
		if err := priorDenialsDisclosed(tx, a); err != nil {
			return "", err
		}
		a.State, a.InfoRequest, a.SubmittedAt = trustmark.AppSubmitted, nil, &now
		return "", nil
	})
}

// priorDenialsDisclosed fails when the manufacturer had an earlier
// application for the same product denied and this one does not name it.
func priorDenialsDisclosed(tx trustmark.Tx, a *trustmark.Application) error {
	earlier, err := tx.Applications(trustmark.ApplicationFilter{ManufacturerID: a.ManufacturerID, ProductID: a.ProductID})
	if err != nil {
		return err
	}
	for _, e := range earlier {
		if e.ID == a.ID || e.State != trustmark.AppDenied {
			continue
		}
		if !slices.ContainsFunc(a.PriorDenials, func(d trustmark.PriorDenial) bool { return d.ApplicationID == e.ID }) {
			return ruleError("application %s for this product was denied on %s; a new application must disclose that denial, the denying CLA and its reasons (FCC 24-26 para 91)",
				e.ID, trustmark.DateOf(e.Decision.DecidedAt))
		}
	}
	return nil
}

// RequestInfo asks the applicant for more information by a deadline (para
// 92); the application returns to the applicant. Who: the chosen CLA.
func (p *Program) RequestInfo(ctx context.Context, pr *trustmark.Principal, id, message string, days int) (*trustmark.Application, error) {
	if err := needAuth(pr); err != nil {
		return nil, err
	}
	if err := requireReason(message); err != nil {
		return nil, trustmark.FieldError("message", "say what information is needed (3 to 2048 characters)")
	}
	if days < 1 || days > 180 {
		return nil, trustmark.FieldError("days", "the deadline must be 1 to 180 days away")
	}
	return p.changeApplication(ctx, pr, id, "application.request_info", func(tx trustmark.Tx, a *trustmark.Application, now time.Time) (string, error) {
		if err := asCLA(pr, a); err != nil {
			return "", err
		}
		if a.State != trustmark.AppSubmitted {
			return "", stateError("application %s is %s: information can be requested only on a submitted application", a.ID, a.State)
		}
		a.State = trustmark.AppInfoRequested
		a.InfoRequest = &trustmark.InfoRequest{Message: message, Deadline: now.Add(time.Duration(days) * 24 * time.Hour), RequestedBy: pr.Actor(), RequestedAt: now}
		return message, nil
	})
}

// Decide records the CLA's written decision: granted, denied (reasons
// required) or dismissed (8.209–8.211). A grant needs a submitted, complete
// application and a passing report from its lab against the U.S. catalog;
// it creates the grant with its label ID and publishes the registry
// record in the same transaction. Who: the chosen CLA.
func (p *Program) Decide(ctx context.Context, pr *trustmark.Principal, id string, outcome trustmark.ApplicationState, reasons string) (*trustmark.Application, error) {
	if err := needAuth(pr); err != nil {
		return nil, err
	}
	switch outcome {
	case trustmark.AppGranted:
	case trustmark.AppDenied, trustmark.AppDismissed:
		if err := requireReason(reasons); err != nil {
			return nil, trustmark.FieldError("reasons", "a decision to %s needs written reasons (8.210, 8.211)", map[trustmark.ApplicationState]string{trustmark.AppDenied: "deny", trustmark.AppDismissed: "dismiss"}[outcome])
		}
	default:
		return nil, trustmark.FieldError("outcome", "must be granted, denied or dismissed")
	}
	return p.changeApplication(ctx, pr, id, "application.decide", func(tx trustmark.Tx, a *trustmark.Application, now time.Time) (string, error) {
		if err := asCLA(pr, a); err != nil {
			return "", err
		}
		switch {
		case outcome == trustmark.AppGranted && a.State != trustmark.AppSubmitted:
			return "", stateError("application %s is %s: only a submitted application can be granted", a.ID, a.State)
		case outcome != trustmark.AppGranted && a.State != trustmark.AppSubmitted && a.State != trustmark.AppInfoRequested:
			return "", stateError("application %s is %s: only a pending application can be %s", a.ID, a.State, outcome)
		case outcome == trustmark.AppDismissed && a.State == trustmark.AppInfoRequested && now.Before(a.InfoRequest.Deadline):
			return "", ruleError("the applicant has until %s to answer the request for information; dismissal before then is not allowed (8.210)", a.InfoRequest.Deadline.Format(time.DateOnly))
		}
		a.Decision = &trustmark.Decision{Outcome: outcome, Reasons: reasons, DecidedBy: pr.Actor(), DecidedAt: now}
		a.State = outcome
		if outcome == trustmark.AppGranted {
			id, err := p.grant(tx, pr, a, now)
			if err != nil {
				return "", err
			}
			a.Decision.LabelID = id
			return "label " + string(id), nil
		}
		return reasons, nil
	})
}

// grant checks the test evidence and issues the grant and its record.
func (p *Program) grant(tx trustmark.Tx, pr *trustmark.Principal, a *trustmark.Application, now time.Time) (trustmark.LabelID, error) {
	if err := a.Complete(); err != nil {
		return "", err
	}
	res, err := p.verdict(tx, a)
	if err != nil {
		return "", err
	}
	if err := passes(res); err != nil {
		return "", err
	}
	prod, err := tx.Product(a.ProductID)
	if err != nil {
		return "", err
	}
	mfr, err := tx.Organization(a.ManufacturerID)
	if err != nil {
		return "", err
	}
	cla, err := tx.Organization(a.CLAID)
	if err != nil {
		return "", err
	}
	lab, err := tx.Organization(a.LabID)
	if err != nil {
		return "", err
	}
	g := &trustmark.Grant{LabelID: trustmark.NewLabelID(), ProductID: prod.ID, ManufacturerID: mfr.ID, CLAID: cla.ID, LabID: lab.ID,
		Status: trustmark.GrantActive, GrantedAt: now}
	rec := trustmark.NewRegistryRecord(g, prod, mfr, cla, lab, *a.Disclosures)
	if err := tx.IssueGrant(g, rec); err != nil {
		if trustmark.IsKind(err, trustmark.KindConflict) {
			return "", stateError("product %s already holds a grant; a label ID belongs to one product for life", prod.ID)
		}
		return "", err
	}
	if err := audit(tx, pr, now, "grant.issue", "grant/"+string(g.LabelID), "", string(g.Status), "application "+a.ID); err != nil {
		return "", err
	}
	return g.LabelID, p.monitorNewGrant(tx, pr, prod, now)
}

// verdict evaluates the latest report of the application's lab against the
// U.S. catalog. The verdict is computed from the stored results every time,
// so it follows the criteria as they are now.
func (p *Program) verdict(tx trustmark.Tx, a *trustmark.Application) (*criteria.Result, error) {
	reports, err := tx.Reports(a.ID)
	if err != nil {
		return nil, err
	}
	var latest *trustmark.TestReport
	for i := range reports {
		if reports[i].LabID == a.LabID && reports[i].Catalog == USCatalog {
			latest = &reports[i]
		}
	}
	if latest == nil {
		return nil, ruleError("no test report from the named lab %s against %s: a grant needs a passing report (8.208(j))", a.LabID, USCatalog)
	}
	res, err := p.criteria.Evaluate(assessmentOf(latest))
	if err != nil {
		return nil, inputError(err)
	}
	return &res, nil
}

// passes fails, naming the requirements, unless the U.S. scheme is claimable.
func passes(res *criteria.Result) error {
	for _, s := range res.Schemes {
		if s.Catalog != USCatalog {
			continue
		}
		if s.Claimable {
			return nil
		}
		var problems []string
		if len(s.NotMet) > 0 {
			problems = append(problems, "failed: "+strings.Join(s.NotMet, ", "))
		}
		if len(s.NoEvidence) > 0 {
			problems = append(problems, "not tested: "+strings.Join(s.NoEvidence, ", "))
		}
		if len(s.Partial) > 0 {
			problems = append(problems, "partly evidenced: "+strings.Join(s.Partial, ", "))
		}
		return ruleError("a CLA cannot grant against the test results: mandatory %s requirements not met (%s)", USCatalog, strings.Join(problems, "; "))
	}
	return ruleError("the test report was not evaluated against %s", USCatalog)
}

// assessmentOf turns a report's results into an assessment for the criteria.
func assessmentOf(r *trustmark.TestReport) criteria.Assessment {
	a := criteria.Assessment{Catalog: r.Catalog}
	for _, res := range r.Results {
		a.Results = append(a.Results, criteria.RequirementOutcome{Requirement: res.Requirement, Outcome: criteria.Outcome(res.Outcome), Justification: res.Justification})
	}
	return a
}

// inputError turns a criteria input error into a rule error naming the requirement.
func inputError(err error) error {
	var ie *criteria.InputError
	if errors.As(err, &ie) {
		e := &trustmark.Error{Kind: trustmark.KindRule, Message: ie.Message}
		if ie.Requirement != "" {
			e.Field = "results[" + ie.Requirement + "]"
		}
		return e
	}
	if errors.Is(err, criteria.ErrNotFound) {
		return trustmark.FieldError("catalog", "%v", err)
	}
	return err
}
