package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"trustmark"
	"trustmark/internal/program"
)

// The manufacturer's portal (/portal/manufacturer/…): products,
// applications (a guided form in three steps: details, declarations,
// review and submit), grants with their artwork and disclosures, and the
// complaints and surveillance samples addressed to it. Every action goes
// through the program with the session's principal, as the API does.

// mfrOverview is the data of manufacturer_home.html.
type mfrOverview struct {
	Products, Drafts, Submitted, ActiveGrants, OpenComplaints, OpenSamples int
	// OpenAlerts counts open vulnerability alerts (page_portal_vuln.go).
	OpenAlerts int
}

// handleMfrHome answers GET /portal/manufacturer/ (manufacturers): counts
// of what needs attention, with links.
func (s *Server) handleMfrHome(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	ctx, pr := r.Context(), ps.Principal
	var o mfrOverview
	prods, err := s.program.Products(ctx, pr)
	if err != nil {
		return err
	}
	o.Products = len(prods)
	apps, err := s.program.Applications(ctx, pr, trustmark.ApplicationFilter{})
	if err != nil {
		return err
	}
	for _, a := range apps {
		switch a.State {
		case trustmark.AppDraft, trustmark.AppInfoRequested:
			o.Drafts++
		case trustmark.AppSubmitted, trustmark.AppUnderReview, trustmark.AppUnderAppeal:
			o.Submitted++
		}
	}
	grants, err := s.program.Grants(ctx, pr, trustmark.GrantFilter{Status: trustmark.GrantActive})
	if err != nil {
		return err
	}
	o.ActiveGrants = len(grants)
	complaints, err := s.program.Complaints(ctx, pr)
	if err != nil {
		return err
	}
	for _, c := range complaints {
		if c.State != trustmark.ComplaintClosed && c.State != trustmark.ComplaintJustified {
			o.OpenComplaints++
		}
	}
	samples, err := s.program.Samples(ctx, pr)
	if err != nil {
		return err
	}
	for _, smp := range samples {
		if smp.State == trustmark.SampleRequested {
			o.OpenSamples++
		}
	}
	alerts, err := s.program.Alerts(ctx, pr, trustmark.AlertFilter{State: trustmark.AlertOpen})
	if err != nil {
		return err
	}
	o.OpenAlerts = len(alerts)
	return s.renderPortal(w, r, ps, "manufacturer_home.html", portalView{Title: "portal.mfr.home_title", Data: o})
}

// handleMfrProducts answers GET /portal/manufacturer/products (manufacturers).
func (s *Server) handleMfrProducts(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	prods, err := s.program.Products(r.Context(), ps.Principal)
	if err != nil {
		return err
	}
	return s.renderPortal(w, r, ps, "manufacturer_products.html", portalView{Title: "portal.products.title", Data: prods})
}

// productForm is the data of manufacturer_product_new.html.
type productForm struct {
	Classes []option
}

func (s *Server) productForm() productForm {
	var f productForm
	for _, c := range trustmark.ProductClasses {
		f.Classes = append(f.Classes, option{Value: string(c), Label: "class." + string(c)})
	}
	return f
}

// handleMfrProductForm answers GET /portal/manufacturer/products/new (manufacturers).
func (s *Server) handleMfrProductForm(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderPortal(w, r, ps, "manufacturer_product_new.html", portalView{Title: "portal.product.new_title", Data: s.productForm()})
}

// handleMfrProductCreate answers POST /portal/manufacturer/products/new
// (members of a manufacturer): program.CreateProduct.
func (s *Server) handleMfrProductCreate(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	p := trustmark.Product{
		Name:            f.Get("name"),
		ModelNumbers:    splitList(f.Get("model_numbers")),
		HardwareVersion: f.Get("hardware_version"),
		SoftwareVersion: f.Get("software_version"),
		Class:           trustmark.ProductClass(f.Get("class")),
	}
	for _, k := range []trustmark.ComponentKind{trustmark.ComponentDevice, trustmark.ComponentHub, trustmark.ComponentApp, trustmark.ComponentCloud} {
		if name := f.Get("components." + string(k)); name != "" {
			p.Components = append(p.Components, trustmark.Component{Kind: k, Name: name})
		}
	}
	if _, err := s.program.CreateProduct(r.Context(), ps.Principal, p); err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderPortal(w, r, ps, "manufacturer_product_new.html", portalView{Title: "portal.product.new_title", Form: f, Data: s.productForm()})
	}
	seeOther(w, r, "/portal/manufacturer/products?done=product_created")
	return nil
}

