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
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"trustmark"
)

// DB is a trustmark.Store on one SQLite database file.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	queue   chan *txRequest
	stop    chan struct{}
	stopped chan struct{}
	// closeOnce guards closing stop.
	closeOnce sync.Once
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
	if err := backfillLog(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: log the existing records: %w", path, err)
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
	db := &DB{write: w, read: r, queue: make(chan *txRequest), stop: make(chan struct{}), stopped: make(chan struct{})}
	go db.committer()
	return db, nil
}

// Close stops the committer (transactions already queued finish first)
// and closes both connection pools. Close may be called more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.stop) })
	<-db.stopped
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

// txRequest is one caller's transaction waiting for the committer.
type txRequest struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	done chan error
}

// maxBatch bounds how many callers' transactions share one commit.
const maxBatch = 512

// transact runs fn in a write transaction, committing when it returns nil.
//
// Writers are group-committed: one goroutine takes every transaction that is
// waiting, runs each inside its own SAVEPOINT of one SQLite transaction, and
// commits them with a single fsync. A caller whose fn fails is rolled back
// to its savepoint alone; the others commit. Each caller's transaction is
// still all-or-nothing and serialized after the ones before it, but the
// fsync cost is shared, so throughput does not depend on fsyncs per write.
func (db *DB) transact(ctx context.Context, fn func(*sql.Tx) error) error {
	req := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.queue <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.stop:
		return trustmark.Internal(errors.New("store is closed"))
	}
	// Once queued the transaction will run or fail as a whole; wait for it,
	// so the caller learns whether it committed.
	return <-req.done
}

// committer runs queued transactions in batches until the store closes.
func (db *DB) committer() {
	defer close(db.stopped)
	for {
		var first *txRequest
		select {
		case first = <-db.queue:
		case <-db.stop:
			return
		}
		batch := []*txRequest{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-db.queue:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		db.runBatch(batch)
	}
}

// runBatch runs a batch of transactions in one SQLite transaction.
func (db *DB) runBatch(batch []*txRequest) {
	fail := func(err error) {
		for _, r := range batch {
			r.done <- storeError(err)
		}
	}
	tx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	results := make([]error, len(batch))
	committed := 0
	for i, r := range batch {
		if len(batch) > 1 {
			if _, err := tx.ExecContext(context.Background(), `SAVEPOINT w`); err != nil {
				tx.Rollback()
				fail(fmt.Errorf("savepoint: %w", err))
				return
			}
		}
		err := r.ctx.Err()
		if err == nil {
			err = runFn(r, tx)
		}
		if err != nil {
			results[i] = storeError(err)
			if len(batch) > 1 {
				if _, rerr := tx.ExecContext(context.Background(), `ROLLBACK TO w; RELEASE w`); rerr != nil {
					tx.Rollback()
					fail(fmt.Errorf("rollback to savepoint: %w", rerr))
					return
				}
			}
			continue
		}
		if len(batch) > 1 {
			if _, err := tx.ExecContext(context.Background(), `RELEASE w`); err != nil {
				tx.Rollback()
				fail(fmt.Errorf("release savepoint: %w", err))
				return
			}
		}
		committed++
	}
	if committed == 0 {
		tx.Rollback()
	} else if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

// runFn runs one caller's function, turning a panic into an error so that
// one bad caller cannot take the committer down.
func runFn(r *txRequest, tx *sql.Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = trustmark.Internal(fmt.Errorf("panic in transaction: %v", v))
		}
	}()
	return r.fn(tx)
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

// timeText formats t for storage: RFC 3339 in UTC with all nine fraction
// digits, so stored times compare as text in time order (RFC3339Nano drops
// trailing zeros, and "…:00Z" would sort after "…:00.5Z").
func timeText(t time.Time) string { return t.UTC().Format(sortableTime) }

// sortableTime is the layout of timeText.
const sortableTime = "2006-01-02T15:04:05.000000000Z07:00"

// timeTextPtr formats an optional time as text, or NULL when absent.
func timeTextPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return timeText(*t)
}

// parseTime reads a time stored by timeText.
func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
