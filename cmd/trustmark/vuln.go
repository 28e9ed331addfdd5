package main

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
	"trustmark/internal/sbom"
	"trustmark/internal/vuln"
)

// This file is the command line of vulnerability monitoring
// (docs/vulns.md): "vulns import" and "vulns generate" work on the store,
// "sbom check" matches one SBOM offline against the advisories already
// imported, and "sbom upload|list|show", "vex upload|list", "alerts" and
// "webhook" call the JSON API.

// ---------------------------------------------------------------------------
// trustmark vulns

// runVulns implements "trustmark vulns import|generate".
func runVulns(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return runVulnsImport(ctx, args[1:], getenv, stdout, stderr)
		case "generate":
			return runVulnsGenerate(args[1:], stdout, stderr)
		}
	}
	fmt.Fprint(stderr, `Usage: trustmark vulns <import | generate> [flags]

  import PATH       load OSV advisories (a directory of .json files, a .json
                    file, an OSV ecosystem .zip or a directory of them) into
                    the store, re-matching only the SBOM components they affect
  generate          write synthetic OSV records, for benchmarks

Run "trustmark vulns <import | generate> --help" for their flags.
`)
	if len(args) == 0 {
		return usageError{"vulns needs a subcommand: import or generate"}
	}
	if a := args[0]; a == "-h" || a == "-help" || a == "--help" || a == "help" {
		return errHelp
	}
	return usageError{fmt.Sprintf("unknown vulns subcommand %q: use import or generate", args[0])}
}

// runVulnsImport implements "trustmark vulns import PATH".
func runVulnsImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("vulns import", `vulns import PATH [--data DIR | --database-url URL] [--json]

Loads OSV advisories into the store, in transactions of 1,000: a record
replaces a stored advisory only when its "modified" time is later, so
importing the same archive again is quick and changes nothing. After each
transaction only the components of current SBOMs whose packages (or CPEs)
the changed advisories name are matched again, and the alerts of labeled
products are opened or resolved; a running server sends their webhooks.
PATH is an OSV .json file, a directory of them, an OSV ecosystem .zip
(https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip)
or a directory of such zips. Progress goes to standard error.`, stderr)
	var st storeFlags
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.storeFlags(&st)
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := errors.Join(ef.errs...); err != nil {
		return usageError{err.Error()}
	}
	if len(pos) != 1 {
		return usageError{"vulns import needs one PATH"}
	}
	path := pos[0]
	if _, err := os.Stat(path); err != nil {
		return usageError{fmt.Sprintf("vulns import: %v", err)}
	}
	db, err := openStore(ctx, st, false)
	if err != nil {
		return err
	}
	defer db.Close()
	set, err := criteria.Embedded()
	if err != nil {
		return err
	}
	prog := program.New(db, set, program.Config{})
	began := time.Now()
	pr := &progressLine{w: stderr}
	walk := func(yield func(name string, raw []byte) error) error {
		return vuln.Walk(path, yield, pr.update)
	}
	res, err := prog.ImportAdvisories(ctx, walk, nil)
	pr.done()
	if err != nil {
		return fmt.Errorf("vulns import: %w (advisories in batches committed before it are kept)", err)
	}
	elapsed := time.Since(began)
	if *asJSON {
		return printJSON(stdout, struct {
			program.ImportResult
			Seconds float64 `json:"seconds"`
		}{res, elapsed.Seconds()})
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "records read:\t%s\t(%s/s)\n", thousands(res.Read), thousands(int(float64(res.Read)/max(elapsed.Seconds(), 1e-3))))
	fmt.Fprintf(tw, "new advisories:\t%s\n", thousands(res.New))
	fmt.Fprintf(tw, "updated:\t%s\n", thousands(res.Updated))
	fmt.Fprintf(tw, "unchanged:\t%s\n", thousands(res.Unchanged))
	if res.Invalid > 0 {
		fmt.Fprintf(tw, "not OSV (skipped):\t%s\n", thousands(res.Invalid))
	}
	fmt.Fprintf(tw, "re-matched:\t%s components of %s SBOMs\n", thousands(res.ComponentsRematched), thousands(res.SBOMsRematched))
	fmt.Fprintf(tw, "alerts:\t%d opened, %d suppressed by VEX, %d resolved\n", res.AlertsOpened, res.AlertsSuppressed, res.AlertsResolved)
	fmt.Fprintf(tw, "time:\t%s\n", elapsed.Round(time.Millisecond))
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range res.Errors {
		fmt.Fprintln(stdout, "  skipped", e)
	}
	return nil
}

