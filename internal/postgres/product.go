package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"trustmark"
)

// CreateProduct implements trustmark.Store.
func (db *DB) CreateProduct(ctx context.Context, p *trustmark.Product) error {
	if err := prepareProduct(p); err != nil {
		return err
	}
	return db.transact(ctx, func(ctx context.Context, q querier) error {
		return insertProduct(ctx, q, p, kindChecker{})
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
		p.CreatedAt = time.Now()
	}
	p.CreatedAt = pgTime(p.CreatedAt)
	return nil
}

// insertProduct stores a prepared product inside q.
func insertProduct(ctx context.Context, q querier, p *trustmark.Product, kinds kindChecker) error {
	if err := kinds.require(ctx, q, "manufacturer_id", p.ManufacturerID, trustmark.OrgManufacturer); err != nil {
		return err
	}
	tag, err := q.Exec(ctx, productInsert, productArgs(p)...)
	if err != nil {
		return err
	}
	return productInserted(tag, p)
}

// productInsert stores a product; a taken ID inserts nothing.
const productInsert = `INSERT INTO products (id, manufacturer_id, name, model_numbers, hardware_version,
	software_version, class, components, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`

func productArgs(p *trustmark.Product) []any {
	models, _ := json.Marshal(p.ModelNumbers)
	components, _ := json.Marshal(p.Components)
	return []any{p.ID, p.ManufacturerID, p.Name, string(models), p.HardwareVersion, p.SoftwareVersion, p.Class,
		string(components), p.CreatedAt}
}

// productInserted turns an insert that did nothing into KindConflict.
func productInserted(tag pgconn.CommandTag, p *trustmark.Product) error {
	if tag.RowsAffected() == 0 {
		return &trustmark.Error{Kind: trustmark.KindConflict, Message: fmt.Sprintf("a product with ID %q already exists", p.ID)}
	}
	return nil
}

// kindChecker checks organization kinds inside a transaction, remembering
// the answers when given a map (for bulk imports).
type kindChecker map[string]trustmark.OrgKind

// require checks inside q that organization id exists and is of kind.
func (kc kindChecker) require(ctx context.Context, q querier, field, id string, kind trustmark.OrgKind) error {
	got, ok := kc[id]
	if !ok {
		err := q.QueryRow(ctx, `SELECT kind FROM organizations WHERE id = $1`, id).Scan(&got)
		if errors.Is(err, pgx.ErrNoRows) {
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
	return scanProduct(db.pool.QueryRow(ctx, `SELECT `+productColumns+` FROM products WHERE id = $1`, id), id)
}

func scanProduct(s scanner, id string) (*trustmark.Product, error) {
	var p trustmark.Product
	var models, components []byte
	err := s.Scan(&p.ID, &p.ManufacturerID, &p.Name, &models, &p.HardwareVersion, &p.SoftwareVersion, &p.Class, &components, &p.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "product %q not found", id)
	}
	if err != nil {
		return nil, storeError(err)
	}
	if err := json.Unmarshal(models, &p.ModelNumbers); err != nil {
		return nil, trustmark.Internal(fmt.Errorf("product %s: model_numbers: %w", p.ID, err))
	}
	if err := json.Unmarshal(components, &p.Components); err != nil {
		return nil, trustmark.Internal(fmt.Errorf("product %s: components: %w", p.ID, err))
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}
