package web

import (
	"net/http"
	"strconv"

	"trustmark"
	"trustmark/internal/program"
)

// items wraps a list the way every listing of the API does.
func items[T any](list []T) map[string]any {
	if list == nil {
		list = []T{}
	}
	return map[string]any{"items": list}
}

// labelParam parses the {label_id} path parameter.
func labelParam(r *http.Request) (trustmark.LabelID, error) {
	return trustmark.ParseLabelID(r.PathValue("label_id"))
}

// POST /api/v1/organizations (admin of the Lead Administrator or a CLA):
// {"organization": {...}, "holder": "..."} → the organization and its first token.
func (s *Server) handleCreateOrganization(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in struct {
		Organization trustmark.Organization `json:"organization"`
		Holder       string                 `json:"holder"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	org, secret, err := s.program.CreateOrganization(r.Context(), pr, in.Organization, in.Holder)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"organization": org, "token": secret})
	return nil
}

// GET /api/v1/organizations?kind= (overseers: any kind; others: cla or lab).
func (s *Server) handleListOrganizations(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.Organizations(r.Context(), pr, trustmark.OrgKind(r.URL.Query().Get("kind")))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// GET /api/v1/organizations/{id} (anyone): a party's public details.
func (s *Server) handleGetOrganization(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	org, err := s.program.Organization(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, org)
	return nil
}

// POST /api/v1/tokens (admin): {"holder", "role"} → the token and its secret, shown once.
func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in struct {
		Holder string         `json:"holder"`
		Role   trustmark.Role `json:"role"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	tok, secret, err := s.program.CreateToken(r.Context(), pr, in.Holder, in.Role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "secret": secret})
	return nil
}

