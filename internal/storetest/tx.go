package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"trustmark"
)

// txTests are the conformance tests of Store.Transact, Store.View and Tx.
var txTests = []struct {
	name string
	fn   func(t *testing.T, s trustmark.Store)
}{
	{"TxTokens", testTxTokens},
	{"TxLabs", testTxLabs},
	{"TxApplicationsAndReports", testTxApplications},
	{"TxSurveillanceAndComplaints", testTxSurveillance},
	{"TxAudit", testTxAudit},
	{"TxIsAtomic", testTxAtomic},
	{"ViewIsReadOnly", testViewReadOnly},
	{"ConcurrentTransactionsStayApart", testConcurrentTx},
	{"LogEntriesFollowRecords", testLogEntries},
}

func transact(t *testing.T, s trustmark.Store, fn func(tx trustmark.Tx) error) {
	t.Helper()
	if err := s.Transact(context.Background(), fn); err != nil {
		t.Fatalf("Transact() = %v", err)
	}
}

func testTxTokens(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "tok")
	secret, hash := trustmark.NewTokenSecret()
	tok := &trustmark.Token{OrgID: f.CLA.ID, Holder: "Ana Ruiz", Role: trustmark.RoleMember, Hash: hash, CreatedAt: t0, CreatedBy: "init"}
	transact(t, s, func(tx trustmark.Tx) error { return tx.CreateToken(tok) })
	transact(t, s, func(tx trustmark.Tx) error {
		got, err := tx.TokenByHash(trustmark.HashToken(secret))
		if err != nil {
			return err
		}
		if diff := cmp.Diff(tok, got); diff != "" {
			t.Errorf("TokenByHash() mismatch (-want +got):\n%s", diff)
		}
		if _, err := tx.TokenByHash(trustmark.HashToken(secret + "x")); !trustmark.IsKind(err, trustmark.KindNotFound) {
			t.Errorf("TokenByHash(other) = %v, want not found", err)
		}
		dup := *tok
		dup.ID = ""
		wantKind(t, "same hash", tx.CreateToken(&dup), trustmark.KindConflict)
		return nil
	})
	transact(t, s, func(tx trustmark.Tx) error { return tx.RevokeToken(tok.ID, t0.Add(time.Hour)) })
	transact(t, s, func(tx trustmark.Tx) error {
		if err := tx.RevokeToken(tok.ID, t0.Add(2*time.Hour)); err != nil {
			return err
		}
		got, err := tx.Token(tok.ID)
		if err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("after revoking twice: %+v, %v; want the first revocation time", got, err)
		}
		list, err := tx.Tokens(f.CLA.ID)
		if err != nil || len(list) != 1 {
			t.Errorf("Tokens() = %v, %v", list, err)
		}
		return nil
	})
}

func testTxLabs(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "lab")
	l := &trustmark.LabRecognition{OrgID: f.Lab.ID, TestSites: []string{"Boulder, CO"}, MailingAddress: "410 Pine Ave", AccreditationBody: "A2LA",
		Scope: []string{"nist-ir-8425"}, AccreditationExpires: "2027-01-31", DesignationNumber: "US0042", FRN: "0098765432",
		Status: trustmark.LabRecognized, RecognizedAt: t0}
	transact(t, s, func(tx trustmark.Tx) error {
		if err := tx.PutLab(l); err != nil {
			return err
		}
		notLab := *l
		notLab.OrgID = f.CLA.ID
		wantKind(t, "recognize a CLA as lab", tx.PutLab(&notLab), trustmark.KindRule)
		l.Status, l.WithdrawnReason = trustmark.LabWithdrawn, "lost accreditation"
		return tx.PutLab(l) // replaces
	})
	_ = s.View(context.Background(), func(tx trustmark.Tx) error {
		got, err := tx.Lab(f.Lab.ID)
		if err != nil || got.Status != trustmark.LabWithdrawn || got.FRN != "0098765432" {
			t.Errorf("Lab() = %+v, %v; want the withdrawn record", got, err)
		}
		all, err := tx.Labs()
		if err != nil || len(all) != 1 {
			t.Errorf("Labs() = %d, %v; want 1", len(all), err)
		}
		_, err = tx.Lab(f.CLA.ID)
		wantKind(t, "Lab(non-lab)", err, trustmark.KindNotFound)
		return nil
	})
}

