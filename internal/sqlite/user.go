package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"trustmark"
)

// Portal users and sessions (trustmark.UserTx).

var _ trustmark.UserTx = (*tx)(nil)

// parseTimePtr reads an optional stored time.
func parseTimePtr(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

const userColumns = `id, org_id, email, name, role, password_hash, created_at, created_by, disabled_at, failed_logins, locked_until`

func scanUser(row interface{ Scan(...any) error }) (*trustmark.User, error) {
	var (
		u                   trustmark.User
		created             string
		disabled, lockedTil sql.NullString
	)
	if err := row.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &created, &u.CreatedBy, &disabled, &u.FailedLogins, &lockedTil); err != nil {
		return nil, err
	}
	var err error
	if u.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if u.DisabledAt, err = parseTimePtr(disabled); err != nil {
		return nil, err
	}
	if u.LockedUntil, err = parseTimePtr(lockedTil); err != nil {
		return nil, err
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
	u.CreatedAt = u.CreatedAt.UTC()
	if err := u.Validate(); err != nil {
		return err
	}
	if _, err := t.Organization(u.OrgID); err != nil {
		return err
	}
	if err := t.emailFree(u.Email, u.ID); err != nil {
		return err
	}
	_, err := t.q.ExecContext(t.ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.OrgID, u.Email, u.Name, u.Role, u.PasswordHash, timeText(u.CreatedAt), u.CreatedBy,
		timeTextPtr(u.DisabledAt), u.FailedLogins, timeTextPtr(u.LockedUntil))
	return docError(err, "user "+u.ID)
}

// emailFree fails with KindConflict when a user other than id has email.
func (t *tx) emailFree(email, id string) error {
	var other string
	err := t.q.QueryRowContext(t.ctx, `SELECT id FROM users WHERE email = ?`, email).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && other == id) {
		return nil
	}
	if err != nil {
		return storeError(err)
	}
	return &trustmark.Error{Kind: trustmark.KindConflict, Field: "email", Message: fmt.Sprintf("a user with the email %q already exists", email)}
}

func (t *tx) readUser(query string, arg any, what string) (*trustmark.User, error) {
	u, err := scanUser(t.q.QueryRowContext(t.ctx, `SELECT `+userColumns+` FROM users WHERE `+query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "%s not found", what)
	}
	return u, storeError(err)
}

// User implements trustmark.UserTx.
func (t *tx) User(id string) (*trustmark.User, error) {
	return t.readUser(`id = ?`, id, fmt.Sprintf("user %q", id))
}

// UserByEmail implements trustmark.UserTx.
func (t *tx) UserByEmail(email string) (*trustmark.User, error) {
	return t.readUser(`email = ?`, email, "user")
}

// Users implements trustmark.UserTx.
func (t *tx) Users(orgID string) ([]trustmark.User, error) {
	rows, err := t.q.QueryContext(t.ctx, `SELECT `+userColumns+` FROM users WHERE org_id = ? ORDER BY email`, orgID)
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
	res, err := t.q.ExecContext(t.ctx, `UPDATE users SET email = ?, name = ?, role = ?, password_hash = ?, disabled_at = ?,
		failed_logins = ?, locked_until = ? WHERE id = ?`,
		u.Email, u.Name, u.Role, u.PasswordHash, timeTextPtr(u.DisabledAt), u.FailedLogins, timeTextPtr(u.LockedUntil), u.ID)
	if err != nil {
		return docError(err, "user "+u.ID)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
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
	_, err := t.q.ExecContext(t.ctx, `INSERT INTO sessions (hash, user_id, csrf, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		s.Hash, s.UserID, s.CSRF, timeText(s.CreatedAt), timeText(s.LastSeen), timeText(s.ExpiresAt))
	return docError(err, "session")
}

// SessionByHash implements trustmark.UserTx.
func (t *tx) SessionByHash(hash []byte) (*trustmark.Session, error) {
	var (
		s                        trustmark.Session
		created, seen, expiresAt string
	)
	err := t.q.QueryRowContext(t.ctx, `SELECT hash, user_id, csrf, created_at, last_seen, expires_at FROM sessions WHERE hash = ?`, hash).
		Scan(&s.Hash, &s.UserID, &s.CSRF, &created, &seen, &expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, trustmark.Errorf(trustmark.KindNotFound, "session not found")
	}
	if err != nil {
		return nil, storeError(err)
	}
	for _, f := range []struct {
		s   string
		out *time.Time
	}{{created, &s.CreatedAt}, {seen, &s.LastSeen}, {expiresAt, &s.ExpiresAt}} {
		if *f.out, err = parseTime(f.s); err != nil {
			return nil, trustmark.Internal(fmt.Errorf("session time %q: %w", f.s, err))
		}
	}
	return &s, nil
}

// TouchSession implements trustmark.UserTx.
func (t *tx) TouchSession(hash []byte, at time.Time) error {
	res, err := t.q.ExecContext(t.ctx, `UPDATE sessions SET last_seen = MAX(last_seen, ?) WHERE hash = ?`, timeText(at), hash)
	if err != nil {
		return storeError(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return trustmark.Errorf(trustmark.KindNotFound, "session not found")
	}
	return nil
}

// DeleteSession implements trustmark.UserTx.
func (t *tx) DeleteSession(hash []byte) error {
	_, err := t.q.ExecContext(t.ctx, `DELETE FROM sessions WHERE hash = ?`, hash)
	return storeError(err)
}

// DeleteUserSessions implements trustmark.UserTx.
func (t *tx) DeleteUserSessions(userID string) error {
	_, err := t.q.ExecContext(t.ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return storeError(err)
}

// DeleteExpiredSessions implements trustmark.UserTx.
func (t *tx) DeleteExpiredSessions(at time.Time) (int, error) {
	res, err := t.q.ExecContext(t.ctx, `DELETE FROM sessions WHERE expires_at <= ?`, timeText(at))
	if err != nil {
		return 0, storeError(err)
	}
	n, err := res.RowsAffected()
	return int(n), storeError(err)
}
