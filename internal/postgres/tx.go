package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"trustmark"
)

// tx implements trustmark.Tx on one PostgreSQL transaction (a savepoint of
// a group-committed batch, or a read-only snapshot).
type tx struct {
	ctx   context.Context
	q     querier
	kinds kindChecker
}

var _ trustmark.Tx = (*tx)(nil)

// Transact implements trustmark.Store.
func (db *DB) Transact(ctx context.Context, fn func(trustmark.Tx) error) error {
	return db.transact(ctx, func(ctx context.Context, q querier) error {
		return fn(&tx{ctx: ctx, q: q, kinds: kindChecker{}})
	})
}

// View implements trustmark.Store: a REPEATABLE READ, READ ONLY transaction,
// so every read inside sees one snapshot and writes fail.
func (db *DB) View(ctx context.Context, fn func(trustmark.Tx) error) error {
	q, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return storeError(err)
	}
	defer q.Rollback(context.WithoutCancel(ctx))
	return storeError(fn(&tx{ctx: ctx, q: q, kinds: kindChecker{}}))
}

// insertDoc inserts a row of the given columns plus the JSON of doc. A
// row whose key or unique columns are taken is KindConflict; the statement
// does not fail, so the transaction stays usable.
func (t *tx) insertDoc(table string, cols []string, vals []any, doc any, what string) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	marks := make([]string, len(cols)+1)
	for i := range marks {
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	tag, err := t.q.Exec(t.ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`, doc) VALUES (`+strings.Join(marks, ", ")+`)
		ON CONFLICT DO NOTHING`, append(vals, string(b))...)
	if err != nil {
		return docError(err, what)
	}
	if tag.RowsAffected() == 0 {
		return &trustmark.Error{Kind: trustmark.KindConflict, Message: what + " already exists"}
	}
	return nil
}

// updateDoc rewrites the row with the given key.
func (t *tx) updateDoc(table, key string, id any, cols []string, vals []any, doc any, what string) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	set := ""
	for i, c := range cols {
		set += c + " = $" + strconv.Itoa(i+1) + ", "
	}
	n := len(cols)
	tag, err := t.q.Exec(t.ctx, `UPDATE `+table+` SET `+set+`doc = $`+strconv.Itoa(n+1)+` WHERE `+key+` = $`+strconv.Itoa(n+2),
		append(append(vals, string(b)), id)...)
	if err != nil {
		return docError(err, what)
	}
	if tag.RowsAffected() == 0 {
		return trustmark.Errorf(trustmark.KindNotFound, "%s not found", what)
	}
	return nil
}

// getDoc reads the JSON doc of one row into out.
func (t *tx) getDoc(query string, arg any, out any, what string) error {
	var doc []byte
	err := t.q.QueryRow(t.ctx, query, arg).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return trustmark.Errorf(trustmark.KindNotFound, "%s not found", what)
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(doc, out); err != nil {
		return trustmark.Internal(fmt.Errorf("%s: %w", what, err))
	}
	return nil
}

