package criteria_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	oscal "github.com/defenseunicorns/go-oscal/src/types/oscal-1-1-3"
	"github.com/google/go-cmp/cmp"

	"trustmark/internal/criteria"
)

// embeddedSet loads the embedded catalogs and mappings or stops the test.
func embeddedSet(t *testing.T) *criteria.Set {
	t.Helper()
	s, err := criteria.Embedded()
	if err != nil {
		t.Fatalf("Embedded() error: %v", err)
	}
	return s
}

// semantic decodes JSON into generic values so that key order and
// whitespace do not matter in comparisons.
func semantic(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	return v
}

func TestCatalogRoundTrip(t *testing.T) {
	s := embeddedSet(t)
	for _, info := range s.Catalogs() {
		t.Run(info.ID, func(t *testing.T) {
			raw, err := s.CatalogJSON(info.ID)
			if err != nil {
				t.Fatalf("CatalogJSON(%q) error: %v", info.ID, err)
			}
			var doc oscal.OscalModels
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatalf("unmarshal into go-oscal types: %v", err)
			}
			again, err := json.Marshal(doc)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if diff := cmp.Diff(semantic(t, raw), semantic(t, again)); diff != "" {
				t.Errorf("round trip through go-oscal types lost data (-embedded +remarshalled):\n%s", diff)
			}
		})
	}
}

func TestCatalogCounts(t *testing.T) {
	tests := []struct {
		id                                  string
		groups, requirements, mandatory     int
		model                               string
		wantUnverifiedAll, wantNoUnverified bool
	}{
		{id: "etsi-en-303-645", groups: 15, requirements: 68, mandatory: 33, model: criteria.ClaimAllMandatory, wantNoUnverified: true},
		{id: "eu-cra-annex-i", groups: 2, requirements: 22, mandatory: 22, model: criteria.ClaimAllMandatory, wantNoUnverified: true},
		{id: "nist-ir-8425", groups: 10, requirements: 32, mandatory: 32, model: criteria.ClaimAllMandatory},
		{id: "nist-ir-8425a", groups: 10, requirements: 10, mandatory: 10, model: criteria.ClaimAllMandatory, wantUnverifiedAll: true},
		{id: "sg-cls", groups: 4, requirements: 5, mandatory: 5, model: criteria.ClaimLevels, wantNoUnverified: true},
		{id: "uk-psti", groups: 1, requirements: 3, mandatory: 3, model: criteria.ClaimAllMandatory, wantNoUnverified: true},
	}
	s := embeddedSet(t)
	infos := s.Catalogs()
	if len(infos) != len(tests) {
		t.Fatalf("Catalogs() returned %d catalogs, want %d", len(infos), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got := infos[i]
			if got.ID != tt.id || got.Groups != tt.groups || got.Requirements != tt.requirements || got.Mandatory != tt.mandatory || got.ClaimModel != tt.model {
				t.Errorf("Catalogs()[%d] = %+v, want id %s, %d groups, %d requirements, %d mandatory, model %s",
					i, got, tt.id, tt.groups, tt.requirements, tt.mandatory, tt.model)
			}
			if tt.wantUnverifiedAll && got.Unverified != got.Requirements {
				t.Errorf("%s: %d of %d unverified, want all", tt.id, got.Unverified, got.Requirements)
			}
			if tt.wantNoUnverified && got.Unverified != 0 {
				t.Errorf("%s: %d unverified requirements, want 0", tt.id, got.Unverified)
			}
			if got.Title == "" || got.ShortTitle == "" || got.Version == "" {
				t.Errorf("%s: missing title, short title or version: %+v", tt.id, got)
			}
		})
	}
}

