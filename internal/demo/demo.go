// Package demo loads a realistic, fictional demo dataset into a store: the
// regulator and lead administrator, three manufacturers, two labs, two label
// administrators and fourteen labeled products across product classes,
// including one suspended, one terminated and one past its support date,
// one portal admin per organization (see Users and Password), and
// vulnerability monitoring: SBOMs of two labeled products, made-up OSV
// advisories and a VEX statement, loaded through the program so that
// alerts exist (see vuln.go).
//
// Loading is idempotent and resumable: every record has a fixed ID and
// anything already present is left alone. Label IDs are derived from fixed
// seeds, so demo URLs are the same on every machine.
package demo

import (
	"context"
	"fmt"
	"time"

	"trustmark"
)

// Organizations of the demo, by fixed ID.
var orgs = []trustmark.Organization{
	{ID: "org_demo_regulator", Kind: trustmark.OrgRegulator, Name: "Demo Regulator (PSHSB)", Contact: "https://regulator.example.gov/iot-labeling", Country: "US"},
	{ID: "org_demo_lead", Kind: trustmark.OrgLeadAdministrator, Name: "Demo Lead Administrator", Contact: "https://lead-admin.example.org/contact", Country: "US"},
	{ID: "org_demo_keystone", Kind: trustmark.OrgCLA, Name: "Keystone Conformity Services", Contact: "https://keystone-conformity.example.com/contact", Address: "200 Market St, Philadelphia, PA", Country: "US"},
	{ID: "org_demo_meridian", Kind: trustmark.OrgCLA, Name: "Meridian Certification Group", Contact: "certification@meridian-cert.example.com", Address: "75 Harbor Way, Seattle, WA", Country: "US"},
	{ID: "org_demo_ferrous", Kind: trustmark.OrgLab, Name: "Ferrous Test Laboratories", Contact: "https://ferrous-labs.example.com/contact", Address: "18 Foundry Rd, Pittsburgh, PA", Country: "US"},
	{ID: "org_demo_cedar", Kind: trustmark.OrgLab, Name: "Cedar Ridge Cyber Lab", Contact: "intake@cedar-ridge-lab.example.com", Address: "410 Pine Ave, Boulder, CO", Country: "US"},
	{ID: "org_demo_northwind", Kind: trustmark.OrgManufacturer, Name: "Northwind Home Devices", Contact: "https://northwind-home.example.com/support", Website: "https://northwind-home.example.com", Country: "US"},
	{ID: "org_demo_bluepeak", Kind: trustmark.OrgManufacturer, Name: "Bluepeak Electronics", Contact: "https://bluepeak.example.com/help", Website: "https://bluepeak.example.com", Country: "US"},
	{ID: "org_demo_lumen", Kind: trustmark.OrgManufacturer, Name: "Lumen & Oak", Contact: "hello@lumen-oak.example.com", Website: "https://lumen-oak.example.com", Country: "US"},
}

// item describes one demo product and what happened to its grant.
type item struct {
	key          string // seed of the product ID and label ID
	mfr          string // manufacturer org ID
	site         string // manufacturer web site, for disclosure links
	name         string
	models       []string
	hw, sw       string
	class        trustmark.ProductClass
	components   []trustmark.Component
	cla, lab     string
	granted      string // date
	support      string // support end date
	sensors      [3]bool
	updates      string
	password     string // factory_default, user_generated or "" (no password)
	changeable   bool
	sbom, hbom   bool
	status       trustmark.GrantStatus
	statusAt     string
	statusReason string
}

func dev(name string) trustmark.Component {
	return trustmark.Component{Kind: trustmark.ComponentDevice, Name: name}
}
func app(name string) trustmark.Component {
	return trustmark.Component{Kind: trustmark.ComponentApp, Name: name}
}
func cloud(name string) trustmark.Component {
	return trustmark.Component{Kind: trustmark.ComponentCloud, Name: name}
}
func hub(name string) trustmark.Component {
	return trustmark.Component{Kind: trustmark.ComponentHub, Name: name}
}

const (
	nw = "https://northwind-home.example.com"
	bp = "https://bluepeak.example.com"
	lo = "https://lumen-oak.example.com"
)

