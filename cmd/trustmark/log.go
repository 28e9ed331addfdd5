package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"trustmark/internal/tlog"
)

// logKeyFile is where the log's signer key lives inside --data.
const logKeyFile = "log.key"

// defaultOrigin derives the log's origin from the public base URL:
// "https://labels.example.org" → "labels.example.org/log".
func defaultOrigin(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "trustmark.invalid/log"
	}
	return u.Host + strings.TrimRight(u.Path, "/") + "/log"
}

// logSignerKey returns the log's signer key and origin: the given key (from
// TRUSTMARK_LOG_KEY) or the one in DIR/log.key, generating that file on
// first start for fallback (the origin derived from the base URL). An
// empty origin means the key's own name; a given origin must be the key's
// name, since a log keeps its origin for life.
func logSignerKey(dir, origin, fallback, given string) (string, string, error) {
	key := given
	if key == "" {
		path := filepath.Join(dir, logKeyFile)
		b, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if origin == "" {
				origin = fallback
			}
			skey, _, err := tlog.GenerateKey(origin)
			if err != nil {
				return "", "", err
			}
			if err := os.WriteFile(path, []byte(skey+"\n"), 0o600); err != nil {
				return "", "", fmt.Errorf("save the new log key: %w", err)
			}
			return skey, origin, nil
		case err != nil:
			return "", "", fmt.Errorf("read the log key: %w", err)
		}
		key = strings.TrimSpace(string(b))
	}
	s, err := note.NewSigner(key)
	if err != nil {
		return "", "", fmt.Errorf("the log key is not a signed-note signer key: %w", err)
	}
	if origin == "" {
		origin = s.Name()
	}
	if s.Name() != origin {
		return "", "", usageError{fmt.Sprintf("the log key is for origin %q but --log-origin is %q: a log keeps its origin for life", s.Name(), origin)}
	}
	return key, origin, nil
}

// openLog opens the transparency log over an open store (see logSignerKey
// for origin and fallback).
func openLog(db tlog.Storage, dir, origin, fallback, givenKey string, logger *slog.Logger) (*tlog.Log, error) {
	key, origin, err := logSignerKey(dir, origin, fallback, givenKey)
	if err != nil {
		return nil, err
	}
	return tlog.New(db, tlog.Config{Origin: origin, SignerKey: key, Logger: logger})
}

// runLog implements "trustmark log fsck" and "trustmark log monitor".
func runLog(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("log", `log <fsck | monitor> [flags]

  fsck      recomputes every tile and the root of the local log from its
            entries and checks them, and the latest checkpoint's signature.
  monitor   follows a remote log (--url): verifies each new checkpoint's
            signature and its consistency with the one before, and prints
            every new event. With --once it checks once and exits.`, stderr)
	var st storeFlags
	var origin, remote, key, stateDir string
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.storeFlags(&st)
	ef.str(&origin, "log-origin", "TRUSTMARK_LOG_ORIGIN", "", "fsck: the log's origin (default: the name of the key in --data)")
	ef.str(&remote, "url", "TRUSTMARK_URL", "http://127.0.0.1:8080", "monitor: the server's base URL")
	fs.StringVar(&key, "key", "", "monitor: the log's verifier key (default: fetched once and remembered in --state)")
	fs.StringVar(&stateDir, "state", "", "monitor: directory remembering the key and the last checkpoint seen (default: none)")
	interval := fs.Duration("interval", 10*time.Second, "monitor: time between checks")
	once := fs.Bool("once", false, "monitor: check once and exit")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError{"log needs the subcommand fsck or monitor"}
	}
	switch pos[0] {
	case "fsck":
		db, err := openStore(ctx, st, false)
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := os.Stat(filepath.Join(st.Data, logKeyFile)); err != nil && getenv("TRUSTMARK_LOG_KEY") == "" {
			return fmt.Errorf("no log key in %s (and TRUSTMARK_LOG_KEY is not set): %w", st.Data, err)
		}
		l, err := openLog(db, st.Data, origin, "", getenv("TRUSTMARK_LOG_KEY"), nil)
		if err != nil {
			return err
		}
		rep, err := l.Fsck(ctx)
		if err != nil {
			return fmt.Errorf("log fsck failed: %w", err)
		}
		fmt.Fprintf(stdout, "log %s is sound: %d entries, %d stored hashes recomputed, checkpoint of size %d verified\n", l.Origin(), rep.Entries, rep.Hashes, rep.Checkpoint)
		return nil
	case "monitor":
		return monitor(ctx, remote, key, stateDir, *interval, *once, stdout, stderr)
	}
	return usageError{fmt.Sprintf("unknown log subcommand %q", pos[0])}
}