// progressLine shows "12,000/200,000 records (6%)" on one terminal line,
// at most ten times a second.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	last  time.Time
	shown bool
}

func (p *progressLine) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || done == total {
		p.last = now
		p.shown = true
		if total > 0 {
			fmt.Fprintf(p.w, "\r%s/%s records (%d%%)", thousands(done), thousands(total), done*100/total)
		} else {
			fmt.Fprintf(p.w, "\r%s records", thousands(done))
		}
	}
}

func (p *progressLine) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintln(p.w)
	}
}

// thousands formats n with comma separators: 200000 → "200,000".
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// runVulnsGenerate implements "trustmark vulns generate".
func runVulnsGenerate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("vulns generate", `vulns generate --out DIR [--count N] [--seed S] [--zip]

Writes N synthetic but well-formed OSV records (the same ones for the same
seed), one .json file each, or one osv.zip with --zip, for benchmarks:
"trustmark vulns import DIR" loads them.`, stderr)
	out := fs.String("out", "", "directory to write to (created if missing)")
	count := fs.Int("count", 1000, "number of records")
	seed := fs.Int64("seed", 1, "random seed")
	asZip := fs.Bool("zip", false, "write one osv.zip instead of one file per record")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || *count < 1 {
		return usageError{"vulns generate needs --out DIR and a --count of at least 1"}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	records := vuln.Generate(*seed, *count)
	if *asZip {
		f, err := os.Create(filepath.Join(*out, "osv.zip"))
		if err != nil {
			return err
		}
		zw := zip.NewWriter(f)
		for i, r := range records {
			w, err := zw.Create(fmt.Sprintf("GEN-%07d.json", i))
			if err != nil {
				f.Close()
				return err
			}
			if _, err := w.Write(r); err != nil {
				f.Close()
				return err
			}
		}
		if err := zw.Close(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	} else {
		for i, r := range records {
			if err := os.WriteFile(filepath.Join(*out, fmt.Sprintf("GEN-%07d.json", i)), r, 0o644); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stdout, "wrote %s OSV records to %s\n", thousands(len(records)), *out)
	return nil
}

// ---------------------------------------------------------------------------
// trustmark sbom check

// findingsError is the result of "sbom check" that found unsuppressed
// findings: exit code 1.
type findingsError struct{ open int }

func (e findingsError) Error() string {
	if e.open == 1 {
		return "1 finding not suppressed by VEX"
	}
	return fmt.Sprintf("%d findings not suppressed by VEX", e.open)
}

// runSBOMCheck implements "trustmark sbom check FILE".
func runSBOMCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sbom check", `sbom check FILE [--vex FILE] [--json] [--data DIR | --database-url URL]

Matches one SBOM (CycloneDX JSON or XML, SPDX JSON or tag-value) against the
advisories already imported into the store ("trustmark vulns import"), as the
server's monitoring does, and applies the VEX statements of --vex (OpenVEX,
CycloneDX VEX or CSAF VEX). Nothing is stored or sent.

Exit status: 0 when no finding remains after VEX, 1 when findings remain (or
the check could not run: the message says which), 2 when the SBOM, the VEX
document or the command line is not valid.`, stderr)
	var st storeFlags
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.storeFlags(&st)
	vexFile := fs.String("vex", "", "a VEX document whose statements suppress findings")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := errors.Join(ef.errs...); err != nil {
		return usageError{err.Error()}
	}
	if len(pos) != 1 {
		return usageError{"sbom check needs one FILE"}
	}
	doc, err := readLimited(pos[0], sbom.MaxSize)
	if err != nil {
		return usageError{err.Error()}
	}
	parsed, err := sbom.Parse(doc)
	if err != nil {
		return usageError{pos[0] + ": " + trustmark.PublicMessage(err)}
	}
	var stmts []trustmark.VEXStatement
	if *vexFile != "" {
		raw, err := readLimited(*vexFile, sbom.MaxSize)
		if err != nil {
			return usageError{err.Error()}
		}
		if stmts, err = sbom.ParseVEX(raw); err != nil {
			return usageError{*vexFile + ": " + trustmark.PublicMessage(err)}
		}
	}
	db, err := openStore(ctx, st, false)
	if err != nil {
		return err
	}
	defer db.Close()
	var f *program.Findings
	var stored int
	err = db.View(ctx, func(tx trustmark.Tx) error {
		var err error
		if stored, err = tx.AdvisoryCount(); err != nil {
			return err
		}
		f, err = program.CheckComponents(tx, parsed.Components, stmts)
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		err = printJSON(stdout, struct {
			Format     trustmark.SBOMFormat `json:"format"`
			Components int                  `json:"components"`
			Stored     int                  `json:"advisories_stored"`
			Open       int                  `json:"open"`
			Warnings   []string             `json:"warnings"`
			*program.Findings
		}{parsed.Format, len(parsed.Components), stored, f.Open(), nonNil(parsed.Warnings), f})
	} else {
		err = printFindings(stdout, parsed, stored, f)
	}
	if err != nil {
		return err
	}
	if n := f.Open(); n > 0 {
		return findingsError{n}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB", path, limit>>20)
	}
	return b, nil
}

// printFindings prints sbom check's result as tables: package-URL
// matches, then CPE matches (lower confidence), then what VEX suppressed
// and what could not be checked.
func printFindings(w io.Writer, doc *sbom.Document, stored int, f *program.Findings) error {
	fmt.Fprintf(w, "%s %s: %d components, matched against %s of %s stored advisories\n",
		doc.Format, doc.SpecVersion, len(doc.Components), thousands(f.Advisories), thousands(stored))
	for _, warn := range doc.Warnings {
		fmt.Fprintln(w, "warning:", warn)
	}
	var purl, cpe, suppressed []program.Finding
	for _, x := range f.Findings {
		switch {
		case x.Suppressed != nil:
			suppressed = append(suppressed, x)
		case x.Confidence == trustmark.ConfidenceCPE:
			cpe = append(cpe, x)
		default:
			purl = append(purl, x)
		}
	}
	table := func(title string, list []program.Finding) {
		if len(list) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEVERITY\tADVISORY\tCOMPONENT\tVERSION\tFIXED IN\tCONFIDENCE")
		for _, x := range list {
			fixed := x.FixedVersion
			if fixed == "" {
				fixed = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", x.Severity, x.AdvisoryID, x.Component.Name, x.Component.Version, fixed, x.Confidence)
		}
		tw.Flush()
	}
	table("Findings (package URL and the ecosystem's version rules):", purl)
	table("Lower-confidence findings (CPE vendor and product only; check them by hand):", cpe)
	if len(suppressed) > 0 {
		fmt.Fprintln(w, "\nSuppressed by VEX:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ADVISORY\tCOMPONENT\tSTATUS\tJUSTIFICATION")
		for _, x := range suppressed {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.AdvisoryID, componentText(x.Component), x.Suppressed.Status, x.Suppressed.Justification)
		}
		tw.Flush()
	}
	if len(f.Unchecked) > 0 {
		fmt.Fprintln(w, "\nNot checkable (no version, or neither a package URL OSV knows nor a CPE):")
		for _, c := range f.Unchecked {
			fmt.Fprintln(w, "  "+componentText(c))
		}
	}
	open := f.Open()
	fmt.Fprintf(w, "\n%d findings: %d by package URL, %d by CPE, %d suppressed by VEX; %d components not checkable\n",
		len(f.Findings), len(purl), len(cpe), len(suppressed), len(f.Unchecked))
	if open == 0 {
		fmt.Fprintln(w, "No finding remains.")
	}
	return nil
}

func componentText(c trustmark.SoftwareComponent) string {
	s := c.Name
	if c.Version != "" {
		s += " " + c.Version
	}
	if c.PURL != "" {
		s += " (" + c.PURL + ")"
	}
	return s
}

// ---------------------------------------------------------------------------
// API commands: sbom, vex, alerts, webhook.

// runSBOM implements "trustmark sbom": check works on the store, the other
// verbs call the API.
func runSBOM(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "check" {
		return runSBOMCheck(ctx, args[1:], getenv, stdout, stderr)
	}
	return sbomNoun().run(ctx, args, getenv, stdin, stdout, stderr)
}

// runVex implements "trustmark vex".
func runVex(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return vexNoun().run(ctx, args, getenv, stdin, stdout, stderr)
}

// runAlerts implements "trustmark alerts".
func runAlerts(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return alertsNoun().run(ctx, args, getenv, stdin, stdout, stderr)
}

// runWebhook implements "trustmark webhook".
func runWebhook(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return webhookNoun().run(ctx, args, getenv, stdin, stdout, stderr)
}

// items is the JSON of a listing, {"items": [...]}, as the API answers it.
type items[T any] struct {
	Items []T `json:"items"`
}

// readDocumentArg reads a document file ("-": standard input).
func readDocumentArg(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, sbom.MaxSize+1))
		if err == nil && len(b) > sbom.MaxSize {
			err = fmt.Errorf("standard input is larger than %d MiB", sbom.MaxSize>>20)
		}
		return b, err
	}
	return readLimited(path, sbom.MaxSize)
}

// sbomNoun is "trustmark sbom" (but check).
func sbomNoun() *noun {
	return &noun{name: "sbom", about: `Uploads and reads products' software bills of materials through the API
(the product's manufacturer uploads; its CLA, its lab and the regulator may
read). "trustmark sbom check FILE" matches an SBOM offline against the store;
see "trustmark sbom check --help".`, verbs: []verb{
		{name: "upload", args: []string{"FILE"}, flags: "--product ID --version V", summary: "upload an SBOM of one version of a product (its manufacturer)",
			help:     "FILE is CycloneDX (JSON or XML, 1.4–1.6) or SPDX (2.3 JSON or tag-value), up to 64 MiB; - reads standard input.",
			required: []string{"product", "version"},
			setup: func(fs *flag.FlagSet) action {
				product := fs.String("product", "", "the product's ID")
				version := fs.String("version", "", "the product (firmware or software) version the SBOM describes")
				return func(ctx context.Context, x *apiCall) (any, error) {
					doc, err := readDocumentArg(x.args[0], x.stdin)
					if err != nil {
						return nil, usageError{err.Error()}
					}
					out, err := x.c.UploadSBOM(ctx, *product, *version, doc)
					if err != nil {
						return nil, err
					}
					text := fmt.Sprintf("Uploaded SBOM %s of %s version %s: %s %s, %d components.", out.ID, out.ProductID, out.ProductVersion, out.Format, out.SpecVersion, out.ComponentCount)
					for _, w := range out.Warnings {
						text += "\nwarning: " + w
					}
					return reply{out, text}, nil
				}
			}},
		{name: "list", flags: "--product ID", summary: "list a product's SBOMs, newest first", required: []string{"product"},
			setup: func(fs *flag.FlagSet) action {
				product := fs.String("product", "", "the product's ID")
				return func(ctx context.Context, x *apiCall) (any, error) {
					list, err := x.c.SBOMs(ctx, *product)
					if err != nil {
						return nil, err
					}
					out := items[trustmark.SBOM]{list}
					var b strings.Builder
					tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tVERSION\tFORMAT\tUPLOADED\tBY")
					for _, s := range out.Items {
						fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t%s\n", s.ID, s.ProductVersion, s.Format, s.SpecVersion, when(s.UploadedAt), s.UploadedBy)
					}
					tw.Flush()
					return reply{out, strings.TrimRight(b.String(), "\n")}, nil
				}
			}},
		{name: "show", args: []string{"SBOM_ID"}, summary: "show an SBOM with its components",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) {
					out, err := x.c.SBOM(ctx, x.args[0])
					if err != nil {
						return nil, err
					}
					var b strings.Builder
					fmt.Fprintf(&b, "SBOM %s of %s version %s: %s %s, uploaded %s by %s\n\n", out.ID, out.ProductID, out.ProductVersion, out.Format, out.SpecVersion, when(out.UploadedAt), out.UploadedBy)
					tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "NAME\tVERSION\tPURL OR CPE")
					for _, c := range out.Components {
						id := c.PURL
						if id == "" {
							id = c.CPE
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Version, id)
					}
					tw.Flush()
					return reply{out, strings.TrimRight(b.String(), "\n")}, nil
				}
			}},
		{name: "check", args: []string{"FILE"}, summary: "match an SBOM offline against the advisories in the store (see sbom check --help)",
			setup: func(fs *flag.FlagSet) action { return nil }},
	}}
}

// vexNoun is "trustmark vex".
func vexNoun() *noun {
	return &noun{name: "vex", about: `Uploads and reads a product's VEX statements through the API: a manufacturer's
word that a vulnerability does not affect its product (not_affected, with a
justification) or is fixed, which suppresses the matching alerts, recorded
with who said so.`, verbs: []verb{
		{name: "upload", args: []string{"FILE"}, flags: "--product ID", summary: "upload a VEX document about a product (its manufacturer)",
			help:     "FILE is OpenVEX, CycloneDX VEX or CSAF VEX (JSON); - reads standard input.",
			required: []string{"product"},
			setup: func(fs *flag.FlagSet) action {
				product := fs.String("product", "", "the product's ID")
				return func(ctx context.Context, x *apiCall) (any, error) {
					doc, err := readDocumentArg(x.args[0], x.stdin)
					if err != nil {
						return nil, usageError{err.Error()}
					}
					list, err := x.c.UploadVEX(ctx, *product, doc)
					if err != nil {
						return nil, err
					}
					out := items[trustmark.VEXStatement]{list}
					return reply{out, fmt.Sprintf("Stored %d VEX statements about %s.\n%s", len(out.Items), *product, vexTable(out.Items))}, nil
				}
			}},
		{name: "list", flags: "--product ID", summary: "list a product's VEX statements", required: []string{"product"},
			setup: func(fs *flag.FlagSet) action {
				product := fs.String("product", "", "the product's ID")
				return func(ctx context.Context, x *apiCall) (any, error) {
					list, err := x.c.VEXStatements(ctx, *product)
					if err != nil {
						return nil, err
					}
					out := items[trustmark.VEXStatement]{list}
					return reply{out, vexTable(out.Items)}, nil
				}
			}},
	}}
}

func vexTable(list []trustmark.VEXStatement) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VULNERABILITY\tCOMPONENT\tSTATUS\tJUSTIFICATION\tBY")
	for _, v := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.VulnID, v.ComponentPURL, v.Status, v.Justification, v.Author)
	}
	tw.Flush()
	return strings.TrimRight(b.String(), "\n")
}

// alertsNoun is "trustmark alerts".
func alertsNoun() *noun {
	return &noun{name: "alerts", about: `Reads vulnerability alerts through the API (a manufacturer its own, a CLA its
grants', the overseers all) and lets a CLA turn one into a surveillance
finding.`, verbs: []verb{
		{name: "list", flags: "[--state STATE] [--product ID]", summary: "list alerts, newest first",
			setup: func(fs *flag.FlagSet) action {
				state := fs.String("state", "", "only this state: open, suppressed, resolved or finding")
				product := fs.String("product", "", "only this product's")
				return func(ctx context.Context, x *apiCall) (any, error) {
					list, err := x.c.Alerts(ctx, trustmark.AlertState(*state), *product)
					if err != nil {
						return nil, err
					}
					out := items[trustmark.Alert]{list}
					var b strings.Builder
					tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tSTATE\tSEVERITY\tADVISORY\tCOMPONENT\tFIXED IN\tLABEL\tSUPPORT")
					for _, a := range out.Items {
						support := "ended"
						if a.SupportRunning {
							support = "running"
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.State, a.Severity, a.AdvisoryID, componentLabelText(a.Component), a.FixedVersion, a.LabelID, support)
					}
					tw.Flush()
					return reply{out, strings.TrimRight(b.String(), "\n")}, nil
				}
			}},
		{name: "show", args: []string{"ALERT_ID"}, summary: "show one alert",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) {
					a, err := x.c.Alert(ctx, x.args[0])
					if err != nil {
						return nil, err
					}
					return reply{a, alertText(a)}, nil
				}
			}},
		{name: "finding", args: []string{"ALERT_ID"}, flags: "--note TEXT", summary: "turn an alert into a surveillance finding (the alert's CLA)",
			help:     "Records a failed for-cause sample under this year's surveillance plan, which\nsuspends an active grant for the 20-day cure period.",
			required: []string{"note"},
			setup: func(fs *flag.FlagSet) action {
				note := fs.String("note", "", "the written finding, 3 to 2048 characters")
				return func(ctx context.Context, x *apiCall) (any, error) {
					a, err := x.c.AlertToFinding(ctx, x.args[0], *note)
					if err != nil {
						return nil, err
					}
					return reply{a, alertText(a)}, nil
				}
			}},
	}}
}

func componentLabelText(c trustmark.SoftwareComponent) string {
	if c.Version != "" {
		return c.Name + " " + c.Version
	}
	return c.Name
}

func alertText(a *trustmark.Alert) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	field(tw, "alert", a.ID)
	field(tw, "state", string(a.State))
	field(tw, "reason", a.StateReason)
	field(tw, "advisory", a.AdvisoryID+" "+strings.Join(a.Aliases, " "))
	field(tw, "summary", a.Summary)
	field(tw, "severity", string(a.Severity))
	field(tw, "component", componentText(a.Component))
	field(tw, "fixed in", a.FixedVersion)
	field(tw, "confidence", string(a.Confidence))
	field(tw, "product", a.ProductID)
	field(tw, "sbom", a.SBOMID)
	field(tw, "label", string(a.LabelID))
	support := "ended"
	if a.SupportRunning {
		support = "running"
	}
	field(tw, "support period", support)
	field(tw, "sample", a.SampleID)
	field(tw, "opened", when(a.OpenedAt))
	field(tw, "updated", when(a.UpdatedAt))
	tw.Flush()
	return strings.TrimRight(b.String(), "\n")
}

// webhookNoun is "trustmark webhook".
func webhookNoun() *noun {
	return &noun{name: "webhook", about: `Registers the endpoints that receive alert notifications, signed as Standard
Webhooks (an admin of a manufacturer or a CLA). See docs/vulns.md for how a
receiver verifies the signature.`, verbs: []verb{
		{name: "create", flags: "--endpoint URL", summary: "register an endpoint and print its signing secret (shown only once)", required: []string{"endpoint"},
			help: "The endpoint must be https:// (plain http:// only to 127.0.0.1, ::1 or localhost).\n(--url is the trustmark server, as for every API command.)",
			setup: func(fs *flag.FlagSet) action {
				endpoint := fs.String("endpoint", "", "the URL that receives the notifications")
				return func(ctx context.Context, x *apiCall) (any, error) {
					hook, secret, err := x.c.CreateWebhook(ctx, *endpoint)
					if err != nil {
						return nil, err
					}
					out := struct {
						Webhook *trustmark.Webhook `json:"webhook"`
						Secret  string             `json:"secret"`
					}{hook, secret}
					return reply{out, fmt.Sprintf("Created webhook %s for %s.\nIts signing secret, shown only now:\n\n  %s\n", out.Webhook.ID, out.Webhook.URL, out.Secret)}, nil
				}
			}},
		{name: "list", summary: "list the organization's webhooks",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) {
					list, err := x.c.Webhooks(ctx)
					if err != nil {
						return nil, err
					}
					out := items[trustmark.Webhook]{list}
					var b strings.Builder
					tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tURL\tCREATED\tBY")
					for _, h := range out.Items {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.ID, h.URL, when(h.CreatedAt), h.CreatedBy)
					}
					tw.Flush()
					return reply{out, strings.TrimRight(b.String(), "\n")}, nil
				}
			}},
		{name: "delete", args: []string{"WEBHOOK_ID"}, summary: "delete a webhook; its queued deliveries are dropped",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) {
					if err := x.c.DeleteWebhook(ctx, x.args[0]); err != nil {
						return nil, err
					}
					return reply{map[string]string{"deleted": x.args[0]}, "Deleted webhook " + x.args[0] + "."}, nil
				}
			}},
	}}
}

// ---------------------------------------------------------------------------
// The server's webhook key.

// webhookKeyFile is where serve keeps its webhook key in --data unless
// TRUSTMARK_WEBHOOK_KEY gives one.
const webhookKeyFile = "webhook.key"

// webhookKey returns the key that seals webhook secrets: given (the value
// of TRUSTMARK_WEBHOOK_KEY, base64 of at least 32 bytes), or the one in
// <dir>/webhook.key, generated on first start. Every server of one store
// must use the same key, or the others cannot sign the webhooks it created.
func webhookKey(dir, given string) ([]byte, error) {
	decode := func(s, where string) ([]byte, error) {
		s = strings.TrimSpace(s)
		k, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			k, err = base64.RawStdEncoding.DecodeString(s)
		}
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("%s must hold the base64 of at least 32 random bytes", where)
		}
		return k, nil
	}
	if given != "" {
		return decode(given, "TRUSTMARK_WEBHOOK_KEY")
	}
	path := filepath.Join(dir, webhookKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return decode(string(b), path)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another server created it first
			return webhookKey(dir, given)
		}
		return nil, err
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	return k, f.Close()
}
