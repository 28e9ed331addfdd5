package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"trustmark"
)

// vulnTests are the conformance tests of trustmark.VulnTx.
var vulnTests = []struct {
	name string
	fn   func(t *testing.T, s trustmark.Store)
}{
	{"VulnSBOMs", testVulnSBOMs},
	{"VulnSBOMRefused", testVulnSBOMRefused},
	{"VulnCurrentComponents", testVulnCurrentComponents},
	{"VulnAdvisories", testVulnAdvisories},
	{"VulnAdvisoryBulk", testVulnAdvisoryBulk},
	{"VulnPutAdvisories", testVulnPutAdvisories},
	{"VulnVEX", testVulnVEX},
	{"VulnAlerts", testVulnAlerts},
	{"VulnWebhooks", testVulnWebhooks},
	{"VulnDeliveries", testVulnDeliveries},
	{"VulnRollback", testVulnRollback},
	{"VulnViewIsReadOnly", testVulnViewReadOnly},
}

// view runs fn in a read transaction, failing the test on an error.
func view(t *testing.T, s trustmark.Store, fn func(tx trustmark.VulnTx) error) {
	t.Helper()
	if err := s.View(context.Background(), func(tx trustmark.Tx) error { return fn(tx) }); err != nil {
		t.Fatalf("View() = %v", err)
	}
}

// write runs fn in a write transaction, failing the test on an error.
func write(t *testing.T, s trustmark.Store, fn func(tx trustmark.VulnTx) error) {
	t.Helper()
	if err := s.Transact(context.Background(), func(tx trustmark.Tx) error { return fn(tx) }); err != nil {
		t.Fatalf("Transact() = %v", err)
	}
}

// Components of the test SBOMs: PURL-identified ones in three ecosystems,
// one with only a CPE, one with both, and one with neither.
var (
	compOpenSSL = trustmark.SoftwareComponent{Ref: "pkg-openssl", Name: "openssl", Version: "3.0.11-1~deb12u2",
		PURL: "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=arm64", Ecosystem: "Debian", Package: "openssl"}
	compOldOpenSSL = trustmark.SoftwareComponent{Name: "openssl", Version: "3.0.2-0ubuntu1",
		PURL: "pkg:deb/debian/openssl@3.0.2-0ubuntu1", Ecosystem: "Debian", Package: "openssl"}
	compZlib   = trustmark.SoftwareComponent{Name: "zlib", Version: "1:1.2.13.dfsg-1", PURL: "pkg:deb/debian/zlib@1:1.2.13.dfsg-1", Ecosystem: "Debian", Package: "zlib"}
	compLodash = trustmark.SoftwareComponent{Ref: "npm/lodash", Name: "lodash", Version: "4.17.20", PURL: "pkg:npm/lodash@4.17.20", Ecosystem: "npm", Package: "lodash"}
	compBusy   = trustmark.SoftwareComponent{Name: "BusyBox", Version: "1.36.1", CPE: "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"}
	compCurl   = trustmark.SoftwareComponent{Name: "curl", Version: "8.5.0", PURL: "pkg:generic/curl@8.5.0", CPE: "cpe:2.3:a:haxx:curl:8.5.0:*:*:*:*:*:*:*",
		Ecosystem: "", Package: ""}
	compCurlPkg = trustmark.SoftwareComponent{Name: "curl", Version: "7.88.1-10", PURL: "pkg:deb/debian/curl@7.88.1-10", CPE: "cpe:/a:haxx:curl:7.88.1",
		Ecosystem: "Debian", Package: "curl"}
	compBlob = trustmark.SoftwareComponent{Name: "vendor-blob"}
)

// newSBOM returns an SBOM of productID uploaded at at.
func newSBOM(productID, version string, at time.Time, cs ...trustmark.SoftwareComponent) *trustmark.SBOM {
	doc := fmt.Sprintf(`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"name":"fw","version":%q}}}`, version)
	return &trustmark.SBOM{ProductID: productID, ProductVersion: version, Format: trustmark.SBOMCycloneDXJSON, SpecVersion: "1.6",
		UploadedBy: "user_ana", UploadedAt: at, Components: cs, Document: []byte(doc)}
}

// newProduct stores an unlabeled product of f's manufacturer.
func newProduct(t *testing.T, s trustmark.Store, f *Fixture, name string) *trustmark.Product {
	t.Helper()
	p := &trustmark.Product{ManufacturerID: f.Manufacturer.ID, Name: name, ModelNumbers: []string{"M-" + name}, Class: trustmark.ClassRouter,
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: name}}, CreatedAt: t0}
	if err := s.CreateProduct(context.Background(), p); err != nil {
		t.Fatalf("CreateProduct(%s) = %v", name, err)
	}
	return p
}

func createSBOM(t *testing.T, s trustmark.Store, sb *trustmark.SBOM) *trustmark.SBOM {
	t.Helper()
	write(t, s, func(tx trustmark.VulnTx) error { return tx.CreateSBOM(sb) })
	return sb
}

func sbomIDs(list []trustmark.SBOM) []string {
	ids := []string{}
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	return ids
}

func testVulnSBOMs(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "sbom")
	p := newProduct(t, s, f, "Router")
	other := newProduct(t, s, f, "Bare")
	first := newSBOM(p.ID, "1.0.0", t0, compOpenSSL, compZlib, compLodash, compBusy, compCurl, compBlob, compOpenSSL)
	createSBOM(t, s, first)
	if !strings.HasPrefix(first.ID, "sbm_") || first.SHA256 != sha256Hex(first.Document) || first.Size != len(first.Document) {
		t.Errorf("CreateSBOM() set ID %q, SHA-256 %q, size %d; want an sbm_ ID and the document's hash and size", first.ID, first.SHA256, first.Size)
	}
	view(t, s, func(tx trustmark.VulnTx) error {
		got, err := tx.SBOM(first.ID)
		if err != nil {
			t.Fatalf("SBOM() = %v", err)
		}
		want := *first
		want.Document = nil
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("SBOM() mismatch (-want +got):\n%s", diff)
		}
		doc, err := tx.SBOMDocument(first.ID)
		if err != nil || string(doc) != string(first.Document) {
			t.Errorf("SBOMDocument() = %q, %v; want the uploaded document", doc, err)
		}
		return nil
	})

	// A newer upload becomes current; a back-filled older one does not;
	// one uploaded at the same time as the current one replaces it.
	second := createSBOM(t, s, newSBOM(p.ID, "1.1.0", t0.Add(time.Hour), compOldOpenSSL))
	older := createSBOM(t, s, newSBOM(p.ID, "0.9.0", t0.Add(-time.Hour), compZlib))
	view(t, s, func(tx trustmark.VulnTx) error {
		cur, err := tx.CurrentSBOM(p.ID)
		if err != nil || cur.ID != second.ID || len(cur.Components) != 1 || cur.Components[0] != compOldOpenSSL {
			t.Errorf("CurrentSBOM() = %+v, %v; want %s with its one component", cur, err, second.ID)
		}
		list, err := tx.SBOMs(p.ID)
		if err != nil {
			t.Fatalf("SBOMs() = %v", err)
		}
		if diff := cmp.Diff([]string{second.ID, first.ID, older.ID}, sbomIDs(list)); diff != "" {
			t.Errorf("SBOMs() order, newest first (-want +got):\n%s", diff)
		}
		for _, sb := range list {
			if sb.Components != nil || sb.Document != nil || sb.SHA256 == "" || sb.ProductVersion == "" {
				t.Errorf("SBOMs() item %s = %+v; want metadata only", sb.ID, sb)
			}
		}
		return nil
	})
	tie := createSBOM(t, s, newSBOM(p.ID, "1.1.1", t0.Add(time.Hour), compZlib))
	view(t, s, func(tx trustmark.VulnTx) error {
		if cur, err := tx.CurrentSBOM(p.ID); err != nil || cur.ID != tie.ID {
			t.Errorf("CurrentSBOM() after an upload at the same time = %v, %v; want %s", cur, err, tie.ID)
		}
		list, _ := tx.SBOMs(p.ID)
		if diff := cmp.Diff([]string{tie.ID, second.ID, first.ID, older.ID}, sbomIDs(list)); diff != "" {
			t.Errorf("SBOMs() order (-want +got):\n%s", diff)
		}
		has, err := tx.ProductsWithSBOM([]string{p.ID, other.ID, "prd_missing"})
		if err != nil || !cmp.Equal(has, map[string]bool{p.ID: true}) {
			t.Errorf("ProductsWithSBOM() = %v, %v; want only %s", has, err, p.ID)
		}
		if has, err := tx.ProductsWithSBOM(nil); err != nil || len(has) != 0 {
			t.Errorf("ProductsWithSBOM(nil) = %v, %v", has, err)
		}
		_, err = tx.CurrentSBOM(other.ID)
		wantKind(t, "CurrentSBOM(no SBOM)", err, trustmark.KindNotFound)
		if list, err := tx.SBOMs(other.ID); err != nil || len(list) != 0 {
			t.Errorf("SBOMs(no SBOM) = %v, %v; want none", list, err)
		}
		_, err = tx.SBOM("sbm_missing")
		wantKind(t, "SBOM(missing)", err, trustmark.KindNotFound)
		_, err = tx.SBOMDocument("sbm_missing")
		wantKind(t, "SBOMDocument(missing)", err, trustmark.KindNotFound)
		return nil
	})
	// An SBOM without components is stored and read back as such.
	empty := createSBOM(t, s, newSBOM(other.ID, "2.0", t0))
	view(t, s, func(tx trustmark.VulnTx) error {
		got, err := tx.SBOM(empty.ID)
		if err != nil || len(got.Components) != 0 {
			t.Errorf("SBOM(no components) = %+v, %v", got, err)
		}
		return nil
	})
	// The document never travels in the SBOM's JSON.
	if b, _ := json.Marshal(first); strings.Contains(string(b), "bomFormat") {
		t.Errorf("SBOM JSON contains the document: %s", b)
	}
}

