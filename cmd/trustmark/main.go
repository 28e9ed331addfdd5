// Command trustmark runs a consumer-IoT cybersecurity label program: the
// public registry a label's QR code resolves to, and the tools around it.
//
// Usage:
//
//	trustmark serve [flags]      run the server
//	trustmark admin init         create the Lead Administrator and its first token
//	trustmark user add [flags]   add a portal user (email and password) to an organization
//	trustmark criteria ...       list, show, map and evaluate the criteria catalogs
//	trustmark generate [flags]   fill a store with synthetic records for load tests
//	trustmark probe TARGET       check a device under test on the network (labs)
//	trustmark migrate [flags]    apply pending database migrations
//	trustmark export --out DIR   write the registry and the log as static files
//	trustmark vulns import PATH  load OSV advisories and re-match the SBOMs they affect
//	trustmark sbom check FILE    match an SBOM offline against the imported advisories
//	trustmark help [command]     explain a command
//
// Run "trustmark help serve" for the server's flags and their environment
// variables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "trustmark:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errHelp is flag.ErrHelp, returned when -h or --help was asked for.
var errHelp = flag.ErrHelp

// usageError marks a command-line mistake (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue usageError
	var fe fetchError
	switch {
	case errors.As(err, &ue) || errors.Is(err, flag.ErrHelp):
		return 2
	case errors.As(err, &fe):
		return 3
	}
	return 1
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the registry server", runServe},
		{"admin", "initialize a new installation (admin init)", runAdmin},
		{"user", "add a portal user to an organization (user add)", runUser},
		{"criteria", "list, show, map and evaluate the criteria catalogs", runCriteria},
		{"generate", "fill a store with synthetic registry records (for load tests)", runGenerate},
		{"migrate", "apply pending database schema migrations (PostgreSQL)", runMigrate},
		{"export", "write the registry pages, records and log as static files for a CDN", runExport},
		{"label", "render a label's print artwork (SVG, PDF, PNG) from the store", runLabel},
		{"verify", "verify a label against the public transparency log", runVerify},
		{"log", "check the local log (fsck) or follow a remote one (monitor)", runLog},
		{"org", "create and read organizations through the API", orgNoun().run},
		{"token", "create, list and revoke API tokens through the API", tokenNoun().run},
		{"lab", "recognize and withdraw labs, read the directory, through the API", labNoun().run},
		{"product", "create and read products through the API", productNoun().run},
		{"app", "file, sign, submit and decide applications through the API", appNoun().run},
		{"report", "attach and list test reports through the API", reportNoun().run},
		{"grant", "read grants, change their status and disclosures, through the API", grantNoun().run},
		{"complaint", "file and act on complaints through the API", complaintNoun().run},
		{"registry", "read the public registry through the API", registryNoun().run},
		{"probe", "check a device under test on the network (lab tooling) and submit the results", runProbe},
		{"vulns", "import OSV advisories into the store (vulns import), generate test ones", runVulns},
		{"sbom", "check an SBOM offline against the store; upload and read SBOMs through the API", runSBOM},
		{"vex", "upload and read VEX statements through the API", runVex},
		{"alerts", "read vulnerability alerts, turn one into a finding, through the API", runAlerts},
		{"webhook", "register alert webhooks through the API", runWebhook},
	}
}

// run is the whole program: it parses args (args[0] is the program name),
// reads the environment through getenv and returns instead of exiting.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		usage(stderr)
		return usageError{"no command given"}
	}
	name, rest := args[1], args[2:]
	if name == "help" || name == "-h" || name == "--help" {
		if len(rest) > 0 {
			for _, c := range commands() {
				if c.name == rest[0] {
					if err := c.run(ctx, []string{"--help"}, getenv, stdin, stdout, stdout); !errors.Is(err, flag.ErrHelp) {
						return err
					}
					return nil
				}
			}
			return usageError{fmt.Sprintf("unknown command %q", rest[0])}
		}
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, rest, getenv, stdin, stdout, stderr)
			if errors.Is(err, flag.ErrHelp) && hasHelpFlag(rest) {
				return nil
			}
			return err
		}
	}
	usage(stderr)
	return usageError{fmt.Sprintf("unknown command %q", name)}
}

func hasHelpFlag(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "trustmark runs a consumer-IoT cybersecurity label program and its public registry.")
	fmt.Fprintln(w, "\nUsage:\n  trustmark <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"trustmark help <command>\" for a command's flags.")
}

// newFlagSet returns a flag set whose errors and help go to w.
func newFlagSet(name, synopsis string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage: trustmark %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs and refuses stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}
