package tlog_test

import (
	"context"
	"fmt"
	"testing"

	"trustmark/internal/postgres"
	"trustmark/internal/postgres/pgtest"
	"trustmark/internal/tlog"
)

// BenchmarkAppendPostgres is BenchmarkAppend on PostgreSQL (the server
// TRUSTMARK_TEST_POSTGRES names; a fresh schema per run), with one server
// and with two: two stores and two logs on one schema, as two trustmark
// serve processes would have, the writers split between them. Compared
// with SQLite in docs/benchmarks.md:
//
//	go test -run XXX -bench 'Append' -benchtime 20000x ./internal/tlog/
func BenchmarkAppendPostgres(b *testing.B) {
	for _, servers := range []int{1, 2} {
		for _, writers := range []int{64, 1024} {
			b.Run(fmt.Sprintf("servers=%d/writers=%d", servers, writers), func(b *testing.B) {
				dsn := pgtest.DSN(b)
				skey, _, err := tlog.GenerateKey(origin)
				if err != nil {
					b.Fatal(err)
				}
				var logs []*tlog.Log
				for range servers {
					db, err := postgres.Open(context.Background(), dsn, postgres.Config{Migrate: true})
					if err != nil {
						b.Fatal(err)
					}
					b.Cleanup(func() { db.Close() })
					l, err := tlog.New(db, tlog.Config{Origin: origin, SignerKey: skey})
					if err != nil {
						b.Fatal(err)
					}
					logs = append(logs, l)
				}
				runAppend(b, logs, writers)
			})
		}
	}
}