func testTxApplications(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "app")
	p := &trustmark.Product{ManufacturerID: f.Manufacturer.ID, Name: "Cam", ModelNumbers: []string{"C"}, Class: trustmark.ClassCamera,
		Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: "Cam"}}, CreatedAt: t0}
	d := Disclosures("2030-01-01")
	a := &trustmark.Application{ManufacturerID: f.Manufacturer.ID, CLAID: f.CLA.ID, LabID: f.Lab.ID, State: trustmark.AppDraft,
		Disclosures: &d, Declarations: []trustmark.Declaration{{Clause: "8.208(c)(1)", SignedBy: "Jo", SignedAt: t0}},
		PriorDenials: []trustmark.PriorDenial{}, Reviews: []trustmark.Review{}, CreatedAt: t0, UpdatedAt: t0}
	content := []byte("evidence bytes")
	r := &trustmark.TestReport{LabID: f.Lab.ID, Catalog: "nist-ir-8425", SignedBy: "Lab Person", SignerTitle: "Engineer", SignedAt: t0,
		Results: []trustmark.ReportResult{{Requirement: "1a", Outcome: trustmark.OutcomePass, Evidence: []trustmark.Evidence{
			{Name: "e.txt", MediaType: "text/plain", SHA256: "2f1f8a0b3ea4f8d4a0a9d4bb0f3e7a13c3a0a5f0e6a8f7cbd5d0a6b1d3e8c2f1", Size: len(content), Content: content},
			{Name: "hash-only.pcap", MediaType: "application/vnd.tcpdump.pcap", SHA256: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", Size: 9000},
		}}}}
	sum := sha256Hex(content)
	r.Results[0].Evidence[0].SHA256 = sum
	transact(t, s, func(tx trustmark.Tx) error {
		if err := tx.CreateProduct(p); err != nil {
			return err
		}
		a.ProductID = p.ID
		if err := tx.CreateApplication(a); err != nil {
			return err
		}
		r.ApplicationID = a.ID
		return tx.CreateReport(r)
	})
	a.State = trustmark.AppSubmitted
	transact(t, s, func(tx trustmark.Tx) error { return tx.UpdateApplication(a) })
	_ = s.View(context.Background(), func(tx trustmark.Tx) error {
		got, err := tx.Application(a.ID)
		if err != nil {
			t.Fatalf("Application() = %v", err)
		}
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("Application() mismatch (-want +got):\n%s", diff)
		}
		for _, f := range []trustmark.ApplicationFilter{{CLAID: f.CLA.ID}, {LabID: f.Lab.ID}, {ProductID: p.ID, State: trustmark.AppSubmitted}} {
			if list, err := tx.Applications(f); err != nil || len(list) != 1 {
				t.Errorf("Applications(%+v) = %d, %v; want 1", f, len(list), err)
			}
		}
		if list, _ := tx.Applications(trustmark.ApplicationFilter{State: trustmark.AppDraft}); len(list) != 0 {
			t.Errorf("Applications(draft) = %d, want 0", len(list))
		}
		reports, err := tx.Reports(a.ID)
		if err != nil || len(reports) != 1 {
			t.Fatalf("Reports() = %v, %v", reports, err)
		}
		ev := reports[0].Results[0].Evidence
		if len(ev) != 2 || ev[0].Content != nil || ev[0].ID == "" || ev[0].SHA256 != sum {
			t.Errorf("report evidence = %+v; want metadata with IDs and no content", ev)
		}
		full, err := tx.Evidence(ev[0].ID)
		if err != nil || string(full.Content) != "evidence bytes" {
			t.Errorf("Evidence() = %+v, %v; want the content", full, err)
		}
		hashOnly, err := tx.Evidence(ev[1].ID)
		if err != nil || hashOnly.Content != nil || hashOnly.Size != 9000 {
			t.Errorf("hash-only Evidence() = %+v, %v", hashOnly, err)
		}
		return nil
	})
	bad := *r
	bad.ID = ""
	bad.Results = []trustmark.ReportResult{{Requirement: "1a", Outcome: trustmark.OutcomePass, Evidence: []trustmark.Evidence{{Name: "x", MediaType: "text/plain", SHA256: sha256Hex([]byte("other")), Size: 3, Content: []byte("abc")}}}}
	err := s.Transact(context.Background(), func(tx trustmark.Tx) error { return tx.CreateReport(&bad) })
	wantKind(t, "evidence hash mismatch", err, trustmark.KindInvalid)
}

