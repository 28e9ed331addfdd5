package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"trustmark"
)

// statusView is how a page shows a record's status: in words, colour and icon.
type statusView struct {
	Class string // CSS class: authorized, suspended, ended, unsupported
	Icon  string // icon name, same set as Class
	Title string
	Text  string
}

func statusOfRecord(r *trustmark.RegistryRecord, cs trustmark.ConsumerStatus) statusView {
	reason := ""
	if r.StatusReason != "" {
		reason = " Reason given: " + strings.TrimSuffix(r.StatusReason, ".") + "."
	}
	switch cs {
	case trustmark.ConsumerAuthorized:
		return statusView{"authorized", "authorized", "Authorized",
			fmt.Sprintf("This product is authorized to carry the cybersecurity label. The manufacturer commits to find and fix security vulnerabilities until %s.", r.SupportDate)}
	case trustmark.ConsumerSuspended:
		cure := "the end of its cure period"
		if r.CureDeadline != nil {
			cure = string(*r.CureDeadline)
		}
		return statusView{"suspended", "suspended", "Authorization suspended",
			fmt.Sprintf("A problem was found with this product on %s. The manufacturer has until %s to fix it, or its authorization ends.%s", r.StatusDate, cure, reason)}
	case trustmark.ConsumerUnsupported:
		return statusView{"unsupported", "unsupported", "No longer supported",
			fmt.Sprintf("The manufacturer's security support for this product ended on %s. Do not expect security updates.", r.SupportDate)}
	case trustmark.ConsumerTerminated:
		return statusView{"ended", "ended", "Authorization terminated",
			fmt.Sprintf("Since %s this product may no longer carry the cybersecurity label.%s", r.StatusDate, reason)}
	case trustmark.ConsumerWithdrawn:
		return statusView{"ended", "ended", "Authorization withdrawn",
			fmt.Sprintf("The authorization to carry the label was withdrawn on %s.%s", r.StatusDate, reason)}
	case trustmark.ConsumerSurrendered:
		return statusView{"ended", "ended", "Authorization surrendered",
			fmt.Sprintf("The manufacturer gave up the authorization to carry the label on %s.%s", r.StatusDate, reason)}
	default: // set aside
		return statusView{"ended", "ended", "Authorization set aside",
			fmt.Sprintf("The Commission set this product's authorization aside on %s.%s", r.StatusDate, reason)}
	}
}

// statusWords is the short word for a consumer status in listings.
var statusWords = map[trustmark.ConsumerStatus]string{
	trustmark.ConsumerAuthorized: "Authorized", trustmark.ConsumerSuspended: "Suspended",
	trustmark.ConsumerTerminated: "Terminated", trustmark.ConsumerWithdrawn: "Withdrawn",
	trustmark.ConsumerSurrendered: "Surrendered", trustmark.ConsumerSetAside: "Set aside",
	trustmark.ConsumerUnsupported: "No longer supported",
}

// sensorView is one row of the sensor section.
type sensorView struct {
	Icon        string
	Has         bool
	Phrase      string
	Description string
}

var sensorPhrases = map[trustmark.Sensing]string{
	trustmark.SensingImages:   "capture images or video",
	trustmark.SensingAudio:    "capture audio",
	trustmark.SensingPosition: "determine location",
}

// labelPage is the data of label.html (L1) and details.html (L2).
type labelPage struct {
	page
	Rec          *trustmark.RegistryRecord
	Status       statusView
	SupportText  string
	UpdatesText  string
	AccessText   string
	PasswordText string
	ClassText    string
	Sensors      []sensorView
	// LogState is "verified" when a published checkpoint covers the label's
	// latest event, "pending" before, "" without a log.
	LogState string
	LogIndex int64
}

func (s *Server) newLabelPage(rec *trustmark.RegistryRecord, title string) labelPage {
	now := s.now()
	p := labelPage{
		page:      page{Title: title, Canonical: rec.QRCodeURL},
		Rec:       rec,
		Status:    statusOfRecord(rec, rec.ConsumerStatus(now)),
		ClassText: strings.ReplaceAll(string(rec.ProductClass), "_", " "),
	}
	if rec.IsSupported(now) {
		p.SupportText = "At least until " + string(rec.SupportDate)
	} else {
		p.SupportText = "Ended on " + string(rec.SupportDate) + ": no more security updates are promised"
	}
	p.UpdatesText = updatesText(rec.SecurityUpdateInformation)
	p.AccessText = accessText(rec.AccessControl)
	p.PasswordText = passwordText(rec.AccessControl)
	// Sensors in label order; one CTA-2120 omits counts as present.
	for _, kind := range trustmark.Sensings {
		i := slices.IndexFunc(rec.SensorDataCollection, func(x trustmark.Sensor) bool { return x.Sensing == kind })
		v := sensorView{Phrase: sensorPhrases[kind]}
		if i >= 0 {
			v.Has, v.Description = rec.SensorDataCollection[i].Present(), rec.SensorDataCollection[i].Description
		}
		state := "absent"
		if v.Has {
			state = "present"
		}
		v.Icon = s.assets.url("sensors/" + string(kind) + "-" + state + ".svg")
		p.Sensors = append(p.Sensors, v)
	}
	return p
}

