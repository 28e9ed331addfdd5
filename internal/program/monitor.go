package program

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"trustmark"
	"trustmark/internal/vuln"
)

// monitor applies matches to alerts within one transaction, counting what
// it changed and queueing notifications.
type monitor struct {
	p   *Program
	tx  trustmark.Tx
	pr  *trustmark.Principal
	now time.Time

	grants map[string][]trustmark.Grant        // by manufacturer
	vex    map[string][]trustmark.VEXStatement // by product
	hooks  map[string][]trustmark.Webhook      // by organization
	prods  map[string]*trustmark.Product       // by ID
	recs   map[trustmark.LabelID]*trustmark.RegistryRecord

	opened, reopened, suppressed, resolved int
}

func (p *Program) newMonitor(tx trustmark.Tx, pr *trustmark.Principal, now time.Time) *monitor {
	return &monitor{p: p, tx: tx, pr: pr, now: now, grants: map[string][]trustmark.Grant{}, vex: map[string][]trustmark.VEXStatement{},
		hooks: map[string][]trustmark.Webhook{}, prods: map[string]*trustmark.Product{}, recs: map[trustmark.LabelID]*trustmark.RegistryRecord{}}
}

// summary says what the monitor changed, for audit entries.
func (m *monitor) summary() string {
	return fmt.Sprintf("%d opened, %d reopened, %d suppressed, %d resolved", m.opened, m.reopened, m.suppressed, m.resolved)
}

// target is one SBOM whose alerts are reconciled, with its product's label.
type target struct {
	sbomID string
	prod   *trustmark.Product
	grant  *trustmark.Grant          // nil: not labeled, or the grant is final
	record *trustmark.RegistryRecord // the grant's record
}

// labeled reports whether the product's alerts are kept: it has a grant
// that is active or suspended.
func (t *target) labeled() bool { return t.grant != nil }

// target loads what alerts of an SBOM of prod need.
func (m *monitor) target(sbomID string, prod *trustmark.Product) (*target, error) {
	t := &target{sbomID: sbomID, prod: prod}
	grants, ok := m.grants[prod.ManufacturerID]
	if !ok {
		var err error
		if grants, err = m.tx.Grants(trustmark.GrantFilter{ManufacturerID: prod.ManufacturerID}); err != nil {
			return nil, err
		}
		m.grants[prod.ManufacturerID] = grants
	}
	for i := range grants {
		if g := &grants[i]; g.ProductID == prod.ID && !g.Status.Final() {
			t.grant = g
		}
	}
	if t.grant == nil {
		return t, nil
	}
	rec, ok := m.recs[t.grant.LabelID]
	if !ok {
		var err error
		if rec, err = m.tx.RegistryRecord(t.grant.LabelID); err != nil {
			return nil, err
		}
		m.recs[t.grant.LabelID] = rec
	}
	t.record = rec
	return t, nil
}

// product loads a product once per monitor.
func (m *monitor) product(id string) (*trustmark.Product, error) {
	if prod, ok := m.prods[id]; ok {
		return prod, nil
	}
	prod, err := m.tx.Product(id)
	if err != nil {
		return nil, err
	}
	m.prods[id] = prod
	return prod, nil
}

// statements loads a product's VEX statements once per monitor.
func (m *monitor) statements(productID string) ([]trustmark.VEXStatement, error) {
	if v, ok := m.vex[productID]; ok {
		return v, nil
	}
	v, err := m.tx.VEXStatements(productID)
	if err != nil {
		return nil, err
	}
	m.vex[productID] = v
	return v, nil
}

// sbomDisclosureWarning warns when a labeled product's registry record
// does not say an SBOM is maintained: the record is the manufacturer's
// disclosure (8.222(b)(10)), changed through its disclosures, not by an
// upload.
func (m *monitor) sbomDisclosureWarning(t *target) (string, error) {
	if t.record.SBOMHBOMMaintained.SBOMMaintained {
		return "", nil
	}
	return "the registry record of label " + string(t.grant.LabelID) + " says no SBOM is maintained (sbom_hbom_maintained.sbom_maintained is false); " +
		"update the grant's disclosures (PUT /api/v1/grants/" + string(t.grant.LabelID) + "/disclosures) to say it is", nil
}

// matcher holds the advisories one re-match considers, parsed and indexed.
type matcher struct {
	ix         *vuln.Index
	byOSV      map[*vuln.OSV]*trustmark.Advisory
	considered int
}