func testTxSurveillance(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "sv")
	g := f.Grant(t, s, "Sampled", t0)
	plan := &trustmark.SurveillancePlan{CLAID: f.CLA.ID, Year: 2026, Share: 0.05, Seed: 7, Selected: []trustmark.LabelID{g.LabelID}, CreatedAt: t0}
	smp := &trustmark.Sample{LabelID: g.LabelID, CLAID: f.CLA.ID, ManufacturerID: f.Manufacturer.ID, State: trustmark.SampleRequested, Deadline: t0, RequestedAt: t0}
	c := &trustmark.Complaint{LabelID: g.LabelID, CLAID: f.CLA.ID, ManufacturerID: f.Manufacturer.ID, Text: "The camera streams without a password.", State: trustmark.ComplaintWithCLA, FiledAt: t0, UpdatedAt: t0}
	transact(t, s, func(tx trustmark.Tx) error {
		if err := tx.CreatePlan(plan); err != nil {
			return err
		}
		again := *plan
		again.ID = ""
		wantKind(t, "second plan for the year", tx.CreatePlan(&again), trustmark.KindConflict)
		smp.PlanID = plan.ID
		if err := tx.CreateSample(smp); err != nil {
			return err
		}
		return tx.CreateComplaint(c)
	})
	smp.State = trustmark.SampleFailed
	c.State = trustmark.ComplaintWithLead
	transact(t, s, func(tx trustmark.Tx) error {
		if err := tx.UpdateSample(smp); err != nil {
			return err
		}
		return tx.UpdateComplaint(c)
	})
	_ = s.View(context.Background(), func(tx trustmark.Tx) error {
		plans, err := tx.Plans(f.CLA.ID)
		if err != nil || len(plans) != 1 || plans[0].Seed != 7 {
			t.Errorf("Plans() = %+v, %v", plans, err)
		}
		got, err := tx.Samples(trustmark.SampleFilter{ManufacturerID: f.Manufacturer.ID})
		if err != nil || len(got) != 1 || got[0].State != trustmark.SampleFailed {
			t.Errorf("Samples() = %+v, %v", got, err)
		}
		cs, err := tx.Complaints(trustmark.ComplaintFilter{State: trustmark.ComplaintWithLead})
		if err != nil || len(cs) != 1 || cs[0].Text != c.Text {
			t.Errorf("Complaints() = %+v, %v", cs, err)
		}
		gs, err := tx.Grants(trustmark.GrantFilter{CLAID: f.CLA.ID, Status: trustmark.GrantActive})
		if err != nil || len(gs) != 1 {
			t.Errorf("Grants() = %d, %v; want 1", len(gs), err)
		}
		return nil
	})
	// Suspended grants past their cure deadline are found by CureBefore.
	transact(t, s, func(tx trustmark.Tx) error {
		gr, err := tx.Grant(g.LabelID)
		if err != nil {
			return err
		}
		if err := gr.Apply(trustmark.StatusChange{LabelID: gr.LabelID, To: trustmark.GrantSuspended, Reason: "failed sample", At: t0}); err != nil {
			return err
		}
		rec, err := tx.RegistryRecord(gr.LabelID)
		if err != nil {
			return err
		}
		return tx.SaveGrant(gr, rec)
	})
	_ = s.View(context.Background(), func(tx trustmark.Tx) error {
		for _, tc := range []struct {
			before time.Time
			want   int
		}{{t0.Add(19 * 24 * time.Hour), 0}, {t0.Add(21 * 24 * time.Hour), 1}} {
			gs, err := tx.Grants(trustmark.GrantFilter{CureBefore: tc.before})
			if err != nil || len(gs) != tc.want {
				t.Errorf("Grants(CureBefore %v) = %d, %v; want %d", tc.before, len(gs), err, tc.want)
			}
		}
		return nil
	})
}

