package web

import (
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"trustmark"
	"trustmark/internal/program"
	"trustmark/internal/sbom"
)

// The vulnerability monitoring pages of the portals (/portal/vuln/…;
// docs/vulns.md): a manufacturer keeps its products' SBOMs and VEX
// statements and reads its alerts; a CLA reads the alerts of its grants
// and may turn one into a surveillance finding; the admins of both
// register webhooks. The rules — who may read an SBOM, which alerts a
// party sees, when an alert may become a finding — are the program's
// (internal/program/vuln.go); these handlers call it with the session's
// principal, as the JSON API's handlers in api_vuln.go do.

// Icons of the severities: each has its own shape, so that a severity is
// told by its word, its shape and its colour, never by colour alone (WCAG
// 1.4.1). They inherit the colour of their label (currentColor).
const (
	iconCritical template.HTML = `<svg class="sev-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false"><path d="M6 1h8l5 5v8l-5 5H6l-5-5V6z" fill="currentColor"/><path d="M10 5v6" stroke="#fff" stroke-width="2.4" stroke-linecap="round"/><circle cx="10" cy="14.6" r="1.4" fill="#fff"/></svg>`
	iconHigh     template.HTML = `<svg class="sev-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false"><path d="M10 1l9.5 17H.5z" fill="currentColor"/><path d="M10 7v5" stroke="#fff" stroke-width="2.2" stroke-linecap="round"/><circle cx="10" cy="15" r="1.3" fill="#fff"/></svg>`
	iconMedium   template.HTML = `<svg class="sev-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false"><path d="M10 1l9 9-9 9-9-9z" fill="currentColor"/><path d="M10 6v5" stroke="#fff" stroke-width="2.2" stroke-linecap="round"/><circle cx="10" cy="14" r="1.3" fill="#fff"/></svg>`
	iconLow      template.HTML = `<svg class="sev-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false"><circle cx="10" cy="10" r="9" fill="currentColor"/><path d="M10 9v5" stroke="#fff" stroke-width="2.2" stroke-linecap="round"/><circle cx="10" cy="6" r="1.3" fill="#fff"/></svg>`
	iconUnknown  template.HTML = `<svg class="sev-icon" viewBox="0 0 20 20" aria-hidden="true" focusable="false"><rect x="1" y="1" width="18" height="18" rx="3" fill="currentColor"/><path d="M7.5 7.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .8-1 1.5v.7" fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round"/><circle cx="10" cy="15" r="1.2" fill="#fff"/></svg>`
)

// badge is how a domain value is shown: Label is its message key, Class
// its CSS class, Icon an optional icon before the words.
type badge struct {
	Label string
	Class string
	Icon  template.HTML
}

// severityBadges show severities in words, with an icon and a colour.
var severityBadges = map[trustmark.Severity]badge{
	trustmark.SeverityCritical: {Label: "vuln.severity.critical", Class: "sev sev-critical", Icon: iconCritical},
	trustmark.SeverityHigh:     {Label: "vuln.severity.high", Class: "sev sev-high", Icon: iconHigh},
	trustmark.SeverityMedium:   {Label: "vuln.severity.medium", Class: "sev sev-medium", Icon: iconMedium},
	trustmark.SeverityLow:      {Label: "vuln.severity.low", Class: "sev sev-low", Icon: iconLow},
	trustmark.SeverityUnknown:  {Label: "vuln.severity.unknown", Class: "sev sev-unknown", Icon: iconUnknown},
}

// alertStateBadges name the alert states.
var alertStateBadges = map[trustmark.AlertState]badge{
	trustmark.AlertOpen:       {Label: "vuln.state.open", Class: "state vstate-open"},
	trustmark.AlertSuppressed: {Label: "vuln.state.suppressed", Class: "state vstate-suppressed"},
	trustmark.AlertResolved:   {Label: "vuln.state.resolved", Class: "state vstate-resolved"},
	trustmark.AlertFinding:    {Label: "vuln.state.finding", Class: "state vstate-finding"},
}

