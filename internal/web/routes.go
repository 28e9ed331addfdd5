package web

import "net/http"

// routes lists every route on one screen. "public" routes need no
// credentials and are rate-limited per client.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	public := func(h http.HandlerFunc) http.Handler { return s.limit(h) }

	// Operations (anyone; not rate-limited so probes never fail).
	mux.HandleFunc("GET /healthz", s.handleHealthz)

	// Public registry, JSON (anyone).
	mux.Handle("GET /api/v1/registry", public(s.handleRegistryList))
	mux.Handle("GET /api/v1/registry/{label_id}", public(s.handleRegistryRecord))

	// Criteria catalogs and mappings (anyone; evaluate reads and stores nothing).
	mux.Handle("GET /api/v1/catalogs", public(s.handleCatalogs))
	mux.Handle("GET /api/v1/catalogs/{id}", public(s.handleCatalog))
	mux.Handle("GET /api/v1/mappings/{from}/{to}", public(s.handleMapping))
	mux.Handle("POST /api/v1/evaluate", public(s.handleEvaluate))
	mux.Handle("/api/", public(s.handleAPINotFound))

	// Public registry, pages (anyone).
	mux.Handle("GET /{$}", public(s.handleHome))
	mux.Handle("GET /search", public(s.handleSearch))
	mux.Handle("GET /p/{label_id}", public(s.handleLabelPage))
	mux.Handle("GET /p/{label_id}/details", public(s.handleDetailsPage))
	mux.Handle("GET /catalogs", public(s.handleCatalogsPage))
	mux.Handle("GET /catalogs/{id}", public(s.handleCatalogPage))
	mux.Handle("GET /catalogs/{id}/{req}", public(s.handleRequirementPage))
	mux.Handle("GET /static/", http.HandlerFunc(s.assets.serve))
	mux.Handle("/", public(s.handlePageNotFound))

	var h http.Handler = mux
	h = capBodies(h)
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	return h
}
