// Package program holds the label program's rules: who may do what, in
// which state, on what clock (47 CFR 8.203–8.222). Every operation checks
// the caller, then loads, checks and changes state inside one store
// transaction together with its audit entry, so a rule and the change it
// allows can never come apart. Handlers and commands call this package;
// they never decide a rule themselves.
package program

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"time"

	"trustmark"
	"trustmark/internal/criteria"
)

// USCatalog is the criteria catalog a grant's test report must pass: the
// NIST IR 8425 consumer IoT baseline the FCC adopted (FCC 24-26 paras 96–99).
const USCatalog = "nist-ir-8425"

// Clocks of the program.
const (
	// ReviewWindow is how long after a decision the applicant may ask the
	// CLA to review it, and after the CLA's review decision the Bureau (8.212).
	ReviewWindow = 60 * 24 * time.Hour
	// CLAReviewBusinessDays is the time a CLA should take to review (8.212).
	CLAReviewBusinessDays = 10
	// BureauReviewDays is the time the Bureau takes to decide an appeal (extendable to 90).
	BureauReviewDays = 45
	// SampleDeadline is how long a grantee has to send a surveillance sample.
	SampleDeadline = 30 * 24 * time.Hour
)

// Config configures a Program.
type Config struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Seed returns a random seed for surveillance sampling; nil means crypto/rand.
	Seed func() uint64
	// Committed is called after every committed change, e.g. to have the
	// transparency log integrate the label events it wrote; nil does nothing.
	Committed func()

	// SessionLifetime is how long a portal session lasts at most; 0 means
	// DefaultSessionLifetime (12 hours).
	SessionLifetime time.Duration
	// SessionIdle ends a portal session unused this long; 0 means
	// DefaultSessionIdle (30 minutes).
	SessionIdle time.Duration
	// LoginAttempts is how many consecutive failed sign-ins lock a portal
	// account; 0 means DefaultLoginAttempts (5).
	LoginAttempts int
	// Lockout is how long a locked account stays locked; 0 means
	// DefaultLockout (15 minutes).
	Lockout time.Duration

	// WebhookKey is the server's key material that seals webhook secrets
	// (see CreateWebhook); nil disables webhooks.
	WebhookKey []byte
}

// Program applies the program's rules to a store.
type Program struct {
	store     trustmark.Store
	criteria  *criteria.Set
	now       func() time.Time
	seed      func() uint64
	committed func()
	auth      authConfig
	// webhookKey seals webhook secrets; nil when webhooks are disabled.
	webhookKey []byte
}

// New returns the program over store, judging test reports with set.
func New(store trustmark.Store, set *criteria.Set, cfg Config) *Program {
	p := &Program{store: store, criteria: set, now: cfg.Now, seed: cfg.Seed, committed: cfg.Committed, auth: newAuthConfig(cfg),
		webhookKey: cfg.WebhookKey}
	if p.now == nil {
		p.now = time.Now
	}
	if p.seed == nil {
		p.seed = func() uint64 {
			var b [8]byte
			rand.Read(b[:])
			// 53 bits: the seed stays exact in JSON numbers everywhere.
			return binary.LittleEndian.Uint64(b[:]) & (1<<53 - 1)
		}
	}
	return p
}

// Now is the program's current time, UTC.
func (p *Program) Now() time.Time { return p.now().UTC() }

// Criteria returns the criteria the program judges reports by.
func (p *Program) Criteria() *criteria.Set { return p.criteria }

// audit appends an entry for an action by pr.
func audit(tx trustmark.Tx, pr *trustmark.Principal, at time.Time, action, subject, from, to, detail string) error {
	e := &trustmark.AuditEntry{At: at, Actor: pr.Actor(), Action: action, Subject: subject, From: from, To: to, Detail: detail}
	if pr != nil {
		e.OrgID, e.TokenID = pr.Org.ID, pr.Token.ID
	}
	return tx.Audit(e)
}

// systemActor is the principal automatic actions are recorded under.
var systemActor = &trustmark.Principal{
	Org:   trustmark.Organization{ID: "", Name: "trustmark"},
	Token: trustmark.Token{Holder: "automatic rule"},
}

// transact runs fn in one store transaction.
func (p *Program) transact(ctx context.Context, fn func(trustmark.Tx) error) error {
	if err := p.store.Transact(ctx, fn); err != nil {
		return err
	}
	if p.committed != nil {
		p.committed()
	}
	return nil
}

// view runs fn in one read-only snapshot.
func (p *Program) view(ctx context.Context, fn func(trustmark.Tx) error) error {
	return p.store.View(ctx, fn)
}

// itoa formats a small integer.
func itoa(n int) string { return strconv.Itoa(n) }

// utoa formats an unsigned integer.
func utoa(n uint64) string { return strconv.FormatUint(n, 10) }
