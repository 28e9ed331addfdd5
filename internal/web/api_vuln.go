package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"trustmark"
	"trustmark/internal/sbom"
)

// This file is the JSON API of vulnerability monitoring (docs/vulns.md):
// SBOMs and VEX statements of products, alerts, and webhooks. Who may call
// each route is decided by internal/program/vuln.go and stated beside each
// handler.

// documentRoutes take a standards document as the raw request body (the
// API) or as a file of a multipart form (the portal, page_portal_vuln.go),
// up to sbom.MaxSize instead of the usual maxBodyBytes.
var documentRoutes = map[string]bool{
	"POST /api/v1/products/{id}/sboms":      true,
	"POST /api/v1/products/{id}/vex":        true,
	"POST /portal/vuln/products/{id}/sboms": true,
	"POST /portal/vuln/products/{id}/vex":   true,
}

// capBodiesFor caps request bodies as capBodies does, except on
// documentRoutes, whose bodies may be up to sbom.MaxSize.
func capBodiesFor(mux *http.ServeMux, next http.Handler) http.Handler {
	capped := capBodies(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Method == http.MethodPost {
			if _, pattern := mux.Handler(r); documentRoutes[pattern] {
				r.Body = http.MaxBytesReader(w, r.Body, sbom.MaxSize)
				next.ServeHTTP(w, r)
				return
			}
		}
		capped.ServeHTTP(w, r)
	})
}

// readDocument reads a document request body whole. The caller must be
// authenticated first, so that nobody anonymous makes the server read
// megabytes.
func readDocument(r *http.Request, what string) ([]byte, error) {
	doc, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, trustmark.Errorf(trustmark.KindTooLarge, "the %s is larger than %d MiB, the most accepted", what, mbe.Limit>>20)
		}
		return nil, trustmark.Errorf(trustmark.KindInvalid, "the %s could not be read: %v", what, err)
	}
	if len(doc) == 0 {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "the request body is empty: send the %s document itself as the body", what)
	}
	return doc, nil
}

// needCaller refuses an anonymous request before its body is read; the
// program decides everything else.
func needCaller(pr *trustmark.Principal) error {
	if pr == nil {
		return trustmark.Errorf(trustmark.KindUnauthenticated, "this needs an API token: send Authorization: Bearer <token>")
	}
	return nil
}

// sbomUpload is the answer to an SBOM upload: the SBOM's metadata, how
// many components it lists and what the parser warns about.
type sbomUpload struct {
	trustmark.SBOM
	ComponentCount int      `json:"component_count"`
	Warnings       []string `json:"warnings"`
}

