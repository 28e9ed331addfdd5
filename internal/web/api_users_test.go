package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"trustmark"
)

// apiToken returns the Authorization header of a new token of the
// organization of kind with role.
func (w *portalEnv) apiToken(kind trustmark.OrgKind, role trustmark.Role) string {
	w.t.Helper()
	_, secret, err := w.prog.OperatorToken(context.Background(), w.org[kind], "Tess Token", role)
	if err != nil {
		w.t.Fatal(err)
	}
	return "Bearer " + secret
}

// apiCall sends a JSON API request and returns the status and body.
func (w *portalEnv) apiCall(auth, method, path, body string) (int, string) {
	w.t.Helper()
	var rd *bytes.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// apiError decodes an API error body.
func apiErrorOf(t *testing.T, body string) (code, field, message string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Field, Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e.Error.Code, e.Error.Field, e.Error.Message
}

func TestAPICreateUser(t *testing.T) {
	w := newPortalEnv(t)
	mfrAdmin := w.apiToken(trustmark.OrgManufacturer, trustmark.RoleAdmin)
	laAdmin := w.apiToken(trustmark.OrgLeadAdministrator, trustmark.RoleAdmin)
	cases := []struct {
		name   string
		auth   string
		body   string
		status int
		code   string // of the error
		field  string // of the error
		// org is the organization the created user must belong to.
		org trustmark.OrgKind
		// given is the password the request gives ("" for generated).
		given string
	}{
		{name: "generated password", auth: mfrAdmin, body: `{"email": " Gen@Acme.Example ", "name": "Gen Erated", "role": "member"}`,
			status: 201, org: trustmark.OrgManufacturer},
		{name: "given password", auth: mfrAdmin, body: `{"email": "giv@acme.example", "name": "Giv En", "role": "viewer", "password": "a long passphrase of mine"}`,
			status: 201, org: trustmark.OrgManufacturer, given: "a long passphrase of mine"},
		{name: "empty password: generated", auth: mfrAdmin, body: `{"email": "empty@acme.example", "name": "Em Pty", "role": "admin", "password": ""}`,
			status: 201, org: trustmark.OrgManufacturer},
		{name: "own organization named", auth: mfrAdmin, body: `{"organization_id": "` + w.org[trustmark.OrgManufacturer] + `", "email": "own@acme.example", "name": "O Wn", "role": "member"}`,
			status: 201, org: trustmark.OrgManufacturer},
		{name: "Lead Administrator for a lab", auth: laAdmin, body: `{"organization_id": "` + w.org[trustmark.OrgLab] + `", "email": "lab2@lab.example", "name": "La B", "role": "admin"}`,
			status: 201, org: trustmark.OrgLab},

		{name: "short password", auth: mfrAdmin, body: `{"email": "s@acme.example", "name": "S Hort", "role": "member", "password": "short"}`,
			status: 400, code: "invalid", field: "password"},
		{name: "password is the email", auth: mfrAdmin, body: `{"email": "sam.sample@acme.example", "name": "S Ame", "role": "member", "password": "sam.sample@acme.example"}`,
			status: 400, code: "invalid", field: "password"},
		{name: "bad email", auth: mfrAdmin, body: `{"email": "not an email", "name": "B Ad", "role": "member"}`,
			status: 400, code: "invalid", field: "email"},
		{name: "no name", auth: mfrAdmin, body: `{"email": "nn@acme.example", "role": "member"}`,
			status: 400, code: "invalid", field: "name"},
		{name: "bad role", auth: mfrAdmin, body: `{"email": "br@acme.example", "name": "B Role", "role": "owner"}`,
			status: 400, code: "invalid", field: "role"},
		{name: "unknown field", auth: mfrAdmin, body: `{"email": "uf@acme.example", "name": "U F", "role": "member", "created_by": "someone else"}`,
			status: 400, code: "invalid"},
		{name: "not JSON", auth: mfrAdmin, body: `email=x`, status: 400, code: "invalid"},
		{name: "email taken", auth: mfrAdmin, body: `{"email": "LAB@example.com", "name": "Dup Licate", "role": "member"}`,
			status: 409, code: "conflict", field: "email"},
		{name: "Lead Administrator, unknown organization", auth: laAdmin, body: `{"organization_id": "org_nope", "email": "x@nope.example", "name": "No Pe", "role": "member"}`,
			status: 404, code: "not_found"},

		{name: "member", auth: w.apiToken(trustmark.OrgManufacturer, trustmark.RoleMember), body: `{"email": "m@acme.example", "name": "M Ember", "role": "viewer"}`,
			status: 403, code: "forbidden"},
		{name: "viewer", auth: w.apiToken(trustmark.OrgManufacturer, trustmark.RoleViewer), body: `{"email": "v@acme.example", "name": "V Iewer", "role": "viewer"}`,
			status: 403, code: "forbidden"},
		{name: "admin, another organization", auth: mfrAdmin, body: `{"organization_id": "` + w.org[trustmark.OrgLab] + `", "email": "o@lab.example", "name": "O Ther", "role": "admin"}`,
			status: 403, code: "forbidden"},
		{name: "CLA admin, its manufacturer", auth: w.apiToken(trustmark.OrgCLA, trustmark.RoleAdmin), body: `{"organization_id": "` + w.org[trustmark.OrgManufacturer] + `", "email": "c@acme.example", "name": "C La", "role": "admin"}`,
			status: 403, code: "forbidden"},
		{name: "no token", body: `{"email": "anon@acme.example", "name": "A Non", "role": "admin"}`, status: 401, code: "unauthenticated"},
		{name: "unknown token", auth: "Bearer tmk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", body: `{"email": "anon@acme.example", "name": "A Non", "role": "admin"}`,
			status: 401, code: "unauthenticated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := w.apiCall(tc.auth, "POST", "/api/v1/users", tc.body)
			if status != tc.status {
				t.Fatalf("POST /api/v1/users = %d %s, want %d", status, body, tc.status)
			}
			if strings.Contains(body, "$argon2id$") || strings.Contains(body, "password_hash") {
				t.Errorf("the answer holds a password hash: %s", body)
			}
			if tc.status != 201 {
				code, field, msg := apiErrorOf(t, body)
				if code != tc.code || field != tc.field || msg == "" {
					t.Errorf("error = %s (field %q): %q, want %s (field %q)", code, field, msg, tc.code, tc.field)
				}
				return
			}
			var out struct {
				User     trustmark.User `json:"user"`
				Password *string        `json:"password"`
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil {
				t.Fatal(err)
			}
			if out.User.ID == "" || out.User.OrgID != w.org[tc.org] || out.User.Email != strings.ToLower(strings.TrimSpace(out.User.Email)) {
				t.Errorf("user = %+v, want one of %s with a lower-case email", out.User, tc.org)
			}
			password := tc.given
			if tc.given != "" {
				if out.Password != nil {
					t.Errorf("a given password is echoed: %s", body)
				}
			} else {
				if out.Password == nil || len(*out.Password) != 24 {
					t.Fatalf("generated password = %v, want 24 characters: %s", out.Password, body)
				}
				password = *out.Password
			}
			// The user signs in to the portal with the password.
			w.signIn(out.User.Email, password)
		})
	}
}

func TestAPIListAndDisableUsers(t *testing.T) {
	w := newPortalEnv(t)
	admin := w.apiToken(trustmark.OrgManufacturer, trustmark.RoleAdmin)
	member := w.addPortalUser(trustmark.OrgManufacturer, "member@example.com", trustmark.RoleMember)
	session := w.signIn("member@example.com", portalPassword)

	// The admin lists its organization's users, by email, without hashes.
	status, body := w.apiCall(admin, "GET", "/api/v1/users", "")
	var list struct{ Items []trustmark.User }
	if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil {
		t.Fatalf("GET /api/v1/users = %d %s (%v)", status, body, err)
	}
	var emails []string
	for _, u := range list.Items {
		emails = append(emails, u.Email)
	}
	if got := strings.Join(emails, " "); got != "manufacturer@example.com member@example.com" {
		t.Errorf("listed emails = %q, want the manufacturer's two users", got)
	}
	if strings.Contains(body, "$argon2id$") || strings.Contains(body, "password") {
		t.Errorf("the listing holds password material: %s", body)
	}
	for _, tc := range []struct {
		name, auth string
		status     int
	}{
		{"member", w.apiToken(trustmark.OrgManufacturer, trustmark.RoleMember), 403},
		{"no token", "", 401},
	} {
		if status, body := w.apiCall(tc.auth, "GET", "/api/v1/users", ""); status != tc.status {
			t.Errorf("GET /api/v1/users as %s = %d %s, want %d", tc.name, status, body, tc.status)
		}
	}

	// Disabling: refused to others, then done by the admin.
	path := "/api/v1/users/" + member.ID + "/disable"
	for _, tc := range []struct {
		name, auth string
		status     int
	}{
		{"no token", "", 401},
		{"a member of the organization", w.apiToken(trustmark.OrgManufacturer, trustmark.RoleMember), 403},
		{"another organization's admin", w.apiToken(trustmark.OrgLab, trustmark.RoleAdmin), 404},
		{"the Lead Administrator's admin", w.apiToken(trustmark.OrgLeadAdministrator, trustmark.RoleAdmin), 404},
	} {
		if status, body := w.apiCall(tc.auth, "POST", path, ""); status != tc.status {
			t.Errorf("POST %s as %s = %d %s, want %d", path, tc.name, status, body, tc.status)
		}
	}
	if r := session.get("/portal/manufacturer/"); r.StatusCode != 200 {
		t.Fatalf("refused disables ended the member's session: %d", r.StatusCode)
	}
	if status, body := w.apiCall(admin, "POST", "/api/v1/users/usr_nope/disable", ""); status != 404 {
		t.Errorf("disabling an unknown user = %d %s, want 404", status, body)
	}
	if status, body := w.apiCall(admin, "POST", path, ""); status != http.StatusNoContent || body != "" {
		t.Fatalf("POST %s = %d %q, want 204", path, status, body)
	}
	// Its session ended; it cannot sign in; the listing says since when.
	if r := session.get("/portal/manufacturer/"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/portal/login") {
		t.Errorf("the disabled member's session still works: %d", r.StatusCode)
	}
	c := w.client()
	if r := c.submit("/portal/login", "/portal/login", url.Values{"email": {"member@example.com"}, "password": {portalPassword}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the disabled member signs in: %d", r.StatusCode)
	}
	_, body = w.apiCall(admin, "GET", "/api/v1/users", "")
	if !strings.Contains(body, `"disabled_at":"2026-03-02T09:00:00Z"`) {
		t.Errorf("the listing does not show the user disabled: %s", body)
	}
	// Again: nothing changes, still 204.
	if status, _ := w.apiCall(admin, "POST", path, ""); status != http.StatusNoContent {
		t.Errorf("disabling again = %d, want 204", status)
	}
}
