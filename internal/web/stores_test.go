package web_test

import (
	"context"
	"path/filepath"
	"testing"

	"trustmark"
	"trustmark/internal/postgres"
	"trustmark/internal/postgres/pgtest"
	"trustmark/internal/sqlite"
)

// forEachStore runs fn as one subtest per store backend, each with a fresh
// empty store: "sqlite" always, "postgres" when TRUSTMARK_TEST_POSTGRES
// names a server (it skips otherwise, or fails under
// TRUSTMARK_REQUIRE_POSTGRES; see package pgtest).
func forEachStore(t *testing.T, fn func(t *testing.T, db trustmark.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "trustmark.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := postgres.Open(context.Background(), pgtest.DSN(t), postgres.Config{Migrate: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	})
}
