package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"trustmark"
	"trustmark/client"
	"trustmark/internal/labtest"
	"trustmark/internal/storetest"
)

// camera is a stand-in web interface on loopback: /admin behind HTTP Basic
// with admin/admin, served without TLS. (The real daemons are tested in
// internal/labtest; this test is about the command and the submission.)
func camera(t *testing.T) (host, port string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "admin" || p != "admin" {
			w.Header().Set("WWW-Authenticate", `Basic realm="camera"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Write([]byte("<html>Camera administration</html>"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("<html>IP camera <a href=/admin/>admin</a></html>"))
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	u, _ := url.Parse(ts.URL)
	return u.Hostname(), u.Port()
}

func TestProbeCommandRefusals(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"probe", "8.8.8.8"}, "public address"},
		{[]string{"probe", "10.0.0.0/24"}, "not a range"},
		{[]string{"probe"}, "needs a TARGET"},
		{[]string{"probe", "127.0.0.1", "127.0.0.2"}, "one target"},
		{[]string{"probe", "127.0.0.1", "--profile", "huge"}, "quick or full"},
		{[]string{"probe", "127.0.0.1", "--ports", "0-5"}, "1 to 65535"},
		{[]string{"probe", "127.0.0.1", "--submit"}, "--application"},
		{[]string{"probe", "127.0.0.1", "--submit", "--application", "app_x"}, "--review FILE"},
		{[]string{"probe", "127.0.0.1", "--login-concurrency", "8", "--ports", "1"}, "1 to 4"},
	}
	for _, tt := range tests {
		var out, errOut lockedBuffer
		err := run(context.Background(), append([]string{"trustmark"}, tt.args...), envOf(nil), strings.NewReader(""), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("trustmark %s = %v, want an error about %q", strings.Join(tt.args, " "), err, tt.want)
		}
	}
	var ue usageError
	err := run(context.Background(), []string{"trustmark", "probe", "8.8.8.8"}, envOf(nil), strings.NewReader(""), &lockedBuffer{}, &lockedBuffer{})
	if !errors.As(err, &ue) || exitCode(err) != 2 {
		t.Errorf("probe of a public address: exit code %d (%v), want 2", exitCode(err), err)
	}
}

// TestProbeCommandSubmit probes a loopback web interface, writes the
// report and a review, and submits the reviewed results as the lab: the
// server holds a report with the lab's outcomes and the probe report as
// evidence, byte for byte.
func TestProbeCommandSubmit(t *testing.T) {
	host, port := camera(t)
	w := newAPIWorld(t)
	claID, _ := w.createOrg(w.la, "cla", "Keystone CLA")
	labID, lab := w.createOrg(w.la, "lab", "Foundry Lab")
	_, mfr := w.createOrg(w.la, "manufacturer", "Acme Devices")
	w.ok(w.la, "lab", "recognize", labID, "--file", w.file("lab.json", map[string]any{
		"test_sites": []string{"Pittsburgh, PA"}, "mailing_address": "18 Foundry Rd, Pittsburgh, PA",
		"accreditation_body": "A2LA", "scope": []string{"nist-ir-8425"}, "accreditation_expires": "2040-12-31",
		"designation_number": "US1234", "frn": "0012345678"}))
	var prod trustmark.Product
	w.okJSON(mfr, &prod, "product", "create", "--file", w.file("p.json", map[string]any{"name": "Acme Cam", "model_numbers": []string{"AC-100"},
		"class": "camera", "components": []map[string]string{{"kind": "device", "name": "Acme Cam"}}}))
	var app trustmark.Application
	w.okJSON(mfr, &app, "app", "create", "--file", w.file("app.json", map[string]any{"product_id": prod.ID, "cla_id": claID, "lab_id": labID,
		"disclosures": storetest.Disclosures("2040-06-30"),
		"us_agent": trustmark.USAgent{Name: "Agent LLC", Address: "1 K St NW, Washington, DC", Email: "agent@agent.example.com",
			Phone: "+1 202 555 0100", AttestedBy: "Pat Agent"}}))

	dir := t.TempDir()
	reportPath, reviewPath := filepath.Join(dir, "probe.json"), filepath.Join(dir, "review.json")
	out := w.ok(lab, "probe", host, "--ports", port, "--no-udp", "--out", reportPath, "--review-out", reviewPath, "--banner-wait", "300ms")
	for _, want := range []string{"tcp/" + port, "http", "FAIL", `username "admin", password "admin"`, "nist-ir-8425", "4a"} {
		if !strings.Contains(out, want) {
			t.Errorf("probe summary lacks %q:\n%s", want, out)
		}
	}
	reportJSON, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep labtest.Report
	if err := json.Unmarshal(reportJSON, &rep); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, f := range rep.Failed() {
		kinds[f.Kind] = true
		if f.Kind == "default-credentials" && (f.Username == nil || *f.Username != "admin" || *f.Password != "admin") {
			t.Errorf("credential finding %+v, want admin/admin", f)
		}
	}
	for _, k := range []string{"default-credentials", "cleartext-service", "cleartext-credentials"} {
		if !kinds[k] {
			t.Errorf("no failing %s finding; findings: %+v", k, rep.Findings)
		}
	}
	if log, err := os.ReadFile(reportPath + ".log"); err != nil || strings.Count(string(log), `"msg":"probe attempt"`) != len(rep.Observations) {
		t.Errorf("attempt log: %d records (%v), want one per observation (%d)", strings.Count(string(log), `"msg":"probe attempt"`), err, len(rep.Observations))
	}

	// --declared: an open port the manufacturer did not declare is a
	// finding (EN 303 645 5.6-1).
	var declared labtest.Report
	w.okJSON(lab, &declared, "probe", host, "--ports", port, "--no-udp", "--no-login", "--declared", "443", "--banner-wait", "300ms", "--quiet")
	if !slices.ContainsFunc(declared.Findings, func(f labtest.Finding) bool {
		return f.Kind == "undeclared-service" && f.Verdict == "fail" && strconv.Itoa(f.Port) == port
	}) {
		t.Errorf("--declared 443: no undeclared-service finding for port %s: %+v", port, declared.Findings)
	}

	// Undecided: the submission is refused, nothing is attached.
	if _, err := w.trustmark(lab, "", "probe", "--report", reportPath, "--submit", "--application", app.ID, "--review", reviewPath); !errors.Is(err, labtest.ErrUndecided) {
		t.Errorf("submitting an undecided review = %v, want ErrUndecided", err)
	}

	// The lab confirms 4a and overrides 3c with a reason.
	var rv labtest.Review
	b, _ := os.ReadFile(reviewPath)
	if err := json.Unmarshal(b, &rv); err != nil {
		t.Fatal(err)
	}
	for i := range rv.Results {
		switch rv.Results[i].Requirement {
		case "3c":
			rv.Results[i].Decision, rv.Results[i].Outcome, rv.Results[i].Reason = "override", "not_tested", "Cleartext is judged on the production firmware, tested separately."
		default:
			rv.Results[i].Decision = "confirm"
		}
	}
	b, _ = json.Marshal(rv)
	os.WriteFile(reviewPath, b, 0o600)
	out = w.ok(lab, "probe", "--report", reportPath, "--submit", "--application", app.ID, "--review", reviewPath)
	if !strings.Contains(out, "attached report") {
		t.Errorf("submit printed %q", out)
	}

	c, err := client.New(w.url, lab)
	if err != nil {
		t.Fatal(err)
	}
	reports, err := c.Reports(context.Background(), app.ID)
	if err != nil || len(reports.Items) != 1 {
		t.Fatalf("Reports = %+v, %v; want the one report", reports, err)
	}
	got := reports.Items[0]
	outcomes := map[string]trustmark.Outcome{}
	for _, r := range got.Results {
		outcomes[r.Requirement] = r.Outcome
	}
	if outcomes["4a"] != trustmark.OutcomeFail || outcomes["3c"] != trustmark.OutcomeNotTested {
		t.Errorf("attached outcomes = %v, want 4a fail (confirmed) and 3c not_tested (overridden)", outcomes)
	}
	sum := sha256.Sum256(reportJSON)
	ev := got.Results[0].Evidence[0]
	if ev.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("evidence SHA-256 = %s, want the report file's %x", ev.SHA256, sum)
	}
	content, err := c.Evidence(context.Background(), app.ID, ev.ID)
	if err != nil || string(content.Content) != string(reportJSON) {
		t.Errorf("Evidence(%s) = %d bytes, %v; want the report file", ev.ID, len(content.Content), err)
	}

	// A second submission confirms everything and carries nothing over
	// that the probe covers.
	out = w.ok(lab, "probe", "--report", reportPath, "--submit", "--application", app.ID, "--confirm-all", "--json")
	var second trustmark.TestReport
	if err := json.Unmarshal([]byte(out), &second); err != nil || len(second.Results) != len(got.Results) {
		t.Errorf("second submission = %q, %v; want %d results", out, err, len(got.Results))
	}
}
