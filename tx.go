package trustmark

import "time"

// Tx is the store as seen inside one transaction: everything it does
// happens together or not at all. The program's rules run inside Tx so that
// a check and the change it allows can never be separated, and every change
// is written with its audit entry. Lookups return KindNotFound for missing
// things; writes return KindConflict for duplicates and KindInvalid for
// input that does not validate.
type Tx interface {
	UserTx
	VulnTx

	CreateOrganization(o *Organization) error
	Organization(id string) (*Organization, error)

	// CreateToken stores a token (its hash, never its secret).
	CreateToken(t *Token) error
	Token(id string) (*Token, error)
	// TokenByHash finds a token by the hash of its secret, revoked or not.
	TokenByHash(hash []byte) (*Token, error)
	Tokens(orgID string) ([]Token, error)
	// RevokeToken marks a token revoked at at; revoking twice keeps the first time.
	RevokeToken(id string, at time.Time) error

	// PutLab stores or replaces a lab's recognition record.
	PutLab(l *LabRecognition) error
	Lab(orgID string) (*LabRecognition, error)
	Labs() ([]LabRecognition, error)

	CreateProduct(p *Product) error
	Product(id string) (*Product, error)
	Products(manufacturerID string) ([]Product, error)

	CreateApplication(a *Application) error
	Application(id string) (*Application, error)
	UpdateApplication(a *Application) error
	Applications(f ApplicationFilter) ([]Application, error)

	// CreateReport stores a report; evidence content goes apart from the results.
	CreateReport(r *TestReport) error
	// Reports lists an application's reports, oldest first, without evidence content.
	Reports(applicationID string) ([]TestReport, error)
	// Evidence returns one piece of evidence with its content.
	Evidence(id string) (*Evidence, error)

	IssueGrant(g *Grant, r *RegistryRecord) error
	Grant(id LabelID) (*Grant, error)
	RegistryRecord(id LabelID) (*RegistryRecord, error)
	// SaveGrant stores a changed grant and its record (Modified as given).
	SaveGrant(g *Grant, r *RegistryRecord) error
	Grants(f GrantFilter) ([]Grant, error)

	CreatePlan(p *SurveillancePlan) error
	Plans(claID string) ([]SurveillancePlan, error)
	CreateSample(s *Sample) error
	Sample(id string) (*Sample, error)
	UpdateSample(s *Sample) error
	Samples(f SampleFilter) ([]Sample, error)

	CreateComplaint(c *Complaint) error
	Complaint(id string) (*Complaint, error)
	UpdateComplaint(c *Complaint) error
	Complaints(f ComplaintFilter) ([]Complaint, error)

	PutRenewalPolicy(p *RenewalPolicy) error
	RenewalPolicies() ([]RenewalPolicy, error)

	// AppendLog sequences one transparency-log entry (1 to 65535 bytes) at
	// the next index and returns the index; it is durable when the
	// transaction commits. Registry record writes log their label events
	// themselves: this is for other entries.
	AppendLog(labelID LabelID, data []byte) (int64, error)
	// LogSupportEnded logs a support_ended event, once, for every record
	// whose support date is before today, and returns their label IDs.
	LogSupportEnded(today Date, at time.Time) ([]LabelID, error)

	// Audit appends an entry, assigning its sequence number.
	Audit(e *AuditEntry) error
	AuditEntries(f AuditFilter) ([]AuditEntry, error)
}

// GrantFilter selects grants; empty fields match everything.
type GrantFilter struct {
	CLAID          string
	ManufacturerID string
	Status         GrantStatus
	// CureBefore selects suspended grants whose cure deadline is before it.
	CureBefore time.Time
}

// SampleFilter selects surveillance samples; empty fields match everything.
type SampleFilter struct {
	PlanID         string
	CLAID          string
	ManufacturerID string
	LabelID        LabelID
}

// ComplaintFilter selects complaints; empty fields match everything.
type ComplaintFilter struct {
	CLAID          string
	ManufacturerID string
	State          ComplaintState
}
