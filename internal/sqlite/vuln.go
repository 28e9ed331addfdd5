package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"trustmark"
)

// This file implements trustmark.VulnTx: SBOMs, advisories, VEX
// statements, alerts and webhooks (migration 0006_vuln.sql).

var _ trustmark.VulnTx = (*tx)(nil)

// utcPtr returns t in UTC, nil for nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// componentChunk is how many components one INSERT statement writes: 9
// parameters each, well under SQLite's limit of 32766.
const componentChunk = 500

// requireProduct checks that a product exists.
func (t *tx) requireProduct(id string) error {
	var one int
	err := t.q.QueryRowContext(t.ctx, `SELECT 1 FROM products WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "product_id", Message: fmt.Sprintf("product %q not found", id)}
	}
	return err
}

// SBOMs.

// CreateSBOM implements trustmark.VulnTx.
func (t *tx) CreateSBOM(s *trustmark.SBOM) error {
	if s.ID == "" {
		s.ID = newID("sbm_")
	}
	if s.UploadedAt.IsZero() {
		s.UploadedAt = time.Now()
	}
	s.UploadedAt = s.UploadedAt.UTC()
	if err := s.Prepare(); err != nil {
		return err
	}
	var curID, curAt sql.NullString
	err := t.q.QueryRowContext(t.ctx, `SELECT c.sbom_id, s.uploaded_at FROM products p
		LEFT JOIN current_sboms c ON c.product_id = p.id LEFT JOIN sboms s ON s.id = c.sbom_id
		WHERE p.id = ?`, s.ProductID).Scan(&curID, &curAt)
	if errors.Is(err, sql.ErrNoRows) {
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "product_id", Message: fmt.Sprintf("product %q not found", s.ProductID)}
	}
	if err != nil {
		return err
	}
	meta := *s
	meta.Components = nil
	uploaded := timeText(s.UploadedAt)
	if err := t.insertDoc("sboms", []string{"id", "product_id", "uploaded_at"}, []any{s.ID, s.ProductID, uploaded}, meta, "SBOM "+s.ID); err != nil {
		return err
	}
	if _, err := t.q.ExecContext(t.ctx, `INSERT INTO sbom_documents (sbom_id, content) VALUES (?, ?)`, s.ID, s.Document); err != nil {
		return err
	}
	// The newest upload is current; an SBOM uploaded with an earlier time
	// than the current one's (a back-filled history) is kept but not current.
	current := !curID.Valid || uploaded >= curAt.String
	if current {
		if curID.Valid {
			if _, err := t.q.ExecContext(t.ctx, `UPDATE sbom_components SET current = 0 WHERE sbom_id = ? AND current = 1`, curID.String); err != nil {
				return err
			}
		}
		if _, err := t.q.ExecContext(t.ctx, `INSERT INTO current_sboms (product_id, sbom_id) VALUES (?, ?)
			ON CONFLICT (product_id) DO UPDATE SET sbom_id = excluded.sbom_id`, s.ProductID, s.ID); err != nil {
			return err
		}
	}
	return t.insertComponents(s.ID, current, s.Components)
}

// insertComponents writes an SBOM's components, many rows per statement.
func (t *tx) insertComponents(sbomID string, current bool, cs []trustmark.SoftwareComponent) error {
	cur := 0
	if current {
		cur = 1
	}
	for start := 0; start < len(cs); start += componentChunk {
		chunk := cs[start:min(start+componentChunk, len(cs))]
		var q strings.Builder
		q.WriteString(`INSERT INTO sbom_components (sbom_id, idx, current, ecosystem, package, purl, cpe_vendor_product, version, doc) VALUES `)
		args := make([]any, 0, 9*len(chunk))
		for i := range chunk {
			c := &chunk[i]
			doc, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, sbomID, start+i, cur, c.Ecosystem, c.Package, c.PURL, trustmark.CPEVendorProduct(c.CPE), c.Version, string(doc))
		}
		if _, err := t.q.ExecContext(t.ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// SBOM implements trustmark.VulnTx.
func (t *tx) SBOM(id string) (*trustmark.SBOM, error) {
	var s trustmark.SBOM
	if err := t.getDoc(`SELECT doc FROM sboms WHERE id = ?`, id, &s, "SBOM "+id); err != nil {
		return nil, err
	}
	cs, err := listDocs[trustmark.SoftwareComponent](t, `SELECT doc FROM sbom_components WHERE sbom_id = ? ORDER BY idx`, id)
	if err != nil {
		return nil, err
	}
	if len(cs) > 0 {
		s.Components = cs
	}
	return &s, nil
}

// SBOMDocument implements trustmark.VulnTx.
func (t *tx) SBOMDocument(id string) ([]byte, error) {
	var b []byte
	err := t.q.QueryRowContext(t.ctx, `SELECT content FROM sbom_documents WHERE sbom_id = ?`, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "SBOM %s not found", id)
	}
	return b, err
}

// SBOMs implements trustmark.VulnTx.
func (t *tx) SBOMs(productID string) ([]trustmark.SBOM, error) {
	return listDocs[trustmark.SBOM](t, `SELECT doc FROM sboms WHERE product_id = ? ORDER BY uploaded_at DESC, seq DESC`, productID)
}

// CurrentSBOM implements trustmark.VulnTx.
func (t *tx) CurrentSBOM(productID string) (*trustmark.SBOM, error) {
	var id string
	err := t.q.QueryRowContext(t.ctx, `SELECT sbom_id FROM current_sboms WHERE product_id = ?`, productID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "product %q has no SBOM", productID)
	}
	if err != nil {
		return nil, err
	}
	return t.SBOM(id)
}

// ProductsWithSBOM implements trustmark.VulnTx.
func (t *tx) ProductsWithSBOM(productIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(productIDs) == 0 {
		return out, nil
	}
	ids, _ := json.Marshal(productIDs)
	rows, err := t.q.QueryContext(t.ctx, `SELECT product_id FROM current_sboms WHERE product_id IN (SELECT value FROM json_each(?))`, string(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// Advisories.

// PutAdvisory implements trustmark.VulnTx.
func (t *tx) PutAdvisory(a *trustmark.Advisory) (bool, []trustmark.PackageKey, error) {
	ch, err := t.PutAdvisories([]*trustmark.Advisory{a})
	if err != nil {
		return false, nil, err
	}
	return ch[0].Changed, ch[0].OldKeys, nil
}

// PutAdvisories implements trustmark.VulnTx.
func (t *tx) PutAdvisories(as []*trustmark.Advisory) ([]trustmark.AdvisoryChange, error) {
	if err := trustmark.ValidateAdvisories(as); err != nil {
		return nil, err
	}
	docs := make([]string, len(as))
	for i, a := range as {
		// Modification times count to the microsecond, as PostgreSQL keeps
		// them, so that both stores tell "newer" alike.
		a.Modified = a.Modified.UTC().Truncate(time.Microsecond)
		if a.Withdrawn != nil {
			w := a.Withdrawn.UTC().Truncate(time.Microsecond)
			a.Withdrawn = &w
		}
		b, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		docs[i] = string(b)
	}
	w := &advisoryWriter{t: t, stmts: map[string]*sql.Stmt{}}
	defer w.close()
	out := make([]trustmark.AdvisoryChange, len(as))
	for i, a := range as {
		var err error
		if out[i], err = w.put(a, docs[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// advisoryWriter writes advisories with statements prepared once per
// PutAdvisories call: parsing SQL is most of a small statement's cost.
type advisoryWriter struct {
	t     *tx
	stmts map[string]*sql.Stmt
}

// stmt returns query prepared, preparing it on first use.
func (w *advisoryWriter) stmt(query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.t.q.PrepareContext(w.t.ctx, query)
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

// exec runs query with args.
func (w *advisoryWriter) exec(query string, args ...any) error {
	st, err := w.stmt(query)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(w.t.ctx, args...)
	return err
}

// close releases the prepared statements.
func (w *advisoryWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// put stores one validated advisory whose JSON is doc.
func (w *advisoryWriter) put(a *trustmark.Advisory, doc string) (trustmark.AdvisoryChange, error) {
	var none trustmark.AdvisoryChange
	modified := timeText(a.Modified)
	sel, err := w.stmt(`SELECT modified, doc FROM advisories WHERE id = ?`)
	if err != nil {
		return none, err
	}
	var oldModified, oldDoc string
	err = sel.QueryRowContext(w.t.ctx, a.ID).Scan(&oldModified, &oldDoc)
	var oldKeys []trustmark.PackageKey
	var oldCPEs []string
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := w.exec(`INSERT INTO advisories (id, modified, withdrawn, severity, doc, osv) VALUES (?, ?, ?, ?, ?, ?)`,
			a.ID, modified, timeTextPtr(a.Withdrawn), a.Severity, doc, a.OSV); err != nil {
			return none, docError(err, "advisory "+a.ID)
		}
	case err != nil:
		return none, err
	case modified <= oldModified:
		return none, nil
	default:
		var old trustmark.Advisory
		if err := json.Unmarshal([]byte(oldDoc), &old); err != nil {
			return none, trustmark.Internal(fmt.Errorf("advisory %s: %w", a.ID, err))
		}
		oldKeys, oldCPEs = old.Packages, old.CPEs
		if oldKeys == nil {
			oldKeys = []trustmark.PackageKey{}
		}
		if err := w.exec(`UPDATE advisories SET modified = ?, withdrawn = ?, severity = ?, doc = ?, osv = ? WHERE id = ?`,
			modified, timeTextPtr(a.Withdrawn), a.Severity, doc, a.OSV, a.ID); err != nil {
			return none, err
		}
		if err := w.exec(`DELETE FROM advisory_packages WHERE advisory_id = ?`, a.ID); err != nil {
			return none, err
		}
		if err := w.exec(`DELETE FROM advisory_cpes WHERE advisory_id = ?`, a.ID); err != nil {
			return none, err
		}
	}
	if len(a.Packages) > 0 {
		args := make([]any, 0, 3*len(a.Packages))
		for _, k := range a.Packages {
			args = append(args, a.ID, k.Ecosystem, k.Name)
		}
		if err := w.exec(`INSERT OR IGNORE INTO advisory_packages (advisory_id, ecosystem, name) VALUES `+rowMarks(3, len(a.Packages)), args...); err != nil {
			return none, err
		}
	}
	if len(a.CPEs) > 0 {
		args := make([]any, 0, 2*len(a.CPEs))
		for _, vp := range a.CPEs {
			args = append(args, a.ID, strings.ToLower(vp))
		}
		if err := w.exec(`INSERT OR IGNORE INTO advisory_cpes (advisory_id, vendor_product) VALUES `+rowMarks(2, len(a.CPEs)), args...); err != nil {
			return none, err
		}
	}
	return trustmark.AdvisoryChange{Changed: true, OldKeys: oldKeys, OldCPEs: oldCPEs}, nil
}

// rowMarks returns n rows of cols placeholders: "(?, ?), (?, ?)".
func rowMarks(cols, n int) string {
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	return strings.Repeat(row+", ", n-1) + row
}

// Advisory implements trustmark.VulnTx.
func (t *tx) Advisory(id string) (*trustmark.Advisory, error) {
	list, err := t.advisories(`SELECT doc, osv FROM advisories WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "advisory %q not found", id)
	}
	return &list[0], nil
}

