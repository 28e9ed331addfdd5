package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
)

// The lab's portal (/portal/lab/…): the applications naming the lab, and
// its test reports, entered requirement by requirement against a criteria
// catalog (with evidence files) or uploaded as a report JSON file. Both
// go through program.AttachReport as POST /api/v1/applications/{id}/reports does.

// labAppRow is one application in the lab's list.
type labAppRow struct {
	trustmark.Application
	Product, Manufacturer, CLA string
}

// labRows resolves the names of the lab's applications.
func (s *Server) labRows(r *http.Request, pr *trustmark.Principal, apps []trustmark.Application) []labAppRow {
	rows := s.appRows(r, pr, apps)
	out := make([]labAppRow, len(rows))
	for i, row := range rows {
		out[i] = labAppRow{Application: row.Application, Product: row.Product, Manufacturer: s.orgName(r, row.ManufacturerID), CLA: row.CLA}
	}
	return out
}

// handleLabHome answers GET /portal/lab/ (labs): the applications that name the lab.
func (s *Server) handleLabHome(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	apps, err := s.program.Applications(r.Context(), ps.Principal, trustmark.ApplicationFilter{})
	if err != nil {
		return err
	}
	slices.SortStableFunc(apps, func(a, b trustmark.Application) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	return s.renderPortal(w, r, ps, "lab_applications.html", portalView{Title: "portal.lab.title", Data: s.labRows(r, ps.Principal, apps)})
}

// labAppPage is the data of lab_application.html.
type labAppPage struct {
	App     labAppRow
	Reports []trustmark.TestReport
	// Claims are the verdict's claims for the latest U.S. report, when there is one.
	Claims   []string
	Catalogs []option
	// Open is set while reports may still be attached (before a decision,
	// or during its review).
	Open bool
}

// labApplication loads an application naming the caller's lab.
func (s *Server) labApplication(r *http.Request, ps *portalSession) (labAppRow, error) {
	a, err := s.program.Application(r.Context(), ps.Principal, r.PathValue("id"))
	if err != nil {
		return labAppRow{}, err
	}
	return s.labRows(r, ps.Principal, []trustmark.Application{*a})[0], nil
}

// catalogOptions are the criteria catalogs a report may be entered against.
func (s *Server) catalogOptions() []option {
	var out []option
	for _, c := range s.program.Criteria().Catalogs() {
		out = append(out, option{Value: c.ID, Text: c.Title})
	}
	return out
}

// handleLabApplication answers GET /portal/lab/applications/{id} (labs):
// the application, its reports and the verdict on the latest.
func (s *Server) handleLabApplication(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderLabApplication(w, r, ps, nil)
}

func (s *Server) renderLabApplication(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form) error {
	app, err := s.labApplication(r, ps)
	if err != nil {
		return err
	}
	reports, verdict, err := s.program.Reports(r.Context(), ps.Principal, app.ID)
	if err != nil {
		return err
	}
	p := labAppPage{App: app, Reports: reports, Catalogs: s.catalogOptions()}
	if res, ok := verdict.(*criteria.Result); ok && res != nil {
		p.Claims = res.Claims
	}
	switch app.State {
	case trustmark.AppDraft, trustmark.AppSubmitted, trustmark.AppInfoRequested, trustmark.AppUnderReview, trustmark.AppUnderAppeal:
		p.Open = true
	}
	if f == nil {
		f = formOf(url.Values{"catalog": {program.USCatalog}})
	}
	return s.renderPortal(w, r, ps, "lab_application.html", portalView{Title: "portal.lab.app_title", TitleArgs: []any{app.Product}, Form: f, Data: p})
}

// reportForm is the data of lab_report.html.
type reportForm struct {
	App      labAppRow
	Catalog  *criteria.Catalog
	Catalogs []option
	Outcomes []option
}

// reportFormFor loads the application and the catalog the report is
// entered against (?catalog=, default the U.S. catalog).
func (s *Server) reportFormFor(r *http.Request, ps *portalSession, catalog string) (reportForm, error) {
	d := reportForm{Outcomes: []option{
		{Value: "", Label: "portal.report.outcome_none"},
		{Value: string(trustmark.OutcomePass), Label: "portal.outcome.pass"},
		{Value: string(trustmark.OutcomeFail), Label: "portal.outcome.fail"},
		{Value: string(trustmark.OutcomeNotApplicable), Label: "portal.outcome.not_applicable"},
		{Value: string(trustmark.OutcomeNotTested), Label: "portal.outcome.not_tested"},
	}}
	d.Catalogs = s.catalogOptions()
	app, err := s.labApplication(r, ps)
	if err != nil {
		return d, err
	}
	d.App = app
	if catalog == "" {
		catalog = program.USCatalog
	}
	c, err := s.program.Criteria().Catalog(catalog)
	if err != nil {
		return d, criteriaError(err)
	}
	d.Catalog = c
	return d, nil
}

// handleLabReportForm answers GET /portal/lab/applications/{id}/report
// (labs): one result per requirement of the chosen catalog.
func (s *Server) handleLabReportForm(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	d, err := s.reportFormFor(r, ps, r.URL.Query().Get("catalog"))
	if err != nil {
		return err
	}
	f := formOf(url.Values{"catalog": {d.Catalog.Info.ID}})
	return s.renderPortal(w, r, ps, "lab_report.html", portalView{Title: "portal.report.title", TitleArgs: []any{d.App.Product}, Form: f, Data: d})
}

// resultField names the form fields of one requirement's result.
func resultField(reqID, part string) string { return "results[" + reqID + "]." + part }

// ResultField is resultField for templates.
func (p portalPage) ResultField(reqID, part string) string { return resultField(reqID, part) }

// handleLabReport answers POST /portal/lab/applications/{id}/report
// (members of the named lab): a multipart form with a result per
// requirement and optional evidence files, attached with
// program.AttachReport. Requirements left without an outcome are not
// reported.
func (s *Server) handleLabReport(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	d, err := s.reportFormFor(r, ps, f.Get("catalog"))
	if err != nil {
		return err
	}
	rep := trustmark.TestReport{Catalog: d.Catalog.Info.ID, SignerTitle: f.Get("signer_title")}
	for _, req := range d.Catalog.Requirements {
		outcome := f.Get(resultField(req.ID, "outcome"))
		if outcome == "" {
			continue
		}
		res := trustmark.ReportResult{Requirement: req.ID, Outcome: trustmark.Outcome(outcome),
			Justification: f.Get(resultField(req.ID, "justification")), Evidence: []trustmark.Evidence{}}
		ev, err := evidenceFile(r, resultField(req.ID, "evidence"))
		if err != nil {
			return err
		}
		if ev != nil {
			res.Evidence = append(res.Evidence, *ev)
		}
		rep.Results = append(rep.Results, res)
	}
	if _, err := s.program.AttachReport(r.Context(), ps.Principal, d.App.ID, rep); err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderPortal(w, r, ps, "lab_report.html", portalView{Title: "portal.report.title", TitleArgs: []any{d.App.Product}, Form: f, Data: d})
	}
	seeOther(w, r, "/portal/lab/applications/"+url.PathEscape(d.App.ID)+"?done=report_attached")
	return nil
}