func testVulnSBOMRefused(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "sbomrefused")
	p := newProduct(t, s, f, "Hub")
	cases := []struct {
		name   string
		change func(sb *trustmark.SBOM)
		kind   trustmark.ErrorKind
	}{
		{"unknown product", func(sb *trustmark.SBOM) { sb.ProductID = "prd_missing" }, trustmark.KindNotFound},
		{"no product", func(sb *trustmark.SBOM) { sb.ProductID = "" }, trustmark.KindInvalid},
		{"bad format", func(sb *trustmark.SBOM) { sb.Format = "swid" }, trustmark.KindInvalid},
		{"no document", func(sb *trustmark.SBOM) { sb.Document = nil }, trustmark.KindInvalid},
		{"wrong hash", func(sb *trustmark.SBOM) { sb.SHA256 = sha256Hex([]byte("other")) }, trustmark.KindInvalid},
		{"wrong size", func(sb *trustmark.SBOM) { sb.Size = 3 }, trustmark.KindInvalid},
		{"no product version", func(sb *trustmark.SBOM) { sb.ProductVersion = "" }, trustmark.KindInvalid},
		{"component without a name", func(sb *trustmark.SBOM) { sb.Components[1].Name = "" }, trustmark.KindInvalid},
		{"ecosystem without package", func(sb *trustmark.SBOM) { sb.Components[0].Package = "" }, trustmark.KindInvalid},
		{"control character", func(sb *trustmark.SBOM) { sb.Components[0].Version = "1\x00" }, trustmark.KindInvalid},
	}
	for _, c := range cases {
		sb := newSBOM(p.ID, "1.0", t0, compLodash, compZlib)
		c.change(sb)
		err := s.Transact(context.Background(), func(tx trustmark.Tx) error { return tx.CreateSBOM(sb) })
		wantKind(t, c.name, err, c.kind)
		if trustmark.KindOf(err) == trustmark.KindInvalid && trustmark.PublicMessage(err) == "internal error" {
			t.Errorf("%s: error %v has no message", c.name, err)
		}
	}
	sb := createSBOM(t, s, newSBOM(p.ID, "1.0", t0, compLodash))
	again := newSBOM(p.ID, "1.0", t0)
	again.ID = sb.ID
	err := s.Transact(context.Background(), func(tx trustmark.Tx) error { return tx.CreateSBOM(again) })
	wantKind(t, "same SBOM ID", err, trustmark.KindConflict)
	view(t, s, func(tx trustmark.VulnTx) error {
		list, err := tx.SBOMs(p.ID)
		if err != nil || len(list) != 1 {
			t.Errorf("SBOMs() after refused uploads = %d, %v; want 1", len(list), err)
		}
		return nil
	})
}

// refs summarizes component refs as "product/sbom/name@version", sorted.
func refs(list []trustmark.ComponentRef, names map[string]string) []string {
	out := []string{}
	for _, r := range list {
		out = append(out, names[r.ProductID]+"/"+names[r.SBOMID]+"/"+r.Component.Name+"@"+r.Component.Version)
	}
	slices.Sort(out)
	return out
}

func testVulnCurrentComponents(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "cur")
	a, b := newProduct(t, s, f, "A"), newProduct(t, s, f, "B")
	a1 := createSBOM(t, s, newSBOM(a.ID, "1", t0, compOpenSSL, compZlib, compBusy))
	b1 := createSBOM(t, s, newSBOM(b.ID, "1", t0, compOldOpenSSL, compBusy, compCurl, compCurlPkg, compBlob))
	names := map[string]string{a.ID: "A", b.ID: "B", a1.ID: "a1", b1.ID: "b1"}
	openssl := trustmark.PackageKey{Ecosystem: "Debian", Name: "openssl"}
	zlib := trustmark.PackageKey{Ecosystem: "Debian", Name: "zlib"}
	check := func(when string, want map[string][]string) {
		t.Helper()
		view(t, s, func(tx trustmark.VulnTx) error {
			queries := map[string]func() ([]trustmark.ComponentRef, error){
				"openssl": func() ([]trustmark.ComponentRef, error) {
					return tx.CurrentComponents([]trustmark.PackageKey{openssl, openssl})
				},
				"zlib": func() ([]trustmark.ComponentRef, error) { return tx.CurrentComponents([]trustmark.PackageKey{zlib}) },
				"openssl or zlib": func() ([]trustmark.ComponentRef, error) {
					return tx.CurrentComponents([]trustmark.PackageKey{zlib, openssl})
				},
				"npm openssl": func() ([]trustmark.ComponentRef, error) {
					return tx.CurrentComponents([]trustmark.PackageKey{{Ecosystem: "npm", Name: "openssl"}})
				},
				"none":          func() ([]trustmark.ComponentRef, error) { return tx.CurrentComponents(nil) },
				"cpe busybox":   func() ([]trustmark.ComponentRef, error) { return tx.CurrentCPEComponents([]string{"BusyBox:BusyBox"}) },
				"cpe curl":      func() ([]trustmark.ComponentRef, error) { return tx.CurrentCPEComponents([]string{"haxx:curl"}) },
				"cpe none":      func() ([]trustmark.ComponentRef, error) { return tx.CurrentCPEComponents(nil) },
				"cpe of a blob": func() ([]trustmark.ComponentRef, error) { return tx.CurrentCPEComponents([]string{"vendor-blob"}) },
				"cpe and package": func() ([]trustmark.ComponentRef, error) {
					return tx.CurrentCPEComponents([]string{"haxx:curl", "busybox:busybox"})
				},
			}
			for q, fn := range queries {
				list, err := fn()
				if err != nil {
					t.Errorf("%s: %s: %v", when, q, err)
					continue
				}
				w := want[q]
				if w == nil {
					w = []string{}
				}
				if diff := cmp.Diff(w, refs(list, names)); diff != "" {
					t.Errorf("%s: %s (-want +got):\n%s", when, q, diff)
				}
			}
			return nil
		})
	}
	// curl with a Debian PURL has a package key, so its CPE is not looked
	// up; curl with a generic PURL has none, so its CPE is.
	check("first uploads", map[string][]string{
		"openssl":         {"A/a1/openssl@3.0.11-1~deb12u2", "B/b1/openssl@3.0.2-0ubuntu1"},
		"zlib":            {"A/a1/zlib@1:1.2.13.dfsg-1"},
		"openssl or zlib": {"A/a1/openssl@3.0.11-1~deb12u2", "A/a1/zlib@1:1.2.13.dfsg-1", "B/b1/openssl@3.0.2-0ubuntu1"},
		"cpe busybox":     {"A/a1/BusyBox@1.36.1", "B/b1/BusyBox@1.36.1"},
		"cpe curl":        {"B/b1/curl@8.5.0"},
		"cpe and package": {"A/a1/BusyBox@1.36.1", "B/b1/BusyBox@1.36.1", "B/b1/curl@8.5.0"},
	})
	// A's new SBOM drops openssl and BusyBox; a back-filled SBOM of B is
	// not current and adds nothing.
	a2 := createSBOM(t, s, newSBOM(a.ID, "2", t0.Add(time.Hour), compZlib))
	b0 := createSBOM(t, s, newSBOM(b.ID, "0", t0.Add(-time.Hour), compZlib, compOpenSSL))
	names[a2.ID], names[b0.ID] = "a2", "b0"
	check("after A's second upload", map[string][]string{
		"openssl":         {"B/b1/openssl@3.0.2-0ubuntu1"},
		"zlib":            {"A/a2/zlib@1:1.2.13.dfsg-1"},
		"openssl or zlib": {"A/a2/zlib@1:1.2.13.dfsg-1", "B/b1/openssl@3.0.2-0ubuntu1"},
		"cpe busybox":     {"B/b1/BusyBox@1.36.1"},
		"cpe curl":        {"B/b1/curl@8.5.0"},
		"cpe and package": {"B/b1/BusyBox@1.36.1", "B/b1/curl@8.5.0"},
	})
	// The replaced SBOM keeps its components.
	view(t, s, func(tx trustmark.VulnTx) error {
		old, err := tx.SBOM(a1.ID)
		if err != nil || len(old.Components) != 3 {
			t.Errorf("SBOM(replaced) = %+v, %v; want its 3 components", old, err)
		}
		return nil
	})
}

