package criteria

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	oscal "github.com/defenseunicorns/go-oscal/src/types/oscal-1-1-3"
)

// NS is the namespace of trustmark's own OSCAL props.
const NS = "urn:trustmark:criteria"

// Claim models: how a catalog turns requirement statuses into a claim.
const (
	// ClaimAllMandatory: the claim holds when every mandatory requirement is
	// met or justifiably not applicable.
	ClaimAllMandatory = "all-mandatory"
	// ClaimLevels: groups are cumulative levels; the claim is the highest
	// level whose requirements, and those of all lower levels, are met.
	ClaimLevels = "levels"
)

//go:embed catalogs/*.json mappings/*.json
var embedded embed.FS

// CatalogInfo summarises a catalog for listings.
type CatalogInfo struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	ShortTitle   string `json:"short_title"`
	Version      string `json:"version"`
	ClaimModel   string `json:"claim_model"`
	Groups       int    `json:"groups"`
	Requirements int    `json:"requirements"`
	Mandatory    int    `json:"mandatory"`
	Unverified   int    `json:"unverified"`
}

// Group is one group of a catalog: a clause, capability, level or part.
type Group struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Title string `json:"title"`
	// Level is the group's level under the levels claim model, else 0.
	Level int `json:"level,omitempty"`
	// Requirements lists the IDs of the group's requirements in order.
	Requirements []string `json:"requirements"`
}

// Catalog is a parsed catalog: the OSCAL document plus flattened views.
type Catalog struct {
	Info CatalogInfo
	// Document is the parsed OSCAL catalog. Treat it as read-only.
	Document     *oscal.Catalog
	Groups       []Group
	Requirements []Requirement

	noun          string // "provision", "requirement", ...
	naConditional bool   // not_applicable only allowed for conditional requirements
	raw           []byte
	index         map[string]int // requirement ID and control ID -> index
}

// Lookup returns the requirement with the given ID or OSCAL control id.
func (c *Catalog) Lookup(id string) (Requirement, bool) {
	i, ok := c.index[id]
	if !ok {
		return Requirement{}, false
	}
	return c.Requirements[i], true
}

// Set is a loaded collection of catalogs and mappings. It is immutable and
// safe for concurrent use.
type Set struct {
	catalogs []*Catalog
	byID     map[string]*Catalog
	mappings []*Mapping
	rawMaps  map[[2]string][]byte
}

// Embedded parses the catalogs and mappings built into the binary. Each call
// parses afresh; call it once at startup and share the Set.
func Embedded() (*Set, error) { return Load(embedded) }

// Load parses catalogs/*.json (OSCAL catalogs) and mappings/*.json from fsys
// and checks that every mapping names existing catalogs and requirements.
func Load(fsys fs.FS) (*Set, error) {
	s := &Set{byID: map[string]*Catalog{}, rawMaps: map[[2]string][]byte{}}
	names, err := fs.Glob(fsys, "catalogs/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		c, err := parseCatalog(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); c.Info.ID != want {
			return nil, fmt.Errorf("%s: catalog-id %q does not match file name", name, c.Info.ID)
		}
		s.catalogs = append(s.catalogs, c)
		s.byID[c.Info.ID] = c
	}
	sort.Slice(s.catalogs, func(i, j int) bool { return s.catalogs[i].Info.ID < s.catalogs[j].Info.ID })

	names, err = fs.Glob(fsys, "mappings/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		m, err := parseMapping(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := s.checkMapping(m); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		key := [2]string{m.SourceCatalog, m.TargetCatalog}
		if _, dup := s.rawMaps[key]; dup {
			return nil, fmt.Errorf("%s: second mapping from %s to %s", name, key[0], key[1])
		}
		if _, dup := s.rawMaps[[2]string{key[1], key[0]}]; dup {
			return nil, fmt.Errorf("%s: mapping between %s and %s stored in both directions", name, key[0], key[1])
		}
		s.mappings = append(s.mappings, m)
		s.rawMaps[key] = raw
	}
	return s, nil
}

// Catalogs lists every catalog, sorted by ID.
func (s *Set) Catalogs() []CatalogInfo {
	out := make([]CatalogInfo, len(s.catalogs))
	for i, c := range s.catalogs {
		out[i] = c.Info
	}
	return out
}

// Catalog returns the parsed catalog with the given ID. The error wraps
// ErrNotFound for an unknown ID.
func (s *Set) Catalog(id string) (*Catalog, error) {
	c, ok := s.byID[id]
	if !ok {
		return nil, fmt.Errorf("catalog %q: %w", id, ErrNotFound)
	}
	return c, nil
}

// CatalogJSON returns the catalog's OSCAL JSON exactly as embedded, for
// serving. The error wraps ErrNotFound for an unknown ID. Callers must not
// modify the returned slice.
func (s *Set) CatalogJSON(id string) ([]byte, error) {
	c, err := s.Catalog(id)
	if err != nil {
		return nil, err
	}
	return c.raw, nil
}

// Requirement returns one requirement, looked up by its ID (e.g. "5.1-1")
// or OSCAL control id. The error wraps ErrNotFound when the catalog or the
// requirement is unknown.
func (s *Set) Requirement(catalogID, reqID string) (Requirement, error) {
	c, err := s.Catalog(catalogID)
	if err != nil {
		return Requirement{}, err
	}
	r, ok := c.Lookup(reqID)
	if !ok {
		return Requirement{}, fmt.Errorf("requirement %q in catalog %q: %w", reqID, catalogID, ErrNotFound)
	}
	return r, nil
}

