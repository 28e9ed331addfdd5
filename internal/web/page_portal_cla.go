package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
)

// The label administrator's portal (/portal/cla/…): the queue of
// applications with their clocks, one application with its lab reports,
// the criteria verdict and the decision forms, the CLA's grants with their
// status changes, post-market surveillance (plans and sample results) and
// the complaints routed to it. Every action goes through the program with
// the session's principal, as the JSON API's handlers do; the clocks and
// rules are the program's.

// claQueue is the data of cla-queue.html.
type claQueue struct {
	Items []program.QueueItem
}

// handleCLAQueue answers GET /portal/cla/ (CLAs): the applications waiting
// on the CLA, due first.
func (s *Server) handleCLAQueue(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	q, err := s.program.Queue(r.Context(), ps.Principal)
	if err != nil {
		return err
	}
	return s.renderPortal(w, r, ps, "cla-queue.html", portalView{Title: "cla.queue.title", Data: claQueue{Items: q}})
}

// claReport is one lab report as the application page shows it.
type claReport struct {
	trustmark.TestReport
	Pass, Fail, NotApplicable, NotTested int
}

// claApplication is the data of cla-application.html.
type claApplication struct {
	App          *trustmark.Application
	Product      *trustmark.Product
	Manufacturer string
	Lab          string
	Reports      []claReport
	// Verdict is how the latest report of the named lab fares against the
	// U.S. catalog; nil when there is none.
	Verdict *criteria.SchemeResult
	// What the CLA may do now.
	CanDecide, CanRequestInfo, CanReview bool
	// Review is the pending review, when there is one.
	Review *trustmark.Review
	// The choices of the decision and review forms.
	Outcomes, ReviewOutcomes []option
}

// selectChoices returns a select's options: a blank "choose" first, so that no
// decision is ever made by default, then values labelled prefix+value.
func selectChoices(prefix string, values ...string) []option {
	out := []option{{Value: "", Label: "cla.choose"}}
	for _, v := range values {
		out = append(out, option{Value: v, Label: prefix + v})
	}
	return out
}

// claApplicationData loads an application the CLA may see, with its reports.
func (s *Server) claApplicationData(r *http.Request, ps *portalSession, id string) (*claApplication, error) {
	ctx, pr := r.Context(), ps.Principal
	a, err := s.program.Application(ctx, pr, id)
	if err != nil {
		return nil, err
	}
	if a.CLAID != pr.Org.ID {
		// Overseers may read it through the API; this page is the chosen CLA's.
		return nil, trustmark.Errorf(trustmark.KindNotFound, "application %q not found", id)
	}
	v := &claApplication{App: a, Manufacturer: s.orgName(r, a.ManufacturerID), Lab: s.orgName(r, a.LabID),
		Outcomes:       selectChoices("cla.outcome.", string(trustmark.AppGranted), string(trustmark.AppDenied), string(trustmark.AppDismissed)),
		ReviewOutcomes: selectChoices("cla.review_outcome.", "upheld", "reversed")}
	if v.Product, err = s.program.Product(ctx, pr, a.ProductID); err != nil {
		return nil, err
	}
	reports, verdict, err := s.program.Reports(ctx, pr, a.ID)
	if err != nil {
		return nil, err
	}
	for _, rep := range reports {
		cr := claReport{TestReport: rep}
		for _, res := range rep.Results {
			switch res.Outcome {
			case trustmark.OutcomePass:
				cr.Pass++
			case trustmark.OutcomeFail:
				cr.Fail++
			case trustmark.OutcomeNotApplicable:
				cr.NotApplicable++
			default:
				cr.NotTested++
			}
		}
		v.Reports = append(v.Reports, cr)
	}
	if res, ok := verdict.(*criteria.Result); ok && res != nil {
		for i := range res.Schemes {
			if res.Schemes[i].Catalog == program.USCatalog {
				v.Verdict = &res.Schemes[i]
			}
		}
	}
	member := pr.Token.Role.AtLeast(trustmark.RoleMember)
	v.CanDecide = member && (a.State == trustmark.AppSubmitted || a.State == trustmark.AppInfoRequested)
	v.CanRequestInfo = member && a.State == trustmark.AppSubmitted
	if a.State == trustmark.AppUnderReview && len(a.Reviews) > 0 {
		v.Review = &a.Reviews[len(a.Reviews)-1]
		v.CanReview = member
	}
	return v, nil
}