// advisory returns an OSV advisory affecting the given packages.
func advisory(id string, modified time.Time, summary string, keys ...trustmark.PackageKey) *trustmark.Advisory {
	osv := fmt.Sprintf(`{"schema_version":"1.6.0","id":%q,"modified":%q,"summary":%q}`, id, modified.Format(time.RFC3339), summary)
	return &trustmark.Advisory{ID: id, Aliases: []string{"CVE-2026-" + strings.TrimPrefix(id, "GHSA-")}, Summary: summary,
		Severity: trustmark.SeverityHigh, Modified: modified, Packages: keys, OSV: []byte(osv)}
}

func advisoryIDs(list []trustmark.Advisory) []string {
	ids := []string{}
	for _, a := range list {
		ids = append(ids, a.ID)
	}
	return ids
}

func testVulnAdvisories(t *testing.T, s trustmark.Store) {
	lodash := trustmark.PackageKey{Ecosystem: "npm", Name: "lodash"}
	lodashES := trustmark.PackageKey{Ecosystem: "npm", Name: "lodash-es"}
	openssl := trustmark.PackageKey{Ecosystem: "Debian", Name: "openssl"}
	openssl12 := trustmark.PackageKey{Ecosystem: "Debian:12", Name: "openssl"}
	put := func(a *trustmark.Advisory) (changed bool, old []trustmark.PackageKey) {
		t.Helper()
		write(t, s, func(tx trustmark.VulnTx) error {
			var err error
			changed, old, err = tx.PutAdvisory(a)
			return err
		})
		return changed, old
	}
	v1 := advisory("GHSA-0001", t0, "prototype pollution", lodash)
	if changed, old := put(v1); !changed || old != nil {
		t.Errorf("PutAdvisory(new) = %v, %v; want true, nil", changed, old)
	}
	view(t, s, func(tx trustmark.VulnTx) error {
		got, err := tx.Advisory(v1.ID)
		if err != nil {
			t.Fatalf("Advisory() = %v", err)
		}
		if diff := cmp.Diff(v1, got); diff != "" {
			t.Errorf("Advisory() mismatch (-want +got):\n%s", diff)
		}
		return nil
	})
	// The same or an older modification time changes nothing.
	for _, m := range []time.Time{t0, t0.Add(-time.Hour)} {
		if changed, old := put(advisory(v1.ID, m, "stale", lodashES)); changed || old != nil {
			t.Errorf("PutAdvisory(modified %v) = %v, %v; want false, nil", m, changed, old)
		}
	}
	view(t, s, func(tx trustmark.VulnTx) error {
		got, err := tx.Advisory(v1.ID)
		if err != nil || got.Summary != v1.Summary || string(got.OSV) != string(v1.OSV) {
			t.Errorf("Advisory() after stale puts = %+v, %v; want the first version", got, err)
		}
		if list, err := tx.AdvisoriesFor([]trustmark.PackageKey{lodashES}); err != nil || len(list) != 0 {
			t.Errorf("AdvisoriesFor(lodash-es) after a stale put = %v, %v; want none", advisoryIDs(list), err)
		}
		return nil
	})
	// A newer version replaces it and reports the keys it had.
	v2 := advisory(v1.ID, t0.Add(time.Millisecond), "prototype pollution in lodash-es", lodashES)
	withdrawn := t0.Add(2 * time.Hour)
	v2.Withdrawn = &withdrawn
	if changed, old := put(v2); !changed || !cmp.Equal(old, []trustmark.PackageKey{lodash}) {
		t.Errorf("PutAdvisory(newer) = %v, %v; want true, [lodash]", changed, old)
	}
	dsa := advisory("DSA-5678-1", t0, "openssl: several issues", openssl, openssl12, openssl)
	dsa.CPEs = []string{"openssl:openssl"}
	dsa.Severity = trustmark.SeverityCritical
	dsa.Aliases = nil
	put(dsa)
	// A replacement with no packages reports the old ones, then an empty set.
	noPkgs := advisory("GHSA-0002", t0, "cpe only")
	noPkgs.CPEs = []string{"haxx:curl"}
	put(noPkgs)
	later := *noPkgs
	later.Modified = t0.Add(time.Hour)
	if changed, old := put(&later); !changed || old == nil || len(old) != 0 {
		t.Errorf("PutAdvisory(newer, no packages before) = %v, %#v; want true and an empty, non-nil list", changed, old)
	}
	view(t, s, func(tx trustmark.VulnTx) error {
		got, err := tx.Advisory(v1.ID)
		if err != nil {
			t.Fatalf("Advisory() = %v", err)
		}
		if diff := cmp.Diff(v2, got); diff != "" {
			t.Errorf("Advisory() after replacement mismatch (-want +got):\n%s", diff)
		}
		cases := []struct {
			keys []trustmark.PackageKey
			want []string
		}{
			{[]trustmark.PackageKey{lodash}, []string{}},
			{[]trustmark.PackageKey{lodashES}, []string{v1.ID}},
			{[]trustmark.PackageKey{openssl12}, []string{dsa.ID}},
			{[]trustmark.PackageKey{lodashES, openssl, openssl12, lodashES}, []string{dsa.ID, v1.ID}},
			{[]trustmark.PackageKey{{Ecosystem: "npm", Name: "openssl"}}, []string{}},
			{nil, []string{}},
		}
		for _, c := range cases {
			list, err := tx.AdvisoriesFor(c.keys)
			if err != nil || !cmp.Equal(c.want, advisoryIDs(list)) {
				t.Errorf("AdvisoriesFor(%v) = %v, %v; want %v", c.keys, advisoryIDs(list), err, c.want)
			}
		}
		list, err := tx.AdvisoriesFor([]trustmark.PackageKey{openssl})
		if err != nil || len(list) != 1 || string(list[0].OSV) != string(dsa.OSV) || list[0].Severity != trustmark.SeverityCritical {
			t.Errorf("AdvisoriesFor(openssl) = %+v, %v; want the DSA with its OSV document", list, err)
		}
		for _, c := range []struct {
			vps  []string
			want []string
		}{
			{[]string{"openssl:openssl"}, []string{dsa.ID}},
			{[]string{"OpenSSL:OpenSSL", "haxx:curl"}, []string{dsa.ID, noPkgs.ID}},
			{[]string{"openssl"}, []string{}},
			{nil, []string{}},
		} {
			list, err := tx.AdvisoriesForCPE(c.vps)
			if err != nil || !cmp.Equal(c.want, advisoryIDs(list)) {
				t.Errorf("AdvisoriesForCPE(%v) = %v, %v; want %v", c.vps, advisoryIDs(list), err, c.want)
			}
		}
		if n, err := tx.AdvisoryCount(); err != nil || n != 3 {
			t.Errorf("AdvisoryCount() = %d, %v; want 3", n, err)
		}
		_, err = tx.Advisory("GHSA-missing")
		wantKind(t, "Advisory(missing)", err, trustmark.KindNotFound)
		return nil
	})
	for _, c := range []struct {
		name   string
		change func(a *trustmark.Advisory)
	}{
		{"no ID", func(a *trustmark.Advisory) { a.ID = "" }},
		{"ID with a space", func(a *trustmark.Advisory) { a.ID = "GHSA 1" }},
		{"bad severity", func(a *trustmark.Advisory) { a.Severity = "severe" }},
		{"no modified time", func(a *trustmark.Advisory) { a.Modified = time.Time{} }},
		{"OSV not JSON", func(a *trustmark.Advisory) { a.OSV = []byte("{") }},
		{"package without ecosystem", func(a *trustmark.Advisory) { a.Packages = []trustmark.PackageKey{{Name: "x"}} }},
		{"CPE not vendor:product", func(a *trustmark.Advisory) { a.CPEs = []string{"openssl"} }},
	} {
		a := advisory("GHSA-bad", t0, "bad", lodash)
		c.change(a)
		err := s.Transact(context.Background(), func(tx trustmark.Tx) error {
			_, _, err := tx.PutAdvisory(a)
			return err
		})
		wantKind(t, c.name, err, trustmark.KindInvalid)
	}
	view(t, s, func(tx trustmark.VulnTx) error {
		if n, err := tx.AdvisoryCount(); err != nil || n != 3 {
			t.Errorf("AdvisoryCount() after refused puts = %d, %v; want 3", n, err)
		}
		return nil
	})
}

