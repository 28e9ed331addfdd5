package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations holds the schema changes, applied in the order of their
// numeric prefix. They are forward-only: a released file never changes.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ErrSchemaOutdated is matched (errors.Is) by the error of Open when the
// database's schema is behind this binary and Config.Migrate is off.
var ErrSchemaOutdated = errors.New("the database schema is outdated")

// Migrations returns the embedded migrations in order. It fails if two files
// share a number or a number is skipped.
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 {
			return nil, fmt.Errorf("migration %s: name must start with a four-digit number and an underscore", base)
		}
		b, err := migrations.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %04d", m.Name, i+1)
		}
	}
	return ms, nil
}

// MigrationResult says what Migrate did.
type MigrationResult struct {
	From, To int      // schema versions before and after
	Applied  []string // names of the migrations applied, in order
}

// Migrate applies every pending migration to the database named by dsn,
// each in its own transaction and recorded in schema_migrations. Servers
// starting at once are safe: migrations run under a session advisory lock.
func Migrate(ctx context.Context, dsn string) (*MigrationResult, error) {
	pool, err := newPool(ctx, dsn, 2)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	var schema string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if schema == "" {
		return nil, errors.New("connect to PostgreSQL: no schema on the search_path exists")
	}
	return migrate(ctx, pool, schema)
}

// SchemaVersion returns the database's schema version (0 when empty) and
// the version this binary needs.
func SchemaVersion(ctx context.Context, dsn string) (current, want int, err error) {
	pool, err := newPool(ctx, dsn, 1)
	if err != nil {
		return 0, 0, err
	}
	defer pool.Close()
	ms, err := Migrations()
	if err != nil {
		return 0, 0, err
	}
	current, err = schemaVersion(ctx, pool)
	return current, len(ms), err
}

// schemaVersion reads the latest applied migration, 0 when none is.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// checkSchema fails unless the schema is exactly the one this binary knows.
func checkSchema(ctx context.Context, q querier) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	v, err := schemaVersion(ctx, q)
	if err != nil {
		return err
	}
	switch {
	case v < len(ms):
		return fmt.Errorf("%w: it is at version %d and this trustmark needs %d; run \"trustmark migrate\" or start with --migrate",
			ErrSchemaOutdated, v, len(ms))
	case v > len(ms):
		return fmt.Errorf("database schema version %d is newer than this trustmark binary knows (%d): upgrade trustmark", v, len(ms))
	}
	return nil
}

// migrate applies the pending migrations holding a session advisory lock on
// one connection of pool.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string) (*MigrationResult, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Release()
	key := lockKey("migrate", schema)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return nil, fmt.Errorf("take the migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	current, err := schemaVersion(ctx, conn)
	if err != nil {
		return nil, err
	}
	if current > len(ms) {
		return nil, fmt.Errorf("database schema version %d is newer than this trustmark binary knows (%d): upgrade trustmark", current, len(ms))
	}
	res := &MigrationResult{From: current, To: current}
	for _, m := range ms[current:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		res.To = m.Version
		res.Applied = append(res.Applied, m.Name)
	}
	return res, nil
}
