package program_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/demo"
	"trustmark/internal/postgres"
	"trustmark/internal/postgres/pgtest"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
	"trustmark/internal/storetest"
)

// now is the tests' clock: the demo's suspended thermostat has 12 days of
// its cure period left.
var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// fixture is the demo dataset in a store with a program over it whose
// clock the test may move.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    trustmark.Store
	prog  *program.Program
	clock time.Time
}

// forEachStore runs fn on a fresh demo fixture in SQLite and, when
// TRUSTMARK_TEST_POSTGRES names a server, in PostgreSQL (see pgtest).
func forEachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "d.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, newFixture(t, db))
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := postgres.Open(context.Background(), pgtest.DSN(t), postgres.Config{Migrate: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, newFixture(t, db))
	})
}

func newFixture(t *testing.T, db trustmark.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.LoadAt(ctx, db, now); err != nil {
		t.Fatal(err)
	}
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, db: db, clock: now}
	f.prog = program.New(db, set, program.Config{Now: func() time.Time { return f.clock }})
	return f
}

// as returns a principal of the organization with a fresh token of role.
func (f *fixture) as(orgID string, role trustmark.Role) *trustmark.Principal {
	f.t.Helper()
	_, secret, err := f.prog.OperatorToken(f.ctx, orgID, "Test person", role)
	if err != nil {
		f.t.Fatalf("OperatorToken(%s) = %v", orgID, err)
	}
	pr, err := f.prog.Authenticate(f.ctx, secret)
	if err != nil {
		f.t.Fatal(err)
	}
	return pr
}

// grantWithSupport issues a grant straight into the store for a new
// product whose support ends on support.
func (f *fixture) grantWithSupport(name, support string, granted time.Time) trustmark.LabelID {
	f.t.Helper()
	mfr, _ := f.db.Organization(f.ctx, "org_demo_lumen")
	cla, _ := f.db.Organization(f.ctx, "org_demo_meridian")
	lab, _ := f.db.Organization(f.ctx, "org_demo_cedar")
	p := &trustmark.Product{ManufacturerID: mfr.ID, Name: name, ModelNumbers: []string{"M-" + name}, Class: trustmark.ClassPlug,
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: name}}}
	if err := f.db.CreateProduct(f.ctx, p); err != nil {
		f.t.Fatal(err)
	}
	g := &trustmark.Grant{LabelID: trustmark.NewLabelID(), ProductID: p.ID, ManufacturerID: mfr.ID, CLAID: cla.ID, LabID: lab.ID,
		Status: trustmark.GrantActive, GrantedAt: granted}
	if err := f.db.IssueGrant(f.ctx, g, trustmark.NewRegistryRecord(g, p, mfr, cla, lab, storetest.Disclosures(support))); err != nil {
		f.t.Fatal(err)
	}
	return g.LabelID
}

// application files a complete application of the demo manufacturer
// Northwind with Keystone, tested by Ferrous; submitted when submit is set.
func (f *fixture) application(mfr *trustmark.Principal, name string, submit bool) *trustmark.Application {
	f.t.Helper()
	prod, err := f.prog.CreateProduct(f.ctx, mfr, trustmark.Product{Name: name, ModelNumbers: []string{"M-" + name}, Class: trustmark.ClassCamera,
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: name}}})
	if err != nil {
		f.t.Fatal(err)
	}
	d := storetest.Disclosures("2031-06-30")
	a, err := f.prog.CreateApplication(f.ctx, mfr, program.ApplicationInput{ProductID: prod.ID, CLAID: "org_demo_keystone", LabID: "org_demo_ferrous",
		Disclosures: &d, USAgent: &trustmark.USAgent{Name: "Agent LLC", Address: "1 K St, Washington, DC", Email: "agent@agent.example.com", Phone: "+1 202 555 0100", AttestedBy: "Pat Agent"}})
	if err != nil {
		f.t.Fatal(err)
	}
	var clauses []trustmark.DeclarationClause
	for _, d := range trustmark.Declarations {
		clauses = append(clauses, d.Clause)
	}
	if a, err = f.prog.SignDeclarations(f.ctx, mfr, a.ID, clauses); err != nil {
		f.t.Fatal(err)
	}
	if submit {
		if a, err = f.prog.Submit(f.ctx, mfr, a.ID); err != nil {
			f.t.Fatal(err)
		}
	}
	return a
}

