package tlog_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/sqlite"
	"trustmark/internal/tlog"
)

// The benchmarks of issue 5, compared in docs/benchmarks.md with tessera's
// POSIX log running the same workload (bench/tessera):
//
//	go test -run XXX -bench 'Append|Prove|VerifyProof' -benchtime 20000x ./internal/tlog/
//
// BenchmarkAppend is the write path as a caller sees it: every writer
// appends one event and waits until a published checkpoint covers it
// before it appends the next.

// benchEvent returns the canonical encoding of label event number i, as
// the registry logs it (about 220 bytes).
func benchEvent(i int) []byte {
	sum := sha256.Sum256([]byte("record " + strconv.Itoa(i)))
	return trustmark.LabelEvent{
		V:            trustmark.EventVersion,
		LabelID:      trustmark.DeriveLabelID(fmt.Sprintf("bench %d", i)),
		Event:        trustmark.EventGrant,
		Status:       trustmark.GrantActive,
		SupportDate:  "2031-06-30",
		RecordSHA256: hex.EncodeToString(sum[:]),
		Time:         time.Date(2026, 11, 29, 10, 0, 0, i, time.UTC),
	}.Encode()
}

// openBenchLog opens a fresh SQLite store in a temporary directory and a
// log over it; the caller runs it.
func openBenchLog(b *testing.B) (*tlog.Log, *sqlite.DB) {
	b.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "log.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	skey, _, err := tlog.GenerateKey(origin)
	if err != nil {
		b.Fatal(err)
	}
	l, err := tlog.New(db, tlog.Config{Origin: origin, SignerKey: skey})
	if err != nil {
		b.Fatal(err)
	}
	return l, db
}

func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{64, 1024} {
		b.Run("writers="+strconv.Itoa(writers), func(b *testing.B) { benchAppend(b, writers) })
	}
}

func benchAppend(b *testing.B, writers int) {
	l, _ := openBenchLog(b)
	runAppend(b, []*tlog.Log{l}, writers)
}

// runAppend runs the append benchmark on logs (one per server, over one
// store), writer w appending through logs[w % len(logs)].
func runAppend(b *testing.B, logs []*tlog.Log, writers int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var running sync.WaitGroup
	for _, l := range logs {
		running.Go(func() { l.Run(ctx) })
	}
	defer func() { cancel(); running.Wait() }()
	// The empty tree's checkpoint, so the first Await does not see the
	// log start up.
	for i, l := range logs {
		idx, err := l.Append(ctx, benchEvent(-1-i))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.Await(ctx, idx); err != nil {
			b.Fatal(err)
		}
	}
	entries := make([][]byte, b.N)
	for i := range entries {
		entries[i] = benchEvent(i)
	}
	latency := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		l := logs[w%len(logs)]
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t := time.Now()
				idx, err := l.Append(ctx, entries[i])
				if err != nil {
					b.Errorf("Append() = %v", err)
					return
				}
				if _, err := l.Await(ctx, idx); err != nil {
					b.Errorf("Await(%d) = %v", idx, err)
					return
				}
				latency[i] = time.Since(t)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	reportLatency(b, b.N, elapsed, latency)
}

// reportLatency reports throughput and the p50 and p99 of latency.
func reportLatency(b *testing.B, n int, elapsed time.Duration, latency []time.Duration) {
	slices.Sort(latency)
	pct := func(p float64) float64 {
		return float64(latency[min(len(latency)-1, int(p*float64(len(latency))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// proofLogSize is the size of the log that proofs are made from.
const proofLogSize = 100_000

// buildProofLog fills a fresh log with n events, sequenced in transactions
// of 5,000, and integrates them. It returns the log and the entries.
func buildProofLog(b *testing.B, n int) (*tlog.Log, [][]byte) {
	b.Helper()
	ctx := context.Background()
	l, db := openBenchLog(b)
	entries := make([][]byte, n)
	for i := range entries {
		entries[i] = benchEvent(i)
	}
	for start := 0; start < n; start += 5000 {
		err := db.Transact(ctx, func(tx trustmark.Tx) error {
			for _, e := range entries[start:min(start+5000, n)] {
				if _, err := tx.AppendLog("", e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := l.IntegrateAll(ctx); err != nil {
		b.Fatal(err)
	}
	return l, entries
}

// BenchmarkProve makes inclusion proofs of random entries of a log of
// 100,000, as GET /api/v1/registry/{id}/proof does (the proof carries the
// entry), one at a time and on every core.
func BenchmarkProve(b *testing.B) {
	ctx := context.Background()
	l, entries := buildProofLog(b, proofLogSize)
	b.Run("entries=100000", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			i := r.IntN(len(entries))
			if _, err := l.Prove(ctx, int64(i), entries[i]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("entries=100000/parallel", func(b *testing.B) {
		start := time.Now()
		var seed atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			r := rand.New(rand.NewPCG(seed.Add(1), 2))
			for pb.Next() {
				i := r.IntN(len(entries))
				if _, err := l.Prove(ctx, int64(i), entries[i]); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "proofs/s")
	})
}

// BenchmarkVerifyProof verifies a proof as a client does: parse the
// c2sp.org/tlog-proof, check the checkpoint's signature and the inclusion
// of the entry in the tree of 100,000.
func BenchmarkVerifyProof(b *testing.B) {
	ctx := context.Background()
	l, entries := buildProofLog(b, proofLogSize)
	const idx = proofLogSize / 3
	text, err := l.Prove(ctx, idx, entries[idx])
	if err != nil {
		b.Fatal(err)
	}
	vkey := l.VerifierKey()
	b.Run("entries=100000", func(b *testing.B) {
		for b.Loop() {
			p, err := tlog.ParseProof(text)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tlog.VerifyProof(p, p.Extra, vkey); err != nil {
				b.Fatal(err)
			}
		}
	})
}
