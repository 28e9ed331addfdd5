// Package pgtest gives tests a fresh PostgreSQL schema of their own.
//
// Tests that need PostgreSQL call DSN. It reads the server to use from
// TRUSTMARK_TEST_POSTGRES (e.g.
// postgres://postgres@127.0.0.1:5432/test); without it the test is skipped,
// unless TRUSTMARK_REQUIRE_POSTGRES is set (as in CI), which makes a
// missing or unreachable database a failure.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the variable holding the test server's URL; EnvRequire the
// one that turns its absence into a failure.
const (
	EnvDSN     = "TRUSTMARK_TEST_POSTGRES"
	EnvRequire = "TRUSTMARK_REQUIRE_POSTGRES"
)

// Server returns the test server's URL, skipping the test when none is
// configured (failing it when one is required).
func Server(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if os.Getenv(EnvRequire) != "" {
			t.Fatalf("%s is set but %s is not: the PostgreSQL tests cannot run", EnvRequire, EnvDSN)
		}
		t.Skipf("PostgreSQL tests skipped: set %s=postgres://user@host:port/db to run them", EnvDSN)
	}
	return dsn
}

// DSN creates an empty schema for this test on the test server, drops it
// when the test ends, and returns a URL whose search_path selects it.
func DSN(t testing.TB) string {
	t.Helper()
	server := Server(t)
	name := NewSchema(t, server)
	return WithSchema(t, server, name)
}

// NewSchema creates an empty, uniquely named schema on server and drops it
// (with everything in it) when the test ends.
func NewSchema(t testing.TB, server string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	name := "t_" + strings.ToLower(sanitize(t.Name())) + "_" + hex.EncodeToString(b[:])
	exec(t, server, `CREATE SCHEMA `+pgx.Identifier{name}.Sanitize())
	t.Cleanup(func() { exec(t, server, `DROP SCHEMA `+pgx.Identifier{name}.Sanitize()+` CASCADE`) })
	return name
}

// NewDatabase creates an empty database on server, drops it when the test
// ends, and returns its URL.
func NewDatabase(t testing.TB, server string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	name := "trustmark_test_" + hex.EncodeToString(b[:])
	exec(t, server, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize())
	t.Cleanup(func() { exec(t, server, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`) })
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", EnvDSN, err)
	}
	u.Path = "/" + name
	return u.String()
}

// WithSchema returns server's URL with search_path set to schema.
func WithSchema(t testing.TB, server, schema string) string {
	t.Helper()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", EnvDSN, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// exec runs one statement on a connection of its own.
func exec(t testing.TB, server, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to the PostgreSQL test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// sanitize keeps the letters and digits of a test name, shortened so the
// schema name stays within PostgreSQL's 63 bytes.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	return b.String()
}
