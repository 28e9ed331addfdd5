package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
	"trustmark/internal/storetest"
	"trustmark/internal/web"
)

// apiWorld is a real server behind httptest and the Lead Administrator's token.
type apiWorld struct {
	t   *testing.T
	url string
	la  string
	dir string // for input files
	set *criteria.Set
}

func newAPIWorld(t *testing.T) *apiWorld {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	prog := program.New(db, set, program.Config{})
	_, secret, err := prog.Init(ctx, trustmark.Organization{Name: "Test Lead Administrator", Contact: "https://lead.example.org/contact"}, "Lee Admin")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.NewServer(db, web.Config{BaseURL: "https://labels.example.org", Program: prog, Criteria: set})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &apiWorld{t: t, url: ts.URL, la: secret, dir: t.TempDir(), set: set}
}

// trustmark runs the command line with token in TRUSTMARK_TOKEN ("" for
// none) and returns its standard output and error.
func (w *apiWorld) trustmark(token, stdin string, args ...string) (string, error) {
	w.t.Helper()
	var out, errOut lockedBuffer
	env := map[string]string{"TRUSTMARK_URL": w.url, "TRUSTMARK_TOKEN": token}
	err := run(context.Background(), append([]string{"trustmark"}, args...), envOf(env), strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

// ok runs the command line, fails the test unless it succeeds, and returns
// its output.
func (w *apiWorld) ok(token string, args ...string) string {
	w.t.Helper()
	out, err := w.trustmark(token, "", args...)
	if err != nil {
		w.t.Fatalf("trustmark %s = %v", strings.Join(args, " "), err)
	}
	return out
}

// okJSON runs the command line with --json and decodes its output into v.
func (w *apiWorld) okJSON(token string, v any, args ...string) {
	w.t.Helper()
	out := w.ok(token, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		w.t.Fatalf("trustmark %s --json printed %q: %v", strings.Join(args, " "), out, err)
	}
}

// file writes v as JSON to a file and returns its path.
func (w *apiWorld) file(name string, v any) string {
	w.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		w.t.Fatal(err)
	}
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		w.t.Fatal(err)
	}
	return path
}

// createOrg runs "org create" as by and returns the organization's ID and token.
func (w *apiWorld) createOrg(by, kind, name string) (string, string) {
	w.t.Helper()
	var out struct {
		Organization trustmark.Organization `json:"organization"`
		Token        string                 `json:"token"`
	}
	w.okJSON(by, &out, "org", "create", "--kind", kind, "--name", name,
		"--contact", "https://"+strings.ToLower(strings.ReplaceAll(name, " ", "-"))+".example.com/contact", "--holder", "Owner of "+name)
	if out.Organization.ID == "" || !trustmark.LooksLikeToken(out.Token) {
		w.t.Fatalf("org create --kind %s = %+v", kind, out)
	}
	return out.Organization.ID, out.Token
}

