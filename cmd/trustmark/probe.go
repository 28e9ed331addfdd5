package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"trustmark"
	"trustmark/client"
	"trustmark/internal/labtest"
)

const probeSynopsis = `probe TARGET [--profile quick|full] [--ports LIST] [--out FILE] [flags]
       trustmark probe TARGET --submit --application APP_ID (--review FILE | --confirm-all) [flags]
       trustmark probe --report FILE --submit --application APP_ID --review FILE [flags]

Probes one device the lab names (an address or host name) the way test labs
check every consumer IoT product: TCP port discovery (all 65,535 ports with
--profile full) and service identification, default credentials against
Telnet, SSH, HTTP basic/digest, FTP and MQTT (at most 4 attempts at once per
service, stopping at the first success or at signs of lockout), cleartext
and weak transport (TLS versions, cipher suites, certificates), and
unauthenticated management access. Public addresses are refused unless
--allow-public is given; nothing but the named target is ever contacted.

The report (--out) holds the raw observations and, separately, findings
mapped to NIST IR 8425 and ETSI EN 303 645 requirement IDs, and the results
they pre-fill. Every attempt is logged (--log).

Into the program: --review-out writes a review file of the pre-filled
results for --catalog; the lab sets each "decision" to "confirm", or to
"override" with an "outcome" and a "reason". --submit then attaches, as the
lab (a token of the lab the application names), a test report with those
results and the probe report as evidence. Results of the application's
latest report against the same catalog that the probe does not cover are
carried over. --confirm-all confirms every pre-filled result unchanged.
See docs/labtest.md.`

// probeFlags are the flags of "trustmark probe".
type probeFlags struct {
	api          apiFlags
	profile      string
	ports        string
	declared     string
	out          string
	reviewOut    string
	catalog      string
	allowPublic  bool
	rate         float64
	concurrency  int
	loginConc    int
	connectTO    time.Duration
	readTO       time.Duration
	bannerWait   time.Duration
	noLogin      bool
	noUDP        bool
	credentials  string
	caFile       string
	logFile      string
	quiet        bool
	submit       bool
	application  string
	reportFile   string
	reviewFile   string
	confirmAll   bool
	signerTitle  string
	noCarryOver  bool
	allowPartial bool
	catalogGiven bool // --catalog was on the command line
}

func (f *probeFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	f.api.register(fs, getenv)
	fs.Lookup("json").Usage = "print the probe report's JSON on standard output instead of the summary"
	fs.StringVar(&f.profile, "profile", "quick", "quick (the ports IoT devices are known to use) or full (all 65,535 TCP ports)")
	fs.StringVar(&f.ports, "ports", "", `TCP ports to scan instead of the profile's, e.g. "22,80,8000-8100"`)
	fs.StringVar(&f.declared, "declared", "", "the ports the manufacturer declares the device needs; other open ports become findings (EN 303 645 5.6-1)")
	fs.StringVar(&f.out, "out", "", "write the probe report (JSON) to this file")
	fs.StringVar(&f.reviewOut, "review-out", "", "write a review file of the pre-filled results for --catalog, for the lab to decide")
	fs.StringVar(&f.catalog, "catalog", labtest.CatalogNIST, "catalog of the review and the submitted report: nist-ir-8425 or etsi-en-303-645")
	fs.BoolVar(&f.allowPublic, "allow-public", false, "allow a target in a public address range")
	fs.Float64Var(&f.rate, "rate", 0, fmt.Sprintf("most new connections per second (0: %d, or %d on loopback)", labtest.DefaultRate, labtest.DefaultLoopbackRate))
	fs.IntVar(&f.concurrency, "concurrency", labtest.DefaultConcurrency, "connections port discovery keeps open at once")
	fs.IntVar(&f.loginConc, "login-concurrency", labtest.MaxCredentialConcurrency, "login attempts at once per service (1 to 4)")
	fs.DurationVar(&f.connectTO, "connect-timeout", labtest.DefaultConnectTimeout, "timeout to open one connection")
	fs.DurationVar(&f.readTO, "read-timeout", labtest.DefaultReadTimeout, "timeout of one protocol exchange (a login, a handshake)")
	fs.DurationVar(&f.bannerWait, "banner-wait", labtest.DefaultBannerWait, "how long to wait for a service to speak first")
	fs.BoolVar(&f.noLogin, "no-login", false, "skip the default-credential attempts")
	fs.BoolVar(&f.noUDP, "no-udp", false, "skip SSDP, CoAP and mDNS discovery")
	fs.StringVar(&f.credentials, "credentials", "", "credential list (JSON, the format of internal/labtest/data/credentials.json) instead of the built-in one")
	fs.StringVar(&f.caFile, "ca-file", "", "PEM file of CA certificates to verify the device's certificates with (e.g. the manufacturer's device CA) instead of the system's")
	fs.StringVar(&f.logFile, "log", "", "write every attempt as JSON lines to this file (default: FILE.log beside --out; without --out, text on standard error)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress display")
	fs.BoolVar(&f.submit, "submit", false, "attach the results to --application as the lab, through the API (--url, --token)")
	fs.StringVar(&f.application, "application", "", "the application to attach the report to (with --submit)")
	fs.StringVar(&f.reportFile, "report", "", "submit this saved probe report instead of probing again")
	fs.StringVar(&f.reviewFile, "review", "", "the lab's decisions on the pre-filled results (a file from --review-out, edited)")
	fs.BoolVar(&f.confirmAll, "confirm-all", false, "with --submit: confirm every pre-filled result as the probe made it")
	fs.StringVar(&f.signerTitle, "signer-title", "Test engineer", "the signer's role, recorded in the test report")
	fs.BoolVar(&f.noCarryOver, "no-carry-over", false, "with --submit: do not carry over the latest report's other results")
	fs.BoolVar(&f.allowPartial, "allow-interrupted", false, "with --submit: allow submitting a report whose probe was interrupted")
}

