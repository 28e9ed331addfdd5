package program

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"

	"trustmark"
	"trustmark/internal/passwd"
)

// This file is the portals' sign-in: portal users, their passwords
// (Argon2id, see internal/passwd) and their sessions. A signed-in user acts
// through a Principal like a token holder does, so every rule of the
// program applies to portal users unchanged.

// Defaults of the session and lockout settings of Config.
const (
	// DefaultSessionLifetime is how long a session lasts at most, used or not.
	DefaultSessionLifetime = 12 * time.Hour
	// DefaultSessionIdle ends a session that has not been used this long.
	DefaultSessionIdle = 30 * time.Minute
	// DefaultLoginAttempts is how many consecutive failed sign-ins lock an account.
	DefaultLoginAttempts = 5
	// DefaultLockout is how long a locked account stays locked.
	DefaultLockout = 15 * time.Minute
)

// touchEvery is how stale a session's LastSeen may get before a request
// records its use: at most one write a minute per session.
const touchEvery = time.Minute

// sessionSecretLen is the length of a session secret: 256 random bits in
// unpadded base64url.
var sessionSecretLen = base64.RawURLEncoding.EncodedLen(32)

// authConfig holds the session and lockout settings in force.
type authConfig struct {
	lifetime, idle, lockout time.Duration
	attempts                int
	// dummyHash is the hash unknown emails are checked against, so that an
	// unknown email takes as long as a wrong password. Made on first use.
	dummyHash func() string
}

// newAuthConfig applies the defaults to cfg's settings.
func newAuthConfig(cfg Config) authConfig {
	a := authConfig{lifetime: cfg.SessionLifetime, idle: cfg.SessionIdle, lockout: cfg.Lockout, attempts: cfg.LoginAttempts}
	if a.lifetime <= 0 {
		a.lifetime = DefaultSessionLifetime
	}
	if a.idle <= 0 {
		a.idle = DefaultSessionIdle
	}
	if a.lockout <= 0 {
		a.lockout = DefaultLockout
	}
	if a.attempts <= 0 {
		a.attempts = DefaultLoginAttempts
	}
	a.dummyHash = sync.OnceValue(func() string {
		h, err := passwd.Hash(randomString(32))
		if err != nil {
			panic("program: hashing the dummy password: " + err.Error())
		}
		return h
	})
	return a
}

// The messages of sign-in failures. Unknown emails, wrong passwords and
// disabled accounts share one message so that it tells nobody which
// emails have accounts.
const (
	msgBadLogin     = "the email or password is wrong"
	msgSessionEnded = "your session has ended; sign in again"
)

func badLogin() error     { return trustmark.Errorf(trustmark.KindUnauthenticated, msgBadLogin) }
func sessionEnded() error { return trustmark.Errorf(trustmark.KindUnauthenticated, msgSessionEnded) }

// UserInput is what creating a portal user takes.
type UserInput struct {
	OrgID, Email, Name string
	Role               trustmark.Role
	Password           string
}

// UserPrincipal returns the principal a portal user acts as: its
// organization, and a token synthesized from the user (ID "user:"+u.ID) so
// that the program's rules, which look at the organization's kind and the
// token's role, apply to users as to token holders.
func UserPrincipal(u *trustmark.User, org *trustmark.Organization) *trustmark.Principal {
	return &trustmark.Principal{
		Org: *org,
		Token: trustmark.Token{
			ID:        "user:" + u.ID,
			OrgID:     u.OrgID,
			Holder:    u.Name + " <" + u.Email + ">",
			Role:      u.Role,
			CreatedAt: u.CreatedAt,
		},
	}
}

// newUser checks in and returns the user it describes, with its password
// hashed. The checks come before the (deliberately slow) hashing.
func newUser(in UserInput, createdBy string, now time.Time) (*trustmark.User, error) {
	u := &trustmark.User{
		OrgID:        strings.TrimSpace(in.OrgID),
		Email:        strings.ToLower(strings.TrimSpace(in.Email)),
		Name:         strings.TrimSpace(in.Name),
		Role:         in.Role,
		PasswordHash: "not yet hashed",
		CreatedAt:    now,
		CreatedBy:    createdBy,
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if err := passwd.Check(in.Password, u.Email); err != nil {
		return nil, err
	}
	h, err := passwd.Hash(in.Password)
	if err != nil {
		return nil, trustmark.Internal(err)
	}
	u.PasswordHash = h
	return u, nil
}

// CreateUser adds a portal user. Who: an admin, for its own organization
// (in.OrgID empty means the caller's); an admin of the Lead Administrator,
// for any organization. The email is trimmed and lower-cased. Errors:
// KindInvalid for bad fields or a password the policy rejects (see
// passwd.Check), KindNotFound for an unknown organization, KindConflict
// when the email is taken.
func (p *Program) CreateUser(ctx context.Context, pr *trustmark.Principal, in UserInput) (*trustmark.User, error) {
	if err := need(pr, trustmark.RoleAdmin); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.OrgID) == "" {
		in.OrgID = pr.Org.ID
	}
	if strings.TrimSpace(in.OrgID) != pr.Org.ID && !pr.Is(trustmark.OrgLeadAdministrator) {
		return nil, trustmark.Errorf(trustmark.KindForbidden, "an admin may add users only to their own organization")
	}
	return p.createUser(ctx, pr, in, pr.Token.ID)
}

