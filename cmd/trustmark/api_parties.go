package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"trustmark"
	"trustmark/client"
)

// The parties of the program through the API: organizations, their tokens,
// and the recognition of labs.

// createdOrg is a new organization with its first token's secret, as the
// API returns it.
type createdOrg struct {
	Organization *trustmark.Organization `json:"organization"`
	Token        string                  `json:"token"`
}

// createdToken is a new token with its secret, as the API returns it.
type createdToken struct {
	Token  *trustmark.Token `json:"token"`
	Secret string           `json:"secret"`
}

// orgNoun is "trustmark org".
func orgNoun() *noun {
	return &noun{name: "org", about: `Creates and reads the organizations of the program: the regulator, CLAs (label
administrators), labs and manufacturers. The Lead Administrator creates every
kind; a CLA onboards manufacturers.`, verbs: []verb{
		{name: "create", flags: "--kind KIND --name NAME --contact CONTACT --holder PERSON",
			summary: "create an organization and print its first admin token (shown only once)",
			help: `--kind is regulator, cla, lab or manufacturer. --contact is a URL or an email
address the public may use. --holder names the person who will use the token.`,
			required: []string{"kind", "name", "contact", "holder"},
			setup: func(fs *flag.FlagSet) action {
				var o trustmark.Organization
				var holder string
				fs.Func("kind", "kind of organization: regulator, cla, lab or manufacturer", func(s string) error { o.Kind = trustmark.OrgKind(s); return nil })
				fs.StringVar(&o.Name, "name", "", "the organization's name")
				fs.StringVar(&o.Contact, "contact", "", "its public contact: an http(s) URL or an email address")
				fs.StringVar(&o.Website, "website", "", "its website (optional)")
				fs.StringVar(&o.Address, "address", "", "its postal address (optional)")
				fs.StringVar(&o.Country, "country", "", "its ISO 3166-1 alpha-2 country code, e.g. US (optional)")
				fs.StringVar(&holder, "holder", "", "the person who will hold its first admin token")
				return func(ctx context.Context, x *apiCall) (any, error) {
					org, secret, err := x.c.CreateOrganization(ctx, o, holder)
					if err != nil {
						return nil, err
					}
					return reply{createdOrg{org, secret}, fmt.Sprintf("Created %s %q (%s).\nIts admin token, shown only now:\n\n  %s\n", org.Kind, org.Name, org.ID, secret)}, nil
				}
			}},
		{name: "list", flags: "[--kind KIND]", summary: "list organizations (others than the overseers may list only cla and lab)",
			setup: func(fs *flag.FlagSet) action {
				kind := fs.String("kind", "", "only this kind: regulator, lead_administrator, cla, lab or manufacturer")
				return func(ctx context.Context, x *apiCall) (any, error) {
					return x.c.Organizations(ctx, trustmark.OrgKind(*kind))
				}
			}},
		{name: "show", args: []string{"ORG_ID"}, summary: "show an organization's public details",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) { return x.c.Organization(ctx, x.args[0]) }
			}},
	}}
}

// tokenNoun is "trustmark token".
func tokenNoun() *noun {
	return &noun{name: "token", about: `Manages the API tokens of the organization the --token acts for (an admin
token is needed, except to revoke one's own). A token's secret is shown once,
when it is created, and stored only as a hash.`, verbs: []verb{
		{name: "create", flags: "--holder PERSON [--role ROLE]", summary: "create a token and print its secret (shown only once)",
			required: []string{"holder"},
			setup: func(fs *flag.FlagSet) action {
				holder := fs.String("holder", "", `the person who will use it, e.g. "Ana Ruiz <ana@lab.example>"`)
				role := fs.String("role", string(trustmark.RoleMember), "admin (everything, tokens too), member (take part) or viewer (read only)")
				return func(ctx context.Context, x *apiCall) (any, error) {
					tok, secret, err := x.c.CreateToken(ctx, *holder, trustmark.Role(*role))
					if err != nil {
						return nil, err
					}
					return reply{createdToken{tok, secret}, fmt.Sprintf("Created %s token %s for %s.\nIts secret, shown only now:\n\n  %s\n", tok.Role, tok.ID, tok.Holder, secret)}, nil
				}
			}},
		{name: "list", summary: "list the organization's tokens (never their secrets)",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) { return x.c.Tokens(ctx) }
			}},
		{name: "revoke", args: []string{"TOKEN_ID"}, summary: "revoke a token at once",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) {
					if err := x.c.RevokeToken(ctx, x.args[0]); err != nil {
						return nil, err
					}
					return reply{map[string]string{"revoked": x.args[0]}, "Token " + x.args[0] + " revoked."}, nil
				}
			}},
	}}
}

