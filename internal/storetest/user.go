package storetest

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"trustmark"
)

// userTests are the conformance tests of trustmark.UserTx.
var userTests = []struct {
	name string
	fn   func(t *testing.T, s trustmark.Store)
}{
	{"TxUsers", testTxUsers},
	{"TxUserUpdate", testTxUserUpdate},
	{"TxSessions", testTxSessions},
	{"TxSessionCleanup", testTxSessionCleanup},
}

// newTestUser returns a valid user of org.
func newTestUser(orgID, email string) *trustmark.User {
	return &trustmark.User{
		OrgID: orgID, Email: email, Name: "Ana Ruiz", Role: trustmark.RoleAdmin,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		CreatedAt:    t0, CreatedBy: "operator",
	}
}

// createUser stores a user or fails the test.
func createUser(t *testing.T, s trustmark.Store, u *trustmark.User) {
	t.Helper()
	transact(t, s, func(tx trustmark.Tx) error { return tx.CreateUser(u) })
}

func testTxUsers(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "usr")
	ana := newTestUser(f.Lab.ID, "ana@lab.example")
	bo := newTestUser(f.Lab.ID, "bo@lab.example")
	bo.Role = trustmark.RoleViewer
	cy := newTestUser(f.Manufacturer.ID, "cy@maker.example")
	for _, u := range []*trustmark.User{bo, ana, cy} {
		createUser(t, s, u)
		if u.ID == "" {
			t.Fatalf("CreateUser(%s) left the ID empty", u.Email)
		}
	}
	transact(t, s, func(tx trustmark.Tx) error {
		got, err := tx.User(ana.ID)
		if err != nil {
			t.Fatalf("User(%s) = %v", ana.ID, err)
		}
		if diff := cmp.Diff(ana, got); diff != "" {
			t.Errorf("User() mismatch (-want +got):\n%s", diff)
		}
		got, err = tx.UserByEmail("bo@lab.example")
		if err != nil {
			t.Fatalf("UserByEmail(bo) = %v", err)
		}
		if diff := cmp.Diff(bo, got); diff != "" {
			t.Errorf("UserByEmail() mismatch (-want +got):\n%s", diff)
		}
		_, err = tx.User("usr_missing")
		wantKind(t, "User(missing)", err, trustmark.KindNotFound)
		_, err = tx.UserByEmail("nobody@lab.example")
		wantKind(t, "UserByEmail(missing)", err, trustmark.KindNotFound)
		_, err = tx.UserByEmail("ANA@lab.example")
		wantKind(t, "UserByEmail(upper case)", err, trustmark.KindNotFound)

		// Failures inside a transaction leave it usable.
		dup := newTestUser(f.Manufacturer.ID, "ana@lab.example")
		wantKind(t, "CreateUser(same email)", tx.CreateUser(dup), trustmark.KindConflict)
		sameID := newTestUser(f.Lab.ID, "other@lab.example")
		sameID.ID = ana.ID
		wantKind(t, "CreateUser(same ID)", tx.CreateUser(sameID), trustmark.KindConflict)
		wantKind(t, "CreateUser(unknown org)", tx.CreateUser(newTestUser("org_missing", "dee@lab.example")), trustmark.KindNotFound)
		for name, change := range map[string]func(u *trustmark.User){
			"no org":          func(u *trustmark.User) { u.OrgID = "" },
			"upper-case mail": func(u *trustmark.User) { u.Email = "Eve@lab.example" },
			"not an email":    func(u *trustmark.User) { u.Email = "eve" },
			"no name":         func(u *trustmark.User) { u.Name = "" },
			"bad role":        func(u *trustmark.User) { u.Role = "owner" },
			"no password":     func(u *trustmark.User) { u.PasswordHash = "" },
			"negative count":  func(u *trustmark.User) { u.FailedLogins = -1 },
		} {
			u := newTestUser(f.Lab.ID, "eve@lab.example")
			change(u)
			wantKind(t, "CreateUser("+name+")", tx.CreateUser(u), trustmark.KindInvalid)
		}

		list, err := tx.Users(f.Lab.ID)
		if err != nil {
			t.Fatalf("Users() = %v", err)
		}
		var emails []string
		for _, u := range list {
			emails = append(emails, u.Email)
		}
		if diff := cmp.Diff([]string{"ana@lab.example", "bo@lab.example"}, emails); diff != "" {
			t.Errorf("Users(lab) emails mismatch (-want +got):\n%s", diff)
		}
		if list, err := tx.Users("org_missing"); err != nil || len(list) != 0 {
			t.Errorf("Users(unknown org) = %v, %v; want none", list, err)
		}
		return nil
	})
	// The failed attempts above stored nothing.
	transact(t, s, func(tx trustmark.Tx) error {
		if _, err := tx.UserByEmail("eve@lab.example"); !trustmark.IsKind(err, trustmark.KindNotFound) {
			t.Errorf("UserByEmail(eve) after invalid creates = %v, want not found", err)
		}
		if list, _ := tx.Users(f.Manufacturer.ID); len(list) != 1 {
			t.Errorf("Users(manufacturer) = %d users, want 1", len(list))
		}
		return nil
	})
}

