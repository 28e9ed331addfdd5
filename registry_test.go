package trustmark_test

import (
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/storetest"
)

func TestDisclosuresValidate(t *testing.T) {
	no := false
	tests := []struct {
		name  string
		edit  func(d *trustmark.Disclosures)
		field string // "" means valid
	}{
		{"valid", func(d *trustmark.Disclosures) {}, ""},
		{"support date missing", func(d *trustmark.Disclosures) { d.SupportDate = "" }, "support_date"},
		{"support date not a day", func(d *trustmark.Disclosures) { d.SupportDate = "2030-02-30" }, "support_date"},
		{"support date with time", func(d *trustmark.Disclosures) { d.SupportDate = "2030-01-01T00:00:00Z" }, "support_date"},
		{"unknown update mode", func(d *trustmark.Disclosures) { d.SecurityUpdateInformation.UpdateDefault = "Sometimes" }, "security_update_information.update_default"},
		{"unknown update option", func(d *trustmark.Disclosures) { d.SecurityUpdateInformation.UpdateOptions = []string{"Weekly"} }, "security_update_information.update_options"},
		{"Other without text", func(d *trustmark.Disclosures) { d.SecurityUpdateInformation.UpdateOptions = []string{"Other"} }, "security_update_information_other"},
		{"Other with text", func(d *trustmark.Disclosures) {
			d.SecurityUpdateInformation.UpdateDefault = "Other"
			d.SecurityUpdateInformationOther = "Updates ship on SD cards"
		}, ""},
		{"no access options", func(d *trustmark.Disclosures) { d.AccessControl.PasswordOptions = nil }, "access_control.password_options"},
		{"unknown access option", func(d *trustmark.Disclosures) { d.AccessControl.PasswordOptions = []string{"retina"} }, "access_control.password_options"},
		{"password without type", func(d *trustmark.Disclosures) { d.AccessControl.PasswordType = "" }, "access_control.password_type"},
		{"type without password", func(d *trustmark.Disclosures) { d.AccessControl.PasswordOptions = []string{"passkey"} }, "access_control.password_type"},
		{"factory default without changeable", func(d *trustmark.Disclosures) { d.AccessControl.UserChangeable = nil }, "access_control.user_changeable"},
		{"factory default without how-to", func(d *trustmark.Disclosures) { d.AccessControl.PasswordChange = trustmark.Link{} }, "access_control.password_change"},
		{"unchangeable stated", func(d *trustmark.Disclosures) {
			d.AccessControl.UserChangeable = &no
			d.AccessControl.PasswordChange = trustmark.Link{Text: "It cannot be changed."}
		}, ""},
		{"short URL", func(d *trustmark.Disclosures) { d.DeleteData = trustmark.Link{URL: "http://a.b"} }, "delete_data.url"},
		{"ftp URL", func(d *trustmark.Disclosures) { d.DeleteData = trustmark.Link{URL: "ftp://files.example.com/x"} }, "delete_data.url"},
		{"empty link", func(d *trustmark.Disclosures) { d.AccountDeactivation = trustmark.Link{} }, "account_deactivation"},
		{"text over 2048", func(d *trustmark.Disclosures) { d.SecuringThisProduct.Text = strings.Repeat("x", 2049) }, "securing_this_product.text"},
		{"bad contact", func(d *trustmark.Disclosures) { d.SecurityContact = "call us" }, "security_contact"},
		{"email contact", func(d *trustmark.Disclosures) { d.SecurityContact = "psirt@example.com" }, ""},
		{"sensor twice", func(d *trustmark.Disclosures) {
			d.SensorDataCollection = append(d.SensorDataCollection, trustmark.Sensor{Sensing: trustmark.SensingAudio})
		}, "sensor_data_collection"},
		{"unknown sensor", func(d *trustmark.Disclosures) {
			d.SensorDataCollection = []trustmark.Sensor{{Sensing: "smell"}}
		}, "sensor_data_collection"},
		{"control character", func(d *trustmark.Disclosures) { d.GeneralUserInformation.Text = "a\x00b" }, "general_user_information.text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := storetest.Disclosures("2030-06-30")
			tt.edit(&d)
			err := d.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var e *trustmark.Error
			if err == nil || !asError(err, &e) || e.Kind != trustmark.KindInvalid || e.Field != tt.field {
				t.Fatalf("Validate() = %v; want an invalid error on field %s", err, tt.field)
			}
		})
	}
}