var items = []item{
	{key: "halo-cam-2k", mfr: "org_demo_northwind", site: nw, name: "Halo Indoor Camera 2K", models: []string{"HC-2K", "HC-2K-W"}, hw: "rev C", sw: "4.2.1",
		class: trustmark.ClassCamera, components: []trustmark.Component{dev("Halo Indoor Camera 2K"), app("Northwind Home app"), cloud("Northwind Cloud")},
		cla: "org_demo_keystone", lab: "org_demo_ferrous", granted: "2026-02-10", support: "2030-12-31", sensors: [3]bool{true, true, false},
		updates: trustmark.UpdateAutoOptOut, password: trustmark.PasswordFactoryDefault, changeable: true, sbom: true, hbom: true},
	{key: "halo-doorbell", mfr: "org_demo_northwind", site: nw, name: "Halo Video Doorbell", models: []string{"HVD-1"}, hw: "1.1", sw: "2.8.0",
		class: trustmark.ClassCamera, components: []trustmark.Component{dev("Halo Video Doorbell"), hub("Halo Chime"), app("Northwind Home app"), cloud("Northwind Cloud")},
		cla: "org_demo_keystone", lab: "org_demo_ferrous", granted: "2026-03-04", support: "2031-03-31", sensors: [3]bool{true, true, false},
		updates: trustmark.UpdateAutoNoOptOut, password: trustmark.PasswordUserGenerated, sbom: true},
	{key: "sentry-lock", mfr: "org_demo_northwind", site: nw, name: "Sentry Smart Lock", models: []string{"SL-200", "SL-200-BR"}, hw: "B", sw: "1.9.4",
		class: trustmark.ClassLock, components: []trustmark.Component{dev("Sentry Smart Lock"), app("Northwind Home app")},
		cla: "org_demo_meridian", lab: "org_demo_cedar", granted: "2026-04-22", support: "2032-06-30", sensors: [3]bool{false, false, false},
		updates: trustmark.UpdateConsent, password: "", sbom: true, hbom: true},
	{key: "thermo-one", mfr: "org_demo_northwind", site: nw, name: "Thermo One Smart Thermostat", models: []string{"T1"}, hw: "2", sw: "5.0.3",
		class: trustmark.ClassThermostat, components: []trustmark.Component{dev("Thermo One"), app("Northwind Home app"), cloud("Northwind Cloud")},
		cla: "org_demo_keystone", lab: "org_demo_cedar", granted: "2026-01-15", support: "2030-01-31", sensors: [3]bool{false, false, true},
		updates: trustmark.UpdateAutoOptOut, password: trustmark.PasswordFactoryDefault, changeable: true,
		status: trustmark.GrantSuspended, statusReason: "post-market surveillance found the local web interface accepting the factory default password after setup"},
	{key: "echosphere", mfr: "org_demo_bluepeak", site: bp, name: "EchoSphere Smart Speaker", models: []string{"ES-3", "ES-3-MINI"}, hw: "3.0", sw: "12.4",
		class: trustmark.ClassSmartSpeaker, components: []trustmark.Component{dev("EchoSphere"), app("Bluepeak Connect"), cloud("Bluepeak Voice Cloud")},
		cla: "org_demo_meridian", lab: "org_demo_ferrous", granted: "2025-11-03", support: "2030-11-30", sensors: [3]bool{false, true, true},
		updates: trustmark.UpdateAutoNoOptOut, password: "", sbom: true},
	{key: "meshroute-ax3000", mfr: "org_demo_bluepeak", site: bp, name: "MeshRoute AX3000 Router", models: []string{"MR-AX3000", "MR-AX3000-2PK"}, hw: "v2", sw: "3.1.7",
		class: trustmark.ClassRouter, components: []trustmark.Component{dev("MeshRoute AX3000"), app("Bluepeak Connect")},
		cla: "org_demo_meridian", lab: "org_demo_cedar", granted: "2026-06-09", support: "2031-12-31", sensors: [3]bool{false, false, false},
		updates: trustmark.UpdateAutoOptOut, password: trustmark.PasswordFactoryDefault, changeable: true, sbom: true, hbom: true},
	{key: "pulseband-4", mfr: "org_demo_bluepeak", site: bp, name: "PulseBand 4 Fitness Tracker", models: []string{"PB4"}, hw: "1", sw: "4.0.12",
		class: trustmark.ClassWearable, components: []trustmark.Component{dev("PulseBand 4"), app("Bluepeak Fit"), cloud("Bluepeak Fit Cloud")},
		cla: "org_demo_keystone", lab: "org_demo_ferrous", granted: "2026-05-19", support: "2029-05-31", sensors: [3]bool{false, false, true},
		updates: trustmark.UpdateConsent, password: "", sbom: false},
	{key: "kidview", mfr: "org_demo_bluepeak", site: bp, name: "KidView Baby Monitor", models: []string{"KV-100"}, hw: "A", sw: "1.4.2",
		class: trustmark.ClassBabyMonitor, components: []trustmark.Component{dev("KidView camera"), app("KidView app"), cloud("Bluepeak Cloud")},
		cla: "org_demo_keystone", lab: "org_demo_cedar", granted: "2025-09-12", support: "2029-09-30", sensors: [3]bool{true, true, false},
		updates: trustmark.UpdateManual, password: trustmark.PasswordFactoryDefault, changeable: true,
		status: trustmark.GrantTerminated, statusAt: "2026-08-28", statusReason: "a deficiency found in surveillance (unauthenticated video stream) was not cured within the 20-day cure period"},
	{key: "glow-a19", mfr: "org_demo_lumen", site: lo, name: "Glow A19 Smart Bulb", models: []string{"GL-A19-CW", "GL-A19-RGB"}, hw: "2", sw: "1.12.0",
		class: trustmark.ClassLighting, components: []trustmark.Component{dev("Glow A19"), hub("Lumen & Oak Home Hub"), app("Lumen & Oak app")},
		cla: "org_demo_meridian", lab: "org_demo_ferrous", granted: "2026-07-01", support: "2029-06-30", sensors: [3]bool{false, false, false},
		updates: trustmark.UpdateAutoOptOut, password: "", sbom: true},
	{key: "switchplug-mini", mfr: "org_demo_lumen", site: lo, name: "Switchplug Mini", models: []string{"SP-MINI"}, hw: "1", sw: "0.9.8",
		class: trustmark.ClassPlug, components: []trustmark.Component{dev("Switchplug Mini"), app("Lumen & Oak app")},
		cla: "org_demo_meridian", lab: "org_demo_cedar", granted: "2025-03-20", support: "2025-12-31", sensors: [3]bool{false, false, false},
		updates: trustmark.UpdateManual, password: trustmark.PasswordFactoryDefault, changeable: false},
	{key: "lumen-hub", mfr: "org_demo_lumen", site: lo, name: "Lumen & Oak Home Hub", models: []string{"LH-2"}, hw: "2.0", sw: "6.3.1",
		class: trustmark.ClassHub, components: []trustmark.Component{dev("Home Hub"), app("Lumen & Oak app"), cloud("Lumen & Oak Cloud")},
		cla: "org_demo_keystone", lab: "org_demo_ferrous", granted: "2026-08-14", support: "2032-08-31", sensors: [3]bool{false, false, false},
		updates: trustmark.UpdateAutoNoOptOut, password: trustmark.PasswordUserGenerated, sbom: true, hbom: true},
	{key: "airsense-leak", mfr: "org_demo_lumen", site: lo, name: "AirSense Leak Sensor", models: []string{"AS-LEAK"}, hw: "1", sw: "2.2.0",
		class: trustmark.ClassSensor, components: []trustmark.Component{dev("AirSense Leak Sensor"), hub("Lumen & Oak Home Hub")},
		cla: "org_demo_meridian", lab: "org_demo_cedar", granted: "2026-09-30", support: "2031-09-30", sensors: [3]bool{false, false, false},
		updates: trustmark.UpdateAutoOptOut, password: "", sbom: true},
	{key: "streamstick-4k", mfr: "org_demo_bluepeak", site: bp, name: "StreamStick 4K", models: []string{"SS4K"}, hw: "1", sw: "9.1",
		class: trustmark.ClassTV, components: []trustmark.Component{dev("StreamStick 4K"), app("Bluepeak Remote app"), cloud("Bluepeak Media Cloud")},
		cla: "org_demo_keystone", lab: "org_demo_ferrous", granted: "2026-10-06", support: "2031-10-31", sensors: [3]bool{false, true, false},
		updates: trustmark.UpdateAutoNoOptOut, password: "", sbom: true},
	{key: "freshkeep-fridge", mfr: "org_demo_northwind", site: nw, name: "FreshKeep Smart Refrigerator", models: []string{"FK-700", "FK-700-SS"}, hw: "A2", sw: "3.5.0",
		class: trustmark.ClassAppliance, components: []trustmark.Component{dev("FreshKeep"), app("Northwind Home app"), cloud("Northwind Cloud")},
		cla: "org_demo_meridian", lab: "org_demo_ferrous", granted: "2026-10-27", support: "2036-10-31", sensors: [3]bool{true, false, false},
		updates: trustmark.UpdateAutoOptOut, password: "", sbom: true, hbom: true},
}