// Many advisories in one transaction (as an import writes them), then the
// same again, which changes nothing. The time is logged for comparison
// across stores; the benchmark in each store's tests measures the full
// 200,000.
func testVulnAdvisoryBulk(t *testing.T, s trustmark.Store) {
	const n = 2000
	start := time.Now()
	changed := 0
	putAll := func() {
		changed = 0
		write(t, s, func(tx trustmark.VulnTx) error {
			for i := range n {
				a := advisory(fmt.Sprintf("GHSA-%04d", i), t0, "bulk", trustmark.PackageKey{Ecosystem: "npm", Name: fmt.Sprintf("pkg-%d", i%500)})
				c, _, err := tx.PutAdvisory(a)
				if err != nil {
					return err
				}
				if c {
					changed++
				}
			}
			return nil
		})
	}
	putAll()
	t.Logf("%d new advisories in one transaction: %v", n, time.Since(start))
	if changed != n {
		t.Errorf("first import changed %d, want %d", changed, n)
	}
	start = time.Now()
	putAll()
	t.Logf("%d unchanged advisories in one transaction: %v", n, time.Since(start))
	if changed != 0 {
		t.Errorf("second import changed %d, want 0", changed)
	}
	view(t, s, func(tx trustmark.VulnTx) error {
		if c, err := tx.AdvisoryCount(); err != nil || c != n {
			t.Errorf("AdvisoryCount() = %d, %v; want %d", c, err, n)
		}
		list, err := tx.AdvisoriesFor([]trustmark.PackageKey{{Ecosystem: "npm", Name: "pkg-7"}})
		if err != nil || len(list) != n/500 {
			t.Errorf("AdvisoriesFor(pkg-7) = %d, %v; want %d", len(list), err, n/500)
		}
		return nil
	})
}

