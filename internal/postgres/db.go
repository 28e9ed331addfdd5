// Package postgres implements trustmark.Store on PostgreSQL (pgx, one
// connection pool), for running several trustmark servers on one database.
//
// Writes from all servers are serialized by one lock: every write
// transaction first takes a transaction-scoped advisory lock
// (pg_advisory_xact_lock) named after the schema, and holds it until it
// commits. The transparency log's indexes and the registry's change
// sequence are assigned under that lock, so they are gap-free and become
// visible in the order they were assigned, whichever server wrote them.
// Within one server, writers are group-committed as in internal/sqlite: one
// goroutine runs every waiting caller's transaction inside its own
// savepoint of one PostgreSQL transaction, so one lock hold and one WAL
// flush serve many callers.
//
// Reads use the pool directly; View runs in a REPEATABLE READ, READ ONLY
// transaction, a consistent snapshot.
//
// PostgreSQL keeps times to the microsecond: the store truncates the times
// it stores (and the ones it sets on the values it is given) to microseconds.
package postgres

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"hash/fnv"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"trustmark"
)

// DB is a trustmark.Store on one PostgreSQL schema.
type DB struct {
	pool   *pgxpool.Pool
	schema string
	// writeLock is the advisory lock key every write transaction takes.
	writeLock int64
	queue     chan *txRequest
	stop      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

var _ trustmark.Store = (*DB)(nil)

// Config configures Open.
type Config struct {
	// Migrate applies pending migrations at Open. Without it Open fails
	// with an error matching ErrSchemaOutdated when the schema is behind
	// this binary; run "trustmark migrate" (or Migrate) first.
	Migrate bool
	// MaxConns bounds the connection pool; 0 means the DSN's
	// pool_max_conns, or else max(8, 2×GOMAXPROCS).
	MaxConns int32
}

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string; search_path selects the schema), checks that its schema
// is current (or migrates it, see Config.Migrate) and returns the store.
func Open(ctx context.Context, dsn string, cfg Config) (*DB, error) {
	pool, err := newPool(ctx, dsn, cfg.MaxConns)
	if err != nil {
		return nil, err
	}
	var schema string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if schema == "" {
		pool.Close()
		return nil, errors.New("connect to PostgreSQL: no schema on the search_path exists")
	}
	if cfg.Migrate {
		if _, err := migrate(ctx, pool, schema); err != nil {
			pool.Close()
			return nil, err
		}
	}
	if err := checkSchema(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	db := &DB{pool: pool, schema: schema, writeLock: lockKey("write", schema),
		queue: make(chan *txRequest), stop: make(chan struct{}), stopped: make(chan struct{})}
	go db.committer()
	return db, nil
}

// newPool opens a connection pool for dsn.
func newPool(ctx context.Context, dsn string, maxConns int32) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The DSN may hold a password: name the problem, not the string.
		return nil, fmt.Errorf("the database URL is not a PostgreSQL connection string: %w", redact(err))
	}
	switch {
	case maxConns > 0:
		pc.MaxConns = maxConns
	case !strings.Contains(dsn, "pool_max_conns"):
		pc.MaxConns = int32(max(8, 2*runtime.GOMAXPROCS(0)))
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", redact(err))
	}
	return pool, nil
}

// redact drops the text of a connection-string parse error, which may
// quote the string and its password.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("cannot parse it (check its syntax)")
	}
	return err
}

// lockKey derives an advisory lock key from a purpose and the schema, so
// that stores in different schemas of one database do not block each other.
func lockKey(purpose, schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("trustmark " + purpose + " " + schema))
	return int64(h.Sum64())
}

// Close stops the committer (transactions already queued finish first) and
// closes the pool. Close may be called more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.stop) })
	<-db.stopped
	db.pool.Close()
	return nil
}

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.pool.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
		return trustmark.Internal(fmt.Errorf("ping: %w", err))
	}
	return nil
}

// querier is what a pool, a connection and a transaction have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// txRequest is one caller's transaction waiting for the committer.
type txRequest struct {
	ctx  context.Context
	fn   func(ctx context.Context, q querier) error
	done chan error
}

// maxBatch bounds how many callers' transactions share one commit. Each
// caller runs in a subtransaction; PostgreSQL tracks up to 64 of them per
// transaction cheaply (PGPROC_MAX_CACHED_SUBXIDS), so batches stay below.
const maxBatch = 48

// transact runs fn in a write transaction, committing when it returns nil.
//
// Writers are group-committed: one goroutine per store begins a
// transaction, takes the write lock, and then runs every caller that is
// waiting, each inside its own SAVEPOINT. A caller whose fn fails is rolled
// back to its savepoint alone; the others commit. Each caller's transaction
// is still all-or-nothing and serialized after the ones before it, but the
// lock and the WAL flush are shared, and callers that arrive while the lock
// is awaited (another server holds it) join the batch.
//
// Once queued, a transaction runs to its end even if ctx is cancelled
// (a cancelled statement would abort the whole batch); ctx is checked just
// before fn runs.
func (db *DB) transact(ctx context.Context, fn func(ctx context.Context, q querier) error) error {
	req := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.queue <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.stop:
		return trustmark.Internal(errors.New("store is closed"))
	}
	return <-req.done
}