// confidenceBadges say how a match was made; a CPE match is marked as the
// lower-confidence class it is.
var confidenceBadges = map[trustmark.Confidence]badge{
	trustmark.ConfidencePURL: {Label: "vuln.confidence.purl", Class: "conf conf-purl"},
	trustmark.ConfidenceCPE:  {Label: "vuln.confidence.cpe", Class: "conf conf-cpe"},
}

// vexStatusBadges name the VEX statuses.
var vexStatusBadges = map[trustmark.VEXStatus]badge{
	trustmark.VEXNotAffected:        {Label: "vuln.vex.not_affected", Class: "state vstate-resolved"},
	trustmark.VEXFixed:              {Label: "vuln.vex.fixed", Class: "state vstate-resolved"},
	trustmark.VEXAffected:           {Label: "vuln.vex.affected", Class: "state vstate-open"},
	trustmark.VEXUnderInvestigation: {Label: "vuln.vex.under_investigation", Class: "state vstate-suppressed"},
}

// severityBadge returns the badge of a severity (unknown for any other value).
func severityBadge(s trustmark.Severity) badge {
	if b, ok := severityBadges[s]; ok {
		return b
	}
	return severityBadges[trustmark.SeverityUnknown]
}

// severityOrder ranks severities for sorting, most severe first.
func severityOrder(s trustmark.Severity) int {
	return slices.Index([]trustmark.Severity{trustmark.SeverityCritical, trustmark.SeverityHigh, trustmark.SeverityMedium,
		trustmark.SeverityLow}, s) + 1 // unknown and others: 0, sorted last below
}

// alertRow is one alert as the pages show it.
type alertRow struct {
	trustmark.Alert
	ProductName string
	Severity    badge
	State       badge
	Confidence  badge
}

// newAlertRows dresses alerts for display: badges and the product's name
// (from the grant's public registry record), most urgent first — open,
// then findings, suppressed and resolved; the most severe first; matches
// by package URL before CPE matches; newest first.
func (s *Server) newAlertRows(r *http.Request, list []trustmark.Alert) []alertRow {
	rows := make([]alertRow, len(list))
	for i, a := range list {
		rows[i] = alertRow{Alert: a, ProductName: s.grantProductName(r, a.LabelID), Severity: severityBadge(a.Severity),
			State: alertStateBadges[a.State], Confidence: confidenceBadges[a.Confidence]}
	}
	stateOrder := []trustmark.AlertState{trustmark.AlertOpen, trustmark.AlertFinding, trustmark.AlertSuppressed, trustmark.AlertResolved}
	rank := func(s trustmark.Severity) int {
		if n := severityOrder(s); n > 0 {
			return n
		}
		return 99
	}
	slices.SortStableFunc(rows, func(a, b alertRow) int {
		if c := slices.Index(stateOrder, a.Alert.State) - slices.Index(stateOrder, b.Alert.State); c != 0 {
			return c
		}
		if c := rank(a.Alert.Severity) - rank(b.Alert.Severity); c != 0 {
			return c
		}
		if a.Alert.Confidence != b.Alert.Confidence {
			if a.Alert.Confidence == trustmark.ConfidencePURL {
				return -1
			}
			return 1
		}
		return b.OpenedAt.Compare(a.OpenedAt)
	})
	return rows
}

// vulnAlerts is the data of vuln-alerts.html.
type vulnAlerts struct {
	Alerts []alertRow
	States []option
	// Products are the manufacturer's products to filter by (none for a CLA).
	Products []option
	// Product is the product filtered by, when one is.
	Product string
	// CanHook is set for admins, who may register webhooks.
	CanHook bool
}

