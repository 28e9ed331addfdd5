// Package storetest is the conformance suite that every trustmark.Store
// implementation must pass. A backend's test calls Run with a function that
// returns a fresh, empty store.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"trustmark"
)

// Run runs every conformance test against stores made by open. Each test
// gets its own empty store.
func Run(t *testing.T, open func(t *testing.T) trustmark.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s trustmark.Store)
	}{
		{"Organizations", testOrganizations},
		{"Products", testProducts},
		{"IssueGrant", testIssueGrant},
		{"ImportGrants", testImportGrants},
		{"UpdateGrant", testUpdateGrant},
		{"UpdateGrantIsAtomic", testUpdateGrantAtomic},
		{"ListRegistryPagination", testListPagination},
		{"ListRegistryFilters", testListFilters},
		{"RegistryChanges", testRegistryChanges},
		{"ConcurrentWrites", testConcurrentWrites},
	}
	tests = append(tests, txTests...)
	tests = append(tests, userTests...)
	tests = append(tests, vulnTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			if err := s.Ping(context.Background()); err != nil {
				t.Fatalf("Ping() = %v", err)
			}
			tt.fn(t, s)
		})
	}
}

// Fixture is a small set of parties for building grants in tests.
type Fixture struct {
	Manufacturer, CLA, Lab *trustmark.Organization
}

// NewFixture stores one manufacturer, CLA and lab named after suffix.
func NewFixture(t *testing.T, s trustmark.Store, suffix string) *Fixture {
	t.Helper()
	ctx := context.Background()
	f := &Fixture{
		Manufacturer: &trustmark.Organization{Kind: trustmark.OrgManufacturer, Name: "Maker " + suffix, Contact: "security@maker.example"},
		CLA:          &trustmark.Organization{Kind: trustmark.OrgCLA, Name: "CLA " + suffix, Contact: "https://cla.example/contact"},
		Lab:          &trustmark.Organization{Kind: trustmark.OrgLab, Name: "Lab " + suffix, Contact: "https://lab.example/contact"},
	}
	for _, o := range []*trustmark.Organization{f.Manufacturer, f.CLA, f.Lab} {
		if err := s.CreateOrganization(ctx, o); err != nil {
			t.Fatalf("CreateOrganization(%s) = %v", o.Name, err)
		}
	}
	return f
}

// Disclosures returns valid disclosures with the given support end date.
func Disclosures(support string) trustmark.Disclosures {
	no := false
	yes := true
	return trustmark.Disclosures{
		SensorDataCollection: []trustmark.Sensor{
			{Sensing: trustmark.SensingImages, Description: "Records video when motion is detected."},
			{Sensing: trustmark.SensingAudio, Has: &yes},
			{Sensing: trustmark.SensingPosition, Has: &no},
		},
		AccessControl: trustmark.AccessControl{
			PasswordOptions: []string{trustmark.AccessPassword, trustmark.AccessPasskey},
			PasswordType:    trustmark.PasswordFactoryDefault, UserChangeable: &yes,
			PasswordChange: trustmark.Link{Text: "Settings > Security > Password", URL: "https://maker.example/password"},
		},
		SecuringThisProduct:        trustmark.Link{URL: "https://maker.example/secure"},
		SecurityUpdateInformation:  trustmark.UpdateInfo{UpdateDefault: trustmark.UpdateAutoOptOut, UpdateOptions: []string{trustmark.UpdateManual}},
		SupportDate:                trustmark.Date(support),
		DeleteData:                 trustmark.Link{URL: "https://maker.example/reset"},
		AccountDeactivation:        trustmark.Link{URL: "https://maker.example/deactivate"},
		EncryptionAndKeyManagement: trustmark.Link{URL: "https://maker.example/encryption"},
		GeneralUserInformation:     trustmark.Link{Text: "About this product", URL: "https://maker.example/about"},
		SecurityContact:            "security@maker.example",
		SBOMHBOMMaintained:         trustmark.SBOMHBOM{SBOMMaintained: true},
	}
}