// POST /api/v1/products/{id}/sboms?version=V (the product's manufacturer,
// member or admin): the body is the SBOM document (CycloneDX JSON or XML,
// SPDX JSON or tag-value), whatever its Content-Type; the format is
// detected. 201 with the SBOM's metadata, its component count and the
// parser's warnings.
func (s *Server) handleUploadSBOM(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	if err := needCaller(pr); err != nil {
		return err
	}
	version := r.URL.Query().Get("version")
	if version == "" {
		return trustmark.FieldError("version", "is required: add ?version= with the product (firmware or software) version the SBOM describes")
	}
	doc, err := readDocument(r, "SBOM")
	if err != nil {
		return err
	}
	sb, warnings, err := s.program.UploadSBOM(r.Context(), pr, r.PathValue("id"), version, doc)
	if err != nil {
		return err
	}
	if warnings == nil {
		warnings = []string{}
	}
	out := sbomUpload{SBOM: *sb, ComponentCount: len(sb.Components), Warnings: warnings}
	out.Components = nil
	w.Header().Set("Location", "/api/v1/sboms/"+sb.ID)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// GET /api/v1/products/{id}/sboms (the product's manufacturer, its CLA, its
// lab, the regulator): the product's SBOMs, newest first, without components.
func (s *Server) handleListSBOMs(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.SBOMs(r.Context(), pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// GET /api/v1/sboms/{id} (as the product's SBOM list): one SBOM with its components.
func (s *Server) handleGetSBOM(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	sb, err := s.program.SBOM(r.Context(), pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	if sb.Components == nil {
		sb.Components = []trustmark.SoftwareComponent{}
	}
	writeJSON(w, http.StatusOK, sbomView{SBOM: *sb, ComponentCount: len(sb.Components), Components: sb.Components})
	return nil
}

// sbomView shows an SBOM's components even when there are none.
type sbomView struct {
	trustmark.SBOM
	ComponentCount int                           `json:"component_count"`
	Components     []trustmark.SoftwareComponent `json:"components"`
}

// GET /api/v1/sboms/{id}/findings (as the product's SBOM list): the SBOM
// matched now against the stored advisories, with VEX applied, opening no
// alerts — how an unlabeled product's SBOM is checked.
func (s *Server) handleSBOMFindings(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	f, err := s.program.SBOMFindings(r.Context(), pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// sbomMediaTypes are the registered media types of the SBOM formats.
var sbomMediaTypes = map[trustmark.SBOMFormat]struct{ mediaType, ext string }{
	trustmark.SBOMCycloneDXJSON: {"application/vnd.cyclonedx+json", "cdx.json"},
	trustmark.SBOMCycloneDXXML:  {"application/vnd.cyclonedx+xml", "cdx.xml"},
	trustmark.SBOMSPDXJSON:      {"application/spdx+json", "spdx.json"},
	trustmark.SBOMSPDXTagValue:  {"text/spdx; charset=utf-8", "spdx"},
}

// GET /api/v1/sboms/{id}/document (as the product's SBOM list): the
// document as uploaded, as an attachment.
func (s *Server) handleSBOMDocument(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	sb, doc, err := s.program.SBOMDocument(r.Context(), pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	mt, ok := sbomMediaTypes[sb.Format]
	if !ok {
		mt.mediaType, mt.ext = "application/octet-stream", "bin"
	}
	h := w.Header()
	h.Set("Content-Type", mt.mediaType)
	h.Set("Content-Disposition", `attachment; filename="`+sb.ID+"."+mt.ext+`"`)
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	h.Set("X-SBOM-SHA256", sb.SHA256)
	h.Set("Cache-Control", "private, no-store")
	w.Write(doc)
	return nil
}

// POST /api/v1/products/{id}/vex (the product's manufacturer, member or
// admin): the body is a VEX document (OpenVEX, CycloneDX VEX or CSAF VEX);
// 201 with the statements stored, the caller recorded as their author.
func (s *Server) handleUploadVEX(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	if err := needCaller(pr); err != nil {
		return err
	}
	doc, err := readDocument(r, "VEX")
	if err != nil {
		return err
	}
	stmts, err := s.program.UploadVEX(r.Context(), pr, r.PathValue("id"), doc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, items(stmts))
	return nil
}

// GET /api/v1/products/{id}/vex (as the product's SBOM list): its VEX
// statements, oldest first.
func (s *Server) handleListVEX(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.VEXStatements(r.Context(), pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// GET /api/v1/alerts?state=&product= (manufacturer: its own; CLA: its
// grants'; Lead Administrator and regulator: all).
func (s *Server) handleListAlerts(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	q := r.URL.Query()
	list, err := s.program.Alerts(r.Context(), pr, trustmark.AlertFilter{State: trustmark.AlertState(q.Get("state")), ProductID: q.Get("product")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// GET /api/v1/alerts/{id} (its manufacturer and CLA, the overseers).
func (s *Server) handleGetAlert(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	a, err := s.program.Alert(r.Context(), pr, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// POST /api/v1/alerts/{id}/finding (the alert's CLA, member or admin):
// {"note"} → the alert, now a surveillance finding (a failed for-cause
// sample that suspends an active grant).
func (s *Server) handleAlertFinding(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in struct {
		Note string `json:"note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.program.AlertToFinding(r.Context(), pr, r.PathValue("id"), in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// POST /api/v1/webhooks (an admin of a manufacturer or CLA): {"url"} →
// the webhook and its signing secret, shown once.
func (s *Server) handleCreateWebhook(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in struct {
		URL string `json:"url"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	hook, secret, err := s.program.CreateWebhook(r.Context(), pr, in.URL)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"webhook": hook, "secret": secret})
	return nil
}

// GET /api/v1/webhooks (an admin of a manufacturer or CLA): its
// organization's webhooks, without secrets.
func (s *Server) handleListWebhooks(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.Webhooks(r.Context(), pr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// DELETE /api/v1/webhooks/{id} (an admin of the webhook's organization).
func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	if err := s.program.DeleteWebhook(r.Context(), pr, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
