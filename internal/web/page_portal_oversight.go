package web

import (
	"cmp"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"trustmark"
	"trustmark/internal/program"
)

// The overseers' portal (/portal/oversight/…) for the Lead Administrator
// and the regulator: a dashboard of the whole program with charts drawn on
// the server (chart.go), the organizations (and, for the Lead
// Administrator, creating them), lab recognition (8.217(e)) and the audit
// log. Every action goes through the program with the session's principal.

// ovDashboard is the data of oversight-dashboard.html.
type ovDashboard struct {
	D *program.Dashboard
	// The charts, drawn: each a <figure> with its data table.
	Grants, Support, Complaints, Cure template.HTML
	// TotalGrants counts every grant, whatever its status.
	TotalGrants int
}

// handleOversightDashboard answers GET /portal/oversight/ (the Lead
// Administrator and the regulator, any role).
func (s *Server) handleOversightDashboard(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	d, err := s.program.Dashboard(r.Context(), ps.Principal)
	if err != nil {
		return err
	}
	lang := portalLang(r)
	tr := translator{lang: lang, msgs: s.pages.catalogs[lang]}
	v := ovDashboard{D: d}
	for _, c := range d.GrantsByStatus {
		v.TotalGrants += c.Count
	}
	if v.Grants, err = grantsChart(tr, d).HTML(); err != nil {
		return err
	}
	if v.Support, err = supportChart(tr, d).HTML(); err != nil {
		return err
	}
	if v.Complaints, err = complaintsChart(tr, d).HTML(); err != nil {
		return err
	}
	if v.Cure, err = cureChart(tr, d).HTML(); err != nil {
		return err
	}
	return s.renderPortal(w, r, ps, "oversight-dashboard.html", portalView{Title: "ov.dash.title", Data: v})
}

// monthBar labels a month's bar: the short month name, the year under the
// first bar and under every January, and the full name for the table.
func monthBar(tr translator, m time.Time, first bool) Bar {
	b := Bar{Label: tr.T("ov.month." + strconv.Itoa(int(m.Month()))),
		Name: tr.T("ov.month_long."+strconv.Itoa(int(m.Month()))) + " " + strconv.Itoa(m.Year())}
	if first || m.Month() == time.January {
		b.Sub = strconv.Itoa(m.Year())
	}
	return b
}

// monthRange names the first and last month of a series, e.g. "December 2025".
func monthRange(tr translator, first, last time.Time) (string, string) {
	return monthBar(tr, first, true).Name, monthBar(tr, last, true).Name
}

// grantsChart draws the grants issued per month, stacked by status now.
func grantsChart(tr translator, d *program.Dashboard) BarChart {
	c := BarChart{ID: "chart-grants", XLabel: tr.T("ov.chart.month"), YLabel: tr.T("ov.chart.grants.y"),
		TotalLabel: tr.T("ov.chart.total"), TableLabel: tr.T("ov.chart.table"), EmptyText: tr.T("ov.chart.grants.empty")}
	for _, st := range trustmark.GrantStatuses {
		c.Series = append(c.Series, ChartSeries{Label: tr.T("portal.grant_status." + string(st))})
	}
	total := 0
	for i, m := range d.GrantsByMonth {
		b := monthBar(tr, m.Month, i == 0)
		for _, sc := range m.ByStatus {
			b.Values = append(b.Values, sc.Count)
		}
		total += m.Total
		c.Bars = append(c.Bars, b)
	}
	from, to := monthRange(tr, d.GrantsByMonth[0].Month, d.GrantsByMonth[len(d.GrantsByMonth)-1].Month)
	c.Title = tr.T("ov.chart.grants.title")
	c.Desc = tr.T("ov.chart.grants.desc", total, from, to)
	return c
}

// supportChart draws the support periods ending per month ahead.
func supportChart(tr translator, d *program.Dashboard) BarChart {
	c := BarChart{ID: "chart-support", XLabel: tr.T("ov.chart.month"), YLabel: tr.T("ov.chart.support.y"),
		Series: []ChartSeries{{Label: tr.T("ov.chart.support.series")}}, TotalLabel: tr.T("ov.chart.total"),
		TableLabel: tr.T("ov.chart.table"), EmptyText: tr.T("ov.chart.support.empty")}
	total := 0
	for i, m := range d.SupportEnding {
		b := monthBar(tr, m.Month, i == 0)
		b.Values = []int{m.Count}
		total += m.Count
		c.Bars = append(c.Bars, b)
	}
	from, to := monthRange(tr, d.SupportEnding[0].Month, d.SupportEnding[len(d.SupportEnding)-1].Month)
	c.Title = tr.T("ov.chart.support.title")
	c.Desc = tr.T("ov.chart.support.desc", total, from, to)
	return c
}