// LabelID returns the label ID of the demo product with the given key, e.g.
// "halo-cam-2k".
func LabelID(key string) trustmark.LabelID { return trustmark.DeriveLabelID("demo " + key) }

// Keys lists the demo products' keys.
func Keys() []string {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.key
	}
	return keys
}

// Load stores the demo dataset as of now, skipping whatever is already
// there, and reports how many grants it added.
func Load(ctx context.Context, s trustmark.Store) (int, error) { return LoadAt(ctx, s, time.Now()) }

// LoadAt is Load with the current time given. Dates are fixed, except that
// the suspended product was suspended eight days before now, so that its
// 20-day cure period is running whenever the demo is first loaded.
func LoadAt(ctx context.Context, s trustmark.Store, now time.Time) (int, error) {
	byID := map[string]*trustmark.Organization{}
	for _, o := range orgs {
		o.CreatedAt = day("2025-01-06")
		existing, err := s.Organization(ctx, o.ID)
		switch {
		case err == nil:
			byID[o.ID] = existing
			continue
		case !trustmark.IsKind(err, trustmark.KindNotFound):
			return 0, err
		}
		if err := s.CreateOrganization(ctx, &o); err != nil {
			return 0, fmt.Errorf("demo organization %s: %w", o.Name, err)
		}
		byID[o.ID] = &o
	}
	if err := loadRecognitions(ctx, s); err != nil {
		return 0, err
	}
	if err := loadUsers(ctx, s); err != nil {
		return 0, err
	}
	added := 0
	for _, it := range items {
		ok, err := loadItem(ctx, s, it, byID, now)
		if err != nil {
			return added, fmt.Errorf("demo product %s: %w", it.name, err)
		}
		if ok {
			added++
		}
	}
	if err := loadMonitoring(ctx, s, byID, now); err != nil {
		return added, err
	}
	return added, nil
}

