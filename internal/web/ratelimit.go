package web

import (
	"hash/maphash"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"trustmark"
)

// rateLimiter gives every client (by IP address) its own token bucket. The
// buckets are sharded to keep lock contention low, and idle ones are swept.
type rateLimiter struct {
	limit  rate.Limit
	burst  int
	seed   maphash.Seed
	shards [32]limiterShard
	header string // a header carrying the client address set by a trusted proxy
}

type limiterShard struct {
	mu      sync.Mutex
	clients map[string]*clientBucket
	swept   time.Time
}

type clientBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newRateLimiter(perSecond float64, burst int, header string) *rateLimiter {
	rl := &rateLimiter{limit: rate.Limit(perSecond), burst: burst, seed: maphash.MakeSeed(), header: header}
	for i := range rl.shards {
		rl.shards[i].clients = map[string]*clientBucket{}
	}
	return rl
}

// allow takes a token for client at now; when none is left it returns how
// long until the next one.
func (rl *rateLimiter) allow(client string, now time.Time) (bool, time.Duration) {
	sh := &rl.shards[maphash.String(rl.seed, client)%uint64(len(rl.shards))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if now.Sub(sh.swept) > time.Minute {
		for k, b := range sh.clients {
			if now.Sub(b.seen) > 5*time.Minute {
				delete(sh.clients, k)
			}
		}
		sh.swept = now
	}
	b := sh.clients[client]
	if b == nil {
		b = &clientBucket{lim: rate.NewLimiter(rl.limit, rl.burst)}
		sh.clients[client] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if !res.OK() {
		return false, time.Second
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// clientAddr is the address rate limits key on: the TCP peer, or the
// rightmost entry of the configured proxy header.
func (rl *rateLimiter) clientAddr(r *http.Request) string {
	if rl.header != "" {
		if v := r.Header.Get(rl.header); v != "" {
			parts := strings.Split(v, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limit wraps a public handler with the per-client rate limit; over the
// limit it answers 429 with Retry-After.
func (s *Server) limit(next http.Handler) http.Handler { return s.limitWith(s.limiter, next) }

// limitWith wraps a handler with the given limiter (nil: no limit).
func (s *Server) limitWith(rl *rateLimiter, next http.Handler) http.Handler {
	if rl == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, wait := rl.allow(rl.clientAddr(r), s.now())
		if !ok {
			secs := int(wait/time.Second) + 1
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			err := trustmark.Errorf(trustmark.KindRateLimited, "too many requests: try again in %d s", secs)
			if isAPI(r) {
				s.apiError(w, r, err)
			} else {
				s.pageError(w, r, err)
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isAPI reports whether r is for the JSON API rather than an HTML page.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }
