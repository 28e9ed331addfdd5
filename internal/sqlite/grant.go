package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"trustmark"
)

// IssueGrant implements trustmark.Store.
func (db *DB) IssueGrant(ctx context.Context, g *trustmark.Grant, r *trustmark.RegistryRecord) error {
	if err := prepareGrant(g, r); err != nil {
		return err
	}
	return db.transact(ctx, func(tx *sql.Tx) error {
		return insertGrant(ctx, tx, g, r, kindChecker{})
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
	kinds := kindChecker{}
	return db.transact(ctx, func(tx *sql.Tx) error {
		for i, it := range items {
			if err := insertProduct(ctx, tx, it.Product, kinds); err != nil {
				return fmt.Errorf("import item %d: %w", i, storeError(err))
			}
			if err := insertGrant(ctx, tx, it.Grant, it.Record, kinds); err != nil {
				return fmt.Errorf("import item %d: %w", i, storeError(err))
			}
		}
		return nil
	})
}

// prepareGrant readies a new grant and its record (see trustmark.Grant.Prepare).
func prepareGrant(g *trustmark.Grant, r *trustmark.RegistryRecord) error { return g.Prepare(r) }

// insertGrant stores a prepared grant and its record inside tx.
func insertGrant(ctx context.Context, tx *sql.Tx, g *trustmark.Grant, r *trustmark.RegistryRecord, kinds kindChecker) error {
	var mfr string
	err := tx.QueryRowContext(ctx, `SELECT manufacturer_id FROM products WHERE id = ?`, g.ProductID).Scan(&mfr)
	if errors.Is(err, sql.ErrNoRows) {
		return &trustmark.Error{Kind: trustmark.KindNotFound, Field: "product_id", Message: fmt.Sprintf("product %q not found", g.ProductID)}
	}
	if err != nil {
		return err
	}
	if mfr != g.ManufacturerID || r.ManufacturerID != g.ManufacturerID {
		return &trustmark.Error{Kind: trustmark.KindRule, Field: "manufacturer_id", Message: fmt.Sprintf("product %q belongs to manufacturer %q", g.ProductID, mfr)}
	}
	if err := kinds.require(ctx, tx, "cla_id", g.CLAID, trustmark.OrgCLA); err != nil {
		return err
	}
	if err := kinds.require(ctx, tx, "lab_id", g.LabID, trustmark.OrgLab); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO grants (label_id, product_id, manufacturer_id, cla_id, lab_id, status,
		status_reason, granted_at, status_changed_at, cure_deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.LabelID, g.ProductID, g.ManufacturerID, g.CLAID, g.LabID, g.Status, g.StatusReason,
		timeText(g.GrantedAt), timeText(g.StatusChangedAt), nullTime(g.CureDeadline)); err != nil {
		if trustmark.IsKind(storeError(err), trustmark.KindConflict) {
			return &trustmark.Error{Kind: trustmark.KindConflict, Message: fmt.Sprintf("label ID %s or product %q already has a grant", g.LabelID, g.ProductID), Err: err}
		}
		return err
	}
	return insertRecord(ctx, tx, r)
}

const grantColumns = `label_id, product_id, manufacturer_id, cla_id, lab_id, status, status_reason, granted_at, status_changed_at, cure_deadline`

// Grant implements trustmark.Store.
func (db *DB) Grant(ctx context.Context, id trustmark.LabelID) (*trustmark.Grant, error) {
	return scanGrant(db.read.QueryRowContext(ctx, `SELECT `+grantColumns+` FROM grants WHERE label_id = ?`, id), id)
}

// UpdateGrant implements trustmark.Store.
func (db *DB) UpdateGrant(ctx context.Context, id trustmark.LabelID, at time.Time, fn func(*trustmark.Grant, *trustmark.RegistryRecord) error) (*trustmark.Grant, *trustmark.RegistryRecord, error) {
	var g *trustmark.Grant
	var r *trustmark.RegistryRecord
	err := db.transact(ctx, func(tx *sql.Tx) error {
		var err error
		if g, err = scanGrant(tx.QueryRowContext(ctx, `SELECT `+grantColumns+` FROM grants WHERE label_id = ?`, id), id); err != nil {
			return err
		}
		if r, err = scanRecord(tx.QueryRowContext(ctx, `SELECT doc FROM registry_records WHERE label_id = ?`, id), id); err != nil {
			return err
		}
		if err := fn(g, r); err != nil {
			return err
		}
		if r.LabelID != id || g.LabelID != id {
			return trustmark.FieldError("label_id", "a label ID never changes")
		}
		if err := g.Validate(); err != nil {
			return err
		}
		g.SyncRecord(r)
		r.Modified = at.UTC()
		if err := r.Validate(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE grants SET status = ?, status_reason = ?, status_changed_at = ?, cure_deadline = ?
			WHERE label_id = ?`, g.Status, g.StatusReason, timeText(g.StatusChangedAt), nullTime(g.CureDeadline), id); err != nil {
			return err
		}
		return updateRecord(ctx, tx, r)
	})
	if err != nil {
		return nil, nil, err
	}
	return g, r, nil
}

func scanGrant(s scanner, id trustmark.LabelID) (*trustmark.Grant, error) {
	var g trustmark.Grant
	var granted, changed string
	var cure sql.NullString
	err := s.Scan(&g.LabelID, &g.ProductID, &g.ManufacturerID, &g.CLAID, &g.LabID, &g.Status, &g.StatusReason, &granted, &changed, &cure)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "no grant with label ID %s", id)
	}
	if err != nil {
		return nil, storeError(err)
	}
	if g.GrantedAt, err = parseTime(granted); err != nil {
		return nil, trustmark.Internal(err)
	}
	if g.StatusChangedAt, err = parseTime(changed); err != nil {
		return nil, trustmark.Internal(err)
	}
	if cure.Valid {
		t, err := parseTime(cure.String)
		if err != nil {
			return nil, trustmark.Internal(err)
		}
		g.CureDeadline = &t
	}
	return &g, nil
}

// nullTime stores an optional time as NULL or text.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return timeText(*t)
}
