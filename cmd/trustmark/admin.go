package main

import (
	"context"
	"fmt"
	"io"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/program"
)

const adminSynopsis = `admin <init | token> [flags]

  init    creates the Lead Administrator of a new installation and prints its
          first admin token. Fails if the store already has a Lead Administrator.
  token   creates a token for any organization (--org), on the authority of
          whoever can open the store: for demo data or a lost admin token.

Tokens are shown once and stored only as a hash: keep them.`

// runAdmin implements "trustmark admin init".
func runAdmin(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("admin", adminSynopsis, stderr)
	var st storeFlags
	var name, contact, holder string
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.storeFlags(&st)
	fs.StringVar(&name, "name", "Lead Administrator", "the Lead Administrator's name")
	fs.StringVar(&contact, "contact", "https://lead-administrator.example.org/contact", "its public contact: a URL or an email address")
	fs.StringVar(&holder, "holder", "administrator", "the person who will hold the token")
	orgID := fs.String("org", "", "admin token: the organization ID the token acts for")
	role := fs.String("role", "admin", "admin token: the token's role (admin, member or viewer)")
	asJSON := fs.Bool("json", false, `print {"organization_id": ..., "token": ...} for scripts`)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (pos[0] != "init" && pos[0] != "token") {
		fs.Usage()
		return usageError{"admin needs the subcommand init or token"}
	}
	if pos[0] == "token" && *orgID == "" {
		return usageError{"admin token needs --org ORGANIZATION_ID"}
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
	if pos[0] == "token" {
		tok, secret, err := prog.OperatorToken(ctx, *orgID, holder, trustmark.Role(*role))
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdout, map[string]string{"organization_id": tok.OrgID, "token_id": tok.ID, "token": secret})
		}
		fmt.Fprintf(stdout, "Token %s (%s) for organization %s, shown only now:\n\n  %s\n", tok.ID, tok.Role, tok.OrgID, secret)
		return nil
	}
	org, secret, err := prog.Init(ctx,
		trustmark.Organization{Name: name, Contact: contact, Country: "US"}, holder)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, map[string]string{"organization_id": org.ID, "token": secret})
	}
	fmt.Fprintf(stdout, "Lead Administrator %q created (organization %s).\n", org.Name, org.ID)
	fmt.Fprintf(stdout, "Its admin token, shown only now:\n\n  %s\n\nUse it as: Authorization: Bearer <token>\n", secret)
	return nil
}
