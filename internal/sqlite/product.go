package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"trustmark"
)

// CreateProduct implements trustmark.Store.
func (db *DB) CreateProduct(ctx context.Context, p *trustmark.Product) error {
	if err := prepareProduct(p); err != nil {
		return err
	}
	return db.transact(ctx, func(tx *sql.Tx) error {
		return insertProduct(ctx, tx, p, kindChecker{})
	})
}

// prepareProduct validates p and fills its ID and creation time.
func prepareProduct(p *trustmark.Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.ID == "" {
		p.ID = newID("prd_")
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now().UTC()
	}
	return nil
}

// insertProduct stores a prepared product inside tx.
func insertProduct(ctx context.Context, tx *sql.Tx, p *trustmark.Product, kinds kindChecker) error {
	if err := kinds.require(ctx, tx, "manufacturer_id", p.ManufacturerID, trustmark.OrgManufacturer); err != nil {
		return err
	}
	models, _ := json.Marshal(p.ModelNumbers)
	components, _ := json.Marshal(p.Components)
	_, err := tx.ExecContext(ctx, `INSERT INTO products (id, manufacturer_id, name, model_numbers, hardware_version,
		software_version, class, components, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.ManufacturerID, p.Name, string(models), p.HardwareVersion, p.SoftwareVersion, p.Class,
		string(components), timeText(p.CreatedAt))
	if trustmark.IsKind(storeError(err), trustmark.KindConflict) {
		return &trustmark.Error{Kind: trustmark.KindConflict, Message: fmt.Sprintf("a product with ID %q already exists", p.ID), Err: err}
	}
	return err
}

// kindChecker checks organization kinds inside a transaction, remembering
// the answers when given a map (for bulk imports).
type kindChecker map[string]trustmark.OrgKind

// require checks inside tx that organization id exists and is of kind.
func (kc kindChecker) require(ctx context.Context, tx *sql.Tx, field, id string, kind trustmark.OrgKind) error {
	got, ok := kc[id]
	if !ok {
		err := tx.QueryRowContext(ctx, `SELECT kind FROM organizations WHERE id = ?`, id).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			return &trustmark.Error{Kind: trustmark.KindNotFound, Field: field, Message: fmt.Sprintf("organization %q not found", id)}
		}
		if err != nil {
			return err
		}
		if kc != nil {
			kc[id] = got
		}
	}
	if got != kind {
		return &trustmark.Error{Kind: trustmark.KindRule, Field: field, Message: fmt.Sprintf("organization %q is a %s, not a %s", id, got, kind)}
	}
	return nil
}

const productColumns = `id, manufacturer_id, name, model_numbers, hardware_version, software_version, class, components, created_at`

// Product implements trustmark.Store.
func (db *DB) Product(ctx context.Context, id string) (*trustmark.Product, error) {
	return scanProduct(db.read.QueryRowContext(ctx, `SELECT `+productColumns+` FROM products WHERE id = ?`, id), id)
}

func scanProduct(s scanner, id string) (*trustmark.Product, error) {
	var p trustmark.Product
	var models, components, created string
	err := s.Scan(&p.ID, &p.ManufacturerID, &p.Name, &models, &p.HardwareVersion, &p.SoftwareVersion, &p.Class, &components, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "product %q not found", id)
	}
	if err != nil {
		return nil, storeError(err)
	}
	if err := json.Unmarshal([]byte(models), &p.ModelNumbers); err != nil {
		return nil, trustmark.Internal(fmt.Errorf("product %s: model_numbers: %w", p.ID, err))
	}
	if err := json.Unmarshal([]byte(components), &p.Components); err != nil {
		return nil, trustmark.Internal(fmt.Errorf("product %s: components: %w", p.ID, err))
	}
	if p.CreatedAt, err = parseTime(created); err != nil {
		return nil, trustmark.Internal(fmt.Errorf("product %s: created_at: %w", p.ID, err))
	}
	return &p, nil
}
