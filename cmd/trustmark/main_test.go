package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"trustmark/internal/demo"
)

// lockedBuffer is a concurrency-safe output sink for run.
type lockedBuffer struct {
	mu sync.Mutex
	sb strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.String()
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// startServe runs "trustmark serve" on port 0 and returns its base address
// and a function that stops it and returns run's error.
func startServe(t *testing.T, args []string, env map[string]string) (string, func() error, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"trustmark", "serve"}, args...), envOf(env), strings.NewReader(""), pw, stderr)
		pw.Close()
		done <- err
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		re := regexp.MustCompile(`serving on (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	var base string
	select {
	case base = <-addr:
	case err := <-done:
		t.Fatalf("serve exited early: %v\n%s", err, stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start\n%s", stderr)
	}
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not shut down")
			return nil
		}
	}
	t.Cleanup(func() { cancel() })
	return base, stop, stderr
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestServeEndToEnd(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	base, stop, logs := startServe(t, []string{"--addr", "127.0.0.1:0", "--demo"}, map[string]string{"TRUSTMARK_DATA": data})

	if code, body, _ := get(t, base+"/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("/healthz = %d %s", code, body)
	}
	id := string(demo.LabelID("kidview"))
	code, body, hdr := get(t, base+"/api/v1/registry/"+id)
	if code != 200 || hdr.Get("ETag") == "" {
		t.Fatalf("GET registry record = %d", code)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["status"] != "terminated" || rec["QR_code_url"] != base+"/p/"+id {
		t.Errorf("record status %v, QR_code_url %v; want terminated, %s/p/%s", rec["status"], rec["QR_code_url"], base, id)
	}
	if code, body, _ := get(t, base+"/p/"+id); code != 200 || !strings.Contains(body, "Authorization terminated") {
		t.Errorf("GET /p/%s = %d, lacks the terminated status", id, code)
	}
	// A request line over the header limit is refused by the server, not crashed on.
	if code, _, _ := get(t, base+"/api/v1/registry?q="+strings.Repeat("a", 100_000)); code != 431 && code != 400 {
		t.Errorf("oversize request = %d, want 431 or 400", code)
	}
	if err := stop(); err != nil {
		t.Errorf("graceful shutdown: run returned %v", err)
	}
	if !strings.Contains(logs.String(), "msg=request") || !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("logs lack request lines or the shutdown message:\n%s", logs)
	}

	// Loading the demo again adds nothing and keeps the same records.
	base, stop, logs = startServe(t, []string{"--demo", "--data", data}, map[string]string{"TRUSTMARK_ADDR": "127.0.0.1:0", "TRUSTMARK_BASE_URL": "https://labels.example.org/"})
	if !strings.Contains(logs.String(), "new_grants=0") {
		t.Errorf("second --demo load was not idempotent:\n%s", logs)
	}
	code, body, _ = get(t, base+"/api/v1/registry?limit=200")
	var page struct {
		Total int `json:"total"`
		Items []struct {
			QR string `json:"QR_code_url"`
		} `json:"items"`
	}
	json.Unmarshal([]byte(body), &page)
	if code != 200 || page.Total != len(demo.Keys()) || !strings.HasPrefix(page.Items[0].QR, "https://labels.example.org/p/") {
		t.Errorf("after reload: %d, total %d, QR %v; want %d records with the configured base URL", code, page.Total, page.Items, len(demo.Keys()))
	}
	stop()
}

func TestServeFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--no-such-flag"}, nil, "flag provided but not defined"},
		{[]string{"--base-url", "labels.example.org"}, nil, "must start with http"},
		{[]string{"extra"}, nil, "unexpected argument"},
		{nil, map[string]string{"TRUSTMARK_DEMO": "maybe"}, "TRUSTMARK_DEMO"},
		{nil, map[string]string{"TRUSTMARK_RATE_LIMIT": "-1"}, "TRUSTMARK_RATE_LIMIT"},
		{[]string{"--log-level", "loud"}, nil, "--log-level"},
		{[]string{"--addr", "256.0.0.1:99999"}, nil, "listen"},
	}
	for _, tt := range tests {
		env := map[string]string{"TRUSTMARK_DATA": t.TempDir(), "TRUSTMARK_ADDR": "127.0.0.1:0"}
		for k, v := range tt.env {
			env[k] = v
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := run(ctx, append([]string{"trustmark", "serve"}, tt.args...), envOf(env), nil, io.Discard, io.Discard)
		cancel()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("serve %v with %v = %v, want an error mentioning %q", tt.args, tt.env, err, tt.want)
		}
	}
}

func TestHelp(t *testing.T) {
	var out lockedBuffer
	if err := run(context.Background(), []string{"trustmark", "help", "serve"}, envOf(nil), nil, &out, &out); err != nil {
		t.Fatalf("help serve = %v", err)
	}
	for _, flag := range []string{"-addr", "-data", "-base-url", "-demo", "TRUSTMARK_ADDR", "TRUSTMARK_DATA", "TRUSTMARK_BASE_URL", "127.0.0.1:8080", "./trustmark-data", "-webhook-private", "TRUSTMARK_WEBHOOK_PRIVATE"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("help serve lacks %q", flag)
		}
	}
	if err := run(context.Background(), []string{"trustmark", "bogus"}, envOf(nil), nil, io.Discard, io.Discard); err == nil || exitCode(err) != 2 {
		t.Errorf("unknown command = %v (exit %d), want a usage error", err, exitCode(err))
	}
	if err := run(context.Background(), []string{"trustmark", "serve", "--help"}, envOf(nil), nil, io.Discard, io.Discard); err != nil {
		t.Errorf("serve --help = %v, want nil", err)
	}
}

func TestGenerate(t *testing.T) {
	data := t.TempDir()
	var out lockedBuffer
	if err := run(context.Background(), []string{"trustmark", "generate", "--data", data, "--records", "250", "--batch", "100"}, envOf(nil), nil, &out, io.Discard); err != nil {
		t.Fatalf("generate = %v", err)
	}
	db, err := openStore(context.Background(), storeFlags{Data: data}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec, err := db.RegistryRecord(context.Background(), demo.GeneratedLabelID(249))
	if err != nil || rec.ProductName == "" {
		t.Fatalf("generated record 249: %v, %v", rec, err)
	}
	if err := rec.Validate(); err != nil {
		t.Errorf("generated record does not validate: %v", err)
	}
}

// The README's quick start names a demo label; it must exist in the demo.
func TestReadmeDemoLabel(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	id := string(demo.LabelID("halo-cam-2k"))
	if !strings.Contains(string(b), "/p/"+id) || !strings.Contains(string(b), "/api/v1/registry/"+id) {
		t.Errorf("README.md does not use the demo label %s (halo-cam-2k) in its quick start", id)
	}
}