// handleVulnAlerts answers GET /portal/vuln/alerts?state=&product=
// (manufacturers: their alerts; CLAs: those of their grants).
func (s *Server) handleVulnAlerts(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	ctx, pr := r.Context(), ps.Principal
	q := r.URL.Query()
	f := formOf(url.Values{"state": {q.Get("state")}, "product": {q.Get("product")}})
	d := vulnAlerts{Product: q.Get("product"), CanHook: pr.Token.Role.AtLeast(trustmark.RoleAdmin),
		States: []option{{Value: "", Label: "vuln.alerts.all_states"}}}
	for _, st := range []trustmark.AlertState{trustmark.AlertOpen, trustmark.AlertSuppressed, trustmark.AlertFinding, trustmark.AlertResolved} {
		d.States = append(d.States, option{Value: string(st), Label: alertStateBadges[st].Label})
	}
	if pr.Is(trustmark.OrgManufacturer) {
		prods, err := s.program.Products(ctx, pr)
		if err != nil {
			return err
		}
		d.Products = []option{{Value: "", Label: "vuln.alerts.all_products"}}
		for _, p := range prods {
			d.Products = append(d.Products, option{Value: p.ID, Text: p.Name})
		}
	}
	list, err := s.program.Alerts(ctx, pr, trustmark.AlertFilter{State: trustmark.AlertState(q.Get("state")), ProductID: q.Get("product")})
	if err != nil {
		// A state that is not one: 400 beside the filter.
		if err := f.fail(err); err != nil {
			return err
		}
	}
	d.Alerts = s.newAlertRows(r, list)
	return s.renderPortal(w, r, ps, "vuln-alerts.html", portalView{Title: "vuln.alerts.title", Form: f, Data: d})
}

// vulnAlertPage is the data of vuln-alert.html.
type vulnAlertPage struct {
	Alert alertRow
	// Support says whether the support period was running when matched.
	Support string
	// CanFinding is set when the viewer may turn the alert into a
	// surveillance finding: a member of its CLA, while it is open or
	// suppressed.
	CanFinding bool
	// NeedsPlan is set when the finding was refused because the CLA has no
	// surveillance plan for the year.
	NeedsPlan bool
	// Manufacturer is set for the alert's manufacturer, who may answer it
	// with a new SBOM or a VEX statement.
	Manufacturer bool
}

// renderVulnAlert renders the alert page with f, the finding form as
// posted (nil for a blank one).
func (s *Server) renderVulnAlert(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form) error {
	pr := ps.Principal
	a, err := s.program.Alert(r.Context(), pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := vulnAlertPage{Alert: s.newAlertRows(r, []trustmark.Alert{*a})[0], Support: "vuln.support.ended",
		Manufacturer: pr.Org.ID == a.ManufacturerID}
	if a.SupportRunning {
		d.Support = "vuln.support.running"
	}
	d.CanFinding = pr.Is(trustmark.OrgCLA) && pr.Org.ID == a.CLAID && pr.Token.Role.AtLeast(trustmark.RoleMember) &&
		(a.State == trustmark.AlertOpen || a.State == trustmark.AlertSuppressed)
	if f != nil && f.err != nil {
		if f.err.Kind == trustmark.KindRule {
			// The only rule refusal: no surveillance plan for the year. Say
			// it in the reader's language, with the link to draw one.
			d.NeedsPlan = true
			f.key, f.args = "vuln.finding.needs_plan", []any{s.program.Now().Year()}
		}
		d.CanFinding = true // show the form again with its error
	}
	return s.renderPortal(w, r, ps, "vuln-alert.html", portalView{Title: "vuln.alert.title", TitleArgs: []any{a.AdvisoryID, a.Component.Name},
		Form: f, Data: d})
}

// handleVulnAlert answers GET /portal/vuln/alerts/{id} (the alert's
// manufacturer and CLA).
func (s *Server) handleVulnAlert(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderVulnAlert(w, r, ps, nil)
}

// handleVulnAlertFinding answers POST /portal/vuln/alerts/{id}/finding (the
// alert's CLA, member): program.AlertToFinding records a failed for-cause
// sample with the note, which suspends an active grant for cure. A CLA
// without a surveillance plan for the year is told so beside the form,
// with a link to draw one.
func (s *Server) handleVulnAlertFinding(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	a, err := s.program.AlertToFinding(r.Context(), ps.Principal, r.PathValue("id"), f.Get("note"))
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderVulnAlert(w, r, ps, f)
	}
	s.Invalidate(a.LabelID)
	seeOther(w, r, "/portal/vuln/alerts/"+url.PathEscape(a.ID)+"?done=vuln_finding")
	return nil
}

