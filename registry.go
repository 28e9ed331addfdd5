package trustmark

import (
	"slices"
	"strings"
	"time"
)

// SchemaVersion is the CTA-2120 registry schema version our records follow.
const SchemaVersion = "1.0.0"

// Date is a calendar day in RFC 3339 full-date form ("2028-08-31"), the
// form CTA-2120 uses for authorization_date and support_date.
type Date string

// DateOf returns the UTC calendar day of t.
func DateOf(t time.Time) Date { return Date(t.UTC().Format(time.DateOnly)) }

// Time returns midnight UTC at the start of the day; it fails on a malformed date.
func (d Date) Time() (time.Time, error) { return time.Parse(time.DateOnly, string(d)) }

// validate checks that d is a real calendar day.
func (d Date) validate(field string) error {
	if d == "" {
		return FieldError(field, "is required (YYYY-MM-DD)")
	}
	t, err := d.Time()
	if err != nil || t.Format(time.DateOnly) != string(d) {
		return FieldError(field, "%q is not a date in the form YYYY-MM-DD", truncate(string(d), 40))
	}
	return nil
}

// Link is CTA-2120's urlType: a short text and/or a link.
type Link struct {
	Text string `json:"text,omitempty"`
	URL  string `json:"url,omitempty"`
}

func (l Link) validate(field string) error {
	if l.Text == "" && l.URL == "" {
		return FieldError(field, "needs a text, a url or both")
	}
	if err := checkText(field+".text", l.Text, 0, maxText); err != nil {
		return err
	}
	if l.URL != "" {
		return checkURL(field+".url", l.URL)
	}
	return nil
}

// Party names the CLA or lab in a record (CTA-2120 authorized_by, tested_by).
type Party struct {
	Name    string `json:"name"`
	Contact string `json:"contact"`
}

// Sensing is the kind of sensor data a product can collect (CTA-2120).
type Sensing string

// The sensing kinds CTA-2120 defines, one icon each.
const (
	SensingAudio    Sensing = "audio"
	SensingImages   Sensing = "images"
	SensingPosition Sensing = "position"
)

// Sensings lists the sensing kinds in label order.
var Sensings = []Sensing{SensingImages, SensingAudio, SensingPosition}

// Sensor is one entry of sensor_data_collection. Has is a pointer because
// CTA-2120 defaults it to true when absent.
type Sensor struct {
	Sensing     Sensing           `json:"sensing"`
	Has         *bool             `json:"has"`
	Description string            `json:"description,omitempty"`
	Icons       map[string]string `json:"icons,omitempty"`
}

// Present reports whether the product has the sensor (default true).
func (s Sensor) Present() bool { return s.Has == nil || *s.Has }

// AccessControl options, CTA-2120's password_options values.
const (
	AccessPassword        = "password"
	AccessBiometric       = "biometric"
	AccessPasskey         = "passkey"
	AccessMFA             = "MFA"
	AccessNoControl       = "no_control"
	AccessMultiAccount    = "multi_account"
	AccessSingleAccount   = "single_account"
	AccessOptionalAccount = "optional_account"
	AccessNoAccount       = "no_account"
	AccessNotDisclosed    = "not_disclosed"
)

// AccessOptions lists the CTA-2120 access-control values.
var AccessOptions = []string{AccessPassword, AccessBiometric, AccessPasskey, AccessMFA, AccessNoControl,
	AccessMultiAccount, AccessSingleAccount, AccessOptionalAccount, AccessNoAccount, AccessNotDisclosed}

// Password types (CTA-2120 access_control.password_type).
const (
	PasswordFactoryDefault = "factory_default"
	PasswordUserGenerated  = "user_generated"
)

// AccessControl is CTA-2120's access_control object. The schema nests
// password_type and user_changeable under non-standard "$if"/"$then" keys;
// we flatten them into this object (see docs/registry.md) and enforce the
// rules the schema meant: password_type is required when password_options
// holds "password", and user_changeable when the password is a factory default.
type AccessControl struct {
	PasswordOptions        []string `json:"password_options"`
	PasswordFactoryDefault string   `json:"password_factory_default,omitempty"`
	PasswordType           string   `json:"password_type,omitempty"`
	UserChangeable         *bool    `json:"user_changeable,omitempty"`
	// PasswordChange says how to change the default password, or that it
	// cannot be changed (8.222(b)(6)).
	PasswordChange Link `json:"password_change"`
}

