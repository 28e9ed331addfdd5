package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"trustmark"
	"trustmark/client"
)

// Products, applications and test reports through the API.

// disclosuresFormat explains the registry disclosures a manufacturer files
// with an application and may update after the grant.
const disclosuresFormat = `The disclosures use the CTA-2120 registry field names (see docs/registry.md):
  {"sensor_data_collection": [{"sensing": "images", "has": true, "description": "..."}],
   "access_control": {"password_options": ["password"], "password_type": "factory_default",
     "user_changeable": true, "password_change": {"text": "Settings > Security", "url": "https://..."}},
   "securing_this_product": {"text": "...", "url": "https://..."},
   "security_update_information": {"update_default": "Automatic - may opt out", "update_options": ["Manual"]},
   "support_date": "2030-06-30",
   "delete_data": {"url": "https://..."}, "account_deactivation": {"url": "https://..."},
   "encryption_and_key_management": {"url": "https://..."},
   "general_user_information": {"url": "https://..."},
   "security_contact": "security@maker.example",
   "sbom_hbom_maintained": {"sbom_maintained": true, "hbom_maintained": false}}`

// productNoun is "trustmark product".
func productNoun() *noun {
	classes := make([]string, len(trustmark.ProductClasses))
	for i, c := range trustmark.ProductClasses {
		classes[i] = string(c)
	}
	return &noun{name: "product", about: "Creates and reads a manufacturer's products (a manufacturer's token is needed).", verbs: []verb{
		{name: "create", flags: "--file FILE", summary: "create a product",
			help: `FILE holds the product:
  {"name": "Acme Cam", "model_numbers": ["AC-100", "AC-100W"],
   "hardware_version": "1", "software_version": "1.0", "class": "camera",
   "components": [{"kind": "device", "name": "Acme Cam"},
                  {"kind": "app", "name": "Acme Home", "version": "2.1"}]}
class is one of ` + strings.Join(classes, ", ") + `.
A component's kind is device, hub, app or cloud; at least one is a device.`,
			required: []string{"file"},
			setup: func(fs *flag.FlagSet) action {
				file := fileFlag(fs, "the product")
				return func(ctx context.Context, x *apiCall) (any, error) {
					var p trustmark.Product
					if err := readInput(*file, x.stdin, &p); err != nil {
						return nil, err
					}
					return x.c.CreateProduct(ctx, p)
				}
			}},
		{name: "list", summary: "list the manufacturer's products",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) { return x.c.Products(ctx) }
			}},
		{name: "show", args: []string{"PRODUCT_ID"}, summary: "show a product",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) { return x.c.Product(ctx, x.args[0]) }
			}},
	}}
}

