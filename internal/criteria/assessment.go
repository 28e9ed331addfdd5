package criteria

import (
	"fmt"
	"strings"
)

// Outcome is an assessor's result for one requirement.
type Outcome string

// The outcomes an assessment may record.
const (
	Pass          Outcome = "pass"
	Fail          Outcome = "fail"
	NotApplicable Outcome = "not_applicable"
	NotTested     Outcome = "not_tested"
)

// Valid reports whether o is one of the four outcomes.
func (o Outcome) Valid() bool {
	switch o {
	case Pass, Fail, NotApplicable, NotTested:
		return true
	}
	return false
}

// Assessment is the input to [Set.Evaluate]: one assessment of a product
// against one catalog. Requirements without a result count as not tested.
type Assessment struct {
	Catalog string               `json:"catalog"`
	Results []RequirementOutcome `json:"results"`
}

// RequirementOutcome is the result recorded for one requirement.
type RequirementOutcome struct {
	// Requirement is the requirement ID (e.g. "5.1-1") or OSCAL control id.
	Requirement string  `json:"requirement"`
	Outcome     Outcome `json:"outcome"`
	// Justification is required for not_applicable; optional otherwise.
	Justification string `json:"justification,omitempty"`
}

// index validates a against catalog c and returns the outcomes keyed by
// requirement ID. The first problem found, in input order, is returned as an
// *InputError.
func (a Assessment) index(c *Catalog) (map[string]RequirementOutcome, error) {
	out := make(map[string]RequirementOutcome, len(a.Results))
	given := make(map[string]string, len(a.Results)) // requirement ID -> spelling first used
	for _, ro := range a.Results {
		name := ro.Requirement
		if strings.TrimSpace(name) == "" {
			return nil, &InputError{Message: "a result has no requirement ID"}
		}
		r, ok := c.Lookup(name)
		if !ok {
			return nil, &InputError{Requirement: name, Message: fmt.Sprintf("not a requirement of catalog %s", c.Info.ID)}
		}
		if !ro.Outcome.Valid() {
			return nil, &InputError{Requirement: name, Message: fmt.Sprintf("unknown outcome %q (want pass, fail, not_applicable or not_tested)", ro.Outcome)}
		}
		if ro.Outcome == NotApplicable && strings.TrimSpace(ro.Justification) == "" {
			return nil, &InputError{Requirement: name, Message: "not_applicable needs a justification"}
		}
		if prev, dup := out[r.ID]; dup {
			if prev.Outcome != ro.Outcome {
				return nil, &InputError{Requirement: name, Message: fmt.Sprintf("contradictory results: %s and %s (first given as %q)", prev.Outcome, ro.Outcome, given[r.ID])}
			}
			return nil, &InputError{Requirement: name, Message: fmt.Sprintf("duplicate result (first given as %q)", given[r.ID])}
		}
		ro.Requirement = r.ID
		out[r.ID] = ro
		given[r.ID] = name
	}
	return out, nil
}
