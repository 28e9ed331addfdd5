package criteria_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"trustmark/internal/criteria"
)

// assessment records an outcome for every requirement of a catalog: pass,
// unless overridden by id.
func assessment(t *testing.T, s *criteria.Set, catalog string, override map[string]criteria.RequirementOutcome) criteria.Assessment {
	t.Helper()
	c, err := s.Catalog(catalog)
	if err != nil {
		t.Fatal(err)
	}
	a := criteria.Assessment{Catalog: catalog}
	for _, r := range c.Requirements {
		ro, ok := override[r.ID]
		if !ok {
			ro = criteria.RequirementOutcome{Outcome: criteria.Pass}
		}
		ro.Requirement = r.ID
		a.Results = append(a.Results, ro)
	}
	return a
}

func na(why string) criteria.RequirementOutcome {
	return criteria.RequirementOutcome{Outcome: criteria.NotApplicable, Justification: why}
}

var (
	notTested = criteria.RequirementOutcome{Outcome: criteria.NotTested}
	fail      = criteria.RequirementOutcome{Outcome: criteria.Fail, Justification: "default admin/admin on telnet"}
)

func TestEvaluate(t *testing.T) {
	type key struct{ catalog, req string }
	tests := []struct {
		name       string
		catalog    string
		override   map[string]criteria.RequirementOutcome
		wantClaims map[string][]string
		wantStatus map[key]criteria.Status
		wantLevel  int
	}{
		{
			name:    "EN 303 645 fully passed",
			catalog: "etsi-en-303-645",
			wantClaims: map[string][]string{
				"etsi-en-303-645": {"EN 303 645: 33/33 mandatory provisions met"},
				"uk-psti":         {"UK PSTI: 1 mandatory requirement only partly evidenced: Sch1.3"},
				"sg-cls":          {"Singapore CLS: level 2 met; level 3 needs evidence of Security-by-Design development and a binary analysis by an approved lab"},
			},
			wantStatus: map[key]criteria.Status{
				{"uk-psti", "Sch1.1"}:        criteria.StatusMet,
				{"uk-psti", "Sch1.2"}:        criteria.StatusMet,
				{"uk-psti", "Sch1.3"}:        criteria.StatusPartial,
				{"nist-ir-8425", "8a"}:       criteria.StatusMet,
				{"nist-ir-8425", "3a"}:       criteria.StatusPartial,
				{"nist-ir-8425", "1b"}:       criteria.StatusNoEvidence,
				{"eu-cra-annex-i", "II.6"}:   criteria.StatusMet,
				{"eu-cra-annex-i", "I.2(a)"}: criteria.StatusNoEvidence,
			},
			wantLevel: 2,
		},
		{
			name:     "EN 303 645 with two mandatory provisions untested",
			catalog:  "etsi-en-303-645",
			override: map[string]criteria.RequirementOutcome{"5.4-3": notTested, "5.13-1": notTested},
			wantClaims: map[string][]string{
				"etsi-en-303-645": {"EN 303 645: 2 mandatory provisions without evidence: 5.4-3, 5.13-1"},
				"sg-cls":          {"Singapore CLS: level 1 met; level 2 needs every mandatory EN 303 645 provision evidenced (missing: 5.4-3, 5.13-1)"},
			},
			wantLevel: 1,
		},
		{
			name:    "EN 303 645 with results left out",
			catalog: "etsi-en-303-645",
			override: map[string]criteria.RequirementOutcome{
				// An empty outcome marks the requirement for removal below.
				"5.13-1": {},
			},
			wantClaims: map[string][]string{
				"etsi-en-303-645": {"EN 303 645: 1 mandatory provision without evidence: 5.13-1"},
			},
			wantLevel: 1,
		},
		{
			name:    "EN 303 645 conditional provisions not applicable",
			catalog: "etsi-en-303-645",
			override: map[string]criteria.RequirementOutcome{
				"5.1-1": na("no passwords: pairing by physical button only"),
				"5.1-2": na("no pre-installed passwords"),
				"5.1-4": na("users cannot authenticate to the device"),
			},
			wantClaims: map[string][]string{
				"etsi-en-303-645": {"EN 303 645: 33/33 mandatory provisions met (3 not applicable)"},
			},
			wantStatus: map[key]criteria.Status{
				{"etsi-en-303-645", "5.1-1"}: criteria.StatusNotApplicable,
				{"uk-psti", "Sch1.1"}:        criteria.StatusNotApplicable,
			},
			wantLevel: 2,
		},
		{
			name:     "EN 303 645 not applicable on an unconditional provision",
			catalog:  "etsi-en-303-645",
			override: map[string]criteria.RequirementOutcome{"5.4-3": na("we do not ship source code")},
			wantClaims: map[string][]string{
				"etsi-en-303-645": {"EN 303 645: 1 mandatory provision failed: 5.4-3"},
			},
			wantStatus: map[key]criteria.Status{{"etsi-en-303-645", "5.4-3"}: criteria.StatusNotMet},
			wantLevel:  1,
		},
		{
			name:     "EN 303 645 password provision failed",
			catalog:  "etsi-en-303-645",
			override: map[string]criteria.RequirementOutcome{"5.1-1": fail},
			wantClaims: map[string][]string{
				"etsi-en-303-645": {"EN 303 645: 1 mandatory provision failed: 5.1-1"},
				"uk-psti":         {"UK PSTI: 2 mandatory requirements only partly evidenced: Sch1.1, Sch1.3"},
				"sg-cls":          {"Singapore CLS: no level met; level 1 needs the level 1 EN 303 645 provisions evidenced (failed: 5.1-1)"},
			},
			wantStatus: map[key]criteria.Status{
				{"uk-psti", "Sch1.1"}: criteria.StatusPartial,
				{"sg-cls", "L1"}:      criteria.StatusNotMet,
				{"sg-cls", "L2"}:      criteria.StatusNotMet,
			},
		},
		{
			name:       "UK PSTI assessed directly",
			catalog:    "uk-psti",
			wantClaims: map[string][]string{"uk-psti": {"UK PSTI: 3/3 met"}},
		},
		{
			name:       "Singapore CLS without the lab binary analysis",
			catalog:    "sg-cls",
			override:   map[string]criteria.RequirementOutcome{"L3-BIN": notTested, "L4-PEN": notTested},
			wantClaims: map[string][]string{"sg-cls": {"Singapore CLS: level 2 met; level 3 needs a binary analysis by an approved lab"}},
			wantLevel:  2,
		},
		{
			name:       "Singapore CLS all levels",
			catalog:    "sg-cls",
			wantClaims: map[string][]string{"sg-cls": {"Singapore CLS: level 4 met"}},
			wantLevel:  4,
		},
		{
			name:    "NIST IR 8425 fully passed",
			catalog: "nist-ir-8425",
			wantClaims: map[string][]string{
				"nist-ir-8425": {"NIST IR 8425: 32/32 met"},
			},
			wantStatus: map[key]criteria.Status{
				{"eu-cra-annex-i", "I.2(e)"}: criteria.StatusMet,
				{"eu-cra-annex-i", "I.2(b)"}: criteria.StatusPartial,
				{"eu-cra-annex-i", "I.2(a)"}: criteria.StatusNoEvidence,
				{"etsi-en-303-645", "5.4-1"}: criteria.StatusMet,
				{"nist-ir-8425a", "R1"}:      criteria.StatusPartial,
			},
		},
	}
	s := embeddedSet(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := assessment(t, s, tt.catalog, tt.override)
			kept := a.Results[:0]
			for _, ro := range a.Results {
				if ro.Outcome != "" {
					kept = append(kept, ro)
				}
			}
			a.Results = kept
			res, err := s.Evaluate(a)
			if err != nil {
				t.Fatalf("Evaluate() error: %v", err)
			}
			if len(res.Unreachable) != 0 {
				t.Errorf("Evaluate().Unreachable = %v, want none", res.Unreachable)
			}
			schemes := map[string]criteria.SchemeResult{}
			for _, sc := range res.Schemes {
				schemes[sc.Catalog] = sc
			}
			if len(schemes) != len(s.Catalogs()) {
				t.Errorf("Evaluate() covered %d schemes, want %d", len(schemes), len(s.Catalogs()))
			}
			if res.Schemes[0].Catalog != tt.catalog || len(res.Schemes[0].Via) != 1 {
				t.Errorf("first scheme = %s via %v, want the assessed catalog %s", res.Schemes[0].Catalog, res.Schemes[0].Via, tt.catalog)
			}
			for cat, want := range tt.wantClaims {
				if diff := cmp.Diff(want, schemes[cat].Claims); diff != "" {
					t.Errorf("%s claims (-want +got):\n%s", cat, diff)
				}
			}
			for k, want := range tt.wantStatus {
				var got criteria.RequirementResult
				for _, rr := range schemes[k.catalog].Requirements {
					if rr.ID == k.req {
						got = rr
					}
				}
				if got.Status != want {
					t.Errorf("%s %s status = %q (%s), want %q", k.catalog, k.req, got.Status, got.Basis, want)
				}
			}
			if got := schemes["sg-cls"].Level; got != tt.wantLevel {
				t.Errorf("sg-cls level = %d, want %d (claims %v)", got, tt.wantLevel, schemes["sg-cls"].Claims)
			}
			for _, sc := range res.Schemes[1:] {
				if len(sc.Caveats) == 0 {
					t.Errorf("%s: derived scheme without caveats", sc.Catalog)
				}
			}
		})
	}
}