// PutAdvisories applies a batch in order, as PutAdvisory one by one
// would, and writes nothing when any advisory is invalid.
func testVulnPutAdvisories(t *testing.T, s trustmark.Store) {
	k1 := trustmark.PackageKey{Ecosystem: "PyPI", Name: "requests"}
	k2 := trustmark.PackageKey{Ecosystem: "PyPI", Name: "urllib3"}
	k3 := trustmark.PackageKey{Ecosystem: "Go", Name: "golang.org/x/net"}
	write(t, s, func(tx trustmark.VulnTx) error {
		_, _, err := tx.PutAdvisory(advisory("PYSEC-1", t0, "stored", k1))
		return err
	})
	batch := []*trustmark.Advisory{
		advisory("PYSEC-1", t0.Add(-time.Hour), "older", k3),
		advisory("PYSEC-2", t0, "new", k2),
		advisory("PYSEC-1", t0.Add(time.Hour), "newer", k2),
		advisory("PYSEC-2", t0.Add(time.Hour), "newer again", k3),
		advisory("PYSEC-2", t0.Add(time.Hour), "same time", k1),
	}
	var got []trustmark.AdvisoryChange
	write(t, s, func(tx trustmark.VulnTx) error {
		var err error
		got, err = tx.PutAdvisories(batch)
		return err
	})
	want := []trustmark.AdvisoryChange{
		{Changed: false},
		{Changed: true},
		{Changed: true, OldKeys: []trustmark.PackageKey{k1}},
		{Changed: true, OldKeys: []trustmark.PackageKey{k2}},
		{Changed: false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PutAdvisories() (-want +got):\n%s", diff)
	}

	view(t, s, func(tx trustmark.VulnTx) error {
		for _, c := range []struct {
			key  trustmark.PackageKey
			want []string
		}{{k1, []string{}}, {k2, []string{"PYSEC-1"}}, {k3, []string{"PYSEC-2"}}} {
			list, err := tx.AdvisoriesFor([]trustmark.PackageKey{c.key})
			if err != nil || !cmp.Equal(c.want, advisoryIDs(list)) {
				t.Errorf("AdvisoriesFor(%v) = %v, %v; want %v", c.key, advisoryIDs(list), err, c.want)
			}
		}
		a, err := tx.Advisory("PYSEC-2")
		if err != nil || a.Summary != "newer again" {
			t.Errorf("Advisory(PYSEC-2) = %+v, %v; want the version summarized %q", a, err, "newer again")
		}
		return nil
	})
	// One invalid advisory refuses the batch before anything is written.
	bad := []*trustmark.Advisory{advisory("PYSEC-3", t0, "fine", k1), advisory("PYSEC-4", t0, "bad", k1), nil}
	bad[1].Severity = "dire"
	err := s.Transact(context.Background(), func(tx trustmark.Tx) error {
		_, err := tx.PutAdvisories(bad)
		if err == nil {
			return nil
		}
		// The transaction is still usable.
		if _, err2 := tx.AdvisoryCount(); err2 != nil {
			t.Errorf("AdvisoryCount() after a refused batch = %v", err2)
		}
		return err
	})
	wantKind(t, "batch with an invalid advisory", err, trustmark.KindInvalid)
	if msg := trustmark.PublicMessage(err); !strings.Contains(msg, "advisory 2 of 3 (PYSEC-4)") {
		t.Errorf("PutAdvisories(bad) message %q does not name advisory 2 of 3 (PYSEC-4)", msg)
	}
	err = s.Transact(context.Background(), func(tx trustmark.Tx) error {
		_, err := tx.PutAdvisories([]*trustmark.Advisory{nil})
		return err
	})
	wantKind(t, "batch with a missing advisory", err, trustmark.KindInvalid)
	view(t, s, func(tx trustmark.VulnTx) error {
		if n, err := tx.AdvisoryCount(); err != nil || n != 2 {
			t.Errorf("AdvisoryCount() after refused batches = %d, %v; want 2", n, err)
		}
		if ch, err := tx.PutAdvisories(nil); err != nil || len(ch) != 0 {
			t.Errorf("PutAdvisories(nil) = %v, %v; want nothing", ch, err)
		}
		return nil
	})
	// A newer version that drops a CPE reports the CPEs it replaced.
	withCPE := advisory("CVE-2026-7", t0, "kernel", k1)
	withCPE.CPEs = []string{"linux:linux_kernel"}
	withoutCPE := advisory("CVE-2026-7", t0.Add(time.Hour), "kernel, fixed record", k1)
	var cpeChanges []trustmark.AdvisoryChange
	write(t, s, func(tx trustmark.VulnTx) error {
		var err error
		cpeChanges, err = tx.PutAdvisories([]*trustmark.Advisory{withCPE, withoutCPE})
		return err
	})
	wantCPE := []trustmark.AdvisoryChange{{Changed: true},
		{Changed: true, OldKeys: []trustmark.PackageKey{k1}, OldCPEs: []string{"linux:linux_kernel"}}}
	if diff := cmp.Diff(wantCPE, cpeChanges); diff != "" {
		t.Errorf("PutAdvisories() of a record dropping its CPE (-want +got):\n%s", diff)
	}
	write(t, s, func(tx trustmark.VulnTx) error {
		withCPE.Modified = t0.Add(2 * time.Hour)
		_, err := tx.PutAdvisories([]*trustmark.Advisory{withCPE})
		return err
	})
	write(t, s, func(tx trustmark.VulnTx) error {
		withoutCPE.Modified = t0.Add(3 * time.Hour)
		c, err := tx.PutAdvisories([]*trustmark.Advisory{withoutCPE})
		if err == nil && (len(c) != 1 || !cmp.Equal(c[0].OldCPEs, []string{"linux:linux_kernel"})) {
			t.Errorf("PutAdvisories() over a stored record with a CPE = %+v, want OldCPEs [linux:linux_kernel]", c)
		}
		return err
	})
}

func testVulnVEX(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "vex")
	p := newProduct(t, s, f, "Lock")
	late := &trustmark.VEXStatement{ProductID: p.ID, VulnID: "CVE-2026-0001", Status: trustmark.VEXFixed, Source: "openvex",
		Statement: "Fixed in firmware 2.1.", Author: "user_ana", At: t0.Add(2 * time.Hour)}
	early := &trustmark.VEXStatement{ProductID: p.ID, VulnID: "GHSA-0001", ComponentPURL: "pkg:npm/lodash@4.17.20", Status: trustmark.VEXNotAffected,
		Justification: "vulnerable_code_not_in_execute_path", Source: "cyclonedx", Author: "user_ana", At: t0.Add(time.Hour)}
	tie := &trustmark.VEXStatement{ProductID: p.ID, VulnID: "CVE-2026-0002", Status: trustmark.VEXUnderInvestigation, Source: "csaf",
		Author: "user_bo", At: t0.Add(time.Hour)}
	write(t, s, func(tx trustmark.VulnTx) error {
		for _, v := range []*trustmark.VEXStatement{late, early, tie} {
			if err := tx.CreateVEX(v); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx trustmark.VulnTx) error {
		list, err := tx.VEXStatements(p.ID)
		if err != nil {
			t.Fatalf("VEXStatements() = %v", err)
		}
		if diff := cmp.Diff([]trustmark.VEXStatement{*early, *tie, *late}, list); diff != "" {
			t.Errorf("VEXStatements(), oldest first (-want +got):\n%s", diff)
		}
		if list, err := tx.VEXStatements("prd_other"); err != nil || len(list) != 0 {
			t.Errorf("VEXStatements(other) = %v, %v; want none", list, err)
		}
		return nil
	})
	for _, c := range []struct {
		name   string
		change func(v *trustmark.VEXStatement)
		kind   trustmark.ErrorKind
	}{
		{"unknown product", func(v *trustmark.VEXStatement) { v.ProductID = "prd_missing" }, trustmark.KindNotFound},
		{"not_affected without justification", func(v *trustmark.VEXStatement) { v.Justification = "" }, trustmark.KindInvalid},
		{"bad status", func(v *trustmark.VEXStatement) { v.Status = "maybe" }, trustmark.KindInvalid},
		{"bad source", func(v *trustmark.VEXStatement) { v.Source = "email" }, trustmark.KindInvalid},
		{"no author", func(v *trustmark.VEXStatement) { v.Author = "" }, trustmark.KindInvalid},
		{"no vulnerability", func(v *trustmark.VEXStatement) { v.VulnID = "" }, trustmark.KindInvalid},
	} {
		v := *early
		v.ID = ""
		c.change(&v)
		err := s.Transact(context.Background(), func(tx trustmark.Tx) error { return tx.CreateVEX(&v) })
		wantKind(t, c.name, err, c.kind)
	}
}

func testVulnAlerts(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "alert")
	g := f.Grant(t, s, "Camera", t0)
	other := newProduct(t, s, f, "Other")
	sb := createSBOM(t, s, newSBOM(g.ProductID, "1.0", t0, compOpenSSL, compLodash, compBlob))
	otherSBOM := createSBOM(t, s, newSBOM(other.ID, "1.0", t0, compOpenSSL))
	adv := advisory("GHSA-0100", t0, "openssl issue", trustmark.PackageKey{Ecosystem: "Debian", Name: "openssl"})
	write(t, s, func(tx trustmark.VulnTx) error {
		_, _, err := tx.PutAdvisory(adv)
		return err
	})
	newAlert := func(c trustmark.SoftwareComponent, at time.Time) *trustmark.Alert {
		return &trustmark.Alert{ProductID: g.ProductID, SBOMID: sb.ID, LabelID: g.LabelID, ManufacturerID: f.Manufacturer.ID, CLAID: f.CLA.ID,
			AdvisoryID: adv.ID, Aliases: adv.Aliases, Summary: adv.Summary, Severity: adv.Severity, Component: c, FixedVersion: "3.0.13-1",
			Confidence: trustmark.ConfidencePURL, SupportRunning: true, State: trustmark.AlertOpen, OpenedAt: at, UpdatedAt: at}
	}
	first := newAlert(compOpenSSL, t0)
	second := newAlert(compLodash, t0.Add(time.Hour))
	write(t, s, func(tx trustmark.VulnTx) error {
		if err := tx.PutAlert(first); err != nil {
			return err
		}
		if err := tx.PutAlert(second); err != nil {
			return err
		}
		// The same component (by PURL) of the same SBOM and advisory conflicts,
		// and the transaction stays usable.
		dup := newAlert(compOpenSSL, t0.Add(time.Minute))
		dup.Component.Ref = "another-ref"
		wantKind(t, "duplicate alert", tx.PutAlert(dup), trustmark.KindConflict)
		if dup.ID != "" {
			t.Errorf("refused PutAlert left ID %q", dup.ID)
		}
		_, err := tx.Alert(first.ID)
		return err
	})
	if !strings.HasPrefix(first.ID, "alr_") || first.ID == second.ID {
		t.Errorf("PutAlert() IDs %q and %q; want two distinct alr_ IDs", first.ID, second.ID)
	}
	view(t, s, func(tx trustmark.VulnTx) error {
		got, err := tx.Alert(first.ID)
		if err != nil {
			t.Fatalf("Alert() = %v", err)
		}
		if diff := cmp.Diff(first, got); diff != "" {
			t.Errorf("Alert() mismatch (-want +got):\n%s", diff)
		}
		return nil
	})
	// A change is stored in place.
	first.State, first.StateReason, first.UpdatedAt = trustmark.AlertSuppressed, "VEX not_affected by user_ana", t0.Add(2*time.Hour)
	write(t, s, func(tx trustmark.VulnTx) error { return tx.PutAlert(first) })
	// An alert of the other product, to be filtered out.
	third := newAlert(compOpenSSL, t0.Add(3*time.Hour))
	third.ProductID, third.SBOMID, third.LabelID, third.CLAID = other.ID, otherSBOM.ID, "", ""
	write(t, s, func(tx trustmark.VulnTx) error { return tx.PutAlert(third) })
	view(t, s, func(tx trustmark.VulnTx) error {
		got, err := tx.Alert(first.ID)
		if err != nil || got.State != trustmark.AlertSuppressed || got.StateReason != first.StateReason || !got.UpdatedAt.Equal(first.UpdatedAt) || !got.OpenedAt.Equal(t0) {
			t.Errorf("Alert() after update = %+v, %v; want suppressed, opened at %v", got, err, t0)
		}
		list, err := tx.AlertsFor(sb.ID)
		if err != nil || !cmp.Equal([]string{first.ID, second.ID}, alertIDs(list)) {
			t.Errorf("AlertsFor() = %v, %v; want [%s %s]", alertIDs(list), err, first.ID, second.ID)
		}
		cases := []struct {
			f    trustmark.AlertFilter
			want []string
		}{
			{trustmark.AlertFilter{}, []string{third.ID, second.ID, first.ID}},
			{trustmark.AlertFilter{ManufacturerID: f.Manufacturer.ID}, []string{third.ID, second.ID, first.ID}},
			{trustmark.AlertFilter{CLAID: f.CLA.ID}, []string{second.ID, first.ID}},
			{trustmark.AlertFilter{ProductID: other.ID}, []string{third.ID}},
			{trustmark.AlertFilter{State: trustmark.AlertSuppressed}, []string{first.ID}},
			{trustmark.AlertFilter{CLAID: f.CLA.ID, State: trustmark.AlertOpen}, []string{second.ID}},
			{trustmark.AlertFilter{ManufacturerID: "org_other"}, []string{}},
		}
		for _, c := range cases {
			list, err := tx.Alerts(c.f)
			if err != nil || !cmp.Equal(c.want, alertIDs(list)) {
				t.Errorf("Alerts(%+v) = %v, %v; want %v", c.f, alertIDs(list), err, c.want)
			}
		}
		return nil
	})
	for _, c := range []struct {
		name   string
		change func(a *trustmark.Alert)
		kind   trustmark.ErrorKind
	}{
		{"unknown SBOM", func(a *trustmark.Alert) { a.SBOMID = "sbm_missing" }, trustmark.KindNotFound},
		{"unknown advisory", func(a *trustmark.Alert) { a.AdvisoryID = "GHSA-missing" }, trustmark.KindNotFound},
		{"SBOM of another product", func(a *trustmark.Alert) { a.SBOMID = otherSBOM.ID }, trustmark.KindInvalid},
		{"bad state", func(a *trustmark.Alert) { a.State = "closed" }, trustmark.KindInvalid},
		{"bad confidence", func(a *trustmark.Alert) { a.Confidence = "guess" }, trustmark.KindInvalid},
		{"no component name", func(a *trustmark.Alert) { a.Component = trustmark.SoftwareComponent{} }, trustmark.KindInvalid},
		{"unknown alert ID", func(a *trustmark.Alert) { a.ID = "alr_missing" }, trustmark.KindNotFound},
		{"update onto another alert's component", func(a *trustmark.Alert) { a.ID = second.ID }, trustmark.KindConflict},
	} {
		a := newAlert(compOpenSSL, t0.Add(4*time.Hour))
		c.change(a)
		err := s.Transact(context.Background(), func(tx trustmark.Tx) error { return tx.PutAlert(a) })
		wantKind(t, c.name, err, c.kind)
	}
	view(t, s, func(tx trustmark.VulnTx) error {
		if list, _ := tx.Alerts(trustmark.AlertFilter{}); len(list) != 3 {
			t.Errorf("Alerts() after refused puts = %d, want 3", len(list))
		}
		if got, _ := tx.Alert(second.ID); got == nil || got.Component.Name != "lodash" {
			t.Errorf("Alert(%s) after a refused update = %+v; want it unchanged", second.ID, got)
		}
		_, err := tx.Alert("alr_missing")
		wantKind(t, "Alert(missing)", err, trustmark.KindNotFound)
		return nil
	})
	// Components without a PURL are told apart by name and version.
	write(t, s, func(tx trustmark.VulnTx) error {
		a := newAlert(compBlob, t0.Add(5*time.Hour))
		if err := tx.PutAlert(a); err != nil {
			return err
		}
		b := newAlert(trustmark.SoftwareComponent{Name: compBlob.Name, Version: "2"}, t0.Add(5*time.Hour))
		return tx.PutAlert(b)
	})
}

