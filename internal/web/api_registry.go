package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"trustmark"
)

// registryCacheControl lets browsers and CDNs keep a record a minute: a
// status change reaches every reader within that time.
const registryCacheControl = "public, max-age=60"

// resolve fills a record's serving-time fields (QR_code_url, icons, supported).
func (s *Server) resolve(r *trustmark.RegistryRecord) { r.Resolve(s.base, s.now()) }

// handleRegistryRecord answers GET /api/v1/registry/{label_id} (anyone):
// the record as CTA-2120 JSON plus label_id and status.
func (s *Server) handleRegistryRecord(w http.ResponseWriter, r *http.Request) {
	id, err := trustmark.ParseLabelID(r.PathValue("label_id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	e, err := s.cache.get(r.Context(), id, s.resolve)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	b, err := e.render(bodyJSON, func(rec *trustmark.RegistryRecord) ([]byte, error) {
		data, err := json.Marshal(rec)
		return append(data, '\n'), err
	})
	if err != nil {
		s.apiError(w, r, trustmark.Internal(err))
		return
	}
	serveBody(w, r, b, "application/json; charset=utf-8", registryCacheControl)
}

// handleRegistryList answers GET /api/v1/registry?q=&manufacturer=&status=&limit=&cursor=
// (anyone): {"items": [...], "total": N, "next_cursor": "..."}.
func (s *Server) handleRegistryList(w http.ResponseWriter, r *http.Request) {
	f, err := registryFilter(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	page, err := s.store.ListRegistry(r.Context(), f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for i := range page.Items {
		s.resolve(&page.Items[i])
	}
	data, err := json.Marshal(page)
	if err != nil {
		s.apiError(w, r, trustmark.Internal(err))
		return
	}
	serveBody(w, r, newBody(append(data, '\n')), "application/json; charset=utf-8", "public, max-age=30")
}

// registryFilter reads a listing's query parameters.
func registryFilter(r *http.Request) (trustmark.RegistryFilter, error) {
	q, err := query(r)
	if err != nil {
		return trustmark.RegistryFilter{}, err
	}
	f := trustmark.RegistryFilter{
		Query:        q.Get("q"),
		Manufacturer: q.Get("manufacturer"),
		Status:       trustmark.GrantStatus(q.Get("status")),
		Cursor:       q.Get("cursor"),
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return f, trustmark.FieldError("limit", "must be a whole number between 1 and %d", trustmark.MaxRegistryLimit)
		}
		if n == 0 {
			return f, trustmark.FieldError("limit", "must be between 1 and %d; got 0", trustmark.MaxRegistryLimit)
		}
		f.Limit = n
	}
	return f, f.Validate()
}

// query parses the query string, refusing a malformed one instead of
// silently dropping its broken parts.
func query(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "the query string is malformed: %v", err)
	}
	return q, nil
}

// serveBody writes a cacheable body with its ETag, or 304 when the client
// already has it.
func serveBody(w http.ResponseWriter, r *http.Request, b *body, contentType, cacheControl string) {
	h := w.Header()
	h.Set("ETag", b.etag)
	h.Set("Cache-Control", cacheControl)
	if match(r.Header.Get("If-None-Match"), b.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b.data)))
	w.Write(b.data)
}

// handleHealthz answers GET /healthz (anyone): the process is up.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
