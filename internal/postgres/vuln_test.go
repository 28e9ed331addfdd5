package postgres_test

import (
	"context"
	"testing"

	"trustmark/internal/postgres"
	"trustmark/internal/postgres/pgtest"
	"trustmark/internal/storetest"
)

func openBench(b *testing.B) *postgres.DB {
	b.Helper()
	db, err := postgres.Open(context.Background(), pgtest.DSN(b), postgres.Config{Migrate: true})
	if err != nil {
		b.Fatalf("Open() = %v", err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkVulnAdvisoryImport measures importing 200,000 advisories; run
// with -benchtime 1x.
func BenchmarkVulnAdvisoryImport(b *testing.B) {
	storetest.BenchmarkAdvisoryImport(b, openBench(b), 200000)
}

// BenchmarkVulnCurrentComponents measures finding the current components
// of 100 products with SBOMs of 4,000 components.
func BenchmarkVulnCurrentComponents(b *testing.B) {
	storetest.BenchmarkCurrentComponents(b, openBench(b), 100, 4000)
}
