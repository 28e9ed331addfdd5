package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"trustmark"
	"trustmark/client"
)

// This file holds what every command that calls the JSON API shares: the
// flags that say which server and token to use, the table of verbs each
// noun command dispatches to, input files and output. The nouns and their
// verbs are in api_parties.go, api_application.go and api_grant.go.

// defaultURL is the server the API commands call unless told otherwise:
// where "trustmark serve" listens by default.
const defaultURL = "http://127.0.0.1:8080"

// maxInputBytes caps an input file; the server refuses bodies over 1 MiB anyway.
const maxInputBytes = 16 << 20

// apiFlags are the flags of every API command.
type apiFlags struct {
	url     string
	token   string
	json    bool
	timeout time.Duration
}

// register adds the API flags to fs. The token flag has no default shown:
// the value of TRUSTMARK_TOKEN is read after parsing, so that --help never
// prints it.
func (a *apiFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.str(&a.url, "url", "TRUSTMARK_URL", defaultURL, "base URL of the trustmark server")
	fs.StringVar(&a.token, "token", "", "API token to act with (env TRUSTMARK_TOKEN, which is safer: a command line is visible to other users); never printed")
	fs.BoolVar(&a.json, "json", false, "print the API's JSON instead of readable text, for scripts")
	fs.DurationVar(&a.timeout, "timeout", client.DefaultTimeout, "how long to wait for the server")
}

// client builds the API client the flags describe.
func (a *apiFlags) client(getenv func(string) string) (*client.Client, error) {
	if a.token == "" {
		a.token = getenv("TRUSTMARK_TOKEN")
	}
	c, err := client.New(a.url, a.token, client.WithHTTPClient(&http.Client{Timeout: a.timeout}), client.WithUserAgent("trustmark-cli"))
	if err != nil {
		return nil, usageError{"--url: " + strings.TrimPrefix(err.Error(), "trustmark client: ")}
	}
	return c, nil
}

// apiCall is what a verb's action works with: the client, the positional
// arguments (already counted) and standard input for "--file -".
type apiCall struct {
	c     *client.Client
	args  []string
	stdin io.Reader
}

// action runs a verb and returns what to print.
type action func(ctx context.Context, x *apiCall) (any, error)

// verb is one subcommand of a noun command, e.g. "submit" of "app".
type verb struct {
	name     string
	args     []string // positional arguments, e.g. {"APP_ID"}
	flags    string   // the flags worth showing in the synopsis
	summary  string
	help     string   // details for "--help": what it does, the input format
	required []string // flags that must be given on the command line
	// setup registers the verb's own flags and returns its action.
	setup func(fs *flag.FlagSet) action
}

// synopsis is the verb's one-line usage.
func (v *verb) synopsis(noun string) string {
	return strings.Join(slices.DeleteFunc([]string{noun, v.name, strings.Join(v.args, " "), v.flags},
		func(s string) bool { return s == "" }), " ")
}

// noun is a command whose verbs call the API, e.g. "trustmark app submit".
type noun struct {
	name  string
	about string
	verbs []verb
}

// run implements the command: it picks the verb, parses its flags and
// positional arguments, calls the API and prints the result.
func (n *noun) run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		n.usage(stderr, getenv)
		return usageError{fmt.Sprintf("%s needs a verb: %s", n.name, n.verbNames())}
	}
	if a := args[0]; a == "-h" || a == "-help" || a == "--help" || a == "help" {
		n.usage(stderr, getenv)
		return errHelp
	}
	i := slices.IndexFunc(n.verbs, func(v verb) bool { return v.name == args[0] })
	if i < 0 {
		return usageError{fmt.Sprintf("unknown %s verb %q: use %s (the verb comes first)", n.name, args[0], n.verbNames())}
	}
	v := &n.verbs[i]
	about := v.synopsis(n.name) + " [flags]\n\n" + strings.ToUpper(v.summary[:1]) + v.summary[1:] + "."
	if v.help != "" {
		about += "\n\n" + strings.TrimRight(v.help, "\n")
	}
	fs := newFlagSet(n.name+" "+v.name, about, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: trustmark %s\n\nFlags:\n", about)
		fs.PrintDefaults()
	}
	var af apiFlags
	af.register(fs, getenv)
	act := v.setup(fs)
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != len(v.args) {
		if len(v.args) == 0 {
			return usageError{fmt.Sprintf("%s %s takes no arguments; got %q", n.name, v.name, pos[0])}
		}
		return usageError{fmt.Sprintf("%s %s needs %s", n.name, v.name, strings.Join(v.args, " "))}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, name := range v.required {
		if !given[name] {
			return usageError{fmt.Sprintf("%s %s needs --%s", n.name, v.name, name)}
		}
	}
	c, err := af.client(getenv)
	if err != nil {
		return err
	}
	out, err := act(ctx, &apiCall{c: c, args: pos, stdin: stdin})
	if err != nil {
		if client.IsUnauthenticated(err) && af.token == "" {
			return fmt.Errorf("%w; set TRUSTMARK_TOKEN or --token", err)
		}
		return err
	}
	if af.json {
		if r, ok := out.(reply); ok {
			return printJSON(stdout, r.json)
		}
		return printJSON(stdout, out)
	}
	return render(stdout, out)
}

