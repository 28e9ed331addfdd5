package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"trustmark"
)

// recordCache keeps recently served registry records, resolved and with
// their rendered JSON and pages, so a QR scan of a popular product costs no
// database query and no template execution.
//
// It stays fresh by asking the store, at most every refresh interval, which
// records changed since the last change sequence number it saw
// (Store.RegistryChanges) and dropping those. This bounds staleness for
// changes made by other processes or instances; changes this process makes
// call invalidate directly. An entry also expires at the end of its UTC day,
// because a record's "supported" flag depends on the date.
type recordCache struct {
	store   trustmark.Store
	max     int
	refresh time.Duration
	now     func() time.Time
	log     *slog.Logger

	mu      sync.RWMutex
	entries map[trustmark.LabelID]*cacheEntry
	seq     int64 // last change sequence applied
	ready   bool  // seq has been read from the store

	lastPoll atomic.Int64 // unix nanoseconds of the last poll start
	polling  atomic.Bool
}

// cacheEntry is one resolved record and its lazily rendered bodies.
type cacheEntry struct {
	rec     *trustmark.RegistryRecord
	expires time.Time
	bodies  []atomic.Pointer[body]
	// event is the logged entry at rec.LogIndex, read on first use: it
	// never changes for that index.
	event atomic.Pointer[[]byte]
}

// The bodies a cache entry can hold: the JSON record, and the L1 and L2
// pages once per language (kind + langIndex × bodyPageKinds).
const (
	bodyJSON = iota
	bodyL1
	bodyL2
	bodyPageKinds = 2 // L1 and L2: the page kinds repeated per language
)

// bodyKinds is the number of body slots: JSON plus the pages per language.
var bodyKinds = 1 + bodyPageKinds*len(languages)

// body is a rendered response and its strong ETag.
type body struct {
	data []byte
	etag string
}

func newBody(data []byte) *body {
	sum := sha256.Sum256(data)
	return &body{data: data, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
}

func newRecordCache(store trustmark.Store, max int, refresh time.Duration, now func() time.Time, log *slog.Logger) *recordCache {
	return &recordCache{store: store, max: max, refresh: refresh, now: now, log: log, entries: map[trustmark.LabelID]*cacheEntry{}}
}

// get returns the entry for id, loading and resolving the record on a miss.
// resolve fills the record's serving-time fields.
func (c *recordCache) get(ctx context.Context, id trustmark.LabelID, resolve func(*trustmark.RegistryRecord)) (*cacheEntry, error) {
	now := c.now()
	if c.max > 0 {
		c.maybePoll(now)
		c.mu.RLock()
		e, ok := c.entries[id]
		ready := c.ready
		c.mu.RUnlock()
		if ok && now.Before(e.expires) {
			return e, nil
		}
		if !ready {
			c.init(ctx)
		}
	}
	// Read the change sequence before the record, so a change racing with
	// this load is seen by the next poll and evicts what we store now.
	c.mu.RLock()
	seqBefore := c.seq
	c.mu.RUnlock()
	rec, err := c.store.RegistryRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	resolve(rec)
	y, m, d := now.UTC().Date()
	e := &cacheEntry{rec: rec, expires: time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC), bodies: make([]atomic.Pointer[body], bodyKinds)}
	if c.max > 0 {
		c.mu.Lock()
		if c.ready && c.seq == seqBefore {
			if len(c.entries) >= c.max {
				// Evict an arbitrary tenth: cheap, and fair enough for a cache
				// whose misses cost one indexed lookup.
				n := c.max / 10
				for k := range c.entries {
					if n <= 0 {
						break
					}
					delete(c.entries, k)
					n--
				}
			}
			c.entries[id] = e
		}
		c.mu.Unlock()
	}
	return e, nil
}

// init reads the store's current change sequence; entries are cached only
// once it is known.
func (c *recordCache) init(ctx context.Context) {
	_, seq, err := c.store.RegistryChanges(ctx, 0, 0)
	if err != nil {
		c.log.WarnContext(ctx, "registry cache: cannot read change sequence", slog.Any("error", err))
		return
	}
	c.mu.Lock()
	if !c.ready {
		c.seq, c.ready = seq, true
		c.lastPoll.Store(c.now().UnixNano())
	}
	c.mu.Unlock()
}

// maybePoll starts a background poll for changes when the last one is older
// than the refresh interval. Requests never wait for it.
func (c *recordCache) maybePoll(now time.Time) {
	if now.UnixNano()-c.lastPoll.Load() < int64(c.refresh) || !c.polling.CompareAndSwap(false, true) {
		return
	}
	c.lastPoll.Store(now.UnixNano())
	go func() {
		defer c.polling.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.poll(ctx)
	}()
}

// poll drops every cached entry whose record changed since the last poll.
func (c *recordCache) poll(ctx context.Context) {
	c.mu.RLock()
	seq, ready := c.seq, c.ready
	c.mu.RUnlock()
	if !ready {
		return
	}
	const batch = 1000
	for rounds := 0; ; rounds++ {
		ids, next, err := c.store.RegistryChanges(ctx, seq, batch)
		if err != nil {
			c.log.WarnContext(ctx, "registry cache: poll failed", slog.Any("error", err))
			return
		}
		c.mu.Lock()
		if rounds >= 10 {
			// Too much changed to follow one by one: start over.
			clear(c.entries)
		}
		for _, id := range ids {
			delete(c.entries, id)
		}
		c.seq = next
		c.mu.Unlock()
		seq = next
		if len(ids) < batch {
			return
		}
	}
}

// invalidate drops one entry at once, for changes made by this process.
func (c *recordCache) invalidate(id trustmark.LabelID) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

// render returns the body of kind k, rendering it with fn on first use.
func (e *cacheEntry) render(k int, fn func(*trustmark.RegistryRecord) ([]byte, error)) (*body, error) {
	if b := e.bodies[k].Load(); b != nil {
		return b, nil
	}
	data, err := fn(e.rec)
	if err != nil {
		return nil, err
	}
	b := newBody(data)
	e.bodies[k].Store(b)
	return b, nil
}
