package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
	"trustmark/internal/storetest"
	"trustmark/internal/web"
)

// osvFixture is an npm OSV record affecting name below fixed.
func osvFixture(id, name, fixed, modified string) []byte {
	b, _ := json.Marshal(map[string]any{"schema_version": "1.6.0", "id": id, "aliases": []string{"CVE-" + id}, "modified": modified,
		"summary":  "A flaw in " + name,
		"severity": []map[string]string{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		"affected": []map[string]any{{"package": map[string]string{"ecosystem": "npm", "name": name},
			"ranges": []map[string]any{{"type": "SEMVER", "events": []map[string]string{{"introduced": "0"}, {"fixed": fixed}}}}}}})
	return b
}

// sbomFixture is a CycloneDX JSON SBOM of the given "name@version purl" components.
func sbomFixture(components ...string) []byte {
	var cs []map[string]string
	for _, c := range components {
		nv, purl, _ := strings.Cut(c, " ")
		name, version, _ := strings.Cut(nv, "@")
		cs = append(cs, map[string]string{"type": "library", "name": name, "version": version, "purl": purl})
	}
	b, _ := json.Marshal(map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": cs})
	return b
}

// vexFixture is an OpenVEX document saying vuln does not affect purl.
func vexFixture(vuln, purl string) []byte {
	b, _ := json.Marshal(map[string]any{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://acme.example.com/vex/1",
		"author": "Acme PSIRT", "timestamp": "2026-03-01T00:00:00Z", "version": 1,
		"statements": []any{map[string]any{"vulnerability": map[string]string{"name": vuln}, "products": []map[string]string{{"@id": purl}},
			"status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}}})
	return b
}

func writeFile(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// cli runs the command line and returns its output, its error output and its error.
func cli(args ...string) (string, string, error) {
	var out, errOut lockedBuffer
	err := run(context.Background(), append([]string{"trustmark"}, args...), envOf(nil), strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestVulnsImportAndSBOMCheck imports OSV records from a directory and a
// zip, then checks an SBOM offline: exit 1 with findings, 0 once VEX
// suppresses them, 2 for bad input.
func TestVulnsImportAndSBOMCheck(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	osvDir := filepath.Join(dir, "osv")
	writeFile(t, filepath.Join(osvDir, "GHSA-1111.json"), osvFixture("GHSA-1111", "lodash", "4.17.21", "2026-01-01T00:00:00Z"))
	writeFile(t, filepath.Join(osvDir, "npm", "GHSA-2222.json"), osvFixture("GHSA-2222", "express", "4.19.2", "2026-01-01T00:00:00Z"))
	writeFile(t, filepath.Join(osvDir, "broken.json"), []byte(`{"id": "X", "modified": "yesterday"}`))

	out, errOut, err := cli("vulns", "import", osvDir, "--data", data, "--json")
	var res struct {
		program.ImportResult
		Seconds float64 `json:"seconds"`
	}
	if err != nil || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("vulns import DIR = %q, %v (stderr %q)", out, err, errOut)
	}
	if res.Read != 3 || res.New != 2 || res.Invalid != 1 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "broken.json") {
		t.Errorf("vulns import DIR = %+v; want 3 read, 2 new, broken.json named as invalid", res.ImportResult)
	}
	if !strings.Contains(errOut, "3/3 records (100%)") {
		t.Errorf("progress = %q, want 3/3 records (100%%)", errOut)
	}

	// A zip as OSV publishes them: one record already stored, one updated, one new.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, rec := range map[string][]byte{
		"GHSA-1111.json": osvFixture("GHSA-1111", "lodash", "4.17.21", "2026-01-01T00:00:00Z"),
		"GHSA-2222.json": osvFixture("GHSA-2222", "express", "4.20.0", "2026-02-01T00:00:00Z"),
		"GHSA-3333.json": osvFixture("GHSA-3333", "minimist", "1.2.6", "2026-01-01T00:00:00Z"),
	} {
		f, _ := zw.Create(name)
		f.Write(rec)
	}
	zw.Close()
	zipPath := writeFile(t, filepath.Join(dir, "all.zip"), zb.Bytes())
	out, _, err = cli("vulns", "import", zipPath, "--data", data, "--json")
	if err != nil || json.Unmarshal([]byte(out), &res) != nil || res.Read != 3 || res.New != 1 || res.Updated != 1 || res.Unchanged != 1 {
		t.Fatalf("vulns import ZIP = %q, %v; want 3 read: 1 new, 1 updated, 1 unchanged", out, err)
	}
	if out, _, err := cli("vulns", "import", zipPath, "--data", data); err != nil || !strings.Contains(out, "unchanged:") {
		t.Errorf("vulns import (text) = %q, %v", out, err)
	}

	sbomPath := writeFile(t, filepath.Join(dir, "fw.cdx.json"), sbomFixture("lodash@4.17.15 pkg:npm/lodash@4.17.15",
		"express@4.21.0 pkg:npm/express@4.21.0", "minimist@1.2.5 pkg:npm/minimist@1.2.5", "blob@ pkg:npm/blob"))
	out, _, err = cli("sbom", "check", sbomPath, "--data", data)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "2 findings") {
		t.Fatalf("sbom check = %v (exit %d), want exit 1 with 2 findings\n%s", err, exitCode(err), out)
	}
	for _, want := range []string{"GHSA-1111", "4.17.21", "GHSA-3333", "1.2.6", "Not checkable", "blob", "critical"} {
		if !strings.Contains(out, want) {
			t.Errorf("sbom check output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "GHSA-2222") {
		t.Errorf("sbom check reports express 4.21.0, which is past the fix:\n%s", out)
	}
	out, _, err = cli("sbom", "check", sbomPath, "--data", data, "--json")
	var j struct {
		Open     int `json:"open"`
		Findings []struct {
			AdvisoryID   string `json:"advisory_id"`
			FixedVersion string `json:"fixed_version"`
		} `json:"findings"`
		Unchecked []trustmark.SoftwareComponent `json:"unchecked"`
	}
	if exitCode(err) != 1 || json.Unmarshal([]byte(out), &j) != nil || j.Open != 2 || len(j.Findings) != 2 || len(j.Unchecked) != 1 {
		t.Errorf("sbom check --json = %q, %v", out, err)
	}

	// VEX about both findings: exit 0.
	vex := vexFixture("CVE-GHSA-1111", "pkg:npm/lodash@4.17.15")
	var stmts map[string]any
	json.Unmarshal(vex, &stmts)
	st := stmts["statements"].([]any)
	st = append(st, map[string]any{"vulnerability": map[string]string{"name": "GHSA-3333"}, "products": []map[string]string{{"@id": "pkg:npm/minimist@1.2.5"}}, "status": "fixed"})
	stmts["statements"] = st
	vex, _ = json.Marshal(stmts)
	vexPath := writeFile(t, filepath.Join(dir, "fw.openvex.json"), vex)
	out, _, err = cli("sbom", "check", sbomPath, "--vex", vexPath, "--data", data)
	if err != nil || !strings.Contains(out, "Suppressed by VEX") || !strings.Contains(out, "No finding remains") {
		t.Errorf("sbom check --vex = %v\n%s", err, out)
	}

	// Bad input: exit 2.
	bad := writeFile(t, filepath.Join(dir, "bad.json"), []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [`))
	for _, args := range [][]string{
		{"sbom", "check", bad, "--data", data},
		{"sbom", "check", filepath.Join(dir, "missing.json"), "--data", data},
		{"sbom", "check", sbomPath, "--vex", bad, "--data", data},
		{"sbom", "check", "--data", data},
		{"vulns", "import", filepath.Join(dir, "nowhere"), "--data", data},
		{"vulns", "frobnicate"},
	} {
		if _, _, err := cli(args...); exitCode(err) != 2 {
			t.Errorf("trustmark %s = %v (exit %d), want exit 2", strings.Join(args, " "), err, exitCode(err))
		}
	}

	// Generated fixtures import.
	gen := filepath.Join(dir, "gen")
	if out, _, err := cli("vulns", "generate", "--out", gen, "--count", "40", "--zip"); err != nil || !strings.Contains(out, "40") {
		t.Fatalf("vulns generate = %q, %v", out, err)
	}
	out, _, err = cli("vulns", "import", filepath.Join(gen, "osv.zip"), "--data", filepath.Join(dir, "data2"), "--json")
	if err != nil || json.Unmarshal([]byte(out), &res) != nil || res.New != 40 || res.Invalid != 0 {
		t.Errorf("import of generated records = %q, %v; want 40 new", out, err)
	}
}

// TestVulnAPICommands uploads an SBOM and VEX, reads alerts and creates a
// webhook with the API commands, against a server whose store "vulns
// import" also writes to.
func TestVulnAPICommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(data, "trustmark.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
	prog := program.New(db, set, program.Config{Now: now, WebhookKey: bytes.Repeat([]byte{1}, 32)})
	srv, err := web.NewServer(db, web.Config{BaseURL: "https://labels.example.org", Program: prog, Criteria: set, Now: now, WebhookPoll: -1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	// The parties and a labeled product, straight into the store.
	org := func(kind trustmark.OrgKind, name string) *trustmark.Organization {
		o := &trustmark.Organization{Kind: kind, Name: name, Contact: "https://" + strings.ToLower(strings.ReplaceAll(name, " ", "-")) + ".example.com"}
		if err := db.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	mfr, cla, lab := org(trustmark.OrgManufacturer, "Acme Devices"), org(trustmark.OrgCLA, "Keystone CLA"), org(trustmark.OrgLab, "Foundry Lab")
	token := func(o *trustmark.Organization) string {
		_, secret, err := prog.OperatorToken(ctx, o.ID, "Owner of "+o.Name, trustmark.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	mfrToken, claToken := token(mfr), token(cla)
	p := &trustmark.Product{ManufacturerID: mfr.ID, Name: "Acme Cam", ModelNumbers: []string{"AC-1"}, Class: trustmark.ClassCamera,
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: "Acme Cam"}}}
	if err := db.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	g := &trustmark.Grant{LabelID: trustmark.NewLabelID(), ProductID: p.ID, ManufacturerID: mfr.ID, CLAID: cla.ID, LabID: lab.ID,
		Status: trustmark.GrantActive, GrantedAt: now().Add(-time.Hour)}
	d := storetest.Disclosures("2030-12-31")
	d.SBOMHBOMMaintained.SBOMMaintained = false // the upload warns about it
	if err := db.IssueGrant(ctx, g, trustmark.NewRegistryRecord(g, p, mfr, cla, lab, d)); err != nil {
		t.Fatal(err)
	}

	as := func(tok string, args ...string) (string, error) {
		var out, errOut lockedBuffer
		env := envOf(map[string]string{"TRUSTMARK_URL": ts.URL, "TRUSTMARK_TOKEN": tok})
		err := run(ctx, append([]string{"trustmark"}, args...), env, strings.NewReader(""), &out, &errOut)
		return out.String(), err
	}
	dir := t.TempDir()
	sbomPath := writeFile(t, filepath.Join(dir, "fw.json"), sbomFixture("lodash@4.17.15 pkg:npm/lodash@4.17.15"))
	out, err := as(mfrToken, "sbom", "upload", sbomPath, "--product", p.ID, "--version", "1.0")
	if err != nil || !strings.Contains(out, "1 components") || !strings.Contains(out, "warning: the registry record") {
		t.Fatalf("sbom upload = %q, %v; want 1 component and the disclosure warning", out, err)
	}
	if _, err := as(claToken, "sbom", "upload", sbomPath, "--product", p.ID, "--version", "1.0"); err == nil || !strings.Contains(err.Error(), "forbidden") {
		t.Errorf("sbom upload by the CLA = %v, want forbidden", err)
	}
	if out, err := as(claToken, "sbom", "list", "--product", p.ID); err != nil || !strings.Contains(out, "cyclonedx-json") {
		t.Errorf("sbom list = %q, %v", out, err)
	}

	osvPath := writeFile(t, filepath.Join(dir, "osv", "GHSA-1111.json"), osvFixture("GHSA-1111", "lodash", "4.17.21", "2026-01-01T00:00:00Z"))
	if _, _, err := cli("vulns", "import", filepath.Dir(osvPath), "--data", data); err != nil {
		t.Fatalf("vulns import = %v", err)
	}
	var alerts struct{ Items []trustmark.Alert }
	out, err = as(claToken, "alerts", "list", "--state", "open", "--json")
	if err != nil || json.Unmarshal([]byte(out), &alerts) != nil || len(alerts.Items) != 1 || alerts.Items[0].FixedVersion != "4.17.21" {
		t.Fatalf("alerts list --json = %q, %v; want the lodash alert", out, err)
	}
	if out, err := as(mfrToken, "alerts", "list"); err != nil || !strings.Contains(out, "GHSA-1111") || !strings.Contains(out, "running") {
		t.Errorf("alerts list = %q, %v", out, err)
	}

	vexPath := writeFile(t, filepath.Join(dir, "fw.vex.json"), vexFixture("CVE-GHSA-1111", "pkg:npm/lodash@4.17.15"))
	if out, err := as(mfrToken, "vex", "upload", vexPath, "--product", p.ID); err != nil || !strings.Contains(out, "Stored 1 VEX statements") {
		t.Errorf("vex upload = %q, %v", out, err)
	}
	if out, err := as(claToken, "alerts", "show", alerts.Items[0].ID); err != nil || !strings.Contains(out, "suppressed") || !strings.Contains(out, "Owner of Acme Devices") {
		t.Errorf("alerts show after VEX = %q, %v; want suppressed, naming who said so", out, err)
	}

	out, err = as(mfrToken, "webhook", "create", "--endpoint", "https://hooks.acme.example.com/in")
	if err != nil || !strings.Contains(out, "whsec_") {
		t.Fatalf("webhook create = %q, %v", out, err)
	}
	secret := out[strings.Index(out, "whsec_"):]
	secret = strings.TrimSpace(secret)
	if out, err := as(mfrToken, "webhook", "list"); err != nil || !strings.Contains(out, "hooks.acme.example.com") || strings.Contains(out, secret) {
		t.Errorf("webhook list = %q, %v; want the URL and not the secret", out, err)
	}
	if _, err := as(mfrToken, "webhook", "create", "--endpoint", "http://hooks.acme.example.com/in"); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("webhook create with http = %v, want refused naming https", err)
	}
}
