package tlog

import (
	"context"
	"encoding/binary"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"trustmark"
)

// ParseTilePath parses a c2sp.org/tlog-tiles path below the log's root:
// "tile/<L>/<N>[.p/<W>]" for hash tiles and "tile/entries/<N>[.p/<W>]" for
// entry bundles (returned with L = -1), N in the spec's "x001/234" form.
func ParseTilePath(p string) (tlog.Tile, error) {
	bad := trustmark.Errorf(trustmark.KindInvalid, "%q is not a tlog-tiles path like tile/0/x001/234 or tile/entries/000.p/7", truncate(p, 60))
	rest, ok := strings.CutPrefix(p, "tile/")
	if !ok {
		return tlog.Tile{}, bad
	}
	// x/mod uses the sumdb layout, which names the height and calls entry
	// bundles "data": translate, parse, and check the result prints back.
	level, tail, ok := strings.Cut(rest, "/")
	if !ok {
		return tlog.Tile{}, bad
	}
	if level == "entries" {
		level = "data"
	}
	t, err := tlog.ParseTilePath("tile/8/" + level + "/" + tail)
	if err != nil || TilePath(t) != p {
		return tlog.Tile{}, bad
	}
	return t, nil
}

// TilePath formats a tile's c2sp.org/tlog-tiles path.
func TilePath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), "tile/8/")
	if rest, ok := strings.CutPrefix(p, "data/"); ok {
		return "tile/entries/" + rest
	}
	return "tile/" + p
}

// Tile returns a tile's contents and whether it is complete (a full tile
// never changes and may be cached forever). Errors: KindNotFound for tiles
// beyond the current checkpoint.
func (l *Log) Tile(ctx context.Context, t tlog.Tile) ([]byte, bool, error) {
	head, err := l.Head(ctx)
	if err != nil {
		return nil, false, err
	}
	if t.H != TileHeight {
		return nil, false, trustmark.Errorf(trustmark.KindNotFound, "no such tile")
	}
	// The number of entries (for data tiles) or level-L nodes the checkpoint covers.
	width := head.Size
	if t.L > 0 {
		width = head.Size >> (uint(t.L) * TileHeight)
	}
	if t.N<<TileHeight+int64(t.W) > width {
		return nil, false, trustmark.Errorf(trustmark.KindNotFound, "tile %s lies beyond the checkpoint (size %d)", TilePath(t), head.Size)
	}
	full := t.W == 1<<TileHeight
	if t.L == -1 {
		start := t.N << TileHeight
		entries, err := l.store.LogEntries(ctx, start, start+int64(t.W))
		if err != nil {
			return nil, false, err
		}
		return EntryBundle(entries), full, nil
	}
	data, err := tlog.ReadTileData(t, l.reader(ctx, nil))
	if err != nil {
		return nil, false, err
	}
	return data, full, nil
}

// EntryBundle encodes entries as a tlog-tiles entry bundle: each entry
// prefixed by its length as a big-endian uint16.
func EntryBundle(entries [][]byte) []byte {
	var out []byte
	for _, e := range entries {
		out = binary.BigEndian.AppendUint16(out, uint16(len(e)))
		out = append(out, e...)
	}
	return out
}

// SplitEntryBundle decodes an entry bundle. Errors: ErrVerify when the
// bundle is truncated or malformed.
func SplitEntryBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, verifyErr("entry bundle truncated")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			return nil, verifyErr("entry bundle truncated")
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