// orgName is an organization's name, or its ID when it cannot be read.
func (s *Server) orgName(r *http.Request, id string) string {
	if o, err := s.program.Organization(r.Context(), id); err == nil {
		return o.Name
	}
	return id
}

// renderCLAApplication renders the application page with f, the form
// that was posted (nil for none).
func (s *Server) renderCLAApplication(w http.ResponseWriter, r *http.Request, ps *portalSession, id string, f *form) error {
	v, err := s.claApplicationData(r, ps, id)
	if err != nil {
		return err
	}
	if f != nil && f.Get("days") == "" && !f.Has("days", "") {
		f.Set("days", "14") // the request form's default, also when another form failed
	}
	return s.renderPortal(w, r, ps, "cla-application.html", portalView{Title: "cla.app.title", TitleArgs: []any{v.Product.Name}, Form: f, Data: v})
}

// handleCLAApplication answers GET /portal/cla/applications/{id} (the chosen CLA).
func (s *Server) handleCLAApplication(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderCLAApplication(w, r, ps, r.PathValue("id"), blankForm())
}

// handleCLADecide answers POST /portal/cla/applications/{id}/decision (the
// chosen CLA, member): grant, deny or dismiss, as program.Decide.
func (s *Server) handleCLADecide(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	id := r.PathValue("id")
	f := newForm(r)
	outcome := trustmark.ApplicationState(f.Get("outcome"))
	if outcome == "" {
		f.failField("outcome", "cla.app.outcome_required")
		return s.renderCLAApplication(w, r, ps, id, f)
	}
	a, err := s.program.Decide(r.Context(), ps.Principal, id, outcome, f.Get("reasons"))
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderCLAApplication(w, r, ps, id, f)
	}
	if a.Decision != nil && a.Decision.LabelID != "" {
		s.Invalidate(a.Decision.LabelID)
	}
	seeOther(w, r, "/portal/cla/applications/"+a.ID+"?done=cla_"+string(a.State))
	return nil
}

// handleCLARequestInfo answers POST /portal/cla/applications/{id}/request-info
// (the chosen CLA, member): asks the applicant for more, by a deadline.
func (s *Server) handleCLARequestInfo(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	id := r.PathValue("id")
	f := newForm(r)
	days, err := strconv.Atoi(f.Get("days"))
	if err != nil {
		f.failField("days", "cla.app.days_number")
		return s.renderCLAApplication(w, r, ps, id, f)
	}
	if _, err := s.program.RequestInfo(r.Context(), ps.Principal, id, f.Get("message"), days); err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderCLAApplication(w, r, ps, id, f)
	}
	seeOther(w, r, "/portal/cla/applications/"+id+"?done=cla_info_requested")
	return nil
}

// handleCLAReviewDecision answers POST /portal/cla/applications/{id}/review
// (the chosen CLA, member): decides the review the applicant asked for.
func (s *Server) handleCLAReviewDecision(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	id := r.PathValue("id")
	f := newForm(r)
	a, err := s.program.DecideReview(r.Context(), ps.Principal, id, f.Get("outcome"), f.Get("reasons"))
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderCLAApplication(w, r, ps, id, f)
	}
	if a.Decision != nil && a.Decision.LabelID != "" {
		s.Invalidate(a.Decision.LabelID)
	}
	seeOther(w, r, "/portal/cla/applications/"+id+"?done=cla_reviewed")
	return nil
}

// claGrant is one grant in the CLA's list, with its product's name.
type claGrant struct {
	trustmark.Grant
	ProductName string
}

// grantProductName reads a grant's product name from its public record.
func (s *Server) grantProductName(r *http.Request, id trustmark.LabelID) string {
	if e, err := s.cache.get(r.Context(), id, s.resolve); err == nil {
		return e.rec.ProductName
	}
	return ""
}