// Update modes, CTA-2120's security_update_information values.
const (
	UpdateAutoOptOut   = "Automatic - may opt out"
	UpdateAutoNoOptOut = "Automatic - may not opt out"
	UpdateManual       = "Manual"
	UpdateConsent      = "Consent based"
	UpdateNone         = "No updates"
	UpdateNotDisclosed = "Not disclosed"
	UpdateOther        = "Other"
)

// UpdateModes lists the CTA-2120 update modes.
var UpdateModes = []string{UpdateAutoOptOut, UpdateAutoNoOptOut, UpdateManual, UpdateConsent, UpdateNone, UpdateNotDisclosed, UpdateOther}

// UpdateInfo is CTA-2120's security_update_information (8.222(b)(8)).
type UpdateInfo struct {
	UpdateDefault string   `json:"update_default"`
	UpdateOptions []string `json:"update_options"`
}

// SBOMHBOM says whether the manufacturer maintains a software and a hardware
// bill of materials (8.222(b)(10)): their existence, never their contents.
type SBOMHBOM struct {
	SBOMMaintained bool `json:"sbom_maintained"`
	HBOMMaintained bool `json:"hbom_maintained"`
}

// SBOMHBOMAvailable is our definition of CTA-2120's required but undefined
// sbom_hbom_available key: whether each bill of materials exists and can be
// made available on request to the Commission, a CyberLAB or the CLA
// (FCC 24-26 fn. 368). A maintained bill must be available on request, so
// the values equal sbom_hbom_maintained.
type SBOMHBOMAvailable struct {
	SBOMAvailable bool `json:"sbom_available"`
	HBOMAvailable bool `json:"hbom_available"`
}

// VersionAndModelNumbers is our definition of CTA-2120's required but
// undefined version_and_model_numbers key: the model numbers the grant
// covers and the hardware and software versions that were tested.
type VersionAndModelNumbers struct {
	ModelNumbers    []string `json:"model_numbers"`
	HardwareVersion string   `json:"hardware_version,omitempty"`
	SoftwareVersion string   `json:"software_version,omitempty"`
}

// Disclosures are the registry fields the manufacturer supplies and may
// update after the grant (8.222(b)(6)–(10) and the matching CTA-2120 keys).
type Disclosures struct {
	SensorDataCollection           []Sensor      `json:"sensor_data_collection"`
	AccessControl                  AccessControl `json:"access_control"`
	SecuringThisProduct            Link          `json:"securing_this_product"`
	SecurityUpdateInformation      UpdateInfo    `json:"security_update_information"`
	SecurityUpdateInformationOther string        `json:"security_update_information_other,omitempty"`
	// SupportDate is the end of the minimum support period (8.222(b)(9)).
	SupportDate                Date     `json:"support_date"`
	DeleteData                 Link     `json:"delete_data"`
	AccountDeactivation        Link     `json:"account_deactivation"`
	EncryptionAndKeyManagement Link     `json:"encryption_and_key_management"`
	GeneralUserInformation     Link     `json:"general_user_information"`
	SecurityContact            string   `json:"security_contact"`
	SBOMHBOMMaintained         SBOMHBOM `json:"sbom_hbom_maintained"`
}

// Normalize writes out what CTA-2120 leaves to defaults, so stored and
// served records say the same: a sensor's has (default true) and empty
// lists instead of absent ones.
func (d *Disclosures) Normalize() {
	yes := true
	for i := range d.SensorDataCollection {
		if d.SensorDataCollection[i].Has == nil {
			d.SensorDataCollection[i].Has = &yes
		}
	}
	if d.SensorDataCollection == nil {
		d.SensorDataCollection = []Sensor{}
	}
	if d.AccessControl.PasswordOptions == nil {
		d.AccessControl.PasswordOptions = []string{}
	}
	if d.SecurityUpdateInformation.UpdateOptions == nil {
		d.SecurityUpdateInformation.UpdateOptions = []string{}
	}
}