func testTxAudit(t *testing.T, s trustmark.Store) {
	transact(t, s, func(tx trustmark.Tx) error {
		for i := range 5 {
			subject := "grant/A"
			if i%2 == 1 {
				subject = "grant/B"
			}
			if err := tx.Audit(&trustmark.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Actor: "x", Action: "grant.status", Subject: subject}); err != nil {
				return err
			}
		}
		wantKind(t, "audit without action", tx.Audit(&trustmark.AuditEntry{At: t0, Subject: "x"}), trustmark.KindInternal)
		return nil
	})
	_ = s.View(context.Background(), func(tx trustmark.Tx) error {
		all, err := tx.AuditEntries(trustmark.AuditFilter{Limit: 10})
		if err != nil || len(all) != 5 || all[0].Seq <= all[4].Seq {
			t.Fatalf("AuditEntries() = %+v, %v; want 5, newest first", all, err)
		}
		a, _ := tx.AuditEntries(trustmark.AuditFilter{Subject: "grant/A"})
		if len(a) != 3 {
			t.Errorf("AuditEntries(grant/A) = %d, want 3", len(a))
		}
		older, _ := tx.AuditEntries(trustmark.AuditFilter{Before: all[1].Seq, Limit: 10})
		if len(older) != 3 {
			t.Errorf("AuditEntries(before %d) = %d, want 3", all[1].Seq, len(older))
		}
		return nil
	})
}

