package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"trustmark"
)

// IssueGrant implements trustmark.Store.
func (db *DB) IssueGrant(ctx context.Context, g *trustmark.Grant, r *trustmark.RegistryRecord) error {
	if err := prepareGrant(g, r); err != nil {
		return err
	}
	return db.transact(ctx, func(ctx context.Context, q querier) error {
		return insertGrant(ctx, q, g, r, kindChecker{})
	})
}

// ImportGrants implements trustmark.Store.
func (db *DB) ImportGrants(ctx context.Context, items []trustmark.GrantImport) error {
	for i, it := range items {
		if it.Product == nil || it.Grant == nil || it.Record == nil {
			return trustmark.Errorf(trustmark.KindInvalid, "import item %d: product, grant and record are all required", i)
		}
		if err := prepareProduct(it.Product); err != nil {
			return fmt.Errorf("import item %d: %w", i, err)
		}
		if it.Grant.ProductID != it.Product.ID {
			return trustmark.Errorf(trustmark.KindInvalid, "import item %d: grant names product %q, not %q", i, it.Grant.ProductID, it.Product.ID)
		}
		if err := prepareGrant(it.Grant, it.Record); err != nil {
			return fmt.Errorf("import item %d: %w", i, err)
		}
	}
	return db.transact(ctx, func(ctx context.Context, q querier) error {
		return importItems(ctx, q, items)
	})
}

// importItems stores prepared import items inside q. The parties are
// checked first, once each; then every item's four statements (product,
// grant, record, log event) go to the server in one pipeline, and their
// results are read in order. The first failure fails the whole import.
func importItems(ctx context.Context, q querier, items []trustmark.GrantImport) error {
	kinds := kindChecker{}
	for i, it := range items {
		g, r := it.Grant, it.Record
		err := kinds.require(ctx, q, "manufacturer_id", it.Product.ManufacturerID, trustmark.OrgManufacturer)
		if err == nil && (g.ManufacturerID != it.Product.ManufacturerID || r.ManufacturerID != g.ManufacturerID) {
			err = &trustmark.Error{Kind: trustmark.KindRule, Field: "manufacturer_id", Message: fmt.Sprintf("product %q belongs to manufacturer %q", g.ProductID, it.Product.ManufacturerID)}
		}
		if err == nil {
			err = kinds.require(ctx, q, "cla_id", g.CLAID, trustmark.OrgCLA)
		}
		if err == nil {
			err = kinds.require(ctx, q, "lab_id", g.LabID, trustmark.OrgLab)
		}
		if err != nil {
			return fmt.Errorf("import item %d: %w", i, storeError(err))
		}
	}
	b := &pgx.Batch{}
	for _, it := range items {
		rec, err := recordArgs(it.Record)
		if err != nil {
			return err
		}
		b.Queue(productInsert, productArgs(it.Product)...)
		b.Queue(grantInsert, grantArgs(it.Grant)...)
		b.Queue(recordInsert, rec...)
		b.Queue(logEventSQL, logEventArgs(trustmark.EventGrant, it.Record, it.Record.Created)...)
	}
	br := q.SendBatch(ctx, b)
	defer br.Close()
	for i, it := range items {
		tag, err := br.Exec()
		if err == nil {
			err = productInserted(tag, it.Product)
		}
		if err == nil {
			tag, err = br.Exec()
			if err == nil {
				err = grantInserted(tag, it.Grant)
			}
		}
		if err == nil {
			_, err = br.Exec()
		}
		if err == nil {
			_, err = br.Exec()
		}
		if err != nil {
			return fmt.Errorf("import item %d: %w", i, storeError(err))
		}
	}
	return br.Close()
}

// prepareGrant readies a new grant and its record (see trustmark.Grant.Prepare),
// its times first truncated to the microseconds PostgreSQL keeps.
func prepareGrant(g *trustmark.Grant, r *trustmark.RegistryRecord) error {
	if g.StatusChangedAt.IsZero() {
		g.StatusChangedAt = g.GrantedAt
	}
	g.GrantedAt, g.StatusChangedAt, g.CureDeadline = pgTime(g.GrantedAt), pgTime(g.StatusChangedAt), pgTimePtr(g.CureDeadline)
	return g.Prepare(r)
}

// insertGrant stores a prepared grant and its record inside q.
func insertGrant(ctx context.Context, q querier, g *trustmark.Grant, r *trustmark.RegistryRecord, kinds kindChecker) error {
	var mfr string
	err := q.QueryRow(ctx, `SELECT manufacturer_id FROM products WHERE id = $1`, g.ProductID).Scan(&mfr)
	if errors.Is(err, pgx.ErrNoRows) {
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "product_id", Message: fmt.Sprintf("product %q not found", g.ProductID)}
	}
	if err != nil {
		return err
	}
	if mfr != g.ManufacturerID || r.ManufacturerID != g.ManufacturerID {
		return &trustmark.Error{Kind: trustmark.KindRule, Field: "manufacturer_id", Message: fmt.Sprintf("product %q belongs to manufacturer %q", g.ProductID, mfr)}
	}
	if err := kinds.require(ctx, q, "cla_id", g.CLAID, trustmark.OrgCLA); err != nil {
		return err
	}
	if err := kinds.require(ctx, q, "lab_id", g.LabID, trustmark.OrgLab); err != nil {
		return err
	}
	tag, err := q.Exec(ctx, grantInsert, grantArgs(g)...)
	if err != nil {
		return err
	}
	if err := grantInserted(tag, g); err != nil {
		return err
	}
	return insertRecord(ctx, q, r)
}