// Grant stores a product and an active grant for it, granted at at, and
// returns the grant.
func (f *Fixture) Grant(t *testing.T, s trustmark.Store, name string, at time.Time) *trustmark.Grant {
	t.Helper()
	ctx := context.Background()
	p := &trustmark.Product{
		ManufacturerID: f.Manufacturer.ID, Name: name, ModelNumbers: []string{"M-" + name},
		HardwareVersion: "1.0", SoftwareVersion: "2.3.1", Class: trustmark.ClassCamera,
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: name}, {Kind: trustmark.ComponentApp, Name: name + " app"}},
	}
	if err := s.CreateProduct(ctx, p); err != nil {
		t.Fatalf("CreateProduct(%s) = %v", name, err)
	}
	g := &trustmark.Grant{
		LabelID: trustmark.NewLabelID(), ProductID: p.ID, ManufacturerID: f.Manufacturer.ID, CLAID: f.CLA.ID, LabID: f.Lab.ID,
		Status: trustmark.GrantActive, GrantedAt: at,
	}
	r := trustmark.NewRegistryRecord(g, p, f.Manufacturer, f.CLA, f.Lab, Disclosures("2030-12-31"))
	if err := s.IssueGrant(ctx, g, r); err != nil {
		t.Fatalf("IssueGrant(%s) = %v", name, err)
	}
	return g
}

func wantKind(t *testing.T, what string, err error, kind trustmark.ErrorKind) {
	t.Helper()
	if got := trustmark.KindOf(err); got != kind {
		t.Errorf("%s: error kind = %q (%v), want %q", what, got, err, kind)
	}
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testOrganizations(t *testing.T, s trustmark.Store) {
	ctx := context.Background()
	o := &trustmark.Organization{Kind: trustmark.OrgCLA, Name: "Acme Certification", Contact: "https://acme.example/contact",
		Address: "1 Main St", Country: "US", CreatedAt: t0}
	if err := s.CreateOrganization(ctx, o); err != nil {
		t.Fatalf("CreateOrganization() = %v", err)
	}
	if o.ID == "" {
		t.Fatal("CreateOrganization() left ID empty")
	}
	got, err := s.Organization(ctx, o.ID)
	if err != nil {
		t.Fatalf("Organization(%q) = %v", o.ID, err)
	}
	if diff := cmp.Diff(o, got); diff != "" {
		t.Errorf("Organization() mismatch (-want +got):\n%s", diff)
	}
	dup := *o
	dup.ID = ""
	wantKind(t, "same kind and name", s.CreateOrganization(ctx, &dup), trustmark.KindConflict)
	sameID := &trustmark.Organization{ID: o.ID, Kind: trustmark.OrgLab, Name: "Other", Contact: "lab@lab.example"}
	wantKind(t, "same ID", s.CreateOrganization(ctx, sameID), trustmark.KindConflict)
	wantKind(t, "bad kind", s.CreateOrganization(ctx, &trustmark.Organization{Kind: "bank", Name: "X", Contact: "a@b.example"}), trustmark.KindInvalid)
	wantKind(t, "bad contact", s.CreateOrganization(ctx, &trustmark.Organization{Kind: trustmark.OrgLab, Name: "X", Contact: "not a contact"}), trustmark.KindInvalid)
	_, err = s.Organization(ctx, "org_missing")
	wantKind(t, "missing", err, trustmark.KindNotFound)
	if err := s.CreateOrganization(ctx, &trustmark.Organization{Kind: trustmark.OrgLeadAdministrator, Name: "First LA", Contact: "la@la.example"}); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "second Lead Administrator", s.CreateOrganization(ctx, &trustmark.Organization{Kind: trustmark.OrgLeadAdministrator, Name: "Second LA", Contact: "la2@la.example"}), trustmark.KindConflict)

	lab := &trustmark.Organization{Kind: trustmark.OrgLab, Name: "Bench Labs", Contact: "lab@bench.example"}
	if err := s.CreateOrganization(ctx, lab); err != nil {
		t.Fatal(err)
	}
	all, err := s.ListOrganizations(ctx, "")
	if err != nil || len(all) != 3 || all[0].Name != "Acme Certification" || all[1].Name != "Bench Labs" {
		t.Errorf("ListOrganizations(\"\") = %v, %v; want Acme, Bench and the LA", all, err)
	}
	labs, err := s.ListOrganizations(ctx, trustmark.OrgLab)
	if err != nil || len(labs) != 1 || labs[0].ID != lab.ID {
		t.Errorf("ListOrganizations(lab) = %v, %v; want only %s", labs, err, lab.ID)
	}
}