// splitList splits a list typed one item per line or separated by commas.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// appRow is one application in the list, with the names of its parties.
type appRow struct {
	trustmark.Application
	Product, CLA, Lab string
}

// appNames resolves the product and party names of applications for display.
func (s *Server) appRows(r *http.Request, pr *trustmark.Principal, apps []trustmark.Application) []appRow {
	ctx := r.Context()
	names := map[string]string{}
	name := func(id string, get func() (string, error)) string {
		if n, ok := names[id]; ok {
			return n
		}
		n, err := get()
		if err != nil {
			n = id
		}
		names[id] = n
		return n
	}
	rows := make([]appRow, len(apps))
	for i, a := range apps {
		rows[i] = appRow{Application: a,
			Product: name("p:"+a.ProductID, func() (string, error) {
				p, err := s.program.Product(ctx, pr, a.ProductID)
				if err != nil {
					return "", err
				}
				return p.Name, nil
			}),
			CLA: name("o:"+a.CLAID, func() (string, error) { return s.orgName(r, a.CLAID), nil }),
			Lab: name("o:"+a.LabID, func() (string, error) { return s.orgName(r, a.LabID), nil }),
		}
	}
	return rows
}

// handleMfrApplications answers GET /portal/manufacturer/applications (manufacturers).
func (s *Server) handleMfrApplications(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	apps, err := s.program.Applications(r.Context(), ps.Principal, trustmark.ApplicationFilter{})
	if err != nil {
		return err
	}
	slices.SortStableFunc(apps, func(a, b trustmark.Application) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	return s.renderPortal(w, r, ps, "manufacturer_applications.html", portalView{Title: "portal.apps.title", Data: s.appRows(r, ps.Principal, apps)})
}

// appForm is the data of manufacturer_application_form.html: the choices
// of the application's details, and the application when editing one.
type appForm struct {
	Products, CLAs, Labs []option
	disclosureChoices
	// App is the application being edited; nil for a new one.
	App *appRow
}

// disclosureChoices are the choices of the disclosure fields.
type disclosureChoices struct {
	Sensings, YesNo, AccessOptions, AccessDefaults, PasswordTypes, UpdateModes, BOMs []option
}

func newDisclosureChoices() disclosureChoices {
	var c disclosureChoices
	c.Sensings = []option{{Value: "", Label: "portal.disc.sensor_unlisted"}, {Value: "yes", Label: "portal.disc.sensor_yes"}, {Value: "no", Label: "portal.disc.sensor_no"}}
	c.YesNo = []option{{Value: "", Label: "portal.choose"}, {Value: "yes", Label: "portal.yes"}, {Value: "no", Label: "portal.no"}}
	for _, o := range trustmark.AccessOptions {
		c.AccessOptions = append(c.AccessOptions, option{Value: o, Label: "access." + o})
	}
	c.AccessDefaults = append([]option{{Value: "", Label: "portal.disc.none"}}, c.AccessOptions...)
	c.PasswordTypes = []option{{Value: "", Label: "portal.disc.password_type_none"},
		{Value: trustmark.PasswordFactoryDefault, Label: "portal.disc.password_type_factory"},
		{Value: trustmark.PasswordUserGenerated, Label: "portal.disc.password_type_user"}}
	for _, m := range trustmark.UpdateModes {
		c.UpdateModes = append(c.UpdateModes, option{Value: m, Label: "update." + m})
	}
	c.BOMs = []option{{Value: "sbom", Label: "portal.disc.sbom"}, {Value: "hbom", Label: "portal.disc.hbom"}}
	return c
}

// appFormData gathers the choices of the application form: the caller's
// products, the CLAs and the labs the public directory lists as able to
// report.
func (s *Server) appFormData(r *http.Request, pr *trustmark.Principal) (appForm, error) {
	d := appForm{disclosureChoices: newDisclosureChoices()}
	prods, err := s.program.Products(r.Context(), pr)
	if err != nil {
		return d, err
	}
	d.Products = []option{{Value: "", Label: "portal.choose"}}
	for _, p := range prods {
		d.Products = append(d.Products, option{Value: p.ID, Text: p.Name})
	}
	dir, err := s.program.Directory(r.Context())
	if err != nil {
		return d, err
	}
	d.CLAs = []option{{Value: "", Label: "portal.choose"}}
	for _, c := range dir.CLAs {
		d.CLAs = append(d.CLAs, option{Value: c.ID, Text: c.Name})
	}
	d.Labs = []option{{Value: "", Label: "portal.choose"}}
	for _, l := range dir.Labs {
		if !l.Expired {
			d.Labs = append(d.Labs, option{Value: l.OrgID, Text: l.Name})
		}
	}
	return d, nil
}

// handleMfrApplicationForm answers GET /portal/manufacturer/applications/new
// (manufacturers), step 1; ?product_id= preselects a product.
func (s *Server) handleMfrApplicationForm(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	d, err := s.appFormData(r, ps.Principal)
	if err != nil {
		return err
	}
	f := blankForm()
	if id := r.URL.Query().Get("product_id"); id != "" {
		f.Set("product_id", id)
	}
	return s.renderPortal(w, r, ps, "manufacturer_application_form.html", portalView{Title: "portal.app.new_title", Form: f, Data: d})
}

// applicationInputOf reads the application form, shaped as
// api_program.go's handlers receive it in JSON.
func applicationInputOf(f *form) program.ApplicationInput {
	in := program.ApplicationInput{
		ProductID: f.Get("product_id"),
		CLAID:     f.Get("cla_id"),
		LabID:     f.Get("lab_id"),
		USAgent: &trustmark.USAgent{
			Name: f.Get("us_agent.name"), Address: f.Get("us_agent.address"), Email: f.Get("us_agent.email"),
			Phone: f.Get("us_agent.phone"), AttestedBy: f.Get("us_agent.attested_by"),
		},
	}
	d := disclosuresOf(f)
	in.Disclosures = &d
	denials := []trustmark.PriorDenial{}
	pd := trustmark.PriorDenial{ApplicationID: f.Get("prior_denials.application_id"), CLAName: f.Get("prior_denials.cla_name"),
		Date: trustmark.Date(f.Get("prior_denials.date")), Reasons: f.Get("prior_denials.reasons")}
	if pd != (trustmark.PriorDenial{}) {
		denials = append(denials, pd)
	}
	in.PriorDenials = &denials
	return in
}

// handleMfrApplicationCreate answers POST /portal/manufacturer/applications/new
// (members of a manufacturer): program.CreateApplication, then on to the
// declarations.
func (s *Server) handleMfrApplicationCreate(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	a, err := s.program.CreateApplication(r.Context(), ps.Principal, applicationInputOf(f))
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		d, err := s.appFormData(r, ps.Principal)
		if err != nil {
			return err
		}
		return s.renderPortal(w, r, ps, "manufacturer_application_form.html", portalView{Title: "portal.app.new_title", Form: f, Data: d})
	}
	seeOther(w, r, "/portal/manufacturer/applications/"+url.PathEscape(a.ID)+"/declarations?done=application_saved")
	return nil
}

