package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"trustmark"
	"trustmark/internal/program"
)

// usersRoutes are the routes of the users page (page_portal_users.go),
// which admins of every kind of organization may use.
var usersRoutes = []sharedPortalRoute{
	{"GET", "/portal/users", ""},
	{"POST", "/portal/users", ""},
	{"GET", "/portal/users/{id}/disable", ""},
	{"POST", "/portal/users/{id}/disable", ""},
}

// secretRE finds the password the created-user page shows.
var secretRE = regexp.MustCompile(`<p class="secret">([^<]+)</p>`)

// addPortalUser adds a user to the organization of kind through the
// program, with portalPassword, and returns it.
func (w *portalEnv) addPortalUser(kind trustmark.OrgKind, email string, role trustmark.Role) *trustmark.User {
	w.t.Helper()
	u, err := w.prog.OperatorCreateUser(context.Background(), program.UserInput{OrgID: w.org[kind], Email: email,
		Name: "Sam " + string(role), Role: role, Password: portalPassword}, "test")
	if err != nil {
		w.t.Fatalf("OperatorCreateUser(%s) = %v", email, err)
	}
	return u
}

// signIn signs in with an email and password and returns the client; it
// fails the test unless the sign-in succeeds.
func (w *portalEnv) signIn(email, password string) *browserClient {
	w.t.Helper()
	c := w.client()
	r := c.submit("/portal/login", "/portal/login", url.Values{"email": {email}, "password": {password}, "next": {"/portal/"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/" {
		w.t.Fatalf("sign in as %s = %d %s:\n%s", email, r.StatusCode, r.Header.Get("Location"), c.last)
	}
	return c
}

// orgUsers lists the users of the organization of kind through the program.
func (w *portalEnv) orgUsers(kind trustmark.OrgKind) map[string]trustmark.User {
	w.t.Helper()
	list, err := w.prog.Users(context.Background(), w.principalOf(kind))
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]trustmark.User{}
	for _, u := range list {
		out[u.Email] = u
	}
	return out
}

// The table above lists every /portal/users route of routes.go (the shared
// table of portal_test.go leaves them to it), and every one sends
// anonymous callers to sign in and refuses members and viewers with 403
// and CSRF-less posts with 403, changing nothing.
func TestPortalUsersRefusals(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	inTable := map[string]bool{}
	for _, r := range usersRoutes {
		inTable[r.method+" "+r.pattern] = true
	}
	for _, m := range regexp.MustCompile(`"((?:GET|POST) /portal/users[^"]*)"`).FindAllStringSubmatch(string(src), -1) {
		if !inTable[m[1]] {
			t.Errorf("routes.go has %q, which usersRoutes does not list", m[1])
		}
		delete(inTable, m[1])
	}
	for k := range inTable {
		t.Errorf("usersRoutes lists %q, which routes.go does not have", k)
	}

	w := newPortalEnv(t)
	target := w.addPortalUser(trustmark.OrgManufacturer, "target@example.com", trustmark.RoleViewer)
	w.addPortalUser(trustmark.OrgManufacturer, "member@example.com", trustmark.RoleMember)
	w.addPortalUser(trustmark.OrgManufacturer, "viewer@example.com", trustmark.RoleViewer)
	admin := w.login(trustmark.OrgManufacturer)
	anon := w.client()
	lesser := map[string]*browserClient{
		"member": w.signIn("member@example.com", portalPassword),
		"viewer": w.signIn("viewer@example.com", portalPassword),
	}
	create := url.Values{"name": {"Eve Sneaky"}, "email": {"eve@example.com"}, "role": {"admin"}}
	for _, rt := range usersRoutes {
		p := strings.ReplaceAll(rt.pattern, "{id}", target.ID)
		t.Run(rt.method+" "+rt.pattern, func(t *testing.T) {
			if rt.method == "GET" {
				if r := anon.get(p); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/login?next="+url.QueryEscape(p) {
					t.Errorf("anonymous: %d %q, want 303 to the sign-in page and back", r.StatusCode, r.Header.Get("Location"))
				}
			} else if r := anon.post(p, create); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/login" {
				t.Errorf("anonymous: %d %q, want 303 to /portal/login", r.StatusCode, r.Header.Get("Location"))
			}
			for role, c := range lesser {
				var r *http.Response
				if rt.method == "GET" {
					r = c.get(p)
				} else {
					r = c.submit("/portal/password", p, url.Values{"name": create["name"], "email": create["email"], "role": create["role"]})
				}
				if r.StatusCode != http.StatusForbidden || !strings.Contains(c.last, "this needs the admin role") {
					t.Errorf("a %s: %d, want 403 saying it needs the admin role:\n%.300s", role, r.StatusCode, c.last)
				}
				if strings.Contains(c.last, `href="/portal/users"`) {
					t.Errorf("a %s's navigation links to the users page", role)
				}
			}
			if rt.method == "POST" {
				// The admin's own session, without the form token or with a wrong one.
				admin.get("/portal/users")
				for name, token := range map[string]string{"no token": "", "a wrong token": "not-the-token", "another session's token": lesser["member"].csrf()} {
					f := url.Values{"name": create["name"], "email": create["email"], "role": create["role"]}
					if token != "" {
						f.Set("csrf", token)
					}
					if r := admin.post(p, f); r.StatusCode != http.StatusForbidden {
						t.Errorf("the admin with %s: %d, want 403", name, r.StatusCode)
					}
				}
			}
		})
	}
	// Nothing changed: no new user, the target still active.
	users := w.orgUsers(trustmark.OrgManufacturer)
	if _, ok := users["eve@example.com"]; ok {
		t.Errorf("a refused post added a user")
	}
	if users[target.Email].DisabledAt != nil {
		t.Errorf("a refused post disabled the target")
	}
}

