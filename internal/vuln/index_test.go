package vuln_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/vuln"
)

// matchIDs renders matches as "component advisory fixed confidence".
func matchIDs(ms []vuln.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s %s %s %s", m.Component.Name, m.Advisory.ID, m.FixedVersion, m.Confidence))
	}
	return out
}

func TestIndexMatch(t *testing.T) {
	ix := vuln.NewIndex()
	b := record(t, "GHSA-b", pkgRange("npm", "lodash", vuln.RangeSemver, intro("0"), fixed("4.17.21")))
	a := record(t, "GHSA-a", pkgRange("npm", "lodash", vuln.RangeSemver, intro("4.0.0"), fixed("4.17.12")))
	// Two entries for the same package in one record: one match only.
	twice := record(t, "GHSA-c", pkgRange("npm", "lodash", vuln.RangeSemver, intro("0"), fixed("5.0.0")), pkgRange("npm", "lodash", vuln.RangeSemver, intro("4.0.0"), fixed("4.18.0")))
	deb := record(t, "DSA-1", pkgRange("Debian:12", "openssl", vuln.RangeEcosystem, intro("0"), fixed("3.0.11-1~deb12u2")))
	cpeOnly := record(t, "CVE-2022-1")
	cpeOnly.DatabaseSpecific = json.RawMessage(`{"cpe":"cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"}`)
	gone := record(t, "GHSA-gone", pkgRange("npm", "lodash", vuln.RangeSemver, intro("0"), fixed("9.0.0")))
	gone.Withdrawn = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, o := range []*vuln.OSV{b, a, twice, deb, cpeOnly, gone} {
		ix.Add(o)
	}
	if ix.Len() != 6 {
		t.Errorf("Len = %d, want 6", ix.Len())
	}
	components := []trustmark.SoftwareComponent{
		comp(t, "pkg:npm/lodash@4.17.11"),
		comp(t, "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-12&upstream=openssl"),
		{Name: "busybox", Version: "1.35.0", CPE: "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"},
		comp(t, "pkg:npm/lodash@4.17.21"),
		{Name: "no-version", PURL: "pkg:npm/lodash", Ecosystem: "npm", Package: "lodash"},
		// A component with a package key is not matched by its CPE.
		{Name: "both", Version: "1.35.0", PURL: "pkg:npm/busybox@1.35.0", Ecosystem: "npm", Package: "busybox", CPE: "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"},
	}
	components[0].Name, components[1].Name, components[3].Name = "lodash", "libssl3", "lodash-new"
	want := []string{
		"lodash GHSA-a 4.17.12 purl",
		"lodash GHSA-b 4.17.21 purl",
		"lodash GHSA-c 5.0.0 purl",
		"libssl3 DSA-1 3.0.11-1~deb12u2 purl",
		"busybox CVE-2022-1  cpe",
		"lodash-new GHSA-c 5.0.0 purl",
	}
	got := matchIDs(ix.Match(components))
	if !slices.Equal(got, want) {
		t.Errorf("Match =\n%q\nwant\n%q", got, want)
	}

	// A newer record with the same ID replaces the old one; an older one is ignored.
	newer := record(t, "GHSA-b", pkgRange("npm", "lodash", vuln.RangeSemver, intro("0"), fixed("4.17.10")))
	newer.Modified = b.Modified.Add(time.Hour)
	ix.Add(newer)
	older := record(t, "GHSA-a", pkgRange("npm", "lodash", vuln.RangeSemver, intro("0"), fixed("9.9.9")))
	older.Modified = a.Modified.Add(-time.Hour)
	ix.Add(older)
	if ix.Len() != 6 {
		t.Errorf("Len after replacing = %d, want 6", ix.Len())
	}
	got = matchIDs(ix.Match(components[:1]))
	if want := []string{"lodash GHSA-a 4.17.12 purl", "lodash GHSA-c 5.0.0 purl"}; !slices.Equal(got, want) {
		t.Errorf("Match after replacing = %q, want %q", got, want)
	}
}