func loadItem(ctx context.Context, s trustmark.Store, it item, byID map[string]*trustmark.Organization, now time.Time) (bool, error) {
	id := LabelID(it.key)
	if _, err := s.Grant(ctx, id); err == nil {
		return false, nil
	} else if !trustmark.IsKind(err, trustmark.KindNotFound) {
		return false, err
	}
	p := &trustmark.Product{ID: ProductID(it.key), ManufacturerID: it.mfr, Name: it.name, ModelNumbers: it.models,
		HardwareVersion: it.hw, SoftwareVersion: it.sw, Class: it.class, Components: it.components, CreatedAt: day(it.granted).Add(-30 * 24 * time.Hour)}
	if _, err := s.Product(ctx, p.ID); trustmark.IsKind(err, trustmark.KindNotFound) {
		if err := s.CreateProduct(ctx, p); err != nil {
			return false, err
		}
	} else if err != nil {
		return false, err
	}
	g := &trustmark.Grant{LabelID: id, ProductID: p.ID, ManufacturerID: it.mfr, CLAID: it.cla, LabID: it.lab,
		Status: trustmark.GrantActive, GrantedAt: day(it.granted).Add(15 * time.Hour)}
	rec := trustmark.NewRegistryRecord(g, p, byID[it.mfr], byID[it.cla], byID[it.lab], disclosures(it))
	if err := s.IssueGrant(ctx, g, rec); err != nil {
		return false, err
	}
	if it.status != "" {
		var at time.Time
		if it.status == trustmark.GrantSuspended {
			at = now.UTC().Add(-8 * 24 * time.Hour).Truncate(time.Hour)
		} else {
			at = day(it.statusAt).Add(14 * time.Hour)
		}
		if _, _, err := s.UpdateGrant(ctx, id, at, func(g *trustmark.Grant, _ *trustmark.RegistryRecord) error {
			return g.Apply(trustmark.StatusChange{LabelID: id, To: it.status, Reason: it.statusReason, At: at})
		}); err != nil {
			return false, err
		}
	}
	return true, nil
}

