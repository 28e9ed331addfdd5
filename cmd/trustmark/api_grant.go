package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"trustmark"
)

// Grants after the decision, complaints about them, and the public
// registry, through the API.

// grantNoun is "trustmark grant".
func grantNoun() *noun {
	return &noun{name: "grant", about: `Reads grants of authority to use the label and changes them: their status
(CLA, regulator, or the manufacturer surrendering) and their registry
disclosures (the manufacturer).`, verbs: []verb{
		{name: "show", args: []string{"LABEL_ID"}, summary: "show a grant with its renewal due date",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) {
					id, err := labelArg(x.args[0])
					if err != nil {
						return nil, err
					}
					return x.c.Grant(ctx, id)
				}
			}},
		{name: "list", flags: "[--status STATUS]", summary: "list the grants the organization is party to",
			setup: func(fs *flag.FlagSet) action {
				status := fs.String("status", "", "only this status: active, suspended, terminated, withdrawn, surrendered or set_aside")
				return func(ctx context.Context, x *apiCall) (any, error) {
					return x.c.Grants(ctx, trustmark.GrantStatus(*status))
				}
			}},
		{name: "status", args: []string{"LABEL_ID"}, flags: "--to STATUS --reason TEXT", summary: "change a grant's status, with a written reason",
			help: `Who may set which status:
  suspended   the grant's CLA or the regulator; starts the 20-day cure period
  active      the grant's CLA or the regulator, to cure a suspended grant
  withdrawn   the grant's CLA or the regulator
  terminated  the regulator
  set_aside   the regulator
  surrendered the grant's manufacturer
withdrawn, terminated, set_aside and surrendered are final: they never change again.`,
			required: []string{"to", "reason"},
			setup: func(fs *flag.FlagSet) action {
				to := fs.String("to", "", "the new status: suspended, active, withdrawn, terminated, set_aside or surrendered")
				reason := fs.String("reason", "", "why; recorded, and shown in the public registry")
				return func(ctx context.Context, x *apiCall) (any, error) {
					id, err := labelArg(x.args[0])
					if err != nil {
						return nil, err
					}
					return x.c.ChangeStatus(ctx, id, trustmark.GrantStatus(*to), *reason)
				}
			}},
		{name: "disclosures", args: []string{"LABEL_ID"}, flags: "--file FILE", summary: "replace a grant's registry disclosures (its manufacturer)",
			help:     "The support date may move later, never earlier.\n" + disclosuresFormat,
			required: []string{"file"},
			setup: func(fs *flag.FlagSet) action {
				file := fileFlag(fs, "the complete disclosures")
				return func(ctx context.Context, x *apiCall) (any, error) {
					id, err := labelArg(x.args[0])
					if err != nil {
						return nil, err
					}
					var d trustmark.Disclosures
					if err := readInput(*file, x.stdin, &d); err != nil {
						return nil, err
					}
					return x.c.UpdateDisclosures(ctx, id, d)
				}
			}},
	}}
}

// complaintNoun is "trustmark complaint".
func complaintNoun() *noun {
	return &noun{name: "complaint", about: `Files complaints about labeled products (anyone; no token needed) and acts
on them: the CLA, then the Lead Administrator, then the regulator.`, verbs: []verb{
		{name: "file", args: []string{"LABEL_ID"}, flags: "--text TEXT [--contact CONTACT]", summary: "file a complaint about a labeled product",
			required: []string{"text"},
			setup: func(fs *flag.FlagSet) action {
				text := fs.String("text", "", "what is wrong, 10 to 5000 characters")
				contact := fs.String("contact", "", "how to reach you: an email address or URL (optional; never public)")
				return func(ctx context.Context, x *apiCall) (any, error) {
					id, err := labelArg(x.args[0])
					if err != nil {
						return nil, err
					}
					return x.c.FileComplaint(ctx, id, *text, *contact)
				}
			}},
		{name: "list", summary: "list the complaints the organization may see",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) { return x.c.Complaints(ctx) }
			}},
		{name: "act", args: []string{"COMPLAINT_ID"}, flags: "--action ACTION --note TEXT", summary: "refer, close or justify a complaint (its current holder)",
			help:     "refer sends it on (CLA → Lead Administrator → regulator); close ends it; justify\nsuspends the grant for a 20-day cure period (CLA or regulator).",
			required: []string{"action", "note"},
			setup: func(fs *flag.FlagSet) action {
				act := fs.String("action", "", "refer, close or justify")
				note := fs.String("note", "", "why, 3 to 2048 characters")
				return func(ctx context.Context, x *apiCall) (any, error) {
					return x.c.ActOnComplaint(ctx, x.args[0], *act, *note)
				}
			}},
	}}
}

