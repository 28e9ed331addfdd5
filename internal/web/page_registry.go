package web

import (
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

func statusOfRecord(t translator, r *trustmark.RegistryRecord, cs trustmark.ConsumerStatus) statusView {
	reason := ""
	if r.StatusReason != "" {
		reason = " " + t.T("status.reason", strings.TrimSuffix(r.StatusReason, "."))
	}
	key := "status." + string(cs)
	switch cs {
	case trustmark.ConsumerAuthorized:
		return statusView{"authorized", "authorized", t.T(key + ".title"), t.T(key+".text", r.SupportDate)}
	case trustmark.ConsumerSuspended:
		cure := t.T("status.suspended.cure_end")
		if r.CureDeadline != nil {
			cure = string(*r.CureDeadline)
		}
		return statusView{"suspended", "suspended", t.T(key + ".title"), t.T(key+".text", r.StatusDate, cure) + reason}
	case trustmark.ConsumerUnsupported:
		return statusView{"unsupported", "unsupported", t.T(key + ".title"), t.T(key+".text", r.SupportDate)}
	default: // terminated, withdrawn, surrendered, set aside
		return statusView{"ended", "ended", t.T(key + ".title"), t.T(key+".text", r.StatusDate) + reason}
	}
}

// statusWord is the short word for a consumer status in listings.
func statusWord(t translator, cs trustmark.ConsumerStatus) string {
	if cs == trustmark.ConsumerAuthorized {
		return t.T("word.authorized")
	}
	return t.T("word." + string(cs))
}

// sensorView is one row of the sensor section.
type sensorView struct {
	Icon        string
	Has         bool
	Phrase      string
	Description string
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

func (s *Server) newLabelPage(rec *trustmark.RegistryRecord, lang, path, titleKey string) labelPage {
	now := s.now()
	pg := s.pageIn(lang, path, titleKey, rec.ProductName)
	pg.Canonical = rec.QRCodeURL
	t := pg.translator
	p := labelPage{
		page:      pg,
		Rec:       rec,
		Status:    statusOfRecord(t, rec, rec.ConsumerStatus(now)),
		ClassText: t.T("class." + string(rec.ProductClass)),
	}
	if rec.IsSupported(now) {
		p.SupportText = t.T("label.support_until", rec.SupportDate)
	} else {
		p.SupportText = t.T("label.support_ended", rec.SupportDate)
	}
	p.UpdatesText = updatesText(t, rec.SecurityUpdateInformation)
	p.AccessText = accessText(t, rec.AccessControl)
	p.PasswordText = passwordText(t, rec.AccessControl)
	// Sensors in label order; one CTA-2120 omits counts as absent.
	for _, kind := range trustmark.Sensings {
		i := slices.IndexFunc(rec.SensorDataCollection, func(x trustmark.Sensor) bool { return x.Sensing == kind })
		v := sensorView{Phrase: t.T("sensor." + string(kind))}
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

func updatesText(t translator, u trustmark.UpdateInfo) string {
	text := t.T("update." + u.UpdateDefault)
	var also []string
	for _, o := range u.UpdateOptions {
		if o != u.UpdateDefault {
			w := t.T("update." + o)
			also = append(also, strings.ToLower(w[:1])+w[1:])
		}
	}
	if len(also) > 0 {
		text += "; " + t.T("update.also") + " " + strings.Join(also, "; ")
	}
	return text
}

func accessText(t translator, a trustmark.AccessControl) string {
	var parts []string
	for _, o := range a.PasswordOptions {
		w := t.T("access." + o)
		if o == trustmark.AccessPassword {
			switch a.PasswordType {
			case trustmark.PasswordFactoryDefault:
				w += " – " + t.T("access.factory_default")
				if a.UserChangeable != nil && *a.UserChangeable {
					w += " – " + t.T("access.user_changeable")
				} else {
					w += " – " + t.T("access.not_changeable")
				}
			case trustmark.PasswordUserGenerated:
				w += " – " + t.T("access.user_set")
			}
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, "; ")
}

// passwordText is the how-to text of 8.222(b)(6); the page links the URL after it.
func passwordText(t translator, a trustmark.AccessControl) string {
	if a.PasswordType == trustmark.PasswordFactoryDefault && a.UserChangeable != nil && !*a.UserChangeable {
		return t.T("password.cannot_change") + " " + a.PasswordChange.Text
	}
	switch {
	case a.PasswordChange.Text != "":
		return a.PasswordChange.Text
	case a.PasswordChange.URL != "":
		return t.T("password.instructions")
	case !slices.Contains(a.PasswordOptions, trustmark.AccessPassword):
		return t.T("password.none")
	}
	return t.T("password.not_disclosed")
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
	lang := pickLang(r)
	titleKey := "label.title"
	if kind == bodyL2 {
		titleKey = "details.title"
	}
	render := func(rec *trustmark.RegistryRecord) ([]byte, error) {
		p := s.newLabelPage(rec, lang, r.URL.Path, titleKey)
		p.LogState, p.LogIndex = s.logState(r, rec)
		return s.renderBytes(tmpl, p)
	}
	// Pages depend on the language: one cache slot per language, and caches
	// between us and the reader must key on Accept-Language too.
	kind += langIndex(lang) * bodyPageKinds
	w.Header().Set("Vary", "Accept-Language")
	// A cached page was rendered with its event verified, so only an
	// uncached page needs the log's state; a pending one is not cached,
	// since it changes as soon as the checkpoint covers the event.
	b := e.bodies[kind].Load()
	if b == nil {
		if state, _ := s.logState(r, e.rec); state == "pending" {
			data, rerr := render(e.rec)
			b, err = newBody(data), rerr
		} else {
			b, err = e.render(kind, render)
		}
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
	title := "search.title"
	if home {
		title = "search.home_title"
	}
	pg := s.newPage(r, title)
	pg.NoIndex = !home
	t := pg.translator
	p := searchPage{page: pg, Home: home, Query: f.Query, Total: res.Total}
	for _, st := range trustmark.GrantStatuses {
		p.StatusOptions = append(p.StatusOptions, statusOption{Value: string(st), Text: statusWord(t, trustmark.ConsumerStatus(st)), Selected: st == f.Status})
	}
	now := s.now()
	for i := range res.Items {
		rec := &res.Items[i]
		cs := rec.ConsumerStatus(now)
		p.Items = append(p.Items, searchItem{
			LabelID: rec.LabelID, Name: rec.ProductName, Manufacturer: rec.ManufacturerName,
			Models: strings.Join(rec.VersionAndModelNumbers.ModelNumbers, ", "),
			Class:  statusOfRecord(t, rec, cs).Class, StatusWord: statusWord(t, cs),
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
		v.Set("lang", t.lang)
		p.Next = "/search?" + v.Encode()
	}
	b, err := s.renderBytes("search.html", p)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Vary", "Accept-Language")
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
		s.render(w, r, http.StatusMethodNotAllowed, "error.html", errorPage{page: s.newPage(r, "error.method_title"),
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