// application loads one of the caller's applications with its names.
func (s *Server) application(r *http.Request, ps *portalSession) (*appRow, error) {
	a, err := s.program.Application(r.Context(), ps.Principal, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	row := s.appRows(r, ps.Principal, []trustmark.Application{*a})[0]
	return &row, nil
}

// handleMfrApplicationEditForm answers GET
// /portal/manufacturer/applications/{id}/edit (manufacturers): the details
// form, filled with the application.
func (s *Server) handleMfrApplicationEditForm(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	app, err := s.application(r, ps)
	if err != nil {
		return err
	}
	d, err := s.appFormData(r, ps.Principal)
	if err != nil {
		return err
	}
	d.App = app
	return s.renderPortal(w, r, ps, "manufacturer_application_form.html", portalView{Title: "portal.app.edit_title", Form: formOf(applicationValues(&app.Application)), Data: d})
}

// handleMfrApplicationEdit answers POST
// /portal/manufacturer/applications/{id}/edit (the applicant):
// program.UpdateApplication. The product and the CLA are not sent: they
// cannot change.
func (s *Server) handleMfrApplicationEdit(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	in := applicationInputOf(f)
	in.ProductID, in.CLAID = "", ""
	a, err := s.program.UpdateApplication(r.Context(), ps.Principal, r.PathValue("id"), in)
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		app, err := s.application(r, ps)
		if err != nil {
			return err
		}
		d, err := s.appFormData(r, ps.Principal)
		if err != nil {
			return err
		}
		d.App = app
		return s.renderPortal(w, r, ps, "manufacturer_application_form.html", portalView{Title: "portal.app.edit_title", Form: f, Data: d})
	}
	seeOther(w, r, "/portal/manufacturer/applications/"+url.PathEscape(a.ID)+"?done=application_saved")
	return nil
}

