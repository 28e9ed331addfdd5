package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"trustmark/internal/criteria"
)

const criteriaSynopsis = `criteria <list | show CATALOG [REQUIREMENT] | map FROM TO | evaluate FILE> [--json]

Reads the criteria catalogs and mappings built into trustmark:
  list                       every catalog with its version and counts
  show CATALOG [REQUIREMENT] a catalog's requirements, or one requirement and its mappings
  map FROM TO                how the requirements of one catalog relate to another's
  evaluate FILE              what an assessment allows to be claimed under every scheme;
                             FILE (or - for stdin) holds {"catalog": ID, "results":
                             [{"requirement": ID, "outcome": "pass|fail|not_applicable|not_tested",
                               "justification": "..."}]}`

// runCriteria implements "trustmark criteria".
func runCriteria(_ context.Context, args []string, _ func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("criteria", criteriaSynopsis, stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return usageError{"criteria needs a subcommand: list, show, map or evaluate"}
	}
	set, err := criteria.Embedded()
	if err != nil {
		return err
	}
	want := func(n int, what string) error {
		if len(pos)-1 != n {
			return usageError{fmt.Sprintf("criteria %s needs %s", pos[0], what)}
		}
		return nil
	}
	switch pos[0] {
	case "list":
		if err := want(0, "no arguments"); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdout, set.Catalogs())
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tVERSION\tREQUIREMENTS\tMANDATORY\tUNVERIFIED\tTITLE")
		for _, c := range set.Catalogs() {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", c.ID, c.Version, c.Requirements, c.Mandatory, c.Unverified, c.Title)
		}
		return tw.Flush()
	case "show":
		if len(pos) != 2 && len(pos) != 3 {
			return usageError{"criteria show needs a catalog ID and optionally a requirement ID"}
		}
		if len(pos) == 3 {
			req, err := set.Requirement(pos[1], pos[2])
			if err != nil {
				return err
			}
			if *asJSON {
				return printJSON(stdout, req)
			}
			fmt.Fprintf(stdout, "%s %s (%s)\n%s\n", req.ID, req.Title, req.Obligation, req.Statement)
			for _, it := range req.Items {
				fmt.Fprintf(stdout, "  %s %s\n", it.Label, it.Text)
			}
			if req.Condition != "" {
				fmt.Fprintf(stdout, "Applies when: %s\n", req.Condition)
			}
			fmt.Fprintf(stdout, "Source: %s\nProvenance: %s %s\n", req.Source, req.Provenance.Status, req.Provenance.Remarks)
			return nil
		}
		if *asJSON {
			b, err := set.CatalogJSON(pos[1])
			if err != nil {
				return err
			}
			_, err = stdout.Write(b)
			return err
		}
		c, err := set.Catalog(pos[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (%s)\n", c.Info.Title, c.Info.Version)
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, r := range c.Requirements {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Group, r.ID, r.Obligation, r.Title)
		}
		return tw.Flush()
	case "map":
		if err := want(2, "two catalog IDs: FROM TO"); err != nil {
			return err
		}
		if *asJSON {
			b, err := set.MappingJSON(pos[1], pos[2])
			if err != nil {
				return err
			}
			_, err = stdout.Write(b)
			return err
		}
		m, err := set.Mapping(pos[1], pos[2])
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "%s\tRELATIONSHIP\t%s\n", strings.ToUpper(m.SourceCatalog), strings.ToUpper(m.TargetCatalog))
		for _, e := range m.Maps {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Source, e.Relationship, strings.Join(e.Targets, ", "))
		}
		return tw.Flush()
	case "evaluate":
		if err := want(1, "a file holding the assessment (or - for standard input)"); err != nil {
			return err
		}
		var in io.Reader = stdin
		if pos[1] != "-" {
			f, err := os.Open(pos[1])
			if err != nil {
				return err
			}
			defer f.Close()
			in = f
		}
		var a criteria.Assessment
		dec := json.NewDecoder(io.LimitReader(in, 16<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			return fmt.Errorf("read assessment: %w", err)
		}
		res, err := set.Evaluate(a)
		if err != nil {
			var ie *criteria.InputError
			if errors.As(err, &ie) && ie.Requirement != "" {
				return fmt.Errorf("assessment invalid at requirement %s: %s", ie.Requirement, ie.Message)
			}
			return fmt.Errorf("assessment invalid: %w", err)
		}
		if *asJSON {
			return printJSON(stdout, res)
		}
		for _, c := range res.Claims {
			fmt.Fprintln(stdout, c)
		}
		for _, s := range res.Schemes {
			for _, c := range s.Caveats {
				fmt.Fprintf(stdout, "  note (%s): %s\n", s.ShortTitle, c)
			}
		}
		return nil
	}
	return usageError{fmt.Sprintf("unknown criteria subcommand %q: use list, show, map or evaluate", pos[0])}
}

// parseInterleaved parses flags that may come before, between or after
// positional arguments, and returns the positional ones.
func parseInterleaved(fs interface {
	Parse([]string) error
	Args() []string
}, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, errHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