func TestEvaluateInputErrors(t *testing.T) {
	pass := criteria.Pass
	tests := []struct {
		name        string
		in          criteria.Assessment
		requirement string
		message     string
	}{
		{
			name:    "unknown catalog",
			in:      criteria.Assessment{Catalog: "etsi-en-303-646"},
			message: "unknown catalog",
		},
		{
			name: "unknown requirement",
			in: criteria.Assessment{Catalog: "etsi-en-303-645", Results: []criteria.RequirementOutcome{
				{Requirement: "5.1-1", Outcome: pass}, {Requirement: "5.14-1", Outcome: pass}}},
			requirement: "5.14-1", message: "not a requirement",
		},
		{
			name: "not applicable without justification",
			in: criteria.Assessment{Catalog: "etsi-en-303-645", Results: []criteria.RequirementOutcome{
				{Requirement: "5.1-1", Outcome: criteria.NotApplicable, Justification: "  "}}},
			requirement: "5.1-1", message: "needs a justification",
		},
		{
			name: "duplicate result",
			in: criteria.Assessment{Catalog: "uk-psti", Results: []criteria.RequirementOutcome{
				{Requirement: "Sch1.1", Outcome: pass}, {Requirement: "Sch1.2", Outcome: pass}, {Requirement: "Sch1.1", Outcome: pass}}},
			requirement: "Sch1.1", message: "duplicate",
		},
		{
			name: "contradictory results",
			in: criteria.Assessment{Catalog: "nist-ir-8425", Results: []criteria.RequirementOutcome{
				{Requirement: "4a", Outcome: pass}, {Requirement: "4a", Outcome: criteria.Fail}}},
			requirement: "4a", message: "contradictory",
		},
		{
			name: "contradictory results under two spellings",
			in: criteria.Assessment{Catalog: "etsi-en-303-645", Results: []criteria.RequirementOutcome{
				{Requirement: "5.1-1", Outcome: pass}, {Requirement: "etsi-5.1-1", Outcome: criteria.NotTested}}},
			requirement: "etsi-5.1-1", message: "contradictory",
		},
		{
			name: "unknown outcome",
			in: criteria.Assessment{Catalog: "sg-cls", Results: []criteria.RequirementOutcome{
				{Requirement: "L1", Outcome: "passed"}}},
			requirement: "L1", message: "unknown outcome",
		},
		{
			name: "missing requirement id",
			in: criteria.Assessment{Catalog: "sg-cls", Results: []criteria.RequirementOutcome{
				{Requirement: "", Outcome: pass}}},
			message: "no requirement ID",
		},
	}
	s := embeddedSet(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Evaluate(tt.in)
			var ie *criteria.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Evaluate() error = %v, want *InputError", err)
			}
			if ie.Requirement != tt.requirement || !strings.Contains(ie.Message, tt.message) {
				t.Errorf("Evaluate() error = %+v, want requirement %q and message containing %q", ie, tt.requirement, tt.message)
			}
			if tt.requirement != "" && !strings.Contains(err.Error(), tt.requirement) {
				t.Errorf("Error() = %q does not name %q", err.Error(), tt.requirement)
			}
		})
	}
}
