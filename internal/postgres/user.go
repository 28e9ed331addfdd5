package postgres

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"trustmark"
)

// Portal users and sessions (trustmark.UserTx). Statements are written so
// that the expected failures (a taken email, a missing organization) are
// found before they could fail a statement, which would abort the
// surrounding transaction.

var _ trustmark.UserTx = (*tx)(nil)

const userColumns = `id, org_id, email, name, role, password_hash, created_at, created_by, disabled_at, failed_logins, locked_until`

func scanUser(row pgx.Row) (*trustmark.User, error) {
	var u trustmark.User
	if err := row.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.CreatedAt, &u.CreatedBy, &u.DisabledAt, &u.FailedLogins, &u.LockedUntil); err != nil {
		return nil, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	for _, p := range []*time.Time{u.DisabledAt, u.LockedUntil} {
		if p != nil {
			*p = p.UTC()
		}
	}
	return &u, nil
}

// CreateUser implements trustmark.UserTx.
func (t *tx) CreateUser(u *trustmark.User) error {
	if u.ID == "" {
		u.ID = newID("usr_")
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now()
	}
	u.CreatedAt = pgTime(u.CreatedAt)
	u.DisabledAt, u.LockedUntil = pgTimePtr(u.DisabledAt), pgTimePtr(u.LockedUntil)
	if err := u.Validate(); err != nil {
		return err
	}
	if _, err := t.Organization(u.OrgID); err != nil {
		return err
	}
	if err := t.emailFree(u.Email, u.ID); err != nil {
		return err
	}
	tag, err := t.q.Exec(t.ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT DO NOTHING`,
		u.ID, u.OrgID, u.Email, u.Name, u.Role, u.PasswordHash, u.CreatedAt, u.CreatedBy, u.DisabledAt, u.FailedLogins, u.LockedUntil)
	if err != nil {
		return docError(err, "user "+u.ID)
	}
	if tag.RowsAffected() == 0 {
		return trustmark.Errorf(trustmark.KindConflict, "user %q already exists", u.ID)
	}
	return nil
}

// emailFree fails with KindConflict when a user other than id has email.
func (t *tx) emailFree(email, id string) error {
	var other string
	err := t.q.QueryRow(t.ctx, `SELECT id FROM users WHERE email = $1`, email).Scan(&other)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && other == id) {
		return nil
	}
	if err != nil {
		return storeError(err)
	}
	return &trustmark.Error{Kind: trustmark.KindConflict, Field: "email", Message: fmt.Sprintf("a user with the email %q already exists", email)}
}

func (t *tx) readUser(cond string, arg any, what string) (*trustmark.User, error) {
	u, err := scanUser(t.q.QueryRow(t.ctx, `SELECT `+userColumns+` FROM users WHERE `+cond, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "%s not found", what)
	}
	return u, storeError(err)
}

// User implements trustmark.UserTx.
func (t *tx) User(id string) (*trustmark.User, error) {
	return t.readUser(`id = $1`, id, fmt.Sprintf("user %q", id))
}

// UserByEmail implements trustmark.UserTx.
func (t *tx) UserByEmail(email string) (*trustmark.User, error) {
	return t.readUser(`email = $1`, email, "user")
}

// Users implements trustmark.UserTx.
func (t *tx) Users(orgID string) ([]trustmark.User, error) {
	rows, err := t.q.Query(t.ctx, `SELECT `+userColumns+` FROM users WHERE org_id = $1 ORDER BY email`, orgID)
	if err != nil {
		return nil, storeError(err)
	}
	defer rows.Close()
	out := []trustmark.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, storeError(err)
		}
		out = append(out, *u)
	}
	return out, storeError(rows.Err())
}

// UpdateUser implements trustmark.UserTx.
func (t *tx) UpdateUser(u *trustmark.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if err := t.emailFree(u.Email, u.ID); err != nil {
		return err
	}
	u.DisabledAt, u.LockedUntil = pgTimePtr(u.DisabledAt), pgTimePtr(u.LockedUntil)
	tag, err := t.q.Exec(t.ctx, `UPDATE users SET email = $1, name = $2, role = $3, password_hash = $4, disabled_at = $5,
		failed_logins = $6, locked_until = $7 WHERE id = $8`,
		u.Email, u.Name, u.Role, u.PasswordHash, u.DisabledAt, u.FailedLogins, u.LockedUntil, u.ID)
	if err != nil {
		return docError(err, "user "+u.ID)
	}
	if tag.RowsAffected() == 0 {
		return trustmark.Errorf(trustmark.KindNotFound, "user %q not found", u.ID)
	}
	return nil
}

// CreateSession implements trustmark.UserTx.
func (t *tx) CreateSession(s *trustmark.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if _, err := t.User(s.UserID); err != nil {
		return err
	}
	s.CreatedAt, s.LastSeen, s.ExpiresAt = pgTime(s.CreatedAt), pgTime(s.LastSeen), pgTime(s.ExpiresAt)
	tag, err := t.q.Exec(t.ctx, `INSERT INTO sessions (hash, user_id, csrf, created_at, last_seen, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT DO NOTHING`, s.Hash, s.UserID, s.CSRF, s.CreatedAt, s.LastSeen, s.ExpiresAt)
	if err != nil {
		return docError(err, "session")
	}
	if tag.RowsAffected() == 0 {
		return trustmark.Errorf(trustmark.KindConflict, "session already exists")
	}
	return nil
}

// SessionByHash implements trustmark.UserTx.
func (t *tx) SessionByHash(hash []byte) (*trustmark.Session, error) {
	var s trustmark.Session
	err := t.q.QueryRow(t.ctx, `SELECT hash, user_id, csrf, created_at, last_seen, expires_at FROM sessions WHERE hash = $1`, hash).
		Scan(&s.Hash, &s.UserID, &s.CSRF, &s.CreatedAt, &s.LastSeen, &s.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "session not found")
	}
	if err != nil {
		return nil, storeError(err)
	}
	s.CreatedAt, s.LastSeen, s.ExpiresAt = s.CreatedAt.UTC(), s.LastSeen.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

// TouchSession implements trustmark.UserTx.
func (t *tx) TouchSession(hash []byte, at time.Time) error {
	tag, err := t.q.Exec(t.ctx, `UPDATE sessions SET last_seen = GREATEST(last_seen, $1) WHERE hash = $2`, pgTime(at), hash)
	if err != nil {
		return storeError(err)
	}
	if tag.RowsAffected() == 0 {
		return trustmark.Errorf(trustmark.KindNotFound, "session not found")
	}
	return nil
}

// DeleteSession implements trustmark.UserTx.
func (t *tx) DeleteSession(hash []byte) error {
	_, err := t.q.Exec(t.ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
	return storeError(err)
}

// DeleteUserSessions implements trustmark.UserTx.
func (t *tx) DeleteUserSessions(userID string) error {
	_, err := t.q.Exec(t.ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return storeError(err)
}

// DeleteExpiredSessions implements trustmark.UserTx.
func (t *tx) DeleteExpiredSessions(at time.Time) (int, error) {
	tag, err := t.q.Exec(t.ctx, `DELETE FROM sessions WHERE expires_at <= $1`, pgTime(at))
	if err != nil {
		return 0, storeError(err)
	}
	return int(tag.RowsAffected()), nil
}
