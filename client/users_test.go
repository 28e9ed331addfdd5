package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"trustmark"
	"trustmark/client"
)

// formTokenRE finds the sign-in form's CSRF token.
var formTokenRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs in to the server's portal with the sign-in form, as a
// browser would, and returns the status of the form's answer: 303 on
// success, 401 for a wrong password or a disabled user.
func (w *world) signIn(email, password string) int {
	w.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		w.t.Fatal(err)
	}
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(w.url + "/portal/login")
	if err != nil {
		w.t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formTokenRE.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		w.t.Fatalf("GET /portal/login = %d without a form token:\n%s", resp.StatusCode, page)
	}
	resp, err = hc.PostForm(w.url+"/portal/login", url.Values{"csrf": {string(m[1])}, "email": {email}, "password": {password}})
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/portal/login") {
		w.t.Fatalf("signing in as %s sent back to %s", email, resp.Header.Get("Location"))
	}
	return resp.StatusCode
}

// emailsOf lists the users' emails in order, a "-" after disabled ones.
func emailsOf(list []trustmark.User) string {
	var out []string
	for _, u := range list {
		s := u.Email
		if u.DisabledAt != nil {
			s += "-"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// TestUsers adds portal users through the client, with a generated and a
// given password and, as the Lead Administrator, for another
// organization; lists them; disables one. Each password is tried on the
// portal's sign-in form.
func TestUsers(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	mfrID, mfr := w.org(w.la, trustmark.OrgManufacturer, "Acme Devices")
	labID, lab := w.org(w.la, trustmark.OrgLab, "Foundry Lab")

	// Without a password, the server generates one and answers it once.
	gen, password, err := mfr.CreateUser(ctx, client.UserInput{Email: " Gen@Acme.Example ", Name: "Gen Erated", Role: trustmark.RoleMember})
	if err != nil {
		t.Fatalf("CreateUser(no password) = %v", err)
	}
	if !strings.HasPrefix(gen.ID, "usr_") || gen.OrgID != mfrID || gen.Email != "gen@acme.example" || gen.Name != "Gen Erated" ||
		gen.Role != trustmark.RoleMember || gen.CreatedAt.IsZero() || gen.CreatedBy == "" || gen.DisabledAt != nil || gen.PasswordHash != "" {
		t.Errorf("CreateUser(no password) = %+v; want a member of %s with the lower-cased email, no hash", gen, mfrID)
	}
	if len(password) != 24 {
		t.Errorf("CreateUser(no password) password = %q, want 24 characters", password)
	}
	if got := w.signIn("gen@acme.example", password); got != http.StatusSeeOther {
		t.Errorf("signing in with the generated password = %d, want 303", got)
	}

	// A given password is not echoed back.
	const given = "a long passphrase of mine"
	giv, password, err := mfr.CreateUser(ctx, client.UserInput{Email: "giv@acme.example", Name: "Giv En", Role: trustmark.RoleViewer, Password: given})
	if err != nil || giv.Role != trustmark.RoleViewer || giv.OrgID != mfrID || password != "" {
		t.Fatalf("CreateUser(given password) = %+v, %q, %v; want a viewer and no password", giv, password, err)
	}
	if got := w.signIn("giv@acme.example", given); got != http.StatusSeeOther {
		t.Errorf("signing in with the given password = %d, want 303", got)
	}

	// The Lead Administrator's admin names another organization.
	labAdmin, _, err := w.la.CreateUser(ctx, client.UserInput{OrganizationID: labID, Email: "lab@foundry.example", Name: "La B", Role: trustmark.RoleAdmin, Password: given})
	if err != nil || labAdmin.OrgID != labID || labAdmin.Role != trustmark.RoleAdmin {
		t.Fatalf("Lead Administrator CreateUser(lab) = %+v, %v; want an admin of %s", labAdmin, err, labID)
	}

	// Each admin lists its own organization's users, by email.
	if list, err := mfr.Users(ctx); err != nil || emailsOf(list) != "gen@acme.example giv@acme.example" {
		t.Errorf("manufacturer Users() = %q, %v; want its two users", emailsOf(list), err)
	}
	if list, err := lab.Users(ctx); err != nil || emailsOf(list) != "lab@foundry.example" {
		t.Errorf("lab Users() = %q, %v; want its one user", emailsOf(list), err)
	}
	if list, err := w.la.Users(ctx); err != nil || len(list) != 0 {
		t.Errorf("Lead Administrator Users() = %q, %v; want none of its own", emailsOf(list), err)
	}

	// Disabling: the user can no longer sign in and is listed as disabled;
	// disabling again changes nothing.
	if err := mfr.DisableUser(ctx, gen.ID); err != nil {
		t.Fatalf("DisableUser(%s) = %v", gen.ID, err)
	}
	list, err := mfr.Users(ctx)
	if err != nil || emailsOf(list) != "gen@acme.example- giv@acme.example" {
		t.Fatalf("Users() after disabling = %q, %v; want gen@acme.example disabled", emailsOf(list), err)
	}
	disabledAt := *list[0].DisabledAt
	if got := w.signIn("gen@acme.example", "anything at all, really"); got != http.StatusUnauthorized {
		t.Errorf("signing in as the disabled user = %d, want 401", got)
	}
	if err := mfr.DisableUser(ctx, gen.ID); err != nil {
		t.Errorf("DisableUser(%s) again = %v, want nil", gen.ID, err)
	}
	if list, err := mfr.Users(ctx); err != nil || list[0].DisabledAt == nil || !list[0].DisabledAt.Equal(disabledAt) {
		t.Errorf("Users() after disabling again = %+v, %v; want disabled_at unchanged at %v", list, err, disabledAt)
	}
	if got := w.signIn("giv@acme.example", given); got != http.StatusSeeOther {
		t.Errorf("the other user signs in = %d, want 303", got)
	}
}

// TestUserErrors checks the refusals of the user calls as *client.Error
// with the right status, code and field.
func TestUserErrors(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	_, mfr := w.org(w.la, trustmark.OrgManufacturer, "Acme Devices")
	labID, lab := w.org(w.la, trustmark.OrgLab, "Foundry Lab")
	_, memberSecret, err := mfr.CreateToken(ctx, "Mo Member", trustmark.RoleMember)
	if err != nil {
		t.Fatalf("CreateToken(member) = %v", err)
	}
	member := w.client(memberSecret)
	anon := w.client("")
	taken, _, err := mfr.CreateUser(ctx, client.UserInput{Email: "taken@acme.example", Name: "Ta Ken", Role: trustmark.RoleMember})
	if err != nil {
		t.Fatalf("CreateUser(taken@acme.example) = %v", err)
	}
	labUser, _, err := lab.CreateUser(ctx, client.UserInput{Email: "lab@foundry.example", Name: "La B", Role: trustmark.RoleMember})
	if err != nil {
		t.Fatalf("CreateUser(lab@foundry.example) = %v", err)
	}
	create := func(c *client.Client, in client.UserInput) func() error {
		return func() error { _, _, err := c.CreateUser(ctx, in); return err }
	}
	someone := client.UserInput{Email: "someone@acme.example", Name: "Some One", Role: trustmark.RoleMember}
	withOrg := someone
	withOrg.OrganizationID = labID
	unknownOrg := someone
	unknownOrg.OrganizationID = "org_nope"
	shortPassword := someone
	shortPassword.Password = "short"
	badRole := someone
	badRole.Role = "owner"

	tests := []struct {
		name   string
		call   func() error
		status int
		code   string
		field  string
	}{
		{"duplicate email, other case", create(mfr, client.UserInput{Email: "Taken@Acme.Example", Name: "Dup Licate", Role: trustmark.RoleViewer}),
			409, client.CodeConflict, "email"},
		{"duplicate email, other organization", create(lab, client.UserInput{Email: "taken@acme.example", Name: "Dup Licate", Role: trustmark.RoleViewer}),
			409, client.CodeConflict, "email"},
		{"member creates", create(member, someone), 403, client.CodeForbidden, ""},
		{"member lists", func() error { _, err := member.Users(ctx); return err }, 403, client.CodeForbidden, ""},
		{"member disables", func() error { return member.DisableUser(ctx, taken.ID) }, 403, client.CodeForbidden, ""},
		{"admin names another organization", create(mfr, withOrg), 403, client.CodeForbidden, ""},
		{"Lead Administrator names an unknown organization", create(w.la, unknownOrg), 404, client.CodeNotFound, ""},
		{"admin disables another organization's user", func() error { return mfr.DisableUser(ctx, labUser.ID) }, 404, client.CodeNotFound, ""},
		{"unknown user", func() error { return mfr.DisableUser(ctx, "usr_nope") }, 404, client.CodeNotFound, ""},
		{"short password", create(mfr, shortPassword), 400, client.CodeInvalid, "password"},
		{"bad role", create(mfr, badRole), 400, client.CodeInvalid, "role"},
		{"no name", create(mfr, client.UserInput{Email: "nn@acme.example", Role: trustmark.RoleMember}), 400, client.CodeInvalid, "name"},
		{"no token", create(anon, someone), 401, client.CodeUnauthenticated, ""},
		{"empty ID refused locally", func() error { return mfr.DisableUser(ctx, " ") }, 0, client.CodeInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *client.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want a *client.Error", err, err)
			}
			if e.Status != tt.status || e.Code != tt.code || e.Field != tt.field || e.Message == "" {
				t.Errorf("err = %+v, want status %d, code %s, field %q and a message", e, tt.status, tt.code, tt.field)
			}
		})
	}

	// Nothing refused was written, and the refused disables left the
	// users alone.
	if list, err := mfr.Users(ctx); err != nil || emailsOf(list) != "taken@acme.example" {
		t.Errorf("manufacturer Users() after the refusals = %q, %v; want only taken@acme.example, active", emailsOf(list), err)
	}
	if list, err := lab.Users(ctx); err != nil || emailsOf(list) != "lab@foundry.example" {
		t.Errorf("lab Users() after the refusals = %q, %v; want only lab@foundry.example, active", emailsOf(list), err)
	}
}

// TestUserInputMatchesOpenAPI guards UserInput, the client's copy of the
// server's unexported request type: its JSON names must be the properties
// of the CreateUserRequest schema the server serves. (The server refuses
// unknown fields, so TestUsers also sends every field for real.)
func TestUserInputMatchesOpenAPI(t *testing.T) {
	w := newWorld(t)
	raw, err := w.client("").OpenAPI(context.Background())
	if err != nil {
		t.Fatalf("OpenAPI() = %v", err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	schema, ok := doc.Components.Schemas["CreateUserRequest"]
	if !ok {
		t.Fatal("the OpenAPI description has no CreateUserRequest schema")
	}
	var want []string
	for name := range schema.Properties {
		want = append(want, name)
	}
	var got []string
	for f := range reflect.TypeFor[client.UserInput]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		got = append(got, name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("client.UserInput's JSON names = %v, CreateUserRequest's properties = %v", got, want)
	}
}
