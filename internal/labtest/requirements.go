package labtest

import (
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed data/*.json
var dataFS embed.FS

// Catalog IDs the findings map to (as in internal/criteria).
const (
	CatalogNIST = "nist-ir-8425"
	CatalogETSI = "etsi-en-303-645"
)

// catalogOrder sorts coverage: the U.S. profile first.
var catalogOrder = []string{CatalogNIST, CatalogETSI}

// FindingKind is one kind of finding and the requirements it bears on.
type FindingKind struct {
	Title        string              `json:"title"`
	Rationale    string              `json:"rationale"`
	Requirements map[string][]string `json:"requirements"`
}

// kinds parses data/requirements.json once: it is read-only data built
// into the binary, so sharing it is as safe as a constant.
var kinds = sync.OnceValues(func() (map[string]FindingKind, error) {
	b, err := dataFS.ReadFile("data/requirements.json")
	if err != nil {
		return nil, err
	}
	var doc struct {
		Kinds map[string]FindingKind `json:"kinds"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("labtest: data/requirements.json: %w", err)
	}
	return doc.Kinds, nil
})

// FindingKinds returns the kinds of finding the probe makes, keyed by name.
func FindingKinds() (map[string]FindingKind, error) { return kinds() }

// requirementsOf returns the requirements a kind of finding bears on, in
// catalog order. An unknown kind (a bug) bears on none.
func requirementsOf(kind string) []RequirementRef {
	all, err := kinds()
	if err != nil {
		return []RequirementRef{}
	}
	k := all[kind]
	out := []RequirementRef{}
	for _, cat := range catalogOrder {
		for _, id := range k.Requirements[cat] {
			out = append(out, RequirementRef{Catalog: cat, Requirement: id})
		}
	}
	return out
}

// coverageOf pre-fills one result per requirement the findings bear on:
// fail when any failing finding maps to it, else pass.
func coverageOf(findings []Finding) []Coverage {
	type key struct{ cat, req string }
	byReq := map[key]*Coverage{}
	var keys []key
	for _, f := range findings {
		for _, r := range f.Requirements {
			k := key{r.Catalog, r.Requirement}
			c := byReq[k]
			if c == nil {
				c = &Coverage{Catalog: r.Catalog, Requirement: r.Requirement, Outcome: VerdictPass}
				byReq[k] = c
				keys = append(keys, k)
			}
			c.Findings = append(c.Findings, f.ID)
			if f.Verdict == VerdictFail {
				c.Outcome = VerdictFail
			}
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(slices.Index(catalogOrder, a.cat), slices.Index(catalogOrder, b.cat)), naturalCompare(a.req, b.req))
	})
	byID := map[string]Finding{}
	for _, f := range findings {
		byID[f.ID] = f
	}
	out := make([]Coverage, 0, len(keys))
	for _, k := range keys {
		c := byReq[k]
		c.Summary = summarize(c, byID)
		out = append(out, *c)
	}
	return out
}

// summarize writes a coverage line: the failing findings first (they
// decide), then the passing ones, each with where it was seen.
func summarize(c *Coverage, byID map[string]Finding) string {
	var fails, passes []string
	for _, id := range c.Findings {
		f := byID[id]
		line := id + " " + f.Title + " (" + where(f.Address, f.Port, f.Service) + ")"
		if f.Verdict == VerdictFail {
			fails = append(fails, line)
		} else {
			passes = append(passes, line)
		}
	}
	var b strings.Builder
	if len(fails) > 0 {
		fmt.Fprintf(&b, "%d failing: %s", len(fails), strings.Join(fails, "; "))
	}
	if len(passes) > 0 {
		if b.Len() > 0 {
			b.WriteString(". ")
		}
		fmt.Fprintf(&b, "%d passing: %s", len(passes), strings.Join(passes, "; "))
	}
	return truncate(b.String(), 1200)
}

// naturalCompare orders requirement IDs so that 5.5-10 follows 5.5-9.
func naturalCompare(a, b string) int {
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' })
	}
	pa, pb := split(a), split(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		if ea == nil && eb == nil {
			if c := cmp.Compare(na, nb); c != 0 {
				return c
			}
			continue
		}
		if c := strings.Compare(pa[i], pb[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(pa), len(pb))
}