// parseCatalog decodes an OSCAL catalog document and builds the flattened
// views, rejecting controls that lack trustmark's required props.
func parseCatalog(raw []byte) (*Catalog, error) {
	var doc oscal.OscalModels
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc.Catalog == nil {
		return nil, fmt.Errorf("not an OSCAL catalog document")
	}
	oc := doc.Catalog
	md := oc.Metadata
	c := &Catalog{
		Document: oc,
		raw:      raw,
		index:    map[string]int{},
		Info: CatalogInfo{
			ID:         propValue(md.Props, NS, "catalog-id"),
			Title:      md.Title,
			ShortTitle: propValue(md.Props, NS, "short-title"),
			Version:    md.Version,
			ClaimModel: propValue(md.Props, NS, "claim-model"),
		},
		noun:          propValue(md.Props, NS, "requirement-noun"),
		naConditional: propValue(md.Props, NS, "not-applicable-policy") == "conditional-only",
	}
	if c.Info.ID == "" || c.Info.ShortTitle == "" || c.noun == "" {
		return nil, fmt.Errorf("metadata lacks catalog-id, short-title or requirement-noun props")
	}
	if c.Info.ClaimModel != ClaimAllMandatory && c.Info.ClaimModel != ClaimLevels {
		return nil, fmt.Errorf("unknown claim-model %q", c.Info.ClaimModel)
	}
	if oc.Controls != nil {
		return nil, fmt.Errorf("top-level controls are not supported; put them in groups")
	}
	if oc.Groups == nil {
		return nil, fmt.Errorf("catalog has no groups")
	}
	for _, g := range *oc.Groups {
		if err := c.addGroup(g); err != nil {
			return nil, err
		}
	}
	c.Info.Groups = len(c.Groups)
	c.Info.Requirements = len(c.Requirements)
	for _, r := range c.Requirements {
		if r.Obligation.Mandatory() {
			c.Info.Mandatory++
		}
		if r.Provenance.Status == Unverified {
			c.Info.Unverified++
		}
	}
	return c, nil
}

func (c *Catalog) addGroup(og oscal.Group) error {
	g := Group{ID: og.ID, Label: propValue(og.Props, "", "label"), Title: og.Title}
	if g.Label == "" {
		return fmt.Errorf("group %q has no label prop", og.ID)
	}
	if lv := propValue(og.Props, NS, "level"); lv != "" {
		n, err := strconv.Atoi(lv)
		if err != nil || n < 1 {
			return fmt.Errorf("group %q: bad level %q", og.ID, lv)
		}
		g.Level = n
	} else if c.Info.ClaimModel == ClaimLevels {
		return fmt.Errorf("group %q lacks a level prop", og.ID)
	}
	if og.Groups != nil {
		return fmt.Errorf("group %q: nested groups are not supported", og.ID)
	}
	if og.Controls != nil {
		for _, ctl := range *og.Controls {
			r, err := c.requirement(ctl, g.Label)
			if err != nil {
				return err
			}
			if ctl.Controls != nil {
				return fmt.Errorf("control %q: nested controls are not supported", ctl.ID)
			}
			for _, key := range []string{r.ID, r.ControlID} {
				if _, dup := c.index[key]; dup {
					return fmt.Errorf("duplicate requirement id %q", key)
				}
				c.index[key] = len(c.Requirements)
			}
			c.Requirements = append(c.Requirements, r)
			g.Requirements = append(g.Requirements, r.ID)
		}
	}
	c.Groups = append(c.Groups, g)
	return nil
}

func (c *Catalog) requirement(ctl oscal.Control, group string) (Requirement, error) {
	r := Requirement{
		Catalog:    c.Info.ID,
		ID:         propValue(ctl.Props, "", "label"),
		ControlID:  ctl.ID,
		Group:      group,
		Title:      ctl.Title,
		Obligation: Obligation(propValue(ctl.Props, NS, "obligation")),
		Condition:  propValue(ctl.Props, NS, "condition"),
		Source:     propValue(ctl.Props, NS, "source"),
		ClaimNeed:  propValue(ctl.Props, NS, "claim-need"),
	}
	if ctl.Props != nil {
		for _, p := range *ctl.Props {
			if p.Ns == NS && p.Name == "provenance" {
				r.Provenance = Provenance{Status: p.Value, Remarks: p.Remarks}
			}
		}
	}
	switch {
	case r.ID == "":
		return r, fmt.Errorf("control %q has no label prop", ctl.ID)
	case !r.Obligation.Valid():
		return r, fmt.Errorf("control %q: bad obligation %q", ctl.ID, r.Obligation)
	case r.Source == "":
		return r, fmt.Errorf("control %q has no source prop", ctl.ID)
	case !validProvenance(r.Provenance.Status):
		return r, fmt.Errorf("control %q: bad provenance %q", ctl.ID, r.Provenance.Status)
	}
	if ctl.Parts != nil {
		for _, p := range *ctl.Parts {
			if p.Name != "statement" {
				continue
			}
			r.Statement = p.Prose
			if p.Parts != nil {
				for _, it := range *p.Parts {
					r.Items = append(r.Items, Item{Label: propValue(it.Props, "", "label"), Text: it.Prose})
				}
			}
		}
	}
	if r.Statement == "" {
		return r, fmt.Errorf("control %q has no statement", ctl.ID)
	}
	return r, nil
}

// propValue returns the value of the first prop with the given namespace
// ("" for OSCAL's own props) and name, or "".
func propValue(props *[]oscal.Property, ns, name string) string {
	if props == nil {
		return ""
	}
	for _, p := range *props {
		if p.Name == name && p.Ns == ns {
			return p.Value
		}
	}
	return ""
}