// advisories reads the advisories (doc, osv) a query returns.
func (t *tx) advisories(query string, args ...any) ([]trustmark.Advisory, error) {
	rows, err := t.q.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []trustmark.Advisory{}
	for rows.Next() {
		var doc string
		var osv []byte
		if err := rows.Scan(&doc, &osv); err != nil {
			return nil, err
		}
		var a trustmark.Advisory
		if err := json.Unmarshal([]byte(doc), &a); err != nil {
			return nil, trustmark.Internal(err)
		}
		a.OSV = osv
		out = append(out, a)
	}
	return out, rows.Err()
}

// keysJSON encodes distinct package keys as a JSON array of [ecosystem,
// name] pairs, for json_each.
func keysJSON(keys []trustmark.PackageKey) string {
	pairs := make([][2]string, 0, len(keys))
	seen := make(map[trustmark.PackageKey]bool, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			pairs = append(pairs, [2]string{k.Ecosystem, k.Name})
		}
	}
	b, _ := json.Marshal(pairs)
	return string(b)
}

// stringsJSON encodes distinct, lower-case strings as a JSON array.
func stringsJSON(ss []string) string {
	lower := make([]string, len(ss))
	for i, s := range ss {
		lower[i] = strings.ToLower(s)
	}
	slices.Sort(lower)
	b, _ := json.Marshal(slices.Compact(lower))
	return string(b)
}

