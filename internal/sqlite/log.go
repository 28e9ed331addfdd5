package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"trustmark"
)

// appendLog adds one entry at the next index inside q and returns the index.
// The entry and whatever else q writes commit together, so a state change
// never exists without its log entry or the reverse.
func appendLog(ctx context.Context, q *sql.Tx, labelID trustmark.LabelID, data []byte) (int64, error) {
	var label any
	if labelID != "" {
		label = string(labelID)
	}
	var idx int64
	err := q.QueryRowContext(ctx, `INSERT INTO log_entries (idx, label_id, data)
		VALUES ((SELECT COALESCE(MAX(idx), -1) + 1 FROM log_entries), ?, ?) RETURNING idx`, label, data).Scan(&idx)
	return idx, err
}

// logEvent appends the label event of kind for r and points the record at it.
func logEvent(ctx context.Context, q *sql.Tx, kind trustmark.EventKind, r *trustmark.RegistryRecord, at time.Time) error {
	idx, err := appendLog(ctx, q, r.LabelID, trustmark.NewLabelEvent(kind, r, at).Encode())
	if err != nil {
		return fmt.Errorf("log %s event of %s: %w", kind, r.LabelID, err)
	}
	_, err = q.ExecContext(ctx, `UPDATE registry_records SET log_index = ? WHERE label_id = ?`, idx, r.LabelID)
	return err
}

// AppendLog implements trustmark.Tx.
func (t *tx) AppendLog(labelID trustmark.LabelID, data []byte) (int64, error) {
	if len(data) == 0 || len(data) > 65535 {
		return 0, trustmark.FieldError("entry", "a log entry holds 1 to 65535 bytes")
	}
	return appendLog(t.ctx, t.q, labelID, data)
}

