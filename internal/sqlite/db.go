// Package sqlite implements trustmark.Store on an embedded SQLite database
// (modernc.org/sqlite, pure Go, no cgo) in WAL mode.
//
// Writes go through one connection whose transactions start IMMEDIATE, so
// concurrent writers queue instead of failing with SQLITE_BUSY; reads use a
// pool of read-only connections that WAL lets run beside the writer.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"trustmark"
)

// DB is a trustmark.Store on one SQLite database file.
type DB struct {
	write *sql.DB
	read  *sql.DB
}

var _ trustmark.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and applies any
// pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	// synchronous=FULL: a committed transaction survives power loss, which
	// the transparency log's "durable before acknowledged" promise needs.
	params := url.Values{}
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", "synchronous(FULL)")
	params.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + params.Encode()
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	rparams := url.Values{}
	rparams.Add("_pragma", "busy_timeout(10000)")
	rparams.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", "file:"+path+"?"+rparams.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &DB{write: w, read: r}, nil
}

// Close closes both connection pools.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return trustmark.Internal(fmt.Errorf("ping: %w", err))
	}
	return nil
}

// transact runs fn in one write transaction, committing when it returns nil.
func (db *DB) transact(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return storeError(fmt.Errorf("begin: %w", err))
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return storeError(err)
	}
	if err := tx.Commit(); err != nil {
		return storeError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// storeError turns driver errors into domain kinds: constraint violations
// become KindConflict, anything unknown KindInternal. Errors that already
// have a kind pass through.
func storeError(err error) error {
	if err == nil {
		return nil
	}
	var te *trustmark.Error
	if errors.As(err, &te) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &trustmark.Error{Kind: trustmark.KindConflict, Message: "already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &trustmark.Error{Kind: trustmark.KindNotFound, Message: "refers to something that does not exist", Err: err}
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return trustmark.Internal(err)
}

// newID returns a random identifier with the given prefix, e.g. "org_…".
func newID(prefix string) string {
	var b [10]byte
	rand.Read(b[:])
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// timeText formats t for storage: RFC 3339 in UTC with nanoseconds, which
// sorts as text in time order.
func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// parseTime reads a time stored by timeText.
func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
