package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"trustmark"
)

// CreateOrganization implements trustmark.Store.
func (db *DB) CreateOrganization(ctx context.Context, o *trustmark.Organization) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return db.transact(ctx, func(ctx context.Context, q querier) error {
		err := insertOrganization(ctx, q, o)
		if trustmark.IsKind(err, trustmark.KindConflict) {
			return &trustmark.Error{Kind: trustmark.KindConflict, Message: fmt.Sprintf("an organization with ID %q or a %s named %q already exists", o.ID, o.Kind, o.Name), Err: err}
		}
		return err
	})
}

// insertOrganization validates o, fills its ID and creation time, and
// stores it. A taken ID or kind and name is KindConflict; the statement
// does not fail, so the transaction stays usable.
func insertOrganization(ctx context.Context, q querier, o *trustmark.Organization) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.ID == "" {
		o.ID = newID("org_")
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Now()
	}
	o.CreatedAt = pgTime(o.CreatedAt)
	tag, err := q.Exec(ctx, `INSERT INTO organizations (id, kind, name, contact, website, address, country, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		o.ID, o.Kind, o.Name, o.Contact, o.Website, o.Address, o.Country, o.CreatedAt)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return &trustmark.Error{Kind: trustmark.KindConflict, Message: fmt.Sprintf("a %s named %q already exists", o.Kind, o.Name)}
	}
	return nil
}

const orgColumns = `id, kind, name, contact, website, address, country, created_at`

// Organization implements trustmark.Store.
func (db *DB) Organization(ctx context.Context, id string) (*trustmark.Organization, error) {
	return getOrganization(ctx, db.pool, id)
}

func getOrganization(ctx context.Context, q querier, id string) (*trustmark.Organization, error) {
	o, err := scanOrganization(q.QueryRow(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "organization %q not found", id)
	}
	return o, storeError(err)
}

// ListOrganizations implements trustmark.Store.
func (db *DB) ListOrganizations(ctx context.Context, kind trustmark.OrgKind) ([]trustmark.Organization, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+orgColumns+` FROM organizations
		WHERE $1 = '' OR kind = $1 ORDER BY name, id`, string(kind))
	if err != nil {
		return nil, storeError(err)
	}
	defer rows.Close()
	var out []trustmark.Organization
	for rows.Next() {
		o, err := scanOrganization(rows)
		if err != nil {
			return nil, storeError(err)
		}
		out = append(out, *o)
	}
	return out, storeError(rows.Err())
}

// scanner is what pgx.Row and pgx.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

func scanOrganization(s scanner) (*trustmark.Organization, error) {
	var o trustmark.Organization
	if err := s.Scan(&o.ID, &o.Kind, &o.Name, &o.Contact, &o.Website, &o.Address, &o.Country, &o.CreatedAt); err != nil {
		return nil, err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return &o, nil
}