// vulnProductRow is one product in the manufacturer's SBOM overview.
type vulnProductRow struct {
	trustmark.Product
	// Current is the product's newest SBOM; nil when it has none.
	Current    *trustmark.SBOM
	SBOMs      int
	OpenAlerts int
}

// handleVulnProducts answers GET /portal/vuln/products (manufacturers):
// each product with its current SBOM and its open alerts.
func (s *Server) handleVulnProducts(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	ctx, pr := r.Context(), ps.Principal
	prods, err := s.program.Products(ctx, pr)
	if err != nil {
		return err
	}
	open, err := s.program.Alerts(ctx, pr, trustmark.AlertFilter{State: trustmark.AlertOpen})
	if err != nil {
		return err
	}
	rows := make([]vulnProductRow, len(prods))
	for i, p := range prods {
		sboms, err := s.program.SBOMs(ctx, pr, p.ID)
		if err != nil {
			return err
		}
		rows[i] = vulnProductRow{Product: p, SBOMs: len(sboms)}
		if len(sboms) > 0 {
			rows[i].Current = &sboms[0]
		}
		for _, a := range open {
			if a.ProductID == p.ID {
				rows[i].OpenAlerts++
			}
		}
	}
	return s.renderPortal(w, r, ps, "vuln-products.html", portalView{Title: "vuln.products.title", Data: rows})
}

// findingRow is one finding of an SBOM matched now.
type findingRow struct {
	program.Finding
	Severity, Confidence badge
	// VEX is the suppressing statement's status, when one suppresses it.
	VEX badge
}

// findingRows dresses findings for display, in the program's order
// (most severe first).
func findingRows(fs *program.Findings) []findingRow {
	if fs == nil {
		return nil
	}
	out := make([]findingRow, len(fs.Findings))
	for i, f := range fs.Findings {
		out[i] = findingRow{Finding: f, Severity: severityBadge(f.Severity), Confidence: confidenceBadges[f.Confidence]}
		if f.Suppressed != nil {
			out[i].VEX = vexStatusBadges[f.Suppressed.Status]
		}
	}
	return out
}

// vexRow is one VEX statement with its status badge.
type vexRow struct {
	trustmark.VEXStatement
	Status badge
}

// vulnProductPage is the data of vuln-product.html.
type vulnProductPage struct {
	Product *trustmark.Product
	SBOMs   []trustmark.SBOM
	// Current is the newest SBOM with its components; nil when none.
	Current *trustmark.SBOM
	// Findings are the current SBOM's components matched now, VEX applied.
	Findings  []findingRow
	Open      int
	Unchecked int
	VEX       []vexRow
	// OpenAlerts counts the product's open alerts (a labeled product's).
	OpenAlerts int
	// CanUpload is set for members, who may upload.
	CanUpload bool
	// Posted names the form posted ("sbom" or "vex"), whose error shows.
	Posted string
}

