package labtest_test

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/labtest"
)

func TestParsePorts(t *testing.T) {
	tests := []struct {
		spec    string
		want    []int
		wantErr bool
	}{
		{"22", []int{22}, false},
		{"80,22, 443", []int{22, 80, 443}, false},
		{"8000-8003,8001", []int{8000, 8001, 8002, 8003}, false},
		{"0", nil, true},
		{"65536", nil, true},
		{"90-80", nil, true},
		{"http", nil, true},
		{",", nil, true},
	}
	for _, tt := range tests {
		got, err := labtest.ParsePorts(tt.spec)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("ParsePorts(%q) = %v, %v; want %v, error %v", tt.spec, got, err, tt.want, tt.wantErr)
		}
	}
	if all, _ := labtest.ParsePorts("all"); len(all) != 65535 || all[0] != 1 || all[65534] != 65535 {
		t.Errorf("ParsePorts(all) has %d ports, want 1-65535", len(all))
	}
	if n := len(labtest.PortsFor(labtest.ProfileFull)); n != 65535 {
		t.Errorf("PortsFor(full) = %d ports, want 65535", n)
	}
}

// fakeResolver answers every name with the same addresses.
type fakeResolver []netip.Addr

func (f fakeResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	return f, nil
}

func TestResolveTarget(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		resolver    labtest.Resolver
		allowPublic bool
		wantAddr    string
		wantScope   string
		wantErr     error
	}{
		{"127.0.0.2", nil, false, "127.0.0.2", labtest.ScopeLoopback, nil},
		{"192.168.1.20", nil, false, "192.168.1.20", labtest.ScopePrivate, nil},
		{"10.1.2.3", nil, false, "10.1.2.3", labtest.ScopePrivate, nil},
		{"169.254.10.1", nil, false, "169.254.10.1", labtest.ScopeLinkLocal, nil},
		{"198.18.0.7", nil, false, "198.18.0.7", labtest.ScopeBenchmarking, nil},
		{"[fd00::7]", nil, false, "fd00::7", labtest.ScopePrivate, nil},
		{"::ffff:192.168.0.9", nil, false, "192.168.0.9", labtest.ScopePrivate, nil},
		{"8.8.8.8", nil, false, "", "", labtest.ErrPublicTarget},
		{"2001:4860:4860::8888", nil, false, "", "", labtest.ErrPublicTarget},
		{"8.8.8.8", nil, true, "8.8.8.8", labtest.ScopePublic, nil},
		{"10.0.0.0/24", nil, false, "", "", labtest.ErrBadTarget},
		{"10.0.0.1,10.0.0.2", nil, false, "", "", labtest.ErrBadTarget},
		{"224.0.0.251", nil, false, "", "", labtest.ErrBadTarget},
		{"0.0.0.0", nil, false, "", "", labtest.ErrBadTarget},
		{"", nil, false, "", "", labtest.ErrBadTarget},
		// A name is probed only if every address it has is allowed.
		{"cam.lab", fakeResolver{netip.MustParseAddr("fd00::1"), netip.MustParseAddr("192.168.7.7")}, false, "192.168.7.7", labtest.ScopePrivate, nil},
		{"cam.lab", fakeResolver{netip.MustParseAddr("192.168.7.7"), netip.MustParseAddr("93.184.216.34")}, false, "", "", labtest.ErrPublicTarget},
	}
	for _, tt := range tests {
		got, err := labtest.ResolveTarget(ctx, tt.resolver, tt.name, tt.allowPublic)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("ResolveTarget(%q) = %+v, %v; want error %v", tt.name, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.Address != tt.wantAddr || got.Scope != tt.wantScope {
			t.Errorf("ResolveTarget(%q) = %+v, %v; want %s (%s)", tt.name, got, err, tt.wantAddr, tt.wantScope)
		}
	}
}