// listDocs reads the JSON docs a query returns.
func listDocs[T any](t *tx, query string, args ...any) ([]T, error) {
	rows, err := t.q.Query(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, trustmark.Internal(err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// docError names the thing a constraint violation was about.
func docError(err error, what string) error {
	if err == nil {
		return nil
	}
	e := storeError(err)
	switch trustmark.KindOf(e) {
	case trustmark.KindConflict:
		return &trustmark.Error{Kind: trustmark.KindConflict, Message: what + " already exists", Err: err}
	case trustmark.KindNotFound:
		return &trustmark.Error{Kind: trustmark.KindNotFound, Message: what + " refers to something that does not exist", Err: err}
	}
	return e
}

// filter builds a WHERE clause from the non-empty conditions, numbering
// parameters from 1, in the order of cols.
type filter struct {
	parts []string
	args  []any
}

// eq adds "col = value" unless value is "".
func (f *filter) eq(col string, value string) {
	if value != "" {
		f.add(col+" = ", value)
	}
}

// add adds a condition ending in a parameter.
func (f *filter) add(prefix string, value any) {
	f.args = append(f.args, value)
	f.parts = append(f.parts, prefix+"$"+strconv.Itoa(len(f.args)))
}

// where returns the clause, or "" for no conditions.
func (f *filter) where() string {
	if len(f.parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.parts, " AND ")
}

// next returns the placeholder of one more parameter.
func (f *filter) next(value any) string {
	f.args = append(f.args, value)
	return "$" + strconv.Itoa(len(f.args))
}

// Organizations.

func (t *tx) CreateOrganization(o *trustmark.Organization) error {
	return insertOrganization(t.ctx, t.q, o)
}

func (t *tx) Organization(id string) (*trustmark.Organization, error) {
	return getOrganization(t.ctx, t.q, id)
}

// Tokens.

func (t *tx) CreateToken(tok *trustmark.Token) error {
	if tok.ID == "" {
		tok.ID = newID("tok_")
	}
	if err := tok.Validate(); err != nil {
		return err
	}
	return t.insertDoc("tokens", []string{"id", "org_id", "hash"}, []any{tok.ID, tok.OrgID, tok.Hash}, tokenDoc(tok), "token")
}

// storedToken keeps the hash in the JSON doc too, which Token's tag hides.
type storedToken struct {
	trustmark.Token
	Hash []byte `json:"hash"`
}

func tokenDoc(tok *trustmark.Token) storedToken { return storedToken{Token: *tok, Hash: tok.Hash} }

func (t *tx) readToken(query string, arg any, what string) (*trustmark.Token, error) {
	var st storedToken
	if err := t.getDoc(query, arg, &st, what); err != nil {
		return nil, err
	}
	st.Token.Hash = st.Hash
	return &st.Token, nil
}

func (t *tx) Token(id string) (*trustmark.Token, error) {
	return t.readToken(`SELECT doc FROM tokens WHERE id = $1`, id, "token "+id)
}

func (t *tx) TokenByHash(hash []byte) (*trustmark.Token, error) {
	return t.readToken(`SELECT doc FROM tokens WHERE hash = $1`, hash, "token")
}

func (t *tx) Tokens(orgID string) ([]trustmark.Token, error) {
	sts, err := listDocs[storedToken](t, `SELECT doc FROM tokens WHERE org_id = $1 ORDER BY id`, orgID)
	out := make([]trustmark.Token, len(sts))
	for i, st := range sts {
		out[i] = st.Token
	}
	return out, err
}

func (t *tx) RevokeToken(id string, at time.Time) error {
	tok, err := t.Token(id)
	if err != nil {
		return err
	}
	if tok.RevokedAt != nil {
		return nil
	}
	at = at.UTC()
	tok.RevokedAt = &at
	return t.updateDoc("tokens", "id", id, nil, nil, tokenDoc(tok), "token "+id)
}

// Labs.

func (t *tx) PutLab(l *trustmark.LabRecognition) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if err := t.kinds.require(t.ctx, t.q, "organization_id", l.OrgID, trustmark.OrgLab); err != nil {
		return err
	}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	_, err = t.q.Exec(t.ctx, `INSERT INTO labs (org_id, status, doc) VALUES ($1, $2, $3)
		ON CONFLICT (org_id) DO UPDATE SET status = excluded.status, doc = excluded.doc`, l.OrgID, l.Status, string(b))
	return err
}

func (t *tx) Lab(orgID string) (*trustmark.LabRecognition, error) {
	var l trustmark.LabRecognition
	return &l, t.getDoc(`SELECT doc FROM labs WHERE org_id = $1`, orgID, &l, "lab recognition of "+orgID)
}

func (t *tx) Labs() ([]trustmark.LabRecognition, error) {
	return listDocs[trustmark.LabRecognition](t, `SELECT l.doc FROM labs l JOIN organizations o ON o.id = l.org_id ORDER BY o.name, o.id`)
}

// Products.

func (t *tx) CreateProduct(p *trustmark.Product) error {
	if err := prepareProduct(p); err != nil {
		return err
	}
	return insertProduct(t.ctx, t.q, p, t.kinds)
}

func (t *tx) Product(id string) (*trustmark.Product, error) {
	return scanProduct(t.q.QueryRow(t.ctx, `SELECT `+productColumns+` FROM products WHERE id = $1`, id), id)
}

func (t *tx) Products(manufacturerID string) ([]trustmark.Product, error) {
	rows, err := t.q.Query(t.ctx, `SELECT `+productColumns+` FROM products WHERE manufacturer_id = $1 ORDER BY created_at, id`, manufacturerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []trustmark.Product{}
	for rows.Next() {
		p, err := scanProduct(rows, "")
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// Applications.

func (t *tx) CreateApplication(a *trustmark.Application) error {
	if a.ID == "" {
		a.ID = newID("app_")
	}
	if err := a.Validate(); err != nil {
		return err
	}
	return t.insertDoc("applications", []string{"id", "manufacturer_id", "product_id", "cla_id", "lab_id", "state"},
		[]any{a.ID, a.ManufacturerID, a.ProductID, a.CLAID, a.LabID, a.State}, a, "application "+a.ID)
}

func (t *tx) Application(id string) (*trustmark.Application, error) {
	var a trustmark.Application
	return &a, t.getDoc(`SELECT doc FROM applications WHERE id = $1`, id, &a, "application "+id)
}

func (t *tx) UpdateApplication(a *trustmark.Application) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return t.updateDoc("applications", "id", a.ID, []string{"state", "lab_id", "cla_id"}, []any{a.State, a.LabID, a.CLAID}, a, "application "+a.ID)
}

func (t *tx) Applications(f trustmark.ApplicationFilter) ([]trustmark.Application, error) {
	var w filter
	w.eq("cla_id", f.CLAID)
	w.eq("lab_id", f.LabID)
	w.eq("manufacturer_id", f.ManufacturerID)
	w.eq("product_id", f.ProductID)
	w.eq("state", string(f.State))
	return listDocs[trustmark.Application](t, `SELECT doc FROM applications`+w.where()+` ORDER BY seq`, w.args...)
}

// Reports and evidence.

func (t *tx) CreateReport(r *trustmark.TestReport) error {
	if r.ID == "" {
		r.ID = newID("rep_")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	// The report row keeps the evidence's metadata; the evidence table keeps
	// each file's content beside the same metadata.
	stored := *r
	stored.Results = make([]trustmark.ReportResult, len(r.Results))
	for i := range r.Results {
		res := r.Results[i]
		res.Evidence = make([]trustmark.Evidence, len(r.Results[i].Evidence))
		for j := range r.Results[i].Evidence {
			e := &r.Results[i].Evidence[j]
			e.ID = newID("evd_") // always ours: a client cannot pick another report's ID
			res.Evidence[j] = *e
			res.Evidence[j].Content = nil
		}
		stored.Results[i] = res
	}
	if err := t.insertDoc("reports", []string{"id", "application_id", "lab_id"}, []any{r.ID, r.ApplicationID, r.LabID}, stored, "report "+r.ID); err != nil {
		return err
	}
	for i := range stored.Results {
		for j, meta := range stored.Results[i].Evidence {
			if err := t.insertDoc("evidence", []string{"id", "report_id", "sha256", "content"},
				[]any{meta.ID, r.ID, meta.SHA256, r.Results[i].Evidence[j].Content}, meta, "evidence "+meta.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *tx) Reports(applicationID string) ([]trustmark.TestReport, error) {
	return listDocs[trustmark.TestReport](t, `SELECT doc FROM reports WHERE application_id = $1 ORDER BY seq`, applicationID)
}

func (t *tx) Evidence(id string) (*trustmark.Evidence, error) {
	var e trustmark.Evidence
	var doc []byte
	err := t.q.QueryRow(t.ctx, `SELECT doc, content FROM evidence WHERE id = $1`, id).Scan(&doc, &e.Content)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "evidence %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	content := e.Content
	if err := json.Unmarshal(doc, &e); err != nil {
		return nil, trustmark.Internal(err)
	}
	e.Content = content
	return &e, nil
}

// Grants.

func (t *tx) IssueGrant(g *trustmark.Grant, r *trustmark.RegistryRecord) error {
	if err := prepareGrant(g, r); err != nil {
		return err
	}
	return insertGrant(t.ctx, t.q, g, r, t.kinds)
}

func (t *tx) Grant(id trustmark.LabelID) (*trustmark.Grant, error) {
	return scanGrant(t.q.QueryRow(t.ctx, `SELECT `+grantColumns+` FROM grants WHERE label_id = $1`, id), id)
}

func (t *tx) RegistryRecord(id trustmark.LabelID) (*trustmark.RegistryRecord, error) {
	return scanRecord(t.q.QueryRow(t.ctx, `SELECT doc FROM registry_records WHERE label_id = $1`, id), id)
}

func (t *tx) SaveGrant(g *trustmark.Grant, r *trustmark.RegistryRecord) error {
	return saveGrant(t.ctx, t.q, g, r)
}

func (t *tx) Grants(f trustmark.GrantFilter) ([]trustmark.Grant, error) {
	var w filter
	w.eq("cla_id", f.CLAID)
	w.eq("manufacturer_id", f.ManufacturerID)
	w.eq("status", string(f.Status))
	if !f.CureBefore.IsZero() {
		w.parts = append(w.parts, "status = 'suspended'")
		w.add("cure_deadline < ", pgTime(f.CureBefore))
	}
	rows, err := t.q.Query(t.ctx, `SELECT `+grantColumns+` FROM grants`+w.where()+` ORDER BY label_id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []trustmark.Grant{}
	for rows.Next() {
		g, err := scanGrant(rows, "")
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	return out, rows.Err()
}

// Surveillance.

func (t *tx) CreatePlan(p *trustmark.SurveillancePlan) error {
	if p.ID == "" {
		p.ID = newID("pln_")
	}
	err := t.insertDoc("surveillance_plans", []string{"id", "cla_id", "year"}, []any{p.ID, p.CLAID, p.Year}, p, "surveillance plan")
	if trustmark.IsKind(err, trustmark.KindConflict) {
		return &trustmark.Error{Kind: trustmark.KindConflict, Message: fmt.Sprintf("a surveillance plan for %d already exists for this CLA", p.Year), Err: err}
	}
	return err
}

func (t *tx) Plans(claID string) ([]trustmark.SurveillancePlan, error) {
	return listDocs[trustmark.SurveillancePlan](t, `SELECT doc FROM surveillance_plans WHERE cla_id = $1 ORDER BY year`, claID)
}

func (t *tx) CreateSample(s *trustmark.Sample) error {
	if s.ID == "" {
		s.ID = newID("smp_")
	}
	return t.insertDoc("samples", []string{"id", "plan_id", "cla_id", "manufacturer_id", "label_id"},
		[]any{s.ID, s.PlanID, s.CLAID, s.ManufacturerID, s.LabelID}, s, "sample "+s.ID)
}

func (t *tx) Sample(id string) (*trustmark.Sample, error) {
	var s trustmark.Sample
	return &s, t.getDoc(`SELECT doc FROM samples WHERE id = $1`, id, &s, "sample "+id)
}

func (t *tx) UpdateSample(s *trustmark.Sample) error {
	return t.updateDoc("samples", "id", s.ID, nil, nil, s, "sample "+s.ID)
}

func (t *tx) Samples(f trustmark.SampleFilter) ([]trustmark.Sample, error) {
	var w filter
	w.eq("cla_id", f.CLAID)
	w.eq("label_id", string(f.LabelID))
	w.eq("manufacturer_id", f.ManufacturerID)
	w.eq("plan_id", f.PlanID)
	return listDocs[trustmark.Sample](t, `SELECT doc FROM samples`+w.where()+` ORDER BY seq`, w.args...)
}

// Complaints.

func (t *tx) CreateComplaint(c *trustmark.Complaint) error {
	if c.ID == "" {
		c.ID = newID("cmp_")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return t.insertDoc("complaints", []string{"id", "cla_id", "manufacturer_id", "state"}, []any{c.ID, c.CLAID, c.ManufacturerID, c.State}, c, "complaint "+c.ID)
}

func (t *tx) Complaint(id string) (*trustmark.Complaint, error) {
	var c trustmark.Complaint
	return &c, t.getDoc(`SELECT doc FROM complaints WHERE id = $1`, id, &c, "complaint "+id)
}

func (t *tx) UpdateComplaint(c *trustmark.Complaint) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return t.updateDoc("complaints", "id", c.ID, []string{"state"}, []any{c.State}, c, "complaint "+c.ID)
}

func (t *tx) Complaints(f trustmark.ComplaintFilter) ([]trustmark.Complaint, error) {
	var w filter
	w.eq("cla_id", f.CLAID)
	w.eq("manufacturer_id", f.ManufacturerID)
	w.eq("state", string(f.State))
	return listDocs[trustmark.Complaint](t, `SELECT doc FROM complaints`+w.where()+` ORDER BY seq`, w.args...)
}

// Renewal policies.

func (t *tx) PutRenewalPolicy(p *trustmark.RenewalPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = t.q.Exec(t.ctx, `INSERT INTO renewal_policies (class, doc) VALUES ($1, $2)
		ON CONFLICT (class) DO UPDATE SET doc = excluded.doc`, p.Class, string(b))
	return err
}

func (t *tx) RenewalPolicies() ([]trustmark.RenewalPolicy, error) {
	return listDocs[trustmark.RenewalPolicy](t, `SELECT doc FROM renewal_policies ORDER BY class`)
}

// Audit.

func (t *tx) Audit(e *trustmark.AuditEntry) error {
	if e.At.IsZero() || e.Action == "" || e.Subject == "" {
		return trustmark.Internal(fmt.Errorf("audit entry needs a time, an action and a subject: %+v", e))
	}
	e.At = e.At.UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return t.q.QueryRow(t.ctx, `INSERT INTO audit_log (subject, doc) VALUES ($1, $2) RETURNING seq`, e.Subject, string(b)).Scan(&e.Seq)
}

func (t *tx) AuditEntries(f trustmark.AuditFilter) ([]trustmark.AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var w filter
	w.eq("subject", f.Subject)
	if f.Before > 0 {
		w.add("seq < ", f.Before)
	}
	rows, err := t.q.Query(t.ctx, `SELECT seq, doc FROM audit_log`+w.where()+` ORDER BY seq DESC LIMIT `+w.next(f.Limit), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []trustmark.AuditEntry{}
	for rows.Next() {
		var seq int64
		var doc []byte
		if err := rows.Scan(&seq, &doc); err != nil {
			return nil, err
		}
		var e trustmark.AuditEntry
		if err := json.Unmarshal(doc, &e); err != nil {
			return nil, trustmark.Internal(err)
		}
		e.Seq = seq
		out = append(out, e)
	}
	return out, rows.Err()
}
