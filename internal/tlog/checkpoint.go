// Package tlog is trustmark's transparency log: a Merkle tree (RFC 6962)
// over opaque entries, kept in the same database as everything else,
// published as checkpoints per c2sp.org/tlog-checkpoint signed as
// c2sp.org/signed-note (Ed25519), read as c2sp.org/tlog-tiles, and proven
// with c2sp.org/tlog-proof. Hashing, tiles and proofs come from
// golang.org/x/mod/sumdb/tlog; signatures from golang.org/x/mod/sumdb/note.
package tlog

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a log's signed statement of its size and root hash.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	// Note is the whole signed note, as published.
	Note []byte
}

// emptyRoot is the RFC 6962 hash of the empty tree: SHA-256 of nothing.
var emptyRoot = tlog.Hash(sha256.Sum256(nil))

// GenerateKey returns a new Ed25519 signer key and its verifier key for a
// log with the given origin (the key's name), in signed-note format.
func GenerateKey(origin string) (skey, vkey string, err error) {
	return note.GenerateKey(rand.Reader, origin)
}

// body returns the checkpoint body of c2sp.org/tlog-checkpoint.
func body(origin string, size int64, root tlog.Hash) string {
	return origin + "\n" + strconv.FormatInt(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
}

// sign makes the signed checkpoint note.
func sign(signer note.Signer, origin string, size int64, root tlog.Hash) ([]byte, error) {
	return note.Sign(&note.Note{Text: body(origin, size, root)}, signer)
}

// ErrVerify marks every verification failure: a bad signature, a wrong
// key, a malformed checkpoint or proof, a hash that does not match.
var ErrVerify = errors.New("verification failed")

func verifyErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrVerify, fmt.Sprintf(format, args...))
}

// OpenCheckpoint verifies a signed checkpoint with the log's verifier key and
// parses it. The checkpoint's origin must be the key's name.
func OpenCheckpoint(signed []byte, vkey string) (*Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("%w: the log key is malformed: %v", ErrVerify, err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return nil, verifyErr("checkpoint signature does not verify with key %s: %v", v.Name(), err)
	}
	c, err := parseBody(n.Text)
	if err != nil {
		return nil, err
	}
	if c.Origin != v.Name() {
		return nil, verifyErr("checkpoint origin %q is not the key's name %q", c.Origin, v.Name())
	}
	c.Note = signed
	return c, nil
}

func parseBody(text string) (*Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return nil, verifyErr("checkpoint body has fewer than three lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || lines[1] != strconv.FormatInt(size, 10) {
		return nil, verifyErr("checkpoint size %q is not a decimal number", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return nil, verifyErr("checkpoint root hash is not 32 bytes of base64")
	}
	c := &Checkpoint{Origin: lines[0], Size: size}
	copy(c.Root[:], raw)
	if c.Origin == "" {
		return nil, verifyErr("checkpoint origin is empty")
	}
	return c, nil
}

// VerifierKey returns the verifier key of a signer key
// ("PRIVATE+KEY+name+hash+key" → "name+hash+key"), checked by note itself.
func VerifierKey(skey string) (string, error) {
	if _, err := note.NewSigner(skey); err != nil {
		return "", fmt.Errorf("not a signed-note signer key: %w", err)
	}
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != algEd25519 {
		return "", errors.New("not an Ed25519 signed-note signer key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey := parts[2] + "+" + parts[3] + "+" + base64.StdEncoding.EncodeToString(append([]byte{algEd25519}, pub...))
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", fmt.Errorf("derived verifier key is invalid: %w", err)
	}
	return vkey, nil
}

// algEd25519 is signed-note's algorithm byte for Ed25519.
const algEd25519 = 1