// AdvisoriesFor implements trustmark.VulnTx.
func (t *tx) AdvisoriesFor(keys []trustmark.PackageKey) ([]trustmark.Advisory, error) {
	if len(keys) == 0 {
		return []trustmark.Advisory{}, nil
	}
	return t.advisories(`SELECT doc, osv FROM advisories WHERE id IN (
		SELECT p.advisory_id FROM json_each(?) k
		JOIN advisory_packages p ON p.ecosystem = k.value ->> 0 AND p.name = k.value ->> 1)
		ORDER BY id`, keysJSON(keys))
}

// AdvisoriesForCPE implements trustmark.VulnTx.
func (t *tx) AdvisoriesForCPE(vendorProducts []string) ([]trustmark.Advisory, error) {
	if len(vendorProducts) == 0 {
		return []trustmark.Advisory{}, nil
	}
	return t.advisories(`SELECT doc, osv FROM advisories WHERE id IN (
		SELECT c.advisory_id FROM json_each(?) k JOIN advisory_cpes c ON c.vendor_product = k.value)
		ORDER BY id`, stringsJSON(vendorProducts))
}

// AdvisoryCount implements trustmark.VulnTx.
func (t *tx) AdvisoryCount() (int, error) {
	var n int
	err := t.q.QueryRowContext(t.ctx, `SELECT COUNT(*) FROM advisories`).Scan(&n)
	return n, err
}

