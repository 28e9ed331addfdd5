package criteria

import (
	"fmt"
	"sort"
	"strings"
)

// Status is what evaluation can say about one requirement.
type Status string

// The statuses, from the most to the least decisive.
const (
	// StatusNotMet: failed, or a counterpart it fully depends on failed.
	StatusNotMet Status = "not_met"
	// StatusMet: passed, or fully covered by met counterparts.
	StatusMet Status = "met"
	// StatusNotApplicable: justified as not applicable (directly or through
	// counterparts that are all not applicable).
	StatusNotApplicable Status = "not_applicable"
	// StatusPartial: some supporting evidence, not enough to decide.
	StatusPartial Status = "partial"
	// StatusNoEvidence: not tested, not recorded, or no counterpart.
	StatusNoEvidence Status = "no_evidence"
)

// rank orders statuses when several mapping entries speak about one
// requirement: a failure wins over a pass, a decision over a hint.
func (s Status) rank() int {
	switch s {
	case StatusNotMet:
		return 4
	case StatusMet:
		return 3
	case StatusNotApplicable:
		return 2
	case StatusPartial:
		return 1
	}
	return 0
}

func (s Status) satisfied() bool { return s == StatusMet || s == StatusNotApplicable }

// RequirementResult is the evaluated status of one requirement of a scheme.
type RequirementResult struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Mandatory bool   `json:"mandatory"`
	Status    Status `json:"status"`
	// Basis explains the status: the recorded outcome, or the mapping entry
	// and counterpart statuses it was derived from.
	Basis string `json:"basis"`
	// Missing lists counterpart requirements that failed or lack evidence.
	Missing []string `json:"missing,omitempty"`
	// UnverifiedMapping is set when a met, not_met or not_applicable status
	// rests on a mapping entry whose provenance is unverified.
	UnverifiedMapping bool `json:"unverified_mapping,omitempty"`
}

// SchemeResult says what one scheme (catalog) allows to be claimed.
type SchemeResult struct {
	Catalog    string `json:"catalog"`
	ShortTitle string `json:"short_title"`
	// Via is the chain of catalogs the evidence went through, starting with
	// the assessed catalog and ending with this one.
	Via []string `json:"via"`
	// Claimable is true when the scheme's claim can be made: every mandatory
	// requirement satisfied, or (levels model) at least level 1.
	Claimable bool `json:"claimable"`
	// Level is the highest level met under the levels claim model.
	Level                  int      `json:"level,omitempty"`
	Mandatory              int      `json:"mandatory"`
	MandatorySatisfied     int      `json:"mandatory_satisfied"`
	MandatoryNotApplicable int      `json:"mandatory_not_applicable"`
	NotMet                 []string `json:"not_met,omitempty"`
	NoEvidence             []string `json:"no_evidence,omitempty"`
	Partial                []string `json:"partial,omitempty"`
	// Claims are one-line statements such as "UK PSTI: 3/3 met".
	Claims  []string `json:"claims"`
	Caveats []string `json:"caveats,omitempty"`

	Requirements []RequirementResult `json:"requirements"`
}

// Result is the outcome of [Set.Evaluate].
type Result struct {
	Catalog string `json:"catalog"`
	// Claims gathers every scheme's claims, assessed catalog first.
	Claims  []string       `json:"claims"`
	Schemes []SchemeResult `json:"schemes"`
	// Unreachable lists catalogs no chain of mappings connects to.
	Unreachable []string `json:"unreachable,omitempty"`
}

