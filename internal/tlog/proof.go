package tlog

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"trustmark"
)

// proofHeader is the first line of a c2sp.org/tlog-proof.
const proofHeader = "c2sp.org/tlog-proof@v1"

// Proof is a parsed c2sp.org/tlog-proof: an entry's index, its inclusion
// proof, the checkpoint it is proven against and optional extra data (for
// trustmark: the logged entry itself).
type Proof struct {
	Extra      []byte
	Index      int64
	Hashes     tlog.RecordProof
	Checkpoint []byte
}

// Prove returns a c2sp.org/tlog-proof of entry idx against the latest
// checkpoint, carrying extra. Errors: KindConflict while no checkpoint
// covers idx yet; KindNotFound for an index past the log.
func (l *Log) Prove(ctx context.Context, idx int64, extra []byte) ([]byte, error) {
	head, err := l.Head(ctx)
	if err != nil {
		return nil, err
	}
	if idx < 0 {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "no entry %d", idx)
	}
	if idx >= head.Size {
		if head, err = l.refreshHead(ctx); err != nil {
			return nil, err
		}
		if idx >= head.Size {
			return nil, trustmark.Errorf(trustmark.KindConflict, "entry %d is logged but not yet covered by a checkpoint (size %d); retry in a moment", idx, head.Size)
		}
	}
	hashes, err := tlog.ProveRecord(head.Size, idx, l.reader(ctx, nil))
	if err != nil {
		return nil, trustmark.Internal(fmt.Errorf("prove entry %d in %d: %w", idx, head.Size, err))
	}
	return (&Proof{Extra: extra, Index: idx, Hashes: hashes, Checkpoint: head.Note}).Marshal(), nil
}

// ProveConsistency returns the consistency proof from tree size old to new
// (both at most the latest checkpoint).
func (l *Log) ProveConsistency(ctx context.Context, old, new int64) (tlog.TreeProof, error) {
	return tlog.ProveTree(new, old, l.reader(ctx, nil))
}

// Marshal encodes the proof in the c2sp.org/tlog-proof text format.
func (p *Proof) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(proofHeader + "\n")
	if p.Extra != nil {
		b.WriteString("extra " + base64.StdEncoding.EncodeToString(p.Extra) + "\n")
	}
	b.WriteString("index " + strconv.FormatInt(p.Index, 10) + "\n")
	for _, h := range p.Hashes {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(p.Checkpoint)
	return b.Bytes()
}

// ParseProof decodes a c2sp.org/tlog-proof. It checks the format only; see
// VerifyProof. Errors: ErrVerify naming what is malformed.
func ParseProof(text []byte) (*Proof, error) {
	head, cp, ok := bytes.Cut(text, []byte("\n\n"))
	if !ok {
		return nil, verifyErr("proof has no checkpoint (no empty line)")
	}
	lines := strings.Split(string(head), "\n")
	if lines[0] != proofHeader {
		return nil, verifyErr("proof does not start with %q", proofHeader)
	}
	lines = lines[1:]
	p := &Proof{Checkpoint: cp}
	if len(lines) > 0 && strings.HasPrefix(lines[0], "extra ") {
		extra, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(lines[0], "extra "))
		if err != nil {
			return nil, verifyErr("proof extra data is not base64")
		}
		p.Extra, lines = extra, lines[1:]
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "index ") {
		return nil, verifyErr("proof has no index line")
	}
	s := strings.TrimPrefix(lines[0], "index ")
	idx, err := strconv.ParseInt(s, 10, 64)
	if err != nil || idx < 0 || strconv.FormatInt(idx, 10) != s {
		return nil, verifyErr("proof index %q is not a decimal number", s)
	}
	p.Index = idx
	for _, l := range lines[1:] {
		raw, err := base64.StdEncoding.DecodeString(l)
		if err != nil || len(raw) != tlog.HashSize {
			return nil, verifyErr("proof line %q is not a base64 SHA-256 hash", truncate(l, 60))
		}
		p.Hashes = append(p.Hashes, tlog.Hash(raw))
	}
	return p, nil
}

// VerifyProof checks a proof completely: the checkpoint's signature with
// the log's verifier key, and that entry (the logged bytes) sits at the
// proof's index in the checkpointed tree. It returns the checkpoint.
func VerifyProof(p *Proof, entry []byte, vkey string) (*Checkpoint, error) {
	cp, err := OpenCheckpoint(p.Checkpoint, vkey)
	if err != nil {
		return nil, err
	}
	if p.Index >= cp.Size {
		return nil, verifyErr("proof index %d is outside the checkpointed tree of size %d", p.Index, cp.Size)
	}
	if err := tlog.CheckRecord(p.Hashes, cp.Size, cp.Root, p.Index, tlog.RecordHash(entry)); err != nil {
		return nil, verifyErr("entry %d is not in the checkpointed tree: %v", p.Index, err)
	}
	return cp, nil
}

// VerifyConsistency checks that the tree of checkpoint newer extends the
// tree of checkpoint older, using a consistency proof.
func VerifyConsistency(older, newer *Checkpoint, proof tlog.TreeProof) error {
	if newer.Size < older.Size {
		return verifyErr("the newer checkpoint (size %d) is smaller than the older (size %d): the log went back", newer.Size, older.Size)
	}
	if newer.Size == older.Size {
		if newer.Root != older.Root {
			return verifyErr("two checkpoints of size %d have different roots: the log forked", newer.Size)
		}
		return nil
	}
	if older.Size == 0 {
		return nil
	}
	if err := tlog.CheckTree(proof, newer.Size, newer.Root, older.Size, older.Root); err != nil {
		return verifyErr("checkpoint %d is not consistent with checkpoint %d: %v", newer.Size, older.Size, err)
	}
	return nil
}
