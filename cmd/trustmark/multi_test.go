package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"trustmark"
	"trustmark/client"
	"trustmark/internal/criteria"
	"trustmark/internal/postgres"
	"trustmark/internal/postgres/pgtest"
	"trustmark/internal/storetest"
	"trustmark/internal/tlog"
)

// TestMultiInstance runs two servers on one PostgreSQL database, sharing
// one log key, and has 64 concurrent writers spread over both issue grants
// and change them through the API, each request going to the other server
// than the one before. Afterwards the log has no gap and no duplicate,
// every event is in it exactly once and in its label's order, log fsck
// passes, and both servers serve identical checkpoints, tiles and proofs.
func TestMultiInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-instance test skipped in -short mode")
	}
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	skey, vkey, err := tlog.GenerateKey("labels.example.org/log")
	if err != nil {
		t.Fatal(err)
	}
	env := func() map[string]string {
		return map[string]string{"TRUSTMARK_DATABASE_URL": dsn, "TRUSTMARK_DATA": filepath.Join(t.TempDir(), "data"),
			"TRUSTMARK_LOG_KEY": skey, "TRUSTMARK_BASE_URL": "https://labels.example.org", "TRUSTMARK_RATE_LIMIT": "0"}
	}
	if out, err := runCmd(t, env(), "migrate"); err != nil {
		t.Fatalf("migrate = %v\n%s", err, out)
	}
	out, err := runCmd(t, env(), "admin", "init", "--json")
	var admin struct{ Token string }
	if err != nil || json.Unmarshal([]byte(out), &admin) != nil {
		t.Fatalf("admin init = %v\n%s", err, out)
	}
	var bases [2]string
	for i := range bases {
		bases[i], _, _ = startServe(t, []string{"--addr", "127.0.0.1:0"}, env())
	}
	cl := func(i int, token string) *client.Client {
		c, err := client.New(bases[i%2], token)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// The parties, made through server 0; the writers act through both.
	la := cl(0, admin.Token)
	party := func(kind trustmark.OrgKind, name string) (string, string) {
		o, tok, err := la.CreateOrganization(ctx, trustmark.Organization{Kind: kind, Name: name, Contact: "https://" + strings.ToLower(strings.ReplaceAll(name, " ", "-")) + ".example.com/contact"}, "Owner")
		if err != nil {
			t.Fatalf("CreateOrganization(%s) = %v", name, err)
		}
		return o.ID, tok
	}
	claID, claTok := party(trustmark.OrgCLA, "Multi CLA")
	labID, labTok := party(trustmark.OrgLab, "Multi Lab")
	_, mfrTok := party(trustmark.OrgManufacturer, "Multi Maker")
	if _, err := la.RecognizeLab(ctx, labID, trustmark.LabRecognition{TestSites: []string{"Pittsburgh, PA"}, MailingAddress: "18 Foundry Rd, Pittsburgh, PA",
		AccreditationBody: "A2LA", Scope: []string{"nist-ir-8425"}, AccreditationExpires: "2030-12-31", DesignationNumber: "US1234", FRN: "0012345678"}); err != nil {
		t.Fatalf("RecognizeLab() = %v", err)
	}
	report := passingReport(t)

	const writers = 64
	labels := make([]trustmark.LabelID, writers)
	errs := make(chan error, writers)
	began := time.Now()
	for w := range writers {
		go func() {
			errs <- func() error {
				// Request k of writer w goes to server (w+k) % 2.
				k := w
				next := func(token string) *client.Client { k++; return cl(k, token) }
				p, err := next(mfrTok).CreateProduct(ctx, trustmark.Product{Name: fmt.Sprintf("Multi Cam %02d", w), ModelNumbers: []string{fmt.Sprintf("MC-%02d", w)},
					Class: trustmark.ClassCamera, Components: []trustmark.Component{{Kind: trustmark.ComponentDevice, Name: "Cam"}}})
				if err != nil {
					return fmt.Errorf("product: %w", err)
				}
				d := storetest.Disclosures("2030-06-30")
				a, err := next(mfrTok).CreateApplication(ctx, client.ApplicationInput{ProductID: p.ID, CLAID: claID, LabID: labID, Disclosures: &d,
					PriorDenials: &[]trustmark.PriorDenial{},
					USAgent:      &trustmark.USAgent{Name: "Agent LLC", Address: "1 K St, Washington, DC", Email: "agent@agent.example.com", Phone: "+1 202 555 0100", AttestedBy: "Pat Agent"}})
				if err != nil {
					return fmt.Errorf("application: %w", err)
				}
				if _, err := next(mfrTok).SignDeclarations(ctx, a.ID, client.AllDeclarations()...); err != nil {
					return fmt.Errorf("declarations: %w", err)
				}
				if _, err := next(mfrTok).Submit(ctx, a.ID); err != nil {
					return fmt.Errorf("submit: %w", err)
				}
				if _, err := next(labTok).AttachReport(ctx, a.ID, report); err != nil {
					return fmt.Errorf("report: %w", err)
				}
				decided, err := next(claTok).Decide(ctx, a.ID, trustmark.AppGranted, "")
				if err != nil {
					return fmt.Errorf("decision: %w", err)
				}
				id := decided.Decision.LabelID
				labels[w] = id
				if _, err := next(claTok).ChangeStatus(ctx, id, trustmark.GrantSuspended, "surveillance sample failed"); err != nil {
					return fmt.Errorf("suspend: %w", err)
				}
				if _, err := next(claTok).ChangeStatus(ctx, id, trustmark.GrantActive, "cured"); err != nil {
					return fmt.Errorf("cure: %w", err)
				}
				d = storetest.Disclosures("2031-06-30")
				if _, err := next(mfrTok).UpdateDisclosures(ctx, id, d); err != nil {
					return fmt.Errorf("disclosures: %w", err)
				}
				return nil
			}()
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	t.Logf("%d writers, %d label events through two servers in %v", writers, 4*writers, time.Since(began).Round(time.Millisecond))

	// The log: every label has its four events, in order, each exactly
	// once, and nothing else is in it.
	db, err := postgres.Open(ctx, dsn, postgres.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.LogSize(ctx)
	if err != nil || n != 4*writers {
		t.Fatalf("LogSize() = %d, %v; want %d", n, err, 4*writers)
	}
	entries, err := db.LogEntries(ctx, 0, n) // fails on a gap
	if err != nil || int64(len(entries)) != n {
		t.Fatalf("LogEntries() = %d, %v", len(entries), err)
	}
	where := map[string]int{}
	events := map[trustmark.LabelID][]string{}
	for i, data := range entries {
		if j, dup := where[string(data)]; dup {
			t.Errorf("entries %d and %d are the same event", j, i)
		}
		where[string(data)] = i
		e, err := trustmark.DecodeLabelEvent(data)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		events[e.LabelID] = append(events[e.LabelID], string(e.Event)+":"+string(e.Status))
	}
	want := []string{"grant:active", "status:suspended", "status:active", "disclosures:active"}
	for _, id := range labels {
		if !slices.Equal(events[id], want) {
			t.Errorf("label %s: events %v, want %v", id, events[id], want)
		}
		delete(events, id)
	}
	if len(events) != 0 {
		t.Errorf("the log holds events of labels no writer made: %v", events)
	}

	// Both servers converge on the same checkpoint, tiles and proofs.
	var checkpoint string
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, c0, _ := get(t, bases[0]+"/log/checkpoint")
		_, c1, _ := get(t, bases[1]+"/log/checkpoint")
		cp, err := tlog.OpenCheckpoint([]byte(c0), vkey)
		if err == nil && cp.Size == n && c0 == c1 {
			checkpoint = c0
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the servers did not converge on a checkpoint of size %d:\n%s\n%s", n, c0, c1)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, tile := range []string{"/log/tile/0/000", "/log/tile/0/000.p/" + fmt.Sprint(n%256), "/log/tile/entries/000", "/log/tile/1/000.p/1"} {
		if n%256 == 0 && strings.Contains(tile, ".p/0") {
			continue
		}
		c0, b0, _ := get(t, bases[0]+tile)
		c1, b1, _ := get(t, bases[1]+tile)
		if c0 != 200 || c0 != c1 || b0 != b1 {
			t.Errorf("GET %s: %d and %d, same body %v", tile, c0, c1, b0 == b1)
		}
	}
	for _, id := range []trustmark.LabelID{labels[0], labels[writers/2], labels[writers-1]} {
		var p0, p1 string
		for {
			var c0, c1 int
			c0, p0, _ = get(t, bases[0]+"/api/v1/registry/"+string(id)+"/proof")
			c1, p1, _ = get(t, bases[1]+"/api/v1/registry/"+string(id)+"/proof")
			if c0 == 200 && c1 == 200 && p0 == p1 && strings.HasSuffix(p0, checkpoint) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("proofs of %s differ between the servers:\n%s\n%s", id, p0, p1)
			}
			time.Sleep(50 * time.Millisecond)
		}
		p, err := tlog.ParseProof([]byte(p0))
		if err == nil {
			_, err = tlog.VerifyProof(p, p.Extra, vkey)
		}
		if err != nil {
			t.Errorf("proof of %s: %v", id, err)
		}
		if e, _ := trustmark.DecodeLabelEvent(p.Extra); e.Event != trustmark.EventDisclosures || p.Index != int64(where[string(p.Extra)]) {
			t.Errorf("proof of %s is of %s at %d, want the latest event", id, e.Event, p.Index)
		}
	}
	if out, err := runCmd(t, env(), "log", "fsck"); err != nil || !strings.Contains(out, fmt.Sprintf("%d entries", n)) {
		t.Errorf("log fsck = %q, %v", out, err)
	}
}

// passingReport is a lab report passing every requirement of nist-ir-8425.
func passingReport(t *testing.T) trustmark.TestReport {
	t.Helper()
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	c, err := set.Catalog("nist-ir-8425")
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("nmap: 22/tcp closed, 443/tcp open (TLS 1.3)")
	sum := sha256.Sum256(content)
	r := trustmark.TestReport{Catalog: "nist-ir-8425", SignerTitle: "Lead test engineer"}
	for _, req := range c.Requirements {
		res := trustmark.ReportResult{Requirement: req.ID, Outcome: trustmark.OutcomePass}
		if req.ID == "3c" {
			res.Evidence = []trustmark.Evidence{{Name: "scan.txt", MediaType: "text/plain", SHA256: hex.EncodeToString(sum[:]), Size: len(content), Content: content}}
		}
		r.Results = append(r.Results, res)
	}
	return r
}