// OperatorCreateUser adds a portal user to any organization on the
// authority of whoever runs the trustmark binary against the store (its
// operator), as OperatorToken does for tokens; by names the operator in
// the audit log. Errors: as CreateUser's.
func (p *Program) OperatorCreateUser(ctx context.Context, in UserInput, by string) (*trustmark.User, error) {
	if strings.TrimSpace(by) == "" {
		by = "trustmark operator"
	}
	op := &trustmark.Principal{Org: trustmark.Organization{Name: "operator"}, Token: trustmark.Token{Holder: by}}
	return p.createUser(ctx, op, in, "operator")
}

func (p *Program) createUser(ctx context.Context, pr *trustmark.Principal, in UserInput, createdBy string) (*trustmark.User, error) {
	u, err := newUser(in, createdBy, p.Now())
	if err != nil {
		return nil, err
	}
	err = p.transact(ctx, func(tx trustmark.Tx) error {
		org, err := tx.Organization(u.OrgID)
		if err != nil {
			return err
		}
		if err := tx.CreateUser(u); err != nil {
			return err // KindConflict names the taken email
		}
		return audit(tx, pr, u.CreatedAt, "user.create", "user/"+u.ID, "", string(u.Role), u.Name+" <"+u.Email+"> for "+org.Name)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Users lists the portal users of the caller's organization by email.
// Who: an admin.
func (p *Program) Users(ctx context.Context, pr *trustmark.Principal) ([]trustmark.User, error) {
	if err := need(pr, trustmark.RoleAdmin); err != nil {
		return nil, err
	}
	var out []trustmark.User
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.Users(pr.Org.ID)
		return err
	})
	return out, err
}

// DisableUser disables a portal user of the caller's organization and ends
// its sessions; disabling a disabled user changes nothing. Who: an admin of
// that organization, not on itself. Errors: KindNotFound for users of other
// organizations, KindRule for the caller's own account.
func (p *Program) DisableUser(ctx context.Context, pr *trustmark.Principal, id string) error {
	if err := need(pr, trustmark.RoleAdmin); err != nil {
		return err
	}
	if pr.Token.ID == "user:"+id {
		return ruleError("you may not disable your own account; ask another admin")
	}
	return p.transact(ctx, func(tx trustmark.Tx) error {
		u, err := tx.User(id)
		if err != nil || u.OrgID != pr.Org.ID {
			return notFound("user", id)
		}
		if u.DisabledAt != nil {
			return nil
		}
		now := p.Now()
		u.DisabledAt = &now
		if err := tx.UpdateUser(u); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(u.ID); err != nil {
			return err
		}
		return audit(tx, pr, now, "user.disable", "user/"+u.ID, "active", "disabled", u.Name+" <"+u.Email+">")
	})
}

// Login checks an email and password and starts a session, returning its
// secret (for the browser's cookie only; the store keeps its SHA-256) and
// the session, whose CSRF field is the token the session's forms carry.
// Errors: KindUnauthenticated "the email or password is wrong" for an
// unknown email, a wrong password or a disabled user alike, taking the same
// time; KindRateLimited, saying when to retry, while the account is locked
// after too many consecutive failures.
func (p *Program) Login(ctx context.Context, email, password string) (string, *trustmark.Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || len(email) > 254 || len(password) > 4*passwd.MaxLength {
		return "", nil, badLogin()
	}
	var u *trustmark.User
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		u, err = tx.UserByEmail(email)
		return err
	})
	if trustmark.IsKind(err, trustmark.KindNotFound) {
		// Spend the time a real check takes, then fail the same way.
		passwd.Verify(p.auth.dummyHash(), password)
		return "", nil, badLogin()
	}
	if err != nil {
		return "", nil, err
	}
	if err := p.checkLock(u); err != nil {
		return "", nil, err
	}
	ok, rehash, err := passwd.Verify(u.PasswordHash, password)
	if err != nil {
		return "", nil, trustmark.Internal(fmt.Errorf("user %s: %w", u.ID, err))
	}
	if !ok {
		return "", nil, p.loginFailed(ctx, u.ID)
	}
	if u.DisabledAt != nil {
		return "", nil, badLogin()
	}
	var newHash string
	if rehash {
		if newHash, err = passwd.Hash(password); err != nil {
			return "", nil, trustmark.Internal(err)
		}
	}
	checked, secret := u.PasswordHash, randomString(32)
	var s *trustmark.Session
	err = p.transact(ctx, func(tx trustmark.Tx) error {
		// Read again: the user may have changed since the check.
		u, err := tx.User(u.ID)
		if err != nil {
			return err
		}
		if u.DisabledAt != nil || u.PasswordHash != checked {
			return badLogin() // disabled, or the password changed meanwhile
		}
		if err := p.checkLock(u); err != nil {
			return err
		}
		org, err := tx.Organization(u.OrgID)
		if err != nil {
			return err
		}
		if u.FailedLogins != 0 || u.LockedUntil != nil || newHash != "" {
			u.FailedLogins, u.LockedUntil = 0, nil
			if newHash != "" {
				u.PasswordHash = newHash
			}
			if err := tx.UpdateUser(u); err != nil {
				return err
			}
		}
		now := p.Now()
		s = &trustmark.Session{
			Hash:      trustmark.HashToken(secret),
			UserID:    u.ID,
			CSRF:      randomString(32),
			CreatedAt: now,
			LastSeen:  now,
			ExpiresAt: now.Add(p.auth.lifetime),
		}
		if err := tx.CreateSession(s); err != nil {
			return err
		}
		return audit(tx, UserPrincipal(u, org), now, "login", "user/"+u.ID, "", "", "session until "+s.ExpiresAt.Format(time.RFC3339))
	})
	if err != nil {
		return "", nil, err
	}
	return secret, s, nil
}