// applicationValues fills the details form from an application.
func applicationValues(a *trustmark.Application) url.Values {
	v := url.Values{}
	if a.Disclosures != nil {
		v = disclosureValues(*a.Disclosures)
	}
	v.Set("product_id", a.ProductID)
	v.Set("cla_id", a.CLAID)
	v.Set("lab_id", a.LabID)
	if g := a.USAgent; g != nil {
		v.Set("us_agent.name", g.Name)
		v.Set("us_agent.address", g.Address)
		v.Set("us_agent.email", g.Email)
		v.Set("us_agent.phone", g.Phone)
		v.Set("us_agent.attested_by", g.AttestedBy)
	}
	if len(a.PriorDenials) > 0 {
		pd := a.PriorDenials[0]
		v.Set("prior_denials.application_id", pd.ApplicationID)
		v.Set("prior_denials.cla_name", pd.CLAName)
		v.Set("prior_denials.date", string(pd.Date))
		v.Set("prior_denials.reasons", pd.Reasons)
	}
	return v
}

// declarationView is one declaration of 8.208 with whether it is signed.
type declarationView struct {
	Clause, Text string
	Signed       bool
}

// appPage is the data of the application's pages.
type appPage struct {
	App          *appRow
	Declarations []declarationView
	Signed       int
	Editable     bool
	// Clauses are the declarations as checkbox options (the text is the
	// domain's English wording, which is what is signed).
	Clauses []option
}

func newAppPage(app *appRow) appPage {
	p := appPage{App: app, Editable: app.State == trustmark.AppDraft || app.State == trustmark.AppInfoRequested}
	for _, d := range trustmark.Declarations {
		signed := slices.ContainsFunc(app.Declarations, func(x trustmark.Declaration) bool { return x.Clause == d.Clause })
		if signed {
			p.Signed++
		}
		p.Declarations = append(p.Declarations, declarationView{Clause: string(d.Clause), Text: d.Text, Signed: signed})
		p.Clauses = append(p.Clauses, option{Value: string(d.Clause), Text: string(d.Clause) + " — " + d.Text})
	}
	return p
}

// signedValues ticks the signed declarations in a form.
func signedValues(a *trustmark.Application) url.Values {
	v := url.Values{}
	for _, d := range a.Declarations {
		v.Add("clauses", string(d.Clause))
	}
	return v
}

// handleMfrDeclarationsForm answers GET
// /portal/manufacturer/applications/{id}/declarations (manufacturers), step 2.
func (s *Server) handleMfrDeclarationsForm(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	app, err := s.application(r, ps)
	if err != nil {
		return err
	}
	return s.renderPortal(w, r, ps, "manufacturer_declarations.html", portalView{Title: "portal.decl.title", Form: formOf(signedValues(&app.Application)), Data: newAppPage(app)})
}