// complaintsChart draws the open complaints by who holds them.
func complaintsChart(tr translator, d *program.Dashboard) HBarChart {
	c := HBarChart{ID: "chart-complaints", XLabel: tr.T("ov.chart.complaints.x"), LabelHeader: tr.T("ov.chart.complaints.state"),
		ValueHeader: tr.T("ov.chart.complaints.count"), TableLabel: tr.T("ov.chart.table"), EmptyText: tr.T("ov.chart.complaints.empty")}
	total := 0
	for i, sc := range d.OpenComplaints {
		c.Rows = append(c.Rows, HBar{Label: tr.T("portal.complaint_state." + sc.State), Value: sc.Count, Series: i + 3})
		total += sc.Count
	}
	c.Title = tr.T("ov.chart.complaints.title")
	c.Desc = tr.T("ov.chart.complaints.desc", total)
	return c
}

// cureChart draws the days left of each suspended grant's 20-day cure
// period, nearest deadline first.
func cureChart(tr translator, d *program.Dashboard) HBarChart {
	c := HBarChart{ID: "chart-cure", XLabel: tr.T("ov.chart.cure.x"), LabelHeader: tr.T("ov.chart.cure.product"), ValueHeader: tr.T("ov.chart.cure.left"),
		Columns: []string{tr.T("ov.col.label"), tr.T("ov.col.cla"), tr.T("ov.col.deadline")}, Max: int(trustmark.CurePeriod / (24 * time.Hour)),
		Series:     []ChartSeries{{Label: tr.T("ov.chart.cure.ok")}, {Label: tr.T("ov.chart.cure.half")}, {Label: tr.T("ov.chart.cure.late")}},
		TableLabel: tr.T("ov.chart.table"), EmptyText: tr.T("ov.chart.cure.empty")}
	for _, cc := range d.CureClocks {
		row := HBar{Label: cc.ProductName, Value: cc.DaysLeft, ValueText: tr.T("ov.chart.cure.days", cc.DaysLeft),
			Cells: []string{string(cc.LabelID), cc.CLAName, cc.Deadline.Format("2006-01-02")}}
		switch {
		case cc.Overdue:
			row.ValueText, row.Series = tr.T("ov.chart.cure.overdue"), 2
		case cc.DaysLeft < 5:
			row.Series = 2
		case cc.DaysLeft <= 10:
			row.Series = 1
		}
		c.Rows = append(c.Rows, row)
	}
	c.Title = tr.T("ov.chart.cure.title")
	c.Desc = tr.T("ov.chart.cure.desc", len(d.CureClocks))
	return c
}

// ovOrganizations is the data of oversight-organizations.html.
type ovOrganizations struct {
	Orgs []trustmark.Organization
	// CanCreate is set for admins of the Lead Administrator.
	CanCreate bool
	Kinds     []option
	// Created and Secret are the organization just created and its first
	// token, shown once.
	Created *trustmark.Organization
	Secret  string
}

func (s *Server) renderOversightOrgs(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form, v ovOrganizations) error {
	orgs, err := s.program.Organizations(r.Context(), ps.Principal, "")
	if err != nil {
		return err
	}
	kindOrder := func(k trustmark.OrgKind) int { return slices.Index(trustmark.OrgKinds, k) }
	slices.SortStableFunc(orgs, func(a, b trustmark.Organization) int {
		return cmp.Or(cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)), strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)))
	})
	v.Orgs = orgs
	v.CanCreate = ps.Principal.Is(trustmark.OrgLeadAdministrator) && ps.Principal.Token.Role.AtLeast(trustmark.RoleAdmin)
	v.Kinds = selectChoices("ov.kind.", string(trustmark.OrgRegulator), string(trustmark.OrgCLA), string(trustmark.OrgLab), string(trustmark.OrgManufacturer))
	return s.renderPortal(w, r, ps, "oversight-organizations.html", portalView{Title: "ov.orgs.title", Form: f, Data: v})
}