func alertIDs(list []trustmark.Alert) []string {
	ids := []string{}
	for _, a := range list {
		ids = append(ids, a.ID)
	}
	return ids
}

func testVulnWebhooks(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "hook")
	w := &trustmark.Webhook{OrgID: f.Manufacturer.ID, URL: "https://maker.example/hooks/trustmark", Secret: []byte("sealed secret"),
		CreatedAt: t0, CreatedBy: "user_ana"}
	local := &trustmark.Webhook{OrgID: f.Manufacturer.ID, URL: "http://127.0.0.1:8080/hook", Secret: []byte("s2"), CreatedAt: t0.Add(time.Hour)}
	write(t, s, func(tx trustmark.VulnTx) error {
		if err := tx.CreateWebhook(w); err != nil {
			return err
		}
		return tx.CreateWebhook(local)
	})
	view(t, s, func(tx trustmark.VulnTx) error {
		got, err := tx.Webhook(w.ID)
		if err != nil {
			t.Fatalf("Webhook() = %v", err)
		}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("Webhook() mismatch (-want +got):\n%s", diff)
		}
		list, err := tx.Webhooks(f.Manufacturer.ID)
		if err != nil || len(list) != 2 || list[0].ID != w.ID || list[1].ID != local.ID {
			t.Fatalf("Webhooks() = %+v, %v; want both, oldest first", list, err)
		}
		for _, h := range list {
			if h.Secret != nil {
				t.Errorf("Webhooks() returned the secret of %s", h.ID)
			}
		}
		if list, err := tx.Webhooks(f.CLA.ID); err != nil || len(list) != 0 {
			t.Errorf("Webhooks(CLA) = %v, %v; want none", list, err)
		}
		_, err = tx.Webhook("whk_missing")
		wantKind(t, "Webhook(missing)", err, trustmark.KindNotFound)
		return nil
	})
	if b, _ := json.Marshal(w); strings.Contains(string(b), "sealed") || strings.Contains(string(b), "secret") {
		t.Errorf("webhook JSON shows the secret: %s", b)
	}
	for _, c := range []struct {
		name   string
		change func(w *trustmark.Webhook)
		kind   trustmark.ErrorKind
	}{
		{"unknown organization", func(w *trustmark.Webhook) { w.OrgID = "org_missing" }, trustmark.KindNotFound},
		{"plain http", func(w *trustmark.Webhook) { w.URL = "http://maker.example/hook" }, trustmark.KindInvalid},
		{"not a URL", func(w *trustmark.Webhook) { w.URL = "maker.example/hook/trustmark" }, trustmark.KindInvalid},
		{"credentials in URL", func(w *trustmark.Webhook) { w.URL = "https://a:b@maker.example/hook" }, trustmark.KindInvalid},
		{"no secret", func(w *trustmark.Webhook) { w.Secret = nil }, trustmark.KindInvalid},
	} {
		h := *w
		h.ID = ""
		c.change(&h)
		err := s.Transact(context.Background(), func(tx trustmark.Tx) error { return tx.CreateWebhook(&h) })
		wantKind(t, c.name, err, c.kind)
	}
	write(t, s, func(tx trustmark.VulnTx) error { return tx.DeleteWebhook(local.ID) })
	view(t, s, func(tx trustmark.VulnTx) error {
		_, err := tx.Webhook(local.ID)
		wantKind(t, "Webhook(deleted)", err, trustmark.KindNotFound)
		return nil
	})
	err := s.Transact(context.Background(), func(tx trustmark.Tx) error { return tx.DeleteWebhook(local.ID) })
	wantKind(t, "DeleteWebhook(deleted)", err, trustmark.KindNotFound)
}

func testVulnDeliveries(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "delivery")
	w := &trustmark.Webhook{OrgID: f.CLA.ID, URL: "https://cla.example/hooks/alerts", Secret: []byte("k"), CreatedAt: t0}
	gone := &trustmark.Webhook{OrgID: f.CLA.ID, URL: "https://cla.example/hooks/old", Secret: []byte("k"), CreatedAt: t0}
	mk := func(hook *trustmark.Webhook, next time.Duration) *trustmark.Delivery {
		return &trustmark.Delivery{WebhookID: hook.ID, Event: "alert.opened", Payload: []byte(`{"alert":"alr_1"}`), NextTry: t0.Add(next), CreatedAt: t0}
	}
	var d1, d2, d3, dGone *trustmark.Delivery
	write(t, s, func(tx trustmark.VulnTx) error {
		for _, h := range []*trustmark.Webhook{w, gone} {
			if err := tx.CreateWebhook(h); err != nil {
				return err
			}
		}
		d1, d2, d3, dGone = mk(w, 2*time.Minute), mk(w, time.Minute), mk(w, 10*time.Minute), mk(gone, 0)
		for _, d := range []*trustmark.Delivery{d1, d2, d3, dGone} {
			if err := tx.EnqueueDelivery(d); err != nil {
				return err
			}
		}
		return nil
	})
	if d1.ID == 0 || d1.ID == d2.ID {
		t.Errorf("EnqueueDelivery() IDs %d, %d; want distinct IDs", d1.ID, d2.ID)
	}
	due := func(at time.Duration, limit int) []int64 {
		t.Helper()
		var ids []int64
		view(t, s, func(tx trustmark.VulnTx) error {
			list, err := tx.DueDeliveries(t0.Add(at), limit)
			if err != nil {
				return err
			}
			ids = []int64{}
			for _, d := range list {
				ids = append(ids, d.ID)
			}
			return nil
		})
		return ids
	}
	if got := due(5*time.Minute, 10); !slices.Equal(got, []int64{dGone.ID, d2.ID, d1.ID}) {
		t.Errorf("DueDeliveries(+5m) = %v; want [%d %d %d], by next try", got, dGone.ID, d2.ID, d1.ID)
	}
	// Deleting a webhook drops its queued deliveries.
	write(t, s, func(tx trustmark.VulnTx) error { return tx.DeleteWebhook(gone.ID) })
	if got := due(5*time.Minute, 1); !slices.Equal(got, []int64{d2.ID}) {
		t.Errorf("DueDeliveries(+5m, limit 1) = %v; want [%d]", got, d2.ID)
	}
	sent := t0.Add(3 * time.Minute)
	d2.Attempts, d2.SentAt = 1, &sent
	d1.Attempts, d1.LastError, d1.NextTry = 1, "HTTP 503", t0.Add(20*time.Minute)
	write(t, s, func(tx trustmark.VulnTx) error {
		if err := tx.UpdateDelivery(d2); err != nil {
			return err
		}
		return tx.UpdateDelivery(d1)
	})
	if got := due(5*time.Minute, 10); len(got) != 0 {
		t.Errorf("DueDeliveries(+5m) after updates = %v; want none", got)
	}
	view(t, s, func(tx trustmark.VulnTx) error {
		list, err := tx.DueDeliveries(t0.Add(30*time.Minute), 10)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]trustmark.Delivery{*d3, *d1}, list); diff != "" {
			t.Errorf("DueDeliveries(+30m) (-want +got):\n%s", diff)
		}
		return nil
	})
	for _, c := range []struct {
		name   string
		change func(d *trustmark.Delivery)
		kind   trustmark.ErrorKind
	}{
		{"unknown webhook", func(d *trustmark.Delivery) { d.WebhookID = "whk_missing" }, trustmark.KindNotFound},
		{"payload not JSON", func(d *trustmark.Delivery) { d.Payload = []byte("alert") }, trustmark.KindInvalid},
		{"no event", func(d *trustmark.Delivery) { d.Event = "" }, trustmark.KindInvalid},
	} {
		d := mk(w, 0)
		c.change(d)
		err := s.Transact(context.Background(), func(tx trustmark.Tx) error { return tx.EnqueueDelivery(d) })
		wantKind(t, c.name, err, c.kind)
	}
	missing := mk(w, 0)
	missing.ID = 999999
	err := s.Transact(context.Background(), func(tx trustmark.Tx) error { return tx.UpdateDelivery(missing) })
	wantKind(t, "UpdateDelivery(missing)", err, trustmark.KindNotFound)
}