// TestProbeRefusesPublicTarget: nothing is sent when the target is refused.
func TestProbeRefusesPublicTarget(t *testing.T) {
	rep, err := labtest.Probe(context.Background(), labtest.Config{Target: "1.1.1.1", Ports: []int{80}})
	if rep != nil || !errors.Is(err, labtest.ErrPublicTarget) {
		t.Errorf("Probe(1.1.1.1) = %v, %v; want ErrPublicTarget and no report", rep, err)
	}
	if _, err := labtest.Probe(context.Background(), labtest.Config{Target: "127.0.0.1", CredentialConcurrency: 5}); err == nil {
		t.Error("Probe with 5 login attempts at once was accepted; the limit is 4")
	}
}

// TestBuiltinCredentials: the list holds the 61 unique pairs of Mirai's
// scanner, in its order, then vendor defaults, every pair with a source.
func TestBuiltinCredentials(t *testing.T) {
	l, err := labtest.BuiltinCredentials()
	if err != nil {
		t.Fatal(err)
	}
	var mirai []labtest.Credential
	for _, c := range l.Pairs {
		if len(c.Sources) == 0 {
			t.Errorf("pair %q/%q has no source", c.Username, c.Password)
		}
		if slices.Contains(c.Sources, "mirai") {
			mirai = append(mirai, c)
		}
	}
	if len(mirai) != 61 {
		t.Errorf("%d Mirai pairs, want the 61 unique pairs of its scanner", len(mirai))
	}
	if first := l.Pairs[0]; first.Username != "root" || first.Password != "xc3511" {
		t.Errorf("first pair = %q/%q, want root/xc3511 (Mirai's heaviest weight)", first.Username, first.Password)
	}
	// Two pairs whose code comments in Mirai's source are wrong.
	for _, want := range [][2]string{{"Administrator", "meinsm"}, {"admin", "4321"}, {"root", ""}, {"mother", "fucker"}} {
		if !slices.ContainsFunc(mirai, func(c labtest.Credential) bool { return c.Username == want[0] && c.Password == want[1] }) {
			t.Errorf("Mirai pair %q/%q missing", want[0], want[1])
		}
	}
	if info := l.Info(); info.Pairs != len(l.Pairs) || len(info.SHA256) != 64 {
		t.Errorf("Info() = %+v", info)
	}
	if _, err := labtest.ParseCredentials(strings.NewReader(`{"sources": {}, "pairs": [{"username": "a", "password": "b", "sources": ["nowhere"]}]}`), "bad"); err == nil {
		t.Error("a pair citing an undescribed source was accepted")
	}
	if _, err := labtest.ParseCredentials(strings.NewReader(`{"sources": {"s": {"title": "t", "url": "u"}}, "pairs": [{"username": "a", "password": "b", "sources": ["s"], "services": ["smtp"]}]}`), "bad"); err == nil {
		t.Error("a pair for an unknown service was accepted")
	}
}

// TestFindingKindsMapToCatalogs: every requirement a finding can bear on
// exists in the embedded catalogs.
func TestFindingKindsMapToCatalogs(t *testing.T) {
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	kinds, err := labtest.FindingKinds()
	if err != nil {
		t.Fatal(err)
	}
	if len(kinds) < 15 {
		t.Errorf("%d finding kinds, want the full table", len(kinds))
	}
	for name, k := range kinds {
		if k.Title == "" || k.Rationale == "" || len(k.Requirements) == 0 {
			t.Errorf("kind %s lacks a title, rationale or requirements", name)
		}
		for cat, ids := range k.Requirements {
			for _, id := range ids {
				if _, err := set.Requirement(cat, id); err != nil {
					t.Errorf("kind %s maps to %s %s: %v", name, cat, id, err)
				}
			}
		}
	}
}