// checkLock fails with KindRateLimited while u is locked.
func (p *Program) checkLock(u *trustmark.User) error {
	now := p.Now()
	if u.LockedUntil == nil || !now.Before(*u.LockedUntil) {
		return nil
	}
	until := u.LockedUntil.UTC()
	// Say a minute that is surely past the lock, never one before its end.
	shown := until.Add(time.Minute - time.Nanosecond).Truncate(time.Minute)
	wait := "a minute"
	if mins := int(until.Sub(now).Round(time.Minute) / time.Minute); mins > 1 {
		wait = itoa(mins) + " minutes"
	}
	return trustmark.Errorf(trustmark.KindRateLimited, "this account is locked after %d failed sign-ins in a row; try again after %s (in about %s)",
		p.auth.attempts, shown.Format("2006-01-02 15:04 UTC"), wait)
}

// loginFailed counts a failed password check of a user, locking the
// account at the limit, and returns the error to give the caller.
func (p *Program) loginFailed(ctx context.Context, userID string) error {
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		u, err := tx.User(userID)
		if err != nil {
			return err
		}
		org, err := tx.Organization(u.OrgID)
		if err != nil {
			return err
		}
		now := p.Now()
		if err := p.checkLock(u); err != nil {
			return err // a concurrent failure locked it already
		}
		u.FailedLogins++
		action, detail := "login.failed", fmt.Sprintf("wrong password (%d in a row)", u.FailedLogins)
		if u.FailedLogins >= p.auth.attempts {
			// Lock, and give a fresh count of attempts once the lock ends.
			until := now.Add(p.auth.lockout)
			u.FailedLogins, u.LockedUntil = 0, &until
			action, detail = "user.lock", fmt.Sprintf("%d failed sign-ins in a row; locked until %s", p.auth.attempts, until.Format(time.RFC3339))
		}
		if err := tx.UpdateUser(u); err != nil {
			return err
		}
		return audit(tx, UserPrincipal(u, org), now, action, "user/"+u.ID, "", "", detail)
	})
	if err != nil {
		return err
	}
	return badLogin()
}