// handleMfrDeclarations answers POST
// /portal/manufacturer/applications/{id}/declarations (the applicant):
// program.SignDeclarations with the ticked clauses.
func (s *Server) handleMfrDeclarations(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	var clauses []trustmark.DeclarationClause
	for _, c := range f.All("clauses") {
		clauses = append(clauses, trustmark.DeclarationClause(c))
	}
	a, err := s.program.SignDeclarations(r.Context(), ps.Principal, r.PathValue("id"), clauses)
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		app, err := s.application(r, ps)
		if err != nil {
			return err
		}
		return s.renderPortal(w, r, ps, "manufacturer_declarations.html", portalView{Title: "portal.decl.title", Form: f, Data: newAppPage(app)})
	}
	seeOther(w, r, "/portal/manufacturer/applications/"+url.PathEscape(a.ID)+"?done=declarations_signed")
	return nil
}

// handleMfrApplication answers GET /portal/manufacturer/applications/{id}
// (manufacturers): the application, and for a draft step 3, review and submit.
func (s *Server) handleMfrApplication(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	app, err := s.application(r, ps)
	if err != nil {
		return err
	}
	return s.renderPortal(w, r, ps, "manufacturer_application.html", portalView{Title: "portal.app.title", TitleArgs: []any{app.Product}, Data: newAppPage(app)})
}

// handleMfrSubmit answers POST /portal/manufacturer/applications/{id}/submit
// (the applicant): program.Submit; a refusal is shown on the application page.
func (s *Server) handleMfrSubmit(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	a, err := s.program.Submit(r.Context(), ps.Principal, r.PathValue("id"))
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		app, err := s.application(r, ps)
		if err != nil {
			return err
		}
		return s.renderPortal(w, r, ps, "manufacturer_application.html", portalView{Title: "portal.app.title", TitleArgs: []any{app.Product}, Form: f, Data: newAppPage(app)})
	}
	seeOther(w, r, "/portal/manufacturer/applications/"+url.PathEscape(a.ID)+"?done=application_submitted")
	return nil
}

// grantRow is one grant in the list.
type grantRow struct {
	trustmark.Grant
	Product string
	// Artwork is set when the program would hand out the label's artwork.
	Artwork bool
}

// handleMfrGrants answers GET /portal/manufacturer/grants (manufacturers):
// each grant with its registry page, artwork and disclosure form.
func (s *Server) handleMfrGrants(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	ctx, pr := r.Context(), ps.Principal
	grants, err := s.program.Grants(ctx, pr, trustmark.GrantFilter{})
	if err != nil {
		return err
	}
	prods, err := s.program.Products(ctx, pr)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range prods {
		names[p.ID] = p.Name
	}
	rows := make([]grantRow, len(grants))
	for i, g := range grants {
		v, err := s.program.Grant(ctx, pr, g.LabelID)
		if err != nil {
			return err
		}
		rows[i] = grantRow{Grant: g, Product: names[g.ProductID], Artwork: v.Artwork != nil}
	}
	return s.renderPortal(w, r, ps, "manufacturer_grants.html", portalView{Title: "portal.grants.title", Data: rows})
}

// handleMfrArtwork answers GET /portal/manufacturer/grants/{label_id}/{file}
// (manufacturers), file being artwork.svg, .pdf or .png: the same as GET
// /api/v1/labels/{label_id}/{file} with the session's principal.
func (s *Server) handleMfrArtwork(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.handleLabelArtwork(w, r, ps.Principal)
}

// disclosuresPage is the data of manufacturer_disclosures.html.
type disclosuresPage struct {
	disclosureChoices
	LabelID trustmark.LabelID
	Product string
}

