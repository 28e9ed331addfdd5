package tlog_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"trustmark"
	"trustmark/internal/postgres"
	"trustmark/internal/postgres/pgtest"
	"trustmark/internal/sqlite"
)

// backend is a store the log tests run on.
type backend struct {
	name string
	// open returns a fresh empty store, closed when the test ends, and a
	// function that runs one SQL statement on its database.
	open func(t *testing.T) (trustmark.Store, func(stmt string) error)
	// alterEntry changes the data of entry 123; alterHash zeroes stored hash 40.
	alterEntry, alterHash string
}

var backends = []backend{
	{
		name: "sqlite",
		open: func(t *testing.T) (trustmark.Store, func(string) error) {
			path := filepath.Join(t.TempDir(), "log.db")
			db, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db, func(stmt string) error {
				raw, err := sql.Open("sqlite", "file:"+path)
				if err != nil {
					return err
				}
				defer raw.Close()
				_, err = raw.Exec(stmt)
				return err
			}
		},
		alterEntry: `UPDATE log_entries SET data = X'7B7D' WHERE idx = 123`,
		alterHash:  `UPDATE log_hashes SET hash = zeroblob(32) WHERE id = 40`,
	},
	{
		name: "postgres",
		open: func(t *testing.T) (trustmark.Store, func(string) error) {
			dsn := pgtest.DSN(t)
			db, err := postgres.Open(context.Background(), dsn, postgres.Config{Migrate: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db, func(stmt string) error {
				ctx := context.Background()
				conn, err := pgx.Connect(ctx, dsn)
				if err != nil {
					return err
				}
				defer conn.Close(ctx)
				_, err = conn.Exec(ctx, stmt)
				return err
			}
		},
		alterEntry: `UPDATE log_entries SET data = '\x7b7d' WHERE idx = 123`,
		alterHash:  `UPDATE log_hashes SET hash = decode(repeat('00', 32), 'hex') WHERE id = 40`,
	},
}

// forEachBackend runs fn as one subtest per backend. The PostgreSQL one
// needs TRUSTMARK_TEST_POSTGRES (see package pgtest).
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}
