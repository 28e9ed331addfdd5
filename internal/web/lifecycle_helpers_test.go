package web_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"trustmark/internal/tlog"
)

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

// newTestLog returns a transparency log over db with a fresh key, with
// everything sequenced so far integrated.
func newTestLog(t *testing.T, db tlog.Storage) *tlog.Log {
	t.Helper()
	skey, _, err := tlog.GenerateKey("labels.example.org/log")
	if err != nil {
		t.Fatal(err)
	}
	l, err := tlog.New(db, tlog.Config{Origin: "labels.example.org/log", SignerKey: skey})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.IntegrateAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l
}
