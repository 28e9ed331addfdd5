package tlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"trustmark"
)

// Storage is what the log needs from the database. Entries are sequenced
// by the store inside ordinary transactions (trustmark.Tx.AppendLog and the
// registry writes); the log integrates them into the tree.
type Storage interface {
	Transact(ctx context.Context, fn func(trustmark.Tx) error) error
	LogHead(ctx context.Context) (int64, [32]byte, []byte, error)
	LogSize(ctx context.Context) (int64, error)
	LogEntries(ctx context.Context, start, end int64) ([][]byte, error)
	ReadLogHashes(ctx context.Context, indexes []int64) ([][32]byte, error)
	StoreCheckpoint(ctx context.Context, oldSize, newSize int64, ids []int64, hashes [][32]byte, root [32]byte, note []byte) error
}

// TileHeight is the height of tiles, fixed by c2sp.org/tlog-tiles.
const TileHeight = 8

// maxIntegrate bounds how many entries one integration step takes.
const maxIntegrate = 1 << 14

// Config configures a Log.
type Config struct {
	// Origin is the log's name, the first line of its checkpoints, e.g.
	// "labels.example.org/log". It must be the signer key's name.
	Origin string
	// SignerKey is the signed-note private key ("PRIVATE+KEY+…").
	SignerKey string
	// Poll is how often the log looks for entries sequenced by other
	// processes (default 500 ms); entries appended through this process are
	// integrated at once.
	Poll time.Duration
	// Logger receives integration failures; nil discards them.
	Logger *slog.Logger
}

// Log is a transparency log over a Storage.
type Log struct {
	store    Storage
	signer   note.Signer
	origin   string
	vkey     string
	poll     time.Duration
	log      *slog.Logger
	kick     chan struct{}
	hashes   *hashCache
	integMu  sync.Mutex // one integration at a time in this process
	mu       sync.Mutex
	head     *Checkpoint
	advanced chan struct{} // closed (and replaced) whenever head moves
}

