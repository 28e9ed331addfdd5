package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"trustmark"
)

// CreateOrganization implements trustmark.Store.
func (db *DB) CreateOrganization(ctx context.Context, o *trustmark.Organization) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.ID == "" {
		o.ID = newID("org_")
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Now().UTC()
	}
	err := db.transact(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO organizations (id, kind, name, contact, website, address, country, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			o.ID, o.Kind, o.Name, o.Contact, o.Website, o.Address, o.Country, timeText(o.CreatedAt))
		return err
	})
	if trustmark.IsKind(err, trustmark.KindConflict) {
		return &trustmark.Error{Kind: trustmark.KindConflict, Message: fmt.Sprintf("an organization with ID %q or a %s named %q already exists", o.ID, o.Kind, o.Name), Err: err}
	}
	return err
}

const orgColumns = `id, kind, name, contact, website, address, country, created_at`

// Organization implements trustmark.Store.
func (db *DB) Organization(ctx context.Context, id string) (*trustmark.Organization, error) {
	o, err := scanOrganization(db.read.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "organization %q not found", id)
	}
	return o, storeError(err)
}

// ListOrganizations implements trustmark.Store.
func (db *DB) ListOrganizations(ctx context.Context, kind trustmark.OrgKind) ([]trustmark.Organization, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+orgColumns+` FROM organizations
		WHERE ? = '' OR kind = ? ORDER BY name, id`, kind, kind)
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

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

func scanOrganization(s scanner) (*trustmark.Organization, error) {
	var o trustmark.Organization
	var created string
	if err := s.Scan(&o.ID, &o.Kind, &o.Name, &o.Contact, &o.Website, &o.Address, &o.Country, &created); err != nil {
		return nil, err
	}
	t, err := parseTime(created)
	if err != nil {
		return nil, fmt.Errorf("organization %s: created_at: %w", o.ID, err)
	}
	o.CreatedAt = t
	return &o, nil
}
