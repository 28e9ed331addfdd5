package trustmark

import (
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

// UserTx is the part of Tx that keeps portal users and their sessions.
type UserTx interface {
	// CreateUser stores a user. Errors: KindInvalid; KindNotFound when the
	// organization does not exist; KindConflict when the email is taken.
	CreateUser(u *User) error
	User(id string) (*User, error)
	// UserByEmail finds a user by lower-case email. Errors: KindNotFound.
	UserByEmail(email string) (*User, error)
	// Users lists an organization's users by email.
	Users(orgID string) ([]User, error)
	// UpdateUser stores a changed user (password, role, lockout, disabled).
	UpdateUser(u *User) error

	CreateSession(s *Session) error
	// SessionByHash finds a session by the hash of its secret. Errors: KindNotFound.
	SessionByHash(hash []byte) (*Session, error)
	// TouchSession records use of a session at at.
	TouchSession(hash []byte, at time.Time) error
	// DeleteSession ends one session; ending a missing one is not an error.
	DeleteSession(hash []byte) error
	// DeleteUserSessions ends every session of a user (password change, disable).
	DeleteUserSessions(userID string) error
	// DeleteExpiredSessions removes sessions that expired before at and
	// returns how many.
	DeleteExpiredSessions(at time.Time) (int, error)
}
