package criteria

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Relationship says how a map's source requirement relates to the set of its
// target requirements taken together (all targets met). The names follow the
// set-theory relationships of NIST IR 8477 and the OSCAL 1.2 mapping model.
type Relationship string

// The four relationships.
const (
	// Equivalent: source and targets ask for the same thing.
	Equivalent Relationship = "equivalent"
	// Subset: the source asks for no more than the targets, so meeting all
	// targets meets the source (but failing one does not decide it).
	Subset Relationship = "subset"
	// Superset: the source asks for more than the targets, so meeting them is
	// only partial evidence (and failing one fails the source).
	Superset Relationship = "superset"
	// Intersects: the two overlap; neither contains the other.
	Intersects Relationship = "intersects"
)

// Valid reports whether r is one of the four relationships.
func (r Relationship) Valid() bool {
	switch r {
	case Equivalent, Subset, Superset, Intersects:
		return true
	}
	return false
}

// inverse is the relationship of a single target to the source of a map,
// given the map's relationship and number of targets: with several targets
// one target is only part of the set, which weakens what can be said.
func (r Relationship) inverse(targets int) Relationship {
	if targets == 1 {
		switch r {
		case Subset:
			return Superset
		case Superset:
			return Subset
		}
		return r
	}
	switch r {
	case Equivalent, Superset:
		return Subset
	}
	return Intersects
}

// Mapping relates requirements of one catalog to those of another. Its JSON
// form, the format of mappings/*.json, is
//
//	{"mapping": {
//	  "uuid": "…", "metadata": {"title", "last-modified", "version", "remarks"},
//	  "source-catalog": "uk-psti", "target-catalog": "etsi-en-303-645",
//	  "maps": [{"uuid": "…", "source": "Sch1.1", "relationship": "subset",
//	            "targets": ["5.1-1", "5.1-2"], "rationale": "…",
//	            "provenance": {"status": "verified-primary", "remarks": "…"}}]}}
//
// A requirement absent from every map has no counterpart in the other
// catalog. Mappings are stored in one direction; [Set.Mapping] derives the
// other. A derived mapping has no UUIDs and names the stored one in
// inverse-of.
type Mapping struct {
	UUID          string          `json:"uuid,omitempty"`
	InverseOf     string          `json:"inverse-of,omitempty"`
	Metadata      MappingMetadata `json:"metadata"`
	SourceCatalog string          `json:"source-catalog"`
	TargetCatalog string          `json:"target-catalog"`
	Maps          []Map           `json:"maps"`
}

// MappingMetadata describes a mapping document.
type MappingMetadata struct {
	Title        string    `json:"title"`
	LastModified time.Time `json:"last-modified"`
	Version      string    `json:"version"`
	Remarks      string    `json:"remarks,omitempty"`
}

// Map is one entry of a mapping: Source relates to Targets by Relationship.
type Map struct {
	UUID         string       `json:"uuid,omitempty"`
	InverseOf    string       `json:"inverse-of,omitempty"`
	Source       string       `json:"source"`
	Relationship Relationship `json:"relationship"`
	Targets      []string     `json:"targets"`
	Rationale    string       `json:"rationale"`
	Provenance   Provenance   `json:"provenance"`
}

// MappingInfo summarises a stored mapping.
type MappingInfo struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Title string `json:"title"`
	Maps  int    `json:"maps"`
}

// mappingDocument is the top-level JSON object of a mapping file.
type mappingDocument struct {
	Mapping *Mapping `json:"mapping"`
}

// parseMapping decodes a mapping document strictly, so that a misspelt field
// is an error rather than silently dropped data.
func parseMapping(raw []byte) (*Mapping, error) {
	var doc mappingDocument
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc.Mapping == nil {
		return nil, fmt.Errorf("not a mapping document")
	}
	return doc.Mapping, nil
}

