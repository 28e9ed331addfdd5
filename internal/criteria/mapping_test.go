package criteria_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"trustmark/internal/criteria"
)

func TestMappingsPresent(t *testing.T) {
	s := embeddedSet(t)
	for _, pair := range [][2]string{
		{"nist-ir-8425", "etsi-en-303-645"},
		{"etsi-en-303-645", "nist-ir-8425"},
		{"uk-psti", "etsi-en-303-645"},
		{"sg-cls", "etsi-en-303-645"},
		{"eu-cra-annex-i", "nist-ir-8425"},
		{"nist-ir-8425", "eu-cra-annex-i"},
		{"nist-ir-8425a", "nist-ir-8425"},
	} {
		m, err := s.Mapping(pair[0], pair[1])
		if err != nil {
			t.Errorf("Mapping(%q, %q) error: %v", pair[0], pair[1], err)
			continue
		}
		if m.SourceCatalog != pair[0] || m.TargetCatalog != pair[1] || len(m.Maps) == 0 {
			t.Errorf("Mapping(%q, %q) = %s -> %s with %d maps", pair[0], pair[1], m.SourceCatalog, m.TargetCatalog, len(m.Maps))
		}
	}
	if _, err := s.Mapping("uk-psti", "sg-cls"); !errors.Is(err, criteria.ErrNotFound) {
		t.Errorf("Mapping(uk-psti, sg-cls) error = %v, want ErrNotFound", err)
	}
	if _, err := s.MappingJSON("uk-psti", "sg-cls"); !errors.Is(err, criteria.ErrNotFound) {
		t.Errorf("MappingJSON(uk-psti, sg-cls) error = %v, want ErrNotFound", err)
	}
}

// TestMappingEndpoints checks, in both directions, that every map names
// requirements that exist in its catalogs and is typed and justified.
func TestMappingEndpoints(t *testing.T) {
	s := embeddedSet(t)
	for _, info := range s.Mappings() {
		for _, dir := range [][2]string{{info.From, info.To}, {info.To, info.From}} {
			m, err := s.Mapping(dir[0], dir[1])
			if err != nil {
				t.Fatalf("Mapping(%q, %q): %v", dir[0], dir[1], err)
			}
			for _, mp := range m.Maps {
				if _, err := s.Requirement(m.SourceCatalog, mp.Source); err != nil {
					t.Errorf("%s -> %s: source: %v", dir[0], dir[1], err)
				}
				for _, tg := range mp.Targets {
					if _, err := s.Requirement(m.TargetCatalog, tg); err != nil {
						t.Errorf("%s -> %s (%s): target: %v", dir[0], dir[1], mp.Source, err)
					}
				}
				if !mp.Relationship.Valid() || mp.Rationale == "" || mp.Provenance.Status == "" {
					t.Errorf("%s -> %s (%s): relationship %q, rationale %q, provenance %q",
						dir[0], dir[1], mp.Source, mp.Relationship, mp.Rationale, mp.Provenance.Status)
				}
			}
		}
	}
}

func TestMappingRoundTrip(t *testing.T) {
	s := embeddedSet(t)
	for _, info := range s.Mappings() {
		for _, dir := range [][2]string{{info.From, info.To}, {info.To, info.From}} {
			t.Run(dir[0]+"--"+dir[1], func(t *testing.T) {
				raw, err := s.MappingJSON(dir[0], dir[1])
				if err != nil {
					t.Fatal(err)
				}
				var doc struct {
					Mapping *criteria.Mapping `json:"mapping"`
				}
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&doc); err != nil {
					t.Fatalf("decode: %v", err)
				}
				again, err := json.Marshal(doc)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(semantic(t, raw), semantic(t, again)); diff != "" {
					t.Errorf("round trip lost data (-served +remarshalled):\n%s", diff)
				}
			})
		}
	}
}

func TestMappingInverse(t *testing.T) {
	tests := []struct {
		source, target string
		want           criteria.Relationship
	}{
		// Stored: Sch1.3 superset [5.3-13]; one target, so the inverse flips.
		{source: "5.3-13", target: "Sch1.3", want: criteria.Subset},
		// Stored: Sch1.1 subset [5.1-1, 5.1-2]; one of several targets says less.
		{source: "5.1-1", target: "Sch1.1", want: criteria.Intersects},
		// Stored: Sch1.2 subset [5.2-1].
		{source: "5.2-1", target: "Sch1.2", want: criteria.Superset},
	}
	s := embeddedSet(t)
	m, err := s.Mapping("etsi-en-303-645", "uk-psti")
	if err != nil {
		t.Fatal(err)
	}
	if m.InverseOf == "" {
		t.Errorf("derived mapping has no inverse-of")
	}
	for _, tt := range tests {
		var got []criteria.Relationship
		for _, mp := range m.Maps {
			if mp.Source == tt.source && len(mp.Targets) == 1 && mp.Targets[0] == tt.target {
				got = append(got, mp.Relationship)
			}
		}
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("inverse map %s -> %s relationships = %v, want [%s]", tt.source, tt.target, got, tt.want)
		}
	}
}