// TestETSIProvisions checks every provision of EN 303 645 V2.1.1 (clause 4
// provision 4-1 plus the 67 of clauses 5 and 6) and its Table B.1 status.
func TestETSIProvisions(t *testing.T) {
	want := map[string]criteria.Obligation{
		"4-1":   "M",
		"5.1-1": "M C", "5.1-2": "M C", "5.1-3": "M", "5.1-4": "M C", "5.1-5": "M C",
		"5.2-1": "M", "5.2-2": "R", "5.2-3": "R",
		"5.3-1": "R", "5.3-2": "M C", "5.3-3": "M C", "5.3-4": "R C", "5.3-5": "R C", "5.3-6": "R C",
		"5.3-7": "M C", "5.3-8": "M C", "5.3-9": "R C", "5.3-10": "M C", "5.3-11": "R C", "5.3-12": "R C",
		"5.3-13": "M", "5.3-14": "R C", "5.3-15": "R C", "5.3-16": "M",
		"5.4-1": "M", "5.4-2": "M C", "5.4-3": "M", "5.4-4": "M",
		"5.5-1": "M", "5.5-2": "R", "5.5-3": "R", "5.5-4": "R", "5.5-5": "M", "5.5-6": "R", "5.5-7": "M", "5.5-8": "M",
		"5.6-1": "M", "5.6-2": "M", "5.6-3": "R", "5.6-4": "M C", "5.6-5": "R", "5.6-6": "R", "5.6-7": "R", "5.6-8": "R", "5.6-9": "R",
		"5.7-1": "R", "5.7-2": "R",
		"5.8-1": "R", "5.8-2": "M", "5.8-3": "M",
		"5.9-1": "R", "5.9-2": "R", "5.9-3": "R",
		"5.10-1": "R C",
		"5.11-1": "M", "5.11-2": "R", "5.11-3": "R", "5.11-4": "R",
		"5.12-1": "R", "5.12-2": "R", "5.12-3": "R",
		"5.13-1": "M",
		"6-1":    "M", "6-2": "M C", "6-3": "M", "6-4": "R C", "6-5": "M C",
	}
	if len(want) != 68 {
		t.Fatalf("test table has %d provisions, want 68", len(want))
	}
	s := embeddedSet(t)
	c, err := s.Catalog("etsi-en-303-645")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]criteria.Obligation{}
	for _, r := range c.Requirements {
		got[r.ID] = r.Obligation
		if r.Obligation.Conditional() != (r.Condition != "") {
			t.Errorf("%s: obligation %q but condition %q", r.ID, r.Obligation, r.Condition)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EN 303 645 provisions (-want +got):\n%s", diff)
	}
}

func TestRequirementsCarryProvenance(t *testing.T) {
	s := embeddedSet(t)
	for _, info := range s.Catalogs() {
		c, err := s.Catalog(info.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range c.Requirements {
			if r.Source == "" || r.Provenance.Status == "" || r.Provenance.Remarks == "" || r.Statement == "" || r.Title == "" {
				t.Errorf("%s %s: missing source, provenance, statement or title: %+v", info.ID, r.ID, r)
			}
		}
	}
}

func TestRequirement(t *testing.T) {
	tests := []struct {
		catalog, req string
		wantID       string
		wantErr      error
	}{
		{catalog: "etsi-en-303-645", req: "5.1-1", wantID: "5.1-1"},
		{catalog: "etsi-en-303-645", req: "etsi-5.13-1", wantID: "5.13-1"},
		{catalog: "nist-ir-8425", req: "4a", wantID: "4a"},
		{catalog: "eu-cra-annex-i", req: "I.2(m)", wantID: "I.2(m)"},
		{catalog: "uk-psti", req: "Sch1.3", wantID: "Sch1.3"},
		{catalog: "sg-cls", req: "L3-BIN", wantID: "L3-BIN"},
		{catalog: "etsi-en-303-645", req: "5.14-1", wantErr: criteria.ErrNotFound},
		{catalog: "nist-ir-9999", req: "1a", wantErr: criteria.ErrNotFound},
	}
	s := embeddedSet(t)
	for _, tt := range tests {
		t.Run(tt.catalog+"/"+tt.req, func(t *testing.T) {
			r, err := s.Requirement(tt.catalog, tt.req)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Requirement(%q, %q) error = %v, want %v", tt.catalog, tt.req, err, tt.wantErr)
				}
				return
			}
			if err != nil || r.ID != tt.wantID || r.Catalog != tt.catalog {
				t.Errorf("Requirement(%q, %q) = %q in %q, %v; want %q", tt.catalog, tt.req, r.ID, r.Catalog, err, tt.wantID)
			}
		})
	}
}