// disclosures writes the registry disclosures a manufacturer would supply.
func disclosures(it item) trustmark.Disclosures {
	base := it.site + "/products/" + it.key
	sensing := []trustmark.Sensing{trustmark.SensingImages, trustmark.SensingAudio, trustmark.SensingPosition}
	descriptions := []string{"Video is recorded only while the camera is armed or streaming.",
		"Audio is captured only after the wake word or while you talk through the app.",
		"Location is used to set local time and weather, or for the tracker's GPS."}
	var sensors []trustmark.Sensor
	for i, k := range sensing {
		has := it.sensors[i]
		s := trustmark.Sensor{Sensing: k, Has: &has}
		if has {
			s.Description = descriptions[i]
		}
		sensors = append(sensors, s)
	}
	ac := trustmark.AccessControl{}
	switch it.password {
	case trustmark.PasswordFactoryDefault:
		changeable := it.changeable
		ac.PasswordOptions = []string{trustmark.AccessPassword, trustmark.AccessSingleAccount}
		ac.PasswordFactoryDefault = trustmark.AccessPassword
		ac.PasswordType, ac.UserChangeable = trustmark.PasswordFactoryDefault, &changeable
		if changeable {
			ac.PasswordChange = trustmark.Link{Text: "In the app, open Settings > Device > Change password; you are asked to set one at first setup.", URL: base + "/password"}
		} else {
			ac.PasswordChange = trustmark.Link{Text: "The device password is printed on its underside and cannot be changed; keep the device on a trusted network."}
		}
	case trustmark.PasswordUserGenerated:
		ac.PasswordOptions = []string{trustmark.AccessPassword, trustmark.AccessMFA, trustmark.AccessMultiAccount}
		ac.PasswordType = trustmark.PasswordUserGenerated
		ac.PasswordChange = trustmark.Link{Text: "You choose the password at setup; change it under Account > Security.", URL: base + "/password"}
	default:
		ac.PasswordOptions = []string{trustmark.AccessPasskey, trustmark.AccessMultiAccount}
	}
	options := []string{trustmark.UpdateManual}
	if it.updates == trustmark.UpdateManual {
		options = []string{trustmark.UpdateManual}
	}
	return trustmark.Disclosures{
		SensorDataCollection:       sensors,
		AccessControl:              ac,
		SecuringThisProduct:        trustmark.Link{Text: "Security setup guide", URL: base + "/security"},
		SecurityUpdateInformation:  trustmark.UpdateInfo{UpdateDefault: it.updates, UpdateOptions: options},
		SupportDate:                trustmark.Date(it.support),
		DeleteData:                 trustmark.Link{Text: "Factory reset and data deletion", URL: base + "/reset"},
		AccountDeactivation:        trustmark.Link{Text: "Close your account", URL: it.site + "/account/close"},
		EncryptionAndKeyManagement: trustmark.Link{Text: "How we protect your data", URL: it.site + "/security/encryption"},
		GeneralUserInformation:     trustmark.Link{Text: "About " + it.name, URL: base},
		SecurityContact:            it.site + "/security/report",
		SBOMHBOMMaintained:         trustmark.SBOMHBOM{SBOMMaintained: it.sbom, HBOMMaintained: it.hbom},
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic("demo: bad date " + s)
	}
	return t
}

// labs are the demo labs' recognition records (8.217(e)).
var labs = []trustmark.LabRecognition{
	{OrgID: "org_demo_ferrous", TestSites: []string{"Pittsburgh, PA", "Austin, TX"}, MailingAddress: "18 Foundry Rd, Pittsburgh, PA 15201",
		AccreditationBody: "Demo Accreditation Board", Scope: []string{"nist-ir-8425", "nist-ir-8425a", "etsi-en-303-645"},
		AccreditationExpires: "2028-03-31", DesignationNumber: "US0101", FRN: "0031234567", ContractTesting: true},
	{OrgID: "org_demo_cedar", TestSites: []string{"Boulder, CO"}, MailingAddress: "410 Pine Ave, Boulder, CO 80302",
		AccreditationBody: "Demo Accreditation Board", Scope: []string{"nist-ir-8425"},
		AccreditationExpires: "2027-09-30", DesignationNumber: "US0102", FRN: "0037654321", ContractTesting: true},
}

