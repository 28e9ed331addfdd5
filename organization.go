package trustmark

import (
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// OrgKind is the role an organization plays in the program (47 CFR 8.203, 8.217–8.221).
type OrgKind string

// The kinds of organization.
const (
	OrgRegulator         OrgKind = "regulator"          // the FCC / PSHSB
	OrgLeadAdministrator OrgKind = "lead_administrator" // the Lead Administrator (8.221)
	OrgCLA               OrgKind = "cla"                // a Cybersecurity Label Administrator (8.220)
	OrgLab               OrgKind = "lab"                // a recognized CyberLAB (8.217)
	OrgManufacturer      OrgKind = "manufacturer"       // an applicant / grantee (8.207)
)

// OrgKinds lists every organization kind.
var OrgKinds = []OrgKind{OrgRegulator, OrgLeadAdministrator, OrgCLA, OrgLab, OrgManufacturer}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, v := range OrgKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Organization is a party of the program.
type Organization struct {
	ID        string    `json:"id"`
	Kind      OrgKind   `json:"kind"`
	Name      string    `json:"name"`
	Contact   string    `json:"contact"` // a URL or an email address the public may use
	Website   string    `json:"website,omitempty"`
	Address   string    `json:"address,omitempty"` // postal address
	Country   string    `json:"country,omitempty"` // ISO 3166-1 alpha-2
	CreatedAt time.Time `json:"created_at"`
}

// Field limits shared by the domain types.
const (
	maxName  = 200
	maxText  = 2048 // CTA-2120 caps every string at 2048 characters
	maxShort = 64
)

// Validate checks the organization's fields. ID and CreatedAt are assigned by
// the store and are not checked here.
func (o *Organization) Validate() error {
	if !o.Kind.Valid() {
		return FieldError("kind", "must be one of regulator, lead_administrator, cla, lab, manufacturer; got %q", truncate(o.Kind.String(), 40))
	}
	if err := checkText("name", o.Name, 1, maxName); err != nil {
		return err
	}
	if err := checkContact("contact", o.Contact); err != nil {
		return err
	}
	if o.Website != "" {
		if err := checkURL("website", o.Website); err != nil {
			return err
		}
	}
	if err := checkText("address", o.Address, 0, maxText); err != nil {
		return err
	}
	if o.Country != "" && (len(o.Country) != 2 || strings.ToUpper(o.Country) != o.Country) {
		return FieldError("country", "must be an ISO 3166-1 alpha-2 code such as US; got %q", truncate(o.Country, 20))
	}
	return nil
}

// String returns the kind as text.
func (k OrgKind) String() string { return string(k) }

// checkText checks that s is valid UTF-8 without control characters (other
// than newlines and tabs) and holds between min and max characters.
func checkText(field, s string, min, max int) error {
	if !utf8.ValidString(s) {
		return FieldError(field, "is not valid UTF-8")
	}
	n := utf8.RuneCountInString(s)
	if n < min {
		if min == 1 {
			return FieldError(field, "is required")
		}
		return FieldError(field, "needs at least %d characters", min)
	}
	if n > max {
		return FieldError(field, "is %d characters long; at most %d are allowed", n, max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return FieldError(field, "contains a control character")
		}
	}
	if min > 0 && strings.TrimSpace(s) == "" {
		return FieldError(field, "is required")
	}
	return nil
}

// checkURL checks that s is an absolute http(s) URL of 15 to 2048
// characters, CTA-2120's "saneUrl".
func checkURL(field, s string) error {
	if len(s) < 15 || len(s) > maxText {
		return FieldError(field, "must be an http(s) URL of 15 to 2048 characters")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.HasPrefix(s, u.Scheme+"://") {
		return FieldError(field, "must be an absolute http:// or https:// URL; got %q", truncate(s, 60))
	}
	return checkText(field, s, 1, maxText)
}

// checkContact accepts an http(s) URL or an email address, as CTA-2120's
// security_contact does.
func checkContact(field, s string) error {
	if s == "" {
		return FieldError(field, "is required: give a URL or an email address")
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return checkURL(field, s)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > maxText {
		return FieldError(field, "must be an http(s) URL or a plain email address; got %q", truncate(s, 60))
	}
	return nil
}
