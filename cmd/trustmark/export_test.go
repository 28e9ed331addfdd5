package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"trustmark/internal/demo"
	"trustmark/internal/tlog"
)

// staticHost serves an export as docs/deploy.md configures a static host:
// the file at the URL's path, else <path>/index.html (index.<lang>.html
// for ?lang=), else <path>/index.json.
func staticHost(t *testing.T, dir string) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := path.Clean(r.URL.Path)
		try := []string{p}
		if lang := r.URL.Query().Get("lang"); lang != "" && lang != "en" {
			try = append(try, p+"/index."+lang+".html")
		}
		try = append(try, p+"/index.html", p+"/index.json")
		for _, name := range try {
			f := filepath.Join(dir, filepath.FromSlash(name))
			if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
				http.ServeFile(w, r, f)
				return
			}
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// An export serves the same registry, pages and log as the server at the
// same URLs: trustmark verify and a log client work against it, and an
// incremental export (--since) extends it consistently.
func TestExport(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	out := filepath.Join(t.TempDir(), "site")
	live, stop, _ := startServe(t, []string{"--addr", "127.0.0.1:0", "--demo", "--data", data, "--rate-limit", "0", "--base-url", "https://labels.example.org"}, nil)
	cam := string(demo.LabelID("halo-cam-2k"))
	liveRecord := fetchBody(t, live+"/api/v1/registry/"+cam)
	livePage := fetchBody(t, live+"/p/"+cam+"/details?lang=es")
	stop()
	liveCheckpoint := integrate(t, data) // the whole log, rather than wait for the server's integrator

	env := map[string]string{"TRUSTMARK_DATA": data}
	res, err := runCmd(t, env, "export", "--out", out, "--base-url", "https://labels.example.org", "--json")
	var rep exportReport
	if err != nil || json.Unmarshal([]byte(res), &rep) != nil || rep.Labels != len(demo.Keys()) {
		t.Fatalf("export = %s, %v; want %d labels", res, err, len(demo.Keys()))
	}
	site := staticHost(t, out)
	if got := fetchBody(t, site.URL+"/api/v1/registry/"+cam); got != liveRecord {
		t.Errorf("exported record differs from the server's:\n%s\n%s", got, liveRecord)
	}
	if got := fetchBody(t, site.URL+"/log/checkpoint"); got != liveCheckpoint {
		t.Errorf("exported checkpoint differs from the server's")
	}
	if got := fetchBody(t, site.URL+"/p/"+cam+"/details?lang=es"); got != livePage {
		t.Errorf("exported Spanish L2 page differs from the server's")
	}
	if !strings.Contains(fetchBody(t, site.URL+"/p/"+cam), "Halo Indoor Camera 2K") {
		t.Errorf("exported L1 page lacks the product")
	}
	for _, p := range []string{"/", "/api/v1/registry", "/api/v1/log/key", "/search-index.json"} {
		if code, _, _ := get(t, site.URL+p); code != 200 {
			t.Errorf("GET %s on the export = %d", p, code)
		}
	}
	page := fetchBody(t, site.URL+"/p/"+cam)
	for _, m := range assetRef.FindAllStringSubmatch(page, -1) {
		if code, _, _ := get(t, site.URL+m[1]); code != 200 {
			t.Errorf("asset %s of the page = %d on the export", m[1], code)
		}
	}
	if out, err := runCmd(t, nil, "verify", "--url", site.URL, cam); err != nil || !strings.Contains(out, "verified in the public log") {
		t.Errorf("verify against the export = %v\n%s", err, out)
	}
	key := strings.TrimSpace(fetchBody(t, site.URL+"/api/v1/log/key"))
	remote := tlog.NewRemote(site.URL+"/log", key, nil)
	oldCp, err := remote.Checkpoint(context.Background())
	if err != nil || oldCp.Size != rep.LogSize {
		t.Fatalf("remote Checkpoint() = %+v, %v", oldCp, err)
	}
	if _, err := remote.Entries(context.Background(), oldCp, 0, oldCp.Size); err != nil {
		t.Errorf("Entries() from the export = %v", err)
	}

	// More labels, integrated, then an incremental export.
	if _, err := runCmd(t, env, "generate", "--records", "300", "--start", "5000"); err != nil {
		t.Fatal(err)
	}
	integrate(t, data)
	res, err = runCmd(t, env, "export", "--out", out, "--base-url", "https://labels.example.org", "--since", "1", "--json")
	var rep2 exportReport
	if err != nil || json.Unmarshal([]byte(res), &rep2) != nil {
		t.Fatalf("export --since = %s, %v", res, err)
	}
	if rep2.LogSize != rep.LogSize+300 || rep2.Labels >= rep.Labels+300 {
		t.Errorf("incremental export = %+v; want log size %d and fewer labels than a full export", rep2, rep.LogSize+300)
	}
	newCp, err := remote.Checkpoint(context.Background())
	if err != nil || newCp.Size != rep2.LogSize {
		t.Fatalf("remote Checkpoint() after --since = %+v, %v", newCp, err)
	}
	if err := remote.Consistency(context.Background(), oldCp, newCp); err != nil {
		t.Errorf("Consistency(%d → %d) on the export = %v", oldCp.Size, newCp.Size, err)
	}
	if _, err := remote.Entries(context.Background(), newCp, 0, newCp.Size); err != nil {
		t.Errorf("Entries() after --since = %v", err)
	}
	generated := string(demo.GeneratedLabelID(5299))
	if out, err := runCmd(t, nil, "verify", "--url", site.URL, generated); err != nil {
		t.Errorf("verify %s against the incremental export = %v\n%s", generated, err, out)
	}
	var idx searchIndex
	if err := json.Unmarshal([]byte(fetchBody(t, site.URL+"/search-index.json")), &idx); err != nil || len(idx.Records) != len(demo.Keys())+300 ||
		idx.Records[0].LabelID != demo.GeneratedLabelID(5299) || idx.LogSize != newCp.Size {
		t.Errorf("search index after --since: %d records, first %v, log size %d (%v)", len(idx.Records), idx.Records[0].LabelID, idx.LogSize, err)
	}

	// An export that would leave a gap is refused.
	if _, err := runCmd(t, env, "export", "--out", t.TempDir(), "--base-url", "https://labels.example.org", "--since", "3"); err == nil {
		t.Error("export --since into an empty directory succeeded")
	}
}

// integrate publishes a checkpoint covering the whole log of the store in
// data and returns it.
func integrate(t *testing.T, data string) string {
	t.Helper()
	db, err := openStore(context.Background(), storeFlags{Data: data}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l, err := openLog(db, data, "", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.IntegrateAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, _, note, err := db.LogHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return string(note)
}

func fetchBody(t *testing.T, url string) string {
	t.Helper()
	code, body, _ := get(t, url)
	if code != 200 {
		t.Fatalf("GET %s = %d %s", url, code, body)
	}
	return body
}