func (n *noun) verbNames() string {
	names := make([]string, len(n.verbs))
	for i, v := range n.verbs {
		names[i] = v.name
	}
	return strings.Join(names, ", ")
}

// usage explains the noun: its verbs and the flags they share.
func (n *noun) usage(w io.Writer, getenv func(string) string) {
	fmt.Fprintf(w, "Usage: trustmark %s <verb> [arguments] [flags]\n\n%s\n\nVerbs:\n", n.name, n.about)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, v := range n.verbs {
		fmt.Fprintf(tw, "  %s\t%s\n", v.synopsis(n.name), v.summary)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nFlags of every verb:")
	fs := flag.NewFlagSet(n.name, flag.ContinueOnError)
	fs.SetOutput(w)
	var af apiFlags
	af.register(fs, getenv)
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nRun \"trustmark %s <verb> --help\" for a verb's own flags and input format.\n", n.name)
}

// reply is a result printed as a sentence rather than a record; json is
// what --json prints instead.
type reply struct {
	json any
	text string
}

// fileFlag registers --file, the JSON input of a verb.
func fileFlag(fs *flag.FlagSet, what string) *string {
	return fs.String("file", "", "JSON file holding "+what+" (- for standard input)")
}

// readInput decodes the JSON file at path ("-": stdin) into v, refusing
// unknown fields so that a misspelt key is caught before it is sent.
func readInput(path string, stdin io.Reader, v any) error {
	in := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	dec := json.NewDecoder(io.LimitReader(in, maxInputBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// labelArg parses a label ID argument, so a mistyped one fails before any request.
func labelArg(s string) (trustmark.LabelID, error) {
	id, err := trustmark.ParseLabelID(s)
	if err != nil {
		return "", usageError{trustmark.PublicMessage(err)}
	}
	return id, nil
}

// render prints a result as readable text.
func render(w io.Writer, v any) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch v := v.(type) {
	case reply:
		fmt.Fprintln(tw, v.text)
	case *trustmark.Organization:
		printOrganization(tw, v)
	case []trustmark.Organization:
		printOrganizations(tw, v)
	case []trustmark.Token:
		printTokens(tw, v)
	case *trustmark.LabRecognition:
		printLab(tw, v)
	case *client.Directory:
		printDirectory(tw, v)
	case *trustmark.Product:
		printProduct(tw, v)
	case []trustmark.Product:
		printProducts(tw, v)
	case *trustmark.Application:
		printApplication(tw, v)
	case []trustmark.Application:
		printApplications(tw, v)
	case *trustmark.TestReport:
		printReport(tw, v)
	case *client.Reports:
		printReports(tw, v)
	case *client.GrantView:
		printGrant(tw, &v.Grant, v.RenewalDue)
	case *trustmark.Grant:
		printGrant(tw, v, nil)
	case []trustmark.Grant:
		printGrants(tw, v)
	case *trustmark.Complaint:
		printComplaint(tw, v)
	case []trustmark.Complaint:
		printComplaints(tw, v)
	case *trustmark.RegistryRecord:
		printRecord(tw, v)
	case *trustmark.RegistryPage:
		printRegistryPage(tw, v)
	default:
		return printJSON(w, v)
	}
	return tw.Flush()
}

// field prints "name:<tab>value" when value is not empty.
func field(w io.Writer, name, value string) {
	if value != "" {
		fmt.Fprintf(w, "%s:\t%s\n", name, value)
	}
}

// when formats a time for people, or "" for the zero time.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// whenPtr is when for an optional time.
func whenPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return when(*t)
}
