package vuln_test

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"trustmark"
	"trustmark/internal/vuln"
)

func osvJSON(id string) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}`, id))
}

// writeZip writes an archive of the given members, in order.
func writeZip(t *testing.T, path string, members map[string][]byte, order []string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(members[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// collect walks path, parsing every record, and returns the names seen
// and the progress calls.
func collect(t *testing.T, path string) (names []string, progress [][2]int, err error) {
	t.Helper()
	err = vuln.Walk(path, func(name string, raw []byte) error {
		o, err := vuln.ParseOSV(raw)
		if err != nil {
			return err
		}
		names = append(names, name+"="+o.ID)
		return nil
	}, func(done, total int) { progress = append(progress, [2]int{done, total}) })
	return names, progress, err
}

func TestWalkDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "npm", "GHSA-b.json"), osvJSON("GHSA-b"))
	writeFile(t, filepath.Join(dir, "npm", "GHSA-a.json"), osvJSON("GHSA-a"))
	writeFile(t, filepath.Join(dir, "PyPI", "nested", "PYSEC-1.JSON"), osvJSON("PYSEC-1"))
	writeFile(t, filepath.Join(dir, "README.md"), []byte("not a record"))
	writeFile(t, filepath.Join(dir, ".git", "x.json"), []byte("hidden: skipped"))
	writeZip(t, filepath.Join(dir, "Go", "all.zip"), map[string][]byte{"GO-2.json": osvJSON("GO-2"), "GO-1.json": osvJSON("GO-1"), "notes.txt": []byte("x")}, []string{"GO-2.json", "GO-1.json", "notes.txt"})

	names, progress, err := collect(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Go/all.zip:GO-2.json=GO-2", "Go/all.zip:GO-1.json=GO-1", "PyPI/nested/PYSEC-1.JSON=PYSEC-1", "npm/GHSA-a.json=GHSA-a", "npm/GHSA-b.json=GHSA-b"}
	if !slices.Equal(names, want) {
		t.Errorf("Walk visited %q, want %q", names, want)
	}
	if wantP := [][2]int{{0, 5}, {5, 5}}; !slices.Equal(progress, wantP) {
		t.Errorf("progress calls %v, want %v", progress, wantP)
	}
}

func TestWalkZipProgress(t *testing.T) {
	dir := t.TempDir()
	members := map[string][]byte{}
	var order []string
	for i := range 2500 {
		name := fmt.Sprintf("GHSA-%04d.json", i)
		members[name] = osvJSON(fmt.Sprintf("GHSA-%04d", i))
		order = append(order, name)
	}
	path := filepath.Join(dir, "all.zip")
	writeZip(t, path, members, order)
	names, progress, err := collect(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2500 || names[0] != "all.zip:GHSA-0000.json=GHSA-0000" {
		t.Errorf("Walk visited %d records starting with %q", len(names), names[0])
	}
	if want := [][2]int{{0, 2500}, {1000, 2500}, {2000, 2500}, {2500, 2500}}; !slices.Equal(progress, want) {
		t.Errorf("progress calls %v, want %v", progress, want)
	}
	// A single .json file works too, and nil progress is allowed.
	single := filepath.Join(dir, "one.json")
	writeFile(t, single, osvJSON("GHSA-one"))
	n := 0
	if err := vuln.Walk(single, func(name string, raw []byte) error { n++; return nil }, nil); err != nil || n != 1 {
		t.Errorf("Walk(single file) = %v after %d records", err, n)
	}
}

func TestWalkErrors(t *testing.T) {
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "npm", "all.zip")
	writeZip(t, zipPath, map[string][]byte{"GHSA-ok.json": osvJSON("GHSA-ok"), "GHSA-bad.json": []byte(`{"id":"GHSA-bad"}`)}, []string{"GHSA-ok.json", "GHSA-bad.json"})
	names, _, err := collect(t, dir)
	if !trustmark.IsKind(err, trustmark.KindInvalid) || !strings.Contains(err.Error(), `npm/all.zip:GHSA-bad.json: OSV record "GHSA-bad": modified is missing`) {
		t.Errorf("Walk error = %v, want KindInvalid naming npm/all.zip:GHSA-bad.json", err)
	}
	if len(names) != 1 {
		t.Errorf("Walk visited %v before the bad record, want the one good record", names)
	}

	// fn's own errors stop the walk, with the name in front.
	stop := fmt.Errorf("disk full")
	err = vuln.Walk(zipPath, func(string, []byte) error { return stop }, nil)
	if err == nil || err.Error() != "all.zip:GHSA-ok.json: disk full" {
		t.Errorf("Walk error = %v, want the name and fn's error", err)
	}

	corrupt := filepath.Join(dir, "corrupt.zip")
	writeFile(t, corrupt, []byte("PK\x03\x04 not really"))
	for _, path := range []string{filepath.Join(dir, "missing"), corrupt, filepath.Join(dir, "notes.txt")} {
		if path == filepath.Join(dir, "notes.txt") {
			writeFile(t, path, []byte("x"))
		}
		if err := vuln.Walk(path, func(string, []byte) error { return nil }, nil); !trustmark.IsKind(err, trustmark.KindInvalid) {
			t.Errorf("Walk(%s) error = %v, want KindInvalid", filepath.Base(path), err)
		}
	}
}
