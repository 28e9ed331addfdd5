package tlog

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// FsckReport is what Fsck checked.
type FsckReport struct {
	Entries    int64 // entries read
	Hashes     int64 // stored hashes compared
	Checkpoint int64 // size of the checkpoint verified
}

// Fsck recomputes every stored hash and the root from the entries alone and
// checks them against the store and the latest checkpoint, whose signature
// it verifies with the log's own key. Any difference is an ErrVerify error
// saying where.
func (l *Log) Fsck(ctx context.Context) (*FsckReport, error) {
	size, root, signed, err := l.store.LogHead(ctx)
	if err != nil {
		return nil, err
	}
	rep := &FsckReport{Checkpoint: size}
	if signed == nil {
		return rep, nil
	}
	cp, err := OpenCheckpoint(signed, l.vkey)
	if err != nil {
		return nil, err
	}
	if cp.Size != size || cp.Root != tlog.Hash(root) {
		return nil, verifyErr("the stored checkpoint columns (size %d) disagree with its signed note (size %d)", size, cp.Size)
	}
	// Recompute in memory: computed holds every stored hash index → hash.
	computed := map[int64]tlog.Hash{}
	reader := tlog.HashReaderFunc(func(ids []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ids))
		for i, id := range ids {
			h, ok := computed[id]
			if !ok {
				return nil, fmt.Errorf("hash %d not computed yet", id)
			}
			out[i] = h
		}
		return out, nil
	})
	const chunk = 4096
	for start := int64(0); start < size; start += chunk {
		entries, err := l.store.LogEntries(ctx, start, min(size, start+chunk))
		if err != nil {
			return nil, err
		}
		if int64(len(entries)) != min(size, start+chunk)-start {
			return nil, verifyErr("entries %d–%d are missing from a log of size %d", start+int64(len(entries)), min(size, start+chunk)-1, size)
		}
		var ids []int64
		for i, data := range entries {
			idx := start + int64(i)
			hs, err := tlog.StoredHashes(idx, data, reader)
			if err != nil {
				return nil, err
			}
			first := tlog.StoredHashIndex(0, idx)
			for j, h := range hs {
				computed[first+int64(j)] = h
				ids = append(ids, first+int64(j))
			}
			rep.Entries++
		}
		stored, err := l.store.ReadLogHashes(ctx, ids)
		if err != nil {
			return nil, verifyErr("stored hashes for entries %d–%d: %v", start, start+int64(len(entries))-1, err)
		}
		for i, id := range ids {
			if tlog.Hash(stored[i]) != computed[id] {
				level, n := tlog.SplitStoredHashIndex(id)
				return nil, verifyErr("stored hash at level %d, node %d differs from the one recomputed from the entries", level, n)
			}
			rep.Hashes++
		}
	}
	want := emptyRoot
	if size > 0 {
		if want, err = tlog.TreeHash(size, reader); err != nil {
			return nil, err
		}
	}
	if want != cp.Root {
		return nil, verifyErr("the root recomputed from %d entries differs from the checkpoint's", size)
	}
	return rep, nil
}