// handleCLAGrants answers GET /portal/cla/grants?status= (CLAs): the
// CLA's grants, optionally of one status.
func (s *Server) handleCLAGrants(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	status := trustmark.GrantStatus(r.URL.Query().Get("status"))
	if status != "" && !status.Valid() {
		status = ""
	}
	grants, err := s.program.Grants(r.Context(), ps.Principal, trustmark.GrantFilter{Status: status})
	if err != nil {
		return err
	}
	out := make([]claGrant, len(grants))
	for i, g := range grants {
		out[i] = claGrant{Grant: g, ProductName: s.grantProductName(r, g.LabelID)}
	}
	slices.SortStableFunc(out, func(a, b claGrant) int { return b.GrantedAt.Compare(a.GrantedAt) })
	f := formOf(r.URL.Query())
	statuses := []option{{Value: "", Label: "cla.grants.all"}}
	for _, st := range trustmark.GrantStatuses {
		statuses = append(statuses, option{Value: string(st), Label: "portal.grant_status." + string(st)})
	}
	return s.renderPortal(w, r, ps, "cla-grants.html", portalView{Title: "cla.grants.title", Form: f, Data: struct {
		Grants   []claGrant
		Statuses []option
	}{out, statuses}})
}

// claGrantPage is the data of cla-grant.html.
type claGrantPage struct {
	Grant       *program.GrantView
	ProductName string
	// Moves are the statuses the CLA may move the grant to now, as choices.
	Moves []option
}

func (s *Server) renderCLAGrant(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form) error {
	id, err := labelParam(r)
	if err != nil {
		return err
	}
	g, err := s.program.Grant(r.Context(), ps.Principal, id)
	if err != nil {
		return err
	}
	if g.CLAID != ps.Principal.Org.ID {
		return trustmark.Errorf(trustmark.KindNotFound, "grant %q not found", id)
	}
	v := claGrantPage{Grant: g, ProductName: s.grantProductName(r, id)}
	if ps.Principal.Token.Role.AtLeast(trustmark.RoleMember) {
		// What program.ChangeStatus lets a CLA do from each status.
		switch g.Status {
		case trustmark.GrantActive:
			v.Moves = selectChoices("cla.move.", string(trustmark.GrantSuspended), string(trustmark.GrantWithdrawn))
		case trustmark.GrantSuspended:
			v.Moves = selectChoices("cla.move.", string(trustmark.GrantActive), string(trustmark.GrantWithdrawn))
		}
	}
	return s.renderPortal(w, r, ps, "cla-grant.html", portalView{Title: "cla.grant.title", TitleArgs: []any{string(id)}, Form: f, Data: v})
}

// handleCLAGrant answers GET /portal/cla/grants/{label_id} (the grant's CLA).
func (s *Server) handleCLAGrant(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderCLAGrant(w, r, ps, nil)
}

// handleCLAGrantStatus answers POST /portal/cla/grants/{label_id}/status
// (the grant's CLA, member): suspend, cure or withdraw with a reason.
func (s *Server) handleCLAGrantStatus(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	id, err := labelParam(r)
	if err != nil {
		return err
	}
	f := newForm(r)
	to := trustmark.GrantStatus(f.Get("status"))
	if to == "" {
		f.failField("status", "cla.grant.status_required")
		return s.renderCLAGrant(w, r, ps, f)
	}
	if _, err := s.program.ChangeStatus(r.Context(), ps.Principal, id, to, f.Get("reason")); err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderCLAGrant(w, r, ps, f)
	}
	s.Invalidate(id)
	seeOther(w, r, "/portal/cla/grants/"+string(id)+"?done=cla_status_changed")
	return nil
}

// claSurveillance is the data of cla-surveillance.html.
type claSurveillance struct {
	Plans   []claPlan
	Samples []claSample
}

// claPlan is a surveillance plan with its share in percent.
type claPlan struct {
	trustmark.SurveillancePlan
	SharePercent string
}

// claSample is a sample with its product's name.
type claSample struct {
	trustmark.Sample
	ProductName string
	Overdue     bool
}

func (s *Server) claSamples(r *http.Request, ps *portalSession) ([]claSample, error) {
	samples, err := s.program.Samples(r.Context(), ps.Principal)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]claSample, len(samples))
	for i, smp := range samples {
		out[i] = claSample{Sample: smp, ProductName: s.grantProductName(r, smp.LabelID),
			Overdue: smp.State == trustmark.SampleRequested && now.After(smp.Deadline)}
	}
	// Open requests first, nearest deadline first; then results, newest first.
	slices.SortStableFunc(out, func(a, b claSample) int {
		ao, bo := a.State == trustmark.SampleRequested, b.State == trustmark.SampleRequested
		switch {
		case ao && bo:
			return a.Deadline.Compare(b.Deadline)
		case ao:
			return -1
		case bo:
			return 1
		}
		return b.RequestedAt.Compare(a.RequestedAt)
	})
	return out, nil
}