// SessionPrincipal returns who a session secret stands for: the principal
// (see UserPrincipal), the user and the session. It records the session's
// use at most once a minute. Errors: KindUnauthenticated "your session has
// ended; sign in again" for an unknown, expired or idle session or a
// disabled user; an expired or idle session is deleted.
func (p *Program) SessionPrincipal(ctx context.Context, secret string) (*trustmark.Principal, *trustmark.User, *trustmark.Session, error) {
	if !looksLikeSessionSecret(secret) {
		return nil, nil, nil, sessionEnded()
	}
	hash := trustmark.HashToken(secret)
	var (
		s   *trustmark.Session
		u   *trustmark.User
		org *trustmark.Organization
	)
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		if s, err = tx.SessionByHash(hash); err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(s.Hash, hash) != 1 {
			return sessionEnded()
		}
		if u, err = tx.User(s.UserID); err != nil {
			return err
		}
		org, err = tx.Organization(u.OrgID)
		return err
	})
	if trustmark.IsKind(err, trustmark.KindNotFound) {
		return nil, nil, nil, sessionEnded()
	}
	if err != nil {
		return nil, nil, nil, err
	}
	now := p.Now()
	if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeen) > p.auth.idle || u.DisabledAt != nil {
		if err := p.endSession(ctx, hash); err != nil {
			return nil, nil, nil, err
		}
		return nil, nil, nil, sessionEnded()
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		err := p.transact(ctx, func(tx trustmark.Tx) error {
			return tx.TouchSession(hash, now)
		})
		if trustmark.IsKind(err, trustmark.KindNotFound) {
			return nil, nil, nil, sessionEnded() // ended meanwhile
		}
		if err != nil {
			return nil, nil, nil, err
		}
		s.LastSeen = now
	}
	return UserPrincipal(u, org), u, s, nil
}

// endSession deletes one session without an audit entry: it ended by itself.
func (p *Program) endSession(ctx context.Context, hash []byte) error {
	return p.transact(ctx, func(tx trustmark.Tx) error {
		return tx.DeleteSession(hash)
	})
}

// Logout ends the session of secret. Ending an unknown or ended session is
// not an error.
func (p *Program) Logout(ctx context.Context, secret string) error {
	if !looksLikeSessionSecret(secret) {
		return nil
	}
	hash := trustmark.HashToken(secret)
	return p.transact(ctx, func(tx trustmark.Tx) error {
		s, err := tx.SessionByHash(hash)
		if trustmark.IsKind(err, trustmark.KindNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteSession(hash); err != nil {
			return err
		}
		u, err := tx.User(s.UserID)
		if err != nil {
			return err
		}
		org, err := tx.Organization(u.OrgID)
		if err != nil {
			return err
		}
		return audit(tx, UserPrincipal(u, org), p.Now(), "logout", "user/"+u.ID, "", "", "")
	})
}

// ChangePassword changes the password of the user signed in with the
// session secret, after checking the old one, and ends the user's other
// sessions; this one stays. Errors: KindUnauthenticated when the session
// has ended; KindInvalid on field "old_password" when the old password is
// wrong (which counts as a failed sign-in towards the lockout) and on field
// "password" when the policy rejects the new one; KindRateLimited while the
// account is locked.
func (p *Program) ChangePassword(ctx context.Context, secret, oldPassword, newPassword string) error {
	_, u, s, err := p.SessionPrincipal(ctx, secret)
	if err != nil {
		return err
	}
	if err := p.checkLock(u); err != nil {
		return err
	}
	ok, _, err := passwd.Verify(u.PasswordHash, oldPassword)
	if err != nil {
		return trustmark.Internal(fmt.Errorf("user %s: %w", u.ID, err))
	}
	if !ok {
		if err := p.loginFailed(ctx, u.ID); !trustmark.IsKind(err, trustmark.KindUnauthenticated) {
			return err
		}
		return trustmark.FieldError("old_password", "is wrong")
	}
	if err := passwd.Check(newPassword, u.Email); err != nil {
		return err
	}
	h, err := passwd.Hash(newPassword)
	if err != nil {
		return trustmark.Internal(err)
	}
	return p.transact(ctx, func(tx trustmark.Tx) error {
		// Check again: the session may have ended since (a sign-out, a
		// disable), and must not come back below.
		if _, err := tx.SessionByHash(s.Hash); err != nil {
			if trustmark.IsKind(err, trustmark.KindNotFound) {
				return sessionEnded()
			}
			return err
		}
		u, err := tx.User(u.ID)
		if err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return sessionEnded()
		}
		org, err := tx.Organization(u.OrgID)
		if err != nil {
			return err
		}
		u.PasswordHash, u.FailedLogins, u.LockedUntil = h, 0, nil
		if err := tx.UpdateUser(u); err != nil {
			return err
		}
		// End every session, then keep this one.
		if err := tx.DeleteUserSessions(u.ID); err != nil {
			return err
		}
		if err := tx.CreateSession(s); err != nil {
			return err
		}
		return audit(tx, UserPrincipal(u, org), p.Now(), "user.password", "user/"+u.ID, "", "", "password changed; other sessions ended")
	})
}

// sweepSessions deletes the sessions that expired before now; Sweep calls it.
func sweepSessions(tx trustmark.Tx, now time.Time) error {
	_, err := tx.DeleteExpiredSessions(now)
	return err
}

// looksLikeSessionSecret reports whether s has the shape of a session secret.
func looksLikeSessionSecret(s string) bool {
	if len(s) != sessionSecretLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// randomString returns n random bytes in unpadded base64url.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("program: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
