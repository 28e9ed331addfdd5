package tlog

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Remote reads a log over HTTP through its c2sp.org/tlog-tiles API, the way
// an independent verifier or monitor does: every hash it uses comes from
// tiles checked against a signed checkpoint.
type Remote struct {
	base   string // URL of the log's root, e.g. https://labels.example.org/log
	vkey   string
	client *http.Client
}

// NewRemote returns a reader of the log at base (its /log root), trusting
// the verifier key vkey.
func NewRemote(base, vkey string, client *http.Client) *Remote {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return &Remote{base: strings.TrimRight(base, "/"), vkey: vkey, client: client}
}

// get fetches one path below the log root.
func (r *Remote) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", r.base+"/"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s/%s: %s", r.base, path, resp.Status)
	}
	return b, nil
}

// Checkpoint fetches and verifies the latest checkpoint.
func (r *Remote) Checkpoint(ctx context.Context) (*Checkpoint, error) {
	b, err := r.get(ctx, "checkpoint")
	if err != nil {
		return nil, err
	}
	return OpenCheckpoint(b, r.vkey)
}

// tileReader implements tlog.TileReader over HTTP.
type tileReader struct {
	ctx context.Context
	r   *Remote
}

func (t tileReader) Height() int { return TileHeight }

func (t tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		b, err := t.r.get(t.ctx, TilePath(tile))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (t tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// hashes returns a hash reader for the tree of cp whose answers are proven
// against cp's root by the tiles they come from.
func (r *Remote) hashes(ctx context.Context, cp *Checkpoint) tlog.HashReader {
	return tlog.TileHashReader(tlog.Tree{N: cp.Size, Hash: cp.Root}, tileReader{ctx: ctx, r: r})
}

// Consistency checks that newer's tree extends older's, computing the
// consistency proof from tiles of newer's tree.
func (r *Remote) Consistency(ctx context.Context, older, newer *Checkpoint) error {
	if older.Size == 0 || newer.Size <= older.Size {
		return VerifyConsistency(older, newer, nil)
	}
	proof, err := tlog.ProveTree(newer.Size, older.Size, r.hashes(ctx, newer))
	if err != nil {
		return verifyErr("cannot build a consistency proof from %d to %d from the log's tiles: %v", older.Size, newer.Size, err)
	}
	return VerifyConsistency(older, newer, proof)
}

// Entries fetches entries start ≤ i < end of the tree of cp from entry
// bundles and checks each against the tree.
func (r *Remote) Entries(ctx context.Context, cp *Checkpoint, start, end int64) ([][]byte, error) {
	if end > cp.Size {
		return nil, fmt.Errorf("entries up to %d requested from a tree of size %d", end, cp.Size)
	}
	reader := r.hashes(ctx, cp)
	var out [][]byte
	for i := start; i < end; {
		tile := tlog.TileForIndex(TileHeight, tlog.StoredHashIndex(0, i))
		tile.L = -1
		// The bundle's width is what the tree holds of that tile.
		tile.W = int(min(cp.Size-tile.N<<TileHeight, 1<<TileHeight))
		b, err := r.get(ctx, TilePath(tile))
		if err != nil {
			return nil, err
		}
		bundle, err := SplitEntryBundle(b)
		if err != nil {
			return nil, err
		}
		if len(bundle) != tile.W {
			return nil, verifyErr("entry bundle %s holds %d entries, want %d", TilePath(tile), len(bundle), tile.W)
		}
		for ; i < end && i < tile.N<<TileHeight+int64(tile.W); i++ {
			e := bundle[i-tile.N<<TileHeight]
			hs, err := reader.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
			if err != nil {
				return nil, verifyErr("leaf %d: %v", i, err)
			}
			if hs[0] != tlog.RecordHash(e) {
				return nil, verifyErr("entry %d does not match the tree's leaf hash", i)
			}
			out = append(out, e)
		}
	}
	return out, nil
}
