package vuln

import (
	"slices"
	"strings"

	"trustmark"
)

// Index is an in-memory matcher over many advisories: each advisory's
// ranges are compiled once (versions parsed, events sorted) when it is
// added, and its affected entries are filed by package (ecosystem base and
// name), by package URL base and by CPE vendor:product, so matching a
// component looks only at the advisories about its package.
//
// Add must not run concurrently with Match; any number of Match calls may
// run at once.
type Index struct {
	records map[string]*record        // by advisory ID
	byKey   map[indexKey][]indexEntry // ecosystem base + name
	byPURL  map[purlBase][]indexEntry
	byCPE   map[string][]indexEntry // vendor:product
}

type indexKey struct{ base, name string }

type indexEntry struct {
	rec *record
	e   *entry
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		records: map[string]*record{},
		byKey:   map[indexKey][]indexEntry{},
		byPURL:  map[purlBase][]indexEntry{},
		byCPE:   map[string][]indexEntry{},
	}
}

// Add adds an advisory. An advisory with an ID already added replaces the
// earlier one unless it was modified earlier than that one. Withdrawn
// advisories are kept (they count in Len) but never match.
func (ix *Index) Add(o *OSV) {
	if old, ok := ix.records[o.ID]; ok {
		if o.Modified.Before(old.osv.Modified) {
			return
		}
		ix.remove(old)
	}
	rec := compileRecord(o)
	ix.records[o.ID] = rec
	if !o.Withdrawn.IsZero() {
		return
	}
	for _, e := range rec.entries {
		ie := indexEntry{rec, e}
		if e.base != "" {
			k := indexKey{e.base, e.name}
			ix.byKey[k] = append(ix.byKey[k], ie)
		}
		if e.purl.typ != "" {
			ix.byPURL[e.purl] = append(ix.byPURL[e.purl], ie)
		}
		for vp := range e.cpes {
			ix.byCPE[vp] = append(ix.byCPE[vp], ie)
		}
	}
}

// remove takes a replaced record's entries out of the maps.
func (ix *Index) remove(rec *record) {
	drop := func(list []indexEntry) []indexEntry {
		return slices.DeleteFunc(list, func(ie indexEntry) bool { return ie.rec == rec })
	}
	for _, e := range rec.entries {
		if e.base != "" {
			k := indexKey{e.base, e.name}
			ix.byKey[k] = drop(ix.byKey[k])
		}
		if e.purl.typ != "" {
			ix.byPURL[e.purl] = drop(ix.byPURL[e.purl])
		}
		for vp := range e.cpes {
			ix.byCPE[vp] = drop(ix.byCPE[vp])
		}
	}
	delete(ix.records, rec.osv.ID)
}

// Len returns how many advisories (distinct IDs) the index holds.
func (ix *Index) Len() int { return len(ix.records) }

// Match returns every advisory affecting each component, by the rules of
// [Affects] and, for components without a package key in an OSV ecosystem
// but with a CPE, of [AffectsCPE]. A component matches an advisory at most
// once. The order is deterministic: components in the order given, then
// advisory IDs in byte order.
func (ix *Index) Match(components []trustmark.SoftwareComponent) []Match {
	var out []Match
	for _, c := range components {
		q := newQuery(c)
		start := len(out)
		seen := map[*record]bool{}
		if q.byKey() {
			var cands []indexEntry
			if q.base != "" {
				cands = ix.byKey[indexKey{q.base, q.name}]
			} else {
				cands = ix.byPURL[q.purl]
			}
			for _, ie := range cands {
				if seen[ie.rec] || !q.sameKey(ie.e) {
					continue
				}
				if ok, fixed := ie.e.affects(q, ie.e.ranges); ok {
					seen[ie.rec] = true
					out = append(out, Match{Advisory: ie.rec.osv, Component: c, FixedVersion: fixed, Confidence: trustmark.ConfidencePURL})
				}
			}
		}
		if q.base == "" && q.vp != "" && q.cpeVersion != "" {
			for _, ie := range ix.byCPE[q.vp] {
				if seen[ie.rec] {
					continue
				}
				if ok, fixed := ie.e.affectsCPE(q); ok {
					seen[ie.rec] = true
					out = append(out, Match{Advisory: ie.rec.osv, Component: c, FixedVersion: fixed, Confidence: trustmark.ConfidenceCPE})
				}
			}
		}
		slices.SortStableFunc(out[start:], func(a, b Match) int { return strings.Compare(a.Advisory.ID, b.Advisory.ID) })
	}
	return out
}
