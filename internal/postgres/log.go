package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"trustmark"
)

// appendLog adds one entry at the next index inside q and returns the
// index. q must hold the write lock (every write transaction does, see
// runBatch): that is what makes MAX(idx) + 1 the next index on every server.
func appendLog(ctx context.Context, q querier, labelID trustmark.LabelID, data []byte) (int64, error) {
	var label *string
	if labelID != "" {
		s := string(labelID)
		label = &s
	}
	var idx int64
	err := q.QueryRow(ctx, `INSERT INTO log_entries (idx, label_id, data)
		VALUES ((SELECT COALESCE(MAX(idx), -1) + 1 FROM log_entries), $1, $2) RETURNING idx`, label, data).Scan(&idx)
	return idx, err
}

// logEvent appends the label event of kind for r and points the record at
// it, in one statement.
func logEvent(ctx context.Context, q querier, kind trustmark.EventKind, r *trustmark.RegistryRecord, at time.Time) error {
	tag, err := q.Exec(ctx, logEventSQL, logEventArgs(kind, r, at)...)
	if err == nil && tag.RowsAffected() != 1 {
		err = trustmark.Errorf(trustmark.KindNotFound, "no registry record with label ID %s", r.LabelID)
	}
	if err != nil {
		return fmt.Errorf("log %s event of %s: %w", kind, r.LabelID, err)
	}
	return nil
}

// logEventSQL appends a label event and points the label's record at it.
const logEventSQL = `WITH e AS (
		INSERT INTO log_entries (idx, label_id, data)
		VALUES ((SELECT COALESCE(MAX(idx), -1) + 1 FROM log_entries), $1, $2) RETURNING idx)
	UPDATE registry_records SET log_index = e.idx FROM e WHERE label_id = $1`

func logEventArgs(kind trustmark.EventKind, r *trustmark.RegistryRecord, at time.Time) []any {
	return []any{string(r.LabelID), trustmark.NewLabelEvent(kind, r, at).Encode()}
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
	rows, err := t.q.Query(t.ctx, `SELECT label_id, doc FROM registry_records
		WHERE NOT support_ended_logged AND doc ->> 'support_date' < $1 ORDER BY id`, string(today))
	if err != nil {
		return nil, err
	}
	var recs []*trustmark.RegistryRecord
	for rows.Next() {
		var id trustmark.LabelID
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			rows.Close()
			return nil, err
		}
		r, err := scanRecord(rawDoc(doc), id)
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
		if _, err := t.q.Exec(t.ctx, `UPDATE registry_records SET support_ended_logged = true,
			change_seq = (SELECT MAX(change_seq) + 1 FROM registry_records) WHERE label_id = $1`, r.LabelID); err != nil {
			return nil, err
		}
		ids = append(ids, r.LabelID)
	}
	return ids, nil
}

// rawDoc adapts a document already read to the scanner interface.
type rawDoc []byte

func (d rawDoc) Scan(dest ...any) error {
	*(dest[0].(*[]byte)) = d
	return nil
}

// LogHead returns the current checkpoint: the tree size, root hash and the
// signed note; size 0 and a nil note before the first checkpoint.
func (db *DB) LogHead(ctx context.Context) (int64, [32]byte, []byte, error) {
	var size int64
	var root, note []byte
	err := db.pool.QueryRow(ctx, `SELECT size, root, note FROM log_checkpoint WHERE id = 1`).Scan(&size, &root, &note)
	var h [32]byte
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(idx), -1) + 1 FROM log_entries`).Scan(&n)
	return n, storeError(err)
}

// LogEntries returns the entries with indexes start ≤ i < end.
func (db *DB) LogEntries(ctx context.Context, start, end int64) ([][]byte, error) {
	rows, err := db.pool.Query(ctx, `SELECT idx, data FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, start, end)
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
	rows, err := db.pool.Query(ctx, `SELECT idx, data FROM log_entries WHERE label_id = $1 ORDER BY idx`, string(id))
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
	if len(indexes) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id, hash FROM log_hashes WHERE id = ANY($1)`, indexes)
	if err != nil {
		return nil, storeError(err)
	}
	defer rows.Close()
	found := make(map[int64][]byte, len(indexes))
	for rows.Next() {
		var id int64
		var h []byte
		if err := rows.Scan(&id, &h); err != nil {
			return nil, storeError(err)
		}
		found[id] = h
	}
	if err := rows.Err(); err != nil {
		return nil, storeError(err)
	}
	for i, x := range indexes {
		h, ok := found[x]
		if !ok || len(h) != 32 {
			return nil, trustmark.Internal(fmt.Errorf("stored hash %d missing", x))
		}
		copy(out[i][:], h)
	}
	return out, nil
}

// StoreCheckpoint stores the hashes of newly integrated entries and moves
// the checkpoint from oldSize to newSize, in one transaction. The
// checkpoint row is locked (SELECT … FOR UPDATE) for the compare-and-swap,
// so of several servers integrating at once exactly one moves it from
// oldSize; the others get KindConflict, storing nothing. It does not take
// the write lock: integration never waits for writers.
func (db *DB) StoreCheckpoint(ctx context.Context, oldSize, newSize int64, ids []int64, hashes [][32]byte, root [32]byte, note []byte) error {
	err := pgx.BeginFunc(ctx, db.pool, func(q pgx.Tx) error {
		var cur int64
		err := q.QueryRow(ctx, `SELECT size FROM log_checkpoint WHERE id = 1 FOR UPDATE`).Scan(&cur)
		first := errors.Is(err, pgx.ErrNoRows)
		if err != nil && !first {
			return err
		}
		if cur != oldSize {
			return trustmark.Errorf(trustmark.KindConflict, "checkpoint moved from %d to %d meanwhile", oldSize, cur)
		}
		if len(ids) > 0 {
			hs := make([][]byte, len(hashes))
			for i := range hashes {
				hs[i] = hashes[i][:]
			}
			if _, err := q.Exec(ctx, `INSERT INTO log_hashes (id, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])
				ON CONFLICT (id) DO NOTHING`, ids, hs); err != nil {
				return err
			}
		}
		if first {
			// No row to lock yet: of two first checkpoints, the second insert does nothing.
			tag, err := q.Exec(ctx, `INSERT INTO log_checkpoint (id, size, root, note, updated_at) VALUES (1, $1, $2, $3, now())
				ON CONFLICT (id) DO NOTHING`, newSize, root[:], note)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return trustmark.Errorf(trustmark.KindConflict, "the first checkpoint was stored meanwhile")
			}
			return nil
		}
		_, err = q.Exec(ctx, `UPDATE log_checkpoint SET size = $1, root = $2, note = $3, updated_at = now() WHERE id = 1`,
			newSize, root[:], note)
		return err
	})
	return storeError(err)
}
