package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/postgres"
	"trustmark/internal/postgres/pgtest"
	"trustmark/internal/storetest"
	"trustmark/internal/tlog"
)

// A backup is pg_dump's custom format restored with pg_restore into a new
// database (docs/deploy.md). After the restore the checkpoint is the same,
// fsck passes, every label's proof made before the backup verifies against
// the restored entries, proofs made from the restored store verify, and
// the store goes on writing at the next index.
func TestDumpAndRestore(t *testing.T) {
	ctx := context.Background()
	server := pgtest.Server(t)
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed for the backup test: %v", tool, err)
		}
	}
	schema := pgtest.NewSchema(t, server)
	db, err := postgres.Open(ctx, pgtest.WithSchema(t, server, schema), postgres.Config{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	skey, vkey, _ := tlog.GenerateKey("labels.example.org/log")
	l, err := tlog.New(db, tlog.Config{Origin: "labels.example.org/log", SignerKey: skey})
	if err != nil {
		t.Fatal(err)
	}
	f := storetest.NewFixture(t, db, "backup")
	t0 := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	var labels []trustmark.LabelID
	for i := range 40 {
		g := f.Grant(t, db, fmt.Sprintf("Backed up %d", i), t0.Add(time.Duration(i)*time.Minute))
		labels = append(labels, g.LabelID)
		if i%3 == 0 {
			if _, _, err := db.UpdateGrant(ctx, g.LabelID, t0.Add(time.Hour), func(g *trustmark.Grant, _ *trustmark.RegistryRecord) error {
				return g.Apply(trustmark.StatusChange{LabelID: g.LabelID, To: trustmark.GrantSuspended, Reason: "failed sample", At: t0.Add(time.Hour)})
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := l.IntegrateAll(ctx); err != nil {
		t.Fatal(err)
	}
	before := map[trustmark.LabelID][]byte{}
	for _, id := range labels {
		idx, data, err := db.LabelLog(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		last := len(idx) - 1
		if before[id], err = l.Prove(ctx, idx[last], data[last]); err != nil {
			t.Fatal(err)
		}
	}
	size, _, note, _ := db.LogHead(ctx)

	// Dump the schema, restore it into a new database.
	dump := filepath.Join(t.TempDir(), "trustmark.dump")
	run(t, "pg_dump", "--dbname", plainURL(t, server), "--schema", schema, "--format", "custom", "--file", dump)
	restoredDB := pgtest.NewDatabase(t, server)
	run(t, "pg_restore", "--dbname", plainURL(t, restoredDB), "--no-owner", "--exit-on-error", dump)

	rs, err := postgres.Open(ctx, pgtest.WithSchema(t, restoredDB, schema), postgres.Config{})
	if err != nil {
		t.Fatalf("Open(restored) = %v", err)
	}
	defer rs.Close()
	rsize, _, rnote, err := rs.LogHead(ctx)
	if err != nil || rsize != size || !bytes.Equal(rnote, note) {
		t.Fatalf("restored checkpoint = %d, %v; want the same note of size %d", rsize, err, size)
	}
	rl, err := tlog.New(rs, tlog.Config{Origin: "labels.example.org/log", SignerKey: skey})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := rl.Fsck(ctx); err != nil || rep.Entries != size {
		t.Fatalf("Fsck(restored) = %+v, %v", rep, err)
	}
	for _, id := range labels {
		idx, data, err := rs.LabelLog(ctx, id)
		if err != nil || len(idx) == 0 {
			t.Fatalf("LabelLog(%s) after restore = %v, %v", id, idx, err)
		}
		last := len(idx) - 1
		old, err := tlog.ParseProof(before[id])
		if err == nil {
			_, err = tlog.VerifyProof(old, data[last], vkey)
		}
		if err != nil {
			t.Errorf("proof of %s made before the backup, against the restored entry: %v", id, err)
		}
		fresh, err := rl.Prove(ctx, idx[last], data[last])
		if err != nil {
			t.Fatalf("Prove(%s) after restore = %v", id, err)
		}
		if !bytes.Equal(fresh, before[id]) {
			t.Errorf("proof of %s differs after the restore", id)
		}
		rec, err := rs.RegistryRecord(ctx, id)
		if err != nil || rec.LogIndex == nil || *rec.LogIndex != idx[last] {
			t.Errorf("restored record %s = %v, %v; want it to point at entry %d", id, rec, err, idx[last])
		}
	}
	// The restored store keeps writing where the original stopped.
	g := f.Grant(t, rs, "After the restore", t0.Add(2*time.Hour))
	idx, _, err := rs.LabelLog(ctx, g.LabelID)
	if err != nil || len(idx) != 1 || idx[0] != size {
		t.Errorf("first event after the restore at %v (%v), want index %d", idx, err, size)
	}
	page, err := rs.ListRegistry(ctx, trustmark.RegistryFilter{Limit: 1})
	if err != nil || len(page.Items) != 1 || page.Items[0].LabelID != g.LabelID {
		t.Errorf("newest record after the restore = %+v, %v; want %s", page, err, g.LabelID)
	}
	if err := rl.IntegrateAll(ctx); err != nil {
		t.Fatalf("IntegrateAll(restored) = %v", err)
	}
}

// plainURL drops the query of a test server URL: pg_dump and pg_restore
// take libpq's parameters only.
func plainURL(t *testing.T, s string) string {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{}
	if v := u.Query().Get("sslmode"); v != "" {
		q.Set("sslmode", v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// run runs a command, failing the test with its output if it fails.
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v = %v\n%s", name, args, err, out)
	}
}