func counts[T any](list []T, key func(T) string, n func(T) int) map[string]int {
	m := map[string]int{}
	for _, v := range list {
		m[key(v)] = n(v)
	}
	return m
}

func checkCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s[%s] = %d, want %d (all: %v)", what, k, got[k], w, got)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && g != 0 {
			t.Errorf("%s[%s] = %d, want 0", what, k, g)
		}
	}
}

func TestDashboardAccess(t *testing.T) { forEachStore(t, testDashboardAccess) }

func testDashboardAccess(t *testing.T, f *fixture) {
	cases := []struct {
		org  string
		role trustmark.Role
		want trustmark.ErrorKind
	}{
		{"org_demo_lead", trustmark.RoleViewer, ""},
		{"org_demo_regulator", trustmark.RoleMember, ""},
		{"org_demo_keystone", trustmark.RoleAdmin, trustmark.KindForbidden},
		{"org_demo_ferrous", trustmark.RoleAdmin, trustmark.KindForbidden},
		{"org_demo_northwind", trustmark.RoleAdmin, trustmark.KindForbidden},
	}
	for _, c := range cases {
		_, err := f.prog.Dashboard(f.ctx, f.as(c.org, c.role))
		if trustmark.KindOf(err) != c.want {
			t.Errorf("Dashboard() as %s %s = %v, want kind %q", c.org, c.role, err, c.want)
		}
	}
	if _, err := f.prog.Dashboard(f.ctx, nil); !trustmark.IsKind(err, trustmark.KindUnauthenticated) {
		t.Errorf("Dashboard() anonymous = %v, want unauthenticated", err)
	}
}

// On the demo dataset alone, every figure is known.
func TestDashboardDemo(t *testing.T) { forEachStore(t, testDashboardDemo) }

func testDashboardDemo(t *testing.T, f *fixture) {
	d, err := f.prog.Dashboard(f.ctx, f.as("org_demo_regulator", trustmark.RoleViewer))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.GrantsByMonth) != 12 || !d.GrantsByMonth[0].Month.Equal(time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)) ||
		!d.GrantsByMonth[11].Month.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("months = %v … %v; want December 2025 to November 2026", d.GrantsByMonth[0].Month, d.GrantsByMonth[len(d.GrantsByMonth)-1].Month)
	}
	// Demo grant dates: Jan (the suspended thermostat), Feb, Mar, Apr, May,
	// Jun, Jul, Aug, Sep, two in Oct; the others are older than a year.
	wantTotals := []int{0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0}
	for i, m := range d.GrantsByMonth {
		if m.Total != wantTotals[i] {
			t.Errorf("grants in %s = %d, want %d", m.Month.Format("2006-01"), m.Total, wantTotals[i])
		}
		sum := 0
		for _, s := range m.ByStatus {
			sum += s.Count
		}
		if sum != m.Total || len(m.ByStatus) != len(trustmark.GrantStatuses) {
			t.Errorf("%s: statuses %v do not add up to %d", m.Month.Format("2006-01"), m.ByStatus, m.Total)
		}
	}
	if jan := d.GrantsByMonth[1].ByStatus; jan[1].Status != trustmark.GrantSuspended || jan[1].Count != 1 {
		t.Errorf("January 2026 by status = %v; want the suspended thermostat", jan)
	}
	checkCounts(t, "grants by status", counts(d.GrantsByStatus, func(s program.StatusCount) string { return string(s.Status) }, func(s program.StatusCount) int { return s.Count }),
		map[string]int{"active": 12, "suspended": 1, "terminated": 1})
	for _, m := range d.SupportEnding {
		if m.Count != 0 {
			t.Errorf("support ending in %s = %d; no demo product's support ends within a year", m.Month.Format("2006-01"), m.Count)
		}
	}
	if len(d.CureClocks) != 1 {
		t.Fatalf("cure clocks = %+v, want the thermostat's", d.CureClocks)
	}
	c := d.CureClocks[0]
	if c.LabelID != demo.LabelID("thermo-one") || c.DaysLeft != 12 || c.Overdue || c.ProductName != "Thermo One Smart Thermostat" ||
		c.CLAName != "Keystone Conformity Services" || !c.Deadline.Equal(now.Add(12*24*time.Hour)) {
		t.Errorf("cure clock = %+v; want the thermostat with 12 days left at Keystone", c)
	}
	checkCounts(t, "organizations", counts(d.Organizations, func(k program.KindCount) string { return string(k.Kind) }, func(k program.KindCount) int { return k.Count }),
		map[string]int{"regulator": 1, "lead_administrator": 1, "cla": 2, "lab": 2, "manufacturer": 3})
	if d.Labs != (program.LabCounts{Recognized: 2}) {
		t.Errorf("labs = %+v, want 2 recognized", d.Labs)
	}
	for _, s := range append(d.OpenComplaints, d.Applications...) {
		if s.Count != 0 {
			t.Errorf("%s = %d; the demo has no complaints or applications", s.State, s.Count)
		}
	}
	if len(d.OpenComplaints) != 3 || len(d.Applications) != len(program.AppStates) {
		t.Errorf("open complaint states %d, application states %d; want every state listed", len(d.OpenComplaints), len(d.Applications))
	}
}