// grantInsert stores a grant; a taken label ID or product inserts nothing.
const grantInsert = `INSERT INTO grants (label_id, product_id, manufacturer_id, cla_id, lab_id, status,
	status_reason, granted_at, status_changed_at, cure_deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
	ON CONFLICT DO NOTHING`

func grantArgs(g *trustmark.Grant) []any {
	return []any{g.LabelID, g.ProductID, g.ManufacturerID, g.CLAID, g.LabID, g.Status, g.StatusReason,
		g.GrantedAt, g.StatusChangedAt, g.CureDeadline}
}

// grantInserted turns an insert that did nothing into KindConflict.
func grantInserted(tag pgconn.CommandTag, g *trustmark.Grant) error {
	if tag.RowsAffected() == 0 {
		return &trustmark.Error{Kind: trustmark.KindConflict, Message: fmt.Sprintf("label ID %s or product %q already has a grant", g.LabelID, g.ProductID)}
	}
	return nil
}

const grantColumns = `label_id, product_id, manufacturer_id, cla_id, lab_id, status, status_reason, granted_at, status_changed_at, cure_deadline`

// Grant implements trustmark.Store.
func (db *DB) Grant(ctx context.Context, id trustmark.LabelID) (*trustmark.Grant, error) {
	return scanGrant(db.pool.QueryRow(ctx, `SELECT `+grantColumns+` FROM grants WHERE label_id = $1`, id), id)
}

// UpdateGrant implements trustmark.Store.
func (db *DB) UpdateGrant(ctx context.Context, id trustmark.LabelID, at time.Time, fn func(*trustmark.Grant, *trustmark.RegistryRecord) error) (*trustmark.Grant, *trustmark.RegistryRecord, error) {
	var g *trustmark.Grant
	var r *trustmark.RegistryRecord
	err := db.transact(ctx, func(ctx context.Context, q querier) error {
		var err error
		if g, err = scanGrant(q.QueryRow(ctx, `SELECT `+grantColumns+` FROM grants WHERE label_id = $1`, id), id); err != nil {
			return err
		}
		if r, err = scanRecord(q.QueryRow(ctx, `SELECT doc FROM registry_records WHERE label_id = $1`, id), id); err != nil {
			return err
		}
		if err := fn(g, r); err != nil {
			return err
		}
		if r.LabelID != id || g.LabelID != id {
			return trustmark.FieldError("label_id", "a label ID never changes")
		}
		r.Modified = at
		return saveGrant(ctx, q, g, r)
	})
	if err != nil {
		return nil, nil, err
	}
	return g, r, nil
}

// saveGrant validates a changed grant and its record (whose Modified is
// set) and stores both, logging the record's event.
func saveGrant(ctx context.Context, q querier, g *trustmark.Grant, r *trustmark.RegistryRecord) error {
	g.GrantedAt, g.StatusChangedAt, g.CureDeadline = pgTime(g.GrantedAt), pgTime(g.StatusChangedAt), pgTimePtr(g.CureDeadline)
	if err := g.Validate(); err != nil {
		return err
	}
	if r.LabelID != g.LabelID {
		return trustmark.FieldError("label_id", "the record's label ID %s differs from the grant's %s", r.LabelID, g.LabelID)
	}
	g.SyncRecord(r)
	r.Modified = pgTime(r.Modified)
	if err := r.Validate(); err != nil {
		return err
	}
	tag, err := q.Exec(ctx, `UPDATE grants SET status = $1, status_reason = $2, status_changed_at = $3, cure_deadline = $4
		WHERE label_id = $5`, g.Status, g.StatusReason, g.StatusChangedAt, g.CureDeadline, g.LabelID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return trustmark.Errorf(trustmark.KindNotFound, "no grant with label ID %s", g.LabelID)
	}
	return updateRecord(ctx, q, r)
}

func scanGrant(s scanner, id trustmark.LabelID) (*trustmark.Grant, error) {
	var g trustmark.Grant
	err := s.Scan(&g.LabelID, &g.ProductID, &g.ManufacturerID, &g.CLAID, &g.LabID, &g.Status, &g.StatusReason,
		&g.GrantedAt, &g.StatusChangedAt, &g.CureDeadline)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "no grant with label ID %s", id)
	}
	if err != nil {
		return nil, storeError(err)
	}
	g.GrantedAt, g.StatusChangedAt, g.CureDeadline = g.GrantedAt.UTC(), g.StatusChangedAt.UTC(), pgTimePtr(g.CureDeadline)
	return &g, nil
}