// TestIndexConcurrentMatch runs Match from several goroutines at once (run
// with -race): the index is read-only once built.
func TestIndexConcurrentMatch(t *testing.T) {
	const seed, n = 3, 2000
	ix := vuln.NewIndex()
	for _, raw := range vuln.Generate(seed, n) {
		o, err := vuln.ParseOSV(raw)
		if err != nil {
			t.Fatal(err)
		}
		ix.Add(o)
	}
	components := vuln.GenerateComponents(seed, 400, n)
	want := matchIDs(ix.Match(components))
	var wg sync.WaitGroup
	results := make([][]string, 4)
	for i := range results {
		wg.Go(func() { results[i] = matchIDs(ix.Match(components)) })
	}
	wg.Wait()
	for i, got := range results {
		if !slices.Equal(got, want) {
			t.Errorf("goroutine %d: %d matches, want %d", i, len(got), len(want))
		}
	}
	if len(want) == 0 {
		t.Error("no matches to compare")
	}
}

// TestIndexAgreesWithAffects checks the index against the one-by-one
// evaluation over generated data: same matches, same fixed versions.
func TestIndexAgreesWithAffects(t *testing.T) {
	const seed, n = 7, 2000
	raws := vuln.Generate(seed, n)
	ix := vuln.NewIndex()
	var all []*vuln.OSV
	for i, raw := range raws {
		o, err := vuln.ParseOSV(raw)
		if err != nil {
			t.Fatalf("generated record %d: %v", i, err)
		}
		ix.Add(o)
		all = append(all, o)
	}
	components := vuln.GenerateComponents(seed, 300, n)
	got := matchIDs(ix.Match(components))
	var want []string
	hit := map[string]bool{}
	for _, c := range components {
		var ms []vuln.Match
		for _, o := range all {
			if m, ok := vuln.Affects(o, c); ok {
				ms = append(ms, m)
			}
		}
		slices.SortFunc(ms, func(a, b vuln.Match) int {
			if a.Advisory.ID < b.Advisory.ID {
				return -1
			}
			return 1
		})
		want = append(want, matchIDs(ms)...)
		if len(ms) > 0 {
			hit[c.PURL] = true
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("Index.Match gave %d matches, Affects %d; first difference in\n%q\n%q", len(got), len(want), got[:min(len(got), 5)], want[:min(len(want), 5)])
	}
	if len(hit) == 0 {
		t.Error("no generated component hit an advisory")
	}
}

// TestGenerateHitRate checks the generator's promise that 5–10% of the
// components hit an advisory, at the benchmark's proportions.
func TestGenerateHitRate(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 20,000 records")
	}
	const seed, n = 11, 20000
	ix := vuln.NewIndex()
	for _, raw := range vuln.Generate(seed, n) {
		o, err := vuln.ParseOSV(raw)
		if err != nil {
			t.Fatal(err)
		}
		ix.Add(o)
	}
	components := vuln.GenerateComponents(seed, 4000, n)
	if len(components) != 4000 {
		t.Fatalf("GenerateComponents returned %d components, want 4000", len(components))
	}
	hit := map[string]bool{}
	for _, m := range ix.Match(components) {
		hit[m.Component.PURL] = true
	}
	if rate := float64(len(hit)) / float64(len(components)); rate < 0.05 || rate > 0.10 {
		t.Errorf("%.1f%% of generated components hit an advisory, want 5–10%%", 100*rate)
	}
	// Deterministic: the same seed gives the same records and components.
	if a, b := vuln.Generate(seed, 3), vuln.Generate(seed, 3); !slices.EqualFunc(a, b, slices.Equal) {
		t.Error("Generate is not deterministic")
	}
	if a, b := vuln.GenerateComponents(seed, 50, n), vuln.GenerateComponents(seed, 50, n); !slices.Equal(a, b) {
		t.Error("GenerateComponents is not deterministic")
	}
}
