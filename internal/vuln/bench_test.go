package vuln_test

import (
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/sbom"
	"trustmark/internal/vuln"
)

// The benchmark of issue 10: an SBOM of 4,000 components matched against
// 200,000 OSV records, on one core:
//
//	GOMAXPROCS=1 go test -run '^$' -bench . -benchmem ./internal/vuln
//
// The records and the SBOM are generated (vuln.Generate,
// vuln.GenerateComponents, vuln.GenerateSBOM); about 7–8% of the
// components hit an advisory.
const (
	benchSeed       = 20240601
	benchRecords    = 200_000
	benchComponents = 4_000
	benchNew        = 1_000
)

var bench struct {
	once     sync.Once
	raws     [][]byte
	ix       *vuln.Index
	comps    []trustmark.SoftwareComponent
	document []byte
	newRaws  [][]byte
}

// benchFixture generates the records, indexes them once and makes the SBOM.
func benchFixture(b *testing.B) {
	b.Helper()
	bench.once.Do(func() {
		bench.raws = vuln.Generate(benchSeed, benchRecords)
		bench.ix = vuln.NewIndex()
		for _, raw := range bench.raws {
			o, err := vuln.ParseOSV(raw)
			if err != nil {
				panic(err)
			}
			bench.ix.Add(o)
		}
		bench.comps = vuln.GenerateComponents(benchSeed, benchComponents, benchRecords)
		bench.document = vuln.GenerateSBOM(bench.comps)
		// 1,000 further advisories, about the same packages (copied out so
		// the other 200,000 generated again can be collected).
		bench.newRaws = slices.Clone(vuln.Generate(benchSeed, benchRecords+benchNew)[benchRecords:])
	})
}

// heapMB returns the live heap after a collection, in MiB.
func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// cpuTime returns the CPU time the process has used (user and system):
// on a shared machine it shows the work done, whatever the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSSMB returns the process's peak resident set size, in MiB.
func maxRSSMB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

// BenchmarkIndexBuild measures (a): ParseOSV and Index.Add of 200,000
// raw OSV records. heap-MB is the live heap the index adds.
func BenchmarkIndexBuild(b *testing.B) {
	benchFixture(b)
	before := heapMB()
	var ix *vuln.Index
	cpu0 := cpuTime()
	for b.Loop() {
		ix = vuln.NewIndex()
		for _, raw := range bench.raws {
			o, err := vuln.ParseOSV(raw)
			if err != nil {
				b.Fatal(err)
			}
			ix.Add(o)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(heapMB()-before, "index-heap-MB")
	b.ReportMetric(maxRSSMB(), "maxrss-MB")
	if ix.Len() != benchRecords {
		b.Fatalf("index holds %d records, want %d", ix.Len(), benchRecords)
	}
}

// BenchmarkParseAndMatch measures (b): sbom.Parse of the 4,000-component
// CycloneDX JSON document and Index.Match of its components against the
// 200,000-record index.
func BenchmarkParseAndMatch(b *testing.B) {
	benchFixture(b)
	var matches int
	cpu0 := cpuTime()
	for b.Loop() {
		doc, err := sbom.Parse(bench.document)
		if err != nil {
			b.Fatal(err)
		}
		if len(doc.Components) != benchComponents {
			b.Fatalf("parsed %d components, want %d", len(doc.Components), benchComponents)
		}
		matches = len(bench.ix.Match(doc.Components))
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(matches), "matches")
	b.ReportMetric(float64(len(bench.document))/(1<<20), "sbom-MB")
	b.ReportMetric(maxRSSMB(), "maxrss-MB")
}

// BenchmarkMatch measures Index.Match alone, of the 4,000 components as
// []trustmark.SoftwareComponent.
func BenchmarkMatch(b *testing.B) {
	benchFixture(b)
	hit := map[string]bool{}
	for b.Loop() {
		clear(hit)
		for _, m := range bench.ix.Match(bench.comps) {
			hit[m.Component.PURL] = true
		}
	}
	b.ReportMetric(100*float64(len(hit))/float64(len(bench.comps)), "%hit")
}

// BenchmarkNewAdvisories measures what an incremental re-match costs at
// the library level: indexing 1,000 new advisories and matching the 4,000
// components against them only.
func BenchmarkNewAdvisories(b *testing.B) {
	benchFixture(b)
	var matches int
	for b.Loop() {
		ix := vuln.NewIndex()
		for _, raw := range bench.newRaws {
			o, err := vuln.ParseOSV(raw)
			if err != nil {
				b.Fatal(err)
			}
			ix.Add(o)
		}
		matches = len(ix.Match(bench.comps))
	}
	b.ReportMetric(float64(matches), "matches")
}