// disclosuresPageFor loads the grant (checking the caller may see it)
// and its product's name.
func (s *Server) disclosuresPageFor(r *http.Request, ps *portalSession) (disclosuresPage, error) {
	p := disclosuresPage{disclosureChoices: newDisclosureChoices()}
	id, err := labelParam(r)
	if err != nil {
		return p, err
	}
	g, err := s.program.Grant(r.Context(), ps.Principal, id)
	if err != nil {
		return p, err
	}
	p.LabelID = g.LabelID
	if prod, err := s.program.Product(r.Context(), ps.Principal, g.ProductID); err == nil {
		p.Product = prod.Name
	}
	return p, nil
}

// handleMfrDisclosuresForm answers GET
// /portal/manufacturer/grants/{label_id}/disclosures (manufacturers): the
// registry disclosures, ready to change.
func (s *Server) handleMfrDisclosuresForm(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	p, err := s.disclosuresPageFor(r, ps)
	if err != nil {
		return err
	}
	// The public registry record holds the disclosures in force.
	rec, err := s.store.RegistryRecord(r.Context(), p.LabelID)
	if err != nil {
		return err
	}
	return s.renderPortal(w, r, ps, "manufacturer_disclosures.html", portalView{Title: "portal.disc.title", TitleArgs: []any{p.Product}, Form: formOf(disclosureValues(rec.Disclosures)), Data: p})
}

// handleMfrDisclosures answers POST
// /portal/manufacturer/grants/{label_id}/disclosures (members of the
// grant's manufacturer): program.UpdateDisclosures.
func (s *Server) handleMfrDisclosures(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	p, err := s.disclosuresPageFor(r, ps)
	if err != nil {
		return err
	}
	f := newForm(r)
	if _, err := s.program.UpdateDisclosures(r.Context(), ps.Principal, p.LabelID, disclosuresOf(f)); err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderPortal(w, r, ps, "manufacturer_disclosures.html", portalView{Title: "portal.disc.title", TitleArgs: []any{p.Product}, Form: f, Data: p})
	}
	s.Invalidate(p.LabelID)
	seeOther(w, r, "/portal/manufacturer/grants?done=disclosures_updated")
	return nil
}

// handleMfrComplaints answers GET /portal/manufacturer/complaints
// (manufacturers): complaints about its labeled products.
func (s *Server) handleMfrComplaints(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	list, err := s.program.Complaints(r.Context(), ps.Principal)
	if err != nil {
		return err
	}
	slices.SortStableFunc(list, func(a, b trustmark.Complaint) int { return b.FiledAt.Compare(a.FiledAt) })
	return s.renderPortal(w, r, ps, "manufacturer_complaints.html", portalView{Title: "portal.complaints.title", Data: list})
}

// handleMfrSamples answers GET /portal/manufacturer/surveillance
// (manufacturers): the samples CLAs asked it for.
func (s *Server) handleMfrSamples(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	list, err := s.program.Samples(r.Context(), ps.Principal)
	if err != nil {
		return err
	}
	slices.SortStableFunc(list, func(a, b trustmark.Sample) int { return b.RequestedAt.Compare(a.RequestedAt) })
	return s.renderPortal(w, r, ps, "manufacturer_samples.html", portalView{Title: "portal.samples.title", Data: list})
}

