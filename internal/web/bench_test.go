package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/demo"
	"trustmark/internal/sqlite"
	"trustmark/internal/web"
)

// benchSizes are the registry sizes to benchmark: TRUSTMARK_BENCH_RECORDS,
// a comma-separated list (e.g. "10000,1000000"), default 10000. Stores are
// generated once into $TMPDIR/trustmark-bench-<n> (as "trustmark generate
// --records n" would) and reused by later runs.
func benchSizes(b *testing.B) []int {
	spec := os.Getenv("TRUSTMARK_BENCH_RECORDS")
	if spec == "" {
		spec = "10000"
	}
	var sizes []int
	for _, s := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			b.Fatalf("TRUSTMARK_BENCH_RECORDS=%q: want sizes like 10000,1000000", spec)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// benchStore opens (generating on first use) a store of n synthetic records.
func benchStore(b *testing.B, n int) *sqlite.DB {
	b.Helper()
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("trustmark-bench-%d", n))
	marker := filepath.Join(dir, "complete")
	if _, err := os.Stat(marker); err != nil {
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			b.Fatal(err)
		}
		db, err := sqlite.Open(ctx, filepath.Join(dir, "trustmark.db"))
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
		if err := os.WriteFile(marker, nil, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "trustmark.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkRegistryLookup measures GET /api/v1/registry/{id} and GET /p/{id}
// through the whole handler (middleware, rate limiter, cache, rendering):
//   - "hot": one label requested again and again, served from the cache;
//   - "cold": random labels with the cache disabled, so every request is an
//     indexed store lookup plus JSON encoding or template rendering.
//
// Besides ns/op it reports the p50 and p99 latency of single requests.
func BenchmarkRegistryLookup(b *testing.B) {
	for _, n := range benchSizes(b) {
		benchLookup(b, benchStore(b, n), n)
	}
}

// benchLookup runs the lookup benchmarks on a store of n generated records.
func benchLookup(b *testing.B, db trustmark.Store, n int) {
	for _, mode := range []string{"hot", "cold"} {
		cfg := web.Config{BaseURL: base, RateLimit: 1e9, RateBurst: 1e9}
		if mode == "cold" {
			cfg.CacheEntries = -1
		}
		srv, err := web.NewServer(db, cfg)
		if err != nil {
			b.Fatal(err)
		}
		for _, route := range []string{"/api/v1/registry/", "/p/"} {
			name := fmt.Sprintf("records=%d/%s/%s", n, mode, strings.Trim(strings.ReplaceAll(route, "/api/v1/registry/", "api"), "/"))
			b.Run(name, func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, uint64(n)))
				hot := route + string(demo.GeneratedLabelID(n/2))
				lat := make([]time.Duration, 0, 1<<16)
				for b.Loop() {
					path := hot
					if mode == "cold" {
						path = route + string(demo.GeneratedLabelID(rng.IntN(n)))
					}
					req := httptest.NewRequest("GET", path, nil)
					w := httptest.NewRecorder()
					start := time.Now()
					srv.ServeHTTP(w, req)
					if len(lat) < cap(lat) {
						lat = append(lat, time.Since(start))
					}
					if w.Code != http.StatusOK {
						b.Fatalf("GET %s = %d", path, w.Code)
					}
				}
				slices.Sort(lat)
				if len(lat) > 0 {
					b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
					b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
				}
			})
		}
	}
}
