package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"trustmark"
)

// Metrics are the server's Prometheus metrics, served at /metrics: request
// latency by route, store latency by operation, the transparency log's size
// and how far its checkpoint lags behind, and the Go runtime's and the
// process's. Each Metrics has its own registry (no global state).
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	store    *prometheus.HistogramVec
}

// NewMetrics returns an empty set of metrics with the runtime's registered.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "trustmark_http_request_duration_seconds",
		Help: "Time to serve HTTP requests, by route pattern (as in routes.go), method and status code.",
		// From a cached record (~50 µs) to a slow write (seconds).
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "code"})
	m.store = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "trustmark_store_operation_duration_seconds",
		Help:    "Time of store operations as callers see it (transact includes waiting for the group commit), by operation and result (ok or the error kind).",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"operation", "result"})
	m.reg.MustRegister(m.requests, m.store,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) handler(log *slog.Logger) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// instrument observes the latency of every request by the pattern the mux
// matched, which it reads from r.Pattern after next (the mux) returns.
func (m *Metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if _, path, ok := strings.Cut(route, " "); ok {
			route = path
		}
		if route == "" || route == "/" {
			route = "unmatched" // the catch-all's 404s and 405s
		}
		code := rec.status
		if code == 0 {
			code = http.StatusOK
		}
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(code)).Observe(time.Since(start).Seconds())
	})
}

// watchLog registers the log's gauges, read from store at each scrape
// (once per Metrics: a second server sharing them reports the same log).
func (m *Metrics) watchLog(store trustmark.Store) {
	m.reg.Register(&logCollector{store: store})
}

// logCollector reports the transparency log's size and integration lag.
type logCollector struct {
	store trustmark.Store
}

var (
	logEntriesDesc = prometheus.NewDesc("trustmark_log_entries",
		"Entries sequenced in the transparency log, integrated or not.", nil, nil)
	logCheckpointDesc = prometheus.NewDesc("trustmark_log_checkpoint_size",
		"Tree size of the latest published checkpoint.", nil, nil)
	logLagDesc = prometheus.NewDesc("trustmark_log_integration_lag_entries",
		"Entries sequenced but not yet covered by a published checkpoint.", nil, nil)
)

func (c *logCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- logEntriesDesc
	ch <- logCheckpointDesc
	ch <- logLagDesc
}

