package web

// The portals: server-rendered pages under /portal/ where the people of each
// kind of organization sign in with a password and work through the same
// program operations the JSON API offers. This file holds what every portal
// page shares: the session cookie, CSRF protection, the handler adapter,
// rendering, and form handling. The pages of each party are in
// page_portal_<party>.go and templates/portal/.
//
// How to add a portal page:
//
//  1. Write a portalHandler:
//
//     func (s *Server) handleCLAQueue(w http.ResponseWriter, r *http.Request, ps *portalSession) error
//
//     Act through s.program with ps.Principal, as the API handler of the
//     same operation does; never decide a rule here. Return errors: the
//     adapter shows them as an error page with the status of their kind
//     (and sends KindUnauthenticated to the sign-in page).
//  2. Render with s.renderPortal(w, r, ps, "cla_queue.html",
//     portalView{Title: <message key>, Data: …}). The template is
//     templates/portal/cla_queue.html and defines "content"; the layout
//     (templates/portal/layout.html) gives it the header, the navigation and
//     the form partials ("input", "textarea", "select", "checks", "file",
//     "link", "formerrors", "csrf"), fed by the page's methods Field,
//     Choice and Link (see portalPage); Word translates domain values.
//  3. A form: GET renders it with portalView{Form: blankForm()} (or
//     formOf(values) to prefill); POST reads f := newForm(r), builds the
//     program's input from f.Get/f.All, calls the program, and on error
//     does `if err := f.fail(err); err != nil { return err }` and renders
//     the same template with portalView{Form: f}: the error appears above
//     the form and beside the field it names (inputs are named like the
//     program's error fields, e.g. "us_agent.email"), with every typed
//     value kept except passwords. On success, seeOther(w, r,
//     "/portal/…?done=KEY") shows the message "portal.done.KEY".
//     Every form must hold {{template "csrf" .}}.
//  4. Register the route in the Portals block of routes.go:
//     mux.Handle("GET /portal/cla/queue", s.portal(s.handleCLAQueue, trustmark.OrgCLA))
//     with a comment saying who may call it. The kinds restrict the page
//     to those kinds of organization (others get 403); none means any
//     signed-in user. Non-GET routes have their CSRF token checked by the
//     adapter before the handler runs.
//  5. Put every string in messages/portal.en.json and portal.es.json; add
//     the party's area to portalAreas (where /portal/ sends it) and its
//     links to portalNavs; list the route in a table that checks its
//     refusals: sharedPortalRoutes of portal_test.go, or a table of your
//     own whose area is then named in portalAreasElsewhere there
//     (TestPortalRoutesRefuse fails on a portal route no table lists).

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"trustmark"
)

// portalHandler is a portal page handler: it receives the signed-in user's
// session and returns an error to show instead of its page.
type portalHandler func(w http.ResponseWriter, r *http.Request, ps *portalSession) error

// portalSession is a signed-in browser: who it acts as, through whom, and
// the session itself (whose CSRF token every form carries).
type portalSession struct {
	// Principal is who the user acts as in program calls.
	Principal *trustmark.Principal
	// User is the signed-in person.
	User *trustmark.User
	// Session is the session; Session.CSRF is the form token.
	Session *trustmark.Session
	// secret is the cookie's value, needed to sign out or change the
	// password. Never logged or rendered.
	secret string
}

// portalAreas is where /portal/ sends each kind of organization. Kinds
// without an area land on the portal home, which links to what they have.
var portalAreas = map[trustmark.OrgKind]string{
	trustmark.OrgManufacturer: "/portal/manufacturer/",
	trustmark.OrgLab:          "/portal/lab/",
	// page_portal_cla.go, page_portal_oversight.go:
	trustmark.OrgCLA:               "/portal/cla/",
	trustmark.OrgLeadAdministrator: "/portal/oversight/",
	trustmark.OrgRegulator:         "/portal/oversight/",
}

// navLink is one link of a portal's navigation; Label is a message key.
type navLink struct {
	Href, Label string
}