// keysOf returns the package keys and CPE vendor:product pairs of components.
func keysOf(comps []trustmark.SoftwareComponent) ([]trustmark.PackageKey, []string) {
	keys := map[trustmark.PackageKey]bool{}
	cpes := map[string]bool{}
	for _, c := range comps {
		if c.Ecosystem != "" && c.Package != "" {
			keys[trustmark.PackageKey{Ecosystem: c.Ecosystem, Name: c.Package}] = true
		}
		// CPEs count for components outside the OSV ecosystems: those
		// without a key and those keyed by a package URL type alone.
		if c.Ecosystem == "" || strings.HasPrefix(c.Ecosystem, vuln.PURLKeyPrefix) {
			if vp := trustmark.CPEVendorProduct(c.CPE); vp != "" {
				cpes[vp] = true
			}
		}
	}
	return sortedKeys(keys), sortedStrings(cpes)
}

func sortedKeys(m map[trustmark.PackageKey]bool) []trustmark.PackageKey {
	out := make([]trustmark.PackageKey, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b trustmark.PackageKey) int {
		if c := strings.Compare(a.Ecosystem, b.Ecosystem); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

func sortedStrings(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// loadMatcher loads the advisories for the components' package keys and
// CPEs and parses them. Withdrawn advisories are left out: they match nothing.
func loadMatcher(tx trustmark.Tx, comps []trustmark.SoftwareComponent) (*matcher, error) {
	keys, cpes := keysOf(comps)
	var advs []trustmark.Advisory
	if len(keys) > 0 {
		var err error
		if advs, err = tx.AdvisoriesFor(keys); err != nil {
			return nil, err
		}
	}
	if len(cpes) > 0 {
		more, err := tx.AdvisoriesForCPE(cpes)
		if err != nil {
			return nil, err
		}
		advs = append(advs, more...)
	}
	return newMatcher(advs)
}

// matcherFor is loadMatcher in the monitor's transaction.
func (m *monitor) matcherFor(comps []trustmark.SoftwareComponent) (*matcher, error) {
	return loadMatcher(m.tx, comps)
}

func newMatcher(advs []trustmark.Advisory) (*matcher, error) {
	mt := &matcher{ix: vuln.NewIndex(), byOSV: map[*vuln.OSV]*trustmark.Advisory{}}
	seen := map[string]bool{}
	for i := range advs {
		a := &advs[i]
		if seen[a.ID] || a.Withdrawn != nil {
			continue
		}
		seen[a.ID] = true
		o, err := vuln.ParseOSV(a.OSV)
		if err != nil {
			return nil, trustmark.Internal(fmt.Errorf("stored advisory %s: %w", a.ID, err))
		}
		mt.byOSV[o] = a
		mt.considered++
		mt.ix.Add(o)
	}
	return mt, nil
}

// advisory returns the stored advisory a parsed one came from.
func (mt *matcher) advisory(o *vuln.OSV) *trustmark.Advisory { return mt.byOSV[o] }

// match matches components: those with a package key by package URL and
// the ecosystem's version rules, the others by CPE (lower confidence).
func (mt *matcher) match(comps []trustmark.SoftwareComponent) []vuln.Match {
	return mt.ix.Match(comps)
}

// alertKey identifies an alert within one SBOM, as the stores do: the
// advisory and the component's key (its package URL, or name and version).
func alertKey(advisoryID string, c trustmark.SoftwareComponent) string {
	return advisoryID + "\x00" + c.Key()
}

// wanted is one alert a match calls for.
type wanted struct {
	match    vuln.Match
	advisory *trustmark.Advisory
	vex      *trustmark.VEXStatement // the suppressing statement, if any
}

// reconcile brings the alerts of one labeled product's SBOM in line with
// matches of its components, made by mt. existing are the alerts to compare
// with (of the same SBOM, or of the product's previous SBOM, which move to
// t's); inScope says which existing alerts the matches speak for (nil:
// all), so an alert on a component not re-matched is left alone. Existing
// alerts in scope that are no longer matched are resolved with reason.
func (m *monitor) reconcile(t *target, mt *matcher, matches []vuln.Match, existing []trustmark.Alert, inScope func(trustmark.SoftwareComponent) bool, reason string) error {
	stmts, err := m.statements(t.prod.ID)
	if err != nil {
		return err
	}
	want := map[string]*wanted{}
	var order []string
	for _, mch := range matches {
		a := mt.advisory(mch.Advisory)
		if a == nil {
			return trustmark.Internal(fmt.Errorf("a match of an advisory the matcher does not hold"))
		}
		k := alertKey(a.ID, mch.Component)
		if _, dup := want[k]; dup {
			continue
		}
		w := &wanted{match: mch, advisory: a}
		if st, ok := vuln.Suppressed(mch, stmts); ok && st != nil && st.Status.Suppresses() {
			w.vex = st
		}
		want[k] = w
		order = append(order, k)
	}
	for i := range existing {
		a := &existing[i]
		k := alertKey(a.AdvisoryID, a.Component)
		w, matched := want[k]
		if !matched {
			if a.State == trustmark.AlertResolved || a.State == trustmark.AlertFinding || (inScope != nil && !inScope(a.Component)) {
				continue
			}
			if err := m.resolve(a, reason); err != nil {
				return err
			}
			continue
		}
		delete(want, k)
		if err := m.update(t, a, w); err != nil {
			return err
		}
	}
	for _, k := range order {
		if w, ok := want[k]; ok {
			if err := m.open(t, w); err != nil {
				return err
			}
		}
	}
	return nil
}

// fill sets an alert's matched fields from a wanted match.
func (m *monitor) fill(t *target, a *trustmark.Alert, w *wanted) {
	a.ProductID, a.SBOMID, a.ManufacturerID = t.prod.ID, t.sbomID, t.prod.ManufacturerID
	a.LabelID, a.CLAID = t.grant.LabelID, t.grant.CLAID
	a.AdvisoryID, a.Aliases, a.Summary, a.Severity = w.advisory.ID, w.advisory.Aliases, w.advisory.Summary, severityOf(w.advisory)
	a.Component, a.FixedVersion, a.Confidence = w.match.Component, w.match.FixedVersion, w.match.Confidence
	a.SupportRunning = t.record.IsSupported(m.now)
}

// vexReason says which statement suppresses or re-opens an alert, and who made it.
func vexReason(st *trustmark.VEXStatement) string {
	r := "VEX " + string(st.Status)
	if st.Justification != "" {
		r += " (" + st.Justification + ")"
	}
	r += " by " + st.Author + " on " + st.At.UTC().Format(time.DateOnly) + ", " + st.Source + " statement " + st.ID
	if st.Statement != "" {
		r += ": " + truncate(st.Statement, 300)
	}
	return r
}

// open stores a new alert for a wanted match.
func (m *monitor) open(t *target, w *wanted) error {
	a := &trustmark.Alert{State: trustmark.AlertOpen, OpenedAt: m.now, UpdatedAt: m.now}
	m.fill(t, a, w)
	if w.vex != nil {
		a.State, a.StateReason = trustmark.AlertSuppressed, vexReason(w.vex)
	}
	return m.save(a, "", EventAlertOpened, true)
}

// update refreshes an existing alert that is still matched, moving it to
// t's SBOM and re-applying VEX: an open alert a statement now covers is
// suppressed; a suppressed (or resolved) one no statement covers re-opens.
// A finding stays a finding.
func (m *monitor) update(t *target, a *trustmark.Alert, w *wanted) error {
	before := *a
	from := a.State
	m.fill(t, a, w)
	event := ""
	switch {
	case a.State == trustmark.AlertFinding:
	case w.vex != nil && a.State != trustmark.AlertSuppressed:
		a.State, a.StateReason, event = trustmark.AlertSuppressed, vexReason(w.vex), EventAlertSuppressed
	case w.vex == nil && a.State != trustmark.AlertOpen:
		reason := "matched again"
		if a.State == trustmark.AlertSuppressed {
			if st := latestStatement(m.vex[t.prod.ID], a); st != nil {
				reason = "re-opened by " + vexReason(st)
			} else {
				reason = "no VEX statement suppresses it any longer"
			}
		}
		a.State, a.StateReason, event = trustmark.AlertOpen, reason, EventAlertReopened
	}
	if event == "" && alertsEqual(&before, a) {
		return nil
	}
	a.UpdatedAt = m.now
	return m.save(a, from, event, false)
}

// latestStatement returns the newest statement naming the alert's advisory
// (or one of its aliases), for explaining a re-opening.
func latestStatement(stmts []trustmark.VEXStatement, a *trustmark.Alert) *trustmark.VEXStatement {
	for i := len(stmts) - 1; i >= 0; i-- {
		if st := &stmts[i]; st.VulnID == a.AdvisoryID || slices.Contains(a.Aliases, st.VulnID) {
			return st
		}
	}
	return nil
}

func alertsEqual(a, b *trustmark.Alert) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// resolve closes an alert that no longer matches.
func (m *monitor) resolve(a *trustmark.Alert, reason string) error {
	from := a.State
	a.State, a.StateReason, a.UpdatedAt = trustmark.AlertResolved, reason, m.now
	return m.save(a, from, EventAlertResolved, false)
}

// save stores an alert, counts the change, records it in the audit log and
// queues its notification (event "" stores quietly).
func (m *monitor) save(a *trustmark.Alert, from trustmark.AlertState, event string, isNew bool) error {
	if isNew {
		a.ID = ""
	}
	if err := m.tx.PutAlert(a); err != nil {
		return err
	}
	if event == "" {
		return nil
	}
	switch {
	case event == EventAlertOpened && a.State == trustmark.AlertSuppressed:
		m.suppressed++
	case event == EventAlertOpened:
		m.opened++
	case event == EventAlertReopened:
		m.reopened++
	case event == EventAlertSuppressed:
		m.suppressed++
	case event == EventAlertResolved:
		m.resolved++
	}
	detail := a.AdvisoryID + " in " + componentLabel(a.Component)
	if a.FixedVersion != "" {
		detail += ", fixed in " + a.FixedVersion
	}
	if a.StateReason != "" {
		detail += "; " + a.StateReason
	}
	if err := audit(m.tx, m.pr, m.now, event, "alert/"+a.ID, string(from), string(a.State), truncate(detail, 2000)); err != nil {
		return err
	}
	return m.notify(a, event)
}

// applyVEX re-applies a product's VEX statements to its alerts.
func (m *monitor) applyVEX(prod *trustmark.Product) error {
	alerts, err := m.tx.Alerts(trustmark.AlertFilter{ProductID: prod.ID})
	if err != nil {
		return err
	}
	stmts, err := m.statements(prod.ID)
	if err != nil {
		return err
	}
	parsed := map[string]*vuln.OSV{}
	for i := range alerts {
		a := &alerts[i]
		if a.State != trustmark.AlertOpen && a.State != trustmark.AlertSuppressed {
			continue
		}
		o, ok := parsed[a.AdvisoryID]
		if !ok {
			adv, err := m.tx.Advisory(a.AdvisoryID)
			if err != nil {
				return err
			}
			if o, err = vuln.ParseOSV(adv.OSV); err != nil {
				return trustmark.Internal(fmt.Errorf("stored advisory %s: %w", adv.ID, err))
			}
			parsed[a.AdvisoryID] = o
		}
		mch := vuln.Match{Advisory: o, Component: a.Component, FixedVersion: a.FixedVersion, Confidence: a.Confidence}
		st, ok := vuln.Suppressed(mch, stmts)
		suppress := ok && st != nil && st.Status.Suppresses()
		from := a.State
		switch {
		case suppress && a.State == trustmark.AlertOpen:
			a.State, a.StateReason, a.UpdatedAt = trustmark.AlertSuppressed, vexReason(st), m.now
			if err := m.save(a, from, EventAlertSuppressed, false); err != nil {
				return err
			}
		case !suppress && a.State == trustmark.AlertSuppressed:
			reason := "no VEX statement suppresses it any longer"
			if st := latestStatement(stmts, a); st != nil {
				reason = "re-opened by " + vexReason(st)
			}
			a.State, a.StateReason, a.UpdatedAt = trustmark.AlertOpen, reason, m.now
			if err := m.save(a, from, EventAlertReopened, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// rematch re-matches the current-SBOM components with any of keys, or
// with a CPE naming any of cpes, and reconciles their products' alerts.
func (m *monitor) rematch(keys map[trustmark.PackageKey]bool, cpes map[string]bool, res *ImportResult) error {
	var refs []trustmark.ComponentRef
	if len(keys) > 0 {
		var err error
		if refs, err = m.tx.CurrentComponents(sortedKeys(keys)); err != nil {
			return err
		}
	}
	if len(cpes) > 0 {
		more, err := m.tx.CurrentCPEComponents(sortedStrings(cpes))
		if err != nil {
			return err
		}
		refs = append(refs, more...)
	}
	if len(refs) == 0 {
		return nil
	}
	// Group by SBOM; keep labeled products only (others open no alerts).
	type group struct {
		t     *target
		comps []trustmark.SoftwareComponent
	}
	groups := map[string]*group{}
	var order []string
	var all []trustmark.SoftwareComponent
	for _, r := range refs {
		g, ok := groups[r.SBOMID]
		if !ok {
			prod, err := m.product(r.ProductID)
			if err != nil {
				return err
			}
			t, err := m.target(r.SBOMID, prod)
			if err != nil {
				return err
			}
			g = &group{t: t}
			groups[r.SBOMID] = g
			order = append(order, r.SBOMID)
		}
		if !g.t.labeled() {
			continue
		}
		g.comps = append(g.comps, r.Component)
		all = append(all, r.Component)
		res.ComponentsRematched++
	}
	if len(all) == 0 {
		return nil
	}
	mt, err := loadMatcher(m.tx, all)
	if err != nil {
		return err
	}
	for _, id := range order {
		g := groups[id]
		if len(g.comps) == 0 {
			continue
		}
		res.SBOMsRematched++
		existing, err := m.tx.AlertsFor(id)
		if err != nil {
			return err
		}
		scope := map[string]bool{}
		for _, c := range g.comps {
			scope[c.Key()] = true
		}
		inScope := func(c trustmark.SoftwareComponent) bool { return scope[c.Key()] }
		if err := m.reconcile(g.t, mt, mt.match(g.comps), existing, inScope, "no longer matched: the advisory was withdrawn or no longer affects this version"); err != nil {
			return err
		}
	}
	return nil
}
