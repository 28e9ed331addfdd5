// Command tessera-bench runs trustmark's transparency-log write benchmark
// (BenchmarkAppend in internal/tlog) against tessera's POSIX log, as the
// baseline of issue 5: W concurrent writers, each adding one label event
// and waiting until a published checkpoint covers it before adding the
// next. It prints events/s and the p50 and p99 of per-event latency (from
// Add to the checkpoint), and optionally the cost of inclusion proofs.
//
// It is a module of its own so that trustmark does not depend on tessera:
//
//	cd bench/tessera && go run . -writers 64,1024 -events 20000
package main

import (
	"context"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/client"
	"github.com/transparency-dev/tessera/storage/posix"
	"golang.org/x/mod/sumdb/note"
)

const origin = "labels.example.org/log"

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tessera-bench:", err)
		os.Exit(1)
	}
}

// options are the benchmark's settings; the defaults are the configuration
// measured in shared/reference/deps.md.
type options struct {
	writers   []int
	events    int
	batchSize uint
	batchAge  time.Duration
	interval  time.Duration
	poll      time.Duration
	proofs    int
	proofLog  int
	dir       string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tessera-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	writers := fs.String("writers", "64,1024", "comma-separated numbers of concurrent writers, one run each")
	fs.IntVar(&o.events, "events", 20000, "events added (and awaited) per run")
	fs.UintVar(&o.batchSize, "batch-size", 256, "tessera batch size (WithBatching)")
	fs.DurationVar(&o.batchAge, "batch-age", 50*time.Millisecond, "tessera batch max age (WithBatching)")
	fs.DurationVar(&o.interval, "checkpoint-interval", 200*time.Millisecond, "tessera checkpoint interval (minimum 100ms for POSIX)")
	fs.DurationVar(&o.poll, "poll", 10*time.Millisecond, "how often the publication awaiter reads the checkpoint")
	fs.IntVar(&o.proofs, "proofs", 0, "if > 0: also build inclusion proofs of this many random entries of a log of -proof-log entries")
	fs.IntVar(&o.proofLog, "proof-log", 100000, "size of the log that proofs are made from")
	fs.StringVar(&o.dir, "dir", "", "directory for the logs' temporary directories (default: $TMPDIR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, s := range strings.Split(*writers, ",") {
		if s == "" {
			continue
		}
		w, err := strconv.Atoi(s)
		if err != nil || w < 1 {
			return fmt.Errorf("-writers: %q is not a positive number", s)
		}
		o.writers = append(o.writers, w)
	}
	if o.events < 1 {
		return errors.New("-events must be at least 1")
	}
	fmt.Fprintf(stdout, "tessera v1.0.4 POSIX: batching %d/%s, checkpoint interval %s, awaiter poll %s, entry %d bytes\n",
		o.batchSize, o.batchAge, o.interval, o.poll, len(event(0)))
	for _, w := range o.writers {
		r, err := appendRun(ctx, o, w)
		if err != nil {
			return fmt.Errorf("writers=%d: %w", w, err)
		}
		fmt.Fprintf(stdout, "writers=%-5d %7d events  %9.0f events/s  p50 %7.2f ms  p99 %7.2f ms\n",
			w, o.events, r.rate, r.p50, r.p99)
	}
	if o.proofs > 0 {
		if err := proofRun(ctx, o, stdout); err != nil {
			return fmt.Errorf("proofs: %w", err)
		}
	}
	return nil
}

// event returns label event number i in the same JSON shape and length as
// trustmark's (benchEvent in internal/tlog/bench_test.go).
func event(i int) []byte {
	sum := sha256.Sum256([]byte("record " + strconv.Itoa(i)))
	id := strings.ToUpper(hex.EncodeToString(sum[20:26]))
	at := time.Date(2026, 11, 29, 10, 0, 0, i, time.UTC).Format(time.RFC3339Nano)
	return fmt.Appendf(nil, `{"v":1,"label_id":"%s-%s-%s","event":"grant","status":"active","support_date":"2031-06-30","record_sha256":"%s","time":"%s"}`,
		id[0:4], id[4:8], id[8:12], hex.EncodeToString(sum[:]), at)
}

// testLog is a tessera POSIX log in a temporary directory.
type testLog struct {
	dir      string
	add      func(context.Context, *tessera.Entry) tessera.IndexFuture
	reader   tessera.LogReader
	awaiter  *tessera.PublicationAwaiter
	shutdown func(context.Context) error
	cancel   context.CancelFunc
}

