package labtest_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/x509"
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/labtest"
)

func md5sum(s string) []byte {
	sum := md5.Sum([]byte(s))
	return sum[:]
}

// probeDevice runs a full-port probe of the device and checks what every
// report must hold, whatever the device: each observation and finding
// names the device's address, a port and a service; findings cite real
// observations and real requirement IDs; every attempt was logged.
func probeDevice(t *testing.T, d *device) *labtest.Report {
	t.Helper()
	var logBuf lockedBuffer
	cfg := labtest.Config{
		Target:  d.addr,
		Profile: labtest.ProfileFull,
		Logger:  slog.New(slog.NewJSONHandler(&logBuf, nil)),
		Tool:    "labtest test",
	}
	if d.caFile != "" {
		pemBytes, err := os.ReadFile(d.caFile)
		if err != nil {
			t.Fatal(err)
		}
		cfg.RootCAs = x509.NewCertPool()
		cfg.RootCAs.AppendCertsFromPEM(pemBytes)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	rep, err := labtest.Probe(ctx, cfg)
	if err != nil {
		t.Fatalf("Probe(%s) = %v", d.addr, err)
	}
	t.Logf("probe of %s: %d ports in %s, %d observations, %d findings", d.addr, rep.PortsScanned, time.Since(start).Round(time.Millisecond), len(rep.Observations), len(rep.Findings))

	open := map[int]string{}
	for _, p := range rep.Ports {
		if p.Transport == "tcp" {
			open[p.Port] = p.Service
		}
	}
	if diff := cmp.Diff(d.ports, open); diff != "" {
		t.Errorf("open TCP ports and services (-want +got):\n%s", diff)
	}
	if rep.PortsScanned != 65535 {
		t.Errorf("PortsScanned = %d, want 65535", rep.PortsScanned)
	}

	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	obs := map[string]labtest.Observation{}
	for _, o := range rep.Observations {
		obs[o.ID] = o
		if o.Address != d.addr || o.Service == "" || (o.Port == 0 && o.Check != "discovery.summary") {
			t.Errorf("observation %s does not name address, port and service: %+v", o.ID, o)
		}
	}
	for _, f := range rep.Findings {
		if f.Address != d.addr || f.Port == 0 || f.Service == "" {
			t.Errorf("finding %s does not name address, port and service: %+v", f.ID, f)
		}
		if len(f.Observations) == 0 || len(f.Requirements) == 0 {
			t.Errorf("finding %s (%s) cites no observation or requirement", f.ID, f.Kind)
		}
		for _, id := range f.Observations {
			if _, ok := obs[id]; !ok {
				t.Errorf("finding %s cites observation %s, which is not in the report", f.ID, id)
			}
		}
		for _, r := range f.Requirements {
			if _, err := set.Requirement(r.Catalog, r.Requirement); err != nil {
				t.Errorf("finding %s maps to %s %s: %v", f.ID, r.Catalog, r.Requirement, err)
			}
		}
		if f.Kind == "default-credentials" && (f.Username == nil || f.Password == nil) {
			t.Errorf("credential finding %s does not name the username and password: %+v", f.ID, f)
		}
	}
	// Every attempt is logged: one record per observation.
	attempts := strings.Count(logBuf.String(), `"msg":"probe attempt"`)
	if attempts != len(rep.Observations) {
		t.Errorf("%d attempts logged, want one per observation (%d)", attempts, len(rep.Observations))
	}
	// Logins never ran more than four at once against one service.
	checkLoginConcurrency(t, rep)
	return rep
}

// checkLoginConcurrency replays the login observations' intervals per port
// and checks that no more than MaxCredentialConcurrency overlapped.
func checkLoginConcurrency(t *testing.T, rep *labtest.Report) {
	t.Helper()
	type edge struct {
		at    time.Time
		delta int
	}
	byPort := map[int][]edge{}
	for _, o := range rep.Observations {
		if o.Check != "login" {
			continue
		}
		end := o.Time.Add(time.Duration(o.DurationMS * float64(time.Millisecond)))
		byPort[o.Port] = append(byPort[o.Port], edge{o.Time, 1}, edge{end, -1})
	}
	for port, edges := range byPort {
		sort.Slice(edges, func(i, j int) bool {
			if edges[i].at.Equal(edges[j].at) {
				return edges[i].delta < edges[j].delta
			}
			return edges[i].at.Before(edges[j].at)
		})
		n, peak := 0, 0
		for _, e := range edges {
			n += e.delta
			peak = max(peak, n)
		}
		if peak > labtest.MaxCredentialConcurrency {
			t.Errorf("port %d: %d login attempts overlapped, want at most %d", port, peak, labtest.MaxCredentialConcurrency)
		}
	}
}

// TestProbeWeakDevice: the probe finds every planted weakness of the weak
// device, and nothing it did not plant.
func TestProbeWeakDevice(t *testing.T) {
	t.Parallel()
	d := weakDevice(t, "127.0.0.2")
	rep := probeDevice(t, d)

	var got []string
	for _, f := range rep.Failed() {
		got = append(got, f.Kind+"@"+itoa(f.Port))
		if f.Username != nil {
			p := pair{*f.Username, *f.Password}
			if !slices.Contains(d.valid[f.Port], p) {
				t.Errorf("finding %s names %q/%q on port %d, which the device does not accept (valid: %v)", f.ID, p.user, p.pass, f.Port, d.valid[f.Port])
			}
		}
	}
	want := slices.Clone(d.fails)
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failing findings (kind@port) (-want +got):\n%s", diff)
		for _, f := range rep.Findings {
			t.Logf("%s %s %s@%d %s: %s", f.ID, f.Verdict, f.Kind, f.Port, f.Title, f.Detail)
		}
	}

	// Both catalogs' covered requirements are pre-filled as failing where
	// the planted weaknesses bear on them.
	prefilled := map[string]string{}
	for _, c := range rep.Coverage {
		prefilled[c.Catalog+" "+c.Requirement] = c.Outcome
	}
	for _, k := range []string{"nist-ir-8425 3c", "nist-ir-8425 4a", "etsi-en-303-645 5.1-1", "etsi-en-303-645 5.5-1",
		"etsi-en-303-645 5.5-4", "etsi-en-303-645 5.5-7", "etsi-en-303-645 5.6-2"} {
		if prefilled[k] != "fail" {
			t.Errorf("coverage of %s = %q, want fail", k, prefilled[k])
		}
	}

	// The report round-trips and turns into a valid test report.
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := labtest.ReadReport(bytes.NewReader(buf.Bytes()))
	if err != nil || len(back.Findings) != len(rep.Findings) {
		t.Fatalf("ReadReport(WriteJSON) = %d findings, %v; want %d", len(back.Findings), err, len(rep.Findings))
	}
	for _, cat := range []string{labtest.CatalogNIST, labtest.CatalogETSI} {
		rv, err := labtest.NewReview(rep, buf.Bytes(), cat)
		if err != nil {
			t.Fatal(err)
		}
		rv.ConfirmAll("")
		tr, _, err := rv.TestReport(buf.Bytes(), rep, nil, "Test engineer")
		if err != nil {
			t.Fatal(err)
		}
		tr.ApplicationID, tr.LabID, tr.SignedBy = "app_1", "org_1", "Tess Tester"
		if err := tr.Validate(); err != nil {
			t.Errorf("%s test report from the probe: Validate() = %v", cat, err)
		}
		set, _ := criteria.Embedded()
		a := criteria.Assessment{Catalog: tr.Catalog}
		for _, r := range tr.Results {
			a.Results = append(a.Results, criteria.RequirementOutcome{Requirement: r.Requirement, Outcome: criteria.Outcome(r.Outcome), Justification: r.Justification})
			if r.Outcome != trustmark.OutcomeFail {
				t.Errorf("%s %s: outcome %s, want fail on the weak device", cat, r.Requirement, r.Outcome)
			}
		}
		if _, err := set.Evaluate(a); err != nil {
			t.Errorf("%s: the criteria refuse the probe's results: %v", cat, err)
		}
	}
	if t.Failed() {
		js, _ := json.MarshalIndent(rep.Ports, "", " ")
		t.Logf("ports: %s", js)
	}
}

