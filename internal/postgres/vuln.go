package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"trustmark"
)

// This file implements trustmark.VulnTx: SBOMs, advisories, VEX
// statements, alerts and webhooks (migration 0004_vuln.sql).

var _ trustmark.VulnTx = (*tx)(nil)

// requireProduct checks that a product exists.
func (t *tx) requireProduct(id string) error {
	var one int
	err := t.q.QueryRow(t.ctx, `SELECT 1 FROM products WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
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
	s.UploadedAt = pgTime(s.UploadedAt)
	if err := s.Prepare(); err != nil {
		return err
	}
	var curID *string
	var curAt *time.Time
	err := t.q.QueryRow(t.ctx, `SELECT c.sbom_id, s.uploaded_at FROM products p
		LEFT JOIN current_sboms c ON c.product_id = p.id LEFT JOIN sboms s ON s.id = c.sbom_id
		WHERE p.id = $1`, s.ProductID).Scan(&curID, &curAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "product_id", Message: fmt.Sprintf("product %q not found", s.ProductID)}
	}
	if err != nil {
		return err
	}
	meta := *s
	meta.Components = nil
	if err := t.insertDoc("sboms", []string{"id", "product_id", "uploaded_at"}, []any{s.ID, s.ProductID, s.UploadedAt}, meta, "SBOM "+s.ID); err != nil {
		return err
	}
	if _, err := t.q.Exec(t.ctx, `INSERT INTO sbom_documents (sbom_id, content) VALUES ($1, $2)`, s.ID, s.Document); err != nil {
		return err
	}
	// The newest upload is current; an SBOM uploaded with an earlier time
	// than the current one's (a back-filled history) is kept but not current.
	current := curID == nil || !s.UploadedAt.Before(*curAt)
	if current {
		if curID != nil {
			if _, err := t.q.Exec(t.ctx, `UPDATE sbom_components SET current = false WHERE sbom_id = $1 AND current`, *curID); err != nil {
				return err
			}
		}
		if _, err := t.q.Exec(t.ctx, `INSERT INTO current_sboms (product_id, sbom_id) VALUES ($1, $2)
			ON CONFLICT (product_id) DO UPDATE SET sbom_id = excluded.sbom_id`, s.ProductID, s.ID); err != nil {
			return err
		}
	}
	return t.insertComponents(s.ID, current, s.Components)
}

// insertComponents writes an SBOM's components in one statement.
func (t *tx) insertComponents(sbomID string, current bool, cs []trustmark.SoftwareComponent) error {
	if len(cs) == 0 {
		return nil
	}
	n := len(cs)
	idx := make([]int32, n)
	eco, pkg, purl, cpe, version, doc := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i := range cs {
		c := &cs[i]
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		idx[i], eco[i], pkg[i], purl[i], cpe[i], version[i], doc[i] = int32(i), c.Ecosystem, c.Package, c.PURL, trustmark.CPEVendorProduct(c.CPE), c.Version, string(b)
	}
	_, err := t.q.Exec(t.ctx, `INSERT INTO sbom_components (sbom_id, idx, current, ecosystem, package, purl, cpe_vendor_product, version, doc)
		SELECT $1, x.idx, $2, x.eco, x.pkg, x.purl, x.cpe, x.version, x.doc::json
		FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS x(idx, eco, pkg, purl, cpe, version, doc)`,
		sbomID, current, idx, eco, pkg, purl, cpe, version, doc)
	return err
}

// SBOM implements trustmark.VulnTx.
func (t *tx) SBOM(id string) (*trustmark.SBOM, error) {
	var s trustmark.SBOM
	if err := t.getDoc(`SELECT doc FROM sboms WHERE id = $1`, id, &s, "SBOM "+id); err != nil {
		return nil, err
	}
	cs, err := listDocs[trustmark.SoftwareComponent](t, `SELECT doc FROM sbom_components WHERE sbom_id = $1 ORDER BY idx`, id)
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
	err := t.q.QueryRow(t.ctx, `SELECT content FROM sbom_documents WHERE sbom_id = $1`, id).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "SBOM %s not found", id)
	}
	return b, err
}

// SBOMs implements trustmark.VulnTx.
func (t *tx) SBOMs(productID string) ([]trustmark.SBOM, error) {
	return listDocs[trustmark.SBOM](t, `SELECT doc FROM sboms WHERE product_id = $1 ORDER BY uploaded_at DESC, seq DESC`, productID)
}

// CurrentSBOM implements trustmark.VulnTx.
func (t *tx) CurrentSBOM(productID string) (*trustmark.SBOM, error) {
	var id string
	err := t.q.QueryRow(t.ctx, `SELECT sbom_id FROM current_sboms WHERE product_id = $1`, productID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
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
	rows, err := t.q.Query(t.ctx, `SELECT product_id FROM current_sboms WHERE product_id = ANY ($1::text[])`, productIDs)
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

// advisoryChunk is how many advisories PutAdvisories reads and writes
// with one set of statements.
const advisoryChunk = 1000

// PutAdvisories implements trustmark.VulnTx. It works set-wise, 1,000
// advisories at a time: one query reads the stored versions, the changes
// are worked out here in order, and one pipelined batch of up to five
// statements writes the final version of each changed advisory. Reading
// then writing is safe because write transactions hold the store's write
// lock (db.go).
func (t *tx) PutAdvisories(as []*trustmark.Advisory) ([]trustmark.AdvisoryChange, error) {
	if err := trustmark.ValidateAdvisories(as); err != nil {
		return nil, err
	}
	for _, a := range as {
		a.Modified = pgTime(a.Modified)
		a.Withdrawn = pgTimePtr(a.Withdrawn)
	}
	out := make([]trustmark.AdvisoryChange, len(as))
	for start := 0; start < len(as); start += advisoryChunk {
		end := min(start+advisoryChunk, len(as))
		if err := t.putAdvisories(as[start:end], out[start:end]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// advisoryVersion is what putAdvisories tracks of one advisory ID.
type advisoryVersion struct {
	modified time.Time
	keys     []trustmark.PackageKey // never nil
	cpes     []string
	stored   bool // stored before this call
}

// putAdvisories puts validated advisories, filling out (as long as as).
func (t *tx) putAdvisories(as []*trustmark.Advisory, out []trustmark.AdvisoryChange) error {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	current := map[string]*advisoryVersion{}
	rows, err := t.q.Query(t.ctx, `SELECT id, modified, doc FROM advisories WHERE id = ANY ($1::text[])`, ids)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var v advisoryVersion
		var doc []byte
		if err := rows.Scan(&id, &v.modified, &doc); err != nil {
			rows.Close()
			return err
		}
		var old trustmark.Advisory
		if err := json.Unmarshal(doc, &old); err != nil {
			rows.Close()
			return trustmark.Internal(fmt.Errorf("advisory %s: %w", id, err))
		}
		v.keys, v.cpes, v.stored = nonNilKeys(old.Packages), old.CPEs, true
		current[id] = &v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// In order, as PutAdvisory one by one would: the same ID may come
	// twice, and the later is compared with the earlier.
	final := map[string]*trustmark.Advisory{}
	var changed []string
	replaced := []string{}
	for i, a := range as {
		v := current[a.ID]
		if v != nil && !a.Modified.After(v.modified) {
			continue
		}
		out[i].Changed = true
		if v != nil {
			out[i].OldKeys, out[i].OldCPEs = v.keys, v.cpes
		}
		if final[a.ID] == nil {
			changed = append(changed, a.ID)
			if v != nil && v.stored {
				replaced = append(replaced, a.ID)
			}
		}
		final[a.ID] = a
		current[a.ID] = &advisoryVersion{modified: a.Modified, keys: nonNilKeys(a.Packages), cpes: a.CPEs, stored: v != nil && v.stored}
	}
	if len(changed) == 0 {
		return nil
	}
	n := len(changed)
	modified, withdrawn := make([]time.Time, n), make([]*time.Time, n)
	severity, docs, osv := make([]string, n), make([]string, n), make([][]byte, n)
	var pkgID, pkgEco, pkgName, cpeID, cpeVP []string
	for i, id := range changed {
		a := final[id]
		doc, err := json.Marshal(a)
		if err != nil {
			return err
		}
		modified[i], withdrawn[i], severity[i], docs[i], osv[i] = a.Modified, a.Withdrawn, string(a.Severity), string(doc), a.OSV
		// Each pair is written once: the tables have no unique key to do it.
		eco, name := keyArrays(a.Packages)
		for j := range eco {
			pkgID, pkgEco, pkgName = append(pkgID, id), append(pkgEco, eco[j]), append(pkgName, name[j])
		}
		for _, vp := range lowerSet(a.CPEs) {
			cpeID, cpeVP = append(cpeID, id), append(cpeVP, vp)
		}
	}
	// Statements with nothing to do are left out.
	b := &pgx.Batch{}
	if len(replaced) > 0 {
		b.Queue(`DELETE FROM advisory_packages WHERE advisory_id = ANY ($1::text[])`, replaced)
		b.Queue(`DELETE FROM advisory_cpes WHERE advisory_id = ANY ($1::text[])`, replaced)
	}
	b.Queue(`INSERT INTO advisories (id, modified, withdrawn, severity, doc, osv)
		SELECT x.id, x.modified, x.withdrawn, x.severity, x.doc::json, x.osv
		FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::text[], $6::bytea[]) AS x(id, modified, withdrawn, severity, doc, osv)
		ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, withdrawn = excluded.withdrawn,
			severity = excluded.severity, doc = excluded.doc, osv = excluded.osv`,
		changed, modified, withdrawn, severity, docs, osv)
	if len(pkgID) > 0 {
		b.Queue(`INSERT INTO advisory_packages (advisory_id, ecosystem, name) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
			pkgID, pkgEco, pkgName)
	}
	if len(cpeID) > 0 {
		b.Queue(`INSERT INTO advisory_cpes (advisory_id, vendor_product) SELECT * FROM unnest($1::text[], $2::text[])`, cpeID, cpeVP)
	}
	br := t.q.SendBatch(t.ctx, b)
	for range b.Len() {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
	}
	return br.Close()
}

// nonNilKeys returns keys, or an empty list for nil.
func nonNilKeys(keys []trustmark.PackageKey) []trustmark.PackageKey {
	if keys == nil {
		return []trustmark.PackageKey{}
	}
	return keys
}

// lowerSet returns the distinct lower-case forms of ss, sorted.
func lowerSet(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Advisory implements trustmark.VulnTx.
func (t *tx) Advisory(id string) (*trustmark.Advisory, error) {
	list, err := t.advisories(`SELECT doc, osv FROM advisories WHERE id = $1`, id)
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
	rows, err := t.q.Query(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []trustmark.Advisory{}
	for rows.Next() {
		var doc, osv []byte
		if err := rows.Scan(&doc, &osv); err != nil {
			return nil, err
		}
		var a trustmark.Advisory
		if err := json.Unmarshal(doc, &a); err != nil {
			return nil, trustmark.Internal(err)
		}
		a.OSV = osv
		out = append(out, a)
	}
	return out, rows.Err()
}

// keyArrays splits distinct package keys into parallel arrays for unnest.
func keyArrays(keys []trustmark.PackageKey) (eco, name []string) {
	seen := make(map[trustmark.PackageKey]bool, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			eco, name = append(eco, k.Ecosystem), append(name, k.Name)
		}
	}
	return eco, name
}

// Orders of text columns are bytewise (COLLATE "C"), as SQLite's, so the
// stores list alike whatever the database's collation.

// AdvisoriesFor implements trustmark.VulnTx.
func (t *tx) AdvisoriesFor(keys []trustmark.PackageKey) ([]trustmark.Advisory, error) {
	if len(keys) == 0 {
		return []trustmark.Advisory{}, nil
	}
	eco, name := keyArrays(keys)
	return t.advisories(`SELECT doc, osv FROM advisories WHERE id IN (
		SELECT p.advisory_id FROM unnest($1::text[], $2::text[]) AS k(ecosystem, name)
		JOIN advisory_packages p ON p.ecosystem = k.ecosystem AND p.name = k.name)
		ORDER BY id COLLATE "C"`, eco, name)
}

// AdvisoriesForCPE implements trustmark.VulnTx.
func (t *tx) AdvisoriesForCPE(vendorProducts []string) ([]trustmark.Advisory, error) {
	if len(vendorProducts) == 0 {
		return []trustmark.Advisory{}, nil
	}
	return t.advisories(`SELECT doc, osv FROM advisories WHERE id IN (
		SELECT c.advisory_id FROM unnest($1::text[]) AS k(vp) JOIN advisory_cpes c ON c.vendor_product = k.vp)
		ORDER BY id COLLATE "C"`, lowerSet(vendorProducts))
}

// AdvisoryCount implements trustmark.VulnTx.
func (t *tx) AdvisoryCount() (int, error) {
	var n int
	err := t.q.QueryRow(t.ctx, `SELECT COUNT(*) FROM advisories`).Scan(&n)
	return n, err
}

// CurrentComponents implements trustmark.VulnTx.
func (t *tx) CurrentComponents(keys []trustmark.PackageKey) ([]trustmark.ComponentRef, error) {
	if len(keys) == 0 {
		return []trustmark.ComponentRef{}, nil
	}
	eco, name := keyArrays(keys)
	// The conditions on current and package repeat the partial index's, so
	// that the planner can use it.
	return t.componentRefs(`SELECT c.sbom_id, s.product_id, c.doc FROM unnest($1::text[], $2::text[]) AS k(ecosystem, name)
		JOIN sbom_components c ON c.ecosystem = k.ecosystem AND c.package = k.name AND c.current AND c.package <> ''
		JOIN sboms s ON s.id = c.sbom_id
		ORDER BY s.product_id COLLATE "C", c.sbom_id COLLATE "C", c.idx`, eco, name)
}

// CurrentCPEComponents implements trustmark.VulnTx.
func (t *tx) CurrentCPEComponents(vendorProducts []string) ([]trustmark.ComponentRef, error) {
	if len(vendorProducts) == 0 {
		return []trustmark.ComponentRef{}, nil
	}
	return t.componentRefs(`SELECT c.sbom_id, s.product_id, c.doc FROM unnest($1::text[]) AS k(vp)
		JOIN sbom_components c ON c.cpe_vendor_product = k.vp AND c.current AND (c.package = '' OR c.ecosystem LIKE 'purl:%') AND c.cpe_vendor_product <> ''
		JOIN sboms s ON s.id = c.sbom_id
		ORDER BY s.product_id COLLATE "C", c.sbom_id COLLATE "C", c.idx`, lowerSet(vendorProducts))
}

// componentRefs reads (sbom_id, product_id, doc) rows.
func (t *tx) componentRefs(query string, args ...any) ([]trustmark.ComponentRef, error) {
	rows, err := t.q.Query(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []trustmark.ComponentRef{}
	for rows.Next() {
		var r trustmark.ComponentRef
		var doc []byte
		if err := rows.Scan(&r.SBOMID, &r.ProductID, &doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(doc, &r.Component); err != nil {
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
	v.At = pgTime(v.At)
	if err := v.Validate(); err != nil {
		return err
	}
	if err := t.requireProduct(v.ProductID); err != nil {
		return err
	}
	return t.insertDoc("vex_statements", []string{"id", "product_id", "at"}, []any{v.ID, v.ProductID, v.At}, v, "VEX statement "+v.ID)
}

// VEXStatements implements trustmark.VulnTx.
func (t *tx) VEXStatements(productID string) ([]trustmark.VEXStatement, error) {
	return listDocs[trustmark.VEXStatement](t, `SELECT doc FROM vex_statements WHERE product_id = $1 ORDER BY at, seq`, productID)
}

// Alerts.

// PutAlert implements trustmark.VulnTx. Every reference is checked before
// writing, so a refused alert leaves the transaction usable.
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
	a.OpenedAt, a.UpdatedAt = pgTime(a.OpenedAt), pgTime(a.UpdatedAt)
	if err := a.Validate(); err != nil {
		return err
	}
	var productID *string
	var advisoryExists, manufacturerExists bool
	if err := t.q.QueryRow(t.ctx, `SELECT (SELECT product_id FROM sboms WHERE id = $1),
		EXISTS (SELECT FROM advisories WHERE id = $2), EXISTS (SELECT FROM organizations WHERE id = $3)`,
		a.SBOMID, a.AdvisoryID, a.ManufacturerID).Scan(&productID, &advisoryExists, &manufacturerExists); err != nil {
		return err
	}
	switch {
	case productID == nil:
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "sbom_id", Message: fmt.Sprintf("SBOM %q not found", a.SBOMID)}
	case *productID != a.ProductID:
		return trustmark.FieldError("sbom_id", "SBOM %s is not one of product %s", a.SBOMID, a.ProductID)
	case !advisoryExists:
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "advisory_id", Message: fmt.Sprintf("advisory %q not found", a.AdvisoryID)}
	case !manufacturerExists:
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "manufacturer_id", Message: fmt.Sprintf("organization %q not found", a.ManufacturerID)}
	}
	if !isNew {
		var one int
		err := t.q.QueryRow(t.ctx, `SELECT 1 FROM alerts WHERE id = $1`, a.ID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return trustmark.Errorf(trustmark.KindNotFound, "alert %q not found", a.ID)
		}
		if err != nil {
			return err
		}
	}
	key := a.Component.Key()
	var taken string
	err := t.q.QueryRow(t.ctx, `SELECT id FROM alerts WHERE sbom_id = $1 AND advisory_id = $2 AND component_key = $3`,
		a.SBOMID, a.AdvisoryID, key).Scan(&taken)
	switch {
	case err == nil && taken != a.ID:
		return trustmark.Errorf(trustmark.KindConflict, "alert %s for advisory %s on component %s of SBOM %s already exists", taken, a.AdvisoryID, key, a.SBOMID)
	case err != nil && !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	cols := []string{"product_id", "sbom_id", "advisory_id", "component_key", "manufacturer_id", "cla_id", "state", "opened_at"}
	vals := []any{a.ProductID, a.SBOMID, a.AdvisoryID, key, a.ManufacturerID, a.CLAID, string(a.State), a.OpenedAt}
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
	if err := t.getDoc(`SELECT doc FROM alerts WHERE id = $1`, id, &a, "alert "+id); err != nil {
		return nil, err
	}
	return &a, nil
}

// AlertsFor implements trustmark.VulnTx.
func (t *tx) AlertsFor(sbomID string) ([]trustmark.Alert, error) {
	return listDocs[trustmark.Alert](t, `SELECT doc FROM alerts WHERE sbom_id = $1 ORDER BY opened_at, seq`, sbomID)
}

// Alerts implements trustmark.VulnTx.
func (t *tx) Alerts(f trustmark.AlertFilter) ([]trustmark.Alert, error) {
	var w filter
	w.eq("manufacturer_id", f.ManufacturerID)
	w.eq("cla_id", f.CLAID)
	w.eq("product_id", f.ProductID)
	w.eq("state", string(f.State))
	return listDocs[trustmark.Alert](t, `SELECT doc FROM alerts`+w.where()+` ORDER BY opened_at DESC, seq DESC`, w.args...)
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
	w.CreatedAt = pgTime(w.CreatedAt)
	if err := w.Validate(); err != nil {
		return err
	}
	var one int
	err := t.q.QueryRow(t.ctx, `SELECT 1 FROM organizations WHERE id = $1`, w.OrgID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "organization_id", Message: fmt.Sprintf("organization %q not found", w.OrgID)}
	}
	if err != nil {
		return err
	}
	tag, err := t.q.Exec(t.ctx, `INSERT INTO webhooks (id, org_id, url, secret, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT DO NOTHING`, w.ID, w.OrgID, w.URL, w.Secret, w.CreatedAt, w.CreatedBy)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return trustmark.Errorf(trustmark.KindConflict, "webhook %s already exists", w.ID)
	}
	return nil
}