func TestNISTItems(t *testing.T) {
	s := embeddedSet(t)
	for _, tt := range []struct {
		req   string
		items []string
	}{
		{req: "4a", items: []string{"4a.i", "4a.ii", "4a.iii"}},
		{req: "4b", items: []string{"4b.i", "4b.ii", "4b.iii"}},
		{req: "1a"},
	} {
		r, err := s.Requirement("nist-ir-8425", tt.req)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range r.Items {
			got = append(got, it.Label)
		}
		if diff := cmp.Diff(tt.items, got); diff != "" {
			t.Errorf("Requirement(nist-ir-8425, %s).Items labels (-want +got):\n%s", tt.req, diff)
		}
	}
}

func TestCatalogNotFound(t *testing.T) {
	s := embeddedSet(t)
	if _, err := s.Catalog("nope"); !errors.Is(err, criteria.ErrNotFound) {
		t.Errorf("Catalog(nope) error = %v, want ErrNotFound", err)
	}
	if _, err := s.CatalogJSON("nope"); !errors.Is(err, criteria.ErrNotFound) {
		t.Errorf("CatalogJSON(nope) error = %v, want ErrNotFound", err)
	}
}

// osDir is the package directory, where the embedded data lives on disk.
func osDir() fs.FS { return os.DirFS(".") }

// embeddedFS copies the embedded data directory layout from the real
// catalogs so Load can be tested against edited copies.
func embeddedFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, dir := range []string{"catalogs", "mappings"} {
		entries, err := fs.Glob(osDir(), dir+"/*.json")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range entries {
			b, err := fs.ReadFile(osDir(), name)
			if err != nil {
				t.Fatal(err)
			}
			m[name] = &fstest.MapFile{Data: b}
		}
	}
	return m
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		old     string
		new     string
		wantErr string
	}{
		{name: "mapping target unknown", file: "mappings/uk-psti--etsi-en-303-645.json", old: `"5.2-1"`, new: `"5.2-9"`, wantErr: `target "5.2-9"`},
		{name: "mapping source unknown", file: "mappings/uk-psti--etsi-en-303-645.json", old: `"source": "Sch1.3"`, new: `"source": "Sch1.4"`, wantErr: `source "Sch1.4"`},
		{name: "mapping relationship untyped", file: "mappings/uk-psti--etsi-en-303-645.json", old: `"relationship": "superset"`, new: `"relationship": "related"`, wantErr: "bad relationship"},
		{name: "mapping unknown field", file: "mappings/uk-psti--etsi-en-303-645.json", old: `"rationale"`, new: `"rationale-text"`, wantErr: "unknown field"},
		{name: "control without provenance", file: "catalogs/uk-psti.json", old: `"verified-primary"`, new: `"probably"`, wantErr: "bad provenance"},
		{name: "catalog id mismatch", file: "catalogs/uk-psti.json", old: `"value": "uk-psti"`, new: `"value": "uk-psti-2"`, wantErr: "does not match file name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := embeddedFS(t)
			data := string(fsys[tt.file].Data)
			if !strings.Contains(data, tt.old) {
				t.Fatalf("%s does not contain %s", tt.file, tt.old)
			}
			fsys[tt.file] = &fstest.MapFile{Data: []byte(strings.Replace(data, tt.old, tt.new, 1))}
			_, err := criteria.Load(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Load() error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