func testProducts(t *testing.T, s trustmark.Store) {
	ctx := context.Background()
	f := NewFixture(t, s, "p")
	p := &trustmark.Product{ManufacturerID: f.Manufacturer.ID, Name: "Cam", ModelNumbers: []string{"C1", "C1-B"},
		Class: trustmark.ClassCamera, Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: "Cam", Version: "1"}}, CreatedAt: t0}
	if err := s.CreateProduct(ctx, p); err != nil {
		t.Fatalf("CreateProduct() = %v", err)
	}
	got, err := s.Product(ctx, p.ID)
	if err != nil {
		t.Fatalf("Product() = %v", err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("Product() mismatch (-want +got):\n%s", diff)
	}
	bad := *p
	bad.ID, bad.ManufacturerID = "", f.Lab.ID
	wantKind(t, "lab as manufacturer", s.CreateProduct(ctx, &bad), trustmark.KindRule)
	bad.ManufacturerID = "org_nope"
	wantKind(t, "missing manufacturer", s.CreateProduct(ctx, &bad), trustmark.KindNotFound)
	bad.ManufacturerID, bad.Components = f.Manufacturer.ID, []trustmark.Component{{Kind: trustmark.ComponentApp, Name: "app"}}
	wantKind(t, "no device component", s.CreateProduct(ctx, &bad), trustmark.KindInvalid)
	_, err = s.Product(ctx, "prd_missing")
	wantKind(t, "missing product", err, trustmark.KindNotFound)
}

