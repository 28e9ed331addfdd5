package web

import "net/http"

// routes lists every route on one screen. Who may call each is decided by
// the program (internal/program) and stated beside the handler; "public"
// routes need no token and all API and page routes are rate-limited per
// client.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	public := func(h http.HandlerFunc) http.Handler { return s.limit(s.refuseBadTokens(h)) }

	// Operations (anyone; not rate-limited so probes never fail).
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)        // 503 while the database does not answer
	mux.Handle("GET /metrics", s.metrics.handler(s.log)) // Prometheus; keep it off the public internet

	// Public registry, JSON (anyone).
	mux.Handle("GET /api/v1/registry", public(s.handleRegistryList))
	mux.Handle("GET /api/v1/registry/{label_id}", public(s.handleRegistryRecord))
	mux.Handle("GET /api/v1/registry/{label_id}/proof", public(s.handleProof))
	mux.Handle("GET /api/v1/registry/{label_id}/history", public(s.handleHistory))

	// Transparency log (anyone): c2sp.org/tlog-tiles read API and the key.
	mux.Handle("GET /log/checkpoint", public(s.handleCheckpoint))
	mux.Handle("GET /log/tile/", public(s.handleTile))
	mux.Handle("GET /api/v1/log/key", public(s.handleLogKey))

	// Criteria catalogs and mappings (anyone; evaluate reads and stores nothing).
	mux.Handle("GET /api/v1/catalogs", public(s.handleCatalogs))
	mux.Handle("GET /api/v1/catalogs/{id}", public(s.handleCatalog))
	mux.Handle("GET /api/v1/mappings/{from}/{to}", public(s.handleMapping))
	mux.Handle("POST /api/v1/evaluate", public(s.handleEvaluate))

	// Parties and access.
	mux.Handle("POST /api/v1/organizations", s.api(s.handleCreateOrganization))         // LA admin; CLA admin (manufacturers)
	mux.Handle("GET /api/v1/organizations", s.api(s.handleListOrganizations))           // any token (overseers: all kinds)
	mux.Handle("GET /api/v1/organizations/{id}", s.api(s.handleGetOrganization))        // anyone
	mux.Handle("POST /api/v1/tokens", s.api(s.handleCreateToken))                       // admin of own org
	mux.Handle("GET /api/v1/tokens", s.api(s.handleListTokens))                         // admin of own org
	mux.Handle("DELETE /api/v1/tokens/{id}", s.api(s.handleRevokeToken))                // admin, or the holder
	mux.Handle("PUT /api/v1/labs/{org_id}", s.api(s.handleRecognizeLab))                // Lead Administrator
	mux.Handle("POST /api/v1/labs/{org_id}/withdraw", s.api(s.handleWithdrawLab))       // Lead Administrator
	mux.Handle("GET /api/v1/directory", s.api(s.handleDirectory))                       // anyone
	mux.Handle("PUT /api/v1/renewal-policies/{class}", s.api(s.handleSetRenewalPolicy)) // Lead Administrator

	// Products and applications.
	mux.Handle("POST /api/v1/products", s.api(s.handleCreateProduct))                              // manufacturer
	mux.Handle("GET /api/v1/products", s.api(s.handleListProducts))                                // manufacturer
	mux.Handle("GET /api/v1/products/{id}", s.api(s.handleGetProduct))                             // its parties, overseers
	mux.Handle("POST /api/v1/applications", s.api(s.handleCreateApplication))                      // manufacturer
	mux.Handle("GET /api/v1/applications", s.api(s.handleListApplications))                        // any party: its own
	mux.Handle("GET /api/v1/applications/{id}", s.api(s.handleGetApplication))                     // its parties, overseers
	mux.Handle("PATCH /api/v1/applications/{id}", s.api(s.handleUpdateApplication))                // applicant
	mux.Handle("POST /api/v1/applications/{id}/declarations", s.api(s.handleSignDeclarations))     // applicant
	mux.Handle("POST /api/v1/applications/{id}/submit", s.api(s.handleSubmit))                     // applicant
	mux.Handle("POST /api/v1/applications/{id}/request-info", s.api(s.handleRequestInfo))          // chosen CLA
	mux.Handle("POST /api/v1/applications/{id}/decision", s.api(s.handleDecide))                   // chosen CLA
	mux.Handle("POST /api/v1/applications/{id}/review", s.api(s.handleRequestReview))              // applicant
	mux.Handle("POST /api/v1/applications/{id}/appeal", s.api(s.handleAppeal))                     // applicant
	mux.Handle("POST /api/v1/applications/{id}/review-decision", s.api(s.handleDecideReview))      // CLA (review), regulator (appeal)
	mux.Handle("POST /api/v1/applications/{id}/reports", s.api(s.handleAttachReport))              // the named lab
	mux.Handle("GET /api/v1/applications/{id}/reports", s.api(s.handleListReports))                // its parties, overseers
	mux.Handle("GET /api/v1/applications/{id}/evidence/{evidence_id}", s.api(s.handleGetEvidence)) // its parties, overseers

	// Grants after the decision.
	mux.Handle("GET /api/v1/grants", s.api(s.handleListGrants))                                    // manufacturer, CLA, overseers
	mux.Handle("GET /api/v1/grants/{label_id}", s.api(s.handleGetGrant))                           // its parties, overseers
	mux.Handle("PUT /api/v1/grants/{label_id}/disclosures", s.api(s.handleUpdateDisclosures))      // its manufacturer
	mux.Handle("POST /api/v1/grants/{label_id}/status", s.api(s.handleChangeStatus))               // per status: CLA, regulator, manufacturer
	mux.Handle("GET /api/v1/labels/{label_id}/{file}", s.api(s.handleLabelArtwork))                // artwork.{svg,pdf,png}: its manufacturer and CLA, active grants
	mux.Handle("POST /api/v1/surveillance/plans", s.api(s.handleCreatePlan))                       // CLA
	mux.Handle("GET /api/v1/surveillance/plans", s.api(s.handleListPlans))                         // CLA, overseers
	mux.Handle("GET /api/v1/surveillance/samples", s.api(s.handleListSamples))                     // CLA, manufacturer, overseers
	mux.Handle("POST /api/v1/surveillance/samples/{id}/result", s.api(s.handleRecordSample))       // requesting CLA
	mux.Handle("POST /api/v1/complaints", s.limitWith(s.complaints, s.api(s.handleFileComplaint))) // anyone; 10 per hour per client
	mux.Handle("GET /api/v1/complaints", s.api(s.handleListComplaints))                            // CLA, manufacturer, overseers
	mux.Handle("POST /api/v1/complaints/{id}/action", s.api(s.handleComplaintAction))              // current holder
	mux.Handle("GET /api/v1/audit", s.api(s.handleAudit))                                          // overseers
	mux.Handle("POST /api/v1/sweep", s.api(s.handleSweep))                                         // overseers
	mux.Handle("GET /api/v1/openapi.json", public(s.handleOpenAPI))                                // anyone

	// Public registry and criteria, pages (anyone).
	mux.Handle("GET /{$}", public(s.handleHome))
	mux.Handle("GET /search", public(s.handleSearch))
	mux.Handle("GET /p/{label_id}", public(s.handleLabelPage))
	mux.Handle("GET /p/{label_id}/details", public(s.handleDetailsPage))
	mux.Handle("GET /catalogs", public(s.handleCatalogsPage))
	mux.Handle("GET /catalogs/{id}", public(s.handleCatalogPage))
	mux.Handle("GET /catalogs/{id}/{req}", public(s.handleRequirementPage))
	mux.Handle("GET /static/", http.HandlerFunc(s.assets.serve))

	// Anything else: 404, or 405 when the path exists for other methods.
	mux.Handle("/", public(func(w http.ResponseWriter, r *http.Request) { s.handleNoRoute(mux, w, r) }))

	var h http.Handler = mux
	h = s.metrics.instrument(h) // reads the pattern the mux matched, so it wraps the mux
	h = capBodies(h)
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	return h
}