func testTxUserUpdate(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "upd")
	ana := newTestUser(f.CLA.ID, "ana@cla.example")
	bo := newTestUser(f.CLA.ID, "bo@cla.example")
	createUser(t, s, ana)
	createUser(t, s, bo)

	locked, disabled := t0.Add(15*time.Minute), t0.Add(time.Hour)
	want := *ana
	want.Name, want.Role, want.Email = "Ana Ruiz-Soto", trustmark.RoleMember, "ana.ruiz@cla.example"
	want.PasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdG5ld3NhbHQ$bmV3aGFzaG5ld2hhc2huZXdoYXNobmV3aGFzaG5ldw"
	want.FailedLogins, want.LockedUntil, want.DisabledAt = 3, &locked, &disabled
	transact(t, s, func(tx trustmark.Tx) error {
		u := want
		return tx.UpdateUser(&u)
	})
	transact(t, s, func(tx trustmark.Tx) error {
		got, err := tx.User(ana.ID)
		if err != nil {
			t.Fatalf("User() = %v", err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("User() after UpdateUser mismatch (-want +got):\n%s", diff)
		}
		if _, err := tx.UserByEmail("ana@cla.example"); !trustmark.IsKind(err, trustmark.KindNotFound) {
			t.Errorf("UserByEmail(old email) = %v, want not found", err)
		}

		// Clearing the lockout round-trips too.
		got.FailedLogins, got.LockedUntil, got.DisabledAt = 0, nil, nil
		if err := tx.UpdateUser(got); err != nil {
			t.Fatalf("UpdateUser(clear lockout) = %v", err)
		}
		again, err := tx.User(ana.ID)
		if err != nil || again.FailedLogins != 0 || again.LockedUntil != nil || again.DisabledAt != nil {
			t.Errorf("User() after clearing = %+v, %v; want no lockout and not disabled", again, err)
		}

		// Organization, creation time and creator do not change.
		moved := *again
		moved.OrgID, moved.CreatedBy, moved.CreatedAt = f.Lab.ID, "someone", t0.Add(time.Hour)
		if err := tx.UpdateUser(&moved); err != nil {
			t.Fatalf("UpdateUser(moved) = %v", err)
		}
		if got, _ := tx.User(ana.ID); got.OrgID != f.CLA.ID || got.CreatedBy != "operator" || !got.CreatedAt.Equal(t0) {
			t.Errorf("User() after changing fixed fields = %+v; want them unchanged", got)
		}

		taken := *again
		taken.Email = "bo@cla.example"
		wantKind(t, "UpdateUser(taken email)", tx.UpdateUser(&taken), trustmark.KindConflict)
		bad := *again
		bad.Role = "owner"
		wantKind(t, "UpdateUser(bad role)", tx.UpdateUser(&bad), trustmark.KindInvalid)
		missing := *again
		missing.ID, missing.Email = "usr_missing", "missing@cla.example"
		wantKind(t, "UpdateUser(missing)", tx.UpdateUser(&missing), trustmark.KindNotFound)
		return nil
	})
	transact(t, s, func(tx trustmark.Tx) error {
		if got, err := tx.User(bo.ID); err != nil || got.Email != "bo@cla.example" {
			t.Errorf("User(bo) = %+v, %v; want unchanged", got, err)
		}
		return nil
	})
}

