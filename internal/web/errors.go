package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"trustmark"
)

// statusOf is the one mapping from error kinds to HTTP status codes.
func statusOf(kind trustmark.ErrorKind) int {
	switch kind {
	case trustmark.KindInvalid:
		return http.StatusBadRequest
	case trustmark.KindNotFound:
		return http.StatusNotFound
	case trustmark.KindConflict:
		return http.StatusConflict
	case trustmark.KindRule:
		return http.StatusUnprocessableEntity
	case trustmark.KindUnauthenticated:
		return http.StatusUnauthorized
	case trustmark.KindForbidden:
		return http.StatusForbidden
	case trustmark.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case trustmark.KindRateLimited:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// errorBody is the JSON shape of every API error:
// {"error": {"code": "...", "message": "..."}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// logFault writes 5xx causes to the log; callers never see them.
func (s *Server) logFault(r *http.Request, err error) {
	if trustmark.KindOf(err) == trustmark.KindInternal {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("error", err))
	}
}

// apiError answers an API request with the JSON error for err.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	s.logFault(r, err)
	kind := trustmark.KindOf(err)
	body := errorBody{Error: errorDetail{Code: string(kind), Message: trustmark.PublicMessage(err)}}
	var te *trustmark.Error
	if errors.As(err, &te) && kind != trustmark.KindInternal {
		body.Error.Field = te.Field
	}
	writeJSON(w, statusOf(kind), body)
}

// pageError answers a page request with an HTML error page for err.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	s.logFault(r, err)
	kind := trustmark.KindOf(err)
	status := statusOf(kind)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "error.html", errorPage{
		page:    s.newPage(r, http.StatusText(status)),
		Status:  status,
		Message: trustmark.PublicMessage(err),
	})
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"internal error"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