// appNoun is "trustmark app".
func appNoun() *noun {
	var clauses strings.Builder
	for _, d := range trustmark.Declarations {
		fmt.Fprintf(&clauses, "  %-12s %s\n", d.Clause, d.Text)
	}
	inputHelp := `FILE holds the application:
  {"product_id": "prd_...", "cla_id": "org_...", "lab_id": "org_...",
   "us_agent": {"name": "Agent LLC", "address": "1 K St NW, Washington, DC",
     "email": "agent@agent.example", "phone": "+1 202 555 0100", "attested_by": "Pat Agent"},
   "disclosures": {...},
   "prior_denials": [{"application_id": "app_...", "cla_name": "...", "date": "2025-01-31", "reasons": "..."}]}
` + disclosuresFormat
	return &noun{name: "app", about: `Files and decides applications for the label. A manufacturer creates, signs
and submits them; the chosen CLA asks for information and decides; the lab
reports with "trustmark report attach".`, verbs: []verb{
		{name: "create", flags: "--file FILE", summary: "start a draft application",
			help: inputHelp, required: []string{"file"},
			setup: func(fs *flag.FlagSet) action {
				file := fileFlag(fs, "the application")
				return func(ctx context.Context, x *apiCall) (any, error) {
					var in client.ApplicationInput
					if err := readInput(*file, x.stdin, &in); err != nil {
						return nil, err
					}
					return x.c.CreateApplication(ctx, in)
				}
			}},
		{name: "update", args: []string{"APP_ID"}, flags: "--file FILE", summary: "change a draft, or an application the CLA asked information on",
			help: "Fields left out of FILE are kept; the product and CLA cannot change.\n" + inputHelp, required: []string{"file"},
			setup: func(fs *flag.FlagSet) action {
				file := fileFlag(fs, "the fields to change")
				return func(ctx context.Context, x *apiCall) (any, error) {
					var in client.ApplicationInput
					if err := readInput(*file, x.stdin, &in); err != nil {
						return nil, err
					}
					return x.c.UpdateApplication(ctx, x.args[0], in)
				}
			}},
		{name: "show", args: []string{"APP_ID"}, summary: "show an application",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) { return x.c.Application(ctx, x.args[0]) }
			}},
		{name: "list", flags: "[--state STATE]", summary: "list the applications the organization takes part in",
			setup: func(fs *flag.FlagSet) action {
				state := fs.String("state", "", "only this state: draft, submitted, info_requested, granted, denied, dismissed, under_review or under_appeal")
				return func(ctx context.Context, x *apiCall) (any, error) {
					return x.c.Applications(ctx, trustmark.ApplicationState(*state))
				}
			}},
		{name: "sign", args: []string{"APP_ID"}, flags: "--all | --clause CLAUSE...", summary: "sign declarations, under penalty of perjury, as the token's holder",
			help: "The declarations (47 CFR 8.208(c), (f)); all must be signed before submitting:\n" + clauses.String(),
			setup: func(fs *flag.FlagSet) action {
				all := fs.Bool("all", false, "sign every declaration")
				var chosen []trustmark.DeclarationClause
				fs.Func("clause", "sign this declaration, e.g. 8.208(c)(1); repeat for more", func(s string) error {
					chosen = append(chosen, trustmark.DeclarationClause(s))
					return nil
				})
				return func(ctx context.Context, x *apiCall) (any, error) {
					switch {
					case *all && len(chosen) > 0:
						return nil, usageError{"app sign takes --all or --clause, not both"}
					case *all:
						chosen = client.AllDeclarations()
					case len(chosen) == 0:
						return nil, usageError{"app sign needs --all or at least one --clause"}
					}
					return x.c.SignDeclarations(ctx, x.args[0], chosen...)
				}
			}},
		{name: "submit", args: []string{"APP_ID"}, summary: "file a complete application with its CLA",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) { return x.c.Submit(ctx, x.args[0]) }
			}},
		{name: "request-info", args: []string{"APP_ID"}, flags: "--message TEXT [--days N]", summary: "ask the applicant for more information by a deadline (CLA)",
			required: []string{"message"},
			setup: func(fs *flag.FlagSet) action {
				msg := fs.String("message", "", "what information is needed (3 to 2048 characters)")
				days := fs.Int("days", 30, "days the applicant has to answer, 1 to 180")
				return func(ctx context.Context, x *apiCall) (any, error) {
					return x.c.RequestInfo(ctx, x.args[0], *msg, *days)
				}
			}},
		{name: "decide", args: []string{"APP_ID"}, flags: "--outcome OUTCOME [--reasons TEXT]", summary: "record the CLA's decision; a grant issues the label ID",
			help:     "A grant needs a passing report from the named lab against nist-ir-8425; a denial or dismissal needs reasons.",
			required: []string{"outcome"},
			setup: func(fs *flag.FlagSet) action {
				outcome := fs.String("outcome", "", "granted, denied or dismissed")
				reasons := fs.String("reasons", "", "the written reasons (required for denied and dismissed)")
				return func(ctx context.Context, x *apiCall) (any, error) {
					return x.c.Decide(ctx, x.args[0], trustmark.ApplicationState(*outcome), *reasons)
				}
			}},
	}}
}

// reportNoun is "trustmark report".
func reportNoun() *noun {
	return &noun{name: "report", about: `Attaches a lab's test reports to an application (a token of the lab the
application names is needed) and lists them with the current verdict.`, verbs: []verb{
		{name: "attach", args: []string{"APP_ID"}, flags: "--file FILE", summary: "attach a signed test report, signed as the token's holder",
			help: `FILE holds the report:
  {"catalog": "nist-ir-8425", "signer_title": "Lead test engineer",
   "results": [{"requirement": "1a", "outcome": "pass", "notes": "...",
     "evidence": [{"name": "scan.txt", "media_type": "text/plain", "sha256": "<64 hex digits>",
       "size": 42, "description": "...", "content": "<the file in base64; optional>"}]},
     {"requirement": "1b", "outcome": "pass"}]}
An outcome is pass, fail, not_applicable (with a justification; the catalog
says which requirements may be) or not_tested.
"trustmark criteria show nist-ir-8425" lists the requirement IDs; a grant
needs every mandatory one met.`,
			required: []string{"file"},
			setup: func(fs *flag.FlagSet) action {
				file := fileFlag(fs, "the test report")
				return func(ctx context.Context, x *apiCall) (any, error) {
					var r trustmark.TestReport
					if err := readInput(*file, x.stdin, &r); err != nil {
						return nil, err
					}
					return x.c.AttachReport(ctx, x.args[0], r)
				}
			}},
		{name: "list", args: []string{"APP_ID"}, summary: "list an application's reports and the verdict on the latest",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) { return x.c.Reports(ctx, x.args[0]) }
			}},
	}}
}