// portalNavs are the navigation links of each kind of organization, before
// the links every user has (password, sign out).
var portalNavs = map[trustmark.OrgKind][]navLink{
	trustmark.OrgManufacturer: {
		{"/portal/manufacturer/", "portal.nav.overview"},
		{"/portal/manufacturer/products", "portal.nav.products"},
		{"/portal/manufacturer/applications", "portal.nav.applications"},
		{"/portal/manufacturer/grants", "portal.nav.grants"},
		{"/portal/manufacturer/complaints", "portal.nav.complaints"},
		{"/portal/manufacturer/surveillance", "portal.nav.surveillance"},
		{"/portal/vuln/products", "portal.nav.sboms"}, // page_portal_vuln.go
		{"/portal/vuln/alerts", "portal.nav.alerts"},
	},
	trustmark.OrgLab: {
		{"/portal/lab/", "portal.nav.lab_applications"},
	},
	trustmark.OrgCLA:               claNav,
	trustmark.OrgLeadAdministrator: oversightNav,
	trustmark.OrgRegulator:         oversightNav,
}

// Cookies. The session and sign-in cookies carry the __Host- prefix, which
// browsers accept only with Secure, Path=/ and no Domain: no subdomain can
// set or shadow them. Browsers store Secure cookies only from secure
// contexts: HTTPS and, in Chromium and Firefox, http://localhost and
// http://127.0.0.1 (checked with Debian's chromium in
// browser_portal_test.go). A server reached over plain HTTP on another
// host, with an http:// BaseURL (a trial on a LAN), gets the plain names
// without Secure instead; see secureCookies.
const (
	sessionCookie       = "__Host-trustmark_session"
	sessionCookiePlain  = "trustmark_session"
	loginCookie         = "__Host-trustmark_login"
	loginCookiePlain    = "trustmark_login"
	portalLangCookie    = "trustmark_lang"
	portalLoginLifetime = time.Hour
)

// secureCookies reports whether r's cookies are set Secure with the
// __Host- prefix: always, unless the request came over plain HTTP to a
// host other than loopback and the public BaseURL is http:// too. A TLS
// proxy in front is recognized by an https:// BaseURL.
func (s *Server) secureCookies(r *http.Request) bool {
	if r.TLS != nil || strings.HasPrefix(s.base, "https://") {
		return true
	}
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// cookieName returns the secure or plain name of a cookie for r.
func (s *Server) cookieName(r *http.Request, secure, plain string) string {
	if s.secureCookies(r) {
		return secure
	}
	return plain
}

// setCookie sets a portal cookie for r; expires zero deletes it. The
// cookie carries both Expires and Max-Age (which browsers prefer), so a
// browser whose clock is off still keeps it exactly as long as the server
// means to.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, secure, plain, value string, expires time.Time) {
	c := &http.Cookie{
		Name: s.cookieName(r, secure, plain), Value: value, Path: "/",
		Secure: s.secureCookies(r), HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
	if expires.IsZero() {
		c.MaxAge = -1
	} else {
		c.Expires = expires.UTC()
		c.MaxAge = max(1, int(expires.Sub(s.now()).Seconds()))
	}
	http.SetCookie(w, c)
}

// cookieValue returns the value of r's cookie of that name, or "".
func (s *Server) cookieValue(r *http.Request, secure, plain string) string {
	c, err := r.Cookie(s.cookieName(r, secure, plain))
	if err != nil {
		return ""
	}
	return c.Value
}

// portalSessionOf returns the session r's cookie stands for.
// Errors: KindUnauthenticated without a cookie or when the session ended.
func (s *Server) portalSessionOf(r *http.Request) (*portalSession, error) {
	secret := s.cookieValue(r, sessionCookie, sessionCookiePlain)
	if secret == "" {
		return nil, trustmark.Errorf(trustmark.KindUnauthenticated, "not signed in")
	}
	pr, u, sess, err := s.program.SessionPrincipal(r.Context(), secret)
	if err != nil {
		return nil, err
	}
	return &portalSession{Principal: pr, User: u, Session: sess, secret: secret}, nil
}

// crossOrigin refuses cross-origin unsafe requests (Sec-Fetch-Site, Origin)
// with the portal's 403 page: the first line of CSRF defence, before the
// form tokens.
func (s *Server) crossOrigin(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.portalError(w, r, nil, refusal(http.StatusForbidden, "portal.error.cross_origin"))
	}))
	return cop.Handler(h)
}