// registryNoun is "trustmark registry".
func registryNoun() *noun {
	return &noun{name: "registry", about: "Reads the public registry of labeled products (no token needed).", verbs: []verb{
		{name: "show", args: []string{"LABEL_ID"}, summary: "show a product's registry record",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) {
					id, err := labelArg(x.args[0])
					if err != nil {
						return nil, err
					}
					return x.c.RegistryRecord(ctx, id)
				}
			}},
		{name: "list", flags: "[--query WORDS] [--status STATUS] [--limit N] [--cursor C]", summary: "search the registry, one page at a time",
			setup: func(fs *flag.FlagSet) action {
				var f trustmark.RegistryFilter
				fs.StringVar(&f.Query, "query", "", "words matched against product, manufacturer and model numbers")
				fs.StringVar(&f.Manufacturer, "manufacturer", "", "only this manufacturer's organization ID")
				fs.Func("status", "only this grant status: active, suspended, terminated, withdrawn, surrendered or set_aside", func(s string) error {
					f.Status = trustmark.GrantStatus(s)
					return nil
				})
				fs.IntVar(&f.Limit, "limit", trustmark.DefaultRegistryLimit, "records per page, 1 to "+strconv.Itoa(trustmark.MaxRegistryLimit))
				fs.StringVar(&f.Cursor, "cursor", "", "the cursor a previous page printed, for the next page")
				return func(ctx context.Context, x *apiCall) (any, error) { return x.c.Registry(ctx, f) }
			}},
	}}
}

func printGrant(w io.Writer, g *trustmark.Grant, renewal *time.Time) {
	fmt.Fprintf(w, "Grant %s:\t%s\n", g.LabelID, g.Status)
	field(w, "Reason", g.StatusReason)
	field(w, "Cure by", whenPtr(g.CureDeadline))
	field(w, "Product", g.ProductID)
	field(w, "Manufacturer", g.ManufacturerID)
	field(w, "CLA", g.CLAID)
	field(w, "Lab", g.LabID)
	field(w, "Granted", when(g.GrantedAt))
	field(w, "Status since", when(g.StatusChangedAt))
	field(w, "Renewal due", whenPtr(renewal))
}

func printGrants(w io.Writer, list []trustmark.Grant) {
	fmt.Fprintln(w, "LABEL ID\tSTATUS\tPRODUCT\tMANUFACTURER\tGRANTED")
	for _, g := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", g.LabelID, g.Status, g.ProductID, g.ManufacturerID, when(g.GrantedAt))
	}
}

func printComplaint(w io.Writer, c *trustmark.Complaint) {
	fmt.Fprintf(w, "Complaint %s:\t%s\n", c.ID, c.State)
	field(w, "Label ID", string(c.LabelID))
	field(w, "Filed", when(c.FiledAt))
	field(w, "Text", c.Text)
	field(w, "Contact", c.Contact)
	field(w, "Resolution", c.Resolution)
}

func printComplaints(w io.Writer, list []trustmark.Complaint) {
	fmt.Fprintln(w, "ID\tSTATE\tLABEL ID\tFILED\tTEXT")
	for _, c := range list {
		text := c.Text
		if r := []rune(text); len(r) > 60 {
			text = string(r[:60]) + "…"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.State, c.LabelID, when(c.FiledAt), strings.ReplaceAll(text, "\n", " "))
	}
}

func printRecord(w io.Writer, r *trustmark.RegistryRecord) {
	fmt.Fprintf(w, "%s\t%s\n", r.ProductName, r.LabelID)
	field(w, "Status", string(r.Status)+" since "+string(r.StatusDate))
	field(w, "Reason", r.StatusReason)
	if r.CureDeadline != nil {
		field(w, "Cure by", string(*r.CureDeadline))
	}
	field(w, "Manufacturer", r.ManufacturerName)
	field(w, "Models", strings.Join(r.VersionAndModelNumbers.ModelNumbers, ", "))
	field(w, "Authorized", string(r.AuthorizationDate)+" by "+r.AuthorizedBy.Name)
	field(w, "Tested by", r.TestedBy.Name)
	supported := "supported"
	if !r.Supported {
		supported = "support ended"
	}
	field(w, "Security updates", string(r.SupportDate)+" ("+supported+")")
	field(w, "Security contact", r.SecurityContact)
	field(w, "Registry page", r.QRCodeURL)
}

func printRegistryPage(w io.Writer, p *trustmark.RegistryPage) {
	fmt.Fprintln(w, "LABEL ID\tSTATUS\tPRODUCT\tMANUFACTURER\tSUPPORT UNTIL")
	for _, r := range p.Items {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.LabelID, r.Status, r.ProductName, r.ManufacturerName, r.SupportDate)
	}
	fmt.Fprintf(w, "\n%d of %d records.", len(p.Items), p.Total)
	if p.NextCursor != "" {
		fmt.Fprintf(w, " Next page: --cursor %s", p.NextCursor)
	}
	fmt.Fprintln(w)
}