func printProduct(w io.Writer, p *trustmark.Product) {
	fmt.Fprintf(w, "%s\t%s\n", p.Name, p.ID)
	field(w, "Class", string(p.Class))
	field(w, "Models", strings.Join(p.ModelNumbers, ", "))
	field(w, "Hardware", p.HardwareVersion)
	field(w, "Software", p.SoftwareVersion)
	for _, c := range p.Components {
		field(w, "Component", strings.TrimSpace(string(c.Kind)+": "+c.Name+" "+c.Version))
	}
}

func printProducts(w io.Writer, list []trustmark.Product) {
	fmt.Fprintln(w, "ID\tCLASS\tNAME\tMODELS")
	for _, p := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.ID, p.Class, p.Name, strings.Join(p.ModelNumbers, ", "))
	}
}

func printApplication(w io.Writer, a *trustmark.Application) {
	fmt.Fprintf(w, "Application %s:\t%s\n", a.ID, a.State)
	field(w, "Product", a.ProductID)
	field(w, "Manufacturer", a.ManufacturerID)
	field(w, "CLA", a.CLAID)
	field(w, "Lab", a.LabID)
	field(w, "Declarations", fmt.Sprintf("%d of %d signed", len(a.Declarations), len(trustmark.Declarations)))
	if a.USAgent != nil {
		field(w, "U.S. agent", a.USAgent.Name)
	}
	if a.Disclosures != nil {
		field(w, "Support until", string(a.Disclosures.SupportDate))
	}
	if err := a.Complete(); err != nil && (a.State == trustmark.AppDraft || a.State == trustmark.AppInfoRequested) {
		var te *trustmark.Error
		if errors.As(err, &te) {
			field(w, "Missing", te.Message)
		}
	}
	if r := a.InfoRequest; r != nil {
		field(w, "Information asked", r.Message+" (answer by "+when(r.Deadline)+")")
	}
	field(w, "Submitted", whenPtr(a.SubmittedAt))
	if d := a.Decision; d != nil {
		field(w, "Decision", fmt.Sprintf("%s by %s, %s", d.Outcome, d.DecidedBy, when(d.DecidedAt)))
		field(w, "Reasons", d.Reasons)
		field(w, "Label ID", string(d.LabelID))
	}
	for _, r := range a.Reviews {
		field(w, "Review ("+string(r.Stage)+")", strings.TrimSpace(r.Reason+" → "+r.Outcome))
	}
}

func printApplications(w io.Writer, list []trustmark.Application) {
	fmt.Fprintln(w, "ID\tSTATE\tPRODUCT\tCLA\tLAB\tUPDATED")
	for _, a := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.State, a.ProductID, a.CLAID, a.LabID, when(a.UpdatedAt))
	}
}

func printReport(w io.Writer, r *trustmark.TestReport) {
	counts := map[trustmark.Outcome]int{}
	for _, res := range r.Results {
		counts[res.Outcome]++
	}
	fmt.Fprintf(w, "Report %s:\tagainst %s\n", r.ID, r.Catalog)
	field(w, "Application", r.ApplicationID)
	field(w, "Signed", fmt.Sprintf("%s, %s, %s", r.SignedBy, r.SignerTitle, when(r.SignedAt)))
	field(w, "Results", fmt.Sprintf("%d pass, %d fail, %d not applicable, %d not tested",
		counts[trustmark.OutcomePass], counts[trustmark.OutcomeFail], counts[trustmark.OutcomeNotApplicable], counts[trustmark.OutcomeNotTested]))
}

func printReports(w io.Writer, rs *client.Reports) {
	for i := range rs.Items {
		printReport(w, &rs.Items[i])
		fmt.Fprintln(w)
	}
	if rs.Verdict == nil {
		fmt.Fprintln(w, "No verdict: no report from the named lab against nist-ir-8425 yet.")
		return
	}
	fmt.Fprintln(w, "Verdict on the latest report:")
	for _, c := range rs.Verdict.Claims {
		fmt.Fprintf(w, "  %s\n", c)
	}
}