// checkMapping verifies that every endpoint exists and every entry is typed,
// justified and sourced.
func (s *Set) checkMapping(m *Mapping) error {
	src, err := s.Catalog(m.SourceCatalog)
	if err != nil {
		return err
	}
	dst, err := s.Catalog(m.TargetCatalog)
	if err != nil {
		return err
	}
	for i, mp := range m.Maps {
		if _, ok := src.Lookup(mp.Source); !ok {
			return fmt.Errorf("map %d: source %q not in %s", i, mp.Source, src.Info.ID)
		}
		if len(mp.Targets) == 0 {
			return fmt.Errorf("map %d (%s): no targets", i, mp.Source)
		}
		for _, t := range mp.Targets {
			if _, ok := dst.Lookup(t); !ok {
				return fmt.Errorf("map %d (%s): target %q not in %s", i, mp.Source, t, dst.Info.ID)
			}
		}
		if !mp.Relationship.Valid() {
			return fmt.Errorf("map %d (%s): bad relationship %q", i, mp.Source, mp.Relationship)
		}
		if mp.Rationale == "" || !validProvenance(mp.Provenance.Status) {
			return fmt.Errorf("map %d (%s): rationale and provenance are required", i, mp.Source)
		}
	}
	return nil
}

// Mappings lists the stored mappings in load order.
func (s *Set) Mappings() []MappingInfo {
	out := make([]MappingInfo, len(s.mappings))
	for i, m := range s.mappings {
		out[i] = MappingInfo{From: m.SourceCatalog, To: m.TargetCatalog, Title: m.Metadata.Title, Maps: len(m.Maps)}
	}
	return out
}

// Mapping returns the mapping from one catalog to another, deriving it from
// the stored opposite direction when needed. The error wraps ErrNotFound when
// no mapping links the two catalogs.
func (s *Set) Mapping(from, to string) (*Mapping, error) {
	for _, m := range s.mappings {
		if m.SourceCatalog == from && m.TargetCatalog == to {
			return m, nil
		}
	}
	for _, m := range s.mappings {
		if m.SourceCatalog == to && m.TargetCatalog == from {
			return m.inverted(), nil
		}
	}
	return nil, fmt.Errorf("mapping from %q to %q: %w", from, to, ErrNotFound)
}

// MappingJSON returns a mapping's JSON for serving: the embedded bytes for a
// stored direction, a marshalled derived mapping for the other. The error
// wraps ErrNotFound when no mapping links the two catalogs.
func (s *Set) MappingJSON(from, to string) ([]byte, error) {
	if raw, ok := s.rawMaps[[2]string{from, to}]; ok {
		return raw, nil
	}
	m, err := s.Mapping(from, to)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(mappingDocument{Mapping: m}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// inverted derives the mapping in the opposite direction: one map per
// (target, source) pair with the relationship seen from the target.
func (m *Mapping) inverted() *Mapping {
	inv := &Mapping{
		InverseOf: m.UUID,
		Metadata: MappingMetadata{
			Title:        m.Metadata.Title + " (inverse)",
			LastModified: m.Metadata.LastModified,
			Version:      m.Metadata.Version,
			Remarks:      "Derived from the stored mapping " + m.UUID + ": each map relates one former target to its former source.",
		},
		SourceCatalog: m.TargetCatalog,
		TargetCatalog: m.SourceCatalog,
		Maps:          []Map{},
	}
	for _, mp := range m.Maps {
		for _, t := range mp.Targets {
			inv.Maps = append(inv.Maps, Map{
				InverseOf:    mp.UUID,
				Source:       t,
				Relationship: mp.Relationship.inverse(len(mp.Targets)),
				Targets:      []string{mp.Source},
				Rationale:    fmt.Sprintf("Inverse of %s %s %v: %s", mp.Source, mp.Relationship, mp.Targets, mp.Rationale),
				Provenance:   mp.Provenance,
			})
		}
	}
	return inv
}
