package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"trustmark"
	"trustmark/internal/criteria"
	ilog "trustmark/internal/tlog"
	"trustmark/internal/web"
)

const exportSynopsis = `export --out DIR [--since N] [--base-url URL] [--data DIR | --database-url URL] [--json]

Writes the public read side of the registry as static files under DIR, at
the paths of the server's own URLs, for any static host or CDN:

  /p/{label_id}/index.html, index.es.html            the consumer (L1) page
  /p/{label_id}/details/index.html, index.es.html    the technical (L2) page
  /api/v1/registry/{label_id}/index.json             the record (CTA-2120 JSON)
  /api/v1/registry/{label_id}/history/index.json     its events
  /api/v1/registry/{label_id}/proof                  a c2sp.org/tlog-proof
  /index.html, /api/v1/registry/index.json           newest labels
  /search-index.json                                 every record, compactly, for search
  /log/checkpoint, /log/tile/...                     the log (c2sp.org/tlog-tiles)
  /api/v1/log/key, /static/...                       the log's key, the pages' assets

A URL with paths below it is written as <path>/index.<ext>; the others
exactly at their path. docs/deploy.md shows a host configuration that
serves them under the same URLs. Files are replaced atomically and the
checkpoint is written last, so a host syncing DIR mid-export never serves a
checkpoint its tiles do not cover.

--since N exports only what changed since log size N: the labels with events
at index N or later, the new tiles, the checkpoint and the search index
(merged into the one in DIR). Pass the log size the previous export printed.

The export follows the latest checkpoint, waiting up to --wait for the
servers to integrate the entries already sequenced. A label changed after
that checkpoint keeps its previous proof until the next --since export,
which picks it up.
The log key is read as by "trustmark log fsck" (TRUSTMARK_LOG_KEY or
<data>/log.key); nothing is signed.`

// runExport implements "trustmark export".
func runExport(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", exportSynopsis, stderr)
	var st storeFlags
	var base string
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.storeFlags(&st)
	ef.str(&base, "base-url", "TRUSTMARK_BASE_URL", "", "public URL the export is served at, as for serve (required)")
	out := fs.String("out", "", "directory to write the files into (required; created if missing)")
	since := fs.Int64("since", 0, "export only what changed since this log size (the size a previous export into --out printed)")
	wait := fs.Duration("wait", 10*time.Second, "how long to wait for a checkpoint covering every sequenced entry")
	asJSON := fs.Bool("json", false, `print {"log_size": N, "labels": L, "tiles": T, "files": F, "deferred": D} for scripts`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := errors.Join(ef.errs...); err != nil {
		return usageError{err.Error()}
	}
	if *out == "" || base == "" {
		return usageError{"export needs --out DIR and --base-url URL (or TRUSTMARK_BASE_URL)"}
	}
	if *since < 0 {
		return usageError{"--since must be a log size, 0 or more"}
	}
	base, err := baseURL(base, "")
	if err != nil {
		return err
	}
	db, err := openStore(ctx, st, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := os.Stat(filepath.Join(st.Data, logKeyFile)); err != nil && getenv("TRUSTMARK_LOG_KEY") == "" {
		return fmt.Errorf("no log key in %s (and TRUSTMARK_LOG_KEY is not set): %w", st.Data, err)
	}
	tl, err := openLog(db, st.Data, "", "", getenv("TRUSTMARK_LOG_KEY"), nil)
	if err != nil {
		return err
	}
	set, err := criteria.Embedded()
	if err != nil {
		return err
	}
	srv, err := web.NewServer(db, web.Config{BaseURL: base, Log: tl, Criteria: set, CacheEntries: -1})
	if err != nil {
		return err
	}
	e := &exporter{h: srv, out: *out, assets: map[string]bool{}}
	waitForCheckpoint(ctx, db, *wait)
	rep, err := e.run(ctx, db, tl.VerifierKey(), *since)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, rep)
	}
	fmt.Fprintf(stdout, "exported %d labels, %d tiles, %d files to %s in %s; log size %d (next time: --since %d)\n",
		rep.Labels, rep.Tiles, rep.Files, *out, rep.Took, rep.LogSize, rep.LogSize)
	if rep.Deferred > 0 {
		fmt.Fprintf(stdout, "%d labels changed after the checkpoint keep their previous proof until the next export\n", rep.Deferred)
	}
	return nil
}