// portal adapts a portalHandler: it rate-limits, refuses cross-origin
// posts, marks the answer no-store, finds the session (sending anonymous
// callers to the sign-in page), allows only the given kinds of
// organization (any when none are given), checks the CSRF token of every
// non-GET request, and renders a returned error as a page.
func (s *Server) portal(h portalHandler, kinds ...trustmark.OrgKind) http.Handler {
	return s.limit(s.crossOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		s.rememberLang(w, r)
		ps, err := s.portalSessionOf(r)
		if err != nil {
			if trustmark.IsKind(err, trustmark.KindUnauthenticated) {
				s.toLogin(w, r)
				return
			}
			s.portalError(w, r, nil, err)
			return
		}
		if len(kinds) > 0 && !ps.Principal.Is(kinds...) {
			s.portalError(w, r, ps, wrongKind(kinds))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := checkFormToken(r, ps.Session.CSRF); err != nil {
				s.portalError(w, r, ps, err)
				return
			}
		}
		if err := h(w, r, ps); err != nil {
			if trustmark.IsKind(err, trustmark.KindUnauthenticated) {
				s.toLogin(w, r)
				return
			}
			s.portalError(w, r, ps, err)
		}
	})))
}

// toLogin sends an anonymous caller to the sign-in page, coming back to the
// page it asked for when that was a GET, and drops a stale session cookie.
func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	if s.cookieValue(r, sessionCookie, sessionCookiePlain) != "" {
		s.setCookie(w, r, sessionCookie, sessionCookiePlain, "", time.Time{})
	}
	target := "/portal/login"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	seeOther(w, r, target)
}

// seeOther redirects to target with 303, the answer to a form post.
func seeOther(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localNext returns next when it is a portal path of this site, else the
// portal home: redirects after sign-in never leave the portal.
func localNext(next string) string {
	if strings.HasPrefix(next, "/portal/") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/portal/"
}

// maxUploadMemory is how much of a multipart form is kept in memory; the
// whole body is capped by capBodies (maxBodyBytes).
const maxUploadMemory = maxBodyBytes

// parsePortalForm parses a posted form, URL-encoded or multipart.
func parsePortalForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxUploadMemory)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return refusal(http.StatusRequestEntityTooLarge, "portal.error.too_large", tooBig.Limit>>20) // 64 MiB on documentRoutes
		}
		return refusal(http.StatusBadRequest, "portal.error.bad_form")
	}
	return nil
}

// checkFormToken parses r's form and compares its "csrf" field with want
// in constant time. Errors: a 403 refusal when it is missing or differs.
func checkFormToken(r *http.Request, want string) error {
	if err := parsePortalForm(r); err != nil {
		return err
	}
	got := r.PostFormValue("csrf")
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return refusal(http.StatusForbidden, "portal.error.csrf")
	}
	return nil
}

// randomToken returns 32 random bytes in unpadded base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// portalRefusal is an error the portal itself raises (not the program),
// shown in the reader's language: a status and a message key with args.
type portalRefusal struct {
	status int
	key    string
	args   []any
}

func (e *portalRefusal) Error() string { return e.key }

// refusal returns a portalRefusal.
func refusal(status int, key string, args ...any) error {
	return &portalRefusal{status: status, key: key, args: args}
}

// wrongKind refuses a user whose organization is not of the page's kinds.
func wrongKind(kinds []trustmark.OrgKind) error {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return refusal(http.StatusForbidden, "portal.error.wrong_kind", strings.Join(names, ", "))
}

// portalLang is the portal page language: ?lang=, else the language
// cookie the portal set, else Accept-Language.
func portalLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		return pickLang(r)
	}
	if c, err := r.Cookie(portalLangCookie); err == nil && slices.Contains(languages, c.Value) {
		return c.Value
	}
	return pickLang(r)
}

