package trustmark

import "time"

// AuditEntry records one action: who did what to which thing, when, and the
// state it moved from and to. Entries are never changed or deleted.
type AuditEntry struct {
	Seq     int64     `json:"seq"`
	At      time.Time `json:"at"`
	OrgID   string    `json:"organization_id"` // the acting organization; "" for the public
	Actor   string    `json:"actor"`           // the token holder and organization, or "anonymous"
	TokenID string    `json:"token_id,omitempty"`
	Action  string    `json:"action"`  // e.g. "application.submit", "grant.suspend"
	Subject string    `json:"subject"` // e.g. "application/app_…", "grant/H7QK-3M9D-W2RX"
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Subject string // exact subject, or "" for all
	Before  int64  // entries with Seq below this; 0 for the newest
	Limit   int    // 1..500
}

// RenewalPolicy says how often grants of one product class must be renewed
// (8.221(a)(4)(ii)); the Lead Administrator recommends it per class.
type RenewalPolicy struct {
	Class          ProductClass `json:"class"`
	IntervalMonths int          `json:"interval_months"` // 0: renewal only on significant change
	SetBy          string       `json:"set_by"`
	SetAt          time.Time    `json:"set_at"`
}

// Validate checks the policy.
func (p *RenewalPolicy) Validate() error {
	if !p.Class.Valid() {
		return FieldError("class", "%q is not a product class", truncate(string(p.Class), 40))
	}
	if p.IntervalMonths < 0 || p.IntervalMonths > 120 {
		return FieldError("interval_months", "must be between 0 (on significant change only) and 120")
	}
	return nil
}
