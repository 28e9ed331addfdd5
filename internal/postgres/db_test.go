package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"trustmark"
	"trustmark/internal/postgres"
	"trustmark/internal/postgres/pgtest"
	"trustmark/internal/storetest"
)

// open returns a migrated store in a fresh schema.
func open(t *testing.T) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.DSN(t), postgres.Config{Migrate: true})
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) trustmark.Store { return open(t) })
}

func TestMigrationsNumbered(t *testing.T) {
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatalf("Migrations() = %v", err)
	}
	if len(ms) == 0 {
		t.Fatal("Migrations() returned none")
	}
	for i, m := range ms {
		if m.Version != i+1 {
			t.Errorf("migration %d is %s, want number %d", i, m.Name, i+1)
		}
	}
}

// A server refuses an empty or outdated schema unless asked to migrate;
// Migrate brings it up to date and is idempotent.
func TestOutdatedSchemaRefused(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	ms, _ := postgres.Migrations()
	if _, err := postgres.Open(ctx, dsn, postgres.Config{}); !errors.Is(err, postgres.ErrSchemaOutdated) {
		t.Fatalf("Open(empty schema) = %v, want ErrSchemaOutdated", err)
	}
	res, err := postgres.Migrate(ctx, dsn)
	if err != nil || res.From != 0 || res.To != len(ms) || len(res.Applied) != len(ms) {
		t.Fatalf("Migrate() = %+v, %v; want 0 → %d", res, err, len(ms))
	}
	again, err := postgres.Migrate(ctx, dsn)
	if err != nil || again.From != len(ms) || len(again.Applied) != 0 {
		t.Fatalf("second Migrate() = %+v, %v; want nothing to do", again, err)
	}
	db, err := postgres.Open(ctx, dsn, postgres.Config{})
	if err != nil {
		t.Fatalf("Open(current schema) = %v", err)
	}
	db.Close()

	// Forget the latest migration: the schema now looks one version behind.
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DELETE FROM schema_migrations WHERE version = $1`, len(ms)); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Open(ctx, dsn, postgres.Config{}); !errors.Is(err, postgres.ErrSchemaOutdated) {
		t.Errorf("Open(one version behind) = %v, want ErrSchemaOutdated", err)
	}
	if cur, want, err := postgres.SchemaVersion(ctx, dsn); err != nil || cur != len(ms)-1 || want != len(ms) {
		t.Errorf("SchemaVersion() = %d, %d, %v; want %d, %d", cur, want, err, len(ms)-1, len(ms))
	}
	// A schema newer than the binary is refused too.
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future'), ($2, 'x')`, len(ms), len(ms)+1); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Open(ctx, dsn, postgres.Config{Migrate: true}); err == nil || errors.Is(err, postgres.ErrSchemaOutdated) {
		t.Errorf("Open(newer schema) = %v, want a refusal to run an older binary", err)
	}
}

// A bad URL is refused without echoing it (it may hold a password).
func TestOpenBadURL(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://user:s3cret@[::1", postgres.Config{})
	if err == nil {
		t.Fatal("Open(bad URL) succeeded")
	}
	if got := err.Error(); strings.Contains(got, "s3cret") {
		t.Errorf("Open(bad URL) = %q, which shows the password", got)
	}
}

// A statement that fails inside a transaction voids it in PostgreSQL, even
// when the caller's function ignores the error: that caller's transaction
// fails as a whole and stores nothing, alone or in a batch with others,
// which commit.
func TestFailedStatementVoidsOnlyItsTransaction(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	swallow := func(name string) error {
		return db.Transact(ctx, func(tx trustmark.Tx) error {
			if err := tx.CreateOrganization(&trustmark.Organization{ID: "org_" + name, Kind: trustmark.OrgLab, Name: name, Contact: "a@b.example"}); err != nil {
				return err
			}
			// The organization does not exist: a foreign key violation, ignored.
			_, hash := trustmark.NewTokenSecret()
			if err := tx.CreateToken(&trustmark.Token{OrgID: "org_missing", Holder: "x", Role: trustmark.RoleMember, Hash: hash, CreatedAt: time.Now(), CreatedBy: "test"}); !trustmark.IsKind(err, trustmark.KindNotFound) {
				t.Errorf("CreateToken(missing organization) = %v, want KindNotFound", err)
			}
			return nil
		})
	}
	if err := swallow("alone"); !trustmark.IsKind(err, trustmark.KindInternal) {
		t.Errorf("Transact() with a swallowed failure = %v, want KindInternal", err)
	}
	const n = 24
	errs := make(chan error, 2*n)
	for i := range n {
		go func() { errs <- swallow(fmt.Sprintf("bad%02d", i)) }()
		go func() {
			errs <- db.CreateOrganization(ctx, &trustmark.Organization{ID: fmt.Sprintf("org_good%02d", i), Kind: trustmark.OrgLab, Name: fmt.Sprintf("good%02d", i), Contact: "a@b.example"})
		}()
	}
	failed := 0
	for range 2 * n {
		if err := <-errs; err != nil {
			failed++
		}
	}
	list, err := db.ListOrganizations(ctx, trustmark.OrgLab)
	if err != nil {
		t.Fatal(err)
	}
	if failed != n || len(list) != n {
		t.Errorf("%d transactions failed and %d organizations exist; want %d and %d (the good ones)", failed, len(list), n, n)
	}
	for _, o := range list {
		if !strings.HasPrefix(o.ID, "org_good") {
			t.Errorf("organization %s of a void transaction exists", o.ID)
		}
	}
}
