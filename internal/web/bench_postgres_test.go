package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"trustmark"
	"trustmark/internal/demo"
	"trustmark/internal/postgres"
	"trustmark/internal/postgres/pgtest"
)

// BenchmarkRegistryLookupPostgres is BenchmarkRegistryLookup on PostgreSQL
// (the server TRUSTMARK_TEST_POSTGRES names), with the same sizes
// (TRUSTMARK_BENCH_RECORDS). A store of n records is generated once into
// the schema trustmark_bench_<n> of that database and reused by later runs;
// drop the schema to regenerate it.
func BenchmarkRegistryLookupPostgres(b *testing.B) {
	for _, n := range benchSizes(b) {
		benchLookup(b, benchPostgresStore(b, n), n)
	}
}

// benchPostgresStore opens (generating on first use) a PostgreSQL store of
// n synthetic records.
func benchPostgresStore(b *testing.B, n int) trustmark.Store {
	b.Helper()
	ctx := context.Background()
	server := pgtest.Server(b)
	schema := fmt.Sprintf("trustmark_bench_%d", n)
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var complete bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, schema+".bench_complete").Scan(&complete); err != nil {
		b.Fatal(err)
	}
	dsn := pgtest.WithSchema(b, server, schema)
	if !complete {
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE; CREATE SCHEMA `+schema); err != nil {
			b.Fatal(err)
		}
		db, err := postgres.Open(ctx, dsn, postgres.Config{Migrate: true})
		if err != nil {
			b.Fatal(err)
		}
		g := demo.NewGenerator()
		if err := g.CreateParties(ctx, db); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i += 5000 {
			items := make([]trustmark.GrantImport, min(5000, n-i))
			for j := range items {
				items[j] = g.Item(i + j)
			}
			if err := db.ImportGrants(ctx, items); err != nil {
				b.Fatal(err)
			}
		}
		db.Close()
		if _, err := conn.Exec(ctx, `ANALYZE; CREATE TABLE `+schema+`.bench_complete ()`); err != nil {
			b.Fatal(err)
		}
	}
	db, err := postgres.Open(ctx, dsn, postgres.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}