// New returns the log. Call Run to integrate entries in the background.
func New(store Storage, cfg Config) (*Log, error) {
	signer, err := note.NewSigner(cfg.SignerKey)
	if err != nil {
		return nil, fmt.Errorf("log signer key: %w", err)
	}
	if signer.Name() != cfg.Origin {
		return nil, fmt.Errorf("log origin %q differs from the signer key's name %q", cfg.Origin, signer.Name())
	}
	vkey, err := VerifierKey(cfg.SignerKey)
	if err != nil {
		return nil, err
	}
	l := &Log{store: store, signer: signer, origin: cfg.Origin, vkey: vkey, poll: cfg.Poll, log: cfg.Logger,
		kick: make(chan struct{}, 1), hashes: newHashCache(1 << 20), advanced: make(chan struct{})}
	if l.poll <= 0 {
		l.poll = 500 * time.Millisecond
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	return l, nil
}

// Origin returns the log's origin line.
func (l *Log) Origin() string { return l.origin }

// VerifierKey returns the log's public verifier key in signed-note format.
func (l *Log) VerifierKey() string { return l.vkey }

// Kick asks the integrator to integrate new entries now.
func (l *Log) Kick() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Run integrates entries until ctx ends: at once when kicked, and every
// poll interval for entries other processes sequenced.
func (l *Log) Run(ctx context.Context) {
	t := time.NewTicker(l.poll)
	defer t.Stop()
	for {
		if err := l.IntegrateAll(ctx); err != nil && ctx.Err() == nil {
			l.log.Error("log integration failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-l.kick:
		case <-t.C:
		}
	}
}

// IntegrateAll integrates every sequenced entry and publishes checkpoints
// until the tree covers them all.
func (l *Log) IntegrateAll(ctx context.Context) error {
	for {
		more, err := l.integrate(ctx)
		if err != nil || !more {
			return err
		}
	}
}

// integrate takes one step: the entries after the current checkpoint (at
// most maxIntegrate), their hashes, the new root, a signed checkpoint, all
// stored by compare-and-swap. It reports whether more entries wait.
func (l *Log) integrate(ctx context.Context) (bool, error) {
	l.integMu.Lock()
	defer l.integMu.Unlock()
	size, root, signed, err := l.store.LogHead(ctx)
	if err != nil {
		return false, err
	}
	n, err := l.store.LogSize(ctx)
	if err != nil {
		return false, err
	}
	if signed == nil && n == 0 {
		// Publish the empty tree, so there is always a checkpoint.
		return false, l.publish(ctx, 0, 0, nil, nil, emptyRoot)
	}
	if n <= size {
		if signed != nil {
			l.setHead(&Checkpoint{Origin: l.origin, Size: size, Root: tlog.Hash(root), Note: signed})
		}
		return false, nil
	}
	end := min(n, size+maxIntegrate)
	entries, err := l.store.LogEntries(ctx, size, end)
	if err != nil {
		return false, err
	}
	if int64(len(entries)) != end-size {
		return false, fmt.Errorf("log entries %d–%d: got %d", size, end-1, len(entries))
	}
	pending := map[int64]tlog.Hash{}
	reader := l.reader(ctx, pending)
	var ids []int64
	var hashes [][32]byte
	for i, data := range entries {
		idx := size + int64(i)
		hs, err := tlog.StoredHashes(idx, data, reader)
		if err != nil {
			return false, fmt.Errorf("hash entry %d: %w", idx, err)
		}
		first := tlog.StoredHashIndex(0, idx)
		for j, h := range hs {
			pending[first+int64(j)] = h
			ids = append(ids, first+int64(j))
			hashes = append(hashes, h)
		}
	}
	newRoot, err := tlog.TreeHash(end, reader)
	if err != nil {
		return false, fmt.Errorf("tree hash at %d: %w", end, err)
	}
	if err := l.publish(ctx, size, end, ids, hashes, newRoot); err != nil {
		if trustmark.IsKind(err, trustmark.KindConflict) {
			return true, nil // another instance integrated first: look again
		}
		return false, err
	}
	for i, id := range ids {
		l.hashes.put(id, hashes[i])
	}
	return end < n, nil
}

// publish signs and stores the checkpoint for size newSize.
func (l *Log) publish(ctx context.Context, oldSize, newSize int64, ids []int64, hashes [][32]byte, root tlog.Hash) error {
	signed, err := sign(l.signer, l.origin, newSize, root)
	if err != nil {
		return err
	}
	if err := l.store.StoreCheckpoint(ctx, oldSize, newSize, ids, hashes, root, signed); err != nil {
		return err
	}
	l.setHead(&Checkpoint{Origin: l.origin, Size: newSize, Root: root, Note: signed})
	return nil
}

// setHead records a newer checkpoint and wakes everyone waiting for one.
func (l *Log) setHead(c *Checkpoint) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.head != nil && c.Size <= l.head.Size {
		return
	}
	l.head = c
	close(l.advanced)
	l.advanced = make(chan struct{})
}

// Head returns the latest checkpoint, reading the store when this process
// has none yet. Errors: KindNotFound before the first checkpoint.
func (l *Log) Head(ctx context.Context) (*Checkpoint, error) {
	l.mu.Lock()
	h := l.head
	l.mu.Unlock()
	if h != nil {
		return h, nil
	}
	return l.refreshHead(ctx)
}

// refreshHead reads the stored checkpoint (which another instance may have
// advanced) and returns the newest known.
func (l *Log) refreshHead(ctx context.Context) (*Checkpoint, error) {
	size, root, signed, err := l.store.LogHead(ctx)
	if err != nil {
		return nil, err
	}
	if signed != nil {
		l.setHead(&Checkpoint{Origin: l.origin, Size: size, Root: tlog.Hash(root), Note: signed})
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.head == nil {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "the log has no checkpoint yet")
	}
	return l.head, nil
}

// Append sequences one entry, waits until it is durable and returns its
// index. It does not wait for a checkpoint: see Await.
func (l *Log) Append(ctx context.Context, data []byte) (int64, error) {
	var idx int64
	err := l.store.Transact(ctx, func(tx trustmark.Tx) error {
		var err error
		idx, err = tx.AppendLog("", data)
		return err
	})
	if err != nil {
		return 0, err
	}
	l.Kick()
	return idx, nil
}

// Await waits until a published checkpoint covers entry idx and returns it.
func (l *Log) Await(ctx context.Context, idx int64) (*Checkpoint, error) {
	l.Kick()
	t := time.NewTicker(l.poll)
	defer t.Stop()
	for {
		l.mu.Lock()
		h, advanced := l.head, l.advanced
		l.mu.Unlock()
		if h != nil && h.Size > idx {
			return h, nil
		}
		select {
		case <-advanced:
		case <-t.C:
			// Another instance may have integrated it.
			if _, err := l.refreshHead(ctx); err != nil && !trustmark.IsKind(err, trustmark.KindNotFound) {
				return nil, err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// reader reads stored hashes: pending ones first, then the cache, then the store.
func (l *Log) reader(ctx context.Context, pending map[int64]tlog.Hash) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var missing []int64
		var at []int
		for i, x := range indexes {
			if h, ok := pending[x]; ok {
				out[i] = h
			} else if h, ok := l.hashes.get(x); ok {
				out[i] = h
			} else {
				missing = append(missing, x)
				at = append(at, i)
			}
		}
		if len(missing) > 0 {
			got, err := l.store.ReadLogHashes(ctx, missing)
			if err != nil {
				return nil, err
			}
			for j, h := range got {
				out[at[j]] = h
				l.hashes.put(missing[j], h)
			}
		}
		return out, nil
	})
}

// hashCache keeps stored hashes, which never change once written.
type hashCache struct {
	mu  sync.RWMutex
	m   map[int64]tlog.Hash
	max int
}

func newHashCache(max int) *hashCache { return &hashCache{m: map[int64]tlog.Hash{}, max: max} }

func (c *hashCache) get(id int64) (tlog.Hash, bool) {
	c.mu.RLock()
	h, ok := c.m[id]
	c.mu.RUnlock()
	return h, ok
}

func (c *hashCache) put(id int64, h tlog.Hash) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[id] = h
	c.mu.Unlock()
}

// errNotIntegrated is returned for entries no checkpoint covers yet.
var errNotIntegrated = errors.New("not yet integrated")