// rememberLang keeps a language chosen with ?lang= for the following
// portal pages, whose links do not carry it.
func (s *Server) rememberLang(w http.ResponseWriter, r *http.Request) {
	l := r.URL.Query().Get("lang")
	if l == "" || !slices.Contains(languages, l) {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: portalLangCookie, Value: l, Path: "/portal/", HttpOnly: true,
		Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
}

// portalView is what a handler gives renderPortal: the title (a message
// key, formatted with TitleArgs), the form on the page (nil when none) and
// the page's own data.
type portalView struct {
	Title     string
	TitleArgs []any
	Form      *form
	Data      any
}

// portalPage is what every portal template receives.
type portalPage struct {
	page
	// Session is the signed-in user; nil on the sign-in page.
	Session *portalSession
	// CSRF is the token the page's forms carry.
	CSRF string
	Nav  []navItem
	// Done is a confirmation of what the last form did (from ?done=).
	Done string
	Form *form
	Data any
	// Path is the page's path, for forms posting back to it.
	Path string
}

// navItem is one rendered navigation link.
type navItem struct {
	Href, Label string
	Current     bool
}

// renderPortal renders templates/portal/<name> in the layout, with the
// status of the form's error when it has one (else 200). It returns the
// rendering error for the adapter to show; nothing is written then.
func (s *Server) renderPortal(w http.ResponseWriter, r *http.Request, ps *portalSession, name string, v portalView) error {
	p := s.portalPageFor(r, ps, v.Title, v.TitleArgs...)
	p.Form, p.Data = v.Form, v.Data
	if p.Form == nil {
		p.Form = blankForm()
	}
	p.Form.tr = p.translator
	status := http.StatusOK
	if v.Form != nil && v.Form.err != nil {
		status = v.Form.status
	}
	return s.writePortal(w, status, "portal/"+name, p)
}

// portalPageFor starts a portal page for r in the reader's language.
func (s *Server) portalPageFor(r *http.Request, ps *portalSession, title string, args ...any) portalPage {
	p := portalPage{page: s.pageIn(portalLang(r), r.URL.Path, title, args...), Session: ps, Path: r.URL.Path}
	p.NoIndex = true
	if ps != nil {
		p.CSRF = ps.Session.CSRF
		for _, l := range portalNavs[ps.Principal.Org.Kind] {
			cur := r.URL.Path == l.Href || (!strings.HasSuffix(l.Href, "/") && strings.HasPrefix(r.URL.Path, l.Href+"/"))
			p.Nav = append(p.Nav, navItem{Href: l.Href, Label: p.T(l.Label), Current: cur})
		}
		// Every kind's admins manage its users (page_portal_users.go); the
		// program refuses the page to others, so only admins see the link.
		if ps.Principal.Token.Role.AtLeast(trustmark.RoleAdmin) {
			p.Nav = append(p.Nav, navItem{Href: "/portal/users", Label: p.T("portal.nav.users"), Current: strings.HasPrefix(r.URL.Path, "/portal/users")})
		}
		p.Nav = append(p.Nav, navItem{Href: "/portal/password", Label: p.T("portal.nav.password"), Current: r.URL.Path == "/portal/password"})
	}
	if d := r.URL.Query().Get("done"); d != "" {
		if m, ok := p.msgs["portal.done."+d]; ok {
			p.Done = m
		}
	}
	return p
}

// writePortal renders a portal template into memory and writes it, so a
// failure never leaves a half-written page.
func (s *Server) writePortal(w http.ResponseWriter, status int, name string, data any) error {
	b, err := s.renderBytes(name, data)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	w.Write(b)
	return nil
}

// portalErrorData is the data of portal/error.html.
type portalErrorData struct {
	Status  int
	Message string
}

// portalError answers with the portal's error page for err: a refusal in
// the reader's language, or the program's message with its kind's status.
// ps may be nil (not signed in, or not yet known).
func (s *Server) portalError(w http.ResponseWriter, r *http.Request, ps *portalSession, err error) {
	lang := portalLang(r)
	tr := translator{lang: lang, msgs: s.pages.catalogs[lang]}
	var status int
	var msg string
	var ref *portalRefusal
	if errors.As(err, &ref) {
		// The portal's own refusals (403, 413, …) are answers, not faults.
		status, msg = ref.status, tr.T(ref.key, ref.args...)
	} else {
		s.logFault(r, err)
		status, msg = statusOf(trustmark.KindOf(err)), trustmark.PublicMessage(err)
	}
	if status == http.StatusInternalServerError {
		msg = tr.T("portal.error.internal")
	}
	p := s.portalPageFor(r, ps, "%d · %s", status, tr.T("portal.status."+fmt.Sprint(status)))
	p.Form = blankForm()
	p.Form.tr = tr
	p.Data = portalErrorData{Status: status, Message: msg}
	if werr := s.writePortal(w, status, "portal/error.html", p); werr != nil {
		s.logFault(r, werr)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// form is an HTML form on a page: the values to show in its fields and
// the error to show above it and beside the field it names.
type form struct {
	values url.Values
	err    *trustmark.Error
	status int
	// key and args, when set, are the error's message in the catalogs,
	// for errors the web layer finds itself; tr translates them.
	key  string
	args []any
	tr   translator
}

// blankForm returns an empty form.
func blankForm() *form { return &form{values: url.Values{}} }

// formOf returns a form showing the given values (e.g. a record to edit).
func formOf(v url.Values) *form { return &form{values: v} }

// newForm returns the form r posted (parsed already by the adapter),
// keeping every value but the CSRF token and passwords (isSecretField), so
// that a re-rendered form loses nothing typed.
func newForm(r *http.Request) *form {
	v := url.Values{}
	for k, vals := range r.PostForm {
		if k == "csrf" || isSecretField(k) {
			continue
		}
		v[k] = vals
	}
	return &form{values: v}
}

// isSecretField reports whether a form field holds a password the user
// typed, which is never sent back: the sign-in and password-change fields.
func isSecretField(name string) bool {
	switch name {
	case "password", "old_password", "new_password", "confirm_password":
		return true
	}
	return false
}

// Get returns the first value of a field, trimmed of surrounding space.
func (f *form) Get(name string) string { return strings.TrimSpace(f.values.Get(name)) }

// All returns every non-empty value of a field (checkboxes, multi-selects).
func (f *form) All(name string) []string {
	var out []string
	for _, v := range f.values[name] {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Has reports whether a field holds value (a ticked checkbox).
func (f *form) Has(name, value string) bool { return slices.Contains(f.values[name], value) }

// Set replaces a field's value, e.g. to prefill a choice.
func (f *form) Set(name, value string) { f.values.Set(name, value) }

// fail records err on the form when it is about the input (invalid, a
// rule, a conflict, or too many tries) and returns nil; any other error
// (forbidden, not found, internal) is returned for the error page.
func (f *form) fail(err error) error {
	var te *trustmark.Error
	if !errors.As(err, &te) {
		return err
	}
	switch te.Kind {
	case trustmark.KindInvalid, trustmark.KindRule, trustmark.KindConflict, trustmark.KindRateLimited:
		f.err, f.status = te, statusOf(te.Kind)
		return nil
	}
	return err
}

// failField records an error the web layer finds in a form field itself
// (such as a file that is not JSON), as the program would.
func (f *form) failField(field, key string, args ...any) {
	f.err = &trustmark.Error{Kind: trustmark.KindInvalid, Field: field, Message: key}
	f.key, f.args = key, args
	f.status = http.StatusBadRequest
}

// message is the error's message without the field.
func (f *form) message() string {
	if f.key != "" {
		return f.tr.T(f.key, f.args...)
	}
	return f.err.Message
}

// Failed reports whether the form has an error.
func (f *form) Failed() bool { return f.err != nil }

// Error is the form's error message, with the field it names.
func (f *form) Error() string {
	if f.err == nil {
		return ""
	}
	if f.key != "" {
		return f.message()
	}
	return trustmark.PublicMessage(f.err)
}

// ErrorField is the field the error names, "" when it names none.
func (f *form) ErrorField() string {
	if f.err == nil {
		return ""
	}
	return f.err.Field
}

// ErrorHref is the link from the error summary to the field.
func (f *form) ErrorHref() string {
	if f.err == nil || f.err.Field == "" {
		return ""
	}
	return "#" + fieldID(f.err.Field)
}

// errorFor returns the error message of a field, or of a group when the
// error names a field inside it ("access_control" holds
// "access_control.password_type").
func (f *form) errorFor(name string, group bool) string {
	if f.err == nil || f.err.Field == "" {
		return ""
	}
	if f.err.Field == name || (group && strings.HasPrefix(f.err.Field, name+".")) {
		return f.message()
	}
	return ""
}

// fieldID is the HTML id of a field's input.
func fieldID(name string) string {
	var b strings.Builder
	b.WriteString("f-")
	for _, c := range name {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// option is one choice of a select or checkbox group: Label is a message
// key, Text (when set) a literal shown instead, such as an organization's
// name.
type option struct {
	Value, Label, Text string
}

// fieldView is one form field as the layout's partials render it.
type fieldView struct {
	Name, ID, Label, Hint, Value, Error, Type, Autocomplete string
	Options                                                 []optionView
	Rows                                                    int
}

// optionView is one rendered choice.
type optionView struct {
	Value, Label, ID string
	Selected         bool
}

// Describedby is the aria-describedby of the field: its hint and error.
func (v fieldView) Describedby() string {
	var ids []string
	if v.Hint != "" {
		ids = append(ids, v.ID+"-hint")
	}
	if v.Error != "" {
		ids = append(ids, v.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// As returns the field with another input type (text by default).
func (v fieldView) As(typ string) fieldView { v.Type = typ; return v }

// Auto returns the field with an autocomplete token (WCAG 1.3.5).
func (v fieldView) Auto(token string) fieldView { v.Autocomplete = token; return v }

// Field returns a text field named name, labelled with the message label,
// with an optional hint message, showing the form's value and error.
func (p portalPage) Field(name, label string, hint ...string) fieldView {
	v := fieldView{Name: name, ID: fieldID(name), Label: p.T(label), Type: "text", Rows: 3}
	if len(hint) > 0 && hint[0] != "" {
		v.Hint = p.T(hint[0], anys(hint[1:])...)
	}
	if p.Form != nil {
		v.Value = p.Form.values.Get(name)
		v.Error = p.Form.errorFor(name, false)
	}
	return v
}

// Group returns the error of a fieldset: of the field name or any field
// inside it.
func (p portalPage) Group(name string) string {
	if p.Form == nil {
		return ""
	}
	return p.Form.errorFor(name, true)
}

// GroupID is the HTML id of a fieldset, the target of the error summary.
func (p portalPage) GroupID(name string) string { return fieldID(name) }

// Choice returns a select or checkbox group over opts, marking the
// form's values selected.
func (p portalPage) Choice(name, label string, opts []option, hint ...string) fieldView {
	v := p.Field(name, label, hint...)
	v.Type = "select"
	for i, o := range opts {
		l := o.Text
		if l == "" {
			l = p.T(o.Label)
		}
		sel := p.Form != nil && p.Form.Has(name, o.Value)
		v.Options = append(v.Options, optionView{Value: o.Value, Label: l, ID: fmt.Sprintf("%s-%d", v.ID, i), Selected: sel})
	}
	return v
}

// Options turns values into options labelled by prefix+value messages.
func (p portalPage) Options(prefix string, values ...string) []option {
	out := make([]option, len(values))
	for i, val := range values {
		out[i] = option{Value: val, Label: prefix + val}
	}
	return out
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// handleLoginForm answers GET /portal/login (anyone): the sign-in form, or
// straight on when the browser is signed in already.
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.rememberLang(w, r)
	next := localNext(r.URL.Query().Get("next"))
	if _, err := s.portalSessionOf(r); err == nil {
		seeOther(w, r, next)
		return
	}
	f := blankForm()
	f.Set("next", next)
	s.renderLogin(w, r, f)
}

// renderLogin renders the sign-in form with a fresh sign-in token, set in
// a cookie and in the form (double submit: a cross-site page can make a
// browser post the form but can neither read nor set the cookie).
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, f *form) {
	// Keep a token the browser has, so that sign-in forms open in several
	// tabs all stay valid.
	token := s.cookieValue(r, loginCookie, loginCookiePlain)
	if len(token) != len(randomToken()) {
		token = randomToken()
	}
	s.setCookie(w, r, loginCookie, loginCookiePlain, token, s.now().Add(portalLoginLifetime))
	p := s.portalPageFor(r, nil, "portal.login.title")
	p.CSRF, p.Form = token, f
	f.tr = p.translator
	status := http.StatusOK
	if f.err != nil {
		status = f.status
	}
	if err := s.writePortal(w, status, "portal/login.html", p); err != nil {
		s.portalError(w, r, nil, err)
	}
}

// handleLogin answers POST /portal/login (anyone holding the sign-in
// form's token): checks the email and password through the program and
// starts a session, whose secret goes only into the cookie.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := checkFormToken(r, s.cookieValue(r, loginCookie, loginCookiePlain)); err != nil {
		s.portalError(w, r, nil, err)
		return
	}
	f := newForm(r)
	secret, sess, err := s.program.Login(r.Context(), f.Get("email"), r.PostFormValue("password"))
	if err != nil {
		switch trustmark.KindOf(err) {
		case trustmark.KindUnauthenticated:
			f.failField("password", "portal.login.bad")
			f.status = http.StatusUnauthorized
		case trustmark.KindRateLimited, trustmark.KindInvalid:
			f.fail(err)
		default:
			s.portalError(w, r, nil, err)
			return
		}
		s.renderLogin(w, r, f)
		return
	}
	s.setCookie(w, r, sessionCookie, sessionCookiePlain, secret, sess.ExpiresAt)
	s.setCookie(w, r, loginCookie, loginCookiePlain, "", time.Time{})
	seeOther(w, r, localNext(f.Get("next")))
}

// handleLogout answers POST /portal/logout (any signed-in user): ends the
// session in the store and drops the cookie.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	if err := s.program.Logout(r.Context(), ps.secret); err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, sessionCookiePlain, "", time.Time{})
	seeOther(w, r, "/portal/login?done=signed_out")
	return nil
}

// handlePortalHome answers GET /portal/ (any signed-in user): sends each
// kind of organization to its area, or shows what every user has.
func (s *Server) handlePortalHome(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	if area, ok := portalAreas[ps.Principal.Org.Kind]; ok {
		target := area
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		seeOther(w, r, target)
		return nil
	}
	return s.renderPortal(w, r, ps, "home.html", portalView{Title: "portal.home.title"})
}

// handlePasswordForm answers GET /portal/password (any signed-in user).
func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderPortal(w, r, ps, "password.html", portalView{Title: "portal.password.title"})
}

// handlePassword answers POST /portal/password (any signed-in user):
// changes the password through the program, which ends the user's other
// sessions and keeps this one.
func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	view := portalView{Title: "portal.password.title", Form: f}
	oldPw, newPw := r.PostFormValue("old_password"), r.PostFormValue("new_password")
	if newPw != r.PostFormValue("confirm_password") {
		f.failField("confirm_password", "portal.password.mismatch")
		return s.renderPortal(w, r, ps, "password.html", view)
	}
	if err := s.program.ChangePassword(r.Context(), ps.secret, oldPw, newPw); err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		if f.err.Field == "password" {
			f.err.Field = "new_password" // the program names the new password "password"
		}
		return s.renderPortal(w, r, ps, "password.html", view)
	}
	seeOther(w, r, "/portal/?done=password_changed")
	return nil
}

// linkView is a CTA-2120 link as a fieldset of two inputs, text and url;
// the fieldset shows errors about the link as a whole.
type linkView struct {
	fieldView
	Text, URL fieldView
}

// Link returns the fieldset of the link fields name.text and name.url.
func (p portalPage) Link(name, label string, hint ...string) linkView {
	v := linkView{fieldView: p.Field(name, label, hint...)}
	v.Text = p.Field(name+".text", "portal.link.text")
	v.URL = p.Field(name+".url", "portal.link.url").As("url")
	return v
}

// Word translates a domain value: the message prefix+value, such as
// "portal.app_state." and "draft".
func (p portalPage) Word(prefix string, value any) string {
	return p.T(prefix + fmt.Sprint(value))
}