// TestAPICommands files, tests and grants an application with the API
// commands, then reads the grant and the registry.
func TestAPICommands(t *testing.T) {
	w := newAPIWorld(t)
	claID, cla := w.createOrg(w.la, "cla", "Keystone CLA")
	labID, lab := w.createOrg(w.la, "lab", "Foundry Lab")
	_, mfr := w.createOrg(cla, "manufacturer", "Acme Devices")

	labFile := w.file("lab.json", map[string]any{
		"test_sites": []string{"Pittsburgh, PA"}, "mailing_address": "18 Foundry Rd, Pittsburgh, PA",
		"accreditation_body": "A2LA", "scope": []string{"nist-ir-8425"}, "accreditation_expires": "2040-12-31",
		"designation_number": "US1234", "frn": "0012345678"})
	if out := w.ok(w.la, "lab", "recognize", labID, "--file", labFile); !strings.Contains(out, "recognized") {
		t.Errorf("lab recognize printed %q, want the recognized status", out)
	}
	if out := w.ok("", "lab", "list"); !strings.Contains(out, "Foundry Lab") || !strings.Contains(out, "Keystone CLA") {
		t.Errorf("lab list printed %q, want the CLA and the lab", out)
	}

	// A product from standard input.
	out, err := w.trustmark(mfr, `{"name": "Acme Cam", "model_numbers": ["AC-100"], "class": "camera",
		"components": [{"kind": "device", "name": "Acme Cam"}]}`, "product", "create", "--file", "-", "--json")
	var prod trustmark.Product
	if err != nil || json.Unmarshal([]byte(out), &prod) != nil || prod.ID == "" {
		t.Fatalf("product create --file - = %q, %v", out, err)
	}

	appFile := w.file("app.json", map[string]any{"product_id": prod.ID, "cla_id": claID, "lab_id": labID,
		"disclosures": storetest.Disclosures("2040-06-30"),
		"us_agent": trustmark.USAgent{Name: "Agent LLC", Address: "1 K St NW, Washington, DC", Email: "agent@agent.example.com",
			Phone: "+1 202 555 0100", AttestedBy: "Pat Agent"}})
	var app trustmark.Application
	w.okJSON(mfr, &app, "app", "create", "--file", appFile)
	if out := w.ok(mfr, "app", "sign", app.ID, "--all"); !strings.Contains(out, "9 of 9 signed") {
		t.Errorf("app sign --all printed %q, want 9 of 9 signed", out)
	}
	if out := w.ok(mfr, "app", "submit", app.ID); !strings.Contains(out, "submitted") {
		t.Errorf("app submit printed %q, want submitted", out)
	}

	cat, err := w.set.Catalog(program.USCatalog)
	if err != nil {
		t.Fatal(err)
	}
	report := trustmark.TestReport{Catalog: program.USCatalog, SignerTitle: "Lead test engineer"}
	for _, req := range cat.Requirements {
		report.Results = append(report.Results, trustmark.ReportResult{Requirement: req.ID, Outcome: trustmark.OutcomePass})
	}
	w.ok(lab, "report", "attach", app.ID, "--file", w.file("report.json", report))
	if out := w.ok(cla, "report", "list", app.ID); !strings.Contains(out, "NIST IR 8425") {
		t.Errorf("report list printed %q, want the verdict's claims", out)
	}

	w.okJSON(cla, &app, "app", "decide", app.ID, "--outcome", "granted")
	label := string(app.Decision.LabelID)
	if app.State != trustmark.AppGranted || label == "" {
		t.Fatalf("app decide --outcome granted: %+v", app)
	}
	if out := w.ok("", "registry", "show", strings.ToLower(label)); !strings.Contains(out, "Acme Cam") || !strings.Contains(out, "active") {
		t.Errorf("registry show printed %q, want the product, active", out)
	}
	if out := w.ok("", "registry", "list", "--query", "Acme"); !strings.Contains(out, label) || !strings.Contains(out, "1 of 1 records") {
		t.Errorf("registry list printed %q, want the one record", out)
	}
	if out := w.ok(mfr, "grant", "show", label); !strings.Contains(out, "active") {
		t.Errorf("grant show printed %q, want active", out)
	}
	if out := w.ok("", "complaint", "file", label, "--text", "The camera streams video without a password."); !strings.Contains(out, "with_cla") {
		t.Errorf("complaint file printed %q, want it routed to the CLA", out)
	}
	if out := w.ok(cla, "grant", "status", label, "--to", "suspended", "--reason", "Complaint under investigation."); !strings.Contains(out, "suspended") {
		t.Errorf("grant status --to suspended printed %q", out)
	}

	// Tokens: one made, listed, revoked; the secret appears only when made.
	var tok struct {
		Token  trustmark.Token `json:"token"`
		Secret string          `json:"secret"`
	}
	w.okJSON(mfr, &tok, "token", "create", "--holder", "Vera Viewer", "--role", "viewer")
	if out := w.ok(mfr, "token", "list"); !strings.Contains(out, "Vera Viewer") || strings.Contains(out, tok.Secret) {
		t.Errorf("token list printed %q, want the holder and no secret", out)
	}
	w.ok(mfr, "token", "revoke", tok.Token.ID)
	if _, err := w.trustmark(tok.Secret, "", "app", "list"); err == nil || !strings.Contains(err.Error(), "unauthenticated") {
		t.Errorf("a revoked token's app list = %v, want unauthenticated", err)
	}
}