// waitForCheckpoint waits, at most d, until the store's checkpoint covers
// every entry sequenced when it started.
func waitForCheckpoint(ctx context.Context, db trustmark.Store, d time.Duration) {
	n, err := db.LogSize(ctx)
	if err != nil {
		return
	}
	deadline := time.Now().Add(d)
	for {
		size, _, _, err := db.LogHead(ctx)
		if err != nil || size >= n || time.Now().After(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// exportReport says what an export wrote.
type exportReport struct {
	LogSize int64 `json:"log_size"`
	Labels  int   `json:"labels"`
	Tiles   int   `json:"tiles"`
	Files   int   `json:"files"`
	// Deferred labels changed after the checkpoint: their proofs wait for
	// the next export.
	Deferred int    `json:"deferred"`
	Took     string `json:"took"`
}

// exporter renders the server's public URLs in-process and writes them.
type exporter struct {
	h   http.Handler
	out string

	mu       sync.Mutex
	files    int
	deferred int
	assets   map[string]bool // /static/ paths the pages refer to
}

// exportWorkers renders labels in parallel.
const exportWorkers = 8

// searchIndexPath is the export's search index, a file the server has no
// URL for: static hosts cannot answer queries.
const searchIndexPath = "/search-index.json"

func (e *exporter) run(ctx context.Context, db trustmark.Store, vkey string, since int64) (*exportReport, error) {
	began := time.Now()
	// Pin the checkpoint first: the log serves tiles and proofs for the
	// size it read first, and the checkpoint is written last.
	note, err := e.get("/log/checkpoint")
	if err != nil {
		return nil, err
	}
	cp, err := ilog.OpenCheckpoint(note, vkey)
	if err != nil {
		return nil, fmt.Errorf("the store's checkpoint: %w", err)
	}
	size := cp.Size
	if since > size {
		return nil, usageError{fmt.Sprintf("--since %d is beyond the log's size %d", since, size)}
	}
	index := map[trustmark.LabelID]searchEntry{}
	if since > 0 {
		if err := e.checkPrevious(since, vkey); err != nil {
			return nil, err
		}
		if index, err = e.readIndex(); err != nil {
			return nil, err
		}
	}

	// The labels with events in [since, size), oldest first.
	var labels []trustmark.LabelID
	first := map[trustmark.LabelID]int64{}
	const chunk = 4096
	for start := since; start < size; start += chunk {
		entries, err := db.LogEntries(ctx, start, min(size, start+chunk))
		if err != nil {
			return nil, err
		}
		for i, data := range entries {
			ev, err := trustmark.DecodeLabelEvent(data)
			if err != nil {
				continue // not a label event
			}
			if _, ok := first[ev.LabelID]; !ok {
				first[ev.LabelID] = start + int64(i)
				labels = append(labels, ev.LabelID)
			}
		}
	}
	if err := e.labels(ctx, labels, first, index); err != nil {
		return nil, err
	}

	// The log's new tiles: hash tiles and their entry bundles.
	tiles := tlog.NewTiles(ilog.TileHeight, since, size)
	for _, t := range tiles {
		if t.L == 0 {
			tiles = append(tiles, tlog.Tile{H: t.H, L: -1, N: t.N, W: t.W})
		}
	}
	for _, t := range tiles {
		if err := e.copy("/log/"+ilog.TilePath(t), false); err != nil {
			return nil, err
		}
	}

	// The pages and documents that list the newest labels, and the assets.
	if err := e.copyLang("/"); err != nil {
		return nil, err
	}
	if err := e.copy("/api/v1/registry", true); err != nil {
		return nil, err
	}
	if err := e.copy("/api/v1/log/key", false); err != nil {
		return nil, err
	}
	for _, a := range slices.Sorted(maps.Keys(e.assets)) {
		if err := e.copy(a, false); err != nil {
			return nil, err
		}
	}
	if err := e.writeIndex(index, size); err != nil {
		return nil, err
	}
	if err := e.write("/log/checkpoint", note, false); err != nil {
		return nil, err
	}
	return &exportReport{LogSize: size, Labels: len(labels), Tiles: len(tiles), Files: e.files, Deferred: e.deferred,
		Took: time.Since(began).Round(time.Millisecond).String()}, nil
}

// labels exports each label's record, history, proof and pages, and
// updates its search index entry.
func (e *exporter) labels(ctx context.Context, labels []trustmark.LabelID, first map[trustmark.LabelID]int64, index map[trustmark.LabelID]searchEntry) error {
	jobs := make(chan trustmark.LabelID)
	errs := make(chan error, exportWorkers)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range exportWorkers {
		wg.Go(func() {
			for id := range jobs {
				rec, err := e.label(id)
				if err != nil {
					errs <- fmt.Errorf("label %s: %w", id, err)
					for range jobs {
					}
					return
				}
				mu.Lock()
				seq := first[id]
				if old, ok := index[id]; ok {
					seq = old.Seq
				}
				index[id] = newSearchEntry(rec, seq)
				mu.Unlock()
			}
		})
	}
	for _, id := range labels {
		if ctx.Err() != nil {
			break
		}
		jobs <- id
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

// label exports one label's URLs and returns its record.
func (e *exporter) label(id trustmark.LabelID) (*trustmark.RegistryRecord, error) {
	api := "/api/v1/registry/" + string(id)
	if err := e.copy(api+"/history", true); err != nil {
		return nil, err
	}
	// A label whose latest event came after the pinned checkpoint has no
	// proof at it yet (409): the next --since export covers that event.
	if err := e.copy(api+"/proof", false); errors.Is(err, errNotCovered) {
		e.mu.Lock()
		e.deferred++
		e.mu.Unlock()
	} else if err != nil {
		return nil, err
	}
	for _, p := range []string{"/p/" + string(id), "/p/" + string(id) + "/details"} {
		if err := e.copyLang(p); err != nil {
			return nil, err
		}
	}
	b, err := e.get(api)
	if err != nil {
		return nil, err
	}
	if err := e.write(api, b, true); err != nil {
		return nil, err
	}
	var rec trustmark.RegistryRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return &rec, nil
}

// languages the pages are exported in; the first is the default
// (index.html), the others index.<lang>.html.
var exportLanguages = []string{"en", "es"}

// copyLang exports a page in every language.
func (e *exporter) copyLang(p string) error {
	for i, lang := range exportLanguages {
		u := p
		if i > 0 {
			u += "?lang=" + lang
		}
		b, err := e.get(u)
		if err != nil {
			return err
		}
		e.noteAssets(b)
		name := strings.TrimSuffix(p, "/") + "/index." + lang + ".html"
		if i == 0 {
			name = strings.TrimSuffix(p, "/") + "/index.html"
		}
		if err := e.writeFile(name, b); err != nil {
			return err
		}
	}
	return nil
}

// copy exports one URL (see write for dir).
func (e *exporter) copy(p string, dir bool) error {
	b, err := e.get(p)
	if err != nil {
		return err
	}
	return e.write(p, b, dir)
}

// get renders one URL through the server's own handler.
func (e *exporter) get(p string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, "http://export.invalid"+p, nil)
	if err != nil {
		return nil, err
	}
	req.RemoteAddr = "127.0.0.1:0"
	w := &bufferResponse{header: http.Header{}}
	e.h.ServeHTTP(w, req)
	if w.status == http.StatusConflict && strings.HasSuffix(p, "/proof") {
		return nil, errNotCovered
	}
	if w.status != 0 && w.status != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", p, w.status, bytes.TrimSpace(w.body.Bytes()))
	}
	return w.body.Bytes(), nil
}

// errNotCovered is a proof the pinned checkpoint does not cover yet.
var errNotCovered = errors.New("not yet covered by a checkpoint")

// assetRef finds the /static/ files a page refers to.
var assetRef = regexp.MustCompile(`(?:href|src)="(/static/[^"?#]+)"`)

func (e *exporter) noteAssets(page []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range assetRef.FindAllSubmatch(page, -1) {
		e.assets[string(m[1])] = true
	}
}

// write stores the body of URL p: at <p>/index.json or <p>/index.html when
// other URLs lie below p (dir), else at p itself.
func (e *exporter) write(p string, b []byte, dir bool) error {
	if dir {
		ext := ".json"
		if p == "/" || strings.HasPrefix(p, "/p/") {
			ext = ".html"
		}
		p = strings.TrimSuffix(p, "/") + "/index" + ext
	}
	return e.writeFile(p, b)
}

// writeFile replaces the file at URL path p atomically.
func (e *exporter) writeFile(p string, b []byte) error {
	clean := path.Clean("/" + p)
	if clean != p || strings.Contains(p, "..") {
		return fmt.Errorf("refusing to write %q outside the export", p)
	}
	name := filepath.Join(e.out, filepath.FromSlash(clean))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".export-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	e.mu.Lock()
	e.files++
	e.mu.Unlock()
	return nil
}

// checkPrevious refuses an incremental export that would leave a gap: the
// checkpoint already in the export must cover since.
func (e *exporter) checkPrevious(since int64, vkey string) error {
	b, err := os.ReadFile(filepath.Join(e.out, "log", "checkpoint"))
	if err != nil {
		return fmt.Errorf("--since needs a previous export in %s: %w", e.out, err)
	}
	cp, err := ilog.OpenCheckpoint(b, vkey)
	if err != nil {
		return fmt.Errorf("the previous export's checkpoint: %w", err)
	}
	if cp.Size < since {
		return usageError{fmt.Sprintf("the previous export covers log size %d; --since %d would leave a gap", cp.Size, since)}
	}
	return nil
}

// searchIndex is the export's search index: every record's searchable
// fields, newest label first, for search in the browser or at the edge.
type searchIndex struct {
	Version int           `json:"version"`
	LogSize int64         `json:"log_size"`
	Records []searchEntry `json:"records"`
}

// searchEntry is one record in the search index.
type searchEntry struct {
	LabelID        trustmark.LabelID     `json:"label_id"`
	Status         trustmark.GrantStatus `json:"status"`
	ProductName    string                `json:"product_name"`
	Manufacturer   string                `json:"manufacturer_name"`
	ManufacturerID string                `json:"manufacturer_id"`
	ModelNumbers   []string              `json:"model_numbers"`
	SupportDate    trustmark.Date        `json:"support_date"`
	Modified       time.Time             `json:"modified"`
	// Seq is the index of the label's first event: the registry's order.
	Seq int64 `json:"seq"`
}

func newSearchEntry(r *trustmark.RegistryRecord, seq int64) searchEntry {
	return searchEntry{LabelID: r.LabelID, Status: r.Status, ProductName: r.ProductName, Manufacturer: r.ManufacturerName,
		ManufacturerID: r.ManufacturerID, ModelNumbers: r.VersionAndModelNumbers.ModelNumbers, SupportDate: r.SupportDate,
		Modified: r.Modified, Seq: seq}
}

// readIndex reads the search index of a previous export.
func (e *exporter) readIndex() (map[trustmark.LabelID]searchEntry, error) {
	b, err := os.ReadFile(filepath.Join(e.out, filepath.FromSlash(searchIndexPath)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--since needs the search index of a previous export in %s", e.out)
	}
	if err != nil {
		return nil, err
	}
	var idx searchIndex
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("the previous export's search index: %w", err)
	}
	out := make(map[trustmark.LabelID]searchEntry, len(idx.Records))
	for _, r := range idx.Records {
		out[r.LabelID] = r
	}
	return out, nil
}

// writeIndex writes the search index, newest label first.
func (e *exporter) writeIndex(index map[trustmark.LabelID]searchEntry, size int64) error {
	idx := searchIndex{Version: 1, LogSize: size, Records: make([]searchEntry, 0, len(index))}
	for _, r := range index {
		idx.Records = append(idx.Records, r)
	}
	slices.SortFunc(idx.Records, func(a, b searchEntry) int { return cmp.Compare(b.Seq, a.Seq) })
	b, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	return e.writeFile(searchIndexPath, b)
}

// bufferResponse is an http.ResponseWriter that keeps the response.
type bufferResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *bufferResponse) Header() http.Header { return w.header }

func (w *bufferResponse) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *bufferResponse) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}