// runProbe is "trustmark probe".
func runProbe(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("probe", probeSynopsis, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: trustmark %s\n\nFlags:\n", probeSynopsis)
		fs.PrintDefaults()
	}
	var f probeFlags
	f.register(fs, getenv)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	fs.Visit(func(fl *flag.Flag) { f.catalogGiven = f.catalogGiven || fl.Name == "catalog" })
	if len(pos) > 1 {
		return usageError{fmt.Sprintf("probe takes one target, got %q: name one device", pos)}
	}
	target := ""
	if len(pos) == 1 {
		target = pos[0]
	}
	switch {
	case target == "" && f.reportFile == "":
		return usageError{"probe needs a TARGET (an address or host name), or --report FILE with --submit"}
	case target != "" && f.reportFile != "":
		return usageError{"give a TARGET to probe or --report FILE to submit, not both"}
	case f.reportFile != "" && !f.submit && f.reviewOut == "":
		return usageError{"--report is for --submit or --review-out"}
	case f.submit && f.application == "":
		return usageError{"--submit needs --application APP_ID"}
	case f.submit && f.reviewFile == "" && !f.confirmAll:
		return usageError{"--submit needs --review FILE (the lab's decisions) or --confirm-all"}
	case f.reviewFile != "" && f.confirmAll:
		return usageError{"give --review or --confirm-all, not both"}
	case f.out == "-":
		return usageError{"--out names a file; --json prints the report on standard output"}
	case f.catalog != labtest.CatalogNIST && f.catalog != labtest.CatalogETSI:
		return usageError{fmt.Sprintf("--catalog %q: want %s or %s", f.catalog, labtest.CatalogNIST, labtest.CatalogETSI)}
	}

	var rep *labtest.Report
	var reportJSON []byte
	if f.reportFile != "" {
		if reportJSON, err = os.ReadFile(f.reportFile); err != nil {
			return err
		}
		if rep, err = labtest.ReadReport(bytes.NewReader(reportJSON)); err != nil {
			return err
		}
	} else {
		rep, reportJSON, err = f.probe(ctx, target, stdout, stderr)
		if rep == nil {
			return err
		}
		if err != nil {
			fmt.Fprintf(stderr, "trustmark: probe interrupted (%v): the report holds what was seen until then\n", err)
		}
		interrupted := err
		if f.api.json {
			if _, err := stdout.Write(reportJSON); err != nil {
				return err
			}
		} else {
			printProbeSummary(stdout, rep, f.out)
		}
		if interrupted != nil {
			return interrupted
		}
	}
	if f.reviewOut != "" {
		rv, err := labtest.NewReview(rep, reportJSON, f.catalog)
		if err != nil {
			return err
		}
		if err := writeJSONFile(f.reviewOut, rv); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "review of %d pre-filled %s results written to %s: set each decision, then --submit --review %s\n",
			len(rv.Results), f.catalog, f.reviewOut, f.reviewOut)
	}
	if !f.submit {
		return nil
	}
	return f.submitReport(ctx, getenv, rep, reportJSON, stdout)
}