// An admin of every kind of organization has the page and its link.
func TestPortalUsersEveryKind(t *testing.T) {
	w := newPortalEnv(t)
	for _, kind := range []trustmark.OrgKind{trustmark.OrgManufacturer, trustmark.OrgLab, trustmark.OrgCLA, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator} {
		c := w.login(kind)
		c.follow(c.get("/portal/"))
		if !strings.Contains(c.last, `<a href="/portal/users">Users</a>`) {
			t.Errorf("%s: the area's navigation lacks the Users link", kind)
		}
		r := c.get("/portal/users")
		if r.StatusCode != 200 || !strings.Contains(c.last, w.email[kind]) || !strings.Contains(c.last, `<a href="/portal/users" aria-current="page">`) {
			t.Errorf("%s: GET /portal/users = %d, want 200 listing %s with the link current:\n%.500s", kind, r.StatusCode, w.email[kind], c.last)
		}
	}
}

// An admin adds a user, sees the generated password once, and the user
// signs in with it.
func TestPortalUsersAdd(t *testing.T) {
	w := newPortalEnv(t)
	admin := w.login(trustmark.OrgLab)
	r := admin.get("/portal/users")
	if r.StatusCode != 200 || !strings.Contains(admin.last, `<option value="member" selected>Member</option>`) {
		t.Fatalf("GET /portal/users = %d, want the form with member chosen:\n%s", r.StatusCode, admin.last)
	}
	r = admin.submit("/portal/users", "/portal/users", url.Values{"name": {"  Nia Tester "}, "email": {"Nia@Lab.Example"}, "role": {"member"}})
	if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("adding a user = %d (Cache-Control %q), want 200 no-store:\n%s", r.StatusCode, r.Header.Get("Cache-Control"), admin.last)
	}
	m := secretRE.FindStringSubmatch(admin.last)
	if m == nil || len(m[1]) < 20 {
		t.Fatalf("the answer shows no password:\n%s", admin.last)
	}
	password := m[1]
	for _, want := range []string{"Nia Tester has been added", "nia@lab.example", "Copy it now; it will not be shown again."} {
		if !strings.Contains(admin.last, want) {
			t.Errorf("the answer lacks %q", want)
		}
	}
	// The list shows the user but never the password again.
	admin.get("/portal/users")
	if !strings.Contains(admin.last, "nia@lab.example") || !strings.Contains(admin.last, "<td>Member</td>") || strings.Contains(admin.last, password) {
		t.Errorf("the list lacks the new member, or shows their password:\n%s", admin.last)
	}
	u := w.orgUsers(trustmark.OrgLab)["nia@lab.example"]
	if u.Name != "Nia Tester" || u.Role != trustmark.RoleMember || u.OrgID != w.org[trustmark.OrgLab] || strings.Contains(u.PasswordHash, password) {
		t.Errorf("stored user = %+v", u)
	}
	// The new user signs in with the shown password and lands in the lab's area.
	nia := w.signIn("nia@lab.example", password)
	if r := nia.get("/portal/"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/lab/" {
		t.Errorf("the new user at /portal/ = %d %q", r.StatusCode, r.Header.Get("Location"))
	}
}

