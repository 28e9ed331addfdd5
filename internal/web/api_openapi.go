package web

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3.1 description of the JSON API.
//
//go:embed openapi.json
var openAPI []byte

// handleOpenAPI answers GET /api/v1/openapi.json (anyone).
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	serveBody(w, r, newBody(openAPI), "application/json; charset=utf-8", "public, max-age=3600")
}