func (s *Server) renderCLASurveillance(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form) error {
	plans, err := s.program.Plans(r.Context(), ps.Principal, "")
	if err != nil {
		return err
	}
	slices.SortStableFunc(plans, func(a, b trustmark.SurveillancePlan) int { return b.CreatedAt.Compare(a.CreatedAt) })
	views := make([]claPlan, len(plans))
	for i, pl := range plans {
		views[i] = claPlan{SurveillancePlan: pl, SharePercent: strconv.FormatFloat(pl.Share*100, 'f', -1, 64) + " %"}
	}
	samples, err := s.claSamples(r, ps)
	if err != nil {
		return err
	}
	return s.renderPortal(w, r, ps, "cla-surveillance.html", portalView{Title: "cla.surv.title", Form: f,
		Data: claSurveillance{Plans: views, Samples: samples}})
}

// handleCLASurveillance answers GET /portal/cla/surveillance (CLAs).
func (s *Server) handleCLASurveillance(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := blankForm()
	f.Set("year", strconv.Itoa(s.now().Year()))
	f.Set("share", "5")
	return s.renderCLASurveillance(w, r, ps, f)
}

// handleCLACreatePlan answers POST /portal/cla/surveillance/plans (CLAs,
// member): draws the year's sample, as program.CreatePlan. The share is
// entered in percent.
func (s *Server) handleCLACreatePlan(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	in := program.PlanInput{}
	var err error
	if in.Year, err = strconv.Atoi(f.Get("year")); err != nil {
		f.failField("year", "cla.surv.year_number")
		return s.renderCLASurveillance(w, r, ps, f)
	}
	pct, err := strconv.ParseFloat(strings.TrimSuffix(f.Get("share"), "%"), 64)
	if err != nil || pct <= 0 || pct > 100 {
		f.failField("share", "cla.surv.share_percent")
		return s.renderCLASurveillance(w, r, ps, f)
	}
	in.Share = pct / 100
	if v := f.Get("seed"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 53)
		if err != nil {
			f.failField("seed", "cla.surv.seed_number")
			return s.renderCLASurveillance(w, r, ps, f)
		}
		in.Seed = &seed
	}
	if _, err := s.program.CreatePlan(r.Context(), ps.Principal, in); err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderCLASurveillance(w, r, ps, f)
	}
	seeOther(w, r, "/portal/cla/surveillance?done=cla_plan_created")
	return nil
}

func (s *Server) renderCLASample(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form) error {
	samples, err := s.claSamples(r, ps)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	i := slices.IndexFunc(samples, func(smp claSample) bool { return smp.ID == id })
	if i < 0 {
		return trustmark.Errorf(trustmark.KindNotFound, "sample %q not found", id)
	}
	return s.renderPortal(w, r, ps, "cla-sample.html", portalView{Title: "cla.sample.title", TitleArgs: []any{samples[i].ProductName}, Form: f,
		Data: struct {
			Sample    claSample
			CanRecord bool
			Results   []option
		}{samples[i], samples[i].State == trustmark.SampleRequested && ps.Principal.Token.Role.AtLeast(trustmark.RoleMember),
			selectChoices("cla.sample.result.", "passed", "failed")}})
}

// handleCLASample answers GET /portal/cla/surveillance/samples/{id} (the requesting CLA).
func (s *Server) handleCLASample(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderCLASample(w, r, ps, nil)
}

// handleCLARecordSample answers POST /portal/cla/surveillance/samples/{id}/result
// (the requesting CLA, member): the sample passed or failed with findings;
// a failure suspends the grant (program.RecordSample).
func (s *Server) handleCLARecordSample(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	var passed bool
	switch f.Get("result") {
	case "passed":
		passed = true
	case "failed":
	default:
		f.failField("result", "cla.sample.result_required")
		return s.renderCLASample(w, r, ps, f)
	}
	smp, err := s.program.RecordSample(r.Context(), ps.Principal, r.PathValue("id"), passed, f.Get("findings"))
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderCLASample(w, r, ps, f)
	}
	s.Invalidate(smp.LabelID)
	seeOther(w, r, "/portal/cla/surveillance/samples/"+smp.ID+"?done=cla_sample_recorded")
	return nil
}