// labNoun is "trustmark lab".
func labNoun() *noun {
	return &noun{name: "lab", about: `Recognizes labs (CyberLABs) and withdraws their recognition, as the Lead
Administrator, and lists the public directory of CLAs and labs.`, verbs: []verb{
		{name: "recognize", args: []string{"ORG_ID"}, flags: "--file FILE", summary: "recognize the lab organization ORG_ID, or renew its record",
			help: `FILE holds the lab's 47 CFR 8.217(e) record:
  {"test_sites": ["Pittsburgh, PA"], "mailing_address": "18 Foundry Rd, Pittsburgh, PA",
   "accreditation_body": "A2LA", "scope": ["nist-ir-8425"],
   "accreditation_expires": "2027-12-31", "designation_number": "US1234",
   "frn": "0012345678", "contract_testing": false, "foreign_arrangement": ""}`,
			required: []string{"file"},
			setup: func(fs *flag.FlagSet) action {
				file := fileFlag(fs, "the lab's recognition record")
				return func(ctx context.Context, x *apiCall) (any, error) {
					var rec trustmark.LabRecognition
					if err := readInput(*file, x.stdin, &rec); err != nil {
						return nil, err
					}
					return x.c.RecognizeLab(ctx, x.args[0], rec)
				}
			}},
		{name: "withdraw", args: []string{"ORG_ID"}, flags: "--reason TEXT", summary: "withdraw a lab's recognition; it can no longer report",
			required: []string{"reason"},
			setup: func(fs *flag.FlagSet) action {
				reason := fs.String("reason", "", "why, in 3 to 2048 characters (it is recorded and public)")
				return func(ctx context.Context, x *apiCall) (any, error) { return x.c.WithdrawLab(ctx, x.args[0], *reason) }
			}},
		{name: "list", summary: "show the public directory: CLAs, recognized labs and withdrawn labs",
			setup: func(fs *flag.FlagSet) action {
				return func(ctx context.Context, x *apiCall) (any, error) { return x.c.Directory(ctx) }
			}},
	}}
}

func printOrganization(w io.Writer, o *trustmark.Organization) {
	fmt.Fprintf(w, "%s\t%s\n", o.Name, o.ID)
	field(w, "Kind", string(o.Kind))
	field(w, "Contact", o.Contact)
	field(w, "Website", o.Website)
	field(w, "Address", o.Address)
	field(w, "Country", o.Country)
	field(w, "Created", when(o.CreatedAt))
}

func printOrganizations(w io.Writer, list []trustmark.Organization) {
	fmt.Fprintln(w, "ID\tKIND\tNAME\tCONTACT")
	for _, o := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", o.ID, o.Kind, o.Name, o.Contact)
	}
}

func printTokens(w io.Writer, list []trustmark.Token) {
	fmt.Fprintln(w, "ID\tROLE\tHOLDER\tCREATED\tREVOKED")
	for _, t := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, t.Holder, when(t.CreatedAt), whenPtr(t.RevokedAt))
	}
}

func printLab(w io.Writer, l *trustmark.LabRecognition) {
	fmt.Fprintf(w, "Lab %s:\t%s\n", l.OrgID, l.Status)
	field(w, "Accredited by", l.AccreditationBody)
	field(w, "Accreditation expires", string(l.AccreditationExpires))
	field(w, "Designation", l.DesignationNumber)
	field(w, "FRN", l.FRN)
	field(w, "Recognized", when(l.RecognizedAt))
	field(w, "Withdrawn", whenPtr(l.WithdrawnAt))
	field(w, "Reason", l.WithdrawnReason)
}

func printDirectory(w io.Writer, d *client.Directory) {
	fmt.Fprintln(w, "CLA\tNAME\tCONTACT")
	for _, o := range d.CLAs {
		fmt.Fprintf(w, "%s\t%s\t%s\n", o.ID, o.Name, o.Contact)
	}
	fmt.Fprintln(w, "\nLAB\tNAME\tSTATUS\tACCREDITED UNTIL\tSCOPE")
	for _, l := range slices.Concat(d.Labs, d.WithdrawnLabs) {
		until := string(l.AccreditationExpires)
		if l.Expired {
			until += " (expired)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", l.OrgID, l.Name, l.Status, until, strings.Join(l.Scope, ", "))
	}
}
