package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/demo"
	"trustmark/internal/tlog"
)

// runCmd runs one trustmark command in-process and returns its output and error.
func runCmd(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut lockedBuffer
	err := run(context.Background(), append([]string{"trustmark"}, args...), envOf(env), strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestVerifyAndLogCommands(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	base, stop, _ := startServe(t, []string{"--addr", "127.0.0.1:0", "--demo", "--data", data, "--rate-limit", "0"}, nil)
	state := filepath.Join(t.TempDir(), "state")
	cam := string(demo.LabelID("halo-cam-2k"))

	// Wait until the demo's events are integrated (the log runs in the background).
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if code, _, _ := get(t, base+"/api/v1/registry/"+cam+"/proof"); code == 200 {
			break
		}
	}
	out, err := runCmd(t, nil, "verify", base+"/p/"+cam, "--state", state)
	if err != nil || !strings.Contains(out, "verified in the public log") || !strings.Contains(out, "trusting the log key") {
		t.Fatalf("verify URL = %v\n%s", err, out)
	}
	out, err = runCmd(t, map[string]string{"TRUSTMARK_URL": base}, "verify", strings.ToLower(cam), "--state", state, "--json")
	var res verifyResult
	if err != nil || json.Unmarshal([]byte(out), &res) != nil || res.Index < 0 || res.ConsistentWith == 0 || res.Status != trustmark.GrantActive {
		t.Fatalf("verify --json = %v\n%s", err, out)
	}

	// The manufacturer extends support: the next verify demands consistency
	// with the checkpoint remembered and sees the new event.
	tokOut, err := runCmd(t, nil, "admin", "token", "--data", data, "--org", "org_demo_northwind", "--holder", "Test Maker", "--json")
	if err != nil {
		t.Fatalf("admin token = %v %s", err, tokOut)
	}
	var tok struct{ Token string }
	json.Unmarshal([]byte(tokOut), &tok)
	_, recJSON, _ := get(t, base+"/api/v1/registry/"+cam)
	var rec trustmark.RegistryRecord
	json.Unmarshal([]byte(recJSON), &rec)
	d := rec.Disclosures
	d.SupportDate = "2033-12-31"
	body, _ := json.Marshal(d)
	req, _ := http.NewRequest("PUT", base+"/api/v1/grants/"+cam+"/disclosures", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("extend support = %v %s", err, b)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, err = runCmd(t, nil, "verify", base+"/p/"+cam, "--state", state)
		if err == nil {
			break
		}
	}
	if err != nil || !strings.Contains(out, "support until 2033-12-31") || !strings.Contains(out, "only grew since") {
		t.Fatalf("verify after the change = %v\n%s", err, out)
	}

	// Offline: a saved proof and record verify without the server; a
	// changed record, another key or a tampered proof do not.
	_, proof, _ := get(t, base+"/api/v1/registry/"+cam+"/proof")
	_, recNow, _ := get(t, base+"/api/v1/registry/"+cam)
	_, key, _ := get(t, base+"/api/v1/log/key")
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	proofFile := write("label.tlog-proof", proof)
	keyFile := write("log.key", key)
	goodRec := write("record.json", recNow)
	badRec := write("changed.json", strings.Replace(recNow, `"support_date":"2033-12-31"`, `"support_date":"2034-12-31"`, 1))
	_, otherKey, _ := tlog.GenerateKey(strings.SplitN(strings.TrimSpace(key), "+", 2)[0])
	tampered := write("tampered.tlog-proof", strings.Replace(proof, "index ", "index 1", 1))
	stop()

	cases := []struct {
		name string
		args []string
		want string // in the output or error
		code int
	}{
		{"offline proof", []string{"verify", "--offline", proofFile, "--key", keyFile}, "verified offline", 0},
		{"offline with record", []string{"verify", "--offline", proofFile, "--key", keyFile, "--record", goodRec}, "2033-12-31", 0},
		{"changed record", []string{"verify", "--offline", proofFile, "--key", keyFile, "--record", badRec}, "not the one the log holds", 1},
		{"other key", []string{"verify", "--offline", proofFile, "--key", otherKey}, "signature", 1},
		{"tampered proof", []string{"verify", "--offline", tampered, "--key", keyFile}, "verification failed", 1},
		{"offline without key", []string{"verify", "--offline", proofFile}, "needs --key", 2},
		{"server gone", []string{"verify", base + "/p/" + cam}, "connect", 3},
		{"not a label", []string{"verify", "https://example.com/q/abc"}, "not a label URL", 2},
		{"fsck", []string{"log", "fsck", "--data", data}, "is sound", 0},
	}
	for _, c := range cases {
		out, err := runCmd(t, nil, c.args...)
		code := 0
		if err != nil {
			code = exitCode(err)
			out += err.Error()
		}
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, output %q; want exit %d mentioning %q", c.name, code, out, c.code, c.want)
		}
	}
	if _, err := runCmd(t, nil, "verify", "--offline", tampered, "--key", keyFile); !errors.Is(err, tlog.ErrVerify) {
		t.Errorf("tampered proof error = %v, want tlog.ErrVerify", err)
	}
}

func TestLogMonitor(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	base, stop, _ := startServe(t, []string{"--addr", "127.0.0.1:0", "--demo", "--data", data, "--rate-limit", "0"}, nil)
	defer stop()
	state := t.TempDir()
	for range 100 {
		if out, _ := runCmd(t, nil, "log", "monitor", "--url", base, "--once", "--state", state); strings.Contains(out, "from checkpoint size 17") {
			break
		}
	}
	tokOut, _ := runCmd(t, nil, "admin", "token", "--data", data, "--org", "org_demo_meridian", "--holder", "CLA person", "--json")
	var tok struct{ Token string }
	json.Unmarshal([]byte(tokOut), &tok)
	lock := string(demo.LabelID("sentry-lock"))
	req, _ := http.NewRequest("POST", base+"/api/v1/grants/"+lock+"/status", strings.NewReader(`{"status":"suspended","reason":"complaint under investigation"}`))
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("suspend = %v %v", resp.StatusCode, err)
	}
	var out string
	for range 100 {
		out, _ = runCmd(t, nil, "log", "monitor", "--url", base, "--once", "--state", state)
		if strings.Contains(out, lock) {
			break
		}
	}
	if !strings.Contains(out, lock+" status→suspended") || !strings.Contains(out, "consistent with 17") {
		t.Errorf("monitor output lacks the suspension or the consistency check:\n%s", out)
	}
}