func testIssueGrant(t *testing.T, s trustmark.Store) {
	ctx := context.Background()
	f := NewFixture(t, s, "g")
	g := f.Grant(t, s, "Doorbell", t0)
	got, err := s.Grant(ctx, g.LabelID)
	if err != nil {
		t.Fatalf("Grant() = %v", err)
	}
	if diff := cmp.Diff(g, got, cmpopts.EquateApproxTime(0)); diff != "" {
		t.Errorf("Grant() mismatch (-want +got):\n%s", diff)
	}
	r, err := s.RegistryRecord(ctx, g.LabelID)
	if err != nil {
		t.Fatalf("RegistryRecord() = %v", err)
	}
	if r.Status != trustmark.GrantActive || r.ProductName != "Doorbell" || r.AuthorizedBy.Name != f.CLA.Name ||
		r.TestedBy.Name != f.Lab.Name || r.AuthorizationDate != "2026-03-01" || !r.Created.Equal(t0) {
		t.Errorf("RegistryRecord() = %+v; want active Doorbell authorized by %s, tested by %s on 2026-03-01", r, f.CLA.Name, f.Lab.Name)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("stored record does not validate: %v", err)
	}

	// A second grant for the same product, or reusing the label ID, conflicts.
	p, _ := s.Product(ctx, g.ProductID)
	again := *g
	again.LabelID = trustmark.NewLabelID()
	wantKind(t, "second grant for product", s.IssueGrant(ctx, &again, trustmark.NewRegistryRecord(&again, p, f.Manufacturer, f.CLA, f.Lab, Disclosures("2030-01-01"))), trustmark.KindConflict)
	p2 := &trustmark.Product{ManufacturerID: f.Manufacturer.ID, Name: "Other", ModelNumbers: []string{"O"}, Class: trustmark.ClassPlug,
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: "Other"}}}
	if err := s.CreateProduct(ctx, p2); err != nil {
		t.Fatal(err)
	}
	reuse := *g
	reuse.ProductID = p2.ID
	wantKind(t, "reused label ID", s.IssueGrant(ctx, &reuse, trustmark.NewRegistryRecord(&reuse, p2, f.Manufacturer, f.CLA, f.Lab, Disclosures("2030-01-01"))), trustmark.KindConflict)

	// Wrong party kinds and bad records are refused and leave nothing behind.
	swapped := reuse
	swapped.LabelID, swapped.CLAID = trustmark.NewLabelID(), f.Lab.ID
	wantKind(t, "lab as CLA", s.IssueGrant(ctx, &swapped, trustmark.NewRegistryRecord(&swapped, p2, f.Manufacturer, f.CLA, f.Lab, Disclosures("2030-01-01"))), trustmark.KindRule)
	badRec := reuse
	badRec.LabelID = trustmark.NewLabelID()
	wantKind(t, "bad support date", s.IssueGrant(ctx, &badRec, trustmark.NewRegistryRecord(&badRec, p2, f.Manufacturer, f.CLA, f.Lab, Disclosures("2030-02-30"))), trustmark.KindInvalid)
	for _, id := range []trustmark.LabelID{swapped.LabelID, badRec.LabelID} {
		if _, err := s.Grant(ctx, id); !trustmark.IsKind(err, trustmark.KindNotFound) {
			t.Errorf("Grant(%s) after a refused IssueGrant = %v, want not found", id, err)
		}
		if _, err := s.RegistryRecord(ctx, id); !trustmark.IsKind(err, trustmark.KindNotFound) {
			t.Errorf("RegistryRecord(%s) after a refused IssueGrant = %v, want not found", id, err)
		}
	}
	_, err = s.Grant(ctx, trustmark.NewLabelID())
	wantKind(t, "unknown grant", err, trustmark.KindNotFound)
}

func testUpdateGrant(t *testing.T, s trustmark.Store) {
	ctx := context.Background()
	f := NewFixture(t, s, "u")
	g := f.Grant(t, s, "Lock", t0)
	at := t0.Add(48 * time.Hour)
	change := func(to trustmark.GrantStatus, reason string) error {
		_, _, err := s.UpdateGrant(ctx, g.LabelID, at, func(g *trustmark.Grant, r *trustmark.RegistryRecord) error {
			return g.Apply(trustmark.StatusChange{LabelID: g.LabelID, To: to, Reason: reason, At: at})
		})
		return err
	}
	if err := change(trustmark.GrantSuspended, "surveillance test failed"); err != nil {
		t.Fatalf("suspend: %v", err)
	}
	r, _ := s.RegistryRecord(ctx, g.LabelID)
	if r.Status != trustmark.GrantSuspended || r.CureDeadline == nil || *r.CureDeadline != "2026-03-23" || !r.Modified.Equal(at) {
		t.Errorf("after suspend: status %s, cure %v, modified %v; want suspended, 2026-03-23, %v", r.Status, r.CureDeadline, r.Modified, at)
	}
	if err := change(trustmark.GrantActive, "cured"); err != nil {
		t.Fatalf("cure: %v", err)
	}
	if err := change(trustmark.GrantTerminated, "false statements"); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	wantKind(t, "reactivate terminated", change(trustmark.GrantActive, ""), trustmark.KindRule)
	got, _ := s.Grant(ctx, g.LabelID)
	if got.Status != trustmark.GrantTerminated || got.StatusReason != "false statements" || got.CureDeadline != nil {
		t.Errorf("Grant() = %+v; want terminated for false statements", got)
	}
	r, _ = s.RegistryRecord(ctx, g.LabelID)
	if r.Status != trustmark.GrantTerminated || r.StatusReason != "false statements" {
		t.Errorf("record status = %s (%s); want terminated", r.Status, r.StatusReason)
	}

	// Disclosure changes go through the same method.
	_, rec, err := s.UpdateGrant(ctx, g.LabelID, at, func(_ *trustmark.Grant, r *trustmark.RegistryRecord) error {
		r.SupportDate = "2031-06-30"
		return nil
	})
	if err != nil || rec.SupportDate != "2031-06-30" {
		t.Errorf("extend support: %v, %v", rec, err)
	}
	_, _, err = s.UpdateGrant(ctx, trustmark.NewLabelID(), at, func(*trustmark.Grant, *trustmark.RegistryRecord) error { return nil })
	wantKind(t, "unknown label", err, trustmark.KindNotFound)
}

