package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"trustmark/internal/sqlite"
	"trustmark/internal/storetest"
)

func openBench(b *testing.B) *sqlite.DB {
	b.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "trustmark.db"))
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