// probe runs the probe the flags describe, writes --out and returns the
// report and its JSON.
func (f *probeFlags) probe(ctx context.Context, target string, stdout, stderr io.Writer) (*labtest.Report, []byte, error) {
	profile, err := labtest.ParseProfile(f.profile)
	if err != nil {
		return nil, nil, usageError{"--profile: " + err.Error()}
	}
	cfg := labtest.Config{
		Target: target, AllowPublic: f.allowPublic, Profile: profile,
		Rate: f.rate, Concurrency: f.concurrency, CredentialConcurrency: f.loginConc,
		ConnectTimeout: f.connectTO, ReadTimeout: f.readTO, BannerWait: f.bannerWait,
		NoLogin: f.noLogin, NoUDP: f.noUDP,
		Tool: "trustmark probe (" + runtime.Version() + ")",
	}
	if f.ports != "" {
		if cfg.Ports, err = labtest.ParsePorts(f.ports); err != nil {
			return nil, nil, usageError{"--ports: " + err.Error()}
		}
		cfg.PortSpec = f.ports
	}
	if f.declared != "" {
		if cfg.Declared, err = labtest.ParsePorts(f.declared); err != nil {
			return nil, nil, usageError{"--declared: " + err.Error()}
		}
	}
	if f.credentials != "" {
		file, err := os.Open(f.credentials)
		if err != nil {
			return nil, nil, err
		}
		cfg.Credentials, err = labtest.ParseCredentials(file, f.credentials)
		file.Close()
		if err != nil {
			return nil, nil, err
		}
	}
	if f.caFile != "" {
		pem, err := os.ReadFile(f.caFile)
		if err != nil {
			return nil, nil, err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, nil, usageError{"--ca-file " + f.caFile + " holds no PEM certificate"}
		}
	}

	// Every attempt is logged: beside the report, or to a named file, or
	// (with no file to write) as text on standard error.
	logPath := f.logFile
	if logPath == "" && f.out != "" {
		logPath = f.out + ".log"
	}
	showProgress := !f.quiet
	if logPath != "" {
		lf, err := os.Create(logPath)
		if err != nil {
			return nil, nil, err
		}
		defer lf.Close()
		cfg.Logger = slog.New(slog.NewJSONHandler(lf, nil))
	} else {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
		showProgress = false
	}
	var pd *progressDisplay
	if showProgress {
		pd = newProgressDisplay(stderr)
		cfg.Progress = pd.update
	}
	rep, err := labtest.Probe(ctx, cfg)
	if pd != nil {
		pd.finish()
	}
	if rep == nil {
		switch {
		case errors.Is(err, labtest.ErrPublicTarget), errors.Is(err, labtest.ErrBadTarget):
			return nil, nil, usageError{err.Error()}
		}
		return nil, nil, err
	}
	var buf bytes.Buffer
	if werr := rep.WriteJSON(&buf); werr != nil {
		return nil, nil, werr
	}
	if f.out != "" {
		if werr := os.WriteFile(f.out, buf.Bytes(), 0o644); werr != nil {
			return nil, nil, werr
		}
	}
	return rep, buf.Bytes(), err
}

// submitReport attaches the reviewed results to the application.
func (f *probeFlags) submitReport(ctx context.Context, getenv func(string) string, rep *labtest.Report, reportJSON []byte, stdout io.Writer) error {
	if rep.Interrupted && !f.allowPartial {
		return usageError{"the probe report is of an interrupted run; probe again, or give --allow-interrupted"}
	}
	var rv *labtest.Review
	var err error
	if f.reviewFile != "" {
		file, err := os.Open(f.reviewFile)
		if err != nil {
			return err
		}
		rv, err = labtest.ReadReview(file)
		file.Close()
		if err != nil {
			return err
		}
		if f.catalogGiven && rv.Catalog != f.catalog {
			return usageError{fmt.Sprintf("the review is for %s, not --catalog %s", rv.Catalog, f.catalog)}
		}
	} else {
		if rv, err = labtest.NewReview(rep, reportJSON, f.catalog); err != nil {
			return err
		}
		rv.ConfirmAll("")
	}
	c, err := f.api.client(getenv)
	if err != nil {
		return err
	}
	var previous *trustmark.TestReport
	if !f.noCarryOver {
		reports, err := c.Reports(ctx, f.application)
		if err != nil {
			return fmt.Errorf("read the application's reports: %w", err)
		}
		for i := range reports.Items {
			if r := &reports.Items[i]; r.Catalog == rv.Catalog && (previous == nil || !r.SignedAt.Before(previous.SignedAt)) {
				previous = r
			}
		}
	}
	tr, carried, err := rv.TestReport(reportJSON, rep, previous, f.signerTitle)
	if err != nil {
		return err
	}
	got, err := c.AttachReport(ctx, f.application, tr)
	if err != nil {
		if client.IsUnauthenticated(err) && f.api.token == "" {
			return fmt.Errorf("%w; set TRUSTMARK_TOKEN or --token", err)
		}
		return err
	}
	if f.api.json {
		return printJSON(stdout, got)
	}
	sum := sha256.Sum256(reportJSON)
	fmt.Fprintf(stdout, "attached report %s to application %s: %d results against %s (%d from the probe, %d carried over), evidence sha256 %s\n",
		got.ID, f.application, len(got.Results), got.Catalog, len(rv.Results), len(carried), hex.EncodeToString(sum[:]))
	return nil
}