func testUpdateGrantAtomic(t *testing.T, s trustmark.Store) {
	ctx := context.Background()
	f := NewFixture(t, s, "a")
	g := f.Grant(t, s, "Plug", t0)
	before, _ := s.RegistryRecord(ctx, g.LabelID)
	boom := errors.New("boom")
	cases := []struct {
		name string
		fn   func(*trustmark.Grant, *trustmark.RegistryRecord) error
		kind trustmark.ErrorKind
	}{
		{"callback fails after changing both", func(g *trustmark.Grant, r *trustmark.RegistryRecord) error {
			g.Status, r.ProductName = trustmark.GrantWithdrawn, "changed"
			return boom
		}, trustmark.KindInternal},
		{"invalid record", func(g *trustmark.Grant, r *trustmark.RegistryRecord) error {
			g.Status, g.StatusReason = trustmark.GrantWithdrawn, "x"
			r.SupportDate = "soon"
			return nil
		}, trustmark.KindInvalid},
		{"label ID changed", func(g *trustmark.Grant, r *trustmark.RegistryRecord) error {
			r.LabelID = trustmark.NewLabelID()
			return nil
		}, trustmark.KindInvalid},
	}
	for _, c := range cases {
		_, _, err := s.UpdateGrant(ctx, g.LabelID, t0.Add(time.Hour), c.fn)
		wantKind(t, c.name, err, c.kind)
		gotG, _ := s.Grant(ctx, g.LabelID)
		gotR, _ := s.RegistryRecord(ctx, g.LabelID)
		if gotG.Status != trustmark.GrantActive || gotR.ProductName != before.ProductName || gotR.SupportDate != before.SupportDate || !gotR.Modified.Equal(before.Modified) {
			t.Errorf("%s: state changed after a failed update: grant %s, record %q %s", c.name, gotG.Status, gotR.ProductName, gotR.SupportDate)
		}
	}
}

func testListPagination(t *testing.T, s trustmark.Store) {
	ctx := context.Background()
	f := NewFixture(t, s, "l")
	var want []trustmark.LabelID
	for i := range 7 {
		g := f.Grant(t, s, fmt.Sprintf("Product %d", i), t0.Add(time.Duration(i)*time.Hour))
		want = append(want, g.LabelID)
	}
	slices.Reverse(want) // newest first
	for _, limit := range []int{1, 2, 3, 7, 8, 200} {
		var got []trustmark.LabelID
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatalf("limit %d: pagination does not end", limit)
			}
			page, err := s.ListRegistry(ctx, trustmark.RegistryFilter{Limit: limit, Cursor: cursor})
			if err != nil {
				t.Fatalf("ListRegistry(limit %d) = %v", limit, err)
			}
			if page.Total != 7 {
				t.Errorf("limit %d: total = %d, want 7", limit, page.Total)
			}
			if len(page.Items) > limit {
				t.Errorf("limit %d: page has %d items", limit, len(page.Items))
			}
			for _, r := range page.Items {
				got = append(got, r.LabelID)
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("limit %d: listing mismatch (-want +got):\n%s", limit, diff)
		}
	}
	for _, bad := range []trustmark.RegistryFilter{
		{Cursor: "garbage"}, {Cursor: "cjEuLTU"}, {Limit: 201}, {Limit: -1}, {Status: "revoked"},
	} {
		_, err := s.ListRegistry(ctx, bad)
		wantKind(t, fmt.Sprintf("ListRegistry(%+v)", bad), err, trustmark.KindInvalid)
	}
}