// claComplaint is a complaint with its product's name.
type claComplaint struct {
	trustmark.Complaint
	ProductName string
	Open        bool
	// Excerpt is the start of the text, for listings.
	Excerpt string
}

func (s *Server) claComplaints(r *http.Request, ps *portalSession) ([]claComplaint, error) {
	list, err := s.program.Complaints(r.Context(), ps.Principal)
	if err != nil {
		return nil, err
	}
	out := make([]claComplaint, len(list))
	for i, c := range list {
		out[i] = claComplaint{Complaint: c, ProductName: s.grantProductName(r, c.LabelID), Open: slices.Contains(program.OpenComplaintStates, c.State),
			Excerpt: shorten(c.Text, 120)}
	}
	// Those waiting on the CLA first, oldest first; then the rest, newest first.
	slices.SortStableFunc(out, func(a, b claComplaint) int {
		aw, bw := a.State == trustmark.ComplaintWithCLA, b.State == trustmark.ComplaintWithCLA
		switch {
		case aw && bw:
			return a.FiledAt.Compare(b.FiledAt)
		case aw:
			return -1
		case bw:
			return 1
		}
		return b.UpdatedAt.Compare(a.UpdatedAt)
	})
	return out, nil
}

// handleCLAComplaints answers GET /portal/cla/complaints (CLAs).
func (s *Server) handleCLAComplaints(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	list, err := s.claComplaints(r, ps)
	if err != nil {
		return err
	}
	return s.renderPortal(w, r, ps, "cla-complaints.html", portalView{Title: "cla.complaints.title", Data: list})
}

func (s *Server) renderCLAComplaint(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form) error {
	list, err := s.claComplaints(r, ps)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	i := slices.IndexFunc(list, func(c claComplaint) bool { return c.ID == id })
	if i < 0 {
		return trustmark.Errorf(trustmark.KindNotFound, "complaint %q not found", id)
	}
	return s.renderPortal(w, r, ps, "cla-complaint.html", portalView{Title: "cla.complaint.title", TitleArgs: []any{list[i].ProductName}, Form: f,
		Data: struct {
			Complaint claComplaint
			CanAct    bool
			Actions   []option
		}{list[i], list[i].State == trustmark.ComplaintWithCLA && ps.Principal.Token.Role.AtLeast(trustmark.RoleMember),
			selectChoices("cla.complaint.action.", "refer", "close", "justify")}})
}

// handleCLAComplaint answers GET /portal/cla/complaints/{id} (the CLA it is routed to).
func (s *Server) handleCLAComplaint(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderCLAComplaint(w, r, ps, nil)
}

// handleCLAComplaintAction answers POST /portal/cla/complaints/{id}/action
// (the CLA holding it, member): refer, close or justify with a note, as
// program.ActOnComplaint (justify suspends the grant).
func (s *Server) handleCLAComplaintAction(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	action := f.Get("action")
	if action == "" {
		f.failField("action", "cla.complaint.action_required")
		return s.renderCLAComplaint(w, r, ps, f)
	}
	c, err := s.program.ActOnComplaint(r.Context(), ps.Principal, r.PathValue("id"), action, f.Get("note"))
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderCLAComplaint(w, r, ps, f)
	}
	s.Invalidate(c.LabelID)
	seeOther(w, r, "/portal/cla/complaints/"+c.ID+"?done=cla_complaint_"+action)
	return nil
}

// claNav is the CLA portal's navigation (portalNavs).
var claNav = []navLink{
	{"/portal/cla/", "cla.nav.queue"},
	{"/portal/cla/grants", "cla.nav.grants"},
	{"/portal/cla/surveillance", "cla.nav.surveillance"},
	{"/portal/cla/complaints", "cla.nav.complaints"},
	{"/portal/vuln/alerts", "portal.nav.alerts"}, // page_portal_vuln.go
}
