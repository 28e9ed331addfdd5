package labtest

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Default limits. A lab device is often small: the defaults keep the probe
// well below what an embedded TCP stack notices, except on loopback.
const (
	// DefaultRate is the default ceiling on new connections per second to
	// a device on the network.
	DefaultRate = 2000
	// DefaultLoopbackRate is the default ceiling when the target is this
	// machine (a device emulated on the lab host, or the test suite).
	DefaultLoopbackRate = 100000
	// DefaultConcurrency is the default number of connections discovery
	// keeps open at once.
	DefaultConcurrency = 512
	// MaxCredentialConcurrency is the most login attempts the probe runs
	// at once against one service.
	MaxCredentialConcurrency = 4
	// DefaultConnectTimeout, DefaultReadTimeout and DefaultBannerWait are
	// the default timeouts of a connection, of one protocol exchange and
	// of the wait for an unsolicited banner.
	DefaultConnectTimeout = 1500 * time.Millisecond
	DefaultReadTimeout    = 6 * time.Second
	DefaultBannerWait     = 1 * time.Second
)

// Config says what to probe and how. The zero value of each limit means
// its default.
type Config struct {
	// Target is the device as the lab names it: an address or host name.
	Target string
	// AllowPublic permits a target in a public address range.
	AllowPublic bool
	// Profile chooses the ports when Ports is empty (default quick).
	Profile Profile
	// Ports, when not empty, are the TCP ports to scan instead.
	Ports []int
	// PortSpec is how the lab wrote Ports, recorded in the report.
	PortSpec string
	// Declared are the ports the manufacturer declares the device needs;
	// when set, any other open port is a finding (EN 303 645 5.6-1).
	Declared []int

	Rate           float64       // new connections per second
	Concurrency    int           // connections discovery keeps open at once
	ConnectTimeout time.Duration // to open one connection
	ReadTimeout    time.Duration // for one protocol exchange
	BannerWait     time.Duration // for an unsolicited banner

	// CredentialConcurrency is the number of login attempts at once per
	// service, 1 to MaxCredentialConcurrency (default the maximum).
	CredentialConcurrency int
	// Credentials are the pairs to try (default: the built-in list).
	Credentials *CredentialList
	// NoLogin skips the default-credential attempts.
	NoLogin bool
	// NoUDP skips SSDP, CoAP and mDNS discovery.
	NoUDP bool
	// RootCAs verify the device's certificates (default: the system's);
	// a lab passes the manufacturer's device CA here.
	RootCAs *x509.CertPool

	// Logger receives one record per attempt (default: discard).
	Logger *slog.Logger
	// Progress, when set, is called as the probe advances; it may be
	// called from several goroutines at once.
	Progress func(Progress)
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Resolver resolves host-name targets (default net.DefaultResolver).
	Resolver Resolver
	// Tool names the probe in the report, e.g. "trustmark probe (go1.26)".
	Tool string
}

// Progress reports how far a probe is: Stage is discovery, identify,
// checks or done; Done of Total units (ports, then services).
type Progress struct {
	Stage   string
	Done    int
	Total   int
	Open    int
	Message string
}