// newTestSession returns a session of userID created at at, named by secret.
func newTestSession(userID, secret string, at time.Time, life time.Duration) *trustmark.Session {
	h := sha256.Sum256([]byte(secret))
	return &trustmark.Session{Hash: h[:], UserID: userID, CSRF: "csrf-" + secret, CreatedAt: at, LastSeen: at, ExpiresAt: at.Add(life)}
}

func testTxSessions(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "ses")
	ana := newTestUser(f.Lab.ID, "ana@lab.example")
	createUser(t, s, ana)
	s1 := newTestSession(ana.ID, "one", t0, 12*time.Hour)
	transact(t, s, func(tx trustmark.Tx) error { return tx.CreateSession(s1) })
	transact(t, s, func(tx trustmark.Tx) error {
		got, err := tx.SessionByHash(s1.Hash)
		if err != nil {
			t.Fatalf("SessionByHash() = %v", err)
		}
		if diff := cmp.Diff(s1, got); diff != "" {
			t.Errorf("SessionByHash() mismatch (-want +got):\n%s", diff)
		}
		_, err = tx.SessionByHash(newTestSession(ana.ID, "other", t0, time.Hour).Hash)
		wantKind(t, "SessionByHash(unknown)", err, trustmark.KindNotFound)

		wantKind(t, "CreateSession(same hash)", tx.CreateSession(newTestSession(ana.ID, "one", t0, time.Hour)), trustmark.KindConflict)
		// A session needs a user that exists (users are never deleted).
		wantKind(t, "CreateSession(unknown user)", tx.CreateSession(newTestSession("usr_missing", "two", t0, time.Hour)), trustmark.KindNotFound)
		for name, change := range map[string]func(*trustmark.Session){
			"short hash":      func(s *trustmark.Session) { s.Hash = s.Hash[:16] },
			"no user":         func(s *trustmark.Session) { s.UserID = "" },
			"no csrf":         func(s *trustmark.Session) { s.CSRF = "" },
			"no expiry":       func(s *trustmark.Session) { s.ExpiresAt = time.Time{} },
			"expires created": func(s *trustmark.Session) { s.ExpiresAt = s.CreatedAt },
		} {
			bad := newTestSession(ana.ID, "bad "+name, t0, time.Hour)
			change(bad)
			wantKind(t, "CreateSession("+name+")", tx.CreateSession(bad), trustmark.KindInvalid)
		}

		// Touching moves LastSeen forward, never back.
		if err := tx.TouchSession(s1.Hash, t0.Add(5*time.Minute)); err != nil {
			t.Fatalf("TouchSession() = %v", err)
		}
		if err := tx.TouchSession(s1.Hash, t0.Add(2*time.Minute)); err != nil {
			t.Fatalf("TouchSession(earlier) = %v", err)
		}
		if got, err := tx.SessionByHash(s1.Hash); err != nil || !got.LastSeen.Equal(t0.Add(5*time.Minute)) || !got.ExpiresAt.Equal(s1.ExpiresAt) {
			t.Errorf("after touching: %+v, %v; want LastSeen %v and ExpiresAt unchanged", got, err, t0.Add(5*time.Minute))
		}
		wantKind(t, "TouchSession(unknown)", tx.TouchSession(newTestSession(ana.ID, "nine", t0, time.Hour).Hash, t0), trustmark.KindNotFound)
		return nil
	})
	transact(t, s, func(tx trustmark.Tx) error {
		// Only the valid session was stored.
		for _, secret := range []string{"two", "bad no csrf"} {
			if _, err := tx.SessionByHash(newTestSession(ana.ID, secret, t0, time.Hour).Hash); !trustmark.IsKind(err, trustmark.KindNotFound) {
				t.Errorf("SessionByHash(%s) = %v, want not found", secret, err)
			}
		}
		if err := tx.DeleteSession(s1.Hash); err != nil {
			t.Fatalf("DeleteSession() = %v", err)
		}
		if _, err := tx.SessionByHash(s1.Hash); !trustmark.IsKind(err, trustmark.KindNotFound) {
			t.Errorf("SessionByHash(deleted) = %v, want not found", err)
		}
		if err := tx.DeleteSession(s1.Hash); err != nil {
			t.Errorf("DeleteSession(again) = %v, want nil", err)
		}
		return nil
	})
}

