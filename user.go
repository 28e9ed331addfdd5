package trustmark

import (
	"crypto/sha256"
	"net/mail"
	"strings"
	"time"
)

// User is a person who signs in to the web portals for one organization,
// with one role there. Only a hash of the password is stored, in the PHC
// string format of the key-derivation function that made it.
type User struct {
	ID           string     `json:"id"`
	OrgID        string     `json:"organization_id"`
	Email        string     `json:"email"` // unique, stored lower-case
	Name         string     `json:"name"`
	Role         Role       `json:"role"`
	PasswordHash string     `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	CreatedBy    string     `json:"created_by"`
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
	// FailedLogins counts consecutive failed sign-ins; LockedUntil stops
	// sign-ins after too many of them.
	FailedLogins int        `json:"-"`
	LockedUntil  *time.Time `json:"-"`
}

// Validate checks the user's fields.
func (u *User) Validate() error {
	if u.OrgID == "" {
		return FieldError("organization_id", "is required")
	}
	if err := checkText("name", u.Name, 1, maxName); err != nil {
		return err
	}
	a, err := mail.ParseAddress(u.Email)
	if err != nil || a.Address != u.Email || len(u.Email) > 254 || strings.ToLower(u.Email) != u.Email {
		return FieldError("email", "must be a plain, lower-case email address such as ana@lab.example")
	}
	if !u.Role.Valid() {
		return FieldError("role", "must be admin, member or viewer; got %q", truncate(string(u.Role), 20))
	}
	if u.PasswordHash == "" {
		return FieldError("password", "is required")
	}
	if u.FailedLogins < 0 {
		return FieldError("failed_logins", "must not be negative")
	}
	return nil
}

// Session is one signed-in browser. Its secret lives only in the browser's
// cookie; the store keeps the SHA-256 hash, as for tokens. A session ends at
// ExpiresAt, after IdleTimeout without use, or when the user signs out.
type Session struct {
	Hash      []byte    `json:"-"`
	UserID    string    `json:"user_id"`
	CSRF      string    `json:"-"` // the token every form of this session must carry
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Validate checks the session's fields.
func (s *Session) Validate() error {
	if len(s.Hash) != sha256.Size {
		return FieldError("hash", "is not a SHA-256 hash")
	}
	if s.UserID == "" {
		return FieldError("user_id", "is required")
	}
	if s.CSRF == "" {
		return FieldError("csrf", "is required")
	}
	if s.CreatedAt.IsZero() || s.LastSeen.IsZero() || s.ExpiresAt.IsZero() {
		return FieldError("expires_at", "created_at, last_seen and expires_at are required")
	}
	if !s.ExpiresAt.After(s.CreatedAt) {
		return FieldError("expires_at", "must be after created_at")
	}
	return nil
}

// UserTx is the part of Tx that keeps portal users and their sessions.
// Users are never deleted, only disabled, so that audit entries keep
// naming someone who existed.
type UserTx interface {
	// CreateUser validates and stores a user, assigning u.ID when it is
	// empty and u.CreatedAt when it is zero. Errors: KindInvalid;
	// KindNotFound when the organization does not exist; KindConflict when
	// the email or ID is taken.
	CreateUser(u *User) error
	// User returns one user. Errors: KindNotFound.
	User(id string) (*User, error)
	// UserByEmail finds a user by lower-case email. Errors: KindNotFound.
	UserByEmail(email string) (*User, error)
	// Users lists an organization's users by email (none for an unknown
	// organization).
	Users(orgID string) ([]User, error)
	// UpdateUser validates and stores a changed user: email, name, role,
	// password hash, disabled time and lockout fields; its organization,
	// creation time and creator never change. Errors: KindInvalid;
	// KindNotFound; KindConflict when the new email is taken.
	UpdateUser(u *User) error

	// CreateSession validates and stores a session. Errors: KindInvalid;
	// KindNotFound when the user does not exist; KindConflict when the
	// hash is taken.
	CreateSession(s *Session) error
	// SessionByHash finds a session by the hash of its secret, expired or
	// not. Errors: KindNotFound.
	SessionByHash(hash []byte) (*Session, error)
	// TouchSession records use of a session at at; LastSeen never moves
	// back. Errors: KindNotFound.
	TouchSession(hash []byte, at time.Time) error
	// DeleteSession ends one session; ending a missing one is not an error.
	DeleteSession(hash []byte) error
	// DeleteUserSessions ends every session of a user (password change, disable).
	DeleteUserSessions(userID string) error
	// DeleteExpiredSessions removes the sessions whose ExpiresAt is at or
	// before at, and returns how many.
	DeleteExpiredSessions(at time.Time) (int, error)
}
