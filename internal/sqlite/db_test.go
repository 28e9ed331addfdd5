package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"trustmark"
	"trustmark/internal/sqlite"
	"trustmark/internal/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) trustmark.Store {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "trustmark.db"))
		if err != nil {
			t.Fatalf("Open() = %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestMigrationsNumbered(t *testing.T) {
	ms, err := sqlite.Migrations()
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

func TestReopenKeepsDataAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trustmark.db")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	o := &trustmark.Organization{Kind: trustmark.OrgLab, Name: "Persist Lab", Contact: "lab@persist.example"}
	if err := db.CreateOrganization(ctx, o); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if got, err := db.Organization(ctx, o.ID); err != nil || got.Name != "Persist Lab" {
		t.Errorf("Organization() after reopen = %v, %v", got, err)
	}
}