// renewals are the demo's renewal policies per product class.
var renewals = []trustmark.RenewalPolicy{
	{Class: trustmark.ClassCamera, IntervalMonths: 12}, {Class: trustmark.ClassRouter, IntervalMonths: 12},
	{Class: trustmark.ClassBabyMonitor, IntervalMonths: 12}, {Class: trustmark.ClassLock, IntervalMonths: 24},
	{Class: trustmark.ClassLighting, IntervalMonths: 36}, {Class: trustmark.ClassPlug, IntervalMonths: 36},
}

// loadRecognitions stores the labs' recognitions and the renewal policies
// that are not there yet.
func loadRecognitions(ctx context.Context, s trustmark.Store) error {
	return s.Transact(ctx, func(tx trustmark.Tx) error {
		for _, l := range labs {
			if _, err := tx.Lab(l.OrgID); err == nil {
				continue
			}
			l.Status, l.RecognizedAt = trustmark.LabRecognized, day("2025-01-20")
			if err := tx.PutLab(&l); err != nil {
				return fmt.Errorf("demo lab %s: %w", l.OrgID, err)
			}
		}
		existing, err := tx.RenewalPolicies()
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			return nil
		}
		for _, p := range renewals {
			p.SetBy, p.SetAt = "Demo Lead Administrator", day("2025-01-20")
			if err := tx.PutRenewalPolicy(&p); err != nil {
				return err
			}
		}
		return nil
	})
}

// Password is the one password of every demo portal user. It is published
// in README.md ("Portal sign-in (demo)"): never load the demo into a store
// that real people use.
const Password = "trustmark-demo-password"

// users are the demo's portal users: one admin per organization, with
// fixed IDs and emails at the organization's short demo domain.
var users = []trustmark.User{
	{ID: "usr_demo_regulator", OrgID: "org_demo_regulator", Email: "rita@regulator.example", Name: "Rita Ortiz"},
	{ID: "usr_demo_lead", OrgID: "org_demo_lead", Email: "leo@lead.example", Name: "Leo Grant"},
	{ID: "usr_demo_keystone", OrgID: "org_demo_keystone", Email: "kim@keystone.example", Name: "Kim Park"},
	{ID: "usr_demo_meridian", OrgID: "org_demo_meridian", Email: "mira@meridian.example", Name: "Mira Chen"},
	{ID: "usr_demo_ferrous", OrgID: "org_demo_ferrous", Email: "fern@ferrous.example", Name: "Fern Ito"},
	{ID: "usr_demo_cedar", OrgID: "org_demo_cedar", Email: "cal@cedar.example", Name: "Cal Reyes"},
	{ID: "usr_demo_northwind", OrgID: "org_demo_northwind", Email: "ana@northwind.example", Name: "Ana Ruiz"},
	{ID: "usr_demo_bluepeak", OrgID: "org_demo_bluepeak", Email: "ben@bluepeak.example", Name: "Ben Okafor"},
	{ID: "usr_demo_lumen", OrgID: "org_demo_lumen", Email: "lou@lumen.example", Name: "Lou Martin"},
}

// Users lists the demo's portal users (admins, without password hashes);
// each signs in with Password.
func Users() []trustmark.User {
	out := make([]trustmark.User, len(users))
	for i, u := range users {
		u.Role = trustmark.RoleAdmin
		out[i] = u
	}
	return out
}

// passwordHash is the Argon2id hash of Password (internal/passwd's
// parameters), made once and kept here so that loading the demo does not
// spend a password hash; the demo's tests check that it matches.
const passwordHash = "$argon2id$v=19$m=19456,t=2,p=1$VlrT27z5ZYfypc+gD/Y9PA$HQIgAm9IANTdVPcmB6lFw6LE6zza1HBFJWP8U9FbPTU"

// loadUsers stores the demo users that are not there yet.
func loadUsers(ctx context.Context, s trustmark.Store) error {
	return s.Transact(ctx, func(tx trustmark.Tx) error {
		for _, u := range Users() {
			if _, err := tx.User(u.ID); err == nil {
				continue
			} else if !trustmark.IsKind(err, trustmark.KindNotFound) {
				return err
			}
			u.PasswordHash, u.CreatedAt, u.CreatedBy = passwordHash, day("2025-01-06"), "demo"
			if err := tx.CreateUser(&u); err != nil {
				return fmt.Errorf("demo user %s: %w", u.Email, err)
			}
		}
		return nil
	})
}