var updateWords = map[string]string{
	trustmark.UpdateAutoOptOut:   "Automatic by default (you can opt out)",
	trustmark.UpdateAutoNoOptOut: "Automatic (cannot be turned off)",
	trustmark.UpdateManual:       "Manual: you install updates yourself",
	trustmark.UpdateConsent:      "Offered for your consent before installing",
	trustmark.UpdateNone:         "No updates",
	trustmark.UpdateNotDisclosed: "Not disclosed by the manufacturer",
	trustmark.UpdateOther:        "Other",
}

func updatesText(u trustmark.UpdateInfo) string {
	text := updateWords[u.UpdateDefault]
	var also []string
	for _, o := range u.UpdateOptions {
		if o != u.UpdateDefault {
			also = append(also, strings.ToLower(updateWords[o][:1])+updateWords[o][1:])
		}
	}
	if len(also) > 0 {
		text += "; also available: " + strings.Join(also, "; ")
	}
	return text
}

var accessWords = map[string]string{
	trustmark.AccessPassword: "Password", trustmark.AccessBiometric: "Biometric", trustmark.AccessPasskey: "Passkey",
	trustmark.AccessMFA: "Multi-factor authentication", trustmark.AccessNoControl: "No access control",
	trustmark.AccessMultiAccount: "Multiple user accounts", trustmark.AccessSingleAccount: "A single user account",
	trustmark.AccessOptionalAccount: "Optional user account", trustmark.AccessNoAccount: "No user account",
	trustmark.AccessNotDisclosed: "Not disclosed",
}

func accessText(a trustmark.AccessControl) string {
	var parts []string
	for _, o := range a.PasswordOptions {
		w := accessWords[o]
		if o == trustmark.AccessPassword {
			switch a.PasswordType {
			case trustmark.PasswordFactoryDefault:
				w += " – factory default"
				if a.UserChangeable != nil && *a.UserChangeable {
					w += " – user changeable"
				} else {
					w += " – cannot be changed"
				}
			case trustmark.PasswordUserGenerated:
				w += " – set by the user"
			}
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, "; ")
}

func passwordText(a trustmark.AccessControl) string {
	if a.PasswordType == trustmark.PasswordFactoryDefault && a.UserChangeable != nil && !*a.UserChangeable {
		return "The default password cannot be changed. " + a.PasswordChange.Text
	}
	switch {
	case a.PasswordChange.Text != "":
		return a.PasswordChange.Text
	case a.PasswordChange.URL != "":
		return "Instructions:"
	case !slices.Contains(a.PasswordOptions, trustmark.AccessPassword):
		return "This product does not use a password."
	}
	return "Not disclosed."
}

// handleLabelPage answers GET /p/{label_id} (anyone): the consumer (L1) page
// a label's QR code opens.
func (s *Server) handleLabelPage(w http.ResponseWriter, r *http.Request) {
	s.serveLabelPage(w, r, bodyL1, "label.html", "")
}

// handleDetailsPage answers GET /p/{label_id}/details (anyone): the technical (L2) page.
func (s *Server) handleDetailsPage(w http.ResponseWriter, r *http.Request) {
	s.serveLabelPage(w, r, bodyL2, "details.html", "/details")
}

func (s *Server) serveLabelPage(w http.ResponseWriter, r *http.Request, kind int, tmpl, suffix string) {
	raw := r.PathValue("label_id")
	id, err := trustmark.ParseLabelID(raw)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if string(id) != raw {
		// One URL per label: lower case or missing hyphens redirect to the canonical form.
		http.Redirect(w, r, "/p/"+string(id)+suffix, http.StatusMovedPermanently)
		return
	}
	e, err := s.cache.get(r.Context(), id, s.resolve)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	render := func(rec *trustmark.RegistryRecord) ([]byte, error) {
		title := "Security overview: " + rec.ProductName
		if kind == bodyL2 {
			title = "Technical details: " + rec.ProductName
		}
		p := s.newLabelPage(rec, title)
		p.LogState, p.LogIndex = s.logState(r, rec)
		return s.renderBytes(tmpl, p)
	}
	var b *body
	if state, _ := s.logState(r, e.rec); state == "pending" {
		// Not cached: the page changes as soon as the checkpoint covers the event.
		data, rerr := render(e.rec)
		b, err = newBody(data), rerr
	} else {
		b, err = e.render(kind, render)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	serveBody(w, r, b, "text/html; charset=utf-8", registryCacheControl)
}

// logState says whether the record's latest event is covered by a
// published checkpoint.
func (s *Server) logState(r *http.Request, rec *trustmark.RegistryRecord) (string, int64) {
	if s.tlog == nil || rec.LogIndex == nil {
		return "", 0
	}
	head, err := s.tlog.Head(r.Context())
	if err != nil || head.Size <= *rec.LogIndex {
		return "pending", *rec.LogIndex
	}
	return "verified", *rec.LogIndex
}

// searchPage is the data of search.html.
type searchPage struct {
	page
	Home          bool
	Query         string
	Total         int
	Items         []searchItem
	Next          string
	StatusOptions []statusOption
}

type searchItem struct {
	LabelID      trustmark.LabelID
	Name         string
	Manufacturer string
	Models       string
	Class        string
	StatusWord   string
}

type statusOption struct {
	Value, Text string
	Selected    bool
}

// handleHome answers GET / (anyone): the search form and the newest labels.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	s.serveSearch(w, r, true)
}

// handleSearch answers GET /search?q=&status=&cursor= (anyone).
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	s.serveSearch(w, r, false)
}

