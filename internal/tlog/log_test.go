package tlog_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"trustmark"
	"trustmark/internal/tlog"
)

const origin = "labels.example.org/log"

type testLog struct {
	*tlog.Log
	db   trustmark.Store
	exec func(stmt string) error // runs SQL on the store's database
	vkey string
}

func newLog(t *testing.T, b backend) *testLog {
	t.Helper()
	skey, vkey, err := tlog.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	return newLogWithKey(t, b, skey, vkey)
}

func newLogWithKey(t *testing.T, b backend, skey, vkey string) *testLog {
	t.Helper()
	db, exec := b.open(t)
	l, err := tlog.New(db, tlog.Config{Origin: origin, SignerKey: skey})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.VerifierKey(); got != vkey {
		t.Fatalf("VerifierKey() = %s, want %s", got, vkey)
	}
	return &testLog{Log: l, db: db, exec: exec, vkey: vkey}
}

func (l *testLog) append(t *testing.T, entries ...[]byte) {
	t.Helper()
	for _, e := range entries {
		if _, err := l.Append(context.Background(), e); err != nil {
			t.Fatalf("Append() = %v", err)
		}
	}
	if err := l.IntegrateAll(context.Background()); err != nil {
		t.Fatalf("IntegrateAll() = %v", err)
	}
}

func entry(i int) []byte { return []byte(fmt.Sprintf(`{"entry":%d}`, i)) }

// RFC 6962 hashing: the empty tree is SHA-256(""), a leaf is
// SHA-256(0x00 || entry), a node SHA-256(0x01 || left || right).
func TestRFC6962Hashing(t *testing.T) { forEachBackend(t, testRFC6962Hashing) }

func testRFC6962Hashing(t *testing.T, b backend) {
	ctx := context.Background()
	l := newLog(t, b)
	if err := l.IntegrateAll(ctx); err != nil {
		t.Fatal(err)
	}
	head, err := l.Head(ctx)
	if err != nil || head.Size != 0 || hex.EncodeToString(head.Root[:]) != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("empty log head = %+v, %v; want size 0 with SHA-256(\"\")", head, err)
	}
	leaf := func(b []byte) [32]byte { return sha256.Sum256(append([]byte{0}, b...)) }
	node := func(a, b [32]byte) [32]byte { return sha256.Sum256(append(append([]byte{1}, a[:]...), b[:]...)) }
	e0, e1, e2 := []byte{0x00}, []byte{0x10}, []byte{0x20, 0x21}
	l.append(t, e0)
	if head, _ = l.Head(ctx); head.Root != leaf(e0) {
		t.Errorf("root of one entry = %x, want %x", head.Root, leaf(e0))
	}
	l.append(t, e1)
	if head, _ = l.Head(ctx); head.Root != node(leaf(e0), leaf(e1)) {
		t.Errorf("root of two entries = %x", head.Root)
	}
	l.append(t, e2)
	if head, _ = l.Head(ctx); head.Root != node(node(leaf(e0), leaf(e1)), leaf(e2)) {
		t.Errorf("root of three entries = %x", head.Root)
	}
}

func TestCheckpointAndProofs(t *testing.T) { forEachBackend(t, testCheckpointAndProofs) }

func testCheckpointAndProofs(t *testing.T, b backend) {
	ctx := context.Background()
	l := newLog(t, b)
	var entries [][]byte
	for i := range 300 {
		entries = append(entries, entry(i))
	}
	l.append(t, entries...)
	head, err := l.Head(ctx)
	if err != nil || head.Size != 300 {
		t.Fatalf("Head() = %+v, %v", head, err)
	}
	cp, err := tlog.OpenCheckpoint(head.Note, l.vkey)
	if err != nil || cp.Size != 300 || cp.Root != head.Root || cp.Origin != origin {
		t.Fatalf("OpenCheckpoint() = %+v, %v", cp, err)
	}
	if !strings.HasPrefix(string(head.Note), origin+"\n300\n") {
		t.Errorf("checkpoint does not start with the origin and size:\n%s", head.Note)
	}
	for _, i := range []int64{0, 1, 127, 255, 256, 299} {
		text, err := l.Prove(ctx, i, entries[i])
		if err != nil {
			t.Fatalf("Prove(%d) = %v", i, err)
		}
		p, err := tlog.ParseProof(text)
		if err != nil {
			t.Fatalf("ParseProof(%d) = %v", i, err)
		}
		if !bytes.Equal(p.Marshal(), text) {
			t.Errorf("proof %d does not round-trip", i)
		}
		if _, err := tlog.VerifyProof(p, entries[i], l.vkey); err != nil {
			t.Errorf("VerifyProof(%d) = %v", i, err)
		}
		if _, err := tlog.VerifyProof(p, entries[(i+1)%300], l.vkey); !errors.Is(err, tlog.ErrVerify) {
			t.Errorf("VerifyProof(%d) with another entry = %v, want ErrVerify", i, err)
		}
	}
	if _, err := l.Prove(ctx, 300, nil); err == nil {
		t.Error("Prove(300) in a tree of 300 succeeded")
	}
}