// TestAPICommandErrors checks exit codes and messages, and that the token
// is never printed.
func TestAPICommandErrors(t *testing.T) {
	w := newAPIWorld(t)
	_, cla := w.createOrg(w.la, "cla", "Keystone CLA")
	bogus := "tmk_" + strings.Repeat("q", 32)
	tests := []struct {
		name  string
		token string
		args  []string
		exit  int
		want  string // in the error
	}{
		{"unknown token", bogus, []string{"app", "list"}, 1, "unauthenticated"},
		{"no token", "", []string{"product", "list"}, 1, "set TRUSTMARK_TOKEN or --token"},
		{"token flag wins", "", []string{"app", "list", "--token", bogus}, 1, "unauthenticated"},
		{"forbidden", cla, []string{"lab", "recognize", "org_x", "--file", w.file("lab.json", map[string]any{})}, 1, "forbidden"},
		{"not found", cla, []string{"app", "show", "app_nope"}, 1, "not_found"},
		{"rule violation", w.la, []string{"org", "create", "--kind", "lead_administrator", "--name", "X", "--contact", "x@x.example.com", "--holder", "X"}, 1, "forbidden"},
		{"invalid input", cla, []string{"org", "create", "--kind", "manufacturer", "--name", "X", "--contact", "not a contact", "--holder", "X"}, 1, "contact"},
		{"missing flag", cla, []string{"app", "decide", "app_x"}, 2, "needs --outcome"},
		{"missing argument", cla, []string{"app", "submit"}, 2, "needs APP_ID"},
		{"extra argument", cla, []string{"token", "list", "extra"}, 2, "takes no arguments"},
		{"malformed label ID", "", []string{"registry", "show", "nope"}, 2, "label ID"},
		{"unknown verb", cla, []string{"app", "frobnicate"}, 2, "unknown app verb"},
		{"no verb", cla, []string{"grant"}, 2, "needs a verb"},
		{"sign needs a choice", cla, []string{"app", "sign", "app_x"}, 2, "--all or at least one --clause"},
		{"unknown field in the file", cla, []string{"product", "create", "--file", w.file("p.json", map[string]any{"nmae": "x"})}, 1, "unknown field"},
		{"bad URL", cla, []string{"app", "list", "--url", "ftp://example.org"}, 2, "--url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := w.trustmark(tt.token, "", tt.args...)
			if err == nil || exitCode(err) != tt.exit || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("trustmark %s = %v (exit %d), want exit %d and %q", strings.Join(tt.args, " "), err, exitCode(err), tt.exit, tt.want)
			}
			if strings.Contains(out+err.Error(), bogus) || cla != "" && strings.Contains(out+err.Error(), cla) {
				t.Errorf("trustmark %s printed its token", strings.Join(tt.args, " "))
			}
		})
	}

	// Help explains the flags and formats, and never shows the token.
	for _, args := range [][]string{{"help", "app"}, {"app", "create", "--help"}, {"report", "attach", "--help"}} {
		var out lockedBuffer
		env := envOf(map[string]string{"TRUSTMARK_TOKEN": cla})
		if err := run(context.Background(), append([]string{"trustmark"}, args...), env, nil, &out, &out); err != nil {
			t.Errorf("trustmark %s = %v, want nil", strings.Join(args, " "), err)
		}
		for _, want := range []string{"-url", "-token", "-json", "TRUSTMARK_URL", "TRUSTMARK_TOKEN", "http://127.0.0.1:8080"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("trustmark %s lacks %q", strings.Join(args, " "), want)
			}
		}
		if strings.Contains(out.String(), cla) {
			t.Errorf("trustmark %s printed the token from TRUSTMARK_TOKEN", strings.Join(args, " "))
		}
	}
}