func (s *Server) serveSearch(w http.ResponseWriter, r *http.Request, home bool) {
	f := trustmark.RegistryFilter{Limit: 20}
	if !home {
		q, err := query(r)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		f.Query, f.Status, f.Cursor = strings.TrimSpace(q.Get("q")), trustmark.GrantStatus(q.Get("status")), q.Get("cursor")
		f.Manufacturer = q.Get("manufacturer")
	}
	if err := f.Validate(); err != nil {
		s.pageError(w, r, err)
		return
	}
	res, err := s.store.ListRegistry(r.Context(), f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	title := "Search"
	if home {
		title = "Find a labeled product"
	}
	p := searchPage{page: page{Title: title, NoIndex: !home}, Home: home, Query: f.Query, Total: res.Total}
	for _, st := range trustmark.GrantStatuses {
		p.StatusOptions = append(p.StatusOptions, statusOption{Value: string(st), Text: statusWords[trustmark.ConsumerStatus(st)], Selected: st == f.Status})
	}
	now := s.now()
	for i := range res.Items {
		rec := &res.Items[i]
		cs := rec.ConsumerStatus(now)
		p.Items = append(p.Items, searchItem{
			LabelID: rec.LabelID, Name: rec.ProductName, Manufacturer: rec.ManufacturerName,
			Models: strings.Join(rec.VersionAndModelNumbers.ModelNumbers, ", "),
			Class:  statusOfRecord(rec, cs).Class, StatusWord: statusWords[cs],
		})
	}
	if res.NextCursor != "" {
		v := url.Values{}
		if f.Query != "" {
			v.Set("q", f.Query)
		}
		if f.Status != "" {
			v.Set("status", string(f.Status))
		}
		if f.Manufacturer != "" {
			v.Set("manufacturer", f.Manufacturer)
		}
		v.Set("cursor", res.NextCursor)
		p.Next = "/search?" + v.Encode()
	}
	b, err := s.renderBytes("search.html", p)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	serveBody(w, r, newBody(b), "text/html; charset=utf-8", "public, max-age=30")
}

// handleNoRoute answers a request no route matched (anyone): 405 with
// Allow when the path exists for other methods, else 404; JSON under /api/,
// an HTML page elsewhere.
func (s *Server) handleNoRoute(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	if len(allow) > 0 {
		list := strings.Join(allow, ", ")
		w.Header().Set("Allow", list)
		msg := r.Method + " is not allowed on " + truncateRunes(r.URL.Path, 80) + "; use " + list
		if isAPI(r) {
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: "method_not_allowed", Message: msg}})
			return
		}
		s.render(w, r, http.StatusMethodNotAllowed, "error.html", errorPage{page: page{Title: "Method not allowed"},
			Status: http.StatusMethodNotAllowed, Message: msg})
		return
	}
	err := trustmark.Errorf(trustmark.KindNotFound, "there is nothing at %s", truncateRunes(r.URL.Path, 80))
	if isAPI(r) {
		s.apiError(w, r, err)
		return
	}
	s.pageError(w, r, err)
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
