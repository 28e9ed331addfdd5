package web

import (
	"net/http"

	"trustmark"
)

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
	mux.Handle("POST /api/v1/users", s.api(s.handleCreateUser))                         // admin of own org; LA admin: any org
	mux.Handle("GET /api/v1/users", s.api(s.handleListUsers))                           // admin of own org
	mux.Handle("POST /api/v1/users/{id}/disable", s.api(s.handleDisableUser))           // admin of the user's org
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

	// Vulnerability monitoring (docs/vulns.md). SBOMs and VEX are readable by
	// the product's manufacturer, its CLA and lab, and the regulator; others get 404.
	mux.Handle("POST /api/v1/products/{id}/sboms", s.api(s.handleUploadSBOM))   // its manufacturer (member+); body up to 64 MiB
	mux.Handle("GET /api/v1/products/{id}/sboms", s.api(s.handleListSBOMs))     // manufacturer, its CLA and lab, regulator
	mux.Handle("GET /api/v1/sboms/{id}", s.api(s.handleGetSBOM))                // manufacturer, its CLA and lab, regulator
	mux.Handle("GET /api/v1/sboms/{id}/document", s.api(s.handleSBOMDocument))  // manufacturer, its CLA and lab, regulator
	mux.Handle("GET /api/v1/sboms/{id}/findings", s.api(s.handleSBOMFindings))  // manufacturer, its CLA and lab, regulator
	mux.Handle("POST /api/v1/products/{id}/vex", s.api(s.handleUploadVEX))      // its manufacturer (member+)
	mux.Handle("GET /api/v1/products/{id}/vex", s.api(s.handleListVEX))         // manufacturer, its CLA and lab, regulator
	mux.Handle("GET /api/v1/alerts", s.api(s.handleListAlerts))                 // manufacturer (own), CLA (its grants'), overseers
	mux.Handle("GET /api/v1/alerts/{id}", s.api(s.handleGetAlert))              // its manufacturer and CLA, overseers
	mux.Handle("POST /api/v1/alerts/{id}/finding", s.api(s.handleAlertFinding)) // the alert's CLA (member+)
	mux.Handle("POST /api/v1/webhooks", s.api(s.handleCreateWebhook))           // admin of a manufacturer or CLA
	mux.Handle("GET /api/v1/webhooks", s.api(s.handleListWebhooks))             // admin of a manufacturer or CLA: its own
	mux.Handle("DELETE /api/v1/webhooks/{id}", s.api(s.handleDeleteWebhook))    // admin of the webhook's organization

	// Portals (pages for signed-in users; portal.go). s.portal sends
	// anonymous callers to the sign-in page, refuses other kinds of
	// organization with 403 and checks the CSRF token of every POST; the
	// program decides the rest, as for the API.
	mux.Handle("GET /portal/login", s.limit(s.crossOrigin(http.HandlerFunc(s.handleLoginForm))))                                            // anyone
	mux.Handle("POST /portal/login", s.limit(s.crossOrigin(http.HandlerFunc(s.handleLogin))))                                               // anyone with the form's token
	mux.Handle("POST /portal/logout", s.portal(s.handleLogout))                                                                             // any user
	mux.Handle("GET /portal/{$}", s.portal(s.handlePortalHome))                                                                             // any user
	mux.Handle("GET /portal/password", s.portal(s.handlePasswordForm))                                                                      // any user
	mux.Handle("POST /portal/password", s.portal(s.handlePassword))                                                                         // any user
	mux.Handle("GET /portal/users", s.portal(s.handlePortalUsers))                                                                          // admins of any organization (page_portal_users.go)
	mux.Handle("POST /portal/users", s.portal(s.handlePortalUserCreate))                                                                    // admins of any organization
	mux.Handle("GET /portal/users/{id}/disable", s.portal(s.handlePortalUserDisableForm))                                                   // admins of the user's organization
	mux.Handle("POST /portal/users/{id}/disable", s.portal(s.handlePortalUserDisable))                                                      // admins of the user's organization, not on themselves
	mux.Handle("GET /portal/manufacturer/{$}", s.portal(s.handleMfrHome, trustmark.OrgManufacturer))                                        // manufacturer
	mux.Handle("GET /portal/manufacturer/products", s.portal(s.handleMfrProducts, trustmark.OrgManufacturer))                               // manufacturer
	mux.Handle("GET /portal/manufacturer/products/new", s.portal(s.handleMfrProductForm, trustmark.OrgManufacturer))                        // manufacturer
	mux.Handle("POST /portal/manufacturer/products/new", s.portal(s.handleMfrProductCreate, trustmark.OrgManufacturer))                     // manufacturer member
	mux.Handle("GET /portal/manufacturer/applications", s.portal(s.handleMfrApplications, trustmark.OrgManufacturer))                       // manufacturer
	mux.Handle("GET /portal/manufacturer/applications/new", s.portal(s.handleMfrApplicationForm, trustmark.OrgManufacturer))                // manufacturer
	mux.Handle("POST /portal/manufacturer/applications/new", s.portal(s.handleMfrApplicationCreate, trustmark.OrgManufacturer))             // manufacturer member
	mux.Handle("GET /portal/manufacturer/applications/{id}", s.portal(s.handleMfrApplication, trustmark.OrgManufacturer))                   // the applicant
	mux.Handle("GET /portal/manufacturer/applications/{id}/edit", s.portal(s.handleMfrApplicationEditForm, trustmark.OrgManufacturer))      // the applicant
	mux.Handle("POST /portal/manufacturer/applications/{id}/edit", s.portal(s.handleMfrApplicationEdit, trustmark.OrgManufacturer))         // the applicant
	mux.Handle("GET /portal/manufacturer/applications/{id}/declarations", s.portal(s.handleMfrDeclarationsForm, trustmark.OrgManufacturer)) // the applicant
	mux.Handle("POST /portal/manufacturer/applications/{id}/declarations", s.portal(s.handleMfrDeclarations, trustmark.OrgManufacturer))    // the applicant
	mux.Handle("POST /portal/manufacturer/applications/{id}/submit", s.portal(s.handleMfrSubmit, trustmark.OrgManufacturer))                // the applicant
	mux.Handle("GET /portal/manufacturer/grants", s.portal(s.handleMfrGrants, trustmark.OrgManufacturer))                                   // manufacturer
	mux.Handle("GET /portal/manufacturer/grants/{label_id}/disclosures", s.portal(s.handleMfrDisclosuresForm, trustmark.OrgManufacturer))   // the grant's manufacturer
	mux.Handle("POST /portal/manufacturer/grants/{label_id}/disclosures", s.portal(s.handleMfrDisclosures, trustmark.OrgManufacturer))      // the grant's manufacturer
	mux.Handle("GET /portal/manufacturer/grants/{label_id}/{file}", s.portal(s.handleMfrArtwork, trustmark.OrgManufacturer))                // artwork.{svg,pdf,png}: the grant's manufacturer, active grants
	mux.Handle("GET /portal/manufacturer/complaints", s.portal(s.handleMfrComplaints, trustmark.OrgManufacturer))                           // manufacturer
	mux.Handle("GET /portal/manufacturer/surveillance", s.portal(s.handleMfrSamples, trustmark.OrgManufacturer))                            // manufacturer
	mux.Handle("GET /portal/lab/{$}", s.portal(s.handleLabHome, trustmark.OrgLab))                                                          // lab
	mux.Handle("GET /portal/lab/applications/{id}", s.portal(s.handleLabApplication, trustmark.OrgLab))                                     // the named lab
	mux.Handle("GET /portal/lab/applications/{id}/report", s.portal(s.handleLabReportForm, trustmark.OrgLab))                               // the named lab
	mux.Handle("POST /portal/lab/applications/{id}/report", s.portal(s.handleLabReport, trustmark.OrgLab))                                  // the named lab's members
	mux.Handle("POST /portal/lab/applications/{id}/report/upload", s.portal(s.handleLabReportUpload, trustmark.OrgLab))                     // the named lab's members

	// CLA portal (page_portal_cla.go).
	cla := func(h portalHandler) http.Handler { return s.portal(h, trustmark.OrgCLA) }
	mux.Handle("GET /portal/cla/{$}", cla(s.handleCLAQueue))                                      // CLA: applications waiting, due first
	mux.Handle("GET /portal/cla/applications/{id}", cla(s.handleCLAApplication))                  // the chosen CLA
	mux.Handle("POST /portal/cla/applications/{id}/decision", cla(s.handleCLADecide))             // the chosen CLA's members
	mux.Handle("POST /portal/cla/applications/{id}/request-info", cla(s.handleCLARequestInfo))    // the chosen CLA's members
	mux.Handle("POST /portal/cla/applications/{id}/review", cla(s.handleCLAReviewDecision))       // the chosen CLA's members
	mux.Handle("GET /portal/cla/grants", cla(s.handleCLAGrants))                                  // CLA: its grants
	mux.Handle("GET /portal/cla/grants/{label_id}", cla(s.handleCLAGrant))                        // the grant's CLA
	mux.Handle("POST /portal/cla/grants/{label_id}/status", cla(s.handleCLAGrantStatus))          // the grant's CLA's members
	mux.Handle("GET /portal/cla/surveillance", cla(s.handleCLASurveillance))                      // CLA
	mux.Handle("POST /portal/cla/surveillance/plans", cla(s.handleCLACreatePlan))                 // CLA members
	mux.Handle("GET /portal/cla/surveillance/samples/{id}", cla(s.handleCLASample))               // the requesting CLA
	mux.Handle("POST /portal/cla/surveillance/samples/{id}/result", cla(s.handleCLARecordSample)) // the requesting CLA's members
	mux.Handle("GET /portal/cla/complaints", cla(s.handleCLAComplaints))                          // CLA: complaints routed to it
	mux.Handle("GET /portal/cla/complaints/{id}", cla(s.handleCLAComplaint))                      // the CLA it is routed to
	mux.Handle("POST /portal/cla/complaints/{id}/action", cla(s.handleCLAComplaintAction))        // the holding CLA's members

	// Lead Administrator and regulator portal (page_portal_oversight.go).
	overseers := func(h portalHandler) http.Handler {
		return s.portal(h, trustmark.OrgLeadAdministrator, trustmark.OrgRegulator)
	}
	leadAdmin := func(h portalHandler) http.Handler { return s.portal(h, trustmark.OrgLeadAdministrator) }
	mux.Handle("GET /portal/oversight/{$}", overseers(s.handleOversightDashboard))                       // overseers: dashboard with charts
	mux.Handle("GET /portal/oversight/organizations", overseers(s.handleOversightOrgs))                  // overseers
	mux.Handle("POST /portal/oversight/organizations", leadAdmin(s.handleOversightCreateOrg))            // Lead Administrator admins
	mux.Handle("GET /portal/oversight/labs", overseers(s.handleOversightLabs))                           // overseers
	mux.Handle("POST /portal/oversight/labs", leadAdmin(s.handleOversightRecognizeLab))                  // Lead Administrator members
	mux.Handle("GET /portal/oversight/labs/{org_id}", overseers(s.handleOversightLab))                   // overseers
	mux.Handle("POST /portal/oversight/labs/{org_id}/withdraw", leadAdmin(s.handleOversightWithdrawLab)) // Lead Administrator members
	mux.Handle("GET /portal/oversight/audit", overseers(s.handleOversightAudit))                         // overseers

	// Vulnerability monitoring portal (page_portal_vuln.go; docs/vulns.md):
	// manufacturers' SBOMs and VEX, alerts of manufacturers and CLAs, their
	// admins' webhooks. The program decides what each may read or do.
	mfrOnly := func(h portalHandler) http.Handler { return s.portal(h, trustmark.OrgManufacturer) }
	mfrOrCLA := func(h portalHandler) http.Handler { return s.portal(h, trustmark.OrgManufacturer, trustmark.OrgCLA) }
	mux.Handle("GET /portal/vuln/alerts", mfrOrCLA(s.handleVulnAlerts))                          // manufacturer (own), CLA (its grants')
	mux.Handle("GET /portal/vuln/alerts/{id}", mfrOrCLA(s.handleVulnAlert))                      // the alert's manufacturer and CLA
	mux.Handle("POST /portal/vuln/alerts/{id}/finding", cla(s.handleVulnAlertFinding))           // the alert's CLA's members
	mux.Handle("GET /portal/vuln/products", mfrOnly(s.handleVulnProducts))                       // manufacturer
	mux.Handle("GET /portal/vuln/products/{id}", mfrOnly(s.handleVulnProduct))                   // the product's manufacturer
	mux.Handle("POST /portal/vuln/products/{id}/sboms", mfrOnly(s.handleVulnUploadSBOM))         // the product's manufacturer's members; file up to 64 MiB
	mux.Handle("POST /portal/vuln/products/{id}/vex", mfrOnly(s.handleVulnUploadVEX))            // the product's manufacturer's members; file up to 64 MiB
	mux.Handle("GET /portal/vuln/sboms/{id}", mfrOnly(s.handleVulnSBOM))                         // the product's manufacturer
	mux.Handle("GET /portal/vuln/sboms/{id}/document", mfrOnly(s.handleVulnSBOMDocument))        // the product's manufacturer
	mux.Handle("GET /portal/vuln/webhooks", mfrOrCLA(s.handleVulnWebhooks))                      // admins of a manufacturer or CLA
	mux.Handle("POST /portal/vuln/webhooks", mfrOrCLA(s.handleVulnCreateWebhook))                // admins of a manufacturer or CLA
	mux.Handle("GET /portal/vuln/webhooks/{id}/delete", mfrOrCLA(s.handleVulnWebhookDeleteForm)) // admins of the webhook's organization
	mux.Handle("POST /portal/vuln/webhooks/{id}/delete", mfrOrCLA(s.handleVulnWebhookDelete))    // admins of the webhook's organization

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
	h = capBodiesFor(mux, h)    // 1 MiB; SBOM and VEX documents up to 64 MiB
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	return h
}
