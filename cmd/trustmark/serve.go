package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"trustmark/internal/criteria"
	"trustmark/internal/demo"
	"trustmark/internal/program"
	"trustmark/internal/web"
)

// serveConfig is every setting of "trustmark serve". Each has a flag and an
// environment variable; a flag given on the command line wins.
type serveConfig struct {
	Addr            string        // --addr, TRUSTMARK_ADDR
	Data            string        // --data, TRUSTMARK_DATA
	DatabaseURL     string        // --database-url, TRUSTMARK_DATABASE_URL
	Migrate         bool          // --migrate, TRUSTMARK_MIGRATE
	BaseURL         string        // --base-url, TRUSTMARK_BASE_URL
	Demo            bool          // --demo, TRUSTMARK_DEMO
	LogLevel        string        // --log-level, TRUSTMARK_LOG_LEVEL
	LogFormat       string        // --log-format, TRUSTMARK_LOG_FORMAT
	RateLimit       float64       // --rate-limit, TRUSTMARK_RATE_LIMIT
	RateBurst       int           // --rate-burst, TRUSTMARK_RATE_BURST
	ClientIPHeader  string        // --client-ip-header, TRUSTMARK_CLIENT_IP_HEADER
	CacheEntries    int           // --cache-entries, TRUSTMARK_CACHE_ENTRIES
	ShutdownTimeout time.Duration // --shutdown-timeout, TRUSTMARK_SHUTDOWN_TIMEOUT
	SweepInterval   time.Duration // --sweep-interval, TRUSTMARK_SWEEP_INTERVAL
	LogOrigin       string        // --log-origin, TRUSTMARK_LOG_ORIGIN; the signer key comes from TRUSTMARK_LOG_KEY or DATA/log.key
	WebhookPrivate  bool          // --webhook-private, TRUSTMARK_WEBHOOK_PRIVATE
}

// envFlags registers flags whose defaults come from environment variables.
type envFlags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	errs   []error
}

func (e *envFlags) str(p *string, name, env, def, help string) {
	if v := e.getenv(env); v != "" {
		def = v
	}
	e.fs.StringVar(p, name, def, help+" (env "+env+")")
}

func (e *envFlags) boolean(p *bool, name, env string, def bool, help string) {
	if v := e.getenv(env); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want true or false", env, v))
		}
		def = b
	}
	e.fs.BoolVar(p, name, def, help+" (env "+env+")")
}

func (e *envFlags) float(p *float64, name, env string, def float64, help string) {
	if v := e.getenv(env); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want a number ≥ 0", env, v))
		}
		def = f
	}
	e.fs.Float64Var(p, name, def, help+" (env "+env+")")
}

func (e *envFlags) integer(p *int, name, env string, def int, help string) {
	if v := e.getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want a whole number", env, v))
		}
		def = n
	}
	e.fs.IntVar(p, name, def, help+" (env "+env+")")
}

func (e *envFlags) duration(p *time.Duration, name, env string, def time.Duration, help string) {
	if v := e.getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want a duration such as 10s", env, v))
		}
		def = d
	}
	e.fs.DurationVar(p, name, def, help+" (env "+env+")")
}

// dataFlag registers --data, shared by every command that opens the store.
func (e *envFlags) dataFlag(p *string) {
	e.str(p, "data", "TRUSTMARK_DATA", "./trustmark-data", "directory holding the SQLite database (unless --database-url is set) and the log key; created if missing")
}