// handleOversightOrgs answers GET /portal/oversight/organizations (the
// Lead Administrator and the regulator).
func (s *Server) handleOversightOrgs(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderOversightOrgs(w, r, ps, nil, ovOrganizations{})
}

// handleOversightCreateOrg answers POST /portal/oversight/organizations
// (admins of the Lead Administrator): creates a party and its first admin
// token, whose secret this answer shows once (it is sent with no-store).
func (s *Server) handleOversightCreateOrg(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	o := trustmark.Organization{Kind: trustmark.OrgKind(f.Get("kind")), Name: f.Get("name"), Contact: f.Get("contact"),
		Website: f.Get("website"), Address: f.Get("address"), Country: strings.ToUpper(f.Get("country"))}
	org, secret, err := s.program.CreateOrganization(r.Context(), ps.Principal, o, f.Get("holder"))
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderOversightOrgs(w, r, ps, f, ovOrganizations{})
	}
	return s.renderOversightOrgs(w, r, ps, nil, ovOrganizations{Created: org, Secret: secret})
}

// ovLab is a lab in the oversight lists.
type ovLab struct {
	program.DirectoryLab
	Withdrawn bool
}

// ovLabs is the data of oversight-labs.html.
type ovLabs struct {
	Labs       []ovLab
	CanManage  bool
	LabOptions []option
}

func (s *Server) renderOversightLabs(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form) error {
	dir, err := s.program.Directory(r.Context())
	if err != nil {
		return err
	}
	var v ovLabs
	for _, l := range dir.Labs {
		v.Labs = append(v.Labs, ovLab{DirectoryLab: l})
	}
	for _, l := range dir.WithdrawnLabs {
		v.Labs = append(v.Labs, ovLab{DirectoryLab: l, Withdrawn: true})
	}
	v.CanManage = ps.Principal.Is(trustmark.OrgLeadAdministrator) && ps.Principal.Token.Role.AtLeast(trustmark.RoleMember)
	if v.CanManage {
		labs, err := s.program.Organizations(r.Context(), ps.Principal, trustmark.OrgLab)
		if err != nil {
			return err
		}
		v.LabOptions = []option{{Value: "", Label: "cla.choose"}}
		for _, o := range labs {
			v.LabOptions = append(v.LabOptions, option{Value: o.ID, Text: o.Name})
		}
	}
	if f == nil {
		f = blankForm()
	}
	return s.renderPortal(w, r, ps, "oversight-labs.html", portalView{Title: "ov.labs.title", Form: f, Data: v})
}

// handleOversightLabs answers GET /portal/oversight/labs (the Lead
// Administrator and the regulator).
func (s *Server) handleOversightLabs(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderOversightLabs(w, r, ps, nil)
}

// listField splits a textarea or list field into its non-empty entries, one a
// line, or also separated by commas when commas is set.
func listField(v string, commas bool) []string {
	var out []string
	for _, l := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' || commas && r == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// handleOversightRecognizeLab answers POST /portal/oversight/labs (members
// of the Lead Administrator): recognizes a lab, or renews its recognition,
// with the 8.217(e) record, as program.RecognizeLab.
func (s *Server) handleOversightRecognizeLab(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	l := trustmark.LabRecognition{OrgID: f.Get("organization_id"), TestSites: listField(f.Get("test_sites"), false),
		MailingAddress: f.Get("mailing_address"), AccreditationBody: f.Get("accreditation_body"), Scope: listField(f.Get("scope"), true),
		AccreditationExpires: trustmark.Date(f.Get("accreditation_expires")), DesignationNumber: f.Get("designation_number"),
		FRN: f.Get("frn"), ContractTesting: f.Has("contract_testing", "yes"), ForeignArrangement: f.Get("foreign_arrangement")}
	if l.OrgID == "" {
		f.failField("organization_id", "ov.labs.org_required")
		return s.renderOversightLabs(w, r, ps, f)
	}
	if org, err := s.program.Organization(r.Context(), l.OrgID); err != nil || org.Kind != trustmark.OrgLab {
		f.failField("organization_id", "ov.labs.not_a_lab")
		return s.renderOversightLabs(w, r, ps, f)
	}
	if _, err := s.program.RecognizeLab(r.Context(), ps.Principal, l); err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderOversightLabs(w, r, ps, f)
	}
	seeOther(w, r, "/portal/oversight/labs/"+l.OrgID+"?done=ov_lab_recognized")
	return nil
}

