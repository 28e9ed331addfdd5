package postgres

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/unicode/norm"

	"trustmark"
)

// insertRecord stores a new registry record inside q and logs its grant event.
func insertRecord(ctx context.Context, q querier, r *trustmark.RegistryRecord) error {
	args, err := recordArgs(r)
	if err != nil {
		return err
	}
	if _, err = q.Exec(ctx, recordInsert, args...); err != nil {
		return err
	}
	return logEvent(ctx, q, trustmark.EventGrant, r, r.Created)
}

// recordInsert stores a new record at the end of the change sequence
// (the write lock is held: see appendLog).
const recordInsert = `INSERT INTO registry_records (label_id, manufacturer_id, status, product_name,
	manufacturer_name, model_numbers, search, change_seq, doc)
	VALUES ($1, $2, $3, $4, $5, $6, array_to_tsvector($7::text[]),
		(SELECT COALESCE(MAX(change_seq), 0) + 1 FROM registry_records), $8)`

func recordArgs(r *trustmark.RegistryRecord) ([]any, error) {
	doc, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return []any{r.LabelID, r.ManufacturerID, r.Status, r.ProductName, r.ManufacturerName,
		strings.Join(r.VersionAndModelNumbers.ModelNumbers, " "), recordWords(r), string(doc)}, nil
}

// updateRecord rewrites an existing registry record inside q, moves it to
// the end of the change sequence and logs its event.
func updateRecord(ctx context.Context, q querier, r *trustmark.RegistryRecord) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var old trustmark.GrantStatus
	if err := q.QueryRow(ctx, `SELECT status FROM registry_records WHERE label_id = $1`, r.LabelID).Scan(&old); err != nil {
		return err
	}
	if _, err = q.Exec(ctx, `UPDATE registry_records SET status = $1, product_name = $2, manufacturer_name = $3,
		model_numbers = $4, search = array_to_tsvector($5::text[]), doc = $6,
		change_seq = (SELECT MAX(change_seq) + 1 FROM registry_records) WHERE label_id = $7`,
		r.Status, r.ProductName, r.ManufacturerName, strings.Join(r.VersionAndModelNumbers.ModelNumbers, " "),
		recordWords(r), string(doc), r.LabelID); err != nil {
		return err
	}
	// Every change of a record is a logged event: a status change, or a
	// change of the disclosures.
	kind := trustmark.EventDisclosures
	if old != r.Status {
		kind = trustmark.EventStatus
	}
	return logEvent(ctx, q, kind, r, r.Modified)
}

func scanRecord(s scanner, id trustmark.LabelID) (*trustmark.RegistryRecord, error) {
	var doc []byte
	err := s.Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "no registry record with label ID %s", id)
	}
	if err != nil {
		return nil, storeError(err)
	}
	var r trustmark.RegistryRecord
	if err := json.Unmarshal(doc, &r); err != nil {
		return nil, trustmark.Internal(fmt.Errorf("registry record %s: %w", id, err))
	}
	return &r, nil
}

// RegistryRecord implements trustmark.Store.
func (db *DB) RegistryRecord(ctx context.Context, id trustmark.LabelID) (*trustmark.RegistryRecord, error) {
	var doc []byte
	var idx *int64
	err := db.pool.QueryRow(ctx, `SELECT doc, log_index FROM registry_records WHERE label_id = $1`, id).Scan(&doc, &idx)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "no registry record with label ID %s", id)
	}
	if err != nil {
		return nil, storeError(err)
	}
	var r trustmark.RegistryRecord
	if err := json.Unmarshal(doc, &r); err != nil {
		return nil, trustmark.Internal(fmt.Errorf("registry record %s: %w", id, err))
	}
	r.LogIndex = idx
	return &r, nil
}

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
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if strings.TrimSpace(f.Query) != "" {
		tsq := tsQuery(f.Query)
		if tsq == "" {
			return &trustmark.RegistryPage{Items: []trustmark.RegistryRecord{}}, nil
		}
		where = append(where, `search @@ `+arg(tsq)+`::tsquery`)
	}
	if f.Manufacturer != "" {
		where = append(where, `manufacturer_id = `+arg(f.Manufacturer))
	}
	if f.Status != "" {
		where = append(where, `status = `+arg(string(f.Status)))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	page := &trustmark.RegistryPage{Items: []trustmark.RegistryRecord{}}
	if err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM registry_records`+cond, args...).Scan(&page.Total); err != nil {
		return nil, storeError(err)
	}
	if after > 0 {
		where = append(where, `id < `+arg(after))
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// One row more than asked tells whether a next page exists.
	limit := arg(f.Limit + 1)
	rows, err := db.pool.Query(ctx, `SELECT id, doc FROM registry_records`+cond+` ORDER BY id DESC LIMIT `+limit, args...)
	if err != nil {
		return nil, storeError(err)
	}
	defer rows.Close()
	var last int64
	for rows.Next() {
		var id int64
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, storeError(err)
		}
		if len(page.Items) == f.Limit {
			page.NextCursor = encodeCursor(last)
			break
		}
		var r trustmark.RegistryRecord
		if err := json.Unmarshal(doc, &r); err != nil {
			return nil, trustmark.Internal(fmt.Errorf("registry row %d: %w", id, err))
		}
		page.Items = append(page.Items, r)
		last = id
	}
	return page, storeError(rows.Err())
}

// RegistryChanges implements trustmark.Store. Change sequence numbers are
// assigned under the write lock, so a reader never sees a later one before
// an earlier one.
func (db *DB) RegistryChanges(ctx context.Context, after int64, limit int) ([]trustmark.LabelID, int64, error) {
	if limit <= 0 {
		var latest int64
		err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(change_seq), 0) FROM registry_records`).Scan(&latest)
		return nil, latest, storeError(err)
	}
	rows, err := db.pool.Query(ctx, `SELECT label_id, change_seq FROM registry_records WHERE change_seq > $1
		ORDER BY change_seq LIMIT $2`, after, limit)
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

// Search works as internal/sqlite's FTS5 index (unicode61, diacritics
// removed) does: text splits into words of letters and digits, folded to
// lower case without diacritics; a query matches a record when each of its
// words is a prefix of one of the record's words. The store folds the words
// itself and gives PostgreSQL lexemes (array_to_tsvector, a tsquery
// literal), so no text-search configuration or extension is involved.

// searchWord reports whether r belongs to a word.
func searchWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// foldWords splits s into folded words.
func foldWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !searchWord(r) }) {
		var b strings.Builder
		for _, r := range norm.NFD.String(w) {
			if unicode.Is(unicode.Mn, r) {
				continue
			}
			b.WriteRune(unicode.ToLower(r))
		}
		if b.Len() > 0 {
			out = append(out, b.String())
		}
	}
	return out
}

// recordWords returns the distinct folded words a record is found by.
func recordWords(r *trustmark.RegistryRecord) []string {
	seen := map[string]bool{}
	words := []string{}
	for _, s := range []string{r.ProductName, r.ManufacturerName, strings.Join(r.VersionAndModelNumbers.ModelNumbers, " "), string(r.LabelID)} {
		for _, w := range foldWords(s) {
			if !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	return words
}

// tsQuery turns free text into a tsquery literal: every word must appear,
// as a word prefix. Words hold only letters and digits, so quoting them is
// enough to make tsquery operators in the input inert.
func tsQuery(q string) string {
	words := foldWords(q)
	for i, w := range words {
		words[i] = "'" + w + "':*"
	}
	return strings.Join(words, " & ")
}

// Cursors are opaque to clients: "r1." and the last row ID, base64url
// encoded (the same form as internal/sqlite's).
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