// Validate checks every disclosure against CTA-2120 and 8.222(b).
func (d *Disclosures) Validate() error {
	if len(d.SensorDataCollection) > len(Sensings) {
		return FieldError("sensor_data_collection", "has %d entries; list each of audio, images, position at most once", len(d.SensorDataCollection))
	}
	seen := map[Sensing]bool{}
	for _, s := range d.SensorDataCollection {
		if !slices.Contains(Sensings, s.Sensing) {
			return FieldError("sensor_data_collection", "sensing %q is not one of audio, images, position", truncate(string(s.Sensing), 40))
		}
		if seen[s.Sensing] {
			return FieldError("sensor_data_collection", "lists %q twice", s.Sensing)
		}
		seen[s.Sensing] = true
		if err := checkText("sensor_data_collection.description", s.Description, 0, maxText); err != nil {
			return err
		}
	}
	if err := d.AccessControl.validate(); err != nil {
		return err
	}
	if err := d.SecuringThisProduct.validate("securing_this_product"); err != nil {
		return err
	}
	u := d.SecurityUpdateInformation
	if !slices.Contains(UpdateModes, u.UpdateDefault) {
		return FieldError("security_update_information.update_default", "must be one of %s", quoteList(UpdateModes))
	}
	other := u.UpdateDefault == UpdateOther
	for _, o := range u.UpdateOptions {
		if !slices.Contains(UpdateModes, o) {
			return FieldError("security_update_information.update_options", "%q is not one of %s", truncate(o, 40), quoteList(UpdateModes))
		}
		other = other || o == UpdateOther
	}
	if other && strings.TrimSpace(d.SecurityUpdateInformationOther) == "" {
		return FieldError("security_update_information_other", "is required when an update mode is \"Other\"")
	}
	if err := checkText("security_update_information_other", d.SecurityUpdateInformationOther, 0, maxText); err != nil {
		return err
	}
	if err := d.SupportDate.validate("support_date"); err != nil {
		return err
	}
	for _, l := range []struct {
		name string
		l    Link
	}{
		{"delete_data", d.DeleteData}, {"account_deactivation", d.AccountDeactivation},
		{"encryption_and_key_management", d.EncryptionAndKeyManagement}, {"general_user_information", d.GeneralUserInformation},
	} {
		if err := l.l.validate(l.name); err != nil {
			return err
		}
	}
	return checkContact("security_contact", d.SecurityContact)
}

func (a *AccessControl) validate() error {
	if len(a.PasswordOptions) == 0 {
		return FieldError("access_control.password_options", "needs at least one of %s", quoteList(AccessOptions))
	}
	for _, o := range a.PasswordOptions {
		if !slices.Contains(AccessOptions, o) {
			return FieldError("access_control.password_options", "%q is not one of %s", truncate(o, 40), quoteList(AccessOptions))
		}
	}
	if a.PasswordFactoryDefault != "" && !slices.Contains(AccessOptions, a.PasswordFactoryDefault) {
		return FieldError("access_control.password_factory_default", "%q is not one of %s", truncate(a.PasswordFactoryDefault, 40), quoteList(AccessOptions))
	}
	hasPassword := slices.Contains(a.PasswordOptions, AccessPassword)
	switch {
	case hasPassword && a.PasswordType != PasswordFactoryDefault && a.PasswordType != PasswordUserGenerated:
		return FieldError("access_control.password_type", "must be factory_default or user_generated when password_options holds \"password\"")
	case !hasPassword && a.PasswordType != "":
		return FieldError("access_control.password_type", "is only allowed when password_options holds \"password\"")
	}
	if a.PasswordType == PasswordFactoryDefault && a.UserChangeable == nil {
		return FieldError("access_control.user_changeable", "must say whether a factory-default password can be changed")
	}
	// 8.222(b)(6): how to change the default password, or an explicit
	// statement that it cannot be changed.
	if a.PasswordType == PasswordFactoryDefault && a.PasswordChange.Text == "" && a.PasswordChange.URL == "" {
		return FieldError("access_control.password_change", "must say how to change the default password, or state that it cannot be changed")
	}
	if a.PasswordChange.Text != "" || a.PasswordChange.URL != "" {
		return a.PasswordChange.validate("access_control.password_change")
	}
	return nil
}