// A refused form comes back with the error beside its field and the typed
// values kept.
func TestPortalUsersFormErrors(t *testing.T) {
	w := newPortalEnv(t)
	admin := w.login(trustmark.OrgCLA)
	cases := []struct {
		name   string
		form   url.Values
		status int
		field  string
		msg    string
	}{
		{"email taken (by a user of another organization)", url.Values{"name": {"Dup Licate"}, "email": {"manufacturer@example.com"}, "role": {"viewer"}},
			http.StatusConflict, "email", `a user with the email &#34;manufacturer@example.com&#34; already exists`},
		{"not an email", url.Values{"name": {"Dup Licate"}, "email": {"not-an-email"}, "role": {"viewer"}},
			http.StatusBadRequest, "email", "must be a plain, lower-case email address"},
		{"no name", url.Values{"name": {" "}, "email": {"new@example.com"}, "role": {"viewer"}},
			http.StatusBadRequest, "name", "name: is required"},
		{"a role that is none", url.Values{"name": {"Dup Licate"}, "email": {"new@example.com"}, "role": {"owner"}},
			http.StatusBadRequest, "role", "must be admin, member or viewer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := admin.submit("/portal/users", "/portal/users", tc.form)
			if r.StatusCode != tc.status {
				t.Fatalf("POST /portal/users = %d, want %d:\n%s", r.StatusCode, tc.status, admin.last)
			}
			for _, want := range []string{`id="f-` + tc.field + `-error"`, `aria-invalid="true"`, `href="#f-` + tc.field + `"`, tc.msg} {
				if !strings.Contains(admin.last, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			// The typed values are kept.
			if name := strings.TrimSpace(tc.form.Get("name")); name != "" && !strings.Contains(admin.last, `value="`+name+`"`) {
				t.Errorf("the name %q was not kept", name)
			}
			if !strings.Contains(admin.last, `value="`+tc.form.Get("email")+`"`) {
				t.Errorf("the email %q was not kept", tc.form.Get("email"))
			}
			if tc.field != "role" && !strings.Contains(admin.last, `<option value="`+tc.form.Get("role")+`" selected>`) {
				t.Errorf("the role %q was not kept", tc.form.Get("role"))
			}
			if secretRE.MatchString(admin.last) {
				t.Errorf("a refused form shows a password")
			}
		})
	}
	if n := len(w.orgUsers(trustmark.OrgCLA)); n != 1 {
		t.Errorf("the CLA has %d users after refused forms, want 1", n)
	}
}

// Disabling a user, after a confirmation, ends their sessions at once; an
// admin may not disable themselves, nor anyone of another organization.
func TestPortalUsersDisable(t *testing.T) {
	w := newPortalEnv(t)
	member := w.addPortalUser(trustmark.OrgManufacturer, "member@example.com", trustmark.RoleMember)
	mc := w.signIn("member@example.com", portalPassword)
	if r := mc.get("/portal/manufacturer/products"); r.StatusCode != 200 {
		t.Fatalf("the member's session does not work: %d", r.StatusCode)
	}
	admin := w.login(trustmark.OrgManufacturer)
	disable := "/portal/users/" + member.ID + "/disable"

	admin.get("/portal/users")
	if !strings.Contains(admin.last, `href="`+disable+`"`) {
		t.Fatalf("the list has no disable link for the member:\n%s", admin.last)
	}
	r := admin.get(disable)
	if r.StatusCode != 200 || !strings.Contains(admin.last, "Disable Sam member (member@example.com)?") || !strings.Contains(admin.last, `action="`+disable+`"`) {
		t.Fatalf("the confirmation = %d:\n%s", r.StatusCode, admin.last)
	}
	if w.orgUsers(trustmark.OrgManufacturer)["member@example.com"].DisabledAt != nil {
		t.Fatalf("opening the confirmation disabled the user")
	}
	r = admin.submit(disable, disable, url.Values{})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/portal/users?done=user_disabled" {
		t.Fatalf("disabling = %d %q:\n%s", r.StatusCode, r.Header.Get("Location"), admin.last)
	}
	admin.follow(r)
	if !strings.Contains(admin.last, "The user has been disabled and signed out everywhere.") || !strings.Contains(admin.last, "Disabled on 2026-03-02") ||
		strings.Contains(admin.last, `href="`+disable+`"`) {
		t.Errorf("the list after disabling lacks the confirmation or the date, or still offers to disable:\n%s", admin.last)
	}
	// The member's cookie no longer works, and signing in again fails.
	if r := mc.get("/portal/manufacturer/products"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/portal/login") {
		t.Errorf("the disabled member's session still works: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	c := w.client()
	if r := c.submit("/portal/login", "/portal/login", url.Values{"email": {"member@example.com"}, "password": {portalPassword}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the disabled member signs in: %d", r.StatusCode)
	}

	// Not yourself: the program's rule, shown on the confirmation page.
	self := "/portal/users/" + w.orgUsers(trustmark.OrgManufacturer)["manufacturer@example.com"].ID + "/disable"
	r = admin.submit(self, self, url.Values{})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(admin.last, "you may not disable your own account; ask another admin") ||
		!strings.Contains(admin.last, `role="alert"`) {
		t.Errorf("disabling yourself = %d, want 422 with the rule:\n%s", r.StatusCode, admin.last)
	}
	if r := admin.get("/portal/users"); r.StatusCode != 200 {
		t.Errorf("the admin was signed out by trying to disable themselves: %d", r.StatusCode)
	}

	// Another organization's admin: the user does not exist for them.
	other := w.login(trustmark.OrgLab)
	victim := w.addPortalUser(trustmark.OrgManufacturer, "victim@example.com", trustmark.RoleMember)
	path := "/portal/users/" + victim.ID + "/disable"
	if r := other.get(path); r.StatusCode != http.StatusNotFound {
		t.Errorf("another organization's admin opens the confirmation: %d, want 404", r.StatusCode)
	}
	other.get("/portal/users")
	if r := other.post(path, url.Values{"csrf": {other.csrf()}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("another organization's admin disables the user: %d, want 404", r.StatusCode)
	}
	if w.orgUsers(trustmark.OrgManufacturer)["victim@example.com"].DisabledAt != nil {
		t.Errorf("another organization's admin disabled a user")
	}
}

// The page speaks Spanish.
func TestPortalUsersSpanish(t *testing.T) {
	w := newPortalEnv(t)
	c := w.login(trustmark.OrgRegulator)
	c.get("/portal/users?lang=es")
	for _, want := range []string{`<html lang="es">`, "Añadir un usuario", `<a href="/portal/users" aria-current="page">Usuarios</a>`, "<td>Administrador</td>"} {
		if !strings.Contains(c.last, want) {
			t.Errorf("the Spanish page lacks %q", want)
		}
	}
}