// renderVulnProduct renders a product's SBOM page; f is the form posted
// (posted names which: "sbom" or "vex"), nil for none.
func (s *Server) renderVulnProduct(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form, posted string) error {
	ctx, pr := r.Context(), ps.Principal
	prod, err := s.program.Product(ctx, pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := vulnProductPage{Product: prod, Posted: posted, CanUpload: pr.Token.Role.AtLeast(trustmark.RoleMember)}
	if d.SBOMs, err = s.program.SBOMs(ctx, pr, prod.ID); err != nil {
		return err
	}
	if len(d.SBOMs) > 0 {
		if d.Current, err = s.program.SBOM(ctx, pr, d.SBOMs[0].ID); err != nil {
			return err
		}
		found, err := s.program.SBOMFindings(ctx, pr, d.Current.ID)
		if err != nil {
			return err
		}
		d.Findings, d.Open, d.Unchecked = findingRows(found), found.Open(), len(found.Unchecked)
	}
	stmts, err := s.program.VEXStatements(ctx, pr, prod.ID)
	if err != nil {
		return err
	}
	for i := len(stmts) - 1; i >= 0; i-- { // newest first
		d.VEX = append(d.VEX, vexRow{VEXStatement: stmts[i], Status: vexStatusBadges[stmts[i].Status]})
	}
	open, err := s.program.Alerts(ctx, pr, trustmark.AlertFilter{State: trustmark.AlertOpen, ProductID: prod.ID})
	if err != nil {
		return err
	}
	d.OpenAlerts = len(open)
	return s.renderPortal(w, r, ps, "vuln-product.html", portalView{Title: "vuln.product.title", TitleArgs: []any{prod.Name}, Form: f, Data: d})
}

// handleVulnProduct answers GET /portal/vuln/products/{id} (the product's
// manufacturer): its SBOMs, the current one's findings, its VEX
// statements and the upload forms.
func (s *Server) handleVulnProduct(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderVulnProduct(w, r, ps, nil, "")
}

// uploadedFile reads the file a multipart form sent in field; chosen is
// false when no file was chosen.
func uploadedFile(r *http.Request, field string) (doc []byte, chosen bool, err error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) == 0 || r.MultipartForm.File[field][0].Filename == "" {
		return nil, false, nil
	}
	file, err := r.MultipartForm.File[field][0].Open()
	if err != nil {
		return nil, true, trustmark.Internal(err)
	}
	defer file.Close()
	// The body was capped at sbom.MaxSize already (documentRoutes).
	doc, err = io.ReadAll(io.LimitReader(file, sbom.MaxSize+1))
	if err != nil {
		return nil, true, trustmark.Internal(err)
	}
	return doc, true, nil
}

// aboutField puts a program error about input that names no field on
// field (the file input), so the form shows it beside that input.
func aboutField(err error, field string) error {
	var te *trustmark.Error
	if errors.As(err, &te) && te.Field == "" && te.Kind == trustmark.KindInvalid {
		c := *te
		c.Field = field
		return &c
	}
	return err
}

// handleVulnUploadSBOM answers POST /portal/vuln/products/{id}/sboms (the
// product's manufacturer, member): the multipart form's version and file
// go to program.UploadSBOM; a malformed file is shown beside the file
// input, with the typed version kept. On success the new SBOM's page shows
// what the parser warns about.
func (s *Server) handleVulnUploadSBOM(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	doc, chosen, err := uploadedFile(r, "document")
	if err != nil {
		return err
	}
	if !chosen && f.Get("version") != "" {
		f.failField("document", "vuln.sbom.no_file")
		return s.renderVulnProduct(w, r, ps, f, "sbom")
	}
	// Without a version the program says so first, file or not.
	sb, _, err := s.program.UploadSBOM(r.Context(), ps.Principal, r.PathValue("id"), f.Get("version"), doc)
	if err != nil {
		if err := f.fail(aboutField(err, "document")); err != nil {
			return err
		}
		return s.renderVulnProduct(w, r, ps, f, "sbom")
	}
	seeOther(w, r, "/portal/vuln/sboms/"+url.PathEscape(sb.ID)+"?done=vuln_sbom_uploaded")
	return nil
}