// Evaluate reads one assessment across every scheme reachable through the
// mappings. The assessed catalog is judged from the recorded outcomes; every
// other catalog from the statuses of the catalog one mapping step closer,
// reached breadth-first so that each uses the shortest chain. Invalid input
// is reported as an *InputError naming the offending requirement.
func (s *Set) Evaluate(a Assessment) (Result, error) {
	c, ok := s.byID[a.Catalog]
	if !ok {
		return Result{}, &InputError{Message: fmt.Sprintf("unknown catalog %q", a.Catalog)}
	}
	outcomes, err := a.index(c)
	if err != nil {
		return Result{}, err
	}
	res := Result{Catalog: c.Info.ID}
	native := c.judgeOutcomes(outcomes)
	res.Schemes = append(res.Schemes, c.scheme(native, []string{c.Info.ID}, c))

	known := map[string]map[string]RequirementResult{c.Info.ID: byID(native)}
	paths := map[string][]string{c.Info.ID: {c.Info.ID}}
	queue := []string{c.Info.ID}
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		for _, to := range s.neighbours(from) {
			if _, seen := known[to]; seen {
				continue
			}
			m, err := s.Mapping(to, from)
			if err != nil {
				return Result{}, err // unreachable: neighbours come from the mappings
			}
			tc := s.byID[to]
			rs := tc.derive(m, s.byID[from], known[from])
			path := append(append([]string(nil), paths[from]...), to)
			known[to], paths[to] = byID(rs), path
			res.Schemes = append(res.Schemes, tc.scheme(rs, path, c))
			queue = append(queue, to)
		}
	}
	for _, cat := range s.catalogs {
		if _, ok := known[cat.Info.ID]; !ok {
			res.Unreachable = append(res.Unreachable, cat.Info.ID)
		}
	}
	for _, sc := range res.Schemes {
		res.Claims = append(res.Claims, sc.Claims...)
	}
	return res, nil
}

// neighbours lists, sorted, the catalogs sharing a stored mapping with id.
func (s *Set) neighbours(id string) []string {
	var out []string
	for _, m := range s.mappings {
		switch id {
		case m.SourceCatalog:
			out = append(out, m.TargetCatalog)
		case m.TargetCatalog:
			out = append(out, m.SourceCatalog)
		}
	}
	sort.Strings(out)
	return out
}

func byID(rs []RequirementResult) map[string]RequirementResult {
	m := make(map[string]RequirementResult, len(rs))
	for _, r := range rs {
		m[r.ID] = r
	}
	return m
}

// judgeOutcomes turns recorded outcomes into statuses for the assessed catalog.
func (c *Catalog) judgeOutcomes(outcomes map[string]RequirementOutcome) []RequirementResult {
	out := make([]RequirementResult, 0, len(c.Requirements))
	for _, r := range c.Requirements {
		rr := RequirementResult{ID: r.ID, Title: r.Title, Mandatory: r.Obligation.Mandatory()}
		ro, ok := outcomes[r.ID]
		switch {
		case !ok:
			rr.Status, rr.Basis = StatusNoEvidence, "no result recorded"
		case ro.Outcome == Pass:
			rr.Status, rr.Basis = StatusMet, "pass"
		case ro.Outcome == Fail:
			rr.Status, rr.Basis = StatusNotMet, "fail"
		case ro.Outcome == NotTested:
			rr.Status, rr.Basis = StatusNoEvidence, "not tested"
		case c.naConditional && r.Obligation == Mandatory:
			// EN 303 645 Annex B: "N/A" is allowed only for conditional
			// provisions, so it cannot discharge an unconditional one.
			rr.Status = StatusNotMet
			rr.Basis = "not_applicable is allowed only for conditional provisions (EN 303 645 Annex B): " + ro.Justification
		default:
			rr.Status, rr.Basis = StatusNotApplicable, "not applicable: "+ro.Justification
		}
		if ok && ro.Outcome != NotApplicable && ro.Justification != "" {
			rr.Basis += ": " + ro.Justification
		}
		out = append(out, rr)
	}
	return out
}

