package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/passwd"
	"trustmark/internal/program"
)

const userSynopsis = `user add --org ID --email EMAIL --name NAME [--role ROLE] [--password-stdin] [flags]

  add     creates a portal user of any organization (--org), on the authority
          of whoever can open the store: for the first user of an
          organization, who can then add the others in the portal. The user
          signs in to the web portals with the email and password.

Without --password-stdin a strong random password is generated and printed
once; it is stored only as an Argon2id hash, so keep it. With
--password-stdin the first line of standard input is the password (at least
12 characters, not the email), e.g.:

  printf '%s\n' "$PASSWORD" | trustmark user add --org org_x --email ana@x.example --name "Ana Ruiz" --role admin --password-stdin`

// runUser implements "trustmark user add".
func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("user", userSynopsis, stderr)
	var st storeFlags
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.storeFlags(&st)
	orgID := fs.String("org", "", "the ID of the organization the user acts for (required)")
	email := fs.String("email", "", "the user's email address, which is their sign-in name (required; stored lower-case)")
	name := fs.String("name", "", "the user's full name, shown in audit entries (required)")
	role := fs.String("role", "member", "the user's role in the organization: admin, member or viewer")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of generating one")
	asJSON := fs.Bool("json", false, `print {"id": ..., "organization_id": ..., "email": ..., "role": ..., "password": ...} for scripts ("password" only when generated)`)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := errors.Join(ef.errs...); err != nil {
		return usageError{err.Error()}
	}
	if len(pos) != 1 || pos[0] != "add" {
		fs.Usage()
		return usageError{"user needs the subcommand add"}
	}
	var missing []string
	for _, f := range []struct{ flag, v string }{{"--org", *orgID}, {"--email", *email}, {"--name", *name}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.flag)
		}
	}
	if len(missing) > 0 {
		return usageError{"user add needs " + strings.Join(missing, ", ")}
	}

	var password, generated string
	if *fromStdin {
		if password, err = readPassword(stdin); err != nil {
			return err
		}
	} else {
		generated = passwd.Generate()
		password = generated
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
	u, err := prog.OperatorCreateUser(ctx, program.UserInput{
		OrgID: *orgID, Email: *email, Name: *name, Role: trustmark.Role(*role), Password: password,
	}, "trustmark user add")
	if err != nil {
		return err
	}
	if *asJSON {
		out := map[string]string{"id": u.ID, "organization_id": u.OrgID, "email": u.Email, "role": string(u.Role)}
		if generated != "" {
			out["password"] = generated
		}
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "User %s <%s> (%s) created for organization %s (user %s).\n", u.Name, u.Email, u.Role, u.OrgID, u.ID)
	if generated != "" {
		fmt.Fprintf(stdout, "Their password, shown only now:\n\n  %s\n", generated)
	}
	return nil
}

// readPassword reads the first line of r, without its line ending.
func readPassword(r io.Reader) (string, error) {
	// Read a little more than the longest password allowed so that the
	// policy, not a truncation, rejects one that is too long.
	line, err := bufio.NewReaderSize(io.LimitReader(r, 4*passwd.MaxLength+16), 4*passwd.MaxLength+16).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", usageError{"--password-stdin: standard input has no password (want it on the first line)"}
	}
	return line, nil
}
