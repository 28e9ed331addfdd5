package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/demo"
	"trustmark/internal/tlog"
)

// crashLabel is what the test knows of one label's writes.
type crashLabel struct {
	key string
	id  trustmark.LabelID

	// mu is held across each write, so a label has one write in flight at a
	// time and every support date sent is later than every one before it.
	mu       sync.Mutex
	disc     trustmark.Disclosures   // sent with each write, but for the support date
	sent     trustmark.Date          // latest support date ever sent
	acked    []trustmark.Date        // support dates acknowledged with 200, oldest first
	inFlight map[trustmark.Date]bool // sent when the server died: outcome unknown
	refused  map[trustmark.Date]int  // answered with another status: must not be logged
	ackedIn  map[trustmark.Date]int  // round in which each date was acknowledged
	down     bool                    // a write failed in transport this round: the server is gone
}

// crashOutcome is what became of one write.
type crashOutcome int

const (
	crashAcked    crashOutcome = iota // answered 200: committed
	crashInFlight                     // no answer: the server died, the write may or may not be in
	crashRefused                      // answered another status: not committed
	crashSkipped                      // not sent: the server is gone
)

// extend sends the next support date of l (one day after the latest sent)
// and records the outcome.
func (l *crashLabel) extend(t *testing.T, ctx context.Context, c *http.Client, base, token string, round int) crashOutcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down {
		return crashSkipped // the other writer saw the server die
	}
	date := nextDay(t, l.sent)
	l.sent = date
	d := l.disc
	d.SupportDate = date
	body, err := json.Marshal(d)
	if err != nil {
		t.Errorf("json.Marshal(disclosures) = %v", err)
		return crashSkipped
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/api/v1/grants/"+string(l.id)+"/disclosures", bytes.NewReader(body))
	if err != nil {
		t.Errorf("http.NewRequest(PUT disclosures) = %v", err)
		return crashSkipped
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		l.inFlight[date], l.down = true, true
		return crashInFlight
	}
	var buf bytes.Buffer
	_, rerr := buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		l.refused[date] = resp.StatusCode
		if rerr == nil { // not a server dying mid-answer
			t.Errorf("round %d: PUT disclosures of %s with support_date %s = %d %s, want 200",
				round, l.key, date, resp.StatusCode, buf.Bytes())
		}
		return crashRefused
	}
	// The status line is written after the commit: the write is
	// acknowledged even if the server dies before the body is read.
	l.acked = append(l.acked, date)
	l.ackedIn[date] = round
	if rerr == nil {
		var rec trustmark.RegistryRecord
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil || rec.SupportDate != date {
			t.Errorf("round %d: PUT disclosures of %s = 200 with support_date %q (%v), want %s", round, l.key, rec.SupportDate, err, date)
		}
	}
	return crashAcked
}

// crashCheckpoints collects every checkpoint the test saw, one per size.
type crashCheckpoints struct {
	mu     sync.Mutex
	bySize map[int64]*tlog.Checkpoint
	max    int64
}

// add records cp and reports an error when a checkpoint of the same size
// had another root (a fork).
func (cs *crashCheckpoints) add(cp *tlog.Checkpoint) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if old, ok := cs.bySize[cp.Size]; ok {
		if old.Root != cp.Root {
			return fmt.Errorf("two checkpoints of size %d have different roots: the log forked\n%s\n%s", cp.Size, old.Note, cp.Note)
		}
		return nil
	}
	cs.bySize[cp.Size] = cp
	cs.max = max(cs.max, cp.Size)
	return nil
}

func (cs *crashCheckpoints) maxSize() int64 {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.max
}

// nextDay returns the day after d.
func nextDay(t *testing.T, d trustmark.Date) trustmark.Date {
	day, err := d.Time()
	if err != nil {
		t.Errorf("Date(%q).Time() = %v", d, err)
		return d
	}
	return trustmark.DateOf(day.AddDate(0, 0, 1))
}

