package web_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
	"trustmark/internal/sbom"
	"trustmark/internal/sqlite"
	"trustmark/internal/web"
)

// vulnWorld is a world whose program has a webhook key, with the program
// and the server at hand: advisories are imported through the program (as
// "trustmark vulns import" does) and webhook rounds run on demand.
type vulnWorld struct {
	*world
	prog *program.Program
	srv  *web.Server
	logs *lockedLog
}

// lockedLog collects the server's log lines.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newVulnWorld is newWorldOn with webhooks enabled; poll < 0 runs no
// deliverer (the test calls DeliverWebhooks).
func newVulnWorld(t *testing.T, db trustmark.Store, poll time.Duration) *vulnWorld {
	t.Helper()
	return newVulnWorldWith(t, db, poll, true)
}

// newVulnWorldWith is newVulnWorld; private lets webhooks reach loopback
// receivers (the default client dials only public addresses).
func newVulnWorldWith(t *testing.T, db trustmark.Store, poll time.Duration, private bool) *vulnWorld {
	t.Helper()
	ctx := context.Background()
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	tl := newTestLog(t, db)
	prog := program.New(db, set, program.Config{Now: clk.Now, Seed: func() uint64 { return 42 },
		WebhookKey: bytes.Repeat([]byte{7}, 32),
		Committed: func() {
			if err := tl.IntegrateAll(context.Background()); err != nil {
				t.Errorf("IntegrateAll() = %v", err)
			}
		}})
	_, laToken, err := prog.Init(ctx, trustmark.Organization{Name: "Test Lead Administrator", Contact: "https://lead.example.org/contact"}, "Lee Admin")
	if err != nil {
		t.Fatalf("Init() = %v", err)
	}
	logs := &lockedLog{}
	srv, err := web.NewServer(db, web.Config{BaseURL: "https://labels.example.org", Now: clk.Now, Program: prog, Criteria: set, Log: tl,
		WebhookPoll: poll, WebhookPrivate: private, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &vulnWorld{world: &world{t: t, url: ts.URL, clock: clk, set: set, la: laToken}, prog: prog, srv: srv, logs: logs}
}

// send makes a request with a raw body and returns the status and body.
func (w *vulnWorld) send(token, method, path string, body []byte) (int, []byte) {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, w.url+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// labeled files, tests and grants an application of mfr for a new
// product and returns the product's ID and label ID.
func (w *vulnWorld) labeled(mfr, cla, claID, lab, labID, name string) (string, trustmark.LabelID) {
	w.t.Helper()
	appID := w.application(mfr, claID, labID, name, "2030-06-30", nil, "")
	w.call(mfr, "POST", "/api/v1/applications/"+appID+"/submit", nil, 200, nil)
	w.call(lab, "POST", "/api/v1/applications/"+appID+"/reports", w.report(), 201, nil)
	var a trustmark.Application
	w.call(cla, "POST", "/api/v1/applications/"+appID+"/decision", map[string]string{"outcome": "granted"}, 200, &a)
	return a.ProductID, a.Decision.LabelID
}

func (w *vulnWorld) importOSV(rs ...[]byte) program.ImportResult {
	w.t.Helper()
	res, err := w.prog.ImportAdvisories(context.Background(), func(yield func(string, []byte) error) error {
		for i, r := range rs {
			if err := yield(fmt.Sprintf("r%d.json", i), r); err != nil {
				return err
			}
		}
		return nil
	}, nil)
	if err != nil {
		w.t.Fatalf("ImportAdvisories() = %v", err)
	}
	return res
}

// cdxSBOM is a CycloneDX 1.6 JSON SBOM with one nested component, listing
// each "name@version purl" given.
func cdxSBOM(components ...string) []byte {
	var cs []map[string]any
	for _, c := range components {
		nv, purl, _ := strings.Cut(c, " ")
		name, version, _ := strings.Cut(nv, "@")
		cs = append(cs, map[string]any{"type": "library", "name": name, "version": version, "purl": purl})
	}
	b, _ := json.Marshal(map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
		"metadata":   map[string]any{"component": map[string]any{"type": "firmware", "name": "cam-fw", "version": "3.1"}},
		"components": []map[string]any{{"type": "application", "name": "web-ui", "version": "3.1", "components": cs}}})
	return b
}

// osvJSON is an npm OSV record affecting name below fixed.
func osvJSON(id, alias, name, fixed string) []byte {
	b, _ := json.Marshal(map[string]any{"schema_version": "1.6.0", "id": id, "aliases": []string{alias}, "modified": "2026-02-01T00:00:00Z",
		"summary":  "Prototype pollution in " + name,
		"severity": []map[string]string{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"}},
		"affected": []map[string]any{{"package": map[string]string{"ecosystem": "npm", "name": name},
			"ranges": []map[string]any{{"type": "SEMVER", "events": []map[string]string{{"introduced": "0"}, {"fixed": fixed}}}}}}})
	return b
}

// hookReceiver is a webhook endpoint on the loopback interface that
// records what it receives; it answers status (200 unless set).
type hookReceiver struct {
	mu     sync.Mutex
	got    []hookCall
	status int
	srv    *httptest.Server
}

type hookCall struct {
	path   string
	header http.Header
	body   []byte
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{status: 200}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, hookCall{req.URL.Path, req.Header.Clone(), b})
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) take() []hookCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

// verifyHook checks a delivery's Standard Webhooks signature with the
// secret, computed here independently of the server's code.
func verifyHook(t *testing.T, secret string, c hookCall) bool {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatalf("secret %q is not whsec_ and base64: %v", secret, err)
	}
	id, ts := c.header.Get("Webhook-Id"), c.header.Get("Webhook-Timestamp")
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil || id == "" {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(c.body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(c.header.Get("Webhook-Signature")), []byte(want))
}

// hookType returns a delivery's event type and alert.
func hookType(t *testing.T, c hookCall) (string, trustmark.Alert) {
	t.Helper()
	var p struct {
		Type string          `json:"type"`
		Data trustmark.Alert `json:"data"`
	}
	if err := json.Unmarshal(c.body, &p); err != nil {
		t.Fatalf("webhook body %s: %v", c.body, err)
	}
	return p.Type, p.Data
}

// TestVulnerabilityMonitoring drives monitoring end to end through the
// API: a labeled product's SBOM, an advisory import that opens an alert
// with its fix version and support period, signed webhooks to the
// manufacturer and the CLA, VEX suppression with its author, a second
// import that re-matches only the product it concerns, and the CLA turning
// an alert into a finding that suspends the grant.
func TestVulnerabilityMonitoring(t *testing.T) {
	forEachStore(t, func(t *testing.T, db trustmark.Store) { testVulnerabilityMonitoring(t, newVulnWorld(t, db, -1)) })
}

func testVulnerabilityMonitoring(t *testing.T, w *vulnWorld) {
	_, reg := w.createOrg(trustmark.OrgRegulator, "Test Regulator")
	claID, cla := w.createOrg(trustmark.OrgCLA, "Keystone CLA")
	claBID, claB := w.createOrg(trustmark.OrgCLA, "Other CLA")
	labID, lab := w.createOrg(trustmark.OrgLab, "Foundry Lab")
	labBID, labB := w.createOrg(trustmark.OrgLab, "Other Lab")
	_, mfr := w.createOrg(trustmark.OrgManufacturer, "Acme Devices")
	_, m2 := w.createOrg(trustmark.OrgManufacturer, "Rival Devices")
	_, _ = claBID, labBID
	w.recognize(labID, "2027-12-31")
	w.recognize(labBID, "2027-12-31")
	cam, label := w.labeled(mfr, cla, claID, lab, labID, "Acme Cam")
	plug, plugLabel := w.labeled(mfr, cla, claID, lab, labID, "Acme Plug")

	// Webhooks of the manufacturer and the CLA, on a loopback receiver.
	rcv := newHookReceiver(t)
	var mh, ch struct {
		Webhook trustmark.Webhook `json:"webhook"`
		Secret  string            `json:"secret"`
	}
	w.call(mfr, "POST", "/api/v1/webhooks", map[string]string{"url": rcv.srv.URL + "/acme?token=receiver-own-token"}, 201, &mh)
	w.call(cla, "POST", "/api/v1/webhooks", map[string]string{"url": rcv.srv.URL + "/cla"}, 201, &ch)
	w.call(mfr, "POST", "/api/v1/webhooks", map[string]string{"url": "http://hooks.example.com/x"}, 400, nil)
	secrets := map[string]string{"/acme": mh.Secret, "/cla": ch.Secret}

	// Malformed and oversized SBOMs get a precise 4xx and store nothing.
	good := cdxSBOM("lodash@4.17.15 pkg:npm/lodash@4.17.15", "minimist@1.2.8 pkg:npm/minimist@1.2.8", "lodash@4.17.15 pkg:npm/lodash@4.17.15")
	for _, tc := range []struct {
		name, token, path string
		body              []byte
		want              int
		msg               string
	}{
		{"no version", mfr, "/api/v1/products/" + cam + "/sboms", good, 400, "version"},
		{"broken JSON", mfr, "/api/v1/products/" + cam + "/sboms?version=3.1", []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [`), 400, "cyclonedx-json"},
		{"not an SBOM", mfr, "/api/v1/products/" + cam + "/sboms?version=3.1", []byte(`{"name": "a cat picture"}`), 400, "not a CycloneDX or SPDX document"},
		{"empty", mfr, "/api/v1/products/" + cam + "/sboms?version=3.1", []byte{}, 400, "empty"},
		{"oversized", mfr, "/api/v1/products/" + cam + "/sboms?version=3.1", bytes.Repeat([]byte(" "), sbom.MaxSize+1), 413, "64 MiB"},
		{"anonymous", "", "/api/v1/products/" + cam + "/sboms?version=3.1", good, 401, "token"},
		{"the CLA", cla, "/api/v1/products/" + cam + "/sboms?version=3.1", good, 403, "manufacturer"},
		{"another manufacturer", m2, "/api/v1/products/" + cam + "/sboms?version=3.1", good, 404, "not found"},
	} {
		status, b := w.send(tc.token, "POST", tc.path, tc.body)
		if status != tc.want || !strings.Contains(string(b), tc.msg) {
			t.Errorf("upload (%s) = %d %.300s; want %d mentioning %q", tc.name, status, b, tc.want, tc.msg)
		}
	}
	var list struct{ Items []trustmark.SBOM }
	w.call(mfr, "GET", "/api/v1/products/"+cam+"/sboms", nil, 200, &list)
	if len(list.Items) != 0 {
		t.Fatalf("SBOMs after refused uploads = %d, want 0", len(list.Items))
	}

	// The SBOMs of both labeled products.
	status, b := w.send(mfr, "POST", "/api/v1/products/"+cam+"/sboms?version=3.1", good)
	var up struct {
		ID             string   `json:"id"`
		Format         string   `json:"format"`
		ComponentCount int      `json:"component_count"`
		Warnings       []string `json:"warnings"`
	}
	if status != 201 || json.Unmarshal(b, &up) != nil || up.ComponentCount != 3 || up.Format != "cyclonedx-json" || len(up.Warnings) == 0 {
		t.Fatalf("upload = %d %s; want 201 with 3 components (nested flattened, duplicate merged) and a warning", status, b)
	}
	if status, b := w.send(mfr, "POST", "/api/v1/products/"+plug+"/sboms?version=1.0", cdxSBOM("express@4.17.1 pkg:npm/express@4.17.1")); status != 201 {
		t.Fatalf("plug upload = %d %s", status, b)
	}

	// Who may read the SBOM: 404 for anyone who may not, so its existence does not leak.
	for _, tc := range []struct {
		who, token string
		want       int
	}{
		{"manufacturer", mfr, 200}, {"its CLA", cla, 200}, {"its lab", lab, 200}, {"regulator", reg, 200},
		{"Lead Administrator", w.la, 404}, {"other CLA", claB, 404}, {"other lab", labB, 404}, {"other manufacturer", m2, 404}, {"anonymous", "", 401},
	} {
		for _, path := range []string{"/api/v1/sboms/" + up.ID, "/api/v1/sboms/" + up.ID + "/document", "/api/v1/products/" + cam + "/sboms", "/api/v1/products/" + cam + "/vex"} {
			if status, b := w.send(tc.token, "GET", path, nil); status != tc.want {
				t.Errorf("GET %s as %s = %d %.200s, want %d", path, tc.who, status, b, tc.want)
			}
		}
	}
	status, doc := w.send(lab, "GET", "/api/v1/sboms/"+up.ID+"/document", nil)
	if status != 200 || !bytes.Equal(doc, good) {
		t.Errorf("document = %d, %d bytes; want the uploaded %d bytes", status, len(doc), len(good))
	}

	// Advisories: lodash is affected below 4.17.21.
	res := w.importOSV(osvJSON("GHSA-aaaa-bbbb-cccc", "CVE-2026-2001", "lodash", "4.17.21"))
	if res.New != 1 || res.SBOMsRematched != 1 || res.ComponentsRematched != 1 || res.AlertsOpened != 1 {
		t.Fatalf("import = %+v; want 1 new advisory, 1 component of 1 SBOM re-matched, 1 alert", res)
	}
	var alerts struct{ Items []trustmark.Alert }
	w.call(mfr, "GET", "/api/v1/alerts?state=open", nil, 200, &alerts)
	if len(alerts.Items) != 1 {
		t.Fatalf("manufacturer's open alerts = %+v, want 1", alerts.Items)
	}
	a := alerts.Items[0]
	if a.AdvisoryID != "GHSA-aaaa-bbbb-cccc" || a.Component.Name != "lodash" || a.FixedVersion != "4.17.21" || !a.SupportRunning ||
		a.LabelID != label || a.CLAID != claID || a.Severity != trustmark.SeverityCritical {
		t.Fatalf("alert = %+v", a)
	}
	for _, tc := range []struct {
		who, token string
		want, n    int
	}{{"CLA", cla, 200, 1}, {"regulator", reg, 200, 1}, {"Lead Administrator", w.la, 200, 1}, {"other CLA", claB, 200, 0}, {"other manufacturer", m2, 200, 0}, {"lab", lab, 403, 0}} {
		var got struct{ Items []trustmark.Alert }
		w.call(tc.token, "GET", "/api/v1/alerts", nil, tc.want, &got)
		if len(got.Items) != tc.n {
			t.Errorf("alerts as %s = %d, want %d", tc.who, len(got.Items), tc.n)
		}
	}
	w.call(claB, "GET", "/api/v1/alerts/"+a.ID, nil, 404, nil)
	w.call(cla, "GET", "/api/v1/alerts?state=bogus", nil, 400, nil)

	// The manufacturer's and the CLA's webhooks receive signed notifications.
	if n, err := w.srv.DeliverWebhooks(context.Background()); err != nil || n != 2 {
		t.Fatalf("DeliverWebhooks() = %d, %v; want 2", n, err)
	}
	calls := rcv.take()
	if len(calls) != 2 {
		t.Fatalf("receiver got %d deliveries, want 2", len(calls))
	}
	for _, c := range calls {
		if !verifyHook(t, secrets[c.path], c) {
			t.Errorf("delivery to %s: signature %q does not verify", c.path, c.header.Get("Webhook-Signature"))
		}
		if verifyHook(t, secrets[map[string]string{"/acme": "/cla", "/cla": "/acme"}[c.path]], c) {
			t.Errorf("delivery to %s verifies under the other webhook's secret", c.path)
		}
		if typ, alert := hookType(t, c); typ != "alert.opened" || alert.ID != a.ID || alert.FixedVersion != "4.17.21" {
			t.Errorf("delivery to %s = %s %+v", c.path, typ, alert)
		}
	}
	if n, _ := w.srv.DeliverWebhooks(context.Background()); n != 0 {
		t.Errorf("second round sent %d, want 0 (all delivered)", n)
	}

	// VEX: not_affected about the CVE alias suppresses it, with its author.
	vex, _ := json.Marshal(map[string]any{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://acme.example.com/vex/1",
		"author": "Acme PSIRT", "timestamp": "2026-03-02T08:00:00Z", "version": 1,
		"statements": []any{map[string]any{"vulnerability": map[string]string{"name": "CVE-2026-2001"},
			"products": []map[string]string{{"@id": "pkg:npm/lodash@4.17.15"}}, "status": "not_affected",
			"justification": "vulnerable_code_not_in_execute_path", "impact_statement": "The UI never merges user objects."}}})
	if status, b := w.send(cla, "POST", "/api/v1/products/"+cam+"/vex", vex); status != 403 {
		t.Errorf("VEX by the CLA = %d %s, want 403", status, b)
	}
	if status, b := w.send(mfr, "POST", "/api/v1/products/"+cam+"/vex", []byte(`{"@context": "https://openvex.dev/ns/v0.2.0", "statements": "no"}`)); status != 400 {
		t.Errorf("malformed VEX = %d %s, want 400", status, b)
	}
	if status, b := w.send(mfr, "POST", "/api/v1/products/"+cam+"/vex", vex); status != 201 {
		t.Fatalf("VEX = %d %s", status, b)
	}
	var got trustmark.Alert
	w.call(cla, "GET", "/api/v1/alerts/"+a.ID, nil, 200, &got)
	if got.State != trustmark.AlertSuppressed || !strings.Contains(got.StateReason, "Owner of Acme Devices (Acme Devices)") ||
		!strings.Contains(got.StateReason, "vulnerable_code_not_in_execute_path") {
		t.Fatalf("after VEX: %s %q; want suppressed, naming the justification and who said so", got.State, got.StateReason)
	}
	w.srv.DeliverWebhooks(context.Background())
	for _, c := range rcv.take() {
		if typ, _ := hookType(t, c); typ != "alert.suppressed" || !verifyHook(t, secrets[c.path], c) {
			t.Errorf("delivery after VEX = %s to %s, want a signed alert.suppressed", typ, c.path)
		}
	}

	// A second advisory, about express: only the plug is re-matched.
	res = w.importOSV(osvJSON("GHSA-eeee-ffff-gggg", "CVE-2026-2002", "express", "4.19.2"), osvJSON("GHSA-zzzz-zzzz-zzzz", "CVE-2026-2003", "left-pad", "1.3.0"))
	if res.New != 2 || res.SBOMsRematched != 1 || res.ComponentsRematched != 1 || res.AlertsOpened != 1 {
		t.Fatalf("second import = %+v; want only the plug's express re-matched, 1 alert", res)
	}
	w.call(mfr, "GET", "/api/v1/alerts?state=open&product="+plug, nil, 200, &alerts)
	if len(alerts.Items) != 1 || alerts.Items[0].LabelID != plugLabel {
		t.Fatalf("plug's open alerts = %+v", alerts.Items)
	}
	plugAlert := alerts.Items[0]

	// The CLA turns it into a finding: without this year's plan, 422; then
	// a failed sample suspends the grant with the 20-day cure period.
	w.call(cla, "POST", "/api/v1/alerts/"+plugAlert.ID+"/finding", map[string]string{"note": "Known critical flaw left unfixed."}, 422, nil)
	w.call(cla, "POST", "/api/v1/surveillance/plans", map[string]any{"year": 2026, "share": 0.05}, 201, nil)
	w.call(claB, "POST", "/api/v1/alerts/"+plugAlert.ID+"/finding", map[string]string{"note": "Not mine."}, 404, nil)
	w.call(mfr, "POST", "/api/v1/alerts/"+plugAlert.ID+"/finding", map[string]string{"note": "Not mine."}, 403, nil)
	w.call(cla, "POST", "/api/v1/alerts/"+plugAlert.ID+"/finding", map[string]string{"note": "Known critical flaw left unfixed."}, 200, &got)
	if got.State != trustmark.AlertFinding || got.SampleID == "" {
		t.Fatalf("finding = %+v", got)
	}
	var g program.GrantView
	w.call(mfr, "GET", "/api/v1/grants/"+string(plugLabel), nil, 200, &g)
	if g.Status != trustmark.GrantSuspended || g.CureDeadline == nil || g.CureDeadline.Sub(w.clock.Now()) != trustmark.CurePeriod {
		t.Errorf("grant after the finding = %s cure %v, want suspended for the 20-day cure period", g.Status, g.CureDeadline)
	}
	if st, _ := registryStatus(w.world, plugLabel); st != "suspended" {
		t.Errorf("registry status = %s, want suspended", st)
	}
	w.call(cla, "POST", "/api/v1/alerts/"+plugAlert.ID+"/finding", map[string]string{"note": "Again."}, 409, nil)

	// Webhooks: listing without secrets; another organization cannot delete.
	var hooks struct{ Items []json.RawMessage }
	w.call(mfr, "GET", "/api/v1/webhooks", nil, 200, &hooks)
	if len(hooks.Items) != 1 || bytes.Contains(hooks.Items[0], []byte("secret")) {
		t.Errorf("webhooks = %s", hooks.Items)
	}
	w.call(m2, "DELETE", "/api/v1/webhooks/"+mh.Webhook.ID, nil, 404, nil)
	w.call(mfr, "DELETE", "/api/v1/webhooks/"+mh.Webhook.ID, nil, 204, nil)
}

// TestWebhookDeliverer checks the server's own delivery loop: a failing
// receiver is retried later and logged without the secret or the URL's
// token, and the loop delivers on its own once the receiver recovers.
func TestWebhookDeliverer(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "wh.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := newVulnWorld(t, db, 10*time.Millisecond)
	claID, cla := w.createOrg(trustmark.OrgCLA, "Keystone CLA")
	labID, lab := w.createOrg(trustmark.OrgLab, "Foundry Lab")
	_, mfr := w.createOrg(trustmark.OrgManufacturer, "Acme Devices")
	w.recognize(labID, "2027-12-31")
	cam, _ := w.labeled(mfr, cla, claID, lab, labID, "Acme Cam")

	rcv := newHookReceiver(t)
	rcv.status = 503
	var mh struct{ Secret string }
	w.call(mfr, "POST", "/api/v1/webhooks", map[string]string{"url": rcv.srv.URL + "/hook?token=receiver-own-token"}, 201, &mh)
	if status, b := w.send(mfr, "POST", "/api/v1/products/"+cam+"/sboms?version=1", cdxSBOM("lodash@4.17.15 pkg:npm/lodash@4.17.15")); status != 201 {
		t.Fatalf("upload = %d %s", status, b)
	}
	w.importOSV(osvJSON("GHSA-aaaa-bbbb-cccc", "CVE-2026-2001", "lodash", "4.17.21"))

	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("a failed attempt to be logged", func() bool { return strings.Contains(w.logs.String(), "webhook delivery failed") })
	first := rcv.take()
	if len(first) != 1 {
		t.Fatalf("attempts before the retry is due = %d, want 1", len(first))
	}
	logs := w.logs.String()
	if strings.Contains(logs, strings.TrimPrefix(mh.Secret, "whsec_")) || strings.Contains(logs, "receiver-own-token") || !strings.Contains(logs, "HTTP 503") {
		t.Errorf("logs hold the secret or the URL's token, or not the failure:\n%s", logs)
	}
	// The retry waits 30 s of the program's clock; nothing is sent before.
	time.Sleep(50 * time.Millisecond)
	if n := len(rcv.take()); n != 0 {
		t.Fatalf("%d attempts before the retry was due", n)
	}
	rcv.mu.Lock()
	rcv.status = 204
	rcv.mu.Unlock()
	w.clock.Add(31 * time.Second)
	var second []hookCall
	waitFor("the retry", func() bool { second = append(second, rcv.take()...); return len(second) > 0 })
	if second[0].header.Get("Webhook-Id") != first[0].header.Get("Webhook-Id") || !verifyHook(t, mh.Secret, second[0]) {
		t.Errorf("retry id %q (first %q), signature verifies %v; want the same id, signed", second[0].header.Get("Webhook-Id"),
			first[0].header.Get("Webhook-Id"), verifyHook(t, mh.Secret, second[0]))
	}
	if err := w.srv.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestWebhookPublicAddressesOnly: by default the deliverer dials only
// public addresses, so a webhook URL on the loopback interface (or a name
// resolving to one) is never called; the failure is recorded and logged.
func TestWebhookPublicAddressesOnly(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "wh.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := newVulnWorldWith(t, db, -1, false)
	claID, cla := w.createOrg(trustmark.OrgCLA, "Keystone CLA")
	labID, lab := w.createOrg(trustmark.OrgLab, "Foundry Lab")
	_, mfr := w.createOrg(trustmark.OrgManufacturer, "Acme Devices")
	w.recognize(labID, "2027-12-31")
	cam, _ := w.labeled(mfr, cla, claID, lab, labID, "Acme Cam")
	rcv := newHookReceiver(t)
	w.call(mfr, "POST", "/api/v1/webhooks", map[string]string{"url": rcv.srv.URL + "/hook"}, 201, nil)
	if status, b := w.send(mfr, "POST", "/api/v1/products/"+cam+"/sboms?version=1", cdxSBOM("lodash@4.17.15 pkg:npm/lodash@4.17.15")); status != 201 {
		t.Fatalf("upload = %d %s", status, b)
	}
	w.importOSV(osvJSON("GHSA-aaaa-bbbb-cccc", "CVE-2026-2001", "lodash", "4.17.21"))
	n, err := w.srv.DeliverWebhooks(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("DeliverWebhooks() = %d, %v; want 1 attempt", n, err)
	}
	if got := rcv.take(); len(got) != 0 {
		t.Errorf("the loopback receiver was called %d times, want never", len(got))
	}
	if logs := w.logs.String(); !strings.Contains(logs, "is not a public address") {
		t.Errorf("the refused delivery is not logged with its reason:\n%s", logs)
	}
}
