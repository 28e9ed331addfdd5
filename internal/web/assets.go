package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// assets serves the embedded static files. Every file is reachable under a
// fingerprinted name (style.3f2a…css), cached for a year as immutable, and
// under its plain name (for URLs others store, such as the sensor icons in
// registry records), cached for a day.
type assets struct {
	byPath map[string]*asset // "/static/…" → file, for both names
	names  map[string]string // plain name → fingerprinted URL path
}

type asset struct {
	body        []byte
	contentType string
	etag        string
	immutable   bool
}

func loadAssets() (*assets, error) {
	a := &assets{byPath: map[string]*asset{}, names: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		fp := hex.EncodeToString(sum[:5])
		ext := path.Ext(p)
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		name := strings.TrimPrefix(p, "static/")
		hashed := "/static/" + strings.TrimSuffix(name, ext) + "." + fp + ext
		etag := `"` + fp + `"`
		a.byPath["/static/"+name] = &asset{body: b, contentType: ct, etag: etag}
		a.byPath[hashed] = &asset{body: b, contentType: ct, etag: etag, immutable: true}
		a.names[name] = hashed
		return nil
	})
	return a, err
}

// url returns the fingerprinted URL path of a static file.
func (a *assets) url(name string) string {
	if u, ok := a.names[name]; ok {
		return u
	}
	return "/static/" + name
}

// serve answers GET /static/… (anyone).
func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byPath[r.URL.Path]
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", f.etag)
	if f.immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=86400")
	}
	if match(r.Header.Get("If-None-Match"), f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(f.body)
}

// match reports whether an If-None-Match header value names etag.
func match(header, etag string) bool {
	if header == "" {
		return false
	}
	if header == "*" {
		return true
	}
	for _, part := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(part), "W/") == etag {
			return true
		}
	}
	return false
}