func asError(err error, e **trustmark.Error) bool {
	x, ok := err.(*trustmark.Error)
	*e = x
	return ok
}

func TestConsumerStatus(t *testing.T) {
	rec := trustmark.RegistryRecord{Status: trustmark.GrantActive}
	rec.SupportDate = "2027-06-30"
	day := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	tests := []struct {
		status trustmark.GrantStatus
		now    string
		want   trustmark.ConsumerStatus
	}{
		{trustmark.GrantActive, "2027-06-30T23:59:59Z", trustmark.ConsumerAuthorized},
		{trustmark.GrantActive, "2027-07-01T00:00:00Z", trustmark.ConsumerUnsupported},
		{trustmark.GrantSuspended, "2026-01-01T00:00:00Z", trustmark.ConsumerSuspended},
		{trustmark.GrantSuspended, "2028-01-01T00:00:00Z", trustmark.ConsumerSuspended},
		{trustmark.GrantTerminated, "2026-01-01T00:00:00Z", trustmark.ConsumerTerminated},
		{trustmark.GrantSetAside, "2026-01-01T00:00:00Z", trustmark.ConsumerSetAside},
	}
	for _, tt := range tests {
		rec.Status = tt.status
		if got := rec.ConsumerStatus(day(tt.now)); got != tt.want {
			t.Errorf("ConsumerStatus(%s at %s) = %s, want %s", tt.status, tt.now, got, tt.want)
		}
	}
}

func TestGrantApply(t *testing.T) {
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		from, to trustmark.GrantStatus
		reason   string
		kind     trustmark.ErrorKind
	}{
		{trustmark.GrantActive, trustmark.GrantSuspended, "failed surveillance", ""},
		{trustmark.GrantSuspended, trustmark.GrantActive, "", ""},
		{trustmark.GrantSuspended, trustmark.GrantTerminated, "not cured", ""},
		{trustmark.GrantActive, trustmark.GrantSurrendered, "product discontinued", ""},
		{trustmark.GrantActive, trustmark.GrantWithdrawn, "", trustmark.KindInvalid}, // no reason
		{trustmark.GrantActive, trustmark.GrantActive, "", trustmark.KindRule},
		{trustmark.GrantTerminated, trustmark.GrantActive, "", trustmark.KindRule},
		{trustmark.GrantSetAside, trustmark.GrantSuspended, "x", trustmark.KindRule},
		{trustmark.GrantActive, "expired", "x", trustmark.KindInvalid},
	}
	for _, tt := range tests {
		g := &trustmark.Grant{LabelID: trustmark.DeriveLabelID("g"), Status: tt.from}
		err := g.Apply(trustmark.StatusChange{LabelID: g.LabelID, To: tt.to, Reason: tt.reason, At: at})
		if got := trustmark.KindOf(err); got != tt.kind {
			t.Errorf("%s → %s: error %v (kind %q), want kind %q", tt.from, tt.to, err, got, tt.kind)
			continue
		}
		if err != nil {
			if g.Status != tt.from {
				t.Errorf("%s → %s failed but changed the status to %s", tt.from, tt.to, g.Status)
			}
			continue
		}
		if g.Status != tt.to || !g.StatusChangedAt.Equal(at) {
			t.Errorf("%s → %s: got %s at %v", tt.from, tt.to, g.Status, g.StatusChangedAt)
		}
		if tt.to == trustmark.GrantSuspended {
			if g.CureDeadline == nil || !g.CureDeadline.Equal(at.Add(20*24*time.Hour)) {
				t.Errorf("suspension cure deadline = %v, want 20 days after %v", g.CureDeadline, at)
			}
		} else if g.CureDeadline != nil {
			t.Errorf("%s → %s left cure deadline %v", tt.from, tt.to, g.CureDeadline)
		}
	}
}