func testListFilters(t *testing.T, s trustmark.Store) {
	ctx := context.Background()
	a := NewFixture(t, s, "Alpha")
	b := NewFixture(t, s, "Bravo")
	cam := a.Grant(t, s, "Hawkeye Camera", t0)
	bell := a.Grant(t, s, "Ding Doorbell", t0.Add(time.Hour))
	therm := b.Grant(t, s, "Warmth Thermostat", t0.Add(2*time.Hour))
	if _, _, err := s.UpdateGrant(ctx, bell.LabelID, t0.Add(3*time.Hour), func(g *trustmark.Grant, _ *trustmark.RegistryRecord) error {
		return g.Apply(trustmark.StatusChange{LabelID: g.LabelID, To: trustmark.GrantSuspended, Reason: "complaint", At: t0.Add(3 * time.Hour)})
	}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		f    trustmark.RegistryFilter
		want []trustmark.LabelID
	}{
		{trustmark.RegistryFilter{Query: "camera"}, []trustmark.LabelID{cam.LabelID}},
		{trustmark.RegistryFilter{Query: "CAM"}, []trustmark.LabelID{cam.LabelID}},
		{trustmark.RegistryFilter{Query: "maker alpha"}, []trustmark.LabelID{bell.LabelID, cam.LabelID}},
		{trustmark.RegistryFilter{Query: "M-Warmth"}, []trustmark.LabelID{therm.LabelID}},
		{trustmark.RegistryFilter{Query: `"OR NEAR(*`}, []trustmark.LabelID{}},
		{trustmark.RegistryFilter{Query: "!!!"}, []trustmark.LabelID{}},
		{trustmark.RegistryFilter{Manufacturer: b.Manufacturer.ID}, []trustmark.LabelID{therm.LabelID}},
		{trustmark.RegistryFilter{Status: trustmark.GrantSuspended}, []trustmark.LabelID{bell.LabelID}},
		{trustmark.RegistryFilter{Status: trustmark.GrantActive, Manufacturer: a.Manufacturer.ID}, []trustmark.LabelID{cam.LabelID}},
		{trustmark.RegistryFilter{Query: "doorbell", Status: trustmark.GrantActive}, []trustmark.LabelID{}},
	}
	for _, c := range cases {
		page, err := s.ListRegistry(ctx, c.f)
		if err != nil {
			t.Errorf("ListRegistry(%+v) = %v", c.f, err)
			continue
		}
		got := []trustmark.LabelID{}
		for _, r := range page.Items {
			got = append(got, r.LabelID)
		}
		if diff := cmp.Diff(c.want, got); diff != "" || page.Total != len(c.want) {
			t.Errorf("ListRegistry(%+v): total %d, items mismatch (-want +got):\n%s", c.f, page.Total, diff)
		}
	}
}