// LogSupportEnded implements trustmark.Tx.
func (t *tx) LogSupportEnded(today trustmark.Date, at time.Time) ([]trustmark.LabelID, error) {
	rows, err := t.q.QueryContext(t.ctx, `SELECT label_id, doc FROM registry_records
		WHERE support_ended_logged = 0 AND json_extract(doc, '$.support_date') < ? ORDER BY id`, string(today))
	if err != nil {
		return nil, err
	}
	var recs []*trustmark.RegistryRecord
	for rows.Next() {
		var id trustmark.LabelID
		r, err := scanRecordRow(rows, &id)
		if err != nil {
			rows.Close()
			return nil, err
		}
		recs = append(recs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var ids []trustmark.LabelID
	for _, r := range recs {
		if err := logEvent(t.ctx, t.q, trustmark.EventSupportEnded, r, at); err != nil {
			return nil, err
		}
		// The record's log index moved: bump its change sequence so caches reload it.
		if _, err := t.q.ExecContext(t.ctx, `UPDATE registry_records SET support_ended_logged = 1,
			change_seq = (SELECT MAX(change_seq) + 1 FROM registry_records) WHERE label_id = ?`, r.LabelID); err != nil {
			return nil, err
		}
		ids = append(ids, r.LabelID)
	}
	return ids, nil
}

func scanRecordRow(rows *sql.Rows, id *trustmark.LabelID) (*trustmark.RegistryRecord, error) {
	var doc string
	if err := rows.Scan(id, &doc); err != nil {
		return nil, err
	}
	return scanRecord(rowOf(doc), *id)
}

// rowOf adapts a value already read to the scanner interface.
type rowOf string

func (r rowOf) Scan(dest ...any) error {
	*(dest[0].(*string)) = string(r)
	return nil
}

// backfillLog gives every record written before the log existed a snapshot
// event, so the log covers the whole registry. It runs once, at open.
func backfillLog(ctx context.Context, w *sql.DB) error {
	var missing int
	if err := w.QueryRowContext(ctx, `SELECT COUNT(*) FROM registry_records WHERE log_index IS NULL`).Scan(&missing); err != nil || missing == 0 {
		return err
	}
	for {
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT label_id, doc FROM registry_records WHERE log_index IS NULL ORDER BY id LIMIT 5000`)
		if err != nil {
			tx.Rollback()
			return err
		}
		var recs []*trustmark.RegistryRecord
		for rows.Next() {
			var id trustmark.LabelID
			r, err := scanRecordRow(rows, &id)
			if err != nil {
				rows.Close()
				tx.Rollback()
				return err
			}
			recs = append(recs, r)
		}
		rows.Close()
		if len(recs) == 0 {
			return tx.Rollback()
		}
		for _, r := range recs {
			if err := logEvent(ctx, tx, trustmark.EventSnapshot, r, r.Modified); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
}

// LogHead returns the current checkpoint: the tree size, root hash and the
// signed note; size 0 and a nil note before the first checkpoint.
func (db *DB) LogHead(ctx context.Context) (int64, [32]byte, []byte, error) {
	var size int64
	var root, note []byte
	err := db.read.QueryRowContext(ctx, `SELECT size, root, note FROM log_checkpoint WHERE id = 1`).Scan(&size, &root, &note)
	var h [32]byte
	if errors.Is(err, sql.ErrNoRows) {
		return 0, h, nil, nil
	}
	if err != nil {
		return 0, h, nil, storeError(err)
	}
	copy(h[:], root)
	return size, h, note, nil
}

// LogSize returns the number of entries sequenced so far (integrated or not).
func (db *DB) LogSize(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx), -1) + 1 FROM log_entries`).Scan(&n)
	return n, storeError(err)
}

// LogEntries returns the entries with indexes start ≤ i < end.
func (db *DB) LogEntries(ctx context.Context, start, end int64) ([][]byte, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT idx, data FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx`, start, end)
	if err != nil {
		return nil, storeError(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return nil, storeError(err)
		}
		if idx != start+int64(len(out)) {
			return nil, trustmark.Internal(fmt.Errorf("log entry %d missing", start+int64(len(out))))
		}
		out = append(out, data)
	}
	return out, storeError(rows.Err())
}

// LabelLog returns the indexes and entries of one label's events, oldest first.
func (db *DB) LabelLog(ctx context.Context, id trustmark.LabelID) ([]int64, [][]byte, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT idx, data FROM log_entries WHERE label_id = ? ORDER BY idx`, string(id))
	if err != nil {
		return nil, nil, storeError(err)
	}
	defer rows.Close()
	var idxs []int64
	var data [][]byte
	for rows.Next() {
		var i int64
		var d []byte
		if err := rows.Scan(&i, &d); err != nil {
			return nil, nil, storeError(err)
		}
		idxs, data = append(idxs, i), append(data, d)
	}
	return idxs, data, storeError(rows.Err())
}

// ReadLogHashes returns the stored hashes at the given indexes.
func (db *DB) ReadLogHashes(ctx context.Context, indexes []int64) ([][32]byte, error) {
	out := make([][32]byte, len(indexes))
	const chunk = 500
	for start := 0; start < len(indexes); start += chunk {
		part := indexes[start:min(start+chunk, len(indexes))]
		args := make([]any, len(part))
		for i, x := range part {
			args[i] = x
		}
		rows, err := db.read.QueryContext(ctx, `SELECT id, hash FROM log_hashes WHERE id IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, storeError(err)
		}
		found := map[int64][]byte{}
		for rows.Next() {
			var id int64
			var h []byte
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				return nil, storeError(err)
			}
			found[id] = h
		}
		rows.Close()
		for i, x := range part {
			h, ok := found[x]
			if !ok || len(h) != 32 {
				return nil, trustmark.Internal(fmt.Errorf("stored hash %d missing", x))
			}
			copy(out[start+i][:], h)
		}
	}
	return out, nil
}

// StoreCheckpoint stores the hashes of newly integrated entries and moves
// the checkpoint from oldSize to newSize, in one transaction. It fails with
// KindConflict, storing nothing, when the checkpoint is no longer at
// oldSize (another integrator moved it first).
func (db *DB) StoreCheckpoint(ctx context.Context, oldSize, newSize int64, ids []int64, hashes [][32]byte, root [32]byte, note []byte) error {
	return db.transact(ctx, func(q *sql.Tx) error {
		var cur int64 = -1
		err := q.QueryRowContext(ctx, `SELECT size FROM log_checkpoint WHERE id = 1`).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			cur = 0
		case err != nil:
			return err
		}
		if cur != oldSize {
			return trustmark.Errorf(trustmark.KindConflict, "checkpoint moved from %d to %d meanwhile", oldSize, cur)
		}
		for i, id := range ids {
			if _, err := q.ExecContext(ctx, `INSERT INTO log_hashes (id, hash) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, id, hashes[i][:]); err != nil {
				return err
			}
		}
		_, err = q.ExecContext(ctx, `INSERT INTO log_checkpoint (id, size, root, note, updated_at) VALUES (1, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note, updated_at = excluded.updated_at`,
			newSize, root[:], note, timeText(time.Now()))
		return err
	})
}