// handleVulnUploadVEX answers POST /portal/vuln/products/{id}/vex (the
// product's manufacturer, member): program.UploadVEX with the file; the
// statements it holds are recorded with the user as their author and
// applied to the product's alerts at once.
func (s *Server) handleVulnUploadVEX(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	doc, chosen, err := uploadedFile(r, "vex")
	if err != nil {
		return err
	}
	if !chosen {
		f.failField("vex", "vuln.vex.no_file")
		return s.renderVulnProduct(w, r, ps, f, "vex")
	}
	if _, err := s.program.UploadVEX(r.Context(), ps.Principal, r.PathValue("id"), doc); err != nil {
		if err := f.fail(aboutField(err, "vex")); err != nil {
			return err
		}
		return s.renderVulnProduct(w, r, ps, f, "vex")
	}
	seeOther(w, r, "/portal/vuln/products/"+url.PathEscape(r.PathValue("id"))+"?done=vuln_vex_uploaded")
	return nil
}

// vulnSBOMPage is the data of vuln-sbom.html.
type vulnSBOMPage struct {
	SBOM    *trustmark.SBOM
	Product *trustmark.Product
	// Current is set when this is the product's newest SBOM.
	Current bool
	// Warnings are what the parser says the document lacks for matching.
	Warnings []string
	Findings []findingRow
	// Unchecked are the components that cannot be matched.
	Unchecked []trustmark.SoftwareComponent
	Open      int
	// Undisclosed is the label whose registry record says no SBOM is
	// maintained, when the product is labeled and it does.
	Undisclosed trustmark.LabelID
}

// handleVulnSBOM answers GET /portal/vuln/sboms/{id} (the product's
// manufacturer): one SBOM with its components, the parser's warnings
// (read again from the stored document) and its findings now.
func (s *Server) handleVulnSBOM(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	ctx, pr := r.Context(), ps.Principal
	sb, err := s.program.SBOM(ctx, pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	// The program lets the product's CLA, lab and the regulator read it
	// too; this page is the manufacturer's.
	if !pr.Is(trustmark.OrgManufacturer) {
		return trustmark.Errorf(trustmark.KindNotFound, "SBOM %q not found", sb.ID)
	}
	d := vulnSBOMPage{SBOM: sb}
	if d.Product, err = s.program.Product(ctx, pr, sb.ProductID); err != nil {
		return err
	}
	sboms, err := s.program.SBOMs(ctx, pr, sb.ProductID)
	if err != nil {
		return err
	}
	d.Current = len(sboms) > 0 && sboms[0].ID == sb.ID
	if _, doc, err := s.program.SBOMDocument(ctx, pr, sb.ID); err != nil {
		return err
	} else if parsed, err := sbom.Parse(doc); err == nil {
		d.Warnings = parsed.Warnings
	}
	found, err := s.program.SBOMFindings(ctx, pr, sb.ID)
	if err != nil {
		return err
	}
	d.Findings, d.Unchecked, d.Open = findingRows(found), found.Unchecked, found.Open()
	// A labeled product's registry record is the manufacturer's public
	// disclosure that an SBOM is maintained (8.222(b)(10)).
	grants, err := s.program.Grants(ctx, pr, trustmark.GrantFilter{})
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.ProductID != sb.ProductID || g.Status.Final() {
			continue
		}
		if rec, err := s.store.RegistryRecord(ctx, g.LabelID); err == nil && !rec.SBOMHBOMMaintained.SBOMMaintained {
			d.Undisclosed = g.LabelID
		}
	}
	return s.renderPortal(w, r, ps, "vuln-sbom.html", portalView{Title: "vuln.sbom.title", TitleArgs: []any{d.Product.Name, sb.ProductVersion}, Data: d})
}

// handleVulnSBOMDocument answers GET /portal/vuln/sboms/{id}/document (the
// product's manufacturer): the document as uploaded, as GET
// /api/v1/sboms/{id}/document answers it.
func (s *Server) handleVulnSBOMDocument(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.handleSBOMDocument(w, r, ps.Principal)
}