func testTxAtomic(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "atom")
	boom := errors.New("boom")
	err := s.Transact(context.Background(), func(tx trustmark.Tx) error {
		if err := tx.CreateOrganization(&trustmark.Organization{ID: "org_atomic", Kind: trustmark.OrgLab, Name: "Half", Contact: "a@b.example"}); err != nil {
			return err
		}
		if err := tx.Audit(&trustmark.AuditEntry{At: t0, Actor: "x", Action: "org.create", Subject: "organization/org_atomic"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Transact() = %v, want the callback's error", err)
	}
	if _, err := s.Organization(context.Background(), "org_atomic"); !trustmark.IsKind(err, trustmark.KindNotFound) {
		t.Errorf("organization of a failed transaction exists: %v", err)
	}
	_ = s.View(context.Background(), func(tx trustmark.Tx) error {
		if list, _ := tx.AuditEntries(trustmark.AuditFilter{Subject: "organization/org_atomic"}); len(list) != 0 {
			t.Errorf("audit entry of a failed transaction exists")
		}
		return nil
	})
	_ = f
}

func testViewReadOnly(t *testing.T, s trustmark.Store) {
	err := s.View(context.Background(), func(tx trustmark.Tx) error {
		return tx.CreateOrganization(&trustmark.Organization{Kind: trustmark.OrgLab, Name: "Sneaky", Contact: "a@b.example"})
	})
	if err == nil {
		t.Fatal("a write inside View succeeded")
	}
	if _, err := s.ListOrganizations(context.Background(), trustmark.OrgLab); err != nil {
		t.Fatal(err)
	}
	list, _ := s.ListOrganizations(context.Background(), trustmark.OrgLab)
	for _, o := range list {
		if o.Name == "Sneaky" {
			t.Error("View wrote an organization")
		}
	}
}

// Many concurrent transactions, half of which fail after writing: exactly
// the successful ones' writes remain, whatever batching the store does.
func testConcurrentTx(t *testing.T, s trustmark.Store) {
	const n = 64
	errs := make(chan error, n)
	boom := errors.New("boom")
	for i := range n {
		go func() {
			errs <- s.Transact(context.Background(), func(tx trustmark.Tx) error {
				o := &trustmark.Organization{ID: fmt.Sprintf("org_cc_%02d", i), Kind: trustmark.OrgLab, Name: fmt.Sprintf("Concurrent %02d", i), Contact: "a@b.example"}
				if err := tx.CreateOrganization(o); err != nil {
					return err
				}
				if i%2 == 1 {
					return boom
				}
				return nil
			})
		}()
	}
	failed := 0
	for range n {
		if err := <-errs; errors.Is(err, boom) {
			failed++
		} else if err != nil {
			t.Errorf("Transact() = %v", err)
		}
	}
	list, err := s.ListOrganizations(context.Background(), trustmark.OrgLab)
	if err != nil {
		t.Fatal(err)
	}
	if failed != n/2 || len(list) != n/2 {
		t.Fatalf("%d transactions failed and %d organizations exist; want %d and %d", failed, len(list), n/2, n/2)
	}
	for _, o := range list {
		var i int
		fmt.Sscanf(o.ID, "org_cc_%d", &i)
		if i%2 == 1 {
			t.Errorf("organization %s of a failed transaction exists", o.ID)
		}
	}
}

// Every registry write appends its label event in the same transaction,
// with gap-free indexes; raw entries can be appended too.
func testLogEntries(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "log")
	g := f.Grant(t, s, "Logged", t0)
	if _, _, err := s.UpdateGrant(context.Background(), g.LabelID, t0.Add(time.Hour), func(g *trustmark.Grant, r *trustmark.RegistryRecord) error {
		return g.Apply(trustmark.StatusChange{LabelID: g.LabelID, To: trustmark.GrantSuspended, Reason: "failed sample", At: t0.Add(time.Hour)})
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpdateGrant(context.Background(), g.LabelID, t0.Add(2*time.Hour), func(_ *trustmark.Grant, r *trustmark.RegistryRecord) error {
		r.SupportDate = "2031-01-01"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var raw int64
	transact(t, s, func(tx trustmark.Tx) error {
		var err error
		raw, err = tx.AppendLog("", []byte("opaque entry"))
		if err != nil {
			return err
		}
		_, err = tx.AppendLog("", nil)
		wantKind(t, "empty entry", err, trustmark.KindInvalid)
		return nil
	})
	if raw != 3 {
		t.Errorf("raw entry index = %d, want 3 (after grant, status, disclosures)", raw)
	}
	idx, data, err := s.LabelLog(context.Background(), g.LabelID)
	if err != nil || len(idx) != 3 {
		t.Fatalf("LabelLog() = %v, %v; want 3 events", idx, err)
	}
	rec, _ := s.RegistryRecord(context.Background(), g.LabelID)
	var kinds []trustmark.EventKind
	for i, d := range data {
		e, err := trustmark.DecodeLabelEvent(d)
		if err != nil {
			t.Fatalf("entry %d: %v", idx[i], err)
		}
		kinds = append(kinds, e.Event)
		if i == 2 && e.RecordSHA256 != trustmark.RecordHash(rec) {
			t.Errorf("latest event's record hash %s != hash of the stored record %s", e.RecordSHA256, trustmark.RecordHash(rec))
		}
	}
	if diff := cmp.Diff([]trustmark.EventKind{trustmark.EventGrant, trustmark.EventStatus, trustmark.EventDisclosures}, kinds); diff != "" {
		t.Errorf("event kinds (-want +got):\n%s", diff)
	}
	// Support ended: logged once.
	for range 2 {
		transact(t, s, func(tx trustmark.Tx) error {
			ids, err := tx.LogSupportEnded("2031-01-02", t0.Add(3*time.Hour))
			if err != nil {
				return err
			}
			if len(ids) > 1 {
				t.Errorf("LogSupportEnded() = %v", ids)
			}
			return nil
		})
	}
	idx, _, _ = s.LabelLog(context.Background(), g.LabelID)
	if len(idx) != 4 {
		t.Errorf("after support ended: %d events, want 4", len(idx))
	}
}