// committer runs queued transactions in batches until the store closes.
func (db *DB) committer() {
	defer close(db.stopped)
	for {
		select {
		case first := <-db.queue:
			db.runBatch(first)
		case <-db.stop:
			return
		}
	}
}

// codeInFailedTx is PostgreSQL's "current transaction is aborted": a
// statement failed earlier in the (sub)transaction.
const codeInFailedTx = "25P02"

// runBatch runs first and the transactions queued behind it in one
// PostgreSQL transaction, on one connection, with as few round trips as
// it can: BEGIN and the lock together, and between two callers one
// "RELEASE SAVEPOINT w; SAVEPOINT w".
func (db *DB) runBatch(first *txRequest) {
	ctx := context.Background()
	batch := []*txRequest{first}
	results := make([]error, 0, maxBatch)
	finish := func(err error) {
		for i, r := range batch {
			if err != nil {
				r.done <- storeError(err)
			} else {
				r.done <- results[i]
			}
		}
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		finish(fmt.Errorf("connect: %w", err))
		return
	}
	// A connection left inside a transaction (after a failure) is destroyed
	// by Release rather than reused.
	defer conn.Release()
	exec := func(sql string) error {
		_, err := conn.Exec(ctx, sql)
		return err
	}
	rollback := func(err error) {
		exec("ROLLBACK")
		finish(err)
	}
	if err := exec("BEGIN; SELECT pg_advisory_xact_lock(" + strconv.FormatInt(db.writeLock, 10) + ")"); err != nil {
		rollback(fmt.Errorf("begin and take the write lock: %w", err))
		return
	}
	// Callers that queued while the lock was awaited join the batch.
fill:
	for len(batch) < maxBatch {
		select {
		case r := <-db.queue:
			batch = append(batch, r)
		default:
			break fill
		}
	}
	multi := len(batch) > 1
	if multi {
		if err := exec("SAVEPOINT w"); err != nil {
			rollback(fmt.Errorf("savepoint: %w", err))
			return
		}
	}
	committed := 0
	for i, r := range batch {
		err := r.ctx.Err()
		if err == nil {
			err = runFn(r, conn)
		}
		if !multi {
			results = append(results, storeError(err))
			if err != nil {
				exec("ROLLBACK")
				finish(nil)
				return
			}
			committed++
			break
		}
		if err == nil {
			// RELEASE fails (25P02) when fn went on after a failed
			// statement: the savepoint's work is void, and this caller
			// fails alone. Between callers the next savepoint opens in
			// the same round trip.
			next := "RELEASE SAVEPOINT w"
			if i < len(batch)-1 {
				next += "; SAVEPOINT w"
			}
			rerr := exec(next)
			var pe *pgconn.PgError
			switch {
			case rerr == nil:
				results = append(results, nil)
				committed++
				continue
			case errors.As(rerr, &pe) && pe.Code == codeInFailedTx:
				err = trustmark.Internal(fmt.Errorf("transaction aborted by a failed statement: %w", rerr))
			default:
				rollback(fmt.Errorf("release savepoint: %w", rerr))
				return
			}
		}
		results = append(results, storeError(err))
		// ROLLBACK TO keeps the savepoint, clean, for the next caller.
		next := "ROLLBACK TO SAVEPOINT w"
		if i == len(batch)-1 {
			next += "; RELEASE SAVEPOINT w"
		}
		if err := exec(next); err != nil {
			rollback(fmt.Errorf("rollback to savepoint: %w", err))
			return
		}
	}
	if committed == 0 {
		exec("ROLLBACK")
		finish(nil)
		return
	}
	tag, err := conn.Exec(ctx, "COMMIT")
	if err == nil && tag.String() == "ROLLBACK" {
		// Only a single caller's swallowed failure gets here (batches
		// check each savepoint): the transaction was void.
		err = errors.New("transaction aborted by a failed statement")
		if !multi {
			results[0] = trustmark.Internal(err)
			finish(nil)
			return
		}
	}
	if err != nil {
		finish(fmt.Errorf("commit: %w", err))
		return
	}
	finish(nil)
}

// runFn runs one caller's function, turning a panic into an error so that
// one bad caller cannot take the committer down. Its statements run with
// the caller's values but without its cancellation (see transact).
func runFn(r *txRequest, q querier) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = trustmark.Internal(fmt.Errorf("panic in transaction: %v", v))
		}
	}()
	return r.fn(context.WithoutCancel(r.ctx), q)
}

// PostgreSQL error codes the store maps to kinds.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

// storeError turns driver errors into domain kinds: constraint violations
// become KindConflict or KindNotFound, anything unknown KindInternal.
// Errors that already have a kind pass through.
func storeError(err error) error {
	if err == nil {
		return nil
	}
	var te *trustmark.Error
	if errors.As(err, &te) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeUniqueViolation:
			return &trustmark.Error{Kind: trustmark.KindConflict, Message: "already exists", Err: err}
		case codeForeignKeyViolation:
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

// pgTime is t as PostgreSQL keeps it: UTC, to the microsecond.
func pgTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// pgTimePtr is pgTime of an optional time.
func pgTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := pgTime(*t)
	return &u
}