const webhookColumns = `id, org_id, url, secret, created_at, created_by`

func scanWebhook(s scanner) (*trustmark.Webhook, error) {
	var w trustmark.Webhook
	if err := s.Scan(&w.ID, &w.OrgID, &w.URL, &w.Secret, &w.CreatedAt, &w.CreatedBy); err != nil {
		return nil, err
	}
	w.CreatedAt = w.CreatedAt.UTC()
	return &w, nil
}

// Webhook implements trustmark.VulnTx.
func (t *tx) Webhook(id string) (*trustmark.Webhook, error) {
	w, err := scanWebhook(t.q.QueryRow(t.ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "webhook %q not found", id)
	}
	return w, err
}

// Webhooks implements trustmark.VulnTx: without their secrets.
func (t *tx) Webhooks(orgID string) ([]trustmark.Webhook, error) {
	rows, err := t.q.Query(t.ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE org_id = $1 ORDER BY seq`, orgID)
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
	tag, err := t.q.Exec(t.ctx, `DELETE FROM webhooks WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
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
	d.CreatedAt, d.NextTry, d.SentAt = pgTime(d.CreatedAt), pgTime(d.NextTry), pgTimePtr(d.SentAt)
	if err := d.Validate(); err != nil {
		return err
	}
	// INSERT … SELECT inserts nothing for an unknown webhook, where a
	// foreign-key error would abort the transaction.
	err := t.q.QueryRow(t.ctx, `INSERT INTO webhook_deliveries (webhook_id, event, payload, attempts, next_try, last_error, sent_at, created_at)
		SELECT id, $2, $3, $4, $5, $6, $7, $8 FROM webhooks WHERE id = $1 RETURNING id`,
		d.WebhookID, d.Event, d.Payload, d.Attempts, d.NextTry, d.LastError, d.SentAt, d.CreatedAt).Scan(&d.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "webhook_id", Message: fmt.Sprintf("webhook %q not found", d.WebhookID)}
	}
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
	rows, err := t.q.Query(t.ctx, `SELECT id, webhook_id, event, payload, attempts, next_try, last_error, sent_at, created_at
		FROM webhook_deliveries WHERE sent_at IS NULL AND next_try <= $1 ORDER BY next_try, id LIMIT $2`, at, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []trustmark.Delivery{}
	for rows.Next() {
		var d trustmark.Delivery
		if err := rows.Scan(&d.ID, &d.WebhookID, &d.Event, &d.Payload, &d.Attempts, &d.NextTry, &d.LastError, &d.SentAt, &d.CreatedAt); err != nil {
			return nil, err
		}
		d.NextTry, d.CreatedAt, d.SentAt = d.NextTry.UTC(), d.CreatedAt.UTC(), pgTimePtr(d.SentAt)
		out = append(out, d)
	}
	return out, rows.Err()
}

// UpdateDelivery implements trustmark.VulnTx: it stores the attempts, next
// try, last error and sent time.
func (t *tx) UpdateDelivery(d *trustmark.Delivery) error {
	d.NextTry, d.SentAt = pgTime(d.NextTry), pgTimePtr(d.SentAt)
	if err := d.Validate(); err != nil {
		return err
	}
	tag, err := t.q.Exec(t.ctx, `UPDATE webhook_deliveries SET attempts = $1, next_try = $2, last_error = $3, sent_at = $4 WHERE id = $5`,
		d.Attempts, d.NextTry, d.LastError, d.SentAt, d.ID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return trustmark.Errorf(trustmark.KindNotFound, "delivery %d not found", d.ID)
	}
	return nil
}
