package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"trustmark"
	"trustmark/internal/postgres"
	"trustmark/internal/sqlite"
	"trustmark/internal/tlog"
)

// storeFlags choose the store every command that reads it opens: SQLite in
// --data (the default), or PostgreSQL at --database-url. With PostgreSQL,
// --data still holds the log's key file when TRUSTMARK_LOG_KEY is not set.
type storeFlags struct {
	Data        string // --data, TRUSTMARK_DATA
	DatabaseURL string // --database-url, TRUSTMARK_DATABASE_URL
}

// storeFlags registers --data and --database-url.
func (e *envFlags) storeFlags(s *storeFlags) {
	e.dataFlag(&s.Data)
	e.databaseURLFlag(&s.DatabaseURL)
}

// databaseURLFlag registers --database-url.
func (e *envFlags) databaseURLFlag(p *string) {
	e.str(p, "database-url", "TRUSTMARK_DATABASE_URL", "",
		"PostgreSQL URL, e.g. postgres://trustmark@db.internal/trustmark; when set the store is there instead of SQLite in --data")
}

// openStore opens the store the flags name. SQLite stores are created in
// --data when missing and migrate themselves; a PostgreSQL schema must be
// current unless migrate is set (then pending migrations are applied).
func openStore(ctx context.Context, s storeFlags, migrate bool) (trustmark.Store, error) {
	if s.DatabaseURL != "" {
		db, err := postgres.Open(ctx, s.DatabaseURL, postgres.Config{Migrate: migrate})
		if err != nil {
			return nil, fmt.Errorf("open the PostgreSQL store at %s: %w", redactURL(s.DatabaseURL), err)
		}
		return db, nil
	}
	if err := os.MkdirAll(s.Data, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return sqlite.Open(ctx, filepath.Join(s.Data, "trustmark.db"))
}

// describe names the store for logs and messages, without credentials.
func (s storeFlags) describe() string {
	if s.DatabaseURL != "" {
		return redactURL(s.DatabaseURL)
	}
	return filepath.Join(s.Data, "trustmark.db")
}

// redactURL returns a database URL without its password and its query
// parameters but search_path, or a placeholder for a key=value connection
// string.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "the configured database"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	// The query may hold a password; the schema helps and is kept.
	q := url.Values{}
	if sp := u.Query().Get("search_path"); sp != "" {
		q.Set("search_path", sp)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// checkLogKey refuses a log key other than the one that signed the stored
// checkpoint: servers sharing one store must share one log key, or they
// would publish checkpoints of one log under two keys.
func checkLogKey(ctx context.Context, db tlog.Storage, l *tlog.Log) error {
	_, _, note, err := db.LogHead(ctx)
	if err != nil {
		return err
	}
	if note == nil {
		return nil
	}
	if _, err := tlog.OpenCheckpoint(note, l.VerifierKey()); err != nil {
		return errors.New("the store's latest log checkpoint is not signed by this server's log key (" + l.Origin() +
			"): every server of one store must use the same key, given as TRUSTMARK_LOG_KEY or the same <data>/log.key")
	}
	return nil
}
