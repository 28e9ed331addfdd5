package trustmark

import "time"

// LabStatus is the state of a CyberLAB's recognition by the Lead Administrator.
type LabStatus string

// The lab statuses.
const (
	LabRecognized LabStatus = "recognized"
	LabWithdrawn  LabStatus = "withdrawn" // recognition withdrawn or terminated (8.217(d))
)

// LabRecognition is the record the Lead Administrator keeps of a recognized
// CyberLAB: the fields of 47 CFR 8.217(e) and the recognition's state.
type LabRecognition struct {
	OrgID string `json:"organization_id"`
	// TestSites are the test-site locations (8.217(e)(1)).
	TestSites      []string `json:"test_sites"`
	MailingAddress string   `json:"mailing_address"`
	// AccreditationBody is the accrediting organization (8.217(e)(2)).
	AccreditationBody string `json:"accreditation_body"`
	// Scope lists what the lab is accredited to test: catalog IDs or product classes (8.217(e)(3)).
	Scope []string `json:"scope"`
	// AccreditationExpires is the accreditation's expiry date (8.217(e)(4)).
	AccreditationExpires Date   `json:"accreditation_expires"`
	DesignationNumber    string `json:"designation_number"` // 8.217(e)(5)
	FRN                  string `json:"frn"`                // FCC Registration Number, 8.217(e)(6)
	ContractTesting      bool   `json:"contract_testing"`   // 8.217(e)(7)
	// ForeignArrangement is, for a lab outside the U.S., the arrangement
	// under which its accreditation is recognized (8.217(e)(8)).
	ForeignArrangement string     `json:"foreign_arrangement,omitempty"`
	Status             LabStatus  `json:"status"`
	RecognizedAt       time.Time  `json:"recognized_at"`
	WithdrawnAt        *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawnReason    string     `json:"withdrawn_reason,omitempty"`
}

// Validate checks the recognition record.
func (l *LabRecognition) Validate() error {
	if l.OrgID == "" {
		return FieldError("organization_id", "is required")
	}
	if len(l.TestSites) == 0 || len(l.TestSites) > 20 {
		return FieldError("test_sites", "needs 1 to 20 test-site locations")
	}
	for _, s := range l.TestSites {
		if err := checkText("test_sites", s, 1, maxName); err != nil {
			return err
		}
	}
	if err := checkText("mailing_address", l.MailingAddress, 1, maxText); err != nil {
		return err
	}
	if err := checkText("accreditation_body", l.AccreditationBody, 1, maxName); err != nil {
		return err
	}
	if len(l.Scope) == 0 || len(l.Scope) > 50 {
		return FieldError("scope", "needs 1 to 50 entries (catalog IDs or product classes)")
	}
	for _, s := range l.Scope {
		if err := checkText("scope", s, 1, maxShort); err != nil {
			return err
		}
	}
	if err := l.AccreditationExpires.validate("accreditation_expires"); err != nil {
		return err
	}
	if err := checkText("designation_number", l.DesignationNumber, 1, maxShort); err != nil {
		return err
	}
	if len(l.FRN) != 10 || !allDigits(l.FRN) {
		return FieldError("frn", "must be a 10-digit FCC Registration Number")
	}
	if err := checkText("foreign_arrangement", l.ForeignArrangement, 0, maxText); err != nil {
		return err
	}
	if l.Status != LabRecognized && l.Status != LabWithdrawn {
		return FieldError("status", "must be recognized or withdrawn")
	}
	return checkText("withdrawn_reason", l.WithdrawnReason, 0, maxText)
}

// CanReport says whether the lab may attach test reports at now: it must be
// recognized and its accreditation unexpired. Errors: KindRule.
func (l *LabRecognition) CanReport(now time.Time) error {
	if l.Status != LabRecognized {
		return Errorf(KindRule, "lab recognition was withdrawn (8.217): a lab without recognition may not report")
	}
	if string(DateOf(now)) > string(l.AccreditationExpires) {
		return Errorf(KindRule, "the lab's accreditation expired on %s (8.217(f)): it may not report until renewed", l.AccreditationExpires)
	}
	return nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