func runServe(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [flags]\n\nRuns the registry server until SIGINT or SIGTERM.\nWebhook secrets are sealed with TRUSTMARK_WEBHOOK_KEY (base64, 32+ bytes) or <data>/webhook.key, generated on first start.", stderr)
	var cfg serveConfig
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.str(&cfg.Addr, "addr", "TRUSTMARK_ADDR", "127.0.0.1:8080", "address to listen on, host:port (port 0 picks a free port)")
	ef.dataFlag(&cfg.Data)
	ef.databaseURLFlag(&cfg.DatabaseURL)
	ef.boolean(&cfg.Migrate, "migrate", "TRUSTMARK_MIGRATE", false, "apply pending PostgreSQL migrations before serving (without it a server refuses an outdated schema; SQLite stores always migrate)")
	ef.str(&cfg.BaseURL, "base-url", "TRUSTMARK_BASE_URL", "", "public URL that label QR codes point to (default http://<addr>)")
	ef.boolean(&cfg.Demo, "demo", "TRUSTMARK_DEMO", false, "load the demo dataset (idempotent) before serving")
	ef.str(&cfg.LogLevel, "log-level", "TRUSTMARK_LOG_LEVEL", "info", "log level: debug, info, warn or error (info logs every request)")
	ef.str(&cfg.LogFormat, "log-format", "TRUSTMARK_LOG_FORMAT", "text", "log format: text or json")
	ef.float(&cfg.RateLimit, "rate-limit", "TRUSTMARK_RATE_LIMIT", 20, "public requests per second allowed per client address; 0 disables the limit")
	ef.integer(&cfg.RateBurst, "rate-burst", "TRUSTMARK_RATE_BURST", 0, "requests a client may send at once (default 2 × rate-limit)")
	ef.str(&cfg.ClientIPHeader, "client-ip-header", "TRUSTMARK_CLIENT_IP_HEADER", "", "header a trusted proxy sets to the client address, e.g. X-Forwarded-For (rightmost entry is used)")
	ef.integer(&cfg.CacheEntries, "cache-entries", "TRUSTMARK_CACHE_ENTRIES", 100000, "registry records kept rendered in memory; -1 disables the cache")
	ef.duration(&cfg.ShutdownTimeout, "shutdown-timeout", "TRUSTMARK_SHUTDOWN_TIMEOUT", 15*time.Second, "how long to let in-flight requests finish on shutdown")
	ef.str(&cfg.LogOrigin, "log-origin", "TRUSTMARK_LOG_ORIGIN", "", "the transparency log's origin, first line of its checkpoints (default: the key's name; on first start <base-url host>/log); the signer key is TRUSTMARK_LOG_KEY or <data>/log.key, generated on first start")
	ef.duration(&cfg.SweepInterval, "sweep-interval", "TRUSTMARK_SWEEP_INTERVAL", time.Minute, "how often to apply the program's clocks (terminate grants whose cure period ended)")
	ef.boolean(&cfg.WebhookPrivate, "webhook-private", "TRUSTMARK_WEBHOOK_PRIVATE", false, "let alert webhooks reach loopback, private and link-local addresses (an intranet receiver); by default only public addresses are called")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := errors.Join(ef.errs...); err != nil {
		return usageError{err.Error()}
	}
	if cfg.SweepInterval < time.Second {
		return usageError{"--sweep-interval must be at least 1s"}
	}
	log, err := newLogger(cfg.LogLevel, cfg.LogFormat, stderr)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	base, err := baseURL(cfg.BaseURL, ln.Addr().String())
	if err != nil {
		return err
	}

	stf := storeFlags{Data: cfg.Data, DatabaseURL: cfg.DatabaseURL}
	raw, err := openStore(ctx, stf, cfg.Migrate)
	if err != nil {
		return err
	}
	defer raw.Close()
	// Everything uses the store through the wrapper that times it for /metrics.
	metrics := web.NewMetrics()
	db := metrics.InstrumentStore(raw)
	if cfg.Demo {
		n, err := demo.Load(ctx, db)
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		log.Info("demo data loaded", slog.Int("new_grants", n),
			slog.Int("portal_users", len(demo.Users())), slog.String("portal_sign_in", "see README.md, Portal sign-in (demo)"))
	}

	if getenv("TRUSTMARK_LOG_KEY") == "" {
		if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
	}
	tl, err := openLog(db, cfg.Data, cfg.LogOrigin, defaultOrigin(base), getenv("TRUSTMARK_LOG_KEY"), log)
	if err != nil {
		return err
	}
	if err := checkLogKey(ctx, db, tl); err != nil {
		return err
	}
	go tl.Run(ctx)
	set, err := criteria.Embedded()
	if err != nil {
		return err
	}
	whKey, err := webhookKey(cfg.Data, getenv("TRUSTMARK_WEBHOOK_KEY"))
	if err != nil {
		return err
	}
	prog := program.New(db, set, program.Config{Committed: tl.Kick, WebhookKey: whKey})
	h, err := web.NewServer(db, web.Config{
		BaseURL: base, Logger: log, RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst,
		ClientIPHeader: cfg.ClientIPHeader, CacheEntries: cfg.CacheEntries, Program: prog, Criteria: set, Log: tl, Metrics: metrics,
		WebhookPrivate: cfg.WebhookPrivate,
	})
	if err != nil {
		return err
	}
	defer h.Close() // stops the webhook deliverer
	go sweep(ctx, prog, h, cfg.SweepInterval, log)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("trustmark serving", slog.String("addr", ln.Addr().String()), slog.String("base_url", base), slog.String("store", stf.describe()),
		slog.String("log_origin", tl.Origin()))
	fmt.Fprintf(stdout, "trustmark serving on http://%s (base URL %s)\n", ln.Addr(), base)

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// sweep applies the program's clocks every interval until ctx ends.
func sweep(ctx context.Context, prog *program.Program, h *web.Server, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		ids, err := prog.Sweep(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("sweep failed", slog.Any("error", err))
		}
		if len(ids) > 0 {
			h.Invalidate(ids...)
			log.Info("cure periods ended: grants terminated", slog.Int("count", len(ids)))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// baseURL returns the configured base URL, or one derived from the address
// the server listens on.
func baseURL(configured, listenAddr string) (string, error) {
	if configured != "" {
		if !strings.HasPrefix(configured, "http://") && !strings.HasPrefix(configured, "https://") {
			return "", usageError{fmt.Sprintf("--base-url %q must start with http:// or https://", configured)}
		}
		return strings.TrimRight(configured, "/"), nil
	}
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// newLogger builds the structured logger.
func newLogger(level, format string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("--log-level %q: want debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("--log-format %q: want text or json", format)}
}