// RegistryRecord is a product's public registry entry: every field of
// 47 CFR 8.222(b) under its CTA-2120 v1.0.0 name, plus label_id, status and
// the other extension keys documented in docs/registry.md.
type RegistryRecord struct {
	LabelID      LabelID      `json:"label_id"`
	Status       GrantStatus  `json:"status"`
	StatusReason string       `json:"status_reason,omitempty"`
	StatusDate   Date         `json:"status_date"`
	CureDeadline *Date        `json:"cure_deadline,omitempty"`
	Supported    bool         `json:"supported"`
	ProductClass ProductClass `json:"product_class"`
	Components   []Component  `json:"components"`

	SchemaVersion          string                 `json:"schema_version"`
	QRCodeURL              string                 `json:"QR_code_url"`
	ProductName            string                 `json:"product_name"`
	ManufacturerName       string                 `json:"manufacturer_name"`
	ProductManufacturer    string                 `json:"product_manufacturer,omitempty"`
	ProductModel           string                 `json:"product_model,omitempty"`
	AuthorizationDate      Date                   `json:"authorization_date"`
	AuthorizedBy           Party                  `json:"authorized_by"`
	TestedBy               Party                  `json:"tested_by"`
	VersionAndModelNumbers VersionAndModelNumbers `json:"version_and_model_numbers"`
	SBOMHBOMAvailable      SBOMHBOMAvailable      `json:"sbom_hbom_available"`
	Created                time.Time              `json:"created"`
	Modified               time.Time              `json:"modified"`
	Disclosures

	// ManufacturerID is the manufacturer organization's ID, for filtering.
	ManufacturerID string `json:"manufacturer_id"`
	// LogIndex is the index of the label's latest event in the transparency
	// log, filled in when the record is read (not part of the record hash).
	LogIndex *int64 `json:"log_index,omitempty"`
}

// ConsumerStatus is what the public registry pages call a record's status.
type ConsumerStatus string

// The consumer statuses, in the words the L1 page uses.
const (
	ConsumerAuthorized  ConsumerStatus = "authorized"
	ConsumerSuspended   ConsumerStatus = "suspended"
	ConsumerTerminated  ConsumerStatus = "terminated"
	ConsumerWithdrawn   ConsumerStatus = "withdrawn"
	ConsumerSurrendered ConsumerStatus = "surrendered"
	ConsumerSetAside    ConsumerStatus = "set_aside"
	ConsumerUnsupported ConsumerStatus = "unsupported"
)

// IsSupported reports whether the support period still runs at now: a record
// is unsupported from the day after its support_date (UTC).
func (r *RegistryRecord) IsSupported(now time.Time) bool {
	return string(DateOf(now)) <= string(r.SupportDate)
}

// ConsumerStatus is the status to show first on the consumer page: the grant
// status when the grant is not active, otherwise authorized or, once the
// support period has passed, unsupported.
func (r *RegistryRecord) ConsumerStatus(now time.Time) ConsumerStatus {
	if r.Status != GrantActive {
		return ConsumerStatus(r.Status)
	}
	if !r.IsSupported(now) {
		return ConsumerUnsupported
	}
	return ConsumerAuthorized
}