func TestProofTampering(t *testing.T) { forEachBackend(t, testProofTampering) }

func testProofTampering(t *testing.T, b backend) {
	ctx := context.Background()
	l := newLog(t, b)
	var entries [][]byte
	for i := range 40 {
		entries = append(entries, entry(i))
	}
	l.append(t, entries...)
	good, err := l.Prove(ctx, 17, entries[17])
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, _ := tlog.GenerateKey(origin)
	_, strangerKey, _ := tlog.GenerateKey("other.example/log")
	lines := strings.Split(string(good), "\n")
	flip := func(s string) string {
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	cases := []struct {
		name string
		text string
		key  string
	}{
		{"wrong key, same name", string(good), otherKey},
		{"key of another log", string(good), strangerKey},
		{"tampered proof hash", strings.Join(append(append(append([]string{}, lines[:3]...), flip(lines[3])), lines[4:]...), "\n"), l.vkey},
		{"proof hash dropped", strings.Join(append(append([]string{}, lines[:3]...), lines[4:]...), "\n"), l.vkey},
		{"other index", strings.Replace(string(good), "index 17", "index 18", 1), l.vkey},
		{"tampered checkpoint size", strings.Replace(string(good), "\n40\n", "\n41\n", 1), l.vkey},
		{"truncated", string(good[:len(good)/2]), l.vkey},
		{"no header", strings.TrimPrefix(string(good), "c2sp.org/tlog-proof@v1\n"), l.vkey},
	}
	for _, c := range cases {
		p, err := tlog.ParseProof([]byte(c.text))
		if err == nil {
			_, err = tlog.VerifyProof(p, entries[17], c.key)
		}
		if !errors.Is(err, tlog.ErrVerify) {
			t.Errorf("%s: verification = %v, want ErrVerify", c.name, err)
		}
	}
}

// tileServer serves a log's checkpoint and tiles as the web layer does.
func tileServer(t *testing.T, l *testLog, mangle func(path string, b []byte) []byte) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /log/checkpoint", func(w http.ResponseWriter, r *http.Request) {
		h, err := l.Head(r.Context())
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write(h.Note)
	})
	mux.HandleFunc("GET /log/tile/", func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/log/")
		tile, err := tlog.ParseTilePath(p)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		b, _, err := l.Tile(r.Context(), tile)
		if err != nil {
			http.Error(w, err.Error(), 404)
			return
		}
		if mangle != nil {
			b = mangle(p, b)
		}
		w.Write(b)
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func TestTilesConsistencyAndEntries(t *testing.T) { forEachBackend(t, testTilesConsistencyAndEntries) }

func testTilesConsistencyAndEntries(t *testing.T, b backend) {
	ctx := context.Background()
	l := newLog(t, b)
	var entries [][]byte
	for i := range 600 {
		entries = append(entries, entry(i))
	}
	l.append(t, entries[:5]...)
	old, _ := l.Head(ctx)
	l.append(t, entries[5:]...)
	ts := tileServer(t, l, nil)
	remote := tlog.NewRemote(ts.URL+"/log", l.vkey, nil)
	cur, err := remote.Checkpoint(ctx)
	if err != nil || cur.Size != 600 {
		t.Fatalf("remote Checkpoint() = %+v, %v", cur, err)
	}
	oldCp, _ := tlog.OpenCheckpoint(old.Note, l.vkey)
	if err := remote.Consistency(ctx, oldCp, cur); err != nil {
		t.Fatalf("Consistency(5 → 600) = %v", err)
	}
	got, err := remote.Entries(ctx, cur, 250, 520)
	if err != nil {
		t.Fatalf("Entries() = %v", err)
	}
	for i, e := range got {
		if !bytes.Equal(e, entries[250+i]) {
			t.Fatalf("entry %d = %s, want %s", 250+i, e, entries[250+i])
		}
	}
	for _, p := range []string{"tile/0/000", "tile/0/002.p/88", "tile/1/000.p/2", "tile/entries/001", "tile/entries/002.p/88"} {
		tile, err := tlog.ParseTilePath(p)
		if err != nil {
			t.Fatalf("ParseTilePath(%s) = %v", p, err)
		}
		if _, _, err := l.Tile(ctx, tile); err != nil {
			t.Errorf("Tile(%s) = %v", p, err)
		}
	}
	for _, p := range []string{"tile/0/003", "tile/0/002.p/89", "tile/entries/003"} {
		tile, _ := tlog.ParseTilePath(p)
		if _, _, err := l.Tile(ctx, tile); err == nil {
			t.Errorf("Tile(%s) beyond the tree succeeded", p)
		}
	}
	for _, p := range []string{"tile/0/1", "tile/8/0/000", "tiles/0/000", "tile/0/000.p/0", "tile/0/000.p/256", "tile/-1/000", "tile/entries/x"} {
		if _, err := tlog.ParseTilePath(p); err == nil {
			t.Errorf("ParseTilePath(%q) succeeded", p)
		}
	}

	// A truncated or altered tile is caught by the tile hash reader.
	for name, mangle := range map[string]func(string, []byte) []byte{
		"truncated hash tile": func(p string, b []byte) []byte {
			if strings.HasPrefix(p, "tile/0/") {
				return b[:len(b)-1]
			}
			return b
		},
		"altered hash tile": func(p string, b []byte) []byte {
			if strings.HasPrefix(p, "tile/0/") {
				b = bytes.Clone(b)
				b[5] ^= 1
			}
			return b
		},
		"altered entry": func(p string, b []byte) []byte {
			if strings.HasPrefix(p, "tile/entries/") {
				b = bytes.Clone(b)
				b[len(b)-2] ^= 1
			}
			return b
		},
	} {
		bad := tlog.NewRemote(tileServer(t, l, mangle).URL+"/log", l.vkey, nil)
		err1 := bad.Consistency(ctx, oldCp, cur)
		_, err2 := bad.Entries(ctx, cur, 250, 260)
		if err1 == nil && err2 == nil {
			t.Errorf("%s: consistency and entries both verified", name)
		}
	}
}

// Two logs with the same key that hold different entries are a fork: their
// checkpoints are not consistent.
func TestForkedCheckpointsRejected(t *testing.T) { forEachBackend(t, testForkedCheckpointsRejected) }

func testForkedCheckpointsRejected(t *testing.T, be backend) {
	ctx := context.Background()
	skey, vkey, _ := tlog.GenerateKey(origin)
	a := newLogWithKey(t, be, skey, vkey)
	b := newLogWithKey(t, be, skey, vkey)
	for i := range 10 {
		a.append(t, entry(i))
		if i == 3 {
			b.append(t, []byte("a different history"))
		} else {
			b.append(t, entry(i))
		}
	}
	ha, _ := a.Head(ctx)
	hb, _ := b.Head(ctx)
	ca, _ := tlog.OpenCheckpoint(ha.Note, vkey)
	cb, _ := tlog.OpenCheckpoint(hb.Note, vkey)
	if err := tlog.VerifyConsistency(ca, cb, nil); !errors.Is(err, tlog.ErrVerify) {
		t.Errorf("same-size fork: %v, want ErrVerify", err)
	}
	b.append(t, entry(99))
	hb2, _ := b.Head(ctx)
	cb2, _ := tlog.OpenCheckpoint(hb2.Note, vkey)
	if err := tlog.NewRemote(tileServer(t, b, nil).URL+"/log", vkey, nil).Consistency(ctx, ca, cb2); !errors.Is(err, tlog.ErrVerify) {
		t.Errorf("fork then growth: %v, want ErrVerify", err)
	}
	if err := tlog.VerifyConsistency(cb2, cb, nil); !errors.Is(err, tlog.ErrVerify) {
		t.Errorf("log going back: %v, want ErrVerify", err)
	}
}

func TestFsck(t *testing.T) { forEachBackend(t, testFsck) }

func testFsck(t *testing.T, b backend) {
	ctx := context.Background()
	l := newLog(t, b)
	for i := range 700 {
		if _, err := l.Append(ctx, entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.IntegrateAll(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := l.Fsck(ctx)
	if err != nil || rep.Entries != 700 || rep.Checkpoint != 700 || rep.Hashes < 700 {
		t.Fatalf("Fsck() = %+v, %v", rep, err)
	}
	for name, stmt := range map[string]string{
		"altered entry":       b.alterEntry,
		"altered stored hash": b.alterHash,
	} {
		if err := l.exec(stmt); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Fsck(ctx); !errors.Is(err, tlog.ErrVerify) {
			t.Errorf("%s: Fsck() = %v, want ErrVerify", name, err)
		}
	}
}
