package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"trustmark"
	"trustmark/internal/criteria"
)

// criteriaError turns the criteria package's errors into domain kinds:
// catalogs, requirements and mappings looked up by URL and not found are
// KindNotFound; an assessment that cannot be evaluated — including one
// against an unknown catalog — is KindRule (HTTP 422) naming the offending
// requirement when there is one.
func criteriaError(err error) error {
	var ie *criteria.InputError
	switch {
	case errors.As(err, &ie):
		e := &trustmark.Error{Kind: trustmark.KindRule, Message: ie.Message}
		if ie.Requirement != "" {
			e.Field = "results[" + ie.Requirement + "]"
		}
		return e
	case errors.Is(err, criteria.ErrNotFound):
		return &trustmark.Error{Kind: trustmark.KindNotFound, Message: err.Error()}
	}
	return trustmark.Internal(err)
}

// handleCatalogs answers GET /api/v1/catalogs (anyone): every catalog with
// its id, title, version and counts.
func (s *Server) handleCatalogs(w http.ResponseWriter, r *http.Request) {
	writeCachedJSON(w, r, map[string]any{"items": s.criteria.Catalogs(), "mappings": s.criteria.Mappings()})
}

// handleCatalog answers GET /api/v1/catalogs/{id} (anyone): the catalog as
// an OSCAL 1.1 JSON document.
func (s *Server) handleCatalog(w http.ResponseWriter, r *http.Request) {
	b, err := s.criteria.CatalogJSON(r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, criteriaError(err))
		return
	}
	serveBody(w, r, newBody(b), "application/json; charset=utf-8", "public, max-age=3600")
}

// handleMapping answers GET /api/v1/mappings/{from}/{to} (anyone): the
// typed relations from one catalog's requirements to another's.
func (s *Server) handleMapping(w http.ResponseWriter, r *http.Request) {
	b, err := s.criteria.MappingJSON(r.PathValue("from"), r.PathValue("to"))
	if err != nil {
		s.apiError(w, r, criteriaError(err))
		return
	}
	serveBody(w, r, newBody(b), "application/json; charset=utf-8", "public, max-age=3600")
}

// handleEvaluate answers POST /api/v1/evaluate (anyone; it reads and stores
// nothing): given one assessment against a catalog, what can and cannot be
// claimed under every scheme reachable through the mappings.
func (s *Server) handleEvaluate(w http.ResponseWriter, r *http.Request) {
	var a criteria.Assessment
	if err := decodeJSON(r, &a); err != nil {
		s.apiError(w, r, err)
		return
	}
	res, err := s.criteria.Evaluate(a)
	if err != nil {
		s.apiError(w, r, criteriaError(err))
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// decodeJSON reads one JSON object from the request body into v, refusing
// unknown fields, trailing data and bodies over the size cap with KindInvalid.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return trustmark.Errorf(trustmark.KindInvalid, "Content-Type must be application/json, not %q", ct)
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return trustmark.Errorf(trustmark.KindTooLarge, "the request body is larger than %d bytes", mbe.Limit)
		case errors.Is(err, io.EOF):
			return trustmark.Errorf(trustmark.KindInvalid, "the request body is empty; send a JSON object")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return trustmark.Errorf(trustmark.KindInvalid, "the request body is not valid JSON: it ends too early")
		case errors.As(err, &se):
			return trustmark.Errorf(trustmark.KindInvalid, "the request body is not valid JSON (at byte %d)", se.Offset)
		case errors.As(err, &te):
			return trustmark.Errorf(trustmark.KindInvalid, "field %q must be a JSON %s", te.Field, te.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return trustmark.Errorf(trustmark.KindInvalid, "%s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return trustmark.Errorf(trustmark.KindInvalid, "the request body is not a valid JSON object: %v", err)
	}
	if dec.More() {
		return trustmark.Errorf(trustmark.KindInvalid, "the request body holds more than one JSON value")
	}
	return nil
}

// writeCachedJSON writes v with an ETag and a one-hour cache lifetime, for
// data that changes only with a new release.
func writeCachedJSON(w http.ResponseWriter, r *http.Request, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	serveBody(w, r, newBody(append(b, '\n')), "application/json; charset=utf-8", "public, max-age=3600")
}