// Probe runs one probe and returns its report. The report is returned
// also when the context is cancelled part way (Interrupted set, the error
// is the context's); other errors mean nothing was probed.
func Probe(ctx context.Context, cfg Config) (*Report, error) {
	p, err := newProber(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return p.run(ctx)
}

// prober is one run's state.
type prober struct {
	cfg     Config
	target  Target
	ports   []int
	creds   *CredentialList
	limiter *rate.Limiter
	rec     *recorder
	dialer  net.Dialer
}

func newProber(ctx context.Context, cfg Config) (*prober, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tool == "" {
		cfg.Tool = "trustmark/internal/labtest"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Profile == "" {
		cfg.Profile = ProfileQuick
	}
	if _, err := ParseProfile(string(cfg.Profile)); err != nil {
		return nil, err
	}
	if cfg.CredentialConcurrency == 0 {
		cfg.CredentialConcurrency = MaxCredentialConcurrency
	}
	if cfg.CredentialConcurrency < 1 || cfg.CredentialConcurrency > MaxCredentialConcurrency {
		return nil, fmt.Errorf("credential concurrency %d: want 1 to %d", cfg.CredentialConcurrency, MaxCredentialConcurrency)
	}
	if cfg.Rate < 0 || cfg.Concurrency < 0 || cfg.ConnectTimeout < 0 || cfg.ReadTimeout < 0 || cfg.BannerWait < 0 {
		return nil, errors.New("rate, concurrency and timeouts must not be negative")
	}
	t, err := ResolveTarget(ctx, cfg.Resolver, cfg.Target, cfg.AllowPublic)
	if err != nil {
		return nil, err
	}
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
		if t.Scope == ScopeLoopback {
			cfg.Rate = DefaultLoopbackRate
		}
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.BannerWait == 0 {
		cfg.BannerWait = DefaultBannerWait
	}
	creds := cfg.Credentials
	if creds == nil {
		if creds, err = BuiltinCredentials(); err != nil {
			return nil, err
		}
	}
	ports := cfg.Ports
	if len(ports) == 0 {
		ports = PortsFor(cfg.Profile)
		if cfg.PortSpec == "" {
			cfg.PortSpec = "profile " + string(cfg.Profile)
		}
	}
	for _, port := range ports {
		if port < 1 || port > 65535 {
			return nil, fmt.Errorf("port %d: want 1 to 65535", port)
		}
	}
	burst := max(1, int(cfg.Rate/100))
	return &prober{
		cfg:     cfg,
		target:  t,
		ports:   ports,
		creds:   creds,
		limiter: rate.NewLimiter(rate.Limit(cfg.Rate), burst),
		rec:     newRecorder(cfg.Logger, cfg.Now),
		dialer:  net.Dialer{Timeout: cfg.ConnectTimeout},
	}, nil
}

func (p *prober) progress(pr Progress) {
	if p.cfg.Progress != nil {
		p.cfg.Progress(pr)
	}
}

// run is the whole probe: discovery, identification, checks, conclusions.
func (p *prober) run(ctx context.Context) (*Report, error) {
	rep := &Report{
		Schema:    Schema,
		Tool:      p.cfg.Tool,
		Target:    p.target,
		Profile:   p.cfg.Profile,
		PortSpec:  p.cfg.PortSpec,
		StartedAt: p.cfg.Now().UTC(),
		Settings: Settings{
			Rate: p.cfg.Rate, Concurrency: p.cfg.Concurrency, CredentialConcurrency: p.cfg.CredentialConcurrency,
			ConnectTimeoutMS: p.cfg.ConnectTimeout.Milliseconds(), ReadTimeoutMS: p.cfg.ReadTimeout.Milliseconds(),
			BannerWaitMS: p.cfg.BannerWait.Milliseconds(), UDP: !p.cfg.NoUDP, Credentials: !p.cfg.NoLogin,
		},
		Credentials:  p.creds.Info(),
		PortsScanned: len(p.ports),
	}
	p.cfg.Logger.Info("probe start", "target", p.target.Name, "address", p.target.Address, "scope", p.target.Scope,
		"ports", len(p.ports), "rate", p.cfg.Rate, "concurrency", p.cfg.Concurrency)

	open := p.discover(ctx)

	// UDP discovery runs beside identification: it waits on datagrams,
	// not on the connections identification opens.
	var udpPorts []Port
	var wg sync.WaitGroup
	if !p.cfg.NoUDP {
		wg.Go(func() { udpPorts = p.discoverUDP(ctx) })
	}
	services := p.identifyAll(ctx, open)
	wg.Wait()

	p.checkAll(ctx, services)
	if len(p.cfg.Declared) > 0 {
		p.checkDeclared(services)
	}

	for _, s := range services {
		rep.Ports = append(rep.Ports, s.Port)
	}
	rep.Ports = append(rep.Ports, udpPorts...)
	rep.Observations, rep.Findings = p.rec.results()
	renumber(rep.Findings)
	rep.Coverage = coverageOf(rep.Findings)
	rep.FinishedAt = p.cfg.Now().UTC()
	p.progress(Progress{Stage: "done", Done: len(services), Total: len(services), Open: len(open)})
	if err := ctx.Err(); err != nil {
		rep.Interrupted = true
		return rep, err
	}
	return rep, nil
}

// address is host:port of the target.
func (p *prober) address(port int) string {
	return net.JoinHostPort(p.target.Address, strconv.Itoa(port))
}

// dial opens one TCP connection to the target, within the rate limit.
func (p *prober) dial(ctx context.Context, port int) (net.Conn, error) {
	if err := p.limiter.Wait(ctx); err != nil {
		return nil, err
	}
	return p.dialer.DialContext(ctx, "tcp", p.address(port))
}

// service is an identified open port with what the checks need to know.
type service struct {
	Port
	banner string // the first bytes the service sent, as text
}

// checkAll runs the checks of every identified service, a few services at
// a time; each service's own checks bound their concurrency further.
func (p *prober) checkAll(ctx context.Context, services []service) {
	sem := make(chan struct{}, 6)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for _, s := range services {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			p.check(ctx, s)
			mu.Lock()
			done++
			p.progress(Progress{Stage: "checks", Done: done, Total: len(services), Message: where(s.Address, s.Port.Port, s.Service)})
			mu.Unlock()
		})
	}
	wg.Wait()
}