// disclosuresOf reads the disclosure fields of a form. The field names are
// the program's error fields (CTA-2120 keys), so its errors land beside
// the right input.
func disclosuresOf(f *form) trustmark.Disclosures {
	var d trustmark.Disclosures
	for _, sn := range trustmark.Sensings {
		has := f.Get("sensor_data_collection." + string(sn))
		if has != "yes" && has != "no" {
			continue
		}
		yes := has == "yes"
		d.SensorDataCollection = append(d.SensorDataCollection, trustmark.Sensor{Sensing: sn, Has: &yes,
			Description: f.Get("sensor_data_collection." + string(sn) + ".description")})
	}
	d.AccessControl = trustmark.AccessControl{
		PasswordOptions:        f.All("access_control.password_options"),
		PasswordType:           f.Get("access_control.password_type"),
		PasswordFactoryDefault: f.Get("access_control.password_factory_default"),
		PasswordChange:         linkOf(f, "access_control.password_change"),
	}
	switch f.Get("access_control.user_changeable") {
	case "yes":
		yes := true
		d.AccessControl.UserChangeable = &yes
	case "no":
		no := false
		d.AccessControl.UserChangeable = &no
	}
	d.SecuringThisProduct = linkOf(f, "securing_this_product")
	d.SecurityUpdateInformation = trustmark.UpdateInfo{
		UpdateDefault: f.Get("security_update_information.update_default"),
		UpdateOptions: f.All("security_update_information.update_options"),
	}
	d.SecurityUpdateInformationOther = f.Get("security_update_information_other")
	d.SupportDate = trustmark.Date(f.Get("support_date"))
	d.DeleteData = linkOf(f, "delete_data")
	d.AccountDeactivation = linkOf(f, "account_deactivation")
	d.EncryptionAndKeyManagement = linkOf(f, "encryption_and_key_management")
	d.GeneralUserInformation = linkOf(f, "general_user_information")
	d.SecurityContact = f.Get("security_contact")
	d.SBOMHBOMMaintained = trustmark.SBOMHBOM{SBOMMaintained: f.Has("sbom_hbom_maintained", "sbom"), HBOMMaintained: f.Has("sbom_hbom_maintained", "hbom")}
	return d
}

// linkOf reads a CTA-2120 link (text and url) from name.text and name.url.
func linkOf(f *form, name string) trustmark.Link {
	return trustmark.Link{Text: f.Get(name + ".text"), URL: f.Get(name + ".url")}
}

// disclosureValues fills the disclosure fields of a form.
func disclosureValues(d trustmark.Disclosures) url.Values {
	v := url.Values{}
	for _, sn := range d.SensorDataCollection {
		has := "yes"
		if !sn.Present() {
			has = "no"
		}
		v.Set("sensor_data_collection."+string(sn.Sensing), has)
		v.Set("sensor_data_collection."+string(sn.Sensing)+".description", sn.Description)
	}
	ac := d.AccessControl
	v["access_control.password_options"] = slices.Clone(ac.PasswordOptions)
	v.Set("access_control.password_type", ac.PasswordType)
	v.Set("access_control.password_factory_default", ac.PasswordFactoryDefault)
	if ac.UserChangeable != nil {
		v.Set("access_control.user_changeable", map[bool]string{true: "yes", false: "no"}[*ac.UserChangeable])
	}
	setLink := func(name string, l trustmark.Link) {
		v.Set(name+".text", l.Text)
		v.Set(name+".url", l.URL)
	}
	setLink("access_control.password_change", ac.PasswordChange)
	setLink("securing_this_product", d.SecuringThisProduct)
	v.Set("security_update_information.update_default", d.SecurityUpdateInformation.UpdateDefault)
	v["security_update_information.update_options"] = slices.Clone(d.SecurityUpdateInformation.UpdateOptions)
	v.Set("security_update_information_other", d.SecurityUpdateInformationOther)
	v.Set("support_date", string(d.SupportDate))
	setLink("delete_data", d.DeleteData)
	setLink("account_deactivation", d.AccountDeactivation)
	setLink("encryption_and_key_management", d.EncryptionAndKeyManagement)
	setLink("general_user_information", d.GeneralUserInformation)
	v.Set("security_contact", d.SecurityContact)
	if d.SBOMHBOMMaintained.SBOMMaintained {
		v.Add("sbom_hbom_maintained", "sbom")
	}
	if d.SBOMHBOMMaintained.HBOMMaintained {
		v.Add("sbom_hbom_maintained", "hbom")
	}
	return v
}

// stepView is one step of the guided application form.
type stepView struct {
	Label         string
	Current, Done bool
}

// Steps returns the application form's steps with current marked.
func (p portalPage) Steps(current int) []stepView {
	keys := []string{"portal.step.details", "portal.step.declarations", "portal.step.submit"}
	out := make([]stepView, len(keys))
	for i, k := range keys {
		out[i] = stepView{Label: p.T(k, i+1, len(keys)), Current: i+1 == current, Done: i+1 < current}
	}
	return out
}
