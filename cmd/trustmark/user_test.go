package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"trustmark"
	"trustmark/internal/demo"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
)

// runWithStdin runs one trustmark command in-process with stdin.
func runWithStdin(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut lockedBuffer
	err := run(context.Background(), append([]string{"trustmark"}, args...), envOf(nil), strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

// signIn opens the SQLite store in data and signs in with email and password.
func signIn(t *testing.T, data, email, password string) (*trustmark.Principal, error) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(data, "trustmark.db"))
	if err != nil {
		t.Fatalf("sqlite.Open() = %v", err)
	}
	defer db.Close()
	p := program.New(db, nil, program.Config{})
	secret, _, err := p.Login(ctx, email, password)
	if err != nil {
		return nil, err
	}
	pr, _, _, err := p.SessionPrincipal(ctx, secret)
	return pr, err
}

func TestUserAdd(t *testing.T) {
	data := t.TempDir()
	out, err := runCmd(t, nil, "admin", "init", "--data", data, "--json")
	var init struct {
		OrganizationID string `json:"organization_id"`
	}
	if err != nil || json.Unmarshal([]byte(out), &init) != nil {
		t.Fatalf("admin init = %v\n%s", err, out)
	}

	// A generated password, printed once.
	out, err = runCmd(t, nil, "user", "add", "--data", data, "--org", init.OrganizationID, "--email", " Ana@LA.example ",
		"--name", "Ana Ruiz", "--role", "admin", "--json")
	var got map[string]string
	if err != nil || json.Unmarshal([]byte(out), &got) != nil {
		t.Fatalf("user add --json = %v\n%s", err, out)
	}
	if got["email"] != "ana@la.example" || got["role"] != "admin" || got["organization_id"] != init.OrganizationID || !strings.HasPrefix(got["id"], "usr_") || len(got["password"]) != 24 {
		t.Errorf("user add --json = %v; want the lower-cased email, admin, the org, an ID and a 24-character password", got)
	}
	pr, err := signIn(t, data, "ana@la.example", got["password"])
	if err != nil || pr.Org.ID != init.OrganizationID || pr.Token.Role != trustmark.RoleAdmin {
		t.Errorf("sign in with the generated password = %+v, %v", pr, err)
	}

	// A password from stdin is not printed.
	const pw = "a password of my own choosing"
	out, err = runWithStdin(t, pw+"\r\n", "user", "add", "--data", data, "--org", init.OrganizationID, "--email", "bo@la.example",
		"--name", "Bo Lind", "--password-stdin")
	if err != nil || !strings.Contains(out, "Bo Lind <bo@la.example> (member) created") || strings.Contains(out, pw) || strings.Contains(out, "shown only now") {
		t.Errorf("user add --password-stdin = %v\n%s", err, out)
	}
	if pr, err := signIn(t, data, "bo@la.example", pw); err != nil || pr.Token.Role != trustmark.RoleMember {
		t.Errorf("sign in with the stdin password = %+v, %v", pr, err)
	}

	// Text output shows a generated password once.
	out, err = runCmd(t, nil, "user", "add", "--data", data, "--org", init.OrganizationID, "--email", "cy@la.example", "--name", "Cy", "--role", "viewer")
	if err != nil || !strings.Contains(out, "Their password, shown only now:") {
		t.Errorf("user add = %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if _, err := signIn(t, data, "cy@la.example", strings.TrimSpace(lines[len(lines)-1])); err != nil {
		t.Errorf("sign in with the printed password = %v", err)
	}

	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"no subcommand", "", []string{"user", "--data", data}, 2, "subcommand add"},
		{"unknown subcommand", "", []string{"user", "remove", "--data", data}, 2, "subcommand add"},
		{"missing flags", "", []string{"user", "add", "--data", data, "--org", init.OrganizationID}, 2, "--email, --name"},
		{"empty stdin", "", []string{"user", "add", "--data", data, "--org", init.OrganizationID, "--email", "d@la.example", "--name", "D", "--password-stdin"}, 2, "no password"},
		{"weak password", "hunter2\n", []string{"user", "add", "--data", data, "--org", init.OrganizationID, "--email", "d@la.example", "--name", "D", "--password-stdin"}, 1, "password: must be at least 12 characters"},
		{"email as password", "d@la.example\n", []string{"user", "add", "--data", data, "--org", init.OrganizationID, "--email", "d@la.example", "--name", "D", "--password-stdin"}, 1, "must not be your email"},
		{"duplicate email", "", []string{"user", "add", "--data", data, "--org", init.OrganizationID, "--email", "ANA@la.example", "--name", "Ana 2"}, 1, "already exists"},
		{"unknown org", "", []string{"user", "add", "--data", data, "--org", "org_missing", "--email", "e@la.example", "--name", "E"}, 1, "org_missing"},
		{"bad role", "", []string{"user", "add", "--data", data, "--org", init.OrganizationID, "--email", "f@la.example", "--name", "F", "--role", "root"}, 1, "role"},
		{"bad email", "", []string{"user", "add", "--data", data, "--org", init.OrganizationID, "--email", "not-an-email", "--name", "G"}, 1, "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runWithStdin(t, tt.stdin, tt.args...)
			if err == nil || exitCode(err) != tt.wantCode || !strings.Contains(err.Error()+out, tt.wantMsg) {
				t.Errorf("%v = %v (exit %d)\n%s\nwant exit %d and %q", tt.args, err, exitCode(err), out, tt.wantCode, tt.wantMsg)
			}
		})
	}
	// None of the failures stored a user.
	if _, err := signIn(t, data, "d@la.example", "d@la.example"); !trustmark.IsKind(err, trustmark.KindUnauthenticated) {
		t.Errorf("sign in as d@ = %v, want unauthenticated", err)
	}
}

func TestUserHelp(t *testing.T) {
	var out lockedBuffer
	err := run(context.Background(), []string{"trustmark", "help", "user"}, envOf(nil), strings.NewReader(""), &out, &out)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("help user = %v", err)
	}
	for _, want := range []string{"user add", "-password-stdin", "-org", "-email", "-name", "-role", "(default \"member\")", "-database-url", "shown", "Argon2id"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help user lacks %q:\n%s", want, out.String())
		}
	}
}

// TestDemoUsersSignIn checks that every demo user signs in with the
// published demo password and acts for its organization.
func TestDemoUsersSignIn(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(data, "trustmark.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatalf("demo.Load() = %v", err)
	}
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatalf("demo.Load(again) = %v", err)
	}
	db.Close()
	kinds := map[trustmark.OrgKind]bool{}
	for _, u := range demo.Users() {
		pr, err := signIn(t, data, u.Email, demo.Password)
		if err != nil || pr.Org.ID != u.OrgID || pr.Token.Role != trustmark.RoleAdmin {
			t.Errorf("sign in as %s = %+v, %v", u.Email, pr, err)
			continue
		}
		kinds[pr.Org.Kind] = true
	}
	if len(kinds) != len(trustmark.OrgKinds) {
		t.Errorf("demo users cover kinds %v, want all %v", kinds, trustmark.OrgKinds)
	}

	// README.md documents them.
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{"Portal sign-in (demo)", demo.Password}, emails(demo.Users())...) {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.md does not mention %q", want)
		}
	}
}

func emails(us []trustmark.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, "`"+u.Email+"`")
	}
	return out
}
