package labtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Attempt outcomes.
const (
	loginAccepted = "accepted"
	loginRejected = "rejected"
	loginLockout  = "lockout"
	loginError    = "error"
)

// attempt is what one login attempt saw.
type attempt struct {
	outcome  string
	sent     string
	received string
	detail   string
	err      error
}

// loginFunc makes one login attempt with one pair on a fresh connection.
type loginFunc func(ctx context.Context, c Credential) attempt

// credResult sums up a run of login attempts against one service.
type credResult struct {
	accepted    *Credential
	acceptedObs string
	lockout     bool
	lockoutWhy  string
	lockoutObs  []string
	tried       int
	rejected    int
	errors      int
	obs         []string
}

// Signs of lockout besides a service saying so: this many failed
// connections in a row after the service had answered, or a rejection
// taking much longer than the first ones did.
const (
	lockoutErrorRun     = 3
	throttleFactor      = 5
	throttleMinIncrease = 3 * time.Second
)

// maxRetries is how often an attempt whose connection was dropped before
// the pair was judged is made again.
const maxRetries = 3

// transient reports whether a login error means the service dropped the
// connection before judging the pair: refused, reset or closed early.
func transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "handshake failed: EOF") || strings.Contains(msg, "connection reset by peer")
}

// tryCredentials tries the pairs against one service (label names it in
// the record, e.g. "ssh" or "http basic /admin/"), at most
// CredentialConcurrency at once, and stops at the first pair accepted or
// at the first sign of lockout. Every attempt is an observation.
func (p *prober) tryCredentials(ctx context.Context, s service, label string, creds []Credential, login loginFunc) credResult {
	var res credResult
	if p.cfg.NoLogin || len(creds) == 0 {
		return res
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, p.cfg.CredentialConcurrency)
	var (
		mu        sync.Mutex
		wg        sync.WaitGroup
		stopped   bool
		errRun    int
		firstSlow time.Duration // duration of the first rejection
	)
	for _, c := range creds {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		mu.Lock()
		stop := stopped || ctx.Err() != nil
		mu.Unlock()
		if stop {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			var a attempt
			var start time.Time
			// A device that limits concurrent connections (dropbear allows
			// five unauthenticated ones per address) drops some before it
			// reads the pair: such an attempt is made again, a little later,
			// up to maxRetries times. Each try is an observation.
			for try := 0; ; try++ {
				start = p.cfg.Now()
				a = login(ctx, c)
				if a.outcome != loginError || !transient(a.err) || try == maxRetries || ctx.Err() != nil {
					break
				}
				o := Observation{Address: s.Address, Port: s.Port.Port, Service: s.Service, Check: "login",
					Sent: a.sent, Received: a.received, Result: "retry", Username: ptr(c.Username), Password: ptr(c.Password),
					Detail: label + ": the connection was dropped before the pair was judged; trying again", Error: a.err.Error()}
				p.rec.observe(o, start)
				select {
				case <-time.After(time.Duration(200<<try) * time.Millisecond):
				case <-ctx.Done():
				}
			}
			if a.outcome == loginError && (errors.Is(a.err, context.Canceled) || ctx.Err() != nil) {
				// Cut short because another attempt decided the run.
				a.outcome = "cancelled"
			}
			o := Observation{Address: s.Address, Port: s.Port.Port, Service: s.Service, Check: "login",
				Sent: a.sent, Received: a.received, Result: a.outcome, Username: ptr(c.Username), Password: ptr(c.Password),
				Detail: label}
			if a.detail != "" {
				o.Detail += ": " + a.detail
			}
			if a.err != nil {
				o.Error = a.err.Error()
			}
			id := p.rec.observe(o, start)
			took := p.cfg.Now().Sub(start)

			mu.Lock()
			defer mu.Unlock()
			res.obs = append(res.obs, id)
			if a.outcome == "cancelled" {
				return
			}
			res.tried++
			switch a.outcome {
			case loginAccepted:
				if res.accepted == nil {
					cc := c
					res.accepted, res.acceptedObs = &cc, id
				}
				stopped = true
				cancel()
			case loginLockout:
				res.lockout, res.lockoutWhy = true, "the service said so: "+firstLine(a.received+" "+a.detail)
				res.lockoutObs = append(res.lockoutObs, id)
				stopped = true
				cancel()
			case loginRejected:
				res.rejected++
				errRun = 0
				if firstSlow == 0 {
					firstSlow = took
				} else if took > throttleFactor*firstSlow && took > firstSlow+throttleMinIncrease {
					res.lockout = true
					res.lockoutWhy = fmt.Sprintf("a rejection took %s, the first %s: the service slows down repeated failures", took.Round(time.Millisecond), firstSlow.Round(time.Millisecond))
					res.lockoutObs = append(res.lockoutObs, id)
					stopped = true
					cancel()
				}
			default:
				res.errors++
				errRun++
				if errRun >= lockoutErrorRun {
					stopped = true
					cancel()
					if res.rejected > 0 {
						res.lockout = true
						res.lockoutWhy = fmt.Sprintf("%d connections in a row failed after the service had answered: it stopped accepting the probe", errRun)
						res.lockoutObs = append(res.lockoutObs, id)
					}
				}
			}
		})
	}
	wg.Wait()
	return res
}

// reportCredentials turns a run of attempts into findings: the pair that
// worked (fail), lockout (pass for brute-force protection), or every pair
// rejected (pass).
func (p *prober) reportCredentials(s service, label string, r credResult) {
	switch {
	case r.accepted != nil:
		p.rec.find(Finding{Kind: "default-credentials", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title:    fmt.Sprintf("%s accepts %s", label, describePair(*r.accepted)),
			Detail:   fmt.Sprintf("%s logged in with username %q and password %q from the default-credential list (sources: %v) after %d attempts", label, r.accepted.Username, r.accepted.Password, r.accepted.Sources, r.tried),
			Username: ptr(r.accepted.Username), Password: ptr(r.accepted.Password)},
			[]string{r.acceptedObs})
	case r.lockout:
		p.rec.find(Finding{Kind: "brute-force-protection", Verdict: VerdictPass, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title:  fmt.Sprintf("%s stops repeated login failures", label),
			Detail: fmt.Sprintf("after %d attempts (%d rejected): %s; the remaining pairs were not tried", r.tried, r.rejected, r.lockoutWhy)},
			r.lockoutObs)
	case r.rejected > 0 && r.errors == 0:
		p.rec.find(Finding{Kind: "credentials-rejected", Verdict: VerdictPass, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title:  fmt.Sprintf("%s rejects all %d listed default pairs", label, r.rejected),
			Detail: fmt.Sprintf("%d attempts, all rejected", r.tried)},
			r.obs)
	}
}

// describePair shows a pair for titles, making empty values visible.
func describePair(c Credential) string {
	show := func(s string) string {
		if s == "" {
			return "(empty)"
		}
		return s
	}
	return show(c.Username) + "/" + show(c.Password)
}