// derive computes statuses for c's requirements from the known statuses of
// catalog from, through m (sources in c, targets in from).
func (c *Catalog) derive(m *Mapping, from *Catalog, known map[string]RequirementResult) []RequirementResult {
	bySource := map[string][]Map{}
	for _, mp := range m.Maps {
		if r, ok := c.Lookup(mp.Source); ok {
			bySource[r.ID] = append(bySource[r.ID], mp)
		}
	}
	out := make([]RequirementResult, 0, len(c.Requirements))
	for _, r := range c.Requirements {
		rr := RequirementResult{ID: r.ID, Title: r.Title, Mandatory: r.Obligation.Mandatory(),
			Status: StatusNoEvidence, Basis: "no counterpart in " + from.Info.ShortTitle}
		for i, mp := range bySource[r.ID] {
			st, basis, missing := judgeMap(mp, from, known)
			if i == 0 || st.rank() > rr.Status.rank() {
				rr.Status, rr.Basis, rr.Missing = st, basis, missing
				rr.UnverifiedMapping = mp.Provenance.Status == Unverified &&
					(st == StatusMet || st == StatusNotMet || st == StatusNotApplicable)
			}
		}
		out = append(out, rr)
	}
	return out
}

// judgeMap derives a status for a map's source from its targets' statuses.
func judgeMap(mp Map, from *Catalog, known map[string]RequirementResult) (Status, string, []string) {
	var met, na, failed, lacking []string
	hinted := false // some target has partial evidence
	for _, t := range mp.Targets {
		id := t
		if r, ok := from.Lookup(t); ok {
			id = r.ID
		}
		switch known[id].Status {
		case StatusMet:
			met = append(met, id)
		case StatusNotApplicable:
			na = append(na, id)
		case StatusNotMet:
			failed = append(failed, id)
		case StatusPartial:
			hinted = true
			lacking = append(lacking, id)
		default:
			lacking = append(lacking, id)
		}
	}
	via := fmt.Sprintf("via %s %s (%s)", from.Info.ShortTitle, strings.Join(mp.Targets, ", "), mp.Relationship)
	covers := mp.Relationship == Equivalent || mp.Relationship == Subset
	switch {
	case len(failed) == 0 && len(lacking) == 0:
		switch {
		case covers && len(met) == 0:
			return StatusNotApplicable, via + ": all not applicable", nil
		case covers:
			return StatusMet, via + ": all met", nil
		}
		return StatusPartial, via + ": all met, but they cover only part of this requirement", nil
	case len(failed) > 0 && (mp.Relationship == Equivalent || mp.Relationship == Superset):
		return StatusNotMet, via + ": failed " + strings.Join(failed, ", "), failed
	}
	missing := append(failed, lacking...)
	if len(met)+len(na) > 0 || hinted {
		return StatusPartial, via + ": not shown for " + strings.Join(missing, ", "), missing
	}
	return StatusNoEvidence, via + ": no supporting evidence", missing
}

// scheme summarises statuses into counts, claims and caveats.
func (c *Catalog) scheme(rs []RequirementResult, path []string, assessed *Catalog) SchemeResult {
	sr := SchemeResult{Catalog: c.Info.ID, ShortTitle: c.Info.ShortTitle, Via: path, Requirements: rs}
	var unverified []string
	for _, rr := range rs {
		if rr.UnverifiedMapping {
			unverified = append(unverified, rr.ID)
		}
		if !rr.Mandatory {
			continue
		}
		sr.Mandatory++
		switch rr.Status {
		case StatusMet:
			sr.MandatorySatisfied++
		case StatusNotApplicable:
			sr.MandatorySatisfied++
			sr.MandatoryNotApplicable++
		case StatusNotMet:
			sr.NotMet = append(sr.NotMet, rr.ID)
		case StatusPartial:
			sr.Partial = append(sr.Partial, rr.ID)
		default:
			sr.NoEvidence = append(sr.NoEvidence, rr.ID)
		}
	}
	if c.Info.ClaimModel == ClaimLevels {
		c.claimLevels(&sr)
	} else {
		c.claimAllMandatory(&sr)
	}
	if len(path) > 1 {
		sr.Caveats = append(sr.Caveats, fmt.Sprintf("derived through mappings from an assessment against %s; not a conformity assessment against %s", assessed.Info.ShortTitle, c.Info.ShortTitle))
	}
	if len(path) > 2 {
		sr.Caveats = append(sr.Caveats, fmt.Sprintf("derived over %d mapping steps (%s); each step can only narrow what is claimable", len(path)-1, strings.Join(path, " -> ")))
	}
	if len(unverified) > 0 {
		sr.Caveats = append(sr.Caveats, "conclusions for "+strings.Join(unverified, ", ")+" rest on mapping entries marked unverified")
	}
	if c.Info.Unverified == c.Info.Requirements {
		sr.Caveats = append(sr.Caveats, "no requirement of this catalog has been checked against its primary text")
	}
	return sr
}

