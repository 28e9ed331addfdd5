package web

import (
	"net/http"
	"strings"

	"trustmark"
)

// principal returns the caller a request's bearer token stands for: nil
// without an Authorization header; KindUnauthenticated for a malformed,
// unknown or revoked token. Tokens are never logged.
func (s *Server) principal(r *http.Request) (*trustmark.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return nil, trustmark.Errorf(trustmark.KindUnauthenticated, "the Authorization header must be \"Bearer <token>\"")
	}
	return s.program.Authenticate(r.Context(), strings.TrimSpace(secret))
}

// apiHandler is an API handler that receives the caller (nil when anonymous).
type apiHandler func(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error

// api adapts an apiHandler: it authenticates the caller and turns a
// returned error into the JSON error response. Whether the caller may act
// is decided by the program, not here.
func (s *Server) api(h apiHandler) http.Handler {
	return s.limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr, err := s.principal(r)
		if err == nil {
			err = h(w, r, pr)
		}
		if err != nil {
			s.apiError(w, r, err)
		}
	}))
}

// refuseBadTokens lets anonymous requests through a public route but
// answers 401 to a request whose token is malformed, unknown or revoked, so
// a credential problem is never silently ignored. It costs nothing when no
// Authorization header is sent.
func (s *Server) refuseBadTokens(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			if _, err := s.principal(r); err != nil {
				if isAPI(r) {
					s.apiError(w, r, err)
				} else {
					s.pageError(w, r, err)
				}
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