func openLog(ctx context.Context, o options) (*testLog, error) {
	dir, err := os.MkdirTemp(o.dir, "tessera-bench-")
	if err != nil {
		return nil, err
	}
	skey, _, err := note.GenerateKey(cryptorand.Reader, origin)
	if err != nil {
		return nil, err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	driver, err := posix.New(ctx, posix.Config{Path: dir})
	if err != nil {
		cancel()
		return nil, err
	}
	opts := tessera.NewAppendOptions().
		WithCheckpointSigner(signer).
		WithBatching(o.batchSize, o.batchAge).
		WithCheckpointInterval(o.interval)
	appender, shutdown, reader, err := tessera.NewAppender(ctx, driver, opts)
	if err != nil {
		cancel()
		return nil, err
	}
	return &testLog{dir: dir, add: appender.Add, reader: reader, shutdown: shutdown, cancel: cancel,
		awaiter: tessera.NewPublicationAwaiter(ctx, reader.ReadCheckpoint, o.poll)}, nil
}

func (l *testLog) close(ctx context.Context) error {
	err := l.shutdown(ctx)
	l.cancel()
	return errors.Join(err, os.RemoveAll(l.dir))
}

type result struct{ rate, p50, p99 float64 }

// appendRun is BenchmarkAppend's loop on tessera.
func appendRun(ctx context.Context, o options, writers int) (result, error) {
	l, err := openLog(ctx, o)
	if err != nil {
		return result{}, err
	}
	defer l.close(ctx)
	// One entry first, so the log has started and published.
	if _, _, err := l.awaiter.Await(ctx, l.add(ctx, tessera.NewEntry(event(-1)))); err != nil {
		return result{}, err
	}
	entries := make([][]byte, o.events)
	for i := range entries {
		entries[i] = event(i)
	}
	latency := make([]time.Duration, o.events)
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	for range writers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(o.events) {
					return
				}
				t := time.Now()
				if _, _, err := l.awaiter.Await(ctx, l.add(ctx, tessera.NewEntry(entries[i]))); err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
				latency[i] = time.Since(t)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return result{}, firstErr
	}
	slices.Sort(latency)
	pct := func(p float64) float64 {
		return float64(latency[min(len(latency)-1, int(p*float64(len(latency))))]) / float64(time.Millisecond)
	}
	return result{rate: float64(o.events) / elapsed.Seconds(), p50: pct(0.50), p99: pct(0.99)}, nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// proofRun fills a log with o.proofLog entries and builds inclusion proofs
// of random entries with tessera's client.ProofBuilder over the log's
// tiles: once with one builder for all proofs (its tile cache warm, like
// trustmark's hash cache), once with a new builder per proof (every proof
// reads its tiles from the files).
func proofRun(ctx context.Context, o options, stdout io.Writer) error {
	l, err := openLog(ctx, o)
	if err != nil {
		return err
	}
	defer l.close(ctx)
	// In chunks below tessera's pushback limit (4,096 outstanding).
	const chunk = 2048
	var last tessera.IndexFuture
	for start := 0; start < o.proofLog; start += chunk {
		futures := make([]tessera.IndexFuture, 0, chunk)
		for i := start; i < min(start+chunk, o.proofLog); i++ {
			futures = append(futures, l.add(ctx, tessera.NewEntry(event(i))))
		}
		for _, f := range futures {
			if _, err := f(); err != nil {
				return err
			}
		}
		last = futures[len(futures)-1]
	}
	if _, _, err := l.awaiter.Await(ctx, last); err != nil {
		return err
	}
	size, err := l.reader.IntegratedSize(ctx)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	pb, err := client.NewProofBuilder(ctx, size, l.reader.ReadTile)
	if err != nil {
		return err
	}
	for _, fresh := range []bool{false, true} {
		start := time.Now()
		for range o.proofs {
			if fresh {
				if pb, err = client.NewProofBuilder(ctx, size, l.reader.ReadTile); err != nil {
					return err
				}
			}
			if _, err := pb.InclusionProof(ctx, uint64(r.IntN(int(size)))); err != nil {
				return err
			}
		}
		per := time.Since(start) / time.Duration(o.proofs)
		what := "one ProofBuilder (tile cache warm)"
		if fresh {
			what = "a new ProofBuilder per proof (tiles read from files)"
		}
		fmt.Fprintf(stdout, "inclusion proof in a log of %d, %s: %d ns/op\n", size, what, per.Nanoseconds())
	}
	return nil
}
