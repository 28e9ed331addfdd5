package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"trustmark/internal/demo"
	"trustmark/internal/postgres/pgtest"
	"trustmark/internal/tlog"
)

// Everything that works on SQLite works on PostgreSQL: migrate, serve with
// the demo data, proofs, log fsck, admin tokens and generate, with the URL
// as a flag or in TRUSTMARK_DATABASE_URL.
func TestServePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"TRUSTMARK_DATABASE_URL": dsn, "TRUSTMARK_DATA": data}

	// A new database must be migrated first: serve refuses it.
	if _, err := runCmd(t, env, "serve", "--addr", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "trustmark migrate") {
		t.Fatalf("serve on an empty schema = %v, want a refusal naming trustmark migrate", err)
	}
	if out, err := runCmd(t, env, "migrate", "--check"); err == nil || !strings.Contains(out, "pending") {
		t.Errorf("migrate --check on an empty schema = %q, %v; want pending and an error", out, err)
	}
	out, err := runCmd(t, nil, "migrate", "--database-url", dsn, "--json")
	var res struct {
		From, To int
		Applied  []string
	}
	if err != nil || json.Unmarshal([]byte(out), &res) != nil || res.From != 0 || res.To < 1 || len(res.Applied) != res.To {
		t.Fatalf("migrate = %q, %v", out, err)
	}
	if strings.Contains(out, "postgres@") && strings.Contains(dsn, ":@") {
		t.Errorf("migrate printed a password: %s", out)
	}
	if out, err := runCmd(t, env, "migrate", "--check"); err != nil || !strings.Contains(out, "current") {
		t.Errorf("migrate --check after migrating = %q, %v; want current", out, err)
	}

	base, stop, logs := startServe(t, []string{"--addr", "127.0.0.1:0", "--demo"}, env)
	id := string(demo.LabelID("kidview"))
	if code, body, _ := get(t, base+"/api/v1/registry/"+id); code != 200 || !strings.Contains(body, `"terminated"`) {
		t.Fatalf("GET registry record on PostgreSQL = %d %s", code, body)
	}
	code, proof, _ := get(t, base+"/api/v1/registry/"+id+"/proof")
	if code != 200 {
		t.Fatalf("GET proof = %d %s", code, proof)
	}
	_, key, _ := get(t, base+"/api/v1/log/key")
	p, err := tlog.ParseProof([]byte(proof))
	if err != nil {
		t.Fatalf("ParseProof() = %v", err)
	}
	_, entries, _ := get(t, base+"/api/v1/registry/"+id+"/history")
	if !strings.Contains(entries, "terminated") {
		t.Errorf("history lacks the termination: %s", entries)
	}
	if _, err := tlog.VerifyProof(p, p.Extra, strings.TrimSpace(key)); err != nil {
		t.Errorf("VerifyProof() = %v", err)
	}
	if code, body, _ := get(t, base+"/api/v1/registry?q=camera&limit=200"); code != 200 || !strings.Contains(body, `"total":`) {
		t.Errorf("registry search = %d %s", code, body)
	}
	if err := stop(); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if !strings.Contains(logs.String(), "new_grants=14") {
		t.Errorf("demo did not load 14 grants:\n%s", logs)
	}

	// A second --demo load adds nothing.
	_, stop, logs = startServe(t, []string{"--addr", "127.0.0.1:0", "--demo"}, env)
	stop()
	if !strings.Contains(logs.String(), "new_grants=0") {
		t.Errorf("second --demo load on PostgreSQL was not idempotent:\n%s", logs)
	}

	if out, err := runCmd(t, env, "log", "fsck"); err != nil || !strings.Contains(out, "is sound") {
		t.Errorf("log fsck = %q, %v", out, err)
	}
	if out, err := runCmd(t, env, "export", "--out", t.TempDir(), "--base-url", "https://labels.example.org", "--wait", "0", "--json"); err != nil || !strings.Contains(out, `"labels": 14`) {
		t.Errorf("export = %q, %v; want the 14 demo labels", out, err)
	}
	if out, err := runCmd(t, env, "admin", "token", "--org", "org_demo_northwind", "--json"); err != nil || !strings.Contains(out, `"token"`) {
		t.Errorf("admin token = %q, %v", out, err)
	}
	if _, err := runCmd(t, env, "generate", "--records", "30", "--batch", "7", "--start", "1000"); err != nil {
		t.Errorf("generate = %v", err)
	}

	// A server with another log key is refused: one log, one key.
	other := map[string]string{"TRUSTMARK_DATABASE_URL": dsn, "TRUSTMARK_DATA": t.TempDir()}
	if _, err := runCmd(t, other, "serve", "--addr", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "same key") {
		t.Errorf("serve with another log key = %v, want a refusal", err)
	}
}

// --migrate lets a server start on an empty schema.
func TestServeMigrateFlag(t *testing.T) {
	dsn := pgtest.DSN(t)
	base, stop, _ := startServe(t, []string{"--addr", "127.0.0.1:0", "--migrate", "--database-url", dsn, "--data", t.TempDir()}, nil)
	if code, _, _ := get(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	stop()
}