// check runs the checks that apply to one service.
func (p *prober) check(ctx context.Context, s service) {
	switch s.Service {
	case "ssh":
		p.checkSSH(ctx, s)
	case "telnet":
		p.checkTelnet(ctx, s)
	case "ftp":
		p.checkFTP(ctx, s)
	case "http":
		p.checkHTTP(ctx, s)
	case "https":
		p.checkTLS(ctx, s)
		p.checkHTTP(ctx, s)
	case "mqtt":
		p.checkMQTT(ctx, s)
	case "mqtt-tls":
		p.checkTLS(ctx, s)
		p.checkMQTT(ctx, s)
	case "tls":
		p.checkTLS(ctx, s)
	case "rtsp", "smtp", "pop3", "imap", "vnc":
		p.rec.find(Finding{Kind: "cleartext-service", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title:  fmt.Sprintf("%s without encryption", s.Service),
			Detail: fmt.Sprintf("%s answers in cleartext on port %d (%s)", s.Service, s.Port.Port, firstLine(s.banner))},
			p.rec.idsFor(s.Port.Port, "identify"))
	}
}

// renumber orders findings by port, failing ones first, and numbers them
// in that order: checks run concurrently, so the order they were made in
// says nothing, and a report reads better (and diffs better) by port.
func renumber(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Port != b.Port {
			return a.Port - b.Port
		}
		if a.Verdict != b.Verdict {
			if a.Verdict == VerdictFail {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	for i := range fs {
		fs[i].ID = fmt.Sprintf("F%d", i+1)
	}
}

// checkDeclared reports open ports the manufacturer did not declare.
func (p *prober) checkDeclared(services []service) {
	for _, s := range services {
		if slices.Contains(p.cfg.Declared, s.Port.Port) {
			continue
		}
		p.rec.find(Finding{Kind: "undeclared-service", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title:  fmt.Sprintf("port %d (%s) is open but not among the declared interfaces", s.Port.Port, s.Service),
			Detail: fmt.Sprintf("declared ports: %v", p.cfg.Declared)},
			p.rec.idsFor(s.Port.Port, "discovery"))
	}
}
