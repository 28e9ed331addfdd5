package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"trustmark"
)

// insertRecord stores a new registry record inside tx.
func insertRecord(ctx context.Context, tx *sql.Tx, r *trustmark.RegistryRecord) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, `INSERT INTO registry_records (label_id, manufacturer_id, status, product_name,
		manufacturer_name, model_numbers, change_seq, doc)
		VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM registry_records), ?)`,
		r.LabelID, r.ManufacturerID, r.Status, r.ProductName, r.ManufacturerName,
		strings.Join(r.VersionAndModelNumbers.ModelNumbers, " "), string(doc)); err != nil {
		return err
	}
	return logEvent(ctx, tx, trustmark.EventGrant, r, r.Created)
}

// updateRecord rewrites an existing registry record inside tx and moves it
// to the end of the change sequence.
func updateRecord(ctx context.Context, tx *sql.Tx, r *trustmark.RegistryRecord) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var old trustmark.GrantStatus
	if err := tx.QueryRowContext(ctx, `SELECT status FROM registry_records WHERE label_id = ?`, r.LabelID).Scan(&old); err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, `UPDATE registry_records SET status = ?, product_name = ?, manufacturer_name = ?,
		model_numbers = ?, doc = ?, change_seq = (SELECT MAX(change_seq) + 1 FROM registry_records) WHERE label_id = ?`,
		r.Status, r.ProductName, r.ManufacturerName, strings.Join(r.VersionAndModelNumbers.ModelNumbers, " "), string(doc), r.LabelID); err != nil {
		return err
	}
	// Every change of a record is a logged event: a status change, or a
	// change of the disclosures.
	kind := trustmark.EventDisclosures
	if old != r.Status {
		kind = trustmark.EventStatus
	}
	return logEvent(ctx, tx, kind, r, r.Modified)
}

func scanRecord(s scanner, id trustmark.LabelID) (*trustmark.RegistryRecord, error) {
	var doc string
	err := s.Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "no registry record with label ID %s", id)
	}
	if err != nil {
		return nil, storeError(err)
	}
	var r trustmark.RegistryRecord
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		return nil, trustmark.Internal(fmt.Errorf("registry record %s: %w", id, err))
	}
	return &r, nil
}

// RegistryRecord implements trustmark.Store.
func (db *DB) RegistryRecord(ctx context.Context, id trustmark.LabelID) (*trustmark.RegistryRecord, error) {
	var doc string
	var idx sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT doc, log_index FROM registry_records WHERE label_id = ?`, id).Scan(&doc, &idx)
	if err != nil {
		return scanRecord(errRow{err}, id)
	}
	r, err := scanRecord(rowOf(doc), id)
	if err == nil && idx.Valid {
		r.LogIndex = &idx.Int64
	}
	return r, err
}

// errRow is a scanner that fails with err.
type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

// ListRegistry implements trustmark.Store.
func (db *DB) ListRegistry(ctx context.Context, f trustmark.RegistryFilter) (*trustmark.RegistryPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	after, err := decodeCursor(f.Cursor)
	if err != nil {
		return nil, err
	}
	var where []string
	var args []any
	if strings.TrimSpace(f.Query) != "" {
		match := ftsQuery(f.Query)
		if match == "" {
			return &trustmark.RegistryPage{Items: []trustmark.RegistryRecord{}}, nil
		}
		where = append(where, `id IN (SELECT rowid FROM registry_search WHERE registry_search MATCH ?)`)
		args = append(args, match)
	}
	if f.Manufacturer != "" {
		where = append(where, `manufacturer_id = ?`)
		args = append(args, f.Manufacturer)
	}
	if f.Status != "" {
		where = append(where, `status = ?`)
		args = append(args, f.Status)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	page := &trustmark.RegistryPage{Items: []trustmark.RegistryRecord{}}
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM registry_records`+cond, args...).Scan(&page.Total); err != nil {
		return nil, storeError(err)
	}
	pageCond := cond
	if after > 0 {
		if pageCond == "" {
			pageCond = " WHERE id < ?"
		} else {
			pageCond += " AND id < ?"
		}
		args = append(args, after)
	}
	// One row more than asked tells whether a next page exists.
	args = append(args, f.Limit+1)
	rows, err := db.read.QueryContext(ctx, `SELECT id, doc FROM registry_records`+pageCond+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, storeError(err)
	}
	defer rows.Close()
	var last int64
	for rows.Next() {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, storeError(err)
		}
		if len(page.Items) == f.Limit {
			page.NextCursor = encodeCursor(last)
			break
		}
		var r trustmark.RegistryRecord
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			return nil, trustmark.Internal(fmt.Errorf("registry row %d: %w", id, err))
		}
		page.Items = append(page.Items, r)
		last = id
	}
	return page, storeError(rows.Err())
}

// RegistryChanges implements trustmark.Store.
func (db *DB) RegistryChanges(ctx context.Context, after int64, limit int) ([]trustmark.LabelID, int64, error) {
	if limit <= 0 {
		var latest int64
		err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(change_seq), 0) FROM registry_records`).Scan(&latest)
		return nil, latest, storeError(err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT label_id, change_seq FROM registry_records WHERE change_seq > ?
		ORDER BY change_seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, after, storeError(err)
	}
	defer rows.Close()
	var ids []trustmark.LabelID
	next := after
	for rows.Next() {
		var id trustmark.LabelID
		if err := rows.Scan(&id, &next); err != nil {
			return nil, after, storeError(err)
		}
		ids = append(ids, id)
	}
	return ids, next, storeError(rows.Err())
}

// ftsQuery turns free text into an FTS5 query: every word must appear, as a
// word prefix. Words are quoted, so FTS5 operators in the input are inert.
func ftsQuery(q string) string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		words[i] = `"` + w + `"*`
	}
	return strings.Join(words, " ")
}

// Cursors are opaque to clients: "r1." and the last row ID, base64url encoded.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("r1." + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if s, ok := strings.CutPrefix(string(b), "r1."); ok {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
				return id, nil
			}
		}
	}
	return 0, trustmark.FieldError("cursor", "is not a cursor from this registry; pass next_cursor from a previous page")
}