// Resolve fills the fields that depend on where and when the record is
// served: QR_code_url and sensor icon URLs from baseURL, supported from now,
// and the fixed schema_version and sbom_hbom_available.
func (r *RegistryRecord) Resolve(baseURL string, now time.Time) {
	base := strings.TrimRight(baseURL, "/")
	r.SchemaVersion = SchemaVersion
	r.QRCodeURL = base + "/p/" + string(r.LabelID)
	r.Supported = r.IsSupported(now)
	r.SBOMHBOMAvailable = SBOMHBOMAvailable{SBOMAvailable: r.SBOMHBOMMaintained.SBOMMaintained, HBOMAvailable: r.SBOMHBOMMaintained.HBOMMaintained}
	if r.SensorDataCollection == nil {
		r.SensorDataCollection = []Sensor{}
	}
	sensors := make([]Sensor, len(r.SensorDataCollection))
	for i, s := range r.SensorDataCollection {
		state := "present"
		if !s.Present() {
			state = "absent"
		}
		icon := base + "/static/sensors/" + string(s.Sensing) + "-" + state + ".svg"
		s.Icons = map[string]string{"16": icon, "48": icon, "128": icon, "256": icon}
		sensors[i] = s
	}
	r.SensorDataCollection = sensors
	if r.AccessControl.PasswordOptions == nil {
		r.AccessControl.PasswordOptions = []string{}
	}
	if r.SecurityUpdateInformation.UpdateOptions == nil {
		r.SecurityUpdateInformation.UpdateOptions = []string{}
	}
}

// Validate checks a whole record: its disclosures and the fields taken from
// the grant, product and parties.
func (r *RegistryRecord) Validate() error {
	if _, err := ParseLabelID(string(r.LabelID)); err != nil {
		return err
	}
	if !r.Status.Valid() {
		return FieldError("status", "%q is not a grant status", truncate(string(r.Status), 40))
	}
	if err := checkText("product_name", r.ProductName, 1, maxText); err != nil {
		return err
	}
	if err := checkText("manufacturer_name", r.ManufacturerName, 1, maxText); err != nil {
		return err
	}
	if err := r.AuthorizationDate.validate("authorization_date"); err != nil {
		return err
	}
	for _, p := range []struct {
		name string
		p    Party
	}{{"authorized_by", r.AuthorizedBy}, {"tested_by", r.TestedBy}} {
		if err := checkText(p.name+".name", p.p.Name, 1, maxText); err != nil {
			return err
		}
		if err := checkContact(p.name+".contact", p.p.Contact); err != nil {
			return err
		}
	}
	if len(r.VersionAndModelNumbers.ModelNumbers) == 0 {
		return FieldError("version_and_model_numbers.model_numbers", "needs at least one model number")
	}
	return r.Disclosures.Validate()
}

// RegistryFilter selects registry records for a listing.
type RegistryFilter struct {
	Query        string      // words matched against product, manufacturer and model numbers
	Manufacturer string      // a manufacturer organization ID
	Status       GrantStatus // one grant status, or "" for all
	Limit        int         // 1..MaxRegistryLimit
	Cursor       string      // opaque, from a previous page's NextCursor
}

// Registry listing limits.
const (
	DefaultRegistryLimit = 50
	MaxRegistryLimit     = 200
	MaxQueryLength       = 200
)

// Validate checks the filter and fills in the default limit.
func (f *RegistryFilter) Validate() error {
	if len(f.Query) > MaxQueryLength {
		return FieldError("q", "is %d bytes long; at most %d are allowed", len(f.Query), MaxQueryLength)
	}
	if err := checkText("q", f.Query, 0, MaxQueryLength); err != nil {
		return err
	}
	if len(f.Manufacturer) > maxShort {
		return FieldError("manufacturer", "is not an organization ID")
	}
	if f.Status != "" && !f.Status.Valid() {
		return FieldError("status", "must be one of active, suspended, terminated, withdrawn, surrendered, set_aside; got %q", truncate(string(f.Status), 40))
	}
	if f.Limit == 0 {
		f.Limit = DefaultRegistryLimit
	}
	if f.Limit < 1 || f.Limit > MaxRegistryLimit {
		return FieldError("limit", "must be between 1 and %d; got %d", MaxRegistryLimit, f.Limit)
	}
	if len(f.Cursor) > 128 {
		return FieldError("cursor", "is not a cursor from this registry")
	}
	return nil
}

// RegistryPage is one page of a registry listing.
type RegistryPage struct {
	Items      []RegistryRecord `json:"items"`
	Total      int              `json:"total"`
	NextCursor string           `json:"next_cursor"`
}

// quoteList renders values as "a", "b", "c" for error messages.
func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = `"` + v + `"`
	}
	return strings.Join(q, ", ")
}