func testTxSessionCleanup(t *testing.T, s trustmark.Store) {
	f := NewFixture(t, s, "cln")
	ana := newTestUser(f.Lab.ID, "ana@lab.example")
	bo := newTestUser(f.Lab.ID, "bo@lab.example")
	createUser(t, s, ana)
	createUser(t, s, bo)
	// Expiring at t0+1h, t0+2h, t0+3h (ana) and t0+2h, t0+12h (bo).
	anas := []*trustmark.Session{
		newTestSession(ana.ID, "a1", t0, time.Hour),
		newTestSession(ana.ID, "a2", t0, 2*time.Hour),
		newTestSession(ana.ID, "a3", t0, 3*time.Hour),
	}
	bos := []*trustmark.Session{
		newTestSession(bo.ID, "b1", t0.Add(time.Nanosecond*1000), 2*time.Hour),
		newTestSession(bo.ID, "b2", t0, 12*time.Hour),
	}
	transact(t, s, func(tx trustmark.Tx) error {
		for _, ss := range append(append([]*trustmark.Session{}, anas...), bos...) {
			if err := tx.CreateSession(ss); err != nil {
				return err
			}
		}
		return nil
	})
	live := func(tx trustmark.Tx, ss ...*trustmark.Session) []bool {
		var out []bool
		for _, x := range ss {
			_, err := tx.SessionByHash(x.Hash)
			if err != nil && !trustmark.IsKind(err, trustmark.KindNotFound) {
				t.Fatalf("SessionByHash() = %v", err)
			}
			out = append(out, err == nil)
		}
		return out
	}
	transact(t, s, func(tx trustmark.Tx) error {
		// At two hours a1 and a2 have ended; b1 ends a microsecond later
		// and is still live (sub-second order counts).
		n, err := tx.DeleteExpiredSessions(t0.Add(2 * time.Hour))
		if err != nil || n != 2 {
			t.Errorf("DeleteExpiredSessions(t0+2h) = %d, %v; want 2", n, err)
		}
		if diff := cmp.Diff([]bool{false, false, true}, live(tx, anas...)); diff != "" {
			t.Errorf("ana's sessions live after expiry sweep (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]bool{true, true}, live(tx, bos...)); diff != "" {
			t.Errorf("bo's sessions live after expiry sweep (-want +got):\n%s", diff)
		}
		if n, err := tx.DeleteExpiredSessions(t0.Add(2 * time.Hour)); err != nil || n != 0 {
			t.Errorf("DeleteExpiredSessions(again) = %d, %v; want 0", n, err)
		}
		if err := tx.DeleteUserSessions(bo.ID); err != nil {
			t.Fatalf("DeleteUserSessions(bo) = %v", err)
		}
		if diff := cmp.Diff([]bool{false, false}, live(tx, bos...)); diff != "" {
			t.Errorf("bo's sessions live after DeleteUserSessions (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]bool{false, false, true}, live(tx, anas...)); diff != "" {
			t.Errorf("ana's sessions live after deleting bo's (-want +got):\n%s", diff)
		}
		if err := tx.DeleteUserSessions("usr_missing"); err != nil {
			t.Errorf("DeleteUserSessions(unknown) = %v, want nil", err)
		}
		return nil
	})
}