// claimAllMandatory words the claim of a catalog whose claim needs every
// mandatory requirement, e.g. "UK PSTI: 3/3 met".
func (c *Catalog) claimAllMandatory(sr *SchemeResult) {
	short := c.Info.ShortTitle
	if len(sr.NotMet)+len(sr.Partial)+len(sr.NoEvidence) == 0 {
		sr.Claimable = true
		what := ""
		if c.Info.Mandatory != c.Info.Requirements {
			what = "mandatory " + plural(c.noun, 2) + " "
		}
		claim := fmt.Sprintf("%s: %d/%d %smet", short, sr.MandatorySatisfied, sr.Mandatory, what)
		if sr.MandatoryNotApplicable > 0 {
			claim += fmt.Sprintf(" (%d not applicable)", sr.MandatoryNotApplicable)
		}
		sr.Claims = append(sr.Claims, claim)
		return
	}
	for _, part := range []struct {
		ids  []string
		verb string
	}{{sr.NotMet, "failed"}, {sr.NoEvidence, "without evidence"}, {sr.Partial, "only partly evidenced"}} {
		if len(part.ids) == 0 {
			continue
		}
		sr.Claims = append(sr.Claims, fmt.Sprintf("%s: %d mandatory %s %s: %s",
			short, len(part.ids), plural(c.noun, len(part.ids)), part.verb, strings.Join(part.ids, ", ")))
	}
}

// claimLevels words the claim of a levelled scheme, e.g. "Singapore CLS:
// level 2 met; level 3 needs a binary analysis by an approved lab".
func (c *Catalog) claimLevels(sr *SchemeResult) {
	status := byID(sr.Requirements)
	groups := append([]Group(nil), c.Groups...)
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Level < groups[j].Level })
	top := groups[len(groups)-1].Level
	level := 0
	for lv := 1; lv <= top; lv++ {
		if len(c.unsatisfied(groups, lv, status)) > 0 {
			break
		}
		level = lv
	}
	sr.Level, sr.Claimable = level, level > 0
	short := c.Info.ShortTitle
	if level == top {
		sr.Claims = append(sr.Claims, fmt.Sprintf("%s: level %d met", short, level))
		return
	}
	var needs []string
	for _, id := range c.unsatisfied(groups, level+1, status) {
		r, _ := c.Lookup(id)
		rr := status[id]
		need := r.ClaimNeed
		if need == "" {
			need = fmt.Sprintf("%s (%s)", r.ID, r.Title)
		}
		switch {
		case rr.Status == StatusNotMet && len(rr.Missing) > 0:
			need += " (failed: " + strings.Join(rr.Missing, ", ") + ")"
		case rr.Status == StatusNotMet:
			need += " (failed)"
		case len(rr.Missing) > 0:
			need += " (missing: " + strings.Join(rr.Missing, ", ") + ")"
		}
		needs = append(needs, need)
	}
	got := "no level met"
	if level > 0 {
		got = fmt.Sprintf("level %d met", level)
	}
	sr.Claims = append(sr.Claims, fmt.Sprintf("%s: %s; level %d needs %s", short, got, level+1, joinAnd(needs)))
}

// unsatisfied lists the requirements of the groups at level lv that are
// neither met nor not applicable.
func (c *Catalog) unsatisfied(groups []Group, lv int, status map[string]RequirementResult) []string {
	var out []string
	for _, g := range groups {
		if g.Level != lv {
			continue
		}
		for _, id := range g.Requirements {
			if !status[id].Status.satisfied() {
				out = append(out, id)
			}
		}
	}
	return out
}

func plural(noun string, n int) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// joinAnd joins phrases as "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