// CurrentComponents implements trustmark.VulnTx.
func (t *tx) CurrentComponents(keys []trustmark.PackageKey) ([]trustmark.ComponentRef, error) {
	if len(keys) == 0 {
		return []trustmark.ComponentRef{}, nil
	}
	// The conditions on current and package repeat the partial index's, so
	// that SQLite uses it.
	return t.componentRefs(`SELECT c.sbom_id, s.product_id, c.doc FROM json_each(?) k
		JOIN sbom_components c ON c.ecosystem = k.value ->> 0 AND c.package = k.value ->> 1 AND c.current = 1 AND c.package <> ''
		JOIN sboms s ON s.id = c.sbom_id
		ORDER BY s.product_id, c.sbom_id, c.idx`, keysJSON(keys))
}

// CurrentCPEComponents implements trustmark.VulnTx.
func (t *tx) CurrentCPEComponents(vendorProducts []string) ([]trustmark.ComponentRef, error) {
	if len(vendorProducts) == 0 {
		return []trustmark.ComponentRef{}, nil
	}
	return t.componentRefs(`SELECT c.sbom_id, s.product_id, c.doc FROM json_each(?) k
		JOIN sbom_components c ON c.cpe_vendor_product = k.value AND c.current = 1 AND (c.package = '' OR c.ecosystem LIKE 'purl:%') AND c.cpe_vendor_product <> ''
		JOIN sboms s ON s.id = c.sbom_id
		ORDER BY s.product_id, c.sbom_id, c.idx`, stringsJSON(vendorProducts))
}