// TestProbeHardenedControl: on a device without the weaknesses, the probe
// reports nothing failing, and says what it checked.
func TestProbeHardenedControl(t *testing.T) {
	t.Parallel()
	d := controlDevice(t, "127.0.0.3")
	rep := probeDevice(t, d)
	for _, f := range rep.Failed() {
		t.Errorf("failing finding on the hardened control: %s %s@%d %s: %s", f.ID, f.Kind, f.Port, f.Title, f.Detail)
	}
	passed := map[string]bool{}
	for _, f := range rep.Findings {
		passed[f.Kind+"@"+itoa(f.Port)] = true
	}
	for _, k := range []string{"encrypted-transport@22", "encrypted-transport@443", "encrypted-transport@8883",
		"credentials-rejected@22", "credentials-rejected@443", "credentials-rejected@8883",
		"authentication-required@443", "authentication-required@8883"} {
		if !passed[k] {
			t.Errorf("no passing finding %s on the control", k)
		}
	}
	if t.Failed() {
		for _, o := range rep.Observations {
			if o.Result == "error" {
				t.Logf("error observation %s %s@%d: %s %s", o.ID, o.Check, o.Port, o.Sent, o.Error)
			}
		}
	}
	for _, c := range rep.Coverage {
		if c.Outcome != "pass" {
			t.Errorf("coverage %s %s = %s, want pass", c.Catalog, c.Requirement, c.Outcome)
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
