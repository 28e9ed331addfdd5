package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"trustmark/internal/postgres"
	"trustmark/internal/sqlite"
)

const migrateSynopsis = `migrate [--data DIR | --database-url URL] [--check] [--json]

Applies the store's pending schema migrations, each in its own transaction,
and says which. Servers refuse to start on an outdated PostgreSQL schema, so
run this (or start one server with --migrate) before starting new versions.
Several servers migrating at once are safe: migrations take a lock.

With --check nothing changes: the command says whether migrations are
pending and exits with status 1 if they are. SQLite stores migrate
themselves whenever they are opened.`

// runMigrate implements "trustmark migrate".
func runMigrate(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", migrateSynopsis, stderr)
	var st storeFlags
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.storeFlags(&st)
	check := fs.Bool("check", false, "only report whether migrations are pending (exit status 1 if they are)")
	asJSON := fs.Bool("json", false, `print {"store": ..., "from": N, "to": M, "applied": [...], "pending": P}`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := errors.Join(ef.errs...); err != nil {
		return usageError{err.Error()}
	}
	type result struct {
		Store   string   `json:"store"`
		From    int      `json:"from"`
		To      int      `json:"to"`
		Applied []string `json:"applied"`
		Pending int      `json:"pending"`
	}
	res := result{Store: st.describe(), Applied: []string{}}
	switch {
	case st.DatabaseURL != "" && *check:
		cur, want, err := postgres.SchemaVersion(ctx, st.DatabaseURL)
		if err != nil {
			return fmt.Errorf("read the schema version of %s: %w", redactURL(st.DatabaseURL), err)
		}
		res.From, res.To, res.Pending = cur, cur, max(0, want-cur)
	case st.DatabaseURL != "":
		r, err := postgres.Migrate(ctx, st.DatabaseURL)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", redactURL(st.DatabaseURL), err)
		}
		res.From, res.To, res.Applied = r.From, r.To, append(res.Applied, r.Applied...)
	default:
		// Opening a SQLite store migrates it.
		ms, err := sqlite.Migrations()
		if err != nil {
			return err
		}
		db, err := openStore(ctx, st, false)
		if err != nil {
			return err
		}
		db.Close()
		res.From, res.To = len(ms), len(ms)
	}
	if *asJSON {
		if err := printJSON(stdout, res); err != nil {
			return err
		}
	} else {
		switch {
		case res.Pending > 0:
			fmt.Fprintf(stdout, "%s: schema at version %d, %d migration(s) pending\n", res.Store, res.From, res.Pending)
		case len(res.Applied) > 0:
			fmt.Fprintf(stdout, "%s: schema migrated from version %d to %d\n", res.Store, res.From, res.To)
			for _, name := range res.Applied {
				fmt.Fprintf(stdout, "  applied %s\n", name)
			}
		default:
			fmt.Fprintf(stdout, "%s: schema is current (version %d)\n", res.Store, res.To)
		}
	}
	if res.Pending > 0 {
		return errors.New("migrations are pending: run trustmark migrate")
	}
	return nil
}