// A transaction that fails after writing SBOMs, advisories, VEX, alerts
// and webhooks leaves none of them.
func testVulnRollback(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "rollback")
	p := newProduct(t, s, f, "Plug")
	boom := errors.New("boom")
	var sb *trustmark.SBOM
	err := s.Transact(context.Background(), func(tx trustmark.Tx) error {
		sb = newSBOM(p.ID, "1", t0, compOpenSSL, compBusy)
		if err := tx.CreateSBOM(sb); err != nil {
			return err
		}
		adv := advisory("GHSA-0200", t0, "x", trustmark.PackageKey{Ecosystem: "Debian", Name: "openssl"})
		if _, _, err := tx.PutAdvisory(adv); err != nil {
			return err
		}
		if err := tx.PutAlert(&trustmark.Alert{ProductID: p.ID, SBOMID: sb.ID, ManufacturerID: f.Manufacturer.ID, AdvisoryID: adv.ID,
			Severity: adv.Severity, Component: compOpenSSL, Confidence: trustmark.ConfidencePURL, State: trustmark.AlertOpen, OpenedAt: t0}); err != nil {
			return err
		}
		if err := tx.CreateVEX(&trustmark.VEXStatement{ProductID: p.ID, VulnID: adv.ID, Status: trustmark.VEXFixed, Source: "openvex", Author: "a", At: t0}); err != nil {
			return err
		}
		if err := tx.CreateWebhook(&trustmark.Webhook{OrgID: f.Manufacturer.ID, URL: "https://maker.example/hook", Secret: []byte("k")}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Transact() = %v, want the callback's error", err)
	}
	view(t, s, func(tx trustmark.VulnTx) error {
		if list, err := tx.SBOMs(p.ID); err != nil || len(list) != 0 {
			t.Errorf("SBOMs() after rollback = %d, %v; want none", len(list), err)
		}
		_, err := tx.SBOM(sb.ID)
		wantKind(t, "SBOM() after rollback", err, trustmark.KindNotFound)
		_, err = tx.SBOMDocument(sb.ID)
		wantKind(t, "SBOMDocument() after rollback", err, trustmark.KindNotFound)
		_, err = tx.CurrentSBOM(p.ID)
		wantKind(t, "CurrentSBOM() after rollback", err, trustmark.KindNotFound)
		if list, err := tx.CurrentComponents([]trustmark.PackageKey{{Ecosystem: "Debian", Name: "openssl"}}); err != nil || len(list) != 0 {
			t.Errorf("CurrentComponents() after rollback = %v, %v; want none", list, err)
		}
		if list, err := tx.CurrentCPEComponents([]string{"busybox:busybox"}); err != nil || len(list) != 0 {
			t.Errorf("CurrentCPEComponents() after rollback = %v, %v; want none", list, err)
		}
		if n, err := tx.AdvisoryCount(); err != nil || n != 0 {
			t.Errorf("AdvisoryCount() after rollback = %d, %v; want 0", n, err)
		}
		if list, err := tx.Alerts(trustmark.AlertFilter{}); err != nil || len(list) != 0 {
			t.Errorf("Alerts() after rollback = %d, %v; want none", len(list), err)
		}
		if list, err := tx.VEXStatements(p.ID); err != nil || len(list) != 0 {
			t.Errorf("VEXStatements() after rollback = %d, %v; want none", len(list), err)
		}
		if list, err := tx.Webhooks(f.Manufacturer.ID); err != nil || len(list) != 0 {
			t.Errorf("Webhooks() after rollback = %d, %v; want none", len(list), err)
		}
		return nil
	})
	// The same upload then succeeds and becomes current.
	createSBOM(t, s, newSBOM(p.ID, "1", t0, compOpenSSL))
	view(t, s, func(tx trustmark.VulnTx) error {
		if _, err := tx.CurrentSBOM(p.ID); err != nil {
			t.Errorf("CurrentSBOM() = %v", err)
		}
		return nil
	})
}

func testVulnViewReadOnly(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "viewro")
	p := newProduct(t, s, f, "Sensor")
	writes := map[string]func(v trustmark.VulnTx) error{
		"CreateSBOM": func(v trustmark.VulnTx) error { return v.CreateSBOM(newSBOM(p.ID, "1", t0, compZlib)) },
		"PutAdvisory": func(v trustmark.VulnTx) error {
			_, _, err := v.PutAdvisory(advisory("GHSA-0300", t0, "x"))
			return err
		},
		"CreateWebhook": func(v trustmark.VulnTx) error {
			return v.CreateWebhook(&trustmark.Webhook{OrgID: f.Manufacturer.ID, URL: "https://maker.example/hook", Secret: []byte("k")})
		},
	}
	for name, fn := range writes {
		err := s.View(context.Background(), func(tx trustmark.Tx) error { return fn(tx) })
		if err == nil {
			t.Errorf("%s inside View succeeded", name)
		}
	}
	view(t, s, func(tx trustmark.VulnTx) error {
		if list, _ := tx.SBOMs(p.ID); len(list) != 0 {
			t.Errorf("View wrote an SBOM")
		}
		if n, _ := tx.AdvisoryCount(); n != 0 {
			t.Errorf("View wrote an advisory")
		}
		if list, _ := tx.Webhooks(f.Manufacturer.ID); len(list) != 0 {
			t.Errorf("View wrote a webhook")
		}
		return nil
	})
}

// Benchmarks shared by the stores. Run them with, e.g.,
//
//	go test ./internal/sqlite -run '^$' -bench Vuln -benchtime 1x
//
// Each iteration works on what the one before left, so one iteration
// (-benchtime 1x) gives the figures of a fresh store.

// benchEcosystems are the ecosystems generated advisories and components use.
var benchEcosystems = []string{"npm", "PyPI", "Go", "Maven", "crates.io", "Debian:12", "Alpine:v3.19"}

// benchPackages is how many distinct package names each ecosystem has.
const benchPackages = 20000

// benchKey returns the i-th package key of the generated universe.
func benchKey(i int) trustmark.PackageKey {
	return trustmark.PackageKey{Ecosystem: benchEcosystems[i%len(benchEcosystems)], Name: fmt.Sprintf("pkg-%d", (i/len(benchEcosystems))%benchPackages)}
}

// benchAdvisory returns a generated advisory of about 1 KB of OSV JSON,
// with one affected package (two for every tenth, a CPE for every
// twentieth).
func benchAdvisory(prefix string, i int, modified time.Time) *trustmark.Advisory {
	id := fmt.Sprintf("%s-%07d", prefix, i)
	keys := []trustmark.PackageKey{benchKey(i * 7919)}
	if i%10 == 0 {
		keys = append(keys, benchKey(i*7919+1))
	}
	var affected []string
	for _, k := range keys {
		affected = append(affected, fmt.Sprintf(`{"package":{"ecosystem":%q,"name":%q},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"%d.%d.%d"}]}]}`,
			k.Ecosystem, k.Name, i%7, i%13, i%29))
	}
	osv := fmt.Sprintf(`{"schema_version":"1.6.0","id":%q,"modified":%q,"published":"2025-01-01T00:00:00Z","aliases":["CVE-2025-%d"],`+
		`"summary":"Generated advisory %d","details":%q,"affected":[%s],"references":[{"type":"ADVISORY","url":"https://osv.example/%s"}],`+
		`"database_specific":{"severity":"HIGH"}}`,
		id, modified.Format(time.RFC3339Nano), i, i, strings.Repeat("A flaw in input handling allows a remote attacker to cause harm. ", 8),
		strings.Join(affected, ","), id)
	a := &trustmark.Advisory{ID: id, Aliases: []string{fmt.Sprintf("CVE-2025-%d", i)}, Summary: fmt.Sprintf("Generated advisory %d", i),
		Severity: trustmark.SeverityHigh, Modified: modified, Packages: keys, OSV: []byte(osv)}
	if i%20 == 0 {
		a.CPEs = []string{fmt.Sprintf("vendor%d:product%d", i%500, i%700)}
	}
	return a
}