// GET /api/v1/tokens (admin): the organization's tokens, without secrets.
func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.Tokens(r.Context(), pr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// DELETE /api/v1/tokens/{id} (admin, or the token's own holder).
func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	if err := s.program.RevokeToken(r.Context(), pr, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PUT /api/v1/labs/{org_id} (Lead Administrator): recognize a lab with its 8.217(e) record.
func (s *Server) handleRecognizeLab(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in trustmark.LabRecognition
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.OrgID = r.PathValue("org_id")
	lab, err := s.program.RecognizeLab(r.Context(), pr, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, lab)
	return nil
}

// reasonBody is the body of actions that need a written reason.
type reasonBody struct {
	Reason string `json:"reason"`
}

// POST /api/v1/labs/{org_id}/withdraw (Lead Administrator): {"reason"}.
func (s *Server) handleWithdrawLab(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in reasonBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	lab, err := s.program.WithdrawLab(r.Context(), pr, r.PathValue("org_id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, lab)
	return nil
}

// GET /api/v1/directory (anyone): CLAs, recognized labs, labs that lost
// recognition, renewal policies.
func (s *Server) handleDirectory(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	d, err := s.program.Directory(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// PUT /api/v1/renewal-policies/{class} (Lead Administrator): {"interval_months"}.
func (s *Server) handleSetRenewalPolicy(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in trustmark.RenewalPolicy
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.Class = trustmark.ProductClass(r.PathValue("class"))
	pol, err := s.program.SetRenewalPolicy(r.Context(), pr, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pol)
	return nil
}

// POST /api/v1/products (manufacturer).
func (s *Server) handleCreateProduct(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in trustmark.Product
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p, err := s.program.CreateProduct(r.Context(), pr, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

// GET /api/v1/products (manufacturer): its own products.
func (s *Server) handleListProducts(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.Products(r.Context(), pr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// GET /api/v1/products/{id} (its manufacturer, the CLAs and labs of its applications, overseers).
func (s *Server) handleGetProduct(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	p, err := s.program.Product(r.Context(), pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// POST /api/v1/applications (manufacturer).
func (s *Server) handleCreateApplication(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in program.ApplicationInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.program.CreateApplication(r.Context(), pr, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

// GET /api/v1/applications?state= (any party: the applications it takes part in).
func (s *Server) handleListApplications(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.Applications(r.Context(), pr, trustmark.ApplicationFilter{State: trustmark.ApplicationState(r.URL.Query().Get("state"))})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// GET /api/v1/applications/{id} (its manufacturer, CLA, lab; overseers).
func (s *Server) handleGetApplication(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	a, err := s.program.Application(r.Context(), pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// PATCH /api/v1/applications/{id} (the applicant, while a draft or info is requested).
func (s *Server) handleUpdateApplication(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in program.ApplicationInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.program.UpdateApplication(r.Context(), pr, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// POST /api/v1/applications/{id}/declarations (the applicant): {"clauses": [...]}.
func (s *Server) handleSignDeclarations(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in struct {
		Clauses []trustmark.DeclarationClause `json:"clauses"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.program.SignDeclarations(r.Context(), pr, r.PathValue("id"), in.Clauses)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// POST /api/v1/applications/{id}/submit (the applicant).
func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	a, err := s.program.Submit(r.Context(), pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// POST /api/v1/applications/{id}/request-info (the chosen CLA): {"message", "days"}.
func (s *Server) handleRequestInfo(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in struct {
		Message string `json:"message"`
		Days    int    `json:"days"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.program.RequestInfo(r.Context(), pr, r.PathValue("id"), in.Message, in.Days)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// decisionBody is the body of decisions: {"outcome", "reasons"}.
type decisionBody struct {
	Outcome string `json:"outcome"`
	Reasons string `json:"reasons"`
}

// POST /api/v1/applications/{id}/decision (the chosen CLA): grant, deny or dismiss.
func (s *Server) handleDecide(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in decisionBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.program.Decide(r.Context(), pr, r.PathValue("id"), trustmark.ApplicationState(in.Outcome), in.Reasons)
	if err != nil {
		return err
	}
	if a.Decision != nil && a.Decision.LabelID != "" {
		s.Invalidate(a.Decision.LabelID)
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// POST /api/v1/applications/{id}/review (the applicant): {"reason"}.
func (s *Server) handleRequestReview(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in reasonBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.program.RequestReview(r.Context(), pr, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// POST /api/v1/applications/{id}/appeal (the applicant): {"reason"}.
func (s *Server) handleAppeal(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in reasonBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.program.Appeal(r.Context(), pr, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// POST /api/v1/applications/{id}/review-decision (the CLA for its review,
// the regulator for an appeal): {"outcome": "upheld"|"reversed", "reasons"}.
func (s *Server) handleDecideReview(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in decisionBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.program.DecideReview(r.Context(), pr, r.PathValue("id"), in.Outcome, in.Reasons)
	if err != nil {
		return err
	}
	if a.Decision != nil && a.Decision.LabelID != "" {
		s.Invalidate(a.Decision.LabelID)
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// POST /api/v1/applications/{id}/reports (the named, recognized lab).
func (s *Server) handleAttachReport(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in trustmark.TestReport
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rep, err := s.program.AttachReport(r.Context(), pr, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rep)
	return nil
}

// GET /api/v1/applications/{id}/reports (parties): the reports and the
// verdict the current criteria give the latest one.
func (s *Server) handleListReports(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	reports, verdict, err := s.program.Reports(r.Context(), pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	if reports == nil {
		reports = []trustmark.TestReport{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": reports, "verdict": verdict})
	return nil
}

// GET /api/v1/applications/{id}/evidence/{evidence_id} (parties): the raw file.
func (s *Server) handleGetEvidence(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	ev, err := s.program.Evidence(r.Context(), pr, r.PathValue("id"), r.PathValue("evidence_id"))
	if err != nil {
		return err
	}
	if ev.Content == nil {
		return trustmark.Errorf(trustmark.KindNotFound, "evidence %s was recorded by hash only; its file was not uploaded", ev.ID)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", "attachment")
	w.Header().Set("X-Evidence-SHA256", ev.SHA256)
	w.Header().Set("Content-Length", strconv.Itoa(len(ev.Content)))
	w.Write(ev.Content)
	return nil
}

// GET /api/v1/grants (any party: the grants it is party to).
func (s *Server) handleListGrants(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.Grants(r.Context(), pr, trustmark.GrantFilter{Status: trustmark.GrantStatus(r.URL.Query().Get("status"))})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// GET /api/v1/grants/{label_id} (the grant's parties, overseers).
func (s *Server) handleGetGrant(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	id, err := labelParam(r)
	if err != nil {
		return err
	}
	g, err := s.program.Grant(r.Context(), pr, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// PUT /api/v1/grants/{label_id}/disclosures (the grant's manufacturer).
func (s *Server) handleUpdateDisclosures(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	id, err := labelParam(r)
	if err != nil {
		return err
	}
	var in trustmark.Disclosures
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rec, err := s.program.UpdateDisclosures(r.Context(), pr, id, in)
	if err != nil {
		return err
	}
	s.Invalidate(id)
	s.resolve(rec)
	writeJSON(w, http.StatusOK, rec)
	return nil
}

// POST /api/v1/grants/{label_id}/status: {"status", "reason"} — see
// program.ChangeStatus for who may set which status.
func (s *Server) handleChangeStatus(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	id, err := labelParam(r)
	if err != nil {
		return err
	}
	var in struct {
		Status trustmark.GrantStatus `json:"status"`
		Reason string                `json:"reason"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	g, err := s.program.ChangeStatus(r.Context(), pr, id, in.Status, in.Reason)
	if err != nil {
		return err
	}
	s.Invalidate(id)
	writeJSON(w, http.StatusOK, g)
	return nil
}

// POST /api/v1/surveillance/plans (CLA): {"year", "share", "seed"}.
func (s *Server) handleCreatePlan(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in program.PlanInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	plan, err := s.program.CreatePlan(r.Context(), pr, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, plan)
	return nil
}

// GET /api/v1/surveillance/plans?cla_id= (CLA: its own; overseers: any CLA's).
func (s *Server) handleListPlans(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.Plans(r.Context(), pr, r.URL.Query().Get("cla_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// GET /api/v1/surveillance/samples (CLA, manufacturer, overseers).
func (s *Server) handleListSamples(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.Samples(r.Context(), pr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// POST /api/v1/surveillance/samples/{id}/result (the requesting CLA): {"passed", "findings"}.
func (s *Server) handleRecordSample(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in struct {
		Passed   *bool  `json:"passed"`
		Findings string `json:"findings"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Passed == nil {
		return trustmark.FieldError("passed", "is required: true or false")
	}
	smp, err := s.program.RecordSample(r.Context(), pr, r.PathValue("id"), *in.Passed, in.Findings)
	if err != nil {
		return err
	}
	s.Invalidate(smp.LabelID)
	writeJSON(w, http.StatusOK, smp)
	return nil
}

// POST /api/v1/complaints (anyone, rate-limited): {"label_id", "text", "contact"}.
func (s *Server) handleFileComplaint(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in struct {
		LabelID string `json:"label_id"`
		Text    string `json:"text"`
		Contact string `json:"contact"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	id, err := trustmark.ParseLabelID(in.LabelID)
	if err != nil {
		return err
	}
	c, err := s.program.FileComplaint(r.Context(), pr, trustmark.Complaint{LabelID: id, Text: in.Text, Contact: in.Contact})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": c.ID, "state": c.State, "filed_at": c.FiledAt})
	return nil
}

// GET /api/v1/complaints (CLA, manufacturer, overseers).
func (s *Server) handleListComplaints(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.Complaints(r.Context(), pr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// POST /api/v1/complaints/{id}/action (its current holder): {"action": "refer"|"close"|"justify", "note"}.
func (s *Server) handleComplaintAction(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in struct {
		Action string `json:"action"`
		Note   string `json:"note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.program.ActOnComplaint(r.Context(), pr, r.PathValue("id"), in.Action, in.Note)
	if err != nil {
		return err
	}
	s.Invalidate(c.LabelID)
	writeJSON(w, http.StatusOK, c)
	return nil
}

// GET /api/v1/audit?subject=&before=&limit= (overseers).
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	f := trustmark.AuditFilter{Subject: q.Get("subject")}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"before", &f.Before}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return trustmark.FieldError(p.name, "must be a sequence number")
			}
			*p.dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return trustmark.FieldError("limit", "must be between 1 and 500")
		}
		f.Limit = n
	}
	list, err := s.program.AuditLog(r.Context(), pr, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// POST /api/v1/sweep (overseers): apply the program's clocks now.
func (s *Server) handleSweep(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	ids, err := s.program.SweepNow(r.Context(), pr)
	if err != nil {
		return err
	}
	s.Invalidate(ids...)
	writeJSON(w, http.StatusOK, map[string]any{"terminated": items(ids)["items"]})
	return nil
}
