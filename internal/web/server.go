// Package web serves trustmark over HTTP: the public registry as JSON
// (/api/v1/registry) and as server-rendered pages (/p/{label_id}), with one
// place that maps domain error kinds to HTTP responses.
package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
	"trustmark/internal/tlog"
)

// Config configures a Server. The zero value of every field but BaseURL has
// a sensible default.
type Config struct {
	// BaseURL is the public URL QR codes point to, e.g. https://labels.example.org.
	BaseURL string
	// Logger receives request logs and faults; nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// RateLimit is the sustained number of public requests per second one
	// client may make; 0 disables the limit.
	RateLimit float64
	// RateBurst is how many requests a client may make at once; default 2×RateLimit.
	RateBurst int
	// ComplaintsPerHour is how many complaints one client may file per hour
	// (burst 3); default 10, negative disables the extra limit.
	ComplaintsPerHour float64
	// ClientIPHeader names a header set by a trusted reverse proxy that
	// carries the client's address (e.g. X-Forwarded-For); empty means the
	// TCP peer address is the client.
	ClientIPHeader string
	// CacheEntries bounds the number of registry records kept rendered in
	// memory; default 100,000. Negative disables the cache.
	CacheEntries int
	// Program applies the label program's rules; nil means one over the
	// store with Criteria and Now.
	Program *program.Program
	// Log is the transparency log served under /log/; nil serves none.
	Log *tlog.Log
	// Criteria are the catalogs and mappings served under /api/v1/catalogs
	// and /catalogs; nil means the ones built into the binary.
	Criteria *criteria.Set
	// CacheRefresh is how often the cache asks the store for changed records,
	// the longest a change made by another process stays unseen; default 1 s.
	CacheRefresh time.Duration
	// Metrics are served at /metrics; nil means a new set. Give the same
	// Metrics the store was instrumented with (Metrics.InstrumentStore).
	Metrics *Metrics
	// WebhookPoll is how often the webhook deliverer sends due alert
	// notifications; default 5 s; negative runs no deliverer. The deliverer
	// runs only when the program has a webhook key; Close stops it.
	WebhookPoll time.Duration
	// WebhookClient sends webhook deliveries; nil means one with a 10 s
	// timeout that follows no redirects and dials only public addresses.
	WebhookClient *http.Client
	// WebhookPrivate lets the default client deliver to loopback, private
	// and link-local addresses too (an intranet receiver, or a test).
	WebhookPrivate bool
}

// Server is the trustmark HTTP handler.
type Server struct {
	store   trustmark.Store
	base    string
	log     *slog.Logger
	now     func() time.Time
	limiter *rateLimiter
	// complaints limits complaint filing per client, beyond the general limit.
	complaints *rateLimiter
	cache      *recordCache
	assets     *assets
	pages      *pageSet
	criteria   *criteria.Set
	program    *program.Program
	tlog       *tlog.Log
	metrics    *Metrics
	handler    http.Handler
	// webhookClient sends webhook deliveries; deliverer runs them (nil: none).
	webhookClient *http.Client
	deliverer     *deliverer
}

// NewServer returns the HTTP handler of trustmark over store.
func NewServer(store trustmark.Store, cfg Config) (*Server, error) {
	if store == nil {
		return nil, errors.New("web: nil store")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, errors.New("web: BaseURL must start with http:// or https://")
	}
	s := &Server{store: store, base: base, log: cfg.Logger, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.RateLimit > 0 {
		burst := cfg.RateBurst
		if burst <= 0 {
			burst = max(1, int(2*cfg.RateLimit))
		}
		s.limiter = newRateLimiter(cfg.RateLimit, burst, cfg.ClientIPHeader)
	}
	switch {
	case cfg.ComplaintsPerHour == 0:
		s.complaints = newRateLimiter(10.0/3600, 3, cfg.ClientIPHeader)
	case cfg.ComplaintsPerHour > 0:
		s.complaints = newRateLimiter(cfg.ComplaintsPerHour/3600, 3, cfg.ClientIPHeader)
	}
	var err error
	s.criteria = cfg.Criteria
	if s.criteria == nil {
		if s.criteria, err = criteria.Embedded(); err != nil {
			return nil, err
		}
	}
	s.tlog = cfg.Log
	s.program = cfg.Program
	if s.program == nil {
		s.program = program.New(store, s.criteria, program.Config{Now: s.now})
	}
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = loadPages(s.assets); err != nil {
		return nil, err
	}
	entries, refresh := cfg.CacheEntries, cfg.CacheRefresh
	if entries == 0 {
		entries = 100_000
	}
	if refresh <= 0 {
		refresh = time.Second
	}
	s.cache = newRecordCache(store, entries, refresh, s.now, s.log)
	s.metrics = cfg.Metrics
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	s.metrics.watchLog(store)
	s.handler = s.routes()
	s.webhookClient = cfg.WebhookClient
	if s.webhookClient == nil {
		s.webhookClient = newWebhookClient(cfg.WebhookPrivate)
	}
	if s.program.WebhooksEnabled() && cfg.WebhookPoll >= 0 {
		poll := cfg.WebhookPoll
		if poll == 0 {
			poll = defaultWebhookPoll
		}
		s.startDeliverer(poll)
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Invalidate drops cached registry records at once, after this process
// changed them (other processes' changes are found by polling).
func (s *Server) Invalidate(ids ...trustmark.LabelID) {
	for _, id := range ids {
		s.cache.invalidate(id)
	}
}