// putBench puts advisories from..to (exclusive) in transactions of 10,000,
// with PutAdvisories calls of 1,000 (or PutAdvisory calls when one is
// set), and returns how many changed and how many old keys were returned.
func putBench(b *testing.B, s trustmark.Store, prefix string, from, to int, modified time.Time, one bool) (changed, oldKeys int) {
	b.Helper()
	const perTx, perCall = 10000, 1000
	for start := from; start < to; start += perTx {
		err := s.Transact(context.Background(), func(tx trustmark.Tx) error {
			end := min(start+perTx, to)
			for call := start; call < end; call += perCall {
				var as []*trustmark.Advisory
				for i := call; i < min(call+perCall, end); i++ {
					as = append(as, benchAdvisory(prefix, i, modified))
				}
				var changes []trustmark.AdvisoryChange
				if one {
					for _, a := range as {
						c, old, err := tx.PutAdvisory(a)
						if err != nil {
							return err
						}
						changes = append(changes, trustmark.AdvisoryChange{Changed: c, OldKeys: old})
					}
				} else {
					var err error
					if changes, err = tx.PutAdvisories(as); err != nil {
						return err
					}
				}
				for _, c := range changes {
					if c.Changed {
						changed++
					}
					oldKeys += len(c.OldKeys)
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("PutAdvisories: %v", err)
		}
	}
	return changed, oldKeys
}

// BenchmarkAdvisoryImport imports n generated advisories into s in
// transactions of 10,000, as "vulns import" would: with PutAdvisories,
// then the same n again (all unchanged), then 1,000 of them in a newer
// version; and n/10 more one PutAdvisory call at a time.
func BenchmarkAdvisoryImport(b *testing.B, s trustmark.Store, n int) {
	rate := func(b *testing.B, n int) {
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "advisories/s")
		b.ReportMetric(0, "ns/op")
	}
	b.Run(fmt.Sprintf("new-%d", n), func(b *testing.B) {
		for i := range b.N {
			if changed, _ := putBench(b, s, fmt.Sprintf("GEN%d", i), 0, n, t0, false); changed != n {
				b.Fatalf("%d advisories changed, want %d", changed, n)
			}
		}
		rate(b, n)
	})
	b.Run(fmt.Sprintf("unchanged-%d", n), func(b *testing.B) {
		for range b.N {
			if changed, _ := putBench(b, s, "GEN0", 0, n, t0, false); changed != 0 {
				b.Fatalf("%d advisories changed, want 0", changed)
			}
		}
		rate(b, n)
	})
	b.Run("newer-1000", func(b *testing.B) {
		for i := range b.N {
			changed, old := putBench(b, s, "GEN0", 0, 1000, t0.Add(time.Duration(i+1)*time.Hour), false)
			if changed != 1000 || old < 1000 {
				b.Fatalf("%d advisories changed with %d old keys, want 1000 and at least 1000", changed, old)
			}
		}
		rate(b, 1000)
	})
	b.Run(fmt.Sprintf("one-at-a-time-new-%d", n/10), func(b *testing.B) {
		for i := range b.N {
			if changed, _ := putBench(b, s, fmt.Sprintf("ONE%d", i), 0, n/10, t0, true); changed != n/10 {
				b.Fatalf("%d advisories changed, want %d", changed, n/10)
			}
		}
		rate(b, n/10)
	})
	// What matching one SBOM of 4,000 components reads: the advisories
	// of its package keys.
	var keys []trustmark.PackageKey
	for _, c := range benchSBOM("prd_bench", 1, 4000, t0).Components {
		if c.Package != "" {
			keys = append(keys, trustmark.PackageKey{Ecosystem: c.Ecosystem, Name: c.Package})
		}
	}
	b.Run(fmt.Sprintf("advisories-for-%d-keys", len(keys)), func(b *testing.B) {
		var n, count int
		for range b.N {
			err := s.View(context.Background(), func(tx trustmark.Tx) error {
				list, err := tx.AdvisoriesFor(keys)
				n = len(list)
				if err == nil {
					count, err = tx.AdvisoryCount()
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "advisories")
		b.ReportMetric(float64(count), "stored")
	})
}

// benchSBOM returns a generated SBOM of n components, PURL-identified
// with one in fifty CPE-only, drawn from the same package universe as the
// generated advisories.
func benchSBOM(productID string, seed, n int, at time.Time) *trustmark.SBOM {
	cs := make([]trustmark.SoftwareComponent, n)
	for i := range cs {
		k := benchKey(seed*104729 + i*31)
		v := fmt.Sprintf("%d.%d.%d", i%7, i%13, i%29)
		if i%50 == 0 {
			cs[i] = trustmark.SoftwareComponent{Name: k.Name, Version: v, CPE: fmt.Sprintf("cpe:2.3:a:vendor%d:product%d:%s:*:*:*:*:*:*:*", i%500, i%700, v)}
			continue
		}
		cs[i] = trustmark.SoftwareComponent{Ref: fmt.Sprintf("c%d", i), Name: k.Name, Version: v,
			PURL: fmt.Sprintf("pkg:generic/%s@%s", k.Name, v), Ecosystem: k.Ecosystem, Package: k.Name}
	}
	return newSBOM(productID, fmt.Sprintf("1.%d", seed), at, cs...)
}

// BenchmarkCurrentComponents stores products with two SBOMs of
// components each (the second replacing the first), then measures
// CurrentComponents for the keys of 1,000 advisories (the re-match after
// an import of 1,000) and for all keys of one SBOM (the match of a new
// upload), and CurrentCPEComponents for 100 vendor:product pairs.
func BenchmarkCurrentComponents(b *testing.B, s trustmark.Store, products, components int) {
	ctx := context.Background()
	f := &Fixture{Manufacturer: &trustmark.Organization{Kind: trustmark.OrgManufacturer, Name: "Bench Maker", Contact: "security@maker.example"}}
	if err := s.CreateOrganization(ctx, f.Manufacturer); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var last *trustmark.SBOM
	for p := range products {
		pr := &trustmark.Product{ManufacturerID: f.Manufacturer.ID, Name: fmt.Sprintf("P%d", p), ModelNumbers: []string{"M"}, Class: trustmark.ClassRouter,
			Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: "d"}}}
		if err := s.CreateProduct(ctx, pr); err != nil {
			b.Fatal(err)
		}
		for v := range 2 {
			last = benchSBOM(pr.ID, p*2+v, components, t0.Add(time.Duration(v)*time.Hour))
			if err := s.Transact(ctx, func(tx trustmark.Tx) error { return tx.CreateSBOM(last) }); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("%d products × 2 SBOMs × %d components stored in %v (%v per SBOM)", products, components, time.Since(start),
		time.Since(start)/time.Duration(2*products))
	var advKeys []trustmark.PackageKey
	for i := range 1000 {
		advKeys = append(advKeys, benchAdvisory("NEW", i, t0).Packages...)
	}
	var sbomKeys []trustmark.PackageKey
	for _, c := range last.Components {
		if c.Package != "" {
			sbomKeys = append(sbomKeys, trustmark.PackageKey{Ecosystem: c.Ecosystem, Name: c.Package})
		}
	}
	var vps []string
	for i := range 100 {
		vps = append(vps, fmt.Sprintf("vendor%d:product%d", i, i))
	}
	for _, c := range []struct {
		name string
		fn   func(tx trustmark.VulnTx) (int, error)
	}{
		{"advisory-keys-1000", func(tx trustmark.VulnTx) (int, error) {
			l, err := tx.CurrentComponents(advKeys)
			return len(l), err
		}},
		{fmt.Sprintf("sbom-keys-%d", len(sbomKeys)), func(tx trustmark.VulnTx) (int, error) {
			l, err := tx.CurrentComponents(sbomKeys)
			return len(l), err
		}},
		{"cpe-100", func(tx trustmark.VulnTx) (int, error) {
			l, err := tx.CurrentCPEComponents(vps)
			return len(l), err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var n int
			for range b.N {
				err := s.View(ctx, func(tx trustmark.Tx) error {
					var err error
					n, err = c.fn(tx)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "components")
		})
	}
}