// componentRefs reads (sbom_id, product_id, doc) rows.
func (t *tx) componentRefs(query string, args ...any) ([]trustmark.ComponentRef, error) {
	rows, err := t.q.QueryContext(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []trustmark.ComponentRef{}
	for rows.Next() {
		var r trustmark.ComponentRef
		var doc string
		if err := rows.Scan(&r.SBOMID, &r.ProductID, &doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(doc), &r.Component); err != nil {
			return nil, trustmark.Internal(err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// VEX statements.

// CreateVEX implements trustmark.VulnTx.
func (t *tx) CreateVEX(v *trustmark.VEXStatement) error {
	if v.ID == "" {
		v.ID = newID("vex_")
	}
	v.At = v.At.UTC()
	if err := v.Validate(); err != nil {
		return err
	}
	if err := t.requireProduct(v.ProductID); err != nil {
		return err
	}
	return t.insertDoc("vex_statements", []string{"id", "product_id", "at"}, []any{v.ID, v.ProductID, timeText(v.At)}, v, "VEX statement "+v.ID)
}

// VEXStatements implements trustmark.VulnTx.
func (t *tx) VEXStatements(productID string) ([]trustmark.VEXStatement, error) {
	return listDocs[trustmark.VEXStatement](t, `SELECT doc FROM vex_statements WHERE product_id = ? ORDER BY at, seq`, productID)
}

// Alerts.

// PutAlert implements trustmark.VulnTx.
func (t *tx) PutAlert(a *trustmark.Alert) error {
	isNew := a.ID == ""
	if isNew {
		if a.OpenedAt.IsZero() {
			a.OpenedAt = time.Now()
		}
		if a.UpdatedAt.IsZero() {
			a.UpdatedAt = a.OpenedAt
		}
	} else if a.UpdatedAt.IsZero() {
		a.UpdatedAt = time.Now()
	}
	a.OpenedAt, a.UpdatedAt = a.OpenedAt.UTC(), a.UpdatedAt.UTC()
	if err := a.Validate(); err != nil {
		return err
	}
	// The references are checked first, so that each gets its own message.
	var productID sql.NullString
	var advisoryExists, manufacturerExists bool
	if err := t.q.QueryRowContext(t.ctx, `SELECT (SELECT product_id FROM sboms WHERE id = ?),
		EXISTS (SELECT 1 FROM advisories WHERE id = ?), EXISTS (SELECT 1 FROM organizations WHERE id = ?)`,
		a.SBOMID, a.AdvisoryID, a.ManufacturerID).Scan(&productID, &advisoryExists, &manufacturerExists); err != nil {
		return err
	}
	switch {
	case !productID.Valid:
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "sbom_id", Message: fmt.Sprintf("SBOM %q not found", a.SBOMID)}
	case productID.String != a.ProductID:
		return trustmark.FieldError("sbom_id", "SBOM %s is not one of product %s", a.SBOMID, a.ProductID)
	case !advisoryExists:
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "advisory_id", Message: fmt.Sprintf("advisory %q not found", a.AdvisoryID)}
	case !manufacturerExists:
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "manufacturer_id", Message: fmt.Sprintf("organization %q not found", a.ManufacturerID)}
	}
	if !isNew {
		var one int
		err := t.q.QueryRowContext(t.ctx, `SELECT 1 FROM alerts WHERE id = ?`, a.ID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return trustmark.Errorf(trustmark.KindNotFound, "alert %q not found", a.ID)
		}
		if err != nil {
			return err
		}
	}
	key := a.Component.Key()
	var taken string
	err := t.q.QueryRowContext(t.ctx, `SELECT id FROM alerts WHERE sbom_id = ? AND advisory_id = ? AND component_key = ?`,
		a.SBOMID, a.AdvisoryID, key).Scan(&taken)
	switch {
	case err == nil && taken != a.ID:
		return trustmark.Errorf(trustmark.KindConflict, "alert %s for advisory %s on component %s of SBOM %s already exists", taken, a.AdvisoryID, key, a.SBOMID)
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	}
	cols := []string{"product_id", "sbom_id", "advisory_id", "component_key", "manufacturer_id", "cla_id", "state", "opened_at"}
	vals := []any{a.ProductID, a.SBOMID, a.AdvisoryID, key, a.ManufacturerID, a.CLAID, a.State, timeText(a.OpenedAt)}
	if !isNew {
		return t.updateDoc("alerts", "id", a.ID, cols, vals, a, "alert "+a.ID)
	}
	a.ID = newID("alr_")
	if err := t.insertDoc("alerts", append([]string{"id"}, cols...), append([]any{a.ID}, vals...), a, "alert"); err != nil {
		a.ID = ""
		return err
	}
	return nil
}

// Alert implements trustmark.VulnTx.
func (t *tx) Alert(id string) (*trustmark.Alert, error) {
	var a trustmark.Alert
	if err := t.getDoc(`SELECT doc FROM alerts WHERE id = ?`, id, &a, "alert "+id); err != nil {
		return nil, err
	}
	return &a, nil
}

// AlertsFor implements trustmark.VulnTx.
func (t *tx) AlertsFor(sbomID string) ([]trustmark.Alert, error) {
	return listDocs[trustmark.Alert](t, `SELECT doc FROM alerts WHERE sbom_id = ? ORDER BY opened_at, seq`, sbomID)
}

// Alerts implements trustmark.VulnTx.
func (t *tx) Alerts(f trustmark.AlertFilter) ([]trustmark.Alert, error) {
	w, args := where(map[string]any{"manufacturer_id": f.ManufacturerID, "cla_id": f.CLAID, "product_id": f.ProductID, "state": string(f.State)})
	return listDocs[trustmark.Alert](t, `SELECT doc FROM alerts`+w+` ORDER BY opened_at DESC, seq DESC`, args...)
}

// Webhooks and deliveries.

// CreateWebhook implements trustmark.VulnTx.
func (t *tx) CreateWebhook(w *trustmark.Webhook) error {
	if w.ID == "" {
		w.ID = newID("whk_")
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = time.Now()
	}
	w.CreatedAt = w.CreatedAt.UTC()
	if err := w.Validate(); err != nil {
		return err
	}
	var one int
	err := t.q.QueryRowContext(t.ctx, `SELECT 1 FROM organizations WHERE id = ?`, w.OrgID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "organization_id", Message: fmt.Sprintf("organization %q not found", w.OrgID)}
	}
	if err != nil {
		return err
	}
	_, err = t.q.ExecContext(t.ctx, `INSERT INTO webhooks (id, org_id, url, secret, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
		w.ID, w.OrgID, w.URL, w.Secret, timeText(w.CreatedAt), w.CreatedBy)
	return docError(err, "webhook "+w.ID)
}

const webhookColumns = `id, org_id, url, secret, created_at, created_by`

func scanWebhook(s scanner) (*trustmark.Webhook, error) {
	var w trustmark.Webhook
	var created string
	if err := s.Scan(&w.ID, &w.OrgID, &w.URL, &w.Secret, &created, &w.CreatedBy); err != nil {
		return nil, err
	}
	var err error
	if w.CreatedAt, err = parseTime(created); err != nil {
		return nil, trustmark.Internal(fmt.Errorf("webhook %s: created_at: %w", w.ID, err))
	}
	return &w, nil
}

// Webhook implements trustmark.VulnTx.
func (t *tx) Webhook(id string) (*trustmark.Webhook, error) {
	w, err := scanWebhook(t.q.QueryRowContext(t.ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "webhook %q not found", id)
	}
	return w, err
}

// Webhooks implements trustmark.VulnTx: without their secrets.
func (t *tx) Webhooks(orgID string) ([]trustmark.Webhook, error) {
	rows, err := t.q.QueryContext(t.ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE org_id = ? ORDER BY seq`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []trustmark.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		w.Secret = nil
		out = append(out, *w)
	}
	return out, rows.Err()
}

// DeleteWebhook implements trustmark.VulnTx; its queued deliveries go with it.
func (t *tx) DeleteWebhook(id string) error {
	res, err := t.q.ExecContext(t.ctx, `DELETE FROM webhooks WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trustmark.Errorf(trustmark.KindNotFound, "webhook %q not found", id)
	}
	return nil
}

// EnqueueDelivery implements trustmark.VulnTx.
func (t *tx) EnqueueDelivery(d *trustmark.Delivery) error {
	if d.CreatedAt.IsZero() {
		d.CreatedAt = time.Now()
	}
	if d.NextTry.IsZero() {
		d.NextTry = d.CreatedAt
	}
	d.CreatedAt, d.NextTry, d.SentAt = d.CreatedAt.UTC(), d.NextTry.UTC(), utcPtr(d.SentAt)
	if err := d.Validate(); err != nil {
		return err
	}
	res, err := t.q.ExecContext(t.ctx, `INSERT INTO webhook_deliveries (webhook_id, event, payload, attempts, next_try, last_error, sent_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.WebhookID, d.Event, d.Payload, d.Attempts, timeText(d.NextTry), d.LastError,
		timeTextPtr(d.SentAt), timeText(d.CreatedAt))
	if err != nil {
		if trustmark.IsKind(storeError(err), trustmark.KindNotFound) {
			return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "webhook_id", Message: fmt.Sprintf("webhook %q not found", d.WebhookID), Err: err}
		}
		return err
	}
	d.ID, err = res.LastInsertId()
	return err
}

// maxDue bounds one DueDeliveries answer.
const maxDue = 1000

// DueDeliveries implements trustmark.VulnTx. A limit outside 1 to 1000
// means 1000.
func (t *tx) DueDeliveries(at time.Time, limit int) ([]trustmark.Delivery, error) {
	if limit <= 0 || limit > maxDue {
		limit = maxDue
	}
	rows, err := t.q.QueryContext(t.ctx, `SELECT id, webhook_id, event, payload, attempts, next_try, last_error, sent_at, created_at
		FROM webhook_deliveries WHERE sent_at IS NULL AND next_try <= ? ORDER BY next_try, id LIMIT ?`, timeText(at), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []trustmark.Delivery{}
	for rows.Next() {
		var d trustmark.Delivery
		var next, created string
		var sent sql.NullString
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.Event, &d.Payload, &d.Attempts, &next, &d.LastError, &sent, &created); err != nil {
			return nil, err
		}
		if d.NextTry, err = parseTime(next); err != nil {
			return nil, trustmark.Internal(err)
		}
		if d.CreatedAt, err = parseTime(created); err != nil {
			return nil, trustmark.Internal(err)
		}
		if sent.Valid {
			s, err := parseTime(sent.String)
			if err != nil {
				return nil, trustmark.Internal(err)
			}
			d.SentAt = &s
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// UpdateDelivery implements trustmark.VulnTx: it stores the attempts, next
// try, last error and sent time.
func (t *tx) UpdateDelivery(d *trustmark.Delivery) error {
	d.NextTry, d.SentAt = d.NextTry.UTC(), utcPtr(d.SentAt)
	if err := d.Validate(); err != nil {
		return err
	}
	res, err := t.q.ExecContext(t.ctx, `UPDATE webhook_deliveries SET attempts = ?, next_try = ?, last_error = ?, sent_at = ? WHERE id = ?`,
		d.Attempts, timeText(d.NextTry), d.LastError, timeTextPtr(d.SentAt), d.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return trustmark.Errorf(trustmark.KindNotFound, "delivery %d not found", d.ID)
	}
	return nil
}
