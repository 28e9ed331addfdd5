package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/postgres"
	"trustmark/internal/postgres/pgtest"
	"trustmark/internal/storetest"
	"trustmark/internal/tlog"
)

// Two stores on one schema stand for two servers: 64 writers spread over
// both issue and change grants while both integrate the log. Afterwards
// the log holds every event exactly once at gap-free indexes, the change
// sequence is strictly increasing, fsck passes and both see one checkpoint.
func TestTwoStoresOneLog(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	var stores [2]*postgres.DB
	for i := range stores {
		db, err := postgres.Open(ctx, dsn, postgres.Config{Migrate: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		stores[i] = db
	}
	skey, vkey, err := tlog.GenerateKey("labels.example.org/log")
	if err != nil {
		t.Fatal(err)
	}
	var logs [2]*tlog.Log
	runCtx, stop := context.WithCancel(ctx)
	var running sync.WaitGroup
	for i, db := range stores {
		l, err := tlog.New(db, tlog.Config{Origin: "labels.example.org/log", SignerKey: skey, Poll: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		logs[i] = l
		running.Go(func() { l.Run(runCtx) })
	}
	f := storetest.NewFixture(t, stores[0], "two")

	const writers, changes = 64, 3
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	errs := make(chan error, writers)
	labels := make([]trustmark.LabelID, writers)
	for w := range writers {
		go func() {
			errs <- func() error {
				s := stores[w%2]
				p := &trustmark.Product{ManufacturerID: f.Manufacturer.ID, Name: fmt.Sprintf("Writer %d", w), ModelNumbers: []string{"W"},
					Class: trustmark.ClassPlug, Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: "Plug"}}}
				if err := s.CreateProduct(ctx, p); err != nil {
					return err
				}
				g := &trustmark.Grant{LabelID: trustmark.NewLabelID(), ProductID: p.ID, ManufacturerID: f.Manufacturer.ID,
					CLAID: f.CLA.ID, LabID: f.Lab.ID, Status: trustmark.GrantActive, GrantedAt: t0}
				r := trustmark.NewRegistryRecord(g, p, f.Manufacturer, f.CLA, f.Lab, storetest.Disclosures("2030-01-01"))
				if err := s.IssueGrant(ctx, g, r); err != nil {
					return err
				}
				labels[w] = g.LabelID
				for c := range changes {
					// Changes go to the other store than the previous write.
					s := stores[(w+c+1)%2]
					_, _, err := s.UpdateGrant(ctx, g.LabelID, t0.Add(time.Duration(c+1)*time.Hour), func(_ *trustmark.Grant, r *trustmark.RegistryRecord) error {
						r.SecurityContact = fmt.Sprintf("security+%d-%d@maker.example", w, c)
						return nil
					})
					if err != nil {
						return err
					}
				}
				return nil
			}()
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	want := int64(writers * (1 + changes))
	n, err := stores[1].LogSize(ctx)
	if err != nil || n != want {
		t.Fatalf("LogSize() = %d, %v; want %d", n, err, want)
	}
	// LogEntries fails on a gap; every event appears once, in its label's order.
	entries, err := stores[0].LogEntries(ctx, 0, n)
	if err != nil || int64(len(entries)) != n {
		t.Fatalf("LogEntries(0, %d) = %d entries, %v", n, len(entries), err)
	}
	seen := map[string]bool{}
	perLabel := map[trustmark.LabelID][]trustmark.EventKind{}
	for i, data := range entries {
		e, err := trustmark.DecodeLabelEvent(data)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		key := string(data)
		if seen[key] {
			t.Errorf("entry %d is a duplicate", i)
		}
		seen[key] = true
		perLabel[e.LabelID] = append(perLabel[e.LabelID], e.Event)
	}
	for _, id := range labels {
		if ev := perLabel[id]; len(ev) != 1+changes || ev[0] != trustmark.EventGrant {
			t.Errorf("label %s has events %v; want grant then %d changes", id, ev, changes)
		}
		idx, _, err := stores[1].LabelLog(ctx, id)
		rec, _ := stores[0].RegistryRecord(ctx, id)
		if err != nil || len(idx) != 1+changes || rec.LogIndex == nil || *rec.LogIndex != idx[len(idx)-1] {
			t.Errorf("LabelLog(%s) = %v, %v; record points at %v", id, idx, err, rec.LogIndex)
		}
	}
	// The change sequence names every change once, in order.
	ids, _, err := stores[0].RegistryChanges(ctx, 0, 10_000)
	if err != nil || len(ids) != writers {
		t.Errorf("RegistryChanges() = %d labels, %v; want %d", len(ids), err, writers)
	}

	// Both integrators converge on one checkpoint that covers everything.
	deadline := time.Now().Add(20 * time.Second)
	for {
		h0, err0 := logs[0].Head(ctx)
		h1, err1 := logs[1].Head(ctx)
		if err0 == nil && err1 == nil && h0.Size == n && h1.Size == n {
			if string(h0.Note) != string(h1.Note) {
				t.Errorf("the stores serve different checkpoints of size %d", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoints did not reach %d: %+v %v, %+v %v", n, h0, err0, h1, err1)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	running.Wait()
	rep, err := logs[1].Fsck(ctx)
	if err != nil || rep.Entries != n || rep.Checkpoint != n {
		t.Fatalf("Fsck() = %+v, %v", rep, err)
	}
	for _, i := range []int64{0, n / 2, n - 1} {
		a, err := logs[0].Prove(ctx, i, entries[i])
		if err != nil {
			t.Fatalf("Prove(%d) = %v", i, err)
		}
		b, _ := logs[1].Prove(ctx, i, entries[i])
		if string(a) != string(b) {
			t.Errorf("the stores prove entry %d differently", i)
		}
		p, err := tlog.ParseProof(a)
		if err == nil {
			_, err = tlog.VerifyProof(p, entries[i], vkey)
		}
		if err != nil {
			t.Errorf("proof of entry %d: %v", i, err)
		}
	}
}