// Changes made through the program show in the figures.
func TestDashboardCounts(t *testing.T) { forEachStore(t, testDashboardCounts) }

func testDashboardCounts(t *testing.T, f *fixture) {
	la := f.as("org_demo_lead", trustmark.RoleMember)
	reg := f.as("org_demo_regulator", trustmark.RoleMember)
	keystone := f.as("org_demo_keystone", trustmark.RoleMember)
	mfr := f.as("org_demo_northwind", trustmark.RoleMember)

	// Support periods: one ends tomorrow, one in March 2027, one in
	// November 2027 (past the horizon), one ended yesterday.
	f.grantWithSupport("Ends tomorrow", "2026-11-29", now.Add(-24*time.Hour))
	f.grantWithSupport("Ends in March", "2027-03-15", now.Add(-24*time.Hour))
	f.grantWithSupport("Ends late", "2027-11-01", now.Add(-24*time.Hour))
	f.grantWithSupport("Ended", "2026-11-27", now.Add(-24*time.Hour))
	// A terminated grant's support period no longer counts.
	gone := f.grantWithSupport("Withdrawn early", "2027-01-10", now.Add(-24*time.Hour))
	if _, err := f.prog.ChangeStatus(f.ctx, reg, gone, trustmark.GrantWithdrawn, "the manufacturer left the market"); err != nil {
		t.Fatal(err)
	}

	// Complaints: one stays with the CLA, one is referred to the Lead
	// Administrator, one onward to the regulator, one closed.
	var ids []string
	for _, key := range []string{"halo-cam-2k", "halo-doorbell", "pulseband-4", "lumen-hub"} {
		c, err := f.prog.FileComplaint(f.ctx, nil, trustmark.Complaint{LabelID: demo.LabelID(key), Text: "The registry entry lists the wrong support date."})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	act := func(pr *trustmark.Principal, id, action string) {
		t.Helper()
		if _, err := f.prog.ActOnComplaint(f.ctx, pr, id, action, "looked into it"); err != nil {
			t.Fatalf("ActOnComplaint(%s, %s) = %v", id, action, err)
		}
	}
	act(keystone, ids[1], "refer")
	act(keystone, ids[2], "refer")
	act(la, ids[2], "refer")
	act(keystone, ids[3], "close")

	// Applications: a draft, two submitted, one of them asked for more information.
	f.application(mfr, "Draft cam", false)
	f.application(mfr, "Filed cam", true)
	asked := f.application(mfr, "Asked cam", true)
	if _, err := f.prog.RequestInfo(f.ctx, keystone, asked.ID, "Send the firmware signing policy.", 14); err != nil {
		t.Fatal(err)
	}

	// Labs: one withdrawn, one recognized with an expired accreditation.
	if _, err := f.prog.WithdrawLab(f.ctx, la, "org_demo_cedar", "accreditation suspended"); err != nil {
		t.Fatal(err)
	}
	old, _, err := f.prog.CreateOrganization(f.ctx, f.as("org_demo_lead", trustmark.RoleAdmin), trustmark.Organization{Kind: trustmark.OrgLab, Name: "Old Lab", Contact: "https://old-lab.example.com/contact"}, "Owner")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.prog.RecognizeLab(f.ctx, la, trustmark.LabRecognition{OrgID: old.ID, TestSites: []string{"Reno, NV"}, MailingAddress: "1 Main St, Reno, NV",
		AccreditationBody: "A2LA", Scope: []string{"nist-ir-8425"}, AccreditationExpires: "2026-06-30", DesignationNumber: "US9", FRN: "0011111111"}); err != nil {
		t.Fatal(err)
	}

	// A second suspension with the full 20 days, and one whose period has
	// run out before the sweep.
	if _, err := f.prog.ChangeStatus(f.ctx, keystone, demo.LabelID("halo-doorbell"), trustmark.GrantSuspended, "default credentials on the chime"); err != nil {
		t.Fatal(err)
	}
	f.clock = now.Add(-21 * 24 * time.Hour)
	if _, err := f.prog.ChangeStatus(f.ctx, reg, demo.LabelID("glow-a19"), trustmark.GrantSuspended, "unsigned firmware updates"); err != nil {
		t.Fatal(err)
	}
	f.clock = now

	d, err := f.prog.Dashboard(f.ctx, la)
	if err != nil {
		t.Fatal(err)
	}
	ending := map[string]int{}
	for _, m := range d.SupportEnding {
		ending[m.Month.Format("2006-01")] = m.Count
	}
	checkCounts(t, "support ending", ending, map[string]int{"2026-11": 1, "2027-03": 1})
	checkCounts(t, "open complaints", counts(d.OpenComplaints, func(s program.StateCount) string { return s.State }, func(s program.StateCount) int { return s.Count }),
		map[string]int{"with_cla": 1, "with_lead_administrator": 1, "with_regulator": 1})
	checkCounts(t, "applications", counts(d.Applications, func(s program.StateCount) string { return s.State }, func(s program.StateCount) int { return s.Count }),
		map[string]int{"draft": 1, "submitted": 1, "info_requested": 1})
	if d.Labs != (program.LabCounts{Recognized: 1, Expired: 1, Withdrawn: 1}) {
		t.Errorf("labs = %+v, want one of each", d.Labs)
	}
	checkCounts(t, "grants by status", counts(d.GrantsByStatus, func(s program.StatusCount) string { return string(s.Status) }, func(s program.StatusCount) int { return s.Count }),
		map[string]int{"active": 14, "suspended": 3, "terminated": 1, "withdrawn": 1})
	if nov := d.GrantsByMonth[11]; nov.Total != 5 || nov.ByStatus[0].Count != 4 || nov.ByStatus[3].Count != 1 {
		t.Errorf("November 2026 = %+v; want the 5 new grants, 4 active and 1 withdrawn", nov)
	}
	var clocks []string
	for _, c := range d.CureClocks {
		clocks = append(clocks, string(c.LabelID))
	}
	if len(d.CureClocks) != 3 {
		t.Fatalf("cure clocks = %v, want three", clocks)
	}
	want := []struct {
		id      trustmark.LabelID
		days    int
		overdue bool
	}{{demo.LabelID("glow-a19"), 0, true}, {demo.LabelID("thermo-one"), 12, false}, {demo.LabelID("halo-doorbell"), 20, false}}
	for i, w := range want {
		c := d.CureClocks[i]
		if c.LabelID != w.id || c.DaysLeft != w.days || c.Overdue != w.overdue {
			t.Errorf("cure clock %d = %s, %d days left, overdue %v; want %s, %d, %v", i, c.LabelID, c.DaysLeft, c.Overdue, w.id, w.days, w.overdue)
		}
	}
}

// The CLA's queue holds what waits on it, with its clocks, due first.
func TestQueue(t *testing.T) { forEachStore(t, testQueue) }

func testQueue(t *testing.T, f *fixture) {
	keystone := f.as("org_demo_keystone", trustmark.RoleViewer)
	keystoneMember := f.as("org_demo_keystone", trustmark.RoleMember)
	mfr := f.as("org_demo_northwind", trustmark.RoleMember)

	f.clock = now.Add(-72 * time.Hour)
	first := f.application(mfr, "Oldest filed", true)
	f.clock = now.Add(-48 * time.Hour)
	second := f.application(mfr, "Later filed", true)
	f.application(mfr, "Still a draft", false)
	asked := f.application(mfr, "Asked", true)
	if _, err := f.prog.RequestInfo(f.ctx, keystoneMember, asked.ID, "Send the firmware signing policy.", 5); err != nil {
		t.Fatal(err)
	}
	late := f.application(mfr, "Asked long ago", true)
	if _, err := f.prog.RequestInfo(f.ctx, keystoneMember, late.ID, "Send the SBOM.", 1); err != nil {
		t.Fatal(err)
	}
	denied := f.application(mfr, "Denied", true)
	if _, err := f.prog.Decide(f.ctx, keystoneMember, denied.ID, trustmark.AppDenied, "the lab found telnet open"); err != nil {
		t.Fatal(err)
	}
	f.clock = now.Add(-24 * time.Hour) // a Friday: the review is due 10 business days later
	if _, err := f.prog.RequestReview(f.ctx, mfr, denied.ID, "telnet was a lab fixture"); err != nil {
		t.Fatal(err)
	}
	f.clock = now

	q, err := f.prog.Queue(f.ctx, keystone)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id, clock string
		days      int
		overdue   bool
	}
	want := []row{
		{late.ID, program.ClockInfo, 0, true},
		{asked.ID, program.ClockInfo, 3, false},
		{denied.ID, program.ClockReview, 13, false}, // Fri 27 Nov + 10 business days = Fri 11 Dec
		{first.ID, program.ClockDecision, 0, false},
		{second.ID, program.ClockDecision, 0, false},
	}
	if len(q) != len(want) {
		t.Fatalf("queue has %d items, want %d: %+v", len(q), len(want), q)
	}
	for i, w := range want {
		got := row{q[i].Application.ID, q[i].Clock, q[i].DaysLeft, q[i].Overdue}
		if got != w {
			t.Errorf("queue[%d] = %+v, want %+v", i, got, w)
		}
	}
	if q[3].ProductName != "Oldest filed" || q[3].ManufacturerName != "Northwind Home Devices" || q[3].Due != nil {
		t.Errorf("queue[3] = %+v; want the product and manufacturer names and no due date", q[3])
	}
	if d := q[2].Due; d == nil || !d.Equal(time.Date(2026, 12, 11, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("review due %v, want 2026-12-11 12:00 (10 business days)", d)
	}
	for _, org := range []string{"org_demo_lead", "org_demo_northwind", "org_demo_ferrous"} {
		if _, err := f.prog.Queue(f.ctx, f.as(org, trustmark.RoleAdmin)); !trustmark.IsKind(err, trustmark.KindForbidden) {
			t.Errorf("Queue() as %s = %v, want forbidden", org, err)
		}
	}
	// Another CLA's queue is its own: empty here.
	if q, err := f.prog.Queue(f.ctx, f.as("org_demo_meridian", trustmark.RoleViewer)); err != nil || len(q) != 0 {
		t.Errorf("Meridian's queue = %v, %v; want empty", q, err)
	}
}