func (c *logCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The checkpoint first: read the other way round, entries sequenced in
	// between would show as a negative lag.
	size, _, _, err := c.store.LogHead(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(logCheckpointDesc, err)
		return
	}
	n, err := c.store.LogSize(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(logEntriesDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(logEntriesDesc, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(logCheckpointDesc, prometheus.GaugeValue, float64(size))
	ch <- prometheus.MustNewConstMetric(logLagDesc, prometheus.GaugeValue, float64(max(0, n-size)))
}

// InstrumentStore returns s with the latency of each of its operations
// observed in m (trustmark_store_operation_duration_seconds). Wrap the store
// once and give the wrapper to everything that uses it.
func (m *Metrics) InstrumentStore(s trustmark.Store) trustmark.Store {
	return &instrumentedStore{s: s, m: m}
}

// instrumentedStore is a trustmark.Store that times its operations.
type instrumentedStore struct {
	s trustmark.Store
	m *Metrics
}

var _ trustmark.Store = (*instrumentedStore)(nil)

// observe records one operation that started at start and ended with err.
func (i *instrumentedStore) observe(op string, start time.Time, err error) {
	result := "ok"
	if err != nil {
		result = string(trustmark.KindOf(err))
	}
	i.m.store.WithLabelValues(op, result).Observe(time.Since(start).Seconds())
}

func (i *instrumentedStore) CreateOrganization(ctx context.Context, o *trustmark.Organization) (err error) {
	defer func(t time.Time) { i.observe("create_organization", t, err) }(time.Now())
	return i.s.CreateOrganization(ctx, o)
}

func (i *instrumentedStore) Organization(ctx context.Context, id string) (_ *trustmark.Organization, err error) {
	defer func(t time.Time) { i.observe("organization", t, err) }(time.Now())
	return i.s.Organization(ctx, id)
}

func (i *instrumentedStore) ListOrganizations(ctx context.Context, kind trustmark.OrgKind) (_ []trustmark.Organization, err error) {
	defer func(t time.Time) { i.observe("list_organizations", t, err) }(time.Now())
	return i.s.ListOrganizations(ctx, kind)
}

func (i *instrumentedStore) CreateProduct(ctx context.Context, p *trustmark.Product) (err error) {
	defer func(t time.Time) { i.observe("create_product", t, err) }(time.Now())
	return i.s.CreateProduct(ctx, p)
}

func (i *instrumentedStore) Product(ctx context.Context, id string) (_ *trustmark.Product, err error) {
	defer func(t time.Time) { i.observe("product", t, err) }(time.Now())
	return i.s.Product(ctx, id)
}

func (i *instrumentedStore) IssueGrant(ctx context.Context, g *trustmark.Grant, r *trustmark.RegistryRecord) (err error) {
	defer func(t time.Time) { i.observe("issue_grant", t, err) }(time.Now())
	return i.s.IssueGrant(ctx, g, r)
}

func (i *instrumentedStore) ImportGrants(ctx context.Context, items []trustmark.GrantImport) (err error) {
	defer func(t time.Time) { i.observe("import_grants", t, err) }(time.Now())
	return i.s.ImportGrants(ctx, items)
}

func (i *instrumentedStore) Grant(ctx context.Context, id trustmark.LabelID) (_ *trustmark.Grant, err error) {
	defer func(t time.Time) { i.observe("grant", t, err) }(time.Now())
	return i.s.Grant(ctx, id)
}

func (i *instrumentedStore) UpdateGrant(ctx context.Context, id trustmark.LabelID, at time.Time, fn func(*trustmark.Grant, *trustmark.RegistryRecord) error) (_ *trustmark.Grant, _ *trustmark.RegistryRecord, err error) {
	defer func(t time.Time) { i.observe("update_grant", t, err) }(time.Now())
	return i.s.UpdateGrant(ctx, id, at, fn)
}

func (i *instrumentedStore) RegistryRecord(ctx context.Context, id trustmark.LabelID) (_ *trustmark.RegistryRecord, err error) {
	defer func(t time.Time) { i.observe("registry_record", t, err) }(time.Now())
	return i.s.RegistryRecord(ctx, id)
}

func (i *instrumentedStore) ListRegistry(ctx context.Context, f trustmark.RegistryFilter) (_ *trustmark.RegistryPage, err error) {
	defer func(t time.Time) { i.observe("list_registry", t, err) }(time.Now())
	return i.s.ListRegistry(ctx, f)
}

func (i *instrumentedStore) RegistryChanges(ctx context.Context, after int64, limit int) (_ []trustmark.LabelID, _ int64, err error) {
	defer func(t time.Time) { i.observe("registry_changes", t, err) }(time.Now())
	return i.s.RegistryChanges(ctx, after, limit)
}

func (i *instrumentedStore) Transact(ctx context.Context, fn func(trustmark.Tx) error) (err error) {
	defer func(t time.Time) { i.observe("transact", t, err) }(time.Now())
	return i.s.Transact(ctx, fn)
}

func (i *instrumentedStore) View(ctx context.Context, fn func(trustmark.Tx) error) (err error) {
	defer func(t time.Time) { i.observe("view", t, err) }(time.Now())
	return i.s.View(ctx, fn)
}

func (i *instrumentedStore) LogHead(ctx context.Context) (_ int64, _ [32]byte, _ []byte, err error) {
	defer func(t time.Time) { i.observe("log_head", t, err) }(time.Now())
	return i.s.LogHead(ctx)
}

func (i *instrumentedStore) LogSize(ctx context.Context) (_ int64, err error) {
	defer func(t time.Time) { i.observe("log_size", t, err) }(time.Now())
	return i.s.LogSize(ctx)
}

func (i *instrumentedStore) LogEntries(ctx context.Context, start, end int64) (_ [][]byte, err error) {
	defer func(t time.Time) { i.observe("log_entries", t, err) }(time.Now())
	return i.s.LogEntries(ctx, start, end)
}

func (i *instrumentedStore) LabelLog(ctx context.Context, id trustmark.LabelID) (_ []int64, _ [][]byte, err error) {
	defer func(t time.Time) { i.observe("label_log", t, err) }(time.Now())
	return i.s.LabelLog(ctx, id)
}

func (i *instrumentedStore) ReadLogHashes(ctx context.Context, indexes []int64) (_ [][32]byte, err error) {
	defer func(t time.Time) { i.observe("read_log_hashes", t, err) }(time.Now())
	return i.s.ReadLogHashes(ctx, indexes)
}

func (i *instrumentedStore) StoreCheckpoint(ctx context.Context, oldSize, newSize int64, ids []int64, hashes [][32]byte, root [32]byte, note []byte) (err error) {
	defer func(t time.Time) { i.observe("store_checkpoint", t, err) }(time.Now())
	return i.s.StoreCheckpoint(ctx, oldSize, newSize, ids, hashes, root, note)
}

func (i *instrumentedStore) Ping(ctx context.Context) (err error) {
	defer func(t time.Time) { i.observe("ping", t, err) }(time.Now())
	return i.s.Ping(ctx)
}

func (i *instrumentedStore) Close() error { return i.s.Close() }