func writeJSONFile(path string, v any) error {
	var buf bytes.Buffer
	if err := printJSON(&buf, v); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// printProbeSummary is the readable summary of a probe.
func printProbeSummary(w io.Writer, rep *labtest.Report, out string) {
	took := rep.FinishedAt.Sub(rep.StartedAt).Round(10 * time.Millisecond)
	fmt.Fprintf(w, "trustmark probe of %s (%s, %s): %s, %d TCP ports in %s\n", rep.Target.Name, rep.Target.Address, rep.Target.Scope,
		rep.PortSpec, rep.PortsScanned, took)
	if rep.Interrupted {
		fmt.Fprintln(w, "INTERRUPTED: the report holds what was seen until then")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(rep.Ports) == 0 {
		fmt.Fprintln(w, "\nNo open port found.")
	} else {
		fmt.Fprintln(w, "\nOpen ports:")
		for _, p := range rep.Ports {
			product := p.Product
			if len(product) > 60 {
				product = product[:60] + "…"
			}
			fmt.Fprintf(tw, "  %s/%d\t%s\t%s\n", p.Transport, p.Port, p.Service, product)
		}
		tw.Flush()
	}
	failed := rep.Failed()
	fmt.Fprintf(w, "\nFindings: %d failing, %d passing\n", len(failed), len(rep.Findings)-len(failed))
	for _, verdict := range []string{labtest.VerdictFail, labtest.VerdictPass} {
		for _, f := range rep.Findings {
			if f.Verdict != verdict {
				continue
			}
			var reqs []string
			for _, r := range f.Requirements {
				reqs = append(reqs, r.Requirement)
			}
			cred := ""
			if f.Username != nil {
				cred = fmt.Sprintf(" [username %q, password %q]", *f.Username, deref(f.Password))
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s %s:%d\t%s%s  [%s]\n", strings.ToUpper(f.Verdict), f.ID, f.Service, f.Address, f.Port, f.Title, cred, strings.Join(reqs, ", "))
		}
	}
	tw.Flush()
	if len(rep.Coverage) > 0 {
		fmt.Fprintln(w, "\nPre-filled results (the lab confirms or overrides each):")
		for _, c := range rep.Coverage {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Catalog, c.Requirement, c.Outcome, strings.Join(c.Findings, ", "))
		}
		tw.Flush()
	}
	if out != "" {
		fmt.Fprintf(w, "\nReport: %s (%d observations); attempts logged to %s.log\n", out, len(rep.Observations), out)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// progressDisplay shows the probe's progress on one line that rewrites
// itself on a terminal, and as a line per stage elsewhere.
type progressDisplay struct {
	w     io.Writer
	tty   bool
	mu    sync.Mutex
	stage string
	last  time.Time
	start time.Time
}

func newProgressDisplay(w io.Writer) *progressDisplay {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressDisplay{w: w, tty: tty, start: time.Now()}
}

func (d *progressDisplay) update(p labtest.Progress) {
	d.mu.Lock()
	defer d.mu.Unlock()
	newStage := p.Stage != d.stage
	if !newStage && time.Since(d.last) < 100*time.Millisecond && p.Done != p.Total {
		return
	}
	d.last = time.Now()
	line := fmt.Sprintf("[%5.1fs] %-9s %d/%d", time.Since(d.start).Seconds(), p.Stage, p.Done, p.Total)
	if p.Stage == "discovery" || p.Stage == "identify" {
		line += fmt.Sprintf("  open: %d", p.Open)
	}
	if p.Message != "" {
		line += "  " + p.Message
	}
	switch {
	case d.tty:
		fmt.Fprintf(d.w, "\r\033[K%s", line)
	case newStage:
		fmt.Fprintln(d.w, line)
	}
	d.stage = p.Stage
}

func (d *progressDisplay) finish() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tty {
		fmt.Fprintln(d.w)
	}
}