// webhookRow is one webhook in the list.
type webhookRow struct {
	trustmark.Webhook
	Host string
}

// vulnWebhooks is the data of vuln-webhooks.html.
type vulnWebhooks struct {
	Hooks []webhookRow
	// Enabled is false when the server has no webhook key.
	Enabled bool
	Max     int
	// Created and Secret are the webhook just created and its signing
	// secret, shown this once.
	Created *trustmark.Webhook
	Secret  string
}

// renderVulnWebhooks renders the webhook page with the create form f.
func (s *Server) renderVulnWebhooks(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form, created *trustmark.Webhook, secret string) error {
	hooks, err := s.program.Webhooks(r.Context(), ps.Principal)
	if err != nil {
		return err
	}
	d := vulnWebhooks{Enabled: s.program.WebhooksEnabled(), Max: program.MaxWebhooks, Created: created, Secret: secret}
	for _, h := range hooks {
		d.Hooks = append(d.Hooks, webhookRow{Webhook: h, Host: hostOf(h.URL)})
	}
	return s.renderPortal(w, r, ps, "vuln-webhooks.html", portalView{Title: "vuln.webhooks.title", Form: f, Data: d})
}

// hostOf is the host of a URL, how a webhook is named in prose.
func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return pu.Host
	}
	return u
}

// handleVulnWebhooks answers GET /portal/vuln/webhooks (admins of a
// manufacturer or CLA; the program refuses others).
func (s *Server) handleVulnWebhooks(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderVulnWebhooks(w, r, ps, nil, nil, "")
}

// handleVulnCreateWebhook answers POST /portal/vuln/webhooks (admins of a
// manufacturer or CLA): program.CreateWebhook. The answer is the page
// itself, not a redirect, because it shows the signing secret this once
// (the page is not stored: no-store).
func (s *Server) handleVulnCreateWebhook(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	hook, secret, err := s.program.CreateWebhook(r.Context(), ps.Principal, f.Get("url"))
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		if f.err.Field == "" {
			f.err.Field = "url" // too many, or webhooks disabled: beside the one input
		}
		return s.renderVulnWebhooks(w, r, ps, f, nil, "")
	}
	return s.renderVulnWebhooks(w, r, ps, nil, hook, secret)
}

// webhookOf finds one of the caller's organization's webhooks.
func (s *Server) webhookOf(r *http.Request, ps *portalSession) (*webhookRow, error) {
	hooks, err := s.program.Webhooks(r.Context(), ps.Principal)
	if err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	for _, h := range hooks {
		if h.ID == id {
			return &webhookRow{Webhook: h, Host: hostOf(h.URL)}, nil
		}
	}
	return nil, trustmark.Errorf(trustmark.KindNotFound, "webhook %q not found", id)
}

// handleVulnWebhookDeleteForm answers GET /portal/vuln/webhooks/{id}/delete
// (admins of the webhook's organization): asks to confirm.
func (s *Server) handleVulnWebhookDeleteForm(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	h, err := s.webhookOf(r, ps)
	if err != nil {
		return err
	}
	return s.renderPortal(w, r, ps, "vuln-webhook-delete.html", portalView{Title: "vuln.webhook_delete.title", TitleArgs: []any{h.Host}, Data: h})
}

// handleVulnWebhookDelete answers POST /portal/vuln/webhooks/{id}/delete
// (admins of the webhook's organization): program.DeleteWebhook; its
// queued deliveries are dropped.
func (s *Server) handleVulnWebhookDelete(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	if err := s.program.DeleteWebhook(r.Context(), ps.Principal, r.PathValue("id")); err != nil {
		return err
	}
	seeOther(w, r, "/portal/vuln/webhooks?done=vuln_webhook_deleted")
	return nil
}

// Sentence returns the first n runes of a long text, for listings.
func (p portalPage) Sentence(text string, n int) string {
	return shorten(strings.TrimSpace(text), n)
}