// TestCrashRecovery kills the server with SIGKILL at random moments while
// manufacturers extend support dates and a monitor follows the log, then
// checks on a last start that nothing acknowledged was lost or logged twice,
// that the log is sound and every checkpoint ever published is consistent
// with the final tree, and that each record is its latest logged event.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds the binary and restarts it 51 times")
	}
	const (
		rounds       = 50
		writersPer   = 2 // goroutines per label, taking turns
		origin       = "crash.trustmark.test/log"
		minKill      = 50 * time.Millisecond
		maxKill      = 400 * time.Millisecond
		pollInterval = 10 * time.Millisecond
	)
	start := time.Now()
	ctx := t.Context()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	t.Logf("random seed %d", seed)

	bin := buildTrustmark(t)
	t.Logf("built %s in %v", bin, time.Since(start).Round(time.Millisecond))
	data := t.TempDir()
	serveArgs := []string{"--data", data, "--sweep-interval", "1h", "--rate-limit", "0", "--log-level", "warn", "--log-origin", origin}

	var labels []*crashLabel
	for _, key := range []string{"halo-cam-2k", "halo-doorbell", "sentry-lock", "freshkeep-fridge"} {
		labels = append(labels, &crashLabel{key: key, id: demo.LabelID(key),
			inFlight: map[trustmark.Date]bool{}, refused: map[trustmark.Date]int{}, ackedIn: map[trustmark.Date]int{}})
	}
	seen := &crashCheckpoints{bySize: map[int64]*tlog.Checkpoint{}}
	var key, token string
	var totalAcked, totalInFlight int

	for round := 1; round <= rounds; round++ {
		args := serveArgs
		if round == 1 {
			args = append(slices.Clone(serveArgs), "--demo")
		}
		srv := startCrashServer(t, bin, args...)
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}

		k := strings.TrimSpace(string(crashMustGet(t, ctx, c, srv.base+"/api/v1/log/key")))
		if round == 1 {
			key = k
			out, errOut, err := runTrustmark(ctx, bin, "admin", "token", "--data", data, "--org", "org_demo_northwind", "--holder", "Crash Test", "--json")
			var tok struct{ Token string }
			if err != nil || json.Unmarshal([]byte(out), &tok) != nil || tok.Token == "" {
				t.Fatalf("trustmark admin token --org org_demo_northwind = %v, %q\n%s", err, out, errOut)
			}
			token = tok.Token
		} else if k != key {
			t.Fatalf("round %d: log key = %q, want the key of round 1 %q", round, k, key)
		}

		// What survived the last kill: every acknowledged date, and
		// nothing later than the last date sent.
		for _, l := range labels {
			var rec trustmark.RegistryRecord
			if err := json.Unmarshal(crashMustGet(t, ctx, c, srv.base+"/api/v1/registry/"+string(l.id)), &rec); err != nil {
				t.Fatalf("round %d: registry record %s: %v", round, l.key, err)
			}
			if round == 1 {
				l.sent = rec.SupportDate
			}
			if n := len(l.acked); n > 0 && rec.SupportDate < l.acked[n-1] {
				t.Errorf("round %d: %s support_date = %s after the restart, want ≥ %s acknowledged in round %d",
					round, l.key, rec.SupportDate, l.acked[n-1], l.ackedIn[l.acked[n-1]])
			}
			if rec.SupportDate > l.sent {
				t.Errorf("round %d: %s support_date = %s, later than any date sent (%s)", round, l.key, rec.SupportDate, l.sent)
			}
			l.disc, l.down = rec.Disclosures, false
			for i := range l.disc.SensorDataCollection {
				l.disc.SensorDataCollection[i].Icons = nil
			}
		}
		floor := seen.maxSize()

		stop := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		roundAcked, roundInFlight, roundCheckpoints := 0, 0, 0

		// The monitor: every checkpoint must verify and never go back, not
		// even across a restart (a checkpoint is published once durable).
		wg.Add(1)
		go func() {
			defer wg.Done()
			pc := &http.Client{Timeout: 5 * time.Second}
			tick := time.NewTicker(pollInterval)
			defer tick.Stop()
			last := floor
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				status, body, err := crashGet(ctx, pc, srv.base+"/log/checkpoint")
				if err != nil {
					continue // the server is dying
				}
				if status != http.StatusOK {
					if round != 1 || status != http.StatusNotFound { // round 1 may ask before the first checkpoint
						t.Errorf("round %d: GET /log/checkpoint = %d %s, want 200", round, status, body)
					}
					continue
				}
				cp, err := tlog.OpenCheckpoint(body, key)
				if err != nil {
					t.Errorf("round %d: tlog.OpenCheckpoint(%q) = %v", round, body, err)
					continue
				}
				if cp.Size < last {
					t.Errorf("round %d: checkpoint size went back from %d to %d", round, last, cp.Size)
				}
				last = cp.Size
				if err := seen.add(cp); err != nil {
					t.Errorf("round %d: %v", round, err)
				}
				mu.Lock()
				roundCheckpoints++
				mu.Unlock()
			}
		}()

		// The writers: each label's two writers take turns, each write
		// extending the support date by one day, until one fails.
		for _, l := range labels {
			for range writersPer {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						out := l.extend(t, ctx, c, srv.base, token, round)
						mu.Lock()
						switch out {
						case crashAcked:
							roundAcked++
						case crashInFlight:
							roundInFlight++
						}
						mu.Unlock()
						if out != crashAcked {
							return
						}
					}
				}()
			}
		}

		killAfter := minKill + time.Duration(rng.Int64N(int64(maxKill-minKill)))
		time.Sleep(killAfter) // the random moment of the crash
		srv.kill()
		close(stop)
		wg.Wait()
		c.CloseIdleConnections()
		totalAcked += roundAcked
		totalInFlight += roundInFlight
		t.Logf("round %2d: killed after %3d ms: %3d writes acknowledged, %d in flight, %3d checkpoints polled, largest size %d",
			round, killAfter.Milliseconds(), roundAcked, roundInFlight, roundCheckpoints, seen.maxSize())
		if t.Failed() {
			t.FailNow() // later rounds would only pile up errors that follow from this one
		}
	}

	// The last start: wait until the checkpoint covers every logged event.
	srv := startCrashServer(t, bin, serveArgs...)
	c := &http.Client{Timeout: 30 * time.Second}
	remote := tlog.NewRemote(srv.base+"/log", key, c)
	type historyEvent struct {
		Index      int64                `json:"index"`
		Integrated bool                 `json:"integrated"`
		Event      trustmark.LabelEvent `json:"event"`
	}
	histories := map[string][]historyEvent{}
	var final *tlog.Checkpoint
	for deadline := time.Now().Add(60 * time.Second); ; {
		var err error
		if final, err = remote.Checkpoint(ctx); err != nil {
			t.Fatalf("final server: remote.Checkpoint() = %v", err)
		}
		total := int64(0)
		for _, k := range demo.Keys() {
			var h struct{ Events []historyEvent }
			if err := json.Unmarshal(crashMustGet(t, ctx, c, srv.base+"/api/v1/registry/"+string(demo.LabelID(k))+"/history"), &h); err != nil {
				t.Fatalf("history of %s: %v", k, err)
			}
			histories[k] = h.Events
			total += int64(len(h.Events))
		}
		if total == final.Size {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("final checkpoint size = %d, want the %d events in the labels' histories (waited 60 s)", final.Size, total)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// (1) Every acknowledged date is logged exactly once; nothing is logged
	// twice, out of order or that was never sent; the labels' events tile
	// the whole log.
	all := map[int64]string{}
	for _, k := range demo.Keys() {
		prev := int64(-1)
		for _, e := range histories[k] {
			if e.Index <= prev {
				t.Errorf("history of %s: index %d after %d, want strictly increasing", k, e.Index, prev)
			}
			prev = e.Index
			if other, dup := all[e.Index]; dup {
				t.Errorf("log index %d is in the histories of both %s and %s", e.Index, other, k)
			}
			all[e.Index] = k
			if !e.Integrated {
				t.Errorf("history of %s: event %d is not integrated in a checkpoint of size %d", k, e.Index, final.Size)
			}
			if e.Event.LabelID != demo.LabelID(k) {
				t.Errorf("history of %s: event %d is about label %s", k, e.Index, e.Event.LabelID)
			}
		}
	}
	for i := range final.Size {
		if _, ok := all[i]; !ok {
			t.Errorf("log index %d is in no label's history; want the events to cover 0–%d", i, final.Size-1)
		}
	}
	var committedInFlight int
	for _, l := range labels {
		count := map[string]int{}
		for _, e := range histories[l.key] {
			count[string(e.Event.Event)+" "+string(e.Event.SupportDate)]++
		}
		for pair, n := range count {
			if n > 1 {
				t.Errorf("history of %s: event %q logged %d times, want once", l.key, pair, n)
			}
		}
		for _, d := range l.acked {
			if n := count["disclosures "+string(d)]; n != 1 {
				t.Errorf("history of %s: disclosures event with support_date %s (acknowledged in round %d) logged %d times, want 1",
					l.key, d, l.ackedIn[d], n)
			}
		}
		acked := map[trustmark.Date]bool{}
		for _, d := range l.acked {
			acked[d] = true
		}
		for _, e := range histories[l.key] {
			if e.Event.Event != trustmark.EventDisclosures {
				continue
			}
			d := e.Event.SupportDate
			switch {
			case acked[d]:
			case l.inFlight[d]:
				committedInFlight++
			case l.refused[d] != 0:
				t.Errorf("history of %s: disclosures event %d with support_date %s, which was refused with %d", l.key, e.Index, d, l.refused[d])
			default:
				t.Errorf("history of %s: disclosures event %d with support_date %s, which was never sent", l.key, e.Index, d)
			}
		}
	}

	// (3) Every checkpoint seen is consistent with the final tree, hence
	// with every other.
	sizes := make([]int64, 0, len(seen.bySize))
	for size := range seen.bySize {
		sizes = append(sizes, size)
	}
	slices.Sort(sizes)
	for _, size := range sizes {
		if err := remote.Consistency(ctx, seen.bySize[size], final); err != nil {
			t.Errorf("Consistency(checkpoint %d, final %d) = %v", size, final.Size, err)
		}
	}

	// (4) Each record is its latest logged event, proven in the log.
	for _, l := range labels {
		var rec trustmark.RegistryRecord
		if err := json.Unmarshal(crashMustGet(t, ctx, c, srv.base+"/api/v1/registry/"+string(l.id)), &rec); err != nil {
			t.Fatalf("registry record %s: %v", l.key, err)
		}
		p, err := tlog.ParseProof(crashMustGet(t, ctx, c, srv.base+"/api/v1/registry/"+string(l.id)+"/proof"))
		if err != nil {
			t.Errorf("tlog.ParseProof(proof of %s) = %v", l.key, err)
			continue
		}
		cp, err := tlog.VerifyProof(p, p.Extra, key)
		if err != nil {
			t.Errorf("tlog.VerifyProof(proof of %s) = %v", l.key, err)
			continue
		}
		if err := remote.Consistency(ctx, cp, final); err != nil {
			t.Errorf("Consistency(proof checkpoint of %s, final) = %v", l.key, err)
		}
		ev, err := trustmark.DecodeLabelEvent(p.Extra)
		if err != nil {
			t.Errorf("trustmark.DecodeLabelEvent(proof of %s) = %v", l.key, err)
			continue
		}
		h := histories[l.key]
		if last := h[len(h)-1]; p.Index != last.Index {
			t.Errorf("proof of %s: index %d, want the latest event's %d", l.key, p.Index, last.Index)
		}
		if rec.LogIndex == nil || *rec.LogIndex != p.Index {
			t.Errorf("record %s: log_index = %v, want %d", l.key, rec.LogIndex, p.Index)
		}
		if got, want := ev.RecordSHA256, trustmark.RecordHash(&rec); got != want {
			t.Errorf("record %s: latest event's record_sha256 = %s, want RecordHash(record) = %s", l.key, got, want)
		}
		if ev.SupportDate != rec.SupportDate || ev.Status != rec.Status {
			t.Errorf("record %s: latest event has support_date %s, status %s; want the record's %s, %s", l.key, ev.SupportDate, ev.Status, rec.SupportDate, rec.Status)
		}
		if n := len(l.acked); n > 0 && rec.SupportDate < l.acked[n-1] {
			t.Errorf("record %s: support_date = %s, want ≥ the last acknowledged %s", l.key, rec.SupportDate, l.acked[n-1])
		}
	}
	if err := srv.terminate(30 * time.Second); err != nil {
		t.Errorf("final server: SIGTERM = %v, want a clean exit\n%s", err, srv.stderr)
	}

	// (2) fsck recomputes the whole log from its entries.
	out, errOut, err := runTrustmark(ctx, bin, "log", "fsck", "--data", data)
	if err != nil {
		t.Errorf("trustmark log fsck = %v, want exit 0\n%s%s", err, out, errOut)
	} else if m := regexp.MustCompile(`(\d+) entries.*checkpoint of size (\d+)`).FindStringSubmatch(out); m == nil ||
		m[1] != strconv.FormatInt(final.Size, 10) || m[2] != m[1] {
		t.Errorf("trustmark log fsck = %q, want %d entries and a checkpoint of size %d", out, final.Size, final.Size)
	}

	t.Logf("%d rounds in %v: %d writes acknowledged, %d in flight at a kill (%d of them committed), %d checkpoints seen, final size %d",
		rounds, time.Since(start).Round(time.Second), totalAcked, totalInFlight, committedInFlight, len(sizes), final.Size)
	if totalAcked == 0 || len(sizes) < 2 {
		t.Errorf("%d writes acknowledged and %d checkpoints seen, want some of each: the test exercised nothing", totalAcked, len(sizes))
	}
}
