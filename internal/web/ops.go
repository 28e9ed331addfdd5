package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// handleReadyz says whether this server can serve requests now: its store
// answers within two seconds. Load balancers take a server whose /readyz
// fails out of rotation; /healthz only says the process runs. The cause of
// a failure goes to the log, not to the caller.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "not ready: the store does not answer", slog.Any("error", err))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "the database does not answer"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