func testRegistryChanges(t *testing.T, s trustmark.Store) {
	ctx := context.Background()
	f := NewFixture(t, s, "c")
	g1 := f.Grant(t, s, "One", t0)
	g2 := f.Grant(t, s, "Two", t0)
	ids, next, err := s.RegistryChanges(ctx, 0, 100)
	if err != nil || !slices.Equal(ids, []trustmark.LabelID{g1.LabelID, g2.LabelID}) {
		t.Fatalf("RegistryChanges(0) = %v, %v; want [%s %s]", ids, err, g1.LabelID, g2.LabelID)
	}
	if _, _, err := s.UpdateGrant(ctx, g1.LabelID, t0, func(_ *trustmark.Grant, r *trustmark.RegistryRecord) error {
		r.SupportDate = "2032-01-01"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ids, next2, err := s.RegistryChanges(ctx, next, 100)
	if err != nil || !slices.Equal(ids, []trustmark.LabelID{g1.LabelID}) || next2 <= next {
		t.Errorf("RegistryChanges(%d) = %v, %d, %v; want only %s and a later sequence", next, ids, next2, err, g1.LabelID)
	}
	if _, latest, err := s.RegistryChanges(ctx, 0, 0); err != nil || latest != next2 {
		t.Errorf("RegistryChanges(0, 0) = %d, %v; want the latest sequence %d", latest, err, next2)
	}
	ids, next3, err := s.RegistryChanges(ctx, next2, 100)
	if err != nil || len(ids) != 0 || next3 != next2 {
		t.Errorf("RegistryChanges(%d) = %v, %d, %v; want nothing new", next2, ids, next3, err)
	}
}

func testConcurrentWrites(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "w")
	g := f.Grant(t, s, "Busy", t0)
	const n = 16
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, _, err := s.UpdateGrant(context.Background(), g.LabelID, t0, func(_ *trustmark.Grant, r *trustmark.RegistryRecord) error {
				r.SecurityContact = fmt.Sprintf("security%d@maker.example", i)
				return nil
			})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("concurrent UpdateGrant = %v", err)
		}
	}
	_, next, err := s.RegistryChanges(context.Background(), 0, 1000)
	if err != nil || next < n+1 {
		t.Errorf("after %d updates the change sequence is %d (%v); want at least %d", n, next, err, n+1)
	}
}

func testImportGrants(t *testing.T, s trustmark.Store) {
	ctx := context.Background()
	f := NewFixture(t, s, "i")
	item := func(name string, cla string) trustmark.GrantImport {
		p := &trustmark.Product{ID: "prd_import_" + name, ManufacturerID: f.Manufacturer.ID, Name: name, ModelNumbers: []string{name},
			Class: trustmark.ClassSensor, Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: name}}}
		g := &trustmark.Grant{LabelID: trustmark.DeriveLabelID("import " + name), ProductID: p.ID, ManufacturerID: f.Manufacturer.ID,
			CLAID: cla, LabID: f.Lab.ID, Status: trustmark.GrantActive, GrantedAt: t0}
		return trustmark.GrantImport{Product: p, Grant: g, Record: trustmark.NewRegistryRecord(g, p, f.Manufacturer, f.CLA, f.Lab, Disclosures("2029-01-01"))}
	}
	// A bad item in the middle refuses the whole batch.
	bad := []trustmark.GrantImport{item("a", f.CLA.ID), item("b", f.Lab.ID), item("c", f.CLA.ID)}
	wantKind(t, "batch with a lab as CLA", s.ImportGrants(ctx, bad), trustmark.KindRule)
	if _, err := s.Product(ctx, "prd_import_a"); !trustmark.IsKind(err, trustmark.KindNotFound) {
		t.Errorf("Product(prd_import_a) after a refused import = %v, want not found", err)
	}
	good := []trustmark.GrantImport{item("a", f.CLA.ID), item("b", f.CLA.ID), item("c", f.CLA.ID)}
	if err := s.ImportGrants(ctx, good); err != nil {
		t.Fatalf("ImportGrants() = %v", err)
	}
	page, err := s.ListRegistry(ctx, trustmark.RegistryFilter{})
	if err != nil || page.Total != 3 {
		t.Errorf("ListRegistry() after import: total %v, %v; want 3", page, err)
	}
	wantKind(t, "importing again", s.ImportGrants(ctx, []trustmark.GrantImport{item("a", f.CLA.ID)}), trustmark.KindConflict)
}

// sha256Hex returns the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