// sampleReport is a small report made by hand, for the review tests.
func sampleReport(t *testing.T) (*labtest.Report, []byte) {
	t.Helper()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	rep := &labtest.Report{
		Schema: labtest.Schema, Target: labtest.Target{Name: "cam.lab", Address: "192.168.7.7", Scope: "private"},
		Profile: labtest.ProfileQuick, StartedAt: now, FinishedAt: now.Add(time.Minute),
		Observations: []labtest.Observation{{ID: "o1", Address: "192.168.7.7", Port: 23, Service: "telnet", Check: "login", Result: "accepted"}},
		Findings: []labtest.Finding{
			{ID: "F1", Kind: "default-credentials", Verdict: "fail", Address: "192.168.7.7", Port: 23, Service: "telnet", Title: "telnet accepts root/xc3511",
				Requirements: []labtest.RequirementRef{{Catalog: "nist-ir-8425", Requirement: "4a"}, {Catalog: "etsi-en-303-645", Requirement: "5.1-1"}}, Observations: []string{"o1"}},
			{ID: "F2", Kind: "encrypted-transport", Verdict: "pass", Address: "192.168.7.7", Port: 22, Service: "ssh", Title: "SSH protocol 2",
				Requirements: []labtest.RequirementRef{{Catalog: "nist-ir-8425", Requirement: "3c"}, {Catalog: "etsi-en-303-645", Requirement: "5.5-1"}}, Observations: []string{"o1"}},
		},
		Coverage: []labtest.Coverage{
			{Catalog: "nist-ir-8425", Requirement: "3c", Outcome: "pass", Findings: []string{"F2"}, Summary: "1 passing"},
			{Catalog: "nist-ir-8425", Requirement: "4a", Outcome: "fail", Findings: []string{"F1"}, Summary: "1 failing"},
		},
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return rep, buf.Bytes()
}

func TestReview(t *testing.T) {
	rep, js := sampleReport(t)
	rv, err := labtest.NewReview(rep, js, labtest.CatalogNIST)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := rv.TestReport(js, rep, nil, "Test engineer"); !errors.Is(err, labtest.ErrUndecided) {
		t.Errorf("TestReport with open decisions = %v, want ErrUndecided", err)
	}
	rv.Results[0].Decision = labtest.DecisionOverride
	rv.Results[0].Outcome = "not_applicable"
	if _, _, err := rv.TestReport(js, rep, nil, "Test engineer"); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Errorf("an override without a reason = %v, want an error asking for one", err)
	}
	rv.Results[0].Reason = "The SSH port is the factory test interface, disabled at shipment (IXIT 15)."
	rv.Results[1].Decision = labtest.DecisionConfirm
	if _, _, err := rv.TestReport(append([]byte(" "), js...), rep, nil, "Test engineer"); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("TestReport of another report file = %v, want a hash mismatch", err)
	}

	previous := &trustmark.TestReport{ID: "rpt_1", Catalog: labtest.CatalogNIST, Results: []trustmark.ReportResult{
		{Requirement: "1a", Outcome: trustmark.OutcomePass, Notes: "label checked"},
		{Requirement: "4a", Outcome: trustmark.OutcomePass, Notes: "earlier manual test"},
	}}
	tr, carried, err := rv.TestReport(js, rep, previous, "Test engineer")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]trustmark.Outcome{}
	for _, r := range tr.Results {
		got[r.Requirement] = r.Outcome
	}
	want := map[string]trustmark.Outcome{"3c": trustmark.OutcomeNotApplicable, "4a": trustmark.OutcomeFail, "1a": trustmark.OutcomePass}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if !slices.Equal(carried, []string{"1a"}) {
		t.Errorf("carried = %v, want [1a]", carried)
	}
	first := tr.Results[0]
	if first.Justification == "" || !strings.Contains(first.Notes, "overrode") || len(first.Evidence) != 1 || first.Evidence[0].Content == nil {
		t.Errorf("overridden result = %+v, want the reason, a note and the report as evidence", first)
	}
	if e := tr.Results[1].Evidence[0]; e.Content != nil || e.SHA256 != first.Evidence[0].SHA256 {
		t.Errorf("second result's evidence = %+v, want the same hash without content", e)
	}
	tr.ApplicationID, tr.LabID, tr.SignedBy = "app_1", "org_1", "Tess Tester"
	if err := tr.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	if _, err := labtest.NewReview(rep, js, "uk-psti"); err == nil {
		t.Error("a review for a catalog the probe does not map to was accepted")
	}
}
