package trustmark

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Outcome is a lab's result for one requirement.
type Outcome string

// The outcomes (the criteria evaluator reads the same words).
const (
	OutcomePass          Outcome = "pass"
	OutcomeFail          Outcome = "fail"
	OutcomeNotApplicable Outcome = "not_applicable"
	OutcomeNotTested     Outcome = "not_tested"
)

// Evidence is one piece of raw evidence behind a result: a file with its
// SHA-256 hash. Evidence is stored apart from the verdict, so a verdict can
// be recomputed when the criteria change.
type Evidence struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	MediaType   string `json:"media_type"`
	SHA256      string `json:"sha256"`
	Size        int    `json:"size"`
	Description string `json:"description,omitempty"`
	// Content is the file itself, when it was uploaded; never listed.
	Content []byte `json:"content,omitempty"`
}

// Validate checks the evidence and, when content is present, that the hash
// and size match it.
func (e *Evidence) Validate() error {
	if err := checkText("evidence.name", e.Name, 1, maxName); err != nil {
		return err
	}
	if err := checkText("evidence.media_type", e.MediaType, 1, maxShort); err != nil {
		return err
	}
	if err := checkText("evidence.description", e.Description, 0, maxText); err != nil {
		return err
	}
	if len(e.SHA256) != 64 {
		return FieldError("evidence.sha256", "must be 64 hex digits")
	}
	if _, err := hex.DecodeString(e.SHA256); err != nil {
		return FieldError("evidence.sha256", "must be 64 hex digits")
	}
	if e.Content != nil {
		sum := sha256.Sum256(e.Content)
		if hex.EncodeToString(sum[:]) != e.SHA256 {
			return FieldError("evidence.sha256", "does not match the content of %q", e.Name)
		}
		if e.Size != len(e.Content) {
			return FieldError("evidence.size", "is %d but the content of %q has %d bytes", e.Size, e.Name, len(e.Content))
		}
	}
	if e.Size < 0 {
		return FieldError("evidence.size", "must not be negative")
	}
	return nil
}

// ReportResult is the lab's result for one requirement of the catalog it
// tested against, with the evidence behind it.
type ReportResult struct {
	Requirement   string     `json:"requirement"`
	Outcome       Outcome    `json:"outcome"`
	Justification string     `json:"justification,omitempty"`
	Notes         string     `json:"notes,omitempty"`
	Evidence      []Evidence `json:"evidence"`
}

// TestReport is a lab's signed report of conformity testing (8.208(j)).
type TestReport struct {
	ID            string         `json:"id"`
	ApplicationID string         `json:"application_id"`
	LabID         string         `json:"lab_id"`
	Catalog       string         `json:"catalog"` // the criteria catalog tested against, e.g. nist-ir-8425
	Results       []ReportResult `json:"results"`
	// SignedBy is the person who performed or supervised the tests (the
	// signing token's holder) and SignerTitle their role.
	SignedBy    string    `json:"signed_by"`
	SignerTitle string    `json:"signer_title"`
	SignedAt    time.Time `json:"signed_at"`
}

// Validate checks the report's fields. Whether requirement IDs exist in the
// catalog is checked by the criteria evaluator.
func (r *TestReport) Validate() error {
	if r.ApplicationID == "" || r.LabID == "" {
		return FieldError("application_id", "is required")
	}
	if err := checkText("catalog", r.Catalog, 1, maxShort); err != nil {
		return err
	}
	if len(r.Results) == 0 || len(r.Results) > 500 {
		return FieldError("results", "needs 1 to 500 results")
	}
	for _, res := range r.Results {
		if err := checkText("results.requirement", res.Requirement, 1, maxShort); err != nil {
			return err
		}
		switch res.Outcome {
		case OutcomePass, OutcomeFail, OutcomeNotApplicable, OutcomeNotTested:
		default:
			return FieldError("results.outcome", "%q for %s is not pass, fail, not_applicable or not_tested", truncate(string(res.Outcome), 20), res.Requirement)
		}
		if err := checkText("results.justification", res.Justification, 0, maxText); err != nil {
			return err
		}
		if err := checkText("results.notes", res.Notes, 0, maxText); err != nil {
			return err
		}
		if len(res.Evidence) > 50 {
			return FieldError("results.evidence", "has more than 50 items for %s", res.Requirement)
		}
		for i := range res.Evidence {
			if err := res.Evidence[i].Validate(); err != nil {
				return err
			}
		}
	}
	if err := checkText("signed_by", r.SignedBy, 1, maxName); err != nil {
		return err
	}
	return checkText("signer_title", r.SignerTitle, 1, maxName)
}