// evidenceFile reads an uploaded evidence file of a multipart form into
// an Evidence with its hash; nil when no file was chosen.
func evidenceFile(r *http.Request, field string) (*trustmark.Evidence, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	fhs := r.MultipartForm.File[field]
	if len(fhs) == 0 || fhs[0].Filename == "" {
		return nil, nil
	}
	fh := fhs[0]
	file, err := fh.Open()
	if err != nil {
		return nil, trustmark.Internal(err)
	}
	defer file.Close()
	b, err := io.ReadAll(file)
	if err != nil {
		return nil, trustmark.Internal(err)
	}
	sum := sha256.Sum256(b)
	mt := fh.Header.Get("Content-Type")
	if _, _, err := mime.ParseMediaType(mt); err != nil || mt == "" {
		mt = "application/octet-stream"
	}
	return &trustmark.Evidence{Name: path.Base(fh.Filename), MediaType: mt, SHA256: hex.EncodeToString(sum[:]), Size: len(b), Content: b}, nil
}

// handleLabReportUpload answers POST
// /portal/lab/applications/{id}/report/upload (members of the named lab):
// a report JSON file, the body of POST /api/v1/applications/{id}/reports,
// attached with program.AttachReport.
func (s *Server) handleLabReportUpload(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	app, err := s.labApplication(r, ps)
	if err != nil {
		return err
	}
	rep, ferr := reportFile(r)
	if ferr == nil {
		_, err = s.program.AttachReport(r.Context(), ps.Principal, app.ID, rep)
	}
	switch {
	case ferr != nil:
		f.failField("report", ferr.key, ferr.args...)
	case err != nil:
		if err := f.fail(err); err != nil {
			return err
		}
	default:
		seeOther(w, r, "/portal/lab/applications/"+url.PathEscape(app.ID)+"?done=report_attached")
		return nil
	}
	return s.renderLabApplication(w, r, ps, f)
}

// reportFile decodes the uploaded report JSON file (field "report"),
// strictly, as the API decodes its body.
func reportFile(r *http.Request) (trustmark.TestReport, *portalRefusal) {
	var rep trustmark.TestReport
	if r.MultipartForm == nil || len(r.MultipartForm.File["report"]) == 0 || r.MultipartForm.File["report"][0].Filename == "" {
		return rep, &portalRefusal{key: "portal.upload.missing"}
	}
	file, err := r.MultipartForm.File["report"][0].Open()
	if err != nil {
		return rep, &portalRefusal{key: "portal.upload.unreadable"}
	}
	defer file.Close()
	dec := json.NewDecoder(file)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return rep, &portalRefusal{key: "portal.upload.syntax", args: []any{se.Offset}}
		case errors.As(err, &te):
			return rep, &portalRefusal{key: "portal.upload.type", args: []any{te.Field, te.Type.String()}}
		}
		return rep, &portalRefusal{key: "portal.upload.invalid", args: []any{err.Error()}}
	}
	if dec.More() {
		return rep, &portalRefusal{key: "portal.upload.more"}
	}
	return rep, nil
}
