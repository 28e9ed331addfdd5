package web

import (
	"fmt"
	"net/http"
	"strings"

	"trustmark"
	"trustmark/internal/tlog"
)

// needLog fails when the server runs without a transparency log.
func (s *Server) needLog() error {
	if s.tlog == nil {
		return trustmark.Errorf(trustmark.KindNotFound, "this server keeps no transparency log")
	}
	return nil
}

// handleCheckpoint answers GET /log/checkpoint (anyone): the latest signed
// checkpoint (c2sp.org/tlog-checkpoint).
func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	if err := s.needLog(); err != nil {
		s.apiError(w, r, err)
		return
	}
	head, err := s.tlog.Head(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(head.Note)
}

// handleTile answers GET /log/tile/… (anyone): hash tiles and entry
// bundles per c2sp.org/tlog-tiles. Full tiles never change and are cached
// for a year; partial ones are not cached.
func (s *Server) handleTile(w http.ResponseWriter, r *http.Request) {
	if err := s.needLog(); err != nil {
		s.apiError(w, r, err)
		return
	}
	tile, err := tlog.ParseTilePath(strings.TrimPrefix(r.URL.Path, "/log/"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	data, full, err := s.tlog.Tile(r.Context(), tile)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if full {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Write(data)
}

// handleLogKey answers GET /api/v1/log/key (anyone): the log's verifier key
// in signed-note format.
func (s *Server) handleLogKey(w http.ResponseWriter, r *http.Request) {
	if err := s.needLog(); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write([]byte(s.tlog.VerifierKey() + "\n"))
}

// handleProof answers GET /api/v1/registry/{label_id}/proof (anyone): a
// c2sp.org/tlog-proof that the label's latest event is in the log, whose
// extra data is the logged event itself. 409 while the event awaits its
// checkpoint.
func (s *Server) handleProof(w http.ResponseWriter, r *http.Request) {
	if err := s.needLog(); err != nil {
		s.apiError(w, r, err)
		return
	}
	id, err := trustmark.ParseLabelID(r.PathValue("label_id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	// The label's latest event comes from the record cache, so a proof costs
	// no database query once the record is cached.
	e, err := s.cache.get(r.Context(), id, s.resolve)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if e.rec.LogIndex == nil {
		s.apiError(w, r, trustmark.Errorf(trustmark.KindNotFound, "label %s has no logged events", id))
		return
	}
	idx := *e.rec.LogIndex
	entry := e.event.Load()
	if entry == nil {
		entries, err := s.store.LogEntries(r.Context(), idx, idx+1)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		if len(entries) != 1 {
			s.apiError(w, r, trustmark.Internal(fmt.Errorf("log entry %d of %s missing", idx, id)))
			return
		}
		entry = &entries[0]
		e.event.Store(entry)
	}
	proof, err := s.tlog.Prove(r.Context(), idx, *entry)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(proof)
}

// historyEvent is one event in a label's history.
type historyEvent struct {
	Index      int64                `json:"index"`
	Integrated bool                 `json:"integrated"`
	Event      trustmark.LabelEvent `json:"event"`
}

// handleHistory answers GET /api/v1/registry/{label_id}/history (anyone):
// every logged event of the label, oldest first, with its log index.
func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	if err := s.needLog(); err != nil {
		s.apiError(w, r, err)
		return
	}
	id, err := trustmark.ParseLabelID(r.PathValue("label_id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	idx, entries, err := s.store.LabelLog(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if len(idx) == 0 {
		if _, err := s.store.RegistryRecord(r.Context(), id); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	var size int64
	if head, err := s.tlog.Head(r.Context()); err == nil {
		size = head.Size
	}
	events := []historyEvent{}
	for i, data := range entries {
		e, err := trustmark.DecodeLabelEvent(data)
		if err != nil {
			s.apiError(w, r, trustmark.Internal(err))
			return
		}
		events = append(events, historyEvent{Index: idx[i], Integrated: idx[i] < size, Event: e})
	}
	writeJSON(w, http.StatusOK, map[string]any{"label_id": id, "events": events})
}