func (s *Server) renderOversightLab(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form) error {
	dir, err := s.program.Directory(r.Context())
	if err != nil {
		return err
	}
	id := r.PathValue("org_id")
	var lab *ovLab
	for _, l := range dir.Labs {
		if l.OrgID == id {
			lab = &ovLab{DirectoryLab: l}
		}
	}
	for _, l := range dir.WithdrawnLabs {
		if l.OrgID == id {
			lab = &ovLab{DirectoryLab: l, Withdrawn: true}
		}
	}
	if lab == nil {
		return trustmark.Errorf(trustmark.KindNotFound, "no recognized lab %q", id)
	}
	canWithdraw := !lab.Withdrawn && ps.Principal.Is(trustmark.OrgLeadAdministrator) && ps.Principal.Token.Role.AtLeast(trustmark.RoleMember)
	return s.renderPortal(w, r, ps, "oversight-lab.html", portalView{Title: "ov.lab.title", TitleArgs: []any{lab.Name}, Form: f,
		Data: struct {
			Lab         *ovLab
			CanWithdraw bool
		}{lab, canWithdraw}})
}

// handleOversightLab answers GET /portal/oversight/labs/{org_id} (the Lead
// Administrator and the regulator).
func (s *Server) handleOversightLab(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderOversightLab(w, r, ps, nil)
}

// handleOversightWithdrawLab answers POST /portal/oversight/labs/{org_id}/withdraw
// (members of the Lead Administrator): withdraws the recognition with a reason.
func (s *Server) handleOversightWithdrawLab(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	id := r.PathValue("org_id")
	if _, err := s.program.WithdrawLab(r.Context(), ps.Principal, id, f.Get("reason")); err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderOversightLab(w, r, ps, f)
	}
	seeOther(w, r, "/portal/oversight/labs/"+id+"?done=ov_lab_withdrawn")
	return nil
}

// auditPageSize is how many audit entries one page shows.
const auditPageSize = 50

// ovAudit is the data of oversight-audit.html.
type ovAudit struct {
	Entries []trustmark.AuditEntry
	// Next is the link to the following (older) page; First to the newest.
	Next, First string
}

// handleOversightAudit answers GET /portal/oversight/audit?subject=&before=
// (the Lead Administrator and the regulator): the audit log, newest first,
// one page at a time, optionally of one subject.
func (s *Server) handleOversightAudit(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	q := r.URL.Query()
	f := formOf(q)
	flt := trustmark.AuditFilter{Subject: strings.TrimSpace(q.Get("subject")), Limit: auditPageSize + 1}
	v := ovAudit{}
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			f.failField("before", "ov.audit.before_number")
			return s.renderPortal(w, r, ps, "oversight-audit.html", portalView{Title: "ov.audit.title", Form: f, Data: v})
		}
		flt.Before = n
	}
	if len(flt.Subject) > 200 {
		f.failField("subject", "ov.audit.subject_long")
		return s.renderPortal(w, r, ps, "oversight-audit.html", portalView{Title: "ov.audit.title", Form: f, Data: v})
	}
	entries, err := s.program.AuditLog(r.Context(), ps.Principal, flt)
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderPortal(w, r, ps, "oversight-audit.html", portalView{Title: "ov.audit.title", Form: f, Data: v})
	}
	link := func(before int64) string {
		u := "/portal/oversight/audit?"
		if flt.Subject != "" {
			u += "subject=" + url.QueryEscape(flt.Subject) + "&"
		}
		if before > 0 {
			u += "before=" + strconv.FormatInt(before, 10)
		}
		return strings.TrimRight(u, "?&")
	}
	if len(entries) > auditPageSize {
		entries = entries[:auditPageSize]
		v.Next = link(entries[len(entries)-1].Seq)
	}
	if flt.Before > 0 {
		v.First = link(0)
	}
	v.Entries = entries
	return s.renderPortal(w, r, ps, "oversight-audit.html", portalView{Title: "ov.audit.title", Form: f, Data: v})
}

// oversightNav is the overseers' portal navigation (portalNavs).
var oversightNav = []navLink{
	{"/portal/oversight/", "ov.nav.dashboard"},
	{"/portal/oversight/organizations", "ov.nav.organizations"},
	{"/portal/oversight/labs", "ov.nav.labs"},
	{"/portal/oversight/audit", "ov.nav.audit"},
}
